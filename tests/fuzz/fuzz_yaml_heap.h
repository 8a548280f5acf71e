/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_yaml_heap.h - libyaml's heap for the libFuzzer build of fuzz_config.
 *
 * libyaml is not instrumented; it allocates through four exported
 * functions (yaml_malloc, yaml_realloc, yaml_free, yaml_strdup) that it
 * calls through its PLT, so a definition in the executable takes their
 * place.  Under ASan, libyaml's ~180 small allocations per input (four
 * 16-byte strings per plain scalar, 64 KiB of reader buffers) cost more
 * than the rest of the config loader: each one unwinds a stack, poisons
 * shadow and passes through the quarantine (perf: malloc + free were 31 %
 * of fuzz_config's time).
 *
 * Here they come from a bump arena that keeps what ASan checks on that
 * memory: every block has a poisoned header and a poisoned 16-byte (or
 * more, to alignment) redzone after it, so a read or write past the end
 * by our code (the loader reads libyaml's scalars) is reported as
 * use-after-poison; a freed block is poisoned and never reused within the
 * input, so a use after free is reported too (ASan's quarantine only
 * delays reuse).  What is given up: allocation/free stacks in the report
 * (replay the saved crash with build/fuzz-replay/fuzz_config, which keeps
 * the real allocator, to get them).  Leaks are still caught:
 * fuzz_yaml_heap_reset() traps if an input left a block allocated.
 *
 * Include this file in exactly one translation unit of the libFuzzer
 * binary; the corpus replay and coverage builds (SF_FUZZ_REPLAY) use
 * libyaml's own heap.
 */
#ifndef SF_FUZZ_YAML_HEAP_H
#define SF_FUZZ_YAML_HEAP_H

#include <sanitizer/asan_interface.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define FYH_CHUNK ((size_t)8 << 20) /* one input's libyaml memory fits */
#define FYH_ALIGN 16u
#define FYH_REDZONE 16u
/* The arena is the harness's, not code under test: its branches must not
 * count as coverage (they made libFuzzer keep inputs for their allocation
 * patterns alone). */
#define FYH_NOCOV __attribute__((no_sanitize("coverage")))

typedef struct fyh_hdr {
	size_t size;   /* bytes asked for */
	size_t magic;  /* FYH_LIVE or FYH_FREED */
} fyh_hdr_t;

#define FYH_LIVE ((size_t)0x6c6976655f796861ull)
#define FYH_FREED ((size_t)0x667265655f796861ull)

static unsigned char *fyh_base;   /* FYH_CHUNK bytes, mapped once */
static size_t fyh_used;           /* bump offset into fyh_base */
static size_t fyh_live;           /* blocks allocated and not freed */

/* Forgets every block (trapping if one is still live: a leak) and poisons
 * the arena; call it before each input. */
FYH_NOCOV static void fuzz_yaml_heap_reset(void)
{
	if (!fyh_base) {
		void *p = mmap(NULL, FYH_CHUNK, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			abort();
		fyh_base = p;
		fyh_used = FYH_CHUNK; /* poison it all below */
	}
	if (fyh_live != 0)
		__builtin_trap(); /* an input leaked libyaml memory */
	ASAN_POISON_MEMORY_REGION(fyh_base, fyh_used);
	fyh_used = 0;
}

FYH_NOCOV static fyh_hdr_t *fyh_header(void *p)
{
	fyh_hdr_t *h = (fyh_hdr_t *)((unsigned char *)p - sizeof(*h));

	ASAN_UNPOISON_MEMORY_REGION(h, sizeof(*h));
	if (h->magic != FYH_LIVE)
		__builtin_trap(); /* double free or a pointer not ours */
	return h;
}

void *yaml_malloc(size_t size);
void *yaml_realloc(void *ptr, size_t size);
void yaml_free(void *ptr);
unsigned char *yaml_strdup(const unsigned char *str);

FYH_NOCOV void *yaml_malloc(size_t size)
{
	size_t span = sizeof(fyh_hdr_t) + size + FYH_REDZONE;
	fyh_hdr_t *h;

	span = (span + FYH_ALIGN - 1) / FYH_ALIGN * FYH_ALIGN;
	if (!fyh_base || size > FYH_CHUNK || span > FYH_CHUNK - fyh_used)
		return NULL; /* libyaml reports a memory error */
	h = (fyh_hdr_t *)(fyh_base + fyh_used);
	fyh_used += span;
	ASAN_UNPOISON_MEMORY_REGION(h, sizeof(*h));
	h->size = size;
	h->magic = FYH_LIVE;
	ASAN_POISON_MEMORY_REGION(h, sizeof(*h));
	ASAN_UNPOISON_MEMORY_REGION(h + 1, size);
	fyh_live++;
	return h + 1;
}

FYH_NOCOV void yaml_free(void *ptr)
{
	fyh_hdr_t *h;

	if (!ptr)
		return;
	h = fyh_header(ptr);
	h->magic = FYH_FREED;
	ASAN_POISON_MEMORY_REGION(h, sizeof(*h) + h->size);
	fyh_live--;
}

FYH_NOCOV void *yaml_realloc(void *ptr, size_t size)
{
	void *n = yaml_malloc(size);
	fyh_hdr_t *h;

	if (!ptr || !n)
		return n;
	h = fyh_header(ptr);
	memcpy(n, ptr, h->size < size ? h->size : size);
	yaml_free(ptr);
	return n;
}

FYH_NOCOV unsigned char *yaml_strdup(const unsigned char *str)
{
	size_t n;
	unsigned char *s;

	if (!str)
		return NULL;
	n = strlen((const char *)str) + 1;
	s = yaml_malloc(n);
	if (s)
		memcpy(s, str, n);
	return s;
}

#endif
