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
		"usage: sipfilter ctl [OPTIONS] COMMAND [ARGS] [OPTIONS]\n"
		"Talks to a running 'sipfilter serve'.  Commands:\n"
		"  reload [--force]           rebuild the config and tables "
		"(SIGHUP does the same);\n"
		"                             --force: past the shrink guard "
		"(logged)\n"
		"  stats                      counters, tables, reloads (JSON)\n"
		"  lookup NUMBER [--trunk T] [--called C]\n"
		"                             the live verdict for a number\n"
		"  roaming add NUMBER [--visited CC]\n"
		"  roaming del NUMBER         live roaming updates\n"
		"  ping                       readiness probe\n"
		"Options (anywhere on the line):\n"
		"  -c, --config FILE  take the socket from this config "
		"(default %s)\n"
		"  -s, --socket PATH  control socket ($SIPFILTER_CTL)\n"
		"  -T, --timeout SEC  answer timeout (default 30)\n"
		"  --batch            one command per line of stdin, as written "
		"after 'ctl'\n"
		"                     (e.g. roaming add N --visited TR); exit 1 "
		"if any failed\n"
		"Exit status: 0 when the answer is ok, 1 when it is not or serve "
		"cannot be\nreached, 2 on a usage error (an unknown command or "
		"option, a missing\nargument).\n",
		sf_default_config_path());
}

/* The commands ctl knows: words, then how many arguments follow, and
 * the options that go with it. */
static const struct ctl_cmd {
	const char *w1, *w2;
	int nargs;
	bool trunk_called, visited, force;
} ctl_cmds[] = {
	{"reload", NULL, 0, false, false, true},
	{"stats", NULL, 0, false, false, false},
	{"ping", NULL, 0, false, false, false},
	{"lookup", NULL, 1, true, false, false},
	{"roaming", "add", 1, false, true, false},
	{"roaming", "del", 1, false, false, false},
};

/* The command words[0..n) name, or NULL (said on stderr). */
static const struct ctl_cmd *find_cmd(char **words, int n)
{
	for (size_t i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++) {
		const struct ctl_cmd *c = &ctl_cmds[i];
		int used = c->w2 ? 2 : 1;

		if (n < 1 || strcmp(words[0], c->w1) ||
		    (c->w2 && (n < 2 || strcmp(words[1], c->w2))))
			continue;
		if (n != used + c->nargs) {
			fprintf(stderr, "sipfilter ctl: '%s%s%s' takes %d "
				"argument%s\n", c->w1, c->w2 ? " " : "",
				c->w2 ? c->w2 : "", c->nargs,
				c->nargs == 1 ? "" : "s");
			return NULL;
		}
		return c;
	}
	fprintf(stderr, "sipfilter ctl: unknown command '%s%s%s'\n",
		n ? words[0] : "", n > 1 ? " " : "", n > 1 ? words[1] : "");
	return NULL;
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

/* A connection to the control socket at sock, or -1 (said on stderr;
 * *rc is the exit status to give). */
static int ctl_connect(const char *sock, int *rc)
{
	struct sockaddr_un sa;
	int fd;

	if (strlen(sock) >= sizeof(sa.sun_path) || !*sock) {
		fprintf(stderr, "sipfilter ctl: bad control socket path\n");
		*rc = SF_EXIT_USAGE;
		return -1;
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
		*rc = SF_EXIT_FAIL;
		return -1;
	}
	return fd;
}

/* How one request went. */
typedef enum ask_result {
	ASK_OK,      /* answered "ok":true */
	ASK_FAILED,  /* answered otherwise, or cut off mid-answer */
	ASK_UNSENT,  /* the connection was gone before any answer came (an
		      * idle connection the server closed): the request was
		      * not taken, and may be sent again on a new one */
	ASK_TIMEOUT,
} ask_result_t;

/*
 * Sends the request line req (room for a newline left) on fd and copies
 * its answer, one line, to stdout, waiting at most timeout seconds for
 * each part of it.  The connection stays usable for the next request
 * unless the result is ASK_UNSENT or ASK_TIMEOUT.
 */
static ask_result_t ask_on(int fd, char *req, int timeout)
{
	char buf[4096], head[12] = "";
	size_t got = 0;

	strcat(req, "\n");
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0)
		return ASK_UNSENT;
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t r;

		if (poll(&p, 1, timeout * 1000) <= 0) {
			fprintf(stderr, "sipfilter ctl: no answer within %d s\n",
				timeout);
			return ASK_TIMEOUT;
		}
		r = recv(fd, buf, sizeof(buf), 0);
		if (r <= 0) {
			if (got == 0)
				return ASK_UNSENT;
			putchar('\n');
			return ASK_FAILED; /* cut off mid-answer */
		}
		if (got < sizeof(head) - 1) {
			size_t n = sizeof(head) - 1 - got;

			memcpy(head + got, buf, (size_t)r < n ? (size_t)r : n);
		}
		got += (size_t)r;
		fwrite(buf, 1, (size_t)r, stdout);
		if (buf[r - 1] == '\n')
			break;
	}
	return strncmp(head, "{\"ok\":true", 10) ? ASK_FAILED : ASK_OK;
}

/* One request on its own connection: the exit status. */
static int ask(const char *sock, char *req, int timeout)
{
	int rc, fd = ctl_connect(sock, &rc);
	ask_result_t r;

	if (fd < 0)
		return rc;
	r = ask_on(fd, req, timeout);
	close(fd);
	if (r == ASK_UNSENT)
		fprintf(stderr, "sipfilter ctl: %s closed the connection "
			"without an answer\n", sock);
	return r == ASK_OK ? SF_EXIT_OK : SF_EXIT_FAIL;
}

/* The socket to talk to: -s / $SIPFILTER_CTL, else the config's.
 * NULL (said) when the config does not load. */
static const char *socket_path(const char *sock, const char *cfg_path,
			       char *buf, size_t size)
{
	sf_cfg_t *cfg;
	sf_diag_t diag;

	if (sock && *sock && !cfg_path)
		return sock;
	sf_diag_init(&diag);
	if (sf_cfg_load(cfg_path ? cfg_path : sf_default_config_path(), &cfg,
			&diag)) {
		sf_diag_print(&diag, stderr);
		return NULL;
	}
	snprintf(buf, size, "%s", cfg->serve.control_socket);
	sf_cfg_free(cfg);
	return buf;
}

/* Appends key=value to req; -1 when it does not fit or has spaces. */
static int append_kv(char *req, size_t size, const char *key, const char *v)
{
	char kv[300];

	if ((size_t)snprintf(kv, sizeof(kv), "%s=%s", key, v) >= sizeof(kv))
		return -1;
	return append(req, size, kv);
}

/* A request's options (--trunk, --called, --visited, --force). */
typedef struct ctl_opts {
	const char *trunk, *called, *visited;
	bool force;
} ctl_opts_t;

/* The request line for command words[0..n) with options o, into req;
 * SF_EXIT_OK, or SF_EXIT_USAGE (said on stderr). */
static int build_request(char **words, int n, const ctl_opts_t *o,
			 char *req, size_t size)
{
	const struct ctl_cmd *cmd = find_cmd(words, n);

	req[0] = '\0';
	if (!cmd)
		return SF_EXIT_USAGE;
	if (((o->trunk || o->called) && !cmd->trunk_called) ||
	    (o->visited && !cmd->visited) || (o->force && !cmd->force)) {
		fprintf(stderr, "sipfilter ctl: --%s does not go with '%s'\n",
			o->visited && !cmd->visited ? "visited"
			: o->force && !cmd->force   ? "force"
			: o->trunk                  ? "trunk"
						    : "called",
			cmd->w1);
		return SF_EXIT_USAGE;
	}
	for (int i = 0; i < n; i++)
		if (append(req, size, words[i])) {
			fprintf(stderr, "sipfilter ctl: bad argument '%s'\n",
				words[i]);
			return SF_EXIT_USAGE;
		}
	if ((o->trunk && append_kv(req, size, "trunk", o->trunk)) ||
	    (o->called && append_kv(req, size, "called", o->called)) ||
	    (o->visited && append_kv(req, size, "visited", o->visited)) ||
	    (o->force && append_kv(req, size, "force", "1"))) {
		fprintf(stderr, "sipfilter ctl: bad option value\n");
		return SF_EXIT_USAGE;
	}
	return SF_EXIT_OK;
}

/*
 * Sends req on *fd (connecting first when it is -1, counted in
 * *connections), again on a new connection if the old one turned out
 * closed before the request was taken.  True when the answer is ok; a
 * connection that cannot be used further is closed (*fd = -1).  *rc is
 * set to SF_EXIT_USAGE when the socket path is unusable.
 */
static bool batch_one(const char *sock, int *fd, unsigned long *connections,
		      char *req, int timeout, int *rc)
{
	size_t len = strlen(req);

	for (int attempt = 0; attempt < 2; attempt++) {
		ask_result_t r;

		if (*fd < 0) {
			*fd = ctl_connect(sock, rc);
			if (*fd < 0)
				return false;
			++*connections;
		}
		req[len] = '\0';
		r = ask_on(*fd, req, timeout);
		if (r == ASK_OK || r == ASK_FAILED)
			return r == ASK_OK;
		close(*fd);
		*fd = -1;
		if (r == ASK_TIMEOUT)
			return false;
	}
	fprintf(stderr, "sipfilter ctl: %s closed the connection without an "
		"answer\n", sock);
	return false;
}

/*
 * --batch: one command per line of stdin, written as on the command line
 * after `ctl` (`roaming add 77011234567 --visited TR`); blank lines and
 * '#' comments skipped.  Every answer is printed; a line that is not a
 * command is said on stderr with its number and skipped.  All commands
 * go over one connection, each sent when the previous is answered; when
 * serve has closed it (idle past its deadline, or restarted) before a
 * request was taken, that request is sent again on a new one.  Exit 0
 * when every line was a command and every answer ok, else 1.
 */
static int run_batch(const char *sock, int timeout)
{
	char line[1024], req[1024], *words[16];
	unsigned long lineno = 0, ok = 0, failed = 0, connections = 0;
	int fd = -1, rc = SF_EXIT_OK;

	while (fgets(line, sizeof(line), stdin)) {
		ctl_opts_t o = {NULL, NULL, NULL, false};
		int n = 0, bad = 0;
		char *save = NULL;

		lineno++;
		for (char *w = strtok_r(line, " \t\r\n", &save); w;
		     w = strtok_r(NULL, " \t\r\n", &save)) {
			const char **slot = !strcmp(w, "--trunk")    ? &o.trunk
					    : !strcmp(w, "--called")  ? &o.called
					    : !strcmp(w, "--visited") ? &o.visited
								      : NULL;

			if (!strcmp(w, "--force"))
				o.force = true;
			else if (slot &&
				 !(*slot = strtok_r(NULL, " \t\r\n", &save)))
				bad = 1;
			else if (!slot && n < 16)
				words[n++] = w;
			else if (!slot)
				bad = 1;
		}
		if (n == 0 || words[0][0] == '#')
			continue;
		if (bad || build_request(words, n, &o, req, sizeof(req))) {
			fprintf(stderr, "sipfilter ctl: stdin line %lu skipped\n",
				lineno);
			failed++;
			continue;
		}
		if (batch_one(sock, &fd, &connections, req, timeout, &rc))
			ok++;
		else
			failed++;
		if (rc == SF_EXIT_USAGE)
			break;
	}
	if (fd >= 0)
		close(fd);
	fprintf(stderr, "sipfilter ctl: %lu ok, %lu failed, %lu connection%s\n",
		ok, failed, connections, connections == 1 ? "" : "s");
	return rc == SF_EXIT_USAGE ? rc : failed ? SF_EXIT_FAIL : SF_EXIT_OK;
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
		{"batch", no_argument, NULL, 'b'},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cfg_path = NULL, *sock = getenv("SIPFILTER_CTL");
	ctl_opts_t o = {NULL, NULL, NULL, false};
	char req[1024] = "", sockbuf[SF_CFG_PATH_MAX], *end;
	int timeout = 30, c;
	bool batch = false;

	/* getopt permutes: options may come before, between or after the
	 * command words, and an unknown one is an error wherever it is */
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:s:T:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cfg_path = optarg; break;
		case 's': sock = optarg; break;
		case 'T':
			timeout = (int)strtol(optarg, &end, 10);
			if (*end || timeout <= 0 || timeout > 3600) {
				fprintf(stderr, "sipfilter ctl: bad timeout "
					"'%s' (1-3600 s)\n", optarg);
				return SF_EXIT_USAGE;
			}
			break;
		case 't': o.trunk = optarg; break;
		case 'C': o.called = optarg; break;
		case 'v': o.visited = optarg; break;
		case 'b': batch = true; break;
		case 'f': o.force = true; break;
		case 'h': usage(stdout); return SF_EXIT_OK;
		default: usage(stderr); return SF_EXIT_USAGE;
		}
	}
	if (batch && (optind < argc || o.trunk || o.called || o.visited ||
		      o.force)) {
		fprintf(stderr, "sipfilter ctl: --batch reads its commands "
			"from stdin; give none on the command line\n");
		return SF_EXIT_USAGE;
	}
	if (!batch &&
	    build_request(argv + optind, argc - optind, &o, req, sizeof(req)))
		return SF_EXIT_USAGE;
	sock = socket_path(sock, cfg_path, sockbuf, sizeof(sockbuf));
	if (!sock)
		return SF_EXIT_USAGE;
	return batch ? run_batch(sock, timeout) : ask(sock, req, timeout);
}
