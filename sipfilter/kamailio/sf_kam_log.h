/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sf_kam_log.h - the Kamailio module's verdict log line, through
 * Kamailio's logging at NOTICE:
 *   verdict reject rule=R number=N identity=I trunk=T code=C
 * ("verdict tag (monitor) rule=..." for a rule in monitor mode).
 */
#ifndef SF_KAM_LOG_H
#define SF_KAM_LOG_H

#include "sipfilter/lib/sipfilter.h"

/* Logs the line for r (the caller decides which verdicts to log). */
void sf_kam_log_verdict(const sipfilter_result_t *r);

#endif
