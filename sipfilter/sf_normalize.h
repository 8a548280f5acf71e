/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_normalize.h - reduce a presented number to its key form (E.164 digits
 * or a national short code), using the configured dialling rules.
 *
 * Input is the user part of a sip:/sips: URI or the number of a tel: URI
 * (still %-escaped, parameters included), plus the URI parameters that
 * matter (user=phone, phone-context).  Accepted shapes:
 *   +77011234567, %2B77011234567            international with '+'
 *   77011234567                             E.164 without '+' (cc + NSN)
 *   87011234567                             national prefix + NSN
 *   81077011234567, 0077011234567           international prefixes
 *   7011234567                              bare NSN (national_length digits)
 *   7011234567;phone-context=+7             local number + context
 *   102, 112                                short codes (<= max_short_length)
 * Visual separators (RFC 3966: - . ( ) and space) are removed.  Only ASCII
 * 0-9 count as digits; any other byte left after unescaping (including a
 * %00, which would otherwise truncate a C string) makes the number
 * unparseable.  user parameters after ';' (npdi, rn=, isub=, ext=) are
 * dropped before the digits are read, as RFC 4694/3966 intend.
 *
 * Pure, allocation-free, thread-safe.  Work is O(input length).
 */
#ifndef SF_NORMALIZE_H
#define SF_NORMALIZE_H

#include "../base/sf_num.h"
#include "../base/sf_str.h"
#include "../config/sf_config.h"

typedef enum sf_norm_status {
	SF_NORM_OK = 0,
	SF_NORM_EMPTY,        /* no user part */
	SF_NORM_ANONYMOUS,    /* "anonymous", "unknown", "restricted", ... */
	SF_NORM_BAD_CHAR,     /* a byte that is not a digit or separator */
	SF_NORM_BAD_ESCAPE,   /* malformed or forbidden %-escape (e.g. %00) */
	SF_NORM_TOO_LONG,     /* more than 15 digits */
	SF_NORM_TOO_SHORT,    /* neither a short code nor a full number */
	SF_NORM_BAD_CONTEXT,  /* phone-context we cannot apply */
	SF_NORM_BAD_URI,      /* header value or URI did not parse (identity) */
} sf_norm_status_t;

/*
 * Normalises user (the sip user part or tel number, raw) given
 * phone_context (value of the phone-context parameter if it was in the URI
 * parameters, else empty).  Returns SF_NORM_OK and fills *out, or another
 * status with out->kind = SF_NUM_NONE.
 */
sf_norm_status_t sf_normalize(const sf_dialling_t *d, sf_str_t user,
			      sf_str_t phone_context, sf_num_t *out);

/* Normalises a number typed by a person (lookup's argument, dialled
 * digits): same rules, no URI escapes. */
sf_norm_status_t sf_normalize_text(const sf_dialling_t *d, const char *text,
				   sf_num_t *out);

const char *sf_norm_status_name(sf_norm_status_t s);

#endif
