/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_num.h - a normalised telephone number, as the tables key it.
 *
 * Two kinds of number exist after normalisation:
 *  - E.164: country code + national significant number, 1..15 ASCII digits,
 *    never starting with 0 (ITU-T E.164 country codes never do);
 *  - national short codes (102, 112, 1414): kept as dialled but stored with
 *    a leading '0' so they share the tables' key space with E.164 numbers
 *    without colliding (E.164 never starts with '0').  Table files write them
 *    as `short:102`.
 * The key form in d[] is what every table lookup takes.
 */
#ifndef SF_NUM_H
#define SF_NUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SF_NUM_MAX 16 /* key digits: 15 for E.164, '0' + up to 15 for short */

typedef enum sf_num_kind {
	SF_NUM_NONE = 0, /* no number (missing, anonymous or unparseable) */
	SF_NUM_E164,
	SF_NUM_SHORT,
} sf_num_kind_t;

typedef struct sf_num {
	char d[SF_NUM_MAX + 1]; /* key digits, NUL-terminated for convenience */
	uint8_t len;            /* digits in d */
	uint8_t kind;           /* sf_num_kind_t */
} sf_num_t;

/*
 * Prints n for people: "+77011234567" for E.164, "102" for a short code,
 * "" for none.  buf must hold at least SF_NUM_MAX + 2 bytes.  Returns buf.
 */
char *sf_num_format(const sf_num_t *n, char *buf, size_t size);
/* The same, returning the length written (no printf: replay's hot path). */
size_t sf_num_format_len(const sf_num_t *n, char *buf, size_t size);

/*
 * Parses a number as written in table files and on the command line of
 * `lookup` when it is already E.164: optional '+', then digits; or
 * `short:DIGITS`.  No separators.  Returns 0 or SF_EPARSE.
 */
int sf_num_parse_key(const char *s, size_t len, sf_num_t *out);

static inline bool sf_num_eq(const sf_num_t *a, const sf_num_t *b)
{
	return a->kind == b->kind && a->len == b->len &&
	       __builtin_memcmp(a->d, b->d, a->len) == 0;
}

#endif
