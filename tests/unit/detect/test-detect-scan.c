/* Port-scan detector: the lab captures (what a correct detector reports, and what it must
 * not) and built packets (slow scans, IPv6 UDP, clients that are not scanners, eviction). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-error.h"
#include "detect/detect-scan.h"
#include "detect-test-util.h"

struct ctx {
	struct vg_detect_scan *d;
	struct recorder *rec;
	const char *tenant;
};

static void feed(void *c, const struct vg_packet *p)
{
	struct ctx *x = c;
	assert_int_equal(vg_detect_scan_packet(x->d, p, x->tenant), 0);
}

static void tick(void *c, int64_t now)
{
	struct ctx *x = c;
	vg_detect_scan_tick(x->d, now);
}

static struct recorder *new_rec(void)
{
	struct recorder *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	return r;
}

/* Replay one lab capture through a default detector; returns the recorder. */
static struct recorder *run_lab(const char *name, struct vg_detect_scan_stats *st)
{
	struct recorder *r = new_rec();
	struct vg_event_sink sink = { recorder_emit, r };
	struct ctx c = { NULL, r, NULL };
	assert_int_equal(vg_detect_scan_new(NULL, &sink, &c.d), 0);
	char path[512];
	int64_t last = 0;
	long n = replay_pcap(lab_pcap(path, sizeof(path), name), feed, tick, &c, NULL, &last);
	assert_true(n > 0);
	vg_detect_scan_finish(c.d, last);
	if (st)
		vg_detect_scan_get_stats(c.d, st);
	vg_detect_scan_free(c.d);
	assert_int_equal(r->dropped, 0);
	return r;
}

static void assert_addr(const struct vg_addr *a, const char *text)
{
	char buf[VG_ADDR_STRLEN];
	assert_string_equal(vg_addr_format(a, buf), text);
}

/* One alert and one episode record with the same id; returns the episode record. */
static const struct rec_event *one_episode(const struct recorder *r, const char *technique,
					   const char *src, const char *dst)
{
	assert_int_equal(recorder_count(r, VG_EVT_ALERT, VG_DET_SCAN), 1);
	assert_int_equal(recorder_count(r, VG_EVT_EPISODE, VG_DET_SCAN), 1);
	const struct rec_event *a = recorder_get(r, VG_EVT_ALERT, VG_DET_SCAN, 0);
	const struct rec_event *e = recorder_get(r, VG_EVT_EPISODE, VG_DET_SCAN, 0);
	assert_string_equal(a->technique, technique);
	assert_string_equal(e->technique, technique);
	assert_addr(&a->src, src);
	if (dst)
		assert_addr(&a->dst, dst);
	assert_true(a->episode_id != 0);
	assert_true(a->episode_id == e->episode_id);
	assert_true(a->ts_us <= e->ts_us);
	assert_int_equal(a->sid, e->sid);
	assert_true(a->sid >= 9100001 && a->sid <= 9100017);
	assert_true(e->first_us <= e->last_us);
	assert_true(e->probes >= e->ports);
	assert_true(strstr(a->signature, "VIGIL SCAN") == a->signature);
	return e;
}

static void test_lab_syn(void **state)
{
	(void)state;
	struct recorder *r = run_lab("scan-syn.pcap", NULL);
	const struct rec_event *e = one_episode(r, "SYN", "10.99.0.1", "10.99.0.2");
	assert_int_equal(e->ports, 1024);
	assert_int_equal(e->hosts, 1);
	assert_false(e->horizontal);
	assert_int_equal(e->sid, 9100001);
	assert_string_equal(e->signature, "VIGIL SCAN TCP SYN port scan");
	free(r);
}

static void test_lab_connect(void **state)
{
	(void)state;
	struct recorder *r = run_lab("scan-connect.pcap", NULL);
	const struct rec_event *e = one_episode(r, "CONNECT", "10.99.0.1", "10.99.0.2");
	assert_true(e->ports >= 190 && e->ports <= 200);
	assert_false(e->horizontal);
	free(r);
}

static void stealth(const char *file, const char *tech)
{
	struct recorder *r = run_lab(file, NULL);
	const struct rec_event *e = one_episode(r, tech, "10.99.0.1", "10.99.0.2");
	assert_true(e->ports >= 290 && e->ports <= 300);
	free(r);
}

static void test_lab_fin(void **state)
{
	(void)state;
	stealth("scan-fin.pcap", "FIN");
}

static void test_lab_null(void **state)
{
	(void)state;
	stealth("scan-null.pcap", "NULL");
}

static void test_lab_xmas(void **state)
{
	(void)state;
	stealth("scan-xmas.pcap", "XMAS");
}

static void test_lab_udp(void **state)
{
	(void)state;
	struct recorder *r = run_lab("scan-udp.pcap", NULL);
	const struct rec_event *e = one_episode(r, "UDP", "10.99.0.1", "10.99.0.2");
	assert_true(e->ports >= 50 && e->ports <= 60);
	assert_int_equal(e->proto, 17);
	free(r);
}

static void test_lab_ipv6(void **state)
{
	(void)state;
	struct recorder *r = run_lab("scan-ipv6.pcap", NULL);
	const struct rec_event *e = one_episode(r, "SYN", "fd00:99::1", "fd00:99::2");
	assert_true(e->ports >= 490 && e->ports <= 500);
	free(r);
}

static void test_lab_sweep(void **state)
{
	(void)state;
	struct recorder *r = run_lab("sweep-horizontal.pcap", NULL);
	const struct rec_event *e = one_episode(r, "SYN", "10.99.0.1", NULL);
	const struct rec_event *a = recorder_get(r, VG_EVT_ALERT, VG_DET_SCAN, 0);
	assert_true(a->horizontal);
	assert_true(e->horizontal);
	assert_int_equal(e->hosts, 4);
	assert_int_equal(e->ports, 5);
	assert_int_equal(e->n_targets, 4);
	assert_int_equal(e->sid, 9100011);
	free(r);
}

static void test_lab_vxlan(void **state)
{
	(void)state;
	struct recorder *r = run_lab("tenants-vxlan.pcap", NULL);
	const struct rec_event *e = one_episode(r, "SYN", "192.168.10.1", "192.168.10.2");
	assert_true(e->has_vni);
	assert_int_equal(e->vni, 1001);
	assert_true(e->ports >= 290 && e->ports <= 300);
	free(r);
}

/* Captures that hold no scan at all: any scan event is a false positive. */
static void test_lab_no_scan(void **state)
{
	(void)state;
	static const char *const files[] = {
		"benign.pcap", "ssh-bruteforce.pcap", "http-attacks.pcap",
		"flood-syn.pcap", "flood-udp.pcap", "flood-icmp.pcap",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct vg_detect_scan_stats st;
		struct recorder *r = run_lab(files[i], &st);
		if (r->n)
			fprintf(stderr, "%s: %u events, first %s\n", files[i], r->n, r->ev[0].signature);
		assert_int_equal(r->n, 0);
		assert_int_equal(st.alerts, 0);
		free(r);
	}
}

/* ---- built packets ---------------------------------------------------------------- */

static struct ctx new_ctx(const struct vg_detect_scan_config *cfg)
{
	struct ctx c = { NULL, new_rec(), NULL };
	static struct vg_event_sink sink;
	sink.emit = recorder_emit;
	sink.ctx = c.rec;
	assert_int_equal(vg_detect_scan_new(cfg, &sink, &c.d), 0);
	return c;
}

static void free_ctx(struct ctx *c)
{
	vg_detect_scan_free(c->d);
	free(c->rec);
}

/* SYN to port, answered by RST+ACK (closed) from the target. */
static void syn_refused(struct ctx *c, int64_t ts, const char *s, const char *t, uint16_t sp,
			uint16_t port)
{
	struct vg_packet p;
	build_tcp(&p, ts, s, t, sp, port, VG_TH_SYN, 0);
	feed(c, &p);
	build_tcp(&p, ts + 200, t, s, port, sp, VG_TH_RST | VG_TH_ACK, 0);
	feed(c, &p);
}

/* A full connection with a request and an answer, closed by FIN. */
static void connection(struct ctx *c, int64_t ts, const char *s, const char *t, uint16_t sp,
		       uint16_t port)
{
	struct vg_packet p;
	build_tcp(&p, ts, s, t, sp, port, VG_TH_SYN, 0);
	p.tcp_sackok = true;
	feed(c, &p);
	build_tcp(&p, ts + 100, t, s, port, sp, VG_TH_SYN | VG_TH_ACK, 0);
	feed(c, &p);
	build_tcp(&p, ts + 200, s, t, sp, port, VG_TH_ACK, 0);
	feed(c, &p);
	build_tcp(&p, ts + 300, s, t, sp, port, VG_TH_ACK | VG_TH_PSH, 300);
	feed(c, &p);
	build_tcp(&p, ts + 900, t, s, port, sp, VG_TH_ACK | VG_TH_PSH, 1400);
	feed(c, &p);
	build_tcp(&p, ts + 1000, s, t, sp, port, VG_TH_ACK | VG_TH_FIN, 0);
	feed(c, &p);
	build_tcp(&p, ts + 1100, t, s, port, sp, VG_TH_ACK | VG_TH_FIN, 0);
	feed(c, &p);
}

#define T0 (1700000000ll * 1000000)

static void test_slow_scan(void **state)
{
	(void)state;
	/* nmap -T1: one probe every 15 s, 40 ports: 10 minutes. The 60 s window sees 4 ports
	 * at a time; the slow window must catch it, exactly once. */
	struct ctx c = new_ctx(NULL);
	int64_t t0 = 1700000000ll * 1000000, alert_at = 0;
	for (int i = 0; i < 40; i++) {
		syn_refused(&c, t0 + i * 15000000ll, "203.0.113.9", "10.0.0.5", 40000, (uint16_t)(1000 + i));
		vg_detect_scan_tick(c.d, t0 + i * 15000000ll);
		if (!alert_at && recorder_count(c.rec, VG_EVT_ALERT, VG_DET_SCAN))
			alert_at = i + 1;
	}
	assert_int_equal(alert_at, 25); /* slow_ports_threshold */
	vg_detect_scan_finish(c.d, t0 + 40 * 15000000ll);
	const struct rec_event *e = one_episode(c.rec, "SYN", "203.0.113.9", "10.0.0.5");
	assert_int_equal(e->ports, 40);
	assert_true(e->last_us - e->first_us == 39 * 15000000ll);
	free_ctx(&c);

	/* The same 40 ports at one every 3 minutes (2 hours) stay under 25 per hour. */
	c = new_ctx(NULL);
	for (int i = 0; i < 40; i++)
		syn_refused(&c, t0 + i * 180000000ll, "203.0.113.9", "10.0.0.5", 40000, (uint16_t)(1000 + i));
	vg_detect_scan_finish(c.d, t0 + 40 * 180000000ll);
	assert_int_equal(c.rec->n, 0);
	free_ctx(&c);
}

static void test_ipv6_udp_scan(void **state)
{
	(void)state;
	struct ctx c = new_ctx(NULL);
	int64_t t0 = 1700000000ll * 1000000;
	uint8_t buf[128];
	struct vg_packet p;
	for (int i = 0; i < 30; i++) {
		int64_t ts = t0 + i * 20000;
		build_udp(&p, ts, "2001:db8::66", "2001:db8::1", 53000, (uint16_t)(100 + i), 0);
		feed(&c, &p);
		if (i % 2 == 0) { /* the kernel rate-limits its unreachables */
			build_icmp_port_unreach(&p, buf, ts + 50, "2001:db8::66", "2001:db8::1", 53000,
						(uint16_t)(100 + i));
			feed(&c, &p);
		}
	}
	vg_detect_scan_finish(c.d, t0 + 1000000);
	const struct rec_event *e = one_episode(c.rec, "UDP", "2001:db8::66", "2001:db8::1");
	assert_int_equal(e->ports, 30);
	assert_int_equal(e->sid, 9100007);
	free_ctx(&c);
}

/* A client using four web servers, a NAT gateway with many connections to one port, an
 * answered DNS client and a DNS server's replies to random client ports: no scan. */
static void test_clients_are_not_scanners(void **state)
{
	(void)state;
	struct ctx c = new_ctx(NULL);
	int64_t t0 = 1700000000ll * 1000000;
	static const char *const web[] = { "198.51.100.1", "198.51.100.2", "198.51.100.3",
					   "198.51.100.4", "198.51.100.5", "198.51.100.6" };
	for (int k = 0; k < 50; k++)
		for (int i = 0; i < 6; i++) {
			connection(&c, t0 + k * 100000 + i * 5000, "10.0.0.7", web[i],
				   (uint16_t)(30000 + k * 6 + i), (uint16_t)(i % 2 ? 443 : 80));
		}
	/* parallel opens to 6 servers before any answer, then answered */
	struct vg_packet p;
	for (int i = 0; i < 6; i++) {
		build_tcp(&p, t0 + 9000000 + i, "10.0.0.8", web[i], (uint16_t)(40000 + i), 443, VG_TH_SYN, 0);
		feed(&c, &p);
	}
	for (int i = 0; i < 6; i++) {
		build_tcp(&p, t0 + 9000100 + i, web[i], "10.0.0.8", 443, (uint16_t)(40000 + i),
			  VG_TH_SYN | VG_TH_ACK, 0);
		feed(&c, &p);
	}
	/* 2000 connections to one port of one host, some refused (server restarting) */
	for (int k = 0; k < 2000; k++) {
		if (k % 10 == 0)
			syn_refused(&c, t0 + 10000000 + k * 1000, "10.0.0.9", "10.0.0.5", (uint16_t)(10000 + k), 22);
		else
			connection(&c, t0 + 10000000 + k * 1000, "10.0.0.9", "10.0.0.5", (uint16_t)(10000 + k), 22);
	}
	/* DNS: queries answered; the server's replies go to 500 distinct client ports */
	for (int k = 0; k < 500; k++) {
		build_udp(&p, t0 + 20000000 + k * 1000, "10.0.0.10", "10.0.0.53", (uint16_t)(20000 + k * 7), 53, 40);
		feed(&c, &p);
		build_udp(&p, t0 + 20000000 + k * 1000 + 300, "10.0.0.53", "10.0.0.10", 53, (uint16_t)(20000 + k * 7), 120);
		feed(&c, &p);
	}
	vg_detect_scan_finish(c.d, t0 + 30000000);
	assert_int_equal(c.rec->n, 0);
	free_ctx(&c);
}

/* An episode ends after the idle timeout; a later scan is a second episode. */
static void test_two_episodes(void **state)
{
	(void)state;
	struct ctx c = new_ctx(NULL);
	int64_t t0 = 1700000000ll * 1000000;
	for (int i = 0; i < 20; i++)
		syn_refused(&c, t0 + i * 1000, "192.0.2.1", "10.0.0.5", 40000, (uint16_t)(1 + i));
	assert_int_equal(recorder_count(c.rec, VG_EVT_ALERT, VG_DET_SCAN), 1);
	vg_detect_scan_tick(c.d, t0 + 299 * 1000000ll);
	assert_int_equal(recorder_count(c.rec, VG_EVT_EPISODE, VG_DET_SCAN), 0);
	vg_detect_scan_tick(c.d, t0 + 301 * 1000000ll);
	assert_int_equal(recorder_count(c.rec, VG_EVT_EPISODE, VG_DET_SCAN), 1);
	const struct rec_event *e = recorder_get(c.rec, VG_EVT_EPISODE, VG_DET_SCAN, 0);
	assert_int_equal(e->ports, 20);
	int64_t t1 = t0 + 400 * 1000000ll;
	for (int i = 0; i < 20; i++)
		syn_refused(&c, t1 + i * 1000, "192.0.2.1", "10.0.0.5", 40000, (uint16_t)(100 + i));
	vg_detect_scan_finish(c.d, t1 + 1000000);
	assert_int_equal(recorder_count(c.rec, VG_EVT_ALERT, VG_DET_SCAN), 2);
	assert_int_equal(recorder_count(c.rec, VG_EVT_EPISODE, VG_DET_SCAN), 2);
	assert_true(recorder_get(c.rec, VG_EVT_ALERT, VG_DET_SCAN, 0)->episode_id !=
		    recorder_get(c.rec, VG_EVT_ALERT, VG_DET_SCAN, 1)->episode_id);
	free_ctx(&c);
}

/* 100000 one-probe "scanners" against a cap of 1000 trackers: they take no tracker at all
 * (admission: a tracker from the second probe), their first probes overwrite each other in
 * the 512-slot admission table (counted), and a real scanner in the middle of it is still
 * reported. */
static void test_eviction(void **state)
{
	(void)state;
	struct vg_detect_scan_config cfg;
	vg_detect_scan_config_default(&cfg);
	cfg.max_trackers = 1000;
	struct ctx c = new_ctx(&cfg);
	int64_t t0 = 1700000000ll * 1000000;
	struct vg_packet p;
	char src[32];
	for (int i = 0; i < 100000; i++) {
		snprintf(src, sizeof(src), "100.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		build_tcp(&p, t0 + i * 10, src, "10.0.0.5", 1234, 80, VG_TH_SYN, 0);
		feed(&c, &p);
		if (i >= 50000 && i < 50020)
			syn_refused(&c, t0 + i * 10 + 1, "192.0.2.77", "10.0.0.5", 999, (uint16_t)(i - 49000));
	}
	struct vg_detect_scan_stats st;
	vg_detect_scan_get_stats(c.d, &st);
	assert_true(st.trackers_in_use <= 1000);
	/* only the scanner and sources whose "seen" bit collided (~0.1 % here) get one */
	assert_true(st.trackers_created < 1000);
	assert_int_equal(st.trackers_created, st.first_promoted + st.admitted_seen);
	assert_true(st.first_probes >= 99000);
	assert_true(st.first_overwritten >= 99000 - 512);
	assert_int_equal(st.alerts, 1);
	vg_detect_scan_finish(c.d, t0 + 2000000);
	one_episode(c.rec, "SYN", "192.0.2.77", "10.0.0.5");
	free_ctx(&c);
}

/* 20 ports in 10 s across a window epoch boundary: 10 on each side, yet one scan. */
static void test_burst_across_epochs(void **state)
{
	(void)state;
	struct ctx c = new_ctx(NULL);
	int64_t boundary = (T0 / 60000000 + 1) * 60000000;
	for (int i = 0; i < 20; i++)
		syn_refused(&c, boundary - 5000000 + i * 500000, "192.0.2.8", "10.0.0.5", 40000,
			    (uint16_t)(2000 + i));
	assert_int_equal(recorder_count(c.rec, VG_EVT_ALERT, VG_DET_SCAN), 1);
	vg_detect_scan_finish(c.d, boundary + 6000000);
	one_episode(c.rec, "SYN", "192.0.2.8", "10.0.0.5");
	free_ctx(&c);
}

/* UDP sweep of one port: refusals (ICMP port unreachable) over 6 hosts make a sweep;
 * the same datagrams unanswered (6 hosts, below sweep_unanswered_hosts) do not. */
static void test_udp_sweep_needs_refusals(void **state)
{
	(void)state;
	uint8_t buf[128];
	char host[32];
	struct vg_packet p;
	for (int answered = 1; answered >= 0; answered--) {
		struct ctx c = new_ctx(NULL);
		for (int i = 0; i < 6; i++) {
			snprintf(host, sizeof(host), "10.1.0.%d", 10 + i);
			build_udp(&p, T0 + i * 1000, "192.0.2.50", host, 40000, 161, 40);
			feed(&c, &p);
			if (answered) {
				build_icmp_port_unreach(&p, buf, T0 + i * 1000 + 100, "192.0.2.50", host,
							40000, 161);
				feed(&c, &p);
			}
		}
		vg_detect_scan_finish(c.d, T0 + 1000000);
		if (answered) {
			const struct rec_event *e = one_episode(c.rec, "UDP", "192.0.2.50", "10.1.0.10");
			assert_true(e->horizontal);
			assert_int_equal(e->hosts, 6);
			assert_int_equal(e->ports, 1);
			assert_int_equal(e->dport, 161);
			assert_int_equal(e->sid, 9100017);
		} else {
			assert_int_equal(c.rec->n, 0);
		}
		free_ctx(&c);
	}
}

/* traceroute: 30 hops x 3 UDP probes to the target's address on ports 33434 upwards;
 * routers answer "time exceeded", the target's port unreachable ends it. 90 ports on one
 * host, but only the last probes reached it: no scan. The same probes with no router
 * answers at all (filtered) are one. IPv4 and IPv6. */
static void test_traceroute_is_not_a_scan(void **state)
{
	(void)state;
	static const char *const fam[2][2] = {
		{ "192.0.2.20", "198.51.100.200" },
		{ "2001:db8::20", "2001:db8:1::200" },
	};
	for (int v = 0; v < 2; v++)
		for (int routers = 1; routers >= 0; routers--) {
			struct ctx c = new_ctx(NULL);
			uint8_t buf[128];
			char router[64];
			struct vg_packet p;
			for (int hop = 1; hop <= 30; hop++)
				for (int k = 0; k < 3; k++) {
					uint16_t port = (uint16_t)(33434 + (hop - 1) * 3 + k);
					int64_t ts = T0 + hop * 300000 + k * 1000;
					build_udp(&p, ts, fam[v][0], fam[v][1], 40000, port, 32);
					feed(&c, &p);
					if (!routers)
						continue;
					if (v == 0)
						snprintf(router, sizeof(router), "203.0.113.%d", hop);
					else
						snprintf(router, sizeof(router), "2001:db8:2::%x", hop);
					if (hop < 28)
						build_icmp_error(&p, buf, ts + 500, router, fam[v][0], fam[v][1],
								 40000, port, true);
					else
						build_icmp_port_unreach(&p, buf, ts + 500, fam[v][0], fam[v][1],
									40000, port);
					feed(&c, &p);
				}
			vg_detect_scan_finish(c.d, T0 + 20000000);
			if (routers)
				assert_int_equal(c.rec->n, 0);
			else
				one_episode(c.rec, "UDP", fam[v][0], fam[v][1]);
			free_ctx(&c);
		}
}

/* ACK scan: bare ACKs answered by bare RSTs on 20 ports. Established traffic (ACKs with
 * and without data, answered by ACKs) is no probe at all. */
static void test_ack_scan(void **state)
{
	(void)state;
	struct ctx c = new_ctx(NULL);
	struct vg_packet p;
	for (int k = 0; k < 200; k++) {
		build_tcp(&p, T0 + k * 100, "10.0.0.7", "10.0.0.5", 50000, 443, VG_TH_ACK, k % 2 ? 100 : 0);
		feed(&c, &p);
		build_tcp(&p, T0 + k * 100 + 50, "10.0.0.5", "10.0.0.7", 443, 50000, VG_TH_ACK, 1000);
		feed(&c, &p);
	}
	assert_int_equal(c.rec->n, 0);
	for (int i = 0; i < 20; i++) {
		build_tcp(&p, T0 + 100000 + i * 1000, "192.0.2.66", "10.0.0.5", 61000, (uint16_t)(1 + i),
			  VG_TH_ACK, 0);
		feed(&c, &p);
		build_tcp(&p, T0 + 100000 + i * 1000 + 100, "10.0.0.5", "192.0.2.66", (uint16_t)(1 + i),
			  61000, VG_TH_RST, 0);
		feed(&c, &p);
	}
	vg_detect_scan_finish(c.d, T0 + 2000000);
	const struct rec_event *e = one_episode(c.rec, "ACK", "192.0.2.66", "10.0.0.5");
	assert_int_equal(e->ports, 20);
	assert_int_equal(e->sid, 9100006);
	free_ctx(&c);
}

/* connect() scan told apart by behaviour alone (SYNs without options, all ports open):
 * handshake completed, then reset without a byte. The same with raw half-open closes is
 * a SYN scan. */
static void test_connect_vs_syn_by_behaviour(void **state)
{
	(void)state;
	for (int connect = 0; connect < 2; connect++) {
		struct ctx c = new_ctx(NULL);
		struct vg_packet p;
		for (int i = 0; i < 20; i++) {
			int64_t ts = T0 + i * 1000;
			uint16_t sp = (uint16_t)(40000 + i), port = (uint16_t)(8000 + i);
			build_tcp(&p, ts, "192.0.2.5", "10.0.0.5", sp, port, VG_TH_SYN, 0);
			feed(&c, &p);
			build_tcp(&p, ts + 10, "10.0.0.5", "192.0.2.5", port, sp, VG_TH_SYN | VG_TH_ACK, 0);
			feed(&c, &p);
			if (connect) {
				build_tcp(&p, ts + 20, "192.0.2.5", "10.0.0.5", sp, port, VG_TH_ACK, 0);
				feed(&c, &p);
				build_tcp(&p, ts + 30, "192.0.2.5", "10.0.0.5", sp, port, VG_TH_RST | VG_TH_ACK, 0);
			} else {
				build_tcp(&p, ts + 20, "192.0.2.5", "10.0.0.5", sp, port, VG_TH_RST, 0);
			}
			feed(&c, &p);
		}
		vg_detect_scan_finish(c.d, T0 + 1000000);
		const struct rec_event *e = one_episode(c.rec, connect ? "CONNECT" : "SYN", "192.0.2.5",
							"10.0.0.5");
		assert_int_equal(e->ports, 20);
		free_ctx(&c);
	}
}

/* Tenant and VNI: the same scanner address on two VNIs is two scanners. */
static void test_vni_scope(void **state)
{
	(void)state;
	struct ctx c = new_ctx(NULL);
	struct vg_packet p;
	for (int i = 0; i < 20; i++) {
		build_tcp(&p, T0 + i * 1000, "192.168.1.1", "192.168.1.2", 40000, (uint16_t)(1 + i), VG_TH_SYN, 0);
		p.has_vni = true;
		p.vni = (i % 2) ? 7 : 8; /* 10 ports on each VNI: neither is a scan */
		c.tenant = (i % 2) ? "tenant-7" : "tenant-8";
		feed(&c, &p);
	}
	assert_int_equal(c.rec->n, 0);
	for (int i = 0; i < 10; i++) {
		build_tcp(&p, T0 + 100000 + i * 1000, "192.168.1.1", "192.168.1.2", 40000,
			  (uint16_t)(100 + i), VG_TH_SYN, 0);
		p.has_vni = true;
		p.vni = 7;
		c.tenant = "tenant-7";
		feed(&c, &p);
	}
	vg_detect_scan_finish(c.d, T0 + 1000000);
	const struct rec_event *e = one_episode(c.rec, "SYN", "192.168.1.1", "192.168.1.2");
	assert_true(e->has_vni);
	assert_int_equal(e->vni, 7);
	assert_string_equal(e->tenant, "tenant-7");
	assert_int_equal(e->ports, 20);
	free_ctx(&c);
}

/* A full port range against the smallest memcap: memory stays under it, the drops are
 * counted, and the scan is still reported once. */
static void test_memcap(void **state)
{
	(void)state;
	struct vg_detect_scan_config cfg;
	vg_detect_scan_config_default(&cfg);
	cfg.memcap = 1; /* clamped to 1 MiB */
	struct ctx c = new_ctx(&cfg);
	struct vg_packet p;
	for (unsigned port = 1; port < 65536; port++) {
		build_tcp(&p, T0 + port * 10, "192.0.2.99", "10.0.0.5", 50000, (uint16_t)port, VG_TH_SYN, 0);
		feed(&c, &p);
	}
	struct vg_detect_scan_stats st;
	vg_detect_scan_get_stats(c.d, &st);
	assert_true(st.mem_used <= (1u << 20));
	assert_true(st.set_full > 0);
	assert_int_equal(st.alerts, 1);
	vg_detect_scan_finish(c.d, T0 + 1000000);
	const struct rec_event *e = one_episode(c.rec, "SYN", "192.0.2.99", "10.0.0.5");
	/* 1 MiB holds the pair set at 16384 slots and the port set at 8192 (3/4 full) */
	assert_int_equal(e->ports, 6144);
	assert_int_equal(e->probes, 65535);
	free_ctx(&c);
}

/* Sets at the memcap, held by earlier scanners: the least recently active trackers are
 * evicted (counted) so that a new scanner is still recorded and reported (regression: its
 * pairs were dropped at the memcap and it went unreported; issue 3 benchmark). */
static void test_memcap_evicts_idle(void **state)
{
	(void)state;
	struct vg_detect_scan_config cfg;
	vg_detect_scan_config_default(&cfg);
	cfg.memcap = 1; /* clamped to 1 MiB */
	struct ctx c = new_ctx(&cfg);
	struct vg_packet p;
	char src[32];
	int64_t ts = T0;
	/* 64 scanners of 300 ports each: about 40 KiB of sets apiece, past 1 MiB together */
	for (unsigned s = 1; s <= 64; s++) {
		snprintf(src, sizeof(src), "192.0.2.%u", s);
		for (unsigned port = 1; port <= 300; port++) {
			build_tcp(&p, ts += 100, src, "10.0.0.5", 40000, (uint16_t)port, VG_TH_SYN, 0);
			feed(&c, &p);
		}
	}
	struct vg_detect_scan_stats st;
	vg_detect_scan_get_stats(c.d, &st);
	assert_true(st.evictions > 0);
	uint64_t ev_before = st.evictions;
	/* a new scanner, 20 ports, within the window */
	for (unsigned port = 1000; port < 1020; port++) {
		build_tcp(&p, ts += 100, "198.51.100.7", "10.0.0.9", 40000, (uint16_t)port, VG_TH_SYN, 0);
		feed(&c, &p);
	}
	vg_detect_scan_get_stats(c.d, &st);
	assert_true(st.mem_used <= (1u << 20));
	assert_int_equal(st.set_full, 0);
	assert_true(st.evictions >= ev_before);
	assert_int_equal(st.alerts, 65);
	vg_detect_scan_finish(c.d, ts + 1000000);
	unsigned found = 0;
	for (unsigned i = 0; i < recorder_count(c.rec, VG_EVT_ALERT, VG_DET_SCAN); i++) {
		const struct rec_event *a = recorder_get(c.rec, VG_EVT_ALERT, VG_DET_SCAN, i);
		char buf[VG_ADDR_STRLEN];
		if (strcmp(vg_addr_format(&a->src, buf), "198.51.100.7") == 0) {
			found++;
			assert_addr(&a->dst, "10.0.0.9");
			assert_string_equal(a->technique, "SYN");
		}
	}
	assert_int_equal(found, 1);
	free_ctx(&c);
}

static void test_api_edges(void **state)
{
	(void)state;
	vg_detect_scan_free(NULL);
	vg_detect_scan_tick(NULL, 0);
	vg_detect_scan_finish(NULL, 0);
	assert_int_equal(vg_detect_scan_packet(NULL, NULL, NULL), VG_EINVAL);
	struct vg_detect_scan_config cfg;
	vg_detect_scan_config_default(&cfg);
	assert_int_equal(cfg.ports_threshold, 15);
	cfg.max_trackers = 0; /* clamped, not an error */
	struct ctx c = new_ctx(&cfg);
	struct vg_packet p;
	memset(&p, 0, sizeof(p));
	p.flags = VG_PKT_INVALID;
	assert_int_equal(vg_detect_scan_packet(c.d, &p, NULL), 0);
	free_ctx(&c);
}

/* ---- admission: a source gets its tracker at its second probe ---------------------- */

/* A one-probe source (SYN refused, retransmitted) takes no tracker; its second probe
 * creates one with both probes counted (and the retransmission), from the first one's
 * time; a SYN-ACK answered by the scanner's RST to the remembered first probe makes it a
 * half-open probe, so 15 ports alert at the 15th. */
static void test_admit_second_probe(void **state)
{
	(void)state;
	struct ctx c = new_ctx(NULL);
	struct vg_packet p;
	struct vg_detect_scan_stats st;
	/* port 1: SYN, SYN-ACK, scanner RST (half-open), SYN retransmitted */
	build_tcp(&p, T0, "198.51.100.7", "10.0.0.9", 41000, 1, VG_TH_SYN, 0);
	feed(&c, &p);
	build_tcp(&p, T0 + 100, "10.0.0.9", "198.51.100.7", 1, 41000, VG_TH_SYN | VG_TH_ACK, 0);
	feed(&c, &p);
	build_tcp(&p, T0 + 200, "198.51.100.7", "10.0.0.9", 41000, 1, VG_TH_RST, 0);
	feed(&c, &p);
	build_tcp(&p, T0 + 300, "198.51.100.7", "10.0.0.9", 41000, 1, VG_TH_SYN, 0);
	feed(&c, &p);
	vg_detect_scan_get_stats(c.d, &st);
	assert_int_equal(st.trackers_created, 0);
	assert_int_equal(st.trackers_in_use, 0);
	assert_int_equal(st.first_probes, 1);
	assert_int_equal(st.probes, 2);
	assert_int_equal(st.mem_used, 0);
	/* second pair: the tracker, with the first probe replayed */
	syn_refused(&c, T0 + 1000000, "198.51.100.7", "10.0.0.9", 41000, 2);
	vg_detect_scan_get_stats(c.d, &st);
	assert_int_equal(st.trackers_created, 1);
	assert_int_equal(st.first_promoted, 1);
	assert_int_equal(st.admitted_seen, 0);
	assert_int_equal(st.trackers_in_use, 1);
	for (uint16_t port = 3; port <= 14; port++)
		syn_refused(&c, T0 + port * 1000000ll, "198.51.100.7", "10.0.0.9", 41000, port);
	assert_int_equal(c.rec->n, 0); /* 14 probed ports */
	syn_refused(&c, T0 + 15000000ll, "198.51.100.7", "10.0.0.9", 41000, 15);
	assert_int_equal(recorder_count(c.rec, VG_EVT_ALERT, VG_DET_SCAN), 1);
	vg_detect_scan_finish(c.d, T0 + 20000000ll);
	const struct rec_event *e = one_episode(c.rec, "SYN", "198.51.100.7", "10.0.0.9");
	assert_int_equal(e->ports, 15);
	assert_int_equal(e->probes, 16);
	assert_true(e->first_us == T0);
	assert_true(e->last_us == T0 + 15000000ll);
	free_ctx(&c);
}

/* UDP: a remembered first probe that is answered (a DNS reply) is not a probed port: 15
 * ports sent, the first answered, make 14 and no alert; the 16th port alerts with 15. */
static void test_admit_udp_answer(void **state)
{
	(void)state;
	struct ctx c = new_ctx(NULL);
	struct vg_packet p;
	build_udp(&p, T0, "198.51.100.8", "10.0.0.9", 45000, 53, 30);
	feed(&c, &p);
	build_udp(&p, T0 + 500, "10.0.0.9", "198.51.100.8", 53, 45000, 60);
	feed(&c, &p);
	for (uint16_t port = 2; port <= 15; port++) {
		build_udp(&p, T0 + port * 100000ll, "198.51.100.8", "10.0.0.9", 45000, (uint16_t)(1000 + port), 0);
		feed(&c, &p);
	}
	assert_int_equal(c.rec->n, 0);
	build_udp(&p, T0 + 2000000ll, "198.51.100.8", "10.0.0.9", 45000, 2000, 0);
	feed(&c, &p);
	vg_detect_scan_finish(c.d, T0 + 3000000ll);
	const struct rec_event *e = one_episode(c.rec, "UDP", "198.51.100.8", "10.0.0.9");
	assert_int_equal(e->ports, 15);
	assert_int_equal(e->probes, 16);
	assert_true(e->first_us == T0);
	free_ctx(&c);
}

/* A slot taken by another source is counted, and the first source's first probe is lost:
 * the "seen" filter still gives it a tracker at its second probe (counted), which starts
 * there — 16 ports sent, 15 counted, from the second probe's time. */
static void test_admit_collision(void **state)
{
	(void)state;
	struct vg_detect_scan_config cfg;
	vg_detect_scan_config_default(&cfg);
	cfg.max_trackers = 128; /* 64 admission slots */
	struct ctx c = new_ctx(&cfg);
	struct vg_packet p;
	char src[32];
	syn_refused(&c, T0, "198.51.100.9", "10.0.0.9", 42000, 1);
	for (int i = 0; i < 5000; i++) {
		snprintf(src, sizeof(src), "100.64.%d.%d", (i >> 8) & 255, i & 255);
		build_tcp(&p, T0 + 1000 + i, src, "10.0.0.80", 1234, 80, VG_TH_SYN, 0);
		feed(&c, &p);
	}
	struct vg_detect_scan_stats st;
	vg_detect_scan_get_stats(c.d, &st);
	assert_true(st.first_overwritten >= 5001 - 64 - st.admitted_seen);
	assert_true(st.trackers_created == st.admitted_seen);
	assert_true(st.trackers_created < 50);
	uint64_t seen0 = st.admitted_seen;
	for (uint16_t port = 2; port <= 16; port++)
		syn_refused(&c, T0 + port * 1000000ll, "198.51.100.9", "10.0.0.9", 42000, port);
	vg_detect_scan_get_stats(c.d, &st);
	assert_int_equal(st.admitted_seen, seen0 + 1);
	vg_detect_scan_finish(c.d, T0 + 20000000ll);
	const struct rec_event *e = one_episode(c.rec, "SYN", "198.51.100.9", "10.0.0.9");
	assert_int_equal(e->ports, 15);
	assert_true(e->first_us == T0 + 2000000ll);
	free_ctx(&c);
}

/* Evasion: a slow scan (nmap -T1, one port every 15 s, 40 ports) with a SYN flood from
 * 100,000 spoofed sources (answered by SYN-ACKs) between its 20th and 21st probes. Before
 * admission every spoofed source took a tracker: 100k > max_trackers evicted the scanner's
 * (least recently active) tracker and each half of the scan (20 ports) stayed under the
 * slow threshold (25): no alert. Now the flood takes no tracker and the scan is reported
 * whole, nothing else. */
static void test_slow_scan_behind_spoofed_flood(void **state)
{
	(void)state;
	struct ctx c = new_ctx(NULL);
	struct vg_packet p;
	char src[32];
	for (int i = 0; i < 40; i++) {
		int64_t ts = T0 + i * 15000000ll;
		syn_refused(&c, ts, "203.0.113.44", "10.0.0.5", 40000, (uint16_t)(1000 + i));
		vg_detect_scan_tick(c.d, ts);
		if (i != 19)
			continue;
		for (int k = 0; k < 100000; k++) {
			snprintf(src, sizeof(src), "%d.%d.%d.%d", 11 + (k % 180), (k >> 4) & 255, (k * 7) & 255, k >> 12);
			int64_t tf = ts + 1000000 + k * 100;
			uint16_t sp = (uint16_t)(1024 + k % 60000);
			build_tcp(&p, tf, src, "10.0.0.80", sp, 80, VG_TH_SYN, 0);
			feed(&c, &p);
			build_tcp(&p, tf + 50, "10.0.0.80", src, 80, sp, VG_TH_SYN | VG_TH_ACK, 0);
			feed(&c, &p);
			if (k % 10000 == 0)
				vg_detect_scan_tick(c.d, tf);
		}
	}
	struct vg_detect_scan_stats st;
	vg_detect_scan_get_stats(c.d, &st);
	assert_int_equal(st.evictions, 0);
	assert_true(st.trackers_created < 5000); /* the scanner + "seen" filter collisions */
	assert_true(st.first_probes >= 95000);
	vg_detect_scan_finish(c.d, T0 + 40 * 15000000ll);
	const struct rec_event *e = one_episode(c.rec, "SYN", "203.0.113.44", "10.0.0.5");
	assert_int_equal(e->ports, 40);
	assert_true(e->first_us == T0);
	free_ctx(&c);
}

/* vg_detect_scan_flow_packet: segments of a connection whose client has sent data are
 * passed over (counted), without changing what is detected; a server's data (a banner)
 * does not settle a connection, so a banner-grabbing connect scan is still seen; a SYN on
 * a settled connection is still a probe. */
static void flow_feed(struct ctx *c, const struct vg_packet *p, bool from_client, uint8_t *bits)
{
	assert_int_equal(vg_detect_scan_flow_packet(c->d, p, c->tenant, from_client, bits), 0);
}

static void test_settled_connections(void **state)
{
	(void)state;
	struct ctx c = new_ctx(NULL);
	struct vg_packet p;
	struct vg_detect_scan_stats st;
	const char *cl = "192.0.2.7", *sv = "10.0.0.7";
	/* 20 ordinary connections with data both ways, closed by the client's RST */
	for (int i = 0; i < 20; i++) {
		uint8_t bits = 0;
		int64_t ts = T0 + i * 100000;
		uint16_t sp = (uint16_t)(41000 + i), port = (uint16_t)(8000 + i);
		build_tcp(&p, ts, cl, sv, sp, port, VG_TH_SYN, 0);
		flow_feed(&c, &p, true, &bits);
		build_tcp(&p, ts + 1, sv, cl, port, sp, VG_TH_SYN | VG_TH_ACK, 0);
		flow_feed(&c, &p, false, &bits);
		build_tcp(&p, ts + 2, cl, sv, sp, port, VG_TH_ACK, 0);
		flow_feed(&c, &p, true, &bits);
		assert_int_equal(bits, 0);
		build_tcp(&p, ts + 3, cl, sv, sp, port, VG_TH_ACK | VG_TH_PSH, 100);
		flow_feed(&c, &p, true, &bits);
		assert_int_not_equal(bits, 0);
		for (int k = 0; k < 5; k++) {
			build_tcp(&p, ts + 10 + k, sv, cl, port, sp, VG_TH_ACK | VG_TH_PSH, 500);
			flow_feed(&c, &p, false, &bits);
			build_tcp(&p, ts + 20 + k, cl, sv, sp, port, VG_TH_ACK, 0);
			flow_feed(&c, &p, true, &bits);
		}
		build_tcp(&p, ts + 30, cl, sv, sp, port, VG_TH_RST | VG_TH_ACK, 0);
		flow_feed(&c, &p, true, &bits);
	}
	vg_detect_scan_get_stats(c.d, &st);
	assert_int_equal(st.settled_skipped, 20 * 11);
	assert_int_equal(st.packets, 20 * 15);
	assert_int_equal(st.probes, 20);
	/* a SYN on a settled connection is examined: one more probe */
	uint8_t bits = 1;
	build_tcp(&p, T0 + 3000000, cl, sv, 41000, 8000, VG_TH_SYN, 0);
	flow_feed(&c, &p, true, &bits);
	vg_detect_scan_get_stats(c.d, &st);
	assert_int_equal(st.probes, 21);
	assert_int_equal(st.settled_skipped, 20 * 11);
	vg_detect_scan_finish(c.d, T0 + 4000000);
	assert_int_equal(recorder_count(c.rec, VG_EVT_ALERT, VG_DET_SCAN), 0);
	free_ctx(&c);

	/* banner grabbing: connect, the server speaks first, the client resets */
	c = new_ctx(NULL);
	for (int i = 0; i < 20; i++) {
		uint8_t b = 0;
		int64_t ts = T0 + i * 1000;
		uint16_t sp = (uint16_t)(42000 + i), port = (uint16_t)(9000 + i);
		build_tcp(&p, ts, "192.0.2.8", sv, sp, port, VG_TH_SYN, 0);
		flow_feed(&c, &p, true, &b);
		build_tcp(&p, ts + 1, sv, "192.0.2.8", port, sp, VG_TH_SYN | VG_TH_ACK, 0);
		flow_feed(&c, &p, false, &b);
		build_tcp(&p, ts + 2, "192.0.2.8", sv, sp, port, VG_TH_ACK, 0);
		flow_feed(&c, &p, true, &b);
		build_tcp(&p, ts + 3, sv, "192.0.2.8", port, sp, VG_TH_ACK | VG_TH_PSH, 40);
		flow_feed(&c, &p, false, &b);
		assert_int_equal(b, 0);
		build_tcp(&p, ts + 4, "192.0.2.8", sv, sp, port, VG_TH_RST | VG_TH_ACK, 0);
		flow_feed(&c, &p, true, &b);
	}
	vg_detect_scan_get_stats(c.d, &st);
	assert_int_equal(st.settled_skipped, 0);
	vg_detect_scan_finish(c.d, T0 + 1000000);
	const struct rec_event *e = one_episode(c.rec, "CONNECT", "192.0.2.8", "10.0.0.7");
	assert_int_equal(e->ports, 20);
	free_ctx(&c);
	assert_int_equal(vg_detect_scan_flow_packet(NULL, &p, NULL, true, &bits), VG_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_syn),
		cmocka_unit_test(test_lab_connect),
		cmocka_unit_test(test_lab_fin),
		cmocka_unit_test(test_lab_null),
		cmocka_unit_test(test_lab_xmas),
		cmocka_unit_test(test_lab_udp),
		cmocka_unit_test(test_lab_ipv6),
		cmocka_unit_test(test_lab_sweep),
		cmocka_unit_test(test_lab_vxlan),
		cmocka_unit_test(test_lab_no_scan),
		cmocka_unit_test(test_slow_scan),
		cmocka_unit_test(test_ipv6_udp_scan),
		cmocka_unit_test(test_clients_are_not_scanners),
		cmocka_unit_test(test_two_episodes),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_burst_across_epochs),
		cmocka_unit_test(test_udp_sweep_needs_refusals),
		cmocka_unit_test(test_traceroute_is_not_a_scan),
		cmocka_unit_test(test_ack_scan),
		cmocka_unit_test(test_connect_vs_syn_by_behaviour),
		cmocka_unit_test(test_vni_scope),
		cmocka_unit_test(test_memcap),
		cmocka_unit_test(test_memcap_evicts_idle),
		cmocka_unit_test(test_api_edges),
		cmocka_unit_test(test_admit_second_probe),
		cmocka_unit_test(test_admit_udp_answer),
		cmocka_unit_test(test_admit_collision),
		cmocka_unit_test(test_slow_scan_behind_spoofed_flood),
		cmocka_unit_test(test_settled_connections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
