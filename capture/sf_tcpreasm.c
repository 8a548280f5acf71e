/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_tcpreasm.c - bounded TCP stream reassembly (see sf_tcpreasm.h).
 *
 * Flows live in a fixed array with a hash index and a list in order of
 * last activity (oldest first) for idle expiry and eviction.  Sequence
 * numbers are compared as signed 32-bit differences (RFC 793 arithmetic),
 * so wrap-around is handled.
 */
#include <stdlib.h>
#include <string.h>

#include "base/sf_hash.h"
#include "sf_tcpreasm.h"

#define NIL UINT32_MAX
#define FAR_AHEAD (16u * 1024 * 1024) /* beyond this, a jump not a hole */

typedef struct seg {
	uint32_t seq, len;
	uint8_t *data;
} seg_t;

typedef struct flow {
	sf_tcp_key_t key;
	bool used;
	uint32_t hnext, prev, next;
	uint64_t last_ts;
	bool have_seq;
	uint32_t next_seq;
	uint64_t base;      /* stream offset of buf[0] */
	uint8_t *buf;
	uint32_t len, cap;
	seg_t *ooo;
	uint32_t n_ooo, ooo_bytes;
} flow_t;

struct sf_tcp {
	sf_tcp_limits_t lim;
	sf_tcp_deliver_fn deliver;
	sf_tcp_frame_fn frame;
	void *user;
	flow_t *f;
	uint32_t *heads, mask;
	uint32_t free_head, oldest, newest;
	uint32_t hw;        /* slots [0, hw) were handed out since new/reset */
	uint64_t bytes;
	sf_tcp_stats_t st;
};

static uint32_t key_hash(const sf_tcp_key_t *k)
{
	uint64_t h = sf_fnv1a64(SF_FNV64_OFFSET, k->src.a, 16);

	h = sf_fnv1a64(h, k->dst.a, 16);
	h = sf_fnv_step(sf_fnv_step(h, k->sport), k->dport);
	return (uint32_t)(h ^ (h >> 29));
}

static bool key_eq(const sf_tcp_key_t *a, const sf_tcp_key_t *b)
{
	return a->sport == b->sport && a->dport == b->dport &&
	       !memcmp(a->src.a, b->src.a, 16) &&
	       !memcmp(a->dst.a, b->dst.a, 16);
}

sf_tcp_t *sf_tcp_new(const sf_tcp_limits_t *lim, sf_tcp_deliver_fn deliver,
		     sf_tcp_frame_fn frame, void *user)
{
	sf_tcp_t *t = calloc(1, sizeof(*t));
	uint32_t nb = 16;

	if (!t)
		return NULL;
	t->lim = *lim;
	if (!t->lim.max_flows)
		t->lim.max_flows = 1;
	if (!t->lim.max_ooo)
		t->lim.max_ooo = 1;
	t->deliver = deliver;
	t->frame = frame;
	t->user = user;
	while (nb < 2 * t->lim.max_flows && nb < (1u << 30))
		nb <<= 1;
	t->mask = nb - 1;
	t->f = calloc(t->lim.max_flows, sizeof(*t->f));
	t->heads = malloc(nb * sizeof(*t->heads));
	if (!t->f || !t->heads) {
		sf_tcp_free(t);
		return NULL;
	}
	for (uint32_t i = 0; i < nb; i++)
		t->heads[i] = NIL;
	for (uint32_t i = 0; i < t->lim.max_flows; i++)
		t->f[i].hnext = i + 1 < t->lim.max_flows ? i + 1 : NIL;
	t->free_head = 0;
	t->oldest = t->newest = NIL;
	return t;
}

static void list_unlink(sf_tcp_t *t, uint32_t i)
{
	flow_t *f = &t->f[i];

	if (f->prev != NIL)
		t->f[f->prev].next = f->next;
	else
		t->oldest = f->next;
	if (f->next != NIL)
		t->f[f->next].prev = f->prev;
	else
		t->newest = f->prev;
}

static void list_push(sf_tcp_t *t, uint32_t i)
{
	flow_t *f = &t->f[i];

	f->next = NIL;
	f->prev = t->newest;
	if (t->newest != NIL)
		t->f[t->newest].next = i;
	else
		t->oldest = i;
	t->newest = i;
}

static void clear_data(sf_tcp_t *t, flow_t *f)
{
	t->st.skipped += f->len;
	for (uint32_t k = 0; k < f->n_ooo; k++) {
		t->st.skipped += f->ooo[k].len;
		free(f->ooo[k].data);
	}
	t->bytes -= f->len + f->ooo_bytes;
	f->len = 0;
	f->n_ooo = 0;
	f->ooo_bytes = 0;
}

static void drop_flow(sf_tcp_t *t, uint32_t i)
{
	flow_t *f = &t->f[i];
	uint32_t *pp = &t->heads[key_hash(&f->key) & t->mask];

	while (*pp != NIL && *pp != i)
		pp = &t->f[*pp].hnext;
	if (*pp == i)
		*pp = f->hnext;
	list_unlink(t, i);
	clear_data(t, f);
	free(f->buf);
	free(f->ooo);
	f->buf = NULL;
	f->ooo = NULL;
	f->cap = 0;
	f->used = false;
	f->hnext = t->free_head;
	t->free_head = i;
}

void sf_tcp_free(sf_tcp_t *t)
{
	if (!t)
		return;
	if (t->f && t->heads)
		sf_tcp_flush(t);
	free(t->f);
	free(t->heads);
	free(t);
}

void sf_tcp_flush(sf_tcp_t *t)
{
	while (t->oldest != NIL)
		drop_flow(t, t->oldest);
}

void sf_tcp_reset(sf_tcp_t *t)
{
	sf_tcp_flush(t);
	/* Slots at and above hw still chain i -> i + 1 as new() left them. */
	for (uint32_t i = 0; i < t->hw; i++)
		t->f[i].hnext = i + 1 < t->lim.max_flows ? i + 1 : NIL;
	t->free_head = 0;
	t->hw = 0;
	t->bytes = 0;
	memset(&t->st, 0, sizeof(t->st));
}

const sf_tcp_stats_t *sf_tcp_stats(const sf_tcp_t *t)
{
	return &t->st;
}

uint64_t sf_tcp_buffered(const sf_tcp_t *t)
{
	return t->bytes;
}

static uint32_t find(sf_tcp_t *t, const sf_tcp_key_t *k, bool create,
		     uint64_t ts)
{
	uint32_t h = key_hash(k) & t->mask, i;
	flow_t *f;

	for (i = t->heads[h]; i != NIL; i = t->f[i].hnext)
		if (key_eq(&t->f[i].key, k))
			return i;
	if (!create)
		return NIL;
	if (t->free_head == NIL) {
		t->st.limit++;
		drop_flow(t, t->oldest);
	}
	i = t->free_head;
	f = &t->f[i];
	t->free_head = f->hnext;
	if (i >= t->hw)
		t->hw = i + 1;
	memset(f, 0, sizeof(*f));
	f->key = *k;
	f->used = true;
	f->last_ts = ts;
	f->hnext = t->heads[h];
	t->heads[h] = i;
	f->ooo = NULL;
	list_push(t, i);
	t->st.flows++;
	return i;
}

/* Frames buf[0..len); returns the bytes consumed. */
static size_t frame_loop(sf_tcp_t *t, flow_t *f, uint64_t ts,
			 const uint8_t *buf, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		long r = t->frame(t->user, buf + pos, len - pos);
		size_t n;

		if (r == 0)
			break;
		if (r > 0) {
			n = (size_t)r < len - pos ? (size_t)r : len - pos;
			t->deliver(t->user, &f->key, ts, buf + pos, n,
				   f->base + pos);
		} else {
			n = (size_t)-r < len - pos ? (size_t)-r : len - pos;
			t->st.skipped += n;
		}
		pos += n;
	}
	return pos;
}

static bool store(sf_tcp_t *t, flow_t *f, const uint8_t *data, uint32_t len)
{
	if (f->len + len > f->cap) {
		uint32_t cap = f->cap ? f->cap : 2048;
		uint8_t *nb;

		while (cap < f->len + len)
			cap *= 2;
		if (cap > t->lim.max_buffer)
			cap = t->lim.max_buffer;
		nb = realloc(f->buf, cap);
		if (!nb)
			return false;
		f->buf = nb;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, data, len);
	f->len += len;
	t->bytes += len;
	return true;
}

/* In-order bytes at next_seq. */
static void feed(sf_tcp_t *t, flow_t *f, uint64_t ts, const uint8_t *data,
		 uint32_t len)
{
	size_t pos;

	f->next_seq += len;
	if (f->len && f->len + len > t->lim.max_buffer) {
		/* The buffered start can never complete within the cap. */
		t->st.limit++;
		f->base += f->len;
		t->st.skipped += f->len;
		t->bytes -= f->len;
		f->len = 0;
	}
	if (f->len == 0) {
		pos = frame_loop(t, f, ts, data, len);
		f->base += pos;
		data += pos;
		len -= (uint32_t)pos;
		if (len > t->lim.max_buffer) {
			t->st.limit++;
			t->st.skipped += len;
			f->base += len;
			return;
		}
		if (len && !store(t, f, data, len)) {
			t->st.limit++;
			f->base += len;
		}
		return;
	}
	if (!store(t, f, data, len)) {
		t->st.limit++;
		return;
	}
	pos = frame_loop(t, f, ts, f->buf, f->len);
	if (pos) {
		memmove(f->buf, f->buf + pos, f->len - pos);
		f->len -= (uint32_t)pos;
		f->base += pos;
		t->bytes -= pos;
	}
	if (f->len == 0 && f->cap > 16384) {
		free(f->buf);
		f->buf = NULL;
		f->cap = 0;
	}
}

/* Feeds queued segments that have become in order. */
static void drain(sf_tcp_t *t, flow_t *f, uint64_t ts)
{
	while (f->n_ooo) {
		seg_t s = f->ooo[0];
		int32_t rel = (int32_t)(s.seq - f->next_seq);
		uint32_t back = f->next_seq - s.seq; /* -rel, never overflowing */

		if (rel > 0)
			return;
		memmove(&f->ooo[0], &f->ooo[1], (f->n_ooo - 1) * sizeof(seg_t));
		f->n_ooo--;
		f->ooo_bytes -= s.len;
		t->bytes -= s.len;
		if (back < s.len)
			feed(t, f, ts, s.data + back, s.len - back);
		else
			t->st.retrans++;
		free(s.data);
	}
}

/* Skips the hole before the first queued segment. */
static void jump(sf_tcp_t *t, flow_t *f, uint64_t ts, uint32_t to)
{
	t->st.gaps++;
	t->st.skipped += f->len;
	t->bytes -= f->len;
	f->base += f->len + (uint32_t)(to - f->next_seq);
	f->len = 0;
	f->next_seq = to;
	drain(t, f, ts);
}

static void queue(sf_tcp_t *t, flow_t *f, uint64_t ts, uint32_t seq,
		  const uint8_t *data, uint32_t len)
{
	uint32_t pos;
	uint8_t *copy;

	if (!f->ooo) {
		f->ooo = calloc(t->lim.max_ooo, sizeof(seg_t));
		if (!f->ooo) {
			t->st.limit++;
			return;
		}
	}
	while (f->n_ooo && (f->n_ooo >= t->lim.max_ooo ||
			    f->ooo_bytes + len > t->lim.max_ooo_bytes)) {
		jump(t, f, ts, f->ooo[0].seq);
		if ((int32_t)(seq - f->next_seq) <= 0) {
			uint32_t skip = f->next_seq - seq;

			if (skip < len)
				feed(t, f, ts, data + skip, len - skip);
			drain(t, f, ts);
			return;
		}
	}
	if (len > t->lim.max_ooo_bytes) {
		t->st.limit++;
		return;
	}
	for (pos = 0; pos < f->n_ooo; pos++) {
		int32_t d = (int32_t)(seq - f->ooo[pos].seq);

		if (d == 0 && f->ooo[pos].len >= len) {
			t->st.retrans++;
			return;
		}
		if (d < 0)
			break;
	}
	copy = malloc(len);
	if (!copy) {
		t->st.limit++;
		return;
	}
	memcpy(copy, data, len);
	memmove(&f->ooo[pos + 1], &f->ooo[pos], (f->n_ooo - pos) *
		sizeof(seg_t));
	f->ooo[pos] = (seg_t){seq, len, copy};
	f->n_ooo++;
	f->ooo_bytes += len;
	t->bytes += len;
	t->st.ooo++;
}

void sf_tcp_segment(sf_tcp_t *t, const sf_tcp_key_t *k, uint64_t ts_us,
		    uint32_t seq, unsigned flags, const uint8_t *payload,
		    uint32_t len)
{
	uint32_t i;
	flow_t *f;
	int32_t rel;

	while (t->oldest != NIL &&
	       t->f[t->oldest].last_ts + t->lim.idle_us < ts_us)
		drop_flow(t, t->oldest);
	i = find(t, k, len > 0 || (flags & SF_TCP_SYN), ts_us);
	if (i == NIL)
		return;
	f = &t->f[i];
	if (flags & SF_TCP_RST) {
		drop_flow(t, i);
		return;
	}
	f->last_ts = ts_us;
	list_unlink(t, i);
	list_push(t, i);
	if (flags & SF_TCP_SYN) {
		if (f->have_seq && (f->len || f->n_ooo)) {
			clear_data(t, f);
			f->base = 0;
		}
		f->have_seq = true;
		f->next_seq = seq + 1;
		seq++;
	}
	if (len) {
		if (!f->have_seq) {
			f->have_seq = true;
			f->next_seq = seq;
		}
		rel = (int32_t)(seq - f->next_seq);
		if (rel < 0) {
			/* bytes already seen; not -rel, which overflows for
			 * a segment exactly 2^31 behind (UBSan, fuzz_pcap) */
			uint32_t back = f->next_seq - seq;

			if (back >= len) {
				t->st.retrans++;
				goto fin;
			}
			payload += back;
			len -= back;
			seq = f->next_seq;
			rel = 0;
		}
		if (rel == 0) {
			feed(t, f, ts_us, payload, len);
			drain(t, f, ts_us);
		} else if ((uint32_t)rel > FAR_AHEAD) {
			clear_data(t, f);
			t->st.gaps++;
			f->next_seq = seq;
			feed(t, f, ts_us, payload, len);
		} else {
			queue(t, f, ts_us, seq, payload, len);
		}
		while (t->bytes > t->lim.max_bytes && t->oldest != i) {
			t->st.limit++;
			drop_flow(t, t->oldest);
		}
	}
fin:
	if (flags & SF_TCP_FIN)
		drop_flow(t, i);
}
