/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_engine.c - the verdict engine against the bundled example config and
 * tables: one test per rule class and per exception (roaming subscriber,
 * allow list, emergency, MSRN, monitor mode), plus raw INVITEs through
 * scan + extract + judge for the header-driven rules (withhold on foreign
 * diversion, From/PAI mismatch, missing identity, malformed input).
 */
#include "t.h"

#include <stdio.h>

#include "sipfilter/sf_engine.h"
#include "sipfilter/sf_load.h"

static sf_cfg_t *cfg;
static sf_tables_t *tables;

static int trunk(const char *name)
{
	int t = sf_cfg_trunk_find(cfg, name);

	if (t < 0)
		fprintf(stderr, "no trunk %s\n", name);
	return t;
}

/* Judges a number-level call and checks rule name and actions. */
static void expect(const char *presented, const char *called,
		   const char *trunk_name, const char *rule,
		   sf_action_t action, sf_action_t applied, int line)
{
	sf_call_t call;
	sf_verdict_t v;

	sf_call_from_numbers(cfg, presented, called, &call);
	sf_engine_judge(cfg, tables, &call, trunk(trunk_name), &v);
	if (strcmp(v.rule_name, rule) != 0 || v.action != action ||
	    v.applied != applied)
		T_FAIL_AT("line %d: %s -> %s on %s: got rule '%s' %s/%s, "
			  "want '%s' %s/%s",
			  line, presented, called ? called : "-", trunk_name,
			  v.rule_name, sf_action_name(v.action),
			  sf_action_name(v.applied), rule, sf_action_name(action),
			  sf_action_name(applied));
}

#define A SF_ACT_ALLOW
#define R SF_ACT_REJECT
#define TG SF_ACT_TAG
#define W SF_ACT_WITHHOLD
#define EXPECT(p, c, t, rule, act, app) expect(p, c, t, rule, act, app, __LINE__)

static void test_rule_classes(void)
{
	const char *B = "+77021234567";

	EXPECT("+77011234500", B, "ipx-carrier-a", "home-mobile-not-roaming", R, R);
	EXPECT("87011234500", B, "ipx-carrier-a", "home-mobile-not-roaming", R, R);
	EXPECT("+77172123456", B, "ipx-carrier-a", "home-fixed-from-abroad", R, R);
	EXPECT("+77272500000", B, "ipx-carrier-a", "known-substitution", R, R);
	EXPECT("+77272591234", B, "ipx-carrier-a", "known-substitution", R, R);
	EXPECT("102", B, "ipx-carrier-a", "known-substitution", R, R);
	EXPECT("1414", B, "ipx-carrier-a", "home-service-from-abroad", R, R);
	EXPECT("+7701123456", B, "ipx-carrier-a", "cli-wrong-length", R, R);
	EXPECT("+77991234567", B, "ipx-carrier-a", "cli-unallocated", R, R);
	EXPECT("abc", B, "ipx-carrier-a", "cli-unparseable", R, R);
	EXPECT("+4915112345678", "+4915112345678", "ipx-carrier-a",
	       "cli-equals-called", R, R);
}

static void test_exceptions(void)
{
	const char *B = "+77021234567";

	/* A roaming subscriber calling home passes. */
	EXPECT("+77011234567", B, "ipx-carrier-a", "", A, A);
	/* Allow list: per trunk, and '*' prefixes on every trunk. */
	EXPECT("+77013330000", B, "ipx-carrier-b", "allow-listed", A, A);
	EXPECT("+77013330000", B, "ipx-carrier-a", "home-mobile-not-roaming", R, R);
	EXPECT("+77019990001", B, "ipx-carrier-a", "allow-listed", A, A);
	/* Emergency calls are never blocked, whatever the rules say. */
	EXPECT("+77011234500", "112", "ipx-carrier-a", "emergency", A, A);
	EXPECT("abc", "102", "ipx-carrier-a", "emergency", A, A);
	/* Calls to our own MSRN range are exempt. */
	EXPECT("+77011234500", "+77091234567", "ipx-carrier-a", "own-msrn-exempt", A, A);
	/* Monitor mode: would tag, call allowed. */
	EXPECT("+77051234567", B, "ipx-carrier-a", "other-kz-mobile-from-abroad", TG, A);
	/* Domestic trunk: home numbers are fine. */
	EXPECT("+77011234500", B, "kz-interconnect", "", A, A);
	EXPECT("+77172123456", B, "kz-interconnect", "", A, A);
	/* Foreign numbers from abroad are fine, Russia's +7 too. */
	EXPECT("+4915112345678", B, "ipx-carrier-a", "", A, A);
	EXPECT("+79161234567", B, "ipx-carrier-a", "", A, A);
	EXPECT("0079161234567", B, "ipx-carrier-a", "", A, A);
}

static void test_degraded_without_tables(void)
{
	sf_call_t call;
	sf_verdict_t v;

	sf_call_from_numbers(cfg, "+77011234500", "+77021234567", &call);
	sf_engine_judge(cfg, NULL, &call, trunk("ipx-carrier-a"), &v);
	T_EQ_STR(v.rule_name, "unverified");
	T_EQ_INT(v.applied, SF_ACT_TAG);
	sf_call_from_numbers(cfg, "+77011234500", "112", &call);
	sf_engine_judge(cfg, NULL, &call, trunk("ipx-carrier-a"), &v);
	T_EQ_STR(v.rule_name, "emergency");
}

static void test_facts(void)
{
	sf_call_t call;
	sf_verdict_t v;

	sf_call_from_numbers(cfg, "8 (701) 123-45-67", "+77021234567", &call);
	sf_engine_judge(cfg, tables, &call, trunk("ipx-carrier-a"), &v);
	T_EQ_STR(v.facts.number.d, "77011234567");
	T_EQ_INT(v.facts.cls, SF_CLASS_HOME_MOBILE);
	T_TRUE(v.facts.roaming);
	T_EQ_STR(v.facts.visited, "TR");
	T_TRUE(v.facts.length_valid);
	T_EQ_STR(v.facts.operator_name, "Example Mobile (our network)");
	T_EQ_INT(v.facts.trunk_kind, SF_TRUNK_INTERNATIONAL);
	T_EQ_INT(v.facts.called_cls, SF_CLASS_HOME_MOBILE);
}

static const char *invite_fmt =
	"INVITE sip:%s@ims.example.kz SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-1\r\n"
	"Max-Forwards: 70\r\n"
	"From: <sip:%s@carrier.example>;tag=1\r\n"
	"To: <sip:%s@ims.example.kz>\r\n"
	"Call-ID: c1@test\r\n"
	"CSeq: 1 INVITE\r\n"
	"%s"
	"Content-Length: 0\r\n"
	"\r\n";

static void raw(const char *ruri_user, const char *from_user,
		const char *extra, const char *trunk_name, const char *rule,
		sf_action_t action, int line)
{
	char buf[2048];
	sf_sipmsg_t msg;
	sf_call_t call;
	sf_verdict_t v;
	int n = snprintf(buf, sizeof(buf), invite_fmt, ruri_user, from_user,
			 ruri_user, extra);

	sf_engine_judge_raw(cfg, tables, buf, (size_t)n, NULL,
			    trunk(trunk_name), &msg, &call, &v);
	if (strcmp(v.rule_name, rule) != 0 || v.action != action)
		T_FAIL_AT("line %d: got rule '%s' %s (%s), want '%s' %s", line,
			  v.rule_name, sf_action_name(v.action), v.reason,
			  rule, sf_action_name(action));
}

#define RAW(ru, fu, extra, t, rule, act) raw(ru, fu, extra, t, rule, act, __LINE__)

static void test_raw_invites(void)
{
	/* PAI decides over From. */
	RAW("+77021234567", "+4915112345678",
	    "P-Asserted-Identity: <sip:+77011234500@carrier.example>\r\n",
	    "ipx-carrier-a", "home-mobile-not-roaming", R);
	/* Home mobile CLI forwarded by a foreign number: withhold. */
	RAW("+77021234567", "+77011234500",
	    "Diversion: <sip:+4915112345678@carrier.example>;reason=unconditional\r\n",
	    "ipx-carrier-a", "forwarded-from-abroad", W);
	RAW("+77021234567", "+77011234500",
	    "History-Info: <sip:+4915112345678@carrier.example>;index=1\r\n"
	    "History-Info: <sip:+77021234567@ims.example.kz>;index=1.1\r\n",
	    "ipx-carrier-a", "forwarded-from-abroad", W);
	/* From/PAI mismatch on a trusted trunk: tag. */
	RAW("+77021234567", "+77011234500",
	    "P-Asserted-Identity: <sip:+77751112233@kz.example>\r\n",
	    "kz-interconnect", "identity-mismatch", TG);
	/* No caller identity from abroad: tag. */
	RAW("+77021234567", "anonymous", "Privacy: id\r\n", "ipx-carrier-a",
	    "anonymous-from-abroad", TG);
	/* Emergency by short code in the Request-URI. */
	RAW("112", "+77011234500", "", "ipx-carrier-a", "emergency", A);
	RAW("103", "+77011234500", "", "ipx-carrier-a", "emergency", A);
}

/* urn:service:sos (RFC 5031) is an emergency call whatever the number. */
static void test_raw_emergency_urn(void)
{
	static const char inv[] =
		"INVITE urn:service:sos.police SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.2;branch=z9hG4bK-u\r\n"
		"From: <sip:+77011234500@x>;tag=1\r\n"
		"To: <urn:service:sos.police>\r\nCall-ID: u\r\n"
		"CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
	sf_sipmsg_t msg;
	sf_call_t call;
	sf_verdict_t v;

	sf_engine_judge_raw(cfg, tables, inv, sizeof(inv) - 1, NULL, 0, &msg,
			    &call, &v);
	T_EQ_STR(v.rule_name, "emergency");
	T_EQ_INT(v.applied, SF_ACT_ALLOW);
}

static void test_raw_malformed(void)
{
	static const char dup[] =
		"INVITE sip:+77021234567@x SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.2;branch=z9hG4bK-2\r\n"
		"From: <sip:+4915112345678@x>;tag=1\r\n"
		"From: <sip:+77011234500@x>;tag=2\r\n"
		"To: <sip:+77021234567@x>\r\nCall-ID: d\r\nCSeq: 1 INVITE\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char opts[] =
		"OPTIONS sip:x SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.2;branch=z9hG4bK-3\r\n"
		"From: <sip:a@x>;tag=1\r\nTo: <sip:x>\r\nCall-ID: o\r\n"
		"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
	sf_sipmsg_t msg;
	sf_call_t call;
	sf_verdict_t v;

	sf_engine_judge_raw(cfg, tables, dup, sizeof(dup) - 1, NULL, 0, &msg,
			    &call, &v);
	T_TRUE(v.malformed);
	T_EQ_STR(v.rule_name, "malformed");
	T_EQ_INT(v.sip_error, SF_SIP_E_DUPLICATE);
	sf_engine_judge_raw(cfg, tables, opts, sizeof(opts) - 1, NULL, 0,
			    &msg, &call, &v);
	T_TRUE(v.malformed);
	T_EQ_STR(v.rule_name, "not-invite");
	sf_engine_judge_raw(cfg, tables, "", 0, NULL, 0, &msg, &call, &v);
	T_TRUE(v.malformed);
}

int main(void)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/config/sipfilter.yaml", t_root());
	if (sf_load_all(path, &cfg, &tables) < 0) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	sf_identity_global_init();
	T_RUN(test_rule_classes);
	T_RUN(test_exceptions);
	T_RUN(test_degraded_without_tables);
	T_RUN(test_facts);
	T_RUN(test_raw_invites);
	T_RUN(test_raw_emergency_urn);
	T_RUN(test_raw_malformed);
	sf_tables_free(tables);
	sf_cfg_free(cfg);
	return T_DONE();
}
