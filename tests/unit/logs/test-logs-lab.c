/* The lab's own logs (data/lab/logs, see its README): every sshd line that matters is
 * understood, the brute force is counted exactly (users, source, ports), the one
 * successful login is a success and nothing else is, and the RFC 5424 copy of the same
 * lines normalizes identically. */
#include "test-logs-table.h"

#define MAXL 128

struct lab {
	int n;
	int rc[MAXL];
	char action[MAXL][40];
	char user[MAXL][40];
	char src[MAXL][VG_ADDR_STRLEN];
	unsigned sport[MAXL];
	int64_t ts[MAXL];
	enum vg_outcome outcome[MAXL];
	char app[MAXL][16];
	char host[MAXL][16];
};

static void load(const char *name, struct lab *lab)
{
	const char *root = getenv("VIGIL_SHARED");
	char path[512];
	snprintf(path, sizeof(path), "%s/data/lab/logs/%s", root ? root : "/work/shared", name);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	struct vg_log_entry *e = malloc(sizeof(*e));
	assert_non_null(e);
	struct vg_log_opts o;
	vg_logs_opts_init(&o);
	o.now_us = 1795392000LL * 1000000; /* 2026-11-23T00:00Z, just after the capture */
	char line[4096];
	memset(lab, 0, sizeof(*lab));
	while (fgets(line, sizeof(line), f) && lab->n < MAXL) {
		int i = lab->n++;
		lab->rc[i] = vg_logs_parse_line(line, strlen(line), &o, e);
		snprintf(lab->action[i], sizeof(lab->action[i]), "%s", e->action ? e->action : "");
		snprintf(lab->user[i], sizeof(lab->user[i]), "%s", e->user ? e->user : "");
		vg_addr_format(&e->src, lab->src[i]);
		lab->sport[i] = e->sport;
		lab->ts[i] = e->ts_us;
		lab->outcome[i] = e->outcome;
		snprintf(lab->app[i], sizeof(lab->app[i]), "%s", e->app_name ? e->app_name : "");
		snprintf(lab->host[i], sizeof(lab->host[i]), "%s", e->hostname ? e->hostname : "");
	}
	fclose(f);
	free(e);
}

static int count(const struct lab *lab, const char *action)
{
	int n = 0;
	for (int i = 0; i < lab->n; i++)
		n += strcmp(lab->action[i], action) == 0;
	return n;
}

static void check_lab(const struct lab *lab)
{
	assert_int_equal(lab->n, 46);
	/* 8 connections from the attacker, one failed password each in this capture
	 * (the README's "3 wrong passwords each" is the client's tries; sshd logged one
	 * "Failed password" per connection before the client gave up). */
	static const char *const users[] = { "root", "admin", "test", "oracle",
					     "ubuntu", "root", "admin", "postgres" };
	int k = 0;
	for (int i = 0; i < lab->n; i++) {
		if (strcmp(lab->action[i], "ssh-login-failed") != 0)
			continue;
		assert_true(k < 8);
		assert_string_equal(lab->user[i], users[k]);
		assert_string_equal(lab->src[i], "10.99.0.1");
		assert_true(lab->sport[i] >= 50346 && lab->sport[i] <= 50406);
		assert_int_equal(lab->outcome[i], VG_OUTCOME_FAILURE);
		k++;
	}
	assert_int_equal(k, 8);
	assert_int_equal(count(lab, "ssh-invalid-user"), 5);      /* admin x2, test, oracle, ubuntu */
	assert_int_equal(count(lab, "ssh-user-not-allowed"), 1);  /* postgres: account locked */
	assert_int_equal(count(lab, "ssh-preauth-disconnect"), 8);
	assert_int_equal(count(lab, "ssh-connection"), 9);
	assert_int_equal(count(lab, "ssh-login-success"), 1);
	assert_int_equal(count(lab, "ssh-disconnect"), 2);        /* labuser's session end */
	assert_int_equal(count(lab, "ssh-session-start"), 1);
	assert_int_equal(count(lab, "ssh-session-close"), 1);
	assert_int_equal(count(lab, "ssh-server-start"), 2);
	assert_int_equal(count(lab, "ssh-server-stop"), 1);
	/* Unknown: 8 "Could not get shadow information for NOUSER" (PAM noise, the failure
	 * is on the next line) and "User child is on pid". Nothing else. */
	int unknown = 0;
	for (int i = 0; i < lab->n; i++) {
		assert_true(lab->rc[i] == 0 || lab->rc[i] == VG_ENOTSUP);
		if (lab->rc[i] == VG_ENOTSUP)
			unknown++;
		assert_string_equal(lab->app[i], "sshd");
		assert_string_equal(lab->host[i], "vm");
	}
	assert_int_equal(unknown, 7);
	/* The only success is labuser's. */
	for (int i = 0; i < lab->n; i++) {
		if (lab->outcome[i] == VG_OUTCOME_SUCCESS &&
		    strcmp(lab->action[i], "ssh-login-success") == 0)
			assert_string_equal(lab->user[i], "labuser");
	}
}

static void test_lab_3164(void **state)
{
	(void)state;
	static struct lab lab;
	load("auth-dev.log", &lab);
	check_lab(&lab);
	/* Year inferred: 2026-11-22 23:58:43 UTC. */
	assert_int_equal(lab.ts[0], 1795391923LL * 1000000);
}

static void test_lab_5424_same(void **state)
{
	(void)state;
	static struct lab a, b;
	load("auth-dev.log", &a);
	load("auth5424-dev.log", &b);
	check_lab(&b);
	for (int i = 0; i < a.n; i++) {
		assert_string_equal(a.action[i], b.action[i]);
		assert_string_equal(a.user[i], b.user[i]);
		assert_string_equal(a.src[i], b.src[i]);
		assert_int_equal(a.sport[i], b.sport[i]);
		/* Same second; 5424 adds the microseconds. */
		assert_int_equal(a.ts[i] / 1000000, b.ts[i] / 1000000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_3164),
		cmocka_unit_test(test_lab_5424_same),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
