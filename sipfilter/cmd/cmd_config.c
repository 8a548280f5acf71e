/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cmd_config.c - what every command shares: the config path used when -c
 * is not given.  Its own file so that main.c (which calls the commands)
 * and the commands (which call this) do not need each other.
 */
#include <stdlib.h>

#include "sf_cmds.h"

#ifndef SF_DEFAULT_CONFIG
#define SF_DEFAULT_CONFIG "config/sipfilter.yaml"
#endif

const char *sf_default_config_path(void)
{
	const char *env = getenv("SIPFILTER_CONFIG");

	return env && *env ? env : SF_DEFAULT_CONFIG;
}
