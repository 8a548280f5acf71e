/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_html.c - the replay summary as one HTML page for people who do
 * not use the command line (`sipfilter replay --html FILE`): what the
 * rules would have done to the captured calls, over time, per rule (with
 * what the calls did: answered or not), the numbers and prefixes they
 * hit, per trunk, and how well the capture decoded.
 *
 * Self-contained: inline CSS and inline SVG charts, no script, no font or
 * image fetched; every number shown carries a data-k attribute naming
 * it, so a test can read the page back from a browser and compare it with
 * the text summary (tests/integration/replay_html.sh).  The page depends
 * on the run only (no wall-clock time in it).  Untrusted and config
 * texts are HTML-escaped.
 */
#include <stdlib.h>
#include <string.h>

#include "replay_int.h"

/* Colour of each applied word (allow .. answer). */
static const char *const word_colour[SF_W_COUNT] = {
	"#2e7d32", "#f9a825", "#c62828", "#6a1b9a", "#616161", "#37474f",
	"#1565c0",
};

/* What each word means to a reader. */
static const char *const word_text[SF_W_COUNT] = {
	"let through unchanged",
	"let through, marked as suspect",
	"blocked (the caller gets an error)",
	"let through with the caller ID hidden",
	"refused as malformed (400)",
	"dropped silently",
	"answered by the filter itself",
};

static void esc(FILE *fp, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default: fputc(*s, fp);
		}
	}
}

/* <TAG data-k="K1K2">v</TAG>: a number the test reads back. */
static void num(FILE *fp, const char *tag, const char *k1, const char *k2,
		unsigned long long v)
{
	fprintf(fp, "<%s data-k=\"", tag);
	esc(fp, k1);
	esc(fp, k2);
	fprintf(fp, "\">%llu</%s>", v, tag);
}

/* The words worth showing: the four actions, and the others seen. */
static int shown_words(const sf_replay_t *r)
{
	int n = SF_ACT_COUNT;

	for (int i = SF_ACT_COUNT; i < SF_W_COUNT; i++)
		if (r->c.applied[i])
			n = i + 1;
	return n;
}

static void head(FILE *fp)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width\">"
	      "<title>sipfilter replay report</title><style>\n"
	      "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;"
	      "margin:2em auto;max-width:1000px;color:#222;padding:0 1em}\n"
	      "h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid "
	      "#ccc}p.help{color:#555;max-width:50em}\n"
	      "table{border-collapse:collapse;margin:.5em 0}td,th{padding:"
	      ".25em .7em;border-bottom:1px solid #eee;text-align:left}"
	      "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	      ".cards{display:flex;flex-wrap:wrap;gap:1em}.card{border:1px "
	      "solid #ddd;border-radius:6px;padding:.7em 1.2em;min-width:9em}"
	      ".card b{display:block;font-size:1.8em}\n"
	      ".sw{display:inline-block;width:.9em;height:.9em;margin-right:"
	      ".3em;vertical-align:middle}svg text{font-size:11px;fill:#444}\n"
	      "</style></head><body>\n",
	      fp);
}

/* The headline figures and what the inputs were. */
static void glance(const sf_replay_t *r, char *const *inputs, size_t n_in,
		   FILE *fp)
{
	const counters_t *c = &r->c;
	char t1[48], t2[48];

	fputs("<h1>What the filter rules would have done</h1>\n<p class=help>"
	      "Every call set-up (INVITE) found in the capture was judged by "
	      "the same rules the live filter uses, with the configuration ",
	      fp);
	esc(fp, r->o.cfg->path);
	fputs(". The capture also shows what really happened to each call "
	      "(answered or not, and for how long).</p>\n<p>Captures: ", fp);
	for (size_t i = 0; i < n_in; i++) {
		fputs(i ? ", <code>" : "<code>", fp);
		esc(fp, inputs[i]);
		fputs("</code>", fp);
	}
	if (c->first_ts) {
		sf_replay_fmt_time(r, c->first_ts, t1, sizeof(t1), true);
		sf_replay_fmt_time(r, c->last_ts, t2, sizeof(t2), true);
		fprintf(fp, "<br>Calls from %s to %s", t1, t2);
	}
	fputs("</p>\n<div class=cards>\n<div class=card>", fp);
	num(fp, "b", "invites", "", c->invites);
	fputs("calls judged</div>\n", fp);
	for (int w = 0; w < shown_words(r); w++) {
		fprintf(fp, "<div class=card><span class=sw style=\"background:"
			"%s\"></span>", word_colour[w]);
		num(fp, "b", "applied:", sf_word_name((sf_word_t)w),
		    c->applied[w]);
		fprintf(fp, "%s: %s</div>\n", sf_word_name((sf_word_t)w),
			word_text[w]);
	}
	fputs("</div>\n", fp);
}

/* A stacked bar per time bucket: how many calls got each verdict. */
static void over_time(const sf_replay_t *r, FILE *fp)
{
	uint32_t n = 0;
	bucket_t *b = sf_replay_buckets(r, &n);
	const double W = 900, H = 240, L = 50, B = 30;
	uint64_t max = 1;
	int nw = shown_words(r);
	char t[48];

	fputs("<h2>Verdicts over time</h2>\n<p class=help>Each bar is one "
	      "time slot; its colours show how many calls each verdict would "
	      "have had. Hover over a bar for the numbers.</p>\n", fp);
	if (!b) {
		fputs("<p>No calls.</p>\n", fp);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t s = 0;

		for (int w = 0; w < nw; w++)
			s += b[i].by_action[w];
		if (s > max)
			max = s;
	}
	fprintf(fp, "<svg role=img aria-label=\"verdicts over time\" "
		"width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n",
		W, H + B, W, H + B);
	fprintf(fp, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
		"stroke=\"#999\"/><text x=\"%.0f\" y=\"12\" text-anchor=end>"
		"%llu</text><text x=\"%.0f\" y=\"%.0f\" text-anchor=end>0"
		"</text>\n", L, H, W, H, L - 4, (unsigned long long)max, L - 4,
		H);
	for (uint32_t i = 0; i < n; i++) {
		double bw = (W - L) / n, x = L + i * bw, y = H;

		sf_replay_fmt_time(r, sf_replay_bucket_start(r, b[i].key), t,
				   sizeof(t), r->o.bucket_us % 60000000);
		fprintf(fp, "<g><title>%s", t);
		for (int w = 0; w < nw; w++)
			fprintf(fp, " %s=%llu", sf_word_name((sf_word_t)w),
				(unsigned long long)b[i].by_action[w]);
		fputs("</title>", fp);
		for (int w = 0; w < nw; w++) {
			double h = (H - 16) * (double)b[i].by_action[w] / max;

			if (!b[i].by_action[w])
				continue;
			y -= h;
			fprintf(fp, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
				"height=\"%.2f\" fill=\"%s\" data-k=\"bucket:%s:%s\" "
				"data-v=\"%llu\"/>", x + bw * 0.1, y, bw * 0.8, h,
				word_colour[w], t, sf_word_name((sf_word_t)w),
				(unsigned long long)b[i].by_action[w]);
		}
		fputs("</g>\n", fp);
		if (i == 0 || i + 1 == n || (n > 2 && i == n / 2))
			fprintf(fp, "<text x=\"%.1f\" y=\"%.0f\" text-anchor="
				"middle>%s</text>\n", x + bw / 2, H + 18, t);
	}
	fputs("</svg>\n<p>", fp);
	for (int w = 0; w < nw; w++)
		fprintf(fp, "<span class=sw style=\"background:%s\"></span>%s "
			"&nbsp; ", word_colour[w], sf_word_name((sf_word_t)w));
	fputs("</p>\n", fp);
	free(b);
}

/* An answered / not answered bar of a rule's calls. */
static void split_bar(FILE *fp, uint64_t answered, uint64_t total)
{
	double w = total ? 200.0 * (double)answered / (double)total : 0;

	fprintf(fp, "<svg width=\"200\" height=\"12\"><rect width=\"200\" "
		"height=\"12\" fill=\"#bbb\"/><rect width=\"%.1f\" height=\"12\""
		" fill=\"#1565c0\"/></svg>", w);
}

/* One row of the rules table. */
static void rule_row(const sf_replay_t *r, size_t i, FILE *fp)
{
	const rule_stat_t *rs = &r->rules[i];
	const sf_cfg_t *cfg = r->o.cfg;
	char k[SF_CFG_NAME_MAX + 8];

	snprintf(k, sizeof(k), "rule:%s:", rs->name);
	fputs("<tr><td>", fp);
	esc(fp, rs->name);
	fprintf(fp, "</td><td>%s</td><td>%s</td>",
		i < cfg->n_rules ? sf_action_name(cfg->rules[i].action) : "",
		i < cfg->n_rules ? sf_mode_name(cfg->rules[i].mode) : "");
	num(fp, "td class=n", k, "calls", rs->count);
	num(fp, "td class=n", k, "answered", rs->oc[RO_ANSWERED]);
	num(fp, "td class=n", k, "over_min", rs->over_min);
	num(fp, "td class=n", k, "not_answered",
	    rs->count - rs->oc[RO_ANSWERED]);
	fputs("<td>", fp);
	split_bar(fp, rs->oc[RO_ANSWERED], rs->count);
	fputs("</td></tr>\n", fp);
}

/* Calls per rule, answered or not, and what blocking would mean. */
static void rules(const sf_replay_t *r, FILE *fp)
{
	const sf_cfg_t *cfg = r->o.cfg;
	uint64_t blk = 0, ans = 0, min = 0;

	fputs("<h2>Rules: which calls they hit, and what those calls did"
	      "</h2>\n<p class=help>\"Answered\" means the called person picked "
	      "up in the capture (a 200 OK); \"over a minute\" counts answered "
	      "calls that lasted at least a minute. A rule that blocks many "
	      "answered, long calls may be blocking real callers. Rows in "
	      "brackets are not rules of the configuration: no rule matched, "
	      "or the call was decided before the rules (malformed, unknown "
	      "sender...).</p>\n<table><tr><th>Rule</th><th>Action</th><th>"
	      "Mode</th><th class=n>Calls</th><th class=n>Answered</th><th "
	      "class=n>Over a minute</th><th class=n>Not answered</th><th>"
	      "<span class=sw style=\"background:#1565c0\"></span>answered / "
	      "<span class=sw style=\"background:#bbb\"></span>not</th></tr>\n",
	      fp);
	for (size_t i = 0; i < r->n_rules; i++) {
		if (!r->rules[i].count)
			continue;
		rule_row(r, i, fp);
		if (i < cfg->n_rules && cfg->rules[i].action == SF_ACT_REJECT) {
			blk += r->rules[i].count;
			ans += r->rules[i].oc[RO_ANSWERED];
			min += r->rules[i].over_min;
		}
	}
	fputs("</table>\n<p><b>The blocking rules would block ", fp);
	num(fp, "span", "block:calls", "", blk);
	fputs(" calls, of which ", fp);
	num(fp, "span", "block:answered", "", ans);
	fputs(" were answered and ", fp);
	num(fp, "span", "block:over_min", "", min);
	fputs(" lasted over a minute.</b></p>\n", fp);
}

/* The most presented numbers (or prefixes) of each rule. */
static void top(const sf_replay_t *r, bool prefixes, FILE *fp)
{
	fprintf(fp, "<h2>Most frequent caller %s per rule</h2>\n<p class=help>"
		"%s A count marked &le; is an upper bound (too many different "
		"numbers to count each exactly).</p>\n<table>", prefixes
		? "prefixes" : "numbers", prefixes
		? "The first digits of the caller numbers (country and "
		  "operator) each rule hit most often."
		: "The caller numbers each rule hit most often.");
	for (size_t i = 0; i < r->n_rules; i++) {
		const rule_stat_t *rs = &r->rules[i];
		replay_topk_ent_t t[REPLAY_TOPK];
		unsigned n = replay_topk_sorted(prefixes ? &rs->top_pfx
							 : &rs->top, t);
		char k[SF_CFG_NAME_MAX + 8];

		if (!n)
			continue;
		snprintf(k, sizeof(k), "%s:%s:", prefixes ? "pfx" : "top",
			 rs->name);
		fputs("<tr><th>", fp);
		esc(fp, rs->name);
		fputs("</th><td>", fp);
		for (unsigned j = 0; j < n && j < r->o.top; j++) {
			fprintf(fp, "%s<code>", j ? ", " : "");
			esc(fp, t[j].num);
			fprintf(fp, "</code> %s", t[j].err ? "&le;" : "");
			num(fp, "span", k, t[j].num, t[j].count);
		}
		fputs("</td></tr>\n", fp);
	}
	fputs("</table>\n", fp);
}

static void trunks(const sf_replay_t *r, FILE *fp)
{
	const sf_cfg_t *cfg = r->o.cfg;
	uint64_t max = 1;

	for (size_t i = 0; i <= cfg->n_trunks; i++)
		if (r->trunks[i] > max)
			max = r->trunks[i];
	fputs("<h2>Trunks: where the calls came from</h2>\n<p class=help>A "
	      "trunk is a carrier connection, recognised by the sender's "
	      "address.</p>\n<table>", fp);
	for (size_t i = 0; i <= cfg->n_trunks; i++) {
		if (!r->trunks[i])
			continue;
		fputs("<tr><td>", fp);
		esc(fp, i < cfg->n_trunks ? cfg->trunks[i].name
					  : "(unknown source)");
		fputs("</td>", fp);
		num(fp, "td class=n", "trunk:",
		    i < cfg->n_trunks ? cfg->trunks[i].name : "(unknown source)",
		    r->trunks[i]);
		fprintf(fp, "<td><svg width=\"300\" height=\"12\"><rect width="
			"\"%.1f\" height=\"12\" fill=\"#546e7a\"/></svg></td>"
			"</tr>\n", 300.0 * (double)r->trunks[i] / (double)max);
	}
	fputs("</table>\n", fp);
}

/* One row of the health table. */
static void health_row(FILE *fp, const char *what, const char *k,
		       uint64_t v, bool bad)
{
	fprintf(fp, "<tr%s><td>%s</td>", bad && v ? " style=\"color:#c62828\""
						  : "", what);
	num(fp, "td class=n", k, "", v);
	fputs("</tr>\n", fp);
}

/* How well the capture was read: a lot of errors means calls missed. */
static void health(const sf_replay_t *r, const sf_capdec_t *dec, FILE *fp)
{
	const counters_t *c = &r->c;

	fputs("<h2>Decode health</h2>\n<p class=help>How completely the "
	      "capture could be read. Red lines are problems: packets cut "
	      "short, damaged or not understood may hide calls.</p>\n<table>",
	      fp);
	if (dec) {
		health_row(fp, "packets", "packets", sf_capdec_get(dec, SF_CD_PACKETS), false);
		for (int i = SF_CD_SNAPLEN_CUT; i < SF_CD_COUNT; i++) {
			uint64_t v = sf_capdec_get(dec, (sf_capdec_ctr_t)i);
			char k[64];

			if (!v)
				continue;
			snprintf(k, sizeof(k), "decode:%s",
				 sf_capdec_ctr_name((sf_capdec_ctr_t)i));
			health_row(fp, sf_capdec_ctr_name((sf_capdec_ctr_t)i),
				   k, v,
				   sf_capdec_ctr_is_error((sf_capdec_ctr_t)i));
		}
	}
	health_row(fp, "SIP messages", "sip", c->sip, false);
	health_row(fp, "INVITE retransmissions folded", "retrans", c->retrans, false);
	health_row(fp, "malformed INVITEs", "malformed", c->malformed_invites, true);
	health_row(fp, "TCP bytes not framed as SIP", "tcp_unframed", c->tcp_unframed, true);
	health_row(fp, "calls given up (call table full)", "evicted", c->ended[RE_EVICTED], true);
	health_row(fp, "records printed early (record ring full)", "early", c->early, true);
	fputs("</table>\n", fp);
}

void sf_replay_html_page(const sf_replay_t *r, const sf_capdec_t *dec,
			 char *const *inputs, size_t n, FILE *fp)
{
	head(fp);
	glance(r, inputs, n, fp);
	over_time(r, fp);
	rules(r, fp);
	top(r, false, fp);
	top(r, true, fp);
	trunks(r, fp);
	health(r, dec, fp);
	fputs("<h2>Words used</h2>\n<ul>", fp);
	for (int w = 0; w < SF_W_COUNT; w++)
		fprintf(fp, "<li><b>%s</b>: %s</li>", sf_word_name((sf_word_t)w),
			word_text[w]);
	fputs("<li><b>monitor</b> mode: the rule only counts what it would "
	      "do; the call is let through.</li></ul>\n<p class=help>Made by "
	      "<code>sipfilter replay --html</code>; times are shown on the ",
	      fp);
	esc(fp, r->o.tz ? r->o.tz : "UTC");
	fputs(" clock.</p>\n</body></html>\n", fp);
}
