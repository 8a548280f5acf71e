/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sf_kam_verdict.c - the Kamailio module's last verdict of this process
 * (see sf_kam_verdict.h): $sfv(...), sipfilter_apply()'s lumps, and the
 * result strings filled when first wanted.
 */
#include "sf_kam_verdict.h"

#include <string.h>

#include "core/data_lump.h"
#include "core/dprint.h"
#include "core/mem/mem.h"

sf_kam_verdict_t sf_kam_cur;

/* The last verdict with its strings: filled from the judgement's
 * admission the first time they are wanted (a brief judgement leaves
 * them out: a forwarded call seldom reads them). */
const sipfilter_result_t *sf_kam_strings(void)
{
	sf_kam_verdict_t *c = &sf_kam_cur;
	if (!c->strings && sipfilter_result_strings(c->sf, c->ticket, &c->r) < 0) {
		LM_ERR("sipfilter: verdict strings no longer available\n");
		c->r.phrase[0] = c->r.rule[0] = c->r.reason[0] = '\0';
		c->r.number[0] = c->r.number_class[0] = '\0';
		c->r.identity[0] = c->r.trunk[0] = '\0';
	}
	c->strings = 1;
	return &c->r;
}

static int is_current(const sip_msg_t *msg)
{
	sf_kam_verdict_t *c = &sf_kam_cur;
	return c->valid && c->msg_id == msg->id && c->msg_pid == msg->pid;
}

/* ------------------------------------------------------------------ */
/* sipfilter_apply(): the verdict's edits as lumps */

int sf_kam_apply(sip_msg_t *msg, char *p1, char *p2)
{
	sf_kam_verdict_t *c = &sf_kam_cur;
	(void)p1;
	(void)p2;
	if (!is_current(msg) || c->error) {
		LM_ERR("sipfilter_apply() without a sipfilter_check() "
		       "verdict on this message\n");
		return -1;
	}
	if (c->applied)
		return 1;
	/* ops are sorted by offset and never overlap; anchors at one
	 * offset keep their order in Kamailio's lump list */
	for (size_t i = 0; i < c->edits.n; i++) {
		const sipfilter_edit_t *op = &c->edits.items[i];
		struct lump *l;
		char *s;

		l = op->del ? del_lump(msg, (int)op->off, (int)op->del, 0)
			    : anchor_lump(msg, (int)op->off, 0, 0);
		if (!l) {
			LM_ERR("cannot make a lump at %u\n", op->off);
			return -1;
		}
		if (!op->ins_len)
			continue;
		s = pkg_malloc(op->ins_len);
		if (!s) {
			PKG_MEM_ERROR;
			return -1;
		}
		memcpy(s, c->edits.text + op->ins_off, op->ins_len);
		if (!insert_new_lump_after(l, s, (int)op->ins_len, 0)) {
			pkg_free(s);
			LM_ERR("cannot insert a lump at %u\n", op->off);
			return -1;
		}
	}
	c->applied = 1;
	return 1;
}

/* ------------------------------------------------------------------ */
/* $sfv(name) */

enum sfv_name {
	SFV_ACTION, SFV_CODE, SFV_PHRASE, SFV_RULE, SFV_REASON, SFV_NUMBER,
	SFV_IDENTITY, SFV_CLASS, SFV_TRUNK, SFV_RULE_ACTION, SFV_MONITOR,
	SFV_COUNT
};

static const char *const sfv_names[SFV_COUNT] = {
	"action", "code", "phrase", "rule", "reason", "number", "identity",
	"class", "trunk", "rule_action", "monitor",
};

int sf_kam_pv_parse(pv_spec_p sp, str *in)
{
	for (int i = 0; i < SFV_COUNT; i++) {
		if (in->len == (int)strlen(sfv_names[i]) &&
		    !strncmp(in->s, sfv_names[i], (size_t)in->len)) {
			sp->pvp.pvn.type = PV_NAME_INTSTR;
			sp->pvp.pvn.u.isname.type = 0;
			sp->pvp.pvn.u.isname.name.n = i;
			return 0;
		}
	}
	LM_ERR("unknown $sfv name '%.*s'\n", in->len, in->s);
	return -1;
}

int sf_kam_pv_get(sip_msg_t *msg, pv_param_t *param, pv_value_t *res)
{
	sf_kam_verdict_t *c = &sf_kam_cur;
	const sipfilter_result_t *r;
	char *s = NULL;

	if (!msg || !is_current(msg))
		return pv_get_null(msg, param, res);
	r = sf_kam_strings();
	switch (param->pvn.u.isname.name.n) {
	case SFV_ACTION:
		s = c->error ? "error" : (char *)sipfilter_action_name(r->action);
		break;
	case SFV_CODE:
		return pv_get_uintval(msg, param, res, r->code);
	case SFV_PHRASE:
		s = (char *)r->phrase;
		break;
	case SFV_RULE:
		s = (char *)r->rule;
		break;
	case SFV_REASON:
		s = (char *)r->reason;
		break;
	case SFV_NUMBER:
		s = (char *)r->number;
		break;
	case SFV_IDENTITY:
		s = (char *)r->identity;
		break;
	case SFV_CLASS:
		s = (char *)r->number_class;
		break;
	case SFV_TRUNK:
		s = (char *)r->trunk;
		break;
	case SFV_RULE_ACTION:
		s = c->error ? "error"
			      : (char *)sipfilter_action_name(r->rule_action);
		break;
	case SFV_MONITOR:
		return pv_get_uintval(msg, param, res, (unsigned)r->monitor);
	default:
		return pv_get_null(msg, param, res);
	}
	return pv_get_strzval(msg, param, res, s);
}
