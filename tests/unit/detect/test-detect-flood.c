/* Flood detector: the lab floods (kind, victim, timing, source estimate), no flood on the
 * other captures, and built traffic: a busy server that is not a flood, hysteresis and
 * second episodes, end by tick, bounded state under random destinations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-error.h"
#include "detect/detect-flood.h"
#include "detect/detect-scan.h"
#include "detect-test-util.h"

struct ctx {
	struct vg_detect_flood *d;
	struct recorder *rec;
	struct vg_event_sink sink;
	/* first packet of the kind/victim under test */
	struct vg_addr victim;
	int kind; /* 0 none, 1 SYN, 2 UDP, 3 ICMP */
	const char *tenant;
	int64_t first_flood_us;
};

static bool is_kind(const struct vg_packet *p, int kind)
{
	switch (kind) {
	case 1: return (p->flags & VG_PKT_TCP) && (p->tcp_flags & (VG_TH_SYN | VG_TH_ACK)) == VG_TH_SYN;
	case 2: return (p->flags & VG_PKT_UDP) != 0;
	case 3: return (p->flags & VG_PKT_ICMP) && p->icmp_type == 8;
	default: return false;
	}
}

static void feed(void *c, const struct vg_packet *p)
{
	struct ctx *x = c;
	if (x->kind && !x->first_flood_us && is_kind(p, x->kind) && vg_addr_eq(&p->dst, &x->victim))
		x->first_flood_us = p->ts_us;
	assert_int_equal(vg_detect_flood_packet(x->d, p, x->tenant), 0);
}

static void tick(void *c, int64_t now)
{
	struct ctx *x = c;
	vg_detect_flood_tick(x->d, now);
}

static struct ctx *new_ctx(const struct vg_detect_flood_config *cfg)
{
	struct ctx *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	c->rec = calloc(1, sizeof(*c->rec));
	assert_non_null(c->rec);
	c->sink.emit = recorder_emit;
	c->sink.ctx = c->rec;
	assert_int_equal(vg_detect_flood_new(cfg, &c->sink, &c->d), 0);
	return c;
}

static void free_ctx(struct ctx *c)
{
	vg_detect_flood_free(c->d);
	free(c->rec);
	free(c);
}

static struct ctx *run_lab(const char *name, int kind, const char *victim)
{
	struct ctx *c = new_ctx(NULL);
	c->kind = kind;
	if (victim)
		assert_int_equal(vg_addr_parse(victim, strlen(victim), &c->victim), 0);
	char path[512];
	int64_t last = 0;
	assert_true(replay_pcap(lab_pcap(path, sizeof(path), name), feed, tick, c, NULL, &last) > 0);
	vg_detect_flood_finish(c->d, last);
	assert_int_equal(c->rec->dropped, 0);
	return c;
}

static void assert_addr(const struct vg_addr *a, const char *text)
{
	char buf[VG_ADDR_STRLEN];
	assert_string_equal(vg_addr_format(a, buf), text);
}

/* Exactly one flood alert and its episode record; returns the episode record. */
static const struct rec_event *one_flood(const struct ctx *c, const char *kind, const char *dst,
					 uint16_t dport, uint32_t sid)
{
	const struct recorder *r = c->rec;
	assert_int_equal(recorder_count(r, VG_EVT_ALERT, VG_DET_NONE), 1);
	assert_int_equal(recorder_count(r, VG_EVT_ALERT, VG_DET_FLOOD), 1);
	assert_int_equal(recorder_count(r, VG_EVT_EPISODE, VG_DET_FLOOD), 1);
	const struct rec_event *a = recorder_get(r, VG_EVT_ALERT, VG_DET_FLOOD, 0);
	const struct rec_event *e = recorder_get(r, VG_EVT_EPISODE, VG_DET_FLOOD, 0);
	assert_string_equal(a->kind, kind);
	assert_string_equal(e->kind, kind);
	assert_addr(&a->dst, dst);
	assert_addr(&e->dst, dst);
	assert_int_equal(a->dport, dport);
	assert_int_equal(a->sid, sid);
	assert_int_equal(e->sid, sid);
	assert_true(a->episode_id != 0 && a->episode_id == e->episode_id);
	assert_false(a->ended);
	assert_true(e->ended);
	assert_int_equal(a->end_us, 0);
	assert_true(a->start_us == e->start_us);
	assert_true(e->end_us > e->start_us);
	assert_true(e->packets >= a->packets);
	assert_true(e->peak_pps >= a->peak_pps);
	/* recognised within one second of the first flood packet, in packet time */
	assert_true(c->first_flood_us > 0);
	assert_true(a->ts_us >= c->first_flood_us);
	assert_true(a->ts_us - c->first_flood_us <= 1000000);
	assert_true(a->start_us >= c->first_flood_us && a->start_us - c->first_flood_us < 100000);
	return e;
}

static void test_lab_syn_flood(void **state)
{
	(void)state;
	struct ctx *c = run_lab("flood-syn.pcap", 1, "10.99.0.2");
	const struct rec_event *e = one_flood(c, "SYN", "10.99.0.2", 80, VG_FLOOD_SID_SYN);
	const struct rec_event *a = recorder_get(c->rec, VG_EVT_ALERT, VG_DET_FLOOD, 0);
	/* 20000 SYNs from random sources at ~5600/s */
	assert_int_equal(a->src.family, VG_AF_NONE);
	assert_int_equal(e->src.family, VG_AF_NONE);
	assert_true(a->sources_est > 500);
	assert_true(e->sources_est > 15000 && e->sources_est < 25000);
	assert_true(e->peak_pps > 4500 && e->peak_pps < 7000);
	assert_true(e->packets > 19000 && e->packets <= 20000);
	assert_true(e->end_us - e->start_us > 3000000 && e->end_us - e->start_us < 4000000);
	free_ctx(c);
}

static void test_lab_udp_flood(void **state)
{
	(void)state;
	struct ctx *c = run_lab("flood-udp.pcap", 2, "10.99.0.2");
	const struct rec_event *e = one_flood(c, "UDP", "10.99.0.2", 5353, VG_FLOOD_SID_UDP);
	assert_int_equal(e->src.family, VG_AF_NONE);
	assert_true(e->sources_est > 15000);
	assert_true(e->peak_pps > 4500 && e->peak_pps < 7000);
	assert_int_equal(e->proto, 17);
	free_ctx(c);
}

static void test_lab_icmp_flood(void **state)
{
	(void)state;
	struct ctx *c = run_lab("flood-icmp.pcap", 3, "10.99.0.2");
	const struct rec_event *e = one_flood(c, "ICMP", "10.99.0.2", 0, VG_FLOOD_SID_ICMP);
	const struct rec_event *a = recorder_get(c->rec, VG_EVT_ALERT, VG_DET_FLOOD, 0);
	assert_int_equal(e->sources_est, 1);
	assert_addr(&a->src, "10.99.0.1");
	assert_addr(&e->src, "10.99.0.1");
	assert_true(e->peak_pps > 4500 && e->peak_pps < 7000);
	free_ctx(c);
}

/* No flood in the scans or the ordinary captures. */
static void test_lab_no_flood(void **state)
{
	(void)state;
	static const char *const files[] = {
		"scan-syn.pcap", "scan-connect.pcap", "scan-fin.pcap", "scan-null.pcap",
		"scan-xmas.pcap", "scan-udp.pcap", "scan-ipv6.pcap", "sweep-horizontal.pcap",
		"benign.pcap", "ssh-bruteforce.pcap", "http-attacks.pcap", "tenants-vxlan.pcap",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct ctx *c = run_lab(files[i], 0, NULL);
		if (c->rec->n)
			fprintf(stderr, "%s: %s\n", files[i], c->rec->ev[0].signature);
		assert_int_equal(c->rec->n, 0);
		free_ctx(c);
	}
}

/* Both detectors on one sink over every lab capture: each capture raises only what it
 * holds (a scan or a flood, never the other, nothing on the ordinary ones). */
struct both {
	struct vg_detect_scan *s;
	struct vg_detect_flood *f;
};

static void feed_both(void *c, const struct vg_packet *p)
{
	struct both *b = c;
	assert_int_equal(vg_detect_scan_packet(b->s, p, NULL), 0);
	assert_int_equal(vg_detect_flood_packet(b->f, p, NULL), 0);
}

static void tick_both(void *c, int64_t now)
{
	struct both *b = c;
	vg_detect_scan_tick(b->s, now);
	vg_detect_flood_tick(b->f, now);
}

static void test_lab_cross(void **state)
{
	(void)state;
	static const struct { const char *file; unsigned scans, floods; } cases[] = {
		{ "scan-syn.pcap", 1, 0 }, { "scan-connect.pcap", 1, 0 }, { "scan-fin.pcap", 1, 0 },
		{ "scan-null.pcap", 1, 0 }, { "scan-xmas.pcap", 1, 0 }, { "scan-udp.pcap", 1, 0 },
		{ "scan-ipv6.pcap", 1, 0 }, { "sweep-horizontal.pcap", 1, 0 },
		{ "tenants-vxlan.pcap", 1, 0 }, { "flood-syn.pcap", 0, 1 },
		{ "flood-udp.pcap", 0, 1 }, { "flood-icmp.pcap", 0, 1 }, { "benign.pcap", 0, 0 },
		{ "ssh-bruteforce.pcap", 0, 0 }, { "http-attacks.pcap", 0, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct recorder *r = calloc(1, sizeof(*r));
		assert_non_null(r);
		struct vg_event_sink sink = { recorder_emit, r };
		struct both b;
		assert_int_equal(vg_detect_scan_new(NULL, &sink, &b.s), 0);
		assert_int_equal(vg_detect_flood_new(NULL, &sink, &b.f), 0);
		char path[512];
		int64_t last = 0;
		assert_true(replay_pcap(lab_pcap(path, sizeof(path), cases[i].file), feed_both,
					tick_both, &b, NULL, &last) > 0);
		vg_detect_scan_finish(b.s, last);
		vg_detect_flood_finish(b.f, last);
		if (recorder_count(r, VG_EVT_ALERT, VG_DET_NONE) != cases[i].scans + cases[i].floods)
			fprintf(stderr, "%s: unexpected alerts\n", cases[i].file);
		assert_int_equal(recorder_count(r, VG_EVT_ALERT, VG_DET_SCAN), cases[i].scans);
		assert_int_equal(recorder_count(r, VG_EVT_EPISODE, VG_DET_SCAN), cases[i].scans);
		assert_int_equal(recorder_count(r, VG_EVT_ALERT, VG_DET_FLOOD), cases[i].floods);
		assert_int_equal(recorder_count(r, VG_EVT_EPISODE, VG_DET_FLOOD), cases[i].floods);
		assert_int_equal(r->n, 2 * (cases[i].scans + cases[i].floods));
		vg_detect_scan_free(b.s);
		vg_detect_flood_free(b.f);
		free(r);
	}
}

/* ---- built traffic ------------------------------------------------------------------- */

#define T0 (1700000000ll * 1000000)

static void client_src(char *buf, size_t n, unsigned i)
{
	snprintf(buf, n, "100.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, (i & 255) | 1);
}

/* rate SYNs/s to 10.0.0.80:443 for secs seconds; with_ack: each client completes its
 * handshake and sends a request */
static void syn_traffic(struct ctx *c, int64_t t0, unsigned rate, unsigned secs, bool with_ack,
			unsigned src_base)
{
	struct vg_packet p;
	char src[32];
	int64_t gap = 1000000 / rate;
	for (unsigned i = 0; i < rate * secs; i++) {
		int64_t ts = t0 + (int64_t)i * gap;
		client_src(src, sizeof(src), src_base + i);
		build_tcp(&p, ts, src, "10.0.0.80", (uint16_t)(1024 + i % 60000), 443, VG_TH_SYN, 0);
		feed(c, &p);
		vg_detect_flood_tick(c->d, ts);
		if (with_ack) {
			build_tcp(&p, ts + 300, src, "10.0.0.80", (uint16_t)(1024 + i % 60000), 443, VG_TH_ACK, 0);
			feed(c, &p);
			build_tcp(&p, ts + 400, src, "10.0.0.80", (uint16_t)(1024 + i % 60000), 443,
				  VG_TH_ACK | VG_TH_PSH, 500);
			feed(c, &p);
		}
	}
}

static void test_busy_server_is_not_a_flood(void **state)
{
	(void)state;
	/* 3000 new connections/s from many clients, every handshake completed */
	struct ctx *c = new_ctx(NULL);
	syn_traffic(c, T0, 3000, 5, true, 0);
	vg_detect_flood_finish(c->d, T0 + 6000000);
	assert_int_equal(c->rec->n, 0);
	free_ctx(c);

	/* the same SYN rate with no handshake completed is one */
	c = new_ctx(NULL);
	c->kind = 1;
	assert_int_equal(vg_addr_parse("10.0.0.80", 9, &c->victim), 0);
	syn_traffic(c, T0, 3000, 5, false, 0);
	vg_detect_flood_finish(c->d, T0 + 6000000);
	one_flood(c, "SYN", "10.0.0.80", 443, VG_FLOOD_SID_SYN);
	free_ctx(c);

	/* 900 SYNs/s unanswered is under the threshold */
	c = new_ctx(NULL);
	syn_traffic(c, T0, 900, 5, false, 0);
	vg_detect_flood_finish(c->d, T0 + 6000000);
	assert_int_equal(c->rec->n, 0);
	free_ctx(c);
}

static void test_second_episode(void **state)
{
	(void)state;
	struct ctx *c = new_ctx(NULL);
	syn_traffic(c, T0, 4000, 2, false, 0);
	/* quiet: tick alone ends the first episode after the hold time */
	vg_detect_flood_tick(c->d, T0 + 2000000 + 4000000);
	assert_int_equal(recorder_count(c->rec, VG_EVT_EPISODE, VG_DET_FLOOD), 0);
	vg_detect_flood_tick(c->d, T0 + 2000000 + 5100000);
	assert_int_equal(recorder_count(c->rec, VG_EVT_EPISODE, VG_DET_FLOOD), 1);
	const struct rec_event *e1 = recorder_get(c->rec, VG_EVT_EPISODE, VG_DET_FLOOD, 0);
	assert_true(e1->end_us >= T0 + 1900000 && e1->end_us <= T0 + 2000000);
	assert_true(e1->packets >= 7000 && e1->packets <= 8000);
	syn_traffic(c, T0 + 20000000, 4000, 2, false, 100000);
	vg_detect_flood_finish(c->d, T0 + 30000000);
	assert_int_equal(recorder_count(c->rec, VG_EVT_ALERT, VG_DET_FLOOD), 2);
	assert_int_equal(recorder_count(c->rec, VG_EVT_EPISODE, VG_DET_FLOOD), 2);
	const struct rec_event *a1 = recorder_get(c->rec, VG_EVT_ALERT, VG_DET_FLOOD, 0);
	const struct rec_event *a2 = recorder_get(c->rec, VG_EVT_ALERT, VG_DET_FLOOD, 1);
	assert_true(a1->episode_id != a2->episode_id);
	assert_true(a2->start_us >= T0 + 20000000);
	assert_true(a2->ts_us - a2->start_us <= 1000000);
	free_ctx(c);
}

/* A flood that dips below the threshold but stays above end-percent is one episode. */
static void test_hysteresis(void **state)
{
	(void)state;
	struct ctx *c = new_ctx(NULL);
	syn_traffic(c, T0, 2000, 2, false, 0);
	syn_traffic(c, T0 + 2000000, 700, 3, false, 50000); /* 70%: still the same flood */
	syn_traffic(c, T0 + 5000000, 2000, 2, false, 90000);
	vg_detect_flood_finish(c->d, T0 + 8000000);
	assert_int_equal(recorder_count(c->rec, VG_EVT_ALERT, VG_DET_FLOOD), 1);
	assert_int_equal(recorder_count(c->rec, VG_EVT_EPISODE, VG_DET_FLOOD), 1);
	free_ctx(c);
}

/* Random destinations cannot fill the table; many hot destinations stay within the cap. */
static void test_bounded_state(void **state)
{
	(void)state;
	struct vg_detect_flood_config cfg;
	vg_detect_flood_config_default(&cfg);
	cfg.max_trackers = 50;
	struct ctx *c = new_ctx(&cfg);
	struct vg_packet p;
	char dst[32];
	for (unsigned i = 0; i < 200000; i++) {
		snprintf(dst, sizeof(dst), "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		build_udp(&p, T0 + i * 5, "192.0.2.1", dst, 5000, 53, 30);
		feed(c, &p);
	}
	struct vg_detect_flood_stats st;
	vg_detect_flood_get_stats(c->d, &st);
	assert_int_equal(st.trackers_in_use, 0);
	assert_int_equal(st.counted, 200000);
	/* 200 destinations, each hot enough for a tracker */
	for (unsigned k = 0; k < 150; k++)
		for (unsigned i = 0; i < 200; i++) {
			snprintf(dst, sizeof(dst), "10.200.0.%u", i);
			build_udp(&p, T0 + 2000000 + (k * 200 + i) * 20, "192.0.2.1", dst, 5000, 53, 30);
			feed(c, &p);
		}
	vg_detect_flood_get_stats(c->d, &st);
	assert_true(st.trackers_in_use <= 50);
	assert_true(st.trackers_created >= 200);
	assert_true(st.evictions >= 150);
	assert_int_equal(st.alerts, 0);
	vg_detect_flood_finish(c->d, T0 + 3000000);
	free_ctx(c);
}

static void test_ipv6_icmp_flood(void **state)
{
	(void)state;
	struct ctx *c = new_ctx(NULL);
	struct vg_packet p;
	char tenant[16];
	for (unsigned i = 0; i < 3000; i++) {
		build_icmp_echo(&p, T0 + i * 500, "2001:db8::bad", "2001:db8::1");
		p.has_vni = true;
		p.vni = 4242;
		/* the caller's buffer changes after each call: the detector keeps its own copy */
		snprintf(tenant, sizeof(tenant), "acme");
		c->tenant = tenant;
		feed(c, &p);
		memset(tenant, 'x', sizeof(tenant) - 1);
	}
	vg_detect_flood_finish(c->d, T0 + 2000000);
	assert_int_equal(recorder_count(c->rec, VG_EVT_ALERT, VG_DET_FLOOD), 1);
	const struct rec_event *a = recorder_get(c->rec, VG_EVT_ALERT, VG_DET_FLOOD, 0);
	assert_string_equal(a->kind, "ICMP");
	assert_addr(&a->src, "2001:db8::bad");
	assert_addr(&a->dst, "2001:db8::1");
	assert_int_equal(a->proto, 58);
	assert_true(a->has_vni);
	assert_int_equal(a->vni, 4242);
	assert_string_equal(a->tenant, "acme");
	/* 1000 packets at 2000/s: half a second */
	assert_true(a->ts_us - T0 <= 600000);
	free_ctx(c);
}

/* Datagrams to random ports of one host: no port sees a flood, the host does. */
static void udp_random_ports(struct ctx *c, int64_t t0, unsigned rate, unsigned secs)
{
	struct vg_packet p;
	uint32_t x = 12345;
	for (unsigned i = 0; i < rate * secs; i++) {
		x = x * 1103515245u + 12345u;
		build_udp(&p, t0 + (int64_t)i * 1000000 / rate, "203.0.113.53", "10.0.0.99", 53,
			  (uint16_t)(1024 + (x >> 16) % 60000), 1200);
		feed(c, &p);
	}
}

static void test_random_port_udp_flood(void **state)
{
	(void)state;
	struct ctx *c = new_ctx(NULL);
	c->kind = 2;
	assert_int_equal(vg_addr_parse("10.0.0.99", 9, &c->victim), 0);
	udp_random_ports(c, T0, 12000, 2);
	vg_detect_flood_finish(c->d, T0 + 3000000);
	const struct rec_event *e = one_flood(c, "UDP", "10.0.0.99", 0, VG_FLOOD_SID_UDP_ANY);
	/* one reflector (a DNS amplifier): the source is named */
	assert_addr(&e->src, "203.0.113.53");
	assert_int_equal(e->sources_est, 1);
	assert_true(e->peak_pps > 10000 && e->peak_pps < 14000);
	free_ctx(c);

	/* 8000/s over random ports is below udp_any_pps; no port is hot */
	c = new_ctx(NULL);
	udp_random_ports(c, T0, 8000, 2);
	vg_detect_flood_finish(c->d, T0 + 3000000);
	assert_int_equal(c->rec->n, 0);
	free_ctx(c);

	/* any_min_ports 0 turns the per-destination count off */
	struct vg_detect_flood_config cfg;
	vg_detect_flood_config_default(&cfg);
	cfg.any_min_ports = 0;
	c = new_ctx(&cfg);
	udp_random_ports(c, T0, 12000, 2);
	vg_detect_flood_finish(c->d, T0 + 3000000);
	assert_int_equal(c->rec->n, 0);
	free_ctx(c);
}

static void test_api_edges(void **state)
{
	(void)state;
	vg_detect_flood_free(NULL);
	vg_detect_flood_tick(NULL, 0);
	vg_detect_flood_finish(NULL, 0);
	assert_int_equal(vg_detect_flood_packet(NULL, NULL, NULL), VG_EINVAL);
	struct vg_detect_flood_config cfg;
	memset(&cfg, 0, sizeof(cfg)); /* all zero: clamped into something usable */
	struct ctx *c = new_ctx(&cfg);
	struct vg_packet p;
	build_udp(&p, T0, "192.0.2.1", "192.0.2.2", 1, 2, 0);
	feed(c, &p);
	free_ctx(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_syn_flood),
		cmocka_unit_test(test_lab_udp_flood),
		cmocka_unit_test(test_lab_icmp_flood),
		cmocka_unit_test(test_lab_no_flood),
		cmocka_unit_test(test_lab_cross),
		cmocka_unit_test(test_busy_server_is_not_a_flood),
		cmocka_unit_test(test_second_episode),
		cmocka_unit_test(test_hysteresis),
		cmocka_unit_test(test_bounded_state),
		cmocka_unit_test(test_ipv6_icmp_flood),
		cmocka_unit_test(test_random_port_udp_flood),
		cmocka_unit_test(test_api_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
