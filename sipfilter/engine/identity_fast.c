/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * identity_fast.c - the strict "plain identity" grammar (identity_fast.h).
 *
 * A recogniser only: it says whether a header value or Request-URI is in
 * a deliberately small subset of RFC 3261 §25.1 / RFC 3966 for which
 * libosip2's reading is known to equal ours, so sf_identity.c may skip
 * libosip2.  Saying "no" is always safe (libosip2 then decides), so every
 * rule here errs towards "no".  O(len), no allocation.
 */
#include "identity_fast.h"

/* Character classes, one bit each, for the ASCII half (the other half is
 * in no class).  Generated from the sets named in the comments. */
enum {
	C_ALNUM = 0x01, /* A-Z a-z 0-9 */
	C_TOKEN = 0x02, /* RFC 3261 token minus '%': alnum -.!*_+`'~ */
	C_USER = 0x04,  /* user part: alnum -_.!~*'()+;=&$ (no ':' '@' ',') */
	C_PCHAR = 0x08, /* URI/header parameter: alnum -_.!~*'+ */
	C_TEL = 0x10,   /* tel number: 0-9 + - . ( ) */
	C_HEX = 0x20,
	C_HOST = 0x40,  /* alnum - . */
};

static const unsigned char cclass[256] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x0e, 0x00, 0x00, 0x04, 0x00, 0x04, 0x0e,
	0x14, 0x14, 0x0e, 0x1e, 0x00, 0x5e, 0x5e, 0x00,
	0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f,
	0x7f, 0x7f, 0x00, 0x04, 0x00, 0x04, 0x00, 0x00,
	0x00, 0x6f, 0x6f, 0x6f, 0x6f, 0x6f, 0x6f, 0x4f,
	0x4f, 0x4f, 0x4f, 0x4f, 0x4f, 0x4f, 0x4f, 0x4f,
	0x4f, 0x4f, 0x4f, 0x4f, 0x4f, 0x4f, 0x4f, 0x4f,
	0x4f, 0x4f, 0x4f, 0x00, 0x00, 0x00, 0x00, 0x0e,
	0x02, 0x6f, 0x6f, 0x6f, 0x6f, 0x6f, 0x6f, 0x4f,
	0x4f, 0x4f, 0x4f, 0x4f, 0x4f, 0x4f, 0x4f, 0x4f,
	0x4f, 0x4f, 0x4f, 0x4f, 0x4f, 0x4f, 0x4f, 0x4f,
	0x4f, 0x4f, 0x4f, 0x00, 0x00, 0x00, 0x0e, 0x00,
};

/* The upper half of cclass is zero: non-ASCII bytes are in no class. */
static inline bool in(unsigned char c, unsigned cls)
{
	return (cclass[c] & cls) != 0;
}

/*
 * Advances *i over characters of class cls (one class bit), and over
 * %HH escapes (not %00) when esc.  Returns false on a bad escape.  The
 * inner loops test four bytes, then one, a table load each; escapes are
 * rare.
 */
static inline bool span(const char *s, size_t len, size_t *pi, unsigned cls,
			bool esc)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = *pi;

	for (;;) {
		/* four bytes a test while they last, then one */
		while (len - i >= 4 && (cclass[u[i]] & cclass[u[i + 1]] &
					cclass[u[i + 2]] & cclass[u[i + 3]] &
					cls))
			i += 4;
		while (i < len && (cclass[u[i]] & cls))
			i++;
		if (!esc || i >= len || u[i] != '%')
			break;
		if (len - i < 3 || !in(u[i + 1], C_HEX) ||
		    !in(u[i + 2], C_HEX) || (u[i + 1] == '0' && u[i + 2] == '0'))
			return false;
		i += 3;
	}
	*pi = i;
	return true;
}

/* *( ";" pname [ "=" pvalue ] ) up to end; no blanks. */
static bool params(const char *s, size_t len, size_t i)
{
	while (i < len) {
		size_t st;

		if (s[i] != ';')
			return false;
		st = ++i;
		if (!span(s, len, &i, C_PCHAR, true) || i == st)
			return false;
		if (i < len && s[i] == '=') {
			st = ++i;
			if (!span(s, len, &i, C_PCHAR, true) || i == st)
				return false;
		}
	}
	return true;
}

/* host [":" port]; returns the index after it, or 0 on failure; *host
 * gets the host without the port. */
static size_t hostport(const char *s, size_t len, size_t i, sf_str_t *host)
{
	size_t st = i;

	if (i < len && s[i] == '[') {
		for (i++; i < len && (in((unsigned char)s[i], C_HEX) ||
				      s[i] == ':' || s[i] == '.');
		     i++)
			;
		if (i >= len || s[i] != ']' || i == st + 1)
			return 0;
		i++;
	} else {
		const unsigned char *u = (const unsigned char *)s;

		if (i >= len || !in(u[i], C_ALNUM))
			return 0;
		while (len - i >= 4 && (cclass[u[i]] & cclass[u[i + 1]] &
					cclass[u[i + 2]] & cclass[u[i + 3]] &
					C_HOST))
			i += 4;
		while (i < len && in(u[i], C_HOST))
			i++;
	}
	*host = sf_str(s + st, i - st);
	if (i < len && s[i] == ':') {
		size_t p = ++i;

		while (i < len && sf_isdigit(s[i]) && i - p < 5)
			i++;
		if (i == p || (i < len && sf_isdigit(s[i])))
			return 0;
	}
	return i;
}

/*
 * A URI of the subset; with_params = URI parameters allowed (inside <>
 * or as Request-URI), else the URI is an addr-spec and ends before ';'.
 * Fills p->tel, p->user, p->host and p->tparams (views into s).
 */
static bool uri_ok(const char *s, size_t len, bool with_params,
		   sf_idfast_parts_t *p)
{
	size_t i, st;

	if (len > 4 && memcmp(s, "tel:", 4) == 0) {
		i = 4;
		while (i < len && in((unsigned char)s[i], C_TEL))
			i++;
		/* libosip2 refuses a URI with fewer than two bytes after
		 * the scheme ("tel:1"); leave those to it */
		if (i < 6)
			return false;
		p->tel = true;
		p->user = sf_str(s + 4, i - 4);
		p->host = SF_STR_NULL;
		/* params() insists on a name after each ';', so a ';' here
		 * is followed by at least one byte */
		p->tparams = i < len ? sf_str(s + i + 1, len - i - 1)
				     : SF_STR_NULL;
		return with_params ? params(s, len, i) : i == len;
	}
	if (len > 4 && memcmp(s, "sip:", 4) == 0)
		i = 4;
	else if (len > 5 && memcmp(s, "sips:", 5) == 0)
		i = 5;
	else
		return false;
	st = i;
	if (!span(s, len, &i, C_USER, true) || i == st || i >= len ||
	    s[i] != '@')
		return false;
	p->tel = false;
	p->user = sf_str(s + st, i - st);
	p->tparams = SF_STR_NULL;
	st = i + 1;
	i = hostport(s, len, st, &p->host);
	if (i == 0)
		return false;
	return with_params ? params(s, len, i) : i == len;
}

bool sf_idfast_value_parse(const char *s, size_t len, sf_idfast_parts_t *p)
{
	size_t i = 0, lt, gt;

	while (i < len && s[i] == ' ')
		i++;
	while (len > i && s[len - 1] == ' ')
		len--;
	if (i == len)
		return false;
	if (s[i] == '"') {
		/* quoted display name: no quoted-pair, no control byte */
		for (i++; i < len && s[i] != '"'; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c < 0x20 || c == 0x7f || c == '\\')
				return false;
		}
		if (i >= len)
			return false;
		i++;
		while (i < len && s[i] == ' ')
			i++;
		if (i >= len || s[i] != '<')
			return false;
	} else if (s[i] != '<') {
		size_t st = i;

		/* token words, or an addr-spec */
		while (i < len &&
		       (in((unsigned char)s[i], C_TOKEN) || s[i] == ' '))
			i++;
		if (i >= len || s[i] != '<') {
			/* addr-spec: URI up to ';', then header params */
			const char *semi = memchr(s + st, ';', len - st);
			size_t end = semi ? (size_t)(semi - s) : len;

			p->uri = sf_str(s + st, end - st);
			p->hparams = sf_str(s + end, len - end);
			return uri_ok(s + st, end - st, false, p) &&
			       params(s, len, end);
		}
	}
	lt = i;
	{
		const char *g = memchr(s + lt + 1, '>', len - lt - 1);

		if (!g)
			return false;
		gt = (size_t)(g - s);
	}
	p->uri = sf_str(s + lt + 1, gt - lt - 1);
	if (!uri_ok(s + lt + 1, gt - lt - 1, true, p))
		return false;
	i = gt + 1;
	while (i < len && s[i] == ' ')
		i++;
	p->hparams = sf_str(s + i, len - i);
	return params(s, len, i);
}

bool sf_idfast_value_ok(const char *s, size_t len)
{
	sf_idfast_parts_t p;

	return sf_idfast_value_parse(s, len, &p);
}

bool sf_idfast_ruri_parse(const char *s, size_t len, sf_idfast_parts_t *p)
{
	p->uri = sf_str(s, len);
	p->hparams = SF_STR_NULL;
	return uri_ok(s, len, true, p);
}

bool sf_idfast_ruri_ok(const char *s, size_t len)
{
	sf_idfast_parts_t p;

	return sf_idfast_ruri_parse(s, len, &p);
}
