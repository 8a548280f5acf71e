/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_capdec.h - packet decoding: link layer -> IP -> UDP/TCP/SCTP payloads,
 * with IP fragment reassembly, TCP stream reassembly and HEPv3
 * decapsulation.
 *
 * Feed it packets (sf_cap_pkt_t from sf_capfile.h) in capture order; it
 * calls back once per application message it finds:
 *  - UDP: each datagram payload (after fragment reassembly);
 *  - SCTP: each complete (unfragmented) DATA chunk;
 *  - TCP: each message cut from the in-order byte stream of a flow by the
 *    caller's framing function (the caller knows the protocol; this layer
 *    only knows that messages are framed);
 *  - HEPv3 (UDP or TCP payloads starting "HEP3"): the encapsulated payload
 *    with the addresses, ports, protocol and time the HEP header carries,
 *    when its payload type is SIP (1) or not given (other types, e.g. logs
 *    or RTCP, are counted hep-not-sip and dropped);
 *  - SIP over WebSocket (RFC 7118) on TCP: the upgrade is skipped, each
 *    message's frames are unmasked and joined (sf_ws.h), and the message
 *    is delivered with ws set.
 * Everything else (RTP, ARP, ICMP, non-message TCP bytes) is counted and
 * dropped; the caller's own first-bytes check decides what is SIP.
 *
 * Link types: Ethernet (802.1Q, QinQ 0x88a8/0x9100, MPLS, PPPoE session),
 * Linux cooked SLL and SLL2, raw IP (DLT 12/14, LINKTYPE 101), raw IPv4
 * (228), raw IPv6 (229), BSD NULL (0) and LOOP (108).  Tunnels are
 * opened (sf_encap.h), nested up to a small depth: IP-in-IP (4),
 * IPv6-in-IP (41), GRE (47) with IP, Ethernet, MPLS or PPP inside, ERSPAN
 * I/II/III, VXLAN, VXLAN-GPE and Geneve; IPsec AH is stepped over.  What
 * is recognised but cannot be decoded (ESP, a GRE protocol type we do not
 * know, PPP without IP, compressed WebSocket) is counted by name
 * (sf_capdec_ctr_is_unsupported), never lost as "other".  IPv6 extension
 * headers are walked before and after fragment reassembly.
 *
 * Memory is bounded by sf_capdec_limits_t, whatever the input: fragment
 * table (datagrams, fragments per datagram, bytes, timeout in capture
 * time), TCP flow table (flows, buffered bytes per flow and in total,
 * out-of-order segments, idle timeout).  Every limit hit is counted.
 * Work per packet is bounded by its length.  Not thread-safe: one decoder
 * per thread.
 */
#ifndef SF_CAPDEC_H
#define SF_CAPDEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/sf_addr.h"
#include "sf_capfile.h"

enum { SF_CAP_TCP = 6, SF_CAP_UDP = 17, SF_CAP_SCTP = 132 };

/* One application message, as delivered.  Valid during the callback. */
typedef struct sf_cap_msg {
	uint64_t ts_us;      /* capture time (HEP: the time HEP carries) */
	sf_ip_t src, dst;
	uint16_t sport, dport;
	uint8_t proto;       /* SF_CAP_UDP / SF_CAP_TCP / SF_CAP_SCTP */
	bool hep;            /* decapsulated from HEPv3 */
	bool reassembled;    /* rebuilt from IP fragments */
	bool ws;             /* the payload of WebSocket frames */
	const uint8_t *data;
	size_t len;
	uint64_t stream_off; /* TCP: offset of data[0] in the flow's stream */
	uint64_t frame;      /* 1-based number of the packet completing it */
} sf_cap_msg_t;

typedef void (*sf_cap_msg_fn)(void *user, const sf_cap_msg_t *m);

/*
 * Stream framing callback for TCP: looks at the in-order bytes buf[0..len)
 * of a flow and returns the length of the complete message at its start
 * (> 0), 0 if more bytes are needed, or -N to discard N bytes (N >= 1) that
 * can never start a message (resynchronisation).  NULL frame = TCP
 * payloads are not delivered at all.
 */
typedef long (*sf_cap_frame_fn)(void *user, const uint8_t *buf, size_t len);

typedef struct sf_capdec_limits {
	uint32_t frag_max_datagrams; /* datagrams being reassembled: 1024 */
	uint32_t frag_max_fragments; /* fragments per datagram: 64 */
	uint32_t frag_max_bytes;     /* all fragment data: 8 MiB */
	uint64_t frag_timeout_us;    /* capture time: 30 s */
	uint32_t tcp_max_flows;      /* 16384 */
	uint32_t tcp_max_buffer;     /* in-order bytes per flow: 64 KiB */
	uint32_t tcp_max_ooo;        /* out-of-order segments per flow: 32 */
	uint32_t tcp_max_ooo_bytes;  /* out-of-order bytes per flow: 64 KiB */
	uint64_t tcp_max_bytes;      /* all TCP buffers: 64 MiB */
	uint64_t tcp_idle_us;        /* capture time: 300 s */
	bool hep;                    /* decapsulate HEPv3: true */
} sf_capdec_limits_t;

/* Counters.  Errors ("decode errors by kind") are flagged by
 * sf_capdec_ctr_is_error(). */
typedef enum sf_capdec_ctr {
	SF_CD_PACKETS = 0,
	SF_CD_BYTES,
	SF_CD_SNAPLEN_CUT,     /* caplen < len (info) */
	SF_CD_IPV4,
	SF_CD_IPV6,
	SF_CD_NON_IP,          /* ARP, LLDP, ... (info) */
	SF_CD_TUNNELS,         /* IP-in-IP opened */
	SF_CD_UDP,
	SF_CD_TCP_SEGMENTS,
	SF_CD_SCTP_CHUNKS,
	SF_CD_OTHER_L4,        /* ICMP, ESP, ... (info) */
	SF_CD_FRAGMENTS,
	SF_CD_FRAG_REASSEMBLED,
	SF_CD_TCP_FLOWS,
	SF_CD_TCP_RETRANS,     /* segments wholly seen before */
	SF_CD_TCP_OOO,         /* segments queued out of order */
	SF_CD_TCP_SKIPPED,     /* stream bytes that framed as no message */
	SF_CD_HEP,
	SF_CD_HEP_NOT_SIP,     /* HEP payload types other than SIP (info) */
	SF_CD_GRE,
	SF_CD_ERSPAN,
	SF_CD_PPP,
	SF_CD_VXLAN,           /* VXLAN and VXLAN-GPE */
	SF_CD_GENEVE,
	SF_CD_IPSEC_AH,
	SF_CD_WS_UPGRADES,     /* WebSocket upgrades skipped */
	SF_CD_WS_MESSAGES,     /* WebSocket messages delivered */
	SF_CD_WS_CONTROL,      /* close/ping/pong frames skipped */
	SF_CD_MESSAGES,        /* delivered */
	/* recognised but not decoded, named in the summary */
	SF_CD_U_TUNNEL,        /* a GRE version/routing/protocol type, an
				* ERSPAN version or a tunnel payload we do
				* not read */
	SF_CD_U_PPP,           /* PPP without IP (LCP, MPPE-encrypted...) */
	SF_CD_U_ESP,           /* IPsec ESP: encrypted */
	SF_CD_U_WS_DEFLATE,    /* permessage-deflate WebSocket messages */
	/* errors from here on */
	SF_CD_E_TRUNCATED,     /* payload needed was cut by the snaplen */
	SF_CD_E_CAPLEN,        /* caplen > len */
	SF_CD_E_LINKTYPE,      /* unsupported link type */
	SF_CD_E_LINK,          /* link header short or bad */
	SF_CD_E_IP,            /* bad IPv4/IPv6 header */
	SF_CD_E_UDP,
	SF_CD_E_TCP,
	SF_CD_E_SCTP,
	SF_CD_E_SCTP_FRAG,     /* SCTP fragments that could not be joined */
	SF_CD_E_FRAG_OVERLAP,
	SF_CD_E_FRAG_BOGUS,    /* bad offsets/lengths */
	SF_CD_E_FRAG_TIMEOUT,
	SF_CD_E_FRAG_LIMIT,    /* dropped for a memory/count limit */
	SF_CD_E_TCP_GAP,       /* missing stream bytes skipped */
	SF_CD_E_TCP_LIMIT,     /* flow evicted or buffer cap hit */
	SF_CD_E_HEP,           /* bad HEP packet */
	SF_CD_E_HEP_COMPRESSED,/* compressed HEP payload (not supported) */
	SF_CD_COUNT
} sf_capdec_ctr_t;

typedef struct sf_capdec sf_capdec_t;

void sf_capdec_limits_default(sf_capdec_limits_t *l);

/*
 * New decoder.  lim NULL = defaults.  msg is called for each message,
 * frame for TCP framing; user is passed to both.  Returns NULL on ENOMEM.
 */
sf_capdec_t *sf_capdec_new(const sf_capdec_limits_t *lim, sf_cap_msg_fn msg,
			   sf_cap_frame_fn frame, void *user);

/* Decodes one packet; frame numbers are counted from 1 internally. */
void sf_capdec_packet(sf_capdec_t *d, const sf_cap_pkt_t *pkt);

/* End of input: unfinished fragments and stream bytes are dropped (and
 * counted); the decoder can be fed again afterwards. */
void sf_capdec_finish(sf_capdec_t *d);

void sf_capdec_free(sf_capdec_t *d);

/*
 * Back to the state sf_capdec_new() left (counters zero, nothing in
 * progress), keeping the tables: costs what the last input used, not the
 * limits.  For drivers of many short inputs (the fuzz targets).
 */
void sf_capdec_reset(sf_capdec_t *d);

uint64_t sf_capdec_get(const sf_capdec_t *d, sf_capdec_ctr_t c);
const char *sf_capdec_ctr_name(sf_capdec_ctr_t c);
bool sf_capdec_ctr_is_error(sf_capdec_ctr_t c);
/* True for what was recognised but not decoded (SF_CD_U_*). */
bool sf_capdec_ctr_is_unsupported(sf_capdec_ctr_t c);

/* True for the link types listed above. */
bool sf_capdec_linktype_supported(int linktype);

#endif
