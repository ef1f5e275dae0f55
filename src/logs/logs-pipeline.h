/* logs-pipeline.h — one log line in, normalized event and alerts out:
 * line → vg_logs_parse_line → vg_logs_entry_to_event (+ web/parser details in extra) →
 * correlation rules → sinks. Used by `vigil logscan` (files) and `vigil logwatch`
 * (receivers, followed files), so both see exactly the same parsing and rules.
 *
 * A pipe is single-threaded: call it from one thread (the consumer of the log queue).
 * Every line yields one event on the events sink (when set), including lines no parser
 * knew ("parse": {"status": "unknown"}) and garbage ("invalid"), so a user can see how
 * each line was understood. Alerts go to the alerts sink.
 *
 * Event extra members (ECS names, so Sigma rules can use them):
 *   "url": {"original", "path", "query", "domain"}  path/query percent-decoded once
 *   "http": {"request": {"method", "referrer"}, "response": {"status_code",
 *            "body": {"bytes"}}, "version"}
 *   "user_agent": {"original"}
 *   "parse": {"status": "ok"|"unknown"|"invalid", "format", "parser", "truncated",
 *             "target_user", "auth_method", "attempts", "invalid_user", "tty",
 *             "command", "reason", "src_host", "repeat"}
 */
#ifndef VG_LOGS_PIPELINE_H
#define VG_LOGS_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/core-event.h"
#include "correlate/correlate.h"
#include "logs/logs.h"

#define VG_LOGPIPE_MAX_PARSERS 32u /* distinct parser names counted */

struct vg_logpipe;

struct vg_logpipe_count {
	char name[32];
	uint64_t n;
};

struct vg_logpipe_counters {
	uint64_t lines;       /* lines given to vg_logpipe_line */
	uint64_t parsed;      /* understood by a parser */
	uint64_t unknown;     /* framing recognised, message not (VG_ENOTSUP) */
	uint64_t invalid;     /* nothing recognisable (VG_EINVAL) */
	uint64_t truncated;   /* longer than VG_MAX_LINE, cut */
	uint64_t events;      /* events written to the events sink */
	uint64_t sink_errors; /* events the sink refused */
	struct vg_logpipe_count parsers[VG_LOGPIPE_MAX_PARSERS];
	unsigned n_parsers;
};

/* opts: parser options (copied; web_format is borrowed and must outlive the pipe);
 * NULL = vg_logs_opts_init(). rules: a finished rule set (borrowed; must outlive the
 * pipe) or NULL for no correlation. alerts/events: sinks (copied) or NULL.
 * Caller frees with vg_logpipe_free(). */
int vg_logpipe_new(const struct vg_log_opts *opts, const struct vg_correlate_ruleset *rules,
		   const struct vg_event_sink *alerts, const struct vg_event_sink *events,
		   struct vg_logpipe **out);
/* Flushes nothing: call vg_logpipe_flush() first to get the open episodes out. */
void vg_logpipe_free(struct vg_logpipe *p); /* NULL-safe */

/* Process one line (no trailing newline needed; CR/LF stripped; longer than VG_MAX_LINE
 * is cut and counted). source_name (borrowed for the call) names the input in events.
 * Returns 0, or VG_ENOMEM when correlation state could not be allocated (counted). */
int vg_logpipe_line(struct vg_logpipe *p, const char *line, size_t len, const char *source_name);
/* Reference time for RFC 3164 lines without a year (e.g. a file's mtime). */
void vg_logpipe_set_now(struct vg_logpipe *p, int64_t now_us);
/* Idle: move the correlation clock (event time) forward. */
void vg_logpipe_advance(struct vg_logpipe *p, int64_t now_us);
/* End of input: emit the correlation episodes still open. */
void vg_logpipe_flush(struct vg_logpipe *p);

const struct vg_logpipe_counters *vg_logpipe_counters(const struct vg_logpipe *p);
/* NULL when the pipe has no rules. Borrowed. */
const struct vg_correlate_engine *vg_logpipe_engine(const struct vg_logpipe *p);

#endif
