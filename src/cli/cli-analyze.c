/* cli-analyze.c — `vigil analyze`. PLACEHOLDER until its subsystem lands: must be replaced. */
#include <stdio.h>

#include "cli/cli.h"

int vg_cli_analyze(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vigil analyze: not built yet\n");
	return 2;
}
