/* HTTP body decompression: Content-Encoding gzip / x-gzip / deflate (zlib and raw) on
 * responses and requests, with Content-Length, chunked and close framing, split at
 * every offset; bombs, the output limit, bad data before and after output, trailing
 * bytes, unsupported codings, gaps, HEAD. Compressed inputs are made here with zlib
 * (deflateInit2: 31 = gzip wrapper, 15 = zlib, -15 = raw). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "app/app.h"
#include "core/core-error.h"

struct bytes {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void puts_(struct bytes *b, const char *s)
{
	put(b, s, strlen(s));
}

static struct bytes compress_with(const uint8_t *in, size_t n, int wbits)
{
	struct bytes out = { 0 };
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, wbits, 9, Z_DEFAULT_STRATEGY), Z_OK);
	out.cap = deflateBound(&z, (uLong)n) + 16;
	out.p = malloc(out.cap);
	assert_non_null(out.p);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out.p;
	z.avail_out = (uInt)out.cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	out.len = out.cap - z.avail_out;
	deflateEnd(&z);
	return out;
}

/* Text that compresses about 3:1 (so the ratio test never fires on it), with a marker. */
static struct bytes plain_text(size_t n)
{
	struct bytes b = { 0 };
	uint32_t x = 12345;
	while (b.len < n) {
		char w[32];
		x = x * 1103515245u + 12345u;
		int k = snprintf(w, sizeof(w), "w%u ", (x >> 8) % 5000);
		put(&b, w, (size_t)k);
	}
	b.len = n;
	if (n > 100)
		memcpy(b.p + n / 2, "MARKER", 6);
	return b;
}

struct got {
	int n_done;
	struct bytes req_body, resp_body;
	bool req_decoded, resp_decoded, resp_failed, resp_stopped, resp_incomplete;
	uint8_t resp_enc;
	uint64_t resp_decoded_len, resp_seen;
	int status;
};

static void on_tx(void *ctx, const struct vg_http_tx *tx, unsigned what)
{
	struct got *g = ctx;
	if (what != VG_HTTP_EV_DONE)
		return;
	g->n_done++;
	free(g->req_body.p);
	free(g->resp_body.p);
	memset(&g->req_body, 0, sizeof(g->req_body));
	memset(&g->resp_body, 0, sizeof(g->resp_body));
	put(&g->req_body, tx->req.body.data ? tx->req.body.data : "", tx->req.body.len);
	put(&g->resp_body, tx->resp.body.data ? tx->resp.body.data : "", tx->resp.body.len);
	g->req_decoded = tx->req.decoded;
	g->resp_decoded = tx->resp.decoded;
	g->resp_failed = tx->resp.decode_failed;
	g->resp_stopped = tx->resp.decode_stopped;
	g->resp_incomplete = tx->resp.incomplete;
	g->resp_enc = tx->resp.encoding;
	g->resp_decoded_len = tx->resp.decoded_len;
	g->resp_seen = tx->resp.body_seen;
	g->status = tx->status;
}

static void got_free(struct got *g)
{
	free(g->req_body.p);
	free(g->resp_body.p);
	memset(g, 0, sizeof(*g));
}

static const char REQ[] = "GET /x HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip, deflate\r\n\r\n";

/* A response with the given extra headers and body (Content-Length framing). */
static struct bytes resp_cl(const char *hdrs, const struct bytes *body)
{
	struct bytes r = { 0 };
	char h[256];
	snprintf(h, sizeof(h), "HTTP/1.1 200 OK\r\n%sContent-Length: %zu\r\n\r\n", hdrs, body->len);
	puts_(&r, h);
	put(&r, body->p, body->len);
	return r;
}

/* Parse REQ then resp fed in pieces of seg bytes (0 = whole); EOF both sides. */
static struct vg_http_state *run(const struct bytes *resp, size_t seg, struct got *g)
{
	memset(g, 0, sizeof(*g));
	struct vg_http_state *st = vg_http_state_new(0, on_tx, g);
	assert_non_null(st);
	assert_int_equal(vg_http_parse(st, 0, (const uint8_t *)REQ, strlen(REQ)), 0);
	if (seg == 0)
		seg = resp->len ? resp->len : 1;
	for (size_t off = 0; off < resp->len; off += seg) {
		size_t n = resp->len - off < seg ? resp->len - off : seg;
		assert_int_equal(vg_http_parse(st, 1, resp->p + off, n), 0);
	}
	vg_http_eof(st, 0);
	vg_http_eof(st, 1);
	return st;
}

static void expect_body(const struct got *g, const struct bytes *want)
{
	assert_int_equal(g->n_done, 1);
	assert_int_equal(g->resp_body.len, want->len);
	assert_memory_equal(g->resp_body.p, want->p, want->len);
}

static void test_gzip_cl_every_split(void **state)
{
	(void)state;
	struct bytes text = plain_text(3000);
	struct bytes gz = compress_with(text.p, text.len, 31);
	struct bytes r = resp_cl("Content-Encoding: gzip\r\n", &gz);
	size_t hdr = r.len - gz.len;
	struct got g;
	/* one split at every offset of the response, and fixed segment sizes */
	for (size_t cut = hdr - 3; cut <= r.len; cut++) {
		memset(&g, 0, sizeof(g));
		struct vg_http_state *st = vg_http_state_new(0, on_tx, &g);
		vg_http_parse(st, 0, (const uint8_t *)REQ, strlen(REQ));
		vg_http_parse(st, 1, r.p, cut);
		vg_http_parse(st, 1, r.p + cut, r.len - cut);
		expect_body(&g, &text);
		assert_true(g.resp_decoded);
		assert_int_equal(g.resp_enc, VG_HTTP_ENC_GZIP);
		assert_int_equal(g.resp_seen, gz.len); /* wire bytes */
		assert_int_equal(vg_http_stats(st)->inflate_error, 0);
		vg_http_state_free(st);
		got_free(&g);
	}
	size_t segs[] = { 1, 2, 3, 7, 64, 1460 };
	for (size_t k = 0; k < sizeof(segs) / sizeof(segs[0]); k++) {
		struct vg_http_state *st = run(&r, segs[k], &g);
		expect_body(&g, &text);
		vg_http_state_free(st);
		got_free(&g);
	}
	free(text.p);
	free(gz.p);
	free(r.p);
}

static void test_deflate_zlib_and_raw(void **state)
{
	(void)state;
	struct bytes text = plain_text(5000);
	const int wbits[] = { 15, -15 };
	const char *hdr[] = { "Content-Encoding: deflate\r\n", "Content-Encoding: x-deflate\r\n" };
	for (int w = 0; w < 2; w++) {
		for (int h = 0; h < 2; h++) {
			struct bytes c = compress_with(text.p, text.len, wbits[w]);
			struct bytes r = resp_cl(hdr[h], &c);
			size_t segs[] = { 0, 1, 5, 333 };
			for (size_t k = 0; k < 4; k++) {
				struct got g;
				struct vg_http_state *st = run(&r, segs[k], &g);
				expect_body(&g, &text);
				assert_true(g.resp_decoded && !g.resp_failed);
				assert_int_equal(g.resp_enc, VG_HTTP_ENC_DEFLATE);
				assert_int_equal(vg_http_stats(st)->inflate_error, 0);
				vg_http_state_free(st);
				got_free(&g);
			}
			free(c.p);
			free(r.p);
		}
	}
	/* a zlib stream labelled gzip is taken too (windowBits 15 + 32) */
	struct bytes c = compress_with(text.p, text.len, 15);
	struct bytes r = resp_cl("Content-Encoding: gzip\r\n", &c);
	struct got g;
	struct vg_http_state *st = run(&r, 0, &g);
	expect_body(&g, &text);
	vg_http_state_free(st);
	got_free(&g);
	free(c.p);
	free(r.p);
	free(text.p);
}

/* Chunked + gzip: chunk boundaries inside the gzip header and in odd places; the
 * close-framed body too. */
static void test_chunked_and_close(void **state)
{
	(void)state;
	struct bytes text = plain_text(8000);
	struct bytes gz = compress_with(text.p, text.len, 31);
	size_t cuts[] = { 1, 3, 10, 11, 100, gz.len / 2, gz.len - 1 };
	struct bytes r = { 0 };
	puts_(&r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: GZIP\r\n\r\n");
	size_t prev = 0;
	for (size_t i = 0; i <= sizeof(cuts) / sizeof(cuts[0]); i++) {
		size_t end = i < sizeof(cuts) / sizeof(cuts[0]) ? cuts[i] : gz.len;
		char h[32];
		snprintf(h, sizeof(h), "%zx\r\n", end - prev);
		puts_(&r, h);
		put(&r, gz.p + prev, end - prev);
		puts_(&r, "\r\n");
		prev = end;
	}
	puts_(&r, "0\r\n\r\n");
	size_t segs[] = { 0, 1, 4, 9, 1460 };
	for (size_t k = 0; k < 5; k++) {
		struct got g;
		struct vg_http_state *st = run(&r, segs[k], &g);
		expect_body(&g, &text);
		assert_true(g.resp_decoded);
		assert_false(g.resp_incomplete);
		vg_http_state_free(st);
		got_free(&g);
	}
	free(r.p);
	/* no length, no chunking: ends at close */
	memset(&r, 0, sizeof(r));
	puts_(&r, "HTTP/1.0 200 OK\r\nContent-Encoding: gzip\r\n\r\n");
	put(&r, gz.p, gz.len);
	struct got g;
	struct vg_http_state *st = run(&r, 100, &g);
	expect_body(&g, &text);
	vg_http_state_free(st);
	got_free(&g);
	free(r.p);
	free(gz.p);
	free(text.p);
}

/* 16 MiB of zeros in ~16 KB: stopped as a bomb past VG_HTTP_INFLATE_BOMB_MIN, the body
 * keeps its first VG_HTTP_MAX_BODY bytes. */
static void test_bomb(void **state)
{
	(void)state;
	size_t n = 16u << 20;
	uint8_t *zeros = calloc(1, n);
	assert_non_null(zeros);
	struct bytes gz = compress_with(zeros, n, 31);
	assert_true(gz.len < n / 500);
	struct bytes r = resp_cl("Content-Encoding: gzip\r\n", &gz);
	size_t segs[] = { 0, 1, 100 };
	for (size_t k = 0; k < 3; k++) {
		struct got g;
		struct vg_http_state *st = run(&r, segs[k], &g);
		assert_int_equal(g.n_done, 1);
		assert_int_equal(vg_http_stats(st)->inflate_bomb, 1);
		assert_int_equal(vg_http_stats(st)->inflate_limit, 0);
		assert_true(g.resp_stopped);
		assert_true(g.resp_decoded_len >= VG_HTTP_INFLATE_BOMB_MIN);
		assert_true(g.resp_decoded_len < VG_HTTP_MAX_INFLATE_OUT);
		assert_int_equal(g.resp_body.len, VG_HTTP_MAX_BODY);
		assert_memory_equal(g.resp_body.p, zeros, VG_HTTP_MAX_BODY);
		assert_int_equal(g.resp_seen, gz.len);
		vg_http_state_free(st);
		got_free(&g);
	}
	free(zeros);
	free(gz.p);
	free(r.p);
}

/* 3 MiB of text at ~3:1: no bomb, but output stops at exactly VG_HTTP_MAX_INFLATE_OUT. */
static void test_output_limit(void **state)
{
	(void)state;
	struct bytes text = plain_text(3u << 20);
	struct bytes gz = compress_with(text.p, text.len, 31);
	struct bytes r = resp_cl("Content-Encoding: gzip\r\n", &gz);
	size_t segs[] = { 0, 1460 };
	for (size_t k = 0; k < 2; k++) {
		struct got g;
		struct vg_http_state *st = run(&r, segs[k], &g);
		assert_int_equal(vg_http_stats(st)->inflate_limit, 1);
		assert_int_equal(vg_http_stats(st)->inflate_bomb, 0);
		assert_int_equal(g.resp_decoded_len, VG_HTTP_MAX_INFLATE_OUT);
		assert_int_equal(g.resp_body.len, VG_HTTP_MAX_BODY);
		assert_memory_equal(g.resp_body.p, text.p, VG_HTTP_MAX_BODY);
		vg_http_state_free(st);
		got_free(&g);
	}
	free(text.p);
	free(gz.p);
	free(r.p);
}

/* Not gzip at all: counted, the body is the bytes as sent, however they were split. */
static void test_bad_data_raw_kept(void **state)
{
	(void)state;
	struct bytes body = { 0 };
	puts_(&body, "this is not gzip at all, just MARKER text");
	const char *hdr[] = { "Content-Encoding: gzip\r\n", "Content-Encoding: deflate\r\n" };
	for (int h = 0; h < 2; h++) {
		struct bytes r = resp_cl(hdr[h], &body);
		size_t segs[] = { 0, 1, 3 };
		for (size_t k = 0; k < 3; k++) {
			struct got g;
			struct vg_http_state *st = run(&r, segs[k], &g);
			expect_body(&g, &body);
			assert_true(g.resp_failed);
			assert_false(g.resp_decoded);
			assert_int_equal(vg_http_stats(st)->inflate_error, 1);
			vg_http_state_free(st);
			got_free(&g);
		}
		free(r.p);
	}
	free(body.p);
}

/* Regression (fuzz-http, chunking dependence): bad data longer than
 * VG_HTTP_INFLATE_PENDING that fails before any output is kept raw whether it comes in
 * one call or byte by byte; a gzip header longer than that (FNAME of 6000 bytes) then bad
 * data keeps nothing, also the same for every split. */
static void test_bad_data_long(void **state)
{
	(void)state;
	struct bytes body = { 0 };
	static const uint8_t hdr[] = { 0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0x03 };
	put(&body, hdr, sizeof(hdr));
	for (int i = 0; i < 6000; i++)
		put(&body, "\xff", 1); /* block type 3: invalid at once */
	struct bytes r = resp_cl("Content-Encoding: gzip\r\n", &body);
	size_t segs[] = { 0, 1, 4095, 4096, 4097 };
	for (size_t k = 0; k < 5; k++) {
		struct got g;
		struct vg_http_state *st = run(&r, segs[k], &g);
		expect_body(&g, &body);
		assert_true(g.resp_failed && !g.resp_decoded);
		vg_http_state_free(st);
		got_free(&g);
	}
	free(r.p);
	/* FNAME flag, 6000-byte name, then garbage: the error comes after VG_HTTP_INFLATE_PENDING */
	struct bytes b2 = { 0 };
	static const uint8_t h2[] = { 0x1f, 0x8b, 0x08, 0x08, 0, 0, 0, 0, 0x02, 0x03 };
	put(&b2, h2, sizeof(h2));
	for (int i = 0; i < 6000; i++)
		put(&b2, "n", 1);
	put(&b2, "\0\xff\xff\xff\xff", 5);
	r = resp_cl("Content-Encoding: gzip\r\n", &b2);
	for (size_t k = 0; k < 5; k++) {
		struct got g;
		struct vg_http_state *st = run(&r, segs[k], &g);
		assert_int_equal(g.n_done, 1);
		assert_true(g.resp_failed && !g.resp_decoded);
		assert_int_equal(g.resp_body.len, 0);
		assert_int_equal(vg_http_stats(st)->inflate_error, 1);
		vg_http_state_free(st);
		got_free(&g);
	}
	free(r.p);
	free(b2.p);
	free(body.p);
}

/* Corrupted after some output: the inflated prefix stays, the rest is not guessed. */
static void test_corrupt_after_output(void **state)
{
	(void)state;
	struct bytes text = plain_text(20000);
	struct bytes gz = compress_with(text.p, text.len, 31);
	/* garble the second half (fixed pseudo-random bytes: the decoder meets an invalid
	 * code or distance soon after; what it decoded until then is garbage it cannot know
	 * about, so only the part before the damage is compared) */
	uint32_t x = 777;
	for (size_t i = gz.len / 2; i < gz.len - 8; i++) {
		x = x * 1103515245u + 12345u;
		gz.p[i] = (uint8_t)(x >> 16);
	}
	struct bytes r = resp_cl("Content-Encoding: gzip\r\n", &gz);
	size_t first_len = 0;
	size_t segs[] = { 0, 1, 17 };
	for (size_t k = 0; k < 3; k++) {
		struct got g;
		struct vg_http_state *st = run(&r, segs[k], &g);
		assert_int_equal(g.n_done, 1);
		assert_true(g.resp_decoded && g.resp_failed);
		assert_int_equal(vg_http_stats(st)->inflate_error, 1);
		assert_true(g.resp_body.len > 4000 && g.resp_body.len < text.len);
		assert_memory_equal(g.resp_body.p, text.p, 4000);
		if (k == 0)
			first_len = g.resp_body.len;
		else
			assert_int_equal(g.resp_body.len, first_len); /* split-independent */
		vg_http_state_free(st);
		got_free(&g);
	}
	free(text.p);
	free(gz.p);
	free(r.p);
}

/* Bytes after the end of the gzip member are ignored; identity is not decoding;
 * stacked or unknown codings are counted and kept as sent. */
static void test_trailing_and_codings(void **state)
{
	(void)state;
	struct bytes text = plain_text(1000);
	struct bytes gz = compress_with(text.p, text.len, 31);
	put(&gz, "TRAILING", 8);
	struct bytes r = resp_cl("Content-Encoding: gzip\r\n", &gz);
	struct got g;
	struct vg_http_state *st = run(&r, 0, &g);
	expect_body(&g, &text);
	assert_int_equal(vg_http_stats(st)->inflate_error, 0);
	vg_http_state_free(st);
	got_free(&g);
	free(r.p);
	gz.len -= 8;

	struct {
		const char *hdr;
		bool decoded;
		uint64_t unsupported;
	} cases[] = {
		{ "Content-Encoding: identity, gzip\r\n", true, 0 },
		{ "Content-Encoding:  gzip  \r\n", true, 0 },
		{ "Content-Encoding: gzip, gzip\r\n", false, 1 },
		{ "Content-Encoding: br\r\n", false, 1 },
		{ "Content-Encoding: identity\r\n", false, 0 },
		{ "", false, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = resp_cl(cases[i].hdr, &gz);
		st = run(&r, 0, &g);
		assert_int_equal(g.resp_decoded, cases[i].decoded);
		expect_body(&g, cases[i].decoded ? &text : &gz);
		assert_int_equal(vg_http_stats(st)->encoding_unsupported, cases[i].unsupported);
		vg_http_state_free(st);
		got_free(&g);
		free(r.p);
	}
	free(text.p);
	free(gz.p);
}

/* A gzip'd request body; a HEAD answered with Content-Encoding and a length but no
 * body; a gap inside an encoded body stops inflating (what came before stays). */
static void test_request_head_gap(void **state)
{
	(void)state;
	struct bytes text = plain_text(4000);
	struct bytes gz = compress_with(text.p, text.len, 31);
	struct bytes q = { 0 };
	char h[160];
	snprintf(h, sizeof(h), "POST /u HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n",
		 gz.len);
	puts_(&q, h);
	put(&q, gz.p, gz.len);
	struct got g = { 0 };
	struct vg_http_state *st = vg_http_state_new(0, on_tx, &g);
	for (size_t off = 0; off < q.len; off += 9)
		vg_http_parse(st, 0, q.p + off, q.len - off < 9 ? q.len - off : 9);
	const char *ok = "HTTP/1.1 204 No Content\r\n\r\n";
	vg_http_parse(st, 1, (const uint8_t *)ok, strlen(ok));
	assert_int_equal(g.n_done, 1);
	assert_true(g.req_decoded);
	assert_int_equal(g.req_body.len, text.len);
	assert_memory_equal(g.req_body.p, text.p, text.len);
	vg_http_state_free(st);
	got_free(&g);
	free(q.p);

	memset(&g, 0, sizeof(g));
	st = vg_http_state_new(0, on_tx, &g);
	const char *head = "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n";
	vg_http_parse(st, 0, (const uint8_t *)head, strlen(head));
	const char *hr = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 500\r\n\r\n";
	vg_http_parse(st, 1, (const uint8_t *)hr, strlen(hr));
	assert_int_equal(g.n_done, 1);
	assert_false(g.resp_decoded);
	assert_int_equal(g.resp_body.len, 0);
	vg_http_state_free(st);
	got_free(&g);

	/* gap of 50 bytes in the middle of the compressed body */
	struct bytes r = resp_cl("Content-Encoding: gzip\r\n", &gz);
	size_t hdr = r.len - gz.len, mid = hdr + gz.len / 2;
	memset(&g, 0, sizeof(g));
	st = vg_http_state_new(0, on_tx, &g);
	vg_http_parse(st, 0, (const uint8_t *)REQ, strlen(REQ));
	vg_http_parse(st, 1, r.p, mid);
	vg_http_gap(st, 1, 50);
	vg_http_parse(st, 1, r.p + mid + 50, r.len - mid - 50);
	assert_int_equal(g.n_done, 1);
	assert_true(g.resp_incomplete);
	assert_true(g.resp_body.len < text.len);
	assert_memory_equal(g.resp_body.p, text.p, g.resp_body.len);
	assert_int_equal(g.resp_seen, gz.len);
	vg_http_state_free(st);
	got_free(&g);
	free(r.p);
	free(text.p);
	free(gz.p);
}

/* An encoded response still arriving when the state is freed, and a transaction
 * evicted while its encoded body arrives: nothing leaks (ASan), nothing crashes. */
static void test_free_mid_body(void **state)
{
	(void)state;
	struct bytes text = plain_text(4000);
	struct bytes gz = compress_with(text.p, text.len, 31);
	struct bytes r = resp_cl("Content-Encoding: gzip\r\n", &gz);
	struct got g = { 0 };
	struct vg_http_state *st = vg_http_state_new(0, on_tx, &g);
	vg_http_parse(st, 0, (const uint8_t *)REQ, strlen(REQ));
	vg_http_parse(st, 1, r.p, r.len - 100);
	vg_http_state_free(st);
	got_free(&g);
	/* pipelined: more requests than VG_HTTP_MAX_TXS while the first response's body
	 * is being inflated */
	st = vg_http_state_new(0, on_tx, &g);
	vg_http_parse(st, 0, (const uint8_t *)REQ, strlen(REQ));
	vg_http_parse(st, 1, r.p, r.len - 100);
	for (unsigned i = 0; i < VG_HTTP_MAX_TXS + 2; i++)
		vg_http_parse(st, 0, (const uint8_t *)REQ, strlen(REQ));
	vg_http_parse(st, 1, r.p + r.len - 100, 100);
	vg_http_eof(st, 0);
	vg_http_eof(st, 1);
	assert_true(vg_http_stats(st)->tx_evicted > 0);
	vg_http_state_free(st);
	got_free(&g);
	free(text.p);
	free(gz.p);
	free(r.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip_cl_every_split),
		cmocka_unit_test(test_deflate_zlib_and_raw),
		cmocka_unit_test(test_chunked_and_close),
		cmocka_unit_test(test_bomb),
		cmocka_unit_test(test_output_limit),
		cmocka_unit_test(test_bad_data_raw_kept),
		cmocka_unit_test(test_bad_data_long),
		cmocka_unit_test(test_corrupt_after_output),
		cmocka_unit_test(test_trailing_and_codings),
		cmocka_unit_test(test_request_head_gap),
		cmocka_unit_test(test_free_mid_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
