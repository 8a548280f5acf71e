/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_int.h - internals shared by replay_core.c (per-message work) and
 * replay_report.c (counting and the summary).  Not a public interface.
 *
 * Memory bounds (all fixed at start, whatever the capture size):
 *  - record ring: RING_SLOTS records, RING_BYTES of formatted lines (or
 *    the smaller sizes of opts.ring_slots/ring_bytes);
 *  - transaction keys for retransmission folding: 2 x TXN_SET;
 *  - Call-IDs of selected calls (--write-pcap): 2 x SEL_SET;
 *  - top presented numbers: TOPK counters per rule (Space-Saving);
 *  - time buckets: MAX_BUCKETS.
 */
#ifndef SF_REPLAY_INT_H
#define SF_REPLAY_INT_H

#include "replay.h"

#define RING_SLOTS 16384u          /* power of two */
#define RING_BYTES (8u << 20)
#define LINE_MAX_BYTES 16384u
#define TXN_SET (1u << 17)         /* power of two */
#define SEL_SET (1u << 16)
#define TOPK 32
#define MAX_EXTRA_RULES 8          /* "", emergency, malformed, ... */
#define MAX_BUCKETS 65536u
#define OBUF_BYTES (64u << 10)

typedef struct slot {
	uint64_t ts;
	uint32_t retrans;
	uint32_t off, len;
} slot_t;

/* Recently seen 64-bit keys, two generations swapped when the current
 * one is half full or older than max_age. */
typedef struct rent {
	uint64_t key, val;
	uint64_t gen;       /* valid only while equal to the table's gen */
} rent_t;

/* Rotation is O(1): the old generation's table gets a new gen number,
 * which empties it without touching its entries.  Each generation uses
 * only the first phys[g] entries of its table (a power of two from
 * RSET_MIN up to cap, doubled when half full, back to RSET_MIN when the
 * generation is emptied), so a sparse set stays cache-resident; the
 * rotation rule (half of cap, or max_age) does not depend on phys. */
#define RSET_MIN 4096u

typedef struct rset {
	rent_t *e[2];
	uint32_t n[2], cap;
	uint32_t phys[2];
	rent_t *tmp;        /* cap / 2 entries: rset_grow's scratch */
	uint64_t gen[2];
	int cur;
	uint64_t since;
} rset_t;

typedef struct topk {
	char num[SF_NUM_MAX + 2];
	uint64_t count, err;
} topk_t;

/* Formatted "ip:port" and trunk matches, by address (pure functions of
 * the address and the config). */
#define ADDR_SLOTS 256u

typedef struct addr_memo {
	sf_ip_t ip;
	uint16_t port;
	uint8_t used;
	uint8_t mru;        /* in the set's first way: the way used last */
	uint8_t len;
	char text[57];
} addr_memo_t;

typedef struct trunk_memo {
	sf_ip_t ip;
	uint8_t used;
	uint8_t mru;        /* in the set's first way: the way used last */
	int trunk;
} trunk_memo_t;

/* JSON text cached by the address of immutable strings (config names,
 * the engine's static texts): a quoted string, or a verdict's keys. */
#define JC_SLOTS 256u
#define JC_TEXT 1024u
#define JC_STRING 1u
#define JC_VERDICT 2u
#define JC_VERDICT_OTHER 3u

typedef struct jcache {
	const void *k1, *k2;
	uint64_t k3;
	uint32_t kind;          /* 0 = empty, JC_STRING, JC_VERDICT(_OTHER) */
	uint32_t len;
	char text[JC_TEXT];
} jcache_t;

typedef struct rule_stat {
	char name[SF_CFG_NAME_MAX];
	uint64_t count;
	uint64_t by_action[SF_W_COUNT];   /* the rule's action (would-be) */
	uint64_t monitor;
	topk_t top[TOPK];
	uint64_t top_hash[TOPK];          /* digest of top[i].num */
	uint8_t top_tag[TOPK];            /* top byte of top_hash[i] */
	uint32_t top_min;                 /* once full: bit i set iff top[i]
					     holds the least count; 0 = to be
					     recomputed */
	unsigned n_top;
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
} counters_t;

struct sf_replay {
	sf_replay_opts_t o;
	uint32_t max_message;
	uint64_t now;
	/* scratch for one message */
	sf_sipmsg_t *msg;
	sf_call_t *call, *call2;
	sf_edge_t *edge, *edge2;     /* admission, per config */
	sf_admission_t *adm, *adm2;
	sf_report_t rep, rep2;       /* what was done, in verdict words */
	char *line;             /* where the record is formatted: line_buf,
				   or free ring space (ring_scratch) */
	char *line_buf;         /* LINE_MAX_BYTES + 64 */
	uint8_t pkt[70000];
	uint16_t ip_id;
	/* record ring */
	slot_t *slots;
	uint8_t *bytes;
	uint32_t ring_slots;    /* power of two, <= RING_SLOTS */
	uint32_t ring_bytes;    /* LINE_MAX_BYTES + 64 .. RING_BYTES */
	uint64_t head, tail;    /* slot sequence numbers */
	uint32_t wpos;
	/* folding and selection */
	rset_t txn, sel;
	/* counting */
	counters_t c;
	rule_stat_t *rules;     /* cfg->n_rules + MAX_EXTRA_RULES */
	size_t n_rules;
	uint64_t *trunks;       /* cfg->n_trunks + 1 (unknown) */
	bucket_t *buckets;
	uint32_t n_buckets;
	int write_error;
	uint64_t ts_sec;        /* second cached in ts_prefix */
	char ts_prefix[48];
	size_t ts_prefix_len;   /* strlen(ts_prefix) */
	rule_stat_t *last_extra;     /* rule_slot() cache */
	const char *last_extra_name;
	/* output: records are gathered here and written in large blocks */
	char *obuf;
	size_t olen;
	jcache_t *jc;                /* JC_SLOTS */
	addr_memo_t addr_memo[ADDR_SLOTS];
	trunk_memo_t trunk_memo[2][ADDR_SLOTS]; /* cfg, cfg2 */
};

int sf_replay_stats_init(sf_replay_t *r);
void sf_replay_stats_fini(sf_replay_t *r);
void sf_replay_count(sf_replay_t *r, const sf_cap_msg_t *m,
		     const sf_report_t *rep, const sf_facts_t *facts);
void sf_replay_count_diff(sf_replay_t *r, const sf_report_t *a,
			  const sf_report_t *b, bool changed);

#endif
