/* Framing parser (RFC 6587): a table of byte streams, each fed whole, split at every
 * position into two chunks, and fed one byte at a time; every way must give the same
 * messages, flags and counters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-error.h"
#include "core/limits.h"
#include "logs/logs-frame.h"

#define MAXMSG 16

struct result {
	char out[4096]; /* messages joined as "[text|flags]" */
	size_t olen;
	struct vg_frame_stats st;
};

static void add_msg(struct result *r, const struct vg_frame_msg *m)
{
	int n = snprintf(r->out + r->olen, sizeof(r->out) - r->olen, "[%.*s|%u]", (int)m->len,
			 m->p, m->flags);
	assert_true(n > 0 && (size_t)n < sizeof(r->out) - r->olen);
	r->olen += (size_t)n;
}

/* Feed the stream to a framer in chunks whose ends are in cuts[] (ascending), through a
 * buffer bounded like a receiver's, the same way a receiver does. */
static void run(const char *s, size_t len, enum vg_frame_mode mode, size_t max_msg,
		const size_t *cuts, size_t ncuts, struct result *r)
{
	memset(r, 0, sizeof(*r));
	struct vg_frame f;
	vg_frame_init(&f, mode, max_msg);
	size_t cap = vg_frame_bufsize(&f);
	char *buf = malloc(cap);
	assert_non_null(buf);
	size_t blen = 0, fed = 0, ci = 0;
	for (;;) {
		size_t upto = ci < ncuts ? cuts[ci] : len;
		bool eof = fed == len;
		/* fill as much as the buffer takes from the current chunk */
		size_t n = upto - fed;
		if (n > cap - blen)
			n = cap - blen;
		memcpy(buf + blen, s + fed, n);
		blen += n;
		fed += n;
		if (fed == upto && ci < ncuts)
			ci++;
		eof = fed == len;
		for (;;) {
			struct vg_frame_msg m;
			size_t used;
			int rc = vg_frame_next(&f, buf, blen, eof, &m, &used);
			assert_true(used <= blen);
			if (rc == VG_OK)
				add_msg(r, &m);
			else
				assert_int_equal(rc, VG_EAGAIN);
			memmove(buf, buf + used, blen - used);
			blen -= used;
			if (rc != VG_OK && (used == 0 || blen == 0))
				break;
		}
		if (eof) {
			assert_int_equal(blen, 0);
			break;
		}
		/* a buffer that is full without a message would be a framer bug */
		assert_true(blen < cap);
	}
	r->st = f.st;
	free(buf);
}

static const struct {
	const char *in;
	size_t len; /* 0 → strlen */
	enum vg_frame_mode mode;
	const char *want;
	uint64_t truncated, bad_header, incomplete;
} cases[] = {
	/* trailer framing: LF, CRLF, NUL, blank lines, last line without trailer */
	{ "<13>a\n<14>b\r\n<15>c", 0, VG_FRAME_AUTO, "[<13>a|0][<14>b|0][<15>c|0]", 0, 0, 0 },
	{ "one\0two\0\n\nthree\n", 17, VG_FRAME_AUTO, "[one|0][two|0][three|0]", 0, 0, 0 },
	{ "\n\r\n\n", 0, VG_FRAME_TRAILER, "", 0, 0, 0 },
	/* exactly MAXMSG bytes is not truncated, with LF or CRLF */
	{ "0123456789abcdef\nx\n", 0, VG_FRAME_TRAILER, "[0123456789abcdef|0][x|0]", 0, 0, 0 },
	{ "0123456789abcdef\r\nx\n", 0, VG_FRAME_TRAILER, "[0123456789abcdef|0][x|0]", 0, 0, 0 },
	/* longer: truncated, counted, next line intact */
	{ "0123456789abcdefg\nx\n", 0, VG_FRAME_TRAILER, "[0123456789abcdef|1][x|0]", 1, 0, 0 },
	{ "x123456789abcdefghijklmnopqrstuvwxyz0123456789\nnext\n", 0, VG_FRAME_AUTO,
	  "[x123456789abcdef|1][next|0]", 1, 0, 0 },
	{ "<1>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0, VG_FRAME_AUTO,
	  "[<1>aaaaaaaaaaaaa|1]", 1, 0, 0 },
	/* octet counting */
	{ "5 <1>ab3 xyz", 0, VG_FRAME_AUTO, "[<1>ab|0][xyz|0]", 0, 0, 0 },
	{ "5 <1>ab\n3 xyz\n", 0, VG_FRAME_AUTO, "[<1>ab|0][xyz|0]", 0, 0, 0 },
	{ "4 ab\n\n2 cd", 0, VG_FRAME_OCTET, "[ab|0][cd|0]", 0, 0, 0 },
	{ "16 0123456789abcdef1 z", 0, VG_FRAME_AUTO, "[0123456789abcdef|0][z|0]", 0, 0, 0 },
	{ "20 0123456789abcdefghij2 ok", 0, VG_FRAME_AUTO, "[0123456789abcdef|1][ok|0]", 1, 0, 0 },
	{ "100 short", 0, VG_FRAME_AUTO, "", 0, 0, 1 },
	/* bad headers: taken up to the next trailer, then octet counting again */
	{ "3 abcx1y bad\n2 ok", 0, VG_FRAME_OCTET, "[abc|0][x1y bad|2][ok|0]", 0, 1, 0 },
	{ "05 hello\n3 abc", 0, VG_FRAME_OCTET, "[05 hello|2][abc|0]", 0, 1, 0 },
	{ "1234567890 x\n1 y", 0, VG_FRAME_OCTET, "[1234567890 x|2][y|0]", 0, 1, 0 },
	{ "2026-11-22T23:59:27 vm sshd: x\n", 0, VG_FRAME_AUTO,
	  "[2026-11-22T23:59|3]", 1, 1, 0 },
	{ "12", 0, VG_FRAME_OCTET, "[12|2]", 0, 1, 0 },
	/* a huge declared length is skipped by count, the next frame is intact */
	{ "999999999 abc", 0, VG_FRAME_OCTET, "", 0, 0, 1 },
};

static void check_case(size_t i, const char *in, size_t len, const struct result *want_r)
{
	(void)in;
	(void)len;
	if (strcmp(want_r->out, cases[i].want) != 0)
		fail_msg("case %zu: got %s want %s", i, want_r->out, cases[i].want);
	assert_int_equal(want_r->st.truncated, cases[i].truncated);
	assert_int_equal(want_r->st.bad_header, cases[i].bad_header);
	assert_int_equal(want_r->st.incomplete, cases[i].incomplete);
}

static void test_table_whole_and_split(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *in = cases[i].in;
		size_t len = cases[i].len ? cases[i].len : strlen(in);
		struct result whole, split;
		run(in, len, cases[i].mode, MAXMSG, NULL, 0, &whole);
		check_case(i, in, len, &whole);
		for (size_t cut = 0; cut <= len; cut++) {
			run(in, len, cases[i].mode, MAXMSG, &cut, 1, &split);
			if (strcmp(split.out, whole.out) != 0)
				fail_msg("case %zu cut %zu: got %s want %s", i, cut, split.out, whole.out);
			assert_memory_equal(&split.st, &whole.st, sizeof(split.st));
		}
		size_t *cuts = malloc((len + 1) * sizeof(*cuts));
		assert_non_null(cuts);
		for (size_t k = 0; k <= len; k++)
			cuts[k] = k;
		run(in, len, cases[i].mode, MAXMSG, cuts, len + 1, &split);
		free(cuts);
		if (strcmp(split.out, whole.out) != 0)
			fail_msg("case %zu bytewise: got %s want %s", i, split.out, whole.out);
		assert_memory_equal(&split.st, &whole.st, sizeof(split.st));
	}
}

/* Real lab lines, octet-framed and LF-framed, at the real VG_MAX_LINE bound, plus one
 * line of 3 * VG_MAX_LINE in the middle: it is truncated to VG_MAX_LINE, the rest intact. */
static void test_real_lines_and_long(void **state)
{
	(void)state;
	const char *lines[] = {
		"<38>1 2026-11-22T23:59:28.108712+00:00 vm sshd 18116 - - Failed password for root from 10.99.0.1 port 50346 ssh2",
		"Nov 22 23:59:28 vm sshd[18120]: Invalid user admin from 10.99.0.1 port 50352",
		NULL, /* the long one */
		"<35>1 2026-11-22T23:59:28.344094+00:00 vm sshd 18120 - - error: Could not get shadow information for NOUSER",
	};
	size_t longlen = 3 * (size_t)VG_MAX_LINE;
	char *longl = malloc(longlen + 1);
	assert_non_null(longl);
	for (size_t k = 0; k < longlen; k++)
		longl[k] = (char)('a' + k % 26);
	longl[longlen] = 0;
	lines[2] = longl;
	for (int octet = 0; octet < 2; octet++) {
		char *stream = malloc(4 * longlen);
		assert_non_null(stream);
		size_t sl = 0;
		for (size_t k = 0; k < 4; k++) {
			size_t l = strlen(lines[k]);
			if (octet)
				sl += (size_t)snprintf(stream + sl, 32, "%zu ", l);
			memcpy(stream + sl, lines[k], l);
			sl += l;
			if (!octet)
				stream[sl++] = '\n';
		}
		/* feed in 1000-byte chunks */
		struct vg_frame f;
		vg_frame_init(&f, VG_FRAME_AUTO, 0);
		size_t cap = vg_frame_bufsize(&f);
		char *buf = malloc(cap);
		assert_non_null(buf);
		size_t blen = 0, fed = 0, got = 0;
		while (fed < sl || blen > 0) {
			size_t n = sl - fed < 1000 ? sl - fed : 1000;
			if (n > cap - blen)
				n = cap - blen;
			memcpy(buf + blen, stream + fed, n);
			blen += n;
			fed += n;
			for (;;) {
				struct vg_frame_msg m;
				size_t used;
				int rc = vg_frame_next(&f, buf, blen, fed == sl, &m, &used);
				if (rc == VG_OK) {
					assert_true(got < 4);
					size_t want = strlen(lines[got]);
					if (want > VG_MAX_LINE) {
						assert_int_equal(m.len, VG_MAX_LINE);
						assert_int_equal(m.flags, VG_FRAME_F_TRUNCATED);
					} else {
						assert_int_equal(m.len, want);
						assert_int_equal(m.flags, 0);
					}
					assert_memory_equal(m.p, lines[got], m.len);
					got++;
				}
				memmove(buf, buf + used, blen - used);
				blen -= used;
				if (rc != VG_OK && (used == 0 || blen == 0))
					break;
			}
			if (fed == sl && blen == 0)
				break;
		}
		assert_int_equal(got, 4);
		assert_int_equal(f.st.truncated, 1);
		assert_int_equal(f.st.skipped_bytes, longlen - VG_MAX_LINE);
		free(buf);
		free(stream);
	}
	free(longl);
}

static void test_datagram(void **state)
{
	(void)state;
	struct vg_frame_msg m;
	assert_int_equal(vg_frame_datagram("<13>hi\r\n", 8, 0, &m), VG_OK);
	assert_int_equal(m.len, 6);
	assert_int_equal(m.flags, 0);
	assert_int_equal(vg_frame_datagram("\n\0", 2, 0, &m), VG_EAGAIN);
	assert_int_equal(vg_frame_datagram("abcdef", 6, 4, &m), VG_OK);
	assert_int_equal(m.len, 4);
	assert_int_equal(m.flags, VG_FRAME_F_TRUNCATED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_whole_and_split),
		cmocka_unit_test(test_real_lines_and_long),
		cmocka_unit_test(test_datagram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
