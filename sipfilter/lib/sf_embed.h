/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_embed.h - libsipfilter for an embedder that shares one table
 * snapshot between processes (the Kamailio module): the tables are built,
 * derived and freed apart from the handle, in memory the embedder
 * chooses, and a handle is pointed at a snapshot it does not own.
 *
 * Not part of the public API: nothing here is exported from
 * libsipfilter.so; the module links libsipfilter's objects statically.
 * The usual contracts of sipfilter.h hold, except that a handle whose
 * tables were exchanged must be used by one thread at a time (the swap is
 * not under the handle's lock: a Kamailio process is single-threaded).
 */
#ifndef SF_EMBED_H
#define SF_EMBED_H

#include <stddef.h>
#include <stdint.h>

#include "sipfilter.h"

/* One immutable table snapshot (tables/sf_tables.h's sf_tables_t). */
typedef struct sf_tables sipfilter_tables_t;

/*
 * Where every snapshot from now on keeps its blocks (handle, overlay,
 * arrays, strings; Judy's nodes are the embedder's business, see
 * tables/sf_tables.h sf_tables_set_alloc): set once before the first
 * sipfilter_open, never changed while a snapshot exists.  The free must
 * accept a block of either origin when the embedder mixes them.
 * scratch (may be NULL) brackets each insertion into a load-time-only
 * Judy array (1 before, 0 after), so those nodes can stay off the shared
 * memory.
 */
void sipfilter_tables_alloc(void *(*m)(size_t), void *(*r)(void *, size_t),
			    void (*f)(void *), void (*scratch)(int on));

/*
 * Builds the tables the config names (table t from files[t] when files
 * and files[t] are not NULL) into a new snapshot *out, beside the
 * handle's current one (the shrink guard compares with it); the handle is
 * not changed.  The snapshot's generation is set to generation.
 * Returns 0, or -1 with the problem in *errors (file:line:col).
 */
int sipfilter_tables_build(sipfilter_t *sf,
			   const char *const files[SIPFILTER_TABLES],
			   uint64_t generation, sipfilter_tables_t **out,
			   sipfilter_errors_t *errors);

/*
 * A new snapshot *out: the handle's current one with number (any form
 * the dialling plan reads) marked roaming in visited (add != 0; visited
 * may be NULL) or not roaming (add == 0).  It shares the big tables of
 * the current one (reference-counted) and copies the live-change overlay
 * (16 bytes a changed number).  The handle is not changed.  Returns 0,
 * or -1 with the reason in *err (may be NULL).
 */
int sipfilter_tables_roaming(sipfilter_t *sf, const char *number, int add,
			     const char *visited, sipfilter_tables_t **out,
			     sipfilter_error_t *err);

/* Points the handle at next (not NULL but for close) and returns the
 * snapshot it used, without freeing either: the caller owns both. */
sipfilter_tables_t *sipfilter_tables_exchange(sipfilter_t *sf,
					      sipfilter_tables_t *next);

/* The handle's current snapshot (not to be freed by the caller unless it
 * owns it). */
sipfilter_tables_t *sipfilter_tables_current(sipfilter_t *sf);

/* Frees a snapshot (NULL is a no-op), through the allocator it was made
 * with; only once no reader can reach it. */
void sipfilter_tables_free(sipfilter_tables_t *t);

/* What a snapshot holds: bytes (Judy arrays via Judy*MemUsed, arrays,
 * strings, overlay), its generation, and the numbers whose roaming state
 * live changes set apart from the loaded table. */
typedef struct sipfilter_tables_size {
	uint64_t bytes, generation, overlay;
} sipfilter_tables_size_t;

void sipfilter_tables_size(const sipfilter_tables_t *t,
			   sipfilter_tables_size_t *out);

/*
 * sipfilter_judge_edits without the result's strings: r's numbers
 * (action, rule_action, monitor, judged, malformed, code) and *edits are
 * filled, its strings are not written (copying them costs ~450
 * instructions a message, and an embedder that forwards a call seldom
 * reads them).  *ticket names this judgement for
 * sipfilter_result_strings, which fills them while the judgement is this
 * thread's last one (no judge, explain or lookup since on the thread):
 * 0, else -1 (r unchanged).
 */
int sipfilter_judge_brief(sipfilter_t *sf, const char *buf, size_t len,
			  const struct sockaddr *src, sipfilter_transport_t tp,
			  const char *trunk, sipfilter_result_t *r,
			  sipfilter_edits_t *edits, uint64_t *ticket);
int sipfilter_result_strings(const sipfilter_t *sf, uint64_t ticket,
			     sipfilter_result_t *r);

/*
 * Whether the config asks for the live roaming feed (tables.roaming_live,
 * which only `serve` follows): 1 with "file:line:col" of its key into
 * where (size bytes, may be NULL), else 0.
 */
int sipfilter_roaming_live(const sipfilter_t *sf, char *where, size_t size);

#endif
