/* detect-scan.h — port-scan and sweep detection on packets (vigil issue 3).
 *
 * Works on decoded packets only (no flow table): every scanner (vni, source address) gets
 * a tracker holding the distinct (target, port) pairs it touched and the state of each pair
 * as learnt from both directions (SYN, the target's RST / SYN-ACK / ICMP unreachable, the
 * scanner's ACK / RST / payload). A pair is a probe when it looks like one: refused (RST,
 * ICMP unreachable), half-open (SYN-ACK answered by RST), connected and closed without a
 * byte from the scanner, FIN/NULL/XMAS, an ACK answered by a bare RST, or still unanswered.
 * A pair where the scanner sent payload is ordinary use and never counts. Legitimate
 * clients open many connections to the same port; scanners touch many ports or hosts.
 *
 * Vertical scan: >= ports_threshold probed ports on one host within window_us (a sliding
 * window, approximated from two fixed epochs), or >= slow_ports_threshold within slow_window_us (catches nmap -T0..-T2).
 * Horizontal scan (sweep): one port refused/half-open on >= hosts_threshold hosts (same
 * windows, slow_hosts_threshold for the long one), or merely unanswered on
 * >= sweep_unanswered_hosts hosts (filtered networks answer nothing).
 *
 * An episode raises ONE VG_EVT_ALERT when recognised and ONE VG_EVT_EPISODE when the scanner
 * has been quiet for idle_timeout_us (vg_detect_scan_tick) or at vg_detect_scan_finish.
 *
 * Rules (gid 1, rev 1), category "Detection of a Network Scan", severity 3 (2 for sweeps):
 *   9100001 VIGIL SCAN TCP SYN port scan          9100011 VIGIL SCAN TCP SYN sweep
 *   9100002 VIGIL SCAN TCP connect port scan      9100012 VIGIL SCAN TCP connect sweep
 *   9100003 VIGIL SCAN TCP FIN port scan          9100013 VIGIL SCAN TCP FIN sweep
 *   9100004 VIGIL SCAN TCP NULL port scan         9100014 VIGIL SCAN TCP NULL sweep
 *   9100005 VIGIL SCAN TCP XMAS port scan         9100015 VIGIL SCAN TCP XMAS sweep
 *   9100006 VIGIL SCAN TCP ACK port scan          9100016 VIGIL SCAN TCP ACK sweep
 *   9100007 VIGIL SCAN UDP port scan              9100017 VIGIL SCAN UDP sweep
 *
 * Admission: a source gets a tracker at its SECOND probe (a different pair). Its first probe
 * goes into a fixed direct-mapped table (max_trackers / 2 slots, <= VG_SCAN_MAX_FIRST_SLOTS,
 * indexed by the keyed hash of (vni, source), the full key stored and compared) holding
 * what is needed to replay it: target, port, protocol, technique, state, SYN option facts,
 * times, repeats of the same pair and one answer (refused, SYN-ACK, UDP reply, ICMP). The
 * tracker is created when the source probes a second pair, or when a second state change
 * of the remembered pair arrives; the first probe is replayed first, so counts, first seen
 * and technique are what they would be had the tracker existed from the first packet.
 * One-probe sources (spoofed floods and their backscatter) therefore never take a tracker,
 * a set or an LRU slot, and cannot evict real scanners. Loss: a slot taken by another
 * source overwrites the remembered probe (counted in first_overwritten) — that source's
 * first probe is lost. A "seen" bit filter (two generations of VG_SCAN_SEEN_BITS, keyed by
 * the same hash) still gives such a source its tracker at its second probe (counted in
 * admitted_seen), so a flood of spoofed sources costs a slow scanner one probe at most, not
 * its detection. A filter collision only gives a source its tracker at its first probe,
 * as before admission existed.
 *
 * Bounds: at most max_trackers scanners (<= VG_SCAN_MAX_TRACKERS; the least recently
 * active is evicted and counted), at most VG_SCAN_MAX_PAIRS pairs per scanner, and a
 * global memcap on all pair/host/port sets: at the memcap the least recently active
 * trackers are evicted to make room (counted; at most 256 per insert), and only when
 * that is not enough is the insert dropped (counted in set_full).
 * Time is packet time only. Not thread-safe: one detector per packet thread. */
#ifndef VG_DETECT_SCAN_H
#define VG_DETECT_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core-event.h"
#include "decode/decode.h"

#define VG_SCAN_SID_BASE        9100001u /* + technique index; + 10 for sweeps */

struct vg_detect_scan_config {
	/* detect.scan.ports-threshold, default 15: distinct probed ports on one host within
	 * window_us that make a vertical scan. nmap's smallest common scans (--top-ports 20)
	 * exceed it; a client rarely touches 15 closed ports of one host in a minute. */
	uint32_t ports_threshold;
	/* detect.scan.hosts-threshold, default 4: hosts whose same port refused / half-opened
	 * within window_us that make a sweep. Needs refusals, so a client of 4 web servers is
	 * not one. */
	uint32_t hosts_threshold;
	/* detect.scan.window, default 60 s: the short sliding window, microseconds. */
	int64_t window_us;
	/* detect.scan.slow-ports-threshold, default 25 and detect.scan.slow-hosts-threshold,
	 * default 8: the same counts over slow_window_us, for slow scans (nmap -T1 probes every
	 * 15 s: 25 ports in about 6 minutes). Higher than the short thresholds because an hour
	 * of a host's life holds more accidental refusals than a minute. */
	uint32_t slow_ports_threshold;
	uint32_t slow_hosts_threshold;
	/* detect.scan.slow-window, default 3600 s: counts of a scanner without an episode are
	 * cleared after this long. */
	int64_t slow_window_us;
	/* detect.scan.sweep-unanswered-hosts, default 32: hosts probed on one port without any
	 * answer (filtered) that make a sweep; high because a client may open parallel
	 * connections to many servers before the first answer arrives. */
	uint32_t sweep_unanswered_hosts;
	/* detect.scan.idle-timeout, default 300 s: an episode ends when its scanner has sent
	 * no probe for this long (nmap -T0 waits 300 s between probes). */
	int64_t idle_timeout_us;
	/* detect.scan.max-trackers, default 65536, clamped to 1..VG_SCAN_MAX_TRACKERS:
	 * scanners tracked at once; the least recently active is evicted (counted). */
	uint32_t max_trackers;
	/* detect.scan.memcap, default 64 MiB, clamped to 1 MiB..VG_SCAN_MAX_MEMCAP: bytes for
	 * all per-scanner pair/host/port sets together. */
	uint64_t memcap;
};

struct vg_detect_scan_stats {
	uint64_t packets;          /* packets seen */
	uint64_t probes;           /* packets counted as probes */
	uint64_t trackers_in_use;
	uint64_t trackers_created;
	uint64_t evictions;        /* trackers evicted: max_trackers reached, or sets at the memcap */
	uint64_t set_full;         /* pairs not recorded (per-scanner cap or memcap) */
	uint64_t alerts;
	uint64_t episodes;         /* episodes closed */
	uint64_t emit_errors;      /* sink returned an error */
	uint64_t mem_used;         /* bytes in pair/host/port sets now */
	uint64_t first_probes;     /* first probes remembered in the admission table */
	uint64_t first_promoted;   /* trackers created from a remembered first probe */
	uint64_t first_overwritten; /* remembered first probes lost to another source's */
	uint64_t admitted_seen;    /* trackers created at a probe with no remembered first
				    * probe of a source seen recently (overwritten, or a filter
				    * collision) */
	uint64_t settled_skipped;  /* segments of connections whose pair had carried data,
				    * not examined (vg_detect_scan_flow_packet) */
};

struct vg_detect_scan;

void vg_detect_scan_config_default(struct vg_detect_scan_config *cfg);

/* cfg may be NULL (defaults); it is copied and clamped. sink is borrowed and must outlive
 * the detector. *out is zeroed on entry; caller frees with vg_detect_scan_free.
 * Returns 0, VG_ENOMEM or VG_EIO (no random source for the hash key). */
int vg_detect_scan_new(const struct vg_detect_scan_config *cfg, const struct vg_event_sink *sink,
		       struct vg_detect_scan **out);

/* Feed one decoded packet (borrowed for the call). tenant: name or NULL (provider scope),
 * borrowed: it must stay valid until the detector is freed (a remembered first probe keeps
 * the pointer; nids passes names of its tenants table); copied into a tracker on creation. Packets must come in
 * non-decreasing time order (older ones are treated as "now"). Returns 0 or VG_EINVAL. */
int vg_detect_scan_packet(struct vg_detect_scan *d, const struct vg_packet *p, const char *tenant);

/* vg_detect_scan_packet for a packet of a flow the caller tracks (nids: every packet the
 * flow table accepted). from_client: the packet goes to the flow's server. *flow_bits is a
 * byte the caller keeps in the flow record for the detector, zero when the flow starts.
 * Once the client's pair of a TCP connection has carried data from the client, no later
 * segment of that connection with ACK or RST can change the scan state ("data" is the
 * pair's last state: answers, teardown and more data leave it there), so such segments
 * return at once, counted in settled_skipped; SYN and stealth probes are always examined.
 * On a busy sensor that is most packets. Returns 0 or VG_EINVAL. */
int vg_detect_scan_flow_packet(struct vg_detect_scan *d, const struct vg_packet *p,
			       const char *tenant, bool from_client, uint8_t *flow_bits);

/* Close episodes whose scanner has been idle for idle_timeout_us at packet time now_us. */
void vg_detect_scan_tick(struct vg_detect_scan *d, int64_t now_us);

/* End of input: close every open episode (EPISODE records stamped with last activity). */
void vg_detect_scan_finish(struct vg_detect_scan *d, int64_t now_us);

void vg_detect_scan_get_stats(const struct vg_detect_scan *d, struct vg_detect_scan_stats *out);

/* NULL-safe. Does not emit anything: call finish first to close open episodes. */
void vg_detect_scan_free(struct vg_detect_scan *d);

#endif
