/* detect-nba.h — network behavioural analysis: per-host baselines, new external talkers to
 * internal services, beaconing. Fed with flow starts and flow ends (not packets), in
 * packet time.
 *
 * Internal hosts: addresses inside a tenant network (vg_tenants_lookup, when a tenants
 * table is given) or inside detect.nba.home-net; with neither configured, RFC 1918 /
 * RFC 4193 addresses (vg_addr_is_private). Only internal hosts get baselines; a host is
 * keyed by (tenant, address), so tenants reusing one private range stay apart.
 *
 * Baselines. Time is cut into fixed intervals (detect.nba.interval, default 60 s, aligned
 * to multiples of the interval). Per host and interval eight metrics are counted:
 * connections out (the host initiated) and in, bytes out (sent by the host) and in,
 * distinct peers out and in, distinct destination ports out (ports it contacted) and in
 * (its own ports contacted). Connections, peers and ports count at flow start; bytes at
 * flow end (a long flow's bytes fall into the interval it ended in). Distinct counts use
 * a 512-bit linear-counting bitmap per metric (64 bytes; within a few % up to ~1000
 * distinct values, saturating at ~3200) rather than HyperLogLog (256 bytes, 6.5% error)
 * because per-host counts are small and memory is per host.
 * When an interval ends, each metric's value v is compared with the host's exponentially
 * weighted mean μ and standard deviation σ (EWMA with detect.nba.alpha, default 0.1: the
 * last ~19 intervals carry most weight; the first intervals use 1/n so the baseline is a
 * plain average until n = 1/alpha). After detect.nba.warmup intervals (default 10) an
 * alert is raised when v >= the metric's minimum (detect.nba.min-*) and
 * v > μ + k·max(σ, r·μ, 1) with k = detect.nba.deviations (default 4) and
 * r = detect.nba.min-stddev-ratio (default 0.1, so that a perfectly steady host does not
 * alert on a small rise). Only rises alert. The value folded into the baseline after an
 * alert is clamped to the threshold, so an attack does not teach the baseline quickly; a
 * metric that stays high alerts once and again only after an interval back under its
 * threshold. Intervals a host was idle are folded in as zeros (at most
 * VG_NBA_MAX_IDLE_FOLD). Intervals end lazily: on the host's next flow, or for every host
 * when vg_nba_tick() crosses an interval boundary.
 *
 * New external talkers. When a flow from an external peer to an internal (host, port,
 * protocol) ends and the service answered (packets to the client), the (peer network,
 * service) pair is looked up in a seen-table; peer network is the peer's /24 (IPv4) or /48
 * (IPv6) (detect.nba.new-talker.prefix4/6). A pair not seen before raises an alert when
 * the service has been known for >= warmup intervals and has had at most
 * detect.nba.new-talker.max-peers peer networks (beyond that it is public and every
 * visitor is new); alerts are capped per interval (detect.nba.new-talker.max-alerts,
 * excess counted). Unanswered flows (scans) teach and alert nothing.
 *
 * Beaconing. Per (internal host, peer, port, protocol) the start times of flows are kept
 * as the last N inter-arrival times (detect.nba.beacon.history, default 16, <=
 * VG_NBA_MAX_HISTORY); starts closer than detect.nba.beacon.burst-gap (default 1 s) to the
 * previous one are the same beacon. With >= detect.nba.beacon.min-connections (default 8)
 * starts, when the coefficient of variation (σ/μ) of the kept intervals is <=
 * detect.nba.beacon.max-cv (default 0.2; 20% uniform jitter gives 0.12, random arrivals
 * about 1) and the mean interval is within [beacon.min-period, beacon.max-period]
 * (default 10 s .. 1 day), one alert is raised for the pair. Only internal → external pairs
 * unless detect.nba.beacon.internal is true.
 *
 * Bounds: hosts, services, seen talkers and beacon pairs each live in a capped table keyed
 * with a per-detector random SipHash key; when full the least recently used entry is
 * evicted and counted. Memory is allocated up front lazily (calloc) and reported.
 *
 * Rules (gid 1, rev 1; detector VG_DET_ANOMALY):
 *   9400001 VIGIL NBA host outbound connections above baseline
 *   9400002 VIGIL NBA host inbound connections above baseline
 *   9400003 VIGIL NBA host outbound bytes above baseline
 *   9400004 VIGIL NBA host inbound bytes above baseline
 *   9400005 VIGIL NBA host outbound distinct peers above baseline
 *   9400006 VIGIL NBA host inbound distinct peers above baseline
 *   9400007 VIGIL NBA host outbound distinct ports above baseline
 *   9400008 VIGIL NBA host inbound distinct ports above baseline
 *   9400010 VIGIL NBA new external talker to internal service
 *   9400011 VIGIL NBA periodic connections (beaconing)
 * Alerts carry {"nba": {...}} in extra with the figures behind them.
 * Not thread-safe: one detector per packet thread. */
#ifndef VG_DETECT_NBA_H
#define VG_DETECT_NBA_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core-addr.h"
#include "core/core-config.h"
#include "core/core-event.h"
#include "core/core-tenant.h"
#include "core/limits.h"

#define VG_NBA_SID_BASE    9400001u /* + metric index (0..7) */
#define VG_NBA_SID_TALKER  9400010u
#define VG_NBA_SID_BEACON  9400011u

enum vg_nba_metric {
	VG_NBA_CONNS_OUT = 0,
	VG_NBA_CONNS_IN,
	VG_NBA_BYTES_OUT,
	VG_NBA_BYTES_IN,
	VG_NBA_PEERS_OUT,
	VG_NBA_PEERS_IN,
	VG_NBA_PORTS_OUT,
	VG_NBA_PORTS_IN,
	VG_NBA_NMETRICS
};
/* "connections_out", "connections_in", "bytes_out", ... */
const char *vg_nba_metric_name(enum vg_nba_metric m);

struct vg_nba_config {
	int64_t interval_us;       /* detect.nba.interval: 60 s, [1 s, 1 day] */
	double alpha;              /* detect.nba.alpha: 0.1, [0.001, 1] */
	double deviations;         /* detect.nba.deviations: 4, [0.5, 100] */
	double min_stddev_ratio;   /* detect.nba.min-stddev-ratio: 0.1, [0, 10] */
	uint32_t warmup;           /* detect.nba.warmup: 10 intervals, [1, 10000] */
	/* detect.nba.min-connections (50), min-bytes (10m), min-peers (20), min-ports (20):
	 * the smallest value that may alert, per metric kind (both directions) */
	uint64_t min_conns, min_bytes, min_peers, min_ports;
	uint32_t max_hosts;        /* detect.nba.max-hosts: 65536, [16, VG_NBA_MAX_HOSTS] */

	bool talker_enabled;       /* detect.nba.new-talker.enabled: true */
	uint8_t talker_prefix4;    /* detect.nba.new-talker.prefix4: 24, [8, 32] */
	uint8_t talker_prefix6;    /* detect.nba.new-talker.prefix6: 48, [16, 128] */
	uint32_t talker_max_peers; /* detect.nba.new-talker.max-peers: 100 */
	uint32_t talker_max_alerts; /* detect.nba.new-talker.max-alerts: 100 per interval */
	uint32_t max_services;     /* detect.nba.new-talker.max-services: 65536, <= VG_NBA_MAX_SERVICES */
	uint32_t max_talkers;      /* detect.nba.new-talker.max-talkers: 262144, <= VG_NBA_MAX_TALKERS */

	bool beacon_enabled;       /* detect.nba.beacon.enabled: true */
	bool beacon_internal;      /* detect.nba.beacon.internal: false */
	uint32_t beacon_min_conns; /* detect.nba.beacon.min-connections: 8, [3, history + 1] */
	uint32_t beacon_history;   /* detect.nba.beacon.history: 16, [2, VG_NBA_MAX_HISTORY] */
	double beacon_max_cv;      /* detect.nba.beacon.max-cv: 0.2, [0, 1] */
	int64_t beacon_min_period_us; /* detect.nba.beacon.min-period: 10 s */
	int64_t beacon_max_period_us; /* detect.nba.beacon.max-period: 1 day (<= 49 days) */
	int64_t beacon_burst_us;   /* detect.nba.beacon.burst-gap: 1 s */
	uint32_t max_pairs;        /* detect.nba.beacon.max-pairs: 65536, <= VG_NBA_MAX_PAIRS */

	/* detect.nba.home-net: CIDR list, internal besides tenant networks */
	struct vg_cidr home_net[VG_NBA_MAX_HOME_NET];
	uint32_t n_home_net;
	/* Tenant networks (borrowed; must outlive the detector; NULL: none). */
	const struct vg_tenants *tenants;
};

/* One flow as the detector sees it. src is the initiator (client). */
struct vg_nba_flow {
	struct vg_addr src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	bool has_vni;
	uint32_t vni;
	uint16_t vlan;             /* 0: none */
	/* Tenant of the flow, used when no tenants table is configured. Borrowed: must outlive
	 * the detector (the tenant registry's names or static strings), like vg_flow.tenant. */
	const char *tenant;
	int64_t start_us, end_us;  /* end_us: flow end only */
	uint64_t pkts_toserver, pkts_toclient;
	uint64_t bytes_toserver, bytes_toclient;
};

struct vg_nba_stats {
	uint64_t flows_started, flows_ended;
	uint64_t flows_external;   /* neither end internal: ignored */
	uint64_t hosts_in_use, hosts_evicted;
	uint64_t services_in_use, services_evicted;
	uint64_t talkers_in_use, talkers_evicted;
	uint64_t pairs_in_use, pairs_evicted;
	uint64_t intervals_closed; /* host intervals evaluated */
	uint64_t alerts_baseline, alerts_talker, alerts_beacon;
	uint64_t suppressed_repeat;  /* metric still above threshold: not alerted again */
	uint64_t suppressed_talker;  /* talker alerts over the per-interval cap */
	uint64_t emit_errors;
	uint64_t mem_bytes;        /* table memory reserved (entries + buckets) */
};

struct vg_nba;

void vg_nba_config_default(struct vg_nba_config *cfg);
/* Read detect.nba.* below root into cfg (which holds defaults or earlier values); limits
 * from limits.h are clamped, other bad values are errors naming file:line:key. */
int vg_nba_config_load(const struct vg_cfg_node *root, struct vg_nba_config *cfg,
		       struct vg_config_err *err);

/* cfg NULL: defaults; copied and clamped. sink borrowed, must outlive the detector.
 * *out zeroed on entry; caller frees. 0, VG_ENOMEM or VG_EIO (no random source). */
int vg_nba_new(const struct vg_nba_config *cfg, const struct vg_event_sink *sink, struct vg_nba **out);
void vg_nba_free(struct vg_nba *n); /* NULL-safe; emits nothing */

/* A flow started at ts_us (f->start_us is ignored). 0 or VG_EINVAL. */
int vg_nba_flow_start(struct vg_nba *n, const struct vg_nba_flow *f, int64_t ts_us);
/* A flow ended (f->end_us is its time; counters final). 0 or VG_EINVAL. */
int vg_nba_flow_end(struct vg_nba *n, const struct vg_nba_flow *f);
/* Packet time advanced to now_us: when an interval boundary was crossed, every host's
 * finished interval is evaluated (alerts emitted). Cheap otherwise; call often. */
void vg_nba_tick(struct vg_nba *n, int64_t now_us);

void vg_nba_get_stats(const struct vg_nba *n, struct vg_nba_stats *out);

#endif
