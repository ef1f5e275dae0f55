/* Network behavioural analysis on built flows: a learnt baseline then a spike alerts (and
 * only for the metrics that rose), steady and noisy traffic does not, warm-up and minimum
 * counts hold, beacons with jitter alert while random or too fast arrivals do not, new
 * external talkers to a known internal service alert once (answered flows only, not for
 * new or public services), tenants reusing an address stay apart, and a flood of hosts,
 * pairs and talkers stays within the configured tables (evictions counted). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "core/core-error.h"
#include "detect/detect-nba.h"

#define S 1000000ll
#define T0 (1700000000ll * S / (60 * S) * (60 * S)) /* an interval boundary */

struct alert {
	uint32_t sid;
	char src[VG_ADDR_STRLEN], dst[VG_ADDR_STRLEN];
	uint16_t dport;
	char tenant[32];
	int64_t ts;
	char metric[32];
	double value, cv;
};

struct rec {
	struct alert a[256];
	unsigned n;
};

static int rec_emit(void *ctx, const struct vg_event *ev)
{
	struct rec *r = ctx;
	assert_int_equal(ev->type, VG_EVT_ALERT);
	assert_int_equal(ev->rule.detector, VG_DET_ANOMALY);
	assert_non_null(ev->rule.signature);
	assert_non_null(json_object_get(ev->extra, "nba"));
	if (r->n >= 256)
		return 0;
	struct alert *a = &r->a[r->n++];
	memset(a, 0, sizeof(*a));
	a->sid = ev->rule.sid;
	vg_addr_format(&ev->src, a->src);
	vg_addr_format(&ev->dst, a->dst);
	a->dport = ev->dport;
	snprintf(a->tenant, sizeof(a->tenant), "%s", ev->tenant ? ev->tenant : "");
	a->ts = ev->ts_us;
	json_t *nba = json_object_get(ev->extra, "nba");
	const char *m = json_string_value(json_object_get(nba, "metric"));
	snprintf(a->metric, sizeof(a->metric), "%s", m ? m : "");
	a->value = json_number_value(json_object_get(nba, "value"));
	a->cv = json_number_value(json_object_get(nba, "cv"));
	return 0;
}

static unsigned count_sid(const struct rec *r, uint32_t sid)
{
	unsigned c = 0;
	for (unsigned i = 0; i < r->n; i++)
		c += r->a[i].sid == sid;
	return c;
}

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}
static double urand(void) /* [0, 1) */
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static void mkflow(struct vg_nba_flow *f, const char *src, const char *dst, uint16_t sport,
		   uint16_t dport)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(vg_addr_parse(src, strlen(src), &f->src), 0);
	assert_int_equal(vg_addr_parse(dst, strlen(dst), &f->dst), 0);
	f->sport = sport;
	f->dport = dport;
	f->proto = 6;
}

/* One whole connection: start, then end 1 s later with bytes both ways. */
static void conn(struct vg_nba *n, const char *src, const char *dst, uint16_t dport, int64_t ts,
		 uint64_t bytes_out, uint64_t bytes_in, bool answered)
{
	struct vg_nba_flow f;
	mkflow(&f, src, dst, (uint16_t)(1024 + rnd() % 60000), dport);
	f.start_us = ts;
	f.end_us = ts + S;
	f.pkts_toserver = 3;
	f.pkts_toclient = answered ? 3 : 0;
	f.bytes_toserver = bytes_out;
	f.bytes_toclient = answered ? bytes_in : 0;
	assert_int_equal(vg_nba_flow_start(n, &f, ts), 0);
	assert_int_equal(vg_nba_flow_end(n, &f), 0);
}

static struct vg_nba *mk(const struct vg_nba_config *c, struct rec *r, struct vg_event_sink *sink)
{
	memset(r, 0, sizeof(*r));
	sink->emit = rec_emit;
	sink->ctx = r;
	struct vg_nba *n;
	assert_int_equal(vg_nba_new(c, sink, &n), 0);
	return n;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* A client host: about `conns` connections per minute to `peers` external web servers. */
static void client_interval(struct vg_nba *n, const char *host, int64_t iv_start, unsigned conns,
			    unsigned peers)
{
	int64_t at[1024];
	if (conns > 1024)
		conns = 1024;
	for (unsigned i = 0; i < conns; i++) /* random times, fed in order */
		at[i] = iv_start + (int64_t)(urand() * 59 * S);
	qsort(at, conns, sizeof(at[0]), cmp_i64);
	for (unsigned i = 0; i < conns; i++) {
		char dst[32];
		snprintf(dst, sizeof(dst), "203.0.113.%u", 1 + (unsigned)(rnd() % peers));
		int64_t ts = at[i];
		conn(n, host, dst, 443, ts, 2000 + rnd() % 1000, 40000 + rnd() % 20000, true);
	}
}

static void test_spike(void **state)
{
	(void)state;
	struct rec r;
	struct vg_event_sink sink;
	struct vg_nba_config c;
	vg_nba_config_default(&c);
	c.beacon_enabled = false;
	c.talker_enabled = false;
	struct vg_nba *n = mk(&c, &r, &sink);
	int64_t t = T0;
	for (int iv = 0; iv < 20; iv++, t += 60 * S) {
		client_interval(n, "10.0.0.5", t, 20 + (unsigned)(rnd() % 7), 8);
		client_interval(n, "10.0.0.6", t, 30 + (unsigned)(rnd() % 7), 8);
		vg_nba_tick(n, t + 60 * S);
	}
	assert_int_equal(r.n, 0);
	/* 10.0.0.5 suddenly opens 600 connections to 400 hosts on many ports (e.g. a worm) */
	for (unsigned i = 0; i < 600; i++) {
		char dst[32];
		snprintf(dst, sizeof(dst), "198.51.%u.%u", i % 400 / 200, 1 + i % 200);
		conn(n, "10.0.0.5", dst, (uint16_t)(1 + i % 100), t + i * 50000, 100, 0, false);
	}
	client_interval(n, "10.0.0.6", t, 33, 8);
	vg_nba_tick(n, t + 60 * S);
	assert_int_equal(count_sid(&r, VG_NBA_SID_BASE + VG_NBA_CONNS_OUT), 1);
	assert_int_equal(count_sid(&r, VG_NBA_SID_BASE + VG_NBA_PEERS_OUT), 1);
	assert_int_equal(count_sid(&r, VG_NBA_SID_BASE + VG_NBA_PORTS_OUT), 1);
	assert_int_equal(r.n, 3); /* not bytes (it sent little), nothing inbound, not 10.0.0.6 */
	for (unsigned i = 0; i < r.n; i++) {
		assert_string_equal(r.a[i].src, "10.0.0.5");
		assert_int_equal(r.a[i].ts, t + 60 * S);
	}
	for (unsigned i = 0; i < r.n; i++)
		if (r.a[i].sid == VG_NBA_SID_BASE + VG_NBA_CONNS_OUT)
			assert_true(r.a[i].value == 600);
		else if (r.a[i].sid == VG_NBA_SID_BASE + VG_NBA_PEERS_OUT) /* estimate of 400 */
			assert_true(r.a[i].value > 340 && r.a[i].value < 460);
	/* still high in the next interval: not alerted again (counted); back to normal, then
	 * a second spike alerts again */
	t += 60 * S;
	for (unsigned i = 0; i < 600; i++) {
		char dst[32];
		snprintf(dst, sizeof(dst), "198.51.%u.%u", i % 400 / 200, 1 + i % 200);
		conn(n, "10.0.0.5", dst, (uint16_t)(1 + i % 100), t + i * 50000, 100, 0, false);
	}
	vg_nba_tick(n, t + 60 * S);
	assert_int_equal(r.n, 3);
	struct vg_nba_stats st;
	vg_nba_get_stats(n, &st);
	assert_int_equal(st.suppressed_repeat, 3);
	t += 60 * S;
	client_interval(n, "10.0.0.5", t, 22, 8);
	vg_nba_tick(n, t + 60 * S);
	t += 60 * S;
	for (unsigned i = 0; i < 600; i++)
		conn(n, "10.0.0.5", "198.51.100.1", 443, t + i * 50000, 100, 0, false);
	vg_nba_tick(n, t + 60 * S);
	assert_int_equal(count_sid(&r, VG_NBA_SID_BASE + VG_NBA_CONNS_OUT), 2);
	assert_int_equal(r.n, 4); /* one peer, one port this time */
	vg_nba_free(n);
}

static void test_steady_and_noisy(void **state)
{
	(void)state;
	struct rec r;
	struct vg_event_sink sink;
	struct vg_nba_config c;
	vg_nba_config_default(&c);
	c.talker_enabled = false;
	struct vg_nba *n = mk(&c, &r, &sink);
	int64_t t = T0;
	/* 30 hosts for 3 hours: Poisson-like variation (±40%), daily-looking drift, a server
	 * receiving connections from many clients, bytes varying */
	for (int iv = 0; iv < 180; iv++, t += 60 * S) {
		for (unsigned h = 0; h < 30; h++) {
			char host[32];
			snprintf(host, sizeof(host), "10.1.0.%u", h + 1);
			unsigned base = 20 + h * 3 + (unsigned)(iv / 10);
			unsigned k = base * 6 / 10 + (unsigned)(rnd() % (base * 8 / 10 + 1));
			client_interval(n, host, t, k, 30);
		}
		for (unsigned i = 0; i < 80 + rnd() % 40; i++) {
			char cl[32];
			snprintf(cl, sizeof(cl), "10.1.%u.%u", 1 + (unsigned)(rnd() % 3), 1 + (unsigned)(rnd() % 200));
			conn(n, cl, "10.1.9.9", 5432, t + (int64_t)i * 400000, 500, 5000 + rnd() % 50000, true);
		}
		vg_nba_tick(n, t + 60 * S);
	}
	for (unsigned i = 0; i < r.n; i++)
		fprintf(stderr, "unexpected: sid %u %s %s %s value %.0f cv %.3f\n", r.a[i].sid, r.a[i].src, r.a[i].dst, r.a[i].metric,
			r.a[i].value, r.a[i].cv);
	assert_int_equal(r.n, 0);
	struct vg_nba_stats st;
	vg_nba_get_stats(n, &st);
	assert_true(st.intervals_closed > 180 * 30);
	assert_int_equal(st.hosts_evicted, 0);
	vg_nba_free(n);
}

static void test_warmup_and_minimum(void **state)
{
	(void)state;
	struct rec r;
	struct vg_event_sink sink;
	struct vg_nba_config c;
	vg_nba_config_default(&c);
	c.beacon_enabled = false;
	struct vg_nba *n = mk(&c, &r, &sink);
	int64_t t = T0;
	/* a spike during warm-up (interval 3) is learnt, not alerted */
	for (int iv = 0; iv < 5; iv++, t += 60 * S) {
		client_interval(n, "10.0.0.7", t, iv == 3 ? 500 : 10, 5);
		vg_nba_tick(n, t + 60 * S);
	}
	assert_int_equal(r.n, 0);
	/* a quiet host: 1 connection a minute, then 12: far above its σ but under the minimum */
	for (int iv = 0; iv < 20; iv++, t += 60 * S) {
		client_interval(n, "10.0.0.8", t, 1, 1);
		vg_nba_tick(n, t + 60 * S);
	}
	client_interval(n, "10.0.0.8", t, 12, 1);
	vg_nba_tick(n, t + 60 * S);
	assert_int_equal(r.n, 0);
	/* external-only flows are ignored entirely */
	conn(n, "198.51.100.1", "203.0.113.1", 80, t, 1, 1, true);
	struct vg_nba_stats st;
	vg_nba_get_stats(n, &st);
	assert_int_equal(st.flows_external, 1);
	assert_int_equal(st.hosts_in_use, 2);
	vg_nba_free(n);
}

/* Connections from host to peer:port at period_s with uniform jitter ±jitter (fraction). */
static void beacons(struct vg_nba *n, const char *host, const char *peer, uint16_t port,
		    int64_t t, int count, double period_s, double jitter)
{
	for (int i = 0; i < count; i++) {
		conn(n, host, peer, port, t, 300, 300, true);
		if (i == 3) /* a retried connection right after: the same beacon */
			conn(n, host, peer, port, t + 200000, 300, 300, true);
		double d = period_s * (1 + jitter * (2 * urand() - 1));
		t += (int64_t)(d * S);
		vg_nba_tick(n, t);
	}
}

static void test_beacons(void **state)
{
	(void)state;
	struct rec r;
	struct vg_event_sink sink;
	struct vg_nba_config c;
	vg_nba_config_default(&c);
	struct vg_nba *n = mk(&c, &r, &sink);
	/* every 5 minutes with ±10% jitter: alerted at the 8th connection, once */
	beacons(n, "10.0.0.20", "203.0.113.66", 443, T0, 20, 300, 0.10);
	assert_int_equal(count_sid(&r, VG_NBA_SID_BEACON), 1);
	const struct alert *a = &r.a[0];
	assert_int_equal(a->sid, VG_NBA_SID_BEACON);
	assert_string_equal(a->src, "10.0.0.20");
	assert_string_equal(a->dst, "203.0.113.66");
	assert_int_equal(a->dport, 443);
	assert_true(a->cv < 0.1);
	/* a faster beacon with ±30% jitter (CV about 0.17) */
	beacons(n, "10.0.0.21", "203.0.113.67", 8080, T0, 20, 60, 0.30);
	assert_int_equal(count_sid(&r, VG_NBA_SID_BEACON), 2);
	/* 7 connections are not enough */
	beacons(n, "10.0.0.22", "203.0.113.68", 443, T0, 7, 120, 0.05);
	assert_int_equal(count_sid(&r, VG_NBA_SID_BEACON), 2);
	/* random (exponential) arrivals to 30 pairs, 40 connections each: none */
	for (int p = 0; p < 30; p++) {
		char host[32], peer[32];
		snprintf(host, sizeof(host), "10.0.1.%d", p + 1);
		snprintf(peer, sizeof(peer), "198.51.100.%d", p + 1);
		int64_t t = T0;
		for (int i = 0; i < 40; i++) {
			conn(n, host, peer, 443, t, 300, 300, true);
			t += (int64_t)(-log(1 - urand()) * 300 * S) + 2 * S;
		}
	}
	assert_int_equal(count_sid(&r, VG_NBA_SID_BEACON), 2);
	/* regular but faster than min-period (every 2 s: a poll loop, not a beacon) */
	beacons(n, "10.0.0.23", "203.0.113.69", 443, T0, 30, 2, 0.01);
	/* regular but internal → internal (off by default) */
	beacons(n, "10.0.0.24", "10.0.0.25", 53, T0, 30, 60, 0.01);
	assert_int_equal(count_sid(&r, VG_NBA_SID_BEACON), 2);
	assert_int_equal(count_sid(&r, VG_NBA_SID_TALKER), 0);
	for (unsigned i = 0; i < r.n; i++)
		assert_int_equal(r.a[i].sid, VG_NBA_SID_BEACON);
	vg_nba_free(n);
}

static void test_new_talker(void **state)
{
	(void)state;
	struct rec r;
	struct vg_event_sink sink;
	struct vg_nba_config c;
	vg_nba_config_default(&c);
	c.beacon_enabled = false;
	c.talker_max_peers = 20;
	struct vg_nba *n = mk(&c, &r, &sink);
	int64_t t = T0;
	/* warm-up: SSH on 10.0.0.10 used from three admin networks */
	static const char *const admins[] = { "192.0.2.10", "192.0.2.77", "198.51.100.5", "203.0.113.9" };
	for (int iv = 0; iv < 12; iv++, t += 60 * S) {
		for (int a = 0; a < 4; a++)
			conn(n, admins[a], "10.0.0.10", 22, t + a * S, 3000, 3000, true);
		vg_nba_tick(n, t + 60 * S);
	}
	assert_int_equal(r.n, 0);
	/* a known network, another address in it: nothing */
	conn(n, "192.0.2.200", "10.0.0.10", 22, t, 3000, 3000, true);
	assert_int_equal(r.n, 0);
	/* an unanswered probe from a new network: nothing */
	conn(n, "45.33.7.7", "10.0.0.10", 22, t + S, 60, 0, false);
	assert_int_equal(r.n, 0);
	/* an answered connection from a new network: one alert, then never again for it */
	conn(n, "45.33.7.8", "10.0.0.10", 22, t + 2 * S, 3000, 3000, true);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.a[0].sid, VG_NBA_SID_TALKER);
	assert_string_equal(r.a[0].src, "45.33.7.8");
	assert_string_equal(r.a[0].dst, "10.0.0.10");
	assert_int_equal(r.a[0].dport, 22);
	conn(n, "45.33.7.9", "10.0.0.10", 22, t + 3 * S, 3000, 3000, true);
	assert_int_equal(r.n, 1);
	/* the same peer to another (new) service on the host: learnt, not alerted */
	conn(n, "45.33.7.8", "10.0.0.10", 8443, t + 4 * S, 3000, 3000, true);
	assert_int_equal(r.n, 1);
	/* IPv6: /48 networks */
	for (int iv = 0; iv < 11; iv++)
		conn(n, "2001:db8:1:1::1", "fd00::10", 443, t + iv * 60 * S, 100, 100, true);
	t += 11 * 60 * S;
	conn(n, "2001:db8:1:ffff::2", "fd00::10", 443, t, 100, 100, true);
	assert_int_equal(r.n, 1);
	conn(n, "2001:db8:2::2", "fd00::10", 443, t + S, 100, 100, true);
	assert_int_equal(r.n, 2);
	/* a public service (many peer networks): the first new ones alert up to max-peers,
	 * then it counts as public and stays quiet */
	for (int iv = 0; iv < 11; iv++)
		conn(n, "192.0.2.1", "10.0.0.80", 80, t + iv * 60 * S, 100, 100, true);
	t += 11 * 60 * S;
	unsigned before = r.n;
	for (unsigned i = 0; i < 200; i++) {
		char peer[32];
		snprintf(peer, sizeof(peer), "45.%u.%u.1", 70 + i / 250, i % 250);
		conn(n, peer, "10.0.0.80", 80, t + i * 1000, 100, 100, true);
	}
	assert_int_equal(r.n - before, 20);
	vg_nba_free(n);
}

static void test_tenants(void **state)
{
	(void)state;
	const char *y = "tenants:\n"
			"  - name: acme\n    networks:\n      - {cidr: 192.168.10.0/24, vni: 1001}\n"
			"  - name: globex\n    networks:\n      - {cidr: 192.168.10.0/24, vni: 1002}\n";
	struct vg_tenants *tn;
	struct vg_config_err err;
	assert_int_equal(vg_tenants_load_string(y, strlen(y), "t.yaml", &tn, &err), 0);
	struct rec r;
	struct vg_event_sink sink;
	struct vg_nba_config c;
	vg_nba_config_default(&c);
	c.tenants = tn;
	c.beacon_enabled = false;
	c.talker_enabled = false;
	struct vg_nba *n = mk(&c, &r, &sink);
	int64_t t = T0;
	struct vg_nba_flow f;
	for (int iv = 0; iv < 25; iv++, t += 60 * S) {
		for (uint32_t vni = 1001; vni <= 1002; vni++) {
			/* acme's host is busy (300/min), globex's same address is quiet (20/min);
			 * at interval 24 globex's rises to acme's level */
			unsigned k = vni == 1001 ? 300 : (iv == 24 ? 300 : 20);
			for (unsigned i = 0; i < k; i++) {
				mkflow(&f, "192.168.10.2", "203.0.113.5", 40000, 443);
				f.has_vni = true;
				f.vni = vni;
				assert_int_equal(vg_nba_flow_start(n, &f, t + i * 100000), 0);
			}
		}
		vg_nba_tick(n, t + 60 * S);
	}
	assert_int_equal(r.n, 1);
	assert_string_equal(r.a[0].tenant, "globex");
	assert_string_equal(r.a[0].src, "192.168.10.2");
	/* outside every tenant network: not internal (a tenants table is authoritative) */
	mkflow(&f, "10.0.0.1", "203.0.113.5", 1, 2);
	assert_int_equal(vg_nba_flow_start(n, &f, t), 0);
	struct vg_nba_stats st;
	vg_nba_get_stats(n, &st);
	assert_int_equal(st.hosts_in_use, 2);
	assert_int_equal(st.flows_external, 1);
	vg_nba_free(n);
	vg_tenants_free(tn);
}

static void test_bounded(void **state)
{
	(void)state;
	struct rec r;
	struct vg_event_sink sink;
	struct vg_nba_config c;
	vg_nba_config_default(&c);
	c.max_hosts = 1024;
	c.max_pairs = 512;
	c.max_services = 64;
	c.max_talkers = 256;
	c.warmup = 1;
	struct vg_nba *n = mk(&c, &r, &sink);
	struct vg_nba_stats st0, st;
	vg_nba_get_stats(n, &st0);
	int64_t t = T0;
	/* 200k distinct internal sources (spoofed), each opening one connection out, and 200k
	 * external sources answered by 100 internal services */
	for (uint32_t i = 0; i < 200000; i++) {
		struct vg_nba_flow f;
		memset(&f, 0, sizeof(f));
		uint8_t a[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		uint8_t b[4] = { 203, 0, 113, (uint8_t)(i % 7) };
		vg_addr_from_v4(&f.src, a);
		vg_addr_from_v4(&f.dst, b);
		f.dport = 443;
		f.proto = 6;
		f.end_us = t + i * 1000;
		assert_int_equal(vg_nba_flow_start(n, &f, t + i * 1000), 0);
		uint8_t e[4] = { 45, (uint8_t)(64 + (i >> 16)), (uint8_t)(i >> 8), (uint8_t)i };
		uint8_t s[4] = { 10, 99, 0, (uint8_t)(i % 100) };
		vg_addr_from_v4(&f.src, e);
		vg_addr_from_v4(&f.dst, s);
		f.pkts_toclient = 1;
		assert_int_equal(vg_nba_flow_end(n, &f), 0);
		if (i % 1000 == 0)
			vg_nba_tick(n, f.end_us);
	}
	vg_nba_get_stats(n, &st);
	assert_true(st.hosts_in_use <= 1024);
	assert_true(st.hosts_evicted >= 200000 - 1024);
	assert_true(st.pairs_in_use <= 512 && st.pairs_evicted > 100000);
	assert_true(st.services_in_use <= 64 && st.services_evicted > 0);
	assert_true(st.talkers_in_use <= 256 && st.talkers_evicted > 50000);
	assert_int_equal(st.mem_bytes, st0.mem_bytes); /* reserved once, never grows */
	assert_true(st.mem_bytes < 2u << 20);
	assert_true(st.alerts_talker <= (uint64_t)c.talker_max_alerts * (200 + 1));
	/* the per-interval cap on talker alerts was hit and counted */
	assert_true(st.suppressed_talker > 0 || st.alerts_talker == 0);
	vg_nba_free(n);
	/* default tables: about 100 MB reserved (lazily touched), stated in stats */
	assert_int_equal(vg_nba_new(NULL, &sink, &n), 0);
	vg_nba_get_stats(n, &st);
	assert_true(st.mem_bytes > (16u << 20) && st.mem_bytes < (256u << 20));
	vg_nba_free(n);
	vg_nba_free(NULL);
}

static void test_config(void **state)
{
	(void)state;
	const char *y = "detect:\n  nba:\n    interval: 5m\n    deviations: 3.5\n    warmup: 4\n"
			"    min-bytes: 1m\n    max-hosts: 99999999\n    home-net: [10.0.0.0/8, fd00::/8]\n"
			"    beacon:\n      max-cv: 0.1\n      history: 12\n      min-connections: 6\n"
			"    new-talker:\n      prefix4: 16\n";
	struct vg_config *cfg;
	struct vg_config_err err;
	assert_int_equal(vg_config_load_string(y, strlen(y), "v.yaml", &cfg, &err), 0);
	struct vg_nba_config c;
	vg_nba_config_default(&c);
	assert_int_equal(vg_nba_config_load(vg_config_root(cfg), &c, &err), 0);
	assert_int_equal(c.interval_us, 300 * S);
	assert_true(c.deviations == 3.5);
	assert_int_equal(c.warmup, 4);
	assert_int_equal(c.min_bytes, 1u << 20);
	assert_int_equal(c.max_hosts, VG_NBA_MAX_HOSTS); /* clamped */
	assert_int_equal(c.n_home_net, 2);
	assert_int_equal(c.beacon_history, 12);
	assert_int_equal(c.beacon_min_conns, 6);
	assert_int_equal(c.talker_prefix4, 16);
	vg_config_free(cfg);
	const char *bad[] = {
		"detect:\n  nba:\n    interval: 0s\n",
		"detect:\n  nba:\n    home-net: [10.0.0.0/33]\n",
		"detect:\n  nba:\n    beacon:\n      history: 4\n      min-connections: 9\n",
		"detect:\n  nba:\n    deviations: lots\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(vg_config_load_string(bad[i], strlen(bad[i]), "v.yaml", &cfg, &err), 0);
		vg_nba_config_default(&c);
		assert_true(vg_nba_config_load(vg_config_root(cfg), &c, &err) < 0);
		assert_non_null(strstr(err.msg, "v.yaml:"));
		vg_config_free(cfg);
	}
	/* home-net decides what is internal when there are no tenants */
	y = "detect:\n  nba:\n    home-net: [100.64.0.0/10]\n";
	assert_int_equal(vg_config_load_string(y, strlen(y), "v.yaml", &cfg, &err), 0);
	vg_nba_config_default(&c);
	assert_int_equal(vg_nba_config_load(vg_config_root(cfg), &c, &err), 0);
	vg_config_free(cfg);
	struct rec r;
	struct vg_event_sink sink;
	struct vg_nba *n = mk(&c, &r, &sink);
	conn(n, "10.0.0.1", "8.8.8.8", 53, T0, 1, 1, true);     /* private but not home-net */
	conn(n, "100.64.0.1", "8.8.8.8", 53, T0, 1, 1, true);
	struct vg_nba_stats st;
	vg_nba_get_stats(n, &st);
	assert_int_equal(st.hosts_in_use, 1);
	assert_int_equal(st.flows_external, 1);
	vg_nba_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spike),
		cmocka_unit_test(test_steady_and_noisy),
		cmocka_unit_test(test_warmup_and_minimum),
		cmocka_unit_test(test_beacons),
		cmocka_unit_test(test_new_talker),
		cmocka_unit_test(test_tenants),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
