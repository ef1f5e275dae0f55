/* Sketches behind the flood detector: HyperLogLog accuracy (1 reads as 1, large sets
 * within a few standard errors) and count-min never under-counting within an epoch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/core-hash.h"
#include "detect/detect-sketch.h"

static void test_hll(void **state)
{
	(void)state;
	struct vg_hash_key k = { 1, 2 };
	struct vg_hll h;
	vg_hll_reset(&h);
	assert_int_equal(vg_hll_estimate(&h), 0);
	for (int rep = 0; rep < 1000; rep++) {
		uint32_t one = 7;
		vg_hll_add(&h, vg_siphash(&k, &one, sizeof(one)));
	}
	assert_int_equal(vg_hll_estimate(&h), 1);
	static const uint32_t sizes[] = { 10, 100, 1000, 20000, 200000 };
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		vg_hll_reset(&h);
		for (uint32_t i = 0; i < sizes[s]; i++)
			vg_hll_add(&h, vg_siphash(&k, &i, sizeof(i)));
		double e = (double)vg_hll_estimate(&h), n = sizes[s];
		/* 6.5% standard error: 3 sigma is 20% */
		assert_true(e > n * 0.8 && e < n * 1.2);
	}
}

static void test_cms(void **state)
{
	(void)state;
	struct vg_cms c;
	assert_int_equal(vg_cms_init(&c, 100), 0);
	assert_int_equal(c.width, 128);
	/* 1000 keys, key i hit i % 50 + 1 times, in a sketch much smaller than the key set */
	uint32_t worst_over = 0, est = 0;
	int64_t first = 0;
	for (uint32_t i = 0; i < 1000; i++)
		for (uint32_t h = 0; h <= i % 50; h++)
			est = vg_cms_add(&c, (uint64_t)i * 0x9e3779b97f4a7c15ull, 1, 1000 + i, &first);
	(void)est;
	for (uint32_t i = 0; i < 1000; i++) {
		uint32_t e = vg_cms_add(&c, (uint64_t)i * 0x9e3779b97f4a7c15ull, 1, 5000, &first) - 1;
		assert_true(e >= i % 50 + 1); /* never under */
		assert_true(first <= 1000 + i);
		if (e - (i % 50 + 1) > worst_over)
			worst_over = e - (i % 50 + 1);
	}
	/* a new epoch starts from zero without clearing anything */
	assert_int_equal(vg_cms_add(&c, 12345, 2, 9000, &first), 1);
	assert_int_equal(first, 9000);
	vg_cms_free(&c);
	vg_cms_free(&c);
	assert_true(vg_cms_init(&c, 1u << 12) == 0);
	for (uint32_t i = 0; i < 200; i++)
		assert_int_equal(vg_cms_add(&c, (uint64_t)i * 0x9e3779b97f4a7c15ull + 1, 1, 0, NULL), 1);
	vg_cms_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hll),
		cmocka_unit_test(test_cms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
