/* TLS parser: real TLS 1.2 and 1.3 handshakes (tls-vectors.h) fed whole and split at
 * every offset, JA3/JA3S against values computed independently (scapy + hashlib),
 * certificate fields via GnuTLS, GREASE removal, malformed records and hellos, EVE. */
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

#include "tls-vectors.h"

#define JA3_12 "771,49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-49187-49191-103-" \
	       "49162-49172-57-49161-49171-51-157-156-61-60-53-47-255,0-11-10-35-16-22-23-13,29-23-30-25-24,0-1-2"
#define JA3_12_MD5 "22558766122974704364c9c75c5cce0a"
#define JA3S_12 "771,49200,65281-11-35-16-23"
#define JA3S_12_MD5 "895252f3ce80cebf7a8837be83ec8e16"
#define JA3_13 "771,4866-4867-4865-49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-" \
	       "49187-49191-103-49162-49172-57-49161-49171-51-157-156-61-60-53-47-255,0-11-10-35-16-22-23-13-43-45-51-21," \
	       "29-23-30-25-24-256-257-258-259-260,0-1-2"
#define JA3_13_MD5 "3adacb99ecb51ed59c4f6c4ed9a7dcaa"
#define JA3S_13 "771,4866,43-51"
#define JA3S_13_MD5 "15af977ce25de452b96affa2addb1036"

static void check12(const struct vg_tls_info *in)
{
	assert_true(in->client.seen && in->server.seen);
	assert_string_equal(in->client.sni, "www.vigil.test");
	assert_string_equal(in->client.alpn, "h2,http/1.1");
	assert_string_equal(in->server.alpn, "http/1.1");
	assert_string_equal(in->client.ja3, JA3_12);
	assert_string_equal(in->client.ja3_hash, JA3_12_MD5);
	assert_string_equal(in->server.ja3, JA3S_12);
	assert_string_equal(in->server.ja3_hash, JA3S_12_MD5);
	assert_int_equal(in->version, 0x0303);
	assert_int_equal(in->n_certs, 1);
	const struct vg_tls_cert *c = &in->certs[0];
	assert_true(c->parsed);
	assert_string_equal(c->subject, "C=US, O=Vigil Test, Inc., CN=www.vigil.test");
	assert_string_equal(c->issuer, "C=US, O=Vigil Test, Inc., CN=www.vigil.test");
	assert_string_equal(c->serial, "00:C0:FF:EE:12:34:56:78");
	assert_string_equal(c->fingerprint, "af:cb:43:ce:a8:ce:43:d8:33:1e:26:e3:a7:fe:35:e3:ed:77:3e:7f");
	assert_string_equal(c->not_before, "2026-11-23T10:31:27");
	assert_string_equal(c->not_after, "2036-11-20T10:31:27");
	assert_true(in->encrypted[0] && in->encrypted[1]); /* both sent ChangeCipherSpec */
	assert_int_equal(in->bad_record + in->bad_hello + in->bad_certificate + in->not_tls, 0);
}

static void test_tls12_whole(void **state)
{
	(void)state;
	struct vg_tls_state *st = vg_tls_state_new();
	unsigned ev;
	assert_int_equal(vg_tls_parse(st, 0, tls12_client, sizeof(tls12_client), &ev), 0);
	assert_int_equal(ev, VG_TLS_EV_CLIENT_HELLO);
	assert_int_equal(vg_tls_parse(st, 1, tls12_server, sizeof(tls12_server), &ev), 0);
	assert_int_equal(ev, VG_TLS_EV_SERVER_HELLO | VG_TLS_EV_CERTIFICATE);
	check12(vg_tls_info(st));
	vg_tls_state_free(st);
}

static void test_tls12_every_split(void **state)
{
	(void)state;
	for (size_t cut = 0; cut <= sizeof(tls12_server); cut += 1) {
		struct vg_tls_state *st = vg_tls_state_new();
		size_t cc = cut < sizeof(tls12_client) ? cut : sizeof(tls12_client);
		assert_int_equal(vg_tls_parse(st, 0, tls12_client, cc, NULL), 0);
		assert_int_equal(vg_tls_parse(st, 0, tls12_client + cc, sizeof(tls12_client) - cc, NULL), 0);
		assert_int_equal(vg_tls_parse(st, 1, tls12_server, cut, NULL), 0);
		assert_int_equal(vg_tls_parse(st, 1, tls12_server + cut, sizeof(tls12_server) - cut, NULL), 0);
		check12(vg_tls_info(st));
		vg_tls_state_free(st);
	}
}

static void test_tls13(void **state)
{
	(void)state;
	struct vg_tls_state *st = vg_tls_state_new();
	/* byte by byte */
	for (size_t i = 0; i < sizeof(tls13_client); i++)
		assert_int_equal(vg_tls_parse(st, 0, tls13_client + i, 1, NULL), 0);
	for (size_t i = 0; i < sizeof(tls13_server); i++)
		assert_int_equal(vg_tls_parse(st, 1, tls13_server + i, 1, NULL), 0);
	const struct vg_tls_info *in = vg_tls_info(st);
	assert_string_equal(in->client.ja3, JA3_13);
	assert_string_equal(in->client.ja3_hash, JA3_13_MD5);
	assert_string_equal(in->server.ja3, JA3S_13);
	assert_string_equal(in->server.ja3_hash, JA3S_13_MD5);
	assert_int_equal(in->client.version, 0x0303); /* legacy_version */
	assert_int_equal(in->version, 0x0304);        /* from supported_versions */
	assert_int_equal(in->client.n_versions, 4); /* 1.3, 1.2, 1.1, 1.0 (checked with scapy) */
	assert_int_equal(in->client.versions[0], 0x0304);
	assert_int_equal(in->client.versions[3], 0x0301);
	assert_int_equal(in->n_certs, 0);             /* encrypted in TLS 1.3: not seen */
	assert_true(in->encrypted[1]);
	assert_true(in->app_data_records[1] > 0);
	assert_string_equal(vg_tls_version_name(in->version), "TLS 1.3");
	vg_tls_state_free(st);
}

/* A ClientHello with GREASE values in ciphers, extensions and groups (as Chrome sends):
 * JA3 drops them, the lists keep them. */
static void test_grease(void **state)
{
	(void)state;
	static const uint8_t body[] = {
		0x03, 0x03,                                     /* legacy_version */
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
		0,                                              /* session id */
		0x00, 0x06, 0x3a, 0x3a, 0x13, 0x01, 0xc0, 0x2b, /* GREASE, 4865, 49195 */
		0x01, 0x00,                                     /* compression: null */
		0x00, 0x20,                                     /* extensions: 32 bytes */
		0xda, 0xda, 0x00, 0x00,                         /* GREASE ext, empty */
		0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x8a, 0x8a, 0x00, 0x1d, /* groups: GREASE, 29 */
		0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,             /* point formats: 0 */
		0x00, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00, 0x00, 0x03, 'a', '.', 'b', /* SNI a.b */
	};
	struct vg_tls_hello h;
	assert_int_equal(vg_tls_parse_client_hello(body, sizeof(body), &h), 0);
	assert_int_equal(h.n_ciphers, 3);
	assert_int_equal(h.n_exts, 4);
	assert_string_equal(h.sni, "a.b");
	assert_string_equal(h.ja3, "771,4865-49195,10-11-0,29,0");
	assert_true(vg_tls_is_grease(0x0a0a) && vg_tls_is_grease(0xfafa));
	assert_false(vg_tls_is_grease(0x0a0b) || vg_tls_is_grease(0x1301));
	/* every truncation of the body is an error, never a crash */
	for (size_t n = 0; n < sizeof(body); n++)
		assert_true((vg_tls_parse_client_hello(body, n, &h) < 0) == (n != 45));
	assert_int_equal(vg_tls_parse_client_hello(body, 45, &h), 0); /* no extensions: valid */
	assert_string_equal(h.ja3, "771,4865-49195,,,");
}

static void test_cert_direct(void **state)
{
	(void)state;
	struct vg_tls_cert c;
	assert_int_equal(vg_tls_parse_cert(cert_der, sizeof(cert_der), &c), 0);
	assert_string_equal(c.subject, "C=US, O=Vigil Test, Inc., CN=www.vigil.test");
	/* garbage: not parsed, but fingerprinted */
	uint8_t junk[64];
	memset(junk, 0x30, sizeof(junk));
	assert_int_equal(vg_tls_parse_cert(junk, sizeof(junk), &c), VG_EINVAL);
	assert_false(c.parsed);
	assert_int_equal(strlen(c.fingerprint), 59);
}

static void test_malformed_records(void **state)
{
	(void)state;
	struct vg_tls_state *st = vg_tls_state_new();
	/* HTTP on 443: not TLS */
	assert_int_equal(vg_tls_parse(st, 0, (const uint8_t *)"GET / HTTP/1.1\r\n", 16, NULL), VG_EINVAL);
	assert_int_equal(vg_tls_info(st)->not_tls, 1);
	/* and stays dead */
	assert_int_equal(vg_tls_parse(st, 0, tls12_client, sizeof(tls12_client), NULL), VG_EINVAL);
	assert_false(vg_tls_info(st)->client.seen);
	/* oversize record */
	static const uint8_t big[] = { 0x16, 0x03, 0x03, 0xff, 0xff };
	assert_int_equal(vg_tls_parse(st, 1, big, sizeof(big), NULL), VG_EINVAL);
	assert_int_equal(vg_tls_info(st)->record_too_long, 1);
	vg_tls_state_free(st);

	/* a handshake message claiming more than VG_TLS_MAX_HANDSHAKE */
	st = vg_tls_state_new();
	static const uint8_t hs[] = { 0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0xff, 0xff, 0xff };
	assert_int_equal(vg_tls_parse(st, 0, hs, sizeof(hs), NULL), VG_EINVAL);
	assert_int_equal(vg_tls_info(st)->handshake_too_long, 1);
	vg_tls_state_free(st);

	/* a ClientHello whose cipher list runs past the message: bad_hello, no JA3 */
	st = vg_tls_state_new();
	static const uint8_t bad[] = { 0x16, 0x03, 0x01, 0x00, 0x2a, 0x01, 0x00, 0x00, 0x26, 0x03, 0x03,
				       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				       0x00, 0x00, 0x40, 0x13 };
	assert_int_equal(vg_tls_parse(st, 0, bad, sizeof(bad), NULL), 0);
	assert_int_equal(vg_tls_info(st)->bad_hello, 1);
	assert_false(vg_tls_info(st)->client.seen);
	vg_tls_state_free(st);

	/* a gap ends parsing of the direction */
	st = vg_tls_state_new();
	vg_tls_gap(st, 0);
	assert_int_equal(vg_tls_parse(st, 0, tls12_client, sizeof(tls12_client), NULL), VG_EINVAL);
	vg_tls_state_free(st);
	vg_tls_state_free(NULL);
}

static void test_eve(void **state)
{
	(void)state;
	struct vg_tls_state *st = vg_tls_state_new();
	vg_tls_parse(st, 0, tls12_client, sizeof(tls12_client), NULL);
	vg_tls_parse(st, 1, tls12_server, sizeof(tls12_server), NULL);
	json_t *j = vg_tls_eve(vg_tls_info(st));
	json_t *t = json_object_get(j, "tls");
	assert_string_equal(json_string_value(json_object_get(t, "subject")), "C=US, O=Vigil Test, Inc., CN=www.vigil.test");
	assert_string_equal(json_string_value(json_object_get(t, "issuerdn")), "C=US, O=Vigil Test, Inc., CN=www.vigil.test");
	assert_string_equal(json_string_value(json_object_get(t, "serial")), "00:C0:FF:EE:12:34:56:78");
	assert_string_equal(json_string_value(json_object_get(t, "fingerprint")),
			    "af:cb:43:ce:a8:ce:43:d8:33:1e:26:e3:a7:fe:35:e3:ed:77:3e:7f");
	assert_string_equal(json_string_value(json_object_get(t, "sni")), "www.vigil.test");
	assert_string_equal(json_string_value(json_object_get(t, "version")), "TLS 1.2");
	assert_string_equal(json_string_value(json_object_get(t, "notbefore")), "2026-11-23T10:31:27");
	assert_string_equal(json_string_value(json_object_get(json_object_get(t, "ja3"), "hash")), JA3_12_MD5);
	assert_string_equal(json_string_value(json_object_get(json_object_get(t, "ja3s"), "string")), JA3S_12);
	assert_int_equal(json_array_size(json_object_get(t, "client_alpns")), 2);
	json_decref(j);
	vg_tls_state_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls12_whole),
		cmocka_unit_test(test_tls12_every_split),
		cmocka_unit_test(test_tls13),
		cmocka_unit_test(test_grease),
		cmocka_unit_test(test_cert_direct),
		cmocka_unit_test(test_malformed_records),
		cmocka_unit_test(test_eve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
