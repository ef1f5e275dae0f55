/* fuzz-http2.c — libFuzzer harness for the HTTP/2 parser (app-http2.c + app-hpack.c).
 * Byte 0: chunk size (low 6 bits) and whether the client preface is prepended (bit 7
 * clear: yes, so the fuzzer reaches the frames at once); bytes 1-2: where the client
 * stream ends and the server stream starts. Both streams are parsed whole and in
 * chunks; the transactions and anomalies (hashed, EVE included) must agree: parsing
 * must not depend on how the stream was split. A third run interleaves the directions
 * with a gap, for memory safety only. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app-http2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void mix(uint64_t *h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * 1099511628211ull;
}

static void mix_str(uint64_t *h, struct vg_str s)
{
	mix(h, &s.len, sizeof(s.len));
	if (s.len)
		mix(h, s.p, s.len);
}

static void on_tx(void *ctx, const struct vg_http_tx *tx, uint32_t sid, unsigned what)
{
	uint64_t *h = ctx;
	mix(h, &what, sizeof(what));
	mix(h, &sid, sizeof(sid));
	mix(h, &tx->id, sizeof(tx->id));
	mix_str(h, tx->method);
	mix_str(h, tx->uri_raw);
	mix_str(h, vg_str_make(tx->uri_norm.data, tx->uri_norm.len));
	mix_str(h, vg_str_make(tx->host.data, tx->host.len));
	mix_str(h, tx->host_raw);
	mix_str(h, tx->user_agent);
	mix(h, &tx->status, sizeof(tx->status));
	mix_str(h, vg_str_make(tx->req.line.data, tx->req.line.len));
	mix_str(h, vg_str_make(tx->req.body.data, tx->req.body.len));
	mix_str(h, vg_str_make(tx->resp.body.data, tx->resp.body.len));
	for (int side = 0; side < 2; side++) {
		const struct vg_http_msg *m = side ? &tx->resp : &tx->req;
		mix(h, &m->n_headers, sizeof(m->n_headers));
		for (uint32_t i = 0; i < m->n_headers; i++) {
			struct vg_str n, v;
			vg_http_msg_header_at(m, i, &n, &v);
			mix_str(h, n);
			mix_str(h, v);
		}
	}
	if (what == VG_HTTP_EV_DONE) {
		json_t *j = vg_http2_tx_eve(tx, sid);
		if (!j)
			abort();
		char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
		if (s)
			mix(h, s, strlen(s));
		free(s);
		json_decref(j);
	}
}

static void on_an(void *ctx, int dir, enum vg_http2_anomaly a)
{
	uint64_t *h = ctx;
	mix(h, &dir, sizeof(dir));
	mix(h, &a, sizeof(a));
}

static void feed(struct vg_http2_state *st, int dir, const uint8_t *p, size_t n, size_t chunk)
{
	for (size_t i = 0; i < n; i += chunk)
		vg_http2_parse(st, dir, p + i, n - i < chunk ? n - i : chunk);
}

static uint64_t run(const uint8_t *cli, size_t lc, const uint8_t *srv, size_t ls, bool preface, size_t chunk)
{
	uint64_t h = 1469598103934665603ull;
	struct vg_http2_state *st = vg_http2_state_new(4096, on_tx, on_an, &h);
	if (!st)
		abort();
	if (preface)
		feed(st, 0, (const uint8_t *)VG_HTTP2_PREFACE, VG_HTTP2_PREFACE_LEN, chunk);
	feed(st, 0, cli, lc, chunk);
	feed(st, 1, srv, ls, chunk);
	vg_http2_eof(st, 0);
	vg_http2_eof(st, 1);
	const struct vg_http2_stats *s = vg_http2_stats(st);
	mix(&h, &s->frames, sizeof(s->frames));
	mix(&h, &s->streams, sizeof(s->streams));
	vg_http2_state_free(st);
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	size_t chunk = (size_t)(data[0] % 64) + 1;
	bool preface = !(data[0] & 0x80);
	size_t split = (size_t)(data[1] << 8 | data[2]);
	data += 3;
	size -= 3;
	if (split > size)
		split = size;
	uint64_t whole = run(data, split, data + split, size - split, preface, size + 1);
	uint64_t parts = run(data, split, data + split, size - split, preface, chunk);
	if (whole != parts)
		abort(); /* result depends on chunking: a parser bug */
	uint64_t h = 0;
	struct vg_http2_state *st = vg_http2_state_new(0, on_tx, on_an, &h);
	if (!st)
		abort();
	if (preface)
		vg_http2_parse(st, 0, (const uint8_t *)VG_HTTP2_PREFACE, VG_HTTP2_PREFACE_LEN);
	const uint8_t *cli = data, *srv = data + split;
	size_t lc = split, ls = size - split, ic = 0, is = 0;
	while (ic < lc || is < ls) {
		size_t n = lc - ic < chunk ? lc - ic : chunk;
		vg_http2_parse(st, 0, cli + ic, n);
		ic += n;
		n = ls - is < chunk ? ls - is : chunk;
		vg_http2_parse(st, 1, srv + is, n);
		is += n;
		if (is == chunk)
			vg_http2_gap(st, 1, chunk); /* once: inside a frame or not */
	}
	vg_http2_eof(st, 1);
	vg_http2_eof(st, 0);
	vg_http2_state_free(st);
	return 0;
}
