/* core-mem: huge-page mappings and the block pool (sizes, reuse, zeroing, buddy split and
 * merge, heap fallback). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-error.h"
#include "core/core-mem.h"

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static bool in_region(const struct vg_blocks *b, const void *p)
{
	const uint8_t *u = p;
	return u >= b->base && u < b->base + b->len;
}

static void test_map_zeroed(void **state)
{
	(void)state;
	size_t len = (size_t)4 << 20;
	uint8_t *p = vg_mem_map_zeroed(len);
	assert_non_null(p);
	assert_true(all_zero(p, 4096) && all_zero(p + len - 4096, 4096));
	p[len - 1] = 7;
	vg_mem_unmap(p, len);
	assert_null(vg_mem_map_zeroed(0));
	vg_mem_unmap(NULL, 10); /* no-op */
}

static void test_blocks_reuse_and_zero(void **state)
{
	(void)state;
	struct vg_blocks b;
	assert_int_equal(vg_blocks_init(&b, 1000), 0); /* rounded up to the largest block */
	assert_int_equal(b.len, VG_BLOCKS_MAX);
	uint8_t *a = vg_blocks_alloc(&b, 64), *c = vg_blocks_alloc(&b, 100);
	assert_non_null(a);
	assert_non_null(c);
	assert_true(in_region(&b, a) && in_region(&b, c));
	assert_int_equal(((uintptr_t)a | (uintptr_t)c) & 63, 0); /* cache-line aligned */
	assert_true(c >= a + 64);                                  /* no overlap */
	memset(a, 0xab, 64);
	memset(c, 0xcd, 128);
	vg_blocks_free(&b, c, 100);
	/* the freed 128-byte block comes back for the next request of that class, zeroed */
	uint8_t *d = vg_blocks_alloc(&b, 128);
	assert_ptr_equal(d, c);
	assert_true(all_zero(d, 128));
	/* a different class does not get it */
	vg_blocks_free(&b, d, 128);
	uint8_t *e = vg_blocks_alloc(&b, 256);
	assert_ptr_not_equal(e, d);
	assert_true(all_zero(e, 256));
	assert_int_equal(a[63], 0xab); /* untouched by the others */
	/* larger than the biggest class: from the heap, zeroed, freed to the heap */
	size_t big = ((size_t)VG_BLOCKS_MIN << (VG_BLOCKS_CLASSES - 1)) * 2;
	uint8_t *h = vg_blocks_alloc(&b, big);
	assert_non_null(h);
	assert_false(in_region(&b, h));
	assert_true(all_zero(h, big));
	assert_int_equal(b.from_heap, 1);
	vg_blocks_free(&b, h, big);
	vg_blocks_free(&b, NULL, 64); /* no-op */
	vg_blocks_destroy(&b);
	vg_blocks_destroy(NULL);
}

static void test_blocks_region_exhausted(void **state)
{
	(void)state;
	struct vg_blocks b;
	assert_int_equal(vg_blocks_init(&b, (size_t)2 << 20), 0);
	size_t bs = (size_t)1 << 20; /* two 1 MiB blocks fill the region */
	void *x = vg_blocks_alloc(&b, bs), *y = vg_blocks_alloc(&b, bs);
	assert_true(in_region(&b, x) && in_region(&b, y));
	void *z = vg_blocks_alloc(&b, 64); /* region used up: heap */
	assert_non_null(z);
	assert_false(in_region(&b, z));
	assert_int_equal(b.from_region, 2);
	assert_int_equal(b.from_heap, 1);
	vg_blocks_free(&b, z, 64);
	vg_blocks_free(&b, y, bs); /* back to its class list: served again from the region */
	void *w = vg_blocks_alloc(&b, bs);
	assert_ptr_equal(w, y);
	vg_blocks_destroy(&b);
}

/* Memory freed at one size serves another: small blocks merge back into a large one. */
static void test_blocks_split_merge(void **state)
{
	(void)state;
	struct vg_blocks b;
	assert_int_equal(vg_blocks_init(&b, VG_BLOCKS_MAX), 0); /* one top-level block */
	enum { N = (int)(VG_BLOCKS_MAX / VG_BLOCKS_MIN) };
	static void *small[N];
	for (int i = 0; i < N; i++) {
		small[i] = vg_blocks_alloc(&b, VG_BLOCKS_MIN);
		assert_true(in_region(&b, small[i]));
	}
	assert_int_equal(b.from_heap, 0);
	void *h = vg_blocks_alloc(&b, VG_BLOCKS_MIN); /* full */
	assert_false(in_region(&b, h));
	vg_blocks_free(&b, h, VG_BLOCKS_MIN);
	/* free in an order that merges late: odd units first, then even ones */
	for (int i = 1; i < N; i += 2)
		vg_blocks_free(&b, small[i], VG_BLOCKS_MIN);
	for (int i = 0; i < N; i += 2)
		vg_blocks_free(&b, small[i], VG_BLOCKS_MIN);
	/* everything merged: the whole region is one block again */
	uint8_t *big = vg_blocks_alloc(&b, VG_BLOCKS_MAX);
	assert_ptr_equal(big, b.base);
	assert_true(all_zero(big, VG_BLOCKS_MAX));
	vg_blocks_free(&b, big, VG_BLOCKS_MAX);
	/* a split leaves the rest usable at every size */
	void *x = vg_blocks_alloc(&b, 4096), *y = vg_blocks_alloc(&b, VG_BLOCKS_MAX / 2);
	assert_true(in_region(&b, x) && in_region(&b, y));
	assert_true((uint8_t *)y >= (uint8_t *)x + 4096 || (uint8_t *)x >= (uint8_t *)y + VG_BLOCKS_MAX / 2);
	vg_blocks_destroy(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_zeroed),
		cmocka_unit_test(test_blocks_reuse_and_zero),
		cmocka_unit_test(test_blocks_region_exhausted),
		cmocka_unit_test(test_blocks_split_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
