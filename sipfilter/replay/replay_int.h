/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_int.h - the state of one replay run, shared by replay_core.c
 * (the walk over messages) and replay_report.c (counting and the
 * summary).  Not a public interface.
 *
 * Memory bounds (all fixed at start, whatever the capture size):
 *  - record ring: REPLAY_RING_SLOTS records, REPLAY_RING_BYTES of
 *    formatted lines (or the smaller sizes of opts.ring_slots/ring_bytes);
 *  - transaction keys for retransmission folding: 2 x TXN_SET;
 *  - Call-IDs of selected calls (--write-pcap): 2 x SEL_SET;
 *  - top presented numbers: REPLAY_TOPK counters per rule (Space-Saving);
 *  - time buckets: MAX_BUCKETS;
 *  - calls whose outcome is followed (replay_calls.h): REPLAY_CALLS_MAX
 *    states (~230 bytes each) with a 4-slot-per-state index, and at most
 *    REPLAY_CALLS_BYTES of records parked after their window
 *    (or opts.calls_max / calls_bytes).
 */
#ifndef SF_REPLAY_INT_H
#define SF_REPLAY_INT_H

#include "replay.h"
#include "replay_calls.h"
#include "replay_discover.h"
#include "replay_jsonl.h"
#include "replay_memo.h"
#include "replay_record.h"
#include "replay_out.h"
#include "replay_ring.h"
#include "replay_topk.h"
#include "replay_txn.h"
#include "replay_work.h"

#define TXN_SET (1u << 17)         /* power of two */
#define SEL_SET (1u << 16)
#define MAX_EXTRA_RULES 8          /* "", emergency, malformed, ... */
#define EXTRA_KEYS (SF_WHY_COUNT + SF_SPECIAL_COUNT) /* rule_slot keys */
#define MAX_BUCKETS 65536u
#define PREFIX_CHARS 6             /* "+77015": country and operator */

typedef struct rule_stat {
	char name[SF_CFG_NAME_MAX];
	uint64_t count;
	uint64_t by_action[SF_W_COUNT];   /* the rule's action (would-be) */
	uint64_t monitor;
	replay_topk_t top;                /* presented numbers */
	replay_topk_t top_pfx;            /* their first PREFIX_CHARS */
	/* outcomes of its calls, counted when their records are printed */
	uint64_t oc[RO_COUNT];
	uint64_t over_min;   /* answered, up a minute or more */
	uint64_t up;         /* answered, no BYE seen when followed ended */
	uint64_t untracked;
} rule_stat_t;

typedef struct bucket {
	uint64_t key;       /* bucket index + 1; 0 = empty */
	uint64_t by_action[SF_W_COUNT];
} bucket_t;

typedef struct counters {
	uint64_t sip, responses, keepalives, non_sip, tcp_unframed;
	uint64_t invites, retrans, late_retrans, malformed_invites;
	uint64_t sip_errors[SF_SIP_E_COUNT];
	uint64_t records_out, early, record_overflow;
	uint64_t selected, pcap_written, pcap_skipped;
	uint64_t applied[SF_W_COUNT];
	uint64_t would[SF_W_COUNT];     /* monitor-mode would-be actions */
	uint64_t diff_changed;
	uint64_t diff_matrix[SF_W_COUNT][SF_W_COUNT];
	uint64_t diff_rule_only;        /* same applied action, other rule */
	uint64_t buckets_dropped;
	uint64_t first_ts, last_ts;
	uint64_t ended[RE_COUNT];       /* records by outcome_status */
	uint64_t oc[RO_COUNT];          /* records by outcome */
	uint64_t resp_unmatched;        /* INVITE responses of no call */
	uint64_t bye_unmatched;         /* BYEs of no answered call */
} counters_t;

struct sf_replay {
	sf_replay_opts_t o;
	uint32_t max_message;
	uint64_t now;
	sf_edge_t *edge, *edge2;     /* admission, per config (shared
					read-only with replay -j's threads) */
	replay_work_t w;             /* scanning, judging, formatting */
	char *line_buf;              /* REPLAY_LINE_CAP: a record is
					formatted here when the ring has
					no room for it in place */
	uint8_t pkt[70000];
	uint16_t ip_id;
	replay_ring_t ring;          /* records waiting for their window */
	replay_txn_set_t txn, sel;   /* folding; selected Call-IDs */
	replay_calls_t calls;        /* outcomes being followed */
	replay_disc_t *disc;         /* --discover's evidence, or NULL */
	/* counting */
	counters_t c;
	rule_stat_t *rules;     /* cfg->n_rules + MAX_EXTRA_RULES */
	size_t n_rules;
	uint64_t *trunks;       /* cfg->n_trunks + 1 (unknown) */
	bucket_t *buckets;
	uint32_t n_buckets;
	int write_error;        /* the pcap or the final flush failed */
	/* rule_slot() cache: the slot of each admission reason (sf_why_t)
	 * and each special verdict (SF_WHY_COUNT + sf_special_t) */
	rule_stat_t *extra_slot[EXTRA_KEYS];
	int64_t tz_off;              /* --tz: offset (s) for tz_hour */
	uint64_t tz_hour;            /* capture hour + 1 of tz_off; 0 none */
	/* output */
	replay_out_t out;
};

int sf_replay_stats_init(sf_replay_t *r);
void sf_replay_stats_fini(sf_replay_t *r);
/* Counts a new INVITE transaction (capture time ts, verdict rep, trunk
 * index or -1, the deciding number as text or NULL); returns its rule's
 * counters (where its outcome is counted later:
 * sf_replay_count_outcome). */
rule_stat_t *sf_replay_count(sf_replay_t *r, uint64_t ts,
			     const sf_report_t *rep, int trunk,
			     const char *number);
/* Counts the outcome of a record printed (e->call NULL: not followed). */
void sf_replay_count_outcome(sf_replay_t *r, rule_stat_t *rs,
			     const replay_end_t *e);

/* replay_emit.c: records out of the ring, parked, printed. */
uint32_t sf_replay_track(sf_replay_t *r, uint64_t txn_key,
			 uint64_t from_tag, uint64_t ts, rule_stat_t *rs);
void sf_replay_retire(sf_replay_t *r, bool window_closed);
void sf_replay_end_call(sf_replay_t *r, uint32_t i, replay_status_t st);
void sf_replay_expire(sf_replay_t *r, uint64_t now);

/* replay_follow.c: responses, CANCELs and BYEs of the calls followed;
 * m is the message (past keep-alive CRLFs).  _apply takes what
 * replay_work_follow read of it (replay -j). */
void sf_replay_follow(sf_replay_t *r, const sf_cap_msg_t *m);
void sf_replay_follow_apply(sf_replay_t *r, const sf_cap_msg_t *m,
			    const replay_fol_t *f);

/* replay_core.c: the ordered stage.  _sip_payload: p[0..n) past
 * keep-alive CRLFs when it then starts like SIP; false (and counted as a
 * keep-alive or non-SIP) otherwise.  _on_sip: one SIP message, m as
 * decoded and mm past its CRLFs; inv (an INVITE) or fol (anything else)
 * is its replay_work_* result computed elsewhere, or NULL to work in
 * line.  Calls must come in input order. */
bool sf_replay_sip_payload(sf_replay_t *r, const uint8_t **p, size_t *n);
void sf_replay_on_sip(sf_replay_t *r, const sf_cap_msg_t *m,
		      const sf_cap_msg_t *mm, const replay_inv_t *inv,
		      const replay_fol_t *fol);

/* Capture time us (UTC) as text on --tz's clock ("...Z" without). */
void sf_replay_fmt_time(const sf_replay_t *r, uint64_t us, char *buf,
			size_t cap, bool seconds);
/* The UTC start of time bucket key. */
uint64_t sf_replay_bucket_start(const sf_replay_t *r, uint64_t key);
/* The time buckets in time order (malloc'd, *n of them; NULL if none). */
bucket_t *sf_replay_buckets(const sf_replay_t *r, uint32_t *n);

void sf_replay_count_diff(sf_replay_t *r, const sf_report_t *a,
			  const sf_report_t *b, bool changed);

#endif
