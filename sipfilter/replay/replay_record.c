/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_record.c - a replay record in the chosen format: the choice, the
 * text line (for people at a terminal) and the retransmissions tail of
 * every format.  See replay_record.h.
 */
#include <string.h>

#include "replay_csv.h"
#include "replay_record.h"

/* "time src -> dst transport number trunk applied by rule", what
 * monitor mode would have done, and --diff's other verdict. */
static size_t text_record(const replay_rec_t *x, char *line)
{
	const sf_report_t *v = x->v;
	int n = snprintf(line, REPLAY_LINE_MAX,
			 "%s %s -> %s %s %-16s %-14s %s%s%s", x->ts, x->src,
			 x->dst, x->transport, x->number[0] ? x->number : "-",
			 x->trunk, sf_word_name(v->applied),
			 v->rule[0] ? " by " : "", v->rule);
	size_t len = n > 0 ? (size_t)n : 0;

	if (v->mode == SF_MODE_MONITOR && v->action != SF_W_ALLOW &&
	    len < REPLAY_LINE_MAX) {
		n = snprintf(line + len, REPLAY_LINE_MAX - len,
			     " [monitor: would %s]", sf_word_name(v->action));
		len += n > 0 ? (size_t)n : 0;
	}
	if (x->v2 && len < REPLAY_LINE_MAX) {
		n = snprintf(line + len, REPLAY_LINE_MAX - len, " => %s%s%s",
			     sf_word_name(x->v2->applied),
			     x->v2->rule[0] ? " by " : "", x->v2->rule);
		len += n > 0 ? (size_t)n : 0;
	}
	return len < REPLAY_LINE_MAX ? len : REPLAY_LINE_MAX - 1;
}

size_t replay_record_format(sf_replay_format_t f, const replay_rec_t *x,
			    replay_jc_t *jc, char *line)
{
	switch (f) {
	case SF_REPLAY_JSONL: return replay_jsonl_record(x, jc, line);
	case SF_REPLAY_CSV: return replay_csv_record(x, line);
	case SF_REPLAY_TEXT: return text_record(x, line);
	case SF_REPLAY_NONE: break;
	}
	return 0;
}

/* Writes v in decimal ending just before end; returns the start. */
static char *utoa(unsigned v, char *end)
{
	*--end = 0;
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

size_t replay_record_tail(sf_replay_format_t f, uint32_t retrans,
			  char tail[64])
{
	int n = 0;

	switch (f) {
	case SF_REPLAY_JSONL: {
		char num[16], *d = utoa(retrans, num + sizeof(num));
		size_t k = (size_t)(num + sizeof(num) - 1 - d);

		memcpy(tail, ",\"retransmissions\":", 19);
		memcpy(tail + 19, d, k);
		memcpy(tail + 19 + k, "}\n", 2);
		return 21 + k;
	}
	case SF_REPLAY_CSV:
		n = snprintf(tail, 64, ",%u\r\n", retrans);
		break;
	case SF_REPLAY_TEXT:
		n = retrans ? snprintf(tail, 64, " (+%u retransmissions)\n",
				       retrans)
			    : snprintf(tail, 64, "\n");
		break;
	case SF_REPLAY_NONE:
		break;
	}
	return n > 0 ? (size_t)n : 0;
}

void replay_record_header(sf_replay_format_t f, bool diff, FILE *fp)
{
	if (f == SF_REPLAY_CSV)
		replay_csv_header(diff, fp);
}
