/* flow.h — the bidirectional flow table.
 *
 * Packets (struct vg_packet, decode.h) are grouped into flows keyed by overlay identity
 * (VNI, VLAN ids), addresses, ports and protocol, normalized so that both directions find
 * the same flow. The table is what an attacker fills first, so (STYLE.md 3) it is keyed
 * with a per-table random SipHash key, its memory is capped (flow.memcap), and hitting the
 * cap triggers a configured, counted policy: evict the oldest flow, or enter emergency
 * mode (short timeouts, prune, drop new flows while still full).
 *
 * Time is packet time (now_us given by the caller, normally the packet's ts_us), never the
 * wall clock, so offline runs are deterministic (flow ids too: they count from 1).
 *
 * Records live in one preallocated pool (an anonymous mapping sized from the memcap,
 * touched only as flows are created): no allocation per packet. Timeouts use one LRU
 * list per timeout class, so vg_flow_timeout() costs O(classes + flows expired).
 *
 * A flow that ends (timeout, eviction, flush, TCP port reuse) is reported as a VG_EVT_FLOW
 * event through the sink given at creation, then its extension storage is freed.
 * Not thread-safe: one table per packet-processing thread. */
#ifndef VG_FLOW_H
#define VG_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core-event.h"
#include "core/limits.h"
#include "decode/decode.h"

struct vg_flow_table;

enum vg_flow_policy {
	VG_FLOW_POLICY_EVICT_OLDEST = 0, /* "evict-oldest": the least recently seen flow ends (reason "memcap") */
	VG_FLOW_POLICY_EMERGENCY,        /* "emergency": emergency timeouts, prune; drop new flows while full */
};

/* Timeouts in seconds (packet time). Defaults (vg_flow_config_default):
 *   tcp: new 30, established 600, closed 10   emergency: 10, 100, 5
 *   udp: new 30, established 300              emergency: 10, 100
 *   icmp/other: new 30, established 300       emergency: 10, 100
 * "new" covers a TCP flow before its handshake completes and UDP/ICMP/other before both
 * sides have sent; "closed" covers TCP after a FIN or RST. TCP established is 600 s rather
 * than Suricata's 3600 s: an idle hour-long flow held per scanner probe is what fills a
 * table under attack, and a long-lived flow that resumes only starts a new record. */
struct vg_flow_timeouts {
	uint32_t tcp_new, tcp_est, tcp_closed;
	uint32_t udp_new, udp_est;
	uint32_t other_new, other_est; /* ICMP and other IP protocols */
};

struct vg_flow_config {
	uint64_t memcap;              /* bytes; clamped to [VG_FLOW_MIN_MEMCAP, VG_FLOW_MAX_MEMCAP] */
	enum vg_flow_policy policy;
	struct vg_flow_timeouts timeouts, emergency;
	/* Emergency mode ends when the table is at most this % full (Suricata's
	 * emergency-recovery is 30 % free, i.e. 70). */
	uint32_t emergency_recovery_pct;
};

/* Fill cfg with the defaults above (memcap VG_FLOW_DEFAULT_MEMCAP, evict-oldest). */
void vg_flow_config_default(struct vg_flow_config *cfg);
/* "evict-oldest" / "emergency" → policy; 0 or VG_EINVAL. */
int vg_flow_policy_parse(const char *s, enum vg_flow_policy *out);

/* TCP tracking states. */
enum vg_flow_tcp_state {
	VG_TCP_NONE = 0,     /* no handshake seen (UDP/ICMP flows stay here) */
	VG_TCP_SYN_SENT,
	VG_TCP_SYN_RECV,
	VG_TCP_ESTABLISHED,
	VG_TCP_FIN_WAIT,     /* one side sent FIN */
	VG_TCP_CLOSING,      /* both sides sent FIN, last ACK not yet seen */
	VG_TCP_CLOSED,       /* FIN exchange complete or RST */
};

enum { VG_FLOW_TOSERVER = 0, VG_FLOW_TOCLIENT = 1 };

/* Flow key, normalized: (a1, p1) <= (a2, p2). No padding, compared with memcmp. */
struct vg_flow_key {
	uint8_t a1[16], a2[16];
	uint16_t p1, p2;
	uint32_t vni;
	uint16_t vlan[2];
	uint8_t proto, family, has_vni, n_vlan;
};

/* Flow flag bits (vg_flow.flags). */
enum {
	VG_FLOW_F_INIT_A1 = 1u << 0,   /* the initiator is key.a1/p1 */
	VG_FLOW_F_SEEN_TS = 1u << 1,   /* a packet was seen to server */
	VG_FLOW_F_SEEN_TC = 1u << 2,   /* ... and to client */
	VG_FLOW_F_FIN_TS = 1u << 3,    /* FIN sent by the client */
	VG_FLOW_F_FIN_TC = 1u << 4,    /* FIN sent by the server */
	VG_FLOW_F_ACK_TS = 1u << 5,    /* ACK seen to server (midstream pick-up) */
	VG_FLOW_F_ACK_TC = 1u << 6,
	VG_FLOW_F_RST = 1u << 7,
};

/* One flow. Read-only for callers except tenant, app_proto, alerted and caller_flags, which the
 * pipeline sets (tenant once, when vg_flow_is_new()). Storage is reached through
 * vg_flow_storage_get/_set. Pointers (tenant, app_proto) are borrowed: they must outlive
 * the table (static strings or the tenant registry). */
struct vg_flow {
	/* Cache line 1: what a lookup reads. */
	struct vg_flow_key key;
	uint32_t hnext;            /* hash chain: pool index + 1, 0 ends */
	/* internal: keyed hash of key (chain checks, unlink, growth); in the key's cache
	 * line, so that walking a chain touches one line per record */
	uint32_t hash;
	uint32_t lprev, lnext;     /* timeout list links: pool index + 1 */
	/* Cache line 2: what every packet of the flow updates (and the pipeline reads), so
	 * that a packet of a known flow touches two lines of the record, not three. */
	int64_t last_us;
	uint64_t pkts[2], bytes[2]; /* [VG_FLOW_TOSERVER], [VG_FLOW_TOCLIENT] */
	const char *tenant;
	uint32_t lru_s;            /* internal: packet-time second (since the table's first
	                            * packet) when queued on its timeout list; <= last_us */
	uint8_t tcp_flags[2];      /* OR of TCP flags per direction */
	uint8_t tcp_state;         /* enum vg_flow_tcp_state */
	uint8_t flags;             /* VG_FLOW_F_* */
	uint8_t tclass;            /* timeout class (internal) */
	bool alerted;
	bool in_use;
	/* Bits owned by the caller (the packet pipeline), zero when the flow is created:
	 * what it learnt about the flow that lets it skip work on later packets. */
	uint8_t caller_flags;
	/* Cache line 3: set once, or used by the stream and app layers. */
	uint64_t flow_id;          /* unique in this table, from 1 */
	int64_t start_us;
	const char *app_proto;
	void *storage[VG_FLOW_MAX_STORAGE];
	/* Sequence number of the first SYN per direction (valid when tcp_flags[dir] has
	 * SYN): lets the pipeline start a flow's stream only at its first payload byte and
	 * still know the initial sequence numbers. */
	uint32_t syn_seq[2];
};

static inline bool vg_flow_is_new(const struct vg_flow *f)
{
	return f->pkts[0] + f->pkts[1] == 1;
}

struct vg_flow_stats {
	uint64_t flows_created;
	uint64_t flows_active;
	uint64_t flows_timeout;          /* ended by timeout */
	uint64_t flows_evicted;          /* ended by the evict-oldest policy (reason "memcap") */
	uint64_t flows_dropped_memcap;   /* packets that could not get a flow: table full */
	uint64_t flows_flushed;          /* ended by vg_flow_flush() */
	uint64_t flows_forced;           /* ended by TCP port reuse (reason "forced") */
	uint64_t emergency_mode_entered;
	uint64_t emergency_mode_exited;
	bool emergency_active;
	uint64_t pkts_untracked;         /* packets with no IP layer: not tracked */
	uint64_t events_failed;          /* flow records the sink refused */
	uint64_t memuse;                 /* bytes: records in use + hash buckets */
	uint64_t memcap;
	uint64_t max_flows;              /* records that fit in the memcap */
};

/* Create a table. cfg NULL means defaults; sink (copied; may be NULL) receives flow
 * records. Returns 0, VG_EINVAL, VG_ENOMEM, or VG_EIO (no random source). Caller frees
 * *out with vg_flow_table_free(). */
int vg_flow_table_new(const struct vg_flow_config *cfg, const struct vg_event_sink *sink,
		      struct vg_flow_table **out);
/* Flushes nothing: call vg_flow_flush(t, "shutdown") first to get the last records.
 * Frees remaining storage. NULL is a no-op. */
void vg_flow_table_free(struct vg_flow_table *t);

/* Find or create the flow of pkt and account the packet to it (counters, TCP state).
 * *flow_out is borrowed until the next call that may end flows (handle_packet, timeout,
 * flush); *dir_out is VG_FLOW_TOSERVER or VG_FLOW_TOCLIENT. now_us is packet time.
 * Returns 0; VG_EINVAL when the packet has no IP layer (counted, not tracked);
 * VG_EFULL when the table is full and the policy dropped it (counted). */
int vg_flow_handle_packet(struct vg_flow_table *t, const struct vg_packet *pkt, int64_t now_us,
			  struct vg_flow **flow_out, int *dir_out);

/* Batched lookups: a caller holding several packets computes each one's key and hash
 * (vg_flow_prepare), then hands them to vg_flow_handle_prepared in order, prefetching
 * the hash bucket of a packet a few ahead (vg_flow_prefetch_bucket) and the head record
 * of the next one (vg_flow_prefetch_record, once its bucket is in cache) before handling
 * the current one. The cache misses of the bucket and of the record then
 * overlap with other packets' work instead of stalling each lookup in turn. The result
 * is exactly vg_flow_handle_packet's: the key and hash depend only on the packet and the
 * table's hash key, and the prefetches are hints. */
struct vg_flow_lookup {
	struct vg_flow_key key;
	uint32_t hash;
	bool is_a1;   /* the packet's source is key side 1 */
	bool valid;   /* false: the packet has no IP layer (vg_flow_handle_prepared counts it) */
};
void vg_flow_prepare(const struct vg_flow_table *t, const struct vg_packet *pkt,
		     struct vg_flow_lookup *lk);
void vg_flow_prefetch_bucket(const struct vg_flow_table *t, const struct vg_flow_lookup *lk);
void vg_flow_prefetch_record(const struct vg_flow_table *t, const struct vg_flow_lookup *lk);
/* vg_flow_handle_packet for a packet prepared with vg_flow_prepare (same table). */
int vg_flow_handle_prepared(struct vg_flow_table *t, const struct vg_packet *pkt,
			    const struct vg_flow_lookup *lk, int64_t now_us,
			    struct vg_flow **flow_out, int *dir_out);

/* End every flow whose timeout has passed at now_us (reason "timeout"). Call every packet
 * or every few; cost is O(timeout classes + flows ended). A flow is reported at most 1 s
 * after its timeout (lists are ordered to the second), never before; its record carries
 * the exact last-seen time. Also leaves emergency mode once the table has recovered.
 * Live capture: when vg_capture_next() times out with no packet, call this with the last
 * packet time advanced by the idle wall-clock time, so idle flows still end.
 * Returns the number of flows ended. */
uint64_t vg_flow_timeout(struct vg_flow_table *t, int64_t now_us);

/* End every flow now (reason: "shutdown" at end of input, "forced" otherwise; the string
 * is borrowed for the call). Returns the number of flows ended. */
uint64_t vg_flow_flush(struct vg_flow_table *t, const char *reason);

void vg_flow_table_stats(const struct vg_flow_table *t, struct vg_flow_stats *out);

/* Extension storage. Register slots before the first packet; free_fn (may be NULL) is
 * called on a non-NULL value when its flow ends or the table is freed. Returns a slot id
 * >= 0, or VG_EFULL after VG_FLOW_MAX_STORAGE slots, VG_ESTATE once flows exist. */
int vg_flow_storage_register(struct vg_flow_table *t, void (*free_fn)(void *));
/* Slot value or NULL (also for an invalid id). */
void *vg_flow_storage_get(const struct vg_flow *f, int id);
/* Store v in the slot; the flow owns it from now on (freed with free_fn). Setting over a
 * non-NULL value does not free the old one: the caller does. 0 or VG_EINVAL. */
int vg_flow_storage_set(struct vg_flow *f, int id, void *v);

/* A hook run when a flow ends, BEFORE its VG_EVT_FLOW record is emitted and its storage
 * freed: the place to flush a stream (vg_stream_flush) and finish app-layer parsing, so
 * that their last events precede the flow record and app_proto/alerted set here appear
 * in it. f is valid for the call only; the hook must not call back into the table.
 * reason is "timeout", "memcap", "forced" or the flush reason. fn NULL removes it. */
void vg_flow_set_end_hook(struct vg_flow_table *t,
			  void (*fn)(void *ctx, struct vg_flow *f, const char *reason), void *ctx);

/* "new", "established", "closed" (the EVE flow.state values) for a flow's state. */
const char *vg_flow_state_name(const struct vg_flow *f);
/* TCP state as text: "none", "syn_sent", "syn_recv", "established", "fin_wait", "closing", "closed". */
const char *vg_flow_tcp_state_name(unsigned s);

/* The event the flow would emit if it ended now with this reason: for callers that log
 * flows themselves (e.g. alerts carrying flow context). src/dst are the client/server. */
void vg_flow_fill_event(const struct vg_flow *f, const char *reason, int64_t ts_us,
			struct vg_event *ev);

#endif
