/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_record.h - the record of one INVITE transaction in the chosen
 * format: JSON lines (replay_jsonl.h), CSV (replay_csv.h) or a text line.
 * A record is formatted when its INVITE is judged and printed when its
 * retransmission window closes, with the count of retransmissions folded
 * into it by then: that last column is written at printing time.
 */
#ifndef SF_REPLAY_RECORD_H
#define SF_REPLAY_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "replay.h"
#include "replay_calls.h"
#include "replay_jsonl.h"
#include "replay_rec.h"

/*
 * Formats x in format f (not SF_REPLAY_NONE) into line, which has room
 * for REPLAY_LINE_CAP bytes; jc is JSON's cache (replay_jsonl.h).
 * Returns the length (at most REPLAY_LINE_MAX), or 0 when the record is
 * too long to print.
 */
size_t replay_record_format(sf_replay_format_t f, const replay_rec_t *x,
			    replay_jc_t *jc, char *line);

/* The most bytes a record's tail takes. */
#define REPLAY_TAIL_MAX 1024u

/* What a record ends with, known when it is printed. */
typedef struct replay_end {
	uint32_t retrans;            /* retransmissions folded into it */
	const replay_call_t *call;   /* its outcome; NULL: not followed */
	replay_status_t status;
} replay_end_t;

/*
 * The end of a record of format f, written into tail: the retransmission
 * count and the call's outcome (outcome, outcome_status, final_code,
 * final_reason, answered, cancelled, to_18x_ms, to_final_ms, duration_ms,
 * ended_by; null where there is no value), and the line end.  Returns
 * its length (0 for SF_REPLAY_NONE).
 */
size_t replay_record_tail(sf_replay_format_t f, const replay_end_t *e,
			  char tail[REPLAY_TAIL_MAX]);


/* What goes before the first record (CSV: the header row, with --diff's
 * columns when diff) on fp. */
void replay_record_header(sf_replay_format_t f, bool diff, FILE *fp);

#endif
