/* fuzz-detect-packets.c — the scan and flood detectors on arbitrary frame sequences.
 *
 * Input: byte 0 selects configuration (table caps 1..8 from its top bits; bit 0: tiny
 * thresholds so that episodes, alerts and evictions need little input), byte 1 the link
 * type; then records [dt: 1 byte][len: 2 bytes big-endian][frame: len bytes]. dt advances
 * packet time (low 7 bits, in units of 10 ms, or of 1 s with the high bit set, which also
 * calls tick). Every frame is decoded and fed to both detectors; the sink checks what every
 * event must hold. Seeds: make-corpus.py cuts them from the lab captures. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/decode.h"
#include "detect/detect-flood.h"
#include "detect/detect-scan.h"

static int check_event(void *ctx, const struct vg_event *ev)
{
	(void)ctx;
	if (ev->type != VG_EVT_ALERT && ev->type != VG_EVT_EPISODE)
		abort();
	if (!ev->rule.signature || !ev->rule.category || ev->episode_id == 0)
		abort();
	if (ev->rule.detector == VG_DET_SCAN) {
		const struct vg_ev_scan *s = &ev->u.scan;
		if (!s->technique || s->n_targets > VG_SCAN_MAX_TARGETS_LISTED ||
		    s->n_ports_listed > VG_SCAN_MAX_PORTS_LISTED || s->first_us > s->last_us)
			abort();
		for (uint32_t i = 0; i < s->n_targets; i++)
			if (s->targets[i].family != VG_AF_INET && s->targets[i].family != VG_AF_INET6)
				abort();
	} else if (ev->rule.detector == VG_DET_FLOOD) {
		const struct vg_ev_flood *f = &ev->u.flood;
		if (!f->kind || (f->ended && f->end_us < f->start_us) || (!f->ended && f->end_us))
			abort();
	} else {
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int links[] = { VG_LINK_ETHERNET, VG_LINK_RAW, VG_LINK_SLL, VG_LINK_NULL };
	if (size < 2)
		return 0;
	struct vg_detect_scan_config sc;
	struct vg_detect_flood_config fc;
	vg_detect_scan_config_default(&sc);
	vg_detect_flood_config_default(&fc);
	/* small tables always (a default scan pool is tens of MB: too slow per input) */
	sc.max_trackers = 1 + (data[0] >> 5);
	sc.memcap = 1;
	fc.max_trackers = 1 + (data[0] >> 5);
	fc.cms_width = 64;
	if (data[0] & 1) {
		sc.ports_threshold = 2;
		sc.hosts_threshold = 2;
		sc.idle_timeout_us = 1;
		fc.syn_pps = fc.udp_pps = fc.icmp_pps = 2;
		fc.prefilter_pps = 1;
		fc.hold_us = 1;
	}
	int link = links[data[1] % 4];
	struct vg_event_sink sink = { check_event, NULL };
	struct vg_detect_scan *s = NULL;
	struct vg_detect_flood *f = NULL;
	if (vg_detect_scan_new(&sc, &sink, &s) < 0 || vg_detect_flood_new(&fc, &sink, &f) < 0)
		goto out;
	int64_t ts = 1700000000ll * 1000000;
	size_t off = 2;
	while (off + 3 <= size) {
		uint8_t dt = data[off];
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		if (dt & 0x80) {
			ts += (int64_t)(dt & 0x7f) * 1000000;
			vg_detect_scan_tick(s, ts);
			vg_detect_flood_tick(f, ts);
		} else {
			ts += (int64_t)dt * 10000;
		}
		/* a private copy: the decoder and detectors must stay inside [0, len) */
		uint8_t *frame = malloc(len ? len : 1);
		if (!frame)
			break;
		memcpy(frame, data + off, len);
		struct vg_packet p;
		vg_decode_packet(link, frame, len, ts, &p);
		vg_detect_scan_packet(s, &p, (dt & 1) ? "tenant-a" : NULL);
		vg_detect_flood_packet(f, &p, NULL);
		free(frame);
		off += len;
	}
	vg_detect_scan_finish(s, ts);
	vg_detect_flood_finish(f, ts);
out:
	vg_detect_scan_free(s);
	vg_detect_flood_free(f);
	return 0;
}
