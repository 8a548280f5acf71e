/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_explain.c - verdicts in words and JSON (see sf_explain.h).
 */
#include "sf_explain.h"

#include "base/sf_phrase.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

const char *sf_trunk_label(const sf_cfg_t *cfg, int trunk)
{
	if (trunk < 0 || (size_t)trunk >= cfg->n_trunks)
		return "(unknown)";
	return cfg->trunks[trunk].name;
}

/* The explaining texts of each condition, from the one table. */
#define COND_TEXT_(e, key, type, level, field, fbit, t, f) [SF_COND_##e] = {t, f},
static const struct {
	const char *yes, *no;
} cond_texts[SF_COND_COUNT] = {SF_CONDITIONS(COND_TEXT_)};
#undef COND_TEXT_

#define COND_OFF_(e, key, type, level, field, fbit, t, f)                        \
	[SF_COND_##e] = offsetof(sf_facts_t, field),
/* Where the fact sits in sf_facts_t: for identity conditions the
 * deciding identity's copy at the top level has the same name. */
static const size_t cond_offs[SF_COND_COUNT] = {SF_CONDITIONS(COND_OFF_)};
#undef COND_OFF_

char *sf_explain_cond(const sf_cfg_t *cfg, const sf_cond_t *c,
		      const sf_facts_t *f, char *buf, size_t size)
{
	const char *base = (const char *)f;
	const char *word = "?";
	int v;

	if ((unsigned)c->kind >= SF_COND_COUNT) {
		snprintf(buf, size, "?");
		return buf;
	}
	if (sf_cond_type(c->kind) == SF_CT_BOOL) {
		bool b = *(const bool *)(base + cond_offs[c->kind]);

		if (c->kind == SF_COND_SUBSTITUTION && b && f->subst_source[0])
			snprintf(buf, size, "%s (%s: %s)", cond_texts[c->kind].yes,
				 f->subst_source, f->subst_reason);
		else
			snprintf(buf, size, "%s",
				 b ? cond_texts[c->kind].yes
				   : cond_texts[c->kind].no);
		return buf;
	}
	v = *(const int *)(base + cond_offs[c->kind]);
	switch (sf_cond_type(c->kind)) {
	case SF_CT_KINDS:
		word = sf_trunk_kind_name((sf_trunk_kind_t)v);
		break;
	case SF_CT_TRUNKS:
		word = sf_trunk_label(cfg, v);
		break;
	case SF_CT_CLASSES:
	case SF_CT_CLASS_MASK:
		word = v >= 0 ? sf_class_name((sf_class_t)v) : "none";
		break;
	case SF_CT_STATES:
		word = sf_identity_state_name((sf_identity_state_t)v);
		break;
	default:
		break;
	}
	snprintf(buf, size, cond_texts[c->kind].yes, word);
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

/* One identity's number and class as two fields (null when none). */
static void id_fields(sf_jw_t *w, const char *key, const char *cls_key,
		      const sf_idfacts_t *x)
{
	num_field(w, key, x ? &x->number : &(sf_num_t){0});
	if (x && x->number.kind != SF_NUM_NONE && x->cls >= 0)
		sf_jw_str(w, cls_key, sf_class_name((sf_class_t)x->cls));
	else
		sf_jw_null(w, cls_key);
}

/* Every identity, and which one decided (issue: a spoof hides behind
 * no header, and the analyst sees each). */
static void identities_json(const sf_facts_t *f, sf_jw_t *w)
{
	if (f->decided_by < SF_IDK_COUNT)
		sf_jw_str(w, "decided_by", sf_idkind_name(f->decided_by));
	else
		sf_jw_null(w, "decided_by");
	id_fields(w, "network", "network_class", sf_facts_network(f));
	id_fields(w, "presentation", "presentation_class",
		  sf_facts_presentation(f));
	sf_jw_bool(w, "identity_conflict", f->identity_conflict);
	sf_jw_arr_open(w, "identities");
	for (unsigned i = 0; i < f->n_ids; i++) {
		const sf_idfacts_t *x = &f->ids[i];

		sf_jw_obj_open(w);
		sf_jw_str(w, "kind", sf_idkind_name(x->kind));
		sf_jw_str(w, "role", sf_idkind_role(x->kind));
		num_field(w, "number", &x->number);
		sf_jw_str(w, "status", sf_norm_status_name(x->norm_status));
		if (x->cls >= 0)
			sf_jw_str(w, "class", sf_class_name((sf_class_t)x->cls));
		else
			sf_jw_null(w, "class");
		sf_jw_str(w, "ported", sf_ported_name((sf_ported_t)x->ported));
		sf_jw_bool(w, "roaming", x->roaming);
		sf_jw_bool(w, "substitution", x->substitution);
		sf_jw_obj_close(w);
	}
	sf_jw_arr_close(w);
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
	sf_jw_str(w, "ported", sf_ported_name((sf_ported_t)f->ported));
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
	identities_json(f, w);
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
	sf_jw_str(w, "trunk_match", sf_trunk_how_name(a));
	sf_jw_bool(w, "malformed", r.malformed);
	if (r.sip_error != SF_SIP_OK)
		sf_jw_str(w, "sip_error", sf_sip_error_name(r.sip_error));
}
