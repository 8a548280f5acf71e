/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_mark.h - the edits a verdict makes to a forwarded INVITE (the tag
 * header and verstat for `tag`, an anonymous From and Privacy: id for
 * `withhold`, untrusted attestation and forged tag headers removed),
 * recorded as byte-range edits of the received message.  `serve` applies
 * them when it forwards; libsipfilter hands them to embedders
 * (sipfilter_judge_edits) so the Kamailio module makes the same edits.
 */
#ifndef SF_MARK_H
#define SF_MARK_H

#include <stdbool.h>

#include "base/sf_edit.h"
#include "config/sf_config.h"
#include "sf_admit.h"
#include "sf_sip.h"

/*
 * Records into e the edits for outcome o of the INVITE m (scanned from
 * the received bytes) that came in on trunk (-1 = unknown, i.e.
 * untrusted).  rule_name names the deciding rule for the tag header.
 * degraded: tables were unusable, the tag says "unverified".  Only
 * records; e->failed says an edit did not fit.
 */
void sf_mark(const sf_cfg_t *cfg, const sf_sipmsg_t *m, int trunk,
	     const char *rule_name, sf_outcome_t o, bool degraded,
	     sf_edit_t *e);

#endif
