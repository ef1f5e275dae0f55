/* detect-test-util.h — helpers shared by the detector unit tests: a sink that records
 * events, a pcap replayer (libpcap + vg_decode_packet) and a TCP/UDP/ICMP packet builder
 * for synthetic traffic. Test code only. */
#ifndef VG_DETECT_TEST_UTIL_H
#define VG_DETECT_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core-event.h"
#include "decode/decode.h"

#define REC_MAX 4096

struct rec_event {
	enum vg_event_type type;
	int64_t ts_us;
	enum vg_detector detector;
	uint32_t sid;
	char signature[96];
	char technique[16];
	char tenant[32];
	bool horizontal;
	uint32_t ports, hosts, n_targets;
	uint64_t probes;
	int64_t first_us, last_us;
	struct vg_addr src, dst;
	uint16_t dport;
	uint8_t proto;
	uint32_t vni;
	bool has_vni;
	uint64_t episode_id;
	/* flood */
	char kind[8];
	int64_t start_us, end_us;
	uint64_t packets, bytes, peak_pps, sources_est;
	bool ended;
};

struct recorder {
	struct rec_event ev[REC_MAX];
	unsigned n;
	unsigned dropped;
};

int recorder_emit(void *ctx, const struct vg_event *ev);

/* Count recorded events of a type (and detector, VG_DET_NONE = any). */
unsigned recorder_count(const struct recorder *r, enum vg_event_type type, enum vg_detector det);
/* The i-th recorded event of that type/detector, or NULL. */
const struct rec_event *recorder_get(const struct recorder *r, enum vg_event_type type,
				     enum vg_detector det, unsigned i);

typedef void (*feed_fn)(void *ctx, const struct vg_packet *p);
typedef void (*tick_fn)(void *ctx, int64_t now_us);

/* Replay a capture: every packet that decodes goes to fn, tick is called each time packet
 * time passes a whole second. Returns the number of packets fed, -1 when the file cannot be
 * opened; first_ts and last_ts (may be NULL) get the first/last packet time. */
long replay_pcap(const char *path, feed_fn fn, tick_fn tick, void *ctx, int64_t *first_ts,
		 int64_t *last_ts);

/* $VIGIL_SHARED/data/lab/pcap/<name> into buf. */
const char *lab_pcap(char *buf, size_t n, const char *name);

/* Build a decoded packet directly (no wire bytes needed by the detectors, except ICMP
 * errors, which quote the probe: buf must outlive the packet). */
void build_tcp(struct vg_packet *p, int64_t ts, const char *src, const char *dst,
	       uint16_t sport, uint16_t dport, uint8_t flags, uint32_t payload_len);
void build_udp(struct vg_packet *p, int64_t ts, const char *src, const char *dst,
	       uint16_t sport, uint16_t dport, uint32_t payload_len);
void build_icmp_echo(struct vg_packet *p, int64_t ts, const char *src, const char *dst);
/* ICMP(v6) error sent by `from` about a UDP probe probe_src:sport → probe_dst:dport: time
 * exceeded (a router on the way) when expired, else port unreachable. buf: >= 64 bytes. */
void build_icmp_error(struct vg_packet *p, uint8_t *buf, int64_t ts, const char *from,
		      const char *probe_src, const char *probe_dst, uint16_t sport, uint16_t dport,
		      bool expired);
/* ICMP(v6) port unreachable from dst answering a UDP probe src:sport → dst:dport. */
void build_icmp_port_unreach(struct vg_packet *p, uint8_t *buf, int64_t ts, const char *probe_src,
			     const char *probe_dst, uint16_t sport, uint16_t dport);

#endif
