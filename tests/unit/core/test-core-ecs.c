/* ECS encoder: each event type parsed back, ECS field names and values checked, the
 * same information as EVE (tenant, VNI, scan/flood/flow details) present. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "core/core-ecs.h"
#include "core/core-error.h"

#define TS 1795391967866757LL /* 2026-11-22T23:59:27.866757Z */

static json_t *encode(const struct vg_event *ev)
{
	struct vg_buf b;
	vg_buf_init(&b, 0);
	assert_int_equal(vg_ecs_encode(ev, &b), 0);
	assert_null(memchr(b.data, '\n', b.len));
	json_error_t jerr;
	json_t *j = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		fail_msg("invalid JSON (%s): %s", jerr.text, vg_buf_cstr(&b));
	vg_buf_free(&b);
	return j;
}

static json_t *at(json_t *j, const char *path)
{
	char key[64];
	const char *p = path;
	while (j) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		memcpy(key, p, n);
		key[n] = 0;
		j = json_object_get(j, key);
		if (!dot)
			break;
		p = dot + 1;
	}
	return j;
}

static const char *s_at(json_t *j, const char *path)
{
	json_t *v = at(j, path);
	return v && json_is_string(v) ? json_string_value(v) : NULL;
}

static json_int_t i_at(json_t *j, const char *path)
{
	json_t *v = at(j, path);
	if (!v || !json_is_integer(v))
		fail_msg("%s is not an integer", path);
	return json_integer_value(v);
}

static void addr(struct vg_addr *a, const char *s)
{
	assert_int_equal(vg_addr_parse(s, strlen(s), a), 0);
}

static void test_alert(void **state)
{
	(void)state;
	struct vg_event ev;
	vg_event_init(&ev, VG_EVT_ALERT, TS);
	addr(&ev.src, "192.168.10.1");
	addr(&ev.dst, "192.168.10.2");
	ev.sport = 40000;
	ev.dport = 22;
	ev.proto = 6;
	ev.tenant = "tenant-a";
	ev.has_vni = true;
	ev.vni = 1001;
	ev.vlan[0] = 10;
	ev.n_vlan = 1;
	ev.episode_id = 5;
	ev.action = "port-scan";
	ev.rule = (struct vg_ev_rule){ .detector = VG_DET_SCAN, .gid = 1, .sid = 9000001, .rev = 2,
				       .signature = "VIGIL SCAN TCP SYN port scan",
				       .category = "Detection of a Network Scan", .severity = 2,
				       .action = "blocked", .tags = "T1046", .reference = "https://x" };
	ev.u.scan = (struct vg_ev_scan){ .technique = "SYN", .ports = 300, .hosts = 1, .probes = 300,
					 .first_us = TS - 1000000, .last_us = TS };
	json_t *j = encode(&ev);
	assert_string_equal(s_at(j, "@timestamp"), "2026-11-22T23:59:27.866757Z");
	assert_non_null(s_at(j, "ecs.version"));
	assert_string_equal(s_at(j, "event.kind"), "alert");
	assert_string_equal(json_string_value(json_array_get(at(j, "event.category"), 0)), "intrusion_detection");
	assert_string_equal(json_string_value(json_array_get(at(j, "event.type"), 1)), "denied");
	assert_string_equal(s_at(j, "event.action"), "port-scan");
	assert_int_equal(i_at(j, "event.severity"), 2);
	assert_string_equal(s_at(j, "event.module"), "vigil");
	assert_string_equal(s_at(j, "event.dataset"), "vigil.alert");
	assert_string_equal(s_at(j, "event.start"), "2026-11-22T23:59:26.866757Z");
	assert_int_equal(i_at(j, "event.duration"), 1000000000);
	assert_string_equal(s_at(j, "source.ip"), "192.168.10.1");
	assert_int_equal(i_at(j, "source.port"), 40000);
	assert_string_equal(s_at(j, "destination.ip"), "192.168.10.2");
	assert_int_equal(i_at(j, "destination.port"), 22);
	assert_string_equal(s_at(j, "network.transport"), "tcp");
	assert_string_equal(s_at(j, "network.iana_number"), "6");
	assert_string_equal(s_at(j, "network.vlan.id"), "10");
	assert_string_equal(s_at(j, "rule.id"), "1:9000001");
	assert_string_equal(s_at(j, "rule.name"), "VIGIL SCAN TCP SYN port scan");
	assert_string_equal(s_at(j, "rule.category"), "Detection of a Network Scan");
	assert_string_equal(s_at(j, "rule.version"), "2");
	assert_string_equal(s_at(j, "rule.reference"), "https://x");
	assert_string_equal(json_string_value(json_array_get(at(j, "tags"), 0)), "T1046");
	assert_string_equal(s_at(j, "cloud.account.name"), "tenant-a");
	assert_string_equal(s_at(j, "organization.name"), "tenant-a");
	assert_string_equal(s_at(j, "observer.product"), "vigil");
	assert_string_equal(s_at(j, "vigil.detector"), "scan");
	assert_string_equal(s_at(j, "vigil.alert_action"), "blocked");
	assert_int_equal(i_at(j, "vigil.vni"), 1001);
	assert_int_equal(i_at(j, "vigil.episode_id"), 5);
	assert_string_equal(s_at(j, "vigil.scan.technique"), "SYN");
	assert_string_equal(s_at(j, "vigil.scan.first_seen"), "2026-11-22T23:59:26.866757Z");
	assert_null(at(j, "vigil.flood"));
	assert_null(at(j, "user"));
	json_decref(j);
}

static void test_flow_log_metric(void **state)
{
	(void)state;
	struct vg_event ev;
	vg_event_init(&ev, VG_EVT_FLOW, TS);
	addr(&ev.src, "fd00:99::1");
	addr(&ev.dst, "fd00:99::2");
	ev.sport = 5000;
	ev.dport = 80;
	ev.proto = 6;
	ev.flow_id = 99;
	ev.u.flow = (struct vg_ev_flow){ .pkts_toserver = 3, .pkts_toclient = 2, .bytes_toserver = 300,
					 .bytes_toclient = 200, .start_us = TS - 2000000, .end_us = TS,
					 .tcp_flags_ts = 0x02, .tcp_flags_tc = 0x12, .state = "new",
					 .reason = "timeout", .app_proto = "http" };
	json_t *j = encode(&ev);
	assert_string_equal(s_at(j, "event.kind"), "event");
	assert_string_equal(json_string_value(json_array_get(at(j, "event.category"), 0)), "network");
	assert_string_equal(json_string_value(json_array_get(at(j, "event.type"), 0)), "connection");
	assert_int_equal(i_at(j, "source.packets"), 3);
	assert_int_equal(i_at(j, "destination.bytes"), 200);
	assert_int_equal(i_at(j, "network.packets"), 5);
	assert_int_equal(i_at(j, "network.bytes"), 500);
	assert_string_equal(s_at(j, "network.protocol"), "http");
	assert_string_equal(s_at(j, "network.type"), "ipv6");
	assert_int_equal(i_at(j, "vigil.flow_id"), 99);
	assert_string_equal(s_at(j, "vigil.flow.tcp_flags"), "12");
	assert_string_equal(s_at(j, "vigil.flow.state"), "new");
	assert_null(at(j, "rule"));     /* flows are not rule hits */
	assert_null(at(j, "cloud"));    /* provider scope */
	json_decref(j);

	vg_event_init(&ev, VG_EVT_LOG, TS);
	ev.category = "authentication";
	ev.action = "ssh-login-failed";
	ev.outcome = VG_OUTCOME_FAILURE;
	ev.user = "oracle";
	ev.host = "victim";
	ev.service = "sshd";
	ev.process = "sshd";
	ev.pid = 12;
	ev.message = "Failed password for oracle from 10.99.0.1 port 4000 ssh2";
	ev.source_name = "auth.log";
	addr(&ev.src, "10.99.0.1");
	j = encode(&ev);
	assert_string_equal(json_string_value(json_array_get(at(j, "event.category"), 0)), "authentication");
	assert_string_equal(s_at(j, "event.outcome"), "failure");
	assert_string_equal(s_at(j, "user.name"), "oracle");
	assert_string_equal(s_at(j, "host.name"), "victim");
	assert_string_equal(s_at(j, "service.name"), "sshd");
	assert_string_equal(s_at(j, "process.name"), "sshd");
	assert_int_equal(i_at(j, "process.pid"), 12);
	assert_string_equal(s_at(j, "log.file.path"), "auth.log");
	assert_non_null(strstr(s_at(j, "message"), "oracle"));
	assert_null(at(j, "source.port"));
	assert_null(at(j, "network"));
	assert_null(at(j, "event.severity"));
	json_decref(j);

	vg_event_init(&ev, VG_EVT_STATS, TS);
	json_t *extra = json_pack("{s:{s:I}, s:s}", "stats", "uptime", (json_int_t)5, "vigil", "clash");
	ev.extra = extra;
	j = encode(&ev);
	assert_string_equal(s_at(j, "event.kind"), "metric");
	assert_int_equal(i_at(j, "stats.uptime"), 5);
	assert_string_equal(s_at(j, "x_vigil"), "clash");
	assert_string_equal(s_at(j, "vigil.event_type"), "stats");
	json_decref(j);
	json_decref(extra);
}

static void test_flood_anomaly(void **state)
{
	(void)state;
	struct vg_event ev;
	vg_event_init(&ev, VG_EVT_ALERT, TS);
	addr(&ev.dst, "10.99.0.2");
	ev.dport = 5353;
	ev.proto = 17;
	ev.rule = (struct vg_ev_rule){ .detector = VG_DET_FLOOD, .sid = 9000101 };
	ev.u.flood = (struct vg_ev_flood){ .kind = "UDP", .start_us = TS, .packets = 5000, .sources_est = 4000 };
	json_t *j = encode(&ev);
	assert_string_equal(s_at(j, "network.transport"), "udp");
	assert_string_equal(s_at(j, "vigil.flood.kind"), "UDP");
	assert_int_equal(i_at(j, "vigil.flood.sources_estimate"), 4000);
	assert_null(at(j, "vigil.flood.end")); /* ongoing */
	assert_null(at(j, "event.end"));
	assert_null(at(j, "source"));
	assert_int_equal(i_at(j, "destination.port"), 5353);
	json_decref(j);

	vg_event_init(&ev, VG_EVT_ANOMALY, TS);
	ev.u.anomaly = (struct vg_ev_anomaly){ .type = "decode", .event = "tcp.hlen_too_small", .layer = "tcp" };
	ev.has_icmp = true;
	ev.icmp_type = 3;
	ev.icmp_code = 1;
	j = encode(&ev);
	assert_string_equal(json_string_value(json_array_get(at(j, "event.type"), 0)), "error");
	assert_string_equal(s_at(j, "vigil.anomaly.event"), "tcp.hlen_too_small");
	assert_int_equal(i_at(j, "vigil.icmp.code"), 1);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alert),
		cmocka_unit_test(test_flow_log_metric),
		cmocka_unit_test(test_flood_anomaly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
