/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_inputs.h - the inputs of `sipfilter replay`: the paths given
 * (directories expanded), opened and merged in timestamp order into one
 * decoder, with the progress line and the errors of unreadable or
 * corrupt files.  The same for every -j: one decoder sees every packet
 * of every file in the same order.
 */
#ifndef SF_REPLAY_INPUTS_H
#define SF_REPLAY_INPUTS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "capture/sf_capdec.h"

#define MERGE_MAX 256  /* files open at once; more are merged in groups */

/* The paths to read, in order (owned). */
typedef struct inputs {
	char **paths;
	size_t n, cap;
} inputs_t;

/* Adds p: a directory contributes its regular files (not dotfiles),
 * sorted by name; anything else is added as it is (an open error is
 * reported when it is read).  0, or -1 on ENOMEM. */
int replay_inputs_expand(inputs_t *in, const char *p);

/* One run over the inputs: the decoder fed, progress, the exit status
 * (rc: SF_EXIT_FAIL once a file could not be read), link types skipped. */
typedef struct run {
	sf_capdec_t *dec;
	bool progress;
	uint64_t total_bytes, done_bytes;
	struct timespec t0, last;
	uint64_t last_pkts;
	int rc;
	int bad_lt[8];
	size_t n_bad_lt;
	bool stdin_used;
} run_t;

/* Every input through rn->dec (set by the caller, with rn->progress),
 * MERGE_MAX files at a time, then sf_capdec_finish.  A file that cannot
 * be opened or read is reported on stderr and sets rn->rc; the others
 * are still read.  0, or -2 on a usage error (a bad BPF filter). */
int replay_run_inputs(run_t *rn, const inputs_t *in, const char *bpf);

#endif
