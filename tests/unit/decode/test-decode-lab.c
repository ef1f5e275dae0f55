/* Decodes every packet of every lab capture (real traffic from nmap, hping3, curl,
 * OpenSSH and the kernel's VXLAN, /work/shared/data/lab) with libpcap and checks what
 * the captures are known to contain: no IP packet undecodable, the expected addresses,
 * the VXLAN tenants with their VNIs, and anomalies only where the traffic is odd on
 * purpose (nmap's FIN/NULL/Xmas probes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "core/core-addr.h"
#include "decode/decode.h"

struct lab_stats {
	unsigned long pkts, ip, v4, v6, tcp, udp, icmp, nonip, invalid, truncated;
	unsigned long syn_only, an_flags, an_other;
	unsigned long vni[2];       /* VNI 1001, 1002 */
	unsigned long vni_other;
	unsigned long outer_ok;     /* VXLAN packets whose outer IPs are the hypervisors */
	unsigned long inner_v4;     /* VXLAN packets with an inner IPv4 header */
	unsigned long inner_ok;     /* ... whose inner IPs are 192.168.10.1/.2 */
	unsigned long lab_addr;     /* src and dst in 10.99.0.0/24 or fd00:99::/64 */
	uint8_t dports[65536 / 8];  /* dports of SYN-only probes, as a bitmap */
	unsigned n_dports;
	unsigned long syn_vni1002, syn_vni1002_not80; /* SYN-only probes in the HTTP-only tenant */
	unsigned first_an;          /* first unexpected anomaly code, for the message */
};

static const char *shared_dir(void)
{
	const char *s = getenv("VIGIL_SHARED");
	return s && *s ? s : "/work/shared";
}

static bool in_cidr(const struct vg_addr *a, const char *cidr)
{
	struct vg_cidr c;
	if (vg_cidr_parse(cidr, strlen(cidr), &c) != 0)
		return false;
	return vg_cidr_contains(&c, a);
}

static bool is_pair(const struct vg_addr *a, const char *x, const char *y)
{
	struct vg_addr ax, ay;
	if (vg_addr_parse(x, strlen(x), &ax) != 0 || vg_addr_parse(y, strlen(y), &ay) != 0)
		return false;
	return vg_addr_eq(a, &ax) || vg_addr_eq(a, &ay);
}

static void run_capture(const char *name, struct lab_stats *st)
{
	char path[512], err[PCAP_ERRBUF_SIZE];
	snprintf(path, sizeof(path), "%s/data/lab/pcap/%s", shared_dir(), name);
	memset(st, 0, sizeof(*st));
	pcap_t *pc = pcap_open_offline(path, err);
	if (!pc)
		fail_msg("%s: %s", path, err);
	int dlt = pcap_datalink(pc);
	struct pcap_pkthdr *h;
	const u_char *data;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		struct vg_packet p;
		int64_t ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
		int rc = vg_decode_packet(dlt, data, h->caplen, ts, &p);
		st->pkts++;
		if (p.flags & VG_PKT_TRUNCATED)
			st->truncated++;
		for (unsigned i = 0; i < p.n_anomalies; i++) {
			if (p.anomalies[i] == VG_AN_TCP_INVALID_FLAGS || p.anomalies[i] == VG_AN_TCP_FLAGS_NULL) {
				st->an_flags++;
			} else {
				if (!st->an_other)
					st->first_an = p.anomalies[i];
				st->an_other++;
			}
		}
		if (rc != 0) {
			/* Only frames that are not IP at all may fail: ARP here. */
			if (p.ethertype == 0x0800 || p.ethertype == 0x86dd || !(p.flags & VG_PKT_INVALID))
				st->invalid++;
			else
				st->nonip++;
			continue;
		}
		assert_int_equal(p.flags & VG_PKT_INVALID, 0);
		st->ip++;
		st->v4 += p.ip_version == 4;
		st->v6 += p.ip_version == 6;
		st->tcp += (p.flags & VG_PKT_TCP) != 0;
		st->udp += (p.flags & VG_PKT_UDP) != 0;
		st->icmp += (p.flags & VG_PKT_ICMP) != 0;
		assert_ptr_equal(p.data, data);
		assert_true(p.l3 >= data && p.l3 + p.l3_len <= data + h->caplen);
		if (p.l4)
			assert_true(p.l4 >= p.l3 && p.l4 + p.l4_len <= data + h->caplen);
		if (p.payload)
			assert_true(p.payload + p.payload_len <= data + h->caplen);
		if ((in_cidr(&p.src, "10.99.0.0/24") && in_cidr(&p.dst, "10.99.0.0/24")) ||
		    (in_cidr(&p.src, "fd00:99::/64") && in_cidr(&p.dst, "fd00:99::/64")))
			st->lab_addr++;
		if ((p.flags & VG_PKT_TCP) && p.tcp_flags == VG_TH_SYN) {
			st->syn_only++;
			if (p.has_vni && p.vni == 1002) {
				st->syn_vni1002++;
				st->syn_vni1002_not80 += p.dport != 80;
			}
			if (!(st->dports[p.dport / 8] & (1u << (p.dport % 8)))) {
				st->dports[p.dport / 8] |= (uint8_t)(1u << (p.dport % 8));
				st->n_dports++;
			}
		}
		if (p.overlay == VG_OVERLAY_VXLAN) {
			assert_true(p.has_vni);
			if (p.vni == 1001)
				st->vni[0]++;
			else if (p.vni == 1002)
				st->vni[1]++;
			else
				st->vni_other++;
			/* Inner ARP leaves the outer IP as the packet's IP layer. */
			bool inner_ip = p.ethertype == 0x0800 || p.ethertype == 0x86dd;
			const struct vg_addr *os = inner_ip ? &p.outer_src : &p.src;
			const struct vg_addr *od = inner_ip ? &p.outer_dst : &p.dst;
			if (is_pair(os, "10.98.0.1", "10.98.0.2") && is_pair(od, "10.98.0.1", "10.98.0.2") &&
			    !vg_addr_eq(os, od))
				st->outer_ok++;
			if (p.ethertype == 0x0800) {
				st->inner_v4++;
				if (is_pair(&p.src, "192.168.10.1", "192.168.10.2") &&
				    is_pair(&p.dst, "192.168.10.1", "192.168.10.2") &&
				    !vg_addr_eq(&p.src, &p.dst))
					st->inner_ok++;
			}
		}
	}
	pcap_close(pc);
	printf("# %-22s pkts %lu ip %lu (v4 %lu v6 %lu) tcp %lu udp %lu icmp %lu nonip %lu "
	       "flag-anomalies %lu syn-dports %u\n", name, st->pkts, st->ip, st->v4, st->v6,
	       st->tcp, st->udp, st->icmp, st->nonip, st->an_flags, st->n_dports);
	assert_true(st->pkts > 0);
	if (st->invalid || st->an_other || st->truncated)
		fail_msg("%s: %lu undecodable IP packets, %lu truncated, %lu unexpected anomalies (first %s)",
			 name, st->invalid, st->truncated, st->an_other,
			 vg_decode_anomaly_name(st->first_an));
}

static void test_every_capture_decodes(void **state)
{
	(void)state;
	static const char *const files[] = {
		"benign.pcap", "flood-icmp.pcap", "flood-syn.pcap", "flood-udp.pcap",
		"http-attacks.pcap", "scan-connect.pcap", "scan-fin.pcap", "scan-ipv6.pcap",
		"scan-null.pcap", "scan-syn.pcap", "scan-udp.pcap", "scan-xmas.pcap",
		"ssh-bruteforce.pcap", "sweep-horizontal.pcap", "tenants-vxlan.pcap",
	};
	struct lab_stats *st = malloc(sizeof(*st));
	assert_non_null(st);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		run_capture(files[i], st);
		/* Only nmap's deliberately odd probes carry TCP flag anomalies. */
		bool odd = strstr(files[i], "fin") || strstr(files[i], "null") || strstr(files[i], "xmas");
		if (odd)
			assert_true(st->an_flags >= 300);
		else
			assert_int_equal(st->an_flags, 0);
	}
	free(st);
}

static void test_scan_syn(void **state)
{
	(void)state;
	struct lab_stats *st = malloc(sizeof(*st));
	assert_non_null(st);
	run_capture("scan-syn.pcap", st);
	assert_int_equal(st->n_dports, 1024); /* nmap -sS -p 1-1024 */
	assert_true(st->lab_addr >= 2048);
	run_capture("scan-ipv6.pcap", st);
	assert_int_equal(st->v4, 0);
	assert_int_equal(st->n_dports, 500); /* nmap -6 -sS -p 1-500 */
	assert_true(st->lab_addr >= 1000); /* the rest is link-local neighbour discovery */
	run_capture("flood-icmp.pcap", st);
	assert_true(st->icmp >= 20000);
	run_capture("flood-udp.pcap", st);
	assert_true(st->udp >= 20000);
	free(st);
}

static void test_tenants_vxlan(void **state)
{
	(void)state;
	struct lab_stats *st = malloc(sizeof(*st));
	assert_non_null(st);
	run_capture("tenants-vxlan.pcap", st);
	assert_true(st->vni[0] > 0);
	assert_true(st->vni[1] > 0);
	assert_int_equal(st->vni_other, 0);
	assert_int_equal(st->vni[0] + st->vni[1], 969);
	assert_int_equal(st->outer_ok, 969);
	assert_true(st->inner_v4 >= 900);
	assert_int_equal(st->inner_ok, st->inner_v4);
	/* Only VNI 1001 runs the scan (nmap -sS -p 1-300); 1002 only opens HTTP. */
	assert_true(st->n_dports >= 300);
	assert_true(st->syn_vni1002 > 0);
	assert_int_equal(st->syn_vni1002_not80, 0);
	free(st);
}

/* suricata-verify decode-chdlc-01 (Cisco HDLC, 17 IPv4 packets, one HTTP flow) and
 * decode-nsh-type1 (Ethernet, NSH MD type 1, IPv4, UDP 10.0.0.1:52377 → 10.0.0.2:52464). */
static void test_suricata_verify(void **state)
{
	(void)state;
	char path[512], err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct vg_packet p;
	unsigned v4 = 0, tcp80 = 0, n = 0;

	snprintf(path, sizeof(path), "%s/data/suricata-verify/tests/decode-chdlc-01/hdlc-http_1tx.pcap",
		 shared_dir());
	pcap_t *pc = pcap_open_offline(path, err);
	if (!pc)
		fail_msg("%s: %s", path, err);
	assert_int_equal(pcap_datalink(pc), VG_LINK_CHDLC);
	while (pcap_next_ex(pc, &h, &data) == 1) {
		n++;
		assert_int_equal(vg_decode_packet(pcap_datalink(pc), data, h->caplen, 0, &p), 0);
		assert_int_equal(p.n_anomalies, 0);
		v4 += p.ip_version == 4;
		tcp80 += (p.flags & VG_PKT_TCP) && (p.sport == 80 || p.dport == 80);
		assert_int_equal(p.layers, VG_LAYER_CHDLC | VG_LAYER_IPV4 | VG_LAYER_TCP);
	}
	pcap_close(pc);
	assert_int_equal(n, 17);
	assert_int_equal(v4, 17);
	assert_int_equal(tcp80, 17);

	snprintf(path, sizeof(path), "%s/data/suricata-verify/tests/decode-nsh-type1/input.pcap",
		 shared_dir());
	pc = pcap_open_offline(path, err);
	if (!pc)
		fail_msg("%s: %s", path, err);
	n = 0;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		n++;
		assert_int_equal(vg_decode_packet(pcap_datalink(pc), data, h->caplen, 0, &p), 0);
		assert_int_equal(p.n_anomalies, 0);
		assert_true(p.flags & VG_PKT_UDP);
		assert_true(is_pair(&p.src, "10.0.0.1", "10.0.0.1"));
		assert_true(is_pair(&p.dst, "10.0.0.2", "10.0.0.2"));
		assert_int_equal(p.sport, 52377);
		assert_int_equal(p.dport, 52464);
		assert_int_equal(p.encap_depth, 1);
		/* suricata-verify's stats: decoder.ethernet, .nsh, .ipv4, .udp each 1. */
		assert_int_equal(p.layers, VG_LAYER_ETHERNET | VG_LAYER_NSH | VG_LAYER_IPV4 | VG_LAYER_UDP);
	}
	pcap_close(pc);
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_capture_decodes),
		cmocka_unit_test(test_scan_syn),
		cmocka_unit_test(test_tenants_vxlan),
		cmocka_unit_test(test_suricata_verify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
