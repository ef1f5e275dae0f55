/* app-hpack.h — HPACK (RFC 7541) header block decoder for the HTTP/2 parser.
 *
 * One decoder per direction of a connection: it owns the dynamic table that the peer's
 * encoder fills. A header block is decoded as a whole (HEADERS + CONTINUATION fragments
 * joined by the caller) and each field is handed to a callback. Everything is bounded by
 * core/limits.h: the table by VG_HPACK_MAX_TABLE_SIZE, each string by VG_HPACK_MAX_STRING,
 * fields per block by VG_HPACK_MAX_FIELDS. Malformed input stops the block with an error
 * and a counter; the fields decoded before it were delivered. */
#ifndef VG_APP_HPACK_H
#define VG_APP_HPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core-str.h"

#define VG_HPACK_DEFAULT_TABLE_SIZE 4096u /* SETTINGS_HEADER_TABLE_SIZE initial value */
#define VG_HPACK_STATIC_ENTRIES 61u

struct vg_hpack_stats {
	uint64_t blocks, fields;
	uint64_t bad_index;          /* index 0 or past the tables */
	uint64_t bad_integer;        /* integer longer than 32 bits or truncated */
	uint64_t bad_string;         /* string length past the block */
	uint64_t bad_huffman;        /* EOS in a string, padding not all ones or >= 8 bits */
	uint64_t string_too_long;    /* past VG_HPACK_MAX_STRING */
	uint64_t bad_size_update;    /* above the SETTINGS limit, or after the first field */
	uint64_t too_many_fields;    /* past VG_HPACK_MAX_FIELDS */
	uint64_t table_clamped;      /* a size above VG_HPACK_MAX_TABLE_SIZE was clamped */
	uint64_t evictions;
};

/* Field callback: name and value are borrowed for the call (not NUL-terminated).
 * never_indexed: the "literal never indexed" representation (a sensitive value).
 * A negative return stops decoding and is returned by vg_hpack_decode(). */
typedef int (*vg_hpack_field_cb)(void *ctx, struct vg_str name, struct vg_str value, bool never_indexed);

struct vg_hpack;
/* A decoder whose SETTINGS_HEADER_TABLE_SIZE is limit (clamped to VG_HPACK_MAX_TABLE_SIZE).
 * Caller frees with vg_hpack_free(). NULL on allocation failure. */
struct vg_hpack *vg_hpack_new(uint32_t limit);
void vg_hpack_free(struct vg_hpack *h);  /* NULL is a no-op */
/* The decoding side announced SETTINGS_HEADER_TABLE_SIZE = limit: the encoder's size
 * updates may go up to it (clamped to VG_HPACK_MAX_TABLE_SIZE, counted); a smaller limit
 * shrinks the table at once. */
void vg_hpack_set_limit(struct vg_hpack *h, uint32_t limit);
/* Decode one complete header block. cb may be NULL (the table is still maintained).
 * 0; VG_EINVAL (bad index, Huffman, size update), VG_ETRUNC (a field cut by the end of
 * the block), VG_ERANGE (integer or string past its bound), VG_EFULL (too many fields),
 * VG_ENOMEM, or the callback's negative return. Errors are counted in the stats. */
int vg_hpack_decode(struct vg_hpack *h, const uint8_t *buf, size_t len, vg_hpack_field_cb cb, void *ctx);
const struct vg_hpack_stats *vg_hpack_stats(const struct vg_hpack *h);

/* Table state, for tests: bytes per RFC 7541 4.1 (name + value + 32 each), entries,
 * the current maximum size, and dynamic entry i (1 = newest); false when absent. */
size_t vg_hpack_table_size(const struct vg_hpack *h);
uint32_t vg_hpack_table_count(const struct vg_hpack *h);
uint32_t vg_hpack_table_max(const struct vg_hpack *h);
bool vg_hpack_table_entry(const struct vg_hpack *h, uint32_t i, struct vg_str *name, struct vg_str *value);

/* Pure parts (exposed for tests and fuzzing).
 * Integer with an n-bit prefix (RFC 7541 5.1), 1 <= prefix_bits <= 8, at buf[0] (its high
 * bits are ignored). *used gets the bytes read. 0, VG_ETRUNC, VG_ERANGE (> UINT32_MAX). */
int vg_hpack_decode_int(const uint8_t *buf, size_t len, unsigned prefix_bits, uint32_t *out, size_t *used);
/* Huffman-coded string (RFC 7541 5.2, Appendix B) appended to out. 0; VG_EINVAL on EOS,
 * bad padding; VG_ENOMEM when out's max is reached. */
int vg_hpack_huffman_decode(const uint8_t *buf, size_t len, struct vg_buf *out);

#endif
