/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_core.c - the walk of `sipfilter replay` over decoded messages:
 * SIP recognition and TCP framing, then for each INVITE transaction
 * folding its retransmissions (replay_txn.h), judging it under one or two
 * configs, counting it (replay_report.c), formatting its record
 * (replay_record.h) into the ring that holds it for its retransmission
 * window (replay_ring.h), and writing the selected calls' messages to a
 * pcap.  See replay.h.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "replay.h"
#include "replay_int.h"
#include "replay_record.h"

_Static_assert(SF_REPLAY_RING_MIN_BYTES == REPLAY_LINE_MAX + 64,
	       "a ring holds at least one record of the longest line");

/* ---- SIP recognition and framing --------------------------------------- */

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

/* 1 = starts like a SIP start line (RFC 3261 §7.1, §7.2: a method token
 * and SP, or "SIP/2.0 "), 0 = too short to tell, -1 = no. */
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

/* A message that starts at buf[0..len) but cannot be framed under the
 * size cap: true when it would frame without the cap (so it is only too
 * big), with how many bytes to hand over in *unit (cap + 1, so the scan
 * refuses it as too-big the way it refuses the same INVITE over UDP; 0
 * while fewer have arrived).  False when it is malformed otherwise. */
static bool too_big(const uint8_t *buf, size_t len, size_t cap, long *unit)
{
	if (sf_sip_frame((const char *)buf, len, UINT32_MAX) < 0)
		return false;
	*unit = len > cap ? (long)cap + 1 : 0;
	return true;
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
		/* Over the cap: its first cap + 1 bytes become a message of
		 * their own, which the INVITE path records as malformed
		 * (too-big) as over UDP; the rest is skipped below when it
		 * comes.  serve closes such a connection (drop). */
		if (i == 0 && too_big(buf, len, r->max_message, &n))
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

/* The Call-ID value of a message the scanner refused (any header-name
 * case, compact "i"). */
static sf_str_t find_call_id(const uint8_t *p, size_t n)
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

/* ---- holding records ---------------------------------------------------- */

/* Holds a record of len bytes at line; when the ring is full the oldest
 * records leave it early.  Returns the record's id. */
static uint64_t hold(sf_replay_t *r, uint64_t ts, const char *line,
		     uint32_t len)
{
	while (!replay_ring_room(&r->ring, len)) {
		r->c.early++;
		sf_replay_retire(r, false);
	}
	return replay_ring_push(&r->ring, ts, line, len);
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

/* ---- judging -------------------------------------------------------------- */

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
				    : replay_memo_trunk(&r->memo, second, cfg,
							&m->src),
			    assume != SF_TRUNK_BY_SOURCE ? SF_HOW_ASSUMED
							 : SF_HOW_SOURCE, false};

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

/* Judges a new INVITE transaction under each config and counts it; true
 * if --diff's verdict differs.  ok: r->msg holds its accepted scan. */
static bool judge(sf_replay_t *r, const sf_cap_msg_t *m, bool ok)
{
	bool changed = false;

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
	}
	return changed;
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
static void fill_record(sf_replay_t *r, const sf_cap_msg_t *m, sf_str_t cid,
			const sf_facts_t *facts, replay_rec_t *x)
{
	/* every field is set below (no memset of the ~400-byte record) */
	x->from = x->pai = SF_STR_NULL;
	x->number[0] = x->called[0] = '\0';
	x->number_len = x->called_len = 0;
	x->v2 = NULL;
	x->trunk2 = NULL;
	x->ts_len = replay_memo_ts(&r->memo, m->ts_us, x->ts, sizeof(x->ts));
	x->src_len = replay_memo_addr(&r->memo, &m->src, m->sport, x->src,
				      sizeof(x->src));
	x->dst_len = replay_memo_addr(&r->memo, &m->dst, m->dport, x->dst,
				      sizeof(x->dst));
	x->transport = tp_name(m, &x->transport_len);
	x->call_id = replay_rec_cut(cid);
	if (r->adm->judged) {
		x->from = replay_rec_cut(r->call->from.uri);
		if (r->call->n_pai)
			x->pai = replay_rec_cut(r->call->pai[0].uri);
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
	x->trunk = facts->trunk >= 0 ? r->o.cfg->trunks[facts->trunk].name : "";
	x->trunk_how = sf_trunk_how_name(r->adm);
	x->decided = sf_idkind_name(facts->decided_by);
	id_text(sf_facts_network(facts), x->net, &x->net_len, &x->net_cls);
	id_text(sf_facts_presentation(facts), x->pres, &x->pres_len,
		&x->pres_cls);
	x->roaming = facts->roaming;
	x->ported = sf_ported_name((sf_ported_t)facts->ported);
	x->v = &r->rep;
	if (r->o.cfg2) {
		x->v2 = &r->rep2;
		x->trunk2 = r->adm2->trunk >= 0
				    ? r->o.cfg2->trunks[r->adm2->trunk].name
				    : "";
	}
}

/* Formats the record where the ring can take it in place when it can;
 * sets *line to where it is and returns its length (0: no line). */
static uint32_t format_record(sf_replay_t *r, const sf_cap_msg_t *m,
			      sf_str_t cid, const sf_facts_t *facts,
			      char **line)
{
	replay_rec_t x;
	size_t len;

	fill_record(r, m, cid, facts, &x);
	*line = replay_ring_scratch(&r->ring, REPLAY_LINE_CAP);
	if (!*line)
		*line = r->line_buf;
	len = replay_record_format(r->o.format, &x, r->jc, *line);
	if (!len)
		r->c.record_overflow++;
	return (uint32_t)len;
}

/* ---- discovery --------------------------------------------------------- */

static bool home_class(int c)
{
	return c == SF_CLASS_HOME_MOBILE || c == SF_CLASS_HOME_FIXED ||
	       c == SF_CLASS_HOME_MSRN || c == SF_CLASS_SERVICE ||
	       c == SF_CLASS_TOLL_FREE || c == SF_CLASS_PREMIUM;
}

/* A judged INVITE as --discover counts it. */
static void discover(sf_replay_t *r, const sf_cap_msg_t *m,
		     const sf_facts_t *f)
{
	char num[SF_NUM_MAX + 2] = "", called[SF_NUM_MAX + 2] = "";
	replay_disc_in_t in;

	if (!r->adm->judged || f->number.kind == SF_NUM_NONE || f->trunk < 0)
		return;
	sf_num_format(&f->number, num, sizeof(num));
	if (f->called.kind != SF_NUM_NONE)
		sf_num_format(&f->called, called, sizeof(called));
	in = (replay_disc_in_t){
		.ts = m->ts_us, .number = num, .called = called,
		.home = home_class(f->cls), .roaming = f->roaming,
		.intl = f->trunk_kind == SF_TRUNK_INTERNATIONAL,
		.domestic = f->trunk_kind == SF_TRUNK_DOMESTIC,
		.trunk = f->trunk,
		.trunk_name = r->o.cfg->trunks[f->trunk].name,
		.rejected = r->rep.action == SF_W_REJECT,
		.listed = f->substitution,
	};
	replay_disc_add(r->disc, &in);
}

unsigned sf_replay_discover_print(const sf_replay_t *r, FILE *fp)
{
	return r->disc ? replay_disc_print(r->disc, fp) : 0;
}

/* ---- the INVITE path --------------------------------------------------- */

/* A retransmission of a transaction seen before (key): counted on its
 * record while that is held, and written to the pcap when its call is
 * selected.  False for a new transaction. */
static bool fold(sf_replay_t *r, const sf_cap_msg_t *m, uint64_t key)
{
	uint64_t *known = replay_txn_find(&r->txn, key);

	if (!known)
		return false;
	r->c.retrans++;
	if (!replay_ring_retrans(&r->ring, *known >> 1))
		r->c.late_retrans++;
	if (*known & 1)
		write_pkt(r, m);
	return true;
}

/* The facts the record shows: the verdict's, or none when admission
 * decided before judging. */
static const sf_facts_t *record_facts(const sf_replay_t *r,
				      sf_facts_t *none)
{
	if (r->adm->judged)
		return &r->adm->v.facts;
	memset(none, 0, sizeof(*none));
	none->trunk = r->adm->trunk;
	none->primary = none->decided = -1;
	none->decided_by = SF_IDK_NONE;
	return none;
}

static void on_invite(sf_replay_t *r, const sf_cap_msg_t *m)
{
	sf_sip_limits_t lim = {.max_message = r->max_message,
			       .stream = m->proto == SF_CAP_TCP && !m->ws};
	bool ok = sf_sip_scan((const char *)m->data, m->len, &lim, r->msg) ==
			  0 &&
		  r->msg->is_request;
	uint64_t key = 0, id;
	sf_str_t cid = SF_STR_NULL;
	sf_facts_t no_facts;
	const sf_facts_t *facts;
	char *line = r->line_buf;
	uint32_t len = 0;
	bool changed, sel;
	rule_stat_t *rs;

	if (ok) {
		const sf_sip_hdr_t *h = sf_sip_hdr_nth(r->msg,
						       SF_HDR_CALL_ID, 0);

		cid = h ? h->value : SF_STR_NULL;
		key = replay_txn_key(r->msg, cid);
	} else {
		/* a malformed INVITE has no transaction to read: its
		 * retransmissions are the same bytes */
		key = replay_txn_bytes_key(m->data, m->len);
	}
	if (fold(r, m, key))
		return;
	changed = judge(r, m, ok);
	if (!ok)
		cid = find_call_id(m->data, m->len);
	else if (r->adm->judged && r->call->call_id.len)
		cid = r->call->call_id; /* r->call is only filled when judged */
	facts = record_facts(r, &no_facts);
	rs = sf_replay_count(r, m, &r->rep, facts);
	if (r->disc)
		discover(r, m, facts);
	sel = selected(r, &r->rep);
	if (r->o.format != SF_REPLAY_NONE && (!r->o.cfg2 || changed))
		len = format_record(r, m, cid, facts, &line);
	id = hold(r, m->ts_us, line, len);
	if (ok) {
		/* admission read the From-tag once it had a top Via */
		uint64_t ft = r->adm->top_ok
				      ? sf_replay_tag_key(r->adm->from_tag)
				      : sf_replay_tag_hash(r->msg, SF_HDR_FROM);
		uint32_t call = sf_replay_track(r, key, ft, m->ts_us, rs);

		replay_ring_slot(&r->ring, id)->call = call;
		if (call == REPLAY_CALL_NONE)
			sf_replay_count_outcome(r, rs, NULL);
		replay_txn_put(&r->txn, key, id << 1 | (sel ? 1 : 0), r->now,
			       r->o.hold_us);
	} else {
		/* a malformed INVITE: no call to follow; its retransmissions
		 * fold by its bytes */
		sf_replay_count_outcome(r, rs, NULL);
		replay_txn_put(&r->txn, key, id << 1 | (sel ? 1 : 0), r->now,
			       r->o.hold_us);
	}
	if (sel && r->o.pcap) {
		r->c.selected++;
		if (cid.len)
			replay_txn_put(&r->sel, replay_txn_call_key(cid), 1,
				       r->now, 0);
		write_pkt(r, m);
	}
}

/* p[0..n) past leading CRLFs when it then starts like SIP; false (and
 * counted) for keep-alives and anything else. */
static bool sip_message(sf_replay_t *r, const uint8_t **p, size_t *n)
{
	size_t i = 0;

	if (sip_start(*p, *n) == 1)
		return true;
	while (i < *n && ((*p)[i] == '\r' || (*p)[i] == '\n'))
		i++;
	if (*n && i == *n) {
		r->c.keepalives++;
		return false;
	}
	if (i == 0 || sip_start(*p + i, *n - i) != 1) {
		r->c.non_sip++;
		return false;
	}
	*p += i;
	*n -= i;
	return true;
}

void sf_replay_on_msg(void *user, const sf_cap_msg_t *m)
{
	sf_replay_t *r = user;
	sf_cap_msg_t mm = *m;   /* the message past keep-alive CRLFs */
	const uint8_t *p = m->data;
	size_t n = m->len;

	if (!sip_message(r, &p, &n))
		return;
	mm.data = p;
	mm.len = n;
	if (m->ts_us > r->now)
		r->now = m->ts_us;
	sf_replay_expire(r, r->now);
	r->c.sip++;
	if (p[0] == 'S')
		r->c.responses++;
	/* any case: "invite" must not hide from the records (admission
	 * refuses it, and replay says so) */
	if (n > 7 && (!memcmp(p, "INVITE ", 7) ||
		      (p[6] == ' ' && !strncasecmp((const char *)p, "INVITE", 6)))) {
		on_invite(r, &mm);
		return;
	}
	sf_replay_follow(r, &mm);
	if (r->o.pcap && r->c.selected) {
		sf_str_t cid = find_call_id(p, n);

		if (cid.len &&
		    replay_txn_find(&r->sel, replay_txn_call_key(cid)))
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
	if (!r->o.ring_timeout_us)
		r->o.ring_timeout_us = 200000000ull;
	if (!r->o.call_timeout_us)
		r->o.call_timeout_us = 4 * 3600000000ull;
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
	r->line_buf = malloc(REPLAY_LINE_CAP);
	r->jc = calloc(REPLAY_JC_SLOTS, sizeof(replay_jc_t));
	if (!r->msg || !r->call || !r->call2 || !r->edge || !r->edge2 ||
	    !r->adm || !r->adm2 || !r->line_buf || !r->jc ||
	    sf_edge_init(r->edge, o->cfg, NULL, NULL) < 0 ||
	    (o->cfg2 && sf_edge_init(r->edge2, o->cfg2, NULL, NULL) < 0) ||
	    replay_ring_init(&r->ring, o->ring_slots, o->ring_bytes,
			     SF_REPLAY_RING_MIN_BYTES) < 0 ||
	    replay_out_init(&r->out, o->out) < 0 ||
	    replay_txn_init(&r->txn, TXN_SET) < 0 ||
	    replay_txn_init(&r->sel, SEL_SET) < 0 ||
	    replay_calls_init(&r->calls, o->calls_max, o->calls_bytes) < 0 ||
	    sf_replay_stats_init(r) < 0 ||
	    (o->discover && !(r->disc = replay_disc_new(o->discover)))) {
		sf_replay_free(r);
		return NULL;
	}
	replay_record_header(o->format, o->cfg2 != NULL, o->out);
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
	free(r->line_buf);
	free(r->jc);
	replay_ring_fini(&r->ring);
	replay_out_fini(&r->out);
	replay_txn_fini(&r->txn);
	replay_txn_fini(&r->sel);
	replay_calls_fini(&r->calls);
	replay_disc_free(r->disc);
	sf_replay_stats_fini(r);
	free(r);
}

int sf_replay_write_error(const sf_replay_t *r)
{
	return r->write_error || r->out.error;
}
