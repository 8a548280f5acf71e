#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""tls_dialog.py - the peers of tests/integration/tls_dialog.sh: a dialog
between a trunk identified only by its client certificate (TLS, no
`sources`) and the core (UDP), with the core sending the in-dialog
request, and a stranger on TLS trying to use the same path.

  tls_dialog.py --proxy-tls P --proxy-udp U --core C --ca CA
                --cert CRT --key KEY [--stranger-cert CRT --stranger-key KEY]
                [--src IP] [--stranger-src IP]

Steps (each wait bounded, 3 s):
 1. the trunk (--src) calls over mTLS; the core, a UDP socket on C,
    answers the forwarded INVITE 200 and keeps its Record-Route;
 2. the core sends BYE (Route = that Record-Route, Request-URI = the
    trunk's Contact, transport=tls) to the proxy's UDP port: does the
    trunk get it on its TLS connection?  The trunk answers it 200: does
    the core get that response?
 3. a stranger (--stranger-src, with --stranger-cert or none) holds a TLS
    connection; the core sends it a BYE by the same Route: it must get
    nothing (the core gets the proxy's 403 instead);
 4. the stranger replays the trunk's 200 to the BYE (a valid Via of
    ours): the core must not get it.
Prints one JSON line of what happened; the caller judges it.
"""
import argparse
import json
import random
import socket
import ssl
import time

import tls_sip


def hdrs(msg, name):
    """The values of every header line called name (no compact forms:
    the proxy and these peers write the long ones)."""
    out = []
    for line in msg.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == name.lower():
            out.append(v.strip())
    return out


def first(msg):
    return msg.split(b"\r\n", 1)[0]


def recv_msg(sock, deadline, want=None):
    """The next SIP message read from a TLS socket whose first line
    contains want (bytes), or None."""
    for m in tls_sip.messages(sock, lambda: time.monotonic() >= deadline):
        if want is None or want in first(m):
            return m
    return None


def udp_recv(u, deadline, want):
    while time.monotonic() < deadline:
        u.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            d, peer = u.recvfrom(65536)
        except socket.timeout:
            continue
        if want in first(d):
            return d, peer
    return None, None


def bye(invite, rr, target, core_port):
    """The core's BYE in the dialog of invite (RFC 3261 §12.2.1.1: the
    route set is the Record-Route in order, the target the Contact)."""
    frm = hdrs(invite, b"From")[0]
    to = hdrs(invite, b"To")[0] + b";tag=core"
    lines = [b"BYE " + target + b" SIP/2.0",
             b"Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%x;rport"
             % (core_port, random.getrandbits(48)),
             b"Route: " + b", ".join(rr),
             b"From: " + to, b"To: " + frm,
             b"Call-ID: " + hdrs(invite, b"Call-ID")[0],
             b"CSeq: 2 BYE", b"Max-Forwards: 70", b"Content-Length: 0"]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def answer(req):
    keep = [l for l in req.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]
            if l.split(b":", 1)[0].lower() in
            (b"via", b"from", b"to", b"call-id", b"cseq")]
    return (b"SIP/2.0 200 OK\r\n" + b"\r\n".join(keep) +
            b"\r\nContent-Length: 0\r\n\r\n")


def tls_conn(src, port, ca, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(ca)
    if cert:
        ctx.load_cert_chain(cert, key)
    raw = socket.create_connection(("127.0.0.1", port), timeout=3,
                                   source_address=(src, 0))
    return ctx.wrap_socket(raw)


def main():
    p = argparse.ArgumentParser()
    for a in ("--proxy-tls", "--proxy-udp", "--core"):
        p.add_argument(a, type=int, required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--stranger-cert")
    p.add_argument("--stranger-key")
    p.add_argument("--src", default="127.0.0.8")
    p.add_argument("--stranger-src", default="127.0.0.9")
    a = p.parse_args()
    out = {"invite": None, "bye_at_trunk": False, "bye_200_at_core": False,
           "stranger_got": None, "core_answer_for_stranger": None,
           "replay_at_core": False, "error": None}
    core = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    core.bind(("127.0.0.1", a.core))
    try:
        t = tls_conn(a.src, a.proxy_tls, a.ca, a.cert, a.key)
        sport = t.getsockname()[1]
        t.sendall(tls_sip.invite(a.src, sport, "127.0.0.1", a.proxy_tls,
                                 "4915112345678", "77012220001"))
        inv, peer = udp_recv(core, time.monotonic() + 3, b"INVITE")
        if inv is None:
            out["error"] = "no INVITE at the core"
            print(json.dumps(out))
            return
        core.sendto(tls_sip.answer_200(inv, a.core), peer)
        r = recv_msg(t, time.monotonic() + 3, b"SIP/2.0")
        out["invite"] = first(r).decode() if r else None
        rr = hdrs(inv, b"Record-Route")
        contact = hdrs(inv, b"Contact")[0].strip(b"<>")
        proxy = ("127.0.0.1", a.proxy_udp)
        # 2. the core's BYE reaches the trunk, the trunk's 200 the core
        core.sendto(bye(inv, rr, contact, a.core), proxy)
        b = recv_msg(t, time.monotonic() + 3, b"BYE")
        if b:
            out["bye_at_trunk"] = True
            ok = answer(b)
            t.sendall(ok)
            r, _ = udp_recv(core, time.monotonic() + 3, b"SIP/2.0 200")
            out["bye_200_at_core"] = r is not None
        # 3. a stranger's connection is no target
        s = tls_conn(a.stranger_src, a.proxy_tls, a.ca, a.stranger_cert,
                     a.stranger_key)
        starget = b"sip:x@%s:%d;transport=tls" % (
            a.stranger_src.encode(), s.getsockname()[1])
        core.sendto(bye(inv, rr, starget, a.core), proxy)
        got = recv_msg(s, time.monotonic() + 1.5)
        out["stranger_got"] = first(got).decode() if got else None
        r, _ = udp_recv(core, time.monotonic() + 1.5, b"SIP/2.0")
        out["core_answer_for_stranger"] = first(r).decode() if r else None
        # 4. a response from the stranger is not relayed
        if b:
            s.sendall(ok)
            r, _ = udp_recv(core, time.monotonic() + 1.5, b"SIP/2.0 200")
            out["replay_at_core"] = r is not None
        s.close()
        t.close()
    except (OSError, ssl.SSLError) as e:
        out["error"] = str(e)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
