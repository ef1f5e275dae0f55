/* decode-int.h — what the decoder files share with each other (and the unit tests):
 * big-endian readers, the anomaly recorder and the per-layer entry points. Every layer
 * function takes (packet, bytes, length): bytes/length are the layer's own view,
 * already bounded by the enclosing layer, and it never reads outside them. It returns
 * 0 when it (or a layer below it) produced an IP layer, otherwise a negative VG_E*. */
#ifndef VG_DECODE_INT_H
#define VG_DECODE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/core-error.h"
#include "decode/decode.h"

static inline uint16_t vg_rd16(const uint8_t *b)
{
	return (uint16_t)((unsigned)b[0] << 8 | b[1]);
}

static inline uint32_t vg_rd24(const uint8_t *b)
{
	return (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
}

static inline uint32_t vg_rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* vg_addr_from_v4() inlined: the decoder sets two addresses per IP header. */
static inline void vg_decode_addr4(struct vg_addr *a, const uint8_t *b)
{
	memset(a, 0, sizeof(*a));
	a->family = VG_AF_INET;
	memcpy(a->b, b, 4);
}

/* Record an anomaly; past VG_MAX_PKT_ANOMALIES they are only counted. A code already
 * recorded is not repeated (one bad option list must not crowd out the rest). */
static inline void vg_decode_an(struct vg_packet *p, unsigned code)
{
	for (unsigned i = 0; i < p->n_anomalies; i++)
		if (p->anomalies[i] == code)
			return;
	if (p->n_anomalies < VG_MAX_PKT_ANOMALIES)
		p->anomalies[p->n_anomalies++] = (uint16_t)code;
	else if (p->anomalies_dropped < UINT8_MAX)
		p->anomalies_dropped++;
}

/* A truncation: the anomaly plus VG_PKT_TRUNCATED. */
static inline int vg_decode_trunc(struct vg_packet *p, unsigned code)
{
	vg_decode_an(p, code);
	p->flags |= VG_PKT_TRUNCATED;
	return VG_ETRUNC;
}

/* One more tunnel or tag; VG_ERANGE (+ anomaly) past VG_MAX_ENCAP_DEPTH. */
static inline int vg_decode_enter(struct vg_packet *p)
{
	if (p->encap_depth >= VG_MAX_ENCAP_DEPTH) {
		vg_decode_an(p, VG_AN_ENCAP_TOO_DEEP);
		return VG_ERANGE;
	}
	p->encap_depth++;
	return 0;
}

/* Ethertypes and IP protocols we dispatch on. */
enum {
	VG_ETH_IPV4 = 0x0800, VG_ETH_ARP = 0x0806, VG_ETH_VLAN = 0x8100, VG_ETH_QINQ = 0x88a8,
	VG_ETH_QINQ_OLD = 0x9100, VG_ETH_IPV6 = 0x86dd, VG_ETH_MPLS_UC = 0x8847,
	VG_ETH_MPLS_MC = 0x8848, VG_ETH_PPPOE_DISC = 0x8863, VG_ETH_PPPOE_SESS = 0x8864,
	VG_ETH_NSH = 0x894f, VG_ETH_TEB = 0x6558, VG_ETH_ERSPAN2 = 0x88be, VG_ETH_ERSPAN3 = 0x22eb,
	VG_ETH_PPP = 0x880b,
};
enum {
	VG_IPP_HOPOPTS = 0, VG_IPP_ICMP = 1, VG_IPP_IPIP = 4, VG_IPP_TCP = 6, VG_IPP_UDP = 17,
	VG_IPP_IPV6 = 41, VG_IPP_ROUTING = 43, VG_IPP_FRAGMENT = 44, VG_IPP_GRE = 47,
	VG_IPP_ESP = 50, VG_IPP_AH = 51, VG_IPP_ICMPV6 = 58, VG_IPP_NONE = 59, VG_IPP_DSTOPTS = 60,
	VG_IPP_MH = 135, VG_IPP_HIP = 139, VG_IPP_SHIM6 = 140, VG_IPP_MPLS = 137,
};
enum { VG_PORT_VXLAN = 4789, VG_PORT_GENEVE = 6081 };

/* decode.c: link layers */
int vg_decode_eth(struct vg_packet *p, const uint8_t *b, size_t len);
int vg_decode_ethertype(struct vg_packet *p, uint16_t type, const uint8_t *b, size_t len);
/* decode-ip.c */
int vg_decode_ipv4(struct vg_packet *p, const uint8_t *b, size_t len);
int vg_decode_ipv6(struct vg_packet *p, const uint8_t *b, size_t len);
/* IPv4 or IPv6 by the first nibble; unknown_an is recorded for anything else. */
int vg_decode_ip_nibble(struct vg_packet *p, const uint8_t *b, size_t len, unsigned unknown_an);
/* decode-l4.c: transport of the innermost IP; l4/l4_len already set by the caller.
 * They return 0 (the IP layer below was decoded, whatever the transport holds), so
 * that the IP layer can end with a tail call. */
int vg_decode_tcp(struct vg_packet *p, const uint8_t *b, size_t len);
int vg_decode_udp(struct vg_packet *p, const uint8_t *b, size_t len);
int vg_decode_icmpv4(struct vg_packet *p, const uint8_t *b, size_t len);
int vg_decode_icmpv6(struct vg_packet *p, const uint8_t *b, size_t len);
/* decode-tunnel.c: overlays; each returns as the layer functions above. */
int vg_decode_vxlan(struct vg_packet *p, const uint8_t *b, size_t len);
int vg_decode_geneve(struct vg_packet *p, const uint8_t *b, size_t len);
int vg_decode_gre(struct vg_packet *p, const uint8_t *b, size_t len);
int vg_decode_mpls(struct vg_packet *p, const uint8_t *b, size_t len);
int vg_decode_pppoe_sess(struct vg_packet *p, const uint8_t *b, size_t len);
int vg_decode_nsh(struct vg_packet *p, const uint8_t *b, size_t len);
int vg_decode_erspan(struct vg_packet *p, uint16_t type, const uint8_t *b, size_t len);
/* PPP protocol field → IPv4 / IPv6 (PPPoE, GRE v1/PPTP). */
int vg_decode_ppp_proto(struct vg_packet *p, uint16_t proto, const uint8_t *b, size_t len);

#endif
