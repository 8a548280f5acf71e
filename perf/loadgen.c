/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * loadgen.c - a SIP UDP load generator for perf/bench_proxy.sh: the UAC
 * and the UAS of complete INVITE transactions through a proxy under test.
 *
 * sipp tops out near 30k calls/s on the 2-core bench box and spends much of
 * a core per 10k calls/s, which then competes with the proxy it measures.
 * This program does the minimum a call needs, in one thread, with
 * recvmmsg/sendmmsg batches:
 *
 *   UAC --INVITE--> proxy --INVITE--> UAS
 *   UAC <--200----- proxy <--200----- UAS      (or <--603-- proxy: rejected)
 *   UAC --ACK-----> proxy --ACK-----> UAS      (the ACK of a 603 ends at
 *                                               the proxy, RFC 3261 §17.2.1)
 *
 * Calls come from a CSV (perf/gen_bench_tables.sh writes it), one row per
 * call, cycled: "src_ip;calling;called;expect;pai" where src_ip is one of
 * several 127.0.0.x source addresses (the trunks), expect is F (forwarded,
 * the UAS answers 200) or R (the proxy rejects with 603), pai is 1 when
 * the INVITE carries a P-Asserted-Identity.  INVITEs are paced at a fixed
 * rate (each at its own time unless --tick-us groups them), for a bounded
 * duration and count.  Each call is identified by its Call-ID
 * ("lg<run>-<index>@..."), so no per-call lookup structure is needed.
 *
 * The UAS answers to the datagram's source address (the proxy's socket),
 * which works for a proxy and for the address-mapping relay alike.  With
 * --uas-rejects it answers 603 itself to the rows marked R, so a relay that
 * cannot judge still carries the same call mix.
 *
 * There is no retransmission: a call that has no correct final response
 * (and, when forwarded, whose ACK did not reach the UAS) by the end of the
 * drain time counts as failed.  Latency is INVITE sent -> final response
 * received, measured at the load generator; compare it with a direct run
 * (target = the UAS itself) to get the latency the proxy adds.
 *
 * Output: one line of key=value figures on stdout (see report()).
 * --probe sends OPTIONS every 100 ms until a 200 comes back (readiness
 * check for any of the proxies), within --duration seconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SRC 16
#define MAX_ROWS 1000000
#define MAX_CALLS 20000000u
#define BATCH 64
#define MSG_CAP 4096
#define NUM_CAP 32

enum {
	ST_SENT = 1,
	ST_FINAL = 2,   /* the expected final response reached the UAC */
	ST_UAS_ACK = 4, /* the ACK reached the UAS */
	ST_WRONG = 8,   /* an unexpected final response */
	ST_UAS_INV = 16 /* the INVITE reached the UAS */
};

struct row {
	uint8_t src;
	bool reject;
	bool pai;
	char calling[NUM_CAP];
	char called[NUM_CAP];
};

struct src {
	int fd;
	struct sockaddr_in sa;
	char ip[INET_ADDRSTRLEN];
	unsigned port;
};

/* A batch of outgoing datagrams for one socket. */
struct obatch {
	struct mmsghdr mh[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to[BATCH];
	char buf[BATCH][MSG_CAP];
	unsigned n;
};

struct lg {
	struct row *rows;
	size_t nrows;
	struct src src[MAX_SRC];
	unsigned nsrc;
	int uas_fd;
	struct sockaddr_in uas_sa;
	struct sockaddr_in target;
	char target_ip[INET_ADDRSTRLEN];
	unsigned target_port;
	double rate;
	double duration;
	uint32_t total;
	unsigned drain_ms;
	unsigned tick_us;
	bool uas_rejects;
	unsigned run;

	uint64_t *t_sent;
	uint32_t *lat_us;
	uint8_t *st;

	uint64_t n_sent, n_final_ok, n_wrong, n_uas_inv, n_uas_ack, n_dup;
	uint64_t n_fwd_ok, n_fwd_acked; /* 200s received, their ACKs at UAS */
	uint64_t n_rx_uac, n_rx_uas, n_bad, n_send_err;
	uint64_t lag_max_ns;

	struct obatch *ob_src[MAX_SRC];
	struct obatch *ob_uas;
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int parse_hostport(const char *s, struct sockaddr_in *sa, char *ip,
			  unsigned *port)
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
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -1;
	if (ip)
		snprintf(ip, INET_ADDRSTRLEN, "%s", host);
	if (port)
		*port = (unsigned)p;
	return 0;
}

static int udp_socket(const struct sockaddr_in *bind_to)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	int sz = 8 << 20;

	if (fd < 0)
		die("socket");
	/* FORCE variants need CAP_NET_ADMIN; fall back to the capped ones. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (bind(fd, (const struct sockaddr *)bind_to, sizeof(*bind_to)))
		die("bind");
	return fd;
}

static unsigned src_index(struct lg *g, const char *ip)
{
	unsigned i;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	for (i = 0; i < g->nsrc; i++)
		if (!strcmp(g->src[i].ip, ip))
			return i;
	if (g->nsrc == MAX_SRC) {
		fprintf(stderr, "loadgen: more than %d source addresses\n",
			MAX_SRC);
		exit(2);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1) {
		fprintf(stderr, "loadgen: bad source address '%s'\n", ip);
		exit(2);
	}
	g->src[i].fd = udp_socket(&sa);
	if (getsockname(g->src[i].fd, (struct sockaddr *)&sa, &sl))
		die("getsockname");
	g->src[i].sa = sa;
	g->src[i].port = ntohs(sa.sin_port);
	snprintf(g->src[i].ip, sizeof(g->src[i].ip), "%s", ip);
	return g->nsrc++;
}

/* Reads "src_ip;calling;called;expect;pai" rows; '#' lines are comments. */
static void load_csv(struct lg *g, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t cap = 1024;

	if (!f)
		die(path);
	g->rows = calloc(cap, sizeof(*g->rows));
	if (!g->rows)
		die("calloc");
	while (fgets(line, sizeof(line), f) && g->nrows < MAX_ROWS) {
		char *f1, *f2, *f3, *f4, *f5, *save = NULL;
		struct row *r;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		f1 = strtok_r(line, ";\r\n", &save);
		f2 = strtok_r(NULL, ";\r\n", &save);
		f3 = strtok_r(NULL, ";\r\n", &save);
		f4 = strtok_r(NULL, ";\r\n", &save);
		f5 = strtok_r(NULL, ";\r\n", &save);
		if (!f1 || !f2 || !f3 || !f4 || strlen(f2) >= NUM_CAP ||
		    strlen(f3) >= NUM_CAP) {
			fprintf(stderr, "loadgen: %s: bad row %zu\n", path,
				g->nrows + 1);
			exit(2);
		}
		if (g->nrows == cap) {
			cap *= 2;
			g->rows = realloc(g->rows, cap * sizeof(*g->rows));
			if (!g->rows)
				die("realloc");
		}
		r = &g->rows[g->nrows++];
		r->src = (uint8_t)src_index(g, f1);
		snprintf(r->calling, sizeof(r->calling), "%s", f2);
		snprintf(r->called, sizeof(r->called), "%s", f3);
		r->reject = f4[0] == 'R';
		r->pai = f5 && f5[0] == '1';
	}
	fclose(f);
	if (!g->nrows) {
		fprintf(stderr, "loadgen: %s: no rows\n", path);
		exit(2);
	}
}

/* ---------------------------------------------------------------- */
/* tiny SIP helpers: header lookup in a bounded buffer */

/* Finds the next line in [p, e); sets *ll to its length without CRLF.
 * Returns the start of the following line, or NULL at the end. */
static const char *next_line(const char *p, const char *e, size_t *ll)
{
	const char *q = memchr(p, '\n', (size_t)(e - p));

	if (!q) {
		*ll = (size_t)(e - p);
		return NULL;
	}
	*ll = (size_t)(q - p);
	if (*ll && p[*ll - 1] == '\r')
		(*ll)--;
	return q + 1;
}

/* Is line [p, p+ll) the header `name` (or its compact form `c`)?  Sets
 * the value view. */
static bool hdr_is(const char *p, size_t ll, const char *name, char c,
		   const char **v, size_t *vl)
{
	size_t n = strlen(name), i;

	if (ll > n && !strncasecmp(p, name, n) &&
	    (p[n] == ':' || p[n] == ' ' || p[n] == '\t'))
		i = n;
	else if (c && ll > 1 && (p[0] == c || p[0] == (c ^ 0x20)) &&
		 (p[1] == ':' || p[1] == ' ' || p[1] == '\t'))
		i = 1;
	else
		return false;
	while (i < ll && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i >= ll || p[i] != ':')
		return false;
	i++;
	while (i < ll && (p[i] == ' ' || p[i] == '\t'))
		i++;
	*v = p + i;
	*vl = ll - i;
	return true;
}

/* "lg<run>-<index>@..." -> index, or -1. */
static long callid_index(const struct lg *g, const char *v, size_t vl)
{
	unsigned long run = 0, idx = 0;
	size_t i = 2;

	if (vl < 5 || v[0] != 'l' || v[1] != 'g')
		return -1;
	while (i < vl && v[i] >= '0' && v[i] <= '9' && i < 12)
		run = run * 10 + (unsigned long)(v[i++] - '0');
	if (i >= vl || v[i] != '-' || run != g->run)
		return -1;
	i++;
	if (i >= vl || v[i] < '0' || v[i] > '9')
		return -1;
	while (i < vl && v[i] >= '0' && v[i] <= '9' && idx < MAX_CALLS)
		idx = idx * 10 + (unsigned long)(v[i++] - '0');
	if (i >= vl || v[i] != '@' || idx >= g->total)
		return -1;
	return (long)idx;
}

struct parsed {
	int code;            /* response status, or 0 for a request */
	char method[12];     /* request method, or the CSeq method */
	const char *callid, *to, *from, *cseq;
	size_t callid_l, to_l, from_l, cseq_l;
	const char *via[16];
	size_t via_l[16];
	unsigned nvia;
	const char *rr[4];   /* Record-Route lines, in order */
	size_t rr_l[4];
	unsigned nrr;
};

static bool parse_msg(const char *b, size_t n, struct parsed *m)
{
	const char *p = b, *e = b + n, *v;
	size_t ll, vl;

	memset(m, 0, sizeof(*m));
	p = next_line(p, e, &ll);
	if (!p)
		return false;
	if (ll > 12 && !memcmp(b, "SIP/2.0 ", 8)) {
		m->code = atoi(b + 8);
		if (m->code < 100 || m->code > 699)
			return false;
	} else {
		const char *sp = memchr(b, ' ', ll);

		if (!sp || (size_t)(sp - b) >= sizeof(m->method))
			return false;
		memcpy(m->method, b, (size_t)(sp - b));
	}
	while (p && p < e) {
		const char *l = p;

		p = next_line(p, e, &ll);
		if (ll == 0)
			break;
		if (hdr_is(l, ll, "Via", 'v', &v, &vl)) {
			if (m->nvia < 16) {
				m->via[m->nvia] = v;
				m->via_l[m->nvia++] = vl;
			}
		} else if (hdr_is(l, ll, "Call-ID", 'i', &v, &vl)) {
			m->callid = v;
			m->callid_l = vl;
		} else if (hdr_is(l, ll, "To", 't', &v, &vl)) {
			m->to = v;
			m->to_l = vl;
		} else if (hdr_is(l, ll, "From", 'f', &v, &vl)) {
			m->from = v;
			m->from_l = vl;
		} else if (hdr_is(l, ll, "CSeq", 0, &v, &vl)) {
			m->cseq = v;
			m->cseq_l = vl;
		} else if (hdr_is(l, ll, "Record-Route", 0, &v, &vl)) {
			if (m->nrr < 4) {
				m->rr[m->nrr] = v;
				m->rr_l[m->nrr++] = vl;
			}
		}
	}
	if (!m->callid || !m->cseq || !m->to || !m->from)
		return false;
	if (m->code) {
		const char *sp = memchr(m->cseq, ' ', m->cseq_l);
		size_t k;

		if (!sp)
			return false;
		k = m->cseq_l - (size_t)(sp + 1 - m->cseq);
		if (k >= sizeof(m->method))
			return false;
		memcpy(m->method, sp + 1, k);
	}
	return true;
}

/* ---------------------------------------------------------------- */
/* batches */

static struct obatch *ob_new(void)
{
	struct obatch *b = calloc(1, sizeof(*b));

	if (!b)
		die("calloc");
	return b;
}

static char *ob_slot(struct obatch *b, const struct sockaddr_in *to)
{
	b->to[b->n] = *to;
	return b->buf[b->n];
}

static void ob_commit(struct obatch *b, int len)
{
	unsigned i = b->n;

	if (len <= 0 || len >= MSG_CAP)
		return;
	b->iov[i].iov_base = b->buf[i];
	b->iov[i].iov_len = (size_t)len;
	memset(&b->mh[i], 0, sizeof(b->mh[i]));
	b->mh[i].msg_hdr.msg_iov = &b->iov[i];
	b->mh[i].msg_hdr.msg_iovlen = 1;
	b->mh[i].msg_hdr.msg_name = &b->to[i];
	b->mh[i].msg_hdr.msg_namelen = sizeof(b->to[i]);
	b->n++;
}

static void ob_flush(struct lg *g, int fd, struct obatch *b)
{
	unsigned off = 0;
	int tries = 0;

	while (off < b->n && tries < 100) {
		int r = sendmmsg(fd, b->mh + off, b->n - off, 0);

		if (r > 0) {
			off += (unsigned)r;
			continue;
		}
		if (r < 0 && errno != EAGAIN && errno != EINTR &&
		    errno != ENOBUFS) {
			/* e.g. ECONNREFUSED from an earlier ICMP: skip one */
			g->n_send_err++;
			off++;
			continue;
		}
		tries++;
		{
			struct pollfd pf = { .fd = fd, .events = POLLOUT };

			poll(&pf, 1, 1);
		}
	}
	g->n_send_err += b->n - off;
	b->n = 0;
}

static void ob_room(struct lg *g, int fd, struct obatch *b)
{
	if (b->n == BATCH)
		ob_flush(g, fd, b);
}

/* ---------------------------------------------------------------- */
/* messages */

static const char SDP_OFFER[] =
	"v=0\r\n"
	"o=- 3812345678 3812345678 IN IP4 192.0.2.10\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.10\r\n"
	"t=0 0\r\n"
	"m=audio 40000 RTP/AVP 8 0 101\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=ptime:20\r\n"
	"a=sendrecv\r\n";

static const char SDP_ANSWER[] =
	"v=0\r\n"
	"o=- 1 1 IN IP4 198.51.100.20\r\n"
	"s=-\r\n"
	"c=IN IP4 198.51.100.20\r\n"
	"t=0 0\r\n"
	"m=audio 50000 RTP/AVP 8 101\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=sendrecv\r\n";

static void send_invite(struct lg *g, uint32_t i)
{
	const struct row *r = &g->rows[i % g->nrows];
	const struct src *s = &g->src[r->src];
	struct obatch *b = g->ob_src[r->src];
	char *o = ob_slot(b, &g->target);
	char pai[128] = "";
	int n;

	if (r->pai)
		snprintf(pai, sizeof(pai),
			 "P-Asserted-Identity: <sip:+%s@carrier.example;"
			 "user=phone>\r\n",
			 r->calling);
	n = snprintf(o, MSG_CAP,
		     "INVITE sip:%s@%s:%u;user=phone SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP %s:%u;branch=z9hG4bKlg%u.%u;rport\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: <sip:+%s@carrier.example;user=phone>;tag=f%u\r\n"
		     "To: <sip:+%s@operator.example;user=phone>\r\n"
		     "Call-ID: lg%u-%u@%s\r\n"
		     "CSeq: 1 INVITE\r\n"
		     "Contact: <sip:+%s@%s:%u>\r\n"
		     "%s"
		     "Allow: INVITE,ACK,CANCEL,BYE,OPTIONS,UPDATE\r\n"
		     "Supported: timer\r\n"
		     "User-Agent: sipfilter-loadgen\r\n"
		     "Content-Type: application/sdp\r\n"
		     "Content-Length: %zu\r\n\r\n%s",
		     r->called, g->target_ip, g->target_port, s->ip, s->port,
		     g->run, i, r->calling, i, r->called, g->run, i, s->ip,
		     r->calling, s->ip, s->port, pai, sizeof(SDP_OFFER) - 1,
		     SDP_OFFER);
	ob_commit(b, n);
	g->t_sent[i] = now_ns();
	g->st[i] |= ST_SENT;
	g->n_sent++;
	ob_room(g, s->fd, b);
}

/* ACK for a final response (RFC 3261 §17.1.1.3 for non-2xx: same branch;
 * §13.2.2.4 for 2xx: a new transaction to the Contact). */
static void send_ack(struct lg *g, uint32_t i, const struct parsed *m)
{
	const struct row *r = &g->rows[i % g->nrows];
	const struct src *s = &g->src[r->src];
	struct obatch *b = g->ob_src[r->src];
	char *o = ob_slot(b, &g->target);
	bool ok2xx = m->code < 300;
	char ruri[96], route[600] = "";
	size_t rl = 0;
	int n;

	/* RFC 3261 §12.1.2: the 2xx's Record-Route, reversed, as Route */
	for (unsigned k = m->nrr; ok2xx && k-- > 0;) {
		int w = snprintf(route + rl, sizeof(route) - rl,
				 "Route: %.*s\r\n", (int)m->rr_l[k], m->rr[k]);

		if (w < 0 || (size_t)w >= sizeof(route) - rl)
			break;
		rl += (size_t)w;
	}

	if (ok2xx)
		snprintf(ruri, sizeof(ruri), "sip:uas@%s:%u",
			 inet_ntoa(g->uas_sa.sin_addr),
			 (unsigned)ntohs(g->uas_sa.sin_port));
	else
		snprintf(ruri, sizeof(ruri), "sip:%s@%s:%u;user=phone",
			 r->called, g->target_ip, g->target_port);
	n = snprintf(o, MSG_CAP,
		     "ACK %s SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP %s:%u;branch=z9hG4bKlg%u.%u%s;rport\r\n"
		     "%s"
		     "Max-Forwards: 70\r\n"
		     "From: <sip:+%s@carrier.example;user=phone>;tag=f%u\r\n"
		     "To: %.*s\r\n"
		     "Call-ID: lg%u-%u@%s\r\n"
		     "CSeq: 1 ACK\r\n"
		     "Content-Length: 0\r\n\r\n",
		     ruri, s->ip, s->port, g->run, i, ok2xx ? "a" : "", route,
		     r->calling, i, (int)m->to_l, m->to, g->run, i, s->ip);
	ob_commit(b, n);
	ob_room(g, s->fd, b);
}

static void uac_rx(struct lg *g, unsigned si, const char *buf, size_t len,
		   uint64_t t)
{
	struct parsed m;
	long i;
	const struct row *r;

	g->n_rx_uac++;
	if (!parse_msg(buf, len, &m) || !m.code) {
		g->n_bad++;
		return;
	}
	i = callid_index(g, m.callid, m.callid_l);
	if (i < 0) {
		g->n_bad++;
		return;
	}
	if (strcmp(m.method, "INVITE") || m.code < 200)
		return;
	r = &g->rows[(size_t)i % g->nrows];
	(void)si;
	if (g->st[i] & (ST_FINAL | ST_WRONG)) {
		g->n_dup++;
		send_ack(g, (uint32_t)i, &m);
		return;
	}
	g->lat_us[i] = (uint32_t)((t - g->t_sent[i]) / 1000);
	if ((r->reject && m.code == 603) || (!r->reject && m.code == 200)) {
		g->st[i] |= ST_FINAL;
		g->n_final_ok++;
		if (!r->reject)
			g->n_fwd_ok++;
	} else {
		g->st[i] |= ST_WRONG;
		g->n_wrong++;
		if (g->n_wrong <= 5)
			fprintf(stderr,
				"loadgen: call %ld (%s from %s): got %d, "
				"expected %s\n",
				i, r->calling, g->src[r->src].ip, m.code,
				r->reject ? "603" : "200");
	}
	send_ack(g, (uint32_t)i, &m);
}

static void uas_rx(struct lg *g, const char *buf, size_t len,
		   const struct sockaddr_in *from)
{
	struct parsed m;
	long i;
	bool reject;
	char *o;
	int n, k;
	unsigned v;

	g->n_rx_uas++;
	if (!parse_msg(buf, len, &m) || m.code) {
		g->n_bad++;
		return;
	}
	if (!strcmp(m.method, "OPTIONS")) {
		i = 0;
		reject = false;
	} else {
		i = callid_index(g, m.callid, m.callid_l);
		if (i < 0) {
			g->n_bad++;
			return;
		}
		if (!strcmp(m.method, "ACK")) {
			if (!(g->st[i] & ST_UAS_ACK)) {
				g->st[i] |= ST_UAS_ACK;
				g->n_uas_ack++;
				if ((g->st[i] & ST_FINAL) &&
				    !g->rows[(size_t)i % g->nrows].reject)
					g->n_fwd_acked++;
			}
			return;
		}
		if (strcmp(m.method, "INVITE"))
			return;
		if (!(g->st[i] & ST_UAS_INV)) {
			g->st[i] |= ST_UAS_INV;
			g->n_uas_inv++;
		}
		reject = g->uas_rejects && g->rows[(size_t)i % g->nrows].reject;
	}
	/* RFC 3261 §8.2.6.2: Via, From, Call-ID, CSeq copied; To tagged. */
	o = ob_slot(g->ob_uas, from);
	n = snprintf(o, MSG_CAP, "SIP/2.0 %s\r\n",
		     reject ? "603 Network Blocked" : "200 OK");
	for (v = 0; v < m.nvia && n > 0 && n < MSG_CAP; v++) {
		k = snprintf(o + n, MSG_CAP - (size_t)n, "Via: %.*s\r\n",
			     (int)m.via_l[v], m.via[v]);
		n = k < 0 ? -1 : n + k;
	}
	/* RFC 3261 §12.1.1: the Record-Route of the request, in order */
	for (v = 0; v < m.nrr && !reject && n > 0 && n < MSG_CAP; v++) {
		k = snprintf(o + n, MSG_CAP - (size_t)n,
			     "Record-Route: %.*s\r\n", (int)m.rr_l[v],
			     m.rr[v]);
		n = k < 0 ? -1 : n + k;
	}
	if (n > 0 && n < MSG_CAP) {
		bool body = !reject && !strcmp(m.method, "INVITE");

		k = snprintf(o + n, MSG_CAP - (size_t)n,
			     "From: %.*s\r\n"
			     "To: %.*s;tag=u%ld\r\n"
			     "Call-ID: %.*s\r\n"
			     "CSeq: %.*s\r\n"
			     "Contact: <sip:uas@%s:%u>\r\n"
			     "%s"
			     "Content-Length: %zu\r\n\r\n%s",
			     (int)m.from_l, m.from, (int)m.to_l, m.to, i,
			     (int)m.callid_l, m.callid, (int)m.cseq_l, m.cseq,
			     inet_ntoa(g->uas_sa.sin_addr),
			     (unsigned)ntohs(g->uas_sa.sin_port),
			     body ? "Content-Type: application/sdp\r\n" : "",
			     body ? sizeof(SDP_ANSWER) - 1 : 0,
			     body ? SDP_ANSWER : "");
		n = k < 0 ? -1 : n + k;
	}
	ob_commit(g->ob_uas, n);
	ob_room(g, g->uas_fd, g->ob_uas);
}

/* Drains one socket: at most 16 batches, so a flood cannot starve the
 * sender. */
static void drain(struct lg *g, int fd, int si)
{
	static char bufs[BATCH][MSG_CAP];
	struct mmsghdr mh[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in from[BATCH];
	int rounds, r, k;

	for (rounds = 0; rounds < 16; rounds++) {
		uint64_t t;

		for (k = 0; k < BATCH; k++) {
			iov[k].iov_base = bufs[k];
			iov[k].iov_len = MSG_CAP - 1;
			memset(&mh[k], 0, sizeof(mh[k]));
			mh[k].msg_hdr.msg_iov = &iov[k];
			mh[k].msg_hdr.msg_iovlen = 1;
			mh[k].msg_hdr.msg_name = &from[k];
			mh[k].msg_hdr.msg_namelen = sizeof(from[k]);
		}
		r = recvmmsg(fd, mh, BATCH, MSG_DONTWAIT, NULL);
		if (r <= 0)
			break;
		t = now_ns();
		for (k = 0; k < r; k++) {
			if (si >= 0)
				uac_rx(g, (unsigned)si, bufs[k], mh[k].msg_len,
				       t);
			else
				uas_rx(g, bufs[k], mh[k].msg_len, &from[k]);
		}
		if (r < BATCH)
			break;
	}
}

static void flush_all(struct lg *g)
{
	unsigned i;

	for (i = 0; i < g->nsrc; i++)
		if (g->ob_src[i]->n)
			ob_flush(g, g->src[i].fd, g->ob_src[i]);
	if (g->ob_uas->n)
		ob_flush(g, g->uas_fd, g->ob_uas);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(const uint32_t *v, size_t n, double p)
{
	size_t k;

	if (!n)
		return -1;
	k = (size_t)(p * (double)(n - 1) + 0.5);
	return v[k];
}

static void report(struct lg *g, double send_s, double wall_s)
{
	uint32_t *all = malloc(sizeof(uint32_t) * (g->n_sent + 1));
	uint32_t *fw = malloc(sizeof(uint32_t) * (g->n_sent + 1));
	uint32_t *rj = malloc(sizeof(uint32_t) * (g->n_sent + 1));
	size_t na = 0, nf = 0, nr = 0;
	uint64_t ok = 0, ok_fwd = 0, ok_rej = 0, no_final = 0, no_ack = 0;
	struct rusage ru;
	double cpu;
	uint32_t i;

	if (!all || !fw || !rj)
		die("malloc");
	for (i = 0; i < g->n_sent; i++) {
		const struct row *r = &g->rows[i % g->nrows];
		uint8_t s = g->st[i];

		if (s & ST_WRONG)
			continue;
		if (!(s & ST_FINAL)) {
			no_final++;
			continue;
		}
		all[na++] = g->lat_us[i];
		if (r->reject) {
			rj[nr++] = g->lat_us[i];
			ok_rej++;
			ok++;
		} else if (s & ST_UAS_ACK) {
			fw[nf++] = g->lat_us[i];
			ok_fwd++;
			ok++;
		} else {
			no_ack++;
		}
	}
	qsort(all, na, sizeof(*all), cmp_u32);
	qsort(fw, nf, sizeof(*fw), cmp_u32);
	qsort(rj, nr, sizeof(*rj), cmp_u32);
	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	      (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	printf("rate=%.0f sent=%llu send_s=%.3f send_rate=%.0f ok=%llu "
	       "ok_fwd=%llu ok_rej=%llu failed=%llu wrong=%llu "
	       "no_final=%llu no_ack=%llu fail_pct=%.4f "
	       "uas_inv=%llu uas_ack=%llu dup=%llu bad=%llu send_err=%llu "
	       "p50_us=%.0f p99_us=%.0f p50_fwd_us=%.0f p99_fwd_us=%.0f "
	       "p50_rej_us=%.0f p99_rej_us=%.0f lag_max_us=%.0f "
	       "lg_cpu_s=%.3f lg_cpu_pct=%.1f wall_s=%.3f\n",
	       g->rate, (unsigned long long)g->n_sent, send_s,
	       send_s > 0 ? (double)g->n_sent / send_s : 0,
	       (unsigned long long)ok, (unsigned long long)ok_fwd,
	       (unsigned long long)ok_rej,
	       (unsigned long long)(g->n_sent - ok),
	       (unsigned long long)g->n_wrong, (unsigned long long)no_final,
	       (unsigned long long)no_ack,
	       g->n_sent ? 100.0 * (double)(g->n_sent - ok) /
				   (double)g->n_sent
			 : 0,
	       (unsigned long long)g->n_uas_inv,
	       (unsigned long long)g->n_uas_ack, (unsigned long long)g->n_dup,
	       (unsigned long long)g->n_bad,
	       (unsigned long long)g->n_send_err, pct(all, na, 0.5),
	       pct(all, na, 0.99), pct(fw, nf, 0.5), pct(fw, nf, 0.99),
	       pct(rj, nr, 0.5), pct(rj, nr, 0.99),
	       (double)g->lag_max_ns / 1000, cpu,
	       wall_s > 0 ? 100 * cpu / wall_s : 0, wall_s);
	free(all);
	free(fw);
	free(rj);
}

static void run(struct lg *g)
{
	struct pollfd pf[MAX_SRC + 1];
	unsigned npf = 0, i;
	uint64_t t0, t, last_send = 0, end_send, deadline;
	uint64_t period = (uint64_t)(1e9 / g->rate);
	uint32_t next = 0;

	for (i = 0; i < g->nsrc; i++) {
		pf[npf].fd = g->src[i].fd;
		pf[npf++].events = POLLIN;
	}
	pf[npf].fd = g->uas_fd;
	pf[npf++].events = POLLIN;

	t0 = now_ns();
	end_send = t0 + (uint64_t)(g->duration * 1e9);
	deadline = end_send + (uint64_t)g->drain_ms * 1000000u;
	for (;;) {
		int timeout_ns, r;
		struct timespec ts;

		t = now_ns();
		if (stop_flag)
			break;
		if (next < g->total && t < end_send) {
			/* How many calls are due by now (a --tick-us grid
			 * groups them). */
			uint64_t el = t - t0, due;

			if (g->tick_us)
				el -= el % ((uint64_t)g->tick_us * 1000);
			due = (uint64_t)((double)el * g->rate / 1e9) + 1;
			if (due > g->total)
				due = g->total;
			if (next < due) {
				uint64_t sched = t0 + (uint64_t)next * period;

				if (t > sched && t - sched > g->lag_max_ns)
					g->lag_max_ns = t - sched;
			}
			/* bounded burst per loop turn */
			for (i = 0; next < due && i < 4 * BATCH; i++)
				send_invite(g, next++);
			last_send = t;
		} else {
			if (!last_send)
				last_send = t;
			/* Settled when every call has its final response
			 * and every 2xx its ACK at the UAS. */
			if (g->n_final_ok + g->n_wrong >= g->n_sent &&
			    g->n_fwd_acked >= g->n_fwd_ok)
				break;
			if (t > deadline)
				break;
			if (end_send > t)
				end_send = t; /* count/stop reached */
		}
		flush_all(g);
		if (next < g->total && t < end_send) {
			uint64_t due_t = t0 + (uint64_t)next * period;

			if (g->tick_us) {
				uint64_t tk = (uint64_t)g->tick_us * 1000;

				due_t = t0 + ((due_t - t0) / tk + 1) * tk;
			}
			timeout_ns = due_t > t ? (int)(due_t - t) : 0;
			if (timeout_ns > 100000000)
				timeout_ns = 100000000;
		} else {
			timeout_ns = 10000000;
		}
		ts.tv_sec = timeout_ns / 1000000000;
		ts.tv_nsec = timeout_ns % 1000000000;
		r = ppoll(pf, npf, &ts, NULL);
		if (r < 0 && errno != EINTR)
			die("ppoll");
		if (r <= 0)
			continue;
		for (i = 0; i < npf; i++)
			if (pf[i].revents & POLLIN)
				drain(g, pf[i].fd,
				      i < g->nsrc ? (int)i : -1);
		flush_all(g);
	}
	report(g, (double)(end_send < last_send ? last_send : end_send) / 1e9 -
			  (double)t0 / 1e9,
	       (double)(now_ns() - t0) / 1e9);
}

/* OPTIONS until a 200 reaches the UAC, within the duration. */
static int probe(struct lg *g, const char *src_ip)
{
	unsigned si = src_index(g, src_ip);
	uint64_t end = now_ns() + (uint64_t)(g->duration * 1e9), next = 0;
	struct pollfd pf[2] = { { .fd = g->src[si].fd, .events = POLLIN },
				{ .fd = g->uas_fd, .events = POLLIN } };
	unsigned k = 0;

	g->ob_src[si] = ob_new();
	while (now_ns() < end && !stop_flag) {
		char buf[MSG_CAP];
		struct sockaddr_in from;
		socklen_t fl;
		ssize_t n;

		if (now_ns() >= next) {
			char m[1024];
			int len = snprintf(
				m, sizeof(m),
				"OPTIONS sip:%s:%u SIP/2.0\r\n"
				"Via: SIP/2.0/UDP %s:%u;branch=z9hG4bKpr%u."
				"%u;rport\r\n"
				"Max-Forwards: 70\r\n"
				"From: <sip:probe@%s>;tag=p%u\r\n"
				"To: <sip:%s:%u>\r\n"
				"Call-ID: probe%u-%u@%s\r\n"
				"CSeq: %u OPTIONS\r\n"
				"Content-Length: 0\r\n\r\n",
				g->target_ip, g->target_port, g->src[si].ip,
				g->src[si].port, g->run, k, g->src[si].ip, k,
				g->target_ip, g->target_port, g->run, k,
				g->src[si].ip, k + 1);

			sendto(g->src[si].fd, m, (size_t)len, 0,
			       (struct sockaddr *)&g->target,
			       sizeof(g->target));
			k++;
			next = now_ns() + 100000000u;
		}
		if (poll(pf, 2, 20) <= 0)
			continue;
		fl = sizeof(from);
		n = recvfrom(g->uas_fd, buf, sizeof(buf) - 1, MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (n > 0) {
			uas_rx(g, buf, (size_t)n, &from);
			flush_all(g);
		}
		n = recv(g->src[si].fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n > 12 && !memcmp(buf, "SIP/2.0 200", 11)) {
			printf("probe ok after %u OPTIONS\n", k);
			return 0;
		}
	}
	fprintf(stderr, "loadgen: no 200 to OPTIONS from %s:%u\n",
		g->target_ip, g->target_port);
	return 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: loadgen --target IP:PORT --uas IP:PORT --csv FILE\n"
		"       [--rate CPS] [--duration S] [--calls N] [--drain-ms MS]\n"
		"       [--tick-us US] [--uas-rejects] [--run ID]\n"
		"       loadgen --probe SRC_IP --target IP:PORT --uas IP:PORT "
		"[--duration S]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", 1, 0, 't' },   { "uas", 1, 0, 'u' },
		{ "csv", 1, 0, 'c' },      { "rate", 1, 0, 'r' },
		{ "duration", 1, 0, 'd' }, { "calls", 1, 0, 'n' },
		{ "drain-ms", 1, 0, 'D' }, { "tick-us", 1, 0, 'k' },
		{ "uas-rejects", 0, 0, 'R' }, { "run", 1, 0, 'i' },
		{ "probe", 1, 0, 'p' },    { 0, 0, 0, 0 }
	};
	struct lg g;
	const char *csv = NULL, *target = NULL, *uas = NULL, *probe_src = NULL;
	unsigned long calls = 0;
	double want;
	int c;
	unsigned i;

	memset(&g, 0, sizeof(g));
	g.rate = 1000;
	g.duration = 10;
	g.drain_ms = 2000;
	g.run = (unsigned)getpid();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': target = optarg; break;
		case 'u': uas = optarg; break;
		case 'c': csv = optarg; break;
		case 'r': g.rate = atof(optarg); break;
		case 'd': g.duration = atof(optarg); break;
		case 'n': calls = strtoul(optarg, NULL, 10); break;
		case 'D': g.drain_ms = (unsigned)atoi(optarg); break;
		case 'k': g.tick_us = (unsigned)atoi(optarg); break;
		case 'R': g.uas_rejects = true; break;
		case 'i': g.run = (unsigned)atoi(optarg); break;
		case 'p': probe_src = optarg; break;
		default: usage();
		}
	}
	if (!target || !uas || (!csv && !probe_src) || g.rate <= 0 ||
	    g.rate > 1e6 || g.duration <= 0 || g.duration > 600 ||
	    g.drain_ms > 60000)
		usage();
	if (parse_hostport(target, &g.target, g.target_ip, &g.target_port) ||
	    parse_hostport(uas, &g.uas_sa, NULL, NULL)) {
		fprintf(stderr, "loadgen: bad IP:PORT\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	g.uas_fd = udp_socket(&g.uas_sa);
	g.ob_uas = ob_new();
	if (probe_src)
		return probe(&g, probe_src);

	load_csv(&g, csv);
	want = g.rate * g.duration;
	if (calls && calls < want)
		want = (double)calls;
	if (want > MAX_CALLS)
		want = MAX_CALLS;
	g.total = (uint32_t)(want < 1 ? 1 : want);
	g.t_sent = calloc(g.total, sizeof(*g.t_sent));
	g.lat_us = calloc(g.total, sizeof(*g.lat_us));
	g.st = calloc(g.total, 1);
	if (!g.t_sent || !g.lat_us || !g.st)
		die("calloc");
	for (i = 0; i < g.nsrc; i++)
		g.ob_src[i] = ob_new();
	run(&g);
	return 0;
}
