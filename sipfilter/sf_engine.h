/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_engine.h - the verdict engine: facts about one call -> first matching
 * rule -> verdict.
 *
 * This is the single function both drivers (`serve` and `replay`) call, so
 * offline results predict live behaviour exactly.  It is pure: no I/O, no
 * clock, no globals, no allocation.  Inputs are the config, one table
 * snapshot, the extracted call and the ingress trunk; output is a verdict
 * that also carries every fact it was based on, so `lookup` and logs can
 * explain it.
 *
 * Order of evaluation:
 *  1. A call to an emergency / never-block number is allowed, always
 *     (rule name "emergency"), whatever the rules say.
 *  2. Facts are computed (trunk kind, class and length of the presented
 *     number, roaming, substitution, allow list, From/PAI mismatch, ...).
 *  3. The first rule whose conditions all hold decides.  No match = allow.
 *  4. A rule in monitor mode reports its would-be action but the applied
 *     action is allow.
 */
#ifndef SF_ENGINE_H
#define SF_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "../config/sf_config.h"
#include "../tables/sf_tables.h"
#include "sf_identity.h"
#include "sf_sip.h"

typedef struct sf_facts {
	int trunk;                   /* index in cfg->trunks, -1 unknown */
	sf_trunk_kind_t trunk_kind;
	bool trusted_trunk;
	sf_identity_state_t identity;
	bool unparseable;
	sf_norm_status_t norm_status;
	sf_num_t number;             /* presented, normalised */
	sf_class_t cls;
	bool in_plan;
	bool length_valid;
	char operator_name[48];
	bool roaming;
	char visited[3];
	bool substitution;
	char subst_source[48];
	char subst_reason[96];
	bool allow_listed;
	bool identity_mismatch;
	bool cli_equals_called;
	sf_num_t called;             /* normalised called number */
	sf_class_t called_cls;
	bool emergency;
	bool diverted;
	sf_class_t diversion_cls;    /* of the first diverting number */
	uint64_t diversion_cls_mask; /* every class seen in Diversion/H-I */
	bool privacy;
	/* Bit i set = condition kind i held for the deciding rule (explain). */
} sf_facts_t;

typedef struct sf_verdict {
	sf_action_t action;     /* the rule's action (would-be in monitor) */
	sf_action_t applied;    /* what is done: allow when mode is monitor */
	sf_mode_t mode;
	int rule;               /* index in cfg->rules; -1 = none/emergency */
	const char *rule_name;  /* "" when no rule, "emergency", "malformed" */
	uint16_t code;          /* SIP status for reject, else 0 */
	const char *phrase;     /* reason phrase; "" if none */
	const char *reason;     /* the rule's reason text; "" if none */
	bool malformed;         /* the message was not a usable INVITE */
	sf_sip_error_t sip_error;
	sf_facts_t facts;
} sf_verdict_t;

/* Computes the facts for call on trunk (index or -1). */
void sf_engine_facts(const sf_cfg_t *cfg, const sf_tables_t *tables,
		     const sf_call_t *call, int trunk, sf_facts_t *facts);

/* True if every condition of rule holds for facts. */
bool sf_engine_rule_matches(const sf_rule_t *rule, const sf_facts_t *facts);

/*
 * The verdict for call arriving on trunk.  tables may be NULL (no usable
 * tables: degraded mode); table facts are then all false and the verdict is
 * allow with rule name "unverified" unless emergency.  Never fails.
 */
void sf_engine_judge(const sf_cfg_t *cfg, const sf_tables_t *tables,
		     const sf_call_t *call, int trunk, sf_verdict_t *v);

/*
 * Raw bytes to verdict: scan (strict), extract, judge.  A message that the
 * scanner refuses, or that is not an INVITE, gives a verdict with
 * malformed = true, rule_name "malformed", applied allow (the caller
 * decides whether to drop) and sip_error set.  msg/call are caller-provided
 * scratch (large structs; no allocation here) and stay valid for the
 * caller to read identities from.
 */
void sf_engine_judge_raw(const sf_cfg_t *cfg, const sf_tables_t *tables,
			 const char *buf, size_t len,
			 const sf_sip_limits_t *lim, int trunk,
			 sf_sipmsg_t *msg, sf_call_t *call, sf_verdict_t *v);

#endif
