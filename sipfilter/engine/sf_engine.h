/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_engine.h - the verdict engine: facts about one call -> first matching
 * rule -> verdict.
 *
 * Every driver reaches it through admission (sf_admit.h: serve, replay,
 * judge, libsipfilter), which decides first whether a request is judged
 * at all; `lookup` calls it directly on typed numbers.  It is pure: no
 * I/O, no clock, no globals, no allocation.  Inputs are the config, one
 * table snapshot, the extracted call and the ingress trunk; output is a
 * verdict that also carries every fact it was based on, so `lookup`,
 * `judge --json` and the logs can explain it.
 *
 * Order of evaluation:
 *  1. A call to an emergency / never-block number is allowed, always
 *     (special verdict SF_SPECIAL_EMERGENCY), whatever the rules say.  The called number
 *     is the Request-URI's, where the core routes; never To's.
 *  2. Facts are computed: about the call (trunk, called number, From/PAI
 *     mismatch, conflicting PAIs, diversion, privacy) and about every
 *     identity the call presents - the network numbers (P-Asserted-
 *     Identity, its second value, P-Preferred-Identity, Remote-Party-ID),
 *     the presentation number (From) and numbers in the From/PAI display
 *     names - each with its class, length check, roaming, substitution,
 *     allow list.  A number presented twice is looked up once.
 *  3. The first rule whose conditions all hold decides; a rule's
 *     per-identity conditions must all hold for one identity of its scope
 *     (`identities`: any by default, all, network, presentation, display,
 *     first), so a spoof hides behind no header.  The verdict records the
 *     identity that decided.  No match = allow.
 *  4. A rule in monitor mode reports its would-be action but the applied
 *     action is allow.
 */
#ifndef SF_ENGINE_H
#define SF_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "config/sf_config.h"
#include "tables/sf_tables.h"
#include "sf_identity.h"
#include "sf_sip.h"

/* The identities of a call, in the order `any` tries them. */
typedef enum sf_idkind {
	SF_IDK_PAI = 0,       /* network: the first P-Asserted-Identity */
	SF_IDK_PAI2,          /* network: its second value (other scheme) */
	SF_IDK_PPI,           /* network: P-Preferred-Identity */
	SF_IDK_RPID,          /* network: Remote-Party-ID */
	SF_IDK_FROM,          /* presentation: From */
	SF_IDK_FROM_DISPLAY,  /* display: a number in From's display name */
	SF_IDK_PAI_DISPLAY,   /* display: ... in the PAI's display name */
	SF_IDK_COUNT,
	SF_IDK_NONE = SF_IDK_COUNT
} sf_idkind_t;

/* Facts of one identity.  Set-valued facts are int, -1 = none. */
typedef struct sf_idfacts {
	sf_idkind_t kind;
	const sf_ident_t *src;       /* in the call */
	int dup_of;                  /* index of an earlier identity with
					the same number, -1 */
	int identity;                /* sf_identity_state_t */
	bool unparseable;
	sf_norm_status_t norm_status;
	sf_num_t number;             /* normalised; kind NONE if not */
	int cls;                     /* sf_class_t, -1 when not a number */
	bool in_plan;
	bool length_valid;
	int ported;                  /* sf_ported_t: the class came from the
					ported table (in/out), not the plan */
	bool roaming;
	bool substitution;
	bool allow_listed;
	bool cli_equals_called;
	uint64_t feat;               /* the facts as one word (sf_conds.h) */
	/* table details, owned by the snapshot judged against ("" none) */
	const char *operator_name;
	const char *subst_source, *subst_reason;
	char visited[3];
} sf_idfacts_t;

typedef struct sf_facts {
	/* --- the call --- */
	int trunk;                   /* index in cfg->trunks, -1 unknown */
	int trunk_kind;              /* sf_trunk_kind_t */
	bool trusted_trunk;
	bool identity_mismatch;      /* From's number is none of the PAIs' */
	bool identity_conflict;      /* the sip and tel PAI numbers differ */
	sf_num_t called;             /* normalised Request-URI number */
	int called_cls;              /* its class; -1 when none */
	bool emergency;
	bool diverted;
	int diversion_cls;           /* of the first diverting number */
	uint64_t diversion_cls_mask; /* every class seen in Diversion/H-I */
	bool privacy;
	uint64_t cfeat[2];           /* the call facts as words (sf_conds.h) */
	/* --- every identity presented, in sf_idkind_t order --- */
	sf_idfacts_t ids[SF_IDK_COUNT];
	unsigned n_ids;
	int primary;                 /* index in ids: the first usable in
					identity_order; -1 when none */
	/* per rule scope (sf_scope_t): the feature words of the identities
	 * a rule with that scope quantifies over, a number already listed
	 * under another kind of the same scope left out; when the scope
	 * holds none, the one word of "no identity" (index -1) */
	struct sf_scope_words {
		unsigned n;
		int idx[SF_IDK_COUNT];
		uint64_t feat[SF_IDK_COUNT];
	} scope[SF_SCOPE_COUNT];
	int decided;                 /* index in ids the verdict rests on
					(the primary when no identity
					condition decided); -1 when none */
	/* --- the deciding identity, with its table details (what logs,
	 * lookup, judge and replay show as "the number") --- */
	sf_idkind_t decided_by;
	int identity;                /* sf_identity_state_t */
	bool unparseable;
	sf_norm_status_t norm_status;
	sf_num_t number;
	int cls;                     /* sf_class_t; UNLISTED when none */
	bool in_plan;
	bool length_valid;
	char operator_name[48];
	int ported;                  /* sf_ported_t */
	bool roaming;
	char visited[3];
	bool substitution;
	char subst_source[48];
	char subst_reason[96];
	bool allow_listed;
	bool cli_equals_called;
} sf_facts_t;

/* The verdicts no rule of the config decided, by one name table
 * (sf_special_name); a verdict's rule_name is that name. */
typedef enum sf_special {
	SF_SPECIAL_NONE = 0,    /* a rule decided, or none matched */
	SF_SPECIAL_EMERGENCY,   /* "emergency": a never-block number */
	SF_SPECIAL_UNVERIFIED,  /* "unverified": no usable tables */
	SF_SPECIAL_MALFORMED,   /* "malformed": the scanner refused it */
	SF_SPECIAL_NOT_INVITE,  /* "not-invite": nothing to judge */
	SF_SPECIAL_COUNT
} sf_special_t;

typedef struct sf_verdict {
	sf_action_t action;     /* the rule's action (would-be in monitor) */
	sf_action_t applied;    /* what is done: allow when mode is monitor */
	sf_mode_t mode;
	int rule;               /* index in cfg->rules; -1 = none/special */
	sf_special_t special;   /* which special verdict, when rule is -1 */
	const char *rule_name;  /* the rule's name, sf_special_name(special),
				   or "" when no rule matched */
	uint16_t code;          /* SIP status for reject, else 0 */
	const char *phrase;     /* reason phrase; "" if none */
	const char *reason;     /* the rule's reason text; "" if none */
	bool malformed;         /* the message was not a usable INVITE */
	sf_sip_error_t sip_error;
	sf_facts_t facts;
} sf_verdict_t;

/* Computes the facts for call on trunk (index or -1); the deciding
 * identity's fields describe the primary identity. */
void sf_engine_facts(const sf_cfg_t *cfg, const sf_tables_t *tables,
		     const sf_call_t *call, int trunk, sf_facts_t *facts);

/*
 * True if rule holds for facts: every call condition, and every identity
 * condition for one identity of the rule's scope (for `all`: for every
 * presented identity).  *which (may be NULL) gets the index in
 * facts->ids of the identity that satisfied them (the primary when the
 * rule has no identity condition; -1 when none applies).
 */
bool sf_engine_rule_matches(const sf_rule_t *rule, const sf_facts_t *facts,
			    int *which);

/* Whether condition c holds for the call (identity NULL) or for one
 * identity of it (explanations use it to say which held). */
bool sf_engine_cond_holds(const sf_cond_t *c, const sf_facts_t *f,
			  const sf_idfacts_t *id);

/* "emergency", "unverified", "malformed", "not-invite"; "" for none. */
const char *sf_special_name(sf_special_t s);

/* The special verdict called name, or SF_SPECIAL_NONE. */
sf_special_t sf_special_find(const char *name);

/* "pai", "pai2", "ppi", "rpid", "from", "from-display", "pai-display";
 * "" for SF_IDK_NONE. */
const char *sf_idkind_name(sf_idkind_t k);

/* "network", "presentation", "display" ("" for none). */
const char *sf_idkind_role(sf_idkind_t k);

/* The network identity to show (the first network identity with a
 * number, else the first one), the presentation identity (From); NULL
 * when the call has none. */
const sf_idfacts_t *sf_facts_network(const sf_facts_t *f);
const sf_idfacts_t *sf_facts_presentation(const sf_facts_t *f);

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
 * malformed = true, special SF_SPECIAL_MALFORMED (not an INVITE:
 * SF_SPECIAL_NOT_INVITE), applied allow (the caller
 * decides whether to drop) and sip_error set.  msg/call are caller-provided
 * scratch (large structs; no allocation here) and stay valid for the
 * caller to read identities from.
 */
void sf_engine_judge_raw(const sf_cfg_t *cfg, const sf_tables_t *tables,
			 const char *buf, size_t len,
			 const sf_sip_limits_t *lim, int trunk,
			 sf_sipmsg_t *msg, sf_call_t *call, sf_verdict_t *v);

#endif
