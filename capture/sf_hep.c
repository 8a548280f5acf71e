/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_hep.c - HEPv3 decoding and encoding (see sf_hep.h).  Layout per the
 * HEP3 Network Protocol Specification rev. 37 (sipcapture/HEP).
 */
#include <string.h>

#include "../base/sf_err.h"
#include "sf_hep.h"

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

bool sf_hep_is(const uint8_t *buf, size_t len)
{
	return len >= 4 && !memcmp(buf, "HEP3", 4);
}

long sf_hep_frame(const uint8_t *buf, size_t len)
{
	size_t n;

	if (len < 6)
		return len >= 4 && !sf_hep_is(buf, len) ? -1 : 0;
	if (!sf_hep_is(buf, len))
		return -1;
	n = be16(buf + 4);
	if (n < 6)
		return -1;
	return n <= len ? (long)n : 0;
}

int sf_hep_parse(const uint8_t *buf, size_t len, sf_hep_t *h)
{
	size_t total, pos = 6;
	bool have_src = false, have_dst = false, have_sp = false,
	     have_dp = false;

	memset(h, 0, sizeof(*h));
	if (len < 6 || !sf_hep_is(buf, len))
		return SF_EPARSE;
	total = be16(buf + 4);
	if (total < 6 || total > len)
		return SF_EPARSE;
	while (pos + 6 <= total) {
		uint16_t vendor = be16(buf + pos), type = be16(buf + pos + 2);
		size_t clen = be16(buf + pos + 4);
		const uint8_t *v = buf + pos + 6;
		size_t vlen;

		if (clen < 6 || clen > total - pos)
			return SF_EPARSE;
		vlen = clen - 6;
		pos += clen;
		if (vendor != 0)
			continue;
		switch (type) {
		case 1: if (vlen >= 1) h->family = v[0]; break;
		case 2: if (vlen >= 1) h->proto = v[0]; break;
		case 3:
			if (vlen != 4)
				return SF_EPARSE;
			sf_ip_from_v4(v, &h->src);
			have_src = true;
			break;
		case 4:
			if (vlen != 4)
				return SF_EPARSE;
			sf_ip_from_v4(v, &h->dst);
			have_dst = true;
			break;
		case 5:
			if (vlen != 16)
				return SF_EPARSE;
			sf_ip_from_v6(v, &h->src);
			have_src = true;
			break;
		case 6:
			if (vlen != 16)
				return SF_EPARSE;
			sf_ip_from_v6(v, &h->dst);
			have_dst = true;
			break;
		case 7:
			if (vlen != 2)
				return SF_EPARSE;
			h->sport = be16(v);
			have_sp = true;
			break;
		case 8:
			if (vlen != 2)
				return SF_EPARSE;
			h->dport = be16(v);
			have_dp = true;
			break;
		case 9:
			if (vlen != 4)
				return SF_EPARSE;
			h->ts_sec = be32(v);
			h->has_ts = true;
			break;
		case 10:
			if (vlen == 4)
				h->ts_usec = be32(v) % 1000000u;
			break;
		case 11: if (vlen >= 1) h->payload_type = v[0]; break;
		case 12: if (vlen == 4) h->capture_id = be32(v); break;
		case 15:
		case 16:
			h->payload = v;
			h->payload_len = vlen;
			h->compressed = type == 16;
			break;
		default:
			break;
		}
	}
	if (pos != total || !have_src || !have_dst || !have_sp || !have_dp ||
	    !h->payload)
		return SF_EPARSE;
	return 0;
}

static uint8_t *chunk(uint8_t *p, uint16_t type, const void *v, size_t n)
{
	p[0] = 0;
	p[1] = 0;
	p[2] = (uint8_t)(type >> 8);
	p[3] = (uint8_t)type;
	p[4] = (uint8_t)((n + 6) >> 8);
	p[5] = (uint8_t)(n + 6);
	memcpy(p + 6, v, n);
	return p + 6 + n;
}

size_t sf_hep_build(const sf_hep_t *h, uint8_t *out, size_t cap)
{
	size_t alen = h->src.v4 ? 4 : 16;
	size_t need = 6 + 7 + 7 + 2 * (6 + alen) + 2 * 8 + 2 * 10 + 7 + 10 +
		      6 + h->payload_len;
	uint8_t b[4], *p = out;

	if (need > cap || need > 65535)
		return 0;
	memcpy(p, "HEP3", 4);
	p[4] = (uint8_t)(need >> 8);
	p[5] = (uint8_t)need;
	p += 6;
	b[0] = h->src.v4 ? 2 : 10;
	p = chunk(p, 1, b, 1);
	b[0] = h->proto;
	p = chunk(p, 2, b, 1);
	p = chunk(p, h->src.v4 ? 3 : 5, h->src.v4 ? h->src.a + 12 : h->src.a,
		  alen);
	p = chunk(p, h->dst.v4 ? 4 : 6, h->dst.v4 ? h->dst.a + 12 : h->dst.a,
		  alen);
	b[0] = (uint8_t)(h->sport >> 8);
	b[1] = (uint8_t)h->sport;
	p = chunk(p, 7, b, 2);
	b[0] = (uint8_t)(h->dport >> 8);
	b[1] = (uint8_t)h->dport;
	p = chunk(p, 8, b, 2);
	for (int i = 0; i < 2; i++) {
		uint32_t v = i ? h->ts_usec : h->ts_sec;

		b[0] = (uint8_t)(v >> 24);
		b[1] = (uint8_t)(v >> 16);
		b[2] = (uint8_t)(v >> 8);
		b[3] = (uint8_t)v;
		p = chunk(p, (uint16_t)(9 + i), b, 4);
	}
	b[0] = h->payload_type ? h->payload_type : 1;
	p = chunk(p, 11, b, 1);
	b[0] = (uint8_t)(h->capture_id >> 24);
	b[1] = (uint8_t)(h->capture_id >> 16);
	b[2] = (uint8_t)(h->capture_id >> 8);
	b[3] = (uint8_t)h->capture_id;
	p = chunk(p, 12, b, 4);
	p = chunk(p, 15, h->payload, h->payload_len);
	return (size_t)(p - out);
}
