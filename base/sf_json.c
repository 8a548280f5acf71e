/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_json.c - the JSON writer (see sf_json.h).
 */
#include "sf_json.h"

#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void sf_jw_init(sf_jw_t *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
	w->need_comma = false;
	if (cap)
		buf[0] = '\0';
}

static void put(sf_jw_t *w, const char *s, size_t n)
{
	if (w->len + n + 1 > w->cap) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void putc_(sf_jw_t *w, char c)
{
	put(w, &c, 1);
}

/* Length of a valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t need;
	unsigned min;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		need = 2;
		cp = c & 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		need = 3;
		cp = c & 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		need = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

/* 1 for the bytes copied as they are: 0x20..0x7f except '"' and '\\'
 * (DEL included, as before). */
static const unsigned char plain[256] = {
#define R8(x) x, x, x, x, x, x, x, x
	R8(0), R8(0), R8(0), R8(0),
	1, 1, 0, 1, 1, 1, 1, 1, R8(1), R8(1), R8(1),
	R8(1), R8(1), R8(1), 1, 1, 1, 1, 0, 1, 1, 1,
	R8(1), R8(1), R8(1), R8(1),
	R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
	R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
#undef R8
};

void sf_jw_escape(sf_jw_t *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i];
		size_t run = i;

		/* Copy runs of plain printable ASCII in one go. */
#ifdef __SSE2__
		/* 16 bytes at a time while they are all inside s: a signed
		 * compare with 0x20 flags both controls and bytes >= 0x80. */
		while (n - run >= 16) {
			__m128i x = _mm_loadu_si128(
			    (const __m128i *)(const void *)(p + run));
			__m128i bad = _mm_or_si128(
			    _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
			    _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
					 _mm_cmpeq_epi8(x,
							_mm_set1_epi8('\\'))));
			unsigned m = (unsigned)_mm_movemask_epi8(bad);

			if (m) {
				run += (size_t)__builtin_ctz(m);
				break;
			}
			run += 16;
		}
#endif
		while (run < n && plain[p[run]])
			run++;
		if (run > i) {
			put(w, s + i, run - i);
			i = run;
			continue;
		}
		c = p[i];
		if (c == '"') {
			put(w, "\\\"", 2);
		} else if (c == '\\') {
			put(w, "\\\\", 2);
		} else if (c == '\n') {
			put(w, "\\n", 2);
		} else if (c == '\r') {
			put(w, "\\r", 2);
		} else if (c == '\t') {
			put(w, "\\t", 2);
		} else if (c < 0x20 || c == 0x7f) {
			char tmp[8];
			snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			put(w, tmp, 6);
		} else {
			size_t l = utf8_len(p + i, n - i);
			if (l == 0) {
				put(w, "\\ufffd", 6);
				l = 1;
			} else {
				put(w, s + i, l);
			}
			i += l;
			continue;
		}
		i++;
	}
}

static void key(sf_jw_t *w, const char *k)
{
	if (w->need_comma)
		putc_(w, ',');
	w->need_comma = true;
	if (k) {
		putc_(w, '"');
		sf_jw_escape(w, k, strlen(k));
		put(w, "\":", 2);
	}
}

void sf_jw_obj_open(sf_jw_t *w)
{
	key(w, NULL);
	putc_(w, '{');
	w->need_comma = false;
}

void sf_jw_obj_open_key(sf_jw_t *w, const char *k)
{
	key(w, k);
	putc_(w, '{');
	w->need_comma = false;
}

void sf_jw_obj_close(sf_jw_t *w)
{
	putc_(w, '}');
	w->need_comma = true;
}

void sf_jw_arr_open(sf_jw_t *w, const char *k)
{
	key(w, k);
	putc_(w, '[');
	w->need_comma = false;
}

void sf_jw_arr_close(sf_jw_t *w)
{
	putc_(w, ']');
	w->need_comma = true;
}

void sf_jw_strn(sf_jw_t *w, const char *k, const char *s, size_t n)
{
	key(w, k);
	putc_(w, '"');
	if (s)
		sf_jw_escape(w, s, n);
	putc_(w, '"');
}

void sf_jw_str(sf_jw_t *w, const char *k, const char *s)
{
	sf_jw_strn(w, k, s, s ? strlen(s) : 0);
}

void sf_jw_int(sf_jw_t *w, const char *k, long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%lld", v);

	key(w, k);
	put(w, tmp, (size_t)n);
}

void sf_jw_uint(sf_jw_t *w, const char *k, unsigned long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", v);

	key(w, k);
	put(w, tmp, (size_t)n);
}

void sf_jw_double(sf_jw_t *w, const char *k, double v)
{
	char tmp[48];
	int n = snprintf(tmp, sizeof(tmp), "%.6g", v);

	key(w, k);
	put(w, tmp, (size_t)n);
}

void sf_jw_bool(sf_jw_t *w, const char *k, bool v)
{
	key(w, k);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void sf_jw_null(sf_jw_t *w, const char *k)
{
	key(w, k);
	put(w, "null", 4);
}
