/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_num.c - formatting and parsing of the number key form (see sf_num.h).
 */
#include "sf_num.h"
#include "sf_err.h"

#include <stdio.h>
#include <string.h>

size_t sf_num_format_len(const sf_num_t *n, char *buf, size_t size)
{
	const char *d = n->d;
	size_t len = n->len > SF_NUM_MAX ? 0 : n->len, k = 0;

	if (!size)
		return 0;
	if (n->kind == SF_NUM_E164) {
		if (size > 1)
			buf[k++] = '+';
	} else if (n->kind == SF_NUM_SHORT && len > 1) {
		d++;
		len--;
	} else {
		len = 0;
	}
	if (len > size - 1 - k)
		len = size - 1 - k;
	memcpy(buf + k, d, len);
	buf[k + len] = '\0';
	return k + len;
}

char *sf_num_format(const sf_num_t *n, char *buf, size_t size)
{
	sf_num_format_len(n, buf, size);
	return buf;
}

int sf_num_parse_key(const char *s, size_t len, sf_num_t *out)
{
	size_t i = 0;
	int kind = SF_NUM_E164;

	memset(out, 0, sizeof(*out));
	if (len > 6 && memcmp(s, "short:", 6) == 0) {
		kind = SF_NUM_SHORT;
		i = 6;
	} else if (len && s[0] == '+') {
		i = 1;
	}
	if (i == len)
		return SF_EPARSE;
	if (kind == SF_NUM_E164 && s[i] == '0')
		return SF_EPARSE; /* E.164 never starts with 0 */
	if (kind == SF_NUM_SHORT)
		out->d[out->len++] = '0';
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || out->len >= 15 + (kind == SF_NUM_SHORT))
			return SF_EPARSE;
		out->d[out->len++] = s[i];
	}
	out->d[out->len] = '\0';
	out->kind = (uint8_t)kind;
	return 0;
}
