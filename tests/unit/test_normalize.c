/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_normalize.c - sf_normalize() and sf_normalize_text() against a table
 * of inputs and expected keys, with the example (Kazakhstan) dialling
 * rules: country code 7, national prefix 8, international prefixes 810 and
 * 00, 10-digit NSN, short codes up to 6 digits.  Every shape the header
 * documents has a row, and so has every refusal.
 */
#include "sipfilter/engine/sf_normalize.h"

#include "t.h"

static sf_dialling_t kz(void)
{
	sf_dialling_t d;

	memset(&d, 0, sizeof(d));
	strcpy(d.country_code, "7");
	strcpy(d.national_prefix, "8");
	strcpy(d.intl_prefixes[0], "810");
	strcpy(d.intl_prefixes[1], "00");
	d.n_intl_prefixes = 2;
	d.national_length = 10;
	d.max_short_length = 6;
	return d;
}

/* expected key: "+digits" (E.164), "short:digits", or "" for no number */
typedef struct row {
	const char *user;
	const char *ctx;
	sf_norm_status_t st;
	const char *key;
} row_t;

#define OK SF_NORM_OK

static const row_t uri_rows[] = {
	/* international with '+', escaped or not */
	{"+77011234567", NULL, OK, "+77011234567"},
	{"%2B77011234567", NULL, OK, "+77011234567"},
	{"%2b77011234567", NULL, OK, "+77011234567"},
	{"+442079460958", NULL, OK, "+442079460958"},
	{"+6834123", NULL, OK, "+6834123"},           /* 7 digits: Niue */
	{"+683412", NULL, SF_NORM_TOO_SHORT, ""},
	{"+112", NULL, SF_NORM_TOO_SHORT, ""},
	{"+", NULL, SF_NORM_TOO_SHORT, ""},
	{"+0701234567", NULL, SF_NORM_BAD_CHAR, ""},
	{"+123456789012345", NULL, OK, "+123456789012345"},
	{"+1234567890123456", NULL, SF_NORM_TOO_LONG, ""},
	/* visual separators (RFC 3966) */
	{"+7(701)123-45-67", NULL, OK, "+77011234567"},
	{"+7.701.123.45.67", NULL, OK, "+77011234567"},
	{"%2B7%20(701)%20123-45-67", NULL, OK, "+77011234567"},
	{"+7 701 1234567", NULL, SF_NORM_BAD_CHAR, ""}, /* raw SP in a URI */
	{"8-701-123-45-67", NULL, OK, "+77011234567"},
	/* Kazakhstan national forms */
	{"87011234567", NULL, OK, "+77011234567"},
	{"77011234567", NULL, OK, "+77011234567"},
	{"7011234567", NULL, OK, "+77011234567"},
	{"87272123456", NULL, OK, "+77272123456"},    /* Almaty fixed */
	/* international prefixes */
	{"81077011234567", NULL, OK, "+77011234567"},
	{"0077011234567", NULL, OK, "+77011234567"},
	{"810442079460958", NULL, OK, "+442079460958"},
	{"0049301234567", NULL, OK, "+49301234567"},
	{"810123456789012345", NULL, OK, "+123456789012345"},
	{"8101234567890123456", NULL, SF_NORM_TOO_LONG, ""},
	{"00049301234567", NULL, SF_NORM_TOO_SHORT, ""}, /* "0" after 00 */
	{"0012345", NULL, SF_NORM_TOO_SHORT, ""},
	/* 810 + too few digits is not international: NSN rule, short code */
	{"8101234567", NULL, OK, "+78101234567"},
	{"810", NULL, OK, "short:810"},
	{"00", NULL, OK, "short:00"},
	/* short codes */
	{"102", NULL, OK, "short:102"},
	{"112", NULL, OK, "short:112"},
	{"1414", NULL, OK, "short:1414"},
	{"02", NULL, OK, "short:02"},
	{"123456", NULL, OK, "short:123456"},
	{"1234567", NULL, SF_NORM_TOO_SHORT, ""},
	/* no '+', 8..15 digits, no context: international as it stands */
	{"442079460958", NULL, OK, "+442079460958"},
	{"49301234567", NULL, OK, "+49301234567"},
	{"770112345", NULL, OK, "+770112345"},
	{"0123456789012", NULL, SF_NORM_TOO_SHORT, ""},
	{"1234567890123456", NULL, SF_NORM_TOO_LONG, ""},
	/* user parameters dropped */
	{"+77011234567;npdi;rn=+77019999999", NULL, OK, "+77011234567"},
	{"+77011234567;isub=1234", NULL, OK, "+77011234567"},
	{"87011234567;ext=22", NULL, OK, "+77011234567"},
	{";npdi", NULL, SF_NORM_EMPTY, ""},
	/* phone-context: ours, foreign, domain, broken */
	{"7011234567", "+7", OK, "+77011234567"},
	{"87011234567", "+7", OK, "+77011234567"},
	{"102", "+7", OK, "short:102"},
	{"7011234567;phone-context=+7", NULL, OK, "+77011234567"},
	{"7011234567;Phone-Context=%2B7", NULL, OK, "+77011234567"},
	{"2123456", "+7727", OK, "+77272123456"},
	{"2079460958", "+44", OK, "+442079460958"},
	{"1", "+44", SF_NORM_TOO_SHORT, ""},
	{"2079460958123", "+44", OK, "+442079460958123"},
	{"20794609581234", "+44", SF_NORM_TOO_LONG, ""},
	{"+77011234567", "+44", OK, "+77011234567"},
	{"7011234567", "ims.mnc001.mcc401.3gppnetwork.org", OK,
	 "+77011234567"},
	{"112", "ims.mnc001.mcc401.3gppnetwork.org", OK, "short:112"},
	{"79460958", "example.co.uk", SF_NORM_BAD_CONTEXT, ""},
	{"2079460958", "example.co.uk", OK, "+72079460958"}, /* NSN rule */
	/* no '+' and a context: no international fallback */
	{"442079460958", "+7", SF_NORM_TOO_SHORT, ""},
	{"7011234567", "+", SF_NORM_BAD_CONTEXT, ""},
	{"7011234567", "+0", SF_NORM_BAD_CONTEXT, ""},
	{"7011234567", "bad context", SF_NORM_BAD_CONTEXT, ""},
	{"7011234567", "+7a", SF_NORM_BAD_CONTEXT, ""},
	{"7011234567;phone-context=", NULL, SF_NORM_BAD_CONTEXT, ""},
	{"7011234567;phone-context", NULL, SF_NORM_BAD_CONTEXT, ""},
	/* escapes */
	{"%2B33123%00999", NULL, SF_NORM_BAD_ESCAPE, ""},
	{"%00", NULL, SF_NORM_BAD_ESCAPE, ""},
	{"+7701%2", NULL, SF_NORM_BAD_ESCAPE, ""},
	{"+7701%zz1234", NULL, SF_NORM_BAD_ESCAPE, ""},
	{"%", NULL, SF_NORM_BAD_ESCAPE, ""},
	{"+7701%41234567", NULL, SF_NORM_BAD_ESCAPE, ""}, /* %41 = 'A' */
	{"%37%30%31%31%32%33%34%35%36%37", NULL, OK, "+77011234567"},
	{"+7701%2B1234567", NULL, SF_NORM_BAD_ESCAPE, ""},
	{"+7701%3B1234567", NULL, SF_NORM_BAD_ESCAPE, ""}, /* %3B = ';' */
	/* characters */
	{"+7701+1234567", NULL, SF_NORM_BAD_CHAR, ""},
	{"(+7)7011234567", NULL, SF_NORM_BAD_CHAR, ""},
	{"+\xef\xbc\x97\xef\xbc\x97\xef\xbc\x90\xef\xbc\x91", NULL,
	 SF_NORM_BAD_CHAR, ""}, /* full-width digits */
	{"\xd9\xa1\xd9\xa2\xd9\xa3", NULL, SF_NORM_BAD_CHAR, ""}, /* Arabic */
	{"alice", NULL, SF_NORM_BAD_CHAR, ""},
	{"*100#", NULL, SF_NORM_BAD_CHAR, ""},
	{"7011234567p1", NULL, SF_NORM_BAD_CHAR, ""},
	{"-", NULL, SF_NORM_TOO_SHORT, ""},
	/* anonymous words */
	{"anonymous", NULL, SF_NORM_ANONYMOUS, ""},
	{"Anonymous", NULL, SF_NORM_ANONYMOUS, ""},
	{"UNKNOWN", NULL, SF_NORM_ANONYMOUS, ""},
	{"restricted", NULL, SF_NORM_ANONYMOUS, ""},
	{"Unavailable", NULL, SF_NORM_ANONYMOUS, ""},
	{"private", NULL, SF_NORM_ANONYMOUS, ""},
	{"withheld;foo=bar", NULL, SF_NORM_ANONYMOUS, ""},
	{"anonymous1", NULL, SF_NORM_BAD_CHAR, ""},
	/* empty and over-long */
	{"", NULL, SF_NORM_EMPTY, ""},
	{"1234567890123456789012345678901234567890", NULL, SF_NORM_TOO_LONG,
	 ""},
	{"+7-------------------------------------------------------------"
	 "7011234567",
	 NULL, SF_NORM_TOO_LONG, ""}, /* 74 bytes before ';' */
	{"+77011234567;xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	 NULL, SF_NORM_TOO_LONG, ""}, /* 131 bytes in all */
};

static const row_t text_rows[] = {
	{"+7 701 123-45-67", NULL, OK, "+77011234567"},
	{"+7 (701) 123-45-67", NULL, OK, "+77011234567"},
	{"  8 701 123 45 67  ", NULL, OK, "+77011234567"},
	{"8 10 44 20 7946 0958", NULL, OK, "+442079460958"},
	{"00 49 30 1234567", NULL, OK, "+49301234567"},
	{"7 701 123 45 67", NULL, OK, "+77011234567"},
	{"102", NULL, OK, "short:102"},
	{"%2B77011234567", NULL, SF_NORM_BAD_CHAR, ""}, /* no escapes here */
	{"anonymous", NULL, SF_NORM_ANONYMOUS, ""},
	{"", NULL, SF_NORM_EMPTY, ""},
	{"   ", NULL, SF_NORM_EMPTY, ""},
};

static void key_of(const sf_num_t *n, char *buf, size_t size)
{
	if (n->kind == SF_NUM_E164)
		snprintf(buf, size, "+%s", n->d);
	else if (n->kind == SF_NUM_SHORT)
		snprintf(buf, size, "short:%s", n->d + 1);
	else
		buf[0] = '\0';
}

static void check_row(const row_t *r, sf_norm_status_t st, const sf_num_t *n)
{
	char key[64];

	key_of(n, key, sizeof(key));
	if (st != r->st || strcmp(key, r->key) != 0)
		T_FAIL_AT("\"%s\" ctx \"%s\": got %s \"%s\", "
			  "want %s \"%s\"",
			  r->user, r->ctx ? r->ctx : "", sf_norm_status_name(st),
			  key, sf_norm_status_name(r->st), r->key);
	/* invariants on every result */
	if (st == SF_NORM_OK) {
		T_TRUE(n->len > 0 && n->len <= SF_NUM_MAX);
		T_TRUE(strlen(n->d) == n->len);
		for (unsigned i = 0; i < n->len; i++)
			T_TRUE(n->d[i] >= '0' && n->d[i] <= '9');
		if (n->kind == SF_NUM_E164)
			T_TRUE(n->d[0] != '0' && n->len <= 15);
		else
			T_TRUE(n->d[0] == '0');
	} else {
		T_EQ_INT(n->kind, SF_NUM_NONE);
		T_EQ_INT(n->len, 0);
	}
}

static void test_uri_table(void)
{
	sf_dialling_t d = kz();

	for (size_t i = 0; i < sizeof(uri_rows) / sizeof(uri_rows[0]); i++) {
		const row_t *r = &uri_rows[i];
		sf_num_t n;
		sf_norm_status_t st;

		memset(&n, 0xa5, sizeof(n));
		st = sf_normalize(&d, sf_str_c(r->user), sf_str_c(r->ctx), &n);
		check_row(r, st, &n);
	}
}

static void test_text_table(void)
{
	sf_dialling_t d = kz();

	for (size_t i = 0; i < sizeof(text_rows) / sizeof(text_rows[0]); i++) {
		const row_t *r = &text_rows[i];
		sf_num_t n;

		check_row(r, sf_normalize_text(&d, r->user, &n), &n);
	}
	{
		sf_num_t n;

		T_EQ_INT(sf_normalize_text(&d, "+7 701 123 45 67 89012", &n),
			 SF_NORM_TOO_LONG);
		T_EQ_INT(sf_normalize_text(&d, NULL, &n), SF_NORM_EMPTY);
	}
}

/* %00 inside the user part: the bytes after it must not vanish. */
static void test_embedded_nul(void)
{
	sf_dialling_t d = kz();
	const char raw[] = "+77011234567\0" "999";
	sf_num_t n;

	/* a raw NUL (as a view) is a bad character, not an end of string */
	T_EQ_INT(sf_normalize(&d, sf_str(raw, sizeof(raw) - 1), SF_STR_NULL,
			      &n),
		 SF_NORM_BAD_CHAR);
	T_EQ_INT(sf_normalize(&d, sf_str_c("+7701123%004567"), SF_STR_NULL,
			      &n),
		 SF_NORM_BAD_ESCAPE);
}

/* Views are read with their length only: no byte past len is looked at. */
static void test_length_bound(void)
{
	sf_dialling_t d = kz();
	char buf[32];
	sf_num_t n;

	memcpy(buf, "+77011234567XXXX", 16);
	T_EQ_INT(sf_normalize(&d, sf_str(buf, 12), SF_STR_NULL, &n), OK);
	T_EQ_STR(n.d, "77011234567");
	/* "+7701%2" cut inside an escape: the escape is malformed */
	memcpy(buf, "+7701%2B", 8);
	T_EQ_INT(sf_normalize(&d, sf_str(buf, 7), SF_STR_NULL, &n),
		 SF_NORM_BAD_ESCAPE);
}

/* Dialling rules without a national prefix nor intl prefixes (e.g. a
 * closed numbering plan) still read '+' numbers and the NSN forms. */
static void test_other_rules(void)
{
	sf_dialling_t d;
	sf_num_t n;

	memset(&d, 0, sizeof(d));
	strcpy(d.country_code, "358");
	strcpy(d.intl_prefixes[0], "00");
	strcpy(d.intl_prefixes[1], "990");
	d.n_intl_prefixes = 2;
	d.national_length = 9;
	d.max_short_length = 5;
	T_EQ_INT(sf_normalize(&d, sf_str_c("401234567"), SF_STR_NULL, &n), OK);
	T_EQ_STR(n.d, "358401234567");
	T_EQ_INT(sf_normalize(&d, sf_str_c("990441234567890"), SF_STR_NULL,
			      &n),
		 OK);
	T_EQ_STR(n.d, "441234567890");
	T_EQ_INT(sf_normalize(&d, sf_str_c("112"), SF_STR_NULL, &n), OK);
	T_EQ_STR(n.d, "0112");
	/* empty country code: only '+' and international forms read */
	memset(&d, 0, sizeof(d));
	T_EQ_INT(sf_normalize(&d, sf_str_c("7011234567"), SF_STR_NULL, &n),
		 OK); /* international fallback */
	T_EQ_STR(n.d, "7011234567");
	T_EQ_INT(sf_normalize(&d, sf_str_c("102"), SF_STR_NULL, &n),
		 SF_NORM_TOO_SHORT);
}

static void test_status_names(void)
{
	T_EQ_STR(sf_norm_status_name(SF_NORM_OK), "ok");
	T_EQ_STR(sf_norm_status_name(SF_NORM_BAD_ESCAPE), "bad-escape");
	T_EQ_STR(sf_norm_status_name(SF_NORM_BAD_URI), "bad-uri");
	T_EQ_STR(sf_norm_status_name((sf_norm_status_t)99), "?");
}

int main(void)
{
	T_RUN(test_uri_table);
	T_RUN(test_text_table);
	T_RUN(test_embedded_nul);
	T_RUN(test_length_bound);
	T_RUN(test_other_rules);
	T_RUN(test_status_names);
	return T_DONE();
}
