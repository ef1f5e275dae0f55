/* multipart/form-data uploads (RFC 7578 / RFC 2046 5.1): the file parts of a request
 * body, as Suricata's file.data sees uploads. The pure splitter on a table of bodies
 * (files and fields, quoted boundary, preamble, no part headers, cut-off body, too many
 * files, bad types), then through the parser split at every offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/app.h"
#include "core/core-error.h"

#define CT "multipart/form-data; boundary=----XyZ"

static const char BODY[] =
	"------XyZ\r\n"
	"Content-Disposition: form-data; name=\"comment\"\r\n"
	"\r\n"
	"FIELDVALUE\r\n"
	"------XyZ\r\n"
	"Content-Disposition: form-data; name=\"up\"; filename=\"a.exe\"\r\n"
	"Content-Type: application/octet-stream\r\n"
	"\r\n"
	"MZ\x90\x00" "FILE-ONE\r\n--not-the-boundary\r\n"
	"------XyZ\r\n"
	"content-disposition: form-data; name=\"up2\"; FILENAME=\"b.txt\"\r\n"
	"\r\n"
	"FILE-TWO\r\n"
	"------XyZ--\r\n"
	"epilogue FILE-THREE\r\n";

static struct vg_str S(const char *s)
{
	return vg_str_make(s, strlen(s));
}

/* Offset of w in BODY (which holds a NUL, so no strstr). */
static size_t body_at(const char *w)
{
	size_t n = sizeof(BODY) - 1, wl = strlen(w);
	for (size_t i = 0; i + wl <= n; i++)
		if (memcmp(BODY + i, w, wl) == 0)
			return i;
	fail();
	return 0;
}

static void expect_file(const char *body, const struct vg_http_file_ref *f, const char *want, size_t wlen)
{
	assert_int_equal(f->len, wlen);
	assert_memory_equal(body + f->off, want, wlen);
}

static void test_splitter(void **state)
{
	(void)state;
	struct vg_http_file_ref f[VG_HTTP_MAX_FILES];
	uint32_t drop = 99;
	size_t n = sizeof(BODY) - 1;
	assert_int_equal(vg_http_multipart_files(S(CT), (const uint8_t *)BODY, n, f, VG_HTTP_MAX_FILES, &drop), 2);
	assert_int_equal(drop, 0);
	expect_file(BODY, &f[0], "MZ\x90\x00" "FILE-ONE\r\n--not-the-boundary", 32);
	expect_file(BODY, &f[1], "FILE-TWO", 8);

	/* quoted boundary, other parameters around it, upper-case type */
	assert_int_equal(vg_http_multipart_files(S("Multipart/Form-Data; charset=x; boundary=\"----XyZ\"; a=b"),
						 (const uint8_t *)BODY, n, f, VG_HTTP_MAX_FILES, NULL), 2);
	/* a preamble before the first delimiter */
	char pre[sizeof(BODY) + 32];
	size_t pl = strlen("preamble text\r\n");
	memcpy(pre, "preamble text\r\n", pl);
	memcpy(pre + pl, BODY, n); /* BODY holds a NUL: no string functions */
	pl += n;
	assert_int_equal(vg_http_multipart_files(S(CT), (const uint8_t *)pre, pl, f, VG_HTTP_MAX_FILES, NULL), 2);
	expect_file(pre, &f[1], "FILE-TWO", 8);
	/* at most max files: the rest counted */
	assert_int_equal(vg_http_multipart_files(S(CT), (const uint8_t *)BODY, n, f, 1, &drop), 1);
	assert_int_equal(drop, 1);
	expect_file(BODY, &f[0], "MZ\x90\x00" "FILE-ONE\r\n--not-the-boundary", 32);
	/* cut inside the second file: it runs to the end of what is there */
	size_t cut = body_at("FILE-TWO") + 4;
	assert_int_equal(vg_http_multipart_files(S(CT), (const uint8_t *)BODY, cut, f, VG_HTTP_MAX_FILES, NULL), 2);
	expect_file(BODY, &f[1], "FILE", 4);
	/* cut inside the part headers of the second file: only the first */
	cut = body_at("FILENAME");
	assert_int_equal(vg_http_multipart_files(S(CT), (const uint8_t *)BODY, cut, f, VG_HTTP_MAX_FILES, NULL), 1);
	/* every prefix: never more than 2, never a range outside the prefix */
	for (size_t k = 0; k <= n; k++) {
		int r = vg_http_multipart_files(S(CT), (const uint8_t *)BODY, k, f, VG_HTTP_MAX_FILES, NULL);
		assert_true(r == VG_EINVAL || (r >= 0 && r <= 2));
		for (int i = 0; i < r; i++)
			assert_true((size_t)f[i].off + f[i].len <= k);
	}
}

static void test_splitter_bad(void **state)
{
	(void)state;
	struct vg_http_file_ref f[4];
	size_t n = sizeof(BODY) - 1;
	const uint8_t *b = (const uint8_t *)BODY;
	assert_int_equal(vg_http_multipart_files(S("text/plain"), b, n, f, 4, NULL), VG_EINVAL);
	assert_int_equal(vg_http_multipart_files(S("multipart/form-data"), b, n, f, 4, NULL), VG_EINVAL);
	assert_int_equal(vg_http_multipart_files(S("multipart/form-data; boundary="), b, n, f, 4, NULL), VG_EINVAL);
	assert_int_equal(vg_http_multipart_files(S("multipart/form-data; boundary=\"\""), b, n, f, 4, NULL), VG_EINVAL);
	/* 71 bytes: longer than RFC 2046 allows */
	char ct[128];
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%071d", 0);
	assert_int_equal(vg_http_multipart_files(S(ct), b, n, f, 4, NULL), VG_EINVAL);
	/* the boundary never appears */
	assert_int_equal(vg_http_multipart_files(S("multipart/form-data; boundary=QQQ"), b, n, f, 4, NULL), VG_EINVAL);
	/* a part without headers is not a file; an empty file is one */
	static const char nohdr[] = "--b\r\n\r\nRAW\r\n--b\r\nContent-Disposition: form-data; filename=\"e\"\r\n\r\n\r\n--b--";
	assert_int_equal(vg_http_multipart_files(S("multipart/form-data; boundary=b"), (const uint8_t *)nohdr,
						 sizeof(nohdr) - 1, f, 4, NULL), 1);
	assert_int_equal(f[0].len, 0);
}

struct got {
	int n;
	bool multipart;
	uint32_t n_files;
	char f0[64], f1[64];
};

static void on_tx(void *ctx, const struct vg_http_tx *tx, unsigned what)
{
	struct got *g = ctx;
	if (what != VG_HTTP_EV_REQUEST)
		return;
	g->n++;
	g->multipart = tx->req.multipart;
	g->n_files = tx->req.n_files;
	for (uint32_t i = 0; i < tx->req.n_files && i < 2; i++) {
		char *d = i ? g->f1 : g->f0;
		size_t l = tx->req.files[i].len < 63 ? tx->req.files[i].len : 63;
		memcpy(d, tx->req.body.data + tx->req.files[i].off, l);
		d[l] = '\0';
	}
}

static void test_through_parser(void **state)
{
	(void)state;
	char req[2048];
	int rl = snprintf(req, sizeof(req),
			  "POST /up HTTP/1.1\r\nHost: h\r\nContent-Type: " CT "\r\nContent-Length: %zu\r\n\r\n",
			  sizeof(BODY) - 1);
	memcpy(req + rl, BODY, sizeof(BODY) - 1);
	size_t total = (size_t)rl + sizeof(BODY) - 1;
	for (size_t cut = 0; cut <= total; cut++) {
		struct got g;
		memset(&g, 0, sizeof(g));
		struct vg_http_state *st = vg_http_state_new(0, on_tx, &g);
		vg_http_parse(st, 0, (const uint8_t *)req, cut);
		vg_http_parse(st, 0, (const uint8_t *)req + cut, total - cut);
		assert_int_equal(g.n, 1);
		assert_true(g.multipart);
		assert_int_equal(g.n_files, 2);
		assert_string_equal(g.f1, "FILE-TWO");
		assert_int_equal(memcmp(g.f0, "MZ\x90", 3), 0);
		vg_http_state_free(st);
	}
	/* a multipart type whose body has no delimiter: counted, not multipart */
	static const char bad[] = "POST / HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=zz\r\n"
				  "Content-Length: 5\r\n\r\nhello";
	struct got g;
	memset(&g, 0, sizeof(g));
	struct vg_http_state *st = vg_http_state_new(0, on_tx, &g);
	vg_http_parse(st, 0, (const uint8_t *)bad, sizeof(bad) - 1);
	assert_int_equal(g.n, 1);
	assert_false(g.multipart);
	assert_int_equal(vg_http_stats(st)->multipart_bad, 1);
	vg_http_state_free(st);
	/* multipart is only looked for in POST bodies (as Suricata's libhtp glue) */
	static const char put[] = "PUT / HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
				  "Content-Length: 44\r\n\r\n--b\r\nContent-Disposition: form-data; filename=x\r\n";
	memset(&g, 0, sizeof(g));
	st = vg_http_state_new(0, on_tx, &g);
	vg_http_parse(st, 0, (const uint8_t *)put, sizeof(put) - 1);
	assert_int_equal(g.n, 1);
	assert_false(g.multipart);
	assert_int_equal(vg_http_stats(st)->multipart_bad, 0);
	vg_http_state_free(st);
	/* not multipart at all: nothing */
	static const char plain[] = "POST / HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
	memset(&g, 0, sizeof(g));
	st = vg_http_state_new(0, on_tx, &g);
	vg_http_parse(st, 0, (const uint8_t *)plain, sizeof(plain) - 1);
	assert_false(g.multipart);
	assert_int_equal(vg_http_stats(st)->multipart_bad, 0);
	vg_http_state_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_splitter),
		cmocka_unit_test(test_splitter_bad),
		cmocka_unit_test(test_through_parser),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
