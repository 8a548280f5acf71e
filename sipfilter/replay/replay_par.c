/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_par.c - `replay -j N` (see replay_par.h): SIP messages copied
 * into batches in input order, each batch's order-free work done on any
 * of N threads, and the batches handed to the ordered stage strictly in
 * the order they were made.
 *
 * A window of W batches is a ring indexed by sequence numbers:
 *   [cons, work)  taken by a thread, or done (b->done);
 *   [work, fill)  queued, waiting for a thread;
 *   fill          being filled by the decoding thread;
 * with fill - cons < W.  The decoding thread (the caller's) fills,
 * queues, and consumes done batches in order; when the window is full it
 * does queued work itself rather than wait.  One mutex guards work, fill,
 * done and stop; cons and the filling batch are the caller's alone.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "replay_int.h"
#include "replay_par.h"

typedef struct par_item {
	sf_cap_msg_t m;      /* as decoded; data in the batch's bytes */
	size_t skip;         /* keep-alive CRLFs before the SIP message */
	bool invite;
	union {
		replay_inv_t inv;
		replay_fol_t fol;
	} u;
} par_item_t;

typedef struct par_batch {
	par_item_t *items;   /* PAR_MSGS */
	uint32_t n;
	uint8_t *data;       /* PAR_BYTES */
	size_t used;
	char *lines;         /* the records: PAR_LINES */
	bool done;           /* the work is done (under mu) */
} par_batch_t;

/* Room for a batch's records: each at most REPLAY_LINE_MAX long, and the
 * last formatted in REPLAY_LINE_CAP.  Allocated, not touched: only the
 * pages records use become resident. */
#define PAR_LINES ((size_t)PAR_MSGS * REPLAY_LINE_MAX + REPLAY_LINE_CAP)

struct sf_replay_par {
	sf_replay_t *r;
	par_batch_t *b;
	uint32_t window;
	uint64_t cons, work, fill;
	pthread_mutex_t mu;
	pthread_cond_t work_cv, done_cv;
	bool stop;
	uint32_t max_msgs;   /* messages a batch (PAR_MSGS or fewer) */
	size_t max_bytes;    /* their bytes (PAR_BYTES or fewer) */
	unsigned n_threads;  /* started */
	pthread_t *tid;
	replay_work_t *w;    /* one per started thread */
};

static par_batch_t *batch(sf_replay_par_t *p, uint64_t seq)
{
	return &p->b[seq % p->window];
}

/* The order-free work of every message of b, with w. */
static void work_batch(par_batch_t *b, replay_work_t *w)
{
	size_t lused = 0;

	for (uint32_t i = 0; i < b->n; i++) {
		par_item_t *it = &b->items[i];
		sf_cap_msg_t mm = it->m;

		mm.data += it->skip;
		mm.len -= it->skip;
		it->invite = replay_is_invite(mm.data, mm.len);
		if (!it->invite) {
			replay_work_follow(w, &mm, &it->u.fol);
			continue;
		}
		replay_work_scan(w, &mm, &it->u.inv);
		replay_work_judge(w, &mm, &it->u.inv, b->lines + lused);
		lused += it->u.inv.len;
	}
}

/* The ordered stage over every message of b, then b is free. */
static void consume(sf_replay_par_t *p, par_batch_t *b)
{
	for (uint32_t i = 0; i < b->n; i++) {
		par_item_t *it = &b->items[i];
		sf_cap_msg_t mm = it->m;

		mm.data += it->skip;
		mm.len -= it->skip;
		sf_replay_on_sip(p->r, &it->m, &mm, &it->u.inv, &it->u.fol);
	}
	b->n = 0;
	b->used = 0;
	b->done = false;
}

typedef struct thread_arg {
	sf_replay_par_t *p;
	replay_work_t *w;
} thread_arg_t;

static void *thread_main(void *arg)
{
	sf_replay_par_t *p = ((thread_arg_t *)arg)->p;
	replay_work_t *w = ((thread_arg_t *)arg)->w;

	free(arg);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		par_batch_t *b;

		while (!p->stop && p->work == p->fill)
			pthread_cond_wait(&p->work_cv, &p->mu);
		if (p->work == p->fill)
			break; /* stopping, nothing queued */
		b = batch(p, p->work++);
		pthread_mutex_unlock(&p->mu);
		work_batch(b, w);
		pthread_mutex_lock(&p->mu);
		b->done = true;
		pthread_cond_signal(&p->done_cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/*
 * One step of the caller's side: the oldest batch consumed if it is done
 * (true); else, with block, a queued batch worked on here or, when every
 * queued batch is taken, a wait for one to be done (true); else false.
 */
static bool step(sf_replay_par_t *p, bool block)
{
	par_batch_t *b;

	pthread_mutex_lock(&p->mu);
	if (p->cons < p->fill && batch(p, p->cons)->done) {
		pthread_mutex_unlock(&p->mu);
		consume(p, batch(p, p->cons));
		p->cons++;
		return true;
	}
	if (!block || p->cons == p->fill) {
		pthread_mutex_unlock(&p->mu);
		return false;
	}
	if (p->work < p->fill) {
		b = batch(p, p->work++);
		pthread_mutex_unlock(&p->mu);
		work_batch(b, &p->r->w);
		pthread_mutex_lock(&p->mu);
		b->done = true;
	} else {
		pthread_cond_wait(&p->done_cv, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return true;
}

/* Queues the batch being filled (if it holds anything), consumes what is
 * done, and makes sure the next batch to fill is free. */
static void submit(sf_replay_par_t *p)
{
	if (!batch(p, p->fill)->n)
		return;
	pthread_mutex_lock(&p->mu);
	p->fill++;
	pthread_cond_signal(&p->work_cv);
	pthread_mutex_unlock(&p->mu);
	while (step(p, false))
		;
	while (p->fill - p->cons >= p->window)
		step(p, true);
}

void sf_replay_par_drain(sf_replay_par_t *p)
{
	submit(p);
	while (p->cons < p->fill)
		step(p, true);
}

void sf_replay_par_on_msg(void *user, const sf_cap_msg_t *m)
{
	sf_replay_par_t *p = user;
	const uint8_t *d = m->data;
	size_t n = m->len;
	par_batch_t *b;
	par_item_t *it;

	if (!sf_replay_sip_payload(p->r, &d, &n))
		return;
	if (m->len > p->max_bytes) {
		/* too big to batch: everything before it first */
		sf_cap_msg_t mm = *m;

		sf_replay_par_drain(p);
		mm.data = d;
		mm.len = n;
		sf_replay_on_sip(p->r, m, &mm, NULL, NULL);
		return;
	}
	b = batch(p, p->fill);
	if (b->n == p->max_msgs || b->used + m->len > p->max_bytes) {
		submit(p);
		b = batch(p, p->fill);
	}
	it = &b->items[b->n++];
	it->m = *m;
	it->m.data = b->data + b->used;
	it->skip = (size_t)(d - m->data);
	memcpy(b->data + b->used, m->data, m->len);
	b->used += m->len;
}

long sf_replay_par_frame(void *user, const uint8_t *buf, size_t len)
{
	return sf_replay_frame(((sf_replay_par_t *)user)->r, buf, len);
}

/* ---- life cycle ----------------------------------------------------------- */

static void start_threads(sf_replay_par_t *p, unsigned want)
{
	for (unsigned i = 0; i < want; i++) {
		thread_arg_t *a = malloc(sizeof(*a));
		replay_work_t *w = &p->w[p->n_threads];

		if (!a)
			return;
		if (replay_work_init(w, &p->r->o, p->r->max_message,
				     p->r->edge,
				     p->r->o.cfg2 ? p->r->edge2 : NULL) < 0) {
			replay_work_fini(w);
			free(a);
			return;
		}
		a->p = p;
		a->w = w;
		if (pthread_create(&p->tid[p->n_threads], NULL, thread_main,
				   a) != 0) {
			replay_work_fini(w);
			free(a);
			return;
		}
		p->n_threads++;
	}
}

sf_replay_par_t *sf_replay_par_new(sf_replay_t *r, unsigned threads,
				   uint32_t msgs, uint32_t bytes, uint32_t window)
{
	sf_replay_par_t *p = calloc(1, sizeof(*p));

	if (threads < 1)
		threads = 1;
	if (threads > PAR_THREADS_MAX)
		threads = PAR_THREADS_MAX;
	if (!p)
		return NULL;
	p->r = r;
	p->max_msgs = msgs && msgs < PAR_MSGS ? msgs : PAR_MSGS;
	p->max_bytes = bytes && bytes < PAR_BYTES ? bytes : PAR_BYTES;
	p->window = window ? window : threads * PAR_WINDOW_PER_THREAD;
	if (p->window > PAR_WINDOW_MAX)
		p->window = PAR_WINDOW_MAX;
	p->b = calloc(p->window, sizeof(*p->b));
	p->tid = calloc(threads, sizeof(*p->tid));
	p->w = calloc(threads, sizeof(*p->w));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work_cv, NULL);
	pthread_cond_init(&p->done_cv, NULL);
	if (!p->b || !p->tid || !p->w) {
		sf_replay_par_free(p);
		return NULL;
	}
	for (uint32_t i = 0; i < p->window; i++) {
		par_batch_t *b = &p->b[i];

		b->items = malloc(PAR_MSGS * sizeof(*b->items));
		b->data = malloc(PAR_BYTES);
		b->lines = malloc(PAR_LINES);
		if (!b->items || !b->data || !b->lines) {
			sf_replay_par_free(p);
			return NULL;
		}
	}
	start_threads(p, threads - 1);
	return p;
}

void sf_replay_par_free(sf_replay_par_t *p)
{
	if (!p)
		return;
	if (p->b && p->b[0].items)
		sf_replay_par_drain(p);
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->work_cv);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->n_threads; i++) {
		pthread_join(p->tid[i], NULL);
		replay_work_fini(&p->w[i]);
	}
	for (uint32_t i = 0; p->b && i < p->window; i++) {
		free(p->b[i].items);
		free(p->b[i].data);
		free(p->b[i].lines);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work_cv);
	pthread_cond_destroy(&p->done_cv);
	free(p->b);
	free(p->tid);
	free(p->w);
	free(p);
}
