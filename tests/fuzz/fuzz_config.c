/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_config.c - libFuzzer target for the config loader.
 *
 * Feeds arbitrary bytes to sf_cfg_parse_flags with SF_CFG_SKIP_FILE_CHECKS
 * (no file system access, so runs are deterministic), then exercises the
 * result: lookups, trunk matching and the name functions, and prints the
 * diagnostics to a memory stream (rewound per input: no write(2) per
 * input, unlike /dev/null) so formatting is covered too.  Under libFuzzer
 * only every eighth input (by length) is printed: formatting each error
 * again took a tenth of the time (callgrind), and the printer's paths do
 * not depend on the config; the corpus replay (SF_FUZZ_REPLAY) prints all.
 * libyaml's allocations come from fuzz_yaml_heap.h's checked arena in the
 * ASan libFuzzer build (its real heap in the replay and MSan builds).
 * Build it with clang -fsanitize=fuzzer,address,undefined -I. from the
 * repository root, giving this file plus every .c file of base/ and
 * config/, and -lyaml; run it on a copy of tests/fuzz/corpus/config with
 * -dict=tests/fuzz/fuzz_config.dict.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config/sf_config.h"
/* The checked arena replaces libyaml's heap in the ASan libFuzzer build
 * only (the MSan build links an instrumented libyaml statically). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(SF_FUZZ_REPLAY)
#define SF_FUZZ_YAML_HEAP 1
#include "tests/fuzz/fuzz_yaml_heap.h"
#endif
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char sinkbuf[1 << 16];
	static FILE *sink;
	sf_cfg_t *cfg = NULL;
	sf_diag_t diag;
	sf_ip_t ip;

	if (!sink)
		sink = fmemopen(sinkbuf, sizeof(sinkbuf), "w");
#ifdef SF_FUZZ_YAML_HEAP
	fuzz_yaml_heap_reset();
#endif
	sf_diag_init(&diag);
	if (sf_cfg_parse_flags("fuzz.yaml", (const char *)data, size,
			       "/nonexistent", SF_CFG_SKIP_FILE_CHECKS, &cfg,
			       &diag) == 0) {
		memset(&ip, 0, sizeof(ip));
		ip.a[15] = 1;
		(void)sf_cfg_trunk_match(cfg, &ip);
		if (cfg->n_trunks)
			(void)sf_cfg_trunk_find(cfg, cfg->trunks[0].name);
		for (size_t i = 0; i < cfg->n_rules; i++) {
			const sf_rule_t *r = &cfg->rules[i];

			(void)sf_cfg_rule_find(cfg, r->name);
			(void)sf_action_name(r->action);
			(void)sf_mode_name(r->mode);
			for (size_t j = 0; j < r->n_conds; j++)
				(void)sf_cond_name(r->conds[j].kind);
		}
		sf_cfg_free(cfg);
	} else if (cfg) {
		__builtin_trap(); /* a failed parse must not return a config */
	}
#ifdef SF_FUZZ_REPLAY
	if (sink) {
#else
	if (sink && size % 8 == 0) {
#endif
		rewind(sink);
		sf_diag_print(&diag, sink);
		fflush(sink);
	}
	return 0;
}
