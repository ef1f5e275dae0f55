/* frame-builder.h — assembles test frames byte by byte (Ethernet, VLAN, IPv4/IPv6,
 * TCP/UDP/ICMP, VXLAN, Geneve, GRE, raw hex for the rest). Layers are appended outside
 * in; lengths of IPv4/IPv6/UDP are patched by fb_end() once the payload is there.
 * Header-only helpers for the decode unit tests. */
#ifndef VG_TEST_FRAME_BUILDER_H
#define VG_TEST_FRAME_BUILDER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/core-addr.h"

enum { FB_FIX_IPV4 = 1, FB_FIX_IPV6, FB_FIX_UDP };

struct fb {
	uint8_t b[4096];
	size_t n;
	struct {
		int kind;
		size_t off;
	} fix[16];
	unsigned nfix;
};

static inline void fb_init(struct fb *f)
{
	memset(f, 0, sizeof(*f));
}

static inline void fb_put(struct fb *f, const void *d, size_t n)
{
	if (f->n + n > sizeof(f->b))
		return;
	memcpy(f->b + f->n, d, n);
	f->n += n;
}

static inline void fb_u8(struct fb *f, unsigned v)
{
	uint8_t x = (uint8_t)v;
	fb_put(f, &x, 1);
}

static inline void fb_u16(struct fb *f, unsigned v)
{
	fb_u8(f, v >> 8);
	fb_u8(f, v);
}

static inline void fb_u32(struct fb *f, uint32_t v)
{
	fb_u16(f, v >> 16);
	fb_u16(f, v & 0xffff);
}

/* Hex digits; spaces ignored. */
static inline void fb_hex(struct fb *f, const char *h)
{
	int hi = -1;
	for (; *h; h++) {
		int v;
		if (*h >= '0' && *h <= '9')
			v = *h - '0';
		else if (*h >= 'a' && *h <= 'f')
			v = *h - 'a' + 10;
		else if (*h >= 'A' && *h <= 'F')
			v = *h - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			fb_u8(f, (unsigned)(hi << 4 | v));
			hi = -1;
		}
	}
}

static inline void fb_fix(struct fb *f, int kind)
{
	if (f->nfix < 16) {
		f->fix[f->nfix].kind = kind;
		f->fix[f->nfix].off = f->n;
		f->nfix++;
	}
}

static inline void fb_addr(struct fb *f, const char *s, int want)
{
	struct vg_addr a;
	memset(&a, 0, sizeof(a));
	vg_addr_parse(s, strlen(s), &a);
	fb_put(f, a.b, want);
}

static inline void fb_eth(struct fb *f, unsigned type)
{
	fb_hex(f, "020000000002 020000000001");
	fb_u16(f, type);
}

/* A tag: (vid, next Ethertype). The TPID is the previous type field. */
static inline void fb_vlan(struct fb *f, unsigned vid, unsigned next)
{
	fb_u16(f, vid & 0xfff);
	fb_u16(f, next);
}

static inline void fb_ipv4_opt(struct fb *f, const char *src, const char *dst, unsigned proto,
			       const uint8_t *opt, size_t optlen)
{
	fb_fix(f, FB_FIX_IPV4);
	fb_u8(f, 0x40 | (unsigned)((20 + optlen) / 4));
	fb_u8(f, 0);
	fb_u16(f, 0);      /* total length: fb_end */
	fb_u16(f, 0x1234); /* id */
	fb_u16(f, 0x4000); /* DF */
	fb_u8(f, 64);
	fb_u8(f, proto);
	fb_u16(f, 0);
	fb_addr(f, src, 4);
	fb_addr(f, dst, 4);
	if (optlen)
		fb_put(f, opt, optlen);
}

static inline void fb_ipv4(struct fb *f, const char *src, const char *dst, unsigned proto)
{
	fb_ipv4_opt(f, src, dst, proto, NULL, 0);
}

static inline void fb_ipv6(struct fb *f, const char *src, const char *dst, unsigned nh)
{
	fb_fix(f, FB_FIX_IPV6);
	fb_hex(f, "60000000");
	fb_u16(f, 0);
	fb_u8(f, nh);
	fb_u8(f, 64);
	fb_addr(f, src, 16);
	fb_addr(f, dst, 16);
}

static inline void fb_tcp(struct fb *f, unsigned sport, unsigned dport, unsigned flags,
			  const uint8_t *opt, size_t optlen)
{
	fb_u16(f, sport);
	fb_u16(f, dport);
	fb_u32(f, 1000);
	fb_u32(f, (flags & 0x10) ? 2000 : 0);
	fb_u8(f, (unsigned)((20 + optlen) / 4) << 4);
	fb_u8(f, flags);
	fb_u16(f, 65535);
	fb_u16(f, 0);
	fb_u16(f, 0);
	if (optlen)
		fb_put(f, opt, optlen);
}

static inline void fb_udp(struct fb *f, unsigned sport, unsigned dport)
{
	fb_fix(f, FB_FIX_UDP);
	fb_u16(f, sport);
	fb_u16(f, dport);
	fb_u16(f, 0);
	fb_u16(f, 0);
}

static inline void fb_vxlan(struct fb *f, uint32_t vni)
{
	fb_u32(f, 0x08000000);
	fb_u32(f, vni << 8);
}

/* Geneve with an option area given as hex (multiple of 4 bytes). */
static inline void fb_geneve(struct fb *f, uint32_t vni, unsigned proto, const char *opts_hex)
{
	struct fb o;
	fb_init(&o);
	fb_hex(&o, opts_hex);
	fb_u8(f, (unsigned)(o.n / 4));
	fb_u8(f, 0);
	fb_u16(f, proto);
	fb_u32(f, vni << 8);
	fb_put(f, o.b, o.n);
}

/* GRE version 0; key/seq included when nonzero flags say so (0x2000 key, 0x1000 seq,
 * 0x8000 checksum). */
static inline void fb_gre(struct fb *f, unsigned flags, unsigned proto, uint32_t key, uint32_t seq)
{
	fb_u16(f, flags);
	fb_u16(f, proto);
	if (flags & 0x8000)
		fb_u32(f, 0);
	if (flags & 0x2000)
		fb_u32(f, key);
	if (flags & 0x1000)
		fb_u32(f, seq);
}

static inline void fb_payload(struct fb *f, size_t n, uint8_t c)
{
	for (size_t i = 0; i < n; i++)
		fb_u8(f, c);
}

/* Patch the lengths recorded by fb_fix, innermost first. */
static inline void fb_end(struct fb *f)
{
	for (unsigned i = f->nfix; i-- > 0;) {
		size_t off = f->fix[i].off, l = f->n - off;
		uint8_t *p = f->b + off;
		switch (f->fix[i].kind) {
		case FB_FIX_IPV4:
			p[2] = (uint8_t)(l >> 8);
			p[3] = (uint8_t)l;
			break;
		case FB_FIX_IPV6:
			p[4] = (uint8_t)((l - 40) >> 8);
			p[5] = (uint8_t)(l - 40);
			break;
		case FB_FIX_UDP:
			p[4] = (uint8_t)(l >> 8);
			p[5] = (uint8_t)l;
			break;
		}
	}
}

#endif
