/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_mux.c - request/answer clients multiplexed with poll(2) (see
 * proxy_mux.h for the contract and the bounds).
 */
#include "proxy_mux.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/sf_err.h"

struct sf_mux_client {
	int fd;               /* -1 = free */
	bool writing;         /* the answer is being sent */
	bool eof;             /* the client has shut down its side */
	unsigned answered;    /* requests answered on this connection */
	uint64_t accepted_ms; /* accept, or the last answer sent */
	uint64_t deadline_ms; /* request complete by / answer taken by */
	char *in;             /* max_request + 1 bytes, in m->inbuf */
	size_t in_len;
	size_t scanned;       /* in[0..scanned) holds no terminator start */
	char *pending;        /* the part of the answer not yet sent */
	size_t pending_len, pending_off;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int sf_mux_init(sf_mux_t *m, int listen_fd, unsigned max_clients,
		size_t max_request, unsigned deadline_ms, const char *end,
		size_t out_cap)
{
	memset(m, 0, sizeof(*m));
	m->listen_fd = listen_fd;
	m->max_clients = max_clients;
	m->max_request = max_request;
	m->deadline_ms = deadline_ms;
	m->end = end;
	m->out_cap = out_cap;
	m->listen_polled = -1;
	m->c = calloc(max_clients, sizeof(*m->c));
	m->inbuf = malloc(max_clients * (max_request + 1));
	m->out = malloc(out_cap);
	m->slot_of = calloc(max_clients + 1, sizeof(*m->slot_of));
	if (!m->c || !m->inbuf || !m->out || !m->slot_of) {
		sf_mux_fini(m);
		return SF_ENOMEM;
	}
	for (unsigned i = 0; i < max_clients; i++) {
		m->c[i].fd = -1;
		m->c[i].in = m->inbuf + i * (max_request + 1);
	}
	if (listen_fd >= 0)
		fcntl(listen_fd, F_SETFL,
		      fcntl(listen_fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

/* Closes c; a client cut off (counted) gets a reset rather than a FIN,
 * so that the slow clients an attacker churns through leave no TIME_WAIT
 * behind on our side. */
static void client_close(sf_mux_t *m, sf_mux_client_t *c, bool counted)
{
	if (counted)
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER,
			   &(struct linger){1, 0}, sizeof(struct linger));
	close(c->fd);
	c->fd = -1;
	c->writing = c->eof = false;
	c->answered = 0;
	c->in_len = c->scanned = 0;
	free(c->pending);
	c->pending = NULL;
	c->pending_len = c->pending_off = 0;
	if (counted && m->st)
		SF_ST_INC(m->st->drop[m->drop]);
}

void sf_mux_fini(sf_mux_t *m)
{
	if (m->c)
		for (unsigned i = 0; i < m->max_clients; i++)
			if (m->c[i].fd >= 0)
				client_close(m, &m->c[i], false);
	free(m->c);
	free(m->inbuf);
	free(m->out);
	free(m->slot_of);
	m->c = NULL;
	m->inbuf = m->out = NULL;
	m->slot_of = NULL;
}

unsigned sf_mux_max_fds(const sf_mux_t *m)
{
	return m->max_clients + 1;
}

/* Sends buf[*off..len) without blocking.  1 = all sent, 0 = the socket
 * is full, -1 = the client is gone. */
static int send_some(int fd, const char *buf, size_t len, size_t *off)
{
	while (*off < len) {
		ssize_t w = send(fd, buf + *off, len - *off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		*off += (size_t)w;
	}
	return 1;
}

static void client_pull(sf_mux_t *m, sf_mux_client_t *c);

/* The answer is all sent: close, or (keep_alive) wait for the next
 * request with a fresh deadline and take any already received. */
static void answer_sent(sf_mux_t *m, sf_mux_client_t *c)
{
	free(c->pending);
	c->pending = NULL;
	c->pending_len = c->pending_off = 0;
	c->writing = false;
	c->answered++;
	if (!m->keep_alive || (c->eof && c->in_len == 0)) {
		client_close(m, c, false);
		return;
	}
	c->accepted_ms = mono_ms();
	c->deadline_ms = c->accepted_ms + m->deadline_ms;
}

static void client_flush(sf_mux_t *m, sf_mux_client_t *c)
{
	int r = send_some(c->fd, c->pending, c->pending_len, &c->pending_off);

	if (r < 0) {
		client_close(m, c, true);
	} else if (r > 0) {
		answer_sent(m, c);
		client_pull(m, c);
	}
}

/* The first req_len bytes of c->in are a complete request: answer it,
 * keep what follows it for the next, and keep aside what the socket
 * cannot take now. */
static void client_answer(sf_mux_t *m, sf_mux_client_t *c, size_t req_len)
{
	size_t n, off = 0;
	char after = c->in[req_len];
	int r;

	c->in[req_len] = '\0';
	n = m->handler(m->arg, c->in, req_len, m->out, m->out_cap);
	c->in[req_len] = after;
	c->in_len -= req_len;
	memmove(c->in, c->in + req_len, c->in_len);
	c->scanned = 0;
	if (n == 0) {
		client_close(m, c, false);
		return;
	}
	r = send_some(c->fd, m->out, n, &off);
	if (r < 0) {
		client_close(m, c, true);
		return;
	}
	if (r > 0) {
		answer_sent(m, c);
		return;
	}
	c->pending = malloc(n - off);
	if (!c->pending) {
		client_close(m, c, true);
		return;
	}
	memcpy(c->pending, m->out + off, n - off);
	c->pending_len = n - off;
	c->pending_off = 0;
	c->writing = true;
	c->deadline_ms = mono_ms() + m->deadline_ms;
}

/* The length of the first complete request in c->in (with its
 * terminator), or 0; remembers how far it looked. */
static size_t request_len(const sf_mux_t *m, sf_mux_client_t *c)
{
	size_t el = strlen(m->end);
	const char *hit;

	if (c->in_len < el)
		return 0;
	hit = memmem(c->in + c->scanned, c->in_len - c->scanned, m->end, el);
	if (hit)
		return (size_t)(hit - c->in) + el;
	c->scanned = c->in_len - (el - 1);
	return 0;
}

/* Answers every complete request received (one at a time: not while an
 * answer is still being sent), reading what the client sends, until the
 * socket has nothing more or the client is closed.  After the client
 * shut down its side, what is left without a terminator is its last
 * request. */
static void client_pull(sf_mux_t *m, sf_mux_client_t *c)
{
	while (c->fd >= 0 && !c->writing) {
		size_t len = request_len(m, c), room;
		ssize_t r;

		if (len) {
			client_answer(m, c, len);
			continue;
		}
		if (c->eof) {
			if (c->in_len)
				client_answer(m, c, c->in_len);
			else
				client_close(m, c, false);
			continue;
		}
		room = m->max_request - c->in_len;
		if (room == 0) {
			client_close(m, c, true); /* request too large */
			return;
		}
		r = recv(c->fd, c->in + c->in_len, room, MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				client_close(m, c, false);
			return;
		}
		if (r == 0)
			c->eof = true;
		c->in_len += (size_t)r;
	}
}

/* Last chance before a deadline or eviction: take what is there. */
static void client_last_chance(sf_mux_t *m, sf_mux_client_t *c)
{
	if (c->writing)
		client_flush(m, c);
	else
		client_pull(m, c);
}

/* A kept-alive client between requests: closing it loses nothing. */
static bool client_idle(const sf_mux_client_t *c)
{
	return c->answered && !c->writing && c->in_len == 0;
}

static int free_slot(const sf_mux_t *m)
{
	for (unsigned i = 0; i < m->max_clients; i++)
		if (m->c[i].fd < 0)
			return (int)i;
	return -1;
}

/* The oldest client still sending its request, if it has had its grace;
 * else -1. */
static int victim(const sf_mux_t *m, uint64_t now)
{
	int v = -1;

	for (unsigned i = 0; i < m->max_clients; i++) {
		const sf_mux_client_t *c = &m->c[i];

		if (c->fd < 0 || c->writing ||
		    now - c->accepted_ms < SF_MUX_GRACE_MS)
			continue;
		if (v < 0 || c->accepted_ms < m->c[v].accepted_ms)
			v = (int)i;
	}
	return v;
}

/* Finds room for one more client, crowding out a slow one if need be.
 * Returns the slot or -1. */
static int make_room(sf_mux_t *m)
{
	int i;

	while ((i = free_slot(m)) < 0) {
		int v = victim(m, mono_ms());

		if (v < 0)
			return -1;
		client_last_chance(m, &m->c[v]);
		if (m->c[v].fd >= 0 && !m->c[v].writing)
			client_close(m, &m->c[v], !client_idle(&m->c[v]));
	}
	return i;
}

static void do_accept(sf_mux_t *m)
{
	for (;;) {
		sf_mux_client_t *c;
		int i, fd;

		if (free_slot(m) < 0 && victim(m, mono_ms()) < 0)
			return;
		fd = accept4(m->listen_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		i = make_room(m);
		if (i < 0) {
			/* the would-be victim turned out to be answering */
			close(fd);
			if (m->st)
				SF_ST_INC(m->st->drop[m->drop]);
			continue;
		}
		c = &m->c[i];
		c->fd = fd;
		c->writing = c->eof = false;
		c->answered = 0;
		c->in_len = c->scanned = 0;
		c->accepted_ms = mono_ms();
		c->deadline_ms = c->accepted_ms + m->deadline_ms;
		client_pull(m, c); /* the request is usually there already */
	}
}

static void lower(int *timeout_ms, uint64_t at, uint64_t now)
{
	uint64_t d = at > now ? at - now : 0;

	if (d < (uint64_t)*timeout_ms || *timeout_ms < 0)
		*timeout_ms = d > INT_MAX ? INT_MAX : (int)d;
}

unsigned sf_mux_poll_set(sf_mux_t *m, struct pollfd *p, int *timeout_ms)
{
	uint64_t now = mono_ms();
	uint64_t oldest = UINT64_MAX;
	unsigned n = 0;
	bool room = false;

	m->listen_polled = -1;
	for (unsigned i = 0; i < m->max_clients; i++) {
		sf_mux_client_t *c = &m->c[i];

		if (c->fd < 0) {
			room = true;
			continue;
		}
		if (!c->writing && c->accepted_ms < oldest)
			oldest = c->accepted_ms;
	}
	if (m->listen_fd >= 0) {
		if (room || (oldest != UINT64_MAX &&
			     now - oldest >= SF_MUX_GRACE_MS)) {
			p[n] = (struct pollfd){m->listen_fd, POLLIN, 0};
			m->listen_polled = (int)n;
			m->slot_of[n++] = UINT_MAX;
		} else if (oldest != UINT64_MAX) {
			lower(timeout_ms, oldest + SF_MUX_GRACE_MS, now);
		}
	}
	for (unsigned i = 0; i < m->max_clients; i++) {
		sf_mux_client_t *c = &m->c[i];

		if (c->fd < 0)
			continue;
		p[n] = (struct pollfd){c->fd, c->writing ? POLLOUT : POLLIN, 0};
		m->slot_of[n++] = i;
		lower(timeout_ms, c->deadline_ms, now);
	}
	m->n_polled = n;
	return n;
}

void sf_mux_dispatch(sf_mux_t *m, const struct pollfd *p)
{
	for (unsigned k = 0; k < m->n_polled; k++) {
		sf_mux_client_t *c;

		if ((int)k == m->listen_polled || !p[k].revents)
			continue;
		c = &m->c[m->slot_of[k]];
		if (c->fd != p[k].fd)
			continue;
		if (c->writing)
			client_flush(m, c);
		else
			client_pull(m, c);
	}
	for (unsigned i = 0; i < m->max_clients; i++) {
		sf_mux_client_t *c = &m->c[i];

		if (c->fd < 0 || mono_ms() < c->deadline_ms)
			continue;
		client_last_chance(m, c);
		if (c->fd >= 0 && mono_ms() >= c->deadline_ms)
			client_close(m, c, !client_idle(c));
	}
	if (m->listen_polled >= 0 && p[m->listen_polled].revents)
		do_accept(m);
	m->n_polled = 0;
}
