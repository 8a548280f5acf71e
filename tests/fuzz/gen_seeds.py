#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gen_seeds.py - structure-aware seeds for the SIP and capture targets.

Byte mutation rarely turns one valid SIP message into another valid one
with a different, adversarial header combination, and never builds a
capture whose link, IP and tunnel layers are all consistent.  This script
does both, deterministically (fixed random seed), and writes the results
into the committed corpora as gen-*.  Run it again after changing it:

    python3 tests/fuzz/gen_seeds.py          # rewrites tests/fuzz/corpus/*/gen-*

SIP (admit, proxy, identity, sip): valid requests from the edge fixture's
trunks with To-tag forms (none, ;tag=x, ;tag=, ;tag, ;TAG=, a tag inside
the URI, a tag in a display name), Route sets (ours with the @TOKEN@
placeholder fuzz_admit fills in, two of ours, foreign before or after ours,
one line or several, without ;lr), duplicate and conflicting identities
(PAI twice, PAI with sip and tel values, PPI, Remote-Party-ID, two From
lines, anonymous), header names in lower/upper/compact form, method case
variants, folded (continuation) lines, Max-Forwards 0/1/70/missing.

Captures (pcap): the same messages inside generated link layers (Ethernet,
802.1Q, QinQ, Linux SLL and SLL2, raw IP, BSD null/loop), IPv4 and IPv6,
IPv4 and IPv6 fragments, TCP streams cut across segments (some out of
order or retransmitted), SCTP DATA chunks, HEPv3, and tunnels (IP-in-IP,
6in4, GRE, ERSPAN II, VXLAN); classic pcap in both byte orders and pcapng.
Each capture stays under 4 KiB (fuzz_pcap.options).
"""
import os
import random
import struct
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
R = random.Random(15)

# --- SIP -------------------------------------------------------------------

TRUNKS = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.1"]
OURS = "<sip:127.0.0.1:5060;lr;sfk=@TOKEN@>"
OURS_TCP = "<sip:127.0.0.1:5060;transport=tcp;lr;sfk=@TOKEN@>"
FOREIGN = "<sip:192.0.2.66:5060;lr>"
NUMS = ["77015550000", "+77015550000", "87015550000", "112", "0102",
        "79991234567", "+441632960000", "anonymous", "7701", ""]
CALLED = ["77012220001", "+77012220001", "112", "102", "810441632960000"]


def name(h, style):
    compact = {"From": "f", "To": "t", "Call-ID": "i", "Via": "v",
               "Contact": "m", "Content-Length": "l", "Content-Type": "c"}
    if style == "lower":
        return h.lower()
    if style == "upper":
        return h.upper()
    if style == "compact" and h in compact:
        return compact[h]
    return h


def uri(num, host="127.0.0.2"):
    if num.startswith("+") and R.random() < 0.3:
        return "<tel:%s>" % num
    return "<sip:%s@%s>" % (num, host)


def to_value(called):
    base = "<sip:%s@127.0.0.1>" % called
    form = R.choice(["none", "tag", "empty", "bare", "upper", "inuri",
                     "display", "noangle", "two"])
    return {
        "none": base,
        "tag": base + ";tag=tt1",
        "empty": base + ";tag=",
        "bare": base + ";tag",
        "upper": base + ";TAG=Tt1",
        "inuri": "<sip:%s@127.0.0.1;tag=inuri>" % called,
        "display": '"x;tag=abc" ' + base,
        "noangle": "sip:%s@127.0.0.1;tag=na1" % called,
        "two": base + ";tag=a;tag=b",
    }[form], form


def routes():
    form = R.choice(["none", "ours", "ours2", "foreign", "foreign_ours",
                     "ours_foreign", "nolr", "badtok", "lines", "tcp"])
    if form == "none":
        return []
    if form == "ours":
        return [OURS]
    if form == "ours2":
        return [OURS + ", " + OURS]
    if form == "foreign":
        return [FOREIGN]
    if form == "foreign_ours":
        return [FOREIGN + "," + OURS]
    if form == "ours_foreign":
        return [OURS, FOREIGN]
    if form == "nolr":
        return ["<sip:127.0.0.1:5060;sfk=@TOKEN@>"]
    if form == "badtok":
        return ["<sip:127.0.0.1:5060;lr;sfk=AAAAAAAAAAAAAAAAAAAAAA>"]
    if form == "lines":
        return [OURS, OURS, FOREIGN]
    return [OURS_TCP]


def identities(num):
    form = R.choice(["from", "pai", "pai2", "pai_sip_tel", "ppi", "rpid",
                     "from2", "anon", "display", "all"])
    other = R.choice(NUMS)
    h = []
    if form in ("pai", "all"):
        h.append(("P-Asserted-Identity", uri(num)))
    if form == "pai2":
        h += [("P-Asserted-Identity", uri(num)),
              ("P-Asserted-Identity", uri(other))]
    if form == "pai_sip_tel":
        h.append(("P-Asserted-Identity",
                  "<sip:%s@127.0.0.2>, <tel:+%s>" % (num, other.lstrip("+"))))
    if form in ("ppi", "all"):
        h.append(("P-Preferred-Identity", uri(other)))
    if form in ("rpid", "all"):
        h.append(("Remote-Party-ID",
                  '"%s" %s;party=calling;privacy=off;screen=yes'
                  % (other, uri(num))))
    if form == "anon":
        h.append(("Privacy", "id"))
        h.append(("P-Asserted-Identity", uri(num)))
    return h, form


def fold(v):
    """RFC 3261 §7.3.1 continuation: break a value at a space or comma."""
    for sep in (", ", " "):
        i = v.find(sep)
        if i > 0:
            return v[:i + len(sep)].rstrip() + "\r\n\t " + v[i + len(sep):]
    return v


def sip_message(src):
    method = R.choice(["INVITE"] * 6 + ["invite", "Invite", "ACK", "BYE",
                                        "CANCEL", "OPTIONS", "MESSAGE",
                                        "REFER", "UPDATE"])
    called = R.choice(CALLED)
    num = R.choice(NUMS[:-2])
    style = R.choice(["normal"] * 3 + ["lower", "upper", "compact"])
    folded = R.random() < 0.3
    to, to_form = to_value(called)
    ids, id_form = identities(num)
    from_v = '"%s" <sip:%s@%s>;tag=ft1' % (
        R.choice([num, "Bank", "+77012345678", ""]), num, src)
    hdrs = [("Via", "SIP/2.0/UDP %s:5061;branch=z9hG4bK-%d;rport"
             % (src, R.randrange(1 << 20)))]
    if R.random() < 0.2:
        hdrs.append(("Via", "SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-x;"
                     "received=127.0.0.1;rport=5060"))
    mf = R.choice(["70", "70", "0", "1", None])
    if mf is not None:
        hdrs.append(("Max-Forwards", mf))
    hdrs.append(("From", from_v))
    if id_form == "from2":
        hdrs.append(("From", "<sip:%s@%s>;tag=ft2" % (R.choice(NUMS), src)))
    hdrs.append(("To", to))
    hdrs.append(("Call-ID", "gen%d@%s" % (R.randrange(1 << 24), src)))
    hdrs.append(("CSeq", "%d %s" % (R.randrange(1, 100), method.upper())))
    hdrs += [("Route", r) for r in routes()]
    hdrs += ids
    hdrs.append(("Contact", "<sip:%s@%s:5061>" % (num or "x", src)))
    body = ""
    if method.upper() == "INVITE" and R.random() < 0.5:
        body = ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\n"
                "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n" % (src, src))
        hdrs.append(("Content-Type", "application/sdp"))
    rest = hdrs[1:]  # the first Via stays on top; the rest in any order
    R.shuffle(rest)
    hdrs = hdrs[:1] + rest
    lines = ["%s sip:%s@127.0.0.1:5060 SIP/2.0" % (method, called)]
    for h, v in hdrs:
        if folded and h in ("From", "P-Asserted-Identity", "Route", "To") \
                and R.random() < 0.5:
            v = fold(v)
        lines.append("%s: %s" % (name(h, style), v))
    lines.append("%s: %d" % (name("Content-Length", style), len(body)))
    msg = "\r\n".join(lines) + "\r\n\r\n" + body
    tag = "%s-%s-%s-%s%s" % (method, to_form, id_form, style,
                             "-folded" if folded else "")
    return msg.encode(), tag


# --- captures --------------------------------------------------------------

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip4(src, dst, proto, payload, ident=1, off=0, mf=False):
    total = 20 + len(payload)
    fl = (0x2000 if mf else 0) | (off // 8)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident, fl, 64, proto,
                    0, bytes(src), bytes(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ip6(src, dst, nh, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 64,
                       bytes(src), bytes(dst)) + payload


def a4(s):
    return [int(x) for x in s.split(".")]


A6 = lambda n: bytes(15) + bytes([n])  # ::n


def udp(sp, dp, payload):
    return struct.pack("!HHHH", sp, dp, 8 + len(payload), 0) + payload


def tcp(sp, dp, seq, flags, payload):
    return struct.pack("!HHIIBBHHH", sp, dp, seq, 0, 0x50, flags, 65535, 0,
                       0) + payload


def sctp(sp, dp, payload, tsn=1, flags=3):
    n = 16 + len(payload)
    chunk = struct.pack("!BBHIHHI", 0, flags, n, tsn, 0, 0, 0) + payload
    chunk += bytes((4 - n % 4) % 4)
    return struct.pack("!HHII", sp, dp, 1, 0) + chunk


def hep3(src, dst, sp, dp, payload, proto=17):
    def ch(t, data):
        return struct.pack("!HHH", 0, t, 6 + len(data)) + data
    v6 = len(bytes(src)) == 16
    body = (ch(1, b"\x0a" if v6 else b"\x02") + ch(2, bytes([proto])) +
            ch(5 if v6 else 3, bytes(src)) +
            ch(6 if v6 else 4, bytes(dst)) + ch(7, struct.pack("!H", sp)) +
            ch(8, struct.pack("!H", dp)) + ch(9, struct.pack("!I", 1700000000))
            + ch(10, struct.pack("!I", 1)) + ch(11, b"\x01") +
            ch(12, struct.pack("!I", 7)) + ch(15, payload))
    return b"HEP3" + struct.pack("!H", 6 + len(body)) + body


def eth(payload, etype, vlans=0):
    h = b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02"
    for i in range(vlans):
        h += struct.pack("!HH", 0x88a8 if (vlans == 2 and i == 0) else 0x8100,
                         100 + i)
    return h + struct.pack("!H", etype) + payload


def link(lt, ip, v6):
    et = 0x86dd if v6 else 0x0800
    if lt == 1:
        shim = R.choice(["none"] * 6 + ["mpls", "pppoe"])
        if shim == "mpls":  # two labels, bottom of stack on the second
            return eth(struct.pack("!II", (16 << 12) | 64,
                                   (17 << 12) | 0x100 | 64) + ip, 0x8847)
        if shim == "pppoe":  # session stage, RFC 2516
            return eth(struct.pack("!BBHHH", 0x11, 0, 1, len(ip) + 2,
                                   0x0057 if v6 else 0x0021) + ip, 0x8864)
        return eth(ip, et, R.choice([0, 0, 1, 2]))
    if lt == 113:  # Linux SLL
        return struct.pack("!HHH8sH", 0, 1, 6, b"\2\0\0\0\0\1\0\0", et) + ip
    if lt == 276:  # SLL2
        return struct.pack("!HHIHBB8s", et, 0, 1, 1, 0, 6,
                           b"\2\0\0\0\0\1\0\0") + ip
    if lt == 0:  # BSD null: AF in host (little) order
        return struct.pack("<I", 30 if v6 else 2) + ip
    if lt == 108:  # OpenBSD loop: network order
        return struct.pack("!I", 24 if v6 else 2) + ip
    return ip  # 101 / 228 / 229: raw IP


def tunnel(inner, v6_inner, kind):
    """Wraps an IP packet in an outer IPv4 layer; returns (ip, v6, kind)."""
    o1, o2 = a4("10.0.0.1"), a4("10.0.0.2")
    if kind == "none":
        return inner, v6_inner, kind
    if kind == "ipip":
        return ip4(o1, o2, 41 if v6_inner else 4, inner), False, kind
    if kind == "gre":
        g = struct.pack("!HH", 0, 0x86dd if v6_inner else 0x0800)
        return ip4(o1, o2, 47, g + inner), False, kind
    if kind == "erspan":  # GRE with sequence, ERSPAN type II, Ethernet
        g = struct.pack("!HHI", 0x1000, 0x88be, 1)
        e = struct.pack("!HHI", 0x1000 | 100, 1, 0)
        frame = eth(inner, 0x86dd if v6_inner else 0x0800)
        return ip4(o1, o2, 47, g + e + frame), False, kind
    vx = struct.pack("!II", 0x08000000, 42 << 8)
    frame = eth(inner, 0x86dd if v6_inner else 0x0800)
    return ip4(o1, o2, 17, udp(33333, 4789, vx + frame)), False, kind


def packets_for(msgs, v6, transport):
    """IP packets carrying the SIP messages."""
    s4, d4 = a4(R.choice(TRUNKS)), a4("127.0.0.1")
    s6, d6 = A6(2), A6(1)

    def ipl(proto, payload, **kw):
        return ip6(s6, d6, proto, payload) if v6 else ip4(s4, d4, proto,
                                                          payload, **kw)
    out = []
    if transport == "udp":
        for m in msgs:
            out.append(ipl(17, udp(5061, 5060, m)))
    elif transport == "hep":
        for m in msgs:
            inner = hep3(s6 if v6 else s4, d6 if v6 else d4, 5061, 5060, m)
            out.append(ipl(17, udp(9061, 9060, inner)))
    elif transport == "sctp":
        for i, m in enumerate(msgs):
            if len(m) > 200 and R.random() < 0.5:  # B, middle, E fragments
                a, b = len(m) // 3, 2 * len(m) // 3
                out += [ipl(132, sctp(5061, 5060, m[:a], 10 * i + 1, 2)),
                        ipl(132, sctp(5061, 5060, m[a:b], 10 * i + 2, 0)),
                        ipl(132, sctp(5061, 5060, m[b:], 10 * i + 3, 1))]
            else:
                out.append(ipl(132, sctp(5061, 5060, m, 10 * i + 1)))
    elif transport == "frag" and not v6:
        for i, m in enumerate(msgs):
            seg = udp(5061, 5060, m)
            cut = max(8, (len(seg) // 2) // 8 * 8)
            parts = [ip4(s4, d4, 17, seg[:cut], ident=i + 7, mf=True),
                     ip4(s4, d4, 17, seg[cut:], ident=i + 7, off=cut)]
            if R.random() < 0.5:
                parts.reverse()
            out += parts
    elif transport == "frag":  # IPv6 fragment header
        for i, m in enumerate(msgs):
            seg = udp(5061, 5060, m)
            cut = max(8, (len(seg) // 2) // 8 * 8)
            f1 = struct.pack("!BBHI", 17, 0, 1, i + 7) + seg[:cut]
            f2 = struct.pack("!BBHI", 17, 0, cut, i + 7) + seg[cut:]
            out += [ip6(s6, d6, 44, f1), ip6(s6, d6, 44, f2)]
    else:  # tcp: one stream, cut at random points
        stream = b"".join(msgs)
        seq = 1000
        out.append(ipl(6, tcp(40000, 5060, seq - 1, 0x02, b"")))
        cuts = sorted(R.sample(range(1, len(stream)), min(3, len(stream) - 1)))
        segs, prev = [], 0
        for c in cuts + [len(stream)]:
            segs.append((seq + prev, stream[prev:c]))
            prev = c
        if R.random() < 0.3 and len(segs) > 1:
            segs[0], segs[1] = segs[1], segs[0]  # out of order
        if R.random() < 0.3:
            segs.append(segs[0])                 # retransmission
        for sq, data in segs:
            out.append(ipl(6, tcp(40000, 5060, sq, 0x18, data)))
    return out


def pcap_file(frames, lt, big_endian, nsec):
    e = ">" if big_endian else "<"
    magic = 0xa1b23c4d if nsec else 0xa1b2c3d4
    b = struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, 65535, lt)
    for i, f in enumerate(frames):
        b += struct.pack(e + "IIII", 1700000000 + i, 1000 * i, len(f),
                         len(f)) + f
    return b


def pcapng_file(frames, lt):
    def blk(t, body):
        body += bytes((4 - len(body) % 4) % 4)
        n = 12 + len(body)
        return struct.pack("<II", t, n) + body + struct.pack("<I", n)
    b = blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    b += blk(1, struct.pack("<HHI", lt, 0, 65535))
    for i, f in enumerate(frames):
        b += blk(6, struct.pack("<IIIII", 0, 0, i, len(f), len(f)) + f)
    return b


def capture(i):
    msgs, tags = [], []
    for _ in range(R.choice([1, 1, 2, 3])):
        m, t = sip_message(R.choice(TRUNKS))
        m = m.replace(b"@TOKEN@", b"AAAAAAAAAAAAAAAAAAAAAA")
        msgs.append(m)
        tags.append(t)
    v6 = R.random() < 0.3
    transport = R.choice(["udp", "udp", "tcp", "tcp", "frag", "sctp", "hep"])
    ips = packets_for(msgs, v6, transport)
    lt = R.choice([1, 1, 1, 113, 276, 101, 0, 108])
    frames = []
    # one tunnel for the whole capture (a TCP stream half in GRE is a gap)
    kind = R.choice(["none"] * 5 + ["ipip"] * 2 + ["gre", "erspan", "vxlan"])
    for ip in ips:
        wrapped, wv6, _ = tunnel(ip, v6, kind)
        frames.append(link(lt, wrapped, wv6))
    if R.random() < 0.25:
        data = pcapng_file(frames, lt)
        fmt = "ng"
    else:
        data = pcap_file(frames, lt, R.random() < 0.3, R.random() < 0.3)
        fmt = "pcap"
    name = "gen-%03d-%s-lt%d-%s%s-%s" % (i, fmt, lt, transport,
                                        "6" if v6 else "4", kind)
    return name, data


def write(sub, name, data):
    d = os.path.join(ROOT, sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    for sub in ("admit", "proxy", "identity", "sip", "pcap"):
        d = os.path.join(ROOT, sub)
        for f in os.listdir(d) if os.path.isdir(d) else []:
            if f.startswith("gen-"):
                os.remove(os.path.join(d, f))
    n = 0
    for i in range(120):  # admit: selector byte + message
        src = R.randrange(8)
        m, tag = sip_message(["127.0.0.2", "127.0.0.3", "127.0.0.4",
                              "127.0.0.5", "127.0.0.1", "127.0.0.9", "::1",
                              "192.0.2.66"][src].strip("[]"))
        sel = src | (R.choice([0, 0x08]) | R.choice([0, 0x10, 0x40]))
        write("admit", "gen-%03d-%s" % (i, tag), bytes([sel]) + m)
        n += 1
    for i in range(80):
        m, tag = sip_message(R.choice(TRUNKS))
        m = m.replace(b"@TOKEN@", b"AAAAAAAAAAAAAAAAAAAAAA")
        write("proxy", "gen-%03d-%s" % (i, tag), m)
        n += 1
    for i in range(40):
        m, tag = sip_message(R.choice(TRUNKS))
        write("identity", "gen-%03d-%s" % (i, tag), m)
        write("sip", "gen-%03d-%s" % (i, tag), m)
        n += 2
    for i in range(80):
        name, data = capture(i)
        if len(data) > 4096:
            continue
        write("pcap", name, data)
        n += 1
    print("wrote %d seeds" % n, file=sys.stderr)


if __name__ == "__main__":
    main()
