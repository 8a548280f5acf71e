/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_addr.h - IP addresses and CIDR blocks, family-agnostic.
 *
 * Trunks are recognised by the source address of a packet (live socket or
 * capture), so both the proxy and the replay use these.  IPv4 is stored as
 * an IPv4-mapped IPv6 address internally so one comparison covers both;
 * a v4 CIDR never matches a native v6 source and vice versa.
 */
#ifndef SF_ADDR_H
#define SF_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sf_ip {
	uint8_t a[16]; /* network order; v4 as ::ffff:a.b.c.d */
	uint8_t v4;    /* 1 if the address is IPv4 */
} sf_ip_t;

typedef struct sf_cidr {
	sf_ip_t net;
	uint8_t bits; /* prefix length over the 128-bit form */
} sf_cidr_t;

/* Parses "192.0.2.1" or "2001:db8::1" (no brackets).  0 or SF_EPARSE. */
int sf_ip_parse(const char *s, size_t len, sf_ip_t *out);

/* Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (/32, /128). */
int sf_cidr_parse(const char *s, size_t len, sf_cidr_t *out);

bool sf_cidr_match(const sf_cidr_t *c, const sf_ip_t *ip);

/* From/to struct sockaddr (v4 or v6).  sf_ip_from_sockaddr returns -1 on
 * another family. */
struct sockaddr;
int sf_ip_from_sockaddr(const struct sockaddr *sa, sf_ip_t *out,
			uint16_t *port);
void sf_ip_from_v4(const uint8_t b[4], sf_ip_t *out);
void sf_ip_from_v6(const uint8_t b[16], sf_ip_t *out);

/* "192.0.2.1" / "2001:db8::1".  buf >= 46 bytes.  Returns buf. */
char *sf_ip_format(const sf_ip_t *ip, char *buf, size_t size);

#endif
