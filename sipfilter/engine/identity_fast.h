/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * identity_fast.h - internal to the engine and its tests: the strict
 * grammar of the common identity shapes, which lets extraction skip
 * libosip2 (the two reading paths are in sf_identity.h, so a differential
 * test can prove they agree).
 *
 * libosip2 costs ~400 ns per header value (it allocates every part), which
 * is most of the ~1 µs budget for a whole INVITE.  Nearly all real values
 * are one of a few plain shapes:
 *     ["Name" | Name words] <sip:USER@HOST[:PORT][;uparams]>[;params]
 *     <tel:NUMBER[;params]>[;params]     sip:USER@HOST[;params]
 * For those, sf_idfast_value_ok() says yes and sf_identity.c reads the URI
 * itself (the same raw-bytes reading it does after libosip2 anyway); for
 * anything else - quoted-pairs, blanks around '=' or ';', URI headers
 * ('?'), passwords, other schemes, odd bytes - libosip2 decides as before.
 * The subset is chosen so that libosip2 accepts every value in it and
 * reads the same scheme and user part; tests/fuzz/fuzz_identity.c and
 * test_identity.c check exactly that, value by value, on every input they
 * see (both paths must give the same status, number and URI view).
 */
#ifndef SF_IDENTITY_FAST_H
#define SF_IDENTITY_FAST_H

#include <stdbool.h>
#include <stddef.h>

#include "base/sf_str.h"

/* True if s[0..len) (a header value copy: no CR, LF, HT or NUL) is in
 * the plain subset above. */
bool sf_idfast_value_ok(const char *s, size_t len);

/* True if the Request-URI s[0..len) is a plain sip:/sips:/tel: URI of
 * the subset (user part required for sip). */
bool sf_idfast_ruri_ok(const char *s, size_t len);

/*
 * What the recogniser saw, so the reader need not look again.  Views
 * into the recognised text; set only when the parse returns true.
 */
typedef struct sf_idfast_parts {
	bool tel;         /* tel: URI; else sip: or sips: */
	sf_str_t uri;     /* the URI (inside <>, the addr-spec, or the R-URI) */
	sf_str_t user;    /* sip: raw user part; tel: the number */
	sf_str_t host;    /* sip: host without port; tel: empty */
	sf_str_t tparams; /* tel: parameters after the number's ';' (no
			     leading ';'); NULL view if none */
	sf_str_t hparams; /* header parameters from their first ';' (values
			     only; empty for a Request-URI) */
} sf_idfast_parts_t;

/*
 * The same decisions as sf_idfast_value_ok() / sf_idfast_ruri_ok() (they
 * are wrappers), plus the parts.  Any byte below 0x20 or DEL outside a
 * quoted display name, and any control byte inside one, is refused, so
 * these may be run on a raw header value (folds and tabs included): they
 * then accept exactly when the raw bytes equal their unfolded copy and
 * the copy is in the subset.
 */
bool sf_idfast_value_parse(const char *s, size_t len, sf_idfast_parts_t *p);
bool sf_idfast_ruri_parse(const char *s, size_t len, sf_idfast_parts_t *p);

#endif
