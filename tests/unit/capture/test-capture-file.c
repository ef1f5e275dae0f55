/* Offline capture: the lab captures read completely (counts from `tcpdump -r FILE | wc -l`),
 * pcapng and nanosecond pcap read the same packets as the original, several files in
 * order with a missing, a truncated and a non-pcap file in between (each named in an
 * error with its packet count, the run continues), BPF filters on files, and reading
 * several frames per call (vg_capture_dispatch) giving exactly what vg_capture_next gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture/capture.h"
#include "core/core-error.h"

static char shared[1024], src[1024];

static const char *lab(const char *name)
{
	static char buf[4][1200];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/data/lab/pcap/%s", shared, name);
	return buf[i];
}

static const char *fixture(const char *name)
{
	static char buf[4][1200];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/tests/unit/capture/data/%s", src, name);
	return buf[i];
}

/* Read everything; returns the packet count, fails the test on an error. */
static uint64_t count_all(struct vg_capture *cap, int64_t *first_ts, int64_t *last_ts)
{
	uint64_t n = 0;
	int64_t ts, prev = 0;
	const uint8_t *d;
	uint32_t cl, wl;
	int rc;
	while ((rc = vg_capture_next(cap, &ts, &d, &cl, &wl)) == 1) {
		assert_non_null(d);
		assert_true(cl > 0 && cl <= wl);
		assert_true(ts >= prev); /* tcpdump wrote these in order */
		if (n == 0 && first_ts)
			*first_ts = ts;
		prev = ts;
		n++;
	}
	if (rc < 0)
		fail_msg("unexpected error: %s", vg_capture_error(cap));
	if (last_ts)
		*last_ts = prev;
	return n;
}

static void test_lab_counts(void **state)
{
	(void)state;
	/* Computed once with `tcpdump -r FILE 2>/dev/null | wc -l` and checked against
	 * scapy's RawPcapReader record count; tenants-vxlan.pcap is the exception: tcpdump
	 * prints each VXLAN packet's inner frame on a second line (1939 lines), the file
	 * holds 970 records. */
	static const struct { const char *f; uint64_t n; } tab[] = {
		{ "benign.pcap", 470 }, { "flood-icmp.pcap", 40000 }, { "flood-syn.pcap", 20009 },
		{ "flood-udp.pcap", 20008 }, { "http-attacks.pcap", 350 }, { "scan-connect.pcap", 409 },
		{ "scan-fin.pcap", 604 }, { "scan-ipv6.pcap", 1006 }, { "scan-null.pcap", 602 },
		{ "scan-syn.pcap", 2055 }, { "scan-udp.pcap", 151 }, { "scan-xmas.pcap", 606 },
		{ "ssh-bruteforce.pcap", 216 }, { "sweep-horizontal.pcap", 56 },
		{ "tenants-vxlan.pcap", 970 },
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		struct vg_capture *cap = NULL;
		char err[VG_CAPTURE_ERRLEN];
		int rc = vg_capture_open_file(lab(tab[i].f), &cap, err);
		if (rc)
			fail_msg("%s: %s", tab[i].f, err);
		assert_int_equal(vg_capture_linktype(cap), 1);
		assert_string_equal(vg_capture_linktype_name(1), "EN10MB");
		uint64_t n = count_all(cap, NULL, NULL);
		if (n != tab[i].n)
			fail_msg("%s: %llu packets, expected %llu", tab[i].f, (unsigned long long)n,
				 (unsigned long long)tab[i].n);
		struct vg_capture_stats st;
		assert_int_equal(vg_capture_stats(cap, &st), 0);
		assert_int_equal(st.packets, tab[i].n);
		assert_int_equal(st.files_done, 1);
		assert_int_equal(st.files_failed, 0);
		/* After the end: still 0, no error. */
		int64_t ts;
		const uint8_t *d;
		uint32_t cl, wl;
		assert_int_equal(vg_capture_next(cap, &ts, &d, &cl, &wl), 0);
		assert_int_equal(vg_capture_fd(cap), -1);
		vg_capture_close(cap);
	}
	vg_capture_close(NULL);
}

/* pcapng and nanosecond pcap (written by scapy from scan-udp.pcap) give the same packets
 * with the same microsecond timestamps and bytes. */
static void test_pcapng_and_nanosecond(void **state)
{
	(void)state;
	const char *files[] = { fixture("scan-udp.pcapng"), fixture("scan-udp-ns.pcap") };
	for (size_t k = 0; k < 2; k++) {
		struct vg_capture *a = NULL, *b = NULL;
		char err[VG_CAPTURE_ERRLEN];
		assert_int_equal(vg_capture_open_file(lab("scan-udp.pcap"), &a, err), 0);
		if (vg_capture_open_file(files[k], &b, err))
			fail_msg("%s", err);
		assert_int_equal(vg_capture_linktype(b), 1);
		uint64_t n = 0;
		for (;;) {
			int64_t ta, tb;
			const uint8_t *da, *db;
			uint32_t ca, cb, wa, wb;
			int ra = vg_capture_next(a, &ta, &da, &ca, &wa);
			int rb = vg_capture_next(b, &tb, &db, &cb, &wb);
			assert_int_equal(ra, rb);
			if (ra != 1)
				break;
			assert_true(ta == tb);
			assert_int_equal(ca, cb);
			assert_int_equal(wa, wb);
			assert_memory_equal(da, db, ca);
			n++;
		}
		assert_int_equal(n, 151);
		vg_capture_close(a);
		vg_capture_close(b);
	}
}

/* Write the first `cut` bytes of `from` to a temp file; returns its path (static). */
static const char *cut_copy(const char *from, long cut, const char *tag)
{
	static char path[2][256];
	static int i;
	i = (i + 1) % 2;
	snprintf(path[i], sizeof(path[i]), "/tmp/vg-capture-test-%s-%d.pcap", tag, (int)getpid());
	FILE *in = fopen(from, "rb");
	assert_non_null(in);
	FILE *out = fopen(path[i], "wb");
	assert_non_null(out);
	char buf[4096];
	long left = cut;
	while (left > 0) {
		size_t want = left < (long)sizeof(buf) ? (size_t)left : sizeof(buf);
		size_t got = fread(buf, 1, want, in);
		assert_true(got > 0);
		assert_int_equal(fwrite(buf, 1, got, out), got);
		left -= (long)got;
	}
	fclose(in);
	fclose(out);
	return path[i];
}

/* Offset of record `k` (0-based) in a classic pcap file, walking record headers. */
static long record_offset(const char *path, int k)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	long off = 24;
	for (int i = 0; i < k; i++) {
		uint8_t h[16];
		assert_int_equal(fseek(f, off, SEEK_SET), 0);
		assert_int_equal(fread(h, 1, 16, f), 16);
		uint32_t incl = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 |
				(uint32_t)h[11] << 24; /* little-endian files (checked by `file`) */
		off += 16 + (long)incl;
	}
	fclose(f);
	return off;
}

static void test_several_files_with_bad_ones(void **state)
{
	(void)state;
	/* benign.pcap cut in the middle of record 100's data: 100 packets come through. */
	long r100 = record_offset(lab("benign.pcap"), 100);
	const char *trunc = cut_copy(lab("benign.pcap"), r100 + 16 + 10, "trunc");
	/* ... and one cut inside a record header, after 7 packets. */
	long r7 = record_offset(lab("benign.pcap"), 7);
	const char *trunc_hdr = cut_copy(lab("benign.pcap"), r7 + 5, "trunchdr");
	char missing[256];
	snprintf(missing, sizeof(missing), "/tmp/vg-capture-test-missing-%d.pcap", (int)getpid());
	char readme[1200];
	snprintf(readme, sizeof(readme), "%s/data/lab/README.md", shared);

	const char *paths[] = { lab("sweep-horizontal.pcap"), missing, trunc, readme,
				trunc_hdr, fixture("scan-udp.pcapng"), lab("scan-udp.pcap") };
	struct vg_capture *cap = NULL;
	char err[VG_CAPTURE_ERRLEN];
	assert_int_equal(vg_capture_open_files(paths, 7, &cap, err), 0);

	uint64_t per_file[7] = { 0 };
	int errors[7] = { 0 };
	char msgs[7][VG_CAPTURE_ERRLEN];
	memset(msgs, 0, sizeof(msgs));
	int linktypes[7];
	for (int i = 0; i < 7; i++)
		linktypes[i] = -2;
	for (;;) {
		int64_t ts;
		const uint8_t *d;
		uint32_t cl, wl;
		size_t before = vg_capture_file_index(cap);
		int rc = vg_capture_next(cap, &ts, &d, &cl, &wl);
		if (rc == 0)
			break;
		if (rc < 0) {
			/* The error belongs to the file that was being read or opened. */
			size_t idx = before;
			while (idx < 7 && errors[idx])
				idx++;
			for (size_t j = before; j < 7; j++)
				if (!errors[j] && strstr(vg_capture_error(cap), paths[j])) {
					idx = j;
					break;
				}
			assert_true(idx < 7);
			errors[idx] = rc;
			snprintf(msgs[idx], sizeof(msgs[idx]), "%s", vg_capture_error(cap));
			continue;
		}
		size_t idx = vg_capture_file_index(cap);
		assert_true(idx < 7);
		per_file[idx]++;
		linktypes[idx] = vg_capture_linktype(cap);
		assert_string_equal(vg_capture_source_name(cap), paths[idx]);
	}
	assert_int_equal(per_file[0], 56);
	assert_int_equal(errors[0], 0);
	assert_int_equal(linktypes[0], 1);

	assert_int_equal(per_file[1], 0);
	assert_int_equal(errors[1], VG_ENOENT);
	assert_non_null(strstr(msgs[1], missing));
	assert_non_null(strstr(msgs[1], "0 packets"));

	assert_int_equal(per_file[2], 100);
	assert_int_equal(errors[2], VG_ETRUNC);
	assert_non_null(strstr(msgs[2], trunc));
	assert_non_null(strstr(msgs[2], "after 100 packets"));

	assert_int_equal(per_file[3], 0);
	assert_int_equal(errors[3], VG_EINVAL);
	assert_non_null(strstr(msgs[3], "README.md"));

	assert_int_equal(per_file[4], 7);
	assert_true(errors[4] < 0);
	assert_non_null(strstr(msgs[4], trunc_hdr));
	assert_non_null(strstr(msgs[4], "after 7 packets"));

	assert_int_equal(per_file[5], 151);
	assert_int_equal(errors[5], 0);
	assert_int_equal(per_file[6], 151);
	assert_int_equal(errors[6], 0);
	assert_int_equal(linktypes[6], 1);

	struct vg_capture_stats st;
	assert_int_equal(vg_capture_stats(cap, &st), 0);
	assert_int_equal(st.packets, 56 + 100 + 7 + 151 + 151);
	assert_int_equal(st.files_done, 3);
	assert_int_equal(st.files_failed, 4);
	vg_capture_close(cap);
	unlink(trunc);
	unlink(trunc_hdr);
}

static void test_open_errors(void **state)
{
	(void)state;
	struct vg_capture *cap = (void *)1;
	char err[VG_CAPTURE_ERRLEN];
	assert_int_equal(vg_capture_open_file("/nonexistent/x.pcap", &cap, err), VG_ENOENT);
	assert_null(cap);
	assert_non_null(strstr(err, "/nonexistent/x.pcap"));

	char readme[1200];
	snprintf(readme, sizeof(readme), "%s/data/lab/README.md", shared);
	assert_int_equal(vg_capture_open_file(readme, &cap, err), VG_EINVAL);
	assert_null(cap);
	assert_non_null(strstr(err, readme));

	/* Shorter than the file header. */
	const char *tiny = cut_copy(lab("benign.pcap"), 10, "tiny");
	assert_int_equal(vg_capture_open_file(tiny, &cap, err), VG_EINVAL);
	assert_non_null(strstr(err, tiny));
	unlink(tiny);

	/* Header only: a valid, empty capture. */
	const char *empty = cut_copy(lab("benign.pcap"), 24, "empty");
	assert_int_equal(vg_capture_open_file(empty, &cap, err), 0);
	assert_int_equal(count_all(cap, NULL, NULL), 0);
	vg_capture_close(cap);
	unlink(empty);

	assert_int_equal(vg_capture_open_files(NULL, 0, &cap, err), VG_EINVAL);
	assert_null(cap);
}

static void test_file_filter(void **state)
{
	(void)state;
	struct vg_capture *cap = NULL;
	char err[VG_CAPTURE_ERRLEN];
	assert_int_equal(vg_capture_open_file(lab("scan-udp.pcap"), &cap, err), 0);
	assert_int_equal(vg_capture_set_filter(cap, "udp and dst host 10.99.0.2"), 0);
	uint64_t udp = count_all(cap, NULL, NULL);
	vg_capture_close(cap);
	/* tcpdump -r scan-udp.pcap 'udp and dst host 10.99.0.2' | wc -l */
	assert_int_equal(udp, 134);

	assert_int_equal(vg_capture_open_file(lab("scan-udp.pcap"), &cap, err), 0);
	assert_int_equal(vg_capture_set_filter(cap, "udp and bogus-keyword"), VG_EINVAL);
	assert_non_null(strstr(vg_capture_error(cap), "udp and bogus-keyword"));
	/* The failed filter did not replace "no filter". */
	assert_int_equal(count_all(cap, NULL, NULL), 151);
	vg_capture_close(cap);
}

/* ---- vg_capture_dispatch: the same as vg_capture_next --------------------------- */

/* What a reader sees, in order: frames (file index, link type, time, lengths, a digest of
 * the data) and errors (code and message). */
struct seen {
	char *text;
	size_t len, cap;
};

static void seen_add(struct seen *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void seen_add(struct seen *s, const char *fmt, ...)
{
	char line[VG_CAPTURE_ERRLEN + 128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(line));
	if (s->len + (size_t)n + 1 > s->cap) {
		s->cap = (s->cap + (size_t)n + 1) * 2;
		s->text = realloc(s->text, s->cap);
		assert_non_null(s->text);
	}
	memcpy(s->text + s->len, line, (size_t)n + 1);
	s->len += (size_t)n;
}

static uint32_t digest(const uint8_t *d, uint32_t n)
{
	uint32_t h = 2166136261u;
	for (uint32_t i = 0; i < n; i++)
		h = (h ^ d[i]) * 16777619u;
	return h;
}

static void seen_frame(struct seen *s, struct vg_capture *cap, int64_t ts, const uint8_t *d,
		       uint32_t cl, uint32_t wl)
{
	seen_add(s, "frame %zu %d %lld %u %u %08x\n", vg_capture_file_index(cap),
		 vg_capture_linktype(cap), (long long)ts, cl, wl, digest(d, cl));
}

struct dispatch_state {
	struct vg_capture *cap;
	struct seen *seen;
	unsigned calls, stop_every; /* stop after every stop_every-th frame (0: never) */
};

static int on_frame(void *ctx, int64_t ts, const uint8_t *d, uint32_t cl, uint32_t wl)
{
	struct dispatch_state *ds = ctx;
	seen_frame(ds->seen, ds->cap, ts, d, cl, wl);
	ds->calls++;
	return ds->stop_every && ds->calls % ds->stop_every == 0;
}

static void read_all(const char *const *paths, size_t n, const char *bpf, unsigned max,
		     unsigned stop_every, struct seen *s, struct vg_capture_stats *st)
{
	struct vg_capture *cap = NULL;
	char err[VG_CAPTURE_ERRLEN];
	assert_int_equal(vg_capture_open_files(paths, n, &cap, err), 0);
	if (bpf)
		assert_int_equal(vg_capture_set_filter(cap, bpf), 0);
	struct dispatch_state ds = { cap, s, 0, stop_every };
	for (;;) {
		int rc;
		if (max == 0) { /* vg_capture_next */
			int64_t ts;
			const uint8_t *d;
			uint32_t cl, wl;
			rc = vg_capture_next(cap, &ts, &d, &cl, &wl);
			if (rc == 1)
				seen_frame(s, cap, ts, d, cl, wl);
		} else {
			rc = vg_capture_dispatch(cap, max, on_frame, &ds);
			assert_true(rc <= (int)max);
		}
		if (rc == 0)
			break;
		if (rc < 0)
			seen_add(s, "error %d %s\n", rc, vg_capture_error(cap));
	}
	assert_int_equal(vg_capture_stats(cap, st), 0);
	vg_capture_close(cap);
}

static void test_dispatch_same_as_next(void **state)
{
	(void)state;
	long r100 = record_offset(lab("benign.pcap"), 100);
	const char *trunc = cut_copy(lab("benign.pcap"), r100 + 16 + 10, "dtrunc");
	long r7 = record_offset(lab("benign.pcap"), 7);
	const char *trunc_hdr = cut_copy(lab("benign.pcap"), r7 + 5, "dtrunchdr");
	const char *empty = cut_copy(lab("benign.pcap"), 24, "dempty");
	char missing[256];
	snprintf(missing, sizeof(missing), "/tmp/vg-capture-test-missing-%d.pcap", (int)getpid());
	char readme[1200];
	snprintf(readme, sizeof(readme), "%s/data/lab/README.md", shared);
	const char *paths[] = { lab("sweep-horizontal.pcap"), missing, trunc, empty, readme,
				trunc_hdr, fixture("scan-udp.pcapng"), lab("scan-udp.pcap"),
				lab("tenants-vxlan.pcap") };
	size_t n = sizeof(paths) / sizeof(paths[0]);
	static const unsigned max[] = { 1, 3, 16, 128, 100000 };
	static const unsigned stop[] = { 0, 1, 5, 0, 7 };
	for (int f = 0; f < 2; f++) {
		const char *bpf = f ? "udp or icmp" : NULL;
		struct seen ref = { 0 };
		struct vg_capture_stats rst;
		read_all(paths, n, bpf, 0, 0, &ref, &rst);
		assert_true(rst.packets > 300);
		assert_non_null(strstr(ref.text, "error"));
		for (size_t i = 0; i < sizeof(max) / sizeof(max[0]); i++) {
			struct seen got = { 0 };
			struct vg_capture_stats gst;
			read_all(paths, n, bpf, max[i], stop[i], &got, &gst);
			assert_string_equal(got.text, ref.text);
			assert_int_equal(gst.packets, rst.packets);
			assert_int_equal(gst.bytes, rst.bytes);
			assert_int_equal(gst.files_done, rst.files_done);
			assert_int_equal(gst.files_failed, rst.files_failed);
			free(got.text);
		}
		free(ref.text);
	}
	unlink(trunc);
	unlink(trunc_hdr);
	unlink(empty);
}

int main(void)
{
	const char *s = getenv("VIGIL_SHARED");
	const char *r = getenv("VIGIL_SRC");
	snprintf(shared, sizeof(shared), "%s", s ? s : "/work/shared");
	snprintf(src, sizeof(src), "%s", r ? r : ".");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_counts),
		cmocka_unit_test(test_pcapng_and_nanosecond),
		cmocka_unit_test(test_several_files_with_bad_ones),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_file_filter),
		cmocka_unit_test(test_dispatch_same_as_next),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
