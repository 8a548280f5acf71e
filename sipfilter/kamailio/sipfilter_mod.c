/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sipfilter_mod.c - the Kamailio module `sipfilter`: libsipfilter's
 * verdicts inside Kamailio 5.6 (Debian's kamailio 5.6.3).
 *
 * Licence: this file, and the sipfilter.so built from it, are
 * GPL-2.0-or-later, because the module is built against and runs inside
 * Kamailio's GPL-2.0-or-later core.  libsipfilter itself (linked into the
 * module statically, from its -fPIC objects) stays LGPL-2.1-or-later.
 *
 * Script API (README "Kamailio module" has the example route block):
 *   modparam("sipfilter", "config", "/etc/sipfilter/sipfilter.yaml")
 *   modparam("sipfilter", "log_verdicts", 1)   # 0: no verdict log lines
 *   sipfilter_check()         judge the current request; the trunk is the
 *   sipfilter_check("name")   one whose sources hold the source address
 *                             (as `serve`), or the trunk named
 *   sipfilter_apply()         make the verdict's edits (tag header and
 *                             verstat, or withhold; untrusted verstat
 *                             removed) as lumps, as `serve` makes them
 *   $sfv(action|code|phrase|rule|reason|number|identity|class|trunk|
 *        rule_action|monitor)  the last verdict on this message
 * Return codes: positive = forward (the script's `if` is true), negative =
 * do not forward:
 *    1 allow    2 tag    3 withhold
 *   -1 reject (answer $sfv(code) $sfv(phrase))   -2 refuse (400, malformed)
 *   -3 drop (send nothing)   -4 answer (200: OPTIONS to the edge)
 *   -5 error (no IPv4/IPv6 source, unknown trunk name, not a request):
 *      $sfv(action) is "error", $sfv(code) 500.
 * So `if (!sipfilter_check()) { sl_send_reply(...); exit; }` never
 * forwards a call the engine did not let through.  0 is never returned
 * (it would end the script).
 *
 * Processes, reloads and memory (README "Kamailio module" has the
 * figures).  Kamailio forks its workers after mod_init, so:
 *  - The tables live in Kamailio's shared memory (sf_kam_shm.c routes
 *    libsipfilter's and libJudy's allocations there while a build runs):
 *    mod_init builds the first generation, every reload or roaming change
 *    builds the next one ONCE, in the process that received the RPC, and
 *    every process reads that one copy.  Table memory does not grow with
 *    the number of children.
 *  - A shm block holds the current snapshot's pointer, a version (bumped
 *    by every publication) and one slot per process.  A process reads the
 *    tables only between enter() and leave(): enter stores the version it
 *    saw in its slot ("reading"), then loads the pointer, and points its
 *    handle at it when it changed; leave stores 0.  Two atomic stores and
 *    two loads per check; no lock, no rebuild, no replay in a worker.
 *  - Publication (sipfilter.reload, roaming_add/del; one at a time under
 *    upd_lock): build the next snapshot aside in shm (a reload: validate
 *    every table, shrink guard; a roaming change: a snapshot sharing the
 *    big tables with a copied overlay of live changes, 16 bytes each),
 *    swap the pointer, bump the version to G.
 *  - Grace rule: the snapshot swapped out at version G is freed once every
 *    slot is 0 (not reading) or >= G (entered after the swap, so it loaded
 *    the new pointer: snapshot.c's argument, over processes).  A check
 *    lasts microseconds, so the publisher polls for up to SF_GRACE_MS;
 *    past that the snapshot is parked (SF_RETIRED at most) and freed by
 *    the next publication or stats call that finds the rule met.  An idle
 *    worker is not reading (slot 0): it never holds a generation back.
 *  - A broken table is refused with file:line and nothing is published.
 *    A reload drops live roaming changes, as in serve.
 * Costs: shm must hold two generations at once during a reload (plus the
 * Judy scratch of the load): size -m for it (the bench: 10^6 + 10^6 rows,
 * ~75 MiB a generation, runs with -m 512).  A roaming change copies the
 * overlay (O(changes since the reload)) into shm.  The builder takes the
 * shm allocator's lock per node (Kamailio's allocator is one locked pool).
 */
#include <malloc.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/counters.h"
#include "core/data_lump.h"
#include "core/dprint.h"
#include "core/ip_addr.h"
#include "core/locking.h"
#include "core/mem/mem.h"
#include "core/mem/shm_mem.h"
#include "core/mod_fix.h"
#include "core/parser/msg_parser.h"
#include "core/pt.h"
#include "core/pvar.h"
#include "core/rpc.h"
#include "core/sr_module.h"

#include "sipfilter/lib/sf_embed.h"
#include "sipfilter/lib/sipfilter.h"
#include "sf_kam_log.h"
#include "sf_kam_shm.h"
#include "sf_kam_verdict.h"

MODULE_VERSION

#define SF_SLOTS 1024        /* per-process slots */
#define SF_RETIRED 16        /* snapshots waiting for their grace */
#define SF_GRACE_MS 2000     /* a publisher waits this long, then parks */
#define SF_RC_ERROR (-5)

/* One process's slot (written only by that process).  Processes numbered
 * SF_SLOTS - 1 and above share the last one for their counters
 * (approximately) and read under upd_lock instead of announcing. */
typedef struct sf_slot {
	_Atomic uint64_t reading; /* version entered with; 0 = not reading */
	int pid;
	uint64_t generation;      /* of the tables it read last */
	uint64_t roaming;         /* live roaming changes in them */
	uint64_t messages;
	uint64_t by_action[7];
	uint64_t errors;
	/* two cache lines a slot, so no two processes write one line (shm
	 * gives 16-byte alignment only: no aligned attribute, the compiler
	 * would assume it) */
	char pad[24];
} sf_slot_t;

_Static_assert(sizeof(sf_slot_t) == 128, "a slot is two cache lines");

/* A snapshot swapped out at version `version`, not freed yet. */
typedef struct sf_retired {
	sipfilter_tables_t *t;
	uint64_t version;
} sf_retired_t;

/* The shared-memory block every process sees. */
typedef struct sf_shared {
	_Atomic(sipfilter_tables_t *) cur; /* the snapshot to read */
	_Atomic uint64_t version;    /* bumped by every publication; >= 1 */
	gen_lock_t upd_lock;         /* one publication at a time */
	uint64_t generation;         /* of cur: successful reloads + 1 */
	uint64_t roaming;            /* live roaming changes in cur */
	uint64_t reloads, reloads_failed;
	uint64_t grace_parked;       /* publications whose wait timed out */
	uint64_t grace_max_us;       /* longest grace wait */
	unsigned n_retired;
	sf_retired_t retired[SF_RETIRED];
	sf_kam_mem_t mem;
	sf_slot_t slots[SF_SLOTS];
} sf_shared_t;

static char *cfg_path = "/etc/sipfilter/sipfilter.yaml";
static int log_verdicts = 1;

static sipfilter_t *sf;              /* this process's handle */
static sf_shared_t *shared;          /* Kamailio shm */
static sipfilter_tables_t *my_tables; /* what sf points at */
static sf_kam_verdict_t *const cur = &sf_kam_cur; /* the last verdict */


/* Kamailio counters (group "sipfilter"): what `kamcmd cnt.get_all
 * sipfilter`, `stats.get_statistics sipfilter:` and xhttp_prom's
 * /metrics show (kamailio_sipfilter_reject ...).  Per process, summed on
 * read, no atomics on the hot path. */
static counter_handle_t cnt_action[7], cnt_errors;
static counter_def_t cnt_defs[] = {
	{&cnt_action[SIPFILTER_ALLOW], "allow", 0, 0, 0, "requests allowed"},
	{&cnt_action[SIPFILTER_TAG], "tag", 0, 0, 0, "INVITEs tagged"},
	{&cnt_action[SIPFILTER_REJECT], "reject", 0, 0, 0, "INVITEs rejected"},
	{&cnt_action[SIPFILTER_WITHHOLD], "withhold", 0, 0, 0,
	 "INVITEs forwarded with the caller ID withheld"},
	{&cnt_action[SIPFILTER_REFUSE], "refuse", 0, 0, 0,
	 "requests refused as malformed"},
	{&cnt_action[SIPFILTER_DROP], "drop", 0, 0, 0, "requests dropped"},
	{&cnt_action[SIPFILTER_ANSWER], "answer", 0, 0, 0,
	 "OPTIONS to the edge answered"},
	{&cnt_errors, "errors", 0, 0, 0,
	 "sipfilter_check() errors (bad source, unknown trunk)"},
	{0, 0, 0, 0, 0, 0}
};

/* Script return code of each action (sipfilter_action_t order). */
static const int action_rc[7] = {
	[SIPFILTER_ALLOW] = 1,   [SIPFILTER_TAG] = 2,
	[SIPFILTER_WITHHOLD] = 3, [SIPFILTER_REJECT] = -1,
	[SIPFILTER_REFUSE] = -2, [SIPFILTER_DROP] = -3,
	[SIPFILTER_ANSWER] = -4,
};

/* ------------------------------------------------------------------ */
/* errors through Kamailio's log */

static void log_errors(const char *what, const sipfilter_errors_t *e)
{
	for (size_t i = 0; i < e->n; i++) {
		const sipfilter_error_t *x = &e->items[i];

		if (x->file[0])
			LM_ERR("%s: %s:%u:%u: error: %s\n", what, x->file,
			       x->line, x->col, x->message);
		else
			LM_ERR("%s: error: %s\n", what, x->message);
	}
}

/* "file:line:col: message" of the first error, for an RPC fault. */
static void first_error(const sipfilter_errors_t *e, char *out, size_t n)
{
	const sipfilter_error_t *x = &e->items[0];

	if (!e->n)
		snprintf(out, n, "failed");
	else if (x->file[0] && x->line)
		snprintf(out, n, "%.256s:%u:%u: %.512s", x->file, x->line,
			 x->col, x->message);
	else
		snprintf(out, n, "%.512s", x->message);
}

/* ------------------------------------------------------------------ */
/* reading the shared snapshot */

/* This process's slot for reading; NULL when it has none. */
static sf_slot_t *my_slot(void)
{
	return process_no >= 0 && process_no < SF_SLOTS - 1
		       ? &shared->slots[process_no]
		       : NULL;
}

/* This process's slot for counting. */
static sf_slot_t *count_slot(void)
{
	sf_slot_t *s = my_slot();

	return s ? s : &shared->slots[SF_SLOTS - 1];
}

/* Points the handle at the current snapshot (the caller may read it). */
static void follow(sf_slot_t *slot)
{
	sipfilter_tables_t *t = atomic_load(&shared->cur);

	if (t == my_tables)
		return;
	sipfilter_tables_exchange(sf, t);
	my_tables = t;
	if (slot) {
		sipfilter_tables_size_t z;

		sipfilter_tables_size(t, &z);
		slot->generation = z.generation;
		slot->roaming = z.overlay;
		slot->pid = my_pid();
	}
}

/*
 * Starts reading: announces the version (seq_cst store), then loads the
 * pointer (seq_cst), so a publisher that swapped before our load sees a
 * version >= its own in our slot.  The handle is valid until leave().
 * A process without a slot holds upd_lock instead (no publication).
 */
static void enter(void)
{
	sf_slot_t *slot = my_slot();

	if (!slot) {
		lock_get(&shared->upd_lock);
		follow(NULL);
		return;
	}
	atomic_store(&slot->reading, atomic_load(&shared->version));
	follow(slot);
}

static void leave(void)
{
	sf_slot_t *slot = my_slot();

	if (!slot) {
		lock_release(&shared->upd_lock);
		return;
	}
	atomic_store_explicit(&slot->reading, 0, memory_order_release);
}

/* ------------------------------------------------------------------ */
/* publishing a snapshot (the caller holds upd_lock) */

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The grace rule for a snapshot swapped out at version v: every slot is
 * 0 or >= v. */
static int grace_over(uint64_t v)
{
	for (int i = 0; i < SF_SLOTS; i++) {
		uint64_t e = atomic_load(&shared->slots[i].reading);

		if (e && e < v)
			return 0;
	}
	return 1;
}

/* Frees the parked snapshots whose grace is over. */
static void reap(void)
{
	unsigned k = 0;

	for (unsigned i = 0; i < shared->n_retired; i++) {
		sf_retired_t *r = &shared->retired[i];

		if (grace_over(r->version))
			sipfilter_tables_free(r->t);
		else
			shared->retired[k++] = *r;
	}
	shared->n_retired = k;
}

/*
 * Makes next the snapshot every process reads and frees the one it
 * replaces once its grace is over: waited for here up to SF_GRACE_MS
 * (readers hold a snapshot for one check), else parked for a later
 * reap; with the park full, waited for as long as it takes.
 */
static void publish(sipfilter_tables_t *next)
{
	sipfilter_tables_t *old = atomic_exchange(&shared->cur, next);
	uint64_t v = atomic_fetch_add(&shared->version, 1) + 1;
	uint64_t t0 = now_us(), waited;
	int over;

	follow(my_slot());
	while (!(over = grace_over(v)) &&
	       (now_us() - t0 < SF_GRACE_MS * 1000u ||
		shared->n_retired == SF_RETIRED))
		nanosleep(&(struct timespec){0, 50000}, NULL);
	waited = now_us() - t0;
	if (waited > shared->grace_max_us)
		shared->grace_max_us = waited;
	if (over) {
		sipfilter_tables_free(old);
	} else {
		shared->retired[shared->n_retired++] =
			(sf_retired_t){old, v};
		shared->grace_parked++;
		LM_WARN("sipfilter: a reader held generation of version %lu "
			"over %d ms; freed later\n", (unsigned long)(v - 1),
			SF_GRACE_MS);
	}
	reap();
}

/* ------------------------------------------------------------------ */
/* module init */

static int mod_init(void)
{
	sipfilter_errors_t errs;
	char where[512];

	shared = shm_malloc(sizeof(*shared));
	if (!shared) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(shared, 0, sizeof(*shared));
	if (!lock_init(&shared->upd_lock)) {
		LM_ERR("cannot init locks\n");
		return -1;
	}
	/* the first generation, in shm like every later one */
	sf_kam_shm_setup(&shared->mem);
	sf_kam_shm_build(1);
	sf = sipfilter_open(cfg_path, &errs);
	sf_kam_shm_build(0);
	malloc_trim(0); /* the load's scratch, before the children inherit it */
	if (!sf) {
		log_errors("sipfilter", &errs);
		LM_ERR("cannot open sipfilter config '%s'\n", cfg_path);
		return -1;
	}
	if (sipfilter_roaming_live(sf, where, sizeof(where))) {
		/* serve's feed follower (proxy_live.c) is not in the module */
		LM_ERR("sipfilter: %s: error: tables.roaming_live is followed "
		       "by `sipfilter serve` only, not by the Kamailio module; "
		       "remove it (live changes: kamcmd sipfilter.roaming_add"
		       "/roaming_del)\n", where);
		return -1;
	}
	cur->sf = sf;
	my_tables = sipfilter_tables_current(sf);
	atomic_store(&shared->cur, my_tables);
	atomic_store(&shared->version, 1);
	shared->generation = 1;
	if (counter_register_array("sipfilter", cnt_defs) < 0) {
		LM_ERR("cannot register counters\n");
		return -1;
	}
	LM_INFO("sipfilter %s: config %s loaded; tables in shared memory, "
		"%ld KiB of Judy nodes\n", sipfilter_version(), cfg_path,
		(long)(atomic_load(&shared->mem.judy_shm_bytes) / 1024));
	return 0;
}

static int child_init(int rank)
{
	(void)rank;
	if (shared && my_slot())
		my_slot()->pid = my_pid();
	return 0;
}

static void mod_destroy(void)
{
	/* only the main process, once the children are gone */
	if (sf)
		sipfilter_tables_exchange(sf, NULL);
	sipfilter_close(sf);
	sf = NULL;
	if (!shared)
		return;
	for (unsigned i = 0; i < shared->n_retired; i++)
		sipfilter_tables_free(shared->retired[i].t);
	sipfilter_tables_free(atomic_load(&shared->cur));
	lock_destroy(&shared->upd_lock);
	shm_free(shared);
	shared = NULL;
}

/* ------------------------------------------------------------------ */
/* sipfilter_check() */

static int check_error(sip_msg_t *msg)
{
	memset(&cur->r, 0, sizeof(cur->r));
	cur->edits.n = 0;
	cur->applied = 0;
	cur->msg_id = msg->id;
	cur->msg_pid = msg->pid;
	cur->valid = 1;
	cur->error = 1;
	cur->strings = 1;
	cur->r.code = 500;
	snprintf(cur->r.phrase, sizeof(cur->r.phrase), "Server Internal Error");
	count_slot()->errors++;
	counter_inc(cnt_errors);
	return SF_RC_ERROR;
}


static int check(sip_msg_t *msg, const char *trunk)
{
	union sockaddr_union su;
	sipfilter_transport_t tp;
	sf_slot_t *slot;
	int rc;

	if (msg->first_line.type != SIP_REQUEST) {
		LM_ERR("sipfilter_check() on a reply\n");
		return check_error(msg);
	}
	init_su(&su, &msg->rcv.src_ip, msg->rcv.src_port);
	tp = msg->rcv.proto == PROTO_UDP || msg->rcv.proto == PROTO_SCTP
		     ? SIPFILTER_UDP
		     : SIPFILTER_TCP;
	/* no memset of the verdict (3.6 KB, most of it the edit text): the judgement
	 * fills its numbers and edits.n */
	cur->msg_id = msg->id;
	cur->msg_pid = msg->pid;
	cur->valid = 1;
	cur->error = 0;
	cur->applied = 0;
	cur->strings = 0; /* filled when $sfv or the log line wants them */
	enter();
	rc = sipfilter_judge_brief(sf, msg->buf, msg->len, &su.s, tp, trunk,
				   &cur->r, &cur->edits, &cur->ticket);
	leave();
	if (rc < 0) {
		if (trunk)
			LM_ERR("sipfilter_check(\"%s\"): no such trunk in %s\n",
			       trunk, cfg_path);
		return check_error(msg);
	}
	slot = count_slot();
	slot->messages++;
	slot->by_action[cur->r.action]++;
	counter_inc(cnt_action[cur->r.action]);
	if (log_verdicts && cur->r.judged &&
	    (cur->r.action != SIPFILTER_ALLOW ||
	     cur->r.rule_action != SIPFILTER_ALLOW))
		sf_kam_log_verdict(sf_kam_strings());
	return action_rc[cur->r.action];
}

static int w_check0(sip_msg_t *msg, char *p1, char *p2)
{
	(void)p1;
	(void)p2;
	return check(msg, NULL);
}

static int w_check1(sip_msg_t *msg, char *p1, char *p2)
{
	char name[64];
	str s;

	(void)p2;
	if (fixup_get_svalue(msg, (gparam_t *)p1, &s) < 0 ||
	    s.len >= (int)sizeof(name)) {
		LM_ERR("sipfilter_check(): bad trunk parameter\n");
		return check_error(msg);
	}
	memcpy(name, s.s, (size_t)s.len);
	name[s.len] = '\0';
	return check(msg, name);
}


/* ------------------------------------------------------------------ */
/* RPC */

static void rpc_reload(rpc_t *rpc, void *ctx)
{
	sipfilter_tables_t *next = NULL;
	sipfilter_errors_t errs;
	char msg[1024];
	uint64_t gen;
	int rc;

	lock_get(&shared->upd_lock);
	follow(my_slot()); /* the shrink guard compares with cur */
	gen = shared->generation + 1;
	sf_kam_shm_build(1);
	rc = sipfilter_tables_build(sf, NULL, gen, &next, &errs);
	sf_kam_shm_build(0);
	/* the load's scratch (read buffer, sort batches, string and pair
	 * indexes: tens of MiB at 10^6 rows) was on this process's heap:
	 * give its pages back */
	malloc_trim(0);
	if (rc == 0) {
		shared->generation = gen;
		shared->roaming = 0;
		shared->reloads++;
		publish(next);
	} else {
		shared->reloads_failed++;
		log_errors("sipfilter.reload refused", &errs);
		first_error(&errs, msg, sizeof(msg));
	}
	lock_release(&shared->upd_lock);
	if (rc < 0) {
		rpc->fault(ctx, 500, "reload refused, old tables kept: %s", msg);
		return;
	}
	rpc->rpl_printf(ctx, "reloaded: generation %lu", (unsigned long)gen);
}

static void rpc_roaming(rpc_t *rpc, void *ctx, int add)
{
	sipfilter_tables_t *next = NULL;
	sipfilter_error_t err;
	char *number = NULL, *visited = NULL;
	int rc;

	if (rpc->scan(ctx, "s", &number) < 1)
		return; /* scan answered the fault */
	if (add && rpc->scan(ctx, "*s", &visited) < 1)
		visited = NULL;
	lock_get(&shared->upd_lock);
	follow(my_slot());
	sf_kam_shm_build(1);
	rc = sipfilter_tables_roaming(sf, number, add, visited, &next, &err);
	sf_kam_shm_build(0);
	if (rc == 0) {
		shared->roaming++;
		publish(next);
	}
	lock_release(&shared->upd_lock);
	if (rc < 0) {
		rpc->fault(ctx, 400, "%s", err.message);
		return;
	}
	rpc->rpl_printf(ctx, "roaming %s %s", add ? "added" : "removed",
			number);
}

static void rpc_roaming_add(rpc_t *rpc, void *ctx)
{
	rpc_roaming(rpc, ctx, 1);
}

static void rpc_roaming_del(rpc_t *rpc, void *ctx)
{
	rpc_roaming(rpc, ctx, 0);
}

static void rpc_lookup(rpc_t *rpc, void *ctx)
{
	char *number = NULL, *called = NULL, *trunk = NULL;
	static char out[4096];
	long n;

	if (rpc->scan(ctx, "s", &number) < 1)
		return; /* scan answered the fault */
	if (rpc->scan(ctx, "*s", &called) < 1)
		called = NULL;
	else if (rpc->scan(ctx, "*s", &trunk) < 1)
		trunk = NULL;
	if (called && (!called[0] || !strcmp(called, "-")))
		called = NULL;
	enter();
	n = sipfilter_lookup(sf, number, called, trunk, out, sizeof(out));
	leave();
	if (n < 0) {
		rpc->fault(ctx, 400, "cannot look up '%s'%s", number,
			   trunk ? " (unknown trunk?)" : "");
		return;
	}
	rpc->add(ctx, "s", out);
}

/* The processes' counters and slots into h. */
static void stats_counters(rpc_t *rpc, void *h)
{
	static const char *const names[7] = {"allow", "tag", "reject",
					     "withhold", "refuse", "drop",
					     "answer"};
	uint64_t tot[7] = {0}, msgs = 0, errs = 0;

	for (int i = 0; i < SF_SLOTS; i++) {
		const sf_slot_t *s = &shared->slots[i];

		msgs += s->messages;
		errs += s->errors;
		for (int a = 0; a < 7; a++)
			tot[a] += s->by_action[a];
	}
	rpc->struct_add(h, "u", "messages", (unsigned)msgs);
	for (int a = 0; a < 7; a++)
		rpc->struct_add(h, "u", names[a], (unsigned)tot[a]);
	rpc->struct_add(h, "u", "errors", (unsigned)errs);
}

/* Where the table memory is (sf_kam_shm.h), into h. */
static void stats_memory(rpc_t *rpc, void *h)
{
	const sf_kam_mem_t *m = &shared->mem;
	sipfilter_tables_size_t z;

	sipfilter_tables_size(my_tables, &z);
	rpc->struct_add(h, "ddddddddd", "table_kib", (int)(z.bytes / 1024),
			"shm_judy_kib",
			(int)(atomic_load(&m->judy_shm_bytes) / 1024),
			"judy_shm_allocs",
			(int)atomic_load(&m->judy_shm_allocs), "judy_heap_allocs",
			(int)atomic_load(&m->judy_heap_allocs),
			"table_shm_allocs", (int)atomic_load(&m->tbl_shm_allocs),
			"table_heap_allocs",
			(int)atomic_load(&m->tbl_heap_allocs), "parked",
			(int)shared->n_retired, "grace_parked",
			(int)shared->grace_parked, "grace_max_us",
			(int)shared->grace_max_us);
}

static void rpc_stats(rpc_t *rpc, void *ctx)
{
	sipfilter_stats_t st;
	void *h, *list;
	char line[160];

	lock_get(&shared->upd_lock); /* nothing is freed meanwhile */
	follow(my_slot());
	reap();
	sipfilter_stats(sf, &st);
	if (rpc->add(ctx, "{", &h) < 0) {
		lock_release(&shared->upd_lock);
		return;
	}
	rpc->struct_add(h, "uuuu", "generation", (unsigned)shared->generation,
			"reloads_ok", (unsigned)shared->reloads,
			"reloads_failed", (unsigned)shared->reloads_failed,
			"roaming_changes", (unsigned)shared->roaming);
	stats_counters(rpc, h);
	rpc->struct_add(h, "uuuuu", "plan_rows", (unsigned)st.plan_rows,
			"roaming_rows", (unsigned)st.roaming_rows,
			"substitution_rows", (unsigned)st.substitution_rows,
			"allow_rows", (unsigned)st.allow_rows, "ported_rows",
			(unsigned)st.ported_rows);
	stats_memory(rpc, h);
	lock_release(&shared->upd_lock);
	/* one line per process that has judged: pid, the generation of the
	 * tables it read last and their live roaming changes */
	if (rpc->struct_add(h, "[", "processes", &list) < 0)
		return;
	for (int i = 0; i < SF_SLOTS; i++) {
		const sf_slot_t *s = &shared->slots[i];

		if (!s->messages)
			continue;
		snprintf(line, sizeof(line),
			 "rank=%d pid=%d generation=%lu roaming=%lu "
			 "messages=%lu",
			 i, s->pid, (unsigned long)s->generation,
			 (unsigned long)s->roaming, (unsigned long)s->messages);
		rpc->array_add(list, "s", line);
	}
}

static const char *rpc_reload_doc[] = {
	"Reload sipfilter's tables (old tables kept on error)", 0};
static const char *rpc_stats_doc[] = {
	"sipfilter counters, table sizes, per-process generations", 0};
static const char *rpc_lookup_doc[] = {
	"Verdict for NUMBER [CALLED [TRUNK]] as JSON", 0};
static const char *rpc_roaming_add_doc[] = {
	"Mark NUMBER [VISITED] roaming until the next reload", 0};
static const char *rpc_roaming_del_doc[] = {
	"Mark NUMBER not roaming until the next reload", 0};

static rpc_export_t rpc_cmds[] = {
	{"sipfilter.reload", rpc_reload, rpc_reload_doc, 0},
	{"sipfilter.stats", rpc_stats, rpc_stats_doc, 0},
	{"sipfilter.lookup", rpc_lookup, rpc_lookup_doc, 0},
	{"sipfilter.roaming_add", rpc_roaming_add, rpc_roaming_add_doc, 0},
	{"sipfilter.roaming_del", rpc_roaming_del, rpc_roaming_del_doc, 0},
	{0, 0, 0, 0}
};

/* ------------------------------------------------------------------ */
/* exports */

static cmd_export_t cmds[] = {
	{"sipfilter_check", (cmd_function)w_check0, 0, 0, 0, REQUEST_ROUTE},
	{"sipfilter_check", (cmd_function)w_check1, 1, fixup_spve_null,
	 fixup_free_spve_null, REQUEST_ROUTE},
	{"sipfilter_apply", (cmd_function)sf_kam_apply, 0, 0, 0,
	 REQUEST_ROUTE | FAILURE_ROUTE | BRANCH_ROUTE},
	{0, 0, 0, 0, 0, 0}
};

static param_export_t params[] = {
	{"config", PARAM_STRING, &cfg_path},
	{"log_verdicts", PARAM_INT, &log_verdicts},
	{0, 0, 0}
};

static pv_export_t mod_pvs[] = {
	{{"sfv", sizeof("sfv") - 1}, PVT_OTHER, sf_kam_pv_get, 0,
	 sf_kam_pv_parse, 0, 0, 0},
	{{0, 0}, 0, 0, 0, 0, 0, 0, 0}
};

struct module_exports exports = {
	"sipfilter",     /* module name */
	DEFAULT_DLFLAGS, /* dlopen flags */
	cmds,            /* script functions */
	params,          /* modparams */
	rpc_cmds,        /* RPC methods */
	mod_pvs,         /* pseudo-variables */
	0,               /* response function */
	mod_init,        /* module init */
	child_init,      /* per-child init */
	mod_destroy      /* destroy */
};
