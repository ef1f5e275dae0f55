/* Bounded line queue: drops counted under DROP, refusals counted under WAIT (and nothing
 * lost when the producer retries), truncation counted with the next line intact, byte
 * bound, order across threads, close drains. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-error.h"
#include "logs/logs-queue.h"

static void test_drop_counted(void **state)
{
	(void)state;
	struct vg_logq *q = vg_logq_new(4, 0, 0);
	assert_non_null(q);
	char line[32];
	int ok = 0, full = 0;
	for (int i = 0; i < 10; i++) {
		int n = snprintf(line, sizeof(line), "line %d", i);
		int rc = vg_logq_push(q, line, (size_t)n, "udp:test", 0, 0, VG_LOGQ_DROP);
		if (rc == VG_OK)
			ok++;
		else if (rc == VG_EFULL)
			full++;
	}
	assert_int_equal(ok, 4);
	assert_int_equal(full, 6);
	struct vg_logq_stats st;
	vg_logq_stats(q, &st);
	assert_int_equal(st.pushed, 4);
	assert_int_equal(st.dropped, 6);
	assert_int_equal(st.full, 0);
	assert_int_equal(st.high_water, 4);
	/* the first four are kept, in order */
	struct vg_logq_msg m = { 0 };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(vg_logq_pop(q, &m, 0), VG_OK);
		snprintf(line, sizeof(line), "line %d", i);
		assert_string_equal(m.line, line);
		assert_string_equal(m.source, "udp:test");
	}
	assert_int_equal(vg_logq_pop(q, &m, 10), VG_EAGAIN);
	/* WAIT refuses without dropping */
	for (int i = 0; i < 5; i++)
		(void)vg_logq_push(q, "x", 1, NULL, 0, 0, VG_LOGQ_WAIT);
	vg_logq_stats(q, &st);
	assert_int_equal(st.full, 1);
	assert_int_equal(st.dropped, 6);
	assert_false(vg_logq_has_room(q, 1));
	vg_logq_msg_free(&m);
	vg_logq_free(q);
}

static void test_truncate_and_bytes(void **state)
{
	(void)state;
	struct vg_logq *q = vg_logq_new(100, 20, 8);
	assert_non_null(q);
	assert_int_equal(vg_logq_push(q, "0123456789abc", 13, "f", 0, 0, VG_LOGQ_WAIT), VG_OK);
	assert_int_equal(vg_logq_push(q, "next", 4, "f", 0, 0, VG_LOGQ_WAIT), VG_OK);
	assert_int_equal(vg_logq_push(q, "01234567", 8, "f", 0, 0, VG_LOGQ_WAIT), VG_OK);
	/* 8 + 4 + 8 = 20 bytes: full by bytes, not by items */
	assert_int_equal(vg_logq_push(q, "z", 1, "f", 0, 0, VG_LOGQ_DROP), VG_EFULL);
	struct vg_logq_msg m = { 0 };
	assert_int_equal(vg_logq_pop(q, &m, 0), VG_OK);
	assert_int_equal(m.len, 8);
	assert_memory_equal(m.line, "01234567", 8);
	assert_int_equal(m.flags & VG_LOGQ_F_TRUNCATED, VG_LOGQ_F_TRUNCATED);
	assert_int_equal(vg_logq_pop(q, &m, 0), VG_OK);
	assert_string_equal(m.line, "next");
	assert_int_equal(m.flags, 0);
	struct vg_logq_stats st;
	vg_logq_stats(q, &st);
	assert_int_equal(st.truncated, 1);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.bytes, 8);
	/* closed: pushes refused and counted, pops drain then report the end */
	vg_logq_close(q);
	assert_int_equal(vg_logq_push(q, "late", 4, "f", 0, 0, VG_LOGQ_WAIT), VG_ESTATE);
	assert_int_equal(vg_logq_pop(q, &m, -1), VG_OK);
	assert_int_equal(vg_logq_pop(q, &m, -1), VG_ESTATE);
	vg_logq_stats(q, &st);
	assert_int_equal(st.dropped, 2);
	vg_logq_msg_free(&m);
	vg_logq_free(q);
}

#define NLINES 200000

static void *consumer(void *arg)
{
	struct vg_logq *q = arg;
	struct vg_logq_msg m = { 0 };
	long expect = 0, bad = 0;
	char want[32];
	while (vg_logq_pop(q, &m, -1) == VG_OK) {
		snprintf(want, sizeof(want), "msg %ld", expect);
		if (strcmp(m.line, want) != 0)
			bad++;
		expect++;
	}
	vg_logq_msg_free(&m);
	return (void *)(bad ? -1 : expect);
}

static void test_threads_wait_no_loss(void **state)
{
	(void)state;
	struct vg_logq *q = vg_logq_new(64, 0, 0); /* small: the producer hits full often */
	assert_non_null(q);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, consumer, q), 0);
	char line[32];
	for (long i = 0; i < NLINES; i++) {
		int n = snprintf(line, sizeof(line), "msg %ld", i);
		while (vg_logq_push(q, line, (size_t)n, "tcp:x", 0, 0, VG_LOGQ_WAIT) == VG_EFULL)
			sched_yield();
	}
	vg_logq_close(q);
	void *ret;
	pthread_join(th, &ret);
	assert_int_equal((long)ret, NLINES);
	struct vg_logq_stats st;
	vg_logq_stats(q, &st);
	assert_int_equal(st.pushed, NLINES);
	assert_int_equal(st.popped, NLINES);
	assert_int_equal(st.dropped, 0);
	vg_logq_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_counted),
		cmocka_unit_test(test_truncate_and_bytes),
		cmocka_unit_test(test_threads_wait_no_loss),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
