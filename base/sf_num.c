/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_num.c - formatting and parsing of the number key form (see sf_num.h).
 */
#include "sf_num.h"
#include "sf_err.h"

#include <stdio.h>
#include <string.h>

char *sf_num_format(const sf_num_t *n, char *buf, size_t size)
{
	if (n->kind == SF_NUM_E164)
		snprintf(buf, size, "+%.*s", (int)n->len, n->d);
	else if (n->kind == SF_NUM_SHORT && n->len > 1)
		snprintf(buf, size, "%.*s", (int)n->len - 1, n->d + 1);
	else if (size)
		buf[0] = '\0';
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
