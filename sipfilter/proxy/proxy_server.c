/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_server.c - sockets, threads and the log sink of `serve`.
 */
#include "proxy_server.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

static int open_sock(const sf_plisten_t *l, int type, sf_err_t *err)
{
	int one = 1, fd = socket(l->family, type | SOCK_CLOEXEC |
						 (type == SOCK_STREAM ? SOCK_NONBLOCK : 0), 0);

	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		goto fail;
	if (l->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (type == SOCK_DGRAM) {
		int sz = 4 << 20;
		struct timeval tv = {0, 200000};

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		/* Workers wake up to notice shutdown. */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		/* ICMP errors (next hop down) are queued for us to count
		 * (proxy_udp.c); without this an unconnected socket drops
		 * them silently. */
		if (l->family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one,
				   sizeof(one));
		else
			setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one,
				   sizeof(one));
	}
	if (bind(fd, (const struct sockaddr *)&l->sa, l->salen))
		goto fail;
	if (type == SOCK_STREAM && listen(fd, 512))
		goto fail;
	return fd;
fail:
	{
		int e = errno;

		if (fd >= 0)
			close(fd);
		sf_err_set(err, SF_EIO, NULL, 0, 0, "%s %s: %s",
			   type == SOCK_DGRAM ? "udp" : "tcp", l->sentby,
			   strerror(e));
		if (err)
			err->sys_errno = e;
	}
	return -1;
}

int sf_server_bind(sf_server_t *s, sf_err_t *err)
{
	for (unsigned li = 0; li < SF_CFG_MAX_LISTENERS; li++) {
		s->tcp_listen_fd[li] = -1;
		for (unsigned w = 0; w < SF_MAX_THREADS; w++)
			s->udp_fd[li][w] = -1;
	}
	for (unsigned li = 0; li < s->proxy.n_listeners; li++) {
		const sf_plisten_t *l = &s->proxy.listeners[li];

		if (l->tp == SF_TP_TCP) {
			s->tcp_listen_fd[li] = open_sock(l, SOCK_STREAM, err);
			if (s->tcp_listen_fd[li] < 0)
				return SF_EIO;
			continue;
		}
		for (unsigned w = 0; w < s->workers; w++) {
			s->udp_fd[li][w] = open_sock(l, SOCK_DGRAM, err);
			if (s->udp_fd[li][w] < 0)
				return SF_EIO;
		}
	}
	if (sf_tcp_setup(s))
		return sf_err_set(err, SF_EIO, NULL, 0, 0,
				  "TCP setup failed: %s", strerror(errno));
	return 0;
}

static int add_thread(sf_server_t *s, int listener, int fd)
{
	sf_thread_t *t;

	if (s->n_threads >= SF_MAX_THREADS)
		return -1;
	t = &s->threads[s->n_threads];
	t->srv = s;
	t->idx = s->n_threads++;
	t->listener = listener;
	t->fd = fd;
	t->ctx = calloc(1, sizeof(*t->ctx));
	if (!t->ctx)
		return -1;
	t->ctx->p = &s->proxy;
	t->ctx->st = &s->stats[t->idx];
	return 0;
}

int sf_server_start(sf_server_t *s, sf_err_t *err)
{
	/* Thread slots: UDP threads listener-major, then the TCP thread;
	 * thread idx % workers is the worker number. */
	for (unsigned li = 0; li < s->proxy.n_listeners; li++)
		for (unsigned w = 0; w < s->workers; w++)
			if (s->udp_fd[li][w] >= 0 &&
			    add_thread(s, (int)li, s->udp_fd[li][w]))
				return sf_err_set(err, SF_ENOMEM, NULL, 0, 0,
						  "too many threads");
	if (add_thread(s, -1, -1))
		return sf_err_set(err, SF_ENOMEM, NULL, 0, 0,
				  "too many threads");
	for (unsigned i = 0; i < s->n_threads; i++) {
		sf_thread_t *t = &s->threads[i];
		int rc = pthread_create(&t->th, NULL,
					t->listener >= 0 ? sf_udp_thread
							 : sf_tcp_thread, t);

		if (rc)
			return sf_err_set(err, SF_EIO, NULL, 0, 0,
					  "pthread_create: %s", strerror(rc));
		t->started = true;
	}
	return 0;
}

void sf_server_stop(sf_server_t *s)
{
	atomic_store(&s->stop, true);
	if (s->http_started) {
		pthread_join(s->http_th, NULL);
		s->http_started = false;
	}
	for (unsigned i = 0; i < s->n_threads; i++) {
		if (s->threads[i].started)
			pthread_join(s->threads[i].th, NULL);
		free(s->threads[i].ctx);
		s->threads[i].ctx = NULL;
	}
	for (unsigned li = 0; li < SF_CFG_MAX_LISTENERS; li++) {
		if (s->tcp_listen_fd[li] >= 0)
			close(s->tcp_listen_fd[li]);
		for (unsigned w = 0; w < SF_MAX_THREADS; w++)
			if (s->udp_fd[li][w] >= 0)
				close(s->udp_fd[li][w]);
	}
	if (s->conns) {
		for (unsigned i = 0; i < s->n_conns_max; i++) {
			if (s->conns[i].fd >= 0)
				close(s->conns[i].fd);
			free(s->conns[i].buf);
		}
		free(s->conns);
		s->conns = NULL;
	}
	free(s->conn_info);
	s->conn_info = NULL;
	if (s->tcp_epfd >= 0)
		close(s->tcp_epfd);
}

void sf_server_log(void *arg, int level, const char *line)
{
	const sf_server_t *s = arg;
	char buf[1024];
	size_t len;
	int n;

	if (s->use_syslog) {
		syslog(level, "%s", line);
		return;
	}
	/* One write(2) per line: atomic on a pipe or journal stream, and no
	 * stdio lock shared between workers.  Assembled by hand: a line per
	 * rejected call. */
	n = 0;
	if (s->level_prefix) {
		buf[0] = '<';
		buf[1] = level == LOG_ERR       ? '3'
			 : level == LOG_WARNING ? '4'
			 : level == LOG_NOTICE  ? '5'
			 : level == LOG_INFO    ? '6'
						: '7';
		buf[2] = '>';
		n = 3;
	}
	memcpy(buf + n, "sipfilter: ", 11);
	n += 11;
	len = strlen(line);
	if (len > sizeof(buf) - 1 - (size_t)n)
		len = sizeof(buf) - 1 - (size_t)n;
	memcpy(buf + n, line, len);
	n += (int)len;
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, (size_t)n) < 0) {
		/* nowhere to report it */
	}
}
