/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_engine.c - facts, rule matching and verdicts (see sf_engine.h).
 *
 * Everything here is a pure function of its arguments: the same config,
 * snapshot and message always give the same verdict, which is what lets
 * `replay` predict `serve`.
 */
#include "sf_engine.h"

#include <string.h>

/* Visible digits of a key-form number (short codes carry a leading '0'). */
static unsigned visible_len(const sf_num_t *n)
{
	return n->kind == SF_NUM_SHORT ? n->len - 1u : n->len;
}

/*
 * Emergency / never-block: the called number, as dialled short code or as
 * the same digits behind our country code, is on the list.  An emergency
 * URN (urn:service:sos) is flagged by identity extraction.
 */
static bool is_emergency(const sf_cfg_t *cfg, const sf_call_t *call)
{
	const sf_ident_t *c = call->called;
	size_t cc_len = strlen(cfg->dialling.country_code);

	if (call->emergency_urn)
		return true;
	if (!c || c->status != SF_NORM_OK)
		return false;
	for (size_t i = 0; i < cfg->n_emergency; i++) {
		const char *e = cfg->emergency[i];
		size_t el = strlen(e);

		if (c->num.kind == SF_NUM_SHORT && c->num.len == el + 1 &&
		    memcmp(c->num.d + 1, e, el) == 0)
			return true;
		if (c->num.kind == SF_NUM_E164 && c->num.len == cc_len + el &&
		    memcmp(c->num.d, cfg->dialling.country_code, cc_len) == 0 &&
		    memcmp(c->num.d + cc_len, e, el) == 0)
			return true;
		if (c->num.kind == SF_NUM_E164 && c->num.len == el &&
		    memcmp(c->num.d, e, el) == 0)
			return true;
	}
	return false;
}

static void copy_text(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static sf_class_t class_of(const sf_tables_t *tables, const sf_num_t *n)
{
	sf_plan_entry_t pe;

	if (tables && sf_tables_plan_lookup(tables, n, &pe))
		return pe.cls;
	return SF_CLASS_UNLISTED;
}

/* From/PAI mismatch: both normalised and From equals none of the PAIs. */
static bool identity_mismatch(const sf_call_t *call)
{
	bool any_pai = false;

	if (call->from.status != SF_NORM_OK)
		return false;
	for (unsigned i = 0; i < call->n_pai; i++) {
		if (call->pai[i].status != SF_NORM_OK)
			continue;
		any_pai = true;
		if (sf_num_eq(&call->pai[i].num, &call->from.num))
			return false;
	}
	return any_pai;
}

void sf_engine_facts(const sf_cfg_t *cfg, const sf_tables_t *tables,
		     const sf_call_t *call, int trunk, sf_facts_t *f)
{
	const sf_ident_t *p = call->presented;

	memset(f, 0, sizeof(*f));
	f->trunk = (trunk >= 0 && (size_t)trunk < cfg->n_trunks) ? trunk : -1;
	/* An unknown source is judged as the least trusted kind. */
	f->trunk_kind = f->trunk >= 0 ? cfg->trunks[f->trunk].kind
				      : SF_TRUNK_INTERNATIONAL;
	f->trusted_trunk = f->trunk >= 0 && cfg->trunks[f->trunk].trusted;
	f->length_valid = true;
	f->cls = SF_CLASS_UNLISTED;
	f->called_cls = SF_CLASS_UNLISTED;
	f->diversion_cls = SF_CLASS_UNLISTED;

	if (!p || p->status == SF_NORM_EMPTY) {
		f->identity = SF_IDENT_MISSING;
		f->norm_status = SF_NORM_EMPTY;
	} else if (p->status == SF_NORM_ANONYMOUS) {
		f->identity = SF_IDENT_ANONYMOUS;
		f->norm_status = SF_NORM_ANONYMOUS;
	} else {
		f->identity = SF_IDENT_PRESENT;
		f->norm_status = p->status;
		f->unparseable = p->status != SF_NORM_OK;
	}

	if (p && p->status == SF_NORM_OK) {
		sf_plan_entry_t pe;
		sf_subst_entry_t se;

		f->number = p->num;
		if (tables && sf_tables_plan_lookup(tables, &p->num, &pe)) {
			unsigned len = visible_len(&p->num);

			f->in_plan = true;
			f->cls = pe.cls;
			f->length_valid = len >= pe.min_len && len <= pe.max_len;
			copy_text(f->operator_name, sizeof(f->operator_name),
				  pe.operator_name);
		}
		if (tables)
			f->roaming = sf_tables_is_roaming(tables, &p->num,
							  f->visited);
		if (tables && sf_tables_subst_lookup(tables, &p->num, &se)) {
			f->substitution = true;
			copy_text(f->subst_source, sizeof(f->subst_source),
				  se.source);
			copy_text(f->subst_reason, sizeof(f->subst_reason),
				  se.reason);
		}
		if (tables)
			f->allow_listed =
				sf_tables_allowed(tables, f->trunk, &p->num);
	}

	f->identity_mismatch = identity_mismatch(call);

	if (call->called && call->called->status == SF_NORM_OK) {
		f->called = call->called->num;
		f->called_cls = class_of(tables, &f->called);
		f->cli_equals_called = p && p->status == SF_NORM_OK &&
				       sf_num_eq(&p->num, &f->called);
	}
	f->emergency = is_emergency(cfg, call);

	f->diverted = call->n_diversion > 0;
	for (unsigned i = 0; i < call->n_diversion; i++) {
		const sf_ident_t *d = &call->diversion[i];
		sf_class_t c;

		if (d->status != SF_NORM_OK)
			continue;
		c = class_of(tables, &d->num);
		if (f->diversion_cls_mask == 0)
			f->diversion_cls = c;
		f->diversion_cls_mask |= 1ull << c;
	}
	f->privacy = call->privacy_id;
}

static bool cond_holds(const sf_cond_t *c, const sf_facts_t *f)
{
	bool num_ok = f->identity == SF_IDENT_PRESENT && !f->unparseable;

	switch (c->kind) {
	case SF_COND_TRUNK_KIND:
		return (c->mask >> f->trunk_kind) & 1;
	case SF_COND_TRUNK:
		return f->trunk >= 0 && ((c->mask >> f->trunk) & 1);
	case SF_COND_CLASS:
		return num_ok && ((c->mask >> f->cls) & 1);
	case SF_COND_CALLED_CLASS:
		return f->called.kind != SF_NUM_NONE &&
		       ((c->mask >> f->called_cls) & 1);
	case SF_COND_DIVERSION_CLASS:
		return (c->mask & f->diversion_cls_mask) != 0;
	case SF_COND_IDENTITY:
		return (c->mask >> f->identity) & 1;
	case SF_COND_UNPARSEABLE:
		return f->unparseable == c->value;
	case SF_COND_LENGTH_VALID:
		return f->length_valid == c->value;
	case SF_COND_ROAMING:
		return f->roaming == c->value;
	case SF_COND_SUBSTITUTION:
		return f->substitution == c->value;
	case SF_COND_ALLOW_LISTED:
		return f->allow_listed == c->value;
	case SF_COND_IDENTITY_MISMATCH:
		return f->identity_mismatch == c->value;
	case SF_COND_CLI_EQUALS_CALLED:
		return f->cli_equals_called == c->value;
	case SF_COND_DIVERTED:
		return f->diverted == c->value;
	case SF_COND_PRIVACY:
		return f->privacy == c->value;
	case SF_COND_TRUSTED_TRUNK:
		return f->trusted_trunk == c->value;
	case SF_COND_COUNT:
		break;
	}
	return false;
}

bool sf_engine_rule_matches(const sf_rule_t *rule, const sf_facts_t *facts)
{
	for (size_t i = 0; i < rule->n_conds; i++)
		if (!cond_holds(&rule->conds[i], facts))
			return false;
	return true;
}

static void verdict_none(sf_verdict_t *v, const char *name)
{
	v->action = SF_ACT_ALLOW;
	v->applied = SF_ACT_ALLOW;
	v->mode = SF_MODE_ENFORCE;
	v->rule = -1;
	v->rule_name = name;
	v->code = 0;
	v->phrase = "";
	v->reason = "";
}

void sf_engine_judge(const sf_cfg_t *cfg, const sf_tables_t *tables,
		     const sf_call_t *call, int trunk, sf_verdict_t *v)
{
	verdict_none(v, "");
	v->malformed = false;
	v->sip_error = SF_SIP_OK;
	sf_engine_facts(cfg, tables, call, trunk, &v->facts);

	/* Emergency calls are never blocked, whatever the rules say. */
	if (v->facts.emergency) {
		v->rule_name = "emergency";
		v->reason = "call to an emergency / never-block number";
		return;
	}
	/* No usable tables: pass, but say the caller ID was not verified. */
	if (!tables) {
		v->action = v->applied = SF_ACT_TAG;
		v->rule_name = "unverified";
		v->reason = "tables unavailable; caller ID not verified";
		return;
	}
	for (size_t i = 0; i < cfg->n_rules; i++) {
		const sf_rule_t *r = &cfg->rules[i];

		if (!sf_engine_rule_matches(r, &v->facts))
			continue;
		v->rule = (int)i;
		v->rule_name = r->name;
		v->action = r->action;
		v->mode = r->mode;
		v->applied = r->mode == SF_MODE_MONITOR ? SF_ACT_ALLOW
							: r->action;
		v->code = r->action == SF_ACT_REJECT ? r->code : 0;
		v->phrase = r->action == SF_ACT_REJECT ? r->phrase : "";
		v->reason = r->reason;
		return;
	}
}

void sf_engine_judge_raw(const sf_cfg_t *cfg, const sf_tables_t *tables,
			 const char *buf, size_t len,
			 const sf_sip_limits_t *lim, int trunk,
			 sf_sipmsg_t *msg, sf_call_t *call, sf_verdict_t *v)
{
	/* *call is cleared on every path: here when the message is
	 * refused, by sf_call_extract() otherwise */
	if (sf_sip_scan(buf, len, lim, msg) < 0) {
		memset(call, 0, sizeof(*call));
		verdict_none(v, "malformed");
		memset(&v->facts, 0, sizeof(v->facts));
		v->facts.trunk = trunk;
		v->malformed = true;
		v->sip_error = msg->error;
		v->reason = sf_sip_error_name(msg->error);
		return;
	}
	if (!msg->is_request || !sf_sip_is_invite(msg)) {
		memset(call, 0, sizeof(*call));
		verdict_none(v, "not-invite");
		memset(&v->facts, 0, sizeof(v->facts));
		v->facts.trunk = trunk;
		v->malformed = true;
		v->sip_error = SF_SIP_OK;
		v->reason = "not an INVITE request";
		return;
	}
	sf_call_extract(cfg, msg, call);
	sf_engine_judge(cfg, tables, call, trunk, v);
}
