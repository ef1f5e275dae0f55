/* core-hash.c — SipHash-2-4 (Aumasson & Bernstein; the rounds are in core-hash-impl.h,
 * written from the paper's description) and the OS random source. */
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

uint64_t vg_siphash(const struct vg_hash_key *key, const void *data, size_t len)
{
	return vg_siphash_cd(key->k0, key->k1, data, len, 2, 4);
}

