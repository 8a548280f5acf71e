/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_identity.h - the identities of one call, extracted from a scanned SIP
 * request.
 *
 * sf_call_extract() takes an sf_sipmsg_t (already accepted by the strict
 * scanner) and pulls out the calling and called identities: From, To,
 * Request-URI, P-Asserted-Identity (up to two values: sip and tel),
 * P-Preferred-Identity, Remote-Party-ID, Privacy, Diversion and
 * History-Info, Call-ID.  Comma lists are split by us (outside quotes and
 * <>).  The grammar of each value (name-addr, addr-spec, URI, tel) is
 * checked by libosip2 - on a bounded (SF_IDENT_VALUE_MAX = 1 KiB; longer
 * is SF_NORM_BAD_URI), unfolded copy of that one value, never the whole
 * message nor the body - except for the plain shapes of identity_fast.h,
 * which a differential test shows libosip2 reads identically.
 *
 * The number is never taken from libosip2's unescaped username (a %00
 * would truncate it there): the raw, still-escaped user part (sip/sips)
 * or number (tel, with its phone-context) is located in the bytes and
 * given to sf_normalize(), which refuses %00.  When that succeeds but our
 * decoding of the user part differs from libosip2's (e.g. a malformed
 * escape in a user parameter), the value is SF_NORM_BAD_URI: the filter
 * and a libosip2-like next hop must not read two different numbers.
 * Other schemes (mailto:, http:, ...) are SF_NORM_BAD_URI; a sip URI
 * without user part is SF_NORM_EMPTY; user=phone is informational.
 *
 * Decisions:
 *  - anonymous: a user part that is an anonymity word (sf_normalize.h),
 *    or any non-number user at host "anonymous.invalid" (RFC 3325 §9.3),
 *    is SF_NORM_ANONYMOUS; a real number stays a number whatever the host;
 *  - privacy_id: a Privacy token "id", "header" or "user" (RFC 3323/3325;
 *    ';' or ',' separated, any case), or privacy=full|name|uri on the
 *    Remote-Party-ID used;
 *  - Remote-Party-ID: the first value with no party or party=calling
 *    (party=called describes the callee);
 *  - PAI: up to SF_CALL_MAX_PAI values, across lines, in order;
 *  - diversion[]: Diversion values first (RFC 5806, all of them diverting
 *    parties), then History-Info entries (RFC 7044) except the last one,
 *    which is the current target; a single H-I entry adds nothing;
 *    SF_CALL_MAX_DIVERSION in all;
 *  - PAI: every value is counted; RFC 3325 §9.1 allows one sip/sips and
 *    one tel value at most, so three or more, or two of one scheme, set
 *    pai_malformed (admission refuses the request); a sip and a tel
 *    value that normalise to different numbers set identity_conflict;
 *  - display numbers: the display name of From and of the first PAI
 *    value, when it reads as a telephone number - the whole name made of
 *    digits, visual separators (space - . ( ) /) and a leading '+', with
 *    at least 3 digits, or else its longest such run with at least 7
 *    digits ("Bank 8 (727) 250-00-00") - and normalises;
 *    from_display/pai_display are present only then;
 *  - presented: for each source in cfg->identity_order (default PAI,
 *    RPID, From) its candidate (for PAI the first value that normalises,
 *    else the first value); the first candidate with SF_NORM_OK wins; if
 *    none is OK, the first present candidate (so an unparseable or
 *    anonymous identity is visible); NULL if no configured source is
 *    present.  This is the `first` identity; the engine judges every one;
 *  - called: the Request-URI, always (with its status when it does not
 *    normalise): exemptions are decided where the core routes, never by
 *    To;
 *  - urn:service:sos (and sub-services) as Request-URI: emergency_urn,
 *    ruri.status = SF_NORM_EMPTY.
 * Identities that are absent have present = false and status
 * SF_NORM_EMPTY (never a zeroed SF_NORM_OK); num is set only with OK.
 *
 * Views in sf_call_t point into the message buffer; numbers are copies.
 * Cost: ~100-150 ns per plain value, ~300-500 ns per libosip2 value.
 * Thread-safe after sf_identity_global_init() has run once (libosip2's
 * parser_init fills global tables; it is not itself thread-safe), before
 * any thread calls sf_call_extract(); no other global state.  libosip2
 * stays behind sf_ident_read.c and identity_fast.c: no other file includes
 * its headers.
 */
#ifndef SF_IDENTITY_H
#define SF_IDENTITY_H

#include <stdbool.h>

#include "base/sf_num.h"
#include "base/sf_str.h"
#include "config/sf_config.h"
#include "sf_normalize.h"
#include "sf_sip.h"

/* Longest header value (or Request-URI) copied and parsed; longer ones
 * are SF_NORM_BAD_URI.  Also the stack buffer size per value. */
#define SF_IDENT_VALUE_MAX 1024

#define SF_CALL_MAX_PAI 2
#define SF_CALL_MAX_DIVERSION 4

/* The scheme of an identity's URI. */
typedef enum sf_uri_scheme {
	SF_SCHEME_NONE = 0, /* no URI (display names, lookup's numbers) */
	SF_SCHEME_SIP,      /* sip: or sips: */
	SF_SCHEME_TEL,
	SF_SCHEME_OTHER,
} sf_uri_scheme_t;

typedef struct sf_ident {
	bool present;            /* the header/value exists */
	sf_str_t uri;            /* the URI text (view; may be empty); for a
				    display number the display name */
	sf_norm_status_t status; /* normalisation result */
	sf_num_t num;            /* valid when status == SF_NORM_OK */
	uint8_t scheme;          /* sf_uri_scheme_t */
} sf_ident_t;

typedef struct sf_call {
	sf_str_t call_id;
	sf_ident_t from, ruri;
	sf_ident_t pai[SF_CALL_MAX_PAI];
	unsigned n_pai;
	unsigned n_pai_values;   /* every PAI value, also past the first two */
	bool pai_malformed;      /* RFC 3325 §9.1 broken (see above) */
	bool identity_conflict;  /* sip and tel PAI numbers differ */
	sf_ident_t from_display; /* number in From's display name */
	sf_ident_t pai_display;  /* number in the first PAI's display name */
	sf_ident_t ppi, rpid;
	sf_ident_t diversion[SF_CALL_MAX_DIVERSION]; /* Diversion, then H-I */
	unsigned n_diversion;
	bool privacy_id;         /* Privacy: id/header/user, or RPID privacy */
	/* The Request-URI is an emergency service URN (urn:service:sos or a
	 * sub-service such as urn:service:sos.police, RFC 5031): the call is
	 * an emergency call whatever the called number says. */
	bool emergency_urn;
	/* The presented identity picked by the configured order. */
	sf_id_source_t presented_source;
	const sf_ident_t *presented; /* points into this struct; NULL if none */
	/* The called number: the Request-URI's (NULL for lookup without
	 * one). */
	const sf_ident_t *called;
} sf_call_t;

/* Calls libosip2's parser_init().  Call once per process, before threads
 * start and before the first sf_call_extract(). */
void sf_identity_global_init(void);

/*
 * Fills *call from m (an accepted request; m and its buffer must outlive
 * *call, whose views and pointers refer to them and to *call itself).
 * Always succeeds for an accepted message: unparseable values are recorded
 * as statuses.  Returns 0, or -1 (with *call cleared) if m is not a
 * request.  No allocation of ours; libosip2 allocates and frees inside.
 */
int sf_call_extract(const sf_cfg_t *cfg, const sf_sipmsg_t *m,
		    sf_call_t *call);

/*
 * Fills a synthetic call for `lookup`: presented and called numbers given
 * as text (sf_normalize_text rules).  presented becomes the From identity
 * and call->presented (source SF_ID_FROM); called becomes the Request-URI
 * and call->called; a NULL text leaves that identity absent (and the
 * pointer NULL).  The uri views point at the given strings, which must
 * outlive *call.
 */
void sf_call_from_numbers(const sf_cfg_t *cfg, const char *presented,
			  const char *called, sf_call_t *call);

/* The same with a network number too: network (may be NULL) becomes the
 * PAI identity, and call->presented follows identity_order. */
void sf_call_from_identities(const sf_cfg_t *cfg, const char *presented,
			     const char *network, const char *called,
			     sf_call_t *call);

/*
 * A number in the display name of value (a From/PAI name-addr), into *id
 * (present with SF_NORM_OK only when there is one; see above).  Pure.
 */
void sf_ident_read_display(const sf_dialling_t *d, sf_str_t value,
			   sf_ident_t *id);

/* --- single values, for the proxy and the differential tests ---------- */

/* Header parameters the identity reader wants (RPID). */
typedef struct sf_ident_extra {
	bool rpid_privacy; /* privacy=full|name|uri */
	bool party_called; /* party=called */
} sf_ident_extra_t;

/*
 * The reading of one name-addr/addr-spec value v into *id (and *x if not
 * NULL), and of a Request-URI.  allow_fast = false forces libosip2 for
 * every value; sf_call_extract() passes true.  Thread-safe.
 */
void sf_ident_read_value(const sf_dialling_t *d, sf_str_t v, sf_ident_t *id,
			 sf_ident_extra_t *x, bool allow_fast);
void sf_ident_read_ruri(const sf_dialling_t *d, sf_str_t v, sf_ident_t *id,
			bool *sos, bool allow_fast);

/*
 * Splits a header value at commas outside "..." and <...>, trimming
 * blanks and folds and skipping empty elements; stores up to max views
 * (into v) in out and returns the total number of elements.
 */
size_t sf_ident_split(sf_str_t v, sf_str_t *out, size_t max);

#endif
