/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_http.c - the metrics endpoint (serve.metrics): GET /metrics
 * (Prometheus text exposition) and GET /health, HTTP/1.0, one request per
 * connection, on a thread of its own.
 *
 * Why a thread of its own: the endpoint used to share the control
 * thread, so one scraper sending a byte every half second delayed
 * `ctl roaming add`, reloads and SIGTERM by tens of seconds.  Here it
 * only reads (counters, and the reload status under status_lock), so it
 * cannot delay the control thread, and its clients are multiplexed
 * (proxy_mux.h: bounded clients, 2 s to send a request of at most 4 KiB)
 * so one scraper cannot delay another.
 */
#include "proxy_ctl.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proxy_live.h"
#include "proxy_mux.h"

#define HTTP_MAX_CLIENTS 32
#define HTTP_MAX_REQUEST 4096
#define HTTP_DEADLINE_MS 2000
#define HTTP_MAX_ANSWER (1u << 20)
#define HTTP_HDR_ROOM 256 /* the body is rendered after room for headers */

/*
 * The /health body: "ok", or "degraded" and one line per reason.  Without
 * tables the answer is 503 (calls pass unverified: take the node out).  A
 * live roaming feed that is down makes it "degraded" with 200: the node
 * still judges every call with its last state, and a load balancer that
 * took out every node when the one Redis they share goes away would stop
 * all calls.
 */
static size_t health_body(sf_server_t *s, bool no_tables, char *out,
			  size_t cap)
{
	char why[256], at[32];
	int64_t since = sf_live_down(s->live, why, sizeof(why));
	time_t t = (time_t)since;
	struct tm tm;
	int n;

	if (!since)
		n = snprintf(out, cap, "%s\n", no_tables ? "degraded" : "ok");
	else {
		gmtime_r(&t, &tm);
		strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
		n = snprintf(out, cap, "degraded\nroaming_live: Redis %s since "
			     "%s (%lld s): %s; serving the last state\n",
			     sf_live_addr(s->live), at,
			     (long long)(time(NULL) - since), why);
	}
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static size_t http_answer(void *arg, char *req, size_t len, char *out,
			  size_t cap)
{
	sf_server_t *s = arg;
	char hdr[HTTP_HDR_ROOM];
	size_t n = 0;
	int hl;

	(void)len;
	if (!strncmp(req, "GET /metrics", 12) || !strncmp(req, "GET / ", 6)) {
		n = sf_metrics_render(s, out + HTTP_HDR_ROOM,
				      cap - HTTP_HDR_ROOM);
		hl = snprintf(hdr, sizeof(hdr),
			      "HTTP/1.0 200 OK\r\nContent-Type: text/plain; "
			      "version=0.0.4\r\nContent-Length: %zu\r\n"
			      "Connection: close\r\n\r\n", n);
	} else if (!strncmp(req, "GET /health", 11)) {
		bool no_tables = sf_ctl_degraded(s);

		n = health_body(s, no_tables, out + HTTP_HDR_ROOM,
				cap - HTTP_HDR_ROOM);
		hl = snprintf(hdr, sizeof(hdr),
			      "HTTP/1.0 %s\r\nContent-Type: text/plain\r\n"
			      "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			      no_tables ? "503 Degraded" : "200 OK", n);
	} else {
		hl = snprintf(hdr, sizeof(hdr),
			      "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n"
			      "Connection: close\r\n\r\n");
	}
	memmove(out + hl, out + HTTP_HDR_ROOM, n);
	memcpy(out, hdr, (size_t)hl);
	return (size_t)hl + n;
}

static void *http_thread(void *arg)
{
	sf_mux_t *m = arg;
	sf_server_t *s = m->arg;
	struct pollfd *p = calloc(sf_mux_max_fds(m), sizeof(*p));

	while (p && !atomic_load(&s->stop)) {
		/* wakes at least every 100 ms to notice shutdown, as the
		 * TCP thread does */
		int timeout = 100;
		unsigned n = sf_mux_poll_set(m, p, &timeout);

		if (poll(p, n, timeout) < 0)
			for (unsigned i = 0; i < n; i++)
				p[i].revents = 0;
		sf_mux_dispatch(m, p);
	}
	free(p);
	sf_mux_fini(m);
	free(m);
	return NULL;
}

int sf_http_start(sf_server_t *s, int fd, sf_err_t *err)
{
	sf_mux_t *m;
	int rc;

	if (fd < 0)
		return 0;
	m = malloc(sizeof(*m));
	if (!m || sf_mux_init(m, fd, HTTP_MAX_CLIENTS, HTTP_MAX_REQUEST,
			      HTTP_DEADLINE_MS, "\r\n\r\n", HTTP_MAX_ANSWER)) {
		free(m);
		return sf_err_set(err, SF_ENOMEM, NULL, 0, 0,
				  "metrics: out of memory");
	}
	m->handler = http_answer;
	m->arg = s;
	m->st = sf_server_http_stats(s);
	m->drop = SF_DROP_HTTP_CLIENT;
	rc = pthread_create(&s->http_th, NULL, http_thread, m);
	if (rc) {
		sf_mux_fini(m);
		free(m);
		return sf_err_set(err, SF_EIO, NULL, 0, 0,
				  "metrics thread: %s", strerror(rc));
	}
	s->http_started = true;
	return 0;
}
