/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_base.c - unit tests for the base layer: numbers, addresses, JSON
 * writer, error records.
 */
#include "t.h"

#include "base/sf_addr.h"
#include "base/sf_class.h"
#include "base/sf_err.h"
#include "base/sf_json.h"
#include "base/sf_num.h"

static void test_num_parse(void)
{
	sf_num_t n;
	char buf[32];

	T_EQ_INT(sf_num_parse_key("+77011234567", 12, &n), 0);
	T_EQ_INT(n.kind, SF_NUM_E164);
	T_EQ_STR(n.d, "77011234567");
	T_EQ_STR(sf_num_format(&n, buf, sizeof(buf)), "+77011234567");
	T_EQ_INT(sf_num_parse_key("short:102", 9, &n), 0);
	T_EQ_INT(n.kind, SF_NUM_SHORT);
	T_EQ_STR(n.d, "0102");
	T_EQ_STR(sf_num_format(&n, buf, sizeof(buf)), "102");
	/* E.164 never starts with 0; no separators; at most 15 digits. */
	T_EQ_INT(sf_num_parse_key("0701", 4, &n), SF_EPARSE);
	T_EQ_INT(sf_num_parse_key("7701-1", 6, &n), SF_EPARSE);
	T_EQ_INT(sf_num_parse_key("1234567890123456", 16, &n), SF_EPARSE);
	T_EQ_INT(sf_num_parse_key("123456789012345", 15, &n), 0);
	T_EQ_INT(sf_num_parse_key("+", 1, &n), SF_EPARSE);
	T_EQ_INT(sf_num_parse_key("short:", 6, &n), SF_EPARSE);
	/* An embedded NUL is a bad character, not an end of string. */
	T_EQ_INT(sf_num_parse_key("7701\0" "99", 7, &n), SF_EPARSE);
}

static void test_cidr(void)
{
	sf_cidr_t c;
	sf_ip_t ip;

	T_EQ_INT(sf_cidr_parse("10.1.2.3/8", 10, &c), 0);
	T_EQ_INT(sf_ip_parse("10.200.0.1", 10, &ip), 0);
	T_TRUE(sf_cidr_match(&c, &ip));
	T_EQ_INT(sf_ip_parse("11.0.0.1", 8, &ip), 0);
	T_TRUE(!sf_cidr_match(&c, &ip));
	T_EQ_INT(sf_cidr_parse("2001:db8::/32", 13, &c), 0);
	T_EQ_INT(sf_ip_parse("2001:db8:1::5", 13, &ip), 0);
	T_TRUE(sf_cidr_match(&c, &ip));
	/* v4 CIDR never matches a native v6 address and vice versa. */
	T_EQ_INT(sf_cidr_parse("0.0.0.0/0", 9, &c), 0);
	T_TRUE(!sf_cidr_match(&c, &ip));
	/* Mapped v6 is the v4 host. */
	T_EQ_INT(sf_ip_parse("::ffff:10.0.0.1", 15, &ip), 0);
	T_TRUE(sf_cidr_match(&c, &ip));
	T_EQ_INT(sf_cidr_parse("10.0.0.0/33", 11, &c), SF_ERANGE);
	T_EQ_INT(sf_cidr_parse("10.0.0.0/", 9, &c), SF_EPARSE);
	T_EQ_INT(sf_cidr_parse("10.0.0.0/3a", 11, &c), SF_EPARSE);
	T_EQ_INT(sf_cidr_parse("example.com", 11, &c), SF_EPARSE);
	/* An embedded NUL must not end the address early. */
	T_EQ_INT(sf_ip_parse("1.2.3.4\0junk", 12, &ip), SF_EPARSE);
	T_EQ_INT(sf_cidr_parse("127.0.0.2", 9, &c), 0);
	T_EQ_INT(sf_ip_parse("127.0.0.2", 9, &ip), 0);
	T_TRUE(sf_cidr_match(&c, &ip));
	T_EQ_INT(sf_ip_parse("127.0.0.3", 9, &ip), 0);
	T_TRUE(!sf_cidr_match(&c, &ip));
}

static void test_json_escape(void)
{
	char buf[256];
	sf_jw_t w;

	sf_jw_init(&w, buf, sizeof(buf));
	sf_jw_obj_open(&w);
	sf_jw_strn(&w, "a", "x\"\\\n\x01\xff\xc3\xa9", 8);
	sf_jw_int(&w, "n", -5);
	sf_jw_bool(&w, "b", true);
	sf_jw_null(&w, "z");
	sf_jw_arr_open(&w, "l");
	sf_jw_str(&w, NULL, "p");
	sf_jw_str(&w, NULL, "q");
	sf_jw_arr_close(&w);
	sf_jw_obj_close(&w);
	T_EQ_STR(buf, "{\"a\":\"x\\\"\\\\\\n\\u0001\\ufffd\xc3\xa9\",\"n\":-5,"
		      "\"b\":true,\"z\":null,\"l\":[\"p\",\"q\"]}");
	T_TRUE(!w.overflow);
	sf_jw_init(&w, buf, 8);
	sf_jw_str(&w, "key", "a long value");
	T_TRUE(w.overflow);
	T_TRUE(strlen(buf) < 8);
}

static void test_err_format(void)
{
	sf_err_t e;
	char buf[600];
	sf_diag_t d;

	sf_err_set(&e, SF_EPARSE, "x.yaml", 14, 7, "unknown key '%s'", "k");
	sf_err_format(&e, buf, sizeof(buf));
	T_EQ_STR(buf, "x.yaml:14:7: error: unknown key 'k'");
	sf_err_set(&e, SF_EPARSE, "t.csv", 3, 0, "bad");
	sf_err_format(&e, buf, sizeof(buf));
	T_EQ_STR(buf, "t.csv:3: error: bad");
	sf_diag_init(&d);
	for (int i = 0; i < SF_DIAG_MAX + 3; i++)
		sf_diag_add(&d, SF_EPARSE, "f", 1, 1, "e%d", i);
	T_EQ_INT(d.n, SF_DIAG_MAX);
	T_EQ_INT(d.dropped, 3);
}

static void test_class_names(void)
{
	for (int c = 0; c < SF_CLASS_COUNT; c++) {
		const char *n = sf_class_name((sf_class_t)c);
		T_EQ_INT(sf_class_parse(n, strlen(n)), c);
		T_CONTAINS(sf_class_all_names(), n);
	}
	T_EQ_INT(sf_class_parse("home", 4), -1);
}

int main(void)
{
	T_RUN(test_num_parse);
	T_RUN(test_cidr);
	T_RUN(test_json_escape);
	T_RUN(test_err_format);
	T_RUN(test_class_names);
	return T_DONE();
}
