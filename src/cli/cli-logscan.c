/* cli-logscan.c — `vigil logscan`. PLACEHOLDER until its subsystem lands: must be replaced. */
#include <stdio.h>

#include "cli/cli.h"

int vg_cli_logscan(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vigil logscan: not built yet\n");
	return 2;
}
