/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_proxy_admit.c - the TCP admission and expiry policy
 * (sipfilter/proxy/proxy_admit.c): per-source limits for unknown sources, trunk
 * sources taking the slot of the longest-quiet unknown connection when
 * the table is full, never a trunk's, and the timeouts.
 */
#include "t.h"

#include <string.h>

#include "../../base/sf_addr.h"
#include "sipfilter/proxy/proxy_admit.h"

#define N 8

static sf_ip_t ip(const char *s)
{
	sf_ip_t a;

	memset(&a, 0, sizeof(a));
	if (sf_ip_parse(s, strlen(s), &a))
		T_FAIL_AT("bad test address %s", s);
	return a;
}

static void put(sf_conn_info_t *tab, unsigned i, const char *addr,
		bool trunk, uint64_t last_ms)
{
	tab[i] = (sf_conn_info_t){
		.ip = ip(addr), .in_use = true, .trunk = trunk,
		.accepted_ms = last_ms, .last_ms = last_ms,
	};
}

static const sf_admit_limits_t lim = {
	.max_per_source = 3, .idle_ms = 60000, .partial_ms = 5000,
	.unknown_idle_ms = 2000,
};

static void test_free_slot(void)
{
	sf_conn_info_t tab[N] = {0};
	sf_ip_t a = ip("192.0.2.9");
	sf_admit_t r;

	r = sf_admit_decide(tab, N, &lim, &a, false);
	T_EQ_INT(r.verdict, SF_ADMIT_OK);
	T_EQ_INT(r.slot, 0);
	put(tab, 0, "192.0.2.9", false, 1);
	put(tab, 1, "10.0.0.1", true, 1);
	r = sf_admit_decide(tab, N, &lim, &a, false);
	T_EQ_INT(r.verdict, SF_ADMIT_OK);
	T_EQ_INT(r.slot, 2);
}

static void test_per_source(void)
{
	sf_conn_info_t tab[N] = {0};
	sf_ip_t a = ip("192.0.2.9"), b = ip("192.0.2.10"), t = ip("10.0.0.1");
	sf_admit_t r;

	for (unsigned i = 0; i < 3; i++)
		put(tab, i, "192.0.2.9", false, 1);
	r = sf_admit_decide(tab, N, &lim, &a, false);
	T_EQ_INT(r.verdict, SF_ADMIT_SOURCE_LIMIT);
	/* Another unknown source still gets in. */
	r = sf_admit_decide(tab, N, &lim, &b, false);
	T_EQ_INT(r.verdict, SF_ADMIT_OK);
	T_EQ_INT(r.slot, 3);
	/* Trunk sources have no per-source limit. */
	for (unsigned i = 3; i < 6; i++)
		put(tab, i, "10.0.0.1", true, 1);
	r = sf_admit_decide(tab, N, &lim, &t, true);
	T_EQ_INT(r.verdict, SF_ADMIT_OK);
	T_EQ_INT(r.slot, 6);
	/* 0 = no per-source limit. */
	{
		sf_admit_limits_t l0 = lim;

		l0.max_per_source = 0;
		r = sf_admit_decide(tab, N, &l0, &a, false);
		T_EQ_INT(r.verdict, SF_ADMIT_OK);
	}
}

static void test_ipv6_per_64(void)
{
	sf_conn_info_t tab[N] = {0};
	sf_ip_t same64 = ip("2001:db8:1:2::ffff");
	sf_ip_t other64 = ip("2001:db8:1:3::1");
	sf_admit_t r;

	put(tab, 0, "2001:db8:1:2::1", false, 1);
	put(tab, 1, "2001:db8:1:2::2", false, 1);
	put(tab, 2, "2001:db8:1:2:aaaa::3", false, 1);
	r = sf_admit_decide(tab, N, &lim, &same64, false);
	T_EQ_INT(r.verdict, SF_ADMIT_SOURCE_LIMIT);
	r = sf_admit_decide(tab, N, &lim, &other64, false);
	T_EQ_INT(r.verdict, SF_ADMIT_OK);
	/* A v4 address never counts with a v6 one. */
	{
		sf_ip_t v4 = ip("192.0.2.9");

		T_TRUE(!sf_admit_same_source(&v4, &same64));
	}
}

static void test_full_unknown_refused(void)
{
	sf_conn_info_t tab[N] = {0};
	sf_ip_t a = ip("192.0.2.200");
	sf_admit_t r;

	for (unsigned i = 0; i < N; i++) {
		char s[32];

		snprintf(s, sizeof(s), "192.0.2.%u", i + 1);
		put(tab, i, s, false, 100 + i);
	}
	r = sf_admit_decide(tab, N, &lim, &a, false);
	T_EQ_INT(r.verdict, SF_ADMIT_FULL);
}

static void test_full_trunk_evicts(void)
{
	sf_conn_info_t tab[N] = {0};
	sf_ip_t t = ip("10.0.0.1");
	sf_admit_t r;

	for (unsigned i = 0; i < N; i++) {
		char s[32];

		snprintf(s, sizeof(s), "192.0.2.%u", i + 1);
		put(tab, i, s, false, 100 + i);
	}
	/* Trunk connections are never victims, even the quietest. */
	put(tab, 0, "10.0.0.2", true, 1);
	/* The longest-quiet unknown connection is slot 1 ... */
	r = sf_admit_decide(tab, N, &lim, &t, true);
	T_EQ_INT(r.verdict, SF_ADMIT_EVICT);
	T_EQ_INT(r.slot, 1);
	/* ... unless it is in the middle of a message: idle ones first. */
	tab[1].partial_ms = 50;
	r = sf_admit_decide(tab, N, &lim, &t, true);
	T_EQ_INT(r.verdict, SF_ADMIT_EVICT);
	T_EQ_INT(r.slot, 2);
	/* All unknown ones partial: the longest-quiet of them. */
	for (unsigned i = 1; i < N; i++)
		tab[i].partial_ms = 50;
	tab[5].last_ms = 2;
	r = sf_admit_decide(tab, N, &lim, &t, true);
	T_EQ_INT(r.verdict, SF_ADMIT_EVICT);
	T_EQ_INT(r.slot, 5);
}

static void test_full_of_trunks(void)
{
	sf_conn_info_t tab[N] = {0};
	sf_ip_t t = ip("10.0.0.1");
	sf_admit_t r;

	for (unsigned i = 0; i < N; i++)
		put(tab, i, "10.0.0.2", true, 100 + i);
	r = sf_admit_decide(tab, N, &lim, &t, true);
	T_EQ_INT(r.verdict, SF_ADMIT_FULL);
}

static void test_expiry(void)
{
	sf_conn_info_t c;

	memset(&c, 0, sizeof(c));
	T_EQ_INT(sf_admit_expired(&c, &lim, 1000000), SF_EXPIRE_NONE);
	/* Unknown source, silent: closed after unknown_idle_ms. */
	c = (sf_conn_info_t){.in_use = true, .accepted_ms = 1000,
			     .last_ms = 1000};
	T_EQ_INT(sf_admit_expired(&c, &lim, 3000), SF_EXPIRE_NONE);
	T_EQ_INT(sf_admit_expired(&c, &lim, 3001), SF_EXPIRE_UNKNOWN_IDLE);
	/* Dribbling bytes does not extend it: measured from accept. */
	c.last_ms = 2900;
	c.partial_ms = 1500;
	T_EQ_INT(sf_admit_expired(&c, &lim, 3001), SF_EXPIRE_UNKNOWN_IDLE);
	/* Once a message is complete, the ordinary timeouts apply. */
	c.proven = true;
	T_EQ_INT(sf_admit_expired(&c, &lim, 3001), SF_EXPIRE_NONE);
	T_EQ_INT(sf_admit_expired(&c, &lim, 6501), SF_EXPIRE_PARTIAL);
	c.partial_ms = 0;
	T_EQ_INT(sf_admit_expired(&c, &lim, 6501), SF_EXPIRE_NONE);
	T_EQ_INT(sf_admit_expired(&c, &lim, 62901), SF_EXPIRE_IDLE);
	/* Trunk sources never get the unknown-source deadline. */
	c = (sf_conn_info_t){.in_use = true, .trunk = true,
			     .accepted_ms = 1000, .last_ms = 1000};
	T_EQ_INT(sf_admit_expired(&c, &lim, 30000), SF_EXPIRE_NONE);
	T_EQ_INT(sf_admit_expired(&c, &lim, 61001), SF_EXPIRE_IDLE);
	/* 0 = no such timeout. */
	{
		sf_admit_limits_t l0 = {0};

		c.trunk = false;
		T_EQ_INT(sf_admit_expired(&c, &l0, 1u << 30), SF_EXPIRE_NONE);
	}
}

int main(void)
{
	T_RUN(test_free_slot);
	T_RUN(test_per_source);
	T_RUN(test_ipv6_per_64);
	T_RUN(test_full_unknown_refused);
	T_RUN(test_full_trunk_evicts);
	T_RUN(test_full_of_trunks);
	T_RUN(test_expiry);
	return T_DONE();
}
