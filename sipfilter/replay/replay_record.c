/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_record.c - a replay record in the chosen format: the choice, the
 * text line (for people at a terminal) and the retransmissions tail of
 * every format.  See replay_record.h.
 */
#include <string.h>

#include "base/sf_json.h"
#include "replay_copy.h"
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

/* ---- the tail: retransmissions and the call's outcome ---------------- */

enum { V_NULL, V_INT, V_TEXT, V_WORD, V_BOOL };

/* One column of the tail: untrusted text (V_TEXT) is escaped, our own
 * words (V_WORD) are not. */
typedef struct tail_val {
	int kind;
	long long i;
	const char *s;
	size_t n;
} tail_val_t;

/* The tail's columns, in order (CSV header, JSON keys, the schema). */
static const char *const tail_keys[] = {
	"retransmissions", "outcome",   "outcome_status", "final_code",
	"final_reason",    "answered",  "cancelled",      "to_18x_ms",
	"to_final_ms",     "duration_ms", "ended_by",
};
#define N_TAIL (sizeof(tail_keys) / sizeof(tail_keys[0]))

static tail_val_t ms_since(uint64_t from, uint64_t to)
{
	tail_val_t v = {V_NULL, 0, NULL, 0};

	if (from && to && to >= from) {
		v.kind = V_INT;
		v.i = (long long)((to - from) / 1000);
	}
	return v;
}

static tail_val_t word(const char *s)
{
	return (tail_val_t){V_WORD, 0, s, strlen(s)};
}

/* The values of the tail for a record (c NULL: not followed). */
static void tail_values(const replay_end_t *e, tail_val_t v[N_TAIL])
{
	static const char *const side[] = {"", "caller", "callee"};
	const replay_call_t *c = e->call;
	replay_outcome_t o;

	memset(v, 0, N_TAIL * sizeof(*v));
	v[0] = (tail_val_t){V_INT, e->retrans, NULL, 0};
	v[2] = word(replay_status_name(e->status));
	if (!c)
		return;
	o = replay_call_outcome(c);
	v[1] = word(replay_outcome_name(o));
	if (c->code) {
		v[3] = (tail_val_t){V_INT, c->code, NULL, 0};
		v[4] = (tail_val_t){V_TEXT, 0, c->reason, c->reason_len};
	}
	v[5] = (tail_val_t){V_BOOL, o == RO_ANSWERED, NULL, 0};
	v[6] = (tail_val_t){V_BOOL, c->cancelled, NULL, 0};
	v[7] = ms_since(c->t_invite, c->t_18x);
	v[8] = ms_since(c->t_invite, c->t_final);
	if (o == RO_ANSWERED)
		v[9] = ms_since(c->t_final, c->t_bye);
	if (c->bye_from && c->bye_from < 3)
		v[10] = word(side[c->bye_from]);
}

/* The JSON keys of the tail, quoted with their comma and colon: the
 * tail is written for every record, so it is copied, not printed. */
static const struct {
	const char *s;
	size_t n;
} json_keys[N_TAIL] = {
#define K(k) {",\"" k "\":", sizeof(k) + 3}
	K("retransmissions"), K("outcome"),   K("outcome_status"),
	K("final_code"),      K("final_reason"), K("answered"),
	K("cancelled"),       K("to_18x_ms"), K("to_final_ms"),
	K("duration_ms"),     K("ended_by"),
#undef K
};

/* v in decimal at o; returns the end. */
static char *put_int(char *o, long long v)
{
	char num[24], *d = num + sizeof(num);
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v
				     : (unsigned long long)v;

	do {
		*--d = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--d = '-';
	return replay_cpy(o, d, (size_t)(num + sizeof(num) - d));
}

/* At most 11 keys of < 24 bytes, 20-digit numbers, our words (< 24
 * bytes) and one reason of REPLAY_REASON_MAX bytes escaped (6 out per
 * byte in): well under REPLAY_TAIL_MAX. */
_Static_assert(N_TAIL * (24 + 24) + 6 * REPLAY_REASON_MAX + 8 <
		       REPLAY_TAIL_MAX,
	       "the JSON tail fits");

static size_t json_tail(const tail_val_t *v, char *tail)
{
	char *o = tail;

	for (size_t k = 0; k < N_TAIL; k++) {
		o = replay_cpy(o, json_keys[k].s, json_keys[k].n);
		switch (v[k].kind) {
		case V_INT:
			o = put_int(o, v[k].i);
			break;
		case V_WORD:
			*o++ = '"';
			o = replay_cpy(o, v[k].s, v[k].n);
			*o++ = '"';
			break;
		case V_TEXT: {
			sf_jw_t w;

			*o++ = '"';
			sf_jw_init(&w, o, 6 * REPLAY_REASON_MAX + 1);
			sf_jw_escape(&w, v[k].s,
				     v[k].n < REPLAY_REASON_MAX
					     ? v[k].n : REPLAY_REASON_MAX);
			o += w.len;
			*o++ = '"';
			break;
		}
		case V_BOOL:
			o = v[k].i ? replay_cpy(o, "true", 4)
				   : replay_cpy(o, "false", 5);
			break;
		default:
			o = replay_cpy(o, "null", 4);
		}
	}
	o = replay_cpy(o, "}\n", 2);
	return (size_t)(o - tail);
}

static size_t csv_tail(const tail_val_t *v, char *tail)
{
	size_t len = 0;

	for (size_t k = 0; k < N_TAIL; k++) {
		char num[24];
		int n = 0;

		tail[len++] = ',';
		if (v[k].kind == V_INT)
			n = snprintf(num, sizeof(num), "%lld", v[k].i);
		else if (v[k].kind == V_BOOL)
			n = snprintf(num, sizeof(num), "%s",
				     v[k].i ? "true" : "false");
		if (n > 0)
			replay_csv_field(tail, REPLAY_TAIL_MAX - 2, &len, num,
					 (size_t)n);
		else if (v[k].kind == V_TEXT || v[k].kind == V_WORD)
			replay_csv_field(tail, REPLAY_TAIL_MAX - 2, &len,
					 v[k].s, v[k].n);
	}
	memcpy(tail + len, "\r\n", 2);
	return len + 2;
}

/* " -> answered 200 OK, 18x 1.2s, final 5.3s, 63.0s, BYE by caller" */
static size_t text_tail(const replay_end_t *e, char *tail)
{
	const replay_call_t *c = e->call;
	size_t len = 0;
	int n;

#define TPUT(...)                                                              \
	do {                                                                   \
		n = snprintf(tail + len, REPLAY_TAIL_MAX - len, __VA_ARGS__); \
		if (n > 0 && (size_t)n < REPLAY_TAIL_MAX - len)               \
			len += (size_t)n;                                      \
	} while (0)
	if (e->retrans)
		TPUT(" (+%u retransmissions)", e->retrans);
	if (c) {
		replay_outcome_t o = replay_call_outcome(c);

		TPUT(" -> %s", replay_outcome_name(o));
		if (c->code)
			TPUT(" %u %.*s", c->code, (int)c->reason_len,
			     c->reason);
		if (c->t_18x)
			TPUT(", 18x %.3fs",
			     (double)(c->t_18x - c->t_invite) / 1e6);
		if (c->t_final)
			TPUT(", final %.3fs",
			     (double)(c->t_final - c->t_invite) / 1e6);
		if (o == RO_ANSWERED && c->t_bye)
			TPUT(", up %.3fs, BYE by %s",
			     (double)(c->t_bye - c->t_final) / 1e6,
			     c->bye_from == RS_CALLEE ? "callee" : "caller");
	}
	if (e->status != RE_COMPLETE)
		TPUT(" [%s]", replay_status_name(e->status));
	TPUT("\n");
#undef TPUT
	return len;
}

size_t replay_record_tail(sf_replay_format_t f, const replay_end_t *e,
			  char tail[REPLAY_TAIL_MAX])
{
	tail_val_t v[N_TAIL];

	/* the tail of every INVITE of a capture without responses */
	static const char no_response[] =
		",\"retransmissions\":0,\"outcome\":\"no-response\","
		"\"outcome_status\":\"complete\",\"final_code\":null,"
		"\"final_reason\":null,\"answered\":false,\"cancelled\":false,"
		"\"to_18x_ms\":null,\"to_final_ms\":null,\"duration_ms\":null,"
		"\"ended_by\":null}\n";

	switch (f) {
	case SF_REPLAY_JSONL:
		if (!e->retrans && e->status == RE_COMPLETE && e->call &&
		    !e->call->responded && !e->call->cancelled) {
			memcpy(tail, no_response, sizeof(no_response) - 1);
			return sizeof(no_response) - 1;
		}
		tail_values(e, v);
		return json_tail(v, tail);
	case SF_REPLAY_CSV:
		tail_values(e, v);
		return csv_tail(v, tail);
	case SF_REPLAY_TEXT:
		return text_tail(e, tail);
	case SF_REPLAY_NONE:
		break;
	}
	return 0;
}

static void tail_header(FILE *fp)
{
	for (size_t k = 0; k < N_TAIL; k++)
		fprintf(fp, ",%s", tail_keys[k]);
}

void replay_record_header(sf_replay_format_t f, bool diff, FILE *fp)
{
	if (f == SF_REPLAY_CSV) {
		replay_csv_header(diff, fp);
		tail_header(fp);
		fputs("\r\n", fp);
	}
}
