/* dump-core-events — prints one EVE line and one ECS line for every event shape vigil
 * produces, filled as densely as the producers can fill them; check-schema.py validates
 * them against etc/schema/. Usage: dump-core-events eve|ecs */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/core-ecs.h"
#include "core/core-eve.h"

#define TS 1795391967866757LL

static void addr(struct vg_addr *a, const char *s)
{
	if (vg_addr_parse(s, strlen(s), a) != 0)
		a->family = VG_AF_NONE;
}

static int emit(const struct vg_event *ev, bool ecs)
{
	struct vg_buf b;
	vg_buf_init(&b, 0);
	int rc = ecs ? vg_ecs_encode(ev, &b) : vg_eve_encode(ev, &b);
	if (rc == 0)
		printf("%s\n", vg_buf_cstr(&b));
	vg_buf_free(&b);
	return rc;
}

int main(int argc, char **argv)
{
	bool ecs = argc > 1 && strcmp(argv[1], "ecs") == 0;
	int rc = 0;
	struct vg_event ev;
	struct vg_addr tg[2];
	uint16_t ports[3] = { 22, 80, 443 };
	addr(&tg[0], "10.99.0.2");
	addr(&tg[1], "fd00:99::2");
	json_t *stats = json_pack("{s:{s:{s:I}}}", "stats", "decoder", "pkts", (json_int_t)10);
	json_t *http = json_pack("{s:{s:s}}", "http", "hostname", "victim");

	for (int t = VG_EVT_ALERT; t <= VG_EVT_EPISODE; t++) {
		for (int det = VG_DET_NONE; det <= VG_DET_CORRELATE; det++) {
			vg_event_init(&ev, (enum vg_event_type)t, TS);
			addr(&ev.src, det % 2 ? "fd00:99::1" : "10.99.0.1");
			addr(&ev.dst, det % 2 ? "fd00:99::2" : "10.99.0.2");
			ev.sport = 40000;
			ev.dport = 22;
			ev.proto = det == VG_DET_FLOOD ? 1 : 6;
			ev.has_icmp = det == VG_DET_FLOOD;
			ev.icmp_type = 8;
			ev.tenant = det == VG_DET_NONE ? NULL : "tenant-a";
			ev.flow_id = 12345;
			ev.episode_id = 7;
			ev.has_vni = true;
			ev.vni = 1001;
			ev.vlan[0] = 100;
			ev.vlan[1] = 200;
			ev.n_vlan = 2;
			ev.category = t == VG_EVT_LOG ? "authentication" : NULL;
			ev.action = "port-scan";
			ev.outcome = t == VG_EVT_LOG ? VG_OUTCOME_FAILURE : VG_OUTCOME_NONE;
			ev.app_proto = t == VG_EVT_HTTP ? "http" : NULL;
			ev.user = "root";
			ev.host = "victim";
			ev.service = "sshd";
			ev.process = "sshd";
			ev.pid = 42;
			ev.message = "Failed password for \xff root";
			ev.source_name = "auth.log";
			ev.rule = (struct vg_ev_rule){ .detector = (enum vg_detector)det, .gid = 1, .sid = 9000001,
						       .rev = 1, .signature = "VIGIL TEST", .category = "Test",
						       .action = "allowed", .severity = 2, .reference = "url,x",
						       .tags = "a,b" };
			if (t == VG_EVT_FLOW) {
				ev.u.flow = (struct vg_ev_flow){ 1, 2, 3, 4, TS - 1000000, TS, 0x1b, 0x12,
								 "closed", "timeout", "ssh", true };
			} else if (t == VG_EVT_ANOMALY) {
				ev.u.anomaly = (struct vg_ev_anomaly){ "decode", "ipv4.trunc_pkt", "ipv4" };
			} else if (det == VG_DET_SCAN) {
				ev.u.scan = (struct vg_ev_scan){ "SYN", false, 1024, 1, 2000, TS - 5000000, TS,
								 tg, 2, ports, 3 };
			} else if (det == VG_DET_FLOOD) {
				ev.u.flood = (struct vg_ev_flood){ "ICMP", TS - 2000000, t == VG_EVT_EPISODE ? TS : 0,
								   20000, 1680000, 10000, 1, t == VG_EVT_EPISODE };
			}
			ev.extra = t == VG_EVT_STATS ? stats : (t == VG_EVT_HTTP ? http : NULL);
			rc |= emit(&ev, ecs);
		}
	}
	/* minimal events: only what vg_event_init sets */
	for (int t = VG_EVT_ALERT; t <= VG_EVT_EPISODE; t++) {
		vg_event_init(&ev, (enum vg_event_type)t, TS);
		if (t == VG_EVT_STATS)
			ev.extra = stats;
		rc |= emit(&ev, ecs);
	}
	json_decref(stats);
	json_decref(http);
	return rc ? 1 : 0;
}
