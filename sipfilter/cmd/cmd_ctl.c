/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_ctl.c - `sipfilter ctl`: one request to a running `serve` over its
 * Unix control socket, the JSON answer on stdout.
 *
 * The socket is -s PATH, else $SIPFILTER_CTL, else serve.control_socket of
 * the config (-c).  Exit 0 when the answer says "ok":true, 1 when it says
 * false or the server cannot be reached, 2 on a usage error.  The wire
 * protocol is documented in proxy_ctl.h.
 */
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config/sf_config.h"
#include "sf_cmds.h"

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: sipfilter ctl [-c CONFIG | -s SOCKET] COMMAND [ARGS]\n"
		"Talks to a running 'sipfilter serve'.  Commands:\n"
		"  reload                     rebuild the tables (SIGHUP does "
		"the same)\n"
		"  stats                      counters, tables, reloads (JSON)\n"
		"  lookup NUMBER [--trunk T] [--called C]\n"
		"                             the live verdict for a number\n"
		"  roaming add NUMBER [--visited CC]\n"
		"  roaming del NUMBER         live roaming updates\n"
		"  ping                       readiness probe\n"
		"  -c, --config FILE  take the socket from this config "
		"(default %s)\n"
		"  -s, --socket PATH  control socket ($SIPFILTER_CTL)\n"
		"  -t, --timeout SEC  answer timeout (default 30)\n",
		sf_default_config_path());
}

static int append(char *buf, size_t size, const char *w)
{
	size_t n = strlen(buf);

	for (const char *p = w; *p; p++)
		if (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
			return -1;
	if (n + strlen(w) + 2 > size)
		return -1;
	if (n)
		buf[n++] = ' ';
	strcpy(buf + n, w);
	return 0;
}

/*
 * Sends the request line req (room for a newline left) to the control
 * socket at sock and prints the answer, waiting at most timeout seconds
 * for each part of it.  SF_EXIT_OK when the answer is ok.
 */
static int ask(const char *sock, char *req, int timeout)
{
	char resp[1 << 16];
	size_t got = 0;
	struct sockaddr_un sa;
	int fd;

	if (strlen(sock) >= sizeof(sa.sun_path) || !*sock) {
		fprintf(stderr, "sipfilter ctl: bad control socket path\n");
		return SF_EXIT_USAGE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "sipfilter ctl: cannot connect to %s: %m\n",
			sock);
		if (fd >= 0)
			close(fd);
		return SF_EXIT_FAIL;
	}
	strcat(req, "\n");
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "sipfilter ctl: send: %m\n");
		close(fd);
		return SF_EXIT_FAIL;
	}
	while (got + 1 < sizeof(resp)) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t r;

		if (poll(&p, 1, timeout * 1000) <= 0) {
			fprintf(stderr, "sipfilter ctl: no answer within %d s\n",
				timeout);
			close(fd);
			return SF_EXIT_FAIL;
		}
		r = recv(fd, resp + got, sizeof(resp) - 1 - got, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	resp[got] = '\0';
	fputs(resp, stdout);
	if (got && resp[got - 1] != '\n')
		putchar('\n');
	return strstr(resp, "{\"ok\":true") == resp ? SF_EXIT_OK
						     : SF_EXIT_FAIL;
}

int sf_cmd_ctl(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"socket", required_argument, NULL, 's'},
		{"timeout", required_argument, NULL, 'T'},
		{"trunk", required_argument, NULL, 't'},
		{"called", required_argument, NULL, 'C'},
		{"visited", required_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cfg_path = NULL, *sock = getenv("SIPFILTER_CTL");
	const char *trunk = NULL, *called = NULL, *visited = NULL;
	char req[1024] = "", kv[300], sockbuf[SF_CFG_PATH_MAX];
	int timeout = 30, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+c:s:T:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cfg_path = optarg; break;
		case 's': sock = optarg; break;
		case 'T': timeout = atoi(optarg); break;
		case 't': trunk = optarg; break;
		case 'C': called = optarg; break;
		case 'v': visited = optarg; break;
		case 'h': usage(stdout); return SF_EXIT_OK;
		default: usage(stderr); return SF_EXIT_USAGE;
		}
	}
	/* Options may also follow the command words. */
	for (int i = optind; i < argc; i++) {
		const char *w = argv[i];

		if (!strcmp(w, "--trunk") && i + 1 < argc)
			trunk = argv[++i];
		else if (!strcmp(w, "--called") && i + 1 < argc)
			called = argv[++i];
		else if (!strcmp(w, "--visited") && i + 1 < argc)
			visited = argv[++i];
		else if (w[0] == '-' && w[1] == '-') {
			usage(stderr);
			return SF_EXIT_USAGE;
		} else if (append(req, sizeof(req), w)) {
			fprintf(stderr, "sipfilter ctl: bad argument '%s'\n", w);
			return SF_EXIT_USAGE;
		}
	}
	if (!req[0]) {
		usage(stderr);
		return SF_EXIT_USAGE;
	}
	if ((trunk && (snprintf(kv, sizeof(kv), "trunk=%s", trunk),
		       append(req, sizeof(req), kv))) ||
	    (called && (snprintf(kv, sizeof(kv), "called=%s", called),
			append(req, sizeof(req), kv))) ||
	    (visited && (snprintf(kv, sizeof(kv), "visited=%s", visited),
			 append(req, sizeof(req), kv)))) {
		fprintf(stderr, "sipfilter ctl: bad option value\n");
		return SF_EXIT_USAGE;
	}
	if (!sock || !*sock || cfg_path) {
		sf_cfg_t *cfg;
		sf_diag_t diag;

		sf_diag_init(&diag);
		if (sf_cfg_load(cfg_path ? cfg_path : sf_default_config_path(),
				&cfg, &diag)) {
			sf_diag_print(&diag, stderr);
			return SF_EXIT_USAGE;
		}
		snprintf(sockbuf, sizeof(sockbuf), "%s",
			 cfg->serve.control_socket);
		sf_cfg_free(cfg);
		sock = sockbuf;
	}
	return ask(sock, req, timeout);
}
