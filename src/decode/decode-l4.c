/* decode-l4.c — TCP (options: MSS, window scale, SACK-permitted, SACK, timestamps;
 * flag sanity), UDP (and the overlays found by UDP port: VXLAN, Geneve), ICMP and
 * ICMPv6. b/len is what the innermost IP layer carries (already bounded by caplen). */
#include <stdbool.h>

#include "decode/decode-int.h"

/* A transport header cut short. In a first fragment that is the fragment's doing
 * (the rest follows in the next one), not the snapshot length's. */
static void l4_trunc(struct vg_packet *p, unsigned code)
{
	if (p->flags & VG_PKT_FRAGMENT)
		vg_decode_an(p, code);
	else
		(void)vg_decode_trunc(p, code);
}

/* The TCP option walk, for any layout (tcp_options_known() comes first). */
__attribute__((noinline)) static void tcp_options(struct vg_packet *p, const uint8_t *o,
						  size_t n)
{
	unsigned seen = 0;
	size_t i = 0;

	while (i < n) {
		uint8_t t = o[i];
		if (t == 0)
			break;
		if (t == 1) {
			i++;
			continue;
		}
		if (i + 1 >= n) {
			vg_decode_an(p, VG_AN_TCP_OPT_INVALID);
			return;
		}
		uint8_t ol = o[i + 1];
		if (ol < 2 || ol > n - i) {
			vg_decode_an(p, VG_AN_TCP_OPT_INVALID);
			return;
		}
		if (t < 32) {
			if (seen & (1u << t))
				vg_decode_an(p, VG_AN_TCP_OPT_DUPLICATE);
			seen |= 1u << t;
		}
		const uint8_t *v = o + i + 2;
		switch (t) {
		case 2: /* MSS */
			if (ol != 4)
				vg_decode_an(p, VG_AN_TCP_OPT_INVALID);
			else
				p->tcp_mss = vg_rd16(v);
			break;
		case 3: /* window scale; RFC 7323 caps the shift at 14 */
			if (ol != 3) {
				vg_decode_an(p, VG_AN_TCP_OPT_INVALID);
			} else if (v[0] > 14) {
				vg_decode_an(p, VG_AN_TCP_WSCALE_INVALID);
				p->tcp_wscale = 14;
			} else {
				p->tcp_wscale = v[0];
			}
			break;
		case 4: /* SACK permitted */
			if (ol != 2)
				vg_decode_an(p, VG_AN_TCP_OPT_INVALID);
			else
				p->tcp_sackok = true;
			break;
		case 5: /* SACK blocks: 1 to 4 of 8 bytes */
			if (ol < 10 || (ol - 2) % 8 != 0)
				vg_decode_an(p, VG_AN_TCP_OPT_INVALID);
			break;
		case 8: /* timestamps */
			if (ol != 10) {
				vg_decode_an(p, VG_AN_TCP_OPT_INVALID);
			} else {
				p->tcp_ts = true;
				p->tcp_tsval = vg_rd32(v);
				p->tcp_tsecr = vg_rd32(v + 4);
			}
			break;
		default:
			break;
		}
		i += ol;
	}
}

/* The three option layouts that make up nearly all segments, recognised whole, with
 * the result the walk would give: NOP NOP TS (every segment of a connection with
 * timestamps), MSS alone, and Linux's SYN (MSS SACK-permitted TS NOP WS, a shift
 * within RFC 7323's 14). False for anything else, with nothing set. */
static inline bool tcp_options_known(struct vg_packet *p, const uint8_t *o, size_t n)
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

/* Flags no TCP stack sends: none at all; SYN+FIN, SYN+RST, FIN+RST, or FIN/PSH/URG
 * without ACK (FIN, Xmas). */
static inline bool tcp_flags_odd(uint8_t f)
{
	return f == 0 || ((f & VG_TH_SYN) && (f & (VG_TH_FIN | VG_TH_RST))) ||
	       ((f & VG_TH_FIN) && (f & VG_TH_RST)) ||
	       (!(f & (VG_TH_ACK | VG_TH_SYN | VG_TH_RST)) && (f & (VG_TH_FIN | VG_TH_PSH | VG_TH_URG)));
}

/* The anomaly for flags tcp_flags_odd() says are odd. */
__attribute__((noinline)) static int tcp_flags_an(struct vg_packet *p, uint8_t f)
{
	vg_decode_an(p, f == 0 ? VG_AN_TCP_FLAGS_NULL : VG_AN_TCP_INVALID_FLAGS);
	return 0;
}

/* The rest of a TCP header whose options need the walk or are cut off: the flag
 * anomaly first, then what the options have. */
__attribute__((noinline)) static int tcp_options_slow(struct vg_packet *p, const uint8_t *b,
						       size_t len, size_t hl)
{
	if (tcp_flags_odd(p->tcp_flags))
		(void)tcp_flags_an(p, p->tcp_flags);
	if (hl > len) {
		/* Options cut off: keep the fixed header, walk what is there. */
		l4_trunc(p, VG_AN_TCP_INVALID_OPTLEN);
		tcp_options(p, b + 20, len - 20);
		p->payload = b + len;
		p->payload_len = 0;
		return 0;
	}
	tcp_options(p, b + 20, hl - 20);
	p->payload = b + hl;
	p->payload_len = (uint32_t)(len - hl);
	return 0;
}

/* The hot path calls nothing but in tail position (no stack frame): the header cut
 * short, options that need the walk and odd flags go to the functions above. */
int vg_decode_tcp(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 20) {
		l4_trunc(p, VG_AN_TCP_TRUNC);
		return 0;
	}
	size_t hl = (size_t)(b[12] >> 4) * 4;
	if (hl < 20) {
		vg_decode_an(p, VG_AN_TCP_HLEN_TOO_SMALL);
		return 0;
	}
	p->flags |= VG_PKT_TCP;
	p->layers |= VG_LAYER_TCP;
	p->sport = vg_rd16(b);
	p->dport = vg_rd16(b + 2);
	p->tcp_seq = vg_rd32(b + 4);
	p->tcp_ack = vg_rd32(b + 8);
	p->tcp_flags = b[13];
	p->tcp_win = vg_rd16(b + 14);

	uint8_t f = b[13];
	if (hl > len || (hl > 20 && !tcp_options_known(p, b + 20, hl - 20)))
		return tcp_options_slow(p, b, len, hl);
	p->payload = b + hl;
	p->payload_len = (uint32_t)(len - hl);
	/* No option anomaly can follow here, so the flag check may come last. ACK without
	 * SYN, FIN or RST (most segments) is always fine. */
	if (((f & (VG_TH_SYN | VG_TH_FIN | VG_TH_RST)) || !(f & VG_TH_ACK)) && tcp_flags_odd(f))
		return tcp_flags_an(p, f);
	return 0;
}

/* VXLAN and Geneve, by their UDP ports. What they find (or not) does not change that
 * the IP layer below was decoded: 0. */
static inline int udp_overlay(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (p->dport == VG_PORT_VXLAN)
		(void)vg_decode_vxlan(p, b, len);
	else if (p->dport == VG_PORT_GENEVE)
		(void)vg_decode_geneve(p, b, len);
	return 0;
}

/* The rest of a UDP header whose length disagrees with the IP layer's, or in a first
 * fragment. */
__attribute__((noinline)) static int udp_slow(struct vg_packet *p, const uint8_t *b, size_t len,
					      size_t ulen)
{
	size_t plen = len - 8;
	bool frag = (p->flags & VG_PKT_FRAGMENT) != 0;

	if (ulen < 8) {
		if (!(ulen == 0 && p->ip_version == 6 && len > 65535u)) /* IPv6 jumbo */
			vg_decode_an(p, VG_AN_UDP_HLEN_INVALID);
	} else if (ulen < len) {
		if (!frag)
			vg_decode_an(p, VG_AN_UDP_LEN_INVALID);
		plen = ulen - 8;
	} else if (ulen > len && !frag) {
		/* Longer than the IP layer: cut by the snapshot length, or lying. */
		if (p->flags & VG_PKT_TRUNCATED)
			l4_trunc(p, VG_AN_UDP_TRUNC);
		else
			vg_decode_an(p, VG_AN_UDP_LEN_INVALID);
	}
	p->payload = b + 8;
	p->payload_len = (uint32_t)plen;
	if (frag)
		return 0; /* an overlay inside a first fragment waits for reassembly */
	return udp_overlay(p, b + 8, plen);
}

int vg_decode_udp(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 8) {
		l4_trunc(p, VG_AN_UDP_TRUNC);
		return 0;
	}
	p->flags |= VG_PKT_UDP;
	p->layers |= VG_LAYER_UDP;
	p->sport = vg_rd16(b);
	p->dport = vg_rd16(b + 2);
	size_t ulen = vg_rd16(b + 4);
	if (ulen != len || (p->flags & VG_PKT_FRAGMENT))
		return udp_slow(p, b, len, ulen);
	/* The UDP length is the IP layer's: nothing to check. */
	p->payload = b + 8;
	p->payload_len = (uint32_t)(len - 8);
	return udp_overlay(p, b + 8, len - 8);
}

int vg_decode_icmpv4(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 8) {
		l4_trunc(p, VG_AN_ICMPV4_TRUNC);
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

int vg_decode_icmpv6(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 8) {
		l4_trunc(p, VG_AN_ICMPV6_TRUNC);
		return 0;
	}
	p->flags |= VG_PKT_ICMP;
	p->layers |= VG_LAYER_ICMPV6;
	p->icmp_type = b[0];
	p->icmp_code = b[1];
	if (b[0] == 128 || b[0] == 129) {
		p->icmp_id = vg_rd16(b + 4);
		p->icmp_seq = vg_rd16(b + 6);
	}
	p->payload = b + 8;
	p->payload_len = (uint32_t)(len - 8);
	return 0;
}
