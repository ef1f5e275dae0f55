/* stream.h — TCP stream reassembly, one struct vg_stream per flow, two directions.
 *
 * The caller (the flow layer) hands every TCP segment of a flow to vg_stream_segment()
 * with its direction; the stream delivers the bytes in sequence order, exactly once, to
 * a callback, and keeps a window of raw reassembled bytes per direction for tcp-stream
 * inspection. It knows nothing of the flow table: everything arrives as arguments.
 *
 * Policy (docs/app-layer.md has the long form):
 *  - Sequence numbers use 32-bit wraparound arithmetic everywhere.
 *  - The initial sequence number is learned from the direction's SYN. Without a SYN the
 *    direction is not tracked (Suricata's default "midstream: false") unless
 *    cfg.midstream is set, in which case the first segment seen starts the stream.
 *  - Retransmissions of bytes already delivered or buffered are ignored (counted).
 *  - Overlaps: VG_STREAM_POLICY_FIRST (default, like Suricata's "bsd"): bytes received
 *    first win. VG_STREAM_POLICY_LAST ("linux"-like last-wins): a later segment
 *    overwrites bytes still buffered. Bytes already delivered never change under either
 *    policy. Overlapping bytes that differ are counted (overlap_diff): an evasion sign.
 *  - Gaps: a hole is declared a gap when more than cfg.gap_bytes are buffered past it,
 *    when the segment cap is hit, when it is older than cfg.gap_timeout_us, or when the
 *    direction closes (RST, vg_stream_flush). The callback gets VG_STREAM_CB_GAP with the
 *    hole's size, and delivery resumes after it. The raw window is cleared at a gap so a
 *    tcp-stream match never spans missing bytes.
 *  - FIN: the direction closes once every byte before the FIN has been delivered (holes
 *    before it wait for the gap rules). RST closes both directions at once, declaring
 *    gaps for every hole, unless its sequence number is more than
 *    VG_STREAM_MAX_SEQ_AHEAD away (ignored, counted). Data after close is ignored
 *    (counted).
 *  - Memory: out-of-order segments and raw windows count against a per-flow cap and a
 *    global cap (struct vg_stream_ctx). A segment that would exceed either is dropped and
 *    counted; its bytes become a gap later. In-order data is delivered without copying.
 *
 * Not thread-safe: one vg_stream_ctx per worker thread, its streams used by that thread. */
#ifndef VG_STREAM_H
#define VG_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vg_stream_policy {
	VG_STREAM_POLICY_FIRST = 0, /* first received wins ("bsd"), the default */
	VG_STREAM_POLICY_LAST,      /* last received wins for buffered bytes ("linux"-like) */
};

enum { VG_STREAM_TOSERVER = 0, VG_STREAM_TOCLIENT = 1 };

/* TCP flag bits as in the header (same values as decode.h's tcp_flags). */
enum {
	VG_STREAM_FIN = 0x01, VG_STREAM_SYN = 0x02, VG_STREAM_RST = 0x04, VG_STREAM_ACK = 0x10,
};

struct vg_stream_config {
	enum vg_stream_policy policy;
	bool midstream;          /* pick up streams without a SYN */
	uint32_t max_segments;   /* out-of-order segments per direction; ≤ VG_STREAM_MAX_SEGMENTS */
	uint64_t flow_memcap;    /* bytes per flow; ≤ VG_STREAM_MAX_FLOW_MEMCAP */
	uint64_t memcap;         /* bytes for all flows of the ctx; ≤ VG_STREAM_MAX_MEMCAP */
	uint32_t gap_bytes;      /* buffered bytes past a hole before it is a gap */
	int64_t gap_timeout_us;  /* age of a hole before it is a gap; 0 disables */
	uint32_t raw_window;     /* raw bytes kept per direction; 0 disables; ≤ VG_STREAM_MAX_RAW_WINDOW */
};

/* Defaults from limits.h (policy first, midstream off). */
void vg_stream_config_default(struct vg_stream_config *cfg);

/* Counters, global per ctx (the stats of a worker). */
struct vg_stream_stats {
	uint64_t streams, segments, bytes;
	uint64_t retrans;        /* segments whose bytes were all seen before */
	uint64_t overlaps;       /* segments overlapping buffered or delivered bytes */
	uint64_t overlap_diff;   /* ... with different bytes (evasion attempt or corruption) */
	uint64_t gaps, gap_bytes;
	uint64_t memcap_flow;    /* segments dropped: per-flow cap */
	uint64_t memcap_global;  /* segments dropped or streams refused: global cap */
	uint64_t seg_limit;      /* times the segment cap forced a gap */
	uint64_t no_syn;         /* segments ignored: direction without SYN, midstream off */
	uint64_t out_of_window;  /* segments ignored: more than VG_STREAM_MAX_SEQ_AHEAD ahead */
	uint64_t after_close;    /* segments with data after the direction closed */
	uint64_t raw_dropped;    /* raw window bytes discarded unread to make room */
	uint64_t alloc_fail;
};

struct vg_stream_ctx;
struct vg_stream;

/* Callback flags. */
enum {
	VG_STREAM_CB_DATA = 1, /* data/len are the next bytes in order (borrowed for the call) */
	VG_STREAM_CB_GAP = 2,  /* len bytes are missing; data is NULL */
	VG_STREAM_CB_EOF = 4,  /* the direction closed; data NULL, len 0 */
};
typedef void (*vg_stream_cb)(void *cb_ctx, int dir, unsigned what, const uint8_t *data, size_t len);

/* cfg values are clamped to limits.h; NULL means defaults. Caller frees with
 * vg_stream_ctx_free(). NULL on allocation failure. */
struct vg_stream_ctx *vg_stream_ctx_new(const struct vg_stream_config *cfg);
void vg_stream_ctx_free(struct vg_stream_ctx *ctx);  /* all streams must be freed first */
const struct vg_stream_stats *vg_stream_ctx_stats(const struct vg_stream_ctx *ctx);
uint64_t vg_stream_ctx_memuse(const struct vg_stream_ctx *ctx);

/* A flow's stream. cb may be NULL (raw window only). VG_ENOMEM when the global memcap is
 * hit (counted) or allocation fails. *out zeroed on entry; caller frees with
 * vg_stream_free(), which returns the memory to ctx. ctx must outlive the stream. */
int vg_stream_new(struct vg_stream_ctx *ctx, vg_stream_cb cb, void *cb_ctx, struct vg_stream **out);
void vg_stream_free(struct vg_stream *s);

/* One TCP segment in direction dir (VG_STREAM_TOSERVER/TOCLIENT). payload is borrowed
 * for the call. Returns 0 when the segment was accepted (even if it was all
 * retransmission), VG_ESTATE when the direction is not tracked (no SYN, midstream off)
 * or already closed, VG_ERANGE when it lies outside the accepted window, VG_ENOMEM when
 * (part of) it was dropped by a memcap, VG_EINVAL on bad arguments. All are counted. */
int vg_stream_segment(struct vg_stream *s, int dir, uint32_t seq, uint8_t tcp_flags,
		      const uint8_t *payload, uint32_t len, int64_t ts_us);

/* Declare every remaining hole a gap, deliver what is buffered, close both directions
 * (EOF callbacks). For flow timeout/end of capture. */
void vg_stream_flush(struct vg_stream *s);

/* Per-direction state for detection keywords and tests. */
struct vg_stream_dir_info {
	bool started, midstream, closed, fin_seen, rst_seen;
	uint32_t isn;
	uint32_t next_seq;        /* the next byte to deliver */
	uint64_t bytes_seen;      /* payload bytes received, retransmissions included */
	uint64_t bytes_delivered; /* bytes delivered in order (stream_size) */
	uint64_t gaps, gap_bytes;
	uint32_t segments_buffered;
	uint64_t bytes_buffered;
};
int vg_stream_dir_info(const struct vg_stream *s, int dir, struct vg_stream_dir_info *out);

/* Raw reassembled bytes of a direction not yet released: *data borrowed until the next
 * vg_stream_segment/flush/raw_release call; *seq is the sequence number of the first. */
int vg_stream_raw(const struct vg_stream *s, int dir, const uint8_t **data, size_t *len, uint32_t *seq);
/* Drop the first n raw bytes (inspected). n larger than held releases all. */
void vg_stream_raw_release(struct vg_stream *s, int dir, size_t n);

/* Bytes held by this stream (segments, raw windows), for tests and flow accounting. */
uint64_t vg_stream_memuse(const struct vg_stream *s);

#endif
