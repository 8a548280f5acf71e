#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""hostile.py - hostile traffic for tests/integration/hostile.sh, bounded
in time and rate, loopback only.

  hostile.py HOST PORT SECONDS TORTURE_DIR [RATE] [SLOW_CONNS]

Runs three generators side by side for SECONDS and prints one JSON line of
counts:
  scanner    SIPVicious-style OPTIONS / INVITE / REGISTER with
             "User-Agent: friendly-scanner", from unknown sources
             127.0.0.10-127.0.0.41, walking extensions 100..999;
  malformed  the torture corpus (byte for byte) and random bytes from an
             unknown source (127.0.0.9), plus valid-looking INVITEs with a
             control byte in one header and random bytes from a known
             trunk (127.0.0.3, ipx-carrier-b: these may be answered 400);
  slowloris  SLOW_CONNS TCP connections (default 8, the fixture's cap)
             from 127.0.0.50+, each dribbling one byte per second of an
             INVITE and reopened when the proxy closes it.
RATE is the datagrams per second of scanner and malformed traffic each
(default 1000).  Nothing is ever sent off loopback: every Via names the
real loopback source, and requests from the known trunk are malformed, so
the proxy can only answer them, never forward them.
"""
import glob
import json
import os
import random
import socket
import sys
import threading
import time


def scanner(host, port, end, rate, counts):
    socks = []
    for i in range(32):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(('127.0.0.%d' % (10 + i), 0))
        s.setblocking(False)
        socks.append(s)
    methods = ['OPTIONS', 'INVITE', 'REGISTER']
    n = 0
    t0 = time.monotonic()
    while time.monotonic() < end:
        s = socks[n % len(socks)]
        src, sport = s.getsockname()
        ext = 100 + n % 900
        m = methods[n % 3]
        msg = ('%s sip:%d@%s SIP/2.0\r\n'
               'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-%d;rport\r\n'
               'Max-Forwards: 70\r\n'
               'To: "%d" <sip:%d@%s>\r\n'
               'From: "%d" <sip:%d@%s>;tag=%08x\r\n'
               'User-Agent: friendly-scanner\r\n'
               'Call-ID: %d%08x\r\n'
               'Contact: <sip:%d@%s:%d>\r\n'
               'CSeq: 1 %s\r\n'
               'Accept: application/sdp\r\n'
               'Content-Length: 0\r\n\r\n') % (
                   m, ext, host, src, sport, n, ext, ext, host, ext, ext,
                   host, n, n, n, ext, src, sport, m)
        try:
            s.sendto(msg.encode(), (host, port))
            n += 1
        except OSError:
            pass
        for r in socks[:1]:  # drain answers so buffers never fill
            try:
                while True:
                    r.recv(65535)
            except OSError:
                pass
        # pace: n messages by now
        ahead = n / rate - (time.monotonic() - t0)
        if ahead > 0:
            time.sleep(ahead)
    for s in socks:
        try:
            while True:
                s.recv(65535)
        except OSError:
            pass
        s.close()
    counts['scanner'] = n


GOOD = ('INVITE sip:77012220001@127.0.0.1 SIP/2.0\r\n'
        'Via: SIP/2.0/UDP 127.0.0.3:%d;branch=z9hG4bK-bad-%d;rport\r\n'
        'From: <sip:4915112345678@127.0.0.3>;tag=m%d\r\n'
        'To: <sip:77012220001@127.0.0.1>\r\n'
        'Call-ID: malformed-%d@127.0.0.3\r\n'
        'CSeq: 1 INVITE\r\n'
        'X-Junk: a\x01b\r\n'
        'Max-Forwards: 70\r\n'
        'Content-Length: 0\r\n\r\n')


def malformed(host, port, end, rate, torture_dir, counts):
    files = []
    for f in sorted(glob.glob(torture_dir + '/*/*')):
        try:
            d = open(f, 'rb').read()
        except OSError:
            continue
        if d and len(d) < 65000:
            files.append(d)
    unknown = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    unknown.bind(('127.0.0.9', 0))
    trunk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    trunk.bind(('127.0.0.3', 0))
    for s in (unknown, trunk):
        s.setblocking(False)
    tport = trunk.getsockname()[1]
    rnd = random.Random(11)
    n = answers = 0
    t0 = time.monotonic()
    while time.monotonic() < end:
        k = n % 4
        try:
            if k == 0 and files:
                unknown.sendto(files[(n // 4) % len(files)], (host, port))
            elif k == 1:
                unknown.sendto(os.urandom(rnd.randrange(1, 1400)),
                               (host, port))
            elif k == 2:
                trunk.sendto((GOOD % (tport, n, n, n)).encode(),
                             (host, port))
            else:
                trunk.sendto(os.urandom(rnd.randrange(1, 1400)),
                             (host, port))
            n += 1
        except OSError:
            pass
        try:
            while True:
                r = trunk.recv(65535)
                if r.startswith(b'SIP/2.0 400 '):
                    answers += 1
        except OSError:
            pass
        try:
            while True:
                unknown.recv(65535)
        except OSError:
            pass
        ahead = n / rate - (time.monotonic() - t0)
        if ahead > 0:
            time.sleep(ahead)
    counts['malformed'] = n
    counts['malformed_400'] = answers


def slowloris(host, port, end, conns, counts):
    payload = (b'INVITE sip:1@127.0.0.1 SIP/2.0\r\n'
               b'Via: SIP/2.0/TCP 127.0.0.50:5060;branch=z9hG4bK-slow\r\n'
               b'From: <sip:1@127.0.0.50>;tag=s\r\nTo: <sip:2@h>\r\n') * 50
    slots = [None] * conns
    opened = closed = sent = 0
    while time.monotonic() < end:
        for i in range(conns):
            st = slots[i]
            if st is None:
                try:
                    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    s.bind(('127.0.0.%d' % (50 + i), 0))
                    s.settimeout(0.2)
                    s.connect((host, port))
                    s.setblocking(False)
                    slots[i] = [s, 0]
                    opened += 1
                except OSError:
                    s.close()
                continue
            s, pos = st
            try:
                if s.recv(4096) == b'':
                    raise ConnectionResetError
            except BlockingIOError:
                pass
            except OSError:
                s.close()
                slots[i] = None
                closed += 1
                continue
            try:
                s.send(payload[pos % len(payload):pos % len(payload) + 1])
                st[1] = pos + 1
                sent += 1
            except BlockingIOError:
                pass
            except OSError:
                s.close()
                slots[i] = None
                closed += 1
        time.sleep(1.0)
    for st in slots:
        if st:
            st[0].close()
    counts['slow_opened'] = opened
    counts['slow_closed_by_proxy'] = closed
    counts['slow_bytes'] = sent


def main(argv):
    if len(argv) < 5:
        print(__doc__)
        return 2
    host, port, secs, tdir = argv[1], int(argv[2]), float(argv[3]), argv[4]
    rate = float(argv[5]) if len(argv) > 5 else 1000.0
    conns = int(argv[6]) if len(argv) > 6 else 8
    secs = min(secs, 600.0)  # bounded whatever the caller says
    end = time.monotonic() + secs
    counts = {}
    th = [threading.Thread(target=scanner, args=(host, port, end, rate,
                                                 counts)),
          threading.Thread(target=malformed, args=(host, port, end, rate,
                                                   tdir, counts)),
          threading.Thread(target=slowloris, args=(host, port, end, conns,
                                                   counts))]
    for t in th:
        t.start()
    for t in th:
        t.join()
    print(json.dumps(counts, sort_keys=True))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
