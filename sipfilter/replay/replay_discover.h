/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_discover.h - `replay --discover`: candidate rows for the
 * substitution / do-not-originate table, found in the judged INVITEs of
 * a capture, each with its evidence.
 *
 * Heuristics (thresholds in replay_disc_opts_t, --discover-thresholds):
 *  - fan-out: a home number (our ranges: home-*, service, toll-free,
 *    premium) presented on an international trunk, not roaming, in at
 *    least `calls` calls or to at least `fanout` distinct called numbers;
 *  - impossible travel: a home number presented on an international
 *    trunk and on a domestic one within `travel` of each other;
 *  - range spray: at least `spray` distinct callers in one of our ranges
 *    (the first `prefix` digits) from one international trunk: a prefix
 *    row (its numbers are then not listed one by one);
 *  - variation: a home number on an international trunk one digit away
 *    from a number a reject rule hit before (spoofers step through
 *    digits when one is blocked).
 * Numbers a reject rule already hit because they are listed
 * (known-substitution) are not proposed again.
 *
 * Memory is bounded: REPLAY_DISC_NUMBERS numbers seen on international
 * trunks (more are counted, not tracked), REPLAY_DISC_RANGES ranges,
 * and two-generation key sets (replay_txn.h) for domestic sightings and
 * rejected numbers' one-digit variants.  Not thread-safe.
 */
#ifndef SF_REPLAY_DISCOVER_H
#define SF_REPLAY_DISCOVER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/sf_num.h"

#define REPLAY_DISC_NUMBERS (1u << 16)
#define REPLAY_DISC_RANGES 4096u
#define REPLAY_DISC_SET 64u   /* distinct called numbers / callers kept */

typedef struct replay_disc_opts {
	unsigned calls;     /* fan-out: calls from abroad (20) */
	unsigned fanout;    /* fan-out: distinct called numbers (5) */
	uint64_t travel_us; /* impossible travel window (10 min) */
	unsigned spray;     /* distinct callers in one range (10) */
	unsigned prefix;    /* digits of a range (7) */
} replay_disc_opts_t;

/* One judged INVITE, as discovery sees it. */
typedef struct replay_disc_in {
	uint64_t ts;
	const char *number;   /* E.164 text ("+7701..."), or "" */
	const char *called;
	bool home;            /* the number is in one of our ranges */
	bool roaming;
	bool intl;            /* on an international trunk */
	bool domestic;        /* on a domestic trunk */
	int trunk;            /* index, for names at print time */
	const char *trunk_name;
	bool rejected;        /* a reject rule hit it (enforced or not) */
	bool listed;          /* hit because it is listed already */
} replay_disc_in_t;

typedef struct replay_disc replay_disc_t;

/* Parses "calls=N,fanout=N,travel=DUR,spray=N,prefix=N" (any subset;
 * DUR as 30s, 10m, 1h) over the defaults in *o.  0, or -1 with the bad
 * part in err. */
void replay_disc_defaults(replay_disc_opts_t *o);
int replay_disc_parse(const char *s, replay_disc_opts_t *o, char *err,
		      size_t cap);

replay_disc_t *replay_disc_new(const replay_disc_opts_t *o);
void replay_disc_free(replay_disc_t *d);

/* Counts one INVITE. */
void replay_disc_add(replay_disc_t *d, const replay_disc_in_t *in);

/* Writes the candidates as commented rows of the substitution table
 * ("# number_or_prefix,discovered,evidence"), numbers in order, after a
 * header saying what they are; returns how many. */
unsigned replay_disc_print(const replay_disc_t *d, FILE *fp);

#endif
