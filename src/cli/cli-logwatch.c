/* cli-logwatch.c — `vigil logwatch`: receive syslog (UDP, TCP, TLS) and follow files, and
 * run every line through the same parsers (and correlation rules) as `vigil logscan`.
 *
 * Two threads: the receiving thread runs the receivers' poll loop (logs-recv.h) and pushes
 * lines into a bounded queue (logs-queue.h); the processing thread pops them and runs the
 * log pipeline (logs-pipeline.h: the parsers and Sigma correlation rules `vigil logscan`
 * uses), which writes alerts (and with --events every normalized event) as JSON lines. UDP lines that do not fit are dropped and counted; TCP, TLS and files
 * are paused instead (backpressure). Counters are printed as one JSON line on stderr
 * ("logwatch: stats {...}") on SIGUSR1 and at exit. SIGINT/SIGTERM stop cleanly: receivers
 * are drained, the queue is processed to its end, alerts are flushed, positions saved. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/core-ecs.h"
#include "core/core-error.h"
#include "core/core-eve.h"
#include "core/core-json.h"
#include "core/core-log.h"
#include "core/core-priv.h"
#include "core/core-str.h"
#include "correlate/correlate.h"
#include "logs/logs-pipeline.h"
#include "logs/logs-queue.h"
#include "logs/logs-recv.h"
#include "logs/logs.h"

static volatile sig_atomic_t g_stop, g_usr1;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		g_usr1 = 1;
	else
		g_stop = 1;
}

/* The processing side: runs in its own thread; the counters it shares are atomics
 * because the receiving thread prints them on SIGUSR1. */
struct proc {
	struct vg_logq *q;
	struct vg_logpipe *pipe;
	FILE *out;
	bool ecs;
	struct vg_buf enc;
	_Atomic uint64_t lines, parsed, unknown, invalid, alerts, events, out_errors;
};

static int write_json(struct proc *p, const struct vg_event *ev)
{
	vg_buf_reset(&p->enc);
	int rc = p->ecs ? vg_ecs_encode(ev, &p->enc) : vg_eve_encode(ev, &p->enc);
	if (rc == VG_OK)
		rc = vg_buf_append(&p->enc, "\n", 1);
	if (rc != VG_OK || fwrite(p->enc.data, 1, p->enc.len, p->out) != p->enc.len) {
		p->out_errors++;
		return rc ? rc : VG_EIO;
	}
	return VG_OK;
}

static int alert_sink(void *ctx, const struct vg_event *ev)
{
	struct proc *p = ctx;
	p->alerts++;
	return write_json(p, ev);
}

static int event_sink(void *ctx, const struct vg_event *ev)
{
	struct proc *p = ctx;
	p->events++;
	return write_json(p, ev);
}

static void *proc_main(void *arg)
{
	struct proc *p = arg;
	struct vg_logq_msg m = { 0 };
	for (;;) {
		int rc = vg_logq_pop(p->q, &m, 200);
		if (rc == VG_ESTATE)
			break;
		if (rc == VG_EAGAIN) {
			fflush(p->out); /* idle: make output visible */
			continue;
		}
		/* RFC 3164 dates have no year: the time of reception decides it */
		vg_logpipe_set_now(p->pipe, m.recv_us);
		size_t len = m.len;
		if ((m.flags & VG_LOGQ_F_TRUNCATED) && len == VG_MAX_LINE)
			len++; /* the byte is the NUL the queue keeps after the line: the pipeline
				* sees a longer line, cuts it back and marks the event truncated */
		(void)vg_logpipe_line(p->pipe, m.line, len, m.source);
		const struct vg_logpipe_counters *c = vg_logpipe_counters(p->pipe);
		p->lines = c->lines;
		p->parsed = c->parsed;
		p->unknown = c->unknown;
		p->invalid = c->invalid;
	}
	/* end of input: the correlation episodes still open are written out */
	vg_logpipe_flush(p->pipe);
	fflush(p->out);
	vg_logq_msg_free(&m);
	return NULL;
}

/* Receiver callback (receiving thread): into the queue, UDP dropping, others waiting. */
static int on_line(void *ctx, const char *line, size_t len, const struct vg_log_source *src)
{
	struct proc *p = ctx;
	unsigned fl = (src->flags & VG_LOG_SRC_F_TRUNCATED) ? VG_LOGQ_F_TRUNCATED : 0;
	return vg_logq_push(p->q, line, len, src->name, src->recv_us, fl,
			    src->transport == VG_LOGT_UDP ? VG_LOGQ_DROP : VG_LOGQ_WAIT);
}

static void print_stats(const struct vg_logrecv *r, struct proc *p, const char *when)
{
	struct vg_logrecv_stats rs;
	struct vg_logq_stats qs;
	vg_logrecv_stats(r, &rs);
	vg_logq_stats(p->q, &qs);
	struct vg_buf b;
	vg_buf_init(&b, 0);
	struct vg_jw w;
	vg_jw_init(&w, &b);
	vg_jw_obj_open(&w, NULL);
	vg_jw_str(&w, "when", when);
	vg_jw_obj_open(&w, "received");
	vg_jw_u64(&w, "messages", rs.messages);
	vg_jw_u64(&w, "bytes", rs.bytes_received);
	vg_jw_u64(&w, "udp_datagrams", rs.udp_datagrams);
	vg_jw_u64(&w, "udp_dropped", rs.udp_dropped);
	vg_jw_u64(&w, "udp_kernel_drops", rs.udp_kernel_drops);
	vg_jw_u64(&w, "conn_accepted", rs.conn_accepted);
	vg_jw_u64(&w, "conn_refused", rs.conn_refused);
	vg_jw_u64(&w, "conn_closed", rs.conn_closed);
	vg_jw_u64(&w, "conn_idle_closed", rs.conn_idle_closed);
	vg_jw_u64(&w, "conn_errors", rs.conn_errors);
	vg_jw_u64(&w, "tls_handshakes", rs.tls_handshakes);
	vg_jw_u64(&w, "tls_handshake_failed", rs.tls_handshake_failed);
	vg_jw_u64(&w, "truncated", rs.truncated);
	vg_jw_u64(&w, "bad_header", rs.bad_header);
	vg_jw_u64(&w, "incomplete", rs.incomplete);
	vg_jw_u64(&w, "skipped_bytes", rs.skipped_bytes);
	vg_jw_u64(&w, "backpressure", rs.backpressure);
	vg_jw_u64(&w, "file_lines", rs.file_lines);
	vg_jw_u64(&w, "file_rotations", rs.file_rotations);
	vg_jw_u64(&w, "file_truncations", rs.file_truncations);
	vg_jw_u64(&w, "file_errors", rs.file_errors);
	vg_jw_obj_close(&w);
	vg_jw_obj_open(&w, "queue");
	vg_jw_u64(&w, "pushed", qs.pushed);
	vg_jw_u64(&w, "popped", qs.popped);
	vg_jw_u64(&w, "dropped", qs.dropped);
	vg_jw_u64(&w, "full", qs.full);
	vg_jw_u64(&w, "truncated", qs.truncated);
	vg_jw_u64(&w, "nomem", qs.nomem);
	vg_jw_u64(&w, "high_water", qs.high_water);
	vg_jw_u64(&w, "items", qs.items);
	vg_jw_obj_close(&w);
	vg_jw_obj_open(&w, "processed");
	vg_jw_u64(&w, "lines", p->lines);
	vg_jw_u64(&w, "parsed", p->parsed);
	vg_jw_u64(&w, "unknown", p->unknown);
	vg_jw_u64(&w, "invalid", p->invalid);
	vg_jw_u64(&w, "alerts", p->alerts);
	vg_jw_u64(&w, "events", p->events);
	vg_jw_u64(&w, "output_errors", p->out_errors);
	vg_jw_obj_close(&w);
	vg_jw_obj_close(&w);
	if (vg_jw_finish(&w) == VG_OK)
		fprintf(stderr, "logwatch: stats %s\n", vg_buf_cstr(&b));
	fflush(stderr);
	vg_buf_free(&b);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vigil logwatch [--listen URL]... [--follow FILE]... [options]\n"
		"\n"
		"Receive syslog over UDP, TCP (RFC 6587 octet counting or LF framing) and TLS\n"
		"(RFC 5425), follow log files (rotation by rename and truncation), and run each\n"
		"line through the log parsers. Listeners bind 127.0.0.1 unless told otherwise;\n"
		"port 0 picks a free port, printed as \"listening on tcp 127.0.0.1:PORT\".\n"
		"\n"
		"  --listen URL          udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT (repeatable)\n"
		"  --tls-cert FILE       PEM certificate for tls:// listeners\n"
		"  --tls-key FILE        PEM private key for tls:// listeners\n"
		"  --follow FILE         follow a file (repeatable)\n"
		"  --state FILE          keep file positions here across restarts\n"
		"  --from-end            files without a saved position start at their end\n"
		"  --rules PATH          Sigma rule file or directory (repeatable); default: the\n"
		"                        rules built into vigil, or $VIGIL_RULES when set\n"
		"  --no-rules            parse only\n"
		"  --format F            log format: auto (default), syslog, rfc5424, nginx, apache,\n"
		"                        keystone, cadf\n"
		"  -o, --output FILE     where alerts go, appended (default: standard output)\n"
		"  --output-format F     eve (default) or ecs\n"
		"  --events              also write every normalized event (one per line received)\n"
		"  --max-messages N      stop after N messages were received\n"
		"  --duration SECONDS    stop after this long\n"
		"  --queue-items N       lines waiting for processing (default %u)\n"
		"  --queue-bytes N       bytes waiting for processing (default %u, k/m/g suffixes)\n"
		"  --max-conns N         TCP+TLS connections at once (default %u)\n"
		"  --idle-timeout S      close silent connections after S seconds (default %u)\n"
		"  --user NAME           after opening listeners, files and output, become NAME\n"
		"                        (needed when started as root; failure is fatal)\n"
		"  -v, --verbose         more diagnostics\n"
		"\n"
		"Counters are printed on stderr on SIGUSR1 and at exit. See vigil-logwatch(1).\n",
		VG_LOGQ_DEFAULT_ITEMS, VG_LOGQ_DEFAULT_BYTES, VG_SYSLOG_MAX_CONNS,
		VG_SYSLOG_IDLE_TIMEOUT_S);
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum {
	OPT_LISTEN = 256, OPT_CERT, OPT_KEY, OPT_FOLLOW, OPT_STATE, OPT_FROM_END, OPT_EVENTS,
	OPT_FORMAT, OPT_MAXMSG, OPT_DURATION, OPT_QITEMS, OPT_QBYTES, OPT_MAXCONNS, OPT_IDLE,
	OPT_RULES, OPT_NORULES, OPT_OUTFMT, OPT_USER,
};

static void diag_print(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "vigil logwatch: rule error: %s\n", msg);
}

int vg_cli_logwatch(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "tls-cert", required_argument, NULL, OPT_CERT },
		{ "tls-key", required_argument, NULL, OPT_KEY },
		{ "follow", required_argument, NULL, OPT_FOLLOW },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "from-end", no_argument, NULL, OPT_FROM_END },
		{ "events", no_argument, NULL, OPT_EVENTS },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "max-messages", required_argument, NULL, OPT_MAXMSG },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "queue-items", required_argument, NULL, OPT_QITEMS },
		{ "queue-bytes", required_argument, NULL, OPT_QBYTES },
		{ "max-conns", required_argument, NULL, OPT_MAXCONNS },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "rules", required_argument, NULL, OPT_RULES },
		{ "no-rules", no_argument, NULL, OPT_NORULES },
		{ "output-format", required_argument, NULL, OPT_OUTFMT },
		{ "user", required_argument, NULL, OPT_USER },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen[VG_SYSLOG_MAX_LISTENERS];
	size_t nlisten = 0;
	const char **follow = calloc((size_t)argc + 1, sizeof(*follow));
	size_t nfollow = 0;
	const char *outpath = NULL;
	const char *user = NULL;
	struct vg_logrecv_opts ro = { 0 };
	struct proc p = { 0 };
	struct vg_log_opts lopts;
	const char *rules_paths[32];
	unsigned n_rules = 0;
	bool no_rules = false, events = false;
	struct vg_correlate_ruleset *rs = NULL;
	uint64_t max_msgs = 0, duration = 0, qitems = 0, qbytes = 0, v;
	int status = 2, rc;
	struct vg_logrecv *r = NULL;
	bool thread_started = false;
	pthread_t th;
	if (!follow)
		return 2;
	vg_buf_init(&p.enc, 0);
	vg_logs_opts_init(&lopts);
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "o:vh", lo, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN:
			if (nlisten >= VG_SYSLOG_MAX_LISTENERS) {
				fprintf(stderr, "vigil logwatch: at most %u --listen\n",
					VG_SYSLOG_MAX_LISTENERS);
				goto out;
			}
			listen[nlisten++] = optarg;
			break;
		case OPT_CERT: ro.tls_cert = optarg; break;
		case OPT_KEY: ro.tls_key = optarg; break;
		case OPT_FOLLOW: follow[nfollow++] = optarg; break;
		case OPT_STATE: ro.state_path = optarg; break;
		case OPT_FROM_END: ro.follow_from_end = true; break;
		case OPT_EVENTS: events = true; break;
		case 'o': outpath = optarg; break;
		case OPT_FORMAT:
			if (vg_logs_format_parse(optarg, &lopts.format) != VG_OK) {
				fprintf(stderr, "vigil logwatch: unknown --format '%s'\n", optarg);
				goto out;
			}
			break;
		case OPT_OUTFMT:
			if (!strcmp(optarg, "ecs"))
				p.ecs = true;
			else if (strcmp(optarg, "eve") != 0) {
				fprintf(stderr, "vigil logwatch: --output-format eve or ecs\n");
				goto out;
			}
			break;
		case OPT_MAXMSG:
		case OPT_DURATION:
		case OPT_QITEMS:
		case OPT_MAXCONNS:
		case OPT_IDLE:
			if (vg_parse_u64_cstr(optarg, UINT32_MAX, &v) != VG_OK) {
				fprintf(stderr, "vigil logwatch: bad number '%s'\n", optarg);
				goto out;
			}
			if (c == OPT_MAXMSG)
				max_msgs = v;
			else if (c == OPT_DURATION)
				duration = v;
			else if (c == OPT_QITEMS)
				qitems = vg_clamp_u64(v, 1, VG_LOGQ_MAX_ITEMS);
			else if (c == OPT_MAXCONNS)
				ro.max_conns = (unsigned)vg_clamp_u64(v, 1, VG_SYSLOG_MAX_CONNS);
			else
				ro.idle_timeout_s = (unsigned)vg_clamp_u64(v, 1, VG_SYSLOG_MAX_IDLE_TIMEOUT_S);
			break;
		case OPT_QBYTES:
			if (vg_parse_size(optarg, strlen(optarg), VG_LOGQ_MAX_BYTES, &qbytes) != VG_OK) {
				fprintf(stderr, "vigil logwatch: bad size '%s'\n", optarg);
				goto out;
			}
			break;
		case OPT_RULES:
			if (n_rules >= sizeof(rules_paths) / sizeof(rules_paths[0])) {
				fprintf(stderr, "vigil logwatch: too many --rules\n");
				goto out;
			}
			rules_paths[n_rules++] = optarg;
			break;
		case OPT_NORULES:
			no_rules = true;
			break;
		case OPT_USER:
			user = optarg;
			break;
		case 'v':
			vg_log_set_level(VG_LOG_DEBUG);
			break;
		case 'h':
			usage(stdout);
			status = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind < argc || (nlisten == 0 && nfollow == 0)) {
		usage(stderr);
		goto out;
	}
	p.out = stdout;
	if (outpath && strcmp(outpath, "-") != 0) {
		p.out = fopen(outpath, "a");
		if (!p.out) {
			fprintf(stderr, "vigil logwatch: %s: %s\n", outpath, strerror(errno));
			goto out;
		}
	}
	if (!no_rules) {
		/* the same rules as logscan: --rules, else $VIGIL_RULES, else the built-in ones */
		if (vg_correlate_ruleset_new(&rs) != VG_OK) {
			fprintf(stderr, "vigil logwatch: out of memory\n");
			goto out;
		}
		const char *env = getenv("VIGIL_RULES");
		rc = VG_OK;
		if (n_rules) {
			for (unsigned i = 0; i < n_rules; i++) {
				int lr = vg_correlate_ruleset_load_path(rs, rules_paths[i], diag_print, NULL);
				if (lr && !rc)
					rc = lr;
			}
		} else if (env && *env) {
			rc = vg_correlate_ruleset_load_path(rs, env, diag_print, NULL);
		} else {
			rc = vg_correlate_ruleset_load_embedded(rs, diag_print, NULL);
		}
		int frc = vg_correlate_ruleset_finish(rs, diag_print, NULL);
		if (rc == VG_ENOENT || rc == VG_EIO)
			goto out;
		(void)frc; /* a broken rule is reported and skipped; the others run */
	}
	struct vg_event_sink asink = { alert_sink, &p }, esink = { event_sink, &p };
	p.q = vg_logq_new((size_t)qitems, (size_t)qbytes, 0);
	if (!p.q || vg_logpipe_new(&lopts, rs, &asink, events ? &esink : NULL, &p.pipe) != VG_OK) {
		fprintf(stderr, "vigil logwatch: out of memory\n");
		goto out;
	}
	r = vg_logrecv_new(&ro, on_line, &p, &rc);
	if (!r) {
		fprintf(stderr, "vigil logwatch: %s\n", vg_strerror(rc));
		goto out;
	}
	for (size_t i = 0; i < nlisten; i++) {
		char bound[128];
		rc = vg_logrecv_listen(r, listen[i], bound, sizeof(bound));
		if (rc != VG_OK) {
			fprintf(stderr, "vigil logwatch: cannot listen on %s: %s%s%s\n", listen[i],
				vg_strerror(rc), rc == VG_EIO ? ": " : "",
				rc == VG_EIO ? strerror(errno) : "");
			goto out;
		}
		fprintf(stderr, "listening on %s\n", bound);
	}
	for (size_t i = 0; i < nfollow; i++) {
		rc = vg_logrecv_follow(r, follow[i]);
		if (rc != VG_OK) {
			fprintf(stderr, "vigil logwatch: cannot follow %s: %s\n", follow[i],
				vg_strerror(rc));
			goto out;
		}
		fprintf(stderr, "following %s\n", follow[i]);
	}
	/* privileged setup done (ports below 1024, root-only files): drop before any
	 * untrusted byte is read (STYLE.md 10) */
	if (user || geteuid() != 0) {
		char why[256];
		if (vg_priv_drop(user, why, sizeof(why)) != VG_OK) {
			fprintf(stderr, "vigil logwatch: cannot drop privileges: %s\n", why);
			goto out;
		}
	} else {
		fprintf(stderr, "vigil logwatch: warning: running as root (use --user)\n");
	}
	fflush(stderr);

	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal; /* no SA_RESTART: poll returns on a signal */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (pthread_create(&th, NULL, proc_main, &p) != 0) {
		fprintf(stderr, "vigil logwatch: cannot start the processing thread\n");
		goto out;
	}
	thread_started = true;
	int64_t t0 = mono_ms(), last_save = t0;
	while (!g_stop) {
		if (vg_logrecv_run_once(r, 200) != VG_OK) {
			fprintf(stderr, "vigil logwatch: poll failed: %s\n", strerror(errno));
			break;
		}
		if (g_usr1) {
			g_usr1 = 0;
			print_stats(r, &p, "signal");
		}
		int64_t now = mono_ms();
		if (duration && now - t0 >= (int64_t)duration * 1000)
			break;
		if (max_msgs) {
			struct vg_logrecv_stats now_st;
			vg_logrecv_stats(r, &now_st);
			if (now_st.messages >= max_msgs)
				break;
		}
		if (ro.state_path && now - last_save >= 5000) {
			(void)vg_logrecv_save_state(r); /* positions of lines queued so far */
			last_save = now;
		}
	}
	status = 0;
out:
	if (r && thread_started)
		vg_logrecv_shutdown(r); /* the processing thread still takes what is left */
	if (p.q)
		vg_logq_close(p.q);
	if (thread_started)
		pthread_join(th, NULL);
	if (r && status == 0) {
		/* every queued line was processed: the saved positions lose nothing */
		if (vg_logrecv_save_state(r) != VG_OK)
			fprintf(stderr, "vigil logwatch: could not save positions to %s\n",
				ro.state_path);
		print_stats(r, &p, "exit");
		if (p.out_errors)
			status = 1;
	}
	vg_logrecv_free(r);
	if (p.out && p.out != stdout)
		fclose(p.out);
	else if (p.out)
		fflush(p.out);
	vg_logq_free(p.q);
	vg_logpipe_free(p.pipe);
	vg_correlate_ruleset_free(rs);
	vg_buf_free(&p.enc);
	free(follow);
	return status;
}
