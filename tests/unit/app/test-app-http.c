/* HTTP/1.x parser: real message shapes (from the lab captures: curl against nginx),
 * every split position giving the same transactions, pipelining, chunked and
 * Content-Length bodies, limits, malformed input, gaps, EOF framing, normalization
 * tables and the EVE object. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "app/app.h"
#include "core/core-error.h"

/* What the callback saw of one finished transaction. */
struct rec {
	uint64_t id;
	char method[32], uri[256], norm[256], proto[16], host[128], host_raw[128], ua[128];
	char cookie[128], ctype[64], referer[128];
	int status;
	char status_msg[64], location[128], server[64], rctype[64];
	char req_body[512], resp_body[1024];
	uint64_t req_body_seen, resp_body_seen;
	bool req_trunc, resp_trunc, req_incomplete, resp_incomplete, has_request, has_response;
	uint32_t n_req_headers, req_dropped;
	char raw_headers[512];
};

struct coll {
	struct rec r[80];
	int n;
	int requests; /* VG_HTTP_EV_REQUEST callbacks */
};

static void cp(char *dst, size_t dsz, struct vg_str s)
{
	vg_strlcpy(dst, s.p ? s.p : "", s.len, dsz);
}

static void on_tx(void *ctx, const struct vg_http_tx *tx, unsigned what)
{
	struct coll *c = ctx;
	if (what == VG_HTTP_EV_REQUEST) {
		c->requests++;
		assert_true(tx->req.complete);
		return;
	}
	assert_true(c->n < 80);
	struct rec *r = &c->r[c->n++];
	memset(r, 0, sizeof(*r));
	r->id = tx->id;
	cp(r->method, sizeof(r->method), tx->method);
	cp(r->uri, sizeof(r->uri), tx->uri_raw);
	cp(r->norm, sizeof(r->norm), vg_str_make(tx->uri_norm.data, tx->uri_norm.len));
	cp(r->proto, sizeof(r->proto), tx->req.protocol);
	cp(r->host, sizeof(r->host), vg_str_make(tx->host.data, tx->host.len));
	cp(r->host_raw, sizeof(r->host_raw), tx->host_raw);
	cp(r->ua, sizeof(r->ua), tx->user_agent);
	cp(r->cookie, sizeof(r->cookie), tx->cookie);
	cp(r->ctype, sizeof(r->ctype), tx->content_type);
	cp(r->referer, sizeof(r->referer), tx->referer);
	r->status = tx->status;
	cp(r->status_msg, sizeof(r->status_msg), tx->status_msg);
	cp(r->location, sizeof(r->location), tx->location);
	cp(r->server, sizeof(r->server), tx->server);
	cp(r->rctype, sizeof(r->rctype), tx->resp_content_type);
	cp(r->req_body, sizeof(r->req_body), vg_str_make(tx->req.body.data, tx->req.body.len));
	cp(r->resp_body, sizeof(r->resp_body), vg_str_make(tx->resp.body.data, tx->resp.body.len));
	cp(r->raw_headers, sizeof(r->raw_headers), vg_str_make(tx->req.raw_headers.data, tx->req.raw_headers.len));
	r->req_body_seen = tx->req.body_seen;
	r->resp_body_seen = tx->resp.body_seen;
	r->req_trunc = tx->req.body_truncated;
	r->resp_trunc = tx->resp.body_truncated;
	r->req_incomplete = tx->req.incomplete;
	r->resp_incomplete = tx->resp.incomplete;
	r->has_request = tx->has_request;
	r->has_response = tx->has_response;
	r->n_req_headers = tx->req.n_headers;
	r->req_dropped = tx->req.headers_dropped;
}

static struct vg_http_state *open_st(struct coll *c, size_t body_max)
{
	memset(c, 0, sizeof(*c));
	struct vg_http_state *st = vg_http_state_new(body_max, on_tx, c);
	assert_non_null(st);
	return st;
}

static void feed(struct vg_http_state *st, int dir, const char *s)
{
	assert_int_equal(vg_http_parse(st, dir, (const uint8_t *)s, strlen(s)), 0);
}

/* From http-attacks.pcap, flow 0 (curl → nginx). */
static const char real_req[] =
	"GET /index.php?id=1%27%20OR%20%271%27=%271 HTTP/1.1\r\n"
	"Host: 10.99.0.2\r\n"
	"User-Agent: curl/7.88.1\r\n"
	"Accept: */*\r\n"
	"\r\n";
static const char real_resp[] =
	"HTTP/1.1 404 Not Found\r\n"
	"Server: nginx/1.22.1\r\n"
	"Date: Sun, 22 Nov 2026 23:59:32 GMT\r\n"
	"Content-Type: text/html\r\n"
	"Content-Length: 153\r\n"
	"Connection: keep-alive\r\n"
	"\r\n"
	"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
	"<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n"
	"</body>\r\n</html>\r\n";

static void check_real(const struct rec *r)
{
	assert_int_equal(r->id, 0);
	assert_string_equal(r->method, "GET");
	assert_string_equal(r->uri, "/index.php?id=1%27%20OR%20%271%27=%271");
	assert_string_equal(r->norm, "/index.php?id=1%27%20OR%20%271%27=%271"); /* query untouched */
	assert_string_equal(r->proto, "HTTP/1.1");
	assert_string_equal(r->host, "10.99.0.2");
	assert_string_equal(r->ua, "curl/7.88.1");
	assert_int_equal(r->n_req_headers, 3);
	assert_string_equal(r->raw_headers, "Host: 10.99.0.2\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n");
	assert_int_equal(r->status, 404);
	assert_string_equal(r->status_msg, "Not Found");
	assert_string_equal(r->server, "nginx/1.22.1");
	assert_string_equal(r->rctype, "text/html");
	assert_int_equal(r->resp_body_seen, 153);
	assert_int_equal(strlen(r->resp_body), 153);
	assert_true(strncmp(r->resp_body, "<html>", 6) == 0);
	assert_false(r->req_incomplete || r->resp_incomplete || r->resp_trunc);
}

static void test_real_pair(void **state)
{
	(void)state;
	struct coll c;
	struct vg_http_state *st = open_st(&c, 0);
	feed(st, 0, real_req);
	assert_int_equal(c.requests, 1);
	assert_int_equal(c.n, 0); /* not done before its response */
	feed(st, 1, real_resp);
	assert_int_equal(c.n, 1);
	check_real(&c.r[0]);
	const struct vg_http_stats *s = vg_http_stats(st);
	assert_int_equal(s->requests, 1);
	assert_int_equal(s->responses, 1);
	assert_int_equal(s->invalid_header + s->invalid_request_line + s->bad_chunk, 0);
	vg_http_state_free(st);
}

/* Split request and response at every byte position: always the same transaction. */
static void test_split_every_offset(void **state)
{
	(void)state;
	size_t lq = strlen(real_req), lr = strlen(real_resp);
	for (size_t cut = 0; cut <= lr; cut++) {
		struct coll c;
		struct vg_http_state *st = open_st(&c, 0);
		size_t qc = cut <= lq ? cut : lq;
		assert_int_equal(vg_http_parse(st, 0, (const uint8_t *)real_req, qc), 0);
		assert_int_equal(vg_http_parse(st, 0, (const uint8_t *)real_req + qc, lq - qc), 0);
		assert_int_equal(vg_http_parse(st, 1, (const uint8_t *)real_resp, cut), 0);
		assert_int_equal(vg_http_parse(st, 1, (const uint8_t *)real_resp + cut, lr - cut), 0);
		assert_int_equal(c.n, 1);
		check_real(&c.r[0]);
		vg_http_state_free(st);
	}
	/* and one byte at a time */
	struct coll c;
	struct vg_http_state *st = open_st(&c, 0);
	for (size_t i = 0; i < lq; i++)
		assert_int_equal(vg_http_parse(st, 0, (const uint8_t *)real_req + i, 1), 0);
	for (size_t i = 0; i < lr; i++)
		assert_int_equal(vg_http_parse(st, 1, (const uint8_t *)real_resp + i, 1), 0);
	assert_int_equal(c.n, 1);
	check_real(&c.r[0]);
	vg_http_state_free(st);
}

static void test_pipelining(void **state)
{
	(void)state;
	struct coll c;
	struct vg_http_state *st = open_st(&c, 0);
	feed(st, 0, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
		    "POST /b HTTP/1.1\r\nHost: y\r\nContent-Length: 5\r\n\r\nhello"
		    "HEAD /c HTTP/1.1\r\nHost: z\r\n\r\n");
	assert_int_equal(c.requests, 3);
	assert_int_equal(c.n, 0);
	feed(st, 1, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
		    "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
		    "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" /* HEAD: no body follows */
		    "HTTP/1.1 500 Unexpected\r\n\r\n"); /* no request for it */
	assert_int_equal(c.n, 3);
	assert_string_equal(c.r[0].uri, "/a");
	assert_int_equal(c.r[0].status, 200);
	assert_string_equal(c.r[0].resp_body, "ok");
	assert_string_equal(c.r[1].uri, "/b");
	assert_string_equal(c.r[1].req_body, "hello");
	assert_int_equal(c.r[1].status, 201);
	assert_string_equal(c.r[2].method, "HEAD");
	assert_int_equal(c.r[2].status, 200);
	assert_int_equal(c.r[2].resp_body_seen, 0);
	assert_int_equal(c.r[0].id, 0);
	assert_int_equal(c.r[2].id, 2);
	/* the unsolicited 500 waits for EOF (its body runs to close) */
	vg_http_eof(st, 1);
	assert_int_equal(c.n, 4);
	assert_false(c.r[3].has_request);
	assert_int_equal(c.r[3].status, 500);
	assert_int_equal(vg_http_stats(st)->unsolicited_response, 1);
	vg_http_state_free(st);
}

static void test_chunked(void **state)
{
	(void)state;
	static const char resp[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "5;ext=1\r\nhello\r\n"
				   "7\r\n, world\r\n"
				   "0\r\nX-Trailer: t\r\n\r\n";
	for (size_t cut = 0; cut <= sizeof(resp) - 1; cut++) {
		struct coll c;
		struct vg_http_state *st = open_st(&c, 0);
		feed(st, 0, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
		assert_int_equal(vg_http_parse(st, 1, (const uint8_t *)resp, cut), 0);
		assert_int_equal(vg_http_parse(st, 1, (const uint8_t *)resp + cut, sizeof(resp) - 1 - cut), 0);
		assert_int_equal(c.n, 1);
		assert_string_equal(c.r[0].resp_body, "hello, world");
		assert_int_equal(c.r[0].resp_body_seen, 12);
		assert_int_equal(vg_http_stats(st)->bad_chunk, 0);
		vg_http_state_free(st);
	}
}

static void test_chunked_request_and_conflict(void **state)
{
	(void)state;
	struct coll c;
	struct vg_http_state *st = open_st(&c, 0);
	/* CL and TE both: chunked wins, the conflict is counted (smuggling sign) */
	feed(st, 0, "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "4\r\nabcd\r\n0\r\n\r\n"
		    "GET /next HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_int_equal(c.requests, 2);
	assert_int_equal(vg_http_stats(st)->cl_te_conflict, 1);
	feed(st, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(c.n, 2);
	assert_string_equal(c.r[0].req_body, "abcd");
	assert_string_equal(c.r[1].uri, "/next");
	vg_http_state_free(st);
}

static void test_body_limit(void **state)
{
	(void)state;
	struct coll c;
	struct vg_http_state *st = open_st(&c, 10);
	feed(st, 0, "POST /p HTTP/1.1\r\nContent-Length: 26\r\nContent-Type: text/plain\r\n\r\n"
		    "abcdefghijklmnopqrstuvwxyz");
	feed(st, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(c.n, 1);
	assert_string_equal(c.r[0].req_body, "abcdefghij");
	assert_int_equal(c.r[0].req_body_seen, 26);
	assert_true(c.r[0].req_trunc);
	assert_string_equal(c.r[0].ctype, "text/plain");
	assert_int_equal(vg_http_stats(st)->body_truncated, 1);
	vg_http_state_free(st);
}

static void test_header_limit(void **state)
{
	(void)state;
	struct coll c;
	struct vg_http_state *st = open_st(&c, 0);
	feed(st, 0, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < 150; i++) {
		char line[64];
		snprintf(line, sizeof(line), "X-H%d: %d\r\n", i, i);
		feed(st, 0, line);
	}
	feed(st, 0, "\r\n");
	feed(st, 1, "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(c.n, 1);
	assert_int_equal(c.r[0].n_req_headers, VG_HTTP_MAX_HEADERS);
	assert_int_equal(c.r[0].req_dropped, 150 - VG_HTTP_MAX_HEADERS);
	assert_int_equal(vg_http_stats(st)->too_many_headers, 1);
	vg_http_state_free(st);
}

static void test_headers_fields_and_fold(void **state)
{
	(void)state;
	struct coll c;
	struct vg_http_state *st = open_st(&c, 0);
	feed(st, 0, "GET http://Example.COM:8080/a/./b/../c%2Dd%2f?x=%41 HTTP/1.1\r\n"
		    "host: WWW.Example.com:8080\r\n"
		    "User-Agent: Mozilla/5.0\r\n"
		    "  (folded)\r\n"
		    "Cookie: a=b; c=d\r\n"
		    "Referer: http://ref/\r\n"
		    "Broken line without colon\r\n"
		    "\r\n");
	feed(st, 1, "HTTP/1.1 301 Moved Permanently\r\nLocation: https://x/\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(c.n, 1);
	const struct rec *r = &c.r[0];
	assert_string_equal(r->uri, "http://Example.COM:8080/a/./b/../c%2Dd%2f?x=%41");
	assert_string_equal(r->norm, "/a/c-d%2f?x=%41"); /* %2D unreserved → '-', %2f reserved stays */
	assert_string_equal(r->host, "www.example.com");
	assert_string_equal(r->host_raw, "WWW.Example.com:8080");
	assert_string_equal(r->ua, "Mozilla/5.0 (folded)");
	assert_string_equal(r->cookie, "a=b; c=d");
	assert_string_equal(r->referer, "http://ref/");
	assert_int_equal(r->status, 301);
	assert_string_equal(r->status_msg, "Moved Permanently");
	assert_string_equal(r->location, "https://x/");
	assert_int_equal(r->n_req_headers, 4);
	assert_int_equal(vg_http_stats(st)->invalid_header, 1);
	vg_http_state_free(st);
}

static void test_uri_normalization_table(void **state)
{
	(void)state;
	static const struct { const char *in, *out; } t[] = {
		{ "/", "/" },
		{ "/../../etc/passwd", "/etc/passwd" },  /* from http-attacks.pcap */
		{ "/a/b/../../../x", "/x" },
		{ "/a/./b/.", "/a/b/" },
		{ "/a/b/..", "/a/" },
		{ "/%7Euser/%61bc", "/~user/abc" },
		{ "/%2e%2e/%2E%2e/etc", "/etc" },        /* encoded dots are unreserved: decoded first */
		{ "/a%2Fb", "/a%2Fb" },                  /* '/' is reserved: stays encoded */
		{ "/%zz%4", "/%zz%4" },                  /* bad escapes kept */
		{ "/p?q=/../x", "/p?q=/../x" },          /* query untouched */
		{ "http://h", "/" },
		{ "http://h?q", "/?q" },
		{ "*", "*" },
	};
	struct vg_buf b;
	vg_buf_init(&b, 4096);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(vg_http_normalize_uri(t[i].in, strlen(t[i].in), &b), 0);
		if (strcmp(vg_buf_cstr(&b), t[i].out) != 0)
			fail_msg("uri %s → %s, want %s", t[i].in, vg_buf_cstr(&b), t[i].out);
	}
	vg_buf_free(&b);
}

static void test_host_normalization_table(void **state)
{
	(void)state;
	static const struct { const char *in, *out; } t[] = {
		{ "Example.COM", "example.com" }, { "example.com:80", "example.com" },
		{ "[::1]:8080", "::1" },           { "[FD00::2]", "fd00::2" },
		{ " host. ", "host" },             { "", "" },
	};
	struct vg_buf b;
	vg_buf_init(&b, 4096);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(vg_http_normalize_host(t[i].in, strlen(t[i].in), &b), 0);
		assert_string_equal(vg_buf_cstr(&b), t[i].out);
	}
	vg_buf_free(&b);
}

static void test_interim_and_no_body_statuses(void **state)
{
	(void)state;
	struct coll c;
	struct vg_http_state *st = open_st(&c, 0);
	feed(st, 0, "PUT /f HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi");
	feed(st, 0, "DELETE /g HTTP/1.1\r\n\r\n");
	feed(st, 1, "HTTP/1.1 100 Continue\r\n\r\n"
		    "HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n"
		    "HTTP/1.1 304 Not Modified\r\n\r\n");
	assert_int_equal(c.n, 2);
	assert_string_equal(c.r[0].method, "PUT"); /* the 100 did not consume its tx */
	assert_string_equal(c.r[0].req_body, "hi");
	assert_int_equal(c.r[0].status, 204);
	assert_int_equal(c.r[0].resp_body_seen, 0);
	assert_string_equal(c.r[1].method, "DELETE");
	assert_int_equal(c.r[1].status, 304);
	assert_int_equal(vg_http_stats(st)->unsolicited_response, 0);
	assert_int_equal(vg_http_stats(st)->interim_responses, 1);
	vg_http_state_free(st);
}

static void test_body_until_close(void **state)
{
	(void)state;
	struct coll c;
	struct vg_http_state *st = open_st(&c, 0);
	feed(st, 0, "GET / HTTP/1.0\r\n\r\n");
	feed(st, 1, "HTTP/1.0 200 OK\r\n\r\nsome ");
	feed(st, 1, "data");
	assert_int_equal(c.n, 0);
	vg_http_eof(st, 1);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.r[0].resp_body, "some data");
	assert_false(c.r[0].resp_incomplete);
	vg_http_state_free(st);
}

static void test_malformed_and_resync(void **state)
{
	(void)state;
	struct coll c;
	struct vg_http_state *st = open_st(&c, 0);
	feed(st, 0, "\x16\x03\x01 garbage that is not http\r\nmore junk\r\n");
	assert_int_equal(c.requests, 0);
	assert_int_equal(vg_http_stats(st)->invalid_request_line, 1);
	feed(st, 0, "GET /ok HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(c.requests, 1);
	feed(st, 1, "NOT-HTTP 200\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(c.n, 1);
	assert_string_equal(c.r[0].uri, "/ok");
	assert_int_equal(vg_http_stats(st)->invalid_status_line, 1);
	/* a bad chunk size ends the message incomplete */
	feed(st, 0, "GET /2 HTTP/1.1\r\n\r\n");
	assert_int_equal(vg_http_parse(st, 1, (const uint8_t *)"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 52), VG_EINVAL);
	assert_int_equal(c.n, 2);
	assert_true(c.r[1].resp_incomplete);
	assert_int_equal(vg_http_stats(st)->bad_chunk, 1);
	vg_http_state_free(st);
}

static void test_line_too_long(void **state)
{
	(void)state;
	struct coll c;
	struct vg_http_state *st = open_st(&c, 0);
	static char big[VG_HTTP_MAX_HEADER_BYTES + 100];
	memset(big, 'A', sizeof(big));
	assert_int_equal(vg_http_parse(st, 0, (const uint8_t *)"GET /", 5), 0);
	assert_int_equal(vg_http_parse(st, 0, (const uint8_t *)big, sizeof(big)), VG_EINVAL);
	assert_int_equal(vg_http_stats(st)->line_too_long, 1);
	/* the direction stays dead until a gap resynchronizes it */
	assert_int_equal(vg_http_parse(st, 0, (const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18), VG_EINVAL);
	vg_http_gap(st, 0, 10);
	feed(st, 0, "GET /after HTTP/1.1\r\n\r\n");
	assert_int_equal(c.requests, 1);
	vg_http_state_free(st);
}

static void test_gaps(void **state)
{
	(void)state;
	struct coll c;
	struct vg_http_state *st = open_st(&c, 0);
	feed(st, 0, "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
	feed(st, 1, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01");
	vg_http_gap(st, 1, 4); /* inside a known-length body: skipped, framing kept */
	feed(st, 1, "6789HTTP/1.1 404 Nope\r\nContent-");
	vg_http_gap(st, 1, 20); /* inside headers: message lost, resync */
	feed(st, 1, "junk\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(c.n, 3);
	assert_string_equal(c.r[0].resp_body, "016789");
	assert_int_equal(c.r[0].resp_body_seen, 10);
	assert_true(c.r[0].resp_incomplete);
	assert_int_equal(c.r[1].status, 404);
	assert_true(c.r[1].resp_incomplete);
	/* the third response has no request left: unsolicited */
	assert_false(c.r[2].has_request);
	assert_int_equal(c.r[2].status, 200);
	assert_int_equal(vg_http_stats(st)->unsolicited_response, 1);
	assert_int_equal(vg_http_stats(st)->gaps, 2);
	vg_http_state_free(st);
}

static void test_tx_cap_and_eof(void **state)
{
	(void)state;
	struct coll c;
	struct vg_http_state *st = open_st(&c, 0);
	for (unsigned i = 0; i < VG_HTTP_MAX_TXS + 3; i++)
		feed(st, 0, "GET /x HTTP/1.1\r\n\r\n");
	assert_int_equal(c.n, 3); /* three oldest evicted without responses */
	assert_int_equal(vg_http_stats(st)->tx_evicted, 3);
	assert_false(c.r[0].has_response);
	vg_http_eof(st, 0);
	vg_http_eof(st, 1);
	assert_int_equal(c.n, VG_HTTP_MAX_TXS + 3);
	vg_http_state_free(st);
}

/* Eviction of the transaction whose response is being parsed (regression: the
 * response parser kept a pointer to the freed transaction). */
static void test_evict_under_response(void **state)
{
	(void)state;
	struct coll c;
	struct vg_http_state *st = open_st(&c, 0);
	feed(st, 0, "GET /first HTTP/1.1\r\n\r\n");
	feed(st, 1, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234");
	for (unsigned i = 0; i < VG_HTTP_MAX_TXS; i++)
		feed(st, 0, "GET /more HTTP/1.1\r\n\r\n");
	assert_int_equal(c.n, 1);
	assert_string_equal(c.r[0].uri, "/first");
	assert_true(c.r[0].resp_incomplete);
	/* the rest of that body is skipped; the next response pairs with /more */
	feed(st, 1, "56789HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(c.n, 2);
	assert_string_equal(c.r[1].uri, "/more");
	assert_int_equal(c.r[1].status, 404);
	vg_http_state_free(st);
}

/* Requests with large bodies, never answered: memory held per flow stays bounded. */
static void test_state_memory_bound(void **state)
{
	(void)state;
	struct coll c;
	struct vg_http_state *st = open_st(&c, 0);
	static char body[VG_HTTP_MAX_BODY];
	memset(body, 'b', sizeof(body));
	char head[128];
	snprintf(head, sizeof(head), "POST /u HTTP/1.1\r\nContent-Length: %u\r\n\r\n", VG_HTTP_MAX_BODY);
	for (int i = 0; i < 40; i++) {
		feed(st, 0, head);
		assert_int_equal(vg_http_parse(st, 0, (const uint8_t *)body, sizeof(body)), 0);
	}
	/* 40 x 64 KiB bodies would be 2.5 MiB: the oldest were reported and freed */
	assert_true(vg_http_stats(st)->tx_evicted > 0);
	assert_int_equal(c.requests, 40);
	assert_int_equal((uint64_t)c.n, vg_http_stats(st)->tx_evicted);
	assert_true(c.n < 40);
	assert_int_equal(c.r[0].req_body_seen, VG_HTTP_MAX_BODY);
	assert_false(c.r[0].has_response);
	vg_http_state_free(st);
}

static void test_http09_and_connect(void **state)
{
	(void)state;
	struct coll c;
	struct vg_http_state *st = open_st(&c, 0);
	feed(st, 0, "GET /old\r\n");
	assert_int_equal(c.requests, 1);
	vg_http_state_free(st);

	st = open_st(&c, 0);
	feed(st, 0, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
	feed(st, 1, "HTTP/1.1 200 Connection established\r\n\r\n");
	assert_int_equal(c.n, 1);
	/* tunnel: TLS bytes are not HTTP and make no transactions or anomalies */
	assert_int_equal(vg_http_parse(st, 0, (const uint8_t *)"\x16\x03\x01\x02\x00GET / HTTP/1.1\r\n\r\n", 23), 0);
	assert_int_equal(c.requests, 1);
	assert_int_equal(vg_http_stats(st)->invalid_request_line, 0);
	vg_http_state_free(st);
}

static json_t *g_eve;
static void eve_cb(void *ctx, const struct vg_http_tx *tx, unsigned what)
{
	(void)ctx;
	if (what == VG_HTTP_EV_DONE)
		g_eve = vg_http_tx_eve(tx);
}

static void test_eve_keys(void **state)
{
	(void)state;
	struct vg_http_state *st = vg_http_state_new(0, eve_cb, NULL);
	feed(st, 0, "GET /index.html HTTP/1.1\r\nHost: Example.org:8080\r\nUser-Agent: sqlmap/1.7\r\n"
		    "Referer: http://r/\r\n\r\n");
	feed(st, 1, "HTTP/1.1 302 Found\r\nLocation: /login\r\nContent-Type: text/html\r\nContent-Length: 3\r\n\r\nabc");
	assert_non_null(g_eve);
	json_t *h = json_object_get(g_eve, "http");
	assert_non_null(h);
	assert_string_equal(json_string_value(json_object_get(h, "hostname")), "example.org");
	assert_int_equal(json_integer_value(json_object_get(h, "http_port")), 8080);
	assert_string_equal(json_string_value(json_object_get(h, "url")), "/index.html");
	assert_string_equal(json_string_value(json_object_get(h, "http_user_agent")), "sqlmap/1.7");
	assert_string_equal(json_string_value(json_object_get(h, "http_refer")), "http://r/");
	assert_string_equal(json_string_value(json_object_get(h, "http_method")), "GET");
	assert_string_equal(json_string_value(json_object_get(h, "protocol")), "HTTP/1.1");
	assert_string_equal(json_string_value(json_object_get(h, "http_content_type")), "text/html");
	assert_string_equal(json_string_value(json_object_get(h, "redirect")), "/login");
	assert_int_equal(json_integer_value(json_object_get(h, "status")), 302);
	assert_int_equal(json_integer_value(json_object_get(h, "length")), 3);
	assert_null(json_object_get(h, "cookie")); /* absent fields are omitted */
	json_decref(g_eve);
	g_eve = NULL;
	vg_http_state_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_pair),
		cmocka_unit_test(test_split_every_offset),
		cmocka_unit_test(test_pipelining),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_chunked_request_and_conflict),
		cmocka_unit_test(test_body_limit),
		cmocka_unit_test(test_header_limit),
		cmocka_unit_test(test_headers_fields_and_fold),
		cmocka_unit_test(test_uri_normalization_table),
		cmocka_unit_test(test_host_normalization_table),
		cmocka_unit_test(test_interim_and_no_body_statuses),
		cmocka_unit_test(test_body_until_close),
		cmocka_unit_test(test_malformed_and_resync),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_tx_cap_and_eof),
		cmocka_unit_test(test_evict_under_response),
		cmocka_unit_test(test_state_memory_bound),
		cmocka_unit_test(test_http09_and_connect),
		cmocka_unit_test(test_eve_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
