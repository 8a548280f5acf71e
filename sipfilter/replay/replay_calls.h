/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_calls.h - the bounded table of calls whose outcome replay
 * follows: what the responses, the CANCEL and the BYE of each INVITE
 * transaction said, and where its record waits meanwhile.
 *
 * One state per INVITE transaction (fixed capacity), found by two keys in
 * one open-addressing index: the transaction key (Call-ID, CSeq number,
 * top Via branch: replay_txn_key(), which its responses and its CANCEL
 * repeat, RFC 3261 §17.1.3, §9.1) and, once a 2xx answered it, the
 * dialog key (Call-ID; the BYE's tags are checked against the state).
 * A state's record first waits in replay's record ring; a call whose
 * outcome is still open when its record leaves the ring is "parked": the
 * table keeps a copy of the line on one of two lists in the order calls
 * were parked, RINGING (no final response yet) and UP (answered, no BYE
 * yet).  Memory: REPLAY_CALLS_MAX states (or fewer) and at most max_bytes
 * of parked lines; when either runs out, the caller takes the oldest
 * parked call out first (replay_calls_oldest).  Not thread-safe; no I/O.
 */
#ifndef SF_REPLAY_CALLS_H
#define SF_REPLAY_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#define REPLAY_CALLS_MAX (1u << 16)       /* default states */
#define REPLAY_CALLS_BYTES (32u << 20)    /* default bytes of parked lines */
#define REPLAY_CALL_NONE UINT32_MAX
#define REPLAY_REASON_MAX 64              /* bytes of a reason phrase kept */

/* Where a state is. */
typedef enum replay_where {
	RC_FREE = 0,
	RC_RING,       /* its record is in the record ring */
	RC_RINGING,    /* parked, no final response yet */
	RC_UP,         /* parked, answered, no BYE yet */
} replay_where_t;

/* Who sent the BYE. */
typedef enum replay_side {
	RS_NONE = 0,
	RS_CALLER,
	RS_CALLEE,
} replay_side_t;

/* What happened to a call, as far as the capture shows. */
typedef enum replay_outcome {
	RO_ANSWERED = 0,   /* a 2xx final response */
	RO_REJECTED,       /* 4xx, 5xx, 6xx (not a 487 after CANCEL) */
	RO_REDIRECTED,     /* 3xx */
	RO_CANCELLED,      /* CANCELled and not answered */
	RO_UNANSWERED,     /* provisional responses only */
	RO_NO_RESPONSE,    /* no response at all */
	RO_COUNT
} replay_outcome_t;

/* How far the outcome was followed when the record was printed. */
typedef enum replay_status {
	RE_COMPLETE = 0,   /* final non-2xx, BYE, or no response in 64*T1 */
	RE_TIMEOUT,        /* ringing or up longer than the limits */
	RE_EVICTED,        /* the call table was full */
	RE_CAPTURE_END,    /* the capture ended first */
	RE_UNTRACKED,      /* not followed (a malformed INVITE) */
	RE_COUNT
} replay_status_t;

typedef struct replay_call {
	uint64_t txn_key;    /* index key: responses, CANCEL */
	uint64_t dlg_key;    /* index key once answered (0 before) */
	uint64_t from_tag;   /* hash of the INVITE's From-tag (0: none) */
	uint64_t to_tag;     /* hash of the answering 2xx's To-tag */
	/* capture times in microseconds; 0 = not seen */
	uint64_t t_invite, t_18x, t_final, t_bye;
	uint64_t ring_id;    /* its record's id in the ring (RC_RING) */
	char *line;          /* its record once parked (owned) */
	uint32_t len, retrans;
	uint32_t prev, next; /* list links (RC_RINGING, RC_UP) */
	void *user;          /* the caller's (replay: the rule's counters) */
	uint16_t code;       /* the first final response; 0 = none */
	uint8_t where;       /* replay_where_t */
	uint8_t bye_from;    /* replay_side_t */
	bool responded;      /* any response (1xx included) */
	bool cancelled;      /* a CANCEL of this transaction was seen */
	uint8_t reason_len;
	char reason[REPLAY_REASON_MAX]; /* the final response's phrase */
} replay_call_t;

typedef struct replay_ix {
	uint64_t key;        /* bit 0 set; 0 = empty */
	uint32_t idx;
} replay_ix_t;

typedef struct replay_calls {
	replay_call_t *c;
	uint32_t cap, used, free_head;
	replay_ix_t *ix;
	uint32_t ix_mask;
	uint32_t head[2], tail[2];  /* lists: 0 = RC_RINGING, 1 = RC_UP */
	uint64_t bytes, max_bytes;  /* parked lines */
	uint32_t peak;              /* most states used at once */
} replay_calls_t;

/* The outcome of c so far; names for records and the summary. */
replay_outcome_t replay_call_outcome(const replay_call_t *c);
const char *replay_outcome_name(replay_outcome_t o);
const char *replay_status_name(replay_status_t s);

/* Allocates cap states (0 = REPLAY_CALLS_MAX) and a byte budget for
 * parked lines (0 = REPLAY_CALLS_BYTES).  0, or -1 on ENOMEM (safe to
 * fini). */
int replay_calls_init(replay_calls_t *t, uint32_t cap, uint64_t max_bytes);
void replay_calls_fini(replay_calls_t *t);

static inline replay_call_t *replay_calls_at(replay_calls_t *t, uint32_t i)
{
	return &t->c[i];
}

/* A new state in the ring for an INVITE transaction (key, From-tag hash,
 * capture time), or REPLAY_CALL_NONE when every state is in use: take
 * the oldest parked call out (replay_calls_oldest) and try again.  A
 * state already indexed under key loses that key to the new one. */
uint32_t replay_calls_new(replay_calls_t *t, uint64_t txn_key,
			  uint64_t from_tag, uint64_t now);

/* The state indexed under a transaction key / a dialog key, or
 * REPLAY_CALL_NONE. */
uint32_t replay_calls_find(const replay_calls_t *t, uint64_t key);

/* Indexes state i under its dialog key (a 2xx answered it). */
void replay_calls_answer(replay_calls_t *t, uint32_t i, uint64_t dlg_key);

/* True if a line of len bytes can be parked without taking a parked
 * call out first. */
bool replay_calls_room(const replay_calls_t *t, uint32_t len);

/* Parks state i (RC_RING) with a copy of line[0..len) on list where
 * (RC_RINGING or RC_UP).  0, or -1 on ENOMEM (nothing changed). */
int replay_calls_park(replay_calls_t *t, uint32_t i, const char *line,
		      uint32_t len, uint32_t retrans, replay_where_t where);

/* Moves parked state i to the end of list where. */
void replay_calls_move(replay_calls_t *t, uint32_t i, replay_where_t where);

/* The first call of list where (RC_RINGING, RC_UP), or REPLAY_CALL_NONE. */
uint32_t replay_calls_head(const replay_calls_t *t, replay_where_t where);

/* The head of the two lists whose INVITE came first (the call to take
 * out when room is needed), or REPLAY_CALL_NONE when nothing is
 * parked. */
uint32_t replay_calls_oldest(const replay_calls_t *t);

/* Forgets state i: unlisted, unindexed, its line freed. */
void replay_calls_drop(replay_calls_t *t, uint32_t i);

#endif
