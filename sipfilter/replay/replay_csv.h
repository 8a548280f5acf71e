/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_csv.h - a replay record as one CSV row (RFC 4180), and the
 * header row naming its columns.  A field is quoted when it holds , " CR
 * or LF (a " doubled); invalid UTF-8 and control characters other than
 * HT/CR/LF become U+FFFD.
 */
#ifndef SF_REPLAY_CSV_H
#define SF_REPLAY_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "replay_rec.h"

/* Writes x as a row without its last columns (retransmissions and the
 * outcome: replay_record_tail, added when the record is printed) and line end into line (REPLAY_LINE_MAX
 * bytes).  Returns the length, or 0 when the row does not fit. */
size_t replay_csv_record(const replay_rec_t *x, char *line);

/* Appends one field to buf[*len..cap), advancing *len, quoted and
 * cleaned as above; stops early, without overflowing, when cap is
 * reached.  s may be NULL. */
void replay_csv_field(char *buf, size_t cap, size_t *len, const char *s,
		      size_t n);

/* Prints the header row on fp (--diff's columns always: empty without
 * --diff; diff is kept for callers), without
 * the tail's columns and the line end (replay_record_header). */
void replay_csv_header(bool diff, FILE *fp);

#endif
