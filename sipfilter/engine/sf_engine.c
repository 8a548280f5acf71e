/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_engine.c - facts, rule matching and verdicts (see sf_engine.h).
 *
 * Everything here is a pure function of its arguments: the same config,
 * snapshot and message always give the same verdict, which is what lets
 * `replay` predict `serve`.  Conditions are read through the one table of
 * config/sf_conds.h: each row's fact sits at an offset of sf_facts_t (a
 * call condition) or sf_idfacts_t (an identity condition).
 */
#include "sf_engine.h"

#include <stddef.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* the condition table, engine side */

typedef struct cond_row {
	uint8_t type;   /* sf_cond_type_t */
	uint8_t level;  /* sf_cond_level_t */
	uint16_t off;   /* of the fact in sf_facts_t / sf_idfacts_t */
} cond_row_t;

#define OFF_SF_CL_CALL(field) offsetof(sf_facts_t, field)
#define OFF_SF_CL_IDENTITY(field) offsetof(sf_idfacts_t, field)
#define COND_ROW_(e, key, type, level, field, fbit, t, f)                        \
	[SF_COND_##e] = {type, level, (uint16_t)OFF_##level(field)},
static const cond_row_t cond_rows[SF_COND_COUNT] = {
	SF_CONDITIONS(COND_ROW_)
};
#undef COND_ROW_

/* Where each identity fact sits in the feature word. */
#define FB_(e, key, type, level, field, fbit, t, f) FB_##e = fbit,
enum { SF_CONDITIONS(FB_) };
#undef FB_

#define FB_BOOL(cond, v) (1ull << ((FB_##cond % 64) + ((v) ? 1 : 0)))

/* The call facts as two words: kinds, classes and flags; the trunk. */
static void call_features(sf_facts_t *f)
{
	uint64_t w = 1ull << (FB_TRUNK_KIND + (unsigned)f->trunk_kind);

	if (f->called_cls >= 0 && f->called_cls < 16)
		w |= 1ull << (FB_CALLED_CLASS + (unsigned)f->called_cls);
	w |= (f->diversion_cls_mask & 0xffff) << FB_DIVERSION_CLASS;
	w |= FB_BOOL(IDENTITY_MISMATCH, f->identity_mismatch) |
	     FB_BOOL(DIVERTED, f->diverted) | FB_BOOL(PRIVACY, f->privacy) |
	     FB_BOOL(TRUSTED_TRUNK, f->trusted_trunk) |
	     FB_BOOL(IDENTITY_CONFLICT, f->identity_conflict);
	f->cfeat[0] = w;
	f->cfeat[1] = f->trunk >= 0 && f->trunk < 64 ? 1ull << f->trunk : 0;
}

static uint64_t features(const sf_idfacts_t *x)
{
	uint64_t w = 1ull << (FB_IDENTITY + (unsigned)x->identity);

	if (x->cls >= 0 && x->cls < 16)
		w |= 1ull << (FB_CLASS + (unsigned)x->cls);
	return w | FB_BOOL(UNPARSEABLE, x->unparseable) |
	       FB_BOOL(LENGTH_VALID, x->length_valid) |
	       FB_BOOL(ROAMING, x->roaming) |
	       FB_BOOL(SUBSTITUTION, x->substitution) |
	       FB_BOOL(ALLOW_LISTED, x->allow_listed) |
	       FB_BOOL(CLI_EQUALS_CALLED, x->cli_equals_called);
}

static const char *const idkind_names[SF_IDK_COUNT] = {
	[SF_IDK_PAI] = "pai", [SF_IDK_PAI2] = "pai2", [SF_IDK_PPI] = "ppi",
	[SF_IDK_RPID] = "rpid", [SF_IDK_FROM] = "from",
	[SF_IDK_FROM_DISPLAY] = "from-display",
	[SF_IDK_PAI_DISPLAY] = "pai-display",
};

const char *sf_idkind_name(sf_idkind_t k)
{
	return (unsigned)k < SF_IDK_COUNT ? idkind_names[k] : "";
}

/* The rule scope an identity kind belongs to besides any and all. */
static int idkind_scope(sf_idkind_t k)
{
	if (k <= SF_IDK_RPID)
		return SF_SCOPE_NETWORK;
	if (k == SF_IDK_FROM)
		return SF_SCOPE_PRESENTATION;
	return SF_SCOPE_DISPLAY;
}

const char *sf_idkind_role(sf_idkind_t k)
{
	if ((unsigned)k >= SF_IDK_COUNT)
		return "";
	if (k <= SF_IDK_RPID)
		return "network";
	return k == SF_IDK_FROM ? "presentation" : "display";
}

const sf_idfacts_t *sf_facts_network(const sf_facts_t *f)
{
	const sf_idfacts_t *first = NULL;

	for (unsigned i = 0; i < f->n_ids; i++) {
		if (f->ids[i].kind > SF_IDK_RPID)
			break;
		if (f->ids[i].number.kind != SF_NUM_NONE)
			return &f->ids[i];
		if (!first)
			first = &f->ids[i];
	}
	return first;
}

const sf_idfacts_t *sf_facts_presentation(const sf_facts_t *f)
{
	for (unsigned i = 0; i < f->n_ids; i++)
		if (f->ids[i].kind == SF_IDK_FROM)
			return &f->ids[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* facts */

/* Visible digits of a key-form number (short codes carry a leading '0'). */
static unsigned visible_len(const sf_num_t *n)
{
	return n->kind == SF_NUM_SHORT ? n->len - 1u : n->len;
}

/*
 * Emergency / never-block: the called number (the Request-URI's), as a
 * dialled short code or as the same digits behind our country code, is on
 * the list.  An emergency URN (urn:service:sos) is flagged by identity
 * extraction.
 */
/* e (a NUL-terminated entry of cfg->emergency, sizeof e_size) is exactly
 * the n bytes at d. */
static inline bool entry_is(const char *e, size_t e_size, const char *d,
			    size_t n)
{
	/* e's length is n: its byte n-1 is a digit and byte n the NUL (d
	 * holds digits only, so memcmp also refuses an e shorter than n) */
	return n > 0 && n < e_size && e[n] == '\0' && e[n - 1] != '\0' &&
	       memcmp(d, e, n) == 0;
}

static bool is_emergency(const sf_cfg_t *cfg, const sf_call_t *call)
{
	const sf_ident_t *c = call->called;
	const size_t es = sizeof(cfg->emergency[0]);
	size_t cc_len, len;
	bool home;

	if (call->emergency_urn)
		return true;
	if (!c || c->status != SF_NORM_OK)
		return false;
	len = c->num.len;
	if (c->num.kind == SF_NUM_SHORT) {
		/* a dialled short code: its digits after the leading '0' */
		for (size_t i = 0; i < cfg->n_emergency; i++)
			if (entry_is(cfg->emergency[i], es, c->num.d + 1,
				     len - 1))
				return true;
		return false;
	}
	if (c->num.kind != SF_NUM_E164)
		return false;
	cc_len = strlen(cfg->dialling.country_code);
	home = len > cc_len &&
	       memcmp(c->num.d, cfg->dialling.country_code, cc_len) == 0;
	for (size_t i = 0; i < cfg->n_emergency; i++) {
		const char *e = cfg->emergency[i];

		/* our country code + the entry, or the entry as E.164 */
		if ((home && entry_is(e, es, c->num.d + cc_len,
				      len - cc_len)) ||
		    entry_is(e, es, c->num.d, len))
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

static int class_of(const sf_tables_t *tables, const sf_num_t *n)
{
	sf_plan_entry_t pe;

	if (tables && sf_tables_plan_lookup(tables, n, &pe))
		return (int)pe.cls;
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

/* The table facts of one identity; a number already looked up for an
 * earlier identity is copied, not looked up again. */
static void id_facts_fill(const sf_tables_t *tables, sf_facts_t *f,
			  sf_idfacts_t *x, sf_idkind_t kind,
			  const sf_ident_t *id);

static void id_facts(const sf_cfg_t *cfg, const sf_tables_t *tables,
		     sf_facts_t *f, sf_idkind_t kind, const sf_ident_t *id)
{
	sf_idfacts_t *x = &f->ids[f->n_ids++];

	(void)cfg;
	id_facts_fill(tables, f, x, kind, id);
	x->feat = features(x);
}

static void id_facts_fill(const sf_tables_t *tables, sf_facts_t *f,
			  sf_idfacts_t *x, sf_idkind_t kind,
			  const sf_ident_t *id)
{
	sf_number_facts_t nf;

	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->src = id;
	x->cls = -1;
	x->dup_of = -1;
	x->length_valid = true;
	x->operator_name = x->subst_source = x->subst_reason = "";
	x->norm_status = id->status;
	if (id->status == SF_NORM_EMPTY) {
		x->identity = SF_IDENT_MISSING;
	} else if (id->status == SF_NORM_ANONYMOUS) {
		x->identity = SF_IDENT_ANONYMOUS;
	} else {
		x->identity = SF_IDENT_PRESENT;
		x->unparseable = id->status != SF_NORM_OK;
	}
	if (id->status != SF_NORM_OK)
		return;
	x->number = id->num;
	x->cli_equals_called = f->called.kind != SF_NUM_NONE &&
			       sf_num_eq(&id->num, &f->called);
	for (unsigned i = 0; &f->ids[i] < x; i++) {
		const sf_idfacts_t *o = &f->ids[i];

		if (o->number.kind != SF_NUM_NONE &&
		    sf_num_eq(&o->number, &id->num)) {
			sf_idkind_t k = x->kind;
			const sf_ident_t *src = x->src;
			bool eq = x->cli_equals_called;

			*x = *o;
			x->kind = k;
			x->src = src;
			x->cli_equals_called = eq;
			x->dup_of = (int)i;
			return;
		}
	}
	x->cls = SF_CLASS_UNLISTED;
	if (!tables)
		return;
	sf_tables_number_facts(tables, f->trunk, &id->num, &nf);
	if (nf.in_plan) {
		unsigned len = visible_len(&id->num);

		x->in_plan = true;
		x->cls = (int)nf.plan.cls;
		x->length_valid = len >= nf.plan.min_len &&
				  len <= nf.plan.max_len;
		x->operator_name = nf.plan.operator_name;
		x->ported = (int)nf.plan.ported;
	}
	x->roaming = nf.roaming;
	memcpy(x->visited, nf.visited, sizeof(x->visited));
	x->substitution = nf.substitution;
	if (nf.substitution) {
		x->subst_source = nf.subst.source;
		x->subst_reason = nf.subst.reason;
	}
	x->allow_listed = nf.allow_listed;
}

/* Every identity the call presents, in sf_idkind_t order. */
static void identities(const sf_cfg_t *cfg, const sf_tables_t *tables,
		       const sf_call_t *call, sf_facts_t *f)
{
	const sf_ident_t *src[SF_IDK_COUNT] = {
		[SF_IDK_PAI] = call->n_pai > 0 ? &call->pai[0] : NULL,
		[SF_IDK_PAI2] = call->n_pai > 1 ? &call->pai[1] : NULL,
		[SF_IDK_PPI] = call->ppi.present ? &call->ppi : NULL,
		[SF_IDK_RPID] = call->rpid.present ? &call->rpid : NULL,
		[SF_IDK_FROM] = call->from.present ? &call->from : NULL,
		[SF_IDK_FROM_DISPLAY] =
			call->from_display.present ? &call->from_display : NULL,
		[SF_IDK_PAI_DISPLAY] =
			call->pai_display.present ? &call->pai_display : NULL,
	};

	f->n_ids = 0;
	f->primary = -1;
	for (int k = 0; k < SF_IDK_COUNT; k++) {
		if (!src[k])
			continue;
		if (src[k] == call->presented)
			f->primary = (int)f->n_ids;
		id_facts(cfg, tables, f, (sf_idkind_t)k, src[k]);
	}
}

/* The deciding identity's facts at the top level, with the table
 * details (operator, visited country, substitution source) looked up
 * once, for it only. */
static void set_decided(sf_facts_t *f, int which)
{
	sf_idfacts_t *x = which >= 0 ? &f->ids[which] : NULL;

	f->decided = which;
	f->decided_by = x ? x->kind : SF_IDK_NONE;
	f->identity = x ? x->identity : SF_IDENT_MISSING;
	f->norm_status = x ? x->norm_status : SF_NORM_EMPTY;
	f->unparseable = x && x->unparseable;
	memset(&f->number, 0, sizeof(f->number));
	f->cls = SF_CLASS_UNLISTED;
	f->in_plan = false;
	f->length_valid = true;
	f->operator_name[0] = f->visited[0] = '\0';
	f->subst_source[0] = f->subst_reason[0] = '\0';
	f->roaming = f->substitution = f->allow_listed = false;
	f->ported = SF_PORTED_NONE;
	f->cli_equals_called = false;
	if (!x || x->number.kind == SF_NUM_NONE)
		return;
	f->number = x->number;
	f->cls = x->cls;
	f->in_plan = x->in_plan;
	f->length_valid = x->length_valid;
	f->ported = x->ported;
	f->roaming = x->roaming;
	f->substitution = x->substitution;
	f->allow_listed = x->allow_listed;
	f->cli_equals_called = x->cli_equals_called;
	copy_text(f->operator_name, sizeof(f->operator_name),
		  x->operator_name);
	memcpy(f->visited, x->visited, sizeof(f->visited));
	copy_text(f->subst_source, sizeof(f->subst_source), x->subst_source);
	copy_text(f->subst_reason, sizeof(f->subst_reason), x->subst_reason);
}

/* An identity with nothing presented: what identity conditions see when
 * a rule's scope holds no identity at all ("no network number"). */
static const sf_idfacts_t missing_id = {
	.kind = SF_IDK_NONE,
	.identity = SF_IDENT_MISSING,
	.norm_status = SF_NORM_EMPTY,
	.cls = -1,
	.length_valid = true,
	.feat = (1ull << (FB_IDENTITY + SF_IDENT_MISSING)) |
		FB_BOOL(UNPARSEABLE, 0) | FB_BOOL(LENGTH_VALID, 1) |
		FB_BOOL(ROAMING, 0) | FB_BOOL(SUBSTITUTION, 0) |
		FB_BOOL(ALLOW_LISTED, 0) | FB_BOOL(CLI_EQUALS_CALLED, 0),
};

static void scope_add(struct sf_scope_words *w, int idx, uint64_t feat)
{
	w->idx[w->n] = idx;
	w->feat[w->n] = feat;
	w->n++;
}

/* f->scope[]: for each rule scope, the identities it quantifies over
 * (one pass: each identity joins any, all and its own scope). */
static void scope_words(sf_facts_t *f)
{
	for (int sc = 0; sc < SF_SCOPE_COUNT; sc++)
		f->scope[sc].n = 0;
	for (unsigned i = 0; i < f->n_ids; i++) {
		const sf_idfacts_t *x = &f->ids[i];
		int own = idkind_scope(x->kind);

		if (x->dup_of < 0) {
			scope_add(&f->scope[SF_SCOPE_ANY], (int)i, x->feat);
			scope_add(&f->scope[SF_SCOPE_ALL], (int)i, x->feat);
		}
		/* a number already listed under another kind of the same
		 * scope gives the same answer */
		if (x->dup_of < 0 ||
		    idkind_scope(f->ids[x->dup_of].kind) != own)
			scope_add(&f->scope[own], (int)i, x->feat);
	}
	if (f->primary >= 0)
		scope_add(&f->scope[SF_SCOPE_FIRST], f->primary,
			  f->ids[f->primary].feat);
	for (int sc = 0; sc < SF_SCOPE_COUNT; sc++)
		if (f->scope[sc].n == 0)
			scope_add(&f->scope[sc], -1, missing_id.feat);
}

void sf_engine_facts(const sf_cfg_t *cfg, const sf_tables_t *tables,
		     const sf_call_t *call, int trunk, sf_facts_t *f)
{
	f->trunk = (trunk >= 0 && (size_t)trunk < cfg->n_trunks) ? trunk : -1;
	/* An unknown source is judged as the least trusted kind. */
	f->trunk_kind = f->trunk >= 0 ? (int)cfg->trunks[f->trunk].kind
				      : SF_TRUNK_INTERNATIONAL;
	f->trusted_trunk = f->trunk >= 0 && cfg->trunks[f->trunk].trusted;
	f->identity_mismatch = identity_mismatch(call);
	f->identity_conflict = call->identity_conflict;
	memset(&f->called, 0, sizeof(f->called));
	f->called_cls = -1;
	if (call->called && call->called->status == SF_NORM_OK) {
		f->called = call->called->num;
		f->called_cls = class_of(tables, &f->called);
	}
	f->emergency = is_emergency(cfg, call);
	f->diverted = call->n_diversion > 0;
	f->diversion_cls = -1;
	f->diversion_cls_mask = 0;
	for (unsigned i = 0; i < call->n_diversion; i++) {
		const sf_ident_t *d = &call->diversion[i];
		int c;

		if (d->status != SF_NORM_OK)
			continue;
		c = class_of(tables, &d->num);
		if (f->diversion_cls_mask == 0)
			f->diversion_cls = c;
		f->diversion_cls_mask |= 1ull << c;
	}
	f->privacy = call->privacy_id;
	call_features(f);
	identities(cfg, tables, call, f);
	scope_words(f);
	set_decided(f, f->primary);
}

/* ------------------------------------------------------------------ */
/* rules */

/* One condition against the fact at its row's offset in base. */
static inline bool cond_eval(const sf_cond_t *c, const cond_row_t *row,
			     const char *base, const sf_facts_t *f)
{
	switch (row->type) {
	case SF_CT_BOOL:
		return *(const bool *)(base + row->off) == c->value;
	case SF_CT_CLASS_MASK:
		return (c->mask & f->diversion_cls_mask) != 0;
	case SF_CT_SCOPE:
		return true;
	default: {
		int v = *(const int *)(base + row->off);

		return v >= 0 && v < 64 && ((c->mask >> v) & 1);
	}
	}
}

bool sf_engine_cond_holds(const sf_cond_t *c, const sf_facts_t *f,
			  const sf_idfacts_t *id)
{
	const cond_row_t *row;

	if ((unsigned)c->kind >= SF_COND_COUNT)
		return false;
	row = &cond_rows[c->kind];
	if (row->level == SF_CL_IDENTITY && !id)
		return false;
	return cond_eval(c, row,
			 row->level == SF_CL_CALL ? (const char *)f
						  : (const char *)id,
			 f);
}


/* Every identity condition of r holds for x: each compiled mask shares
 * a bit with x's feature word. */
static inline bool id_conds_hold(const sf_rule_t *r, uint64_t feat)
{
	for (unsigned i = 0; i < r->n_id_masks; i++)
		if (!(feat & r->id_masks[i]))
			return false;
	return true;
}

static inline __attribute__((always_inline)) bool
rule_matches(const sf_rule_t *r, const sf_facts_t *f, int *which)
{
	const struct sf_scope_words *w;

	*which = f->primary;
	for (unsigned i = 0; i < r->n_call_masks; i++)
		if (!(f->cfeat[r->call_words[i]] & r->call_masks[i]))
			return false;
	if (!r->n_id_masks)
		return true;
	if ((unsigned)r->scope >= SF_SCOPE_COUNT)
		return false;
	w = &f->scope[r->scope];
	if (r->scope == SF_SCOPE_ALL) {
		for (unsigned k = 0; k < w->n; k++)
			if (!id_conds_hold(r, w->feat[k]))
				return false;
		return true;
	}
	for (unsigned k = 0; k < w->n; k++) {
		if (id_conds_hold(r, w->feat[k])) {
			*which = w->idx[k];
			return true;
		}
	}
	return false;
}

bool sf_engine_rule_matches(const sf_rule_t *r, const sf_facts_t *f,
			    int *which)
{
	int w;
	bool m = rule_matches(r, f, &w);

	if (which)
		*which = w;
	return m;
}

/* ------------------------------------------------------------------ */
/* verdicts */

static const char *const special_names[SF_SPECIAL_COUNT] = {
	[SF_SPECIAL_NONE] = "",
	[SF_SPECIAL_EMERGENCY] = "emergency",
	[SF_SPECIAL_UNVERIFIED] = "unverified",
	[SF_SPECIAL_MALFORMED] = "malformed",
	[SF_SPECIAL_NOT_INVITE] = "not-invite",
};

const char *sf_special_name(sf_special_t s)
{
	return (unsigned)s < SF_SPECIAL_COUNT ? special_names[s] : "";
}

sf_special_t sf_special_find(const char *name)
{
	for (int i = 1; i < SF_SPECIAL_COUNT; i++)
		if (!strcmp(special_names[i], name))
			return (sf_special_t)i;
	return SF_SPECIAL_NONE;
}

static void verdict_none(sf_verdict_t *v, sf_special_t special)
{
	v->action = SF_ACT_ALLOW;
	v->applied = SF_ACT_ALLOW;
	v->mode = SF_MODE_ENFORCE;
	v->rule = -1;
	v->special = special;
	v->rule_name = special_names[special];
	v->code = 0;
	v->phrase = "";
	v->reason = "";
}

void sf_engine_judge(const sf_cfg_t *cfg, const sf_tables_t *tables,
		     const sf_call_t *call, int trunk, sf_verdict_t *v)
{
	verdict_none(v, SF_SPECIAL_NONE);
	v->malformed = false;
	v->sip_error = SF_SIP_OK;
	sf_engine_facts(cfg, tables, call, trunk, &v->facts);

	/* Emergency calls are never blocked, whatever the rules say. */
	if (v->facts.emergency) {
		verdict_none(v, SF_SPECIAL_EMERGENCY);
		v->reason = "call to an emergency / never-block number";
		return;
	}
	/* No usable tables: pass, but say the caller ID was not verified. */
	if (!tables) {
		verdict_none(v, SF_SPECIAL_UNVERIFIED);
		v->action = v->applied = SF_ACT_TAG;
		v->reason = "tables unavailable; caller ID not verified";
		return;
	}
	for (size_t i = 0; i < cfg->n_rules; i++) {
		const sf_rule_t *r = &cfg->rules[i];
		int which;

		if (!rule_matches(r, &v->facts, &which))
			continue;
		if (which != v->facts.primary)
			set_decided(&v->facts, which);
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
		verdict_none(v, SF_SPECIAL_MALFORMED);
		memset(&v->facts, 0, sizeof(v->facts));
		v->facts.trunk = trunk;
		v->facts.primary = v->facts.decided = -1;
		v->facts.decided_by = SF_IDK_NONE;
		v->malformed = true;
		v->sip_error = msg->error;
		v->reason = sf_sip_error_name(msg->error);
		return;
	}
	if (!msg->is_request || !sf_sip_is_invite(msg)) {
		memset(call, 0, sizeof(*call));
		verdict_none(v, SF_SPECIAL_NOT_INVITE);
		memset(&v->facts, 0, sizeof(v->facts));
		v->facts.trunk = trunk;
		v->facts.primary = v->facts.decided = -1;
		v->facts.decided_by = SF_IDK_NONE;
		v->malformed = true;
		v->sip_error = SF_SIP_OK;
		v->reason = "not an INVITE request";
		return;
	}
	sf_call_extract(cfg, msg, call);
	sf_engine_judge(cfg, tables, call, trunk, v);
}
