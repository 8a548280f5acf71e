/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_proxy_sip.c - the proxy's SIP helpers: Via parsing, header
 * parameters, the byte-range editor, stateless responses and tags.
 */
#include "base/sf_edit.h"
#include "sipfilter/proxy/proxy_resp.h"
#include "../../sipfilter/engine/sf_via.h"
#include "t.h"

static sf_via_t via(const char *s, int *rc)
{
	sf_via_t v;

	*rc = sf_via_parse(sf_str_c(s), &v);
	return v;
}

static void test_via_basic(void)
{
	int rc;
	sf_via_t v = via("SIP/2.0/UDP 127.0.0.2:5061;branch=z9hG4bK-1;rport",
			 &rc);

	T_EQ_INT(rc, 0);
	T_EQ_VIEW(v.transport, "UDP");
	T_EQ_VIEW(v.host, "127.0.0.2");
	T_EQ_INT(v.port, 5061);
	T_EQ_VIEW(v.branch, "z9hG4bK-1");
	T_TRUE(v.has_rport && !v.rport_has_value);
	T_EQ_VIEW(v.rport_param, "rport");
	T_TRUE(!v.has_received && v.next == NULL);
}

static void test_via_lws_ipv6_received(void)
{
	int rc;
	sf_via_t v = via("SIP / 2.0 / TCP [2001:db8::1]:5070 ; received = "
			 "192.0.2.7 ;rport=1234;branch=z9hG4bKx , SIP/2.0/UDP "
			 "h.example", &rc);

	T_EQ_INT(rc, 0);
	T_TRUE(sf_via_is_tcp(&v));
	T_EQ_VIEW(v.host, "2001:db8::1");
	T_EQ_INT(v.port, 5070);
	T_EQ_VIEW(v.received, "192.0.2.7");
	T_TRUE(v.rport_has_value);
	T_EQ_INT(v.rport, 1234);
	T_TRUE(v.next != NULL);
	T_EQ_STR(v.next, "SIP/2.0/UDP h.example");
}

static void test_via_refused(void)
{
	static const char *const bad[] = {
		"", "SIP/2.0/UDP", "SIP/2.0/UDP ", "SIP/3.0/UDP h",
		"SIP/2.0/UDPh", "SIP/2.0/UDP h:0", "SIP/2.0/UDP h:70000",
		"SIP/2.0/UDP h;branch", "SIP/2.0/UDP h;branch=a;branch=b",
		"SIP/2.0/UDP h;rport=x", "SIP/2.0/UDP [::1", "SIP/2.0/UDP h,",
		"SIP/2.0/UDP h;branch=\"q\"", "SIP/2.0/UDP h junk",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;

		via(bad[i], &rc);
		if (rc == 0)
			T_FAIL_AT("accepted: '%s'", bad[i]);
	}
}

static void test_hdr_param(void)
{
	sf_str_t v, uri;
	bool angle;

	T_TRUE(sf_hdr_param(sf_str_c("\"A;tag=no\" <sip:a@b;tag=no>;tag=yes"),
			    "tag", &v));
	T_EQ_VIEW(v, "yes");
	T_TRUE(sf_hdr_param(sf_str_c("sip:a@b ;TAG=x1"), "tag", &v));
	T_EQ_VIEW(v, "x1");
	T_TRUE(!sf_hdr_param(sf_str_c("<sip:a@b;tag=in-uri>"), "tag", &v));
	T_TRUE(sf_hdr_uri(sf_str_c("\"x\" <tel:+7701;verstat=a>;tag=1"), &uri,
			  &angle));
	T_TRUE(angle);
	T_EQ_VIEW(uri, "tel:+7701;verstat=a");
	T_TRUE(!sf_hdr_uri(sf_str_c("<sip:unterminated"), &uri, &angle));
}

static void test_edit(void)
{
	const char *src = "0123456789";
	char out[64];
	sf_edit_t e;
	long n;

	sf_edit_init(&e);
	sf_edit_insert(&e, 5, "b", 1);
	sf_edit_replace(&e, 0, 2, "AB", 2);
	sf_edit_insert(&e, 5, "c", 1); /* same offset: in order added */
	sf_edit_replace(&e, 8, 2, NULL, 0);
	sf_edit_insert(&e, 10, "!", 1);
	n = sf_edit_apply(&e, src, 10, out, sizeof(out));
	T_EQ_INT(n, 11);
	out[n > 0 ? n : 0] = '\0';
	T_EQ_STR(out, "AB234bc567!");

	sf_edit_init(&e);
	sf_edit_replace(&e, 2, 4, "x", 1);
	sf_edit_replace(&e, 3, 1, "y", 1); /* overlaps the first */
	T_EQ_INT(sf_edit_apply(&e, src, 10, out, sizeof(out)), -1);

	sf_edit_init(&e);
	sf_edit_insert(&e, 11, "x", 1); /* past the end */
	T_EQ_INT(sf_edit_apply(&e, src, 10, out, sizeof(out)), -1);

	sf_edit_init(&e);
	sf_edit_insert(&e, 0, "abc", 3);
	T_EQ_INT(sf_edit_apply(&e, src, 10, out, 12), -1); /* no room */
}

static const char invite[] =
	"INVITE sip:77012220001@127.0.0.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 10.1.1.1:5061;branch=z9hG4bK-abc;rport\r\n"
	"Via: SIP/2.0/UDP 10.9.9.9;branch=z9hG4bK-prev\r\n"
	"From: <sip:77011234567@10.1.1.1>;tag=ft1\r\n"
	"To: <sip:77012220001@127.0.0.1> \r\n"
	"Call-ID: cid-1@10.1.1.1\r\n"
	"CSeq: 7 INVITE\r\n"
	"Max-Forwards: 70\r\n"
	"X-Private: not echoed\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 4\r\n"
	"\r\n"
	"v=0\n";

static void test_response(void)
{
	sf_sipmsg_t m;
	const char *tag = "sf0123456789abcdef";
	sf_resp_opts_t o = {603,  "Network Blocked", "known-substitution",
			    "192.0.2.7", 40000, NULL, NULL, tag, NULL};
	char out[2048];
	long n;

	T_EQ_INT(sf_sip_scan(invite, sizeof(invite) - 1, NULL, &m), 0);
	n = sf_resp_build(&m, &o, out, sizeof(out));
	T_TRUE(n > 0);
	out[n > 0 ? n : 0] = '\0';
	{
		char want[1024];

		snprintf(want, sizeof(want),
			 "SIP/2.0 603 Network Blocked\r\n"
			 "Via: SIP/2.0/UDP 10.1.1.1:5061;branch=z9hG4bK-abc;"
			 "rport=40000;received=192.0.2.7\r\n"
			 "Via: SIP/2.0/UDP 10.9.9.9;branch=z9hG4bK-prev\r\n"
			 "From: <sip:77011234567@10.1.1.1>;tag=ft1\r\n"
			 "To: <sip:77012220001@127.0.0.1>;tag=%.*s\r\n"
			 "Call-ID: cid-1@10.1.1.1\r\n"
			 "CSeq: 7 INVITE\r\n"
			 "Reason: SIP;cause=603;text=\"known-substitution\"\r\n"
			 "Content-Length: 0\r\n\r\n", SF_TAG_LEN, tag);
		T_EQ_STR(out, want);
	}
	/* Nothing else from the request is echoed. */
	T_NOT_CONTAINS(out, "X-Private");
	T_NOT_CONTAINS(out, "v=0");
	/* It parses with the strict scanner. */
	{
		sf_sipmsg_t r;

		T_EQ_INT(sf_sip_scan(out, (size_t)n, NULL, &r), 0);
		T_EQ_INT(r.status, 603);
	}
	/* Too small a buffer fails cleanly. */
	T_EQ_INT(sf_resp_build(&m, &o, out, 100), -1);
	/* Reason text is escaped. */
	o.reason_text = "a\"b\\c\r\n";
	n = sf_resp_build(&m, &o, out, sizeof(out));
	out[n > 0 ? n : 0] = '\0';
	T_CONTAINS(out, "text=\"a\\\"b\\\\c\"\r\n");
}

/* An empty or valueless To-tag is no tag: ours replaces it; a sender's
 * received/rport never survive (RFC 3261 §18.2.1, RFC 3581 §4). */
static void test_response_tag_and_source(void)
{
	static const char *const tos[][2] = {
		{"To: <sip:1@h>;tag=\r\n", "To: <sip:1@h>;tag=sf0123456789abcdef\r\n"},
		{"To: <sip:1@h>;tag;x=1\r\n",
		 "To: <sip:1@h>;tag=sf0123456789abcdef;x=1\r\n"},
		{"To: <sip:1@h>\r\n", "To: <sip:1@h>;tag=sf0123456789abcdef\r\n"},
		{"To: <sip:1@h>;tag=theirs\r\n", "To: <sip:1@h>;tag=theirs\r\n"},
	};
	sf_resp_opts_t o = {603, NULL, NULL, "192.0.2.7", 40000, NULL, NULL,
			    "sf0123456789abcdef", "INVITE, ACK"};

	for (size_t i = 0; i < sizeof(tos) / sizeof(tos[0]); i++) {
		char req[1024], out[2048];
		sf_sipmsg_t m;
		long n;

		snprintf(req, sizeof(req),
			 "INVITE sip:1@h SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 10.1.1.1;branch=z9hG4bK-a;"
			 "received=6.6.6.6;rport=9\r\n"
			 "From: <sip:2@h>;tag=f\r\n%s"
			 "Call-ID: c\r\nCSeq: 1 INVITE\r\n"
			 "Content-Length: 0\r\n\r\n", tos[i][0]);
		T_EQ_INT(sf_sip_scan(req, strlen(req), NULL, &m), 0);
		n = sf_resp_build(&m, &o, out, sizeof(out));
		T_TRUE(n > 0);
		out[n > 0 ? n : 0] = '\0';
		T_CONTAINS(out, tos[i][1]);
		T_CONTAINS(out, "received=192.0.2.7;rport=40000\r\n");
		T_NOT_CONTAINS(out, "6.6.6.6");
		T_CONTAINS(out, "Allow: INVITE, ACK\r\n");
	}
}

int main(void)
{
	T_RUN(test_via_basic);
	T_RUN(test_via_lws_ipv6_received);
	T_RUN(test_via_refused);
	T_RUN(test_hdr_param);
	T_RUN(test_edit);
	T_RUN(test_response);
	T_RUN(test_response_tag_and_source);
	return T_DONE();
}
