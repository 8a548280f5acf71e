/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_route.c - URI host/port/parameters and route-set values (see
 * sf_route.h).
 */
#include "sf_route.h"

#include <string.h>

#include "sf_identity.h"

/* A canonical dotted quad (no leading zeros, parts <= 255) into b[4];
 * false for anything else, including forms inet_pton accepts (those go
 * the slow way). */
static bool quad_fast(sf_str_t h, uint8_t b[4])
{
	const unsigned char *p = (const unsigned char *)h.s;
	const unsigned char *e = p + h.len;

	if (h.len < 7 || h.len > 15)
		return false;
	for (int i = 0; i < 4; i++) {
		unsigned v, d;

		if (p >= e || (v = (unsigned)*p - '0') > 9)
			return false;
		p++;
		if (p < e && (d = (unsigned)*p - '0') <= 9) {
			if (!v)
				return false; /* leading zero */
			v = v * 10 + d;
			p++;
			if (p < e && (d = (unsigned)*p - '0') <= 9) {
				v = v * 10 + d;
				p++;
				if (v > 255)
					return false;
			}
		}
		b[i] = (uint8_t)v;
		if (i < 3) {
			if (p >= e || *p != '.')
				return false;
			p++;
		}
	}
	return p == e;
}

bool sf_host_ip(sf_str_t host, sf_ip_t *ip)
{
	uint8_t b[4];

	if (quad_fast(host, b)) {
		sf_ip_from_v4(b, ip);
		return true;
	}
	return host.len > 0 && host.len < 64 &&
	       sf_ip_parse(host.s, host.len, ip) == 0;
}

bool sf_uri_hostport(sf_str_t uri, sf_uri_hp_t *out)
{
	const char *p = uri.s, *e = uri.s + uri.len, *at, *h;

	memset(out, 0, sizeof(*out));
	if (uri.len >= 4 && sf_str_ieq_c(sf_str(p, 4), "sip:")) {
		p += 4;
	} else if (uri.len >= 5 && sf_str_ieq_c(sf_str(p, 5), "sips:")) {
		p += 5;
		out->sips = true;
	} else {
		return false;
	}
	at = memchr(p, '@', (size_t)(e - p));
	if (at && memchr(at + 1, '@', (size_t)(e - at - 1)))
		return false; /* two readings possible: not for routing */
	out->has_user = at != NULL;
	h = at ? at + 1 : p;
	if (h < e && *h == '[') {
		const char *q = memchr(h, ']', (size_t)(e - h));

		if (!q)
			return false;
		out->host = sf_str(h + 1, (size_t)(q - h - 1));
		h = q + 1;
	} else {
		const char *q = h;

		while (q < e && *q != ':' && *q != ';' && *q != '?')
			q++;
		out->host = sf_str(h, (size_t)(q - h));
		h = q;
	}
	if (h < e && *h == ':') {
		unsigned v = 0, n = 0;

		for (h++; h < e && sf_isdigit((unsigned char)*h) && n < 6;
		     h++, n++)
			v = v * 10 + (unsigned)(*h - '0');
		if (!n || v == 0 || v > 65535)
			return false;
		out->port = (uint16_t)v;
	}
	if (h < e && *h != ';' && *h != '?')
		return false;
	{
		const char *q = memchr(h, '?', (size_t)(e - h));

		out->params = sf_str(h, (size_t)((q ? q : e) - h));
	}
	return out->host.len > 0;
}

bool sf_uri_param(sf_str_t params, const char *name, sf_str_t *val)
{
	const char *p = params.s, *e = params.s + params.len;
	size_t nl = strlen(name);

	while (p < e) {
		const char *s, *eq, *end;

		if (*p != ';')
			return false;
		s = ++p;
		end = memchr(s, ';', (size_t)(e - s));
		if (!end)
			end = e;
		eq = memchr(s, '=', (size_t)(end - s));
		if ((size_t)((eq ? eq : end) - s) == nl &&
		    sf_str_ieq_c(sf_str(s, nl), name)) {
			*val = eq ? sf_str(eq + 1, (size_t)(end - eq - 1))
				  : sf_str(end, 0);
			return true;
		}
		p = end;
	}
	return false;
}

bool sf_uri_ip(const sf_uri_hp_t *u, sf_ip_t *ip)
{
	return sf_host_ip(u->host, ip);
}

sf_transport_t sf_uri_transport(const sf_uri_hp_t *u)
{
	sf_str_t t;

	/* RFC 5630 §3.1.3: sips: means TLS on every hop; transport=tls is
	 * deprecated but still written (Kamailio), and means TLS too */
	if (u->sips || (sf_uri_param(u->params, "transport", &t) &&
			sf_str_ieq_c(t, "tls")))
		return SF_TP_TLS;
	if (sf_uri_param(u->params, "transport", &t) &&
	    sf_str_ieq_c(t, "tcp"))
		return SF_TP_TCP;
	return SF_TP_UDP;
}

/* The URI of a name-addr value: between the first '<' outside quotes and
 * the next '>'.  Empty when there is none. */
static sf_str_t angle_uri(sf_str_t v)
{
	const char *p = v.s, *e = v.s + v.len;
	bool inq = false;

	for (; p < e; p++) {
		if (inq) {
			if (*p == '\\' && p + 1 < e)
				p++;
			else if (*p == '"')
				inq = false;
		} else if (*p == '"') {
			inq = true;
		} else if (*p == '<') {
			const char *q = memchr(p + 1, '>', (size_t)(e - p - 1));

			if (!q)
				break;
			return sf_str(p + 1, (size_t)(q - p - 1));
		}
	}
	return SF_STR_NULL;
}

unsigned sf_route_values(const sf_sipmsg_t *m, sf_hdr_id_t id,
			 sf_rvalue_t *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0;; i++) {
		const sf_sip_hdr_t *h = sf_sip_hdr_nth(m, id, i);
		sf_str_t vals[SF_ROUTE_MAX];
		size_t k;

		if (!h)
			break;
		k = sf_ident_split(h->value, vals, SF_ROUTE_MAX);
		for (size_t j = 0; j < k; j++, n++) {
			if (n >= max || j >= SF_ROUTE_MAX)
				continue;
			out[n].hdr = h;
			out[n].pos = (unsigned)j;
			out[n].value = vals[j];
			out[n].uri = angle_uri(vals[j]);
		}
	}
	return n;
}

bool sf_route_pop_range(const sf_sipmsg_t *m, const sf_rvalue_t *list,
			unsigned count, unsigned n, unsigned line,
			uint32_t *off, uint32_t *del)
{
	unsigned seen = 0, i = 0;

	if (n > count)
		n = count;
	while (i < n) {
		const sf_sip_hdr_t *h = list[i].hdr;
		unsigned j = i;

		while (j < n && list[j].hdr == h)
			j++;
		if (seen++ != line) {
			i = j;
			continue;
		}
		if (j < count && list[j].hdr == h) {
			/* the line keeps values from list[j] on */
			*off = (uint32_t)(h->value.s - m->buf);
			*del = (uint32_t)(list[j].value.s - h->value.s);
		} else {
			*off = h->start;
			*del = h->end - h->start;
		}
		return true;
	}
	return false;
}
