/* Table tests of the bounded number parsers and vg_buf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-error.h"
#include "core/core-str.h"

static void test_parse_u64(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		uint64_t max;
		int rc;
		uint64_t v;
	} cases[] = {
		{ "0", 10, VG_OK, 0 },
		{ "10", 10, VG_OK, 10 },
		{ "11", 10, VG_ERANGE, 0 },
		{ "", 10, VG_EINVAL, 0 },
		{ "-1", 10, VG_EINVAL, 0 },
		{ "1a", 100, VG_EINVAL, 0 },
		{ " 1", 100, VG_EINVAL, 0 },
		{ "18446744073709551615", UINT64_MAX, VG_OK, UINT64_MAX },
		{ "18446744073709551616", UINT64_MAX, VG_ERANGE, 0 },
		{ "99999999999999999999999", UINT64_MAX, VG_ERANGE, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 77;
		int rc = vg_parse_u64(cases[i].in, strlen(cases[i].in), cases[i].max, &v);
		assert_int_equal(rc, cases[i].rc);
		assert_int_equal(v, cases[i].v);
	}
}

static void test_parse_i64_hex_size(void **state)
{
	(void)state;
	int64_t s;
	assert_int_equal(vg_parse_i64("-5", 2, -10, 10, &s), VG_OK);
	assert_int_equal(s, -5);
	assert_int_equal(vg_parse_i64("-11", 3, -10, 10, &s), VG_ERANGE);
	assert_int_equal(vg_parse_i64("-9223372036854775808", 20, INT64_MIN, INT64_MAX, &s), VG_OK);
	assert_true(s == INT64_MIN);
	assert_int_equal(vg_parse_i64("9223372036854775808", 19, INT64_MIN, INT64_MAX, &s), VG_ERANGE);
	uint64_t v;
	assert_int_equal(vg_parse_hex_u64("fF10", 4, 0xffff, &v), VG_OK);
	assert_int_equal(v, 0xff10);
	assert_int_equal(vg_parse_hex_u64("0x1", 3, 0xffff, &v), VG_EINVAL);
	assert_int_equal(vg_parse_size("64m", 3, UINT64_MAX, &v), VG_OK);
	assert_int_equal(v, 64ull << 20);
	assert_int_equal(vg_parse_size("2 GiB", 5, UINT64_MAX, &v), VG_OK);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(vg_parse_size("12", 2, UINT64_MAX, &v), VG_OK);
	assert_int_equal(v, 12);
	assert_int_equal(vg_parse_size("12x", 3, UINT64_MAX, &v), VG_EINVAL);
	assert_int_equal(vg_parse_size("1g", 2, 1000, &v), VG_ERANGE);
	double d;
	assert_int_equal(vg_parse_double("3.25", 4, 10, &d), VG_OK);
	assert_true(d > 3.249 && d < 3.251);
	assert_int_equal(vg_parse_double(".", 1, 10, &d), VG_EINVAL);
}

static void test_buf(void **state)
{
	(void)state;
	struct vg_buf b;
	vg_buf_init(&b, 16);
	assert_string_equal(vg_buf_cstr(&b), "");
	assert_int_equal(vg_buf_printf(&b, "%d-%s", 42, "abc"), VG_OK);
	assert_string_equal(vg_buf_cstr(&b), "42-abc");
	assert_int_equal(vg_buf_appendc(&b, "0123456789"), VG_OK); /* 16 exactly */
	assert_int_equal(b.len, 16);
	assert_int_equal(vg_buf_appendc(&b, "x"), VG_ENOMEM);      /* over the cap */
	assert_int_equal(b.len, 16);
	vg_buf_free(&b);
	vg_buf_free(NULL);
}

static void test_str_helpers(void **state)
{
	(void)state;
	struct vg_str s = vg_str_trim(VG_STR_LIT("  hello \r\n"));
	assert_true(vg_str_eq_cstr(s, "hello"));
	assert_true(vg_str_casecmp_cstr(s, "HeLLo"));
	assert_int_equal(vg_str_chr(s, 'l'), 2);
	assert_int_equal(vg_str_find(s, "lo", 2), 3);
	assert_int_equal(vg_str_find(s, "xyz", 3), -1);
	char small[4];
	assert_int_equal(vg_strlcpy(small, "abcdef", 6, sizeof(small)), 3);
	assert_string_equal(small, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_i64_hex_size),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_str_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
