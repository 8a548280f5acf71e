/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_work.c - replay's per-message work that depends on the message
 * alone (see replay_work.h): the scan and transaction key of an INVITE,
 * its admission and verdicts under one or two configs, its record's
 * fields and formatting, and what a response, CANCEL or BYE says to the
 * call table.  Safe to run on several threads, each with its own
 * replay_work_t.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/sf_hash.h"
#include "replay_record.h"
#include "replay_txn.h"
#include "replay_work.h"

#define DIALOG_SALT 0x6a09e667f3bcc909ull

int replay_work_init(replay_work_t *w, const sf_replay_opts_t *o,
		     uint32_t max_message, const sf_edge_t *e,
		     const sf_edge_t *e2)
{
	memset(w, 0, sizeof(*w));
	w->o = o;
	w->max_message = max_message;
	w->edge = e;
	w->edge2 = e2;
	w->msg = malloc(sizeof(*w->msg));
	w->call = malloc(sizeof(*w->call));
	w->call2 = malloc(sizeof(*w->call2));
	w->adm = malloc(sizeof(*w->adm));
	w->adm2 = malloc(sizeof(*w->adm2));
	w->jc = calloc(REPLAY_JC_SLOTS, sizeof(replay_jc_t));
	if (!w->msg || !w->call || !w->call2 || !w->adm || !w->adm2 ||
	    !w->jc)
		return -1;
	return 0;
}

void replay_work_fini(replay_work_t *w)
{
	free(w->msg);
	free(w->call);
	free(w->call2);
	free(w->adm);
	free(w->adm2);
	free(w->jc);
	memset(w, 0, sizeof(*w));
}

bool replay_is_invite(const uint8_t *p, size_t n)
{
	return n > 7 && (!memcmp(p, "INVITE ", 7) ||
			 (p[6] == ' ' &&
			  !strncasecmp((const char *)p, "INVITE", 6)));
}

sf_str_t replay_find_call_id(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		size_t ls = nl ? (size_t)(nl - p) + 1 : n, le;
		sf_str_t line;
		size_t k = 0;

		if (!nl)
			break;
		i = ls;
		le = i;
		while (le < n && p[le] != '\r' && p[le] != '\n')
			le++;
		if (le == i)
			break; /* end of headers */
		line = sf_str((const char *)p + i, le - i);
		while (k < line.len && line.s[k] != ':' && line.s[k] != ' ' &&
		       line.s[k] != '\t')
			k++;
		if (sf_str_ieq_c(sf_str(line.s, k), "call-id") ||
		    sf_str_ieq_c(sf_str(line.s, k), "i")) {
			while (k < line.len && line.s[k] != ':')
				k++;
			if (k < line.len)
				return sf_str_trim(sf_str(line.s + k + 1,
							  line.len - k - 1));
		}
	}
	return SF_STR_NULL;
}

uint64_t sf_replay_tag_key(sf_str_t tag)
{
	if (!tag.s || !tag.len)
		return 0;
	return sf_hash_words(SF_FNV64_OFFSET, tag.s, tag.len) | 1;
}

uint64_t sf_replay_tag_hash(const sf_sipmsg_t *msg, sf_hdr_id_t id)
{
	sf_str_t tag;

	if (!sf_msg_tag(msg, id, &tag))
		return 0;
	return sf_replay_tag_key(tag);
}

/* ---- judging ------------------------------------------------------------ */

/*
 * Admission of one captured INVITE, exactly as serve would admit the same
 * bytes from the same source (sf_admit.h): the trunk by source address
 * (memoised) unless the capture's trunk is assumed.  scanned: w->msg
 * already holds the accepted scan.
 */
static void admit(replay_work_t *w, bool second, const sf_cap_msg_t *m,
		  bool scanned, sf_report_t *rep)
{
	const sf_cfg_t *cfg = second ? w->o->cfg2 : w->o->cfg;
	const sf_tables_t *tables = second ? w->o->tables2 : w->o->tables;
	const sf_edge_t *e = second ? w->edge2 : w->edge;
	sf_admission_t *a = second ? w->adm2 : w->adm;
	sf_call_t *call = second ? w->call2 : w->call;
	int assume = second ? w->o->assume_trunk2 : w->o->assume_trunk;
	sf_admit_in_t in = {(const char *)m->data, m->len,
			    m->proto == SF_CAP_TCP ? SF_TP_TCP : SF_TP_UDP,
			    m->src, m->sport,
			    assume != SF_TRUNK_BY_SOURCE
				    ? assume
				    : replay_memo_trunk(&w->memo, second, cfg,
							&m->src),
			    assume != SF_TRUNK_BY_SOURCE ? SF_HOW_ASSUMED
							 : SF_HOW_SOURCE, false};

	if (scanned)
		sf_admit_scanned(e, tables, &in, w->msg, call, a);
	else
		sf_admit(e, tables, &in, w->msg, call, a);
	sf_report_of(a, rep);
}

static bool verdict_changed(const sf_report_t *a, const sf_report_t *b)
{
	return a->applied != b->applied || a->action != b->action ||
	       a->mode != b->mode || a->code != b->code ||
	       strcmp(a->rule, b->rule) != 0;
}

/* ---- the record of a transaction --------------------------------------- */

/* The transport's name, with its length in *len. */
static const char *tp_name(const sf_cap_msg_t *m, size_t *len)
{
	uint8_t proto = m->proto;

	if (m->ws) {
		*len = 2;
		return "ws";
	}
	if (proto == SF_CAP_SCTP) {
		*len = 4;
		return "sctp";
	}
	*len = 3;
	return proto == SF_CAP_TCP ? "tcp" : "udp";
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

/* The record's fields: the message's addresses and Call-ID, the judged
 * call's identities (facts) and the verdicts. */
static void fill_record(replay_work_t *w, const sf_cap_msg_t *m,
			const replay_inv_t *v, const sf_facts_t *facts,
			replay_rec_t *x)
{
	const sf_replay_opts_t *o = w->o;

	/* every field is set below (no memset of the ~400-byte record) */
	x->from = x->pai = SF_STR_NULL;
	x->number[0] = x->called[0] = '\0';
	x->number_len = x->called_len = 0;
	x->v2 = NULL;
	x->trunk2 = NULL;
	x->ts_len = replay_memo_ts(&w->memo, m->ts_us, x->ts, sizeof(x->ts));
	x->src_len = replay_memo_addr(&w->memo, &m->src, m->sport, x->src,
				      sizeof(x->src));
	x->dst_len = replay_memo_addr(&w->memo, &m->dst, m->dport, x->dst,
				      sizeof(x->dst));
	x->transport = tp_name(m, &x->transport_len);
	x->call_id = replay_rec_cut(v->cid);
	if (w->adm->judged) {
		x->from = replay_rec_cut(w->call->from.uri);
		if (w->call->n_pai)
			x->pai = replay_rec_cut(w->call->pai[0].uri);
	}
	if (facts->number.kind != SF_NUM_NONE) {
		x->number_len = sf_num_format_len(&facts->number, x->number,
						  sizeof(x->number));
		x->cls = sf_class_name(facts->cls);
	} else {
		x->cls = "";
	}
	if (facts->called.kind != SF_NUM_NONE)
		x->called_len = sf_num_format_len(&facts->called, x->called,
						  sizeof(x->called));
	x->trunk = facts->trunk >= 0 ? o->cfg->trunks[facts->trunk].name : "";
	x->trunk_how = sf_trunk_how_name(w->adm);
	x->decided = sf_idkind_name(facts->decided_by);
	id_text(sf_facts_network(facts), x->net, &x->net_len, &x->net_cls);
	id_text(sf_facts_presentation(facts), x->pres, &x->pres_len,
		&x->pres_cls);
	x->roaming = facts->roaming;
	x->ported = sf_ported_name((sf_ported_t)facts->ported);
	x->v = &v->rep;
	if (o->cfg2) {
		x->v2 = &v->rep2;
		x->trunk2 = w->adm2->trunk >= 0
				    ? o->cfg2->trunks[w->adm2->trunk].name
				    : "";
	}
}

/* The facts the record shows: the verdict's, or none when admission
 * decided before judging. */
static const sf_facts_t *record_facts(const replay_work_t *w,
				      sf_facts_t *none)
{
	if (w->adm->judged)
		return &w->adm->v.facts;
	memset(none, 0, sizeof(*none));
	none->trunk = w->adm->trunk;
	none->primary = none->decided = -1;
	none->decided_by = SF_IDK_NONE;
	return none;
}

static bool home_class(int c)
{
	return c == SF_CLASS_HOME_MOBILE || c == SF_CLASS_HOME_FIXED ||
	       c == SF_CLASS_HOME_MSRN || c == SF_CLASS_SERVICE ||
	       c == SF_CLASS_TOLL_FREE || c == SF_CLASS_PREMIUM;
}

/* What --discover counts of a judged INVITE with a number and a trunk. */
static void discover_facts(const replay_work_t *w, const sf_facts_t *f,
			   replay_inv_t *x)
{
	x->disc = w->o->discover && w->adm->judged && x->has_number &&
		  f->trunk >= 0;
	if (!x->disc)
		return;
	x->called[0] = '\0';
	if (f->called.kind != SF_NUM_NONE)
		sf_num_format(&f->called, x->called, sizeof(x->called));
	x->home = home_class(f->cls);
	x->roaming = f->roaming;
	x->intl = f->trunk_kind == SF_TRUNK_INTERNATIONAL;
	x->domestic = f->trunk_kind == SF_TRUNK_DOMESTIC;
	x->listed = f->substitution;
}

/* ---- the INVITE ---------------------------------------------------------- */

void replay_work_scan(replay_work_t *w, const sf_cap_msg_t *m,
		      replay_inv_t *x)
{
	sf_sip_limits_t lim = {.max_message = w->max_message,
			       .stream = m->proto == SF_CAP_TCP && !m->ws};

	x->ok = sf_sip_scan((const char *)m->data, m->len, &lim, w->msg) ==
			0 &&
		w->msg->is_request;
	x->cid = SF_STR_NULL;
	if (x->ok) {
		const sf_sip_hdr_t *h = sf_sip_hdr_nth(w->msg,
						       SF_HDR_CALL_ID, 0);

		x->cid = h ? h->value : SF_STR_NULL;
		x->key = replay_txn_key(w->msg, x->cid);
	} else {
		/* a malformed INVITE has no transaction to read: its
		 * retransmissions are the same bytes */
		x->key = replay_txn_bytes_key(m->data, m->len);
	}
}

void replay_work_judge(replay_work_t *w, const sf_cap_msg_t *m,
		       replay_inv_t *x, char *line)
{
	const sf_replay_opts_t *o = w->o;
	sf_facts_t no_facts;
	const sf_facts_t *facts;

	admit(w, false, m, x->ok, &x->rep);
	x->changed = false;
	if (o->cfg2) {
		admit(w, true, m, x->ok, &x->rep2);
		x->changed = verdict_changed(&x->rep, &x->rep2);
	}
	x->sip_error = w->adm->sip_error;
	if (!x->ok)
		x->cid = replay_find_call_id(m->data, m->len);
	else if (w->adm->judged && w->call->call_id.len)
		x->cid = w->call->call_id; /* only filled when judged */
	facts = record_facts(w, &no_facts);
	x->trunk = facts->trunk;
	x->has_number = facts->number.kind != SF_NUM_NONE;
	x->number[0] = '\0';
	if (x->has_number)
		sf_num_format(&facts->number, x->number, sizeof(x->number));
	discover_facts(w, facts, x);
	x->line = line;
	x->len = 0;
	x->overflow = false;
	if (o->format != SF_REPLAY_NONE && (!o->cfg2 || x->changed)) {
		replay_rec_t r;

		fill_record(w, m, x, facts, &r);
		x->len = (uint32_t)replay_record_format(o->format, &r, w->jc,
							line);
		x->overflow = x->len == 0;
	}
	/* admission read the From-tag once it had a top Via */
	x->from_tag = !x->ok ? 0
		      : w->adm->top_ok
			      ? sf_replay_tag_key(w->adm->from_tag)
			      : sf_replay_tag_hash(w->msg, SF_HDR_FROM);
}

/* ---- responses, CANCEL, BYE -------------------------------------------- */

static bool is_method(const sf_sipmsg_t *m, const char *name)
{
	size_t n = strlen(name);

	return m->cseq_method.len == n && !memcmp(m->cseq_method.s, name, n);
}

static uint64_t dialog_key(sf_str_t cid)
{
	return replay_txn_call_key(cid) ^ DIALOG_SALT;
}

void replay_work_follow(replay_work_t *w, const sf_cap_msg_t *m,
			replay_fol_t *f)
{
	const char *p = (const char *)m->data;
	sf_sip_limits_t lim = {.max_message = w->max_message,
			       .stream = m->proto == SF_CAP_TCP};
	const sf_sip_hdr_t *h;
	sf_str_t cid;
	bool resp = p[0] == 'S';

	f->kind = RF_NONE;
	if (!resp && !(m->len > 4 && !memcmp(p, "BYE ", 4)) &&
	    !(m->len > 7 && !memcmp(p, "CANCEL ", 7)))
		return;
	if (sf_sip_scan(p, m->len, &lim, w->msg) < 0 ||
	    w->msg->is_request == resp)
		return;
	h = sf_sip_hdr_nth(w->msg, SF_HDR_CALL_ID, 0);
	cid = h ? h->value : SF_STR_NULL;
	if (!resp && is_method(w->msg, "BYE")) {
		f->kind = RF_BYE;
		f->dlg_key = dialog_key(cid);
		f->from_tag = sf_replay_tag_hash(w->msg, SF_HDR_FROM);
		f->to_tag = sf_replay_tag_hash(w->msg, SF_HDR_TO);
		return;
	}
	if (resp && !is_method(w->msg, "INVITE"))
		return;
	f->key = replay_txn_key(w->msg, cid);
	if (!resp) {
		f->kind = RF_CANCEL;
		return;
	}
	f->kind = RF_RESPONSE;
	f->status = (uint16_t)w->msg->status;
	f->phrase = w->msg->phrase;
	f->dlg_key = dialog_key(cid);
	f->to_tag = f->status >= 200 && f->status < 300
			    ? sf_replay_tag_hash(w->msg, SF_HDR_TO)
			    : 0;
}
