/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sf_kam_verdict.h - the Kamailio module's last verdict of this process:
 * what sipfilter_check() decided on which message, read by $sfv(...) and
 * applied by sipfilter_apply() (sf_kam_verdict.c).  A Kamailio process
 * handles one message at a time, so one record per process.
 */
#ifndef SF_KAM_VERDICT_H
#define SF_KAM_VERDICT_H

#include <stdint.h>

#include "core/parser/msg_parser.h"
#include "core/pvar.h"

#include "sipfilter/lib/sf_embed.h"
#include "sipfilter/lib/sipfilter.h"

/* The last verdict of this process (check() in sipfilter_mod.c fills
 * it); valid for the message msg_id/msg_pid only. */
typedef struct sf_kam_verdict {
	sipfilter_t *sf;   /* the handle that judged (set at mod_init) */
	unsigned int msg_id;
	int msg_pid;
	int valid;
	int error;
	int applied;
	int strings;       /* r's strings filled (else: ask with ticket) */
	uint64_t ticket;
	sipfilter_result_t r;
	sipfilter_edits_t edits;
} sf_kam_verdict_t;

extern sf_kam_verdict_t sf_kam_cur;

/* The last verdict with its strings: filled from the judgement's
 * admission the first time they are wanted (a brief judgement leaves
 * them out: a forwarded call seldom reads them). */
const sipfilter_result_t *sf_kam_strings(void);

/* sipfilter_apply(): the verdict's edits as lumps (1, or -1 without a
 * verdict on msg or when a lump cannot be made). */
int sf_kam_apply(sip_msg_t *msg, char *p1, char *p2);

/* $sfv(name): its name parser and getter (pv_export_t). */
int sf_kam_pv_parse(pv_spec_p sp, str *in);
int sf_kam_pv_get(sip_msg_t *msg, pv_param_t *param, pv_value_t *res);

#endif
