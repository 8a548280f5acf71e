/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_sip.c - the strict, bounded, linear SIP message scanner (sf_sip.h).
 *
 * One left-to-right pass over the bytes.  Each line is delimited by a
 * word-at-a-time search for "special" bytes (controls, DEL): CR ends the
 * line (or starts a fold), HT is allowed, everything else special is
 * refused, so line finding and the control-byte check are the same loop.
 * Header names go through a token table and a switch on (length, first
 * letter) before one case-insensitive compare.  Only the values the filter
 * relies on (From, To, Call-ID, CSeq, Content-Length, Via presence) are
 * looked into; all other values are delimited and left alone.
 *
 * Every read is bounded by the buffer end and by a per-line cap, so the
 * work is O(len) and a crafted message costs about what a normal one of
 * the same size does.
 */
#include "sf_sip.h"

#include <string.h>

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

/* n >= 1 token bytes (the scanner has checked them). */
static sf_hdr_id_t hdr_id_tok(const char *s, size_t n)
{
	unsigned char c0 = (unsigned char)s[0] | 0x20;

#define IS(lit) name_is(s, lit, n)
	switch (n) {
	case 1: /* RFC 3261 §7.3.3 compact forms */
		switch (c0) {
		case 'v':
			return SF_HDR_VIA;
		case 'f':
			return SF_HDR_FROM;
		case 't':
			return SF_HDR_TO;
		case 'i':
			return SF_HDR_CALL_ID;
		case 'l':
			return SF_HDR_CONTENT_LENGTH;
		case 'c':
			return SF_HDR_CONTENT_TYPE;
		case 'm':
			return SF_HDR_CONTACT;
		}
		break;
	case 2:
		if (IS("to"))
			return SF_HDR_TO;
		break;
	case 3:
		if (IS("via"))
			return SF_HDR_VIA;
		break;
	case 4:
		if (c0 == 'f' && IS("from"))
			return SF_HDR_FROM;
		if (c0 == 'c' && IS("cseq"))
			return SF_HDR_CSEQ;
		break;
	case 5:
		if (IS("route"))
			return SF_HDR_ROUTE;
		break;
	case 7:
		if (c0 == 'c' && IS("call-id"))
			return SF_HDR_CALL_ID;
		if (c0 == 'c' && IS("contact"))
			return SF_HDR_CONTACT;
		if (c0 == 'p' && IS("privacy"))
			return SF_HDR_PRIVACY;
		break;
	case 9:
		if (IS("diversion"))
			return SF_HDR_DIVERSION;
		break;
	case 10:
		if (IS("user-agent"))
			return SF_HDR_USER_AGENT;
		break;
	case 12:
		if (c0 == 'm' && IS("max-forwards"))
			return SF_HDR_MAX_FORWARDS;
		if (c0 == 'c' && IS("content-type"))
			return SF_HDR_CONTENT_TYPE;
		if (c0 == 'r' && IS("record-route"))
			return SF_HDR_RECORD_ROUTE;
		if (c0 == 'h' && IS("history-info"))
			return SF_HDR_HISTORY_INFO;
		break;
	case 14:
		if (IS("content-length"))
			return SF_HDR_CONTENT_LENGTH;
		break;
	case 15:
		if (IS("remote-party-id"))
			return SF_HDR_RPID;
		break;
	case 19:
		if (IS("p-asserted-identity"))
			return SF_HDR_PAI;
		break;
	case 20:
		if (IS("p-preferred-identity"))
			return SF_HDR_PPI;
		break;
	}
#undef IS
	return SF_HDR_OTHER;
}

#if SF_LE
/*
 * p[0..L) equals lit ignoring the case of letters only (a '-' must be a
 * '-': a plain "| 0x20" would let CR pass for it).  lit is lower case and
 * padded with NULs (see KNOWN); p must be readable for L rounded up to 8.
 * The fold mask is computed from the literal, so it is a constant.
 */
static inline bool ieq_word(const unsigned char *p, const char *lit, size_t L)
{
	for (size_t i = 0; i < L; i += 8) {
		uint64_t lw = ld8(lit + i);
		uint64_t d = (ld8(p + i) | ((lw & (ONES * 0x40)) >> 1)) ^ lw;

		if (L - i < 8)
			d &= (1ULL << (8 * (L - i))) - 1;
		if (d)
			return false;
	}
	return true;
}

#define KNOWN(lit, ID)                                                         \
	do {                                                                   \
		if (ieq_word(p, lit "\0\0\0\0\0\0\0\0", sizeof(lit) - 1) &&    \
		    !is_tok(p[sizeof(lit) - 1])) {                             \
			*nlen = sizeof(lit) - 1;                               \
			return ID;                                             \
		}                                                              \
	} while (0)

/*
 * The scanner's fast path: recognises a tracked header name at p without
 * first walking the name byte by byte.  Needs 24 readable bytes at p.
 * Returns the id with *nlen set, or SF_HDR_OTHER with *nlen = 0 when the
 * name (if any) is not tracked; must agree with hdr_id_tok() (the fuzz
 * target checks that it does).
 */
static sf_hdr_id_t match_known(const unsigned char *p, size_t *nlen)
{
	unsigned char c0 = p[0] | 0x20;

	*nlen = 0;
	if (!is_tok(p[1])) {
		*nlen = 1;
		switch (c0) { /* RFC 3261 §7.3.3 compact forms */
		case 'v':
			return SF_HDR_VIA;
		case 'f':
			return SF_HDR_FROM;
		case 't':
			return SF_HDR_TO;
		case 'i':
			return SF_HDR_CALL_ID;
		case 'l':
			return SF_HDR_CONTENT_LENGTH;
		case 'c':
			return SF_HDR_CONTENT_TYPE;
		case 'm':
			return SF_HDR_CONTACT;
		}
		*nlen = 0;
		return SF_HDR_OTHER;
	}
	switch (c0) {
	case 'v':
		KNOWN("via", SF_HDR_VIA);
		break;
	case 'f':
		KNOWN("from", SF_HDR_FROM);
		break;
	case 't':
		KNOWN("to", SF_HDR_TO);
		break;
	case 'c':
		KNOWN("cseq", SF_HDR_CSEQ);
		KNOWN("call-id", SF_HDR_CALL_ID);
		KNOWN("contact", SF_HDR_CONTACT);
		KNOWN("content-length", SF_HDR_CONTENT_LENGTH);
		KNOWN("content-type", SF_HDR_CONTENT_TYPE);
		break;
	case 'm':
		KNOWN("max-forwards", SF_HDR_MAX_FORWARDS);
		break;
	case 'r':
		KNOWN("route", SF_HDR_ROUTE);
		KNOWN("record-route", SF_HDR_RECORD_ROUTE);
		KNOWN("remote-party-id", SF_HDR_RPID);
		break;
	case 'p':
		KNOWN("p-asserted-identity", SF_HDR_PAI);
		KNOWN("p-preferred-identity", SF_HDR_PPI);
		KNOWN("privacy", SF_HDR_PRIVACY);
		break;
	case 'd':
		KNOWN("diversion", SF_HDR_DIVERSION);
		break;
	case 'h':
		KNOWN("history-info", SF_HDR_HISTORY_INFO);
		break;
	case 'u':
		KNOWN("user-agent", SF_HDR_USER_AGENT);
		break;
	}
	return SF_HDR_OTHER;
}
#undef KNOWN
#endif

sf_hdr_id_t sf_sip_hdr_id(const char *s, size_t n)
{
	if (!s || n == 0)
		return SF_HDR_OTHER;
	for (size_t i = 0; i < n; i++)
		if (!is_tok((unsigned char)s[i]))
			return SF_HDR_OTHER;
	return hdr_id_tok(s, n);
}

/* 1*10DIGIT; RFC 3261 §20.14.  Returns false on anything else. */
static bool parse_digits10(sf_str_t v, uint64_t *out)
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

/*
 * From/To: one name-addr or addr-spec (RFC 3261 §20.20, §20.39).  A comma
 * outside a quoted string and <> means a list (multi-value); an
 * unterminated quote, a stray or second <>, or LWS inside <> is a value two
 * parsers could split differently (RFC 4475 quotbal, badaspec).
 */
enum {
	V_OUT = 1, /* interesting outside quotes and <> */
	V_ANG = 2, /* ... inside <> */
	V_QUO = 4, /* ... inside a quoted string */
	V_CID = 8, /* not allowed in a Call-ID */
};

static const unsigned char val_tab[256] = {
    ['"'] = V_OUT | V_QUO,  ['\\'] = V_QUO,	    ['<'] = V_OUT | V_ANG,
    ['>'] = V_OUT | V_ANG,  [','] = V_OUT | V_CID,  [' '] = V_ANG | V_CID,
    ['\t'] = V_ANG | V_CID, ['\r'] = V_ANG | V_CID, ['\n'] = V_ANG | V_CID,
};

/*
 * Walks the positions of val_tab bytes in s[0..n), a block at a time like
 * find_eol: with SSE2 a 16-byte mask per load (an overlapping load for the
 * tail: the value lies inside the buffer, so s[n-16..n) is readable when
 * n >= 16), else a mask built from the table for up to 64 bytes.
 */
typedef struct val_iter {
	const unsigned char *s;
	size_t n, i, base;
	uint64_t mask;
} val_iter_t;

static inline void val_refill(val_iter_t *it)
{
	size_t k, m;

#if SF_USE_SSE2
	if (it->n >= 16) {
		size_t at = it->n - it->i >= 16 ? it->i : it->n - 16;
		__m128i x = _mm_loadu_si128(
		    (const __m128i *)(const void *)(it->s + at));
		/* below 0x20 only HT, CR, LF remain after the line scanner */
		__m128i v =
		    _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);

		v = _mm_or_si128(v, _mm_cmpeq_epi8(x, _mm_set1_epi8(' ')));
		v = _mm_or_si128(v, _mm_cmpeq_epi8(x, _mm_set1_epi8('"')));
		v = _mm_or_si128(v, _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
		v = _mm_or_si128(v, _mm_cmpeq_epi8(x, _mm_set1_epi8('<')));
		v = _mm_or_si128(v, _mm_cmpeq_epi8(x, _mm_set1_epi8('>')));
		v = _mm_or_si128(v, _mm_cmpeq_epi8(x, _mm_set1_epi8(',')));
		it->mask = (unsigned)_mm_movemask_epi8(v) >> (it->i - at);
		it->base = it->i;
		it->i = at + 16;
		return;
	}
#endif
	m = it->n - it->i < 64 ? it->n - it->i : 64;
	it->mask = 0;
	for (k = 0; k < m; k++)
		if (val_tab[it->s[it->i + k]])
			it->mask |= (uint64_t)1 << k;
	it->base = it->i;
	it->i += m;
}

/* Next position of a val_tab byte, or false at the end. */
static inline bool val_next(val_iter_t *it, size_t *j)
{
	while (!it->mask) {
		if (it->i >= it->n)
			return false;
		val_refill(it);
	}
	*j = it->base + (size_t)__builtin_ctzll(it->mask);
	it->mask &= it->mask - 1;
	return true;
}

/*
 * From/To: one name-addr or addr-spec (RFC 3261 §20.20, §20.39).  A comma
 * outside a quoted string and <> means a list (multi-value); an
 * unterminated quote, a stray or second <>, or LWS inside <> is a value two
 * parsers could split differently (RFC 4475 quotbal, badaspec).
 */
static sf_sip_error_t check_addr(sf_str_t v, size_t *bad)
{
	bool in_q = false, in_a = false, seen_a = false;
	val_iter_t it = {(const unsigned char *)v.s, v.len, 0, 0, 0};
	size_t j, skip = (size_t)-1; /* skip: the byte of a quoted-pair */

	*bad = 0;
	if (v.len == 0)
		return SF_SIP_E_BAD_VALUE;
	while (val_next(&it, &j)) {
		unsigned char c = it.s[j];

		if (j == skip)
			continue;
		*bad = j;
		if (in_q) {
			if (c == '\\') {
				/* quoted-pair: never CR or LF (§25.1) */
				if (j + 1 >= v.len || v.s[j + 1] == '\r' ||
				    v.s[j + 1] == '\n')
					return SF_SIP_E_BAD_VALUE;
				skip = j + 1;
			} else if (c == '"') {
				in_q = false;
			}
			continue;
		}
		if (in_a) {
			if (c == '>')
				in_a = false;
			else if (c == '<' || is_wsp(c) || c == '\r' ||
				 c == '\n')
				return SF_SIP_E_BAD_VALUE;
			continue;
		}
		switch (c) {
		case '"':
			in_q = true;
			break;
		case '<':
			if (seen_a)
				return SF_SIP_E_BAD_VALUE;
			in_a = seen_a = true;
			break;
		case '>':
			return SF_SIP_E_BAD_VALUE;
		case ',':
			return SF_SIP_E_MULTI_VALUE;
		}
	}
	*bad = v.len;
	return (in_q || in_a) ? SF_SIP_E_BAD_VALUE : SF_SIP_OK;
}

/* Call-ID = word ["@" word] (§25.1): no LWS and no comma, not empty. */
static sf_sip_error_t check_callid(sf_str_t v, size_t *bad)
{
	val_iter_t it = {(const unsigned char *)v.s, v.len, 0, 0, 0};
	size_t j;

	*bad = 0;
	if (v.len == 0)
		return SF_SIP_E_BAD_VALUE;
	while (val_next(&it, &j)) {
		if (val_tab[it.s[j]] & V_CID) {
			*bad = j;
			return SF_SIP_E_BAD_VALUE;
		}
	}
	return SF_SIP_OK;
}

/* CSeq = 1*DIGIT LWS Method (§20.16); the number is below 2^31 (§8.1.1.5). */
static sf_sip_error_t parse_cseq(sf_str_t v, sf_sipmsg_t *m)
{
	size_t i = 0, j;
	uint64_t n = 0;

	while (i < v.len && sf_isdigit((unsigned char)v.s[i]))
		i++;
	if (!parse_digits10(sf_str(v.s, i), &n) || n >= (1ULL << 31))
		return SF_SIP_E_CSEQ;
	j = i;
	for (;;) {
		if (j < v.len && is_wsp((unsigned char)v.s[j]))
			j++;
		else if (j + 2 < v.len && v.s[j] == '\r' &&
			 v.s[j + 1] == '\n' &&
			 is_wsp((unsigned char)v.s[j + 2]))
			j += 3;
		else
			break;
	}
	if (j == i || j == v.len)
		return SF_SIP_E_CSEQ;
	for (size_t k = j; k < v.len; k++)
		if (!is_tok((unsigned char)v.s[k]))
			return SF_SIP_E_CSEQ;
	m->cseq_num = (uint32_t)n;
	m->cseq_method = sf_str(v.s + j, v.len - j);
	if (m->is_request && !sf_str_eq(m->cseq_method, m->method))
		return SF_SIP_E_CSEQ; /* RFC 4475 mismatch01/02 */
	return SF_SIP_OK;
}

/* "SIP/" 1*DIGIT "." 1*DIGIT, any case, in exactly n bytes: a well-formed
 * version that is not ours (RFC 4475 badvers; a UAS answers 505). */
static bool is_other_version(const char *s, size_t n)
{
	size_t i = 4, d;

	if (n < 7 || !name_is(s, "sip/", 4))
		return false;
	for (d = i; i < n && sf_isdigit((unsigned char)s[i]); i++)
		;
	if (i == d || i >= n || s[i] != '.')
		return false;
	for (d = ++i; i < n && sf_isdigit((unsigned char)s[i]); i++)
		;
	return i > d && i == n;
}

/* Request-Line = Method SP Request-URI SP SIP-Version CRLF (§7.1, §25.1). */
static sf_sip_error_t parse_request_line(const char *s, size_t n,
					 sf_sipmsg_t *m, size_t *bad)
{
	size_t i = 0, u;

	while (i < n && is_tok((unsigned char)s[i]))
		i++;
	if (i == 0 || i >= n || s[i] != ' ') {
		*bad = i;
		return SF_SIP_E_START_LINE;
	}
	m->method = sf_str(s, i);
	u = ++i;
	/* absoluteURI / SIP-URI both start with scheme ":" (RFC 3986 §3.1) */
	if (i >= n || !sf_isalpha((unsigned char)s[i])) {
		*bad = i;
		return SF_SIP_E_START_LINE;
	}
	while (i < n && (sf_isalpha((unsigned char)s[i]) ||
			 sf_isdigit((unsigned char)s[i]) || s[i] == '+' ||
			 s[i] == '-' || s[i] == '.'))
		i++;
	if (i >= n || s[i] != ':') {
		*bad = i;
		return SF_SIP_E_START_LINE;
	}
	/* visible ASCII only: SP ends the URI, and anything else needs
	 * escaping (§19.1.1, §25.1).  The line scanner has already refused
	 * controls other than HT, and DEL. */
	{
		const char *sp = memchr(s + i, ' ', n - i);
		size_t e = sp ? (size_t)(sp - s) : n;

		for (; i + 8 <= e; i += 8) {
			uint64_t x = ld8(s + i);

			if ((x & HIGHS) ||
			    (zero_bytes(x ^ (ONES * '\t')) & HIGHS))
				break;
		}
		while (i < e && (unsigned char)s[i] < 0x80 && s[i] != '\t')
			i++;
		if (i != e || !sp) {
			*bad = i;
			return SF_SIP_E_START_LINE;
		}
	}
	m->ruri = sf_str(s + u, i - u);
	i++;
	if (n - i == 7 && memcmp(s + i, "SIP/2.0", 7) == 0)
		return SF_SIP_OK;
	*bad = i;
	return is_other_version(s + i, n - i) ? SF_SIP_E_VERSION
					      : SF_SIP_E_START_LINE;
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF (§7.2). */
static sf_sip_error_t parse_status_line(const char *s, size_t n, sf_sipmsg_t *m,
					size_t *bad)
{
	unsigned st;

	if (n < 8 || memcmp(s, "SIP/2.0 ", 8) != 0) {
		const char *sp = memchr(s, ' ', n);

		*bad = 0;
		if (sp && is_other_version(s, (size_t)(sp - s)))
			return SF_SIP_E_VERSION;
		return SF_SIP_E_START_LINE;
	}
	*bad = 8;
	if (n < 12 || !sf_isdigit((unsigned char)s[8]) ||
	    !sf_isdigit((unsigned char)s[9]) ||
	    !sf_isdigit((unsigned char)s[10]) || s[11] != ' ')
		return SF_SIP_E_START_LINE; /* RFC 4475 bigcode */
	st = (unsigned)(s[8] - '0') * 100 + (unsigned)(s[9] - '0') * 10 +
	     (unsigned)(s[10] - '0');
	if (st < 100 || st > 699)
		return SF_SIP_E_START_LINE;
	m->status = (uint16_t)st;
	/* the line scanner already refused controls other than HT */
	m->phrase = sf_str(s + 12, n - 12);
	return SF_SIP_OK;
}

static int fail(sf_sipmsg_t *m, sf_sip_error_t e, size_t where)
{
	m->error = e;
	m->error_offset = (uint32_t)where;
	return -1;
}

int sf_sip_scan(const char *buf, size_t len, const sf_sip_limits_t *lim,
		sf_sipmsg_t *m)
{
	const unsigned char *b;
	uint32_t cap = lim && lim->max_message ? lim->max_message
					       : SF_SIP_DEFAULT_MAX_MESSAGE;
	bool stream = lim && lim->stream;
	size_t skip = 0, end, pos, cr, where = 0, bad = 0;
	sf_sip_error_t e;

	m->buf = buf;
	m->len = 0;
	m->skipped = 0;
	m->is_request = false;
	m->method = m->ruri = m->phrase = m->cseq_method = m->body =
	    SF_STR_NULL;
	m->status = 0;
	m->start_line_end = 0;
	m->n_hdrs = 0;
	memset(m->first, 0xff, sizeof(m->first));
	memset(m->count, 0, sizeof(m->count));
	m->cseq_num = 0;
	m->content_length = -1;
	m->header_end = m->body_start = 0;
	m->error = SF_SIP_OK;
	m->error_offset = 0;

	if (len > cap)
		return fail(m, SF_SIP_E_TOO_BIG, cap);
	if (!buf)
		return fail(m, SF_SIP_E_EMPTY, 0);

	/* Keep-alive CRLFs before the start line (RFC 5626 §4.4.1;
	 * RFC 3261 §7.5 asks to ignore them). */
	while (skip + 1 < len && buf[skip] == '\r' && buf[skip + 1] == '\n')
		skip += 2;
	if (skip == len)
		return fail(m, SF_SIP_E_EMPTY, 0);
	b = (const unsigned char *)buf + skip;
	end = len - skip;
	m->buf = buf + skip;
	m->skipped = (uint32_t)skip;

	/* start line: no folding */
	e = find_eol(b, 0, end, false, &cr, &where);
	if (e != SF_SIP_OK)
		return fail(m, e, where);
	if (cr >= 4 && memcmp(b, "SIP/", 4) == 0) {
		m->is_request = false;
		e = parse_status_line((const char *)b, cr, m, &bad);
	} else {
		m->is_request = true;
		e = parse_request_line((const char *)b, cr, m, &bad);
	}
	if (e != SF_SIP_OK)
		return fail(m, e, bad);
	pos = cr + 2;
	m->start_line_end = (uint32_t)pos;

	/* header fields (§7.3) up to the empty line */
	for (;;) {
		const char *name;
		size_t i = pos, nlen, colon;
		sf_sip_hdr_t *h;
		sf_hdr_id_t id;
		sf_str_t v;

		if (pos >= end)
			return fail(m, SF_SIP_E_NO_END, pos);
		if (b[pos] == '\r') {
			if (pos + 1 >= end)
				return fail(m, SF_SIP_E_NO_END, pos);
			if (b[pos + 1] != '\n')
				return fail(m, SF_SIP_E_LINE_ENDING, pos);
			break;
		}
		id = SF_HDR_OTHER;
		nlen = 0;
#if SF_LE
		{
			/* the last few bytes are read NUL-padded: NUL is not
			 * a token byte, so a name ends where the buffer does
			 * (one call site, so match_known stays inlined) */
			unsigned char pad[24];
			const unsigned char *np = b + pos;

			if (end - pos < 24) {
				memset(pad, 0, sizeof(pad));
				memcpy(pad, b + pos, end - pos);
				np = pad;
			}
			id = match_known(np, &nlen);
		}
#endif
		if (nlen == 0) {
			while (i < end && is_tok(b[i]))
				i++;
			nlen = i - pos;
#if !SF_LE
			if (nlen)
				id = hdr_id_tok((const char *)b + pos, nlen);
#endif
			/* with SF_LE, tracked names were matched above */
		} else {
			i = pos + nlen;
		}
		while (i < end && is_wsp(b[i]))
			i++;
		if (i >= end)
			return fail(m, SF_SIP_E_NO_END, i);
		if (nlen == 0 || b[i] != ':') {
			unsigned char c = b[i];

			/* a control byte is reported as such wherever it is;
			 * CRLF without a colon, a space inside the name or
			 * any other non-token byte is a bad name */
			if (c == '\n' ||
			    (c == '\r' && (i + 1 >= end || b[i + 1] != '\n')))
				e = SF_SIP_E_LINE_ENDING;
			else if (c != '\r' && c != '\t' && is_special(c))
				e = SF_SIP_E_CONTROL_CHAR;
			else
				e = SF_SIP_E_HEADER_NAME;
			return fail(m, e, i);
		}
		colon = i;
		e = find_eol(b, colon + 1, end, true, &cr, &where);
		if (e != SF_SIP_OK)
			return fail(m, e,
				    e == SF_SIP_E_LINE_TOO_LONG ? pos : where);
		if (cr - pos > SF_SIP_MAX_LINE)
			return fail(m, SF_SIP_E_LINE_TOO_LONG, pos);
		if (m->n_hdrs >= SF_SIP_MAX_HEADERS)
			return fail(m, SF_SIP_E_TOO_MANY_HEADERS, pos);

		name = (const char *)b + pos;
		v = trim_lws((const char *)b + colon + 1, cr - colon - 1);
		h = &m->hdrs[m->n_hdrs];
		h->id = id;
		h->name = sf_str(name, nlen);
		h->value = v;
		h->start = (uint32_t)pos;
		h->end = (uint32_t)(cr + 2);

		if (id != SF_HDR_OTHER) {
			size_t voff = (size_t)(v.s - (const char *)b);

			switch (id) {
			case SF_HDR_FROM:
			case SF_HDR_TO:
			case SF_HDR_CALL_ID:
			case SF_HDR_CSEQ:
			case SF_HDR_MAX_FORWARDS:
			case SF_HDR_CONTENT_LENGTH:
				/* singletons (§20; RFC 4475 multi01, mcl01) */
				if (m->count[id])
					return fail(m, SF_SIP_E_DUPLICATE, pos);
				break;
			default:
				break;
			}
			switch (id) {
			case SF_HDR_FROM:
			case SF_HDR_TO:
				e = check_addr(v, &bad);
				if (e != SF_SIP_OK)
					return fail(m, e, voff + bad);
				break;
			case SF_HDR_CALL_ID:
				e = check_callid(v, &bad);
				if (e != SF_SIP_OK)
					return fail(m, e, voff + bad);
				break;
			case SF_HDR_VIA:
				if (v.len == 0)
					return fail(m, SF_SIP_E_BAD_VALUE,
						    voff);
				break;
			case SF_HDR_CSEQ:
				e = parse_cseq(v, m);
				if (e != SF_SIP_OK)
					return fail(m, e, voff);
				break;
			case SF_HDR_CONTENT_LENGTH: {
				uint64_t cl;

				if (!parse_digits10(v, &cl) || cl > cap)
					return fail(m, SF_SIP_E_CONTENT_LENGTH,
						    voff);
				m->content_length = (int64_t)cl;
				break;
			}
			default:
				break;
			}
			if (m->first[id] < 0)
				m->first[id] = (int16_t)m->n_hdrs;
			m->count[id]++;
		}
		m->n_hdrs++;
		pos = cr + 2;
	}

	m->header_end = (uint32_t)pos;
	m->body_start = (uint32_t)(pos + 2);

	/* §8.1.1 / §8.2.2.1: the mandatory headers (RFC 4475 insuf) */
	if (!m->count[SF_HDR_VIA] || !m->count[SF_HDR_FROM] ||
	    !m->count[SF_HDR_TO] || !m->count[SF_HDR_CALL_ID] ||
	    !m->count[SF_HDR_CSEQ])
		return fail(m, SF_SIP_E_MISSING, pos);

	if (m->content_length >= 0) {
		/* §18.3: more than what arrived is an error, less ends the
		 * message there (RFC 4475 clerr, dblreq) */
		if ((uint64_t)m->content_length > end - m->body_start)
			return fail(
			    m, SF_SIP_E_CONTENT_LENGTH,
			    m->first[SF_HDR_CONTENT_LENGTH] >= 0
				? m->hdrs[m->first[SF_HDR_CONTENT_LENGTH]].start
				: pos);
		m->len = m->body_start + (uint32_t)m->content_length;
	} else if (stream) {
		/* §18.3: mandatory on stream transports */
		return fail(m, SF_SIP_E_CONTENT_LENGTH, pos);
	} else {
		m->len = (uint32_t)end;
	}
	m->body = sf_str(m->buf + m->body_start, m->len - m->body_start);
	return 0;
}

/*
 * Content-Length value as sf_sip_frame() sees it: from just after the
 * colon, LWS, 1*10DIGIT, LWS, then the CRLF that ends the header.  The
 * same bytes pass trim_lws() + parse_digits10() in the scanner.
 */
static bool frame_cl(const char *s, size_t i, size_t hend, uint64_t *out)
{
	size_t d;

	for (;;) {
		if (i < hend && is_wsp((unsigned char)s[i]))
			i++;
		else if (i + 2 < hend && s[i] == '\r' && s[i + 1] == '\n' &&
			 is_wsp((unsigned char)s[i + 2]))
			i += 3;
		else
			break;
	}
	d = i;
	while (i < hend && sf_isdigit((unsigned char)s[i]))
		i++;
	if (!parse_digits10(sf_str(s + d, i - d), out))
		return false;
	for (;;) {
		if (i < hend && is_wsp((unsigned char)s[i]))
			i++;
		else if (i + 2 < hend && s[i] == '\r' && s[i + 1] == '\n' &&
			 is_wsp((unsigned char)s[i + 2]))
			i += 3;
		else
			break;
	}
	return i + 1 < hend && s[i] == '\r' && s[i + 1] == '\n';
}

long sf_sip_frame(const char *buf, size_t len, uint32_t max_message)
{
	size_t cap = max_message ? max_message : SF_SIP_DEFAULT_MAX_MESSAGE;
	size_t skip = 0, pos, lim, cl_at = 0;
	bool have_cl = false;
	uint64_t cl;

	if (!buf)
		return 0;
	while (skip + 1 < len && skip + 2 <= cap && buf[skip] == '\r' &&
	       buf[skip + 1] == '\n')
		skip += 2;
	/* nothing but keep-alives so far (or a cap's worth of them): hand
	 * them over as one unit so they never pile up */
	if (skip && (skip == len || skip + 2 > cap ||
		     (skip + 1 == len && buf[skip] == '\r')))
		return (long)skip;
	if (len == 0 || (len == 1 && buf[0] == '\r'))
		return 0;

	/* walk the header lines; the start line is skipped like any other */
	pos = skip;
	lim = len < cap ? len : cap;
	for (;;) {
		const char *nl = memchr(buf + pos, '\n', lim - pos);
		size_t eol;

		if (!nl)
			return len >= cap ? -1 : 0;
		eol = (size_t)(nl - buf);
		if (eol == pos || buf[eol - 1] != '\r')
			return -1; /* bare LF: scan would refuse it */
		if (eol == pos + 1) {
			pos = eol + 1; /* the empty line */
			break;
		}
		/* Content-Length or l, HCOLON (§7.3.1); the first letter
		 * filters out the other lines cheaply */
		if (pos > skip &&
		    ((buf[pos] | 0x20) == 'l' || (buf[pos] | 0x20) == 'c')) {
			size_t i = pos;

			while (i < eol && is_tok((unsigned char)buf[i]))
				i++;
			if (sf_sip_hdr_id(buf + pos, i - pos) ==
			    SF_HDR_CONTENT_LENGTH) {
				while (i < eol && is_wsp((unsigned char)buf[i]))
					i++;
				if (i < eol && buf[i] == ':') {
					if (have_cl)
						return -1;
					have_cl = true;
					cl_at = i + 1;
				}
			}
		}
		pos = eol + 1;
		if (pos >= lim)
			return len >= cap ? -1 : 0;
	}
	if (!have_cl)
		return -1;
	/* pos - 2 is the empty line's CR: the CL header ends before it */
	if (!frame_cl(buf, cl_at, pos - 2, &cl))
		return -1;
	if (cl > cap || pos + cl > cap)
		return -1;
	if (len < pos + cl)
		return 0;
	return (long)(pos + cl);
}

const sf_sip_hdr_t *sf_sip_hdr_nth(const sf_sipmsg_t *m, sf_hdr_id_t id,
				   unsigned i)
{
	if (!m || id <= SF_HDR_OTHER || id >= SF_HDR_COUNT ||
	    m->first[id] < 0 || i >= m->count[id])
		return NULL;
	for (unsigned k = (unsigned)m->first[id]; k < m->n_hdrs; k++) {
		if (m->hdrs[k].id == id) {
			if (i == 0)
				return &m->hdrs[k];
			i--;
		}
	}
	return NULL;
}

const char *sf_sip_error_name(sf_sip_error_t e)
{
	static const char *const names[SF_SIP_E_COUNT] = {
	    [SF_SIP_OK] = "ok",
	    [SF_SIP_E_EMPTY] = "empty",
	    [SF_SIP_E_TOO_BIG] = "too-big",
	    [SF_SIP_E_START_LINE] = "start-line",
	    [SF_SIP_E_VERSION] = "version",
	    [SF_SIP_E_HEADER_NAME] = "header-name",
	    [SF_SIP_E_CONTROL_CHAR] = "control-char",
	    [SF_SIP_E_LINE_ENDING] = "line-ending",
	    [SF_SIP_E_LINE_TOO_LONG] = "line-too-long",
	    [SF_SIP_E_TOO_MANY_HEADERS] = "too-many-headers",
	    [SF_SIP_E_NO_END] = "no-end",
	    [SF_SIP_E_DUPLICATE] = "duplicate",
	    [SF_SIP_E_MULTI_VALUE] = "multi-value",
	    [SF_SIP_E_CONTENT_LENGTH] = "content-length",
	    [SF_SIP_E_MISSING] = "missing",
	    [SF_SIP_E_CSEQ] = "cseq",
	    [SF_SIP_E_BAD_VALUE] = "bad-value",
	};

	if ((unsigned)e >= SF_SIP_E_COUNT || !names[e])
		return "?";
	return names[e];
}

bool sf_sip_is_invite(const sf_sipmsg_t *m)
{
	return m && m->is_request && m->error == SF_SIP_OK &&
	       sf_str_eq(m->method, SF_STR_LIT("INVITE"));
}
