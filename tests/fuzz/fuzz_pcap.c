/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_pcap.c - libFuzzer target for the capture path: the input is a
 * capture file (pcap or pcapng, read through fmemopen exactly as a file
 * is), decoded through link layers, IP fragment reassembly, TCP stream
 * reassembly (framed with sf_sip_frame, as replay does), SCTP and HEPv3;
 * each delivered message is scanned with sf_sip_scan.  Run twice: with
 * the default limits and with tiny ones so eviction and limit paths are
 * exercised.  Checks: delivered views are non-NULL when non-empty and
 * bounded, TCP buffering stays under its cap, counters are consistent.
 *
 * Speed (issue 15: >= 10,000 executions/s): the capture is read once,
 * from memory (fmemopen), and every packet is handed to both decoders,
 * which are built once (LLVMFuzzerInitialize) and sf_capdec_reset()
 * between inputs: building them costs ~5 ms under ASan at the default
 * limits (16384 flows), resetting costs what the input used.  Each
 * packet is copied to a heap block of exactly its caplen first, so ASan
 * sees any read past the captured bytes (the reader's own buffer is far
 * larger than one packet).
 *
 *   make fuzz-build && build/fuzz/fuzz_pcap -max_total_time=120 \
 *       tests/fuzz/corpus/pcap ../shared/corpus/pcaps
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/sf_capdec.h"
#include "capture/sf_capfile.h"
#include "sipfilter/engine/sf_sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                           \
	do {                                                               \
		if (!(c))                                                  \
			abort();                                           \
	} while (0)

static sf_sipmsg_t g_m;
static sf_capdec_t *g_dec[2];   /* default limits, tiny limits */
static uint64_t g_msgs[2];

int LLVMFuzzerInitialize(int *argc, char ***argv);

static void on_msg(void *user, const sf_cap_msg_t *m)
{
	sf_sip_limits_t lim = {.max_message = 16384,
			       .stream = m->proto == SF_CAP_TCP};
	volatile uint8_t sink = 0;

	CHECK(m->len == 0 || m->data != NULL);
	CHECK(m->len <= 65536 + 16);
	if (m->len) /* touch both ends: ASan catches a bad view */
		sink ^= m->data[0] ^ m->data[m->len - 1];
	(void)sink;
	(*(uint64_t *)user)++;
	if (sf_sip_scan((const char *)m->data, m->len, &lim, &g_m) == 0)
		CHECK(g_m.len + g_m.skipped <= m->len);
}

static long frame(void *user, const uint8_t *buf, size_t len)
{
	const uint8_t *lf;
	long n;

	(void)user;
	if (!len)
		return 0;
	n = sf_sip_frame((const char *)buf, len, 16384);
	CHECK(n <= (long)len);
	if (n >= 0)
		return n;
	/* Junk: skip to the next line, as replay's resynchronisation does.
	 * (Delivering one byte and framing again from the next one made
	 * every junk stream quadratic: ~2 ms per 4 KiB input.) */
	lf = memchr(buf + 1, '\n', len - 1);
	return lf ? -(long)(lf - buf + 1) : -(long)len;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sf_capdec_limits_t tiny;

	(void)argc;
	(void)argv;
	sf_capdec_limits_default(&tiny);
	tiny.frag_max_datagrams = 2;
	tiny.frag_max_fragments = 3;
	/* byte limits well under fuzz_pcap.options' 4 KiB input cap, so
	 * the byte-budget evictions are reachable */
	tiny.frag_max_bytes = 1024;
	tiny.frag_timeout_us = 1000;
	tiny.tcp_max_flows = 2;
	tiny.tcp_max_buffer = 512;
	tiny.tcp_max_ooo = 2;
	tiny.tcp_max_ooo_bytes = 512;
	tiny.tcp_max_bytes = 1536;
	tiny.tcp_idle_us = 1000;
	g_dec[0] = sf_capdec_new(NULL, on_msg, frame, &g_msgs[0]);
	g_dec[1] = sf_capdec_new(&tiny, on_msg, frame, &g_msgs[1]);
	CHECK(g_dec[0] && g_dec[1]);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *fp = fmemopen((void *)data, size, "rb");
	sf_capfile_t *f;
	sf_cap_pkt_t pkt;
	sf_err_t err;
	int rc;

	if (!fp)
		return 0;
	if (sf_capfile_open_fp(fp, "fuzz", &f, &err) < 0) {
		fclose(fp);
		return 0;
	}
	if (size && (data[size - 1] & 1))
		sf_capfile_set_filter(f, "udp or tcp or sctp", &err);
	for (int k = 0; k < 2; k++) {
		sf_capdec_reset(g_dec[k]);
		g_msgs[k] = 0;
	}
	while ((rc = sf_capfile_next(f, &pkt, &err)) == 1) {
		uint8_t *copy = malloc(pkt.caplen ? pkt.caplen : 1);

		CHECK(pkt.caplen == 0 || pkt.data != NULL);
		CHECK(copy != NULL);
		if (pkt.caplen)
			memcpy(copy, pkt.data, pkt.caplen);
		pkt.data = copy;
		sf_capdec_packet(g_dec[0], &pkt);
		sf_capdec_packet(g_dec[1], &pkt);
		free(copy);
	}
	CHECK(rc <= 0);
	for (int k = 0; k < 2; k++) {
		sf_capdec_finish(g_dec[k]);
		CHECK(sf_capdec_get(g_dec[k], SF_CD_MESSAGES) == g_msgs[k]);
	}
	sf_capfile_close(f);
	fclose(fp);
	return 0;
}
