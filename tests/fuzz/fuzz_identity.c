/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_identity.c - libFuzzer target for identity extraction.
 *
 * Each input is used twice:
 *  1. as a SIP message: sf_sip_scan(), and for an accepted request
 *     sf_call_extract() with the example dialling rules.  Checks: every
 *     number with status OK is ASCII digits of a sane length, no number
 *     without OK, every URI view lies inside the message, presented and
 *     called point into the call; and every identity value of the message
 *     reads the same through the plain-shape fast path and through
 *     libosip2 (the differential of identity_fast.h);
 *  2. as one header value and as a Request-URI (when under 1 KiB): the
 *     same fast/libosip2 differential, on raw bytes the scanner would
 *     never let through.
 * A violation calls abort() so libFuzzer keeps the input.
 *
 * Speed (issue 15): under libFuzzer the message differential reads the
 * first DIFF_VALUES identity values of a message only.  Each value costs
 * two libosip2 parses, so a message's cost grew with its number of values
 * (a 16 KiB message of short identity headers holds hundreds; the 10 M
 * run fell to 6,400/s as inputs grew), while the values after the first
 * few take the same paths.  The corpus replay (SF_FUZZ_REPLAY) reads them all.
 * fuzz_identity.options caps inputs at the scanner's default max_message
 * plus one byte: anything longer is refused whole by sf_sip_scan.
 *
 *   clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_identity.c \
 *         sipfilter/engine/sf_identity.c sipfilter/engine/identity_fast.c \
 *         sipfilter/engine/sf_normalize.c sipfilter/engine/sf_sip.c base/sf_num.c \
 *         -losipparser2 -o fuzz_identity              (or: make fuzz)
 *   ./fuzz_identity -max_total_time=120 tests/fuzz/corpus/identity \
 *         ../shared/corpus/torture/rfc4475
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipfilter/engine/identity_fast.h"
#include "sipfilter/engine/sf_identity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(c)                                                           \
	do {                                                               \
		if (!(c))                                                  \
			abort();                                           \
	} while (0)

static sf_cfg_t cfg = {
	.dialling = {
		.country_code = "7",
		.national_prefix = "8",
		.intl_prefixes = {"810", "00"},
		.n_intl_prefixes = 2,
		.national_length = 10,
		.max_short_length = 6,
	},
	.identity_order = {SF_ID_PAI, SF_ID_RPID, SF_ID_FROM},
	.n_identity_order = 3,
};

#ifdef SF_FUZZ_REPLAY
#define DIFF_VALUES ((size_t)-1)
#else
#define DIFF_VALUES 16u
#endif

static sf_sipmsg_t g_m;
static sf_call_t g_call;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	sf_identity_global_init();
	return 0;
}

static void check_ident(const sf_ident_t *id, const char *lo, size_t len)
{
	if (id->status == SF_NORM_OK) {
		CHECK(id->present);
		CHECK(id->num.kind == SF_NUM_E164 ||
		      id->num.kind == SF_NUM_SHORT);
		CHECK(id->num.len >= 1 && id->num.len <= SF_NUM_MAX);
		for (unsigned i = 0; i < id->num.len; i++)
			CHECK(id->num.d[i] >= '0' && id->num.d[i] <= '9');
	} else {
		CHECK(id->num.kind == SF_NUM_NONE);
	}
	if (id->uri.len)
		CHECK(id->uri.s >= lo && id->uri.s + id->uri.len <= lo + len);
}

static bool same(const sf_ident_t *a, const sf_ident_t *b)
{
	return a->present == b->present && a->status == b->status &&
	       a->num.kind == b->num.kind && sf_num_eq(&a->num, &b->num) &&
	       a->uri.s == b->uri.s && a->uri.len == b->uri.len;
}

static void diff_value(sf_str_t v)
{
	sf_ident_t a, b;
	sf_ident_extra_t xa, xb;

	sf_ident_read_value(&cfg.dialling, v, &a, &xa, true);
	sf_ident_read_value(&cfg.dialling, v, &b, &xb, false);
	CHECK(same(&a, &b));
	CHECK(xa.rpid_privacy == xb.rpid_privacy);
	CHECK(xa.party_called == xb.party_called);
	check_ident(&a, v.s, v.len);
}

static void diff_ruri(sf_str_t v)
{
	sf_ident_t a, b;
	bool sa = false, sb = false;

	sf_ident_read_ruri(&cfg.dialling, v, &a, &sa, true);
	sf_ident_read_ruri(&cfg.dialling, v, &b, &sb, false);
	CHECK(same(&a, &b) && sa == sb);
	check_ident(&a, v.s, v.len);
}

static void as_message(const char *buf, size_t size)
{
	const sf_sipmsg_t *m = &g_m;
	const sf_call_t *c = &g_call;
	const sf_ident_t *first = &c->from;
	const sf_ident_t *last = &c->diversion[SF_CALL_MAX_DIVERSION - 1];
	size_t budget = DIFF_VALUES;

	if (sf_sip_scan(buf, size, NULL, &g_m) != 0)
		return;
	if (sf_call_extract(&cfg, m, &g_call) != 0) {
		CHECK(!m->is_request);
		return;
	}
	CHECK(c->n_pai <= SF_CALL_MAX_PAI);
	CHECK(c->n_diversion <= SF_CALL_MAX_DIVERSION);
	check_ident(&c->from, m->buf, m->len);
	check_ident(&c->from_display, m->buf, m->len);
	check_ident(&c->pai_display, m->buf, m->len);
	CHECK(!c->from_display.present || c->from_display.status == SF_NORM_OK);
	CHECK(c->n_pai <= c->n_pai_values);
	CHECK(!c->identity_conflict || c->n_pai == 2);
	check_ident(&c->ruri, m->buf, m->len);
	check_ident(&c->ppi, m->buf, m->len);
	check_ident(&c->rpid, m->buf, m->len);
	for (unsigned i = 0; i < SF_CALL_MAX_PAI; i++)
		check_ident(&c->pai[i], m->buf, m->len);
	for (unsigned i = 0; i < SF_CALL_MAX_DIVERSION; i++)
		check_ident(&c->diversion[i], m->buf, m->len);
	CHECK(!c->presented || (c->presented >= first && c->presented <= last &&
				c->presented->present));
	CHECK(c->called == &c->ruri); /* never To (exemptions) */

	diff_ruri(m->ruri);
	for (unsigned i = 0; i < m->n_hdrs; i++) {
		const sf_sip_hdr_t *h = &m->hdrs[i];
		sf_str_t el[8];
		size_t n;

		if (h->id != SF_HDR_FROM && h->id != SF_HDR_TO &&
		    h->id != SF_HDR_PAI && h->id != SF_HDR_PPI &&
		    h->id != SF_HDR_RPID && h->id != SF_HDR_DIVERSION &&
		    h->id != SF_HDR_HISTORY_INFO)
			continue;
		n = sf_ident_split(h->value, el, 8);
		for (size_t k = 0; k < n && k < 8 && budget; k++, budget--)
			diff_value(el[k]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	as_message(s, size);
	if (size < 1024) {
		diff_value(sf_str(s, size));
		diff_ruri(sf_str(s, size));
	}
	return 0;
}
