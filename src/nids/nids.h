/* nids.h — the packet path of vigil's network IDS, composed from its parts.
 *
 * One struct vg_nids owns, for one packet-processing thread: fragment reassembly
 * (decode-defrag.h), the flow table (flow.h), TCP reassembly and the application-layer
 * parsers per flow (stream.h, app.h), the scan and flood detectors (detect-scan.h,
 * detect-flood.h) and the tenant attribution of every packet (core-tenant.h). A caller
 * (vigil analyze, later the daemon) feeds it raw frames from a capture; everything the
 * parts report comes out as struct vg_event through one sink, in packet-time order per
 * flow:
 *
 *   frame → decode → anomalies (VG_EVT_ANOMALY, rate-limited per type, all counted)
 *         → defrag (fragments held; the rebuilt datagram continues in their place)
 *         → flow table, tenant (the flow's: its first packet's destination's tenant,
 *           else the source's, on the packet's VNI/VLAN)
 *         → scan + flood detectors (VG_EVT_ALERT / VG_EVT_EPISODE)
 *         → TCP stream → app layer (VG_EVT_HTTP/DNS/TLS/SSH)
 *         → flow records on expiry (VG_EVT_FLOW)
 *
 * Time is packet time throughout: timers (flow timeouts, episode ends, fragment expiry)
 * advance with the packets, at most once per packet-time second, so an offline run is
 * deterministic. A live caller with no packets calls vg_nids_idle() with a clock of its
 * own so that idle flows and episodes still end.
 *
 * The signature engine, IoC matching and behavioural analysis, when set, run inside this
 * path (packets, app-layer events, flow ends, timers). Not thread-safe: one vg_nids per packet thread. */
#ifndef VG_NIDS_H
#define VG_NIDS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core-config.h"
#include "core/core-event.h"
#include "core/core-tenant.h"
#include "decode/decode-defrag.h"
#include "detect/detect-flood.h"
#include "detect/detect-ioc.h"
#include "detect/detect-nba.h"
#include "detect/detect-scan.h"
#include "flow/flow.h"
#include "stream/stream.h"

/* Which event types reach the sink (alerts and episodes always do). */
enum {
	VG_NIDS_OUT_FLOW = 1u << 0,
	VG_NIDS_OUT_ANOMALY = 1u << 1,
	VG_NIDS_OUT_APP = 1u << 2,   /* http, dns, tls, ssh */
	VG_NIDS_OUT_STATS = 1u << 3,
	VG_NIDS_OUT_ALL = 0xfu,
};

struct vg_nids_config {
	struct vg_flow_config flow;
	struct vg_stream_config stream;
	struct vg_defrag_config defrag;
	struct vg_detect_scan_config scan;
	struct vg_detect_flood_config flood;
	bool scan_enabled;          /* detect.scan.enabled, default true */
	bool flood_enabled;         /* detect.flood.enabled, default true */
	bool app_enabled;           /* app-layer.enabled, default true: streams + parsers */
	struct vg_nba_config nba;   /* detect.nba.* (tenants are set by vg_nids_new) */
	bool nba_enabled;           /* detect.nba.enabled, default false */
	uint32_t anomaly_rate;      /* outputs.anomaly.rate-limit, default 100: anomaly events
	                             * per type and packet-time second; the rest are counted
	                             * (suppressed) only. 0: no limit */
	unsigned outputs;           /* VG_NIDS_OUT_*, from outputs.types */
	int64_t stats_interval_us;  /* outputs.stats.interval, default 0: one record at the end */
};

/* Keys read by vg_nids_config_load (flow.* included), for vg_config_check_known. */
extern const char *const vg_nids_config_keys[];

/* "flow", "anomaly", "app" (or "http", "dns", "tls", "ssh"), "stats", "all" → VG_NIDS_OUT_*;
 * 0 for an unknown name. */
unsigned vg_nids_output_type(const char *name);

/* Defaults for everything. */
void vg_nids_config_default(struct vg_nids_config *cfg);
/* Defaults, then the keys under root (may be NULL). An error names file:line:key in err.
 * 0 or VG_E*. */
int vg_nids_config_load(const struct vg_cfg_node *root, struct vg_nids_config *cfg,
			struct vg_config_err *err);

struct vg_nids_stats {
	uint64_t packets, bytes;        /* frames offered */
	uint64_t invalid;               /* frames without a usable IP layer (not tracked) */
	uint64_t fragments, reassembled;
	uint64_t anomalies;             /* anomalies recorded on packets */
	uint64_t anomaly_events;        /* ... reported as events */
	uint64_t anomaly_suppressed;    /* ... not reported: rate limit */
	uint64_t anomalies_by_type[VG_AN__COUNT];
	uint64_t tenant_packets;        /* packets attributed to a tenant */
	uint64_t flow_refused;          /* packets the flow table could not take (memcap) */
	uint64_t app_events;            /* http/dns/tls/ssh events */
	uint64_t app_flows_refused;     /* flows without app-layer state: stream memcap */
	uint64_t events, event_errors;  /* events emitted, refused by the sink */
	uint64_t alerts;
	uint64_t timelines;             /* vg_nids_restart calls */
	uint64_t restart_failed;        /* ... that could not rebuild a detector (ENOMEM) */
};

struct vg_nids;

/* tenants and sink are borrowed and must outlive the nids (tenants may be NULL: every
 * packet is in the provider's scope). cfg NULL: defaults. 0, VG_ENOMEM, VG_EIO (no
 * random source). Caller frees *out with vg_nids_free(). */
int vg_nids_new(const struct vg_nids_config *cfg, const struct vg_tenants *tenants,
		const struct vg_event_sink *sink, struct vg_nids **out);
/* Finish first to get the last flows and episodes. NULL is a no-op. */
void vg_nids_free(struct vg_nids *n);

/* One frame of the given link type (decode.h VG_LINK_*), borrowed for the call. ts_us is
 * capture time. Returns 0; the frame's problems are counted and reported, never fatal. */
int vg_nids_packet(struct vg_nids *n, int linktype, const uint8_t *data, uint32_t caplen,
		   uint32_t wirelen, int64_t ts_us);
/* A batch of frames of one link type, borrowed for the call, processed in order with the
 * same results as vg_nids_packet on each: the frames are decoded and their flow lookups
 * prepared first, so the flow table's cache misses overlap (flow.h, "Batched lookups").
 * For offline reading, where frames are at hand. A frame with data NULL is skipped.
 * Returns 0 or VG_EINVAL. */
#define VG_NIDS_BATCH 16u
struct vg_nids_frame {
	const uint8_t *data;
	uint32_t caplen, wirelen;
	int64_t ts_us;
};
int vg_nids_packets(struct vg_nids *n, int linktype, const struct vg_nids_frame *frames,
		    unsigned count);
/* The same in two steps, for a reader that decodes on another thread than the packet
 * path's: vg_nids_decode decodes the frame and computes its flow lookup key and hash
 * (vg_flow_prepare). It reads only its arguments and n's flow table hash key, which is
 * fixed from vg_nids_new to vg_nids_free, so it may run on any thread while n exists.
 * vg_nids_packets_decoded then does with the decoded frames exactly what vg_nids_packets
 * does with the frames. Each d[i].pkt points into its frame's data, which must stay valid
 * for the vg_nids_packets_decoded call. */
struct vg_nids_decoded {
	struct vg_packet pkt;
	struct vg_flow_lookup lk; /* valid when rc is 0 and pkt is not VG_PKT_INVALID */
	int rc;     /* vg_decode_packet's result */
	bool skip;  /* the frame had no data: skipped, as by vg_nids_packets */
};
void vg_nids_decode(const struct vg_nids *n, int linktype, const struct vg_nids_frame *frame,
		    struct vg_nids_decoded *out);
int vg_nids_packets_decoded(struct vg_nids *n, struct vg_nids_decoded *d, unsigned count);
/* A new timeline (the next packets are older than the last ones, e.g. an unrelated
 * capture file): flows are flushed (reason "shutdown"), episodes closed, fragments
 * dropped, and packet time starts over with the next packet. Counters continue. */
void vg_nids_restart(struct vg_nids *n);
/* Live capture idle: run the timers at now_us (never earlier than the last packet). */
void vg_nids_idle(struct vg_nids *n, int64_t now_us);
/* End of input: flush streams and flows (reason "shutdown"), close open episodes, and
 * emit a final stats record when stats are output. */
void vg_nids_finish(struct vg_nids *n);

/* Signatures (detect-sig.h): e is borrowed and must outlive n; call before the first
 * packet (it registers the engine's flow storage) — VG_ESTATE after. Alerts go to n's
 * sink. One engine per nids: VG_ESTATE when one is set already, VG_EINVAL for NULL. */
struct vg_sig_engine;
int vg_nids_set_signatures(struct vg_nids *n, struct vg_sig_engine *e);

/* IoC sets (detect-ioc.h): ref is borrowed and must outlive n (NULL: no IoC matching).
 * The set current at each lookup is used, so a reload is vg_ioc_publish(ref, ...) between
 * packets; flows are not touched. A flow's addresses are looked up on its first packet;
 * DNS queries, HTTP host and URL, TLS SNI and JA3/JA3S on each app-layer event. */
void vg_nids_set_ioc(struct vg_nids *n, struct vg_ioc_ref *ref);

void vg_nids_get_stats(const struct vg_nids *n, struct vg_nids_stats *out);
/* Stats as a JSON object in EVE's "stats" shape ({"decoder": {...}, "flow": {...},
 * "tcp": {...}, "app_layer": {...}, "detect": {...}}). New reference or NULL. */
json_t *vg_nids_stats_json(const struct vg_nids *n);
/* Time of the last packet (or idle tick). */
int64_t vg_nids_now(const struct vg_nids *n);

#endif
