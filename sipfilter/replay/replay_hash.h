/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_hash.h - the two non-keyed hashes replay's bounded tables use:
 * a 64-bit hash of bytes (transaction keys, selected Call-IDs) and a
 * 64-bit finaliser (slots of the address memos and the JSON cache).
 * Only equality of whole keys matters and the tables are bounded, so no
 * keyed hash is needed here.  Inline: they run for every INVITE.
 */
#ifndef SF_REPLAY_HASH_H
#define SF_REPLAY_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define REPLAY_HASH0 1469598103934665603ull

/*
 * 64-bit hash of n bytes continuing h, 8 at a time.  The length goes into
 * the last word, so "ab" and "ab\0" differ.  p may be NULL when n is 0.
 */
static inline uint64_t replay_hash_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t w;

	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&w, b, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ull;
		h ^= h >> 29;
	}
	w = (uint64_t)n << 56;
	if (n)
		memcpy(&w, b, n), w |= (uint64_t)n << 56;
	h = (h ^ w) * 0xD6E8FEB86659FD93ull;
	return h ^ (h >> 32);
}

/* A 64-bit finaliser (MurmurHash3 fmix64): every input bit reaches the
 * low bits used as slot numbers. */
static inline uint64_t replay_mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDull;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ull;
	return h ^ (h >> 33);
}

#endif
