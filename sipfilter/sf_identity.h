/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_identity.h - the identities of one call, extracted from a scanned SIP
 * request.
 *
 * sf_call_extract() takes an sf_sipmsg_t (already accepted by the strict
 * scanner) and pulls out the calling and called identities: From, To,
 * Request-URI, P-Asserted-Identity (up to two values: sip and tel),
 * P-Preferred-Identity, Remote-Party-ID, Privacy, Diversion and
 * History-Info, Call-ID.  The grammar of each header value (name-addr,
 * addr-spec, URI, tel) is parsed by libosip2 - on a bounded, unfolded
 * copy of that one value, never the whole message nor the body.  Each
 * URI's user part is then normalised with sf_normalize().
 *
 * The presented number is the first usable identity in the configured
 * order (default PAI, RPID, From).  libosip2 stays behind this file: no
 * other module includes its headers.
 *
 * Views in sf_call_t point into the message buffer; numbers are copies.
 * Thread-safe after sf_identity_global_init() has run once (libosip2's
 * parser_init), before any thread calls sf_call_extract().
 */
#ifndef SF_IDENTITY_H
#define SF_IDENTITY_H

#include <stdbool.h>

#include "../base/sf_num.h"
#include "../base/sf_str.h"
#include "../config/sf_config.h"
#include "sf_normalize.h"
#include "sf_sip.h"

#define SF_CALL_MAX_PAI 2
#define SF_CALL_MAX_DIVERSION 4

typedef struct sf_ident {
	bool present;            /* the header/value exists */
	sf_str_t uri;            /* the URI text (view; may be empty) */
	sf_norm_status_t status; /* normalisation result */
	sf_num_t num;            /* valid when status == SF_NORM_OK */
} sf_ident_t;

typedef struct sf_call {
	sf_str_t call_id;
	sf_ident_t from, to, ruri;
	sf_ident_t pai[SF_CALL_MAX_PAI];
	unsigned n_pai;
	sf_ident_t ppi, rpid;
	sf_ident_t diversion[SF_CALL_MAX_DIVERSION]; /* Diversion, then H-I */
	unsigned n_diversion;
	bool privacy_id;         /* Privacy: id / header / user, or RPID privacy */
	/* The Request-URI is an emergency service URN (urn:service:sos or a
	 * sub-service such as urn:service:sos.police, RFC 5031): the call is
	 * an emergency call whatever the called number says. */
	bool emergency_urn;
	/* The presented identity picked by the configured order. */
	sf_id_source_t presented_source;
	const sf_ident_t *presented; /* points into this struct; NULL if none */
	/* The called number: Request-URI user, else To. */
	const sf_ident_t *called;
} sf_call_t;

/* Calls libosip2's parser_init().  Call once per process before threads. */
void sf_identity_global_init(void);

/*
 * Fills *call from m (an accepted request).  Always succeeds for an
 * accepted message: unparseable values are recorded as statuses.  Returns 0,
 * or -1 only if m is not a request.
 */
int sf_call_extract(const sf_cfg_t *cfg, const sf_sipmsg_t *m,
		    sf_call_t *call);

/* Fills a synthetic call for `lookup`: presented and called numbers given
 * as text. */
void sf_call_from_numbers(const sf_cfg_t *cfg, const char *presented,
			  const char *called, sf_call_t *call);

#endif
