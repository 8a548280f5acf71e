/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_out.c - replay's buffered record output.  See replay_out.h.
 */
#include <stdlib.h>

#include "replay_out.h"

int replay_out_init(replay_out_t *o, FILE *fp)
{
	o->fp = fp;
	o->len = 0;
	o->error = 0;
	o->buf = malloc(REPLAY_OUT_BYTES);
	return o->buf ? 0 : -1;
}

void replay_out_fini(replay_out_t *o)
{
	free(o->buf);
	o->buf = NULL;
}

void replay_out_flush(replay_out_t *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->fp) != o->len)
		o->error = 1;
	o->len = 0;
}

void replay_out_write(replay_out_t *o, const void *p, size_t n)
{
	if (o->len + n > REPLAY_OUT_BYTES) {
		replay_out_flush(o);
		if (n > REPLAY_OUT_BYTES) {
			if (fwrite(p, 1, n, o->fp) != n)
				o->error = 1;
			return;
		}
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}
