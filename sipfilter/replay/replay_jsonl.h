/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_jsonl.h - a replay record as one JSON object (JSON lines), the
 * only writer of that format.
 *
 * Keys are fixed; untrusted values are escaped by sf_jw_escape's rules
 * (quotes, backslash, controls; invalid UTF-8 becomes \ufffd).  The texts
 * that are immutable for the run (config names, the engine's static
 * words, a verdict's keys) are escaped once and cached by address.
 */
#ifndef SF_REPLAY_JSONL_H
#define SF_REPLAY_JSONL_H

#include <stddef.h>
#include <stdint.h>

#include "replay_rec.h"

#define REPLAY_JC_SLOTS 256u
#define REPLAY_JC_TEXT 1024u

/* One cached piece: a quoted string, or a verdict's keys. */
typedef struct replay_jc {
	const void *k1, *k2;
	uint64_t k3;
	uint32_t kind;          /* 0 = empty */
	uint32_t len;
	char text[REPLAY_JC_TEXT];
} replay_jc_t;

/*
 * Writes x as a JSON object without its closing "retransmissions" key and
 * brace (added when the record is printed) at line, which has room for
 * REPLAY_LINE_CAP bytes.  jc is a cache of REPLAY_JC_SLOTS entries,
 * zeroed before first use and kept between records; the strings of x it
 * caches must not change during the run.  Returns the length, or 0 when
 * the line would be longer than REPLAY_LINE_MAX.
 */
size_t replay_jsonl_record(const replay_rec_t *x, replay_jc_t *jc,
			   char *line);

#endif
