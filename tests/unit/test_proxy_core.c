/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_proxy_core.c - sf_proxy_handle() with the edge fixture config
 * (tests/fixtures/edge: the example's trunks and rules, real tables, a
 * fixed secret), no sockets: forwarding edits (byte-for-byte elsewhere),
 * Record-Route and Route handling, received/rport from the real source,
 * rejections, ACK absorption, responses, tagging, bad input; and the
 * snapshot publisher under concurrent readers.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>

#include "sipfilter/proxy/proxy_core.h"
#include "../../sipfilter/engine/sf_salvage.h"
#include "sipfilter/proxy/proxy_resp.h"
#include "sipfilter/lib/sf_load.h"
#include "sipfilter/lib/snapshot.h"
#include "t.h"

static sf_cfg_t *cfg;
static sf_tables_t *tables;
static sf_proxy_t proxy;
static sf_wstats_t st;
static sf_pctx_t ctx;
static char obuf[32768];

static struct sockaddr_in src4(const char *ip, uint16_t port)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons(port);
	inet_pton(AF_INET, ip, &s.sin_addr);
	return s;
}

static int handle(const char *msg, const char *ip, uint16_t port,
		  sf_pout_t *out)
{
	struct sockaddr_in s = src4(ip, port);
	sf_pin_t in = {msg, strlen(msg), SF_TP_UDP, (struct sockaddr *)&s, 0,
		       -1, SF_HOW_SOURCE};

	out->buf = obuf;
	out->cap = sizeof(obuf);
	return sf_proxy_handle(&ctx, tables, &in, out);
}

static char *out_str(const sf_pout_t *o)
{
	obuf[o->len < sizeof(obuf) ? o->len : sizeof(obuf) - 1] = '\0';
	return obuf;
}

static uint16_t out_port(const sf_pout_t *o)
{
	return ntohs(((const struct sockaddr_in *)&o->dst)->sin_port);
}

#define INVITE_FMT                                                         \
	"INVITE sip:77012220001@127.0.0.1:5060 SIP/2.0\r\n"                \
	"Via: SIP/2.0/UDP 127.0.0.2:5061;branch=z9hG4bK-%s;rport\r\n"       \
	"From: <sip:%s@127.0.0.2>;tag=f%s\r\n"                              \
	"To: <sip:77012220001@127.0.0.1>\r\n"                               \
	"Call-ID: %s@127.0.0.2\r\n"                                         \
	"CSeq: 1 INVITE\r\n"                                                \
	"P-Asserted-Identity: <sip:%s@127.0.0.2;user=phone>\r\n"            \
	"X-Sipfilter: clean;forged=yes\r\n"                                 \
	"Max-Forwards: 70\r\n"                                              \
	"X-Keep:   odd   spacing\t \r\n"                                    \
	"Content-Type: application/sdp\r\n"                                 \
	"Content-Length: 10\r\n"                                            \
	"\r\n"                                                              \
	"v=0\r\ns=-\r\n"

static void invite(char *buf, size_t size, const char *id, const char *num)
{
	snprintf(buf, size, INVITE_FMT, id, num, id, id, num);
}

static void test_forward_allow(void)
{
	char msg[2048];
	sf_pout_t o;
	char *s;

	invite(msg, sizeof(msg), "a1", "77011234567"); /* roaming: allow */
	T_EQ_INT(handle(msg, "127.0.0.2", 5061, &o), 1);
	s = out_str(&o);
	T_EQ_INT(out_port(&o), 5070);
	T_TRUE(!o.reply);
	/* our Via first, with a derived branch */
	T_TRUE(!strncmp(s + strlen("INVITE sip:77012220001@127.0.0.1:5060 "
				   "SIP/2.0\r\n"),
			"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKsf", 48));
	T_CONTAINS(s, ";branch=z9hG4bK-a1;rport=5061\r\n");
	T_NOT_CONTAINS(s, "received="); /* sent-by == source */
	T_CONTAINS(s, "Max-Forwards: 69\r\n");
	/* untouched bytes */
	T_CONTAINS(s, "X-Keep:   odd   spacing\t \r\n");
	T_CONTAINS(s, "\r\n\r\nv=0\r\ns=-\r\n");
	T_CONTAINS(s, "Content-Length: 10\r\n");
	/* a forged verdict header never reaches the core */
	T_NOT_CONTAINS(s, "X-Sipfilter");
	/* the output is a valid message again */
	{
		sf_sipmsg_t m;

		T_EQ_INT(sf_sip_scan(obuf, o.len, NULL, &m), 0);
		T_EQ_INT(m.count[SF_HDR_VIA], 2);
	}
}

static void test_reject_and_ack(void)
{
	char msg[2048], ack[1024], tag[SF_TAG_LEN + 1];
	sf_pout_t o;
	char *s, *t;
	uint64_t absorbed = st.acks_absorbed;

	invite(msg, sizeof(msg), "r1", "77015550000"); /* not roaming */
	T_EQ_INT(handle(msg, "127.0.0.2", 5061, &o), 1);
	s = out_str(&o);
	T_TRUE(o.reply);
	T_EQ_INT(out_port(&o), 5061);
	T_TRUE(!strncmp(s, "SIP/2.0 603 Network Blocked\r\n", 29));
	T_CONTAINS(s, "Reason: SIP;cause=603;text=\"home-mobile-not-"
		      "roaming\"\r\n");
	t = strstr(s, ";tag=sf");
	T_TRUE(t != NULL);
	if (!t)
		return;
	memcpy(tag, t + 5, SF_TAG_LEN);
	tag[SF_TAG_LEN] = '\0';
	snprintf(ack, sizeof(ack),
		 "ACK sip:77012220001@127.0.0.1:5060 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.2:5061;branch=z9hG4bK-r1;rport\r\n"
		 "From: <sip:77015550000@127.0.0.2>;tag=fr1\r\n"
		 "To: <sip:77012220001@127.0.0.1>;tag=%s\r\n"
		 "Call-ID: r1@127.0.0.2\r\nCSeq: 1 ACK\r\n"
		 "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n", tag);
	T_EQ_INT(handle(ack, "127.0.0.2", 5061, &o), 0);
	T_EQ_INT(st.acks_absorbed, absorbed + 1);
	/* an ACK with another tag is forwarded */
	ack[strstr(ack, ";tag=sf") - ack + 6] = 'X';
	T_EQ_INT(handle(ack, "127.0.0.2", 5061, &o), 1);
	T_EQ_INT(out_port(&o), 5070);
}

static void test_response_routing(void)
{
	char msg[2048], resp[4096];
	sf_pout_t o;
	char *via_ours, *rest;

	invite(msg, sizeof(msg), "p1", "77011234567");
	T_EQ_INT(handle(msg, "127.0.0.2", 5061, &o), 1);
	/* Build a 180 from the forwarded request's Via lines. */
	out_str(&o);
	via_ours = strstr(obuf, "Via: ");
	rest = strstr(via_ours + 5, "From: ");
	T_TRUE(via_ours && rest);
	if (!via_ours || !rest)
		return;
	snprintf(resp, sizeof(resp),
		 "SIP/2.0 180 Ringing\r\n%.*sFrom: <sip:77011234567@127.0.0.2>"
		 ";tag=fp1\r\nTo: <sip:77012220001@127.0.0.1>;tag=u1\r\n"
		 "Call-ID: p1@127.0.0.2\r\nCSeq: 1 INVITE\r\n"
		 "Content-Length: 0\r\n\r\n",
		 (int)(rest - via_ours), via_ours);
	T_EQ_INT(handle(resp, "127.0.0.1", 5070, &o), 1);
	out_str(&o);
	T_EQ_INT(out_port(&o), 5061);
	T_NOT_CONTAINS(obuf, "z9hG4bKsf");
	T_CONTAINS(obuf, "Via: SIP/2.0/UDP 127.0.0.2:5061;branch=z9hG4bK-p1"
			 ";rport=5061\r\n");
	/* a response whose top Via is not ours is dropped */
	T_EQ_INT(handle(resp + 0, "127.0.0.1", 5070, &o), 1);
	{
		static const char foreign[] =
			"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx\r\n"
			"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\n"
			"CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
		uint64_t before = st.drop[SF_DROP_NOT_OURS];

		T_EQ_INT(handle(foreign, "127.0.0.1", 5070, &o), 0);
		T_EQ_INT(st.drop[SF_DROP_NOT_OURS], before + 1);
	}
}

static void test_tag_verstat(void)
{
	char msg[2048];
	sf_pout_t o;
	char *s;

	/* kz-interconnect is trusted: From != PAI -> identity-mismatch tag */
	snprintf(msg, sizeof(msg),
		 "INVITE sip:77012220001@127.0.0.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.5:5061;branch=z9hG4bK-t1\r\n"
		 "From: <sip:77011112222@127.0.0.5>;tag=ft\r\n"
		 "To: <sip:77012220001@127.0.0.1>\r\nCall-ID: t1\r\n"
		 "CSeq: 1 INVITE\r\n"
		 "P-Asserted-Identity: <sip:77013334444@127.0.0.5;user=phone;"
		 "verstat=TN-Validation-Passed>\r\n"
		 "Content-Length: 0\r\n\r\n");
	T_EQ_INT(handle(msg, "127.0.0.5", 5061, &o), 1);
	s = out_str(&o);
	T_CONTAINS(s, "X-Sipfilter: suspect;rule=identity-mismatch\r\n");
	/* an upstream "Passed" claim is replaced, not kept */
	T_CONTAINS(s, "P-Asserted-Identity: <sip:77013334444@127.0.0.5;"
		      "user=phone;verstat=TN-Validation-Failed>\r\n");
	T_NOT_CONTAINS(s, "Passed");
}

/* Record-Route on dialog-forming requests (twice when the transport or
 * interface changes), every foreign Route removed out of dialog, the
 * sender's received/rport overwritten, in-dialog requests to a TCP peer
 * leave over TCP. */
static void test_route_edits(void)
{
	char msg[2048], *s, *rr;
	sf_pout_t o;

	invite(msg, sizeof(msg), "rr1", "77011234567"); /* allowed */
	{
		char *v = strstr(msg, "Max-Forwards");
		char tmp[2048];

		snprintf(tmp, sizeof(tmp), "%.*s%s%s", (int)(v - msg), msg,
			 "Route: <sip:192.0.2.66;lr>\r\n"
			 "Record-Route: <sip:10.9.9.9;lr>\r\n", v);
		snprintf(msg, sizeof(msg), "%s", tmp);
	}
	/* the sender claims received/rport of its choosing */
	s = strstr(msg, "branch=z9hG4bK-rr1;rport\r\n");
	T_TRUE(s != NULL);
	if (!s)
		return;
	{
		char tmp[2048];

		snprintf(tmp, sizeof(tmp), "%.*s=1;received=6.6.6.6%s",
			 (int)(s + 24 - msg), msg, s + 24);
		snprintf(msg, sizeof(msg), "%s", tmp);
	}
	T_EQ_INT(handle(msg, "127.0.0.2", 5061, &o), 1);
	s = out_str(&o);
	T_NOT_CONTAINS(s, "192.0.2.66");
	T_NOT_CONTAINS(s, "6.6.6.6");
	T_CONTAINS(s, "branch=z9hG4bK-rr1;rport=5061;received=127.0.0.2");
	rr = strstr(s, "Record-Route: <sip:127.0.0.1:5060;lr;sfk=");
	T_TRUE(rr != NULL);
	T_TRUE(rr && !strncmp(rr + 41 + 16, ">\r\nRecord-Route: <sip:10.9.9.9;"
				       "lr>\r\n", 34));
	/* the same over TCP: ours twice, the sender's side says tcp */
	{
		struct sockaddr_in sa = src4("127.0.0.2", 5061);
		sf_pin_t in = {msg, strlen(msg), SF_TP_TCP,
			       (struct sockaddr *)&sa, 1, -1, SF_HOW_SOURCE};

		o.buf = obuf;
		o.cap = sizeof(obuf);
		T_EQ_INT(sf_proxy_handle(&ctx, tables, &in, &o), 1);
		s = out_str(&o);
		T_CONTAINS(s, "Record-Route: <sip:127.0.0.1:5060;lr;sfk=");
		T_CONTAINS(s, "Record-Route: <sip:127.0.0.1:5060;"
			      "transport=tcp;lr;sfk=");
		T_EQ_INT(o.tp, SF_TP_UDP); /* next hop: UDP */
	}
	/* core -> trunk in dialog, the trunk's Contact is TCP */
	{
		char tok[SF_RR_TOKEN_LEN];

		sf_token_rr(&proxy.edge.key, sf_str_c("d1"), sf_str_c("ft"),
			    tok);
		snprintf(msg, sizeof(msg),
			 "BYE sip:uac@127.0.0.2:16004;transport=tcp SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-d1\r\n"
			 "Route: <sip:127.0.0.1:5060;lr;sfk=%.*s>, "
			 "<sip:127.0.0.1:5060;transport=tcp;lr;sfk=%.*s>\r\n"
			 "From: <sip:b@127.0.0.1>;tag=tt\r\n"
			 "To: <sip:a@127.0.0.2>;tag=ft\r\nCall-ID: d1\r\n"
			 "CSeq: 2 BYE\r\nMax-Forwards: 70\r\n"
			 "Content-Length: 0\r\n\r\n",
			 SF_RR_TOKEN_LEN, tok, SF_RR_TOKEN_LEN, tok);
		T_EQ_INT(handle(msg, "127.0.0.1", 5070, &o), 1);
		s = out_str(&o);
		T_EQ_INT(o.tp, SF_TP_TCP);
		T_EQ_INT(out_port(&o), 16004);
		T_NOT_CONTAINS(s, "Route:");
		T_CONTAINS(s, "Via: SIP/2.0/TCP 127.0.0.1:5060;branch="
			      "z9hG4bKsf");
	}
	/* a response that did not come through us: dropped */
	{
		uint64_t before = st.drop[SF_DROP_NOT_OURS];
		static const char forged[] =
			"SIP/2.0 200 OK\r\n"
			"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKsf"
			"0123456789abcdef01234567\r\n"
			"Via: SIP/2.0/UDP 192.0.2.66:5060;branch=z9hG4bK-v\r\n"
			"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\n"
			"Call-ID: x\r\nCSeq: 1 INVITE\r\n"
			"Content-Length: 0\r\n\r\n";

		T_EQ_INT(handle(forged, "127.0.0.1", 5070, &o), 0);
		T_EQ_INT(handle(forged, "192.0.2.66", 5060, &o), 0);
		T_EQ_INT(st.drop[SF_DROP_NOT_OURS], before + 2);
	}
}

/* Issue: upstream attestation is not trusted; tag marks every identity;
 * withhold hides the number wherever it would be shown. */
static void test_identity_marks(void)
{
	char msg[2048];
	sf_pout_t o;
	char *s;

	/* an allowed call from an untrusted trunk: every verstat goes */
	snprintf(msg, sizeof(msg),
		 "INVITE sip:77012220001@127.0.0.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.2:5061;branch=z9hG4bK-vs1\r\n"
		 "From: <sip:+442079460958@c;verstat=TN-Validation-Passed>;tag=f\r\n"
		 "To: <sip:77012220001@127.0.0.1>\r\nCall-ID: vs1\r\n"
		 "CSeq: 1 INVITE\r\n"
		 "P-Asserted-Identity: <sip:+442079460958@c;user=phone;"
		 "VERSTAT=TN-Validation-Passed>, <tel:+442079460958;verstat=x>\r\n"
		 "P-Preferred-Identity: <sip:+442079460958@c;verstat=y>\r\n"
		 "Content-Length: 0\r\n\r\n");
	T_EQ_INT(handle(msg, "127.0.0.2", 5061, &o), 1);
	s = out_str(&o);
	T_TRUE(strcasestr(s, "verstat") == NULL);
	T_CONTAINS(s, "<sip:+442079460958@c;user=phone>, "
		      "<tel:+442079460958>\r\n");
	/* the same from the trusted domestic interconnect: kept */
	memcpy(strstr(msg, "127.0.0.2:5061"), "127.0.0.5:5061", 14);
	T_EQ_INT(handle(msg, "127.0.0.5", 5061, &o), 1);
	s = out_str(&o);
	T_CONTAINS(s, "verstat=TN-Validation-Passed");

	/* tag: every identity header is marked, not just the judged one */
	snprintf(msg, sizeof(msg),
		 "INVITE sip:77012220001@127.0.0.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.2:5061;branch=z9hG4bK-vs2\r\n"
		 "From: \"x\" <sip:anonymous@anonymous.invalid>;tag=f\r\n"
		 "To: <sip:77012220001@127.0.0.1>\r\nCall-ID: vs2\r\n"
		 "CSeq: 1 INVITE\r\nPrivacy: id\r\n"
		 "Content-Length: 0\r\n\r\n");
	T_EQ_INT(handle(msg, "127.0.0.2", 5061, &o), 1);
	s = out_str(&o);
	T_CONTAINS(s, "X-Sipfilter: suspect;rule=anonymous-from-abroad");
	T_CONTAINS(s, "<sip:anonymous@anonymous.invalid;verstat="
		      "TN-Validation-Failed>;tag=f");

	/* withhold: anonymous From, Privacy merged, PPI and RPID removed,
	 * PAI kept for the core */
	snprintf(msg, sizeof(msg),
		 "INVITE sip:77012220001@127.0.0.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.2:5061;branch=z9hG4bK-wh1\r\n"
		 "From: \"+7 701 555 00 00\" <sip:+77015550000@c>;tag=f\r\n"
		 "To: <sip:77012220001@127.0.0.1>\r\nCall-ID: wh1\r\n"
		 "CSeq: 1 INVITE\r\n"
		 "Diversion: <sip:+4915112345678@c>;reason=unconditional\r\n"
		 "P-Asserted-Identity: <sip:+77015550000@c>\r\n"
		 "P-Preferred-Identity: <sip:+77015550000@c>\r\n"
		 "Remote-Party-ID: <sip:+77015550000@c>;party=calling\r\n"
		 "Privacy: header; none\r\nPrivacy: session\r\n"
		 "Content-Length: 0\r\n\r\n");
	T_EQ_INT(handle(msg, "127.0.0.2", 5061, &o), 1);
	s = out_str(&o);
	T_CONTAINS(s, "From: \"Anonymous\" <sip:anonymous@anonymous.invalid>"
		      ";tag=f\r\n");
	T_CONTAINS(s, "Privacy: header;session;id\r\n");
	T_NOT_CONTAINS(s, "P-Preferred-Identity");
	T_NOT_CONTAINS(s, "Remote-Party-ID");
	T_CONTAINS(s, "P-Asserted-Identity: <sip:+77015550000@c>\r\n");
	T_NOT_CONTAINS(s, "701 555"); /* the display number too */
}

/* The per-message edits written without printf: received (sent-by is not
 * the source), rport filled, TCP rport added, Max-Forwards absent/1;
 * a response whose Via line holds "ours, theirs"; the verdict log line. */
static char logged[1024];
static int n_logged;

static void capture_log(void *arg, int level, const char *line)
{
	(void)arg;
	(void)level;
	snprintf(logged, sizeof(logged), "%s", line);
	n_logged++;
}

/* sf_proxy_log_line into every buffer size from 0 to one past the whole
 * line: nothing written past size, NUL-terminated, every backslash the
 * start of a whole \xNN escape (the cut at 18..22 bytes falls on the
 * call-id's \x22), and the whole line once it fits. */
static void check_log_cuts(const sf_verdict_t *v, const sf_call_t *call,
			   const char *whole)
{
	char cut[512];
	size_t len = strlen(whole), size, n, i;

	T_TRUE(len + 2 < sizeof(cut));
	for (size = 0; size <= len + 1 && len + 2 < sizeof(cut); size++) {
		memset(cut, 0x7f, sizeof(cut));
		sf_proxy_log_line(cfg, v, call, cut, size);
		for (i = size; i < sizeof(cut) && cut[i] == 0x7f; i++)
			;
		if (i != sizeof(cut))
			T_FAIL_AT("size %zu: byte %zu written", size, i);
		if (!size)
			continue;
		n = strnlen(cut, size);
		if (n == size) {
			T_FAIL_AT("size %zu: no NUL", size);
			continue;
		}
		for (i = 0; i < n; i++) {
			if (cut[i] != '\\')
				continue;
			if (i + 3 >= n || cut[i + 1] != 'x' ||
			    !strchr("0123456789abcdef", cut[i + 2]) ||
			    !strchr("0123456789abcdef", cut[i + 3]))
				T_FAIL_AT(
				    "size %zu: escape split at %zu: \"%s\"",
				    size, i, cut);
		}
	}
	sf_proxy_log_line(cfg, v, call, cut, len + 1);
	T_EQ_STR(cut, whole);
}

static void test_edits_and_log(void)
{
	char msg[2048], resp[4096], line[64];
	sf_pout_t o;
	char *s, *ours;

	/* sent-by 127.0.0.2:5061, source 127.0.0.4:40000 (roaming-hub lists
	 * MESSAGE), bare rport, no Max-Forwards */
	snprintf(msg, sizeof(msg),
		 "MESSAGE sip:77012220001@127.0.0.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.2:5061;branch=z9hG4bK-e1;rport, "
		 "SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-e0\r\n"
		 "From: <sip:a@127.0.0.2>;tag=fe1\r\nTo: <sip:b@127.0.0.1>\r\n"
		 "Call-ID: e1\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n");
	T_EQ_INT(handle(msg, "127.0.0.4", 40000, &o), 1);
	s = out_str(&o);
	T_CONTAINS(s, "SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch="
		      "z9hG4bKsf");
	/* Max-Forwards added at the end: the Via lines stay together */
	T_CONTAINS(s, "\r\nMax-Forwards: 70\r\n\r\n");
	T_CONTAINS(s, "z9hG4bKsf");
	T_CONTAINS(strstr(s, "z9hG4bKsf"),
		   "\r\nVia: SIP/2.0/UDP 127.0.0.2:5061;");
	T_CONTAINS(s, "Via: SIP/2.0/UDP 127.0.0.2:5061;branch=z9hG4bK-e1;"
		      "rport=40000;received=127.0.0.4, SIP/2.0/UDP "
		      "192.0.2.9;branch=z9hG4bK-e0\r\n");
	/* not dialog-forming: no Record-Route */
	T_NOT_CONTAINS(s, "Record-Route");
	/* our branch: the prefix, 16 + 8 lower-case hex digits */
	ours = strstr(s, "branch=z9hG4bKsf");
	T_TRUE(ours != NULL);
	if (!ours)
		return;
	for (int i = 0; i < 24; i++)
		if (!strchr("0123456789abcdef", ours[16 + i]))
			T_FAIL_AT("branch digit %d is '%c'", i, ours[16 + i]);
	T_TRUE(!strncmp(ours + 40, "\r\n", 2));

	/* The response carries "ours, theirs" in one line: ours goes, the
	 * rest of the line stays, and it is sent by received/rport. */
	{
		char *v = strstr(s, "Via: SIP/2.0/UDP 127.0.0.1");
		char *e = v ? strstr(v, "\r\n") : NULL;
		char *v2 = e ? strstr(e, "Via: ") : NULL;
		char *e2 = v2 ? strstr(v2, "\r\n") : NULL;

		T_TRUE(v && e && v2 && e2);
		if (!v || !e || !v2 || !e2)
			return;
		snprintf(resp, sizeof(resp),
			 "SIP/2.0 200 OK\r\nVia: %.*s, %.*s\r\n"
			 "From: <sip:a@127.0.0.2>;tag=fe1\r\n"
			 "To: <sip:b@127.0.0.1>;tag=u\r\nCall-ID: e1\r\n"
			 "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
			 (int)(e - v - 5), v + 5, (int)(e2 - v2 - 5), v2 + 5);
	}
	T_EQ_INT(handle(resp, "127.0.0.1", 5070, &o), 1);
	s = out_str(&o);
	T_EQ_INT(out_port(&o), 40000);
	T_EQ_INT(ntohl(((struct sockaddr_in *)&o.dst)->sin_addr.s_addr),
		 0x7f000004);
	T_TRUE(!strncmp(s, "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.2:5061;"
			   "branch=z9hG4bK-e1;rport=40000;received=127.0.0.4, "
			   "SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK-e0\r\nFrom: ",
			88 + 6));

	/* Max-Forwards 1 leaves as 0; over TCP an rport is added */
	{
		struct sockaddr_in sa = src4("127.0.0.2", 5099);
		sf_pin_t in;

		char tok[SF_RR_TOKEN_LEN];

		sf_token_rr(&proxy.edge.key, sf_str_c("e2"), sf_str_c("fe2"),
			    tok);
		snprintf(msg, sizeof(msg),
			 "BYE sip:b@127.0.0.1:5070 SIP/2.0\r\n"
			 "Via: SIP/2.0/TCP 127.0.0.2:5061;branch=z9hG4bK-e2\r\n"
			 "Route: <sip:127.0.0.1:5060;transport=tcp;lr;sfk=%.*s>\r\n"
			 "Max-Forwards: 1\r\n"
			 "From: <sip:a@127.0.0.2>;tag=fe2\r\n"
			 "To: <sip:b@127.0.0.1>;tag=x\r\nCall-ID: e2\r\n"
			 "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
			 SF_RR_TOKEN_LEN, tok);
		in = (sf_pin_t){msg, strlen(msg), SF_TP_TCP,
				(struct sockaddr *)&sa, 0, -1, SF_HOW_SOURCE};
		o.buf = obuf;
		o.cap = sizeof(obuf);
		T_EQ_INT(sf_proxy_handle(&ctx, tables, &in, &o), 1);
		s = out_str(&o);
		T_CONTAINS(s, "\r\nMax-Forwards: 0\r\n");
		T_CONTAINS(s, "branch=z9hG4bK-e2;rport=5099\r\n");
		/* our Route popped, to the Contact, over UDP */
		T_NOT_CONTAINS(s, "Route");
		T_EQ_INT(out_port(&o), 5070);
		T_EQ_INT(o.tp, SF_TP_UDP);
	}

	/* The verdict line of a rejection, and escaping in it. */
	proxy.log = capture_log;
	n_logged = 0;
	invite(msg, sizeof(msg), "lg1", "77015550000");
	memcpy(strstr(msg, "Call-ID: lg1") + 11, "\"", 1); /* lg"@ */
	T_EQ_INT(handle(msg, "127.0.0.2", 5061, &o), 1);
	proxy.log = NULL;
	T_EQ_INT(n_logged, 1);
	T_EQ_STR(logged,
		 "verdict call-id=\"lg\\x22@127.0.0.2\" presented=\""
		 "sip:77015550000@127.0.0.2;user=phone\" number=+77015550000 "
		 "identity=pai trunk=ipx-carrier-a rule=home-mobile-not-roaming "
		 "action=reject mode=enforce applied=reject code=603 "
		 "match=source");
	/* the serve log adds how the trunk was recognised */
	*strstr(logged, " match=") = '\0';
	/* bounded: cut, NUL-terminated, never an escape split.  An untrusted
	 * value stops 4 bytes before the end (room for a whole \xNN) and the
	 * fixed text after it fills what is left. */
	sf_proxy_log_line(cfg, &ctx.adm.v, &ctx.call, line, sizeof(line));
	T_EQ_STR(line, "verdict call-id=\"lg\\x22@127.0.0.2\" presented=\""
		       "sip:7701555000\" n");
	sf_proxy_log_line(cfg, &ctx.adm.v, &ctx.call, line, 22);
	T_EQ_STR(line, "verdict call-id=\"l\" p");
	check_log_cuts(&ctx.adm.v, &ctx.call, logged);
}

static void test_bad_input(void)
{
	static const char *const bad[] = {
		"", "\r\n\r\n", "garbage\r\n\r\n",
		"INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n\r\n",
		"INVITE sip:x SIP/2.0\r\nVia: nonsense\r\nFrom: <sip:a@b>;tag=1"
		"\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n"
		"Content-Length: 0\r\n\r\n",
	};
	sf_pout_t o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (handle(bad[i], "127.0.0.2", 5061, &o) != 0)
			T_FAIL_AT("answered bad input #%zu", i);
	T_TRUE(st.drop[SF_DROP_PARSE] >= 2);
	T_TRUE(st.drop[SF_DROP_BAD_VIA] >= 1);
}

/* A request the scanner refuses is answered 400 with a Warning naming
 * the reason, only to a known trunk and only when Via/From/To/Call-ID/
 * CSeq are readable; never to unknown sources, never for an ACK. */
static void test_bad_request_400(void)
{
	static const char ok_parts[] =
		"Via: SIP/2.0/UDP 127.0.0.2:5061;branch=z9hG4bK-bad1;rport\r\n"
		"From: <sip:77012345678@127.0.0.2>;tag=f1\r\n"
		"To: <sip:77012220001@127.0.0.1>\r\n"
		"Call-ID: bad1@127.0.0.2\r\n"
		"CSeq: 1 %s\r\n";
	char msg[1024], parts[512];
	sf_pout_t o;
	uint64_t sent400 = st.sent[SF_SENT_400];

	/* A control byte in an unrelated header: scanner refuses. */
	snprintf(parts, sizeof(parts), ok_parts, "INVITE");
	snprintf(msg, sizeof(msg), "INVITE sip:77012220001@127.0.0.1 "
		 "SIP/2.0\r\n%sX-Junk: a\001b\r\nContent-Length: 0\r\n\r\n",
		 parts);
	T_EQ_INT(handle(msg, "127.0.0.2", 5061, &o), 1);
	out_str(&o);
	if (strncmp(obuf, "SIP/2.0 400 Bad Request\r\n", 25))
		T_FAIL_AT("got: %s", obuf);
	T_CONTAINS(obuf, "Warning: 399 127.0.0.1:5060 \"malformed "
			 "request: control-char\"\r\n");
	T_CONTAINS(obuf, "rport=5061");
	T_CONTAINS(obuf, "To: <sip:77012220001@127.0.0.1>;tag=sf");
	T_CONTAINS(obuf, "Call-ID: bad1@127.0.0.2\r\n");
	T_NOT_CONTAINS(obuf, "X-Junk");
	T_EQ_INT(out_port(&o), 5061);
	T_EQ_INT((int)(st.sent[SF_SENT_400] - sent400), 1);
	T_EQ_INT(ctx.msg.error, SF_SIP_E_CONTROL_CHAR);

	/* The same from an unknown source: dropped, counted. */
	T_EQ_INT(handle(msg, "127.0.0.9", 5061, &o), 0);
	/* Missing Call-ID: nothing to answer with. */
	snprintf(msg, sizeof(msg), "INVITE sip:1@127.0.0.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.2:5061;branch=z9hG4bK-x\r\n"
		 "From: <sip:1@h>;tag=1\r\nTo: <sip:2@h>\r\nCSeq: 1 INVITE"
		 "\r\nX-Junk: \001\r\n\r\n");
	T_EQ_INT(handle(msg, "127.0.0.2", 5061, &o), 0);
	/* An ACK is never answered. */
	snprintf(parts, sizeof(parts), ok_parts, "ACK");
	snprintf(msg, sizeof(msg), "ACK sip:1@127.0.0.1 SIP/2.0\r\n%s"
		 "X-Junk: \001\r\n\r\n", parts);
	T_EQ_INT(handle(msg, "127.0.0.2", 5061, &o), 0);
	/* A folded From would be echoed incomplete: not answered. */
	snprintf(msg, sizeof(msg), "INVITE sip:1@127.0.0.1 SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.2:5061;branch=z9hG4bK-y\r\n"
		 "From: <sip:1@h>\r\n ;tag=1\r\nTo: <sip:2@h>\r\n"
		 "Call-ID: y\r\nCSeq: 1 INVITE\r\nX-Junk: \001\r\n\r\n");
	T_EQ_INT(handle(msg, "127.0.0.2", 5061, &o), 0);
	/* Garbage start line. */
	T_EQ_INT(handle("\x16\x03\x01 hello\r\n\r\n", "127.0.0.2", 5061,
			&o), 0);
	/* Salvage never reads past len: a message cut inside the Via. */
	snprintf(parts, sizeof(parts), ok_parts, "INVITE");
	snprintf(msg, sizeof(msg), "INVITE sip:1@127.0.0.1 SIP/2.0\r\n%s",
		 parts);
	for (size_t n = 0; n < strlen(msg); n++) {
		sf_sipmsg_t *m = malloc(sizeof(*m));
		char *cut = malloc(n ? n : 1);

		memcpy(cut, msg, n);
		if (sf_salvage(cut, n, m) == 0 && n < strlen(msg) - 2)
			T_FAIL_AT("salvaged a message cut at %zu", n);
		free(cut);
		free(m);
	}
	T_TRUE(st.sent[SF_SENT_400] - sent400 == 1);
}

/* --- snapshots ------------------------------------------------------- */

typedef struct snapv {
	_Atomic int alive;
	int value;
} snapv_t;

static sf_snap_t snap;
static atomic_int retired, errors;
static atomic_bool stop_readers;

static void retire(void *p)
{
	snapv_t *v = p;

	atomic_store(&v->alive, 0); /* a reader seeing this = use after free */
	atomic_fetch_add(&retired, 1);
	free(v);
}

static void *reader(void *arg)
{
	unsigned slot = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&stop_readers)) {
		snapv_t *v = sf_snap_enter(&snap, slot);

		for (int i = 0; i < 50; i++)
			if (!v || atomic_load(&v->alive) != 1)
				atomic_fetch_add(&errors, 1);
		sf_snap_leave(&snap, slot);
	}
	return NULL;
}

static snapv_t *newv(int value)
{
	snapv_t *v = malloc(sizeof(*v));

	atomic_store(&v->alive, 1);
	v->value = value;
	return v;
}

static void test_snapshot(void)
{
	pthread_t th[3];

	sf_snap_init(&snap, 3, newv(0), retire);
	for (uintptr_t i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, reader, (void *)i);
	for (int i = 1; i <= 300; i++)
		sf_snap_publish(&snap, newv(i));
	atomic_store(&stop_readers, true);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	T_EQ_INT(atomic_load(&errors), 0);
	T_EQ_INT(atomic_load(&retired), 300);
	T_EQ_INT(((snapv_t *)sf_snap_current(&snap))->value, 300);
	sf_snap_fini(&snap);
	T_EQ_INT(atomic_load(&retired), 301);
}

int main(void)
{
	char path[1024];
	sf_err_t err;

	snprintf(path, sizeof(path), "%s/tests/fixtures/edge/edge.yaml",
		 t_root());
	if (sf_load_all(path, &cfg, &tables)) {
		printf("cannot load %s\n0 passed, 1 failed\n", path);
		return 1;
	}
	sf_identity_global_init();
	if (sf_proxy_init(&proxy, cfg, NULL, &err)) {
		sf_err_print(&err, stdout);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	ctx.p = &proxy;
	ctx.st = &st;
	T_RUN(test_forward_allow);
	T_RUN(test_reject_and_ack);
	T_RUN(test_response_routing);
	T_RUN(test_tag_verstat);
	T_RUN(test_route_edits);
	T_RUN(test_identity_marks);
	T_RUN(test_edits_and_log);
	T_RUN(test_bad_input);
	T_RUN(test_bad_request_400);
	T_RUN(test_snapshot);
	sf_tables_free(tables);
	sf_cfg_free(cfg);
	return T_DONE();
}
