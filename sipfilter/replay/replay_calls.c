/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_calls.c - the bounded call table of `sipfilter replay`: fixed
 * states on a free list, one linear-probing index (at most two keys per
 * state in a table of four slots per state, so never more than half
 * full; deletion shifts the run back, no tombstones) and the two lists of
 * parked calls.  See replay_calls.h.
 */
#include <stdlib.h>
#include <string.h>

#include "base/sf_hash.h"
#include "replay_calls.h"

static const char *const outcome_names[RO_COUNT] = {
	[RO_ANSWERED] = "answered",   [RO_REJECTED] = "rejected",
	[RO_REDIRECTED] = "redirected", [RO_CANCELLED] = "cancelled",
	[RO_UNANSWERED] = "unanswered", [RO_NO_RESPONSE] = "no-response",
};

static const char *const status_names[RE_COUNT] = {
	[RE_COMPLETE] = "complete",   [RE_TIMEOUT] = "timeout",
	[RE_EVICTED] = "evicted",     [RE_CAPTURE_END] = "capture-ended",
	[RE_UNTRACKED] = "untracked",
};

const char *replay_outcome_name(replay_outcome_t o)
{
	return (unsigned)o < RO_COUNT ? outcome_names[o] : "?";
}

const char *replay_status_name(replay_status_t s)
{
	return (unsigned)s < RE_COUNT ? status_names[s] : "?";
}

/* RFC 3261 §9.1: a CANCEL that crosses a 2xx leaves the call answered;
 * the 487 that answers a CANCELled INVITE is its cancellation. */
replay_outcome_t replay_call_outcome(const replay_call_t *c)
{
	if (c->code >= 200 && c->code < 300)
		return RO_ANSWERED;
	if (c->cancelled && (c->code == 487 || !c->code))
		return RO_CANCELLED;
	if (c->code >= 300 && c->code < 400)
		return RO_REDIRECTED;
	if (c->code >= 400)
		return RO_REJECTED;
	return c->responded ? RO_UNANSWERED : RO_NO_RESPONSE;
}

int replay_calls_init(replay_calls_t *t, uint32_t cap, uint64_t max_bytes)
{
	uint32_t n = 1;

	memset(t, 0, sizeof(*t));
	t->cap = cap ? cap : REPLAY_CALLS_MAX;
	t->max_bytes = max_bytes ? max_bytes : REPLAY_CALLS_BYTES;
	while (n < 4 * t->cap)
		n *= 2;
	t->ix_mask = n - 1;
	t->c = calloc(t->cap, sizeof(*t->c));
	t->ix = calloc(n, sizeof(*t->ix));
	if (!t->c || !t->ix)
		return -1;
	for (uint32_t i = 0; i < t->cap; i++)
		t->c[i].next = i + 1 < t->cap ? i + 1 : REPLAY_CALL_NONE;
	t->free_head = 0;
	for (int l = 0; l < 2; l++)
		t->head[l] = t->tail[l] = REPLAY_CALL_NONE;
	return 0;
}

void replay_calls_fini(replay_calls_t *t)
{
	if (t->c)
		for (uint32_t i = 0; i < t->cap; i++)
			free(t->c[i].line);
	free(t->c);
	free(t->ix);
	memset(t, 0, sizeof(*t));
}

/* ---- the index ------------------------------------------------------------ */

static uint32_t home(const replay_calls_t *t, uint64_t key)
{
	return (uint32_t)sf_fmix64(key) & t->ix_mask;
}

uint32_t replay_calls_find(const replay_calls_t *t, uint64_t key)
{
	uint32_t i;

	key |= 1;
	for (i = home(t, key); t->ix[i].key; i = (i + 1) & t->ix_mask)
		if (t->ix[i].key == key)
			return t->ix[i].idx;
	return REPLAY_CALL_NONE;
}

static void ix_put(replay_calls_t *t, uint64_t key, uint32_t idx)
{
	uint32_t i;

	key |= 1;
	for (i = home(t, key); t->ix[i].key && t->ix[i].key != key;
	     i = (i + 1) & t->ix_mask)
		;
	t->ix[i].key = key;
	t->ix[i].idx = idx;
}

/* Removes key when it points at idx (a newer state may own it now). */
static void ix_del(replay_calls_t *t, uint64_t key, uint32_t idx)
{
	uint32_t i, j;

	key |= 1;
	for (i = home(t, key); t->ix[i].key != key; i = (i + 1) & t->ix_mask)
		if (!t->ix[i].key)
			return;
	if (t->ix[i].idx != idx)
		return;
	/* backward shift: move up every entry of the run that may sit in
	 * the hole (its home is not cyclically in (i, j]) */
	for (j = (i + 1) & t->ix_mask; t->ix[j].key; j = (j + 1) & t->ix_mask) {
		uint32_t h = home(t, t->ix[j].key);

		if (((j - h) & t->ix_mask) >= ((j - i) & t->ix_mask)) {
			t->ix[i] = t->ix[j];
			i = j;
		}
	}
	t->ix[i].key = 0;
}

/* ---- states ---------------------------------------------------------------- */

uint32_t replay_calls_new(replay_calls_t *t, uint64_t txn_key,
			  uint64_t from_tag, uint64_t now)
{
	uint32_t i = t->free_head;
	replay_call_t *c;

	if (i == REPLAY_CALL_NONE)
		return REPLAY_CALL_NONE;
	c = &t->c[i];
	t->free_head = c->next;
	memset(c, 0, sizeof(*c));
	c->txn_key = txn_key;
	c->from_tag = from_tag;
	c->t_invite = now;
	c->where = RC_RING;
	c->prev = c->next = REPLAY_CALL_NONE;
	ix_put(t, txn_key, i);
	if (++t->used > t->peak)
		t->peak = t->used;
	return i;
}

void replay_calls_answer(replay_calls_t *t, uint32_t i, uint64_t dlg_key)
{
	t->c[i].dlg_key = dlg_key | 1;
	ix_put(t, dlg_key, i);
}

/* ---- lists ------------------------------------------------------------------ */

static int list_of(replay_where_t w)
{
	return w == RC_UP ? 1 : 0;
}

static void unlist(replay_calls_t *t, uint32_t i)
{
	replay_call_t *c = &t->c[i];
	int l = list_of((replay_where_t)c->where);

	if (c->prev != REPLAY_CALL_NONE)
		t->c[c->prev].next = c->next;
	else
		t->head[l] = c->next;
	if (c->next != REPLAY_CALL_NONE)
		t->c[c->next].prev = c->prev;
	else
		t->tail[l] = c->prev;
	c->prev = c->next = REPLAY_CALL_NONE;
}

static void append(replay_calls_t *t, uint32_t i, replay_where_t w)
{
	replay_call_t *c = &t->c[i];
	int l = list_of(w);

	c->where = (uint8_t)w;
	c->next = REPLAY_CALL_NONE;
	c->prev = t->tail[l];
	if (t->tail[l] != REPLAY_CALL_NONE)
		t->c[t->tail[l]].next = i;
	else
		t->head[l] = i;
	t->tail[l] = i;
}

bool replay_calls_room(const replay_calls_t *t, uint32_t len)
{
	return t->bytes + len <= t->max_bytes;
}

int replay_calls_park(replay_calls_t *t, uint32_t i, const char *line,
		      uint32_t len, uint32_t retrans, replay_where_t where)
{
	replay_call_t *c = &t->c[i];

	c->line = NULL;
	if (len) {
		c->line = malloc(len);
		if (!c->line)
			return -1;
		memcpy(c->line, line, len);
	}
	c->len = len;
	c->retrans = retrans;
	t->bytes += len;
	append(t, i, where);
	return 0;
}

void replay_calls_move(replay_calls_t *t, uint32_t i, replay_where_t where)
{
	unlist(t, i);
	append(t, i, where);
}

uint32_t replay_calls_head(const replay_calls_t *t, replay_where_t where)
{
	return t->head[list_of(where)];
}

uint32_t replay_calls_oldest(const replay_calls_t *t)
{
	uint32_t a = t->head[0], b = t->head[1];

	if (a == REPLAY_CALL_NONE)
		return b;
	if (b == REPLAY_CALL_NONE)
		return a;
	return t->c[b].t_invite < t->c[a].t_invite ? b : a;
}

void replay_calls_drop(replay_calls_t *t, uint32_t i)
{
	replay_call_t *c = &t->c[i];

	if (c->where == RC_FREE)
		return;
	if (c->where == RC_RINGING || c->where == RC_UP)
		unlist(t, i);
	ix_del(t, c->txn_key, i);
	if (c->dlg_key)
		ix_del(t, c->dlg_key, i);
	t->bytes -= c->len * (c->line != NULL);
	free(c->line);
	c->line = NULL;
	c->where = RC_FREE;
	c->next = t->free_head;
	t->free_head = i;
	t->used--;
}
