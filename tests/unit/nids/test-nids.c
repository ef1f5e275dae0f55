/* Unit tests of the packet path's own logic (src/nids): anomaly events rate-limited per
 * type and second with every anomaly still counted, output type selection, tenant
 * attribution (destination first), fragments reassembled before flow tracking, a new
 * timeline flushing the old one, and the stats record. Frames are built byte by byte. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../decode/frame-builder.h"
#include "core/core-error.h"
#include "core/core-tenant.h"
#include "nids/nids.h"

#define T0 1700000000000000ll

struct rec {
	int n[16];          /* per vg_event_type */
	char tenant[8][32]; /* tenants of the first flow records */
	int n_tenant;
	uint16_t last_dport;
};

static int on_event(void *ctx, const struct vg_event *ev)
{
	struct rec *r = ctx;
	r->n[ev->type & 15]++;
	if (ev->type == VG_EVT_FLOW) {
		if (r->n_tenant < 8)
			snprintf(r->tenant[r->n_tenant++], 32, "%s", ev->tenant ? ev->tenant : "-");
		r->last_dport = ev->dport;
	}
	return 0;
}

static void tcp_frame(struct fb *f, const char *src, const char *dst, unsigned sport, unsigned dport,
		      unsigned flags)
{
	fb_init(f);
	fb_eth(f, 0x0800);
	fb_ipv4(f, src, dst, 6);
	fb_tcp(f, sport, dport, flags, NULL, 0);
	fb_end(f);
}

static struct vg_nids *mk(struct rec *r, struct vg_event_sink *sink, const struct vg_tenants *t,
			  unsigned outputs)
{
	struct vg_nids_config cfg;
	vg_nids_config_default(&cfg);
	cfg.outputs = outputs;
	*sink = (struct vg_event_sink){ on_event, r };
	struct vg_nids *n = NULL;
	assert_int_equal(vg_nids_new(&cfg, t, sink, &n), 0);
	return n;
}

static void test_anomaly_rate_limit(void **state)
{
	(void)state;
	struct rec r = { 0 };
	struct vg_event_sink sink;
	struct vg_nids *n = mk(&r, &sink, NULL, VG_NIDS_OUT_ANOMALY);
	struct fb f;
	/* SYN+FIN is an invalid flag combination: one anomaly per packet */
	for (int i = 0; i < 300; i++) {
		tcp_frame(&f, "10.0.0.1", "10.0.0.2", 1000 + (unsigned)i, 80, 0x03);
		vg_nids_packet(n, 1, f.b, (uint32_t)f.n, (uint32_t)f.n, T0 + i * 1000);
	}
	assert_int_equal(r.n[VG_EVT_ANOMALY], 100); /* 100 per type per second */
	/* the next second reports again */
	tcp_frame(&f, "10.0.0.1", "10.0.0.2", 5000, 80, 0x03);
	vg_nids_packet(n, 1, f.b, (uint32_t)f.n, (uint32_t)f.n, T0 + 1500000);
	assert_int_equal(r.n[VG_EVT_ANOMALY], 101);
	struct vg_nids_stats st;
	vg_nids_get_stats(n, &st);
	assert_int_equal(st.anomalies, 301); /* all counted */
	assert_int_equal(st.anomaly_events, 101);
	assert_int_equal(st.anomaly_suppressed, 200);
	assert_int_equal(r.n[VG_EVT_FLOW], 0); /* not selected */
	vg_nids_finish(n);
	assert_int_equal(r.n[VG_EVT_FLOW], 0);
	assert_int_equal(r.n[VG_EVT_STATS], 0);
	vg_nids_free(n);
}

static void test_tenant_destination_first(void **state)
{
	(void)state;
	static const char y[] = "tenants:\n"
				"  - name: web\n    networks: [10.1.0.0/24]\n"
				"  - name: office\n    networks: [10.2.0.0/24]\n";
	struct vg_tenants *t = NULL;
	assert_int_equal(vg_tenants_load_string(y, sizeof(y) - 1, "t", &t, NULL), 0);
	struct rec r = { 0 };
	struct vg_event_sink sink;
	struct vg_nids *n = mk(&r, &sink, t, VG_NIDS_OUT_FLOW);
	struct fb f;
	tcp_frame(&f, "10.2.0.5", "10.1.0.9", 40000, 443, 0x02); /* office → web */
	vg_nids_packet(n, 1, f.b, (uint32_t)f.n, (uint32_t)f.n, T0);
	tcp_frame(&f, "10.2.0.5", "192.0.2.1", 40001, 443, 0x02); /* office → outside */
	vg_nids_packet(n, 1, f.b, (uint32_t)f.n, (uint32_t)f.n, T0 + 1);
	tcp_frame(&f, "198.51.100.1", "203.0.113.1", 40002, 443, 0x02); /* nobody's */
	vg_nids_packet(n, 1, f.b, (uint32_t)f.n, (uint32_t)f.n, T0 + 2);
	vg_nids_finish(n);
	assert_int_equal(r.n_tenant, 3);
	/* flows end in creation order at the flush */
	assert_string_equal(r.tenant[0], "web");
	assert_string_equal(r.tenant[1], "office");
	assert_string_equal(r.tenant[2], "-");
	vg_nids_free(n);
	vg_tenants_free(t);
}

static void test_fragments_reassembled_before_flow(void **state)
{
	(void)state;
	struct rec r = { 0 };
	struct vg_event_sink sink;
	struct vg_nids *n = mk(&r, &sink, NULL, VG_NIDS_OUT_FLOW);
	/* one UDP datagram (8 + 32 bytes) in two fragments: 24 bytes at 0 (MF), 16 at 24 */
	struct fb a, b;
	fb_init(&a);
	fb_eth(&a, 0x0800);
	fb_ipv4(&a, "10.0.0.1", "10.0.0.2", 17);
	fb_u16(&a, 5555);
	fb_u16(&a, 53);
	fb_u16(&a, 40);
	fb_u16(&a, 0);
	fb_payload(&a, 16, 'a');
	fb_end(&a);
	a.b[14 + 6] = 0x20; /* MF, offset 0 */
	a.b[14 + 7] = 0;
	fb_init(&b);
	fb_eth(&b, 0x0800);
	fb_ipv4(&b, "10.0.0.1", "10.0.0.2", 17);
	fb_payload(&b, 16, 'b');
	fb_end(&b);
	b.b[14 + 6] = 0x00; /* offset 24 bytes = 3 units */
	b.b[14 + 7] = 3;
	vg_nids_packet(n, 1, a.b, (uint32_t)a.n, (uint32_t)a.n, T0);
	vg_nids_packet(n, 1, b.b, (uint32_t)b.n, (uint32_t)b.n, T0 + 10);
	vg_nids_finish(n);
	struct vg_nids_stats st;
	vg_nids_get_stats(n, &st);
	assert_int_equal(st.fragments, 2);
	assert_int_equal(st.reassembled, 1);
	assert_int_equal(r.n[VG_EVT_FLOW], 1); /* one flow, with the UDP ports of fragment 1 */
	assert_int_equal(r.last_dport, 53);
	vg_nids_free(n);
}

static void test_restart_and_stats(void **state)
{
	(void)state;
	struct rec r = { 0 };
	struct vg_event_sink sink;
	struct vg_nids *n = mk(&r, &sink, NULL, VG_NIDS_OUT_ALL);
	struct fb f;
	tcp_frame(&f, "10.0.0.1", "10.0.0.2", 1111, 22, 0x02);
	vg_nids_packet(n, 1, f.b, (uint32_t)f.n, (uint32_t)f.n, T0 + 3600ll * 1000000);
	vg_nids_restart(n); /* older packets follow: the open flow is written first */
	assert_int_equal(r.n[VG_EVT_FLOW], 1);
	tcp_frame(&f, "10.0.0.1", "10.0.0.2", 2222, 22, 0x02);
	vg_nids_packet(n, 1, f.b, (uint32_t)f.n, (uint32_t)f.n, T0);
	assert_true(vg_nids_now(n) == T0); /* time started over */
	vg_nids_finish(n);
	assert_int_equal(r.n[VG_EVT_FLOW], 2);
	assert_int_equal(r.n[VG_EVT_STATS], 1);
	json_t *s = vg_nids_stats_json(n);
	assert_non_null(s);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "decoder"), "pkts")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "flow"), "total")), 2);
	assert_non_null(json_object_get(json_object_get(s, "detect"), "scan"));
	json_decref(s);
	struct vg_nids_stats st;
	vg_nids_get_stats(n, &st);
	assert_int_equal(st.timelines, 1);
	vg_nids_free(n);
}

static void test_config_keys(void **state)
{
	(void)state;
	static const char y[] = "detect:\n  scan:\n    ports-threshold: 40\n    window: 2m\n"
				"stream:\n  policy: last\noutputs:\n  types: [flow, stats]\n";
	struct vg_config *c = NULL;
	struct vg_config_err err;
	assert_int_equal(vg_config_load_string(y, sizeof(y) - 1, "v.yaml", &c, &err), 0);
	struct vg_nids_config nc;
	assert_int_equal(vg_nids_config_load(vg_config_root(c), &nc, &err), 0);
	assert_int_equal(nc.scan.ports_threshold, 40);
	assert_true(nc.scan.window_us == 120ll * 1000000);
	assert_int_equal(nc.stream.policy, VG_STREAM_POLICY_LAST);
	assert_int_equal(nc.outputs, VG_NIDS_OUT_FLOW | VG_NIDS_OUT_STATS);
	vg_config_free(c);
	static const char bad[] = "detect:\n  scan:\n    window: 10m\n    slow-window: 5m\n";
	assert_int_equal(vg_config_load_string(bad, sizeof(bad) - 1, "v.yaml", &c, &err), 0);
	assert_int_equal(vg_nids_config_load(vg_config_root(c), &nc, &err), VG_ERANGE);
	assert_non_null(strstr(err.msg, "v.yaml:4"));
	assert_non_null(strstr(err.msg, "detect.scan.slow-window"));
	vg_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anomaly_rate_limit),
		cmocka_unit_test(test_tenant_destination_first),
		cmocka_unit_test(test_fragments_reassembled_before_flow),
		cmocka_unit_test(test_restart_and_stats),
		cmocka_unit_test(test_config_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
