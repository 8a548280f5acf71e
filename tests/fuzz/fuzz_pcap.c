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
static uint64_t g_msgs;

static void on_msg(void *user, const sf_cap_msg_t *m)
{
	sf_sip_limits_t lim = {.max_message = 16384,
			       .stream = m->proto == SF_CAP_TCP};
	volatile uint8_t sink = 0;

	(void)user;
	CHECK(m->len == 0 || m->data != NULL);
	CHECK(m->len <= 65536 + 16);
	if (m->len) /* touch both ends: ASan catches a bad view */
		sink ^= m->data[0] ^ m->data[m->len - 1];
	(void)sink;
	g_msgs++;
	if (sf_sip_scan((const char *)m->data, m->len, &lim, &g_m) == 0)
		CHECK(g_m.len + g_m.skipped <= m->len);
}

static long frame(void *user, const uint8_t *buf, size_t len)
{
	long n;

	(void)user;
	if (!len)
		return 0;
	n = sf_sip_frame((const char *)buf, len, 16384);
	CHECK(n <= (long)len);
	return n < 0 ? 1 : n; /* skip a byte on junk, like a resync */
}

static void run(const uint8_t *data, size_t size,
		const sf_capdec_limits_t *lim)
{
	FILE *fp = fmemopen((void *)data, size, "rb");
	sf_capfile_t *f;
	sf_capdec_t *d;
	sf_cap_pkt_t pkt;
	sf_err_t err;
	int rc;

	if (!fp)
		return;
	if (sf_capfile_open_fp(fp, "fuzz", &f, &err) < 0) {
		fclose(fp);
		return;
	}
	if (size && (data[size - 1] & 1))
		sf_capfile_set_filter(f, "udp or tcp or sctp", &err);
	d = sf_capdec_new(lim, on_msg, frame, NULL);
	CHECK(d != NULL);
	g_msgs = 0;
	while ((rc = sf_capfile_next(f, &pkt, &err)) == 1) {
		CHECK(pkt.caplen == 0 || pkt.data != NULL);
		sf_capdec_packet(d, &pkt);
	}
	CHECK(rc <= 0);
	sf_capdec_finish(d);
	CHECK(sf_capdec_get(d, SF_CD_MESSAGES) == g_msgs);
	sf_capdec_free(d);
	sf_capfile_close(f);
	fclose(fp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sf_capdec_limits_t tiny;

	run(data, size, NULL);
	sf_capdec_limits_default(&tiny);
	tiny.frag_max_datagrams = 2;
	tiny.frag_max_fragments = 3;
	tiny.frag_max_bytes = 4096;
	tiny.frag_timeout_us = 1000;
	tiny.tcp_max_flows = 2;
	tiny.tcp_max_buffer = 2048;
	tiny.tcp_max_ooo = 2;
	tiny.tcp_max_ooo_bytes = 2048;
	tiny.tcp_max_bytes = 8192;
	tiny.tcp_idle_us = 1000;
	run(data, size, &tiny);
	return 0;
}
