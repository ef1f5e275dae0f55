/* Receivers on loopback with real sockets (127.0.0.1, port 0): UDP datagrams, TCP with
 * octet counting and with LF framing (sent in small pieces), an over-long message
 * truncated with the next one intact, TCP backpressure without loss, UDP drops counted,
 * the connection cap, the idle timeout, TLS with a certificate made at test time by the
 * GnuTLS API (no key is committed), and file following through the same loop. */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/core-error.h"
#include "core/core-str.h"
#include "core/limits.h"
#include "logs/logs-recv.h"

#define MAXL 64

struct got {
	char *lines[MAXL];
	size_t lens[MAXL];
	enum vg_log_transport tr[MAXL];
	unsigned flags[MAXL];
	int n;
	int refuse; /* > 0: refuse that many offers with VG_EFULL */
	int refused;
};

static int on_line(void *ctx, const char *line, size_t len, const struct vg_log_source *src)
{
	struct got *g = ctx;
	if (g->refuse > 0) {
		g->refuse--;
		g->refused++;
		return VG_EFULL;
	}
	assert_true(g->n < MAXL);
	g->lines[g->n] = vg_memdup_str(line, len);
	g->lens[g->n] = len;
	g->tr[g->n] = src->transport;
	g->flags[g->n] = src->flags;
	assert_non_null(src->name);
	if (src->transport != VG_LOGT_FILE)
		assert_non_null(strstr(src->peer, "127.0.0.1:"));
	g->n++;
	return 0;
}

static void got_free(struct got *g)
{
	for (int i = 0; i < g->n; i++)
		free(g->lines[i]);
	memset(g, 0, sizeof(*g));
}

static uint16_t port_of(const char *bound)
{
	const char *c = strrchr(bound, ':');
	assert_non_null(c);
	return (uint16_t)strtoul(c + 1, NULL, 10);
}

static void pump(struct vg_logrecv *r, struct got *g, int want, int max_ms)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (g->n >= want)
			return;
		assert_int_equal(vg_logrecv_run_once(r, 20), 0);
		clock_gettime(CLOCK_MONOTONIC, &t);
		long ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms > max_ms)
			fail_msg("timed out with %d of %d lines", g->n, want);
	}
}

static int tcp_connect(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

struct sendjob {
	uint16_t port;
	const char *data;
	size_t len;
	size_t piece;
};

static void *sender(void *arg)
{
	struct sendjob *j = arg;
	int fd = tcp_connect(j->port);
	for (size_t off = 0; off < j->len;) {
		size_t n = j->len - off < j->piece ? j->len - off : j->piece;
		ssize_t w = send(fd, j->data + off, n, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
		if (j->piece < 64)
			usleep(200);
	}
	close(fd);
	return NULL;
}

static const char *L1 = "<38>1 2026-11-22T23:59:28.108712+00:00 vm sshd 18116 - - Failed password for root from 10.99.0.1 port 50346 ssh2";
static const char *L2 = "<38>Nov 22 23:59:28 vm sshd[18120]: Invalid user admin from 10.99.0.1 port 50352";

static void test_udp_tcp(void **state)
{
	(void)state;
	struct got g = { 0 };
	int err;
	struct vg_logrecv *r = vg_logrecv_new(NULL, on_line, &g, &err);
	assert_non_null(r);
	char ub[128], tb[128];
	assert_int_equal(vg_logrecv_listen(r, "udp://127.0.0.1:0", ub, sizeof(ub)), 0);
	assert_int_equal(vg_logrecv_listen(r, "tcp://127.0.0.1:0", tb, sizeof(tb)), 0);
	assert_non_null(strstr(ub, "udp 127.0.0.1:"));
	assert_non_null(strstr(tb, "tcp 127.0.0.1:"));
	assert_int_equal(vg_logrecv_listen(r, "sctp://127.0.0.1:0", NULL, 0), VG_EINVAL);
	assert_int_equal(vg_logrecv_listen(r, "udp://127.0.0.1:99999", NULL, 0), VG_EINVAL);

	/* UDP: one datagram, one message; trailing LF stripped */
	int us = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port_of(ub)) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	char dg[512];
	snprintf(dg, sizeof(dg), "%s\n", L1);
	assert_true(sendto(us, dg, strlen(dg), 0, (struct sockaddr *)&sa, sizeof(sa)) > 0);
	assert_true(sendto(us, L2, strlen(L2), 0, (struct sockaddr *)&sa, sizeof(sa)) > 0);
	pump(r, &g, 2, 3000);
	assert_string_equal(g.lines[0], L1);
	assert_string_equal(g.lines[1], L2);
	assert_int_equal(g.tr[0], VG_LOGT_UDP);

	/* UDP under overload: the refused datagram is dropped and counted */
	g.refuse = 1;
	assert_true(sendto(us, L2, strlen(L2), 0, (struct sockaddr *)&sa, sizeof(sa)) > 0);
	assert_true(sendto(us, L1, strlen(L1), 0, (struct sockaddr *)&sa, sizeof(sa)) > 0);
	pump(r, &g, 3, 3000);
	assert_string_equal(g.lines[2], L1);
	struct vg_logrecv_stats st;
	vg_logrecv_stats(r, &st);
	assert_int_equal(st.udp_dropped, 1);
	assert_int_equal(st.udp_datagrams, 4);
	close(us);

	/* TCP octet counting, sent in 7-byte pieces, then LF framing on another connection
	 * with an over-long message in the middle */
	char oct[1024];
	int on = snprintf(oct, sizeof(oct), "%zu %s%zu %s", strlen(L1), L1, strlen(L2), L2);
	struct sendjob j1 = { port_of(tb), oct, (size_t)on, 7 };
	pthread_t th;
	pthread_create(&th, NULL, sender, &j1);
	pump(r, &g, 5, 5000);
	pthread_join(th, NULL);
	assert_string_equal(g.lines[3], L1);
	assert_string_equal(g.lines[4], L2);
	assert_int_equal(g.tr[3], VG_LOGT_TCP);

	size_t longn = VG_MAX_LINE + 5000;
	size_t total = strlen(L1) + 1 + longn + 1 + strlen(L2) + 2;
	char *lf = malloc(total + 1);
	size_t k = (size_t)snprintf(lf, total + 1, "%s\n", L1);
	memset(lf + k, 'x', longn);
	k += longn;
	k += (size_t)snprintf(lf + k, total + 1 - k, "\n%s\r\n", L2);
	struct sendjob j2 = { port_of(tb), lf, k, 4096 };
	pthread_create(&th, NULL, sender, &j2);
	pump(r, &g, 8, 5000);
	pthread_join(th, NULL);
	assert_string_equal(g.lines[5], L1);
	assert_int_equal(g.lens[6], VG_MAX_LINE);
	assert_int_equal(g.flags[6], VG_LOG_SRC_F_TRUNCATED);
	assert_string_equal(g.lines[7], L2);
	free(lf);
	vg_logrecv_stats(r, &st);
	assert_int_equal(st.truncated, 1);
	assert_int_equal(st.messages, 8);
	got_free(&g);

	/* TCP backpressure: refused messages stay, nothing is lost or repeated */
	char many[4096];
	size_t mk = 0;
	for (int i = 0; i < 20; i++)
		mk += (size_t)snprintf(many + mk, sizeof(many) - mk, "<13>msg %d\n", i);
	g.refuse = 5;
	struct sendjob j3 = { port_of(tb), many, mk, 100 };
	pthread_create(&th, NULL, sender, &j3);
	pump(r, &g, 20, 5000);
	pthread_join(th, NULL);
	for (int i = 0; i < 20; i++) {
		char w[32];
		snprintf(w, sizeof(w), "<13>msg %d", i);
		assert_string_equal(g.lines[i], w);
	}
	assert_int_equal(g.refused, 5);
	vg_logrecv_stats(r, &st);
	assert_true(st.backpressure >= 1);
	got_free(&g);

	/* a last line without trailer is delivered when the sender closes */
	struct sendjob j4 = { port_of(tb), "<13>no newline at end", 21, 1000 };
	pthread_create(&th, NULL, sender, &j4);
	pump(r, &g, 1, 3000);
	pthread_join(th, NULL);
	assert_string_equal(g.lines[0], "<13>no newline at end");
	got_free(&g);
	vg_logrecv_free(r);
}

static void test_caps_and_idle(void **state)
{
	(void)state;
	struct got g = { 0 };
	int err;
	struct vg_logrecv_opts o = { .max_conns = 2, .idle_timeout_s = 1 };
	struct vg_logrecv *r = vg_logrecv_new(&o, on_line, &g, &err);
	assert_non_null(r);
	char tb[128];
	assert_int_equal(vg_logrecv_listen(r, "tcp://127.0.0.1:0", tb, sizeof(tb)), 0);
	int fds[3];
	for (int i = 0; i < 3; i++)
		fds[i] = tcp_connect(port_of(tb));
	for (int i = 0; i < 10; i++)
		vg_logrecv_run_once(r, 20);
	struct vg_logrecv_stats st;
	vg_logrecv_stats(r, &st);
	assert_int_equal(st.conn_accepted, 2);
	assert_int_equal(st.conn_refused, 1);
	/* silence: both closed after the idle timeout */
	for (int i = 0; i < 100 && st.conn_idle_closed < 2; i++) {
		vg_logrecv_run_once(r, 20);
		vg_logrecv_stats(r, &st);
	}
	assert_int_equal(st.conn_idle_closed, 2);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	vg_logrecv_free(r);
}

/* ---- TLS --------------------------------------------------------------------------- */

static char certp[128], keyp[128];

static void make_cert(void)
{
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
	assert_int_equal(gnutls_x509_privkey_init(&key), 0);
	assert_int_equal(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
		GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	gnutls_x509_crt_set_version(crt, 3);
	unsigned char serial[4] = { 1, 2, 3, 4 };
	gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
	time_t now = time(NULL);
	gnutls_x509_crt_set_activation_time(crt, now - 3600);
	gnutls_x509_crt_set_expiration_time(crt, now + 3600);
	gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, "localhost", 9);
	gnutls_x509_crt_set_key(crt, key);
	assert_int_equal(gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0), 0);
	char buf[8192];
	size_t sz = sizeof(buf);
	snprintf(certp, sizeof(certp), "/tmp/vg-recv-test-%d.crt", (int)getpid());
	snprintf(keyp, sizeof(keyp), "/tmp/vg-recv-test-%d.key", (int)getpid());
	assert_int_equal(gnutls_x509_crt_export(crt, GNUTLS_X509_FMT_PEM, buf, &sz), 0);
	FILE *f = fopen(certp, "w");
	fwrite(buf, 1, sz, f);
	fclose(f);
	sz = sizeof(buf);
	assert_int_equal(gnutls_x509_privkey_export(key, GNUTLS_X509_FMT_PEM, buf, &sz), 0);
	f = fopen(keyp, "w");
	fwrite(buf, 1, sz, f);
	fclose(f);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
}

struct tlsjob {
	uint16_t port;
	const char *data;
	size_t len;
	int ok;
};

static void *tls_sender(void *arg)
{
	struct tlsjob *j = arg;
	int fd = tcp_connect(j->port);
	gnutls_session_t s;
	gnutls_certificate_credentials_t cred;
	gnutls_certificate_allocate_credentials(&cred);
	gnutls_init(&s, GNUTLS_CLIENT);
	gnutls_set_default_priority(s);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
	gnutls_transport_set_int(s, fd);
	int rc;
	do
		rc = gnutls_handshake(s);
	while (rc < 0 && !gnutls_error_is_fatal(rc));
	if (rc == 0) {
		size_t off = 0;
		while (off < j->len) {
			ssize_t w = gnutls_record_send(s, j->data + off, j->len - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		j->ok = off == j->len;
		gnutls_bye(s, GNUTLS_SHUT_RDWR);
	}
	gnutls_deinit(s);
	gnutls_certificate_free_credentials(cred);
	close(fd);
	return NULL;
}

static void test_tls(void **state)
{
	(void)state;
	make_cert();
	struct got g = { 0 };
	int err;
	struct vg_logrecv_opts o = { .tls_cert = certp, .tls_key = keyp };
	struct vg_logrecv *r = vg_logrecv_new(&o, on_line, &g, &err);
	assert_non_null(r);
	char sb[128];
	assert_int_equal(vg_logrecv_listen(r, "tls://127.0.0.1:0", sb, sizeof(sb)), 0);
	assert_non_null(strstr(sb, "tls 127.0.0.1:"));
	char data[1024];
	int dn = snprintf(data, sizeof(data), "%zu %s%zu %s", strlen(L1), L1, strlen(L2), L2);
	struct tlsjob j = { port_of(sb), data, (size_t)dn, 0 };
	pthread_t th;
	pthread_create(&th, NULL, tls_sender, &j);
	pump(r, &g, 2, 10000);
	pthread_join(th, NULL);
	assert_true(j.ok);
	assert_string_equal(g.lines[0], L1);
	assert_string_equal(g.lines[1], L2);
	assert_int_equal(g.tr[0], VG_LOGT_TLS);
	/* a plain-text client on the TLS port fails the handshake, counted */
	int fd = tcp_connect(port_of(sb));
	assert_true(send(fd, "<13>not tls\n", 12, 0) == 12);
	struct vg_logrecv_stats st;
	for (int i = 0; i < 100; i++) {
		vg_logrecv_run_once(r, 20);
		vg_logrecv_stats(r, &st);
		if (st.tls_handshake_failed)
			break;
	}
	assert_int_equal(st.tls_handshake_failed, 1);
	assert_int_equal(st.tls_handshakes, 1);
	assert_int_equal(g.n, 2);
	close(fd);
	got_free(&g);
	vg_logrecv_free(r);
	/* without a certificate a tls listener is refused */
	r = vg_logrecv_new(NULL, on_line, &g, &err);
	assert_int_equal(vg_logrecv_listen(r, "tls://127.0.0.1:0", NULL, 0), VG_EINVAL);
	vg_logrecv_free(r);
	unlink(certp);
	unlink(keyp);
}

static void test_follow_in_loop(void **state)
{
	(void)state;
	struct got g = { 0 };
	char path[64];
	snprintf(path, sizeof(path), "/tmp/vg-recv-follow-%d.log", (int)getpid());
	unlink(path);
	int err;
	struct vg_logrecv *r = vg_logrecv_new(NULL, on_line, &g, &err);
	assert_int_equal(vg_logrecv_follow(r, path), 0);
	FILE *f = fopen(path, "w");
	fprintf(f, "%s\n", L2);
	fclose(f);
	/* within a second */
	pump(r, &g, 1, 1000);
	assert_string_equal(g.lines[0], L2);
	assert_int_equal(g.tr[0], VG_LOGT_FILE);
	got_free(&g);
	vg_logrecv_free(r);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_tcp),
		cmocka_unit_test(test_caps_and_idle),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_follow_in_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
