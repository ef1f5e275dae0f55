/* DNS parser: query and response shapes built with scapy (dns-vectors.h), compressed
 * and uncompressed giving the same records, every record type we render, NXDOMAIN with
 * SOA, malformed names (pointer loops, forward pointers, long names), truncation at
 * every length, DNS over TCP split at every offset, and the EVE object. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/app.h"
#include "core/core-error.h"

#include "dns-vectors.h"

static struct vg_dns_msg *msg_new(void)
{
	struct vg_dns_msg *m = malloc(sizeof(*m));
	assert_non_null(m);
	return m;
}

static void test_query(void **state)
{
	(void)state;
	struct vg_dns_msg *m = msg_new();
	assert_int_equal(vg_dns_parse(dns_query, sizeof(dns_query), m), 0);
	assert_int_equal(m->id, 0x1234);
	assert_false(m->qr);
	assert_true(m->rd);
	assert_int_equal(m->opcode, 0);
	assert_int_equal(m->n_questions, 1);
	assert_int_equal(m->n_rr, 1);
	assert_string_equal(m->rr[0].name, "www.example.com");
	assert_int_equal(m->rr[0].type, 1);
	assert_int_equal(m->rr[0].rclass, 1);
	assert_false(m->truncated_parse);
	free(m);
}

static void check_resp(const struct vg_dns_msg *m)
{
	static const struct { const char *name; uint16_t type; uint32_t ttl; const char *data; } want[] = {
		{ "www.example.com", 5, 300, "web.example.com" },
		{ "web.example.com", 1, 60, "93.184.216.34" },
		{ "web.example.com", 28, 60, "2606:2800:220:1::248" },
		{ "example.com", 15, 3600, "mail.example.com" },
		{ "example.com", 16, 3600, "v=spf1 -all" },
		{ "example.com", 2, 3600, "ns1.example.com" },
		{ "34.216.184.93.in-addr.arpa", 12, 10, "web.example.com" },
	};
	assert_true(m->qr && m->rd && m->ra);
	assert_int_equal(m->rcode, 0);
	assert_int_equal(m->n_questions, 1);
	assert_int_equal(m->n_answers, 7);
	assert_false(m->truncated_parse);
	for (size_t i = 0; i < 7; i++) {
		const struct vg_dns_rr *rr = &m->rr[1 + i];
		assert_int_equal(rr->section, VG_DNS_ANSWER);
		assert_string_equal(rr->name, want[i].name);
		assert_int_equal(rr->type, want[i].type);
		assert_int_equal(rr->ttl, want[i].ttl);
		assert_string_equal(rr->data, want[i].data);
	}
	assert_int_equal(m->rr[4].mx_pref, 10);
}

static void test_response_plain_and_compressed(void **state)
{
	(void)state;
	struct vg_dns_msg *m = msg_new();
	assert_int_equal(vg_dns_parse(dns_resp, sizeof(dns_resp), m), 0);
	check_resp(m);
	assert_true(sizeof(dns_resp_comp) < sizeof(dns_resp));
	assert_int_equal(vg_dns_parse(dns_resp_comp, sizeof(dns_resp_comp), m), 0);
	check_resp(m);
	free(m);
}

static void test_nxdomain_soa(void **state)
{
	(void)state;
	struct vg_dns_msg *m = msg_new();
	char tmp[16];
	assert_int_equal(vg_dns_parse(dns_nx, sizeof(dns_nx), m), 0);
	assert_int_equal(m->rcode, 3);
	assert_string_equal(vg_dns_rcode_name(m->rcode, tmp), "NXDOMAIN");
	assert_int_equal(m->n_answers, 0);
	assert_int_equal(m->n_authorities, 1);
	const struct vg_dns_rr *soa = &m->rr[1];
	assert_int_equal(soa->type, 6);
	assert_string_equal(soa->data, "ns1.example.com");
	assert_string_equal(soa->soa_rname, "hostmaster.example.com");
	assert_int_equal(soa->soa_serial, 2026112301u);
	assert_int_equal(soa->soa_expire, 1209600);
	assert_int_equal(soa->soa_minimum, 300);
	free(m);
}

/* Every prefix of a valid message: never a crash; header or question cut → error;
 * cut in the answers → questions kept, truncated_parse set. */
static void test_truncation_every_length(void **state)
{
	(void)state;
	struct vg_dns_msg *m = msg_new();
	size_t qend = 12 + 17 + 4; /* header + www.example.com + type/class */
	for (size_t n = 0; n < sizeof(dns_resp_comp); n++) {
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, dns_resp_comp, n);
		int rc = vg_dns_parse(copy, n, m);
		if (n < qend) {
			assert_true(rc < 0);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(m->n_questions, 1);
			assert_string_equal(m->rr[0].name, "www.example.com");
			assert_true(m->truncated_parse || m->n_answers == 7);
			assert_true(m->n_answers < 7);
		}
		free(copy);
	}
	free(m);
}

static void test_malformed_names(void **state)
{
	(void)state;
	struct vg_dns_msg *m = msg_new();
	/* header with one question, then the name */
	uint8_t loop[] = { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
			   1, 'a', 0xc0, 12, /* "a" then a pointer back to itself: loops */
			   0, 1, 0, 1 };
	assert_int_equal(vg_dns_parse(loop, sizeof(loop), m), VG_EINVAL);
	uint8_t fwd[] = { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 16, 0, 1, 1, 'x', 0, 0 };
	assert_int_equal(vg_dns_parse(fwd, sizeof(fwd), m), VG_EINVAL);
	uint8_t self[] = { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1 };
	assert_int_equal(vg_dns_parse(self, sizeof(self), m), VG_EINVAL);
	uint8_t ext[] = { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0, 0, 1, 0, 1 };
	assert_int_equal(vg_dns_parse(ext, sizeof(ext), m), VG_EINVAL);
	/* 5 labels of 63 bytes: 320 wire bytes > 255 */
	uint8_t longn[12 + 5 * 64 + 5];
	memset(longn, 0, sizeof(longn));
	longn[5] = 1;
	for (int i = 0; i < 5; i++) {
		longn[12 + i * 64] = 63;
		memset(longn + 13 + i * 64, 'a', 63);
	}
	assert_int_equal(vg_dns_parse(longn, sizeof(longn), m), VG_EINVAL);
	/* odd bytes in a label are escaped, not passed raw */
	uint8_t odd[] = { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'a', '.', 0x01, 0, 0, 1, 0, 1 };
	assert_int_equal(vg_dns_parse(odd, sizeof(odd), m), 0);
	assert_string_equal(m->rr[0].name, "a\\046\\001");
	/* root name */
	uint8_t root[] = { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1 };
	assert_int_equal(vg_dns_parse(root, sizeof(root), m), 0);
	assert_string_equal(m->rr[0].name, "<root>");
	/* A record with a wrong rdlength: parsing stops, question kept */
	uint8_t bada[] = { 0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 'x', 0, 0, 1, 0, 1,
			   0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 3, 1, 2, 3 };
	assert_int_equal(vg_dns_parse(bada, sizeof(bada), m), 0);
	assert_true(m->truncated_parse);
	assert_int_equal(m->n_answers, 0);
	free(m);
}

static void test_record_cap(void **state)
{
	(void)state;
	/* one question + 100 A answers by pointer: 64 kept, the rest counted */
	size_t n = 12 + 7 + 100 * 16;
	uint8_t *b = calloc(1, n);
	b[2] = 0x81;
	b[5] = 1;
	b[6] = 0;
	b[7] = 100;
	memcpy(b + 12, "\x01q\x00\x00\x01\x00\x01", 7);
	for (int i = 0; i < 100; i++) {
		uint8_t *r = b + 19 + i * 16;
		memcpy(r, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04", 12);
		r[12] = 10;
		r[15] = (uint8_t)i;
	}
	struct vg_dns_msg *m = msg_new();
	assert_int_equal(vg_dns_parse(b, n, m), 0);
	assert_int_equal(m->n_rr, VG_DNS_MAX_NAMES);
	assert_int_equal(m->dropped, 101 - VG_DNS_MAX_NAMES);
	assert_string_equal(m->rr[VG_DNS_MAX_NAMES - 1].data, "10.0.0.62");
	free(m);
	free(b);
}

struct tcpcoll {
	int n;
	size_t len[8];
	int dir[8];
};

static void tcp_cb(void *ctx, int dir, const uint8_t *msg, size_t len)
{
	struct tcpcoll *c = ctx;
	assert_true(c->n < 8);
	struct vg_dns_msg *m = msg_new();
	assert_int_equal(vg_dns_parse(msg, len, m), 0);
	free(m);
	c->dir[c->n] = dir;
	c->len[c->n++] = len;
}

static void test_tcp_every_split(void **state)
{
	(void)state;
	uint8_t stream[2 * 2 + sizeof(dns_query) + sizeof(dns_resp_comp)];
	size_t o = 0;
	stream[o++] = 0;
	stream[o++] = sizeof(dns_query);
	memcpy(stream + o, dns_query, sizeof(dns_query));
	o += sizeof(dns_query);
	stream[o++] = 0;
	stream[o++] = sizeof(dns_resp_comp);
	memcpy(stream + o, dns_resp_comp, sizeof(dns_resp_comp));
	o += sizeof(dns_resp_comp);
	for (size_t cut = 0; cut <= o; cut++) {
		struct tcpcoll c = { 0 };
		struct vg_dns_tcp *t = vg_dns_tcp_new(tcp_cb, &c);
		assert_int_equal(vg_dns_tcp_parse(t, 1, stream, cut), 0);
		assert_int_equal(vg_dns_tcp_parse(t, 1, stream + cut, o - cut), 0);
		assert_int_equal(c.n, 2);
		assert_int_equal(c.len[0], sizeof(dns_query));
		assert_int_equal(c.len[1], sizeof(dns_resp_comp));
		assert_int_equal(c.dir[1], 1);
		vg_dns_tcp_free(t);
	}
	/* a length below the header size kills the direction */
	struct tcpcoll c = { 0 };
	struct vg_dns_tcp *t = vg_dns_tcp_new(tcp_cb, &c);
	assert_int_equal(vg_dns_tcp_parse(t, 0, (const uint8_t *)"\x00\x05hello", 7), VG_EINVAL);
	assert_int_equal(vg_dns_tcp_parse(t, 0, stream, o), VG_EINVAL);
	assert_int_equal(c.n, 0);
	vg_dns_tcp_free(t);
	vg_dns_tcp_free(NULL);
}

static void test_eve(void **state)
{
	(void)state;
	struct vg_dns_msg *m = msg_new();
	assert_int_equal(vg_dns_parse(dns_query, sizeof(dns_query), m), 0);
	json_t *j = vg_dns_eve(m, 0, 0);
	json_t *d = json_object_get(j, "dns");
	assert_string_equal(json_string_value(json_object_get(d, "type")), "query");
	assert_int_equal(json_integer_value(json_object_get(d, "id")), 0x1234);
	assert_string_equal(json_string_value(json_object_get(d, "rrname")), "www.example.com");
	assert_string_equal(json_string_value(json_object_get(d, "rrtype")), "A");
	assert_null(json_object_get(d, "answers"));
	json_decref(j);

	assert_int_equal(vg_dns_parse(dns_resp_comp, sizeof(dns_resp_comp), m), 0);
	j = vg_dns_eve(m, 0, 0);
	d = json_object_get(j, "dns");
	assert_string_equal(json_string_value(json_object_get(d, "type")), "answer");
	assert_string_equal(json_string_value(json_object_get(d, "flags")), "8180");
	assert_string_equal(json_string_value(json_object_get(d, "rcode")), "NOERROR");
	assert_true(json_is_true(json_object_get(d, "rd")));
	json_t *ans = json_object_get(d, "answers");
	assert_int_equal(json_array_size(ans), 7);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ans, 0), "rrtype")), "CNAME");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ans, 1), "rdata")), "93.184.216.34");
	json_t *g = json_object_get(d, "grouped");
	assert_string_equal(json_string_value(json_array_get(json_object_get(g, "AAAA"), 0)), "2606:2800:220:1::248");
	json_decref(j);

	assert_int_equal(vg_dns_parse(dns_nx, sizeof(dns_nx), m), 0);
	j = vg_dns_eve(m, 0, 0);
	d = json_object_get(j, "dns");
	assert_string_equal(json_string_value(json_object_get(d, "rcode")), "NXDOMAIN");
	assert_null(json_object_get(d, "answers"));
	json_t *au = json_array_get(json_object_get(d, "authorities"), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(au, "soa"), "serial")), 2026112301);
	json_decref(j);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_response_plain_and_compressed),
		cmocka_unit_test(test_nxdomain_soa),
		cmocka_unit_test(test_truncation_every_length),
		cmocka_unit_test(test_malformed_names),
		cmocka_unit_test(test_record_cap),
		cmocka_unit_test(test_tcp_every_split),
		cmocka_unit_test(test_eve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
