/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_report.h - what replay, judge and the logs say the edge did with one
 * request: its admission (sf_admit.h) in the words of the verdict.
 *
 * A judged INVITE reports its verdict: the rule, the rule's action, what
 * was applied (allow in monitor mode), the code.  Anything admission
 * decided before or instead of a verdict reports the reason's name as its
 * rule ("unknown-source", "malformed", "in-dialog", ...) and the outcome
 * as both action and applied: allow (forwarded), reject (an answer of
 * ours >= 300), refuse (400), drop, answer (200 to OPTIONS).  The words
 * are static strings; why and special say the same as enums, for
 * counting without comparing strings.
 */
#ifndef SF_REPORT_H
#define SF_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "sf_admit.h"

/* The reported vocabulary: the config's actions, then what only
 * admission does.  Values 0..3 equal sf_action_t's. */
typedef enum sf_word {
	SF_W_ALLOW = 0, SF_W_TAG, SF_W_REJECT, SF_W_WITHHOLD,
	SF_W_REFUSE, SF_W_DROP, SF_W_ANSWER, SF_W_COUNT
} sf_word_t;

typedef struct sf_report {
	const char *rule;      /* never NULL; "" = no rule matched */
	const char *reason;    /* never NULL */
	sf_word_t action;      /* would-be (monitor) or done */
	sf_word_t applied;     /* what the edge does */
	sf_mode_t mode;
	uint16_t code;         /* our answer's status, 0 when forwarded */
	int rule_index;        /* index in cfg->rules, -1 otherwise */
	sf_why_t why;          /* admission's reason (SF_WHY_VERDICT: the
				  verdict decided) */
	sf_special_t special;  /* a verdict no rule decided (emergency...) */
	bool judged;           /* a verdict was reached */
	bool malformed;        /* not a usable request (see sip_error) */
	sf_sip_error_t sip_error; /* the scanner's reason, or SF_SIP_OK */
} sf_report_t;

/* Fills *r from a (whose strings it borrows: config or static). */
void sf_report_of(const sf_admission_t *a, sf_report_t *r);

/* "allow", "tag", "reject", "withhold", "refuse", "drop", "answer". */
const char *sf_word_name(sf_word_t w);

/* The word for name, or -1. */
int sf_word_find(const char *name);

#endif
