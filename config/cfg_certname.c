/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cfg_certname.c - certificate name patterns (see sf_certname.h): the
 * check of a pattern from the config, and the match of an untrusted
 * peer name against it.
 */
#include "sf_certname.h"

#include <stdio.h>
#include <string.h>

static unsigned char lower(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch + 32) : ch;
}

static bool printable(unsigned char ch)
{
	return ch > 0x20 && ch < 0x7f;
}

bool sf_cert_pattern_check(const char *p, size_t len, char *why,
			   size_t whysize)
{
	unsigned stars = 0;

	if (len == 0 || len >= SF_CFG_CERT_NAME_MAX) {
		snprintf(why, whysize, "a pattern is 1 to %d bytes",
			 SF_CFG_CERT_NAME_MAX - 1);
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (!printable((unsigned char)p[i])) {
			snprintf(why, whysize, "only printable ASCII without "
				 "spaces is allowed");
			return false;
		}
		stars += p[i] == '*';
	}
	if (stars > 4) {
		snprintf(why, whysize, "at most 4 '*' in a pattern");
		return false;
	}
	return true;
}

/*
 * Glob with '*' confined to one label.  Backtracking restarts only from
 * the last '*' seen, and never across a '.', so the work is at most
 * (pattern length) x (name length).
 */
bool sf_cert_name_match(const char *pattern, const char *name, size_t len)
{
	const unsigned char *p = (const unsigned char *)pattern;
	const unsigned char *n = (const unsigned char *)name, *e = n + len;
	const unsigned char *star_p = NULL, *star_n = NULL;

	if (len == 0 || len > SF_CERT_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!printable(n[i]))
			return false;
	while (n < e) {
		if (*p == '*') {
			star_p = ++p;
			star_n = n;
			continue;
		}
		if (*p && lower(*p) == lower(*n)) {
			p++;
			n++;
			continue;
		}
		/* let the last '*' take one more byte, never a dot */
		if (star_p && *star_n != '.') {
			p = star_p;
			n = ++star_n;
			continue;
		}
		return false;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

bool sf_cert_names_match(const sf_trunk_t *t, const sf_peer_names_t *n)
{
	for (size_t i = 0; i < n->n_san && i < SF_CERT_MAX_NAMES; i++)
		for (size_t j = 0; j < t->cert.n_san; j++)
			if (sf_cert_name_match(t->cert.san[j], n->san[i],
					       n->san_len[i]))
				return true;
	for (size_t i = 0; i < n->n_cn && i < 4; i++)
		for (size_t j = 0; j < t->cert.n_subject; j++)
			if (sf_cert_name_match(t->cert.subject[j], n->cn[i],
					       n->cn_len[i]))
				return true;
	return false;
}
