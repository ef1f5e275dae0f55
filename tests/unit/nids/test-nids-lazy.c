/* Unit tests of when the packet path creates a flow's stream and app-layer state: at the
 * first payload byte, not at the first packet (src/nids/nids.c app_of). Flows without
 * payload (scan probes, bare handshakes, UDP to ports no parser takes) get none — the
 * stream counters prove it — while a session whose data starts after its handshake is
 * still reassembled from its SYN's sequence number and parsed (HTTP, DNS events), and a
 * direction closed by a FIN before any data stays closed. Frames are built byte by byte. */
#include <jansson.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../decode/frame-builder.h"
#include "core/core-error.h"
#include "nids/nids.h"

#define T0 1700000000000000ll

struct rec {
	int n[16];               /* per vg_event_type */
	char app_proto[4][16];   /* app_proto of the first flow records */
	int n_flow;
};

static int on_event(void *ctx, const struct vg_event *ev)
{
	struct rec *r = ctx;
	r->n[ev->type & 15]++;
	if (ev->type == VG_EVT_FLOW && r->n_flow < 4)
		snprintf(r->app_proto[r->n_flow++], 16, "%s", ev->app_proto ? ev->app_proto : "-");
	return 0;
}

static struct vg_nids *mk(struct rec *r, struct vg_event_sink *sink)
{
	struct vg_nids_config cfg;
	vg_nids_config_default(&cfg);
	cfg.outputs = VG_NIDS_OUT_ALL;
	*sink = (struct vg_event_sink){ on_event, r };
	struct vg_nids *n = NULL;
	assert_int_equal(vg_nids_new(&cfg, NULL, sink, &n), 0);
	return n;
}

static int64_t now = T0;

static void tcp(struct vg_nids *n, const char *src, const char *dst, unsigned sport, unsigned dport,
		unsigned flags, uint32_t seq, uint32_t ack, const char *data)
{
	struct fb f;
	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, src, dst, 6);
	fb_u16(&f, sport);
	fb_u16(&f, dport);
	fb_u32(&f, seq);
	fb_u32(&f, ack);
	fb_u8(&f, 5 << 4);
	fb_u8(&f, flags);
	fb_u16(&f, 65535);
	fb_u16(&f, 0);
	fb_u16(&f, 0);
	if (data)
		fb_put(&f, data, strlen(data));
	fb_end(&f);
	now += 1000;
	assert_int_equal(vg_nids_packet(n, 1, f.b, (uint32_t)f.n, (uint32_t)f.n, now), 0);
}

static void udp(struct vg_nids *n, const char *src, const char *dst, unsigned sport, unsigned dport,
		const void *data, size_t len)
{
	struct fb f;
	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, src, dst, 17);
	fb_udp(&f, sport, dport);
	fb_put(&f, data, len);
	fb_end(&f);
	now += 1000;
	assert_int_equal(vg_nids_packet(n, 1, f.b, (uint32_t)f.n, (uint32_t)f.n, now), 0);
}

static uint64_t tcp_stat(struct vg_nids *n, const char *key)
{
	json_t *s = vg_nids_stats_json(n);
	assert_non_null(s);
	json_int_t v = json_integer_value(json_object_get(json_object_get(s, "tcp"), key));
	json_decref(s);
	return (uint64_t)v;
}

static const char REQ[] = "GET /a HTTP/1.1\r\nHost: web.test\r\n\r\n";
static const char RESP[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

static void handshake(struct vg_nids *n, unsigned cport, uint32_t iss, uint32_t irs)
{
	tcp(n, "10.0.0.1", "10.0.0.2", cport, 80, 0x02, iss, 0, NULL);
	tcp(n, "10.0.0.2", "10.0.0.1", 80, cport, 0x12, irs, iss + 1, NULL);
	tcp(n, "10.0.0.1", "10.0.0.2", cport, 80, 0x10, iss + 1, irs + 1, NULL);
}

static void test_no_state_without_payload(void **state)
{
	(void)state;
	struct rec r = { 0 };
	struct vg_event_sink sink;
	struct vg_nids *n = mk(&r, &sink);
	for (unsigned p = 1; p <= 50; p++) /* SYN probes */
		tcp(n, "10.0.0.9", "10.0.0.2", 40000, p, 0x02, 7, 0, NULL);
	handshake(n, 41000, 100, 900); /* a connection that never sends a byte */
	tcp(n, "10.0.0.1", "10.0.0.2", 41000, 80, 0x11, 101, 901, NULL);
	static const uint8_t ntp[48] = { 0x23 };
	udp(n, "10.0.0.1", "10.0.0.3", 40123, 123, ntp, sizeof(ntp)); /* no parser takes it */
	assert_int_equal(tcp_stat(n, "sessions"), 0);
	assert_int_equal(tcp_stat(n, "memuse"), 0);
	struct vg_nids_stats st;
	vg_nids_get_stats(n, &st);
	assert_int_equal(st.app_flows_refused, 0);
	vg_nids_finish(n);
	assert_int_equal(r.n[VG_EVT_FLOW], 52);
	assert_int_equal(r.n[VG_EVT_HTTP], 0);
	vg_nids_free(n);
}

static void test_session_parsed_from_first_payload(void **state)
{
	(void)state;
	struct rec r = { 0 };
	struct vg_event_sink sink;
	struct vg_nids *n = mk(&r, &sink);
	uint32_t iss = 0xfffffff0u, irs = 5000; /* the client's sequence numbers wrap */
	handshake(n, 42000, iss, irs);
	assert_int_equal(tcp_stat(n, "sessions"), 0);
	/* the response's segment first: it is held until the request is there */
	tcp(n, "10.0.0.1", "10.0.0.2", 42000, 80, 0x18, iss + 1, irs + 1, REQ);
	assert_int_equal(tcp_stat(n, "sessions"), 1);
	tcp(n, "10.0.0.2", "10.0.0.1", 80, 42000, 0x18, irs + 1, iss + 1 + (uint32_t)strlen(REQ), RESP);
	tcp(n, "10.0.0.1", "10.0.0.2", 42000, 80, 0x11, iss + 1 + (uint32_t)strlen(REQ),
	    irs + 1 + (uint32_t)strlen(RESP), NULL);
	vg_nids_finish(n);
	assert_int_equal(r.n[VG_EVT_HTTP], 1);
	assert_int_equal(r.n[VG_EVT_FLOW], 1);
	assert_string_equal(r.app_proto[0], "http");
	/* the stream started at the SYN: nothing was picked up midstream or lost */
	assert_int_equal(tcp_stat(n, "reassembly_gap"), 0);
	vg_nids_free(n);
}

/* HTTP events of one session: handshake, then (fin_first) a client FIN, then the
 * request (with_fin: carrying its own FIN), no response. */
static int http_events(bool fin_first, bool with_fin)
{
	struct rec r = { 0 };
	struct vg_event_sink sink;
	struct vg_nids *n = mk(&r, &sink);
	handshake(n, 43000, 100, 900);
	if (fin_first)
		tcp(n, "10.0.0.1", "10.0.0.2", 43000, 80, 0x11, 101, 901, NULL);
	tcp(n, "10.0.0.1", "10.0.0.2", 43000, 80, with_fin ? 0x19 : 0x18, 101, 901, REQ);
	vg_nids_finish(n);
	vg_nids_free(n);
	return r.n[VG_EVT_HTTP];
}

static void test_data_after_fin_ignored(void **state)
{
	(void)state;
	assert_int_equal(http_events(false, false), 1); /* a lone request is logged at the end */
	assert_int_equal(http_events(false, true), 1);  /* its own FIN follows its data */
	assert_int_equal(http_events(true, false), 0);  /* after the client's FIN: ignored */
}

static void test_dns_over_udp(void **state)
{
	(void)state;
	struct rec r = { 0 };
	struct vg_event_sink sink;
	struct vg_nids *n = mk(&r, &sink);
	static const uint8_t q[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
				   "\x07" "example" "\x03" "com" "\x00\x00\x01\x00\x01";
	udp(n, "10.0.0.1", "10.0.0.53", 40053, 53, q, sizeof(q) - 1);
	vg_nids_finish(n);
	assert_int_equal(r.n[VG_EVT_DNS], 1);
	assert_string_equal(r.app_proto[0], "dns");
	vg_nids_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_state_without_payload),
		cmocka_unit_test(test_session_parsed_from_first_payload),
		cmocka_unit_test(test_data_after_fin_ignored),
		cmocka_unit_test(test_dns_over_udp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
