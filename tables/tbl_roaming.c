/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tbl_roaming.c - the roaming table loader: home subscribers now abroad.
 *
 * File format (config/tables/roaming.csv):
 *     number[,visited_country]
 * This is the big table (10^6..10^7 rows, written by a roaming feed), so
 * the per-line work is kept to a memchr and the digit loop of
 * sf_num_parse_key(); rows go through a sorted batch (tbl_batch.c) so Judy
 * sees ascending keys whether or not the feed wrote the file sorted.
 *
 * Each number maps to SF_TBL_ROAM_PRESENT | the two country letters, so one
 * JudyLGet answers both "roaming?" and "where?".  A number listed twice is
 * counted once; the later line's country wins (a feed appending updates
 * means the last word).
 */
#include "tbl_int.h"

static int roam_put(void *ctx, uint64_t key, Word_t val)
{
	sf_tbl_core_t *c = ctx;
	PWord_t pv = (PWord_t)JudyLIns(&c->roam, key, PJE0);

	if (pv == (PWord_t)PPJERR)
		return SF_ENOMEM;
	if (!*pv)
		c->roam_n++;
	*pv = val;
	return 0;
}

static int roam_line(void *ctx, sf_tbl_reader_t *r, sf_str_t line,
		     sf_err_t *err)
{
	sf_tbl_batch_t *b = ctx;
	sf_tbl_field_t f[2];
	int nf = sf_tbl_split(r, line, f, 2, err);
	sf_num_t num;
	char cc[3] = "";
	int rc;

	if (nf < 0)
		return nf;
	rc = sf_tbl_parse_num(r, err, &f[0], false,
			      "the roaming table (entries are single numbers)",
			      &num, NULL);
	if (rc < 0)
		return rc;
	if (num.kind != SF_NUM_E164)
		return sf_tbl_bad(r, err, f[0].col,
				  "short code %.*s cannot be a roaming "
				  "subscriber (expected an E.164 number)",
				  (int)f[0].v.len, f[0].v.s);
	if (nf == 2 && f[1].v.len) {
		const unsigned char *v = (const unsigned char *)f[1].v.s;

		if (f[1].v.len != 2 || !sf_isalpha(v[0]) || !sf_isalpha(v[1]))
			return sf_tbl_bad(r, err, f[1].col,
					  "visited country '%.*s' is not an "
					  "ISO 3166 alpha-2 code (two letters)",
					  (int)(f[1].v.len < 64 ? f[1].v.len
								: 64),
					  f[1].v.s);
		cc[0] = (char)(f[1].v.s[0] & ~0x20); /* upper case */
		cc[1] = (char)(f[1].v.s[1] & ~0x20);
	}
	rc = sf_tbl_batch_add(b, sf_tbl_key(num.d, num.len),
			      SF_TBL_ROAM_PRESENT | sf_tbl_country_pack(cc));
	if (rc < 0)
		return sf_err_set(err, rc, r->path, r->line_no, 0,
				  "out of memory");
	return 0;
}

int sf_tbl_roaming_load(sf_tbl_core_t *c, const char *path, sf_str_t text,
			sf_table_format_t fmt, sf_err_t *err)
{
	sf_tbl_batch_t b = {.put = roam_put, .ctx = c};
	int rc = sf_tbl_load_lines(path, text, fmt, roam_line, &b, &b, err);

	if (rc == 0) {
		memcpy(c->roam_stream_id, sf_tbl_last_stream_id(),
		       sizeof(c->roam_stream_id));
		c->roam_journal_seq = sf_tbl_last_journal_seq();
	}
	return rc;
}

size_t sf_tbl_roaming_bytes(const sf_tbl_core_t *c)
{
	return JudyLMemUsed(c->roam);
}
