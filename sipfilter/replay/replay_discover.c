/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_discover.c - candidate substitution rows from a replay: the
 * evidence tables and the report.  See replay_discover.h.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/sf_hash.h"
#include "replay_discover.h"
#include "replay_txn.h"

#define N_CALLED 32   /* distinct called numbers kept per number */

enum { R_FANOUT = 1, R_TRAVEL = 2, R_VARIANT = 4 };

typedef struct dnum {
	uint64_t h;               /* 0 = empty */
	char num[SF_NUM_MAX + 2]; /* digits, no '+' */
	uint32_t calls, n_called;
	uint32_t called[N_CALLED];
	uint64_t first, last, last_intl, gap;
	uint64_t variant_of;      /* hash of the rejected number */
	int trunk;                /* last international trunk */
	const char *trunk_name;
	uint8_t reasons;
	bool listed, roaming;
} dnum_t;

typedef struct drange {
	uint64_t h;
	char pfx[SF_NUM_MAX + 2];
	const char *trunk_name;
	uint32_t n;
	uint32_t callers[REPLAY_DISC_SET];
} drange_t;

struct replay_disc {
	replay_disc_opts_t o;
	dnum_t *nums;             /* 2 * REPLAY_DISC_NUMBERS slots */
	uint32_t n_nums;
	drange_t *ranges;         /* 2 * REPLAY_DISC_RANGES slots */
	uint32_t n_ranges;
	uint64_t untracked;       /* numbers beyond the table */
	replay_txn_set_t dom;     /* domestic sightings: number -> ts */
	replay_txn_set_t rej;     /* variant keys of rejected numbers */
};

void replay_disc_defaults(replay_disc_opts_t *o)
{
	o->calls = 20;
	o->fanout = 5;
	o->travel_us = 600000000ull;
	o->spray = 10;
	o->prefix = 7;
}

static int duration(const char *v, size_t n, uint64_t *us)
{
	char *end;
	unsigned long long x = strtoull(v, &end, 10);
	uint64_t mul = 1000000;

	if (end == v || (size_t)(end - v) > n)
		return -1;
	if ((size_t)(end - v) < n) {
		if ((size_t)(end - v) + 1 != n)
			return -1;
		mul = *end == 's' ? 1000000ull : *end == 'm' ? 60000000ull
		      : *end == 'h' ? 3600000000ull : 0;
	}
	if (!mul || !x || x > UINT64_MAX / mul)
		return -1;
	*us = x * mul;
	return 0;
}

int replay_disc_parse(const char *s, replay_disc_opts_t *o, char *err,
		      size_t cap)
{
	while (*s) {
		size_t n = strcspn(s, ","), k = strcspn(s, "=");
		const char *v = s + k + 1;
		size_t vn = n > k ? n - k - 1 : 0;
		unsigned long x = vn ? strtoul(v, NULL, 10) : 0;
		bool ok = k < n && vn > 0;

		if (ok && k == 6 && !strncmp(s, "travel", 6))
			ok = duration(v, vn, &o->travel_us) == 0;
		else if (ok && strspn(v, "0123456789") != vn)
			ok = false;
		else if (ok && k == 5 && !strncmp(s, "calls", 5))
			ok = x >= 1 && (o->calls = (unsigned)x);
		else if (ok && k == 6 && !strncmp(s, "fanout", 6))
			ok = x >= 1 && x <= N_CALLED && (o->fanout = (unsigned)x);
		else if (ok && k == 5 && !strncmp(s, "spray", 5))
			ok = x >= 2 && x <= REPLAY_DISC_SET &&
			     (o->spray = (unsigned)x);
		else if (ok && k == 6 && !strncmp(s, "prefix", 6))
			ok = x >= 3 && x <= 14 && (o->prefix = (unsigned)x);
		else
			ok = false;
		if (!ok) {
			snprintf(err, cap, "%.*s", (int)n, s);
			return -1;
		}
		s += n;
		if (*s == ',')
			s++;
	}
	return 0;
}

replay_disc_t *replay_disc_new(const replay_disc_opts_t *o)
{
	replay_disc_t *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->o = *o;
	d->nums = calloc(2 * REPLAY_DISC_NUMBERS, sizeof(dnum_t));
	d->ranges = calloc(2 * REPLAY_DISC_RANGES, sizeof(drange_t));
	if (!d->nums || !d->ranges || replay_txn_init(&d->dom, 1u << 17) < 0 ||
	    replay_txn_init(&d->rej, 1u << 18) < 0) {
		replay_disc_free(d);
		return NULL;
	}
	return d;
}

void replay_disc_free(replay_disc_t *d)
{
	if (!d)
		return;
	free(d->nums);
	free(d->ranges);
	replay_txn_fini(&d->dom);
	replay_txn_fini(&d->rej);
	free(d);
}

static uint64_t hstr(const char *s, size_t n)
{
	return sf_hash_words(SF_FNV64_OFFSET, s, n) | 1;
}

/* The entry of number h (digits s), added when add and there is room. */
static dnum_t *num_slot(replay_disc_t *d, uint64_t h, const char *s,
			bool add)
{
	uint32_t mask = 2 * REPLAY_DISC_NUMBERS - 1, i = (uint32_t)h & mask;

	for (; d->nums[i].h; i = (i + 1) & mask)
		if (d->nums[i].h == h)
			return &d->nums[i];
	if (!add)
		return NULL;
	if (d->n_nums >= REPLAY_DISC_NUMBERS) {
		d->untracked++;
		return NULL;
	}
	d->n_nums++;
	d->nums[i].h = h;
	d->nums[i].trunk = -1;
	snprintf(d->nums[i].num, sizeof(d->nums[i].num), "%s", s);
	return &d->nums[i];
}

/* Adds x to a small set of distinct values; false when it was there. */
static bool set_add(uint32_t *set, uint32_t *n, uint32_t cap, uint32_t x)
{
	for (uint32_t i = 0; i < *n && i < cap; i++)
		if (set[i] == x)
			return false;
	if (*n < cap)
		set[*n] = x;
	(*n)++;
	return true;
}

/* The key of digits s with digit i masked: the same for every number one
 * digit away at i. */
static uint64_t masked(const char *s, size_t n, size_t i)
{
	char b[SF_NUM_MAX + 2];

	memcpy(b, s, n);
	b[i] = 'x';
	return sf_hash_words(SF_FNV64_OFFSET ^ (0x9e37ull * (i + 1)), b, n);
}

/* Variation: is s one digit away from a rejected number?  Then, when
 * this one is rejected, its own variants are remembered. */
static void variants(replay_disc_t *d, dnum_t *e, const char *s, size_t n,
		     const replay_disc_in_t *in)
{
	if (n < 6)
		return;
	for (size_t i = 0; i < n && !(e->reasons & R_VARIANT); i++) {
		uint64_t *v = replay_txn_find(&d->rej, masked(s, n, i));

		if (v && (*v | 1) != e->h) {
			e->reasons |= R_VARIANT;
			e->variant_of = *v | 1;
		}
	}
	if (in->rejected)
		for (size_t i = 0; i < n; i++)
			replay_txn_put(&d->rej, masked(s, n, i), e->h, in->ts,
				       0);
}

/* Range spray: distinct callers of one range from one trunk. */
static void spray(replay_disc_t *d, const char *s, size_t n, uint64_t h,
		  const replay_disc_in_t *in)
{
	uint32_t mask = 2 * REPLAY_DISC_RANGES - 1, i;
	uint64_t rh;

	if (n <= d->o.prefix)
		return;
	rh = sf_hash_words((uint64_t)in->trunk + 1, s, d->o.prefix) | 1;
	for (i = (uint32_t)rh & mask; d->ranges[i].h && d->ranges[i].h != rh;
	     i = (i + 1) & mask)
		;
	if (!d->ranges[i].h) {
		if (d->n_ranges >= REPLAY_DISC_RANGES)
			return;
		d->n_ranges++;
		d->ranges[i].h = rh;
		memcpy(d->ranges[i].pfx, s, d->o.prefix);
		d->ranges[i].trunk_name = in->trunk_name;
	}
	set_add(d->ranges[i].callers, &d->ranges[i].n, REPLAY_DISC_SET,
		(uint32_t)h);
}

void replay_disc_add(replay_disc_t *d, const replay_disc_in_t *in)
{
	const char *s = in->number[0] == '+' ? in->number + 1 : in->number;
	size_t n = strlen(s);
	uint64_t h;
	dnum_t *e;

	if (!in->home || n < 3 || n > SF_NUM_MAX || (!in->intl && !in->domestic))
		return;
	h = hstr(s, n);
	if (in->domestic) {
		replay_txn_put(&d->dom, h, in->ts, in->ts, d->o.travel_us);
		e = num_slot(d, h, s, false);
		if (e && e->last_intl && in->ts - e->last_intl <= d->o.travel_us) {
			e->reasons |= R_TRAVEL;
			e->gap = in->ts - e->last_intl;
		}
		return;
	}
	e = num_slot(d, h, s, true);
	if (!e)
		return;
	if (!e->first)
		e->first = in->ts;
	e->last = e->last_intl = in->ts;
	e->calls++;
	e->trunk = in->trunk;
	e->trunk_name = in->trunk_name;
	e->listed |= in->listed;
	e->roaming |= in->roaming;
	if (in->called[0])
		set_add(e->called, &e->n_called, N_CALLED,
			(uint32_t)hstr(in->called, strlen(in->called)));
	if (!e->roaming &&
	    (e->calls >= d->o.calls || e->n_called >= d->o.fanout))
		e->reasons |= R_FANOUT;
	{
		uint64_t *seen = replay_txn_find(&d->dom, h);

		if (seen && *seen <= in->ts && in->ts - *seen <= d->o.travel_us) {
			e->reasons |= R_TRAVEL;
			e->gap = in->ts - *seen;
		}
	}
	variants(d, e, s, n, in);
	if (!in->roaming)
		spray(d, s, n, h, in);
}

/* ---- the report ------------------------------------------------------------ */

static int cmp_num(const void *a, const void *b)
{
	return strcmp((*(const dnum_t *const *)a)->num,
		      (*(const dnum_t *const *)b)->num);
}

static int cmp_range(const void *a, const void *b)
{
	int c = strcmp((*(const drange_t *const *)a)->pfx,
		       (*(const drange_t *const *)b)->pfx);

	return c ? c : strcmp((*(const drange_t *const *)a)->trunk_name,
			      (*(const drange_t *const *)b)->trunk_name);
}

static void utc(uint64_t us, char *b, size_t cap)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(b, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The evidence of one number's row. */
static void print_num(const replay_disc_t *d, const dnum_t *e, FILE *fp)
{
	char t1[32], t2[32];
	const char *sep = "";

	utc(e->first, t1, sizeof(t1));
	utc(e->last, t2, sizeof(t2));
	fprintf(fp, "# %s,discovered,", e->num);
	if (e->reasons & R_FANOUT) {
		fprintf(fp, "%u calls from abroad to %u%s distinct numbers "
			"(trunk %s, %s..%s)", e->calls,
			e->n_called < N_CALLED ? e->n_called : N_CALLED,
			e->n_called > N_CALLED ? "+" : "", e->trunk_name, t1, t2);
		sep = "; ";
	}
	if (e->reasons & R_TRAVEL) {
		fprintf(fp, "%spresented on a domestic trunk and from abroad "
			"(trunk %s) %llu s apart", sep, e->trunk_name,
			(unsigned long long)(e->gap / 1000000));
		sep = "; ";
	}
	if (e->reasons & R_VARIANT) {
		uint32_t mask = 2 * REPLAY_DISC_NUMBERS - 1;
		uint32_t i = (uint32_t)e->variant_of & mask;
		const char *of = "a number";

		for (; d->nums[i].h; i = (i + 1) & mask)
			if (d->nums[i].h == e->variant_of) {
				of = d->nums[i].num;
				break;
			}
		fprintf(fp, "%sone digit from %s, which a reject rule hit "
			"before (trunk %s)", sep, of, e->trunk_name);
	}
	fputc('\n', fp);
}

unsigned replay_disc_print(const replay_disc_t *d, FILE *fp)
{
	const dnum_t **nums = malloc((d->n_nums + 1) * sizeof(*nums));
	const drange_t **rg = malloc((d->n_ranges + 1) * sizeof(*rg));
	uint32_t nn = 0, nr = 0;
	unsigned out = 0;

	fprintf(fp, "# sipfilter replay --discover: candidate rows for the "
		"substitution table, with their evidence.\n# Review each; to "
		"use one, remove its \"# \". Thresholds: calls=%u fanout=%u "
		"travel=%llus spray=%u prefix=%u\n", d->o.calls, d->o.fanout,
		(unsigned long long)(d->o.travel_us / 1000000), d->o.spray,
		d->o.prefix);
	if (!nums || !rg) {
		free(nums);
		free(rg);
		return 0;
	}
	for (uint32_t i = 0; i < 2 * REPLAY_DISC_RANGES; i++)
		if (d->ranges[i].h && d->ranges[i].n >= d->o.spray)
			rg[nr++] = &d->ranges[i];
	qsort(rg, nr, sizeof(*rg), cmp_range);
	for (uint32_t i = 0; i < 2 * REPLAY_DISC_NUMBERS; i++) {
		const dnum_t *e = &d->nums[i];
		bool covered = false;

		if (!e->h || !e->reasons || e->listed)
			continue;
		for (uint32_t k = 0; k < nr && !covered; k++)
			covered = !strncmp(e->num, rg[k]->pfx, d->o.prefix);
		if (!covered)
			nums[nn++] = e;
	}
	qsort(nums, nn, sizeof(*nums), cmp_num);
	for (uint32_t k = 0; k < nr; k++, out++)
		fprintf(fp, "# %s*,discovered,%u%s distinct callers in this "
			"range from abroad (trunk %s)\n", rg[k]->pfx, rg[k]->n,
			rg[k]->n >= REPLAY_DISC_SET ? "+" : "",
			rg[k]->trunk_name);
	for (uint32_t k = 0; k < nn; k++, out++)
		print_num(d, nums[k], fp);
	if (d->untracked)
		fprintf(fp, "# note: %llu numbers seen from abroad beyond the "
			"%u tracked were not examined\n",
			(unsigned long long)d->untracked, REPLAY_DISC_NUMBERS);
	free(nums);
	free(rg);
	return out;
}
