/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_tables.c - libFuzzer target: arbitrary bytes as each of the five
 * table files (numbering plan, roaming, substitution, allow, ported), in
 * the feed shapes tables accept (tbl_fields.c: separator and header
 * detected, and once more declared as ';' with a header row, so quoted
 * fields, BOMs and header rows meet both paths); and as a range export
 * for `import-ranges` (tables/tbl_ranges.c), whose rows must load as a
 * numbering plan.  Table files
 * come from feeds an operator does not fully control, so their loaders are
 * parsers of untrusted bytes.  Invariant: a load either succeeds (and
 * lookups on it work) or fails with an error that names the file and a
 * line; never a crash, leak or sanitizer report.
 *
 * The bytes are parsed in place (sf_tables_src_t's *_text), not written
 * to a temporary file and read back: the file and the reader's 1 MiB
 * buffer per table held this target to ~400 executions/s under ASan.
 * The bytes are copied to an exact-size block first, so ASan sees a read
 * one past the text (the file reader's buffer is always larger).
 *
 * Under libFuzzer an input goes through one of the N_VARIANTS parsers,
 * the one its length modulo N_VARIANTS picks: the five tables with the
 * shape detected (0-4), the five declared as ';' with a header (5-9),
 * the range export (10) (speed, issue 15: every load per input held the
 * target under 10,000 executions/s; a mutation that adds or removes a
 * byte moves the input to another parser); the corpus replay
 * (replay_main.c, built with SF_FUZZ_REPLAY) runs every input through
 * all of them.  The older seeds end in blank lines (which the reader
 * skips) that picked their own table when there were four variants.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tables/sf_ranges.h"
#include "tables/sf_tables.h"

#define N_VARIANTS 11

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const trunks[] = {"ipx-a", "core"};
	static const char *const home[] = {"ours"};
	static const sf_table_format_t fmts[2] = {
		{SF_TABLE_SEP_AUTO, SF_TABLE_HEADER_AUTO},
		{SF_TABLE_SEP_SEMICOLON, SF_TABLE_HEADER_YES},
	};
	static const char path[] = "fuzz.csv";
	char *text = malloc(size ? size : 1);
	sf_num_t n;

	if (!text)
		return 0;
	if (size)
		memcpy(text, data, size);
	sf_num_parse_key("77011234567", 11, &n);
#ifdef SF_FUZZ_REPLAY
	for (size_t which = 0; which < N_VARIANTS - 1; which++) {
#else
	size_t which = size % N_VARIANTS;

	if (which < N_VARIANTS - 1) {
#endif
		sf_table_format_t fmt = fmts[which / 5];
		sf_tables_src_t src = {0};
		sf_tables_t *t = NULL;
		sf_str_t v = sf_str(text, size);
		sf_err_t err;
		int rc;

		src.trunk_names = trunks;
		src.n_trunks = 2;
		src.max_shrink = 1.0;
		src.home_operators = home;
		src.n_home_operators = 1;
		src.plan_fmt = src.roaming_fmt = src.substitution_fmt = fmt;
		src.allow_fmt = src.ported_fmt = fmt;
		if (which % 5 == 0) src.plan = path, src.plan_text = v;
		if (which % 5 == 1) src.roaming = path, src.roaming_text = v;
		if (which % 5 == 2)
			src.substitution = path, src.substitution_text = v;
		if (which % 5 == 3) src.allow = path, src.allow_text = v;
		if (which % 5 == 4) src.ported = path, src.ported_text = v;
		rc = sf_tables_load(&src, &t, &err);
		if (rc == 0) {
			sf_plan_entry_t pe;
			sf_subst_entry_t se;
			char cc[3];

			sf_tables_plan_lookup(t, &n, &pe);
			sf_tables_is_roaming(t, &n, cc);
			sf_tables_subst_lookup(t, &n, &se);
			sf_tables_allowed(t, 0, &n);
			sf_tables_free(t);
		} else if (t != NULL || err.file[0] == '\0') {
			abort(); /* failure must leave nothing and name the file */
		}
	}
#ifndef SF_FUZZ_REPLAY
	if (which == N_VARIANTS - 1)
#endif
	{
		sf_ranges_opts_t o = {0};
		sf_ranges_result_t res;
		sf_err_t err;

		o.path = path;
		o.text = sf_str(text, size);
		o.home_operators = home;
		o.n_home_operators = 1;
		if (sf_ranges_import(&o, &res, &err) == 0) {
			for (size_t i = 0; i < res.n_rows; i++)
				if (!res.rows[i].prefix[0] ||
				    res.rows[i].min_len > res.rows[i].max_len)
					abort();
			sf_ranges_result_fini(&res);
		} else if (res.rows || err.file[0] == '\0') {
			abort();
		}
	}
	free(text);
	return 0;
}
