/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_tcpreasm.h - bounded TCP stream reassembly, one direction per flow.
 *
 * Segments go in in capture order; in-order bytes are handed to a framing
 * function which cuts messages off the front of the stream.  Handled:
 * out-of-order segments (queued, bounded), retransmissions and overlaps
 * (bytes already seen win; the rest of a partly new segment is used),
 * several messages per segment, one message over many segments, a flow
 * whose SYN was not captured (the first data segment starts it), and gaps
 * (when the out-of-order queue is full the missing bytes are skipped, the
 * partial message is dropped and the framer resynchronises).
 * A segment carrying whole messages at an empty buffer is framed in place
 * without copying.
 *
 * Bounds: flows (least recently used evicted), in-order buffer per flow,
 * out-of-order segments and bytes per flow, bytes over all flows, idle
 * timeout in capture time.  FIN and RST end a flow.
 */
#ifndef SF_TCPREASM_H
#define SF_TCPREASM_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/sf_addr.h"

typedef struct sf_tcp sf_tcp_t;

typedef struct sf_tcp_key {
	sf_ip_t src, dst;
	uint16_t sport, dport;
} sf_tcp_key_t;

typedef struct sf_tcp_limits {
	uint32_t max_flows, max_buffer, max_ooo, max_ooo_bytes;
	uint64_t max_bytes, idle_us;
} sf_tcp_limits_t;

typedef struct sf_tcp_stats {
	uint64_t flows, retrans, ooo, skipped, gaps, limit;
} sf_tcp_stats_t;

/* A message cut from the stream; data is valid during the call. */
typedef void (*sf_tcp_deliver_fn)(void *user, const sf_tcp_key_t *k,
				  uint64_t ts_us, const uint8_t *data,
				  size_t len, uint64_t stream_off);
/* Same contract as sf_cap_frame_fn (sf_capdec.h). */
typedef long (*sf_tcp_frame_fn)(void *user, const uint8_t *buf, size_t len);

#define SF_TCP_FIN 0x01
#define SF_TCP_SYN 0x02
#define SF_TCP_RST 0x04

/* NULL on ENOMEM. */
sf_tcp_t *sf_tcp_new(const sf_tcp_limits_t *lim, sf_tcp_deliver_fn deliver,
		     sf_tcp_frame_fn frame, void *user);
void sf_tcp_free(sf_tcp_t *t);

/* One segment (flags: SF_TCP_*). */
void sf_tcp_segment(sf_tcp_t *t, const sf_tcp_key_t *k, uint64_t ts_us,
		    uint32_t seq, unsigned flags, const uint8_t *payload,
		    uint32_t len);

/* Drops every flow (unframed bytes are counted as skipped). */
void sf_tcp_flush(sf_tcp_t *t);

/*
 * Back to the state sf_tcp_new() left: every flow dropped, the slots
 * handed out again in the same order, statistics zero; the tables are
 * kept.  Costs the slots used since the last reset, not max_flows.
 */
void sf_tcp_reset(sf_tcp_t *t);

const sf_tcp_stats_t *sf_tcp_stats(const sf_tcp_t *t);
/* Bytes buffered now, over all flows (for tests of the bounds). */
uint64_t sf_tcp_buffered(const sf_tcp_t *t);

#endif
