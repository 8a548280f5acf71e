/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_explain.c - verdicts in words and JSON (see sf_explain.h).
 */
#include "sf_explain.h"

#include "../base/sf_phrase.h"

#include <stdio.h>
#include <string.h>

const char *sf_trunk_label(const sf_cfg_t *cfg, int trunk)
{
	if (trunk < 0 || (size_t)trunk >= cfg->n_trunks)
		return "(unknown)";
	return cfg->trunks[trunk].name;
}

static const char *yes_no(bool b, const char *yes, const char *no)
{
	return b ? yes : no;
}

char *sf_explain_cond(const sf_cfg_t *cfg, const sf_cond_t *c,
		      const sf_facts_t *f, char *buf, size_t size)
{
	switch (c->kind) {
	case SF_COND_TRUNK_KIND:
		snprintf(buf, size, "trunk kind is %s",
			 sf_trunk_kind_name(f->trunk_kind));
		break;
	case SF_COND_TRUNK:
		snprintf(buf, size, "trunk is %s",
			 sf_trunk_label(cfg, f->trunk));
		break;
	case SF_COND_CLASS:
		snprintf(buf, size, "calling number class is %s",
			 sf_class_name(f->cls));
		break;
	case SF_COND_CALLED_CLASS:
		snprintf(buf, size, "called number class is %s",
			 sf_class_name(f->called_cls));
		break;
	case SF_COND_DIVERSION_CLASS:
		snprintf(buf, size, "diverted by a %s number",
			 sf_class_name(f->diversion_cls));
		break;
	case SF_COND_IDENTITY:
		snprintf(buf, size, "caller identity is %s",
			 sf_identity_state_name(f->identity));
		break;
	case SF_COND_UNPARSEABLE:
		snprintf(buf, size, "%s",
			 yes_no(f->unparseable,
				"calling number cannot be normalised",
				"calling number normalised"));
		break;
	case SF_COND_LENGTH_VALID:
		snprintf(buf, size, "%s",
			 yes_no(f->length_valid,
				"length is valid for its range",
				"length is invalid for its range"));
		break;
	case SF_COND_ROAMING:
		snprintf(buf, size, "%s",
			 yes_no(f->roaming, "subscriber is roaming",
				"subscriber is not roaming"));
		break;
	case SF_COND_SUBSTITUTION:
		if (f->substitution)
			snprintf(buf, size,
				 "number is on the substitution list (%s: %s)",
				 f->subst_source, f->subst_reason);
		else
			snprintf(buf, size,
				 "number is not on the substitution list");
		break;
	case SF_COND_ALLOW_LISTED:
		snprintf(buf, size, "%s",
			 yes_no(f->allow_listed,
				"number is allow-listed for this trunk",
				"number is not allow-listed"));
		break;
	case SF_COND_IDENTITY_MISMATCH:
		snprintf(buf, size, "%s",
			 yes_no(f->identity_mismatch,
				"From and P-Asserted-Identity differ",
				"From and P-Asserted-Identity agree"));
		break;
	case SF_COND_CLI_EQUALS_CALLED:
		snprintf(buf, size, "%s",
			 yes_no(f->cli_equals_called,
				"calling number equals the called number",
				"calling number differs from the called number"));
		break;
	case SF_COND_DIVERTED:
		snprintf(buf, size, "%s",
			 yes_no(f->diverted, "call was diverted",
				"call was not diverted"));
		break;
	case SF_COND_PRIVACY:
		snprintf(buf, size, "%s",
			 yes_no(f->privacy, "caller asked for privacy",
				"no privacy requested"));
		break;
	case SF_COND_TRUSTED_TRUNK:
		snprintf(buf, size, "%s",
			 yes_no(f->trusted_trunk, "trunk is trusted",
				"trunk is not trusted"));
		break;
	default:
		snprintf(buf, size, "?");
	}
	return buf;
}

char *sf_explain_action(const sf_verdict_t *v, char *buf, size_t size)
{
	if (v->action == SF_ACT_REJECT)
		snprintf(buf, size, "reject %u %s", v->code, v->phrase);
	else
		snprintf(buf, size, "%s", sf_action_name(v->action));
	return buf;
}

static void num_field(sf_jw_t *w, const char *key, const sf_num_t *n)
{
	char tmp[SF_NUM_MAX + 4];

	if (n->kind == SF_NUM_NONE)
		sf_jw_null(w, key);
	else
		sf_jw_str(w, key, sf_num_format(n, tmp, sizeof(tmp)));
}

static void uri_field(sf_jw_t *w, const char *key, const sf_ident_t *id)
{
	if (!id || !id->present)
		sf_jw_null(w, key);
	else
		sf_jw_strn(w, key, id->uri.s, id->uri.len);
}

/* The facts part shared by sf_verdict_json and sf_admission_json. */
static void facts_json(const sf_cfg_t *cfg, const sf_facts_t *f,
		       const sf_call_t *call, sf_jw_t *w)
{
	if (call) {
		sf_jw_strn(w, "call_id", call->call_id.s, call->call_id.len);
		uri_field(w, "from", &call->from);
		uri_field(w, "pai", call->n_pai ? &call->pai[0] : NULL);
		if (call->n_diversion)
			uri_field(w, "diversion", &call->diversion[0]);
	}
	num_field(w, "number", &f->number);
	sf_jw_str(w, "number_status", sf_norm_status_name(f->norm_status));
	sf_jw_str(w, "class", sf_class_name(f->cls));
	sf_jw_str(w, "operator", f->operator_name);
	sf_jw_bool(w, "length_valid", f->length_valid);
	sf_jw_bool(w, "roaming", f->roaming);
	if (f->visited[0])
		sf_jw_str(w, "visited", f->visited);
	sf_jw_bool(w, "substitution", f->substitution);
	sf_jw_bool(w, "allow_listed", f->allow_listed);
	sf_jw_str(w, "identity", sf_identity_state_name(f->identity));
	sf_jw_bool(w, "identity_mismatch", f->identity_mismatch);
	num_field(w, "called", &f->called);
	sf_jw_str(w, "called_class", sf_class_name(f->called_cls));
	sf_jw_bool(w, "emergency", f->emergency);
	sf_jw_str(w, "trunk", sf_trunk_label(cfg, f->trunk));
	sf_jw_str(w, "trunk_kind", sf_trunk_kind_name(f->trunk_kind));
}

void sf_verdict_json(const sf_cfg_t *cfg, const sf_verdict_t *v,
		     const sf_call_t *call, sf_jw_t *w)
{
	facts_json(cfg, &v->facts, call, w);
	if (v->rule_name[0])
		sf_jw_str(w, "rule", v->rule_name);
	else
		sf_jw_null(w, "rule");
	sf_jw_str(w, "action", sf_action_name(v->action));
	sf_jw_str(w, "applied", sf_action_name(v->applied));
	if (v->code)
		sf_jw_int(w, "code", v->code);
	else
		sf_jw_null(w, "code");
	sf_jw_str(w, "phrase", v->phrase);
	sf_jw_str(w, "mode", sf_mode_name(v->mode));
	sf_jw_str(w, "reason", v->reason);
	sf_jw_bool(w, "malformed", v->malformed);
}

void sf_admission_json(const sf_cfg_t *cfg, const sf_admission_t *a,
		       const sf_call_t *call, sf_jw_t *w)
{
	sf_report_t r;

	sf_report_of(a, &r);
	if (a->judged) {
		facts_json(cfg, &a->v.facts, call, w);
	} else {
		sf_jw_str(w, "trunk", sf_trunk_label(cfg, a->trunk));
		sf_jw_str(w, "trunk_kind",
			  a->trunk >= 0
				  ? sf_trunk_kind_name(cfg->trunks[a->trunk].kind)
				  : "unknown");
	}
	if (r.rule[0])
		sf_jw_str(w, "rule", r.rule);
	else
		sf_jw_null(w, "rule");
	sf_jw_str(w, "action", sf_word_name(r.action));
	sf_jw_str(w, "applied", sf_word_name(r.applied));
	if (r.code)
		sf_jw_int(w, "code", r.code);
	else
		sf_jw_null(w, "code");
	sf_jw_str(w, "phrase", r.code ? (a->phrase && a->phrase[0]
						 ? a->phrase
						 : sf_status_phrase(r.code))
				      : "");
	sf_jw_str(w, "mode", sf_mode_name(r.mode));
	sf_jw_str(w, "reason", r.reason);
	sf_jw_str(w, "admission", sf_why_name(a->why));
	sf_jw_bool(w, "malformed", r.malformed);
	if (r.sip_error != SF_SIP_OK)
		sf_jw_str(w, "sip_error", sf_sip_error_name(r.sip_error));
}
