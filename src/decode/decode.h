/* decode.h — packet decoding: link layer through tunnels to the innermost L4 header.
 *
 * vg_decode_packet() is a pure function of (link type, bytes, time) → struct vg_packet:
 * no globals, no allocation, never reads past len. It walks Ethernet/VLAN/QinQ, SLL/SLL2,
 * BSD null, Cisco HDLC, raw IP, MPLS, PPPoE, NSH, IPv4/IPv6 (with options and extension
 * headers), GRE/ERSPAN, IP-in-IP, and VXLAN (UDP 4789)/Geneve (UDP 6081) overlays down
 * to the innermost IP + TCP/UDP/ICMP/ICMPv6 header. Overlay identity (VNI, GRE key,
 * ERSPAN session id, VLAN ids) is kept for tenant attribution. Everything wrong with the
 * packet is recorded as a typed anomaly on it (STYLE.md 4).
 *
 * Innermost IP wins: src/dst/ports/proto describe the innermost IP packet decoded;
 * outer_src/outer_dst the outermost IP of a tunnel (empty without a tunnel). When a
 * broken or non-IP inner frame stops the walk (ARP inside VXLAN, a truncated inner
 * header), the packet describes the last good IP layer, the overlay/vni found so far
 * stay set, and VG_PKT_TUNNEL_NO_INNER_IP says so. Implementation: decode.c (link
 * layers), decode-ip.c, decode-l4.c, decode-tunnel.c, and decode-fast.h (the common
 * Ethernet/IPv4/TCP-UDP-ICMP case inline, same results as the general code).
 *
 * Fragments are decoded as far as the fragment allows and flagged; reassembly is a
 * separate, stateful step (decode-defrag.h). */
#ifndef VG_DECODE_H
#define VG_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core-addr.h"
#include "core/limits.h"

/* Link types we accept; the values are libpcap's DLT_/LINKTYPE_ numbers. */
enum {
	VG_LINK_NULL = 0,      /* BSD loopback */
	VG_LINK_ETHERNET = 1,
	VG_LINK_RAW = 101,     /* raw IPv4/IPv6 (LINKTYPE_RAW) */
	VG_LINK_RAW_DLT12 = 12,/* DLT_RAW on some platforms */
	VG_LINK_IPV4 = 228,
	VG_LINK_IPV6 = 229,
	VG_LINK_SLL = 113,
	VG_LINK_SLL2 = 276,
	VG_LINK_CHDLC = 104,
};

enum vg_overlay {
	VG_OVERLAY_NONE = 0,
	VG_OVERLAY_VXLAN,
	VG_OVERLAY_GENEVE,
	VG_OVERLAY_GRE,      /* plain GRE with a key: key kept as vni */
	VG_OVERLAY_ERSPAN,   /* ERSPAN II/III: session id kept as vni */
};

/* Packet flags. */
enum {
	VG_PKT_IPV4 = 1u << 0,
	VG_PKT_IPV6 = 1u << 1,
	VG_PKT_TCP = 1u << 2,
	VG_PKT_UDP = 1u << 3,
	VG_PKT_ICMP = 1u << 4,     /* ICMPv4 or ICMPv6 */
	VG_PKT_FRAGMENT = 1u << 5, /* innermost IP datagram is a fragment */
	VG_PKT_REASSEMBLED = 1u << 6,
	VG_PKT_TRUNCATED = 1u << 7,/* caplen < what the headers say */
	VG_PKT_INVALID = 1u << 8,  /* could not be decoded to L3; do not track */
	VG_PKT_PPPOE_DISC = 1u << 9, /* PPPoE discovery (0x8863): counted, not decoded */
	VG_PKT_TUNNEL_NO_INNER_IP = 1u << 10, /* VXLAN/Geneve/GRE entered, no inner IP found:
					       * the IP fields are the tunnel's own */
};

/* Layers walked (struct vg_packet.layers), for per-layer decoder statistics such as
 * Suricata's decoder.ipv4 / decoder.nsh counters. A layer seen twice (IPv4 in IPv4)
 * is one bit. vg_decode_layer_name() names a bit. */
enum {
	VG_LAYER_ETHERNET = 1u << 0, VG_LAYER_VLAN = 1u << 1, VG_LAYER_SLL = 1u << 2,
	VG_LAYER_NULL = 1u << 3, VG_LAYER_RAW = 1u << 4, VG_LAYER_CHDLC = 1u << 5,
	VG_LAYER_MPLS = 1u << 6, VG_LAYER_PPPOE = 1u << 7, VG_LAYER_PPP = 1u << 8,
	VG_LAYER_NSH = 1u << 9, VG_LAYER_GRE = 1u << 10, VG_LAYER_ERSPAN = 1u << 11,
	VG_LAYER_VXLAN = 1u << 12, VG_LAYER_GENEVE = 1u << 13, VG_LAYER_IPV4 = 1u << 14,
	VG_LAYER_IPV6 = 1u << 15, VG_LAYER_TCP = 1u << 16, VG_LAYER_UDP = 1u << 17,
	VG_LAYER_ICMPV4 = 1u << 18, VG_LAYER_ICMPV6 = 1u << 19, VG_LAYER_SLL2 = 1u << 20,
	VG_LAYER__COUNT = 21
};

/* TCP flag bits as on the wire. */
enum {
	VG_TH_FIN = 0x01, VG_TH_SYN = 0x02, VG_TH_RST = 0x04, VG_TH_PSH = 0x08,
	VG_TH_ACK = 0x10, VG_TH_URG = 0x20, VG_TH_ECE = 0x40, VG_TH_CWR = 0x80,
};

struct vg_packet {
	int64_t ts_us;           /* capture time, microseconds since the epoch */
	const uint8_t *data;     /* the frame, borrowed from the caller */
	uint32_t caplen, wirelen; /* vg_decode_packet sets both to len; capture sets wirelen */
	int linktype;
	uint32_t flags;          /* VG_PKT_* */

	/* Encapsulation context (innermost overlay wins for vni). */
	uint8_t overlay;         /* enum vg_overlay */
	bool has_vni;
	uint32_t vni;
	uint16_t vlan[2];        /* outer first; QinQ gives two */
	uint8_t n_vlan;
	uint8_t encap_depth;     /* tunnels/tags walked */
	struct vg_addr outer_src, outer_dst; /* outermost IP of the tunnel, if any */

	/* Innermost IP. */
	uint8_t ip_version;      /* 4, 6, or 0 when none */
	struct vg_addr src, dst;
	uint8_t proto;           /* IPPROTO_* of the transport (after IPv6 ext headers) */
	uint8_t ttl;             /* TTL / hop limit */
	uint32_t ip_id;          /* IPv4 id / IPv6 fragment id */
	uint16_t frag_offset;    /* in bytes */
	bool more_frags;
	const uint8_t *l3;       /* innermost IP header */
	uint32_t l3_len;         /* from l3 to end of the IP datagram (bounded by caplen) */

	/* Transport. */
	const uint8_t *l4;
	uint32_t l4_len;
	uint16_t sport, dport;   /* host order; ICMP: 0 */
	uint8_t tcp_flags;
	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_win;
	uint16_t tcp_mss;        /* 0 when absent */
	uint8_t tcp_wscale;      /* 0xff when absent */
	bool tcp_sackok, tcp_ts;
	uint32_t tcp_tsval, tcp_tsecr;
	uint8_t icmp_type, icmp_code;
	uint16_t icmp_id, icmp_seq;

	const uint8_t *payload;  /* L4 payload */
	uint32_t payload_len;

	uint8_t n_anomalies;
	uint16_t anomalies[VG_MAX_PKT_ANOMALIES]; /* enum vg_decode_anomaly */

	/* Added for issue 3 (decoders). */
	uint16_t ethertype;      /* innermost Ethertype seen (so ARP, LLDP, ... can be counted) */
	uint8_t n_mpls;          /* MPLS labels walked */
	uint32_t mpls_label;     /* bottom-of-stack MPLS label */
	uint16_t pppoe_session;  /* PPPoE session id, when PPPoE was walked */
	uint16_t ip_hlen;        /* bytes from l3 to l4 (IPv4 with options / IPv6 with ext headers) */
	/* Fragments (VG_PKT_FRAGMENT): the fragment's data and, for IPv6, where the fragment
	 * header sits, so that decode-defrag.c can rebuild the datagram. */
	const uint8_t *frag_data;
	uint32_t frag_data_len;
	uint16_t frag_hdr_off;   /* IPv6: bytes from l3 to the fragment header */
	uint16_t frag_prev_nh_off; /* IPv6: bytes from l3 to the Next Header byte naming it */
	uint8_t anomalies_dropped; /* anomalies beyond VG_MAX_PKT_ANOMALIES (not recorded) */
	uint32_t layers;         /* VG_LAYER_* bits of every header decoded, outer and inner */
};

/* Decoder anomalies. Names (vg_decode_anomaly_name) follow Suricata's decoder event
 * names where one exists, so EVE anomaly records read the same. */
enum vg_decode_anomaly {
	VG_AN_NONE = 0,
	VG_AN_ETH_TRUNC,
	VG_AN_VLAN_TRUNC,
	VG_AN_VLAN_TOO_MANY,
	VG_AN_SLL_TRUNC,
	VG_AN_UNKNOWN_LINKTYPE,
	VG_AN_UNKNOWN_ETHERTYPE,
	VG_AN_IPV4_TRUNC,
	VG_AN_IPV4_HLEN_TOO_SMALL,
	VG_AN_IPV4_IPLEN_SMALLER_THAN_HLEN,
	VG_AN_IPV4_WRONG_VERSION,
	VG_AN_IPV4_OPT_INVALID,
	VG_AN_IPV4_OPT_MALFORMED,
	VG_AN_IPV4_FRAG_OVERLAP,
	VG_AN_IPV4_FRAG_TOO_LARGE,
	VG_AN_IPV6_TRUNC,
	VG_AN_IPV6_WRONG_VERSION,
	VG_AN_IPV6_EXTHDR_TRUNC,
	VG_AN_IPV6_EXTHDR_TOO_MANY,
	VG_AN_IPV6_FRAG_OVERLAP,
	VG_AN_TCP_TRUNC,
	VG_AN_TCP_HLEN_TOO_SMALL,
	VG_AN_TCP_OPT_INVALID,
	VG_AN_TCP_INVALID_FLAGS,  /* e.g. SYN+FIN, SYN+RST */
	VG_AN_UDP_TRUNC,
	VG_AN_UDP_LEN_INVALID,
	VG_AN_ICMPV4_TRUNC,
	VG_AN_ICMPV6_TRUNC,
	VG_AN_VXLAN_TRUNC,
	VG_AN_GENEVE_TRUNC,
	VG_AN_GENEVE_OPT_INVALID,
	VG_AN_GRE_TRUNC,
	VG_AN_GRE_VERSION_INVALID,
	VG_AN_ERSPAN_TRUNC,
	VG_AN_ERSPAN_VERSION_INVALID,
	VG_AN_MPLS_TRUNC,
	VG_AN_PPPOE_TRUNC,
	VG_AN_PPP_UNSUPPORTED,
	VG_AN_ENCAP_TOO_DEEP,
	VG_AN_PKT_TOO_LARGE,
	VG_AN_FRAG_MEMCAP,
	VG_AN_FRAG_TIMEOUT,
	/* Added for issue 3; keep appending. */
	VG_AN_IPV4_PKT_TOO_SMALL,
	VG_AN_IPV4_OPT_INVALID_LEN,
	VG_AN_IPV4_OPT_DUPLICATE,
	VG_AN_IPV4_OPT_UNKNOWN,
	VG_AN_IPV4_WITH_ICMPV6,
	VG_AN_IPV6_PKT_TOO_SMALL,
	VG_AN_IPV6_EXTHDR_DUPL,
	VG_AN_IPV6_EXTHDR_INVALID_OPTLEN,
	VG_AN_IPV6_HOPOPTS_NOT_FIRST,
	VG_AN_IPV6_FRAG_TOO_LARGE,
	VG_AN_IPV6_WITH_ICMPV4,
	VG_AN_TCP_INVALID_OPTLEN,   /* data offset points past the packet */
	VG_AN_TCP_OPT_DUPLICATE,
	VG_AN_TCP_WSCALE_INVALID,
	VG_AN_TCP_FLAGS_NULL,
	VG_AN_UDP_HLEN_INVALID,
	VG_AN_VXLAN_FLAGS_INVALID,
	VG_AN_GENEVE_VERSION_INVALID,
	VG_AN_GENEVE_UNKNOWN_PAYLOAD,
	VG_AN_GRE_RECUR,
	VG_AN_GRE_ROUTING,          /* RFC 1701 source routing: not supported */
	VG_AN_GRE_UNKNOWN_PAYLOAD,
	VG_AN_MPLS_BAD_LABEL,
	VG_AN_MPLS_UNKNOWN_PAYLOAD,
	VG_AN_MPLS_TOO_MANY_LABELS,
	VG_AN_PPPOE_WRONG_CODE,
	VG_AN_PPP_TRUNC,
	VG_AN_CHDLC_TRUNC,
	VG_AN_NULL_TRUNC,
	VG_AN_NULL_UNKNOWN_FAMILY,
	VG_AN_RAW_INVALID_IP_VERSION,
	VG_AN_NSH_TRUNC,
	VG_AN_NSH_VERSION_INVALID,
	VG_AN_NSH_BAD_HEADER_LENGTH,
	VG_AN_NSH_UNKNOWN_PAYLOAD,
	VG_AN_NSH_RESERVED_TYPE,
	VG_AN_FRAG_TOO_MANY,        /* a datagram exceeded VG_DEFRAG_MAX_FRAGS */
	VG_AN_FRAG_TRACKERS_FULL,   /* new datagram while all trackers are busy: oldest evicted */
	VG_AN_FRAG_INVALID,         /* MF set and length not a multiple of 8, contradicting ends */
	VG_AN_IPV6_RH_TYPE_0,       /* deprecated type 0 routing header (RFC 5095: amplification) */
	VG_AN__COUNT
};

/* Decode one frame. *out is zeroed on entry. Returns 0 when an IP header was decoded
 * (anomalies may still be recorded), VG_EINVAL/VG_ETRUNC/VG_ENOTSUP when no usable IP
 * layer was found (out->flags has VG_PKT_INVALID; anomalies say why). Never reads
 * outside buf[0..len). buf is borrowed: out points into it. */
int vg_decode_packet(int linktype, const uint8_t *buf, size_t len, int64_t ts_us,
		     struct vg_packet *out);

/* Decode an IP datagram that starts at buf (IPv4 or IPv6 by its first nibble), e.g. one
 * rebuilt by decode-defrag.h. The encapsulation context (time, overlay, vni, VLANs,
 * MPLS/PPPoE ids, outer addresses of a tunnel) is copied from ctx (may be NULL), so the
 * packet keeps its tenant attribution. Sets VG_PKT_REASSEMBLED. Same return and
 * borrowing contract as vg_decode_packet(); out->data is buf. */
int vg_decode_ip(const uint8_t *buf, size_t len, const struct vg_packet *ctx,
		 struct vg_packet *out);

/* "ipv4.trunc_pkt", ... ; "unknown" for out-of-range codes. */
const char *vg_decode_anomaly_name(unsigned code);
/* Layer of an anomaly ("ethernet", "ipv4", "tcp", ...). */
const char *vg_decode_anomaly_layer(unsigned code);
/* "ethernet", "vlan", ..., for one VG_LAYER_* bit; "unknown" otherwise. */
const char *vg_decode_layer_name(uint32_t layer_bit);

#endif
