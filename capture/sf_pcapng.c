/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_pcapng.c - pcapng block reader (see sf_pcapng.h).
 *
 * One growable block buffer (capped at SF_PCAPNG_MAX_BLOCK) holds the
 * current block; packets point into it.  Block layout per
 * draft-ietf-opsawg-pcapng: type, total length, body, total length again.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sf_pcapng.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_OPB 0x00000002u
#define BT_SPB 0x00000003u
#define BT_EPB 0x00000006u
#define BOM 0x1A2B3C4Du

typedef struct iface {
	int linktype;
	uint32_t snaplen;
	uint64_t units;    /* timestamp units per second */
	int64_t offset_s;  /* if_tsoffset */
} iface_t;

struct sf_pcapng {
	sf_pcapng_read_fn rd;
	void *src;
	char name[256];
	bool swap;
	bool in_section;
	iface_t ifs[SF_PCAPNG_MAX_IFACES];
	unsigned n_ifs;
	int first_linktype;
	uint8_t *blk;
	size_t blk_cap;
	uint64_t off;      /* file offset of the next block */
	uint64_t last_ts;
};

static uint32_t rd32(const sf_pcapng_t *r, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return r->swap ? __builtin_bswap32(v) : v;
}

static uint16_t rd16(const sf_pcapng_t *r, const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return r->swap ? __builtin_bswap16(v) : v;
}

static int corrupt(sf_pcapng_t *r, sf_err_t *err, const char *what)
{
	return sf_err_set(err, SF_EPARSE, r->name, 0, 0,
			  "corrupt pcapng file: %s (block at offset %llu)",
			  what, (unsigned long long)r->off);
}

/* Reads exactly n bytes; 1 = ok, 0 = clean EOF before any byte, <0 err. */
static int read_full(sf_pcapng_t *r, void *buf, size_t n, sf_err_t *err)
{
	long got = r->rd(r->src, buf, n);

	if (got < 0)
		return sf_err_set(err, SF_EIO, r->name, 0, 0,
				  "read error in pcapng file");
	if ((size_t)got == n)
		return 1;
	if (got == 0)
		return 0;
	return sf_err_set(err, SF_EPARSE, r->name, 0, 0,
			  "truncated pcapng file: block at offset %llu is cut "
			  "short", (unsigned long long)r->off);
}

static uint64_t ts_to_us(const iface_t *ifc, uint64_t ts)
{
	unsigned __int128 us;
	uint64_t sec = ts / ifc->units, frac = ts % ifc->units;

	us = (unsigned __int128)sec * 1000000u +
	     (unsigned __int128)frac * 1000000u / ifc->units;
	us += (__int128)ifc->offset_s * 1000000;
	return (uint64_t)us;
}

static void parse_idb_options(sf_pcapng_t *r, iface_t *ifc, const uint8_t *p,
			      size_t n)
{
	while (n >= 4) {
		uint16_t code = rd16(r, p), len = rd16(r, p + 2);
		size_t padded = ((size_t)len + 3) & ~(size_t)3;

		if (code == 0 || padded > n - 4)
			return;
		if (code == 9 && len >= 1) { /* if_tsresol */
			uint8_t v = p[4];
			uint64_t u = 1;

			if (v & 0x80) {
				if ((v & 0x7f) <= 63)
					u = (uint64_t)1 << (v & 0x7f);
			} else if (v <= 19) {
				for (unsigned i = 0; i < v; i++)
					u *= 10;
			}
			ifc->units = u ? u : 1000000;
		} else if (code == 14 && len == 8) { /* if_tsoffset */
			uint64_t v;

			memcpy(&v, p + 4, 8);
			if (r->swap)
				v = __builtin_bswap64(v);
			ifc->offset_s = (int64_t)v;
		}
		p += 4 + padded;
		n -= 4 + padded;
	}
}

int sf_pcapng_open(sf_pcapng_read_fn rd, void *src, const char *name,
		   sf_pcapng_t **out, sf_err_t *err)
{
	sf_pcapng_t *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return sf_err_set(err, SF_ENOMEM, name, 0, 0, "out of memory");
	r->rd = rd;
	r->src = src;
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
	r->first_linktype = -1;
	r->blk_cap = 65536;
	r->blk = malloc(r->blk_cap);
	if (!r->blk) {
		free(r);
		return sf_err_set(err, SF_ENOMEM, name, 0, 0, "out of memory");
	}
	*out = r;
	return 0;
}

int sf_pcapng_first_linktype(const sf_pcapng_t *r)
{
	return r->first_linktype;
}

void sf_pcapng_close(sf_pcapng_t *r)
{
	if (!r)
		return;
	free(r->blk);
	free(r);
}

/* Reads one whole block into r->blk.  Returns 1, 0 at EOF, or < 0. */
static int read_block(sf_pcapng_t *r, uint32_t *type, uint32_t *blen,
		      sf_err_t *err)
{
	uint8_t hdr[12];
	uint32_t t, len;
	int rc;

	rc = read_full(r, hdr, 8, err);
	if (rc <= 0)
		return rc;
	memcpy(&t, hdr, 4); /* SHB type is a palindrome; others need swap */
	if (t == BT_SHB) {
		uint32_t bom;

		rc = read_full(r, hdr + 8, 4, err);
		if (rc == 0)
			rc = sf_err_set(err, SF_EPARSE, r->name, 0, 0,
					"truncated pcapng file: section "
					"header cut short");
		if (rc < 0)
			return rc;
		memcpy(&bom, hdr + 8, 4);
		if (bom == BOM)
			r->swap = false;
		else if (bom == __builtin_bswap32(BOM))
			r->swap = true;
		else
			return corrupt(r, err, "bad byte-order magic");
		r->in_section = true;
		r->n_ifs = 0;
	} else if (!r->in_section) {
		return corrupt(r, err, "no section header block");
	}
	t = rd32(r, hdr);
	len = rd32(r, hdr + 4);
	if (len < 12 || (len & 3) || (t == BT_SHB && len < 28))
		return corrupt(r, err, "bad block length");
	if (len > SF_PCAPNG_MAX_BLOCK)
		return corrupt(r, err, "block larger than 16 MiB");
	if (len > r->blk_cap) {
		size_t cap = r->blk_cap;
		uint8_t *nb;

		while (cap < len)
			cap *= 2;
		nb = realloc(r->blk, cap);
		if (!nb)
			return sf_err_set(err, SF_ENOMEM, r->name, 0, 0,
					  "out of memory");
		r->blk = nb;
		r->blk_cap = cap;
	}
	memcpy(r->blk, hdr, t == BT_SHB ? 12 : 8);
	{
		size_t have = t == BT_SHB ? 12 : 8;

		rc = read_full(r, r->blk + have, len - have, err);
		if (rc == 0)
			rc = sf_err_set(err, SF_EPARSE, r->name, 0, 0,
					"truncated pcapng file: block at "
					"offset %llu is cut short",
					(unsigned long long)r->off);
		if (rc < 0)
			return rc;
	}
	if (rd32(r, r->blk + len - 4) != len)
		return corrupt(r, err, "trailing block length mismatch");
	*type = t;
	*blen = len;
	return 1;
}

int sf_pcapng_next(sf_pcapng_t *r, sf_cap_pkt_t *pkt, sf_err_t *err)
{
	for (;;) {
		uint32_t type = 0, len = 0, body_len;
		const uint8_t *b;
		int rc = read_block(r, &type, &len, err);

		if (rc <= 0)
			return rc;
		b = r->blk + 8;
		body_len = len - 12;
		r->off += len;
		switch (type) {
		case BT_SHB:
			break;
		case BT_IDB: {
			iface_t *ifc;

			if (body_len < 8)
				return corrupt(r, err, "short interface block");
			if (r->n_ifs >= SF_PCAPNG_MAX_IFACES)
				return corrupt(r, err, "too many interfaces");
			ifc = &r->ifs[r->n_ifs++];
			ifc->linktype = rd16(r, b);
			ifc->snaplen = rd32(r, b + 4);
			ifc->units = 1000000;
			ifc->offset_s = 0;
			parse_idb_options(r, ifc, b + 8, body_len - 8);
			if (r->first_linktype < 0)
				r->first_linktype = ifc->linktype;
			break;
		}
		case BT_EPB:
		case BT_OPB: {
			uint32_t ifid, caplen, wlen;
			uint64_t ts;

			if (body_len < 20)
				return corrupt(r, err, "short packet block");
			if (type == BT_EPB)
				ifid = rd32(r, b);
			else
				ifid = rd16(r, b);
			ts = ((uint64_t)rd32(r, b + 4) << 32) | rd32(r, b + 8);
			caplen = rd32(r, b + 12);
			wlen = rd32(r, b + 16);
			if (caplen > body_len - 20)
				return corrupt(r, err, "packet longer than its "
						       "block");
			pkt->data = b + 20;
			pkt->caplen = caplen;
			pkt->len = wlen;
			if (ifid < r->n_ifs) {
				pkt->linktype = r->ifs[ifid].linktype;
				pkt->ts_us = ts_to_us(&r->ifs[ifid], ts);
			} else {
				pkt->linktype = -1;
				pkt->ts_us = ts;
			}
			r->last_ts = pkt->ts_us;
			return 1;
		}
		case BT_SPB: {
			uint32_t wlen, caplen;

			if (body_len < 4)
				return corrupt(r, err, "short simple packet");
			wlen = rd32(r, b);
			caplen = body_len - 4;
			if (wlen < caplen)
				caplen = wlen;
			if (r->n_ifs && r->ifs[0].snaplen &&
			    caplen > r->ifs[0].snaplen)
				caplen = r->ifs[0].snaplen;
			pkt->data = b + 4;
			pkt->caplen = caplen;
			pkt->len = wlen;
			pkt->linktype = r->n_ifs ? r->ifs[0].linktype : -1;
			pkt->ts_us = r->last_ts; /* SPBs carry no time */
			return 1;
		}
		default:
			break; /* NRB, ISB, DSB, custom: not needed */
		}
	}
}
