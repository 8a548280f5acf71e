/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_csv.c - replay records as RFC 4180 CSV rows.  Untrusted bytes
 * never break a row: fields holding separators are quoted, and invalid
 * UTF-8 and control characters become U+FFFD.  See replay_csv.h.
 */
#include <stdint.h>
#include <string.h>

#include "replay_csv.h"
#include "sipfilter/engine/sf_admit.h"

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

void replay_csv_field(char *buf, size_t cap, size_t *len, const char *s,
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

/* ,field */
static void csv_str(char *line, size_t *len, const char *s, size_t n)
{
	if (*len < REPLAY_LINE_MAX)
		line[(*len)++] = ',';
	replay_csv_field(line, REPLAY_LINE_MAX, len, s, n);
}

static void csv_c(char *line, size_t *len, const char *s)
{
	csv_str(line, len, s, strlen(s));
}

/* rule, action, applied, code, mode */
static void csv_verdict(char *line, size_t *len, const sf_report_t *v)
{
	char code[16];

	csv_c(line, len, v->rule);
	csv_c(line, len, sf_word_name(v->action));
	csv_c(line, len, sf_word_name(v->applied));
	snprintf(code, sizeof(code), "%u", v->code);
	csv_c(line, len, v->code ? code : "");
	csv_c(line, len, sf_mode_name(v->mode));
}

size_t replay_csv_record(const replay_rec_t *x, char *line)
{
	const sf_report_t *v = x->v;
	size_t len = 0;

	replay_csv_field(line, REPLAY_LINE_MAX, &len, x->ts, strlen(x->ts));
	csv_c(line, &len, x->src);
	csv_c(line, &len, x->dst);
	csv_c(line, &len, x->transport);
	csv_str(line, &len, x->call_id.s, x->call_id.len);
	csv_str(line, &len, x->from.s, x->from.len);
	csv_str(line, &len, x->pai.s, x->pai.len);
	csv_c(line, &len, x->number);
	csv_c(line, &len, x->called);
	csv_c(line, &len, x->trunk);
	csv_c(line, &len, x->trunk_how ? x->trunk_how : "none");
	csv_c(line, &len, x->cls);
	csv_c(line, &len, x->roaming ? "true" : "false");
	csv_verdict(line, &len, v);
	csv_c(line, &len, v->reason);
	csv_c(line, &len, v->malformed ? "true" : "false");
	csv_c(line, &len, v->malformed && v->sip_error != SF_SIP_OK
				  ? sf_sip_error_name(v->sip_error) : "");
	csv_c(line, &len, x->decided);
	csv_str(line, &len, x->net, x->net_len);
	csv_c(line, &len, x->net_cls);
	csv_str(line, &len, x->pres, x->pres_len);
	csv_c(line, &len, x->pres_cls);
	csv_c(line, &len, x->ported);
	if (x->v2) {
		csv_c(line, &len, x->trunk2);
		csv_verdict(line, &len, x->v2);
	} else {
		for (int i = 0; i < 6; i++) /* other_*: the same columns */
			csv_c(line, &len, "");
	}
	return len < REPLAY_LINE_MAX ? len : 0;
}

void replay_csv_header(bool diff, FILE *fp)
{
	fputs("ts,src,dst,transport,call_id,from,pai,number,called,"
	      "trunk,trunk_match,class,roaming,rule,action,applied,code,mode,"
	      "reason,malformed,sip_error,decided_by,network,"
	      "network_class,presentation,presentation_class,ported", fp);
	(void)diff; /* the same columns with or without --diff */
	fputs(",other_trunk,other_rule,other_action,other_applied,"
	      "other_code,other_mode", fp);
}
