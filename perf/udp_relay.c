/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * udp_relay.c - the physical floor for perf/bench_proxy.sh: a bare UDP
 * relay that moves SIP datagrams between its port and the next hop with
 * recvmmsg/sendmmsg, reading no more of them than routing needs.
 *
 * A stateless SIP proxy receives a datagram, decides, and sends one; on
 * this machine the kernel's share of that (loopback UDP receive and send,
 * amortised over batches, plus the wakeups) is the cost no proxy on the
 * same socket API can go below.  This relay pays that and almost nothing
 * else, on one socket, as a proxy does:
 *
 *   - a datagram from anyone but the next hop goes to the next hop as it
 *     is (no Via added, no edit, no decision);
 *   - a datagram from the next hop (a response: the relay added no Via, so
 *     the UAC's Via is on top) goes to the top Via's sent-by, or its
 *     received/rport parameters (RFC 3261 §18.2.2, RFC 3581).  That scan
 *     of the first Via line is the only parsing done.
 *
 * One thread, blocking recvmmsg in batches of 64, one sendmmsg per batch,
 * zero copies (received buffers are sent as they are).  IPv4 only.  Stops
 * on SIGTERM/SIGINT (checked at least once a second), printing its counters
 * on stderr.  A datagram whose Via cannot be routed is dropped and counted.
 *
 * usage: udp_relay LISTEN_IP:PORT NEXT_HOP_IP:PORT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define BATCH 64
#define BUF 65536

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "udp_relay: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int parse_hostport(const char *s, struct sockaddr_in *sa)
{
	const char *c = strrchr(s, ':');
	char host[INET_ADDRSTRLEN];
	size_t n;
	long p;

	if (!c || (n = (size_t)(c - s)) == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = 0;
	p = strtol(c + 1, NULL, 10);
	if (p <= 0 || p > 65535)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)p);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

/* Reads an IPv4 literal at [p, e) into *a; returns the end or NULL. */
static const char *ip4_at(const char *p, const char *e, struct in_addr *a)
{
	char tmp[INET_ADDRSTRLEN];
	size_t n = 0;

	while (p + n < e && n < sizeof(tmp) - 1 &&
	       ((p[n] >= '0' && p[n] <= '9') || p[n] == '.'))
		n++;
	if (!n || n >= sizeof(tmp) - 1)
		return NULL;
	memcpy(tmp, p, n);
	tmp[n] = 0;
	return inet_pton(AF_INET, tmp, a) == 1 ? p + n : NULL;
}

static const char *num_at(const char *p, const char *e, unsigned *v)
{
	unsigned x = 0;
	const char *s = p;

	while (p < e && *p >= '0' && *p <= '9' && x < 65536)
		x = x * 10 + (unsigned)(*p++ - '0');
	if (p == s || x == 0 || x > 65535)
		return NULL;
	*v = x;
	return p;
}

/* The destination of a response: the top Via's sent-by, overridden by
 * its received and rport values.  Returns false when unroutable. */
static bool via_dest(const char *b, size_t len, struct sockaddr_in *to)
{
	const char *e = b + len, *p = b, *le;
	unsigned port = 5060;

	/* find the first Via / v header line (bounded by the buffer) */
	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));

		if (!nl)
			return false;
		p = nl + 1;
		if (p >= e || *p == '\r' || *p == '\n')
			return false; /* end of headers */
		if ((e - p > 4 && !strncasecmp(p, "Via:", 4)) ||
		    (e - p > 2 && (p[0] == 'v' || p[0] == 'V') && p[1] == ':'))
			break;
	}
	le = memchr(p, '\n', (size_t)(e - p));
	if (!le)
		le = e;
	p = memchr(p, ':', (size_t)(le - p));
	if (!p)
		return false;
	/* ": SIP/2.0/UDP " then sent-by */
	for (p++; p < le && (*p == ' ' || *p == '\t'); p++)
		;
	while (p < le && *p != ' ' && *p != '\t')
		p++;
	while (p < le && (*p == ' ' || *p == '\t'))
		p++;
	memset(to, 0, sizeof(*to));
	to->sin_family = AF_INET;
	p = ip4_at(p, le, &to->sin_addr);
	if (!p)
		return false;
	if (p < le && *p == ':' && !(p = num_at(p + 1, le, &port)))
		return false;
	/* parameters: received=IP, rport=N */
	while (p < le && *p != ',') {
		if (*p == ';') {
			unsigned rp;

			if (le - p > 10 && !strncasecmp(p, ";received=", 10))
				ip4_at(p + 10, le, &to->sin_addr);
			else if (le - p > 7 && !strncasecmp(p, ";rport=", 7) &&
				 num_at(p + 7, le, &rp))
				port = rp;
		}
		p++;
	}
	to->sin_port = htons((uint16_t)port);
	return true;
}

int main(int argc, char **argv)
{
	static char bufs[BATCH][BUF];
	struct mmsghdr in[BATCH], out[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in from[BATCH], to[BATCH], listen_sa, next;
	unsigned long long fwd = 0, back = 0, dropped = 0, send_err = 0;
	struct sigaction sa;
	struct timeval tv = { .tv_sec = 1, .tv_usec = 0 };
	int fd, sz = 8 << 20;

	if (argc != 3 || parse_hostport(argv[1], &listen_sa) ||
	    parse_hostport(argv[2], &next)) {
		fprintf(stderr,
			"usage: udp_relay LISTEN_IP:PORT NEXT_HOP_IP:PORT\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: recvmmsg returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&listen_sa, sizeof(listen_sa)))
		die("bind");
	fprintf(stderr, "udp_relay: %s -> %s ready\n", argv[1], argv[2]);
	while (!stop_flag) {
		int n, k, m = 0, off = 0;

		for (k = 0; k < BATCH; k++) {
			iov[k].iov_base = bufs[k];
			iov[k].iov_len = BUF;
			memset(&in[k], 0, sizeof(in[k]));
			in[k].msg_hdr.msg_iov = &iov[k];
			in[k].msg_hdr.msg_iovlen = 1;
			in[k].msg_hdr.msg_name = &from[k];
			in[k].msg_hdr.msg_namelen = sizeof(from[k]);
		}
		/* Blocks for the first datagram, then takes what is queued. */
		n = recvmmsg(fd, in, BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue; /* timeout or signal: check stop_flag */
		for (k = 0; k < n; k++) {
			bool from_next =
				from[k].sin_addr.s_addr == next.sin_addr.s_addr &&
				from[k].sin_port == next.sin_port;

			iov[k].iov_len = in[k].msg_len;
			if (from_next) {
				if (!via_dest(bufs[k], in[k].msg_len, &to[m])) {
					dropped++;
					continue;
				}
				back++;
			} else {
				to[m] = next;
				fwd++;
			}
			memset(&out[m], 0, sizeof(out[m]));
			out[m].msg_hdr.msg_iov = &iov[k];
			out[m].msg_hdr.msg_iovlen = 1;
			out[m].msg_hdr.msg_name = &to[m];
			out[m].msg_hdr.msg_namelen = sizeof(to[m]);
			m++;
		}
		for (k = 0; off < m && k < 1000; k++) {
			int r = sendmmsg(fd, out + off, (unsigned)(m - off), 0);

			if (r > 0) {
				off += r;
			} else if (errno != EAGAIN && errno != ENOBUFS &&
				   errno != EINTR) {
				send_err++;
				off++; /* e.g. ECONNREFUSED: skip that one */
			}
		}
		send_err += (unsigned long long)(m - off);
	}
	fprintf(stderr,
		"udp_relay: forwarded %llu, returned %llu, dropped %llu, "
		"send errors %llu\n",
		fwd, back, dropped, send_err);
	return 0;
}
