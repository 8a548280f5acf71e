/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_engine.c - the verdict engine against the bundled example config and
 * tables as frozen in tests/fixtures/engine: one test per rule class and per
 * exception (roaming subscriber, allow list, emergency, MSRN, monitor mode),
 * plus raw INVITEs through scan + extract + judge for the header-driven rules
 * (withhold on foreign diversion, From/PAI mismatch, missing identity,
 * malformed input).
 */
#include "t.h"

#include <stdio.h>

#include "sipfilter/engine/sf_engine.h"
#include "sipfilter/lib/sf_load.h"

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
	/* never a number that merely starts with an entry ("+7112" is
	 * too short to be a number at all: not normalised, no exemption) */
	EXPECT("+77011234567", "+71120", "ipx-carrier-a", "", A, A);
	EXPECT("+77011234567", "+711", "ipx-carrier-a", "", A, A);
	EXPECT("+77011234567", "1120", "ipx-carrier-a", "", A, A);
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

/* A long never-block entry matches as our country code + the entry and
 * as the entry written as E.164, and nothing else. */
static void test_emergency_long_entries(void)
{
	size_t saved = cfg->n_emergency;

	if (saved + 2 > SF_CFG_MAX_EMERGENCY)
		return;
	snprintf(cfg->emergency[saved], sizeof(cfg->emergency[0]),
		 "7019990000");
	snprintf(cfg->emergency[saved + 1], sizeof(cfg->emergency[0]),
		 "77019990001");
	cfg->n_emergency = saved + 2;
	EXPECT("+77011234500", "+77019990000", "ipx-carrier-a", "emergency",
	       SF_ACT_ALLOW, SF_ACT_ALLOW);
	EXPECT("+77011234500", "+77019990001", "ipx-carrier-a", "emergency",
	       SF_ACT_ALLOW, SF_ACT_ALLOW);
	EXPECT("+77011234500", "+77019990002", "ipx-carrier-a",
	       "home-mobile-not-roaming", SF_ACT_REJECT, SF_ACT_REJECT);
	EXPECT("+77011234500", "+770199900000", "ipx-carrier-a",
	       "home-mobile-not-roaming", SF_ACT_REJECT, SF_ACT_REJECT);
	cfg->n_emergency = saved;
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

/* Judges a raw INVITE; returns the verdict's deciding identity kind. */
static const char *decided(const char *ruri, const char *from,
			   const char *extra, const char *trunk_name,
			   const char *rule, int line)
{
	static sf_verdict_t v;
	char buf[2048];
	sf_sipmsg_t msg;
	sf_call_t call;
	int n = snprintf(buf, sizeof(buf), invite_fmt, ruri, from, ruri,
			 extra);

	sf_engine_judge_raw(cfg, tables, buf, (size_t)n, NULL,
			    trunk(trunk_name), &msg, &call, &v);
	if (strcmp(v.rule_name, rule) != 0)
		T_FAIL_AT("line %d: got rule '%s', want '%s'", line,
			  v.rule_name, rule);
	return sf_idkind_name(v.facts.decided_by);
}

#define DECIDED(ru, fu, extra, t, rule, by)                                 \
	T_EQ_STR(decided(ru, fu, extra, t, rule, __LINE__), by)

#define HOME "+77015550000"      /* home mobile, not roaming */
#define UK "+442079460958"        /* foreign */
#define KZ_B "+77021234567"

/* Issue: every presented identity is judged, a spoof hides behind no
 * header, in either order. */
static void test_identities(void)
{
	/* foreign PAI, home From: the From decides */
	DECIDED(KZ_B, HOME, "P-Asserted-Identity: <sip:" UK "@c>\r\n",
		"ipx-carrier-a", "home-mobile-not-roaming", "from");
	/* home PAI, foreign From: the PAI decides */
	DECIDED(KZ_B, UK, "P-Asserted-Identity: <sip:" HOME "@c>\r\n",
		"ipx-carrier-a", "home-mobile-not-roaming", "pai");
	/* PPI-only / RPID-only home number behind a foreign From */
	DECIDED(KZ_B, UK, "P-Preferred-Identity: <sip:" HOME "@c>\r\n",
		"ipx-carrier-a", "home-mobile-not-roaming", "ppi");
	DECIDED(KZ_B, UK, "Remote-Party-ID: <sip:" HOME "@c>;party=calling\r\n",
		"ipx-carrier-a", "home-mobile-not-roaming", "rpid");
	/* two PAI values: the home one hides in second place */
	DECIDED(KZ_B, UK,
		"P-Asserted-Identity: <sip:" UK "@c>, <tel:" HOME ">\r\n",
		"ipx-carrier-a", "home-mobile-not-roaming", "pai2");
	/* sip and tel PAI agreeing: no conflict */
	DECIDED(KZ_B, UK,
		"P-Asserted-Identity: <sip:" UK "@c>, <tel:" UK ">\r\n",
		"ipx-carrier-a", "", "pai");
	/* sip and tel PAI disagreeing, both foreign: identity_conflict */
	DECIDED(KZ_B, UK,
		"P-Asserted-Identity: <sip:" UK "@c>, <tel:+4915112345678>\r\n",
		"ipx-carrier-a", "identity-conflict", "pai");
	/* everything agrees and is fine: the primary identity is reported */
	DECIDED(KZ_B, UK, "", "ipx-carrier-a", "", "from");
	/* a roaming subscriber calling home in every header passes */
	DECIDED(KZ_B, "+77011234567",
		"P-Asserted-Identity: <tel:+77011234567>\r\n",
		"ipx-carrier-a", "", "pai");
	/* allow-listed in one header only: not enough (identities: all);
	 * the allow-listed test number is itself a home mobile */
	DECIDED(KZ_B, HOME, "P-Asserted-Identity: <sip:+77019990001@c>\r\n",
		"ipx-carrier-a", "home-mobile-not-roaming", "pai");
	DECIDED(KZ_B, UK, "P-Asserted-Identity: <sip:+77019990001@c>\r\n",
		"ipx-carrier-a", "home-mobile-not-roaming", "pai");
	DECIDED(KZ_B, "+77019990001",
		"P-Asserted-Identity: <sip:+77019990001@c>\r\n",
		"ipx-carrier-a", "allow-listed", "pai");
	/* anonymous From with a network number is not an anonymous call */
	DECIDED(KZ_B, "anonymous",
		"P-Asserted-Identity: <sip:" UK "@c>\r\nPrivacy: id\r\n",
		"ipx-carrier-a", "", "pai");
	/* one unparseable header beside a number is not "unparseable" */
	DECIDED(KZ_B, "alice", "P-Asserted-Identity: <sip:" UK "@c>\r\n",
		"ipx-carrier-a", "", "pai");
}

static void display_case(const char *from_hdr, const char *rule,
			 const char *by, int line)
{
	static sf_verdict_t v;
	char buf[2048];
	sf_sipmsg_t msg;
	sf_call_t call;
	int n = snprintf(buf, sizeof(buf),
			 "INVITE sip:%s@ims.example.kz SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.2;branch=z9hG4bK-d\r\n"
			 "%s\r\nTo: <sip:%s@ims.example.kz>\r\n"
			 "Call-ID: d@test\r\nCSeq: 1 INVITE\r\n"
			 "Content-Length: 0\r\n\r\n",
			 KZ_B, from_hdr, KZ_B);

	sf_engine_judge_raw(cfg, tables, buf, (size_t)n, NULL,
			    trunk("ipx-carrier-a"), &msg, &call, &v);
	if (strcmp(v.rule_name, rule) ||
	    strcmp(sf_idkind_name(v.facts.decided_by), by))
		T_FAIL_AT("line %d: %s: got '%s' by %s, want '%s' by %s", line,
			  from_hdr, v.rule_name,
			  sf_idkind_name(v.facts.decided_by), rule, by);
}

/* The number the callee's handset shows from the display name. */
static void test_display_identity(void)
{
	display_case("From: \"+7 701 555 00 00\" <sip:" UK "@c>;tag=1",
		     "home-mobile-not-roaming", "from-display", __LINE__);
	display_case("From: \"Bank 8 (727) 250-00-00\" <sip:" UK "@c>;tag=1",
		     "known-substitution", "from-display", __LINE__);
	display_case("From: \"102\" <sip:" UK "@c>;tag=1",
		     "known-substitution", "from-display", __LINE__);
	display_case("From: \"London office\" <sip:" UK "@c>;tag=1", "",
		     "from", __LINE__);
}

/* Exemptions are decided by the Request-URI, never by To. */
static void test_exemptions_ruri_only(void)
{
	char buf[2048];
	sf_sipmsg_t msg;
	sf_call_t call;
	sf_verdict_t v;
	static const char *const shapes[] = {
		/* R-URI with a domain phone-context, To: 112 */
		"INVITE sip:+77017654321;phone-context=@host@ims.example.kz "
		"SIP/2.0\r\n",
		/* R-URI without a user, To: 112 */
		"INVITE sip:ims.example.kz SIP/2.0\r\n",
	};

	for (size_t i = 0; i < 2; i++) {
		int n = snprintf(buf, sizeof(buf),
				 "%sVia: SIP/2.0/UDP 127.0.0.2;branch=z9hG4bK-e\r\n"
				 "From: <sip:" HOME "@c>;tag=1\r\n"
				 "To: <sip:112@ims.example.kz>\r\n"
				 "Call-ID: e@test\r\nCSeq: 1 INVITE\r\n"
				 "Content-Length: 0\r\n\r\n",
				 shapes[i]);

		sf_engine_judge_raw(cfg, tables, buf, (size_t)n, NULL,
				    trunk("ipx-carrier-a"), &msg, &call, &v);
		T_EQ_STR(v.rule_name, "home-mobile-not-roaming");
		T_TRUE(!v.facts.emergency);
	}
	/* an MSRN in To does not exempt either */
	{
		int n = snprintf(buf, sizeof(buf),
				 "INVITE sip:" KZ_B "@ims.example.kz SIP/2.0\r\n"
				 "Via: SIP/2.0/UDP 127.0.0.2;branch=z9hG4bK-m\r\n"
				 "From: <sip:" HOME "@c>;tag=1\r\n"
				 "To: <sip:+77091234567@ims.example.kz>\r\n"
				 "Call-ID: m@test\r\nCSeq: 1 INVITE\r\n"
				 "Content-Length: 0\r\n\r\n");

		sf_engine_judge_raw(cfg, tables, buf, (size_t)n, NULL,
				    trunk("ipx-carrier-a"), &msg, &call, &v);
		T_EQ_STR(v.rule_name, "home-mobile-not-roaming");
	}
	/* ...while in the Request-URI it does, and 112 there too */
	RAW("+77091234567", HOME, "", "ipx-carrier-a", "own-msrn-exempt", A);
	RAW("112", HOME, "", "ipx-carrier-a", "emergency", A);
}

/* Rules choose the identity: network, presentation, display, all, first. */
static void test_scopes(void)
{
	static const char text[] =
		"dialling: {country_code: \"7\", national_prefix: \"8\", "
		"international_prefixes: [\"810\", \"00\"], "
		"national_length: 10}\n"
		"tables: {numbering_plan: TABLES/numbering-plan.csv}\n"
		"trunks: [{name: t, kind: international, sources: [127.0.0.2]}]\n"
		"rules:\n"
		"  - {name: net, when: {identities: network, class: [home-mobile]}, action: tag}\n"
		"  - {name: pres, when: {identities: presentation, class: [home-fixed]}, action: tag}\n"
		"  - {name: disp, when: {identities: display, class: [foreign]}, action: tag}\n"
		"  - {name: every, when: {identities: all, class: [domestic-other]}, action: tag}\n"
		"  - {name: first, when: {identities: first, class: [toll-free]}, action: tag}\n"
		"  - {name: nonet, when: {identities: network, identity: [missing]}, action: tag}\n";
	char conf[2048], path[1024], buf[2048];
	sf_cfg_t *c;
	sf_tables_t *t;
	sf_diag_t diag;
	static const struct {
		const char *from, *extra, *rule;
	} cases[] = {
		/* home mobile in PAI: network rule; in From only: not */
		{UK, "P-Asserted-Identity: <sip:+77015550000@c>\r\n", "net"},
		{"+77015550000", "P-Asserted-Identity: <sip:" UK "@c>\r\n", ""},
		/* home fixed in From only: presentation rule */
		{"+77172123456", "P-Asserted-Identity: <sip:" UK "@c>\r\n", "pres"},
		{UK, "P-Asserted-Identity: <sip:+77172123456@c>\r\n", ""},
		/* domestic-other everywhere: all; in one place only: not */
		{"+77051234567", "P-Asserted-Identity: <sip:+77051234567@c>\r\n",
		 "every"},
		{"+77051234567", "P-Asserted-Identity: <sip:" UK "@c>\r\n", ""},
		/* first usable (PAI before From) */
		{UK, "P-Asserted-Identity: <sip:+78001234567@c>\r\n", "first"},
		/* no network identity at all */
		{UK, "", "nonet"},
	};

	snprintf(path, sizeof(path), "%s/tests/fixtures/engine/tables",
		 t_root());
	{
		const char *p = strstr(text, "TABLES");
		int n = snprintf(conf, sizeof(conf), "%.*s%s%s",
				 (int)(p - text), text, path, p + 6);
		(void)n;
	}
	sf_diag_init(&diag);
	if (sf_cfg_parse("scopes.yaml", conf, strlen(conf), NULL, &c, &diag)) {
		sf_diag_print(&diag, stderr);
		T_FAIL_AT("config refused");
		return;
	}
	T_EQ_INT(c->rules[0].scope, SF_SCOPE_NETWORK);
	T_TRUE(c->rules[0].per_identity);
	if (sf_load_tables(c, NULL, &t, NULL) < 0) {
		T_FAIL_AT("tables");
		sf_cfg_free(c);
		return;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sf_sipmsg_t msg;
		sf_call_t call;
		sf_verdict_t v;
		int n = snprintf(buf, sizeof(buf), invite_fmt, KZ_B,
				 cases[i].from, KZ_B, cases[i].extra);

		sf_engine_judge_raw(c, t, buf, (size_t)n, NULL, 0, &msg, &call,
				    &v);
		if (strcmp(v.rule_name, cases[i].rule))
			T_FAIL_AT("case %zu (%s / %s): rule '%s', want '%s'", i,
				  cases[i].from, cases[i].extra, v.rule_name,
				  cases[i].rule);
	}
	sf_tables_free(t);
	sf_cfg_free(c);
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

	snprintf(path, sizeof(path), "%s/tests/fixtures/engine/sipfilter.yaml",
		 t_root());
	if (sf_load_all(path, &cfg, &tables) < 0) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	sf_identity_global_init();
	T_RUN(test_rule_classes);
	T_RUN(test_exceptions);
	T_RUN(test_emergency_long_entries);
	T_RUN(test_degraded_without_tables);
	T_RUN(test_facts);
	T_RUN(test_raw_invites);
	T_RUN(test_raw_emergency_urn);
	T_RUN(test_identities);
	T_RUN(test_display_identity);
	T_RUN(test_exemptions_ruri_only);
	T_RUN(test_scopes);
	T_RUN(test_raw_malformed);
	sf_tables_free(tables);
	sf_cfg_free(cfg);
	return T_DONE();
}
