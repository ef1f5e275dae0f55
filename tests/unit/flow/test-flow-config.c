/* flow.* configuration keys (values, defaults, errors naming the key) and the flow
 * counters published to core-stats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-config.h"
#include "core/core-error.h"
#include "core/core-stats.h"
#include "flow/flow-config.h"

static struct vg_config *load(const char *y)
{
	struct vg_config *c = NULL;
	struct vg_config_err e;
	assert_int_equal(vg_config_load_string(y, strlen(y), "t.yaml", &c, &e), 0);
	return c;
}

static void test_defaults_without_config(void **state)
{
	(void)state;
	struct vg_flow_config a, b;
	struct vg_config_err e;
	assert_int_equal(vg_flow_config_load(NULL, &a, &e), 0);
	vg_flow_config_default(&b);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_true(a.memcap == VG_FLOW_DEFAULT_MEMCAP);
	assert_int_equal(a.timeouts.tcp_est, 600);
	assert_int_equal(a.timeouts.tcp_closed, 10);
	assert_int_equal(a.emergency.tcp_new, 10);
}

static void test_values(void **state)
{
	(void)state;
	struct vg_config *c = load(
		"flow:\n"
		"  memcap: 64m\n"
		"  memcap-policy: emergency\n"
		"  emergency-recovery: 50\n"
		"  timeouts:\n"
		"    tcp: {new: 20s, established: 1h, closed: 0, emergency-closed: 1s}\n"
		"    udp: {established: 2m}\n"
		"    icmp: {emergency-new: 3}\n");
	struct vg_flow_config f;
	struct vg_config_err e;
	assert_int_equal(vg_flow_config_load(vg_config_root(c), &f, &e), 0);
	assert_true(f.memcap == 64ull << 20);
	assert_int_equal(f.policy, VG_FLOW_POLICY_EMERGENCY);
	assert_int_equal(f.emergency_recovery_pct, 50);
	assert_int_equal(f.timeouts.tcp_new, 20);
	assert_int_equal(f.timeouts.tcp_est, 3600);
	assert_int_equal(f.timeouts.tcp_closed, 0);
	assert_int_equal(f.emergency.tcp_closed, 1);
	assert_int_equal(f.timeouts.udp_est, 120);
	assert_int_equal(f.timeouts.udp_new, 30); /* untouched default */
	assert_int_equal(f.emergency.other_new, 3);
	assert_int_equal(vg_config_check_known(c, vg_flow_config_keys, NULL, NULL), 0);
	vg_config_free(c);

	/* memcap past the ceiling is clamped, not an error */
	c = load("flow:\n  memcap: 64g\n");
	assert_int_equal(vg_flow_config_load(vg_config_root(c), &f, &e), 0);
	assert_true(f.memcap == VG_FLOW_MAX_MEMCAP);
	vg_config_free(c);
}

static void test_errors(void **state)
{
	(void)state;
	struct vg_flow_config f;
	struct vg_config_err e;
	struct vg_config *c = load("flow:\n  memcap-policy: drop-everything\n");
	assert_int_equal(vg_flow_config_load(vg_config_root(c), &f, &e), VG_EINVAL);
	assert_non_null(strstr(e.msg, "flow.memcap-policy"));
	assert_non_null(strstr(e.msg, "drop-everything"));
	assert_int_equal(e.line, 2);
	vg_config_free(c);

	c = load("flow:\n  timeouts:\n    tcp:\n      established: 2d\n");
	assert_int_equal(vg_flow_config_load(vg_config_root(c), &f, &e), VG_ERANGE);
	assert_non_null(strstr(e.msg, "flow.timeouts.tcp.established"));
	vg_config_free(c);

	c = load("flow:\n  timeouts:\n    tcp:\n      establihsed: 20\n");
	assert_int_equal(vg_config_check_known(c, vg_flow_config_keys, NULL, &e), 1);
	assert_non_null(strstr(e.msg, "establihsed"));
	vg_config_free(c);
}

static void test_stats_publish(void **state)
{
	(void)state;
	struct vg_flow_table *t = NULL;
	assert_int_equal(vg_flow_table_new(NULL, NULL, &t), 0);
	struct vg_packet p;
	memset(&p, 0, sizeof(p));
	p.ip_version = 4;
	p.src.family = p.dst.family = VG_AF_INET;
	p.src.b[0] = 10;
	p.dst.b[0] = 11;
	p.proto = 17;
	p.ts_us = 1;
	struct vg_flow *fl;
	int d;
	assert_int_equal(vg_flow_handle_packet(t, &p, 1, &fl, &d), 0);
	p.src.b[1] = 1;
	assert_int_equal(vg_flow_handle_packet(t, &p, 1, &fl, &d), 0);
	assert_int_equal(vg_flow_stats_publish(t), 0);
	vg_stat_id id;
	assert_int_equal(vg_stats_find("flow.active", &id), 0);
	assert_int_equal(vg_stats_get(id), 2);
	assert_int_equal(vg_stats_find("flow.created", &id), 0);
	assert_int_equal(vg_stats_get(id), 2);
	vg_flow_flush(t, "shutdown");
	assert_int_equal(vg_flow_stats_publish(t), 0);
	assert_int_equal(vg_stats_find("flow.active", &id), 0);
	assert_int_equal(vg_stats_get(id), 0);
	assert_int_equal(vg_stats_find("flow.flushed", &id), 0);
	assert_int_equal(vg_stats_get(id), 2);
	vg_flow_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_without_config),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_stats_publish),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
