/* fuzz-stream.c — libFuzzer harness for TCP reassembly (stream.c).
 * Byte 0 picks the overlap policy, midstream and small caps; then segments follow as
 * [flags][dir|seq offset hi][seq offset lo][len][len bytes]. Checks after every run:
 * each direction accounts for every sequence number once (delivered + gap bytes ==
 * next_seq - ISN - 1), and all memory is returned to the context. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stream/stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct counts {
	uint64_t data[2], gap[2];
	uint8_t sum;
};

static void cb(void *ctx, int dir, unsigned what, const uint8_t *p, size_t len)
{
	struct counts *c = ctx;
	if (what & VG_STREAM_CB_DATA) {
		uint8_t x = 0;
		for (size_t i = 0; i < len; i++)
			x ^= p[i]; /* touch every byte: ASan checks the pointer */
		c->sum ^= x;
		c->data[dir] += len;
	} else if (what & VG_STREAM_CB_GAP) {
		c->gap[dir] += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct vg_stream_config cfg;
	vg_stream_config_default(&cfg);
	cfg.policy = (data[0] & 1) ? VG_STREAM_POLICY_LAST : VG_STREAM_POLICY_FIRST;
	cfg.midstream = (data[0] & 2) != 0;
	cfg.max_segments = 1u + ((data[0] >> 2) & 7u) * 4u;
	cfg.flow_memcap = 4096u + ((data[0] >> 5) & 1u) * 200000u;
	cfg.gap_bytes = 512;
	cfg.raw_window = (data[0] & 0x40) ? 0 : 64;
	cfg.gap_timeout_us = (data[0] & 0x80) ? 3 : 0;
	struct vg_stream_ctx *ctx = vg_stream_ctx_new(&cfg);
	if (!ctx)
		abort();
	struct counts c = { { 0, 0 }, { 0, 0 }, 0 };
	struct vg_stream *s;
	if (vg_stream_new(ctx, cb, &c, &s) != 0)
		abort();
	size_t i = 1;
	int64_t t = 0;
	while (i + 4 <= size) {
		uint8_t flags = data[i];
		int dir = data[i + 1] >> 7;
		uint32_t seq = 0xfffffe00u + (((uint32_t)(data[i + 1] & 0x7f) << 8) | data[i + 2]);
		size_t len = data[i + 3];
		i += 4;
		if (len > size - i)
			len = size - i;
		vg_stream_segment(s, dir, seq, flags, data + i, (uint32_t)len, t++);
		i += len;
		const uint8_t *raw;
		size_t rl;
		vg_stream_raw(s, dir, &raw, &rl, NULL);
		if (rl > 0 && (flags & 0x20))
			vg_stream_raw_release(s, dir, rl / 2);
	}
	vg_stream_flush(s);
	for (int d = 0; d < 2; d++) {
		struct vg_stream_dir_info di;
		vg_stream_dir_info(s, d, &di);
		if (!di.started)
			continue;
		if (di.bytes_delivered != c.data[d] || di.gap_bytes != c.gap[d])
			abort();
		if ((uint32_t)(di.bytes_delivered + di.gap_bytes) != (uint32_t)(di.next_seq - di.isn - 1))
			abort();
	}
	vg_stream_free(s);
	if (vg_stream_ctx_memuse(ctx) != 0)
		abort();
	vg_stream_ctx_free(ctx);
	return 0;
}
