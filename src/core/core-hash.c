/* core-hash.c — SipHash-2-4 (Aumasson & Bernstein), written from the paper's description,
 * and the OS random source. */
#include "core/core-hash.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "core/core-error.h"

int vg_random_bytes(void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return VG_EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	return VG_OK;
}

int vg_hash_key_random(struct vg_hash_key *key)
{
	return vg_random_bytes(key, sizeof(*key));
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                         \
	do {                                                                             \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);               \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                   \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                   \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);               \
	} while (0)

static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

uint64_t vg_siphash(const struct vg_hash_key *key, const void *data, size_t len)
{
	const uint8_t *in = data;
	uint64_t v0 = 0x736f6d6570736575ull ^ key->k0;
	uint64_t v1 = 0x646f72616e646f6dull ^ key->k1;
	uint64_t v2 = 0x6c7967656e657261ull ^ key->k0;
	uint64_t v3 = 0x7465646279746573ull ^ key->k1;
	size_t end = len & ~(size_t)7;
	for (size_t i = 0; i < end; i += 8) {
		uint64_t m = load_le64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	uint64_t b = ((uint64_t)len) << 56;
	size_t left = len & 7;
	for (size_t i = 0; i < left; i++)
		b |= ((uint64_t)in[end + i]) << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}
