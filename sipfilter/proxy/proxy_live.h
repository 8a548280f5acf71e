/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_live.h - the live roaming feed through Redis (tables.roaming_live):
 * every serve node follows one Redis stream and applies its entries on top
 * of its roaming file, so a change published once reaches every node.
 *
 * Stream entries: XADD KEY * op add|del number NUMBER [visited CC].
 * A feed thread (hiredis, blocking XREAD with a timeout) reads entries
 * after the last id it has and queues them; the control thread - the
 * snapshot's only writer - drains the queue when the thread signals its
 * eventfd and publishes one new generation per batch.  The control thread
 * applies an entry only when its id is above the last one applied, so an
 * entry read twice (around a reload) counts once.  After a full reload the
 * position is the new roaming file's "# stream-id:" (or the start of the
 * stream when it has none): the entries after it are read again and
 * applied on the new tables, so nothing is lost and nothing the file
 * already holds is applied again.  `ctl roaming add/del` XADDs to the
 * stream (the change comes back through the feed, on this node as on the
 * others).  When Redis is unreachable the node serves what it has, counts
 * the failure, logs once per outage and reconnects (0.2 s, doubling to
 * 2 s); `ctl stats`, /metrics and /health say whether it is connected,
 * since when it is not, and why.
 */
#ifndef PROXY_LIVE_H
#define PROXY_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/sf_json.h"
#include "config/sf_config.h"
#include "tables/sf_tables.h"

typedef struct sf_live sf_live_t;

/* Log lines of the feed (any thread): a server's log function. */
typedef void (*sf_live_log_fn)(void *arg, int level, const char *line);

/* Starts the feed thread on cfg's tables.roaming_live (NULL when it is
 * not configured, or on failure, said in err).  from: the stream id to
 * read after ("" = from the start).  log/arg are kept until halt. */
sf_live_t *sf_live_start(const sf_cfg_t *cfg, const char *from,
			 sf_live_log_fn log, void *arg, sf_err_t *err);

/* Stops and joins the feed thread (the rest stays readable: stats,
 * metrics).  sf_live_free halts and frees.  NULL is a no-op. */
void sf_live_halt(sf_live_t *l);
void sf_live_free(sf_live_t *l);

/* The eventfd the control loop polls (readable: entries queued). */
int sf_live_fd(const sf_live_t *l);

/* Control thread, when the fd is readable: applies the queued entries
 * whose ids are above the last applied to base, giving *out (a new
 * snapshot, the caller's; NULL when nothing applied).  Returns how many
 * entries changed it. */
size_t sf_live_apply(sf_live_t *l, const sf_dialling_t *d,
		     const sf_tables_t *base, sf_tables_t **out);

/* Control thread, after a full reload: read again after from (the new
 * roaming file's stream id, "" = the start). */
void sf_live_reset(sf_live_t *l, const char *from);

/* Control thread: XADD a change; fills id (the entry's) or why.
 * Returns 0 or -1. */
int sf_live_publish(sf_live_t *l, bool add, const char *number,
		    const char *visited, char *id, size_t idsize, char *why,
		    size_t whysize);

/*
 * Since when the feed has been down (Unix time: since start until the
 * first connection, or since the connection was lost), with the reason in
 * why ("cannot connect: Connection refused"); 0 (why "") while connected
 * or when l is NULL.  Any thread.
 */
int64_t sf_live_down(const sf_live_t *l, char *why, size_t size);

/* The Redis address of the config ("unix:/path", "HOST:PORT"). */
const char *sf_live_addr(const sf_live_t *l);

/* "roaming_live": {...} for ctl stats (any thread). */
void sf_live_json(const sf_live_t *l, sf_jw_t *w);

/* Its metric lines into buf (any thread); returns the length. */
size_t sf_live_metrics(const sf_live_t *l, char *buf, size_t size);

#endif
