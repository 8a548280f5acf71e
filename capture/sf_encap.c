/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_encap.c - GRE, ERSPAN, PPP, VXLAN, VXLAN-GPE and Geneve headers (see
 * sf_encap.h).
 */
#include "sf_encap.h"

#include <stdbool.h>
#include <string.h>

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void set(sf_encap_t *e, sf_inner_t inner, size_t off)
{
	e->inner = inner;
	e->off = off;
}

static void unsupported(sf_encap_t *e, sf_unsup_t why)
{
	e->inner = SF_INNER_UNSUPPORTED;
	e->unsup = why;
}

/* What a GRE, Geneve or VXLAN-GPE protocol type (an EtherType) carries,
 * at offset off; false when none of ours. */
static int by_ethertype(uint16_t et, size_t off, sf_encap_t *e)
{
	switch (et) {
	case 0x0800: set(e, SF_INNER_IPV4, off); return 1;
	case 0x86DD: set(e, SF_INNER_IPV6, off); return 1;
	case 0x6558: set(e, SF_INNER_ETHERNET, off); return 1;
	case 0x8847: case 0x8848: set(e, SF_INNER_MPLS, off); return 1;
	default: return 0;
	}
}

/* ERSPAN (GRE protocol 0x88BE / 0x22EB) at p + off, n bytes in all. */
static void erspan(const uint8_t *p, size_t n, size_t off, bool seq,
		   uint16_t ptype, sf_encap_t *e)
{
	if (ptype == 0x88BE && !seq) { /* type I: the frame, no header */
		e->erspan = 1;
		set(e, SF_INNER_ETHERNET, off);
		return;
	}
	if (ptype == 0x88BE) { /* type II: 8 bytes, version 1 */
		e->erspan = 2;
		if (n < off + 8) {
			set(e, SF_INNER_SHORT, off);
			return;
		}
		if ((p[off] >> 4) != 1) {
			unsupported(e, SF_UNSUP_TUNNEL);
			return;
		}
		set(e, SF_INNER_ETHERNET, off + 8);
		return;
	}
	/* type III: 12 bytes, version 2, an optional 8-byte platform
	 * subheader (O), the frame type FT: 0 Ethernet, 2 IP */
	e->erspan = 3;
	if (n < off + 12) {
		set(e, SF_INNER_SHORT, off);
		return;
	}
	if ((p[off] >> 4) != 2) {
		unsupported(e, SF_UNSUP_TUNNEL);
		return;
	}
	{
		unsigned ft = (p[off + 10] >> 2) & 0x1f;
		size_t in = off + 12 + ((p[off + 11] & 1) ? 8 : 0);

		if (n < in) {
			set(e, SF_INNER_SHORT, off);
			return;
		}
		if (ft == 0)
			set(e, SF_INNER_ETHERNET, in);
		else if (ft == 2)
			set(e, SF_INNER_IP, in);
		else
			unsupported(e, SF_UNSUP_TUNNEL);
	}
}

void sf_encap_gre(const uint8_t *p, size_t n, sf_encap_t *e)
{
	unsigned ver;
	uint16_t ptype;
	size_t hl = 4;
	bool seq;

	memset(e, 0, sizeof(*e));
	if (n < 4) {
		set(e, SF_INNER_SHORT, 0);
		return;
	}
	ver = p[1] & 7;
	ptype = be16(p + 2);
	e->proto = ptype;
	seq = (p[0] & 0x10) != 0;
	if (ver == 0) {
		/* RFC 1701 routing (R) and recursion are obsolete: say so */
		if (p[0] & 0x47) {
			unsupported(e, SF_UNSUP_TUNNEL);
			return;
		}
		hl += (p[0] & 0x80 ? 4u : 0u) + (p[0] & 0x20 ? 4u : 0u) +
		      (seq ? 4u : 0u);
	} else if (ver == 1) {
		/* enhanced GRE (PPTP): key always, sequence and ack optional,
		 * no checksum or routing, PPP only */
		if ((p[0] & 0xE0) != 0x20 || ptype != 0x880B) {
			unsupported(e, SF_UNSUP_TUNNEL);
			return;
		}
		hl = 8 + (seq ? 4u : 0u) + (p[1] & 0x80 ? 4u : 0u);
	} else {
		unsupported(e, SF_UNSUP_TUNNEL);
		return;
	}
	if (n < hl) {
		set(e, SF_INNER_SHORT, 0);
		return;
	}
	if (ptype == 0x88BE || ptype == 0x22EB) {
		erspan(p, n, hl, seq, ptype, e);
		return;
	}
	if (ptype == 0x880B) {
		e->ppp = true;
		sf_encap_ppp(p + hl, n - hl, e);
		e->off += hl;
		return;
	}
	if (!by_ethertype(ptype, hl, e))
		unsupported(e, SF_UNSUP_TUNNEL);
}

void sf_encap_ppp(const uint8_t *p, size_t n, sf_encap_t *e)
{
	size_t off = 0;
	uint16_t proto;

	e->inner = SF_INNER_NONE;
	e->off = 0;
	if (n >= 2 && p[0] == 0xFF && p[1] == 0x03)
		off = 2; /* address and control, when not compressed */
	if (n < off + 1) {
		set(e, SF_INNER_SHORT, 0);
		return;
	}
	if (p[off] & 1) { /* protocol field compressed to one byte */
		proto = p[off];
		off += 1;
	} else {
		if (n < off + 2) {
			set(e, SF_INNER_SHORT, 0);
			return;
		}
		proto = be16(p + off);
		off += 2;
	}
	e->proto = proto;
	if (proto == 0x21)
		set(e, SF_INNER_IPV4, off);
	else if (proto == 0x57)
		set(e, SF_INNER_IPV6, off);
	else
		unsupported(e, SF_UNSUP_PPP);
}

void sf_encap_udp(uint16_t dport, const uint8_t *p, size_t n,
		  sf_udp_tunnel_t *t, sf_encap_t *e)
{
	memset(e, 0, sizeof(*e));
	*t = SF_UDPT_NONE;
	if (n < 8)
		return;
	switch (dport) {
	case 4789: case 8472:
		/* I flag; G (group policy) allowed; the rest reserved */
		if ((p[0] & 0x08) && !(p[0] & 0x77) && p[7] == 0) {
			*t = SF_UDPT_VXLAN;
			set(e, SF_INNER_ETHERNET, 8);
		}
		return;
	case 4790:
		/* version 0, I flag; next protocol 1 IPv4, 2 IPv6, 3 Ethernet,
		 * 5 MPLS (4 NSH is not decoded) */
		if ((p[0] & 0xF8) != 0x08 || p[7] != 0)
			return;
		*t = SF_UDPT_VXLAN_GPE;
		switch (p[3]) {
		case 1: set(e, SF_INNER_IPV4, 8); return;
		case 2: set(e, SF_INNER_IPV6, 8); return;
		case 3: set(e, SF_INNER_ETHERNET, 8); return;
		case 5: set(e, SF_INNER_MPLS, 8); return;
		default: unsupported(e, SF_UNSUP_TUNNEL); return;
		}
	case 6081: {
		/* version 0, options length in 4-byte words, reserved zero */
		size_t hl = 8 + (size_t)(p[0] & 0x3f) * 4;

		if ((p[0] & 0xC0) || (p[1] & 0x3f) || p[7] != 0)
			return;
		*t = SF_UDPT_GENEVE;
		e->proto = be16(p + 2);
		if (n < hl)
			set(e, SF_INNER_SHORT, 0);
		else if (!by_ethertype(e->proto, hl, e))
			unsupported(e, SF_UNSUP_TUNNEL);
		return;
	}
	default:
		return;
	}
}
