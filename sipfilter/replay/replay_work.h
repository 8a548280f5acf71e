/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_work.h - the part of replay's work on one SIP message that
 * depends on that message alone: scanning it, its transaction key,
 * judging an INVITE under one or two configs (the engine serve runs),
 * formatting its record, and reading the keys, tags and status of a
 * response, CANCEL or BYE the call table will want.  Nothing here reads
 * or writes the run's ordered state (folding, counting, the record ring,
 * the call table, the output), so `replay -j N` runs it on N threads,
 * each with its own replay_work_t, and hands the results to the ordered
 * stage (replay_core.c) in input order; with -j 1 the ordered stage
 * calls it in line.  The options, configs, tables and edges are shared
 * read-only; everything written is the context's own scratch or the
 * result.
 */
#ifndef SF_REPLAY_WORK_H
#define SF_REPLAY_WORK_H

#include <stdbool.h>
#include <stdint.h>

#include "replay.h"
#include "replay_jsonl.h"
#include "replay_memo.h"
#include "sipfilter/engine/sf_admit.h"

/* One thread's scratch for judging and formatting. */
typedef struct replay_work {
	const sf_replay_opts_t *o;   /* the run's options (borrowed) */
	uint32_t max_message;
	const sf_edge_t *edge, *edge2; /* per config (borrowed, read-only) */
	sf_sipmsg_t *msg;
	sf_call_t *call, *call2;
	sf_admission_t *adm, *adm2;
	replay_jc_t *jc;             /* REPLAY_JC_SLOTS */
	replay_memo_t memo;
} replay_work_t;

/* What one INVITE gave: the scan's key, and once judged the verdicts,
 * what the summary counts and the formatted record. */
typedef struct replay_inv {
	uint64_t key;            /* transaction key (folding, call table) */
	uint64_t from_tag;       /* ok: key of the From-tag (0: none) */
	sf_str_t cid;            /* the record's Call-ID (a view into the
				    message) */
	bool ok;                 /* the scanner accepted it */
	/* set by replay_work_judge */
	bool changed;            /* --diff: the verdicts differ */
	bool overflow;           /* a record was due but is too long */
	bool has_number;         /* number holds the deciding number */
	bool disc;               /* --discover counts it (fields below) */
	bool home, roaming, intl, domestic, listed;
	int trunk;               /* the trunk counted (facts), -1 none */
	sf_sip_error_t sip_error; /* admission's scanner reason */
	sf_report_t rep, rep2;   /* the verdicts (rep2: --diff's) */
	char number[SF_NUM_MAX + 2];
	char called[SF_NUM_MAX + 2]; /* disc: the called number or "" */
	const char *line;        /* the record (len 0: none) */
	uint32_t len;
} replay_inv_t;

/* What a response, CANCEL or BYE says to the call table. */
typedef enum replay_fol_kind {
	RF_NONE = 0,      /* nothing to follow */
	RF_RESPONSE,      /* a response to an INVITE */
	RF_CANCEL,
	RF_BYE,
} replay_fol_kind_t;

typedef struct replay_fol {
	uint8_t kind;            /* replay_fol_kind_t */
	uint16_t status;         /* RF_RESPONSE */
	uint64_t key;            /* RF_RESPONSE, RF_CANCEL: transaction */
	uint64_t dlg_key;        /* RF_RESPONSE, RF_BYE: dialog (Call-ID) */
	uint64_t from_tag, to_tag; /* tag keys (0: none) */
	sf_str_t phrase;         /* RF_RESPONSE: a view into the message */
} replay_fol_t;

/* Allocates w's scratch for a run with options o (borrowed), the size
 * cap max_message and the edges of o->cfg and o->cfg2 (e2 NULL without
 * --diff).  0, or -1 on ENOMEM (safe to fini). */
int replay_work_init(replay_work_t *w, const sf_replay_opts_t *o,
		     uint32_t max_message, const sf_edge_t *e,
		     const sf_edge_t *e2);
void replay_work_fini(replay_work_t *w);

/* True if m (past keep-alive CRLFs) is an INVITE in any case ("invite"
 * must not hide from the records: admission refuses it). */
bool replay_is_invite(const uint8_t *p, size_t n);

/* Scans INVITE m into w->msg and sets x->ok, x->key and x->cid. */
void replay_work_scan(replay_work_t *w, const sf_cap_msg_t *m,
		      replay_inv_t *x);

/* Judges the INVITE replay_work_scan just read (same w, same m) under
 * each config and sets the rest of *x; a record due is formatted at
 * line, which has room for REPLAY_LINE_CAP bytes (x->line = line). */
void replay_work_judge(replay_work_t *w, const sf_cap_msg_t *m,
		       replay_inv_t *x, char *line);

/* Reads a response, CANCEL or BYE (anything else: RF_NONE). */
void replay_work_follow(replay_work_t *w, const sf_cap_msg_t *m,
			replay_fol_t *f);

/* The Call-ID value of a message the scanner refused (any header-name
 * case, compact "i"); empty when none. */
sf_str_t replay_find_call_id(const uint8_t *p, size_t n);

/* The key of a From- or To-tag (0: none), of a tag's text or of a
 * scanned message's header. */
uint64_t sf_replay_tag_key(sf_str_t tag);
uint64_t sf_replay_tag_hash(const sf_sipmsg_t *msg, sf_hdr_id_t id);

#endif
