/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_admit.c - libFuzzer target for admission (sipfilter/engine/
 * sf_admit.h) and the Record-Route / Route handling behind it, on the
 * edge fixture config (tests/fixtures/edge: fixed secret).
 *
 * The first input byte picks the source (a trunk of each kind or an
 * unknown address), the transport and whether the trunk is assumed; the
 * rest is the message.  Every "@TOKEN@" in it is replaced by the valid
 * Record-Route token for its Call-ID and From-tag (or To-tag, when the
 * byte says so), so the fuzzer reaches real in-dialog requests.
 *
 * Invariants (abort() so libFuzzer keeps the input):
 *  - outcome and reason are in range; answers carry a status of their
 *    class; a forwarded request has a usable destination: a trunk with a
 *    next hop, or an in-dialog target the config names that is not us;
 *  - THE property: no INVITE of any spelling is forwarded without a
 *    verdict, unless admission found our Route with a verifying token on
 *    top (and then the request had a To-tag);
 *  - a judged request is an INVITE spelled exactly so;
 *  - sf_admit and sf_admit_scanned agree;
 *  - the Route values and pop ranges lie inside the message.
 *
 * Needs tests/fixtures/edge (run from the repository root or set SF_ROOT).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sipfilter/engine/sf_admit.h"
#include "sipfilter/lib/sf_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(c)                                                           \
	do {                                                               \
		if (!(c))                                                  \
			abort();                                           \
	} while (0)

static sf_cfg_t *cfg;
static sf_tables_t *tables;
static sf_edge_t edge;
static sf_sipmsg_t msg, msg2;
static sf_call_t call;
static sf_admission_t a1, a2;
static char buf[70000];

static const char *const sources[] = {
	"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5",
	"127.0.0.1", "127.0.0.9", "::1", "192.0.2.66",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *root = getenv("SF_ROOT");
	char path[1024];
	sf_err_t err;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "%s/tests/fixtures/edge/edge.yaml",
		 root ? root : ".");
	if (sf_load_all(path, &cfg, &tables)) {
		fprintf(stderr, "fuzz_admit: cannot load %s\n", path);
		exit(1);
	}
	sf_identity_global_init();
	sf_err_clear(&err);
	if (sf_edge_init(&edge, cfg, NULL, &err) || !edge.have_key)
		exit(1);
	return 0;
}

/* Replaces every @TOKEN@ with the token for (Call-ID, tag) of the
 * message; returns the new length. */
static size_t place_tokens(const char *in, size_t n, bool to_tag)
{
	static const char mark[] = "@TOKEN@";
	size_t o = 0;
	sf_str_t tag = SF_STR_NULL;
	char tok[SF_RR_TOKEN_LEN];
	const sf_sip_hdr_t *cid;

	if (!memmem(in, n, mark, 7) || sf_sip_scan(in, n, NULL, &msg2) != 0)
		return 0;
	cid = sf_sip_hdr_nth(&msg2, SF_HDR_CALL_ID, 0);
	sf_msg_tag(&msg2, to_tag ? SF_HDR_TO : SF_HDR_FROM, &tag);
	sf_token_rr(&edge.key, cid ? cid->value : SF_STR_NULL, tag, tok);
	for (size_t i = 0; i < n && o + SF_RR_TOKEN_LEN < sizeof(buf);) {
		if (i + 7 <= n && !memcmp(in + i, mark, 7)) {
			memcpy(buf + o, tok, SF_RR_TOKEN_LEN);
			o += SF_RR_TOKEN_LEN;
			i += 7;
		} else {
			buf[o++] = in[i++];
		}
	}
	return o;
}

static bool is_invite_spelling(const sf_sipmsg_t *m)
{
	return m->method.len == 6 && !strncasecmp(m->method.s, "INVITE", 6);
}

static void check_admission(const sf_admission_t *a, const sf_sipmsg_t *m)
{
	CHECK((unsigned)a->outcome < SF_OUT_COUNT);
	CHECK((unsigned)a->why < SF_WHY_COUNT);
	switch (a->outcome) {
	case SF_OUT_REJECT:
		CHECK(a->code >= 300 && a->code <= 699);
		break;
	case SF_OUT_REFUSE:
		CHECK(a->code == 400);
		break;
	case SF_OUT_ANSWER:
		CHECK(a->code == 200 && a->why == SF_WHY_OPTIONS);
		break;
	case SF_OUT_FORWARD:
	case SF_OUT_TAG:
	case SF_OUT_WITHHOLD:
		if (a->hop_trunk >= 0) {
			CHECK(a->hop_trunk < SF_CFG_MAX_TRUNKS &&
			      edge.hop_ok[a->hop_trunk]);
			CHECK(a->pop_routes == 0 && a->strip_routes);
		} else {
			CHECK(a->why == SF_WHY_IN_DIALOG);
			CHECK(a->pop_routes >= 1 && a->pop_routes <= 2);
			CHECK(sf_edge_named(&edge, &a->target));
		}
		if (a->outcome != SF_OUT_FORWARD)
			CHECK(a->judged);
		/* no INVITE, of any spelling, past the edge unjudged */
		if (is_invite_spelling(m) && !a->judged) {
			sf_str_t t;

			CHECK(a->why == SF_WHY_IN_DIALOG);
			CHECK(sf_msg_tag(m, SF_HDR_TO, &t));
		}
		break;
	default:
		break;
	}
	if (a->judged)
		CHECK(m->method.len == 6 && !memcmp(m->method.s, "INVITE", 6));
}

static void check_routes(const sf_sipmsg_t *m, const char *b, size_t n)
{
	sf_rvalue_t rv[SF_ROUTE_MAX];
	unsigned k = sf_route_values(m, SF_HDR_ROUTE, rv, SF_ROUTE_MAX);
	unsigned have = k < SF_ROUTE_MAX ? k : SF_ROUTE_MAX;
	uint32_t off, del;

	for (unsigned i = 0; i < have; i++) {
		sf_uri_hp_t u;

		CHECK(rv[i].value.s >= b &&
		      rv[i].value.s + rv[i].value.len <= b + n);
		if (rv[i].uri.len && sf_uri_hostport(rv[i].uri, &u))
			CHECK(u.host.s >= rv[i].uri.s &&
			      u.host.s + u.host.len <=
				      rv[i].uri.s + rv[i].uri.len);
	}
	for (unsigned pop = 1; pop <= have && pop <= 3; pop++)
		for (unsigned line = 0;
		     sf_route_pop_range(m, rv, have, pop, line, &off, &del);
		     line++)
			CHECK(off + del <= m->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sf_admit_in_t in;
	const char *p;
	size_t n;
	uint8_t sel;

	if (size < 1 || size > 65536)
		return 0;
	sel = data[0];
	p = (const char *)data + 1;
	n = size - 1;
	{
		size_t k = place_tokens(p, n, sel & 0x40);

		if (k) {
			p = buf;
			n = k;
		}
	}
	memset(&in, 0, sizeof(in));
	in.buf = p;
	in.len = n;
	in.tp = (sel & 0x08) ? SF_TP_TCP : SF_TP_UDP;
	{
		const char *s = sources[sel & 7];

		sf_ip_parse(s, strlen(s), &in.src);
	}
	in.sport = 5061;
	/* 5..7: an assumed trunk the config does not have */
	in.trunk = (sel & 0x10) ? (int)(sel >> 5) : SF_TRUNK_BY_SOURCE;
	sf_admit(&edge, tables, &in, &msg, &call, &a1);
	if (a1.sip_error != SF_SIP_OK || a1.why == SF_WHY_KEEPALIVE)
		return 0;
	check_admission(&a1, &msg);
	check_routes(&msg, p, n);
	/* replay's path: scanned first, then admitted */
	CHECK(sf_sip_scan(p, n, in.tp == SF_TP_TCP ? &edge.lim_tcp
						    : &edge.lim_udp,
			  &msg2) == 0);
	sf_admit_scanned(&edge, tables, &in, &msg2, &call, &a2);
	CHECK(a1.outcome == a2.outcome && a1.why == a2.why &&
	      a1.code == a2.code && a1.judged == a2.judged);
	if (a1.judged)
		CHECK(a1.v.applied == a2.v.applied &&
		      a1.v.rule == a2.v.rule);
	return 0;
}
