/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * main.c - the sipfilter binary: dispatches to one subcommand.
 *
 * Kept thin on purpose: every subcommand is a driver of the library in
 * its own cmd_*.c.  Commands are weak references so that a build can carry
 * a subset of them (the unit-test and fuzz builds link the library only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf_cmds.h"

#ifndef SF_VERSION
#define SF_VERSION "0.0.0"
#endif
#ifndef SF_DEFAULT_CONFIG
#define SF_DEFAULT_CONFIG "config/sipfilter.yaml"
#endif

#pragma weak sf_cmd_check
#pragma weak sf_cmd_lookup
#pragma weak sf_cmd_judge
#pragma weak sf_cmd_serve
#pragma weak sf_cmd_ctl
#pragma weak sf_cmd_replay

typedef int (*cmd_fn)(int, char **);

static const struct {
	const char *name;
	const char *summary;
} cmds[] = {
	{"serve", "run the stateless SIP proxy (foreground; SIGHUP reloads)"},
	{"replay", "offline verdicts over pcap/pcapng captures"},
	{"check", "validate config and tables, print table sizes"},
	{"lookup", "explain the verdict for one presented number"},
	{"judge", "verdicts for raw SIP messages stored in files"},
	{"ctl", "talk to a running serve: reload, stats, lookup, roaming"},
};

static cmd_fn lookup_cmd(const char *name)
{
	if (!strcmp(name, "serve")) return sf_cmd_serve;
	if (!strcmp(name, "replay")) return sf_cmd_replay;
	if (!strcmp(name, "check")) return sf_cmd_check;
	if (!strcmp(name, "lookup")) return sf_cmd_lookup;
	if (!strcmp(name, "judge")) return sf_cmd_judge;
	if (!strcmp(name, "ctl")) return sf_cmd_ctl;
	return NULL;
}

const char *sf_default_config_path(void)
{
	const char *env = getenv("SIPFILTER_CONFIG");

	return env && *env ? env : SF_DEFAULT_CONFIG;
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
