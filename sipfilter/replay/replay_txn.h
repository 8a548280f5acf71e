/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_txn.h - retransmission folding: the key of an INVITE transaction
 * and a bounded set of the recent ones.
 *
 * A UDP retransmission repeats the INVITE's Call-ID, CSeq and top Via
 * branch (RFC 3261 §17.2.1 matches server transactions by them); its key
 * is a 64-bit hash of the three, so the same transaction has the same key
 * and another transaction almost surely another.  The set remembers keys
 * with a 64-bit value each (replay: the record id and whether the call is
 * selected) in two generations: the current one is retired when half the
 * capacity is used or when it is older than max_age (the retransmission
 * window), so a key is forgotten after between one and two generations
 * and memory never grows.  The same set holds the Call-IDs of selected
 * calls (--write-pcap).  Not thread-safe.
 */
#ifndef SF_REPLAY_TXN_H
#define SF_REPLAY_TXN_H

#include <stdint.h>

#include "sipfilter/engine/sf_sip.h"

/* Entries of one generation; each generation uses only the first phys[g]
 * entries of its table (a power of two from REPLAY_TXN_MIN up to cap,
 * doubled when half full, back to REPLAY_TXN_MIN when the generation is
 * emptied), so a sparse set stays cache-resident. */
#define REPLAY_TXN_MIN 4096u

typedef struct replay_txn_ent {
	uint64_t key, val;
	uint64_t gen;       /* valid only while equal to the table's gen */
} replay_txn_ent_t;

typedef struct replay_txn_set {
	replay_txn_ent_t *e[2];
	uint32_t n[2], cap;
	uint32_t phys[2];
	replay_txn_ent_t *tmp; /* cap / 2 entries: grow's scratch */
	uint64_t gen[2];
	int cur;
	uint64_t since;     /* when the current generation started */
} replay_txn_set_t;

/* Allocates a set of cap entries per generation (a power of two; at most
 * cap / 2 keys live in one).  0, or -1 on ENOMEM (safe to fini). */
int replay_txn_init(replay_txn_set_t *s, uint32_t cap);
void replay_txn_fini(replay_txn_set_t *s);

/* The value remembered for key, or NULL.  The pointer is valid until the
 * next put.  Key bit 0 is ignored (keys k and k ^ 1 are one key). */
uint64_t *replay_txn_find(replay_txn_set_t *s, uint64_t key);

/*
 * Remembers key -> val at time now (any monotonic clock; capture time in
 * replay).  First retires the older generation when the current one is
 * half full or, with max_age != 0, started more than max_age before now.
 * Putting a key already in the current generation replaces its value.
 */
void replay_txn_put(replay_txn_set_t *s, uint64_t key, uint64_t val,
		    uint64_t now, uint64_t max_age);

/* The transaction key of a scanned request: call_id (its Call-ID value,
 * which the caller has at hand), its CSeq number and top Via branch (the
 * whole first Via value when it has no branch). */
uint64_t replay_txn_key(const sf_sipmsg_t *m, sf_str_t call_id);

/* The key of a malformed INVITE: its bytes (a retransmission repeats
 * them), hashed apart from replay_txn_key's. */
uint64_t replay_txn_bytes_key(const uint8_t *p, size_t n);

/* The 64-bit key of a Call-ID (the set of selected calls). */
uint64_t replay_txn_call_key(sf_str_t call_id);

#endif
