/* test-detect-sig.c — the signature engine on buffers and traffic built here: each
 * match keyword's semantics (what matches AND what does not), the HTTP/DNS buffers'
 * layouts, and the engine's per-flow and global state (flowbits, noalert, threshold,
 * detection_filter, per-packet and per-transaction alert once, pass). Rules are parsed
 * with the real parser (detect-rule.h), so these also pin the parser↔engine contract. */
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
#include "detect-test-util.h"
#include "detect/detect-rule.h"
#include "detect/detect-sig-int.h"
#include "detect/detect-sig.h"
#include "flow/flow.h"

static struct vg_rule_vars *vars;

static struct vg_rule *parse(const char *text)
{
	struct vg_rule *r = NULL;
	char reason[256] = "";
	uint32_t sid = 0;
	int rc = vg_rule_parse(text, strlen(text), vars, &r, &sid, reason, sizeof(reason));
	if (rc != 0)
		fail_msg("rule did not parse: %s: %s", text, reason);
	return r;
}

/* Does the rule's item list match buf as packet payload? */
static bool match_payload(const char *rule, const void *buf, size_t len)
{
	struct vg_rule *r = parse(rule);
	struct vg_sig_prog p;
	char reason[160];
	assert_int_equal(vg_sig_prog_build(r, &p, reason, sizeof(reason)), 0);
	struct vg_sig_bufset bs;
	vg_sig_bufset_init(&bs);
	struct vg_sig_mctx mc;
	assert_int_equal(vg_sig_mctx_init(&mc), 0);
	mc.bufs = &bs;
	vg_sig_bufset_packet(&bs, buf, len, false);
	bool m = vg_sig_prog_match(&mc, &p);
	vg_sig_mctx_free(&mc);
	vg_sig_bufset_free(&bs);
	vg_sig_prog_free(&p);
	vg_rule_free(r);
	return m;
}

#define MP(rule, s) match_payload("alert tcp any any -> any any (" rule " sid:1;)", s, sizeof(s) - 1)

static void test_content(void **state)
{
	(void)state;
	assert_true(MP("content:\"evil\";", "an evil payload"));
	assert_false(MP("content:\"evil\";", "an EVIL payload"));
	assert_true(MP("content:\"evil\"; nocase;", "an EVIL payload"));
	assert_true(MP("content:\"|00 ff|ab\";", "x\x00\xff" "aby"));
	assert_false(MP("content:\"|00 ff|ab\";", "x\x00\xfe" "aby"));
	/* negation */
	assert_true(MP("content:\"GET\"; content:!\"admin\";", "GET /index"));
	assert_false(MP("content:\"GET\"; content:!\"admin\";", "GET /admin"));
	/* empty payload: no content matches */
	assert_false(match_payload("alert tcp any any -> any any (content:\"a\"; sid:1;)", "", 0));
}

static void test_offset_depth(void **state)
{
	(void)state;
	/* depth counts from offset: bytes 2..4 */
	assert_true(MP("content:\"abc\"; offset:2; depth:3;", "xxabc"));
	assert_false(MP("content:\"abc\"; offset:2; depth:3;", "xxxabc"));
	assert_false(MP("content:\"abc\"; offset:3;", "xxabcxx"));
	assert_true(MP("content:\"abc\"; depth:3;", "abcabc"));
	assert_false(MP("content:\"abc\"; offset:1; depth:3;", "abcabc"));
}

static void test_distance_within_backtrack(void **state)
{
	(void)state;
	/* the first "a" is not followed by "b": Suricata retries the next "a" */
	assert_true(MP("content:\"a\"; content:\"b\"; distance:0; within:1;", "a xab"));
	assert_false(MP("content:\"a\"; content:\"b\"; distance:0; within:1;", "a xa b"));
	/* within includes the distance */
	assert_true(MP("content:\"AB\"; content:\"CD\"; distance:2; within:4;", "AB..CD"));
	assert_true(MP("content:\"AB\"; content:\"CD\"; distance:2; within:3;", "AB...CD"));
	assert_false(MP("content:\"AB\"; content:\"CD\"; distance:2; within:3;", "AB....CD"));
	assert_false(MP("content:\"AB\"; content:\"CD\"; distance:3;", "AB..CD"));
	/* negative distance looks back */
	assert_true(MP("content:\"CD\"; content:\"AB\"; distance:-4; within:2;", "..ABCD"));
	assert_false(MP("content:\"CD\"; content:\"AB\"; distance:-6; within:2;", "..ABCD"));
	/* a chain of three with backtracking over the middle one */
	assert_true(MP("content:\"x\"; content:\"y\"; distance:0; within:2; content:\"z\"; distance:0; within:1;",
		       "xy-xyz"));
	assert_false(MP("content:\"x\"; content:\"y\"; distance:0; within:2; content:\"z\"; distance:0; within:1;",
			"xy-xy-z"));
	/* Suricata does not retry an anchor for a following isdataat: the first "a" decides */
	assert_false(MP("content:\"a\"; isdataat:3,relative; content:\"b\"; distance:0; within:1;", "a b ab"));
}

static void test_startswith_endswith(void **state)
{
	(void)state;
	assert_true(MP("content:\"GET\"; startswith;", "GET /"));
	assert_false(MP("content:\"GET\"; startswith;", " GET /"));
	assert_true(MP("content:\".exe\"; endswith;", "/a.exe.exe"));
	assert_false(MP("content:\".exe\"; endswith;", "/a.exe?x"));
	assert_true(MP("content:\"data|0a 0a|\"; startswith; endswith;", "data\n\n"));
	assert_false(MP("content:\"data|0a 0a|\"; startswith; endswith;", "data\n\nx"));
}

static void test_isdataat(void **state)
{
	(void)state;
	/* relative: n more bytes after the match (Suricata: cursor + n <= length) */
	assert_true(MP("content:\"AB\"; isdataat:2,relative;", "AB123"));
	assert_true(MP("content:\"AB\"; isdataat:3,relative;", "AB123"));
	assert_false(MP("content:\"AB\"; isdataat:4,relative;", "AB123"));
	assert_true(MP("content:\"AB\"; isdataat:!4,relative;", "AB123"));
	assert_false(MP("content:\"AB\"; isdataat:!3,relative;", "AB123"));
	/* only the first "AB" is tried: Suricata retries a content for a following content
	 * with within, not for isdataat (so the "AB" at the end is not reached) */
	assert_false(MP("content:\"AB\"; isdataat:!1,relative;", "AB123AB"));
	assert_true(MP("content:\"AB\"; isdataat:!1,relative;", "xxAB"));
	/* absolute: byte n exists */
	assert_true(MP("isdataat:4;", "12345"));
	assert_false(MP("isdataat:5;", "12345"));
}

static void test_byte_test(void **state)
{
	(void)state;
	/* 2 bytes big endian at 0: 0x0102 = 258 */
	assert_true(MP("byte_test:2,=,258,0;", "\x01\x02zz"));
	assert_false(MP("byte_test:2,=,258,0,little;", "\x01\x02zz"));
	assert_true(MP("byte_test:2,=,513,0,little;", "\x01\x02zz"));
	assert_true(MP("byte_test:2,>,257,0;", "\x01\x02zz"));
	assert_false(MP("byte_test:2,<,258,0;", "\x01\x02zz"));
	assert_true(MP("byte_test:2,!=,1,0;", "\x01\x02zz"));
	assert_true(MP("byte_test:1,&,2,1;", "\x01\x02zz"));
	/* string, decimal, relative */
	assert_true(MP("content:\"len=\"; byte_test:3,>,99,0,relative,string,dec;", "len=123;"));
	assert_false(MP("content:\"len=\"; byte_test:3,>,200,0,relative,string,dec;", "len=123;"));
	/* reading past the end fails */
	assert_false(MP("byte_test:4,>,0,2;", "\x01\x02zz"));
}

static void test_byte_jump_extract(void **state)
{
	(void)state;
	/* a 1-byte length, then that many bytes, then "OK" */
	assert_true(MP("byte_jump:1,0; content:\"OK\"; within:2;", "\x03" "abcOK"));
	assert_false(MP("byte_jump:1,0; content:\"OK\"; within:2;", "\x02" "abcOK"));
	/* post_offset */
	assert_true(MP("byte_jump:1,0,post_offset 1; content:\"OK\"; within:2;", "\x02" "abcOK"));
	/* a jump beyond the buffer fails */
	assert_false(MP("byte_jump:1,0; content:\"OK\";", "\x40" "abcOK"));
	/* byte_extract then used as a distance */
	assert_true(MP("byte_extract:1,0,skip; content:\"OK\"; distance:skip; within:2;", "\x03" "abcOK"));
	assert_false(MP("byte_extract:1,0,skip; content:\"OK\"; distance:skip; within:2;", "\x01" "abcOK"));
}

static void test_byte_math(void **state)
{
	(void)state;
	/* 0x03 * 4 = 12 compared with the next byte */
	assert_true(MP("byte_math:bytes 1,offset 0,oper *,rvalue 4,result v; byte_test:1,=,v,1;",
		       "\x03\x0c"));
	assert_false(MP("byte_math:bytes 1,offset 0,oper *,rvalue 4,result v; byte_test:1,=,v,1;",
			"\x03\x0d"));
	/* rvalue from byte_extract; + - / << >> */
	assert_true(MP("byte_extract:1,1,n; byte_math:bytes 1,offset 0,oper +,rvalue n,result v; "
		       "byte_test:1,=,v,2;", "\x05\x02\x07"));
	assert_true(MP("byte_math:bytes 1,offset 0,oper -,rvalue 1,result v; byte_test:1,=,v,1;",
		       "\x05\x04"));
	assert_true(MP("byte_math:bytes 2,offset 0,oper /,rvalue 16,result v; byte_test:1,=,v,2;",
		       "\x01\x00\x10"));
	assert_true(MP("byte_math:bytes 1,offset 0,oper <<,rvalue 2,result v; byte_test:1,=,v,1;",
		       "\x03\x0c"));
	assert_true(MP("byte_math:bytes 1,offset 0,oper >>,rvalue 2,result v; byte_test:1,=,v,1;",
		       "\x0c\x03"));
	/* division by zero never matches; a shift by 64+ gives 0 */
	assert_false(MP("byte_extract:1,1,z; byte_math:bytes 1,offset 0,oper /,rvalue z,result v; "
			"byte_test:1,=,v,1;", "\x05\x00"));
	assert_true(MP("byte_extract:1,1,s; byte_math:bytes 1,offset 0,oper <<,rvalue s,result v; "
		       "byte_test:1,=,v,2;", "\x05\x40\x00"));
	/* the bitmask applies to the result (0x12 + 1 = 0x13; & 0xf0 >> 4 = 1) */
	assert_true(MP("byte_math:bytes 1,offset 0,oper +,rvalue 1,result v,bitmask 0xf0; "
		       "byte_test:1,=,v,1;", "\x12\x01"));
	assert_false(MP("byte_math:bytes 1,offset 0,oper +,rvalue 1,result v,bitmask 0xf0; "
			"byte_test:1,=,v,1;", "\x12\x02"));
	/* string, little endian, relative: the cursor moves past the bytes read */
	assert_true(MP("content:\"n=\"; byte_math:bytes 2,offset 0,oper +,rvalue 0,result v,"
		       "relative,string dec; content:\"x\"; distance:v; within:1;",
		       "n=02abx"));
	assert_false(MP("content:\"n=\"; byte_math:bytes 2,offset 0,oper +,rvalue 0,result v,"
			"relative,string dec; content:\"x\"; distance:v; within:1;",
			"n=02axb"));
	assert_true(MP("byte_math:bytes 2,offset 0,oper +,rvalue 0,result v,endian little; "
		       "byte_test:1,=,v,2;", "\x05\x00\x05"));
	/* reading past the end fails */
	assert_false(MP("byte_math:bytes 4,offset 0,oper +,rvalue 0,result v;", "\x01\x02"));
}

/* ipv4.hdr: the IPv4 header bound with the packet (the suricata-verify
 * detect-bytemath-mult-04 shape: TOS * id-low-byte compared with TOS). */
static void test_ipv4_hdr(void **state)
{
	(void)state;
	struct vg_rule *r = parse("alert tcp any any -> any any (ipv4.hdr; "
				  "byte_extract:1,5,ev,relative; byte_math:bytes 1,offset 1,oper *,"
				  "rvalue ev,result var; byte_test:1,=,var,1; sid:1;)");
	struct vg_sig_prog p;
	assert_int_equal(vg_sig_prog_build(r, &p, NULL, 0), 0);
	struct vg_sig_bufset bs;
	vg_sig_bufset_init(&bs);
	struct vg_sig_mctx mc;
	assert_int_equal(vg_sig_mctx_init(&mc), 0);
	mc.bufs = &bs;
	uint8_t hdr[20] = { 0x45, 34, 0, 60, 0, 1, 0, 0, 64, 6 };
	/* no header bound (IPv6 / stream): absent, no match */
	vg_sig_bufset_packet(&bs, (const uint8_t *)"x", 1, false);
	assert_false(vg_sig_prog_match(&mc, &p));
	vg_sig_bufset_packet(&bs, (const uint8_t *)"x", 1, false);
	vg_sig_bufset_ip4_hdr(&bs, hdr, sizeof(hdr));
	assert_true(vg_sig_prog_match(&mc, &p));  /* 34 * 1 == 34 */
	hdr[5] = 2;
	vg_sig_bufset_packet(&bs, (const uint8_t *)"x", 1, false);
	vg_sig_bufset_ip4_hdr(&bs, hdr, sizeof(hdr));
	assert_false(vg_sig_prog_match(&mc, &p)); /* 68 != 34 */
	/* a short header is refused */
	vg_sig_bufset_packet(&bs, (const uint8_t *)"x", 1, false);
	vg_sig_bufset_ip4_hdr(&bs, hdr, 19);
	assert_false(vg_sig_prog_match(&mc, &p));
	vg_sig_mctx_free(&mc);
	vg_sig_bufset_free(&bs);
	vg_sig_prog_free(&p);
	vg_rule_free(r);
}

/* pcrexform: the first capture group replaces the buffer for the matches after it; no
 * match leaves the buffer as it was (checked on ipv4.hdr, a sticky buffer whose bytes
 * the test binds directly). */
static bool match_hdr(const char *opts, const char *hdr)
{
	char text[512];
	snprintf(text, sizeof(text), "alert tcp any any -> any any (ipv4.hdr; %s sid:1;)", opts);
	struct vg_rule *r = parse(text);
	struct vg_sig_prog p;
	assert_int_equal(vg_sig_prog_build(r, &p, NULL, 0), 0);
	struct vg_sig_bufset bs;
	vg_sig_bufset_init(&bs);
	struct vg_sig_mctx mc;
	assert_int_equal(vg_sig_mctx_init(&mc), 0);
	mc.bufs = &bs;
	vg_sig_bufset_packet(&bs, (const uint8_t *)"", 0, false);
	vg_sig_bufset_ip4_hdr(&bs, (const uint8_t *)hdr, strlen(hdr));
	bool m = vg_sig_prog_match(&mc, &p);
	vg_sig_mctx_free(&mc);
	vg_sig_bufset_free(&bs);
	vg_sig_prog_free(&p);
	vg_rule_free(r);
	return m;
}

static void test_pcrexform(void **state)
{
	(void)state;
	const char *line = "GET /abc HTTP/1.1 and more";
	/* the capture is the whole buffer now */
	assert_true(match_hdr("pcrexform:\"GET\\s+(\\S+)\\s+HTTP\"; content:\"/abc\"; startswith; "
			      "endswith; bsize:4;", line));
	assert_false(match_hdr("pcrexform:\"GET\\s+(\\S+)\\s+HTTP\"; content:\"HTTP\";", line));
	/* without the transform the same content is not the whole buffer */
	assert_false(match_hdr("content:\"/abc\"; startswith;", line));
	/* no match: the buffer is unchanged */
	assert_true(match_hdr("pcrexform:\"POST (\\S+)\"; content:\"GET /abc\"; startswith;", line));
	assert_true(match_hdr("pcrexform:\"(HTTP/[0-9.]+)\"; content:\"HTTP/1.1\"; bsize:8;", line));
}

static void test_pcre(void **state)
{
	(void)state;
	assert_true(MP("pcre:\"/ev[il]{2}/\";", "an evil one"));
	assert_false(MP("pcre:\"/^evil/\";", "an evil one"));
	assert_true(MP("pcre:\"/EVIL/i\";", "an evil one"));
	/* relative: ^ anchors at the end of the previous match */
	assert_true(MP("content:\"an \"; pcre:\"/^evil/R\";", "an evil one"));
	assert_false(MP("content:\"an \"; pcre:\"/^one/R\";", "an evil one"));
	/* negated */
	assert_true(MP("content:\"an\"; pcre:!\"/good/\";", "an evil one"));
	assert_false(MP("content:\"an\"; pcre:!\"/evil/\";", "an evil one"));
	/* a content relative to a pcre */
	assert_true(MP("pcre:\"/e.i/\"; content:\"l\"; within:1;", "an evil one"));
}

static void test_base64(void **state)
{
	(void)state;
	struct vg_buf b;
	vg_buf_init(&b, 1024);
	assert_int_equal(vg_sig_base64_decode((const uint8_t *)"dGhpc2lzYXRlc3QK", 16, &b), 12);
	assert_memory_equal(b.data, "thisisatest\n", 12);
	vg_buf_free(&b);
	assert_true(MP("content:\"arg=\"; base64_decode:relative; base64_data; content:\"thisisatest\";",
		       "GET /?arg=dGhpc2lzYXRlc3QK"));
	assert_false(MP("content:\"arg=\"; base64_decode:relative; base64_data; content:\"toast\";",
			"GET /?arg=dGhpc2lzYXRlc3QK"));
	/* only 'bytes' of input decoded: 8 chars → "thisis" */
	assert_false(MP("content:\"arg=\"; base64_decode:bytes 8,relative; base64_data; content:\"test\";",
			"GET /?arg=dGhpc2lzYXRlc3QK"));
}

/* ---- HTTP buffers -------------------------------------------------------------- */

static const char http_req[] =
	"POST /a/./b/../c%41?q=1%27 HTTP/1.1\r\n"
	"Host: Example.COM:8080\r\n"
	"User-Agent: tester/1.0\r\n"
	"Cookie: sid=abc\r\n"
	"Content-Length: 5\r\n"
	"\r\n"
	"hello";
static const char http_resp[] =
	"HTTP/1.1 404 Not Found\r\n"
	"Server: nginx\r\n"
	"Set-Cookie: s=1\r\n"
	"Content-Length: 4\r\n"
	"\r\n"
	"gone";

static int http_done;

static void expect_buf(struct vg_sig_bufset *bs, int id, const char *want)
{
	const uint8_t *p;
	size_t len;
	if (!want) {
		assert_int_equal(vg_sig_buf_get(bs, id, 0, &p, &len), VG_ENOENT);
		return;
	}
	assert_int_equal(vg_sig_buf_get(bs, id, 0, &p, &len), 0);
	if (len != strlen(want) || memcmp(p, want, len) != 0)
		fail_msg("buffer %d: got '%.*s', want '%s'", id, (int)len, (const char *)p, want);
}

static void on_tx(void *ctx, const struct vg_http_tx *tx, unsigned what)
{
	(void)ctx;
	if (what != VG_HTTP_EV_DONE)
		return;
	http_done++;
	struct vg_sig_bufset bs;
	vg_sig_bufset_init(&bs);
	vg_sig_bufset_http(&bs, tx, 0);
	expect_buf(&bs, VG_RULE_BUF_HTTP_METHOD, "POST");
	expect_buf(&bs, VG_RULE_BUF_HTTP_URI_RAW, "/a/./b/../c%41?q=1%27");
	expect_buf(&bs, VG_RULE_BUF_HTTP_URI, "/a/cA?q=1%27");
	expect_buf(&bs, VG_RULE_BUF_HTTP_HOST, "example.com");
	expect_buf(&bs, VG_RULE_BUF_HTTP_HOST_RAW, "Example.COM:8080");
	expect_buf(&bs, VG_RULE_BUF_HTTP_UA, "tester/1.0");
	expect_buf(&bs, VG_RULE_BUF_HTTP_COOKIE, "sid=abc");
	expect_buf(&bs, VG_RULE_BUF_HTTP_REFERER, NULL);
	expect_buf(&bs, VG_RULE_BUF_HTTP_REQUEST_LINE, "POST /a/./b/../c%41?q=1%27 HTTP/1.1");
	expect_buf(&bs, VG_RULE_BUF_HTTP_REQUEST_BODY, "hello");
	expect_buf(&bs, VG_RULE_BUF_FILE_DATA, "hello");
	expect_buf(&bs, VG_RULE_BUF_HTTP_CONTENT_LEN, "5");
	expect_buf(&bs, VG_RULE_BUF_HTTP_PROTOCOL, "HTTP/1.1");
	/* Cookie is not part of http.header (Suricata) */
	expect_buf(&bs, VG_RULE_BUF_HTTP_HEADER,
		   "Host: Example.COM:8080\r\nUser-Agent: tester/1.0\r\nContent-Length: 5\r\n");
	expect_buf(&bs, VG_RULE_BUF_HTTP_HEADER_NAMES, "\r\nHost\r\nUser-Agent\r\nCookie\r\nContent-Length\r\n\r\n");
	expect_buf(&bs, VG_RULE_BUF_HTTP_START,
		   "POST /a/./b/../c%41?q=1%27 HTTP/1.1\r\nHost: Example.COM:8080\r\nUser-Agent: tester/1.0\r\n"
		   "Cookie: sid=abc\r\nContent-Length: 5\r\n\r\n");
	/* response-side buffers also exist on the request side's view of a full tx */
	expect_buf(&bs, VG_RULE_BUF_HTTP_STAT_CODE, "404");
	expect_buf(&bs, VG_RULE_BUF_HTTP_STAT_MSG, "Not Found");
	expect_buf(&bs, VG_RULE_BUF_HTTP_SERVER, "nginx");
	expect_buf(&bs, VG_RULE_BUF_HTTP_LOCATION, NULL);
	expect_buf(&bs, VG_RULE_BUF_HTTP_RESPONSE_LINE, "HTTP/1.1 404 Not Found");
	expect_buf(&bs, VG_RULE_BUF_HTTP_RESPONSE_BODY, "gone");
	/* response side: the two-sided buffers come from the response */
	vg_sig_bufset_http(&bs, tx, 1);
	expect_buf(&bs, VG_RULE_BUF_FILE_DATA, "gone");
	expect_buf(&bs, VG_RULE_BUF_HTTP_HEADER, "Server: nginx\r\nContent-Length: 4\r\n");
	expect_buf(&bs, VG_RULE_BUF_HTTP_COOKIE, "s=1");
	expect_buf(&bs, VG_RULE_BUF_HTTP_CONTENT_LEN, "4");
	/* not buffers of HTTP */
	expect_buf(&bs, VG_RULE_BUF_PAYLOAD, NULL);
	expect_buf(&bs, VG_RULE_BUF_TLS_SNI, NULL);
	vg_sig_bufset_free(&bs);
}

static void test_http_buffers(void **state)
{
	(void)state;
	http_done = 0;
	struct vg_http_state *st = vg_http_state_new(0, on_tx, NULL);
	assert_non_null(st);
	assert_int_equal(vg_http_parse(st, 0, (const uint8_t *)http_req, sizeof(http_req) - 1), 0);
	assert_int_equal(vg_http_parse(st, 1, (const uint8_t *)http_resp, sizeof(http_resp) - 1), 0);
	vg_http_state_free(st);
	assert_int_equal(http_done, 1);
}

/* ---- DNS: dns.query and dotprefix ------------------------------------------------- */

static void test_dns_dotprefix(void **state)
{
	(void)state;
	struct vg_dns_msg *m = calloc(1, sizeof(*m));
	assert_non_null(m);
	m->n_questions = m->n_rr = 2;
	snprintf(m->rr[0].name, sizeof(m->rr[0].name), "www.example.com");
	snprintf(m->rr[1].name, sizeof(m->rr[1].name), "mail.google.co.uk");
	struct vg_sig_bufset bs;
	vg_sig_bufset_init(&bs);
	struct vg_sig_mctx mc;
	assert_int_equal(vg_sig_mctx_init(&mc), 0);
	mc.bufs = &bs;
	vg_sig_bufset_dns(&bs, m);
	assert_int_equal(vg_sig_buf_count(&bs, VG_RULE_BUF_DNS_QUERY), 2);
	struct {
		const char *rule;
		bool want;
	} t[] = {
		{ "alert dns any any -> any any (dns.query; dotprefix; content:\".google.co.uk\"; sid:1;)", true },
		{ "alert dns any any -> any any (dns.query; dotprefix; content:\".co.uk\"; endswith; sid:1;)", true },
		/* without the dot the label boundary is not checked: "le.com" is inside */
		{ "alert dns any any -> any any (dns.query; content:\"le.com\"; sid:1;)", true },
		{ "alert dns any any -> any any (dns.query; dotprefix; content:\".le.com\"; sid:1;)", false },
		/* each name is its own buffer: no match across them */
		{ "alert dns any any -> any any (dns.query; content:\"www\"; content:\"mail\"; sid:1;)", false },
		/* ... but a second dns.query starts another instance, which may be another name */
		{ "alert dns any any -> any any (dns.query; content:\"www\"; dns.query; content:\"mail\"; sid:1;)", true },
		{ "alert dns any any -> any any (dns.query; content:\"www\"; dns.query; content:\"smtp\"; sid:1;)", false },
		/* bsize per instance: 15 is www.example.com, 17 the other */
		{ "alert dns any any -> any any (dns.query; bsize:15; sid:1;)", true },
		{ "alert dns any any -> any any (dns.query; bsize:16; sid:1;)", false },
		{ "alert dns any any -> any any (dns.query; content:\"mail\"; bsize:<17; sid:1;)", false },
		{ "alert dns any any -> any any (dns.query; content:\"mail\"; bsize:16<>18; sid:1;)", true },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vg_rule *r = parse(t[i].rule);
		struct vg_sig_prog p;
		assert_int_equal(vg_sig_prog_build(r, &p, NULL, 0), 0);
		if (vg_sig_prog_match(&mc, &p) != t[i].want)
			fail_msg("%s: expected %d", t[i].rule, t[i].want);
		vg_sig_prog_free(&p);
		vg_rule_free(r);
	}
	vg_sig_mctx_free(&mc);
	vg_sig_bufset_free(&bs);
	free(m);
}

/* ---- engine state on UDP flows ----------------------------------------------------- */

struct eng {
	struct vg_sig_engine *e;
	struct vg_flow_table *t;
	struct recorder rec;
	struct vg_rule *rules[16];
	size_t n;
};

static struct eng *eng_new(const char *const *texts)
{
	struct eng *g = calloc(1, sizeof(*g));
	assert_non_null(g);
	for (; texts[g->n]; g->n++)
		g->rules[g->n] = parse(texts[g->n]);
	assert_int_equal(vg_sig_engine_new_rules((const struct vg_rule *const *)g->rules, g->n, &g->e), 0);
	assert_int_equal(vg_flow_table_new(NULL, NULL, &g->t), 0);
	assert_int_equal(vg_sig_engine_attach(g->e, g->t), 0);
	struct vg_event_sink sink = { recorder_emit, &g->rec };
	vg_sig_engine_set_sink(g->e, &sink);
	return g;
}

static void eng_free(struct eng *g)
{
	vg_flow_table_free(g->t);
	vg_sig_engine_free(g->e);
	for (size_t i = 0; i < g->n; i++)
		vg_rule_free(g->rules[i]);
	free(g);
}

static void udp(struct eng *g, int64_t ts, const char *src, const char *dst, const char *payload)
{
	struct vg_packet p;
	build_udp(&p, ts, src, dst, 40000, 5000, (uint32_t)strlen(payload));
	p.payload = (const uint8_t *)payload;
	struct vg_flow *f = NULL;
	int dir = 0;
	assert_int_equal(vg_flow_handle_packet(g->t, &p, ts, &f, &dir), 0);
	vg_sig_packet(g->e, &p, f, dir, NULL);
}

static unsigned count_sid(const struct eng *g, uint32_t sid)
{
	unsigned n = 0;
	for (unsigned i = 0; i < g->rec.n; i++)
		if (g->rec.ev[i].type == VG_EVT_ALERT && g->rec.ev[i].sid == sid)
			n++;
	return n;
}

static void test_flowbits(void **state)
{
	(void)state;
	const char *rules[] = {
		"alert udp any any -> any any (content:\"LOGIN\"; flowbits:set,logged; flowbits:noalert; sid:1;)",
		"alert udp any any -> any any (content:\"SECRET\"; flowbits:isset,logged; sid:2;)",
		"alert udp any any -> any any (content:\"SECRET\"; flowbits:isnotset,logged; sid:3;)",
		"alert udp any any -> any any (content:\"LOGOUT\"; flowbits:unset,logged; flowbits:noalert; sid:4;)",
		NULL,
	};
	struct eng *g = eng_new(rules);
	udp(g, 1000000, "10.0.0.1", "10.0.0.2", "SECRET");   /* not logged in: sid 3 */
	udp(g, 1100000, "10.0.0.1", "10.0.0.2", "LOGIN");    /* sets, no alert */
	udp(g, 1200000, "10.0.0.1", "10.0.0.2", "SECRET");   /* sid 2 */
	udp(g, 1300000, "10.0.0.9", "10.0.0.2", "SECRET");   /* other flow: bit not set, sid 3 */
	udp(g, 1400000, "10.0.0.1", "10.0.0.2", "LOGOUT");
	udp(g, 1500000, "10.0.0.1", "10.0.0.2", "SECRET");   /* sid 3 again */
	assert_int_equal(count_sid(g, 1), 0);
	assert_int_equal(count_sid(g, 4), 0);
	assert_int_equal(count_sid(g, 2), 1);
	assert_int_equal(count_sid(g, 3), 3);
	eng_free(g);
}

static void test_threshold_and_detection_filter(void **state)
{
	(void)state;
	const char *rules[] = {
		"alert udp any any -> any any (content:\"X\"; threshold:type limit, track by_src, count 2, seconds 60; sid:10;)",
		"alert udp any any -> any any (content:\"X\"; detection_filter:track by_src, count 2, seconds 60; sid:11;)",
		"alert udp any any -> any any (content:\"X\"; threshold:type threshold, track by_src, count 2, seconds 60; sid:12;)",
		"alert udp any any -> any any (content:\"X\"; threshold:type both, track by_src, count 3, seconds 60; sid:13;)",
		NULL,
	};
	struct eng *g = eng_new(rules);
	for (int i = 0; i < 5; i++)
		udp(g, 1000000 + i * 1000, "10.0.0.1", "10.0.0.2", "X");
	assert_int_equal(count_sid(g, 10), 2); /* limit 2 */
	assert_int_equal(count_sid(g, 11), 3); /* after 2: the 3rd, 4th, 5th */
	assert_int_equal(count_sid(g, 12), 2); /* every 2nd */
	assert_int_equal(count_sid(g, 13), 1); /* once at the 3rd */
	/* another source has its own trackers */
	udp(g, 2000000, "10.0.0.7", "10.0.0.2", "X");
	assert_int_equal(count_sid(g, 10), 3);
	assert_int_equal(count_sid(g, 11), 3);
	/* a new window after 60 s */
	udp(g, 70000000, "10.0.0.1", "10.0.0.2", "X");
	assert_int_equal(count_sid(g, 10), 4);
	eng_free(g);
}

static void udp_ports(struct eng *g, int64_t ts, uint16_t sport, uint16_t dport, const char *payload)
{
	struct vg_packet p;
	build_udp(&p, ts, "10.0.0.1", "10.0.0.2", sport, dport, (uint32_t)strlen(payload));
	p.payload = (const uint8_t *)payload;
	struct vg_flow *f = NULL;
	int dir = 0;
	assert_int_equal(vg_flow_handle_packet(g->t, &p, ts, &f, &dir), 0);
	vg_sig_packet(g->e, &p, f, dir, NULL);
}

/* detection_filter unique_on: distinct ports in the window, not matches */
static void test_detection_filter_unique_on(void **state)
{
	(void)state;
	const char *rules[] = {
		"alert udp any any -> any any (content:\"U\"; detection_filter:track by_src, count 2, seconds 60, unique_on src_port; sid:30;)",
		"alert udp any any -> any any (content:\"U\"; detection_filter:track by_src, count 2, seconds 60, unique_on dst_port; sid:31;)",
		"alert udp any any -> any any (content:\"U\"; detection_filter:track by_src, count 2, seconds 60; sid:32;)",
		NULL,
	};
	struct eng *g = eng_new(rules);
	/* the same source port again and again: never more than 1 distinct */
	for (int i = 0; i < 4; i++)
		udp_ports(g, 1000000 + i * 1000, 40000, 5000, "U");
	assert_int_equal(count_sid(g, 30), 0);
	assert_int_equal(count_sid(g, 31), 0);
	assert_int_equal(count_sid(g, 32), 2); /* plain: the 3rd and 4th match */
	/* a 2nd port is not enough (2 is not > 2), a 3rd is; a repeat of a counted one
	 * then still alerts (the distinct count stays 3) */
	udp_ports(g, 1010000, 40001, 5000, "U");
	assert_int_equal(count_sid(g, 30), 0);
	udp_ports(g, 1020000, 40002, 5000, "U");
	assert_int_equal(count_sid(g, 30), 1);
	udp_ports(g, 1030000, 40000, 5000, "U");
	assert_int_equal(count_sid(g, 30), 2);
	assert_int_equal(count_sid(g, 31), 0); /* one destination port all along */
	/* a new window: ports count again from zero */
	udp_ports(g, 70000000, 40000, 5001, "U");
	udp_ports(g, 70001000, 40001, 5002, "U");
	assert_int_equal(count_sid(g, 30), 2);
	udp_ports(g, 70002000, 40001, 5003, "U");
	assert_int_equal(count_sid(g, 30), 2); /* 40001 again: still 2 distinct */
	assert_int_equal(count_sid(g, 31), 1); /* 5001, 5002, 5003 */
	eng_free(g);
}

static void test_header_conditions(void **state)
{
	(void)state;
	const char *rules[] = {
		"alert udp 10.0.0.0/24 any -> any 5000 (content:\"Q\"; sid:20;)",
		"alert udp any any -> any !5000 (content:\"Q\"; sid:21;)",
		"alert udp any any -> any any (content:\"Q\"; dsize:>3; sid:22;)",
		"alert udp any any -> any any (flow:to_client; content:\"Q\"; sid:23;)",
		"alert udp any any -> any any (flow:established; content:\"Q\"; sid:24;)",
		"alert tcp any any -> any any (content:\"Q\"; sid:25;)",
		"pass udp 10.0.0.5 any -> any any (content:\"Q\"; sid:26;)",
		NULL,
	};
	struct eng *g = eng_new(rules);
	udp(g, 1000000, "10.0.0.1", "10.0.1.2", "Q");
	assert_int_equal(count_sid(g, 20), 1);
	assert_int_equal(count_sid(g, 21), 0);
	assert_int_equal(count_sid(g, 22), 0);
	assert_int_equal(count_sid(g, 23), 0);
	assert_int_equal(count_sid(g, 24), 0); /* one direction seen only */
	assert_int_equal(count_sid(g, 25), 0);
	udp(g, 1100000, "10.0.0.1", "10.0.1.2", "QQQQ");
	assert_int_equal(count_sid(g, 22), 1);
	assert_int_equal(count_sid(g, 20), 2); /* once per packet */
	/* a pass rule stops the packet's inspection: nothing from 10.0.0.5 */
	udp(g, 1200000, "10.0.0.5", "10.0.1.2", "QQQQ");
	assert_int_equal(count_sid(g, 20), 2); /* 10.0.0.5 is in 10.0.0.0/24 but passed */
	assert_int_equal(count_sid(g, 22), 1);
	eng_free(g);
}

/* ---- engine on an HTTP transaction --------------------------------------------------- */

struct http_ctx {
	struct eng *g;
	struct vg_flow *f;
};

static void on_tx_engine(void *ctx, const struct vg_http_tx *tx, unsigned what)
{
	struct http_ctx *c = ctx;
	vg_sig_http_tx(c->g->e, c->f, tx, what, 5000000);
}

static void test_http_engine_once_per_tx(void **state)
{
	(void)state;
	const char *rules[] = {
		"alert http any any -> any any (http.uri; content:\"/a/cA\"; sid:30;)",
		"alert http any any -> any any (flow:to_client; http.stat_code; content:\"404\"; sid:31;)",
		"alert http any any -> any any (http.header; content:\"Cookie\"; sid:32;)",       /* not there */
		"alert http any any -> any any (http.cookie; content:\"sid=abc\"; sid:33;)",
		"alert http any any -> any any (urilen:>5; http.method; content:\"POST\"; sid:34;)",
		"alert http any any -> any any (http.server; content:\"apache\"; nocase; sid:35;)", /* nginx */
		"alert http any any -> any any (http.user_agent; content:\"tester\"; http.request_body; content:\"hello\"; sid:36;)",
		"alert http any any -> any any (http.method; content:\"POST\"; http.stat_code; content:\"404\"; sid:37;)",
		NULL,
	};
	struct eng *g = eng_new(rules);
	/* a TCP flow for the transaction: SYN, SYN-ACK, ACK */
	struct vg_packet p;
	struct vg_flow *f = NULL;
	int dir;
	build_tcp(&p, 1000000, "10.0.0.1", "10.0.0.2", 40000, 80, VG_TH_SYN, 0);
	assert_int_equal(vg_flow_handle_packet(g->t, &p, 1000000, &f, &dir), 0);
	build_tcp(&p, 1000100, "10.0.0.2", "10.0.0.1", 80, 40000, VG_TH_SYN | VG_TH_ACK, 0);
	assert_int_equal(vg_flow_handle_packet(g->t, &p, 1000100, &f, &dir), 0);
	build_tcp(&p, 1000200, "10.0.0.1", "10.0.0.2", 40000, 80, VG_TH_ACK, 0);
	assert_int_equal(vg_flow_handle_packet(g->t, &p, 1000200, &f, &dir), 0);
	struct http_ctx c = { g, f };
	struct vg_http_state *st = vg_http_state_new(0, on_tx_engine, &c);
	assert_int_equal(vg_http_parse(st, 0, (const uint8_t *)http_req, sizeof(http_req) - 1), 0);
	/* request rules fired at REQUEST */
	assert_int_equal(count_sid(g, 30), 1);
	assert_int_equal(count_sid(g, 31), 0);
	assert_int_equal(vg_http_parse(st, 1, (const uint8_t *)http_resp, sizeof(http_resp) - 1), 0);
	vg_http_state_free(st);
	assert_int_equal(count_sid(g, 30), 1); /* not again at DONE */
	assert_int_equal(count_sid(g, 31), 1);
	assert_int_equal(count_sid(g, 32), 0);
	assert_int_equal(count_sid(g, 33), 1);
	assert_int_equal(count_sid(g, 34), 1);
	assert_int_equal(count_sid(g, 35), 0);
	assert_int_equal(count_sid(g, 36), 1);
	assert_int_equal(count_sid(g, 37), 1); /* request + response buffers: at DONE */
	/* the alert of the response rule goes server → client */
	for (unsigned i = 0; i < g->rec.n; i++) {
		if (g->rec.ev[i].sid != 31)
			continue;
		char a[VG_ADDR_STRLEN];
		assert_string_equal(vg_addr_format(&g->rec.ev[i].src, a), "10.0.0.2");
	}
	eng_free(g);
}

/* Transactional rules ("=>"): both sides of one transaction must match, once per
 * transaction, with the rule's source being the client. Three pipelined transactions:
 * two POSTs answered 404 and a GET answered 200. */
static void test_http_engine_transactional(void **state)
{
	(void)state;
	const char *rules[] = {
		/* request and response match: tx 0 and 1 */
		"alert http any any => any any (http.method; content:\"POST\"; http.stat_code; content:\"404\"; sid:40;)",
		/* request matches (tx 0, 1) but response does not; response matches (tx 2) but
		 * request does not: never */
		"alert http any any => any any (http.uri; content:\"/a/cA\"; http.stat_code; content:\"200\"; sid:41;)",
		/* bodies of both sides of one transaction */
		"alert http any any => any any (file.data: to_client; content:\"gone\"; file.data: to_server; content:\"hello\"; sid:42;)",
		/* file.data without a direction is the request's: "gone" is only in responses */
		"alert http any any => any any (file.data; content:\"gone\"; http.stat_code; content:\"404\"; sid:43;)",
		/* header buffers of both sides; tx 2 has no User-Agent */
		"alert http any any => any any (http.header: to_client; content:\"Server|3a| nginx\"; http.header; content:\"User-Agent\"; sid:44;)",
		/* addresses as written: the client is 10.0.0.1 */
		"alert http 10.0.0.1 any => 10.0.0.2 80 (http.method; content:\"P\"; http.stat_code; content:\"4\"; sid:45;)",
		"alert http 10.0.0.2 80 => 10.0.0.1 any (http.method; content:\"P\"; http.stat_code; content:\"4\"; sid:46;)",
		/* a flowbit set by the request is seen by the same transaction's "=>" rule */
		"alert http any any -> any any (http.method; content:\"GET\"; flowbits:set,got; flowbits:noalert; sid:47;)",
		"alert http any any => any any (flowbits:isset,got; http.uri; content:\"/other\"; http.stat_code; content:\"200\"; sid:48;)",
		NULL,
	};
	struct eng *g = eng_new(rules);
	struct vg_packet p;
	struct vg_flow *f = NULL;
	int dir;
	build_tcp(&p, 1000000, "10.0.0.1", "10.0.0.2", 40000, 80, VG_TH_SYN, 0);
	assert_int_equal(vg_flow_handle_packet(g->t, &p, 1000000, &f, &dir), 0);
	build_tcp(&p, 1000100, "10.0.0.2", "10.0.0.1", 80, 40000, VG_TH_SYN | VG_TH_ACK, 0);
	assert_int_equal(vg_flow_handle_packet(g->t, &p, 1000100, &f, &dir), 0);
	build_tcp(&p, 1000200, "10.0.0.1", "10.0.0.2", 40000, 80, VG_TH_ACK, 0);
	assert_int_equal(vg_flow_handle_packet(g->t, &p, 1000200, &f, &dir), 0);
	struct http_ctx c = { g, f };
	struct vg_http_state *st = vg_http_state_new(0, on_tx_engine, &c);
	static const char req3[] = "GET /other HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char resp3[] = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 2\r\n\r\nok";
	assert_int_equal(vg_http_parse(st, 0, (const uint8_t *)http_req, sizeof(http_req) - 1), 0);
	assert_int_equal(vg_http_parse(st, 0, (const uint8_t *)http_req, sizeof(http_req) - 1), 0);
	assert_int_equal(vg_http_parse(st, 0, (const uint8_t *)req3, sizeof(req3) - 1), 0);
	/* requests alone raise nothing: a "=>" rule needs the response */
	for (uint32_t sid = 40; sid <= 48; sid++)
		assert_int_equal(count_sid(g, sid), 0);
	/* the first response: one transaction done, exactly one alert per matching rule */
	assert_int_equal(vg_http_parse(st, 1, (const uint8_t *)http_resp, sizeof(http_resp) - 1), 0);
	assert_int_equal(count_sid(g, 40), 1);
	assert_int_equal(count_sid(g, 42), 1);
	assert_int_equal(count_sid(g, 44), 1);
	assert_int_equal(vg_http_parse(st, 1, (const uint8_t *)http_resp, sizeof(http_resp) - 1), 0);
	assert_int_equal(vg_http_parse(st, 1, (const uint8_t *)resp3, sizeof(resp3) - 1), 0);
	vg_http_state_free(st);
	assert_int_equal(count_sid(g, 40), 2); /* two transactions, two alerts */
	assert_int_equal(count_sid(g, 41), 0);
	assert_int_equal(count_sid(g, 42), 2);
	assert_int_equal(count_sid(g, 43), 0);
	assert_int_equal(count_sid(g, 44), 2);
	assert_int_equal(count_sid(g, 45), 2);
	assert_int_equal(count_sid(g, 46), 0);
	assert_int_equal(count_sid(g, 47), 0);
	assert_int_equal(count_sid(g, 48), 1);
	eng_free(g);
}

static void test_stream_chunks(void **state)
{
	(void)state;
	const char *rules[] = {
		"alert tcp-stream any any -> any any (content:\"d2d3\"; sid:40;)",
		"alert tcp-pkt any any -> any any (content:\"d2d3\"; sid:41;)",
		NULL,
	};
	struct eng *g = eng_new(rules);
	struct vg_packet p;
	struct vg_flow *f = NULL;
	int dir;
	build_tcp(&p, 1000000, "10.0.0.1", "10.0.0.2", 40000, 80, VG_TH_SYN, 0);
	assert_int_equal(vg_flow_handle_packet(g->t, &p, 1000000, &f, &dir), 0);
	vg_sig_stream_chunk(g->e, f, 0, (const uint8_t *)"xxd2d3yy", 8, 1000000);
	assert_int_equal(count_sid(g, 40), 1);
	assert_int_equal(count_sid(g, 41), 0); /* tcp-pkt never sees the stream */
	eng_free(g);
}

static void test_tls_once_per_flow(void **state)
{
	(void)state;
	const char *rules[] = {
		"alert tls any any -> any any (tls.sni; content:\"evil.example\"; endswith; sid:50;)",
		"alert tls any any -> any any (ja3.hash; content:\"e7d705a3286e19ea42f587b344ee6865\"; sid:51;)",
		"alert tls any any -> any any (flow:to_client; tls.cert_subject; content:\"CN=evil\"; sid:52;)",
		"alert tls any any -> any any (tls.sni; content:\"good.example\"; sid:53;)",
		"alert tls any any -> any any (tls.cert_issuer; content:\"Let's\"; sid:54;)",
		NULL,
	};
	struct eng *g = eng_new(rules);
	struct vg_packet p;
	struct vg_flow *f = NULL;
	int dir;
	build_tcp(&p, 1000000, "10.0.0.1", "10.0.0.2", 40000, 443, VG_TH_SYN, 0);
	assert_int_equal(vg_flow_handle_packet(g->t, &p, 1000000, &f, &dir), 0);
	struct vg_tls_info *ti = calloc(1, sizeof(*ti));
	assert_non_null(ti);
	ti->client.seen = true;
	snprintf(ti->client.sni, sizeof(ti->client.sni), "www.evil.example");
	snprintf(ti->client.ja3_hash, sizeof(ti->client.ja3_hash), "e7d705a3286e19ea42f587b344ee6865");
	vg_sig_tls(g->e, f, 0, ti, VG_TLS_EV_CLIENT_HELLO, 1000100);
	assert_int_equal(count_sid(g, 50), 1);
	assert_int_equal(count_sid(g, 51), 1);
	assert_int_equal(count_sid(g, 52), 0); /* no certificate yet, and to_client */
	/* server side: hello and certificate */
	ti->server.seen = true;
	ti->n_certs = 1;
	ti->certs[0].parsed = true;
	snprintf(ti->certs[0].subject, sizeof(ti->certs[0].subject), "C=US, CN=evil");
	snprintf(ti->certs[0].issuer, sizeof(ti->certs[0].issuer), "C=US, O=Example CA");
	vg_sig_tls(g->e, f, 1, ti, VG_TLS_EV_SERVER_HELLO | VG_TLS_EV_CERTIFICATE, 1000200);
	assert_int_equal(count_sid(g, 52), 1);
	assert_int_equal(count_sid(g, 50), 1); /* once per flow, not again on the server side */
	assert_int_equal(count_sid(g, 51), 1);
	assert_int_equal(count_sid(g, 53), 0);
	assert_int_equal(count_sid(g, 54), 0);
	free(ti);
	eng_free(g);
}

static void test_iponly(void **state)
{
	(void)state;
	const char *rules[] = {
		"alert udp [1.2.3.4,5.6.7.0/24] any -> any any (msg:\"listed source\"; sid:60;)",
		"alert ip any any -> [9.9.9.9,8.8.8.0/24] any (msg:\"listed destination\"; sid:61;)",
		"alert ip 10.0.0.0/8 any -> !10.0.0.0/8 any (msg:\"wide both sides\"; sid:62;)",
		NULL,
	};
	struct eng *g = eng_new(rules);
	udp(g, 1000000, "5.6.7.8", "10.0.0.2", "a");
	udp(g, 1000100, "5.6.7.8", "10.0.0.2", "b");   /* same flow, same direction: not again */
	assert_int_equal(count_sid(g, 60), 1);
	assert_int_equal(count_sid(g, 62), 0);
	udp(g, 1000200, "10.0.0.2", "5.6.7.8", "c");   /* udp() keeps its ports: a new flow */
	assert_int_equal(count_sid(g, 60), 1);
	udp(g, 1000300, "10.0.0.1", "8.8.8.8", "d");
	assert_int_equal(count_sid(g, 61), 1);
	udp(g, 1000400, "1.2.3.5", "10.0.0.1", "e");   /* not listed */
	udp(g, 1000500, "9.9.9.8", "9.9.9.10", "f");   /* neighbours of a listed host */
	assert_int_equal(count_sid(g, 60), 1);
	assert_int_equal(count_sid(g, 61), 1);
	/* 10.0.0.2 → 5.6.7.8 (a new flow: ports differ from the first) and 10.0.0.1 → 8.8.8.8 */
	assert_int_equal(count_sid(g, 62), 2);
	eng_free(g);
}

static void test_flowint_xbits(void **state)
{
	(void)state;
	const char *rules[] = {
		/* counts B per flow; alerts from the third on (the increment comes first) */
		"alert udp any any -> any any (content:\"B\"; flowint:cnt,+,1; flowint:cnt,>,2; sid:70;)",
		"alert udp any any -> any any (content:\"R\"; flowint:cnt,=,0; noalert; sid:71;)",
		/* xbits per source host, across flows */
		"alert udp any any -> any any (content:\"MARK\"; xbits:set,marked,track ip_src,expire 30; noalert; sid:72;)",
		"alert udp any any -> any any (content:\"HIT\"; xbits:isset,marked,track ip_src; sid:73;)",
		NULL,
	};
	struct eng *g = eng_new(rules);
	for (int i = 0; i < 4; i++)
		udp(g, 1000000 + i, "10.0.0.1", "10.0.0.2", "B");
	assert_int_equal(count_sid(g, 70), 2);
	udp(g, 1000010, "10.0.0.1", "10.0.0.2", "R");    /* reset */
	udp(g, 1000011, "10.0.0.1", "10.0.0.2", "B");
	assert_int_equal(count_sid(g, 70), 2);
	udp(g, 1000020, "10.0.0.9", "10.0.0.2", "B");    /* another flow: its own counter */
	assert_int_equal(count_sid(g, 70), 2);
	assert_int_equal(count_sid(g, 71), 0);
	udp(g, 2000000, "10.0.0.5", "10.0.0.2", "HIT");  /* not marked */
	assert_int_equal(count_sid(g, 73), 0);
	udp(g, 2000001, "10.0.0.5", "10.0.0.3", "MARK"); /* marks the host 10.0.0.5 */
	udp(g, 2000002, "10.0.0.5", "10.0.0.4", "HIT");  /* other flow, same source */
	assert_int_equal(count_sid(g, 73), 1);
	udp(g, 2000003, "10.0.0.6", "10.0.0.4", "HIT");  /* other source */
	assert_int_equal(count_sid(g, 73), 1);
	udp(g, 40000000, "10.0.0.5", "10.0.0.4", "HIT"); /* expired after 30 s */
	assert_int_equal(count_sid(g, 73), 1);
	eng_free(g);
}

static void test_engine_rejects_nothing_silently(void **state)
{
	(void)state;
	/* an engine over zero rules works and raises nothing */
	struct vg_sig_engine *e = NULL;
	assert_int_equal(vg_sig_engine_new_rules(NULL, 0, &e), 0);
	struct vg_packet p;
	build_udp(&p, 1, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	vg_sig_packet(e, &p, NULL, 0, NULL);
	struct vg_sig_stats s;
	vg_sig_get_stats(e, &s);
	assert_int_equal(s.rules, 0);
	assert_int_equal(s.alerts, 0);
	assert_int_equal(s.inspect_packet, 1);
	vg_sig_engine_free(e);
	vg_sig_engine_free(NULL);
}

static int setup(void **state)
{
	(void)state;
	return vg_rule_vars_default(&vars);
}

static int teardown(void **state)
{
	(void)state;
	vg_rule_vars_free(vars);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content),
		cmocka_unit_test(test_offset_depth),
		cmocka_unit_test(test_distance_within_backtrack),
		cmocka_unit_test(test_startswith_endswith),
		cmocka_unit_test(test_isdataat),
		cmocka_unit_test(test_byte_test),
		cmocka_unit_test(test_byte_jump_extract),
		cmocka_unit_test(test_byte_math),
		cmocka_unit_test(test_ipv4_hdr),
		cmocka_unit_test(test_pcrexform),
		cmocka_unit_test(test_pcre),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_http_buffers),
		cmocka_unit_test(test_dns_dotprefix),
		cmocka_unit_test(test_flowbits),
		cmocka_unit_test(test_threshold_and_detection_filter),
		cmocka_unit_test(test_detection_filter_unique_on),
		cmocka_unit_test(test_header_conditions),
		cmocka_unit_test(test_http_engine_once_per_tx),
		cmocka_unit_test(test_http_engine_transactional),
		cmocka_unit_test(test_stream_chunks),
		cmocka_unit_test(test_tls_once_per_flow),
		cmocka_unit_test(test_iponly),
		cmocka_unit_test(test_flowint_xbits),
		cmocka_unit_test(test_engine_rejects_nothing_silently),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
