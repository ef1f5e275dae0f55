/* app-http2.h — HTTP/2 (RFC 9113) over a TCP stream: the connection preface, frames
 * (DATA HEADERS PRIORITY RST_STREAM SETTINGS PUSH_PROMISE PING GOAWAY WINDOW_UPDATE
 * CONTINUATION), padding, header blocks decoded with HPACK (app-hpack.h), one
 * transaction per stream.
 *
 * Each stream is presented as a struct vg_http_tx (app.h), so the HTTP keywords and the
 * EVE "http" object work on HTTP/2 as they do on HTTP/1 (as Suricata maps them):
 * :method → method, :path → uri_raw/uri_norm, :authority (or host) → host_raw/host,
 * :status → status, the other fields → headers, DATA → bodies (first body_max bytes).
 * The request line reads "METHOD PATH HTTP/2", the response line "HTTP/2 STATUS".
 *
 * Frames up to VG_HTTP2_MAX_FRAME_BUFFER payload bytes are buffered across segments; a
 * longer frame raises long_frame_data (as Suricata does), its first part is used and
 * the rest skipped, so framing is kept. Bad input raises the anomalies below, counted. */
#ifndef VG_APP_HTTP2_H
#define VG_APP_HTTP2_H

#include "app/app.h"

#define VG_HTTP2_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define VG_HTTP2_PREFACE_LEN 24u
#define VG_HTTP2_DEFAULT_MAX_FRAME 16384u /* SETTINGS_MAX_FRAME_SIZE initial value */

enum {
	VG_HTTP2_DATA = 0, VG_HTTP2_HEADERS, VG_HTTP2_PRIORITY, VG_HTTP2_RST_STREAM,
	VG_HTTP2_SETTINGS, VG_HTTP2_PUSH_PROMISE, VG_HTTP2_PING, VG_HTTP2_GOAWAY,
	VG_HTTP2_WINDOW_UPDATE, VG_HTTP2_CONTINUATION,
};

/* Anomalies, with Suricata's app-layer event names (vg_http2_anomaly_name). */
enum vg_http2_anomaly {
	VG_HTTP2_AN_INVALID_FRAME_HEADER = 0, /* frame on the wrong stream (0 or not 0) */
	VG_HTTP2_AN_INVALID_CLIENT_MAGIC,     /* the client did not start with the preface */
	VG_HTTP2_AN_INVALID_FRAME_DATA,       /* padding past the frame, SETTINGS not 6-byte entries */
	VG_HTTP2_AN_INVALID_HEADER,           /* HPACK error or a header block cut short */
	VG_HTTP2_AN_INVALID_FRAME_LENGTH,     /* fixed-size frame of the wrong size */
	VG_HTTP2_AN_LONG_FRAME_DATA,          /* frame longer than VG_HTTP2_MAX_FRAME_BUFFER */
	VG_HTTP2_AN_STREAM_ID_REUSE,          /* new request on a stream id already used */
	VG_HTTP2_AN_TOO_MANY_STREAMS,         /* VG_HTTP2_MAX_STREAMS / state bytes: oldest ended */
	VG_HTTP2_AN__COUNT
};
const char *vg_http2_anomaly_name(enum vg_http2_anomaly a); /* "long_frame_data", ... */

struct vg_http2_stats {
	uint64_t frames, frames_by_type[10], unknown_frames;
	uint64_t anomalies[VG_HTTP2_AN__COUNT];
	uint64_t streams, frame_too_large;   /* past the peer's SETTINGS_MAX_FRAME_SIZE (kept) */
	uint64_t header_block_truncated;     /* past VG_HTTP2_MAX_HEADER_BLOCK */
	uint64_t continuation_unexpected, continuation_missing;
	uint64_t data_unknown_stream, trailers, body_truncated, too_many_headers;
	uint64_t rst_streams, goaways, gaps, gaps_in_frame;
	/* (additive) Content-Encoding of DATA, as vg_http_stats counts them for HTTP/1 */
	uint64_t inflate_error, inflate_bomb, inflate_limit, encoding_unsupported;
};

/* Transaction callback: what is VG_HTTP_EV_REQUEST (request complete: END_STREAM from
 * the client, or a pushed request) or VG_HTTP_EV_DONE (both sides ended, RST_STREAM,
 * eviction or EOF; freed after the call). tx is borrowed for the call. */
typedef void (*vg_http2_tx_cb)(void *ctx, const struct vg_http_tx *tx, uint32_t stream_id, unsigned what);
/* Anomaly callback: dir is the direction whose bytes raised it. */
typedef void (*vg_http2_anomaly_cb)(void *ctx, int dir, enum vg_http2_anomaly a);

struct vg_http2_state;
/* body_max is clamped to VG_HTTP_MAX_BODY (0 = that maximum). Callbacks may be NULL.
 * Caller frees with vg_http2_state_free(). NULL on allocation failure. */
struct vg_http2_state *vg_http2_state_new(size_t body_max, vg_http2_tx_cb cb, vg_http2_anomaly_cb acb, void *ctx);
/* Frees open streams without callbacks (call vg_http2_eof for both directions first to
 * have them reported). NULL is a no-op. */
void vg_http2_state_free(struct vg_http2_state *st);
/* Bytes of dir in order, any chunking. The client side starts with the preface. 0, or
 * VG_EINVAL once the direction cannot be parsed (bad preface, lost framing); later
 * bytes of it are ignored. VG_ENOMEM. */
int vg_http2_parse(struct vg_http2_state *st, int dir, const uint8_t *data, size_t len);
/* len bytes missing in dir: inside the current frame's payload the frame is skipped and
 * framing kept; otherwise the direction stops being parsed. */
void vg_http2_gap(struct vg_http2_state *st, int dir, size_t len);
/* dir ended: its unfinished messages are marked incomplete; streams whose both sides
 * have ended are reported DONE. */
void vg_http2_eof(struct vg_http2_state *st, int dir);
const struct vg_http2_stats *vg_http2_stats(const struct vg_http2_state *st);
/* (additive) h2c (RFC 7540 3.2): the HTTP/1 request h1 that was upgraded by a 101 becomes
 * stream 1, its client side complete (VG_HTTP_EV_REQUEST reported now); its response
 * comes in HTTP/2 frames. Call before the server's HTTP/2 bytes. The server side needs
 * no preface; the client side still starts with it. 0, VG_EINVAL (stream 1 exists),
 * VG_ENOMEM. h1 is only read. */
int vg_http2_upgrade(struct vg_http2_state *st, const struct vg_http_tx *h1);

/* EVE: vg_http_tx_eve()'s {"http": {...}} (protocol "HTTP/2") plus "http2":
 * {"stream_id": N}. New reference; NULL on allocation failure. */
json_t *vg_http2_tx_eve(const struct vg_http_tx *tx, uint32_t stream_id);

#endif
