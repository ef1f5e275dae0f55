/* Live capture on `lo` with a BPF filter: datagrams the test sends to the filtered port
 * arrive, those to another port do not; next() returns 0 after its timeout when idle;
 * bad filters and interfaces give errors that say what was wrong. Then privilege drop:
 * in a forked child, capture opened as root keeps working after dropping to 'nobody',
 * and root cannot be regained. Skipped when not root (no CAP_NET_RAW / setuid). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "capture/capture.h"
#include "core/core-error.h"
#include "core/core-priv.h"

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint16_t pick_port(void)
{
	return (uint16_t)(40000 + (getpid() % 20000));
}

static void send_udp(uint16_t port, int n, const char *tag)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < n; i++) {
		char msg[64];
		int len = snprintf(msg, sizeof(msg), "%s-%d", tag, i);
		assert_int_equal(sendto(s, msg, (size_t)len, 0, (struct sockaddr *)&a, sizeof(a)), len);
	}
	close(s);
}

/* Count captured UDP datagrams to `port` (Ethernet/IPv4 on lo) within `ms`. Any other
 * packet passing the filter fails the test. */
static int collect(struct vg_capture *cap, uint16_t port, int want, int ms)
{
	int got = 0;
	int64_t end = mono_ms() + ms;
	while (got < want && mono_ms() < end) {
		int64_t ts;
		const uint8_t *d;
		uint32_t cl, wl;
		int rc = vg_capture_next(cap, &ts, &d, &cl, &wl);
		assert_true(rc >= 0);
		if (rc == 0)
			continue;
		assert_true(cl >= 14 + 20 + 8);
		assert_true(ts > 1600000000ll * 1000000);
		/* Ethernet (zero MACs on lo) + IPv4 + UDP: destination port at 14 + ihl + 2. */
		assert_int_equal(d[12], 0x08);
		assert_int_equal(d[13], 0x00);
		unsigned ihl = (d[14] & 0x0f) * 4u;
		assert_int_equal(d[14 + 9], 17);
		uint16_t dp = (uint16_t)(d[14 + ihl + 2] << 8 | d[14 + ihl + 3]);
		assert_int_equal(dp, port);
		got++;
	}
	return got;
}

static void test_live_lo_filter(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	uint16_t port = pick_port();
	char bpf[64];
	snprintf(bpf, sizeof(bpf), "udp and dst port %u", port);
	struct vg_capture_live_opts o = { .iface = "lo", .snaplen = 2048, .promisc = false,
					  .bpf = bpf, .timeout_ms = 100 };
	struct vg_capture *cap = NULL;
	char err[VG_CAPTURE_ERRLEN];
	int rc = vg_capture_open_live(&o, &cap, err);
	if (rc)
		fail_msg("open lo: %s", err);
	assert_int_equal(vg_capture_linktype(cap), 1);
	assert_true(vg_capture_fd(cap) >= 0);

	/* Idle: next() comes back with 0 after about timeout_ms, not later. */
	int64_t t0 = mono_ms();
	int64_t ts;
	const uint8_t *d;
	uint32_t cl, wl;
	assert_int_equal(vg_capture_next(cap, &ts, &d, &cl, &wl), 0);
	int64_t waited = mono_ms() - t0;
	assert_true(waited < 1000);

	send_udp((uint16_t)(port + 1), 3, "other"); /* filtered out */
	send_udp(port, 5, "mine");
	assert_int_equal(collect(cap, port, 5, 3000), 5);
	/* Nothing more: the other port's datagrams never pass the filter. */
	assert_int_equal(collect(cap, port, 1, 300), 0);

	struct vg_capture_stats st;
	assert_int_equal(vg_capture_stats(cap, &st), 0);
	assert_int_equal(st.packets, 5);
	assert_true(st.received >= 5);
	assert_int_equal(st.dropped, 0);
	vg_capture_close(cap);
}

static void test_live_errors(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct vg_capture *cap = (void *)1;
	char err[VG_CAPTURE_ERRLEN];
	struct vg_capture_live_opts o = { .iface = "lo", .bpf = "udp and port", .timeout_ms = 10 };
	assert_int_equal(vg_capture_open_live(&o, &cap, err), VG_EINVAL);
	assert_null(cap);
	assert_non_null(strstr(err, "'udp and port'"));
	assert_non_null(strstr(err, "lo"));

	struct vg_capture_live_opts m = { .iface = "vg-no-such-if0", .timeout_ms = 10 };
	int rc = vg_capture_open_live(&m, &cap, err);
	assert_true(rc == VG_ENOENT || rc == VG_EIO);
	assert_null(cap);
	assert_non_null(strstr(err, "vg-no-such-if0"));

	struct vg_capture_live_opts none = { 0 };
	assert_int_equal(vg_capture_open_live(&none, &cap, err), VG_EINVAL);
	assert_null(cap);
}

static void test_priv_drop_after_capture(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	char msg[256];
	/* As root without a user: refused rather than silently staying root. */
	assert_int_equal(vg_priv_drop(NULL, msg, sizeof(msg)), VG_EINVAL);
	assert_int_equal(vg_priv_drop("vg-no-such-user", msg, sizeof(msg)), VG_ENOENT);
	assert_non_null(strstr(msg, "vg-no-such-user"));
	assert_int_equal(vg_priv_drop("root", msg, sizeof(msg)), VG_EINVAL);
	assert_int_equal(geteuid(), 0); /* none of these changed anything */

	uint16_t port = (uint16_t)(pick_port() + 7);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Child: open the capture as root, drop, then capture and try to get root back.
		 * Exit codes say which step failed. */
		char bpf[64], err[VG_CAPTURE_ERRLEN];
		snprintf(bpf, sizeof(bpf), "udp and dst port %u", port);
		struct vg_capture_live_opts o = { .iface = "lo", .bpf = bpf, .timeout_ms = 100 };
		struct vg_capture *cap = NULL;
		if (vg_capture_open_live(&o, &cap, err))
			_exit(10);
		if (vg_priv_drop("nobody", msg, sizeof(msg)) != 0)
			_exit(11);
		if (getuid() == 0 || geteuid() == 0)
			_exit(12);
		if (setuid(0) == 0 || seteuid(0) == 0)
			_exit(13);
		if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
			_exit(18);
		/* Capturing still works: the socket was opened before the drop. */
		send_udp(port, 2, "after-drop");
		int got = 0;
		int64_t end = mono_ms() + 3000;
		while (got < 2 && mono_ms() < end) {
			int64_t ts;
			const uint8_t *d;
			uint32_t cl, wl;
			int rc = vg_capture_next(cap, &ts, &d, &cl, &wl);
			if (rc < 0)
				_exit(14);
			got += rc;
		}
		if (got != 2)
			_exit(15);
		/* A new capture cannot be opened any more. */
		struct vg_capture *again = NULL;
		if (vg_capture_open_live(&o, &again, err) == 0)
			_exit(16);
		/* Not root, no user: no-op; the same user: 0. */
		if (vg_priv_drop(NULL, msg, sizeof(msg)) != 0 || vg_priv_drop("nobody", msg, sizeof(msg)) != 0)
			_exit(17);
		vg_capture_close(cap);
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("child failed at step %d", WEXITSTATUS(status));
	assert_int_equal(geteuid(), 0); /* the parent is untouched */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_lo_filter),
		cmocka_unit_test(test_live_errors),
		cmocka_unit_test(test_priv_drop_after_capture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
