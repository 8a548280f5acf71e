/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_hep.c - libFuzzer target for the HEPv3 decoder.
 *
 * Parses the input as one HEP packet and as a stream of them (framing),
 * checks that the payload view lies inside the input and that a packet
 * re-encoded from the decoded fields decodes to the same fields.
 *
 *   make fuzz-build && build/fuzz/fuzz_hep -max_total_time=60 \
 *       tests/fuzz/corpus/hep
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/sf_hep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                           \
	do {                                                               \
		if (!(c))                                                  \
			abort();                                           \
	} while (0)

static uint8_t g_buf[70000];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sf_hep_t h, h2;
	size_t pos = 0, n;

	if (sf_hep_parse(data, size, &h) == 0) {
		CHECK(h.payload >= data);
		CHECK(h.payload + h.payload_len <= data + size);
		if (!h.compressed && h.src.v4 == h.dst.v4) {
			n = sf_hep_build(&h, g_buf, sizeof(g_buf));
			if (n) {
				CHECK(sf_hep_parse(g_buf, n, &h2) == 0);
				CHECK(h2.sport == h.sport && h2.dport == h.dport);
				CHECK(!memcmp(h2.src.a, h.src.a, 16));
				CHECK(h2.payload_len == h.payload_len);
				CHECK(!memcmp(h2.payload, h.payload,
					      h.payload_len));
			}
		}
	}
	/* a stream of HEP packets */
	while (pos < size) {
		long r = sf_hep_frame(data + pos, size - pos);

		CHECK(r <= (long)(size - pos));
		if (r <= 0)
			break;
		sf_hep_parse(data + pos, (size_t)r, &h);
		pos += (size_t)r;
	}
	return 0;
}
