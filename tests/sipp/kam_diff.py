#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""kam_diff.py - the two ends of tests/integration/kamailio.sh's
differential test (Kamailio + sipfilter module against `sipfilter serve`).

  kam_diff.py uas HOST PORT OUTFILE SECONDS
      a UDP UAS: answers every INVITE 200 (and BYE 200), and writes one
      JSON line per INVITE to OUTFILE: its Call-ID and the headers a
      verdict edits (From, P-Asserted-Identity, P-Preferred-Identity,
      Remote-Party-ID, Privacy, X-Sipfilter), in order.  Stops after
      SECONDS or when OUTFILE.stop exists.
  kam_diff.py calls HOST PORT CASES PREFIX [REPEAT [udp|tcp]]
      for each case line "label;src_ip;from;pai;called;extra-header"
      ("-" = none), sends an INVITE from src_ip (Call-ID PREFIX-label-i),
      waits <= 3 s for the final response, ACKs it, and prints
      "label i code phrase" (code "none" when nothing came back).  Over
      tcp each call has its own connection from src_ip (Via .../TCP),
      responses are read by Content-Length.
"""
import json
import os
import socket
import sys
import time

EDITED = ('from', 'p-asserted-identity', 'p-preferred-identity',
          'remote-party-id', 'privacy', 'x-sipfilter')


def headers(msg):
    head = msg.split(b'\r\n\r\n', 1)[0].decode('latin-1').split('\r\n')
    out = []
    for line in head[1:]:
        if ':' in line:
            k, v = line.split(':', 1)
            out.append((k.strip(), v.strip()))
    return head[0], out


def hval(hs, name):
    for k, v in hs:
        if k.lower() == name:
            return v
    return ''


def reply(msg, code, phrase, tag='kamdiff'):
    _, hs = headers(msg)
    lines = ['SIP/2.0 %d %s' % (code, phrase)]
    for k, v in hs:
        kl = k.lower()
        if kl in ('via', 'from', 'call-id', 'cseq'):
            lines.append('%s: %s' % (k, v))
        elif kl == 'to':
            lines.append('%s: %s%s' % (k, v, '' if ';tag=' in v else
                                        ';tag=' + tag))
    lines += ['Content-Length: 0', '', '']
    return '\r\n'.join(lines).encode()


def cmd_uas(host, port, out, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, int(port)))
    s.settimeout(0.2)
    end = time.monotonic() + float(seconds)
    with open(out, 'w') as fp:
        while time.monotonic() < end and not os.path.exists(out + '.stop'):
            try:
                m, peer = s.recvfrom(65535)
            except socket.timeout:
                continue
            first, hs = headers(m)
            if first.startswith('INVITE '):
                rec = {'call_id': hval(hs, 'call-id'),
                       'edited': [[k.lower(), v] for k, v in hs
                                  if k.lower() in EDITED]}
                fp.write(json.dumps(rec) + '\n')
                fp.flush()
                s.sendto(reply(m, 200, 'OK'), peer)
            elif first.startswith('BYE ') or first.startswith('OPTIONS '):
                s.sendto(reply(m, 200, 'OK'), peer)


def invite(case, src, lport, host, port, cid, branch, tag, tp='UDP'):
    label, _, frm, pai, called, extra = case
    lines = ['INVITE sip:%s@%s:%s SIP/2.0' % (called, host, port),
             'Via: SIP/2.0/%s %s:%d;branch=z9hG4bK%s;rport' % (tp, src, lport, branch),
             'Max-Forwards: 70',
             'From: <sip:%s@carrier.example>;tag=f%s' % (frm, tag),
             'To: <sip:%s@%s>' % (called, host),
             'Call-ID: %s' % cid,
             'CSeq: 1 INVITE',
             'Contact: <sip:%s:%d>' % (src, lport)]
    if pai != '-':
        lines.append('P-Asserted-Identity: <sip:%s@carrier.example>' % pai)
    if extra != '-':
        lines.append(extra)
    lines += ['Content-Length: 0', '', '']
    return '\r\n'.join(lines).encode()


def ack(inv, resp):
    _, rh = headers(resp)
    first, hs = headers(inv)
    uri = first.split(' ')[1]
    lines = ['ACK %s SIP/2.0' % uri]
    for k, v in hs:
        kl = k.lower()
        if kl in ('via', 'from', 'call-id', 'max-forwards'):
            lines.append('%s: %s' % (k, v))
    lines.append('To: %s' % hval(rh, 'to'))
    lines += ['CSeq: 1 ACK', 'Content-Length: 0', '', '']
    return '\r\n'.join(lines).encode()


def final_status(r):
    """(code, phrase) of a final response, else None."""
    st = r.split(b'\r\n', 1)[0].decode('latin-1').split(' ', 2)
    if len(st) >= 2 and st[1].isdigit() and int(st[1]) >= 200:
        return (st[1], st[2] if len(st) > 2 else '')
    return None


def call_udp(case, host, port, prefix, i):
    src = case[1]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    lport = s.getsockname()[1]
    m = invite(case, src, lport, host, port, *ids(case, prefix, i))
    s.sendto(m, (host, int(port)))
    s.settimeout(0.5)
    end = time.monotonic() + 3
    got = None
    while time.monotonic() < end:
        try:
            r, _ = s.recvfrom(65535)
        except socket.timeout:
            s.sendto(m, (host, int(port)))  # UDP retransmission
            continue
        got = final_status(r)
        if got:
            s.sendto(ack(m, r), (host, int(port)))
            break
    s.close()
    return got


def stream_messages(buf):
    """Splits complete messages off buf (by Content-Length): (msgs, rest)."""
    out = []
    while b'\r\n\r\n' in buf:
        head, rest = buf.split(b'\r\n\r\n', 1)
        _, hs = headers(head + b'\r\n\r\n')
        n = int(hval(hs, 'content-length') or hval(hs, 'l') or 0)
        if len(rest) < n:
            break
        out.append(head + b'\r\n\r\n' + rest[:n])
        buf = rest[n:]
    return out, buf


def call_tcp(case, host, port, prefix, i):
    src = case[1]
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(3)
    got, buf = None, b''
    try:
        s.connect((host, int(port)))
        lport = s.getsockname()[1]
        m = invite(case, src, lport, host, port, *ids(case, prefix, i),
                   tp='TCP')
        s.sendall(m)
        end = time.monotonic() + 3
        while not got and time.monotonic() < end:
            data = s.recv(65535)
            if not data:
                break
            msgs, buf = stream_messages(buf + data)
            for r in msgs:
                got = final_status(r)
                if got:
                    s.sendall(ack(m, r))
                    break
    except (socket.timeout, OSError):
        pass
    s.close()
    return got


def ids(case, prefix, i):
    """Call-ID, branch and From tag of call i of case."""
    return ('%s-%s-%d@kamdiff' % (prefix, case[0], i),
            '%s%s%d' % (prefix, case[0].replace('-', ''), i),
            '%s%d' % (case[0].replace('-', ''), i))


def cmd_calls(host, port, cases, prefix, repeat=1, transport='udp'):
    rows = []
    for line in open(cases):
        line = line.rstrip('\n')
        if line and not line.startswith('#'):
            rows.append(line.split(';', 5))
    call = call_tcp if transport == 'tcp' else call_udp
    for i in range(int(repeat)):
        for case in rows:
            got = call(case, host, port, prefix, i)
            print(case[0], i, *(got or ('none', '')))
            sys.stdout.flush()


if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    {'uas': cmd_uas, 'calls': cmd_calls}[cmd](*args)
