/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_identity.c - sf_call_extract() on real INVITE texts, scanned by the
 * strict scanner first (sf_sip_scan), as the engine does: PAI sip+tel on
 * one and on two lines, RPID, From only, anonymous with Privacy, Diversion
 * and History-Info, tel: URIs with phone-context, compact and folded
 * headers, %00 in a user part, emergency URN; then every request of the
 * RFC 4475/5118 torture corpus that the scanner accepts goes through
 * extraction (no crash, sane results), and sf_call_from_numbers.
 * Every identity value of every message here is also read twice, by the
 * plain-shape fast path and by libosip2, and the two readings must agree
 * (the differential that licenses the fast path, identity_fast.h).
 */
#include "sipfilter/engine/identity_fast.h"
#include "sipfilter/engine/sf_identity.h"

#include <dirent.h>

#include "t.h"

static sf_cfg_t cfg;

static void init_cfg(void)
{
	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.dialling.country_code, "7");
	strcpy(cfg.dialling.national_prefix, "8");
	strcpy(cfg.dialling.intl_prefixes[0], "810");
	strcpy(cfg.dialling.intl_prefixes[1], "00");
	cfg.dialling.n_intl_prefixes = 2;
	cfg.dialling.national_length = 10;
	cfg.dialling.max_short_length = 6;
	cfg.identity_order[0] = SF_ID_PAI;
	cfg.identity_order[1] = SF_ID_RPID;
	cfg.identity_order[2] = SF_ID_FROM;
	cfg.n_identity_order = 3;
}

/* The message text with "\n" turned into CRLF (kept for the views). */
static char msgbuf[8192];
static sf_sipmsg_t msg;
static sf_call_t call;

/*
 * Builds an INVITE: request line with ruri, the given extra header lines
 * (each ending in "\n"), and the mandatory ones.  Returns the scan result.
 */
static int scan_invite(const char *ruri, const char *hdrs)
{
	char text[8192];
	size_t o = 0;

	snprintf(text, sizeof(text),
		 "INVITE %s SIP/2.0\n"
		 "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\n"
		 "Max-Forwards: 70\n"
		 "%s"
		 "Call-ID: abc123@192.0.2.1\n"
		 "CSeq: 1 INVITE\n"
		 "Contact: <sip:gw@192.0.2.1>\n"
		 "Content-Length: 0\n"
		 "\n",
		 ruri, hdrs);
	for (const char *p = text; *p && o + 2 < sizeof(msgbuf); p++) {
		if (*p == '\n')
			msgbuf[o++] = '\r';
		msgbuf[o++] = *p;
	}
	return sf_sip_scan(msgbuf, o, NULL, &msg);
}

static unsigned diff_values, diff_fast;

static bool same_ident(const sf_ident_t *a, const sf_ident_t *b)
{
	return a->present == b->present && a->status == b->status &&
	       a->num.kind == b->num.kind && sf_num_eq(&a->num, &b->num) &&
	       a->uri.s == b->uri.s && a->uri.len == b->uri.len;
}

/* Fast path and libosip2 read every identity value of msg alike. */
static void check_differential(const char *name)
{
	const sf_dialling_t *d = &cfg.dialling;
	sf_ident_t a, b;
	bool sa = false, sb = false;

	sf_ident_read_ruri(d, msg.ruri, &a, &sa, true);
	sf_ident_read_ruri(d, msg.ruri, &b, &sb, false);
	if (!same_ident(&a, &b) || sa != sb)
		T_FAIL_AT("%s: Request-URI read differently: %s vs %s", name,
			  sf_norm_status_name(a.status),
			  sf_norm_status_name(b.status));
	for (unsigned i = 0; i < msg.n_hdrs; i++) {
		const sf_sip_hdr_t *h = &msg.hdrs[i];
		sf_str_t el[8];
		size_t n;

		if (h->id != SF_HDR_FROM && h->id != SF_HDR_TO &&
		    h->id != SF_HDR_PAI && h->id != SF_HDR_PPI &&
		    h->id != SF_HDR_RPID && h->id != SF_HDR_DIVERSION &&
		    h->id != SF_HDR_HISTORY_INFO)
			continue;
		n = sf_ident_split(h->value, el, 8);
		for (size_t k = 0; k < n && k < 8; k++) {
			sf_ident_extra_t xa, xb;

			sf_ident_read_value(d, el[k], &a, &xa, true);
			sf_ident_read_value(d, el[k], &b, &xb, false);
			diff_values++;
			if (el[k].len < 1024 &&
			    !memchr(el[k].s, '\r', el[k].len) &&
			    !memchr(el[k].s, '\t', el[k].len) &&
			    sf_idfast_value_ok(el[k].s, el[k].len))
				diff_fast++;
			if (!same_ident(&a, &b) ||
			    xa.rpid_privacy != xb.rpid_privacy ||
			    xa.party_called != xb.party_called)
				T_FAIL_AT("%s: \"%.*s\" read differently: "
					  "fast %s, libosip2 %s",
					  name, (int)el[k].len, el[k].s,
					  sf_norm_status_name(a.status),
					  sf_norm_status_name(b.status));
		}
	}
}

/* Scans and extracts; a scanner refusal fails the test. */
static bool extract(const char *ruri, const char *hdrs)
{
	if (scan_invite(ruri, hdrs) != 0) {
		T_FAIL_AT("scanner refused: %s at %u",
			  sf_sip_error_name(msg.error), msg.error_offset);
		return false;
	}
	T_EQ_INT(sf_call_extract(&cfg, &msg, &call), 0);
	check_differential("message");
	return true;
}

static const char *key(const sf_ident_t *id)
{
	static char buf[4][40];
	static int k;
	char *b = buf[k++ & 3];

	if (!id)
		return "(none)";
	if (!id->present)
		return "(absent)";
	if (id->status != SF_NORM_OK)
		return sf_norm_status_name(id->status);
	sf_num_format(&id->num, b, 40);
	return b;
}

#define FROM_T "From: <sip:+442079460958@carrier.example>;tag=f1\n"
#define TO_T "To: <sip:+77011112233@operator.kz>\n"
#define RURI "sip:+77011112233@operator.kz;user=phone"

static void test_pai_one_line(void)
{
	if (!extract(RURI, FROM_T TO_T
		     "P-Asserted-Identity: \"Alice\" <sip:+77011234567@ims.kz;"
		     "user=phone>, <tel:+77011234567>\n"))
		return;
	T_EQ_INT(call.n_pai, 2);
	T_EQ_STR(key(&call.pai[0]), "+77011234567");
	T_EQ_STR(key(&call.pai[1]), "+77011234567");
	T_EQ_VIEW(call.pai[0].uri, "sip:+77011234567@ims.kz;user=phone");
	T_EQ_VIEW(call.pai[1].uri, "tel:+77011234567");
	T_EQ_STR(key(&call.from), "+442079460958");
	T_TRUE(call.presented == &call.pai[0]);
	T_EQ_INT(call.presented_source, SF_ID_PAI);
	T_TRUE(call.called == &call.ruri);
	T_EQ_STR(key(call.called), "+77011112233");
	T_EQ_VIEW(call.call_id, "abc123@192.0.2.1");
	T_TRUE(!call.privacy_id);
	T_TRUE(!call.emergency_urn);
	T_EQ_INT(call.n_diversion, 0);
}

static void test_pai_two_lines(void)
{
	if (!extract(RURI, FROM_T TO_T
		     "P-Asserted-Identity: <sip:87011234567@ims.kz>\n"
		     "P-Asserted-Identity: <tel:8-701-123-45-67>\n"
		     "P-Asserted-Identity: <tel:+79990000000>\n"))
		return;
	T_EQ_INT(call.n_pai, 2); /* the third value is beyond the cap */
	T_EQ_STR(key(&call.pai[0]), "+77011234567");
	T_EQ_STR(key(&call.pai[1]), "+77011234567");
}

/* RFC 3325 §9.1: one sip/sips and one tel value at most. */
static void test_pai_shapes(void)
{
	/* sip + tel agreeing: fine, no conflict */
	if (!extract(RURI, FROM_T TO_T
		     "P-Asserted-Identity: <sip:+77011234567@ims.kz>\n"
		     "P-Asserted-Identity: <tel:+77011234567>\n"))
		return;
	T_TRUE(!call.pai_malformed && !call.identity_conflict);
	T_EQ_INT(call.n_pai_values, 2);
	T_EQ_INT(call.pai[0].scheme, SF_SCHEME_SIP);
	T_EQ_INT(call.pai[1].scheme, SF_SCHEME_TEL);
	/* sip + tel disagreeing: a conflict, in either order */
	if (!extract(RURI, FROM_T TO_T
		     "P-Asserted-Identity: <tel:+442079460958>, "
		     "<sip:+77011234567@ims.kz>\n"))
		return;
	T_TRUE(!call.pai_malformed && call.identity_conflict);
	/* two of one scheme */
	if (!extract(RURI, FROM_T TO_T
		     "P-Asserted-Identity: <sip:+442079460958@a>, "
		     "<sips:+77011234567@ims.kz>\n"))
		return;
	T_TRUE(call.pai_malformed);
	if (!extract(RURI, FROM_T TO_T
		     "P-Asserted-Identity: <tel:+442079460958>\n"
		     "P-Asserted-Identity: <tel:+77011234567>\n"))
		return;
	T_TRUE(call.pai_malformed);
	/* three values: malformed, the count says so beyond the cap */
	if (!extract(RURI, FROM_T TO_T
		     "P-Asserted-Identity: <sip:1@a>, <tel:+77011234567>, "
		     "<tel:+77011234568>\n"))
		return;
	T_TRUE(call.pai_malformed);
	T_EQ_INT(call.n_pai_values, 3);
	T_EQ_INT(call.n_pai, 2);
	/* one value of another scheme alone is not malformed (just not a
	 * number) */
	if (!extract(RURI, FROM_T TO_T
		     "P-Asserted-Identity: <mailto:a@b.example>\n"))
		return;
	T_TRUE(!call.pai_malformed);
	T_EQ_INT(call.pai[0].scheme, SF_SCHEME_OTHER);
}

/* Numbers in display names are identities too. */
static void test_display_numbers(void)
{
	static const struct {
		const char *from, *want;
	} cases[] = {
		{"From: \"+7 701 123-45-67\" <sip:x@carrier.example>;tag=1\n",
		 "+77011234567"},
		{"From: \"8 (701) 123 45 67\" <sip:x@c>;tag=1\n",
		 "+77011234567"},
		{"From: \"Kaspi Bank 8 (727) 250-00-00\" <sip:x@c>;tag=1\n",
		 "+77272500000"},
		{"From: 77011234567 <sip:x@c>;tag=1\n", "+77011234567"},
		{"From: \"102\" <sip:x@c>;tag=1\n", "102"}, /* short code */
		/* not numbers */
		{"From: \"Police 102\" <sip:x@c>;tag=1\n", "(absent)"},
		{"From: \"Alice\" <sip:+442079460958@c>;tag=1\n", "(absent)"},
		{"From: <sip:+442079460958@c>;tag=1\n", "(absent)"},
		{"From: \"12\\\"34567890\" <sip:x@c>;tag=1\n", "(absent)"},
		{"From: \"+7 701 1234 5678 9012 3456\" <sip:x@c>;tag=1\n",
		 "(absent)"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char h[256];

		snprintf(h, sizeof(h), "%s%s", cases[i].from, TO_T);
		if (!extract(RURI, h))
			continue;
		if (strcmp(key(&call.from_display), cases[i].want))
			T_FAIL_AT("%s: display %s, want %s", cases[i].from,
				  key(&call.from_display), cases[i].want);
	}
	if (!extract(RURI, FROM_T TO_T
		     "P-Asserted-Identity: \"+77015550000\" "
		     "<sip:+442079460958@ims.kz>\n"))
		return;
	T_EQ_STR(key(&call.pai_display), "+77015550000");
	T_EQ_VIEW(call.pai_display.uri, "+77015550000");
}

/* Exemptions come from the Request-URI only: To never stands in. */
static void test_called_is_ruri(void)
{
	if (!extract("sip:+77017654321;phone-context=@host@operator.kz",
		     FROM_T "To: <sip:112@operator.kz>\n"))
		return;
	T_TRUE(call.called == &call.ruri);
	T_TRUE(call.ruri.status != SF_NORM_OK);
	T_TRUE(!call.emergency_urn);
	if (!extract("sip:operator.kz", FROM_T "To: <sip:112@operator.kz>\n"))
		return;
	T_TRUE(call.called == &call.ruri);
	T_EQ_STR(key(call.called), "empty");
}

/* The first PAI that normalises is the presented one. */
static void test_pai_first_usable(void)
{
	if (!extract(RURI, FROM_T TO_T
		     "P-Asserted-Identity: <sip:alice@ims.kz>, "
		     "<tel:+77011234567>\n"))
		return;
	T_EQ_STR(key(&call.pai[0]), "bad-char");
	T_TRUE(call.presented == &call.pai[1]);
}

static void test_rpid_only(void)
{
	if (!extract(RURI, FROM_T TO_T
		     "Remote-Party-ID: \"Bob\" <sip:87011234567@gw.kz>;"
		     "party=calling;screen=yes;privacy=off\n"))
		return;
	T_EQ_STR(key(&call.rpid), "+77011234567");
	T_TRUE(call.presented == &call.rpid);
	T_EQ_INT(call.presented_source, SF_ID_RPID);
	T_TRUE(!call.privacy_id);

	if (!extract(RURI, FROM_T TO_T
		     "Remote-Party-ID: <sip:+77019999999@gw.kz>;party=called,"
		     " <sip:+77011234567@gw.kz>;privacy=full\n"))
		return;
	/* the party=called value describes the callee: skipped */
	T_EQ_STR(key(&call.rpid), "+77011234567");
	T_TRUE(call.privacy_id);
}

static void test_from_only(void)
{
	if (!extract(RURI, FROM_T TO_T))
		return;
	T_EQ_INT(call.n_pai, 0);
	T_TRUE(!call.rpid.present && !call.ppi.present);
	T_TRUE(call.presented == &call.from);
	T_EQ_INT(call.presented_source, SF_ID_FROM);
	T_EQ_STR(key(call.presented), "+442079460958");
	T_EQ_VIEW(call.from.uri, "sip:+442079460958@carrier.example");
	T_TRUE(call.called == &call.ruri); /* where the core routes */
}

static void test_anonymous(void)
{
	if (!extract(RURI, "From: \"Anonymous\" "
			   "<sip:anonymous@anonymous.invalid>;tag=x\n" TO_T
			   "P-Asserted-Identity: <sip:+77011234567@ims.kz>\n"
			   "Privacy: id\n"))
		return;
	T_EQ_STR(key(&call.from), "anonymous");
	T_TRUE(call.privacy_id);
	T_TRUE(call.presented == &call.pai[0]);

	/* no PAI: the anonymous From is what is presented */
	if (!extract(RURI, "From: <sip:anonymous@anonymous.invalid>;tag=x\n"
			   TO_T "Privacy: header;id\n"))
		return;
	T_TRUE(call.presented == &call.from);
	T_EQ_INT(call.presented->status, SF_NORM_ANONYMOUS);
	T_TRUE(call.privacy_id);

	/* RFC 3325 host with a token user is anonymous too */
	if (!extract(RURI, "From: <sip:c8oqz84zk7z@anonymous.invalid>;tag=x\n"
			   TO_T "Privacy: none\n"))
		return;
	T_EQ_INT(call.from.status, SF_NORM_ANONYMOUS);
	T_TRUE(!call.privacy_id);

	/* with a password (libosip2 path): the host is still found */
	if (!extract(RURI, "From: <sip:c8oqz84:x@anonymous.invalid>;tag=x\n"
			   TO_T))
		return;
	T_EQ_INT(call.from.status, SF_NORM_ANONYMOUS);

	/* a number shown on an anonymous.invalid host stays a number */
	if (!extract(RURI, "From: <sip:+77011234567@anonymous.invalid>;tag=x\n"
			   TO_T "Privacy: session, user\n"))
		return;
	T_EQ_STR(key(&call.from), "+77011234567");
	T_TRUE(call.privacy_id);
}

static void test_diversion(void)
{
	if (!extract(RURI, FROM_T TO_T
		     "Diversion: <sip:+442079460958@uk.example>;"
		     "reason=unconditional;counter=1\n"))
		return;
	T_EQ_INT(call.n_diversion, 1);
	T_EQ_STR(key(&call.diversion[0]), "+442079460958");
}

static void test_history_info(void)
{
	/* RFC 7044: three entries, the last is the current target */
	if (!extract(RURI, FROM_T TO_T
		     "History-Info: <sip:+77015550001@operator.kz>;index=1,\n"
		     " <sip:+442079460958@uk.example?Reason=SIP%3Bcause%3D302>"
		     ";index=1.1;rc=1\n"
		     "History-Info: <sip:+77011112233@operator.kz>;"
		     "index=1.1.1\n"
		     "Diversion: <tel:+33123456789>;reason=busy\n"))
		return;
	T_EQ_INT(call.n_diversion, 3);
	T_EQ_STR(key(&call.diversion[0]), "+33123456789"); /* Diversion first */
	T_EQ_STR(key(&call.diversion[1]), "+77015550001");
	T_EQ_STR(key(&call.diversion[2]), "+442079460958");

	/* a single H-I entry is the target only: no diversion */
	if (!extract(RURI, FROM_T TO_T
		     "History-Info: <sip:+77011112233@operator.kz>;index=1\n"))
		return;
	T_EQ_INT(call.n_diversion, 0);

	/* caps: at most SF_CALL_MAX_DIVERSION */
	if (!extract(RURI, FROM_T TO_T
		     "Diversion: <tel:+33100000001>, <tel:+33100000002>, "
		     "<tel:+33100000003>\n"
		     "History-Info: <tel:+33100000004>;index=1, "
		     "<tel:+33100000005>;index=1.1, <tel:+33100000006>;"
		     "index=1.1.1\n"))
		return;
	T_EQ_INT(call.n_diversion, SF_CALL_MAX_DIVERSION);
	T_EQ_STR(key(&call.diversion[3]), "+33100000004");
}

static void test_tel_phone_context(void)
{
	if (!extract("tel:7011112233;phone-context=+7",
		     "From: <tel:87011234567;phone-context="
		     "ims.mnc001.mcc401.3gppnetwork.org>;tag=1\n"
		     "To: <tel:7011112233;phone-context=+7>\n"
		     "P-Asserted-Identity: <tel:2079460958;"
		     "phone-context=+44>\n"))
		return;
	T_EQ_STR(key(&call.from), "+77011234567");
	T_EQ_STR(key(&call.pai[0]), "+442079460958");
	T_EQ_STR(key(&call.ruri), "+77011112233");
	T_TRUE(call.called == &call.ruri); /* where the core routes */

	/* sip: URI carrying phone-context in its user part */
	if (!extract("sip:102;phone-context=+7@operator.kz;user=phone",
		     "From: <sip:7011234567;phone-context=+7@gw.kz;user=phone>"
		     ";tag=1\n" TO_T
		     "P-Asserted-Identity: <tel:7011234567;phone-context=>\n"))
		return;
	T_EQ_STR(key(&call.from), "+77011234567");
	T_EQ_STR(key(&call.ruri), "102");
	T_EQ_STR(key(&call.pai[0]), "bad-context");
	T_TRUE(call.presented == &call.from);
}

static void test_compact_and_folded(void)
{
	if (!extract(RURI, "f: \"Folded\"\n"
			   "\t<sip:8-701-123-45-67@gw.kz>\n ;tag=9\n"
			   "t: <sip:+77011112233@operator.kz>\n"))
		return;
	T_EQ_STR(key(&call.from), "+77011234567");
	T_EQ_VIEW(call.from.uri, "sip:8-701-123-45-67@gw.kz");
	T_TRUE(call.called == &call.ruri); /* where the core routes */
}

/* %00 must never shorten the number: no truncated "+7701123" key. */
static void test_escaped_nul(void)
{
	if (!extract(RURI, "From: <sip:+7701123%004567@gw.kz>;tag=1\n" TO_T))
		return;
	T_EQ_STR(key(&call.from), "bad-escape");
	T_EQ_INT(call.from.num.kind, SF_NUM_NONE);
	/* an invalid escape, where libosip2 stops reading, likewise */
	if (!extract(RURI, "From: <sip:+7701123%zz4567@gw.kz>;tag=1\n" TO_T))
		return;
	T_EQ_STR(key(&call.from), "bad-escape");
	/* %2B decodes */
	if (!extract(RURI, "From: <sip:%2B77011234567@gw.kz>;tag=1\n" TO_T))
		return;
	T_EQ_STR(key(&call.from), "+77011234567");
}

/* Where libosip2 and we read a user part differently: bad-uri. */
static void test_differential(void)
{
	if (!extract(RURI, "From: <sip:+77011234567;x=%zz@gw.kz>;tag=1\n" TO_T
			   "P-Asserted-Identity: <sip:+77011234567@ims>junk\n"
			   "P-Asserted-Identity: sip:+77011234567@ims junk\n"))
		return;
	T_EQ_STR(key(&call.from), "bad-uri");
	T_EQ_STR(key(&call.pai[0]), "bad-uri");
	T_EQ_STR(key(&call.pai[1]), "bad-uri");
	/* nothing usable: the first present one in order is presented */
	T_TRUE(call.presented == &call.pai[0]);
}

static void test_user_params_and_schemes(void)
{
	if (!extract("sip:operator.kz",
		     "From: <sip:+77011234567;npdi;rn=+77019999999@gw.kz;"
		     "user=phone>;tag=1\n" TO_T
		     "P-Asserted-Identity: <mailto:a@b.example>\n"
		     "P-Preferred-Identity: <sips:+77015550001@ims.kz>\n"))
		return;
	T_EQ_STR(key(&call.from), "+77011234567");
	T_EQ_STR(key(&call.pai[0]), "bad-uri");
	T_EQ_STR(key(&call.ppi), "+77015550001");
	/* Request-URI without a user part: no called number, never To's
	 * (exemptions are decided where the core routes) */
	T_EQ_STR(key(&call.ruri), "empty");
	T_TRUE(call.called == &call.ruri);
}

static void test_emergency_urn(void)
{
	if (!extract("urn:service:sos", FROM_T "To: <urn:service:sos>\n"))
		return;
	T_TRUE(call.emergency_urn);
	if (!extract("urn:service:sos.police", FROM_T TO_T))
		return;
	T_TRUE(call.emergency_urn);
	if (!extract("urn:service:sosx", FROM_T TO_T))
		return;
	T_TRUE(!call.emergency_urn);
	if (!extract("sip:112@operator.kz;user=phone", FROM_T TO_T))
		return;
	T_TRUE(!call.emergency_urn);
	T_EQ_STR(key(call.called), "112");
}

static void test_identity_order(void)
{
	sf_cfg_t saved = cfg;

	cfg.identity_order[0] = SF_ID_FROM;
	cfg.identity_order[1] = SF_ID_PAI;
	cfg.n_identity_order = 2;
	if (extract(RURI, FROM_T TO_T
		    "P-Asserted-Identity: <sip:+77011234567@ims.kz>\n")) {
		T_TRUE(call.presented == &call.from);
		T_EQ_INT(call.presented_source, SF_ID_FROM);
	}
	/* PPI only counts when configured */
	cfg.identity_order[0] = SF_ID_PPI;
	cfg.n_identity_order = 1;
	if (extract(RURI, FROM_T TO_T
		    "P-Preferred-Identity: <sip:+77015550001@ims.kz>\n")) {
		T_TRUE(call.presented == &call.ppi);
		T_EQ_INT(call.presented_source, SF_ID_PPI);
	}
	if (extract(RURI, FROM_T TO_T)) /* configured source absent */
		T_TRUE(call.presented == NULL);
	cfg = saved;
}

/* No order configured (a config built in code; the loader always sets
 * one) or a count past SF_CFG_MAX_IDENTITY: PAI, then RPID, then From. */
static void test_identity_order_default(void)
{
	sf_cfg_t saved = cfg;
	const size_t counts[] = {0, SF_CFG_MAX_IDENTITY + 1};

	/* an order that would pick From first, were it used */
	cfg.identity_order[0] = SF_ID_FROM;
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		cfg.n_identity_order = counts[i];
		if (extract(RURI, FROM_T TO_T
			    "Remote-Party-ID: <sip:+77015550002@gw.kz>;"
			    "party=calling\n"
			    "P-Asserted-Identity: <sip:+77011234567@ims.kz>\n")) {
			T_TRUE(call.presented == &call.pai[0]);
			T_EQ_INT(call.presented_source, SF_ID_PAI);
		}
		if (extract(RURI, FROM_T TO_T
			    "Remote-Party-ID: <sip:+77015550002@gw.kz>;"
			    "party=calling\n")) {
			T_TRUE(call.presented == &call.rpid);
			T_EQ_INT(call.presented_source, SF_ID_RPID);
		}
		if (extract(RURI, FROM_T TO_T)) {
			T_TRUE(call.presented == &call.from);
			T_EQ_INT(call.presented_source, SF_ID_FROM);
		}
		/* none usable: the first present one, in the default order */
		if (extract(RURI, "From: <sip:alice@carrier.example>;tag=f1\n"
			    TO_T "P-Asserted-Identity: <sip:bob@ims.kz>\n")) {
			T_TRUE(call.presented == &call.pai[0]);
			T_EQ_INT(call.presented_source, SF_ID_PAI);
		}
	}
	cfg = saved;
}

static void test_long_value(void)
{
	static char hdrs[3000];
	size_t o;

	o = (size_t)snprintf(hdrs, sizeof(hdrs),
			     "From: \"%s", "x");
	memset(hdrs + o, 'a', 1500);
	o += 1500;
	snprintf(hdrs + o, sizeof(hdrs) - o,
		 "\" <sip:+77011234567@gw.kz>;tag=1\n" TO_T);
	if (!extract(RURI, hdrs))
		return;
	T_EQ_STR(key(&call.from), "bad-uri");
	T_TRUE(call.presented == &call.from);
}

static void test_not_request(void)
{
	static const char resp[] =
		"SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
		"From: <sip:+77011234567@gw.kz>;tag=1\r\n"
		"To: <sip:+77011112233@operator.kz>;tag=2\r\n"
		"Call-ID: abc\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";

	if (sf_sip_scan(resp, sizeof(resp) - 1, NULL, &msg) != 0) {
		T_FAIL_AT("scanner refused the response");
		return;
	}
	T_EQ_INT(sf_call_extract(&cfg, &msg, &call), -1);
}

static void test_from_numbers(void)
{
	sf_call_from_numbers(&cfg, "+7 (701) 123-45-67", "102", &call);
	T_TRUE(call.presented == &call.from);
	T_EQ_STR(key(call.presented), "+77011234567");
	T_TRUE(call.called == &call.ruri);
	T_EQ_STR(key(call.called), "102");
	sf_call_from_numbers(&cfg, "anonymous", NULL, &call);
	T_EQ_INT(call.presented->status, SF_NORM_ANONYMOUS);
	T_TRUE(call.called == NULL);
	T_TRUE(!call.ruri.present);
}

/* sf_call_from_identities (sipfilter lookup --network): the network
 * number is the PAI and identity_order picks the presented one. */
static void test_from_identities(void)
{
	sf_cfg_t saved = cfg;

	sf_call_from_identities(&cfg, "+77011234567", "+77015550001", "102",
				&call);
	T_EQ_INT(call.n_pai, 1);
	T_EQ_INT(call.n_pai_values, 1);
	T_EQ_STR(key(&call.pai[0]), "+77015550001");
	T_TRUE(call.presented == &call.pai[0]);
	T_EQ_INT(call.presented_source, SF_ID_PAI);
	T_EQ_STR(key(call.called), "102");
	/* a network number that does not normalise: From is presented */
	sf_call_from_identities(&cfg, "+77011234567", "not a number", NULL,
				&call);
	T_TRUE(call.presented == &call.from);
	T_EQ_INT(call.presented_source, SF_ID_FROM);
	/* From first in the order */
	cfg.identity_order[0] = SF_ID_FROM;
	cfg.identity_order[1] = SF_ID_PAI;
	cfg.n_identity_order = 2;
	sf_call_from_identities(&cfg, "+77011234567", "+77015550001", NULL,
				&call);
	T_TRUE(call.presented == &call.from);
	/* no presented number: the network one */
	sf_call_from_identities(&cfg, NULL, "+77015550001", NULL, &call);
	T_TRUE(call.presented == &call.pai[0]);
	cfg = saved;
}

/* Sanity of an extracted call, whatever the message was. */
static void check_call_sane(const char *name)
{
	const sf_ident_t *all[] = {&call.from, &call.from_display, &call.ruri,
				   &call.pai[0], &call.pai[1], &call.ppi,
				   &call.rpid, &call.diversion[0],
				   &call.diversion[1], &call.diversion[2],
				   &call.diversion[3]};

	T_TRUE(call.n_pai <= SF_CALL_MAX_PAI);
	T_TRUE(call.n_diversion <= SF_CALL_MAX_DIVERSION);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const sf_ident_t *id = all[i];

		if (id->status == SF_NORM_OK) {
			T_TRUE(id->present);
			T_TRUE(id->num.kind != SF_NUM_NONE);
			T_TRUE(id->num.len > 0 && id->num.len <= SF_NUM_MAX);
			T_TRUE(strspn(id->num.d, "0123456789") == id->num.len);
		} else if (id->num.kind != SF_NUM_NONE) {
			T_FAIL_AT("%s: a number without status OK", name);
		}
		if (id->uri.len)
			T_TRUE(id->uri.s >= msg.buf &&
			       id->uri.s + id->uri.len <= msg.buf + msg.len);
	}
	T_TRUE(call.presented == NULL ||
	       (call.presented >= &call.from &&
		call.presented <= &call.diversion[SF_CALL_MAX_DIVERSION - 1]));
}

/* Every request of the torture corpora the scanner accepts extracts. */
static void test_torture_corpus(void)
{
	static const char *const dirs[] = {"corpus/torture/rfc4475",
					   "corpus/torture/rfc5118"};
	static const char *const exts[] = {".dat", ".crlf"};
	unsigned accepted = 0;

	for (size_t di = 0; di < 2; di++) {
		char path[1024];
		DIR *dir;
		struct dirent *e;

		snprintf(path, sizeof(path), "%s/%s", t_shared(), dirs[di]);
		dir = opendir(path);
		if (!dir) {
			T_FAIL_AT("cannot open %s (set SF_SHARED)", path);
			continue;
		}
		while ((e = readdir(dir))) {
			char file[1400];
			static char data[70000];
			size_t n;
			FILE *fp;
			size_t len = strlen(e->d_name);
			size_t el = strlen(exts[di]);

			if (len <= el || strcmp(e->d_name + len - el, exts[di]))
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
			fp = fopen(file, "rb");
			if (!fp)
				continue;
			n = fread(data, 1, sizeof(data), fp);
			fclose(fp);
			if (sf_sip_scan(data, n, NULL, &msg) != 0 ||
			    !msg.is_request)
				continue;
			accepted++;
			T_EQ_INT(sf_call_extract(&cfg, &msg, &call), 0);
			check_call_sane(e->d_name);
			check_differential(e->d_name);
		}
		closedir(dir);
	}
	printf("torture requests accepted and extracted: %u\n", accepted);
	T_TRUE(accepted >= 5);
}

/* Values found by fuzz_identity (and neighbours) where the fast path and
 * libosip2 once disagreed, read directly through both paths. */
static void test_differential_values(void)
{
	static const char *const values[] = {
		"<tel:+>;index=1.1", "<tel:1>", "<tel:12>", "tel:+",
		"<tel:+1;a>", "<sip:1@h;>", "<sip:1@h>;", "<sip:+7701@h:>",
		"<sip:+7701@[]>", "<sip:+7701@h:123456>",
		"\"a\\\"b\" <sip:1@h>",
		"a b <sip:+77011234567@h>", "<sip:%2B77011234567@h>",
		"<sip:+7701%zz@h>", "<sip:+7701%00@h>", "<SIP:+77011234567@h>",
		"tel:15\r\n", "tel:+77011234567  ;tag=1",
		"sip:+7234567@h:50\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n",
	};

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		sf_ident_t a, b;
		sf_ident_extra_t xa, xb;
		sf_str_t v = sf_str_c(values[i]);

		sf_ident_read_value(&cfg.dialling, v, &a, &xa, true);
		sf_ident_read_value(&cfg.dialling, v, &b, &xb, false);
		if (!same_ident(&a, &b))
			T_FAIL_AT("\"%s\": fast %s, libosip2 %s", values[i],
				  sf_norm_status_name(a.status),
				  sf_norm_status_name(b.status));
		sf_ident_read_ruri(&cfg.dialling, v, &a, NULL, true);
		sf_ident_read_ruri(&cfg.dialling, v, &b, NULL, false);
		if (!same_ident(&a, &b))
			T_FAIL_AT("R-URI \"%s\": fast %s, libosip2 %s",
				  values[i], sf_norm_status_name(a.status),
				  sf_norm_status_name(b.status));
	}
}

/* The differential above saw the fast path taken, and not taken. */
static void test_differential_coverage(void)
{
	printf("differential: %u values, %u in the fast subset\n",
	       diff_values, diff_fast);
	T_TRUE(diff_fast >= 40);
	T_TRUE(diff_values - diff_fast >= 10);
}

int main(void)
{
	init_cfg();
	sf_identity_global_init();
	T_RUN(test_pai_one_line);
	T_RUN(test_pai_two_lines);
	T_RUN(test_pai_shapes);
	T_RUN(test_display_numbers);
	T_RUN(test_called_is_ruri);
	T_RUN(test_pai_first_usable);
	T_RUN(test_rpid_only);
	T_RUN(test_from_only);
	T_RUN(test_anonymous);
	T_RUN(test_diversion);
	T_RUN(test_history_info);
	T_RUN(test_tel_phone_context);
	T_RUN(test_compact_and_folded);
	T_RUN(test_escaped_nul);
	T_RUN(test_differential);
	T_RUN(test_user_params_and_schemes);
	T_RUN(test_emergency_urn);
	T_RUN(test_identity_order);
	T_RUN(test_identity_order_default);
	T_RUN(test_long_value);
	T_RUN(test_not_request);
	T_RUN(test_from_numbers);
	T_RUN(test_from_identities);
	T_RUN(test_torture_corpus);
	T_RUN(test_differential_values);
	T_RUN(test_differential_coverage);
	return T_DONE();
}
