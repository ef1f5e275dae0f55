/* correlate.h — Sigma rules over normalized events: detection rules and correlation rules.
 *
 * A rule set is loaded from Sigma YAML (one or more documents per file, separated by
 * `---`): detection rules (logsource + detection + condition) and Sigma v2 correlation
 * rules (event_count, value_count, temporal, temporal_ordered with group-by, timespan and
 * condition). Loading never stops at a broken rule: each error is reported once through
 * the diagnostic callback as "FILE:LINE: FIELD: message" and that rule is skipped.
 *
 * An engine holds the state of one rule set: per (correlation, group) windows in a capped
 * table keyed with a random SipHash key, LRU eviction counted in the stats, distinct-value
 * sets capped. Time is event time only (vg_event.ts_us): a replayed log gives the same
 * alerts as the live stream did.
 *
 * Alert semantics (docs/correlation.md says more):
 *   - a detection rule that no correlation refers to (or whose correlation says
 *     `generate: true`) raises one alert per matching event, at once;
 *   - event_count / value_count: when the condition first holds for a group, an episode
 *     opens; evidence (count, distinct values, first/last time) keeps accumulating until
 *     the episode's window (timespan from its first counted event) has passed in event
 *     time, then ONE alert is emitted with the full evidence and the group starts afresh.
 *     So a brute force yields one alert per timespan, with every user tried;
 *   - temporal / temporal_ordered: the alert is raised at once by the event that
 *     completes the sequence; the group is then suppressed for one timespan.
 * Episodes still open when the input ends are emitted by vg_correlate_engine_flush(). */
#ifndef VG_CORRELATE_H
#define VG_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core-event.h"

struct vg_correlate_ruleset;
struct vg_correlate_engine;

/* Receives one formatted diagnostic ("rules/x.yml:14: detection.sel: unknown modifier
 * 'contain'"); msg is borrowed for the call. NULL callback: diagnostics are dropped
 * (they are still counted). */
typedef void (*vg_correlate_diag_fn)(void *ctx, const char *msg);

/* Empty rule set; caller frees with vg_correlate_ruleset_free(). */
int vg_correlate_ruleset_new(struct vg_correlate_ruleset **out);
void vg_correlate_ruleset_free(struct vg_correlate_ruleset *rs); /* NULL-safe */

/* Load Sigma YAML from memory. name is used in diagnostics (copied). Returns 0 when
 * every document loaded, VG_EINVAL when at least one rule was skipped (the others are
 * kept), VG_EFULL past VG_CORR_MAX_RULES, VG_ERANGE when len > VG_CORR_MAX_RULE_FILE. */
int vg_correlate_ruleset_load_buffer(struct vg_correlate_ruleset *rs, const char *name,
				     const char *buf, size_t len, vg_correlate_diag_fn diag,
				     void *ctx);
/* A file, or a directory whose *.yml / *.yaml files are loaded in name order. Returns
 * as above, or VG_EIO / VG_ENOENT when the path cannot be read. */
int vg_correlate_ruleset_load_path(struct vg_correlate_ruleset *rs, const char *path,
				   vg_correlate_diag_fn diag, void *ctx);
/* The rules compiled into the binary (rules/sigma of the source tree). */
int vg_correlate_ruleset_load_embedded(struct vg_correlate_ruleset *rs,
				       vg_correlate_diag_fn diag, void *ctx);
/* Resolve correlation references (by rule name or id); correlations naming unknown
 * rules, or nesting deeper than VG_CORR_MAX_CHAIN, are dropped and reported. Must be
 * called once after loading and before vg_correlate_engine_new(). Returns 0 or
 * VG_EINVAL when something was dropped. */
int vg_correlate_ruleset_finish(struct vg_correlate_ruleset *rs, vg_correlate_diag_fn diag,
				void *ctx);

size_t vg_correlate_ruleset_count(const struct vg_correlate_ruleset *rs);
unsigned vg_correlate_ruleset_errors(const struct vg_correlate_ruleset *rs); /* rules skipped */
/* Borrowed strings, valid while the rule set lives; NULL when i is out of range. */
const char *vg_correlate_rule_title(const struct vg_correlate_ruleset *rs, size_t i);
const char *vg_correlate_rule_id(const struct vg_correlate_ruleset *rs, size_t i);
/* "detection", "event_count", "value_count", "temporal", "temporal_ordered". */
const char *vg_correlate_rule_kind(const struct vg_correlate_ruleset *rs, size_t i);
/* Whether the rule raises alerts of its own (not only feeds a correlation). */
bool vg_correlate_rule_alerts(const struct vg_correlate_ruleset *rs, size_t i);

struct vg_correlate_config {
	uint32_t max_groups;  /* 0: VG_CORR_MAX_GROUPS; clamped to [16, VG_CORR_MAX_GROUPS] */
	uint64_t memcap;      /* bytes of group state; 0: VG_CORR_DEFAULT_MEMCAP */
};

struct vg_correlate_stats {
	uint64_t events;           /* events seen */
	uint64_t matches;          /* detection-rule matches */
	uint64_t alerts;           /* alerts emitted */
	uint64_t groups;           /* group states live now */
	uint64_t groups_created;
	uint64_t groups_evicted;   /* evicted at the group cap or memcap (LRU) */
	uint64_t values_dropped;   /* distinct values not kept (set full) */
	uint64_t sink_errors;      /* alerts the sink refused */
	uint64_t nomem;            /* allocations that failed (the event was skipped) */
	uint64_t mem_used;         /* bytes of group state now */
};

/* The engine borrows rs (it must outlive the engine) and copies the sink. cfg may be
 * NULL. Alerts are VG_EVT_ALERT events with rule.detector VG_DET_CORRELATE and details
 * in extra under "vigil": {"correlation" | "sigma": {...}}. Caller frees the engine. */
int vg_correlate_engine_new(const struct vg_correlate_ruleset *rs,
			    const struct vg_correlate_config *cfg,
			    const struct vg_event_sink *alerts, struct vg_correlate_engine **out);
void vg_correlate_engine_free(struct vg_correlate_engine *e); /* NULL-safe; no flush */

/* Match one event against every rule and update the correlations; may emit alerts
 * (during the call) for this event and for episodes that this event's time closes.
 * Returns 0, or VG_ENOMEM when some state could not be allocated (counted). */
int vg_correlate_engine_event(struct vg_correlate_engine *e, const struct vg_event *ev);
/* Details a producer can give field by field instead of building ev->extra for every
 * event: the members a log line's extra would hold (logs-pipeline.h lists them). Rules
 * read these paths through get(); anything else, and a detection alert that copies the
 * event's extra, asks extra() for the JSON, so it is only built when needed. */
enum vg_corr_detail {
	VG_CD_URL_ORIGINAL = 0, VG_CD_URL_PATH, VG_CD_URL_QUERY, VG_CD_URL_DOMAIN,
	VG_CD_HTTP_METHOD, VG_CD_HTTP_REFERRER, VG_CD_HTTP_STATUS, VG_CD_HTTP_BYTES,
	VG_CD_HTTP_VERSION, VG_CD_USER_AGENT,
	VG_CD_PARSE_STATUS, VG_CD_PARSE_FORMAT, VG_CD_PARSE_PARSER, VG_CD_PARSE_TRUNCATED,
	VG_CD_PARSE_TARGET_USER, VG_CD_PARSE_AUTH_METHOD, VG_CD_PARSE_ATTEMPTS,
	VG_CD_PARSE_INVALID_USER, VG_CD_PARSE_TTY, VG_CD_PARSE_COMMAND, VG_CD_PARSE_REASON,
	VG_CD_PARSE_SRC_HOST, VG_CD_PARSE_DOMAIN, VG_CD_PARSE_REPEAT,
	VG_CD_COUNT
};

/* What get() found; a value is exactly what the JSON member would hold. */
enum vg_corr_dkind { VG_CDK_ABSENT = 0, VG_CDK_STRING, VG_CDK_INTEGER, VG_CDK_BOOLEAN };

struct vg_correlate_details {
	/* Detail id → kind, and (s, len) for a string (borrowed until the event call
	 * returns; may hold NUL bytes) or *num for an integer / boolean (0 or 1). */
	enum vg_corr_dkind (*get)(void *ctx, enum vg_corr_detail id, const char **s, size_t *len,
				  int64_t *num);
	/* The JSON object ev->extra would be (borrowed; valid until the event call returns;
	 * NULL when it cannot be built). */
	json_t *(*extra)(void *ctx);
	void *ctx;
};

/* The dotted ECS path of a detail ("url.path"), NULL when id is out of range. */
const char *vg_correlate_detail_path(enum vg_corr_detail id);

/* vg_correlate_engine_event with the event's details given by d (ev->extra is then
 * ignored; d may be NULL: details come from ev->extra). */
int vg_correlate_engine_event_details(struct vg_correlate_engine *e, const struct vg_event *ev,
				      const struct vg_correlate_details *d);
/* Move the engine's clock (event time) forward without an event, closing episodes whose
 * window has passed: live receivers call it when idle with their best estimate of
 * current event time. */
void vg_correlate_engine_advance(struct vg_correlate_engine *e, int64_t now_us);
/* End of input: emit every open episode and forget all state. */
void vg_correlate_engine_flush(struct vg_correlate_engine *e);

const struct vg_correlate_stats *vg_correlate_engine_stats(const struct vg_correlate_engine *e);
/* Alerts emitted so far by rule i (index as in the rule set). */
uint64_t vg_correlate_engine_rule_alerts(const struct vg_correlate_engine *e, size_t i);

/* Level name → EVE severity: critical/high 1, medium 2, low 3, informational 4;
 * -1 for an unknown name. */
int vg_correlate_level_severity(const char *level);

#endif
