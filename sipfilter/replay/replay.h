/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay.h - the report side of `sipfilter replay`: messages decoded from
 * captures (capture/sf_capdec.h) in, per-INVITE-transaction records,
 * summary, what-if diff and selected-call pcap out.
 *
 * For each message delivered by the decoder:
 *  - a first-bytes check (a method token + SP, or "SIP/2.0 ") decides if
 *    it is SIP at all: RTP and other traffic is dropped before any SIP
 *    work;
 *  - an INVITE is scanned; UDP retransmissions of the same transaction
 *    (same Call-ID, CSeq and top Via branch, RFC 3261 §17.2.1) are folded
 *    into the first one and counted; a new transaction is judged by the
 *    same engine `serve` uses (trunk = sf_cfg_trunk_match on the source
 *    address), and, with --diff, by the second config too;
 *  - a record is kept until no retransmission can come any more (64*T1 =
 *    32 s of capture time, RFC 3261 §17.1.1.2) and its call's outcome is
 *    known: responses to the INVITE (by Call-ID, CSeq and top Via
 *    branch), its CANCEL, and the BYE of the dialog a 2xx made (by
 *    Call-ID and tags) are followed in a bounded call table
 *    (replay_calls.h).  A record is printed, as one JSON line, a CSV row
 *    or a text line, when its window closes with the outcome known
 *    (records then come in order of first appearance), or later, when
 *    the final response or the BYE comes, when the call is given up
 *    (timeouts), when the table is full (the oldest call goes) or at the
 *    end of the input.  The order depends on the capture only.
 * Records wait in a bounded ring (slots and bytes); when it is full the
 * oldest is printed early and a later retransmission of it is counted as
 * "late", not printed twice.  Every other table (transaction keys,
 * selected Call-IDs, top numbers, time buckets) is bounded too, so memory
 * does not grow with the capture size.
 */
#ifndef SF_REPLAY_H
#define SF_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/sf_capdec.h"
#include "capture/sf_pcapw.h"
#include "sipfilter/engine/sf_report.h"
#include "sipfilter/engine/sf_engine.h"

typedef enum sf_replay_format {
	SF_REPLAY_JSONL = 0,
	SF_REPLAY_CSV,
	SF_REPLAY_TEXT,
	SF_REPLAY_NONE,   /* --summary-only */
} sf_replay_format_t;

typedef enum sf_replay_select {
	SF_SEL_NONE = 0,
	SF_SEL_ACTION,    /* --select action=NAME (the applied action) */
	SF_SEL_RULE,      /* --select rule=NAME */
	SF_SEL_ALL,       /* --select all */
} sf_replay_select_t;

typedef struct sf_replay_opts {
	const sf_cfg_t *cfg;
	const sf_tables_t *tables;
	const sf_cfg_t *cfg2;       /* --diff: the other config, or NULL */
	const sf_tables_t *tables2;
	/* The ingress trunk of every INVITE when the capture was taken
	 * elsewhere than at the proxy (--assume-trunk): an index in cfg
	 * (and cfg2), or SF_TRUNK_BY_SOURCE to match sources as serve does. */
	int assume_trunk, assume_trunk2;
	sf_replay_format_t format;
	FILE *out;                  /* records */
	uint64_t bucket_us;         /* summary time buckets; 0 = none */
	uint64_t hold_us;           /* retransmission window (32 s) */
	sf_replay_select_t select;
	sf_word_t select_action;    /* an applied word: allow..drop */
	char select_rule[SF_CFG_NAME_MAX];
	sf_pcapw_t *pcap;           /* --write-pcap writer, raw IP, or NULL */
	unsigned top;               /* top numbers per rule to print (5) */
	/* Record ring size, for tests of early emission: records (rounded
	 * down to a power of two, at least 1) and bytes (at least
	 * SF_REPLAY_RING_MIN_BYTES, at most the default); 0 = the default
	 * (16384 records, 8 MiB). */
	uint32_t ring_slots, ring_bytes;
	/* Call outcomes: a call with provisional responses only is given up
	 * ring_timeout_us after its INVITE, an answered call without a BYE
	 * call_timeout_us after its answer; 0 = the defaults (200 s: Timer
	 * C, RFC 3261 §16.6, with room; 4 h).  calls_max / calls_bytes: the
	 * call table's size (states, bytes of parked records; 0 = the
	 * defaults, replay_calls.h), for tests of eviction. */
	uint64_t ring_timeout_us, call_timeout_us;
	uint32_t calls_max, calls_bytes;
	/* --tz: the summary's buckets start and its times are shown on this
	 * zone's wall clock (the process's TZ, set by the caller); NULL =
	 * UTC.  Records stay UTC. */
	const char *tz;
	/* --discover: thresholds, or NULL (off); see replay_discover.h */
	const struct replay_disc_opts *discover;
} sf_replay_opts_t;

#define SF_REPLAY_RING_MIN_BYTES (16384u + 64u)

typedef struct sf_replay sf_replay_t;

/* New replay state (copies opts; borrows cfg/tables/out/pcap for its
 * lifetime).  Prints the CSV header row when format is CSV.  NULL on
 * ENOMEM. */
sf_replay_t *sf_replay_new(const sf_replay_opts_t *opts);

/* The decoder callbacks (user = the sf_replay_t). */
void sf_replay_on_msg(void *user, const sf_cap_msg_t *m);
long sf_replay_frame(void *user, const uint8_t *buf, size_t len);

/* Prints every pending record.  Call at the end of input. */
void sf_replay_flush(sf_replay_t *r);

/* Prints the summary on fp; dec (may be NULL) supplies packet-level
 * counters. */
void sf_replay_summary(const sf_replay_t *r, const sf_capdec_t *dec,
		       FILE *fp);

/* The summary as one self-contained HTML page (inline CSS and SVG, no
 * script) on fp; inputs (n names) are listed on it.  See replay_html.c. */
void sf_replay_html_page(const sf_replay_t *r, const sf_capdec_t *dec,
			 char *const *inputs, size_t n, FILE *fp);

/* --discover: the candidate substitution rows on fp (replay_discover.h);
 * returns how many. */
unsigned sf_replay_discover_print(const sf_replay_t *r, FILE *fp);

/* Non-zero if writing records or the pcap failed (e.g. disk full). */
int sf_replay_write_error(const sf_replay_t *r);

void sf_replay_free(sf_replay_t *r);

#endif
