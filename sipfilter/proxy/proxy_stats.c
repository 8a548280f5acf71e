/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_stats.c - per-worker counters: latency buckets, sums, names.
 */
#include "proxy_stats.h"

#include <string.h>

const double sf_st_lat_bounds_us[SF_ST_LAT_BUCKETS] = {
	1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 20000,
};

void sf_st_latency(sf_wstats_t *s, uint64_t ns)
{
	unsigned i;

	for (i = 0; i < SF_ST_LAT_BUCKETS; i++)
		if ((double)ns <= sf_st_lat_bounds_us[i] * 1000.0)
			break;
	SF_ST_INC(s->lat[i]);
	SF_ST_ADD(s->lat_sum_ns, ns);
	SF_ST_INC(s->lat_count);
}

void sf_st_sum(const sf_wstats_t *blocks, unsigned n, sf_wstats_t *out)
{
	size_t words = sizeof(sf_wstats_t) / sizeof(uint64_t);
	uint64_t *o = (uint64_t *)out;

	memset(out, 0, sizeof(*out));
	for (unsigned b = 0; b < n; b++) {
		const uint64_t *w = (const uint64_t *)&blocks[b];

		for (size_t i = 0; i < words; i++)
			o[i] += __atomic_load_n(&w[i], __ATOMIC_RELAXED);
	}
}

const char *sf_st_hop_name(sf_st_hop_t k)
{
	static const char *const n[SF_HOP_COUNT] = {
		"connected", "connect_failed", "tls_failed", "retried",
		"resumed",
	};

	return (unsigned)k < SF_HOP_COUNT ? n[k] : "?";
}

const char *sf_st_rx_name(sf_st_rx_t k)
{
	static const char *const n[SF_RX_COUNT] = {
		"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "other",
		"response", "keepalive",
	};
	return (unsigned)k < SF_RX_COUNT ? n[k] : "?";
}

const char *sf_st_drop_name(sf_st_drop_t k)
{
	static const char *const n[SF_DROP_COUNT] = {
		"parse", "bad_via", "not_ours", "unroutable", "loop",
		"max_forwards", "amplification", "too_big", "send",
		"tcp_limit", "tcp_timeout", "tcp_framing", "tcp_no_conn",
		"unsupported", "unreachable", "tcp_source_limit",
		"tcp_evicted", "ctl_client", "http_client", "next_hop_down",
	};
	return (unsigned)k < SF_DROP_COUNT ? n[k] : "?";
}

const char *sf_st_sent_name(sf_st_sent_t k)
{
	static const char *const n[SF_SENT_COUNT] = {
		"reject", "options_200", "400", "403", "482", "483", "404",
		"405",
	};
	return (unsigned)k < SF_SENT_COUNT ? n[k] : "?";
}
