/* fuzz-frame.c — libFuzzer harness for the RFC 6587 framing parser (logs-frame.c).
 * The first input byte picks the mode and a small max_msg, the second a chunk size; the
 * rest is fed as a stream in chunks through a receiver-sized buffer, then again whole, and
 * the messages must agree (framing must not depend on how the stream was split). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"
#include "logs/logs-frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t hash_msgs(const uint8_t *in, size_t len, enum vg_frame_mode mode, size_t max,
			  size_t chunk, struct vg_frame_stats *st)
{
	struct vg_frame f;
	vg_frame_init(&f, mode, max);
	size_t cap = vg_frame_bufsize(&f);
	char *buf = malloc(cap);
	if (!buf)
		abort();
	uint64_t h = 1469598103934665603ull;
	size_t blen = 0, fed = 0;
	for (;;) {
		size_t n = len - fed < chunk ? len - fed : chunk;
		if (n > cap - blen)
			n = cap - blen;
		memcpy(buf + blen, in + fed, n);
		blen += n;
		fed += n;
		bool eof = fed == len;
		for (;;) {
			struct vg_frame_msg m;
			size_t used;
			int rc = vg_frame_next(&f, buf, blen, eof, &m, &used);
			if (used > blen)
				abort();
			if (rc == VG_OK) {
				if (m.len > f.max_msg || m.p < buf || m.p + m.len > buf + blen)
					abort();
				for (size_t i = 0; i < m.len; i++)
					h = (h ^ (uint8_t)m.p[i]) * 1099511628211ull;
				h = (h ^ 0x100u ^ m.flags) * 1099511628211ull;
			} else if (rc != VG_EAGAIN) {
				abort();
			}
			memmove(buf, buf + used, blen - used);
			blen -= used;
			if (rc != VG_OK && (used == 0 || blen == 0))
				break;
		}
		if (eof) {
			if (blen != 0)
				abort();
			break;
		}
		if (blen == cap) /* full buffer with no progress: the framer would stall */
			abort();
	}
	*st = f.st;
	free(buf);
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	enum vg_frame_mode mode = (enum vg_frame_mode)(data[0] % 3);
	size_t max = (data[0] >> 2) ? (size_t)(data[0] >> 2) : 1; /* 1..63: truncation is common */
	size_t chunk = (size_t)data[1] % 17 + 1;
	const uint8_t *in = data + 2;
	size_t len = size - 2;
	struct vg_frame_stats a, b;
	uint64_t ha = hash_msgs(in, len, mode, max, chunk, &a);
	uint64_t hb = hash_msgs(in, len, mode, max, len ? len : 1, &b);
	if (ha != hb || memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	struct vg_frame_msg m;
	(void)vg_frame_datagram((const char *)in, len, max, &m);
	return 0;
}
