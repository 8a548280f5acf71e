/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_explain.h - verdicts in words and in JSON.
 *
 * `lookup`, `judge`, log lines and replay records all describe verdicts;
 * this file is the one place that turns facts and conditions into the
 * sentences an analyst reads ("trunk kind is international", "not
 * roaming") and into the JSON fields the tools share.
 */
#ifndef SF_EXPLAIN_H
#define SF_EXPLAIN_H

#include <stddef.h>

#include "base/sf_json.h"
#include "sf_report.h"
#include "sf_engine.h"

/* One condition of a rule as it held for these facts, e.g.
 * "trunk kind is international".  Returns buf. */
char *sf_explain_cond(const sf_cfg_t *cfg, const sf_cond_t *c,
		      const sf_facts_t *f, char *buf, size_t size);

/* "reject 603 Network Blocked" / "tag" / "allow" ... Returns buf. */
char *sf_explain_action(const sf_verdict_t *v, char *buf, size_t size);

/*
 * Writes the verdict's fields into the currently open JSON object:
 * number, number_status, class, operator, length_valid, roaming, visited,
 * substitution, allow_listed, identity, identity_mismatch, called,
 * called_class, emergency, trunk, trunk_kind, rule, action, applied, code,
 * phrase, mode, reason, malformed (+ sip_error), and when call is not NULL:
 * call_id, from, pai, diversion.
 */
void sf_verdict_json(const sf_cfg_t *cfg, const sf_verdict_t *v,
		     const sf_call_t *call, sf_jw_t *w);

/*
 * The same for what the edge does with a request (sf_admit.h): the facts
 * when it was judged, the trunk otherwise, then rule, action, applied
 * (allow/tag/withhold/reject/refuse/drop/answer), code, phrase, mode,
 * reason, admission (the reason's name), malformed and sip_error.
 */
void sf_admission_json(const sf_cfg_t *cfg, const sf_admission_t *a,
		       const sf_call_t *call, sf_jw_t *w);

/* Trunk name for printing ("(unknown)" for -1). */
const char *sf_trunk_label(const sf_cfg_t *cfg, int trunk);

#endif
