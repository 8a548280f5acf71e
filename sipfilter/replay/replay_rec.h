/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_rec.h - the fields of one replay record, gathered once per
 * INVITE transaction and written by one of the formats (replay_record.h).
 * Texts are either our own (timestamps, addresses, digits: no escaping
 * needed), immutable strings of the config or the engine (cached by
 * address in JSON), or views of untrusted message bytes cut to
 * REPLAY_FIELD_MAX.
 */
#ifndef SF_REPLAY_REC_H
#define SF_REPLAY_REC_H

#include <stdbool.h>
#include <stddef.h>

#include "base/sf_num.h"
#include "base/sf_str.h"
#include "sipfilter/engine/sf_report.h"

/* The longest record line printed, without its retransmissions tail; a
 * longer one is counted as too long, not printed. */
#define REPLAY_LINE_MAX 16384u
/* Raw bytes of one untrusted field in a record. */
#define REPLAY_FIELD_MAX 512
/* The space a record is formatted in: a line of REPLAY_LINE_MAX and
 * room for the JSON writer's bound (replay_jsonl.c). */
#define REPLAY_LINE_CAP (REPLAY_LINE_MAX + 20480u)

typedef struct replay_rec {
	char ts[96], src[80], dst[80];
	size_t ts_len, src_len, dst_len; /* strlen of ts, src, dst */
	const char *transport;
	size_t transport_len;
	sf_str_t call_id, from, pai;     /* at most REPLAY_FIELD_MAX */
	char number[SF_NUM_MAX + 2], called[SF_NUM_MAX + 2];
	size_t number_len, called_len;   /* strlen of number, called */
	const char *trunk, *cls;
	const char *ported;              /* sf_ported_name of the number's */
	const char *trunk_how;           /* sf_trunk_how_name: source,
					  * assumed, none */
	bool roaming;
	/* every identity judged: network and presentation numbers, the one
	 * that decided */
	char net[SF_NUM_MAX + 2], pres[SF_NUM_MAX + 2];
	size_t net_len, pres_len;
	const char *net_cls, *pres_cls, *decided;
	const sf_report_t *v, *v2;       /* v2: --diff's, or NULL */
	const char *trunk2;              /* with v2 */
} replay_rec_t;

/* v cut to REPLAY_FIELD_MAX bytes (a NULL view becomes empty). */
static inline sf_str_t replay_rec_cut(sf_str_t v)
{
	if (v.len > REPLAY_FIELD_MAX)
		v.len = REPLAY_FIELD_MAX;
	if (!v.s)
		v.len = 0;
	return v;
}

#endif
