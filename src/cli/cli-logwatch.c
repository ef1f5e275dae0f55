/* cli-logwatch.c — `vigil logwatch`. PLACEHOLDER until its subsystem lands: must be replaced. */
#include <stdio.h>

#include "cli/cli.h"

int vg_cli_logwatch(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vigil logwatch: not built yet\n");
	return 2;
}
