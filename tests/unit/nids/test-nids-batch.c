/* vg_nids_packets (batched, prepared flow lookups) gives exactly what vg_nids_packet gives
 * frame by frame: every lab capture and a suricata-verify capture with VLAN/fragments,
 * and built frames (IPv4 fragments reassembled, truncated frames, VLAN-tagged SYNs of a
 * scan and their RSTs), replayed both ways in batches of assorted sizes (1, 2, 15, 16, 17,
 * 40: across the internal batch size), every event compared field by field in order. */
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../decode/frame-builder.h"
#include "core/core-addr.h"
#include "core/core-error.h"
#include "nids/nids.h"

struct log {
	char *buf;
	size_t len, cap;
	unsigned alerts, flows;
};

static int on_event(void *ctx, const struct vg_event *ev)
{
	struct log *l = ctx;
	char s[VG_ADDR_STRLEN], d[VG_ADDR_STRLEN], line[512];
	vg_addr_format(&ev->src, s);
	vg_addr_format(&ev->dst, d);
	/* fields that do not depend on the run's random hash keys (episode ids and source
	 * estimates do) */
	int n = snprintf(line, sizeof(line), "%d %lld %s %s %u %u %u %u %s",
			 (int)ev->type, (long long)ev->ts_us, s, d, ev->sport, ev->dport, ev->proto,
			 ev->rule.sid, ev->app_proto ? ev->app_proto : "-");
	if (ev->type == VG_EVT_FLOW)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " %llu %llu %llu %llu %s",
			      (unsigned long long)ev->u.flow.pkts_toserver,
			      (unsigned long long)ev->u.flow.pkts_toclient,
			      (unsigned long long)ev->u.flow.bytes_toserver,
			      (unsigned long long)ev->u.flow.bytes_toclient,
			      ev->u.flow.state ? ev->u.flow.state : "-");
	line[n++] = '\n';
	if (l->len + (size_t)n + 1 > l->cap) {
		l->cap = (l->cap + (size_t)n + 1) * 2;
		l->buf = realloc(l->buf, l->cap);
		assert_non_null(l->buf);
	}
	memcpy(l->buf + l->len, line, (size_t)n);
	l->len += (size_t)n;
	l->buf[l->len] = '\0';
	if (ev->type == VG_EVT_ALERT)
		l->alerts++;
	if (ev->type == VG_EVT_FLOW)
		l->flows++;
	return 0;
}

struct cap {
	struct vg_nids_frame *fr;
	uint8_t **data;
	size_t n;
	int linktype;
};

static void load(const char *path, struct cap *c)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	assert_non_null(p);
	memset(c, 0, sizeof(*c));
	c->linktype = pcap_datalink(p);
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t cap = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		if (c->n == cap) {
			cap = cap ? cap * 2 : 256;
			c->fr = realloc(c->fr, cap * sizeof(*c->fr));
			c->data = realloc(c->data, cap * sizeof(*c->data));
			assert_true(c->fr && c->data);
		}
		c->data[c->n] = malloc(h->caplen ? h->caplen : 1);
		assert_non_null(c->data[c->n]);
		memcpy(c->data[c->n], d, h->caplen);
		c->fr[c->n] = (struct vg_nids_frame){ c->data[c->n], h->caplen, h->len,
						      (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec };
		c->n++;
	}
	pcap_close(p);
}

static void unload(struct cap *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->data[i]);
	free(c->data);
	free(c->fr);
}

static void run(const struct cap *c, const unsigned *sizes, struct log *l)
{
	struct vg_nids_config cfg;
	vg_nids_config_default(&cfg);
	cfg.outputs = ~0u;
	struct vg_event_sink sink = { on_event, l };
	struct vg_nids *n = NULL;
	assert_int_equal(vg_nids_new(&cfg, NULL, &sink, &n), 0);
	if (!sizes) {
		for (size_t i = 0; i < c->n; i++)
			assert_int_equal(vg_nids_packet(n, c->linktype, c->fr[i].data, c->fr[i].caplen,
							c->fr[i].wirelen, c->fr[i].ts_us), 0);
	} else {
		size_t i = 0;
		for (unsigned k = 0; i < c->n; k++) {
			size_t m = sizes[k % 6];
			if (m > c->n - i)
				m = c->n - i;
			assert_int_equal(vg_nids_packets(n, c->linktype, c->fr + i, (unsigned)m), 0);
			i += m;
		}
	}
	vg_nids_finish(n);
	vg_nids_free(n);
}

static void same_both_ways(const char *path, unsigned min_alerts)
{
	static const unsigned sizes[6] = { 1, 16, 17, 2, 40, 15 };
	struct cap c;
	load(path, &c);
	assert_true(c.n > 0);
	struct log a = { 0 }, b = { 0 };
	run(&c, NULL, &a);
	run(&c, sizes, &b);
	assert_true(a.flows > 0);
	assert_true(a.alerts >= min_alerts);
	assert_int_equal(a.len, b.len);
	assert_string_equal(a.buf, b.buf);
	free(a.buf);
	free(b.buf);
	unload(&c);
}

static const char *shared(char *buf, size_t n, const char *rel)
{
	const char *root = getenv("VIGIL_SHARED");
	snprintf(buf, n, "%s/%s", root ? root : "/work/shared", rel);
	return buf;
}

static void test_lab_captures(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		unsigned alerts;
	} caps[] = {
		{ "scan-syn.pcap", 1 }, { "scan-connect.pcap", 1 }, { "scan-fin.pcap", 1 },
		{ "scan-null.pcap", 1 }, { "scan-xmas.pcap", 1 }, { "scan-udp.pcap", 1 },
		{ "scan-ipv6.pcap", 1 }, { "sweep-horizontal.pcap", 1 }, { "flood-syn.pcap", 1 },
		{ "flood-udp.pcap", 1 }, { "flood-icmp.pcap", 1 }, { "ssh-bruteforce.pcap", 0 },
		{ "http-attacks.pcap", 0 }, { "benign.pcap", 0 }, { "tenants-vxlan.pcap", 1 },
	};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		char path[512], rel[128];
		snprintf(rel, sizeof(rel), "data/lab/pcap/%s", caps[i].name);
		same_both_ways(shared(path, sizeof(path), rel), caps[i].alerts);
	}
}

static void add_frame(struct cap *c, const struct fb *f, int64_t ts)
{
	c->fr = realloc(c->fr, (c->n + 1) * sizeof(*c->fr));
	c->data = realloc(c->data, (c->n + 1) * sizeof(*c->data));
	assert_true(c->fr && c->data);
	c->data[c->n] = malloc(f->n);
	assert_non_null(c->data[c->n]);
	memcpy(c->data[c->n], f->b, f->n);
	c->fr[c->n] = (struct vg_nids_frame){ c->data[c->n], (uint32_t)f->n, (uint32_t)f->n, ts };
	c->n++;
}

/* A TCP segment on VLAN 7 (no payload). */
static void vlan_tcp(struct cap *c, int64_t ts, const char *src, const char *dst, unsigned sport,
		     unsigned dport, unsigned flags)
{
	struct fb f;
	fb_init(&f);
	fb_eth(&f, 0x8100);
	fb_vlan(&f, 7, 0x0800);
	fb_ipv4(&f, src, dst, 6);
	fb_tcp(&f, sport, dport, flags, NULL, 0);
	fb_end(&f);
	add_frame(c, &f, ts);
}

static void test_built_frames(void **state)
{
	(void)state;
	struct cap c = { .linktype = 1 };
	int64_t ts = 1700000000000000ll;
	struct fb f;
	for (unsigned i = 0; i < 60; i++, ts += 20000) {
		/* a SYN on VLAN 7 to the next port, refused by the target */
		vlan_tcp(&c, ts, "10.1.0.9", "10.1.0.20", 40000 + i, 1000 + i, 0x02);
		vlan_tcp(&c, ts + 100, "10.1.0.20", "10.1.0.9", 1000 + i, 40000 + i, 0x14);
		if (i % 5 == 0) {
			/* a UDP datagram in two fragments, and a truncated frame */
			fb_init(&f);
			fb_eth(&f, 0x0800);
			fb_ipv4(&f, "10.2.0.1", "10.2.0.2", 17);
			fb_u16(&f, 5555);
			fb_u16(&f, 53);
			fb_u16(&f, 40);
			fb_u16(&f, 0);
			fb_payload(&f, 16, 'a');
			fb_end(&f);
			f.b[14 + 4] = (uint8_t)i; /* IP id: one datagram per round */
			f.b[14 + 6] = 0x20;
			f.b[14 + 7] = 0;
			add_frame(&c, &f, ts + 200);
			fb_init(&f);
			fb_eth(&f, 0x0800);
			fb_ipv4(&f, "10.2.0.1", "10.2.0.2", 17);
			fb_payload(&f, 16, 'b');
			fb_end(&f);
			f.b[14 + 4] = (uint8_t)i;
			f.b[14 + 6] = 0x00;
			f.b[14 + 7] = 3;
			add_frame(&c, &f, ts + 300);
			f.n = 20; /* Ethernet + 6 bytes of IPv4 */
			add_frame(&c, &f, ts + 400);
		}
	}
	static const unsigned sizes[6] = { 1, 16, 17, 2, 40, 15 };
	struct log a = { 0 }, b = { 0 };
	run(&c, NULL, &a);
	run(&c, sizes, &b);
	assert_true(a.alerts >= 1); /* the scan */
	assert_true(a.flows >= 61); /* 60 TCP flows and the reassembled UDP one */
	assert_string_equal(a.buf, b.buf);
	free(a.buf);
	free(b.buf);
	unload(&c);
}

static void test_api_edges(void **state)
{
	(void)state;
	struct vg_nids_frame f = { NULL, 0, 0, 0 };
	assert_int_equal(vg_nids_packets(NULL, 1, &f, 1), VG_EINVAL);
	struct vg_nids *n = NULL;
	struct log l = { 0 };
	struct vg_event_sink sink = { on_event, &l };
	assert_int_equal(vg_nids_new(NULL, NULL, &sink, &n), 0);
	assert_int_equal(vg_nids_packets(n, 1, NULL, 1), VG_EINVAL);
	assert_int_equal(vg_nids_packets(n, 1, NULL, 0), 0);
	assert_int_equal(vg_nids_packets(n, 1, &f, 1), 0); /* a frame without data: skipped */
	struct vg_nids_stats st;
	vg_nids_get_stats(n, &st);
	assert_int_equal(st.packets, 0);
	vg_nids_free(n);
	free(l.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_captures),
		cmocka_unit_test(test_built_frames),
		cmocka_unit_test(test_api_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
