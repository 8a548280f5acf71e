/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_sip_lex.h - internal to the scanner's files (sf_sip_*.c): byte
 * classes, the word-at-a-time primitives and the header-line tokenizer
 * (find the CR that ends a line, folds included; trim LWS).
 *
 * Everything here is static inline on purpose: the line finder runs once
 * per line of every message and is the scanner's hot loop, and the
 * scanner was measured with it inlined (callgrind, perf/bench_engine);
 * out-of-line calls per line would cost instructions per verdict.
 *
 * Every read is bounded by the buffer end and by a per-line cap, so the
 * work is O(len) and a crafted message costs about what a normal one of
 * the same size does.
 */
#ifndef SF_SIP_LEX_H
#define SF_SIP_LEX_H

#include <string.h>

#include "sf_sip.h"

/*
 * Word-at-a-time paths: SSE2 where the compiler targets it (all x86-64),
 * else 64-bit SWAR on little-endian machines, else plain bytes.  The
 * SF_SIP_NO_SSE2 and SF_SIP_SCALAR defines force the slower paths so tests
 * can cover all three.
 */
#if defined(__SSE2__) && !defined(SF_SIP_NO_SSE2) && !defined(SF_SIP_SCALAR)
#define SF_USE_SSE2 1
#include <emmintrin.h>
#else
#define SF_USE_SSE2 0
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ &&    \
    !defined(SF_SIP_SCALAR)
#define SF_LE 1
#else
#define SF_LE 0
#endif

/* RFC 3261 §25.1 token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" /
 * "+" / "`" / "'" / "~") */
static const unsigned char tok_tab[256] = {
    ['!'] = 1, ['%'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1, ['-'] = 1,
    ['.'] = 1, ['_'] = 1, ['`'] = 1,  ['~'] = 1, ['0'] = 1, ['1'] = 1,
    ['2'] = 1, ['3'] = 1, ['4'] = 1,  ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['A'] = 1,  ['B'] = 1, ['C'] = 1, ['D'] = 1,
    ['E'] = 1, ['F'] = 1, ['G'] = 1,  ['H'] = 1, ['I'] = 1, ['J'] = 1,
    ['K'] = 1, ['L'] = 1, ['M'] = 1,  ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1,  ['T'] = 1, ['U'] = 1, ['V'] = 1,
    ['W'] = 1, ['X'] = 1, ['Y'] = 1,  ['Z'] = 1, ['a'] = 1, ['b'] = 1,
    ['c'] = 1, ['d'] = 1, ['e'] = 1,  ['f'] = 1, ['g'] = 1, ['h'] = 1,
    ['i'] = 1, ['j'] = 1, ['k'] = 1,  ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1,  ['r'] = 1, ['s'] = 1, ['t'] = 1,
    ['u'] = 1, ['v'] = 1, ['w'] = 1,  ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

static inline bool is_tok(unsigned char c) { return tok_tab[c] != 0; }

static inline bool is_wsp(unsigned char c) { return c == ' ' || c == '\t'; }

/* Control bytes and DEL: never allowed before the body, except HT. */
static inline bool is_special(unsigned char c) { return c < 0x20 || c == 0x7f; }

/* The bytes the line scanner stops at: CR, and every refused byte. */
static inline bool is_stop(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static inline uint64_t ld8(const void *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
	return x;
}

#define ONES 0x0101010101010101ULL
#define LOW7 0x7f7f7f7f7f7f7f7fULL
#define HIGHS 0x8080808080808080ULL

/* 0x80 in each byte of x that is zero, exactly (no borrow between bytes). */
static inline uint64_t zero_bytes(uint64_t x)
{
	return ~(((x & LOW7) + LOW7) | x | LOW7);
}

/*
 * Stop bytes are found a block at a time: 16 bytes with SSE2, else 8 with
 * exact per-byte SWAR masks on little-endian machines (no borrow between
 * bytes, so every flagged byte is a real one), else one by one.  A block
 * gives a mask with one bit (SSE2) or one 0x80 (SWAR) per stop byte; the
 * caller walks the set bits, so dense input (folds every few bytes) costs
 * a few instructions per stop instead of a new search each time.  HT is
 * not a stop: it is allowed anywhere in the header section.
 */
#if SF_USE_SSE2
#define BLK 16
#define BSHIFT 0
static inline uint64_t stop_block(const unsigned char *p)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);
	__m128i bad = _mm_or_si128(
	    _mm_andnot_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\t')), ctl),
	    _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));

	return (unsigned)_mm_movemask_epi8(bad);
}
#elif SF_LE
#define BLK 8
#define BSHIFT 3
static inline uint64_t stop_block(const unsigned char *p)
{
	uint64_t x = ld8(p);
	/* byte < 0x20: low 7 bits + 0x60 carry into bit 7 iff >= 0x20 */
	uint64_t lt20 = ~(((x & LOW7) + ONES * 0x60) | x) & HIGHS;

	return (lt20 & ~zero_bytes(x ^ (ONES * '\t'))) |
	       (zero_bytes(x ^ LOW7) & HIGHS);
}
#else
#define BLK 0
#endif

/*
 * The stop byte at j: 1 if it is the CR ending the line, 0 if it starts a
 * fold (CRLF SP/HT; the LF at j + 1 is then to be ignored), -1 with *err
 * for a bare CR or LF, another control byte, or a CR at the very end.
 */
static inline int at_stop(const unsigned char *b, size_t j, size_t end,
			  bool fold, sf_sip_error_t *err)
{
	if (b[j] == '\r') {
		if (j + 1 >= end) {
			*err = SF_SIP_E_NO_END;
			return -1;
		}
		if (b[j + 1] != '\n') {
			*err = SF_SIP_E_LINE_ENDING;
			return -1;
		}
		if (fold && j + 2 < end && is_wsp(b[j + 2]))
			return 0;
		return 1;
	}
	*err = b[j] == '\n' ? SF_SIP_E_LINE_ENDING : SF_SIP_E_CONTROL_CHAR;
	return -1;
}

#if BLK
/*
 * The stop bytes of the block at i (mask from stop_block), in order: 1
 * with *cr at the line's CR, -1 with *where and *e on a refused byte, 0
 * when the block holds neither (*skip: a fold's LF, to be ignored).
 */
static inline int walk_block(const unsigned char *b, size_t i, uint64_t mask,
			     size_t end, bool fold, size_t *skip, size_t *cr,
			     size_t *where, sf_sip_error_t *e)
{
	while (mask) {
		size_t j = i + ((size_t)__builtin_ctzll(mask) >> BSHIFT);
		int r;

		mask &= mask - 1;
		if (j == *skip)
			continue;
		r = at_stop(b, j, end, fold, e);
		if (r > 0) {
			*cr = j;
			return 1;
		}
		if (r < 0) {
			*where = j;
			return -1;
		}
		*skip = j + 1;
	}
	return 0;
}
#endif

/*
 * Finds the CR that ends the line starting at pos.  With fold, CRLF SP/HT
 * continues the line (RFC 3261 §7.3.1).  The line's bytes before that CR
 * (folds included) may number at most SF_SIP_MAX_LINE.  Returns SF_SIP_OK
 * with *cr set, or an error with *where set.  Reads only below end.
 */
static inline __attribute__((always_inline)) sf_sip_error_t
find_eol(const unsigned char *b, size_t pos, size_t end, bool fold, size_t *cr,
	 size_t *where)
{
	size_t cap = pos + SF_SIP_MAX_LINE + 1; /* CR may sit at pos+MAX */
	size_t lim = cap < end ? cap : end;
	size_t i = pos, skip = (size_t)-1; /* skip: a fold's LF */
	sf_sip_error_t e = SF_SIP_OK;
	int r;

#if BLK
	/* whole blocks below lim (one compare per block), then at most one
	 * block that reaches past lim but not past end, masked to lim */
	while (lim - i >= BLK) {
		r = walk_block(b, i, stop_block(b + i), end, fold, &skip, cr,
			       where, &e);
		if (r > 0)
			return SF_SIP_OK;
		if (r < 0)
			return e;
		i += BLK;
	}
	if (i < lim && end - i >= BLK) {
		uint64_t mask = stop_block(b + i) &
				(((uint64_t)1 << ((lim - i) << BSHIFT)) - 1);

		r = walk_block(b, i, mask, end, fold, &skip, cr, where, &e);
		if (r > 0)
			return SF_SIP_OK;
		if (r < 0)
			return e;
		i = lim;
	}
#endif
	for (; i < lim; i++) {
		if (!is_stop(b[i]) || i == skip)
			continue;
		r = at_stop(b, i, end, fold, &e);
		if (r > 0) {
			*cr = i;
			return SF_SIP_OK;
		}
		if (r < 0) {
			*where = i;
			return e;
		}
		skip = i + 1;
	}
	*where = lim;
	return lim == end ? SF_SIP_E_NO_END : SF_SIP_E_LINE_TOO_LONG;
}

/* Strips LWS (SP, HT, and CRLF followed by SP/HT) from both ends. */
static inline sf_str_t trim_lws(const char *s, size_t n)
{
	/* the usual shape, "Name: value": one SP, then no LWS at either
	 * end (the last byte is no LWS byte and no LF of a fold) */
	if (n >= 2 && s[0] == ' ' && (unsigned char)s[1] > ' ' &&
	    (unsigned char)s[n - 1] > ' ')
		return sf_str(s + 1, n - 1);
	for (;;) {
		if (n && is_wsp((unsigned char)*s)) {
			s++;
			n--;
		} else if (n >= 3 && s[0] == '\r' && s[1] == '\n' &&
			   is_wsp((unsigned char)s[2])) {
			s += 3;
			n -= 3;
		} else {
			break;
		}
	}
	for (;;) {
		if (n && is_wsp((unsigned char)s[n - 1]))
			n--;
		else if (n >= 2 && s[n - 2] == '\r' && s[n - 1] == '\n')
			n -= 2;
		else
			break;
	}
	return sf_str(s, n);
}

/* Case-insensitive compare of n bytes of a token with a lower-case literal.
 * Token bytes only map onto lower-case letters from upper-case ones under
 * "| 0x20", so the cheap fold is exact here. */
static inline bool name_is(const char *s, const char *lit, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] | 0x20) != (unsigned char)lit[i])
			return false;
	return true;
}

/* 1*10DIGIT; RFC 3261 §20.14.  Returns false on anything else. */
static inline bool parse_digits10(sf_str_t v, uint64_t *out)
{
	uint64_t n = 0;

	if (v.len < 1 || v.len > 10)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.s[i];

		if (!sf_isdigit(c))
			return false;
		n = n * 10 + (c - '0');
	}
	*out = n;
	return true;
}

#endif
