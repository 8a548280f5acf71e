/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_serve.c - `sipfilter serve`: the stateless SIP edge proxy, in the
 * foreground (systemd Type=notify, containers).
 *
 * Start-up order matters to operators: config, then the server
 * (sf_server_new: tables, refusing to start or running degraded per
 * serve.no_tables, then sockets), then worker threads, and only then
 * READY=1 to systemd and "ready" on the log, so a unit that is "active"
 * really serves.  SIGHUP or `ctl reload` rebuilds the config and its
 * tables beside the live ones (proxy_reload.c); SIGTERM/SIGINT stop it
 * (STOPPING=1).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <syslog.h>
#include <unistd.h>

#include "sipfilter/proxy/proxy_ctl.h"
#include "sipfilter/proxy/proxy_journal.h"
#include "sipfilter/proxy/proxy_live.h"
#include "sipfilter/proxy/proxy_server.h"
#include "sf_cmds.h"

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: sipfilter serve [-c CONFIG] [-w WORKERS]\n"
		"Runs the stateless SIP proxy in the foreground on the "
		"listeners of CONFIG.\n"
		"  -c, --config FILE    config (default %s)\n"
		"  -w, --workers N      UDP worker threads per listener "
		"(default: serve.workers, 0 = one per core)\n"
		"Signals: HUP reloads the config and tables, TERM/INT stop.  Talk to it "
		"with 'sipfilter ctl'.\n", sf_default_config_path());
}

/* Prints a failed step as "sipfilter serve: file:line:col: error: ...". */
static void say(const sf_err_t *err)
{
	char line[1200];

	sf_err_format(err, line, sizeof(line));
	fprintf(stderr, "sipfilter serve: %s\n", line);
}

/*
 * Starts the threads and serves until SIGTERM/SIGINT.  Signals are
 * blocked first, so every thread inherits the mask and only the control
 * loop sees them (through a signalfd).  SF_EXIT_OK or SF_EXIT_FAIL.
 */
static int run(sf_server_t *s)
{
	const sf_cfg_t *cfg = s->cfg;
	sigset_t sigs;
	sf_err_t err;
	char line[1200];
	int sig_fd;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sig_fd = signalfd(-1, &sigs, SFD_CLOEXEC);
	sf_err_clear(&err);
	if (sf_ctl_journal_start(s, &err)) {
		say(&err);
		if (sig_fd >= 0)
			close(sig_fd);
		return err.code == SF_EPARSE ? SF_EXIT_USAGE : SF_EXIT_FAIL;
	}
	if (sf_server_start(s, &err) ||
	    (s->cfg->live_redis[0] &&
	     !(s->live = sf_live_start(
		       s->cfg,
		       sf_tables_roaming_stream_id(sf_server_gen(s)->tables),
		       sf_server_log, s, &err))) ||
	    sf_http_start(s, s->metrics_fd, &err)) {
		say(&err);
		if (sig_fd >= 0)
			close(sig_fd);
		return SF_EXIT_FAIL;
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
	sf_ctl_loop(s, s->ctl_fd, sig_fd);
	sf_live_halt(s->live); /* freed once the metrics thread is gone */
	sf_sd_notify("STOPPING=1");
	sf_server_log(s, LOG_NOTICE, "stopping");
	if (sig_fd >= 0)
		close(sig_fd);
	return SF_EXIT_OK;
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
	int workers = -1, c, rc;
	sf_serve_opts_t so = {0};
	sf_cfg_t *cfg = NULL;
	sf_server_t *s = NULL;
	sf_live_t *live;
	sf_journal_t *journal;
	sf_diag_t diag;
	sf_err_t err;

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
	so.workers = workers > 0 ? (unsigned)workers : 0;
	sf_diag_init(&diag);
	if (sf_cfg_load(path, &cfg, &diag)) {
		sf_diag_print(&diag, stderr);
		return SF_EXIT_USAGE;
	}
	rc = sf_server_new(cfg, &so, &s, &err);
	if (rc == SF_EINVAL) {
		/* the config (or its tables) cannot be served */
		sf_err_print(&err, stderr);
		rc = SF_EXIT_USAGE;
	} else if (rc) {
		say(&err);
		rc = SF_EXIT_FAIL;
	} else {
		rc = run(s);
	}
	live = s ? s->live : NULL;
	journal = s ? s->journal : NULL;
	sf_server_free(s);
	sf_live_free(live);
	sf_journal_free(journal);
	sf_cfg_free(cfg);
	return rc;
}
