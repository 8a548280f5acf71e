/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_lib.c - libsipfilter's public API (sipfilter/lib/sipfilter.h) on
 * its own small fixture, written to a temporary directory: open errors as
 * records, judgements from a source address, explain/lookup JSON,
 * roaming add/del, a failed reload that keeps the old tables, stats, the
 * special verdicts' names, and threads judging while another reloads and
 * updates; the edits of tag and withhold (sipfilter_judge_edits); the
 * embedder's brief judgement whose strings come later, while it is the
 * thread's last (sf_embed.h sipfilter_judge_brief/result_strings).
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"
#include "sipfilter/engine/sf_engine.h"
#include "sipfilter/lib/sf_embed.h"
#include "sipfilter/lib/sipfilter.h"

static char dir[64];
static char cfg_path[128];

static void write_file(const char *name, const char *text)
{
	char path[192];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	if (!fp) {
		perror(path);
		exit(1);
	}
	fputs(text, fp);
	fclose(fp);
}

static const char *config_yaml =
	"dialling:\n"
	"  country_code: \"7\"\n"
	"  national_prefix: \"8\"\n"
	"  international_prefixes: [\"810\", \"00\"]\n"
	"  national_length: 10\n"
	"  max_short_length: 6\n"
	"tables:\n"
	"  numbering_plan: plan.csv\n"
	"  roaming: roaming.csv\n"
	"trunks:\n"
	"  - name: abroad\n"
	"    kind: international\n"
	"    sources: [\"192.0.2.0/24\"]\n"
	"    next_hop: \"udp:198.51.100.1:5060\"\n"
	"  - name: home\n"
	"    kind: domestic\n"
	"    sources: [\"203.0.113.5\"]\n"
	"    next_hop: \"udp:198.51.100.1:5060\"\n"
	"emergency: [\"112\"]\n"
	"tag:\n"
	"  header: X-Sipfilter\n"
	"  verstat: true\n"
	"rules:\n"
	"  - name: home-mobile-from-abroad\n"
	"    when: { trunk_kind: [international], class: [home-mobile],"
	" roaming: false }\n"
	"    action: reject\n"
	"    code: 603\n"
	"    phrase: Network Blocked\n"
	"    reason: home number from abroad, not roaming\n"
	"  - name: other-from-abroad\n"
	"    when: { trunk_kind: [international], class: [domestic-other] }\n"
	"    action: tag\n"
	"  - name: other-via-home\n"
	"    when: { trunk_kind: [domestic], class: [domestic-other] }\n"
	"    action: withhold\n";

static const char *plan_csv = "# prefix,class,min_len,max_len,operator\n"
			      "7701,home-mobile,11,11,Us\n"
			      "7702,domestic-other,11,11,Them\n";

static void fixture(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sf-test-lib-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(cfg_path, sizeof(cfg_path), "%s/sipfilter.yaml", dir);
	write_file("sipfilter.yaml", config_yaml);
	write_file("plan.csv", plan_csv);
	write_file("roaming.csv", "77019999999,TR\n");
}

static void cleanup(void)
{
	const char *names[] = {"sipfilter.yaml", "plan.csv", "roaming.csv",
			       "bad.yaml"};
	char path[192];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static char invite[2048];

/* An INVITE from `from` (and a PAI when pai is not NULL) to `to`. */
static size_t make_invite(const char *from, const char *pai, const char *to)
{
	int n = snprintf(invite, sizeof(invite),
			 "INVITE sip:%s@core.example SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-1\r\n"
			 "Max-Forwards: 70\r\n"
			 "From: <sip:%s@abroad.example>;tag=f1\r\n"
			 "To: <sip:%s@core.example>\r\n"
			 "%s%s%s"
			 "Call-ID: lib-1@test\r\n"
			 "CSeq: 1 INVITE\r\n"
			 "Content-Length: 0\r\n\r\n",
			 to, from, to, pai ? "P-Asserted-Identity: <sip:" : "",
			 pai ? pai : "", pai ? "@abroad.example>\r\n" : "");
	return (size_t)n;
}

static struct sockaddr_in addr(const char *ip)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(5060)};

	inet_pton(AF_INET, ip, &sa.sin_addr);
	return sa;
}

static sipfilter_result_t judge(sipfilter_t *sf, const char *src, size_t len)
{
	struct sockaddr_in sa = addr(src);
	sipfilter_result_t r;

	T_EQ_INT(sipfilter_judge(sf, invite, len, (struct sockaddr *)&sa,
				 SIPFILTER_UDP, NULL, &r),
		 0);
	return r;
}

static void test_open_errors(void)
{
	sipfilter_errors_t errs;

	write_file("bad.yaml", "dialling:\n  country_code: \"7\"\n"
			       "tabels: {}\n");
	snprintf(cfg_path, sizeof(cfg_path), "%s/bad.yaml", dir);
	T_TRUE(sipfilter_open(cfg_path, &errs) == NULL);
	/* every problem, each with file:line:col */
	T_EQ_INT(errs.n, 2);
	T_TRUE(strstr(errs.items[0].file, "bad.yaml") != NULL);
	T_EQ_INT(errs.items[0].line, 2);
	T_TRUE(strstr(errs.items[0].message, "national_length") != NULL);
	T_EQ_INT(errs.items[1].line, 3);
	T_EQ_INT(errs.items[1].col, 1);
	T_TRUE(strstr(errs.items[1].message, "did you mean 'tables'") != NULL);
	snprintf(cfg_path, sizeof(cfg_path), "%s/sipfilter.yaml", dir);
	T_TRUE(sipfilter_open("/nonexistent/sipfilter.yaml", &errs) == NULL);
	T_TRUE(errs.n == 1);
}

static void test_judge(void)
{
	sipfilter_t *sf = sipfilter_open(cfg_path, NULL);
	sipfilter_result_t r;
	size_t n;

	T_TRUE(sf != NULL);
	if (!sf)
		return;
	n = make_invite("+77011234567", NULL, "+77021112233");
	r = judge(sf, "192.0.2.7", n);
	T_EQ_INT(r.action, SIPFILTER_REJECT);
	T_EQ_INT(r.code, 603);
	T_EQ_STR(r.phrase, "Network Blocked");
	T_EQ_STR(r.rule, "home-mobile-from-abroad");
	T_EQ_STR(r.number, "+77011234567");
	T_EQ_STR(r.number_class, "home-mobile");
	T_EQ_STR(r.trunk, "abroad");
	T_EQ_INT(r.judged, 1);
	/* the same bytes from the domestic trunk pass */
	r = judge(sf, "203.0.113.5", n);
	T_EQ_INT(r.action, SIPFILTER_ALLOW);
	T_EQ_STR(r.trunk, "home");
	/* a foreign PAI does not hide the home From */
	n = make_invite("+77011234567", "+4915112345678", "+77021112233");
	r = judge(sf, "192.0.2.7", n);
	T_EQ_INT(r.action, SIPFILTER_REJECT);
	T_EQ_STR(r.identity, "from");
	/* emergency: never blocked, named by the special verdict's name */
	n = make_invite("+77011234567", NULL, "112");
	r = judge(sf, "192.0.2.7", n);
	T_EQ_INT(r.action, SIPFILTER_ALLOW);
	T_EQ_STR(r.rule, sf_special_name(SF_SPECIAL_EMERGENCY));
	/* malformed: refused, counted */
	memcpy(invite, "INVITE sip:x SIP/2.0\r\nVia: x\r\n\r\n", 33);
	r = judge(sf, "192.0.2.7", 33);
	T_EQ_INT(r.malformed, 1);
	T_TRUE(r.action == SIPFILTER_REFUSE || r.action == SIPFILTER_DROP);
	/* a trunk named by the caller; an unknown name is an error */
	{
		struct sockaddr_in sa = addr("10.0.0.1");

		n = make_invite("+77011234567", NULL, "+77021112233");
		T_EQ_INT(sipfilter_judge(sf, invite, n, (struct sockaddr *)&sa,
					 SIPFILTER_UDP, "abroad", &r),
			 0);
		T_EQ_INT(r.action, SIPFILTER_REJECT);
		T_EQ_INT(sipfilter_judge(sf, invite, n, (struct sockaddr *)&sa,
					 SIPFILTER_UDP, "nope", &r),
			 -1);
		T_EQ_INT(r.action, SIPFILTER_DROP);
	}
	sipfilter_close(sf);
}

/* make_invite with ";verstat=TN-Validation-Passed" on the PAI URI. */
static size_t make_invite_verstat(const char *from, const char *pai,
				  const char *to)
{
	static const char vs[] = ";verstat=TN-Validation-Passed";
	size_t n = make_invite(from, pai, to);
	char *at = strstr(invite, "@abroad.example>\r\nCall-ID");

	T_TRUE(at != NULL && n + sizeof(vs) < sizeof(invite));
	if (!at)
		return n;
	at += strlen("@abroad.example");
	memmove(at + sizeof(vs) - 1, at, n - (size_t)(at - invite) + 1);
	memcpy(at, vs, sizeof(vs) - 1);
	return n + sizeof(vs) - 1;
}

/* invite with the edits applied, into out (NUL-terminated). */
static void apply_edits(const sipfilter_edits_t *e, size_t len, char *out,
			size_t cap)
{
	size_t pos = 0, o = 0;

	for (size_t i = 0; i < e->n; i++) {
		const sipfilter_edit_t *op = &e->items[i];

		T_TRUE(op->off >= pos && op->off + op->del <= len);
		T_TRUE(o + (op->off - pos) + op->ins_len < cap);
		memcpy(out + o, invite + pos, op->off - pos);
		o += op->off - pos;
		memcpy(out + o, e->text + op->ins_off, op->ins_len);
		o += op->ins_len;
		pos = op->off + op->del;
	}
	T_TRUE(o + (len - pos) < cap);
	memcpy(out + o, invite + pos, len - pos);
	out[o + len - pos] = '\0';
}

static void test_edits(void)
{
	sipfilter_t *sf = sipfilter_open(cfg_path, NULL);
	struct sockaddr_in abroad = addr("192.0.2.7"), home = addr("203.0.113.5");
	static sipfilter_edits_t e;
	static char out[4096];
	sipfilter_result_t r;
	size_t n;

	T_TRUE(sf != NULL);
	if (!sf)
		return;
	/* tag: our header, our verstat replacing the untrusted peer's */
	n = make_invite_verstat("+77021234567", "+77021234567", "+77011112233");
	T_EQ_INT(sipfilter_judge_edits(sf, invite, n, (struct sockaddr *)&abroad,
				       SIPFILTER_UDP, NULL, &r, &e),
		 0);
	T_EQ_INT(r.action, SIPFILTER_TAG);
	T_EQ_STR(r.rule, "other-from-abroad");
	apply_edits(&e, n, out, sizeof(out));
	T_TRUE(strstr(out, "\r\nX-Sipfilter: suspect;rule=other-from-abroad\r\n\r\n") != NULL);
	T_TRUE(strstr(out, "TN-Validation-Passed") == NULL);
	T_TRUE(strstr(out, "From: <sip:+77021234567@abroad.example;verstat=TN-Validation-Failed>;tag=f1\r\n") != NULL);
	T_TRUE(strstr(out, "P-Asserted-Identity: <sip:+77021234567@abroad.example;verstat=TN-Validation-Failed>\r\n") != NULL);
	/* withhold: anonymous From (tag kept), Privacy: id */
	n = make_invite("+77021234567", NULL, "+77011112233");
	T_EQ_INT(sipfilter_judge_edits(sf, invite, n, (struct sockaddr *)&home,
				       SIPFILTER_UDP, NULL, &r, &e),
		 0);
	T_EQ_INT(r.action, SIPFILTER_WITHHOLD);
	apply_edits(&e, n, out, sizeof(out));
	T_TRUE(strstr(out, "From: \"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=f1\r\n") != NULL);
	T_TRUE(strstr(out, "\r\nPrivacy: id\r\n\r\n") != NULL);
	/* reject: nothing to edit; allow from untrusted: verstat dropped */
	n = make_invite("+77011234567", NULL, "+77021112233");
	T_EQ_INT(sipfilter_judge_edits(sf, invite, n, (struct sockaddr *)&abroad,
				       SIPFILTER_UDP, NULL, &r, &e),
		 0);
	T_EQ_INT(r.action, SIPFILTER_REJECT);
	T_EQ_INT(e.n, 0);
	n = make_invite_verstat("+77011234567", "+77011234567", "+77021112233");
	T_EQ_INT(sipfilter_judge_edits(sf, invite, n, (struct sockaddr *)&home,
				       SIPFILTER_UDP, NULL, &r, &e),
		 0);
	T_EQ_INT(r.action, SIPFILTER_ALLOW);
	T_EQ_INT(e.n, 1);
	apply_edits(&e, n, out, sizeof(out));
	T_TRUE(strstr(out, "P-Asserted-Identity: <sip:+77011234567@abroad.example>\r\n") != NULL);
	sipfilter_close(sf);
}

/* The result strings of r and x are the same. */
static void same_strings(const sipfilter_result_t *r,
			 const sipfilter_result_t *x)
{
	T_EQ_STR(r->phrase, x->phrase);
	T_EQ_STR(r->rule, x->rule);
	T_EQ_STR(r->reason, x->reason);
	T_EQ_STR(r->number, x->number);
	T_EQ_STR(r->number_class, x->number_class);
	T_EQ_STR(r->identity, x->identity);
	T_EQ_STR(r->trunk, x->trunk);
}

/* sipfilter_judge_brief: sipfilter_judge_edits's numbers and edits, no
 * strings; sipfilter_result_strings fills them while the judgement is
 * the thread's last, and refuses after another judgement or a lookup. */
static void test_brief(void)
{
	sipfilter_t *sf = sipfilter_open(cfg_path, NULL);
	struct sockaddr_in abroad = addr("192.0.2.7");
	static sipfilter_edits_t e, eb;
	sipfilter_result_t r, b;
	char json[2048];
	uint64_t t1 = 0, t2 = 0;
	size_t n;

	T_TRUE(sf != NULL);
	if (!sf)
		return;
	n = make_invite_verstat("+77021234567", "+77021234567", "+77011112233");
	T_EQ_INT(sipfilter_judge_edits(sf, invite, n, (struct sockaddr *)&abroad,
				       SIPFILTER_UDP, NULL, &r, &e),
		 0);
	memset(&b, 'x', sizeof(b));
	T_EQ_INT(sipfilter_judge_brief(sf, invite, n, (struct sockaddr *)&abroad,
				       SIPFILTER_UDP, NULL, &b, &eb, &t1),
		 0);
	T_EQ_INT(b.action, SIPFILTER_TAG);
	T_EQ_INT(b.action, r.action);
	T_EQ_INT(b.rule_action, r.rule_action);
	T_EQ_INT(b.code, r.code);
	T_EQ_INT(b.judged, r.judged);
	T_EQ_INT(b.rule[0], 'x'); /* not written */
	T_EQ_INT(eb.n, e.n);
	T_TRUE(e.n > 0 && !memcmp(eb.items, e.items, e.n * sizeof(e.items[0])));
	T_EQ_INT(sipfilter_result_strings(sf, t1, &b), 0);
	same_strings(&b, &r);
	T_EQ_STR(b.rule, "other-from-abroad");
	/* a reject judged after it: its ticket is stale, the new one works */
	n = make_invite("+77011234567", NULL, "+77021112233");
	T_EQ_INT(sipfilter_judge_edits(sf, invite, n, (struct sockaddr *)&abroad,
				       SIPFILTER_UDP, NULL, &r, &e),
		 0);
	T_EQ_INT(sipfilter_judge_brief(sf, invite, n, (struct sockaddr *)&abroad,
				       SIPFILTER_UDP, NULL, &b, &eb, &t2),
		 0);
	T_TRUE(t2 != t1);
	T_EQ_INT(sipfilter_result_strings(sf, t1, &b), -1);
	T_EQ_INT(sipfilter_result_strings(sf, t2, &b), 0);
	T_EQ_INT(b.action, SIPFILTER_REJECT);
	same_strings(&b, &r);
	/* a lookup on the thread makes it stale too */
	T_TRUE(sipfilter_lookup(sf, "+77011234567", NULL, NULL, json,
				sizeof(json)) > 0);
	T_EQ_INT(sipfilter_result_strings(sf, t2, &b), -1);
	sipfilter_close(sf);
}

/* sipfilter_table_file and sipfilter_reload_from: a frozen copy. */
static void test_reload_from(void)
{
	sipfilter_t *sf = sipfilter_open(cfg_path, NULL);
	const char *files[SIPFILTER_TABLES] = {NULL};
	char copy[192];
	sipfilter_errors_t errs;
	size_t n = make_invite("+77011234567", NULL, "+77021112233");

	T_TRUE(sf != NULL);
	if (!sf)
		return;
	T_TRUE(strstr(sipfilter_table_file(sf, SIPFILTER_TABLE_ROAMING),
		      "/roaming.csv") != NULL);
	T_TRUE(sipfilter_table_file(sf, SIPFILTER_TABLE_SUBSTITUTION) == NULL);
	T_TRUE(sipfilter_table_file(sf, SIPFILTER_TABLES) == NULL);
	T_EQ_INT(judge(sf, "192.0.2.7", n).action, SIPFILTER_REJECT);
	/* the copy is read, the config's file is not */
	write_file("roaming-copy.csv", "77011234567,DE\n");
	snprintf(copy, sizeof(copy), "%s/roaming-copy.csv", dir);
	files[SIPFILTER_TABLE_ROAMING] = copy;
	T_EQ_INT(sipfilter_reload_from(sf, files, &errs), 0);
	T_EQ_INT(judge(sf, "192.0.2.7", n).action, SIPFILTER_ALLOW);
	/* a broken copy: refused, named, the tables kept */
	write_file("roaming-copy.csv", "77011234567,DE\nbad-row,XX\n");
	T_EQ_INT(sipfilter_reload_from(sf, files, &errs), -1);
	T_TRUE(strstr(errs.items[0].file, "roaming-copy.csv") != NULL);
	T_EQ_INT(errs.items[0].line, 2);
	T_EQ_INT(judge(sf, "192.0.2.7", n).action, SIPFILTER_ALLOW);
	/* NULL: the config's files again */
	T_EQ_INT(sipfilter_reload_from(sf, NULL, &errs), 0);
	T_EQ_INT(judge(sf, "192.0.2.7", n).action, SIPFILTER_REJECT);
	sipfilter_close(sf);
	snprintf(copy, sizeof(copy), "%s/roaming-copy.csv", dir);
	unlink(copy);
}

static void test_explain_lookup(void)
{
	sipfilter_t *sf = sipfilter_open(cfg_path, NULL);
	struct sockaddr_in sa = addr("192.0.2.7");
	char out[4096];
	long n;

	T_TRUE(sf != NULL);
	if (!sf)
		return;
	n = sipfilter_explain(sf, invite,
			      make_invite("+77011234567", NULL, "+77021112233"),
			      (struct sockaddr *)&sa, SIPFILTER_UDP, NULL, out,
			      sizeof(out));
	T_TRUE(n > 0 && (size_t)n == strlen(out));
	T_TRUE(strstr(out, "\"rule\":\"home-mobile-from-abroad\"") != NULL);
	T_TRUE(strstr(out, "\"call_id\":\"lib-1@test\"") != NULL);
	T_EQ_INT(sipfilter_explain(sf, invite, 10, (struct sockaddr *)&sa,
				   SIPFILTER_UDP, NULL, out, 8),
		 -1);
	n = sipfilter_lookup(sf, "87011234567", NULL, NULL, out, sizeof(out));
	T_TRUE(n > 0);
	T_TRUE(strstr(out, "\"number\":\"+77011234567\"") != NULL);
	T_TRUE(strstr(out, "\"action\":\"reject\"") != NULL);
	T_EQ_INT(sipfilter_lookup(sf, "87011234567", NULL, "nope", out,
				  sizeof(out)),
		 -1);
	sipfilter_close(sf);
}

static void test_roaming_reload_stats(void)
{
	sipfilter_t *sf = sipfilter_open(cfg_path, NULL);
	sipfilter_errors_t errs;
	sipfilter_error_t err;
	sipfilter_stats_t st;
	size_t n = make_invite("+77011234567", NULL, "+77021112233");

	T_TRUE(sf != NULL);
	if (!sf)
		return;
	T_EQ_INT(judge(sf, "192.0.2.7", n).action, SIPFILTER_REJECT);
	T_EQ_INT(sipfilter_roaming_add(sf, "8 701 123 45 67", "de", &err), 0);
	T_EQ_INT(judge(sf, "192.0.2.7", n).action, SIPFILTER_ALLOW);
	T_EQ_INT(sipfilter_roaming_del(sf, "+77011234567", &err), 0);
	T_EQ_INT(judge(sf, "192.0.2.7", n).action, SIPFILTER_REJECT);
	T_EQ_INT(sipfilter_roaming_add(sf, "not a number", NULL, &err), -1);
	T_TRUE(strstr(err.message, "not a telephone number") != NULL);

	/* a reload from a broken table fails and keeps the old tables */
	sipfilter_roaming_add(sf, "+77011234567", NULL, NULL);
	write_file("plan.csv", "7701,home-mobile,11,11,Us\n7702,nonsense\n");
	T_EQ_INT(sipfilter_reload(sf, &errs), -1);
	T_EQ_INT(errs.n, 1);
	T_TRUE(strstr(errs.items[0].file, "plan.csv") != NULL);
	T_EQ_INT(errs.items[0].line, 2);
	T_EQ_INT(judge(sf, "192.0.2.7", n).action, SIPFILTER_ALLOW);
	/* a good reload drops the live change */
	write_file("plan.csv", plan_csv);
	T_EQ_INT(sipfilter_reload(sf, &errs), 0);
	T_EQ_INT(judge(sf, "192.0.2.7", n).action, SIPFILTER_REJECT);

	sipfilter_stats(sf, &st);
	T_EQ_INT(st.messages, 5);
	T_EQ_INT(st.by_action[SIPFILTER_REJECT], 3);
	T_EQ_INT(st.by_action[SIPFILTER_ALLOW], 2);
	T_EQ_INT(st.reloads_ok, 1);
	T_EQ_INT(st.reloads_failed, 1);
	T_EQ_INT(st.roaming_updates, 3);
	T_EQ_INT(st.generation, 2);
	T_EQ_INT(st.plan_rows, 2);
	T_EQ_INT(st.roaming_rows, 1);
	T_EQ_STR(sipfilter_action_name(SIPFILTER_WITHHOLD), "withhold");
	T_EQ_STR(sipfilter_version(), SF_VERSION);
	sipfilter_close(sf);
}

static void test_special_names(void)
{
	for (int i = 1; i < SF_SPECIAL_COUNT; i++) {
		const char *name = sf_special_name((sf_special_t)i);

		T_TRUE(name[0] != '\0');
		T_EQ_INT(sf_special_find(name), i);
	}
	T_EQ_STR(sf_special_name(SF_SPECIAL_NONE), "");
	T_EQ_INT(sf_special_find("home-mobile-from-abroad"), SF_SPECIAL_NONE);
}

/* Judging threads while another reloads and flips a number's roaming
 * state: every answer is one of the two a consistent snapshot gives. */
static sipfilter_t *shared_sf;
static _Atomic int stop_flag, odd_answers;

static void *judge_loop(void *arg)
{
	struct sockaddr_in sa = addr("192.0.2.9");
	char msg[2048];
	size_t n;
	long iters = 0;

	(void)arg;
	n = (size_t)snprintf(msg, sizeof(msg), "%s", invite);
	while (!atomic_load(&stop_flag) || iters < 1000) {
		sipfilter_result_t r;

		sipfilter_judge(shared_sf, msg, n, (struct sockaddr *)&sa,
				SIPFILTER_UDP, NULL, &r);
		if (!(r.action == SIPFILTER_REJECT && r.code == 603) &&
		    !(r.action == SIPFILTER_ALLOW && r.code == 0))
			atomic_fetch_add(&odd_answers, 1);
		iters++;
	}
	return NULL;
}

static void test_threads(void)
{
	pthread_t th[3];

	make_invite("+77011234567", NULL, "+77021112233");
	shared_sf = sipfilter_open(cfg_path, NULL);
	T_TRUE(shared_sf != NULL);
	if (!shared_sf)
		return;
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, judge_loop, NULL);
	for (int i = 0; i < 200; i++) {
		if (i % 20 == 0)
			T_EQ_INT(sipfilter_reload(shared_sf, NULL), 0);
		sipfilter_roaming_add(shared_sf, "+77011234567", NULL, NULL);
		sipfilter_roaming_del(shared_sf, "+77011234567", NULL);
	}
	atomic_store(&stop_flag, 1);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	T_EQ_INT(atomic_load(&odd_answers), 0);
	sipfilter_close(shared_sf);
}

/*
 * The ABI a caller compiles in: the sizes it allocates and passes.  A
 * change here breaks programs built against the old sipfilter.h, so it
 * needs a new SONAME: bump LIB_ABI in the Makefile and record the new
 * sizes under its number.
 */
static void test_abi(void)
{
#if SF_LIB_ABI == 1
	T_EQ_INT(sizeof(sipfilter_stats_t), 18 * sizeof(uint64_t));
	T_EQ_INT(SIPFILTER_TABLES, 5);
	T_EQ_INT(sizeof(sipfilter_result_t), 440);
	T_EQ_INT(sizeof(sipfilter_error_t), 776);
	T_EQ_INT(sizeof(sipfilter_errors_t), 24848);
	T_EQ_INT(sizeof(sipfilter_edit_t), 16);
	T_EQ_INT(sizeof(sipfilter_edits_t), 3080);
#else
#error "a new SF_LIB_ABI: record its sizes in test_abi"
#endif
}

int main(void)
{
	fixture();
	T_RUN(test_abi);
	T_RUN(test_open_errors);
	T_RUN(test_judge);
	T_RUN(test_edits);
	T_RUN(test_brief);
	T_RUN(test_reload_from);
	T_RUN(test_explain_lookup);
	T_RUN(test_roaming_reload_stats);
	T_RUN(test_special_names);
	T_RUN(test_threads);
	cleanup();
	return T_DONE();
}
