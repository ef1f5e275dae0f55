/* Flow table: bidirectional lookup, key separation (IPv6, VNI, VLAN, ICMP ids), TCP state
 * tracking, per-state timeouts in packet time, memcap policies, flow records, extension
 * storage, and a 1M-flow correctness run. Packets are built by hand as struct vg_packet,
 * so these tests do not depend on the decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-error.h"
#include "flow/flow.h"

#define SEC 1000000ll
#define T0 (1700000000ll * SEC)

/* ---- a sink that keeps copies of flow records ------------------------------------ */

struct rec {
	uint64_t flow_id;
	struct vg_addr src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	uint32_t vni;
	bool has_vni;
	const char *tenant;
	int64_t ts_us;
	struct vg_ev_flow fl;
};

struct sink {
	struct rec *r;
	size_t n, cap;
};

static int sink_emit(void *ctx, const struct vg_event *ev)
{
	struct sink *s = ctx;
	assert_int_equal(ev->type, VG_EVT_FLOW);
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->r = realloc(s->r, s->cap * sizeof(*s->r));
		assert_non_null(s->r);
	}
	struct rec *r = &s->r[s->n++];
	r->flow_id = ev->flow_id;
	r->src = ev->src;
	r->dst = ev->dst;
	r->sport = ev->sport;
	r->dport = ev->dport;
	r->proto = ev->proto;
	r->vni = ev->vni;
	r->has_vni = ev->has_vni;
	r->tenant = ev->tenant;
	r->ts_us = ev->ts_us;
	r->fl = ev->u.flow; /* state/reason are static strings: safe to keep */
	return 0;
}

static struct vg_flow_table *mk(const struct vg_flow_config *cfg, struct sink *s)
{
	struct vg_flow_table *t = NULL;
	struct vg_event_sink es = { sink_emit, s };
	assert_int_equal(vg_flow_table_new(cfg, s ? &es : NULL, &t), 0);
	assert_non_null(t);
	return t;
}

/* ---- packets ----------------------------------------------------------------------- */

static void addr4(struct vg_addr *a, const char *s)
{
	assert_int_equal(vg_addr_parse(s, strlen(s), a), 0);
}

static struct vg_packet pkt(const char *src, uint16_t sp, const char *dst, uint16_t dp,
			    uint8_t proto, uint8_t tcp_flags, int64_t ts, uint32_t len)
{
	struct vg_packet p;
	memset(&p, 0, sizeof(p));
	addr4(&p.src, src);
	addr4(&p.dst, dst);
	p.ip_version = p.src.family == VG_AF_INET ? 4 : 6;
	p.flags = p.ip_version == 4 ? VG_PKT_IPV4 : VG_PKT_IPV6;
	p.proto = proto;
	p.sport = sp;
	p.dport = dp;
	p.tcp_flags = tcp_flags;
	p.ts_us = ts;
	p.caplen = p.wirelen = len;
	return p;
}

static struct vg_flow *feed(struct vg_flow_table *t, const struct vg_packet *p, int *dir)
{
	struct vg_flow *f = NULL;
	int d = -1;
	assert_int_equal(vg_flow_handle_packet(t, p, p->ts_us, &f, &d), 0);
	assert_non_null(f);
	if (dir)
		*dir = d;
	return f;
}

static struct vg_flow *tcp(struct vg_flow_table *t, bool c2s, uint8_t fl, int64_t ts, int *dir)
{
	struct vg_packet p = c2s ? pkt("10.0.0.1", 40000, "10.0.0.2", 80, 6, fl, ts, 60)
				 : pkt("10.0.0.2", 80, "10.0.0.1", 40000, 6, fl, ts, 60);
	return feed(t, &p, dir);
}

static struct vg_flow_stats stats(struct vg_flow_table *t)
{
	struct vg_flow_stats st;
	vg_flow_table_stats(t, &st);
	return st;
}

/* ---- tests ------------------------------------------------------------------------- */

static void test_bidirectional_and_record(void **state)
{
	(void)state;
	struct sink s = { 0 };
	struct vg_flow_table *t = mk(NULL, &s);
	int d;

	struct vg_flow *f = tcp(t, true, VG_TH_SYN, T0, &d);
	assert_int_equal(d, VG_FLOW_TOSERVER);
	assert_true(vg_flow_is_new(f));
	f->tenant = "acme";
	assert_int_equal(f->tcp_state, VG_TCP_SYN_SENT);
	uint64_t id = f->flow_id;

	struct vg_flow *g = tcp(t, false, VG_TH_SYN | VG_TH_ACK, T0 + 1000, &d);
	assert_ptr_equal(f, g);
	assert_int_equal(d, VG_FLOW_TOCLIENT);
	assert_false(vg_flow_is_new(g));
	assert_int_equal(g->tcp_state, VG_TCP_SYN_RECV);
	g = tcp(t, true, VG_TH_ACK, T0 + 2000, &d);
	assert_int_equal(d, VG_FLOW_TOSERVER);
	assert_int_equal(g->tcp_state, VG_TCP_ESTABLISHED);
	struct vg_packet p = pkt("10.0.0.1", 40000, "10.0.0.2", 80, 6, VG_TH_ACK | VG_TH_PSH, T0 + 3000, 500);
	feed(t, &p, NULL);
	p = pkt("10.0.0.2", 80, "10.0.0.1", 40000, 6, VG_TH_ACK | VG_TH_PSH, T0 + 4000, 1500);
	feed(t, &p, NULL);

	/* A different client port is a different flow. */
	p = pkt("10.0.0.1", 40001, "10.0.0.2", 80, 6, VG_TH_SYN, T0 + 5000, 60);
	struct vg_flow *other = feed(t, &p, NULL);
	assert_ptr_not_equal(other, f);
	assert_int_equal(stats(t).flows_active, 2);

	assert_int_equal(s.n, 0);
	assert_int_equal(vg_flow_flush(t, "shutdown"), 2);
	assert_int_equal(s.n, 2);
	struct rec *r = s.r[0].flow_id == id ? &s.r[0] : &s.r[1];
	char b1[VG_ADDR_STRLEN], b2[VG_ADDR_STRLEN];
	assert_string_equal(vg_addr_format(&r->src, b1), "10.0.0.1");
	assert_string_equal(vg_addr_format(&r->dst, b2), "10.0.0.2");
	assert_int_equal(r->sport, 40000);
	assert_int_equal(r->dport, 80);
	assert_int_equal(r->proto, 6);
	assert_string_equal(r->tenant, "acme");
	assert_int_equal(r->fl.pkts_toserver, 3);
	assert_int_equal(r->fl.pkts_toclient, 2);
	assert_int_equal(r->fl.bytes_toserver, 60 + 60 + 500);
	assert_int_equal(r->fl.bytes_toclient, 60 + 1500);
	assert_true(r->fl.start_us == T0);
	assert_true(r->fl.end_us == T0 + 4000);
	assert_true(r->ts_us == T0);
	assert_int_equal(r->fl.tcp_flags_ts, VG_TH_SYN | VG_TH_ACK | VG_TH_PSH);
	assert_int_equal(r->fl.tcp_flags_tc, VG_TH_SYN | VG_TH_ACK | VG_TH_PSH);
	assert_string_equal(r->fl.state, "established");
	assert_string_equal(r->fl.reason, "shutdown");
	assert_false(r->fl.alerted);
	assert_int_equal(stats(t).flows_active, 0);
	assert_int_equal(stats(t).flows_flushed, 2);
	/* flow ids are unique and deterministic */
	assert_true(s.r[0].flow_id != s.r[1].flow_id);
	assert_true(id == 1);
	vg_flow_table_free(t);
	free(s.r);
}

static void test_synack_first_sets_initiator(void **state)
{
	(void)state;
	struct sink s = { 0 };
	struct vg_flow_table *t = mk(NULL, &s);
	int d;
	/* Capture starts at the SYN/ACK: the server is its source. */
	struct vg_flow *f = tcp(t, false, VG_TH_SYN | VG_TH_ACK, T0, &d);
	assert_int_equal(d, VG_FLOW_TOCLIENT);
	assert_int_equal(f->tcp_state, VG_TCP_SYN_RECV);
	tcp(t, true, VG_TH_ACK, T0 + 1, &d);
	assert_int_equal(d, VG_FLOW_TOSERVER);
	assert_int_equal(f->tcp_state, VG_TCP_ESTABLISHED);
	vg_flow_flush(t, "shutdown");
	assert_int_equal(s.n, 1);
	assert_int_equal(s.r[0].sport, 40000);
	assert_int_equal(s.r[0].dport, 80);
	vg_flow_table_free(t);
	free(s.r);
}

static void test_ipv6_udp(void **state)
{
	(void)state;
	struct sink s = { 0 };
	struct vg_flow_table *t = mk(NULL, &s);
	int d;
	struct vg_packet q = pkt("2001:db8::5", 5353, "2001:db8::1", 53, 17, 0, T0, 80);
	struct vg_packet a = pkt("2001:db8::1", 53, "2001:db8::5", 5353, 17, 0, T0 + 10, 200);
	struct vg_flow *f = feed(t, &q, &d);
	assert_int_equal(d, VG_FLOW_TOSERVER);
	assert_string_equal(vg_flow_state_name(f), "new");
	assert_ptr_equal(feed(t, &a, &d), f);
	assert_int_equal(d, VG_FLOW_TOCLIENT);
	assert_string_equal(vg_flow_state_name(f), "established");
	/* An IPv4 flow with the same ports is different. */
	struct vg_packet v4 = pkt("10.0.0.5", 5353, "10.0.0.1", 53, 17, 0, T0 + 20, 80);
	assert_ptr_not_equal(feed(t, &v4, NULL), f);
	vg_flow_flush(t, "shutdown");
	assert_int_equal(s.n, 2);
	char b[VG_ADDR_STRLEN];
	struct rec *r = s.r[0].src.family == VG_AF_INET6 ? &s.r[0] : &s.r[1];
	assert_string_equal(vg_addr_format(&r->src, b), "2001:db8::5");
	assert_int_equal(r->sport, 5353);
	assert_int_equal(r->fl.bytes_toclient, 200);
	vg_flow_table_free(t);
	free(s.r);
}

static void test_vni_and_vlan_separate(void **state)
{
	(void)state;
	struct sink s = { 0 };
	struct vg_flow_table *t = mk(NULL, &s);
	struct vg_packet a = pkt("10.0.0.1", 1000, "10.0.0.2", 53, 17, 0, T0, 80);
	a.has_vni = true;
	a.vni = 100;
	struct vg_packet b = a;
	b.vni = 200;
	struct vg_packet c = a;
	c.has_vni = false;
	c.vni = 0;
	struct vg_packet v = c;
	v.n_vlan = 1;
	v.vlan[0] = 10;
	struct vg_flow *fa = feed(t, &a, NULL), *fb = feed(t, &b, NULL);
	struct vg_flow *fc = feed(t, &c, NULL), *fv = feed(t, &v, NULL);
	assert_ptr_not_equal(fa, fb);
	assert_ptr_not_equal(fa, fc);
	assert_ptr_not_equal(fb, fc);
	assert_ptr_not_equal(fv, fc);
	assert_int_equal(stats(t).flows_active, 4);
	/* The reply on VNI 100 finds VNI 100's flow. */
	struct vg_packet ra = pkt("10.0.0.2", 53, "10.0.0.1", 1000, 17, 0, T0 + 1, 80);
	ra.has_vni = true;
	ra.vni = 100;
	int d;
	assert_ptr_equal(feed(t, &ra, &d), fa);
	assert_int_equal(d, VG_FLOW_TOCLIENT);
	assert_int_equal(stats(t).flows_active, 4);
	vg_flow_flush(t, "shutdown");
	int with_vni = 0;
	for (size_t i = 0; i < s.n; i++)
		if (s.r[i].has_vni)
			with_vni++, assert_true(s.r[i].vni == 100 || s.r[i].vni == 200);
	assert_int_equal(with_vni, 2);
	vg_flow_table_free(t);
	free(s.r);
}

static void test_icmp_echo(void **state)
{
	(void)state;
	struct sink s = { 0 };
	struct vg_flow_table *t = mk(NULL, &s);
	int d;
	struct vg_packet rq = pkt("10.0.0.1", 0, "10.0.0.2", 0, 1, 0, T0, 84);
	rq.icmp_type = 8;
	rq.icmp_id = 77;
	struct vg_packet rp = pkt("10.0.0.2", 0, "10.0.0.1", 0, 1, 0, T0 + 5, 84);
	rp.icmp_type = 0;
	rp.icmp_id = 77;
	struct vg_flow *f = feed(t, &rq, &d);
	assert_int_equal(d, VG_FLOW_TOSERVER);
	assert_ptr_equal(feed(t, &rp, &d), f);
	assert_int_equal(d, VG_FLOW_TOCLIENT);
	rq.icmp_id = 78;
	assert_ptr_not_equal(feed(t, &rq, NULL), f);
	/* A reply seen first: its destination is the initiator. */
	struct vg_packet lone = rp;
	lone.icmp_id = 9;
	feed(t, &lone, &d);
	assert_int_equal(d, VG_FLOW_TOCLIENT);
	/* ICMPv6 echo. */
	struct vg_packet r6 = pkt("fe80::1", 0, "fe80::2", 0, 58, 0, T0, 64);
	r6.icmp_type = 128;
	r6.icmp_id = 1;
	struct vg_packet p6 = pkt("fe80::2", 0, "fe80::1", 0, 58, 0, T0 + 1, 64);
	p6.icmp_type = 129;
	p6.icmp_id = 1;
	struct vg_flow *f6 = feed(t, &r6, NULL);
	assert_ptr_equal(feed(t, &p6, &d), f6);
	assert_int_equal(d, VG_FLOW_TOCLIENT);
	assert_int_equal(stats(t).flows_active, 4);
	vg_flow_table_free(t);
	free(s.r);
}

static void test_fin_close_and_closed_timeout(void **state)
{
	(void)state;
	struct sink s = { 0 };
	struct vg_flow_table *t = mk(NULL, &s);
	struct vg_flow *f = tcp(t, true, VG_TH_SYN, T0, NULL);
	tcp(t, false, VG_TH_SYN | VG_TH_ACK, T0 + 1, NULL);
	tcp(t, true, VG_TH_ACK, T0 + 2, NULL);
	assert_int_equal(f->tcp_state, VG_TCP_ESTABLISHED);
	tcp(t, true, VG_TH_FIN | VG_TH_ACK, T0 + 3, NULL);
	assert_int_equal(f->tcp_state, VG_TCP_FIN_WAIT);
	tcp(t, false, VG_TH_ACK, T0 + 4, NULL);
	assert_int_equal(f->tcp_state, VG_TCP_FIN_WAIT);
	tcp(t, false, VG_TH_FIN | VG_TH_ACK, T0 + 5, NULL);
	assert_int_equal(f->tcp_state, VG_TCP_CLOSING);
	tcp(t, true, VG_TH_ACK, T0 + 6, NULL);
	assert_int_equal(f->tcp_state, VG_TCP_CLOSED);
	assert_string_equal(vg_flow_state_name(f), "closed");
	/* closed timeout 10 s after the last packet: not at 10 s, at 10 s + 1 us */
	assert_int_equal(vg_flow_timeout(t, T0 + 6 + 10 * SEC), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(vg_flow_timeout(t, T0 + 6 + 10 * SEC + 1), 1);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.r[0].fl.reason, "timeout");
	assert_string_equal(s.r[0].fl.state, "closed");
	assert_int_equal(s.r[0].fl.tcp_flags_ts, VG_TH_SYN | VG_TH_ACK | VG_TH_FIN);
	assert_int_equal(stats(t).flows_timeout, 1);
	vg_flow_table_free(t);
	free(s.r);
}

static void test_rst_and_port_reuse(void **state)
{
	(void)state;
	struct sink s = { 0 };
	struct vg_flow_table *t = mk(NULL, &s);
	struct vg_flow *f = tcp(t, true, VG_TH_SYN, T0, NULL);
	tcp(t, false, VG_TH_RST | VG_TH_ACK, T0 + 1, NULL);
	assert_int_equal(f->tcp_state, VG_TCP_CLOSED);
	assert_string_equal(vg_flow_tcp_state_name(f->tcp_state), "closed");
	uint64_t id = f->flow_id;
	/* A retransmitted ACK does not reopen it; a new SYN on the same tuple is a new flow. */
	tcp(t, true, VG_TH_ACK, T0 + 2, NULL);
	assert_int_equal(f->tcp_state, VG_TCP_CLOSED);
	assert_int_equal(s.n, 0);
	struct vg_flow *g = tcp(t, true, VG_TH_SYN, T0 + 3, NULL);
	assert_int_equal(s.n, 1);
	assert_true(s.r[0].flow_id == id);
	assert_string_equal(s.r[0].fl.reason, "forced");
	assert_int_equal(s.r[0].fl.pkts_toserver, 2);
	assert_int_equal(s.r[0].fl.pkts_toclient, 1);
	assert_true(g->flow_id != id);
	assert_int_equal(g->tcp_state, VG_TCP_SYN_SENT);
	assert_int_equal(stats(t).flows_forced, 1);
	vg_flow_table_free(t);
	free(s.r);
}

static void test_midstream(void **state)
{
	(void)state;
	struct sink s = { 0 };
	struct vg_flow_table *t = mk(NULL, &s);
	/* A lone ACK (e.g. an ACK scan probe) is not established and times out as new. */
	struct vg_flow *f = tcp(t, true, VG_TH_ACK, T0, NULL);
	assert_int_equal(f->tcp_state, VG_TCP_NONE);
	assert_string_equal(vg_flow_state_name(f), "new");
	tcp(t, false, VG_TH_ACK | VG_TH_PSH, T0 + 1, NULL);
	assert_int_equal(f->tcp_state, VG_TCP_ESTABLISHED);
	vg_flow_table_free(t);
	free(s.r);
}

static void test_timeouts_per_state(void **state)
{
	(void)state;
	struct sink s = { 0 };
	struct vg_flow_table *t = mk(NULL, &s);
	/* tcp new (SYN only): 30 s */
	tcp(t, true, VG_TH_SYN, T0, NULL);
	/* tcp established: 600 s */
	struct vg_packet p = pkt("10.0.0.3", 1, "10.0.0.4", 22, 6, VG_TH_SYN, T0, 60);
	feed(t, &p, NULL);
	p = pkt("10.0.0.4", 22, "10.0.0.3", 1, 6, VG_TH_SYN | VG_TH_ACK, T0, 60);
	feed(t, &p, NULL);
	p = pkt("10.0.0.3", 1, "10.0.0.4", 22, 6, VG_TH_ACK, T0, 60);
	feed(t, &p, NULL);
	/* udp one-way (new): 30 s; udp both ways: 300 s */
	p = pkt("10.0.0.5", 9, "10.0.0.6", 514, 17, 0, T0, 100);
	feed(t, &p, NULL);
	p = pkt("10.0.0.7", 9, "10.0.0.8", 53, 17, 0, T0, 100);
	feed(t, &p, NULL);
	p = pkt("10.0.0.8", 53, "10.0.0.7", 9, 17, 0, T0, 100);
	feed(t, &p, NULL);
	assert_int_equal(stats(t).flows_active, 4);

	assert_int_equal(vg_flow_timeout(t, T0 + 30 * SEC), 0);
	assert_int_equal(vg_flow_timeout(t, T0 + 30 * SEC + 1), 2);
	assert_int_equal(s.n, 2);
	for (size_t i = 0; i < 2; i++)
		assert_string_equal(s.r[i].fl.state, "new");
	assert_int_equal(vg_flow_timeout(t, T0 + 300 * SEC), 0);
	assert_int_equal(vg_flow_timeout(t, T0 + 300 * SEC + 1), 1);
	assert_int_equal(s.r[2].dport, 53);
	assert_string_equal(s.r[2].fl.state, "established");
	assert_int_equal(vg_flow_timeout(t, T0 + 600 * SEC), 0);
	assert_int_equal(vg_flow_timeout(t, T0 + 600 * SEC + 1), 1);
	assert_int_equal(s.r[3].dport, 22);
	assert_int_equal(stats(t).flows_active, 0);
	assert_int_equal(stats(t).flows_timeout, 4);
	vg_flow_table_free(t);
	free(s.r);
}

static void test_activity_extends_and_lazy_expiry(void **state)
{
	(void)state;
	struct sink s = { 0 };
	struct vg_flow_table *t = mk(NULL, &s);
	struct vg_packet p = pkt("10.0.0.5", 9, "10.0.0.6", 514, 17, 0, T0, 100);
	struct vg_flow *f = feed(t, &p, NULL);
	uint64_t id = f->flow_id;
	p.ts_us = T0 + 20 * SEC;
	feed(t, &p, NULL);
	assert_int_equal(vg_flow_timeout(t, T0 + 45 * SEC), 0); /* 25 s since the last packet */
	/* A packet after the timeout, without vg_flow_timeout() in between, starts a new flow. */
	p.ts_us = T0 + 51 * SEC;
	struct vg_flow *g = feed(t, &p, NULL);
	assert_int_equal(s.n, 1);
	assert_true(s.r[0].flow_id == id);
	assert_string_equal(s.r[0].fl.reason, "timeout");
	assert_int_equal(s.r[0].fl.pkts_toserver, 2);
	assert_true(g->flow_id != id);
	assert_int_equal(g->pkts[0], 1);
	vg_flow_table_free(t);
	free(s.r);
}

/* Lists are kept in order to the second: a flow can be reported up to 1 s after its
 * timeout (never early), and its record is exact. */
static void test_expiry_within_a_second(void **state)
{
	(void)state;
	struct sink s = { 0 };
	struct vg_flow_table *t = mk(NULL, &s);
	struct vg_packet a = pkt("10.0.0.1", 1, "10.0.0.2", 2, 17, 0, T0, 100);
	struct vg_packet b = pkt("10.0.0.3", 1, "10.0.0.4", 2, 17, 0, T0 + SEC / 2, 100);
	feed(t, &a, NULL);
	feed(t, &b, NULL);
	a.ts_us = T0 + SEC * 9 / 10; /* same second: not requeued behind b */
	feed(t, &a, NULL);
	/* Never early: */
	assert_int_equal(vg_flow_timeout(t, T0 + SEC / 2 + 30 * SEC), 0);
	assert_int_equal(s.n, 0);
	/* At most a second late: */
	assert_int_equal(vg_flow_timeout(t, T0 + SEC / 2 + 31 * SEC), 2);
	assert_int_equal(s.n, 2);
	for (size_t i = 0; i < 2; i++) {
		if (s.r[i].sport == 1 && s.r[i].fl.pkts_toserver == 2)
			assert_true(s.r[i].fl.end_us == T0 + SEC * 9 / 10);
		else
			assert_true(s.r[i].fl.end_us == T0 + SEC / 2);
	}
	vg_flow_table_free(t);
	free(s.r);
}

static void test_untracked(void **state)
{
	(void)state;
	struct vg_flow_table *t = mk(NULL, NULL);
	struct vg_packet p;
	memset(&p, 0, sizeof(p));
	p.flags = VG_PKT_INVALID;
	struct vg_flow *f = (void *)1;
	int d;
	assert_int_equal(vg_flow_handle_packet(t, &p, 0, &f, &d), VG_EINVAL);
	assert_null(f);
	assert_int_equal(stats(t).pkts_untracked, 1);
	assert_int_equal(stats(t).flows_active, 0);
	vg_flow_table_free(t);
	vg_flow_table_free(NULL);
}

static struct vg_packet nth_udp(uint32_t i, int64_t ts)
{
	struct vg_packet p = pkt("10.0.0.1", 1, "10.0.0.2", 2, 17, 0, ts, 100);
	p.src.b[1] = (uint8_t)(i >> 16);
	p.src.b[2] = (uint8_t)(i >> 8);
	p.src.b[3] = (uint8_t)i;
	p.sport = (uint16_t)(1024 + (i >> 24));
	return p;
}

static void test_memcap_evict_oldest(void **state)
{
	(void)state;
	struct sink s = { 0 };
	struct vg_flow_config cfg;
	vg_flow_config_default(&cfg);
	cfg.memcap = VG_FLOW_MIN_MEMCAP;
	assert_int_equal(vg_flow_policy_parse("evict-oldest", &cfg.policy), 0);
	struct vg_flow_table *t = mk(&cfg, &s);
	uint32_t max = (uint32_t)stats(t).max_flows;
	assert_true(max > 1000);
	assert_true(stats(t).memuse <= cfg.memcap);
	/* Flow 0 at T0, the rest one second later (LRU order is kept to the second). */
	for (uint32_t i = 0; i < max; i++) {
		struct vg_packet p = nth_udp(i, i == 0 ? T0 : T0 + SEC + i);
		feed(t, &p, NULL);
	}
	assert_int_equal(stats(t).flows_active, max);
	assert_true(stats(t).memuse <= cfg.memcap);
	assert_int_equal(s.n, 0);
	/* Refresh flow 0 a second later: it is no longer the oldest. */
	struct vg_packet p0 = nth_udp(0, T0 + 2 * SEC);
	feed(t, &p0, NULL);
	for (uint32_t i = max; i < max + 10; i++) {
		struct vg_packet p = nth_udp(i, T0 + 2 * SEC + i);
		feed(t, &p, NULL);
	}
	struct vg_flow_stats st = stats(t);
	assert_int_equal(st.flows_active, max);
	assert_int_equal(st.flows_evicted, 10);
	assert_int_equal(st.flows_dropped_memcap, 0);
	assert_int_equal(st.emergency_mode_entered, 0);
	assert_int_equal(s.n, 10);
	/* Evicted: flows 2..11 (ids), i.e. the least recently seen, not the refreshed first one. */
	for (size_t i = 0; i < 10; i++) {
		assert_true(s.r[i].flow_id == i + 2);
		assert_string_equal(s.r[i].fl.reason, "memcap");
	}
	vg_flow_table_free(t);
	free(s.r);
}

static void test_memcap_emergency(void **state)
{
	(void)state;
	struct sink s = { 0 };
	struct vg_flow_config cfg;
	vg_flow_config_default(&cfg);
	cfg.memcap = VG_FLOW_MIN_MEMCAP;
	assert_int_equal(vg_flow_policy_parse("emergency", &cfg.policy), 0);
	assert_int_equal(vg_flow_policy_parse("bogus", &cfg.policy), VG_EINVAL);
	cfg.policy = VG_FLOW_POLICY_EMERGENCY;
	struct vg_flow_table *t = mk(&cfg, &s);
	uint32_t max = (uint32_t)stats(t).max_flows;
	/* Half the table is old (one-way UDP at T0), half fresh (at T0 + 20 s). */
	for (uint32_t i = 0; i < max; i++) {
		struct vg_packet p = nth_udp(i, i < max / 2 ? T0 : T0 + 20 * SEC);
		feed(t, &p, NULL);
	}
	/* Full, at T0 + 20 s: nothing is past even the emergency new timeout (10 s) except
	 * the old half, which is 20 s old: emergency mode prunes it. */
	struct vg_packet p = nth_udp(max, T0 + 20 * SEC);
	feed(t, &p, NULL);
	struct vg_flow_stats st = stats(t);
	assert_int_equal(st.emergency_mode_entered, 1);
	assert_int_equal(st.flows_evicted, 0);
	assert_int_equal(st.flows_dropped_memcap, 0);
	assert_int_equal(st.flows_timeout, max / 2);
	assert_int_equal(s.n, max / 2);
	assert_string_equal(s.r[0].fl.reason, "timeout");
	/* 50 % full is below the 70 % recovery mark: emergency mode ended. */
	assert_false(st.emergency_active);
	assert_int_equal(st.emergency_mode_exited, 1);
	/* Fill again with fresh flows; now nothing can be pruned: new flows are dropped. */
	uint32_t i = max + 1;
	int rc = 0;
	while (rc == 0) {
		struct vg_packet q = nth_udp(i++, T0 + 21 * SEC);
		struct vg_flow *f;
		int d;
		rc = vg_flow_handle_packet(t, &q, q.ts_us, &f, &d);
		if (rc)
			assert_null(f);
	}
	assert_int_equal(rc, VG_EFULL);
	st = stats(t);
	assert_int_equal(st.emergency_mode_entered, 2);
	assert_true(st.emergency_active);
	assert_int_equal(st.flows_dropped_memcap, 1);
	assert_int_equal(st.flows_active, max);
	/* Known flows still get their packets while full. */
	struct vg_packet known = nth_udp(max, T0 + 21 * SEC);
	feed(t, &known, NULL);
	/* Emergency timeouts apply: 10 s later everything one-way is gone and mode ends. */
	assert_int_equal(vg_flow_timeout(t, T0 + 32 * SEC), max);
	st = stats(t);
	assert_false(st.emergency_active);
	assert_int_equal(st.flows_active, 0);
	/* Back to normal timeouts: a new one-way UDP flow survives 20 s. */
	p = nth_udp(1, T0 + 40 * SEC);
	feed(t, &p, NULL);
	assert_int_equal(vg_flow_timeout(t, T0 + 60 * SEC), 0);
	vg_flow_table_free(t);
	free(s.r);
}

static int freed;
static void count_free(void *p)
{
	freed++;
	free(p);
}

static void test_storage(void **state)
{
	(void)state;
	struct sink s = { 0 };
	struct vg_flow_table *t = mk(NULL, &s);
	int a = vg_flow_storage_register(t, count_free);
	int b = vg_flow_storage_register(t, NULL);
	assert_true(a >= 0 && b >= 0 && a != b);
	for (unsigned i = 2; i < VG_FLOW_MAX_STORAGE; i++)
		assert_true(vg_flow_storage_register(t, NULL) >= 0);
	assert_int_equal(vg_flow_storage_register(t, NULL), VG_EFULL);
	freed = 0;
	struct vg_flow *f = tcp(t, true, VG_TH_SYN, T0, NULL);
	assert_int_equal(vg_flow_storage_register(t, NULL), VG_ESTATE);
	assert_null(vg_flow_storage_get(f, a));
	assert_int_equal(vg_flow_storage_set(f, a, malloc(16)), 0);
	static int marker;
	assert_int_equal(vg_flow_storage_set(f, b, &marker), 0);
	assert_ptr_equal(vg_flow_storage_get(f, b), &marker);
	assert_int_equal(vg_flow_storage_set(f, 99, &marker), VG_EINVAL);
	assert_null(vg_flow_storage_get(f, -1));
	/* Freed when the flow times out. */
	assert_int_equal(vg_flow_timeout(t, T0 + 31 * SEC), 1);
	assert_int_equal(freed, 1);
	/* A recycled record starts with empty slots. */
	f = tcp(t, true, VG_TH_SYN, T0 + 40 * SEC, NULL);
	assert_null(vg_flow_storage_get(f, a));
	assert_null(vg_flow_storage_get(f, b));
	vg_flow_storage_set(f, a, malloc(16));
	/* And freed by vg_flow_table_free without a flush. */
	vg_flow_table_free(t);
	assert_int_equal(freed, 2);
	free(s.r);
}

/* The end hook runs before the record is emitted (its app_proto shows in the record)
 * and before storage is freed (it can still read it). */
struct hook_ctx {
	struct sink *s;
	int calls;
	int slot;
	size_t records_before;
	bool storage_seen;
	const char *reason;
};

static void end_hook(void *ctx, struct vg_flow *f, const char *reason)
{
	struct hook_ctx *h = ctx;
	h->calls++;
	h->records_before = h->s->n;
	h->storage_seen = vg_flow_storage_get(f, h->slot) != NULL;
	h->reason = reason;
	f->app_proto = "http";
	f->alerted = true;
}

static void test_end_hook(void **state)
{
	(void)state;
	struct sink s = { 0 };
	struct vg_flow_table *t = mk(NULL, &s);
	struct hook_ctx h = { .s = &s };
	h.slot = vg_flow_storage_register(t, count_free);
	vg_flow_set_end_hook(t, end_hook, &h);
	freed = 0;
	struct vg_flow *f = tcp(t, true, VG_TH_SYN, T0, NULL);
	vg_flow_storage_set(f, h.slot, malloc(4));
	assert_int_equal(vg_flow_timeout(t, T0 + 31 * SEC), 1);
	assert_int_equal(h.calls, 1);
	assert_int_equal(h.records_before, 0); /* before the record */
	assert_true(h.storage_seen);           /* before storage is freed */
	assert_string_equal(h.reason, "timeout");
	assert_int_equal(s.n, 1);
	assert_string_equal(s.r[0].fl.app_proto, "http");
	assert_true(s.r[0].fl.alerted);
	assert_int_equal(freed, 1);
	vg_flow_set_end_hook(t, NULL, NULL);
	tcp(t, true, VG_TH_SYN, T0 + 40 * SEC, NULL);
	vg_flow_flush(t, "shutdown");
	assert_int_equal(h.calls, 1);
	assert_int_equal(s.n, 2);
	assert_null(s.r[1].fl.app_proto);
	vg_flow_table_free(t);
	free(s.r);
}

static void test_config_clamps(void **state)
{
	(void)state;
	struct vg_flow_config cfg;
	vg_flow_config_default(&cfg);
	cfg.memcap = 1;
	struct vg_flow_table *t = mk(&cfg, NULL);
	assert_true(stats(t).memcap == VG_FLOW_MIN_MEMCAP);
	vg_flow_table_free(t);
	cfg.policy = (enum vg_flow_policy)7;
	t = (void *)1;
	assert_int_equal(vg_flow_table_new(&cfg, NULL, &t), VG_EINVAL);
	assert_null(t);
}

/* 1M concurrent flows: all created, all found again from either side, all flushed. A
 * correctness check only; speed and memory are measured in bench/. */
static void test_million_flows(void **state)
{
	(void)state;
	struct vg_flow_config cfg;
	vg_flow_config_default(&cfg);
	cfg.memcap = 256ull << 20;
	struct vg_flow_table *t = mk(&cfg, NULL);
	const uint32_t n = 1000000;
	assert_true(stats(t).max_flows >= n);
	for (uint32_t i = 0; i < n; i++) {
		struct vg_packet p = nth_udp(i, T0 + i);
		struct vg_flow *f;
		int d;
		assert_int_equal(vg_flow_handle_packet(t, &p, p.ts_us, &f, &d), 0);
		assert_true(f->flow_id == i + 1);
	}
	for (uint32_t i = 0; i < n; i++) {
		struct vg_packet p = nth_udp(i, T0 + n + i);
		struct vg_packet r = p;
		r.src = p.dst, r.dst = p.src, r.sport = p.dport, r.dport = p.sport;
		struct vg_flow *f;
		int d;
		assert_int_equal(vg_flow_handle_packet(t, &r, r.ts_us, &f, &d), 0);
		assert_int_equal(d, VG_FLOW_TOCLIENT);
		assert_true(f->flow_id == i + 1);
	}
	struct vg_flow_stats st = stats(t);
	assert_int_equal(st.flows_created, n);
	assert_int_equal(st.flows_active, n);
	assert_true(st.memuse <= cfg.memcap);
	printf("# flow record %zu bytes; %u flows: memuse %llu bytes = %.1f bytes/flow\n",
	       sizeof(struct vg_flow), n, (unsigned long long)st.memuse, (double)st.memuse / n);
	assert_int_equal(vg_flow_flush(t, "shutdown"), n);
	assert_int_equal(stats(t).flows_active, 0);
	vg_flow_table_free(t);
}

/* The first SYN's sequence number per direction is kept (the stream is started later,
 * at the first payload byte, from it); a retransmitted SYN with another one does not
 * replace it. */
static void test_syn_seq(void **state)
{
	(void)state;
	struct vg_flow_table *t = mk(NULL, NULL);
	struct vg_packet p = pkt("10.0.0.1", 40000, "10.0.0.2", 80, 6, 0x02, T0, 60);
	p.tcp_seq = 1000;
	struct vg_flow *f = feed(t, &p, NULL);
	p.tcp_seq = 7777;
	p.ts_us += 1000;
	assert_ptr_equal(feed(t, &p, NULL), f);
	struct vg_packet r = pkt("10.0.0.2", 80, "10.0.0.1", 40000, 6, 0x12, T0 + 2000, 60);
	r.tcp_seq = 0xfffffffeu;
	assert_ptr_equal(feed(t, &r, NULL), f);
	assert_true(f->syn_seq[VG_FLOW_TOSERVER] == 1000);
	assert_true(f->syn_seq[VG_FLOW_TOCLIENT] == 0xfffffffeu);
	vg_flow_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bidirectional_and_record),
		cmocka_unit_test(test_synack_first_sets_initiator),
		cmocka_unit_test(test_ipv6_udp),
		cmocka_unit_test(test_vni_and_vlan_separate),
		cmocka_unit_test(test_icmp_echo),
		cmocka_unit_test(test_fin_close_and_closed_timeout),
		cmocka_unit_test(test_rst_and_port_reuse),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_timeouts_per_state),
		cmocka_unit_test(test_activity_extends_and_lazy_expiry),
		cmocka_unit_test(test_expiry_within_a_second),
		cmocka_unit_test(test_untracked),
		cmocka_unit_test(test_memcap_evict_oldest),
		cmocka_unit_test(test_memcap_emergency),
		cmocka_unit_test(test_storage),
		cmocka_unit_test(test_end_hook),
		cmocka_unit_test(test_config_clamps),
		cmocka_unit_test(test_million_flows),
		cmocka_unit_test(test_syn_seq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
