/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_par.c - `replay -j N` (see replay_par.h): SIP messages copied
 * into batches in input order, each batch's order-free work done on any
 * of N threads, and the batches handed to the ordered stage, on a thread
 * of its own, strictly in the order they were made.
 *
 * A window of W batches is a ring indexed by sequence numbers:
 *   [cons, work)  taken by a thread, or done (b->done), waiting for the
 *                 ordered stage (which is at cons);
 *   [work, fill)  queued, waiting for a thread;
 *   fill          being filled by the decoding thread;
 * with fill - cons < W.  The decoding thread (the caller's) fills and
 * queues; when the window is full it does queued work itself rather than
 * wait.  One mutex guards cons, work, fill, done and stop; the filling
 * batch is the caller's alone, a taken batch its thread's, a done batch
 * the ordered stage's.  Besides the ordered stage, the decoding thread
 * writes two counters of the run (keep-alives and non-SIP payloads, in
 * sf_replay_sip_payload; TCP bytes skipped, in sf_replay_frame): fields
 * of their own, read after the drain.
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
	pthread_cond_t work_cv;  /* a batch queued, or stop */
	pthread_cond_t done_cv;  /* a batch done, or stop */
	pthread_cond_t free_cv;  /* a batch consumed */
	bool stop;
	uint32_t max_msgs;   /* messages a batch (PAR_MSGS or fewer) */
	size_t max_bytes;    /* their bytes (PAR_BYTES or fewer) */
	bool ordered_up;     /* the ordered stage's thread runs */
	pthread_t ordered;
	unsigned n_threads;  /* workers started */
	pthread_t *tid;
	replay_work_t *w;    /* [0]: the caller's; [1..]: the workers' */
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

/* The ordered stage over every message of b. */
static void consume(sf_replay_par_t *p, par_batch_t *b)
{
	for (uint32_t i = 0; i < b->n; i++) {
		par_item_t *it = &b->items[i];
		sf_cap_msg_t mm = it->m;

		mm.data += it->skip;
		mm.len -= it->skip;
		sf_replay_on_sip(p->r, &it->m, &mm, &it->u.inv, &it->u.fol);
	}
}

typedef struct thread_arg {
	sf_replay_par_t *p;
	replay_work_t *w;
} thread_arg_t;

/* A worker: queued batches, any of them, until stopped. */
static void *worker_main(void *arg)
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

/* Called with p->mu held: the ordered stage takes batch b (the next in
 * order, done) without the lock, then, locked again, empties it for reuse
 * and moves on to the next. */
static void consume_next(sf_replay_par_t *p, par_batch_t *b)
{
	pthread_mutex_unlock(&p->mu);
	consume(p, b);
	pthread_mutex_lock(&p->mu);
	b->n = 0;
	b->used = 0;
	b->done = false;
	p->cons++;
}

/* The ordered stage: the oldest batch once it is done, one after the
 * other, until stopped with nothing left. */
static void *ordered_main(void *arg)
{
	sf_replay_par_t *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		par_batch_t *b = batch(p, p->cons);

		while (!(p->cons < p->fill && b->done) && !p->stop)
			pthread_cond_wait(&p->done_cv, &p->mu);
		if (!(p->cons < p->fill && b->done))
			break;
		consume_next(p, b);
		pthread_cond_signal(&p->free_cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* The caller's side while it waits for room (until fill - cons < room):
 * a queued batch worked on here, else a wait for the ordered stage.
 * Without the ordered stage's thread, batches are consumed here. */
static void wait_room(sf_replay_par_t *p, uint64_t room)
{
	pthread_mutex_lock(&p->mu);
	while (p->fill - p->cons >= room) {
		par_batch_t *b;

		if (p->work < p->fill) {
			b = batch(p, p->work++);
			pthread_mutex_unlock(&p->mu);
			work_batch(b, &p->w[0]);
			pthread_mutex_lock(&p->mu);
			b->done = true;
			pthread_cond_signal(&p->done_cv);
		} else if (!p->ordered_up && batch(p, p->cons)->done) {
			consume_next(p, batch(p, p->cons));
		} else {
			pthread_cond_wait(p->ordered_up ? &p->free_cv
						       : &p->done_cv,
					  &p->mu);
		}
	}
	pthread_mutex_unlock(&p->mu);
}

/* Queues the batch being filled (if it holds anything) and makes sure
 * the next batch to fill is free. */
static void submit(sf_replay_par_t *p)
{
	if (!batch(p, p->fill)->n)
		return;
	pthread_mutex_lock(&p->mu);
	p->fill++;
	pthread_cond_signal(&p->work_cv);
	pthread_mutex_unlock(&p->mu);
	wait_room(p, p->window);
}

void sf_replay_par_drain(sf_replay_par_t *p)
{
	submit(p);
	wait_room(p, 1);
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

static int work_init(sf_replay_par_t *p, replay_work_t *w)
{
	sf_replay_t *r = p->r;

	if (replay_work_init(w, &r->o, r->max_message, r->edge,
			     r->o.cfg2 ? r->edge2 : NULL) == 0)
		return 0;
	replay_work_fini(w);
	return -1;
}

/* The ordered stage's thread and up to want workers; fewer when they
 * cannot be started (the caller's thread then does their part). */
static void start_threads(sf_replay_par_t *p, unsigned want)
{
	p->ordered_up = pthread_create(&p->ordered, NULL, ordered_main, p) ==
			0;
	for (unsigned i = 0; i < want; i++) {
		thread_arg_t *a = malloc(sizeof(*a));
		replay_work_t *w = &p->w[1 + p->n_threads];

		if (!a || work_init(p, w) < 0) {
			free(a);
			return;
		}
		a->p = p;
		a->w = w;
		if (pthread_create(&p->tid[p->n_threads], NULL, worker_main,
				   a) != 0) {
			replay_work_fini(w);
			free(a);
			return;
		}
		p->n_threads++;
	}
}

static int alloc_batches(sf_replay_par_t *p)
{
	for (uint32_t i = 0; i < p->window; i++) {
		par_batch_t *b = &p->b[i];

		b->items = malloc(PAR_MSGS * sizeof(*b->items));
		b->data = malloc(PAR_BYTES);
		b->lines = malloc(PAR_LINES);
		if (!b->items || !b->data || !b->lines)
			return -1;
	}
	return 0;
}

sf_replay_par_t *sf_replay_par_new(sf_replay_t *r, unsigned threads,
				   uint32_t msgs, uint32_t bytes,
				   uint32_t window)
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
	pthread_cond_init(&p->free_cv, NULL);
	if (!p->b || !p->tid || !p->w || alloc_batches(p) < 0 ||
	    work_init(p, &p->w[0]) < 0) {
		sf_replay_par_free(p);
		return NULL;
	}
	start_threads(p, threads - 1);
	return p;
}

void sf_replay_par_free(sf_replay_par_t *p)
{
	if (!p)
		return;
	if (p->w && p->w[0].msg)
		sf_replay_par_drain(p);
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->work_cv);
	pthread_cond_broadcast(&p->done_cv);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->n_threads; i++)
		pthread_join(p->tid[i], NULL);
	if (p->ordered_up)
		pthread_join(p->ordered, NULL);
	for (unsigned i = 0; p->w && i <= p->n_threads; i++)
		replay_work_fini(&p->w[i]);
	for (uint32_t i = 0; p->b && i < p->window; i++) {
		free(p->b[i].items);
		free(p->b[i].data);
		free(p->b[i].lines);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work_cv);
	pthread_cond_destroy(&p->done_cv);
	pthread_cond_destroy(&p->free_cv);
	free(p->b);
	free(p->tid);
	free(p->w);
	free(p);
}
