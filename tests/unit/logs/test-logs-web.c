/* Access logs: combined and common, vhost prefix, extra trailing fields, escaped quotes,
 * "-" fields, IPv6 clients, garbage requests; nginx log_format and Apache LogFormat
 * strings; error-log basic-auth failures; and the lab's nginx log counted by kind. */
#include "test-logs-table.h"

#define F VG_OUTCOME_FAILURE
#define S VG_OUTCOME_SUCCESS
#define N VG_OUTCOME_NONE

static const struct row rows[] = {
	{ "10.99.0.1 - admin [22/Nov/2026:23:59:32 +0000] \"GET /login HTTP/1.1\" 401 179 \"-\" "
	  "\"curl/7.88.1\"",
	  0, "http-request", F, "admin", "10.99.0.1", 0, "GET", false, NULL, "web" },
	{ "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326",
	  0, "http-request", S, "frank", "127.0.0.1", 0, "GET", false, NULL, "web" },
	{ "2001:db8::1 - - [10/Oct/2000:13:55:36 -0700] \"POST /x HTTP/2.0\" 302 - \"-\" \"-\"", 0,
	  "http-request", S, NULL, "2001:db8::1", 0, "POST", false, NULL, NULL },
	{ "www.example.com:443 192.0.2.7 - - [22/Nov/2026:23:59:32 +0000] \"POST /wp-login.php "
	  "HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\"",
	  0, "http-request", S, NULL, "192.0.2.7", 0, "POST", false, NULL, NULL },
	/* TLS bytes sent to the HTTP port: the request does not split. */
	{ "192.0.2.9 - - [22/Nov/2026:23:59:32 +0000] \"\\x16\\x03\\x01\\x00\\xA5\\x01\" 400 157 \"-\" "
	  "\"-\"",
	  0, "http-request", F, NULL, "192.0.2.9", 0, NULL, false, NULL, NULL },
	{ "192.0.2.10 - - [22/Nov/2026:23:59:32 +0000] \"-\" 408 0 \"-\" \"-\"", 0, "http-request", F,
	  NULL, "192.0.2.10", 0, NULL, false, NULL, NULL },
	/* A quoted user, no ident column, an extra number after the bytes. */
	{ "10.42.42.39 - \"jeff\" [19/Apr/1943:03:14:13 +0000] \"GET /s HTTP/1.1\" 401 356 \"Evil/2.0\"",
	  0, "http-request", F, "jeff", "10.42.42.39", 0, "GET", false, NULL, NULL },
	{ "10.42.42.44 - [19/Apr/1943:03:14:15 +0000] \"GET / HTTP/2.0\" 301 401 314 \"-\"", 0,
	  "http-request", S, NULL, "10.42.42.44", 0, "GET", false, NULL, NULL },
	/* Not access lines. */
	{ "192.0.2.1 - - [22/Nov/2026:23:59:32 +0000] \"GET / HTTP/1.1", VG_EINVAL, NULL, N, NULL,
	  NULL, 0, NULL, false, NULL, NULL },
	{ "192.0.2.1 - - [32/Nov/2026:23:59:32 +0000] \"GET / HTTP/1.1\" 200 1", VG_EINVAL, NULL, N,
	  NULL, NULL, 0, NULL, false, NULL, NULL },
	{ "192.0.2.1 - - [22/Nov/2026:23:59:32 +0000] \"GET / HTTP/1.1\" abc 1", VG_EINVAL, NULL, N,
	  NULL, NULL, 0, NULL, false, NULL, NULL },
	/* Error logs: basic-auth failures are authentication failures; the browser's first
	 * unauthenticated request is not. */
	{ "2026/11/22 23:59:32 [error] 123#123: *5 user \"admin\": password mismatch, client: "
	  "10.99.0.1, server: _, request: \"GET /login HTTP/1.1\", host: \"10.99.0.2\"",
	  0, "http-auth-failure", F, "admin", "10.99.0.1", 0, "GET", false, NULL, "nginx" },
	{ "2026/11/22 23:59:32 [error] 123#123: *6 user \"ghost\" was not found in "
	  "\"/etc/nginx/.htpasswd\", client: 2001:db8::4, server: _, request: \"GET /a HTTP/1.1\"",
	  0, "http-auth-failure", F, "ghost", "2001:db8::4", 0, "GET", false, NULL, "nginx" },
	{ "2026/11/22 23:59:32 [error] 123#123: *7 no user/password was provided for basic "
	  "authentication, client: 10.99.0.1, server: _, request: \"GET /login HTTP/1.1\"",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ "[Sun Nov 22 23:59:33.000001 2026] [auth_basic:error] [pid 9:tid 10] [client "
	  "192.0.2.1:5555] AH01617: user admin: authentication failure for \"/login\": Password "
	  "Mismatch",
	  0, "http-auth-failure", F, "admin", "192.0.2.1", 5555, NULL, false, NULL, "apache" },
	{ "[Sun Nov 22 23:59:33 2026] [auth_basic:error] [pid 9] [client 2001:db8::3:4444] AH01618: "
	  "user bob not found: /login",
	  0, "http-auth-failure", F, "bob", "2001:db8::3", 4444, NULL, false, NULL, "apache" },
	{ "[Sun Nov 22 23:59:33 2026] [core:notice] [pid 1] AH00094: Command line: '/usr/sbin/apache2'",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
};

static void test_rows(void **state)
{
	(void)state;
	RUN_ROWS(rows);
}

static struct vg_log_entry *g_e;

static int parse_fmt(const char *line, enum vg_log_format f, const char *fmt)
{
	struct vg_log_opts o;
	vg_logs_opts_init(&o);
	o.format = f;
	o.web_format = fmt;
	return vg_logs_parse_line(line, strlen(line), &o, g_e);
}

static void test_fields(void **state)
{
	(void)state;
	/* Apache escapes \" in the agent, nginx writes \x22; both come back as '"'. */
	assert_int_equal(parse_fmt("192.0.2.8 - - [22/Nov/2026:23:59:32 +0000] \"GET /a?b=1 HTTP/1.1\" "
				   "200 612 \"http://r/\" \"ua \\\"q\\\" \\x22n\\x22\" "
				   "\"203.0.113.5, 10.0.0.1\" rt=0.123 uct=\"0.000\"",
				   VG_LOGF_NGINX, NULL),
			 0);
	assert_string_equal(g_e->parser, "nginx");
	assert_int_equal(g_e->format, VG_LOGF_NGINX);
	assert_string_equal(g_e->http.uri, "/a?b=1");
	assert_string_equal(g_e->http.protocol, "HTTP/1.1");
	assert_int_equal(g_e->http.status, 200);
	assert_int_equal(g_e->http.bytes, 612);
	assert_string_equal(g_e->http.referrer, "http://r/");
	assert_string_equal(g_e->http.user_agent, "ua \"q\" \"n\"");
	assert_string_equal(g_e->http.xff, "203.0.113.5, 10.0.0.1");
	assert_int_equal(g_e->http.request_time_us, 123000);
	assert_int_equal(g_e->ts_us, 1795391972LL * 1000000);
	assert_null(g_e->user);
	/* Zone: -0700 is seven hours behind UTC. */
	assert_int_equal(parse_fmt("1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1",
				   VG_LOGF_APACHE, NULL),
			 0);
	assert_int_equal(g_e->ts_us, 971211336LL * 1000000);
	assert_int_equal(g_e->ts_offset_min, -420);
	assert_string_equal(g_e->parser, "apache");
	/* The event carries the web outcome and the client. */
	struct vg_event ev;
	vg_logs_entry_to_event(g_e, &ev);
	assert_string_equal(ev.category, "web");
	assert_string_equal(ev.action, "http-request");
	assert_int_equal(ev.outcome, VG_OUTCOME_SUCCESS);
	assert_int_equal(ev.src.family, VG_AF_INET);
}

static void test_formats(void **state)
{
	(void)state;
	/* nginx log_format with $host, ISO time, $request_time before the quoted fields. */
	const char *nf = "$remote_addr $host [$time_iso8601] \"$request\" $status $body_bytes_sent "
			 "$request_time \"$http_referer\" \"$http_user_agent\"";
	assert_int_equal(parse_fmt("192.0.2.1 example.org [2026-11-22T23:59:32+00:00] \"GET /a?b=1 "
				   "HTTP/2.0\" 200 10 0.250 \"-\" \"curl/8\"",
				   VG_LOGF_NGINX, nf),
			 0);
	assert_string_equal(g_e->http.vhost, "example.org");
	assert_int_equal(g_e->http.request_time_us, 250000);
	assert_null(g_e->http.referrer);
	assert_string_equal(g_e->http.user_agent, "curl/8");
	assert_int_equal(g_e->ts_us, 1795391972LL * 1000000);
	/* Apache LogFormat with %v, %D (µs), %>s and "-" bytes. */
	const char *af = "%v %h %u %t \"%r\" %>s %b %D \"%{Referer}i\" \"%{User-agent}i\"";
	assert_int_equal(parse_fmt("example.org 192.0.2.2 - [22/Nov/2026:23:59:32 +0000] \"GET /a "
				   "HTTP/1.1\" 500 - 1234 \"ref\" \"ua\"",
				   VG_LOGF_APACHE, af),
			 0);
	assert_string_equal(g_e->http.vhost, "example.org");
	assert_int_equal(g_e->http.status, 500);
	assert_int_equal(g_e->outcome, VG_OUTCOME_FAILURE);
	assert_int_equal(g_e->http.bytes, 0);
	assert_true(g_e->http.has_bytes);
	assert_int_equal(g_e->http.request_time_us, 1234);
	assert_string_equal(g_e->http.referrer, "ref");
	/* Request parts logged separately; Apache's %q keeps its '?'. */
	assert_int_equal(parse_fmt("192.0.2.3 GET /p ?x=1 HTTP/1.1 404", VG_LOGF_APACHE,
				   "%a %m %U %q %H %s"),
			 0);
	assert_string_equal(g_e->http.method, "GET");
	assert_string_equal(g_e->http.uri, "/p?x=1");
	assert_string_equal(g_e->http.protocol, "HTTP/1.1");
	/* A line that does not follow the format is not an access line. */
	assert_int_equal(parse_fmt("192.0.2.3 GET", VG_LOGF_APACHE, "%a %m %U %q %H %s"), VG_EINVAL);
	assert_null(g_e->action);
	assert_int_equal(parse_fmt("x", VG_LOGF_NGINX, nf), VG_EINVAL);
}

/* A near-maximal line: the line, the request and the URI copies all fit the arena. */
static void test_long_line(void **state)
{
	(void)state;
	size_t ul = VG_MAX_LINE - 200;
	char *l = malloc(VG_MAX_LINE + 1);
	assert_non_null(l);
	int n = snprintf(l, VG_MAX_LINE, "192.0.2.1 - - [22/Nov/2026:23:59:32 +0000] \"GET /");
	memset(l + n, 'a', ul);
	n += (int)ul;
	n += snprintf(l + n, (size_t)(VG_MAX_LINE + 1 - (size_t)n), " HTTP/1.1\" 414 0 \"-\" \"-\"");
	assert_true((size_t)n <= VG_MAX_LINE);
	assert_int_equal(vg_logs_parse_line(l, (size_t)n, NULL, g_e), 0);
	assert_false(g_e->truncated);
	assert_int_equal(strlen(g_e->http.uri), ul + 1);
	assert_int_equal(strlen(g_e->http.request), ul + 1 + 4 + 9);
	assert_int_equal(g_e->http.status, 414);
	free(l);
}

/* The lab's nginx log: 76 requests from 10.99.0.1 / fd00:99::1, 25 failed basic-auth logins on
 * /login (401 as admin), the attack probes by URI, and nothing unparsed. */
static void test_lab(void **state)
{
	(void)state;
	const char *root = getenv("VIGIL_SHARED");
	char path[512];
	snprintf(path, sizeof(path), "%s/data/lab/logs/nginx-access-dev.log",
		 root ? root : "/work/shared");
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[4096];
	int n = 0, v6 = 0, login401 = 0, failures = 0, sqlmap = 0, jndi = 0, traversal = 0;
	while (fgets(line, sizeof(line), f)) {
		n++;
		assert_int_equal(vg_logs_parse_line(line, strlen(line), NULL, g_e), 0);
		assert_string_equal(g_e->action, "http-request");
		char a[VG_ADDR_STRLEN];
		vg_addr_format(&g_e->src, a);
		/* The attacker, over IPv4 and IPv6. */
		if (strcmp(a, "10.99.0.1") != 0 && strcmp(a, "fd00:99::1") != 0)
			fail_msg("unexpected client %s", a);
		v6 += g_e->src.family == VG_AF_INET6;
		assert_non_null(g_e->http.uri);
		if (g_e->http.status == 401 && strcmp(g_e->http.uri, "/login") == 0) {
			login401++;
			assert_string_equal(g_e->user, "admin");
		}
		failures += g_e->outcome == VG_OUTCOME_FAILURE;
		sqlmap += g_e->http.user_agent && strncmp(g_e->http.user_agent, "sqlmap/", 7) == 0;
		jndi += strstr(g_e->http.uri, "jndi") != NULL;
		traversal += strstr(g_e->http.uri, "..") != NULL;
	}
	fclose(f);
	assert_int_equal(n, 76);
	assert_true(v6 > 0);
	assert_int_equal(login401, 25);
	assert_true(sqlmap >= 1);
	assert_true(jndi >= 1);
	assert_true(traversal >= 2);
	/* 42 successes (/health polls, the JNDI probe answered 200); failures are the 25
	 * 401s, 7 404 probes and 2 400 traversals. */
	assert_int_equal(failures, 34);
}

int main(void)
{
	g_e = malloc(sizeof(*g_e));
	if (!g_e)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_lab),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(g_e);
	return rc;
}
