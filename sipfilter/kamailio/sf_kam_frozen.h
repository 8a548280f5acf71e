/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sf_kam_frozen.h - the Kamailio module's frozen copies of the table
 * files, one folder per table generation.
 *
 * A reload RPC copies every table file the config names into
 * BASE/sipfilter-PID-gGEN/ and validates the copies; each worker then
 * rebuilds from those very bytes, so a file an operator rewrites in
 * between cannot reach a worker unvalidated.  Errors about a copy are
 * reported with the operator's file name.
 */
#ifndef SF_KAM_FROZEN_H
#define SF_KAM_FROZEN_H

#include <stddef.h>
#include <stdint.h>

#include "sipfilter/lib/sipfilter.h"

#define SF_PATH 512

/*
 * Copies every table file of sf into generation gen's folder under base
 * (pid names the Kamailio instance); the copies' paths into files (""
 * for a table the config does not name).  Returns 0, or -1 with why.
 */
int sf_kam_freeze(sipfilter_t *sf, const char *base, int pid, uint64_t gen,
		  char files[SIPFILTER_TABLES][SF_PATH], char *why, size_t n);

/* Removes generation gen's folder and its files (generations < 2 have
 * none: the first load reads the config's files). */
void sf_kam_remove_frozen(sipfilter_t *sf, const char *base, int pid,
			  uint64_t gen);

/* Errors about a frozen copy name the operator's file instead. */
void sf_kam_unfreeze_names(sipfilter_t *sf, sipfilter_errors_t *errs,
			   char files[SIPFILTER_TABLES][SF_PATH]);

#endif
