/* Table tests of the Suricata rule parser (detect-rule-parse.c) and loader
 * (detect-rule-load.c): every supported keyword lands in the right AST field, the legacy
 * content-modifier forms attach contents to buffers as Suricata does, variables / negation /
 * ranges resolve to the right sets, and bad rules fail with their exact reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/core-addr.h"
#include "core/core-config.h"
#include "core/core-error.h"
#include "detect/detect-rule.h"

static struct vg_rule_vars *g_vars;

static int setup(void **state)
{
	(void)state;
	return vg_rule_vars_default(&g_vars);
}
static int teardown(void **state)
{
	(void)state;
	vg_rule_vars_free(g_vars);
	return 0;
}

static struct vg_rule *parse_ok(const char *text)
{
	struct vg_rule *r = NULL;
	char reason[256];
	uint32_t sid;
	int rc = vg_rule_parse(text, strlen(text), g_vars, &r, &sid, reason, sizeof(reason));
	if (rc != 0)
		fail_msg("rule failed (%d: %s): %s", rc, reason, text);
	assert_non_null(r);
	assert_int_equal(sid, r->sid);
	return r;
}

static void parse_err(const char *text, int want_rc, const char *want_reason, uint32_t want_sid)
{
	struct vg_rule *r = (struct vg_rule *)1;
	char reason[256];
	uint32_t sid = 12345;
	int rc = vg_rule_parse(text, strlen(text), g_vars, &r, &sid, reason, sizeof(reason));
	if (rc != want_rc || strcmp(reason, want_reason) != 0)
		fail_msg("want %d '%s', got %d '%s' for: %s", want_rc, want_reason, rc, reason, text);
	assert_null(r);
	assert_int_equal(sid, want_sid);
}

static struct vg_addr A(const char *s)
{
	struct vg_addr a;
	assert_int_equal(vg_addr_parse(s, strlen(s), &a), 0);
	return a;
}

/* ----------------------------------------------------------------------------------- */

static void test_header_and_output_options(void **state)
{
	(void)state;
	struct vg_rule *r = parse_ok(
		"drop tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (msg:\"a \\\"quoted\\\" \\; msg\"; "
		"sid:2000001; rev:7; gid:3; classtype:trojan-activity; priority:2; "
		"reference:url,example.com/x; reference:cve,2021-44228; "
		"metadata:created_at 2020_01_01, former_category MALWARE; target:dest_ip; "
		"tag:session,10,packets;)");
	assert_int_equal(r->action, VG_RULE_ACTION_DROP);
	assert_int_equal(r->proto, VG_RULE_PROTO_TCP);
	assert_int_equal(r->dir, VG_RULE_DIR_TO);
	assert_string_equal(r->msg, "a \"quoted\" ; msg");
	assert_int_equal(r->sid, 2000001);
	assert_int_equal(r->rev, 7);
	assert_int_equal(r->gid, 3);
	assert_string_equal(r->classtype, "trojan-activity");
	assert_int_equal(r->priority, 2);
	assert_int_equal(r->n_refs, 2);
	assert_string_equal(r->refs[0].type, "url");
	assert_string_equal(r->refs[0].value, "example.com/x");
	assert_string_equal(r->refs[1].type, "cve");
	assert_int_equal(r->n_metadata, 2);
	assert_string_equal(r->metadata[0], "created_at 2020_01_01");
	assert_string_equal(r->metadata[1], "former_category MALWARE");
	assert_true(r->flags & VG_RULE_F_TARGET_DST);
	assert_true(r->flags & VG_RULE_F_TAG);
	assert_int_equal(r->n_matches, 0);
	/* $HTTP_PORTS = 80 */
	assert_false(r->dport.any);
	assert_true(vg_rule_ports_match(&r->dport, 80));
	assert_false(vg_rule_ports_match(&r->dport, 81));
	assert_true(r->sport.any);
	vg_rule_free(r);

	r = parse_ok("alert ip any any <> any any (sid:5;)");
	assert_int_equal(r->dir, VG_RULE_DIR_BOTH);
	assert_int_equal(r->gid, 1);
	assert_true(r->src.any && r->dst.any);
	assert_string_equal(r->msg, "");
	vg_rule_free(r);

	static const struct {
		const char *proto;
		enum vg_rule_proto p;
	} protos[] = {
		{ "tcp-pkt", VG_RULE_PROTO_TCP_PKT }, { "tcp-stream", VG_RULE_PROTO_TCP_STREAM },
		{ "udp", VG_RULE_PROTO_UDP },         { "icmp", VG_RULE_PROTO_ICMP },
		{ "http", VG_RULE_PROTO_HTTP },       { "dns", VG_RULE_PROTO_DNS },
		{ "tls", VG_RULE_PROTO_TLS },         { "ip", VG_RULE_PROTO_IP },
	};
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		char buf[128];
		snprintf(buf, sizeof(buf), "pass %s any any -> any any (sid:1;)", protos[i].proto);
		r = parse_ok(buf);
		assert_int_equal(r->proto, protos[i].p);
		assert_int_equal(r->action, VG_RULE_ACTION_PASS);
		vg_rule_free(r);
	}
	r = parse_ok("rejectboth tcp any any -> any any (sid:1;)");
	assert_int_equal(r->action, VG_RULE_ACTION_REJECT);
	assert_int_equal(r->reject_kind, 2);
	vg_rule_free(r);
}

static void test_addresses(void **state)
{
	(void)state;
	struct vg_rule *r = parse_ok("alert tcp $HOME_NET any -> $EXTERNAL_NET any (sid:1;)");
	/* HOME_NET */
	assert_true(vg_rule_addrs_match(&r->src, &(struct vg_addr){ 0 }) == false);
	struct vg_addr in1 = A("192.168.1.1"), in2 = A("10.255.0.1"), in3 = A("172.31.255.255");
	struct vg_addr out1 = A("172.32.0.0"), out2 = A("8.8.8.8"), v6 = A("2001:db8::1");
	assert_true(vg_rule_addrs_match(&r->src, &in1));
	assert_true(vg_rule_addrs_match(&r->src, &in2));
	assert_true(vg_rule_addrs_match(&r->src, &in3));
	assert_false(vg_rule_addrs_match(&r->src, &out1));
	assert_false(vg_rule_addrs_match(&r->src, &out2));
	assert_false(vg_rule_addrs_match(&r->src, &v6));
	/* EXTERNAL_NET = !HOME_NET: the IPv4 rest and all of IPv6 (as Suricata) */
	assert_false(vg_rule_addrs_match(&r->dst, &in1));
	assert_false(vg_rule_addrs_match(&r->dst, &in3));
	assert_true(vg_rule_addrs_match(&r->dst, &out1));
	assert_true(vg_rule_addrs_match(&r->dst, &out2));
	assert_true(vg_rule_addrs_match(&r->dst, &v6));
	vg_rule_free(r);

	/* list with a negated member, nested list, range, IPv6 CIDR */
	r = parse_ok("alert ip [10.0.0.0/8,!10.1.0.0/16,[192.0.2.1-192.0.2.3]] any -> "
		     "[2001:db8::/32, !2001:db8::1] any (sid:2;)");
	struct vg_addr t1 = A("10.2.3.4"), t2 = A("10.1.2.3"), t3 = A("192.0.2.3"), t4 = A("192.0.2.4");
	assert_true(vg_rule_addrs_match(&r->src, &t1));
	assert_false(vg_rule_addrs_match(&r->src, &t2));
	assert_true(vg_rule_addrs_match(&r->src, &t3));
	assert_false(vg_rule_addrs_match(&r->src, &t4));
	struct vg_addr u1 = A("2001:db8::2"), u2 = A("2001:db8::1"), u3 = A("2001:db9::");
	assert_true(vg_rule_addrs_match(&r->dst, &u1));
	assert_false(vg_rule_addrs_match(&r->dst, &u2));
	assert_false(vg_rule_addrs_match(&r->dst, &u3));
	vg_rule_free(r);

	/* [!x] = any minus x; !!x = x; ![a,b] */
	r = parse_ok("alert ip [!1.2.3.4] any -> ![1.0.0.0/8,2.0.0.0/8] any (sid:3;)");
	struct vg_addr x = A("1.2.3.4"), y = A("1.2.3.5"), z = A("2.1.1.1"), w = A("3.1.1.1");
	assert_false(vg_rule_addrs_match(&r->src, &x));
	assert_true(vg_rule_addrs_match(&r->src, &y));
	assert_false(vg_rule_addrs_match(&r->dst, &y));
	assert_false(vg_rule_addrs_match(&r->dst, &z));
	assert_true(vg_rule_addrs_match(&r->dst, &w));
	vg_rule_free(r);

	r = parse_ok("alert ip !$EXTERNAL_NET any -> any any (sid:4;)");
	assert_true(vg_rule_addrs_match(&r->src, &in1));
	assert_false(vg_rule_addrs_match(&r->src, &out2));
	vg_rule_free(r);
}

static void test_ports(void **state)
{
	(void)state;
	struct vg_rule *r = parse_ok(
		"alert tcp any [1024:,!8080] -> any [80,443,8000:8010,!8005,$ORACLE_PORTS] (sid:1;)");
	assert_false(vg_rule_ports_match(&r->sport, 1023));
	assert_true(vg_rule_ports_match(&r->sport, 1024));
	assert_true(vg_rule_ports_match(&r->sport, 65535));
	assert_false(vg_rule_ports_match(&r->sport, 8080));
	assert_true(vg_rule_ports_match(&r->dport, 80));
	assert_true(vg_rule_ports_match(&r->dport, 443));
	assert_true(vg_rule_ports_match(&r->dport, 8004));
	assert_false(vg_rule_ports_match(&r->dport, 8005));
	assert_true(vg_rule_ports_match(&r->dport, 1521));
	assert_false(vg_rule_ports_match(&r->dport, 22));
	vg_rule_free(r);
	r = parse_ok("alert tcp any $SHELLCODE_PORTS -> any :1023 (sid:2;)");
	assert_false(vg_rule_ports_match(&r->sport, 80));
	assert_true(vg_rule_ports_match(&r->sport, 81));
	assert_true(vg_rule_ports_match(&r->dport, 0));
	assert_false(vg_rule_ports_match(&r->dport, 1024));
	vg_rule_free(r);
	r = parse_ok("alert tcp any any -> any $FILE_DATA_PORTS (sid:3;)");
	assert_true(vg_rule_ports_match(&r->dport, 80));
	assert_true(vg_rule_ports_match(&r->dport, 110));
	assert_true(vg_rule_ports_match(&r->dport, 143));
	assert_false(vg_rule_ports_match(&r->dport, 25));
	vg_rule_free(r);
}

static void test_variables_from_config(void **state)
{
	(void)state;
	const char *yaml = "vars:\n"
			   "  address-groups:\n"
			   "    HOME_NET: \"[203.0.113.0/24]\"\n"
			   "    DMZ: [198.51.100.1, 198.51.100.2]\n"
			   "  port-groups:\n"
			   "    HTTP_PORTS: \"[80,8080]\"\n";
	struct vg_config *cfg;
	struct vg_config_err e;
	assert_int_equal(vg_config_load_string(yaml, strlen(yaml), "t.yaml", &cfg, &e), 0);
	struct vg_rule_vars *v;
	assert_int_equal(vg_rule_vars_default(&v), 0);
	char err[128];
	assert_int_equal(vg_rule_vars_from_config(v, cfg, err, sizeof(err)), 0);
	const char *t = "alert tcp $EXTERNAL_NET any -> $DMZ $HTTP_PORTS (sid:1;)";
	struct vg_rule *r;
	char reason[128];
	assert_int_equal(vg_rule_parse(t, strlen(t), v, &r, NULL, reason, sizeof(reason)), 0);
	struct vg_addr home = A("203.0.113.9"), old_home = A("192.168.1.1"), d = A("198.51.100.2"),
		       nd = A("198.51.100.3");
	/* EXTERNAL_NET follows the overridden HOME_NET */
	assert_false(vg_rule_addrs_match(&r->src, &home));
	assert_true(vg_rule_addrs_match(&r->src, &old_home));
	assert_true(vg_rule_addrs_match(&r->dst, &d));
	assert_false(vg_rule_addrs_match(&r->dst, &nd));
	assert_true(vg_rule_ports_match(&r->dport, 8080));
	vg_rule_free(r);
	vg_rule_vars_free(v);
	vg_config_free(cfg);
}

static void test_content_modifiers(void **state)
{
	(void)state;
	struct vg_rule *r = parse_ok(
		"alert tcp any any -> any any (content:\"AB|43 44|E\\;\"; nocase; offset:2; depth:10; "
		"content:!\"xyz\"; distance:-3; within:20; content:\"pat\"; fast_pattern:1,2; "
		"content:\"start\"; startswith; content:\"end\"; endswith; rawbytes; sid:9;)");
	assert_int_equal(r->n_matches, 5);
	const struct vg_rule_content *c0 = &r->matches[0].u.content;
	assert_int_equal(r->matches[0].kind, VG_RULE_M_CONTENT);
	assert_int_equal(r->matches[0].buf, VG_RULE_BUF_PAYLOAD);
	assert_int_equal(c0->len, 6);
	assert_memory_equal(c0->bytes, "ABCDE;", 6);
	assert_true(c0->flags & VG_RULE_CONTENT_NOCASE);
	assert_true(c0->flags & VG_RULE_CONTENT_OFFSET);
	assert_true(c0->flags & VG_RULE_CONTENT_DEPTH);
	assert_int_equal(c0->offset, 2);
	assert_int_equal(c0->depth, 10);
	assert_int_equal(c0->offset_var, -1);
	assert_true(c0->flags & VG_RULE_CONTENT_RELATIVE_NEXT);
	const struct vg_rule_content *c1 = &r->matches[1].u.content;
	assert_true(c1->flags & VG_RULE_CONTENT_NEGATED);
	assert_int_equal(c1->distance, -3);
	assert_int_equal(c1->within, 20);
	assert_false(c1->flags & VG_RULE_CONTENT_NOCASE);
	const struct vg_rule_content *c2 = &r->matches[2].u.content;
	assert_true(c2->flags & VG_RULE_CONTENT_FAST_PATTERN);
	assert_true(c2->flags & VG_RULE_CONTENT_FP_CHOP);
	assert_int_equal(c2->fp_offset, 1);
	assert_int_equal(c2->fp_len, 2);
	const struct vg_rule_content *c3 = &r->matches[3].u.content;
	assert_true(c3->flags & VG_RULE_CONTENT_STARTSWITH);
	assert_int_equal(c3->depth, 5);
	assert_int_equal(c3->offset, 0);
	const struct vg_rule_content *c4 = &r->matches[4].u.content;
	assert_true(c4->flags & VG_RULE_CONTENT_ENDSWITH);
	assert_true(c4->flags & VG_RULE_CONTENT_RAWBYTES);
	vg_rule_free(r);

	r = parse_ok("alert tcp any any -> any any (content:\"x\"; fast_pattern:only; sid:1;)");
	assert_true(r->matches[0].u.content.flags & VG_RULE_CONTENT_FP_ONLY);
	vg_rule_free(r);
}

static void test_sticky_and_legacy_buffers(void **state)
{
	(void)state;
	static const struct {
		const char *kw;
		enum vg_rule_buf buf;
	} sticky[] = {
		{ "http.method", VG_RULE_BUF_HTTP_METHOD },
		{ "http.uri", VG_RULE_BUF_HTTP_URI },
		{ "http.uri.raw", VG_RULE_BUF_HTTP_URI_RAW },
		{ "http.host", VG_RULE_BUF_HTTP_HOST },
		{ "http.host.raw", VG_RULE_BUF_HTTP_HOST_RAW },
		{ "http.user_agent", VG_RULE_BUF_HTTP_UA },
		{ "http.header", VG_RULE_BUF_HTTP_HEADER },
		{ "http.header.raw", VG_RULE_BUF_HTTP_HEADER_RAW },
		{ "http.header_names", VG_RULE_BUF_HTTP_HEADER_NAMES },
		{ "http.cookie", VG_RULE_BUF_HTTP_COOKIE },
		{ "http.request_line", VG_RULE_BUF_HTTP_REQUEST_LINE },
		{ "http.request_body", VG_RULE_BUF_HTTP_REQUEST_BODY },
		{ "http.content_type", VG_RULE_BUF_HTTP_CONTENT_TYPE },
		{ "http.content_len", VG_RULE_BUF_HTTP_CONTENT_LEN },
		{ "http.referer", VG_RULE_BUF_HTTP_REFERER },
		{ "http.accept", VG_RULE_BUF_HTTP_ACCEPT },
		{ "http.accept_enc", VG_RULE_BUF_HTTP_ACCEPT_ENC },
		{ "http.accept_lang", VG_RULE_BUF_HTTP_ACCEPT_LANG },
		{ "http.connection", VG_RULE_BUF_HTTP_CONNECTION },
		{ "http.start", VG_RULE_BUF_HTTP_START },
		{ "http.protocol", VG_RULE_BUF_HTTP_PROTOCOL },
		{ "http.location", VG_RULE_BUF_HTTP_LOCATION },
		{ "http.server", VG_RULE_BUF_HTTP_SERVER },
		{ "http.stat_code", VG_RULE_BUF_HTTP_STAT_CODE },
		{ "http.stat_msg", VG_RULE_BUF_HTTP_STAT_MSG },
		{ "http.response_line", VG_RULE_BUF_HTTP_RESPONSE_LINE },
		{ "http.response_body", VG_RULE_BUF_HTTP_RESPONSE_BODY },
		{ "file.data", VG_RULE_BUF_FILE_DATA },
		{ "file_data", VG_RULE_BUF_FILE_DATA },
		{ "dns.query", VG_RULE_BUF_DNS_QUERY },
		{ "dns_query", VG_RULE_BUF_DNS_QUERY },
		{ "tls.sni", VG_RULE_BUF_TLS_SNI },
		{ "tls_sni", VG_RULE_BUF_TLS_SNI },
		{ "tls.certs", VG_RULE_BUF_TLS_CERTS },
		{ "tls.cert_subject", VG_RULE_BUF_TLS_CERT_SUBJECT },
		{ "tls.cert_issuer", VG_RULE_BUF_TLS_CERT_ISSUER },
		{ "ja3.hash", VG_RULE_BUF_JA3_HASH },
		{ "ja3_hash", VG_RULE_BUF_JA3_HASH },
		{ "ja3s.hash", VG_RULE_BUF_JA3S_HASH },
	};
	for (size_t i = 0; i < sizeof(sticky) / sizeof(sticky[0]); i++) {
		char buf[256];
		snprintf(buf, sizeof(buf),
			 "alert tcp any any -> any any (%s; content:\"a\"; pcre:\"/b/R\"; pkt_data; "
			 "content:\"c\"; sid:1;)",
			 sticky[i].kw);
		struct vg_rule *r = parse_ok(buf);
		assert_int_equal(r->n_matches, 3);
		assert_int_equal(r->matches[0].buf, sticky[i].buf);
		assert_int_equal(r->matches[1].buf, sticky[i].buf);
		assert_int_equal(r->matches[2].buf, VG_RULE_BUF_PAYLOAD);
		assert_true(r->bufs_used & (1ull << sticky[i].buf));
		assert_int_not_equal(r->alproto, 0);
		vg_rule_free(r);
	}
	static const struct {
		const char *kw;
		enum vg_rule_buf buf;
	} legacy[] = {
		{ "http_method", VG_RULE_BUF_HTTP_METHOD },
		{ "http_uri", VG_RULE_BUF_HTTP_URI },
		{ "http_raw_uri", VG_RULE_BUF_HTTP_URI_RAW },
		{ "http_host", VG_RULE_BUF_HTTP_HOST },
		{ "http_raw_host", VG_RULE_BUF_HTTP_HOST_RAW },
		{ "http_user_agent", VG_RULE_BUF_HTTP_UA },
		{ "http_header", VG_RULE_BUF_HTTP_HEADER },
		{ "http_raw_header", VG_RULE_BUF_HTTP_HEADER_RAW },
		{ "http_cookie", VG_RULE_BUF_HTTP_COOKIE },
		{ "http_client_body", VG_RULE_BUF_HTTP_REQUEST_BODY },
		{ "http_server_body", VG_RULE_BUF_HTTP_RESPONSE_BODY },
		{ "http_stat_code", VG_RULE_BUF_HTTP_STAT_CODE },
		{ "http_stat_msg", VG_RULE_BUF_HTTP_STAT_MSG },
	};
	for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++) {
		char buf[256];
		/* nocase before and distance after the modifier both apply to the moved content */
		snprintf(buf, sizeof(buf),
			 "alert http any any -> any any (content:\"a\"; content:\"b\"; nocase; %s; "
			 "distance:0; sid:1;)",
			 legacy[i].kw);
		struct vg_rule *r = parse_ok(buf);
		assert_int_equal(r->matches[0].buf, VG_RULE_BUF_PAYLOAD);
		assert_int_equal(r->matches[1].buf, legacy[i].buf);
		assert_true(r->matches[1].u.content.flags & VG_RULE_CONTENT_NOCASE);
		assert_true(r->matches[1].u.content.flags & VG_RULE_CONTENT_DISTANCE);
		/* relative to the previous item of ITS buffer: the payload content is not marked */
		assert_false(r->matches[0].u.content.flags & VG_RULE_CONTENT_RELATIVE_NEXT);
		vg_rule_free(r);
	}
	/* pcre buffer flags */
	struct vg_rule *r = parse_ok("alert http any any -> any any (pcre:\"/a/Ui\"; pcre:\"/b/H\"; "
				     "pcre:\"/c/P\"; pcre:\"/d/Q\"; pcre:\"/e/smxR\"; sid:1;)");
	assert_int_equal(r->matches[0].buf, VG_RULE_BUF_HTTP_URI);
	assert_true(r->matches[0].u.pcre.options & PCRE2_CASELESS);
	assert_int_equal(r->matches[1].buf, VG_RULE_BUF_HTTP_HEADER);
	assert_int_equal(r->matches[2].buf, VG_RULE_BUF_HTTP_REQUEST_BODY);
	assert_int_equal(r->matches[3].buf, VG_RULE_BUF_FILE_DATA);
	assert_int_equal(r->matches[4].buf, VG_RULE_BUF_PAYLOAD);
	assert_true(r->matches[4].u.pcre.flags & VG_RULE_PCRE_RELATIVE);
	assert_int_equal(r->matches[4].u.pcre.options,
			 PCRE2_DOTALL | PCRE2_MULTILINE | PCRE2_EXTENDED);
	assert_string_equal(r->matches[4].u.pcre.pattern, "e");
	vg_rule_free(r);
	/* sticky buffer on a plain tcp rule makes it an http rule */
	r = parse_ok("alert tcp any any -> any any (http.uri; content:\"/x\"; sid:1;)");
	assert_int_equal(r->alproto, VG_RULE_PROTO_HTTP);
	vg_rule_free(r);
}

static void test_payload_keywords(void **state)
{
	(void)state;
	struct vg_rule *r = parse_ok(
		"alert tcp any any -> any any (content:\"A\"; isdataat:!5,relative; "
		"byte_extract:2,0,len,relative,little; byte_test:4,!&,0x10,len,relative,big; "
		"byte_jump:2,3,relative,multiplier 2,post_offset -1,align,little,bitmask 0xff; "
		"byte_test:3,>=,100,0,string,dec; content:\"B\"; within:len; "
		"base64_decode:bytes 10,offset 2,relative; base64_data; content:\"dec\"; sid:1;)");
	assert_int_equal(r->n_matches, 9);
	assert_int_equal(r->matches[1].kind, VG_RULE_M_ISDATAAT);
	assert_true(r->matches[1].u.isdataat.negated);
	assert_true(r->matches[1].u.isdataat.relative);
	assert_int_equal(r->matches[1].u.isdataat.pos, 5);
	assert_int_equal(r->matches[2].kind, VG_RULE_M_BYTE_EXTRACT);
	assert_int_equal(r->n_byte_vars, 1);
	assert_string_equal(r->byte_vars[0], "len");
	assert_int_equal(r->matches[2].u.byte_extract.var, 0);
	assert_int_equal(r->matches[2].u.byte_extract.rd.endian, VG_RULE_ENDIAN_LITTLE);
	const struct vg_rule_byte_test *bt = &r->matches[3].u.byte_test;
	assert_int_equal(bt->op, VG_RULE_BT_AND);
	assert_true(bt->negated);
	assert_int_equal(bt->value, 0x10);
	assert_int_equal(bt->rd.offset_var, 0);
	assert_true(bt->rd.relative);
	const struct vg_rule_byte_jump *bj = &r->matches[4].u.byte_jump;
	assert_int_equal(bj->rd.nbytes, 2);
	assert_int_equal(bj->rd.offset, 3);
	assert_int_equal(bj->multiplier, 2);
	assert_int_equal(bj->post_offset, -1);
	assert_int_equal(bj->align, 4);
	assert_int_equal(bj->rd.bitmask, 0xff);
	const struct vg_rule_byte_test *bt2 = &r->matches[5].u.byte_test;
	assert_int_equal(bt2->op, VG_RULE_BT_GE);
	assert_int_equal(bt2->rd.base, VG_RULE_BASE_DEC);
	assert_int_equal(r->matches[6].u.content.within_var, 0);
	assert_int_equal(r->matches[7].kind, VG_RULE_M_BASE64_DECODE);
	assert_int_equal(r->matches[7].u.b64.bytes, 10);
	assert_int_equal(r->matches[7].u.b64.offset, 2);
	assert_true(r->matches[7].u.b64.relative);
	assert_int_equal(r->matches[8].buf, VG_RULE_BUF_BASE64_DATA);
	vg_rule_free(r);

	r = parse_ok("alert dns any any -> any any (dns.query; dotprefix; content:\".evil.com\"; "
		     "endswith; bsize:>8; sid:1;)");
	assert_int_equal(r->matches[0].buf, VG_RULE_BUF_DNS_QUERY);
	assert_true(r->matches[0].xform & VG_RULE_XFORM_DOTPREFIX);
	assert_int_equal(r->matches[1].kind, VG_RULE_M_BSIZE);
	assert_int_equal(r->matches[1].u.bsize.op, VG_RULE_CMP_GT);
	assert_int_equal(r->matches[1].u.bsize.a, 8);
	vg_rule_free(r);

	/* byte_math: key-value options in any order; result usable as a byte variable */
	r = parse_ok("alert tcp any any -> any any (ipv4.hdr; byte_extract:1,5,ev,relative; "
		     "byte_math:bytes 1, offset 1, oper *,rvalue ev, result var; "
		     "byte_test:1,=,var,1; sid:1;)");
	assert_int_equal(r->n_matches, 3);
	assert_int_equal(r->matches[1].kind, VG_RULE_M_BYTE_MATH);
	assert_int_equal(r->matches[1].buf, VG_RULE_BUF_IPV4_HDR);
	const struct vg_rule_byte_math *bm = &r->matches[1].u.byte_math;
	assert_int_equal(bm->rd.nbytes, 1);
	assert_int_equal(bm->rd.offset, 1);
	assert_int_equal(bm->oper, VG_RULE_BM_MUL);
	assert_int_equal(bm->rvalue_var, 0);
	assert_int_equal(bm->var, 1);
	assert_int_equal(r->n_byte_vars, 2);
	assert_string_equal(r->byte_vars[1], "var");
	assert_int_equal(r->matches[2].u.byte_test.value_var, 1);
	assert_int_equal(r->alproto, 0);
	vg_rule_free(r);
	r = parse_ok("alert tcp any any -> any any (content:\"A\"; byte_math:result r, rvalue 3, "
		     "oper <<, offset -1, bytes 3, relative, string hex, bitmask 0x0ff0; "
		     "byte_jump:1,0,relative; content:\"B\"; distance:r; sid:1;)");
	bm = &r->matches[1].u.byte_math;
	assert_int_equal(bm->oper, VG_RULE_BM_SHL);
	assert_int_equal(bm->rvalue, 3);
	assert_int_equal(bm->rvalue_var, -1);
	assert_int_equal(bm->rd.offset, -1);
	assert_true(bm->rd.relative);
	assert_int_equal(bm->rd.base, VG_RULE_BASE_HEX);
	assert_int_equal(bm->rd.bitmask, 0);
	assert_int_equal(bm->bitmask, 0x0ff0);
	assert_true(r->matches[0].u.content.flags & VG_RULE_CONTENT_RELATIVE_NEXT);
	assert_int_equal(r->matches[3].u.content.distance_var, 0);
	vg_rule_free(r);
	r = parse_ok("alert tcp any any -> any any (byte_math:bytes 4,offset 0,oper /,rvalue 2,"
		     "result q,endian little; sid:1;)");
	assert_int_equal(r->matches[0].u.byte_math.rd.endian, VG_RULE_ENDIAN_LITTLE);
	assert_int_equal(r->matches[0].u.byte_math.oper, VG_RULE_BM_DIV);
	vg_rule_free(r);

	r = parse_ok("alert tcp any any -> any any (detection_filter:track by_src, count 1, "
		     "seconds 60, unique_on dst_port; sid:1;)");
	assert_int_equal(r->detection_filter.type, VG_RULE_THR_DETECTION_FILTER);
	assert_int_equal(r->detection_filter.unique_on, VG_RULE_UNIQUE_DST_PORT);
	assert_int_equal(r->detection_filter.count, 1);
	assert_int_equal(r->threshold.unique_on, 0);
	vg_rule_free(r);

	/* pcrexform: one pattern per buffer, the index kept in the xform bits */
	r = parse_ok("alert http any any -> any any (http.request_line; "
		     "pcrexform:\"[a-zA-Z]+\\s+(.*)\\s+HTTP\"; content:\"/x\"; "
		     "http.host; pcrexform:\"([a-z]+)\\.com\"; content:\"a\"; sid:1;)");
	assert_int_equal(r->n_xform_pcres, 2);
	assert_string_equal(r->xform_pcres[0], "[a-zA-Z]+\\s+(.*)\\s+HTTP");
	assert_string_equal(r->xform_pcres[1], "([a-z]+)\\.com");
	assert_true(r->matches[0].xform & VG_RULE_XFORM_PCREXFORM);
	assert_int_equal(VG_RULE_XFORM_PCRE_IDX(r->matches[0].xform), 0);
	assert_int_equal(VG_RULE_XFORM_PCRE_IDX(r->matches[1].xform), 1);
	vg_rule_free(r);

	/* the transform applies to what follows it only (ET sid 2044076's shape) */
	r = parse_ok("alert dns any any -> any any (dns.query; content:\"rs-\"; startswith; "
		     "pcre:\"/[a-z]{2}/R\"; dotprefix; content:\".rustdesk.com\"; endswith; sid:1;)");
	assert_int_equal(r->n_matches, 3);
	assert_int_equal(r->matches[0].xform, 0);
	assert_int_equal(r->matches[1].xform, 0);
	assert_int_equal(r->matches[2].xform, VG_RULE_XFORM_DOTPREFIX);
	assert_true(r->matches[0].u.content.flags & VG_RULE_CONTENT_RELATIVE_NEXT);
	vg_rule_free(r);

	/* multi-instance buffers: a repeated dns.query is a new instance; http.uri is not */
	r = parse_ok("alert dns any any -> any any (dns.query; content:\"example\"; dns.query; "
		     "content:\".com\"; sid:1;)");
	assert_int_equal(r->matches[0].inst, 0);
	assert_int_equal(r->matches[1].inst, 1);
	assert_false(r->matches[0].u.content.flags & VG_RULE_CONTENT_RELATIVE_NEXT);
	vg_rule_free(r);
	r = parse_ok("alert http any any -> any any (http.uri; content:\"/a\"; http.header; "
		     "content:\"x\"; http.uri; content:\"/b\"; distance:0; sid:1;)");
	assert_int_equal(r->matches[0].inst, 0);
	assert_int_equal(r->matches[2].inst, 0);
	assert_true(r->matches[0].u.content.flags & VG_RULE_CONTENT_RELATIVE_NEXT);
	vg_rule_free(r);

	r = parse_ok("alert tls any any -> any any (tls.version:1.2; sid:1;)");
	assert_int_equal(r->matches[0].kind, VG_RULE_M_TLS_VERSION);
	assert_int_equal(r->matches[0].u.tls_version.version, 0x0303);
	vg_rule_free(r);
}

static void test_nonpayload_keywords(void **state)
{
	(void)state;
	struct vg_rule *r = parse_ok(
		"alert tcp any any -> any any (flow:established,to_server,no_stream; flags:S+,12; "
		"ttl:<10; dsize:300<>400; stream_size:server,>=,100; "
		"threshold:type limit, track by_src, count 1, seconds 60; "
		"detection_filter:track by_dst, count 5, seconds 10; "
		"flowbits:set,a; flowbits:isset,b|c; flowbits:noalert; "
		"xbits:set,x,track ip_src,expire 30; flowint:cnt,+,1; flowint:cnt,>,other; "
		"app-layer-protocol:!tls; sid:1;)");
	assert_int_equal(r->flow, VG_RULE_FLOW_ESTABLISHED | VG_RULE_FLOW_TO_SERVER |
					  VG_RULE_FLOW_NO_STREAM);
	assert_int_equal(r->tcp_flags.mod, VG_RULE_FLAGS_PLUS);
	assert_int_equal(r->tcp_flags.bits, VG_RULE_TCP_SYN);
	assert_int_equal(r->tcp_flags.ignore, VG_RULE_TCP_CWR | VG_RULE_TCP_ECE);
	assert_int_equal(r->ttl.op, VG_RULE_CMP_LT);
	assert_int_equal(r->ttl.a, 10);
	assert_int_equal(r->dsize.op, VG_RULE_CMP_RANGE);
	assert_false(vg_rule_num_match(&r->dsize, 300));
	assert_true(vg_rule_num_match(&r->dsize, 301));
	assert_false(vg_rule_num_match(&r->dsize, 400));
	assert_int_equal(r->stream_side, VG_RULE_SS_SERVER);
	assert_int_equal(r->stream_size.op, VG_RULE_CMP_GE);
	assert_int_equal(r->threshold.type, VG_RULE_THR_LIMIT);
	assert_int_equal(r->threshold.track, VG_RULE_TRACK_SRC);
	assert_int_equal(r->threshold.count, 1);
	assert_int_equal(r->threshold.seconds, 60);
	assert_int_equal(r->detection_filter.type, VG_RULE_THR_DETECTION_FILTER);
	assert_int_equal(r->detection_filter.track, VG_RULE_TRACK_DST);
	assert_int_equal(r->detection_filter.count, 5);
	assert_int_equal(r->n_flowbits, 2);
	assert_int_equal(r->flowbits[0].cmd, VG_RULE_FB_SET);
	assert_string_equal(r->flowbits[0].names[0], "a");
	assert_int_equal(r->flowbits[1].cmd, VG_RULE_FB_ISSET);
	assert_int_equal(r->flowbits[1].n_names, 2);
	assert_true(r->flowbits[1].any_of);
	assert_string_equal(r->flowbits[1].names[1], "c");
	assert_true(r->flags & VG_RULE_F_NOALERT);
	assert_int_equal(r->n_xbits, 1);
	assert_int_equal(r->xbits[0].track, VG_RULE_XB_IP_SRC);
	assert_int_equal(r->xbits[0].expire, 30);
	assert_int_equal(r->n_flowints, 2);
	assert_int_equal(r->flowints[0].op, VG_RULE_FI_ADD);
	assert_int_equal(r->flowints[0].value, 1);
	assert_int_equal(r->flowints[1].op, VG_RULE_FI_GT);
	assert_string_equal(r->flowints[1].value_var, "other");
	assert_string_equal(r->app_proto, "tls");
	assert_true(r->flags & VG_RULE_F_APP_PROTO_NEG);
	vg_rule_free(r);

	/* repeated app-layer-protocol and stream_size: all kept (all must hold) */
	r = parse_ok("alert tcp any any -> any any (app-layer-protocol:!http; "
		     "app-layer-protocol:!tls; stream_size:client,=,1; stream_size:server,<,10; "
		     "content:\"a\"; byte_jump:0,0,relative,post_offset -7; sid:1;)");
	assert_int_equal(r->n_app_protos, 2);
	assert_string_equal(r->app_protos[0].name, "http");
	assert_true(r->app_protos[0].negated);
	assert_string_equal(r->app_protos[1].name, "tls");
	assert_true(r->app_protos[1].negated);
	assert_string_equal(r->app_proto, "http");
	assert_true(r->flags & VG_RULE_F_APP_PROTO_NEG);
	assert_int_equal(r->n_stream_sizes, 2);
	assert_int_equal(r->stream_sizes[0].side, VG_RULE_SS_CLIENT);
	assert_int_equal(r->stream_sizes[0].cmp.op, VG_RULE_CMP_EQ);
	assert_int_equal(r->stream_sizes[1].side, VG_RULE_SS_SERVER);
	assert_int_equal(r->stream_sizes[1].cmp.op, VG_RULE_CMP_LT);
	assert_int_equal(r->stream_sizes[1].cmp.a, 10);
	assert_int_equal(r->stream_side, VG_RULE_SS_CLIENT);
	assert_int_equal(r->matches[1].u.byte_jump.rd.nbytes, 0);
	assert_int_equal(r->matches[1].u.byte_jump.post_offset, -7);
	vg_rule_free(r);

	r = parse_ok("alert icmp any any -> any any (itype:8; icode:>0; flags:0; sid:1;)");
	assert_int_equal(r->itype.op, VG_RULE_CMP_EQ);
	assert_int_equal(r->itype.a, 8);
	assert_int_equal(r->icode.op, VG_RULE_CMP_GT);
	assert_int_equal(r->tcp_flags.mod, VG_RULE_FLAGS_EXACT);
	assert_int_equal(r->tcp_flags.bits, 0);
	vg_rule_free(r);

	r = parse_ok("alert http any any -> any any (urilen:<5,raw; flags:!R; sid:1;)");
	assert_int_equal(r->urilen.op, VG_RULE_CMP_LT);
	assert_true(r->flags & VG_RULE_F_URILEN_RAW);
	assert_int_equal(r->tcp_flags.mod, VG_RULE_FLAGS_NOT);
	vg_rule_free(r);
}

static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *rule;
		int rc;
		const char *reason;
		uint32_t sid;
	} cases[] = {
		{ "alert smtp any any -> any any (sid:1;)", VG_ENOTSUP, "unsupported protocol 'smtp'", 1 },
		{ "alert tcp any any -> any any (asn1:oversize_length 100; sid:2;)", VG_ENOTSUP,
		  "unsupported keyword 'asn1'", 2 },
		{ "alert tcp any any -> any any (nocase; sid:3;)", VG_EINVAL,
		  "'nocase' needs a preceding content", 3 },
		{ "alert tcp any any -> any any (http_uri; content:\"a\"; sid:4;)", VG_EINVAL,
		  "'http_uri' needs a preceding content", 4 },
		{ "alert tcp any any -> any any (content:\"abc\"; depth:2; sid:5;)", VG_EINVAL,
		  "depth 2 smaller than content length 3", 5 },
		{ "alert tcp any any -> any any (content:\"abc\"; within:2; sid:6;)", VG_EINVAL,
		  "within 2 smaller than content length 3", 6 },
		{ "alert tcp any any -> any any (content:\"a\"; offset:1; distance:1; sid:7;)", VG_EINVAL,
		  "distance can't be mixed with offset or depth on the same content", 7 },
		{ "alert tcp any any -> any any (pcre:\"/a(/\"; sid:8;)", VG_EINVAL,
		  "pcre: compile error at offset 2: missing closing parenthesis", 8 },
		{ "alert tcp any any -> any any (content:\"|4|\"; sid:9;)", VG_EINVAL,
		  "content: odd number of hex digits", 9 },
		{ "alert tcp any any -> any any (content:\"a\"; sid:10)", VG_EINVAL,
		  "option 'sid' not terminated by ';'", 10 },
		{ "alert tcp any any -> any any (msg:\"x\";)", VG_EINVAL, "no sid", 0 },
		{ "alert tcp $NOPE any -> any any (sid:12;)", VG_EINVAL,
		  "unknown address variable '$NOPE'", 12 },
		{ "alert tcp any any -> any 70000 (sid:13;)", VG_EINVAL, "bad port '70000'", 13 },
		{ "alert tcp !any any -> any any (sid:14;)", VG_EINVAL, "address '!any' matches nothing",
		  14 },
		{ "alert tcp any any <- any any (sid:15;)", VG_EINVAL, "bad direction '<-'", 15 },
		{ "alert http any any -> any any (http.uri; http.header; content:\"a\"; sid:37;)",
		  VG_EINVAL, "sticky buffer http.uri has no matches", 37 },
		{ "alert http any any -> any any (content:\"a\"; http.uri; sid:38;)", VG_EINVAL,
		  "sticky buffer http.uri has no matches", 38 },
		{ "alert dns any any -> any any (dns.query; dotprefix; sid:39;)", VG_EINVAL,
		  "no matches following transform(s)", 39 },
		{ "alert dns any any -> any any (dns.query; dotprefix; content:\".a\"; dotprefix; "
		  "content:\"b\"; sid:40;)",
		  VG_EINVAL, "transforms must directly follow stickybuffers", 40 },
		{ "alert tcp any any -> any any (content:\"a\"; base64_decode; base64_data; "
		  "content:\"b\"; pkt_data; content:\"c\"; sid:41;)",
		  VG_EINVAL, "rule buffer cannot be reset after base64_data", 41 },
		{ "alert tcp any any -> any any (content:\"a\"; fast_pattern:only; offset:1; sid:42;)",
		  VG_EINVAL, "offset can't be used with fast_pattern:only", 42 },
		{ "alert tcp any any -> any any (content:!\"a\"; depth:3; fast_pattern; sid:43;)",
		  VG_EINVAL,
		  "fast_pattern can't be used on a negated content with offset, depth, distance or "
		  "within",
		  43 },
		{ "alert tcp any any -> any any (content:\"abc\"; fast_pattern:2,2; sid:44;)", VG_EINVAL,
		  "fast_pattern offset + length 4 exceeds the content length 3", 44 },
		{ "alert tcp any any -> any any (content:\"a\"; fast_pattern; fast_pattern; sid:45;)",
		  VG_EINVAL, "fast_pattern given twice for one content", 45 },
		/* "=>" needs transactions: vigil has them for HTTP only */
		{ "alert tcp any any => any any (sid:35;)", VG_ENOTSUP,
		  "transactional rule (=>) on tcp (vigil has http transactions only)", 35 },
		{ "alert tcp any any -> any any (byte_test:0,=,0,0,string,dec; sid:36;)", VG_EINVAL,
		  "byte_test: nbytes must be at least 1", 36 },
		{ "alert tcp any any -> any any (flow:to_server,to_client; sid:16;)", VG_EINVAL,
		  "flow: to_server and to_client together", 16 },
		{ "alert dns any any -> any any (http.uri; content:\"a\"; sid:17;)", VG_EINVAL,
		  "'http.uri' is a http keyword, rule protocol is dns", 17 },
		{ "alert tcp any any -> any any (http.uri; content:\"a\"; http_header; sid:18;)", VG_EINVAL,
		  "'http_header' seen with a sticky buffer still set (reset it with pkt_data)", 18 },
		{ "alert tcp any any -> any any (content:\"a\"; fast_pattern; content:\"b\"; "
		  "fast_pattern; sid:19;)",
		  VG_EINVAL, "fast_pattern can be used on only one content in a rule", 19 },
		{ "alert http any any -> any any (http.uri; content:\"abcdef\"; bsize:3; sid:20;)",
		  VG_EINVAL, "content length 6 exceeds bsize, rule can't match", 20 },
		{ "alert tcp any any -> any any (content:\"a\"; within:nope; sid:21;)", VG_EINVAL,
		  "within: unknown byte_extract variable 'nope'", 21 },
		{ "alert tcp any any -> any any (base64_data; content:\"a\"; sid:22;)", VG_EINVAL,
		  "base64_data needs a preceding base64_decode", 22 },
		{ "alert tcp any any -> any any (content:\"a\\x\"; sid:23;)", VG_EINVAL,
		  "content: '\\x' is not a valid escape", 23 },
		{ "bogus tcp any any -> any any (sid:24;)", VG_EINVAL, "unknown action 'bogus'", 24 },
		{ "alert tcp any any -> any any sid:25;", VG_EINVAL, "no option list in parentheses", 25 },
		{ "alert tcp any any -> any any (content:\"a\"; nocase; nocase; sid:26;)", VG_EINVAL,
		  "nocase given twice for one content", 26 },
		{ "alert tcp any any -> any any (content:\"a\"; pcre:\"/x/Uz\"; sid:27;)", VG_EINVAL,
		  "pcre: unknown modifier 'z'", 27 },
		{ "alert tcp any any -> any any (byte_test:9,=,1,0; sid:28;)", VG_EINVAL,
		  "byte_test: nbytes 9 larger than 8", 28 },
		{ "alert tcp any any -> any any (threshold:type limit, count 1; sid:29;)", VG_EINVAL,
		  "threshold: needs type, track, count and seconds", 29 },
		{ "alert tcp any any -> any any (bsize:5; sid:30;)", VG_EINVAL,
		  "bsize needs a sticky buffer", 30 },
		{ "alert tcp-stream any any -> any any (dsize:>10; sid:33;)", VG_EINVAL,
		  "can't mix packet keywords with tcp-stream or flow:only_stream", 33 },
		{ "alert http any any -> any any (http.method; content:\"GET \"; sid:34;)", VG_EINVAL,
		  "http.method content with leading or trailing white space", 34 },
		{ "alert tcp any any -> any any (byte_math:bytes 1,offset 0,oper +,rvalue 1; sid:46;)",
		  VG_EINVAL, "byte_math: needs bytes, offset, oper, rvalue, result", 46 },
		{ "alert tcp any any -> any any (byte_math:bytes 1,offset 0,oper &,rvalue 1,result x; "
		  "sid:47;)",
		  VG_EINVAL, "byte_math: bad oper '&'", 47 },
		{ "alert tcp any any -> any any (byte_math:bytes 5,offset 0,oper +,rvalue 1,result x; "
		  "sid:48;)",
		  VG_EINVAL, "byte_math: bytes 5 larger than 4 without string", 48 },
		{ "alert tcp any any -> any any (byte_math:bytes 11,offset 0,oper +,rvalue 1,result x, "
		  "string dec; sid:49;)",
		  VG_EINVAL, "byte_math: bytes must be 1..10", 49 },
		{ "alert tcp any any -> any any (byte_math:bytes 1,offset 0,oper +,rvalue nope,result x; "
		  "sid:50;)",
		  VG_EINVAL, "byte_math: unknown byte_extract variable 'nope'", 50 },
		{ "alert tcp any any -> any any (byte_extract:1,0,x; byte_math:bytes 1,offset 0,oper +,"
		  "rvalue 1,result x; sid:51;)",
		  VG_EINVAL, "byte_math: variable 'x' defined twice", 51 },
		{ "alert tcp any any -> any any (byte_math:bytes 2,offset 0,oper +,rvalue 1,result x,"
		  "endian dce; sid:52;)",
		  VG_ENOTSUP, "unsupported protocol 'dcerpc' (byte_math dce)", 52 },
		{ "alert http any any -> any any (http.uri; pcrexform:\"abc\"; content:\"a\"; sid:53;)",
		  VG_EINVAL, "pcrexform: the regex needs a capture group", 53 },
		{ "alert http any any -> any any (pcrexform:\"(a)\"; content:\"a\"; sid:54;)",
		  VG_EINVAL, "pcrexform needs a sticky buffer", 54 },
		{ "alert http any any -> any any (http.uri; pcrexform:\"(a\"; content:\"a\"; sid:55;)",
		  VG_EINVAL, "pcrexform: compile error at offset 2: missing closing parenthesis", 55 },
		{ "alert http any any -> any any (http.uri; pcrexform:\"(a)\"; sid:56;)",
		  VG_EINVAL, "no matches following transform(s)", 56 },
		{ "alert tcp any any -> any any (threshold:type limit, track by_src, count 1, seconds 6, "
		  "unique_on src_port; sid:57;)",
		  VG_ENOTSUP, "unsupported threshold option 'unique_on'", 57 },
		{ "alert tcp any any -> any any (detection_filter:track by_src, count 1, seconds 6, "
		  "unique_on src_ip; sid:58;)",
		  VG_EINVAL, "detection_filter: bad unique_on 'src_ip'", 58 },
		{ "alert tcp any any -> any any (byte_test:2,=,1,0,dce; sid:31;)", VG_ENOTSUP,
		  "unsupported protocol 'dcerpc' (byte_test dce)", 31 },
		{ "alert http any any -> any any (http.host; content:\"Evil.com\"; sid:32;)", VG_EINVAL,
		  "http.host content with upper case can't match the lower-cased buffer (use nocase)",
		  32 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		parse_err(cases[i].rule, cases[i].rc, cases[i].reason, cases[i].sid);
}

/* Transactional rules ("=>", Suricata 8): every HTTP item gets the side of the transaction
 * it inspects; buffers of both sides take "to_client"/"to_server", request by default. */
static void test_transactional(void **state)
{
	(void)state;
	struct vg_rule *r = parse_ok(
		"alert http any any => 10.0.0.0/8 80 (urilen:15; http.method; content:\"POST\"; "
		"http.uri; content:\"/wd/hub\"; fast_pattern; http.stat_code; content:\"500\"; "
		"file.data: to_client; content:\"Exception\"; content:\"chrome\"; distance:0; "
		"http.header; content:\"X-Req\"; http.header: to_client; content:\"X-Resp\"; "
		"file.data: to_server; content:\"args\"; sid:1;)");
	assert_int_equal(r->dir, VG_RULE_DIR_TX);
	assert_int_equal(r->alproto, VG_RULE_PROTO_HTTP);
	assert_int_equal(r->n_matches, 8);
	static const struct {
		enum vg_rule_buf buf;
		uint8_t txdir;
	} want[] = {
		{ VG_RULE_BUF_HTTP_METHOD, VG_RULE_TXDIR_TOSERVER },
		{ VG_RULE_BUF_HTTP_URI, VG_RULE_TXDIR_TOSERVER },
		{ VG_RULE_BUF_HTTP_STAT_CODE, VG_RULE_TXDIR_TOCLIENT },
		{ VG_RULE_BUF_FILE_DATA, VG_RULE_TXDIR_TOCLIENT },
		{ VG_RULE_BUF_FILE_DATA, VG_RULE_TXDIR_TOCLIENT },
		{ VG_RULE_BUF_HTTP_HEADER, VG_RULE_TXDIR_TOSERVER }, /* no direction: request */
		{ VG_RULE_BUF_HTTP_HEADER, VG_RULE_TXDIR_TOCLIENT },
		{ VG_RULE_BUF_FILE_DATA, VG_RULE_TXDIR_TOSERVER },
	};
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(r->matches[i].buf, want[i].buf);
		assert_int_equal(r->matches[i].txdir, want[i].txdir);
	}
	/* the relative content chains to the to_client file.data item before it */
	assert_true(r->matches[3].u.content.flags & VG_RULE_CONTENT_RELATIVE_NEXT);
	/* http.header to_server and to_client are different lists: no RELATIVE_NEXT */
	assert_false(r->matches[5].u.content.flags & VG_RULE_CONTENT_RELATIVE_NEXT);
	vg_rule_free(r);

	/* legacy modifiers and flow:established are fine; the header's addresses as written */
	r = parse_ok("alert tcp 10.1.0.0/16 any => any 8080 (flow:established; content:\"GET\"; "
		     "http_method; content:\"200\"; http_stat_code; isdataat:1,relative; sid:2;)");
	assert_int_equal(r->dir, VG_RULE_DIR_TX);
	assert_int_equal(r->alproto, VG_RULE_PROTO_HTTP);
	assert_int_equal(r->matches[0].txdir, VG_RULE_TXDIR_TOSERVER);
	assert_int_equal(r->matches[1].txdir, VG_RULE_TXDIR_TOCLIENT);
	assert_int_equal(r->matches[2].txdir, VG_RULE_TXDIR_TOCLIENT); /* follows its content */
	assert_int_equal(r->dport.n, 1);
	assert_int_equal(r->dport.r[0].lo, 8080);
	vg_rule_free(r);

	/* other rules carry no side, and <> stays as it was */
	r = parse_ok("alert http any any <> any any (file.data; content:\"x\"; sid:3;)");
	assert_int_equal(r->dir, VG_RULE_DIR_BOTH);
	assert_int_equal(r->matches[0].txdir, VG_RULE_TXDIR_NONE);
	vg_rule_free(r);
	r = parse_ok("alert http any any -> any any (http.uri; content:\"x\"; sid:4;)");
	assert_int_equal(r->dir, VG_RULE_DIR_TO);
	assert_int_equal(r->matches[0].txdir, VG_RULE_TXDIR_NONE);
	vg_rule_free(r);

	parse_err("alert http any any => any any (flow:established,to_server; http.uri; "
		  "content:\"a\"; sid:10;)",
		  VG_EINVAL, "flow: to_server in a transactional rule (=>)", 10);
	parse_err("alert http any any => any any (flow:to_client; http.stat_code; content:\"200\"; "
		  "sid:11;)",
		  VG_EINVAL, "flow: to_client in a transactional rule (=>)", 11);
	parse_err("alert http any any -> any any (file.data: to_client; content:\"a\"; sid:12;)",
		  VG_EINVAL, "file.data: a direction (to_client) needs a transactional rule (=>)", 12);
	parse_err("alert http any any => any any (http.uri: to_client; content:\"a\"; sid:13;)",
		  VG_EINVAL, "http.uri is a request buffer: it can't be to_client", 13);
	parse_err("alert http any any => any any (http.stat_code: to_server; content:\"2\"; sid:14;)",
		  VG_EINVAL, "http.stat_code is a response buffer: it can't be to_server", 14);
	parse_err("alert http any any => any any (file.data: sideways; content:\"a\"; sid:15;)",
		  VG_EINVAL, "file.data: unknown value 'sideways' (to_server or to_client)", 15);
	parse_err("alert dns any any => any any (dns.query; content:\"a\"; sid:16;)", VG_ENOTSUP,
		  "transactional rule (=>) on dns (vigil has http transactions only)", 16);
	parse_err("alert http any any => any any (content:\"a\"; http.uri; content:\"b\"; sid:17;)",
		  VG_ENOTSUP, "transactional rule (=>) with pkt_data keywords (only http buffers)", 17);
	parse_err("alert tls any any => any any (tls.sni: to_server; content:\"a\"; sid:18;)",
		  VG_ENOTSUP, "tls.sni: no transaction direction (only http buffers in => rules)", 18);
}

/* The loader: comments, disabled rules, continuation lines, duplicates, skip reasons with
 * file and line, classtypes. */
static void test_loader(void **state)
{
	(void)state;
	const char *text =
		"# a comment\n"
		"\n"
		"#alert tcp any any -> any any (msg:\"disabled\"; sid:100;)\n"
		"alert tcp any any -> any any (msg:\"one\"; classtype:trojan-activity; sid:1; rev:1;)\n"
		"alert http any any -> any any (msg:\"two\"; \\\n"
		"   http.uri; content:\"/x\"; \\\n"
		"   sid:2;)\n"
		"alert smtp any any -> any any (msg:\"smtp\"; sid:3;)\n"
		"alert tcp any any -> any any (msg:\"dup\"; sid:1;)\n"
		"alert tcp any any -> any any (msg:\"bad\"; foo:bar; sid:4;)\n"
		"alert tcp any any -> any any (msg:\"cls\"; classtype:no-such-class; sid:5;)\n"
		"alert tcp any any -> any any (msg:\"c2\"; classtype:command-and-control; sid:6;)\n";
	struct vg_ruleset *rs;
	char err[256];
	/* classification.config named by the config (rules.classification-file) */
	char cls[] = "/tmp/vg-test-class-XXXXXX";
	int fd = mkstemp(cls);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("config classification: trojan-activity,A Network Trojan was detected,1\n", f);
	fclose(f);
	char yaml[256];
	snprintf(yaml, sizeof(yaml), "rules:\n  classification-file: %s\n", cls);
	struct vg_config *cfg;
	struct vg_config_err e;
	assert_int_equal(vg_config_load_string(yaml, strlen(yaml), "t.yaml", &cfg, &e), 0);
	assert_int_equal(vg_ruleset_load_buffer(text, strlen(text), "t.rules", cfg, &rs, err,
						sizeof(err)),
			 0);
	vg_config_free(cfg);
	unlink(cls);
	assert_int_equal(vg_ruleset_count(rs), 3);
	const struct vg_rule *r1 = vg_ruleset_get(rs, 0);
	assert_int_equal(r1->sid, 1);
	assert_int_equal(r1->line, 4);
	assert_string_equal(r1->file, "t.rules");
	assert_string_equal(r1->msg, "one");
	assert_string_equal(r1->class_desc, "A Network Trojan was detected");
	assert_int_equal(r1->priority, 1);
	const struct vg_rule *r2 = vg_ruleset_get(rs, 1);
	assert_int_equal(r2->sid, 2);
	assert_int_equal(r2->line, 5);
	assert_int_equal(r2->matches[0].buf, VG_RULE_BUF_HTTP_URI);
	const struct vg_rule *r6 = vg_ruleset_get(rs, 2);
	assert_int_equal(r6->sid, 6); /* a built-in ET classtype the file lacks */
	assert_int_equal(r6->priority, 1);
	assert_string_equal(r6->class_desc, "Malware Command and Control Activity Detected");

	size_t ns = vg_ruleset_skipped_count(rs);
	assert_int_equal(ns, 4);
	const struct vg_rule_skipped *s = vg_ruleset_skipped(rs, 0);
	assert_int_equal(s->line, 8);
	assert_int_equal(s->sid, 3);
	assert_string_equal(s->reason, "unsupported protocol 'smtp'");
	assert_string_equal(s->file, "t.rules");
	s = vg_ruleset_skipped(rs, 1);
	assert_int_equal(s->line, 10);
	assert_int_equal(s->sid, 4);
	assert_string_equal(s->reason, "unsupported keyword 'foo'");
	s = vg_ruleset_skipped(rs, 2);
	assert_int_equal(s->sid, 5);
	assert_int_equal(s->line, 11);
	assert_string_equal(s->reason, "unknown classtype 'no-such-class'");
	s = vg_ruleset_skipped(rs, ns - 1);
	assert_int_equal(s->line, 9);
	assert_int_equal(s->sid, 1);
	assert_string_equal(s->reason, "duplicate sid");
	assert_int_equal(vg_ruleset_duplicates(rs), 1);
	/* reasons grouped */
	size_t total = 0;
	for (size_t i = 0; i < vg_ruleset_reason_count(rs); i++) {
		const char *reason;
		size_t count;
		vg_ruleset_reason(rs, i, &reason, &count);
		assert_int_equal(count, 1);
		total += count;
	}
	assert_int_equal(total, ns);
	vg_ruleset_free(rs);
	vg_ruleset_free(NULL);
	vg_rule_free(NULL);
}

/* CRLF line ends, a continuation on the last line, an over-long rule, a bad variable in
 * the config. */
static void test_loader_edges(void **state)
{
	(void)state;
	struct vg_ruleset *rs;
	char err[256];
	const char *crlf = "alert tcp any any -> any any (msg:\"a\"; \\\r\n sid:1;)\r\n"
			   "alert tcp any any -> any any (msg:\"b\"; sid:2;)\\";
	assert_int_equal(vg_ruleset_load_buffer(crlf, strlen(crlf), "c.rules", NULL, &rs, err,
						sizeof(err)),
			 0);
	assert_int_equal(vg_ruleset_count(rs), 2);
	assert_int_equal(vg_ruleset_get(rs, 1)->line, 3);
	assert_int_equal(vg_ruleset_skipped_count(rs), 0);
	vg_ruleset_free(rs);

	size_t big = 70000;
	static const char tail[] = "\"; sid:7;)\nalert ip any any -> any any (sid:8;)\n";
	char *longr = malloc(big + 64 + sizeof(tail));
	assert_non_null(longr);
	int n = snprintf(longr, 64, "alert tcp any any -> any any (msg:\"");
	memset(longr + n, 'x', big);
	memcpy(longr + n + big, tail, sizeof(tail));
	size_t len = (size_t)n + big + sizeof(tail) - 1;
	assert_int_equal(vg_ruleset_load_buffer(longr, len, "l.rules", NULL, &rs, err, sizeof(err)),
			 0);
	assert_int_equal(vg_ruleset_count(rs), 1);
	assert_int_equal(vg_ruleset_get(rs, 0)->sid, 8);
	assert_int_equal(vg_ruleset_skipped_count(rs), 1);
	assert_string_equal(vg_ruleset_skipped(rs, 0)->reason, "rule longer than 65536 bytes");
	assert_int_equal(vg_ruleset_skipped(rs, 0)->line, 1);
	vg_ruleset_free(rs);
	free(longr);

	const char *yaml = "vars:\n  address-groups:\n    HOME_NET:\n      a: b\n";
	struct vg_config *cfg;
	struct vg_config_err e;
	assert_int_equal(vg_config_load_string(yaml, strlen(yaml), "bad.yaml", &cfg, &e), 0);
	const char *one = "alert ip any any -> any any (sid:1;)";
	rs = (struct vg_ruleset *)1;
	assert_int_equal(vg_ruleset_load_buffer(one, strlen(one), "x.rules", cfg, &rs, err, sizeof(err)),
			 VG_EINVAL);
	assert_null(rs);
	assert_string_equal(err, "bad.yaml:4: vars.address-groups.HOME_NET: bad value");
	vg_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_and_output_options),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_variables_from_config),
		cmocka_unit_test(test_content_modifiers),
		cmocka_unit_test(test_sticky_and_legacy_buffers),
		cmocka_unit_test(test_payload_keywords),
		cmocka_unit_test(test_nonpayload_keywords),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_transactional),
		cmocka_unit_test(test_loader),
		cmocka_unit_test(test_loader_edges),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
