/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_ctl.h - the control side of `serve`: reloads, live roaming
 * updates, the Unix control socket (`sipfilter ctl`), signals, and the
 * Prometheus endpoint.  Reloads and roaming updates run on the control
 * thread only, so table rebuilds are serialised by construction (no
 * concurrent-reload class of bugs); the metrics endpoint has a thread of
 * its own (proxy_http.c) that only reads.  Both serve their clients
 * through proxy_mux.h, so no client can delay another, a command, a
 * reload or SIGTERM.
 *
 * Control protocol: request lines, words separated by spaces, options as
 * key=value; each answered by one JSON object on one line, in order.  A
 * connection carries as many requests as the client sends (one after
 * another or pipelined; each must be complete within SF_CTL_DEADLINE_MS
 * of the previous answer); it is closed after the answers once the client
 * shuts down its side, or when idle past that deadline:
 *   reload                               -> {"ok":true,"generation":N,...}
 *   stats                                -> counters, tables, reloads
 *   lookup NUMBER [trunk=T] [called=C]   -> the verdict, explained
 *   roaming add NUMBER [visited=CC] | roaming del NUMBER
 *   roaming many add=NUMBER[/CC] del=NUMBER ...  (up to SF_CTL_MANY_MAX
 *       changes in one request: checked together, journalled with one
 *       write, applied and published as one snapshot; a feed's fast path)
 * A failed command answers {"ok":false,"error":"..."}.
 */
#ifndef PROXY_CTL_H
#define PROXY_CTL_H

#include <stddef.h>

#include "proxy_server.h"

/* sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET
 * ('@' = abstract namespace).  No-op when unset. */
void sf_sd_notify(const char *msg);

/* Sends RELOADING=1 with MONOTONIC_USEC. */
void sf_sd_reloading(void);

/*
 * Reloads the config file and the tables it names as one new generation
 * (proxy_reload.c), built beside the live one and published whole; on
 * any failure keeps the old generation serving and records every
 * diagnostic in s->last_reload_error (also logged, one line each).
 * Settings that need a restart keep their running values and are named
 * in s->last_reload_notes (logged as warnings).  Returns 0 or the
 * loader's SF_E* code.  Control thread.
 */
int sf_ctl_reload(sf_server_t *s);

/*
 * Opens cfg's tables.roaming_journal (nothing when it is not set) into
 * s->journal and replays it on the generation serving (after its roaming
 * file's "# journal-seq:"), publishing the result; then drops the entries
 * the file already holds.  Before the workers start.  A journal that does
 * not parse is refused: SF_EPARSE with err naming file:line:col.
 * Returns 0 or SF_E*.
 */
int sf_ctl_journal_start(sf_server_t *s, sf_err_t *err);

/* sf_ctl_reload, with force: the shrink guard (serve.max_shrink) is not
 * applied - after many live roaming additions a file that lacks them is
 * a legitimate "shrink" - and the forced reload is logged (warning) with
 * each table's rows before and after.  Every other check still holds. */
int sf_ctl_reload_force(sf_server_t *s, bool force);

/* Executes one control request line; writes the JSON answer into
 * buf[0..size) (NUL-terminated).  Returns 0 when the answer is ok. */
int sf_ctl_exec(sf_server_t *s, const char *line, char *buf, size_t size);

/* Renders the Prometheus text exposition into buf; returns its length.
 * Any thread (reads counters and s->status under status_lock). */
size_t sf_metrics_render(sf_server_t *s, char *buf, size_t size);

/* Counter slot labels (sf_st_labels_t: stable across reloads), for the
 * `stats` answer and the metrics: a rule slot's name, its own action
 * (what enforce mode applies), a trunk slot's name. */
const char *sf_ctl_rule_label(const sf_st_labels_t *l, unsigned r);
sf_action_t sf_ctl_rule_action(const sf_st_labels_t *l, unsigned r);
const char *sf_ctl_trunk_label(const sf_st_labels_t *l, unsigned slot);

/* True when no tables are loaded (degraded mode).  Any thread. */
bool sf_ctl_degraded(sf_server_t *s);

/* Control-socket client bounds (proxy_mux.h). */
#define SF_CTL_MAX_CLIENTS 32
#define SF_CTL_MAX_REQUEST 1024
#define SF_CTL_MANY_MAX 128 /* changes in one `roaming many` */
#define SF_CTL_DEADLINE_MS 2000

/*
 * Runs the control loop until SIGTERM/SIGINT (or s->stop): serves the
 * control socket ctl_fd (may be -1) and reloads on SIGHUP.  sig_fd is a
 * signalfd for HUP/TERM/INT.
 */
void sf_ctl_loop(sf_server_t *s, int ctl_fd, int sig_fd);

/*
 * Starts the metrics thread on the listening socket fd (nothing if fd is
 * -1); sf_server_stop joins it.  The thread owns fd's clients, not fd.
 * Returns 0, SF_ENOMEM or SF_EIO with err.
 */
int sf_http_start(sf_server_t *s, int fd, sf_err_t *err);

#endif
