/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sf_cmds.h - the subcommands of the sipfilter binary.
 *
 * Each lives in its own sipfilter/cmd/cmd_NAME.c and is called by main.c with
 * argv[0] = the subcommand name.  Each returns the process exit code:
 * SF_EXIT_OK, SF_EXIT_FAIL (runtime failure) or SF_EXIT_USAGE (usage or
 * config error).  Subcommands print their own errors.
 */
#ifndef SF_CMDS_H
#define SF_CMDS_H

enum { SF_EXIT_OK = 0, SF_EXIT_FAIL = 1, SF_EXIT_USAGE = 2 };

/* The config used when -c is not given (the bundled example). */
const char *sf_default_config_path(void);

int sf_cmd_check(int argc, char **argv);
int sf_cmd_lookup(int argc, char **argv);
int sf_cmd_judge(int argc, char **argv);
int sf_cmd_serve(int argc, char **argv);
int sf_cmd_ctl(int argc, char **argv);
int sf_cmd_replay(int argc, char **argv);
int sf_cmd_import(int argc, char **argv);

#endif
