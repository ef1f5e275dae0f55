/* nids-config.c — the configuration keys of the packet path: detect.scan.*, detect.flood.*,
 * stream.*, defrag.*, app-layer.*, outputs.* (flow.* is read by flow-config.c). Every
 * value is checked against the bounds of limits.h; docs/configuration.md lists them. */
#include <string.h>

#include "core/core-error.h"
#include "core/limits.h"
#include "flow/flow-config.h"
#include "nids/nids.h"

const char *const vg_nids_config_keys[] = {
	"detect.scan.enabled",
	"detect.scan.ports-threshold",
	"detect.scan.hosts-threshold",
	"detect.scan.window",
	"detect.scan.slow-ports-threshold",
	"detect.scan.slow-hosts-threshold",
	"detect.scan.slow-window",
	"detect.scan.sweep-unanswered-hosts",
	"detect.scan.idle-timeout",
	"detect.scan.max-trackers",
	"detect.scan.memcap",
	"detect.flood.enabled",
	"detect.flood.syn-pps",
	"detect.flood.syn-max-completion",
	"detect.flood.udp-pps",
	"detect.flood.icmp-pps",
	"detect.flood.syn-any-pps",
	"detect.flood.udp-any-pps",
	"detect.flood.any-min-ports",
	"detect.flood.end-percent",
	"detect.flood.hold",
	"detect.flood.prefilter-pps",
	"detect.flood.spoof-sources",
	"detect.flood.max-trackers",
	"detect.flood.sketch-width",
	"stream.policy",
	"stream.midstream",
	"stream.max-segments",
	"stream.flow-memcap",
	"stream.memcap",
	"stream.gap-bytes",
	"stream.gap-timeout",
	"stream.raw-window",
	"defrag.memcap",
	"defrag.max-trackers",
	"defrag.max-frags",
	"defrag.timeout",
	"app-layer.enabled",
	"detect.nba.*",
	"outputs.types",
	"outputs.anomaly.rate-limit",
	"outputs.stats.interval",
	NULL,
};

void vg_nids_config_default(struct vg_nids_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	vg_flow_config_default(&cfg->flow);
	vg_stream_config_default(&cfg->stream);
	vg_detect_scan_config_default(&cfg->scan);
	vg_detect_flood_config_default(&cfg->flood);
	cfg->defrag.timeout_s = VG_DEFRAG_DEFAULT_TIMEOUT_S;
	cfg->scan_enabled = true;
	cfg->flood_enabled = true;
	cfg->app_enabled = true;
	vg_nba_config_default(&cfg->nba);
	cfg->anomaly_rate = 100;
	cfg->outputs = VG_NIDS_OUT_ALL;
	cfg->stats_interval_us = 0;
}

/* u32 helpers: the struct fields are narrower than vg_cfg_u64's out. */
static int u32(const struct vg_cfg_node *r, const char *path, uint32_t *v, uint64_t min, uint64_t max,
	       unsigned flags, struct vg_config_err *err)
{
	uint64_t x = 0;
	int rc = vg_cfg_u64(r, path, *v, min, max, flags, &x, err);
	if (rc == 0)
		*v = (uint32_t)x;
	return rc;
}

static int size32(const struct vg_cfg_node *r, const char *path, uint32_t *v, uint64_t min,
		  uint64_t max, struct vg_config_err *err)
{
	uint64_t x = 0;
	int rc = vg_cfg_size(r, path, *v, min, max, VG_CFG_CLAMP, &x, err);
	if (rc == 0)
		*v = (uint32_t)x;
	return rc;
}

static int dur(const struct vg_cfg_node *r, const char *path, int64_t *v, int64_t min, int64_t max,
	       struct vg_config_err *err)
{
	return vg_cfg_duration(r, path, *v, min, max, 0, v, err);
}

#define TRY(x)                  \
	do {                    \
		int rc_ = (x);  \
		if (rc_ != 0)   \
			return rc_; \
	} while (0)

static const int64_t HOUR = 3600ll * 1000000;

static int load_scan(const struct vg_cfg_node *r, struct vg_nids_config *c, struct vg_config_err *err)
{
	struct vg_detect_scan_config *s = &c->scan;
	TRY(vg_cfg_bool(r, "detect.scan.enabled", c->scan_enabled, &c->scan_enabled, err));
	TRY(u32(r, "detect.scan.ports-threshold", &s->ports_threshold, 2, 65536, 0, err));
	TRY(u32(r, "detect.scan.hosts-threshold", &s->hosts_threshold, 2, 1u << 24, 0, err));
	TRY(dur(r, "detect.scan.window", &s->window_us, 1000000, 24 * HOUR, err));
	TRY(u32(r, "detect.scan.slow-ports-threshold", &s->slow_ports_threshold, 2, 65536, 0, err));
	TRY(u32(r, "detect.scan.slow-hosts-threshold", &s->slow_hosts_threshold, 2, 1u << 24, 0, err));
	TRY(dur(r, "detect.scan.slow-window", &s->slow_window_us, 1000000, 7 * 24 * HOUR, err));
	TRY(u32(r, "detect.scan.sweep-unanswered-hosts", &s->sweep_unanswered_hosts, 2, 1u << 24, 0, err));
	TRY(dur(r, "detect.scan.idle-timeout", &s->idle_timeout_us, 1000000, 24 * HOUR, err));
	TRY(u32(r, "detect.scan.max-trackers", &s->max_trackers, 1, VG_SCAN_MAX_TRACKERS, VG_CFG_CLAMP, err));
	TRY(vg_cfg_size(r, "detect.scan.memcap", s->memcap, 1u << 20, VG_SCAN_MAX_MEMCAP, VG_CFG_CLAMP,
			&s->memcap, err));
	if (s->slow_window_us < s->window_us) {
		const struct vg_cfg_node *n = vg_cfg_get(r, "detect.scan.slow-window");
		return vg_cfg_error(n ? n : r, err, VG_ERANGE,
				    "must not be shorter than detect.scan.window");
	}
	return 0;
}

static int load_flood(const struct vg_cfg_node *r, struct vg_nids_config *c, struct vg_config_err *err)
{
	struct vg_detect_flood_config *f = &c->flood;
	TRY(vg_cfg_bool(r, "detect.flood.enabled", c->flood_enabled, &c->flood_enabled, err));
	TRY(u32(r, "detect.flood.syn-pps", &f->syn_pps, 1, 100000000, 0, err));
	TRY(u32(r, "detect.flood.syn-max-completion", &f->syn_max_completion_pct, 0, 100, 0, err));
	TRY(u32(r, "detect.flood.udp-pps", &f->udp_pps, 1, 100000000, 0, err));
	TRY(u32(r, "detect.flood.icmp-pps", &f->icmp_pps, 1, 100000000, 0, err));
	TRY(u32(r, "detect.flood.syn-any-pps", &f->syn_any_pps, 1, 100000000, 0, err));
	TRY(u32(r, "detect.flood.udp-any-pps", &f->udp_any_pps, 1, 100000000, 0, err));
	TRY(u32(r, "detect.flood.any-min-ports", &f->any_min_ports, 0, 65536, 0, err));
	TRY(u32(r, "detect.flood.end-percent", &f->end_pct, 1, 100, 0, err));
	TRY(dur(r, "detect.flood.hold", &f->hold_us, 100000, HOUR, err));
	TRY(u32(r, "detect.flood.prefilter-pps", &f->prefilter_pps, 1, 100000000, 0, err));
	TRY(u32(r, "detect.flood.spoof-sources", &f->spoof_sources, 1, 1u << 30, 0, err));
	TRY(u32(r, "detect.flood.max-trackers", &f->max_trackers, 1, VG_FLOOD_MAX_TRACKERS, VG_CFG_CLAMP, err));
	TRY(u32(r, "detect.flood.sketch-width", &f->cms_width, 64, VG_FLOOD_MAX_CMS_WIDTH, VG_CFG_CLAMP, err));
	return 0;
}

static int load_stream(const struct vg_cfg_node *r, struct vg_nids_config *c, struct vg_config_err *err)
{
	struct vg_stream_config *s = &c->stream;
	const char *pol = NULL;
	TRY(vg_cfg_str(r, "stream.policy", NULL, 16, &pol, err));
	if (pol) {
		if (!strcmp(pol, "first"))
			s->policy = VG_STREAM_POLICY_FIRST;
		else if (!strcmp(pol, "last"))
			s->policy = VG_STREAM_POLICY_LAST;
		else
			return vg_cfg_error(vg_cfg_get(r, "stream.policy"), err, VG_EINVAL,
					    "expected 'first' or 'last', got '%s'", pol);
	}
	TRY(vg_cfg_bool(r, "stream.midstream", s->midstream, &s->midstream, err));
	TRY(u32(r, "stream.max-segments", &s->max_segments, 1, VG_STREAM_MAX_SEGMENTS, VG_CFG_CLAMP, err));
	TRY(vg_cfg_size(r, "stream.flow-memcap", s->flow_memcap, 4096, VG_STREAM_MAX_FLOW_MEMCAP, VG_CFG_CLAMP,
			&s->flow_memcap, err));
	TRY(vg_cfg_size(r, "stream.memcap", s->memcap, 1u << 20, VG_STREAM_MAX_MEMCAP, VG_CFG_CLAMP, &s->memcap,
			err));
	TRY(size32(r, "stream.gap-bytes", &s->gap_bytes, 1024, VG_STREAM_MAX_SEQ_AHEAD, err));
	TRY(dur(r, "stream.gap-timeout", &s->gap_timeout_us, 0, HOUR, err));
	TRY(size32(r, "stream.raw-window", &s->raw_window, 0, VG_STREAM_MAX_RAW_WINDOW, err));
	return 0;
}

static int load_defrag(const struct vg_cfg_node *r, struct vg_nids_config *c, struct vg_config_err *err)
{
	struct vg_defrag_config *d = &c->defrag;
	uint64_t memcap = d->memcap ? d->memcap : VG_DEFRAG_MEMCAP;
	TRY(vg_cfg_size(r, "defrag.memcap", memcap, 64u << 10, VG_DEFRAG_MEMCAP, VG_CFG_CLAMP, &d->memcap, err));
	if (!d->max_trackers)
		d->max_trackers = VG_DEFRAG_MAX_TRACKERS;
	TRY(u32(r, "defrag.max-trackers", &d->max_trackers, 1, VG_DEFRAG_MAX_TRACKERS, VG_CFG_CLAMP, err));
	if (!d->max_frags)
		d->max_frags = VG_DEFRAG_MAX_FRAGS;
	TRY(u32(r, "defrag.max-frags", &d->max_frags, 2, VG_DEFRAG_MAX_FRAGS, VG_CFG_CLAMP, err));
	int64_t t = (int64_t)d->timeout_s * 1000000;
	TRY(dur(r, "defrag.timeout", &t, 1000000, (int64_t)VG_DEFRAG_MAX_TIMEOUT_S * 1000000, err));
	d->timeout_s = (uint32_t)(t / 1000000);
	return 0;
}

static int load_outputs(const struct vg_cfg_node *r, struct vg_nids_config *c, struct vg_config_err *err)
{
	TRY(vg_cfg_bool(r, "app-layer.enabled", c->app_enabled, &c->app_enabled, err));
	TRY(vg_cfg_bool(r, "detect.nba.enabled", c->nba_enabled, &c->nba_enabled, err));
	TRY(vg_nba_config_load(r, &c->nba, err));
	TRY(u32(r, "outputs.anomaly.rate-limit", &c->anomaly_rate, 0, 1000000, 0, err));
	TRY(dur(r, "outputs.stats.interval", &c->stats_interval_us, 0, 24 * HOUR, err));
	const struct vg_cfg_node *types = vg_cfg_get(r, "outputs.types");
	if (types && !vg_cfg_is_null(types)) {
		size_t n = 0;
		TRY(vg_cfg_seq_len(r, "outputs.types", &n, err));
		c->outputs = 0;
		for (size_t i = 0; i < n; i++) {
			const char *t = NULL;
			TRY(vg_cfg_seq_str(r, "outputs.types", i, &t, err));
			unsigned bit = vg_nids_output_type(t);
			if (!bit)
				return vg_cfg_error(vg_cfg_seq_at(types, i), err, VG_EINVAL,
						    "unknown event type '%s' (flow, anomaly, app, stats)", t);
			c->outputs |= bit;
		}
	}
	return 0;
}

unsigned vg_nids_output_type(const char *name)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{ "flow", VG_NIDS_OUT_FLOW },   { "anomaly", VG_NIDS_OUT_ANOMALY },
		{ "app", VG_NIDS_OUT_APP },     { "http", VG_NIDS_OUT_APP },
		{ "dns", VG_NIDS_OUT_APP },     { "tls", VG_NIDS_OUT_APP },
		{ "ssh", VG_NIDS_OUT_APP },     { "stats", VG_NIDS_OUT_STATS },
		{ "all", VG_NIDS_OUT_ALL },
	};
	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i].name))
			return names[i].bit;
	return 0;
}

int vg_nids_config_load(const struct vg_cfg_node *root, struct vg_nids_config *cfg,
			struct vg_config_err *err)
{
	vg_nids_config_default(cfg);
	if (err)
		memset(err, 0, sizeof(*err));
	if (!root)
		return 0;
	TRY(vg_flow_config_load(root, &cfg->flow, err));
	TRY(load_scan(root, cfg, err));
	TRY(load_flood(root, cfg, err));
	TRY(load_stream(root, cfg, err));
	TRY(load_defrag(root, cfg, err));
	TRY(load_outputs(root, cfg, err));
	return 0;
}
