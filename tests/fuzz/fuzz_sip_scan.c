/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_sip_scan.c - libFuzzer target for the strict SIP scanner.
 *
 * Feeds each input to sf_sip_scan() as a datagram, as a stream message and
 * under a small size cap, and to sf_sip_frame(), then checks what must
 * hold for any input: every view lies inside the buffer, header lines tile
 * the header section in order, counts and first-indexes agree with the
 * array, and framing and stream scanning agree on message boundaries.  A
 * violation calls abort() so libFuzzer keeps the input.
 *
 *   clang -fsanitize=fuzzer,address,undefined -I. tests/fuzz/fuzz_sip_scan.c \
 *         sipfilter/engine/sf_sip.c -o fuzz_sip_scan   (or: make fuzz)
 *   ./fuzz_sip_scan -max_total_time=120 tests/fuzz/corpus/sip \
 *         ../shared/corpus/torture/rfc4475 ../shared/corpus/torture/rfc5118
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipfilter/engine/sf_sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c))                                                      \
			abort();                                               \
	} while (0)

static sf_sipmsg_t g_m;

/* v lies inside [lo, hi) of the message buffer. */
static void in_range(const sf_sipmsg_t *m, sf_str_t v, size_t lo, size_t hi)
{
	if (v.len == 0)
		return;
	CHECK(v.s >= m->buf + lo);
	CHECK(v.s + v.len <= m->buf + hi);
}

static void check_msg(const char *buf, size_t size, int rc,
		      const sf_sipmsg_t *m)
{
	unsigned count[SF_HDR_COUNT] = {0};
	size_t prev;

	if (rc != 0) {
		CHECK(rc == -1);
		CHECK(m->error > SF_SIP_OK && m->error < SF_SIP_E_COUNT);
		CHECK(m->error_offset <= size);
		CHECK(!sf_sip_is_invite(m));
		return;
	}
	CHECK(m->error == SF_SIP_OK);
	CHECK(m->buf == buf + m->skipped);
	CHECK(m->skipped % 2 == 0);
	CHECK((size_t)m->skipped + m->len <= size);
	CHECK(m->start_line_end >= 2 && m->start_line_end <= m->header_end);
	CHECK(m->body_start == m->header_end + 2);
	CHECK(m->body_start <= m->len);
	CHECK(m->body.s == m->buf + m->body_start);
	CHECK(m->body_start + m->body.len == m->len);
	CHECK(memcmp(m->buf + m->header_end, "\r\n", 2) == 0);
	if (m->content_length >= 0)
		CHECK((uint64_t)m->content_length == m->body.len);
	if (m->is_request) {
		CHECK(m->method.len > 0 && m->ruri.len > 0);
		in_range(m, m->method, 0, m->start_line_end);
		in_range(m, m->ruri, 0, m->start_line_end);
		CHECK(sf_str_eq(m->method, m->cseq_method));
	} else {
		CHECK(m->status >= 100 && m->status <= 699);
		in_range(m, m->phrase, 0, m->start_line_end);
	}
	CHECK(m->n_hdrs <= SF_SIP_MAX_HEADERS);
	prev = m->start_line_end;
	for (unsigned i = 0; i < m->n_hdrs; i++) {
		const sf_sip_hdr_t *h = &m->hdrs[i];

		CHECK(h->start == prev);
		CHECK(h->start < h->end && h->end <= m->header_end);
		CHECK(h->end - h->start <= SF_SIP_MAX_LINE + 2);
		CHECK(memcmp(m->buf + h->end - 2, "\r\n", 2) == 0);
		CHECK(h->name.s == m->buf + h->start && h->name.len > 0);
		in_range(m, h->value, h->start + h->name.len + 1, h->end - 2);
		CHECK(h->id >= SF_HDR_OTHER && h->id < SF_HDR_COUNT);
		CHECK(h->id == sf_sip_hdr_id(h->name.s, h->name.len));
		if (h->id != SF_HDR_OTHER) {
			if (count[h->id] == 0)
				CHECK(m->first[h->id] == (int)i);
			CHECK(sf_sip_hdr_nth(m, h->id, count[h->id]) == h);
			count[h->id]++;
		}
		prev = h->end;
	}
	CHECK(prev == m->header_end);
	for (int id = 1; id < SF_HDR_COUNT; id++) {
		CHECK(count[id] == m->count[id]);
		if (!count[id])
			CHECK(m->first[id] == -1);
	}
	CHECK(count[SF_HDR_VIA] && count[SF_HDR_FROM] && count[SF_HDR_TO] &&
	      count[SF_HDR_CALL_ID] && count[SF_HDR_CSEQ]);
	CHECK(count[SF_HDR_FROM] == 1 && count[SF_HDR_TO] == 1 &&
	      count[SF_HDR_CALL_ID] == 1 && count[SF_HDR_CSEQ] == 1 &&
	      count[SF_HDR_CONTENT_LENGTH] <= 1 &&
	      count[SF_HDR_MAX_FORWARDS] <= 1);
	in_range(m, m->cseq_method, 0, m->header_end);
	/* nothing before the body is a control byte other than HT/CRLF */
	for (size_t i = 0; i < m->header_end; i++) {
		unsigned char c = (unsigned char)m->buf[i];

		CHECK(c == '\t' || c == '\r' || c == '\n' ||
		      (c >= 0x20 && c != 0x7f));
	}
}

static bool all_crlf(const char *b, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		if (b[i] != '\r' || b[i + 1] != '\n')
			return false;
	return n % 2 == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	static const sf_sip_limits_t lims[] = {
	    {0, false},
	    {0, true},
	    {512, false},
	    {65536, true},
	};
	long fr;
	int rc_stream = -1;
	size_t stream_end = 0;

	for (size_t k = 0; k < sizeof(lims) / sizeof(lims[0]); k++) {
		int rc = sf_sip_scan(buf, size, &lims[k], &g_m);

		check_msg(buf, size, rc, &g_m);
		if (rc == 0 && lims[k].max_message)
			CHECK(g_m.skipped + g_m.len <= lims[k].max_message);
		if (k == 1) {
			rc_stream = rc;
			stream_end = g_m.skipped + (size_t)g_m.len;
		}
	}

	fr = sf_sip_frame(buf, size, 0);
	CHECK(fr >= -1 && fr <= (long)size && fr <= SF_SIP_DEFAULT_MAX_MESSAGE);
	/* a stream message the scanner accepts is exactly what framing
	 * cuts, and framing is stable on its own output */
	if (rc_stream == 0)
		CHECK(fr == (long)stream_end);
	if (fr > 0) {
		CHECK(sf_sip_frame(buf, (size_t)fr, 0) == fr);
		if (sf_sip_scan(buf, (size_t)fr, &lims[1], &g_m) == 0) {
			check_msg(buf, (size_t)fr, 0, &g_m);
			CHECK(g_m.skipped + g_m.len == (size_t)fr);
		}
	}
	/* more bytes never turn a complete or hopeless frame into need-more
	 * (a keep-alive-only prefix is handed over alone, by design) */
	if (size > 0) {
		long fp = sf_sip_frame(buf, size - 1, 0);

		if (fp > 0 && !all_crlf(buf, (size_t)fp))
			CHECK(fr == fp);
		if (fp == -1)
			CHECK(fr == -1);
	}
	return 0;
}
