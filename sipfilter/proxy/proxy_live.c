/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_live.c - the live roaming feed through Redis (see proxy_live.h).
 *
 * hiredis (Debian's libhiredis-dev) speaks the protocol; the feed thread
 * uses its blocking API with a socket timeout, so stopping it takes at
 * most one XREAD BLOCK period (500 ms).  The queue between the feed thread
 * and the control thread is a mutex-protected array: the control thread
 * swaps it out whole and applies it without the lock.  Stream ids are
 * compared as (milliseconds, sequence) pairs.
 */
#include "proxy_live.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "sipfilter/engine/sf_normalize.h"

#define BATCH 10000         /* entries per XREAD */
#define BLOCK_MS 500        /* XREAD BLOCK: the stop latency */
/* Behind the stream (an XREAD came back full), the thread queues up to
 * this many before it wakes the control thread: one batch copies each
 * overlay node it touches once, so at 10^6 live changes a batch of 10^5
 * costs several times less per entry than ten of 10^4 (perf/
 * bench_roaming_redis.sh).  Caught up, it wakes it at once. */
#define APPLY_BATCH 100000

typedef struct entry {
	uint64_t ms, seq;
	bool add;
	char number[24];
	char visited[3];
} entry_t;

struct sf_live {
	sf_live_log_fn log;
	void *log_arg;
	bool halted;
	char addr[SF_CFG_PATH_MAX], key[SF_CFG_NAME_MAX * 2];
	pthread_t th;
	int efd;
	atomic_bool stop, connected;
	atomic_uint_fast64_t applied, skipped, errors, reconnects;
	pthread_mutex_t mu;     /* guards the fields below */
	entry_t *q;
	size_t nq, capq;
	char cursor[SF_TABLES_STREAM_ID_MAX]; /* read after this id */
	/* while not connected: since when (Unix time) and why */
	int64_t down_since;
	char down_why[200];
	uint64_t reset_gen, seen_reset; /* a reset asks for a new cursor */
	/* control thread only */
	uint64_t last_ms, last_seq;   /* the last entry applied */
	redisContext *pub;            /* for XADD */
};

static void id_parse(const char *id, uint64_t *ms, uint64_t *seq)
{
	char *end;

	*ms = strtoull(id, &end, 10);
	*seq = *end == '-' ? strtoull(end + 1, NULL, 10) : 0;
}

static bool id_after(uint64_t ms, uint64_t seq, uint64_t lms, uint64_t lseq)
{
	return ms > lms || (ms == lms && seq > lseq);
}

/* Connects to addr ("unix:/path" or "HOST:PORT") and checks that Redis
 * answers a PING (a TCP proxy in between accepts even while Redis is
 * away); NULL on failure, with the reason in why (may be NULL). */
static redisContext *connect_to(const char *addr, char *why, size_t wsize)
{
	struct timeval tv = {1, 0};
	redisContext *c;
	char host[SF_CFG_PATH_MAX];
	const char *colon;

	if (!strncmp(addr, "unix:", 5)) {
		c = redisConnectUnixWithTimeout(addr + 5, tv);
	} else {
		colon = strrchr(addr, ':');
		snprintf(host, sizeof(host), "%.*s", (int)(colon - addr),
			 addr);
		c = redisConnectWithTimeout(host, atoi(colon + 1), tv);
	}
	if (c && !c->err) {
		struct timeval rt = {2, 0};
		redisReply *r;

		redisSetTimeout(c, rt);
		r = redisCommand(c, "PING");
		if (r && r->type != REDIS_REPLY_ERROR) {
			freeReplyObject(r);
			return c;
		}
		if (why)
			snprintf(why, wsize, "PING: %s",
				 r ? r->str : c->errstr[0] ? c->errstr
							   : "no answer");
		if (r)
			freeReplyObject(r);
		redisFree(c);
		return NULL;
	}
	if (why)
		snprintf(why, wsize, "%s", c ? c->errstr : "out of memory");
	if (c)
		redisFree(c);
	return NULL;
}

static void say(sf_live_t *l, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(sf_live_t *l, int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (l->log)
		l->log(l->log_arg, level, line);
}

/* One stream entry of an XREAD reply into the queue (under mu). */
static void queue_entry(sf_live_t *l, const redisReply *e)
{
	const redisReply *f;
	entry_t x = {0};
	bool have_op = false, have_num = false;

	if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
	    e->element[0]->type != REDIS_REPLY_STRING)
		return;
	id_parse(e->element[0]->str, &x.ms, &x.seq);
	f = e->element[1];
	for (size_t i = 0; f->type == REDIS_REPLY_ARRAY && i + 1 < f->elements;
	     i += 2) {
		const char *k = f->element[i]->str, *v = f->element[i + 1]->str;

		if (!k || !v)
			continue;
		if (!strcmp(k, "op")) {
			x.add = !strcmp(v, "add");
			have_op = x.add || !strcmp(v, "del");
		} else if (!strcmp(k, "number") && strlen(v) < sizeof(x.number)) {
			strcpy(x.number, v);
			have_num = true;
		} else if (!strcmp(k, "visited") && strlen(v) == 2) {
			memcpy(x.visited, v, 3);
		}
	}
	snprintf(l->cursor, sizeof(l->cursor), "%s", e->element[0]->str);
	if (!have_op || !have_num) {
		atomic_fetch_add(&l->skipped, 1);
		return;
	}
	if (l->nq == l->capq) {
		size_t cap = l->capq ? l->capq * 2 : 1024;
		entry_t *q = realloc(l->q, cap * sizeof(*q));

		if (!q) {
			atomic_fetch_add(&l->errors, 1);
			return;
		}
		l->q = q;
		l->capq = cap;
	}
	l->q[l->nq++] = x;
}

/* One XREAD; false when the connection failed. */
static bool read_once(sf_live_t *l, redisContext *c)
{
	char cursor[SF_TABLES_STREAM_ID_MAX];
	redisReply *r;
	uint64_t one = 1;
	bool queued;
	size_t got = 0;

	pthread_mutex_lock(&l->mu);
	snprintf(cursor, sizeof(cursor), "%s",
		 l->cursor[0] ? l->cursor : "0-0");
	l->seen_reset = l->reset_gen;
	pthread_mutex_unlock(&l->mu);
	r = redisCommand(c, "XREAD COUNT %d BLOCK %d STREAMS %s %s", BATCH,
			 BLOCK_MS, l->key, cursor);
	if (!r)
		return false;
	if (r->type == REDIS_REPLY_ERROR) {
		atomic_fetch_add(&l->errors, 1);
		say(l, LOG_ERR, "roaming_live: XREAD %s: %s", l->key, r->str);
		freeReplyObject(r);
		usleep(200000);
		return true;
	}
	pthread_mutex_lock(&l->mu);
	/* a reset since the read began: its entries are from before */
	if (l->seen_reset == l->reset_gen && r->type == REDIS_REPLY_ARRAY &&
	    r->elements == 1 && r->element[0]->elements == 2) {
		const redisReply *es = r->element[0]->element[1];

		got = es->elements;
		for (size_t i = 0; i < es->elements; i++)
			queue_entry(l, es->element[i]);
	}
	queued = l->nq != 0 && (got < BATCH || l->nq >= APPLY_BATCH);
	pthread_mutex_unlock(&l->mu);
	freeReplyObject(r);
	if (queued && write(l->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		atomic_fetch_add(&l->errors, 1);
	return true;
}

/* The feed is down from now (unless already), for why. */
static void went_down(sf_live_t *l, const char *what, const char *why)
{
	pthread_mutex_lock(&l->mu);
	if (!l->down_since)
		l->down_since = (int64_t)time(NULL);
	snprintf(l->down_why, sizeof(l->down_why), "%s: %s", what,
		 why && why[0] ? why : "no reason given");
	pthread_mutex_unlock(&l->mu);
}

static void *feed_thread(void *arg)
{
	sf_live_t *l = arg;
	redisContext *c = NULL;
	unsigned backoff_ms = 200;
	bool said = false;
	char why[160];

	while (!atomic_load(&l->stop)) {
		if (!c) {
			c = connect_to(l->addr, why, sizeof(why));
			if (!c) {
				went_down(l, "cannot connect", why);
				atomic_fetch_add(&l->errors, 1);
				if (!said)
					say(l, LOG_ERR, "roaming_live: cannot "
					    "reach Redis at %s; serving the "
					    "tables as they are, retrying",
					    l->addr);
				said = true;
				for (unsigned t = 0; t < backoff_ms &&
						     !atomic_load(&l->stop);
				     t += 50)
					usleep(50000);
				backoff_ms = backoff_ms < 2000 ? backoff_ms * 2
							       : 2000;
				continue;
			}
			if (said) {
				atomic_fetch_add(&l->reconnects, 1);
				say(l, LOG_NOTICE, "roaming_live: Redis at %s "
				    "is back; catching up", l->addr);
			}
			said = false;
			backoff_ms = 200;
			pthread_mutex_lock(&l->mu);
			l->down_since = 0;
			pthread_mutex_unlock(&l->mu);
			atomic_store(&l->connected, true);
		}
		if (!read_once(l, c)) {
			went_down(l, "connection lost", c->errstr);
			atomic_store(&l->connected, false);
			atomic_fetch_add(&l->errors, 1);
			redisFree(c);
			c = NULL;
		}
	}
	if (c)
		redisFree(c);
	return NULL;
}

sf_live_t *sf_live_start(const sf_cfg_t *cfg, const char *from,
			 sf_live_log_fn log, void *arg, sf_err_t *err)
{
	sf_live_t *l;

	if (!cfg->live_redis[0])
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l) {
		sf_err_set(err, SF_ENOMEM, NULL, 0, 0, "out of memory");
		return NULL;
	}
	l->log = log;
	l->log_arg = arg;
	snprintf(l->addr, sizeof(l->addr), "%s", cfg->live_redis);
	snprintf(l->key, sizeof(l->key), "%s", cfg->live_stream);
	snprintf(l->cursor, sizeof(l->cursor), "%s", from);
	id_parse(from[0] ? from : "0-0", &l->last_ms, &l->last_seq);
	/* down until the first connection */
	l->down_since = (int64_t)time(NULL);
	snprintf(l->down_why, sizeof(l->down_why), "not connected yet");
	pthread_mutex_init(&l->mu, NULL);
	l->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->efd < 0 || pthread_create(&l->th, NULL, feed_thread, l)) {
		sf_err_set(err, SF_EIO, NULL, 0, 0, "roaming_live: cannot "
			   "start the feed thread: %s", strerror(errno));
		if (l->efd >= 0)
			close(l->efd);
		pthread_mutex_destroy(&l->mu);
		free(l);
		return NULL;
	}
	return l;
}

void sf_live_halt(sf_live_t *l)
{
	if (!l || l->halted)
		return;
	atomic_store(&l->stop, true);
	pthread_join(l->th, NULL);
	atomic_store(&l->connected, false);
	l->halted = true;
}

void sf_live_free(sf_live_t *l)
{
	if (!l)
		return;
	sf_live_halt(l);
	close(l->efd);
	if (l->pub)
		redisFree(l->pub);
	pthread_mutex_destroy(&l->mu);
	free(l->q);
	free(l);
}

int sf_live_fd(const sf_live_t *l)
{
	return l ? l->efd : -1;
}

void sf_live_reset(sf_live_t *l, const char *from)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	snprintf(l->cursor, sizeof(l->cursor), "%s", from);
	l->nq = 0; /* read before the reset: read again from the cursor */
	l->reset_gen++;
	pthread_mutex_unlock(&l->mu);
	id_parse(from[0] ? from : "0-0", &l->last_ms, &l->last_seq);
}

/* Applies the entries of q[0..n) above the last id applied on base, as
 * one batch; *out the result (NULL when none changed it). */
static size_t apply_entries(sf_live_t *l, const sf_dialling_t *d,
			    const sf_tables_t *base, const entry_t *q,
			    size_t n, sf_tables_t **out)
{
	sf_roaming_change_t *ch = malloc((n ? n : 1) * sizeof(*ch));
	size_t k = 0, applied = 0;
	sf_err_t err;

	*out = NULL;
	if (!ch) {
		atomic_fetch_add(&l->errors, 1);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const entry_t *x = &q[i];

		if (!id_after(x->ms, x->seq, l->last_ms, l->last_seq))
			continue; /* already applied, or in the file */
		l->last_ms = x->ms;
		l->last_seq = x->seq;
		if (sf_normalize_text(d, x->number, &ch[k].num) != SF_NORM_OK ||
		    ch[k].num.kind != SF_NUM_E164) {
			atomic_fetch_add(&l->skipped, 1);
			continue;
		}
		ch[k].add = x->add;
		memcpy(ch[k].visited, x->visited, sizeof(ch[k].visited));
		k++;
	}
	if (k && sf_tables_roaming_update_many(base, ch, k, out, &applied,
					       &err) < 0) {
		atomic_fetch_add(&l->errors, 1);
		applied = 0;
	}
	atomic_fetch_add(&l->skipped, k - applied);
	free(ch);
	return applied;
}

size_t sf_live_apply(sf_live_t *l, const sf_dialling_t *d,
		     const sf_tables_t *base, sf_tables_t **out)
{
	entry_t *q;
	size_t n, done;
	uint64_t v;

	*out = NULL;
	if (read(l->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return 0;
	pthread_mutex_lock(&l->mu);
	q = l->q;
	n = l->nq;
	l->q = NULL;
	l->nq = l->capq = 0;
	pthread_mutex_unlock(&l->mu);
	done = base ? apply_entries(l, d, base, q, n, out) : 0;
	free(q);
	if (!done && *out) {
		sf_tables_free(*out);
		*out = NULL;
	}
	atomic_fetch_add(&l->applied, done);
	return done;
}

int sf_live_publish(sf_live_t *l, bool add, const char *number,
		    const char *visited, char *id, size_t idsize, char *why,
		    size_t whysize)
{
	redisReply *r;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (!l->pub && !(l->pub = connect_to(l->addr, NULL, 0))) {
			snprintf(why, whysize, "Redis at %s unreachable",
				 l->addr);
			return -1;
		}
		r = visited && visited[0]
			    ? redisCommand(l->pub, "XADD %s * op %s number %s "
					   "visited %s", l->key,
					   add ? "add" : "del", number, visited)
			    : redisCommand(l->pub, "XADD %s * op %s number %s",
					   l->key, add ? "add" : "del", number);
		if (r)
			break;
		redisFree(l->pub); /* a stale connection: once more */
		l->pub = NULL;
	}
	if (!r) {
		snprintf(why, whysize, "Redis at %s unreachable", l->addr);
		return -1;
	}
	if (r->type != REDIS_REPLY_STRING) {
		snprintf(why, whysize, "XADD %s: %s", l->key,
			 r->type == REDIS_REPLY_ERROR ? r->str : "no id");
		freeReplyObject(r);
		return -1;
	}
	snprintf(id, idsize, "%s", r->str);
	freeReplyObject(r);
	return 0;
}

const char *sf_live_addr(const sf_live_t *l)
{
	return l ? l->addr : "";
}

int64_t sf_live_down(const sf_live_t *l, char *why, size_t size)
{
	sf_live_t *m = (sf_live_t *)l; /* the lock only */
	int64_t since;

	if (!l)
		return 0;
	pthread_mutex_lock(&m->mu);
	since = atomic_load(&l->connected) ? 0 : l->down_since;
	if (size)
		snprintf(why, size, "%s", since ? l->down_why : "");
	pthread_mutex_unlock(&m->mu);
	return since;
}

void sf_live_json(const sf_live_t *l, sf_jw_t *w)
{
	char why[sizeof(l->down_why)];
	int64_t since = sf_live_down(l, why, sizeof(why));

	sf_jw_obj_open_key(w, "roaming_live");
	sf_jw_bool(w, "connected", atomic_load(&l->connected));
	if (since) {
		sf_jw_uint(w, "down_since", (unsigned long long)since);
		sf_jw_str(w, "down_reason", why);
	}
	sf_jw_str(w, "stream", l->key);
	sf_jw_uint(w, "applied", atomic_load(&l->applied));
	sf_jw_uint(w, "skipped", atomic_load(&l->skipped));
	sf_jw_uint(w, "errors", atomic_load(&l->errors));
	sf_jw_uint(w, "reconnects", atomic_load(&l->reconnects));
	sf_jw_obj_close(w);
}

size_t sf_live_metrics(const sf_live_t *l, char *buf, size_t size)
{
	int n = snprintf(
		buf, size,
		"# HELP sipfilter_roaming_live_connected 1 while the live "
		"roaming feed (Redis) is connected.\n"
		"# TYPE sipfilter_roaming_live_connected gauge\n"
		"sipfilter_roaming_live_connected %d\n"
		"# HELP sipfilter_roaming_live_applied_total Live roaming "
		"entries applied from the stream.\n"
		"# TYPE sipfilter_roaming_live_applied_total counter\n"
		"sipfilter_roaming_live_applied_total %llu\n"
		"# HELP sipfilter_roaming_live_errors_total Failures to reach "
		"or read the live roaming feed.\n"
		"# TYPE sipfilter_roaming_live_errors_total counter\n"
		"sipfilter_roaming_live_errors_total %llu\n"
		"# HELP sipfilter_roaming_live_down_since_seconds Unix time the "
		"live roaming feed (Redis) went down; 0 while it is connected."
		"\n"
		"# TYPE sipfilter_roaming_live_down_since_seconds gauge\n"
		"sipfilter_roaming_live_down_since_seconds %lld\n",
		atomic_load(&l->connected) ? 1 : 0,
		(unsigned long long)atomic_load(&l->applied),
		(unsigned long long)atomic_load(&l->errors),
		(long long)sf_live_down(l, NULL, 0));

	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
