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
	uint64_t v;
	memcpy(&v, p, 8); /* one load; the byte order is fixed below */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* SipHash-c-d; c and d are constants at each call site, so the loops unroll. */
static inline uint64_t siphash_cd(const struct vg_hash_key *key, const void *data, size_t len,
				  int c, int d)
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
		for (int r = 0; r < c; r++)
			SIPROUND;
		v0 ^= m;
	}
	uint64_t b = ((uint64_t)len) << 56;
	size_t left = len & 7;
	for (size_t i = 0; i < left; i++)
		b |= ((uint64_t)in[end + i]) << (8 * i);
	v3 ^= b;
	for (int r = 0; r < c; r++)
		SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	for (int r = 0; r < d; r++)
		SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t vg_siphash(const struct vg_hash_key *key, const void *data, size_t len)
{
	return siphash_cd(key, data, len, 2, 4);
}

uint64_t vg_siphash13(const struct vg_hash_key *key, const void *data, size_t len)
{
	return siphash_cd(key, data, len, 1, 3);
}
