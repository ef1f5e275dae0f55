/* fuzz-http.c — libFuzzer harness for the HTTP/1.x parser (app-http.c).
 * Byte 0 picks a chunk size, bytes 1-2 where the request stream ends and the response
 * stream starts. Both streams are parsed twice, whole and in chunks; the transactions
 * (hashed field by field, EVE object included) must agree: parsing must not depend on
 * how the stream was split. A gap and EOF end each run. A third run interleaves the
 * directions chunk by chunk. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"

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

static void on_tx(void *ctx, const struct vg_http_tx *tx, unsigned what)
{
	uint64_t *h = ctx;
	mix(h, &what, sizeof(what));
	mix(h, &tx->id, sizeof(tx->id));
	mix_str(h, tx->method);
	mix_str(h, tx->uri_raw);
	mix_str(h, vg_str_make(tx->uri_norm.data, tx->uri_norm.len));
	mix_str(h, vg_str_make(tx->host.data, tx->host.len));
	mix_str(h, tx->user_agent);
	mix(h, &tx->status, sizeof(tx->status));
	mix_str(h, vg_str_make(tx->req.body.data, tx->req.body.len));
	mix_str(h, vg_str_make(tx->resp.body.data, tx->resp.body.len));
	mix(h, &tx->req.n_headers, sizeof(tx->req.n_headers));
	mix(h, &tx->resp.n_headers, sizeof(tx->resp.n_headers));
	for (uint32_t i = 0; i < tx->req.n_headers; i++) {
		struct vg_str n, v;
		vg_http_msg_header_at(&tx->req, i, &n, &v);
		mix_str(h, n);
		mix_str(h, v);
	}
	if (what == VG_HTTP_EV_DONE) {
		json_t *j = vg_http_tx_eve(tx);
		if (!j)
			abort();
		char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
		if (s)
			mix(h, s, strlen(s));
		free(s);
		json_decref(j);
	}
}

static uint64_t run(const uint8_t *req, size_t lq, const uint8_t *resp, size_t lr, size_t chunk)
{
	uint64_t h = 1469598103934665603ull;
	struct vg_http_state *st = vg_http_state_new(4096, on_tx, &h);
	if (!st)
		abort();
	for (size_t i = 0; i < lq; i += chunk)
		vg_http_parse(st, 0, req + i, lq - i < chunk ? lq - i : chunk);
	for (size_t i = 0; i < lr; i += chunk)
		vg_http_parse(st, 1, resp + i, lr - i < chunk ? lr - i : chunk);
	vg_http_gap(st, 1, 7);
	vg_http_parse(st, 1, resp, lr > 64 ? 64 : lr);
	vg_http_eof(st, 0);
	vg_http_eof(st, 1);
	vg_http_state_free(st);
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	size_t chunk = (size_t)(data[0] % 64) + 1;
	size_t split = (size_t)(data[1] << 8 | data[2]);
	data += 3;
	size -= 3;
	if (split > size)
		split = size;
	uint64_t whole = run(data, split, data + split, size - split, size + 1);
	uint64_t parts = run(data, split, data + split, size - split, chunk);
	if (whole != parts)
		abort(); /* result depends on chunking: a parser bug */
	/* and once with the directions interleaved chunk by chunk (responses arriving while
	 * requests are still coming): no equality to check, only memory safety */
	uint64_t h = 0;
	struct vg_http_state *st = vg_http_state_new(0, on_tx, &h);
	if (!st)
		abort();
	const uint8_t *req = data, *resp = data + split;
	size_t lq = split, lr = size - split, iq = 0, ir = 0;
	while (iq < lq || ir < lr) {
		size_t n = lq - iq < chunk ? lq - iq : chunk;
		vg_http_parse(st, 0, req + iq, n);
		iq += n;
		n = lr - ir < chunk ? lr - ir : chunk;
		vg_http_parse(st, 1, resp + ir, n);
		ir += n;
	}
	vg_http_eof(st, 1);
	vg_http_eof(st, 0);
	vg_http_state_free(st);
	return 0;
}
