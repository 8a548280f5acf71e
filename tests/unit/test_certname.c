/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_certname.c - tests of config/cfg_certname.c and cfg_tls.c: the
 * matching of untrusted certificate names against a trunk's client_cert
 * patterns (wildcards confined to one label, case, hostile bytes, length
 * bounds) and the TLS settings the loader takes (serve.tls defaults and
 * values, client_cert trunks, which trunks match by source).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "../../config/sf_certname.h"
#include "../../config/sf_config.h"

#define M(p, n) sf_cert_name_match(p, n, strlen(n))

static void test_match(void)
{
	char big[SF_CERT_NAME_MAX + 2];

	T_TRUE(M("sbc1.carrier-a.example", "sbc1.carrier-a.example"));
	T_TRUE(M("sbc1.carrier-a.example", "SBC1.Carrier-A.example"));
	T_TRUE(!M("sbc1.carrier-a.example", "sbc1.carrier-a.example."));
	T_TRUE(!M("sbc1.carrier-a.example", "sbc1.carrier-a.exampl"));
	/* '*' stays within one label */
	T_TRUE(M("sbc*.a.example", "sbc1.a.example"));
	T_TRUE(M("sbc*.a.example", "sbc.a.example"));
	T_TRUE(M("sbc*.a.example", "sbc-east-1.a.example"));
	T_TRUE(!M("sbc*.a.example", "sbc1.evil.a.example"));
	T_TRUE(!M("*.a.example", "x.y.a.example"));
	T_TRUE(M("*.a.example", "x.a.example"));
	T_TRUE(M("*.a.example", ".a.example")); /* '*' may be empty */
	T_TRUE(M("*", "anything"));
	T_TRUE(!M("*", "two.labels"));
	T_TRUE(M("a*b*c", "a-x-b-y-c"));
	T_TRUE(!M("a*b*c", "a-x-b-y-d"));
	T_TRUE(M("sip:*@a.example", "sip:sbc@a.example"));
	/* a '*' in the peer's name is just a byte */
	T_TRUE(!M("sbc1.a.example", "*.a.example"));
	T_TRUE(M("*.a.example", "*.a.example"));
	/* hostile bytes: NUL (the classic "good\0.evil"), controls, 8-bit */
	T_TRUE(!sf_cert_name_match("sbc1.a.example", "sbc1.a.example\0.evil",
				   20));
	T_TRUE(!sf_cert_name_match("sbc1.a.example", "sbc1.a.example", 15));
	T_TRUE(!M("*", "a\tb"));
	T_TRUE(!M("*", "caf\xc3\xa9"));
	T_TRUE(!M("*", ""));
	/* length bound */
	memset(big, 'a', sizeof(big));
	T_TRUE(sf_cert_name_match("*", big, SF_CERT_NAME_MAX));
	T_TRUE(!sf_cert_name_match("*", big, SF_CERT_NAME_MAX + 1));
}

static void test_pattern_check(void)
{
	char why[128];

	T_TRUE(sf_cert_pattern_check("sbc*.a.example", 14, why, sizeof(why)));
	T_TRUE(!sf_cert_pattern_check("", 0, why, sizeof(why)));
	T_TRUE(!sf_cert_pattern_check("a b", 3, why, sizeof(why)));
	T_EQ_STR(why, "only printable ASCII without spaces is allowed");
	T_TRUE(!sf_cert_pattern_check("*a*b*c*d*", 9, why, sizeof(why)));
	T_EQ_STR(why, "at most 4 '*' in a pattern");
}

static void test_names_match(void)
{
	sf_trunk_t t;
	sf_peer_names_t n;

	memset(&t, 0, sizeof(t));
	memset(&n, 0, sizeof(n));
	t.cert.on = true;
	snprintf(t.cert.san[0], sizeof(t.cert.san[0]), "sbc*.a.example");
	t.cert.n_san = 1;
	snprintf(t.cert.subject[0], sizeof(t.cert.subject[0]), "Carrier A");
	n.san[0] = "mail.a.example";
	n.san_len[0] = 14;
	n.n_san = 1;
	T_TRUE(!sf_cert_names_match(&t, &n));
	n.san[1] = "sbc9.a.example";
	n.san_len[1] = 14;
	n.n_san = 2;
	T_TRUE(sf_cert_names_match(&t, &n));
	/* a CN is not a SAN: subject patterns only */
	n.n_san = 0;
	n.cn[0] = "sbc9.a.example";
	n.cn_len[0] = 14;
	n.n_cn = 1;
	T_TRUE(!sf_cert_names_match(&t, &n));
	t.cert.n_subject = 1;
	n.cn[0] = "carrier a";
	n.cn_len[0] = 9;
	T_TRUE(!sf_cert_names_match(&t, &n)); /* a space: never */
}

static sf_cfg_t *parse(const char *text, sf_diag_t *d)
{
	sf_cfg_t *cfg = NULL;

	sf_diag_init(d);
	sf_cfg_parse_flags("t.yaml", text, strlen(text), "/base",
			   SF_CFG_SKIP_FILE_CHECKS, &cfg, d);
	return cfg;
}

static void test_config(void)
{
	sf_diag_t d;
	sf_cfg_t *cfg;
	sf_ip_t ip;

	cfg = parse("dialling: {country_code: \"7\", national_length: 10}\n"
		    "trunks:\n"
		    "  - {name: tls, kind: international, client_cert: {ca: "
		    "ca.pem, san: [\"sbc*.a.example\"]}}\n"
		    "  - {name: both, kind: domestic, sources: [10.0.0.0/8], "
		    "client_cert: {ca: /etc/b.pem, subject: [b]}}\n"
		    "  - {name: src, kind: domestic, sources: [10.1.0.0/16]}\n"
		    "serve:\n"
		    "  listen: [\"tls:127.0.0.1:5061\"]\n"
		    "  tls: {cert: s.pem, key: s.key, min_version: \"1.3\", "
		    "handshakes_per_second: 0}\n",
		    &d);
	T_TRUE(cfg != NULL);
	if (!cfg) {
		sf_diag_print(&d, stderr);
		return;
	}
	T_EQ_INT(cfg->serve.listeners[0].addr.transport, SF_TP_TLS);
	T_EQ_STR(cfg->serve.tls.cert, "/base/s.pem");
	T_TRUE(cfg->serve.tls.tls13_only);
	T_TRUE(cfg->serve.tls.session_tickets);
	T_EQ_INT(cfg->serve.tls.handshakes_per_second, 0);
	T_EQ_INT(cfg->serve.tls.handshake_timeout_ms, 3000);
	T_TRUE(cfg->trunks[0].cert.on);
	T_EQ_STR(cfg->trunks[0].cert.ca, "/base/ca.pem");
	T_EQ_INT(cfg->trunks[0].n_cidrs, 0);
	T_EQ_STR(cfg->trunks[1].cert.subject[0], "b");
	T_TRUE(sf_cfg_uses_tls(cfg));
	/* client_cert trunks never match by source alone */
	sf_ip_parse("10.1.2.3", 8, &ip);
	T_EQ_INT(sf_cfg_trunk_match(cfg, &ip), 2);
	sf_ip_parse("10.9.2.3", 8, &ip);
	T_EQ_INT(sf_cfg_trunk_match(cfg, &ip), -1);
	T_TRUE(sf_cfg_trunk_source_ok(&cfg->trunks[1], &ip));
	T_TRUE(sf_cfg_trunk_source_ok(&cfg->trunks[0], &ip));
	T_TRUE(!sf_cfg_trunk_source_ok(&cfg->trunks[2], &ip));
	sf_cfg_free(cfg);
}

int main(void)
{
	T_RUN(test_match);
	T_RUN(test_pattern_check);
	T_RUN(test_names_match);
	T_RUN(test_config);
	return T_DONE();
}
