/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_encap.h - the tunnel headers operators' captures wrap SIP in: GRE
 * (RFC 2784/2890, and the enhanced GRE of PPTP, RFC 2637, carrying PPP),
 * ERSPAN types I, II and III (mirrored traffic; Cisco's
 * draft-foschiano-erspan), VXLAN (RFC 7348), VXLAN-GPE
 * (draft-ietf-nvo3-vxlan-gpe) and Geneve (RFC 8926).
 *
 * Each function reads one header and says what follows it and where;
 * nothing is copied, nothing allocated, every length is checked.  The
 * packet decoder (sf_capdec.c) does the dispatch, the counting and the
 * depth bound.  A header that is recognised but wraps something not
 * decoded says so (SF_INNER_UNSUPPORTED, with the reason), so the summary
 * can name it instead of losing it as "other".
 */
#ifndef SF_ENCAP_H
#define SF_ENCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum sf_inner {
	SF_INNER_NONE = 0,     /* not this encapsulation */
	SF_INNER_IPV4,
	SF_INNER_IPV6,
	SF_INNER_IP,           /* IPv4 or IPv6: from the version nibble */
	SF_INNER_ETHERNET,     /* a whole Ethernet frame, from its MACs */
	SF_INNER_MPLS,         /* an MPLS label stack */
	SF_INNER_UNSUPPORTED,  /* recognised; its payload is not decoded */
	SF_INNER_SHORT,        /* the header does not fit the bytes */
} sf_inner_t;

/* What an unsupported payload is (for the summary). */
typedef enum sf_unsup {
	SF_UNSUP_NONE = 0,
	SF_UNSUP_TUNNEL,       /* a tunnel version, routing or protocol type */
	SF_UNSUP_PPP,          /* PPP carrying no IP (LCP, MPPE, ...) */
} sf_unsup_t;

typedef struct sf_encap {
	sf_inner_t inner;
	size_t off;            /* where the inner packet starts */
	sf_unsup_t unsup;      /* SF_INNER_UNSUPPORTED: what it is */
	uint16_t proto;        /* GRE protocol type / PPP protocol seen */
	int erspan;            /* 0, or the ERSPAN type (1, 2, 3) */
	bool ppp;              /* PPP was read (GRE version 1) */
} sf_encap_t;

/* GRE, IP protocol 47: the payload p[0..n) of the IP packet. */
void sf_encap_gre(const uint8_t *p, size_t n, sf_encap_t *e);

/* PPP in HDLC-like framing (address/control optional, protocol field
 * compressed or not), as GRE version 1 carries it. */
void sf_encap_ppp(const uint8_t *p, size_t n, sf_encap_t *e);

/* Which UDP tunnel, if any, a datagram to or from these ports is. */
typedef enum sf_udp_tunnel {
	SF_UDPT_NONE = 0,
	SF_UDPT_VXLAN,         /* port 4789 (and Linux's old 8472) */
	SF_UDPT_VXLAN_GPE,     /* port 4790 */
	SF_UDPT_GENEVE,        /* port 6081 */
} sf_udp_tunnel_t;

/* True for the destination ports of the UDP tunnels (cheap: checked on
 * every datagram before sf_encap_udp). */
static inline bool sf_encap_udp_port(uint16_t dport)
{
	return dport == 4789 || dport == 4790 || dport == 6081 ||
	       dport == 8472;
}

/*
 * A UDP payload p[0..n) with destination port dport: the tunnel header
 * when the port is a tunnel's and the bytes are its header (reserved bits
 * zero), else SF_INNER_NONE (so SIP sent to such a port is still SIP).
 * *t says which tunnel.
 */
void sf_encap_udp(uint16_t dport, const uint8_t *p, size_t n,
		  sf_udp_tunnel_t *t, sf_encap_t *e);

#endif
