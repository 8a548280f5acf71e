#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""dosprobe.py - denial-of-service probes for tests/integration/serve_dos.sh,
bounded in time, loopback only.

  dosprobe.py hold SRC_IP HOST PORT N SECONDS
      opens N idle TCP connections from SRC_IP (the proxy may close some at
      once: that is what the test counts), prints "opened N" and holds
      them for SECONDS, then closes them and exits.
  dosprobe.py closed SRC_IP HOST PORT SECONDS [REQUEST_FILE]
      opens one TCP connection from SRC_IP (sends REQUEST_FILE first, LF
      line ends made CRLF, @PORT@ our port, @PROXY_PORT@ PORT), then waits
      up to SECONDS for the proxy to close it; prints "closed T" (seconds) or "open".
  dosprobe.py options SRC_IP HOST PORT
      one OPTIONS to the proxy itself over a new TCP connection from
      SRC_IP; prints the status line of the answer or "none" (3 s).
  dosprobe.py slow http HOST:PORT N SECONDS READY_FILE
  dosprobe.py slow ctl SOCKET_PATH N SECONDS READY_FILE
      N clients, each sending its request one byte every 0.5 s (an HTTP
      GET /metrics, or the control line "stats") and reconnecting when the
      server closes it; writes READY_FILE once all N are connected; after
      SECONDS prints one JSON line: opened, closed_by_server, answered
      (a client that got any answer bytes: must be 0).
"""
import json
import os
import socket
import sys
import time


def tcp_from(src, host, port, timeout=1.0):
    s = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET,
                      socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(timeout)
    s.connect((host, int(port)))
    return s


def cmd_hold(src, host, port, n, seconds):
    conns = []
    for _ in range(int(n)):
        try:
            conns.append(tcp_from(src, host, port))
        except OSError:
            pass
    print('opened', len(conns))
    sys.stdout.flush()
    time.sleep(min(float(seconds), 600.0))
    for c in conns:
        c.close()


def cmd_closed(src, host, port, seconds, request=None):
    try:
        s = tcp_from(src, host, port)
    except ConnectionResetError:  # refused before connect() returned
        print('closed 0.00')
        return
    if request:
        data = open(request, 'rb').read()
        data = data.replace(b'@PORT@', str(s.getsockname()[1]).encode())
        data = data.replace(b'@PROXY_PORT@', str(port).encode())
        s.sendall(data.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n'))
    s.settimeout(0.02)
    t0 = time.monotonic()
    end = t0 + min(float(seconds), 60.0)
    while time.monotonic() < end:
        try:
            if s.recv(65536) == b'':
                print('closed %.2f' % (time.monotonic() - t0))
                return
        except socket.timeout:
            continue
        except OSError:
            print('closed %.2f' % (time.monotonic() - t0))
            return
    print('open')


def cmd_options(src, host, port):
    s = tcp_from(src, host, port)
    me = s.getsockname()[1]
    s.sendall(('OPTIONS sip:%s:%s SIP/2.0\r\n'
               'Via: SIP/2.0/TCP %s:%d;branch=z9hG4bK-dos-%d\r\n'
               'From: <sip:probe@%s>;tag=dos\r\n'
               'To: <sip:%s:%s>\r\n'
               'Call-ID: dos-%d@%s\r\n'
               'CSeq: 1 OPTIONS\r\n'
               'Max-Forwards: 70\r\n'
               'Content-Length: 0\r\n\r\n' % (
                   host, port, src, me, os.getpid(), src, host, port,
                   os.getpid(), src)).encode())
    s.settimeout(3)
    try:
        data = s.recv(65536)
    except OSError:
        data = b''
    print(data.split(b'\r\n', 1)[0].decode('latin-1') if data else 'none')


def cmd_slow(kind, target, n, seconds, ready):
    n, end = int(n), time.monotonic() + min(float(seconds), 120.0)
    if kind == 'http':
        host, port = target.rsplit(':', 1)
        req = ('GET /metrics HTTP/1.1\r\nHost: %s\r\n\r\n' % target).encode()
    else:
        req = b'stats\n'
    counts = {'opened': 0, 'closed_by_server': 0, 'answered': 0}

    def connect():
        if kind == 'http':
            s = socket.create_connection((host, int(port)), timeout=3)
        else:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(1)
            s.connect(target)
        s.setblocking(False)
        counts['opened'] += 1
        return [s, 0]

    clients = [connect() for _ in range(n)]
    open(ready, 'w').close()
    while time.monotonic() < end:
        for i, c in enumerate(clients):
            s, pos = c
            gone = False
            try:
                data = s.recv(65536)
                if data:
                    counts['answered'] += 1
                gone = True  # an answer or EOF: either way, done
            except BlockingIOError:
                pass
            except OSError:
                gone = True
            if not gone:
                try:
                    s.send(req[pos % len(req):pos % len(req) + 1])
                    c[1] = pos + 1
                except BlockingIOError:
                    pass
                except OSError:
                    gone = True
            if gone:
                counts['closed_by_server'] += 1
                s.close()
                try:
                    clients[i] = connect()
                except OSError:
                    clients[i] = [socket.socket(), 0]
        time.sleep(0.5)
    for s, _ in clients:
        s.close()
    print(json.dumps(counts, sort_keys=True))


def main(argv):
    cmds = {'hold': cmd_hold, 'closed': cmd_closed, 'options': cmd_options,
            'slow': cmd_slow}
    if len(argv) < 2 or argv[1] not in cmds:
        print(__doc__)
        return 2
    cmds[argv[1]](*argv[2:])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
