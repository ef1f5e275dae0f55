/* Protocol detection by content and the per-flow glue: each protocol found on a port
 * that is not its own, bytes held during detection not lost, DNS over UDP and TCP,
 * TLS logged once, non-protocols left alone (no false detection), EVE events. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "app/app.h"
#include "stream/stream.h"

#include "dns-vectors.h"
#include "tls-vectors.h"

static void test_detect_table(void **state)
{
	(void)state;
	static const struct {
		const char *buf;
		size_t len;
		int dir;
		uint8_t ipproto;
		uint16_t dport;
		enum vg_app_proto want;
	} t[] = {
		{ "GET / HTTP/1.1\r\n", 16, 0, 6, 8080, VG_APP_HTTP },
		{ "PROPFIND /x", 11, 0, 6, 1, VG_APP_HTTP },
		{ "GE", 2, 0, 6, 80, VG_APP_UNKNOWN },          /* could still be GET */
		{ "HTTP/1.0 200 OK", 15, 1, 6, 80, VG_APP_HTTP },
		{ "HTTP/1.0 200 OK", 15, 0, 6, 80, VG_APP_FAILED }, /* a response sent to a server */
		{ "GET / HTTP/1.1", 14, 1, 6, 80, VG_APP_FAILED },
		{ "SSH-2.0-x\r\n", 11, 1, 6, 2222, VG_APP_SSH },
		{ "SSH", 3, 0, 6, 22, VG_APP_UNKNOWN },
		{ "\x16\x03\x01\x02\x00", 5, 0, 6, 8443, VG_APP_TLS },
		{ "\x16\x03\x07\x02\x00", 5, 0, 6, 443, VG_APP_FAILED }, /* no such version */
		{ "\x17\x03\x03\x00\x10", 5, 0, 6, 443, VG_APP_FAILED }, /* app data first: midstream */
		{ "hello world", 11, 0, 6, 80, VG_APP_FAILED },
		{ "hello world", 11, 0, 17, 5353, VG_APP_FAILED },
		{ "get / http/1.1", 14, 0, 6, 80, VG_APP_FAILED },   /* methods are case-sensitive */
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum vg_app_proto p = vg_app_detect((const uint8_t *)t[i].buf, t[i].len, t[i].dir, t[i].ipproto, 40000,
						    t[i].dport);
		if (p != t[i].want)
			fail_msg("case %zu: %s, want %s", i, vg_app_proto_name(p), vg_app_proto_name(t[i].want));
	}
	/* DNS: needs port 53 and a plausible header */
	assert_int_equal(vg_app_detect(dns_query, sizeof(dns_query), 0, 17, 40000, 53), VG_APP_DNS);
	assert_int_equal(vg_app_detect(dns_query, sizeof(dns_query), 0, 17, 40000, 5353), VG_APP_FAILED);
	assert_int_equal(vg_app_detect((const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18, 0, 17, 40000, 53), VG_APP_FAILED);
	uint8_t tcp[2 + sizeof(dns_query)];
	tcp[0] = 0;
	tcp[1] = sizeof(dns_query);
	memcpy(tcp + 2, dns_query, sizeof(dns_query));
	assert_int_equal(vg_app_detect(tcp, sizeof(tcp), 0, 6, 40000, 53), VG_APP_DNS);
	assert_int_equal(vg_app_detect(tcp, sizeof(tcp), 0, 6, 40000, 54), VG_APP_FAILED);
	assert_string_equal(vg_app_proto_name(VG_APP_TLS), "tls");
}

struct evs {
	int n[8];
	char last[8][1024];
};

static void on_event(void *ctx, enum vg_app_proto proto, int dir, json_t *extra)
{
	(void)dir;
	struct evs *e = ctx;
	e->n[proto]++;
	char *s = json_dumps(extra, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(s);
	vg_strlcpy(e->last[proto], s, strlen(s), sizeof(e->last[proto]));
	free(s);
}

static void test_http_on_odd_port_byte_by_byte(void **state)
{
	(void)state;
	struct evs e = { 0 };
	struct vg_app_flow *f = vg_app_flow_new(6, 40000, 8081, on_event, &e);
	const char *req = "POST /api HTTP/1.1\r\nHost: svc\r\nContent-Length: 2\r\n\r\nhi";
	for (size_t i = 0; req[i]; i++) /* detection sees "P", "PO", ... and must hold them */
		assert_int_equal(vg_app_flow_data(f, 0, (const uint8_t *)req + i, 1), 0);
	assert_int_equal(vg_app_flow_proto(f), VG_APP_HTTP);
	const char *resp = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
	assert_int_equal(vg_app_flow_data(f, 1, (const uint8_t *)resp, strlen(resp)), 0);
	assert_int_equal(e.n[VG_APP_HTTP], 1);
	assert_non_null(strstr(e.last[VG_APP_HTTP], "\"url\":\"/api\""));
	assert_non_null(strstr(e.last[VG_APP_HTTP], "\"status\":201"));
	assert_non_null(vg_app_flow_http(f));
	assert_null(vg_app_flow_tls(f));
	vg_app_flow_free(f);
}

static void test_tls_logged_once(void **state)
{
	(void)state;
	struct evs e = { 0 };
	struct vg_app_flow *f = vg_app_flow_new(6, 40000, 4433, on_event, &e);
	assert_int_equal(vg_app_flow_data(f, 0, tls12_client, sizeof(tls12_client)), 0);
	assert_int_equal(e.n[VG_APP_TLS], 0); /* nothing before the server answers */
	assert_int_equal(vg_app_flow_data(f, 1, tls12_server, sizeof(tls12_server)), 0);
	assert_int_equal(e.n[VG_APP_TLS], 1);
	assert_non_null(strstr(e.last[VG_APP_TLS], "\"sni\":\"www.vigil.test\""));
	vg_app_flow_eof(f, 0);
	vg_app_flow_eof(f, 1);
	assert_int_equal(e.n[VG_APP_TLS], 1);
	assert_string_equal(vg_app_flow_tls(f)->client.ja3_hash, "22558766122974704364c9c75c5cce0a");
	vg_app_flow_free(f);

	/* only a ClientHello, then close: logged at EOF */
	memset(&e, 0, sizeof(e));
	f = vg_app_flow_new(6, 40000, 443, on_event, &e);
	vg_app_flow_data(f, 0, tls13_client, sizeof(tls13_client));
	vg_app_flow_eof(f, 1);
	assert_int_equal(e.n[VG_APP_TLS], 1);
	assert_null(strstr(e.last[VG_APP_TLS], "ja3s"));
	vg_app_flow_free(f);
}

static void test_dns_udp_and_tcp(void **state)
{
	(void)state;
	struct evs e = { 0 };
	struct vg_app_flow *f = vg_app_flow_new(17, 40000, 53, on_event, &e);
	assert_int_equal(vg_app_flow_udp(f, 0, dns_query, sizeof(dns_query)), 0);
	assert_int_equal(vg_app_flow_udp(f, 1, dns_resp_comp, sizeof(dns_resp_comp)), 0);
	assert_int_equal(e.n[VG_APP_DNS], 2);
	assert_non_null(strstr(e.last[VG_APP_DNS], "\"type\":\"answer\""));
	vg_app_flow_free(f);

	memset(&e, 0, sizeof(e));
	f = vg_app_flow_new(6, 40000, 53, on_event, &e);
	uint8_t tcp[2 + sizeof(dns_nx)];
	tcp[0] = 0;
	tcp[1] = sizeof(dns_nx);
	memcpy(tcp + 2, dns_nx, sizeof(dns_nx));
	assert_int_equal(vg_app_flow_data(f, 1, tcp, 7), 0);
	assert_int_equal(vg_app_flow_data(f, 1, tcp + 7, sizeof(tcp) - 7), 0);
	assert_int_equal(e.n[VG_APP_DNS], 1);
	assert_non_null(strstr(e.last[VG_APP_DNS], "NXDOMAIN"));
	vg_app_flow_free(f);
}

static void test_not_detected(void **state)
{
	(void)state;
	struct evs e = { 0 };
	/* the lab's UDP echo on 5353 and random binary on TCP: nothing parsed or reported */
	struct vg_app_flow *f = vg_app_flow_new(17, 40000, 5353, on_event, &e);
	assert_int_equal(vg_app_flow_udp(f, 0, dns_query, sizeof(dns_query)), 0);
	assert_int_equal(vg_app_flow_proto(f), VG_APP_UNKNOWN);
	vg_app_flow_free(f);
	f = vg_app_flow_new(6, 40000, 443, on_event, &e);
	uint8_t junk[600];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 7 + 1);
	vg_app_flow_data(f, 0, junk, sizeof(junk));
	vg_app_flow_data(f, 1, junk, 3);
	vg_app_flow_data(f, 1, junk + 3, sizeof(junk) - 3);
	assert_int_equal(vg_app_flow_proto(f), VG_APP_FAILED);
	vg_app_flow_eof(f, 0);
	vg_app_flow_eof(f, 1);
	for (int i = 0; i < 8; i++)
		assert_int_equal(e.n[i], 0);
	vg_app_flow_free(f);
	vg_app_flow_free(NULL);
}

/* The stream callback adapter wires reassembly to the app layer. */
static void test_stream_adapter(void **state)
{
	(void)state;
	struct evs e = { 0 };
	struct vg_app_flow *f = vg_app_flow_new(6, 40000, 2222, on_event, &e);
	struct vg_stream_ctx *ctx = vg_stream_ctx_new(NULL);
	struct vg_stream *s;
	assert_int_equal(vg_stream_new(ctx, vg_app_flow_stream_cb, f, &s), 0);
	vg_stream_segment(s, 0, 100, VG_STREAM_SYN, NULL, 0, 0);
	vg_stream_segment(s, 1, 900, VG_STREAM_SYN | VG_STREAM_ACK, NULL, 0, 0);
	const char *sb = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n";
	const char *cb = "SSH-2.0-PuTTY_Release_0.78\r\n";
	vg_stream_segment(s, 1, 901 + 10, VG_STREAM_ACK, (const uint8_t *)sb + 10, (uint32_t)strlen(sb) - 10, 1);
	vg_stream_segment(s, 1, 901, VG_STREAM_ACK, (const uint8_t *)sb, 10, 2); /* out of order */
	vg_stream_segment(s, 0, 101, VG_STREAM_ACK, (const uint8_t *)cb, (uint32_t)strlen(cb), 3);
	assert_int_equal(e.n[VG_APP_SSH], 1);
	assert_non_null(strstr(e.last[VG_APP_SSH], "\"software_version\":\"PuTTY_Release_0.78\""));
	assert_non_null(strstr(e.last[VG_APP_SSH], "\"software_version\":\"OpenSSH_9.2p1\""));
	vg_stream_flush(s);
	assert_int_equal(e.n[VG_APP_SSH], 1);
	vg_stream_free(s);
	vg_stream_ctx_free(ctx);
	vg_app_flow_free(f);
}

/* Overlap evasion (Ptacek & Newsham): the URI is sent twice with different bytes,
 * out of order. What the HTTP parser sees follows the configured policy exactly, and
 * the difference is counted either way. */
static void evasion(enum vg_stream_policy pol, const char *want_url)
{
	struct evs e = { 0 };
	struct vg_stream_config cfg;
	vg_stream_config_default(&cfg);
	cfg.policy = pol;
	struct vg_stream_ctx *ctx = vg_stream_ctx_new(&cfg);
	struct vg_app_flow *f = vg_app_flow_new(6, 40000, 80, on_event, &e);
	struct vg_stream *s;
	assert_int_equal(vg_stream_new(ctx, vg_app_flow_stream_cb, f, &s), 0);
	vg_stream_segment(s, 0, 0, VG_STREAM_SYN, NULL, 0, 0);
	vg_stream_segment(s, 1, 0, VG_STREAM_SYN | VG_STREAM_ACK, NULL, 0, 0);
	const char *tail = " HTTP/1.1\r\nHost: h\r\n\r\n";
	vg_stream_segment(s, 0, 1 + 5, VG_STREAM_ACK, (const uint8_t *)"good", 4, 1);
	vg_stream_segment(s, 0, 1 + 5, VG_STREAM_ACK, (const uint8_t *)"evil", 4, 2);
	vg_stream_segment(s, 0, 1 + 9, VG_STREAM_ACK, (const uint8_t *)tail, (uint32_t)strlen(tail), 3);
	vg_stream_segment(s, 0, 1, VG_STREAM_ACK, (const uint8_t *)"GET /", 5, 4);
	const char *resp = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	vg_stream_segment(s, 1, 1, VG_STREAM_ACK, (const uint8_t *)resp, (uint32_t)strlen(resp), 5);
	assert_int_equal(e.n[VG_APP_HTTP], 1);
	char want[64];
	snprintf(want, sizeof(want), "\"url\":\"%s\"", want_url);
	assert_non_null(strstr(e.last[VG_APP_HTTP], want));
	assert_int_equal(vg_stream_ctx_stats(ctx)->overlap_diff, 1);
	vg_stream_free(s);
	vg_stream_ctx_free(ctx);
	vg_app_flow_free(f);
}

static void test_overlap_evasion_policies(void **state)
{
	(void)state;
	evasion(VG_STREAM_POLICY_FIRST, "/good");
	evasion(VG_STREAM_POLICY_LAST, "/evil");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect_table),
		cmocka_unit_test(test_http_on_odd_port_byte_by_byte),
		cmocka_unit_test(test_tls_logged_once),
		cmocka_unit_test(test_dns_udp_and_tcp),
		cmocka_unit_test(test_not_detected),
		cmocka_unit_test(test_stream_adapter),
		cmocka_unit_test(test_overlap_evasion_policies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
