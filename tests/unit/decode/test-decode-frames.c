/* Decoder tables: frames built byte by byte for every decoder, good and bad, checking
 * the fields decoded, the anomalies recorded (and that good frames record none), and
 * every prefix of good frames (truncation at each header boundary). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-addr.h"
#include "core/core-error.h"
#include "decode/decode.h"
#include "frame-builder.h"

static bool has_an(const struct vg_packet *p, unsigned code)
{
	for (unsigned i = 0; i < p->n_anomalies; i++)
		if (p->anomalies[i] == code)
			return true;
	return false;
}

static void assert_addr(const struct vg_addr *a, const char *s)
{
	char buf[VG_ADDR_STRLEN];
	vg_addr_format(a, buf);
	if (strcmp(buf, s) != 0)
		fail_msg("address %s, expected %s", buf, s);
}

static int decode(int lt, const struct fb *f, struct vg_packet *p)
{
	return vg_decode_packet(lt, f->b, f->n, 42, p);
}

static const uint8_t syn_opts[] = {
	0x02, 0x04, 0x05, 0xb4,                   /* MSS 1460 */
	0x04, 0x02,                               /* SACK permitted */
	0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0,       /* timestamps 1, 0 */
	0x01,                                     /* NOP */
	0x03, 0x03, 0x07,                         /* window scale 7 */
};

static void build_syn(struct fb *f)
{
	fb_init(f);
	fb_eth(f, 0x0800);
	fb_ipv4(f, "10.99.0.1", "10.99.0.2", 6);
	fb_tcp(f, 40000, 22, VG_TH_SYN, syn_opts, sizeof(syn_opts));
	fb_end(f);
}

static void test_eth_ipv4_tcp(void **state)
{
	(void)state;
	struct fb f;
	struct vg_packet p;
	build_syn(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_int_equal(p.flags, VG_PKT_IPV4 | VG_PKT_TCP);
	assert_int_equal(p.ip_version, 4);
	assert_addr(&p.src, "10.99.0.1");
	assert_addr(&p.dst, "10.99.0.2");
	assert_int_equal(p.outer_src.family, VG_AF_NONE);
	assert_int_equal(p.proto, 6);
	assert_int_equal(p.ttl, 64);
	assert_int_equal(p.ip_id, 0x1234);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 22);
	assert_int_equal(p.tcp_flags, VG_TH_SYN);
	assert_int_equal(p.tcp_seq, 1000);
	assert_int_equal(p.tcp_win, 65535);
	assert_int_equal(p.tcp_mss, 1460);
	assert_int_equal(p.tcp_wscale, 7);
	assert_true(p.tcp_sackok);
	assert_true(p.tcp_ts);
	assert_int_equal(p.tcp_tsval, 1);
	assert_int_equal(p.payload_len, 0);
	assert_ptr_equal(p.l3, f.b + 14);
	assert_ptr_equal(p.l4, f.b + 34);
	assert_int_equal(p.l3_len, f.n - 14);
	assert_int_equal(p.ts_us, 42);
	assert_int_equal(p.ethertype, 0x0800);
	assert_int_equal(p.layers, VG_LAYER_ETHERNET | VG_LAYER_IPV4 | VG_LAYER_TCP);

	/* Ethernet padding after a short datagram is not payload. */
	struct fb g;
	fb_init(&g);
	fb_eth(&g, 0x0800);
	fb_ipv4(&g, "10.0.0.1", "10.0.0.2", 6);
	fb_tcp(&g, 1, 2, VG_TH_ACK, NULL, 0);
	fb_end(&g);
	fb_payload(&g, 6, 0);
	assert_int_equal(decode(VG_LINK_ETHERNET, &g, &p), 0);
	assert_int_equal(p.payload_len, 0);
	assert_int_equal(p.l3_len, 40);
	assert_int_equal(p.n_anomalies, 0);
}

static void test_vlan_qinq(void **state)
{
	(void)state;
	struct fb f;
	struct vg_packet p;
	fb_init(&f);
	fb_eth(&f, 0x88a8);
	fb_vlan(&f, 100, 0x8100);
	fb_vlan(&f, 200, 0x0800);
	fb_ipv4(&f, "10.0.0.1", "10.0.0.2", 17);
	fb_udp(&f, 53, 53);
	fb_payload(&f, 12, 0xab);
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.n_vlan, 2);
	assert_int_equal(p.vlan[0], 100);
	assert_int_equal(p.vlan[1], 200);
	assert_int_equal(p.encap_depth, 2);
	assert_true(p.flags & VG_PKT_UDP);
	assert_int_equal(p.payload_len, 12);
	assert_int_equal(p.n_anomalies, 0);

	/* Three tags: walked, two kept, anomaly. */
	fb_init(&f);
	fb_eth(&f, 0x8100);
	fb_vlan(&f, 1, 0x8100);
	fb_vlan(&f, 2, 0x8100);
	fb_vlan(&f, 3, 0x86dd);
	fb_ipv6(&f, "fd00::1", "fd00::2", 59);
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.n_vlan, 2);
	assert_int_equal(p.vlan[1], 2);
	assert_true(has_an(&p, VG_AN_VLAN_TOO_MANY));
	assert_int_equal(p.ip_version, 6);

	/* More tags than VG_MAX_ENCAP_DEPTH: stops there. */
	fb_init(&f);
	fb_eth(&f, 0x8100);
	for (int i = 0; i < 12; i++)
		fb_vlan(&f, (unsigned)i, 0x8100);
	fb_vlan(&f, 99, 0x0800);
	fb_ipv4(&f, "10.0.0.1", "10.0.0.2", 17);
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), VG_ERANGE);
	assert_true(has_an(&p, VG_AN_ENCAP_TOO_DEEP));
	assert_true(p.flags & VG_PKT_INVALID);

	/* Non-IP frames are not anomalies: ARP, 802.3 LLC. Unknown Ethertype is one. */
	fb_init(&f);
	fb_eth(&f, 0x0806);
	fb_payload(&f, 28, 0);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), VG_ENOTSUP);
	assert_int_equal(p.n_anomalies, 0);
	assert_int_equal(p.ethertype, 0x0806);
	fb_init(&f);
	fb_eth(&f, 0x0026);
	fb_payload(&f, 38, 0x42);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), VG_ENOTSUP);
	assert_int_equal(p.n_anomalies, 0);
	fb_init(&f);
	fb_eth(&f, 0x1234);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), VG_ENOTSUP);
	assert_true(has_an(&p, VG_AN_UNKNOWN_ETHERTYPE));
	assert_int_equal(vg_decode_packet(12345, f.b, f.n, 0, &p), VG_ENOTSUP);
	assert_true(has_an(&p, VG_AN_UNKNOWN_LINKTYPE));
}

static void build_vxlan(struct fb *f, uint32_t vni, unsigned dport)
{
	fb_init(f);
	fb_eth(f, 0x0800);
	fb_ipv4(f, "10.98.0.1", "10.98.0.2", 17);
	fb_udp(f, 50000, 4789);
	fb_vxlan(f, vni);
	fb_eth(f, 0x0800);
	fb_ipv4(f, "192.168.10.1", "192.168.10.2", 6);
	fb_tcp(f, 33333, dport, VG_TH_SYN, NULL, 0);
	fb_end(f);
}

static void test_vxlan(void **state)
{
	(void)state;
	struct fb f;
	struct vg_packet p;
	build_vxlan(&f, 1001, 443);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_int_equal(p.overlay, VG_OVERLAY_VXLAN);
	assert_true(p.has_vni);
	assert_int_equal(p.vni, 1001);
	assert_addr(&p.outer_src, "10.98.0.1");
	assert_addr(&p.outer_dst, "10.98.0.2");
	assert_addr(&p.src, "192.168.10.1");
	assert_addr(&p.dst, "192.168.10.2");
	assert_int_equal(p.flags, VG_PKT_IPV4 | VG_PKT_TCP);
	assert_int_equal(p.sport, 33333);
	assert_int_equal(p.dport, 443);
	assert_int_equal(p.proto, 6);
	assert_int_equal(p.encap_depth, 1);
	assert_false(p.flags & VG_PKT_TUNNEL_NO_INNER_IP);

	/* ARP inside: the packet is the tunnel's UDP, the tenant is known, and flagged. */
	struct fb a;
	fb_init(&a);
	fb_eth(&a, 0x0800);
	fb_ipv4(&a, "10.98.0.1", "10.98.0.2", 17);
	fb_udp(&a, 50000, 4789);
	fb_vxlan(&a, 1001);
	fb_eth(&a, 0x0806);
	fb_payload(&a, 28, 0);
	fb_end(&a);
	assert_int_equal(decode(VG_LINK_ETHERNET, &a, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_int_equal(p.flags, VG_PKT_IPV4 | VG_PKT_UDP | VG_PKT_TUNNEL_NO_INNER_IP);
	assert_int_equal(p.ethertype, 0x0806);
	assert_int_equal(p.vni, 1001);
	assert_addr(&p.src, "10.98.0.1");

	/* I flag clear: not VXLAN, the outer UDP packet stays. */
	f.b[42] = 0;
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_true(has_an(&p, VG_AN_VXLAN_FLAGS_INVALID));
	assert_int_equal(p.overlay, VG_OVERLAY_NONE);
	assert_addr(&p.src, "10.98.0.1");
	assert_int_equal(p.dport, 4789);
	assert_true(p.flags & VG_PKT_UDP);
}

static void test_geneve(void **state)
{
	(void)state;
	struct fb f;
	struct vg_packet p;
	/* Two options: 4+4 and 4+8 bytes. */
	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "10.98.0.1", "10.98.0.2", 17);
	fb_udp(&f, 50000, 6081);
	fb_geneve(&f, 0xabcdef, 0x6558, "01020301 aabbccdd 01020402 aabbccdd 11223344");
	fb_eth(&f, 0x86dd);
	fb_ipv6(&f, "fd00::1", "fd00::2", 17);
	fb_udp(&f, 1, 53);
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_int_equal(p.overlay, VG_OVERLAY_GENEVE);
	assert_int_equal(p.vni, 0xabcdef);
	assert_addr(&p.src, "fd00::1");
	assert_addr(&p.outer_src, "10.98.0.1");
	assert_int_equal(p.dport, 53);

	/* Bad option length: the option claims more than the option area. */
	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "10.98.0.1", "10.98.0.2", 17);
	fb_udp(&f, 50000, 6081);
	fb_geneve(&f, 7, 0x6558, "0102031f aabbccdd");
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "192.168.0.1", "192.168.0.2", 17);
	fb_udp(&f, 1, 2);
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_true(has_an(&p, VG_AN_GENEVE_OPT_INVALID));
	assert_addr(&p.src, "10.98.0.1"); /* inner not decoded */
	assert_int_equal(p.overlay, VG_OVERLAY_NONE);

	/* Geneve carrying IPv4 directly; unknown protocol. */
	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "10.98.0.1", "10.98.0.2", 17);
	fb_udp(&f, 50000, 6081);
	fb_geneve(&f, 5, 0x0800, "");
	fb_ipv4(&f, "192.168.0.1", "192.168.0.2", 1);
	fb_hex(&f, "0800f7ff 00010002");
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_true(p.flags & VG_PKT_ICMP);
	assert_int_equal(p.icmp_type, 8);
	assert_int_equal(p.icmp_id, 1);
	assert_int_equal(p.icmp_seq, 2);
	f.b[14 + 20 + 8 + 2] = 0x12; /* protocol 0x1200 */
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_true(has_an(&p, VG_AN_GENEVE_UNKNOWN_PAYLOAD));
}

static void test_gre(void **state)
{
	(void)state;
	struct fb f;
	struct vg_packet p;
	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "10.98.0.1", "10.98.0.2", 47);
	fb_gre(&f, 0x2000, 0x0800, 4242, 0);
	fb_ipv4(&f, "172.16.0.1", "172.16.0.2", 6);
	fb_tcp(&f, 1, 80, VG_TH_SYN, NULL, 0);
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_int_equal(p.overlay, VG_OVERLAY_GRE);
	assert_int_equal(p.vni, 4242);
	assert_addr(&p.src, "172.16.0.1");
	assert_addr(&p.outer_dst, "10.98.0.2");
	assert_int_equal(p.dport, 80);

	/* Checksum + sequence, IPv6 payload, no key: no vni. */
	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "10.98.0.1", "10.98.0.2", 47);
	fb_gre(&f, 0x9000, 0x86dd, 0, 77);
	fb_ipv6(&f, "fd00::1", "fd00::2", 6);
	fb_tcp(&f, 1, 80, VG_TH_SYN, NULL, 0);
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_false(p.has_vni);
	assert_addr(&p.src, "fd00::1");

	/* Transparent Ethernet bridging with a key. */
	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "10.98.0.1", "10.98.0.2", 47);
	fb_gre(&f, 0x2000, 0x6558, 9, 0);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "192.168.1.1", "192.168.1.2", 17);
	fb_udp(&f, 5, 6);
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.vni, 9);
	assert_addr(&p.src, "192.168.1.1");

	/* Bad ones: routing (RFC 1701), version 2, unknown payload. */
	static const struct {
		const char *gre;
		unsigned an;
	} bad[] = {
		{ "4000 0800 00000000", VG_AN_GRE_ROUTING },
		{ "0002 0800", VG_AN_GRE_VERSION_INVALID },
		{ "0001 0800 00000000", VG_AN_GRE_VERSION_INVALID }, /* v1 must be PPP with key */
		{ "0000 1234", VG_AN_GRE_UNKNOWN_PAYLOAD },
		{ "2000 0800 0000", VG_AN_GRE_TRUNC },
		{ "00", VG_AN_GRE_TRUNC },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fb_init(&f);
		fb_eth(&f, 0x0800);
		fb_ipv4(&f, "10.98.0.1", "10.98.0.2", 47);
		fb_hex(&f, bad[i].gre);
		fb_end(&f);
		assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
		if (!has_an(&p, bad[i].an))
			fail_msg("GRE case %zu: no %s", i, vg_decode_anomaly_name(bad[i].an));
		assert_addr(&p.src, "10.98.0.1");
	}

	/* PPTP (enhanced GRE, version 1) carrying PPP/IPv4. */
	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "10.98.0.1", "10.98.0.2", 47);
	fb_hex(&f, "3001 880b 0028 0001 00000001 ff03 0021");
	fb_ipv4(&f, "192.168.2.1", "192.168.2.2", 17);
	fb_udp(&f, 1, 2);
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_addr(&p.src, "192.168.2.1");

	/* GRE inside GRE inside GRE ... stops at VG_MAX_ENCAP_DEPTH. */
	fb_init(&f);
	fb_eth(&f, 0x0800);
	for (int i = 0; i < 10; i++) {
		fb_ipv4(&f, "10.0.0.1", "10.0.0.2", 47);
		fb_gre(&f, 0, 0x0800, 0, 0);
	}
	fb_ipv4(&f, "10.9.9.1", "10.9.9.2", 17);
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_true(has_an(&p, VG_AN_ENCAP_TOO_DEEP));
	assert_int_equal(p.encap_depth, VG_MAX_ENCAP_DEPTH);
}

static void build_erspan(struct fb *f, int type, bool subhdr)
{
	fb_init(f);
	fb_eth(f, 0x0800);
	fb_ipv4(f, "10.98.0.1", "10.98.0.2", 47);
	if (type == 2) {
		fb_gre(f, 0x1000, 0x88be, 0, 1);
		fb_hex(f, "100a 0064 00000001");           /* ver 1, vlan 10, session 100 */
	} else {
		fb_gre(f, 0x1000, 0x22eb, 0, 1);
		fb_hex(f, "200a 03ff 11223344 0000");      /* ver 2, session 1023 */
		fb_u16(f, subhdr ? 1 : 0);
		if (subhdr)
			fb_hex(f, "0000000000000000");
	}
	fb_eth(f, 0x0800);
	fb_ipv4(f, "192.168.10.1", "192.168.10.2", 6);
	fb_tcp(f, 2, 3, VG_TH_SYN | VG_TH_ACK, NULL, 0);
	fb_end(f);
}

static void test_erspan(void **state)
{
	(void)state;
	struct fb f;
	struct vg_packet p;
	build_erspan(&f, 2, false);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_int_equal(p.overlay, VG_OVERLAY_ERSPAN);
	assert_int_equal(p.vni, 100);
	assert_addr(&p.src, "192.168.10.1");
	assert_addr(&p.outer_src, "10.98.0.1");
	assert_int_equal(p.tcp_flags, VG_TH_SYN | VG_TH_ACK);

	for (int sub = 0; sub < 2; sub++) {
		build_erspan(&f, 3, sub);
		assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
		assert_int_equal(p.n_anomalies, 0);
		assert_int_equal(p.overlay, VG_OVERLAY_ERSPAN);
		assert_int_equal(p.vni, 1023);
		assert_addr(&p.dst, "192.168.10.2");
	}

	/* Wrong version for the GRE protocol. */
	build_erspan(&f, 2, false);
	f.b[14 + 20 + 8] = 0x20;
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_true(has_an(&p, VG_AN_ERSPAN_VERSION_INVALID));
	assert_addr(&p.src, "10.98.0.1");
}

static void test_mpls(void **state)
{
	(void)state;
	struct fb f;
	struct vg_packet p;
	fb_init(&f);
	fb_eth(&f, 0x8847);
	fb_hex(&f, "00064 040 00065 140"); /* labels 100, 101 (bottom) */
	fb_ipv4(&f, "10.0.0.1", "10.0.0.2", 17);
	fb_udp(&f, 1, 2);
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_int_equal(p.n_mpls, 2);
	assert_int_equal(p.mpls_label, 101);
	assert_addr(&p.src, "10.0.0.1");

	/* Pseudowire: control word, then Ethernet. */
	fb_init(&f);
	fb_eth(&f, 0x8847);
	fb_hex(&f, "00065 140 00000000");
	fb_eth(&f, 0x86dd);
	fb_ipv6(&f, "fd00::5", "fd00::6", 59);
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_addr(&p.src, "fd00::5");

	/* Unknown payload; too many labels; stack running off the end. */
	fb_init(&f);
	fb_eth(&f, 0x8847);
	fb_hex(&f, "00065 140 ff00");
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), VG_ENOTSUP);
	assert_true(has_an(&p, VG_AN_MPLS_UNKNOWN_PAYLOAD));
	fb_init(&f);
	fb_eth(&f, 0x8847);
	for (int i = 0; i < 20; i++)
		fb_hex(&f, "00064 040");
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), VG_ERANGE);
	assert_true(has_an(&p, VG_AN_MPLS_TOO_MANY_LABELS));
	fb_init(&f);
	fb_eth(&f, 0x8847);
	fb_hex(&f, "00064 040 00064 0");
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), VG_ETRUNC);
	assert_true(has_an(&p, VG_AN_MPLS_TRUNC));
	assert_true(p.flags & VG_PKT_TRUNCATED);
}

static void test_pppoe(void **state)
{
	(void)state;
	struct fb f;
	struct vg_packet p;
	for (int v6 = 0; v6 < 2; v6++) {
		fb_init(&f);
		fb_eth(&f, 0x8864);
		fb_hex(&f, "1100 0042");
		fb_u16(&f, v6 ? 2 + 40 + 8 : 2 + 20 + 8);
		fb_u16(&f, v6 ? 0x0057 : 0x0021);
		if (v6)
			fb_ipv6(&f, "fd00::1", "fd00::2", 17);
		else
			fb_ipv4(&f, "100.64.0.1", "100.64.0.2", 17);
		fb_udp(&f, 1, 2);
		fb_end(&f);
		assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
		assert_int_equal(p.n_anomalies, 0);
		assert_int_equal(p.pppoe_session, 0x42);
		assert_int_equal(p.ip_version, v6 ? 6 : 4);
		assert_int_equal(p.dport, 2);
	}
	/* LCP is PPP's own business: not IP, not an anomaly. */
	fb_init(&f);
	fb_eth(&f, 0x8864);
	fb_hex(&f, "1100 0042 0006 c021 01010004");
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), VG_ENOTSUP);
	assert_int_equal(p.n_anomalies, 0);
	/* Unsupported PPP protocol, wrong code, discovery. */
	fb_init(&f);
	fb_eth(&f, 0x8864);
	fb_hex(&f, "1100 0042 0006 0031 01010004");
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), VG_ENOTSUP);
	assert_true(has_an(&p, VG_AN_PPP_UNSUPPORTED));
	fb_init(&f);
	fb_eth(&f, 0x8864);
	fb_hex(&f, "1107 0042 0002 0021");
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), VG_EINVAL);
	assert_true(has_an(&p, VG_AN_PPPOE_WRONG_CODE));
	fb_init(&f);
	fb_eth(&f, 0x8863);
	fb_hex(&f, "1109 0000 0004 01010000");
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), VG_ENOTSUP);
	assert_true(p.flags & VG_PKT_PPPOE_DISC);
	assert_int_equal(p.n_anomalies, 0);
}

static void test_link_types(void **state)
{
	(void)state;
	struct fb ip4, ip6, f;
	struct vg_packet p;
	fb_init(&ip4);
	fb_ipv4(&ip4, "10.0.0.1", "10.0.0.2", 6);
	fb_tcp(&ip4, 1, 2, VG_TH_SYN, NULL, 0);
	fb_end(&ip4);
	fb_init(&ip6);
	fb_ipv6(&ip6, "fd00::1", "fd00::2", 6);
	fb_tcp(&ip6, 1, 2, VG_TH_SYN, NULL, 0);
	fb_end(&ip6);

	static const int raw[] = { VG_LINK_RAW, VG_LINK_RAW_DLT12 };
	for (int i = 0; i < 2; i++) {
		assert_int_equal(decode(raw[i], &ip4, &p), 0);
		assert_int_equal(p.ip_version, 4);
		assert_int_equal(decode(raw[i], &ip6, &p), 0);
		assert_int_equal(p.ip_version, 6);
	}
	assert_int_equal(decode(VG_LINK_IPV4, &ip4, &p), 0);
	assert_int_equal(decode(VG_LINK_IPV6, &ip6, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_int_equal(decode(VG_LINK_IPV4, &ip6, &p), VG_EINVAL);
	assert_true(has_an(&p, VG_AN_IPV4_WRONG_VERSION));
	fb_init(&f);
	fb_hex(&f, "5000");
	assert_int_equal(decode(VG_LINK_RAW, &f, &p), VG_EINVAL);
	assert_true(has_an(&p, VG_AN_RAW_INVALID_IP_VERSION));

	/* SLL (v1): packet type, ARPHRD, address length, address, protocol. */
	fb_init(&f);
	fb_hex(&f, "0000 0001 0006 020000000001 0000 0800");
	fb_put(&f, ip4.b, ip4.n);
	assert_int_equal(decode(VG_LINK_SLL, &f, &p), 0);
	assert_addr(&p.src, "10.0.0.1");
	assert_int_equal(p.n_anomalies, 0);
	/* SLL2: protocol, reserved, ifindex, ARPHRD, packet type, address length, address. */
	fb_init(&f);
	fb_hex(&f, "86dd 0000 00000002 0001 00 06 020000000001 0000");
	fb_put(&f, ip6.b, ip6.n);
	assert_int_equal(decode(VG_LINK_SLL2, &f, &p), 0);
	assert_addr(&p.src, "fd00::1");
	assert_int_equal(p.n_anomalies, 0);
	fb_init(&f);
	fb_hex(&f, "86dd 0000 00000002 0001 00 06 0200");
	assert_int_equal(decode(VG_LINK_SLL2, &f, &p), VG_ETRUNC);
	assert_true(has_an(&p, VG_AN_SLL_TRUNC));

	/* BSD null: AF in either byte order. */
	static const char *const af[] = { "02000000", "00000002", "1e000000", "0000001c", "18000000" };
	for (int i = 0; i < 5; i++) {
		fb_init(&f);
		fb_hex(&f, af[i]);
		const struct fb *ip = i < 2 ? &ip4 : &ip6;
		fb_put(&f, ip->b, ip->n);
		assert_int_equal(decode(VG_LINK_NULL, &f, &p), 0);
		assert_int_equal(p.ip_version, i < 2 ? 4 : 6);
	}
	fb_init(&f);
	fb_hex(&f, "07000000");
	fb_put(&f, ip4.b, ip4.n);
	assert_int_equal(decode(VG_LINK_NULL, &f, &p), VG_ENOTSUP);
	assert_true(has_an(&p, VG_AN_NULL_UNKNOWN_FAMILY));

	/* Cisco HDLC. */
	fb_init(&f);
	fb_hex(&f, "0f00 0800");
	fb_put(&f, ip4.b, ip4.n);
	assert_int_equal(decode(VG_LINK_CHDLC, &f, &p), 0);
	assert_addr(&p.dst, "10.0.0.2");

	/* NSH MD type 1 (24 bytes) carrying IPv4; bad length; unknown next protocol. */
	fb_init(&f);
	fb_eth(&f, 0x894f);
	fb_hex(&f, "0006 0101 000001ff");
	fb_payload(&f, 16, 0);
	fb_put(&f, ip4.b, ip4.n);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_addr(&p.src, "10.0.0.1");
	f.b[15] = 0x05;
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), VG_EINVAL);
	assert_true(has_an(&p, VG_AN_NSH_BAD_HEADER_LENGTH));
	f.b[15] = 0x06;
	f.b[17] = 0x09;
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), VG_ENOTSUP);
	assert_true(has_an(&p, VG_AN_NSH_UNKNOWN_PAYLOAD));
}

static void test_ipv6_ext(void **state)
{
	(void)state;
	struct fb f;
	struct vg_packet p;
	fb_init(&f);
	fb_eth(&f, 0x86dd);
	fb_ipv6(&f, "fd00::1", "fd00::2", 0);
	fb_hex(&f, "2b00 0502 0000 0100");          /* hop-by-hop → routing: router alert, PadN */
	fb_hex(&f, "2c02 0400 00000000");           /* routing (type 4, SRH) → fragment, len 2 */
	fb_payload(&f, 16, 0);
	fb_hex(&f, "3c00 0000 0000abcd");           /* fragment, atomic (offset 0, M 0) → dest opts */
	fb_hex(&f, "0600 0104 00000000");           /* dest opts (PadN 4) → TCP */
	fb_tcp(&f, 5, 6, VG_TH_SYN, NULL, 0);
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_int_equal(p.proto, 6);
	assert_false(p.flags & VG_PKT_FRAGMENT);
	assert_true(p.flags & VG_PKT_TCP);
	assert_int_equal(p.dport, 6);
	assert_int_equal(p.ip_hlen, 40 + 8 + 24 + 8 + 8);

	/* Routing header type 0 is deprecated (RFC 5095). */
	f.b[14 + 40 + 8 + 2] = 0;
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_true(has_an(&p, VG_AN_IPV6_RH_TYPE_0));
	assert_int_equal(p.n_anomalies, 1);
	f.b[14 + 40 + 8 + 2] = 4;

	/* A real first fragment (M set): transport still decoded, flagged. */
	f.b[14 + 40 + 32 + 3] = 0x01;
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_true(p.flags & VG_PKT_FRAGMENT);
	assert_true(p.more_frags);
	assert_int_equal(p.ip_id, 0xabcd);
	assert_int_equal(p.frag_hdr_off, 40 + 32);
	assert_int_equal(p.frag_prev_nh_off, 40 + 8);
	assert_int_equal(p.dport, 6);
	/* A later fragment: no transport. */
	f.b[14 + 40 + 32 + 3] = 0x10;
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.frag_offset, 16);
	assert_false(p.flags & VG_PKT_TCP);
	assert_int_equal(p.proto, 60);

	/* Hop-by-hop not first; a bad option length. */
	fb_init(&f);
	fb_eth(&f, 0x86dd);
	fb_ipv6(&f, "fd00::1", "fd00::2", 60);
	fb_hex(&f, "0000 0109 00000000");           /* dest opts, PadN claiming 9 bytes */
	fb_hex(&f, "3b00 0000 00000000");           /* hop-by-hop second */
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_true(has_an(&p, VG_AN_IPV6_HOPOPTS_NOT_FIRST));
	assert_true(has_an(&p, VG_AN_IPV6_EXTHDR_INVALID_OPTLEN));

	/* More extension headers than VG_MAX_IPV6_EXTHDRS. */
	fb_init(&f);
	fb_eth(&f, 0x86dd);
	fb_ipv6(&f, "fd00::1", "fd00::2", 60);
	for (int i = 0; i < 20; i++)
		fb_hex(&f, "3c00 0104 00000000");
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_true(has_an(&p, VG_AN_IPV6_EXTHDR_TOO_MANY));
	assert_false(p.flags & (VG_PKT_TCP | VG_PKT_UDP));

	/* ICMPv6 echo; ICMPv4 inside IPv6 is an anomaly. */
	fb_init(&f);
	fb_eth(&f, 0x86dd);
	fb_ipv6(&f, "fd00::1", "fd00::2", 58);
	fb_hex(&f, "8000 0000 0007 0009");
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_int_equal(p.icmp_type, 128);
	assert_int_equal(p.icmp_id, 7);
	assert_int_equal(p.icmp_seq, 9);
	f.b[14 + 6] = 1;
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_true(has_an(&p, VG_AN_IPV6_WITH_ICMPV4));
}

static void test_tcp_anomalies(void **state)
{
	(void)state;
	static const struct {
		unsigned flags;
		unsigned an; /* 0: none */
	} tab[] = {
		{ VG_TH_SYN, 0 },
		{ VG_TH_SYN | VG_TH_ACK, 0 },
		{ VG_TH_ACK, 0 },
		{ VG_TH_ACK | VG_TH_PSH, 0 },
		{ VG_TH_FIN | VG_TH_ACK, 0 },
		{ VG_TH_RST, 0 },
		{ VG_TH_RST | VG_TH_ACK, 0 },
		{ VG_TH_SYN | VG_TH_ECE | VG_TH_CWR, 0 },
		{ VG_TH_SYN | VG_TH_FIN, VG_AN_TCP_INVALID_FLAGS },
		{ VG_TH_SYN | VG_TH_RST, VG_AN_TCP_INVALID_FLAGS },
		{ VG_TH_FIN | VG_TH_RST | VG_TH_ACK, VG_AN_TCP_INVALID_FLAGS },
		{ VG_TH_FIN, VG_AN_TCP_INVALID_FLAGS },
		{ VG_TH_FIN | VG_TH_PSH | VG_TH_URG, VG_AN_TCP_INVALID_FLAGS },
		{ 0, VG_AN_TCP_FLAGS_NULL },
	};
	struct fb f;
	struct vg_packet p;
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		fb_init(&f);
		fb_eth(&f, 0x0800);
		fb_ipv4(&f, "10.0.0.1", "10.0.0.2", 6);
		fb_tcp(&f, 1, 2, tab[i].flags, NULL, 0);
		fb_end(&f);
		assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
		assert_int_equal(p.tcp_flags, tab[i].flags);
		if (tab[i].an) {
			assert_int_equal(p.n_anomalies, 1);
			assert_int_equal(p.anomalies[0], tab[i].an);
		} else if (p.n_anomalies) {
			fail_msg("flags %#x: unexpected %s", tab[i].flags,
				 vg_decode_anomaly_name(p.anomalies[0]));
		}
	}

	/* Options: wscale > 14, bad MSS length, duplicate, option running off the end. */
	static const struct {
		const char *opt;
		unsigned an;
	} opts[] = {
		{ "03030f00", VG_AN_TCP_WSCALE_INVALID },
		{ "02030501", VG_AN_TCP_OPT_INVALID },
		{ "020405b4 020405b4", VG_AN_TCP_OPT_DUPLICATE },
		{ "0101080a", VG_AN_TCP_OPT_INVALID },
		{ "01010501", VG_AN_TCP_OPT_INVALID }, /* SACK of length 1 */
		{ "05000000", VG_AN_TCP_OPT_INVALID }, /* length 0 */
	};
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		struct fb o;
		fb_init(&o);
		fb_hex(&o, opts[i].opt);
		fb_init(&f);
		fb_eth(&f, 0x0800);
		fb_ipv4(&f, "10.0.0.1", "10.0.0.2", 6);
		fb_tcp(&f, 1, 2, VG_TH_SYN, o.b, o.n);
		fb_end(&f);
		assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
		if (!has_an(&p, opts[i].an))
			fail_msg("option %s: no %s", opts[i].opt, vg_decode_anomaly_name(opts[i].an));
		assert_true(p.flags & VG_PKT_TCP);
	}
	/* wscale is clamped to 14. */
	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "10.0.0.1", "10.0.0.2", 6);
	fb_tcp(&f, 1, 2, VG_TH_SYN, (const uint8_t *)"\x03\x03\x20\x00", 4);
	fb_end(&f);
	decode(VG_LINK_ETHERNET, &f, &p);
	assert_int_equal(p.tcp_wscale, 14);

	/* Data offset below 5; data offset past the packet. */
	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "10.0.0.1", "10.0.0.2", 6);
	fb_tcp(&f, 1, 2, VG_TH_SYN, NULL, 0);
	fb_end(&f);
	f.b[14 + 20 + 12] = 0x40;
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_true(has_an(&p, VG_AN_TCP_HLEN_TOO_SMALL));
	assert_false(p.flags & VG_PKT_TCP);
	f.b[14 + 20 + 12] = 0xf0;
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_true(has_an(&p, VG_AN_TCP_INVALID_OPTLEN));
	assert_int_equal(p.dport, 2);
}

static void test_ipv4_udp_anomalies(void **state)
{
	(void)state;
	struct fb f;
	struct vg_packet p;
	static const struct {
		const char *opt;
		unsigned an; /* 0: none */
	} opts[] = {
		{ "94040000", 0 },                       /* router alert */
		{ "07070400000000 00", 0 },              /* record route, 1 slot, EOL */
		{ "01010101", 0 },                       /* NOPs */
		{ "07070100000000 00", VG_AN_IPV4_OPT_MALFORMED }, /* pointer < 4 */
		{ "94050000 00000000", VG_AN_IPV4_OPT_INVALID },   /* router alert length 5 */
		{ "940c0000", VG_AN_IPV4_OPT_INVALID_LEN },        /* runs off the header */
		{ "94040000 94040000", VG_AN_IPV4_OPT_DUPLICATE },
		{ "fe040000", VG_AN_IPV4_OPT_UNKNOWN },
		{ "01010194", VG_AN_IPV4_OPT_MALFORMED },          /* type without length */
	};
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		struct fb o;
		fb_init(&o);
		fb_hex(&o, opts[i].opt);
		fb_init(&f);
		fb_eth(&f, 0x0800);
		fb_ipv4_opt(&f, "10.0.0.1", "10.0.0.2", 17, o.b, o.n);
		fb_udp(&f, 1, 2);
		fb_end(&f);
		assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
		assert_int_equal(p.ip_hlen, 20 + o.n);
		assert_int_equal(p.dport, 2);
		if (opts[i].an == 0 && p.n_anomalies)
			fail_msg("option %s: unexpected %s", opts[i].opt,
				 vg_decode_anomaly_name(p.anomalies[0]));
		if (opts[i].an && !has_an(&p, opts[i].an))
			fail_msg("option %s: no %s", opts[i].opt, vg_decode_anomaly_name(opts[i].an));
	}

	/* Header problems: version, IHL, total length < IHL. */
	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "10.0.0.1", "10.0.0.2", 17);
	fb_udp(&f, 1, 2);
	fb_end(&f);
	struct fb g = f;
	g.b[14] = 0x55;
	assert_int_equal(decode(VG_LINK_ETHERNET, &g, &p), VG_EINVAL);
	assert_true(has_an(&p, VG_AN_IPV4_WRONG_VERSION));
	assert_true(p.flags & VG_PKT_INVALID);
	g = f;
	g.b[14] = 0x44;
	assert_int_equal(decode(VG_LINK_ETHERNET, &g, &p), VG_EINVAL);
	assert_true(has_an(&p, VG_AN_IPV4_HLEN_TOO_SMALL));
	g = f;
	g.b[16] = 0;
	g.b[17] = 10;
	assert_int_equal(decode(VG_LINK_ETHERNET, &g, &p), VG_EINVAL);
	assert_true(has_an(&p, VG_AN_IPV4_IPLEN_SMALLER_THAN_HLEN));

	/* UDP length: smaller than 8, larger than the datagram, smaller than it. */
	g = f;
	g.b[14 + 20 + 5] = 4;
	assert_int_equal(decode(VG_LINK_ETHERNET, &g, &p), 0);
	assert_true(has_an(&p, VG_AN_UDP_HLEN_INVALID));
	g = f;
	g.b[14 + 20 + 5] = 200;
	assert_int_equal(decode(VG_LINK_ETHERNET, &g, &p), 0);
	assert_true(has_an(&p, VG_AN_UDP_LEN_INVALID));
	assert_false(p.flags & VG_PKT_TRUNCATED);
	fb_init(&g);
	fb_eth(&g, 0x0800);
	fb_ipv4(&g, "10.0.0.1", "10.0.0.2", 17);
	fb_udp(&g, 1, 2);
	fb_end(&g);
	fb_payload(&g, 8, 0x55);
	g.b[14 + 3] = 36; /* IP says 36: UDP (8) + 8 bytes beyond what UDP claims */
	assert_int_equal(decode(VG_LINK_ETHERNET, &g, &p), 0);
	assert_true(has_an(&p, VG_AN_UDP_LEN_INVALID));
	assert_int_equal(p.payload_len, 0);

	/* ICMPv6 in IPv4; truncated ICMP. */
	fb_init(&g);
	fb_eth(&g, 0x0800);
	fb_ipv4(&g, "10.0.0.1", "10.0.0.2", 58);
	fb_hex(&g, "80000000 00010001");
	fb_end(&g);
	assert_int_equal(decode(VG_LINK_ETHERNET, &g, &p), 0);
	assert_true(has_an(&p, VG_AN_IPV4_WITH_ICMPV6));
	fb_init(&g);
	fb_eth(&g, 0x0800);
	fb_ipv4(&g, "10.0.0.1", "10.0.0.2", 1);
	fb_hex(&g, "0800");
	fb_end(&g);
	assert_int_equal(decode(VG_LINK_ETHERNET, &g, &p), 0);
	assert_true(has_an(&p, VG_AN_ICMPV4_TRUNC));
	assert_false(p.flags & VG_PKT_ICMP);
}

/* Every proper prefix of a good frame: no read outside (ASan in the sanitizer build),
 * TRUNCATED plus at least one anomaly, INVALID exactly when no IP header was reached,
 * and pointers inside the prefix. */
static void check_prefixes(int lt, const struct fb *f, const char *what)
{
	struct vg_packet p;
	for (size_t n = 0; n < f->n; n++) {
		/* Exact size (not test_malloc, which pads): ASan sees any overrun. */
		uint8_t *copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, f->b, n);
		int rc = vg_decode_packet(lt, copy, n, 0, &p);
		if (!(p.flags & VG_PKT_TRUNCATED) || p.n_anomalies == 0)
			fail_msg("%s: prefix %zu/%zu not flagged truncated (%u anomalies)", what, n,
				 f->n, p.n_anomalies);
		if ((rc != 0) != ((p.flags & VG_PKT_INVALID) != 0) || (rc == 0) != (p.ip_version != 0))
			fail_msg("%s: prefix %zu: rc %d flags %#x", what, n, rc, p.flags);
		if (p.l3)
			assert_true(p.l3 >= copy && p.l3 + p.l3_len <= copy + n);
		if (p.l4)
			assert_true(p.l4 >= copy && p.l4 + p.l4_len <= copy + n);
		if (p.payload)
			assert_true(p.payload + p.payload_len <= copy + n);
		free(copy);
	}
	assert_int_equal(vg_decode_packet(lt, f->b, f->n, 0, &p), 0);
	if (p.flags & VG_PKT_TRUNCATED)
		fail_msg("%s: whole frame flagged truncated", what);
}

static void test_truncation(void **state)
{
	(void)state;
	struct fb f;
	struct vg_packet p;

	build_syn(&f);
	check_prefixes(VG_LINK_ETHERNET, &f, "syn");
	/* The anomaly names the layer that was cut. */
	static const struct {
		size_t n;
		unsigned an;
	} at[] = {
		{ 0, VG_AN_ETH_TRUNC }, { 13, VG_AN_ETH_TRUNC }, { 14, VG_AN_IPV4_PKT_TOO_SMALL },
		{ 33, VG_AN_IPV4_PKT_TOO_SMALL }, { 34, VG_AN_TCP_TRUNC }, { 53, VG_AN_TCP_TRUNC },
		{ 54, VG_AN_TCP_INVALID_OPTLEN },
	};
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		vg_decode_packet(VG_LINK_ETHERNET, f.b, at[i].n, 0, &p);
		if (!has_an(&p, at[i].an))
			fail_msg("prefix %zu: no %s", at[i].n, vg_decode_anomaly_name(at[i].an));
		if (at[i].n >= 34)
			assert_true(has_an(&p, VG_AN_IPV4_TRUNC));
	}
	vg_decode_packet(VG_LINK_ETHERNET, f.b, 54, 0, &p);
	assert_int_equal(p.dport, 22); /* the fixed header is still used */

	build_vxlan(&f, 1002, 80);
	check_prefixes(VG_LINK_ETHERNET, &f, "vxlan");
	vg_decode_packet(VG_LINK_ETHERNET, f.b, 14 + 20 + 8 + 4, 0, &p);
	assert_true(has_an(&p, VG_AN_VXLAN_TRUNC));
	vg_decode_packet(VG_LINK_ETHERNET, f.b, 14 + 20 + 8 + 8 + 10, 0, &p);
	assert_true(has_an(&p, VG_AN_ETH_TRUNC));
	assert_addr(&p.src, "10.98.0.1");

	build_erspan(&f, 2, false);
	check_prefixes(VG_LINK_ETHERNET, &f, "erspan2");
	build_erspan(&f, 3, true);
	check_prefixes(VG_LINK_ETHERNET, &f, "erspan3");

	fb_init(&f);
	fb_eth(&f, 0x88a8);
	fb_vlan(&f, 10, 0x8100);
	fb_vlan(&f, 20, 0x86dd);
	fb_ipv6(&f, "fd00::1", "fd00::2", 0);
	fb_hex(&f, "2c00 0104 00000000");
	fb_hex(&f, "1100 0000 00000007");           /* atomic fragment */
	fb_udp(&f, 1, 6081);
	fb_geneve(&f, 3, 0x6558, "01020301 aabbccdd");
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "192.168.1.1", "192.168.1.2", 47);
	fb_gre(&f, 0x2000, 0x8847, 5, 0);
	fb_hex(&f, "00065 140");
	fb_ipv4(&f, "172.16.0.1", "172.16.0.2", 6);
	fb_tcp(&f, 7, 8, VG_TH_SYN, syn_opts, sizeof(syn_opts));
	fb_end(&f);
	assert_int_equal(decode(VG_LINK_ETHERNET, &f, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_int_equal(p.overlay, VG_OVERLAY_GRE);
	assert_int_equal(p.vni, 5);
	assert_addr(&p.outer_src, "fd00::1");
	assert_addr(&p.src, "172.16.0.1");
	assert_int_equal(p.tcp_mss, 1460);
	assert_int_equal(p.encap_depth, 5);
	assert_int_equal(p.layers, VG_LAYER_ETHERNET | VG_LAYER_VLAN | VG_LAYER_IPV6 | VG_LAYER_UDP |
				   VG_LAYER_GENEVE | VG_LAYER_IPV4 | VG_LAYER_GRE | VG_LAYER_MPLS |
				   VG_LAYER_TCP);
	check_prefixes(VG_LINK_ETHERNET, &f, "qinq-ipv6-geneve-gre-mpls");

	fb_init(&f);
	fb_eth(&f, 0x8864);
	fb_hex(&f, "1100 0042 0032 0021");
	fb_ipv4(&f, "100.64.0.1", "100.64.0.2", 17);
	fb_udp(&f, 1, 2);
	fb_payload(&f, 20, 1);
	fb_end(&f);
	check_prefixes(VG_LINK_ETHERNET, &f, "pppoe");
}

static void test_anomaly_names(void **state)
{
	(void)state;
	for (unsigned i = 1; i < VG_AN__COUNT; i++) {
		const char *n = vg_decode_anomaly_name(i);
		if (strcmp(n, "unknown") == 0 || strchr(n, '.') == NULL)
			fail_msg("anomaly %u has no name", i);
		const char *l = vg_decode_anomaly_layer(i);
		assert_string_not_equal(l, "unknown");
		assert_memory_equal(n, l, strlen(l));
		for (unsigned j = 1; j < i; j++)
			if (strcmp(n, vg_decode_anomaly_name(j)) == 0)
				fail_msg("anomaly %u and %u share the name %s", i, j, n);
	}
	assert_string_equal(vg_decode_anomaly_name(VG_AN_IPV4_TRUNC), "ipv4.trunc_pkt");
	assert_string_equal(vg_decode_anomaly_name(VG_AN_TCP_HLEN_TOO_SMALL), "tcp.hlen_too_small");
	assert_string_equal(vg_decode_anomaly_layer(VG_AN_TCP_HLEN_TOO_SMALL), "tcp");
	assert_string_equal(vg_decode_anomaly_name(VG_AN__COUNT), "unknown");
	assert_string_equal(vg_decode_anomaly_name(60000), "unknown");
	assert_string_equal(vg_decode_anomaly_layer(60000), "unknown");
	for (unsigned i = 0; i < VG_LAYER__COUNT; i++)
		assert_string_not_equal(vg_decode_layer_name(1u << i), "unknown");
	assert_string_equal(vg_decode_layer_name(VG_LAYER_NSH), "nsh");
	assert_string_equal(vg_decode_layer_name(VG_LAYER_ICMPV6), "icmpv6");
	assert_string_equal(vg_decode_layer_name(3), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eth_ipv4_tcp),
		cmocka_unit_test(test_vlan_qinq),
		cmocka_unit_test(test_vxlan),
		cmocka_unit_test(test_geneve),
		cmocka_unit_test(test_gre),
		cmocka_unit_test(test_erspan),
		cmocka_unit_test(test_mpls),
		cmocka_unit_test(test_pppoe),
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_ipv6_ext),
		cmocka_unit_test(test_tcp_anomalies),
		cmocka_unit_test(test_ipv4_udp_anomalies),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_anomaly_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
