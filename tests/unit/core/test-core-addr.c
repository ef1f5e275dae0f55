/* Address and CIDR parsing, formatting and containment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-addr.h"
#include "core/core-error.h"

static void test_parse_format(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "10.99.0.1", "10.99.0.1" },
		{ "fd00:99:0:0::1", "fd00:99::1" },
		{ "::ffff:1.2.3.4", "::ffff:1.2.3.4" },
		{ "2001:DB8::1", "2001:db8::1" },
	};
	char buf[VG_ADDR_STRLEN];
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct vg_addr a;
		assert_int_equal(vg_addr_parse(ok[i].in, strlen(ok[i].in), &a), VG_OK);
		assert_string_equal(vg_addr_format(&a, buf), ok[i].out);
	}
	static const char *bad[] = { "", "1.2.3", "1.2.3.256", "fe80::1%eth0", "::g", "1.2.3.4 " };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vg_addr a;
		assert_int_equal(vg_addr_parse(bad[i], strlen(bad[i]), &a), VG_EINVAL);
		assert_int_equal(a.family, VG_AF_NONE);
	}
}

static void test_cidr(void **state)
{
	(void)state;
	struct vg_cidr c;
	struct vg_addr a;
	assert_int_equal(vg_cidr_parse("10.1.2.3/8", 10, &c), VG_OK);
	assert_int_equal(c.prefix, 8);
	assert_int_equal(c.addr.b[1], 0); /* host bits cleared */
	assert_int_equal(vg_addr_parse("10.200.0.1", 10, &a), VG_OK);
	assert_true(vg_cidr_contains(&c, &a));
	assert_int_equal(vg_addr_parse("11.0.0.1", 8, &a), VG_OK);
	assert_false(vg_cidr_contains(&c, &a));
	assert_int_equal(vg_cidr_parse("172.16.0.0/12", 13, &c), VG_OK);
	assert_int_equal(vg_addr_parse("172.31.255.255", 14, &a), VG_OK);
	assert_true(vg_cidr_contains(&c, &a));
	assert_int_equal(vg_addr_parse("172.32.0.0", 10, &a), VG_OK);
	assert_false(vg_cidr_contains(&c, &a));
	assert_int_equal(vg_cidr_parse("fd00:99::/33", 12, &c), VG_OK);
	assert_int_equal(vg_addr_parse("fd00:99::2", 10, &a), VG_OK);
	assert_true(vg_cidr_contains(&c, &a));
	assert_int_equal(vg_addr_parse("10.0.0.1", 8, &a), VG_OK);
	assert_false(vg_cidr_contains(&c, &a)); /* family mismatch */
	assert_int_equal(vg_cidr_parse("0.0.0.0/0", 9, &c), VG_OK);
	assert_true(vg_cidr_contains(&c, &a));
	assert_int_equal(vg_cidr_parse("10.0.0.0/33", 11, &c), VG_EINVAL);
	assert_int_equal(vg_cidr_parse("10.0.0.0/", 9, &c), VG_EINVAL);
	assert_int_equal(vg_cidr_parse("::/129", 6, &c), VG_EINVAL);
}

static void test_private(void **state)
{
	(void)state;
	static const struct {
		const char *a;
		bool priv;
	} cases[] = {
		{ "10.0.0.1", true }, { "172.16.0.1", true }, { "172.32.0.1", false },
		{ "192.168.1.1", true }, { "8.8.8.8", false }, { "fd00::1", true },
		{ "2001:db8::1", false }, { "fe80::1", true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vg_addr a;
		assert_int_equal(vg_addr_parse(cases[i].a, strlen(cases[i].a), &a), VG_OK);
		assert_int_equal(vg_addr_is_private(&a), cases[i].priv);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_private),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
