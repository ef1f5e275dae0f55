/* EVE encoder: each event type parsed back with jansson, keys and values checked;
 * escaping of hostile strings (invalid UTF-8, control bytes) gives valid JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "core/core-error.h"
#include "core/core-eve.h"
#include "core/core-json.h"

/* 2026-11-22T23:59:27.866757 UTC */
#define TS 1795391967866757LL

static json_t *encode(const struct vg_event *ev)
{
	struct vg_buf b;
	vg_buf_init(&b, 0);
	assert_int_equal(vg_eve_encode(ev, &b), 0);
	assert_null(memchr(b.data, '\n', b.len));
	json_error_t jerr;
	json_t *j = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		fail_msg("invalid JSON (%s): %s", jerr.text, vg_buf_cstr(&b));
	vg_buf_free(&b);
	return j;
}

static const char *s_at(json_t *j, const char *path)
{
	/* "a.b.c" lookup of a string */
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
	return j && json_is_string(j) ? json_string_value(j) : NULL;
}

static json_int_t i_at(json_t *j, const char *path)
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
	if (!j || !json_is_integer(j))
		fail_msg("%s is not an integer", path);
	return json_integer_value(j);
}

static void addr(struct vg_addr *a, const char *s)
{
	assert_int_equal(vg_addr_parse(s, strlen(s), a), 0);
}

static void test_timestamp(void **state)
{
	(void)state;
	char buf[40];
	assert_string_equal(vg_json_ts_eve(TS, buf), "2026-11-22T23:59:27.866757+0000");
	assert_string_equal(vg_json_ts_iso(TS, buf), "2026-11-22T23:59:27.866757Z");
	assert_string_equal(vg_json_ts_eve(0, buf), "1970-01-01T00:00:00.000000+0000");
	assert_string_equal(vg_json_ts_eve(-1, buf), "1969-12-31T23:59:59.999999+0000");
	/* the per-thread cache of the last second must not leak into the next call */
	assert_string_equal(vg_json_ts_iso(TS + 1000000, buf), "2026-11-22T23:59:28.866757Z");
	assert_string_equal(vg_json_ts_iso(TS, buf), "2026-11-22T23:59:27.866757Z");
	/* corrupt timestamps (year > 9999) still give the fixed-width format */
	vg_json_ts_eve(INT64_MAX, buf);
	assert_int_equal(strlen(buf), 31);
	assert_int_equal(strncmp(buf, "1970-01-01T00:00:00.", 20), 0);
	/* numbers at the extremes */
	struct vg_buf b;
	struct vg_jw w;
	vg_buf_init(&b, 0);
	vg_jw_init(&w, &b);
	vg_jw_arr_open(&w, NULL);
	vg_jw_i64(&w, NULL, INT64_MIN);
	vg_jw_i64(&w, NULL, 0);
	vg_jw_u64(&w, NULL, UINT64_MAX);
	vg_jw_double(&w, NULL, 0.5);
	vg_jw_double(&w, NULL, 1.0 / 0.0);
	vg_jw_arr_close(&w);
	assert_int_equal(vg_jw_finish(&w), 0);
	assert_string_equal(vg_buf_cstr(&b), "[-9223372036854775808,0,18446744073709551615,0.5,null]");
	/* unbalanced use is reported */
	vg_buf_reset(&b);
	vg_jw_init(&w, &b);
	vg_jw_obj_open(&w, NULL);
	assert_int_equal(vg_jw_finish(&w), VG_ESTATE);
	vg_buf_free(&b);
}

static void test_scan_alert(void **state)
{
	(void)state;
	struct vg_event ev;
	vg_event_init(&ev, VG_EVT_ALERT, TS);
	addr(&ev.src, "10.99.0.1");
	addr(&ev.dst, "10.99.0.2");
	ev.sport = 40000;
	ev.dport = 22;
	ev.proto = 6;
	ev.tenant = "lab";
	ev.flow_id = 1234567;
	ev.episode_id = 9;
	ev.has_vni = true;
	ev.vni = 1001;
	ev.vlan[0] = 100;
	ev.vlan[1] = 200;
	ev.n_vlan = 2;
	ev.category = "intrusion_detection";
	ev.action = "port-scan";
	ev.rule = (struct vg_ev_rule){ .detector = VG_DET_SCAN, .gid = 1, .sid = 9000001, .rev = 2,
				       .signature = "VIGIL SCAN TCP SYN port scan",
				       .category = "Detection of a Network Scan", .severity = 2,
				       .tags = "attack.discovery, T1046", .reference = "url,example.org" };
	struct vg_addr tg[2];
	addr(&tg[0], "10.99.0.2");
	addr(&tg[1], "fd00:99::2");
	uint16_t ports[3] = { 22, 80, 443 };
	ev.u.scan = (struct vg_ev_scan){ .technique = "SYN", .ports = 1024, .hosts = 1, .probes = 2000,
					 .first_us = TS - 5000000, .last_us = TS, .targets = tg,
					 .n_targets = 2, .port_list = ports, .n_ports_listed = 3 };
	json_t *j = encode(&ev);
	assert_string_equal(s_at(j, "timestamp"), "2026-11-22T23:59:27.866757+0000");
	assert_string_equal(s_at(j, "event_type"), "alert");
	assert_int_equal(i_at(j, "flow_id"), 1234567);
	assert_string_equal(s_at(j, "src_ip"), "10.99.0.1");
	assert_int_equal(i_at(j, "src_port"), 40000);
	assert_string_equal(s_at(j, "dest_ip"), "10.99.0.2");
	assert_int_equal(i_at(j, "dest_port"), 22);
	assert_string_equal(s_at(j, "proto"), "TCP");
	assert_string_equal(s_at(j, "tenant"), "lab");
	json_t *vl = json_object_get(j, "vlan");
	assert_int_equal(json_array_size(vl), 2);
	assert_int_equal(json_integer_value(json_array_get(vl, 0)), 100);
	assert_int_equal(json_integer_value(json_array_get(vl, 1)), 200);
	assert_string_equal(s_at(j, "alert.action"), "allowed");
	assert_int_equal(i_at(j, "alert.gid"), 1);
	assert_int_equal(i_at(j, "alert.signature_id"), 9000001);
	assert_int_equal(i_at(j, "alert.rev"), 2);
	assert_int_equal(i_at(j, "alert.severity"), 2);
	assert_string_equal(s_at(j, "alert.signature"), "VIGIL SCAN TCP SYN port scan");
	assert_string_equal(s_at(j, "alert.category"), "Detection of a Network Scan");
	json_t *tags = json_object_get(json_object_get(json_object_get(j, "alert"), "metadata"), "tags");
	assert_int_equal(json_array_size(tags), 2);
	assert_string_equal(json_string_value(json_array_get(tags, 1)), "T1046");
	assert_string_equal(s_at(j, "vigil.tenant"), "lab");
	assert_string_equal(s_at(j, "vigil.detector"), "scan");
	assert_int_equal(i_at(j, "vigil.vni"), 1001);
	assert_int_equal(i_at(j, "vigil.episode_id"), 9);
	assert_string_equal(s_at(j, "vigil.action"), "port-scan");
	assert_string_equal(s_at(j, "vigil.scan.technique"), "SYN");
	assert_int_equal(i_at(j, "vigil.scan.ports"), 1024);
	assert_int_equal(i_at(j, "vigil.scan.probes"), 2000);
	assert_string_equal(s_at(j, "vigil.scan.first_seen"), "2026-11-22T23:59:22.866757+0000");
	json_t *scan = json_object_get(json_object_get(j, "vigil"), "scan");
	assert_true(json_is_false(json_object_get(scan, "horizontal")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(scan, "targets"), 1)), "fd00:99::2");
	assert_int_equal(json_array_size(json_object_get(scan, "ports_sample")), 3);
	/* not a flow or flood event: no such blocks */
	assert_null(json_object_get(j, "flow"));
	assert_null(json_object_get(j, "tcp"));
	assert_null(json_object_get(json_object_get(j, "vigil"), "flood"));
	assert_null(json_object_get(j, "log"));
	json_decref(j);
}

static void test_flood_episode(void **state)
{
	(void)state;
	struct vg_event ev;
	vg_event_init(&ev, VG_EVT_EPISODE, TS);
	addr(&ev.dst, "10.99.0.2");
	ev.proto = 1;
	ev.has_icmp = true;
	ev.icmp_type = 8;
	ev.episode_id = 3;
	ev.rule = (struct vg_ev_rule){ .detector = VG_DET_FLOOD, .sid = 9000100, .signature = "VIGIL FLOOD ICMP" };
	ev.u.flood = (struct vg_ev_flood){ .kind = "ICMP", .start_us = TS - 2000000, .end_us = TS,
					   .packets = 20000, .bytes = 1680000, .peak_pps = 10000,
					   .sources_est = 1, .ended = true };
	json_t *j = encode(&ev);
	assert_string_equal(s_at(j, "event_type"), "episode");
	assert_string_equal(s_at(j, "proto"), "ICMP");
	assert_null(json_object_get(j, "src_ip")); /* absent address is not written */
	assert_null(json_object_get(j, "src_port"));  /* ICMP has no ports */
	assert_int_equal(i_at(j, "icmp_type"), 8);
	assert_int_equal(i_at(j, "icmp_code"), 0);
	assert_int_equal(i_at(j, "alert.signature_id"), 9000100);
	assert_int_equal(i_at(j, "alert.severity"), 3); /* default */
	assert_string_equal(s_at(j, "vigil.flood.kind"), "ICMP");
	assert_int_equal(i_at(j, "vigil.flood.packets"), 20000);
	assert_int_equal(i_at(j, "vigil.flood.peak_pps"), 10000);
	assert_int_equal(i_at(j, "vigil.flood.sources_estimate"), 1);
	assert_string_equal(s_at(j, "vigil.flood.end"), "2026-11-22T23:59:27.866757+0000");
	assert_true(json_is_true(json_object_get(json_object_get(json_object_get(j, "vigil"), "flood"), "ended")));
	assert_null(json_object_get(json_object_get(j, "vigil"), "scan"));
	assert_null(json_object_get(j, "tenant")); /* provider scope */
	json_decref(j);
}

static void test_flow(void **state)
{
	(void)state;
	struct vg_event ev;
	vg_event_init(&ev, VG_EVT_FLOW, TS);
	addr(&ev.src, "fd00:99::1");
	addr(&ev.dst, "fd00:99::2");
	ev.sport = 51000;
	ev.dport = 80;
	ev.proto = 6;
	ev.flow_id = 77;
	ev.u.flow = (struct vg_ev_flow){ .pkts_toserver = 6, .pkts_toclient = 4, .bytes_toserver = 500,
					 .bytes_toclient = 3000, .start_us = TS - 61500000, .end_us = TS,
					 .tcp_flags_ts = 0x1b, .tcp_flags_tc = 0x1a, .state = "closed",
					 .reason = "timeout", .app_proto = "http", .alerted = false };
	json_t *j = encode(&ev);
	assert_string_equal(s_at(j, "event_type"), "flow");
	assert_string_equal(s_at(j, "app_proto"), "http");
	assert_int_equal(i_at(j, "flow.pkts_toserver"), 6);
	assert_int_equal(i_at(j, "flow.pkts_toclient"), 4);
	assert_int_equal(i_at(j, "flow.bytes_toserver"), 500);
	assert_int_equal(i_at(j, "flow.bytes_toclient"), 3000);
	assert_int_equal(i_at(j, "flow.age"), 61);
	assert_string_equal(s_at(j, "flow.start"), "2026-11-22T23:58:26.366757+0000");
	assert_string_equal(s_at(j, "flow.state"), "closed");
	assert_string_equal(s_at(j, "flow.reason"), "timeout");
	assert_true(json_is_false(json_object_get(json_object_get(j, "flow"), "alerted")));
	assert_string_equal(s_at(j, "tcp.tcp_flags"), "1b");
	assert_string_equal(s_at(j, "tcp.tcp_flags_ts"), "1b");
	assert_string_equal(s_at(j, "tcp.tcp_flags_tc"), "1a");
	json_t *tcp = json_object_get(j, "tcp");
	assert_true(json_is_true(json_object_get(tcp, "syn")));
	assert_true(json_is_true(json_object_get(tcp, "fin")));
	assert_true(json_is_true(json_object_get(tcp, "psh")));
	assert_true(json_is_true(json_object_get(tcp, "ack")));
	assert_null(json_object_get(tcp, "rst"));
	assert_null(json_object_get(j, "alert"));
	json_decref(j);
	/* UDP flow: no tcp block */
	ev.proto = 17;
	j = encode(&ev);
	assert_string_equal(s_at(j, "proto"), "UDP");
	assert_null(json_object_get(j, "tcp"));
	json_decref(j);
}

static void test_anomaly_log_stats_extra(void **state)
{
	(void)state;
	struct vg_event ev;
	vg_event_init(&ev, VG_EVT_ANOMALY, TS);
	ev.proto = 58;
	ev.u.anomaly = (struct vg_ev_anomaly){ .type = "decode", .event = "ipv6.trunc_pkt", .layer = "ipv6" };
	json_t *j = encode(&ev);
	assert_string_equal(s_at(j, "event_type"), "anomaly");
	assert_string_equal(s_at(j, "proto"), "IPv6-ICMP");
	assert_string_equal(s_at(j, "anomaly.event"), "ipv6.trunc_pkt");
	assert_string_equal(s_at(j, "anomaly.layer"), "ipv6");
	json_decref(j);

	vg_event_init(&ev, VG_EVT_LOG, TS);
	ev.user = "root";
	ev.host = "victim";
	ev.service = "sshd";
	ev.pid = 4242;
	ev.category = "authentication";
	ev.action = "ssh-login-failed";
	ev.outcome = VG_OUTCOME_FAILURE;
	/* hostile line: invalid UTF-8, a quote, a control byte, a truncated 3-byte sequence */
	ev.message = "Failed password for \xff\xfe \"root\"\x01 \xe2\x82";
	addr(&ev.src, "10.99.0.1");
	j = encode(&ev);
	assert_string_equal(s_at(j, "event_type"), "log");
	assert_string_equal(s_at(j, "log.user"), "root");
	assert_string_equal(s_at(j, "log.host"), "victim");
	assert_string_equal(s_at(j, "log.service"), "sshd");
	assert_int_equal(i_at(j, "log.pid"), 4242);
	assert_string_equal(s_at(j, "log.message"),
			    "Failed password for \xef\xbf\xbd\xef\xbf\xbd \"root\"\x01 \xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(s_at(j, "vigil.outcome"), "failure");
	assert_string_equal(s_at(j, "vigil.category"), "authentication");
	assert_null(json_object_get(j, "src_port")); /* no protocol, no ports */
	assert_null(json_object_get(j, "alert"));
	assert_null(json_object_get(json_object_get(j, "vigil"), "rule"));
	json_decref(j);
	/* a correlation rule on a log event is kept under vigil.rule, not as an alert */
	ev.rule = (struct vg_ev_rule){ .detector = VG_DET_CORRELATE, .sid = 9100001, .signature = "SSH brute force" };
	j = encode(&ev);
	assert_null(json_object_get(j, "alert"));
	assert_int_equal(i_at(j, "vigil.rule.signature_id"), 9100001);
	assert_string_equal(s_at(j, "vigil.rule.signature"), "SSH brute force");
	assert_string_equal(s_at(j, "vigil.detector"), "correlation");
	json_decref(j);

	vg_event_init(&ev, VG_EVT_STATS, TS);
	json_t *extra = json_pack("{s:{s:{s:I}}, s:s}", "stats", "decoder", "pkts", (json_int_t)10,
				  "event_type", "clash");
	ev.extra = extra;
	j = encode(&ev);
	assert_string_equal(s_at(j, "event_type"), "stats");
	assert_int_equal(i_at(j, "stats.decoder.pkts"), 10);
	assert_string_equal(s_at(j, "x_event_type"), "clash"); /* renamed, not dropped or duplicated */
	json_decref(j);
	json_decref(extra);
}

static void test_escape_and_cap(void **state)
{
	(void)state;
	struct vg_buf b;
	vg_buf_init(&b, 0);
	/* overlong encodings, surrogates and > U+10FFFF are invalid too */
	static const char in[] = "a\xc0\xaf" "b\xed\xa0\x80" "c\xf4\x90\x80\x80" "d\xf0\x9f\x98\x80" "\\\n";
	assert_int_equal(vg_json_escape(&b, in, sizeof(in) - 1), 0);
	assert_string_equal(vg_buf_cstr(&b), "\"a\\ufffd\\ufffdb\\ufffd\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffd\\ufffd"
					     "d\xf0\x9f\x98\x80\\\\\\n\"");
	vg_buf_free(&b);
	/* embedded NUL via strn */
	vg_buf_init(&b, 0);
	assert_int_equal(vg_json_escape(&b, "a\0b", 3), 0);
	assert_string_equal(vg_buf_cstr(&b), "\"a\\u0000b\"");
	vg_buf_free(&b);
	/* a capped buffer reports ENOMEM instead of writing past its cap */
	vg_buf_init(&b, 64);
	struct vg_event ev;
	vg_event_init(&ev, VG_EVT_ALERT, TS);
	ev.rule.signature = "a long signature that will not fit into sixty-four bytes of output";
	assert_int_equal(vg_eve_encode(&ev, &b), VG_ENOMEM);
	assert_true(b.len <= 64);
	vg_buf_free(&b);
	assert_int_equal(vg_eve_encode(NULL, &b), VG_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_scan_alert),
		cmocka_unit_test(test_flood_episode),
		cmocka_unit_test(test_flow),
		cmocka_unit_test(test_anomaly_log_stats_extra),
		cmocka_unit_test(test_escape_and_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
