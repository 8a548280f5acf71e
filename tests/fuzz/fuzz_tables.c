/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_tables.c - libFuzzer target: arbitrary bytes as each of the four
 * table files (numbering plan, roaming, substitution, allow).  Table files
 * come from feeds an operator does not fully control, so their loaders are
 * parsers of untrusted bytes.  Invariant: a load either succeeds (and
 * lookups on it work) or fails with an error that names the file and a
 * line; never a crash, leak or sanitizer report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tables/sf_tables.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const trunks[] = {"ipx-a", "core"};
	char path[] = "/tmp/sf-fuzz-tables-XXXXXX";
	int fd = mkstemp(path);
	sf_num_t n;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	sf_num_parse_key("77011234567", 11, &n);
	for (int which = 0; which < 4; which++) {
		sf_tables_src_t src = {0};
		sf_tables_t *t = NULL;
		sf_err_t err;
		int rc;

		src.trunk_names = trunks;
		src.n_trunks = 2;
		src.max_shrink = 1.0;
		if (which == 0) src.plan = path;
		if (which == 1) src.roaming = path;
		if (which == 2) src.substitution = path;
		if (which == 3) src.allow = path;
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
	unlink(path);
	return 0;
}
