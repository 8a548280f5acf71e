/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_mux.h - many request/answer clients on one listening socket,
 * served by one thread with poll(2), so that no client can hold up
 * another, nor the thread's other work: the control socket (proxy_ctl.c,
 * beside signals) and the metrics endpoint (proxy_http.c, on its own
 * thread).
 *
 * A client connects, sends a request (complete when `end` appears, or
 * when it shuts down its side), and gets one answer.  Without keep_alive
 * it is then closed.  With keep_alive (the control socket) it may send
 * the next request, also before the answer (pipelined: requests are
 * answered one at a time, in order); it is closed once it has shut down
 * its side and every request is answered, or when it sits idle, with no
 * request begun, past its deadline (not counted as a drop).  Every
 * socket is non-blocking.  Bounds:
 *  - at most max_clients at once.  When the table is full, a new client
 *    takes the place of the oldest one still sending its request if that
 *    one has had SF_MUX_GRACE_MS to send it; otherwise it waits in the
 *    listen backlog.  So slow clients cannot crowd out prompt ones;
 *  - a request is at most max_request bytes and must be complete within
 *    deadline_ms of accept (or of the previous answer being sent); the
 *    answer must be taken within deadline_ms of being ready.  A client over a bound is closed unanswered and
 *    counted in st->drop[drop].  A client is given one last
 *    non-blocking read (or write) before it is closed for its deadline or
 *    crowded out, so time the owning thread spent busy (a reload) is
 *    never held against it;
 *  - the handler runs on the owning thread as soon as a request is
 *    complete; an answer the socket cannot take at once is copied aside
 *    (only then is memory allocated for it).
 * The owner calls sf_mux_poll_set, poll(2), then sf_mux_dispatch, in a
 * loop; everything happens on that thread (no locks here).
 */
#ifndef PROXY_MUX_H
#define PROXY_MUX_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proxy_stats.h"

#define SF_MUX_GRACE_MS 250

/*
 * Builds the answer to one complete request.  req is the request with its
 * terminator (none when the client ended it by shutting down its side),
 * NUL-terminated (len bytes before the NUL), and may be modified.  Writes at most cap
 * bytes to out and returns their number (0: close without answer).
 */
typedef size_t (*sf_mux_handler_t)(void *arg, char *req, size_t len,
				   char *out, size_t cap);

typedef struct sf_mux_client sf_mux_client_t;

typedef struct sf_mux {
	int listen_fd;
	unsigned max_clients;
	size_t max_request;
	unsigned deadline_ms;
	const char *end;          /* request terminator, e.g. "\n" */
	bool keep_alive;          /* many requests per connection */
	sf_mux_handler_t handler;
	void *arg;
	sf_wstats_t *st;          /* owned by the owning thread */
	sf_st_drop_t drop;        /* the reason clients closed unanswered
				   * are counted under */
	/* private */
	sf_mux_client_t *c;
	char *inbuf;              /* max_clients * (max_request + 1) */
	char *out;                /* answer scratch */
	size_t out_cap;
	unsigned *slot_of;        /* pollfd index -> client slot */
	unsigned n_polled;
	int listen_polled;        /* index of the listener in the set, -1 */
} sf_mux_t;

/*
 * Initialises m for listen_fd (made non-blocking here) with the given
 * bounds; out_cap is the largest answer.  The caller fills handler, arg,
 * st and drop.  Returns 0 or SF_ENOMEM.
 */
int sf_mux_init(sf_mux_t *m, int listen_fd, unsigned max_clients,
		size_t max_request, unsigned deadline_ms, const char *end,
		size_t out_cap);

/* Closes every client and frees what init allocated (not listen_fd). */
void sf_mux_fini(sf_mux_t *m);

/* The number of pollfd entries sf_mux_poll_set may fill. */
unsigned sf_mux_max_fds(const sf_mux_t *m);

/*
 * Fills p (room for sf_mux_max_fds) with the sockets to watch: the
 * listener when a client could be taken, and every client.  Lowers
 * *timeout_ms to the nearest deadline.  Returns the number of entries.
 */
unsigned sf_mux_poll_set(sf_mux_t *m, struct pollfd *p, int *timeout_ms);

/*
 * Acts on the poll(2) results in p (as filled by the last
 * sf_mux_poll_set; pass the revents back unchanged): reads, answers,
 * writes, accepts, and closes clients past their deadline.
 */
void sf_mux_dispatch(sf_mux_t *m, const struct pollfd *p);

#endif
