/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_token.h - the keyed values a stateless proxy uses to recognise its
 * own work: Via branches, To-tags of its rejections, and the token in its
 * Record-Route URI.
 *
 * A stateless proxy keeps no per-call state, so everything it must later
 * recognise is derived from the message itself with a keyed hash
 * (SipHash-2-4, libsodium's crypto_shorthash_siphash24, over the listed
 * fields).  An adversary chooses every field, so the hash is keyed with a
 * secret the config gives (`serve.secret`, shared by every node behind a
 * load balancer) or `serve` generates at start.
 *
 *  - Branch (RFC 3261 §16.11, §16.6 item 8, §16.3 item 4):
 *      z9hG4bKsf + 16 hex (K) + 8 hex (L)
 *    K is keyed over the incoming top Via's branch and sent-by (for an
 *    RFC 2543 peer without the magic cookie: also Call-ID, From-tag and
 *    CSeq number), so a response - whose next Via is that Via - can be
 *    verified without state.  L is an unkeyed hash of what decides where
 *    the request goes (Request-URI, Call-ID, From-tag, CSeq number, the
 *    ingress trunk and the first Route left after ours): a request that
 *    comes back with the same L is a loop (482), with another L a spiral.
 *    The method is in neither, so CANCEL and the ACK of a non-2xx get the
 *    INVITE's branch (§16.11).
 *  - To-tag of our own final responses: "sf" + 16 hex keyed over Call-ID,
 *    From-tag and the top Via branch; the ACK of that response carries
 *    the same three (§17.1.1.3), so any node recognises it.
 *  - Record-Route token: 16 hex keyed over Call-ID and the From-tag of
 *    the dialog-forming request; an in-dialog request carries it back in
 *    its top Route with that tag as its From-tag or To-tag (either
 *    direction).
 *
 * Pure, allocation-free, thread-safe; a key is plain data.
 */
#ifndef SF_TOKEN_H
#define SF_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/sf_str.h"

#define SF_KEY_BYTES 16

/* Our branches: cookie + "sf" + K (16 hex) + L (8 hex). */
#define SF_BRANCH_PREFIX "z9hG4bKsf"
#define SF_BRANCH_PREFIX_LEN 9
#define SF_BRANCH_LEN (SF_BRANCH_PREFIX_LEN + 16 + 8)
/* Our To-tags: "sf" + 16 hex digits. */
#define SF_TAG_LEN 18
/* The Record-Route token: 16 hex digits, URI parameter "sfk". */
#define SF_RR_TOKEN_LEN 16
#define SF_RR_TOKEN_PARAM "sfk"

typedef struct sf_key {
	uint8_t k[SF_KEY_BYTES];
} sf_key_t;

/*
 * Derives a key from a secret of any length (BLAKE2b-128 of the bytes), so
 * every node given the same `serve.secret` agrees.  Returns 0, or
 * SF_EINVAL when len is 0.
 */
int sf_key_from_secret(const char *secret, size_t len, sf_key_t *key);

/* A fresh random key (libsodium's randombytes).  Returns 0 or SF_EIO. */
int sf_key_random(sf_key_t *key);

/*
 * SipHash-2-4 under key over the parts, each framed by its length, so
 * ("ab","c") and ("a","bc") differ.  Parts over 256 bytes are hashed on
 * their own first (bounded stack use; still a function of every byte).
 * At most 16 parts.
 */
uint64_t sf_token_hash(const sf_key_t *key, const sf_str_t *parts,
		       unsigned n);

/* The same with the fixed public key: for values anyone may recompute
 * (the loop part L of a branch). */
uint64_t sf_token_hash_public(const sf_str_t *parts, unsigned n);

/* Lower-case hex of the 64-bit h (16 digits) or its low 32 bits (8
 * digits) into out; no NUL. */
void sf_hex16(uint64_t h, char out[16]);
void sf_hex8(uint32_t h, char out[8]);

/* Inputs of the K part of a branch: the top Via of the incoming request
 * (or, for a response, the Via after ours). */
typedef struct sf_branch_in {
	sf_str_t branch;     /* as written; empty when absent */
	sf_str_t host;       /* sent-by host (without [] for IPv6) */
	uint16_t port;       /* sent-by port, 0 when absent */
	sf_str_t call_id;    /* used only for branches without the cookie */
	sf_str_t from_tag;
	uint32_t cseq;
} sf_branch_in_t;

/* K for in. */
uint64_t sf_branch_k(const sf_key_t *key, const sf_branch_in_t *in);

/* Writes our branch (SF_BRANCH_LEN bytes, no NUL) for K and L. */
void sf_branch_format(uint64_t k, uint32_t l, char out[SF_BRANCH_LEN]);

/* True if b has our shape (prefix, length, hex digits). */
bool sf_branch_is_ours(sf_str_t b);

/* For a branch of our shape: its K and L parts. */
uint64_t sf_branch_get_k(sf_str_t b);
uint32_t sf_branch_get_l(sf_str_t b);

/* Our To-tag for a request: key over Call-ID, From-tag, top branch. */
void sf_token_totag(const sf_key_t *key, sf_str_t call_id, sf_str_t from_tag,
		    sf_str_t branch, char out[SF_TAG_LEN]);

/* The Record-Route token for a dialog: key over Call-ID and the From-tag
 * of its dialog-forming request. */
void sf_token_rr(const sf_key_t *key, sf_str_t call_id, sf_str_t tag,
		 char out[SF_RR_TOKEN_LEN]);

#endif
