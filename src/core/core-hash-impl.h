/* core-hash-impl.h — SipHash-c-d as a static inline function, shared by core-hash.c
 * (SipHash-2-4) and the inline vg_siphash13 in core-hash.h: the packet path hashes
 * fixed-size keys several times per packet, and inlined with a constant length the
 * compiler unrolls the block loop and drops the tail loop (about half the instructions
 * of the out-of-line call on 20-48 byte keys). Not for direct use. */
#ifndef VG_CORE_HASH_IMPL_H
#define VG_CORE_HASH_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define VG_SIP_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define VG_SIPROUND                                                                      \
	do {                                                                             \
		v0 += v1; v1 = VG_SIP_ROTL(v1, 13); v1 ^= v0; v0 = VG_SIP_ROTL(v0, 32);  \
		v2 += v3; v3 = VG_SIP_ROTL(v3, 16); v3 ^= v2;                            \
		v0 += v3; v3 = VG_SIP_ROTL(v3, 21); v3 ^= v0;                            \
		v2 += v1; v1 = VG_SIP_ROTL(v1, 17); v1 ^= v2; v2 = VG_SIP_ROTL(v2, 32);  \
	} while (0)

static inline uint64_t vg_sip_load_le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8); /* one load; the byte order is fixed below */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* SipHash-c-d (Aumasson & Bernstein); c and d are constants at each call site, so the
 * loops unroll. k0/k1 are the key's two 64-bit halves. */
static inline uint64_t vg_siphash_cd(uint64_t k0, uint64_t k1, const void *data, size_t len,
				     int c, int d)
{
	const uint8_t *in = data;
	uint64_t v0 = 0x736f6d6570736575ull ^ k0;
	uint64_t v1 = 0x646f72616e646f6dull ^ k1;
	uint64_t v2 = 0x6c7967656e657261ull ^ k0;
	uint64_t v3 = 0x7465646279746573ull ^ k1;
	size_t end = len & ~(size_t)7;
	for (size_t i = 0; i < end; i += 8) {
		uint64_t m = vg_sip_load_le64(in + i);
		v3 ^= m;
		for (int r = 0; r < c; r++)
			VG_SIPROUND;
		v0 ^= m;
	}
	uint64_t b = ((uint64_t)len) << 56;
	size_t left = len & 7;
	for (size_t i = 0; i < left; i++)
		b |= ((uint64_t)in[end + i]) << (8 * i);
	v3 ^= b;
	for (int r = 0; r < c; r++)
		VG_SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	for (int r = 0; r < d; r++)
		VG_SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

#endif
