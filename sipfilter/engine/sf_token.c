/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_token.c - keyed branches, To-tags and Record-Route tokens (see
 * sf_token.h).  The hashing is libsodium's: SipHash-2-4 (sf_hash.h) for the
 * per-message values, BLAKE2b to turn a configured secret into a key, randombytes for
 * a generated one.  Nothing cryptographic is written here.
 */
#include "sf_token.h"

#include <sodium.h>
#include <string.h>

#include "base/sf_err.h"
#include "base/sf_hash.h"

/* Parts longer than this are hashed on their own first. */
#define PART_INLINE_MAX 256
#define MAX_PARTS 16

static const sf_key_t public_key = {{
	's', 'i', 'p', 'f', 'i', 'l', 't', 'e', 'r', '-', 'l', 'o', 'o', 'p',
	'-', '1',
}};

int sf_key_from_secret(const char *secret, size_t len, sf_key_t *key)
{
	if (!len)
		return SF_EINVAL;
	crypto_generichash(key->k, SF_KEY_BYTES, (const unsigned char *)secret,
			   len, NULL, 0);
	return 0;
}

int sf_key_random(sf_key_t *key)
{
	if (sodium_init() < 0)
		return SF_EIO;
	randombytes_buf(key->k, SF_KEY_BYTES);
	return 0;
}

static uint64_t siphash(const sf_key_t *key, const unsigned char *in,
			size_t len)
{
	return sf_siphash24(key->k, in, len);
}

uint64_t sf_token_hash(const sf_key_t *key, const sf_str_t *parts,
		       unsigned n)
{
	/* Each part: 2 length bytes (0xffff = pre-hashed) + bytes. */
	unsigned char buf[MAX_PARTS * (2 + PART_INLINE_MAX)];
	size_t used = 0;

	if (n > MAX_PARTS)
		n = MAX_PARTS;
	for (unsigned i = 0; i < n; i++) {
		const unsigned char *s = (const unsigned char *)parts[i].s;
		size_t len = s ? parts[i].len : 0;

		if (len > PART_INLINE_MAX) {
			uint64_t h = siphash(key, s, len);

			/* little-endian, so nodes of any byte order agree */
			buf[used++] = 0xff;
			buf[used++] = 0xff;
			for (int b = 0; b < 8; b++)
				buf[used++] = (unsigned char)(h >> (8 * b));
			continue;
		}
		buf[used++] = (unsigned char)(len >> 8);
		buf[used++] = (unsigned char)len;
		if (len)
			memcpy(buf + used, s, len);
		used += len;
	}
	return siphash(key, buf, used);
}

uint64_t sf_token_hash_public(const sf_str_t *parts, unsigned n)
{
	return sf_token_hash(&public_key, parts, n);
}

static const char hx[] = "0123456789abcdef";

void sf_hex16(uint64_t h, char out[16])
{
	for (int i = 15; i >= 0; i--) {
		out[i] = hx[h & 15];
		h >>= 4;
	}
}

void sf_hex8(uint32_t h, char out[8])
{
	for (int i = 7; i >= 0; i--) {
		out[i] = hx[h & 15];
		h >>= 4;
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static uint64_t unhex(const char *s, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 4 | (uint64_t)hexval(s[i]);
	return v;
}

/* Decimal text of v into buf (no NUL); returns its length. */
static size_t dec(uint32_t v, char buf[10])
{
	char t[10];
	size_t n = 0, i = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		buf[i++] = t[--n];
	return i;
}

uint64_t sf_branch_k(const sf_key_t *key, const sf_branch_in_t *in)
{
	char port[10], cseq[10];
	sf_str_t parts[7];
	unsigned n = 0;

	parts[n++] = in->branch;
	parts[n++] = in->host;
	parts[n++] = sf_str(port, dec(in->port, port));
	/* RFC 3261 §16.11: without the magic cookie the branch does not
	 * identify the transaction; add what does (and what a response
	 * still carries: not the Request-URI or the To-tag). */
	if (!(in->branch.len > 7 && !memcmp(in->branch.s, "z9hG4bK", 7))) {
		parts[n++] = in->call_id;
		parts[n++] = in->from_tag;
		parts[n++] = sf_str(cseq, dec(in->cseq, cseq));
	}
	return sf_token_hash(key, parts, n);
}

void sf_branch_format(uint64_t k, uint32_t l, char out[SF_BRANCH_LEN])
{
	memcpy(out, SF_BRANCH_PREFIX, SF_BRANCH_PREFIX_LEN);
	sf_hex16(k, out + SF_BRANCH_PREFIX_LEN);
	sf_hex8(l, out + SF_BRANCH_PREFIX_LEN + 16);
}

bool sf_branch_is_ours(sf_str_t b)
{
	if (b.len != SF_BRANCH_LEN ||
	    memcmp(b.s, SF_BRANCH_PREFIX, SF_BRANCH_PREFIX_LEN) != 0)
		return false;
	for (size_t i = SF_BRANCH_PREFIX_LEN; i < b.len; i++)
		if (hexval(b.s[i]) < 0)
			return false;
	return true;
}

uint64_t sf_branch_get_k(sf_str_t b)
{
	return unhex(b.s + SF_BRANCH_PREFIX_LEN, 16);
}

uint32_t sf_branch_get_l(sf_str_t b)
{
	return (uint32_t)unhex(b.s + SF_BRANCH_PREFIX_LEN + 16, 8);
}

void sf_token_totag(const sf_key_t *key, sf_str_t call_id, sf_str_t from_tag,
		    sf_str_t branch, char out[SF_TAG_LEN])
{
	sf_str_t parts[4] = {SF_STR_LIT("totag"), call_id, from_tag, branch};

	out[0] = 's';
	out[1] = 'f';
	sf_hex16(sf_token_hash(key, parts, 4), out + 2);
}

void sf_token_rr(const sf_key_t *key, sf_str_t call_id, sf_str_t tag,
		 char out[SF_RR_TOKEN_LEN])
{
	sf_str_t parts[3] = {SF_STR_LIT("rr"), call_id, tag};

	sf_hex16(sf_token_hash(key, parts, 3), out);
}
