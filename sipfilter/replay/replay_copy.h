/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_copy.h - memcpy for the short pieces records are made of: up to
 * 32 bytes by overlapping word copies in line, without a call into libc
 * (most of a record's pieces are that short, and there are ~40 per
 * record).
 */
#ifndef SF_REPLAY_COPY_H
#define SF_REPLAY_COPY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Copies s[0..n) to o (no overlap); returns o + n. */
static inline char *replay_cpy(char *o, const void *s, size_t n)
{
	const char *p = s;

	if (n <= 32) {
		uint64_t a, b, c, d;

		if (n >= 16) {
			memcpy(&a, p, 8);
			memcpy(&b, p + 8, 8);
			memcpy(&c, p + n - 16, 8);
			memcpy(&d, p + n - 8, 8);
			memcpy(o, &a, 8);
			memcpy(o + 8, &b, 8);
			memcpy(o + n - 16, &c, 8);
			memcpy(o + n - 8, &d, 8);
		} else if (n >= 8) {
			memcpy(&a, p, 8);
			memcpy(&b, p + n - 8, 8);
			memcpy(o, &a, 8);
			memcpy(o + n - 8, &b, 8);
		} else if (n >= 4) {
			uint32_t e, f;

			memcpy(&e, p, 4);
			memcpy(&f, p + n - 4, 4);
			memcpy(o, &e, 4);
			memcpy(o + n - 4, &f, 4);
		} else if (n) {
			char x = p[0], y = p[n / 2], z = p[n - 1];

			o[0] = x;
			o[n / 2] = y;
			o[n - 1] = z;
		}
		return o + n;
	}
	memcpy(o, s, n);
	return o + n;
}

#endif
