/* cli-main.c — `vigil COMMAND ...`: global options and dispatch to subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "vg-config.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "analyze", vg_cli_analyze, "inspect pcap/pcapng files or an interface: scans, floods, flows, anomalies" },
	{ "logscan", vg_cli_logscan, "parse log files offline and run the correlation rules" },
	{ "logwatch", vg_cli_logwatch, "receive syslog (UDP, TCP, TLS) and follow files, with the same parsers and rules" },
	{ "rules", vg_cli_rules, "check Suricata-syntax rule files: what loads and what is skipped, and why" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vigil [--version] [--help] COMMAND [ARGS]\n"
		"\n"
		"vigil watches a multi-tenant cloud: mirrored tenant traffic, host logs and\n"
		"security findings become alerts and incidents per tenant.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'vigil COMMAND --help' describes one command; see also vigil(1).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		if (argc > 2 && strcmp(cmd, "help") == 0) {
			char help[] = "--help";
			char *sub[] = { argv[2], help, NULL };
			for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
				if (!strcmp(argv[2], commands[i].name))
					return commands[i].run(2, sub);
		}
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("vigil %s\n", VG_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "vigil: unknown command '%s'\n\n", cmd);
	usage(stderr);
	return 2;
}
