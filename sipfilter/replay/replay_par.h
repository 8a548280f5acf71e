/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * replay_par.h - `sipfilter replay -j N`: the same run on N threads, with
 * output byte-identical to -j 1.
 *
 * Three stages.  (1) The caller's thread decodes the inputs exactly as
 * -j 1 does (one decoder, the files merged in time order: IP fragments
 * and TCP streams that span files are reassembled the same way) and
 * copies each SIP message into a batch, in input order.  (2) Batches go
 * to N - 1 threads, and to the caller's when its window is full: each
 * message's order-free work (replay_work.h: scanning, judging an INVITE
 * under one or two configs, formatting its record, reading a
 * response/CANCEL/BYE) is done there.  (3) One more thread takes batches
 * back strictly in the order they were made and runs the ordered stage
 * on each message (sf_replay_on_sip: retransmission folding, counting,
 * the record ring, the call table, printing), as -j 1 does with the same
 * results.  An INVITE is judged even when it turns out to be a
 * retransmission (its result is then unused), which is the only extra
 * work.
 *
 * Memory: at most 4 batches a thread (at most PAR_WINDOW_MAX) are in
 * flight; a batch holds at most PAR_MSGS messages and PAR_BYTES of their
 * bytes, and room for their records (PAR_MSGS x REPLAY_LINE_MAX at
 * worst, ~1.3 KB a record in practice).  A message bigger than PAR_BYTES
 * is not batched: the batches before it are finished and it goes through
 * the ordered stage on the caller's thread, like -j 1.
 */
#ifndef SF_REPLAY_PAR_H
#define SF_REPLAY_PAR_H

#include "replay.h"

#define PAR_MSGS 256u                 /* messages a batch */
#define PAR_BYTES (256u << 10)        /* message bytes a batch */
#define PAR_WINDOW_PER_THREAD 4u      /* batches in flight a thread */
#define PAR_WINDOW_MAX 256u
#define PAR_THREADS_MAX 64u

typedef struct sf_replay_par sf_replay_par_t;

/*
 * A pipeline over r (borrowed: r must outlive it) using threads threads
 * in all, the caller's included (1..PAR_THREADS_MAX; more are cut to
 * the maximum).  Starts threads - 1 judging threads and the ordered
 * stage's; if some cannot be started, the caller's thread does their
 * part (the output is the same).  msgs, bytes, window: a
 * smaller batch (messages, bytes) and window (batches) for tests, 0 =
 * the defaults.  NULL on ENOMEM.
 */
sf_replay_par_t *sf_replay_par_new(sf_replay_t *r, unsigned threads,
				   uint32_t msgs, uint32_t bytes,
				   uint32_t window);

/* The decoder callbacks (user = the sf_replay_par_t), in place of
 * sf_replay_on_msg / sf_replay_frame. */
void sf_replay_par_on_msg(void *user, const sf_cap_msg_t *m);
long sf_replay_par_frame(void *user, const uint8_t *buf, size_t len);

/* Every message delivered so far through the ordered stage.  Call at the
 * end of input (before sf_replay_flush), from the decoding thread. */
void sf_replay_par_drain(sf_replay_par_t *p);

/* Drains, stops the threads and frees p (NULL: nothing). */
void sf_replay_par_free(sf_replay_par_t *p);

#endif
