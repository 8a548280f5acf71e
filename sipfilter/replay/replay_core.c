/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_core.c - per-message work of `sipfilter replay`: SIP recognition,
 * TCP framing, retransmission folding, judging (one or two configs), the
 * record ring, selected-call pcap output.  See replay.h.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/sf_json.h"
#include "replay.h"
#include "replay_int.h"
#include "sipfilter/engine/sf_explain.h"

_Static_assert(SF_REPLAY_RING_MIN_BYTES == LINE_MAX_BYTES + 64,
	       "a ring holds at least one record of the longest line");

/* ---- small helpers --------------------------------------------------- */

/*
 * 64-bit hash of n bytes, 8 at a time (keys of the bounded sets below;
 * only equality of whole keys matters).  The length goes into the last
 * word, so "ab" and "ab\0" differ.
 */
static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t w;

	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&w, b, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ull;
		h ^= h >> 29;
	}
	w = (uint64_t)n << 56;
	if (n)
		memcpy(&w, b, n), w |= (uint64_t)n << 56;
	h = (h ^ w) * 0xD6E8FEB86659FD93ull;
	return h ^ (h >> 32);
}

#define HASH0 1469598103934665603ull

/* A 64-bit finaliser (MurmurHash3 fmix64): every input bit reaches the
 * low bits used as slot numbers. */
static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDull;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ull;
	return h ^ (h >> 33);
}

/* Writes v in decimal ending just before end; returns the start. */
static char *utoa(unsigned v, char *end)
{
	*--end = 0;
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

/* memcpy; pieces of up to 32 bytes (most of a record's) by overlapping
 * word copies in line, without a call into libc. */
static inline char *cpy(char *o, const void *s, size_t n)
{
	const char *p = s;

	if (n <= 32) {
		uint64_t a, b, c, d;

		if (n >= 16) {
			memcpy(&a, p, 8);
			memcpy(&b, p + 8, 8);
			memcpy(&c, p + n - 16, 8);
			memcpy(&d, p + n - 8, 8);
			memcpy(o, &a, 8);
			memcpy(o + 8, &b, 8);
			memcpy(o + n - 16, &c, 8);
			memcpy(o + n - 8, &d, 8);
		} else if (n >= 8) {
			memcpy(&a, p, 8);
			memcpy(&b, p + n - 8, 8);
			memcpy(o, &a, 8);
			memcpy(o + n - 8, &b, 8);
		} else if (n >= 4) {
			uint32_t e, f;

			memcpy(&e, p, 4);
			memcpy(&f, p + n - 4, 4);
			memcpy(o, &e, 4);
			memcpy(o + n - 4, &f, 4);
		} else if (n) {
			char x = p[0], y = p[n / 2], z = p[n - 1];

			o[0] = x;
			o[n / 2] = y;
			o[n - 1] = z;
		}
		return o + n;
	}
	memcpy(o, s, n);
	return o + n;
}

/* RFC 3261 token characters (alphanum and -.!%*_+`'~). */
static const uint8_t tchar[256] = {
	['-'] = 1, ['.'] = 1, ['!'] = 1, ['%'] = 1, ['*'] = 1, ['_'] = 1,
	['+'] = 1, ['`'] = 1, ['\''] = 1, ['~'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

/* 1 = starts like a SIP start line, 0 = too short to tell, -1 = no. */
static int sip_start(const uint8_t *p, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	/* a method is any token: "invite" must reach admission too */
	if (!((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')))
		return -1;
	if (p[0] == 'S' && n >= 8 && !memcmp(p, "SIP/2.0 ", 8))
		return 1;
	for (i = 0; i < n && i < 32; i++) {
		if (p[i] == ' ')
			return i > 0 ? 1 : -1;
		if (!tchar[p[i]])
			return -1;
	}
	return i < 32 ? 0 : -1;
}

bool sf_replay_looks_sip(const uint8_t *p, size_t n)
{
	return sip_start(p, n) == 1;
}

long sf_replay_frame(void *user, const uint8_t *buf, size_t len)
{
	sf_replay_t *r = user;
	size_t i = 0;
	int s;

	while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i == len)
		return i ? -(long)i : 0; /* CRLF keep-alives */
	s = sip_start(buf + i, len - i);
	if (s == 1) {
		long n = sf_sip_frame((const char *)buf, len, r->max_message);

		if (n != -1)
			return n;
		r->c.tcp_unframed++;
		i++; /* skip this start line and look for the next */
	} else if (s == 0) {
		return i ? -(long)i : 0;
	}
	/* Resynchronise: skip to the next line that starts like SIP. */
	for (; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		s = sip_start(buf + i + 1, len - i - 1);
		if (s >= 0)
			return -(long)(i + 1);
	}
	return -(long)len;
}

/* ---- bounded sets of recent 64-bit keys (two generations) ----------- */

static int rset_init(rset_t *s, uint32_t cap)
{
	for (int g = 0; g < 2; g++) {
		s->e[g] = calloc(cap, sizeof(rent_t));
		if (!s->e[g])
			return -1;
		s->n[g] = 0;
		s->phys[g] = cap < RSET_MIN ? cap : RSET_MIN;
		s->gen[g] = (uint64_t)g + 1; /* calloc'd entries: gen 0 */
	}
	s->tmp = malloc((size_t)(cap / 2 + 1) * sizeof(rent_t));
	if (!s->tmp)
		return -1;
	s->cap = cap;
	s->cur = 0;
	s->since = 0;
	return 0;
}

static void rset_fini(rset_t *s)
{
	for (int g = 0; g < 2; g++)
		free(s->e[g]);
	free(s->tmp);
}

static void rset_rotate(rset_t *s, uint64_t now)
{
	int old = s->cur ^ 1;

	/* a fresh gen number (64-bit: never wraps) empties the table */
	s->gen[old] = (s->gen[s->cur] > s->gen[old] ? s->gen[s->cur]
						    : s->gen[old]) + 1;
	s->n[old] = 0;
	s->phys[old] = s->cap < RSET_MIN ? s->cap : RSET_MIN;
	s->cur = old;
	s->since = now;
}

static uint32_t rset_slot(uint32_t phys, uint64_t key)
{
	return (uint32_t)(key ^ (key >> 29)) & (phys - 1);
}

static uint64_t *rset_find(rset_t *s, uint64_t key)
{
	key |= 1;
	for (int k = 0; k < 2; k++) {
		int g = s->cur ^ k;
		rent_t *e = s->e[g];
		uint32_t phys = s->phys[g], i = rset_slot(phys, key);
		uint64_t gen = s->gen[g];

		if (!s->n[g])
			continue;
		for (uint32_t probe = 0; probe < phys; probe++) {
			if (e[i].gen != gen)
				break; /* empty */
			if (e[i].key == key)
				return &e[i].val;
			i = (i + 1) & (phys - 1);
		}
	}
	return NULL;
}

/* Doubles the current generation's part of its table: its live entries
 * (at most half of the old part) are taken out, the old part marked
 * empty (gen 0 is never a live gen) and the entries put back under the
 * wider mask.  Entries beyond the old part hold older gens: empty. */
static void rset_grow(rset_t *s)
{
	int g = s->cur;
	rent_t *e = s->e[g], *tmp = s->tmp;
	uint32_t phys = s->phys[g], k = 0;
	uint64_t gen = s->gen[g];

	for (uint32_t i = 0; i < phys; i++) {
		if (e[i].gen == gen && k < phys / 2)
			tmp[k++] = e[i];
		e[i].gen = 0;
	}
	phys *= 2;
	s->phys[g] = phys;
	for (uint32_t j = 0; j < k; j++) {
		uint32_t i = rset_slot(phys, tmp[j].key);

		while (e[i].gen == gen)
			i = (i + 1) & (phys - 1);
		e[i] = tmp[j];
	}
}

static void rset_put(rset_t *s, uint64_t key, uint64_t val, uint64_t now,
		     uint64_t max_age)
{
	rent_t *e;
	uint32_t i, phys;

	key |= 1;
	if (s->n[s->cur] >= s->cap / 2 ||
	    (max_age && now > s->since + max_age))
		rset_rotate(s, now);
	if (s->n[s->cur] >= s->phys[s->cur] / 2 && s->phys[s->cur] < s->cap)
		rset_grow(s);
	e = s->e[s->cur];
	phys = s->phys[s->cur];
	i = rset_slot(phys, key);
	while (e[i].gen == s->gen[s->cur] && e[i].key != key)
		i = (i + 1) & (phys - 1);
	if (e[i].gen != s->gen[s->cur])
		s->n[s->cur]++;
	e[i].key = key;
	e[i].val = val;
	e[i].gen = s->gen[s->cur];
}

/* ---- output ---------------------------------------------------------- */

static void out_flush(sf_replay_t *r)
{
	if (r->olen && fwrite(r->obuf, 1, r->olen, r->o.out) != r->olen)
		r->write_error = 1;
	r->olen = 0;
}

/* Records are gathered in obuf and written in blocks of OBUF_BYTES. */
static void out_put(sf_replay_t *r, const void *p, size_t n)
{
	if (r->olen + n > OBUF_BYTES) {
		out_flush(r);
		if (n > OBUF_BYTES) {
			if (fwrite(p, 1, n, r->o.out) != n)
				r->write_error = 1;
			return;
		}
	}
	memcpy(r->obuf + r->olen, p, n);
	r->olen += n;
}

/* ---- the record ring ------------------------------------------------- */

/*
 * The ring is written once and read once, about a window (32 s of
 * capture) later: by then the lines have left the core's caches, and
 * between two records emitted the core works on a whole message, so the
 * hardware prefetcher does not follow.  The next record to emit is
 * fetched when the previous one is emitted, and the ring ahead of wpos
 * when a record is pushed (the next record is formatted there).
 */
#define PREFETCH_MAX 1024u

static void prefetch_record(const sf_replay_t *r)
{
	const slot_t *s = &r->slots[r->head & (r->ring_slots - 1)];
	uint32_t n = s->len < PREFETCH_MAX ? s->len : PREFETCH_MAX;

	for (uint32_t i = 0; i < n; i += 64)
		__builtin_prefetch(r->bytes + s->off + i, 0);
	if (n)
		__builtin_prefetch(r->bytes + s->off + n - 1, 0);
	__builtin_prefetch(&r->slots[(r->head + 1) & (r->ring_slots - 1)], 0);
}

static void prefetch_wpos(const sf_replay_t *r)
{
	uint32_t end = r->wpos + 512u;

	if (end > r->ring_bytes)
		end = r->ring_bytes;
	for (uint32_t i = r->wpos; i < end; i += 64)
		__builtin_prefetch(r->bytes + i, 1);
}

static void emit(sf_replay_t *r)
{
	slot_t *s = &r->slots[r->head & (r->ring_slots - 1)];
	char tail[64];
	int n = 0;

	if (s->len) {
		switch (r->o.format) {
		case SF_REPLAY_JSONL: {
			char num[16], *d = utoa(s->retrans, num + sizeof(num));
			size_t k = (size_t)(num + sizeof(num) - 1 - d);

			memcpy(tail, ",\"retransmissions\":", 19);
			memcpy(tail + 19, d, k);
			memcpy(tail + 19 + k, "}\n", 2);
			n = (int)(21 + k);
			break;
		}
		case SF_REPLAY_CSV:
			n = snprintf(tail, sizeof(tail), ",%u\r\n", s->retrans);
			break;
		case SF_REPLAY_TEXT:
			n = s->retrans ? snprintf(tail, sizeof(tail),
						  " (+%u retransmissions)\n",
						  s->retrans)
				       : snprintf(tail, sizeof(tail), "\n");
			break;
		case SF_REPLAY_NONE:
			break;
		}
		out_put(r, r->bytes + s->off, s->len);
		if (n > 0)
			out_put(r, tail, (size_t)n);
	}
	r->head++;
	r->c.records_out++;
	if (r->head == r->tail)
		r->wpos = 0;
	else
		prefetch_record(r);
}

/* Makes room for n bytes; returns the offset. */
static uint32_t ring_alloc(sf_replay_t *r, uint32_t n)
{
	for (;;) {
		uint32_t o;

		if (r->head == r->tail) {
			r->wpos = 0;
			return 0;
		}
		if (r->tail - r->head >= r->ring_slots) {
			r->c.early++;
			emit(r);
			continue;
		}
		o = r->slots[r->head & (r->ring_slots - 1)].off;
		if (o < r->wpos) {
			if (r->wpos + n <= r->ring_bytes)
				return r->wpos;
			if (n <= o) {
				r->wpos = 0;
				return 0;
			}
		} else if (r->wpos + n <= o) {
			return r->wpos;
		}
		r->c.early++;
		emit(r);
	}
}

/*
 * Where to format the next record: the ring at wpos when a whole line
 * (LINE_MAX_BYTES + 64) fits in the free space there, so that ring_push
 * usually has nothing to copy; else line_buf.  Nothing is emitted here:
 * ring_alloc decides the record's place as before, and ring_push moves the
 * record there if it is elsewhere (emission reads only live records, never
 * the free space).
 */
static char *ring_scratch(sf_replay_t *r)
{
	const uint32_t need = LINE_MAX_BYTES + 64;
	uint32_t o;

	if (r->head == r->tail)
		return (char *)r->bytes; /* ring_alloc restarts at 0 */
	o = r->slots[r->head & (r->ring_slots - 1)].off;
	if (o < r->wpos) {
		if (r->ring_bytes - r->wpos >= need)
			return (char *)r->bytes + r->wpos;
	} else if (o > r->wpos && o - r->wpos >= need) {
		return (char *)r->bytes + r->wpos;
	}
	return r->line_buf;
}

static void ring_push(sf_replay_t *r, uint64_t ts, const char *line,
		      uint32_t len, uint64_t *id)
{
	slot_t *s;
	uint32_t off = len ? ring_alloc(r, len) : r->wpos;

	if (r->tail - r->head >= r->ring_slots) {
		r->c.early++;
		emit(r);
	}
	s = &r->slots[r->tail & (r->ring_slots - 1)];
	s->ts = ts;
	s->retrans = 0;
	s->off = off;
	s->len = len;
	if (len && (const char *)r->bytes + off != line)
		memmove(r->bytes + off, line, len); /* line may be in the ring */
	r->wpos = off + len;
	*id = r->tail++;
	if (r->tail - r->head == 1)
		prefetch_record(r);
	prefetch_wpos(r);
}

static void expire(sf_replay_t *r, uint64_t now)
{
	while (r->head != r->tail &&
	       r->slots[r->head & (r->ring_slots - 1)].ts + r->o.hold_us < now)
		emit(r);
}

void sf_replay_flush(sf_replay_t *r)
{
	while (r->head != r->tail)
		emit(r);
	out_flush(r);
	fflush(r->o.out);
	if (ferror(r->o.out))
		r->write_error = 1;
}

/* ---- record formatting ----------------------------------------------- */

/* ISO 8601 UTC with microseconds; gmtime once per second of capture.
 * Returns the length written. */
static size_t fmt_ts(sf_replay_t *r, uint64_t us, char *buf, size_t cap)
{
	uint64_t sec = us / 1000000;
	unsigned frac = (unsigned)(us % 1000000);

	if (sec != r->ts_sec || !r->ts_prefix[0]) {
		time_t t = (time_t)sec;
		struct tm tm;

		gmtime_r(&t, &tm);
		r->ts_prefix_len = strftime(r->ts_prefix, sizeof(r->ts_prefix),
					    "%Y-%m-%dT%H:%M:%S.", &tm);
		r->ts_sec = sec;
	}
	if (cap < sizeof(r->ts_prefix) + 8) {
		buf[0] = 0;
		return 0;
	}
	{
		size_t n = r->ts_prefix_len;

		memcpy(buf, r->ts_prefix, n);
		for (int i = 5; i >= 0; i--, frac /= 10)
			buf[n + (size_t)i] = (char)('0' + frac % 10);
		buf[n + 6] = 'Z';
		buf[n + 7] = 0;
		return n + 7;
	}
}

static uint32_t addr_slot(const sf_ip_t *ip, uint16_t port)
{
	uint64_t lo, hi;

	memcpy(&lo, ip->a, 8);
	memcpy(&hi, ip->a + 8, 8);
	return (uint32_t)mix64(lo ^ mix64(hi ^ port ^ (uint64_t)ip->v4 << 17)) &
	       (ADDR_SLOTS - 1);
}

static bool same_ip(const sf_ip_t *a, const sf_ip_t *b)
{
	return a->v4 == b->v4 && !memcmp(a->a, b->a, sizeof(a->a));
}

static void fmt_addr_raw(const sf_ip_t *ip, uint16_t port, char *buf,
			 size_t cap)
{
	char a[48], p[8];
	size_t n, k = 0;
	int i = 7;

	sf_ip_format(ip, a, sizeof(a));
	n = strlen(a);
	if (n + 10 > cap) {
		buf[0] = 0;
		return;
	}
	if (!ip->v4)
		buf[k++] = '[';
	memcpy(buf + k, a, n);
	k += n;
	if (!ip->v4)
		buf[k++] = ']';
	buf[k++] = ':';
	do {
		p[i--] = (char)('0' + port % 10);
		port /= 10;
	} while (port && i >= 0);
	memcpy(buf + k, p + i + 1, (size_t)(7 - i));
	k += (size_t)(7 - i);
	buf[k] = 0;
}

/* fmt_addr_raw(), remembered: a set of two ways per slot pair, the way
 * not used last is replaced on a miss. */
static size_t fmt_addr(sf_replay_t *r, const sf_ip_t *ip, uint16_t port,
		       char *buf, size_t cap)
{
	addr_memo_t *w = &r->addr_memo[addr_slot(ip, port) & ~1u], *a;
	int k;

	for (k = 0; k < 2; k++)
		if (w[k].used && w[k].port == port && same_ip(&w[k].ip, ip))
			break;
	if (k == 2) {
		k = w[0].mru ^ 1;
		a = &w[k];
		fmt_addr_raw(ip, port, a->text, sizeof(a->text));
		a->ip = *ip;
		a->port = port;
		a->len = (uint8_t)strlen(a->text);
		a->used = 1;
	}
	a = &w[k];
	w[0].mru = (uint8_t)k;
	if ((size_t)a->len + 1 > cap) {
		fmt_addr_raw(ip, port, buf, cap);
		return strlen(buf);
	}
	cpy(buf, a->text, a->len);
	buf[a->len] = 0;
	return a->len;
}

/* The transport's name, with its length in *len. */
static const char *tp_name(uint8_t proto, size_t *len)
{
	if (proto == SF_CAP_SCTP) {
		*len = 4;
		return "sctp";
	}
	*len = 3;
	return proto == SF_CAP_TCP ? "tcp" : "udp";
}

#define FIELD_MAX 512 /* raw bytes of one untrusted field in a record */

static sf_str_t cut(sf_str_t v)
{
	if (v.len > FIELD_MAX)
		v.len = FIELD_MAX;
	if (!v.s)
		v.len = 0;
	return v;
}

typedef struct rec {
	char ts[96], src[80], dst[80];
	size_t ts_len, src_len, dst_len; /* strlen of ts, src, dst */
	const char *transport;
	size_t transport_len;
	sf_str_t call_id, from, pai;
	char number[SF_NUM_MAX + 2], called[SF_NUM_MAX + 2];
	size_t number_len, called_len;   /* strlen of number, called */
	const char *trunk, *cls;
	bool roaming;
	/* every identity judged: network and presentation numbers, the one
	 * that decided */
	char net[SF_NUM_MAX + 2], pres[SF_NUM_MAX + 2];
	size_t net_len, pres_len;
	const char *net_cls, *pres_cls, *decided;
	const sf_report_t *v, *v2;
	const char *trunk2;
} rec_t;

static void csv_str(sf_replay_t *r, size_t *len, const char *s, size_t n)
{
	if (*len < LINE_MAX_BYTES)
		r->line[(*len)++] = ',';
	sf_replay_csv_field(r->line, LINE_MAX_BYTES, len, s, n);
}

static void csv_c(sf_replay_t *r, size_t *len, const char *s)
{
	csv_str(r, len, s, strlen(s));
}

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
		jstr(w, vals[i], strlen(vals[i]));
		if (i == 2) {
			JLIT(w, ",\"");
			jraw(w, pfx);
			JLIT(w, "code\":");
			jraw(w, v->code ? utoa(v->code, num + sizeof(num))
					: "null");
		}
	}
}

/* ---- JSON lines: the fast path ----------------------------------------- */

static uint32_t jc_slot(const void *k1, const void *k2, uint64_t k3,
			uint32_t kind)
{
	uint64_t h = mix64((uint64_t)(uintptr_t)k1 ^
			   mix64((uint64_t)(uintptr_t)k2 ^ mix64(k3 + kind)));

	return (uint32_t)h & (JC_SLOTS - 1);
}

/* The JSON string (quoted, escaped) of s, which must not change during
 * the run (config names, the engine's static texts); NULL if too long. */
static const jcache_t *jc_string(sf_replay_t *r, const char *s)
{
	jcache_t *c = &r->jc[jc_slot(s, NULL, 0, JC_STRING)];
	sf_jw_t w;

	if (c->kind == JC_STRING && c->k1 == s)
		return c;
	sf_jw_init(&w, c->text, JC_TEXT);
	jstr(&w, s, strlen(s));
	if (w.overflow || w.len >= JC_TEXT) {
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

/* jverdict()'s text for v, by the verdict fields it reads (rule name and
 * reason are immutable strings of the config or the engine). */
static const jcache_t *jc_verdict(sf_replay_t *r, const sf_report_t *v,
				  bool other)
{
	uint32_t kind = other ? JC_VERDICT_OTHER : JC_VERDICT;
	uint64_t k3 = (uint64_t)(v->action & 0xffff) |
		      (uint64_t)(v->applied & 0xffff) << 16 |
		      (uint64_t)(v->mode & 0xffff) << 32 |
		      (uint64_t)v->code << 48;
	jcache_t *c = &r->jc[jc_slot(v->rule, v->reason, k3, kind)];
	sf_jw_t w;

	if (c->kind == kind && c->k1 == v->rule && c->k2 == v->reason &&
	    c->k3 == k3)
		return c;
	if ((unsigned)v->action > 0xffff || (unsigned)v->applied > 0xffff ||
	    (unsigned)v->mode > 0xffff)
		return NULL;
	sf_jw_init(&w, c->text, JC_TEXT);
	jverdict(&w, v, other ? "other_" : "");
	if (w.overflow || w.len >= JC_TEXT) {
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

#define OLIT(o, lit) cpy((o), (lit), sizeof(lit) - 1)

/* True if sf_jw_escape would copy s[0..n) unchanged: 0x20..0x7f except
 * '"' and '\\'. */
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

/* "s" escaped as sf_jw_escape does; o has room for 6 * n + 3 bytes. */
static char *oesc(char *o, const char *s, size_t n, bool *overflow)
{
	sf_jw_t w;

	*o++ = '"';
	if (n && json_plain(s, n)) {
		o = cpy(o, s, n);
	} else if (n) {
		sf_jw_init(&w, o, 6 * n + 1);
		sf_jw_escape(&w, s, n);
		if (w.overflow)
			*overflow = true;
		o += w.len;
	}
	*o++ = '"';
	return o;
}

/* A quoted string of bytes that need no escaping (our own timestamps,
 * addresses, digits). */
static char *oplain(char *o, const char *s, size_t n)
{
	*o++ = '"';
	o = cpy(o, s, n);
	*o++ = '"';
	return o;
}

/* Copies a cache entry's text; NULL passes through.  An entry is used
 * before the next lookup, which may evict it. */
static char *ocache(char *o, const jcache_t *c)
{
	return o && c ? cpy(o, c->text, c->len) : NULL;
}

/*
 * The record as format_record()'s JSONL branch writes it, byte for byte,
 * with the constant parts from the cache and one bound check instead of
 * one per piece.  0 = use the general path (a piece too long to cache,
 * or the bound does not fit the line).
 */
static size_t jsonl_fast(sf_replay_t *r, const rec_t *x)
{
	const sf_report_t *v = x->v;
	bool overflow = false;
	size_t bound;
	char *o;

	/* at most 6 cached pieces of < JC_TEXT bytes */
	bound = 512 + 9 * JC_TEXT + x->ts_len + x->src_len + x->dst_len +
		x->transport_len +
		6 * (x->call_id.len + x->from.len + x->pai.len) +
		4 * (SF_NUM_MAX + 2);
	if (bound > LINE_MAX_BYTES)
		return 0;
	o = r->line;
	o = OLIT(o, "{\"ts\":");
	o = oplain(o, x->ts, x->ts_len);
	o = OLIT(o, ",\"src\":");
	o = oplain(o, x->src, x->src_len);
	o = OLIT(o, ",\"dst\":");
	o = oplain(o, x->dst, x->dst_len);
	o = OLIT(o, ",\"transport\":");
	o = oplain(o, x->transport, x->transport_len);
	o = OLIT(o, ",\"call_id\":");
	o = oesc(o, x->call_id.s, x->call_id.len, &overflow);
	o = OLIT(o, ",\"from\":");
	o = oesc(o, x->from.s, x->from.len, &overflow);
	o = OLIT(o, ",\"pai\":");
	o = oesc(o, x->pai.s, x->pai.len, &overflow);
	o = OLIT(o, ",\"number\":");
	o = oplain(o, x->number, x->number_len);
	o = OLIT(o, ",\"called\":");
	o = oplain(o, x->called, x->called_len);
	o = OLIT(o, ",\"trunk\":");
	o = ocache(o, jc_string(r, x->trunk));
	if (!o)
		return 0;
	o = OLIT(o, ",\"class\":");
	o = ocache(o, jc_string(r, x->cls));
	if (!o)
		return 0;
	if (x->roaming)
		o = OLIT(o, ",\"roaming\":true");
	else
		o = OLIT(o, ",\"roaming\":false");
	o = OLIT(o, ",\"decided_by\":");
	o = ocache(o, jc_string(r, x->decided));
	if (!o)
		return 0;
	o = OLIT(o, ",\"network\":");
	o = oplain(o, x->net, x->net_len);
	o = OLIT(o, ",\"network_class\":");
	o = ocache(o, jc_string(r, x->net_cls));
	if (!o)
		return 0;
	o = OLIT(o, ",\"presentation\":");
	o = oplain(o, x->pres, x->pres_len);
	o = OLIT(o, ",\"presentation_class\":");
	o = ocache(o, jc_string(r, x->pres_cls));
	if (!o)
		return 0;
	o = ocache(o, jc_verdict(r, v, false));
	if (!o)
		return 0;
	if (v->malformed)
		o = OLIT(o, ",\"malformed\":true");
	else
		o = OLIT(o, ",\"malformed\":false");
	if (v->malformed && v->sip_error != SF_SIP_OK) {
		o = OLIT(o, ",\"sip_error\":");
		o = ocache(o, jc_string(r, sf_sip_error_name(v->sip_error)));
		if (!o)
			return 0;
	}
	if (x->v2) {
		o = OLIT(o, ",\"other_trunk\":");
		o = ocache(o, jc_string(r, x->trunk2));
		o = ocache(o, jc_verdict(r, x->v2, true));
		if (!o)
			return 0;
	}
	if (overflow)
		return 0;
	return (size_t)(o - r->line);
}

static size_t format_record(sf_replay_t *r, const rec_t *x)
{
	const sf_report_t *v = x->v;
	char code[16];
	size_t len = 0;

	if (r->o.format == SF_REPLAY_JSONL) {
		sf_jw_t w;

		len = jsonl_fast(r, x);
		if (len)
			return len;

		/* Keys are literals: written raw; values escaped. */
		sf_jw_init(&w, r->line, LINE_MAX_BYTES);
		JLIT(&w, "{\"ts\":");
		jstr(&w, x->ts, strlen(x->ts));
		JLIT(&w, ",\"src\":");
		jstr(&w, x->src, strlen(x->src));
		JLIT(&w, ",\"dst\":");
		jstr(&w, x->dst, strlen(x->dst));
		JLIT(&w, ",\"transport\":");
		jstr(&w, x->transport, strlen(x->transport));
		JLIT(&w, ",\"call_id\":");
		jstr(&w, x->call_id.s, x->call_id.len);
		JLIT(&w, ",\"from\":");
		jstr(&w, x->from.s, x->from.len);
		JLIT(&w, ",\"pai\":");
		jstr(&w, x->pai.s, x->pai.len);
		JLIT(&w, ",\"number\":");
		jstr(&w, x->number, strlen(x->number));
		JLIT(&w, ",\"called\":");
		jstr(&w, x->called, strlen(x->called));
		JLIT(&w, ",\"trunk\":");
		jstr(&w, x->trunk, strlen(x->trunk));
		JLIT(&w, ",\"class\":");
		jstr(&w, x->cls, strlen(x->cls));
		jraw(&w, x->roaming ? ",\"roaming\":true" : ",\"roaming\":false");
		JLIT(&w, ",\"decided_by\":");
		jstr(&w, x->decided, strlen(x->decided));
		JLIT(&w, ",\"network\":");
		jstr(&w, x->net, x->net_len);
		JLIT(&w, ",\"network_class\":");
		jstr(&w, x->net_cls, strlen(x->net_cls));
		JLIT(&w, ",\"presentation\":");
		jstr(&w, x->pres, x->pres_len);
		JLIT(&w, ",\"presentation_class\":");
		jstr(&w, x->pres_cls, strlen(x->pres_cls));
		jverdict(&w, v, "");
		jraw(&w, v->malformed ? ",\"malformed\":true"
				      : ",\"malformed\":false");
		if (v->malformed && v->sip_error != SF_SIP_OK) {
			const char *e = sf_sip_error_name(v->sip_error);

			JLIT(&w, ",\"sip_error\":");
			jstr(&w, e, strlen(e));
		}
		if (x->v2) {
			JLIT(&w, ",\"other_trunk\":");
			jstr(&w, x->trunk2, strlen(x->trunk2));
			jverdict(&w, x->v2, "other_");
		}
		/* the closing brace comes with "retransmissions" at emit */
		if (w.overflow || w.len < 1)
			return 0;
		return w.len;
	}
	if (r->o.format == SF_REPLAY_TEXT) {
		int n = snprintf(r->line, LINE_MAX_BYTES,
				 "%s %s -> %s %s %-16s %-14s %s%s%s",
				 x->ts, x->src, x->dst, x->transport,
				 x->number[0] ? x->number : "-", x->trunk,
				 sf_word_name(v->applied),
				 v->rule[0] ? " by " : "", v->rule);

		len = n > 0 ? (size_t)n : 0;
		if (v->mode == SF_MODE_MONITOR && v->action != SF_W_ALLOW &&
		    len < LINE_MAX_BYTES) {
			n = snprintf(r->line + len, LINE_MAX_BYTES - len,
				     " [monitor: would %s]",
				     sf_word_name(v->action));
			len += n > 0 ? (size_t)n : 0;
		}
		if (x->v2 && len < LINE_MAX_BYTES) {
			n = snprintf(r->line + len, LINE_MAX_BYTES - len,
				     " => %s%s%s",
				     sf_word_name(x->v2->applied),
				     x->v2->rule[0] ? " by " : "",
				     x->v2->rule);
			len += n > 0 ? (size_t)n : 0;
		}
		return len < LINE_MAX_BYTES ? len : LINE_MAX_BYTES - 1;
	}
	/* CSV: same columns as the header row in sf_replay_new */
	sf_replay_csv_field(r->line, LINE_MAX_BYTES, &len, x->ts,
			    strlen(x->ts));
	csv_c(r, &len, x->src);
	csv_c(r, &len, x->dst);
	csv_c(r, &len, x->transport);
	csv_str(r, &len, x->call_id.s, x->call_id.len);
	csv_str(r, &len, x->from.s, x->from.len);
	csv_str(r, &len, x->pai.s, x->pai.len);
	csv_c(r, &len, x->number);
	csv_c(r, &len, x->called);
	csv_c(r, &len, x->trunk);
	csv_c(r, &len, x->cls);
	csv_c(r, &len, x->roaming ? "true" : "false");
	csv_c(r, &len, v->rule);
	csv_c(r, &len, sf_word_name(v->action));
	csv_c(r, &len, sf_word_name(v->applied));
	snprintf(code, sizeof(code), "%u", v->code);
	csv_c(r, &len, v->code ? code : "");
	csv_c(r, &len, sf_mode_name(v->mode));
	csv_c(r, &len, v->reason);
	csv_c(r, &len, v->malformed ? "true" : "false");
	csv_c(r, &len, v->malformed && v->sip_error != SF_SIP_OK
			       ? sf_sip_error_name(v->sip_error) : "");
	csv_c(r, &len, x->decided);
	csv_str(r, &len, x->net, x->net_len);
	csv_c(r, &len, x->net_cls);
	csv_str(r, &len, x->pres, x->pres_len);
	csv_c(r, &len, x->pres_cls);
	if (x->v2) {
		csv_c(r, &len, x->trunk2);
		csv_c(r, &len, x->v2->rule);
		csv_c(r, &len, sf_word_name(x->v2->action));
		csv_c(r, &len, sf_word_name(x->v2->applied));
		snprintf(code, sizeof(code), "%u", x->v2->code);
		csv_c(r, &len, x->v2->code ? code : "");
		csv_c(r, &len, sf_mode_name(x->v2->mode));
	}
	return len < LINE_MAX_BYTES ? len : 0;
}

/* ---- SIP bits that do not need a full scan ---------------------------- */

/* The Call-ID value of a message (any header-name case, compact "i"). */
static sf_str_t find_call_id(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		size_t ls = nl ? (size_t)(nl - p) + 1 : n, le;

		if (!nl)
			break;
		i = ls;
		le = i;
		while (le < n && p[le] != '\r' && p[le] != '\n')
			le++;
		if (le == i)
			break; /* end of headers */
		{
			sf_str_t line = sf_str((const char *)p + i, le - i);
			size_t k = 0;

			while (k < line.len && line.s[k] != ':' &&
			       line.s[k] != ' ' && line.s[k] != '\t')
				k++;
			if (sf_str_ieq_c(sf_str(line.s, k), "call-id") ||
			    sf_str_ieq_c(sf_str(line.s, k), "i")) {
				while (k < line.len && line.s[k] != ':')
					k++;
				if (k < line.len)
					return sf_str_trim(sf_str(
						line.s + k + 1,
						line.len - k - 1));
			}
		}
	}
	return SF_STR_NULL;
}

/* The branch of the first Via value, or the whole first value. */
static sf_str_t top_branch(const sf_sipmsg_t *m)
{
	const sf_sip_hdr_t *h = sf_sip_hdr_nth(m, SF_HDR_VIA, 0);
	sf_str_t v;
	size_t i;

	if (!h)
		return SF_STR_NULL;
	v = h->value;
	if (v.len) {
		const char *comma = memchr(v.s, ',', v.len);

		if (comma)
			v.len = (size_t)(comma - v.s);
	}
	for (i = 0; i + 8 <= v.len; i++) {
		const char *semi = memchr(v.s + i, ';', v.len - 7 - i);

		if (!semi)
			break;
		i = (size_t)(semi - v.s);
		if (sf_str_ieq_c(sf_str(v.s + i + 1, 7), "branch=")) {
			size_t s = i + 8, e = s;

			while (e < v.len && v.s[e] != ';' && v.s[e] != ' ' &&
			       v.s[e] != '\t')
				e++;
			return sf_str(v.s + s, e - s);
		}
	}
	return v;
}

static uint64_t str_hash(sf_str_t v)
{
	return hash_bytes(HASH0, v.s, v.s ? v.len : 0);
}

/* ---- selected-call pcap ----------------------------------------------- */

static void write_pkt(sf_replay_t *r, const sf_cap_msg_t *m)
{
	size_t n;

	if (!r->o.pcap)
		return;
	n = sf_cap_synth(r->pkt, sizeof(r->pkt), &m->src, m->sport, &m->dst,
			 m->dport, m->proto == SF_CAP_TCP ? 6 : 17,
			 (uint32_t)m->stream_off, r->ip_id++, m->data, m->len);
	if (!n) {
		r->c.pcap_skipped++;
		return;
	}
	if (sf_pcapw_write(r->o.pcap, 0, m->ts_us, r->pkt, (uint32_t)n,
			   (uint32_t)n) < 0)
		r->write_error = 1;
	r->c.pcap_written++;
}

static bool selected(const sf_replay_t *r, const sf_report_t *v)
{
	switch (r->o.select) {
	case SF_SEL_ACTION: return v->applied == r->o.select_action;
	case SF_SEL_RULE: return !strcmp(v->rule, r->o.select_rule);
	case SF_SEL_ALL: return true;
	default: return false;
	}
}

/* ---- the INVITE path --------------------------------------------------- */

/* sf_cfg_trunk_match(), remembered per source address and config (two
 * ways per slot pair, as fmt_addr). */
static int trunk_of(sf_replay_t *r, const sf_cfg_t *cfg, const sf_ip_t *ip)
{
	trunk_memo_t *w = &r->trunk_memo[cfg == r->o.cfg ? 0 : 1]
					[addr_slot(ip, 0) & ~1u];
	int k;

	for (k = 0; k < 2; k++)
		if (w[k].used && same_ip(&w[k].ip, ip))
			break;
	if (k == 2) {
		k = w[0].mru ^ 1;
		w[k].trunk = sf_cfg_trunk_match(cfg, ip);
		w[k].ip = *ip;
		w[k].used = 1;
	}
	w[0].mru = (uint8_t)k;
	return w[k].trunk;
}

/*
 * Admission of one captured INVITE, exactly as serve would admit the same
 * bytes from the same source (sf_admit.h): the trunk by source address
 * (memoised) unless the capture's trunk is assumed.  scanned: r->msg
 * already holds the accepted scan.
 */
static void admit(sf_replay_t *r, bool second, const sf_cap_msg_t *m,
		  bool scanned, sf_call_t *call)
{
	const sf_cfg_t *cfg = second ? r->o.cfg2 : r->o.cfg;
	const sf_tables_t *tables = second ? r->o.tables2 : r->o.tables;
	const sf_edge_t *e = second ? r->edge2 : r->edge;
	sf_admission_t *a = second ? r->adm2 : r->adm;
	int assume = second ? r->o.assume_trunk2 : r->o.assume_trunk;
	sf_admit_in_t in = {(const char *)m->data, m->len,
			    m->proto == SF_CAP_TCP ? SF_TP_TCP : SF_TP_UDP,
			    m->src, m->sport,
			    assume != SF_TRUNK_BY_SOURCE
				    ? assume
				    : trunk_of(r, cfg, &m->src)};

	if (scanned)
		sf_admit_scanned(e, tables, &in, r->msg, call, a);
	else
		sf_admit(e, tables, &in, r->msg, call, a);
	sf_report_of(a, second ? &r->rep2 : &r->rep);
}

static bool verdict_changed(const sf_report_t *a, const sf_report_t *b)
{
	return a->applied != b->applied || a->action != b->action ||
	       a->mode != b->mode || a->code != b->code ||
	       strcmp(a->rule, b->rule) != 0;
}

/* An identity's number (text) and class name for a record; "" when
 * there is none. */
static void id_text(const sf_idfacts_t *x, char buf[SF_NUM_MAX + 2],
		    size_t *len, const char **cls)
{
	*len = 0;
	buf[0] = '\0';
	*cls = "";
	if (!x || x->number.kind == SF_NUM_NONE)
		return;
	*len = sf_num_format_len(&x->number, buf, SF_NUM_MAX + 2);
	if (x->cls >= 0)
		*cls = sf_class_name((sf_class_t)x->cls);
}

static void on_invite(sf_replay_t *r, const sf_cap_msg_t *m)
{
	sf_sip_limits_t lim = {.max_message = r->max_message,
			       .stream = m->proto == SF_CAP_TCP};
	bool ok = sf_sip_scan((const char *)m->data, m->len, &lim, r->msg) ==
		  0;
	uint64_t key = 0, id, *known;
	sf_str_t cid;
	rec_t x;
	size_t len;
	bool changed = false, sel;
	sf_facts_t no_facts;
	const sf_facts_t *facts;

	if (ok && !r->msg->is_request)
		ok = false;
	if (ok) {
		const sf_sip_hdr_t *h = sf_sip_hdr_nth(r->msg,
						       SF_HDR_CALL_ID, 0);
		uint32_t cseq = r->msg->cseq_num;

		cid = h ? h->value : SF_STR_NULL;
		key = hash_bytes(HASH0 ^ cseq, cid.s, cid.s ? cid.len : 0);
		{
			sf_str_t b = top_branch(r->msg);

			key = hash_bytes(key, b.s, b.s ? b.len : 0);
		}
		known = rset_find(&r->txn, key);
		if (known) {
			uint64_t kid = *known >> 1;

			r->c.retrans++;
			if (kid >= r->head && kid < r->tail)
				r->slots[kid & (r->ring_slots - 1)].retrans++;
			else
				r->c.late_retrans++;
			if (*known & 1)
				write_pkt(r, m);
			return;
		}
	}
	r->c.invites++;
	admit(r, false, m, ok, r->call);
	if (r->o.cfg2) {
		admit(r, true, m, ok, r->call2);
		changed = verdict_changed(&r->rep, &r->rep2);
		sf_replay_count_diff(r, &r->rep, &r->rep2, changed);
	}
	if (!ok) {
		r->c.malformed_invites++;
		if (r->adm->sip_error != SF_SIP_OK &&
		    r->adm->sip_error < SF_SIP_E_COUNT)
			r->c.sip_errors[r->adm->sip_error]++;
		cid = find_call_id(m->data, m->len);
	} else {
		cid = r->call->call_id.len ? r->call->call_id : cid;
	}
	facts = &r->adm->v.facts;
	if (!r->adm->judged) {
		memset(&no_facts, 0, sizeof(no_facts));
		no_facts.trunk = r->adm->trunk;
		no_facts.primary = no_facts.decided = -1;
		no_facts.decided_by = SF_IDK_NONE;
		facts = &no_facts;
	}
	sf_replay_count(r, m, &r->rep, facts);

	sel = selected(r, &r->rep);
	len = 0;
	if (r->o.format == SF_REPLAY_NONE || (r->o.cfg2 && !changed))
		goto push;
	/* every field is set below (no memset of the ~400-byte record) */
	x.from = x.pai = SF_STR_NULL;
	x.number[0] = x.called[0] = '\0';
	x.number_len = x.called_len = 0;
	x.v2 = NULL;
	x.trunk2 = NULL;
	x.ts_len = fmt_ts(r, m->ts_us, x.ts, sizeof(x.ts));
	x.src_len = fmt_addr(r, &m->src, m->sport, x.src, sizeof(x.src));
	x.dst_len = fmt_addr(r, &m->dst, m->dport, x.dst, sizeof(x.dst));
	x.transport = tp_name(m->proto, &x.transport_len);
	x.call_id = cut(cid);
	if (r->adm->judged) {
		x.from = cut(r->call->from.uri);
		if (r->call->n_pai)
			x.pai = cut(r->call->pai[0].uri);
	}
	if (facts->number.kind != SF_NUM_NONE) {
		x.number_len = sf_num_format_len(&facts->number, x.number,
					      sizeof(x.number));
		x.cls = sf_class_name(facts->cls);
	} else {
		x.cls = "";
	}
	if (facts->called.kind != SF_NUM_NONE)
		x.called_len = sf_num_format_len(&facts->called, x.called,
					      sizeof(x.called));
	x.trunk = facts->trunk >= 0 ? r->o.cfg->trunks[facts->trunk].name : "";
	x.decided = sf_idkind_name(facts->decided_by);
	id_text(sf_facts_network(facts), x.net, &x.net_len, &x.net_cls);
	id_text(sf_facts_presentation(facts), x.pres, &x.pres_len,
		&x.pres_cls);
	x.roaming = facts->roaming;
	x.v = &r->rep;
	if (r->o.cfg2) {
		x.v2 = &r->rep2;
		x.trunk2 = r->adm2->trunk >= 0
				   ? r->o.cfg2->trunks[r->adm2->trunk].name
				   : "";
	}
	r->line = ring_scratch(r);
	len = format_record(r, &x);
	if (!len)
		r->c.record_overflow++;
push:
	ring_push(r, m->ts_us, r->line, (uint32_t)len, &id);
	if (ok)
		rset_put(&r->txn, key, id << 1 | (sel ? 1 : 0), r->now,
			 r->o.hold_us);
	if (sel && r->o.pcap) {
		r->c.selected++;
		if (cid.len)
			rset_put(&r->sel, str_hash(cid), 1, r->now, 0);
		write_pkt(r, m);
	}
}

void sf_replay_on_msg(void *user, const sf_cap_msg_t *m)
{
	sf_replay_t *r = user;
	const uint8_t *p = m->data;
	size_t n = m->len;

	if (sip_start(p, n) != 1) {
		size_t i = 0;

		while (i < n && (p[i] == '\r' || p[i] == '\n'))
			i++;
		if (n && i == n) {
			r->c.keepalives++;
			return;
		}
		if (i == 0 || sip_start(p + i, n - i) != 1) {
			r->c.non_sip++;
			return;
		}
		p += i;
		n -= i;
	}
	if (m->ts_us > r->now)
		r->now = m->ts_us;
	expire(r, r->now);
	r->c.sip++;
	if (p[0] == 'S')
		r->c.responses++;
	/* any case: "invite" must not hide from the records (admission
	 * refuses it, and replay says so) */
	if (n > 7 && (!memcmp(p, "INVITE ", 7) ||
		      (p[6] == ' ' && !strncasecmp((const char *)p, "INVITE", 6)))) {
		sf_cap_msg_t mm = *m;

		mm.data = p;
		mm.len = n;
		on_invite(r, &mm);
		return;
	}
	if (r->o.pcap && r->c.selected) {
		sf_str_t cid = find_call_id(p, n);
		uint64_t *hit = cid.len ? rset_find(&r->sel, str_hash(cid))
					: NULL;

		if (hit)
			write_pkt(r, m);
	}
}

/* ---- life cycle --------------------------------------------------------- */

sf_replay_t *sf_replay_new(const sf_replay_opts_t *o)
{
	sf_replay_t *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->o = *o;
	if (!r->o.top)
		r->o.top = 5;
	r->max_message = o->cfg->serve.max_message
				 ? o->cfg->serve.max_message
				 : SF_SIP_DEFAULT_MAX_MESSAGE;
	r->msg = malloc(sizeof(*r->msg));
	r->call = malloc(sizeof(*r->call));
	r->call2 = malloc(sizeof(*r->call2));
	r->edge = malloc(sizeof(*r->edge));
	r->edge2 = malloc(sizeof(*r->edge2));
	r->adm = malloc(sizeof(*r->adm));
	r->adm2 = malloc(sizeof(*r->adm2));
	r->ring_slots = RING_SLOTS;
	if (o->ring_slots && o->ring_slots < RING_SLOTS)
		while (r->ring_slots > o->ring_slots)
			r->ring_slots /= 2;
	r->ring_bytes = RING_BYTES;
	if (o->ring_bytes && o->ring_bytes < RING_BYTES)
		r->ring_bytes = o->ring_bytes < SF_REPLAY_RING_MIN_BYTES
					? SF_REPLAY_RING_MIN_BYTES
					: o->ring_bytes;
	r->slots = calloc(RING_SLOTS, sizeof(slot_t));
	r->bytes = malloc(RING_BYTES);
	r->line_buf = malloc(LINE_MAX_BYTES + 64);
	r->line = r->line_buf;
	r->obuf = malloc(OBUF_BYTES);
	r->jc = calloc(JC_SLOTS, sizeof(jcache_t));
	if (!r->msg || !r->call || !r->call2 || !r->edge || !r->edge2 ||
	    !r->adm || !r->adm2 ||
	    sf_edge_init(r->edge, o->cfg, NULL, NULL) < 0 ||
	    (o->cfg2 && sf_edge_init(r->edge2, o->cfg2, NULL, NULL) < 0) ||
	    !r->slots || !r->bytes || !r->line_buf || !r->obuf || !r->jc ||
	    rset_init(&r->txn, TXN_SET) < 0 || rset_init(&r->sel, SEL_SET) < 0 ||
	    sf_replay_stats_init(r) < 0) {
		sf_replay_free(r);
		return NULL;
	}
	if (o->format == SF_REPLAY_CSV) {
		fputs("ts,src,dst,transport,call_id,from,pai,number,called,"
		      "trunk,class,roaming,rule,action,applied,code,mode,"
		      "reason,malformed,sip_error,decided_by,network,"
		      "network_class,presentation,presentation_class", o->out);
		if (o->cfg2)
			fputs(",other_trunk,other_rule,other_action,"
			      "other_applied,other_code,other_mode", o->out);
		fputs(",retransmissions\r\n", o->out);
	}
	return r;
}

void sf_replay_free(sf_replay_t *r)
{
	if (!r)
		return;
	free(r->msg);
	free(r->call);
	free(r->call2);
	free(r->edge);
	free(r->edge2);
	free(r->adm);
	free(r->adm2);
	free(r->slots);
	free(r->bytes);
	free(r->line_buf);
	free(r->obuf);
	free(r->jc);
	rset_fini(&r->txn);
	rset_fini(&r->sel);
	sf_replay_stats_fini(r);
	free(r);
}

uint64_t sf_replay_invites(const sf_replay_t *r)
{
	return r->c.invites;
}

int sf_replay_write_error(const sf_replay_t *r)
{
	return r->write_error;
}
