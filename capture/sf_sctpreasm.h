/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_sctpreasm.h - SCTP user messages split over DATA chunks (RFC 9260
 * §6.9), joined in TSN order per association direction and stream.
 *
 * Bounded: SF_SCTP_SLOTS messages in progress (the least recently
 * touched one is dropped for a new one), SF_SCTP_MAX_MSG bytes each, a
 * slot's buffer allocated when first used.  Out-of-order or missing
 * fragments drop the message; every drop is counted by the caller's
 * counter.  A fragment TSN-behind the one expected is a retransmission
 * and ignored.
 */
#ifndef SF_SCTPREASM_H
#define SF_SCTPREASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/sf_addr.h"

#define SF_SCTP_SLOTS 64        /* user messages being reassembled */
#define SF_SCTP_MAX_MSG 65536   /* bytes of one reassembled message */

typedef struct sf_sctp_part {
	bool used;
	sf_ip_t src, dst;
	uint16_t sport, dport, sid;
	uint32_t next_tsn;
	uint64_t ts;
	uint8_t *buf;
	uint32_t len;
} sf_sctp_part_t;

typedef struct sf_sctp_reasm {
	sf_sctp_part_t part[SF_SCTP_SLOTS];
} sf_sctp_reasm_t;

/*
 * One fragment: the DATA chunk chunk[0..clen) (clen >= 16, B/E flags not
 * both set) of the association sport -> dport between src and dst, seen
 * at capture time ts.  Returns the whole message when this fragment
 * completes it (valid until the next call), else NULL; messages dropped
 * are added to *dropped.
 */
const sf_sctp_part_t *sf_sctp_reasm_add(sf_sctp_reasm_t *r, const sf_ip_t *src,
					const sf_ip_t *dst, uint16_t sport,
					uint16_t dport, const uint8_t *chunk,
					size_t clen, uint64_t ts,
					uint64_t *dropped);

/* Drops every message in progress and frees the buffers; returns how
 * many were unfinished. */
uint64_t sf_sctp_reasm_flush(sf_sctp_reasm_t *r);

#endif
