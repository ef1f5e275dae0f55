/* decode.c — entry point of the packet decoder: link layers (Ethernet, 802.1Q/802.1ad,
 * Linux SLL/SLL2, BSD null loopback, raw IP, Cisco HDLC), the Ethertype dispatcher, and
 * the names of the anomalies. IP, transport and tunnel layers live in decode-ip.c,
 * decode-l4.c and decode-tunnel.c; untagged Ethernet with a plain IPv4 header (nearly
 * every frame) takes the inline hot path of decode-fast.h. */
#include <string.h>

#include "decode/decode-fast.h"

int vg_decode_ethertype(struct vg_packet *p, uint16_t type, const uint8_t *b, size_t len)
{
	int rc;

	p->ethertype = type;
	switch (type) {
	case VG_ETH_IPV4:
		return vg_decode_ipv4(p, b, len);
	case VG_ETH_IPV6:
		return vg_decode_ipv6(p, b, len);
	case VG_ETH_VLAN:
	case VG_ETH_QINQ:
	case VG_ETH_QINQ_OLD:
		if (len < 4)
			return vg_decode_trunc(p, VG_AN_VLAN_TRUNC);
		if ((rc = vg_decode_enter(p)) < 0)
			return rc;
		p->layers |= VG_LAYER_VLAN;
		if (p->n_vlan < 2)
			p->vlan[p->n_vlan++] = vg_rd16(b) & 0x0fff;
		else
			/* A third tag is legal but unusual; it is walked, not kept. */
			vg_decode_an(p, VG_AN_VLAN_TOO_MANY);
		return vg_decode_ethertype(p, vg_rd16(b + 2), b + 4, len - 4);
	case VG_ETH_MPLS_UC:
	case VG_ETH_MPLS_MC:
		return vg_decode_mpls(p, b, len);
	case VG_ETH_PPPOE_SESS:
		return vg_decode_pppoe_sess(p, b, len);
	case VG_ETH_PPPOE_DISC:
		p->flags |= VG_PKT_PPPOE_DISC;
		return VG_ENOTSUP;
	case VG_ETH_NSH:
		return vg_decode_nsh(p, b, len);
	case VG_ETH_TEB:
		return vg_decode_eth(p, b, len);
	case VG_ETH_ERSPAN2:
	case VG_ETH_ERSPAN3:
		return vg_decode_erspan(p, type, b, len);
	case VG_ETH_ARP:
	case 0x88cc: /* LLDP */
	case 0x8035: /* RARP */
	case 0x88e5: /* MACsec */
	case 0x888e: /* EAPOL */
	case 0x8809: /* slow protocols (LACP) */
	case 0x88f7: /* PTP */
		return VG_ENOTSUP; /* not IP, and not an anomaly */
	default:
		if (type < 0x0600)
			return VG_ENOTSUP; /* 802.3 length field + LLC (STP, CDP, ...) */
		vg_decode_an(p, VG_AN_UNKNOWN_ETHERTYPE);
		return VG_ENOTSUP;
	}
}

int vg_decode_eth(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 14)
		return vg_decode_trunc(p, VG_AN_ETH_TRUNC);
	p->layers |= VG_LAYER_ETHERNET;
	uint16_t type = vg_rd16(b + 12);
	if (type == VG_ETH_IPV4) {
		/* Nearly every frame: straight to IPv4, without the Ethertype switch. */
		p->ethertype = type;
		return vg_decode_ipv4(p, b + 14, len - 14);
	}
	return vg_decode_ethertype(p, type, b + 14, len - 14);
}

/* Linux cooked capture v1: 16 bytes, protocol last. ARPHRD-specific protocol values
 * below 0x0600 (802.2 LLC, CAN, ...) are not IP. */
static int decode_sll(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 16)
		return vg_decode_trunc(p, VG_AN_SLL_TRUNC);
	p->layers |= VG_LAYER_SLL;
	uint16_t hatype = vg_rd16(b + 2), proto = vg_rd16(b + 14);
	if (hatype == 778 /* ARPHRD_IPGRE */)
		return vg_decode_gre(p, b + 16, len - 16);
	if (proto < 0x0600)
		return VG_ENOTSUP;
	return vg_decode_ethertype(p, proto, b + 16, len - 16);
}

/* Linux cooked capture v2: 20 bytes, protocol first. */
static int decode_sll2(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 20)
		return vg_decode_trunc(p, VG_AN_SLL_TRUNC);
	p->layers |= VG_LAYER_SLL2;
	uint16_t proto = vg_rd16(b), hatype = vg_rd16(b + 8);
	if (hatype == 778)
		return vg_decode_gre(p, b + 20, len - 20);
	if (proto < 0x0600)
		return VG_ENOTSUP;
	return vg_decode_ethertype(p, proto, b + 20, len - 20);
}

/* BSD loopback: a 4-byte address family in the writer's byte order. AF_INET is 2
 * everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (Darwin), 10 (Linux). */
static int decode_null(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 4)
		return vg_decode_trunc(p, VG_AN_NULL_TRUNC);
	p->layers |= VG_LAYER_NULL;
	uint32_t le = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	uint32_t af = le <= 0xffff ? le : vg_rd32(b);
	switch (af) {
	case 2:
		return vg_decode_ipv4(p, b + 4, len - 4);
	case 10: case 24: case 28: case 30:
		return vg_decode_ipv6(p, b + 4, len - 4);
	default:
		vg_decode_an(p, VG_AN_NULL_UNKNOWN_FAMILY);
		return VG_ENOTSUP;
	}
}

/* Cisco HDLC: address (0x0f unicast, 0x8f broadcast), control, Ethertype. */
static int decode_chdlc(struct vg_packet *p, const uint8_t *b, size_t len)
{
	if (len < 4)
		return vg_decode_trunc(p, VG_AN_CHDLC_TRUNC);
	p->layers |= VG_LAYER_CHDLC;
	return vg_decode_ethertype(p, vg_rd16(b + 2), b + 4, len - 4);
}

/* *p = 0. A memset of the whole struct (272 bytes) compiles to `rep stosq`, which
 * costs ~34 counted instructions and a slow start on real cores; memsets of 64 bytes
 * are inlined as four 16-byte stores each, 18 instructions in all. */
static inline void pkt_zero(struct vg_packet *p)
{
	unsigned char *c = (unsigned char *)p;
	size_t o = 0;
#pragma GCC unroll 8
	for (; o + 64 <= sizeof(*p); o += 64)
		memset(c + o, 0, 64);
	memset(c + o, 0, sizeof(*p) - o);
}

/* Common end of vg_decode_packet / vg_decode_ip. */
static int finish(struct vg_packet *p, int rc)
{
	if ((p->layers & (VG_LAYER_VXLAN | VG_LAYER_GENEVE | VG_LAYER_GRE)) &&
	    p->outer_src.family == VG_AF_NONE)
		p->flags |= VG_PKT_TUNNEL_NO_INNER_IP;
	if (p->ip_version != 0)
		return 0;
	p->flags |= VG_PKT_INVALID;
	return rc < 0 ? rc : VG_EINVAL;
}

int vg_decode_packet(int linktype, const uint8_t *buf, size_t len, int64_t ts_us,
		     struct vg_packet *out)
{
	int rc;

	pkt_zero(out);
	out->ts_us = ts_us;
	out->data = buf;
	out->linktype = linktype;
	out->tcp_wscale = 0xff;
	if (!buf)
		len = 0;
	if (len > VG_MAX_SNAPLEN) {
		/* Never produced by libpcap; a caller bug or a hostile file. Decode the
		 * first VG_MAX_SNAPLEN bytes so lengths stay within 32 bits. */
		vg_decode_an(out, VG_AN_PKT_TOO_LARGE);
		len = VG_MAX_SNAPLEN;
	}
	out->caplen = out->wirelen = (uint32_t)len;

	if (linktype == VG_LINK_ETHERNET) {
		/* The common link type and Ethertype, ahead of the switches: what
		 * vg_decode_eth() would do for untagged IPv4. */
		size_t tot;
		if (len >= 14 && vg_rd16(buf + 12) == VG_ETH_IPV4 &&
		    (tot = vg_ipv4_plain_len(buf + 14, len - 14)) != 0) {
			out->layers = VG_LAYER_ETHERNET;
			out->ethertype = VG_ETH_IPV4;
			rc = vg_decode_ipv4_plain(out, buf + 14, tot);
		} else {
			rc = vg_decode_eth(out, buf, len);
		}
		return finish(out, rc);
	}
	switch (linktype) {
	case VG_LINK_RAW:
	case VG_LINK_RAW_DLT12:
		out->layers |= VG_LAYER_RAW;
		rc = vg_decode_ip_nibble(out, buf, len, VG_AN_RAW_INVALID_IP_VERSION);
		break;
	case VG_LINK_IPV4:
		rc = vg_decode_ipv4(out, buf, len);
		break;
	case VG_LINK_IPV6:
		rc = vg_decode_ipv6(out, buf, len);
		break;
	case VG_LINK_SLL:
		rc = decode_sll(out, buf, len);
		break;
	case VG_LINK_SLL2:
		rc = decode_sll2(out, buf, len);
		break;
	case VG_LINK_NULL:
		rc = decode_null(out, buf, len);
		break;
	case VG_LINK_CHDLC:
		rc = decode_chdlc(out, buf, len);
		break;
	default:
		vg_decode_an(out, VG_AN_UNKNOWN_LINKTYPE);
		rc = VG_ENOTSUP;
		break;
	}
	return finish(out, rc);
}

int vg_decode_ip(const uint8_t *buf, size_t len, const struct vg_packet *ctx,
		 struct vg_packet *out)
{
	pkt_zero(out);
	out->tcp_wscale = 0xff;
	out->data = buf;
	if (!buf)
		len = 0;
	if (len > 65535u + 40u) {
		vg_decode_an(out, VG_AN_PKT_TOO_LARGE);
		len = 65535u + 40u;
	}
	out->caplen = out->wirelen = (uint32_t)len;
	out->linktype = VG_LINK_RAW;
	if (ctx) {
		out->ts_us = ctx->ts_us;
		out->overlay = ctx->overlay;
		out->has_vni = ctx->has_vni;
		out->vni = ctx->vni;
		memcpy(out->vlan, ctx->vlan, sizeof(out->vlan));
		out->n_vlan = ctx->n_vlan;
		out->encap_depth = ctx->encap_depth;
		out->ethertype = ctx->ethertype;
		out->n_mpls = ctx->n_mpls;
		out->mpls_label = ctx->mpls_label;
		out->pppoe_session = ctx->pppoe_session;
		out->layers = ctx->layers;
		/* The outer IP of a tunnel stays; when the fragments were the outermost
		 * IP, there is no tunnel and outer_* stays empty. */
		out->outer_src = ctx->outer_src;
		out->outer_dst = ctx->outer_dst;
	}
	int rc = vg_decode_ip_nibble(out, buf, len, VG_AN_RAW_INVALID_IP_VERSION);
	out->flags |= VG_PKT_REASSEMBLED;
	return finish(out, rc);
}

/* Names follow Suricata's decoder events where one exists. The layer is the part
 * before the dot, except for the generic "decoder." and "defrag." ones. */
static const char *const an_names[VG_AN__COUNT] = {
	[VG_AN_NONE] = "none",
	[VG_AN_ETH_TRUNC] = "ethernet.pkt_too_small",
	[VG_AN_VLAN_TRUNC] = "vlan.header_too_small",
	[VG_AN_VLAN_TOO_MANY] = "vlan.too_many_layers",
	[VG_AN_SLL_TRUNC] = "sll.pkt_too_small",
	[VG_AN_UNKNOWN_LINKTYPE] = "decoder.unknown_linktype",
	[VG_AN_UNKNOWN_ETHERTYPE] = "ethernet.unknown_ethertype",
	[VG_AN_IPV4_TRUNC] = "ipv4.trunc_pkt",
	[VG_AN_IPV4_HLEN_TOO_SMALL] = "ipv4.hlen_too_small",
	[VG_AN_IPV4_IPLEN_SMALLER_THAN_HLEN] = "ipv4.iplen_smaller_than_hlen",
	[VG_AN_IPV4_WRONG_VERSION] = "ipv4.wrong_ip_version",
	[VG_AN_IPV4_OPT_INVALID] = "ipv4.opt_invalid",
	[VG_AN_IPV4_OPT_MALFORMED] = "ipv4.opt_malformed",
	[VG_AN_IPV4_FRAG_OVERLAP] = "ipv4.frag_overlap",
	[VG_AN_IPV4_FRAG_TOO_LARGE] = "ipv4.frag_pkt_too_large",
	[VG_AN_IPV6_TRUNC] = "ipv6.trunc_pkt",
	[VG_AN_IPV6_WRONG_VERSION] = "ipv6.wrong_ip_version",
	[VG_AN_IPV6_EXTHDR_TRUNC] = "ipv6.trunc_exthdr",
	[VG_AN_IPV6_EXTHDR_TOO_MANY] = "ipv6.exthdr_too_many",
	[VG_AN_IPV6_FRAG_OVERLAP] = "ipv6.frag_overlap",
	[VG_AN_TCP_TRUNC] = "tcp.pkt_too_small",
	[VG_AN_TCP_HLEN_TOO_SMALL] = "tcp.hlen_too_small",
	[VG_AN_TCP_OPT_INVALID] = "tcp.opt_invalid_len",
	[VG_AN_TCP_INVALID_FLAGS] = "tcp.invalid_flags",
	[VG_AN_UDP_TRUNC] = "udp.pkt_too_small",
	[VG_AN_UDP_LEN_INVALID] = "udp.len_invalid",
	[VG_AN_ICMPV4_TRUNC] = "icmpv4.pkt_too_small",
	[VG_AN_ICMPV6_TRUNC] = "icmpv6.pkt_too_small",
	[VG_AN_VXLAN_TRUNC] = "vxlan.pkt_too_small",
	[VG_AN_GENEVE_TRUNC] = "geneve.pkt_too_small",
	[VG_AN_GENEVE_OPT_INVALID] = "geneve.invalid_opt_len",
	[VG_AN_GRE_TRUNC] = "gre.pkt_too_small",
	[VG_AN_GRE_VERSION_INVALID] = "gre.wrong_version",
	[VG_AN_ERSPAN_TRUNC] = "erspan.pkt_too_small",
	[VG_AN_ERSPAN_VERSION_INVALID] = "erspan.unsupported_version",
	[VG_AN_MPLS_TRUNC] = "mpls.header_too_small",
	[VG_AN_PPPOE_TRUNC] = "pppoe.pkt_too_small",
	[VG_AN_PPP_UNSUPPORTED] = "ppp.unsup_proto",
	[VG_AN_ENCAP_TOO_DEEP] = "decoder.too_many_layers",
	[VG_AN_PKT_TOO_LARGE] = "decoder.pkt_too_large",
	[VG_AN_FRAG_MEMCAP] = "defrag.memcap",
	[VG_AN_FRAG_TIMEOUT] = "defrag.timeout",
	[VG_AN_IPV4_PKT_TOO_SMALL] = "ipv4.pkt_too_small",
	[VG_AN_IPV4_OPT_INVALID_LEN] = "ipv4.opt_invalid_len",
	[VG_AN_IPV4_OPT_DUPLICATE] = "ipv4.opt_duplicate",
	[VG_AN_IPV4_OPT_UNKNOWN] = "ipv4.opt_unknown",
	[VG_AN_IPV4_WITH_ICMPV6] = "ipv4.icmpv6",
	[VG_AN_IPV6_PKT_TOO_SMALL] = "ipv6.pkt_too_small",
	[VG_AN_IPV6_EXTHDR_DUPL] = "ipv6.exthdr_dupl",
	[VG_AN_IPV6_EXTHDR_INVALID_OPTLEN] = "ipv6.exthdr_invalid_optlen",
	[VG_AN_IPV6_HOPOPTS_NOT_FIRST] = "ipv6.hopopts_not_first",
	[VG_AN_IPV6_FRAG_TOO_LARGE] = "ipv6.frag_pkt_too_large",
	[VG_AN_IPV6_WITH_ICMPV4] = "ipv6.with_icmpv4",
	[VG_AN_TCP_INVALID_OPTLEN] = "tcp.invalid_optlen",
	[VG_AN_TCP_OPT_DUPLICATE] = "tcp.opt_duplicate",
	[VG_AN_TCP_WSCALE_INVALID] = "tcp.wscale_invalid",
	[VG_AN_TCP_FLAGS_NULL] = "tcp.flags_null",
	[VG_AN_UDP_HLEN_INVALID] = "udp.hlen_invalid",
	[VG_AN_VXLAN_FLAGS_INVALID] = "vxlan.flags_invalid",
	[VG_AN_GENEVE_VERSION_INVALID] = "geneve.unknown_version",
	[VG_AN_GENEVE_UNKNOWN_PAYLOAD] = "geneve.unknown_payload_type",
	[VG_AN_GRE_RECUR] = "gre.version0_recur",
	[VG_AN_GRE_ROUTING] = "gre.version0_malformed_sre_hdr",
	[VG_AN_GRE_UNKNOWN_PAYLOAD] = "gre.unknown_payload_type",
	[VG_AN_MPLS_BAD_LABEL] = "mpls.bad_label_reserved",
	[VG_AN_MPLS_UNKNOWN_PAYLOAD] = "mpls.unknown_payload_type",
	[VG_AN_MPLS_TOO_MANY_LABELS] = "mpls.too_many_labels",
	[VG_AN_PPPOE_WRONG_CODE] = "pppoe.wrong_code",
	[VG_AN_PPP_TRUNC] = "ppp.pkt_too_small",
	[VG_AN_CHDLC_TRUNC] = "chdlc.pkt_too_small",
	[VG_AN_NULL_TRUNC] = "null.pkt_too_small",
	[VG_AN_NULL_UNKNOWN_FAMILY] = "null.unsupported_type",
	[VG_AN_RAW_INVALID_IP_VERSION] = "ipraw.invalid_ip_version",
	[VG_AN_NSH_TRUNC] = "nsh.header_too_small",
	[VG_AN_NSH_VERSION_INVALID] = "nsh.unsupported_version",
	[VG_AN_NSH_BAD_HEADER_LENGTH] = "nsh.bad_header_length",
	[VG_AN_NSH_UNKNOWN_PAYLOAD] = "nsh.unknown_payload",
	[VG_AN_NSH_RESERVED_TYPE] = "nsh.reserved_type",
	[VG_AN_FRAG_TOO_MANY] = "defrag.max_frags",
	[VG_AN_FRAG_TRACKERS_FULL] = "defrag.trackers_full",
	[VG_AN_FRAG_INVALID] = "defrag.invalid_fragment",
	[VG_AN_IPV6_RH_TYPE_0] = "ipv6.rh_type_0",
};

const char *vg_decode_anomaly_name(unsigned code)
{
	if (code >= VG_AN__COUNT || !an_names[code])
		return "unknown";
	return an_names[code];
}

const char *vg_decode_layer_name(uint32_t layer_bit)
{
	static const char *const names[VG_LAYER__COUNT] = {
		"ethernet", "vlan", "sll", "null", "raw", "chdlc", "mpls", "pppoe", "ppp", "nsh",
		"gre", "erspan", "vxlan", "geneve", "ipv4", "ipv6", "tcp", "udp", "icmpv4",
		"icmpv6", "sll2",
	};
	for (unsigned i = 0; i < VG_LAYER__COUNT; i++)
		if (layer_bit == 1u << i)
			return names[i];
	return "unknown";
}

const char *vg_decode_anomaly_layer(unsigned code)
{
	static const char *const layers[] = {
		"ethernet", "vlan", "sll", "decoder", "ipv4", "ipv6", "tcp", "udp", "icmpv4",
		"icmpv6", "vxlan", "geneve", "gre", "erspan", "mpls", "pppoe", "ppp", "defrag",
		"chdlc", "null", "ipraw", "nsh",
	};
	const char *n = vg_decode_anomaly_name(code);
	const char *dot = strchr(n, '.');
	if (!dot)
		return "unknown";
	size_t l = (size_t)(dot - n);
	for (size_t i = 0; i < sizeof(layers) / sizeof(layers[0]); i++)
		if (strlen(layers[i]) == l && memcmp(layers[i], n, l) == 0)
			return layers[i];
	return "unknown";
}
