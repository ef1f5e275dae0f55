/* flow-config.h — flow.* configuration keys and flow counters in core-stats.
 * Kept apart from flow.h so that the table itself does not need core-config. */
#ifndef VG_FLOW_CONFIG_H
#define VG_FLOW_CONFIG_H

#include "core/core-config.h"
#include "flow/flow.h"

/* The keys vg_flow_config_load() reads (for vg_config_check_known()), NULL-terminated. */
extern const char *const vg_flow_config_keys[];

/* Defaults, then the flow.* keys under root (may be NULL: defaults only); see
 * flow-config.c for the key list. memcap is clamped to its bounds; a bad policy name,
 * type or out-of-range timeout is an error naming file:line:key in err. 0 or VG_E*. */
int vg_flow_config_load(const struct vg_cfg_node *root, struct vg_flow_config *cfg,
			struct vg_config_err *err);

/* Copy the table's counters into core-stats as flow.created, flow.active, flow.timeout,
 * flow.evicted, flow.dropped_memcap, flow.flushed, flow.forced,
 * flow.emergency_mode_entered/_exited/_active, flow.pkts_untracked, flow.events_failed,
 * flow.memuse, flow.memcap (registered on first call). Values are set, not added: call
 * it at every stats interval from the thread that owns the table. 0 or VG_E*. */
int vg_flow_stats_publish(const struct vg_flow_table *t);

#endif
