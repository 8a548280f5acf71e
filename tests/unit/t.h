/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * t.h - the tiny unit-test harness every tests/unit/test_*.c uses.
 *
 * Each test program is one module's tests: functions registered with
 * T_RUN(fn) in main().  Assertions print both values and the location and
 * mark the current test failed (T_CONTAINS prints the needle and up to
 * T_HAY_MAX bytes of the haystack); the program exits 1 if any test failed and
 * prints "N passed, N failed" so tests/run.sh can add them up.
 * Tests that need files find the repository root in $SF_ROOT (default ".")
 * and the shared corpus in $SF_SHARED (default "../shared").
 */
#ifndef SF_T_H
#define SF_T_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failed_tests, t_passed_tests, t_cur_failed;
static const char *t_cur_name;

#define T_FAIL_AT(...)                                                     \
	do {                                                               \
		fprintf(stderr, "  FAIL %s (%s:%d): ", t_cur_name, __FILE__, \
			__LINE__);                                         \
		fprintf(stderr, __VA_ARGS__);                              \
		fputc('\n', stderr);                                       \
		t_cur_failed = 1;                                          \
	} while (0)

#define T_TRUE(c)                                                          \
	do {                                                               \
		if (!(c))                                                  \
			T_FAIL_AT("expected true: %s", #c);                \
	} while (0)

#define T_EQ_INT(a, b)                                                     \
	do {                                                               \
		long long t_a = (long long)(a), t_b = (long long)(b);      \
		if (t_a != t_b)                                            \
			T_FAIL_AT("%s == %s: %lld != %lld", #a, #b, t_a, t_b); \
	} while (0)

#define T_EQ_STR(a, b)                                                     \
	do {                                                               \
		const char *t_a = (a), *t_b = (b);                         \
		if (!t_a || !t_b || strcmp(t_a, t_b) != 0)                 \
			T_FAIL_AT("%s == %s: \"%s\" != \"%s\"", #a, #b,     \
				  t_a ? t_a : "(null)", t_b ? t_b : "(null)"); \
	} while (0)

/* One string of a failed T_CONTAINS/T_NOT_CONTAINS, on stderr after a
 * label: at most T_HAY_MAX bytes, CR and LF shown as \r \n with a line
 * break after each LF (a SIP message reads as one), other unprintable
 * bytes as \xNN. */
#define T_HAY_MAX 2000
static inline void t_print_esc(const char *label, const char *h)
{
	size_t n, i;

	fprintf(stderr, "    %s", label);
	if (!h) {
		fputs("(null)\n", stderr);
		return;
	}
	n = strlen(h);
	fprintf(stderr, "(%zu bytes) \"", n);
	for (i = 0; i < n && i < T_HAY_MAX; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c == '\r')
			fputs("\\r", stderr);
		else if (c == '\n')
			fputs(i + 1 < n ? "\\n\n      " : "\\n", stderr);
		else if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fputc('"', stderr);
	if (n > T_HAY_MAX)
		fprintf(stderr, " [... %zu more bytes]", n - T_HAY_MAX);
	fputc('\n', stderr);
}

/* hay (a C string) contains needle / does not; on failure both are
 * printed. */
#define T_CONTAINS(hay, needle)                                            \
	do {                                                               \
		const char *t_h = (hay), *t_n = (needle);                  \
		if (!t_h || !strstr(t_h, t_n)) {                           \
			T_FAIL_AT("%s contains %s", #hay, #needle);        \
			t_print_esc("needle:   ", t_n);                     \
			t_print_esc("haystack: ", t_h);                     \
		}                                                          \
	} while (0)

#define T_NOT_CONTAINS(hay, needle)                                        \
	do {                                                               \
		const char *t_h = (hay), *t_n = (needle);                  \
		if (!t_h || strstr(t_h, t_n)) {                            \
			T_FAIL_AT("%s does not contain %s", #hay, #needle); \
			t_print_esc("needle:   ", t_n);                     \
			t_print_esc("haystack: ", t_h);                     \
		}                                                          \
	} while (0)

/* Compares a length-based view with a C string. */
#define T_EQ_VIEW(v, b)                                                    \
	do {                                                               \
		sf_str_t t_v = (v);                                        \
		const char *t_b = (b);                                     \
		if (t_v.len != strlen(t_b) ||                              \
		    (t_v.len && memcmp(t_v.s, t_b, t_v.len) != 0))         \
			T_FAIL_AT("%s == %s: \"%.*s\" != \"%s\"", #v, #b,   \
				  (int)t_v.len, t_v.s ? t_v.s : "", t_b);   \
	} while (0)

#define T_RUN(fn)                                                          \
	do {                                                               \
		t_cur_name = #fn;                                          \
		t_cur_failed = 0;                                          \
		fn();                                                      \
		if (t_cur_failed)                                          \
			t_failed_tests++;                                  \
		else                                                       \
			t_passed_tests++;                                  \
	} while (0)

#define T_DONE()                                                           \
	(printf("%d passed, %d failed\n", t_passed_tests, t_failed_tests), \
	 t_failed_tests ? 1 : 0)

static inline const char *t_root(void)
{
	const char *r = getenv("SF_ROOT");
	return r && *r ? r : ".";
}

static inline const char *t_shared(void)
{
	const char *r = getenv("SF_SHARED");
	return r && *r ? r : "../shared";
}

#endif
