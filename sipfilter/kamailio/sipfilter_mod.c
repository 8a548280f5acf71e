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
 *   modparam("sipfilter", "snapshot_dir", "/run/kamailio")  # frozen
 *                             copies of the tables (default: runtime_dir)
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
 * Processes and reloads.  Kamailio forks its workers after mod_init, so:
 *  - mod_init opens one handle (config + tables) in the main process;
 *    every child inherits it copy-on-write: 10^6 roaming + 10^6
 *    substitution rows are in memory once for all children while no
 *    reload has happened (Judy lookups only read).
 *  - A shared-memory block (Kamailio shm) holds a version number, the
 *    count of successful reloads, a log of the roaming changes made since
 *    the last reload, and one counter slot per process.
 *  - sipfilter.reload (RPC, in the ctl process) first freezes the table
 *    files: it copies them into a folder of their own
 *    (snapshot_dir/sipfilter-PID-gN, snapshot_dir defaulting to
 *    Kamailio's runtime_dir), then reloads its own handle from the copies:
 *    build aside, validate, swap.  A broken table is refused with
 *    file:line (the original file's name) and nothing is published, so
 *    every process keeps its tables.  On success it publishes the copies'
 *    paths, bumps the reload count and the version, and empties the
 *    roaming log (a reload drops live roaming changes, as in serve).
 *    sipfilter.roaming_add/del apply the change to the ctl process's
 *    handle (validating the number) and append it to the log.
 *  - Each worker compares the version at every sipfilter_check (one
 *    atomic load); when it moved, it copies the new log entries and the
 *    frozen paths under a short shm lock, reloads its own handle from the
 *    frozen copies when the reload count moved (the bytes the ctl process
 *    validated, whatever the feed wrote since), and replays the roaming
 *    changes.  A reload therefore reaches a child at its next message,
 *    before that message is judged.
 * Costs, honestly: after the first reload every child that handled a
 * message holds its own copy of the tables (the copy-on-write sharing is
 * gone), so table memory is (children + 1) x table size after a reload
 * (measured with 10^5 + 10^6 + 10^6 rows and 8 children: 136 MiB PSS
 * before, 793 MiB after); each child pays the rebuild (about a second of
 * CPU at that size) on its next message, one child at a time (a shm
 * token), so the rollout to 8 children took 16-20 s under load; the frozen copies cost one copy of the table files
 * on disk per generation (the last two are kept: a child still loading
 * the previous one must find it).  A child whose own reload fails (out
 * of memory) logs, keeps its old tables and shows in stats
 * (worker_reloads_failed, its generation behind).  The roaming log holds
 * SF_ROAM_LOG changes between reloads.
 * Tables built once in a shared read-only mapping would remove the
 * multiplication; libsipfilter's Judy tables live in the process heap
 * today, so that is future work (README says so).
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/counters.h"
#include "core/data_lump.h"
#include "core/dprint.h"
#include "core/globals.h"
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

#include "sipfilter/lib/sipfilter.h"
#include "sf_kam_frozen.h"

MODULE_VERSION

#define SF_ROAM_LOG 16384    /* roaming changes between two reloads */
#define SF_SLOTS 1024        /* per-process counter slots */
#define SF_RC_ERROR (-5)

/* One live roaming change, as the RPC received it. */
typedef struct sf_roam_op {
	char number[32];
	char visited[4];
	int add;
} sf_roam_op_t;

/* One process's counters (written only by that process; processes
 * numbered SF_SLOTS and above share the last slot, approximately). */
typedef struct sf_slot {
	int pid;
	uint64_t generation;      /* reloads seen + 1 */
	uint64_t roaming_applied; /* log entries replayed since then */
	uint64_t messages;
	uint64_t by_action[7];
	uint64_t errors;
	uint64_t reloads_failed;
} sf_slot_t;

/* The shared-memory block every process sees. */
typedef struct sf_shared {
	_Atomic uint64_t version;    /* bumped by every published change */
	gen_lock_t log_lock;         /* reload count and log, briefly */
	gen_lock_t upd_lock;         /* one RPC update at a time */
	gen_lock_t reload_token;     /* one worker reloading at a time */
	uint64_t reloads;            /* successful reloads since start */
	uint64_t reloads_failed;
	unsigned nlog;               /* entries in log */
	int main_pid;                /* names the frozen folders */
	char frozen[SIPFILTER_TABLES][SF_PATH]; /* current generation's
						   copies; "" = config's */
	sf_roam_op_t log[SF_ROAM_LOG];
	sf_slot_t slots[SF_SLOTS];
} sf_shared_t;

static char *cfg_path = "/etc/sipfilter/sipfilter.yaml";
static int log_verdicts = 1;
static char *snapshot_dir = NULL;    /* NULL: Kamailio's runtime_dir */

static sipfilter_t *sf;              /* this process's handle */
static sf_shared_t *shared;          /* Kamailio shm */
static uint64_t my_version, my_reloads, my_nlog;
static sf_roam_op_t replay_buf[SF_ROAM_LOG];

/* The last verdict of this process, for $sfv and sipfilter_apply(). */
static struct {
	unsigned int msg_id;
	int msg_pid;
	int valid;
	int error;
	int applied;
	sipfilter_result_t r;
	sipfilter_edits_t edits;
} cur;

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
/* keeping this process's handle in step with the shared state */

static sf_slot_t *my_slot(void)
{
	int i = process_no >= 0 && process_no < SF_SLOTS ? process_no
							  : SF_SLOTS - 1;

	return &shared->slots[i];
}

static void replay(const sf_roam_op_t *op)
{
	sipfilter_error_t err;
	int rc = op->add ? sipfilter_roaming_add(sf, op->number,
						  op->visited[0] ? op->visited
								 : NULL,
						  &err)
			 : sipfilter_roaming_del(sf, op->number, &err);

	if (rc < 0)
		LM_ERR("roaming %s %s: %s\n", op->add ? "add" : "del",
		       op->number, err.message);
}

/*
 * Brings this process's handle to the shared version: reload when the
 * reload count moved, then replay the roaming changes it has not seen.
 * Costs one atomic load when nothing changed.  A worker (wait 0) that
 * finds another rebuilding leaves its handle as it is until its next
 * message; an RPC (wait 1) waits its turn, since it is about to publish.
 */
static void sync_handle(int wait)
{
	uint64_t v = atomic_load_explicit(&shared->version,
					  memory_order_acquire);
	uint64_t reloads, from, n;
	static char frozen[SIPFILTER_TABLES][SF_PATH];
	sf_slot_t *slot;

	if (v == my_version)
		return;
	/* A new generation: one worker rebuilds at a time (a rebuild of
	 * 10^6-row tables takes a core for about a second; all of them at
	 * once would stall every worker together).  The others keep serving
	 * their current generation, roaming changes included, and try again
	 * at their next message. */
	lock_get(&shared->log_lock);
	v = atomic_load(&shared->version);
	reloads = shared->reloads;
	if (reloads != my_reloads && lock_try(&shared->reload_token) != 0) {
		lock_release(&shared->log_lock);
		if (!wait)
			return;
		lock_get(&shared->reload_token);
		lock_get(&shared->log_lock);
		v = atomic_load(&shared->version);
		reloads = shared->reloads;
	}
	n = shared->nlog;
	from = reloads == my_reloads ? my_nlog : 0;
	if (from < n)
		memcpy(replay_buf, &shared->log[from],
		       (n - from) * sizeof(replay_buf[0]));
	if (reloads != my_reloads)
		memcpy(frozen, shared->frozen, sizeof(frozen));
	lock_release(&shared->log_lock);
	slot = my_slot();
	if (reloads != my_reloads) {
		const char *files[SIPFILTER_TABLES];
		sipfilter_errors_t errs;

		for (int t = 0; t < SIPFILTER_TABLES; t++)
			files[t] = frozen[t][0] ? frozen[t] : NULL;
		/* Once per published reload, even when it fails here: a
		 * retry on every message would stall this worker. */
		if (sipfilter_reload_from(sf, files, &errs) < 0) {
			log_errors("sipfilter reload in worker", &errs);
			slot->reloads_failed++;
		} else {
			slot->generation = reloads + 1;
		}
		/* The old tables were copy-on-write pages shared with the
		 * main process; freeing them wrote to them (private copies
		 * now): give those pages back to the system. */
		malloc_trim(0);
	}
	if (reloads != my_reloads)
		lock_release(&shared->reload_token);
	for (uint64_t i = from; i < n; i++)
		replay(&replay_buf[i - from]);
	my_version = v;
	my_reloads = reloads;
	my_nlog = n;
	slot->pid = my_pid();
	if (!slot->generation)
		slot->generation = 1;
	slot->roaming_applied = n;
}

/* ------------------------------------------------------------------ */
/* frozen copies of the table files, one folder per generation */

/* snapshot_dir, else Kamailio's runtime_dir when it is writable (a
 * kamailio started by hand may point it at a folder that does not
 * exist), else /tmp. */
static const char *snapshot_base(void)
{
	if (snapshot_dir)
		return snapshot_dir;
	if (runtime_dir && access(runtime_dir, W_OK | X_OK) == 0)
		return runtime_dir;
	return "/tmp";
}

/* The frozen-copy calls with this module's folder and handle. */
static void remove_frozen(uint64_t gen)
{
	sf_kam_remove_frozen(sf, snapshot_base(), shared->main_pid, gen);
}

static int freeze(uint64_t gen, char files[SIPFILTER_TABLES][SF_PATH],
		  char *why, size_t n)
{
	return sf_kam_freeze(sf, snapshot_base(), shared->main_pid, gen,
			     files, why, n);
}

static void unfreeze_names(sipfilter_errors_t *errs,
			   char files[SIPFILTER_TABLES][SF_PATH])
{
	sf_kam_unfreeze_names(sf, errs, files);
}

/* ------------------------------------------------------------------ */
/* module init */

static int mod_init(void)
{
	sipfilter_errors_t errs;

	sf = sipfilter_open(cfg_path, &errs);
	if (!sf) {
		log_errors("sipfilter", &errs);
		LM_ERR("cannot open sipfilter config '%s'\n", cfg_path);
		return -1;
	}
	if (counter_register_array("sipfilter", cnt_defs) < 0) {
		LM_ERR("cannot register counters\n");
		return -1;
	}
	shared = shm_malloc(sizeof(*shared));
	if (!shared) {
		SHM_MEM_ERROR;
		return -1;
	}
	memset(shared, 0, sizeof(*shared));
	shared->main_pid = getpid();
	if (!lock_init(&shared->log_lock) || !lock_init(&shared->upd_lock) ||
	    !lock_init(&shared->reload_token)) {
		LM_ERR("cannot init locks\n");
		return -1;
	}
	LM_INFO("sipfilter %s: config %s loaded; reloads freeze tables "
		"under %s\n", sipfilter_version(), cfg_path, snapshot_base());
	return 0;
}

static int child_init(int rank)
{
	(void)rank;
	if (shared && process_no >= 0 && process_no < SF_SLOTS)
		my_slot()->pid = my_pid();
	return 0;
}

static void mod_destroy(void)
{
	/* only the main process: workers' handles die with them */
	if (shared) {
		remove_frozen(shared->reloads + 1);
		remove_frozen(shared->reloads);
	}
	sipfilter_close(sf);
	sf = NULL;
	if (shared) {
		lock_destroy(&shared->log_lock);
		lock_destroy(&shared->upd_lock);
		lock_destroy(&shared->reload_token);
		shm_free(shared);
		shared = NULL;
	}
}

/* ------------------------------------------------------------------ */
/* sipfilter_check() */

static int check_error(sip_msg_t *msg)
{
	memset(&cur, 0, sizeof(cur));
	cur.msg_id = msg->id;
	cur.msg_pid = msg->pid;
	cur.valid = 1;
	cur.error = 1;
	cur.r.code = 500;
	snprintf(cur.r.phrase, sizeof(cur.r.phrase), "Server Internal Error");
	my_slot()->errors++;
	counter_inc(cnt_errors);
	return SF_RC_ERROR;
}

static int check(sip_msg_t *msg, const char *trunk)
{
	union sockaddr_union su;
	sipfilter_transport_t tp;
	sf_slot_t *slot;

	if (msg->first_line.type != SIP_REQUEST) {
		LM_ERR("sipfilter_check() on a reply\n");
		return check_error(msg);
	}
	sync_handle(0);
	init_su(&su, &msg->rcv.src_ip, msg->rcv.src_port);
	tp = msg->rcv.proto == PROTO_UDP || msg->rcv.proto == PROTO_SCTP
		     ? SIPFILTER_UDP
		     : SIPFILTER_TCP;
	memset(&cur, 0, sizeof(cur));
	cur.msg_id = msg->id;
	cur.msg_pid = msg->pid;
	cur.valid = 1;
	if (sipfilter_judge_edits(sf, msg->buf, msg->len, &su.s, tp, trunk,
				  &cur.r, &cur.edits) < 0) {
		if (trunk)
			LM_ERR("sipfilter_check(\"%s\"): no such trunk in %s\n",
			       trunk, cfg_path);
		return check_error(msg);
	}
	slot = my_slot();
	slot->messages++;
	slot->by_action[cur.r.action]++;
	counter_inc(cnt_action[cur.r.action]);
	if (log_verdicts && cur.r.judged &&
	    (cur.r.action != SIPFILTER_ALLOW ||
	     cur.r.rule_action != SIPFILTER_ALLOW))
		LM_NOTICE("verdict %s%s rule=%s number=%s identity=%s "
			  "trunk=%s code=%u\n",
			  sipfilter_action_name(cur.r.rule_action),
			  cur.r.monitor ? " (monitor)" : "", cur.r.rule,
			  cur.r.number, cur.r.identity, cur.r.trunk,
			  cur.r.code);
	return action_rc[cur.r.action];
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

static int is_current(const sip_msg_t *msg)
{
	return cur.valid && cur.msg_id == msg->id && cur.msg_pid == msg->pid;
}

/* ------------------------------------------------------------------ */
/* sipfilter_apply(): the verdict's edits as lumps */

static int w_apply(sip_msg_t *msg, char *p1, char *p2)
{
	(void)p1;
	(void)p2;
	if (!is_current(msg) || cur.error) {
		LM_ERR("sipfilter_apply() without a sipfilter_check() "
		       "verdict on this message\n");
		return -1;
	}
	if (cur.applied)
		return 1;
	/* ops are sorted by offset and never overlap; anchors at one
	 * offset keep their order in Kamailio's lump list */
	for (size_t i = 0; i < cur.edits.n; i++) {
		const sipfilter_edit_t *op = &cur.edits.items[i];
		struct lump *l;
		char *s;

		l = op->del ? del_lump(msg, (int)op->off, (int)op->del, 0)
			    : anchor_lump(msg, (int)op->off, 0, 0);
		if (!l) {
			LM_ERR("cannot make a lump at %u\n", op->off);
			return -1;
		}
		if (!op->ins_len)
			continue;
		s = pkg_malloc(op->ins_len);
		if (!s) {
			PKG_MEM_ERROR;
			return -1;
		}
		memcpy(s, cur.edits.text + op->ins_off, op->ins_len);
		if (!insert_new_lump_after(l, s, (int)op->ins_len, 0)) {
			pkg_free(s);
			LM_ERR("cannot insert a lump at %u\n", op->off);
			return -1;
		}
	}
	cur.applied = 1;
	return 1;
}

/* ------------------------------------------------------------------ */
/* $sfv(name) */

enum sfv_name {
	SFV_ACTION, SFV_CODE, SFV_PHRASE, SFV_RULE, SFV_REASON, SFV_NUMBER,
	SFV_IDENTITY, SFV_CLASS, SFV_TRUNK, SFV_RULE_ACTION, SFV_MONITOR,
	SFV_COUNT
};

static const char *const sfv_names[SFV_COUNT] = {
	"action", "code", "phrase", "rule", "reason", "number", "identity",
	"class", "trunk", "rule_action", "monitor",
};

static int pv_parse_sfv_name(pv_spec_p sp, str *in)
{
	for (int i = 0; i < SFV_COUNT; i++) {
		if (in->len == (int)strlen(sfv_names[i]) &&
		    !strncmp(in->s, sfv_names[i], (size_t)in->len)) {
			sp->pvp.pvn.type = PV_NAME_INTSTR;
			sp->pvp.pvn.u.isname.type = 0;
			sp->pvp.pvn.u.isname.name.n = i;
			return 0;
		}
	}
	LM_ERR("unknown $sfv name '%.*s'\n", in->len, in->s);
	return -1;
}

static int pv_get_sfv(sip_msg_t *msg, pv_param_t *param, pv_value_t *res)
{
	const sipfilter_result_t *r = &cur.r;
	char *s = NULL;

	if (!msg || !is_current(msg))
		return pv_get_null(msg, param, res);
	switch (param->pvn.u.isname.name.n) {
	case SFV_ACTION:
		s = cur.error ? "error" : (char *)sipfilter_action_name(r->action);
		break;
	case SFV_CODE:
		return pv_get_uintval(msg, param, res, r->code);
	case SFV_PHRASE:
		s = (char *)r->phrase;
		break;
	case SFV_RULE:
		s = (char *)r->rule;
		break;
	case SFV_REASON:
		s = (char *)r->reason;
		break;
	case SFV_NUMBER:
		s = (char *)r->number;
		break;
	case SFV_IDENTITY:
		s = (char *)r->identity;
		break;
	case SFV_CLASS:
		s = (char *)r->number_class;
		break;
	case SFV_TRUNK:
		s = (char *)r->trunk;
		break;
	case SFV_RULE_ACTION:
		s = cur.error ? "error"
			      : (char *)sipfilter_action_name(r->rule_action);
		break;
	case SFV_MONITOR:
		return pv_get_uintval(msg, param, res, (unsigned)r->monitor);
	default:
		return pv_get_null(msg, param, res);
	}
	return pv_get_strzval(msg, param, res, s);
}

/* ------------------------------------------------------------------ */
/* RPC */

static void rpc_reload(rpc_t *rpc, void *ctx)
{
	static char files[SIPFILTER_TABLES][SF_PATH];
	const char *load[SIPFILTER_TABLES];
	sipfilter_errors_t errs;
	char msg[1024];
	uint64_t gen;
	int rc;

	lock_get(&shared->upd_lock);
	sync_handle(1);
	gen = shared->reloads + 2;
	rc = freeze(gen, files, msg, sizeof(msg));
	if (rc == 0) {
		for (int t = 0; t < SIPFILTER_TABLES; t++)
			load[t] = files[t][0] ? files[t] : NULL;
		rc = sipfilter_reload_from(sf, load, &errs);
		if (rc < 0) {
			unfreeze_names(&errs, files);
			log_errors("sipfilter.reload refused", &errs);
			first_error(&errs, msg, sizeof(msg));
			remove_frozen(gen);
		}
	}
	if (rc == 0) {
		/* ours is built already: record it, do not reload again */
		lock_get(&shared->log_lock);
		memcpy(shared->frozen, files, sizeof(shared->frozen));
		shared->reloads++;
		shared->nlog = 0;
		my_version = atomic_fetch_add(&shared->version, 1) + 1;
		my_reloads = shared->reloads;
		my_nlog = 0;
		lock_release(&shared->log_lock);
		my_slot()->pid = my_pid();
		my_slot()->generation = my_reloads + 1;
		my_slot()->roaming_applied = 0;
		/* the previous generation may still be loading somewhere */
		remove_frozen(gen - 2);
	} else {
		lock_get(&shared->log_lock);
		shared->reloads_failed++;
		lock_release(&shared->log_lock);
	}
	lock_release(&shared->upd_lock);
	if (rc < 0) {
		rpc->fault(ctx, 500, "reload refused, old tables kept: %s", msg);
		return;
	}
	rpc->rpl_printf(ctx, "reloaded: generation %lu", (unsigned long)gen);
}

/* Appends op to the shared log (the caller applied it to its own
 * handle and holds upd_lock). */
static void publish_roaming(const sf_roam_op_t *op)
{
	lock_get(&shared->log_lock);
	shared->log[shared->nlog++] = *op;
	atomic_fetch_add(&shared->version, 1);
	lock_release(&shared->log_lock);
}

static void rpc_roaming(rpc_t *rpc, void *ctx, int add)
{
	sf_roam_op_t op;
	sipfilter_error_t err;
	char *number = NULL, *visited = NULL;
	int rc;

	if (rpc->scan(ctx, "s", &number) < 1)
		return; /* scan answered the fault */
	if (add && rpc->scan(ctx, "*s", &visited) < 1)
		visited = NULL;
	memset(&op, 0, sizeof(op));
	if (strlen(number) >= sizeof(op.number) ||
	    (visited && strlen(visited) >= sizeof(op.visited))) {
		rpc->fault(ctx, 400, "number or country too long");
		return;
	}
	snprintf(op.number, sizeof(op.number), "%s", number);
	if (visited)
		snprintf(op.visited, sizeof(op.visited), "%s", visited);
	op.add = add;
	lock_get(&shared->upd_lock);
	sync_handle(1);
	if (shared->nlog >= SF_ROAM_LOG) {
		lock_release(&shared->upd_lock);
		rpc->fault(ctx, 503, "%u roaming changes since the last "
			   "reload: reload first", SF_ROAM_LOG);
		return;
	}
	rc = add ? sipfilter_roaming_add(sf, op.number,
					 visited ? op.visited : NULL, &err)
		 : sipfilter_roaming_del(sf, op.number, &err);
	if (rc == 0) {
		/* upd_lock held: nothing else was published meanwhile */
		publish_roaming(&op);
		my_version = atomic_load(&shared->version);
		my_nlog = shared->nlog;
		my_slot()->roaming_applied = my_nlog;
	}
	lock_release(&shared->upd_lock);
	if (rc < 0) {
		rpc->fault(ctx, 400, "%s", err.message);
		return;
	}
	rpc->rpl_printf(ctx, "roaming %s %s", add ? "added" : "removed",
			op.number);
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
	sync_handle(1);
	n = sipfilter_lookup(sf, number, called, trunk, out, sizeof(out));
	if (n < 0) {
		rpc->fault(ctx, 400, "cannot look up '%s'%s", number,
			   trunk ? " (unknown trunk?)" : "");
		return;
	}
	rpc->add(ctx, "s", out);
}

static void rpc_stats(rpc_t *rpc, void *ctx)
{
	static const char *const names[7] = {"allow", "tag", "reject",
					     "withhold", "refuse", "drop",
					     "answer"};
	uint64_t tot[7] = {0}, msgs = 0, errs = 0, failed = 0;
	sipfilter_stats_t st;
	void *h, *list;
	char line[160];

	sync_handle(1);
	sipfilter_stats(sf, &st);
	for (int i = 0; i < SF_SLOTS; i++) {
		const sf_slot_t *s = &shared->slots[i];

		msgs += s->messages;
		errs += s->errors;
		failed += s->reloads_failed;
		for (int a = 0; a < 7; a++)
			tot[a] += s->by_action[a];
	}
	if (rpc->add(ctx, "{", &h) < 0)
		return;
	rpc->struct_add(h, "uuuuu", "generation",
			(unsigned)(shared->reloads + 1), "reloads_ok",
			(unsigned)shared->reloads, "reloads_failed",
			(unsigned)shared->reloads_failed, "roaming_changes",
			(unsigned)shared->nlog, "messages", (unsigned)msgs);
	for (int a = 0; a < 7; a++)
		rpc->struct_add(h, "u", names[a], (unsigned)tot[a]);
	rpc->struct_add(h, "uuuuuu", "errors", (unsigned)errs,
			"worker_reloads_failed", (unsigned)failed,
			"plan_rows", (unsigned)st.plan_rows, "roaming_rows",
			(unsigned)st.roaming_rows, "substitution_rows",
			(unsigned)st.substitution_rows, "allow_rows",
			(unsigned)st.allow_rows);
	/* one line per process that has judged or synced: pid, the
	 * generation its tables are at, roaming changes replayed */
	if (rpc->struct_add(h, "[", "processes", &list) < 0)
		return;
	for (int i = 0; i < SF_SLOTS; i++) {
		const sf_slot_t *s = &shared->slots[i];

		if (!s->messages && !s->roaming_applied && s->generation < 2)
			continue;
		snprintf(line, sizeof(line),
			 "rank=%d pid=%d generation=%lu roaming=%lu "
			 "messages=%lu",
			 i, s->pid, (unsigned long)(s->generation ? s->generation : 1),
			 (unsigned long)s->roaming_applied,
			 (unsigned long)s->messages);
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
	{"sipfilter_apply", (cmd_function)w_apply, 0, 0, 0,
	 REQUEST_ROUTE | FAILURE_ROUTE | BRANCH_ROUTE},
	{0, 0, 0, 0, 0, 0}
};

static param_export_t params[] = {
	{"config", PARAM_STRING, &cfg_path},
	{"log_verdicts", PARAM_INT, &log_verdicts},
	{"snapshot_dir", PARAM_STRING, &snapshot_dir},
	{0, 0, 0}
};

static pv_export_t mod_pvs[] = {
	{{"sfv", sizeof("sfv") - 1}, PVT_OTHER, pv_get_sfv, 0,
	 pv_parse_sfv_name, 0, 0, 0},
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
