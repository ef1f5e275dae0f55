/* cli-logscan.c — `vigil logscan FILE...`: the log parsers and correlation rules run
 * offline over files (or stdin), alerts (and with --events every normalized event)
 * written as JSON lines, and a summary of what was read and found.
 *
 * Lines are read with a bounded buffer: a line longer than VG_MAX_LINE is cut (the
 * parser marks it truncated and it is counted), the rest of it is skipped, and the next
 * line is read intact. Windows use event time, so the alerts are those the live stream
 * would have raised. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli-out.h"
#include "core/core-ecs.h"
#include "core/core-error.h"
#include "core/core-eve.h"
#include "core/core-mem.h"
#include "core/core-str.h"
#include "core/limits.h"
#include "correlate/correlate.h"
#include "logs/logs-pipeline.h"

#ifndef VG_RULES_DIR
#define VG_RULES_DIR ""
#endif

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vigil logscan [OPTIONS] FILE...\n"
		"\n"
		"Parse log files offline (syslog RFC 3164/5424, sshd, PAM, sudo, Keystone, nginx,\n"
		"Apache), run the Sigma correlation rules and write alerts as JSON lines.\n"
		"FILE '-' reads standard input.\n"
		"\n"
		"options:\n"
		"  --format F          auto (default), syslog, rfc5424, nginx, apache, keystone, cadf\n"
		"  --web-format STR    nginx log_format or Apache LogFormat of access logs\n"
		"  --tz +HH:MM         zone of RFC 3164 timestamps (default UTC)\n"
		"  --year-ref EPOCH    reference time (seconds) for RFC 3164 dates without a year\n"
		"                      (default: each file's modification time)\n"
		"  --rules PATH        Sigma rule file or directory (repeatable); default: the rules\n"
		"                      built into vigil, or $VIGIL_RULES when set\n"
		"  --no-rules          parse only\n"
		"  -o, --output FILE   write JSON lines to FILE (default standard output)\n"
		"  --output-format F   eve (default) or ecs\n"
		"  --events            also write every normalized event (one per input line)\n"
		"  --summary           print the summary even when stderr is not a terminal\n"
		"  --no-summary        never print it\n"
		"  -h, --help          this text\n"
		"\n"
		"exit status: 0 no alert, 1 alerts raised, 2 usage, input or rule errors\n"
		"(a broken rule is reported and skipped; the others still run).\n");
}

static void diag_print(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "vigil logscan: rule error: %s\n", msg);
}

static int parse_tz(const char *s, int *out)
{
	*out = 0;
	int sign = 1;
	if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		s++;
	}
	size_t len = strlen(s);
	uint64_t h = 0, m = 0;
	const char *colon = strchr(s, ':');
	if (colon) {
		if (vg_parse_u64(s, (size_t)(colon - s), 14, &h) || vg_parse_u64(colon + 1, strlen(colon + 1), 59, &m))
			return VG_EINVAL;
	} else if (len == 4) {
		if (vg_parse_u64(s, 2, 14, &h) || vg_parse_u64(s + 2, 2, 59, &m))
			return VG_EINVAL;
	} else if (vg_parse_u64(s, len, 14, &h)) {
		return VG_EINVAL;
	}
	*out = sign * (int)(h * 60 + m);
	return 0;
}

/* Read lines from f with at most VG_MAX_LINE + 1 bytes kept per line: the parser sees
 * len > VG_MAX_LINE for a longer line (cut and flagged), the remainder is skipped. */
static int scan_stream(struct vg_logpipe *p, FILE *f, const char *name, char *buf)
{
	size_t len = 0;
	bool skipping = false;
	int c;
	const size_t keep = VG_MAX_LINE + 1;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		size_t i = 0;
		while (i < n) {
			char *nl = memchr(chunk + i, '\n', n - i);
			size_t seg = nl ? (size_t)(nl - (chunk + i)) : n - i;
			if (nl && len == 0 && !skipping && seg <= keep) {
				/* A whole line inside the chunk: parsed where it is, not copied. */
				vg_logpipe_line(p, chunk + i, seg, name);
				i += seg + 1;
				continue;
			}
			if (!skipping) {
				size_t take = seg;
				if (len + take > keep)
					take = keep - len;
				memcpy(buf + len, chunk + i, take);
				len += take;
				if (take < seg)
					skipping = true;
			}
			i += seg;
			if (nl) {
				vg_logpipe_line(p, buf, len, name);
				len = 0;
				skipping = false;
				i++;
			}
		}
	}
	(void)c;
	if (len > 0 || skipping)
		vg_logpipe_line(p, buf, len, name);
	return ferror(f) ? VG_EIO : 0;
}

static void print_summary(FILE *out, const struct vg_logpipe *p,
			  const struct vg_correlate_ruleset *rs, unsigned files)
{
	const struct vg_logpipe_counters *c = vg_logpipe_counters(p);
	fprintf(out, "vigil logscan: %u file%s, %llu lines read\n", files, files == 1 ? "" : "s",
		(unsigned long long)c->lines);
	fprintf(out, "  parsed:    %llu", (unsigned long long)c->parsed);
	for (unsigned i = 0; i < c->n_parsers; i++)
		fprintf(out, "%s%s %llu", i ? ", " : " (", c->parsers[i].name,
			(unsigned long long)c->parsers[i].n);
	fprintf(out, "%s\n", c->n_parsers ? ")" : "");
	fprintf(out, "  unknown:   %llu\n", (unsigned long long)c->unknown);
	fprintf(out, "  invalid:   %llu\n", (unsigned long long)c->invalid);
	fprintf(out, "  truncated: %llu\n", (unsigned long long)c->truncated);
	const struct vg_correlate_engine *e = vg_logpipe_engine(p);
	if (!e) {
		fprintf(out, "  rules:     none\n");
		return;
	}
	const struct vg_correlate_stats *st = vg_correlate_engine_stats(e);
	fprintf(out, "  rules:     %zu loaded, %u skipped\n", vg_correlate_ruleset_count(rs),
		vg_correlate_ruleset_errors(rs));
	fprintf(out, "  alerts:    %llu\n", (unsigned long long)st->alerts);
	for (size_t i = 0; i < vg_correlate_ruleset_count(rs); i++) {
		uint64_t n = vg_correlate_engine_rule_alerts(e, i);
		if (n)
			fprintf(out, "    %6llu  %s\n", (unsigned long long)n, vg_correlate_rule_title(rs, i));
	}
	if (st->groups_evicted || st->values_dropped || st->nomem)
		fprintf(out, "  state:     %llu groups evicted, %llu values dropped, %llu allocation failures\n",
			(unsigned long long)st->groups_evicted, (unsigned long long)st->values_dropped,
			(unsigned long long)st->nomem);
}

enum { OPT_FORMAT = 256, OPT_WEBFMT, OPT_TZ, OPT_RULES, OPT_NORULES, OPT_OUTFMT, OPT_EVENTS,
       OPT_SUMMARY, OPT_NOSUMMARY, OPT_YEARREF };

int vg_cli_logscan(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "web-format", required_argument, NULL, OPT_WEBFMT },
		{ "tz", required_argument, NULL, OPT_TZ },
		{ "year-ref", required_argument, NULL, OPT_YEARREF },
		{ "rules", required_argument, NULL, OPT_RULES },
		{ "no-rules", no_argument, NULL, OPT_NORULES },
		{ "output", required_argument, NULL, 'o' },
		{ "output-format", required_argument, NULL, OPT_OUTFMT },
		{ "events", no_argument, NULL, OPT_EVENTS },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "no-summary", no_argument, NULL, OPT_NOSUMMARY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vg_log_opts lo;
	vg_logs_opts_init(&lo);
	const char *rules_paths[32];
	unsigned n_rules = 0;
	bool no_rules = false, events = false, ecs = false;
	int summary = -1; /* -1: when stderr is a terminal */
	const char *outpath = NULL;
	bool have_yearref = false;
	int64_t yearref = 0;
	int status = 0;

	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		switch (ch) {
		case OPT_FORMAT:
			if (vg_logs_format_parse(optarg, &lo.format) != 0) {
				fprintf(stderr, "vigil logscan: unknown --format '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_WEBFMT:
			lo.web_format = optarg;
			break;
		case OPT_TZ:
			if (parse_tz(optarg, &lo.tz_offset_min) != 0) {
				fprintf(stderr, "vigil logscan: bad --tz '%s' (+HH:MM)\n", optarg);
				return 2;
			}
			break;
		case OPT_YEARREF: {
			uint64_t v;
			if (vg_parse_u64_cstr(optarg, 253402300799ull, &v) != 0) {
				fprintf(stderr, "vigil logscan: bad --year-ref '%s' (seconds since 1970)\n", optarg);
				return 2;
			}
			yearref = (int64_t)v * 1000000;
			have_yearref = true;
			break;
		}
		case OPT_RULES:
			if (n_rules >= sizeof(rules_paths) / sizeof(rules_paths[0])) {
				fprintf(stderr, "vigil logscan: too many --rules\n");
				return 2;
			}
			rules_paths[n_rules++] = optarg;
			break;
		case OPT_NORULES: no_rules = true; break;
		case 'o': outpath = optarg; break;
		case OPT_OUTFMT:
			if (!strcmp(optarg, "ecs"))
				ecs = true;
			else if (strcmp(optarg, "eve") != 0) {
				fprintf(stderr, "vigil logscan: unknown --output-format '%s' (eve, ecs)\n", optarg);
				return 2;
			}
			break;
		case OPT_EVENTS: events = true; break;
		case OPT_SUMMARY: summary = 1; break;
		case OPT_NOSUMMARY: summary = 0; break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "vigil logscan: bad option '%s'\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "vigil logscan: no input file\n");
		usage(stderr);
		return 2;
	}
	vg_mem_heap_hugepages(); /* the correlation state: core-mem.h */

	struct vg_correlate_ruleset *rs = NULL;
	struct vg_logpipe *pipe = NULL;
	char *linebuf = NULL;
	struct vg_cli_out out;
	vg_cli_out_init(&out, stdout, ecs);

	if (!no_rules) {
		if (vg_correlate_ruleset_new(&rs) != 0) {
			fprintf(stderr, "vigil logscan: out of memory\n");
			status = 2;
			goto done;
		}
		const char *env = getenv("VIGIL_RULES");
		int rc = 0;
		if (n_rules) {
			for (unsigned i = 0; i < n_rules; i++) {
				int r = vg_correlate_ruleset_load_path(rs, rules_paths[i], diag_print, NULL);
				if (r && !rc)
					rc = r;
			}
		} else if (env && *env) {
			rc = vg_correlate_ruleset_load_path(rs, env, diag_print, NULL);
		} else {
			rc = vg_correlate_ruleset_load_embedded(rs, diag_print, NULL);
		}
		int frc = vg_correlate_ruleset_finish(rs, diag_print, NULL);
		if (rc == VG_ENOENT || rc == VG_EIO) {
			status = 2;
			goto done;
		}
		if (rc || frc)
			status = 2; /* reported; the rules that loaded still run */
	}
	if (outpath && strcmp(outpath, "-") != 0) {
		out.f = fopen(outpath, "w");
		if (!out.f) {
			fprintf(stderr, "vigil logscan: %s: %s\n", outpath, strerror(errno));
			out.f = stdout;
			status = 2;
			goto done;
		}
		/* Alerts come in bursts of ~1 KB lines: fewer, larger writes. */
		setvbuf(out.f, NULL, _IOFBF, 1u << 20);
	}
	struct vg_event_sink sink = { vg_cli_out_emit, &out };
	if (vg_logpipe_new(&lo, rs, &sink, events ? &sink : NULL, &pipe) != 0 ||
	    !(linebuf = malloc(VG_MAX_LINE + 2))) {
		fprintf(stderr, "vigil logscan: out of memory\n");
		status = 2;
		goto done;
	}
	unsigned files = 0;
	for (int i = optind; i < argc; i++) {
		const char *path = argv[i];
		bool is_stdin = !strcmp(path, "-");
		FILE *f = is_stdin ? stdin : fopen(path, "rb");
		if (!f) {
			fprintf(stderr, "vigil logscan: %s: %s\n", path, strerror(errno));
			status = 2;
			continue;
		}
		/* RFC 3164 dates have no year: take it from the file's time (or --year-ref). */
		int64_t ref = yearref;
		if (!have_yearref) {
			struct stat st;
			if (!is_stdin && fstat(fileno(f), &st) == 0)
				ref = (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
			else
				ref = (int64_t)time(NULL) * 1000000;
		}
		vg_logpipe_set_now(pipe, ref);
		if (scan_stream(pipe, f, is_stdin ? "<stdin>" : path, linebuf) != 0) {
			fprintf(stderr, "vigil logscan: %s: read error\n", path);
			status = 2;
		}
		if (!is_stdin)
			fclose(f);
		files++;
	}
	vg_logpipe_flush(pipe);
	if (fflush(out.f) != 0 || out.write_errors) {
		fprintf(stderr, "vigil logscan: write error on %s\n", outpath ? outpath : "standard output");
		status = 2;
	}
	if (summary == 1 || (summary == -1 && isatty(STDERR_FILENO)))
		print_summary(stderr, pipe, rs, files);
	if (status == 0 && vg_logpipe_engine(pipe) &&
	    vg_correlate_engine_stats(vg_logpipe_engine(pipe))->alerts > 0)
		status = 1;
done:
	vg_logpipe_free(pipe);
	vg_correlate_ruleset_free(rs);
	free(linebuf);
	vg_cli_out_free(&out);
	if (out.f && out.f != stdout)
		fclose(out.f);
	return status;
}
