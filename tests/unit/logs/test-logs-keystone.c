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

#define KS "2026-11-22 23:59:27.866 21 WARNING keystone.server.flask.application [None req-5b1c - - - - - -] "
#define HZ "2026-11-22 23:59:27,866 4321 "

/* Keystone's and Horizon's messages across releases (keystone/exception.py message
 * formats, the flask and wsgi "Authorization failed. %(exception)s from %(remote_addr)s",
 * openstack_auth/forms.py), CADF as Keystone emits it (initiator user_name / user_id /
 * domain_name), and lines that must not be taken for them. */
static const struct row variety[] = {
	/* insecure_debug amendment, the old "Invalid user / password", IPv6 clients. */
	{ "2016-02-08 12:17:56.170 2733 WARNING keystone.common.wsgi [-] Authorization failed. The "
	  "request you have made requires authentication. (Disable insecure_debug mode to suppress "
	  "these details.) from 127.0.0.1",
	  0, "keystone-auth-failure", F, NULL, "127.0.0.1", 0, NULL, false, NULL, "keystone" },
	{ "2014-05-10 09:12:00.123 4242 WARNING keystone.common.wsgi [-] Authorization failed. Invalid "
	  "user / password from 192.0.2.50",
	  0, "keystone-auth-failure", F, NULL, "192.0.2.50", 0, NULL, false, NULL, "keystone" },
	{ KS "Authorization failed. The request you have made requires authentication. from "
	     "2001:db8::5",
	  0, "keystone-auth-failure", F, NULL, "2001:db8::5", 0, NULL, false, NULL, "keystone" },
	/* Python's None for a missing REMOTE_ADDR is no source; DevStack's journald unit name. */
	{ "<190>1 2026-11-22T23:59:27.866Z ctl1 keystone 1234 - - 2026-11-22 23:59:27.866 1234 "
	  "WARNING keystone.server.flask.application [req-1 - - - - -] Authorization failed. The "
	  "request you have made requires authentication. from None",
	  0, "keystone-auth-failure", F, NULL, NULL, 0, NULL, false, NULL, "keystone" },
	{ "Nov 22 23:59:27 ctl1 devstack@keystone.service[1234]: WARNING "
	  "keystone.server.flask.application [None req-8f1e user-x project-y - - -] Authorization "
	  "failed. The request you have made requires authentication. from 10.0.0.5",
	  0, "keystone-auth-failure", F, NULL, "10.0.0.5", 0, NULL, false, NULL, "keystone" },
	/* keystone.auth.plugins.core logs the UserNotFound itself. */
	{ "2026-11-22 23:59:27.866 21 WARNING keystone.auth.plugins.core [None req-5b1c - - - - - -] "
	  "Could not find user: mallory.",
	  0, "keystone-auth-failure", F, "mallory", NULL, 0, NULL, false, NULL, "keystone" },
	/* Locked (PCI-DSS lockout), disabled, expired password: the user id and the source. */
	{ KS "Authorization failed. The account is locked for user: 8f2a9c1e0b6d4e2f. from 10.0.0.9",
	  0, "keystone-auth-failure", F, "8f2a9c1e0b6d4e2f", "10.0.0.9", 0, NULL, false, NULL, NULL },
	{ KS "Authorization failed. The account is disabled for user: 8f2a9c1e0b6d4e2f. from 10.0.0.9",
	  0, "keystone-auth-failure", F, "8f2a9c1e0b6d4e2f", "10.0.0.9", 0, NULL, false, NULL, NULL },
	{ KS "Authorization failed. The password is expired and needs to be changed for user: "
	     "8f2a9c1e0b6d4e2f. from 10.0.0.9",
	  0, "keystone-auth-failure", F, "8f2a9c1e0b6d4e2f", "10.0.0.9", 0, NULL, false, NULL, NULL },
	/* Keystone under Apache mod_wsgi: its line inside the error log. */
	{ "[Sun Nov 22 23:59:33.804417 2026] [wsgi:error] [pid 123:tid 456] [client 10.0.0.7:53116] "
	  "2026-11-22 23:59:33.804 123 WARNING keystone.server.flask.application [req-1 - - - - -] "
	  "Authorization failed. The request you have made requires authentication. from 10.0.0.7",
	  0, "keystone-auth-failure", F, NULL, "10.0.0.7", 53116, NULL, false, NULL, "keystone" },
	/* Authorization (403), other lookups, requests: not authentication failures. */
	{ KS "You are not authorized to perform the requested action: identity:list_users.",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ KS "Could not find project: abc.", VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL,
	  NULL },
	{ "2026-11-22 23:59:27.866 21 INFO keystone.common.wsgi [req-1 - - - - -] GET "
	  "http://10.0.0.1:5000/v3/users",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },

	/* Horizon across releases. */
	{ HZ "INFO openstack_auth.forms Login failed for user \"admin\" using domain \"Default\", "
	     "remote address 10.0.0.7: password expired.",
	  0, "horizon-login-failure", F, "admin", "10.0.0.7", 0, NULL, false, NULL, "horizon" },
	{ HZ "WARNING openstack_auth.forms Login failed for user \"admin\", remote address 10.0.0.7.",
	  0, "horizon-login-failure", F, "admin", "10.0.0.7", 0, NULL, false, NULL, "horizon" },
	{ HZ "WARNING openstack_auth.forms Login failed for user \"admin\".", 0,
	  "horizon-login-failure", F, "admin", NULL, 0, NULL, false, NULL, "horizon" },
	{ HZ "INFO openstack_auth.forms Login successful for user \"\", remote address ::1.", 0,
	  "horizon-login-success", S, NULL, "::1", 0, NULL, false, NULL, "horizon" },
	{ "[Sun Nov 22 23:59:33.804417 2026] [wsgi:error] [pid 123:tid 456] [remote 10.0.0.7:53116] "
	  "WARNING:openstack_auth.forms:Login failed for user \"admin\" using domain \"Default\", "
	  "remote address 10.0.0.7.",
	  0, "horizon-login-failure", F, "admin", "10.0.0.7", 53116, NULL, false, NULL, "horizon" },
	{ "Nov 22 23:59:27 ctl1 horizon: Login failed for user \"admin\", remote address 10.0.0.8.", 0,
	  "horizon-login-failure", F, "admin", "10.0.0.8", 0, NULL, false, NULL, "horizon" },
	/* Other programs' "Login failed for user": not Horizon's (unquoted name). */
	{ "Nov 22 23:59:27 db1 sqlservr: Login failed for user 'sa'. Reason: Password did not match "
	  "that for the login provided. [CLIENT: 10.0.0.3]",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ "Nov 22 23:59:27 app1 app: Login failed for user sa from 10.0.0.3", VG_ENOTSUP, NULL, N,
	  NULL, NULL, 0, NULL, false, NULL, NULL },
	/* An unterminated domain is not the Horizon phrase. */
	{ "Nov 22 23:59:27 ctl1 horizon: Login failed for user \"a\" using domain \"x, remote address "
	  "10.0.0.8.",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },

	/* CADF as Keystone sends it: a name that was not found (user_name), a failed and a
	 * successful account (user_id; id is a UUID derived from it). */
	{ "{\"message_id\": \"4a8b\", \"publisher_id\": \"identity.ctl1\", \"event_type\": "
	  "\"identity.authenticate\", \"priority\": \"INFO\", \"payload\": {\"typeURI\": "
	  "\"http://schemas.dmtf.org/cloud/audit/1.0/event\", \"id\": \"c1d2\", \"eventTime\": "
	  "\"2026-11-22T23:59:27.932842+0000\", \"action\": \"authenticate\", \"eventType\": "
	  "\"activity\", \"outcome\": \"failure\", \"reason\": {\"reasonType\": \"Could not find user: "
	  "mallory.\", \"reasonCode\": \"404\"}, \"initiator\": {\"typeURI\": "
	  "\"service/security/account/user\", \"host\": {\"address\": \"10.0.0.5\", \"agent\": "
	  "\"python-requests/2.31\"}, \"id\": \"5f1c\", \"user_name\": \"mallory\", \"domain_id\": "
	  "\"default\", \"domain_name\": \"Default\"}, \"target\": {\"typeURI\": "
	  "\"service/security/account/user\", \"id\": \"77aa\"}, \"observer\": {\"typeURI\": "
	  "\"service/security\", \"id\": \"openstack:3f2e\"}}, \"timestamp\": \"2026-11-22 "
	  "23:59:27.933191\"}",
	  0, "keystone-auth-failure", F, "mallory", "10.0.0.5", 0, NULL, false, NULL, "keystone" },
	{ "{\"event_type\": \"identity.authenticate\", \"payload\": {\"action\": \"authenticate\", "
	  "\"outcome\": \"failure\", \"initiator\": {\"typeURI\": \"service/security/account/user\", "
	  "\"host\": {\"address\": \"2001:db8::50\", \"agent\": \"curl/8.5\"}, \"id\": \"9b8d5c6a\", "
	  "\"user_id\": \"c9f76d3c31e1\"}}}",
	  0, "keystone-auth-failure", F, "c9f76d3c31e1", "2001:db8::50", 0, NULL, false, NULL, NULL },
	{ "{\"event_type\": \"identity.authenticate\", \"payload\": {\"action\": \"authenticate\", "
	  "\"outcome\": \"success\", \"initiator\": {\"host\": {\"address\": \"10.0.0.6\"}, \"id\": "
	  "\"aa11\", \"user_id\": \"c9f76d3c31e1\", \"project_id\": \"p1\"}}}",
	  0, "keystone-auth-success", S, "c9f76d3c31e1", "10.0.0.6", 0, NULL, false, NULL, NULL },
	/* Other CADF actions, even from the same initiator, are not authentications. */
	{ "{\"event_type\": \"identity.project.created\", \"payload\": {\"action\": "
	  "\"created.project\", \"outcome\": \"success\", \"initiator\": {\"user_id\": \"u1\", "
	  "\"host\": {\"address\": \"10.0.0.5\"}}}}",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ "{\"event_type\": \"identity.OS-TRUST:trust.created\", \"payload\": {\"action\": "
	  "\"created.OS-TRUST:trust\", \"outcome\": \"failure\"}}",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
};

static void test_rows(void **state)
{
	(void)state;
	RUN_ROWS(rows);
	RUN_ROWS(variety);
}

/* The variety row whose line holds needle (fails the test when none does). */
static const char *variety_line(const char *needle)
{
	for (size_t i = 0; i < sizeof(variety) / sizeof(variety[0]); i++) {
		if (strstr(variety[i].line, needle))
			return variety[i].line;
	}
	fail_msg("no row with %s", needle);
	return NULL;
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
	/* Keystone's initiator: domain_name, and the reason it gave. */
	l = variety_line("\"user_name\": \"mallory\"");
	assert_int_equal(vg_logs_parse_line(l, strlen(l), NULL, e), 0);
	assert_string_equal(e->domain, "Default");
	assert_string_equal(e->reason, "Could not find user: mallory.");
	assert_string_equal(e->http.user_agent, "python-requests/2.31");
	/* Keystone and Horizon reasons. */
	l = variety_line("password is expired");
	assert_int_equal(vg_logs_parse_line(l, strlen(l), NULL, e), 0);
	assert_string_equal(e->reason, "password expired");
	l = variety_line("account is locked");
	assert_int_equal(vg_logs_parse_line(l, strlen(l), NULL, e), 0);
	assert_string_equal(e->reason, "account locked");
	l = variety_line("remote address 10.0.0.7: password expired");
	assert_int_equal(vg_logs_parse_line(l, strlen(l), NULL, e), 0);
	assert_string_equal(e->reason, "password expired");
	assert_string_equal(e->domain, "Default");
	assert_int_equal(e->ts_us, 1795391967LL * 1000000 + 866000);
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
