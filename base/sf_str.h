/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_str.h - length-based string views.
 *
 * SIP fields are views into the received bytes: they are not NUL-terminated
 * and may contain any byte.  Everything that looks at untrusted text takes a
 * view, never a C string, so an embedded NUL cannot shorten what is checked.
 * Helpers here are ASCII-only and locale-independent on purpose.
 */
#ifndef SF_STR_H
#define SF_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct sf_str {
	const char *s;
	size_t len;
} sf_str_t;

#define SF_STR_NULL ((sf_str_t){NULL, 0})
#define SF_STR_LIT(lit) ((sf_str_t){(lit), sizeof(lit) - 1})

static inline sf_str_t sf_str(const char *s, size_t len)
{
	return (sf_str_t){s, len};
}

static inline sf_str_t sf_str_c(const char *cstr)
{
	return (sf_str_t){cstr, cstr ? strlen(cstr) : 0};
}

static inline bool sf_isdigit(int c) { return c >= '0' && c <= '9'; }
static inline bool sf_isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline int sf_tolower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Byte-exact equality. */
static inline bool sf_str_eq(sf_str_t a, sf_str_t b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.s, b.s, a.len) == 0);
}

/* ASCII case-insensitive equality with a C string literal. */
static inline bool sf_str_ieq_c(sf_str_t a, const char *b)
{
	size_t i;

	for (i = 0; i < a.len; i++) {
		if (!b[i] || sf_tolower((unsigned char)a.s[i]) !=
				     sf_tolower((unsigned char)b[i]))
			return false;
	}
	return b[i] == '\0';
}

/* Strips SP and HTAB at both ends. */
static inline sf_str_t sf_str_trim(sf_str_t v)
{
	while (v.len && (v.s[0] == ' ' || v.s[0] == '\t')) {
		v.s++;
		v.len--;
	}
	while (v.len && (v.s[v.len - 1] == ' ' || v.s[v.len - 1] == '\t'))
		v.len--;
	return v;
}

/*
 * Copies v into buf as a C string, truncating to size-1 bytes.  Returns
 * buf.  Use only for display: the copy may hide an embedded NUL.
 */
static inline char *sf_str_copy(sf_str_t v, char *buf, size_t size)
{
	size_t n = v.len < size - 1 ? v.len : size - 1;

	if (n)
		memcpy(buf, v.s, n);
	buf[n] = '\0';
	return buf;
}

#endif
