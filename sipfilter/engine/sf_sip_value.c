/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_sip_value.c - the scanner's checks of the values the filter relies
 * on (sf_sip_value.h): From/To shape, Call-ID, CSeq.  Interesting bytes
 * (quotes, <>, commas, LWS) are found a block at a time like the line
 * finder does, so a long value costs a few instructions per 16 bytes.
 */
#include "sf_sip_value.h"
#include "sf_sip_lex.h"

/* The bytes the value checks stop at, by where they matter. */
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

/* RFC 3261 §20.20, §20.39; RFC 4475 quotbal, badaspec */
sf_sip_error_t sf_sip_check_addr(sf_str_t v, size_t *bad)
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

/* RFC 3261 §25.1 */
sf_sip_error_t sf_sip_check_callid(sf_str_t v, size_t *bad)
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

/* RFC 3261 §20.16, §8.1.1.5 */
sf_sip_error_t sf_sip_parse_cseq(sf_str_t v, sf_sipmsg_t *m)
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
