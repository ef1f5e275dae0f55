/* cli-rules.c — `vigil rules`. PLACEHOLDER until its subsystem lands: must be replaced. */
#include <stdio.h>

#include "cli/cli.h"

int vg_cli_rules(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vigil rules: not built yet\n");
	return 2;
}
