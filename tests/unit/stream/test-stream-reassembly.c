/* TCP reassembly built segment by segment: in order, out of order, retransmission,
 * overlaps under each policy (exact bytes expected), gaps, wraparound, memcaps, FIN/RST,
 * midstream, raw window. A collector callback records what the consumer saw. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-error.h"
#include "core/limits.h"
#include "stream/stream.h"

/* What the consumer of one direction saw: bytes, with '#' standing for each gap byte
 * bound in a marker "[gap N]". */
struct sink {
	char out[2][8192];
	size_t len[2];
	int gaps[2];
	int eof[2];
};

static void collect(void *ctx, int dir, unsigned what, const uint8_t *data, size_t len)
{
	struct sink *k = ctx;
	if (what & VG_STREAM_CB_DATA) {
		assert_true(k->len[dir] + len < sizeof(k->out[dir]));
		memcpy(k->out[dir] + k->len[dir], data, len);
		k->len[dir] += len;
	} else if (what & VG_STREAM_CB_GAP) {
		k->len[dir] += (size_t)snprintf(k->out[dir] + k->len[dir], sizeof(k->out[dir]) - k->len[dir],
						"[gap %zu]", len);
		k->gaps[dir]++;
	} else if (what & VG_STREAM_CB_EOF) {
		k->eof[dir]++;
	}
	k->out[dir][k->len[dir]] = '\0';
}

struct fx {
	struct vg_stream_ctx *ctx;
	struct vg_stream *s;
	struct sink k;
};

static void fx_open(struct fx *f, const struct vg_stream_config *cfg)
{
	memset(f, 0, sizeof(*f));
	f->ctx = vg_stream_ctx_new(cfg);
	assert_non_null(f->ctx);
	assert_int_equal(vg_stream_new(f->ctx, collect, &f->k, &f->s), 0);
}

static void fx_close(struct fx *f)
{
	vg_stream_free(f->s);
	assert_int_equal(vg_stream_ctx_memuse(f->ctx), 0); /* everything returned */
	vg_stream_ctx_free(f->ctx);
}

/* Data segment in the client direction at offset off from ISN+1. */
static int seg(struct fx *f, uint32_t isn, uint32_t off, const char *data)
{
	return vg_stream_segment(f->s, VG_STREAM_TOSERVER, isn + 1 + off, VG_STREAM_ACK,
				 (const uint8_t *)data, (uint32_t)strlen(data), 1000);
}

static void syn(struct fx *f, uint32_t isn)
{
	assert_int_equal(vg_stream_segment(f->s, VG_STREAM_TOSERVER, isn, VG_STREAM_SYN, NULL, 0, 0), 0);
}

static void test_in_order(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, NULL);
	syn(&f, 1000);
	assert_int_equal(seg(&f, 1000, 0, "GET / HTTP/1.1\r\n"), 0);
	assert_int_equal(seg(&f, 1000, 16, "Host: a\r\n\r\n"), 0);
	assert_string_equal(f.k.out[0], "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	struct vg_stream_dir_info di;
	assert_int_equal(vg_stream_dir_info(f.s, 0, &di), 0);
	assert_true(di.started);
	assert_false(di.midstream);
	assert_int_equal(di.isn, 1000);
	assert_int_equal(di.next_seq, 1001 + 27);
	assert_int_equal(di.bytes_delivered, 27);
	assert_int_equal(di.segments_buffered, 0);
	/* the other direction is untouched */
	assert_int_equal(f.k.len[1], 0);
	assert_int_equal(vg_stream_ctx_stats(f.ctx)->gaps, 0);
	fx_close(&f);
}

static void test_out_of_order(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, NULL);
	syn(&f, 5);
	assert_int_equal(seg(&f, 5, 8, "IJKL"), 0);
	assert_int_equal(seg(&f, 5, 4, "EFGH"), 0);
	assert_int_equal(f.k.len[0], 0); /* nothing contiguous yet */
	struct vg_stream_dir_info di;
	vg_stream_dir_info(f.s, 0, &di);
	assert_int_equal(di.segments_buffered, 2);
	assert_int_equal(di.bytes_buffered, 8);
	assert_int_equal(seg(&f, 5, 0, "ABCD"), 0);
	assert_string_equal(f.k.out[0], "ABCDEFGHIJKL");
	vg_stream_dir_info(f.s, 0, &di);
	assert_int_equal(di.segments_buffered, 0);
	assert_int_equal(vg_stream_memuse(f.s), 0 + 65536); /* only the raw window remains */
	fx_close(&f);
}

static void test_retransmission(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, NULL);
	syn(&f, 0);
	seg(&f, 0, 0, "hello ");
	seg(&f, 0, 0, "hello ");      /* delivered already */
	seg(&f, 0, 10, "XY");         /* buffered */
	seg(&f, 0, 10, "XY");         /* buffered retransmission */
	seg(&f, 0, 6, "worl");
	assert_string_equal(f.k.out[0], "hello worlXY");
	const struct vg_stream_stats *st = vg_stream_ctx_stats(f.ctx);
	assert_int_equal(st->retrans, 2);
	assert_int_equal(st->overlap_diff, 0);
	fx_close(&f);
}

/* The classic test: buffered original "AAAA" at 4..8, then a segment 2..10 "bbbbbbbb"
 * overlapping it, then the head. First-wins keeps AAAA; last-wins takes bbbb. */
static void overlap_case(enum vg_stream_policy pol, const char *want)
{
	struct vg_stream_config cfg;
	vg_stream_config_default(&cfg);
	cfg.policy = pol;
	struct fx f;
	fx_open(&f, &cfg);
	syn(&f, 100);
	seg(&f, 100, 4, "AAAA");
	seg(&f, 100, 2, "bbbbbbbb");
	seg(&f, 100, 0, "cc");
	assert_string_equal(f.k.out[0], want);
	const struct vg_stream_stats *st = vg_stream_ctx_stats(f.ctx);
	assert_int_equal(st->overlaps, 1);
	assert_int_equal(st->overlap_diff, 1);
	assert_int_equal(st->retrans, 0);
	fx_close(&f);
}

static void test_overlap_first(void **state)
{
	(void)state;
	overlap_case(VG_STREAM_POLICY_FIRST, "ccbbAAAAbb");
}

static void test_overlap_last(void **state)
{
	(void)state;
	overlap_case(VG_STREAM_POLICY_LAST, "ccbbbbbbbb");
}

/* Bytes already delivered never change, under either policy; the difference is counted. */
static void test_overlap_delivered(void **state)
{
	(void)state;
	for (int pol = 0; pol < 2; pol++) {
		struct vg_stream_config cfg;
		vg_stream_config_default(&cfg);
		cfg.policy = (enum vg_stream_policy)pol;
		struct fx f;
		fx_open(&f, &cfg);
		syn(&f, 7);
		seg(&f, 7, 0, "abcdef");
		seg(&f, 7, 3, "XYZghi"); /* XYZ rewrites delivered def */
		assert_string_equal(f.k.out[0], "abcdefghi");
		assert_int_equal(vg_stream_ctx_stats(f.ctx)->overlap_diff, 1);
		assert_int_equal(vg_stream_ctx_stats(f.ctx)->overlaps, 1);
		fx_close(&f);
	}
}

/* A segment spanning two buffered ones and the holes around them. */
static void test_overlap_spanning(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, NULL);
	syn(&f, 0);
	seg(&f, 0, 2, "22");
	seg(&f, 0, 6, "66");
	seg(&f, 0, 1, "xxxxxxxxx"); /* 1..10 */
	seg(&f, 0, 0, "0");
	assert_string_equal(f.k.out[0], "0x22xx66xx");
	struct vg_stream_dir_info di;
	vg_stream_dir_info(f.s, 0, &di);
	assert_int_equal(di.bytes_delivered, 10);
	fx_close(&f);
}

static void test_wraparound(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, NULL);
	uint32_t isn = 0xfffffff8u;
	syn(&f, isn);
	seg(&f, isn, 10, "world"); /* sequence wraps inside the hole */
	seg(&f, isn, 4, "o, "); /* 4..7 */
	seg(&f, isn, 0, "hell");
	seg(&f, isn, 7, "new"); /* 7..10 across 0 */
	assert_string_equal(f.k.out[0], "hello, newworld");
	struct vg_stream_dir_info di;
	vg_stream_dir_info(f.s, 0, &di);
	assert_int_equal(di.next_seq, isn + 1 + 15);
	assert_true(di.next_seq < 16);
	fx_close(&f);
}

static void test_gap_by_bytes(void **state)
{
	(void)state;
	struct vg_stream_config cfg;
	vg_stream_config_default(&cfg);
	cfg.gap_bytes = 8;
	struct fx f;
	fx_open(&f, &cfg);
	syn(&f, 0);
	seg(&f, 0, 0, "AB");
	seg(&f, 0, 5, "FGHIJ");  /* hole 2..5, 5 buffered: below the limit */
	assert_int_equal(f.k.gaps[0], 0);
	seg(&f, 0, 10, "KLMN");   /* 9 buffered > 8: the hole becomes a gap */
	assert_string_equal(f.k.out[0], "AB[gap 3]FGHIJKLMN");
	struct vg_stream_dir_info di;
	vg_stream_dir_info(f.s, 0, &di);
	assert_int_equal(di.gaps, 1);
	assert_int_equal(di.gap_bytes, 3);
	/* the late bytes of the hole are ignored now */
	seg(&f, 0, 2, "cde");
	assert_string_equal(f.k.out[0], "AB[gap 3]FGHIJKLMN");
	seg(&f, 0, 14, "O");
	assert_string_equal(f.k.out[0], "AB[gap 3]FGHIJKLMNO");
	assert_int_equal(vg_stream_ctx_stats(f.ctx)->gaps, 1);
	fx_close(&f);
}

static void test_gap_by_time(void **state)
{
	(void)state;
	struct vg_stream_config cfg;
	vg_stream_config_default(&cfg);
	cfg.gap_timeout_us = 1000000;
	struct fx f;
	fx_open(&f, &cfg);
	syn(&f, 0);
	vg_stream_segment(f.s, 0, 1 + 4, VG_STREAM_ACK, (const uint8_t *)"late", 4, 10);
	vg_stream_segment(f.s, 0, 1 + 8, VG_STREAM_ACK, (const uint8_t *)"r", 1, 500000);
	assert_int_equal(f.k.gaps[0], 0);
	vg_stream_segment(f.s, 0, 1 + 9, VG_STREAM_ACK, (const uint8_t *)"!", 1, 1100000);
	assert_string_equal(f.k.out[0], "[gap 4]later!");
	fx_close(&f);
}

static void test_segment_cap(void **state)
{
	(void)state;
	struct vg_stream_config cfg;
	vg_stream_config_default(&cfg);
	cfg.max_segments = 3;
	struct fx f;
	fx_open(&f, &cfg);
	syn(&f, 0);
	seg(&f, 0, 2, "a");
	seg(&f, 0, 4, "b");
	assert_int_equal(f.k.gaps[0], 0);
	seg(&f, 0, 6, "c"); /* third buffered segment: cap hit, the first hole is a gap */
	assert_string_equal(f.k.out[0], "[gap 2]a");
	assert_int_equal(vg_stream_ctx_stats(f.ctx)->seg_limit, 1);
	struct vg_stream_dir_info di;
	vg_stream_dir_info(f.s, 0, &di);
	assert_int_equal(di.segments_buffered, 2);
	seg(&f, 0, 8, "d"); /* cap again: one more hole given up, never more than needed */
	assert_string_equal(f.k.out[0], "[gap 2]a[gap 1]b");
	assert_int_equal(vg_stream_ctx_stats(f.ctx)->seg_limit, 2);
	seg(&f, 0, 5, "Z"); /* fills the next hole: no gap */
	assert_string_equal(f.k.out[0], "[gap 2]a[gap 1]bZc");
	fx_close(&f);
}

static void test_flow_memcap(void **state)
{
	(void)state;
	struct vg_stream_config cfg;
	vg_stream_config_default(&cfg);
	cfg.raw_window = 0;
	cfg.flow_memcap = 200;
	cfg.gap_bytes = 100000;
	struct fx f;
	fx_open(&f, &cfg);
	syn(&f, 0);
	char big[101];
	memset(big, 'z', 100);
	big[100] = '\0';
	assert_int_equal(seg(&f, 0, 10, big), 0);           /* fits */
	assert_int_equal(seg(&f, 0, 200, big), VG_ENOMEM);  /* would exceed 200: dropped */
	assert_int_equal(vg_stream_ctx_stats(f.ctx)->memcap_flow, 1);
	assert_true(vg_stream_memuse(f.s) <= 200);
	/* in-order data still flows without buffering, and the buffered one drains */
	assert_int_equal(seg(&f, 0, 0, "0123456789"), 0);
	assert_int_equal(f.k.len[0], 110);
	assert_int_equal(vg_stream_memuse(f.s), 0);
	fx_close(&f);
}

static void test_global_memcap(void **state)
{
	(void)state;
	struct vg_stream_config cfg;
	vg_stream_config_default(&cfg);
	cfg.raw_window = 0;
	cfg.memcap = 2048;
	struct vg_stream_ctx *ctx = vg_stream_ctx_new(&cfg);
	struct vg_stream *s[64];
	int n = 0, rc = 0;
	while (n < 64 && (rc = vg_stream_new(ctx, NULL, NULL, &s[n])) == 0)
		n++;
	assert_int_equal(rc, VG_ENOMEM);
	assert_true(n > 0 && n < 64);
	assert_int_equal(vg_stream_ctx_stats(ctx)->memcap_global, 1);
	/* free one, a segment now competes for the little left */
	vg_stream_segment(s[0], 0, 0, VG_STREAM_SYN, NULL, 0, 0);
	uint8_t buf[1500] = { 0 };
	assert_int_equal(vg_stream_segment(s[0], 0, 1 + 100, VG_STREAM_ACK, buf, sizeof(buf), 0), VG_ENOMEM);
	assert_int_equal(vg_stream_ctx_stats(ctx)->memcap_global, 2);
	for (int i = 0; i < n; i++)
		vg_stream_free(s[i]);
	assert_int_equal(vg_stream_ctx_memuse(ctx), 0);
	vg_stream_ctx_free(ctx);
}

static void test_fin_waits_for_hole(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, NULL);
	syn(&f, 0);
	seg(&f, 0, 0, "ab");
	/* FIN carrying "ef" at 4; "cd" still missing */
	vg_stream_segment(f.s, 0, 1 + 4, VG_STREAM_FIN | VG_STREAM_ACK, (const uint8_t *)"ef", 2, 1000);
	struct vg_stream_dir_info di;
	vg_stream_dir_info(f.s, 0, &di);
	assert_true(di.fin_seen);
	assert_false(di.closed);
	assert_int_equal(f.k.eof[0], 0);
	seg(&f, 0, 2, "cd");
	assert_string_equal(f.k.out[0], "abcdef");
	vg_stream_dir_info(f.s, 0, &di);
	assert_true(di.closed);
	assert_int_equal(f.k.eof[0], 1);
	/* data after close is ignored and counted */
	assert_int_equal(seg(&f, 0, 6, "zz"), VG_ESTATE);
	assert_int_equal(vg_stream_ctx_stats(f.ctx)->after_close, 1);
	assert_string_equal(f.k.out[0], "abcdef");
	fx_close(&f);
}

static void test_rst_flushes_with_gap(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, NULL);
	syn(&f, 0);
	assert_int_equal(vg_stream_segment(f.s, 1, 50, VG_STREAM_SYN | VG_STREAM_ACK, NULL, 0, 0), 0);
	seg(&f, 0, 0, "ab");
	seg(&f, 0, 5, "xyz");
	vg_stream_segment(f.s, 1, 51, VG_STREAM_ACK, (const uint8_t *)"srv", 3, 0);
	/* a reset far off the sequence space is ignored */
	assert_int_equal(vg_stream_segment(f.s, 1, 51 + 0x80000000u, VG_STREAM_RST, NULL, 0, 0), VG_ERANGE);
	assert_int_equal(f.k.eof[0] + f.k.eof[1], 0);
	vg_stream_segment(f.s, 1, 51, VG_STREAM_RST, NULL, 0, 0);
	assert_string_equal(f.k.out[0], "ab[gap 3]xyz");
	assert_string_equal(f.k.out[1], "srv");
	assert_int_equal(f.k.eof[0], 1);
	assert_int_equal(f.k.eof[1], 1);
	struct vg_stream_dir_info di;
	vg_stream_dir_info(f.s, 1, &di);
	assert_true(di.rst_seen && di.closed);
	assert_int_equal(di.isn, 50);
	fx_close(&f);
}

static void test_midstream(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, NULL); /* default: off */
	assert_int_equal(seg(&f, 0, 0, "data"), VG_ESTATE);
	assert_int_equal(vg_stream_ctx_stats(f.ctx)->no_syn, 1);
	assert_int_equal(f.k.len[0], 0);
	fx_close(&f);

	struct vg_stream_config cfg;
	vg_stream_config_default(&cfg);
	cfg.midstream = true;
	fx_open(&f, &cfg);
	assert_int_equal(seg(&f, 777, 0, "data"), 0);
	assert_int_equal(seg(&f, 777, 4, "more"), 0);
	assert_string_equal(f.k.out[0], "datamore");
	struct vg_stream_dir_info di;
	vg_stream_dir_info(f.s, 0, &di);
	assert_true(di.midstream);
	fx_close(&f);
}

static void test_out_of_window(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, NULL);
	syn(&f, 0);
	assert_int_equal(seg(&f, 0, VG_STREAM_MAX_SEQ_AHEAD + 10, "far"), VG_ERANGE);
	assert_int_equal(vg_stream_ctx_stats(f.ctx)->out_of_window, 1);
	seg(&f, 0, 0, "near");
	assert_string_equal(f.k.out[0], "near");
	fx_close(&f);
}

static void test_raw_window(void **state)
{
	(void)state;
	struct vg_stream_config cfg;
	vg_stream_config_default(&cfg);
	cfg.raw_window = 8;
	cfg.gap_bytes = 2;
	struct fx f;
	fx_open(&f, &cfg);
	syn(&f, 0);
	seg(&f, 0, 0, "abcd");
	const uint8_t *p;
	size_t n;
	uint32_t sq;
	vg_stream_raw(f.s, 0, &p, &n, &sq);
	assert_int_equal(n, 4);
	assert_memory_equal(p, "abcd", 4);
	assert_int_equal(sq, 1);
	vg_stream_raw_release(f.s, 0, 2);
	seg(&f, 0, 4, "efghij"); /* cd + efghij = 8 fits exactly */
	vg_stream_raw(f.s, 0, &p, &n, &sq);
	assert_int_equal(n, 8);
	assert_memory_equal(p, "cdefghij", 8);
	seg(&f, 0, 10, "kl"); /* oldest two dropped unread */
	vg_stream_raw(f.s, 0, &p, &n, &sq);
	assert_memory_equal(p, "efghijkl", 8);
	assert_int_equal(sq, 5);
	assert_int_equal(vg_stream_ctx_stats(f.ctx)->raw_dropped, 2);
	/* a gap clears the window: no raw match across missing bytes */
	seg(&f, 0, 14, "xyz");
	vg_stream_raw(f.s, 0, &p, &n, &sq);
	assert_int_equal(n, 3);
	assert_memory_equal(p, "xyz", 3);
	assert_int_equal(sq, 15);
	fx_close(&f);
}

static void test_flush(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, NULL);
	syn(&f, 0);
	seg(&f, 0, 3, "late");
	vg_stream_flush(f.s);
	assert_string_equal(f.k.out[0], "[gap 3]late");
	assert_int_equal(f.k.eof[0], 1);
	fx_close(&f);
}

static void test_bad_args(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, NULL);
	assert_int_equal(vg_stream_segment(f.s, 2, 0, VG_STREAM_SYN, NULL, 0, 0), VG_EINVAL);
	assert_int_equal(vg_stream_segment(f.s, 0, 0, 0, NULL, 5, 0), VG_EINVAL);
	assert_int_equal(vg_stream_segment(NULL, 0, 0, 0, NULL, 0, 0), VG_EINVAL);
	struct vg_stream *s = (struct vg_stream *)1;
	assert_int_equal(vg_stream_new(NULL, NULL, NULL, &s), VG_EINVAL);
	assert_null(s);
	vg_stream_free(NULL);
	fx_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_retransmission),
		cmocka_unit_test(test_overlap_first),
		cmocka_unit_test(test_overlap_last),
		cmocka_unit_test(test_overlap_delivered),
		cmocka_unit_test(test_overlap_spanning),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_gap_by_bytes),
		cmocka_unit_test(test_gap_by_time),
		cmocka_unit_test(test_segment_cap),
		cmocka_unit_test(test_flow_memcap),
		cmocka_unit_test(test_global_memcap),
		cmocka_unit_test(test_fin_waits_for_hole),
		cmocka_unit_test(test_rst_flushes_with_gap),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_out_of_window),
		cmocka_unit_test(test_raw_window),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_bad_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
