/* limits.h — every bound on untrusted input, in one place (STYLE.md 2).
 * Config values are clamped to these with vg_clamp_u64(); parsers refuse or truncate
 * (and count) past them. Include as "core/limits.h". Subsystems add their bounds here,
 * grouped by subsystem, each with the reason for its value. */
#ifndef VG_CORE_LIMITS_H
#define VG_CORE_LIMITS_H

/* --- packets ---------------------------------------------------------------- */
#define VG_MAX_SNAPLEN            262144u  /* libpcap's own maximum snapshot length */
#define VG_MAX_ENCAP_DEPTH        8u       /* tunnels/VLAN tags nested in one packet */
#define VG_MAX_IPV6_EXTHDRS       16u      /* extension headers walked before giving up */
#define VG_MAX_PKT_ANOMALIES      8u       /* anomalies recorded on one packet */
#define VG_DEFRAG_MAX_TRACKERS    65536u   /* fragment reassembly contexts */
#define VG_DEFRAG_MAX_FRAGS       64u      /* fragments per datagram */
#define VG_DEFRAG_MEMCAP          (32u << 20)

/* --- flows ------------------------------------------------------------------ */
#define VG_FLOW_MAX_MEMCAP        (16ull << 30)  /* hard ceiling for flow.memcap */
#define VG_FLOW_DEFAULT_MEMCAP    (256ull << 20)
#define VG_FLOW_MAX_TIMEOUT_S     86400u

/* --- detection state ---------------------------------------------------------- */
#define VG_SCAN_MAX_TRACKERS      131072u  /* scanners tracked at once */
#define VG_SCAN_MAX_TARGETS_LISTED 16u     /* target addresses named in one alert */
#define VG_FLOOD_MAX_TRACKERS     65536u   /* destinations tracked for floods */

/* --- text input (logs, rules, config) ------------------------------------------ */
#define VG_MAX_LINE               65536u   /* one log line / rule line; longer is truncated */
#define VG_MAX_FIELDS             64u      /* fields split from one line */
#define VG_MAX_RULE_LEN           65536u   /* one signature after line continuations */
#define VG_MAX_CONFIG_BYTES       (4u << 20)
#define VG_MAX_YAML_DEPTH         32u
#define VG_MAX_JSON_DEPTH         64u
#define VG_MAX_NAME               256u     /* tenant, user, host, service names */

/* --- tenants ------------------------------------------------------------------ */
#define VG_MAX_TENANTS            65536u
#define VG_MAX_TENANT_NETWORKS    1048576u

#include <stdint.h>
static inline uint64_t vg_clamp_u64(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

#endif
