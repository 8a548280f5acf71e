/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_follow.c - what happened to each call replay judged: the
 * responses to its INVITE, its CANCEL and the BYE of its dialog, read
 * from the same capture and written into its state (replay_calls.h).
 *
 * Correlation (RFC 3261):
 *  - a response belongs to the INVITE transaction whose Call-ID, CSeq
 *    number and top Via branch it repeats (§17.1.3), with CSeq method
 *    INVITE: the transaction key replay folds retransmissions by;
 *  - a CANCEL repeats the INVITE's Call-ID, CSeq number and top Via
 *    (§9.1): the same key;
 *  - the first final response decides (a retransmitted or a forked later
 *    one changes nothing); the first 18x (of any fork) is the ringing
 *    time;
 *  - a 2xx makes the dialog: Call-ID, the INVITE's From-tag and the 2xx's
 *    To-tag (§12.1.1); a BYE belongs to it when its tags are those two,
 *    From-tag = the INVITE's (the caller hung up) or From-tag = the 2xx's
 *    To-tag (the callee did), §12.2.
 * Only messages the strict scanner accepts count.  What a message says
 * (keys, tags, status) is read by replay_work_follow (any thread); what
 * it does to the calls is applied here, in input order.
 */
#include <string.h>

#include "replay_int.h"

static void on_response(sf_replay_t *r, uint32_t i, const replay_fol_t *f,
			uint64_t ts)
{
	replay_call_t *c = replay_calls_at(&r->calls, i);
	unsigned code = f->status;

	c->responded = true;
	if (code >= 180 && code < 190 && !c->t_18x)
		c->t_18x = ts;
	if (code < 200 || c->code)
		return;
	c->code = (uint16_t)code;
	c->t_final = ts ? ts : 1;
	c->reason_len = (uint8_t)(f->phrase.len < REPLAY_REASON_MAX
					  ? f->phrase.len
					  : REPLAY_REASON_MAX);
	memcpy(c->reason, f->phrase.s, c->reason_len);
	if (code < 300) {
		c->to_tag = f->to_tag;
		replay_calls_answer(&r->calls, i, f->dlg_key);
		if (c->where == RC_RINGING)
			replay_calls_move(&r->calls, i, RC_UP);
	} else if (c->where == RC_RINGING) {
		sf_replay_end_call(r, i, RE_COMPLETE);
	}
}

static void on_bye(sf_replay_t *r, const replay_fol_t *f, uint64_t ts)
{
	uint32_t i = replay_calls_find(&r->calls, f->dlg_key);
	uint64_t ft = f->from_tag, tt = f->to_tag;
	replay_call_t *c;
	uint8_t side;

	if (i == REPLAY_CALL_NONE) {
		r->c.bye_unmatched++;
		return;
	}
	c = replay_calls_at(&r->calls, i);
	if (ft == c->from_tag && tt == c->to_tag)
		side = RS_CALLER;
	else if (ft == c->to_tag && tt == c->from_tag)
		side = RS_CALLEE;
	else {
		r->c.bye_unmatched++; /* another fork's dialog */
		return;
	}
	if (c->t_bye)
		return; /* a retransmission */
	c->t_bye = ts ? ts : 1;
	c->bye_from = side;
	if (c->where == RC_UP)
		sf_replay_end_call(r, i, RE_COMPLETE);
}

void sf_replay_follow_apply(sf_replay_t *r, const sf_cap_msg_t *m,
			    const replay_fol_t *f)
{
	uint32_t i;

	if (!r->calls.used || f->kind == RF_NONE)
		return;
	if (f->kind == RF_BYE) {
		on_bye(r, f, m->ts_us);
		return;
	}
	i = replay_calls_find(&r->calls, f->key);
	if (i == REPLAY_CALL_NONE) {
		r->c.resp_unmatched += f->kind == RF_RESPONSE;
		return;
	}
	if (f->kind == RF_RESPONSE)
		on_response(r, i, f, m->ts_us);
	else
		replay_calls_at(&r->calls, i)->cancelled = true;
}

void sf_replay_follow(sf_replay_t *r, const sf_cap_msg_t *m)
{
	replay_fol_t f;

	if (!r->calls.used)
		return; /* nothing to follow: not even scanned */
	replay_work_follow(&r->w, m, &f);
	sf_replay_follow_apply(r, m, &f);
}
