/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_admit.c - the TCP admission and expiry policy (see proxy_admit.h).
 * One linear pass over the table per new connection: the table is at most
 * serve.tcp.max_connections slots and accepting is not the per-message
 * path.
 */
#include "proxy_admit.h"

#include <string.h>

bool sf_admit_same_source(const sf_ip_t *a, const sf_ip_t *b)
{
	if (a->v4 != b->v4)
		return false;
	return a->v4 ? !memcmp(a->a + 12, b->a + 12, 4)
		     : !memcmp(a->a, b->a, 8);
}

/* True if x is a better eviction victim than y (y may be NULL). */
static bool better_victim(const sf_conn_info_t *x, const sf_conn_info_t *y)
{
	bool xp = x->partial_ms != 0, yp;

	if (!y)
		return true;
	yp = y->partial_ms != 0;
	if (xp != yp)
		return !xp;
	return x->last_ms < y->last_ms;
}

sf_admit_t sf_admit_decide(const sf_conn_info_t *tab, unsigned n,
			   const sf_admit_limits_t *lim, const sf_ip_t *ip,
			   bool trunk)
{
	sf_admit_t r = {SF_ADMIT_FULL, 0};
	const sf_conn_info_t *victim = NULL;
	unsigned same = 0, free_slot = n;

	for (unsigned i = 0; i < n; i++) {
		const sf_conn_info_t *c = &tab[i];

		if (!c->in_use) {
			if (free_slot == n)
				free_slot = i;
			continue;
		}
		if (c->trunk)
			continue;
		if (!trunk && sf_admit_same_source(&c->ip, ip))
			same++;
		if (better_victim(c, victim))
			victim = c;
	}
	if (!trunk && lim->max_per_source && same >= lim->max_per_source) {
		r.verdict = SF_ADMIT_SOURCE_LIMIT;
		return r;
	}
	if (free_slot < n) {
		r.verdict = SF_ADMIT_OK;
		r.slot = free_slot;
	} else if (trunk && victim) {
		r.verdict = SF_ADMIT_EVICT;
		r.slot = (unsigned)(victim - tab);
	}
	return r;
}

sf_expiry_t sf_admit_expired(const sf_conn_info_t *c,
			     const sf_admit_limits_t *lim, uint64_t now_ms)
{
	if (!c->in_use)
		return SF_EXPIRE_NONE;
	if (c->handshaking && lim->handshake_ms &&
	    now_ms - c->accepted_ms > lim->handshake_ms)
		return SF_EXPIRE_HANDSHAKE;
	if (!c->trunk && !c->proven && lim->unknown_idle_ms &&
	    now_ms - c->accepted_ms > lim->unknown_idle_ms)
		return SF_EXPIRE_UNKNOWN_IDLE;
	if (c->partial_ms && lim->partial_ms &&
	    now_ms - c->partial_ms > lim->partial_ms)
		return SF_EXPIRE_PARTIAL;
	if (lim->idle_ms && now_ms - c->last_ms > lim->idle_ms)
		return SF_EXPIRE_IDLE;
	return SF_EXPIRE_NONE;
}
