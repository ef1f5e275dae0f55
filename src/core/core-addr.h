/* core-addr.h — IPv4/IPv6 addresses and CIDR prefixes as plain values.
 * An IPv4 address is kept in the first 4 bytes (network order), the rest zero, so that
 * addresses hash and compare with memcmp. */
#ifndef VG_CORE_ADDR_H
#define VG_CORE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { VG_AF_NONE = 0, VG_AF_INET = 4, VG_AF_INET6 = 6 };

struct vg_addr {
	uint8_t family; /* VG_AF_* */
	uint8_t b[16];  /* network order */
};

struct vg_cidr {
	struct vg_addr addr; /* host bits cleared */
	uint8_t prefix;      /* 0..32 or 0..128 */
};

#define VG_ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */

void vg_addr_from_v4(struct vg_addr *a, const uint8_t b[4]);
void vg_addr_from_v6(struct vg_addr *a, const uint8_t b[16]);
/* Text to address: dotted quad or RFC 4291/5952 IPv6 (with embedded IPv4, no zone).
 * Returns 0 or VG_EINVAL. */
int vg_addr_parse(const char *p, size_t len, struct vg_addr *out);
/* "a.b.c.d", "a.b.c.d/n", "v6", "v6/n"; a bare address is a host prefix. Host bits
 * set in the text are cleared (so 10.1.2.3/8 is 10.0.0.0/8). */
int vg_cidr_parse(const char *p, size_t len, struct vg_cidr *out);
/* Writes the canonical text (RFC 5952 for IPv6) into buf; returns buf. "" for none. */
const char *vg_addr_format(const struct vg_addr *a, char buf[VG_ADDR_STRLEN]);
bool vg_addr_eq(const struct vg_addr *a, const struct vg_addr *b);
/* Total order: family first, then bytes. */
int vg_addr_cmp(const struct vg_addr *a, const struct vg_addr *b);
bool vg_cidr_contains(const struct vg_cidr *c, const struct vg_addr *a);
/* RFC 1918 / RFC 4193 / loopback / link-local: "internal" by address alone. */
bool vg_addr_is_private(const struct vg_addr *a);
static inline int vg_addr_len(const struct vg_addr *a) { return a->family == VG_AF_INET ? 4 : 16; }

#endif
