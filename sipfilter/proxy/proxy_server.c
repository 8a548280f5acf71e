/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proxy_server.c - the `serve` process built and torn down: the proxy,
 * the first tables, the counters and the snapshot, its sockets and
 * threads, and the log sink.  Start-up order matters to operators: config
 * (the caller's), then tables (refuse to start, or run degraded, per
 * serve.no_tables), then sockets; threads start only after that, so a
 * server that exists can serve.
 */
#include "proxy_server.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "sipfilter/engine/sf_identity.h"
#include "sipfilter/lib/sf_load.h"

static const char *tp_name(sf_transport_t tp)
{
	return tp == SF_TP_TLS ? "tls" : tp == SF_TP_TCP ? "tcp" : "udp";
}

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
			   tp_name(l->tp), l->sentby, strerror(e));
		if (err)
			err->sys_errno = e;
	}
	return -1;
}

/*
 * Is l's address already taken by another process?  A probe socket
 * without SO_REUSEPORT cannot bind where anyone listens (ours are
 * SO_REUSEPORT among our own workers only, and the kernel would let a
 * second instance of the same user join them: a silent second serve
 * taking a share of live traffic).  UDP probes set no SO_REUSEADDR (on
 * UDP it would share too); TCP ones do, so our own TIME_WAIT after a
 * restart does not count.  0 when free, -1 with err when taken.
 */
static int probe_free(const sf_plisten_t *l, int type, sf_err_t *err)
{
	int one = 1, fd = socket(l->family, type | SOCK_CLOEXEC, 0), e;

	if (fd < 0)
		return 0; /* open_sock will say why */
	if (type == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&l->sa, l->salen) == 0) {
		close(fd);
		return 0;
	}
	e = errno;
	close(fd);
	if (e != EADDRINUSE)
		return 0;
	sf_err_set(err, SF_EIO, NULL, 0, 0,
		   "%s %s is already in use by another process (a second "
		   "sipfilter serve?); refusing to share it",
		   tp_name(l->tp), l->sentby);
	if (err)
		err->sys_errno = e;
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

		if (probe_free(l, sf_tp_stream(l->tp) ? SOCK_STREAM : SOCK_DGRAM,
			       err))
			return SF_EIO;
	}
	for (unsigned li = 0; li < s->proxy.n_listeners; li++) {
		const sf_plisten_t *l = &s->proxy.listeners[li];

		if (sf_tp_stream(l->tp)) {
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
			sf_tls_conn_free_quiet(s->conns[i].ssl);
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

/* ------------------------------------------------------------------ */
/* building the server */

static void retire_gen(void *p)
{
	sf_gen_free(p);
}

/* Does a live process answer on the Unix socket at sa? */
static bool ctl_live(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return false;
	live = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return live;
}

/* The control socket at path ("" = none: -1).  -2 with err on failure.
 * A socket a live process answers on is another instance's: refused,
 * never unlinked.  dev and ino get the file we created. */
static int open_ctl(const char *path, dev_t *dev, ino_t *ino, sf_err_t *err)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;

	if (!path[0])
		return -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		sf_err_set(err, SF_EINVAL, NULL, 0, 0,
			   "control socket path too long: %s", path);
		return -2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (ctl_live(&sa)) {
		close(fd);
		sf_err_set(err, SF_EIO, NULL, 0, 0,
			   "control socket %s is live: another sipfilter serve "
			   "is running; stop it first or give this one its own "
			   "serve.control_socket", path);
		return -2;
	}
	unlink(path); /* a stale socket from a previous run */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16))
		goto fail;
	chmod(path, 0660);
	if (stat(path, &st) == 0) {
		*dev = st.st_dev;
		*ino = st.st_ino;
	}
	return fd;
fail:
	sf_err_set(err, SF_EIO, NULL, 0, 0, "control socket %s: %m", path);
	if (fd >= 0)
		close(fd);
	return -2;
}

/* "IP:PORT" or "[IPv6]:PORT" into *ss.  0, or -1 when it is neither. */
static int metrics_sockaddr(const char *addr, struct sockaddr_storage *ss,
			    socklen_t *len)
{
	char host[128];
	const char *colon = strrchr(addr, ':');
	sf_ip_t ip;
	int port;

	if (!colon || (size_t)(colon - addr) >= sizeof(host))
		return -1;
	port = atoi(colon + 1);
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if (port <= 0 || port > 65535 || sf_ip_parse(host, strlen(host), &ip))
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (ip.v4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		memcpy(&s4->sin_addr, ip.a + 12, 4);
		*len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		memcpy(&s6->sin6_addr, ip.a, 16);
		*len = sizeof(*s6);
	}
	return 0;
}

/* The metrics listener at addr ("" = none: -1).  -2 with err on failure. */
static int open_metrics(const char *addr, sf_err_t *err)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, fd;

	if (!addr[0])
		return -1;
	if (metrics_sockaddr(addr, &ss, &len)) {
		sf_err_set(err, SF_EINVAL, NULL, 0, 0,
			   "metrics address '%s' is not IP:PORT", addr);
		return -2;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 16)) {
		close(fd);
		goto fail;
	}
	return fd;
fail:
	sf_err_set(err, SF_EIO, NULL, 0, 0, "metrics %s: %m", addr);
	return -2;
}

/* The first tables into *tables, or the policy's answer when they do not
 * load: SF_EINVAL (refuse) or 0 with *tables NULL (degraded, logged). */
static int first_tables(sf_server_t *s, sf_tables_t **tables, sf_err_t *err)
{
	const sf_cfg_t *cfg = s->cfg;
	char why[SF_ERR_MSG_MAX];
	char line[1200];

	if (sf_load_tables(cfg, NULL, tables, err) == 0) {
		s->status.generation = 1;
		sf_tables_set_generation(*tables, 1);
		s->status.last_reload_ok = true;
		s->status.loaded_at = (int64_t)time(NULL);
		return 0;
	}
	if (cfg->serve.no_tables == SF_NO_TABLES_REFUSE) {
		/* the refusal first, so a long reason cannot cut it off */
		static const char pre[] = "no usable tables, refusing to "
					  "start (serve.no_tables: refuse): ";
		size_t wl = strnlen(err->msg, sizeof(err->msg) - 1);

		if (wl > sizeof(err->msg) - sizeof(pre))
			wl = sizeof(err->msg) - sizeof(pre);
		memcpy(why, err->msg, wl);
		memcpy(err->msg, pre, sizeof(pre) - 1);
		memcpy(err->msg + sizeof(pre) - 1, why, wl);
		err->msg[sizeof(pre) - 1 + wl] = '\0';
		err->code = SF_EINVAL;
		return SF_EINVAL;
	}
	sf_err_format(err, line, sizeof(line));
	snprintf(s->last_reload_error, sizeof(s->last_reload_error), "%s",
		 line);
	sf_server_log(s, LOG_WARNING, "no usable tables, running "
				      "DEGRADED (calls pass unverified)");
	sf_server_log(s, LOG_WARNING, line);
	s->status.reloads_failed = 1;
	sf_err_clear(err);
	return 0;
}

/* How many UDP workers per listener, and the counter blocks: the
 * threads' (UDP workers, TCP), then the control and the metrics
 * thread's. */
static int size_threads(sf_server_t *s, unsigned workers, sf_err_t *err)
{
	const sf_cfg_t *cfg = s->cfg;
	unsigned n_udp = 0;

	s->workers = workers ? workers
		     : cfg->serve.workers ? cfg->serve.workers
					  : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (s->workers < 1)
		s->workers = 1;
	for (unsigned i = 0; i < s->proxy.n_listeners; i++)
		n_udp += s->proxy.listeners[i].tp == SF_TP_UDP;
	if (n_udp * s->workers + 1 > SF_MAX_THREADS)
		s->workers = (SF_MAX_THREADS - 1) / (n_udp ? n_udp : 1);
	s->n_stats = n_udp * s->workers + 1 + 2;
	s->stats = calloc(s->n_stats, sizeof(*s->stats));
	if (!s->stats)
		return sf_err_set(err, SF_ENOMEM, NULL, 0, 0,
				  "out of memory");
	return 0;
}

/* Every socket: the listeners, the control socket, the metrics one. */
static int open_sockets(sf_server_t *s, sf_err_t *err)
{
	const sf_cfg_t *cfg = s->cfg;

	/* the control socket first: a live one means another instance,
	 * whose listeners we must not touch either */
	s->ctl_fd = open_ctl(cfg->serve.control_socket, &s->ctl_dev,
			     &s->ctl_ino, err);
	if (s->ctl_fd == -2)
		return err->code;
	if (sf_server_bind(s, err))
		return SF_EIO;
	s->metrics_fd = open_metrics(cfg->serve.metrics_addr, err);
	if (s->metrics_fd == -2)
		return err->code;
	return 0;
}

int sf_server_new(const sf_cfg_t *cfg, const sf_serve_opts_t *opts,
		  sf_server_t **out, sf_err_t *err)
{
	sf_tables_t *tables = NULL;
	sf_gen_t *gen = NULL;
	sf_server_t *s;
	int rc;

	*out = NULL;
	sf_err_clear(err);
	s = calloc(1, sizeof(*s));
	if (!s)
		return sf_err_set(err, SF_ENOMEM, NULL, 0, 0, "out of memory");
	s->cfg = cfg;
	s->tcp_epfd = s->ctl_fd = s->metrics_fd = -1;
	for (unsigned li = 0; li < SF_CFG_MAX_LISTENERS; li++) {
		s->tcp_listen_fd[li] = -1;
		for (unsigned w = 0; w < SF_MAX_THREADS; w++)
			s->udp_fd[li][w] = -1;
	}
	s->use_syslog = !strcmp(cfg->serve.log_target, "syslog");
	s->level_prefix = getenv("JOURNAL_STREAM") || !isatty(STDERR_FILENO);
	if (s->use_syslog)
		openlog("sipfilter", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	s->started_at = (int64_t)time(NULL);
	if (sf_proxy_init(&s->proxy, cfg, NULL, err)) {
		err->code = SF_EINVAL;
		rc = SF_EINVAL;
		goto fail;
	}
	s->proxy.log = sf_server_log;
	s->proxy.log_arg = s;
	sf_identity_global_init();
	if ((rc = first_tables(s, &tables, err)) ||
	    (rc = size_threads(s, opts ? opts->workers : 0, err)) ||
	    (rc = sf_gen_new(cfg, tables, &s->proxy.edge.key, sf_server_log,
			     s, &gen, err)))
		goto fail;
	tables = NULL; /* owned by the generation */
	gen->proxy.edge.cert_peer = sf_tcp_cert_peer;
	gen->proxy.edge.cert_peer_arg = s;
	if ((rc = sf_gen_assign_slots(&s->labels, &gen->proxy, cfg, err))) {
		sf_gen_free(gen);
		goto fail;
	}
	sf_snap_init(&s->snap, s->n_stats - 2, gen, retire_gen);
	pthread_mutex_init(&s->tcp_lock, NULL);
	pthread_mutex_init(&s->hop_lock, NULL);
	pthread_mutex_init(&s->status_lock, NULL);
	s->built = true;
	sf_server_status_refresh(s);
	if ((rc = open_sockets(s, err)))
		goto fail;
	*out = s;
	return 0;
fail:
	sf_tables_free(tables);
	sf_server_free(s);
	return rc;
}

void sf_server_free(sf_server_t *s)
{
	if (!s)
		return;
	if (s->built) {
		sf_server_stop(s);
		sf_snap_fini(&s->snap);
	}
	if (s->ctl_fd >= 0) {
		struct stat st;

		close(s->ctl_fd);
		/* only the file we created: never another instance's */
		if (stat(s->cfg->serve.control_socket, &st) == 0 &&
		    st.st_dev == s->ctl_dev && st.st_ino == s->ctl_ino)
			unlink(s->cfg->serve.control_socket);
	}
	if (s->metrics_fd >= 0)
		close(s->metrics_fd);
	if (s->built) {
		pthread_mutex_destroy(&s->tcp_lock);
		pthread_mutex_destroy(&s->hop_lock);
		pthread_mutex_destroy(&s->status_lock);
	}
	free(s->stats);
	free(s);
}

void sf_server_status_refresh(sf_server_t *s)
{
	const sf_tables_t *t = sf_server_gen(s)->tables;
	sf_tables_stats_t ts;

	sf_tables_stats(t, &ts);
	pthread_mutex_lock(&s->status_lock);
	s->status.tables = ts;
	s->status.have_tables = t != NULL;
	s->status.n_certs = sf_tls_expiry_list(sf_server_gen(s)->tls,
					       s->status.certs,
					       SF_TLS_MAX_CERTS);
	pthread_mutex_unlock(&s->status_lock);
}
