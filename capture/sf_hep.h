/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_hep.h - HEPv3 (HOMER Encapsulation Protocol) decoding and encoding.
 *
 * A HEPv3 packet is "HEP3", a 16-bit total length, then chunks of
 * (vendor 16, type 16, length 16 including these 6 bytes, value).  Generic
 * chunks (vendor 0) used here: 1 IP family, 2 IP protocol, 3/4 IPv4
 * source/destination, 5/6 IPv6 source/destination, 7/8 ports, 9/10
 * timestamp seconds/microseconds, 11 payload type (1 = SIP), 12 capture
 * agent id, 15 payload, 16 compressed payload (reported, not inflated).
 * Unknown chunks are skipped.  Decoding is bounds-checked on every length.
 * The encoder is what tests and fuzz seeds use to build HEP captures.
 */
#ifndef SF_HEP_H
#define SF_HEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/sf_addr.h"

typedef struct sf_hep {
	uint8_t family;        /* 2 = IPv4, 10 = IPv6 */
	uint8_t proto;         /* IP protocol: 17, 6, 132 */
	sf_ip_t src, dst;
	uint16_t sport, dport;
	bool has_ts;
	uint32_t ts_sec, ts_usec;
	uint8_t payload_type;  /* 1 = SIP */
	uint32_t capture_id;
	const uint8_t *payload; /* view into the packet */
	size_t payload_len;
	bool compressed;       /* payload is the compressed chunk */
} sf_hep_t;

/* True if buf starts with the HEPv3 magic. */
bool sf_hep_is(const uint8_t *buf, size_t len);

/*
 * Stream framing: the length of the complete HEP packet at the start of
 * buf (> 0), 0 if more bytes are needed, or -1 if it is not a valid HEPv3
 * header.
 */
long sf_hep_frame(const uint8_t *buf, size_t len);

/*
 * Decodes one HEPv3 packet from buf[0..len).  Returns 0 with *h filled
 * (addresses, ports and payload required), or SF_EPARSE.
 */
int sf_hep_parse(const uint8_t *buf, size_t len, sf_hep_t *h);

/* Encodes h (not compressed) into out; returns the length, or 0 if cap is
 * too small or the packet would exceed 65535 bytes. */
size_t sf_hep_build(const sf_hep_t *h, uint8_t *out, size_t cap);

#endif
