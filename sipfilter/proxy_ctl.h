/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_ctl.h - the control side of `serve`: reloads, live roaming
 * updates, the Unix control socket (`sipfilter ctl`), the Prometheus
 * endpoint and signals.  Everything here runs on one thread, so table
 * rebuilds are serialised by construction (no concurrent-reload class of
 * bugs).
 *
 * Control protocol: one request line per connection, words separated by
 * spaces, options as key=value; one JSON object back, then close:
 *   reload                               -> {"ok":true,"generation":N,...}
 *   stats                                -> counters, tables, reloads
 *   lookup NUMBER [trunk=T] [called=C]   -> the verdict, explained
 *   roaming add NUMBER [visited=CC] | roaming del NUMBER
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
 * sf_load_tables() plus one check the table loader does not make: every
 * table file that is not empty must end with a newline.  A feed caught
 * half-written ("77011234567,TR\n7702111") would otherwise load its cut
 * last line as a different, valid number.  The error is
 * "FILE:LINE: last line has no end of line (file cut short?)".  Returns 0
 * or a negative SF_E* with err; *out as sf_load_tables().
 */
int sf_ctl_load_tables(const sf_cfg_t *cfg, const sf_tables_t *previous,
		       sf_tables_t **out, sf_err_t *err);

/*
 * Rebuilds the tables beside the live ones and publishes them; on any
 * failure keeps the old snapshot and records why (also logged).
 * Returns 0 or the loader's SF_E* code.
 */
int sf_ctl_reload(sf_server_t *s);

/* Executes one control request line; writes the JSON answer into
 * buf[0..size) (NUL-terminated).  Returns 0 when the answer is ok. */
int sf_ctl_exec(sf_server_t *s, const char *line, char *buf, size_t size);

/* Renders the Prometheus text exposition into buf; returns its length. */
size_t sf_metrics_render(sf_server_t *s, char *buf, size_t size);

/*
 * Runs the control loop until SIGTERM/SIGINT (or s->stop): serves the
 * control socket ctl_fd and the metrics listener metrics_fd (either may be
 * -1), reloads on SIGHUP.  sig_fd is a signalfd for HUP/TERM/INT.
 */
void sf_ctl_loop(sf_server_t *s, int ctl_fd, int metrics_fd, int sig_fd);

#endif
