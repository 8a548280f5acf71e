/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_emit.c - when a replay record is printed.  A record leaves the
 * record ring when its retransmission window closes (or early, when the
 * ring is full); it is printed then if its call's outcome is known, and
 * parked in the call table (replay_calls.h) otherwise, to be printed when
 * the final response or the BYE comes (replay_follow.c), when the call is
 * given up (the timeouts below), when the table needs the room, or at the
 * end of the input.  Every decision rests on capture time and the order
 * of messages only, so the output order is a function of the input.
 */
#include "replay_int.h"

/* Prints line[0..len) (len 0: nothing, --diff's unchanged calls and
 * --summary-only) with its tail, and counts its outcome. */
static void print_rec(sf_replay_t *r, const char *line, uint32_t len,
		      const replay_end_t *e, rule_stat_t *rs)
{
	if (len) {
		char tail[REPLAY_TAIL_MAX];
		size_t n = replay_record_tail(r->o.format, e, tail);

		replay_out_put(&r->out, line, len);
		if (n)
			replay_out_put(&r->out, tail, n);
	}
	r->c.records_out++;
	sf_replay_count_outcome(r, rs, e);
}

void sf_replay_end_call(sf_replay_t *r, uint32_t i, replay_status_t st)
{
	replay_call_t *c = replay_calls_at(&r->calls, i);
	replay_end_t e = {c->retrans, c, st};

	print_rec(r, c->line, c->len, &e, c->user);
	replay_calls_drop(&r->calls, i);
}

/* Prints the parked call that came first; false when none is parked. */
static bool evict_oldest(sf_replay_t *r)
{
	uint32_t i = replay_calls_oldest(&r->calls);

	if (i == REPLAY_CALL_NONE)
		return false;
	sf_replay_end_call(r, i, RE_EVICTED);
	return true;
}

uint32_t sf_replay_track(sf_replay_t *r, uint64_t txn_key,
			 uint64_t from_tag, uint64_t ts, rule_stat_t *rs)
{
	uint32_t i;

	while ((i = replay_calls_new(&r->calls, txn_key, from_tag, ts)) ==
	       REPLAY_CALL_NONE)
		if (!evict_oldest(r))
			return REPLAY_CALL_NONE; /* every state in the ring */
	replay_calls_at(&r->calls, i)->user = rs;
	return i;
}

/* Is c's outcome known?  A final non-2xx ends it, a 2xx needs its BYE;
 * no response at all by the end of the window is Timer B's timeout
 * (64*T1, RFC 3261 §17.1.1.2). */
static bool known(const replay_call_t *c, bool window_closed)
{
	if (c->code >= 300)
		return true;
	if (c->code >= 200)
		return c->t_bye != 0;
	return window_closed && !c->responded;
}

/* Prints the oldest record of the ring, whose call is i, as st; the
 * record and the call are forgotten. */
static void print_oldest(sf_replay_t *r, uint32_t i, replay_status_t st)
{
	const replay_slot_t *s = replay_ring_oldest(&r->ring);
	replay_call_t *c = replay_calls_at(&r->calls, i);
	replay_end_t e = {s->retrans, c, st};

	c->retrans = s->retrans;
	print_rec(r, (const char *)r->ring.bytes + s->off, s->len, &e,
		  c->user);
	replay_calls_drop(&r->calls, i);
	replay_ring_pop(&r->ring);
}

void sf_replay_retire(sf_replay_t *r, bool window_closed)
{
	const replay_slot_t *s = replay_ring_oldest(&r->ring);
	const char *line = (const char *)r->ring.bytes + s->off;
	uint32_t i = s->call, len = s->len;
	replay_call_t *c;

	if (i == REPLAY_CALL_NONE) {
		replay_end_t e = {s->retrans, NULL, RE_UNTRACKED};

		print_rec(r, line, len, &e, NULL);
		replay_ring_pop(&r->ring);
		return;
	}
	c = replay_calls_at(&r->calls, i);
	if (known(c, window_closed)) {
		print_oldest(r, i, RE_COMPLETE);
		return;
	}
	while (!replay_calls_room(&r->calls, len) && evict_oldest(r))
		;
	if (!replay_calls_room(&r->calls, len) ||
	    replay_calls_park(&r->calls, i, line, len, s->retrans,
			      c->code ? RC_UP : RC_RINGING) < 0) {
		print_oldest(r, i, RE_EVICTED);
		return;
	}
	replay_ring_pop(&r->ring);
}

void sf_replay_expire(sf_replay_t *r, uint64_t now)
{
	uint32_t i;

	while (!replay_ring_empty(&r->ring) &&
	       replay_ring_oldest(&r->ring)->ts + r->o.hold_us < now)
		sf_replay_retire(r, true);
	/* parked calls given up: ringing too long (Timer C), or without a
	 * response at all past the window (after an early exit from the
	 * ring), and answered calls whose BYE never came */
	while ((i = replay_calls_head(&r->calls, RC_RINGING)) !=
	       REPLAY_CALL_NONE) {
		const replay_call_t *c = replay_calls_at(&r->calls, i);
		uint64_t limit = c->responded ? r->o.ring_timeout_us
					      : r->o.hold_us;

		if (c->t_invite + limit >= now)
			break;
		sf_replay_end_call(r, i, c->responded ? RE_TIMEOUT
						      : RE_COMPLETE);
	}
	while ((i = replay_calls_head(&r->calls, RC_UP)) != REPLAY_CALL_NONE) {
		const replay_call_t *c = replay_calls_at(&r->calls, i);

		if (c->t_final + r->o.call_timeout_us >= now)
			break;
		sf_replay_end_call(r, i, RE_TIMEOUT);
	}
}

/* The end of the input: the parked calls (those that came first before
 * the others), then the ring in order. */
void sf_replay_flush(sf_replay_t *r)
{
	uint32_t i;

	while ((i = replay_calls_oldest(&r->calls)) != REPLAY_CALL_NONE) {
		const replay_call_t *c = replay_calls_at(&r->calls, i);

		sf_replay_end_call(r, i, !c->responded &&
					 c->t_invite + r->o.hold_us < r->now
					 ? RE_COMPLETE : RE_CAPTURE_END);
	}
	while (!replay_ring_empty(&r->ring)) {
		const replay_slot_t *s = replay_ring_oldest(&r->ring);
		bool closed = s->ts + r->o.hold_us < r->now;

		i = s->call;
		if (i != REPLAY_CALL_NONE &&
		    !known(replay_calls_at(&r->calls, i), closed))
			print_oldest(r, i, RE_CAPTURE_END); /* as it was left */
		else
			sf_replay_retire(r, closed);
	}
	replay_out_flush(&r->out);
	fflush(r->o.out);
	if (ferror(r->o.out))
		r->write_error = 1;
}
