/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_report.c - counting verdicts and printing the replay summary:
 * totals, decode errors by kind, counts per action / rule / trunk, top
 * presented numbers per rule (Space-Saving top-k: exact while a rule has
 * at most TOPK distinct numbers, an upper bound with its error after),
 * verdicts per time bucket, and the --diff transition matrix.
 * Also the RFC 4180 CSV field writer.
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
	if (r->last_extra && r->last_extra_name == v->rule)
		return r->last_extra; /* the engine's names are static */
	for (size_t i = n; i < r->n_rules; i++) {
		if (!r->rules[i].name[0])
			snprintf(r->rules[i].name, sizeof(r->rules[i].name),
				 "%s", i + 1 == r->n_rules ? "(other)" : name);
		if (!strcmp(r->rules[i].name, name) || i + 1 == r->n_rules) {
			r->last_extra = &r->rules[i];
			r->last_extra_name = v->rule;
			return &r->rules[i];
		}
	}
	return &r->rules[r->n_rules - 1];
}

/* Digest of a whole zero-padded number buffer (as stored in top[].num). */
static uint64_t num_digest(const char num[SF_NUM_MAX + 2])
{
	uint64_t h = 0, w;
	size_t i;

	for (i = 0; i + 8 <= SF_NUM_MAX + 2; i += 8) {
		memcpy(&w, num + i, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ull;
		h ^= h >> 31;
	}
	for (; i < SF_NUM_MAX + 2; i++)
		h = (h ^ (uint8_t)num[i]) * 0x100000001B3ull;
	return h;
}

/* Bits i (i < TOPK) of the entries whose tag is t: the tags are compared
 * eight at a time (exact zero-byte test, so no false bits). */
static uint32_t tag_match(const rule_stat_t *rs, uint8_t t)
{
	const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
	uint32_t m = 0;

	for (unsigned k = 0; k < TOPK; k += 8) {
		uint64_t x;

		memcpy(&x, rs->top_tag + k, 8);
		x ^= 0x0101010101010101ull * t;
		x = ~(((x & low7) + low7) | x | low7); /* 0x80 in zero bytes */
		/* gather the eight high bits, byte j -> bit j */
		m |= (uint32_t)(((x >> 7) * 0x0102040810204080ull) >> 56) << k;
	}
	return rs->n_top < TOPK ? m & ((1u << rs->n_top) - 1) : m;
}

/* The entries holding the least count (Space-Saving replaces the first). */
static uint32_t top_min_mask(const rule_stat_t *rs)
{
	uint64_t least = rs->top[0].count;
	uint32_t m = 1;

	for (unsigned i = 1; i < TOPK; i++) {
		if (rs->top[i].count < least) {
			least = rs->top[i].count;
			m = 0;
		}
		if (rs->top[i].count == least)
			m |= 1u << i;
	}
	return m;
}

/* num is a whole zero-padded buffer, so equal numbers have equal digests
 * and a fixed-size compare confirms a digest hit.  Once the table is full
 * a miss replaces the first entry with the least count (as a linear scan
 * would): top_min holds those entries; counts only grow, so an entry
 * leaves the set when it is counted and the set is recomputed only when
 * it empties. */
static void top_add(rule_stat_t *rs, const char num[SF_NUM_MAX + 2])
{
	_Static_assert(TOPK == 32, "tag_match and top_min use 32-bit masks");
	uint64_t d = num_digest(num);
	uint32_t cand = tag_match(rs, (uint8_t)(d >> 56));
	unsigned i;

	while (cand) {
		i = (unsigned)__builtin_ctz(cand);
		cand &= cand - 1;
		if (rs->top_hash[i] == d &&
		    !memcmp(rs->top[i].num, num, sizeof(rs->top[i].num))) {
			rs->top[i].count++;
			rs->top_min &= ~(1u << i);
			return;
		}
	}
	if (rs->n_top < TOPK) {
		topk_t *t = &rs->top[rs->n_top];

		rs->top_tag[rs->n_top] = (uint8_t)(d >> 56);
		rs->top_hash[rs->n_top++] = d;
		memcpy(t->num, num, sizeof(t->num));
		t->count = 1;
		t->err = 0;
		rs->top_min = 0;
		return;
	}
	if (!rs->top_min)
		rs->top_min = top_min_mask(rs);
	i = (unsigned)__builtin_ctz(rs->top_min);
	rs->top_min &= ~(1u << i);
	memcpy(rs->top[i].num, num, sizeof(rs->top[i].num));
	rs->top_hash[i] = d;
	rs->top_tag[i] = (uint8_t)(d >> 56);
	rs->top[i].err = rs->top[i].count;
	rs->top[i].count++;
}

static void bucket_add(sf_replay_t *r, uint64_t ts, sf_word_t a)
{
	uint64_t key = ts / r->o.bucket_us + 1;
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

void sf_replay_count(sf_replay_t *r, const sf_cap_msg_t *m,
		     const sf_report_t *v, const sf_facts_t *facts)
{
	rule_stat_t *rs = rule_slot(r, v);
	int t = facts->trunk;
	sf_word_t ap = v->applied < SF_W_COUNT ? v->applied : SF_W_ALLOW;
	sf_word_t ac = v->action < SF_W_COUNT ? v->action : SF_W_ALLOW;

	if (!r->c.first_ts || m->ts_us < r->c.first_ts)
		r->c.first_ts = m->ts_us;
	if (m->ts_us > r->c.last_ts)
		r->c.last_ts = m->ts_us;
	r->c.applied[ap]++;
	if (v->mode == SF_MODE_MONITOR)
		r->c.would[ac]++;
	rs->count++;
	rs->by_action[ac]++;
	if (v->mode == SF_MODE_MONITOR)
		rs->monitor++;
	if (facts->number.kind != SF_NUM_NONE) {
		char num[SF_NUM_MAX + 2] = "";

		top_add(rs, sf_num_format(&facts->number, num, sizeof(num)));
	}
	if (t >= 0 && (size_t)t < r->o.cfg->n_trunks)
		r->trunks[t]++;
	else
		r->trunks[r->o.cfg->n_trunks]++;
	if (r->buckets)
		bucket_add(r, m->ts_us, ap);
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

/* ---- CSV ----------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_len(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	size_t k;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 4, cp = c & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return k;
}

void sf_replay_csv_field(char *buf, size_t cap, size_t *len, const char *s,
			 size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	bool quote = false;
	size_t o = *len;

	if (!s)
		n = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] == ',' || p[i] == '"' || p[i] == '\r' ||
		    p[i] == '\n')
			quote = true;
	if (quote && o < cap)
		buf[o++] = '"';
	for (size_t i = 0; i < n && o + 4 < cap;) {
		size_t k = utf8_len(p + i, n - i);

		if (k == 0 || (p[i] < 0x20 && p[i] != '\t' && p[i] != '\r' &&
			       p[i] != '\n') || p[i] == 0x7f) {
			memcpy(buf + o, "\xEF\xBF\xBD", 3); /* U+FFFD */
			o += 3;
			i += k ? k : 1;
			continue;
		}
		if (p[i] == '"')
			buf[o++] = '"';
		memcpy(buf + o, p + i, k);
		o += k;
		i += k;
	}
	if (quote && o < cap)
		buf[o++] = '"';
	*len = o;
}

/* ---- the summary ------------------------------------------------------------ */

static void fmt_time(uint64_t us, char *buf, size_t cap, bool seconds)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	if (seconds)
		strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		strftime(buf, cap, "%Y-%m-%dT%H:%MZ", &tm);
}

static int cmp_top(const void *a, const void *b)
{
	const topk_t *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->num, y->num);
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

void sf_replay_summary(const sf_replay_t *r, const sf_capdec_t *dec,
		       FILE *fp)
{
	const counters_t *c = &r->c;
	const sf_cfg_t *cfg = r->o.cfg;
	char t1[40], t2[40];
	bool any;

	fprintf(fp, "replay summary\n");
	if (dec) {
		fprintf(fp, "  %-22s %llu (%llu bytes)\n", "packets",
			(unsigned long long)sf_capdec_get(dec, SF_CD_PACKETS),
			(unsigned long long)sf_capdec_get(dec, SF_CD_BYTES));
	}
	if (c->first_ts) {
		fmt_time(c->first_ts, t1, sizeof(t1), true);
		fmt_time(c->last_ts, t2, sizeof(t2), true);
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
	if (dec) {
		fprintf(fp, "  %-22s", "decoded");
		for (int i = SF_CD_SNAPLEN_CUT; i < SF_CD_COUNT; i++) {
			uint64_t v = sf_capdec_get(dec, (sf_capdec_ctr_t)i);

			if (v && !sf_capdec_ctr_is_error((sf_capdec_ctr_t)i))
				fprintf(fp, " %s=%llu", sf_capdec_ctr_name(
					(sf_capdec_ctr_t)i),
					(unsigned long long)v);
		}
		fputc('\n', fp);
		fprintf(fp, "  %-22s", "decode errors");
		any = false;
		for (int i = 0; i < SF_CD_COUNT; i++) {
			uint64_t v = sf_capdec_get(dec, (sf_capdec_ctr_t)i);

			if (v && sf_capdec_ctr_is_error((sf_capdec_ctr_t)i)) {
				fprintf(fp, " %s=%llu", sf_capdec_ctr_name(
					(sf_capdec_ctr_t)i),
					(unsigned long long)v);
				any = true;
			}
		}
		if (c->tcp_unframed) {
			fprintf(fp, " tcp-unframed=%llu",
				(unsigned long long)c->tcp_unframed);
			any = true;
		}
		fprintf(fp, "%s\n", any ? "" : " none");
	}
	any = false;
	for (int i = 1; i < SF_SIP_E_COUNT; i++)
		any |= c->sip_errors[i] != 0;
	if (any) {
		fprintf(fp, "  %-22s", "refused INVITEs");
		for (int i = 1; i < SF_SIP_E_COUNT; i++)
			if (c->sip_errors[i])
				fprintf(fp, " %s=%llu",
					sf_sip_error_name((sf_sip_error_t)i),
					(unsigned long long)c->sip_errors[i]);
		fputc('\n', fp);
	}
	print_actions(fp, "actions (applied)", c->applied);
	print_actions(fp, "monitor (would-be)", c->would);
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
	fprintf(fp, "  top presented numbers per rule:\n");
	for (size_t i = 0; i < r->n_rules; i++) {
		const rule_stat_t *rs = &r->rules[i];
		topk_t top[TOPK];

		if (!rs->n_top)
			continue;
		memcpy(top, rs->top, rs->n_top * sizeof(topk_t));
		qsort(top, rs->n_top, sizeof(topk_t), cmp_top);
		fprintf(fp, "    %s:", rs->name);
		for (unsigned k = 0; k < rs->n_top && k < r->o.top; k++)
			fprintf(fp, "%s %s %s%llu", k ? "," : "", top[k].num,
				top[k].err ? "<=" : "",
				(unsigned long long)top[k].count);
		fputc('\n', fp);
	}
	if (r->buckets && r->n_buckets) {
		bucket_t *b = malloc(r->n_buckets * sizeof(*b));
		uint32_t n = 0;

		if (b) {
			for (uint32_t i = 0; i < MAX_BUCKETS; i++)
				if (r->buckets[i].key)
					b[n++] = r->buckets[i];
			qsort(b, n, sizeof(*b), cmp_bucket);
			fprintf(fp, "  verdicts per %llus (bucket start, "
				"applied):\n",
				(unsigned long long)(r->o.bucket_us / 1000000));
			for (uint32_t i = 0; i < n; i++) {
				fmt_time((b[i].key - 1) * r->o.bucket_us, t1,
					 sizeof(t1), r->o.bucket_us % 60000000);
				fprintf(fp, "    %s", t1);
				for (int a = 0; a < n_words(c->applied); a++)
					fprintf(fp, " %s=%llu",
						sf_word_name((sf_word_t)a),
						(unsigned long long)
							b[i].by_action[a]);
				fputc('\n', fp);
			}
			free(b);
		}
		if (c->buckets_dropped)
			fprintf(fp, "    (%llu INVITEs beyond %u buckets not "
				"bucketed)\n",
				(unsigned long long)c->buckets_dropped,
				MAX_BUCKETS / 4 * 3);
	}
	if (r->o.cfg2) {
		fprintf(fp, "  diff vs %s: %llu of %llu INVITE transactions "
			"change verdict (%llu only by rule/mode/code)\n",
			r->o.cfg2->path, (unsigned long long)c->diff_changed,
			(unsigned long long)c->invites,
			(unsigned long long)c->diff_rule_only);
		{
			int nw = SF_ACT_COUNT;

			for (int a = 0; a < SF_W_COUNT; a++)
				for (int b = 0; b < SF_W_COUNT; b++)
					if (c->diff_matrix[a][b] &&
					    (a >= nw || b >= nw))
						nw = (a > b ? a : b) + 1;
			fprintf(fp, "    applied %-10s", "this\\other");
			for (int b = 0; b < nw; b++)
				fprintf(fp, " %10s", sf_word_name((sf_word_t)b));
			fputc('\n', fp);
			for (int a = 0; a < nw; a++) {
				fprintf(fp, "    %-18s",
					sf_word_name((sf_word_t)a));
				for (int b = 0; b < nw; b++)
					fprintf(fp, " %10llu",
						(unsigned long long)
							c->diff_matrix[a][b]);
				fputc('\n', fp);
			}
		}
		for (int a = 0; a < SF_W_COUNT; a++)
			for (int b = 0; b < SF_W_COUNT; b++)
				if (a != b && c->diff_matrix[a][b])
					fprintf(fp, "    %s -> %s: %llu\n",
						sf_word_name((sf_word_t)a),
						sf_word_name((sf_word_t)b),
						(unsigned long long)
							c->diff_matrix[a][b]);
	}
	if (c->early)
		fprintf(fp, "  note: %llu records printed before their "
			"retransmission window closed (record ring full)\n",
			(unsigned long long)c->early);
	if (c->record_overflow)
		fprintf(fp, "  note: %llu records too long to print\n",
			(unsigned long long)c->record_overflow);
	if (r->o.pcap)
		fprintf(fp, "  %-22s %llu calls selected, %llu packets "
			"written\n", "write-pcap",
			(unsigned long long)c->selected,
			(unsigned long long)c->pcap_written);
}
