/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_journal.h - the local journal of live roaming changes
 * (tables.roaming_journal): without Redis, `ctl roaming add/del` changes
 * are appended to a file before they are acknowledged, and replayed on
 * top of the roaming file at start and after every reload, so they
 * survive both (and a kill -9).
 *
 * The file, one change a line, sequence numbers strictly increasing:
 *
 *     # base: 40                 (optional, first: entries up to 40 were
 *                                 compacted away; numbering goes on)
 *     41 add +77015558001 FR
 *     42 del +77015558002
 *
 * A roaming file may say which journal entries it already holds with a
 * comment "# journal-seq: N" before its rows (sf_tables_roaming_journal_
 * seq); only the entries after N are replayed on it, so nothing is lost
 * and nothing applied twice.  Loading such a file compacts the journal:
 * the entries up to N are dropped (the file rewritten aside and renamed
 * over, "# base: N" first).  Without the comment every entry is replayed
 * and the journal only grows (its size is in `ctl stats`).
 *
 * A last line without its newline is a change never acknowledged (the
 * process died inside the write): it is cut off with a warning.  Any
 * other line that does not parse is an error naming file:line:col, and
 * serve refuses to start (a reload keeps the running generation).
 *
 * An append is one write(2) of the whole line (O_APPEND): acknowledged
 * changes survive the process dying; sf_journal_sync (the control loop,
 * once per round of requests) makes them durable against power loss.
 * Its cost is independent of how many changes the journal holds.
 *
 * Control thread only, except sf_journal_json / sf_journal_metrics (any
 * thread: counters are atomic).
 */
#ifndef PROXY_JOURNAL_H
#define PROXY_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/sf_err.h"
#include "base/sf_json.h"
#include "base/sf_num.h"
#include "tables/sf_tables.h"

typedef struct sf_journal sf_journal_t;

/*
 * Opens the journal at path, creating it (mode 0644) when it does not
 * exist, and checks every line.  A torn last line is cut off and said in
 * warn ("" when none).  Returns 0 with *out, or SF_EPARSE (err: file:line:
 * col), SF_EIO, SF_ENOMEM.
 */
int sf_journal_open(const char *path, sf_journal_t **out, char *warn,
		    size_t warn_size, sf_err_t *err);
void sf_journal_free(sf_journal_t *j);

/*
 * Applies the entries after seq `after` on base as one batch: *out the new
 * snapshot (the caller's), or NULL when no entry is after `after`.
 * *applied: entries replayed.  Returns 0 or SF_EPARSE/SF_EIO/SF_ENOMEM
 * (the file was changed under us, or memory ran out).
 */
int sf_journal_replay(sf_journal_t *j, uint64_t after,
		      const sf_tables_t *base, sf_tables_t **out,
		      size_t *applied, sf_err_t *err);

/*
 * Appends one change (num E.164; visited "" or two letters, add only);
 * *seq its sequence number.  On failure nothing is left in the file and
 * why says so.  Returns 0 or -1.
 */
int sf_journal_append(sf_journal_t *j, bool add, const sf_num_t *num,
		      const char *visited, uint64_t *seq, char *why,
		      size_t why_size);

/* sf_journal_append for n changes at once (ch[i].visited "" or two
 * letters): one write(2) of all their lines, numbered in order; *last
 * the last one's number.  All or nothing.  Returns 0 or -1 (why). */
int sf_journal_append_many(sf_journal_t *j, const sf_roaming_change_t *ch,
			   size_t n, uint64_t *last, char *why,
			   size_t why_size);

/* fdatasync when something was appended since the last call. */
void sf_journal_sync(sf_journal_t *j);

/*
 * Drops the entries up to `upto` (a roaming file holding them was
 * loaded).  Numbering continues above max(upto, the last entry).  A
 * no-op when none is at or below upto and upto is not above the last.
 * Returns 0 or SF_EIO/SF_ENOMEM (the journal then stays as it was).
 */
int sf_journal_compact(sf_journal_t *j, uint64_t upto, sf_err_t *err);

/* The last sequence number given (or the base); entries in the file. */
uint64_t sf_journal_last(const sf_journal_t *j);
uint64_t sf_journal_entries(const sf_journal_t *j);

/* "roaming_journal": {...} for ctl stats; metric lines (length). */
void sf_journal_json(const sf_journal_t *j, sf_jw_t *w);
size_t sf_journal_metrics(const sf_journal_t *j, char *buf, size_t size);

#endif
