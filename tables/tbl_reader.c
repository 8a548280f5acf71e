/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tbl_reader.c - the line reader and field parsing shared by the table
 * loaders.
 *
 * Table files can be large (10^7 roaming rows, ~150 MB), so the reader
 * reads 1 MiB chunks with read(2) and hands out lines as views into its
 * buffer: no per-line allocation, no stdio, no sscanf.  It skips blank
 * lines and whole-line '#' comments, strips CRLF and a UTF-8 byte order
 * mark, refuses NUL bytes and lines over SF_TBL_LINE_MAX, skips a header
 * row (tbl_fields.c has the feed-format rules), and counts lines so every
 * error can say "file:line: reason".  read(2) rather than mmap: a feed that rewrites a
 * file in place while we read gives a short read here, not a SIGBUS.
 *
 * The number parser wraps sf_num_parse_key() and, when it refuses a field,
 * works out why in words a person can act on.
 */
#include "tbl_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int sf_tbl_reader_open(sf_tbl_reader_t *r, const char *path, sf_str_t text,
		       sf_table_format_t fmt, sf_err_t *err)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	r->fd = -1;
	r->sep = fmt.sep == SF_TABLE_SEP_COMMA       ? ','
		 : fmt.sep == SF_TABLE_SEP_SEMICOLON ? ';'
						     : 0;
	r->header = fmt.header;
	if (text.s) {
		/* All of it is in: refill() (the only writer) never runs. */
		r->buf = (char *)text.s;
		r->len = text.len;
		r->eof = true;
		r->borrowed = true;
		return 0;
	}
	r->buf = sf_tbl_scratch_malloc(SF_TBL_CHUNK);
	if (!r->buf)
		return sf_err_set(err, SF_ENOMEM, path, 0, 0,
				  "out of memory for the read buffer");
	do {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
	} while (r->fd < 0 && errno == EINTR);
	if (r->fd < 0) {
		int e = errno;

		sf_tbl_scratch_free(r->buf);
		r->buf = NULL;
		sf_err_set(err, SF_EIO, path, 0, 0, "cannot open: %s",
			   strerror(e));
		if (err)
			err->sys_errno = e;
		return SF_EIO;
	}
	return 0;
}

void sf_tbl_reader_close(sf_tbl_reader_t *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	if (!r->borrowed)
		sf_tbl_scratch_free(r->buf);
	r->buf = NULL;
	sf_tbl_free(r->scratch);
	r->scratch = NULL;
}

static _Thread_local char last_stream_id[SF_TABLES_STREAM_ID_MAX];
static _Thread_local uint64_t last_journal_seq;

const char *sf_tbl_last_stream_id(void)
{
	return last_stream_id;
}

uint64_t sf_tbl_last_journal_seq(void)
{
	return last_journal_seq;
}

int sf_tbl_load_lines(const char *path, sf_str_t text, sf_table_format_t fmt,
		      sf_tbl_line_fn fn, void *ctx, sf_tbl_batch_t *b,
		      sf_err_t *err)
{
	sf_tbl_reader_t r;
	sf_str_t line;
	int rc;

	rc = sf_tbl_reader_open(&r, path, text, fmt, err);
	if (rc < 0) {
		if (b)
			sf_tbl_batch_fini(b);
		return rc;
	}
	while ((rc = sf_tbl_reader_next(&r, &line, err)) > 0) {
		rc = fn(ctx, &r, line, err);
		if (rc < 0)
			break;
	}
	memcpy(last_stream_id, r.stream_id, sizeof(last_stream_id));
	last_journal_seq = r.journal_seq;
	sf_tbl_reader_close(&r);
	if (rc == 0 && b) {
		rc = sf_tbl_batch_flush(b);
		if (rc < 0)
			sf_err_set(err, rc, path, 0, 0, "out of memory");
	}
	if (b)
		sf_tbl_batch_fini(b);
	return rc < 0 ? rc : 0;
}

/* Refills the buffer, keeping the partial line at its start.  Returns 0,
 * or SF_EIO / SF_EPARSE (a line that cannot fit). */
static int refill(sf_tbl_reader_t *r, sf_err_t *err)
{
	size_t rest = r->len - r->pos;
	ssize_t n;

	if (rest > SF_TBL_LINE_MAX) {
		r->line_no++;
		return sf_tbl_bad(r, err, 0, "line longer than %u bytes",
				  (unsigned)SF_TBL_LINE_MAX);
	}
	if (rest && r->pos)
		memmove(r->buf, r->buf + r->pos, rest);
	r->pos = 0;
	r->len = rest;
	do {
		n = read(r->fd, r->buf + r->len, SF_TBL_CHUNK - r->len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		int e = errno;

		sf_err_set(err, SF_EIO, r->path, 0, 0, "cannot read: %s",
			   strerror(e));
		if (err)
			err->sys_errno = e;
		return SF_EIO;
	}
	if (n == 0)
		r->eof = true;
	r->len += (size_t)n;
	return 0;
}

/* "# journal-seq: 42" before the data: kept in r. */
static void journal_seq(sf_tbl_reader_t *r, sf_str_t t)
{
	static const char key[] = "# journal-seq:";
	sf_str_t v;
	uint64_t n = 0;

	if (t.len <= sizeof(key) - 1 || memcmp(t.s, key, sizeof(key) - 1))
		return;
	v = sf_str_trim(sf_str(t.s + sizeof(key) - 1,
			       t.len - (sizeof(key) - 1)));
	if (!v.len || v.len > 19 || strspn(v.s, "0123456789") < v.len)
		return;
	for (size_t i = 0; i < v.len; i++)
		n = n * 10 + (uint64_t)(v.s[i] - '0');
	r->journal_seq = n;
}

/* "# stream-id: 1700000000000-0" before the data: kept in r. */
static void stream_id(sf_tbl_reader_t *r, sf_str_t t)
{
	static const char key[] = "# stream-id:";
	sf_str_t v;

	journal_seq(r, t);
	if (t.len <= sizeof(key) - 1 || memcmp(t.s, key, sizeof(key) - 1))
		return;
	v = sf_str_trim(sf_str(t.s + sizeof(key) - 1,
			       t.len - (sizeof(key) - 1)));
	if (v.len && v.len < sizeof(r->stream_id) &&
	    strspn(v.s, "0123456789-") >= v.len) {
		memcpy(r->stream_id, v.s, v.len);
		r->stream_id[v.len] = '\0';
	}
}

int sf_tbl_reader_next(sf_tbl_reader_t *r, sf_str_t *line, sf_err_t *err)
{
	for (;;) {
		const char *start = r->buf + r->pos;
		const char *nl = memchr(start, '\n', r->len - r->pos);
		const char *nul;
		sf_str_t v, t;
		int rc;

		if (!nl && !r->eof) {
			rc = refill(r, err);
			if (rc < 0)
				return rc;
			continue;
		}
		if (!nl && r->pos == r->len)
			return 0;
		v.s = start;
		v.len = nl ? (size_t)(nl - start) : r->len - r->pos;
		r->pos += v.len + (nl ? 1 : 0);
		r->line_no++;
		if (r->line_no == 1 && v.len >= 3 &&
		    memcmp(v.s, "\xef\xbb\xbf", 3) == 0) {
			/* UTF-8 byte order mark (spreadsheet exports):
			 * columns count from after it */
			v.s += 3;
			v.len -= 3;
		}
		if (v.len && v.s[v.len - 1] == '\r')
			v.len--;
		if (v.len > SF_TBL_LINE_MAX)
			return sf_tbl_bad(r, err, 0,
					  "line longer than %u bytes",
					  (unsigned)SF_TBL_LINE_MAX);
		nul = memchr(v.s, '\0', v.len);
		if (nul)
			return sf_tbl_bad(r, err, (unsigned)(nul - v.s) + 1,
					  "NUL byte in line");
		t = sf_str_trim(v);
		if (t.len == 0 || t.s[0] == '#') {
			if (!r->seen_data)
				stream_id(r, t);
			continue;
		}
		/* A feed cut mid-write ends without a newline, and its last
		 * line may still parse as a different, valid number
		 * ("7702111" for "77021112233"): refuse it. */
		if (!nl)
			return sf_tbl_bad(r, err, 0,
					  "last line has no end of line (file "
					  "cut short?); end the file with a "
					  "newline if it is complete");
		if (!r->sep)
			sf_tbl_detect_sep(r, v);
		if (!r->seen_data) {
			r->seen_data = true;
			if (r->header == SF_TABLE_HEADER_YES ||
			    (r->header == SF_TABLE_HEADER_AUTO &&
			     sf_tbl_is_header(r, t)))
				continue;
		}
		*line = v;
		return 1;
	}
}

/* Longest field text shown in a message. */
#define SHOW 64

static int why_bad_number(const sf_tbl_reader_t *r, sf_err_t *err,
			  const sf_tbl_field_t *f, sf_str_t v)
{
	size_t i = 0, digits;
	bool is_short = false;
	int show = (int)(v.len < SHOW ? v.len : SHOW);

	if (v.len >= 6 && memcmp(v.s, "short:", 6) == 0) {
		is_short = true;
		i = 6;
	} else if (v.len && v.s[0] == '+') {
		i = 1;
	}
	if (i == v.len)
		return sf_tbl_bad(r, err, f->col, "number '%.*s' has no digits",
				  show, v.s);
	for (size_t j = i; j < v.len; j++) {
		unsigned char ch = (unsigned char)v.s[j];

		if (sf_isdigit(ch))
			continue;
		if (ch > ' ' && ch < 0x7f)
			return sf_tbl_bad(r, err, f->col + (unsigned)j,
					  "bad character '%c' in number "
					  "'%.*s' (expected E.164 digits with "
					  "optional '+', or short:DIGITS)",
					  ch, show, v.s);
		return sf_tbl_bad(r, err, f->col + (unsigned)j,
				  "bad byte 0x%02x in number '%.*s' (expected "
				  "E.164 digits with optional '+', or "
				  "short:DIGITS)", ch, show, v.s);
	}
	if (!is_short && v.s[i] == '0')
		return sf_tbl_bad(r, err, f->col,
				  "number '%.*s' starts with 0 (E.164 numbers "
				  "never do; write short codes as "
				  "short:DIGITS)",
				  show, v.s);
	digits = v.len - i;
	if (digits > 15)
		return sf_tbl_bad(r, err, f->col,
				  "number '%.*s' has %zu digits (at most 15)",
				  show, v.s, digits);
	return sf_tbl_bad(r, err, f->col, "bad number '%.*s'", show, v.s);
}

int sf_tbl_parse_num(const sf_tbl_reader_t *r, sf_err_t *err,
		     const sf_tbl_field_t *f, bool allow_prefix,
		     const char *what, sf_num_t *out, bool *is_prefix)
{
	sf_str_t v = f->v;
	bool pfx = false;

	if (v.len == 0)
		return sf_tbl_bad(r, err, f->col, "missing number");
	if (v.s[v.len - 1] == '*') {
		if (!allow_prefix)
			return sf_tbl_bad(r, err, f->col + (unsigned)v.len - 1,
					  "a trailing '*' is not allowed in "
					  "%s", what);
		pfx = true;
		v.len--;
		if (v.len == 0)
			return sf_tbl_bad(r, err, f->col,
					  "a lone '*' is not a prefix (give at "
					  "least one digit)");
	}
	if (sf_num_parse_key(v.s, v.len, out) < 0)
		return why_bad_number(r, err, f, v);
	if (is_prefix)
		*is_prefix = pfx;
	return 0;
}

unsigned sf_tbl_distance(const char *a, size_t alen, const char *b,
			 size_t blen)
{
	unsigned row[65], prev_diag, tmp;

	if (alen > 64 || blen > 64)
		return 3;
	if (alen > blen + 3 || blen > alen + 3)
		return 3;
	for (size_t j = 0; j <= blen; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= alen; i++) {
		prev_diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= blen; j++) {
			unsigned best = prev_diag + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev_diag = tmp;
		}
	}
	return row[blen] < 3 ? row[blen] : 3;
}

void sf_tbl_key_format(uint64_t key, char *buf, size_t size)
{
	unsigned len = (unsigned)(key >> 56);
	unsigned long long val = key & (((uint64_t)1 << 56) - 1);
	char d[24];

	if (len == 0 || len > SF_NUM_MAX) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(d, sizeof(d), "%0*llu", (int)len, val);
	if (d[0] == '0')
		snprintf(buf, size, "short:%s", d + 1);
	else
		snprintf(buf, size, "%s", d);
}

int sf_tbl_judy_err(sf_err_t *err, const char *path, const JError_t *je)
{
	if (JU_ERRNO(je) == JU_ERRNO_NOMEM)
		return sf_err_set(err, SF_ENOMEM, path, 0, 0,
				  "out of memory (Judy)");
	return sf_err_set(err, SF_EINVAL, path, 0, 0,
			  "Judy error %d (internal line %d)", JU_ERRNO(je),
			  JU_ERRID(je));
}
