/* decode-ip.c — IPv4 (options walked and checked) and IPv6 (extension headers walked,
 * bounded by VG_MAX_IPV6_EXTHDRS), then dispatch to the transport or to a tunnel
 * carried directly in IP (IP-in-IP, 6in4, GRE, MPLS-in-IP).
 *
 * "Innermost IP wins": when an IP header is found inside a tunnel, the addresses
 * found so far move to outer_src/outer_dst (only the outermost pair is kept there)
 * and everything about the transport is reset, so that nothing of the outer UDP
 * header leaks into the inner packet. A plain IPv4 header (no options, not a
 * fragment, captured whole) takes the inline path of decode-fast.h. */
#include <string.h>

#include "decode/decode-fast.h"

/* Make room for a new (inner) IP layer. Only called once the new header is known to
 * be sane, so a broken inner header leaves the outer packet intact. */
void vg_decode_ip_commit(struct vg_packet *p)
{
	if (p->ip_version == 0)
		return;
	if (p->outer_src.family == VG_AF_NONE) {
		p->outer_src = p->src;
		p->outer_dst = p->dst;
	}
	p->flags &= ~(uint32_t)(VG_PKT_IPV4 | VG_PKT_IPV6 | VG_PKT_TCP | VG_PKT_UDP |
				VG_PKT_ICMP | VG_PKT_FRAGMENT);
	p->proto = 0;
	p->ip_id = 0;
	p->frag_offset = 0;
	p->more_frags = false;
	p->frag_data = NULL;
	p->frag_data_len = 0;
	p->frag_hdr_off = p->frag_prev_nh_off = 0;
	p->l4 = NULL;
	p->l4_len = 0;
	p->sport = p->dport = 0;
	p->tcp_flags = 0;
	p->tcp_seq = p->tcp_ack = 0;
	p->tcp_win = p->tcp_mss = 0;
	p->tcp_wscale = 0xff;
	p->tcp_sackok = p->tcp_ts = false;
	p->tcp_tsval = p->tcp_tsecr = 0;
	p->icmp_type = p->icmp_code = 0;
	p->icmp_id = p->icmp_seq = 0;
	p->payload = NULL;
	p->payload_len = 0;
}

/* The transport (or tunnel) after an IP header; b/len is what the IP layer carries. */
void vg_decode_l4_dispatch(struct vg_packet *p, uint8_t proto, const uint8_t *b, size_t len)
{
	p->proto = proto;
	p->l4 = b;
	p->l4_len = (uint32_t)len;
	switch (proto) {
	case VG_IPP_TCP:
		(void)vg_decode_tcp(p, b, len);
		break;
	case VG_IPP_UDP:
		(void)vg_decode_udp(p, b, len);
		break;
	case VG_IPP_ICMP:
		if (p->ip_version == 6)
			vg_decode_an(p, VG_AN_IPV6_WITH_ICMPV4);
		(void)vg_decode_icmpv4(p, b, len);
		break;
	case VG_IPP_ICMPV6:
		if (p->ip_version == 4)
			vg_decode_an(p, VG_AN_IPV4_WITH_ICMPV6);
		(void)vg_decode_icmpv6(p, b, len);
		break;
	case VG_IPP_IPIP:
		if (!(p->flags & VG_PKT_FRAGMENT) && vg_decode_enter(p) == 0)
			(void)vg_decode_ipv4(p, b, len);
		break;
	case VG_IPP_IPV6:
		if (!(p->flags & VG_PKT_FRAGMENT) && vg_decode_enter(p) == 0)
			(void)vg_decode_ipv6(p, b, len);
		break;
	case VG_IPP_GRE:
		if (!(p->flags & VG_PKT_FRAGMENT))
			(void)vg_decode_gre(p, b, len);
		break;
	case VG_IPP_MPLS:
		if (!(p->flags & VG_PKT_FRAGMENT))
			(void)vg_decode_mpls(p, b, len);
		break;
	default:
		break;
	}
}

/* IPv4 options (RFC 791 and later): EOL ends the list, NOP is one byte, everything
 * else is type-length-value. Lengths of the options we know are checked. */
static void ipv4_options(struct vg_packet *p, const uint8_t *o, size_t n)
{
	uint64_t seen[4] = { 0 };
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
			vg_decode_an(p, VG_AN_IPV4_OPT_MALFORMED);
			return;
		}
		uint8_t ol = o[i + 1];
		if (ol < 2 || ol > n - i) {
			vg_decode_an(p, VG_AN_IPV4_OPT_INVALID_LEN);
			return;
		}
		if (seen[t >> 6] & (1ull << (t & 63)))
			vg_decode_an(p, VG_AN_IPV4_OPT_DUPLICATE);
		seen[t >> 6] |= 1ull << (t & 63);
		switch (t) {
		case 7:   /* record route */
		case 131: /* loose source route */
		case 137: /* strict source route */
			if (ol < 3 || (ol - 3) % 4 != 0)
				vg_decode_an(p, VG_AN_IPV4_OPT_INVALID);
			else if (o[i + 2] < 4 || o[i + 2] > ol + 1)
				vg_decode_an(p, VG_AN_IPV4_OPT_MALFORMED);
			break;
		case 68:  /* timestamp */
			if (ol < 4)
				vg_decode_an(p, VG_AN_IPV4_OPT_INVALID);
			else if (o[i + 2] < 5)
				vg_decode_an(p, VG_AN_IPV4_OPT_MALFORMED);
			break;
		case 136: /* stream id */
		case 148: /* router alert */
			if (ol != 4)
				vg_decode_an(p, VG_AN_IPV4_OPT_INVALID);
			break;
		case 25:  /* quick-start */
			if (ol != 8)
				vg_decode_an(p, VG_AN_IPV4_OPT_INVALID);
			break;
		case 130: /* security (RFC 1108) */
		case 133: /* extended security */
		case 134: /* CIPSO */
			if (ol < 3)
				vg_decode_an(p, VG_AN_IPV4_OPT_INVALID);
			break;
		default:
			vg_decode_an(p, VG_AN_IPV4_OPT_UNKNOWN);
			break;
		}
		i += ol;
	}
}

static int ipv4_general(struct vg_packet *p, const uint8_t *b, size_t len);

int vg_decode_ipv4(struct vg_packet *p, const uint8_t *b, size_t len)
{
	size_t tot = vg_ipv4_plain_len(b, len);
	if (tot != 0)
		return vg_decode_ipv4_plain(p, b, tot);
	return ipv4_general(p, b, len);
}

/* Any IPv4 header. Out of line, so that the plain path above needs no stack frame of
 * its own. */
__attribute__((noinline)) static int ipv4_general(struct vg_packet *p, const uint8_t *b,
						   size_t len)
{
	if (len < 20)
		return vg_decode_trunc(p, VG_AN_IPV4_PKT_TOO_SMALL);
	if ((b[0] >> 4) != 4) {
		vg_decode_an(p, VG_AN_IPV4_WRONG_VERSION);
		return VG_EINVAL;
	}
	size_t hlen = (size_t)(b[0] & 0x0f) * 4;
	if (hlen < 20) {
		vg_decode_an(p, VG_AN_IPV4_HLEN_TOO_SMALL);
		return VG_EINVAL;
	}
	if (hlen > len)
		return vg_decode_trunc(p, VG_AN_IPV4_TRUNC);
	size_t tot = vg_rd16(b + 2);
	if (tot < hlen) {
		vg_decode_an(p, VG_AN_IPV4_IPLEN_SMALLER_THAN_HLEN);
		return VG_EINVAL;
	}
	if (tot > len) {
		/* Cut by the snapshot length (or lying): decode what was captured. */
		(void)vg_decode_trunc(p, VG_AN_IPV4_TRUNC);
		tot = len;
	}

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
	p->ip_hlen = (uint16_t)hlen;
	if (hlen > 20)
		ipv4_options(p, b + 20, hlen - 20);

	uint16_t fo = vg_rd16(b + 6);
	p->frag_offset = (uint16_t)((fo & 0x1fff) * 8);
	p->more_frags = (fo & 0x2000) != 0;
	if (p->frag_offset != 0 || p->more_frags) {
		p->flags |= VG_PKT_FRAGMENT;
		p->frag_data = b + hlen;
		p->frag_data_len = (uint32_t)(tot - hlen);
		if (p->frag_offset + (tot - hlen) > 65535u - hlen)
			vg_decode_an(p, VG_AN_IPV4_FRAG_TOO_LARGE);
		if (p->frag_offset != 0) {
			p->proto = b[9]; /* a middle or last piece: no transport header here */
			return 0;
		}
	}
	vg_decode_l4_dispatch(p, b[9], b + hlen, tot - hlen);
	return 0;
}

/* Hop-by-hop and destination options: Pad1 is one byte, the rest TLV. */
static void ipv6_options(struct vg_packet *p, const uint8_t *o, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (o[i] == 0) {
			i++;
			continue;
		}
		if (i + 2 > n || (size_t)o[i + 1] + 2 > n - i) {
			vg_decode_an(p, VG_AN_IPV6_EXTHDR_INVALID_OPTLEN);
			return;
		}
		i += 2 + (size_t)o[i + 1];
	}
}

int vg_decode_ipv6(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 40)
		return vg_decode_trunc(p, VG_AN_IPV6_PKT_TOO_SMALL);
	if ((b[0] >> 4) != 6) {
		vg_decode_an(p, VG_AN_IPV6_WRONG_VERSION);
		return VG_EINVAL;
	}
	size_t dlen = 40 + (size_t)vg_rd16(b + 4);
	if (dlen == 40 && b[6] == VG_IPP_HOPOPTS && len > 40)
		dlen = len; /* jumbogram (RFC 2675): the length is in the hop-by-hop option */
	if (dlen > len) {
		(void)vg_decode_trunc(p, VG_AN_IPV6_TRUNC);
		dlen = len;
	}

	vg_decode_ip_commit(p);
	p->ip_version = 6;
	p->flags |= VG_PKT_IPV6;
	p->layers |= VG_LAYER_IPV6;
	vg_addr_from_v6(&p->src, b + 8);
	vg_addr_from_v6(&p->dst, b + 24);
	p->ttl = b[7];
	p->l3 = b;
	p->l3_len = (uint32_t)dlen;

	uint8_t nh = b[6];
	size_t off = 40, prev_nh = 6;
	unsigned n = 0;
	bool seen_hop = false, seen_rt = false, seen_frag = false;
	for (;;) {
		size_t hl;
		switch (nh) {
		case VG_IPP_HOPOPTS:
		case VG_IPP_DSTOPTS:
		case VG_IPP_ROUTING:
		case VG_IPP_MH:
		case VG_IPP_HIP:
		case VG_IPP_SHIM6:
		case VG_IPP_FRAGMENT:
		case VG_IPP_AH:
			break;
		default:
			goto transport; /* upper layer, ESP, no next header, unknown */
		}
		if (++n > VG_MAX_IPV6_EXTHDRS) {
			vg_decode_an(p, VG_AN_IPV6_EXTHDR_TOO_MANY);
			p->proto = nh;
			p->ip_hlen = (uint16_t)off;
			return 0;
		}
		if (dlen - off < 8) {
			(void)vg_decode_trunc(p, VG_AN_IPV6_EXTHDR_TRUNC);
			p->proto = nh;
			p->ip_hlen = (uint16_t)off;
			return 0;
		}
		const uint8_t *h = b + off;
		if (nh == VG_IPP_FRAGMENT)
			hl = 8;
		else if (nh == VG_IPP_AH)
			hl = ((size_t)h[1] + 2) * 4;
		else
			hl = ((size_t)h[1] + 1) * 8;
		if (hl > dlen - off) {
			(void)vg_decode_trunc(p, VG_AN_IPV6_EXTHDR_TRUNC);
			p->proto = nh;
			p->ip_hlen = (uint16_t)off;
			return 0;
		}
		switch (nh) {
		case VG_IPP_HOPOPTS:
			if (n != 1)
				vg_decode_an(p, VG_AN_IPV6_HOPOPTS_NOT_FIRST);
			if (seen_hop)
				vg_decode_an(p, VG_AN_IPV6_EXTHDR_DUPL);
			seen_hop = true;
			ipv6_options(p, h + 2, hl - 2);
			break;
		case VG_IPP_DSTOPTS:
			ipv6_options(p, h + 2, hl - 2);
			break;
		case VG_IPP_ROUTING:
			if (seen_rt)
				vg_decode_an(p, VG_AN_IPV6_EXTHDR_DUPL);
			seen_rt = true;
			if (h[2] == 0)
				vg_decode_an(p, VG_AN_IPV6_RH_TYPE_0);
			break;
		case VG_IPP_FRAGMENT: {
			if (seen_frag) {
				vg_decode_an(p, VG_AN_IPV6_EXTHDR_DUPL);
				break;
			}
			seen_frag = true;
			uint16_t fo = vg_rd16(h + 2);
			uint16_t foff = fo & 0xfff8;
			bool mf = (fo & 1) != 0;
			if (foff == 0 && !mf)
				break; /* atomic fragment (RFC 6946): an ordinary packet */
			p->flags |= VG_PKT_FRAGMENT;
			p->frag_offset = foff;
			p->more_frags = mf;
			p->ip_id = vg_rd32(h + 4);
			p->frag_hdr_off = (uint16_t)off;
			p->frag_prev_nh_off = (uint16_t)prev_nh;
			p->frag_data = h + 8;
			p->frag_data_len = (uint32_t)(dlen - off - 8);
			if ((off - 40) + (size_t)foff + p->frag_data_len > 65535u)
				vg_decode_an(p, VG_AN_IPV6_FRAG_TOO_LARGE);
			if (foff != 0) {
				p->proto = h[0];
				p->ip_hlen = (uint16_t)(off + 8);
				return 0;
			}
			break;
		}
		default:
			break;
		}
		prev_nh = off;
		nh = h[0];
		off += hl;
	}
transport:
	p->ip_hlen = (uint16_t)off;
	vg_decode_l4_dispatch(p, nh, b + off, dlen - off);
	return 0;
}

int vg_decode_ip_nibble(struct vg_packet *p, const uint8_t *b, size_t len, unsigned unknown_an)
{
	if (len < 1)
		return vg_decode_trunc(p, VG_AN_IPV4_PKT_TOO_SMALL);
	switch (b[0] >> 4) {
	case 4:
		return vg_decode_ipv4(p, b, len);
	case 6:
		return vg_decode_ipv6(p, b, len);
	default:
		vg_decode_an(p, unknown_an);
		return VG_EINVAL;
	}
}
