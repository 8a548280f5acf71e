/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_addr.c - IP address and CIDR parsing and matching (see sf_addr.h).
 */
#include "sf_addr.h"
#include "sf_err.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

void sf_ip_from_v4(const uint8_t b[4], sf_ip_t *out)
{
	memset(out->a, 0, 10);
	out->a[10] = 0xff;
	out->a[11] = 0xff;
	memcpy(out->a + 12, b, 4);
	out->v4 = 1;
}

void sf_ip_from_v6(const uint8_t b[16], sf_ip_t *out)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					   0xff, 0xff};

	memcpy(out->a, b, 16);
	/* A v4-mapped v6 source is the v4 host (dual-stack sockets). */
	out->v4 = memcmp(b, mapped, 12) == 0;
}

int sf_ip_parse(const char *s, size_t len, sf_ip_t *out)
{
	char buf[64];
	uint8_t b[16];

	if (len == 0 || len >= sizeof(buf) || memchr(s, 0, len))
		return SF_EPARSE;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, b) == 1) {
		sf_ip_from_v4(b, out);
		return 0;
	}
	if (inet_pton(AF_INET6, buf, b) == 1) {
		sf_ip_from_v6(b, out);
		return 0;
	}
	return SF_EPARSE;
}

int sf_cidr_parse(const char *s, size_t len, sf_cidr_t *out)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	unsigned long bits;

	if (sf_ip_parse(s, alen, &out->net) < 0)
		return SF_EPARSE;
	if (!slash) {
		out->bits = 128;
	} else {
		const char *p = slash + 1;
		size_t plen = len - alen - 1;
		char tmp[8];
		char *end;

		if (plen == 0 || plen > 3)
			return SF_EPARSE;
		memcpy(tmp, p, plen);
		tmp[plen] = '\0';
		for (size_t i = 0; i < plen; i++)
			if (tmp[i] < '0' || tmp[i] > '9')
				return SF_EPARSE;
		bits = strtoul(tmp, &end, 10);
		if (bits > (out->net.v4 ? 32u : 128u))
			return SF_ERANGE;
		out->bits = (uint8_t)(out->net.v4 ? bits + 96 : bits);
	}
	/* Clear host bits so "10.1.2.3/8" means 10.0.0.0/8. */
	for (unsigned i = out->bits; i < 128; i++)
		out->net.a[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	return 0;
}

bool sf_cidr_match(const sf_cidr_t *c, const sf_ip_t *ip)
{
	unsigned full = c->bits / 8, rest = c->bits % 8;

	if (c->net.v4 != ip->v4)
		return false;
	if (memcmp(c->net.a, ip->a, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff00u >> rest);
		if ((c->net.a[full] & mask) != (ip->a[full] & mask))
			return false;
	}
	return true;
}

int sf_ip_from_sockaddr(const struct sockaddr *sa, sf_ip_t *out,
			uint16_t *port)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		sf_ip_from_v4((const uint8_t *)&in->sin_addr, out);
		if (port)
			*port = ntohs(in->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
			(const struct sockaddr_in6 *)sa;
		sf_ip_from_v6((const uint8_t *)&in6->sin6_addr, out);
		if (port)
			*port = ntohs(in6->sin6_port);
		return 0;
	}
	return -1;
}

/* Dotted quad without inet_ntop's printf (replay formats two addresses
 * per record).  buf holds at least 16 bytes. */
static void format_v4(const uint8_t *a, char *buf)
{
	char *p = buf;

	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (v >= 100) {
			*p++ = (char)('0' + v / 100);
			v %= 100;
			*p++ = (char)('0' + v / 10);
		} else if (v >= 10) {
			*p++ = (char)('0' + v / 10);
		}
		*p++ = (char)('0' + v % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
}

char *sf_ip_format(const sf_ip_t *ip, char *buf, size_t size)
{
	if (ip->v4 && size >= 16)
		format_v4(ip->a + 12, buf);
	else if (ip->v4)
		inet_ntop(AF_INET, ip->a + 12, buf, (socklen_t)size);
	else
		inet_ntop(AF_INET6, ip->a, buf, (socklen_t)size);
	return buf;
}
