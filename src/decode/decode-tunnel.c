/* decode-tunnel.c — overlays and encapsulations: VXLAN, Geneve (options walked),
 * GRE (RFC 2784/2890, and PPTP's enhanced GRE), ERSPAN II/III, MPLS, PPPoE session
 * and NSH. Each keeps the overlay identity (VNI, GRE key, ERSPAN session id) on the
 * packet for tenant attribution; the innermost overlay wins. Every tunnel counts
 * towards VG_MAX_ENCAP_DEPTH, so a packet nesting tunnels in a loop stops there. */
#include "decode/decode-int.h"

static void set_vni(struct vg_packet *p, uint8_t overlay, uint32_t vni)
{
	p->overlay = overlay;
	p->has_vni = true;
	p->vni = vni;
}

/* RFC 7348: flags (I bit = VNI valid), 24 reserved bits, VNI, 8 reserved bits. */
int vg_decode_vxlan(struct vg_packet *p, const uint8_t *b, size_t len)
{
	int rc;
	if (len < 8)
		return vg_decode_trunc(p, VG_AN_VXLAN_TRUNC);
	if (!(b[0] & 0x08)) {
		vg_decode_an(p, VG_AN_VXLAN_FLAGS_INVALID);
		return VG_EINVAL;
	}
	if ((rc = vg_decode_enter(p)) < 0)
		return rc;
	p->layers |= VG_LAYER_VXLAN;
	set_vni(p, VG_OVERLAY_VXLAN, vg_rd24(b + 4));
	return vg_decode_eth(p, b + 8, len - 8);
}

/* RFC 8926: ver(2) optlen(6, 4-byte words) O C rsvd(6) protocol(16) VNI(24) rsvd(8),
 * then options of class(16) type(8) rsvd(3) len(5, words). The option area is at
 * most 252 bytes, which bounds the walk. */
int vg_decode_geneve(struct vg_packet *p, const uint8_t *b, size_t len)
{
	int rc;
	if (len < 8)
		return vg_decode_trunc(p, VG_AN_GENEVE_TRUNC);
	if ((b[0] >> 6) != 0) {
		vg_decode_an(p, VG_AN_GENEVE_VERSION_INVALID);
		return VG_EINVAL;
	}
	size_t optlen = (size_t)(b[0] & 0x3f) * 4;
	if (8 + optlen > len)
		return vg_decode_trunc(p, VG_AN_GENEVE_TRUNC);
	const uint8_t *o = b + 8;
	for (size_t i = 0; i < optlen;) {
		if (optlen - i < 4) {
			vg_decode_an(p, VG_AN_GENEVE_OPT_INVALID);
			return VG_EINVAL;
		}
		size_t ol = 4 + (size_t)(o[i + 3] & 0x1f) * 4;
		if (ol > optlen - i) {
			vg_decode_an(p, VG_AN_GENEVE_OPT_INVALID);
			return VG_EINVAL;
		}
		i += ol;
	}
	if ((rc = vg_decode_enter(p)) < 0)
		return rc;
	p->layers |= VG_LAYER_GENEVE;
	set_vni(p, VG_OVERLAY_GENEVE, vg_rd24(b + 4));
	uint16_t proto = vg_rd16(b + 2);
	b += 8 + optlen;
	len -= 8 + optlen;
	switch (proto) {
	case VG_ETH_TEB:
		return vg_decode_eth(p, b, len);
	case VG_ETH_IPV4:
		return vg_decode_ipv4(p, b, len);
	case VG_ETH_IPV6:
		return vg_decode_ipv6(p, b, len);
	default:
		vg_decode_an(p, VG_AN_GENEVE_UNKNOWN_PAYLOAD);
		return VG_ENOTSUP;
	}
}

/* PPP's protocol field, after PPPoE or PPTP's GRE. Control protocols (LCP, IPCP, ...,
 * 0x8000 and up) are normal and not IP; anything else is an anomaly. */
int vg_decode_ppp_proto(struct vg_packet *p, uint16_t proto, const uint8_t *b, size_t len)
{
	p->layers |= VG_LAYER_PPP;
	switch (proto) {
	case 0x0021:
		return vg_decode_ipv4(p, b, len);
	case 0x0057:
		return vg_decode_ipv6(p, b, len);
	case 0x0281:
		return vg_decode_mpls(p, b, len);
	default:
		if (proto >= 0x8000)
			return VG_ENOTSUP;
		vg_decode_an(p, VG_AN_PPP_UNSUPPORTED);
		return VG_ENOTSUP;
	}
}

/* PPP in HDLC-like framing as PPTP sends it: optional ff 03, then a 1- or 2-byte
 * protocol (protocol field compression: an odd first byte is the whole field). */
static int decode_ppp_hdlc(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len >= 2 && b[0] == 0xff && b[1] == 0x03) {
		b += 2;
		len -= 2;
	}
	if (len < 1)
		return vg_decode_trunc(p, VG_AN_PPP_TRUNC);
	if (b[0] & 1)
		return vg_decode_ppp_proto(p, b[0], b + 1, len - 1);
	if (len < 2)
		return vg_decode_trunc(p, VG_AN_PPP_TRUNC);
	return vg_decode_ppp_proto(p, vg_rd16(b), b + 2, len - 2);
}

/* ERSPAN type II (GRE 0x88be, version 1): 8 bytes, session id in the low 10 bits of
 * bytes 2-3. Type III (GRE 0x22eb, version 2): 12 bytes plus an 8-byte platform
 * sub-header when the O bit is set; frame type 0 is Ethernet. */
int vg_decode_erspan(struct vg_packet *p, uint16_t type, const uint8_t *b, size_t len)
{
	size_t hl = type == VG_ETH_ERSPAN2 ? 8 : 12;
	if (len < hl)
		return vg_decode_trunc(p, VG_AN_ERSPAN_TRUNC);
	unsigned ver = b[0] >> 4;
	if ((type == VG_ETH_ERSPAN2 && ver != 1) || (type == VG_ETH_ERSPAN3 && ver != 2)) {
		vg_decode_an(p, VG_AN_ERSPAN_VERSION_INVALID);
		return VG_EINVAL;
	}
	p->layers |= VG_LAYER_ERSPAN;
	set_vni(p, VG_OVERLAY_ERSPAN, vg_rd16(b + 2) & 0x03ff);
	if (type == VG_ETH_ERSPAN3) {
		if (b[11] & 0x01) {
			hl += 8;
			if (len < hl)
				return vg_decode_trunc(p, VG_AN_ERSPAN_TRUNC);
		}
		if (((b[10] >> 2) & 0x1f) != 0)
			return VG_ENOTSUP; /* not an Ethernet frame (e.g. IP only) */
	}
	return vg_decode_eth(p, b + hl, len - hl);
}

/* GRE: RFC 2784 + RFC 2890 (version 0: checksum, key, sequence) and RFC 2637
 * (version 1, PPTP). RFC 1701 source routing is refused. */
int vg_decode_gre(struct vg_packet *p, const uint8_t *b, size_t len)
{
	int rc;
	if (len < 4)
		return vg_decode_trunc(p, VG_AN_GRE_TRUNC);
	uint16_t fl = vg_rd16(b), proto = vg_rd16(b + 2);
	unsigned ver = fl & 7;
	size_t off = 4, key_off = 0;
	bool has_key = (fl & 0x2000) != 0, has_seq = (fl & 0x1000) != 0;

	if (ver == 0) {
		if (fl & 0x4000) {
			vg_decode_an(p, VG_AN_GRE_ROUTING);
			return VG_ENOTSUP;
		}
		if (fl & 0x0700)
			vg_decode_an(p, VG_AN_GRE_RECUR);
		if (fl & 0x8000)
			off += 4; /* checksum + reserved1 */
		if (has_key) {
			key_off = off;
			off += 4;
		}
		if (has_seq)
			off += 4;
	} else if (ver == 1) {
		if (proto != VG_ETH_PPP || !has_key || (fl & 0xc000)) {
			vg_decode_an(p, VG_AN_GRE_VERSION_INVALID);
			return VG_EINVAL;
		}
		off += 4; /* payload length + call id */
		if (has_seq)
			off += 4;
		if (fl & 0x0080)
			off += 4; /* acknowledgment */
	} else {
		vg_decode_an(p, VG_AN_GRE_VERSION_INVALID);
		return VG_EINVAL;
	}
	if (off > len)
		return vg_decode_trunc(p, VG_AN_GRE_TRUNC);
	if ((rc = vg_decode_enter(p)) < 0)
		return rc;
	p->layers |= VG_LAYER_GRE;
	if (key_off)
		set_vni(p, VG_OVERLAY_GRE, vg_rd32(b + key_off));
	b += off;
	len -= off;
	switch (proto) {
	case VG_ETH_IPV4:
		return vg_decode_ipv4(p, b, len);
	case VG_ETH_IPV6:
		return vg_decode_ipv6(p, b, len);
	case VG_ETH_TEB:
		return vg_decode_eth(p, b, len);
	case VG_ETH_ERSPAN2:
		if (!has_seq) {
			/* ERSPAN type I: no ERSPAN header, the mirrored frame follows. */
			p->overlay = VG_OVERLAY_ERSPAN;
			p->layers |= VG_LAYER_ERSPAN;
			return vg_decode_eth(p, b, len);
		}
		return vg_decode_erspan(p, proto, b, len);
	case VG_ETH_ERSPAN3:
		return vg_decode_erspan(p, proto, b, len);
	case VG_ETH_MPLS_UC:
	case VG_ETH_MPLS_MC:
		return vg_decode_mpls(p, b, len);
	case VG_ETH_PPP:
		return decode_ppp_hdlc(p, b, len);
	default:
		vg_decode_an(p, VG_AN_GRE_UNKNOWN_PAYLOAD);
		return VG_ENOTSUP;
	}
}

/* MPLS label stack (RFC 3032) to the bottom-of-stack bit, then guess the payload:
 * explicit-null labels say IPv4/IPv6; otherwise the first nibble (4, 6), and 0 means a
 * pseudowire control word (RFC 4385) followed by an Ethernet frame. */
int vg_decode_mpls(struct vg_packet *p, const uint8_t *b, size_t len)
{
	int rc;
	uint32_t label = 0;
	unsigned n = 0;

	if ((rc = vg_decode_enter(p)) < 0)
		return rc;
	p->layers |= VG_LAYER_MPLS;
	for (;;) {
		if (len < 4)
			return vg_decode_trunc(p, VG_AN_MPLS_TRUNC);
		if (++n > VG_MPLS_MAX_LABELS) {
			vg_decode_an(p, VG_AN_MPLS_TOO_MANY_LABELS);
			return VG_ERANGE;
		}
		uint32_t e = vg_rd32(b);
		label = e >> 12;
		b += 4;
		len -= 4;
		if (label == 3 || (label > 3 && label < 16 && label != 7 && label != 13))
			vg_decode_an(p, VG_AN_MPLS_BAD_LABEL); /* implicit null / reserved on the wire */
		if (e & 0x100)
			break;
	}
	p->n_mpls = (uint8_t)n;
	p->mpls_label = label;
	if (label == 0)
		return vg_decode_ipv4(p, b, len);
	if (label == 2)
		return vg_decode_ipv6(p, b, len);
	if (len < 1)
		return vg_decode_trunc(p, VG_AN_MPLS_TRUNC);
	switch (b[0] >> 4) {
	case 4:
		return vg_decode_ipv4(p, b, len);
	case 6:
		return vg_decode_ipv6(p, b, len);
	case 0:
		if (len < 4)
			return vg_decode_trunc(p, VG_AN_MPLS_TRUNC);
		return vg_decode_eth(p, b + 4, len - 4);
	default:
		vg_decode_an(p, VG_AN_MPLS_UNKNOWN_PAYLOAD);
		return VG_ENOTSUP;
	}
}

/* PPPoE session stage (RFC 2516): ver/type 0x11, code 0, session id, length, then PPP. */
int vg_decode_pppoe_sess(struct vg_packet *p, const uint8_t *b, size_t len)
{
	int rc;
	if (len < 6)
		return vg_decode_trunc(p, VG_AN_PPPOE_TRUNC);
	if (b[0] != 0x11 || b[1] != 0) {
		vg_decode_an(p, VG_AN_PPPOE_WRONG_CODE);
		return VG_EINVAL;
	}
	size_t plen = vg_rd16(b + 4);
	if (plen > len - 6)
		(void)vg_decode_trunc(p, VG_AN_PPPOE_TRUNC);
	else
		len = 6 + plen;
	if ((rc = vg_decode_enter(p)) < 0)
		return rc;
	p->layers |= VG_LAYER_PPPOE;
	p->pppoe_session = vg_rd16(b + 2);
	b += 6;
	len -= 6;
	if (len < 1)
		return vg_decode_trunc(p, VG_AN_PPP_TRUNC);
	if (b[0] & 1) /* protocol field compression */
		return vg_decode_ppp_proto(p, b[0], b + 1, len - 1);
	if (len < 2)
		return vg_decode_trunc(p, VG_AN_PPP_TRUNC);
	return vg_decode_ppp_proto(p, vg_rd16(b), b + 2, len - 2);
}

/* Network Service Header (RFC 8300): ver(2) O U TTL(6) length(6, words) rsvd(4)
 * MD type(4) next protocol(8), service path header, context headers. */
int vg_decode_nsh(struct vg_packet *p, const uint8_t *b, size_t len)
{
	int rc;
	if (len < 8)
		return vg_decode_trunc(p, VG_AN_NSH_TRUNC);
	if ((b[0] >> 6) != 0) {
		vg_decode_an(p, VG_AN_NSH_VERSION_INVALID);
		return VG_EINVAL;
	}
	size_t hl = (size_t)(b[1] & 0x3f) * 4;
	unsigned md = b[2] & 0x0f;
	if (md == 0 || md == 0x0f) {
		vg_decode_an(p, VG_AN_NSH_RESERVED_TYPE);
		return VG_EINVAL;
	}
	if (hl < 8 || (md == 1 && hl != 24)) {
		vg_decode_an(p, VG_AN_NSH_BAD_HEADER_LENGTH);
		return VG_EINVAL;
	}
	if (hl > len)
		return vg_decode_trunc(p, VG_AN_NSH_TRUNC);
	if ((rc = vg_decode_enter(p)) < 0)
		return rc;
	p->layers |= VG_LAYER_NSH;
	uint8_t np = b[3];
	b += hl;
	len -= hl;
	switch (np) {
	case 1:
		return vg_decode_ipv4(p, b, len);
	case 2:
		return vg_decode_ipv6(p, b, len);
	case 3:
		return vg_decode_eth(p, b, len);
	case 4:
		return vg_decode_nsh(p, b, len);
	case 5:
		return vg_decode_mpls(p, b, len);
	default:
		vg_decode_an(p, VG_AN_NSH_UNKNOWN_PAYLOAD);
		return VG_ENOTSUP;
	}
}
