/* SipHash-2-4 and -1-3 against reference test vectors, and the random key source. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-hash.h"

static void test_siphash_vectors(void **state)
{
	(void)state;
	/* Reference vectors from the SipHash paper, appendix A: key 00..0f, messages
	 * 00, 00 01, ... ; a few outputs as little-endian 64-bit values. */
	struct vg_hash_key key = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };
	uint8_t msg[64];
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	assert_true(vg_siphash(&key, msg, 0) == 0x726fdb47dd0e0e31ull);
	assert_true(vg_siphash(&key, msg, 1) == 0x74f839c593dc67fdull);
	assert_true(vg_siphash(&key, msg, 8) == 0x93f5f5799a932462ull);
	assert_true(vg_siphash(&key, msg, 15) == 0xa129ca6149be45e5ull);
}

static void test_siphash13_vectors(void **state)
{
	(void)state;
	/* SipHash-1-3, same key and messages: the empty message gives the first vector of
	 * Rust's sip13 tests (bytes dc c4 0f 05 58 01 ac ab); the others were computed with an
	 * independent Python implementation that reproduces the SipHash-2-4 vectors above. */
	struct vg_hash_key key = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };
	uint8_t msg[64];
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	assert_true(vg_siphash13(&key, msg, 0) == 0xabac0158050fc4dcull);
	assert_true(vg_siphash13(&key, msg, 1) == 0xc9f49bf37d57ca93ull);
	assert_true(vg_siphash13(&key, msg, 7) == 0xd3927d989bb11140ull);
	assert_true(vg_siphash13(&key, msg, 8) == 0x369095118d299a8eull);
	assert_true(vg_siphash13(&key, msg, 15) == 0xd320d86d2a519956ull);
	assert_true(vg_siphash13(&key, msg, 24) == 0xf464aeb267349c8cull);
	assert_true(vg_siphash13(&key, msg, 63) == 0x9d199062b7bbb3a8ull);
	assert_false(vg_siphash13(&key, msg, 8) == vg_siphash(&key, msg, 8));
}

static void test_random_keys_differ(void **state)
{
	(void)state;
	struct vg_hash_key a, b;
	assert_int_equal(vg_hash_key_random(&a), 0);
	assert_int_equal(vg_hash_key_random(&b), 0);
	assert_false(a.k0 == b.k0 && a.k1 == b.k1);
	assert_false(vg_siphash(&a, "x", 1) == vg_siphash(&b, "x", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_siphash13_vectors),
		cmocka_unit_test(test_random_keys_differ),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
