/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_sip.c - unit tests of the strict SIP scanner (sipfilter/engine/sf_sip.c).
 *
 * Covers every view of a normal INVITE, compact forms and folding, each row
 * of the parser-behaviour table in reliability.md §1.3 (the cases where a
 * lenient parser and the next hop could disagree), responses, the caps,
 * stream framing split at every byte offset, and the RFC 4475 / RFC 5118
 * torture messages from $SF_SHARED with the outcome pinned per file.
 * Inputs that must not be over-read are copied into exact-size heap
 * buffers so AddressSanitizer (make asan) sees any read past len.
 */
#include <stdlib.h>
#include <string.h>

#include "sipfilter/engine/sf_sip.h"
#include "t.h"

/* sf_sipmsg_t is large: one scratch for the whole program. */
static sf_sipmsg_t g_m;

static const sf_sip_limits_t DGRAM = {0, false};
static const sf_sip_limits_t STREAM = {0, true};

/* Scans a copy of s[0..n) in an exact-size heap buffer (ASan-visible). The
 * copy is kept until the next call so views stay readable. */
static char *g_copy;
static int scan_n(const char *s, size_t n, const sf_sip_limits_t *lim)
{
	free(g_copy);
	g_copy = malloc(n ? n : 1);
	if (n)
		memcpy(g_copy, s, n);
	return sf_sip_scan(g_copy, n, lim, &g_m);
}

#define SCAN(lit, lim) scan_n((lit), sizeof(lit) - 1, (lim))

/* Checks that lit is refused with error e (names compared: readable). */
#define EXPECT_ERR(lit, lim, e)                                                \
	do {                                                                   \
		int rc_ = SCAN(lit, lim);                                      \
		T_EQ_INT(rc_, -1);                                             \
		T_EQ_STR(sf_sip_error_name(g_m.error), sf_sip_error_name(e));  \
	} while (0)

#define EXPECT_OK(lit, lim)                                                    \
	do {                                                                   \
		int rc_ = SCAN(lit, lim);                                      \
		T_EQ_INT(rc_, 0);                                              \
		T_EQ_STR(sf_sip_error_name(g_m.error), "ok");                  \
	} while (0)

/* Building blocks of a valid request. */
#define RL "INVITE sip:+77022223333@example.kz SIP/2.0\r\n"
#define VIA "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n"
#define MF "Max-Forwards: 70\r\n"
#define FROM "From: \"Alice\" <sip:+77012345678@example.kz>;tag=1928301774\r\n"
#define TO "To: <sip:+77022223333@example.kz>\r\n"
#define CID "Call-ID: a84b4c76e66710@pc33.example.kz\r\n"
#define CSEQ "CSeq: 314159 INVITE\r\n"
#define CL0 "Content-Length: 0\r\n"
#define HDRS VIA MF FROM TO CID CSEQ
#define END "\r\n"

static size_t off_of(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	return p ? (size_t)(p - hay) : (size_t)-1;
}

/* ---------------------------------------------------------------------- */

static const char INVITE_SDP[] =
    "INVITE sip:+77022223333@ims.example.kz;user=phone SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1\r\n"
    "Max-Forwards: 70\r\n"
    "From: \"Alice\" <sip:+77012345678@example.kz;user=phone>"
    ";tag=9fxced76sl\r\n"
    "To: <sip:+77022223333@ims.example.kz;user=phone>\r\n"
    "Call-ID: 3848276298220188511@192.0.2.10\r\n"
    "CSeq: 1 INVITE\r\n"
    "P-Asserted-Identity:   <tel:+77012345678>  \r\n"
    "Contact: <sip:alice@192.0.2.10:5060>\r\n"
    "X-Custom: a\tb\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 134\r\n"
    "\r\n"
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 0\r\n"
    "a=rtpmap:0 PCMU/8000\r\n";

static void test_invite_views(void)
{
	const char *s = INVITE_SDP;
	const sf_sip_hdr_t *h;
	size_t n = sizeof(INVITE_SDP) - 1;
	size_t body = off_of(s, "\r\n\r\n") + 4;

	T_EQ_INT(n - body, 134); /* the literal's body matches its CL */
	T_EQ_INT(scan_n(s, n, &DGRAM), 0);
	T_EQ_INT(g_m.error, SF_SIP_OK);
	T_TRUE(g_m.buf == g_copy);
	T_EQ_INT(g_m.skipped, 0);
	T_EQ_INT(g_m.len, n);
	T_TRUE(g_m.is_request);
	T_TRUE(sf_sip_is_invite(&g_m));
	T_EQ_VIEW(g_m.method, "INVITE");
	T_EQ_VIEW(g_m.ruri, "sip:+77022223333@ims.example.kz;user=phone");
	T_EQ_INT(g_m.start_line_end, off_of(s, "Via:"));
	T_EQ_INT(g_m.n_hdrs, 11);
	T_EQ_INT(g_m.cseq_num, 1);
	T_EQ_VIEW(g_m.cseq_method, "INVITE");
	T_EQ_INT(g_m.content_length, 134);
	T_EQ_INT(g_m.header_end, body - 2);
	T_EQ_INT(g_m.body_start, body);
	T_EQ_INT(g_m.body.len, 134);
	T_TRUE(g_m.body.s == g_copy + body);
	T_TRUE(memcmp(g_m.body.s, "v=0\r\n", 5) == 0);

	static const struct {
		sf_hdr_id_t id;
		const char *name, *value, *line;
	} want[] = {
	    {SF_HDR_VIA, "Via",
	     "SIP/2.0/UDP 192.0.2.10:5060;branch="
	     "z9hG4bK-524287-1",
	     "Via:"},
	    {SF_HDR_MAX_FORWARDS, "Max-Forwards", "70", "Max-Forwards:"},
	    {SF_HDR_FROM, "From",
	     "\"Alice\" <sip:+77012345678@example.kz;"
	     "user=phone>;tag=9fxced76sl",
	     "From:"},
	    {SF_HDR_TO, "To",
	     "<sip:+77022223333@ims.example.kz;"
	     "user=phone>",
	     "To:"},
	    {SF_HDR_CALL_ID, "Call-ID", "3848276298220188511@192.0.2.10",
	     "Call-ID:"},
	    {SF_HDR_CSEQ, "CSeq", "1 INVITE", "CSeq:"},
	    {SF_HDR_PAI, "P-Asserted-Identity", "<tel:+77012345678>",
	     "P-Asserted"},
	    {SF_HDR_CONTACT, "Contact", "<sip:alice@192.0.2.10:5060>",
	     "Contact:"},
	    {SF_HDR_OTHER, "X-Custom", "a\tb", "X-Custom:"},
	    {SF_HDR_CONTENT_TYPE, "Content-Type", "application/sdp",
	     "Content-Type:"},
	    {SF_HDR_CONTENT_LENGTH, "Content-Length", "134", "Content-Length:"},
	};
	for (unsigned i = 0; i < g_m.n_hdrs && i < 11; i++) {
		const sf_sip_hdr_t *x = &g_m.hdrs[i];
		size_t st = off_of(s, want[i].line);
		const char *eol;

		if (st >= n) {
			T_FAIL_AT("no line %s", want[i].line);
			continue;
		}
		eol = strstr(s + st, "\r\n");

		T_EQ_INT(x->id, want[i].id);
		T_EQ_VIEW(x->name, want[i].name);
		T_EQ_VIEW(x->value, want[i].value);
		T_EQ_INT(x->start, st);
		T_EQ_INT(x->end, (size_t)(eol - s) + 2);
		T_TRUE(x->name.s == g_copy + st);
		/* consecutive lines tile the header section */
		if (i)
			T_EQ_INT(x->start, g_m.hdrs[i - 1].end);
	}
	T_EQ_INT(g_m.hdrs[10].end, g_m.header_end);
	T_EQ_INT(g_m.first[SF_HDR_FROM], 2);
	T_EQ_INT(g_m.count[SF_HDR_FROM], 1);
	T_EQ_INT(g_m.first[SF_HDR_RPID], -1);
	T_EQ_INT(g_m.count[SF_HDR_RPID], 0);
	T_EQ_INT(g_m.count[SF_HDR_OTHER], 0); /* OTHER is not counted */
	h = sf_sip_hdr_nth(&g_m, SF_HDR_PAI, 0);
	T_TRUE(h && h == &g_m.hdrs[6]);
	T_TRUE(sf_sip_hdr_nth(&g_m, SF_HDR_PAI, 1) == NULL);
	T_TRUE(sf_sip_hdr_nth(&g_m, SF_HDR_DIVERSION, 0) == NULL);
	T_TRUE(sf_sip_hdr_nth(&g_m, SF_HDR_OTHER, 0) == NULL);
	T_TRUE(sf_sip_hdr_nth(&g_m, SF_HDR_COUNT, 0) == NULL);
}

/* Every proper prefix of a message with a body is refused, without reading
 * past the prefix (exact-size copies; ASan would flag an over-read). */
static void test_every_prefix_refused(void)
{
	size_t n = sizeof(INVITE_SDP) - 1;
	int accepted = 0;

	for (size_t k = 0; k < n; k++) {
		if (scan_n(INVITE_SDP, k, &DGRAM) == 0)
			accepted++;
		if (scan_n(INVITE_SDP, k, &STREAM) == 0)
			accepted++;
	}
	T_EQ_INT(accepted, 0);
	T_EQ_INT(scan_n(INVITE_SDP, n, &STREAM), 0);
}

static void test_compact_forms(void)
{
	const sf_sip_hdr_t *h;

	EXPECT_OK("OPTIONS sip:a@example.com SIP/2.0\r\n"
		  "v: SIP/2.0/UDP h1;branch=z9hG4bK1\r\n"
		  "V: SIP/2.0/UDP h2;branch=z9hG4bK2\r\n"
		  "f: <sip:+77012345678@example.kz>;tag=1\r\n"
		  "T: sip:b@example.com\r\n"
		  "i: abc@h\r\n"
		  "CSeq: 2 OPTIONS\r\n"
		  "m: <sip:a@h>\r\n"
		  "k: 100rel\r\n"
		  "s: hello\r\n"
		  "e: gzip\r\n"
		  "c: text/plain\r\n"
		  "L:5\r\n"
		  "\r\n"
		  "hello",
		  &DGRAM);
	T_EQ_INT(g_m.count[SF_HDR_VIA], 2);
	T_EQ_INT(g_m.count[SF_HDR_FROM], 1);
	T_EQ_INT(g_m.count[SF_HDR_TO], 1);
	T_EQ_INT(g_m.count[SF_HDR_CALL_ID], 1);
	T_EQ_INT(g_m.count[SF_HDR_CONTACT], 1);
	T_EQ_INT(g_m.count[SF_HDR_CONTENT_TYPE], 1);
	T_EQ_INT(g_m.content_length, 5);
	T_EQ_VIEW(g_m.body, "hello");
	h = sf_sip_hdr_nth(&g_m, SF_HDR_VIA, 1);
	T_TRUE(h != NULL);
	if (h)
		T_EQ_VIEW(h->value, "SIP/2.0/UDP h2;branch=z9hG4bK2");
	/* k, s, e are compact forms of headers we do not track */
	T_EQ_INT(g_m.hdrs[7].id, SF_HDR_OTHER);
	T_EQ_INT(g_m.hdrs[8].id, SF_HDR_OTHER);
	T_EQ_INT(g_m.hdrs[9].id, SF_HDR_OTHER);
	T_EQ_VIEW(g_m.hdrs[8].value, "hello");
}

static void test_header_ids(void)
{
	static const struct {
		const char *name;
		sf_hdr_id_t id;
	} t[] = {
	    {"Via", SF_HDR_VIA},
	    {"v", SF_HDR_VIA},
	    {"FROM", SF_HDR_FROM},
	    {"f", SF_HDR_FROM},
	    {"to", SF_HDR_TO},
	    {"t", SF_HDR_TO},
	    {"call-ID", SF_HDR_CALL_ID},
	    {"I", SF_HDR_CALL_ID},
	    {"cseq", SF_HDR_CSEQ},
	    {"Max-Forwards", SF_HDR_MAX_FORWARDS},
	    {"content-length", SF_HDR_CONTENT_LENGTH},
	    {"l", SF_HDR_CONTENT_LENGTH},
	    {"Content-Type", SF_HDR_CONTENT_TYPE},
	    {"c", SF_HDR_CONTENT_TYPE},
	    {"Contact", SF_HDR_CONTACT},
	    {"m", SF_HDR_CONTACT},
	    {"Route", SF_HDR_ROUTE},
	    {"Record-Route", SF_HDR_RECORD_ROUTE},
	    {"p-asserted-identity", SF_HDR_PAI},
	    {"P-Preferred-Identity", SF_HDR_PPI},
	    {"Remote-Party-ID", SF_HDR_RPID},
	    {"Privacy", SF_HDR_PRIVACY},
	    {"Diversion", SF_HDR_DIVERSION},
	    {"History-Info", SF_HDR_HISTORY_INFO},
	    {"User-Agent", SF_HDR_USER_AGENT},
	    {"k", SF_HDR_OTHER},
	    {"Fromm", SF_HDR_OTHER},
	    {"Fro", SF_HDR_OTHER},
	    {"From ", SF_HDR_OTHER},
	    {"Call_ID", SF_HDR_OTHER},
	    {"P-Asserted-Identitx", SF_HDR_OTHER},
	    {"Record-Routf", SF_HDR_OTHER},
	    {"", SF_HDR_OTHER},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		sf_hdr_id_t id = sf_sip_hdr_id(t[i].name, strlen(t[i].name));

		if (id != t[i].id)
			T_FAIL_AT("sf_sip_hdr_id(\"%s\") = %d, want %d",
				  t[i].name, id, t[i].id);
	}
	T_EQ_INT(sf_sip_hdr_id("From\x01", 5), SF_HDR_OTHER);
	T_EQ_INT(sf_sip_hdr_id(NULL, 0), SF_HDR_OTHER);
}

static void test_folding(void)
{
	const sf_sip_hdr_t *h;
	static const char msg[] =
	    RL VIA MF "From: \"Alice\"\r\n "
		      "<sip:+77012345678@example.kz>\r\n\t;tag=1\r\n" TO CID
		      "CSeq: 7\r\n  INVITE\r\n" CL0 END;

	T_EQ_INT(SCAN(msg, &DGRAM), 0);
	h = sf_sip_hdr_nth(&g_m, SF_HDR_FROM, 0);
	T_TRUE(h != NULL);
	if (!h)
		return;
	/* folds stay inside the view; consumers unfold */
	T_EQ_VIEW(h->value, "\"Alice\"\r\n <sip:+77012345678@example.kz>"
			    "\r\n\t;tag=1");
	T_EQ_INT(h->start, off_of(msg, "From:"));
	T_EQ_INT(h->end, off_of(msg, "To:"));
	T_EQ_INT(g_m.cseq_num, 7);
	T_EQ_VIEW(g_m.cseq_method, "INVITE");

	/* value starting on a continuation line, trailing blank fold */
	EXPECT_OK(RL VIA MF
		  "From:\r\n <sip:a@b>;tag=1\r\n \r\n" TO CID CSEQ CL0 END,
		  &DGRAM);
	h = sf_sip_hdr_nth(&g_m, SF_HDR_FROM, 0);
	if (h)
		T_EQ_VIEW(h->value, "<sip:a@b>;tag=1");
	/* a continuation right after the start line has no header above */
	EXPECT_ERR(RL " x\r\n" HDRS CL0 END, &DGRAM, SF_SIP_E_HEADER_NAME);
}

static void test_hcolon(void)
{
	/* RFC 3261 HCOLON = *( SP / HTAB ) ":" SWS: unlike HTTP, allowed */
	EXPECT_OK(RL VIA MF "FROM   : <sip:a@b>;tag=1\r\n"
			    "To\t:<sip:c@d>\r\n" CID CSEQ
			    "Content-Length : 0\r\n" END,
		  &DGRAM);
	T_EQ_INT(g_m.count[SF_HDR_FROM], 1);
	T_EQ_VIEW(g_m.hdrs[2].name, "FROM");
	T_EQ_VIEW(g_m.hdrs[2].value, "<sip:a@b>;tag=1");
	T_EQ_VIEW(g_m.hdrs[3].value, "<sip:c@d>");
	/* the token rule is the RFC's, so odd but legal names pass */
	EXPECT_OK(RL HDRS "X-!%*_+`'~.-Z: 1\r\n" CL0 END, &DGRAM);
	/* empty values are fine for headers nobody checks */
	EXPECT_OK(RL HDRS "Subject:\r\n" CL0 END, &DGRAM);
	T_EQ_VIEW(g_m.hdrs[6].value, "");
}

/* reliability.md §1.3: header-name smuggling (compare CVE-2016-9938). */
static void test_header_name_rows(void)
{
	EXPECT_ERR(RL VIA MF
		   "From\x01: <sip:a@b>;tag=1\r\n" TO CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_CONTROL_CHAR);
	EXPECT_ERR(RL VIA MF
		   "Fr\x01om: <sip:a@b>;tag=1\r\n" TO CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_CONTROL_CHAR);
	/* the legit + spoof pair: refused as a whole */
	EXPECT_ERR(RL HDRS "From\x01: <sip:+79990000000@b>;tag=2\r\n" CL0 END,
		   &DGRAM, SF_SIP_E_CONTROL_CHAR);
	EXPECT_ERR(RL HDRS "Fr\0om: x\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_CONTROL_CHAR);
	EXPECT_ERR(RL HDRS "Fr@m: x\r\n" CL0 END, &DGRAM, SF_SIP_E_HEADER_NAME);
	EXPECT_ERR(RL HDRS "From x: y\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_HEADER_NAME);
	EXPECT_ERR(RL HDRS "NoColon\r\n" CL0 END, &DGRAM, SF_SIP_E_HEADER_NAME);
	EXPECT_ERR(RL HDRS ": empty name\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_HEADER_NAME);
	EXPECT_ERR(RL HDRS "Fr\xc3\xb6m: x\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_HEADER_NAME);
}

static void test_duplicates(void)
{
	EXPECT_ERR(RL HDRS "From: <sip:evil@b>;tag=2\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_DUPLICATE);
	T_EQ_INT(g_m.error_offset,
		 off_of(RL HDRS "From: <sip:evil", "From: <sip:evil"));
	EXPECT_ERR(RL HDRS "f: <sip:evil@b>;tag=2\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_DUPLICATE);
	EXPECT_ERR(RL VIA MF
		   "f: <sip:evil@b>;tag=2\r\n" FROM TO CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_DUPLICATE);
	EXPECT_ERR(RL HDRS "t: <sip:x@b>\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_DUPLICATE);
	EXPECT_ERR(RL HDRS "i: other@h\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_DUPLICATE);
	EXPECT_ERR(RL HDRS "CSeq: 2 INVITE\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_DUPLICATE);
	EXPECT_ERR(RL HDRS MF CL0 END, &DGRAM, SF_SIP_E_DUPLICATE);
	/* RFC 4475 mcl01: two Content-Length */
	EXPECT_ERR(RL HDRS CL0 "l: 0\r\n" END, &DGRAM, SF_SIP_E_DUPLICATE);
	EXPECT_ERR(RL HDRS CL0 CL0 END, &DGRAM, SF_SIP_E_DUPLICATE);
	/* Via, Contact, PAI, Route may repeat */
	EXPECT_OK(RL HDRS VIA "P-Asserted-Identity: <sip:+1@b>\r\n"
			      "P-Asserted-Identity: <tel:+1>\r\n"
			      "Route: <sip:r1>\r\n"
			      "Route: <sip:r2>\r\n" CL0 END,
		  &DGRAM);
	T_EQ_INT(g_m.count[SF_HDR_VIA], 2);
	T_EQ_INT(g_m.count[SF_HDR_PAI], 2);
	T_EQ_INT(g_m.count[SF_HDR_ROUTE], 2);
}

/* From/To carry exactly one value (RFC 4475 multi01/baddn/quotbal). */
static void test_from_to_values(void)
{
	EXPECT_ERR(
	    RL VIA MF
	    "From: <sip:a@b>;tag=1, <sip:c@d>;tag=2\r\n" TO CID CSEQ CL0 END,
	    &DGRAM, SF_SIP_E_MULTI_VALUE);
	EXPECT_ERR(RL VIA MF FROM "To: sip:a@b, sip:c@d\r\n" CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_MULTI_VALUE);
	EXPECT_ERR(
	    RL VIA MF
	    "From: Bell, Alexander <sip:a@b>;tag=1\r\n" TO CID CSEQ CL0 END,
	    &DGRAM, SF_SIP_E_MULTI_VALUE);
	/* commas inside quotes or <> are part of the one value */
	EXPECT_OK(RL VIA MF
		  "From: \"Bell, Alexander\" <sip:a,x@b>;tag=1\r\n" TO CID CSEQ
		      CL0 END,
		  &DGRAM);
	EXPECT_OK(
	    RL VIA MF
	    "From: \"a \\\" , <b>\" <sip:a@b>;tag=1\r\n" TO CID CSEQ CL0 END,
	    &DGRAM);
	EXPECT_OK(RL VIA MF
		  "From: <sip:a@b>;p=\"x,y\";tag=1\r\n" TO CID CSEQ CL0 END,
		  &DGRAM);
	EXPECT_OK(RL VIA MF
		  "From: caller<sip:a@b>;tag=1\r\n" TO CID CSEQ CL0 END,
		  &DGRAM);
	/* one clean value: unterminated quote, stray or repeated <>, LWS
	 * inside <>, empty */
	EXPECT_ERR(RL VIA MF FROM
		   "To: \"Mr. J. User <sip:j@b>\r\n" CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_BAD_VALUE);
	EXPECT_ERR(RL VIA MF
		   "From: \"x\\\r\n y\" <sip:a@b>\r\n" TO CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_BAD_VALUE);
	EXPECT_ERR(RL VIA MF
		   "From: <sip:a@b> <sip:c@d>;tag=1\r\n" TO CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_BAD_VALUE);
	EXPECT_ERR(RL VIA MF "From: <sip:a@b;tag=1\r\n" TO CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_BAD_VALUE);
	EXPECT_ERR(RL VIA MF "From: sip:a@b>;tag=1\r\n" TO CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_BAD_VALUE);
	EXPECT_ERR(RL VIA MF "From: <<sip:a@b>>;tag=1\r\n" TO CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_BAD_VALUE);
	EXPECT_ERR(RL VIA MF FROM "To: < sip:a@b >\r\n" CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_BAD_VALUE);
	EXPECT_ERR(RL VIA MF "From:   \r\n" TO CID CSEQ CL0 END, &DGRAM,
		   SF_SIP_E_BAD_VALUE);
	/* Call-ID and Via values */
	EXPECT_ERR(RL VIA MF FROM TO "Call-ID: a@b, c@d\r\n" CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_BAD_VALUE);
	EXPECT_ERR(RL VIA MF FROM TO "Call-ID: a b\r\n" CSEQ CL0 END, &DGRAM,
		   SF_SIP_E_BAD_VALUE);
	EXPECT_ERR(RL VIA MF FROM TO "Call-ID:\r\n" CSEQ CL0 END, &DGRAM,
		   SF_SIP_E_BAD_VALUE);
	EXPECT_ERR(RL "Via: \r\n" MF FROM TO CID CSEQ CL0 END, &DGRAM,
		   SF_SIP_E_BAD_VALUE);
}

static void test_line_endings(void)
{
	EXPECT_ERR(RL VIA MF "From: <sip:a@b>;tag=1\n" TO CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_LINE_ENDING);
	EXPECT_ERR(RL VIA MF "From: <sip:a@b>\r;tag=1\r\n" TO CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_LINE_ENDING);
	EXPECT_ERR(RL VIA MF "From: <sip:a@b>;tag=1\r\r\n" TO CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_LINE_ENDING);
	/* LF-only and CR-only whole messages (libosip2 accepted these) */
	EXPECT_ERR("INVITE sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h\nFrom: <sip:a@b>"
		   "\nTo: <sip:b@c>\nCall-ID: x\nCSeq: 1 INVITE\n\n",
		   &DGRAM, SF_SIP_E_LINE_ENDING);
	EXPECT_ERR("INVITE sip:a@b SIP/2.0\rVia: SIP/2.0/UDP h\rFrom: <sip:a@b>"
		   "\rTo: <sip:b@c>\rCall-ID: x\rCSeq: 1 INVITE\r\r",
		   &DGRAM, SF_SIP_E_LINE_ENDING);
	/* the blank line itself must be CRLF */
	EXPECT_ERR(RL HDRS CL0 "\n", &DGRAM, SF_SIP_E_LINE_ENDING);
	EXPECT_ERR(RL HDRS CL0 "\rX", &DGRAM, SF_SIP_E_LINE_ENDING);
	EXPECT_ERR(RL HDRS "\nX: y\r\n" CL0 END, &DGRAM, SF_SIP_E_LINE_ENDING);
	/* no blank line at all */
	EXPECT_ERR(RL HDRS CL0, &DGRAM, SF_SIP_E_NO_END);
	EXPECT_ERR(RL HDRS CL0 "\r", &DGRAM, SF_SIP_E_NO_END);
	EXPECT_ERR(RL HDRS "X: abc", &DGRAM, SF_SIP_E_NO_END);
	EXPECT_ERR(RL HDRS "X", &DGRAM, SF_SIP_E_NO_END);
	EXPECT_ERR("INVITE sip:a@b SIP/2.0", &DGRAM, SF_SIP_E_NO_END);
}

static void test_control_bytes(void)
{
	const sf_sip_hdr_t *h;

	EXPECT_ERR(RL VIA MF "From: <sip:a\0@b>;tag=1\r\n" TO CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_CONTROL_CHAR);
	T_EQ_INT(g_m.error_offset,
		 off_of(RL VIA MF "From: <sip:a", "From: <sip:a") + 12);
	EXPECT_ERR(RL HDRS "X: a\x7f"
			   "b\r\n" CL0 END,
		   &DGRAM, SF_SIP_E_CONTROL_CHAR);
	EXPECT_ERR(RL HDRS "X: a\x1b[2J\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_CONTROL_CHAR);
	EXPECT_ERR("INVITE sip:a@b\0 SIP/2.0\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_CONTROL_CHAR);
	/* HT and UTF-8 are fine in values */
	EXPECT_OK(RL HDRS "Subject:\tа\tб \xe2\x82\xac\r\n" CL0 END, &DGRAM);
	/* NUL in the body is the body's business (reliability.md §1.3) */
	EXPECT_OK(RL HDRS "Content-Length: 5\r\n" END "a\0b\0c", &DGRAM);
	T_EQ_INT(g_m.body.len, 5);
	T_TRUE(memcmp(g_m.body.s, "a\0b\0c", 5) == 0);
	h = sf_sip_hdr_nth(&g_m, SF_HDR_CONTENT_LENGTH, 0);
	T_TRUE(h && h->end == g_m.header_end);
}

/* Content-Length: 1*10DIGIT, no sign/hex/exponent, never wrapping. */
static void test_content_length(void)
{
	static const char *const bad[] = {
	    "4294967297",  "4294967296", "2147483648", "99999999999999999999",
	    "0x10",	   "+5",	 "-5",	       "5 5",
	    "1e3",	   "",		 "5;x",	       "0005a",
	    "00000000000", "\xd9\xa5", /* ARABIC-INDIC DIGIT FIVE */
	};
	char msg[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n =
		    snprintf(msg, sizeof(msg),
			     RL HDRS "Content-Length: %s\r\n\r\nhello", bad[i]);
		int rc = scan_n(msg, (size_t)n, &DGRAM);

		if (rc != -1 || g_m.error != SF_SIP_E_CONTENT_LENGTH)
			T_FAIL_AT("Content-Length '%s': rc=%d %s", bad[i], rc,
				  sf_sip_error_name(g_m.error));
		if (sf_sip_frame(msg, (size_t)n, 0) != -1)
			T_FAIL_AT("frame Content-Length '%s' not -1", bad[i]);
	}
	/* leading zeros, compact form, LWS and folds around the digits */
	EXPECT_OK(RL HDRS "l: 0005\r\n" END "hello", &DGRAM);
	T_EQ_INT(g_m.content_length, 5);
	EXPECT_OK(RL HDRS "Content-Length:\r\n  5 \t\r\n" END "hello", &DGRAM);
	T_EQ_INT(g_m.content_length, 5);
	/* larger than the datagram (RFC 3261 §18.3, RFC 4475 clerr) */
	EXPECT_ERR(RL HDRS "Content-Length: 6\r\n" END "hello", &DGRAM,
		   SF_SIP_E_CONTENT_LENGTH);
	EXPECT_ERR(RL HDRS "Content-Length: 6\r\n" END "hello", &STREAM,
		   SF_SIP_E_CONTENT_LENGTH);
	/* over the size cap even if the bytes were there */
	EXPECT_ERR(RL HDRS "Content-Length: 16385\r\n" END "x", &DGRAM,
		   SF_SIP_E_CONTENT_LENGTH);
	/* smaller: the message ends there (a smuggled second INVITE after
	 * it is not part of this message; RFC 4475 dblreq) */
	{
		static const char two[] =
		    RL HDRS "Content-Length: 2\r\n" END "hi" RL HDRS CL0 END;
		size_t first =
		    sizeof(RL HDRS "Content-Length: 2\r\n" END "hi") - 1;

		T_EQ_INT(SCAN(two, &DGRAM), 0);
		T_EQ_INT(g_m.len, first);
		T_EQ_VIEW(g_m.body, "hi");
	}
	/* missing: datagram body is the rest; stream needs it (§18.3) */
	EXPECT_OK(RL HDRS END "body", &DGRAM);
	T_EQ_INT(g_m.content_length, -1);
	T_EQ_VIEW(g_m.body, "body");
	T_EQ_INT(g_m.len, sizeof(RL HDRS END "body") - 1);
	EXPECT_ERR(RL HDRS END "body", &STREAM, SF_SIP_E_CONTENT_LENGTH);
	EXPECT_OK(RL HDRS END, &DGRAM);
	T_EQ_INT(g_m.body.len, 0);
}

static void test_request_line(void)
{
	/* version: exactly SIP/2.0 (RFC 4475 badvers) */
	EXPECT_ERR("INVITE sip:a@b SIP/3.0\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_VERSION);
	EXPECT_ERR("INVITE sip:a@b sip/2.0\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_VERSION);
	EXPECT_ERR("INVITE sip:a@b SIP/2.00\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_VERSION);
	EXPECT_ERR("INVITE sip:a@b HTTP/1.1\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	EXPECT_ERR("INVITE sip:a@b SIP/2.\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	/* single SPs only (RFC 4475 lwsstart, trws, lwsruri) */
	EXPECT_ERR("INVITE  sip:a@b SIP/2.0\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	EXPECT_ERR("INVITE sip:a@b  SIP/2.0\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	EXPECT_ERR("INVITE sip:a@b SIP/2.0 \r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	EXPECT_ERR("INVITE\tsip:a@b SIP/2.0\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	EXPECT_ERR("INVITE sip:a@b; lr SIP/2.0\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	EXPECT_ERR("INVITE sip:a@b\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	EXPECT_ERR(" INVITE sip:a@b SIP/2.0\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	EXPECT_ERR("IN\"VITE sip:a@b SIP/2.0\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	/* Request-URI: scheme ":" then visible ASCII (RFC 4475 ltgtruri) */
	EXPECT_ERR("INVITE <sip:a@b> SIP/2.0\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	EXPECT_ERR("INVITE a@b SIP/2.0\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	EXPECT_ERR("INVITE sip:\xd0\xb0@b SIP/2.0\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	EXPECT_OK(
	    "INVITE tel:+77012345678;phone-context=+7 SIP/2.0\r\n" HDRS CL0 END,
	    &DGRAM);
	T_EQ_VIEW(g_m.ruri, "tel:+77012345678;phone-context=+7");
	EXPECT_ERR("\r\n", &DGRAM, SF_SIP_E_EMPTY);
}

/* Methods are case-sensitive (RFC 3261 §7.1): "invite" is some other
 * method.  Accepted here, not an INVITE for the engine. */
static void test_lowercase_invite(void)
{
	EXPECT_OK("invite sip:a@b SIP/2.0\r\n" VIA MF FROM TO CID
		  "CSeq: 1 invite\r\n" CL0 END,
		  &DGRAM);
	T_EQ_VIEW(g_m.method, "invite");
	T_TRUE(!sf_sip_is_invite(&g_m));
	/* and the CSeq must repeat the same spelling */
	EXPECT_ERR("invite sip:a@b SIP/2.0\r\n" HDRS CL0 END, &DGRAM,
		   SF_SIP_E_CSEQ);
	EXPECT_ERR(RL VIA MF FROM TO CID "CSeq: 1 invite\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_CSEQ);
	/* a refused INVITE is never "an INVITE" */
	EXPECT_ERR(RL VIA MF FROM TO CID CL0 END, &DGRAM, SF_SIP_E_MISSING);
	T_TRUE(!sf_sip_is_invite(&g_m));
}

static void test_cseq(void)
{
	/* RFC 4475 mismatch01 */
	EXPECT_ERR(RL VIA MF FROM TO CID "CSeq: 1 OPTIONS\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_CSEQ);
	EXPECT_ERR(RL VIA MF FROM TO CID "CSeq: 1 INVITEX\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_CSEQ);
	EXPECT_ERR(RL VIA MF FROM TO CID "CSeq: 2147483648 INVITE\r\n" CL0 END,
		   &DGRAM, SF_SIP_E_CSEQ);
	EXPECT_ERR(RL VIA MF FROM TO CID "CSeq: 12345678901 INVITE\r\n" CL0 END,
		   &DGRAM, SF_SIP_E_CSEQ);
	EXPECT_ERR(RL VIA MF FROM TO CID "CSeq: INVITE\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_CSEQ);
	EXPECT_ERR(RL VIA MF FROM TO CID "CSeq: 1\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_CSEQ);
	EXPECT_ERR(RL VIA MF FROM TO CID "CSeq: 1INVITE\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_CSEQ);
	EXPECT_ERR(RL VIA MF FROM TO CID "CSeq: 1 INVITE x\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_CSEQ);
	EXPECT_ERR(RL VIA MF FROM TO CID "CSeq: -1 INVITE\r\n" CL0 END, &DGRAM,
		   SF_SIP_E_CSEQ);
	EXPECT_OK(RL VIA MF FROM TO CID "CSeq: 2147483647\tINVITE\r\n" CL0 END,
		  &DGRAM);
	T_EQ_INT(g_m.cseq_num, 2147483647);
	EXPECT_OK(RL VIA MF FROM TO CID "CSeq: 0 INVITE\r\n" CL0 END, &DGRAM);
	T_EQ_INT(g_m.cseq_num, 0);
}

static void test_missing(void)
{
	EXPECT_ERR(RL MF FROM TO CID CSEQ CL0 END, &DGRAM, SF_SIP_E_MISSING);
	EXPECT_ERR(RL VIA MF TO CID CSEQ CL0 END, &DGRAM, SF_SIP_E_MISSING);
	EXPECT_ERR(RL VIA MF FROM CID CSEQ CL0 END, &DGRAM, SF_SIP_E_MISSING);
	EXPECT_ERR(RL VIA MF FROM TO CSEQ CL0 END, &DGRAM, SF_SIP_E_MISSING);
	EXPECT_ERR(RL VIA MF FROM TO CID CL0 END, &DGRAM, SF_SIP_E_MISSING);
	EXPECT_ERR(RL END, &DGRAM, SF_SIP_E_MISSING);
	EXPECT_ERR("SIP/2.0 200 OK\r\n" VIA FROM TO CSEQ CL0 END, &DGRAM,
		   SF_SIP_E_MISSING);
	/* Max-Forwards is not required here (RFC 2543 peers, inv2543) */
	EXPECT_OK(RL VIA FROM TO CID CSEQ CL0 END, &DGRAM);
}

static void test_leading_crlf(void)
{
	static const char msg[] = "\r\n\r\n" RL HDRS CL0 END;

	T_EQ_INT(SCAN(msg, &DGRAM), 0);
	T_EQ_INT(g_m.skipped, 4);
	T_TRUE(g_m.buf == g_copy + 4);
	T_EQ_INT(g_m.len, sizeof(msg) - 1 - 4);
	T_EQ_VIEW(g_m.method, "INVITE");
	T_EQ_INT(g_m.hdrs[0].start, sizeof(RL) - 1);
	T_TRUE(memcmp(g_m.buf + g_m.hdrs[0].start, "Via:", 4) == 0);
	EXPECT_ERR("\r\n\r\n\r\n", &DGRAM, SF_SIP_E_EMPTY);
	EXPECT_ERR("\r\n", &STREAM, SF_SIP_E_EMPTY);
	T_EQ_INT(scan_n("", 0, &DGRAM), -1);
	T_EQ_INT(g_m.error, SF_SIP_E_EMPTY);
	/* a lone LF is not a keep-alive */
	EXPECT_ERR("\n" RL HDRS CL0 END, &DGRAM, SF_SIP_E_LINE_ENDING);
}

static void test_responses(void)
{
	EXPECT_OK("SIP/2.0 200 OK\r\n" VIA FROM TO CID CSEQ
		  "Content-Length: 4\r\n" END "v=0\n",
		  &DGRAM);
	T_TRUE(!g_m.is_request);
	T_EQ_INT(g_m.status, 200);
	T_EQ_VIEW(g_m.phrase, "OK");
	T_EQ_VIEW(g_m.body, "v=0\n");
	T_TRUE(!sf_sip_is_invite(&g_m));
	/* empty reason phrase (RFC 4475 noreason) but the SP is required */
	EXPECT_OK("SIP/2.0 100 \r\n" VIA FROM TO CID CSEQ CL0 END, &DGRAM);
	T_EQ_INT(g_m.status, 100);
	T_EQ_VIEW(g_m.phrase, "");
	EXPECT_ERR("SIP/2.0 100\r\n" VIA FROM TO CID CSEQ CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	EXPECT_OK(
	    "SIP/2.0 699 \xd0\xbd\xd0\xbe Phrase\twith tab\r\n" VIA FROM TO CID
	    "CSeq: 9 BYE\r\n" CL0 END,
	    &DGRAM);
	T_EQ_INT(g_m.status, 699);
	T_EQ_VIEW(g_m.cseq_method, "BYE"); /* no request method to match */
	EXPECT_ERR("SIP/2.0 099 Low\r\n" VIA FROM TO CID CSEQ CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	EXPECT_ERR("SIP/2.0 700 High\r\n" VIA FROM TO CID CSEQ CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	EXPECT_ERR("SIP/2.0 4294967301 X\r\n" VIA FROM TO CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_START_LINE);
	EXPECT_ERR("SIP/2.0 20 OK\r\n" VIA FROM TO CID CSEQ CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	EXPECT_ERR("SIP/2.0  200 OK\r\n" VIA FROM TO CID CSEQ CL0 END, &DGRAM,
		   SF_SIP_E_START_LINE);
	EXPECT_ERR("SIP/3.0 200 OK\r\n" VIA FROM TO CID CSEQ CL0 END, &DGRAM,
		   SF_SIP_E_VERSION);
	EXPECT_ERR("SIP/2.0 200 O\x01K\r\n" VIA FROM TO CID CSEQ CL0 END,
		   &DGRAM, SF_SIP_E_CONTROL_CHAR);
	EXPECT_ERR("SIP/2.0 200 OK\r\n" VIA FROM TO CID "CSeq: 1\r\n" CL0 END,
		   &DGRAM, SF_SIP_E_CSEQ);
}

/* Caps: header count, line length, message size. */
static void test_caps(void)
{
	static char msg[40000];
	size_t n, base;
	int i;

	/* exactly SF_SIP_MAX_HEADERS header lines pass, one more fails */
	n = (size_t)sprintf(msg, RL HDRS CL0);
	for (i = 7; i < SF_SIP_MAX_HEADERS; i++)
		n += (size_t)sprintf(msg + n, "X-%d: y\r\n", i);
	n += (size_t)sprintf(msg + n, "\r\n");
	T_EQ_INT(scan_n(msg, n, &DGRAM), 0);
	T_EQ_INT(g_m.n_hdrs, SF_SIP_MAX_HEADERS);
	n -= 2;
	n += (size_t)sprintf(msg + n, "X-last: y\r\n\r\n");
	T_EQ_INT(scan_n(msg, n, &DGRAM), -1);
	T_EQ_STR(sf_sip_error_name(g_m.error), "too-many-headers");

	/* a header of exactly SF_SIP_MAX_LINE bytes before its CRLF */
	base = (size_t)sprintf(msg, RL HDRS CL0);
	n = base + (size_t)sprintf(msg + base, "X: ");
	memset(msg + n, 'a', SF_SIP_MAX_LINE - 3);
	n += SF_SIP_MAX_LINE - 3;
	n += (size_t)sprintf(msg + n, "\r\n\r\n");
	T_EQ_INT(scan_n(msg, n, &DGRAM), 0);
	T_EQ_INT(g_m.hdrs[7].end - g_m.hdrs[7].start, SF_SIP_MAX_LINE + 2);
	memmove(msg + base + 4, msg + base + 3, n - base - 3);
	msg[base + 3] = 'a';
	T_EQ_INT(scan_n(msg, n + 1, &DGRAM), -1);
	T_EQ_STR(sf_sip_error_name(g_m.error), "line-too-long");
	T_EQ_INT(g_m.error_offset, base);
	/* folds count towards the line: many short continuation lines */
	n = base + (size_t)sprintf(msg + base, "X: a");
	for (i = 0; i < 1400; i++)
		n += (size_t)sprintf(msg + n, "\r\n b");
	n += (size_t)sprintf(msg + n, "\r\n\r\n");
	T_EQ_INT(scan_n(msg, n, &DGRAM), -1);
	T_EQ_STR(sf_sip_error_name(g_m.error), "line-too-long");
	/* long start line */
	n = (size_t)sprintf(msg, "INVITE sip:");
	memset(msg + n, 'a', SF_SIP_MAX_LINE);
	n += SF_SIP_MAX_LINE;
	n += (size_t)sprintf(msg + n, " SIP/2.0\r\n" HDRS CL0 END);
	T_EQ_INT(scan_n(msg, n, &DGRAM), -1);
	T_EQ_STR(sf_sip_error_name(g_m.error), "line-too-long");

	/* size cap: default, and a caller's */
	n = (size_t)sprintf(msg, RL HDRS CL0 END);
	memset(msg + n, 'x', SF_SIP_DEFAULT_MAX_MESSAGE);
	T_EQ_INT(scan_n(msg, SF_SIP_DEFAULT_MAX_MESSAGE, &DGRAM), 0);
	T_EQ_INT(g_m.len, n); /* CL 0: the rest is trailing junk */
	T_EQ_INT(scan_n(msg, SF_SIP_DEFAULT_MAX_MESSAGE + 1, &DGRAM), -1);
	T_EQ_STR(sf_sip_error_name(g_m.error), "too-big");
	{
		sf_sip_limits_t small = {200, false};

		T_EQ_INT(scan_n(msg, 201, &small), -1);
		T_EQ_STR(sf_sip_error_name(g_m.error), "too-big");
		T_EQ_INT(scan_n(msg, n, NULL), 0);
	}
}

/* ------------------------------------------------------------ framing */

static long frame_copy(const char *s, size_t n, uint32_t max)
{
	char *c = malloc(n ? n : 1);
	long r;

	if (n)
		memcpy(c, s, n);
	r = sf_sip_frame(c, n, max);
	free(c);
	return r;
}

static void test_frame_split(void)
{
	static const char m1[] = RL HDRS "Content-Length: 5\r\n" END "hello";
	static const char m2[] = "SIP/2.0 180 Ringing\r\n" VIA FROM TO CID CSEQ
				 "l : 3\r\n" END "abc";
	static const char both[] =
	    RL HDRS "Content-Length: 5\r\n" END "hello"
		    "SIP/2.0 180 Ringing\r\n" VIA FROM TO CID CSEQ
		    "l : 3\r\n" END "abc";
	size_t n1 = sizeof(m1) - 1, n = sizeof(both) - 1;
	int wrong = 0;

	T_EQ_INT(n, n1 + sizeof(m2) - 1);
	for (size_t k = 0; k <= n; k++) {
		long r = frame_copy(both, k, 0);
		long want = k < n1 ? 0 : (long)n1;

		if (r != want) {
			if (!wrong++)
				T_FAIL_AT(
				    "frame(first %zu bytes) = %ld, want %ld", k,
				    r, want);
		}
		/* after consuming the first message, the second */
		if (k >= n1) {
			long r2 = frame_copy(both + n1, k - n1, 0);
			long want2 = k < n ? 0 : (long)(n - n1);

			if (r2 != want2 && !wrong++)
				T_FAIL_AT("frame(second, %zu bytes) = %ld, "
					  "want %ld",
					  k - n1, r2, want2);
		}
	}
	T_EQ_INT(wrong, 0);
	/* framed bytes scan as stream messages */
	T_EQ_INT(scan_n(both, n1, &STREAM), 0);
	T_EQ_INT(g_m.len, n1);
	T_EQ_VIEW(g_m.body, "hello");
	T_EQ_INT(scan_n(both + n1, n - n1, &STREAM), 0);
	T_EQ_INT(g_m.status, 180);
	T_EQ_VIEW(g_m.body, "abc");
}

static void test_frame_cases(void)
{
	static const char ok[] = RL HDRS CL0 END;
	long n = (long)sizeof(ok) - 1;

	T_EQ_INT(frame_copy(ok, (size_t)n, 0), n);
	T_EQ_INT(frame_copy("", 0, 0), 0);
	/* keep-alives: alone they are one unit; in front they belong */
	T_EQ_INT(frame_copy("\r\n\r\n", 4, 0), 4);
	T_EQ_INT(frame_copy("\r\n\r", 3, 0), 2);
	T_EQ_INT(frame_copy("\r", 1, 0), 0);
	T_EQ_INT(frame_copy("\r\n" RL HDRS CL0 END, (size_t)n + 2, 0), n + 2);
	T_EQ_INT(scan_n("\r\n" RL HDRS CL0 END, (size_t)n + 2, &STREAM), 0);
	T_EQ_INT(g_m.skipped + g_m.len, n + 2);
	/* never valid */
	T_EQ_INT(frame_copy(RL HDRS END, sizeof(RL HDRS END) - 1, 0), -1);
	T_EQ_INT(
	    frame_copy(RL HDRS CL0 CL0 END, sizeof(RL HDRS CL0 CL0 END) - 1, 0),
	    -1);
	T_EQ_INT(frame_copy(RL HDRS "l: 0\r\n" CL0 END,
			    sizeof(RL HDRS "l: 0\r\n" CL0 END) - 1, 0),
		 -1);
	T_EQ_INT(frame_copy(RL HDRS "Content-Length: 0\n\r\n",
			    sizeof(RL HDRS "Content-Length: 0\n\r\n") - 1, 0),
		 -1);
	T_EQ_INT(frame_copy(RL HDRS "Content-Length: 99999\r\n\r\n",
			    sizeof(RL HDRS "Content-Length: 99999\r\n\r\n") - 1,
			    0),
		 -1);
	/* over the cap: headers never end within it, or CL pushes past */
	T_EQ_INT(frame_copy(ok, (size_t)n, 100), -1);
	T_EQ_INT(frame_copy(ok, 100, 100), -1);
	T_EQ_INT(frame_copy(ok, 99, 100), 0);
	T_EQ_INT(frame_copy(ok, (size_t)n, (uint32_t)n), n);
	/* folded Content-Length, compact name, any case */
	{
		static const char f[] = RL HDRS "L\t:\r\n 2\r\n" END "hi";

		T_EQ_INT(frame_copy(f, sizeof(f) - 1, 0), (long)sizeof(f) - 1);
		T_EQ_INT(scan_n(f, sizeof(f) - 1, &STREAM), 0);
		T_EQ_VIEW(g_m.body, "hi");
	}
	/* "Content-Length" inside a value or fold is not a header */
	{
		static const char f[] = RL HDRS "X: Content-Length: 9\r\n"
						" l: 7\r\n" CL0 END;

		T_EQ_INT(frame_copy(f, sizeof(f) - 1, 0), (long)sizeof(f) - 1);
	}
	/* a CL header with another value after the digits */
	T_EQ_INT(frame_copy(RL HDRS "l: 1 2\r\n\r\nab",
			    sizeof(RL HDRS "l: 1 2\r\n\r\nab") - 1, 0),
		 -1);
}

/* ---------------------------------------------------- torture corpus */

static size_t read_file(const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (!f)
		return (size_t)-1;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			b = realloc(b, cap);
			if (!b)
				abort();
		}
		size_t r = fread(b + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	*out = b;
	return n;
}

/*
 * Expected outcome per torture file.  "ok" = accepted as a datagram; any
 * other string is the error name.  Verdicts from PROVENANCE.md; where the
 * scanner and the RFC differ, the reason is given.
 */
static const struct {
	const char *file, *want, *why;
} torture[] = {
    /* RFC 4475 §3.1.1 valid */
    {"rfc4475/wsinv.dat", "ok", NULL},
    {"rfc4475/intmeth.dat", "control-char",
     "RFC-valid, refused on purpose: the To display name holds raw "
     "NUL, BEL and DEL as quoted-pairs.  A NUL before the body "
     "truncates the header for any C-string next hop (libosip2 itself "
     "refuses it), so the contract refuses controls in the header "
     "section everywhere; test_intmeth_tokens checks the rest."},
    {"rfc4475/esc01.dat", "ok", NULL},
    {"rfc4475/escnull.dat", "ok", "%00 is escaped text, not a NUL byte"},
    {"rfc4475/esc02.dat", "ok", NULL},
    {"rfc4475/lwsdisp.dat", "ok", NULL},
    {"rfc4475/longreq.dat", "ok", NULL},
    {"rfc4475/dblreq.dat", "ok", "first message only (len checked)"},
    {"rfc4475/semiuri.dat", "ok", NULL},
    {"rfc4475/transports.dat", "ok", NULL},
    {"rfc4475/mpart01.dat", "ok", NULL},
    {"rfc4475/unreason.dat", "ok", NULL},
    {"rfc4475/noreason.dat", "ok", NULL},
    /* RFC 4475 §3.1.2 invalid */
    {"rfc4475/badinv01.dat", "ok",
     "RFC-invalid, accepted: the junk is in Via/Contact parameters, "
     "which this scanner only delimits; the proxy's Via parser and the "
     "next hop judge them.  Identity headers are clean."},
    {"rfc4475/clerr.dat", "content-length", NULL},
    {"rfc4475/ncl.dat", "content-length", NULL},
    {"rfc4475/scalar02.dat", "cseq", NULL},
    {"rfc4475/scalarlg.dat", "cseq", NULL},
    {"rfc4475/quotbal.dat", "bad-value", NULL},
    {"rfc4475/ltgtruri.dat", "start-line", NULL},
    {"rfc4475/lwsruri.dat", "start-line", NULL},
    {"rfc4475/lwsstart.dat", "start-line", NULL},
    {"rfc4475/trws.dat", "start-line", NULL},
    {"rfc4475/escruri.dat", "ok",
     "RFC-invalid, accepted: escaped headers in a SIP Request-URI are a "
     "URI-grammar rule (§19.1.5); '?' is legal in user parts "
     "(intmeth), so refusing it here would need a URI parser."},
    {"rfc4475/baddate.dat", "ok",
     "RFC-invalid, accepted: Date is not looked at"},
    {"rfc4475/regbadct.dat", "ok",
     "RFC-invalid, accepted: Contact of a REGISTER is not looked at"},
    {"rfc4475/badaspec.dat", "bad-value", NULL},
    {"rfc4475/baddn.dat", "multi-value", NULL},
    {"rfc4475/badvers.dat", "version", NULL},
    {"rfc4475/mismatch01.dat", "cseq", NULL},
    {"rfc4475/mismatch02.dat", "cseq", NULL},
    {"rfc4475/bigcode.dat", "start-line", NULL},
    /* RFC 4475 §3.2-3.4: well-formed, application-level answers */
    {"rfc4475/badbranch.dat", "ok", NULL},
    {"rfc4475/insuf.dat", "missing", NULL},
    {"rfc4475/unkscm.dat", "ok", NULL},
    {"rfc4475/novelsc.dat", "ok", NULL},
    {"rfc4475/unksm2.dat", "ok", NULL},
    {"rfc4475/bext01.dat", "ok", NULL},
    {"rfc4475/invut.dat", "ok", NULL},
    {"rfc4475/regaut01.dat", "ok", NULL},
    {"rfc4475/multi01.dat", "duplicate", NULL},
    {"rfc4475/mcl01.dat", "duplicate", NULL},
    {"rfc4475/bcast.dat", "ok", NULL},
    {"rfc4475/zeromf.dat", "ok", NULL},
    {"rfc4475/cparam01.dat", "ok", NULL},
    {"rfc4475/cparam02.dat", "ok", NULL},
    {"rfc4475/regescrt.dat", "ok", NULL},
    {"rfc4475/sdp01.dat", "ok", NULL},
    {"rfc4475/inv2543.dat", "ok", "no Content-Length: fine on UDP"},
    {"rfc4475/test.dat", "start-line", "no SIP-Version in the request line"},
    /* RFC 5118, as sent on the wire (CRLF) */
    {"rfc5118/ipv6-good.crlf", "ok", NULL},
    {"rfc5118/ipv6-bad.crlf", "ok",
     "RFC-invalid, accepted: an unbracketed IPv6 host is a URI-grammar "
     "matter for the next hop"},
    {"rfc5118/port-ambiguous.crlf", "ok", NULL},
    {"rfc5118/port-unambiguous.crlf", "ok", NULL},
    {"rfc5118/via-received-param-no-delim.crlf", "ok", NULL},
    {"rfc5118/via-received-param-with-delim.crlf", "ok", NULL},
    {"rfc5118/ipv6-in-sdp.crlf", "content-length",
     "RFC-valid, refused on purpose: the RFC prints Content-Length 268 "
     "over a 251-byte body; RFC 3261 §18.3 says a datagram whose "
     "Content-Length exceeds its body is discarded"},
    {"rfc5118/mult-ip-in-sdp.crlf", "ok",
     "Content-Length 181 < body 189: message ends at 181"},
    {"rfc5118/mult-ip-in-header.crlf", "ok", NULL},
    {"rfc5118/ipv4-mapped-ipv6.crlf", "ok",
     "Content-Length 236 < body 245: message ends at 236"},
    {"rfc5118/ipv6-bug-abnf-3-colons.crlf", "ok", NULL},
    {"rfc5118/ipv6-correct-abnf-2-colons.crlf", "ok", NULL},
};

static void test_torture_corpus(void)
{
	char path[1024];
	int ran = 0;

	for (size_t i = 0; i < sizeof(torture) / sizeof(torture[0]); i++) {
		char *b;
		size_t n;
		int rc;
		long fr;

		snprintf(path, sizeof(path), "%s/corpus/torture/%s", t_shared(),
			 torture[i].file);
		n = read_file(path, &b);
		if (n == (size_t)-1) {
			T_FAIL_AT("cannot read %s (set SF_SHARED)", path);
			continue;
		}
		ran++;
		rc = scan_n(b, n, &DGRAM);
		if (strcmp(sf_sip_error_name(g_m.error), torture[i].want) !=
			0 ||
		    (rc == 0) != (strcmp(torture[i].want, "ok") == 0))
			T_FAIL_AT("%s: got %s (rc %d, offset %u), want %s",
				  torture[i].file, sf_sip_error_name(g_m.error),
				  rc, g_m.error_offset, torture[i].want);
		/* framing agrees with the scanner on what it accepts */
		fr = frame_copy(b, n, 0);
		if (rc == 0 && g_m.content_length >= 0 &&
		    fr != (long)(g_m.skipped + g_m.len))
			T_FAIL_AT("%s: frame %ld, scan %u", torture[i].file, fr,
				  g_m.skipped + g_m.len);
		/* stream: the framed bytes are accepted iff the datagram
		 * had a Content-Length */
		if (rc == 0 && fr > 0 && scan_n(b, (size_t)fr, &STREAM) != 0)
			T_FAIL_AT("%s: framed bytes refused on stream: %s",
				  torture[i].file,
				  sf_sip_error_name(g_m.error));
		free(b);
	}
	T_EQ_INT(ran, 62);
	/* dblreq: only the first REGISTER */
	snprintf(path, sizeof(path), "%s/corpus/torture/rfc4475/dblreq.dat",
		 t_shared());
	{
		char *b;
		size_t n = read_file(path, &b);

		if (n != (size_t)-1) {
			T_EQ_INT(scan_n(b, n, &DGRAM), 0);
			T_TRUE(g_m.len < n);
			T_EQ_INT(g_m.body.len, 0);
			T_EQ_VIEW(g_m.method, "REGISTER");
			free(b);
		}
	}
}

/* Every file of the torture directories is in the table (a new file makes
 * this fail instead of going untested). */
static void test_torture_table_complete(void)
{
	static const char *const names4475[] = {
	    "badaspec", "badbranch", "baddate",	   "baddn",	 "badinv01",
	    "badvers",	"bcast",     "bext01",	   "bigcode",	 "clerr",
	    "cparam01", "cparam02",  "dblreq",	   "esc01",	 "esc02",
	    "escnull",	"escruri",   "insuf",	   "intmeth",	 "inv2543",
	    "invut",	"longreq",   "ltgtruri",   "lwsdisp",	 "lwsruri",
	    "lwsstart", "mcl01",     "mismatch01", "mismatch02", "mpart01",
	    "multi01",	"ncl",	     "noreason",   "novelsc",	 "quotbal",
	    "regaut01", "regbadct",  "regescrt",   "scalar02",	 "scalarlg",
	    "sdp01",	"semiuri",   "test",	   "transports", "trws",
	    "unkscm",	"unksm2",    "unreason",   "wsinv",	 "zeromf",
	};
	size_t found = 0;

	for (size_t i = 0; i < sizeof(names4475) / sizeof(names4475[0]); i++)
		for (size_t j = 0; j < sizeof(torture) / sizeof(torture[0]);
		     j++) {
			char f[64];

			snprintf(f, sizeof(f), "rfc4475/%s.dat", names4475[i]);
			if (strcmp(f, torture[j].file) == 0)
				found++;
		}
	T_EQ_INT(found, 50);
}

/* intmeth.dat minus its raw control bytes: the odd method, URI and header
 * tokens are all accepted. */
static void test_intmeth_tokens(void)
{
	char path[1024], *b;
	size_t n;

	snprintf(path, sizeof(path), "%s/corpus/torture/rfc4475/intmeth.dat",
		 t_shared());
	n = read_file(path, &b);
	if (n == (size_t)-1) {
		T_FAIL_AT("cannot read %s", path);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (b[i] == 0 || b[i] == 7 || b[i] == 0x7f)
			b[i] = '?';
	T_EQ_INT(scan_n(b, n, &DGRAM), 0);
	T_EQ_VIEW(g_m.method, "!interesting-Method0123456789_*+`.%indeed'~");
	T_EQ_VIEW(g_m.cseq_method,
		  "!interesting-Method0123456789_*+`.%indeed'~");
	T_EQ_INT(g_m.cseq_num, 139122385);
	T_EQ_INT(g_m.n_hdrs, 8);
	T_EQ_VIEW(g_m.hdrs[6].name, "extensionHeader-!.%*+_`'~");
	free(b);
}

static void test_error_names(void)
{
	static const char *const want[] = {
	    "ok",
	    "empty",
	    "too-big",
	    "start-line",
	    "version",
	    "header-name",
	    "control-char",
	    "line-ending",
	    "line-too-long",
	    "too-many-headers",
	    "no-end",
	    "duplicate",
	    "multi-value",
	    "content-length",
	    "missing",
	    "cseq",
	    "bad-value",
	};

	T_EQ_INT(sizeof(want) / sizeof(want[0]), SF_SIP_E_COUNT);
	for (int e = 0; e < SF_SIP_E_COUNT; e++)
		T_EQ_STR(sf_sip_error_name((sf_sip_error_t)e), want[e]);
	T_EQ_STR(sf_sip_error_name(SF_SIP_E_COUNT), "?");
	T_EQ_STR(sf_sip_error_name((sf_sip_error_t)-1), "?");
}

/* No buffer: the scanner says "empty", the framer wants more bytes. */
static void test_null_buffer(void)
{
	sf_sipmsg_t m;

	T_EQ_INT(sf_sip_scan(NULL, 0, NULL, &m), -1);
	T_EQ_INT(m.error, SF_SIP_E_EMPTY);
	T_EQ_INT(sf_sip_frame(NULL, 0, 0), 0);
}

int main(void)
{
	T_RUN(test_invite_views);
	T_RUN(test_null_buffer);
	T_RUN(test_every_prefix_refused);
	T_RUN(test_compact_forms);
	T_RUN(test_header_ids);
	T_RUN(test_folding);
	T_RUN(test_hcolon);
	T_RUN(test_header_name_rows);
	T_RUN(test_duplicates);
	T_RUN(test_from_to_values);
	T_RUN(test_line_endings);
	T_RUN(test_control_bytes);
	T_RUN(test_content_length);
	T_RUN(test_request_line);
	T_RUN(test_lowercase_invite);
	T_RUN(test_cseq);
	T_RUN(test_missing);
	T_RUN(test_leading_crlf);
	T_RUN(test_responses);
	T_RUN(test_caps);
	T_RUN(test_frame_split);
	T_RUN(test_frame_cases);
	T_RUN(test_torture_corpus);
	T_RUN(test_torture_table_complete);
	T_RUN(test_intmeth_tokens);
	T_RUN(test_error_names);
	free(g_copy);
	return T_DONE();
}
