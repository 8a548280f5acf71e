/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_ranges.h - a regulator's range export turned into numbering-plan
 * prefixes (`sipfilter import-ranges`).
 *
 * Regulators publish allocations as number ranges, `from,to,holder`
 * (e.g. 77010000000-77019999999 to one operator, 7172000000-7172999999
 * to another); the numbering plan is longest-prefix match.  Importing
 * computes the fewest plan prefixes whose longest-prefix match gives
 * every number of every range its range's class and operator and matches
 * no number outside the ranges (of that length): exactly the ranges.
 * Longest-prefix match allows fewer prefixes than aligned blocks: 7701
 * for a whole block plus 77019 for its last tenth held by someone else
 * is two rows where blocks need ten.
 *
 * Pure computation on a file read with the table reader (the feed
 * formats of tables/sf_tables.h apply: BOM, header row, ';', quotes); no
 * output of its own: rows come back in an array, warnings through a
 * callback.
 */
#ifndef SF_RANGES_H
#define SF_RANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sf_tables.h"

/* One numbering-plan row. */
typedef struct sf_plan_row {
	char prefix[16];          /* digits */
	uint8_t min_len, max_len; /* the number length of its ranges */
	sf_class_t cls;
	const char *operator_name; /* owned by the result; "" if none */
} sf_plan_row_t;

typedef struct sf_ranges_opts {
	const char *path;          /* names the file in messages */
	sf_str_t text;             /* text.s non-NULL: parse this, not path */
	sf_table_format_t fmt;
	/* rows whose third field is an operator, not a class: home_operators
	 * (compared ignoring case) get home-mobile, others default_class
	 * (SF_CLASS_UNLISTED = domestic-other) */
	const char *const *home_operators;
	size_t n_home_operators;
	sf_class_t default_class;
	/* overlaps and gaps, one call each ("file:line: ..."); may be NULL */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
} sf_ranges_opts_t;

typedef struct sf_ranges_result {
	sf_plan_row_t *rows;       /* sorted by prefix; owned */
	size_t n_rows;
	size_t n_ranges;           /* rows read */
	size_t n_overlaps, n_gaps; /* warned about */
	size_t n_blocks;           /* aligned blocks the same ranges take
				      without longest-prefix match */
	uint64_t numbers;          /* numbers covered */
	void *priv;                /* strings */
} sf_ranges_result_t;

/*
 * Reads the export (`from,to,class_or_operator[,operator]`): from and to
 * are E.164 numbers of the same length (any length 1..15, '+' allowed),
 * from <= to; the third field is a class name (then the fourth, if any,
 * is the operator) or an operator.  Overlapping ranges: the earlier line
 * keeps the numbers both claim (warned); numbers between two ranges of
 * one length are a gap (warned).  Then computes the rows.  Returns 0, or
 * SF_EPARSE with err at file:line:col, SF_EIO, SF_ENOMEM, SF_EINVAL (a
 * prefix two lengths need for different ranges: no plan row can say
 * both).  On failure res holds nothing to free.
 */
int sf_ranges_import(const sf_ranges_opts_t *o, sf_ranges_result_t *res,
		     sf_err_t *err);

/* Frees what a successful sf_ranges_import left in res. */
void sf_ranges_result_fini(sf_ranges_result_t *res);

#endif
