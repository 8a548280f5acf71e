#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sipraw.py - raw SIP and socket probes for tests/integration/serve*.sh.

  sipraw.py send SRC_IP HOST PORT MSGFILE [TIMEOUT]
      sends MSGFILE (LF line ends become CRLF unless --raw) as one UDP
      datagram from SRC_IP and prints the status line of the first answer,
      or "none" after TIMEOUT seconds (default 1).  In MSGFILE, @PORT@ is
      the sender's own port and @PROXY_PORT@ is PORT.
  sipraw.py blast SRC_IP HOST PORT FILE...
      sends every file once, byte for byte (torture corpus), prints count.
  sipraw.py tcpcaps HOST PORT MAXCONN PARTIAL_MS
      checks the TCP caps: MAXCONN connections are kept, one more is
      closed at once; a partial message is closed after PARTIAL_MS.
      Prints one "name ok|FAIL detail" line per check.
  sipraw.py invites SRC_IP HOST PORT N CALLING CALLED
      sends N valid INVITEs (distinct Call-IDs) over UDP from SRC_IP and
      does not wait for answers; prints N.
  sipraw.py tcpburst SRC_IP HOST PORT N PID
      over one TCP connection, sends N OPTIONS to the proxy itself in one
      write, then SIGTERM to PID at once, then reads until the proxy
      closes (<= 10 s); prints how many "200 OK" came back.
"""
import os
import signal
import socket
import sys
import time


def family(host):
    return socket.AF_INET6 if ':' in host else socket.AF_INET


def load(path, raw=False):
    data = open(path, 'rb').read()
    if not raw:
        data = data.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
    return data


def fill(data, me, port):
    """The message template's ports: @PORT@ ours, @PROXY_PORT@ the proxy's."""
    return data.replace(b'@PORT@', str(me).encode()).replace(
        b'@PROXY_PORT@', str(port).encode())


def cmd_send(src, host, port, path, timeout=1.0):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.bind((src, 0))
    data = fill(load(path), s.getsockname()[1], port)
    s.sendto(data, (host, int(port)))
    s.settimeout(float(timeout))
    try:
        resp, _ = s.recvfrom(65535)
        print(resp.split(b'\r\n', 1)[0].decode('latin-1'))
        sys.stdout.flush()
        return resp
    except socket.timeout:
        print('none')
        return None


def cmd_blast(src, host, port, files):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.bind((src, 0))
    n = 0
    for f in files:
        try:
            data = open(f, 'rb').read()
        except OSError:
            continue
        if not data or len(data) > 65000:
            continue
        s.sendto(data, (host, int(port)))
        n += 1
    print(n)


def closed_within(sock, seconds):
    """True if the peer closes sock within seconds."""
    sock.settimeout(0.05)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if sock.recv(4096) == b'':
                return True
        except socket.timeout:
            continue
        except ConnectionResetError:
            return True
    return False


def cmd_tcpcaps(host, port, maxconn, partial_ms):
    maxconn, partial_ms = int(maxconn), int(partial_ms)
    addr = (host, int(port))
    conns = [socket.create_connection(addr) for _ in range(maxconn)]
    extra = socket.create_connection(addr)
    print('tcp-over-limit-closed', 'ok' if closed_within(extra, 2) else 'FAIL')
    kept = not closed_within(conns[0], 0.3)
    print('tcp-under-limit-kept', 'ok' if kept else 'FAIL')
    for c in conns:
        c.close()
    time.sleep(0.3)  # let the proxy notice the closes (bounded)
    p = socket.create_connection(addr)
    p.sendall(b'INVITE sip:1@x SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1')
    t0 = time.monotonic()
    closed = closed_within(p, partial_ms / 1000.0 + 2.0)
    dt = time.monotonic() - t0
    print('tcp-partial-timeout', 'ok' if closed and dt >= partial_ms / 1000.0 * 0.8
          else 'FAIL closed=%s after %.2fs' % (closed, dt))
    big = socket.create_connection(addr)
    try:
        big.sendall(b'OPTIONS sip:x SIP/2.0\r\nX-Pad: ' + b'a' * 70000)
    except OSError:
        pass
    print('tcp-oversize-closed', 'ok' if closed_within(big, 2) else 'FAIL')


def invite(src, port, n, calling, called, proxy_port, tp='UDP'):
    return ('INVITE sip:%s@127.0.0.1:%s SIP/2.0\r\n'
            'Via: SIP/2.0/%s %s:%d;branch=z9hG4bK-raw-%d;rport\r\n'
            'From: <sip:%s@%s>;tag=raw%d\r\n'
            'To: <sip:%s@127.0.0.1>\r\n'
            'Call-ID: raw-%d-%d@%s\r\n'
            'CSeq: 1 INVITE\r\n'
            'Max-Forwards: 70\r\n'
            'Content-Length: 0\r\n\r\n' % (
                called, proxy_port, tp, src, port, n, calling, src, n, called,
                os.getpid(), n, src)).encode()


def cmd_invites(src, host, port, n, calling, called):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.bind((src, 0))
    me = s.getsockname()[1]
    for i in range(int(n)):
        s.sendto(invite(src, me, i, calling, called, port), (host, int(port)))
    print(int(n))


def cmd_tcpburst(src, host, port, n, pid):
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.bind((src, 0))
    s.connect((host, int(port)))
    me = s.getsockname()[1]
    msgs = []
    for i in range(int(n)):
        msgs.append(('OPTIONS sip:%s:%s SIP/2.0\r\n'
                     'Via: SIP/2.0/TCP %s:%d;branch=z9hG4bK-burst-%d\r\n'
                     'From: <sip:probe@%s>;tag=b%d\r\n'
                     'To: <sip:%s:%s>\r\n'
                     'Call-ID: burst-%d@%s\r\n'
                     'CSeq: 1 OPTIONS\r\n'
                     'Max-Forwards: 70\r\n'
                     'Content-Length: 0\r\n\r\n' % (
                         host, port, src, me, i, src, i, host, port, i,
                         src)).encode())
    s.sendall(b''.join(msgs))
    os.kill(int(pid), signal.SIGTERM)
    s.settimeout(0.5)
    data = b''
    end = time.monotonic() + 10
    while time.monotonic() < end:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    print(data.count(b'SIP/2.0 200 OK\r\n'))


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    if argv[1] == 'send':
        cmd_send(*argv[2:7])
    elif argv[1] == 'blast':
        cmd_blast(argv[2], argv[3], argv[4], argv[5:])
    elif argv[1] == 'tcpcaps':
        cmd_tcpcaps(*argv[2:6])
    elif argv[1] == 'invites':
        cmd_invites(*argv[2:8])
    elif argv[1] == 'tcpburst':
        cmd_tcpburst(*argv[2:7])
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
