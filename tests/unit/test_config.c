/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_config.c - tests of config/: the example config as frozen in
 * tests/fixtures/engine (config/sipfilter.yaml itself is free to change;
 * tests/integration/cli.sh checks that it loads), every field's type
 * and range checks, defaults, path resolution, limits, and the golden error
 * files in tests/golden/config/ (NAME.yaml -> NAME.expected, the exact
 * lines sf_diag_print gives).  Set SF_UPDATE_GOLDEN=1 to rewrite the
 * expected files after a deliberate change of wording, then review the diff.
 * Runs from the repository root ($SF_ROOT).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"
#include "../../base/sf_phrase.h"
#include "../../config/cfg_int.h"
#include "../../config/sf_config.h"

/* --- helpers ---------------------------------------------------------------- */

static sf_cfg_t *parse_ok(const char *text)
{
	sf_diag_t d;
	sf_cfg_t *cfg = NULL;
	int rc;

	sf_diag_init(&d);
	rc = sf_cfg_parse_flags("t.yaml", text, strlen(text), "/base",
				SF_CFG_SKIP_FILE_CHECKS, &cfg, &d);
	if (rc != 0) {
		T_FAIL_AT("parse failed (%d) for:\n%s", rc, text);
		sf_diag_print(&d, stderr);
	}
	return cfg;
}

/* The first error of text, formatted; "" if it parsed. */
static const char *first_error(const char *text, char *buf, size_t size)
{
	sf_diag_t d;
	sf_cfg_t *cfg = NULL;
	int rc;

	sf_diag_init(&d);
	rc = sf_cfg_parse_flags("t.yaml", text, strlen(text), "/base",
				SF_CFG_SKIP_FILE_CHECKS, &cfg, &d);
	buf[0] = '\0';
	if (rc == 0) {
		sf_cfg_free(cfg);
		return buf;
	}
	if (cfg)
		T_FAIL_AT("cfg not NULL after a failed parse");
	if (d.n)
		sf_err_format(&d.items[0], buf, size);
	return buf;
}

#define MIN_CFG "dialling: {country_code: \"7\", national_length: 10}\n"

#define T_ERR(text, want)                                                  \
	do {                                                               \
		char t_buf[1024];                                          \
		T_EQ_STR(first_error((text), t_buf, sizeof(t_buf)), (want)); \
	} while (0)

static void ip(const char *s, sf_ip_t *out)
{
	if (sf_ip_parse(s, strlen(s), out) != 0)
		T_FAIL_AT("bad test address %s", s);
}

/* The example config and tables, frozen for the tests (relative to the
 * repository root, where the tests run). */
#define FIXTURE "tests/fixtures/engine"

/* --- the example config (its copy in tests/fixtures/engine) ------------------
 */

static void test_example(void)
{
	sf_diag_t d;
	sf_cfg_t *cfg = NULL;
	char real[PATH_MAX], want[PATH_MAX + 64];
	const sf_rule_t *r;
	sf_ip_t a;
	int rc;

	sf_diag_init(&d);
	rc = sf_cfg_load(FIXTURE "/sipfilter.yaml", &cfg, &d);
	sf_diag_print(&d, stderr);
	T_EQ_INT(rc, 0);
	T_EQ_INT(d.n, 0);
	if (!cfg)
		return;
	T_EQ_STR(cfg->path, FIXTURE "/sipfilter.yaml");
	T_EQ_STR(cfg->dialling.country_code, "7");
	T_EQ_STR(cfg->dialling.national_prefix, "8");
	T_EQ_INT(cfg->dialling.n_intl_prefixes, 2);
	T_EQ_STR(cfg->dialling.intl_prefixes[0], "810");
	T_EQ_STR(cfg->dialling.intl_prefixes[1], "00");
	T_EQ_INT(cfg->dialling.national_length, 10);
	T_EQ_INT(cfg->dialling.max_short_length, 6);

	T_EQ_INT(cfg->n_identity_order, 3);
	T_EQ_INT(cfg->identity_order[0], SF_ID_PAI);
	T_EQ_INT(cfg->identity_order[1], SF_ID_RPID);
	T_EQ_INT(cfg->identity_order[2], SF_ID_FROM);

	T_TRUE(realpath(FIXTURE, real) != NULL);
	snprintf(want, sizeof(want), "%s/tables/numbering-plan.csv", real);
	T_EQ_STR(cfg->plan_path, want);
	snprintf(want, sizeof(want), "%s/tables/roaming.csv", real);
	T_EQ_STR(cfg->roaming_path, want);
	snprintf(want, sizeof(want), "%s/tables/substitution.csv", real);
	T_EQ_STR(cfg->substitution_path, want);
	snprintf(want, sizeof(want), "%s/tables/allow.csv", real);
	T_EQ_STR(cfg->allow_path, want);

	T_EQ_INT(cfg->n_trunks, 5);
	T_EQ_STR(cfg->trunks[0].name, "ipx-carrier-a");
	T_EQ_INT(cfg->trunks[0].kind, SF_TRUNK_INTERNATIONAL);
	T_EQ_INT(cfg->trunks[0].n_cidrs, 2);
	T_EQ_INT(cfg->trunks[0].trusted, 0);
	T_EQ_INT(cfg->trunks[0].has_next_hop, 1);
	T_EQ_STR(cfg->trunks[0].next_hop.host, "127.0.0.1");
	T_EQ_INT(cfg->trunks[0].next_hop.port, 5070);
	T_EQ_INT(cfg->trunks[0].next_hop.transport, SF_TP_UDP);
	T_EQ_INT(cfg->trunks[0].line, 29);
	T_EQ_STR(cfg->trunks[2].name, "roaming-hub");
	T_EQ_INT(cfg->trunks[2].kind, SF_TRUNK_ROAMING_PARTNER);
	T_EQ_INT(cfg->trunks[3].kind, SF_TRUNK_DOMESTIC);
	T_EQ_INT(cfg->trunks[3].trusted, 1);
	T_EQ_STR(cfg->trunks[4].name, "core");
	T_EQ_INT(cfg->trunks[4].kind, SF_TRUNK_INTERNAL);
	T_EQ_INT(sf_cfg_trunk_find(cfg, "core"), 4);
	T_EQ_INT(sf_cfg_trunk_find(cfg, "nope"), -1);

	ip("127.0.0.2", &a);
	T_EQ_INT(sf_cfg_trunk_match(cfg, &a), 0);
	ip("::2", &a);
	T_EQ_INT(sf_cfg_trunk_match(cfg, &a), 0);
	ip("127.0.0.3", &a);
	T_EQ_INT(sf_cfg_trunk_match(cfg, &a), 1);
	ip("127.0.0.5", &a);
	T_EQ_INT(sf_cfg_trunk_match(cfg, &a), 3);
	ip("127.0.0.1", &a);
	T_EQ_INT(sf_cfg_trunk_match(cfg, &a), 4);
	ip("::1", &a);
	T_EQ_INT(sf_cfg_trunk_match(cfg, &a), 4);
	ip("::3", &a);
	T_EQ_INT(sf_cfg_trunk_match(cfg, &a), -1);
	ip("192.0.2.1", &a);
	T_EQ_INT(sf_cfg_trunk_match(cfg, &a), -1);

	T_EQ_INT(cfg->n_emergency, 5);
	T_EQ_STR(cfg->emergency[0], "112");
	T_EQ_STR(cfg->emergency[4], "104");
	T_EQ_STR(cfg->tag.header, "X-Sipfilter");
	T_EQ_INT(cfg->tag.verstat, 1);

	T_EQ_INT(cfg->n_rules, 15);
	r = &cfg->rules[0];
	T_EQ_STR(r->name, "own-msrn-exempt");
	T_EQ_INT(r->n_conds, 1);
	T_EQ_INT(r->conds[0].kind, SF_COND_CALLED_CLASS);
	T_EQ_INT(r->conds[0].mask, 1ull << SF_CLASS_HOME_MSRN);
	T_EQ_INT(r->action, SF_ACT_ALLOW);
	T_EQ_INT(r->code, 0);
	T_EQ_STR(r->reason, r->description);
	T_EQ_INT(r->line, 73);
	T_EQ_INT(r->scope, SF_SCOPE_ANY);
	T_TRUE(!r->per_identity);

	r = &cfg->rules[1];
	T_EQ_STR(r->name, "allow-listed");
	T_EQ_INT(r->scope, SF_SCOPE_ALL);
	T_TRUE(r->per_identity);

	r = &cfg->rules[2];
	T_EQ_STR(r->name, "cli-unparseable");
	T_EQ_INT(r->n_conds, 2);
	T_EQ_INT(r->scope, SF_SCOPE_ALL);
	T_EQ_INT(r->conds[0].kind, SF_COND_TRUNK_KIND);
	T_EQ_INT(r->conds[0].mask, (1ull << SF_TRUNK_INTERNATIONAL) |
					   (1ull << SF_TRUNK_ROAMING_PARTNER));
	T_EQ_INT(r->conds[1].kind, SF_COND_UNPARSEABLE);
	T_EQ_INT(r->conds[1].value, 1);
	T_EQ_INT(r->action, SF_ACT_REJECT);
	T_EQ_INT(r->code, 603);
	T_EQ_STR(r->phrase, "Network Blocked");
	T_EQ_STR(r->reason, "calling number is not a valid telephone number");
	T_EQ_INT(r->mode, SF_MODE_ENFORCE);

	r = &cfg->rules[3];
	T_EQ_INT(r->conds[1].kind, SF_COND_LENGTH_VALID);
	T_EQ_INT(r->conds[1].value, 0);

	r = &cfg->rules[6];
	T_EQ_STR(r->name, "home-service-from-abroad");
	T_EQ_INT(r->conds[1].mask, (1ull << SF_CLASS_SERVICE) |
					   (1ull << SF_CLASS_TOLL_FREE) |
					   (1ull << SF_CLASS_PREMIUM));

	r = &cfg->rules[8];
	T_EQ_STR(r->name, "forwarded-from-abroad");
	T_EQ_INT(r->n_conds, 4);
	T_EQ_INT(r->conds[2].kind, SF_COND_DIVERTED);
	T_EQ_INT(r->conds[3].kind, SF_COND_DIVERSION_CLASS);
	T_EQ_INT(r->conds[3].mask, 1ull << SF_CLASS_FOREIGN);
	T_EQ_INT(r->action, SF_ACT_WITHHOLD);

	r = &cfg->rules[10];
	T_EQ_STR(r->name, "other-kz-mobile-from-abroad");
	T_EQ_INT(r->action, SF_ACT_TAG);
	T_EQ_INT(r->mode, SF_MODE_MONITOR);

	r = &cfg->rules[13];
	T_EQ_STR(r->name, "identity-conflict");
	T_EQ_INT(r->conds[0].kind, SF_COND_IDENTITY_CONFLICT);
	T_TRUE(!r->per_identity);

	r = &cfg->rules[14];
	T_EQ_STR(r->name, "anonymous-from-abroad");
	T_EQ_INT(r->scope, SF_SCOPE_ALL);
	T_EQ_INT(r->conds[1].kind, SF_COND_IDENTITY);
	T_EQ_INT(r->conds[1].mask, (1ull << SF_IDENT_MISSING) |
					   (1ull << SF_IDENT_ANONYMOUS));
	T_EQ_INT(sf_cfg_rule_find(cfg, "identity-mismatch"), 12);
	T_EQ_INT(sf_cfg_rule_find(cfg, "nope"), -1);

	T_EQ_INT(cfg->serve.n_listeners, 4);
	T_EQ_INT(cfg->serve.listeners[0].addr.transport, SF_TP_UDP);
	T_EQ_STR(cfg->serve.listeners[0].addr.host, "127.0.0.1");
	T_EQ_INT(cfg->serve.listeners[0].addr.port, 5060);
	T_EQ_INT(cfg->serve.listeners[3].addr.transport, SF_TP_TCP);
	T_EQ_STR(cfg->serve.listeners[3].addr.host, "::1");
	T_EQ_INT(cfg->serve.workers, 0);
	T_EQ_STR(cfg->serve.control_socket, "/tmp/sipfilter.ctl");
	T_EQ_STR(cfg->serve.metrics_addr, "127.0.0.1:9464");
	T_EQ_INT(cfg->serve.unknown_source, SF_UNKNOWN_REJECT);
	T_EQ_INT(cfg->serve.no_tables, SF_NO_TABLES_REFUSE);
	T_TRUE(cfg->serve.max_shrink == 0.5);
	T_EQ_INT(cfg->serve.max_message, 16384);
	T_EQ_INT(cfg->serve.tcp_max_connections, 1024);
	T_EQ_INT(cfg->serve.tcp_idle_timeout_ms, 60000);
	T_EQ_INT(cfg->serve.tcp_partial_timeout_ms, 5000);
	T_EQ_INT(cfg->serve.tcp_max_per_source, 32);
	T_EQ_INT(cfg->serve.tcp_unknown_idle_timeout_ms, 5000);
	T_EQ_STR(cfg->serve.log_target, "stderr");
	sf_cfg_free(cfg);
}

/* --- defaults and values -------------------------------------------------------- */

static void test_defaults(void)
{
	sf_cfg_t *cfg = parse_ok(MIN_CFG);

	if (!cfg)
		return;
	T_EQ_STR(cfg->path, "t.yaml");
	T_EQ_STR(cfg->dialling.national_prefix, "");
	T_EQ_INT(cfg->dialling.n_intl_prefixes, 0);
	T_EQ_INT(cfg->dialling.max_short_length, 6);
	T_EQ_INT(cfg->n_identity_order, 3);
	T_EQ_INT(cfg->identity_order[0], SF_ID_PAI);
	T_EQ_INT(cfg->identity_order[1], SF_ID_RPID);
	T_EQ_INT(cfg->identity_order[2], SF_ID_FROM);
	T_EQ_STR(cfg->plan_path, "");
	T_EQ_STR(cfg->allow_path, "");
	T_EQ_INT(cfg->n_trunks, 0);
	T_EQ_INT(cfg->n_rules, 0);
	T_EQ_INT(cfg->n_emergency, 1);
	T_EQ_STR(cfg->emergency[0], "112");
	T_EQ_STR(cfg->tag.header, "X-Sipfilter");
	T_EQ_INT(cfg->tag.verstat, 1);
	T_EQ_INT(cfg->serve.n_listeners, 2);
	T_EQ_INT(cfg->serve.listeners[0].addr.transport, SF_TP_UDP);
	T_EQ_INT(cfg->serve.listeners[1].addr.transport, SF_TP_TCP);
	T_EQ_STR(cfg->serve.listeners[1].addr.host, "127.0.0.1");
	T_EQ_INT(cfg->serve.listeners[1].addr.port, 5060);
	T_EQ_STR(cfg->serve.control_socket, "");
	T_EQ_STR(cfg->serve.metrics_addr, "");
	T_TRUE(cfg->serve.max_shrink == 0.5);
	T_EQ_INT(cfg->serve.max_message, 16384);
	T_EQ_INT(cfg->serve.tcp_max_connections, 1024);
	T_EQ_INT(cfg->serve.tcp_max_per_source, 32);
	T_EQ_INT(cfg->serve.tcp_unknown_idle_timeout_ms, 5000);
	T_EQ_STR(cfg->serve.log_target, "stderr");
	sf_cfg_free(cfg);

	/* Empty (null) sections mean "defaults" too. */
	cfg = parse_ok(MIN_CFG "tables:\ntag:\nserve:\ntrunks:\nrules:\n");
	if (cfg) {
		T_EQ_INT(cfg->serve.n_listeners, 2);
		T_EQ_STR(cfg->tag.header, "X-Sipfilter");
		sf_cfg_free(cfg);
	}
}

static void test_values(void)
{
	sf_cfg_t *cfg = parse_ok(
		MIN_CFG
		"identity_order: from\n"
		"emergency: \"911\"\n"
		"tag: {header: P-Verdict, verstat: no}\n"
		"serve:\n"
		"  listen: \"tcp:[2001:db8::1]:5070\"\n"
		"  workers: 4\n"
		"  metrics: \"[::1]:9464\"\n"
		"  unknown_source: international\n"
		"  no_tables: degraded\n"
		"  max_shrink: 0.25\n"
		"  max_message: 65535\n"
		"  tcp: {max_connections: 10, idle_timeout_ms: 1000,"
		" partial_timeout_ms: 100, max_per_source: 3,"
		" unknown_idle_timeout_ms: 250}\n"
		"  log: syslog\n");

	if (!cfg)
		return;
	T_EQ_INT(cfg->n_identity_order, 1);
	T_EQ_INT(cfg->identity_order[0], SF_ID_FROM);
	T_EQ_INT(cfg->n_emergency, 1);
	T_EQ_STR(cfg->emergency[0], "911");
	T_EQ_STR(cfg->tag.header, "P-Verdict");
	T_EQ_INT(cfg->tag.verstat, 0);
	T_EQ_INT(cfg->serve.n_listeners, 1);
	T_EQ_INT(cfg->serve.listeners[0].addr.transport, SF_TP_TCP);
	T_EQ_STR(cfg->serve.listeners[0].addr.host, "2001:db8::1");
	T_EQ_INT(cfg->serve.listeners[0].addr.port, 5070);
	T_EQ_INT(cfg->serve.workers, 4);
	T_EQ_STR(cfg->serve.metrics_addr, "[::1]:9464");
	T_EQ_INT(cfg->serve.unknown_source, SF_UNKNOWN_AS_INTERNATIONAL);
	T_EQ_INT(cfg->serve.no_tables, SF_NO_TABLES_DEGRADED);
	T_TRUE(cfg->serve.max_shrink == 0.25);
	T_EQ_INT(cfg->serve.max_message, 65535);
	T_EQ_INT(cfg->serve.tcp_max_connections, 10);
	T_EQ_INT(cfg->serve.tcp_idle_timeout_ms, 1000);
	T_EQ_INT(cfg->serve.tcp_partial_timeout_ms, 100);
	T_EQ_INT(cfg->serve.tcp_max_per_source, 3);
	T_EQ_INT(cfg->serve.tcp_unknown_idle_timeout_ms, 250);
	T_EQ_STR(cfg->serve.log_target, "syslog");
	sf_cfg_free(cfg);
}

static void test_trunks_and_conds(void)
{
	/* Rules before trunks; single scalars for lists; YAML booleans. */
	sf_cfg_t *cfg = parse_ok(
		MIN_CFG
		"rules:\n"
		"  - name: r1\n"
		"    when: {trunk: b, class: foreign, roaming: yes,"
		" privacy: No, identity: [anonymous, missing]}\n"
		"    action: reject\n"
		"    code: 486\n"
		"  - name: r2\n"
		"    description: say \"hi\"\n"
		"    action: reject\n"
		"    code: 608\n"
		"  - name: r3\n"
		"    action: withhold\n"
		"    when: {}\n"
		"  - name: r4\n"
		"    action: reject\n"
		"    phrase: Go Away\n"
		"    reason: custom\n"
		"  - name: r5\n"
		"    action: reject\n"
		"    code: 499\n"
		"  - name: r6\n"
		"    action: reject\n"
		"    code: 699\n"
		"trunks:\n"
		"  - {name: a, kind: domestic, sources: 10.0.0.0/8}\n"
		"  - name: b\n"
		"    kind: internal\n"
		"    sources: [\"2001:db8::/32\", 192.0.2.0/24]\n"
		"    trusted: True\n"
		"    next_hop: sbc.example.net\n");
	sf_ip_t a;

	if (!cfg)
		return;
	T_EQ_INT(cfg->n_trunks, 2);
	T_EQ_INT(cfg->trunks[1].trusted, 1);
	T_EQ_INT(cfg->trunks[1].next_hop.transport, SF_TP_UDP);
	T_EQ_STR(cfg->trunks[1].next_hop.host, "sbc.example.net");
	T_EQ_INT(cfg->trunks[1].next_hop.port, 5060);
	T_EQ_INT(cfg->trunks[0].has_next_hop, 0);
	ip("10.9.8.7", &a);
	T_EQ_INT(sf_cfg_trunk_match(cfg, &a), 0);
	ip("2001:db8:ffff::1", &a);
	T_EQ_INT(sf_cfg_trunk_match(cfg, &a), 1);
	ip("192.0.2.200", &a);
	T_EQ_INT(sf_cfg_trunk_match(cfg, &a), 1);
	ip("192.0.3.1", &a);
	T_EQ_INT(sf_cfg_trunk_match(cfg, &a), -1);

	T_EQ_INT(cfg->n_rules, 6);
	T_EQ_INT(cfg->rules[0].n_conds, 5);
	T_EQ_INT(cfg->rules[0].conds[0].kind, SF_COND_TRUNK);
	T_EQ_INT(cfg->rules[0].conds[0].mask, 1ull << 1);
	T_EQ_INT(cfg->rules[0].conds[1].kind, SF_COND_CLASS);
	T_EQ_INT(cfg->rules[0].conds[1].mask, 1ull << SF_CLASS_FOREIGN);
	T_EQ_INT(cfg->rules[0].conds[2].kind, SF_COND_ROAMING);
	T_EQ_INT(cfg->rules[0].conds[2].value, 1);
	T_EQ_INT(cfg->rules[0].conds[3].kind, SF_COND_PRIVACY);
	T_EQ_INT(cfg->rules[0].conds[3].value, 0);
	T_EQ_INT(cfg->rules[0].conds[4].mask, (1ull << SF_IDENT_ANONYMOUS) |
						      (1ull << SF_IDENT_MISSING));
	T_EQ_INT(cfg->rules[0].code, 486);
	T_EQ_STR(cfg->rules[0].phrase, "Busy Here");
	T_EQ_STR(cfg->rules[0].reason, "");
	T_EQ_INT(cfg->rules[1].code, 608);
	T_EQ_STR(cfg->rules[1].phrase, "Rejected");
	T_EQ_STR(cfg->rules[1].description, "say \"hi\"");
	T_EQ_STR(cfg->rules[1].reason, "say 'hi'");
	T_EQ_INT(cfg->rules[2].n_conds, 0);
	T_EQ_INT(cfg->rules[2].code, 0);
	T_EQ_STR(cfg->rules[2].phrase, "");
	T_EQ_INT(cfg->rules[3].code, 603);
	T_EQ_STR(cfg->rules[3].phrase, "Go Away");
	T_EQ_STR(cfg->rules[3].reason, "custom");
	T_EQ_STR(cfg->rules[4].phrase, "Request Failure");
	T_EQ_STR(cfg->rules[5].phrase, "Global Failure");
	sf_cfg_free(cfg);
}

/* Each field's type and range checks, with the exact first message. */
static void test_field_checks(void)
{
	T_ERR(MIN_CFG "dialling: {}\n",
	      "t.yaml:2:1: error: duplicate section 'dialling' (first at "
	      "line 1); remove one of them");
	T_ERR("dialling: {national_length: 10}\n",
	      "t.yaml:1:11: error: missing required key 'country_code' in "
	      "'dialling', e.g. country_code: \"7\"");
	T_ERR("dialling: {country_code: \"\", national_length: 10}\n",
	      "t.yaml:1:26: error: 'country_code' must have 1 to 3 digits, "
	      "got ''");
	T_ERR("dialling: {country_code: \"+7\", national_length: 10}\n",
	      "t.yaml:1:26: error: 'country_code' must be digits only, got "
	      "'+7'");
	T_ERR("dialling: {country_code: 7, national_length: 3}\n",
	      "t.yaml:1:46: error: 'national_length' must be between 4 and "
	      "14, got '3'");
	T_ERR("dialling: {country_code: 7, national_length: 15}\n",
	      "t.yaml:1:46: error: 'national_length' must be between 4 and "
	      "14, got '15'");
	T_ERR("dialling: {country_code: 7, national_length: 99999999999999"
	      "999999999}\n",
	      "t.yaml:1:46: error: 'national_length' must be between 4 and "
	      "14, got '99999999999999999999999'");
	T_ERR("dialling: {country_code: 7, national_length: 1e1}\n",
	      "t.yaml:1:46: error: 'national_length' must be an integer, "
	      "got '1e1'");
	T_ERR("dialling: {country_code: 7, national_length: 10, "
	      "max_short_length: 9}\n",
	      "t.yaml:1:68: error: 'max_short_length' must be between 2 and "
	      "8, got '9'");
	T_ERR("dialling: {country_code: 7, national_length: 10, "
	      "national_prefix: 8x}\n",
	      "t.yaml:1:67: error: 'national_prefix' must be digits only, "
	      "got '8x'");
	T_ERR("dialling: {country_code: 7, national_length: 10, "
	      "international_prefixes: [\"123456\"]}\n",
	      "t.yaml:1:75: error: 'international_prefixes' must have 1 to 5 "
	      "digits, got '123456'");
	T_ERR("dialling: {country_code: 7, national_length: 10, "
	      "international_prefixes: [1,2,3,4,5,6,7,8,9]}\n",
	      "t.yaml:1:91: error: too many international_prefixes; at "
	      "most 8");
	T_ERR(MIN_CFG "emergency: [\"12345678901234567\"]\n",
	      "t.yaml:2:13: error: 'emergency' must have 1 to 15 digits, got "
	      "'12345678901234567'");
	T_ERR(MIN_CFG "tag: {verstat: 2}\n",
	      "t.yaml:2:16: error: 'verstat' must be true or false, got '2'");
	T_ERR(MIN_CFG "tag: {header: \"X:Y\"}\n",
	      "t.yaml:2:15: error: 'header' must be a SIP header name "
	      "(letters, digits, '-', '.'), got 'X:Y'");
	T_ERR(MIN_CFG "trunks: [{name: a, kind: internal, sources: 10.0.0.1,"
		      " trusted: maybe}]\n",
	      "t.yaml:2:64: error: 'trusted' must be true or false, got "
	      "'maybe'");
	T_ERR(MIN_CFG "trunks: [{name: a, kind: internal, sources: 10.0.0.1,"
		      " next_hop: \"udp:\"}]\n",
	      "t.yaml:2:65: error: bad next_hop 'udp:' in trunk 'a': missing "
	      "host");
	T_ERR(MIN_CFG "trunks: [{name: a, kind: internal, sources: 10.0.0.1,"
		      " next_hop: \"h:\"}]\n",
	      "t.yaml:2:65: error: bad next_hop 'h:' in trunk 'a': the port "
	      "must be a number");
	T_ERR(MIN_CFG "trunks: [{name: a, kind: internal, sources: 10.0.0.1,"
		      " next_hop: \"h_x:5060\"}]\n",
	      "t.yaml:2:65: error: bad next_hop 'h_x:5060' in trunk 'a': bad "
	      "host name");
	T_ERR(MIN_CFG "trunks: [{name: a, kind: internal, sources: 10.0.0.1,"
		      " next_hop: \"[::1\"}]\n",
	      "t.yaml:2:65: error: bad next_hop '[::1' in trunk 'a': missing "
	      "']'");
	T_ERR(MIN_CFG "trunks: [{name: \"\", kind: internal, sources: x}]\n",
	      "t.yaml:2:17: error: 'name' must not be empty");
	T_ERR(MIN_CFG "rules: [{name: r, action: reject, code: 700}]\n",
	      "t.yaml:2:41: error: 'code' must be between 400 and 699, got "
	      "'700'");
	T_ERR(MIN_CFG "rules: [{name: r, action: reject, phrase: \"a\\nb\"}]\n",
	      "t.yaml:2:43: error: 'phrase' must not contain control "
	      "characters or line breaks");
	T_ERR(MIN_CFG "rules: [{name: r, action: tag, reason: 'a \"b\"'}]\n",
	      "t.yaml:2:40: error: 'reason' must not contain '\"' or '\\' (it "
	      "is sent in a SIP Reason header)");
	T_ERR(MIN_CFG "rules: [{name: r, action: tag, when: {privacy: 1}}]\n",
	      "t.yaml:2:48: error: 'privacy' must be true or false, got '1'");
	T_ERR(MIN_CFG "rules: [{name: r, action: tag, mode: Monitor}]\n",
	      "t.yaml:2:38: error: unknown mode 'Monitor'; expected one of "
	      "enforce, monitor; did you mean 'monitor'?");
	T_ERR(MIN_CFG "serve: {workers: 1025}\n",
	      "t.yaml:2:18: error: 'workers' must be between 0 and 1024, got "
	      "'1025'");
	T_ERR(MIN_CFG "serve: {max_message: 1023}\n",
	      "t.yaml:2:22: error: 'max_message' must be between 1024 and "
	      "65535, got '1023'");
	T_ERR(MIN_CFG "serve: {max_shrink: -0.1}\n",
	      "t.yaml:2:21: error: 'max_shrink' must be between 0 and 1, got "
	      "'-0.1'");
	T_ERR(MIN_CFG "serve: {max_shrink: 0.5.1}\n",
	      "t.yaml:2:21: error: 'max_shrink' must be a decimal number like "
	      "0.5, got '0.5.1'");
	T_ERR(MIN_CFG "serve: {metrics: \"127.0.0.1:0\"}\n",
	      "t.yaml:2:18: error: bad metrics address '127.0.0.1:0': port "
	      "out of range 1..65535");
	T_ERR(MIN_CFG "serve: {metrics: \"udp:127.0.0.1:9\"}\n",
	      "t.yaml:2:18: error: bad metrics address 'udp:127.0.0.1:9': no "
	      "transport prefix is allowed here");
	T_ERR(MIN_CFG "serve: {tcp: {idle_timeout_ms: 10}}\n",
	      "t.yaml:2:32: error: 'idle_timeout_ms' must be between 1000 and "
	      "86400000, got '10'");
	T_ERR(MIN_CFG "serve: {tcp: {partial_timeout_ms: 600001}}\n",
	      "t.yaml:2:35: error: 'partial_timeout_ms' must be between 100 "
	      "and 600000, got '600001'");
	T_ERR(MIN_CFG "serve: {tcp: [1]}\n",
	      "t.yaml:2:14: error: 'tcp' must be a map of keys and values, "
	      "got a list");
	T_ERR(MIN_CFG "{a: 1}: 2\n",
	      "t.yaml:2:1: error: keys must be plain words, got a map");

	/* And the in-range edges are accepted. */
	T_ERR("dialling: {country_code: \"999\", national_length: 4, "
	      "max_short_length: 2}\nserve: {max_shrink: 1, max_message: "
	      "1024, workers: 1024}\n", "");
	T_ERR("dialling: {country_code: 1, national_length: 14, "
	      "max_short_length: 8}\nserve: {max_shrink: 0.0}\n"
	      "rules: [{name: r, action: reject, code: 400}]\n", "");
}

/* --- paths and files ---------------------------------------------------------------- */

static void test_paths(void)
{
	const char *text = MIN_CFG "tables: {numbering_plan: t/plan.csv, "
				   "roaming: /abs/r.csv}\n";
	sf_cfg_t *cfg = NULL;
	sf_diag_t d;
	char buf[1024];

	sf_diag_init(&d);
	T_EQ_INT(sf_cfg_parse_flags("m.yaml", text, strlen(text), "/x/y",
				    SF_CFG_SKIP_FILE_CHECKS, &cfg, &d), 0);
	if (cfg) {
		T_EQ_STR(cfg->plan_path, "/x/y/t/plan.csv");
		T_EQ_STR(cfg->roaming_path, "/abs/r.csv");
		T_EQ_STR(cfg->substitution_path, "");
		sf_cfg_free(cfg);
	}
	T_EQ_INT(sf_cfg_parse_flags("m.yaml", text, strlen(text), NULL,
				    SF_CFG_SKIP_FILE_CHECKS, &cfg, &d), 0);
	if (cfg) {
		T_EQ_STR(cfg->plan_path, "t/plan.csv");
		sf_cfg_free(cfg);
	}
	/* Without the flag, files must exist. */
	T_EQ_INT(sf_cfg_parse("m.yaml", text, strlen(text), "/x/y", &cfg, &d),
		 SF_EPARSE);
	T_TRUE(cfg == NULL);
	T_EQ_INT(d.n, 2);
	sf_err_format(&d.items[0], buf, sizeof(buf));
	T_EQ_STR(buf, "m.yaml:2:26: error: table file 't/plan.csv' not found: "
		      "No such file or directory");
	sf_err_format(&d.items[1], buf, sizeof(buf));
	T_EQ_STR(buf, "m.yaml:2:47: error: table file '/abs/r.csv' not found: "
		      "No such file or directory");

	/* Real files next to a config given to sf_cfg_parse by directory. */
	text = MIN_CFG "tables: {allow: tables/allow.csv}\n";
	sf_diag_init(&d);
	T_EQ_INT(sf_cfg_parse("m.yaml", text, strlen(text), FIXTURE, &cfg, &d),
		 0);
	if (cfg) {
		T_EQ_STR(cfg->allow_path, FIXTURE "/tables/allow.csv");
		sf_cfg_free(cfg);
	}
}

static void test_load_errors(void)
{
	sf_cfg_t *cfg = (sf_cfg_t *)1;
	sf_diag_t d;
	char buf[1024];

	sf_diag_init(&d);
	T_EQ_INT(sf_cfg_load("tests/golden/config/does-not-exist.yaml", &cfg,
			     &d), SF_EIO);
	T_TRUE(cfg == NULL);
	T_EQ_INT(d.n, 1);
	T_EQ_INT(d.items[0].sys_errno, ENOENT);
	sf_err_format(&d.items[0], buf, sizeof(buf));
	T_EQ_STR(buf, "tests/golden/config/does-not-exist.yaml: error: cannot "
		      "open the config: No such file or directory");

	sf_diag_init(&d);
	T_EQ_INT(sf_cfg_load("config", &cfg, &d), SF_EIO);
	sf_err_format(&d.items[0], buf, sizeof(buf));
	T_EQ_STR(buf, "config: error: the config is not a regular file");
}

/* --- limits --------------------------------------------------------------------------- */

static void test_limits(void)
{
	size_t big = CFG_MAX_FILE + 1, n;
	char *text = malloc(big + 64);
	char buf[1024];
	sf_cfg_t *cfg = NULL;
	sf_diag_t d;

	if (!text)
		return;
	/* Too large. */
	memset(text, '#', big);
	text[big] = '\0';
	sf_diag_init(&d);
	T_EQ_INT(sf_cfg_parse("t.yaml", text, big, NULL, &cfg, &d), SF_EPARSE);
	sf_err_format(&d.items[0], buf, sizeof(buf));
	T_EQ_STR(buf, "t.yaml: error: file is larger than 1048576 bytes; is "
		      "this really the config?");

	/* Too many nodes: a flow list of 150000 items, under 1 MiB. */
	n = (size_t)snprintf(text, big, "emergency: [");
	for (size_t i = 0; i < 150000; i++) {
		text[n++] = '1';
		text[n++] = ',';
	}
	text[n++] = ']';
	text[n] = '\0';
	T_ERR(text, "t.yaml:1:200007: error: too many values (over 100000); "
		    "a config this large is not supported");

	/* A value longer than 4096 bytes. */
	n = (size_t)snprintf(text, big, MIN_CFG "tag: {header: ");
	memset(text + n, 'x', 5000);
	n += 5000;
	snprintf(text + n, big - n, "}\n");
	T_ERR(text, "t.yaml:2:15: error: value longer than 4096 bytes");

	/* Depth. */
	n = (size_t)snprintf(text, big, "a: ");
	for (int i = 0; i < 40; i++)
		text[n++] = '[';
	text[n] = '\0';
	T_ERR(text, "t.yaml:1:19: error: lists and maps nested deeper than 16 "
		    "levels");

	/* Too many trunks: the 65th is reported. */
	n = (size_t)snprintf(text, big, MIN_CFG "trunks:\n");
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(text + n, big - n,
				      "  - {name: t%d, kind: internal, "
				      "sources: 10.0.0.%d}\n", i, i);
	T_ERR(text, "t.yaml:67:5: error: too many trunks (70); at most 64 are "
		    "supported");
	free(text);
}

/* Embedded NUL bytes in the input and in values cannot shorten checks. */
static void test_nul(void)
{
	static const char in[] = "dialling: {country_code: \"7\", "
				 "national_length: 10}\0garbage";
	static const char esc[] = MIN_CFG "tables: {allow: \"a\\0b\"}\n";
	char buf[1024];
	sf_cfg_t *cfg = NULL;
	sf_diag_t d;

	sf_diag_init(&d);
	T_EQ_INT(sf_cfg_parse("t.yaml", in, sizeof(in) - 1, NULL, &cfg, &d),
		 SF_EPARSE);
	sf_err_format(&d.items[0], buf, sizeof(buf));
	T_EQ_STR(buf, "t.yaml:1:51: error: control character U+0000 is not "
		      "allowed in YAML; remove it");
	T_ERR(esc, "t.yaml:2:17: error: value contains a NUL character "
		   "(\\0); remove it");
}

/* A refused byte at every position of a line, so on both sides of the
 * eight-byte printable-ASCII steps of the byte check: always the right
 * line and column. */
static void test_bad_byte_positions(void)
{
	static const unsigned char bad[] = {0x01, 0x08, 0x0b, 0x1f, 0x7f,
					    0x80, 0xc0, 0xff};
	char text[128], want[64], buf[1024];

	for (size_t b = 0; b < sizeof(bad); b++) {
		for (int k = 0; k < 20; k++) {
			int n = snprintf(text, sizeof(text),
					 "# comment\n# %s\n", "abcdefghijklm"
					 "nopqrstuvwxyz");

			text[10 + k] = (char)bad[b];
			snprintf(want, sizeof(want), "t.yaml:2:%d: error: ",
				 k + 1);
			T_TRUE(n > 30);
			first_error(text, buf, sizeof(buf));
			if (strncmp(buf, want, strlen(want)))
				T_FAIL_AT("byte 0x%02x at column %d: %s",
					  bad[b], k + 1, buf);
		}
	}
}

/* --- helpers of the loader ------------------------------------------------------------ */

static void test_suggest(void)
{
	static const char *const keys[] = {"numbering_plan", "roaming",
					   "substitution", "allow"};
	static const char *const acts[] = {"allow", "tag", "reject",
					   "withhold"};

	T_EQ_INT(cfg_edit_distance("roamng", 6, "roaming", 7), 1);
	T_EQ_INT(cfg_edit_distance("pia", 3, "pai", 3), 1);
	T_EQ_INT(cfg_edit_distance("", 0, "abc", 3), 3);
	T_EQ_INT(cfg_edit_distance("kitten", 6, "sitting", 7), 3);
	T_EQ_STR(cfg_suggest("roamng", 6, keys, 4), "roaming");
	T_EQ_STR(cfg_suggest("alow", 4, keys, 4), "allow");
	T_TRUE(cfg_suggest("zzz", 3, keys, 4) == NULL);
	T_EQ_STR(cfg_suggest("rejct", 5, acts, 4), "reject");
	T_EQ_STR(cfg_suggest("tga", 3, acts, 4), "tag");
	T_TRUE(cfg_suggest("tx", 2, acts, 4) == NULL);
	T_TRUE(cfg_suggest("block", 5, acts, 4) == NULL);
}

/* What cfg_join wrote with snprintf, per candidate. */
static void join_ref(char *buf, size_t size, const char *const *cands,
		     size_t n)
{
	size_t off = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w;

		if (!cands[i])
			continue;
		w = snprintf(buf + off, size - off, "%s%s", off ? ", " : "",
			     cands[i]);
		if (w < 0 || (size_t)w >= size - off)
			return;
		off += (size_t)w;
	}
}

/* cfg_join writes exactly what the snprintf version did, cut lists
 * included, for every buffer size from 1 to past the whole list. */
static void test_join(void)
{
	static const char *const lists[][5] = {
		{"allow", "tag", "reject", "withhold", NULL},
		{NULL, "a", NULL, "", "bc"},
		{"", "", "x", NULL, NULL},
	};
	char got[64], want[64];

	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		for (size_t size = 1; size <= sizeof(got); size++) {
			memset(got, '#', sizeof(got));
			memset(want, '#', sizeof(want));
			cfg_join(got, size, lists[l], 5);
			join_ref(want, size, lists[l], 5);
			if (memcmp(got, want, sizeof(got)))
				T_FAIL_AT("list %zu, size %zu: '%s' != '%s'", l,
					  size, got, want);
		}
	}
	got[0] = '#';
	cfg_join(got, 0, lists[0], 5); /* size 0: nothing written */
	T_EQ_INT(got[0], '#');
}

/* cfg_suggest stops a comparison once it is past the limit: it picks
 * what the full distance picks, on random words over a 3-letter alphabet
 * (so that swaps, near misses and ties are common). */
static void test_suggest_cutoff(void)
{
	static char words[9][12];
	const char *cands[8];
	uint32_t x = 12345;

	for (int round = 0; round < 3000; round++) {
		const char *want = NULL;
		unsigned best = 1000;

		for (int w = 0; w < 9; w++) {
			int len;

			x = x * 1103515245u + 12345u;
			len = (int)((x >> 16) % 8);
			for (int k = 0; k < len; k++) {
				x = x * 1103515245u + 12345u;
				words[w][k] = "abc"[(x >> 16) % 3];
			}
			words[w][len] = '\0';
		}
		for (int c = 0; c < 8; c++)
			cands[c] = words[c + 1];
		for (int c = 0; c < 8; c++) {
			size_t wl = strlen(words[0]), cl = strlen(cands[c]);
			unsigned d = cfg_edit_distance(words[0], wl, cands[c],
						       cl);

			if (d <= (cl <= 3 ? 1u : 2u) && d < best) {
				best = d;
				want = cands[c];
			}
		}
		if (cfg_suggest(words[0], strlen(words[0]), cands, 8) != want)
			T_FAIL_AT("'%s': got another suggestion than '%s'",
				  words[0], want ? want : "(none)");
	}
}

static void test_hostport(void)
{
	sf_hostport_t hp;
	char why[128];

	T_EQ_INT(cfg_hostport_parse("[::1]:5070", 10, CFG_HP_TRANSPORT, &hp,
				    why, sizeof(why)), 0);
	T_EQ_STR(hp.host, "::1");
	T_EQ_INT(hp.port, 5070);
	T_EQ_INT(hp.transport, SF_TP_UDP);
	T_EQ_INT(cfg_hostport_parse("tcp:192.0.2.1", 13, CFG_HP_TRANSPORT,
				    &hp, why, sizeof(why)), 0);
	T_EQ_INT(hp.transport, SF_TP_TCP);
	T_EQ_INT(hp.port, 5060);
	T_EQ_INT(cfg_hostport_parse("localhost:65535", 15, CFG_HP_TRANSPORT,
				    &hp, why, sizeof(why)), 0);
	T_EQ_STR(hp.host, "localhost");
	T_EQ_INT(hp.port, 65535);
	T_EQ_INT(cfg_hostport_parse("localhost:65536", 15, CFG_HP_TRANSPORT,
				    &hp, why, sizeof(why)), -1);
	T_EQ_STR(why, "port out of range 1..65535");
	T_EQ_INT(cfg_hostport_parse("1.2.3.4:5", 9, CFG_HP_NEED_PORT, &hp,
				    why, sizeof(why)), 0);
	T_EQ_INT(cfg_hostport_parse("1.2.3.4", 7, CFG_HP_NEED_PORT, &hp, why,
				    sizeof(why)), -1);
	T_EQ_STR(why, "missing ':PORT'");
	T_EQ_INT(cfg_hostport_parse("[1.2.3.4]:5", 11, 0, &hp, why,
				    sizeof(why)), -1);
	T_EQ_STR(why, "bad IPv6 address in brackets");
	T_EQ_INT(cfg_hostport_parse("a-.b:5", 6, 0, &hp, why, sizeof(why)),
		 -1);
	/* Length-based: the NUL and what follows are part of the input. */
	T_EQ_INT(cfg_hostport_parse("1.2.3.4\0:5", 10, 0, &hp, why,
				    sizeof(why)), -1);
}

static void test_names(void)
{
	for (int i = 0; i < SF_CLASS_COUNT; i++) {
		const char *n = sf_class_name((sf_class_t)i);

		T_EQ_INT(sf_class_parse(n, strlen(n)), i);
		T_TRUE(strstr(sf_class_all_names(), n) != NULL);
	}
	T_EQ_STR(sf_class_name(SF_CLASS_HOME_MOBILE), "home-mobile");
	T_TRUE(strncmp(sf_class_all_names(), "unlisted, home-mobile, ", 23) == 0);
	T_EQ_STR(sf_trunk_kind_name(SF_TRUNK_ROAMING_PARTNER),
		 "roaming-partner");
	T_EQ_STR(sf_action_name(SF_ACT_WITHHOLD), "withhold");
	T_EQ_STR(sf_mode_name(SF_MODE_MONITOR), "monitor");
	T_EQ_STR(sf_cond_name(SF_COND_CLI_EQUALS_CALLED), "cli_equals_called");
	T_EQ_STR(sf_cond_name(SF_COND_TRUSTED_TRUNK), "trusted_trunk");
	T_EQ_STR(sf_identity_state_name(SF_IDENT_ANONYMOUS), "anonymous");
	T_EQ_STR(sf_id_source_name(SF_ID_RPID), "rpid");
	T_EQ_STR(sf_action_name((sf_action_t)99), "?");
	for (int i = 0; i < SF_COND_COUNT; i++)
		T_TRUE(strcmp(sf_cond_name((sf_cond_kind_t)i), "?") != 0);
	T_EQ_STR(sf_status_phrase(603), "Decline");
	T_EQ_STR(sf_status_phrase(403), "Forbidden");
	T_EQ_STR(sf_status_phrase(607), "Unwanted");
	sf_cfg_free(NULL);
}

/* Errors from different sections come out sorted by position. */
static void test_diag_order(void)
{
	const char *text = "rules: [{name: r, action: nope}]\n"
			   "dialling: {country_code: x, national_length: 10}\n"
			   "trunks: [{name: a, kind: b, sources: c}]\n";
	sf_cfg_t *cfg = NULL;
	sf_diag_t d;

	sf_diag_init(&d);
	T_EQ_INT(sf_cfg_parse("t.yaml", text, strlen(text), NULL, &cfg, &d),
		 SF_EPARSE);
	T_EQ_INT(d.n, 4);
	for (size_t i = 1; i < d.n; i++)
		T_TRUE(d.items[i - 1].line < d.items[i].line ||
		       (d.items[i - 1].line == d.items[i].line &&
			d.items[i - 1].col <= d.items[i].col));
}

/* --- golden error files ------------------------------------------------------------------ */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* Prints the differing lines as "-expected" / "+actual". */
static void show_diff(const char *name, const char *want, const char *got)
{
	fprintf(stderr, "  golden %s differs (- expected, + actual):\n", name);
	while (*want || *got) {
		const char *we = strchr(want, '\n'), *ge = strchr(got, '\n');
		size_t wl = we ? (size_t)(we - want) : strlen(want);
		size_t gl = ge ? (size_t)(ge - got) : strlen(got);

		if (wl == gl && memcmp(want, got, wl) == 0) {
			fprintf(stderr, "    %.*s\n", (int)wl, want);
		} else {
			if (*want)
				fprintf(stderr, "   -%.*s\n", (int)wl, want);
			if (*got)
				fprintf(stderr, "   +%.*s\n", (int)gl, got);
		}
		want += wl + (we ? 1 : 0);
		got += gl + (ge ? 1 : 0);
	}
}

static int yaml_only(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 5 && strcmp(e->d_name + n - 5, ".yaml") == 0;
}

static void test_golden(void)
{
	const char *dir = "tests/golden/config";
	const char *update = getenv("SF_UPDATE_GOLDEN");
	struct dirent **list = NULL;
	int n = scandir(dir, &list, yaml_only, alphasort);

	if (n < 20)
		T_FAIL_AT("expected at least 20 golden configs in %s, found %d",
			  dir, n);
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX], exp_path[PATH_MAX];
		char *out = NULL, *want;
		size_t out_len = 0, want_len = 0;
		sf_cfg_t *cfg = NULL;
		sf_diag_t d;
		FILE *mem;
		int rc;

		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		snprintf(exp_path, sizeof(exp_path), "%.*s.expected",
			 (int)(strlen(path) - 5), path);
		sf_diag_init(&d);
		rc = sf_cfg_load(path, &cfg, &d);
		if (rc == 0 || cfg) {
			T_FAIL_AT("golden %s loaded without error", path);
			sf_cfg_free(cfg);
		}
		mem = open_memstream(&out, &out_len);
		if (!mem)
			continue;
		sf_diag_print(&d, mem);
		fclose(mem);
		if (update && !strcmp(update, "1")) {
			FILE *f = fopen(exp_path, "w");

			if (!f || fwrite(out, 1, out_len, f) != out_len)
				T_FAIL_AT("cannot write %s", exp_path);
			if (f)
				fclose(f);
		}
		want = slurp(exp_path, &want_len);
		if (!want) {
			T_FAIL_AT("missing %s (run with SF_UPDATE_GOLDEN=1 to "
				  "create it)", exp_path);
		} else if (want_len != out_len || memcmp(want, out, out_len)) {
			T_FAIL_AT("output of %s does not match %s", path,
				  exp_path);
			show_diff(path, want, out);
		}
		free(want);
		free(out);
		free(list[i]);
	}
	free(list);
}

int main(void)
{
	if (chdir(t_root()) != 0) {
		perror("chdir $SF_ROOT");
		return 1;
	}
	T_RUN(test_example);
	T_RUN(test_defaults);
	T_RUN(test_values);
	T_RUN(test_trunks_and_conds);
	T_RUN(test_field_checks);
	T_RUN(test_paths);
	T_RUN(test_load_errors);
	T_RUN(test_limits);
	T_RUN(test_nul);
	T_RUN(test_bad_byte_positions);
	T_RUN(test_suggest_cutoff);
	T_RUN(test_join);
	T_RUN(test_suggest);
	T_RUN(test_hostport);
	T_RUN(test_names);
	T_RUN(test_diag_order);
	T_RUN(test_golden);
	return T_DONE();
}
