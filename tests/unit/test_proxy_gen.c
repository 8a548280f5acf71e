/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_proxy_gen.c - generations (proxy_gen.h): which settings a reload
 * keeps at their running values and names as needing a restart, and
 * that everything else (rules, trunks, dialling, tag...) is left to the
 * new config; a generation built on a running key keeps that key; a
 * successor takes over the config.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipfilter/proxy/proxy_gen.h"
#include "t.h"

static const char base_yaml[] =
	"dialling: { country_code: \"7\", national_prefix: \"8\", "
	"international_prefixes: [\"810\"], national_length: 10 }\n"
	"trunks:\n"
	"  - { name: a, kind: international, sources: [\"127.0.0.2\"], "
	"next_hop: \"udp:127.0.0.1:5070\" }\n"
	"rules:\n"
	"  - { name: r1, when: { trunk_kind: [international] }, action: tag }\n"
	"tag: { header: X-A }\n"
	"serve:\n"
	"  listen: [\"udp:127.0.0.1:5060\"%s]\n"
	"  workers: %d\n"
	"  control_socket: \"%s\"\n"
	"  max_message: 16384\n"
	"  tcp: { max_connections: %d }\n"
	"  secret: \"%s\"\n";

static sf_cfg_t *cfg_of(const char *extra_listen, int workers,
			const char *ctl, int max_conn, const char *secret,
			const char *header)
{
	char text[2048], *p;
	sf_cfg_t *cfg = NULL;
	sf_diag_t diag;

	snprintf(text, sizeof(text), base_yaml, extra_listen, workers, ctl,
		 max_conn, secret);
	if ((p = strstr(text, "X-A")))
		memcpy(p, header, 3);
	sf_diag_init(&diag);
	if (sf_cfg_parse_flags("t.yaml", text, strlen(text), NULL,
			       SF_CFG_SKIP_FILE_CHECKS, &cfg, &diag))
		sf_diag_print(&diag, stdout);
	return cfg;
}

static void test_nothing_changed(void)
{
	sf_cfg_t *a = cfg_of("", 2, "/tmp/x.sock", 64, "s3cret-s3cret-s3cret", "X-A");
	sf_cfg_t *b = cfg_of("", 2, "/tmp/x.sock", 64, "s3cret-s3cret-s3cret", "X-B");
	sf_restart_notes_t n;

	T_TRUE(a && b);
	if (!a || !b)
		goto out;
	/* a live setting (tag header) changed: no note, new value kept */
	T_EQ_INT(sf_gen_keep_restart(a, b, &n), 0);
	T_EQ_STR(b->tag.header, "X-B");
out:
	sf_cfg_free(a);
	sf_cfg_free(b);
}

static void test_restart_only_kept_and_named(void)
{
	sf_cfg_t *a = cfg_of("", 2, "/tmp/x.sock", 64, "s3cret-s3cret-s3cret", "X-A");
	sf_cfg_t *b = cfg_of(", \"tcp:127.0.0.1:5061\"", 3, "/tmp/y.sock", 65,
			     "other-other-other-other", "X-B");
	sf_restart_notes_t n;
	char all[2048] = "";

	T_TRUE(a && b);
	if (!a || !b)
		goto out;
	T_EQ_INT(sf_gen_keep_restart(a, b, &n), 5);
	for (unsigned i = 0; i < n.n; i++) {
		strcat(all, n.msg[i]);
		strcat(all, "\n");
	}
	T_CONTAINS(all, "serve.listen changed: restart to apply\n");
	T_CONTAINS(all, "serve.workers changed: restart to apply\n");
	T_CONTAINS(all, "serve.control_socket changed: restart to apply\n");
	T_CONTAINS(all, "serve.tcp.max_connections changed: restart to apply\n");
	T_CONTAINS(all, "serve.secret changed: restart to apply\n");
	T_NOT_CONTAINS(all, "s3cret-s3cret-s3cret");
	T_NOT_CONTAINS(all, "other-");
	/* the running values are kept in the new config */
	T_EQ_INT(b->serve.n_listeners, 1);
	T_EQ_INT(b->serve.workers, 2);
	T_EQ_STR(b->serve.control_socket, "/tmp/x.sock");
	T_EQ_INT(b->serve.tcp_max_connections, 64);
	T_EQ_INT(b->serve.secret_len, 20);
	T_EQ_STR(b->serve.secret, "s3cret-s3cret-s3cret");
	/* the rest is the new config's */
	T_EQ_STR(b->tag.header, "X-B");
	/* and now they agree */
	T_EQ_INT(sf_gen_keep_restart(a, b, &n), 0);
out:
	sf_cfg_free(a);
	sf_cfg_free(b);
}

static void test_gen_key_and_successor(void)
{
	sf_cfg_t *a = cfg_of("", 2, "", 64, "s3cret-s3cret-s3cret", "X-A");
	sf_cfg_t *b = cfg_of("", 2, "", 64, "s3cret-s3cret-s3cret", "X-B");
	sf_gen_t *g1 = NULL, *g2 = NULL, *g3;
	sf_key_t key;
	sf_err_t err;

	T_TRUE(a && b);
	if (!a || !b)
		goto out;
	memset(&key, 0x5a, sizeof(key));
	T_EQ_INT(sf_gen_new(a, NULL, &key, NULL, NULL, &g1, &err), 0);
	T_EQ_INT(sf_gen_new(b, NULL, &key, NULL, NULL, &g2, &err), 0);
	if (!g1 || !g2)
		goto out;
	/* the proxy judges with its generation's config */
	T_TRUE(g2->proxy.cfg == b && g2->proxy.edge.cfg == b);
	/* the running key, not the secret's: tokens survive a reload */
	T_TRUE(!memcmp(&g1->proxy.edge.key, &key, sizeof(key)));
	T_TRUE(!memcmp(&g2->proxy.edge.key, &key, sizeof(key)));
	T_TRUE(g1->proxy.hops[0].ok);
	g2->own_cfg = b;
	b = NULL;
	g3 = sf_gen_successor(g2, NULL);
	T_TRUE(g3 != NULL);
	if (g3) {
		T_TRUE(g2->own_cfg == NULL && g3->own_cfg == g3->cfg);
		sf_gen_free(g2); /* must not free the config g3 uses */
		g2 = NULL;
		T_EQ_STR(g3->cfg->tag.header, "X-B");
		sf_gen_free(g3);
	}
out:
	sf_gen_free(g1);
	sf_gen_free(g2);
	sf_cfg_free(a);
	sf_cfg_free(b);
}

static sf_cfg_t *parse(const char *text)
{
	sf_cfg_t *cfg = NULL;
	sf_diag_t diag;

	sf_diag_init(&diag);
	if (sf_cfg_parse_flags("t.yaml", text, strlen(text), NULL,
			       SF_CFG_SKIP_FILE_CHECKS, &cfg, &diag))
		sf_diag_print(&diag, stdout);
	return cfg;
}

#define DIAL "dialling: { country_code: \"7\", national_length: 10 }\n"

/* Counts follow (rule name, action) and trunk names across reloads. */
static void test_counter_slots(void)
{
	sf_cfg_t *a = parse(DIAL "trunks:\n"
		"  - { name: ta, kind: international, sources: [\"10.0.0.1\"] }\n"
		"rules:\n"
		"  - { name: r1, when: { trunk: [ta] }, action: tag }\n"
		"  - { name: r2, when: { trunk: [ta] }, action: reject }\n");
	sf_cfg_t *b = parse(DIAL "trunks:\n"
		"  - { name: tb, kind: domestic, sources: [\"10.0.0.2\"] }\n"
		"  - { name: ta, kind: international, sources: [\"10.0.0.1\"] }\n"
		"rules:\n"
		"  - { name: r0, when: { trunk: [ta] }, action: tag }\n"
		"  - { name: r2, when: { trunk: [ta] }, action: reject }\n"
		"  - { name: r1, when: { trunk: [ta] }, action: reject }\n");
	static sf_st_labels_t l;
	sf_proxy_t pa, pb;
	sf_err_t err;

	T_TRUE(a && b);
	if (!a || !b)
		goto out;
	memset(&pa, 0, sizeof(pa));
	memset(&pb, 0, sizeof(pb));
	T_EQ_INT(sf_gen_assign_slots(&l, &pa, a, &err), 0);
	T_EQ_INT(pa.rule_slot[0], 0);
	T_EQ_INT(pa.rule_slot[1], 1);
	T_EQ_INT(pa.trunk_slot[0], 1);
	T_EQ_INT(sf_gen_assign_slots(&l, &pb, b, &err), 0);
	T_EQ_INT(pb.rule_slot[0], 2);  /* r0: new */
	T_EQ_INT(pb.rule_slot[1], 1);  /* r2 reject: moved, same slot */
	T_EQ_INT(pb.rule_slot[2], 3);  /* r1 tag -> reject: a new slot */
	T_EQ_INT(pb.trunk_slot[0], 2); /* tb: new */
	T_EQ_INT(pb.trunk_slot[1], 1); /* ta: moved, same slot */
	T_EQ_INT(l.n_rules, 4);
	T_EQ_INT(l.n_trunks, 2);
	T_EQ_STR(l.rule[0], "r1");
	T_EQ_INT(l.action[0], SF_ACT_TAG);
	T_EQ_STR(l.rule[3], "r1");
	T_EQ_INT(l.action[3], SF_ACT_REJECT);
	T_EQ_STR(l.trunk[2], "tb");
	/* the same config again names nothing new */
	T_EQ_INT(sf_gen_assign_slots(&l, &pa, a, &err), 0);
	T_EQ_INT(l.n_rules, 4);
	T_EQ_INT(pa.rule_slot[1], 1);
out:
	sf_cfg_free(a);
	sf_cfg_free(b);
}

int main(void)
{
	T_RUN(test_counter_slots);
	T_RUN(test_nothing_changed);
	T_RUN(test_restart_only_kept_and_named);
	T_RUN(test_gen_key_and_successor);
	return T_DONE();
}
