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

/* Writes x as a row without its last column (retransmissions, added
 * when the record is printed) and line end into line (REPLAY_LINE_MAX
 * bytes).  Returns the length, or 0 when the row does not fit. */
size_t replay_csv_record(const replay_rec_t *x, char *line);

/* Prints the header row (with --diff's columns when diff) on fp. */
void replay_csv_header(bool diff, FILE *fp);

#endif
