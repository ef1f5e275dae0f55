/* fuzz-nids.c — libFuzzer harness for the whole packet path (src/nids): frames through
 * decode, defrag, tenants, scan/flood, flow, stream and app layer, every event encoded
 * as EVE, then a restart and the end-of-input flush. Catches what the per-part harnesses
 * cannot: the parts' interactions (a flow ending inside an app callback, events of a
 * freed flow, counters across timelines).
 * Input: byte 0 picks the link type (low 3 bits) and how frames are fed (high 5 bits: 0
 * one by one with vg_nids_packet, else in batches of that many with vg_nids_packets, the
 * offline path); then records of [1 byte time step in ms][2 bytes big-endian
 * length][frame]. A record with time step 255 restarts the timeline. */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "core/core-eve.h"
#include "core/core-tenant.h"
#include "nids/nids.h"

#define MAX_BATCH 31u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int encode(void *ctx, const struct vg_event *ev)
{
	struct vg_buf *b = ctx;
	vg_buf_reset(b);
	if (vg_eve_encode(ev, b) != 0)
		abort(); /* every event the path makes must encode */
	return 0;
}

static const char TENANTS[] = "tenants:\n"
			      "  - name: a\n    networks:\n      - { cidr: 192.168.10.0/24, vni: 1001 }\n"
			      "  - name: lab\n    networks:\n      - 10.99.0.0/24\n      - fd00:99::/64\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int links[] = { 1, 101, 113, 276, 0, 104, 228, 229 };
	static struct vg_tenants *tenants;
	if (!tenants && vg_tenants_load_string(TENANTS, sizeof(TENANTS) - 1, "fuzz", &tenants, NULL) != 0)
		abort();
	if (size < 1)
		return 0;
	int link = links[data[0] & 7];
	unsigned batch = (unsigned)data[0] >> 3; /* 0..31 */
	struct vg_nids_frame fr[MAX_BATCH];
	unsigned nfr = 0;
	struct vg_buf b;
	vg_buf_init(&b, 0);
	struct vg_event_sink sink = { encode, &b };
	struct vg_nids_config cfg;
	vg_nids_config_default(&cfg);
	cfg.flow.memcap = 1u << 20; /* small: eviction paths get exercised */
	cfg.stream.memcap = 1u << 20;
	cfg.scan.ports_threshold = 3;
	cfg.flood.syn_pps = cfg.flood.udp_pps = cfg.flood.icmp_pps = 5;
	cfg.flood.prefilter_pps = 2;
	/* small tables: allocation per input dominates otherwise, and caps get hit */
	cfg.scan.max_trackers = 16;
	cfg.scan.memcap = 1u << 20;
	cfg.flood.max_trackers = 16;
	cfg.flood.cms_width = 64;
	cfg.defrag.max_trackers = 16;
	cfg.defrag.memcap = 64u << 10;
	struct vg_nids *n = NULL;
	if (vg_nids_new(&cfg, tenants, &sink, &n) != 0)
		abort();
	int64_t ts = 1700000000000000ll;
	size_t off = 1;
	while (off + 3 <= size) {
		uint8_t step = data[off];
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		if (step == 255) {
			if (nfr) /* what came before belongs to the old timeline */
				vg_nids_packets(n, link, fr, nfr);
			nfr = 0;
			vg_nids_restart(n);
			ts -= 5000000;
		} else {
			ts += (int64_t)step * 1000;
		}
		if (batch) {
			fr[nfr++] = (struct vg_nids_frame){ data + off, (uint32_t)len, (uint32_t)len, ts };
			if (nfr == batch) {
				vg_nids_packets(n, link, fr, nfr);
				nfr = 0;
			}
		} else {
			vg_nids_packet(n, link, data + off, (uint32_t)len, (uint32_t)len, ts);
		}
		off += len;
	}
	if (nfr)
		vg_nids_packets(n, link, fr, nfr);
	vg_nids_idle(n, ts + 3600ll * 1000000);
	vg_nids_finish(n);
	json_t *st = vg_nids_stats_json(n);
	json_decref(st);
	vg_nids_free(n);
	vg_buf_free(&b);
	return 0;
}
