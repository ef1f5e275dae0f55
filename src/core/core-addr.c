/* core-addr.c — address parsing/formatting via inet_pton/ntop on bounded copies. */
#include "core/core-addr.h"

#include <arpa/inet.h>
#include <string.h>

#include "core/core-error.h"

void vg_addr_from_v4(struct vg_addr *a, const uint8_t b[4])
{
	memset(a, 0, sizeof(*a));
	a->family = VG_AF_INET;
	memcpy(a->b, b, 4);
}

void vg_addr_from_v6(struct vg_addr *a, const uint8_t b[16])
{
	a->family = VG_AF_INET6;
	memcpy(a->b, b, 16);
}

int vg_addr_parse(const char *p, size_t len, struct vg_addr *out)
{
	char tmp[VG_ADDR_STRLEN];
	memset(out, 0, sizeof(*out));
	if (len == 0 || len >= sizeof(tmp))
		return VG_EINVAL;
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	if (memchr(tmp, ':', len)) {
		if (inet_pton(AF_INET6, tmp, out->b) != 1)
			return VG_EINVAL;
		out->family = VG_AF_INET6;
	} else {
		if (inet_pton(AF_INET, tmp, out->b) != 1)
			return VG_EINVAL;
		out->family = VG_AF_INET;
	}
	return VG_OK;
}

static void mask_host_bits(struct vg_addr *a, unsigned prefix)
{
	unsigned n = (unsigned)vg_addr_len(a);
	for (unsigned i = 0; i < n; i++) {
		unsigned bit = i * 8;
		if (bit >= prefix)
			a->b[i] = 0;
		else if (prefix - bit < 8)
			a->b[i] &= (uint8_t)(0xff00u >> (prefix - bit));
	}
}

int vg_cidr_parse(const char *p, size_t len, struct vg_cidr *out)
{
	memset(out, 0, sizeof(*out));
	const char *slash = memchr(p, '/', len);
	size_t alen = slash ? (size_t)(slash - p) : len;
	int rc = vg_addr_parse(p, alen, &out->addr);
	if (rc)
		return rc;
	unsigned max = out->addr.family == VG_AF_INET ? 32 : 128;
	unsigned prefix = max;
	if (slash) {
		size_t plen = len - alen - 1;
		if (plen == 0 || plen > 3)
			return VG_EINVAL;
		prefix = 0;
		for (size_t i = 0; i < plen; i++) {
			if (slash[1 + i] < '0' || slash[1 + i] > '9')
				return VG_EINVAL;
			prefix = prefix * 10 + (unsigned)(slash[1 + i] - '0');
		}
		if (prefix > max)
			return VG_EINVAL;
	}
	out->prefix = (uint8_t)prefix;
	mask_host_bits(&out->addr, prefix);
	return VG_OK;
}

const char *vg_addr_format(const struct vg_addr *a, char buf[VG_ADDR_STRLEN])
{
	buf[0] = '\0';
	if (a->family == VG_AF_INET)
		inet_ntop(AF_INET, a->b, buf, VG_ADDR_STRLEN);
	else if (a->family == VG_AF_INET6)
		inet_ntop(AF_INET6, a->b, buf, VG_ADDR_STRLEN);
	return buf;
}

bool vg_addr_eq(const struct vg_addr *a, const struct vg_addr *b)
{
	return a->family == b->family && memcmp(a->b, b->b, 16) == 0;
}

int vg_addr_cmp(const struct vg_addr *a, const struct vg_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->b, b->b, 16);
}

bool vg_cidr_contains(const struct vg_cidr *c, const struct vg_addr *a)
{
	if (c->addr.family != a->family)
		return false;
	unsigned full = c->prefix / 8, rem = c->prefix % 8;
	if (memcmp(c->addr.b, a->b, full) != 0)
		return false;
	if (rem == 0)
		return true;
	uint8_t m = (uint8_t)(0xff00u >> rem);
	return (a->b[full] & m) == c->addr.b[full];
}

bool vg_addr_is_private(const struct vg_addr *a)
{
	const uint8_t *b = a->b;
	if (a->family == VG_AF_INET)
		return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
		       (b[0] == 192 && b[1] == 168) || b[0] == 127 || (b[0] == 169 && b[1] == 254) ||
		       (b[0] == 100 && (b[1] & 0xc0) == 64);
	if (a->family == VG_AF_INET6) {
		static const uint8_t lo[16] = { [15] = 1 };
		return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||
		       memcmp(b, lo, 16) == 0;
	}
	return false;
}
