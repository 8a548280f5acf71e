/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_out.h - where replay's records go: gathered in a buffer and
 * written to the output stream in large blocks (one fwrite per
 * REPLAY_OUT_BYTES instead of one per record).  A failed write is
 * remembered, not reported: the command says so once at the end.
 * Not thread-safe.
 */
#ifndef SF_REPLAY_OUT_H
#define SF_REPLAY_OUT_H

#include <stdio.h>
#include <string.h>

#define REPLAY_OUT_BYTES (64u << 10)

typedef struct replay_out {
	FILE *fp;           /* borrowed */
	char *buf;          /* REPLAY_OUT_BYTES */
	size_t len;
	int error;          /* a write failed */
} replay_out_t;

/* Borrows fp until fini.  0, or -1 on ENOMEM (safe to fini). */
int replay_out_init(replay_out_t *o, FILE *fp);
void replay_out_fini(replay_out_t *o);

/* Writes the buffer out (not fflush: the stream keeps its own). */
void replay_out_flush(replay_out_t *o);

/* Appends p[0..n): a block larger than the buffer goes straight out. */
void replay_out_write(replay_out_t *o, const void *p, size_t n);

static inline void replay_out_put(replay_out_t *o, const void *p, size_t n)
{
	if (o->len + n > REPLAY_OUT_BYTES) {
		replay_out_write(o, p, n);
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

#endif
