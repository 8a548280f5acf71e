#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""edge_probe.py - the attacker's probes of tests/integration/edge.sh.

Runs against a `sipfilter serve` on the serve fixture (proxy
127.0.0.1:PROXY_PORT, trunks' next hop 127.0.0.1:CORE_PORT).  It stands in
for the core (a UDP listener on 127.0.0.1:CORE_PORT) and for a victim the
attacker wants to reach (127.0.0.66:VICTIM_PORT), sends crafted but well-formed SIP from trunk and
unknown source addresses, and asserts where it matters: what the sender
gets back, what reaches the core, and that nothing reaches the victim.
Prints one line per check, "NAME ok" or "NAME FAIL detail", and exits 0.
Everything is bounded: each wait is at most a second or two.

usage: edge_probe.py PROXY_PORT CORE_PORT VICTIM_PORT
(edge.sh passes SF_PORT_PROXY, SF_PORT_CORE, SF_PORT_VICTIM:
tests/integration/lib.sh)
"""
import re
import socket
import sys
import time
import uuid

if len(sys.argv) != 4:
    sys.exit(__doc__)
PROXY_PORT, CORE_PORT, VICTIM_PORT = (int(a) for a in sys.argv[1:4])
PROXY = ('127.0.0.1', PROXY_PORT)
CORE = ('127.0.0.1', CORE_PORT)
VICTIM = ('127.0.0.66', VICTIM_PORT)
VICTIM_HP = '127.0.0.66:%d' % VICTIM_PORT
TRUNK_A = '127.0.0.2'      # ipx-carrier-a, international
UNKNOWN = '127.0.0.9'      # no trunk
HOME = '77015550000'       # home mobile, not roaming: 603 from abroad
FOREIGN = '44207946000'    # a UK number: allowed

results = []


def check(name, cond, detail=''):
    results.append('%s %s' % (name, 'ok' if cond else 'FAIL ' + detail))


class Udp:
    """A UDP socket on ip:port that collects what it receives."""

    def __init__(self, ip, port=0):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.s.bind((ip, port))
        self.ip, self.port = self.s.getsockname()

    def send(self, msg, to=PROXY):
        self.s.sendto(msg.encode(), to)

    def recv(self, wait=1.0, until=None):
        """Messages received within wait seconds (stops early once until
        matches one of them)."""
        out = []
        end = time.monotonic() + wait
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return out
            self.s.settimeout(left)
            try:
                data, _ = self.s.recvfrom(65535)
            except socket.timeout:
                return out
            out.append(data.decode(errors='replace'))
            if until and until(out[-1]):
                return out


def request(method, cid, src, port, frm=HOME, to_params='', extra='',
            ruri=None, via_params=';rport', cseq=None):
    """A well-formed request with an SDP body (to the proxy by default)."""
    if ruri is None:
        ruri = 'sip:77012220001@127.0.0.1:%d' % PROXY_PORT
    tok = cid.split('@')[0]  # branch and tag are tokens: no '@'
    body = ('v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n'
            'm=audio 40000 RTP/AVP 0\r\n' % (src, src))
    return ('%s %s SIP/2.0\r\n'
            'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-%s%s\r\n'
            'Max-Forwards: 70\r\n'
            'From: <sip:%s@%s>;tag=f-%s\r\n'
            'To: <sip:77012220001@127.0.0.1>%s\r\n'
            'Call-ID: %s\r\n'
            'CSeq: 1 %s\r\n'
            'Contact: <sip:%s@%s:%d>\r\n'
            'P-Asserted-Identity: <sip:%s@%s;user=phone>\r\n'
            '%s'
            'Content-Type: application/sdp\r\n'
            'Content-Length: %d\r\n\r\n%s'
            % (method, ruri, src, port, tok, via_params, frm, src, tok,
               to_params, cid, cseq or method, frm, src, port, frm, src,
               extra, len(body), body))


def status(msgs):
    codes = [m.split(' ', 2)[1] for m in msgs if m.startswith('SIP/2.0 ')]
    return codes[0] if codes else None


def has_cid(msgs, cid):
    return any(('\r\nCall-ID: %s\r\n' % cid) in m for m in msgs)


def new_cid(tag):
    return '%s-%s@edge' % (tag, uuid.uuid4().hex[:10])


core = Udp(*CORE)
victim = Udp(*VICTIM)
trunk = Udp(TRUNK_A)
stranger = Udp(UNKNOWN)


def drain():
    for s in (core, victim, trunk, stranger):
        s.recv(0.05)


# --- 1. INVITEs that look in-dialog are judged ------------------------------
for label, tp in (('tag=abc', ';tag=abc'), ('tag=', ';tag='),
                  ('bare tag', ';tag'), ('TAG=x', ';TAG=x')):
    cid = new_cid('lookalike')
    trunk.send(request('INVITE', cid, TRUNK_A, trunk.port, to_params=tp))
    got = trunk.recv(1.5, until=lambda m: m.startswith('SIP/2.0 6'))
    check('in-dialog look-alike (%s) from a trunk is judged: 603' % label,
          status([m for m in got if not m.startswith('SIP/2.0 100')]) == '603',
          repr(got[:1]))
    check('in-dialog look-alike (%s): nothing reaches the core' % label,
          not has_cid(core.recv(0.3), cid))
cid = new_cid('lookalike-unknown')
stranger.send(request('INVITE', cid, UNKNOWN, stranger.port, to_params=';tag=x'))
check('in-dialog look-alike from an unknown source: 403',
      status(stranger.recv(1.5, until=lambda m: m.startswith('SIP/2.0 4'))) == '403')
check('in-dialog look-alike from an unknown source: nothing at the core',
      not has_cid(core.recv(0.3), cid))
# our Route with a token for another dialog
cid = new_cid('badtoken')
trunk.send(request('INVITE', cid, TRUNK_A, trunk.port, to_params=';tag=x',
                   extra='Route: <sip:127.0.0.1:%d;lr;sfk=0123456789abcdef>\r\n'
                         % PROXY_PORT))
check('INVITE with our Route but a forged token is judged: 603',
      status(trunk.recv(1.5, until=lambda m: m.startswith('SIP/2.0 6'))) == '603')
drain()

# --- 2. no relay through Route -----------------------------------------------
cid = new_cid('route-relay')
trunk.send(request('INVITE', cid, TRUNK_A, trunk.port, frm=FOREIGN,
                   extra='Route: <sip:%s;lr>\r\n' % VICTIM_HP))
at_core = core.recv(1.5, until=lambda m: ('Call-ID: %s' % cid) in m)
check('trunk INVITE with a foreign Route goes to the next hop',
      has_cid(at_core, cid))
check('... with the foreign Route removed',
      has_cid(at_core, cid) and '127.0.0.66' not in at_core[-1])
check('... and nothing reaches the victim', not victim.recv(0.5))
cid = new_cid('message-relay')
stranger.send(request('MESSAGE', cid, UNKNOWN, stranger.port,
                      ruri='sip:x@' + VICTIM_HP,
                      extra='Route: <sip:%s;lr>\r\n' % VICTIM_HP))
check('unknown source MESSAGE with a Route to the victim: nothing at the victim',
      not victim.recv(0.8))
check('... nothing at the core', not has_cid(core.recv(0.2), cid))
cid = new_cid('bye-relay')
trunk.send(request('BYE', cid, TRUNK_A, trunk.port, to_params=';tag=t',
                   ruri='sip:x@' + VICTIM_HP,
                   extra='Route: <sip:%s;lr>\r\n' % VICTIM_HP))
check('trunk BYE with a To-tag and a foreign Route: 404',
      status(trunk.recv(1.5, until=lambda m: m.startswith('SIP/2.0'))) == '404')
check('... nothing at the victim', not victim.recv(0.3))
drain()

# --- 3. methods ------------------------------------------------------------------
for m in ('invite', 'Invite'):
    cid = new_cid('case')
    trunk.send(request(m, cid, TRUNK_A, trunk.port))
    check('"%s" with a home number from a trunk: 400' % m,
          status(trunk.recv(1.5, until=lambda x: x.startswith('SIP/2.0'))) == '400')
    check('"%s": nothing reaches the core' % m, not has_cid(core.recv(0.3), cid))
for m in ('MESSAGE', 'SUBSCRIBE', 'REGISTER', 'OPTIONS', 'BYE', 'NOTIFY'):
    cid = new_cid('method')
    trunk.send(request(m, cid, TRUNK_A, trunk.port))
    got = trunk.recv(1.5, until=lambda x: x.startswith('SIP/2.0'))
    check('out-of-dialog %s from a trunk: 405 with Allow' % m,
          status(got) == '405' and bool(got) and
          re.search(r'\r\nAllow: INVITE, ACK, CANCEL, OPTIONS\r\n', got[0])
          is not None, repr(got[:1]))
    check('out-of-dialog %s: nothing at the core' % m,
          not has_cid(core.recv(0.2), cid))
drain()

# --- 4. received/rport come from the real source ----------------------------------
cid = new_cid('rport')
trunk.send(request('INVITE', cid, TRUNK_A, trunk.port, frm=FOREIGN,
                   via_params=';received=127.0.0.66;rport=%d' % VICTIM_PORT))
at_core = core.recv(1.5, until=lambda m: ('Call-ID: %s' % cid) in m)
fwd = [m for m in at_core if ('Call-ID: %s' % cid) in m]
check('forwarded Via carries the real source, not the sender\'s claim',
      bool(fwd) and (';received=%s;rport=%d' % (TRUNK_A, trunk.port)) in fwd[0]
      and '127.0.0.66' not in fwd[0], repr(fwd[:1])[:300])
if fwd:
    hdrs = fwd[0].split('\r\n\r\n')[0].split('\r\n')[1:]
    keep = [h for h in hdrs if h.split(':')[0] in
            ('Via', 'From', 'Call-ID', 'CSeq')]
    to = [h for h in hdrs if h.startswith('To:')][0] + ';tag=core1'
    ringing = 'SIP/2.0 180 Ringing\r\n%s\r\n%s\r\nContent-Length: 0\r\n\r\n' % (
        '\r\n'.join(keep), to)
    core.send(ringing)
    back = trunk.recv(1.5, until=lambda m: m.startswith('SIP/2.0 180'))
    check('the core\'s response goes to the real source', status(back) == '180')
    check('... and never to the address the sender wrote', not victim.recv(0.3))
    # --- 5. forged responses ---
    forged = ringing.replace('127.0.0.2:%d' % trunk.port, VICTIM_HP, 1)
    forged = re.sub(r'rport=\d+;received=[0-9.]+',
                    'rport=%d;received=127.0.0.66' % VICTIM_PORT,
                    forged)
    core.send(forged)
    check('a response whose next Via was rewritten is not relayed (branch '
          'does not verify)', not victim.recv(0.5))
    stranger.send(ringing.replace('127.0.0.2', '127.0.0.66'))
    check('a response from an unknown source is not relayed',
          not victim.recv(0.5) and not trunk.recv(0.3))
    # --- 6. loops and spirals: the element that sends it back adds its
    # own Via on top (with rport, so the 482 comes back to it) ---
    def hop(msg, via):
        first, rest = msg.split('\r\n', 1)
        return '%s\r\nVia: SIP/2.0/UDP %s;rport\r\n%s' % (first, via, rest)
    loop = hop(fwd[0], '%s:%d;branch=z9hG4bK-loop1' % (TRUNK_A, trunk.port))
    trunk.send(loop)
    check('our own request coming back on the same trunk: 482',
          status(trunk.recv(1.5, until=lambda m: m.startswith('SIP/2.0 4'))) == '482')
    spiral = hop(fwd[0], '127.0.0.1:%d;branch=z9hG4bK-spiral1' % CORE_PORT).replace(
        'INVITE sip:77012220001@127.0.0.1:%d' % PROXY_PORT,
        'INVITE sip:77012220009@127.0.0.1:%d' % PROXY_PORT, 1)
    core.send(spiral)
    again = [m for m in core.recv(1.5, until=lambda m: ('Call-ID: %s' % cid) in m)
             if ('Call-ID: %s' % cid) in m]
    check('a spiral through the core with a new Request-URI is forwarded',
          bool(again) and again[0].count('branch=z9hG4bKsf') == 2, repr(again[:1])[:200])
    if again:
        core.send(hop(again[0], '127.0.0.1:%d;branch=z9hG4bK-spiral2' % CORE_PORT))
        got = core.recv(1.5, until=lambda m: m.startswith('SIP/2.0 482'))
        check('... and the same request once more through the core: 482',
              status(got) == '482', repr(got[:1])[:200])
drain()

# --- 7. the same answer to a retransmission; the ACK of a rejection absorbed -------
cid = new_cid('retrans')
inv = request('INVITE', cid, TRUNK_A, trunk.port)
trunk.send(inv)
a1 = [m for m in trunk.recv(1.5, until=lambda m: m.startswith('SIP/2.0 603'))
      if m.startswith('SIP/2.0 603')]
trunk.send(inv)
a2 = [m for m in trunk.recv(1.5, until=lambda m: m.startswith('SIP/2.0 603'))
      if m.startswith('SIP/2.0 603')]
check('a retransmitted INVITE gets the same 603, byte for byte',
      bool(a1) and a1 == a2)
if a1:
    totag = re.search(r'\r\nTo: [^\r]*;tag=(sf[0-9a-f]{16})', a1[0])
    ack = inv.replace('INVITE sip:', 'ACK sip:', 1).replace(
        'CSeq: 1 INVITE', 'CSeq: 1 ACK').replace(
        'To: <sip:77012220001@127.0.0.1>',
        'To: <sip:77012220001@127.0.0.1>;tag=' + (totag.group(1) if totag else 'x'))
    trunk.send(ack)
    check('the ACK of our rejection is absorbed', bool(totag) and
          not has_cid(core.recv(0.5), cid))

# --- 8. the same over TCP --------------------------------------------------
def tcp_exchange(msg, wait=1.5):
    """Sends msg from the trunk's address over TCP; returns what comes
    back on the connection within wait seconds."""
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.bind((TRUNK_A, 0))
    c.settimeout(wait)
    got = b''
    try:
        c.connect(PROXY)
        c.sendall(msg.encode())
        end = time.monotonic() + wait
        while time.monotonic() < end and b'\r\n\r\n' not in got:
            try:
                d = c.recv(65535)
            except socket.timeout:
                break
            if not d:
                break
            got += d
    finally:
        c.close()
    return got.decode(errors='replace')


cid = new_cid('tcp-lookalike')
r = tcp_exchange(request('INVITE', cid, TRUNK_A, 5061, to_params=';tag=abc'))
check('over TCP: in-dialog look-alike is judged: 603', r.startswith('SIP/2.0 603'),
      repr(r[:60]))
check('over TCP: nothing reaches the core', not has_cid(core.recv(0.3), cid))
cid = new_cid('tcp-case')
r = tcp_exchange(request('invite', cid, TRUNK_A, 5061))
check('over TCP: "invite" gets 400', r.startswith('SIP/2.0 400'), repr(r[:60]))
cid = new_cid('tcp-route')
tcp_exchange(request('INVITE', cid, TRUNK_A, 5061, frm=FOREIGN,
                     extra='Route: <sip:%s;lr>\r\n' % VICTIM_HP), wait=0.5)
at_core = core.recv(1.5, until=lambda m: ('Call-ID: %s' % cid) in m)
check('over TCP: a foreign Route reaches only the next hop',
      has_cid(at_core, cid) and not victim.recv(0.3))

for line in results:
    print(line)
