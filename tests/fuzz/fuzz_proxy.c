/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_proxy.c - libFuzzer target for the proxy's whole SIP behaviour:
 * sf_proxy_handle() (scan, Via, loop and Max-Forwards checks, verdict,
 * in-place edits, stateless responses, the 400 salvage of refused
 * requests) with the bundled example config and tables.
 *
 * An input is handled in one of four ways: as a datagram from a known
 * trunk (127.0.0.2), as a datagram from an unknown source (127.0.0.9), as
 * a TCP message from the trunk, or with no tables (degraded).  Under
 * libFuzzer the way is the input's length modulo 4 (speed, issue 15: the
 * four ways share most of their paths, and handling every input four
 * times held the target at ~3,000 executions/s; a mutation that adds or
 * removes a byte moves an input to another way); the corpus replay
 * (replay_main.c, built with SF_FUZZ_REPLAY) handles every input all four
 * ways, as the target did before.  Checks (abort() so
 * libFuzzer keeps the input): what is produced fits its buffer and is not
 * empty; a reply to an unknown UDP source is never larger than the
 * request; anything forwarded still starts with a request or status line
 * and ends its header section with CRLFCRLF; the salvage views lie inside
 * the input.
 *
 * Needs tests/fixtures/engine (the example config and tables, frozen; run
 * from the repository root, or set SF_ROOT).  Build: make fuzz-build; run: make
 * fuzz.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipfilter/proxy/proxy_core.h"
#include "sipfilter/engine/sf_salvage.h"
#include "sipfilter/proxy/proxy_resp.h"
#include "sipfilter/lib/sf_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(c)                                                           \
	do {                                                               \
		if (!(c))                                                  \
			abort();                                           \
	} while (0)

static sf_cfg_t *cfg;
static sf_tables_t *tables;
static sf_proxy_t proxy;
static sf_wstats_t st;
static sf_pctx_t ctx;
static sf_sipmsg_t salv;
static char obuf[65536 + SF_EDIT_SCRATCH + 512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *root = getenv("SF_ROOT");
	char path[1024];
	sf_err_t err;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "%s/tests/fixtures/engine/sipfilter.yaml",
		 root ? root : ".");
	if (sf_load_all(path, &cfg, &tables)) {
		fprintf(stderr, "fuzz_proxy: cannot load %s\n", path);
		exit(1);
	}
	sf_identity_global_init();
	sf_err_clear(&err);
	if (sf_proxy_init(&proxy, cfg, NULL, &err)) {
		sf_err_print(&err, stderr);
		exit(1);
	}
	ctx.p = &proxy;
	ctx.st = &st;
	return 0;
}

static void one(const char *buf, size_t len, const char *ip,
		sf_transport_t tp, const sf_tables_t *t)
{
	struct sockaddr_in s;
	sf_pin_t in = {buf, len, tp, (const struct sockaddr *)&s, 0, -1,
		       SF_HOW_SOURCE};
	sf_pout_t out;
	int r;

	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	s.sin_port = htons(5061);
	inet_pton(AF_INET, ip, &s.sin_addr);
	if (tp == SF_TP_TCP)
		in.listener = 1; /* tcp:127.0.0.1:5060 in the example */
	out.buf = obuf;
	out.cap = sizeof(obuf);
	r = sf_proxy_handle(&ctx, t, &in, &out);
	CHECK(r == 0 || r == 1);
	if (!r)
		return;
	CHECK(out.len > 0 && out.len <= out.cap);
	if (out.reply && tp == SF_TP_UDP && !strcmp(ip, "127.0.0.9"))
		CHECK(out.len <= len);
	CHECK(out.len >= 12 && (!memcmp(obuf, "SIP/2.0 ", 8) ||
				memchr(obuf, ' ', 33) != NULL));
	CHECK(memmem(obuf, out.len, "\r\n\r\n", 4) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	if (size > 65536)
		return 0;
#ifdef SF_FUZZ_REPLAY
	for (size_t way = 0; way < 4; way++)
#else
	size_t way = size % 4;
#endif
		switch (way) {
		case 0: one(buf, size, "127.0.0.2", SF_TP_UDP, tables); break;
		case 1: one(buf, size, "127.0.0.9", SF_TP_UDP, tables); break;
		case 2: one(buf, size, "127.0.0.2", SF_TP_TCP, tables); break;
		default: one(buf, size, "127.0.0.2", SF_TP_UDP, NULL); break;
		}
	if (sf_salvage(buf, size, &salv) == 0) {
		for (unsigned i = 0; i < salv.n_hdrs; i++) {
			const sf_sip_hdr_t *h = &salv.hdrs[i];

			CHECK(h->start < h->end && h->end <= size);
			CHECK(h->value.s >= buf &&
			      h->value.s + h->value.len <= buf + size);
		}
		CHECK(salv.method.s == buf && salv.method.len > 0);
	}
	return 0;
}
