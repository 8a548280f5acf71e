/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * main.c - the sipfilter binary: dispatches to one subcommand.
 *
 * Kept thin on purpose: every subcommand is a driver of the library in
 * its own cmd_*.c, listed once in the command table below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf_cmds.h"

#ifndef SF_VERSION
#define SF_VERSION "0.0.0"
#endif

typedef int (*cmd_fn)(int, char **);

/* The one command table: name, entry point, one-line summary. */
static const struct {
	const char *name;
	cmd_fn fn;
	const char *summary;
} cmds[] = {
	{"serve", sf_cmd_serve,
	 "run the stateless SIP proxy (foreground; SIGHUP reloads)"},
	{"replay", sf_cmd_replay, "offline verdicts over pcap/pcapng captures"},
	{"check", sf_cmd_check, "validate config and tables, print table sizes"},
	{"lookup", sf_cmd_lookup, "explain the verdict for one presented number"},
	{"judge", sf_cmd_judge, "verdicts for raw SIP messages stored in files"},
	{"ctl", sf_cmd_ctl,
	 "talk to a running serve: reload, stats, lookup, roaming"},
	{"import-ranges", sf_cmd_import,
	 "range export -> the fewest numbering-plan prefixes"},
};

static cmd_fn lookup_cmd(const char *name)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(name, cmds[i].name))
			return cmds[i].fn;
	return NULL;
}

static void usage(FILE *fp)
{
	fprintf(fp, "usage: sipfilter COMMAND [-c CONFIG] [ARGS...]\n\n"
		    "Spoofed caller-ID filter for a SIP edge.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(fp, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(fp, "\n-c defaults to %s ($SIPFILTER_CONFIG overrides).\n"
		    "'sipfilter COMMAND --help' for a command's options.\n"
		    "Exit status: 0 ok, 1 runtime failure, 2 usage or config "
		    "error.\n", sf_default_config_path());
}

int main(int argc, char **argv)
{
	cmd_fn fn;

	if (argc < 2) {
		usage(stderr);
		return SF_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return SF_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("sipfilter %s\n", SF_VERSION);
		return SF_EXIT_OK;
	}
	fn = lookup_cmd(argv[1]);
	if (!fn) {
		fprintf(stderr, "sipfilter: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return SF_EXIT_USAGE;
	}
	return fn(argc - 1, argv + 1);
}
