/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_capdec.c - link layer, IPv4/IPv6, UDP/TCP/SCTP, tunnels and HEPv3
 * (see sf_capdec.h).
 *
 * Every header is length-checked against the bytes captured before a
 * field is read.  When an IP header says the packet is longer than what
 * was captured, the packet was cut by the snaplen (counted "truncated")
 * or lies (counted as a bad header); either way nothing partial is
 * delivered.  Ethernet padding beyond the IP length is trimmed.
 */
#include <stdlib.h>
#include <string.h>

#include "sf_capdec.h"
#include "sf_encap.h"
#include "sf_hep.h"
#include "sf_ipfrag.h"
#include "sf_sctpreasm.h"
#include "sf_tcpreasm.h"
#include "sf_ws.h"

#define MAX_TUNNEL_DEPTH 4
#define MAX_VLAN_TAGS 8
#define MAX_V6_EXT 8

struct sf_capdec {
	sf_capdec_limits_t lim;
	sf_cap_msg_fn msg;
	sf_cap_frame_fn frame;
	void *user;
	sf_ipfrag_t *frag;
	sf_tcp_t *tcp;
	uint64_t c[SF_CD_COUNT];
	uint64_t frame_no;
	uint64_t ts;
	bool cut;            /* current packet: caplen < len */
	uint8_t *ws_buf;     /* a WebSocket message unmasked: tcp_max_buffer
			      * bytes, allocated at the first one */
	sf_sctp_reasm_t sctp;
};

uint64_t sf_capdec_get(const sf_capdec_t *d, sf_capdec_ctr_t c)
{
	const sf_ipfrag_stats_t *fs = sf_ipfrag_stats(d->frag);
	const sf_tcp_stats_t *ts = sf_tcp_stats(d->tcp);

	switch (c) {
	case SF_CD_FRAG_REASSEMBLED: return fs->reassembled;
	case SF_CD_E_FRAG_OVERLAP: return fs->overlap;
	case SF_CD_E_FRAG_BOGUS: return fs->bogus;
	case SF_CD_E_FRAG_TIMEOUT: return fs->timeout;
	case SF_CD_E_FRAG_LIMIT: return fs->limit;
	case SF_CD_TCP_FLOWS: return ts->flows;
	case SF_CD_TCP_RETRANS: return ts->retrans;
	case SF_CD_TCP_OOO: return ts->ooo;
	case SF_CD_TCP_SKIPPED: return ts->skipped;
	case SF_CD_E_TCP_GAP: return ts->gaps;
	case SF_CD_E_TCP_LIMIT: return ts->limit;
	default: return (unsigned)c < SF_CD_COUNT ? d->c[c] : 0;
	}
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void deliver(sf_capdec_t *d, sf_cap_msg_t *m)
{
	d->c[SF_CD_MESSAGES]++;
	m->frame = d->frame_no;
	d->msg(d->user, m);
}

static void hep_deliver(sf_capdec_t *d, const uint8_t *p, size_t n)
{
	sf_hep_t h;
	sf_cap_msg_t m;

	if (sf_hep_parse(p, n, &h) < 0) {
		d->c[SF_CD_E_HEP]++;
		return;
	}
	if (h.compressed) {
		d->c[SF_CD_E_HEP_COMPRESSED]++;
		return;
	}
	d->c[SF_CD_HEP]++;
	if (h.payload_type && h.payload_type != 1) { /* 1 = SIP */
		d->c[SF_CD_HEP_NOT_SIP]++;
		return;
	}
	memset(&m, 0, sizeof(m));
	m.ts_us = h.has_ts ? (uint64_t)h.ts_sec * 1000000u + h.ts_usec : d->ts;
	m.src = h.src;
	m.dst = h.dst;
	m.sport = h.sport;
	m.dport = h.dport;
	m.proto = h.proto == SF_CAP_TCP || h.proto == SF_CAP_SCTP
			  ? h.proto : SF_CAP_UDP;
	m.hep = true;
	m.data = h.payload;
	m.len = h.payload_len;
	deliver(d, &m);
}

static void tcp_deliver(void *user, const sf_tcp_key_t *k, uint64_t ts_us,
			const uint8_t *data, size_t len, uint64_t off)
{
	sf_capdec_t *d = user;
	sf_cap_msg_t m;

	if (d->lim.hep && sf_hep_is(data, len)) {
		hep_deliver(d, data, len);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.ts_us = ts_us;
	m.src = k->src;
	m.dst = k->dst;
	m.sport = k->sport;
	m.dport = k->dport;
	m.proto = SF_CAP_TCP;
	m.data = data;
	m.len = len;
	m.stream_off = off;
	if (len && sf_ws_starts_frame(data[0])) {
		/* framed by ws_frame: a data message's frames */
		if (!d->ws_buf && !(d->ws_buf = malloc(d->lim.tcp_max_buffer)))
			return;
		m.len = sf_ws_payload(data, len, d->ws_buf,
				      d->lim.tcp_max_buffer);
		m.data = d->ws_buf;
		m.ws = true;
		d->c[SF_CD_WS_MESSAGES]++;
	}
	deliver(d, &m);
}

/* WebSocket on the stream (sf_ws.h): the upgrade and control frames are
 * skipped, a data message is one unit; >= 0 / < 0 as framing returns, or
 * 1 in *mine = 0 when the bytes are not WebSocket. */
static long ws_frame(sf_capdec_t *d, const uint8_t *buf, size_t len,
		     bool *mine)
{
	sf_ws_kind_t kind;
	long r;

	*mine = true;
	if (buf[0] == 'G' || buf[0] == 'H') {
		r = sf_ws_upgrade(buf, len);
		if (r > 0)
			d->c[SF_CD_WS_UPGRADES]++;
		if (r >= 0)
			return -r;
	} else if (sf_ws_starts_frame(buf[0])) {
		r = sf_ws_frame(buf, len, d->lim.tcp_max_buffer, &kind);
		if (r > 0 && kind != SF_WS_DATA) {
			d->c[kind == SF_WS_CONTROL ? SF_CD_WS_CONTROL
						   : SF_CD_U_WS_DEFLATE]++;
			return -r;
		}
		if (r >= 0)
			return r;
	}
	*mine = false;
	return 0;
}

static long tcp_frame(void *user, const uint8_t *buf, size_t len)
{
	sf_capdec_t *d = user;
	bool ws;
	long r;

	if (d->lim.hep && len && buf[0] == 'H') {
		size_t n = len < 4 ? len : 4;

		if (!memcmp(buf, "HEP3", n)) {
			long h = len < 4 ? 0 : sf_hep_frame(buf, len);

			return h < 0 ? -1 : h;
		}
	}
	if (len) {
		r = ws_frame(d, buf, len, &ws);
		if (ws)
			return r;
	}
	return d->frame(d->user, buf, len);
}

sf_capdec_t *sf_capdec_new(const sf_capdec_limits_t *lim, sf_cap_msg_fn msg,
			   sf_cap_frame_fn frame, void *user)
{
	sf_capdec_t *d = calloc(1, sizeof(*d));
	sf_tcp_limits_t tl;

	if (!d)
		return NULL;
	if (lim)
		d->lim = *lim;
	else
		sf_capdec_limits_default(&d->lim);
	d->msg = msg;
	d->frame = frame;
	d->user = user;
	tl.max_flows = d->lim.tcp_max_flows;
	tl.max_buffer = d->lim.tcp_max_buffer;
	tl.max_ooo = d->lim.tcp_max_ooo;
	tl.max_ooo_bytes = d->lim.tcp_max_ooo_bytes;
	tl.max_bytes = d->lim.tcp_max_bytes;
	tl.idle_us = d->lim.tcp_idle_us;
	d->frag = sf_ipfrag_new(d->lim.frag_max_datagrams,
				d->lim.frag_max_fragments,
				d->lim.frag_max_bytes, d->lim.frag_timeout_us);
	d->tcp = sf_tcp_new(&tl, tcp_deliver, tcp_frame, d);
	if (!d->frag || !d->tcp) {
		sf_capdec_free(d);
		return NULL;
	}
	return d;
}

static void sctp_flush(sf_capdec_t *d)
{
	d->c[SF_CD_E_SCTP_FRAG] += sf_sctp_reasm_flush(&d->sctp);
}

void sf_capdec_free(sf_capdec_t *d)
{
	if (!d)
		return;
	sctp_flush(d);
	sf_ipfrag_free(d->frag);
	sf_tcp_free(d->tcp);
	free(d->ws_buf);
	free(d);
}

void sf_capdec_reset(sf_capdec_t *d)
{
	sf_ipfrag_reset(d->frag);
	sf_tcp_reset(d->tcp);
	sctp_flush(d);
	memset(d->c, 0, sizeof(d->c));
	d->frame_no = 0;
	d->ts = 0;
	d->cut = false;
}

void sf_capdec_finish(sf_capdec_t *d)
{
	sf_ipfrag_flush(d->frag);
	sf_tcp_flush(d->tcp);
	sctp_flush(d);
}

/* One fragment of an SCTP user message; returns the slot when complete. */

static void ipv4(sf_capdec_t *d, const uint8_t *p, size_t n, int depth);
static void ipv6(sf_capdec_t *d, const uint8_t *p, size_t n, int depth);
static void ip_any(sf_capdec_t *d, const uint8_t *p, size_t n, int depth);
static void v6_chain(sf_capdec_t *d, const sf_ip_t *src, const sf_ip_t *dst,
		     uint8_t nh, const uint8_t *q, size_t plen, bool reasm,
		     int depth);
static void ethertype(sf_capdec_t *d, uint16_t et, const uint8_t *p,
		      size_t n, int depth);
static void tunnel(sf_capdec_t *d, const sf_encap_t *e, const uint8_t *p,
		   size_t n, int depth);

/* A header did not fit: cut by the snaplen, or simply bad. */
static void short_hdr(sf_capdec_t *d, sf_capdec_ctr_t bad)
{
	d->c[d->cut ? SF_CD_E_TRUNCATED : bad]++;
}

/* A message of the given transport and addresses, at the packet's time;
 * the caller fills in the payload (and reassembled). */
static void msg_init(const sf_capdec_t *d, sf_cap_msg_t *m, uint8_t proto,
		     const sf_ip_t *src, const sf_ip_t *dst, uint16_t sport,
		     uint16_t dport)
{
	memset(m, 0, sizeof(*m));
	m->ts_us = d->ts;
	m->src = *src;
	m->dst = *dst;
	m->sport = sport;
	m->dport = dport;
	m->proto = proto;
}

/* UDP (RFC 768): the payload is one message, or a HEPv3 packet. */
static void l4_udp(sf_capdec_t *d, const sf_ip_t *src, const sf_ip_t *dst,
		   const uint8_t *p, size_t n, bool reasm, int depth)
{
	sf_cap_msg_t m;
	size_t ulen;
	sf_udp_tunnel_t ut;
	sf_encap_t e;

	if (n < 8) {
		short_hdr(d, SF_CD_E_UDP);
		return;
	}
	ulen = be16(p + 4);
	if (ulen < 8 || ulen > n) {
		d->c[SF_CD_E_UDP]++;
		return;
	}
	d->c[SF_CD_UDP]++;
	if (ulen == 8)
		return;
	if (d->lim.hep && sf_hep_is(p + 8, ulen - 8)) {
		hep_deliver(d, p + 8, ulen - 8);
		return;
	}
	if (sf_encap_udp_port(be16(p + 2)) &&
	    (sf_encap_udp(be16(p + 2), p + 8, ulen - 8, &ut, &e),
	     ut != SF_UDPT_NONE)) {
		d->c[ut == SF_UDPT_GENEVE ? SF_CD_GENEVE : SF_CD_VXLAN]++;
		tunnel(d, &e, p + 8, ulen - 8, depth);
		return;
	}
	msg_init(d, &m, SF_CAP_UDP, src, dst, be16(p), be16(p + 2));
	m.reassembled = reasm;
	m.data = p + 8;
	m.len = ulen - 8;
	deliver(d, &m);
}

/* TCP (RFC 9293): segments go to the stream reassembler when framing. */
static void l4_tcp(sf_capdec_t *d, const sf_ip_t *src, const sf_ip_t *dst,
		   const uint8_t *p, size_t n)
{
	size_t doff;
	unsigned fl = 0;
	sf_tcp_key_t k;

	if (n < 20) {
		short_hdr(d, SF_CD_E_TCP);
		return;
	}
	doff = (size_t)(p[12] >> 4) * 4;
	if (doff < 20 || doff > n) {
		short_hdr(d, SF_CD_E_TCP);
		return;
	}
	d->c[SF_CD_TCP_SEGMENTS]++;
	if (!d->frame)
		return;
	if (p[13] & 0x01)
		fl |= SF_TCP_FIN;
	if (p[13] & 0x02)
		fl |= SF_TCP_SYN;
	if (p[13] & 0x04)
		fl |= SF_TCP_RST;
	memset(&k, 0, sizeof(k));
	k.src = *src;
	k.dst = *dst;
	k.sport = be16(p);
	k.dport = be16(p + 2);
	sf_tcp_segment(d->tcp, &k, d->ts, be32(p + 4), fl, p + doff,
		       (uint32_t)(n - doff));
}

/* One SCTP DATA chunk (RFC 9260 §3.3.1) of clen bytes at chunk: a whole
 * user message, or a fragment of one (B/E flags) to reassemble. */
static void sctp_data(sf_capdec_t *d, const sf_ip_t *src, const sf_ip_t *dst,
		      const uint8_t *p, const uint8_t *chunk, size_t clen,
		      bool reasm)
{
	sf_cap_msg_t m;

	if ((chunk[1] & 3) != 3) {
		const sf_sctp_part_t *sp = sf_sctp_reasm_add(
			&d->sctp, src, dst, be16(p), be16(p + 2), chunk, clen,
			d->ts, &d->c[SF_CD_E_SCTP_FRAG]);

		if (!sp)
			return;
		msg_init(d, &m, SF_CAP_SCTP, src, dst, sp->sport, sp->dport);
		m.data = sp->buf;
		m.len = sp->len;
		deliver(d, &m);
	} else if (clen > 16) {
		msg_init(d, &m, SF_CAP_SCTP, src, dst, be16(p), be16(p + 2));
		m.reassembled = reasm;
		m.data = chunk + 16;
		m.len = clen - 16;
		deliver(d, &m);
	}
}

/* SCTP (RFC 9260): the common header, then chunks; only DATA is read. */
static void l4_sctp(sf_capdec_t *d, const sf_ip_t *src, const sf_ip_t *dst,
		    const uint8_t *p, size_t n, bool reasm)
{
	size_t pos = 12;

	if (n < 12) {
		short_hdr(d, SF_CD_E_SCTP);
		return;
	}
	while (pos + 4 <= n) {
		uint8_t type = p[pos];
		size_t clen = be16(p + pos + 2);

		if (clen < 4 || clen > n - pos) {
			short_hdr(d, SF_CD_E_SCTP);
			return;
		}
		if (type == 0) { /* DATA, RFC 9260 §3.3.1 */
			if (clen < 16) {
				d->c[SF_CD_E_SCTP]++;
				return;
			}
			d->c[SF_CD_SCTP_CHUNKS]++;
			sctp_data(d, src, dst, p, p + pos, clen, reasm);
		}
		pos += (clen + 3) & ~(size_t)3;
	}
}

/* IPsec AH (RFC 4302) is stepped over: its payload is in the clear. */
static void l4(sf_capdec_t *d, uint8_t proto, const sf_ip_t *src,
	       const sf_ip_t *dst, const uint8_t *p, size_t n, bool reasm,
	       int depth)
{
	sf_encap_t e;

	switch (proto) {
	case SF_CAP_UDP:
		l4_udp(d, src, dst, p, n, reasm, depth);
		return;
	case SF_CAP_TCP:
		l4_tcp(d, src, dst, p, n);
		return;
	case SF_CAP_SCTP:
		l4_sctp(d, src, dst, p, n, reasm);
		return;
	case 4:  /* IPv4 in IP (RFC 2003) */
	case 41: /* IPv6 in IP (RFC 4213) */
		if (depth >= MAX_TUNNEL_DEPTH) {
			d->c[SF_CD_U_TUNNEL]++; /* nested deeper than we open */
			return;
		}
		d->c[SF_CD_TUNNELS]++;
		if (proto == 4)
			ipv4(d, p, n, depth + 1);
		else
			ipv6(d, p, n, depth + 1);
		return;
	case 47: /* GRE */
		d->c[SF_CD_GRE]++;
		sf_encap_gre(p, n, &e);
		if (e.erspan)
			d->c[SF_CD_ERSPAN]++;
		if (e.ppp)
			d->c[SF_CD_PPP]++;
		tunnel(d, &e, p, n, depth);
		return;
	case 50: /* ESP: encrypted */
		d->c[SF_CD_U_ESP]++;
		return;
	case 51: { /* AH */
		size_t hl = n >= 2 ? ((size_t)p[1] + 2) * 4 : 0;

		if (n < 12 || hl > n) {
			short_hdr(d, SF_CD_E_IP);
			return;
		}
		if (depth >= MAX_TUNNEL_DEPTH) {
			d->c[SF_CD_U_TUNNEL]++;
			return;
		}
		d->c[SF_CD_IPSEC_AH]++;
		l4(d, p[0], src, dst, p + hl, n - hl, reasm, depth + 1);
		return;
	}
	default:
		d->c[SF_CD_OTHER_L4]++;
		return;
	}
}

/* What a tunnel header (sf_encap.h) found, decoded one level deeper. */
static void tunnel(sf_capdec_t *d, const sf_encap_t *e, const uint8_t *p,
		   size_t n, int depth)
{
	const uint8_t *q = p + e->off;
	size_t m = n - e->off;

	if (depth >= MAX_TUNNEL_DEPTH && e->inner != SF_INNER_SHORT &&
	    e->inner != SF_INNER_UNSUPPORTED) {
		d->c[SF_CD_U_TUNNEL]++; /* nested deeper than we open */
		return;
	}
	switch (e->inner) {
	case SF_INNER_IPV4: ipv4(d, q, m, depth + 1); return;
	case SF_INNER_IPV6: ipv6(d, q, m, depth + 1); return;
	case SF_INNER_IP: ip_any(d, q, m, depth + 1); return;
	case SF_INNER_MPLS: ethertype(d, 0x8847, q, m, depth + 1); return;
	case SF_INNER_ETHERNET:
		if (m < 14) {
			short_hdr(d, SF_CD_E_LINK);
			return;
		}
		ethertype(d, be16(q + 12), q + 14, m - 14, depth + 1);
		return;
	case SF_INNER_UNSUPPORTED:
		d->c[e->unsup == SF_UNSUP_PPP ? SF_CD_U_PPP : SF_CD_U_TUNNEL]++;
		return;
	case SF_INNER_SHORT:
	case SF_INNER_NONE:
	default:
		short_hdr(d, SF_CD_E_LINK);
		return;
	}
}

static void frag_add(sf_capdec_t *d, const sf_ip_t *src, const sf_ip_t *dst,
		     bool v6, uint32_t id, uint8_t proto, uint32_t off,
		     bool more, const uint8_t *p, size_t n, int depth)
{
	sf_ipfrag_key_t k;
	const uint8_t *out;
	uint32_t out_len;

	d->c[SF_CD_FRAGMENTS]++;
	memset(&k, 0, sizeof(k));
	memcpy(k.src, src->a, 16);
	memcpy(k.dst, dst->a, 16);
	k.id = id;
	k.proto = proto;
	k.v6 = v6;
	if (sf_ipfrag_add(d->frag, &k, d->ts, off, p, (uint32_t)n, more, &out,
			  &out_len) != SF_FRAG_DONE)
		return;
	if (v6)
		v6_chain(d, src, dst, proto, out, out_len, true, depth);
	else
		l4(d, proto, src, dst, out, out_len, true, depth);
}

static void ipv4(sf_capdec_t *d, const uint8_t *p, size_t n, int depth)
{
	size_t ihl, tot;
	sf_ip_t src, dst;
	uint16_t fo;

	if (n < 20) {
		short_hdr(d, SF_CD_E_IP);
		return;
	}
	ihl = (size_t)(p[0] & 15) * 4;
	tot = be16(p + 2);
	if ((p[0] >> 4) != 4 || ihl < 20 || tot < ihl) {
		d->c[SF_CD_E_IP]++;
		return;
	}
	if (tot > n) {
		short_hdr(d, SF_CD_E_IP);
		return;
	}
	d->c[SF_CD_IPV4]++;
	sf_ip_from_v4(p + 12, &src);
	sf_ip_from_v4(p + 16, &dst);
	fo = be16(p + 6);
	if (fo & 0x3fff) { /* MF or an offset: a fragment */
		frag_add(d, &src, &dst, false, be16(p + 4), p[9],
			 (uint32_t)(fo & 0x1fff) * 8, (fo & 0x2000) != 0,
			 p + ihl, tot - ihl, depth);
		return;
	}
	l4(d, p[9], &src, &dst, p + ihl, tot - ihl, false, depth);
}

/*
 * The IPv6 extension headers from nh at q[0..plen), then the upper layer
 * (RFC 8200 §4).  After fragment reassembly (reasm) the fragmentable part
 * may itself start with extension headers (Destination Options, Routing);
 * a second fragment header there is bogus.
 */
static void v6_chain(sf_capdec_t *d, const sf_ip_t *src, const sf_ip_t *dst,
		     uint8_t nh, const uint8_t *q, size_t plen, bool reasm,
		     int depth)
{
	for (int i = 0; i < MAX_V6_EXT; i++) {
		size_t hl;

		switch (nh) {
		case 0: case 43: case 60:
			if (plen < 8) {
				d->c[SF_CD_E_IP]++;
				return;
			}
			hl = ((size_t)q[1] + 1) * 8;
			if (hl > plen) {
				d->c[SF_CD_E_IP]++;
				return;
			}
			nh = q[0];
			q += hl;
			plen -= hl;
			continue;
		case 44: {
			uint16_t fo;

			if (plen < 8) {
				d->c[SF_CD_E_IP]++;
				return;
			}
			fo = be16(q + 2);
			if ((fo & 0xfff8) || (fo & 1)) {
				if (reasm) {
					d->c[SF_CD_E_FRAG_BOGUS]++;
					return;
				}
				frag_add(d, src, dst, true, be32(q + 4), q[0],
					 fo & 0xfff8, fo & 1, q + 8, plen - 8,
					 depth);
				return;
			}
			nh = q[0]; /* atomic fragment */
			q += 8;
			plen -= 8;
			continue;
		}
		case 59:
			return;
		default:
			/* AH (51) is stepped over in l4 */
			l4(d, nh, src, dst, q, plen, reasm, depth);
			return;
		}
	}
	d->c[SF_CD_E_IP]++;
}

static void ipv6(sf_capdec_t *d, const uint8_t *p, size_t n, int depth)
{
	size_t plen;
	sf_ip_t src, dst;

	if (n < 40) {
		short_hdr(d, SF_CD_E_IP);
		return;
	}
	if ((p[0] >> 4) != 6) {
		d->c[SF_CD_E_IP]++;
		return;
	}
	plen = be16(p + 4);
	if (plen == 0)
		plen = n - 40; /* jumbogram or TSO capture: take what is there */
	if (40 + plen > n) {
		short_hdr(d, SF_CD_E_IP);
		return;
	}
	d->c[SF_CD_IPV6]++;
	sf_ip_from_v6(p + 8, &src);
	sf_ip_from_v6(p + 24, &dst);
	v6_chain(d, &src, &dst, p[6], p + 40, plen, false, depth);
}

/* Guesses IPv4/IPv6 from the version nibble (raw IP, MPLS payloads). */
static void ip_any(sf_capdec_t *d, const uint8_t *p, size_t n, int depth)
{
	if (n < 1) {
		short_hdr(d, SF_CD_E_LINK);
		return;
	}
	if ((p[0] >> 4) == 4)
		ipv4(d, p, n, depth);
	else if ((p[0] >> 4) == 6)
		ipv6(d, p, n, depth);
	else
		d->c[SF_CD_NON_IP]++;
}

static void ethertype(sf_capdec_t *d, uint16_t et, const uint8_t *p,
		      size_t n, int depth)
{
	for (int tags = 0;; tags++) {
		switch (et) {
		case 0x0800:
			ipv4(d, p, n, depth);
			return;
		case 0x86DD:
			ipv6(d, p, n, depth);
			return;
		case 0x8100: case 0x88a8: case 0x9100:
			if (n < 4 || tags >= MAX_VLAN_TAGS) {
				short_hdr(d, SF_CD_E_LINK);
				return;
			}
			et = be16(p + 2);
			p += 4;
			n -= 4;
			continue;
		case 0x8847: case 0x8848: /* MPLS: pop to the bottom label */
			for (int l = 0;; l++) {
				bool bottom;

				if (n < 4 || l >= 16) {
					short_hdr(d, SF_CD_E_LINK);
					return;
				}
				bottom = p[2] & 1;
				p += 4;
				n -= 4;
				if (bottom)
					break;
			}
			ip_any(d, p, n, depth);
			return;
		case 0x8864: { /* PPPoE session, RFC 2516 */
			uint16_t ppp;

			if (n < 8) {
				short_hdr(d, SF_CD_E_LINK);
				return;
			}
			ppp = be16(p + 6);
			if (ppp == 0x0021)
				ipv4(d, p + 8, n - 8, depth);
			else if (ppp == 0x0057)
				ipv6(d, p + 8, n - 8, depth);
			else
				d->c[SF_CD_NON_IP]++;
			return;
		}
		default:
			d->c[SF_CD_NON_IP]++;
			return;
		}
	}
}

void sf_capdec_packet(sf_capdec_t *d, const sf_cap_pkt_t *pkt)
{
	const uint8_t *p = pkt->data;
	size_t n = pkt->caplen;

	d->frame_no++;
	d->c[SF_CD_PACKETS]++;
	d->c[SF_CD_BYTES] += pkt->len > pkt->caplen ? pkt->len : pkt->caplen;
	d->ts = pkt->ts_us;
	d->cut = pkt->caplen < pkt->len;
	if (d->cut)
		d->c[SF_CD_SNAPLEN_CUT]++;
	else if (pkt->caplen > pkt->len)
		d->c[SF_CD_E_CAPLEN]++;
	if (!p)
		n = 0;
	switch (pkt->linktype) {
	case 1: /* EN10MB */
		if (n < 14) {
			short_hdr(d, SF_CD_E_LINK);
			return;
		}
		ethertype(d, be16(p + 12), p + 14, n - 14, 0);
		return;
	case 113: /* LINUX_SLL */
		if (n < 16) {
			short_hdr(d, SF_CD_E_LINK);
			return;
		}
		ethertype(d, be16(p + 14), p + 16, n - 16, 0);
		return;
	case 276: /* LINUX_SLL2 */
		if (n < 20) {
			short_hdr(d, SF_CD_E_LINK);
			return;
		}
		ethertype(d, be16(p), p + 20, n - 20, 0);
		return;
	case 12: case 14: case 101: /* raw IP */
		ip_any(d, p, n, 0);
		return;
	case 228:
		ipv4(d, p, n, 0);
		return;
	case 229:
		ipv6(d, p, n, 0);
		return;
	case 0: case 108: { /* NULL: host order; LOOP: network order */
		uint32_t af;

		if (n < 4) {
			short_hdr(d, SF_CD_E_LINK);
			return;
		}
		af = be32(p);
		if (pkt->linktype == 0 && (af & 0xffff0000u))
			af = __builtin_bswap32(af);
		if (af == 2)
			ipv4(d, p + 4, n - 4, 0);
		else if (af == 10 || af == 24 || af == 28 || af == 30)
			ipv6(d, p + 4, n - 4, 0);
		else
			d->c[SF_CD_NON_IP]++;
		return;
	}
	default:
		d->c[SF_CD_E_LINKTYPE]++;
		return;
	}
}
