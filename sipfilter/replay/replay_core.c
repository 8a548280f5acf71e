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

/* ---- discovery --------------------------------------------------------- */

/* A judged INVITE as --discover counts it. */
static void discover(sf_replay_t *r, const sf_cap_msg_t *m,
		     const replay_inv_t *x)
{
	replay_disc_in_t in = {
		.ts = m->ts_us, .number = x->number, .called = x->called,
		.home = x->home, .roaming = x->roaming, .intl = x->intl,
		.domestic = x->domestic, .trunk = x->trunk,
		.trunk_name = r->o.cfg->trunks[x->trunk].name,
		.rejected = x->rep.action == SF_W_REJECT,
		.listed = x->listed,
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

/* Counts a judged INVITE transaction (x: replay_work_judge's result). */
static rule_stat_t *count_invite(sf_replay_t *r, const sf_cap_msg_t *m,
				 const replay_inv_t *x)
{
	r->c.invites++;
	if (r->o.cfg2)
		sf_replay_count_diff(r, &x->rep, &x->rep2, x->changed);
	if (!x->ok) {
		r->c.malformed_invites++;
		if (x->sip_error != SF_SIP_OK && x->sip_error < SF_SIP_E_COUNT)
			r->c.sip_errors[x->sip_error]++;
	}
	if (x->overflow)
		r->c.record_overflow++;
	return sf_replay_count(r, m->ts_us, &x->rep, x->trunk,
			       x->has_number ? x->number : NULL);
}

/* A new INVITE transaction, judged (x): counted, its record held for its
 * window, its call followed, its messages written when selected. */
static void new_invite(sf_replay_t *r, const sf_cap_msg_t *m,
		       const replay_inv_t *x)
{
	rule_stat_t *rs = count_invite(r, m, x);
	bool sel = selected(r, &x->rep);
	uint64_t id;

	if (r->disc && x->disc)
		discover(r, m, x);
	id = hold(r, m->ts_us, x->line, x->len);
	if (x->ok) {
		uint32_t call = sf_replay_track(r, x->key, x->from_tag,
						m->ts_us, rs);

		replay_ring_slot(&r->ring, id)->call = call;
		if (call == REPLAY_CALL_NONE)
			sf_replay_count_outcome(r, rs, NULL);
	} else {
		/* a malformed INVITE: no call to follow; its retransmissions
		 * fold by its bytes */
		sf_replay_count_outcome(r, rs, NULL);
	}
	replay_txn_put(&r->txn, x->key, id << 1 | (sel ? 1 : 0), r->now,
		       r->o.hold_us);
	if (sel && r->o.pcap) {
		r->c.selected++;
		if (x->cid.len)
			replay_txn_put(&r->sel, replay_txn_call_key(x->cid), 1,
				       r->now, 0);
		write_pkt(r, m);
	}
}

/* An INVITE: pre is its work done elsewhere (replay -j), or NULL to do
 * it here, after folding (a retransmission is not judged again). */
static void on_invite(sf_replay_t *r, const sf_cap_msg_t *m,
		      const replay_inv_t *pre)
{
	replay_inv_t x;
	char *line;

	if (pre) {
		if (!fold(r, m, pre->key))
			new_invite(r, m, pre);
		return;
	}
	replay_work_scan(&r->w, m, &x);
	if (fold(r, m, x.key))
		return;
	/* formatted in place in the ring when it has the room */
	line = replay_ring_scratch(&r->ring, REPLAY_LINE_CAP);
	replay_work_judge(&r->w, m, &x, line ? line : r->line_buf);
	new_invite(r, m, &x);
}

/* ---- every message --------------------------------------------------------- */

bool sf_replay_sip_payload(sf_replay_t *r, const uint8_t **p, size_t *n)
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

void sf_replay_on_sip(sf_replay_t *r, const sf_cap_msg_t *m,
		      const sf_cap_msg_t *mm, const replay_inv_t *inv,
		      const replay_fol_t *fol)
{
	if (mm->ts_us > r->now)
		r->now = mm->ts_us;
	sf_replay_expire(r, r->now);
	r->c.sip++;
	if (mm->data[0] == 'S')
		r->c.responses++;
	if (replay_is_invite(mm->data, mm->len)) {
		on_invite(r, mm, inv);
		return;
	}
	if (fol)
		sf_replay_follow_apply(r, mm, fol);
	else
		sf_replay_follow(r, mm);
	if (r->o.pcap && r->c.selected) {
		sf_str_t cid = replay_find_call_id(mm->data, mm->len);

		if (cid.len &&
		    replay_txn_find(&r->sel, replay_txn_call_key(cid)))
			write_pkt(r, m);
	}
}

void sf_replay_on_msg(void *user, const sf_cap_msg_t *m)
{
	sf_replay_t *r = user;
	sf_cap_msg_t mm = *m;   /* the message past keep-alive CRLFs */

	if (!sf_replay_sip_payload(r, &mm.data, &mm.len))
		return;
	sf_replay_on_sip(r, m, &mm, NULL, NULL);
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
	r->edge = malloc(sizeof(*r->edge));
	r->edge2 = malloc(sizeof(*r->edge2));
	r->line_buf = malloc(REPLAY_LINE_CAP);
	if (!r->edge || !r->edge2 || !r->line_buf ||
	    sf_edge_init(r->edge, o->cfg, NULL, NULL) < 0 ||
	    (o->cfg2 && sf_edge_init(r->edge2, o->cfg2, NULL, NULL) < 0) ||
	    replay_work_init(&r->w, &r->o, r->max_message, r->edge,
			     o->cfg2 ? r->edge2 : NULL) < 0 ||
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
	replay_work_fini(&r->w);
	free(r->edge);
	free(r->edge2);
	free(r->line_buf);
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
