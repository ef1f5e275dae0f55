/* decode-l4.c — TCP (options: MSS, window scale, SACK-permitted, SACK, timestamps;
 * flag sanity), UDP (and the overlays found by UDP port: VXLAN, Geneve), ICMP and
 * ICMPv6. b/len is what the innermost IP layer carries (already bounded by caplen). */
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

/* TCP options. The three layouts that make up nearly all segments are recognised
 * whole, with the result the walk below would give: NOP NOP TS (every segment of a
 * connection with timestamps), MSS alone, and Linux's SYN (MSS SACK-permitted TS NOP
 * WS, a shift within RFC 7323's 14). Anything else is walked. */
static void tcp_options(struct vg_packet *p, const uint8_t *o, size_t n)
{
	if (n == 12 && vg_rd32(o) == 0x0101080au) {
		p->tcp_ts = true;
		p->tcp_tsval = vg_rd32(o + 4);
		p->tcp_tsecr = vg_rd32(o + 8);
		return;
	}
	if (n == 4 && o[0] == 2 && o[1] == 4) {
		p->tcp_mss = vg_rd16(o + 2);
		return;
	}
	if (n == 20 && o[0] == 2 && o[1] == 4 && vg_rd32(o + 4) == 0x0402080au &&
	    (vg_rd32(o + 16) >> 8) == 0x010303u && o[19] <= 14) {
		p->tcp_mss = vg_rd16(o + 2);
		p->tcp_sackok = true;
		p->tcp_ts = true;
		p->tcp_tsval = vg_rd32(o + 8);
		p->tcp_tsecr = vg_rd32(o + 12);
		p->tcp_wscale = o[19];
		return;
	}

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

void vg_decode_tcp(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 20) {
		l4_trunc(p, VG_AN_TCP_TRUNC);
		return;
	}
	size_t hl = (size_t)(b[12] >> 4) * 4;
	if (hl < 20) {
		vg_decode_an(p, VG_AN_TCP_HLEN_TOO_SMALL);
		return;
	}
	p->flags |= VG_PKT_TCP;
	p->layers |= VG_LAYER_TCP;
	p->sport = vg_rd16(b);
	p->dport = vg_rd16(b + 2);
	p->tcp_seq = vg_rd32(b + 4);
	p->tcp_ack = vg_rd32(b + 8);
	p->tcp_flags = b[13];
	p->tcp_win = vg_rd16(b + 14);

	uint8_t f = p->tcp_flags;
	if (f == 0)
		vg_decode_an(p, VG_AN_TCP_FLAGS_NULL);
	else if (((f & VG_TH_SYN) && (f & (VG_TH_FIN | VG_TH_RST))) ||
		 ((f & VG_TH_FIN) && (f & VG_TH_RST)) ||
		 (!(f & (VG_TH_ACK | VG_TH_SYN | VG_TH_RST)) && (f & (VG_TH_FIN | VG_TH_PSH | VG_TH_URG))))
		/* SYN+FIN, SYN+RST, FIN+RST, or FIN/PSH/URG without ACK (FIN, Xmas). */
		vg_decode_an(p, VG_AN_TCP_INVALID_FLAGS);

	if (hl > len) {
		/* Options cut off: keep the fixed header, walk what is there. */
		l4_trunc(p, VG_AN_TCP_INVALID_OPTLEN);
		tcp_options(p, b + 20, len - 20);
		p->payload = b + len;
		p->payload_len = 0;
		return;
	}
	if (hl > 20)
		tcp_options(p, b + 20, hl - 20);
	p->payload = b + hl;
	p->payload_len = (uint32_t)(len - hl);
}

void vg_decode_udp(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 8) {
		l4_trunc(p, VG_AN_UDP_TRUNC);
		return;
	}
	p->flags |= VG_PKT_UDP;
	p->layers |= VG_LAYER_UDP;
	p->sport = vg_rd16(b);
	p->dport = vg_rd16(b + 2);
	size_t ulen = vg_rd16(b + 4);
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
		return; /* an overlay inside a first fragment waits for reassembly */
	if (p->dport == VG_PORT_VXLAN)
		(void)vg_decode_vxlan(p, b + 8, plen);
	else if (p->dport == VG_PORT_GENEVE)
		(void)vg_decode_geneve(p, b + 8, plen);
}

void vg_decode_icmpv4(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 8) {
		l4_trunc(p, VG_AN_ICMPV4_TRUNC);
		return;
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
}

void vg_decode_icmpv6(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 8) {
		l4_trunc(p, VG_AN_ICMPV6_TRUNC);
		return;
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
}
