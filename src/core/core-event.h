/* core-event.h — the one normalized event everything becomes.
 *
 * Packets, log lines and findings all end as a struct vg_event with ECS semantics
 * (timestamp, tenant, kind, category, action, outcome, source/destination, user, rule,
 * severity). Detectors fill one and hand it to a vg_event_sink; encoders (core-eve.c for
 * Suricata EVE, core-ecs.c for ECS) turn it into one JSON line.
 *
 * Ownership: every pointer in an event is borrowed for the duration of the sink call.
 * A sink that keeps an event must copy what it needs (or encode it right away). */
#ifndef VG_CORE_EVENT_H
#define VG_CORE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core-addr.h"

typedef struct json_t json_t; /* jansson's, for the optional extra fields */

enum vg_event_type {
	VG_EVT_ALERT = 1, /* a detection: scan, flood, signature, ioc, anomaly, correlation */
	VG_EVT_FLOW,      /* a flow record on expiry/flush */
	VG_EVT_ANOMALY,   /* malformed or hostile input (decoder, stream, app-layer, parser) */
	VG_EVT_STATS,     /* counters; details in extra */
	VG_EVT_HTTP,      /* app-layer transactions; details in extra under "http" etc. */
	VG_EVT_DNS,
	VG_EVT_TLS,
	VG_EVT_SSH,
	VG_EVT_LOG,       /* a normalized log line (authentication, access, ...) */
	VG_EVT_EPISODE,   /* end of a scan/flood episode: final counts of an earlier alert */
};

/* Which part of vigil made the event: EVE alert metadata and ECS observer fields. */
enum vg_detector {
	VG_DET_NONE = 0,
	VG_DET_SCAN,
	VG_DET_FLOOD,
	VG_DET_SIGNATURE,
	VG_DET_IOC,
	VG_DET_ANOMALY,    /* behavioural anomaly detector, not decoder anomalies */
	VG_DET_CORRELATE,  /* log correlation rules */
};

enum vg_outcome { VG_OUTCOME_NONE = 0, VG_OUTCOME_SUCCESS, VG_OUTCOME_FAILURE, VG_OUTCOME_UNKNOWN };

/* Port scan details (VG_DET_SCAN). */
struct vg_ev_scan {
	const char *technique;   /* "SYN", "CONNECT", "FIN", "NULL", "XMAS", "ACK", "UDP", ... */
	bool horizontal;         /* sweep: few ports over many hosts */
	uint32_t ports;          /* distinct destination ports probed */
	uint32_t hosts;          /* distinct destination hosts probed */
	uint64_t probes;         /* probe packets counted */
	int64_t first_us, last_us;
	const struct vg_addr *targets; /* up to VG_SCAN_MAX_TARGETS_LISTED, borrowed */
	uint32_t n_targets;
	const uint16_t *port_list;     /* sample of probed ports (sweeps: all of them), borrowed */
	uint32_t n_ports_listed;
};

/* Packet flood details (VG_DET_FLOOD). */
struct vg_ev_flood {
	const char *kind;        /* "SYN", "UDP", "ICMP" */
	int64_t start_us, end_us; /* end_us 0 while ongoing */
	uint64_t packets, bytes;
	uint64_t peak_pps;
	uint64_t sources_est;    /* estimated distinct sources (sketch) */
	bool ended;              /* false: onset alert; true: end-of-episode record */
};

/* Scan and flood detectors raise one VG_EVT_ALERT when an episode is recognised (early,
 * with the counts so far) and one VG_EVT_EPISODE when it ends (idle timeout or end of
 * input) with the final counts; both carry the same episode_id. */

/* Flow record (VG_EVT_FLOW). Direction "to server" is from the flow's initiator. */
struct vg_ev_flow {
	uint64_t pkts_toserver, pkts_toclient;
	uint64_t bytes_toserver, bytes_toclient;
	int64_t start_us, end_us;
	uint8_t tcp_flags_ts, tcp_flags_tc; /* OR of flags seen per direction */
	const char *state;       /* "new", "established", "closed", ... */
	const char *reason;      /* "timeout", "forced", "shutdown", "memcap" */
	const char *app_proto;   /* NULL when unknown */
	bool alerted;
};

/* Decoder/parser anomaly (VG_EVT_ANOMALY). */
struct vg_ev_anomaly {
	const char *type;        /* "decode", "stream", "applayer", "log", "rule" */
	const char *event;       /* stable identifier, e.g. "ipv4.trunc_pkt" */
	const char *layer;       /* "ipv4", "tcp", ... or the parser name */
};

/* The rule or detector that raised an alert. */
struct vg_ev_rule {
	enum vg_detector detector;
	uint32_t gid, sid, rev;
	const char *signature;   /* human title: "VIGIL SCAN TCP SYN port scan" */
	const char *category;    /* classtype description, e.g. "Detection of a Network Scan" */
	const char *action;      /* "allowed" / "blocked" (EVE alert.action) */
	int severity;            /* 1 (high) .. 4 (informational), EVE convention */
	const char *reference;   /* optional */
	const char *tags;        /* optional, comma-separated (Sigma tags, metadata) */
	/* optional (additive): a Suricata rule's metadata entries, each "key value" (borrowed).
	 * EVE writes them as Suricata does, alert.metadata {key: [values]}, instead of tags. */
	const char *const *metadata;
	size_t n_metadata;
};

struct vg_event {
	enum vg_event_type type;
	int64_t ts_us;            /* event time, microseconds since the epoch (UTC) */

	/* Tenant attribution; NULL means the provider's own scope. */
	const char *tenant;

	/* ECS event.* */
	const char *category;     /* "intrusion_detection", "network", "authentication", ... */
	const char *action;       /* "port-scan", "syn-flood", "ssh-login-failed", ... */
	enum vg_outcome outcome;

	/* Network context; family VG_AF_NONE when absent. */
	struct vg_addr src, dst;
	uint16_t sport, dport;
	uint8_t proto;            /* IP protocol number; 0 when absent */
	uint8_t icmp_type, icmp_code;
	bool has_icmp;
	uint32_t vni;             /* overlay network id (VXLAN/Geneve VNI, ERSPAN session) */
	bool has_vni;
	uint16_t vlan[2];         /* outer first */
	uint8_t n_vlan;
	uint64_t flow_id;         /* 0 when not tied to a flow */
	uint64_t episode_id;      /* scan/flood episode; 0 when none */
	const char *app_proto;

	/* Who and where (log events). */
	const char *user;
	const char *host;         /* host.name of the reporting host */
	const char *service;      /* "sshd", "sudo", "nginx", "keystone" */
	const char *process;
	int64_t pid;              /* -1 when absent */
	const char *message;      /* the original text line, for log events */
	const char *source_name;  /* input file / receiver it came from */

	struct vg_ev_rule rule;   /* alerts */
	union {
		struct vg_ev_scan scan;
		struct vg_ev_flood flood;
		struct vg_ev_flow flow;
		struct vg_ev_anomaly anomaly;
	} u;

	/* Optional JSON object (borrowed) whose members are added to the encoding's top
	 * level, e.g. {"http": {...}} for app-layer metadata or {"stats": {...}}. */
	json_t *extra;
	/* Optional (additive): more top-level members already encoded as JSON text,
	 * "k":v,"k2":v2 (extra_json_len bytes, borrowed), written after extra's. Lets a
	 * producer of many alerts skip building a jansson tree; its names must not be ones
	 * the encoders reserve (they are written as they are). */
	const char *extra_json;
	size_t extra_json_len;
};

/* Zero an event and set the fields whose "absent" value is not zero. */
void vg_event_init(struct vg_event *ev, enum vg_event_type type, int64_t ts_us);

/* A sink receives events; it must not keep pointers past the call. Returns 0 or VG_E*;
 * a failing sink stops nothing, the producer counts the failure. */
struct vg_event_sink {
	int (*emit)(void *ctx, const struct vg_event *ev);
	void *ctx;
};

static inline int vg_event_emit(const struct vg_event_sink *s, const struct vg_event *ev)
{
	return s && s->emit ? s->emit(s->ctx, ev) : 0;
}

const char *vg_event_type_name(enum vg_event_type t); /* EVE event_type: "alert", "flow", ... */
const char *vg_detector_name(enum vg_detector d);       /* "scan", "flood", ... */
const char *vg_outcome_name(enum vg_outcome o);         /* "success", ... or NULL */

#endif
