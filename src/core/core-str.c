/* core-str.c — (pointer, length) strings, bounded number parsing, growable buffers. */
#include "core/core-str.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"

struct vg_str vg_str_cstr(const char *s)
{
	return s ? vg_str_make(s, strlen(s)) : vg_str_make("", 0);
}

bool vg_str_eq(struct vg_str a, struct vg_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

bool vg_str_eq_cstr(struct vg_str a, const char *b)
{
	return vg_str_eq(a, vg_str_cstr(b));
}

static inline unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

bool vg_str_casecmp_cstr(struct vg_str a, const char *b)
{
	size_t n = strlen(b);
	if (n != a.len)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)a.p[i]) != lower((unsigned char)b[i]))
			return false;
	return true;
}

bool vg_str_startswith(struct vg_str s, const char *prefix)
{
	size_t n = strlen(prefix);
	return s.len >= n && memcmp(s.p, prefix, n) == 0;
}

static inline bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct vg_str vg_str_trim(struct vg_str s)
{
	while (s.len && is_space(s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len && is_space(s.p[s.len - 1]))
		s.len--;
	return s;
}

long vg_str_chr(struct vg_str s, char c)
{
	const char *q = s.len ? memchr(s.p, c, s.len) : NULL;
	return q ? (long)(q - s.p) : -1;
}

long vg_str_find(struct vg_str s, const char *needle, size_t nlen)
{
	if (nlen == 0)
		return 0;
	if (s.len < nlen)
		return -1;
	const void *q = memmem(s.p, s.len, needle, nlen);
	return q ? (long)((const char *)q - s.p) : -1;
}

int vg_parse_u64(const char *p, size_t len, uint64_t max, uint64_t *out)
{
	*out = 0;
	if (len == 0)
		return VG_EINVAL;
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned char)p[i] - '0';
		if (d > 9)
			return VG_EINVAL;
		if (v > (UINT64_MAX - d) / 10)
			return VG_ERANGE;
		v = v * 10 + d;
	}
	if (v > max)
		return VG_ERANGE;
	*out = v;
	return VG_OK;
}

int vg_parse_i64(const char *p, size_t len, int64_t min, int64_t max, int64_t *out)
{
	*out = 0;
	bool neg = len > 0 && p[0] == '-';
	uint64_t mag;
	int rc = vg_parse_u64(p + neg, len - neg, (uint64_t)INT64_MAX + 1, &mag);
	if (rc)
		return rc;
	int64_t v;
	if (neg)
		v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	else if (mag > (uint64_t)INT64_MAX)
		return VG_ERANGE;
	else
		v = (int64_t)mag;
	if (v < min || v > max)
		return VG_ERANGE;
	*out = v;
	return VG_OK;
}

int vg_parse_hex_u64(const char *p, size_t len, uint64_t max, uint64_t *out)
{
	*out = 0;
	if (len == 0)
		return VG_EINVAL;
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		int h = vg_hex_digit((unsigned char)p[i]);
		if (h < 0)
			return VG_EINVAL;
		unsigned d = (unsigned)h;
		if (v > (UINT64_MAX >> 4))
			return VG_ERANGE;
		v = (v << 4) | d;
	}
	if (v > max)
		return VG_ERANGE;
	*out = v;
	return VG_OK;
}

int vg_parse_u64_cstr(const char *s, uint64_t max, uint64_t *out)
{
	if (!s) {
		*out = 0;
		return VG_EINVAL;
	}
	return vg_parse_u64(s, strlen(s), max, out);
}

int vg_parse_double(const char *p, size_t len, double max, double *out)
{
	*out = 0;
	size_t i = 0;
	double v = 0;
	int digits = 0;
	while (i < len && p[i] >= '0' && p[i] <= '9') {
		v = v * 10 + (p[i] - '0');
		i++;
		digits++;
	}
	if (i < len && p[i] == '.') {
		double scale = 0.1;
		i++;
		while (i < len && p[i] >= '0' && p[i] <= '9') {
			v += (p[i] - '0') * scale;
			scale /= 10;
			i++;
			digits++;
		}
	}
	if (digits == 0 || i != len)
		return VG_EINVAL;
	if (v > max)
		return VG_ERANGE;
	*out = v;
	return VG_OK;
}

int vg_parse_size(const char *p, size_t len, uint64_t max, uint64_t *out)
{
	*out = 0;
	size_t n = 0;
	while (n < len && p[n] >= '0' && p[n] <= '9')
		n++;
	uint64_t v;
	int rc = vg_parse_u64(p, n, UINT64_MAX, &v);
	if (rc)
		return rc;
	struct vg_str suf = vg_str_trim(vg_str_make(p + n, len - n));
	unsigned shift = 0;
	if (suf.len) {
		switch (lower((unsigned char)suf.p[0])) {
		case 'k': shift = 10; break;
		case 'm': shift = 20; break;
		case 'g': shift = 30; break;
		case 'b': shift = 0; break;
		default: return VG_EINVAL;
		}
		struct vg_str rest = vg_str_make(suf.p + 1, suf.len - 1);
		if (!(rest.len == 0 || vg_str_casecmp_cstr(rest, "b") || vg_str_casecmp_cstr(rest, "ib") ||
		      (lower((unsigned char)suf.p[0]) == 'b' && rest.len == 0)))
			return VG_EINVAL;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return VG_ERANGE;
	v <<= shift;
	if (v > max)
		return VG_ERANGE;
	*out = v;
	return VG_OK;
}

size_t vg_strlcpy(char *dst, const char *src, size_t len, size_t dstsz)
{
	size_t n = len < dstsz - 1 ? len : dstsz - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}

void vg_buf_init(struct vg_buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max ? max : SIZE_MAX / 2;
}

void vg_buf_free(struct vg_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void vg_buf_reset(struct vg_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int buf_reserve(struct vg_buf *b, size_t extra)
{
	if (extra > b->max || b->len > b->max - extra)
		return VG_ENOMEM;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return VG_OK;
	size_t ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap *= 2;
	char *nd = realloc(b->data, ncap);
	if (!nd)
		return VG_ENOMEM;
	b->data = nd;
	b->cap = ncap;
	return VG_OK;
}

int vg_buf_append(struct vg_buf *b, const void *p, size_t len)
{
	int rc = buf_reserve(b, len);
	if (rc)
		return rc;
	if (len)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return VG_OK;
}

int vg_buf_appendc(struct vg_buf *b, const char *s)
{
	return vg_buf_append(b, s, strlen(s));
}

int vg_buf_vprintf(struct vg_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return VG_EINVAL;
	int rc = buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return VG_OK;
}

int vg_buf_printf(struct vg_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vg_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *vg_buf_cstr(struct vg_buf *b)
{
	return b->data && b->len ? b->data : "";
}

char *vg_buf_steal(struct vg_buf *b)
{
	char *d = b->len ? b->data : NULL;
	if (!d)
		free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	return d;
}

char *vg_memdup_str(const char *p, size_t len)
{
	if (len == SIZE_MAX)
		return NULL;
	char *d = malloc(len + 1);
	if (!d)
		return NULL;
	if (len)
		memcpy(d, p, len);
	d[len] = '\0';
	return d;
}
