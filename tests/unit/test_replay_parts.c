/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_replay_parts.c - the parts `sipfilter replay` is built from,
 * against their contracts: the record ring (replay_ring.h), retransmission
 * folding (replay_txn.h), the call table (replay_calls.h), the top-k of presented numbers (replay_topk.h)
 * and the JSON line writer's limits (replay_jsonl.h).  The end-to-end
 * behaviour (records, summary, goldens) is tests/integration/replay.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sf_hash.h"
#include "sipfilter/engine/sf_sip.h"
#include "sipfilter/replay/replay_calls.h"
#include "sipfilter/replay/replay_jsonl.h"
#include "sipfilter/replay/replay_ring.h"
#include "sipfilter/replay/replay_topk.h"
#include "sipfilter/replay/replay_txn.h"
#include "t.h"

/* ---- the record ring --------------------------------------------------- */

/* Pushes line (a C string) after making room the way replay does: the
 * oldest records go first.  Returns the id; *evicted counts them. */
static uint64_t push_s(replay_ring_t *g, uint64_t ts, const char *line,
		       unsigned *evicted)
{
	uint32_t n = (uint32_t)strlen(line);

	while (!replay_ring_room(g, n)) {
		replay_ring_pop(g);
		(*evicted)++;
	}
	return replay_ring_push(g, ts, line, n);
}

static void oldest_is(const replay_ring_t *g, const char *want)
{
	const replay_slot_t *s = replay_ring_oldest(g);

	T_EQ_INT(s->len, strlen(want));
	if (s->len == strlen(want))
		T_TRUE(!memcmp(g->bytes + s->off, want, s->len));
}

static void test_ring_sizes(void)
{
	replay_ring_t g;

	T_EQ_INT(replay_ring_init(&g, 5, 100, 64), 0);
	T_EQ_INT(g.n_slots, 4);           /* rounded down to a power of 2 */
	T_EQ_INT(g.n_bytes, 100);
	replay_ring_fini(&g);
	T_EQ_INT(replay_ring_init(&g, 1, 10, 64), 0);
	T_EQ_INT(g.n_slots, 1);
	T_EQ_INT(g.n_bytes, 64);          /* at least min_bytes */
	replay_ring_fini(&g);
	T_EQ_INT(replay_ring_init(&g, 0, 0, 64), 0);
	T_EQ_INT(g.n_slots, REPLAY_RING_SLOTS);
	T_EQ_INT(g.n_bytes, REPLAY_RING_BYTES);
	replay_ring_fini(&g);
	T_EQ_INT(replay_ring_init(&g, UINT32_MAX, UINT32_MAX, 64), 0);
	T_EQ_INT(g.n_slots, REPLAY_RING_SLOTS); /* never above the default */
	T_EQ_INT(g.n_bytes, REPLAY_RING_BYTES);
	replay_ring_fini(&g);
	replay_ring_fini(&g); /* twice: a no-op */
}

static void test_ring_fifo_and_ids(void)
{
	replay_ring_t g;
	unsigned ev = 0;
	uint64_t a, b, c;

	replay_ring_init(&g, 8, 1000, 100);
	T_TRUE(replay_ring_empty(&g));
	a = push_s(&g, 10, "first", &ev);
	b = push_s(&g, 20, "second", &ev);
	c = push_s(&g, 30, "third", &ev);
	T_EQ_INT(ev, 0);
	T_EQ_INT(b, a + 1);
	T_EQ_INT(c, b + 1);
	oldest_is(&g, "first");
	T_EQ_INT(replay_ring_oldest(&g)->ts, 10);
	T_EQ_INT(replay_ring_oldest(&g)->retrans, 0);
	/* retransmissions count on the record while it is held */
	T_TRUE(replay_ring_retrans(&g, a));
	T_TRUE(replay_ring_retrans(&g, a));
	T_TRUE(replay_ring_retrans(&g, c));
	T_EQ_INT(replay_ring_oldest(&g)->retrans, 2);
	replay_ring_pop(&g);
	oldest_is(&g, "second");
	T_EQ_INT(replay_ring_oldest(&g)->retrans, 0);
	/* ... and not once it is gone, nor for an id not pushed yet */
	T_TRUE(!replay_ring_retrans(&g, a));
	T_TRUE(!replay_ring_retrans(&g, c + 1));
	replay_ring_pop(&g);
	oldest_is(&g, "third");
	T_EQ_INT(replay_ring_oldest(&g)->retrans, 1);
	replay_ring_pop(&g);
	T_TRUE(replay_ring_empty(&g));
	T_EQ_INT(g.wpos, 0); /* an empty ring starts again at 0 */
	replay_ring_fini(&g);
}

static void test_ring_full_slots(void)
{
	replay_ring_t g;
	unsigned ev = 0;
	char line[16]; /* "r%d" of any int: gcc -O1 checks the bound */

	replay_ring_init(&g, 4, 1000, 100);
	for (int i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "r%d", i);
		push_s(&g, (uint64_t)i, line, &ev);
	}
	T_EQ_INT(ev, 0);
	T_TRUE(!replay_ring_room(&g, 2));
	T_TRUE(!replay_ring_room(&g, 0)); /* a record without a line too */
	push_s(&g, 4, "r4", &ev);
	T_EQ_INT(ev, 1);
	oldest_is(&g, "r1");
	/* records without a line take a slot and no bytes */
	push_s(&g, 5, "", &ev);
	T_EQ_INT(ev, 2);
	oldest_is(&g, "r2");
	replay_ring_fini(&g);
}

static void test_ring_wrap(void)
{
	replay_ring_t g;
	unsigned ev = 0;
	char a[41], b[41], c[41], d[41];

	memset(a, 'a', 40), a[40] = 0;
	memset(b, 'b', 40), b[40] = 0;
	memset(c, 'c', 40), c[40] = 0;
	memset(d, 'd', 40), d[40] = 0;
	replay_ring_init(&g, 16, 100, 100);
	push_s(&g, 1, a, &ev);     /* [0, 40) */
	push_s(&g, 2, b, &ev);     /* [40, 80) */
	T_EQ_INT(replay_ring_oldest(&g)->off, 0);
	/* 20 bytes left at the end and none at the start: no room */
	T_TRUE(replay_ring_room(&g, 20));
	T_TRUE(!replay_ring_room(&g, 21));
	push_s(&g, 3, c, &ev);     /* a line never wraps: a goes first */
	T_EQ_INT(ev, 1);
	oldest_is(&g, b);
	{
		const replay_slot_t *s = &g.slots[(g.tail - 1) & (g.n_slots - 1)];

		T_EQ_INT(s->off, 0);
		T_TRUE(!memcmp(g.bytes, c, 40));
	}
	T_EQ_INT(g.wpos, 40);
	/* [40, 80) is b: nothing fits between wpos and b */
	T_TRUE(!replay_ring_room(&g, 1));
	push_s(&g, 4, d, &ev);
	T_EQ_INT(ev, 2);
	oldest_is(&g, c);
	replay_ring_pop(&g);
	oldest_is(&g, d);
	T_EQ_INT(replay_ring_oldest(&g)->off, 40);
	replay_ring_fini(&g);
}

static void test_ring_scratch(void)
{
	replay_ring_t g;
	unsigned ev = 0;
	char *p;

	replay_ring_init(&g, 16, 100, 100);
	T_TRUE(replay_ring_scratch(&g, 101) == NULL);
	p = replay_ring_scratch(&g, 100);
	T_TRUE(p == (char *)g.bytes);
	push_s(&g, 1, "0123456789", &ev);
	p = replay_ring_scratch(&g, 90);
	T_TRUE(p == (char *)g.bytes + 10);
	T_TRUE(replay_ring_scratch(&g, 91) == NULL);
	/* a record formatted in place is pushed without a copy */
	memcpy(p, "in place", 8);
	replay_ring_push(&g, 2, p, 8);
	replay_ring_pop(&g);
	oldest_is(&g, "in place");
	T_EQ_INT(replay_ring_oldest(&g)->off, 10);
	replay_ring_fini(&g);
}

/* ---- retransmission folding -------------------------------------------- */

static void test_txn_set_basic(void)
{
	replay_txn_set_t s;
	uint64_t *v;

	T_EQ_INT(replay_txn_init(&s, 1024), 0);
	T_TRUE(replay_txn_find(&s, 42) == NULL);
	replay_txn_put(&s, 42, 7, 0, 0);
	v = replay_txn_find(&s, 42);
	T_TRUE(v && *v == 7);
	T_TRUE(replay_txn_find(&s, 44) == NULL);
	/* bit 0 is not part of the key */
	v = replay_txn_find(&s, 43);
	T_TRUE(v && *v == 7);
	replay_txn_put(&s, 42, 9, 0, 0); /* a new value for the same key */
	v = replay_txn_find(&s, 42);
	T_TRUE(v && *v == 9);
	replay_txn_fini(&s);
}

static void test_txn_set_expiry_by_age(void)
{
	replay_txn_set_t s;

	replay_txn_init(&s, 1024);
	replay_txn_put(&s, 100, 1, 0, 10);
	replay_txn_put(&s, 200, 2, 10, 10);   /* same generation */
	replay_txn_put(&s, 300, 3, 11, 10);   /* older than 10: rotates */
	T_TRUE(replay_txn_find(&s, 100) != NULL); /* still in the old one */
	T_TRUE(replay_txn_find(&s, 300) != NULL);
	replay_txn_put(&s, 400, 4, 22, 10);   /* rotates again */
	T_TRUE(replay_txn_find(&s, 100) == NULL);
	T_TRUE(replay_txn_find(&s, 200) == NULL);
	T_TRUE(replay_txn_find(&s, 300) != NULL);
	T_TRUE(replay_txn_find(&s, 400) != NULL);
	/* max_age 0: time alone never expires */
	replay_txn_put(&s, 500, 5, 1000000, 0);
	T_TRUE(replay_txn_find(&s, 300) != NULL);
	replay_txn_fini(&s);
}

static void test_txn_set_bounded(void)
{
	replay_txn_set_t s;
	unsigned live = 0;

	replay_txn_init(&s, 16); /* 8 keys per generation */
	for (uint64_t k = 1; k <= 8; k++)
		replay_txn_put(&s, k << 1, k, 0, 0);
	for (uint64_t k = 1; k <= 8; k++)
		T_TRUE(replay_txn_find(&s, k << 1) != NULL);
	for (uint64_t k = 9; k <= 16; k++)   /* one rotation */
		replay_txn_put(&s, k << 1, k, 0, 0);
	for (uint64_t k = 1; k <= 16; k++)
		T_TRUE(replay_txn_find(&s, k << 1) != NULL);
	replay_txn_put(&s, 17 << 1, 17, 0, 0); /* another: 1..8 forgotten */
	for (uint64_t k = 1; k <= 17; k++)
		live += replay_txn_find(&s, k << 1) != NULL;
	T_EQ_INT(live, 9);
	T_TRUE(replay_txn_find(&s, 1 << 1) == NULL);
	T_TRUE(replay_txn_find(&s, 17 << 1) != NULL);
	replay_txn_fini(&s);
}

static void test_txn_set_grows(void)
{
	replay_txn_set_t s;
	unsigned found = 0;
	const uint64_t n = 3 * REPLAY_TXN_MIN; /* several doublings */

	replay_txn_init(&s, 1u << 15);
	for (uint64_t k = 1; k <= n; k++)
		replay_txn_put(&s, k * 0x9E3779B97F4A7C15ull, k, 0, 0);
	for (uint64_t k = 1; k <= n; k++) {
		uint64_t *v = replay_txn_find(&s, k * 0x9E3779B97F4A7C15ull);

		found += v && *v == k;
	}
	T_EQ_INT(found, n);
	T_TRUE(s.phys[s.cur] > REPLAY_TXN_MIN);
	replay_txn_fini(&s);
}

static sf_sipmsg_t g_msg;

/* The transaction key of an INVITE with these Call-ID, CSeq and Via. */
static uint64_t key_of(const char *call_id, const char *cseq,
		       const char *via, const char *to)
{
	char buf[1024];
	const sf_sip_limits_t lim = {0, false};
	const sf_sip_hdr_t *h;
	int n = snprintf(buf, sizeof(buf),
			 "INVITE sip:+4930123456@x SIP/2.0\r\n"
			 "Via: %s\r\n"
			 "Max-Forwards: 70\r\n"
			 "From: <sip:+4930999@x>;tag=a\r\n"
			 "To: <sip:+4930123456@x>%s\r\n"
			 "Call-ID: %s\r\n"
			 "CSeq: %s INVITE\r\n"
			 "Content-Length: 0\r\n\r\n",
			 via, to, call_id, cseq);

	if (sf_sip_scan(buf, (size_t)n, &lim, &g_msg) != 0) {
		T_FAIL_AT("scan failed: %s", buf);
		return 0;
	}
	h = sf_sip_hdr_nth(&g_msg, SF_HDR_CALL_ID, 0);
	return replay_txn_key(&g_msg, h ? h->value : SF_STR_NULL);
}

static void test_txn_key(void)
{
	const char *via = "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc;rport";
	uint64_t k = key_of("c1@x", "1", via, "");

	/* a retransmission: same Call-ID, CSeq and top branch */
	T_EQ_INT(k, key_of("c1@x", "1", via, ""));
	/* other parts of the message do not matter (RFC 3261 §17.2.1) */
	T_EQ_INT(k, key_of("c1@x", "1",
			   "SIP/2.0/UDP 10.9.9.9:5070;rport;branch=z9hG4bKabc",
			   ";tag=later"));
	/* a new transaction: another Call-ID, CSeq or branch */
	T_TRUE(k != key_of("c2@x", "1", via, ""));
	T_TRUE(k != key_of("c1@x", "2", via, ""));
	T_TRUE(k != key_of("c1@x", "1",
			   "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabd", ""));
	/* only the top Via counts */
	T_EQ_INT(k, key_of("c1@x", "1", "SIP/2.0/UDP 10.0.0.1:5060;"
			   "branch=z9hG4bKabc, SIP/2.0/UDP 10.0.0.2;branch=zz",
			   ""));
	/* no branch (RFC 2543): the whole top Via value */
	T_TRUE(key_of("c1@x", "1", "SIP/2.0/UDP 10.0.0.1:5060", "") !=
	       key_of("c1@x", "1", "SIP/2.0/UDP 10.0.0.2:5060", ""));
	T_EQ_INT(replay_txn_call_key(sf_str("c1@x", 4)),
		 replay_txn_call_key(sf_str("c1@x", 4)));
	T_TRUE(replay_txn_call_key(sf_str("c1@x", 4)) !=
	       replay_txn_call_key(sf_str("c1@y", 4)));
}

/* ---- top-k ------------------------------------------------------------------ */

static void add_n(replay_topk_t *t, const char *num, unsigned n)
{
	char buf[SF_NUM_MAX + 2];

	memset(buf, 0, sizeof(buf));
	memcpy(buf, num, strnlen(num, SF_NUM_MAX + 1));
	while (n--)
		replay_topk_add(t, buf);
}

static void test_topk_exact_and_order(void)
{
	replay_topk_t *t = calloc(1, sizeof(*t));
	replay_topk_ent_t out[REPLAY_TOPK];
	unsigned n;

	add_n(t, "+4930222", 3);
	add_n(t, "+4930111", 5);
	add_n(t, "+4930333", 3);   /* ties with 222: by number */
	add_n(t, "+4930000", 1);
	n = replay_topk_sorted(t, out);
	T_EQ_INT(n, 4);
	T_EQ_STR(out[0].num, "+4930111");
	T_EQ_INT(out[0].count, 5);
	T_EQ_STR(out[1].num, "+4930222");
	T_EQ_STR(out[2].num, "+4930333");
	T_EQ_INT(out[2].count, 3);
	T_EQ_STR(out[3].num, "+4930000");
	for (unsigned i = 0; i < n; i++)
		T_EQ_INT(out[i].err, 0);  /* exact below REPLAY_TOPK */
	/* the table itself is left in insertion order */
	T_EQ_STR(t->top[0].num, "+4930222");
	free(t);
}

static void test_topk_more_keys_than_k(void)
{
	replay_topk_t *t = calloc(1, sizeof(*t));
	replay_topk_ent_t out[REPLAY_TOPK];
	char num[SF_NUM_MAX + 2];
	uint64_t sum = 0, adds = 0;
	unsigned n;

	add_n(t, "+491700000", 100), adds += 100;   /* a heavy hitter */
	for (int i = 1; i < REPLAY_TOPK; i++) {      /* fills the table */
		snprintf(num, sizeof(num), "+49170%04d", i);
		add_n(t, num, 2), adds += 2;
	}
	T_EQ_INT(t->n, REPLAY_TOPK);
	/* one more distinct number: takes the first entry with the least
	 * count (2) and starts at 3 with error 2 */
	add_n(t, "+491709999", 1), adds++;
	T_EQ_INT(t->n, REPLAY_TOPK);
	T_EQ_STR(t->top[1].num, "+491709999");
	T_EQ_INT(t->top[1].count, 3);
	T_EQ_INT(t->top[1].err, 2);
	/* 40 more distinct numbers, each once */
	for (int i = 0; i < 40; i++) {
		snprintf(num, sizeof(num), "+49171%04d", i);
		add_n(t, num, 1), adds++;
	}
	n = replay_topk_sorted(t, out);
	T_EQ_INT(n, REPLAY_TOPK);
	for (unsigned i = 0; i < n; i++)
		sum += out[i].count;
	T_EQ_INT(sum, adds);                  /* counts sum to the adds */
	T_EQ_STR(out[0].num, "+491700000");   /* the heavy hitter stays */
	T_EQ_INT(out[0].count, 100);
	T_EQ_INT(out[0].err, 0);
	for (unsigned i = 1; i < n; i++) {
		T_TRUE(out[i].count <= out[i - 1].count);
		T_TRUE(out[i].count > out[i].err); /* at least one real hit */
	}
	free(t);
}

static void test_topk_counts_known_after_eviction(void)
{
	replay_topk_t *t = calloc(1, sizeof(*t));
	char num[SF_NUM_MAX + 2];

	for (int i = 0; i < REPLAY_TOPK; i++) {
		snprintf(num, sizeof(num), "+4940%04d", i);
		add_n(t, num, (unsigned)(i + 1));
	}
	/* a newcomer replaces the least (count 1, entry 0) ... */
	add_n(t, "+49419999", 1);
	T_EQ_STR(t->top[0].num, "+49419999");
	T_EQ_INT(t->top[0].count, 2);
	/* ... and is then counted where it is, not added again */
	add_n(t, "+49419999", 4);
	T_EQ_INT(t->top[0].count, 6);
	T_EQ_INT(t->top[0].err, 1);
	/* the next newcomer takes the next least: entry 1 (count 2) */
	add_n(t, "+49418888", 1);
	T_EQ_STR(t->top[1].num, "+49418888");
	T_EQ_INT(t->top[1].err, 2);
	free(t);
}

/* ---- the JSON line writer's limits ---------------------------------------- */

static replay_rec_t plain_rec(sf_report_t *v)
{
	replay_rec_t x;

	memset(&x, 0, sizeof(x));
	memset(v, 0, sizeof(*v));
	v->rule = "";
	v->reason = "";
	strcpy(x.ts, "2024-05-01T00:00:00.000000Z");
	x.ts_len = strlen(x.ts);
	strcpy(x.src, "192.0.2.1:5060");
	x.src_len = strlen(x.src);
	strcpy(x.dst, "192.0.2.2:5060");
	x.dst_len = strlen(x.dst);
	x.transport = "udp";
	x.transport_len = 3;
	x.trunk = x.cls = x.ported = x.net_cls = x.pres_cls = x.decided = "";
	x.v = v;
	return x;
}

static void test_jsonl_limits(void)
{
	replay_jc_t *jc = calloc(REPLAY_JC_SLOTS, sizeof(*jc));
	char *line = malloc(REPLAY_LINE_CAP);
	char *big = malloc(8192);
	char field[REPLAY_FIELD_MAX];
	sf_report_t v;
	replay_rec_t x = plain_rec(&v);
	size_t len;

	len = replay_jsonl_record(&x, jc, line);
	T_TRUE(len > 0 && !memcmp(line, "{\"ts\":\"2024-05-01T", 18));
	/* 3 fields of 512 control bytes: 6 bytes out each, still printed */
	memset(field, 1, sizeof(field));
	x.call_id = x.from = x.pai = sf_str(field, sizeof(field));
	len = replay_jsonl_record(&x, jc, line);
	T_TRUE(len > 3 * 6 * REPLAY_FIELD_MAX && len <= REPLAY_LINE_MAX);
	/* a name too long to cache is escaped in place ... */
	memset(big, '"', 1500);
	big[1500] = 0;
	x.trunk = big;
	len = replay_jsonl_record(&x, jc, line);
	T_TRUE(len > 3000 && len <= REPLAY_LINE_MAX);
	/* ... and a line over REPLAY_LINE_MAX is refused, not cut: one
	 * whose pieces fit the writer's space (1300 * 6 bytes of name) */
	memset(big, 1, 1300);
	big[1300] = 0;
	len = replay_jsonl_record(&x, jc, line);
	T_EQ_INT(len, 0);
	x.call_id = x.from = sf_str(field, 10);
	len = replay_jsonl_record(&x, jc, line);
	T_TRUE(len > 6 * 1300 && len <= REPLAY_LINE_MAX);
	/* ... and one whose name alone overflows that space */
	memset(big, 1, 8191);
	big[8191] = 0;
	len = replay_jsonl_record(&x, jc, line);
	T_EQ_INT(len, 0);
	free(big);
	free(line);
	free(jc);
}

/* ---- the call table ------------------------------------------------------ */

/* Keys that all land in the same index slot run: deletion must keep the
 * others findable (backward shift), whatever order they go in. */
static void test_calls_index(void)
{
	replay_calls_t t;
	uint32_t ids[64];
	uint64_t keys[64];

	uint64_t k = 1;

	T_EQ_INT(replay_calls_init(&t, 64, 1000), 0);
	for (int i = 0; i < 64; i++) {
		/* keys of one home slot (the index hashes with sf_fmix64) */
		do
			k += 2;
		while ((sf_fmix64(k) & t.ix_mask) != 7);
		keys[i] = k;
		ids[i] = replay_calls_new(&t, keys[i], 0, (uint64_t)i + 1);
		T_TRUE(ids[i] != REPLAY_CALL_NONE);
	}
	T_EQ_INT(replay_calls_new(&t, 99, 0, 100), REPLAY_CALL_NONE);
	T_EQ_INT(t.used, 64);
	for (int i = 0; i < 64; i += 3)
		replay_calls_drop(&t, ids[i]);
	for (int i = 0; i < 64; i++)
		T_EQ_INT(replay_calls_find(&t, keys[i]),
			 i % 3 ? ids[i] : REPLAY_CALL_NONE);
	/* a dialog key, and a newer state taking a transaction key over */
	replay_calls_answer(&t, ids[1], 0xabcdef);
	T_EQ_INT(replay_calls_find(&t, 0xabcdef), ids[1]);
	{
		uint32_t n = replay_calls_new(&t, keys[2], 0, 200);

		T_EQ_INT(replay_calls_find(&t, keys[2]), n);
		replay_calls_drop(&t, ids[2]); /* the old one: key stays */
		T_EQ_INT(replay_calls_find(&t, keys[2]), n);
	}
	replay_calls_drop(&t, ids[1]);
	T_EQ_INT(replay_calls_find(&t, 0xabcdef), REPLAY_CALL_NONE);
	T_EQ_INT(t.peak, 64);
	replay_calls_fini(&t);
}

/* Parked calls: two lists, the oldest INVITE of their heads first, the
 * byte budget, lines owned and freed. */
static void test_calls_parking(void)
{
	replay_calls_t t;
	uint32_t a, b, c;

	T_EQ_INT(replay_calls_init(&t, 8, 10), 0);
	a = replay_calls_new(&t, 11, 0, 100);
	b = replay_calls_new(&t, 13, 0, 200);
	c = replay_calls_new(&t, 15, 0, 300);
	T_EQ_INT(replay_calls_oldest(&t), REPLAY_CALL_NONE);
	T_TRUE(replay_calls_room(&t, 10));
	T_EQ_INT(replay_calls_park(&t, b, "bbbb", 4, 2, RC_RINGING), 0);
	T_EQ_INT(replay_calls_park(&t, a, "aaaa", 4, 0, RC_UP), 0);
	T_TRUE(!replay_calls_room(&t, 3));
	T_EQ_INT(replay_calls_oldest(&t), a);
	T_EQ_INT(replay_calls_head(&t, RC_RINGING), b);
	T_EQ_INT(replay_calls_at(&t, b)->retrans, 2);
	T_TRUE(!memcmp(replay_calls_at(&t, b)->line, "bbbb", 4));
	replay_calls_move(&t, b, RC_UP);
	T_EQ_INT(replay_calls_head(&t, RC_RINGING), REPLAY_CALL_NONE);
	T_EQ_INT(replay_calls_head(&t, RC_UP), a);
	replay_calls_drop(&t, a);
	T_EQ_INT(replay_calls_oldest(&t), b);
	T_TRUE(replay_calls_room(&t, 6));
	T_EQ_INT(replay_calls_park(&t, c, "", 0, 0, RC_RINGING), 0);
	T_EQ_INT(replay_calls_oldest(&t), b);
	replay_calls_drop(&t, b);
	T_EQ_INT(replay_calls_oldest(&t), c);
	replay_calls_drop(&t, c);
	T_EQ_INT(t.used, 0);
	T_EQ_INT((int)t.bytes, 0);
	replay_calls_fini(&t);
}

/* The outcome of a call from what it saw. */
static void test_calls_outcome(void)
{
	replay_call_t c;

	memset(&c, 0, sizeof(c));
	T_EQ_STR(replay_outcome_name(replay_call_outcome(&c)), "no-response");
	c.responded = true;
	T_EQ_STR(replay_outcome_name(replay_call_outcome(&c)), "unanswered");
	c.cancelled = true;
	T_EQ_STR(replay_outcome_name(replay_call_outcome(&c)), "cancelled");
	c.code = 487;
	T_EQ_STR(replay_outcome_name(replay_call_outcome(&c)), "cancelled");
	c.code = 200; /* the 2xx crossed the CANCEL */
	T_EQ_STR(replay_outcome_name(replay_call_outcome(&c)), "answered");
	c.cancelled = false;
	c.code = 302;
	T_EQ_STR(replay_outcome_name(replay_call_outcome(&c)), "redirected");
	c.code = 603;
	T_EQ_STR(replay_outcome_name(replay_call_outcome(&c)), "rejected");
	T_EQ_STR(replay_status_name(RE_CAPTURE_END), "capture-ended");
}

int main(void)
{
	T_RUN(test_ring_sizes);
	T_RUN(test_ring_fifo_and_ids);
	T_RUN(test_ring_full_slots);
	T_RUN(test_ring_wrap);
	T_RUN(test_ring_scratch);
	T_RUN(test_txn_set_basic);
	T_RUN(test_txn_set_expiry_by_age);
	T_RUN(test_txn_set_bounded);
	T_RUN(test_txn_set_grows);
	T_RUN(test_txn_key);
	T_RUN(test_topk_exact_and_order);
	T_RUN(test_topk_more_keys_than_k);
	T_RUN(test_topk_counts_known_after_eviction);
	T_RUN(test_jsonl_limits);
	T_RUN(test_calls_index);
	T_RUN(test_calls_parking);
	T_RUN(test_calls_outcome);
	return T_DONE();
}
