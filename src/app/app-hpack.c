/* app-hpack.c — HPACK decoder (RFC 7541): integers, string literals (plain and
 * Huffman-coded), the static table, the dynamic table with size updates (capped at
 * VG_HPACK_MAX_TABLE_SIZE), and the four field representations. See app-hpack.h.
 *
 * The dynamic table is a ring of heap entries, oldest evicted first. Names copied out of
 * a table entry before a new entry is inserted, because the insertion may evict the very
 * entry the name came from (RFC 7541 4.4). */
#include "app/app-hpack.h"

#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"
#include "core/limits.h"

/* ------------------------------------------------------------- Huffman ---- */

/* Symbols sorted by (code length, symbol): the code is canonical, so a code of
 * length n is huff_sym[huff_off[n] + code - huff_first[n]]. */
static const uint16_t huff_sym[257] = {
	 48,  49,  50,  97,  99, 101, 105, 111, 115, 116,  32,  37,  45,  46,  47,  51,
	 52,  53,  54,  55,  56,  57,  61,  65,  95,  98, 100, 102, 103, 104, 108, 109,
	110, 112, 114, 117,  58,  66,  67,  68,  69,  70,  71,  72,  73,  74,  75,  76,
	 77,  78,  79,  80,  81,  82,  83,  84,  85,  86,  87,  89, 106, 107, 113, 118,
	119, 120, 121, 122,  38,  42,  44,  59,  88,  90,  33,  34,  40,  41,  63,  39,
	 43, 124,  35,  62,   0,  36,  64,  91,  93, 126,  94, 125,  60,  96, 123,  92,
	195, 208, 128, 130, 131, 162, 184, 194, 224, 226, 153, 161, 167, 172, 176, 177,
	179, 209, 216, 217, 227, 229, 230, 129, 132, 133, 134, 136, 146, 154, 156, 160,
	163, 164, 169, 170, 173, 178, 181, 185, 186, 187, 189, 190, 196, 198, 228, 232,
	233,   1, 135, 137, 138, 139, 140, 141, 143, 147, 149, 150, 151, 152, 155, 157,
	158, 165, 166, 168, 174, 175, 180, 182, 183, 188, 191, 197, 231, 239,   9, 142,
	144, 145, 148, 159, 171, 206, 215, 225, 236, 237, 199, 207, 234, 235, 192, 193,
	200, 201, 202, 205, 210, 213, 218, 219, 238, 240, 242, 243, 255, 203, 204, 211,
	212, 214, 221, 222, 223, 241, 244, 245, 246, 247, 248, 250, 251, 252, 253, 254,
	  2,   3,   4,   5,   6,   7,   8,  11,  12,  14,  15,  16,  17,  18,  19,  20,
	 21,  23,  24,  25,  26,  27,  28,  29,  30,  31, 127, 220, 249,  10,  13,  22,
	256,
};
static const uint32_t huff_first[31] = {
	         0,          0,          0,          0,          0,          0,
	        20,         92,        248,        508,       1016,       2042,
	      4090,       8184,      16380,      32764,      65534,     131068,
	    262136,     524272,    1048550,    2097116,    4194258,    8388568,
	  16777194,   33554412,   67108832,  134217694,  268435426,  536870910,
	1073741820,
};
static const uint16_t huff_count[31] = {
	  0,   0,   0,   0,   0,  10,  26,  32,   6,   0,   5,   3,   2,   6,   2,   3,
	  0,   0,   0,   3,   8,  13,  26,  29,  12,   4,  15,  19,  29,   0,   4,
};
static const uint16_t huff_off[31] = {
	  0,   0,   0,   0,   0,   0,  10,  36,  68,  74,  74,  79,  82,  84,  90,  92,
	 95,  95,  95,  95,  98, 106, 119, 145, 174, 186, 190, 205, 224, 253, 253,
};

int vg_hpack_huffman_decode(const uint8_t *buf, size_t len, struct vg_buf *out)
{
	uint32_t code = 0;
	unsigned n = 0;   /* bits in code */
	char tmp[256];
	size_t t = 0;
	for (size_t i = 0; i < len; i++) {
		for (int b = 7; b >= 0; b--) {
			code = (code << 1) | ((buf[i] >> b) & 1u);
			/* the code is complete (every 30-bit string decodes): a guard, not a path */
			if (++n > 30)
				return VG_EINVAL;
			uint32_t k = code - huff_first[n];
			if (k >= huff_count[n])
				continue;
			uint16_t sym = huff_sym[huff_off[n] + k];
			if (sym == 256)
				return VG_EINVAL; /* EOS inside a string is an error (5.2) */
			tmp[t++] = (char)sym;
			if (t == sizeof(tmp)) {
				if (vg_buf_append(out, tmp, t) < 0)
					return VG_ENOMEM;
				t = 0;
			}
			code = 0;
			n = 0;
		}
	}
	/* padding: the most significant bits of EOS (all ones), fewer than 8 */
	if (n >= 8 || code != (1u << n) - 1u)
		return VG_EINVAL;
	if (t > 0 && vg_buf_append(out, tmp, t) < 0)
		return VG_ENOMEM;
	return 0;
}

/* ------------------------------------------------------------- integers ---- */

int vg_hpack_decode_int(const uint8_t *buf, size_t len, unsigned prefix_bits, uint32_t *out, size_t *used)
{
	*out = 0;
	*used = 0;
	if (prefix_bits < 1 || prefix_bits > 8)
		return VG_EINVAL;
	if (len == 0)
		return VG_ETRUNC;
	uint32_t mask = (1u << prefix_bits) - 1u;
	uint64_t v = buf[0] & mask;
	if (v < mask) {
		*out = (uint32_t)v;
		*used = 1;
		return 0;
	}
	/* continuation bytes, 7 bits each, least significant first; five of them cover 32
	 * bits, so a sixth (or zero padding bytes) is refused rather than looped over */
	for (size_t i = 1, m = 0;; i++, m += 7) {
		if (i >= len)
			return VG_ETRUNC;
		if (m > 28)
			return VG_ERANGE;
		v += (uint64_t)(buf[i] & 0x7fu) << m;
		if (v > UINT32_MAX)
			return VG_ERANGE;
		if (!(buf[i] & 0x80u)) {
			*out = (uint32_t)v;
			*used = i + 1;
			return 0;
		}
	}
}

/* -------------------------------------------------------------- tables ---- */

struct hp_static {
	const char *name, *value;
};

/* RFC 7541 Appendix A */
static const struct hp_static static_table[VG_HPACK_STATIC_ENTRIES] = {
	{ ":authority", "" }, { ":method", "GET" }, { ":method", "POST" }, { ":path", "/" },
	{ ":path", "/index.html" }, { ":scheme", "http" }, { ":scheme", "https" },
	{ ":status", "200" }, { ":status", "204" }, { ":status", "206" }, { ":status", "304" },
	{ ":status", "400" }, { ":status", "404" }, { ":status", "500" },
	{ "accept-charset", "" }, { "accept-encoding", "gzip, deflate" }, { "accept-language", "" },
	{ "accept-ranges", "" }, { "accept", "" }, { "access-control-allow-origin", "" },
	{ "age", "" }, { "allow", "" }, { "authorization", "" }, { "cache-control", "" },
	{ "content-disposition", "" }, { "content-encoding", "" }, { "content-language", "" },
	{ "content-length", "" }, { "content-location", "" }, { "content-range", "" },
	{ "content-type", "" }, { "cookie", "" }, { "date", "" }, { "etag", "" }, { "expect", "" },
	{ "expires", "" }, { "from", "" }, { "host", "" }, { "if-match", "" },
	{ "if-modified-since", "" }, { "if-none-match", "" }, { "if-range", "" },
	{ "if-unmodified-since", "" }, { "last-modified", "" }, { "link", "" }, { "location", "" },
	{ "max-forwards", "" }, { "proxy-authenticate", "" }, { "proxy-authorization", "" },
	{ "range", "" }, { "referer", "" }, { "refresh", "" }, { "retry-after", "" }, { "server", "" },
	{ "set-cookie", "" }, { "strict-transport-security", "" }, { "transfer-encoding", "" },
	{ "user-agent", "" }, { "vary", "" }, { "via", "" }, { "www-authenticate", "" },
};

struct hp_entry {
	uint32_t nlen, vlen;
	char data[];   /* name then value */
};

struct vg_hpack {
	struct hp_entry **ring;  /* ring[(start + k) % cap], k = 0 oldest */
	uint32_t cap, start, count;
	size_t size;             /* RFC 7541 4.1 size of the entries */
	uint32_t max;            /* current maximum (last size update), <= cap_limit */
	uint32_t limit;          /* SETTINGS_HEADER_TABLE_SIZE of the decoding side, clamped */
	uint32_t limit_raw;      /* the same, as announced */
	struct vg_buf name, value;
	struct vg_hpack_stats st;
};

#define ENTRY_OVERHEAD 32u

static uint32_t clamp_limit(struct vg_hpack *h, uint32_t v)
{
	if (v > VG_HPACK_MAX_TABLE_SIZE) {
		h->st.table_clamped++;
		return VG_HPACK_MAX_TABLE_SIZE;
	}
	return v;
}

struct vg_hpack *vg_hpack_new(uint32_t limit)
{
	struct vg_hpack *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->limit_raw = limit;
	h->limit = clamp_limit(h, limit);
	h->max = h->limit;
	vg_buf_init(&h->name, VG_HPACK_MAX_STRING);
	vg_buf_init(&h->value, VG_HPACK_MAX_STRING);
	return h;
}

static void evict_oldest(struct vg_hpack *h)
{
	struct hp_entry *e = h->ring[h->start];
	h->ring[h->start] = NULL;
	h->size -= (size_t)e->nlen + e->vlen + ENTRY_OVERHEAD;
	free(e);
	h->start = (h->start + 1) % h->cap;
	h->count--;
	h->st.evictions++;
}

static void shrink_to(struct vg_hpack *h, size_t max)
{
	while (h->count > 0 && h->size > max)
		evict_oldest(h);
}

void vg_hpack_free(struct vg_hpack *h)
{
	if (!h)
		return;
	while (h->count > 0)
		evict_oldest(h);
	free(h->ring);
	vg_buf_free(&h->name);
	vg_buf_free(&h->value);
	free(h);
}

void vg_hpack_set_limit(struct vg_hpack *h, uint32_t limit)
{
	if (!h)
		return;
	/* the encoder acknowledges a new limit with a size update in its next block; until
	 * then the current maximum stands (it is already <= the old limit) */
	h->limit_raw = limit;
	h->limit = clamp_limit(h, limit);
}

const struct vg_hpack_stats *vg_hpack_stats(const struct vg_hpack *h)
{
	return &h->st;
}

size_t vg_hpack_table_size(const struct vg_hpack *h)
{
	return h->size;
}

uint32_t vg_hpack_table_count(const struct vg_hpack *h)
{
	return h->count;
}

uint32_t vg_hpack_table_max(const struct vg_hpack *h)
{
	return h->max;
}

bool vg_hpack_table_entry(const struct vg_hpack *h, uint32_t i, struct vg_str *name, struct vg_str *value)
{
	*name = vg_str_make("", 0);
	*value = vg_str_make("", 0);
	if (i < 1 || i > h->count)
		return false;
	const struct hp_entry *e = h->ring[(h->start + h->count - i) % h->cap];
	*name = vg_str_make(e->data, e->nlen);
	*value = vg_str_make(e->data + e->nlen, e->vlen);
	return true;
}

/* Index (1-based, static then dynamic) → name/value, borrowed until the table changes. */
static int lookup(const struct vg_hpack *h, uint32_t idx, struct vg_str *name, struct vg_str *value)
{
	if (idx >= 1 && idx <= VG_HPACK_STATIC_ENTRIES) {
		*name = vg_str_cstr(static_table[idx - 1].name);
		*value = vg_str_cstr(static_table[idx - 1].value);
		return 0;
	}
	if (idx > VG_HPACK_STATIC_ENTRIES &&
	    vg_hpack_table_entry(h, idx - VG_HPACK_STATIC_ENTRIES, name, value))
		return 0;
	return VG_EINVAL;
}

/* Insert (RFC 7541 4.4): evict until it fits; an entry larger than the table empties it
 * and is not added. name/value must not point into the table. */
static int table_add(struct vg_hpack *h, struct vg_str name, struct vg_str value)
{
	size_t sz = name.len + value.len + ENTRY_OVERHEAD;
	if (sz > h->max) {
		shrink_to(h, 0);
		return 0;
	}
	shrink_to(h, h->max - sz);
	if (h->count == h->cap) {
		/* grow and unwrap; at most max / 32 entries, so bounded by the table cap */
		uint32_t ncap = h->cap ? h->cap * 2 : 16;
		struct hp_entry **nr = calloc(ncap, sizeof(*nr));
		if (!nr)
			return VG_ENOMEM;
		for (uint32_t k = 0; k < h->count; k++)
			nr[k] = h->ring[(h->start + k) % h->cap];
		free(h->ring);
		h->ring = nr;
		h->cap = ncap;
		h->start = 0;
	}
	struct hp_entry *e = malloc(sizeof(*e) + name.len + value.len);
	if (!e)
		return VG_ENOMEM;
	e->nlen = (uint32_t)name.len;
	e->vlen = (uint32_t)value.len;
	if (name.len)
		memcpy(e->data, name.p, name.len);
	if (value.len)
		memcpy(e->data + name.len, value.p, value.len);
	h->ring[(h->start + h->count) % h->cap] = e;
	h->count++;
	h->size += sz;
	return 0;
}

/* ------------------------------------------------------------- decoding ---- */

static struct vg_str buf_str(const struct vg_buf *b)
{
	return vg_str_make(b->len ? b->data : "", b->len);
}

/* A string literal at buf[*p] into out. */
static int read_string(struct vg_hpack *h, const uint8_t *buf, size_t len, size_t *p, struct vg_buf *out)
{
	vg_buf_reset(out);
	bool huff = (buf[*p] & 0x80u) != 0;
	uint32_t slen;
	size_t used;
	int rc = vg_hpack_decode_int(buf + *p, len - *p, 7, &slen, &used);
	if (rc < 0) {
		if (rc == VG_ETRUNC)
			h->st.bad_string++;
		else
			h->st.bad_integer++;
		return rc;
	}
	*p += used;
	if (slen > len - *p) {
		h->st.bad_string++;
		return VG_ETRUNC;
	}
	const uint8_t *s = buf + *p;
	*p += slen;
	if (!huff) {
		if (slen > VG_HPACK_MAX_STRING) {
			h->st.string_too_long++;
			return VG_ERANGE;
		}
		return vg_buf_append(out, s, slen);
	}
	rc = vg_hpack_huffman_decode(s, slen, out);
	if (rc == VG_ENOMEM) {
		h->st.string_too_long++;
		return VG_ERANGE;
	}
	if (rc < 0)
		h->st.bad_huffman++;
	return rc;
}

static int read_int(struct vg_hpack *h, const uint8_t *buf, size_t len, size_t *p, unsigned bits, uint32_t *v)
{
	size_t used;
	int rc = vg_hpack_decode_int(buf + *p, len - *p, bits, v, &used);
	if (rc < 0) {
		h->st.bad_integer++;
		return rc;
	}
	*p += used;
	return 0;
}

int vg_hpack_decode(struct vg_hpack *h, const uint8_t *buf, size_t len, vg_hpack_field_cb cb, void *ctx)
{
	if (!h || (len > 0 && !buf))
		return VG_EINVAL;
	h->st.blocks++;
	size_t p = 0;
	uint32_t nfields = 0;
	bool full = false;
	while (p < len) {
		uint8_t b = buf[p];
		uint32_t idx;
		int rc;
		struct vg_str name, value;
		bool never = false;
		if (b & 0x80u) {
			/* 6.1 indexed header field */
			if ((rc = read_int(h, buf, len, &p, 7, &idx)) < 0)
				return rc;
			if (lookup(h, idx, &name, &value) < 0) {
				h->st.bad_index++;
				return VG_EINVAL;
			}
		} else if ((b & 0xe0u) == 0x20u) {
			/* 6.3 dynamic table size update: only before the first field, at most the
			 * limit; either violation is counted and the update still applied (clamped),
			 * since refusing would desynchronise us from the peer's encoder */
			uint32_t sz;
			if ((rc = read_int(h, buf, len, &p, 5, &sz)) < 0)
				return rc;
			if (nfields > 0)
				h->st.bad_size_update++;
			if (sz > h->limit_raw)
				h->st.bad_size_update++;
			else if (sz > h->limit)
				h->st.table_clamped++;
			if (sz > h->limit)
				sz = h->limit;
			h->max = sz;
			shrink_to(h, sz);
			continue;
		} else {
			/* 6.2 literals: with incremental indexing (01), never indexed (0001),
			 * without indexing (0000) */
			bool incr = (b & 0x40u) != 0;
			never = !incr && (b & 0x10u) != 0;
			if ((rc = read_int(h, buf, len, &p, incr ? 6 : 4, &idx)) < 0)
				return rc;
			if (idx == 0) {
				if (p >= len) {
					h->st.bad_string++;
					return VG_ETRUNC;
				}
				if ((rc = read_string(h, buf, len, &p, &h->name)) < 0)
					return rc;
			} else {
				struct vg_str n2, v2;
				if (lookup(h, idx, &n2, &v2) < 0) {
					h->st.bad_index++;
					return VG_EINVAL;
				}
				vg_buf_reset(&h->name);
				if ((rc = vg_buf_append(&h->name, n2.p, n2.len)) < 0)
					return rc;
			}
			if (p >= len) {
				h->st.bad_string++;
				return VG_ETRUNC;
			}
			if ((rc = read_string(h, buf, len, &p, &h->value)) < 0)
				return rc;
			name = buf_str(&h->name);
			value = buf_str(&h->value);
			if (incr && (rc = table_add(h, name, value)) < 0)
				return rc;
		}
		h->st.fields++;
		if (++nfields > VG_HPACK_MAX_FIELDS) {
			/* keep decoding so the table stays in step with the encoder; stop reporting */
			if (!full)
				h->st.too_many_fields++;
			full = true;
			continue;
		}
		if (cb && (rc = cb(ctx, name, value, never)) < 0)
			return rc;
	}
	return full ? VG_EFULL : 0;
}
