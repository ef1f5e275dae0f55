/* fuzz-decode.c — libFuzzer harness for the packet decoders and fragment reassembly.
 * Input: byte 0 picks a link type from the table below (low 7 bits). Without the high
 * bit the rest is one frame; with it, the rest is a sequence of frames, each prefixed
 * by a 16-bit big-endian length, so that fragment series reach reassembly. Every frame
 * is decoded; fragments go through one small defrag context (re-created per input, so
 * runs are independent) and each reassembled datagram is decoded as well. Everything
 * the decoder points at must stay inside its input. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode/decode-defrag.h"
#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int links[] = {
	VG_LINK_ETHERNET, VG_LINK_RAW, VG_LINK_RAW_DLT12, VG_LINK_IPV4, VG_LINK_IPV6,
	VG_LINK_SLL, VG_LINK_SLL2, VG_LINK_NULL, VG_LINK_CHDLC, 9999,
};

static void check(const struct vg_packet *p, const uint8_t *lo, size_t n)
{
	const uint8_t *hi = lo + n;
	if (p->l3 && (p->l3 < lo || p->l3 + p->l3_len > hi))
		__builtin_trap();
	if (p->l4 && (p->l4 < lo || p->l4 + p->l4_len > hi))
		__builtin_trap();
	if (p->payload && (p->payload < lo || p->payload + p->payload_len > hi))
		__builtin_trap();
	if (p->frag_data && (p->frag_data < lo || p->frag_data + p->frag_data_len > hi))
		__builtin_trap();
	if (p->n_anomalies > VG_MAX_PKT_ANOMALIES || p->encap_depth > VG_MAX_ENCAP_DEPTH)
		__builtin_trap();
	for (unsigned i = 0; i < p->n_anomalies; i++)
		if (strcmp(vg_decode_anomaly_name(p->anomalies[i]), "unknown") == 0 ||
		    strcmp(vg_decode_anomaly_layer(p->anomalies[i]), "unknown") == 0)
			__builtin_trap();
}

static void one_frame(struct vg_defrag *d, int lt, const uint8_t *frame, size_t len, int64_t ts)
{
	struct vg_packet p, q;
	int rc = vg_decode_packet(lt, frame, len, ts, &p);
	check(&p, frame, len);
	if ((rc == 0) != (p.ip_version != 0) || (rc == 0) == ((p.flags & VG_PKT_INVALID) != 0))
		__builtin_trap();
	if (!d || !(p.flags & VG_PKT_FRAGMENT))
		return;
	const uint8_t *dg;
	size_t dlen;
	if (vg_defrag_packet(d, &p, ts, &dg, &dlen) == 0 && dg) {
		vg_decode_ip(dg, dlen, &p, &q);
		check(&q, dg, dlen);
		if (!(q.flags & VG_PKT_REASSEMBLED))
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int lt = links[(data[0] & 0x7f) % (sizeof(links) / sizeof(links[0]))];
	bool multi = (data[0] & 0x80) != 0;
	data++;
	size--;

	struct vg_defrag_config cfg = { .memcap = 1u << 20, .max_trackers = 4, .max_frags = 8,
					.timeout_s = 2 };
	struct vg_defrag *d = NULL;
	if (vg_defrag_new(&cfg, &d) != 0)
		d = NULL;
	if (!multi) {
		one_frame(d, lt, data, size, 1000000);
	} else {
		int64_t ts = 1000000;
		while (size >= 2) {
			size_t n = (size_t)data[0] << 8 | data[1];
			data += 2;
			size -= 2;
			if (n > size)
				n = size;
			one_frame(d, lt, data, n, ts);
			ts += 500000; /* a timeout every few frames */
			data += n;
			size -= n;
		}
		if (d)
			vg_defrag_expire(d, ts + 10000000);
	}
	vg_defrag_free(d);
	return 0;
}
