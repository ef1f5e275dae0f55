/* core-str.h — lengths travel with strings (STYLE.md 8).
 * vg_str is a borrowed (pointer, length) view of wire or file data, not NUL-terminated.
 * vg_buf is a growable byte buffer with a hard cap (like curl's dynbuf).
 * The number parsers are the only way we turn text into numbers: bounded, no locale,
 * no sign surprises, whole input must be consumed. */
#ifndef VG_CORE_STR_H
#define VG_CORE_STR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vg_str {
	const char *p; /* borrowed; not NUL-terminated */
	size_t len;
};

#define VG_STR_LIT(s) ((struct vg_str){ (s), sizeof(s) - 1 })
static inline struct vg_str vg_str_make(const char *p, size_t len)
{
	return (struct vg_str){ p, len };
}
struct vg_str vg_str_cstr(const char *s); /* s may be NULL → empty */

bool vg_str_eq(struct vg_str a, struct vg_str b);
bool vg_str_eq_cstr(struct vg_str a, const char *b);
bool vg_str_casecmp_cstr(struct vg_str a, const char *b); /* true when equal, ASCII case-insensitive */
bool vg_str_startswith(struct vg_str s, const char *prefix);
struct vg_str vg_str_trim(struct vg_str s);           /* ASCII space/tab/CR/LF both ends */
/* Index of the first byte c in s, or -1. */
long vg_str_chr(struct vg_str s, char c);
/* Find needle in s; returns offset or -1. */
long vg_str_find(struct vg_str s, const char *needle, size_t nlen);

/* Decimal unsigned: digits only, no sign, no spaces; value must be <= max.
 * Returns 0, VG_EINVAL (empty, non-digit) or VG_ERANGE (> max). *out zeroed on entry. */
int vg_parse_u64(const char *p, size_t len, uint64_t max, uint64_t *out);
/* Optional leading '-', then as above, within [min, max]. */
int vg_parse_i64(const char *p, size_t len, int64_t min, int64_t max, int64_t *out);
/* Hex digits only (no 0x), value <= max. */
/* Value of one hex digit of either case, or -1. */
static inline int vg_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
int vg_parse_hex_u64(const char *p, size_t len, uint64_t max, uint64_t *out);
/* Same over a NUL-terminated string (config values, argv). */
int vg_parse_u64_cstr(const char *s, uint64_t max, uint64_t *out);
/* Decimal with optional fraction ("1.5"), for config ratios; no exponent, no sign. */
int vg_parse_double(const char *p, size_t len, double max, double *out);
/* Sizes with optional suffix k/m/g (powers of 1024, case-insensitive, optional "b"/"ib"). */
int vg_parse_size(const char *p, size_t len, uint64_t max, uint64_t *out);

/* Copy at most dstsz-1 bytes of src (len bytes) and NUL-terminate; returns bytes copied.
 * dstsz must be > 0. Truncation is silent: check the return against len when it matters. */
size_t vg_strlcpy(char *dst, const char *src, size_t len, size_t dstsz);

/* Growable buffer, always NUL-terminated when len > 0 or after vg_buf_cstr(). */
struct vg_buf {
	char *data;   /* owned */
	size_t len;
	size_t cap;
	size_t max;   /* hard cap on len; 0 means SIZE_MAX/2 */
};
void vg_buf_init(struct vg_buf *b, size_t max);
void vg_buf_free(struct vg_buf *b);           /* NULL-safe, leaves b empty and reusable */
void vg_buf_reset(struct vg_buf *b);           /* len = 0, keeps memory */
int vg_buf_append(struct vg_buf *b, const void *p, size_t len); /* VG_ENOMEM past max */
int vg_buf_appendc(struct vg_buf *b, const char *s);
int vg_buf_printf(struct vg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vg_buf_vprintf(struct vg_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
const char *vg_buf_cstr(struct vg_buf *b);    /* "" when empty; never NULL */
/* Takes the data out (caller frees); b becomes empty. NULL when empty. */
char *vg_buf_steal(struct vg_buf *b);

/* A NUL-terminated heap copy of p[0, len) (p need not be terminated; unlike strndup it never
 * looks past len). NULL on allocation failure. */
char *vg_memdup_str(const char *p, size_t len);

#endif
