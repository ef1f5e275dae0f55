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

/* --- log receivers, file following, queues (src/logs/logs-recv*, -follow, -queue) ---- */
#define VG_SYSLOG_FRAME_MAX_DIGITS 9u      /* RFC 6587 MSG-LEN digits; 9 → < 1 GB per frame */
#define VG_SYSLOG_MAX_LISTENERS    16u     /* --listen endpoints in one process */
#define VG_SYSLOG_MAX_CONNS        1024u   /* TCP+TLS connections at once; more are refused */
#define VG_SYSLOG_IDLE_TIMEOUT_S   600u    /* a silent TCP/TLS connection is closed after this */
#define VG_SYSLOG_MAX_IDLE_TIMEOUT_S 86400u
#define VG_SYSLOG_TLS_HANDSHAKE_S  10u     /* a TLS handshake must finish within this */
#define VG_FOLLOW_MAX_FILES        256u    /* --follow files in one process */
#define VG_FOLLOW_FP_LEN           256u    /* bytes of a file's head hashed to recognise it */
#define VG_LOGQ_DEFAULT_ITEMS      65536u  /* lines waiting between receivers and pipeline */
#define VG_LOGQ_MAX_ITEMS          (1u << 22)
#define VG_LOGQ_DEFAULT_BYTES      (64u << 20)
#define VG_LOGQ_MAX_BYTES          (1u << 30)

/* --- log parsers (src/logs/logs.h, logs-*.c) ------------------------------------ */
#define VG_LOG_MAX_SD_PARAMS       16u     /* RFC 5424 SD-PARAMs kept parsed per line */
#define VG_LOG_MAX_WEB_FORMAT      1024u   /* bytes of an nginx log_format / Apache LogFormat */

/* --- tenants ------------------------------------------------------------------ */
#define VG_MAX_TENANTS            65536u
#define VG_MAX_TENANT_NETWORKS    1048576u

#include <stdint.h>
static inline uint64_t vg_clamp_u64(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

#endif
