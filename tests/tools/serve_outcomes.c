/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * serve_outcomes.c - the proxy's side of the replay-vs-serve differential
 * test (tests/integration/replay_serve.sh).
 *
 * Reads a capture with the same decoder replay uses and hands every
 * INVITE-looking message (any method case, after keep-alive CRLFs) to the
 * proxy's message handler, sf_proxy_handle() - the very function the
 * UDP workers and the TCP thread call - with the same bytes, source
 * address and transport, on the same config and tables.  For each INVITE
 * transaction (the first of its retransmissions, keyed as replay keys
 * them: Call-ID, CSeq number and top Via branch; a message the scanner
 * refuses by its bytes, so that its retransmissions are one, as replay
 * folds them - the proxy answers each alike) it prints what the proxy
 * did:
 *     SRC<TAB>APPLIED<TAB>RULE<TAB>CODE
 * SRC as replay's "src" field, APPLIED/RULE/CODE as replay's record
 * fields (code "null" when none).  The test compares the two as
 * multisets.
 *
 * usage: serve_outcomes CONFIG CAPTURE
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../capture/sf_capdec.h"
#include "../../capture/sf_capfile.h"
#include "../../sipfilter/engine/sf_report.h"
#include "sipfilter/proxy/proxy_core.h"
#include "sipfilter/replay/replay.h"
#include "sipfilter/lib/sf_load.h"

#define SEEN_MAX 65536

static sf_proxy_t proxy;
static sf_wstats_t st;
static sf_pctx_t ctx;
static sf_sipmsg_t scan;
static char obuf[65536 + SF_EDIT_SCRATCH + 512];
static uint64_t seen[SEEN_MAX];
static size_t n_seen;
static const sf_cfg_t *cfg;
static const sf_tables_t *tables;

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
}

/* First time this transaction is seen?  m NULL: a message the scanner
 * refused, p[0..n). */
static bool first_time(const sf_sipmsg_t *m, const char *p, size_t n)
{
	uint64_t k = 0xcbf29ce484222325ULL;

	if (m) {
		const sf_sip_hdr_t *cid = sf_sip_hdr_nth(m, SF_HDR_CALL_ID, 0);
		sf_via_t v;

		k ^= m->cseq_num;
		if (cid)
			k = fnv(k, cid->value.s, cid->value.len);
		if (sf_via_nth(m, 0, &v) == 0 && v.has_branch)
			k = fnv(k, v.branch.s, v.branch.len);
	} else {
		k = fnv(k ^ 0x6d616c666f726d64ull, p, n);
	}
	for (size_t i = 0; i < n_seen; i++)
		if (seen[i] == k)
			return false;
	if (n_seen < SEEN_MAX)
		seen[n_seen++] = k;
	return true;
}

static void on_msg(void *user, const sf_cap_msg_t *m)
{
	const char *p = (const char *)m->data;
	size_t n = m->len;
	struct sockaddr_storage ss;
	sf_pin_t in;
	sf_pout_t out;
	sf_report_t r;
	sf_sip_limits_t lim;
	char src[80], ip[64], code[8];

	(void)user;
	while (n && (*p == '\r' || *p == '\n')) {
		p++;
		n--;
	}
	if (n <= 7 || strncasecmp(p, "INVITE ", 7) != 0)
		return;
	lim.max_message = cfg->serve.max_message;
	lim.stream = m->proto == SF_CAP_TCP && !m->ws;
	if (sf_sip_scan(p, n, &lim, &scan) == 0 && scan.is_request
		    ? !first_time(&scan, p, n)
		    : !first_time(NULL, p, n))
		return;
	memset(&ss, 0, sizeof(ss));
	if (m->src.v4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(m->sport);
		memcpy(&s4->sin_addr, m->src.a + 12, 4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(m->sport);
		memcpy(&s6->sin6_addr, m->src.a, 16);
	}
	in = (sf_pin_t){p, n, m->proto == SF_CAP_TCP ? SF_TP_TCP : SF_TP_UDP,
			(const struct sockaddr *)&ss, 0, -1, SF_HOW_SOURCE};
	out.buf = obuf;
	out.cap = sizeof(obuf);
	sf_proxy_handle(&ctx, tables, &in, &out);
	sf_report_of(&ctx.adm, &r);
	sf_ip_format(&m->src, ip, sizeof(ip));
	snprintf(src, sizeof(src), m->src.v4 ? "%s:%u" : "[%s]:%u", ip,
		 (unsigned)m->sport);
	snprintf(code, sizeof(code), "%u", (unsigned)r.code);
	printf("%s\t%s\t%s\t%s\n", src, sf_word_name(r.applied), r.rule,
	       r.code ? code : "null");
}

int main(int argc, char **argv)
{
	sf_cfg_t *c;
	sf_tables_t *t;
	sf_capfile_t *f;
	sf_capdec_t *dec;
	sf_capdec_limits_t dl;
	sf_replay_opts_t ro;
	sf_replay_t *framer;
	sf_cap_pkt_t pkt;
	sf_err_t err;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: serve_outcomes CONFIG CAPTURE\n");
		return 2;
	}
	sf_identity_global_init();
	if (sf_load_all(argv[1], &c, &t) < 0)
		return 2;
	cfg = c;
	tables = t;
	sf_err_clear(&err);
	if (sf_proxy_init(&proxy, cfg, NULL, &err)) {
		sf_err_print(&err, stderr);
		return 2;
	}
	ctx.p = &proxy;
	ctx.st = &st;
	/* replay's TCP framing, so both see the same messages */
	memset(&ro, 0, sizeof(ro));
	ro.cfg = cfg;
	ro.tables = tables;
	ro.format = SF_REPLAY_NONE;
	ro.out = stdout;
	ro.assume_trunk = ro.assume_trunk2 = SF_TRUNK_BY_SOURCE;
	framer = sf_replay_new(&ro);
	sf_capdec_limits_default(&dl);
	if (cfg->serve.max_message > dl.tcp_max_buffer / 2)
		dl.tcp_max_buffer = cfg->serve.max_message * 2;
	dec = framer ? sf_capdec_new(&dl, on_msg, sf_replay_frame, framer)
		     : NULL;
	if (!dec || sf_capfile_open(argv[2], &f, &err) < 0) {
		sf_err_print(&err, stderr);
		return 1;
	}
	while ((rc = sf_capfile_next(f, &pkt, &err)) > 0)
		if (sf_capdec_linktype_supported(pkt.linktype))
			sf_capdec_packet(dec, &pkt);
	sf_capdec_finish(dec);
	sf_capdec_free(dec);
	sf_capfile_close(f);
	sf_replay_free(framer);
	sf_tables_free(t);
	sf_cfg_free(c);
	return rc < 0 ? 1 : 0;
}
