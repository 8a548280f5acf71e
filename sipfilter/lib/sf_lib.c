/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_lib.c - libsipfilter's public API (sipfilter.h) over the engine:
 * a handle owns the config, the edge, the current table snapshot and the
 * counters; judging goes through the same sf_admit() as serve, replay
 * and judge.
 *
 * Concurrency: the current snapshot is read under a read lock for the
 * length of one judgement; reloads and roaming updates (serialised by
 * upd_lock) build the next snapshot outside the lock and swap it in under
 * the write lock.  Per-thread scratch (the scanner's message, the call,
 * the admission: tens of KiB) is allocated once per thread and freed when
 * the thread exits.
 */
#include "sipfilter.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sf_embed.h"
#include "sf_load.h"
#include "base/sf_phrase.h"
#include "sipfilter/engine/sf_admit.h"
#include "sipfilter/engine/sf_explain.h"
#include "sipfilter/engine/sf_mark.h"
#include "sipfilter/engine/sf_report.h"

#ifndef SF_VERSION
#define SF_VERSION "0.0.0"
#endif

_Static_assert(SIPFILTER_ALLOW == (int)SF_W_ALLOW &&
		       SIPFILTER_TAG == (int)SF_W_TAG &&
		       SIPFILTER_REJECT == (int)SF_W_REJECT &&
		       SIPFILTER_WITHHOLD == (int)SF_W_WITHHOLD &&
		       SIPFILTER_REFUSE == (int)SF_W_REFUSE &&
		       SIPFILTER_DROP == (int)SF_W_DROP &&
		       SIPFILTER_ANSWER == (int)SF_W_ANSWER &&
		       SF_W_COUNT == 7,
	       "sipfilter_action_t mirrors sf_word_t");

_Static_assert(sizeof(((sipfilter_edits_t *)0)->items) /
			       sizeof(sipfilter_edit_t) >= SF_EDIT_MAX_OPS &&
		       sizeof(((sipfilter_edits_t *)0)->text) >=
			       SF_EDIT_SCRATCH,
	       "sipfilter_edits_t holds any edit list");

struct sipfilter {
	sf_cfg_t *cfg;
	sf_edge_t edge;
	sf_tables_t *tables;        /* under lock */
	pthread_rwlock_t lock;      /* readers: judgements; writer: swaps */
	pthread_mutex_t upd_lock;   /* one reload/update at a time */
	uint64_t generation;        /* under upd_lock */
	_Atomic uint64_t messages, malformed, by_action[SF_W_COUNT];
	_Atomic uint64_t reloads_ok, reloads_failed, roaming_updates;
};

/* ------------------------------------------------------------------ */
/* per-thread scratch */

typedef struct scratch {
	sf_sipmsg_t msg;
	sf_call_t call;
	sf_admission_t a;
	sf_edit_t edit;
	uint64_t serial; /* bumped by every use of a and call */
} scratch_t;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_key_init(void)
{
	(void)pthread_key_create(&scratch_key, free);
	sf_identity_global_init();
}

static scratch_t *scratch_get(void)
{
	scratch_t *s;

	pthread_once(&scratch_once, scratch_key_init);
	s = pthread_getspecific(scratch_key);
	if (!s) {
		s = malloc(sizeof(*s));
		if (s)
			s->serial = 0;
		if (s && pthread_setspecific(scratch_key, s) != 0) {
			free(s);
			s = NULL;
		}
	}
	return s;
}

/* ------------------------------------------------------------------ */
/* errors */

static void copy_err(const sf_err_t *in, sipfilter_error_t *out)
{
	snprintf(out->file, sizeof(out->file), "%s", in->file);
	out->line = in->line;
	out->col = in->col;
	snprintf(out->message, sizeof(out->message), "%s", in->msg);
}

static void errors_one(sipfilter_errors_t *errors, const sf_err_t *e)
{
	if (!errors)
		return;
	memset(errors, 0, sizeof(*errors));
	copy_err(e, &errors->items[0]);
	errors->n = 1;
}

static void errors_from_diag(sipfilter_errors_t *errors, const sf_diag_t *d)
{
	size_t max = sizeof(errors->items) / sizeof(errors->items[0]);

	if (!errors)
		return;
	memset(errors, 0, sizeof(*errors));
	for (size_t i = 0; i < d->n; i++) {
		if (errors->n == max) {
			errors->dropped++;
			continue;
		}
		copy_err(&d->items[i], &errors->items[errors->n++]);
	}
	errors->dropped += d->dropped;
}

static void errors_msg(sipfilter_errors_t *errors, const char *msg)
{
	sf_err_t e;

	sf_err_clear(&e);
	sf_err_set(&e, SF_EINVAL, NULL, 0, 0, "%s", msg);
	errors_one(errors, &e);
}

void sipfilter_errors_print(const sipfilter_errors_t *errors, FILE *fp)
{
	for (size_t i = 0; i < errors->n; i++) {
		const sipfilter_error_t *e = &errors->items[i];

		if (e->file[0] && e->line && e->col)
			fprintf(fp, "%s:%u:%u: error: %s\n", e->file, e->line,
				e->col, e->message);
		else if (e->file[0] && e->line)
			fprintf(fp, "%s:%u: error: %s\n", e->file, e->line,
				e->message);
		else if (e->file[0])
			fprintf(fp, "%s: error: %s\n", e->file, e->message);
		else
			fprintf(fp, "error: %s\n", e->message);
	}
	if (errors->dropped)
		fprintf(fp, "(%zu more errors not shown)\n", errors->dropped);
}

/* ------------------------------------------------------------------ */
/* open / close */

sipfilter_t *sipfilter_open(const char *path, sipfilter_errors_t *errors)
{
	sipfilter_t *sf = calloc(1, sizeof(*sf));
	sf_diag_t *diag = malloc(sizeof(*diag));
	sf_err_t err;

	if (!sf || !diag) {
		errors_msg(errors, "out of memory");
		goto fail;
	}
	sf_diag_init(diag);
	if (sf_cfg_load(path, &sf->cfg, diag) < 0) {
		errors_from_diag(errors, diag);
		goto fail;
	}
	sf_err_clear(&err);
	if (sf_edge_init(&sf->edge, sf->cfg, NULL, &err) < 0 ||
	    sf_load_tables(sf->cfg, NULL, &sf->tables, &err) < 0) {
		errors_one(errors, &err);
		goto fail;
	}
	sf->generation = 1;
	sf_tables_set_generation(sf->tables, 1);
	pthread_rwlock_init(&sf->lock, NULL);
	pthread_mutex_init(&sf->upd_lock, NULL);
	pthread_once(&scratch_once, scratch_key_init);
	free(diag);
	if (errors)
		memset(errors, 0, sizeof(*errors));
	return sf;
fail:
	free(diag);
	if (sf)
		sf_cfg_free(sf->cfg);
	free(sf);
	return NULL;
}

void sipfilter_close(sipfilter_t *sf)
{
	if (!sf)
		return;
	sf_tables_free(sf->tables);
	sf_cfg_free(sf->cfg);
	pthread_rwlock_destroy(&sf->lock);
	pthread_mutex_destroy(&sf->upd_lock);
	free(sf);
}

/* ------------------------------------------------------------------ */
/* judging */

/* The admission input for a message; -1 for a bad source or trunk. */
static int make_input(const sipfilter_t *sf, const char *buf, size_t len,
		      const struct sockaddr *src, sipfilter_transport_t tp,
		      const char *trunk, sf_admit_in_t *in)
{
	memset(in, 0, sizeof(*in));
	in->buf = buf;
	in->len = len;
	in->tp = tp == SIPFILTER_TCP ? SF_TP_TCP : SF_TP_UDP;
	in->no_branch = true; /* the embedder's own branches, not serve's */
	if (!src || sf_ip_from_sockaddr(src, &in->src, &in->sport) < 0)
		return -1;
	if (!trunk) {
		in->trunk = SF_TRUNK_BY_SOURCE;
		return 0;
	}
	in->trunk = sf_cfg_trunk_find(sf->cfg, trunk);
	in->how = SF_HOW_ASSUMED; /* the caller says which trunk */
	return in->trunk < 0 ? -1 : 0;
}

static void count(sipfilter_t *sf, const sf_report_t *rep)
{
	atomic_fetch_add_explicit(&sf->messages, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sf->by_action[rep->applied], 1,
				  memory_order_relaxed);
	if (rep->malformed)
		atomic_fetch_add_explicit(&sf->malformed, 1,
					  memory_order_relaxed);
}

/* Admits in under the read lock; returns the scratch holding the
 * admission, or NULL when out of memory. */
static scratch_t *admit(sipfilter_t *sf, const sf_admit_in_t *in)
{
	scratch_t *s = scratch_get();

	if (!s)
		return NULL;
	s->serial++;
	pthread_rwlock_rdlock(&sf->lock);
	sf_admit(&sf->edge, sf->tables, in, &s->msg, &s->call, &s->a);
	pthread_rwlock_unlock(&sf->lock);
	return s;
}

static void drop_result(sipfilter_result_t *r)
{
	memset(r, 0, sizeof(*r));
	r->action = r->rule_action = SIPFILTER_DROP;
}

/* The result for an admission.  The strings it copies come from the
 * config (which lives as long as the handle) or are static. */
/* src (NULL = "") into the array dst, cut to fit: the result strings
 * are filled on every judgement, where snprintf costs ~2k instructions
 * a message. */
static void copy_cut(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}
#define COPY(dst, src) copy_cut((dst), sizeof(dst), (src))

/* The result's numbers (no strings). */
static void fill_scalars(const sf_report_t *rep, sipfilter_result_t *r)
{
	r->action = (sipfilter_action_t)rep->applied;
	r->rule_action = (sipfilter_action_t)rep->action;
	r->monitor = rep->mode == SF_MODE_MONITOR;
	r->judged = rep->judged;
	r->malformed = rep->malformed;
	r->code = rep->code;
}

/* The result's strings (every one written). */
static void fill_strings(const sipfilter_t *sf, const sf_admission_t *a,
			 const sf_report_t *rep, sipfilter_result_t *r)
{
	const sf_facts_t *f = &a->v.facts;

	r->number[0] = r->number_class[0] = r->identity[0] = '\0';
	r->trunk[0] = '\0';
	COPY(r->phrase, a->judged ? a->v.phrase : a->phrase);
	if (r->code && !r->phrase[0])
		COPY(r->phrase, sf_status_phrase(r->code));
	COPY(r->rule, rep->rule);
	COPY(r->reason, rep->reason);
	if (a->trunk >= 0)
		COPY(r->trunk, sf->cfg->trunks[a->trunk].name);
	if (!a->judged)
		return;
	if (f->number.kind != SF_NUM_NONE)
		sf_num_format(&f->number, r->number, sizeof(r->number));
	COPY(r->number_class, sf_class_name(f->cls));
	if (f->decided_by < SF_IDK_COUNT)
		COPY(r->identity, sf_idkind_name(f->decided_by));
}

static void fill_result(const sipfilter_t *sf, const sf_admission_t *a,
			const sf_report_t *rep, sipfilter_result_t *r)
{
	memset(r, 0, sizeof(*r));
	fill_scalars(rep, r);
	fill_strings(sf, a, rep, r);
}

int sipfilter_judge(sipfilter_t *sf, const char *buf, size_t len,
		    const struct sockaddr *src, sipfilter_transport_t tp,
		    const char *trunk, sipfilter_result_t *r)
{
	sf_admit_in_t in;
	sf_report_t rep;
	scratch_t *s;

	if (make_input(sf, buf, len, src, tp, trunk, &in) < 0 ||
	    !(s = admit(sf, &in))) {
		drop_result(r);
		return -1;
	}
	sf_report_of(&s->a, &rep);
	count(sf, &rep);
	fill_result(sf, &s->a, &rep, r);
	return 0;
}

/* sipfilter_judge_edits; strings false leaves r's strings unwritten
 * (sipfilter_result_strings fills them later); *ticket (may be NULL)
 * names the admission. */
static int judge_edits(sipfilter_t *sf, const char *buf, size_t len,
		       const struct sockaddr *src, sipfilter_transport_t tp,
		       const char *trunk, sipfilter_result_t *r,
		       sipfilter_edits_t *edits, bool strings,
		       uint64_t *ticket)
{
	size_t max = sizeof(edits->items) / sizeof(edits->items[0]);
	const sf_admission_t *a;
	sf_admit_in_t in;
	sf_report_t rep;
	scratch_t *s;

	edits->n = 0;
	if (make_input(sf, buf, len, src, tp, trunk, &in) < 0 ||
	    !(s = admit(sf, &in))) {
		drop_result(r);
		return -1;
	}
	a = &s->a;
	if (ticket)
		*ticket = s->serial;
	sf_report_of(a, &rep);
	count(sf, &rep);
	if (strings)
		fill_result(sf, a, &rep, r);
	else
		fill_scalars(&rep, r);
	/* serve marks the INVITEs it forwards (proxy_core.c forward()) */
	if (a->method != SF_M_INVITE ||
	    (r->action != SIPFILTER_ALLOW && r->action != SIPFILTER_TAG &&
	     r->action != SIPFILTER_WITHHOLD))
		return 0;
	/* as serve's forward(): the tables are never missing here */
	sf_edit_init(&s->edit);
	sf_mark(sf->cfg, &s->msg, a->trunk, a->v.rule_name,
		a->judged ? a->outcome : SF_OUT_FORWARD, false, &s->edit);
	if (s->edit.failed || s->edit.n > max ||
	    s->edit.used > sizeof(edits->text))
		return -1;  /* not with SF_EDIT_MAX_OPS/SCRATCH as they are */
	sf_edit_sort(&s->edit);
	for (unsigned i = 0; i < s->edit.n; i++) {
		const sf_edit_op_t *op = &s->edit.ops[i];

		if (op->off > len || op->del > len - op->off) {
			edits->n = 0;
			return -1;
		}
		edits->items[i] = (sipfilter_edit_t){op->off, op->del,
						     op->ins_off, op->ins_len};
	}
	memcpy(edits->text, s->edit.scratch, s->edit.used);
	edits->n = s->edit.n;
	return 0;
}

int sipfilter_judge_edits(sipfilter_t *sf, const char *buf, size_t len,
			  const struct sockaddr *src, sipfilter_transport_t tp,
			  const char *trunk, sipfilter_result_t *r,
			  sipfilter_edits_t *edits)
{
	return judge_edits(sf, buf, len, src, tp, trunk, r, edits, true,
			   NULL);
}

int sipfilter_judge_brief(sipfilter_t *sf, const char *buf, size_t len,
			  const struct sockaddr *src, sipfilter_transport_t tp,
			  const char *trunk, sipfilter_result_t *r,
			  sipfilter_edits_t *edits, uint64_t *ticket)
{
	return judge_edits(sf, buf, len, src, tp, trunk, r, edits, false,
			   ticket);
}

int sipfilter_result_strings(const sipfilter_t *sf, uint64_t ticket,
			     sipfilter_result_t *r)
{
	scratch_t *s = scratch_get();
	sf_report_t rep;

	if (!s || s->serial != ticket)
		return -1;
	sf_report_of(&s->a, &rep);
	fill_strings(sf, &s->a, &rep, r);
	return 0;
}

/* Closes the JSON object in w; its length or -1 when it did not fit. */
static long json_done(sf_jw_t *w)
{
	sf_jw_obj_close(w);
	return w->overflow ? -1 : (long)w->len;
}

long sipfilter_explain(sipfilter_t *sf, const char *buf, size_t len,
		       const struct sockaddr *src, sipfilter_transport_t tp,
		       const char *trunk, char *out, size_t size)
{
	sf_admit_in_t in;
	scratch_t *s;
	sf_jw_t w;

	if (!size || make_input(sf, buf, len, src, tp, trunk, &in) < 0 ||
	    !(s = admit(sf, &in)))
		return -1;
	sf_jw_init(&w, out, size);
	sf_jw_obj_open(&w);
	sf_admission_json(sf->cfg, &s->a, s->a.judged ? &s->call : NULL, &w);
	return json_done(&w);
}

long sipfilter_lookup(sipfilter_t *sf, const char *number, const char *called,
		      const char *trunk, char *out, size_t size)
{
	int t = trunk ? sf_cfg_trunk_find(sf->cfg, trunk)
		      : sf_default_trunk(sf->cfg);
	scratch_t *s = scratch_get();
	sf_jw_t w;

	if (!size || !number || (trunk && t < 0) || !s)
		return -1;
	s->serial++;
	sf_call_from_identities(sf->cfg, number, NULL, called, &s->call);
	pthread_rwlock_rdlock(&sf->lock);
	sf_engine_judge(sf->cfg, sf->tables, &s->call, t, &s->a.v);
	pthread_rwlock_unlock(&sf->lock);
	sf_jw_init(&w, out, size);
	sf_jw_obj_open(&w);
	sf_jw_str(&w, "input", number);
	sf_verdict_json(sf->cfg, &s->a.v, NULL, &w);
	return json_done(&w);
}

/* ------------------------------------------------------------------ */
/* updates */

/* Swaps next in as the current snapshot and frees the old one.  Called
 * with upd_lock held (so the old one is not read by another updater). */
static void swap_in(sipfilter_t *sf, sf_tables_t *next)
{
	sf_tables_t *old;

	pthread_rwlock_wrlock(&sf->lock);
	old = sf->tables;
	sf->tables = next;
	pthread_rwlock_unlock(&sf->lock);
	sf_tables_free(old);
}

_Static_assert(SIPFILTER_TABLE_PLAN == (int)SF_LOAD_PLAN &&
		       SIPFILTER_TABLE_ROAMING == (int)SF_LOAD_ROAMING &&
		       SIPFILTER_TABLE_SUBSTITUTION == (int)SF_LOAD_SUBST &&
		       SIPFILTER_TABLE_ALLOW == (int)SF_LOAD_ALLOW &&
		       SIPFILTER_TABLE_PORTED == (int)SF_LOAD_PORTED &&
		       SIPFILTER_TABLES == (int)SF_LOAD_COUNT,
	       "sipfilter_table_t mirrors sf_load_table_t");

const char *sipfilter_table_file(sipfilter_t *sf, sipfilter_table_t t)
{
	if ((int)t < 0 || t >= SIPFILTER_TABLES)
		return NULL;
	return sf_load_table_path(sf->cfg, (sf_load_table_t)t);
}

int sipfilter_reload(sipfilter_t *sf, sipfilter_errors_t *errors)
{
	return sipfilter_reload_from(sf, NULL, errors);
}

int sipfilter_reload_from(sipfilter_t *sf,
			  const char *const files[SIPFILTER_TABLES],
			  sipfilter_errors_t *errors)
{
	sf_tables_t *next = NULL;
	sf_err_t err;
	int rc;

	sf_err_clear(&err);
	pthread_mutex_lock(&sf->upd_lock);
	rc = sf_load_tables_at(sf->cfg, files, sf->tables, &next, &err);
	if (rc == 0) {
		sf_tables_set_generation(next, ++sf->generation);
		swap_in(sf, next);
	}
	pthread_mutex_unlock(&sf->upd_lock);
	if (rc < 0) {
		atomic_fetch_add(&sf->reloads_failed, 1);
		errors_one(errors, &err);
		return -1;
	}
	atomic_fetch_add(&sf->reloads_ok, 1);
	if (errors)
		memset(errors, 0, sizeof(*errors));
	return 0;
}

/* A derived snapshot of sf's current tables with number's roaming state
 * changed, into *next; the caller holds upd_lock.  -1 with *err. */
static int derive_roaming(sipfilter_t *sf, const char *number, bool add,
			  const char *visited, sf_tables_t **next,
			  sf_err_t *err)
{
	sf_num_t num;

	if (!number ||
	    sf_normalize_text(&sf->cfg->dialling, number, &num) !=
		    SF_NORM_OK ||
	    num.kind != SF_NUM_E164) {
		sf_err_set(err, SF_EINVAL, NULL, 0, 0,
			   "'%s' is not a telephone number",
			   number ? number : "(null)");
		return -1;
	}
	return sf_tables_roaming_update(sf->tables, &num, add, visited, next,
					err) < 0
		       ? -1
		       : 0;
}

static int roaming(sipfilter_t *sf, const char *number, bool add,
		   const char *visited, sipfilter_error_t *out)
{
	sf_tables_t *next = NULL;
	sf_err_t err;
	int rc;

	sf_err_clear(&err);
	pthread_mutex_lock(&sf->upd_lock);
	rc = derive_roaming(sf, number, add, visited, &next, &err);
	if (rc == 0)
		swap_in(sf, next);
	pthread_mutex_unlock(&sf->upd_lock);
	if (rc < 0) {
		if (out)
			copy_err(&err, out);
		return -1;
	}
	atomic_fetch_add(&sf->roaming_updates, 1);
	return 0;
}

int sipfilter_roaming_add(sipfilter_t *sf, const char *number,
			  const char *visited, sipfilter_error_t *err)
{
	return roaming(sf, number, true, visited, err);
}

int sipfilter_roaming_del(sipfilter_t *sf, const char *number,
			  sipfilter_error_t *err)
{
	return roaming(sf, number, false, NULL, err);
}

/* ------------------------------------------------------------------ */
/* snapshots apart from the handle (sf_embed.h) */

static void (*embed_scratch)(int on);

static void scratch_hook(bool on)
{
	embed_scratch(on);
}

void sipfilter_tables_alloc(void *(*m)(size_t), void *(*r)(void *, size_t),
			    void (*f)(void *), void (*scratch)(int on))
{
	sf_tables_alloc_t a = {m, r, f, scratch ? scratch_hook : NULL};

	embed_scratch = scratch;
	sf_tables_set_alloc(&a);
}

int sipfilter_tables_build(sipfilter_t *sf,
			   const char *const files[SIPFILTER_TABLES],
			   uint64_t generation, sipfilter_tables_t **out,
			   sipfilter_errors_t *errors)
{
	sf_err_t err;
	int rc;

	sf_err_clear(&err);
	*out = NULL;
	pthread_mutex_lock(&sf->upd_lock);
	rc = sf_load_tables_at(sf->cfg, files, sf->tables, out, &err);
	pthread_mutex_unlock(&sf->upd_lock);
	if (rc < 0) {
		errors_one(errors, &err);
		return -1;
	}
	sf_tables_set_generation(*out, generation);
	if (errors)
		memset(errors, 0, sizeof(*errors));
	return 0;
}

int sipfilter_tables_roaming(sipfilter_t *sf, const char *number, int add,
			     const char *visited, sipfilter_tables_t **out,
			     sipfilter_error_t *err)
{
	sf_err_t e;
	int rc;

	sf_err_clear(&e);
	*out = NULL;
	pthread_mutex_lock(&sf->upd_lock);
	rc = derive_roaming(sf, number, add != 0, visited, out, &e);
	pthread_mutex_unlock(&sf->upd_lock);
	if (rc < 0 && err)
		copy_err(&e, err);
	return rc;
}

sipfilter_tables_t *sipfilter_tables_exchange(sipfilter_t *sf,
					      sipfilter_tables_t *next)
{
	sf_tables_t *old = sf->tables;

	sf->tables = next;
	return old;
}

sipfilter_tables_t *sipfilter_tables_current(sipfilter_t *sf)
{
	return sf->tables;
}

void sipfilter_tables_free(sipfilter_tables_t *t)
{
	sf_tables_free(t);
}

int sipfilter_roaming_live(const sipfilter_t *sf, char *where, size_t size)
{
	const sf_cfg_t *c = sf->cfg;

	if (!c->live_redis[0])
		return 0;
	if (where && size)
		snprintf(where, size, "%s:%u:%u", c->path, c->live_line,
			 c->live_col);
	return 1;
}

void sipfilter_tables_size(const sipfilter_tables_t *t,
			   sipfilter_tables_size_t *out)
{
	sf_tables_stats_t ts;

	sf_tables_stats(t, &ts);
	out->bytes = ts.plan_bytes + ts.roaming_bytes + ts.subst_bytes +
		     ts.allow_bytes;
	out->generation = ts.generation;
	out->overlay = t ? sf_tables_roaming_overlay(t) : 0;
}

/* ------------------------------------------------------------------ */
/* stats and names */

void sipfilter_stats(sipfilter_t *sf, sipfilter_stats_t *out)
{
	sf_tables_stats_t ts;

	memset(out, 0, sizeof(*out));
	out->messages = atomic_load(&sf->messages);
	for (int i = 0; i < SF_W_COUNT; i++)
		out->by_action[i] = atomic_load(&sf->by_action[i]);
	out->malformed = atomic_load(&sf->malformed);
	out->reloads_ok = atomic_load(&sf->reloads_ok);
	out->reloads_failed = atomic_load(&sf->reloads_failed);
	out->roaming_updates = atomic_load(&sf->roaming_updates);
	pthread_rwlock_rdlock(&sf->lock);
	sf_tables_stats(sf->tables, &ts);
	pthread_rwlock_unlock(&sf->lock);
	out->generation = ts.generation;
	out->plan_rows = ts.plan_rows;
	out->roaming_rows = ts.roaming_rows;
	out->substitution_rows = ts.subst_rows;
	out->allow_rows = ts.allow_rows;
	out->ported_rows = ts.ported_rows;
}

const char *sipfilter_action_name(sipfilter_action_t a)
{
	return sf_word_name((sf_word_t)a);
}

const char *sipfilter_version(void)
{
	return SF_VERSION;
}
