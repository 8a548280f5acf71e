/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_normalize.c - libFuzzer target for the number normaliser.
 *
 * The input, split at its first '\n' into a user part and a phone-context,
 * goes to sf_normalize() with the example (Kazakhstan) dialling rules; the
 * whole input also goes to sf_normalize_text() as a C string.  Invariants,
 * any input: OK gives a key of ASCII digits only, 1..16 long, NUL at len,
 * E.164 with 7..15 digits not starting with '0', short codes starting with
 * '0'; anything else gives a zeroed number; and an OK key read back
 * ("+digits", or the short code's digits) normalises to itself.  A
 * violation calls abort() so libFuzzer keeps the input.
 *
 *   clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_normalize.c \
 *         sipfilter/engine/sf_normalize.c -o fuzz_normalize   (or: make fuzz)
 *   ./fuzz_normalize -max_total_time=120 tests/fuzz/corpus/normalize
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipfilter/engine/sf_normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                           \
	do {                                                               \
		if (!(c))                                                  \
			abort();                                           \
	} while (0)

static const sf_dialling_t rules = {
	.country_code = "7",
	.national_prefix = "8",
	.intl_prefixes = {"810", "00"},
	.n_intl_prefixes = 2,
	.national_length = 10,
	.max_short_length = 6,
};

static void check(sf_norm_status_t st, const sf_num_t *n)
{
	CHECK(sf_norm_status_name(st)[0] != '?');
	if (st != SF_NORM_OK) {
		CHECK(n->kind == SF_NUM_NONE && n->len == 0);
		return;
	}
	CHECK(n->len >= 1 && n->len <= SF_NUM_MAX);
	CHECK(n->d[n->len] == '\0');
	for (unsigned i = 0; i < n->len; i++)
		CHECK(n->d[i] >= '0' && n->d[i] <= '9');
	if (n->kind == SF_NUM_E164) {
		CHECK(n->len >= SF_NORM_MIN_E164 && n->len <= 15);
		CHECK(n->d[0] != '0');
	} else {
		CHECK(n->kind == SF_NUM_SHORT && n->d[0] == '0' && n->len >= 2);
	}
}

/* The key, written back as a number, reads as the same key. */
static void check_fixpoint(const sf_num_t *n)
{
	char txt[SF_NUM_MAX + 2];
	sf_num_t again;

	if (n->kind == SF_NUM_E164) {
		txt[0] = '+';
		memcpy(txt + 1, n->d, n->len + 1u);
	} else {
		memcpy(txt, n->d + 1, n->len); /* includes the NUL */
	}
	CHECK(sf_normalize(&rules, sf_str_c(txt), SF_STR_NULL, &again) ==
	      SF_NORM_OK);
	CHECK(sf_num_eq(n, &again));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	sf_str_t user = sf_str(s, nl ? (size_t)(nl - s) : size);
	sf_str_t ctx = nl ? sf_str(nl + 1, size - user.len - 1) : SF_STR_NULL;
	sf_num_t n;
	sf_norm_status_t st;
	char *text;

	st = sf_normalize(&rules, user, ctx, &n);
	check(st, &n);
	if (st == SF_NORM_OK)
		check_fixpoint(&n);

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	st = sf_normalize_text(&rules, text, &n);
	check(st, &n);
	if (st == SF_NORM_OK)
		check_fixpoint(&n);
	free(text);
	return 0;
}
