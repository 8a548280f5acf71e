/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tbl_fields.c - table lines as feeds write them: ',' or ';' between
 * fields, RFC 4180 quoted fields, a header row.
 *
 * Real exports (a regulator's range list, an MNP dump, a spreadsheet
 * saved as CSV) come with a header row, ';' as the separator where the
 * decimal mark is a comma, quoted fields and a UTF-8 byte order mark.
 * The reader (tbl_reader.c) strips the mark and asks here which
 * separator a file uses (declared, or the first ',' or ';' outside quotes
 * on the first line that has one) and whether its first line is a header
 * (declared, or detected: a header row has two fields or more and every
 * one starts with a letter, while every data row of every table has a
 * number in its first or second field - the plan's prefix, the allow
 * list's second field).  A first line of letters only that was meant as
 * data (a bad row) would pass as a header; declare `header: false` where
 * a feed never has one, and then it is refused with its line.
 *
 * sf_tbl_bad (the "file:line:col: reason" of a bad line, used by every
 * loader) lives here, below the reader that calls the rules here.
 *
 * Splitting keeps fields as views into the line: the quotes of a quoted
 * field are dropped by narrowing the view, and only a field with a
 * doubled quote inside is copied (into the reader's scratch buffer,
 * allocated the first time one is seen).  Column numbers stay those of
 * the line, so an error inside a quoted field points into the file.
 */
#include "tbl_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sf_tbl_bad(const sf_tbl_reader_t *r, sf_err_t *err, unsigned col,
	       const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return SF_EPARSE;
	sf_err_set(err, SF_EPARSE, r->path, r->line_no, col, "%s", "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return SF_EPARSE;
}

/* Index of the first separator candidate outside quotes, or len. */
static size_t first_sep(sf_str_t line, char sep)
{
	bool quoted = false;

	for (size_t i = 0; i < line.len; i++) {
		char ch = line.s[i];

		if (ch == '"')
			quoted = !quoted;
		else if (!quoted &&
			 (sep ? ch == sep : (ch == ',' || ch == ';')))
			return i;
	}
	return line.len;
}

void sf_tbl_detect_sep(sf_tbl_reader_t *r, sf_str_t line)
{
	size_t i = first_sep(line, 0);

	if (i < line.len)
		r->sep = line.s[i];
}

/* A header field names a column: it starts with a letter (ASCII, or
 * any UTF-8 lead byte for names in other scripts), quotes and blanks
 * around it skipped. */
static bool name_like(sf_str_t v)
{
	size_t i = 0;
	unsigned char ch;

	while (i < v.len && (v.s[i] == ' ' || v.s[i] == '\t' || v.s[i] == '"'))
		i++;
	if (i == v.len)
		return false;
	ch = (unsigned char)v.s[i];
	if (v.len - i >= 6 && memcmp(v.s + i, "short:", 6) == 0)
		return false;
	return sf_isalpha(ch) || ch >= 0xc2;
}

bool sf_tbl_is_header(const sf_tbl_reader_t *r, sf_str_t line)
{
	char sep = r->sep ? r->sep : ',';
	size_t pos = 0, fields = 0;

	for (size_t i = 0; i < line.len; i++)
		if ((unsigned char)line.s[i] < 0x20 && line.s[i] != '\t')
			return false;
	while (pos <= line.len) {
		sf_str_t rest = sf_str(line.s + pos, line.len - pos);
		size_t end = first_sep(rest, sep);

		if (!name_like(sf_str(rest.s, end)))
			return false;
		fields++;
		pos += end + 1;
	}
	return fields >= 2;
}

/* Index of the quote closing the quoted field that opens at line.s[q]
 * ("" inside counts as text), or line.len when it is not closed; *doubled
 * gets the number of "" pairs. */
static size_t closing_quote(sf_str_t line, size_t q, size_t *doubled)
{
	size_t i = q + 1;

	*doubled = 0;
	for (; i < line.len; i++) {
		if (line.s[i] != '"')
			continue;
		if (i + 1 < line.len && line.s[i + 1] == '"') {
			(*doubled)++;
			i++;
			continue;
		}
		return i;
	}
	return line.len;
}

/* The content of the quoted field opening at line.s[q]; *next gets the
 * index after the closing quote.  Doubled quotes are copied out to the
 * scratch buffer.  SF_EPARSE when it is not closed. */
static int unquote(sf_tbl_reader_t *r, sf_str_t line, size_t q,
		   sf_str_t *out, size_t *next, sf_err_t *err)
{
	size_t doubled, i = closing_quote(line, q, &doubled);
	char *o;

	if (i >= line.len)
		return sf_tbl_bad(r, err, (unsigned)q + 1,
				  "quoted field is not closed (a '\"' inside "
				  "a quoted field is written \"\")");
	*next = i + 1;
	*out = sf_str(line.s + q + 1, i - q - 1);
	if (!doubled)
		return 0;
	if (!r->scratch) {
		r->scratch = sf_tbl_malloc(SF_TBL_LINE_MAX);
		if (!r->scratch)
			return sf_err_set(err, SF_ENOMEM, r->path, r->line_no,
					  0, "out of memory");
	}
	o = r->scratch + r->scratch_used;
	for (size_t j = q + 1, k = 0; j < i; j++) {
		o[k++] = line.s[j];
		if (line.s[j] == '"')
			j++;
	}
	*out = sf_str(o, out->len - doubled);
	r->scratch_used += out->len;
	return 0;
}

/* A last field written as one quoted field: its content; a quote that
 * opens it and is never closed is an error; else the raw rest of the
 * line (in `"Bank" hotline` the quotes are text, as files had them). */
static int last_field(sf_tbl_reader_t *r, sf_str_t line, sf_str_t t,
		      sf_tbl_field_t *f, sf_err_t *err)
{
	size_t q = (size_t)(t.s - line.s), next, doubled;
	int rc;

	f->v = t;
	f->col = (unsigned)q + 1;
	if (!t.len || t.s[0] != '"')
		return 0;
	next = closing_quote(t, 0, &doubled);
	if (next < t.len && next + 1 != t.len)
		return 0; /* "Bank" hotline: text that starts with a quote */
	rc = unquote(r, line, q, &f->v, &next, err);
	if (rc < 0)
		return rc;
	f->col = (unsigned)q + 2;
	f->v = sf_str_trim(f->v);
	return 0;
}

int sf_tbl_split(sf_tbl_reader_t *r, sf_str_t line, sf_tbl_field_t *f,
		 size_t max, sf_err_t *err)
{
	char sep = r->sep ? r->sep : ',';
	size_t n = 0, pos = 0;
	int rc;

	r->scratch_used = 0;
	while (n < max) {
		sf_str_t raw = sf_str(line.s + pos, line.len - pos);
		sf_str_t t = sf_str_trim(raw);
		const char *c;
		size_t end, next;

		if (n + 1 == max) {
			rc = last_field(r, line, t, &f[n], err);
			if (rc < 0)
				return rc;
			if (!t.len)
				f[n].col = (unsigned)pos + 1;
			return (int)n + 1;
		}
		if (t.len && t.s[0] == '"') {
			size_t q = (size_t)(t.s - line.s);

			rc = unquote(r, line, q, &f[n].v, &next, err);
			if (rc < 0)
				return rc;
			f[n].col = (unsigned)q + 2;
			f[n].v = sf_str_trim(f[n].v);
			/* only blanks up to the separator or the end */
			while (next < line.len &&
			       (line.s[next] == ' ' || line.s[next] == '\t'))
				next++;
			if (next < line.len && line.s[next] != sep)
				return sf_tbl_bad(r, err, (unsigned)next + 1,
						  "text after the closing quote "
						  "of a quoted field");
			n++;
			if (next >= line.len)
				break;
			pos = next + 1;
			continue;
		}
		c = memchr(raw.s, sep, raw.len);
		end = c ? (size_t)(c - line.s) : line.len;
		t = sf_str_trim(sf_str(line.s + pos, end - pos));
		f[n].v = t;
		f[n].col = t.len ? (unsigned)(t.s - line.s) + 1
				 : (unsigned)pos + 1;
		n++;
		if (!c)
			break;
		pos = end + 1;
	}
	return (int)n;
}
