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
 * Visual separators (RFC 3966: - . ( ), plus space, which a URI can only
 * carry as %20 while typed text may have it raw) are removed.  Only ASCII
 * 0-9 count as digits; any other byte left after unescaping (including a
 * %00, which would otherwise truncate a C string) makes the number
 * unparseable.  user parameters after ';' (npdi, rn=, isub=, ext=) are
 * dropped before the digits are read, as RFC 4694/3966 intend.
 *
 * Reading, in this order (the first step that applies decides):
 *  0. refusals: empty -> EMPTY; more than SF_NORM_MAX_INPUT bytes in all,
 *     or more than SF_NORM_MAX_NUMBER before the first ';' -> TOO_LONG
 *     (nothing is scanned); the number part equal, ignoring case, to
 *     anonymous, unknown, restricted, unavailable, private or withheld
 *     -> ANONYMOUS; a malformed escape, %00, or an escape decoding to
 *     anything but a digit, separator or '+' -> BAD_ESCAPE; any other
 *     byte that is not a digit or separator, or a '+' that is not the
 *     very first character -> BAD_CHAR; more than 32 raw digits ->
 *     TOO_LONG.
 *  1. '+' first: the digits are E.164 as they stand; 7..15 digits (the
 *     shortest real numbers, e.g. Niue +683 xxxx, have 7), not starting
 *     with 0 (-> BAD_CHAR).  A phone-context is ignored: RFC 3966 §5.1.5
 *     gives contexts to local numbers only.
 *  2. an international prefix from the rules, longest first, when what
 *     follows is 8..15 digits not starting with 0: "810 44 20 ..." and
 *     "00 49 ..." -> the rest is E.164.  Tried before the national prefix
 *     because "8" is also a prefix of "810": in world zone 7 no national
 *     significant number starts with "10", so "810..." with a plausible
 *     remainder is always international, and "8 701 ..." never matches.
 *  3. national prefix + exactly national_length digits -> cc + NSN.
 *  4. exactly cc + national_length digits starting with cc -> E.164.
 *  5. exactly national_length digits -> cc + NSN.
 *  6. at most max_short_length digits -> SF_NUM_SHORT (key '0'+digits).
 *  7. only when no phone-context was given: 8..15 digits not starting
 *     with 0 -> E.164 without its '+' (foreign carriers often drop it;
 *     the numbering plan then judges range and length).
 *  8. otherwise TOO_LONG above 15 digits, else TOO_SHORT.
 * A local number (no '+') with a phone-context:
 *  - "+CC..." equal to our country code: steps 2-6 (so "8701...",
 *    "701..." and "102" read as they would when dialled at home);
 *  - another "+digits" context: E.164 = context digits + local digits
 *    (RFC 3966 §5.1.5), TOO_LONG above 15, TOO_SHORT below 7;
 *  - a domain name (e.g. ims.mnc001.mcc401.3gppnetwork.org): we cannot
 *    know that domain's dialling plan, so the number counts only if steps
 *    2-6 read it; otherwise BAD_CONTEXT;
 *  - empty, malformed, or "+" without digits -> BAD_CONTEXT.
 * The phone-context is taken from the argument, else from a
 * ";phone-context=" user parameter (a sip: user part carries it there).
 *
 * Pure, allocation-free, thread-safe.  Work is O(input length), and the
 * input length is capped.
 */
#ifndef SF_NORMALIZE_H
#define SF_NORMALIZE_H

#include "base/sf_num.h"
#include "base/sf_str.h"
#include "config/sf_config.h"

#define SF_NORM_MAX_INPUT 128  /* bytes of user part incl. parameters */
#define SF_NORM_MAX_NUMBER 64  /* bytes of the number before ';' */
#define SF_NORM_MAX_DIGITS 15  /* E.164 (ITU-T E.164 §6) */
#define SF_NORM_MIN_E164 7     /* digits of the shortest '+' number */
#define SF_NORM_MIN_INTL 8     /* digits read as international w/o '+' */

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
 * Normalises user (the sip user part or tel number, raw: still %-escaped,
 * parameters included) given phone_context (the raw value of the
 * phone-context parameter if the caller found one in the URI parameters,
 * else an empty view).  Both are read with explicit lengths; neither need
 * be NUL-terminated.  Returns SF_NORM_OK and fills *out, or another status
 * with *out zeroed (kind = SF_NUM_NONE).
 */
sf_norm_status_t sf_normalize(const sf_dialling_t *d, sf_str_t user,
			      sf_str_t phone_context, sf_num_t *out);

/*
 * Normalises a number typed by a person (lookup's argument, dialled
 * digits): same rules, but '%' is an ordinary (bad) character, raw spaces
 * are separators and leading/trailing blanks are ignored, so
 * "+7 (701) 123-45-67" and "8 701 123 45 67" both read.  text may be NULL
 * (-> EMPTY); at most SF_NORM_MAX_INPUT + 1 bytes of it are looked at.
 */
sf_norm_status_t sf_normalize_text(const sf_dialling_t *d, const char *text,
				   sf_num_t *out);

/*
 * Finds the phone-context parameter (name matched ignoring case) in params,
 * a ';'-separated list of name[=value] without the leading ';' (the text
 * after a tel: number, or after a sip: user part's first ';').  Returns 1
 * and sets *ctx to the raw value (a view into params), 0 if there is none,
 * or -1 if it is there with an empty or missing value (-> BAD_CONTEXT).
 */
int sf_norm_find_context(sf_str_t params, sf_str_t *ctx);

/* "ok", "empty", "anonymous", "bad-char", ... ("?" out of range). */
const char *sf_norm_status_name(sf_norm_status_t s);

#endif
