/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_encap.c - libFuzzer target for the tunnel headers (sf_encap.h) and
 * WebSocket framing (sf_ws.h), the parsers replay runs on captured bytes
 * before any SIP is seen.
 *
 * The first input byte picks the parser (GRE, PPP, each UDP tunnel port,
 * or a WebSocket stream); the rest is its input.  Checks what must hold
 * whatever the bytes: an inner offset lies inside the input; a WebSocket
 * unit is never longer than the bytes or the bound, its payload never
 * longer than the unit, and framing a stream always makes progress or
 * asks for more.  A stream is framed unit after unit, the way the
 * decoder does it.
 *
 *   make fuzz-build && build/fuzz/fuzz_encap -max_total_time=60 \
 *       tests/fuzz/corpus/encap
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/sf_encap.h"
#include "capture/sf_ws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                           \
	do {                                                               \
		if (!(c))                                                  \
			abort();                                           \
	} while (0)

static uint8_t g_out[70000];

static void check_encap(const sf_encap_t *e, size_t n)
{
	if (e->inner != SF_INNER_NONE && e->inner != SF_INNER_SHORT &&
	    e->inner != SF_INNER_UNSUPPORTED)
		CHECK(e->off <= n);
}

static void ws_stream(const uint8_t *p, size_t n)
{
	size_t pos = 0, max = 4096;

	while (pos < n) {
		sf_ws_kind_t kind = 0;
		long r = sf_ws_upgrade(p + pos, n - pos);

		CHECK(r <= (long)(n - pos));
		if (r > 0) {
			pos += (size_t)r;
			continue;
		}
		r = sf_ws_frame(p + pos, n - pos, max, &kind);
		CHECK(r <= (long)(n - pos) && r <= (long)max);
		if (r <= 0)
			return;
		CHECK(kind >= SF_WS_DATA && kind <= SF_WS_COMPRESSED);
		if (kind == SF_WS_DATA)
			CHECK(sf_ws_payload(p + pos, (size_t)r, g_out,
					    sizeof(g_out)) <= (size_t)r);
		pos += (size_t)r;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ports[] = {4789, 4790, 6081, 8472};
	sf_udp_tunnel_t t;
	sf_encap_t e;

	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0:
		sf_encap_gre(data + 1, size - 1, &e);
		check_encap(&e, size - 1);
		break;
	case 1:
		memset(&e, 0, sizeof(e));
		sf_encap_ppp(data + 1, size - 1, &e);
		check_encap(&e, size - 1);
		break;
	case 2:
		sf_encap_udp(ports[(data[0] >> 2) & 3], data + 1, size - 1, &t,
			     &e);
		check_encap(&e, size - 1);
		CHECK(t != SF_UDPT_NONE || e.inner == SF_INNER_NONE);
		break;
	default:
		ws_stream(data + 1, size - 1);
		break;
	}
	return 0;
}
