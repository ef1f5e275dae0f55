/* Flow table over the lab captures (capture + decoder + flow): every decoded packet is
 * accounted to exactly one flow record; the SSH brute force is 8 closed sessions from the
 * attacker; the VXLAN tenants' identical inner addresses stay apart by VNI; a SYN scan's
 * probes all have the scanner as client; a spoofed SYN flood against a small memcap
 * triggers each policy, counted. Facts are from data/lab/README.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture/capture.h"
#include "core/core-error.h"
#include "decode/decode.h"
#include "flow/flow.h"

static char shared[1024];

struct rec {
	uint64_t id;
	struct vg_addr src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	bool has_vni;
	uint32_t vni;
	struct vg_ev_flow fl;
};

struct run {
	struct rec *r;
	size_t n, cap;
	uint64_t decoded, tracked, full;
	struct vg_flow_stats st;
};

static int emit(void *ctx, const struct vg_event *ev)
{
	struct run *x = ctx;
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 256;
		x->r = realloc(x->r, x->cap * sizeof(*x->r));
		assert_non_null(x->r);
	}
	struct rec *r = &x->r[x->n++];
	r->id = ev->flow_id;
	r->src = ev->src;
	r->dst = ev->dst;
	r->sport = ev->sport;
	r->dport = ev->dport;
	r->proto = ev->proto;
	r->has_vni = ev->has_vni;
	r->vni = ev->vni;
	r->fl = ev->u.flow;
	return 0;
}

static void run_file(const char *name, const struct vg_flow_config *cfg, struct run *x)
{
	char path[1200], err[VG_CAPTURE_ERRLEN];
	snprintf(path, sizeof(path), "%s/data/lab/pcap/%s", shared, name);
	memset(x, 0, sizeof(*x));
	struct vg_capture *cap = NULL;
	if (vg_capture_open_file(path, &cap, err))
		fail_msg("%s", err);
	struct vg_event_sink sink = { emit, x };
	struct vg_flow_table *t = NULL;
	assert_int_equal(vg_flow_table_new(cfg, &sink, &t), 0);
	int64_t ts;
	const uint8_t *d;
	uint32_t cl, wl;
	int rc;
	while ((rc = vg_capture_next(cap, &ts, &d, &cl, &wl)) == 1) {
		struct vg_packet p;
		if (vg_decode_packet(vg_capture_linktype(cap), d, cl, ts, &p) != 0)
			continue;
		x->decoded++;
		struct vg_flow *f;
		int dir;
		rc = vg_flow_handle_packet(t, &p, ts, &f, &dir);
		if (rc == 0)
			x->tracked++;
		else if (rc == VG_EFULL)
			x->full++;
		else
			fail_msg("%s: handle_packet %d", name, rc);
		vg_flow_timeout(t, ts);
	}
	assert_int_equal(rc, 0);
	vg_flow_flush(t, "shutdown");
	vg_flow_table_stats(t, &x->st);
	vg_flow_table_free(t);
	vg_capture_close(cap);
}

static bool is(const struct vg_addr *a, const char *text)
{
	struct vg_addr b;
	assert_int_equal(vg_addr_parse(text, strlen(text), &b), 0);
	return vg_addr_eq(a, &b);
}

/* Every packet in exactly one record; ids unique; records well formed. */
static void test_conservation_all_lab(void **state)
{
	(void)state;
	static const char *files[] = { "benign.pcap", "http-attacks.pcap", "scan-connect.pcap",
				       "scan-fin.pcap", "scan-ipv6.pcap", "scan-null.pcap",
				       "scan-syn.pcap", "scan-udp.pcap", "scan-xmas.pcap",
				       "ssh-bruteforce.pcap", "sweep-horizontal.pcap",
				       "tenants-vxlan.pcap", "flood-udp.pcap" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct run x;
		run_file(files[i], NULL, &x);
		assert_true(x.decoded > 0);
		assert_int_equal(x.full, 0);
		assert_int_equal(x.tracked, x.decoded);
		uint64_t sum = 0;
		for (size_t k = 0; k < x.n; k++) {
			struct rec *r = &x.r[k];
			assert_true(r->fl.pkts_toserver >= 1); /* the initiator sent the first packet */
			assert_true(r->fl.end_us >= r->fl.start_us);
			assert_true(r->id >= 1 && r->id <= x.n);
			sum += r->fl.pkts_toserver + r->fl.pkts_toclient;
		}
		if (sum != x.tracked)
			fail_msg("%s: %llu packets in records, %llu tracked", files[i],
				 (unsigned long long)sum, (unsigned long long)x.tracked);
		assert_int_equal(x.n, x.st.flows_created);
		assert_int_equal(x.st.flows_active, 0);
		free(x.r);
	}
}

static void test_ssh_bruteforce_sessions(void **state)
{
	(void)state;
	struct run x;
	run_file("ssh-bruteforce.pcap", NULL, &x);
	/* README: 8 SSH connections from 10.99.0.1 to 10.99.0.2:22. */
	assert_int_equal(x.n, 8);
	for (size_t k = 0; k < x.n; k++) {
		struct rec *r = &x.r[k];
		assert_int_equal(r->proto, 6);
		assert_true(is(&r->src, "10.99.0.1"));
		assert_true(is(&r->dst, "10.99.0.2"));
		assert_int_equal(r->dport, 22);
		assert_string_equal(r->fl.state, "closed");
		uint8_t need = VG_TH_SYN | VG_TH_ACK | VG_TH_FIN;
		assert_int_equal(r->fl.tcp_flags_ts & need, need);
		assert_int_equal(r->fl.tcp_flags_tc & need, need);
		assert_true(r->fl.bytes_toserver > 0 && r->fl.bytes_toclient > 0);
	}
	free(x.r);
}

static void test_vxlan_tenants_apart(void **state)
{
	(void)state;
	struct run x;
	run_file("tenants-vxlan.pcap", NULL, &x);
	static bool port_seen[301];
	memset(port_seen, 0, sizeof(port_seen));
	int http_1002 = 0, port80_1001 = 0;
	for (size_t k = 0; k < x.n; k++) {
		struct rec *r = &x.r[k];
		if (r->proto != 6)
			continue;
		/* README: both tenants use 192.168.10.1 <-> 192.168.10.2 inside VXLAN. */
		assert_true(r->has_vni);
		assert_true(r->vni == 1001 || r->vni == 1002);
		assert_true(is(&r->src, "192.168.10.1"));
		assert_true(is(&r->dst, "192.168.10.2"));
		if (r->vni == 1001) {
			/* nmap -sS -p 1-300: one probe flow per port, nothing else */
			assert_true(r->dport >= 1 && r->dport <= 300);
			assert_false(port_seen[r->dport]);
			port_seen[r->dport] = true;
			assert_true(r->fl.pkts_toserver <= 2);
			if (r->dport == 80)
				port80_1001++;
		} else {
			/* only HTTP, complete exchanges */
			assert_int_equal(r->dport, 80);
			assert_true(r->fl.pkts_toserver >= 3 && r->fl.pkts_toclient >= 3);
			http_1002++;
		}
	}
	for (int p = 1; p <= 300; p++)
		assert_true(port_seen[p]);
	/* Same inner 5-tuple shape on port 80 in both VNIs, never merged. */
	assert_int_equal(port80_1001, 1);
	assert_true(http_1002 > 0);
	free(x.r);
}

static void test_syn_scan_direction(void **state)
{
	(void)state;
	struct run x;
	run_file("scan-syn.pcap", NULL, &x);
	static bool seen[1025];
	memset(seen, 0, sizeof(seen));
	for (size_t k = 0; k < x.n; k++) {
		struct rec *r = &x.r[k];
		if (r->proto != 6)
			continue;
		/* The scanner is the client of every probe, also when only its RST-answered
		 * SYN and the reply exist. */
		assert_true(is(&r->src, "10.99.0.1"));
		assert_true(is(&r->dst, "10.99.0.2"));
		assert_true(r->dport >= 1 && r->dport <= 1024);
		seen[r->dport] = true;
		assert_true(r->fl.tcp_flags_ts & VG_TH_SYN);
	}
	for (int p = 1; p <= 1024; p++)
		assert_true(seen[p]);
	free(x.r);
}

static void test_syn_flood_memcap_policies(void **state)
{
	(void)state;
	struct vg_flow_config cfg;
	vg_flow_config_default(&cfg);
	cfg.memcap = VG_FLOW_MIN_MEMCAP; /* a few thousand flows against 20000 spoofed SYNs */

	struct run x;
	run_file("flood-syn.pcap", &cfg, &x);
	assert_true(x.decoded >= 20000);
	assert_int_equal(x.full, 0);
	assert_true(x.st.flows_evicted > 10000);
	assert_int_equal(x.st.flows_dropped_memcap, 0);
	size_t memcap_recs = 0;
	for (size_t k = 0; k < x.n; k++)
		if (strcmp(x.r[k].fl.reason, "memcap") == 0)
			memcap_recs++;
	assert_int_equal(memcap_recs, x.st.flows_evicted);
	free(x.r);

	/* Emergency: the flood lasts ~2 s, shorter than even the emergency timeout for new
	 * TCP flows (10 s): nothing can be pruned, so new flows are dropped and counted. */
	cfg.policy = VG_FLOW_POLICY_EMERGENCY;
	run_file("flood-syn.pcap", &cfg, &x);
	assert_int_equal(x.st.emergency_mode_entered, 1);
	assert_int_equal(x.st.flows_evicted, 0);
	assert_true(x.full > 10000);
	assert_int_equal(x.st.flows_dropped_memcap, x.full);
	assert_int_equal(x.tracked + x.full, x.decoded);
	assert_true(x.st.flows_created <= x.st.max_flows);
	free(x.r);
}

int main(void)
{
	const char *s = getenv("VIGIL_SHARED");
	snprintf(shared, sizeof(shared), "%s", s ? s : "/work/shared");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conservation_all_lab),
		cmocka_unit_test(test_ssh_bruteforce_sessions),
		cmocka_unit_test(test_vxlan_tenants_apart),
		cmocka_unit_test(test_syn_scan_direction),
		cmocka_unit_test(test_syn_flood_memcap_policies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
