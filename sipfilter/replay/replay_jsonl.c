/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_jsonl.c - the JSON line of a replay record (replay_jsonl.h).
 *
 * One bound check per record instead of one per piece: the pieces are
 * our own texts of known length, untrusted views (at most 6 bytes out
 * per byte in), and cached pieces (each under REPLAY_JC_TEXT).  Their sum
 * is at most REPLAY_LINE_CAP - REPLAY_LINE_MAX, so they are copied
 * without checks; the rare piece too long to cache is escaped in place
 * with a bounded writer that leaves that much room for the rest.  A line
 * longer than REPLAY_LINE_MAX is refused at the end.
 */
#include <stdio.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/sf_json.h"
#include "replay_copy.h"
#include "base/sf_hash.h"
#include "replay_jsonl.h"
#include "sipfilter/engine/sf_admit.h"

#define JC_STRING 1u
#define JC_VERDICT 2u
#define JC_VERDICT_OTHER 3u

/* The most the fixed and cached pieces of a record can take. */
#define BOUND_MAX (1024 + 9 * REPLAY_JC_TEXT + 96 + 80 + 80 + 4 +              \
		   6 * 3 * REPLAY_FIELD_MAX + 4 * (SF_NUM_MAX + 2))
_Static_assert(BOUND_MAX <= REPLAY_LINE_CAP - REPLAY_LINE_MAX,
	       "a record's pieces fit in REPLAY_LINE_CAP");

/* ---- pieces through sf_jw (cache entries, the rare uncached piece) ---- */

static void jput(sf_jw_t *w, const char *lit, size_t n)
{
	if (w->len + n > w->cap) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, lit, n);
	w->len += n;
}

static void jraw(sf_jw_t *w, const char *s)
{
	jput(w, s, strlen(s));
}

/* A string literal: its length is known at compile time. */
#define JLIT(w, lit) jput((w), (lit), sizeof(lit) - 1)

static void jstr(sf_jw_t *w, const char *s, size_t n)
{
	JLIT(w, "\"");
	if (n)
		sf_jw_escape(w, s, n);
	JLIT(w, "\"");
}

/* rule, action, applied, code, mode, reason with a key prefix. */
static void jverdict(sf_jw_t *w, const sf_report_t *v, const char *pfx)
{
	static const char *const keys[] = {"rule", "action", "applied",
					   "mode", "reason"};
	const char *vals[5];
	char num[16];

	vals[0] = v->rule;
	vals[1] = sf_word_name(v->action);
	vals[2] = sf_word_name(v->applied);
	vals[3] = sf_mode_name(v->mode);
	vals[4] = v->reason;
	for (int i = 0; i < 5; i++) {
		JLIT(w, ",\"");
		jraw(w, pfx);
		jraw(w, keys[i]);
		JLIT(w, "\":");
		if (vals[i][0])
			jstr(w, vals[i], strlen(vals[i]));
		else
			JLIT(w, "null"); /* no rule, no reason */
		if (i == 2) {
			JLIT(w, ",\"");
			jraw(w, pfx);
			JLIT(w, "code\":");
			snprintf(num, sizeof(num), "%u", v->code);
			jraw(w, v->code ? num : "null");
		}
	}
}

/* ---- the cache of immutable pieces ------------------------------------ */

static uint32_t jc_slot(const void *k1, const void *k2, uint64_t k3,
			uint32_t kind)
{
	uint64_t h = sf_fmix64((uint64_t)(uintptr_t)k1 ^
				  sf_fmix64((uint64_t)(uintptr_t)k2 ^
					       sf_fmix64(k3 + kind)));

	return (uint32_t)h & (REPLAY_JC_SLOTS - 1);
}

/* The JSON string (quoted, escaped) of s, which must not change during
 * the run (config names, the engine's static texts); NULL if too long. */
static const replay_jc_t *jc_string(replay_jc_t *jc, const char *s)
{
	replay_jc_t *c = &jc[jc_slot(s, NULL, 0, JC_STRING)];
	sf_jw_t w;

	if (c->kind == JC_STRING && c->k1 == s)
		return c;
	sf_jw_init(&w, c->text, REPLAY_JC_TEXT);
	jstr(&w, s, strlen(s));
	if (w.overflow || w.len >= REPLAY_JC_TEXT) {
		c->kind = 0;
		return NULL;
	}
	c->kind = JC_STRING;
	c->k1 = s;
	c->k2 = NULL;
	c->k3 = 0;
	c->len = (uint32_t)w.len;
	return c;
}

/* The verdict fields jverdict() reads besides the two strings. */
static inline uint64_t verdict_k3(const sf_report_t *v)
{
	return (uint64_t)(v->action & 0xffff) |
	       (uint64_t)(v->applied & 0xffff) << 16 |
	       (uint64_t)(v->mode & 0xffff) << 32 | (uint64_t)v->code << 48;
}

/* jverdict()'s text for v, by the verdict fields it reads (rule name and
 * reason are immutable strings of the config or the engine). */
static const replay_jc_t *jc_verdict(replay_jc_t *jc, const sf_report_t *v,
				     bool other)
{
	uint32_t kind = other ? JC_VERDICT_OTHER : JC_VERDICT;
	uint64_t k3 = verdict_k3(v);
	replay_jc_t *c = &jc[jc_slot(v->rule, v->reason, k3, kind)];
	sf_jw_t w;

	if (c->kind == kind && c->k1 == v->rule && c->k2 == v->reason &&
	    c->k3 == k3)
		return c;
	if ((unsigned)v->action > 0xffff || (unsigned)v->applied > 0xffff ||
	    (unsigned)v->mode > 0xffff)
		return NULL;
	sf_jw_init(&w, c->text, REPLAY_JC_TEXT);
	jverdict(&w, v, other ? "other_" : "");
	if (w.overflow || w.len >= REPLAY_JC_TEXT) {
		c->kind = 0;
		return NULL;
	}
	c->kind = kind;
	c->k1 = v->rule;
	c->k2 = v->reason;
	c->k3 = k3;
	c->len = (uint32_t)w.len;
	return c;
}

/* ---- unchecked pieces --------------------------------------------------- */

#define OLIT(o, lit) replay_cpy((o), (lit), sizeof(lit) - 1)

#ifdef __SSE2__
/* Nonzero if any of the 16 bytes at p needs escaping (signed compare:
 * bytes < 0x20 and >= 0x80, plus '"' and '\\'). */
static inline int json_block_bad(const unsigned char *p)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i bad = _mm_or_si128(
	    _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
	    _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
			 _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));

	return _mm_movemask_epi8(bad);
}
#endif

/* Nonzero if any of the 8 bytes at p needs escaping: exact per-byte
 * tests (no borrow or carry crosses a byte). */
static inline uint64_t json_word_bad(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101ull, low7 = ones * 0x7f,
		       highs = ones * 0x80;
	uint64_t x, lt20, q, b;

	memcpy(&x, p, 8);
	/* low 7 bits + 0x60 reach bit 7 iff >= 0x20 */
	lt20 = ~(((x & low7) + ones * 0x60) | x) & highs;
	q = x ^ (ones * '"');
	q = ~(((q & low7) + low7) | q | low7);
	b = x ^ (ones * '\\');
	b = ~(((b & low7) + low7) | b | low7);
	return (x & highs) | lt20 | q | b;
}

/* True if sf_jw_escape would copy s[0..n) unchanged: 0x20..0x7f except
 * '"' and '\\'. */
static bool json_plain(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

#ifdef __SSE2__
	if (n >= 16) {
		for (; i + 16 <= n; i += 16)
			if (json_block_bad(p + i))
				return false;
		/* a partial last block: the 16 bytes ending at n */
		return i == n || !json_block_bad(p + n - 16);
	}
#endif
	/* 8..15 bytes (all of them without SSE2, in 8-byte steps): two
	 * overlapping words cover them */
	if (n - i >= 8) {
		for (; i + 8 <= n; i += 8)
			if (json_word_bad(p + i))
				return false;
		return i == n || !json_word_bad(p + n - 8);
	}
	for (; i < n; i++)
		if (p[i] < 0x20 || p[i] >= 0x80 || p[i] == '"' || p[i] == '\\')
			return false;
	return true;
}

/* The escaped body of s[0..n); o has room for 6 * n + 1 bytes.  Out of
 * line: most values need no escaping. */
static __attribute__((noinline)) char *esc_body(char *o, const char *s,
						size_t n)
{
	sf_jw_t w;

	sf_jw_init(&w, o, 6 * n + 1); /* never short: <= 6 out per in */
	sf_jw_escape(&w, s, n);
	return o + w.len;
}

/* "s" escaped as sf_jw_escape does; o has room for 6 * n + 3 bytes. */
static inline char *oesc(char *o, const char *s, size_t n)
{
	*o++ = '"';
	if (n && json_plain(s, n))
		o = replay_cpy(o, s, n);
	else if (n)
		o = esc_body(o, s, n);
	*o++ = '"';
	return o;
}

/* A quoted string of bytes that need no escaping (our own timestamps,
 * addresses, digits). */
static char *oplain(char *o, const char *s, size_t n)
{
	*o++ = '"';
	o = replay_cpy(o, s, n);
	*o++ = '"';
	return o;
}

/* The same, null when there is no value (empty). */
static inline char *oesc_n(char *o, const char *s, size_t n)
{
	return n ? oesc(o, s, n) : replay_cpy(o, "null", 4);
}

static inline char *oplain_n(char *o, const char *s, size_t n)
{
	return n ? oplain(o, s, n) : replay_cpy(o, "null", 4);
}

/* ---- cached pieces, or escaped in place when too long to cache -------- */

/*
 * The pieces below copy a cache entry to o and return the end; a miss
 * (out of line) fills the entry.  A piece too long to cache is escaped in
 * place by a bounded writer that may reach end at most (the rest of the
 * record's bound lies beyond it); when it does not fit, *overflow is set
 * and o returned unchanged.
 */
static __attribute__((noinline)) char *
put_str_miss(char *o, const char *end, replay_jc_t *jc, const char *s,
	     bool *overflow)
{
	const replay_jc_t *c = jc_string(jc, s);
	sf_jw_t w;

	if (c)
		return replay_cpy(o, c->text, c->len);
	sf_jw_init(&w, o, o < end ? (size_t)(end - o) : 0);
	jstr(&w, s, strlen(s));
	*overflow |= w.overflow;
	return w.overflow ? o : o + w.len;
}

static inline char *put_str(char *o, const char *end, replay_jc_t *jc,
			    const char *s, bool *overflow)
{
	const replay_jc_t *c = &jc[jc_slot(s, NULL, 0, JC_STRING)];

	if (!s || !s[0])
		return replay_cpy(o, "null", 4); /* no value */
	if (c->kind == JC_STRING && c->k1 == s)
		return replay_cpy(o, c->text, c->len);
	return put_str_miss(o, end, jc, s, overflow);
}

static __attribute__((noinline)) char *
put_verdict_miss(char *o, const char *end, replay_jc_t *jc,
		 const sf_report_t *v, bool other, bool *overflow)
{
	const replay_jc_t *c = jc_verdict(jc, v, other);
	sf_jw_t w;

	if (c)
		return replay_cpy(o, c->text, c->len);
	sf_jw_init(&w, o, o < end ? (size_t)(end - o) : 0);
	jverdict(&w, v, other ? "other_" : "");
	*overflow |= w.overflow;
	return w.overflow ? o : o + w.len;
}

static inline char *put_verdict(char *o, const char *end, replay_jc_t *jc,
				const sf_report_t *v, bool other,
				bool *overflow)
{
	uint32_t kind = other ? JC_VERDICT_OTHER : JC_VERDICT;
	const replay_jc_t *c = &jc[jc_slot(v->rule, v->reason, verdict_k3(v),
					   kind)];

	if (c->kind == kind && c->k1 == v->rule && c->k2 == v->reason &&
	    c->k3 == verdict_k3(v))
		return replay_cpy(o, c->text, c->len);
	return put_verdict_miss(o, end, jc, v, other, overflow);
}

/* ---- the record ----------------------------------------------------------- */

/* ts .. presentation_class: where the call came from and who it says it
 * is from. */
static char *put_call(char *o, const char *end, const replay_rec_t *x,
		      replay_jc_t *jc, bool *overflow)
{
	o = OLIT(o, "{\"ts\":");
	o = oplain(o, x->ts, x->ts_len);
	o = OLIT(o, ",\"src\":");
	o = oplain(o, x->src, x->src_len);
	o = OLIT(o, ",\"dst\":");
	o = oplain(o, x->dst, x->dst_len);
	o = OLIT(o, ",\"transport\":");
	o = oplain(o, x->transport, x->transport_len);
	o = OLIT(o, ",\"call_id\":");
	o = oesc_n(o, x->call_id.s, x->call_id.len);
	o = OLIT(o, ",\"from\":");
	o = oesc_n(o, x->from.s, x->from.len);
	o = OLIT(o, ",\"pai\":");
	o = oesc_n(o, x->pai.s, x->pai.len);
	o = OLIT(o, ",\"number\":");
	o = oplain_n(o, x->number, x->number_len);
	o = OLIT(o, ",\"called\":");
	o = oplain_n(o, x->called, x->called_len);
	o = OLIT(o, ",\"trunk\":");
	o = put_str(o, end, jc, x->trunk, overflow);
	o = OLIT(o, ",\"trunk_match\":");
	o = put_str(o, end, jc, x->trunk_how ? x->trunk_how : "none",
		    overflow);
	o = OLIT(o, ",\"class\":");
	o = put_str(o, end, jc, x->cls, overflow);
	if (x->roaming)
		o = OLIT(o, ",\"roaming\":true");
	else
		o = OLIT(o, ",\"roaming\":false");
	o = OLIT(o, ",\"ported\":");
	o = put_str(o, end, jc, x->ported, overflow);
	o = OLIT(o, ",\"decided_by\":");
	o = put_str(o, end, jc, x->decided, overflow);
	o = OLIT(o, ",\"network\":");
	o = oplain_n(o, x->net, x->net_len);
	o = OLIT(o, ",\"network_class\":");
	o = put_str(o, end, jc, x->net_cls, overflow);
	o = OLIT(o, ",\"presentation\":");
	o = oplain_n(o, x->pres, x->pres_len);
	o = OLIT(o, ",\"presentation_class\":");
	return put_str(o, end, jc, x->pres_cls, overflow);
}

/* rule .. sip_error, and --diff's other verdict. */
static char *put_verdicts(char *o, const char *end, const replay_rec_t *x,
			  replay_jc_t *jc, bool *overflow)
{
	const sf_report_t *v = x->v;

	o = put_verdict(o, end, jc, v, false, overflow);
	if (v->malformed)
		o = OLIT(o, ",\"malformed\":true");
	else
		o = OLIT(o, ",\"malformed\":false");
	o = OLIT(o, ",\"sip_error\":");
	if (v->malformed && v->sip_error != SF_SIP_OK)
		o = put_str(o, end, jc, sf_sip_error_name(v->sip_error),
			    overflow);
	else
		o = OLIT(o, "null");
	if (x->v2) {
		o = OLIT(o, ",\"other_trunk\":");
		o = put_str(o, end, jc, x->trunk2, overflow);
		o = put_verdict(o, end, jc, x->v2, true, overflow);
	} else {
		/* the same keys without --diff: every record has every key */
		o = OLIT(o, ",\"other_trunk\":null,\"other_rule\":null,"
			    "\"other_action\":null,\"other_applied\":null,"
			    "\"other_code\":null,\"other_mode\":null,"
			    "\"other_reason\":null");
	}
	return o;
}

size_t replay_jsonl_record(const replay_rec_t *x, replay_jc_t *jc,
			   char *line)
{
	/* at most 9 cached pieces of < REPLAY_JC_TEXT bytes */
	size_t bound = 1024 + 9 * REPLAY_JC_TEXT + x->ts_len + x->src_len +
		       x->dst_len + x->transport_len +
		       6 * (x->call_id.len + x->from.len + x->pai.len) +
		       4 * (SF_NUM_MAX + 2);
	bool overflow = false;
	const char *end;
	char *o;
	size_t len;

	if (bound > BOUND_MAX)
		return 0; /* not reached: every piece is cut to its size */
	end = line + REPLAY_LINE_CAP - bound;
	o = put_call(line, end, x, jc, &overflow);
	o = put_verdicts(o, end, x, jc, &overflow);
	len = (size_t)(o - line);
	return overflow || len > REPLAY_LINE_MAX ? 0 : len;
}
