/* flow-config.c — the flow table's configuration keys and its counters in core-stats.
 *
 *   flow:
 *     memcap: 256m               # [1m, 16g], clamped
 *     memcap-policy: evict-oldest  # or emergency
 *     emergency-recovery: 70     # % full at which emergency mode ends
 *     timeouts:                  # durations; ≤ VG_FLOW_MAX_TIMEOUT_S
 *       tcp:  {new: 30s, established: 600s, closed: 10s,
 *              emergency-new: 10s, emergency-established: 100s, emergency-closed: 5s}
 *       udp:  {new: 30s, established: 300s, emergency-new: 10s, emergency-established: 100s}
 *       icmp: {new: 30s, established: 300s, emergency-new: 10s, emergency-established: 100s}
 *
 * "icmp" also covers other IP protocols (Suricata's "default"). Timeouts are whole
 * seconds inside the table; sub-second values round down (0 means: expire on the next
 * timeout pass after the last packet). */
#include <string.h>

#include "core/core-error.h"
#include "core/core-stats.h"
#include "flow/flow.h"
#include "flow/flow-config.h"

const char *const vg_flow_config_keys[] = {
	"flow.memcap",
	"flow.memcap-policy",
	"flow.emergency-recovery",
	"flow.timeouts.tcp.new",
	"flow.timeouts.tcp.established",
	"flow.timeouts.tcp.closed",
	"flow.timeouts.tcp.emergency-new",
	"flow.timeouts.tcp.emergency-established",
	"flow.timeouts.tcp.emergency-closed",
	"flow.timeouts.udp.new",
	"flow.timeouts.udp.established",
	"flow.timeouts.udp.emergency-new",
	"flow.timeouts.udp.emergency-established",
	"flow.timeouts.icmp.new",
	"flow.timeouts.icmp.established",
	"flow.timeouts.icmp.emergency-new",
	"flow.timeouts.icmp.emergency-established",
	NULL,
};

static int secs(const struct vg_cfg_node *root, const char *path, uint32_t *v,
		struct vg_config_err *err)
{
	int64_t us = 0;
	int rc = vg_cfg_duration(root, path, (int64_t)*v * 1000000, 0,
				 (int64_t)VG_FLOW_MAX_TIMEOUT_S * 1000000, 0, &us, err);
	if (rc == 0)
		*v = (uint32_t)(us / 1000000);
	return rc;
}

int vg_flow_config_load(const struct vg_cfg_node *root, struct vg_flow_config *cfg,
			struct vg_config_err *err)
{
	const char *pol = NULL;
	uint64_t pct = 0;
	int rc;

	vg_flow_config_default(cfg);
	if ((rc = vg_cfg_size(root, "flow.memcap", cfg->memcap, VG_FLOW_MIN_MEMCAP,
			      VG_FLOW_MAX_MEMCAP, VG_CFG_CLAMP, &cfg->memcap, err)) < 0)
		return rc;
	if ((rc = vg_cfg_str(root, "flow.memcap-policy", "evict-oldest", 32, &pol, err)) < 0)
		return rc;
	if (vg_flow_policy_parse(pol, &cfg->policy) < 0)
		return vg_cfg_error(vg_cfg_get(root, "flow.memcap-policy"), err, VG_EINVAL,
				    "expected evict-oldest or emergency, got '%s'", pol);
	if ((rc = vg_cfg_u64(root, "flow.emergency-recovery", cfg->emergency_recovery_pct, 1, 99, 0,
			     &pct, err)) < 0)
		return rc;
	cfg->emergency_recovery_pct = (uint32_t)pct;

	struct { const char *key; uint32_t *v; } tab[] = {
		{ "flow.timeouts.tcp.new", &cfg->timeouts.tcp_new },
		{ "flow.timeouts.tcp.established", &cfg->timeouts.tcp_est },
		{ "flow.timeouts.tcp.closed", &cfg->timeouts.tcp_closed },
		{ "flow.timeouts.tcp.emergency-new", &cfg->emergency.tcp_new },
		{ "flow.timeouts.tcp.emergency-established", &cfg->emergency.tcp_est },
		{ "flow.timeouts.tcp.emergency-closed", &cfg->emergency.tcp_closed },
		{ "flow.timeouts.udp.new", &cfg->timeouts.udp_new },
		{ "flow.timeouts.udp.established", &cfg->timeouts.udp_est },
		{ "flow.timeouts.udp.emergency-new", &cfg->emergency.udp_new },
		{ "flow.timeouts.udp.emergency-established", &cfg->emergency.udp_est },
		{ "flow.timeouts.icmp.new", &cfg->timeouts.other_new },
		{ "flow.timeouts.icmp.established", &cfg->timeouts.other_est },
		{ "flow.timeouts.icmp.emergency-new", &cfg->emergency.other_new },
		{ "flow.timeouts.icmp.emergency-established", &cfg->emergency.other_est },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if ((rc = secs(root, tab[i].key, tab[i].v, err)) < 0)
			return rc;
	return 0;
}

/* Counter ids, registered once per process (core-stats is process-wide). */
static struct {
	bool done;
	vg_stat_id created, active, timeout, evicted, dropped, flushed, forced, emerg_in,
		emerg_out, emerg_active, untracked, events_failed, memuse, memcap;
} ids;

int vg_flow_stats_publish(const struct vg_flow_table *t)
{
	struct vg_flow_stats st;
	if (!ids.done) {
		struct { const char *n; vg_stat_id *id; } r[] = {
			{ "flow.created", &ids.created },
			{ "flow.active", &ids.active },
			{ "flow.timeout", &ids.timeout },
			{ "flow.evicted", &ids.evicted },
			{ "flow.dropped_memcap", &ids.dropped },
			{ "flow.flushed", &ids.flushed },
			{ "flow.forced", &ids.forced },
			{ "flow.emergency_mode_entered", &ids.emerg_in },
			{ "flow.emergency_mode_exited", &ids.emerg_out },
			{ "flow.emergency_active", &ids.emerg_active },
			{ "flow.pkts_untracked", &ids.untracked },
			{ "flow.events_failed", &ids.events_failed },
			{ "flow.memuse", &ids.memuse },
			{ "flow.memcap", &ids.memcap },
		};
		for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
			int rc = vg_stats_register(r[i].n, r[i].id);
			if (rc < 0)
				return rc;
		}
		ids.done = true;
	}
	vg_flow_table_stats(t, &st);
	/* The table keeps its own totals; publishing sets them (gauges and counters alike),
	 * so calling this at every stats interval is idempotent. */
	vg_stats_set(ids.created, st.flows_created);
	vg_stats_set(ids.active, st.flows_active);
	vg_stats_set(ids.timeout, st.flows_timeout);
	vg_stats_set(ids.evicted, st.flows_evicted);
	vg_stats_set(ids.dropped, st.flows_dropped_memcap);
	vg_stats_set(ids.flushed, st.flows_flushed);
	vg_stats_set(ids.forced, st.flows_forced);
	vg_stats_set(ids.emerg_in, st.emergency_mode_entered);
	vg_stats_set(ids.emerg_out, st.emergency_mode_exited);
	vg_stats_set(ids.emerg_active, st.emergency_active ? 1 : 0);
	vg_stats_set(ids.untracked, st.pkts_untracked);
	vg_stats_set(ids.events_failed, st.events_failed);
	vg_stats_set(ids.memuse, st.memuse);
	vg_stats_set(ids.memcap, st.memcap);
	return 0;
}
