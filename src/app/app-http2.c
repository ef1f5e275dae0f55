/* app-http2.c — HTTP/2 frame parser and per-stream transactions (see app-http2.h).
 *
 * Per direction: the client preface (to server only), then frames. A frame's 9-byte
 * header and up to VG_HTTP2_MAX_FRAME_BUFFER payload bytes are buffered across segments
 * and the frame is handled once its last byte has gone by; the payload past the buffer
 * of a longer frame is skipped (long_frame_data), as is a frame with a gap inside it.
 * Header blocks (HEADERS or PUSH_PROMISE, then CONTINUATION) are joined up to
 * VG_HTTP2_MAX_HEADER_BLOCK and decoded with the direction's HPACK decoder; every block
 * is decoded, trailers too, so the dynamic table stays in step with the peer's encoder.
 *
 * Streams are kept in creation order in a list of at most VG_HTTP2_MAX_STREAMS (looked
 * up by a linear walk: short, and free of hash flooding); past that or past
 * VG_HTTP2_MAX_STATE_BYTES the oldest is ended and reported (too_many_streams). */
#include "app/app-http2.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "app/app-hpack.h"
#include "app/app-http-int.h"
#include "core/core-error.h"
#include "core/limits.h"

#define FLAG_END_STREAM 0x01u
#define FLAG_ACK 0x01u
#define FLAG_END_HEADERS 0x04u
#define FLAG_PADDED 0x08u
#define FLAG_PRIORITY 0x20u

#define SETTINGS_HEADER_TABLE_SIZE 1u
#define SETTINGS_MAX_FRAME_SIZE 5u
#define MAX_FRAME_SIZE_LIMIT 16777215u /* 2^24 - 1 */

enum { PS_METHOD = 0, PS_PATH, PS_AUTHORITY, PS_SCHEME, PS_STATUS, PS__COUNT };

struct h2_stream {
	struct vg_http_tx tx;        /* what signatures and EVE see */
	uint32_t id;
	bool ended[2];               /* END_STREAM (or RST, EOF) per side: 0 request, 1 response */
	bool headers[2];             /* the first (non-interim) header block of a side is in */
	bool req_reported;
	struct vg_buf authority;     /* storage for tx.host_raw when it comes from :authority */
	struct vg_buf cookie;        /* storage for tx.cookie when it was split over fields */
	/* Content-Encoding gzip/deflate: the side's DATA inflated as HTTP/1 bodies are
	 * (app-http-int.h); only while that side's body is arriving */
	struct vg_http_inflater *inf[2];
	struct h2_stream *next;
};

struct h2dir {
	bool dead;
	size_t preface_got;          /* to server: preface bytes matched so far */
	uint8_t fh[9];
	size_t fh_got;
	bool in_frame;
	uint32_t flen, fsid, fgot;
	uint8_t ftype, fflags;
	bool flong, fgap;
	struct vg_buf fbuf;          /* payload kept, up to VG_HTTP2_MAX_FRAME_BUFFER */
	uint32_t max_frame;          /* SETTINGS_MAX_FRAME_SIZE announced by the peer */
	struct vg_hpack *hpack;      /* decodes the header blocks this direction carries */
	/* header block being joined */
	bool hb_open, hb_end_stream, hb_truncated;
	uint32_t hb_sid;             /* stream of the HEADERS / PUSH_PROMISE frame */
	uint32_t hb_target;          /* stream whose message it fills (promised one for a push) */
	int hb_side;                 /* 0 request, 1 response */
	struct vg_buf hb;
	struct vg_buf ps[PS__COUNT]; /* pseudo-header values of the block being decoded */
	bool eof;
};

struct vg_http2_state {
	struct h2dir d[2];
	struct h2_stream *head;      /* creation order */
	uint32_t n_streams;
	uint32_t max_client_sid;     /* highest client-initiated stream id seen */
	uint64_t next_tx_id;
	size_t body_max;
	vg_http2_tx_cb cb;
	vg_http2_anomaly_cb acb;
	void *ctx;
	struct vg_http2_stats st;
	struct vg_http_stats hst;    /* the shared inflater's counters, copied into st */
};

static const char *const anomaly_names[VG_HTTP2_AN__COUNT] = {
	"invalid_frame_header", "invalid_client_magic", "invalid_frame_data", "invalid_header",
	"invalid_frame_length", "long_frame_data", "stream_id_reuse", "too_many_streams",
};

const char *vg_http2_anomaly_name(enum vg_http2_anomaly a)
{
	return (unsigned)a < VG_HTTP2_AN__COUNT ? anomaly_names[a] : "unknown";
}

static void anomaly(struct vg_http2_state *st, int dir, enum vg_http2_anomaly a)
{
	st->st.anomalies[a]++;
	if (st->acb)
		st->acb(st->ctx, dir, a);
}

static uint32_t be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ------------------------------------------------------------------ streams ---- */

static size_t msg_bytes(const struct vg_http_msg *m)
{
	return m->line.cap + m->raw_headers.cap + m->hbuf.cap + m->body.cap;
}

static size_t state_bytes(const struct vg_http2_state *st)
{
	size_t n = 0;
	for (const struct h2_stream *s = st->head; s; s = s->next)
		n += sizeof(*s) + msg_bytes(&s->tx.req) + msg_bytes(&s->tx.resp) + s->tx.uri_norm.cap +
		     s->tx.host.cap + s->authority.cap + s->cookie.cap +
		     (s->inf[0] ? VG_HTTP_INFLATER_BYTES : 0) + (s->inf[1] ? VG_HTTP_INFLATER_BYTES : 0);
	return n;
}

static void stream_free(struct h2_stream *s)
{
	vg_http_msg_free(&s->tx.req);
	vg_http_msg_free(&s->tx.resp);
	vg_buf_free(&s->tx.uri_norm);
	vg_buf_free(&s->tx.host);
	vg_buf_free(&s->authority);
	vg_buf_free(&s->cookie);
	vg_http_inflater_free(s->inf[0]);
	vg_http_inflater_free(s->inf[1]);
	free(s);
}

static struct h2_stream *stream_find(const struct vg_http2_state *st, uint32_t id)
{
	for (struct h2_stream *s = st->head; s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

/* Report DONE, unlink and free. */
static void stream_finish(struct vg_http2_state *st, struct h2_stream *s)
{
	struct h2_stream **link = &st->head;
	while (*link && *link != s)
		link = &(*link)->next;
	if (*link)
		*link = s->next;
	st->n_streams--;
	for (int i = 0; i < 2; i++) {
		struct vg_http_msg *m = i == 0 ? &s->tx.req : &s->tx.resp;
		if (!m->complete && (i == 0 ? s->tx.has_request : s->tx.has_response))
			m->incomplete = true;
	}
	if (st->cb)
		st->cb(st->ctx, &s->tx, s->id, VG_HTTP_EV_DONE);
	stream_free(s);
}

static struct h2_stream *stream_new(struct vg_http2_state *st, int dir, uint32_t id)
{
	while (st->head && (st->n_streams >= VG_HTTP2_MAX_STREAMS || state_bytes(st) > VG_HTTP2_MAX_STATE_BYTES)) {
		anomaly(st, dir, VG_HTTP2_AN_TOO_MANY_STREAMS);
		stream_finish(st, st->head);
	}
	struct h2_stream *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	vg_http_msg_init(&s->tx.req);
	vg_http_msg_init(&s->tx.resp);
	vg_buf_init(&s->tx.uri_norm, VG_HTTP_MAX_LINE);
	vg_buf_init(&s->tx.host, VG_HTTP_MAX_LINE);
	vg_buf_init(&s->authority, VG_HTTP_MAX_LINE);
	vg_buf_init(&s->cookie, VG_HTTP_MAX_HEADER_BYTES);
	s->id = id;
	s->tx.id = st->next_tx_id++;
	s->tx.http2 = true;
	struct h2_stream **link = &st->head;
	while (*link)
		link = &(*link)->next;
	*link = s;
	st->n_streams++;
	st->st.streams++;
	return s;
}

/* A side of s ended (END_STREAM, RST_STREAM or EOF). */
static void side_end(struct vg_http2_state *st, struct h2_stream *s, int side, bool clean)
{
	if (s->ended[side])
		return;
	s->ended[side] = true;
	vg_http_inflater_free(s->inf[side]); /* the body is over */
	s->inf[side] = NULL;
	struct vg_http_msg *m = side == 0 ? &s->tx.req : &s->tx.resp;
	if (clean)
		m->complete = true;
	if (side == 0 && s->tx.has_request && s->tx.req.headers_done && !s->req_reported) {
		s->req_reported = true;
		if (st->cb)
			st->cb(st->ctx, &s->tx, s->id, VG_HTTP_EV_REQUEST);
	}
	/* a stream the client never opened (seen from the middle, or pushed without its
	 * promise) is over when the response is */
	if (s->ended[0] || !s->tx.has_request) {
		if (s->ended[1])
			stream_finish(st, s);
	}
}

/* ------------------------------------------------------------ header blocks ---- */

struct block_ctx {
	struct vg_http2_state *st;
	struct h2dir *d;
	struct h2_stream *s;   /* NULL: decode only (table maintenance) */
	int side;
	bool keep;             /* first block of the side: fields are kept */
};

static int add_header(struct vg_http2_state *st, struct vg_http_msg *m, struct vg_str name, struct vg_str value)
{
	if (m->n_headers >= VG_HTTP_MAX_HEADERS) {
		if (m->headers_dropped++ == 0)
			st->st.too_many_headers++;
		return 0;
	}
	struct vg_http_hdr_ref r;
	r.name_off = (uint32_t)m->hbuf.len;
	r.name_len = (uint32_t)name.len;
	r.value_off = (uint32_t)(m->hbuf.len + name.len + 1);
	r.value_len = (uint32_t)value.len;
	size_t mark = m->hbuf.len;
	if (vg_buf_append(&m->hbuf, name.p, name.len) < 0 || vg_buf_append(&m->hbuf, "", 1) < 0 ||
	    vg_buf_append(&m->hbuf, value.p, value.len) < 0 || vg_buf_append(&m->hbuf, "", 1) < 0) {
		m->hbuf.len = mark;
		m->headers_dropped++;
		return 0;
	}
	m->hdr[m->n_headers++] = r;
	/* raw form as HTTP/1 would carry it, for http.header.raw; silently capped */
	size_t rmark = m->raw_headers.len;
	if (vg_buf_append(&m->raw_headers, name.p, name.len) < 0 || vg_buf_append(&m->raw_headers, ": ", 2) < 0 ||
	    vg_buf_append(&m->raw_headers, value.p, value.len) < 0 || vg_buf_append(&m->raw_headers, "\r\n", 2) < 0)
		m->raw_headers.len = rmark;
	return 0;
}

static int field_cb(void *ctx, struct vg_str name, struct vg_str value, bool never)
{
	(void)never;
	struct block_ctx *b = ctx;
	if (!b->s || !b->keep)
		return 0;
	if (name.len > 0 && name.p[0] == ':') {
		static const char *const ps[PS__COUNT] = { ":method", ":path", ":authority", ":scheme", ":status" };
		for (int i = 0; i < PS__COUNT; i++) {
			if (vg_str_eq_cstr(name, ps[i])) {
				struct vg_buf *o = &b->d->ps[i];
				vg_buf_reset(o);
				if (vg_buf_append(o, value.p, value.len) < 0)
					vg_buf_reset(o);
				return 0;
			}
		}
		return 0; /* unknown pseudo-header: not a header field */
	}
	return add_header(b->st, b->side == 0 ? &b->s->tx.req : &b->s->tx.resp, name, value);
}

static struct vg_str ps_str(const struct h2dir *d, int i)
{
	return vg_str_make(d->ps[i].len ? d->ps[i].data : "", d->ps[i].len);
}

/* HTTP/2 lets a client split Cookie into one field per pair (RFC 9113 8.2.3; browsers
 * do): http.cookie sees them joined with "; ", as an HTTP/1 Cookie header would carry
 * them. One field is used as is. */
static void join_cookies(struct h2_stream *s)
{
	struct vg_http_msg *m = &s->tx.req;
	uint32_t n = 0;
	vg_buf_reset(&s->cookie);
	for (uint32_t i = 0; i < m->n_headers; i++) {
		struct vg_str name, value;
		vg_http_msg_header_at(m, i, &name, &value);
		if (!vg_str_casecmp_cstr(name, "cookie"))
			continue;
		if (n++ == 0)
			s->tx.cookie = value;
		if ((n > 1 && vg_buf_append(&s->cookie, "; ", 2) < 0) || vg_buf_append(&s->cookie, value.p, value.len) < 0)
			return; /* past the cap: the first field alone */
	}
	if (n > 1)
		s->tx.cookie = vg_str_make(s->cookie.data, s->cookie.len);
}

/* The first request block of s is decoded: build the request line and the tx fields. */
static void request_fields(struct h2dir *d, struct h2_stream *s)
{
	struct vg_http_tx *tx = &s->tx;
	struct vg_http_msg *m = &tx->req;
	struct vg_str method = ps_str(d, PS_METHOD), path = ps_str(d, PS_PATH);
	/* "METHOD PATH HTTP/2": the buffers of request-line rules, and views for the rest */
	vg_buf_reset(&m->line);
	if (vg_buf_append(&m->line, method.p, method.len) < 0 || vg_buf_append(&m->line, " ", 1) < 0 ||
	    vg_buf_append(&m->line, path.p, path.len) < 0 || vg_buf_append(&m->line, " HTTP/2", 7) < 0) {
		vg_buf_reset(&m->line);
		method.len = path.len = 0;
		if (vg_buf_append(&m->line, " HTTP/2", 7) < 0)
			return;
	}
	tx->method = vg_str_make(m->line.data, method.len);
	tx->uri_raw = vg_str_make(m->line.data + method.len + 1, path.len);
	m->protocol = vg_str_make(m->line.data + m->line.len - 6, 6);
	vg_buf_reset(&tx->uri_norm);
	vg_http_normalize_uri(tx->uri_raw.p, tx->uri_raw.len, &tx->uri_norm);
	vg_http_msg_header(m, "user-agent", &tx->user_agent);
	join_cookies(s);
	vg_http_msg_header(m, "content-type", &tx->content_type);
	vg_http_msg_header(m, "referer", &tx->referer);
	struct vg_str auth = ps_str(d, PS_AUTHORITY);
	vg_buf_reset(&s->authority);
	if (auth.len > 0 && vg_buf_append(&s->authority, auth.p, auth.len) == 0)
		tx->host_raw = vg_str_make(s->authority.data, s->authority.len);
	else
		vg_http_msg_header(m, "host", &tx->host_raw);
	vg_buf_reset(&tx->host);
	vg_http_normalize_host(tx->host_raw.p ? tx->host_raw.p : "", tx->host_raw.len, &tx->host);
	m->headers_done = true;
	tx->has_request = true;
}

/* The first final response block: status line and fields. false for an interim 1xx,
 * whose fields are dropped (the final response follows in another block). */
static bool response_fields(struct h2dir *d, struct h2_stream *s)
{
	struct vg_http_tx *tx = &s->tx;
	struct vg_http_msg *m = &tx->resp;
	struct vg_str status = ps_str(d, PS_STATUS);
	uint64_t code = 0;
	if (vg_parse_u64(status.p, status.len, 999, &code) < 0)
		code = 0;
	if (code >= 100 && code < 200) {
		vg_http_msg_free(m);
		vg_http_msg_init(m);
		return false;
	}
	vg_buf_reset(&m->line);
	if (vg_buf_append(&m->line, "HTTP/2 ", 7) < 0 || vg_buf_append(&m->line, status.p, status.len) < 0)
		return false;
	m->protocol = vg_str_make(m->line.data, 6);
	tx->status = (int)code;
	tx->status_msg = vg_str_make("", 0);
	vg_http_msg_header(m, "location", &tx->location);
	vg_http_msg_header(m, "server", &tx->server);
	vg_http_msg_header(m, "content-type", &tx->resp_content_type);
	m->headers_done = true;
	tx->has_response = true;
	return true;
}

/* The joined block of dir is complete (END_HEADERS, or abandoned): decode and apply. */
static void finish_block(struct vg_http2_state *st, int dir)
{
	struct h2dir *d = &st->d[dir];
	if (!d->hb_open)
		return;
	d->hb_open = false;
	struct h2_stream *s = stream_find(st, d->hb_target);
	struct block_ctx b = { st, d, s, d->hb_side, s && !s->headers[d->hb_side] };
	for (int i = 0; i < PS__COUNT; i++)
		vg_buf_reset(&d->ps[i]);
	if (s && !b.keep)
		st->st.trailers++;
	int rc = vg_hpack_decode(d->hpack, (const uint8_t *)d->hb.data, d->hb.len, field_cb, &b);
	if ((rc < 0 && rc != VG_EFULL) || d->hb_truncated)
		anomaly(st, dir, VG_HTTP2_AN_INVALID_HEADER);
	vg_buf_reset(&d->hb);
	if (!s)
		return;
	if (b.keep) {
		bool got = false;
		if (d->hb_side == 0) {
			request_fields(d, s);
			s->headers[0] = got = true;
		} else if (response_fields(d, s)) {
			s->headers[1] = got = true;
		}
		/* a body follows: inflate it when it is encoded, as on HTTP/1 */
		if (got && !d->hb_end_stream && !s->inf[d->hb_side]) {
			s->inf[d->hb_side] = vg_http_inflater_start(d->hb_side == 0 ? &s->tx.req : &s->tx.resp,
								    &st->hst);
			st->st.encoding_unsupported = st->hst.encoding_unsupported;
		}
	}
	if (d->hb_end_stream)
		side_end(st, s, d->hb_side, true);
}

static void block_append(struct vg_http2_state *st, struct h2dir *d, const uint8_t *p, size_t n)
{
	size_t room = VG_HTTP2_MAX_HEADER_BLOCK - d->hb.len;
	size_t take = n < room ? n : room;
	if (take < n && !d->hb_truncated) {
		d->hb_truncated = true;
		st->st.header_block_truncated++;
	}
	if (take > 0 && vg_buf_append(&d->hb, p, take) < 0 && !d->hb_truncated) {
		d->hb_truncated = true;
		st->st.header_block_truncated++;
	}
}

/* --------------------------------------------------------------- frames -------- */

/* Padding (and the fixed fields after the pad length): the fragment of a DATA, HEADERS
 * or PUSH_PROMISE payload. have = bytes buffered (< flen for a long or gapped frame).
 * false when the padding does not fit the frame (invalid_frame_data). *full_len gets the
 * fragment's length in the whole frame. */
static bool unpad(struct vg_http2_state *st, int dir, const uint8_t *p, size_t have, uint32_t flen, uint8_t flags,
		  size_t fixed, size_t *off, size_t *frag_have, size_t *full_len)
{
	size_t pad = 0, o = 0;
	if (flags & FLAG_PADDED) {
		if (have < 1) {
			anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_DATA);
			return false;
		}
		pad = p[0];
		o = 1;
	}
	if ((size_t)flen < o + fixed + pad || have < o + fixed) {
		anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_DATA);
		return false;
	}
	*off = o + fixed;
	*full_len = flen - o - fixed - pad;
	size_t avail = have - *off;
	*frag_have = avail < *full_len ? avail : *full_len;
	return true;
}

static void on_data(struct vg_http2_state *st, int dir, const uint8_t *p, size_t have)
{
	struct h2dir *d = &st->d[dir];
	if (d->fsid == 0) {
		anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_HEADER);
		return;
	}
	size_t off, n, full;
	if (!unpad(st, dir, p, have, d->flen, d->fflags, 0, &off, &n, &full))
		return;
	struct h2_stream *s = stream_find(st, d->fsid);
	if (!s) {
		st->st.data_unknown_stream++;
		return;
	}
	struct vg_http_msg *m = dir == 0 ? &s->tx.req : &s->tx.resp;
	m->body_seen += full;
	if (s->inf[dir]) {
		/* encoded: the shared inflater keeps the output (first body_max bytes) */
		uint64_t trunc = st->hst.body_truncated;
		vg_http_inflater_feed(s->inf[dir], m, st->body_max, &st->hst, p + off, n);
		if (n < full)
			vg_http_inflater_stop(s->inf[dir]); /* the rest of a long frame is skipped */
		st->st.body_truncated += st->hst.body_truncated - trunc;
		st->st.inflate_error = st->hst.inflate_error;
		st->st.inflate_bomb = st->hst.inflate_bomb;
		st->st.inflate_limit = st->hst.inflate_limit;
		if (d->fflags & FLAG_END_STREAM)
			side_end(st, s, dir, true);
		return;
	}
	size_t room = m->body.len < st->body_max ? st->body_max - m->body.len : 0;
	size_t take = n < room ? n : room;
	if (take > 0 && vg_buf_append(&m->body, p + off, take) < 0)
		take = 0;
	if (take < full && !m->body_truncated) {
		m->body_truncated = true;
		st->st.body_truncated++;
	}
	if (d->fflags & FLAG_END_STREAM)
		side_end(st, s, dir, true);
}

static void on_headers(struct vg_http2_state *st, int dir, const uint8_t *p, size_t have)
{
	struct h2dir *d = &st->d[dir];
	if (d->fsid == 0) {
		anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_HEADER);
		return;
	}
	bool push = d->ftype == VG_HTTP2_PUSH_PROMISE;
	size_t fixed = push ? 4 : (d->fflags & FLAG_PRIORITY) ? 5 : 0;
	size_t off, n, full;
	if (!unpad(st, dir, p, have, d->flen, d->fflags, fixed, &off, &n, &full))
		return;
	uint32_t target = d->fsid;
	int side = dir;
	if (push) {
		target = be32(p + off - 4) & 0x7fffffffu;
		side = 0; /* a promised request */
		if (dir != VG_APP_TOCLIENT || target == 0) {
			anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_HEADER);
			return;
		}
	}
	struct h2_stream *s = stream_find(st, target);
	if (!s) {
		if (dir == VG_APP_TOSERVER) {
			if (target <= st->max_client_sid)
				anomaly(st, dir, VG_HTTP2_AN_STREAM_ID_REUSE);
			else
				st->max_client_sid = target;
		}
		s = stream_new(st, dir, target);
		if (!s)
			return;
	}
	d->hb_open = true;
	d->hb_truncated = n < full;
	d->hb_sid = d->fsid;
	d->hb_target = target;
	d->hb_side = side;
	d->hb_end_stream = push || (d->fflags & FLAG_END_STREAM);
	vg_buf_reset(&d->hb);
	if (d->hb_truncated)
		st->st.header_block_truncated++;
	block_append(st, d, p + off, n);
	if (d->fflags & FLAG_END_HEADERS)
		finish_block(st, dir);
}

static void on_continuation(struct vg_http2_state *st, int dir, const uint8_t *p, size_t have)
{
	struct h2dir *d = &st->d[dir];
	if (!d->hb_open || d->fsid != d->hb_sid) {
		st->st.continuation_unexpected++;
		return;
	}
	if (have < d->flen && !d->hb_truncated) {
		d->hb_truncated = true;
		st->st.header_block_truncated++;
	}
	block_append(st, d, p, have);
	if (d->fflags & FLAG_END_HEADERS)
		finish_block(st, dir);
}

static void on_settings(struct vg_http2_state *st, int dir, const uint8_t *p, size_t have)
{
	struct h2dir *d = &st->d[dir];
	if (d->fsid != 0) {
		anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_HEADER);
		return;
	}
	if (d->fflags & FLAG_ACK) {
		if (d->flen != 0)
			anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_LENGTH);
		return;
	}
	if (d->flen % 6 != 0) {
		anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_DATA);
		return;
	}
	/* what the sender of dir accepts: the other direction's blocks and frames */
	struct h2dir *peer = &st->d[!dir];
	for (size_t i = 0; i + 6 <= have; i += 6) {
		uint16_t id = (uint16_t)(p[i] << 8 | p[i + 1]);
		uint32_t v = be32(p + i + 2);
		if (id == SETTINGS_HEADER_TABLE_SIZE)
			vg_hpack_set_limit(peer->hpack, v);
		else if (id == SETTINGS_MAX_FRAME_SIZE) {
			if (v < VG_HTTP2_DEFAULT_MAX_FRAME || v > MAX_FRAME_SIZE_LIMIT)
				anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_DATA);
			else
				peer->max_frame = v;
		}
	}
}

static void on_rst_stream(struct vg_http2_state *st, int dir)
{
	struct h2dir *d = &st->d[dir];
	if (d->fsid == 0) {
		anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_HEADER);
		return;
	}
	st->st.rst_streams++;
	struct h2_stream *s = stream_find(st, d->fsid);
	if (!s)
		return;
	if (!s->ended[0])
		side_end(st, s, 0, false);
	/* side_end may have finished it (a response-only stream) */
	if ((s = stream_find(st, d->fsid)) != NULL) {
		s->ended[0] = s->ended[1] = true;
		stream_finish(st, s);
	}
}

/* The current frame of dir is over: handle it with what was buffered. */
static void on_frame(struct vg_http2_state *st, int dir)
{
	struct h2dir *d = &st->d[dir];
	const uint8_t *p = (const uint8_t *)(d->fbuf.len ? d->fbuf.data : "");
	size_t have = d->fbuf.len;
	st->st.frames++;
	if (d->ftype < 10)
		st->st.frames_by_type[d->ftype]++;
	else
		st->st.unknown_frames++;
	/* a header block in progress admits only CONTINUATION of its stream */
	if (d->hb_open && d->ftype != VG_HTTP2_CONTINUATION) {
		st->st.continuation_missing++;
		d->hb_truncated = true;
		finish_block(st, dir);
	}
	if (d->fgap) {
		/* contents lost; the end of a DATA stream still counts. A lost header block
		 * leaves the HPACK table behind the peer's: later blocks may not decode. */
		if (d->ftype == VG_HTTP2_CONTINUATION && d->hb_open && d->fsid == d->hb_sid) {
			d->hb_truncated = true;
			finish_block(st, dir); /* what was joined so far; raises invalid_header */
		} else if (d->ftype == VG_HTTP2_HEADERS || d->ftype == VG_HTTP2_PUSH_PROMISE) {
			anomaly(st, dir, VG_HTTP2_AN_INVALID_HEADER);
		}
		struct h2_stream *s = d->ftype == VG_HTTP2_DATA ? stream_find(st, d->fsid) : NULL;
		if (d->ftype == VG_HTTP2_DATA && s) {
			struct vg_http_msg *m = dir == 0 ? &s->tx.req : &s->tx.resp;
			m->body_seen += d->flen;
			vg_http_inflater_stop(s->inf[dir]); /* a compressed stream cannot resume */
			if (d->fflags & FLAG_END_STREAM)
				side_end(st, s, dir, false);
		}
		return;
	}
	switch (d->ftype) {
	case VG_HTTP2_DATA:
		on_data(st, dir, p, have);
		break;
	case VG_HTTP2_HEADERS:
	case VG_HTTP2_PUSH_PROMISE:
		on_headers(st, dir, p, have);
		break;
	case VG_HTTP2_CONTINUATION:
		on_continuation(st, dir, p, have);
		break;
	case VG_HTTP2_SETTINGS:
		on_settings(st, dir, p, have);
		break;
	case VG_HTTP2_PRIORITY:
		if (d->flen != 5)
			anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_LENGTH);
		else if (d->fsid == 0)
			anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_HEADER);
		break;
	case VG_HTTP2_RST_STREAM:
		if (d->flen != 4)
			anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_LENGTH);
		else
			on_rst_stream(st, dir);
		break;
	case VG_HTTP2_PING:
		if (d->flen != 8)
			anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_LENGTH);
		else if (d->fsid != 0)
			anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_HEADER);
		break;
	case VG_HTTP2_GOAWAY:
		st->st.goaways++;
		if (d->flen < 8)
			anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_LENGTH);
		else if (d->fsid != 0)
			anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_HEADER);
		break;
	case VG_HTTP2_WINDOW_UPDATE:
		if (d->flen != 4)
			anomaly(st, dir, VG_HTTP2_AN_INVALID_FRAME_LENGTH);
		break;
	default:
		break; /* unknown types are ignored (RFC 9113 4.1) */
	}
}

static void frame_start(struct vg_http2_state *st, int dir)
{
	struct h2dir *d = &st->d[dir];
	d->flen = be24(d->fh);
	d->ftype = d->fh[3];
	d->fflags = d->fh[4];
	d->fsid = be32(d->fh + 5) & 0x7fffffffu;
	d->fgot = 0;
	d->fgap = false;
	d->in_frame = true;
	vg_buf_reset(&d->fbuf);
	d->flong = d->flen > VG_HTTP2_MAX_FRAME_BUFFER;
	if (d->flong)
		anomaly(st, dir, VG_HTTP2_AN_LONG_FRAME_DATA);
	if (d->flen > d->max_frame)
		st->st.frame_too_large++;
}

static void frame_end(struct vg_http2_state *st, int dir)
{
	struct h2dir *d = &st->d[dir];
	on_frame(st, dir);
	d->in_frame = false;
	d->fh_got = 0;
	vg_buf_reset(&d->fbuf);
}

int vg_http2_parse(struct vg_http2_state *st, int dir, const uint8_t *data, size_t len)
{
	if (!st || (dir != 0 && dir != 1) || (len > 0 && !data))
		return VG_EINVAL;
	struct h2dir *d = &st->d[dir];
	if (d->dead)
		return VG_EINVAL;
	while (len > 0) {
		if (dir == VG_APP_TOSERVER && d->preface_got < VG_HTTP2_PREFACE_LEN) {
			size_t need = VG_HTTP2_PREFACE_LEN - d->preface_got;
			size_t take = len < need ? len : need;
			if (memcmp(data, &VG_HTTP2_PREFACE[d->preface_got], take) != 0) {
				anomaly(st, dir, VG_HTTP2_AN_INVALID_CLIENT_MAGIC);
				d->dead = true;
				return VG_EINVAL;
			}
			d->preface_got += take;
			data += take;
			len -= take;
			continue;
		}
		if (!d->in_frame) {
			size_t take = 9 - d->fh_got;
			if (take > len)
				take = len;
			memcpy(d->fh + d->fh_got, data, take);
			d->fh_got += take;
			data += take;
			len -= take;
			if (d->fh_got == 9) {
				frame_start(st, dir);
				if (d->flen == 0)
					frame_end(st, dir);
			}
			continue;
		}
		size_t rest = d->flen - d->fgot;
		size_t take = len < rest ? len : rest;
		if (!d->fgap && d->fbuf.len < VG_HTTP2_MAX_FRAME_BUFFER) {
			size_t room = VG_HTTP2_MAX_FRAME_BUFFER - d->fbuf.len;
			if (vg_buf_append(&d->fbuf, data, take < room ? take : room) < 0) {
				d->dead = true;
				return VG_ENOMEM;
			}
		}
		d->fgot += (uint32_t)take;
		data += take;
		len -= take;
		if (d->fgot == d->flen)
			frame_end(st, dir);
	}
	return 0;
}

void vg_http2_gap(struct vg_http2_state *st, int dir, size_t len)
{
	if (!st || (dir != 0 && dir != 1) || st->d[dir].dead)
		return;
	struct h2dir *d = &st->d[dir];
	st->st.gaps++;
	if (d->in_frame && len <= (size_t)(d->flen - d->fgot)) {
		/* the hole is inside this frame's payload: skip the frame, keep framing */
		st->st.gaps_in_frame++;
		d->fgap = true;
		d->fgot += (uint32_t)len;
		if (d->fgot == d->flen)
			frame_end(st, dir);
		return;
	}
	d->dead = true;
	if (d->hb_open) {
		d->hb_truncated = true;
		finish_block(st, dir);
	}
}

void vg_http2_eof(struct vg_http2_state *st, int dir)
{
	if (!st || (dir != 0 && dir != 1) || st->d[dir].eof)
		return;
	struct h2dir *d = &st->d[dir];
	d->eof = true;
	if (d->hb_open) {
		d->hb_truncated = true;
		finish_block(st, dir);
	}
	/* every side of dir is over now; side_end may free the stream it is given */
	struct h2_stream *s = st->head;
	while (s) {
		struct h2_stream *next = s->next;
		if (!s->ended[dir])
			side_end(st, s, dir, false);
		s = next;
	}
	if (st->d[0].eof && st->d[1].eof) {
		while (st->head)
			stream_finish(st, st->head);
	}
}

struct vg_http2_state *vg_http2_state_new(size_t body_max, vg_http2_tx_cb cb, vg_http2_anomaly_cb acb, void *ctx)
{
	struct vg_http2_state *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->body_max = body_max == 0 || body_max > VG_HTTP_MAX_BODY ? VG_HTTP_MAX_BODY : body_max;
	st->cb = cb;
	st->acb = acb;
	st->ctx = ctx;
	for (int i = 0; i < 2; i++) {
		struct h2dir *d = &st->d[i];
		vg_buf_init(&d->fbuf, VG_HTTP2_MAX_FRAME_BUFFER);
		vg_buf_init(&d->hb, VG_HTTP2_MAX_HEADER_BLOCK);
		for (int k = 0; k < PS__COUNT; k++)
			vg_buf_init(&d->ps[k], VG_HTTP_MAX_LINE);
		d->max_frame = VG_HTTP2_DEFAULT_MAX_FRAME;
		d->hpack = vg_hpack_new(VG_HPACK_DEFAULT_TABLE_SIZE);
		if (!d->hpack) {
			vg_http2_state_free(st);
			return NULL;
		}
	}
	return st;
}

void vg_http2_state_free(struct vg_http2_state *st)
{
	if (!st)
		return;
	while (st->head) {
		struct h2_stream *s = st->head;
		st->head = s->next;
		stream_free(s);
	}
	for (int i = 0; i < 2; i++) {
		struct h2dir *d = &st->d[i];
		vg_buf_free(&d->fbuf);
		vg_buf_free(&d->hb);
		for (int k = 0; k < PS__COUNT; k++)
			vg_buf_free(&d->ps[k]);
		vg_hpack_free(d->hpack);
	}
	free(st);
}

int vg_http2_upgrade(struct vg_http2_state *st, const struct vg_http_tx *h1)
{
	if (!st || !h1 || !h1->has_request)
		return VG_EINVAL;
	if (stream_find(st, 1))
		return VG_EINVAL; /* stream 1 exists already */
	/* transaction ids go on from the HTTP/1 ones: one numbering per flow */
	if (st->next_tx_id <= h1->id)
		st->next_tx_id = h1->id + 1;
	struct h2_stream *s = stream_new(st, VG_APP_TOSERVER, 1);
	if (!s)
		return VG_ENOMEM;
	if (st->max_client_sid < 1) /* the client's preface and streams may have come first */
		st->max_client_sid = 1;
	/* the request as if its fields had come in a HEADERS block: pseudo-headers from the
	 * request line (the Host field stands for :authority), the fields as sent */
	struct h2dir *d = &st->d[VG_APP_TOSERVER];
	for (int i = 0; i < PS__COUNT; i++)
		vg_buf_reset(&d->ps[i]);
	if (vg_buf_append(&d->ps[PS_METHOD], h1->method.p, h1->method.len) < 0 ||
	    vg_buf_append(&d->ps[PS_PATH], h1->uri_raw.p, h1->uri_raw.len) < 0) {
		vg_buf_reset(&d->ps[PS_METHOD]);
		vg_buf_reset(&d->ps[PS_PATH]);
	}
	for (uint32_t i = 0; i < h1->req.n_headers; i++) {
		struct vg_str name, value;
		vg_http_msg_header_at(&h1->req, i, &name, &value);
		add_header(st, &s->tx.req, name, value);
	}
	request_fields(d, s);
	for (int i = 0; i < PS__COUNT; i++)
		vg_buf_reset(&d->ps[i]);
	struct vg_http_msg *m = &s->tx.req;
	if (h1->req.body.len > 0 && vg_buf_append(&m->body, h1->req.body.data, h1->req.body.len) < 0)
		m->body_truncated = true;
	m->body_seen = h1->req.body_seen;
	m->body_truncated |= h1->req.body_truncated;
	m->encoding = h1->req.encoding;
	m->decoded = h1->req.decoded;
	m->decoded_len = h1->req.decoded_len;
	s->headers[0] = true;
	/* the client's side of stream 1 is half-closed: the request is complete */
	side_end(st, s, VG_APP_TOSERVER, !h1->req.incomplete);
	return 0;
}

const struct vg_http2_stats *vg_http2_stats(const struct vg_http2_state *st)
{
	return &st->st;
}

json_t *vg_http2_tx_eve(const struct vg_http_tx *tx, uint32_t stream_id)
{
	json_t *root = vg_http_tx_eve(tx);
	json_t *h = root ? json_object_get(root, "http") : NULL;
	if (!h) {
		json_decref(root);
		return NULL;
	}
	json_t *h2 = json_pack("{s:I}", "stream_id", (json_int_t)stream_id);
	if (!h2 || json_object_set_new(h, "http2", h2) < 0) {
		json_decref(root);
		return NULL;
	}
	return root;
}
