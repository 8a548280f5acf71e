/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_memo.h - record fields that are pure functions of few inputs,
 * remembered: the timestamp text (gmtime once per second of capture),
 * "ip:port" texts and trunk matches by address.  A capture has few
 * distinct addresses, and formatting an address or matching it against
 * every trunk's CIDRs costs more than the rest of a record.
 *
 * Each address memo is a set of two ways per slot pair; a miss replaces
 * the way not used last.  A zeroed replay_memo_t is empty.  Not
 * thread-safe.
 */
#ifndef SF_REPLAY_MEMO_H
#define SF_REPLAY_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/sf_addr.h"
#include "config/sf_config.h"
#include "base/sf_hash.h"

#define REPLAY_ADDR_SLOTS 256u

typedef struct replay_addr_memo {
	sf_ip_t ip;
	uint16_t port;
	uint8_t used;
	uint8_t mru;        /* in the set's first way: the way used last */
	uint8_t len;
	char text[57];
} replay_addr_memo_t;

typedef struct replay_trunk_memo {
	sf_ip_t ip;
	uint8_t used;
	uint8_t mru;        /* in the set's first way: the way used last */
	int trunk;
} replay_trunk_memo_t;

typedef struct replay_memo {
	uint64_t ts_sec;        /* second cached in ts_prefix */
	char ts_prefix[48];
	size_t ts_prefix_len;   /* strlen(ts_prefix) */
	replay_addr_memo_t addr[REPLAY_ADDR_SLOTS];
	replay_trunk_memo_t trunk[2][REPLAY_ADDR_SLOTS]; /* per config */
} replay_memo_t;

/* us (microseconds since the epoch) as ISO 8601 UTC with microseconds
 * ("2024-05-01T12:00:00.123456Z") in buf; returns its length (0 and ""
 * when cap is under 56). */
size_t replay_memo_ts(replay_memo_t *m, uint64_t us, char *buf, size_t cap);

/* "ip:port" ("[v6]:port") in buf; returns its length ("" when cap is
 * too small for it). */
size_t replay_memo_addr(replay_memo_t *m, const sf_ip_t *ip, uint16_t port,
			char *buf, size_t cap);

/* The first of the two ways where (ip, port) is remembered. */
static inline uint32_t replay_memo_slot(const sf_ip_t *ip, uint16_t port)
{
	uint64_t lo, hi;

	memcpy(&lo, ip->a, 8);
	memcpy(&hi, ip->a + 8, 8);
	return (uint32_t)sf_fmix64(lo ^ sf_fmix64(hi ^ port ^
						       (uint64_t)ip->v4 << 17)) &
	       (REPLAY_ADDR_SLOTS - 1) & ~1u;
}

static inline bool replay_memo_same_ip(const sf_ip_t *a, const sf_ip_t *b)
{
	return a->v4 == b->v4 && !memcmp(a->a, b->a, sizeof(a->a));
}

/* replay_memo_trunk's miss: matches and remembers ip in the ways w. */
int replay_memo_trunk_miss(replay_trunk_memo_t *w, const sf_cfg_t *cfg,
			   const sf_ip_t *ip);

/* sf_cfg_trunk_match(cfg, ip); which (0 or 1) says which of two configs
 * cfg is (each must always be passed with the same which).  In line: it
 * runs for every INVITE and almost always hits. */
static inline int replay_memo_trunk(replay_memo_t *m, int which,
				    const sf_cfg_t *cfg, const sf_ip_t *ip)
{
	replay_trunk_memo_t *w = &m->trunk[which][replay_memo_slot(ip, 0)];

	for (int k = 0; k < 2; k++) {
		if (w[k].used && replay_memo_same_ip(&w[k].ip, ip)) {
			w[0].mru = (uint8_t)k;
			return w[k].trunk;
		}
	}
	return replay_memo_trunk_miss(w, cfg, ip);
}

#endif
