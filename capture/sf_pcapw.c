/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_pcapw.c - pcap/pcapng writer and packet synthesis (see sf_pcapw.h).
 * Written by hand rather than with pcap_dump so that pcapng with several
 * link types can be produced (libpcap writes classic pcap only).
 */
#include <stdlib.h>
#include <string.h>

#include "sf_pcapw.h"

struct sf_pcapw {
	FILE *fp;
	sf_capfile_format_t fmt;
	int n_ifs;
	int err;
};

static void put(sf_pcapw_t *w, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, w->fp) != n)
		w->err = 1;
}

static void put32(sf_pcapw_t *w, uint32_t v)
{
	put(w, &v, 4); /* host order: readers honour the byte-order magic */
}

static void put16(sf_pcapw_t *w, uint16_t v)
{
	put(w, &v, 2);
}

static void ng_idb(sf_pcapw_t *w, int linktype)
{
	/* IDB with if_tsresol = 6 (microseconds) */
	put32(w, 1);
	put32(w, 32);
	put16(w, (uint16_t)linktype);
	put16(w, 0);
	put32(w, 262144);
	put16(w, 9);
	put16(w, 1);
	put(w, "\x06\0\0\0", 4); /* value 6 + 3 pad bytes */
	put32(w, 0); /* opt_endofopt */
	put32(w, 32);
}

int sf_pcapw_open(FILE *fp, sf_capfile_format_t fmt, int linktype,
		  sf_pcapw_t **out, sf_err_t *err)
{
	sf_pcapw_t *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return sf_err_set(err, SF_ENOMEM, NULL, 0, 0, "out of memory");
	w->fp = fp;
	w->fmt = fmt;
	if (fmt == SF_CAPFILE_PCAPNG) {
		put32(w, 0x0A0D0D0A);
		put32(w, 28);
		put32(w, 0x1A2B3C4D);
		put16(w, 1);
		put16(w, 0);
		put32(w, 0xffffffffu); /* section length unknown */
		put32(w, 0xffffffffu);
		put32(w, 28);
		ng_idb(w, linktype);
	} else {
		put32(w, 0xa1b2c3d4);
		put16(w, 2);
		put16(w, 4);
		put32(w, 0);
		put32(w, 0);
		put32(w, 262144);
		put32(w, (uint32_t)linktype);
	}
	w->n_ifs = 1;
	if (w->err) {
		free(w);
		return sf_err_set(err, SF_EIO, NULL, 0, 0, "write failed");
	}
	*out = w;
	return 0;
}

int sf_pcapw_add_iface(sf_pcapw_t *w, int linktype)
{
	if (w->fmt != SF_CAPFILE_PCAPNG)
		return SF_EINVAL;
	ng_idb(w, linktype);
	return w->n_ifs++;
}

int sf_pcapw_write(sf_pcapw_t *w, int iface, uint64_t ts_us,
		   const uint8_t *data, uint32_t caplen, uint32_t len)
{
	static const uint8_t zero[4];

	if (w->fmt == SF_CAPFILE_PCAPNG) {
		uint32_t pad = (4 - (caplen & 3)) & 3;
		uint32_t blen = 32 + caplen + pad;

		put32(w, 6);
		put32(w, blen);
		put32(w, (uint32_t)iface);
		put32(w, (uint32_t)(ts_us >> 32));
		put32(w, (uint32_t)ts_us);
		put32(w, caplen);
		put32(w, len);
		put(w, data, caplen);
		put(w, zero, pad);
		put32(w, blen);
	} else {
		put32(w, (uint32_t)(ts_us / 1000000));
		put32(w, (uint32_t)(ts_us % 1000000));
		put32(w, caplen);
		put32(w, len);
		put(w, data, caplen);
	}
	return w->err ? SF_EIO : 0;
}

int sf_pcapw_close(sf_pcapw_t *w)
{
	int rc;

	if (!w)
		return 0;
	if (fflush(w->fp) != 0)
		w->err = 1;
	rc = w->err ? SF_EIO : 0;
	free(w);
	return rc;
}

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		s += (uint32_t)(p[0] << 8 | p[1]);
	if (n)
		s += (uint32_t)(p[0] << 8);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void wr16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v);
}

size_t sf_cap_synth(uint8_t *out, size_t cap, const sf_ip_t *src,
		    uint16_t sport, const sf_ip_t *dst, uint16_t dport,
		    uint8_t proto, uint32_t seq, uint16_t ip_id,
		    const uint8_t *payload, size_t len)
{
	size_t iph = src->v4 ? 20 : 40, l4h = proto == 6 ? 20 : 8;
	size_t total = iph + l4h + len, l4len = l4h + len;
	uint8_t *l4 = out + iph;
	uint32_t s = 0;

	if (total > cap || (src->v4 ? total : l4len) > 65535)
		return 0;
	memset(out, 0, iph + l4h);
	if (src->v4) {
		out[0] = 0x45;
		wr16(out + 2, (uint32_t)total);
		wr16(out + 4, ip_id);
		out[8] = 64;
		out[9] = proto;
		memcpy(out + 12, src->a + 12, 4);
		memcpy(out + 16, dst->a + 12, 4);
		wr16(out + 10, fold(sum16(0, out, 20)));
		s = sum16(s, out + 12, 8);
	} else {
		out[0] = 0x60;
		wr16(out + 4, (uint32_t)l4len);
		out[6] = proto;
		out[7] = 64;
		memcpy(out + 8, src->a, 16);
		memcpy(out + 24, dst->a, 16);
		s = sum16(s, out + 8, 32);
	}
	s += proto + (uint32_t)l4len;
	wr16(l4, sport);
	wr16(l4 + 2, dport);
	if (proto == 6) {
		wr32(l4 + 4, seq);
		wr32(l4 + 8, 1);
		l4[12] = 5 << 4;
		l4[13] = 0x18; /* PSH|ACK */
		wr16(l4 + 14, 65535);
	} else {
		wr16(l4 + 4, (uint32_t)l4len);
	}
	if (len)
		memcpy(l4 + l4h, payload, len);
	s = sum16(s, l4, l4len);
	{
		uint16_t c = fold(s);

		if (proto != 6 && c == 0)
			c = 0xffff;
		wr16(l4 + (proto == 6 ? 16 : 6), c);
	}
	return total;
}
