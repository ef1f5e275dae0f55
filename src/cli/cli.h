/* cli.h — the vigil command and its subcommands. Each subcommand is one file
 * cli-<name>.c exporting vg_cli_<name>(argc, argv) with argv[0] the subcommand name;
 * it returns the process exit status (0 ok, 1 findings/failure, 2 usage or input error). */
#ifndef VG_CLI_H
#define VG_CLI_H

int vg_cli_analyze(int argc, char **argv);
int vg_cli_logscan(int argc, char **argv);
int vg_cli_rules(int argc, char **argv);
int vg_cli_logwatch(int argc, char **argv);

#endif
