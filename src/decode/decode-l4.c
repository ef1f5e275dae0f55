/* decode-l4.c — TCP (options: MSS, window scale, SACK-permitted, SACK, timestamps;
 * flag sanity), UDP (and the overlays found by UDP port: VXLAN, Geneve), ICMP and
 * ICMPv6. b/len is what the innermost IP layer carries (already bounded by caplen).
 * The common headers are decoded by the inline code of decode-fast.h; this file has
 * its out-of-line parts (option walk, anomalies, odd lengths) and entry points. */
#include <stdbool.h>

#include "decode/decode-fast.h"

/* In a first fragment a short transport header is the fragment's doing (the rest
 * follows in the next one), not the snapshot length's. */
void vg_decode_l4_trunc(struct vg_packet *p, unsigned code)
{
	if (p->flags & VG_PKT_FRAGMENT)
		vg_decode_an(p, code);
	else
		(void)vg_decode_trunc(p, code);
}

/* The TCP option walk, for any layout (vg_tcp_options_known() comes first). */
static void tcp_options(struct vg_packet *p, const uint8_t *o, size_t n)
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

int vg_decode_tcp_flags_an(struct vg_packet *p, uint8_t f)
{
	vg_decode_an(p, f == 0 ? VG_AN_TCP_FLAGS_NULL : VG_AN_TCP_INVALID_FLAGS);
	return 0;
}

/* The flag anomaly first, then what the options have: the order of the general walk. */
int vg_decode_tcp_slow(struct vg_packet *p, const uint8_t *b, size_t len, size_t hl)
{
	if (vg_tcp_flags_odd(p->tcp_flags))
		(void)vg_decode_tcp_flags_an(p, p->tcp_flags);
	if (hl > len) {
		/* Options cut off: keep the fixed header, walk what is there. */
		vg_decode_l4_trunc(p, VG_AN_TCP_INVALID_OPTLEN);
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

int vg_decode_udp_slow(struct vg_packet *p, const uint8_t *b, size_t len, size_t ulen)
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
			vg_decode_l4_trunc(p, VG_AN_UDP_TRUNC);
		else
			vg_decode_an(p, VG_AN_UDP_LEN_INVALID);
	}
	p->payload = b + 8;
	p->payload_len = (uint32_t)plen;
	if (frag)
		return 0; /* an overlay inside a first fragment waits for reassembly */
	return vg_decode_udp_overlay(p, b + 8, plen);
}

/* The out-of-line entries, for transports after IPv6 or an IPv4 header with options
 * (vg_decode_l4_dispatch); the plain IPv4 path inlines the same code. */
int vg_decode_tcp(struct vg_packet *p, const uint8_t *b, size_t len)
{
	return vg_decode_tcp_fast(p, b, len);
}

int vg_decode_udp(struct vg_packet *p, const uint8_t *b, size_t len)
{
	return vg_decode_udp_fast(p, b, len);
}

int vg_decode_icmpv4(struct vg_packet *p, const uint8_t *b, size_t len)
{
	return vg_decode_icmpv4_fast(p, b, len);
}

int vg_decode_icmpv6(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 8) {
		vg_decode_l4_trunc(p, VG_AN_ICMPV6_TRUNC);
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
