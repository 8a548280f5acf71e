/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_proxy_mux.c - the request/answer client multiplexer of the control
 * socket and the metrics endpoint (sipfilter/proxy/proxy_mux.c), driven on one
 * thread over a Unix socket: a prompt client is answered while a slow one
 * is connected; a slow client is cut off at its deadline and an oversized
 * request at once (both counted); when the table is full a new client
 * crowds out the oldest incomplete one once it has had its grace, and
 * waits while the others are fresh.  With keep_alive (the control
 * socket) one connection carries many requests, pipelined or one after
 * the other, each with its own deadline; an idle one is closed uncounted,
 * one that shut down its side after its last request gets every answer.
 * Real time, bounded loops (< 3 s).
 */
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sipfilter/proxy/proxy_mux.h"

#define DEADLINE_MS 400

static struct sockaddr_un addr;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static size_t echo(void *arg, char *req, size_t len, char *out, size_t cap)
{
	(void)arg;
	(void)cap;
	memcpy(out, "ok:", 3);
	memcpy(out + 3, req, len);
	return len + 3;
}

static int listener(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	/* abstract namespace: nothing to clean up */
	snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1,
		 "sf-test-mux-%d", (int)getpid());
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(fd, 16))
		T_FAIL_AT("cannot listen");
	return fd;
}

static int client(const char *send_now)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		T_FAIL_AT("cannot connect");
	fcntl(fd, F_SETFL, O_NONBLOCK);
	if (send_now && send(fd, send_now, strlen(send_now), 0) < 0)
		T_FAIL_AT("send");
	return fd;
}

/* Runs the mux for ms milliseconds. */
static void run(sf_mux_t *m, unsigned ms)
{
	struct pollfd p[16];
	uint64_t end = now_ms() + ms;

	while (now_ms() < end) {
		int timeout = (int)(end - now_ms());

		sf_mux_poll_set(m, p, &timeout);
		if (poll(p, m->n_polled, timeout) < 0)
			T_FAIL_AT("poll");
		sf_mux_dispatch(m, p);
	}
}

/* What the client got: "open" (nothing yet), "closed", or the answer. */
static const char *got(int fd, char *buf, size_t size)
{
	ssize_t r = recv(fd, buf, size - 1, 0);

	if (r < 0)
		return errno == EAGAIN ? "open" : "closed";
	if (r == 0)
		return "closed";
	buf[r] = '\0';
	return buf;
}

static void setup(sf_mux_t *m, sf_wstats_t *st, unsigned max_clients)
{
	memset(st, 0, sizeof(*st));
	if (sf_mux_init(m, listener(), max_clients, 16, DEADLINE_MS, "\n",
			4096))
		T_FAIL_AT("init");
	m->handler = echo;
	m->st = st;
	m->drop = SF_DROP_CTL_CLIENT;
}

static void teardown(sf_mux_t *m, int *fds, unsigned n)
{
	int lfd = m->listen_fd;

	sf_mux_fini(m);
	close(lfd);
	for (unsigned i = 0; i < n; i++)
		close(fds[i]);
}

static void test_slow_does_not_delay_prompt(void)
{
	sf_mux_t m;
	sf_wstats_t st;
	char buf[64];
	int fd[2];

	setup(&m, &st, 4);
	fd[0] = client("sta"); /* never finishes its line */
	run(&m, 20);
	fd[1] = client("ping\n");
	run(&m, 20);
	T_EQ_STR(got(fd[1], buf, sizeof(buf)), "ok:ping\n");
	T_EQ_STR(got(fd[0], buf, sizeof(buf)), "open");
	T_EQ_INT(st.drop[SF_DROP_CTL_CLIENT], 0);
	/* The slow one is cut off at its deadline, unanswered, counted. */
	run(&m, DEADLINE_MS + 50);
	T_EQ_STR(got(fd[0], buf, sizeof(buf)), "closed");
	T_EQ_INT(st.drop[SF_DROP_CTL_CLIENT], 1);
	teardown(&m, fd, 2);
}

static void test_oversize_and_eof(void)
{
	sf_mux_t m;
	sf_wstats_t st;
	char buf[64];
	int fd[2];

	setup(&m, &st, 4);
	fd[0] = client("0123456789abcdefXYZ"); /* over 16 bytes, no end */
	/* A request ended by shutting down the sending side counts. */
	fd[1] = client("stats");
	shutdown(fd[1], SHUT_WR);
	run(&m, 30);
	T_EQ_STR(got(fd[0], buf, sizeof(buf)), "closed");
	T_EQ_STR(got(fd[1], buf, sizeof(buf)), "ok:stats");
	T_EQ_INT(st.drop[SF_DROP_CTL_CLIENT], 1);
	teardown(&m, fd, 2);
}

static void test_crowded_out_after_grace(void)
{
	sf_mux_t m;
	sf_wstats_t st;
	char buf[64];
	int fd[4];

	setup(&m, &st, 2);
	fd[0] = client("a");
	run(&m, 20);
	fd[1] = client("b");
	run(&m, 20);
	/* Table full of fresh clients: the newcomer waits. */
	fd[2] = client("ping\n");
	run(&m, 20);
	T_EQ_STR(got(fd[2], buf, sizeof(buf)), "open");
	T_EQ_STR(got(fd[0], buf, sizeof(buf)), "open");
	/* Once the oldest has had its grace, the newcomer takes its place
	 * and is answered; the other slow one is untouched. */
	run(&m, SF_MUX_GRACE_MS);
	T_EQ_STR(got(fd[2], buf, sizeof(buf)), "ok:ping\n");
	T_EQ_STR(got(fd[0], buf, sizeof(buf)), "closed");
	T_EQ_STR(got(fd[1], buf, sizeof(buf)), "open");
	T_EQ_INT(st.drop[SF_DROP_CTL_CLIENT], 1);
	/* Only one was crowded out: the other, finishing late (within its
	 * deadline), is answered, and a free slot takes a newcomer. */
	if (send(fd[1], "\n", 1, 0) != 1)
		T_FAIL_AT("send");
	fd[3] = client("x\n");
	run(&m, 20);
	T_EQ_STR(got(fd[1], buf, sizeof(buf)), "ok:b\n");
	T_EQ_STR(got(fd[3], buf, sizeof(buf)), "ok:x\n");
	T_EQ_INT(st.drop[SF_DROP_CTL_CLIENT], 1);
	teardown(&m, fd, 4);
}

/* Reads until want bytes came or ms passed; the text, "closed" if the
 * peer closed before anything came. */
static const char *got_all(sf_mux_t *m, int fd, char *buf, size_t size,
			   size_t want, unsigned ms)
{
	size_t n = 0;
	uint64_t end = now_ms() + ms;

	while (n < want && now_ms() < end) {
		ssize_t r;

		run(m, 5);
		r = recv(fd, buf + n, size - 1 - n, 0);
		if (r == 0)
			break;
		if (r > 0)
			n += (size_t)r;
	}
	buf[n] = '\0';
	return n ? buf : "closed";
}

static void test_keep_alive(void)
{
	sf_mux_t m;
	sf_wstats_t st;
	char buf[256];
	int fd[2];

	setup(&m, &st, 4);
	m.keep_alive = true;
	/* Two requests in one write, then a third after the answers: all on
	 * one connection, answered in order. */
	fd[0] = client("a\nbb\n");
	T_EQ_STR(got_all(&m, fd[0], buf, sizeof(buf), 9, 300),
		 "ok:a\nok:bb\n");
	if (send(fd[0], "c\n", 2, 0) != 2)
		T_FAIL_AT("send");
	T_EQ_STR(got_all(&m, fd[0], buf, sizeof(buf), 5, 300), "ok:c\n");
	/* Each request has its own deadline: slower in total than one
	 * deadline, every request prompt, nothing cut off. */
	for (int i = 0; i < 3; i++) {
		run(&m, DEADLINE_MS / 2);
		if (send(fd[0], "d\n", 2, 0) != 2)
			T_FAIL_AT("send");
		T_EQ_STR(got_all(&m, fd[0], buf, sizeof(buf), 5, 300),
			 "ok:d\n");
	}
	/* A request split across writes with an idle gap is still one. */
	if (send(fd[0], "e", 1, 0) != 1)
		T_FAIL_AT("send");
	run(&m, 30);
	if (send(fd[0], "f\n", 2, 0) != 2)
		T_FAIL_AT("send");
	T_EQ_STR(got_all(&m, fd[0], buf, sizeof(buf), 6, 300), "ok:ef\n");
	/* Idle past its deadline: closed, but not a drop. */
	run(&m, DEADLINE_MS + 50);
	T_EQ_STR(got(fd[0], buf, sizeof(buf)), "closed");
	T_EQ_INT(st.drop[SF_DROP_CTL_CLIENT], 0);
	/* Requests then shutdown: every answer, then the close; the last
	 * request needs no terminator. */
	fd[1] = client("x\ny\nz");
	shutdown(fd[1], SHUT_WR);
	T_EQ_STR(got_all(&m, fd[1], buf, sizeof(buf), 14, 300),
		 "ok:x\nok:y\nok:z");
	run(&m, 20);
	T_EQ_STR(got(fd[1], buf, sizeof(buf)), "closed");
	T_EQ_INT(st.drop[SF_DROP_CTL_CLIENT], 0);
	teardown(&m, fd, 2);
}

static void test_one_answer_without_keep_alive(void)
{
	sf_mux_t m;
	sf_wstats_t st;
	char buf[256];
	int fd[1];

	setup(&m, &st, 4);
	fd[0] = client("a\nb\n");
	T_EQ_STR(got_all(&m, fd[0], buf, sizeof(buf), 64, 200), "ok:a\n");
	teardown(&m, fd, 1);
}

int main(void)
{
	T_RUN(test_keep_alive);
	T_RUN(test_one_answer_without_keep_alive);
	T_RUN(test_slow_does_not_delay_prompt);
	T_RUN(test_oversize_and_eof);
	T_RUN(test_crowded_out_after_grace);
	return T_DONE();
}
