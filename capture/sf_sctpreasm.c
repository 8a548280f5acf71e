/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_sctpreasm.c - SCTP user message reassembly (see sf_sctpreasm.h).
 */
#include "sf_sctpreasm.h"

#include <stdlib.h>
#include <string.h>

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

const sf_sctp_part_t *sf_sctp_reasm_add(sf_sctp_reasm_t *r, const sf_ip_t *src,
					const sf_ip_t *dst, uint16_t sport,
					uint16_t dport, const uint8_t *chunk,
					size_t clen, uint64_t ts,
					uint64_t *dropped)
{
	uint8_t flags = chunk[1];
	uint32_t tsn = be32(chunk + 4);
	uint16_t sid = be16(chunk + 8);
	const uint8_t *data = chunk + 16;
	size_t n = clen - 16;
	sf_sctp_part_t *p = NULL;
	int oldest = 0;

	for (int i = 0; i < SF_SCTP_SLOTS; i++) {
		sf_sctp_part_t *q = &r->part[i];

		if (q->used && q->sport == sport && q->dport == dport &&
		    q->sid == sid && !memcmp(q->src.a, src->a, 16) &&
		    !memcmp(q->dst.a, dst->a, 16)) {
			p = q;
			break;
		}
		if (!q->used || (r->part[oldest].used && q->ts <
				 r->part[oldest].ts))
			oldest = i;
	}
	if (flags & 2) { /* B: a new message starts */
		if (p) {
			++*dropped;
		} else {
			p = &r->part[oldest];
			if (p->used)
				++*dropped;
		}
		if (!p->buf && !(p->buf = malloc(SF_SCTP_MAX_MSG)))
			return NULL;
		p->used = true;
		p->src = *src;
		p->dst = *dst;
		p->sport = sport;
		p->dport = dport;
		p->sid = sid;
		p->len = 0;
	} else if (!p || tsn != p->next_tsn) {
		if (p && (int32_t)(tsn - p->next_tsn) < 0)
			return NULL; /* retransmitted fragment */
		++*dropped;
		if (p)
			p->used = false;
		return NULL;
	}
	if (p->len + n > SF_SCTP_MAX_MSG) {
		++*dropped;
		p->used = false;
		return NULL;
	}
	memcpy(p->buf + p->len, data, n);
	p->len += (uint32_t)n;
	p->next_tsn = tsn + 1;
	p->ts = ts;
	if (!(flags & 1))
		return NULL;
	p->used = false;
	return p;
}

uint64_t sf_sctp_reasm_flush(sf_sctp_reasm_t *r)
{
	uint64_t unfinished = 0;

	for (int i = 0; i < SF_SCTP_SLOTS; i++) {
		/* A slot gets its buffer when first used: no buffer, all 0. */
		if (!r->part[i].buf)
			continue;
		unfinished += r->part[i].used;
		free(r->part[i].buf);
		memset(&r->part[i], 0, sizeof(r->part[i]));
	}
	return unfinished;
}
