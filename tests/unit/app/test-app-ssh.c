/* SSH identification strings: the real banners of the lab captures, pre-banner lines
 * from servers, split at every offset, malformed and oversize lines, EVE. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "app/app.h"
#include "core/core-error.h"

/* ssh-bruteforce.pcap: both sides are OpenSSH on Debian 12; the client's banner is
 * followed at once by its first binary packet in the same segment. */
static const char client[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n\x00\x00\x06\x14\x08\x14";
static const char server[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10\r\n";

static void test_banner_table(void **state)
{
	(void)state;
	static const struct { const char *line, *proto, *soft, *comments; int rc; } t[] = {
		{ "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10", "2.0", "OpenSSH_9.2p1", "Debian-2+deb12u10", 0 },
		{ "SSH-2.0-OpenSSH_9.2p1", "2.0", "OpenSSH_9.2p1", "", 0 },
		{ "SSH-1.99-Cisco-1.25", "1.99", "Cisco-1.25", "", 0 },
		{ "SSH-2.0-libssh_0.10.4 x y", "2.0", "libssh_0.10.4", "x y", 0 },
		{ "SSH-2.0-", NULL, NULL, NULL, VG_EINVAL },
		{ "SSH-2.0", NULL, NULL, NULL, VG_EINVAL },
		{ "SSH--x", NULL, NULL, NULL, VG_EINVAL },
		{ "SSH-2.0-a\tb", NULL, NULL, NULL, VG_EINVAL },
		{ "HTTP/1.1 200 OK", NULL, NULL, NULL, VG_EINVAL },
		{ "SSH-12345678901234567890-x", NULL, NULL, NULL, VG_EINVAL },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vg_ssh_banner b;
		int rc = vg_ssh_parse_banner(t[i].line, strlen(t[i].line), &b);
		assert_int_equal(rc, t[i].rc);
		if (rc == 0) {
			assert_true(b.seen);
			assert_string_equal(b.proto_version, t[i].proto);
			assert_string_equal(b.software_version, t[i].soft);
			assert_string_equal(b.comments, t[i].comments);
			assert_string_equal(b.line, t[i].line);
		} else {
			assert_false(b.seen);
		}
	}
}

static void test_stream_every_split(void **state)
{
	(void)state;
	size_t lc = sizeof(client) - 1, ls = sizeof(server) - 1;
	for (size_t cut = 0; cut <= lc; cut++) {
		struct vg_ssh_state *st = vg_ssh_state_new();
		bool d1 = false, d2 = false;
		size_t sc = cut < ls ? cut : ls;
		assert_int_equal(vg_ssh_parse(st, 0, (const uint8_t *)client, cut, &d1), 0);
		assert_int_equal(vg_ssh_parse(st, 0, (const uint8_t *)client + cut, lc - cut, &d2), 0);
		assert_true(d1 != d2); /* reported exactly once */
		assert_int_equal(vg_ssh_parse(st, 1, (const uint8_t *)server, sc, NULL), 0);
		assert_int_equal(vg_ssh_parse(st, 1, (const uint8_t *)server + sc, ls - sc, NULL), 0);
		const struct vg_ssh_info *in = vg_ssh_info(st);
		assert_string_equal(in->client.software_version, "OpenSSH_9.2p1");
		assert_string_equal(in->server.comments, "Debian-2+deb12u10");
		assert_int_equal(in->bad_banner, 0);
		vg_ssh_state_free(st);
	}
}

static void test_server_pre_lines(void **state)
{
	(void)state;
	struct vg_ssh_state *st = vg_ssh_state_new();
	const char *s = "Welcome\r\nauthorised use only\nSSH-2.0-dropbear_2022.83\r\n";
	assert_int_equal(vg_ssh_parse(st, 1, (const uint8_t *)s, strlen(s), NULL), 0);
	assert_string_equal(vg_ssh_info(st)->server.software_version, "dropbear_2022.83");
	/* a client must start with its banner */
	assert_int_equal(vg_ssh_parse(st, 0, (const uint8_t *)"hello\r\n", 7, NULL), VG_EINVAL);
	assert_false(vg_ssh_info(st)->client.seen);
	assert_int_equal(vg_ssh_info(st)->bad_banner, 1);
	vg_ssh_state_free(st);

	st = vg_ssh_state_new();
	for (unsigned i = 0; i < VG_SSH_MAX_PRE_LINES; i++)
		assert_int_equal(vg_ssh_parse(st, 1, (const uint8_t *)"x\n", 2, NULL), 0);
	assert_int_equal(vg_ssh_parse(st, 1, (const uint8_t *)"x\n", 2, NULL), VG_EINVAL);
	assert_int_equal(vg_ssh_info(st)->too_many_lines, 1);
	vg_ssh_state_free(st);
}

static void test_too_long(void **state)
{
	(void)state;
	struct vg_ssh_state *st = vg_ssh_state_new();
	char big[400];
	memset(big, 'A', sizeof(big));
	memcpy(big, "SSH-2.0-", 8);
	assert_int_equal(vg_ssh_parse(st, 0, (const uint8_t *)big, sizeof(big), NULL), VG_EINVAL);
	assert_int_equal(vg_ssh_info(st)->banner_too_long, 1);
	assert_false(vg_ssh_info(st)->client.seen);
	vg_ssh_state_free(st);
	vg_ssh_state_free(NULL);
}

static void test_eve(void **state)
{
	(void)state;
	struct vg_ssh_state *st = vg_ssh_state_new();
	vg_ssh_parse(st, 0, (const uint8_t *)client, sizeof(client) - 1, NULL);
	json_t *j = vg_ssh_eve(vg_ssh_info(st));
	json_t *s = json_object_get(j, "ssh");
	assert_string_equal(json_string_value(json_object_get(json_object_get(s, "client"), "proto_version")), "2.0");
	assert_string_equal(json_string_value(json_object_get(json_object_get(s, "client"), "software_version")),
			    "OpenSSH_9.2p1");
	assert_null(json_object_get(s, "server")); /* not seen yet */
	json_decref(j);
	vg_ssh_state_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_banner_table),
		cmocka_unit_test(test_stream_every_split),
		cmocka_unit_test(test_server_pre_lines),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_eve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
