/* OpenStack: Keystone oslo.log lines (old wsgi and flask loggers, syslog-forwarded),
 * CADF identity.authenticate notifications (bare, with payload, in an oslo.messaging
 * envelope), Horizon login results; and what must not match (other CADF events, other
 * Keystone lines, broken or too deeply nested JSON). */
#include "test-logs-table.h"

#define F VG_OUTCOME_FAILURE
#define S VG_OUTCOME_SUCCESS
#define U VG_OUTCOME_UNKNOWN
#define N VG_OUTCOME_NONE

static const struct row rows[] = {
	{ "2016-02-08 12:17:56.170 2733 WARNING keystone.common.wsgi [-] Authorization failed. The "
	  "request you have made requires authentication. from 127.0.0.1",
	  0, "keystone-auth-failure", F, NULL, "127.0.0.1", 0, NULL, false, NULL, "keystone" },
	{ "2026-11-22 23:59:27.866 1234 WARNING keystone.server.flask.application [req-8f1e2d3c 5f6 "
	  "7a8 - default default] Authorization failed. The request you have made requires "
	  "authentication. from 10.0.0.5",
	  0, "keystone-auth-failure", F, NULL, "10.0.0.5", 0, NULL, false, NULL, "keystone" },
	{ "2026-11-22 23:59:27.866 1234 WARNING keystone.common.wsgi [req-1 - - - - -] Could not find "
	  "user: mallory.",
	  0, "keystone-auth-failure", F, "mallory", NULL, 0, NULL, false, NULL, NULL },
	{ "2026-11-22 23:59:27.866 1234 WARNING keystone.identity.core [req-1 - - - - -] The account "
	  "is locked for user: bob.",
	  0, "keystone-auth-failure", F, "bob", NULL, 0, NULL, false, NULL, NULL },
	{ "Nov 22 23:59:27 ctl1 keystone-wsgi-public[99]: 2026-11-22 23:59:27.866 99 WARNING "
	  "keystone.server.flask.application [req-x - - - - -] Authorization failed. The request you "
	  "have made requires authentication. from 2001:db8::9",
	  0, "keystone-auth-failure", F, NULL, "2001:db8::9", 0, NULL, false, NULL, "keystone" },
	{ "2026-11-22 23:59:27.866 1234 INFO keystone.common.wsgi [req-1 - - - - -] POST "
	  "http://10.0.0.1:5000/v3/auth/tokens",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ "2026-11-22 23:59:27.866 1234 BOGUS keystone.common.wsgi x", VG_EINVAL, NULL, N, NULL, NULL,
	  0, NULL, false, NULL, NULL },
	/* Horizon (Django logger, syslog, Apache error log). */
	{ "2026-11-22 23:59:27,866 4321 WARNING openstack_auth.forms Login failed for user \"admin\" "
	  "using domain \"Default\", remote address 10.0.0.7.",
	  0, "horizon-login-failure", F, "admin", "10.0.0.7", 0, NULL, false, NULL, "horizon" },
	{ "2026-11-22 23:59:27,866 4321 INFO openstack_auth.forms Login successful for user \"demo\" "
	  "using domain \"Default\", remote address 2001:db8::7.",
	  0, "horizon-login-success", S, "demo", "2001:db8::7", 0, NULL, false, NULL, "horizon" },
	{ "Nov 22 23:59:27 ctl1 horizon: Login failed for user \"admin\", remote address 10.0.0.8.", 0,
	  "horizon-login-failure", F, "admin", "10.0.0.8", 0, NULL, false, NULL, NULL },
	/* A quote inside the user name does not move the address. */
	{ "Nov 22 23:59:27 ctl1 horizon: Login failed for user \"a\" using domain \"x\", remote address "
	  "6.6.6.6.\" using domain \"Default\", remote address 10.0.0.9.",
	  0, "horizon-login-failure", F,
	  "a\" using domain \"x\", remote address 6.6.6.6.", "10.0.0.9", 0, NULL, false, NULL, NULL },
	{ "[Mon Nov 23 10:00:00.123456 2026] [wsgi:error] [pid 123:tid 456] [remote 10.0.0.7:5000] "
	  "Login failed for user \"admin\" using domain \"Default\", remote address 10.0.0.7.",
	  0, "horizon-login-failure", F, "admin", "10.0.0.7", 5000, NULL, false, NULL, NULL },
	/* CADF */
	{ "{\"event_type\": \"identity.authenticate\", \"payload\": {\"typeURI\": "
	  "\"http://schemas.dmtf.org/cloud/audit/1.0/event\", \"initiator\": {\"typeURI\": "
	  "\"service/security/account/user\", \"host\": {\"agent\": \"python-keystoneclient\", "
	  "\"address\": \"10.0.0.5\"}, \"id\": \"3c2a9c2b\", \"name\": \"alice\"}, \"eventType\": "
	  "\"activity\", \"eventTime\": \"2026-11-22T23:59:27.932842+0000\", \"action\": "
	  "\"authenticate\", \"outcome\": \"failure\", \"id\": \"ev1\", \"reason\": {\"reasonType\": "
	  "\"Unauthorized\", \"reasonCode\": \"401\"}}, \"priority\": \"INFO\", \"timestamp\": "
	  "\"2026-11-22 23:59:27.932842\", \"publisher_id\": \"identity.ctl1\"}",
	  0, "keystone-auth-failure", F, "alice", "10.0.0.5", 0, NULL, false, NULL, "keystone" },
	{ "{\"oslo.version\": \"2.0\", \"oslo.message\": \"{\\\"event_type\\\": "
	  "\\\"identity.authenticate\\\", \\\"payload\\\": {\\\"action\\\": \\\"authenticate\\\", "
	  "\\\"outcome\\\": \\\"success\\\", \\\"initiator\\\": {\\\"host\\\": {\\\"address\\\": "
	  "\\\"10.0.0.6\\\"}, \\\"id\\\": \\\"u2\\\"}}}\"}",
	  0, "keystone-auth-success", S, "u2", "10.0.0.6", 0, NULL, false, NULL, NULL },
	{ "{\"typeURI\": \"http://schemas.dmtf.org/cloud/audit/1.0/event\", \"action\": "
	  "\"authenticate\", \"outcome\": \"pending\", \"initiator\": {\"name\": \"carol\"}}",
	  0, "keystone-auth-attempt", U, "carol", NULL, 0, NULL, false, NULL, NULL },
	{ "{\"event_type\": \"identity.user.created\", \"payload\": {\"action\": \"created.user\", "
	  "\"outcome\": \"success\"}}",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	/* CADF through oslo.messaging's log driver and through syslog. */
	{ "2026-11-22 23:59:27.932 77 INFO oslo.messaging.notification.identity.authenticate [-] "
	  "{\"event_type\": \"identity.authenticate\", \"payload\": {\"action\": \"authenticate\", "
	  "\"outcome\": \"failure\", \"initiator\": {\"name\": \"eve\", \"host\": {\"address\": "
	  "\"10.0.0.66\"}}}, \"publisher_id\": \"identity.ctl2\"}",
	  0, "keystone-auth-failure", F, "eve", "10.0.0.66", 0, NULL, false, NULL, "keystone" },
	{ "Nov 22 23:59:27 ctl1 keystone-notify: {\"event_type\": \"identity.authenticate\", "
	  "\"payload\": {\"action\": \"authenticate\", \"outcome\": \"failure\", \"initiator\": "
	  "{\"name\": \"eve\", \"host\": {\"address\": \"10.0.0.67\"}}}}",
	  0, "keystone-auth-failure", F, "eve", "10.0.0.67", 0, NULL, false, NULL, "keystone" },
	{ "{\"broken json", VG_EINVAL, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ "[1, 2, 3]", VG_EINVAL, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
};

static void test_rows(void **state)
{
	(void)state;
	RUN_ROWS(rows);
}

static void test_fields(void **state)
{
	(void)state;
	struct vg_log_entry *e = malloc(sizeof(*e));
	assert_non_null(e);
	const char *l = rows[1].line;
	assert_int_equal(vg_logs_parse_line(l, strlen(l), NULL, e), 0);
	assert_string_equal(e->request_id, "req-8f1e2d3c");
	assert_string_equal(e->app_name, "keystone.server.flask.application");
	assert_int_equal(e->pid, 1234);
	assert_int_equal(e->severity, 4);
	assert_int_equal(e->format, VG_LOGF_KEYSTONE);
	assert_int_equal(e->ts_us, 1795391967LL * 1000000 + 866000);
	l = "2026-11-22 23:59:27.866 21 WARNING keystone.server.flask.application [None req-5b1c aaa "
	    "bbb - - default default] Authorization failed. The request you have made requires "
	    "authentication. from 10.0.0.5";
	assert_int_equal(vg_logs_parse_line(l, strlen(l), NULL, e), 0);
	assert_string_equal(e->request_id, "req-5b1c");
	l = rows[7].line;
	assert_int_equal(vg_logs_parse_line(l, strlen(l), NULL, e), 0);
	assert_string_equal(e->domain, "Default");
	l = rows[12].line;
	assert_int_equal(vg_logs_parse_line(l, strlen(l), NULL, e), 0);
	assert_int_equal(e->format, VG_LOGF_CADF);
	assert_string_equal(e->hostname, "ctl1");
	assert_string_equal(e->reason, "Unauthorized");
	assert_string_equal(e->http.user_agent, "python-keystoneclient");
	assert_int_equal(e->ts_us, 1795391967LL * 1000000 + 932842);
	/* JSON nested deeper than VG_MAX_JSON_DEPTH is refused before jansson sees it. */
	char deep[512];
	size_t n = 0;
	deep[n++] = '{';
	memcpy(deep + n, "\"a\":", 4);
	n += 4;
	for (unsigned i = 0; i < VG_MAX_JSON_DEPTH + 5; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	assert_int_equal(vg_logs_parse_line(deep, n, NULL, e), VG_EINVAL);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
