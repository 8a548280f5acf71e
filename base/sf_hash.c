/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_hash.c - the keyed hash (see sf_hash.h): libsodium's SipHash-2-4.
 * Nothing cryptographic is written here.
 */
#include "sf_hash.h"

#include <sodium.h>

_Static_assert(crypto_shorthash_siphash24_KEYBYTES == SF_SIPHASH_KEY_BYTES,
	       "SipHash-2-4 takes a 16-byte key");

uint64_t sf_siphash24(const uint8_t key[SF_SIPHASH_KEY_BYTES], const void *in,
		      size_t len)
{
	unsigned char out[8];
	uint64_t h = 0;

	crypto_shorthash_siphash24(out, in, len, key);
	for (int i = 7; i >= 0; i--)
		h = h << 8 | out[i];
	return h;
}
