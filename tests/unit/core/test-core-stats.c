/* Stats registry: registration rules, counting, nested JSON, aligned listing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "core/core-error.h"
#include "core/core-stats.h"

static int setup(void **state)
{
	(void)state;
	vg_stats_clear();
	return 0;
}

static void test_register(void **state)
{
	(void)state;
	vg_stat_id a, b, c, x;
	assert_int_equal(vg_stats_register("decoder.ipv4.trunc_pkt", &a), 0);
	assert_int_not_equal(a, 0);
	assert_int_equal(vg_stats_register("decoder.ipv4.trunc_pkt", &b), 0);
	assert_int_equal(a, b); /* idempotent */
	assert_int_equal(vg_stats_register("flow.evicted", &c), 0);
	assert_int_not_equal(a, c);
	assert_int_equal(vg_stats_count(), 2);
	/* clashes with nesting */
	assert_int_equal(vg_stats_register("decoder.ipv4", &x), VG_EEXIST);
	assert_int_equal(x, 0);
	assert_int_equal(vg_stats_register("flow.evicted.more", &x), VG_EEXIST);
	/* "flow.evict" is not a component prefix of "flow.evicted": fine */
	assert_int_equal(vg_stats_register("flow.evict", &x), 0);
	static const char *bad[] = { "", ".a", "a.", "a..b", "A.b", "a b", "a-b",
				     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vg_stats_register(bad[i], &x), VG_EINVAL);
	assert_int_equal(vg_stats_find("flow.evicted", &x), 0);
	assert_int_equal(x, c);
	assert_int_equal(vg_stats_find("nope", &x), VG_ENOENT);
	assert_string_equal(vg_stats_name(c), "flow.evicted");
	assert_null(vg_stats_name(0));
	assert_null(vg_stats_name(999));
}

static void test_count_and_json(void **state)
{
	(void)state;
	vg_stat_id a, b, c;
	assert_int_equal(vg_stats_register("decoder.ipv4.trunc_pkt", &a), 0);
	assert_int_equal(vg_stats_register("decoder.pkts", &b), 0);
	assert_int_equal(vg_stats_register("flow.memuse", &c), 0);
	vg_stats_add(a, 3);
	vg_stats_inc(a);
	vg_stats_add(b, 1000000);
	vg_stats_set(c, 42);
	vg_stats_set(c, 7);
	vg_stats_add(0, 5);              /* unregistered id: harmless */
	vg_stats_add(VG_STATS_MAX + 5, 5); /* out of range: ignored */
	assert_int_equal(vg_stats_get(a), 4);
	assert_int_equal(vg_stats_get(c), 7);
	struct vg_buf out;
	vg_buf_init(&out, 0);
	assert_int_equal(vg_stats_to_json(&out), 0);
	assert_string_equal(vg_buf_cstr(&out),
			    "{\"decoder\":{\"ipv4\":{\"trunc_pkt\":4},\"pkts\":1000000},\"flow\":{\"memuse\":7}}");
	vg_buf_reset(&out);
	vg_stat_id z;
	assert_int_equal(vg_stats_register("app.http.zero", &z), 0);
	assert_int_equal(vg_stats_format(&out, false), 0);
	assert_string_equal(vg_buf_cstr(&out), "decoder.ipv4.trunc_pkt  4\n"
					       "decoder.pkts            1000000\n"
					       "flow.memuse             7\n");
	vg_buf_reset(&out);
	assert_int_equal(vg_stats_format(&out, true), 0);
	assert_non_null(strstr(vg_buf_cstr(&out), "app.http.zero           0\n"));
	vg_stats_reset();
	assert_int_equal(vg_stats_get(a), 0);
	vg_buf_reset(&out);
	assert_int_equal(vg_stats_format(&out, false), 0);
	assert_string_equal(vg_buf_cstr(&out), "");
	vg_buf_free(&out);
}

static void test_full(void **state)
{
	(void)state;
	char name[32];
	vg_stat_id id;
	for (unsigned i = 1; i < VG_STATS_MAX; i++) {
		snprintf(name, sizeof(name), "c.n%u", i);
		assert_int_equal(vg_stats_register(name, &id), 0);
	}
	assert_int_equal(vg_stats_register("c.one_more", &id), VG_EFULL);
	assert_int_equal(id, 0);
	assert_int_equal(vg_stats_count(), VG_STATS_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_register, setup),
		cmocka_unit_test_setup(test_count_and_json, setup),
		cmocka_unit_test_setup(test_full, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
