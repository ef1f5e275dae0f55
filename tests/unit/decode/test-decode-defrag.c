/* Fragment reassembly: in order, out of order, overlapping (first-wins), duplicates,
 * caps (fragments per datagram, trackers, memory, 64 KiB), timeout, IPv6 with
 * extension headers before the fragment header, and overlay context kept (VXLAN). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-addr.h"
#include "core/core-error.h"
#include "decode/decode-defrag.h"
#include "decode/decode.h"
#include "frame-builder.h"

static bool has_an(const struct vg_packet *p, unsigned code)
{
	for (unsigned i = 0; i < p->n_anomalies; i++)
		if (p->anomalies[i] == code)
			return true;
	return false;
}

/* The UDP datagram every test splits: 8-byte header + payload bytes 0, 1, 2, ... */
#define PAYLOAD 200
static void datagram(uint8_t *out, size_t *len)
{
	out[0] = 0x30; out[1] = 0x39; /* 12345 */
	out[2] = 0x00; out[3] = 0x35; /* 53 */
	out[4] = (uint8_t)((8 + PAYLOAD) >> 8);
	out[5] = (uint8_t)(8 + PAYLOAD);
	out[6] = out[7] = 0;
	for (int i = 0; i < PAYLOAD; i++)
		out[8 + i] = (uint8_t)i;
	*len = 8 + PAYLOAD;
}

/* An IPv4 fragment on Ethernet (optionally inside VXLAN vni) carrying dg[off..off+n). */
static void frag4(struct fb *f, uint16_t id, const uint8_t *data, size_t off, size_t n, bool mf,
		  int vni)
{
	fb_init(f);
	fb_eth(f, 0x0800);
	if (vni >= 0) {
		fb_ipv4(f, "10.98.0.1", "10.98.0.2", 17);
		fb_udp(f, 40000, 4789);
		fb_vxlan(f, (uint32_t)vni);
		fb_eth(f, 0x0800);
	}
	size_t ip = f->n;
	fb_ipv4(f, "10.1.0.1", "10.1.0.2", 17);
	fb_put(f, data, n);
	fb_end(f);
	f->b[ip + 4] = (uint8_t)(id >> 8);
	f->b[ip + 5] = (uint8_t)id;
	uint16_t fo = (uint16_t)((off / 8) | (mf ? 0x2000 : 0));
	f->b[ip + 6] = (uint8_t)(fo >> 8);
	f->b[ip + 7] = (uint8_t)fo;
}

struct run {
	struct vg_defrag *d;
	struct vg_packet last;      /* the last fragment offered */
	struct vg_packet re;        /* the reassembled packet */
	int completed;
	int rc;
};

static void offer(struct run *r, const struct fb *f, int64_t now)
{
	const uint8_t *dg;
	size_t len;
	assert_int_equal(vg_decode_packet(VG_LINK_ETHERNET, f->b, f->n, now, &r->last), 0);
	assert_true(r->last.flags & VG_PKT_FRAGMENT);
	r->rc = vg_defrag_packet(r->d, &r->last, now, &dg, &len);
	if (r->rc == 0 && dg) {
		r->completed++;
		assert_int_equal(vg_decode_ip(dg, len, &r->last, &r->re), 0);
	} else {
		assert_null(dg);
	}
}

static void check_udp(const struct vg_packet *p)
{
	uint8_t want[1024];
	size_t n;
	datagram(want, &n);
	assert_true(p->flags & VG_PKT_REASSEMBLED);
	assert_false(p->flags & (VG_PKT_FRAGMENT | VG_PKT_TRUNCATED | VG_PKT_INVALID));
	assert_true(p->flags & VG_PKT_UDP);
	assert_int_equal(p->sport, 12345);
	assert_int_equal(p->dport, 53);
	assert_int_equal(p->payload_len, PAYLOAD);
	assert_memory_equal(p->payload, want + 8, PAYLOAD);
	assert_int_equal(p->n_anomalies, 0);
}

static void new_run(struct run *r, const struct vg_defrag_config *cfg)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(vg_defrag_new(cfg, &r->d), 0);
}

static void end_run(struct run *r, uint64_t want_trackers)
{
	struct vg_defrag_counters c;
	vg_defrag_counters(r->d, &c);
	assert_int_equal(c.trackers, want_trackers);
	if (want_trackers == 0)
		assert_int_equal(c.memuse, 0); /* every byte accounted is given back */
	vg_defrag_free(r->d);
}

static void test_in_order_and_reverse(void **state)
{
	(void)state;
	uint8_t dg[1024];
	size_t n;
	struct fb f;
	struct run r;
	datagram(dg, &n); /* 208 bytes: fragments of 64, 64, 64, 16 */

	for (int order = 0; order < 3; order++) {
		static const int seq[3][4] = { { 0, 1, 2, 3 }, { 3, 2, 1, 0 }, { 2, 0, 3, 1 } };
		new_run(&r, NULL);
		for (int i = 0; i < 4; i++) {
			size_t k = (size_t)seq[order][i], off = k * 64, len = k == 3 ? n - 192 : 64;
			frag4(&f, 0x77, dg + off, off, len, k != 3, -1);
			offer(&r, &f, 1000 + i);
			assert_int_equal(r.rc, 0);
			assert_int_equal(r.completed, i == 3);
		}
		check_udp(&r.re);
		assert_int_equal(r.re.ip_version, 4);
		assert_int_equal(r.re.l3_len, 20 + n);
		assert_int_equal(r.re.ip_id, 0x77);
		assert_int_equal(r.re.ts_us, 1003);
		struct vg_defrag_counters c;
		vg_defrag_counters(r.d, &c);
		assert_int_equal(c.fragments, 4);
		assert_int_equal(c.reassembled, 1);
		assert_int_equal(c.overlaps, 0);
		end_run(&r, 0);
	}
}

static void test_overlap_first_wins(void **state)
{
	(void)state;
	uint8_t dg[1024], evil[64];
	size_t n;
	struct fb f;
	struct run r;
	datagram(dg, &n);
	memset(evil, 0xee, sizeof(evil));

	new_run(&r, NULL);
	frag4(&f, 9, dg + 64, 64, 64, true, -1);
	offer(&r, &f, 1);
	assert_int_equal(r.last.n_anomalies, 0);
	/* Covers [32, 96): overlaps the held [64, 128) on its second half. */
	frag4(&f, 9, evil, 32, 64, true, -1);
	offer(&r, &f, 2);
	assert_int_equal(r.rc, 0);
	assert_true(has_an(&r.last, VG_AN_IPV4_FRAG_OVERLAP));
	frag4(&f, 9, dg, 0, 32, true, -1);
	offer(&r, &f, 3);
	assert_false(has_an(&r.last, VG_AN_IPV4_FRAG_OVERLAP));
	frag4(&f, 9, dg + 128, 128, n - 128, false, -1);
	offer(&r, &f, 4);
	assert_int_equal(r.completed, 1);
	/* First wins: [64,128) is the original; [32,64) came only from the evil one. */
	const uint8_t *pl = r.re.payload; /* datagram offset 8 */
	assert_memory_equal(pl + 56, dg + 64, 64);
	for (int i = 24; i < 56; i++)
		assert_int_equal(pl[i], 0xee);
	struct vg_defrag_counters c;
	vg_defrag_counters(r.d, &c);
	assert_int_equal(c.overlaps, 1);
	assert_int_equal(c.duplicates, 0);
	end_run(&r, 0);

	/* Exact duplicate: counted, flagged, still completes with the right bytes. */
	new_run(&r, NULL);
	frag4(&f, 10, dg, 0, 104, true, -1);
	offer(&r, &f, 1);
	offer(&r, &f, 2);
	assert_true(has_an(&r.last, VG_AN_IPV4_FRAG_OVERLAP));
	frag4(&f, 10, dg + 104, 104, n - 104, false, -1);
	offer(&r, &f, 3);
	assert_int_equal(r.completed, 1);
	check_udp(&r.re);
	vg_defrag_counters(r.d, &c);
	assert_int_equal(c.duplicates, 1);
	end_run(&r, 0);
}

static void test_bad_fragments(void **state)
{
	(void)state;
	uint8_t dg[1024], zeros[64] = { 0 };
	size_t n;
	struct fb f;
	struct run r;
	struct vg_defrag_counters c;
	datagram(dg, &n);

	new_run(&r, NULL);
	/* MF with a length not a multiple of 8. */
	frag4(&f, 1, dg, 0, 60, true, -1);
	offer(&r, &f, 1);
	assert_int_equal(r.rc, VG_EINVAL);
	assert_true(has_an(&r.last, VG_AN_FRAG_INVALID));
	/* Beyond 65535 bytes. */
	frag4(&f, 2, zeros, 65528, 16, false, -1);
	offer(&r, &f, 1);
	assert_int_equal(r.rc, VG_ERANGE);
	assert_true(has_an(&r.last, VG_AN_IPV4_FRAG_TOO_LARGE));
	/* Two different last fragments. */
	frag4(&f, 3, dg + 64, 64, 64, false, -1);
	offer(&r, &f, 1);
	assert_int_equal(r.rc, 0);
	frag4(&f, 3, dg + 128, 128, 64, false, -1);
	offer(&r, &f, 1);
	assert_int_equal(r.rc, VG_EINVAL);
	assert_true(has_an(&r.last, VG_AN_FRAG_INVALID));
	/* Data past the end fixed by the last fragment. */
	frag4(&f, 3, dg + 128, 128, 64, true, -1);
	offer(&r, &f, 1);
	assert_int_equal(r.rc, VG_EINVAL);
	vg_defrag_counters(r.d, &c);
	assert_int_equal(c.invalid, 3);
	assert_int_equal(c.too_large, 1);
	assert_int_equal(c.reassembled, 0);
	end_run(&r, 1);
}

static void test_caps(void **state)
{
	(void)state;
	uint8_t dg[1024];
	size_t n;
	struct fb f;
	struct run r;
	struct vg_defrag_counters c;
	datagram(dg, &n);

	/* Fragments per datagram: 4 allowed, the 5th drops the datagram. */
	struct vg_defrag_config cfg = { .max_frags = 4 };
	new_run(&r, &cfg);
	for (int i = 0; i < 5; i++) {
		frag4(&f, 5, dg + i * 8, (size_t)i * 8, 8, true, -1);
		offer(&r, &f, 1);
		assert_int_equal(r.rc, i < 4 ? 0 : VG_EFULL);
	}
	assert_true(has_an(&r.last, VG_AN_FRAG_TOO_MANY));
	vg_defrag_counters(r.d, &c);
	assert_int_equal(c.too_many, 1);
	end_run(&r, 0);

	/* Trackers: 2 allowed; a third datagram evicts the oldest, which then cannot
	 * complete, while the others can. */
	struct vg_defrag_config cfg2 = { .max_trackers = 2 };
	new_run(&r, &cfg2);
	for (uint16_t id = 1; id <= 3; id++) {
		frag4(&f, id, dg, 0, 64, true, -1);
		offer(&r, &f, id);
		assert_int_equal(r.rc, 0);
		assert_int_equal(has_an(&r.last, VG_AN_FRAG_TRACKERS_FULL), id == 3);
	}
	vg_defrag_counters(r.d, &c);
	assert_int_equal(c.evicted, 1);
	assert_int_equal(c.trackers, 2);
	for (uint16_t id = 3; id >= 1; id--) {
		frag4(&f, id, dg + 64, 64, n - 64, false, -1);
		offer(&r, &f, 10);
		assert_int_equal(r.completed, id == 1 ? 2 : 4 - id);
	}
	/* 3 and 2 completed; 1 was evicted, its second piece waits in a new tracker. */
	end_run(&r, 1);

	/* Memory: a 64 KiB cap cannot hold a fragment at the far end of a datagram. */
	struct vg_defrag_config cfg3 = { .memcap = 64u << 10 };
	new_run(&r, &cfg3);
	uint8_t zeros[64] = { 0 };
	frag4(&f, 6, zeros, 65000, 16, true, -1);
	offer(&r, &f, 1);
	assert_int_equal(r.rc, VG_ENOMEM);
	assert_true(has_an(&r.last, VG_AN_FRAG_MEMCAP));
	vg_defrag_counters(r.d, &c);
	assert_int_equal(c.memcap_drops, 1);
	assert_true(c.memuse <= (64u << 10));
	/* Smaller datagrams still fit, and evict older ones to make room. */
	for (uint16_t id = 100; id < 140; id++) {
		frag4(&f, id, dg, 0, 64, true, -1);
		offer(&r, &f, 2);
		assert_int_equal(r.rc, 0);
	}
	vg_defrag_counters(r.d, &c);
	assert_true(c.memuse <= (64u << 10));
	assert_true(c.evicted > 0);
	end_run(&r, c.trackers);
}

static void test_timeout(void **state)
{
	(void)state;
	uint8_t dg[1024];
	size_t n;
	struct fb f;
	struct run r;
	struct vg_defrag_counters c;
	datagram(dg, &n);

	struct vg_defrag_config cfg = { .timeout_s = 30 };
	new_run(&r, &cfg);
	frag4(&f, 8, dg, 0, 64, true, -1);
	offer(&r, &f, 1000000);
	assert_int_equal(vg_defrag_expire(r.d, 1000000 + 29000000), 0);
	/* The rest, 31 s later: the first piece is gone, nothing completes. */
	frag4(&f, 8, dg + 64, 64, n - 64, false, -1);
	offer(&r, &f, 1000000 + 31000000);
	assert_int_equal(r.completed, 0);
	vg_defrag_counters(r.d, &c);
	assert_int_equal(c.timeouts, 1);
	assert_int_equal(c.trackers, 1);
	assert_int_equal(vg_defrag_expire(r.d, 1000000 + 62000000), 1);
	vg_defrag_counters(r.d, &c);
	assert_int_equal(c.timeouts, 2);
	end_run(&r, 0);
}

static void test_ipv6(void **state)
{
	(void)state;
	uint8_t dg[1024];
	size_t n;
	struct fb f;
	struct run r;
	datagram(dg, &n);

	new_run(&r, NULL);
	for (int k = 1; k >= 0; k--) { /* second piece first */
		size_t off = k ? 104 : 0, len = k ? n - 104 : 104;
		fb_init(&f);
		fb_eth(&f, 0x86dd);
		fb_ipv6(&f, "fd00::1", "fd00::2", 0);
		fb_hex(&f, "2c00 0104 00000000"); /* hop-by-hop → fragment */
		fb_u8(&f, 17);
		fb_u8(&f, 0);
		fb_u16(&f, (unsigned)(off | (k ? 0 : 1)));
		fb_u32(&f, 0xdeadbeef);
		fb_put(&f, dg + off, len);
		fb_end(&f);
		offer(&r, &f, 5);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.last.ip_id, 0xdeadbeef);
	}
	assert_int_equal(r.completed, 1);
	check_udp(&r.re);
	assert_int_equal(r.re.ip_version, 6);
	assert_int_equal(r.re.ip_hlen, 48); /* hop-by-hop kept, fragment header gone */
	assert_int_equal(r.re.l3_len, 48 + n);
	end_run(&r, 0);

	/* IPv6 overlap anomaly. */
	new_run(&r, NULL);
	for (int i = 0; i < 2; i++) {
		fb_init(&f);
		fb_eth(&f, 0x86dd);
		fb_ipv6(&f, "fd00::1", "fd00::2", 44);
		fb_hex(&f, "1100 0001 00000001");
		fb_put(&f, dg, 64);
		fb_end(&f);
		offer(&r, &f, 5);
	}
	assert_true(has_an(&r.last, VG_AN_IPV6_FRAG_OVERLAP));
	end_run(&r, 1);
}

static void test_overlay_context(void **state)
{
	(void)state;
	uint8_t dg[1024];
	size_t n;
	struct fb f;
	struct run r;
	datagram(dg, &n);

	/* Same inner addresses and id in two tenants: two datagrams, vni kept. */
	new_run(&r, NULL);
	frag4(&f, 1, dg, 0, 104, true, 1001);
	offer(&r, &f, 1);
	frag4(&f, 1, dg, 0, 104, true, 1002);
	offer(&r, &f, 1);
	assert_false(has_an(&r.last, VG_AN_IPV4_FRAG_OVERLAP));
	frag4(&f, 1, dg + 104, 104, n - 104, false, 1002);
	offer(&r, &f, 2);
	assert_int_equal(r.completed, 1);
	check_udp(&r.re);
	assert_true(r.re.has_vni);
	assert_int_equal(r.re.vni, 1002);
	assert_int_equal(r.re.overlay, VG_OVERLAY_VXLAN);
	char buf[VG_ADDR_STRLEN];
	assert_string_equal(vg_addr_format(&r.re.outer_src, buf), "10.98.0.1");
	assert_string_equal(vg_addr_format(&r.re.src, buf), "10.1.0.1");
	end_run(&r, 1);
}

/* Random fragment series (overlaps, duplicates, any order) against a byte-level model of
 * the first-wins policy: completion must happen exactly when the model says every byte
 * is there, and the bytes must be the model's. */
static uint32_t rng_state = 12345;
static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % n;
}

static void test_random_first_wins(void **state)
{
	(void)state;
	struct fb f;
	struct run r;
	for (int iter = 0; iter < 400; iter++) {
		uint32_t L = 40 + rnd(600);
		uint32_t full = L / 8 * 8; /* random pieces end at or before this */
		uint8_t model[700], filled[700];
		memset(filled, 0, sizeof(filled));
		bool have_first = false, have_last = false, done = false;
		struct {
			uint32_t s, e;
			bool mf;
		} fr[32];
		unsigned nfr = 0;
		unsigned nrand = rnd(6);
		for (unsigned i = 0; i < nrand && full >= 8; i++) {
			uint32_t s = rnd(full / 8) * 8;
			uint32_t e = s + 8 + rnd((full - s) / 8) * 8;
			fr[nfr].s = s;
			fr[nfr].e = e;
			fr[nfr].mf = true;
			nfr++;
		}
		/* A cover of [0, L) in 32-byte pieces, shuffled in among the random ones. */
		for (uint32_t s = 0; s < L; s += 32) {
			uint32_t e = s + 32 < L ? s + 32 : L;
			unsigned at = rnd(nfr + 1);
			memmove(&fr[at + 1], &fr[at], (nfr - at) * sizeof(fr[0]));
			fr[at].s = s;
			fr[at].e = e;
			fr[at].mf = e != L;
			nfr++;
		}
		new_run(&r, NULL);
		for (unsigned i = 0; i < nfr && !done; i++) {
			uint8_t data[700];
			for (uint32_t k = fr[i].s; k < fr[i].e; k++)
				data[k - fr[i].s] = (uint8_t)rnd(256);
			fb_init(&f);
			fb_eth(&f, 0x0800);
			fb_ipv4(&f, "10.1.0.1", "10.1.0.2", 253);
			fb_put(&f, data, fr[i].e - fr[i].s);
			fb_end(&f);
			uint16_t fo = (uint16_t)(fr[i].s / 8 | (fr[i].mf ? 0x2000 : 0));
			f.b[14 + 6] = (uint8_t)(fo >> 8);
			f.b[14 + 7] = (uint8_t)fo;
			offer(&r, &f, 1);
			assert_int_equal(r.rc, 0);
			for (uint32_t k = fr[i].s; k < fr[i].e; k++)
				if (!filled[k]) {
					filled[k] = 1;
					model[k] = data[k - fr[i].s];
				}
			have_first |= fr[i].s == 0;
			have_last |= !fr[i].mf;
			bool all = have_first && have_last;
			for (uint32_t k = 0; k < L && all; k++)
				all = filled[k];
			if (all != (r.completed == 1))
				fail_msg("iteration %d, fragment %u: model complete %d, defrag %d", iter, i,
					 all, r.completed);
			done = all;
		}
		assert_true(done);
		assert_int_equal(r.re.l3_len, 20 + L);
		assert_memory_equal(r.re.l3 + 20, model, L);
		end_run(&r, 0);
	}
}

static void test_not_fragment(void **state)
{
	(void)state;
	struct fb f;
	struct vg_packet p;
	struct vg_defrag *d;
	const uint8_t *dg = (const uint8_t *)"x";
	size_t len = 1;
	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, "10.0.0.1", "10.0.0.2", 17);
	fb_udp(&f, 1, 2);
	fb_end(&f);
	assert_int_equal(vg_defrag_new(NULL, &d), 0);
	vg_decode_packet(VG_LINK_ETHERNET, f.b, f.n, 0, &p);
	assert_int_equal(vg_defrag_packet(d, &p, 0, &dg, &len), 0);
	assert_null(dg);
	assert_int_equal(len, 0);
	vg_defrag_free(d);
	vg_defrag_free(NULL);
	struct vg_defrag_counters c;
	vg_defrag_counters(NULL, &c);
	assert_int_equal(c.fragments, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_and_reverse),
		cmocka_unit_test(test_overlap_first_wins),
		cmocka_unit_test(test_bad_fragments),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_overlay_context),
		cmocka_unit_test(test_random_first_wins),
		cmocka_unit_test(test_not_fragment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
