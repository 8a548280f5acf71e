/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_edit.h - in-place editing of a SIP message as a list of byte-range
 * insertions and replacements.
 *
 * The proxy (and the verdict marks, sf_mark.h) never re-serialise what it forwards (RFC 3261 §16.6 edits
 * only: add a Via, decrement Max-Forwards, add a tag header ...).  An edit
 * list records "at offset O of the original, delete D bytes and insert
 * these bytes"; sf_edit_apply() writes the original with the edits into an
 * output buffer in one pass, so every byte not covered by an edit reaches
 * the next hop unchanged.  Edits touch the header section only, so the
 * body and hence Content-Length stay right.
 *
 * Inserted text is copied into the edit's own scratch space, so callers
 * may pass temporaries.  Fixed capacity, no allocation: a per-worker
 * sf_edit_t is reused for every message.
 */
#ifndef SF_EDIT_H
#define SF_EDIT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SF_EDIT_MAX_OPS 64
#define SF_EDIT_SCRATCH 2048

typedef struct sf_edit_op {
	uint32_t off;      /* offset in the original */
	uint32_t del;      /* original bytes replaced */
	uint32_t ins_off;  /* in scratch */
	uint32_t ins_len;
	uint32_t seq;      /* insertion order, for stable sorting */
} sf_edit_op_t;

typedef struct sf_edit {
	sf_edit_op_t ops[SF_EDIT_MAX_OPS];
	unsigned n;
	uint32_t used;     /* scratch bytes used */
	int failed;        /* an op did not fit: apply refuses */
	char scratch[SF_EDIT_SCRATCH];
} sf_edit_t;

void sf_edit_init(sf_edit_t *e);

/*
 * Records: at off, delete del bytes and insert ins[0..len).  Ops must not
 * overlap each other's deleted ranges; several inserts at one offset come
 * out in the order they were added.  Returns 0 or SF_ERANGE (then the
 * whole edit is marked failed).
 */
int sf_edit_replace(sf_edit_t *e, uint32_t off, uint32_t del,
		    const char *ins, size_t len);

static inline int sf_edit_insert(sf_edit_t *e, uint32_t off, const char *ins,
				 size_t len)
{
	return sf_edit_replace(e, off, 0, ins, len);
}

/* printf-style insert/replace (text formatted into scratch).  For rare
 * paths: vsnprintf costs ~1,000 instructions a call. */
int sf_edit_replacef(sf_edit_t *e, uint32_t off, uint32_t del,
		     const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Piecewise inserted text, for the per-message edits (no printf):
 * sf_edit_begin() returns a mark, sf_edit_put()/sf_edit_put_u() append
 * bytes or a decimal number to the scratch space, sf_edit_end() records
 * "at off, delete del bytes, insert what was appended since the mark".
 * No other op may be recorded between begin and end.  Text that does not
 * fit marks the edit failed (sf_edit_apply then refuses) and sf_edit_end
 * returns SF_ERANGE.
 */
static inline uint32_t sf_edit_begin(const sf_edit_t *e)
{
	return e->used;
}

static inline void sf_edit_put(sf_edit_t *e, const char *s, size_t len)
{
	if (len > SF_EDIT_SCRATCH - e->used) {
		e->failed = 1;
		return;
	}
	memcpy(e->scratch + e->used, s, len);
	e->used += (uint32_t)len;
}

void sf_edit_put_u(sf_edit_t *e, unsigned long v);

int sf_edit_end(sf_edit_t *e, uint32_t mark, uint32_t off, uint32_t del);

/* Sorts the ops by offset (inserts at one offset keep their order): the
 * order sf_edit_apply writes them in.  For callers that apply the ops
 * themselves (libsipfilter's sipfilter_judge_edits). */
void sf_edit_sort(sf_edit_t *e);

/*
 * Writes src[0..len) with the edits applied into out (capacity cap).
 * Returns the output length, or -1 when it would not fit, an op lies
 * outside src, ops overlap, or an earlier op failed.
 */
long sf_edit_apply(sf_edit_t *e, const char *src, size_t len, char *out,
		   size_t cap);

#endif
