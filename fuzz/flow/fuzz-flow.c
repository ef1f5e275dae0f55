/* fuzz-flow.c — drives the flow table with arbitrary packet sequences over a small
 * address space (so flows collide, reverse, reuse ports, time out, hit the memcap) and
 * checks its invariants after every step. Input: 1 config byte, then 12-byte records:
 *   [0] op (mod 7): 0-2 packet, 3 timeout pass (now), 4 flush, 5 packet + mark alerted,
 *       6 jump the clock to the signed 64-bit value in [1..8] (time overflow checks)
 *   [1] src host (bits 0-2), dst host (3-5), IPv6 (6), has VNI (7)
 *   [2] protocol: 0 TCP, 1 UDP, 2 ICMP, 3 ICMPv6, else the byte itself
 *   [3] TCP flags   [4] sport (low 3 bits)   [5] dport (low 3 bits)
 *   [6] VNI (low 2 bits), VLAN (bits 2-3)   [7] ICMP type   [8] ICMP id
 *   [9..10] time step in ms, little-endian   [11] bit 0: attach storage
 * Storage values are heap blocks freed by the table: ASan reports leaks/double frees. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"
#include "flow/flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t g_events;

static int on_event(void *ctx, const struct vg_event *ev)
{
	(void)ctx;
	if (ev->type != VG_EVT_FLOW || !ev->u.flow.reason || !ev->u.flow.state ||
	    ev->u.flow.end_us < ev->u.flow.start_us || ev->flow_id == 0 ||
	    ev->u.flow.pkts_toserver + ev->u.flow.pkts_toclient == 0)
		__builtin_trap();
	g_events++;
	return 0;
}

static void check(struct vg_flow_table *t)
{
	struct vg_flow_stats st;
	vg_flow_table_stats(t, &st);
	if (st.flows_active > st.max_flows || st.memuse > st.memcap ||
	    st.flows_created != st.flows_active + g_events)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vg_flow_config cfg;
	struct vg_flow_table *t = NULL;
	struct vg_event_sink sink = { on_event, NULL };

	if (size < 1)
		return 0;
	vg_flow_config_default(&cfg);
	cfg.memcap = VG_FLOW_MIN_MEMCAP; /* a few thousand flows: the policies get exercised */
	cfg.policy = data[0] & 1 ? VG_FLOW_POLICY_EMERGENCY : VG_FLOW_POLICY_EVICT_OLDEST;
	if (data[0] & 2)
		cfg.timeouts.tcp_closed = 0;
	if (vg_flow_table_new(&cfg, &sink, &t) < 0)
		return 0;
	int slot = vg_flow_storage_register(t, free);
	g_events = 0;
	int64_t now = 1700000000ll * 1000000;
	data++;
	size--;
	for (; size >= 12; data += 12, size -= 12) {
		now = (int64_t)((uint64_t)now + (uint64_t)(data[9] | data[10] << 8) * 1000);
		uint8_t op = data[0] % 7;
		if (op == 6) {
			uint64_t v = 0;
			for (int i = 1; i <= 8; i++)
				v = v << 8 | data[i];
			now = (int64_t)v;
			vg_flow_timeout(t, now);
			check(t);
			continue;
		}
		if (op == 3) {
			vg_flow_timeout(t, now);
			check(t);
			continue;
		}
		if (op == 4) {
			vg_flow_flush(t, "shutdown");
			check(t);
			continue;
		}
		struct vg_packet p;
		memset(&p, 0, sizeof(p));
		bool v6 = data[1] & 0x40;
		p.ip_version = v6 ? 6 : 4;
		p.flags = v6 ? VG_PKT_IPV6 : VG_PKT_IPV4;
		p.src.family = p.dst.family = v6 ? VG_AF_INET6 : VG_AF_INET;
		p.src.b[0] = p.dst.b[0] = v6 ? 0xfd : 10;
		p.src.b[v6 ? 15 : 3] = (uint8_t)(1 + (data[1] & 7));
		p.dst.b[v6 ? 15 : 3] = (uint8_t)(1 + ((data[1] >> 3) & 7));
		p.has_vni = data[1] & 0x80;
		p.vni = p.has_vni ? (uint32_t)(data[6] & 3) : 0;
		p.n_vlan = (data[6] >> 2) & 3 ? 1 : 0;
		p.vlan[0] = (uint16_t)((data[6] >> 2) & 3);
		static const uint8_t protos[] = { 6, 17, 1, 58 };
		p.proto = data[2] < 4 ? protos[data[2]] : data[2];
		p.tcp_flags = data[3];
		p.sport = (uint16_t)(1000 + (data[4] & 7));
		p.dport = (uint16_t)(1 + (data[5] & 7));
		p.icmp_type = data[7];
		p.icmp_id = data[8];
		p.ts_us = now;
		p.caplen = p.wirelen = 60;
		struct vg_flow *f = NULL;
		int dir = -1;
		int rc = vg_flow_handle_packet(t, &p, now, &f, &dir);
		if (rc == 0) {
			if (!f || (dir != VG_FLOW_TOSERVER && dir != VG_FLOW_TOCLIENT) ||
			    f->key.proto != p.proto || f->pkts[dir] == 0)
				__builtin_trap();
			if (op == 5)
				f->alerted = true;
			if ((data[11] & 1) && slot >= 0 && !vg_flow_storage_get(f, slot))
				vg_flow_storage_set(f, slot, malloc(8));
		} else if (rc != VG_EFULL || f) {
			__builtin_trap();
		}
		check(t);
	}
	vg_flow_flush(t, "shutdown");
	check(t);
	vg_flow_table_free(t);
	return 0;
}
