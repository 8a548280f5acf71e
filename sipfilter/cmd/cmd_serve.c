/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_serve.c - `sipfilter serve`: the stateless SIP edge proxy, in the
 * foreground (systemd Type=notify, containers).
 *
 * Start-up order matters to operators: config, then tables (refuse to
 * start, or run degraded, per serve.no_tables), then sockets, then worker
 * threads, and only then READY=1 to systemd and "ready" on the log, so a
 * unit that is "active" really serves.  SIGHUP or `ctl reload` rebuilds
 * the tables beside the live ones; SIGTERM/SIGINT stop it (STOPPING=1).
 */
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "sipfilter/proxy/proxy_ctl.h"
#include "sipfilter/proxy/proxy_server.h"
#include "sf_cmds.h"
#include "sipfilter/engine/sf_identity.h"
#include "sipfilter/lib/sf_load.h"

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: sipfilter serve [-c CONFIG] [-w WORKERS]\n"
		"Runs the stateless SIP proxy in the foreground on the "
		"listeners of CONFIG.\n"
		"  -c, --config FILE    config (default %s)\n"
		"  -w, --workers N      UDP worker threads per listener "
		"(default: serve.workers, 0 = one per core)\n"
		"Signals: HUP reloads the tables, TERM/INT stop.  Talk to it "
		"with 'sipfilter ctl'.\n", sf_default_config_path());
}

static void retire_tables(void *p)
{
	sf_tables_free(p);
}

static int open_ctl(const char *path, sf_err_t *err)
{
	struct sockaddr_un sa;
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
	unlink(path); /* a stale socket from a previous run */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16))
		goto fail;
	chmod(path, 0660);
	return fd;
fail:
	sf_err_set(err, SF_EIO, NULL, 0, 0, "control socket %s: %m", path);
	if (fd >= 0)
		close(fd);
	return -2;
}

static int open_metrics(const char *addr, sf_err_t *err)
{
	char host[128];
	const char *colon = strrchr(addr, ':');
	sf_ip_t ip;
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, fd, port;

	if (!addr[0])
		return -1;
	if (!colon || (size_t)(colon - addr) >= sizeof(host))
		goto bad;
	port = atoi(colon + 1);
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if (port <= 0 || port > 65535 || sf_ip_parse(host, strlen(host), &ip))
		goto bad;
	memset(&ss, 0, sizeof(ss));
	if (ip.v4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		memcpy(&s4->sin_addr, ip.a + 12, 4);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		memcpy(&s6->sin6_addr, ip.a, 16);
		len = sizeof(*s6);
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
bad:
	sf_err_set(err, SF_EINVAL, NULL, 0, 0,
		   "metrics address '%s' is not IP:PORT", addr);
	return -2;
fail:
	sf_err_set(err, SF_EIO, NULL, 0, 0, "metrics %s: %m", addr);
	return -2;
}

int sf_cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"workers", required_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = sf_default_config_path();
	int workers = -1, c, rc = SF_EXIT_FAIL;
	int ctl_fd = -1, metrics_fd = -1, sig_fd = -1;
	sf_cfg_t *cfg = NULL;
	sf_tables_t *tables = NULL;
	sf_server_t *s = NULL;
	sf_diag_t diag;
	sf_err_t err;
	sigset_t sigs;
	unsigned n_udp = 0;
	char line[1200];

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:w:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'w': workers = atoi(optarg); break;
		case 'h': usage(stdout); return SF_EXIT_OK;
		default: usage(stderr); return SF_EXIT_USAGE;
		}
	}
	if (optind != argc || workers == 0 || workers > 64) {
		usage(stderr);
		return SF_EXIT_USAGE;
	}
	sf_diag_init(&diag);
	if (sf_cfg_load(path, &cfg, &diag)) {
		sf_diag_print(&diag, stderr);
		return SF_EXIT_USAGE;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "sipfilter serve: out of memory\n");
		goto out;
	}
	s->cfg = cfg;
	s->tcp_epfd = -1;
	s->use_syslog = !strcmp(cfg->serve.log_target, "syslog");
	s->level_prefix = getenv("JOURNAL_STREAM") || !isatty(STDERR_FILENO);
	if (s->use_syslog)
		openlog("sipfilter", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	s->started_at = (int64_t)time(NULL);
	sf_err_clear(&err);
	if (sf_proxy_init(&s->proxy, cfg, NULL, &err)) {
		sf_err_print(&err, stderr);
		rc = SF_EXIT_USAGE;
		goto out;
	}
	s->proxy.log = sf_server_log;
	s->proxy.log_arg = s;
	sf_identity_global_init();
	if (sf_load_tables(cfg, NULL, &tables, &err)) {
		sf_err_format(&err, line, sizeof(line));
		if (cfg->serve.no_tables == SF_NO_TABLES_REFUSE) {
			fprintf(stderr, "%s\nsipfilter serve: no usable tables; "
					"refusing to start (serve.no_tables: "
					"refuse)\n", line);
			rc = SF_EXIT_USAGE;
			goto out;
		}
		snprintf(s->last_reload_error, sizeof(s->last_reload_error),
			 "%s", line);
		sf_server_log(s, LOG_WARNING, "no usable tables, running "
					      "DEGRADED (calls pass unverified)");
		sf_server_log(s, LOG_WARNING, line);
		s->status.reloads_failed = 1;
	} else {
		s->status.generation = 1;
		sf_tables_set_generation(tables, 1);
		s->status.last_reload_ok = true;
		s->status.loaded_at = (int64_t)time(NULL);
	}
	s->workers = workers > 0 ? (unsigned)workers
		     : cfg->serve.workers ? cfg->serve.workers
					  : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (s->workers < 1)
		s->workers = 1;
	for (unsigned i = 0; i < s->proxy.n_listeners; i++)
		n_udp += s->proxy.listeners[i].tp == SF_TP_UDP;
	if (n_udp * s->workers + 1 > SF_MAX_THREADS)
		s->workers = (SF_MAX_THREADS - 1) / (n_udp ? n_udp : 1);
	/* the threads' blocks (UDP workers, TCP), then the control and the
	 * metrics thread's */
	s->n_stats = n_udp * s->workers + 1 + 2;
	s->stats = calloc(s->n_stats, sizeof(*s->stats));
	if (!s->stats) {
		fprintf(stderr, "sipfilter serve: out of memory\n");
		goto out;
	}
	sf_snap_init(&s->snap, n_udp * s->workers + 1, tables, retire_tables);
	tables = NULL; /* owned by the snapshot now */
	pthread_mutex_init(&s->tcp_lock, NULL);
	pthread_mutex_init(&s->status_lock, NULL);
	sf_ctl_status_refresh(s);

	/* Signals go to the control loop only. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sig_fd = signalfd(-1, &sigs, SFD_CLOEXEC);

	if (sf_server_bind(s, &err) ||
	    (ctl_fd = open_ctl(cfg->serve.control_socket, &err)) == -2 ||
	    (metrics_fd = open_metrics(cfg->serve.metrics_addr, &err)) == -2) {
		sf_err_format(&err, line, sizeof(line));
		fprintf(stderr, "sipfilter serve: %s\n", line);
		goto stop;
	}
	if (sf_server_start(s, &err) || sf_http_start(s, metrics_fd, &err)) {
		sf_err_format(&err, line, sizeof(line));
		fprintf(stderr, "sipfilter serve: %s\n", line);
		goto stop;
	}
	snprintf(line, sizeof(line),
		 "ready: %u listeners, %u threads, table generation %llu, "
		 "control %s, metrics %s", s->proxy.n_listeners, s->n_threads,
		 (unsigned long long)s->status.generation,
		 cfg->serve.control_socket[0] ? cfg->serve.control_socket
					      : "off",
		 cfg->serve.metrics_addr[0] ? cfg->serve.metrics_addr : "off");
	sf_server_log(s, LOG_NOTICE, line);
	sf_sd_notify("READY=1\nSTATUS=serving");
	sf_ctl_loop(s, ctl_fd, sig_fd);
	sf_sd_notify("STOPPING=1");
	sf_server_log(s, LOG_NOTICE, "stopping");
	rc = SF_EXIT_OK;
stop:
	sf_server_stop(s);
	sf_snap_fini(&s->snap);
	if (ctl_fd >= 0) {
		close(ctl_fd);
		unlink(cfg->serve.control_socket);
	}
	if (metrics_fd >= 0)
		close(metrics_fd);
	if (sig_fd >= 0)
		close(sig_fd);
	pthread_mutex_destroy(&s->tcp_lock);
	pthread_mutex_destroy(&s->status_lock);
out:
	sf_tables_free(tables);
	if (s) {
		free(s->stats);
		free(s);
	}
	sf_cfg_free(cfg);
	return rc;
}
