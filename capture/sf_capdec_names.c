/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_capdec_names.c - the packet decoder's counter names and kinds, the
 * link types it reads and its default limits (see sf_capdec.h).
 */
#include "sf_capdec.h"

static const char *const ctr_names[SF_CD_COUNT] = {
	[SF_CD_PACKETS] = "packets",
	[SF_CD_BYTES] = "bytes",
	[SF_CD_SNAPLEN_CUT] = "snaplen-cut",
	[SF_CD_IPV4] = "ipv4",
	[SF_CD_IPV6] = "ipv6",
	[SF_CD_NON_IP] = "non-ip",
	[SF_CD_TUNNELS] = "ip-tunnels",
	[SF_CD_UDP] = "udp",
	[SF_CD_TCP_SEGMENTS] = "tcp-segments",
	[SF_CD_SCTP_CHUNKS] = "sctp-data-chunks",
	[SF_CD_OTHER_L4] = "other-l4",
	[SF_CD_FRAGMENTS] = "ip-fragments",
	[SF_CD_FRAG_REASSEMBLED] = "ip-reassembled",
	[SF_CD_TCP_FLOWS] = "tcp-flows",
	[SF_CD_TCP_RETRANS] = "tcp-retransmitted",
	[SF_CD_TCP_OOO] = "tcp-out-of-order",
	[SF_CD_TCP_SKIPPED] = "tcp-skipped-bytes",
	[SF_CD_HEP] = "hep",
	[SF_CD_HEP_NOT_SIP] = "hep-not-sip",
	[SF_CD_GRE] = "gre",
	[SF_CD_ERSPAN] = "erspan",
	[SF_CD_PPP] = "ppp",
	[SF_CD_VXLAN] = "vxlan",
	[SF_CD_GENEVE] = "geneve",
	[SF_CD_IPSEC_AH] = "ipsec-ah",
	[SF_CD_WS_UPGRADES] = "websocket-upgrades",
	[SF_CD_WS_MESSAGES] = "websocket-messages",
	[SF_CD_WS_CONTROL] = "websocket-control",
	[SF_CD_MESSAGES] = "messages",
	[SF_CD_U_TUNNEL] = "tunnel-unsupported",
	[SF_CD_U_PPP] = "ppp-not-ip",
	[SF_CD_U_ESP] = "ipsec-esp-encrypted",
	[SF_CD_U_WS_DEFLATE] = "websocket-compressed",
	[SF_CD_E_TRUNCATED] = "truncated",
	[SF_CD_E_CAPLEN] = "caplen-gt-len",
	[SF_CD_E_LINKTYPE] = "unsupported-linktype",
	[SF_CD_E_LINK] = "bad-link-header",
	[SF_CD_E_IP] = "bad-ip-header",
	[SF_CD_E_UDP] = "bad-udp-header",
	[SF_CD_E_TCP] = "bad-tcp-header",
	[SF_CD_E_SCTP] = "bad-sctp",
	[SF_CD_E_SCTP_FRAG] = "sctp-fragment-dropped",
	[SF_CD_E_FRAG_OVERLAP] = "ip-frag-overlap",
	[SF_CD_E_FRAG_BOGUS] = "ip-frag-bogus",
	[SF_CD_E_FRAG_TIMEOUT] = "ip-frag-timeout",
	[SF_CD_E_FRAG_LIMIT] = "ip-frag-limit",
	[SF_CD_E_TCP_GAP] = "tcp-gap",
	[SF_CD_E_TCP_LIMIT] = "tcp-limit",
	[SF_CD_E_HEP] = "bad-hep",
	[SF_CD_E_HEP_COMPRESSED] = "hep-compressed",
};

const char *sf_capdec_ctr_name(sf_capdec_ctr_t c)
{
	return (unsigned)c < SF_CD_COUNT ? ctr_names[c] : "?";
}

bool sf_capdec_ctr_is_error(sf_capdec_ctr_t c)
{
	return c >= SF_CD_E_TRUNCATED && c < SF_CD_COUNT;
}

bool sf_capdec_ctr_is_unsupported(sf_capdec_ctr_t c)
{
	return c >= SF_CD_U_TUNNEL && c < SF_CD_E_TRUNCATED;
}

bool sf_capdec_linktype_supported(int lt)
{
	switch (lt) {
	case 0: case 1: case 12: case 14: case 101: case 108: case 113:
	case 228: case 229: case 276:
		return true;
	default:
		return false;
	}
}

void sf_capdec_limits_default(sf_capdec_limits_t *l)
{
	l->frag_max_datagrams = 1024;
	l->frag_max_fragments = 64;
	l->frag_max_bytes = 8u << 20;
	l->frag_timeout_us = 30ull * 1000000;
	l->tcp_max_flows = 16384;
	l->tcp_max_buffer = 64u << 10;
	l->tcp_max_ooo = 32;
	l->tcp_max_ooo_bytes = 64u << 10;
	l->tcp_max_bytes = 64ull << 20;
	l->tcp_idle_us = 300ull * 1000000;
	l->hep = true;
}

