/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cfg_addr.c - "[udp:|tcp:|tls:]HOST[:PORT]" values: next hops, listeners and
 * the metrics address.
 *
 * IPv6 literals must be bracketed ("[::1]:5070"), as in SIP URIs (RFC 3261
 * §19.1.1, RFC 3986 §3.2.2), so the port is never ambiguous.  Host names
 * are accepted only where the caller allows them (next hops); listeners
 * bind, so they need a literal address.
 */
#include "cfg_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "../base/sf_str.h"

static int fail(char *why, size_t size, const char *msg)
{
	snprintf(why, size, "%s", msg);
	return -1;
}

static bool all_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!sf_isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* RFC 1123 host name: labels of letters, digits and '-'. */
static bool host_name_ok(const char *s, size_t len)
{
	size_t label = 0;

	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!sf_isalpha(ch) && !sf_isdigit(ch) && ch != '-')
			return false;
		if (label == 0 && ch == '-')
			return false;
		if (++label > 63)
			return false;
	}
	return s[len - 1] != '-';
}

static bool digits_and_dots(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!sf_isdigit((unsigned char)s[i]) && s[i] != '.')
			return false;
	return true;
}

int cfg_hostport_parse(const char *s, size_t len, unsigned flags,
		       sf_hostport_t *out, char *why, size_t whysize)
{
	const char *host, *port = NULL, *colon;
	size_t hlen, plen = 0;
	sf_ip_t ip;

	memset(out, 0, sizeof(*out));
	out->transport = SF_TP_UDP;
	if (memchr(s, '\0', len))
		return fail(why, whysize, "contains a NUL byte");
	if (len >= 4 && (!memcmp(s, "udp:", 4) || !memcmp(s, "tcp:", 4) ||
			 !memcmp(s, "tls:", 4))) {
		if (!(flags & CFG_HP_TRANSPORT))
			return fail(why, whysize,
				    "no transport prefix is allowed here");
		out->transport = s[1] == 'c'   ? SF_TP_TCP
				 : s[1] == 'l' ? SF_TP_TLS
					       : SF_TP_UDP;
		s += 4;
		len -= 4;
	} else {
		/* "sctp:host" is an unsupported transport; "host:5060" not. */
		size_t i = 0;

		while (i < len && sf_isalpha((unsigned char)s[i]))
			i++;
		if (i > 0 && i < len && s[i] == ':' && i + 1 < len &&
		    s[i + 1] != ':' && !all_digits(s + i + 1, len - i - 1))
			return fail(why, whysize,
				    (flags & CFG_HP_TRANSPORT) ?
					    "unknown transport; use udp:, "
					    "tcp: or tls:" :
					    "expected HOST:PORT");
	}
	if (len == 0)
		return fail(why, whysize, "missing host");
	if (s[0] == '[') {
		const char *rb = memchr(s, ']', len);
		char buf[64];
		unsigned char b6[16];

		if (!rb)
			return fail(why, whysize, "missing ']'");
		host = s + 1;
		hlen = (size_t)(rb - s) - 1;
		if (hlen == 0 || hlen >= sizeof(buf))
			return fail(why, whysize, "bad IPv6 address");
		memcpy(buf, host, hlen);
		buf[hlen] = '\0';
		if (inet_pton(AF_INET6, buf, b6) != 1)
			return fail(why, whysize,
				    "bad IPv6 address in brackets");
		if (rb + 1 < s + len) {
			if (rb[1] != ':')
				return fail(why, whysize,
					    "expected ':' and a port after "
					    "']'");
			port = rb + 2;
			plen = (size_t)(s + len - port);
		}
	} else {
		colon = memchr(s, ':', len);
		if (colon && memchr(colon + 1, ':',
				    (size_t)(s + len - colon - 1)))
			return fail(why, whysize,
				    "IPv6 addresses must be in brackets, "
				    "e.g. [2001:db8::1]:5060");
		host = s;
		hlen = colon ? (size_t)(colon - s) : len;
		if (colon) {
			port = colon + 1;
			plen = (size_t)(s + len - port);
		}
		if (hlen == 0)
			return fail(why, whysize, "missing host");
		if (sf_ip_parse(host, hlen, &ip) < 0) {
			if (flags & CFG_HP_LITERAL_IP)
				return fail(why, whysize,
					    "the host must be a literal IP "
					    "address");
			if (digits_and_dots(host, hlen))
				return fail(why, whysize,
					    "bad IPv4 address");
			if (!host_name_ok(host, hlen))
				return fail(why, whysize,
					    "bad host name");
		}
	}
	if (hlen >= sizeof(out->host))
		return fail(why, whysize, "host name too long");
	memcpy(out->host, host, hlen);
	out->host[hlen] = '\0';
	if (!port) {
		if (flags & CFG_HP_NEED_PORT)
			return fail(why, whysize, "missing ':PORT'");
		out->port = 5060;
		return 0;
	}
	if (!all_digits(port, plen))
		return fail(why, whysize, "the port must be a number");
	if (plen > 5)
		return fail(why, whysize, "port out of range 1..65535");
	{
		unsigned long v = 0;

		for (size_t i = 0; i < plen; i++)
			v = v * 10 + (unsigned long)(port[i] - '0');
		if (v < 1 || v > 65535)
			return fail(why, whysize,
				    "port out of range 1..65535");
		out->port = (uint16_t)v;
	}
	return 0;
}
