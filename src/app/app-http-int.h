/* app-http-int.h — internal to src/app: app-http.c's HTTP message set-up and its streaming,
 * bounded body inflater
 * (Content-Encoding gzip / x-gzip / deflate / x-deflate), shared with app-http2.c so that
 * HTTP/2 DATA is decoded exactly as HTTP/1 bodies are (docs/app-layer.md, "Content
 * decoding"): the same bounds (VG_HTTP_MAX_INFLATE_OUT, the bomb ratio), the same
 * handling of bad data, the same result however the bytes were split. Not for use
 * outside src/app. */
#ifndef VG_APP_HTTP_INT_H
#define VG_APP_HTTP_INT_H

#include "app/app.h"

/* zlib state with its 32 KiB window and the pending bytes: about what one costs, for the
 * callers' state accounting */
#define VG_HTTP_INFLATER_BYTES (48u * 1024u)

/* An empty message with its buffers at their HTTP/1 bounds (VG_HTTP_MAX_*), for the
 * HTTP/1 and HTTP/2 transactions alike; vg_http_msg_free releases the buffers. */
void vg_http_msg_init(struct vg_http_msg *m);
void vg_http_msg_free(struct vg_http_msg *m);

struct vg_http_inflater;

/* m's headers are complete: sets m->encoding from its Content-Encoding (an unsupported
 * or stacked coding is counted in ss->encoding_unsupported) and returns a new inflater
 * for its body, or NULL when the body is not encoded (or without memory: the body is then
 * kept as sent). Caller frees with vg_http_inflater_free(). */
struct vg_http_inflater *vg_http_inflater_start(struct vg_http_msg *m, struct vg_http_stats *ss);
void vg_http_inflater_free(struct vg_http_inflater *f); /* NULL is a no-op */
/* n body bytes as sent (de-chunked / de-framed) of m: inflated into m->body (f NULL: kept
 * as they are), first body_max bytes kept; body_truncated, inflate_error, inflate_bomb and
 * inflate_limit counted in ss. Does not touch m->body_seen (the caller counts wire bytes). */
void vg_http_inflater_feed(struct vg_http_inflater *f, struct vg_http_msg *m, size_t body_max,
			   struct vg_http_stats *ss, const uint8_t *p, size_t n);
/* Bytes of the body are missing: a compressed stream cannot resume, inflating stops.
 * NULL is a no-op. */
void vg_http_inflater_stop(struct vg_http_inflater *f);

#endif
