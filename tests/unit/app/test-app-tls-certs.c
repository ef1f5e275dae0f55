/* TLS Certificate message: the DER bytes kept per certificate for tls.certs. Real
 * TLS 1.2 handshake (tls-vectors.h) and chains built here, handshake messages split
 * over many records and the records over many segments; truncated lists, bad DER,
 * the VG_TLS_MAX_CERTS and VG_TLS_MAX_CERT_BYTES caps, a second Certificate message,
 * validity dates as UTC seconds (tls_cert_notbefore/notafter). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "app/app.h"
#include "core/core-error.h"

#include "tls-vectors.h"

struct bytes {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void put24(struct bytes *b, size_t v)
{
	uint8_t x[3] = { (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	put(b, x, 3);
}

/* Certificate handshake message (type 11) over the certificates given. list_fix adds
 * to the declared list length (0 = correct). */
static void cert_msg(struct bytes *out, const uint8_t *const *der, const size_t *len, size_t n, long list_fix)
{
	size_t list = 0;
	for (size_t i = 0; i < n; i++)
		list += 3 + len[i];
	uint8_t t = 11;
	put(out, &t, 1);
	put24(out, list + 3);
	put24(out, (size_t)((long)list + list_fix));
	for (size_t i = 0; i < n; i++) {
		put24(out, len[i]);
		put(out, der[i], len[i]);
	}
}

/* Handshake bytes → TLS 1.2 handshake records of at most rec bytes each. */
static void records(struct bytes *out, const struct bytes *hs, size_t rec)
{
	for (size_t off = 0; off < hs->len; off += rec) {
		size_t n = hs->len - off < rec ? hs->len - off : rec;
		uint8_t h[5] = { 0x16, 0x03, 0x03, (uint8_t)(n >> 8), (uint8_t)n };
		put(out, h, 5);
		put(out, hs->p + off, n);
	}
}

/* Feed the server side in segments of seg bytes. */
static struct vg_tls_state *feed(const struct bytes *wire, size_t seg, unsigned *evs)
{
	struct vg_tls_state *st = vg_tls_state_new();
	assert_non_null(st);
	*evs = 0;
	for (size_t off = 0; off < wire->len; off += seg) {
		size_t n = wire->len - off < seg ? wire->len - off : seg;
		unsigned ev = 0;
		assert_int_equal(vg_tls_parse(st, VG_APP_TOCLIENT, wire->p + off, n, &ev), 0);
		*evs |= ev;
	}
	return st;
}

/* The real handshake: the leaf's DER is the certificate openssl made. */
static void test_real_handshake_der(void **state)
{
	(void)state;
	for (size_t cut = 0; cut <= sizeof(tls12_server); cut += 97) {
		struct vg_tls_state *st = vg_tls_state_new();
		assert_int_equal(vg_tls_parse(st, 1, tls12_server, cut, NULL), 0);
		assert_int_equal(vg_tls_parse(st, 1, tls12_server + cut, sizeof(tls12_server) - cut, NULL), 0);
		const struct vg_tls_info *in = vg_tls_info(st);
		assert_int_equal(in->n_certs, 1);
		assert_non_null(in->certs[0].der);
		assert_int_equal(in->certs[0].der_len, sizeof(cert_der));
		assert_memory_equal(in->certs[0].der, cert_der, sizeof(cert_der));
		assert_int_equal(in->certs_der_dropped, 0);
		/* 2026-11-23T10:31:27Z and 2036-11-20T10:31:27Z (calendar.timegm) */
		assert_int_equal(in->certs[0].not_before_s, 1795429887);
		assert_int_equal(in->certs[0].not_after_s, 2110789887);
		vg_tls_state_free(st);
	}
}

/* A chain of three (leaf, junk, leaf again) in one Certificate message split over
 * 100-byte records, fed in 7-byte segments and whole. */
static void test_chain_split(void **state)
{
	(void)state;
	uint8_t junk[200];
	memset(junk, 0x41, sizeof(junk));
	junk[0] = 0x30; /* looks like a SEQUENCE, is not a certificate */
	const uint8_t *der[] = { cert_der, junk, cert_der };
	size_t len[] = { sizeof(cert_der), sizeof(junk), sizeof(cert_der) };
	struct bytes hs = { 0 }, wire = { 0 };
	cert_msg(&hs, der, len, 3, 0);
	records(&wire, &hs, 100);
	size_t segs[] = { 1, 7, 100, 105, wire.len };
	for (size_t k = 0; k < sizeof(segs) / sizeof(segs[0]); k++) {
		unsigned ev;
		struct vg_tls_state *st = feed(&wire, segs[k], &ev);
		const struct vg_tls_info *in = vg_tls_info(st);
		assert_true(ev & VG_TLS_EV_CERTIFICATE);
		assert_int_equal(in->n_certs, 3);
		assert_int_equal(in->bad_certificate, 0);
		assert_int_equal(in->cert_import_failed, 1);
		assert_true(in->certs[0].parsed && !in->certs[1].parsed && in->certs[2].parsed);
		for (int i = 0; i < 3; i++) {
			assert_non_null(in->certs[i].der);
			assert_int_equal(in->certs[i].der_len, len[i]);
			assert_memory_equal(in->certs[i].der, der[i], len[i]);
		}
		/* the junk one still has its SHA-1 fingerprint, and it differs from the leaf's */
		assert_int_equal(strlen(in->certs[1].fingerprint), 59);
		assert_string_not_equal(in->certs[1].fingerprint, in->certs[0].fingerprint);
		assert_string_equal(in->certs[0].subject, "C=US, O=Vigil Test, Inc., CN=www.vigil.test");
		vg_tls_state_free(st);
	}
	free(hs.p);
	free(wire.p);
}

/* The message is not complete: nothing is reported, nothing kept. */
static void test_truncated_message(void **state)
{
	(void)state;
	const uint8_t *der[] = { cert_der };
	size_t len[] = { sizeof(cert_der) };
	struct bytes hs = { 0 }, wire = { 0 };
	cert_msg(&hs, der, len, 1, 0);
	hs.len -= 10; /* the rest never comes */
	records(&wire, &hs, 16384);
	unsigned ev;
	struct vg_tls_state *st = feed(&wire, 50, &ev);
	assert_false(ev & VG_TLS_EV_CERTIFICATE);
	assert_int_equal(vg_tls_info(st)->n_certs, 0);
	vg_tls_state_free(st);
	free(hs.p);
	free(wire.p);
}

/* A certificate whose length runs past the message, a list length that disagrees with
 * the message, a zero-length certificate: bad_certificate; what came before is kept. */
static void test_bad_lists(void **state)
{
	(void)state;
	/* second certificate claims 5000 bytes, 10 are there */
	struct bytes hs = { 0 }, wire = { 0 };
	uint8_t t = 11;
	size_t body = 3 + 3 + sizeof(cert_der) + 3 + 10;
	put(&hs, &t, 1);
	put24(&hs, body);
	put24(&hs, body - 3);
	put24(&hs, sizeof(cert_der));
	put(&hs, cert_der, sizeof(cert_der));
	put24(&hs, 5000);
	uint8_t ten[10] = { 0x30 };
	put(&hs, ten, sizeof(ten));
	records(&wire, &hs, 300);
	unsigned ev;
	struct vg_tls_state *st = feed(&wire, 13, &ev);
	const struct vg_tls_info *in = vg_tls_info(st);
	assert_int_equal(in->bad_certificate, 1);
	assert_int_equal(in->n_certs, 1);
	assert_memory_equal(in->certs[0].der, cert_der, sizeof(cert_der));
	vg_tls_state_free(st);
	free(hs.p);
	free(wire.p);

	/* list length off by one */
	const uint8_t *der[] = { cert_der };
	size_t len[] = { sizeof(cert_der) };
	for (long fix = -1; fix <= 1; fix += 2) {
		memset(&hs, 0, sizeof(hs));
		memset(&wire, 0, sizeof(wire));
		cert_msg(&hs, der, len, 1, fix);
		records(&wire, &hs, 16384);
		st = feed(&wire, wire.len, &ev);
		assert_int_equal(vg_tls_info(st)->bad_certificate, 1);
		assert_int_equal(vg_tls_info(st)->n_certs, 0);
		vg_tls_state_free(st);
		free(hs.p);
		free(wire.p);
	}

	/* a zero-length certificate; a list with 2 stray bytes after its certificate */
	static const uint8_t zero[] = { 0x16, 0x03, 0x03, 0x00, 0x0a, 11, 0, 0, 6, 0, 0, 3, 0, 0, 0 };
	st = vg_tls_state_new();
	assert_int_equal(vg_tls_parse(st, 1, zero, sizeof(zero), NULL), 0);
	assert_int_equal(vg_tls_info(st)->bad_certificate, 1);
	assert_int_equal(vg_tls_info(st)->n_certs, 0);
	vg_tls_state_free(st);
	static const uint8_t stray[] = { 0x16, 0x03, 0x03, 0x00, 0x0d, 11, 0, 0, 9, 0, 0, 6, 0, 0, 1, 0x30, 0xaa, 0xbb };
	st = vg_tls_state_new();
	assert_int_equal(vg_tls_parse(st, 1, stray, sizeof(stray), NULL), 0);
	assert_int_equal(vg_tls_info(st)->bad_certificate, 1);
	assert_int_equal(vg_tls_info(st)->n_certs, 1); /* the 1-byte "certificate" */
	assert_int_equal(vg_tls_info(st)->certs[0].der_len, 1);
	assert_int_equal(vg_tls_info(st)->certs[0].der[0], 0x30);
	vg_tls_state_free(st);
}

/* More than VG_TLS_MAX_CERTS certificates; a chain past VG_TLS_MAX_CERT_BYTES. */
static void test_caps(void **state)
{
	(void)state;
	const uint8_t *der[VG_TLS_MAX_CERTS + 2];
	size_t len[VG_TLS_MAX_CERTS + 2];
	for (size_t i = 0; i < VG_TLS_MAX_CERTS + 2; i++) {
		der[i] = cert_der;
		len[i] = sizeof(cert_der);
	}
	struct bytes hs = { 0 }, wire = { 0 };
	cert_msg(&hs, der, len, VG_TLS_MAX_CERTS + 2, 0);
	records(&wire, &hs, 16384);
	unsigned ev;
	struct vg_tls_state *st = feed(&wire, 1000, &ev);
	const struct vg_tls_info *in = vg_tls_info(st);
	assert_int_equal(in->n_certs, VG_TLS_MAX_CERTS);
	assert_int_equal(in->certs_dropped, 2);
	for (uint32_t i = 0; i < in->n_certs; i++)
		assert_memory_equal(in->certs[i].der, cert_der, sizeof(cert_der));
	vg_tls_state_free(st);
	free(hs.p);
	free(wire.p);

	/* three 30000-byte blobs: the third passes VG_TLS_MAX_CERT_BYTES (64 KiB) */
	size_t big = 30000;
	uint8_t *blob = malloc(big);
	assert_non_null(blob);
	memset(blob, 0x5a, big);
	const uint8_t *bd[] = { blob, blob, blob };
	size_t bl[] = { big, big, big };
	memset(&hs, 0, sizeof(hs));
	memset(&wire, 0, sizeof(wire));
	cert_msg(&hs, bd, bl, 3, 0);
	records(&wire, &hs, 16384);
	st = feed(&wire, 1460, &ev);
	in = vg_tls_info(st);
	assert_int_equal(in->n_certs, 3);
	assert_non_null(in->certs[0].der);
	assert_non_null(in->certs[1].der);
	assert_null(in->certs[2].der);
	assert_int_equal(in->certs_der_dropped, 1);
	assert_memory_equal(in->certs[1].der, blob, big);
	vg_tls_state_free(st);
	free(blob);
	free(hs.p);
	free(wire.p);
}

/* A second Certificate message (renegotiation in clear) replaces the first. */
static void test_second_message(void **state)
{
	(void)state;
	uint8_t other[300];
	memset(other, 0x77, sizeof(other));
	const uint8_t *d1[] = { cert_der, cert_der };
	size_t l1[] = { sizeof(cert_der), sizeof(cert_der) };
	const uint8_t *d2[] = { other };
	size_t l2[] = { sizeof(other) };
	struct bytes hs = { 0 }, wire = { 0 };
	cert_msg(&hs, d1, l1, 2, 0);
	cert_msg(&hs, d2, l2, 1, 0);
	records(&wire, &hs, 512);
	unsigned ev;
	struct vg_tls_state *st = feed(&wire, 333, &ev);
	const struct vg_tls_info *in = vg_tls_info(st);
	assert_int_equal(in->n_certs, 1);
	assert_int_equal(in->certs[0].der_len, sizeof(other));
	assert_memory_equal(in->certs[0].der, other, sizeof(other));
	assert_false(in->certs[0].parsed);
	vg_tls_state_free(st);
	free(hs.p);
	free(wire.p);
}

/* A client certificate (to server) is not the server chain: not kept. The pure
 * vg_tls_parse_cert() never sets der. */
static void test_client_side_and_pure(void **state)
{
	(void)state;
	const uint8_t *d[] = { cert_der };
	size_t l[] = { sizeof(cert_der) };
	struct bytes hs = { 0 }, wire = { 0 };
	cert_msg(&hs, d, l, 1, 0);
	records(&wire, &hs, 16384);
	struct vg_tls_state *st = vg_tls_state_new();
	unsigned ev = 0;
	assert_int_equal(vg_tls_parse(st, VG_APP_TOSERVER, wire.p, wire.len, &ev), 0);
	assert_int_equal(ev, 0);
	assert_int_equal(vg_tls_info(st)->n_certs, 0);
	vg_tls_state_free(st);
	free(hs.p);
	free(wire.p);
	struct vg_tls_cert c;
	assert_int_equal(vg_tls_parse_cert(cert_der, sizeof(cert_der), &c), 0);
	assert_null(c.der);
	assert_int_equal(c.der_len, sizeof(cert_der));
	/* not a certificate: no dates (0, which never matches tls_cert_*) */
	uint8_t junk[40];
	memset(junk, 0x30, sizeof(junk));
	assert_int_equal(vg_tls_parse_cert(junk, sizeof(junk), &c), VG_EINVAL);
	assert_int_equal(c.not_before_s, 0);
	assert_int_equal(c.not_after_s, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_handshake_der),
		cmocka_unit_test(test_chain_split),
		cmocka_unit_test(test_truncated_message),
		cmocka_unit_test(test_bad_lists),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_second_message),
		cmocka_unit_test(test_client_side_and_pure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
