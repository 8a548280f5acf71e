#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""redis_feed.py - a live roaming producer for tests/soak_redis.sh: XADDs
`op add|del number N` to a Redis stream at a steady rate, pipelined in
batches every 10 ms, over Redis's own protocol on its Unix socket (no
client library needed).  Numbers cycle through PREFIX + 0..SPAN-1, each
added and later deleted, so the live overlay stays bounded.  The stream is
capped (MAXLEN ~ 200000) so Redis's memory stays bounded too.

  redis_feed.py SOCK KEY RATE SECONDS [PREFIX] [SPAN]
prints {"sent": N, "seconds": S, "rate": R, "errors": E} at the end.

  redis_feed.py export XINFO_FILE BASE_CSV OUT_CSV [PREFIX] [SPAN]
writes the roaming file an exporter would at the stream's position, from
the output of `redis-cli XINFO STREAM KEY` (one reply, so the id and the
count agree): "# stream-id: <last-generated-id>", the rows of BASE_CSV and
the numbers the first entries-added entries leave roaming.

  redis_feed.py check CTL_SOCK SENT [PREFIX] [SPAN]
asks the node (lookup over its control socket) whether ~55 numbers are as
SENT entries left them.
"""
import json
import socket
import sys
import time


def cmd(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def export(argv):
    lines = open(argv[2]).read().split("\n")
    info = dict(zip(lines[0::2], lines[1::2]))
    k, last = int(info["entries-added"]), info["last-generated-id"]
    prefix = argv[5] if len(argv) > 5 else "7748"
    span = int(argv[6]) if len(argv) > 6 else 50000
    r = k % (2 * span)
    # entry k: i = k % 2span adds number i (i < span), else deletes i-span
    if r <= span:
        roaming = range(0, r) if k >= 0 else range(0)
    else:
        roaming = range(r - span, span)
    with open(argv[4], "w") as out:
        out.write("# stream-id: %s\n" % last)
        out.writelines(x for x in open(argv[3]) if not x.startswith("#"))
        out.writelines("%s%07d\n" % (prefix, n) for n in roaming)
    return 0


def check(argv):
    """check SOCK_CTL SENT [PREFIX] [SPAN]: after SENT entries (the stream
    from its start), every 997th number and those at the cycle's edge
    must be as the feed left them; prints the mismatches, exit 1 if any."""
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    import sfctl
    ctl, k = argv[2], int(argv[3])
    prefix = argv[4] if len(argv) > 4 else "7748"
    span = int(argv[5]) if len(argv) > 5 else 50000
    r = k % (2 * span)
    want = (lambda n: n < r) if r <= span else (lambda n: n >= r - span)
    probe = set(range(0, span, 997)) | {max(r - 1, 0), r % span,
                                         (r - span - 1) % span, span - 1}
    bad = []
    for n in sorted(probe):
        d = sfctl.ask(ctl, "lookup %s%07d trunk=ipx-carrier-a" % (prefix, n))
        if d["roaming"] != want(n):
            bad.append("%s%07d: roaming %s, want %s" % (prefix, n,
                                                       d["roaming"], want(n)))
    print("%d numbers checked, %d wrong%s" % (len(probe), len(bad),
          "".join("\n  " + b for b in bad[:10])))
    return 1 if bad else 0


def main(argv):
    if argv[1] == "export":
        return export(argv)
    if argv[1] == "check":
        return check(argv)
    sock, key, rate, secs = argv[1], argv[2], float(argv[3]), float(argv[4])
    prefix = argv[5] if len(argv) > 5 else "7748"
    span = int(argv[6]) if len(argv) > 6 else 50000
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    f = s.makefile("rb")
    sent = errors = 0
    t0 = time.monotonic()
    tick = 0.01
    while True:
        now = time.monotonic() - t0
        if now >= secs:
            break
        due = int(min(now + tick, secs) * rate) - sent
        if due > 0:
            buf = []
            for k in range(sent, sent + due):
                i = k % (2 * span)
                num = "%s%07d" % (prefix, i % span)
                buf.append(cmd("XADD", key, "MAXLEN", "~", "200000", "*",
                               "op", "add" if i < span else "del",
                               "number", num))
            s.sendall(b"".join(buf))
            for _ in range(due):
                line = f.readline()
                if not line.startswith(b"$"):
                    errors += 1
                    continue
                f.readline()  # the id
            sent += due
        time.sleep(max(0.0, tick - ((time.monotonic() - t0) - now)))
    el = time.monotonic() - t0
    print(json.dumps({"sent": sent, "seconds": round(el, 2),
                      "rate": round(sent / el, 1), "errors": errors}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
