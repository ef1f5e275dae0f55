/* decode-defrag.h — IPv4 and IPv6 fragment reassembly (stateful; the rest of
 * src/decode is pure).
 *
 * Trackers are keyed by (vni, first VLAN id, src, dst, IP id, protocol; IPv6 leaves the
 * protocol out, RFC 8200 lets it differ between fragments) in a hash table keyed with
 * vg_hash_key_random() + SipHash, so an attacker cannot aim fragments at one bucket.
 * Bounds (clamped to src/core/limits.h): a tracker cap, a memory cap over trackers and
 * their buffers, a per-datagram fragment cap, a timeout from the first fragment seen.
 * When a new datagram finds the tracker cap or the memory cap reached, the oldest
 * trackers are evicted (counted, VG_AN_FRAG_TRACKERS_FULL / VG_AN_FRAG_MEMCAP on the
 * packet).
 *
 * Overlap policy: "first" (as Suricata's defrag policy "first", and Windows/Solaris):
 * bytes already received are never replaced; a later fragment only fills holes.
 * Any overlap records VG_AN_IPV4_FRAG_OVERLAP / VG_AN_IPV6_FRAG_OVERLAP on the
 * fragment and is counted (pure duplicates separately). A datagram that would exceed
 * 65535 bytes records VG_AN_IPV4_FRAG_TOO_LARGE / VG_AN_IPV6_FRAG_TOO_LARGE and the
 * fragment is dropped; more than max_frags fragments drop the whole datagram
 * (VG_AN_FRAG_TOO_MANY). Allocation happens only for fragments, never on the ordinary
 * packet path. Not thread-safe: one context per packet thread. */
#ifndef VG_DECODE_DEFRAG_H
#define VG_DECODE_DEFRAG_H

#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

struct vg_defrag;

struct vg_defrag_config {
	uint64_t memcap;        /* bytes; 0 → VG_DEFRAG_MEMCAP; clamped to [64 KiB, VG_DEFRAG_MEMCAP] */
	uint32_t max_trackers;  /* 0 → VG_DEFRAG_MAX_TRACKERS; clamped to [1, VG_DEFRAG_MAX_TRACKERS] */
	uint32_t max_frags;     /* per datagram; 0 → VG_DEFRAG_MAX_FRAGS; clamped to [2, that] */
	uint32_t timeout_s;     /* 0 → VG_DEFRAG_DEFAULT_TIMEOUT_S; clamped to VG_DEFRAG_MAX_TIMEOUT_S */
};

struct vg_defrag_counters {
	uint64_t fragments;      /* fragments offered */
	uint64_t reassembled;    /* datagrams completed */
	uint64_t overlaps;       /* fragments overlapping data already held (incl. duplicates) */
	uint64_t duplicates;     /* ... of which brought nothing new (duplicates, retransmits) */
	uint64_t too_large;      /* fragments that would make a datagram > 65535 bytes */
	uint64_t too_many;       /* datagrams dropped for exceeding max_frags */
	uint64_t invalid;        /* bad fragment lengths / contradicting last fragments */
	uint64_t timeouts;       /* incomplete datagrams expired */
	uint64_t evicted;        /* trackers evicted for the tracker cap or the memcap */
	uint64_t memcap_drops;   /* fragments dropped because memory could not be found */
	uint64_t trackers;       /* trackers in use now */
	uint64_t memuse;         /* bytes accounted now */
};

/* cfg may be NULL (defaults). Returns 0 or VG_ENOMEM / VG_EIO (random key).
 * *out is caller-owned: free with vg_defrag_free(). */
int vg_defrag_new(const struct vg_defrag_config *cfg, struct vg_defrag **out);
void vg_defrag_free(struct vg_defrag *d);

/* Offer a decoded packet. Packets without VG_PKT_FRAGMENT are ignored (returns 0,
 * *out_datagram NULL). For a fragment: returns 0 with *out_datagram NULL while the
 * datagram is incomplete, or 0 with the whole IP datagram (header + payload, fragment
 * fields cleared, lengths and IPv4 checksum fixed) once it is complete — borrowed,
 * valid until the next call on d; decode it with vg_decode_ip(dg, len, frag, &pkt)
 * to keep the overlay context. Returns a negative VG_E* when the fragment was
 * dropped (VG_EINVAL bad fragment, VG_ERANGE too large, VG_EFULL too many
 * fragments, VG_ENOMEM memcap). Anomalies are added to *frag. now_us drives the
 * timeout (trackers older than the timeout are expired first). */
int vg_defrag_packet(struct vg_defrag *d, struct vg_packet *frag, int64_t now_us,
		     const uint8_t **out_datagram, size_t *out_len);

/* Drop trackers whose first fragment is older than the timeout; returns how many. */
unsigned vg_defrag_expire(struct vg_defrag *d, int64_t now_us);

/* Snapshot of the counters; *out zeroed when d is NULL. */
void vg_defrag_counters(const struct vg_defrag *d, struct vg_defrag_counters *out);

#endif
