/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_salvage.c - just enough of a refused request to answer it 400 (see
 * sf_salvage.h).
 */
#include "sf_salvage.h"

#include <stddef.h>
#include <string.h>

#include "base/sf_err.h"
#include "sf_via.h"

static bool tchar(unsigned char c)
{
	/* RFC 3261 §25.1 token characters. */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("-.!%*_+`'~", c));
}

/* Printable ASCII, tab or (UTF-8) high bytes: what we may echo. */
static bool clean(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

static bool salvage_start(const char *s, size_t n, sf_sipmsg_t *m)
{
	size_t i = 0, j;

	while (i < n && i < 32 && tchar((unsigned char)s[i]))
		i++;
	if (i == 0 || i >= n || s[i] != ' ')
		return false;
	m->method = sf_str(s, i);
	j = ++i;
	while (i < n && s[i] != ' ' && (unsigned char)s[i] > 0x20 &&
	       s[i] != 0x7f)
		i++;
	if (i == j || i >= n)
		return false;
	m->ruri = sf_str(s + j, i - j);
	return n - i == 8 && !memcmp(s + i, " SIP/2.0", 8);
}

int sf_salvage(const char *buf, size_t len, sf_sipmsg_t *m)
{
	const char *p = buf, *e = buf + len, *nl;
	bool last_kept = false;
	sf_via_t via;

	memset(m, 0, offsetof(sf_sipmsg_t, hdrs));
	m->n_hdrs = 0;
	for (unsigned i = 0; i < SF_HDR_COUNT; i++) {
		m->first[i] = -1;
		m->count[i] = 0;
	}
	m->buf = buf;
	m->is_request = true;
	nl = memchr(p, '\n', (size_t)(e - p));
	if (!nl || nl == p || nl[-1] != '\r' ||
	    !salvage_start(p, (size_t)(nl - 1 - p), m))
		return SF_EPARSE;
	m->start_line_end = (uint32_t)(nl + 1 - buf);
	for (p = nl + 1; p < e; p = nl + 1) {
		const char *le, *colon, *ne, *vs, *ve;
		sf_hdr_id_t id;
		sf_sip_hdr_t *h;

		nl = memchr(p, '\n', (size_t)(e - p));
		if (!nl || nl == p || nl[-1] != '\r')
			break; /* bare LF or cut short: stop reading */
		le = nl - 1;
		if (le == p)
			break; /* the blank line */
		if (*p == ' ' || *p == '\t') {
			/* A fold: a kept header would be incomplete. */
			if (last_kept)
				return SF_EPARSE;
			continue;
		}
		last_kept = false;
		colon = memchr(p, ':', (size_t)(le - p));
		if (!colon)
			continue;
		ne = colon;
		while (ne > p && (ne[-1] == ' ' || ne[-1] == '\t'))
			ne--;
		id = sf_sip_hdr_id(p, (size_t)(ne - p));
		if (id != SF_HDR_VIA && id != SF_HDR_FROM && id != SF_HDR_TO &&
		    id != SF_HDR_CALL_ID && id != SF_HDR_CSEQ)
			continue;
		vs = colon + 1;
		while (vs < le && (*vs == ' ' || *vs == '\t'))
			vs++;
		ve = le;
		while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (ve == vs || !clean(p, (size_t)(le - p)) ||
		    (id != SF_HDR_VIA && m->count[id]) ||
		    m->n_hdrs >= SF_SIP_MAX_HEADERS)
			return SF_EPARSE;
		h = &m->hdrs[m->n_hdrs];
		h->id = id;
		h->name = sf_str(p, (size_t)(ne - p));
		h->value = sf_str(vs, (size_t)(ve - vs));
		h->start = (uint32_t)(p - buf);
		h->end = (uint32_t)(nl + 1 - buf);
		if (m->first[id] < 0)
			m->first[id] = (int16_t)m->n_hdrs;
		m->count[id]++;
		m->n_hdrs++;
		last_kept = true;
	}
	if (!m->count[SF_HDR_VIA] || !m->count[SF_HDR_FROM] ||
	    !m->count[SF_HDR_TO] || !m->count[SF_HDR_CALL_ID] ||
	    !m->count[SF_HDR_CSEQ] ||
	    sf_via_parse(m->hdrs[m->first[SF_HDR_VIA]].value, &via) != 0)
		return SF_EPARSE;
	return 0;
}
