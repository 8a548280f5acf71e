/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_hash.h - every hash function sipfilter uses, in one place.
 *
 *   function        what it is                    used for
 *   sf_fnv1a64      FNV-1a, 64 bits, byte-wise    table string interning
 *                                                 (tables/tbl_strings.c)
 *   sf_fnv_step     one FNV step over a value     IP fragment and TCP stream
 *                                                 keys (capture/)
 *   sf_hash_words   multiply-xorshift, 8 bytes    replay's bounded sets:
 *                   at a time, length-tagged      transactions, top numbers
 *   sf_fmix64       MurmurHash3's finaliser       slot numbers from any hash
 *                                                 (replay's memos, JSON cache)
 *   sf_siphash24    SipHash-2-4, keyed            branches, To-tags and
 *                   (libsodium)                   Record-Route tokens
 *                                                 (sipfilter/engine/sf_token.c)
 *
 * Only sf_siphash24 resists crafted collisions: it is the one used where
 * an attacker must not forge or predict a value.  The others index
 * bounded, per-process tables where a collision costs a compare or a
 * second copy, never a wrong answer.  None of their values leave the
 * process, so they may change between versions; sf_siphash24's do (the
 * tokens in Record-Route and branches) and must not.
 */
#ifndef SF_HASH_H
#define SF_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SF_FNV64_OFFSET 0xcbf29ce484222325ull
#define SF_FNV64_PRIME 0x100000001b3ull

/* FNV-1a over n bytes, continuing from h (start with SF_FNV64_OFFSET). */
static inline uint64_t sf_fnv1a64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * SF_FNV64_PRIME;
	return h;
}

/* One FNV step that folds a whole value (a port, a length) in at once. */
static inline uint64_t sf_fnv_step(uint64_t h, uint64_t v)
{
	return (h ^ v) * SF_FNV64_PRIME;
}

/*
 * n bytes, 8 at a time, continuing from h; the length goes into the last
 * word, so "ab" and "ab\0" differ.  For keys of in-memory sets (only
 * equality of whole keys matters); about 4x fewer steps than FNV.
 */
static inline uint64_t sf_hash_words(uint64_t h, const void *p, size_t n)
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

/* MurmurHash3's 64-bit finaliser: every input bit reaches the low bits
 * used as slot numbers. */
static inline uint64_t sf_fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDull;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ull;
	return h ^ (h >> 33);
}

#define SF_SIPHASH_KEY_BYTES 16

/* SipHash-2-4 of len bytes under a 16-byte key, as a little-endian
 * 64-bit value (the same on every host). */
uint64_t sf_siphash24(const uint8_t key[SF_SIPHASH_KEY_BYTES], const void *in,
		      size_t len);

#endif
