/* core-hash.h — keyed hashing for tables an attacker can fill (STYLE.md 3).
 * SipHash-2-4 (and the cheaper SipHash-1-3 for per-packet tables) with a 128-bit key. vg_hash_key_random() fills a key from the OS random
 * source (getrandom); every capped table takes its own key at creation, so bucket
 * placement cannot be predicted from outside. */
#ifndef VG_CORE_HASH_H
#define VG_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "core/core-hash-impl.h"

struct vg_hash_key {
	uint64_t k0, k1;
};

/* Returns 0 or VG_EIO when the OS random source fails (callers treat it as fatal). */
int vg_hash_key_random(struct vg_hash_key *key);
uint64_t vg_siphash(const struct vg_hash_key *key, const void *data, size_t len);
/* SipHash-1-3 (one compression round per 8-byte block, three finalization rounds): the
 * variant Rust's HashMap and CPython's str hash use against hash flooding, about half the
 * cost of SipHash-2-4 on short keys. For the packet path's tables (flows, scan and flood
 * trackers), hashed several times per packet: their key is secret and per table, and
 * their output never leaves the process (no MAC, nothing an attacker sees but timing),
 * which is the setting SipHash-1-3 is used in. Keep SipHash-2-4 where a hash is
 * exposed or long-lived. */
static inline uint64_t vg_siphash13(const struct vg_hash_key *key, const void *data, size_t len)
{
	return vg_siphash_cd(key->k0, key->k1, data, len, 1, 3);
}
/* Fill buf with len bytes from the OS random source; 0 or VG_EIO. */
int vg_random_bytes(void *buf, size_t len);

#endif
