/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_normalize.c - presented number -> key form (see sf_normalize.h).
 *
 * Every calling-number decision in sipfilter rests on this file: two
 * spellings of one number must give one key, and a spelling that a lookup
 * would truncate or misread must give no key at all.  So the reading is
 * done once, here, over explicit lengths: escapes are decoded into a small
 * digit buffer (never into a C string, so %00 cannot shorten anything),
 * every byte is classified as digit, visual separator or '+', and anything
 * else refuses the number.  The dialling rules are then tried in the fixed
 * order documented in sf_normalize.h.
 *
 * No allocation, no globals; work is bounded by SF_NORM_MAX_INPUT bytes.
 */
#include "sf_normalize.h"

#include <string.h>

/* Raw digits kept while reading: 15 E.164 digits behind the longest
 * international prefix, with room to spare. */
#define DIGITS_CAP 32

typedef struct digits {
	char d[DIGITS_CAP];
	size_t n;
	bool plus;
} digits_t;

/* How a digit string is read: URI user part (escapes, no raw space) or
 * typed text (no escapes, raw space allowed). */
enum read_mode { MODE_URI, MODE_TEXT };

static const char *const anonymous_words[] = {
	"anonymous", "unknown", "restricted", "unavailable", "private",
	"withheld",
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = sf_tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool is_separator(int c)
{
	/* RFC 3966 §3 visual-separator, plus space (see sf_normalize.h). */
	return c == '-' || c == '.' || c == '(' || c == ')' || c == ' ';
}

/*
 * Reads s into *out: digits, at most one leading '+', separators dropped.
 * In MODE_URI %HH escapes are decoded; an escape that is malformed, is %00
 * or decodes to anything but a digit, separator or '+' is BAD_ESCAPE; a
 * raw space is BAD_CHAR (a URI cannot hold one; %20 is accepted).  In
 * MODE_TEXT '%' is an ordinary (bad) byte and raw space is a separator.
 */
static sf_norm_status_t read_digits(sf_str_t s, enum read_mode mode,
				    digits_t *out)
{
	bool first = true;
	size_t i = 0;

	out->n = 0;
	out->plus = false;
	if (s.len && s.s[0] == '+') {
		out->plus = true;
		first = false;
		i = 1;
	}
	while (i < s.len) {
		int c = (unsigned char)s.s[i];
		bool escaped = false;

		/* runs of plain digits, the common case, in a tight loop */
		if (sf_isdigit(c)) {
			size_t n = out->n;

			/* eight digits at a time while they fit: each byte
			 * 0x30..0x39 (high nibble 3, low nibble + 6 < 16;
			 * no carry crosses a byte) */
			while (s.len - i >= 8 && DIGITS_CAP - n >= 8) {
				uint64_t x;

				memcpy(&x, s.s + i, 8);
				if ((x & 0xF0F0F0F0F0F0F0F0ull) !=
					    0x3030303030303030ull ||
				    (((x & 0x0F0F0F0F0F0F0F0Full) +
				      0x0606060606060606ull) &
				     0xF0F0F0F0F0F0F0F0ull))
					break;
				memcpy(out->d + n, &x, 8);
				n += 8;
				i += 8;
			}
			while (i < s.len &&
			       sf_isdigit(c = (unsigned char)s.s[i])) {
				if (n >= DIGITS_CAP) {
					out->n = n;
					return SF_NORM_TOO_LONG;
				}
				out->d[n++] = (char)c;
				i++;
			}
			out->n = n;
			first = false;
			continue;
		}

		if (c == '%' && mode == MODE_URI) {
			int hi, lo;

			if (s.len - i < 3)
				return SF_NORM_BAD_ESCAPE;
			hi = hexval((unsigned char)s.s[i + 1]);
			lo = hexval((unsigned char)s.s[i + 2]);
			if (hi < 0 || lo < 0)
				return SF_NORM_BAD_ESCAPE;
			c = hi * 16 + lo;
			if (c == 0)
				return SF_NORM_BAD_ESCAPE;
			escaped = true;
			i += 3;
		} else {
			i++;
		}
		if (sf_isdigit(c)) {
			if (out->n >= DIGITS_CAP)
				return SF_NORM_TOO_LONG;
			out->d[out->n++] = (char)c;
		} else if (c == '+') {
			if (!first)
				return escaped ? SF_NORM_BAD_ESCAPE
					       : SF_NORM_BAD_CHAR;
			out->plus = true;
		} else if (is_separator(c) &&
			   (c != ' ' || escaped || mode == MODE_TEXT)) {
			/* dropped */
		} else {
			return escaped ? SF_NORM_BAD_ESCAPE : SF_NORM_BAD_CHAR;
		}
		first = false;
	}
	return SF_NORM_OK;
}

static bool is_anonymous_word(sf_str_t s)
{
	/* every word is 7..11 letters: numbers leave at the first test */
	if (s.len < 7 || s.len > 11 || !sf_isalpha((unsigned char)s.s[0]))
		return false;
	for (size_t i = 0; i < sizeof(anonymous_words) /
				       sizeof(anonymous_words[0]); i++)
		if (sf_str_ieq_c(s, anonymous_words[i]))
			return true;
	return false;
}

static sf_norm_status_t fail(sf_norm_status_t st, sf_num_t *out)
{
	memset(out, 0, sizeof(*out));
	return st;
}

/* Writes a key: a[0..an) followed by b[0..bn). */
static sf_norm_status_t emit(sf_num_kind_t kind, const char *a, size_t an,
			     const char *b, size_t bn, sf_num_t *out)
{
	size_t max = kind == SF_NUM_SHORT ? SF_NUM_MAX : SF_NORM_MAX_DIGITS;

	if (an + bn > max)
		return fail(SF_NORM_TOO_LONG, out);
	memset(out, 0, sizeof(*out));
	if (an)
		memcpy(out->d, a, an);
	if (bn)
		memcpy(out->d + an, b, bn);
	out->len = (uint8_t)(an + bn);
	out->d[out->len] = '\0';
	out->kind = (uint8_t)kind;
	return SF_NORM_OK;
}

/* strnlen for the config's few-byte strings: a loop beats the call. */
static inline size_t short_len(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

static bool starts_with(const char *d, size_t n, const char *p, size_t pn)
{
	/* prefixes are a few digits: a loop beats a memcmp call */
	if (!pn || n < pn)
		return false;
	for (size_t i = 0; i < pn; i++)
		if (d[i] != p[i])
			return false;
	return true;
}

/* A digit string read as international without '+' (after an
 * international prefix, or the no-context fallback). */
static bool plausible_intl(const char *d, size_t n)
{
	return n >= SF_NORM_MIN_INTL && n <= SF_NORM_MAX_DIGITS && d[0] != '0';
}

/*
 * The national dialling rules, steps 2-7 of sf_normalize.h.  fallback
 * enables step 7 (8..15 digits read as E.164 without '+'), which applies
 * only when no phone-context was given.
 */
static sf_norm_status_t national(const sf_dialling_t *dr, const char *d,
				 size_t n, bool fallback, sf_num_t *out)
{
	size_t cc_len, np_len, nl = dr->national_length, best = 0;
	size_t n_ip = dr->n_intl_prefixes < SF_CFG_PREFIX_MAX
			      ? dr->n_intl_prefixes
			      : SF_CFG_PREFIX_MAX;

	if (n == 0)
		return fail(SF_NORM_TOO_SHORT, out);
	/* 2. international prefix, longest first ("810" before "8").  The
	 * result depends only on the prefix length, so the longest prefix
	 * that matches and leaves a plausible number wins; prefixes whose
	 * first digit differs are not even measured. */
	for (size_t i = 0; i < n_ip; i++) {
		const char *p = dr->intl_prefixes[i];
		size_t pl;

		if (p[0] != d[0])
			continue;
		pl = short_len(p, sizeof(dr->intl_prefixes[i]));
		if (pl > best && starts_with(d, n, p, pl) &&
		    plausible_intl(d + pl, n - pl))
			best = pl;
	}
	if (best)
		return emit(SF_NUM_E164, d + best, n - best, NULL, 0, out);
	cc_len = short_len(dr->country_code, sizeof(dr->country_code));
	np_len = short_len(dr->national_prefix, sizeof(dr->national_prefix));
	if (cc_len && nl) {
		/* 3. national prefix + NSN: 8 701 123 45 67 */
		if (np_len && n == np_len + nl &&
		    starts_with(d, n, dr->national_prefix, np_len))
			return emit(SF_NUM_E164, dr->country_code, cc_len,
				    d + np_len, nl, out);
		/* 4. country code + NSN without '+': 7 701 123 45 67 */
		if (n == cc_len + nl && starts_with(d, n, dr->country_code,
						    cc_len))
			return emit(SF_NUM_E164, d, n, NULL, 0, out);
		/* 5. bare NSN: 701 123 45 67 */
		if (n == nl)
			return emit(SF_NUM_E164, dr->country_code, cc_len, d,
				    n, out);
	}
	/* 6. short code, keyed with a leading '0' (base/sf_num.h). */
	if (n <= dr->max_short_length && n < SF_NUM_MAX)
		return emit(SF_NUM_SHORT, "0", 1, d, n, out);
	/* 7. international without '+' (foreign carriers often drop it). */
	if (fallback && plausible_intl(d, n))
		return emit(SF_NUM_E164, d, n, NULL, 0, out);
	return fail(n > SF_NORM_MAX_DIGITS ? SF_NORM_TOO_LONG
					   : SF_NORM_TOO_SHORT, out);
}

/* A domain-name phone-context: RFC 3966 domainname, loosely (alnum, '-',
 * '.'); we only need to tell it from garbage. */
static bool is_domain(sf_str_t s)
{
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		int c = (unsigned char)s.s[i];

		if (!sf_isdigit(c) && !sf_isalpha(c) && c != '-' && c != '.')
			return false;
	}
	return true;
}

int sf_norm_find_context(sf_str_t params, sf_str_t *ctx)
{
	static const char pc[] = "phone-context";
	const size_t pcl = sizeof(pc) - 1;

	while (params.len) {
		const char *e = memchr(params.s, ';', params.len);
		size_t plen = e ? (size_t)(e - params.s) : params.len;
		sf_str_t p = sf_str(params.s, plen);

		if (p.len >= pcl && sf_str_ieq_c(sf_str(p.s, pcl), pc) &&
		    (p.len == pcl || p.s[pcl] == '=')) {
			if (p.len <= pcl + 1)
				return -1;
			*ctx = sf_str(p.s + pcl + 1, p.len - pcl - 1);
			return 1;
		}
		params.s += plen + (e != NULL);
		params.len -= plen + (e != NULL);
	}
	return 0;
}

static sf_norm_status_t normalize(const sf_dialling_t *dr, sf_str_t user,
				  sf_str_t ctx, enum read_mode mode,
				  sf_num_t *out)
{
	sf_str_t number = user;
	digits_t num, cd;
	sf_norm_status_t st;
	size_t cc_len;
	const char *semi;

	if (user.len == 0 || !user.s)
		return fail(SF_NORM_EMPTY, out);
	if (user.len > SF_NORM_MAX_INPUT)
		return fail(SF_NORM_TOO_LONG, out);
	/* User parameters (RFC 4694 npdi/rn, RFC 3966 isub/ext/
	 * phone-context) start at the first ';'; only phone-context is
	 * read, and only if the caller did not pass one. */
	semi = memchr(user.s, ';', user.len);
	if (semi) {
		number.len = (size_t)(semi - user.s);
		sf_str_t params = sf_str(semi + 1, user.len - number.len - 1);

		if (ctx.len == 0 && sf_norm_find_context(params, &ctx) < 0)
			return fail(SF_NORM_BAD_CONTEXT, out);
	}
	if (number.len == 0)
		return fail(SF_NORM_EMPTY, out);
	if (number.len > SF_NORM_MAX_NUMBER)
		return fail(SF_NORM_TOO_LONG, out);
	if (is_anonymous_word(number))
		return fail(SF_NORM_ANONYMOUS, out);
	st = read_digits(number, mode, &num);
	if (st != SF_NORM_OK)
		return fail(st, out);

	/* 1. A global number: '+' and E.164 digits; any context is moot
	 * (RFC 3966 §5.1.5 gives contexts to local numbers only). */
	if (num.plus) {
		if (num.n > SF_NORM_MAX_DIGITS)
			return fail(SF_NORM_TOO_LONG, out);
		if (num.n < SF_NORM_MIN_E164)
			return fail(SF_NORM_TOO_SHORT, out);
		if (num.d[0] == '0')
			return fail(SF_NORM_BAD_CHAR, out);
		return emit(SF_NUM_E164, num.d, num.n, NULL, 0, out);
	}
	if (ctx.len == 0)
		return national(dr, num.d, num.n, true, out);
	if (ctx.len > SF_NORM_MAX_NUMBER)
		return fail(SF_NORM_BAD_CONTEXT, out);

	/* A local number with a phone-context (RFC 3966 §5.1.5). */
	if (ctx.len && (ctx.s[0] == '+' ||
			(mode == MODE_URI && ctx.len >= 3 && ctx.s[0] == '%' &&
			 ctx.s[1] == '2' && sf_tolower(ctx.s[2]) == 'b'))) {
		if (read_digits(ctx, mode, &cd) != SF_NORM_OK || !cd.plus ||
		    cd.n == 0 || cd.n > SF_NORM_MAX_DIGITS || cd.d[0] == '0')
			return fail(SF_NORM_BAD_CONTEXT, out);
		cc_len = strnlen(dr->country_code, sizeof(dr->country_code));
		if (cd.n == cc_len &&
		    memcmp(cd.d, dr->country_code, cc_len) == 0)
			return national(dr, num.d, num.n, false, out);
		if (num.n == 0 || cd.n + num.n < SF_NORM_MIN_E164)
			return fail(SF_NORM_TOO_SHORT, out);
		return emit(SF_NUM_E164, cd.d, cd.n, num.d, num.n, out);
	}
	if (!is_domain(ctx))
		return fail(SF_NORM_BAD_CONTEXT, out);
	st = national(dr, num.d, num.n, false, out);
	return st == SF_NORM_OK ? st : fail(SF_NORM_BAD_CONTEXT, out);
}

sf_norm_status_t sf_normalize(const sf_dialling_t *d, sf_str_t user,
			      sf_str_t phone_context, sf_num_t *out)
{
	return normalize(d, user, phone_context, MODE_URI, out);
}

sf_norm_status_t sf_normalize_text(const sf_dialling_t *d, const char *text,
				   sf_num_t *out)
{
	sf_str_t t;

	if (!text)
		return fail(SF_NORM_EMPTY, out);
	/* Bounded: never measure more than one byte past the cap. */
	t = sf_str_trim(sf_str(text, strnlen(text, SF_NORM_MAX_INPUT + 1)));
	return normalize(d, t, SF_STR_NULL, MODE_TEXT, out);
}

const char *sf_norm_status_name(sf_norm_status_t s)
{
	switch (s) {
	case SF_NORM_OK:
		return "ok";
	case SF_NORM_EMPTY:
		return "empty";
	case SF_NORM_ANONYMOUS:
		return "anonymous";
	case SF_NORM_BAD_CHAR:
		return "bad-char";
	case SF_NORM_BAD_ESCAPE:
		return "bad-escape";
	case SF_NORM_TOO_LONG:
		return "too-long";
	case SF_NORM_TOO_SHORT:
		return "too-short";
	case SF_NORM_BAD_CONTEXT:
		return "bad-context";
	case SF_NORM_BAD_URI:
		return "bad-uri";
	}
	return "?";
}
