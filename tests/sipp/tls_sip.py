#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""tls_sip.py - the TLS peer of tests/integration/tls.sh and
perf/bench_tls.sh (Debian's sipp is built without TLS): a small SIP client
over Python's ssl module (OpenSSL underneath), and a fake core.

  tls_sip.py call   --src IP --port P [--cert C --key K] --ca CA
                    [--calls N] [--from NUM] [--conns K] [--gap S]
                    [--resume] [--hold S]
      K connections (one after another, each may resume the previous
      session with --resume), N INVITEs on each; prints one JSON line:
      {"codes": [...], "resumed": [...], "fp": [...], "error": ...}
  tls_sip.py plain  --src IP --port P          plain SIP to a TLS port
  tls_sip.py slow   --src IP --port P --n K --hold S
      K TCP connections that never start TLS; prints when each was closed
  tls_sip.py probe  --src IP --port P --cert C --key K --ca CA --probe NAME
      one edge probe (totag, case, response, oversize) over an mTLS
      connection; prints {"result": status | "none" | "closed"}
  tls_sip.py hold   --src IP --port P --n K --hold S [--ca CA --cert C ...]
      K idle connections (TLS with --ca, else TCP); prints {"open": k}
  tls_sip.py flood  --src IP --port P --n K --ca CA
      K handshakes back to back; prints {"ok": a, "failed": b}
  tls_sip.py core   --port P --seconds S       a UDP core answering 200
  tls_sip.py ucall  --src IP --port P --calls N [--from NUM] [--seconds S]
                    [--tcp]
      N INVITEs over UDP (or one TCP connection); prints {"codes": [...]}
      (null: no answer in S); --go FILE: ready, but sends once FILE exists
  tls_sip.py score  --port P --seconds S [--cert C --key K] --stats F
                    [--close-after N]
      a TCP (TLS with --cert) core answering 200 on every connection it
      accepts (closing it after N INVITEs); F gets {"conns": accepted,
      "invites": answered, "resumed": TLS sessions resumed} as it goes
  tls_sip.py rate   --src IP --port P --rate R --seconds S [--tcp | --ca CA
                    --cert C --key K]
      one persistent connection (TLS unless --tcp), INVITEs paced at R/s
      for S s, finals read between sends (2 s drain); prints
      {"sent": n, "finals": {"200": k, ...}, "late_ms": worst pacing lag}
  tls_sip.py hs     --src IP --port P --n K --ca CA [--cert C --key K]
                    [--resume] [--tls12]
      K handshakes one after another, nothing sent; each waits (<= 1 s)
      for the server's session ticket (TLS 1.3 sends it after the
      handshake), --resume offers the last session; prints
      {"ok": k, "resumed": r, "failed": f}
  tls_sip.py live   --src IP --port P --cert C --key K --ca CA --seconds S
                    --gap S       one connection calling until S; prints
                                  codes and whether the connection broke

Every wait is bounded.  Exit 0 unless the arguments are wrong; the caller
judges the JSON.
"""
import argparse
import hashlib
import json
import random
import socket
import ssl
import sys
import time


def invite(src, sport, dst, dport, num, called, tp="TLS"):
    cid = "%x@tls.test" % random.getrandbits(64)
    tag = "%x" % random.getrandbits(32)
    br = "z9hG4bK%x" % random.getrandbits(64)
    body = ("v=0\r\no=u 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio 4000 RTP/AVP 0\r\n" % (src, src))
    return (("INVITE sip:%s@%s:%d SIP/2.0\r\n"
             "Via: SIP/2.0/%s %s:%d;branch=%s;rport\r\n"
             "From: <sip:%s@%s>;tag=%s\r\n"
             "To: <sip:%s@%s:%d>\r\n"
             "Call-ID: %s\r\nCSeq: 1 INVITE\r\n"
             "Contact: <sip:u@%s:%d;transport=%s>\r\n"
             "P-Asserted-Identity: <sip:%s@%s;user=phone>\r\n"
             "Max-Forwards: 70\r\nContent-Type: application/sdp\r\n"
             "Content-Length: %d\r\n\r\n%s")
            % (called, dst, dport, tp, src, sport, br, num, src, tag, called,
               dst, dport, cid, src, sport, tp.lower(), num, src, len(body),
               body)).encode()


def frames(buf):
    """Splits complete SIP messages (Content-Length framing) off buf:
    (messages, rest)."""
    out = []
    while b"\r\n\r\n" in buf:
        head, rest = buf.split(b"\r\n\r\n", 1)
        clen = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                clen = int(line.split(b":", 1)[1])
        if len(rest) < clen:
            break
        out.append(head + b"\r\n\r\n" + rest[:clen])
        buf = rest[clen:]
    return out, buf


def messages(sock, done, tick=0.05):
    """Yields the SIP messages read from sock (TLS or TCP) until done()
    is true or the connection ends, waiting tick seconds at a time."""
    buf = b""
    while not done():
        sock.settimeout(tick)
        try:
            d = sock.recv(65536)
        except (socket.timeout, ssl.SSLWantReadError):
            continue
        except OSError:
            return
        if not d:
            return
        msgs, buf = frames(buf + d)
        yield from msgs


def read_final(sock, deadline):
    """The first final response's status code (int), or None."""
    buf = b""
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            d = sock.recv(65536)
        except (socket.timeout, ssl.SSLWantReadError):
            continue
        if not d:
            return None
        msgs, buf = frames(buf + d)
        for m in msgs:
            first = m.split(b"\r\n", 1)[0].split()
            if len(first) >= 2 and first[0] == b"SIP/2.0":
                code = int(first[1])
                if code >= 200:
                    return code
    return None


def context(a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if getattr(a, "tls12", False):
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if a.ca:
        ctx.load_verify_locations(a.ca)
    ctx.check_hostname = bool(getattr(a, "name", None))
    if not ctx.check_hostname:
        ctx.verify_mode = ssl.CERT_REQUIRED if a.ca else ssl.CERT_NONE
    if getattr(a, "cert", None):
        ctx.load_cert_chain(a.cert, a.key)
    return ctx


def connect(a, ctx, session=None):
    raw = socket.create_connection(("127.0.0.1", a.port), timeout=3,
                                   source_address=(a.src, 0))
    s = ctx.wrap_socket(raw, server_hostname=getattr(a, "name", None)
                        or None, session=session)
    return s


def cmd_call(a):
    ctx = context(a)
    out = {"codes": [], "resumed": [], "fp": [], "error": None}
    session = None
    for _ in range(a.conns):
        try:
            s = connect(a, ctx, session if a.resume else None)
        except (OSError, ssl.SSLError) as e:
            out["error"] = str(e)
            out["codes"].append(None)
            continue
        out["resumed"].append(s.session_reused)
        out["fp"].append(hashlib.sha256(s.getpeercert(True)).hexdigest()[:16])
        sport = s.getsockname()[1]
        for _ in range(a.calls):
            try:
                s.sendall(invite(a.src, sport, "127.0.0.1", a.port,
                                 getattr(a, "from"), a.called))
                out["codes"].append(read_final(s, time.monotonic() + 3))
            except (OSError, ssl.SSLError) as e:
                out["error"] = str(e)
                out["codes"].append(None)
                break
            if a.gap:
                time.sleep(a.gap)
        if a.hold:
            time.sleep(a.hold)
        session = s.session
        try:
            s.close()
        except OSError:
            pass
    print(json.dumps(out))


def cmd_live(a):
    """One connection, a call every gap seconds until seconds pass."""
    ctx = context(a)
    out = {"codes": [], "error": None, "fp": None}
    end = time.monotonic() + a.seconds
    try:
        s = connect(a, ctx)
        out["fp"] = hashlib.sha256(s.getpeercert(True)).hexdigest()[:16]
        sport = s.getsockname()[1]
        while time.monotonic() < end:
            s.sendall(invite(a.src, sport, "127.0.0.1", a.port,
                             getattr(a, "from"), a.called))
            out["codes"].append(read_final(s, time.monotonic() + 3))
            time.sleep(a.gap)
        s.close()
    except (OSError, ssl.SSLError) as e:
        out["error"] = str(e)
    print(json.dumps(out))


def cmd_ucall(a):
    """--calls INVITEs over UDP (--tcp: one TCP connection) from --src to
    the proxy's --port."""
    if a.tcp:
        u = socket.create_connection(("127.0.0.1", a.port), timeout=3,
                                     source_address=(a.src, 0))
    else:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind((a.src, 0))
    sport = u.getsockname()[1]
    out = {"codes": []}
    if a.go:  # ready: send when the caller creates this file (<= 20 s)
        import os
        end = time.monotonic() + 20
        while not os.path.exists(a.go) and time.monotonic() < end:
            time.sleep(0.005)
    for _ in range(a.calls):
        u.sendto(invite(a.src, sport, "127.0.0.1", a.port,
                        getattr(a, "from"), a.called,
                        "TCP" if a.tcp else "UDP"),
                 ("127.0.0.1", a.port))
        code, end = None, time.monotonic() + a.seconds
        while time.monotonic() < end and code is None:
            u.settimeout(max(0.01, end - time.monotonic()))
            try:
                d = u.recv(65536)
            except socket.timeout:
                break
            f = d.split(b"\r\n", 1)[0].split()
            if len(f) >= 2 and f[0] == b"SIP/2.0" and int(f[1]) >= 200:
                code = int(f[1])
        out["codes"].append(code)
    print(json.dumps(out))


def cmd_rate(a):
    """INVITEs at a fixed rate over one persistent connection, one thread
    (an SSL object is not to be read and written from two at once):
    between sends, whatever has arrived is read."""
    import select
    if a.tcp:
        s = socket.create_connection(("127.0.0.1", a.port), timeout=3,
                                     source_address=(a.src, 0))
    else:
        s = connect(a, context(a))
    sport = s.getsockname()[1]
    s.setblocking(False)
    finals, buf, got = {}, b"", 0
    n, late, t0 = int(a.rate * a.seconds), 0.0, time.monotonic()
    tp = "TCP" if a.tcp else "TLS"

    def read_until(t_end):
        nonlocal buf, got
        while True:
            left = t_end - time.monotonic()
            pending = not a.tcp and s.pending()
            if left <= 0 and not pending:
                return True
            if not pending and not select.select([s], [], [], max(left, 0))[0]:
                continue
            try:
                d = s.recv(65536)
            except (ssl.SSLWantReadError, BlockingIOError):
                continue
            except OSError:
                return False
            if not d:
                return False
            msgs, buf = frames(buf + d)
            for m in msgs:
                f = m.split(b"\r\n", 1)[0].split()
                if len(f) >= 2 and f[0] == b"SIP/2.0" and int(f[1]) >= 200:
                    k = f[1].decode()
                    finals[k] = finals.get(k, 0) + 1
                    got += 1

    sent = 0
    for i in range(n):
        due = t0 + i / a.rate
        if not read_until(due):
            break
        late = max(late, time.monotonic() - due)
        msg = invite(a.src, sport, "127.0.0.1", a.port,
                     getattr(a, "from"), a.called, tp)
        s.setblocking(True)
        try:
            s.sendall(msg)
        except (OSError, ssl.SSLError):
            break
        s.setblocking(False)
        sent += 1
    end = time.monotonic() + 2
    while got < sent and time.monotonic() < end:
        if not read_until(min(end, time.monotonic() + 0.05)):
            break
    print(json.dumps({"sent": sent, "finals": finals,
                      "late_ms": round(late * 1e3, 1)}))


def cmd_hs(a):
    """Handshakes back to back, optionally resuming the last session."""
    import select
    ctx = context(a)
    out, session = {"ok": 0, "resumed": 0, "failed": 0}, None
    for _ in range(a.n):
        try:
            s = connect(a, ctx, session if a.resume else None)
        except (OSError, ssl.SSLError):
            out["failed"] += 1
            continue
        out["ok"] += 1
        out["resumed"] += 1 if s.session_reused else 0
        s.setblocking(False)
        end = time.monotonic() + 1
        while time.monotonic() < end:  # the post-handshake ticket (1.3)
            if s.session is not None and s.session.has_ticket:
                break
            try:
                s.recv(1)
            except ssl.SSLWantReadError:
                select.select([s], [], [], 0.01)
            except (OSError, ssl.SSLError):
                break
        if s.session is not None and s.session.has_ticket:
            session = s.session
        try:
            s.close()
        except OSError:
            pass
    print(json.dumps(out))


def cmd_plain(a):
    s = socket.create_connection(("127.0.0.1", a.port), timeout=3,
                                 source_address=(a.src, 0))
    s.sendall(invite(a.src, s.getsockname()[1], "127.0.0.1", a.port,
                     "4915112345678", "77012220001", "TCP"))
    s.settimeout(3)
    what = "open"
    try:
        d = s.recv(4096)
        what = "closed" if not d else ("sip" if d.startswith(b"SIP/2.0")
                                       else "data")
    except socket.timeout:
        pass
    except OSError:
        what = "closed"
    print(json.dumps({"result": what}))


def cmd_slow(a):
    socks = []
    for _ in range(a.n):
        try:
            socks.append(socket.create_connection(
                ("127.0.0.1", a.port), timeout=3, source_address=(a.src, 0)))
        except OSError:
            break
    t0 = time.monotonic()
    closed = {}
    for s in socks:
        s.setblocking(False)
    while time.monotonic() - t0 < a.hold and len(closed) < len(socks):
        for i, s in enumerate(socks):
            if i in closed:
                continue
            try:
                if not s.recv(1):
                    closed[i] = time.monotonic() - t0
            except BlockingIOError:
                pass
            except OSError:
                closed[i] = time.monotonic() - t0
        time.sleep(0.02)
    print(json.dumps({"opened": len(socks), "closed": len(closed),
                      "max_s": max(closed.values()) if closed else None}))


def probe_bytes(name, src, sport, port):
    """The edge probes of tests/sipp/edge_probe.py that make sense on one
    TLS connection from a trunk."""
    m = invite(src, sport, "127.0.0.1", port, "77015550000", "77012220002")
    if name == "totag":      # a To-tag without our Route: judged anyway
        return m.replace(b"To: <sip:77012220002@127.0.0.1:%d>" % port,
                         b"To: <sip:77012220002@127.0.0.1:%d>;tag=abc" % port)
    if name == "case":       # "invite": 400
        return b"invite" + m[6:].replace(b"CSeq: 1 INVITE", b"CSeq: 1 invite")
    if name == "response":   # a forged response: goes nowhere
        return (b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;"
                b"branch=z9hG4bKsf0000000000000000deadbeef\r\n"
                b"Via: SIP/2.0/UDP 127.0.0.66:5060;branch=z9hG4bKv\r\n"
                b"From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=2\r\n"
                b"Call-ID: forged@x\r\nCSeq: 1 INVITE\r\n"
                b"Content-Length: 0\r\n\r\n" % port)
    if name == "oversize":   # a header that never ends
        return b"INVITE sip:x@127.0.0.1 SIP/2.0\r\nX-Long: " + b"a" * 70000
    raise SystemExit("unknown probe " + name)


def cmd_probe(a):
    """Sends probe --probe over one mTLS connection; prints the first
    final status, "none" (nothing within 1.5 s) or "closed"."""
    ctx = context(a)
    s = connect(a, ctx)
    try:
        s.sendall(probe_bytes(a.probe, a.src, s.getsockname()[1], a.port))
    except (OSError, ssl.SSLError):
        print(json.dumps({"result": "closed"}))
        return
    deadline = time.monotonic() + 1.5
    buf = b""
    res = "none"
    while time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            d = s.recv(65536)
        except (socket.timeout, ssl.SSLWantReadError):
            continue
        except (OSError, ssl.SSLError):
            res = "closed"
            break
        if not d:
            res = "closed"
            break
        msgs, buf = frames(buf + d)
        if msgs:
            res = int(msgs[0].split(b" ", 2)[1])
            break
    print(json.dumps({"result": res}))


def cmd_hold(a):
    """--n idle connections (TLS with --ca, else plain TCP) held --hold
    seconds; prints {"open": k} once they are all up."""
    ctx = context(a) if a.ca else None
    socks = []
    for _ in range(a.n):
        try:
            if ctx:
                socks.append(connect(a, ctx))
            else:
                socks.append(socket.create_connection(
                    ("127.0.0.1", a.port), timeout=3,
                    source_address=(a.src, 0)))
        except (OSError, ssl.SSLError):
            break
    print(json.dumps({"open": len(socks)}), flush=True)
    time.sleep(a.hold)


def cmd_flood(a):
    ctx = context(a)
    ok = failed = 0
    for _ in range(a.n):
        try:
            s = connect(a, ctx)
            ok += 1
            s.close()
        except (OSError, ssl.SSLError):
            failed += 1
    print(json.dumps({"ok": ok, "failed": failed}))


def cmd_core(a):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", a.port))
    u.settimeout(0.2)
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        try:
            d, peer = u.recvfrom(65536)
        except socket.timeout:
            continue
        if not d.startswith(b"INVITE "):
            continue
        resp = answer_200(d, a.port)
        u.sendto(resp, peer)


def answer_200(d, port):
    head = d.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    keep = [l for l in head[1:] if l.split(b":", 1)[0].lower() in
            (b"via", b"from", b"to", b"call-id", b"cseq", b"record-route")]
    keep = [l + b";tag=core" if l.lower().startswith(b"to:") else l
            for l in keep]
    return (b"SIP/2.0 200 OK\r\n" + b"\r\n".join(keep) +
            b"\r\nContact: <sip:core@127.0.0.1:%d>\r\n"
            b"Content-Length: 0\r\n\r\n" % port)


def cmd_score(a):
    import threading
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # a restarted core may start before the old one is gone
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    ls.bind(("127.0.0.1", a.port))
    ls.listen(64)
    ls.settimeout(0.2)
    ctx = None
    if a.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
    st = {"conns": 0, "invites": 0, "via": "", "resumed": 0}
    lock = threading.Lock()
    end = time.monotonic() + a.seconds

    def dump():
        with open(a.stats + ".tmp", "w") as f:
            json.dump(st, f)
        import os
        os.replace(a.stats + ".tmp", a.stats)

    def serve(c):
        n = 0
        for msg in messages(c, lambda: time.monotonic() >= end, 0.2):
            if msg.startswith(b"INVITE "):
                c.sendall(answer_200(msg, a.port))
                n += 1
                with lock:
                    st["invites"] += 1
                    st["via"] = msg.split(b"\r\n")[1].decode()
                    dump()
                if a.close_after and n >= a.close_after:
                    break
        c.close()

    dump()
    while time.monotonic() < end:
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        if ctx:
            try:
                c.settimeout(2)
                c = ctx.wrap_socket(c, server_side=True)
            except (OSError, ssl.SSLError):
                continue
        with lock:
            st["conns"] += 1
            st["resumed"] += 1 if ctx and c.session_reused else 0
            dump()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["call", "plain", "slow", "flood", "core",
                                    "live", "score", "ucall", "hold",
                                    "probe", "rate", "hs"])
    p.add_argument("--src", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--ca")
    p.add_argument("--name", help="expected server name (SNI + check)")
    p.add_argument("--calls", type=int, default=1)
    p.add_argument("--conns", type=int, default=1)
    p.add_argument("--from", default="77015550000")
    p.add_argument("--called", default="77012220002")
    p.add_argument("--gap", type=float, default=0.0)
    p.add_argument("--hold", type=float, default=0.0)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--tls12", action="store_true")
    p.add_argument("--n", type=int, default=1)
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--rate", type=float, default=100.0)
    p.add_argument("--close-after", type=int, default=0,
                   help="score: close a connection after N INVITEs")
    p.add_argument("--stats")
    p.add_argument("--tcp", action="store_true")
    p.add_argument("--go", help="ucall: send once this file exists")
    p.add_argument("--probe", help="probe: totag, case, response, oversize")
    a = p.parse_args()
    {"call": cmd_call, "plain": cmd_plain, "slow": cmd_slow,
     "flood": cmd_flood, "core": cmd_core, "live": cmd_live,
     "score": cmd_score, "ucall": cmd_ucall, "hold": cmd_hold,
     "probe": cmd_probe, "rate": cmd_rate,
     "hs": cmd_hs}[a.mode](a)


if __name__ == "__main__":
    sys.exit(main())
