/* fuzz-hpack.c — libFuzzer harness for the HPACK decoder (app-hpack.c). Byte 0 sets the
 * decoder's SETTINGS_HEADER_TABLE_SIZE (0..VG_HPACK_MAX_TABLE_SIZE and beyond, to
 * reach clamping); the rest is cut into header blocks at each 0xfe 0xfe pair and decoded
 * in order on one decoder, so the dynamic table carries over. After every block the
 * table must respect its bounds. The Huffman and integer decoders also run on the whole
 * input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app-hpack.h"
#include "core/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_field(void *ctx, struct vg_str name, struct vg_str value, bool never)
{
	size_t *total = ctx;
	/* touch every byte, so ASan sees a bad view */
	for (size_t i = 0; i < name.len; i++)
		*total += (uint8_t)name.p[i];
	for (size_t i = 0; i < value.len; i++)
		*total += (uint8_t)value.p[i];
	*total += never;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const uint32_t limits[8] = { 0, 32, 256, 4096, 16384, VG_HPACK_MAX_TABLE_SIZE,
					    VG_HPACK_MAX_TABLE_SIZE + 1, UINT32_MAX };
	struct vg_hpack *h = vg_hpack_new(limits[data[0] & 7]);
	if (!h)
		abort();
	data++;
	size--;
	size_t total = 0, start = 0;
	for (size_t i = 0; i <= size; i++) {
		bool cut = i == size || (i + 1 < size && data[i] == 0xfe && data[i + 1] == 0xfe);
		if (!cut)
			continue;
		vg_hpack_decode(h, data + start, i - start, on_field, &total);
		if (vg_hpack_table_size(h) > vg_hpack_table_max(h) || vg_hpack_table_max(h) > VG_HPACK_MAX_TABLE_SIZE)
			abort();
		size_t sum = 0;
		for (uint32_t k = 1; k <= vg_hpack_table_count(h); k++) {
			struct vg_str n, v;
			if (!vg_hpack_table_entry(h, k, &n, &v))
				abort();
			sum += n.len + v.len + 32;
		}
		if (sum != vg_hpack_table_size(h))
			abort();
		start = i + 2;
		i++;
	}
	vg_hpack_free(h);
	struct vg_buf out;
	vg_buf_init(&out, VG_HPACK_MAX_STRING);
	vg_hpack_huffman_decode(data, size, &out);
	vg_buf_free(&out);
	uint32_t v;
	size_t used;
	for (unsigned bits = 1; bits <= 8; bits++)
		if (vg_hpack_decode_int(data, size, bits, &v, &used) == 0 && (used == 0 || used > size))
			abort();
	return 0;
}
