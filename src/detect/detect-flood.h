/* detect-flood.h — packet-flood (DoS) detection on packets (vigil issue 3).
 *
 * Kinds and keys: SYN (TCP SYN without ACK) per (vni, destination, port), UDP per (vni,
 * destination, port), ICMP (echo requests) per (vni, destination). Every packet of a kind
 * first goes through a count-min sketch over one-second epochs; only a key that reaches
 * prefilter_pps in a second gets a tracker, so traffic to random destinations cannot fill
 * the table. A tracker keeps ten 100 ms bins (packets, bytes, and for SYN the clients' ACKs
 * to that port) giving the packets/s over a sliding second, and a HyperLogLog of sources
 * (fixed 256 bytes, however many spoofed sources there are).
 *
 * Onset: the sliding-second rate reaches the kind's threshold (SYN also needs the clients'
 * ACKs below syn_max_completion_pct of the SYNs: a busy server's clients complete their
 * handshakes, a flood's spoofed sources never do). The onset alert is raised by the packet
 * that crosses the threshold, i.e. within one second of the first flood packet in packet
 * time whenever the flood's rate is at least the threshold. End: the rate stays below
 * end_pct of the threshold (hysteresis) for hold_us; vg_detect_flood_tick notices it when
 * no packet arrives at all; vg_detect_flood_finish closes everything at end of input.
 *
 * Random-port floods (reflection/amplification, hping3 --rand-dest-port) spread over ports
 * so that no per-port tracker sees the rate; SYN and UDP are therefore also counted per
 * destination over all ports (kinds reported as "SYN"/"UDP", dport 0), which alert only
 * at their own, higher thresholds and when at least any_min_ports distinct ports were hit
 * (a one-port flood is left to its per-port tracker: one alert per episode).
 *
 * Rules (gid 1, rev 1), category "Attempted Denial of Service", severity 2:
 *   9100101 VIGIL DOS SYN flood    9100102 VIGIL DOS UDP flood    9100103 VIGIL DOS ICMP flood
 *   9100104 VIGIL DOS SYN flood on many ports    9100105 VIGIL DOS UDP flood on many ports
 *
 * Alerts: dst = the victim, dport for SYN/UDP; src = the flood's first source while the
 * source estimate is below spoof_sources, none otherwise (spoofed). Not thread-safe. */
#ifndef VG_DETECT_FLOOD_H
#define VG_DETECT_FLOOD_H

#include <stdint.h>

#include "core/core-event.h"
#include "decode/decode.h"

#define VG_FLOOD_SID_SYN  9100101u
#define VG_FLOOD_SID_UDP  9100102u
#define VG_FLOOD_SID_ICMP 9100103u
#define VG_FLOOD_SID_SYN_ANY 9100104u
#define VG_FLOOD_SID_UDP_ANY 9100105u

struct vg_detect_flood_config {
	/* detect.flood.syn-pps, default 1000: SYNs/s to one destination port. A busy web
	 * server takes more than that, which is why syn_max_completion_pct gates it. */
	uint32_t syn_pps;
	/* detect.flood.syn-max-completion, default 50 (percent): a SYN rate above syn_pps is a
	 * flood only while the clients' ACKs to that port stay below this share of the SYNs. */
	uint32_t syn_max_completion_pct;
	/* detect.flood.udp-pps, default 2000: datagrams/s to one destination port. hping3 and
	 * similar single-host tools reach 5000+; a resolver taking more legitimate queries
	 * than that needs a higher value. */
	uint32_t udp_pps;
	/* detect.flood.icmp-pps, default 1000: echo requests/s to one destination; ping -f
	 * from one host stays around 100/s on most links. */
	uint32_t icmp_pps;
	/* detect.flood.syn-any-pps, default 5000, and detect.flood.udp-any-pps, default 10000:
	 * SYNs / datagrams per second to one destination over all its ports, for floods on
	 * many ports. Higher than the per-port values because a busy host's legitimate
	 * traffic adds up over its ports (a media relay carries thousands of RTP packets/s). */
	uint32_t syn_any_pps;
	uint32_t udp_any_pps;
	/* detect.flood.any-min-ports, default 16: distinct destination ports (estimated) before
	 * a many-ports flood is reported; 0 turns the per-destination counting off. */
	uint32_t any_min_ports;
	/* detect.flood.end-percent, default 50: a flood ends when its rate stays below this
	 * share of its threshold (hysteresis: a flood hovering at the threshold is one episode) */
	uint32_t end_pct;
	/* detect.flood.hold, default 5 s (microseconds): how long the rate must stay low. */
	int64_t hold_us;
	/* detect.flood.prefilter-pps, default 100: packets of one key within one second (count-
	 * min sketch) before a tracker is created for it. */
	uint32_t prefilter_pps;
	/* detect.flood.spoof-sources, default 4: at or above this source estimate the alert
	 * names no source (spoofed / distributed). */
	uint32_t spoof_sources;
	/* detect.flood.max-trackers, default 4096, clamped to 1..VG_FLOOD_MAX_TRACKERS;
	 * the least recently active tracker is evicted (counted). */
	uint32_t max_trackers;
	/* detect.flood.sketch-width, default 16384, clamped to 64..VG_FLOOD_MAX_CMS_WIDTH:
	 * cells per count-min row (4 rows of 16-byte cells: 1 MiB by default). */
	uint32_t cms_width;
};

struct vg_detect_flood_stats {
	uint64_t packets;          /* packets seen */
	uint64_t counted;          /* packets of a flood kind (SYN, UDP, ICMP echo) */
	uint64_t trackers_in_use;
	uint64_t trackers_created;
	uint64_t evictions;        /* trackers evicted because max_trackers was reached */
	uint64_t alerts;
	uint64_t episodes;         /* episodes closed */
	uint64_t emit_errors;
};

struct vg_detect_flood;

void vg_detect_flood_config_default(struct vg_detect_flood_config *cfg);

/* cfg may be NULL (defaults); it is copied and clamped. sink is borrowed and must outlive
 * the detector. *out is zeroed on entry; caller frees with vg_detect_flood_free.
 * Returns 0, VG_ENOMEM or VG_EIO (no random source). */
int vg_detect_flood_new(const struct vg_detect_flood_config *cfg,
			const struct vg_event_sink *sink, struct vg_detect_flood **out);

/* Feed one decoded packet (borrowed for the call); tenant: borrowed name or NULL, copied
 * when a tracker is created. Time must not go backwards (older packets count as "now").
 * Returns 0 or VG_EINVAL. O(1), no allocation except when a tracker is created. */
int vg_detect_flood_packet(struct vg_detect_flood *d, const struct vg_packet *p, const char *tenant);

/* Close floods whose rate has been low for hold_us at packet time now_us. */
void vg_detect_flood_tick(struct vg_detect_flood *d, int64_t now_us);

/* End of input: close every open flood (end_us = last packet above the end rate). */
void vg_detect_flood_finish(struct vg_detect_flood *d, int64_t now_us);

void vg_detect_flood_get_stats(const struct vg_detect_flood *d, struct vg_detect_flood_stats *out);

/* NULL-safe; emits nothing (call finish first). */
void vg_detect_flood_free(struct vg_detect_flood *d);

#endif
