/* cli-rules.c — `vigil rules check [--json] [--config FILE] FILE...`: load Suricata-syntax
 * rule files with the same parser `vigil analyze` uses and report what loaded, what was
 * skipped and why (grouped by reason, then every skipped rule as file:line: sid N: reason).
 * Skipped rules are not an error: the exit status is 0 whenever the files could be read. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/core-config.h"
#include "core/core-error.h"
#include "core/core-json.h"
#include "core/core-str.h"
#include "detect/detect-rule.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vigil rules check [--json] [--config FILE] RULEFILE...\n"
		"\n"
		"Load Suricata-syntax rule files and report how many rules load, how many are\n"
		"skipped and why (unsupported keyword or protocol, syntax, duplicate sid, ...),\n"
		"then each skipped rule as FILE:LINE: sid N: REASON.\n"
		"\n"
		"options:\n"
		"  --json           print one JSON object: {\"loaded\": N, \"skipped\": M,\n"
		"                   \"reasons\": {REASON: COUNT, ...}, \"skipped_rules\": [...], ...}\n"
		"  --config FILE    vigil YAML config: vars.address-groups / vars.port-groups\n"
		"                   override HOME_NET, HTTP_PORTS, ...; rules.classification-file,\n"
		"                   rules.reference-config-file\n"
		"  -h, --help       this text\n"
		"\n"
		"exit status: 0 the files were read (even with skipped rules), 2 usage error,\n"
		"unreadable file or bad config.\n");
}

static int print_json(const struct vg_ruleset *rs)
{
	struct vg_buf b;
	struct vg_jw w;
	size_t loaded = vg_ruleset_count(rs), skipped = vg_ruleset_skipped_count(rs);
	vg_buf_init(&b, 0);
	vg_jw_init(&w, &b);
	vg_jw_obj_open(&w, NULL);
	vg_jw_u64(&w, "loaded", loaded);
	vg_jw_u64(&w, "skipped", skipped);
	vg_jw_u64(&w, "total", loaded + skipped);
	vg_jw_double(&w, "loaded_percent",
		     loaded + skipped ? 100.0 * (double)loaded / (double)(loaded + skipped) : 100.0);
	vg_jw_u64(&w, "duplicates", vg_ruleset_duplicates(rs));
	vg_jw_obj_open(&w, "reasons");
	for (size_t i = 0; i < vg_ruleset_reason_count(rs); i++) {
		const char *reason;
		size_t count;
		vg_ruleset_reason(rs, i, &reason, &count);
		vg_jw_u64(&w, reason, count);
	}
	vg_jw_obj_close(&w);
	vg_jw_arr_open(&w, "skipped_rules");
	for (size_t i = 0; i < skipped; i++) {
		const struct vg_rule_skipped *s = vg_ruleset_skipped(rs, i);
		vg_jw_obj_open(&w, NULL);
		vg_jw_str(&w, "file", s->file);
		vg_jw_u64(&w, "line", s->line);
		vg_jw_u64(&w, "sid", s->sid);
		vg_jw_str(&w, "reason", s->reason);
		vg_jw_obj_close(&w);
	}
	vg_jw_arr_close(&w);
	vg_jw_obj_close(&w);
	int rc = vg_jw_finish(&w);
	if (rc == 0) {
		fwrite(b.data, 1, b.len, stdout);
		fputc('\n', stdout);
	}
	vg_buf_free(&b);
	return rc;
}

static void print_text(const struct vg_ruleset *rs)
{
	size_t loaded = vg_ruleset_count(rs), skipped = vg_ruleset_skipped_count(rs);
	size_t total = loaded + skipped;
	printf("rules: %zu loaded, %zu skipped of %zu (%.2f%% loaded)\n", loaded, skipped, total,
	       total ? 100.0 * (double)loaded / (double)total : 100.0);
	if (!skipped)
		return;
	printf("\nskipped by reason:\n");
	for (size_t i = 0; i < vg_ruleset_reason_count(rs); i++) {
		const char *reason;
		size_t count;
		vg_ruleset_reason(rs, i, &reason, &count);
		printf("  %6zu  %s\n", count, reason);
	}
	printf("\nskipped rules:\n");
	for (size_t i = 0; i < skipped; i++) {
		const struct vg_rule_skipped *s = vg_ruleset_skipped(rs, i);
		printf("%s:%u: sid %u: %s\n", s->file, s->line, s->sid, s->reason);
	}
}

static int rules_check(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_CONFIG };
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	const char *cfg_path = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (ch) {
		case OPT_JSON: json = true; break;
		case OPT_CONFIG: cfg_path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "vigil rules check: no rule file given\n");
		usage(stderr);
		return 2;
	}
	struct vg_config *cfg = NULL;
	if (cfg_path) {
		struct vg_config_err e;
		if (vg_config_load(cfg_path, &cfg, &e) != 0) {
			fprintf(stderr, "vigil rules check: %s\n", e.msg);
			return 2;
		}
	}
	struct vg_ruleset *rs = NULL;
	char err[512];
	int rc = vg_ruleset_load_files((const char **)(argv + optind), (size_t)(argc - optind), cfg,
				       &rs, err, sizeof(err));
	vg_config_free(cfg);
	if (rc) {
		fprintf(stderr, "vigil rules check: %s\n", err[0] ? err : vg_strerror(rc));
		return 2;
	}
	int status = 0;
	if (json) {
		if (print_json(rs)) {
			fprintf(stderr, "vigil rules check: JSON output failed\n");
			status = 2;
		}
	} else {
		print_text(rs);
	}
	vg_ruleset_free(rs);
	return status;
}

int vg_cli_rules(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "check") == 0)
		return rules_check(argc - 1, argv + 1);
	fprintf(stderr, "vigil rules: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
