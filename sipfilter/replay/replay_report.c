/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_report.c - counting verdicts and printing the replay summary:
 * totals, decode errors by kind, counts per action / rule / trunk, top
 * presented numbers per rule (replay_topk.h: exact while a rule has at
 * most REPLAY_TOPK distinct numbers, an upper bound with its error
 * after), verdicts per time bucket, and the --diff transition matrix.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay_int.h"

int sf_replay_stats_init(sf_replay_t *r)
{
	r->n_rules = r->o.cfg->n_rules + MAX_EXTRA_RULES;
	r->rules = calloc(r->n_rules, sizeof(*r->rules));
	r->trunks = calloc(r->o.cfg->n_trunks + 1, sizeof(*r->trunks));
	r->buckets = r->o.bucket_us ? calloc(MAX_BUCKETS, sizeof(bucket_t))
				    : NULL;
	if (!r->rules || !r->trunks || (r->o.bucket_us && !r->buckets))
		return -1;
	for (size_t i = 0; i < r->o.cfg->n_rules; i++)
		snprintf(r->rules[i].name, sizeof(r->rules[i].name), "%s",
			 r->o.cfg->rules[i].name);
	return 0;
}

void sf_replay_stats_fini(sf_replay_t *r)
{
	free(r->rules);
	free(r->trunks);
	free(r->buckets);
}

static rule_stat_t *rule_slot(sf_replay_t *r, const sf_report_t *v)
{
	const char *name = v->rule[0] ? v->rule : "(no rule)";
	size_t n = r->o.cfg->n_rules;

	if (v->rule_index >= 0 && (size_t)v->rule_index < n)
		return &r->rules[v->rule_index];
	/* not a rule of the config: admission's reason, or a verdict no
	 * rule decided (emergency, unverified, none matched) */
	unsigned key = v->why != SF_WHY_VERDICT
			       ? (unsigned)v->why
			       : SF_WHY_COUNT + (unsigned)v->special;

	if (key < EXTRA_KEYS && r->extra_slot[key])
		return r->extra_slot[key];
	for (size_t i = n; i < r->n_rules; i++) {
		if (!r->rules[i].name[0])
			snprintf(r->rules[i].name, sizeof(r->rules[i].name),
				 "%s", i + 1 == r->n_rules ? "(other)" : name);
		if (!strcmp(r->rules[i].name, name) || i + 1 == r->n_rules) {
			if (key < EXTRA_KEYS)
				r->extra_slot[key] = &r->rules[i];
			return &r->rules[i];
		}
	}
	return &r->rules[r->n_rules - 1];
}

/* Seconds east of UTC at capture time ts in --tz's zone (0 without
 * --tz), looked up once per hour of capture time. */
static int64_t tz_offset(sf_replay_t *r, uint64_t ts)
{
	uint64_t hour = ts / 3600000000ull + 1;

	if (!r->o.tz)
		return 0;
	if (hour != r->tz_hour) {
		time_t t = (time_t)(ts / 1000000);
		struct tm tm;

		r->tz_off = localtime_r(&t, &tm) ? tm.tm_gmtoff : 0;
		r->tz_hour = hour;
	}
	return r->tz_off;
}

static void bucket_add(sf_replay_t *r, uint64_t ts, sf_word_t a)
{
	/* buckets start on the zone's wall clock (a day at its midnight) */
	int64_t off = tz_offset(r, ts) * 1000000;
	uint64_t local = off < 0 && (uint64_t)-off > ts ? 0 : ts + (uint64_t)off;
	uint64_t key = local / r->o.bucket_us + 1;
	uint32_t i = (uint32_t)(key * 0x9E3779B97F4A7C15ull >> 40) &
		     (MAX_BUCKETS - 1);

	for (uint32_t probe = 0; probe < MAX_BUCKETS; probe++) {
		bucket_t *b = &r->buckets[i];

		if (b->key == key) {
			b->by_action[a]++;
			return;
		}
		if (!b->key) {
			if (r->n_buckets >= MAX_BUCKETS / 4 * 3)
				break;
			b->key = key;
			b->by_action[a]++;
			r->n_buckets++;
			return;
		}
		i = (i + 1) & (MAX_BUCKETS - 1);
	}
	r->c.buckets_dropped++;
}

rule_stat_t *sf_replay_count(sf_replay_t *r, uint64_t ts,
			     const sf_report_t *v, int t, const char *number)
{
	rule_stat_t *rs = rule_slot(r, v);
	sf_word_t ap = v->applied < SF_W_COUNT ? v->applied : SF_W_ALLOW;
	sf_word_t ac = v->action < SF_W_COUNT ? v->action : SF_W_ALLOW;

	if (!r->c.first_ts || ts < r->c.first_ts)
		r->c.first_ts = ts;
	if (ts > r->c.last_ts)
		r->c.last_ts = ts;
	r->c.applied[ap]++;
	if (v->mode == SF_MODE_MONITOR)
		r->c.would[ac]++;
	rs->count++;
	rs->by_action[ac]++;
	if (v->mode == SF_MODE_MONITOR)
		rs->monitor++;
	if (number) {
		char num[SF_NUM_MAX + 2] = "";
		size_t len = strnlen(number, sizeof(num) - 1);

		memcpy(num, number, len);
		replay_topk_add(&rs->top, num);
		memset(num + PREFIX_CHARS, 0, sizeof(num) - PREFIX_CHARS);
		replay_topk_add(&rs->top_pfx, num);
	}
	if (t >= 0 && (size_t)t < r->o.cfg->n_trunks)
		r->trunks[t]++;
	else
		r->trunks[r->o.cfg->n_trunks]++;
	if (r->buckets)
		bucket_add(r, ts, ap);
	return rs;
}

/* e NULL: a call that will not be followed (counted when judged); else
 * a record printed. */
void sf_replay_count_outcome(sf_replay_t *r, rule_stat_t *rs,
			     const replay_end_t *e)
{
	const replay_call_t *c;
	replay_outcome_t o;

	if (!e) {
		if (rs)
			rs->untracked++;
		return;
	}
	if ((unsigned)e->status < RE_COUNT)
		r->c.ended[e->status]++;
	c = e->call;
	if (!c)
		return;
	o = replay_call_outcome(c);
	r->c.oc[o]++;
	if (!rs)
		return;
	rs->oc[o]++;
	if (o == RO_ANSWERED) {
		uint64_t end = c->t_bye ? c->t_bye : r->now;

		if (!c->t_bye)
			rs->up++;
		if (end >= c->t_final && end - c->t_final >= 60000000ull)
			rs->over_min++;
	}
}

void sf_replay_count_diff(sf_replay_t *r, const sf_report_t *a,
			  const sf_report_t *b, bool changed)
{
	if (a->applied < SF_W_COUNT && b->applied < SF_W_COUNT)
		r->c.diff_matrix[a->applied][b->applied]++;
	if (changed) {
		r->c.diff_changed++;
		if (a->applied == b->applied)
			r->c.diff_rule_only++;
	}
}

/* ---- the summary ------------------------------------------------------------ */

/* Capture time us (UTC) as the zone's wall clock: "...Z" without --tz,
 * "...+05:00" with it; to the second or the minute. */
void sf_replay_fmt_time(const sf_replay_t *r, uint64_t us, char *buf,
		     size_t cap, bool seconds)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	size_t n;
	long off;

	if (!r->o.tz || !localtime_r(&t, &tm))
		gmtime_r(&t, &tm);
	n = strftime(buf, cap, seconds ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%dT%H:%M",
		     &tm);
	if (!r->o.tz) {
		snprintf(buf + n, cap - n, "Z");
		return;
	}
	off = tm.tm_gmtoff;
	snprintf(buf + n, cap - n, "%c%02ld:%02ld", off < 0 ? '-' : '+',
		 labs(off) / 3600, labs(off) % 3600 / 60);
}

/* The UTC time of bucket key's start, a wall-clock time of the zone. */
uint64_t sf_replay_bucket_start(const sf_replay_t *r, uint64_t key)
{
	uint64_t local = (key - 1) * r->o.bucket_us;
	time_t t = (time_t)(local / 1000000);
	struct tm tm;

	if (!r->o.tz || !localtime_r(&t, &tm))
		return local;
	/* the offset near that instant (exact but around a DST change) */
	return local - (uint64_t)((int64_t)tm.tm_gmtoff * 1000000);
}

static int cmp_bucket(const void *a, const void *b)
{
	const bucket_t *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* The words worth a column: the four actions always, the admission
 * outcomes (refuse, drop, answer) when any call had one. */
static int n_words(const uint64_t *a)
{
	int n = SF_ACT_COUNT;

	for (int i = SF_ACT_COUNT; i < SF_W_COUNT; i++)
		if (a[i])
			n = i + 1;
	return n;
}

static void print_actions(FILE *fp, const char *label, const uint64_t *a)
{
	int n = n_words(a);

	fprintf(fp, "  %-22s", label);
	for (int i = 0; i < n; i++)
		fprintf(fp, " %s %llu%s", sf_word_name((sf_word_t)i),
			(unsigned long long)a[i], i + 1 < n ? "," : "");
	fputc('\n', fp);
}

/* Packets, time span, SIP messages and INVITE transactions. */
static void print_totals(const sf_replay_t *r, const sf_capdec_t *dec,
			 FILE *fp)
{
	const counters_t *c = &r->c;
	char t1[40], t2[40];

	if (dec) {
		fprintf(fp, "  %-22s %llu (%llu bytes)\n", "packets",
			(unsigned long long)sf_capdec_get(dec, SF_CD_PACKETS),
			(unsigned long long)sf_capdec_get(dec, SF_CD_BYTES));
	}
	if (c->first_ts) {
		sf_replay_fmt_time(r, c->first_ts, t1, sizeof(t1), true);
		sf_replay_fmt_time(r, c->last_ts, t2, sizeof(t2), true);
		fprintf(fp, "  %-22s %s .. %s\n", "INVITE time span", t1, t2);
	}
	fprintf(fp, "  %-22s %llu (%llu responses, %llu keep-alives; "
		"%llu non-SIP payloads skipped)\n", "SIP messages",
		(unsigned long long)c->sip, (unsigned long long)c->responses,
		(unsigned long long)c->keepalives,
		(unsigned long long)c->non_sip);
	fprintf(fp, "  %-22s %llu (%llu retransmissions folded, %llu late; "
		"%llu malformed)\n", "INVITE transactions",
		(unsigned long long)c->invites, (unsigned long long)c->retrans,
		(unsigned long long)c->late_retrans,
		(unsigned long long)c->malformed_invites);
}

/* The decoder's counters: what was decoded, then the errors. */
static void print_decoded(const sf_replay_t *r, const sf_capdec_t *dec,
			  FILE *fp)
{
	bool any = false;

	fprintf(fp, "  %-22s", "decoded");
	for (int i = SF_CD_SNAPLEN_CUT; i < SF_CD_COUNT; i++) {
		uint64_t v = sf_capdec_get(dec, (sf_capdec_ctr_t)i);

		if (v && !sf_capdec_ctr_is_error((sf_capdec_ctr_t)i) &&
		    !sf_capdec_ctr_is_unsupported((sf_capdec_ctr_t)i))
			fprintf(fp, " %s=%llu",
				sf_capdec_ctr_name((sf_capdec_ctr_t)i),
				(unsigned long long)v);
	}
	fputc('\n', fp);
	/* recognised, not decoded: named so that nothing is silently lost */
	for (int i = 0; i < SF_CD_COUNT; i++) {
		uint64_t v = sf_capdec_get(dec, (sf_capdec_ctr_t)i);

		if (!v || !sf_capdec_ctr_is_unsupported((sf_capdec_ctr_t)i))
			continue;
		if (!any)
			fprintf(fp, "  %-22s", "not decoded");
		fprintf(fp, " %s=%llu", sf_capdec_ctr_name((sf_capdec_ctr_t)i),
			(unsigned long long)v);
		any = true;
	}
	if (any)
		fputc('\n', fp);
	any = false;
	fprintf(fp, "  %-22s", "decode errors");
	for (int i = 0; i < SF_CD_COUNT; i++) {
		uint64_t v = sf_capdec_get(dec, (sf_capdec_ctr_t)i);

		if (v && sf_capdec_ctr_is_error((sf_capdec_ctr_t)i)) {
			fprintf(fp, " %s=%llu",
				sf_capdec_ctr_name((sf_capdec_ctr_t)i),
				(unsigned long long)v);
			any = true;
		}
	}
	if (r->c.tcp_unframed) {
		fprintf(fp, " tcp-unframed=%llu",
			(unsigned long long)r->c.tcp_unframed);
		any = true;
	}
	fprintf(fp, "%s\n", any ? "" : " none");
}

/* INVITEs the scanner refused, by reason. */
static void print_refused(const counters_t *c, FILE *fp)
{
	bool any = false;

	for (int i = 1; i < SF_SIP_E_COUNT; i++)
		any |= c->sip_errors[i] != 0;
	if (!any)
		return;
	fprintf(fp, "  %-22s", "refused INVITEs");
	for (int i = 1; i < SF_SIP_E_COUNT; i++)
		if (c->sip_errors[i])
			fprintf(fp, " %s=%llu",
				sf_sip_error_name((sf_sip_error_t)i),
				(unsigned long long)c->sip_errors[i]);
	fputc('\n', fp);
}

/* Calls per rule (with the config's action and mode) and per trunk. */
static void print_rules_trunks(const sf_replay_t *r, FILE *fp)
{
	const sf_cfg_t *cfg = r->o.cfg;

	fprintf(fp, "  rules:\n");
	for (size_t i = 0; i < r->n_rules; i++) {
		const rule_stat_t *rs = &r->rules[i];
		char extra[64] = "";

		if (!rs->count)
			continue;
		if (rs->monitor)
			snprintf(extra, sizeof(extra), " (%llu monitor)",
				 (unsigned long long)rs->monitor);
		if (i < cfg->n_rules)
			fprintf(fp, "    %-30s %-8s %-8s %llu%s\n", rs->name,
				sf_action_name(cfg->rules[i].action),
				sf_mode_name(cfg->rules[i].mode),
				(unsigned long long)rs->count, extra);
		else
			fprintf(fp, "    %-30s %-17s %llu\n", rs->name, "",
				(unsigned long long)rs->count);
	}
	fprintf(fp, "  trunks:\n");
	for (size_t i = 0; i <= cfg->n_trunks; i++)
		if (r->trunks[i])
			fprintf(fp, "    %-30s %llu\n",
				i < cfg->n_trunks ? cfg->trunks[i].name
						  : "(unknown source)",
				(unsigned long long)r->trunks[i]);
}

/* The o.top most presented numbers (or prefixes) of each rule ("<="
 * marks a count that is an upper bound). */
static void print_top(const sf_replay_t *r, bool prefixes, FILE *fp)
{
	fprintf(fp, "  top presented %s per rule:\n",
		prefixes ? "prefixes" : "numbers");
	for (size_t i = 0; i < r->n_rules; i++) {
		const rule_stat_t *rs = &r->rules[i];
		replay_topk_ent_t top[REPLAY_TOPK];
		unsigned n = replay_topk_sorted(prefixes ? &rs->top_pfx
							 : &rs->top, top);

		if (!n)
			continue;
		fprintf(fp, "    %s:", rs->name);
		for (unsigned k = 0; k < n && k < r->o.top; k++)
			fprintf(fp, "%s %s %s%llu", k ? "," : "", top[k].num,
				top[k].err ? "<=" : "",
				(unsigned long long)top[k].count);
		fputc('\n', fp);
	}
}

bucket_t *sf_replay_buckets(const sf_replay_t *r, uint32_t *n)
{
	bucket_t *b;

	*n = 0;
	if (!r->buckets || !r->n_buckets)
		return NULL;
	b = malloc(r->n_buckets * sizeof(*b));
	if (!b)
		return NULL;
	for (uint32_t i = 0; i < MAX_BUCKETS; i++)
		if (r->buckets[i].key)
			b[(*n)++] = r->buckets[i];
	qsort(b, *n, sizeof(*b), cmp_bucket);
	return b;
}

/* Verdicts per time bucket, in time order. */
static void print_buckets(const sf_replay_t *r, FILE *fp)
{
	const counters_t *c = &r->c;
	bucket_t *b;
	uint32_t n = 0;
	char t1[40];

	if (!r->buckets || !r->n_buckets)
		return;
	b = sf_replay_buckets(r, &n);
	if (b) {
		fprintf(fp, "  verdicts per %llus (bucket start, applied):\n",
			(unsigned long long)(r->o.bucket_us / 1000000));
		for (uint32_t i = 0; i < n; i++) {
			sf_replay_fmt_time(r, sf_replay_bucket_start(r, b[i].key), t1,
				 sizeof(t1), r->o.bucket_us % 60000000);
			fprintf(fp, "    %s", t1);
			for (int a = 0; a < n_words(c->applied); a++)
				fprintf(fp, " %s=%llu",
					sf_word_name((sf_word_t)a),
					(unsigned long long)b[i].by_action[a]);
			fputc('\n', fp);
		}
		free(b);
	}
	if (c->buckets_dropped)
		fprintf(fp, "    (%llu INVITEs beyond %u buckets not "
			"bucketed)\n", (unsigned long long)c->buckets_dropped,
			MAX_BUCKETS / 4 * 3);
}

/* --diff: how many calls change, the matrix of applied actions (this
 * config's rows, the other's columns), and each change as a line. */
static void print_diff(const sf_replay_t *r, FILE *fp)
{
	const counters_t *c = &r->c;
	int nw = SF_ACT_COUNT;

	fprintf(fp, "  diff vs %s: %llu of %llu INVITE transactions "
		"change verdict (%llu only by rule/mode/code)\n",
		r->o.cfg2->path, (unsigned long long)c->diff_changed,
		(unsigned long long)c->invites,
		(unsigned long long)c->diff_rule_only);
	for (int a = 0; a < SF_W_COUNT; a++)
		for (int b = 0; b < SF_W_COUNT; b++)
			if (c->diff_matrix[a][b] && (a >= nw || b >= nw))
				nw = (a > b ? a : b) + 1;
	fprintf(fp, "    applied %-10s", "this\\other");
	for (int b = 0; b < nw; b++)
		fprintf(fp, " %10s", sf_word_name((sf_word_t)b));
	fputc('\n', fp);
	for (int a = 0; a < nw; a++) {
		fprintf(fp, "    %-18s", sf_word_name((sf_word_t)a));
		for (int b = 0; b < nw; b++)
			fprintf(fp, " %10llu",
				(unsigned long long)c->diff_matrix[a][b]);
		fputc('\n', fp);
	}
	for (int a = 0; a < SF_W_COUNT; a++)
		for (int b = 0; b < SF_W_COUNT; b++)
			if (a != b && c->diff_matrix[a][b])
				fprintf(fp, "    %s -> %s: %llu\n",
					sf_word_name((sf_word_t)a),
					sf_word_name((sf_word_t)b),
					(unsigned long long)c->diff_matrix[a][b]);
}

/* "A answered (M over a minute, U up when followed ended), C cancelled,
 * ..." for one rule's calls: the zero counts after the answered ones
 * left out. */
static void print_rule_outcomes(const rule_stat_t *rs, FILE *fp)
{
	fprintf(fp, "%llu answered (%llu over a minute, %llu still up)",
		(unsigned long long)rs->oc[RO_ANSWERED],
		(unsigned long long)rs->over_min, (unsigned long long)rs->up);
	for (int o = RO_ANSWERED + 1; o < RO_COUNT; o++)
		if (rs->oc[o])
			fprintf(fp, ", %llu %s", (unsigned long long)rs->oc[o],
				replay_outcome_name((replay_outcome_t)o));
	if (rs->untracked)
		fprintf(fp, ", %llu not followed",
			(unsigned long long)rs->untracked);
	fputc('\n', fp);
}

/* What the calls did in the capture: totals, per rule, and what
 * blocking (the rules whose action is reject) would have meant. */
static void print_outcomes(const sf_replay_t *r, FILE *fp)
{
	const counters_t *c = &r->c;
	const sf_cfg_t *cfg = r->o.cfg;
	uint64_t blk = 0, blk_ans = 0, blk_min = 0;

	fprintf(fp, "  %-22s", "call outcomes");
	for (int o = 0; o < RO_COUNT; o++)
		fprintf(fp, " %s %llu%s", replay_outcome_name((replay_outcome_t)o),
			(unsigned long long)c->oc[o], o + 1 < RO_COUNT ? "," : "");
	fprintf(fp, "\n  %-22s", "outcome status");
	for (int e = 0; e < RE_COUNT; e++)
		fprintf(fp, " %s %llu,", replay_status_name((replay_status_t)e),
			(unsigned long long)c->ended[e]);
	fprintf(fp, " peak %u calls followed\n", r->calls.peak);
	fprintf(fp, "  outcomes per rule (what the capture shows):\n");
	for (size_t i = 0; i < r->n_rules; i++) {
		const rule_stat_t *rs = &r->rules[i];

		if (!rs->count)
			continue;
		fprintf(fp, "    %-30s %-8s %llu calls: ", rs->name,
			i < cfg->n_rules ? sf_action_name(cfg->rules[i].action)
					 : "",
			(unsigned long long)rs->count);
		print_rule_outcomes(rs, fp);
		if (i < cfg->n_rules && cfg->rules[i].action == SF_ACT_REJECT) {
			blk += rs->count;
			blk_ans += rs->oc[RO_ANSWERED];
			blk_min += rs->over_min;
		}
	}
	fprintf(fp, "  the reject rules would block %llu calls, of which %llu "
		"were answered, %llu lasted over a minute\n",
		(unsigned long long)blk, (unsigned long long)blk_ans,
		(unsigned long long)blk_min);
	if (c->resp_unmatched || c->bye_unmatched)
		fprintf(fp, "  note: %llu INVITE responses and %llu BYEs "
			"matched no call followed\n",
			(unsigned long long)c->resp_unmatched,
			(unsigned long long)c->bye_unmatched);
}

/* Limits hit, and what --write-pcap wrote. */
static void print_notes(const sf_replay_t *r, FILE *fp)
{
	const counters_t *c = &r->c;

	if (c->early)
		fprintf(fp, "  note: %llu records left the record ring before "
			"their retransmission window closed (ring full)\n",
			(unsigned long long)c->early);
	if (c->ended[RE_EVICTED])
		fprintf(fp, "  note: %llu calls given up before their outcome "
			"was known (call table full: %u calls, %llu bytes)\n",
			(unsigned long long)c->ended[RE_EVICTED], r->calls.cap,
			(unsigned long long)r->calls.max_bytes);
	if (c->record_overflow)
		fprintf(fp, "  note: %llu records too long to print\n",
			(unsigned long long)c->record_overflow);
	if (r->o.pcap)
		fprintf(fp, "  %-22s %llu calls selected, %llu packets "
			"written\n", "write-pcap",
			(unsigned long long)c->selected,
			(unsigned long long)c->pcap_written);
}

void sf_replay_summary(const sf_replay_t *r, const sf_capdec_t *dec,
		       FILE *fp)
{
	fprintf(fp, "replay summary\n");
	print_totals(r, dec, fp);
	if (dec)
		print_decoded(r, dec, fp);
	print_refused(&r->c, fp);
	print_actions(fp, "actions (applied)", r->c.applied);
	print_actions(fp, "monitor (would-be)", r->c.would);
	print_rules_trunks(r, fp);
	print_top(r, false, fp);
	print_top(r, true, fp);
	print_outcomes(r, fp);
	print_buckets(r, fp);
	if (r->o.cfg2)
		print_diff(r, fp);
	print_notes(r, fp);
}
