/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_certname.c - libFuzzer target for the matching of TLS peer
 * certificate names (config/sf_certname.h): the names come from the peer,
 * so any bytes, any length.
 *
 * Input: split at its first 0xff byte; before it, '\n'-separated
 * patterns (those sf_cert_pattern_check refuses are skipped, as the
 * loader would); after it, '\n'-separated peer names, raw bytes (NULs
 * included).  Every name is matched against every pattern, and checked
 * against what a match must mean: a name that matches is all printable
 * ASCII, at most SF_CERT_NAME_MAX bytes, and a pattern without '*'
 * matches exactly the names equal to it ignoring ASCII case; then the
 * names go through sf_cert_names_match as a trunk's SANs and CNs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/sf_certname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *pat, const char *name, size_t len)
{
	bool m = sf_cert_name_match(pat, name, len);

	if (!m)
		return;
	if (len == 0 || len > SF_CERT_NAME_MAX)
		abort();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] <= 0x20 ||
		    (unsigned char)name[i] >= 0x7f)
			abort();
	if (!strchr(pat, '*') &&
	    (strlen(pat) != len || strncasecmp(pat, name, len)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	const char *sep = memchr(p, 0xff, size);
	sf_trunk_t *t = calloc(1, sizeof(*t));
	sf_peer_names_t n;
	char why[128];

	if (!t)
		return 0;
	memset(&n, 0, sizeof(n));
	if (!sep)
		sep = end;
	/* patterns */
	for (const char *q = p; q < sep && t->cert.n_san < SF_CFG_MAX_CERT_NAMES;) {
		const char *nl = memchr(q, '\n', (size_t)(sep - q));
		size_t l = (size_t)((nl ? nl : sep) - q);

		if (!memchr(q, '\0', l) &&
		    sf_cert_pattern_check(q, l, why, sizeof(why))) {
			memcpy(t->cert.san[t->cert.n_san], q, l);
			t->cert.san[t->cert.n_san][l] = '\0';
			memcpy(t->cert.subject[t->cert.n_san],
			       t->cert.san[t->cert.n_san], l + 1);
			t->cert.n_san++;
		}
		q = nl ? nl + 1 : sep;
	}
	t->cert.n_subject = t->cert.n_san;
	/* names */
	for (const char *q = sep < end ? sep + 1 : end; q < end;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		size_t l = (size_t)((nl ? nl : end) - q);

		for (size_t i = 0; i < t->cert.n_san; i++)
			check(t->cert.san[i], q, l);
		if (n.n_san < SF_CERT_MAX_NAMES) {
			n.san[n.n_san] = q;
			n.san_len[n.n_san++] = l;
		}
		if (n.n_cn < 4) {
			n.cn[n.n_cn] = q;
			n.cn_len[n.n_cn++] = l;
		}
		q = nl ? nl + 1 : end;
	}
	(void)sf_cert_names_match(t, &n);
	free(t);
	return 0;
}
