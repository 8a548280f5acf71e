/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_report.c - an admission in the words of a verdict (see sf_report.h).
 */
#include "sf_report.h"

#include <string.h>

static const char *const words[SF_W_COUNT] = {
	"allow", "tag", "reject", "withhold", "refuse", "drop", "answer",
};

/* Why admission decided without (or after) a verdict, for analysts. */
static const char *const why_text[SF_WHY_COUNT] = {
	[SF_WHY_VERDICT] = "",
	[SF_WHY_IN_DIALOG] = "in-dialog request carrying our Record-Route",
	[SF_WHY_CANCEL] = "CANCEL, sent where its INVITE went",
	[SF_WHY_ACK] = "ACK of a non-2xx response, passed hop by hop",
	[SF_WHY_METHOD_LISTED] = "out-of-dialog method the trunk lists",
	[SF_WHY_ACK_ABSORBED] = "ACK of our own final response",
	[SF_WHY_OPTIONS] = "OPTIONS to the proxy itself",
	[SF_WHY_KEEPALIVE] = "keep-alive",
	[SF_WHY_UNKNOWN_SOURCE] = "source matches no trunk",
	[SF_WHY_METHOD_NOT_ALLOWED] = "method not allowed out of dialog",
	[SF_WHY_METHOD_CASE] = "case variant of a SIP method name",
	[SF_WHY_NO_DIALOG] = "To-tag without our Record-Route",
	[SF_WHY_FORBIDDEN_TARGET] = "in-dialog target the config does not name",
	[SF_WHY_LOOP] = "loop: our own Via with this request's hash",
	[SF_WHY_TOO_MANY_HOPS] = "Max-Forwards reached 0",
	[SF_WHY_BAD_MAX_FORWARDS] = "unreadable Max-Forwards",
	[SF_WHY_MALFORMED] = "malformed",
	[SF_WHY_BAD_VIA] = "unreadable top Via",
	[SF_WHY_BAD_ROUTE] = "Route set too long",
	[SF_WHY_BAD_IDENTITY] = "identity headers break RFC 3325",
	[SF_WHY_NO_NEXT_HOP] = "no next hop to forward to",
	[SF_WHY_RESPONSE] = "a response: relayed along its Via when our "
			    "branch verifies",
};

static const sf_word_t outcome_word[SF_OUT_COUNT] = {
	[SF_OUT_FORWARD] = SF_W_ALLOW, [SF_OUT_TAG] = SF_W_TAG,
	[SF_OUT_WITHHOLD] = SF_W_WITHHOLD, [SF_OUT_REJECT] = SF_W_REJECT,
	[SF_OUT_REFUSE] = SF_W_REFUSE, [SF_OUT_DROP] = SF_W_DROP,
	[SF_OUT_ANSWER] = SF_W_ANSWER,
};

const char *sf_word_name(sf_word_t w)
{
	return (unsigned)w < SF_W_COUNT ? words[w] : "?";
}

int sf_word_find(const char *name)
{
	for (int i = 0; i < SF_W_COUNT; i++)
		if (!strcmp(words[i], name))
			return i;
	return -1;
}

static bool is_malformation(sf_why_t w)
{
	return w == SF_WHY_MALFORMED || w == SF_WHY_METHOD_CASE ||
	       w == SF_WHY_BAD_MAX_FORWARDS || w == SF_WHY_BAD_VIA ||
	       w == SF_WHY_BAD_ROUTE || w == SF_WHY_BAD_IDENTITY;
}

void sf_report_of(const sf_admission_t *a, sf_report_t *r)
{
	const sf_verdict_t *v = &a->v;

	r->judged = a->judged;
	r->why = a->why;
	r->special = a->judged && a->why == SF_WHY_VERDICT ? v->special
							   : SF_SPECIAL_NONE;
	r->sip_error = a->sip_error;
	r->malformed = !a->judged && is_malformation(a->why);
	r->applied = outcome_word[(unsigned)a->outcome < SF_OUT_COUNT
					  ? a->outcome
					  : SF_OUT_DROP];
	if (a->judged) {
		r->rule = v->rule_name ? v->rule_name : "";
		r->reason = v->reason ? v->reason : "";
		r->action = (sf_word_t)v->action;
		r->mode = v->mode;
		r->code = a->outcome == SF_OUT_REJECT ? a->code : 0;
		r->rule_index = v->rule;
		if (a->why != SF_WHY_VERDICT) {
			/* judged, then not forwarded: say why */
			r->rule = sf_why_name(a->why);
			r->reason = why_text[a->why];
			r->rule_index = -1;
		}
		return;
	}
	r->rule = sf_why_name(a->why);
	r->reason = a->why == SF_WHY_MALFORMED && a->sip_error != SF_SIP_OK
			    ? sf_sip_error_name(a->sip_error)
			    : why_text[(unsigned)a->why < SF_WHY_COUNT
					       ? a->why
					       : SF_WHY_MALFORMED];
	r->action = r->applied;
	r->mode = SF_MODE_ENFORCE;
	r->code = a->code;
	r->rule_index = -1;
	if (r->applied == SF_W_ALLOW || r->applied == SF_W_DROP)
		r->code = 0;
}
