/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_sip.h - strict, bounded, linear scan of a raw SIP message.
 *
 * Before any grammar library sees a byte, sf_sip_scan() walks the message
 * once, left to right, and either refuses it with a reason or records where
 * the start line, each header and the body are.  It exists because
 * libosip2's whole-message parse is lenient (Content-Length wrapping at
 * 2^32, `From\x01:` stored as an unknown header, messages without Via
 * accepted) and super-linear on crafted input; a differential between what
 * we read and what the next hop reads is a spoofing hole.  So this scanner
 * refuses anything two parsers could read differently:
 *  - header names must be RFC 3261 tokens followed by optional SP/HT and ':'
 *    (HCOLON); control bytes anywhere in the header section are refused,
 *    except HT; NUL anywhere before the body is refused;
 *  - lines end in CRLF; a bare CR or bare LF is refused; folded lines
 *    (CRLF followed by SP/HT) belong to the header above;
 *  - singleton headers (From, To, Call-ID, CSeq, Max-Forwards,
 *    Content-Length, and their compact forms) appear once; From/To carry
 *    one value (a comma outside quotes and <> is refused);
 *  - Content-Length is 1..10 DIGITs, <= the size cap; for a datagram it
 *    must not exceed the bytes present (RFC 3261 §18.3);
 *  - the request line is METHOD SP Request-URI SP SIP/2.0 with single SPs;
 *    the status line is SIP/2.0 SP 3DIGIT SP phrase; CSeq's method must
 *    equal the request method;
 *  - caps: message size, header count, line length.
 * Work is O(message length) with small constants; no allocation.
 *
 * Deliberate decisions beyond the list above (each has a unit test):
 *  - the Request-URI must be scheme ":" followed by visible ASCII (no SP,
 *    control or non-ASCII byte: RFC 3261 §19.1.1 needs escaping), so
 *    "<sip:...>" as a Request-URI (RFC 4475 ltgtruri) is refused;
 *  - the version must be exactly "SIP/2.0" (upper case, as §7.1 says
 *    implementations MUST send); "SIP/7.0" or "sip/2.0" -> version error;
 *  - the status line needs the SP after the code even when the phrase is
 *    empty; the phrase may hold UTF-8 (RFC 4475 unreason/noreason);
 *  - the method is any token and is case-sensitive (§7.1): "invite" is
 *    accepted as a method named "invite", and sf_sip_is_invite() is false
 *    for it, so the engine treats it as "not an INVITE", not as an INVITE
 *    that escaped judgement;
 *  - From/To must be one clean value: besides the comma rule, an
 *    unterminated quoted string, unbalanced or repeated <>, or whitespace
 *    inside <> is refused (SF_SIP_E_BAD_VALUE; RFC 4475 quotbal, badaspec);
 *    an empty From, To, Call-ID or Via value is refused likewise, and a
 *    Call-ID containing whitespace or a comma too;
 *  - Max-Forwards is only checked for duplicates here (its value is the
 *    proxy's business); other headers' values are not looked at.
 *
 * Results are views (sf_str_t) into the caller's buffer, which must outlive
 * the sf_sipmsg_t.  Thread-safe: no globals.
 */
#ifndef SF_SIP_H
#define SF_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/sf_str.h"

#define SF_SIP_MAX_HEADERS 96    /* header lines kept; more = refused */
#define SF_SIP_MAX_LINE 4096     /* bytes in one (unfolded) header */
#define SF_SIP_DEFAULT_MAX_MESSAGE 16384

/* Headers the filter or proxy cares about; everything else is OTHER. */
typedef enum sf_hdr_id {
	SF_HDR_OTHER = 0,
	SF_HDR_VIA,            /* v */
	SF_HDR_FROM,           /* f */
	SF_HDR_TO,             /* t */
	SF_HDR_CALL_ID,        /* i */
	SF_HDR_CSEQ,
	SF_HDR_MAX_FORWARDS,
	SF_HDR_CONTENT_LENGTH, /* l */
	SF_HDR_CONTENT_TYPE,   /* c */
	SF_HDR_CONTACT,        /* m */
	SF_HDR_ROUTE,
	SF_HDR_RECORD_ROUTE,
	SF_HDR_PAI,            /* P-Asserted-Identity */
	SF_HDR_PPI,            /* P-Preferred-Identity */
	SF_HDR_RPID,           /* Remote-Party-ID */
	SF_HDR_PRIVACY,
	SF_HDR_DIVERSION,
	SF_HDR_HISTORY_INFO,
	SF_HDR_USER_AGENT,
	SF_HDR_COUNT
} sf_hdr_id_t;

typedef struct sf_sip_hdr {
	sf_hdr_id_t id;
	sf_str_t name;   /* as written */
	sf_str_t value;  /* after HCOLON, trimmed; may contain folds (CRLF+WSP) */
	uint32_t start;  /* offset of the first byte of the line */
	uint32_t end;    /* offset just past the line's final CRLF */
} sf_sip_hdr_t;

/* Why a message was refused.  Stable names: see sf_sip_error_name(). */
typedef enum sf_sip_error {
	SF_SIP_OK = 0,
	SF_SIP_E_EMPTY,          /* nothing but CRLFs (keep-alive) */
	SF_SIP_E_TOO_BIG,        /* over the size cap */
	SF_SIP_E_START_LINE,     /* bad request/status line */
	SF_SIP_E_VERSION,        /* not SIP/2.0 */
	SF_SIP_E_HEADER_NAME,    /* non-token byte in a header name, no colon */
	SF_SIP_E_CONTROL_CHAR,   /* NUL or control byte in the header section */
	SF_SIP_E_LINE_ENDING,    /* bare CR or LF */
	SF_SIP_E_LINE_TOO_LONG,
	SF_SIP_E_TOO_MANY_HEADERS,
	SF_SIP_E_NO_END,         /* header section not terminated by CRLFCRLF */
	SF_SIP_E_DUPLICATE,      /* a singleton header repeated */
	SF_SIP_E_MULTI_VALUE,    /* comma-separated values in From/To */
	SF_SIP_E_CONTENT_LENGTH, /* not 1*10DIGIT, or beyond the bytes present */
	SF_SIP_E_MISSING,        /* Via/From/To/Call-ID/CSeq missing */
	SF_SIP_E_CSEQ,           /* bad CSeq or method mismatch */
	SF_SIP_E_BAD_VALUE,      /* From/To/Call-ID/Via value not one clean
				    value (empty, unbalanced "" or <>) */
	SF_SIP_E_COUNT
} sf_sip_error_t;

typedef struct sf_sip_limits {
	uint32_t max_message;   /* bytes; 0 = SF_SIP_DEFAULT_MAX_MESSAGE */
	bool stream;            /* TCP: Content-Length mandatory (§18.3) */
} sf_sip_limits_t;

/*
 * Every offset below (hdrs[].start/end, start_line_end, header_end,
 * body_start, len, error_offset) is relative to buf, which points at the
 * first byte of the start line, i.e. at the scanned buffer + skipped.
 * Only hdrs[0..n_hdrs) are written; later entries are left as they were
 * (the struct is not cleared, to keep the scan cheap).
 */
typedef struct sf_sipmsg {
	const char *buf;       /* the start line: input + skipped */
	uint32_t len;          /* length of this message (start line to body end) */
	uint32_t skipped;      /* bytes of leading CRLFs before the start line */
	bool is_request;
	/* request line */
	sf_str_t method;
	sf_str_t ruri;
	/* status line */
	uint16_t status;
	sf_str_t phrase;
	/* start line as a whole, and its end offset (past CRLF) */
	uint32_t start_line_end;
	/* headers, in order */
	sf_sip_hdr_t hdrs[SF_SIP_MAX_HEADERS];
	uint16_t n_hdrs;
	int16_t first[SF_HDR_COUNT]; /* index into hdrs of the first, or -1 */
	uint16_t count[SF_HDR_COUNT];
	/* CSeq parsed */
	uint32_t cseq_num;
	sf_str_t cseq_method;
	/* -1 if no Content-Length header */
	int64_t content_length;
	uint32_t header_end;   /* offset of the blank line's CRLF */
	uint32_t body_start;   /* offset of the first body byte */
	sf_str_t body;
	sf_sip_error_t error;  /* SF_SIP_OK if accepted */
	uint32_t error_offset; /* where the problem was seen */
} sf_sipmsg_t;

/*
 * Scans buf[0..len) as one message (a datagram, or one framed TCP message).
 * Returns 0 and fills *m, or -1 with m->error/m->error_offset set.  When the
 * Content-Length is smaller than what follows (allowed on UDP), the message
 * ends there and m->len says where.  Never reads past len.  lim may be
 * NULL (datagram, default size cap).  len over the cap is SF_SIP_E_TOO_BIG
 * before any byte is read.  Without Content-Length a datagram's body is
 * the rest of the buffer; on a stream (lim->stream) it is
 * SF_SIP_E_CONTENT_LENGTH.  On refusal, the fields other than error and
 * error_offset hold whatever was read so far: do not use them.
 */
int sf_sip_scan(const char *buf, size_t len, const sf_sip_limits_t *lim,
		sf_sipmsg_t *m);

/*
 * Stream framing (TCP): looks for one complete message at the start of
 * buf[0..len).  Returns the message length (> 0) when complete, 0 when more
 * bytes are needed, or -1 when the data can never become a valid message
 * (no Content-Length, bad or repeated Content-Length, a bare LF in the
 * header section, over max_message; 0 = SF_SIP_DEFAULT_MAX_MESSAGE).
 * Content-Length is read with sf_sip_scan()'s rules (full or compact `l`
 * name, any case, HCOLON, 1*10DIGIT, folds allowed around the digits).
 * Leading CRLF keep-alives count as part of the message length; a buffer
 * holding only CRLF pairs so far (RFC 5626 ping) is returned as a
 * complete "message" of that many bytes, which sf_sip_scan() calls
 * SF_SIP_E_EMPTY, so keep-alives never pile up in the buffer.
 * O(len), no state: callers keep the buffer and call again as bytes
 * arrive, rescanning from the start each time; at <= 64 KiB per message
 * that costs less than one extra copy would.  Framing does not validate
 * the message: pass the returned bytes to sf_sip_scan(lim->stream=true).
 */
long sf_sip_frame(const char *buf, size_t len, uint32_t max_message);

/*
 * The id of a header name (full or compact form, any case; exact length,
 * no surrounding whitespace), SF_HDR_OTHER if not one we track.
 */
sf_hdr_id_t sf_sip_hdr_id(const char *name, size_t len);

/* Index-based access: the i-th header of an id (i from 0), or NULL. */
const sf_sip_hdr_t *sf_sip_hdr_nth(const sf_sipmsg_t *m, sf_hdr_id_t id,
				   unsigned i);

/* "too-big", "header-name", ... never NULL ("?" out of range). */
const char *sf_sip_error_name(sf_sip_error_t e);

/* Method is INVITE (exact, case-sensitive as RFC 3261 §7.1 says). */
bool sf_sip_is_invite(const sf_sipmsg_t *m);

#endif
