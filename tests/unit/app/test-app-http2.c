/* HTTP/2 frame parser: a prior-knowledge exchange (fields, body, EVE), the same bytes
 * split at every offset, CONTINUATION, padding and priority, PUSH_PROMISE, RST_STREAM,
 * long frames (long_frame_data, framing kept), gaps, stream caps and id reuse, the
 * dynamic table across streams, bad frames and bad preface, and the suricata-verify
 * capture's bytes. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "app/app-http2.h"
#include "core/core-error.h"
#include "core/limits.h"

/* ---------------------------------------------------------------- builders ---- */

struct bytes {
	uint8_t b[200000];
	size_t n;
};

static void put(struct bytes *o, const void *p, size_t n)
{
	assert_true(o->n + n <= sizeof(o->b));
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void frame(struct bytes *o, uint8_t type, uint8_t flags, uint32_t sid, const void *payload, size_t len)
{
	uint8_t h[9] = { (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len, type, flags,
			 (uint8_t)(sid >> 24), (uint8_t)(sid >> 16), (uint8_t)(sid >> 8), (uint8_t)sid };
	put(o, h, 9);
	if (len)
		put(o, payload, len);
}

/* HPACK literal without indexing, new name (names and values < 127 bytes) */
static void lit(struct bytes *o, const char *name, const char *value)
{
	uint8_t b[2] = { 0x00, (uint8_t)strlen(name) };
	put(o, b, 2);
	put(o, name, strlen(name));
	b[0] = (uint8_t)strlen(value);
	put(o, b, 1);
	put(o, value, strlen(value));
}

/* the same, with incremental indexing (goes into the dynamic table) */
static void lit_idx(struct bytes *o, const char *name, const char *value)
{
	size_t at = o->n;
	lit(o, name, value);
	o->b[at] = 0x40;
}

static void preface(struct bytes *o)
{
	put(o, VG_HTTP2_PREFACE, VG_HTTP2_PREFACE_LEN);
	frame(o, VG_HTTP2_SETTINGS, 0, 0, NULL, 0);
}

static void request_block(struct bytes *hb, const char *method, const char *path, const char *authority)
{
	lit(hb, ":method", method);
	lit(hb, ":scheme", "https");
	lit(hb, ":path", path);
	lit(hb, ":authority", authority);
}

/* ---------------------------------------------------------------- recorder ---- */

struct rec_tx {
	unsigned what;
	uint32_t sid;
	uint64_t id;
	char method[32], uri[256], uri_norm[256], host[128], ua[128], line[300], rline[64], cookie[128];
	int status;
	size_t body_len, resp_body_len;
	uint64_t resp_seen;
	char body[64];
	bool req_incomplete, resp_incomplete, has_request, has_response;
	uint32_t n_req_headers;
	char eve[1024];
};

struct rec {
	struct rec_tx tx[256];
	unsigned n;
	unsigned an[VG_HTTP2_AN__COUNT];
	unsigned n_an;
};

static void cpy(char *dst, size_t cap, const char *p, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, p, n);
	dst[n] = 0;
}

static void on_tx(void *ctx, const struct vg_http_tx *tx, uint32_t sid, unsigned what)
{
	struct rec *r = ctx;
	assert_true(r->n < 256);
	struct rec_tx *t = &r->tx[r->n++];
	memset(t, 0, sizeof(*t));
	t->what = what;
	t->sid = sid;
	t->id = tx->id;
	t->has_request = tx->has_request;
	t->has_response = tx->has_response;
	cpy(t->method, sizeof(t->method), tx->method.p, tx->method.len);
	cpy(t->uri, sizeof(t->uri), tx->uri_raw.p, tx->uri_raw.len);
	cpy(t->uri_norm, sizeof(t->uri_norm), tx->uri_norm.data, tx->uri_norm.len);
	cpy(t->host, sizeof(t->host), tx->host.data, tx->host.len);
	cpy(t->ua, sizeof(t->ua), tx->user_agent.p, tx->user_agent.len);
	cpy(t->cookie, sizeof(t->cookie), tx->cookie.p, tx->cookie.len);
	cpy(t->line, sizeof(t->line), tx->req.line.data, tx->req.line.len);
	cpy(t->rline, sizeof(t->rline), tx->resp.line.data, tx->resp.line.len);
	t->status = tx->status;
	t->body_len = tx->req.body.len;
	t->resp_body_len = tx->resp.body.len;
	t->resp_seen = tx->resp.body_seen;
	cpy(t->body, sizeof(t->body), tx->resp.body.data, tx->resp.body.len);
	t->req_incomplete = tx->req.incomplete;
	t->resp_incomplete = tx->resp.incomplete;
	t->n_req_headers = tx->req.n_headers;
	if (what == VG_HTTP_EV_DONE) {
		json_t *j = vg_http2_tx_eve(tx, sid);
		assert_non_null(j);
		char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
		cpy(t->eve, sizeof(t->eve), s, strlen(s));
		free(s);
		json_decref(j);
	}
}

static void on_an(void *ctx, int dir, enum vg_http2_anomaly a)
{
	(void)dir;
	struct rec *r = ctx;
	r->an[a]++;
	r->n_an++;
}

static const struct rec_tx *find(const struct rec *r, unsigned what, uint32_t sid)
{
	for (unsigned i = 0; i < r->n; i++)
		if (r->tx[i].what == what && r->tx[i].sid == sid)
			return &r->tx[i];
	return NULL;
}

static struct bytes cli, srv;

/* the basic exchange: GET with a user agent, 200 with a body split over two DATA */
static void basic_exchange(void)
{
	struct bytes hb;
	memset(&cli, 0, sizeof(cli));
	memset(&srv, 0, sizeof(srv));
	preface(&cli);
	hb.n = 0;
	request_block(&hb, "GET", "/a/./b/../index.html?q=1", "Example.COM:8443");
	lit(&hb, "user-agent", "curl/7.88.1");
	lit(&hb, "accept", "*/*");
	frame(&cli, VG_HTTP2_HEADERS, 0x05, 1, hb.b, hb.n);
	frame(&srv, VG_HTTP2_SETTINGS, 0, 0, NULL, 0);
	frame(&srv, VG_HTTP2_SETTINGS, 0x01, 0, NULL, 0);
	hb.n = 0;
	lit(&hb, ":status", "200");
	lit(&hb, "content-type", "text/plain");
	lit(&hb, "server", "nginx");
	frame(&srv, VG_HTTP2_HEADERS, 0x04, 1, hb.b, hb.n);
	frame(&srv, VG_HTTP2_DATA, 0, 1, "hello ", 6);
	frame(&srv, VG_HTTP2_DATA, 0x01, 1, "world", 5);
}

static void check_basic(const struct rec *r)
{
	assert_int_equal(r->n_an, 0);
	assert_int_equal(r->n, 2);
	const struct rec_tx *q = find(r, VG_HTTP_EV_REQUEST, 1);
	assert_non_null(q);
	assert_string_equal(q->method, "GET");
	assert_string_equal(q->uri, "/a/./b/../index.html?q=1");
	assert_string_equal(q->uri_norm, "/a/index.html?q=1");
	assert_string_equal(q->host, "example.com");
	assert_string_equal(q->ua, "curl/7.88.1");
	assert_string_equal(q->line, "GET /a/./b/../index.html?q=1 HTTP/2");
	assert_int_equal(q->n_req_headers, 2); /* pseudo-headers are not header fields */
	const struct rec_tx *d = find(r, VG_HTTP_EV_DONE, 1);
	assert_non_null(d);
	assert_int_equal(d->status, 200);
	assert_string_equal(d->rline, "HTTP/2 200");
	assert_string_equal(d->body, "hello world");
	assert_false(d->req_incomplete);
	assert_false(d->resp_incomplete);
	assert_string_equal(d->eve,
			    "{\"http\":{\"hostname\":\"example.com\",\"http2\":{\"stream_id\":1},\"http_content_type\":"
			    "\"text/plain\",\"http_method\":\"GET\",\"http_port\":8443,\"http_user_agent\":\"curl/7.88.1\","
			    "\"length\":11,\"protocol\":\"HTTP/2\",\"server\":\"nginx\",\"status\":200,"
			    "\"url\":\"/a/./b/../index.html?q=1\"}}");
}

static void test_exchange(void **state)
{
	(void)state;
	basic_exchange();
	static struct rec r;
	memset(&r, 0, sizeof(r));
	struct vg_http2_state *st = vg_http2_state_new(0, on_tx, on_an, &r);
	assert_non_null(st);
	assert_int_equal(vg_http2_parse(st, VG_APP_TOSERVER, cli.b, cli.n), 0);
	assert_int_equal(r.n, 1); /* the request, complete with END_STREAM */
	assert_int_equal(vg_http2_parse(st, VG_APP_TOCLIENT, srv.b, srv.n), 0);
	check_basic(&r);
	const struct vg_http2_stats *s = vg_http2_stats(st);
	assert_int_equal(s->streams, 1);
	assert_int_equal(s->frames, 7);
	assert_int_equal(s->frames_by_type[VG_HTTP2_DATA], 2);
	/* nothing left for EOF */
	vg_http2_eof(st, 0);
	vg_http2_eof(st, 1);
	assert_int_equal(r.n, 2);
	vg_http2_state_free(st);
	vg_http2_state_free(NULL);
}

/* every split point of both directions, and byte by byte */
static void test_every_split(void **state)
{
	(void)state;
	basic_exchange();
	static struct rec r;
	for (size_t cut = 0; cut <= cli.n + srv.n; cut++) {
		memset(&r, 0, sizeof(r));
		struct vg_http2_state *st = vg_http2_state_new(0, on_tx, on_an, &r);
		size_t c1 = cut < cli.n ? cut : cli.n;
		size_t s1 = cut > cli.n ? cut - cli.n : 0;
		assert_int_equal(vg_http2_parse(st, 0, cli.b, c1), 0);
		assert_int_equal(vg_http2_parse(st, 0, cli.b + c1, cli.n - c1), 0);
		assert_int_equal(vg_http2_parse(st, 1, srv.b, s1), 0);
		assert_int_equal(vg_http2_parse(st, 1, srv.b + s1, srv.n - s1), 0);
		check_basic(&r);
		vg_http2_state_free(st);
	}
	memset(&r, 0, sizeof(r));
	struct vg_http2_state *st = vg_http2_state_new(0, on_tx, on_an, &r);
	for (size_t i = 0; i < cli.n; i++)
		assert_int_equal(vg_http2_parse(st, 0, cli.b + i, 1), 0);
	for (size_t i = 0; i < srv.n; i++)
		assert_int_equal(vg_http2_parse(st, 1, srv.b + i, 1), 0);
	check_basic(&r);
	vg_http2_state_free(st);
}

/* a header block over HEADERS + 2 CONTINUATION; END_STREAM on the HEADERS applies at the
 * end of the block; a CONTINUATION out of place is counted; a block cut by another
 * frame raises invalid_header */
static void test_continuation(void **state)
{
	(void)state;
	struct bytes hb = { .n = 0 };
	static struct bytes c;
	c.n = 0;
	preface(&c);
	request_block(&hb, "POST", "/upload", "h.example");
	lit(&hb, "user-agent", "ua-in-continuation");
	size_t a = 10, b = 30;
	frame(&c, VG_HTTP2_HEADERS, 0x01, 1, hb.b, a);          /* END_STREAM, no END_HEADERS */
	frame(&c, VG_HTTP2_CONTINUATION, 0, 1, hb.b + a, b - a);
	frame(&c, VG_HTTP2_CONTINUATION, 0x04, 1, hb.b + b, hb.n - b);
	frame(&c, VG_HTTP2_CONTINUATION, 0x04, 1, hb.b, 3);     /* stray */
	static struct rec r;
	memset(&r, 0, sizeof(r));
	struct vg_http2_state *st = vg_http2_state_new(0, on_tx, on_an, &r);
	assert_int_equal(vg_http2_parse(st, 0, c.b, c.n), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.tx[0].what, VG_HTTP_EV_REQUEST);
	assert_string_equal(r.tx[0].method, "POST");
	assert_string_equal(r.tx[0].ua, "ua-in-continuation");
	assert_int_equal(vg_http2_stats(st)->continuation_unexpected, 1);
	assert_int_equal(r.n_an, 0);

	/* stream 3: HEADERS without END_HEADERS, then a DATA frame */
	c.n = 0;
	hb.n = 0;
	request_block(&hb, "GET", "/cut", "h.example");
	frame(&c, VG_HTTP2_HEADERS, 0x01, 3, hb.b, 12);
	frame(&c, VG_HTTP2_DATA, 0, 3, "x", 1);
	assert_int_equal(vg_http2_parse(st, 0, c.b, c.n), 0);
	assert_int_equal(r.an[VG_HTTP2_AN_INVALID_HEADER], 1);
	assert_int_equal(vg_http2_stats(st)->continuation_missing, 1);
	vg_http2_state_free(st);
}

/* padded HEADERS with priority, padded DATA: padding is not body; padding longer than
 * the frame is invalid_frame_data */
static void test_padding(void **state)
{
	(void)state;
	struct bytes hb = { .n = 0 };
	static struct bytes c, p;
	c.n = 0;
	preface(&c);
	request_block(&hb, "PUT", "/p", "pad.example");
	p.n = 0;
	uint8_t padlen = 7;
	put(&p, &padlen, 1);
	put(&p, "\x80\x00\x00\x00\x10", 5); /* exclusive dependency on 0, weight 16 */
	put(&p, hb.b, hb.n);
	put(&p, "\0\0\0\0\0\0\0", 7);
	frame(&c, VG_HTTP2_HEADERS, 0x04 | 0x08 | 0x20, 1, p.b, p.n);
	p.n = 0;
	padlen = 3;
	put(&p, &padlen, 1);
	put(&p, "body", 4);
	put(&p, "PAD", 3);
	frame(&c, VG_HTTP2_DATA, 0x08 | 0x01, 1, p.b, p.n);
	/* stream 3: pad length 200 in a 5-byte DATA */
	hb.n = 0;
	request_block(&hb, "PUT", "/q", "pad.example");
	frame(&c, VG_HTTP2_HEADERS, 0x04, 3, hb.b, hb.n);
	frame(&c, VG_HTTP2_DATA, 0x08, 3, "\xc8" "abcd", 5);
	/* a padded frame with no room for the pad length */
	frame(&c, VG_HTTP2_DATA, 0x08, 3, NULL, 0);
	static struct rec r;
	memset(&r, 0, sizeof(r));
	struct vg_http2_state *st = vg_http2_state_new(0, on_tx, on_an, &r);
	assert_int_equal(vg_http2_parse(st, 0, c.b, c.n), 0);
	const struct rec_tx *q = find(&r, VG_HTTP_EV_REQUEST, 1);
	assert_non_null(q);
	assert_string_equal(q->method, "PUT");
	assert_string_equal(q->uri, "/p");
	assert_int_equal(q->body_len, 4);
	assert_int_equal(r.an[VG_HTTP2_AN_INVALID_FRAME_DATA], 2);
	assert_int_equal(r.n_an, 2);
	vg_http2_state_free(st);
}

/* a 70000-byte DATA frame: long_frame_data once, the first VG_HTTP_MAX_BODY bytes kept,
 * END_STREAM honoured, and the next frame parsed */
static void test_long_frame(void **state)
{
	(void)state;
	basic_exchange();
	static struct bytes s;
	s.n = 0;
	struct bytes hb = { .n = 0 };
	lit(&hb, ":status", "200");
	frame(&s, VG_HTTP2_HEADERS, 0x04, 1, hb.b, hb.n);
	static uint8_t big[70000];
	memset(big, 'X', sizeof(big));
	frame(&s, VG_HTTP2_DATA, 0x01, 1, big, sizeof(big));
	frame(&s, VG_HTTP2_PING, 0, 0, "12345678", 8);
	frame(&s, VG_HTTP2_PING, 0, 0, "1234567", 7); /* proves framing survived */
	static struct rec r;
	memset(&r, 0, sizeof(r));
	struct vg_http2_state *st = vg_http2_state_new(0, on_tx, on_an, &r);
	assert_int_equal(vg_http2_parse(st, 0, cli.b, cli.n), 0);
	for (size_t i = 0; i < s.n; i += 1400)
		assert_int_equal(vg_http2_parse(st, 1, s.b + i, s.n - i < 1400 ? s.n - i : 1400), 0);
	assert_int_equal(r.an[VG_HTTP2_AN_LONG_FRAME_DATA], 1);
	assert_int_equal(r.an[VG_HTTP2_AN_INVALID_FRAME_LENGTH], 1);
	assert_int_equal(r.n_an, 2);
	const struct rec_tx *d = find(&r, VG_HTTP_EV_DONE, 1);
	assert_non_null(d);
	/* the part of the frame that was buffered, up to the body limit */
	assert_int_equal(d->resp_body_len, VG_HTTP2_MAX_FRAME_BUFFER < VG_HTTP_MAX_BODY ? VG_HTTP2_MAX_FRAME_BUFFER : VG_HTTP_MAX_BODY);
	assert_int_equal(d->resp_seen, 70000);
	assert_int_equal(vg_http2_stats(st)->frame_too_large, 1); /* > 16384 default */
	assert_int_equal(vg_http2_stats(st)->frames_by_type[VG_HTTP2_PING], 2);
	vg_http2_state_free(st);
}

/* the suricata-verify http2-long-frame streams, rebuilt: the request of stream 3 comes
 * after the long frame and is still seen */
static void test_verify_case_shape(void **state)
{
	(void)state;
	static struct bytes c, s;
	struct bytes hb = { .n = 0 };
	c.n = s.n = 0;
	preface(&c);
	frame(&c, VG_HTTP2_WINDOW_UPDATE, 0, 0, "\x00\x10\x00\x00", 4);
	request_block(&hb, "GET", "/", "target.com");
	frame(&c, VG_HTTP2_HEADERS, 0x05, 1, hb.b, hb.n);
	frame(&s, VG_HTTP2_SETTINGS, 0, 0, NULL, 0);
	frame(&s, VG_HTTP2_SETTINGS, 1, 0, NULL, 0);
	hb.n = 0;
	lit(&hb, ":status", "200");
	frame(&s, VG_HTTP2_HEADERS, 0x04, 1, hb.b, hb.n);
	static uint8_t big[70000];
	memset(big, 'X', sizeof(big));
	frame(&s, VG_HTTP2_DATA, 0x01, 1, big, sizeof(big));
	static struct bytes c2;
	c2.n = 0;
	frame(&c2, VG_HTTP2_SETTINGS, 1, 0, NULL, 0);
	hb.n = 0;
	request_block(&hb, "GET", "/malware/payload.exe", "evil.com");
	frame(&c2, VG_HTTP2_HEADERS, 0x05, 3, hb.b, hb.n);
	static struct rec r;
	memset(&r, 0, sizeof(r));
	struct vg_http2_state *st = vg_http2_state_new(0, on_tx, on_an, &r);
	assert_int_equal(vg_http2_parse(st, 0, c.b, c.n), 0);
	assert_int_equal(vg_http2_parse(st, 1, s.b, s.n), 0);
	assert_int_equal(vg_http2_parse(st, 0, c2.b, c2.n), 0);
	vg_http2_eof(st, 0);
	vg_http2_eof(st, 1);
	assert_int_equal(r.an[VG_HTTP2_AN_LONG_FRAME_DATA], 1);
	assert_int_equal(r.n_an, 1);
	const struct rec_tx *q = find(&r, VG_HTTP_EV_REQUEST, 3);
	assert_non_null(q);
	assert_string_equal(q->uri, "/malware/payload.exe");
	const struct rec_tx *d = find(&r, VG_HTTP_EV_DONE, 3);
	assert_non_null(d);
	assert_false(d->has_response);
	assert_non_null(strstr(d->eve, "\"url\":\"/malware/payload.exe\""));
	assert_non_null(find(&r, VG_HTTP_EV_DONE, 1));
	vg_http2_state_free(st);
}

/* PUSH_PROMISE: the promised request is a transaction of the promised stream */
static void test_push_promise(void **state)
{
	(void)state;
	basic_exchange();
	static struct bytes s;
	s.n = 0;
	struct bytes hb = { .n = 0 }, p = { .n = 0 };
	put(&p, "\x00\x00\x00\x02", 4);
	request_block(&hb, "GET", "/style.css", "example.com");
	put(&p, hb.b, hb.n);
	frame(&s, VG_HTTP2_PUSH_PROMISE, 0x04, 1, p.b, p.n);
	hb.n = 0;
	lit(&hb, ":status", "200");
	frame(&s, VG_HTTP2_HEADERS, 0x04, 2, hb.b, hb.n);
	frame(&s, VG_HTTP2_DATA, 0x01, 2, "css", 3);
	static struct rec r;
	memset(&r, 0, sizeof(r));
	struct vg_http2_state *st = vg_http2_state_new(0, on_tx, on_an, &r);
	assert_int_equal(vg_http2_parse(st, 0, cli.b, cli.n), 0);
	assert_int_equal(vg_http2_parse(st, 1, s.b, s.n), 0);
	const struct rec_tx *q = find(&r, VG_HTTP_EV_REQUEST, 2);
	assert_non_null(q);
	assert_string_equal(q->uri, "/style.css");
	const struct rec_tx *d = find(&r, VG_HTTP_EV_DONE, 2);
	assert_non_null(d);
	assert_int_equal(d->status, 200);
	assert_string_equal(d->body, "css");
	assert_int_equal(r.n_an, 0);
	/* a PUSH_PROMISE from the client is refused */
	static struct bytes c;
	c.n = 0;
	frame(&c, VG_HTTP2_PUSH_PROMISE, 0x04, 1, p.b, p.n);
	assert_int_equal(vg_http2_parse(st, 0, c.b, c.n), 0);
	assert_int_equal(r.an[VG_HTTP2_AN_INVALID_FRAME_HEADER], 1);
	vg_http2_state_free(st);
}

/* RST_STREAM ends a stream (reported incomplete); reusing its id is stream_id_reuse */
static void test_rst_and_reuse(void **state)
{
	(void)state;
	static struct bytes c;
	c.n = 0;
	preface(&c);
	struct bytes hb = { .n = 0 };
	request_block(&hb, "POST", "/r", "x");
	frame(&c, VG_HTTP2_HEADERS, 0x04, 5, hb.b, hb.n); /* no END_STREAM: body to come */
	frame(&c, VG_HTTP2_RST_STREAM, 0, 5, "\0\0\0\x08", 4);
	frame(&c, VG_HTTP2_HEADERS, 0x05, 5, hb.b, hb.n); /* same id again */
	frame(&c, VG_HTTP2_RST_STREAM, 0, 5, "\0\0\0", 3);   /* wrong length */
	static struct rec r;
	memset(&r, 0, sizeof(r));
	struct vg_http2_state *st = vg_http2_state_new(0, on_tx, on_an, &r);
	assert_int_equal(vg_http2_parse(st, 0, c.b, c.n), 0);
	assert_true(r.n >= 2);
	assert_int_equal(r.tx[0].what, VG_HTTP_EV_REQUEST); /* at RST: the request side is over */
	assert_int_equal(r.tx[1].what, VG_HTTP_EV_DONE);
	assert_true(r.tx[1].req_incomplete);
	assert_int_equal(r.an[VG_HTTP2_AN_STREAM_ID_REUSE], 1);
	assert_int_equal(r.an[VG_HTTP2_AN_INVALID_FRAME_LENGTH], 1);
	assert_int_equal(vg_http2_stats(st)->rst_streams, 1);
	vg_http2_state_free(st);
}

/* more open streams than VG_HTTP2_MAX_STREAMS: the oldest are ended (too_many_streams) */
static void test_stream_cap(void **state)
{
	(void)state;
	static struct bytes c;
	c.n = 0;
	preface(&c);
	unsigned n = VG_HTTP2_MAX_STREAMS + 10;
	for (unsigned i = 0; i < n; i++) {
		struct bytes hb = { .n = 0 };
		request_block(&hb, "GET", "/s", "x");
		frame(&c, VG_HTTP2_HEADERS, 0x05, 1 + 2 * i, hb.b, hb.n);
	}
	static struct rec r;
	memset(&r, 0, sizeof(r));
	struct vg_http2_state *st = vg_http2_state_new(0, on_tx, on_an, &r);
	assert_int_equal(vg_http2_parse(st, 0, c.b, c.n), 0);
	assert_int_equal(r.an[VG_HTTP2_AN_TOO_MANY_STREAMS], 10);
	unsigned done = 0;
	for (unsigned i = 0; i < r.n; i++)
		done += r.tx[i].what == VG_HTTP_EV_DONE;
	assert_int_equal(done, 10);
	assert_non_null(find(&r, VG_HTTP_EV_DONE, 1)); /* the oldest went first */
	vg_http2_eof(st, 0);
	vg_http2_eof(st, 1);
	done = 0;
	for (unsigned i = 0; i < r.n; i++)
		done += r.tx[i].what == VG_HTTP_EV_DONE;
	assert_int_equal(done, n);
	vg_http2_state_free(st);
}

/* the request side's dynamic table carries over from stream to stream */
static void test_dynamic_table_across_streams(void **state)
{
	(void)state;
	static struct bytes c;
	c.n = 0;
	preface(&c);
	struct bytes hb = { .n = 0 };
	request_block(&hb, "GET", "/1", "x");
	lit_idx(&hb, "user-agent", "indexed-agent");
	lit(&hb, "cookie", "only=one");
	frame(&c, VG_HTTP2_HEADERS, 0x05, 1, hb.b, hb.n);
	hb.n = 0;
	request_block(&hb, "GET", "/2", "x");
	uint8_t idx = 0x80 | 62; /* newest dynamic entry */
	put(&hb, &idx, 1);
	lit(&hb, "cookie", "a=1");   /* split cookies are joined for http.cookie */
	lit(&hb, "accept", "*/*");
	lit(&hb, "cookie", "b=2");
	frame(&c, VG_HTTP2_HEADERS, 0x05, 3, hb.b, hb.n);
	/* a bad index on stream 5: invalid_header, the stream still exists */
	hb.n = 0;
	request_block(&hb, "GET", "/3", "x");
	idx = 0x80 | 100;
	put(&hb, &idx, 1);
	frame(&c, VG_HTTP2_HEADERS, 0x05, 5, hb.b, hb.n);
	static struct rec r;
	memset(&r, 0, sizeof(r));
	struct vg_http2_state *st = vg_http2_state_new(0, on_tx, on_an, &r);
	assert_int_equal(vg_http2_parse(st, 0, c.b, c.n), 0);
	const struct rec_tx *q = find(&r, VG_HTTP_EV_REQUEST, 3);
	assert_non_null(q);
	assert_string_equal(q->ua, "indexed-agent");
	assert_string_equal(q->uri, "/2");
	assert_string_equal(q->cookie, "a=1; b=2");
	q = find(&r, VG_HTTP_EV_REQUEST, 1);
	assert_non_null(q);
	assert_string_equal(q->cookie, "only=one");
	assert_int_equal(r.an[VG_HTTP2_AN_INVALID_HEADER], 1);
	q = find(&r, VG_HTTP_EV_REQUEST, 5);
	assert_non_null(q);
	assert_string_equal(q->uri, "/3"); /* fields before the bad one were kept */
	vg_http2_state_free(st);
}

/* a gap inside a DATA payload skips the frame but keeps framing; a gap between frames
 * stops the direction */
static void test_gaps(void **state)
{
	(void)state;
	basic_exchange();
	static struct rec r;
	memset(&r, 0, sizeof(r));
	struct vg_http2_state *st = vg_http2_state_new(0, on_tx, on_an, &r);
	assert_int_equal(vg_http2_parse(st, 0, cli.b, cli.n), 0);
	/* server bytes up to 3 bytes into the first DATA payload ("hel"), gap of 3 ("lo "),
	 * then the rest */
	size_t first_data = srv.n - (9 + 6) - (9 + 5);
	size_t at = first_data + 9 + 3;
	assert_int_equal(vg_http2_parse(st, 1, srv.b, at), 0);
	vg_http2_gap(st, 1, 3);
	assert_int_equal(vg_http2_parse(st, 1, srv.b + at + 3, srv.n - at - 3), 0);
	const struct rec_tx *d = find(&r, VG_HTTP_EV_DONE, 1);
	assert_non_null(d);
	assert_string_equal(d->body, "world");
	assert_int_equal(d->resp_seen, 11);
	assert_int_equal(vg_http2_stats(st)->gaps_in_frame, 1);
	/* a gap between frames: the direction stops */
	vg_http2_gap(st, 0, 100);
	assert_int_equal(vg_http2_parse(st, 0, cli.b + 24, 9), VG_EINVAL);
	vg_http2_state_free(st);

	/* a gap inside a HEADERS payload: that block is lost (invalid_header), the next
	 * stream's request is still parsed */
	static struct bytes c;
	c.n = 0;
	preface(&c);
	struct bytes hb = { .n = 0 };
	request_block(&hb, "GET", "/lost", "x");
	size_t h1 = c.n;
	frame(&c, VG_HTTP2_HEADERS, 0x05, 1, hb.b, hb.n);
	hb.n = 0;
	request_block(&hb, "GET", "/kept", "x");
	frame(&c, VG_HTTP2_HEADERS, 0x05, 3, hb.b, hb.n);
	memset(&r, 0, sizeof(r));
	st = vg_http2_state_new(0, on_tx, on_an, &r);
	at = h1 + 9 + 5;
	assert_int_equal(vg_http2_parse(st, 0, c.b, at), 0);
	vg_http2_gap(st, 0, 4);
	assert_int_equal(vg_http2_parse(st, 0, c.b + at + 4, c.n - at - 4), 0);
	assert_int_equal(r.an[VG_HTTP2_AN_INVALID_HEADER], 1);
	assert_null(find(&r, VG_HTTP_EV_REQUEST, 1));
	const struct rec_tx *q = find(&r, VG_HTTP_EV_REQUEST, 3);
	assert_non_null(q);
	assert_string_equal(q->uri, "/kept");
	vg_http2_state_free(st);
}

static void test_bad_frames(void **state)
{
	(void)state;
	static struct bytes c;
	c.n = 0;
	preface(&c);
	frame(&c, VG_HTTP2_SETTINGS, 0, 0, "\0\x01\0\0\x10", 5);       /* not 6-byte entries */
	frame(&c, VG_HTTP2_SETTINGS, 1, 0, "\0\0\0\0\0\0", 6);         /* ACK with a payload */
	frame(&c, VG_HTTP2_SETTINGS, 0, 1, NULL, 0);                   /* on a stream */
	frame(&c, VG_HTTP2_SETTINGS, 0, 0, "\0\x05\0\0\x10\0", 6);      /* max frame 4096 < 16384 */
	frame(&c, VG_HTTP2_PING, 0, 0, "1234567", 7);
	frame(&c, VG_HTTP2_PING, 0, 3, "12345678", 8);
	frame(&c, VG_HTTP2_WINDOW_UPDATE, 0, 0, "abc", 3);
	frame(&c, VG_HTTP2_PRIORITY, 0, 1, "abcd", 4);
	frame(&c, VG_HTTP2_GOAWAY, 0, 0, "abc", 3);
	frame(&c, VG_HTTP2_DATA, 0, 0, "abc", 3);                      /* stream 0 */
	frame(&c, VG_HTTP2_HEADERS, 0x04, 0, "\x82", 1);               /* stream 0 */
	frame(&c, VG_HTTP2_DATA, 0, 77, "abc", 3);                     /* unknown stream */
	frame(&c, 0xee, 0xff, 9, "whatever", 8);                       /* unknown type: ignored */
	frame(&c, VG_HTTP2_GOAWAY, 0, 0, "\0\0\0\0\0\0\0\0", 8);       /* fine */
	static struct rec r;
	memset(&r, 0, sizeof(r));
	struct vg_http2_state *st = vg_http2_state_new(0, on_tx, on_an, &r);
	assert_int_equal(vg_http2_parse(st, 0, c.b, c.n), 0);
	assert_int_equal(r.an[VG_HTTP2_AN_INVALID_FRAME_DATA], 2);
	assert_int_equal(r.an[VG_HTTP2_AN_INVALID_FRAME_LENGTH], 5);
	assert_int_equal(r.an[VG_HTTP2_AN_INVALID_FRAME_HEADER], 4);
	assert_int_equal(r.n_an, 11);
	assert_int_equal(r.n, 0);
	const struct vg_http2_stats *s = vg_http2_stats(st);
	assert_int_equal(s->data_unknown_stream, 1);
	assert_int_equal(s->unknown_frames, 1);
	assert_int_equal(s->goaways, 2);
	vg_http2_state_free(st);

	/* not the preface: invalid_client_magic, the direction stops */
	memset(&r, 0, sizeof(r));
	st = vg_http2_state_new(0, on_tx, on_an, &r);
	assert_int_equal(vg_http2_parse(st, 0, (const uint8_t *)"PRI * HTTP/2.0\r\n\r\nXX", 20), VG_EINVAL);
	assert_int_equal(r.an[VG_HTTP2_AN_INVALID_CLIENT_MAGIC], 1);
	assert_int_equal(vg_http2_parse(st, 0, (const uint8_t *)"more", 4), VG_EINVAL);
	assert_int_equal(vg_http2_parse(NULL, 0, NULL, 0), VG_EINVAL);
	assert_int_equal(vg_http2_parse(st, 2, NULL, 0), VG_EINVAL);
	vg_http2_state_free(st);
}

/* random bytes after the preface, in both directions: no crash, bounded state */
static void test_garbage(void **state)
{
	(void)state;
	static uint8_t g[65536];
	uint32_t x = 12345;
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < sizeof(g); i++) {
			x = x * 1103515245u + 12345u;
			g[i] = (uint8_t)(x >> 16);
		}
		/* keep frame lengths small often, so that frames get parsed */
		for (size_t i = 0; i + 9 < sizeof(g); i += 40)
			g[i] = 0, g[i + 1] = 0;
		static struct rec r;
		memset(&r, 0, sizeof(r));
		struct vg_http2_state *st = vg_http2_state_new(0, on_tx, NULL, &r);
		vg_http2_parse(st, 0, (const uint8_t *)VG_HTTP2_PREFACE, VG_HTTP2_PREFACE_LEN);
		vg_http2_parse(st, 0, g, sizeof(g) / 2);
		vg_http2_parse(st, 1, g + sizeof(g) / 2, sizeof(g) / 2);
		vg_http2_eof(st, 0);
		vg_http2_eof(st, 1);
		vg_http2_state_free(st);
	}
	assert_string_equal(vg_http2_anomaly_name(VG_HTTP2_AN_LONG_FRAME_DATA), "long_frame_data");
	assert_string_equal(vg_http2_anomaly_name(VG_HTTP2_AN__COUNT), "unknown");
}

/* through the per-flow glue: detection by the preface, "http" events with proto
 * VG_APP_HTTP2, anomaly events (vg_app_event_anomaly) capped per flow */
struct flow_rec {
	unsigned http, anomalies, other;
	char last_anomaly[64], layer[16];
	char url[64];
};

static void on_flow_event(void *ctx, enum vg_app_proto proto, int dir, json_t *extra)
{
	(void)dir;
	struct flow_rec *r = ctx;
	assert_int_equal(proto, VG_APP_HTTP2);
	const char *layer;
	const char *an = vg_app_event_anomaly(extra, &layer);
	if (an) {
		r->anomalies++;
		cpy(r->last_anomaly, sizeof(r->last_anomaly), an, strlen(an));
		cpy(r->layer, sizeof(r->layer), layer, strlen(layer));
		assert_string_equal(json_string_value(json_object_get(json_object_get(extra, "anomaly"), "type")),
				    "applayer");
		return;
	}
	json_t *h = json_object_get(extra, "http");
	if (h) {
		r->http++;
		const char *u = json_string_value(json_object_get(h, "url"));
		cpy(r->url, sizeof(r->url), u ? u : "", u ? strlen(u) : 0);
		assert_non_null(json_object_get(h, "http2"));
		return;
	}
	r->other++;
}

static void test_app_flow(void **state)
{
	(void)state;
	/* detection: the preface, a prefix of it (more needed), something else */
	const uint8_t *pf = (const uint8_t *)VG_HTTP2_PREFACE;
	assert_int_equal(vg_app_detect(pf, VG_HTTP2_PREFACE_LEN, 0, 6, 40000, 8080), VG_APP_HTTP2);
	assert_int_equal(vg_app_detect(pf, 8, 0, 6, 40000, 8080), VG_APP_UNKNOWN);
	assert_int_equal(vg_app_detect((const uint8_t *)"PRI * HTTP/1.1\r\n", 16, 0, 6, 40000, 8080), VG_APP_FAILED);
	assert_int_equal(vg_app_detect(pf, VG_HTTP2_PREFACE_LEN, 1, 6, 8080, 40000), VG_APP_FAILED);
	assert_string_equal(vg_app_proto_name(VG_APP_HTTP2), "http2");
	assert_null(vg_app_event_anomaly(NULL, NULL));

	static struct bytes c, s;
	c.n = s.n = 0;
	preface(&c);
	struct bytes hb = { .n = 0 };
	request_block(&hb, "GET", "/via-flow", "x");
	frame(&c, VG_HTTP2_HEADERS, 0x05, 1, hb.b, hb.n);
	hb.n = 0;
	lit(&hb, ":status", "204");
	frame(&s, VG_HTTP2_HEADERS, 0x05, 1, hb.b, hb.n);
	for (int i = 0; i < 100; i++)
		frame(&s, VG_HTTP2_PING, 0, 0, "1234567", 7); /* invalid_frame_length each */
	struct flow_rec r;
	memset(&r, 0, sizeof(r));
	struct vg_app_flow *f = vg_app_flow_new(6, 40000, 8080, on_flow_event, &r);
	assert_non_null(f);
	/* the preface split over two segments */
	assert_int_equal(vg_app_flow_data(f, 0, c.b, 10), 0);
	assert_int_equal(vg_app_flow_proto(f), VG_APP_UNKNOWN);
	assert_int_equal(vg_app_flow_data(f, 0, c.b + 10, c.n - 10), 0);
	assert_int_equal(vg_app_flow_proto(f), VG_APP_HTTP2);
	assert_int_equal(vg_app_flow_data(f, 1, s.b, s.n), 0);
	vg_app_flow_eof(f, 0);
	vg_app_flow_eof(f, 1);
	assert_int_equal(r.http, 1);
	assert_string_equal(r.url, "/via-flow");
	assert_int_equal(r.anomalies, VG_APP_MAX_ANOMALY_EVENTS);
	assert_string_equal(r.last_anomaly, "invalid_frame_length");
	assert_string_equal(r.layer, "http2");
	assert_int_equal(r.other, 0);
	vg_app_flow_free(f);
}

/* ------------------------------------------------------ content-encoding ---- */

/* zlib over in: wbits 31 gzip, 15 zlib, -15 raw deflate. Caller frees *out. */
static size_t zcompress(const uint8_t *in, size_t n, int wbits, uint8_t **out)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, wbits, 9, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = deflateBound(&z, (uLong)n) + 16;
	*out = malloc(cap);
	assert_non_null(*out);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = *out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t len = cap - z.avail_out;
	deflateEnd(&z);
	return len;
}

/* what a DONE stream's bodies held */
struct enc_rec {
	unsigned done;
	uint8_t req[VG_HTTP_MAX_BODY], resp[VG_HTTP_MAX_BODY];
	size_t req_len, resp_len;
	uint64_t req_seen, resp_seen, resp_decoded_len;
	bool req_decoded, resp_decoded, resp_stopped, resp_failed;
	uint8_t resp_encoding;
};

static void on_enc_tx(void *ctx, const struct vg_http_tx *tx, uint32_t sid, unsigned what)
{
	(void)sid;
	struct enc_rec *r = ctx;
	if (what != VG_HTTP_EV_DONE)
		return;
	r->done++;
	r->req_len = tx->req.body.len;
	if (r->req_len)
		memcpy(r->req, tx->req.body.data, r->req_len);
	r->resp_len = tx->resp.body.len;
	if (r->resp_len)
		memcpy(r->resp, tx->resp.body.data, r->resp_len);
	r->req_seen = tx->req.body_seen;
	r->resp_seen = tx->resp.body_seen;
	r->req_decoded = tx->req.decoded;
	r->resp_decoded = tx->resp.decoded;
	r->resp_stopped = tx->resp.decode_stopped;
	r->resp_failed = tx->resp.decode_failed;
	r->resp_decoded_len = tx->resp.decoded_len;
	r->resp_encoding = tx->resp.encoding;
}

/* text that compresses about 3:1, starting with a marker */
static void plain(uint8_t *p, size_t n)
{
	static const char mark[] = "vigil-h2-gzip-marker ";
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)('a' + (x >> 16) % 9);
	}
	memcpy(p, mark, n < sizeof(mark) - 1 ? n : sizeof(mark) - 1);
}

/* a POST whose body is content-encoding (req_enc, raw deflate when "deflate") and a
 * response with resp_enc; each body split over two DATA frames */
static void encoded_exchange(const char *req_enc, const uint8_t *reqb, size_t reqn, const char *resp_enc,
			     const uint8_t *respb, size_t respn)
{
	struct bytes hb;
	memset(&cli, 0, sizeof(cli));
	memset(&srv, 0, sizeof(srv));
	preface(&cli);
	hb.n = 0;
	request_block(&hb, "POST", "/up", "h2.example");
	if (req_enc)
		lit(&hb, "content-encoding", req_enc);
	frame(&cli, VG_HTTP2_HEADERS, 0x04, 1, hb.b, hb.n);
	frame(&cli, VG_HTTP2_DATA, 0, 1, reqb, reqn / 2);
	frame(&cli, VG_HTTP2_DATA, 0x01, 1, reqb + reqn / 2, reqn - reqn / 2);
	frame(&srv, VG_HTTP2_SETTINGS, 0, 0, NULL, 0);
	hb.n = 0;
	lit(&hb, ":status", "200");
	if (resp_enc)
		lit(&hb, "content-encoding", resp_enc);
	frame(&srv, VG_HTTP2_HEADERS, 0x04, 1, hb.b, hb.n);
	size_t off = 0;
	while (off < respn) { /* frames of at most 16 KiB, the default maximum */
		size_t k = respn - off < 16384 ? respn - off : 16384;
		frame(&srv, VG_HTTP2_DATA, off + k == respn ? 0x01 : 0, 1, respb + off, k);
		off += k;
	}
}

static void run_encoded(struct enc_rec *r, size_t split, const struct vg_http2_stats **stats_out,
			struct vg_http2_state **keep)
{
	memset(r, 0, sizeof(*r));
	struct vg_http2_state *st = vg_http2_state_new(0, on_enc_tx, NULL, r);
	assert_non_null(st);
	assert_int_equal(vg_http2_parse(st, 0, cli.b, cli.n), 0);
	size_t a = split < srv.n ? split : srv.n;
	assert_int_equal(vg_http2_parse(st, 1, srv.b, a), 0);
	assert_int_equal(vg_http2_parse(st, 1, srv.b + a, srv.n - a), 0);
	vg_http2_eof(st, 0);
	vg_http2_eof(st, 1);
	assert_int_equal(r->done, 1);
	if (keep) {
		*stats_out = vg_http2_stats(st);
		*keep = st;
	} else {
		vg_http2_state_free(st);
	}
}

/* gzip response and raw-deflate request inflated as on HTTP/1; body_seen stays wire
 * bytes; any split of the server's bytes gives the same body */
static void test_content_encoding(void **state)
{
	(void)state;
	static uint8_t text[20000], req[3000];
	plain(text, sizeof(text));
	plain(req, sizeof(req));
	memcpy(req, "deflated-request-marker", 23);
	uint8_t *gz, *dfl;
	size_t gzn = zcompress(text, sizeof(text), 31, &gz);
	size_t dfln = zcompress(req, sizeof(req), -15, &dfl);
	assert_true(gzn < sizeof(text));
	encoded_exchange("deflate", dfl, dfln, "gzip", gz, gzn);
	static struct enc_rec r;
	const struct vg_http2_stats *s;
	struct vg_http2_state *st;
	run_encoded(&r, srv.n, &s, &st);
	assert_true(r.resp_decoded);
	assert_int_equal(r.resp_encoding, VG_HTTP_ENC_GZIP);
	assert_int_equal(r.resp_len, sizeof(text));
	assert_memory_equal(r.resp, text, sizeof(text));
	assert_int_equal(r.resp_seen, gzn);
	assert_true(r.req_decoded);
	assert_int_equal(r.req_len, sizeof(req));
	assert_memory_equal(r.req, req, sizeof(req));
	assert_int_equal(r.req_seen, dfln);
	assert_int_equal(s->inflate_error + s->inflate_bomb + s->inflate_limit + s->encoding_unsupported, 0);
	vg_http2_state_free(st);
	static struct enc_rec r2;
	for (size_t cut = 0; cut <= srv.n; cut += 97) {
		run_encoded(&r2, cut, NULL, NULL);
		assert_int_equal(r2.resp_len, sizeof(text));
		assert_memory_equal(r2.resp, text, sizeof(text));
	}
	free(gz);
	free(dfl);
}

/* without Content-Encoding, or with one vigil does not undo, the bytes stay as sent */
static void test_content_encoding_not(void **state)
{
	(void)state;
	static uint8_t text[5000];
	plain(text, sizeof(text));
	uint8_t *gz;
	size_t gzn = zcompress(text, sizeof(text), 31, &gz);
	static struct enc_rec r;
	const struct vg_http2_stats *s;
	struct vg_http2_state *st;
	/* gzip bytes, no content-encoding: not inflated */
	encoded_exchange(NULL, (const uint8_t *)"a=1", 3, NULL, gz, gzn);
	run_encoded(&r, srv.n, &s, &st);
	assert_false(r.resp_decoded);
	assert_int_equal(r.resp_len, gzn);
	assert_memory_equal(r.resp, gz, gzn);
	assert_int_equal(r.req_len, 3);
	vg_http2_state_free(st);
	/* br: counted, kept as sent */
	encoded_exchange(NULL, (const uint8_t *)"a=1", 3, "br", gz, gzn);
	run_encoded(&r, srv.n, &s, &st);
	assert_false(r.resp_decoded);
	assert_int_equal(r.resp_len, gzn);
	assert_int_equal(s->encoding_unsupported, 1);
	vg_http2_state_free(st);
	/* labelled gzip, not gzip: kept as sent, inflate_error */
	encoded_exchange(NULL, (const uint8_t *)"a=1", 3, "gzip", text, 3000);
	run_encoded(&r, 1000, &s, &st);
	assert_false(r.resp_decoded);
	assert_true(r.resp_failed);
	assert_int_equal(r.resp_len, 3000);
	assert_memory_equal(r.resp, text, 3000);
	assert_int_equal(s->inflate_error, 1);
	vg_http2_state_free(st);
	free(gz);
}

/* a gzip bomb stops at the ratio bound, the first VG_HTTP_MAX_BODY bytes kept */
static void test_content_encoding_bomb(void **state)
{
	(void)state;
	size_t n = 8u << 20;
	uint8_t *zeros = calloc(1, n);
	assert_non_null(zeros);
	uint8_t *gz;
	size_t gzn = zcompress(zeros, n, 31, &gz);
	assert_true(gzn < 64 * 1024);
	encoded_exchange(NULL, (const uint8_t *)"a=1", 3, "gzip", gz, gzn);
	static struct enc_rec r;
	const struct vg_http2_stats *s;
	struct vg_http2_state *st;
	run_encoded(&r, srv.n / 2, &s, &st);
	assert_true(r.resp_decoded);
	assert_true(r.resp_stopped);
	assert_int_equal(r.resp_len, VG_HTTP_MAX_BODY);
	assert_true(r.resp_decoded_len < n);
	assert_int_equal(s->inflate_bomb + s->inflate_limit, 1);
	assert_int_equal(r.resp_seen, gzn);
	vg_http2_state_free(st);
	free(gz);
	free(zeros);
}

/* ------------------------------------------------------------------ h2c ---- */

struct h2c_rec {
	unsigned h1, h2, other, anomalies;
	int h1_status, h2_status[4];
	char h2_url[4][64];
	uint32_t h2_sid[4];
	char h2_body[4][32];
};

static void on_h2c_event(void *ctx, enum vg_app_proto proto, int dir, json_t *extra)
{
	(void)dir;
	struct h2c_rec *r = ctx;
	if (vg_app_event_anomaly(extra, NULL)) {
		r->anomalies++;
		return;
	}
	json_t *h = json_object_get(extra, "http");
	if (!h) {
		r->other++;
		return;
	}
	if (proto == VG_APP_HTTP) {
		r->h1++;
		r->h1_status = (int)json_integer_value(json_object_get(h, "status"));
		assert_null(json_object_get(h, "http2"));
		return;
	}
	assert_int_equal(proto, VG_APP_HTTP2);
	assert_true(r->h2 < 4);
	unsigned i = r->h2++;
	r->h2_status[i] = (int)json_integer_value(json_object_get(h, "status"));
	const char *u = json_string_value(json_object_get(h, "url"));
	cpy(r->h2_url[i], sizeof(r->h2_url[i]), u ? u : "", u ? strlen(u) : 0);
	r->h2_sid[i] = (uint32_t)json_integer_value(json_object_get(json_object_get(h, "http2"), "stream_id"));
}

struct h2c_insp {
	unsigned req_h1, req_h2;
	char body[4][32];
	unsigned n_body;
};

static void on_h2c_insp(void *ctx, const struct vg_http_tx *tx, unsigned what)
{
	struct h2c_insp *r = ctx;
	if (what == VG_HTTP_EV_REQUEST) {
		if (tx->http2)
			r->req_h2++;
		else
			r->req_h1++;
	}
	if (what == VG_HTTP_EV_DONE && tx->http2 && r->n_body < 4) {
		cpy(r->body[r->n_body], sizeof(r->body[0]), tx->resp.body.data, tx->resp.body.len);
		r->n_body++;
	}
}

/* Upgrade: h2c + 101, then HTTP/2 (stream 1 = the upgraded request, stream 3 a new one),
 * through vg_app_flow with the server's and the client's bytes split at every offset */
static void test_h2c_upgrade(void **state)
{
	(void)state;
	static const char req[] = "GET /up?x=1 HTTP/1.1\r\nHost: H2C.example:8080\r\nConnection: Upgrade, HTTP2-Settings\r\n"
				  "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nUser-Agent: ua-h2c\r\n\r\n";
	static const char r101[] = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n";
	static struct bytes c, s;
	c.n = s.n = 0;
	put(&c, req, strlen(req));
	size_t c_h1 = c.n;
	preface(&c);
	struct bytes hb = { .n = 0 };
	request_block(&hb, "GET", "/second", "h2c.example");
	frame(&c, VG_HTTP2_HEADERS, 0x05, 3, hb.b, hb.n);
	put(&s, r101, strlen(r101));
	size_t s_h1 = s.n;
	frame(&s, VG_HTTP2_SETTINGS, 0, 0, NULL, 0);
	hb.n = 0;
	lit(&hb, ":status", "200");
	frame(&s, VG_HTTP2_HEADERS, 0x04, 1, hb.b, hb.n);
	frame(&s, VG_HTTP2_DATA, 0x01, 1, "stream-one", 10);
	/* stream 3's response, after its request */
	static struct bytes s3;
	s3.n = 0;
	hb.n = 0;
	lit(&hb, ":status", "404");
	frame(&s3, VG_HTTP2_HEADERS, 0x05, 3, hb.b, hb.n);
	for (size_t cut = 0; cut <= s.n + c.n; cut++) {
		/* cut < s.n: the server split there; else the client split at cut - s.n */
		size_t sc = cut <= s.n ? cut : s.n, cc = cut <= s.n ? c_h1 : cut - s.n;
		static struct h2c_rec r;
		memset(&r, 0, sizeof(r));
		struct h2c_insp in;
		memset(&in, 0, sizeof(in));
		struct vg_app_flow *f = vg_app_flow_new(6, 40000, 8080, on_h2c_event, &r);
		assert_non_null(f);
		struct vg_app_inspect h = { .http = on_h2c_insp, .ctx = &in };
		vg_app_flow_set_inspect(f, &h);
		size_t c1 = cc < c_h1 ? cc : c_h1;
		assert_int_equal(vg_app_flow_data(f, 0, c.b, c1), 0);
		if (c1 < c_h1)
			assert_int_equal(vg_app_flow_data(f, 0, c.b + c1, c_h1 - c1), 0);
		/* the client's preface and stream 3 before the server's 101 when the cut says so */
		bool early = cc > c_h1;
		if (early)
			assert_int_equal(vg_app_flow_data(f, 0, c.b + c_h1, cc - c_h1), 0);
		if (sc > 0)
			assert_int_equal(vg_app_flow_data(f, 1, s.b, sc), 0);
		if (sc < s.n)
			assert_int_equal(vg_app_flow_data(f, 1, s.b + sc, s.n - sc), 0);
		size_t from = early ? cc : c_h1;
		if (from < c.n)
			assert_int_equal(vg_app_flow_data(f, 0, c.b + from, c.n - from), 0);
		assert_int_equal(vg_app_flow_data(f, 1, s3.b, s3.n), 0);
		assert_int_equal(vg_app_flow_proto(f), VG_APP_HTTP2);
		vg_app_flow_eof(f, 0);
		vg_app_flow_eof(f, 1);
		vg_app_flow_free(f);
		assert_int_equal(r.anomalies, 0);
		assert_int_equal(r.other, 0);
		assert_int_equal(r.h1, 1);
		assert_int_equal(r.h1_status, 101);
		assert_int_equal(r.h2, 2);
		/* streams end in any order relative to each other; find each */
		unsigned i1 = r.h2_sid[0] == 1 ? 0 : 1, i3 = 1 - i1;
		assert_int_equal(r.h2_sid[i1], 1);
		assert_int_equal(r.h2_sid[i3], 3);
		assert_string_equal(r.h2_url[i1], "/up?x=1");
		assert_int_equal(r.h2_status[i1], 200);
		assert_string_equal(r.h2_url[i3], "/second");
		assert_int_equal(r.h2_status[i3], 404);
		assert_int_equal(in.req_h1, 1);
		assert_int_equal(in.req_h2, 2);
		assert_true(strcmp(in.body[0], "stream-one") == 0 || strcmp(in.body[1], "stream-one") == 0);
		(void)s_h1;
	}
}

/* no 101 (the server ignored the offer), or a 101 to something else: HTTP/1 goes on */
static void test_h2c_not_upgraded(void **state)
{
	(void)state;
	static const char req[] = "GET /a HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\n\r\n";
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	static const char req2[] = "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char ok2[] = "HTTP/1.1 204 No Content\r\n\r\n";
	static struct h2c_rec r;
	memset(&r, 0, sizeof(r));
	struct vg_app_flow *f = vg_app_flow_new(6, 40000, 8080, on_h2c_event, &r);
	assert_int_equal(vg_app_flow_data(f, 0, (const uint8_t *)req, strlen(req)), 0);
	assert_int_equal(vg_app_flow_data(f, 1, (const uint8_t *)ok, strlen(ok)), 0);
	assert_int_equal(vg_app_flow_data(f, 0, (const uint8_t *)req2, strlen(req2)), 0);
	assert_int_equal(vg_app_flow_data(f, 1, (const uint8_t *)ok2, strlen(ok2)), 0);
	assert_int_equal(vg_app_flow_proto(f), VG_APP_HTTP);
	vg_app_flow_eof(f, 0);
	vg_app_flow_eof(f, 1);
	vg_app_flow_free(f);
	assert_int_equal(r.h1, 2);
	assert_int_equal(r.h2, 0);
	/* after a refused offer, a POST fed byte by byte (its "P" alone, "PR" is not "PRI *")
	 * and a line that only starts like the preface stay HTTP/1 */
	static const char post[] = "POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx";
	static const char pri[] = "PRI * HTTP/1.1\r\nHost: h\r\n\r\n";
	memset(&r, 0, sizeof(r));
	f = vg_app_flow_new(6, 40000, 8080, on_h2c_event, &r);
	assert_int_equal(vg_app_flow_data(f, 0, (const uint8_t *)req, strlen(req)), 0);
	assert_int_equal(vg_app_flow_data(f, 1, (const uint8_t *)ok, strlen(ok)), 0);
	for (size_t i = 0; i < strlen(post); i++)
		assert_int_equal(vg_app_flow_data(f, 0, (const uint8_t *)post + i, 1), 0);
	assert_int_equal(vg_app_flow_data(f, 1, (const uint8_t *)ok2, strlen(ok2)), 0);
	for (size_t i = 0; i < strlen(pri); i++)
		vg_app_flow_data(f, 0, (const uint8_t *)pri + i, 1);
	assert_int_equal(vg_app_flow_data(f, 1, (const uint8_t *)ok2, strlen(ok2)), 0);
	assert_int_equal(vg_app_flow_proto(f), VG_APP_HTTP);
	vg_app_flow_eof(f, 0);
	vg_app_flow_eof(f, 1);
	vg_app_flow_free(f);
	assert_int_equal(r.h1, 3); /* /a, the POST and "PRI * HTTP/1.1", all HTTP/1 */
	assert_int_equal(r.h2, 0);
	/* a 101 to a websocket upgrade is not HTTP/2 */
	static const char ws[] = "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n";
	static const char s101[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
	memset(&r, 0, sizeof(r));
	f = vg_app_flow_new(6, 40000, 8080, on_h2c_event, &r);
	assert_int_equal(vg_app_flow_data(f, 0, (const uint8_t *)ws, strlen(ws)), 0);
	assert_int_equal(vg_app_flow_data(f, 1, (const uint8_t *)s101, strlen(s101)), 0);
	assert_int_equal(vg_app_flow_data(f, 0, (const uint8_t *)VG_HTTP2_PREFACE, VG_HTTP2_PREFACE_LEN), 0);
	assert_int_equal(vg_app_flow_proto(f), VG_APP_HTTP);
	vg_app_flow_eof(f, 0);
	vg_app_flow_eof(f, 1);
	vg_app_flow_free(f);
	assert_int_equal(r.h2, 0);
	/* a 101 to h2c the request did not ask for is not followed either */
	static const char plain[] = "GET /p HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char h101[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n";
	memset(&r, 0, sizeof(r));
	f = vg_app_flow_new(6, 40000, 8080, on_h2c_event, &r);
	assert_int_equal(vg_app_flow_data(f, 0, (const uint8_t *)plain, strlen(plain)), 0);
	assert_int_equal(vg_app_flow_data(f, 1, (const uint8_t *)h101, strlen(h101)), 0);
	assert_int_equal(vg_app_flow_proto(f), VG_APP_HTTP);
	vg_app_flow_eof(f, 0);
	vg_app_flow_eof(f, 1);
	vg_app_flow_free(f);
	assert_int_equal(r.h2, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exchange),
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_continuation),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_long_frame),
		cmocka_unit_test(test_verify_case_shape),
		cmocka_unit_test(test_push_promise),
		cmocka_unit_test(test_rst_and_reuse),
		cmocka_unit_test(test_stream_cap),
		cmocka_unit_test(test_dynamic_table_across_streams),
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_bad_frames),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_app_flow),
		cmocka_unit_test(test_content_encoding),
		cmocka_unit_test(test_content_encoding_not),
		cmocka_unit_test(test_content_encoding_bomb),
		cmocka_unit_test(test_h2c_upgrade),
		cmocka_unit_test(test_h2c_not_upgraded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
