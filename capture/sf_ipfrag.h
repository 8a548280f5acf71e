/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_ipfrag.h - bounded IPv4/IPv6 fragment reassembly.
 *
 * Datagrams are keyed by (family, source, destination, identification,
 * protocol).  Limits: datagrams in progress, fragments per datagram, total
 * fragment bytes, and a timeout in capture time (the oldest datagrams are
 * expired as time moves on; when a limit is hit the oldest is dropped).
 * Any overlap that is not an exact duplicate, a fragment past the end, a
 * second different last fragment, a non-final fragment whose length is not
 * a multiple of 8, or a datagram over 65535 bytes drops the whole datagram
 * and is counted - overlapping fragments are how reassemblers get fooled
 * (teardrop; sngrep CVE-2023-31982).
 */
#ifndef SF_IPFRAG_H
#define SF_IPFRAG_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sf_ipfrag sf_ipfrag_t;

typedef struct sf_ipfrag_key {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint8_t proto;
	uint8_t v6;
} sf_ipfrag_key_t;

typedef struct sf_ipfrag_stats {
	uint64_t reassembled, overlap, bogus, timeout, limit;
} sf_ipfrag_stats_t;

enum {
	SF_FRAG_PENDING = 0,
	SF_FRAG_DONE = 1,
	SF_FRAG_DROPPED = -1,
};

/* NULL on ENOMEM. */
sf_ipfrag_t *sf_ipfrag_new(uint32_t max_datagrams, uint32_t max_fragments,
			   uint32_t max_bytes, uint64_t timeout_us);
void sf_ipfrag_free(sf_ipfrag_t *t);

/*
 * Adds one fragment: payload bytes data[0..len) at byte offset off of the
 * datagram's payload, more = the MF flag.  Returns SF_FRAG_DONE with
 * *out and *out_len set to the whole payload (valid until the next call),
 * SF_FRAG_PENDING, or SF_FRAG_DROPPED (the datagram was discarded; see the
 * stats for why).
 */
int sf_ipfrag_add(sf_ipfrag_t *t, const sf_ipfrag_key_t *k, uint64_t ts_us,
		  uint32_t off, const uint8_t *data, uint32_t len, bool more,
		  const uint8_t **out, uint32_t *out_len);

/* Drops every datagram in progress (counted as timeouts). */
void sf_ipfrag_flush(sf_ipfrag_t *t);

/*
 * Back to the state sf_ipfrag_new() left: every datagram dropped, the
 * slots handed out again in the same order, statistics zero; the tables
 * are kept.  Costs the slots used since the last reset, not the limits,
 * so one table can serve many short inputs (fuzzing, tests).
 */
void sf_ipfrag_reset(sf_ipfrag_t *t);

const sf_ipfrag_stats_t *sf_ipfrag_stats(const sf_ipfrag_t *t);

#endif
