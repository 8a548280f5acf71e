/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_admit.c - admission (sipfilter/engine/sf_admit.h) on its own
 * fixture config (tests/fixtures/edge/edge.yaml, fixed secret): every
 * class of request the edge meets, and every message an attacker who read
 * the code would craft to get a call past the verdict or a relay out of
 * the proxy - INVITEs with To-tags (valued, empty, bare), forged and
 * foreign Routes, case variants of INVITE, methods the trunk does not
 * list, loops vs spirals, malformed input, forged responses.
 */
#include "../../sipfilter/engine/sf_admit.h"
#include "sipfilter/lib/sf_load.h"
#include "t.h"

static sf_cfg_t *cfg;
static sf_tables_t *tables;
static sf_edge_t edge;
static sf_sipmsg_t msg;
static sf_call_t call;
static sf_admission_t adm;

#define TRUNK_A 0      /* ipx-carrier-a, 127.0.0.2 */
#define TRUNK_HUB 2    /* roaming-hub, 127.0.0.4: lists MESSAGE */
#define TRUNK_CORE 4   /* core, 127.0.0.1 */

static sf_ip_t ip(const char *s)
{
	sf_ip_t r;

	if (sf_ip_parse(s, strlen(s), &r))
		abort();
	return r;
}

static const sf_admission_t *admit_from(const char *m, const char *src)
{
	sf_admit_in_t in = {m, strlen(m), SF_TP_UDP, ip(src), 5061,
			    SF_TRUNK_BY_SOURCE, SF_HOW_SOURCE, false};

	sf_admit(&edge, tables, &in, &msg, &call, &adm);
	return &adm;
}

/* A request: method, Request-URI, To parameters, extra header lines. */
static char *req(char *buf, size_t size, const char *method,
		 const char *ruri, const char *to_params, const char *extra)
{
	snprintf(buf, size,
		 "%s %s SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.2:5061;branch=z9hG4bK-t1;rport\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:77015550000@127.0.0.2>;tag=from1\r\n"
		 "To: <sip:77012220001@127.0.0.1>%s\r\n"
		 "Call-ID: call-1@127.0.0.2\r\n"
		 "CSeq: 1 %s\r\n"
		 "%s"
		 "Content-Length: 0\r\n\r\n",
		 method, ruri, to_params, method, extra);
	return buf;
}

#define RURI "sip:77012220001@127.0.0.1:5060"

/* The token our Record-Route carries for Call-ID call-1@127.0.0.2 and
 * a dialog-forming From-tag. */
static void token(const char *tag, char out[SF_RR_TOKEN_LEN + 1])
{
	sf_token_rr(&edge.key, sf_str_c("call-1@127.0.0.2"), sf_str_c(tag),
		    out);
	out[SF_RR_TOKEN_LEN] = '\0';
}

#define EXPECT(a, o, w)                                                    \
	do {                                                               \
		T_EQ_STR(sf_outcome_name((a)->outcome), sf_outcome_name(o)); \
		T_EQ_STR(sf_why_name((a)->why), sf_why_name(w));           \
	} while (0)

static void test_initial_invite(void)
{
	char m[2048];
	const sf_admission_t *a;

	/* home mobile, not roaming, from abroad: rejected by the rules */
	a = admit_from(req(m, sizeof(m), "INVITE", RURI, "", ""), "127.0.0.2");
	EXPECT(a, SF_OUT_REJECT, SF_WHY_VERDICT);
	T_EQ_INT(a->code, 603);
	T_TRUE(a->judged);
	T_EQ_STR(sf_admission_rule(a), "home-mobile-not-roaming");
	/* a foreign number is forwarded to the trunk's next hop, every
	 * Route removed, Record-Routed */
	a = admit_from(req(m, sizeof(m), "INVITE", RURI, "",
			   "Route: <sip:192.0.2.66;lr>\r\n"),
		       "127.0.0.2");
	T_CONTAINS(m, "77015550000");
	memcpy(strstr(m, "77015550000"), "44207946000", 11);
	a = admit_from(m, "127.0.0.2");
	EXPECT(a, SF_OUT_FORWARD, SF_WHY_VERDICT);
	T_EQ_INT(a->hop_trunk, TRUNK_A);
	T_TRUE(a->strip_routes && a->record_route);
	T_EQ_INT(a->pop_routes, 0);
}

/* Bypass 1: any To-tag used to skip the verdict. */
static void test_to_tag_lookalikes(void)
{
	static const char *const tags[] = {";tag=abc", ";tag=", ";tag",
					   ";TAG=x1"};
	char m[2048], extra[256], tok[SF_RR_TOKEN_LEN + 1];

	for (size_t i = 0; i < sizeof(tags) / sizeof(*tags); i++) {
		const sf_admission_t *a = admit_from(
			req(m, sizeof(m), "INVITE", RURI, tags[i], ""),
			"127.0.0.2");

		EXPECT(a, SF_OUT_REJECT, SF_WHY_VERDICT);
		T_TRUE(a->judged);
	}
	/* our Route, but a token for another dialog: still judged */
	token("other", tok);
	snprintf(extra, sizeof(extra),
		 "Route: <sip:127.0.0.1:5060;lr;sfk=%s>\r\n", tok);
	EXPECT(admit_from(req(m, sizeof(m), "INVITE", RURI, ";tag=x", extra),
			  "127.0.0.2"),
	       SF_OUT_REJECT, SF_WHY_VERDICT);
	/* a right token on someone else's address is not our Route */
	token("from1", tok);
	snprintf(extra, sizeof(extra),
		 "Route: <sip:127.0.0.9:5060;lr;sfk=%s>\r\n", tok);
	EXPECT(admit_from(req(m, sizeof(m), "INVITE", RURI, ";tag=x", extra),
			  "127.0.0.2"),
	       SF_OUT_REJECT, SF_WHY_VERDICT);
	/* without lr it is not a loose-routing Record-Route of ours */
	snprintf(extra, sizeof(extra),
		 "Route: <sip:127.0.0.1:5060;sfk=%s>\r\n", tok);
	EXPECT(admit_from(req(m, sizeof(m), "INVITE", RURI, ";tag=x", extra),
			  "127.0.0.2"),
	       SF_OUT_REJECT, SF_WHY_VERDICT);
	/* the right token but no To-tag: an initial INVITE, judged */
	snprintf(extra, sizeof(extra),
		 "Route: <sip:127.0.0.1:5060;lr;sfk=%s>\r\n", tok);
	EXPECT(admit_from(req(m, sizeof(m), "INVITE", RURI, "", extra),
			  "127.0.0.2"),
	       SF_OUT_REJECT, SF_WHY_VERDICT);
}

static void test_in_dialog(void)
{
	char m[2048], extra[512], tok[SF_RR_TOKEN_LEN + 1];
	const sf_admission_t *a;

	token("from1", tok);
	/* trunk -> core: re-INVITE and BYE with our Route, target the
	 * core's Contact */
	snprintf(extra, sizeof(extra),
		 "Route: <sip:127.0.0.1:5060;lr;sfk=%s>\r\n", tok);
	a = admit_from(req(m, sizeof(m), "INVITE", "sip:uas@127.0.0.1:5070",
			   ";tag=to1", extra),
		       "127.0.0.2");
	EXPECT(a, SF_OUT_FORWARD, SF_WHY_IN_DIALOG);
	T_TRUE(!a->judged);
	T_EQ_INT(a->pop_routes, 1);
	T_EQ_INT(a->hop_trunk, -1);
	T_EQ_INT(a->target_port, 5070);
	a = admit_from(req(m, sizeof(m), "BYE", "sip:uas@127.0.0.1:5070",
			   ";tag=to1", extra),
		       "127.0.0.2");
	EXPECT(a, SF_OUT_FORWARD, SF_WHY_IN_DIALOG);
	/* core -> trunk: the tags are swapped, the token is over the
	 * dialog-forming From-tag, now in To */
	token("to1", tok);
	snprintf(extra, sizeof(extra),
		 "Route: <sip:127.0.0.1:5060;lr;sfk=%s>\r\n", tok);
	a = admit_from(req(m, sizeof(m), "BYE", "sip:uac@127.0.0.2:5061",
			   ";tag=to1", extra),
		       "127.0.0.1");
	EXPECT(a, SF_OUT_FORWARD, SF_WHY_IN_DIALOG);
	/* a double Record-Route (interface change) pops both */
	token("from1", tok);
	snprintf(extra, sizeof(extra),
		 "Route: <sip:127.0.0.1:5060;transport=tcp;lr;sfk=%s>, "
		 "<sip:[::1]:5060;lr;sfk=%s>\r\nRoute: <sip:127.0.0.4;lr>\r\n",
		 tok, tok);
	a = admit_from(req(m, sizeof(m), "BYE", "sip:uas@127.0.0.1:5070",
			   ";tag=to1", extra),
		       "127.0.0.2");
	EXPECT(a, SF_OUT_FORWARD, SF_WHY_IN_DIALOG);
	T_EQ_INT(a->pop_routes, 2);
	/* the next Route, not the Request-URI, is the target */
	T_EQ_INT(a->target_port, 5060);
	T_TRUE(!memcmp(a->target.a + 12, "\x7f\x00\x00\x04", 4));
}

/* Bypass 2: a relay through the proxy to a host the config never names. */
static void test_no_relay(void)
{
	char m[2048], extra[512], tok[SF_RR_TOKEN_LEN + 1];

	token("from1", tok);
	snprintf(extra, sizeof(extra),
		 "Route: <sip:127.0.0.1:5060;lr;sfk=%s>\r\n", tok);
	EXPECT(admit_from(req(m, sizeof(m), "BYE", "sip:victim@192.0.2.66",
			      ";tag=to1", extra),
			  "127.0.0.2"),
	       SF_OUT_REJECT, SF_WHY_FORBIDDEN_TARGET);
	snprintf(extra, sizeof(extra),
		 "Route: <sip:127.0.0.1:5060;lr;sfk=%s>, "
		 "<sip:192.0.2.66;lr>\r\n", tok);
	EXPECT(admit_from(req(m, sizeof(m), "BYE", "sip:uas@127.0.0.1:5070",
			      ";tag=to1", extra),
			  "127.0.0.2"),
	       SF_OUT_REJECT, SF_WHY_FORBIDDEN_TARGET);
	/* a target that is a name, not an address: no DNS, no relay */
	snprintf(extra, sizeof(extra),
		 "Route: <sip:127.0.0.1:5060;lr;sfk=%s>\r\n", tok);
	EXPECT(admit_from(req(m, sizeof(m), "BYE", "sip:uas@core.example",
			      ";tag=to1", extra),
			  "127.0.0.2"),
	       SF_OUT_REJECT, SF_WHY_FORBIDDEN_TARGET);
	/* ourselves as the target */
	EXPECT(admit_from(req(m, sizeof(m), "BYE", "sip:uas@127.0.0.1:5060",
			      ";tag=to1", extra),
			  "127.0.0.2"),
	       SF_OUT_REJECT, SF_WHY_FORBIDDEN_TARGET);
	/* two '@' in the target: two readings, not for routing */
	EXPECT(admit_from(req(m, sizeof(m), "BYE",
			      "sip:a@192.0.2.66@127.0.0.1:5070", ";tag=to1",
			      extra),
			  "127.0.0.2"),
	       SF_OUT_REJECT, SF_WHY_FORBIDDEN_TARGET);
	/* an initial MESSAGE with a Route from an unknown source */
	EXPECT(admit_from(req(m, sizeof(m), "MESSAGE", "sip:x@192.0.2.66", "",
			      "Route: <sip:192.0.2.66;lr>\r\n"),
			  "127.0.0.9"),
	       SF_OUT_DROP, SF_WHY_UNKNOWN_SOURCE);
}

/* A peer named by its client certificate (serve's cert_peer hook): an
 * identified TLS connection from 192.0.2.77 port 40000. */
static bool fake_cert_peer(void *arg, const sf_ip_t *a, uint16_t *port)
{
	sf_ip_t peer = ip("192.0.2.77");

	(void)arg;
	if (memcmp(a->a, peer.a, 16))
		return false;
	*port = 40000;
	return true;
}

static void test_cert_peer_target(void)
{
	char m[2048], extra[512], tok[SF_RR_TOKEN_LEN + 1];
	const sf_admission_t *a;

	token("to1", tok);
	snprintf(extra, sizeof(extra),
		 "Route: <sip:127.0.0.1:5060;lr;sfk=%s>\r\n", tok);
	req(m, sizeof(m), "BYE", "sip:uac@192.0.2.77:5061;transport=tls",
	    ";tag=to1", extra);
	/* without the hook (replay, judge): an address no config names */
	EXPECT(admit_from(m, "127.0.0.1"), SF_OUT_REJECT,
	       SF_WHY_FORBIDDEN_TARGET);
	edge.cert_peer = fake_cert_peer;
	a = admit_from(m, "127.0.0.1");
	EXPECT(a, SF_OUT_FORWARD, SF_WHY_IN_DIALOG);
	/* over that connection, whatever the URI says */
	T_EQ_INT(a->target_port, 40000);
	T_EQ_INT(a->target_tp, SF_TP_TLS);
	req(m, sizeof(m), "BYE", "sip:uac@192.0.2.77:5061", ";tag=to1", extra);
	a = admit_from(m, "127.0.0.1");
	T_EQ_INT(a->target_tp, SF_TP_TLS);
	/* another address: still no relay */
	req(m, sizeof(m), "BYE", "sip:uac@192.0.2.78:5061;transport=tls",
	    ";tag=to1", extra);
	EXPECT(admit_from(m, "127.0.0.1"), SF_OUT_REJECT,
	       SF_WHY_FORBIDDEN_TARGET);
	edge.cert_peer = NULL;
}

/* Bypass 3: method case and methods the trunk does not list. */
static void test_methods(void)
{
	char m[2048];
	const sf_admission_t *a;

	a = admit_from(req(m, sizeof(m), "invite", RURI, "", ""), "127.0.0.2");
	EXPECT(a, SF_OUT_REFUSE, SF_WHY_METHOD_CASE);
	T_EQ_INT(a->code, 400);
	T_TRUE(a->warning[0] != '\0');
	EXPECT(admit_from(req(m, sizeof(m), "Invite", RURI, "", ""),
			  "127.0.0.2"),
	       SF_OUT_REFUSE, SF_WHY_METHOD_CASE);
	EXPECT(admit_from(req(m, sizeof(m), "invite", RURI, "", ""),
			  "127.0.0.9"),
	       SF_OUT_DROP, SF_WHY_METHOD_CASE);
	/* out of dialog, not listed: 405 with Allow */
	static const char *const refused[] = {"MESSAGE", "SUBSCRIBE",
					      "REGISTER", "BYE", "NOTIFY",
					      "REFER", "FOO"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		a = admit_from(req(m, sizeof(m), refused[i], RURI, "", ""),
			       "127.0.0.2");
		EXPECT(a, SF_OUT_REJECT, SF_WHY_METHOD_NOT_ALLOWED);
		T_EQ_INT(a->code, 405);
		T_TRUE(a->allow_hdr);
	}
	/* OPTIONS to a subscriber is not a health probe */
	EXPECT(admit_from(req(m, sizeof(m), "OPTIONS", RURI, "", ""),
			  "127.0.0.2"),
	       SF_OUT_REJECT, SF_WHY_METHOD_NOT_ALLOWED);
	/* OPTIONS to the proxy itself */
	a = admit_from(req(m, sizeof(m), "OPTIONS", "sip:127.0.0.1:5060", "",
			   ""),
		       "127.0.0.2");
	EXPECT(a, SF_OUT_ANSWER, SF_WHY_OPTIONS);
	T_EQ_INT(a->code, 200);
	/* roaming-hub lists MESSAGE */
	a = admit_from(req(m, sizeof(m), "MESSAGE", RURI, "",
			   "Route: <sip:192.0.2.66;lr>\r\n"),
		       "127.0.0.4");
	EXPECT(a, SF_OUT_FORWARD, SF_WHY_METHOD_LISTED);
	T_EQ_INT(a->hop_trunk, TRUNK_HUB);
	T_TRUE(a->strip_routes && !a->record_route);
	/* CANCEL follows the INVITE to the next hop */
	a = admit_from(req(m, sizeof(m), "CANCEL", RURI, "",
			   "Route: <sip:192.0.2.66;lr>\r\n"),
		       "127.0.0.2");
	EXPECT(a, SF_OUT_FORWARD, SF_WHY_CANCEL);
	T_EQ_INT(a->hop_trunk, TRUNK_A);
	T_TRUE(a->strip_routes);
	/* in-dialog looking BYE without our Route: 404 */
	EXPECT(admit_from(req(m, sizeof(m), "BYE", RURI, ";tag=t", ""),
			  "127.0.0.2"),
	       SF_OUT_REJECT, SF_WHY_NO_DIALOG);
	/* ACK of a non-2xx from downstream: hop by hop */
	a = admit_from(req(m, sizeof(m), "ACK", RURI, ";tag=t", ""),
		       "127.0.0.2");
	EXPECT(a, SF_OUT_FORWARD, SF_WHY_ACK);
	T_EQ_INT(a->hop_trunk, TRUNK_A);
	/* an ACK without a To-tag belongs to nothing */
	EXPECT(admit_from(req(m, sizeof(m), "ACK", RURI, "", ""), "127.0.0.2"),
	       SF_OUT_DROP, SF_WHY_NO_DIALOG);
}

static void test_ack_absorbed(void)
{
	char m[2048], tag[SF_TAG_LEN + 6] = ";tag=";

	sf_token_totag(&edge.key, sf_str_c("call-1@127.0.0.2"),
		       sf_str_c("from1"), sf_str_c("z9hG4bK-t1"), tag + 5);
	tag[5 + SF_TAG_LEN] = '\0';
	EXPECT(admit_from(req(m, sizeof(m), "ACK", RURI, tag, ""),
			  "127.0.0.2"),
	       SF_OUT_DROP, SF_WHY_ACK_ABSORBED);
}

static void test_hops_and_unknown(void)
{
	char m[2048];
	const sf_admission_t *a;

	req(m, sizeof(m), "INVITE", RURI, "", "");
	memcpy(strstr(m, "Max-Forwards: 70"), "Max-Forwards: 00", 16);
	a = admit_from(m, "127.0.0.2");
	EXPECT(a, SF_OUT_REJECT, SF_WHY_TOO_MANY_HOPS);
	T_EQ_INT(a->code, 483);
	memcpy(strstr(m, "Max-Forwards: 00"), "Max-Forwards: x0", 16);
	EXPECT(admit_from(m, "127.0.0.2"), SF_OUT_REFUSE,
	       SF_WHY_BAD_MAX_FORWARDS);
	EXPECT(admit_from(m, "127.0.0.9"), SF_OUT_DROP,
	       SF_WHY_BAD_MAX_FORWARDS);
	/* unknown source, unknown_source: reject */
	a = admit_from(req(m, sizeof(m), "INVITE", RURI, "", ""), "127.0.0.9");
	EXPECT(a, SF_OUT_REJECT, SF_WHY_UNKNOWN_SOURCE);
	T_EQ_INT(a->code, 403);
	EXPECT(admit_from(req(m, sizeof(m), "BYE", RURI, ";tag=x", ""),
			  "127.0.0.9"),
	       SF_OUT_DROP, SF_WHY_UNKNOWN_SOURCE);
	/* ... and as international: judged, routed by the default trunk */
	((sf_cfg_t *)cfg)->serve.unknown_source = SF_UNKNOWN_AS_INTERNATIONAL;
	a = admit_from(req(m, sizeof(m), "INVITE", RURI, "", ""), "127.0.0.9");
	EXPECT(a, SF_OUT_REJECT, SF_WHY_VERDICT);
	T_EQ_INT(a->trunk, -1);
	memcpy(strstr(m, "77015550000"), "44207946000", 11);
	a = admit_from(m, "127.0.0.9");
	EXPECT(a, SF_OUT_FORWARD, SF_WHY_VERDICT);
	T_EQ_INT(a->hop_trunk, TRUNK_A);
	((sf_cfg_t *)cfg)->serve.unknown_source = SF_UNKNOWN_REJECT;
}

/* Bypass 6: loops are refused, spirals (a new Request-URI or another
 * ingress) go on. */
static void test_loop_spiral(void)
{
	char m[2048], via[256], br[SF_BRANCH_LEN + 1];
	sf_admission_t first;

	/* what the proxy puts in its branch for this request from trunk A */
	req(m, sizeof(m), "INVITE", RURI, "", "");
	memcpy(strstr(m, "77015550000"), "44207946000", 11);
	first = *admit_from(m, "127.0.0.2");
	T_EQ_INT(first.outcome, SF_OUT_FORWARD);
	sf_branch_format(0x1234, first.loop_hash, br);
	br[SF_BRANCH_LEN] = '\0';
	/* it comes back from trunk A with our Via below the top: a loop */
	snprintf(via, sizeof(via),
		 "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=%s\r\n", br);
	{
		char m2[2048];
		char *v = strstr(m, "Max-Forwards");

		snprintf(m2, sizeof(m2), "%.*s%s%s", (int)(v - m), m, via, v);
		EXPECT(admit_from(m2, "127.0.0.2"), SF_OUT_REJECT,
		       SF_WHY_LOOP);
		T_EQ_INT(adm.code, 482);
		/* from the core (another ingress): a spiral */
		T_TRUE(admit_from(m2, "127.0.0.1")->why != SF_WHY_LOOP);
		/* with a new Request-URI: a spiral */
		memcpy(strstr(m2, "sip:77012220001@127.0.0.1:5060"),
		       "sip:77012220009@127.0.0.1:5060", 30);
		T_TRUE(admit_from(m2, "127.0.0.2")->why != SF_WHY_LOOP);
	}
	/* a Via with our address but someone else's branch is no loop */
	{
		char m2[2048];
		char *v = strstr(m, "Max-Forwards");

		snprintf(m2, sizeof(m2), "%.*s%s%s", (int)(v - m), m,
			 "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKsf1\r\n",
			 v);
		T_TRUE(admit_from(m2, "127.0.0.2")->why != SF_WHY_LOOP);
	}
}

static void test_malformed(void)
{
	static const char bad[] =
		"INVITE sip:77012220001@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.2:5061;branch=z9hG4bK-m1\r\n"
		"From: <sip:77015550000@127.0.0.2>;tag=a\r\n"
		"Max-Forwards: 70\r\n"
		"Max-Forwards: 69\r\n"
		"To: <sip:77012220001@127.0.0.1>\r\n"
		"Call-ID: m1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
	const sf_admission_t *a = admit_from(bad, "127.0.0.2");

	EXPECT(a, SF_OUT_REFUSE, SF_WHY_MALFORMED);
	T_EQ_INT(a->sip_error, SF_SIP_E_DUPLICATE);
	T_CONTAINS(a->warning, "duplicate");
	/* the 400 is built from what salvage found */
	T_EQ_INT(msg.count[SF_HDR_VIA], 1);
	EXPECT(admit_from(bad, "127.0.0.9"), SF_OUT_DROP, SF_WHY_MALFORMED);
	EXPECT(admit_from("\r\n\r\n", "127.0.0.2"), SF_OUT_DROP,
	       SF_WHY_KEEPALIVE);
	/* a Route set longer than we follow, in dialog: 400 */
	{
		char m[4096], extra[2048], tok[SF_RR_TOKEN_LEN + 1];
		size_t n;

		token("from1", tok);
		n = (size_t)snprintf(extra, sizeof(extra),
				     "Route: <sip:127.0.0.1:5060;lr;sfk=%s>",
				     tok);
		for (int i = 0; i < 20; i++)
			n += (size_t)snprintf(extra + n, sizeof(extra) - n,
					      ", <sip:127.0.0.4;lr>");
		snprintf(extra + n, sizeof(extra) - n, "\r\n");
		EXPECT(admit_from(req(m, sizeof(m), "BYE",
				      "sip:uas@127.0.0.1:5070", ";tag=t",
				      extra),
				  "127.0.0.2"),
		       SF_OUT_REJECT, SF_WHY_BAD_ROUTE);
	}
}

/* Bypass 5: responses only from named addresses, only when the branch
 * verifies against the Via below ours. */
static void test_responses(void)
{
	sf_branch_in_t bi = {sf_str_c("z9hG4bK-t1"), sf_str_c("127.0.0.2"),
			     5061, SF_STR_NULL, SF_STR_NULL, 1};
	char br[SF_BRANCH_LEN + 1], r[2048];
	sf_via_t top, next;
	sf_why_t why;
	sf_ip_t core = ip("127.0.0.1"), stranger = ip("192.0.2.66");

	sf_branch_format(sf_branch_k(&edge.key, &bi), 7, br);
	br[SF_BRANCH_LEN] = '\0';
	snprintf(r, sizeof(r),
		 "SIP/2.0 200 OK\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=%s\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.2:5061;branch=z9hG4bK-t1;rport=5061;"
		 "received=127.0.0.2\r\n"
		 "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\n"
		 "Call-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
		 br);
	T_EQ_INT(sf_sip_scan(r, strlen(r), NULL, &msg), 0);
	T_TRUE(sf_admit_response(&edge, &msg, &core, &top, &next, &why));
	T_EQ_INT(next.port, 5061);
	/* from a stranger: refused */
	T_TRUE(!sf_admit_response(&edge, &msg, &stranger, &top, &next, &why));
	T_EQ_INT(why, SF_WHY_UNKNOWN_SOURCE);
	/* a sender the caller knows (a TLS peer by its certificate) */
	T_TRUE(sf_admit_response(&edge, &msg, NULL, &top, &next, &why));
	/* the next Via rewritten to steer the response elsewhere */
	memcpy(strstr(r, "127.0.0.2:5061;branch"), "127.0.0.3", 9);
	T_EQ_INT(sf_sip_scan(r, strlen(r), NULL, &msg), 0);
	T_TRUE(!sf_admit_response(&edge, &msg, &core, &top, &next, &why));
	T_EQ_INT(why, SF_WHY_FORBIDDEN_TARGET);
}

/* RFC 3325 §9.1: two PAI values of one scheme, or three, are refused:
 * which one would the core believe? */
static void test_bad_identity(void)
{
	char m[2048];
	const sf_admission_t *a;

	a = admit_from(req(m, sizeof(m), "INVITE", RURI, "",
			   "P-Asserted-Identity: <sip:+442079460958@c>, "
			   "<sip:+77015550000@c>\r\n"),
		       "127.0.0.2");
	EXPECT(a, SF_OUT_REFUSE, SF_WHY_BAD_IDENTITY);
	T_EQ_INT(a->code, 400);
	T_CONTAINS(a->warning, "3325");
	T_TRUE(!a->judged);
	a = admit_from(req(m, sizeof(m), "INVITE", RURI, "",
			   "P-Asserted-Identity: <sip:+442079460958@c>\r\n"
			   "P-Asserted-Identity: <tel:+442079460958>\r\n"
			   "P-Asserted-Identity: <tel:+77015550000>\r\n"),
		       "127.0.0.2");
	EXPECT(a, SF_OUT_REFUSE, SF_WHY_BAD_IDENTITY);
	/* from an unknown source (judged as international): dropped */
	((sf_cfg_t *)cfg)->serve.unknown_source = SF_UNKNOWN_AS_INTERNATIONAL;
	EXPECT(admit_from(m, "127.0.0.9"), SF_OUT_DROP, SF_WHY_BAD_IDENTITY);
	((sf_cfg_t *)cfg)->serve.unknown_source = SF_UNKNOWN_REJECT;
	/* one sip and one tel: judged */
	a = admit_from(req(m, sizeof(m), "INVITE", RURI, "",
			   "P-Asserted-Identity: <sip:+442079460958@c>, "
			   "<tel:+442079460958>\r\n"),
		       "127.0.0.2");
	T_TRUE(a->judged);
}

/* sf_admit and sf_admit_scanned agree (replay uses the latter). */
static void test_scanned_same(void)
{
	char m[2048];
	sf_admission_t a1;
	sf_admit_in_t in;

	req(m, sizeof(m), "INVITE", RURI, ";tag=x", "");
	in = (sf_admit_in_t){m, strlen(m), SF_TP_UDP, ip("127.0.0.2"), 5061,
			     TRUNK_A, SF_HOW_ASSUMED, false};
	sf_admit(&edge, tables, &in, &msg, &call, &a1);
	T_EQ_INT(sf_sip_scan(m, strlen(m), &edge.lim_udp, &msg), 0);
	sf_admit_scanned(&edge, tables, &in, &msg, &call, &adm);
	T_EQ_INT(a1.outcome, adm.outcome);
	T_EQ_INT(a1.why, adm.why);
	T_EQ_STR(sf_admission_rule(&a1), sf_admission_rule(&adm));
	/* an assumed trunk wins over the source */
	in.src = ip("127.0.0.9");
	sf_admit(&edge, tables, &in, &msg, &call, &a1);
	T_EQ_INT(a1.trunk, TRUNK_A);
	T_EQ_INT(a1.why, SF_WHY_VERDICT);
}

/* The name tables: every why name is found, applied names use replay's
 * vocabulary, out-of-range values print "?". */
/* sf_edge_init on configs the loader would not produce or that serve
 * refuses later: a next hop that is a name, a trunk without a next hop,
 * a port left 0, a listener that is not a literal IP. */
static void test_edge_init(void)
{
	static sf_cfg_t c;
	static sf_trunk_t tr[SF_CFG_MAX_TRUNKS];
	sf_edge_t e, saved = edge;
	sf_err_t err;
	char m[2048];

	T_TRUE(cfg->n_trunks == 5);
	c = *cfg;
	memcpy(tr, cfg->trunks, cfg->n_trunks * sizeof(tr[0]));
	c.trunks = tr;
	/* both international trunks unusable: A names its hop, B has none */
	snprintf(tr[TRUNK_A].next_hop.host, sizeof(tr[0].next_hop.host),
		 "sbc.example.net");
	tr[1].has_next_hop = false;
	tr[TRUNK_CORE].next_hop.port = 0; /* hand-built: 0 = 5060 */
	sf_err_clear(&err);
	T_EQ_INT(sf_edge_init(&e, &c, NULL, &err), 0);
	T_TRUE(!e.hop_ok[TRUNK_A] && !e.hop_ok[1]);
	T_TRUE(e.hop_ok[TRUNK_HUB] && e.hop_ok[TRUNK_CORE]);
	T_EQ_INT(e.hop_port[TRUNK_HUB], 5070);
	T_EQ_INT(e.hop_port[TRUNK_CORE], 5060);
	T_EQ_INT(e.default_trunk, -1); /* no international trunk to route */
	T_TRUE(e.have_key); /* the config's secret */

	/* what admission makes of it: a call to forward has nowhere to go */
	edge = e;
	req(m, sizeof(m), "INVITE", RURI, "", "");
	memcpy(strstr(m, "77015550000"), "44207946000", 11);
	EXPECT(admit_from(m, "127.0.0.2"), SF_OUT_DROP, SF_WHY_NO_NEXT_HOP);
	EXPECT(admit_from(m, "127.0.0.3"), SF_OUT_DROP, SF_WHY_NO_NEXT_HOP);
	c.serve.unknown_source = SF_UNKNOWN_AS_INTERNATIONAL;
	EXPECT(admit_from(m, "127.0.0.9"), SF_OUT_DROP, SF_WHY_NO_NEXT_HOP);
	c.serve.unknown_source = cfg->serve.unknown_source;

	/* B usable again: it becomes the default trunk */
	tr[1].has_next_hop = true;
	T_EQ_INT(sf_edge_init(&e, &c, NULL, &err), 0);
	T_EQ_INT(e.default_trunk, 1);
	edge = saved;

	/* a listener that is not a literal IP: refused, naming it */
	T_TRUE(c.serve.n_listeners >= 2);
	snprintf(c.serve.listeners[1].addr.host,
		 sizeof(c.serve.listeners[1].addr.host), "sip.example.net");
	sf_err_clear(&err);
	T_EQ_INT(sf_edge_init(&e, &c, NULL, &err), SF_EINVAL);
	T_EQ_STR(err.msg, "listener 'sip.example.net' is not a literal IP "
			  "address");
	T_EQ_STR(err.file, cfg->path);
	T_EQ_INT(sf_edge_init(&e, &c, NULL, NULL), SF_EINVAL); /* no err */
	/* no secret and no key: tokens never verify */
	c = *cfg;
	c.serve.secret_len = 0;
	T_EQ_INT(sf_edge_init(&e, &c, NULL, NULL), 0);
	T_TRUE(!e.have_key);
	T_EQ_INT(sf_edge_init(&e, &c, &saved.key, NULL), 0);
	T_TRUE(e.have_key && !memcmp(&e.key, &saved.key, sizeof(e.key)));
}

static void test_names(void)
{
	for (int w = 0; w < SF_WHY_COUNT; w++)
		T_TRUE(sf_why_find(sf_why_name((sf_why_t)w)));
	T_TRUE(!sf_why_find("no-such-reason"));
	T_EQ_STR(sf_outcome_applied_name(SF_OUT_FORWARD), "allow");
	T_EQ_STR(sf_outcome_applied_name(SF_OUT_REJECT),
		 sf_outcome_name(SF_OUT_REJECT));
	T_EQ_STR(sf_method_name(SF_M_INVITE), "INVITE");
	T_EQ_STR(sf_method_name(SF_M_COUNT), "?");
}

int main(void)
{
	const char *root = getenv("SF_ROOT");
	char path[1024];
	sf_err_t err;

	snprintf(path, sizeof(path), "%s/tests/fixtures/edge/edge.yaml",
		 root ? root : ".");
	if (sf_load_all(path, &cfg, &tables)) {
		fprintf(stderr, "cannot load %s\n", path);
		return 1;
	}
	sf_identity_global_init();
	sf_err_clear(&err);
	if (sf_edge_init(&edge, cfg, NULL, &err) || !edge.have_key) {
		sf_err_print(&err, stderr);
		return 1;
	}
	T_RUN(test_initial_invite);
	T_RUN(test_to_tag_lookalikes);
	T_RUN(test_in_dialog);
	T_RUN(test_no_relay);
	T_RUN(test_methods);
	T_RUN(test_ack_absorbed);
	T_RUN(test_hops_and_unknown);
	T_RUN(test_loop_spiral);
	T_RUN(test_malformed);
	T_RUN(test_cert_peer_target);
	T_RUN(test_responses);
	T_RUN(test_bad_identity);
	T_RUN(test_scanned_same);
	T_RUN(test_names);
	T_RUN(test_edge_init);
	sf_tables_free(tables);
	sf_cfg_free(cfg);
	return T_DONE();
}
