/* cli-analyze.c — `vigil analyze`: pcap/pcapng files or a live interface through the
 * packet path (src/nids), events written as EVE or ECS JSON lines, and on a terminal a
 * progress line and a summary of what was found (alerts by kind, top sources, counters).
 *
 * Files are read in the order given as one capture: flows and episodes continue across
 * files whose packets go on in time (rotated captures). A file that starts before the
 * previous one ended cannot continue it, so it starts a new timeline (flows flushed,
 * episodes closed); --separate does that for every file (a set of unrelated captures).
 * A missing or damaged file is reported, its good packets are kept, and the run goes on;
 * the exit status says so (1). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/capture.h"
#include "cli/cli-out.h"
#include "cli/cli-reader.h"
#include "cli/cli.h"
#include "core/core-config.h"
#include "core/core-error.h"
#include "core/core-priv.h"
#include "core/core-str.h"
#include "core/core-tenant.h"
#include "detect/detect-rule.h"
#include "detect/detect-sig.h"
#include "flow/flow-config.h"
#include "nids/nids.h"

#define SUMMARY_MAX_ALERTS 40   /* alerts listed one by one in the summary */
#define SUMMARY_MAX_SOURCES 256 /* distinct alert sources counted for "top sources" */
#define SUMMARY_TOP 5

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* SIGHUP: re-read the IoC lists between two packets (flows and detectors are kept). */
static volatile sig_atomic_t reload_requested;

static void on_hup(int sig)
{
	(void)sig;
	reload_requested = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vigil analyze [OPTIONS] FILE...\n"
		"       vigil analyze [OPTIONS] -i INTERFACE\n"
		"\n"
		"Inspect pcap/pcapng files (in the order given) or a live interface: decode\n"
		"(VLAN, QinQ, VXLAN, Geneve, GRE/ERSPAN, MPLS, PPPoE, IPv4/IPv6 fragments), track\n"
		"flows, reassemble TCP, parse HTTP/1+2/DNS/TLS/SSH, detect port scans, sweeps and\n"
		"floods, attribute everything to tenants, and write events as JSON lines.\n"
		"\n"
		"options:\n"
		"  -o, --output FILE     write events to FILE (default: standard output; '-' too)\n"
		"  --format F            eve (default: Suricata EVE) or ecs (Elastic Common Schema)\n"
		"  --tenants FILE        tenants file (networks per tenant, optionally per VNI/VLAN);\n"
		"                        overrides tenants-file in the config\n"
		"  -c, --config FILE     YAML configuration (see vigil(1), docs/configuration.md)\n"
		"  --rules FILE          Suricata-syntax rule file to match (repeatable; adds to\n"
		"                        rules.files of the config); bad rules are skipped and\n"
		"                        counted ('vigil rules check FILE' lists why)\n"
		"  --types LIST          event types to write besides alerts, comma-separated:\n"
		"                        flow, anomaly, app (http, dns, tls, ssh), stats, all\n"
		"                        (default: all, or outputs.types of the config)\n"
		"  --separate            analyse every file on its own timeline (flows and\n"
		"                        episodes do not continue from one file to the next)\n"
		"  -i, --interface IF    capture live from IF (immediate mode) instead of files\n"
		"  --bpf EXPR            BPF filter for the interface or the files\n"
		"  --user USER           drop privileges to USER once the capture is open\n"
		"                        (required when running as root with -i)\n"
		"  --duration SECONDS    live: stop after this long (default: until SIGINT/SIGTERM)\n"
		"  --threads N           files: 2 (the default when 2 or more CPUs are online) reads\n"
		"                        and decodes on a second thread; 1 does all on one thread.\n"
		"                        The events are the same either way\n"
		"  --summary             print the summary even when stderr is not a terminal\n"
		"  --no-summary          never print it\n"
		"  --no-progress         no progress line on a terminal\n"
		"  -h, --help            this text\n"
		"\n"
		"Exit status: 0 all input read; 1 an input file was missing or damaged (the rest\n"
		"was analysed); 2 usage, configuration or output error.\n");
}

/* ---- summary ------------------------------------------------------------------ */

struct sum_alert {
	int64_t ts_us;
	uint64_t episode_id;
	char line[256];
};

struct sum_src {
	struct vg_addr a;
	uint64_t n;
};

struct summary {
	uint64_t alerts, by_det[8], episodes, flows, anomalies, app, other;
	struct sum_alert list[SUMMARY_MAX_ALERTS];
	uint32_t n_list;
	struct sum_src src[SUMMARY_MAX_SOURCES];
	uint32_t n_src;
	uint64_t src_overflow;
};

static void sum_source(struct summary *s, const struct vg_addr *a)
{
	if (a->family == VG_AF_NONE)
		return;
	for (uint32_t i = 0; i < s->n_src; i++)
		if (vg_addr_eq(&s->src[i].a, a)) {
			s->src[i].n++;
			return;
		}
	if (s->n_src == SUMMARY_MAX_SOURCES) {
		s->src_overflow++;
		return;
	}
	s->src[s->n_src].a = *a;
	s->src[s->n_src++].n = 1;
}

/* An alert's line; an episode's end rewrites the line of its alert with the final
 * counts (the alert itself was raised early, with the counts of that moment). */
static void sum_alert_line(struct summary *s, const struct vg_event *ev)
{
	struct sum_alert *a = NULL;
	int64_t ts = ev->ts_us;
	if (ev->type == VG_EVT_EPISODE) {
		for (uint32_t i = 0; i < s->n_list && !a; i++)
			if (ev->episode_id && s->list[i].episode_id == ev->episode_id)
				a = &s->list[i];
		if (!a)
			return;
		ts = a->ts_us;
	} else if (s->n_list == SUMMARY_MAX_ALERTS) {
		return;
	} else {
		a = &s->list[s->n_list++];
	}
	char sa[VG_ADDR_STRLEN] = "-", da[VG_ADDR_STRLEN] = "-", detail[96] = "";
	if (ev->src.family != VG_AF_NONE)
		vg_addr_format(&ev->src, sa);
	if (ev->dst.family != VG_AF_NONE)
		vg_addr_format(&ev->dst, da);
	if (ev->rule.detector == VG_DET_SCAN)
		snprintf(detail, sizeof(detail), " (%" PRIu32 " ports, %" PRIu32 " hosts)", ev->u.scan.ports,
			 ev->u.scan.hosts);
	else if (ev->rule.detector == VG_DET_FLOOD)
		snprintf(detail, sizeof(detail), " (peak %" PRIu64 " pkt/s, ~%" PRIu64 " sources)",
			 ev->u.flood.peak_pps, ev->u.flood.sources_est);
	char dst[VG_ADDR_STRLEN + 8];
	if (ev->dport)
		snprintf(dst, sizeof(dst), "%s:%u", da, ev->dport);
	else
		snprintf(dst, sizeof(dst), "%s", da);
	time_t t = (time_t)(ts / 1000000);
	struct tm tm;
	char when[32] = "";
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	a->ts_us = ts;
	a->episode_id = ev->episode_id;
	snprintf(a->line, sizeof(a->line), "%s  %-10s %s  %s -> %s%s", when,
		 ev->tenant ? ev->tenant : "(provider)", ev->rule.signature ? ev->rule.signature : "?", sa,
		 dst, detail);
}

struct sink_ctx {
	struct vg_cli_out *out;
	struct summary *sum;
};

static int analyze_emit(void *ctx, const struct vg_event *ev)
{
	struct sink_ctx *c = ctx;
	struct summary *s = c->sum;
	switch (ev->type) {
	case VG_EVT_ALERT:
		s->alerts++;
		s->by_det[(unsigned)ev->rule.detector & 7]++;
		sum_source(s, &ev->src);
		sum_alert_line(s, ev);
		break;
	case VG_EVT_EPISODE:
		s->episodes++;
		sum_alert_line(s, ev);
		break;
	case VG_EVT_FLOW: s->flows++; break;
	case VG_EVT_ANOMALY: s->anomalies++; break;
	case VG_EVT_HTTP:
	case VG_EVT_DNS:
	case VG_EVT_TLS:
	case VG_EVT_SSH: s->app++; break;
	default: s->other++; break;
	}
	return vg_cli_out_emit(c->out, ev);
}

static int cmp_src(const void *a, const void *b)
{
	const struct sum_src *x = a, *y = b;
	return x->n < y->n ? 1 : x->n > y->n ? -1 : vg_addr_cmp(&x->a, &y->a);
}

static void print_summary(FILE *f, struct summary *s, const struct vg_nids_stats *st, size_t files,
			  size_t files_failed, double secs, const char *outname, const struct vg_cli_out *o,
			  const struct vg_capture_stats *cs, bool live)
{
	fprintf(f, "\nvigil analyze: %zu input%s%s, %" PRIu64 " packets (%.1f MB) in %.2f s\n", files,
		files == 1 ? "" : "s", files_failed ? " (some failed, see above)" : "", st->packets,
		(double)st->bytes / 1e6, secs);
	static const char *const det_names[8] = { "other", "scan", "flood", "signature",
						  "ioc", "anomaly", "correlation", "other" };
	fprintf(f, "alerts: %" PRIu64, s->alerts);
	const char *sep = " (";
	for (unsigned i = 0; i < 8; i++)
		if (s->by_det[i]) {
			fprintf(f, "%s%s %" PRIu64, sep, det_names[i], s->by_det[i]);
			sep = ", ";
		}
	fprintf(f, "%s\n", s->alerts ? ")" : "");
	for (uint32_t i = 0; i < s->n_list; i++)
		fprintf(f, "  %s\n", s->list[i].line);
	if (s->alerts > s->n_list)
		fprintf(f, "  ... and %" PRIu64 " more\n", s->alerts - s->n_list);
	if (s->n_src) {
		qsort(s->src, s->n_src, sizeof(s->src[0]), cmp_src);
		fprintf(f, "top sources:");
		for (uint32_t i = 0; i < s->n_src && i < SUMMARY_TOP; i++) {
			char a[VG_ADDR_STRLEN];
			fprintf(f, "%s %s (%" PRIu64 ")", i ? "," : "", vg_addr_format(&s->src[i].a, a),
				s->src[i].n);
		}
		fprintf(f, "\n");
	}
	fprintf(f,
		"counters: %" PRIu64 " flows, %" PRIu64 " app events, %" PRIu64 " anomalies (%" PRIu64
		" reported, %" PRIu64 " rate-limited), %" PRIu64 " without an IP layer, %" PRIu64 " fragments (%" PRIu64
		" reassembled), %" PRIu64 " refused by the flow table, %" PRIu64 " packets of tenants\n",
		s->flows, st->app_events, st->anomalies, st->anomaly_events, st->anomaly_suppressed, st->invalid,
		st->fragments, st->reassembled, st->flow_refused, st->tenant_packets);
	if (live)
		fprintf(f, "capture: %" PRIu64 " received by the kernel, %" PRIu64 " dropped (buffer), %" PRIu64
			" dropped by the interface\n", cs->received, cs->dropped, cs->if_dropped);
	fprintf(f, "events: %" PRIu64 " written to %s", o->written, outname);
	if (o->write_errors)
		fprintf(f, ", %" PRIu64 " FAILED", o->write_errors);
	fprintf(f, "\n");
}

/* ---- progress ----------------------------------------------------------------- */

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(FILE *f, const struct vg_nids *n, size_t file_index, size_t nfiles,
		     double t0)
{
	struct vg_nids_stats st;
	vg_nids_get_stats(n, &st);
	double el = mono_s() - t0;
	fprintf(f, "\r  %" PRIu64 " packets, %.1f MB, %.0f pkt/s, file %zu/%zu   ", st.packets,
		(double)st.bytes / 1e6, el > 0 ? (double)st.packets / el : 0.0,
		file_index + 1, nfiles);
	fflush(f);
}

/* ---- configuration ------------------------------------------------------------ */

static int load_config(const char *path, const char *tenants_path, struct vg_config **cfg,
		       struct vg_nids_config *nc, struct vg_tenants **tenants)
{
	struct vg_config_err err = { 0 };
	if (path) {
		if (vg_config_load(path, cfg, &err) != VG_OK) {
			fprintf(stderr, "vigil analyze: %s\n", err.msg);
			return 2;
		}
		/* Known keys: the packet path's, the tenants, and the sections other subcommands
		 * and later stages read from the same file. */
		static const char *const others[] = {
			"tenants-file", "tenants.*", "vars.*", "rules.*", "ioc.*", "detect.nba.*",
			"logs.*", "correlate.*", NULL,
		};
		size_t nk = 0;
		for (const char *const *k = vg_nids_config_keys; *k; k++)
			nk++;
		for (const char *const *k = vg_flow_config_keys; *k; k++)
			nk++;
		nk += sizeof(others) / sizeof(others[0]);
		const char **known = calloc(nk, sizeof(*known));
		if (!known)
			return 2;
		size_t i = 0;
		for (const char *const *k = vg_nids_config_keys; *k; k++)
			known[i++] = *k;
		for (const char *const *k = vg_flow_config_keys; *k; k++)
			known[i++] = *k;
		for (const char *const *k = others; *k; k++)
			known[i++] = *k;
		known[i] = NULL;
		struct vg_buf report;
		vg_buf_init(&report, 1u << 16);
		int bad = vg_config_check_known(*cfg, known, &report, NULL);
		free(known);
		if (bad > 0) {
			fprintf(stderr, "vigil analyze: %s", vg_buf_cstr(&report));
			vg_buf_free(&report);
			return 2;
		}
		vg_buf_free(&report);
	}
	if (vg_nids_config_load(vg_config_root(*cfg), nc, &err) != VG_OK) {
		fprintf(stderr, "vigil analyze: %s\n", err.msg);
		return 2;
	}
	const char *tf = tenants_path;
	if (!tf && vg_config_str(*cfg, "tenants-file", NULL, 4096, &tf, &err) != VG_OK) {
		fprintf(stderr, "vigil analyze: %s\n", err.msg);
		return 2;
	}
	int rc = VG_OK;
	if (tf)
		rc = vg_tenants_load(tf, tenants, &err);
	else if (vg_cfg_get(vg_config_root(*cfg), "tenants"))
		rc = vg_tenants_from_node(vg_cfg_get(vg_config_root(*cfg), "tenants"), tenants, &err);
	if (rc != VG_OK) {
		fprintf(stderr, "vigil analyze: %s\n", err.msg);
		return 2;
	}
	return 0;
}

/* ---- main --------------------------------------------------------------------- */

enum {
	OPT_FORMAT = 256, OPT_RULES, OPT_TENANTS, OPT_TYPES, OPT_SEPARATE, OPT_BPF, OPT_USER, OPT_DURATION,
	OPT_SUMMARY, OPT_NOSUMMARY, OPT_NOPROGRESS, OPT_THREADS,
};

static int parse_types(const char *s, unsigned *out)
{
	*out = 0;
	while (*s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		char name[16];
		if (len == 0 || len >= sizeof(name))
			return VG_EINVAL;
		memcpy(name, s, len);
		name[len] = '\0';
		unsigned bit = vg_nids_output_type(name);
		if (!bit)
			return VG_EINVAL;
		*out |= bit;
		s += len + (e ? 1 : 0);
	}
	return 0;
}

/* Rule files from --rules and the config's rules.files (a list): loaded, bad rules
 * counted on stderr, then compiled into the signature engine. No files: no engine. */
/* Reads the IoC lists of the config (ioc.lists) into a new set (*out; NULL when none are
 * configured): bad lines are reported, not fatal; a list that cannot be read is. */
static int read_ioc(const struct vg_config *cfg, struct vg_ioc_set **out)
{
	*out = NULL;
	if (!vg_cfg_get(vg_config_root(cfg), "ioc.lists"))
		return 0;
	struct vg_config_err err = { 0 };
	struct vg_buf rep;
	vg_buf_init(&rep, 1 << 20);
	int rc = vg_ioc_load_config(vg_config_root(cfg), &rep, out, &err);
	if (rep.len)
		fprintf(stderr, "%s", vg_buf_cstr(&rep));
	vg_buf_free(&rep);
	if (rc != VG_OK) {
		fprintf(stderr, "vigil analyze: IoC lists not loaded: %s\n",
			err.msg[0] ? err.msg : vg_strerror(rc));
		return -1;
	}
	return 0;
}

static int load_ioc(const struct vg_config *cfg, struct vg_ioc_ref *ref)
{
	struct vg_ioc_set *s = NULL;
	if (read_ioc(cfg, &s) != 0)
		return -1;
	if (s)
		vg_ioc_set_free(vg_ioc_publish(ref, s));
	return 0;
}

/* A reload read while capturing live takes effect from the packets captured after the
 * signal (kernel timestamps), not from the next packet processed: packets still queued in
 * the capture ring were sent before the reload and keep the lists they were sent under. */
struct ioc_reload {
	struct vg_ioc_set *set; /* owned until published */
	int64_t from_us;        /* packet time from which it applies */
};

static void ioc_reload_publish(struct ioc_reload *rl, struct vg_ioc_ref *ref)
{
	if (!rl->set)
		return;
	struct vg_ioc_set *s = rl->set;
	rl->set = NULL;
	vg_ioc_set_free(vg_ioc_publish(ref, s));
	fprintf(stderr, "vigil analyze: IoC lists reloaded (generation %" PRIu64 ")\n",
		vg_ioc_generation(vg_ioc_current(ref)));
}

/* SIGHUP: read the lists again. Files: they apply from the next packet processed (there is
 * no link between packet time and the signal); live: from the packets captured after now. */
static void ioc_reload_read(const struct vg_config *cfg, struct ioc_reload *rl,
			    struct vg_ioc_ref *ref, bool live)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct vg_ioc_set *s = NULL;
	if (read_ioc(cfg, &s) != 0 || !s) {
		fprintf(stderr, "vigil analyze: IoC reload failed: generation %" PRIu64 " kept\n",
			vg_ioc_generation(vg_ioc_current(ref)));
		return;
	}
	vg_ioc_set_free(rl->set); /* a newer signal supersedes it */
	rl->set = s;
	rl->from_us = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
	if (!live)
		ioc_reload_publish(rl, ref);
}

static int load_signatures(const struct vg_config *cfg, const char **paths, size_t *n,
			   struct vg_ruleset **rs, struct vg_sig_engine **eng)
{
	struct vg_config_err err = { 0 };
	size_t nc = 0;
	if (vg_cfg_seq_len(vg_config_root(cfg), "rules.files", &nc, &err) != VG_OK) {
		fprintf(stderr, "vigil analyze: %s\n", err.msg);
		return -1;
	}
	for (size_t i = 0; i < nc && i < VG_MAX_RULE_FILES; i++) {
		const char *p = NULL;
		if (vg_cfg_seq_str(vg_config_root(cfg), "rules.files", i, &p, &err) != VG_OK) {
			fprintf(stderr, "vigil analyze: %s\n", err.msg);
			return -1;
		}
		paths[(*n)++] = p;
	}
	if (*n == 0)
		return 0;
	char msg[512] = "";
	int rc = vg_ruleset_load_files(paths, *n, cfg, rs, msg, sizeof(msg));
	if (rc != VG_OK) {
		fprintf(stderr, "vigil analyze: rules: %s\n", msg[0] ? msg : vg_strerror(rc));
		return -1;
	}
	size_t skipped = vg_ruleset_skipped_count(*rs);
	if (skipped)
		fprintf(stderr, "vigil analyze: rules: %zu loaded, %zu skipped ('vigil rules check' "
			"names them)\n", vg_ruleset_count(*rs), skipped);
	rc = vg_sig_engine_new(*rs, eng);
	if (rc != VG_OK) {
		fprintf(stderr, "vigil analyze: rules: cannot build the signature engine: %s\n",
			vg_strerror(rc));
		return -1;
	}
	return 0;
}

/* ---- the reading loops ---------------------------------------------------------- */

/* Files, in batches of decoded frames (cli-reader.h: read on a thread of their own or on
 * this one). Between batches: a file that starts before the previous one ended starts a
 * new timeline (always with --separate), SIGHUP reloads the IoC lists, progress,
 * --duration. Batches carry each frame's file, so a timeline starts at the exact frame.
 * Returns the number of files that failed. */
static size_t analyze_files(struct vg_reader *rd, struct vg_nids *nids,
			       const struct vg_config *cfg, struct ioc_reload *reload,
			       struct vg_ioc_ref *iocref, size_t nfiles, bool separate, bool prog,
			       uint64_t duration_s, double t0)
{
	size_t files_failed = 0, cur_file = SIZE_MAX;
	int64_t prev_last_ts = INT64_MIN;
	uint64_t n_read = 0;
	double next_prog = t0 + 0.5;
	for (;;) {
		if (stop_requested)
			break;
		if (reload_requested) {
			reload_requested = 0;
			ioc_reload_read(cfg, reload, iocref, false);
		}
		struct vg_reader_batch *b = vg_reader_next(rd);
		for (unsigned i = 0; i < b->n;) {
			unsigned j = i + 1;
			while (j < b->n && b->file[j] == b->file[i])
				j++;
			if (b->file[i] != cur_file) {
				cur_file = b->file[i];
				/* a file that starts before the last one ended is a new timeline */
				if (n_read > 0 && (separate || b->dec[i].pkt.ts_us < prev_last_ts))
					vg_nids_restart(nids);
			}
			(void)vg_nids_packets_decoded(nids, &b->dec[i], j - i);
			for (unsigned k = i; k < j; k++)
				if (b->dec[k].pkt.ts_us > prev_last_ts)
					prev_last_ts = b->dec[k].pkt.ts_us;
			n_read += j - i;
			i = j;
		}
		if (b->has_error) {
			if (prog)
				fputc('\n', stderr);
			fprintf(stderr, "vigil analyze: %s\n", b->error);
			files_failed++;
		}
		bool end = b->end;
		vg_reader_release(rd, b);
		if (end)
			break;
		if (prog || duration_s) {
			double now = mono_s();
			if (prog && now >= next_prog) {
				progress(stderr, nids, cur_file == SIZE_MAX ? 0 : cur_file, nfiles, t0);
				next_prog = now + 0.5;
			}
			if (duration_s && now - t0 >= (double)duration_s)
				break;
		}
	}
	return files_failed;
}

/* Live: each frame processed as it arrives (no batching, no added latency). A reload
 * applies from the first packet captured after the signal; when the capture is quiet the
 * timers go on with the wall clock. Returns 1 when the capture failed, else 0. */
static size_t analyze_live(struct vg_capture *cap, struct vg_nids *nids,
			   const struct vg_config *cfg, struct ioc_reload *reload,
			   struct vg_ioc_ref *iocref, bool prog, uint64_t duration_s, double t0)
{
	double next_prog = t0 + 0.5;
	uint64_t n_read = 0;
	for (;;) {
		if (stop_requested)
			break;
		if (reload_requested) {
			reload_requested = 0;
			ioc_reload_read(cfg, reload, iocref, true);
		}
		int64_t ts = 0;
		const uint8_t *data = NULL;
		uint32_t caplen = 0, wirelen = 0;
		int r = vg_capture_next(cap, &ts, &data, &caplen, &wirelen);
		if (r < 0) {
			if (prog)
				fputc('\n', stderr);
			fprintf(stderr, "vigil analyze: %s\n", vg_capture_error(cap));
			return 1;
		}
		if (r == 0) {
			/* quiet: the ring is drained, so a pending reload applies now; time goes
			 * on for the timers */
			ioc_reload_publish(reload, iocref);
			struct timespec now;
			clock_gettime(CLOCK_REALTIME, &now);
			vg_nids_idle(nids, (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000);
		} else {
			if (reload->set && ts >= reload->from_us)
				ioc_reload_publish(reload, iocref);
			vg_nids_packet(nids, vg_capture_linktype(cap), data, caplen, wirelen, ts);
			n_read++;
		}
		if ((prog || duration_s) && (r == 0 || (n_read & 1023) == 0)) {
			double now = mono_s();
			if (prog && now >= next_prog) {
				progress(stderr, nids, 0, 1, t0);
				next_prog = now + 0.5;
			}
			if (duration_s && now - t0 >= (double)duration_s)
				break;
		}
	}
	return 0;
}

int vg_cli_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "tenants", required_argument, NULL, OPT_TENANTS },
		{ "rules", required_argument, NULL, OPT_RULES },
		{ "config", required_argument, NULL, 'c' },
		{ "types", required_argument, NULL, OPT_TYPES },
		{ "separate", no_argument, NULL, OPT_SEPARATE },
		{ "interface", required_argument, NULL, 'i' },
		{ "bpf", required_argument, NULL, OPT_BPF },
		{ "user", required_argument, NULL, OPT_USER },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "no-summary", no_argument, NULL, OPT_NOSUMMARY },
		{ "no-progress", no_argument, NULL, OPT_NOPROGRESS },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *outpath = NULL, *tenants_path = NULL, *cfg_path = NULL, *iface = NULL;
	const char *bpf = NULL, *user = NULL, *types = NULL;
	bool ecs = false, separate = false, show_progress = true;
	int summary = -1;
	uint64_t duration_s = 0;
	uint64_t threads = 0; /* 0: by the CPUs online */
	int c;
	/* --rules files, then the config's rules.files: at most argc + VG_MAX_RULE_FILES */
	const char **rule_paths = calloc((size_t)argc + VG_MAX_RULE_FILES + 1, sizeof(*rule_paths));
	size_t n_rules = 0;
	struct vg_ruleset *ruleset = NULL;
	struct vg_sig_engine *sig = NULL;
	struct vg_ioc_ref iocref;
	memset(&iocref, 0, sizeof(iocref));
	struct ioc_reload reload = { 0 };
	if (!rule_paths)
		return 2;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:c:i:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': outpath = optarg; break;
		case 'c': cfg_path = optarg; break;
		case 'i': iface = optarg; break;
		case OPT_TENANTS: tenants_path = optarg; break;
		case OPT_RULES: rule_paths[n_rules++] = optarg; break;
		case OPT_TYPES: types = optarg; break;
		case OPT_SEPARATE: separate = true; break;
		case OPT_BPF: bpf = optarg; break;
		case OPT_USER: user = optarg; break;
		case OPT_SUMMARY: summary = 1; break;
		case OPT_NOSUMMARY: summary = 0; break;
		case OPT_NOPROGRESS: show_progress = false; break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "ecs"))
				ecs = true;
			else if (strcmp(optarg, "eve") != 0) {
				fprintf(stderr, "vigil analyze: --format: expected eve or ecs, got '%s'\n", optarg);
				free(rule_paths);
				return 2;
			}
			break;
		case OPT_DURATION:
			if (vg_parse_u64(optarg, strlen(optarg), 86400ull * 365, &duration_s) != VG_OK ||
			    duration_s == 0) {
				fprintf(stderr, "vigil analyze: --duration: expected seconds > 0, got '%s'\n",
					optarg);
				free(rule_paths);
				return 2;
			}
			break;
		case OPT_THREADS:
			if (vg_parse_u64(optarg, strlen(optarg), 2, &threads) != VG_OK || threads == 0) {
				fprintf(stderr, "vigil analyze: --threads: expected 1 or 2, got '%s'\n", optarg);
				free(rule_paths);
				return 2;
			}
			break;
		case 'h': usage(stdout); free(rule_paths); return 0;
		default: usage(stderr); free(rule_paths); return 2;
		}
	}
	size_t nfiles = (size_t)(argc - optind);
	if ((nfiles == 0) == (iface == NULL)) {
		fprintf(stderr, "vigil analyze: give capture files or -i INTERFACE (not both)\n");
		usage(stderr);
		free(rule_paths);
		return 2;
	}

	int ret = 2;
	struct vg_config *cfg = NULL;
	struct vg_tenants *tenants = NULL;
	struct vg_nids *nids = NULL;
	struct vg_capture *cap = NULL;
	struct summary *sum = calloc(1, sizeof(*sum));
	struct vg_cli_out out;
	vg_cli_out_init(&out, stdout, ecs);
	FILE *of = NULL;
	struct vg_nids_config nc;
	char errbuf[VG_CAPTURE_ERRLEN] = "";
	if (!sum)
		goto done;
	if (load_config(cfg_path, tenants_path, &cfg, &nc, &tenants) != 0)
		goto done;
	if (types && parse_types(types, &nc.outputs) != VG_OK) {
		fprintf(stderr, "vigil analyze: --types: unknown type in '%s' (flow, anomaly, app, stats, all)\n",
			types);
		goto done;
	}

	/* Capture and output first (they may need privileges), then drop them, then read
	 * packets. */
	if (outpath && strcmp(outpath, "-") != 0) {
		of = fopen(outpath, "w");
		if (!of) {
			fprintf(stderr, "vigil analyze: %s: %s\n", outpath, strerror(errno));
			goto done;
		}
		out.f = of;
	}
	if (iface) {
		/* The ring is cut into snaplen-sized frames: with libpcap's 2 MB default and a
		 * 256 KiB snaplen only a few packets fit and a burst is dropped by the kernel.
		 * 64 KiB covers every MTU (loopback's too); 64 MiB holds a second of 500 Mbit/s. */
		struct vg_capture_live_opts lo = { .iface = iface, .promisc = true, .bpf = bpf,
						   .timeout_ms = 200, .snaplen = 65535,
						   .buffer_bytes = 64u << 20 };
		if (vg_capture_open_live(&lo, &cap, errbuf) != VG_OK) {
			fprintf(stderr, "vigil analyze: %s\n", errbuf);
			goto done;
		}
		if (user || geteuid() != 0) {
			char why[256] = "";
			if (vg_priv_drop(user, why, sizeof(why)) != VG_OK) {
				fprintf(stderr, "vigil analyze: cannot drop privileges: %s\n", why);
				goto done;
			}
		} else {
			fprintf(stderr, "vigil analyze: refusing to read live traffic as root: give --user\n");
			goto done;
		}
	} else {
		if (user) {
			char why[256] = "";
			if (vg_priv_drop(user, why, sizeof(why)) != VG_OK) {
				fprintf(stderr, "vigil analyze: cannot drop privileges: %s\n", why);
				goto done;
			}
		}
		if (vg_capture_open_files((const char *const *)(argv + optind), nfiles, &cap, errbuf) != VG_OK) {
			fprintf(stderr, "vigil analyze: %s\n", errbuf);
			goto done;
		}
		if (bpf && vg_capture_set_filter(cap, bpf) != VG_OK) {
			fprintf(stderr, "vigil analyze: --bpf: %s\n", vg_capture_error(cap));
			goto done;
		}
	}
	struct sink_ctx sc = { &out, sum };
	struct vg_event_sink sink = { analyze_emit, &sc };
	int rc = vg_nids_new(&nc, tenants, &sink, &nids);
	if (rc != VG_OK) {
		fprintf(stderr, "vigil analyze: cannot set up the packet path: %s\n", vg_strerror(rc));
		goto done;
	}
	if (load_signatures(cfg, rule_paths, &n_rules, &ruleset, &sig) != 0)
		goto done;
	if (sig && (rc = vg_nids_set_signatures(nids, sig)) != VG_OK) {
		fprintf(stderr, "vigil analyze: cannot attach the signatures: %s\n", vg_strerror(rc));
		goto done;
	}
	if (load_ioc(cfg, &iocref) != 0)
		goto done;
	vg_nids_set_ioc(nids, &iocref);

	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (vg_cfg_get(vg_config_root(cfg), "ioc.lists")) {
		struct sigaction sh = { 0 };
		sh.sa_handler = on_hup;
		sh.sa_flags = SA_RESTART;
		sigaction(SIGHUP, &sh, NULL);
	}
	/* Live: say when packets are being read and the signal handlers are in place, so an
	 * operator (or a test) knows traffic from now on is seen and SIGHUP is safe to send. */
	if (iface)
		fprintf(stderr, "vigil analyze: capturing on %s\n", iface);

	bool tty = isatty(STDERR_FILENO);
	bool prog = show_progress && tty;
	double t0 = mono_s();
	size_t files_failed = 0;
	if (iface) {
		files_failed = analyze_live(cap, nids, cfg, &reload, &iocref, prog, duration_s, t0);
	} else {
		bool threaded = threads == 2 || (threads == 0 && sysconf(_SC_NPROCESSORS_ONLN) > 1);
		struct vg_reader *reader = NULL;
		rc = vg_reader_start(cap, nids, threaded, &reader);
		if (rc != VG_OK && threaded) {
			fprintf(stderr, "vigil analyze: no reader thread (%s): reading on one thread\n",
				vg_strerror(rc));
			rc = vg_reader_start(cap, nids, false, &reader);
		}
		if (rc != VG_OK) {
			fprintf(stderr, "vigil analyze: cannot read the files: %s\n", vg_strerror(rc));
			goto done;
		}
		files_failed = analyze_files(reader, nids, cfg, &reload, &iocref, nfiles, separate,
					     prog, duration_s, t0);
		vg_reader_stop(reader);
	}
	if (prog)
		fprintf(stderr, "\r%60s\r", "");
	vg_nids_finish(nids);
	if (fflush(out.f) != 0 || out.write_errors) {
		fprintf(stderr, "vigil analyze: writing %s failed (%" PRIu64 " events lost)\n",
			outpath ? outpath : "standard output", out.write_errors);
		ret = 2;
	} else {
		ret = files_failed ? 1 : 0;
	}
	if (summary == 1 || (summary == -1 && tty)) {
		struct vg_nids_stats st;
		vg_nids_get_stats(nids, &st);
		struct vg_capture_stats cs = { 0 };
		(void)vg_capture_stats(cap, &cs);
		print_summary(stderr, sum, &st, iface ? 1 : nfiles, files_failed, mono_s() - t0,
			      outpath && strcmp(outpath, "-") ? outpath : "standard output", &out, &cs,
			      iface != NULL);
	}
done:
	vg_nids_free(nids);
	vg_ioc_set_free(reload.set);
	vg_ioc_set_free(vg_ioc_publish(&iocref, NULL));
	vg_sig_engine_free(sig);
	vg_ruleset_free(ruleset);
	free(rule_paths);
	vg_capture_close(cap);
	if (of && fclose(of) != 0 && ret == 0) {
		fprintf(stderr, "vigil analyze: %s: %s\n", outpath, strerror(errno));
		ret = 2;
	}
	vg_cli_out_free(&out);
	vg_tenants_free(tenants);
	vg_config_free(cfg);
	free(sum);
	return ret;
}
