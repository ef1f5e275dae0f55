/* HPACK decoder (RFC 7541): the Appendix C examples (C.2 fields, C.3/C.4 requests with
 * and without Huffman, C.5/C.6 responses with a 256-byte table and evictions), integer
 * edge cases, Huffman padding/EOS errors, bad indexes, size updates, caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/app-hpack.h"
#include "core/core-error.h"
#include "core/limits.h"

/* hex string → bytes */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (const char *p = hex; p[0] && p[1]; p += 2) {
		assert_true(n < cap);
		out[n++] = (uint8_t)(vg_hex_digit(p[0]) << 4 | vg_hex_digit(p[1]));
	}
	return n;
}

/* decoded fields as "name: value\n" lines */
struct collect {
	char text[4096];
	size_t len;
	int never;
};

static int collect_cb(void *ctx, struct vg_str name, struct vg_str value, bool never)
{
	struct collect *c = ctx;
	int n = snprintf(c->text + c->len, sizeof(c->text) - c->len, "%.*s: %.*s\n", (int)name.len, name.p,
			 (int)value.len, value.p);
	assert_true(n > 0 && (size_t)n < sizeof(c->text) - c->len);
	c->len += (size_t)n;
	c->never += never;
	return 0;
}

static int decode_hex(struct vg_hpack *h, const char *hex, struct collect *c)
{
	uint8_t buf[1024];
	size_t n = unhex(hex, buf, sizeof(buf));
	memset(c, 0, sizeof(*c));
	return vg_hpack_decode(h, buf, n, collect_cb, c);
}

static void assert_entry(const struct vg_hpack *h, uint32_t i, const char *name, const char *value)
{
	struct vg_str n, v;
	assert_true(vg_hpack_table_entry(h, i, &n, &v));
	assert_int_equal(n.len, strlen(name));
	assert_memory_equal(n.p, name, n.len);
	assert_int_equal(v.len, strlen(value));
	if (v.len)
		assert_memory_equal(v.p, value, v.len);
}

/* C.2: one field per representation */
static void test_c2_fields(void **state)
{
	(void)state;
	struct collect c;
	struct vg_hpack *h = vg_hpack_new(VG_HPACK_DEFAULT_TABLE_SIZE);
	assert_non_null(h);
	/* C.2.1 literal with indexing: added to the table (55 = 10 + 13 + 32) */
	assert_int_equal(decode_hex(h, "400a637573746f6d2d6b65790d637573746f6d2d686561646572", &c), 0);
	assert_string_equal(c.text, "custom-key: custom-header\n");
	assert_int_equal(vg_hpack_table_size(h), 55);
	assert_int_equal(vg_hpack_table_count(h), 1);
	assert_entry(h, 1, "custom-key", "custom-header");
	vg_hpack_free(h);

	/* C.2.2 literal without indexing: the table stays empty */
	h = vg_hpack_new(VG_HPACK_DEFAULT_TABLE_SIZE);
	assert_int_equal(decode_hex(h, "040c2f73616d706c652f70617468", &c), 0);
	assert_string_equal(c.text, ":path: /sample/path\n");
	assert_int_equal(vg_hpack_table_count(h), 0);
	assert_int_equal(c.never, 0);
	/* C.2.3 never indexed: reported as such, not added */
	assert_int_equal(decode_hex(h, "100870617373776f726406736563726574", &c), 0);
	assert_string_equal(c.text, "password: secret\n");
	assert_int_equal(c.never, 1);
	assert_int_equal(vg_hpack_table_count(h), 0);
	/* C.2.4 indexed (static 2) */
	assert_int_equal(decode_hex(h, "82", &c), 0);
	assert_string_equal(c.text, ":method: GET\n");
	assert_int_equal(vg_hpack_table_count(h), 0);
	vg_hpack_free(h);
}

static const char req1[] = ":method: GET\n:scheme: http\n:path: /\n:authority: www.example.com\n";
static const char req2[] = ":method: GET\n:scheme: http\n:path: /\n:authority: www.example.com\ncache-control: no-cache\n";
static const char req3[] = ":method: GET\n:scheme: https\n:path: /index.html\n:authority: www.example.com\n"
			   "custom-key: custom-value\n";

static void run_requests(const char *const hex[3])
{
	struct collect c;
	struct vg_hpack *h = vg_hpack_new(VG_HPACK_DEFAULT_TABLE_SIZE);
	assert_non_null(h);
	assert_int_equal(decode_hex(h, hex[0], &c), 0);
	assert_string_equal(c.text, req1);
	assert_int_equal(vg_hpack_table_size(h), 57);
	assert_entry(h, 1, ":authority", "www.example.com");
	assert_int_equal(decode_hex(h, hex[1], &c), 0);
	assert_string_equal(c.text, req2);
	assert_int_equal(vg_hpack_table_size(h), 110);
	assert_entry(h, 1, "cache-control", "no-cache");
	assert_entry(h, 2, ":authority", "www.example.com");
	assert_int_equal(decode_hex(h, hex[2], &c), 0);
	assert_string_equal(c.text, req3);
	assert_int_equal(vg_hpack_table_size(h), 164);
	assert_int_equal(vg_hpack_table_count(h), 3);
	assert_entry(h, 1, "custom-key", "custom-value");
	assert_entry(h, 3, ":authority", "www.example.com");
	assert_int_equal(vg_hpack_stats(h)->blocks, 3);
	assert_int_equal(vg_hpack_stats(h)->fields, 14);
	vg_hpack_free(h);
}

/* C.3: requests, plain literals */
static void test_c3_requests(void **state)
{
	(void)state;
	static const char *const hex[3] = {
		"828684410f7777772e6578616d706c652e636f6d",
		"828684be58086e6f2d6361636865",
		"828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565",
	};
	run_requests(hex);
}

/* C.4: the same requests, Huffman-coded */
static void test_c4_requests_huffman(void **state)
{
	(void)state;
	static const char *const hex[3] = {
		"828684418cf1e3c2e5f23a6ba0ab90f4ff",
		"828684be5886a8eb10649cbf",
		"828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf",
	};
	run_requests(hex);
}

static const char resp1[] = ":status: 302\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:21 GMT\n"
			    "location: https://www.example.com\n";
static const char resp2[] = ":status: 307\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:21 GMT\n"
			    "location: https://www.example.com\n";
static const char resp3[] = ":status: 200\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:22 GMT\n"
			    "location: https://www.example.com\ncontent-encoding: gzip\n"
			    "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1\n";

/* 256-byte table: the responses evict */
static void run_responses(const char *const hex[3])
{
	struct collect c;
	struct vg_hpack *h = vg_hpack_new(256);
	assert_non_null(h);
	assert_int_equal(decode_hex(h, hex[0], &c), 0);
	assert_string_equal(c.text, resp1);
	assert_int_equal(vg_hpack_table_size(h), 222);
	assert_int_equal(vg_hpack_table_count(h), 4);
	assert_entry(h, 1, "location", "https://www.example.com");
	assert_entry(h, 4, ":status", "302");
	assert_int_equal(decode_hex(h, hex[1], &c), 0);
	assert_string_equal(c.text, resp2);
	assert_int_equal(vg_hpack_table_size(h), 222);
	assert_entry(h, 1, ":status", "307");
	assert_entry(h, 4, "cache-control", "private"); /* :status 302 was evicted */
	assert_int_equal(vg_hpack_stats(h)->evictions, 1);
	assert_int_equal(decode_hex(h, hex[2], &c), 0);
	assert_string_equal(c.text, resp3);
	assert_int_equal(vg_hpack_table_size(h), 215);
	assert_int_equal(vg_hpack_table_count(h), 3);
	assert_entry(h, 1, "set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1");
	assert_entry(h, 2, "content-encoding", "gzip");
	assert_entry(h, 3, "date", "Mon, 21 Oct 2013 20:13:22 GMT");
	vg_hpack_free(h);
}

static void test_c5_responses(void **state)
{
	(void)state;
	static const char *const hex[3] = {
		"4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e"
		"1768747470733a2f2f7777772e6578616d706c652e636f6d",
		"4803333037c1c0bf",
		"88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d"
		"4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b20766572"
		"73696f6e3d31",
	};
	run_responses(hex);
}

static void test_c6_responses_huffman(void **state)
{
	(void)state;
	static const char *const hex[3] = {
		"488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b"
		"97c8e9ae82ae43d3",
		"4883640effc1c0bf",
		"88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdf"
		"cd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
	};
	run_responses(hex);
}

/* RFC 7541 C.1 and the bounds of 5.1 */
static void test_integers(void **state)
{
	(void)state;
	uint32_t v;
	size_t used;
	static const uint8_t ten[] = { 0xea };                  /* C.1.1: 10, 5-bit prefix (high bits 111) */
	assert_int_equal(vg_hpack_decode_int(ten, 1, 5, &v, &used), 0);
	assert_int_equal(v, 10);
	assert_int_equal(used, 1);
	static const uint8_t big[] = { 0x1f, 0x9a, 0x0a };      /* C.1.2: 1337 */
	assert_int_equal(vg_hpack_decode_int(big, 3, 5, &v, &used), 0);
	assert_int_equal(v, 1337);
	assert_int_equal(used, 3);
	static const uint8_t b42[] = { 0x2a };                  /* C.1.3: 42, 8-bit prefix */
	assert_int_equal(vg_hpack_decode_int(b42, 1, 8, &v, &used), 0);
	assert_int_equal(v, 42);
	static const uint8_t max[] = { 0x1f, 0xe0, 0xff, 0xff, 0xff, 0x0f }; /* 31 + 0xffffffe0 */
	assert_int_equal(vg_hpack_decode_int(max, sizeof(max), 5, &v, &used), 0);
	assert_int_equal(v, UINT32_MAX);
	assert_int_equal(used, 6);
	static const uint8_t over[] = { 0x1f, 0xe1, 0xff, 0xff, 0xff, 0x0f };
	assert_int_equal(vg_hpack_decode_int(over, sizeof(over), 5, &v, &used), VG_ERANGE);
	assert_int_equal(v, 0);
	/* zero-valued continuation bytes forever: refused after five, not looped over */
	static const uint8_t pad[] = { 0x1f, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 };
	assert_int_equal(vg_hpack_decode_int(pad, sizeof(pad), 5, &v, &used), VG_ERANGE);
	assert_int_equal(vg_hpack_decode_int(big, 2, 5, &v, &used), VG_ETRUNC);
	assert_int_equal(vg_hpack_decode_int(big, 0, 5, &v, &used), VG_ETRUNC);
	assert_int_equal(vg_hpack_decode_int(big, 3, 0, &v, &used), VG_EINVAL);
	assert_int_equal(vg_hpack_decode_int(big, 3, 9, &v, &used), VG_EINVAL);
}

static void test_huffman(void **state)
{
	(void)state;
	struct vg_buf out;
	vg_buf_init(&out, 64);
	uint8_t b[64];
	size_t n = unhex("f1e3c2e5f23a6ba0ab90f4ff", b, sizeof(b)); /* www.example.com */
	assert_int_equal(vg_hpack_huffman_decode(b, n, &out), 0);
	assert_int_equal(out.len, 15);
	assert_memory_equal(out.data, "www.example.com", 15);
	/* empty string */
	vg_buf_reset(&out);
	assert_int_equal(vg_hpack_huffman_decode(b, 0, &out), 0);
	assert_int_equal(out.len, 0);
	/* '0' is 00000 (5 bits): "0" padded with 111 = 0x07 */
	vg_buf_reset(&out);
	b[0] = 0x07;
	assert_int_equal(vg_hpack_huffman_decode(b, 1, &out), 0);
	assert_int_equal(out.len, 1);
	assert_int_equal(out.data[0], '0');
	/* padding not all ones */
	vg_buf_reset(&out);
	b[0] = 0x06;
	assert_int_equal(vg_hpack_huffman_decode(b, 1, &out), VG_EINVAL);
	/* 8 bits or more of padding: "0" then a whole 0xff byte */
	b[0] = 0x07;
	b[1] = 0xff;
	assert_int_equal(vg_hpack_huffman_decode(b, 2, &out), VG_EINVAL);
	/* EOS (30 ones) inside the string */
	memset(b, 0xff, 4);
	assert_int_equal(vg_hpack_huffman_decode(b, 4, &out), VG_EINVAL);
	/* output past the buffer's max: 'a' (00011) x 8 = 5 bytes per 8 chars; max 64 */
	struct vg_buf small;
	vg_buf_init(&small, 4);
	n = unhex("18c6318c63", b, sizeof(b)); /* "aaaaaaaa" */
	assert_int_equal(vg_hpack_huffman_decode(b, n, &small), VG_ENOMEM);
	vg_buf_free(&small);
	vg_buf_reset(&out);
	assert_int_equal(vg_hpack_huffman_decode(b, n, &out), 0);
	assert_int_equal(out.len, 8);
	assert_memory_equal(out.data, "aaaaaaaa", 8);
	vg_buf_free(&out);
}

static void test_errors(void **state)
{
	(void)state;
	struct collect c;
	struct vg_hpack *h = vg_hpack_new(VG_HPACK_DEFAULT_TABLE_SIZE);
	assert_non_null(h);
	/* index 0 */
	assert_int_equal(decode_hex(h, "80", &c), VG_EINVAL);
	/* dynamic index past the (empty) table */
	assert_int_equal(decode_hex(h, "be", &c), VG_EINVAL);
	assert_int_equal(vg_hpack_stats(h)->bad_index, 2);
	/* literal name index past the table */
	assert_int_equal(decode_hex(h, "7f0003616263", &c), VG_EINVAL);
	/* string length beyond the block; fields before the error were delivered */
	assert_int_equal(decode_hex(h, "82400a6375", &c), VG_ETRUNC);
	assert_string_equal(c.text, ":method: GET\n");
	/* literal cut after its name */
	assert_int_equal(decode_hex(h, "400161", &c), VG_ETRUNC);
	/* truncated integer */
	assert_int_equal(decode_hex(h, "ff", &c), VG_ETRUNC);
	/* bad Huffman in a value */
	assert_int_equal(decode_hex(h, "04" "81" "06", &c), VG_EINVAL);
	assert_int_equal(vg_hpack_stats(h)->bad_huffman, 1);
	/* nothing was added by the failed blocks */
	assert_int_equal(vg_hpack_table_count(h), 0);
	/* empty block */
	assert_int_equal(vg_hpack_decode(h, NULL, 0, collect_cb, &c), 0);
	assert_int_equal(vg_hpack_decode(NULL, NULL, 0, NULL, NULL), VG_EINVAL);
	vg_hpack_free(h);
	vg_hpack_free(NULL);
}

/* size updates: shrink evicts, above the limit is counted and clamped, the cap holds */
static void test_size_update(void **state)
{
	(void)state;
	struct collect c;
	struct vg_hpack *h = vg_hpack_new(VG_HPACK_DEFAULT_TABLE_SIZE);
	assert_int_equal(decode_hex(h, "400a637573746f6d2d6b65790d637573746f6d2d686561646572", &c), 0);
	assert_int_equal(vg_hpack_table_count(h), 1);
	/* update to 0 then a field: table emptied, still usable */
	assert_int_equal(decode_hex(h, "2082", &c), 0);
	assert_string_equal(c.text, ":method: GET\n");
	assert_int_equal(vg_hpack_table_count(h), 0);
	assert_int_equal(vg_hpack_table_max(h), 0);
	/* with max 0 an indexed literal is not kept */
	assert_int_equal(decode_hex(h, "4001610162", &c), 0);
	assert_int_equal(vg_hpack_table_count(h), 0);
	/* above the SETTINGS limit (4096): counted, clamped to it */
	assert_int_equal(decode_hex(h, "3fe11f", &c), 0); /* 31 + 4065 = 4096: ok */
	assert_int_equal(vg_hpack_table_max(h), 4096);
	assert_int_equal(vg_hpack_stats(h)->bad_size_update, 0);
	assert_int_equal(decode_hex(h, "3fe21f", &c), 0); /* 4097 */
	assert_int_equal(vg_hpack_stats(h)->bad_size_update, 1);
	assert_int_equal(vg_hpack_table_max(h), 4096);
	/* after a field: counted */
	assert_int_equal(decode_hex(h, "8220", &c), 0);
	assert_int_equal(vg_hpack_stats(h)->bad_size_update, 2);
	/* a huge SETTINGS value is clamped to the cap */
	vg_hpack_set_limit(h, 1u << 30);
	assert_int_equal(vg_hpack_stats(h)->table_clamped, 1);
	assert_int_equal(decode_hex(h, "3fe1ffffff03", &c), 0); /* ~1 GiB asked */
	assert_int_equal(vg_hpack_table_max(h), VG_HPACK_MAX_TABLE_SIZE);
	vg_hpack_free(h);
}

/* the table never holds more than its max however many entries are added; an entry
 * larger than the table empties it */
static void test_table_bounded(void **state)
{
	(void)state;
	struct vg_hpack *h = vg_hpack_new(VG_HPACK_DEFAULT_TABLE_SIZE);
	uint8_t blk[16];
	for (unsigned i = 0; i < 10000; i++) {
		/* literal with indexing, new name "kNNNN" (5), value "v" */
		int n = snprintf((char *)blk + 2, sizeof(blk) - 2, "k%04u", i % 10000);
		assert_int_equal(n, 5);
		blk[0] = 0x40;
		blk[1] = 5;
		blk[7] = 1;
		blk[8] = 'v';
		assert_int_equal(vg_hpack_decode(h, blk, 9, NULL, NULL), 0);
		assert_true(vg_hpack_table_size(h) <= 4096);
	}
	assert_int_equal(vg_hpack_table_count(h), 4096 / 38);
	assert_entry(h, 1, "k9999", "v");
	/* a 5000-byte value is larger than the table: it empties it */
	static uint8_t huge[5100];
	huge[0] = 0x40;
	huge[1] = 1;
	huge[2] = 'x';
	huge[3] = 0x7f; /* 127 + 4873 = 5000 */
	huge[4] = 0x89;
	huge[5] = 0x26;
	memset(huge + 6, 'y', 5000);
	struct collect c;
	memset(&c, 0, sizeof(c));
	assert_int_equal(vg_hpack_decode(h, huge, 5006, NULL, NULL), 0);
	assert_int_equal(vg_hpack_table_count(h), 0);
	assert_int_equal(vg_hpack_table_size(h), 0);
	vg_hpack_free(h);
}

/* more fields than VG_HPACK_MAX_FIELDS: the rest are decoded (the table stays in step)
 * but not reported, and the block says so */
static int count_cb(void *ctx, struct vg_str name, struct vg_str value, bool never)
{
	(void)name;
	(void)value;
	(void)never;
	(*(unsigned *)ctx)++;
	return 0;
}

static void test_too_many_fields(void **state)
{
	(void)state;
	struct vg_hpack *h = vg_hpack_new(VG_HPACK_DEFAULT_TABLE_SIZE);
	static uint8_t blk[VG_HPACK_MAX_FIELDS + 20];
	memset(blk, 0x82, sizeof(blk));
	blk[sizeof(blk) - 3] = 0x40; /* last field: literal with indexing "a: b" */
	blk[sizeof(blk) - 2] = 0x01;
	blk[sizeof(blk) - 1] = 'a';
	unsigned n = 0;
	/* cut the literal: append its value in a larger buffer */
	static uint8_t blk2[sizeof(blk) + 2];
	memcpy(blk2, blk, sizeof(blk));
	blk2[sizeof(blk)] = 0x01;
	blk2[sizeof(blk) + 1] = 'b';
	assert_int_equal(vg_hpack_decode(h, blk2, sizeof(blk2), count_cb, &n), VG_EFULL);
	assert_int_equal(n, VG_HPACK_MAX_FIELDS);
	assert_int_equal(vg_hpack_stats(h)->too_many_fields, 1);
	assert_int_equal(vg_hpack_table_count(h), 1);
	assert_entry(h, 1, "a", "b");
	vg_hpack_free(h);
}

/* a string longer than VG_HPACK_MAX_STRING is refused */
static void test_string_too_long(void **state)
{
	(void)state;
	struct vg_hpack *h = vg_hpack_new(VG_HPACK_DEFAULT_TABLE_SIZE);
	size_t vlen = VG_HPACK_MAX_STRING + 1;
	uint8_t *blk = calloc(1, vlen + 16);
	assert_non_null(blk);
	size_t p = 0;
	blk[p++] = 0x00;
	blk[p++] = 1;
	blk[p++] = 'a';
	/* 7-bit prefix length: 127 + rest */
	uint32_t rest = (uint32_t)vlen - 127;
	blk[p++] = 0x7f;
	while (rest >= 128) {
		blk[p++] = (uint8_t)(0x80 | (rest & 0x7f));
		rest >>= 7;
	}
	blk[p++] = (uint8_t)rest;
	memset(blk + p, 'z', vlen);
	assert_int_equal(vg_hpack_decode(h, blk, p + vlen, NULL, NULL), VG_ERANGE);
	assert_int_equal(vg_hpack_stats(h)->string_too_long, 1);
	free(blk);
	vg_hpack_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c2_fields),
		cmocka_unit_test(test_c3_requests),
		cmocka_unit_test(test_c4_requests_huffman),
		cmocka_unit_test(test_c5_responses),
		cmocka_unit_test(test_c6_responses_huffman),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_huffman),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_size_update),
		cmocka_unit_test(test_table_bounded),
		cmocka_unit_test(test_too_many_fields),
		cmocka_unit_test(test_string_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
