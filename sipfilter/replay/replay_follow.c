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
 * Only messages the strict scanner accepts count.
 */
#include <string.h>

#include "base/sf_hash.h"
#include "replay_int.h"
#include "sipfilter/engine/sf_admit.h"

#define DIALOG_SALT 0x6a09e667f3bcc909ull

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

static uint64_t dialog_key(sf_str_t cid)
{
	return replay_txn_call_key(cid) ^ DIALOG_SALT;
}

static bool is_method(const sf_sipmsg_t *m, const char *name)
{
	size_t n = strlen(name);

	return m->cseq_method.len == n && !memcmp(m->cseq_method.s, name, n);
}

static void on_response(sf_replay_t *r, uint32_t i, const sf_sipmsg_t *msg,
			sf_str_t cid, uint64_t ts)
{
	replay_call_t *c = replay_calls_at(&r->calls, i);
	unsigned code = msg->status;

	c->responded = true;
	if (code >= 180 && code < 190 && !c->t_18x)
		c->t_18x = ts;
	if (code < 200 || c->code)
		return;
	c->code = (uint16_t)code;
	c->t_final = ts ? ts : 1;
	c->reason_len = (uint8_t)(msg->phrase.len < REPLAY_REASON_MAX
					  ? msg->phrase.len
					  : REPLAY_REASON_MAX);
	memcpy(c->reason, msg->phrase.s, c->reason_len);
	if (code < 300) {
		c->to_tag = sf_replay_tag_hash(msg, SF_HDR_TO);
		replay_calls_answer(&r->calls, i, dialog_key(cid));
		if (c->where == RC_RINGING)
			replay_calls_move(&r->calls, i, RC_UP);
	} else if (c->where == RC_RINGING) {
		sf_replay_end_call(r, i, RE_COMPLETE);
	}
}

static void on_bye(sf_replay_t *r, const sf_sipmsg_t *msg, sf_str_t cid,
		   uint64_t ts)
{
	uint32_t i = replay_calls_find(&r->calls, dialog_key(cid));
	uint64_t ft = sf_replay_tag_hash(msg, SF_HDR_FROM),
		 tt = sf_replay_tag_hash(msg, SF_HDR_TO);
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

void sf_replay_follow(sf_replay_t *r, const sf_cap_msg_t *m)
{
	const char *p = (const char *)m->data;
	sf_sip_limits_t lim = {.max_message = r->max_message,
			       .stream = m->proto == SF_CAP_TCP};
	const sf_sip_hdr_t *h;
	sf_str_t cid;
	uint64_t key;
	uint32_t i;
	bool resp = p[0] == 'S';

	if (!r->calls.used)
		return;
	if (!resp && !(m->len > 4 && !memcmp(p, "BYE ", 4)) &&
	    !(m->len > 7 && !memcmp(p, "CANCEL ", 7)))
		return;
	if (sf_sip_scan(p, m->len, &lim, r->msg) < 0 ||
	    r->msg->is_request == resp)
		return;
	h = sf_sip_hdr_nth(r->msg, SF_HDR_CALL_ID, 0);
	cid = h ? h->value : SF_STR_NULL;
	if (!resp && is_method(r->msg, "BYE")) {
		on_bye(r, r->msg, cid, m->ts_us);
		return;
	}
	if (resp && !is_method(r->msg, "INVITE"))
		return;
	key = replay_txn_key(r->msg, cid);
	i = replay_calls_find(&r->calls, key);
	if (i == REPLAY_CALL_NONE) {
		r->c.resp_unmatched += resp;
		return;
	}
	if (resp)
		on_response(r, i, r->msg, cid, m->ts_us);
	else
		replay_calls_at(&r->calls, i)->cancelled = true;
}
