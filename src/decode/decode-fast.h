/* decode-fast.h — the decoder's hot path as inline functions: a plain IPv4 header and
 * the TCP, UDP or ICMP header it carries. vg_decode_packet() (decode.c) inlines it for
 * an untagged Ethernet frame, where the packet was just zeroed and the compiler can
 * drop what zeroing made moot (clearing an inner layer's leftovers, OR-ing flags into
 * zero); vg_decode_ipv4() (decode-ip.c) for every other plain IPv4 header (tunnelled,
 * VLAN-tagged, other link types); the out-of-line vg_decode_tcp/udp/icmpv4 entries
 * (decode-l4.c) for the rest. Everything uncommon (anomalies, option walks, lengths
 * that disagree) is out of line, in tail position where it can be, so that the hot
 * path needs no stack frame. The steps and their results are exactly those of the
 * general code for the same headers; only tests that cannot fail are left out. */
#ifndef VG_DECODE_FAST_H
#define VG_DECODE_FAST_H

#include <stdbool.h>

#include "decode/decode-int.h"

/* decode-ip.c */
/* Make room for an inner IP layer (nothing to do for the first one). */
void vg_decode_ip_commit(struct vg_packet *p);
/* Any transport or tunnel after an IP header; sets proto/l4/l4_len. */
void vg_decode_l4_dispatch(struct vg_packet *p, uint8_t proto, const uint8_t *b, size_t len);
/* decode-l4.c */
/* A transport header cut short (a truncation, or in a first fragment just the anomaly). */
void vg_decode_l4_trunc(struct vg_packet *p, unsigned code);
/* The rest of a TCP header (hl: its length) whose options need the walk or are cut
 * off. Returns 0. */
int vg_decode_tcp_slow(struct vg_packet *p, const uint8_t *b, size_t len, size_t hl);
/* The anomaly for flags vg_tcp_flags_odd() says are odd. Returns 0. */
int vg_decode_tcp_flags_an(struct vg_packet *p, uint8_t f);
/* The rest of a UDP header whose length (ulen) is not the IP layer's, or in a first
 * fragment. Returns 0. */
int vg_decode_udp_slow(struct vg_packet *p, const uint8_t *b, size_t len, size_t ulen);

/* Flags no TCP stack sends: none at all; SYN+FIN, SYN+RST, FIN+RST, or FIN/PSH/URG
 * without ACK (FIN, Xmas). */
static inline bool vg_tcp_flags_odd(uint8_t f)
{
	return f == 0 || ((f & VG_TH_SYN) && (f & (VG_TH_FIN | VG_TH_RST))) ||
	       ((f & VG_TH_FIN) && (f & VG_TH_RST)) ||
	       (!(f & (VG_TH_ACK | VG_TH_SYN | VG_TH_RST)) && (f & (VG_TH_FIN | VG_TH_PSH | VG_TH_URG)));
}

/* The three option layouts that make up nearly all segments, recognised whole, with
 * the result the walk would give: NOP NOP TS (every segment of a connection with
 * timestamps), MSS alone, and Linux's SYN (MSS SACK-permitted TS NOP WS, a shift
 * within RFC 7323's 14). False for anything else, with nothing set. */
static inline bool vg_tcp_options_known(struct vg_packet *p, const uint8_t *o, size_t n)
{
	if (n == 12 && vg_rd32(o) == 0x0101080au) {
		p->tcp_ts = true;
		p->tcp_tsval = vg_rd32(o + 4);
		p->tcp_tsecr = vg_rd32(o + 8);
		return true;
	}
	if (n == 4 && o[0] == 2 && o[1] == 4) {
		p->tcp_mss = vg_rd16(o + 2);
		return true;
	}
	if (n == 20 && o[0] == 2 && o[1] == 4 && vg_rd32(o + 4) == 0x0402080au &&
	    (vg_rd32(o + 16) >> 8) == 0x010303u && o[19] <= 14) {
		p->tcp_mss = vg_rd16(o + 2);
		p->tcp_sackok = true;
		p->tcp_ts = true;
		p->tcp_tsval = vg_rd32(o + 8);
		p->tcp_tsecr = vg_rd32(o + 12);
		p->tcp_wscale = o[19];
		return true;
	}
	return false;
}

/* TCP header; b/len: what the IP layer carries. Returns 0. */
static inline int vg_decode_tcp_fast(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 20) {
		vg_decode_l4_trunc(p, VG_AN_TCP_TRUNC);
		return 0;
	}
	size_t hl = (size_t)(b[12] >> 4) * 4;
	if (hl < 20) {
		vg_decode_an(p, VG_AN_TCP_HLEN_TOO_SMALL);
		return 0;
	}
	uint8_t f = b[13]; /* read once: the stores to *p may alias b */
	p->flags |= VG_PKT_TCP;
	p->layers |= VG_LAYER_TCP;
	p->sport = vg_rd16(b);
	p->dport = vg_rd16(b + 2);
	p->tcp_seq = vg_rd32(b + 4);
	p->tcp_ack = vg_rd32(b + 8);
	p->tcp_flags = f;
	p->tcp_win = vg_rd16(b + 14);

	if (hl > len || (hl > 20 && !vg_tcp_options_known(p, b + 20, hl - 20)))
		return vg_decode_tcp_slow(p, b, len, hl);
	p->payload = b + hl;
	p->payload_len = (uint32_t)(len - hl);
	/* No option anomaly can follow here, so the flag check may come last. ACK without
	 * SYN, FIN or RST (most segments) is always fine. */
	if (((f & (VG_TH_SYN | VG_TH_FIN | VG_TH_RST)) || !(f & VG_TH_ACK)) && vg_tcp_flags_odd(f))
		return vg_decode_tcp_flags_an(p, f);
	return 0;
}

/* VXLAN and Geneve, by their UDP ports. What they find (or not) does not change that
 * the IP layer below was decoded: 0. */
static inline int vg_decode_udp_overlay(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (p->dport == VG_PORT_VXLAN)
		(void)vg_decode_vxlan(p, b, len);
	else if (p->dport == VG_PORT_GENEVE)
		(void)vg_decode_geneve(p, b, len);
	return 0;
}

/* UDP header. Returns 0. */
static inline int vg_decode_udp_fast(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 8) {
		vg_decode_l4_trunc(p, VG_AN_UDP_TRUNC);
		return 0;
	}
	p->flags |= VG_PKT_UDP;
	p->layers |= VG_LAYER_UDP;
	p->sport = vg_rd16(b);
	p->dport = vg_rd16(b + 2);
	size_t ulen = vg_rd16(b + 4);
	if (ulen != len || (p->flags & VG_PKT_FRAGMENT))
		return vg_decode_udp_slow(p, b, len, ulen);
	/* The UDP length is the IP layer's: nothing to check. */
	p->payload = b + 8;
	p->payload_len = (uint32_t)(len - 8);
	return vg_decode_udp_overlay(p, b + 8, len - 8);
}

/* ICMPv4 header. Returns 0. */
static inline int vg_decode_icmpv4_fast(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 8) {
		vg_decode_l4_trunc(p, VG_AN_ICMPV4_TRUNC);
		return 0;
	}
	p->flags |= VG_PKT_ICMP;
	p->layers |= VG_LAYER_ICMPV4;
	p->icmp_type = b[0];
	p->icmp_code = b[1];
	switch (b[0]) {
	case 0: case 8:   /* echo */
	case 13: case 14: /* timestamp */
	case 15: case 16: /* information */
	case 17: case 18: /* address mask */
		p->icmp_id = vg_rd16(b + 4);
		p->icmp_seq = vg_rd16(b + 6);
		break;
	default:
		break;
	}
	p->payload = b + 8;
	p->payload_len = (uint32_t)(len - 8);
	return 0;
}

/* The total length of a plain IPv4 header at b (len bytes captured): version 4 with
 * no options (first byte 0x45), a total length that covers the header and was
 * captured whole, not a fragment (only DF may be set). 0 for anything else, which
 * the general IPv4 code then takes. */
static inline size_t vg_ipv4_plain_len(const uint8_t *b, size_t len)
{
	if (len < 20 || b[0] != 0x45)
		return 0;
	size_t tot = vg_rd16(b + 2);
	if (tot < 20 || tot > len || (vg_rd16(b + 6) & 0x3fff) != 0)
		return 0;
	return tot;
}

/* A plain IPv4 header (tot from vg_ipv4_plain_len) and its transport: what the general
 * IPv4 code does with every test passing, without the option and fragment code.
 * Returns 0. */
static inline int vg_decode_ipv4_plain(struct vg_packet *p, const uint8_t *b, size_t tot)
{
	if (p->ip_version != 0)
		vg_decode_ip_commit(p);
	p->ip_version = 4;
	p->flags |= VG_PKT_IPV4;
	p->layers |= VG_LAYER_IPV4;
	vg_decode_addr4(&p->src, b + 12);
	vg_decode_addr4(&p->dst, b + 16);
	p->ttl = b[8];
	p->ip_id = vg_rd16(b + 4);
	p->l3 = b;
	p->l3_len = (uint32_t)tot;
	p->ip_hlen = 20;
	/* frag_offset and more_frags are 0 already (zeroed packet, or ip_commit) */
	uint8_t proto = b[9];
	p->proto = proto;
	p->l4 = b + 20;
	p->l4_len = (uint32_t)(tot - 20);
	if (proto == VG_IPP_TCP)
		return vg_decode_tcp_fast(p, b + 20, tot - 20);
	if (proto == VG_IPP_UDP)
		return vg_decode_udp_fast(p, b + 20, tot - 20);
	if (proto == VG_IPP_ICMP)
		return vg_decode_icmpv4_fast(p, b + 20, tot - 20);
	vg_decode_l4_dispatch(p, proto, b + 20, tot - 20);
	return 0;
}

#endif
