/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_certname.h - matching the names a peer's TLS certificate carries
 * (subjectAltName DNS/URI/IP entries, subject CN) against the patterns
 * of a trunk's client_cert.
 *
 * The names come from the peer: untrusted bytes of any length and
 * content (an embedded NUL, a "*" of its own, control bytes).  The
 * matcher is a pure function with no allocation, linear in practice and
 * bounded (quadratic at worst in lengths capped at SF_CERT_NAME_MAX), and
 * is fuzzed (tests/fuzz/fuzz_certname.c).  OpenSSL extracts the names
 * (sipfilter/proxy/proxy_tls.c); this file never sees a certificate.
 *
 * Pattern syntax: bytes compared ASCII case-insensitively; '*' matches
 * any run (possibly empty) of bytes other than '.', so "sbc*.a.example"
 * matches "sbc1.a.example" but not "sbc1.evil.a.example", and "*"
 * alone matches one label.  A '*' in the peer's name is just a byte.
 * A name with a byte outside printable ASCII (NUL, controls, 8-bit)
 * matches nothing.
 */
#ifndef SF_CERTNAME_H
#define SF_CERTNAME_H

#include <stdbool.h>
#include <stddef.h>

#include "sf_config.h"

#define SF_CERT_NAME_MAX 1024 /* longer peer names match nothing */

/* Is pattern[0..len) a usable pattern (1..255 printable ASCII bytes, no
 * space, at most 4 '*')?  false with why filled otherwise. */
bool sf_cert_pattern_check(const char *pattern, size_t len, char *why,
			   size_t whysize);

/* Does name[0..len) (untrusted) match the NUL-terminated pattern? */
bool sf_cert_name_match(const char *pattern, const char *name, size_t len);

/* The names of one peer certificate, as views into the caller's
 * memory (the proxy's OpenSSL objects). */
#define SF_CERT_MAX_NAMES 32
typedef struct sf_peer_names {
	const char *san[SF_CERT_MAX_NAMES]; /* DNS, URI, IP as text */
	size_t san_len[SF_CERT_MAX_NAMES];
	size_t n_san;
	const char *cn[4];                  /* subject CNs */
	size_t cn_len[4];
	size_t n_cn;
} sf_peer_names_t;

/* Do the names satisfy t's client_cert patterns: some SAN matches some
 * `san` pattern, or some CN matches some `subject` pattern?  (The CA
 * part is the proxy's: the chain is verified against t->cert.ca.) */
bool sf_cert_names_match(const sf_trunk_t *t, const sf_peer_names_t *n);

#endif
