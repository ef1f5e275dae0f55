/* File following: appends, a partial line held until its newline, rotation by rename
 * (with lines still written to the old file), copytruncate (also when the new content is
 * already longer than the old position), restarts that resume exactly (also across a
 * rotation made while stopped), and backpressure: every line seen exactly once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/core-error.h"
#include "logs/logs-follow.h"

struct seen {
	char out[8192];
	size_t len;
	int refuse; /* refuse this many calls with VG_EFULL */
	int lines;
};

static int on_line(void *ctx, const char *line, size_t len, const struct vg_log_source *src)
{
	struct seen *s = ctx;
	assert_int_equal(src->transport, VG_LOGT_FILE);
	assert_non_null(strstr(src->name, "file:"));
	if (s->refuse > 0) {
		s->refuse--;
		return VG_EFULL;
	}
	int n = snprintf(s->out + s->len, sizeof(s->out) - s->len, "%.*s|", (int)len, line);
	assert_true(n > 0 && (size_t)n < sizeof(s->out) - s->len);
	s->len += (size_t)n;
	s->lines++;
	return 0;
}

static void reset(struct seen *s)
{
	s->len = 0;
	s->out[0] = 0;
	s->lines = 0;
}

static char dir[256], logp[300], rot1[300], rot2[300], statep[300];

static void append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void poll_expect(struct vg_follow *fw, struct seen *s, const char *want)
{
	reset(s);
	vg_follow_poll(fw, on_line, s);
	if (strcmp(s->out, want) != 0)
		fail_msg("got '%s' want '%s'", s->out, want);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/vg-follow-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(logp, sizeof(logp), "%s/auth.log", dir);
	snprintf(rot1, sizeof(rot1), "%s/auth.log.1", dir);
	snprintf(rot2, sizeof(rot2), "%s/auth.log.2", dir);
	snprintf(statep, sizeof(statep), "%s/state", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(logp);
	unlink(rot1);
	unlink(rot2);
	unlink(statep);
	rmdir(dir);
	return 0;
}

static void test_follow_rotate_restart(void **state)
{
	(void)state;
	struct seen s = { 0 };
	append(logp, "l1\nl2\r\nl3\nl4 part");
	struct vg_follow *fw = vg_follow_new(statep, false);
	assert_non_null(fw);
	assert_int_equal(vg_follow_add(fw, logp), 0);
	poll_expect(fw, &s, "l1|l2|l3|");
	poll_expect(fw, &s, "");
	append(logp, "ial\nl5\n");
	poll_expect(fw, &s, "l4 partial|l5|");

	/* rotation by rename; the writer still appends to the old file before switching */
	assert_int_equal(rename(logp, rot1), 0);
	append(rot1, "l6\n");
	poll_expect(fw, &s, "l6|");
	append(rot1, "l7 last of old, no newline");
	append(logp, "n1\nn2\n");
	poll_expect(fw, &s, "l7 last of old, no newline|n1|n2|");

	/* copytruncate: the file shrinks */
	assert_int_equal(truncate(logp, 0), 0);
	append(logp, "t1\n");
	poll_expect(fw, &s, "t1|");
	/* copytruncate where the new content is already longer than our position */
	assert_int_equal(truncate(logp, 0), 0);
	append(logp, "u1 a longer first line than before\nu2\n");
	poll_expect(fw, &s, "u1 a longer first line than before|u2|");

	/* backpressure: refused lines are offered again, nothing lost or repeated */
	append(logp, "b1\nb2\nb3\n");
	s.refuse = 1;
	poll_expect(fw, &s, "");
	poll_expect(fw, &s, "b1|b2|b3|");

	/* restart: a partial line at stop is not delivered; after restart it is, once */
	append(logp, "r1\nr2 part");
	poll_expect(fw, &s, "r1|");
	assert_int_equal(vg_follow_save(fw), 0);
	vg_follow_free(fw);
	append(logp, "ial\nr3\n");
	fw = vg_follow_new(statep, false);
	assert_non_null(fw);
	assert_int_equal(vg_follow_add(fw, logp), 0);
	poll_expect(fw, &s, "r2 partial|r3|");
	struct vg_follow_stats st;
	vg_follow_stats(fw, &st);
	assert_int_equal(st.resumed, 1);

	/* rotation while stopped: the rotated file is found and finished first */
	assert_int_equal(vg_follow_save(fw), 0);
	vg_follow_free(fw);
	append(logp, "d1\n");
	assert_int_equal(rename(logp, rot2), 0);
	append(logp, "e1\ne2\n");
	fw = vg_follow_new(statep, false);
	assert_non_null(fw);
	assert_int_equal(vg_follow_add(fw, logp), 0);
	poll_expect(fw, &s, "d1|e1|e2|");
	append(logp, "e3\n");
	poll_expect(fw, &s, "e3|");
	vg_follow_stats(fw, &st);
	assert_int_equal(st.rotations, 1);
	assert_int_equal(vg_follow_save(fw), 0);
	vg_follow_free(fw);

	/* a restart with nothing new delivers nothing */
	fw = vg_follow_new(statep, false);
	assert_int_equal(vg_follow_add(fw, logp), 0);
	poll_expect(fw, &s, "");
	vg_follow_free(fw);
}

static void test_from_end_and_missing(void **state)
{
	(void)state;
	struct seen s = { 0 };
	unlink(logp);
	unlink(statep);
	/* a file that does not exist yet is picked up from its start when it appears */
	struct vg_follow *fw = vg_follow_new(NULL, true);
	assert_non_null(fw);
	assert_int_equal(vg_follow_add(fw, logp), 0);
	poll_expect(fw, &s, "");
	append(logp, "a1\na2\n");
	poll_expect(fw, &s, "a1|a2|");
	vg_follow_free(fw);
	/* from_end: existing content skipped, only new lines */
	fw = vg_follow_new(NULL, true);
	assert_int_equal(vg_follow_add(fw, logp), 0);
	poll_expect(fw, &s, "");
	append(logp, "a3\n");
	poll_expect(fw, &s, "a3|");
	vg_follow_free(fw);
	/* a garbage state file is ignored, not fatal */
	append(statep, "garbage\nF\t1\t2\n");
	fw = vg_follow_new(statep, false);
	assert_non_null(fw);
	assert_int_equal(vg_follow_add(fw, logp), 0);
	poll_expect(fw, &s, "a1|a2|a3|");
	struct vg_follow_stats st;
	vg_follow_stats(fw, &st);
	assert_int_equal(st.errors, 2);
	vg_follow_free(fw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_follow_rotate_restart),
		cmocka_unit_test(test_from_end_and_missing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
