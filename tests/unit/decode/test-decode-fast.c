/* The decoder's hot path (decode-fast.h: a plain IPv4 header and its TCP, UDP or ICMP
 * header, with the common TCP option layouts recognised whole) must give what the
 * general code gives. The same datagrams are decoded through every entry that reaches
 * that code: untagged Ethernet (inlined in vg_decode_packet on the zeroed packet),
 * a VLAN tag and a raw IPv4 link (vg_decode_ipv4), and VXLAN (an inner layer, after
 * the outer one was cleared away); near misses must go to the general code; option
 * layouts recognised whole must equal the walk of the same options in another order;
 * anomalies keep the walk's order; and no field is left over from what the packet
 * struct held before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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

/* Offset of q inside the frame of p, -1 for NULL. */
static long off(const struct vg_packet *p, const uint8_t *q)
{
	return q ? (long)(q - p->data) : -1;
}

static long offl3(const struct vg_packet *p, const uint8_t *q)
{
	return q ? (long)(q - p->l3) : -1;
}

/* A field of a and b (in scope as such) alike. */
#define SAME(f)                                                                          \
	do {                                                                             \
		if ((long long)(a->f) != (long long)(b->f))                              \
			fail_msg("%s: %s %lld != %lld", what, #f, (long long)(a->f),     \
				 (long long)(b->f));                                     \
	} while (0)
/* A pointer field of a and b alike as an offset (off or offl3). */
#define SAME_AT(how, f)                                                                  \
	do {                                                                             \
		if (how(a, a->f) != how(b, b->f))                                        \
			fail_msg("%s: %s at %ld != %ld", what, #f, how(a, a->f),         \
				 how(b, b->f));                                          \
	} while (0)

/* What an IP layer and its transport decoded to, pointers relative to the IP header,
 * so that the same datagram can be compared across encapsulations. */
static void same_ip(const struct vg_packet *a, const struct vg_packet *b, const char *what)
{
	const uint32_t mask = VG_PKT_IPV4 | VG_PKT_IPV6 | VG_PKT_TCP | VG_PKT_UDP | VG_PKT_ICMP |
			      VG_PKT_FRAGMENT | VG_PKT_TRUNCATED | VG_PKT_INVALID;
	if ((a->flags & mask) != (b->flags & mask))
		fail_msg("%s: flags %#x != %#x", what, a->flags & mask, b->flags & mask);
	assert_true(vg_addr_eq(&a->src, &b->src) && vg_addr_eq(&a->dst, &b->dst));
	assert_memory_equal(&a->src, &b->src, sizeof(a->src));
	assert_memory_equal(&a->dst, &b->dst, sizeof(a->dst));
	SAME(ip_version); SAME(proto); SAME(ttl); SAME(ip_id); SAME(frag_offset);
	SAME(more_frags); SAME(l3_len); SAME(ip_hlen); SAME(l4_len); SAME(sport); SAME(dport);
	SAME(tcp_flags); SAME(tcp_seq); SAME(tcp_ack); SAME(tcp_win); SAME(tcp_mss);
	SAME(tcp_wscale); SAME(tcp_sackok); SAME(tcp_ts); SAME(tcp_tsval); SAME(tcp_tsecr);
	SAME(icmp_type); SAME(icmp_code); SAME(icmp_id); SAME(icmp_seq); SAME(payload_len);
	SAME(frag_data_len); SAME(n_anomalies); SAME(anomalies_dropped);
	SAME_AT(offl3, l4);
	SAME_AT(offl3, payload);
	SAME_AT(offl3, frag_data);
	for (unsigned i = 0; i < a->n_anomalies; i++)
		SAME(anomalies[i]);
	SAME(layers & (VG_LAYER_IPV4 | VG_LAYER_TCP | VG_LAYER_ICMPV4)); /* UDP: also a VXLAN carrier */
}

/* Every field, pointers as offsets into the frame. */
static void same_all(const struct vg_packet *a, const struct vg_packet *b, const char *what)
{
	same_ip(a, b, what);
	SAME(ts_us); SAME(caplen); SAME(wirelen); SAME(linktype); SAME(flags); SAME(overlay);
	SAME(has_vni); SAME(vni); SAME(vlan[0]); SAME(vlan[1]); SAME(n_vlan); SAME(encap_depth);
	SAME(ethertype); SAME(n_mpls); SAME(mpls_label); SAME(pppoe_session); SAME(layers);
	SAME(frag_hdr_off); SAME(frag_prev_nh_off);
	SAME_AT(off, l3);
	assert_memory_equal(&a->outer_src, &b->outer_src, sizeof(a->outer_src));
	assert_memory_equal(&a->outer_dst, &b->outer_dst, sizeof(a->outer_dst));
	assert_memory_equal(a->anomalies, b->anomalies, sizeof(a->anomalies));
}

enum { NO_FLAGS = 0x10000 };

/* One IPv4 datagram of the table: a header variant and a transport. */
struct dg {
	const char *what;
	unsigned proto;
	unsigned tcp_flags;
	const char *l4_hex;   /* TCP options (TCP), or the transport header and payload */
	unsigned frag;        /* the IPv4 flags/offset field; 0: DF, NO_FLAGS: none */
	int tot_delta;        /* added to the IPv4 total length */
	int udp_delta;        /* added to the UDP length */
	bool plain;           /* takes the hot path */
};

static const struct dg dgs[] = {
	{ "tcp ack", 6, VG_TH_ACK, "", 0, 0, 0, true },
	{ "tcp nop nop ts", 6, VG_TH_ACK | VG_TH_PSH, "0101080a 00000005 00000009", 0, 0, 0, true },
	{ "tcp mss", 6, VG_TH_SYN, "020405b4", 0, 0, 0, true },
	{ "tcp linux syn", 6, VG_TH_SYN, "020405b4 0402 080a 00000001 00000000 01 030307", 0, 0,
	  0, true },
	{ "tcp linux syn ws 14", 6, VG_TH_SYN, "020405b4 0402 080a 00000001 00000000 01 03030e",
	  0, 0, 0, true },
	{ "tcp linux syn ws 15", 6, VG_TH_SYN, "020405b4 0402 080a 00000001 00000000 01 03030f",
	  0, 0, 0, true },
	{ "tcp ts then nops", 6, VG_TH_ACK, "080a 00000005 00000009 0101", 0, 0, 0, true },
	{ "tcp ts length 11", 6, VG_TH_ACK, "0101080b 00000005 00000009", 0, 0, 0, true },
	{ "tcp mss twice", 6, VG_TH_SYN, "020405b4 020405b4", 0, 0, 0, true },
	{ "tcp fin, options cut", 6, VG_TH_FIN, "0101080a", 0, 0, 0, true },
	{ "tcp xmas, nop nop ts", 6, VG_TH_FIN | VG_TH_PSH | VG_TH_URG,
	  "0101080a 00000005 00000009", 0, 0, 0, true },
	{ "tcp null", 6, 0, "", 0, 0, 0, true },
	{ "tcp syn fin", 6, VG_TH_SYN | VG_TH_FIN, "", 0, 0, 0, true },
	{ "tcp syn ack", 6, VG_TH_SYN | VG_TH_ACK, "020405b4", 0, 0, 0, true },
	{ "tcp rst ack", 6, VG_TH_RST | VG_TH_ACK, "", 0, 0, 0, true },
	{ "udp", 17, 0, "0035 0035 0000 0000 aabbccdd", 0, 0, 0, true },
	{ "udp len short", 17, 0, "0035 0035 0000 0000 aabbccdd", 0, 0, -2, true },
	{ "udp len long", 17, 0, "0035 0035 0000 0000 aabbccdd", 0, 0, 2, true },
	{ "udp len 0", 17, 0, "0035 0035 0000 0000 aabbccdd", 0, 0, -12, true },
	{ "icmp echo", 1, 0, "0800 0000 1234 0001 61626364", 0, 0, 0, true },
	{ "icmp unreachable", 1, 0, "0303 0000 00000000 4500", 0, 0, 0, true },
	{ "icmp short", 1, 0, "0800 0000", 0, 0, 0, true },
	{ "tcp short", 6, 0, "0001 0002 0000", 0, -20, 0, true },
	{ "gre", 47, 0, "0000 0800", 0, 0, 0, true },
	{ "no next header", 59, 0, "00000000", 0, 0, 0, true },
	{ "no DF", 6, VG_TH_ACK, "", NO_FLAGS, 0, 0, true },
	{ "padding after the datagram", 6, VG_TH_ACK, "", 0, -4, 0, true },
	/* near misses: the general code */
	{ "first fragment", 6, VG_TH_ACK, "", 0x2000, 0, 0, false },
	{ "last fragment", 6, VG_TH_ACK, "", 0x0010, 0, 0, false },
	{ "reserved bit", 6, VG_TH_ACK, "", 0x8000, 0, 0, true },
	{ "total length past the capture", 6, VG_TH_ACK, "", 0, 8, 0, false },
	{ "total length below the header", 6, VG_TH_ACK, "", 0, -100, 0, false },
};

/* The datagram, with padding bytes after it when tot_delta < 0 (and a TCP header of
 * 20 bytes before options; for "tcp short" the header is the hex itself). */
static void build_dg(struct fb *f, const struct dg *d)
{
	size_t start = f->n;
	struct fb o;
	fb_init(&o);
	fb_hex(&o, d->l4_hex);
	fb_ipv4(f, "10.0.0.1", "10.0.0.2", d->proto);
	f->nfix--; /* the lengths are set here, not by fb_end() */
	if (d->proto == 6 && d->tot_delta != -20)
		fb_tcp(f, 40000, 22, d->tcp_flags, o.b, o.n);
	else
		fb_put(f, o.b, o.n);
	size_t tot = f->n - start;
	if (d->proto == 17) {
		size_t ul = tot - 20 + (size_t)(long)d->udp_delta;
		f->b[start + 24] = (uint8_t)(ul >> 8);
		f->b[start + 25] = (uint8_t)ul;
	}
	if (d->tot_delta == -20) /* "tcp short": the IP length covers what is there */
		;
	else if (d->tot_delta < 0 && d->tot_delta > -100)
		fb_payload(f, (size_t)-d->tot_delta, 0);
	else if (d->tot_delta == -100)
		tot = 12;
	else
		tot += (size_t)d->tot_delta;
	f->b[start + 2] = (uint8_t)(tot >> 8);
	f->b[start + 3] = (uint8_t)tot;
	unsigned fr = d->frag == 0 ? 0x4000 : d->frag == NO_FLAGS ? 0 : d->frag;
	f->b[start + 6] = (uint8_t)(fr >> 8);
	f->b[start + 7] = (uint8_t)fr;
}

static void test_entries_agree(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dgs) / sizeof(dgs[0]); i++) {
		const struct dg *d = &dgs[i];
		struct fb eth, vlan, raw, vx;
		struct vg_packet pe, pv, pr, px;
		char what[128];

		fb_init(&eth);
		fb_eth(&eth, 0x0800);
		build_dg(&eth, d);
		fb_init(&vlan);
		fb_eth(&vlan, 0x8100);
		fb_vlan(&vlan, 7, 0x0800);
		build_dg(&vlan, d);
		fb_init(&raw);
		build_dg(&raw, d);
		fb_init(&vx);
		fb_eth(&vx, 0x0800);
		fb_ipv4(&vx, "10.98.0.1", "10.98.0.2", 17);
		fb_udp(&vx, 50000, 4789);
		fb_vxlan(&vx, 1001);
		fb_eth(&vx, 0x0800);
		build_dg(&vx, d);
		fb_end(&vx); /* the outer lengths only */

		int re = vg_decode_packet(VG_LINK_ETHERNET, eth.b, eth.n, 1, &pe);
		int rv = vg_decode_packet(VG_LINK_ETHERNET, vlan.b, vlan.n, 1, &pv);
		int rr = vg_decode_packet(VG_LINK_IPV4, raw.b, raw.n, 1, &pr);
		int rx = vg_decode_packet(VG_LINK_ETHERNET, vx.b, vx.n, 1, &px);
		assert_int_equal(re, rv);
		assert_int_equal(re, rr);
		snprintf(what, sizeof(what), "%s: vlan", d->what);
		same_ip(&pe, &pv, what);
		snprintf(what, sizeof(what), "%s: raw", d->what);
		same_ip(&pe, &pr, what);
		assert_int_equal(pv.n_vlan, 1);
		assert_int_equal(pv.vlan[0], 7);
		if (re == 0) {
			/* Inside VXLAN: the inner layer, with nothing of the outer UDP left. */
			assert_int_equal(rx, 0);
			snprintf(what, sizeof(what), "%s: vxlan", d->what);
			same_ip(&pe, &px, what);
			assert_int_equal(px.vni, 1001);
			assert_int_equal(px.outer_src.family, VG_AF_INET);
		}
		/* Did it take the path the table says? The general path for the near misses
		 * shows in what only it can set. */
		if (!d->plain)
			assert_true((pe.flags & (VG_PKT_FRAGMENT | VG_PKT_INVALID)) ||
				    has_an(&pe, VG_AN_IPV4_TRUNC));
	}
}

/* A few expectations, so that agreement is not agreement on something wrong. */
static void test_known_option_values(void **state)
{
	(void)state;
	struct fb f;
	struct vg_packet p;
	static const struct {
		size_t dg;
		unsigned mss, wscale;
		bool sackok, ts;
		uint32_t tsval, tsecr;
		unsigned an0, an1;
	} tab[] = {
		{ 1, 0, 0xff, false, true, 5, 9, 0, 0 },
		{ 2, 1460, 0xff, false, false, 0, 0, 0, 0 },
		{ 3, 1460, 7, true, true, 1, 0, 0, 0 },
		{ 4, 1460, 14, true, true, 1, 0, 0, 0 },
		{ 5, 1460, 14, true, true, 1, 0, VG_AN_TCP_WSCALE_INVALID, 0 },
		{ 6, 0, 0xff, false, true, 5, 9, 0, 0 },
		{ 7, 0, 0xff, false, false, 0, 0, VG_AN_TCP_OPT_INVALID, 0 },
		{ 8, 1460, 0xff, false, false, 0, 0, VG_AN_TCP_OPT_DUPLICATE, 0 },
		/* the flag anomaly first, then the options': the walk's order */
		{ 9, 0, 0xff, false, false, 0, 0, VG_AN_TCP_INVALID_FLAGS, VG_AN_TCP_OPT_INVALID },
		{ 10, 0, 0xff, false, true, 5, 9, VG_AN_TCP_INVALID_FLAGS, 0 },
		{ 11, 0, 0xff, false, false, 0, 0, VG_AN_TCP_FLAGS_NULL, 0 },
		{ 12, 0, 0xff, false, false, 0, 0, VG_AN_TCP_INVALID_FLAGS, 0 },
		{ 13, 1460, 0xff, false, false, 0, 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		const struct dg *d = &dgs[tab[i].dg];
		fb_init(&f);
		fb_eth(&f, 0x0800);
		build_dg(&f, d);
		assert_int_equal(vg_decode_packet(VG_LINK_ETHERNET, f.b, f.n, 1, &p), 0);
		if (p.tcp_mss != tab[i].mss || p.tcp_wscale != tab[i].wscale ||
		    p.tcp_sackok != tab[i].sackok || p.tcp_ts != tab[i].ts ||
		    p.tcp_tsval != tab[i].tsval || p.tcp_tsecr != tab[i].tsecr)
			fail_msg("%s: mss %u ws %u sack %d ts %d %u %u", d->what, p.tcp_mss,
				 p.tcp_wscale, p.tcp_sackok, p.tcp_ts, p.tcp_tsval, p.tcp_tsecr);
		unsigned n = (tab[i].an0 != 0) + (tab[i].an1 != 0);
		if (p.n_anomalies != n || (n > 0 && p.anomalies[0] != tab[i].an0) ||
		    (n > 1 && p.anomalies[1] != tab[i].an1))
			fail_msg("%s: %u anomalies, first %s", d->what, p.n_anomalies,
				 p.n_anomalies ? vg_decode_anomaly_name(p.anomalies[0]) : "-");
		assert_true(p.flags & VG_PKT_TCP);
	}

	/* Options cut off by the capture, with odd flags: the same order. */
	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "10.0.0.1", "10.0.0.2", 6);
	fb_tcp(&f, 1, 2, VG_TH_SYN | VG_TH_FIN, NULL, 0);
	fb_end(&f);
	f.b[14 + 20 + 12] = 0x80; /* 32 bytes of header in 20 */
	assert_int_equal(vg_decode_packet(VG_LINK_ETHERNET, f.b, f.n, 1, &p), 0);
	assert_int_equal(p.n_anomalies, 2);
	assert_int_equal(p.anomalies[0], VG_AN_TCP_INVALID_FLAGS);
	assert_int_equal(p.anomalies[1], VG_AN_TCP_INVALID_OPTLEN);
	assert_int_equal(p.payload_len, 0);
}

/* Whatever the packet struct held before, the result is the same: the decoder sets or
 * clears every field (here: garbage before, against zero before). */
static void test_no_leftovers(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dgs) / sizeof(dgs[0]); i++) {
		struct fb f;
		struct vg_packet a, b;
		fb_init(&f);
		fb_eth(&f, 0x0800);
		build_dg(&f, &dgs[i]);
		memset(&a, 0, sizeof(a));
		memset(&b, 0xa5, sizeof(b));
		assert_int_equal(vg_decode_packet(VG_LINK_ETHERNET, f.b, f.n, 9, &a),
				 vg_decode_packet(VG_LINK_ETHERNET, f.b, f.n, 9, &b));
		same_all(&a, &b, dgs[i].what);
		if (a.ip_version)
			assert_int_equal(a.ip_version, 4);
		memset(&b, 0x5a, sizeof(b));
		assert_int_equal(vg_decode_packet(VG_LINK_IPV4, f.b + 14, f.n - 14, 9, &a),
				 vg_decode_packet(VG_LINK_IPV4, f.b + 14, f.n - 14, 9, &b));
		same_all(&a, &b, dgs[i].what);
	}
	/* Untagged Ethernet IPv4 against the same frame through the general entry
	 * (vg_decode_ip, a reassembled datagram): the IP layer alike. */
	struct fb f;
	struct vg_packet a, b;
	fb_init(&f);
	fb_eth(&f, 0x0800);
	build_dg(&f, &dgs[3]);
	assert_int_equal(vg_decode_packet(VG_LINK_ETHERNET, f.b, f.n, 9, &a), 0);
	memset(&b, 0xa5, sizeof(b));
	assert_int_equal(vg_decode_ip(f.b + 14, f.n - 14, &a, &b), 0);
	same_ip(&a, &b, "vg_decode_ip");
	assert_true(b.flags & VG_PKT_REASSEMBLED);
}

/* An inner plain IPv4 layer clears the outer transport: ICMP inside VXLAN has no UDP
 * ports, no UDP flag, its own payload; the outer addresses move to outer_*. */
static void test_inner_clears_outer(void **state)
{
	(void)state;
	struct fb f;
	struct vg_packet p;
	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "10.98.0.1", "10.98.0.2", 17);
	fb_udp(&f, 50000, 4789);
	fb_vxlan(&f, 1002);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "192.168.10.1", "192.168.10.2", 1);
	fb_hex(&f, "0800 0000 0042 0007 61626364");
	fb_end(&f);
	assert_int_equal(vg_decode_packet(VG_LINK_ETHERNET, f.b, f.n, 1, &p), 0);
	assert_int_equal(p.n_anomalies, 0);
	assert_int_equal(p.flags, VG_PKT_IPV4 | VG_PKT_ICMP);
	assert_int_equal(p.layers, VG_LAYER_ETHERNET | VG_LAYER_IPV4 | VG_LAYER_UDP |
				   VG_LAYER_VXLAN | VG_LAYER_ICMPV4);
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.dport, 0);
	assert_int_equal(p.icmp_id, 0x42);
	assert_int_equal(p.icmp_seq, 7);
	assert_int_equal(p.payload_len, 4);
	assert_ptr_equal(p.payload, f.b + f.n - 4);
	assert_ptr_equal(p.l3, f.b + 14 + 20 + 8 + 8 + 14);
	assert_int_equal(p.tcp_wscale, 0xff);
	assert_int_equal(p.proto, 1);
	char buf[VG_ADDR_STRLEN];
	assert_string_equal(vg_addr_format(&p.outer_src, buf), "10.98.0.1");
	assert_string_equal(vg_addr_format(&p.src, buf), "192.168.10.1");
	assert_int_equal(p.encap_depth, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries_agree),
		cmocka_unit_test(test_known_option_values),
		cmocka_unit_test(test_no_leftovers),
		cmocka_unit_test(test_inner_clears_outer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
