#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sfctl.py - talk to a `sipfilter serve` control socket from one process,
so that timing is not a process start per request (serve_redis.sh).

  sfctl.py wait SOCK NUMBER True|False
      polls `lookup NUMBER trunk=ipx-carrier-a` until its "roaming" is
      the one wanted (<= 5 s); prints the ms taken, or "timeout" (exit 1)
  sfctl.py publish SOCK_A SOCK_B NUMBER CC
      `roaming add NUMBER visited=CC` on A, then polls B until it sees the
      number roaming; prints A's answer with "seen_on_b_ms" added
"""
import json
import socket
import sys
import time


def ask(sock, line):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(sock)
    s.sendall((line + "\n").encode())
    s.shutdown(socket.SHUT_WR)  # one request: serve answers, then closes
    b = b""
    while True:
        c = s.recv(65536)
        if not c:
            break
        b += c
    s.close()
    return json.loads(b)


def wait(sock, num, want, limit=5.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if ask(sock, "lookup %s trunk=ipx-carrier-a" % num)["roaming"] == want:
            return (time.monotonic() - t0) * 1000
        time.sleep(0.002)
    return None


def main(argv):
    if argv[1] == "wait":
        ms = wait(argv[2], argv[3], argv[4] == "True")
        print("timeout" if ms is None else int(ms))
        return 1 if ms is None else 0
    if argv[1] == "publish":
        d = ask(argv[2], "roaming add %s visited=%s" % (argv[4], argv[5]))
        ms = wait(argv[3], argv[4], True)
        if ms is not None:
            d["seen_on_b_ms"] = round(ms, 1)
        print(json.dumps(d))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
