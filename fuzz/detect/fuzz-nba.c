/* fuzz-nba.c — the behavioural analysis fed arbitrary flow sequences.
 *
 * Input: byte 0 picks the configuration (bit 0: tiny thresholds and warm-up so that
 * alerts need little input; bits 1-3: table sizes 16..128; bit 4: beacons internal too);
 * then 10-byte records [op][dt: 2][src][dst][dport: 2][proto][bytes: 2]. op & 3: flow
 * start, flow end, tick, or a time jump (dt in hours, backwards when op bit 2 is set);
 * src/dst pick from 16 addresses (internal and external, IPv4 and IPv6). The sink checks
 * every alert; at the end the tables are within their caps. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "detect/detect-nba.h"

static int check(void *ctx, const struct vg_event *ev)
{
	(void)ctx;
	uint32_t sid = ev->rule.sid;
	if (ev->type != VG_EVT_ALERT || ev->rule.detector != VG_DET_ANOMALY || !ev->rule.signature ||
	    !json_is_object(json_object_get(ev->extra, "nba")))
		abort();
	if (!((sid >= VG_NBA_SID_BASE && sid < VG_NBA_SID_BASE + VG_NBA_NMETRICS) ||
	      sid == VG_NBA_SID_TALKER || sid == VG_NBA_SID_BEACON))
		abort();
	if (ev->src.family != VG_AF_INET && ev->src.family != VG_AF_INET6)
		abort();
	return 0;
}

static const char *const pool[16] = {
	"10.0.0.1", "10.0.0.2", "192.168.1.7", "172.16.3.3", "fd00::1", "fd00::2", "10.9.9.9", "fe80::5",
	"203.0.113.1", "203.0.113.2", "198.51.100.9", "8.8.8.8", "2001:db8::1", "2001:db8:1::1",
	"45.33.1.1", "2001:db8:ffff::9",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct vg_nba_config c;
	vg_nba_config_default(&c);
	uint32_t cap = 16u << ((data[0] >> 1) & 3);
	c.max_hosts = c.max_services = c.max_talkers = c.max_pairs = cap;
	c.beacon_internal = data[0] & 16;
	if (data[0] & 1) {
		c.warmup = 1;
		c.min_conns = c.min_bytes = c.min_peers = c.min_ports = 1;
		c.beacon_min_conns = 3;
		c.beacon_min_period_us = 0;
		c.beacon_burst_us = 0;
		c.interval_us = 1000000;
		c.talker_max_alerts = 2;
	}
	struct vg_addr addrs[16];
	for (int i = 0; i < 16; i++)
		if (vg_addr_parse(pool[i], strlen(pool[i]), &addrs[i]) != 0)
			abort();
	struct vg_event_sink sink = { check, NULL };
	struct vg_nba *n;
	if (vg_nba_new(&c, &sink, &n) != 0)
		return 0;
	int64_t ts = 1700000000ll * 1000000;
	for (size_t off = 1; off + 10 <= size; off += 10) {
		const uint8_t *r = data + off;
		uint32_t dt = (uint32_t)r[1] << 8 | r[2];
		struct vg_nba_flow f;
		memset(&f, 0, sizeof(f));
		f.src = addrs[r[3] & 15];
		f.dst = addrs[r[4] & 15];
		f.sport = (uint16_t)(1024 + r[3]);
		f.dport = (uint16_t)(r[5] << 8 | r[6]);
		f.proto = r[7];
		f.bytes_toserver = (uint64_t)(r[8] << 8 | r[9]) * 100;
		f.bytes_toclient = f.bytes_toserver / 2;
		f.pkts_toserver = 1;
		f.pkts_toclient = r[8] & 1;
		switch (r[0] & 3) {
		case 0:
			ts += (int64_t)dt * 10000;
			f.start_us = ts;
			(void)vg_nba_flow_start(n, &f, ts);
			break;
		case 1:
			ts += (int64_t)dt * 10000;
			f.start_us = ts - 1000000;
			f.end_us = ts;
			(void)vg_nba_flow_end(n, &f);
			break;
		case 2:
			ts += (int64_t)dt * 1000000;
			vg_nba_tick(n, ts);
			break;
		default: /* clock jumps, either way, up to about 7 years */
			ts += (r[0] & 4 ? -1 : 1) * (int64_t)dt * 3600 * 1000000;
			vg_nba_tick(n, ts);
			break;
		}
	}
	struct vg_nba_stats st;
	vg_nba_get_stats(n, &st);
	if (st.hosts_in_use > cap || st.pairs_in_use > cap || st.services_in_use > cap ||
	    st.talkers_in_use > cap)
		abort();
	vg_nba_free(n);
	return 0;
}
