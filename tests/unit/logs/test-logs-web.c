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

#define U VG_OUTCOME_UNKNOWN
#define TS "[22/Nov/2026:23:59:32 +0000]"

/* The real variety of access and error lines (nginx and Apache docs, their sources'
 * log calls, lines seen on the Internet): what each must give, and what must not be
 * read from it. */
static const struct row variety[] = {
	/* Client column: vhost prefix with an IP server name, a host name client behind a
	 * vhost (HostnameLookups On), bracketed and mapped IPv6. */
	{ "10.0.0.2:80 192.0.2.7 - - " TS " \"GET / HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\"", 0,
	  "http-request", S, NULL, "192.0.2.7", 0, "GET", false, NULL, "web" },
	{ "www.example.com:80 crawl-66-249-66-1.googlebot.com - - " TS " \"GET / HTTP/1.1\" 200 1 "
	  "\"-\" \"Googlebot/2.1\"",
	  0, "http-request", S, NULL, NULL, 0, "GET", false, NULL, NULL },
	{ "crawl-66-249-66-1.googlebot.com - - " TS " \"GET /robots.txt HTTP/1.1\" 404 1 \"-\" \"-\"",
	  0, "http-request", F, NULL, NULL, 0, "GET", false, NULL, NULL },
	{ "example.org 203.0.113.9 - alice [22/Nov/2026:23:59:32 +0100] \"GET /a HTTP/1.1\" 401 12 "
	  "\"-\" \"curl/8.5.0\"",
	  0, "http-request", F, "alice", "203.0.113.9", 0, "GET", false, NULL, NULL },
	{ "192.0.2.7 - John Smith " TS " \"GET /a HTTP/1.1\" 200 12", 0, "http-request", S,
	  "John Smith", "192.0.2.7", 0, "GET", false, NULL, NULL },
	{ "[::1] - - " TS " \"GET /server-status?auto HTTP/1.1\" 200 512 \"-\" \"Python-urllib/3.11\"",
	  0, "http-request", S, NULL, "::1", 0, "GET", false, NULL, "web" },
	{ "::1 - - " TS " \"OPTIONS * HTTP/1.0\" 200 126 \"-\" \"Apache/2.4.57 (Debian) (internal "
	  "dummy connection)\"",
	  0, "http-request", S, NULL, "::1", 0, "OPTIONS", false, NULL, NULL },
	{ "2001:db8:85a3::8a2e:370:7334 - bob [22/Nov/2026:23:59:32 +0530] \"GET /x HTTP/1.1\" 403 0 "
	  "\"-\" \"-\"",
	  0, "http-request", F, "bob", "2001:db8:85a3::8a2e:370:7334", 0, "GET", false, NULL, NULL },
	{ "www.example.com:443 [2001:db8::1] - bob " TS " \"GET / HTTP/1.1\" 401 5", 0,
	  "http-request", F, "bob", "2001:db8::1", 0, "GET", false, NULL, "web" },
	/* An address list as the client column ("$http_x_forwarded_for $remote_addr", Apache
	 * "%{X-Forwarded-For}i" behind a load balancer; shapes from Filebeat's nginx test
	 * logs): the rightmost public address is the source (nginx real_ip_recursive with
	 * the private ranges trusted), never one the client wrote in front of it; all
	 * private: the leftmost. */
	{ "6.6.6.6, 203.0.113.5, 10.0.0.1 - alice " TS " \"POST /login HTTP/1.1\" 401 5 \"-\" "
	  "\"curl/8\"",
	  0, "http-request", F, "alice", "203.0.113.5", 0, "POST", false, NULL, "web" },
	{ "10.1.2.3, 10.0.0.9, 127.0.0.1 - - " TS " \"GET /shop HTTP/1.1\" 200 571 \"-\" "
	  "\"Mozilla/5.0\"",
	  0, "http-request", S, NULL, "10.1.2.3", 0, "GET", false, NULL, NULL },
	{ "\"10.9.8.7, 198.51.100.20, 203.0.113.40\" 10.2.1.5 - - " TS " \"GET /assets/a?q=1 "
	  "HTTP/1.1\" 200 25507 \"-\" \"Amazon CloudFront\"",
	  0, "http-request", S, NULL, "203.0.113.40", 0, "GET", false, NULL, NULL },
	{ "2001:0db8:10ff:f00f:0000:0000:0:8000, 10.225.1.17 10.2.2.12 - - " TS " \"GET /t.html "
	  "HTTP/1.1\" 404 8571 \"-\" \"Facebot\"",
	  0, "http-request", F, NULL, "2001:db8:10ff:f00f::8000", 0, "GET", false, NULL, NULL },
	{ "192.0.2.44 2001:db8:cf40:f00f:0000:0000:0:8000, 10.225.1.17 10.2.2.12 - - " TS " \"GET "
	  "/t.html HTTP/1.1\" 404 8571 \"-\" \"-\"",
	  0, "http-request", F, NULL, "2001:db8:cf40:f00f::8000", 0, "GET", false, NULL, NULL },
	{ "example.com:80 \"10.9.8.7, 198.51.100.20, 203.0.113.40\" 10.2.1.5 - - " TS " \"GET / "
	  "HTTP/1.1\" 200 1 \"-\" \"-\"",
	  0, "http-request", S, NULL, "203.0.113.40", 0, "GET", false, NULL, NULL },
	/* Names, a unix socket: kept as names, no address. */
	{ "example.com localhost, localhost - - " TS " \"GET /status HTTP/1.1\" 200 612 \"-\" \"-\" "
	  "\"-\"",
	  0, "http-request", S, NULL, NULL, 0, "GET", false, NULL, NULL },
	{ "example.com:80 unix: - - " TS " \"hi\" 400 150 \"-\" \"-\"", 0, "http-request", F, NULL,
	  NULL, 0, NULL, false, NULL, NULL },
	/* "$remote_addr:$remote_port" */
	{ "192.0.2.61:51234 - - " TS " \"GET / HTTP/1.1\" 200 5", 0, "http-request", S, NULL,
	  "192.0.2.61", 51234, "GET", false, NULL, NULL },
	{ "[2001:db8::61]:51234 - - " TS " \"GET / HTTP/1.1\" 200 5", 0, "http-request", S, NULL,
	  "2001:db8::61", 51234, "GET", false, NULL, NULL },
	/* Tomcat's AccessLogValve writes IPv6 uncompressed. */
	{ "0:0:0:0:0:0:0:1 - - " TS " \"GET /manager/html HTTP/1.1\" 401 2473", 0, "http-request", F,
	  NULL, "::1", 0, "GET", false, NULL, "web" },
	{ "::ffff:198.51.100.3 - - " TS " \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"", 0, "http-request", S,
	  NULL, "198.51.100.3", 0, "GET", false, NULL, NULL },
	/* Requests that are not "METHOD URI PROTOCOL": the status and client stay, no method. */
	{ "192.0.2.9 - - " TS " \"\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03\" 400 166 "
	  "\"-\" \"-\"",
	  0, "http-request", F, NULL, "192.0.2.9", 0, NULL, false, NULL, NULL },
	{ "192.0.2.9 - - " TS " \"SSH-2.0-libssh_0.9.6\" 400 166 \"-\" \"-\"", 0, "http-request", F,
	  NULL, "192.0.2.9", 0, NULL, false, NULL, NULL },
	{ "192.0.2.9 - - " TS " \"t3 12.2.1\" 400 166 \"-\" \"-\"", 0, "http-request", F, NULL,
	  "192.0.2.9", 0, NULL, false, NULL, NULL },
	{ "192.0.2.9 - - " TS " \"MGLNDD_203.0.113.1_80\" 400 166 \"-\" \"-\"", 0, "http-request", F,
	  NULL, "192.0.2.9", 0, NULL, false, NULL, NULL },
	{ "192.0.2.10 - - " TS " \"\" 400 0 \"-\" \"-\"", 0, "http-request", F, NULL, "192.0.2.10",
	  0, NULL, false, NULL, NULL },
	{ "192.0.2.9 - - " TS " \"GET\" 400 166 \"-\" \"-\"", 0, "http-request", F, NULL,
	  "192.0.2.9", 0, NULL, false, NULL, NULL },
	{ "192.0.2.9 - - " TS " \"GET /a b c HTTP/1.1\" 400 166 \"-\" \"-\"", 0, "http-request", F,
	  NULL, "192.0.2.9", 0, "GET", false, NULL, NULL },
	{ "192.0.2.9 - - " TS " \"PRI * HTTP/2.0\" 400 166 \"-\" \"-\"", 0, "http-request", F, NULL,
	  "192.0.2.9", 0, "PRI", false, NULL, NULL },
	{ "192.0.2.9 - - " TS " \"GET /\" 200 166 \"-\" \"-\"", 0, "http-request", S, NULL,
	  "192.0.2.9", 0, "GET", false, NULL, NULL },
	/* "-" status (the client went away before a response): neither success nor failure. */
	{ "192.0.2.10 - - " TS " \"GET / HTTP/1.1\" - - \"-\" \"-\"", 0, "http-request", U, NULL,
	  "192.0.2.10", 0, "GET", false, NULL, NULL },
	/* A redirect and a not-modified are not failures; 499 (nginx: client closed) is. */
	{ "192.0.2.11 - - " TS " \"GET /old HTTP/1.1\" 301 0 \"-\" \"-\"", 0, "http-request", S, NULL,
	  "192.0.2.11", 0, "GET", false, NULL, NULL },
	{ "192.0.2.11 - - " TS " \"GET /a.css HTTP/1.1\" 304 0 \"-\" \"-\"", 0, "http-request", S,
	  NULL, "192.0.2.11", 0, "GET", false, NULL, NULL },
	{ "192.0.2.11 - - " TS " \"POST /api HTTP/1.1\" 499 0 \"-\" \"-\"", 0, "http-request", F, NULL,
	  "192.0.2.11", 0, "POST", false, NULL, NULL },
	/* ingress-nginx: request length, time, [upstream], upstream address/length/time/status,
	 * request id after the agent. */
	{ "10.0.0.1 - - " TS " \"GET /api HTTP/1.1\" 200 612 \"-\" \"curl/8\" 253 0.004 "
	  "[default-web-80] [] 10.244.0.5:8080 612 0.004 200 5f6c3d2e1a",
	  0, "http-request", S, NULL, "10.0.0.1", 0, "GET", false, NULL, NULL },
	/* Not access lines (refused, never half read). */
	{ "192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 2000 1", VG_EINVAL, NULL, N, NULL, NULL, 0, NULL,
	  false, NULL, NULL },
	{ "192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 20 1", VG_EINVAL, NULL, N, NULL, NULL, 0, NULL,
	  false, NULL, NULL },
	{ "192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 1k", VG_EINVAL, NULL, N, NULL, NULL, 0, NULL,
	  false, NULL, NULL },
	{ "192.0.2.1 - - [22/Nov/2026:25:59:32 +0000] \"GET / HTTP/1.1\" 200 1", VG_EINVAL, NULL, N,
	  NULL, NULL, 0, NULL, false, NULL, NULL },
	{ "192.0.2.1 - - [22/Nov/2026:23:59:32 +2400] \"GET / HTTP/1.1\" 200 1", VG_EINVAL, NULL, N,
	  NULL, NULL, 0, NULL, false, NULL, NULL },
	{ "192.0.2.1 - - " TS " GET / HTTP/1.1 200 1", VG_EINVAL, NULL, N, NULL, NULL, 0, NULL,
	  false, NULL, NULL },

	/* Apache error log (mod_auth_basic, mod_auth_digest; 2.4 and 2.2). */
	{ "[Sun Nov 22 23:59:33.000001 2026] [auth_basic:error] [pid 9:tid 140234] [client "
	  "192.0.2.1:5555] AH01617: user admin: authentication failure for \"/login\": Password "
	  "Mismatch, referer: https://example.com/",
	  0, "http-auth-failure", F, "admin", "192.0.2.1", 5555, NULL, false, NULL, "apache" },
	{ "[Sun Nov 22 23:59:33.000001 2026] [auth_basic:error] [pid 9:tid 10] [client "
	  "[2001:db8::5]:5555] AH01618: user bob not found: /secret",
	  0, "http-auth-failure", F, "bob", "2001:db8::5", 5555, NULL, false, NULL, "apache" },
	/* The URI says "not found" too: the name still ends at the first ':'. */
	{ "[Sun Nov 22 23:59:33 2026] [auth_basic:error] [pid 9] [client 192.0.2.1:5555] AH01618: "
	  "user bob not found: /user x not found",
	  0, "http-auth-failure", F, "bob", "192.0.2.1", 5555, NULL, false, NULL, "apache" },
	{ "[Sun Nov 22 23:59:33 2026] [error] [client 192.0.2.2] user admin: authentication failure "
	  "for \"/\": Password Mismatch",
	  0, "http-auth-failure", F, "admin", "192.0.2.2", 0, NULL, false, NULL, "apache" },
	{ "[Sun Nov 22 23:59:33 2026] [error] [client 192.0.2.2] user bob not found: /private/", 0,
	  "http-auth-failure", F, "bob", "192.0.2.2", 0, NULL, false, NULL, "apache" },
	{ "[Sun Nov 22 23:59:33.123456 2026] [auth_digest:error] [pid 9:tid 10] [client "
	  "192.0.2.3:5555] AH01790: user `eve' in realm `Private' not found: /private/",
	  0, "http-auth-failure", F, "eve", "192.0.2.3", 5555, NULL, false, NULL, "apache" },
	{ "[Sun Nov 22 23:59:33.123456 2026] [auth_digest:error] [pid 9:tid 10] [client "
	  "192.0.2.3:5555] AH01792: user eve: password mismatch: /private/",
	  0, "http-auth-failure", F, "eve", "192.0.2.3", 5555, NULL, false, NULL, "apache" },
	/* An empty name is still a failure, without a user. */
	{ "[Sun Nov 22 23:59:33 2026] [auth_basic:error] [pid 9] [client 192.0.2.4:5555] AH01618: "
	  "user  not found: /",
	  0, "http-auth-failure", F, NULL, "192.0.2.4", 5555, NULL, false, NULL, "apache" },
	/* Authorization (an authenticated user refused), no credentials, wrong scheme, server
	 * configuration denials, a missing file: not authentication failures. */
	{ "[Sun Nov 22 23:59:33 2026] [authz_core:error] [pid 9] [client 192.0.2.1:5555] AH01631: "
	  "user admin: authorization failure for \"/admin/\": ",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ "[Sun Nov 22 23:59:33 2026] [auth_basic:error] [pid 9] [client 192.0.2.1:5555] AH01614: "
	  "client used wrong authentication scheme: /private/",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ "[Sun Nov 22 23:59:33 2026] [authz_core:error] [pid 9] [client 192.0.2.1:5555] AH01630: "
	  "client denied by server configuration: /var/www/private",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ "[Sun Nov 22 23:59:33 2026] [core:info] [pid 9] [client 192.0.2.1:5555] AH00128: File does "
	  "not exist: /var/www/html/user admin not found",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },

	/* nginx error log. The name is logged raw (a '"' stays), the client is the first
	 * "client:" after the message, not one an attacker wrote into the Referer. */
	{ "2026/11/22 23:59:32 [error] 123#0: *6 user \"gh\"ost\" was not found in "
	  "\"/etc/nginx/.htpasswd\", client: 192.0.2.4, server: _, request: \"GET /a HTTP/1.1\"",
	  0, "http-auth-failure", F, "gh\"ost", "192.0.2.4", 0, "GET", false, NULL, "nginx" },
	{ "2026/11/22 23:59:32 [error] 123#123: *5 user \"admin\": password mismatch, client: "
	  "10.99.0.1, server: example.com, request: \"GET /login HTTP/1.1\", host: \"example.com\", "
	  "referrer: \"http://x/, client: 6.6.6.6, \"",
	  0, "http-auth-failure", F, "admin", "10.99.0.1", 0, "GET", false, NULL, "nginx" },
	/* A name cannot hold ':' (Basic auth splits there): such a line is not nginx's. */
	{ "2026/11/22 23:59:32 [error] 123#123: *5 user \"x, client: 6.6.6.6\": password mismatch, "
	  "client: 10.99.0.1, server: _",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ "2026/11/22 23:59:32 [crit] 123#123: *8 crypt_r() failed (22: Invalid argument), client: "
	  "10.99.0.1, server: _, request: \"GET /login HTTP/1.1\"",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ "2026/11/22 23:59:32 [error] 123#123: *9 access forbidden by rule, client: 10.99.0.1, "
	  "server: _, request: \"GET /admin HTTP/1.1\", host: \"x\"",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ "2026/11/22 23:59:32 [error] 123#123: *9 limiting requests, excess: 10.520 by zone "
	  "\"login\", client: 10.99.0.1, server: _, request: \"POST /login HTTP/1.1\"",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ "2026/11/22 23:59:32 [info] 123#123: *8 client 10.99.0.1 closed keepalive connection",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },

	/* Through syslog: nginx sends error lines whole, Apache without its time. */
	{ "Nov 22 23:59:32 web1 nginx: 2026/11/22 23:59:32 [error] 123#123: *5 user \"admin\": "
	  "password mismatch, client: 10.99.0.1, server: _, request: \"GET /login HTTP/1.1\"",
	  0, "http-auth-failure", F, "admin", "10.99.0.1", 0, "GET", false, NULL, "nginx" },
	{ "Nov 22 23:59:32 web1 apache2[123]: [auth_basic:error] [pid 123] [client 192.0.2.1:5555] "
	  "AH01617: user admin: authentication failure for \"/\": Password Mismatch",
	  0, "http-auth-failure", F, "admin", "192.0.2.1", 5555, NULL, false, NULL, "apache" },
	{ "Nov 22 23:59:32 web1 httpd[123]: [auth_basic:error] [pid 123] [client 192.0.2.1:5555] "
	  "AH01614: client used wrong authentication scheme: /",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ "<190>Nov 22 23:59:32 web1 nginx: 10.0.0.1 - - " TS " \"GET / HTTP/1.1\" 401 1 \"-\" \"-\"",
	  0, "http-request", F, NULL, "10.0.0.1", 0, "GET", false, NULL, "nginx" },
	{ "Nov 22 23:59:32 web1 nginx: 2026/11/22 23:59:32 [notice] 1#1: signal process started",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
};

static void test_rows(void **state)
{
	(void)state;
	RUN_ROWS(rows);
	RUN_ROWS(variety);
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

/* Field values of the variety rows: vhost, escapes, odd requests, extra fields, times. */
static void test_variety_fields(void **state)
{
	(void)state;
	/* vhost_combined: the port is cut from the server name; a bare IPv6 one is kept. */
	assert_int_equal(parse_fmt("www.example.com:443 192.0.2.7 - - " TS " \"GET / HTTP/1.1\" 200 "
				   "5 \"-\" \"-\"",
				   VG_LOGF_AUTO, NULL),
			 0);
	assert_string_equal(g_e->http.vhost, "www.example.com");
	assert_int_equal(parse_fmt("2001:db8::80 192.0.2.7 - - " TS " \"GET / HTTP/1.1\" 200 5",
				   VG_LOGF_AUTO, NULL),
			 0);
	assert_string_equal(g_e->http.vhost, "2001:db8::80");
	assert_null(g_e->user);
	/* A host name client is kept as a name, the vhost in front of it is not the client. */
	assert_int_equal(parse_fmt("www.example.com:80 crawl.example.net - - " TS " \"GET / "
				   "HTTP/1.1\" 200 1",
				   VG_LOGF_AUTO, NULL),
			 0);
	assert_string_equal(g_e->src_host, "crawl.example.net");
	assert_string_equal(g_e->http.vhost, "www.example.com");
	assert_int_equal(g_e->src.family, VG_AF_NONE);
	/* Apache writes whitespace as \t \n, nginx escape=json as \n and \u00HH. */
	assert_int_equal(parse_fmt("192.0.2.8 - - " TS " \"GET /tab\\there HTTP/1.1\" 404 1 \"-\" "
				   "\"a\\tb\\nc \\\\ \\\"q\\\"\"",
				   VG_LOGF_APACHE, NULL),
			 0);
	assert_string_equal(g_e->http.uri, "/tab\there");
	assert_string_equal(g_e->http.user_agent, "a\tb\nc \\ \"q\"");
	assert_int_equal(parse_fmt("192.0.2.8 - - " TS " \"GET /x HTTP/1.1\" 200 1 \"-\" "
				   "\"j\\u001b[31m \\u0000 \\\"q\\\"\"",
				   VG_LOGF_NGINX, NULL),
			 0);
	assert_string_equal(g_e->http.user_agent, "j\x1b[31m \\u0000 \"q\"");
	/* nginx default escaping: \x22 for '"', \x5C for '\'. */
	assert_int_equal(parse_fmt("192.0.2.8 - - " TS " \"GET /a\\x22b HTTP/1.1\" 404 1 \"-\" "
				   "\"Mozilla \\x22quoted\\x22 \\x5Cslash\"",
				   VG_LOGF_NGINX, NULL),
			 0);
	assert_string_equal(g_e->http.uri, "/a\"b");
	assert_string_equal(g_e->http.user_agent, "Mozilla \"quoted\" \\slash");
	/* TLS bytes as the request: kept unescaped, not split. */
	assert_int_equal(parse_fmt("192.0.2.9 - - " TS " \"\\x16\\x03\\x01\\x02\" 400 166 \"-\" \"-\"",
				   VG_LOGF_NGINX, NULL),
			 0);
	assert_string_equal(g_e->http.request, "\x16\x03\x01\x02");
	assert_null(g_e->http.method);
	assert_null(g_e->http.uri);
	assert_null(g_e->http.protocol);
	/* A request line with spaces in the URI; HTTP/0.9 style without protocol. */
	assert_int_equal(parse_fmt("192.0.2.9 - - " TS " \"GET /a b c HTTP/1.1\" 400 1", VG_LOGF_AUTO,
				   NULL),
			 0);
	assert_string_equal(g_e->http.uri, "/a b c");
	assert_string_equal(g_e->http.protocol, "HTTP/1.1");
	assert_int_equal(parse_fmt("192.0.2.9 - - " TS " \"GET /\" 200 1", VG_LOGF_AUTO, NULL), 0);
	assert_string_equal(g_e->http.uri, "/");
	assert_null(g_e->http.protocol);
	/* "-" status and bytes. */
	assert_int_equal(parse_fmt("192.0.2.10 - - " TS " \"GET / HTTP/1.1\" - - \"-\" \"-\"",
				   VG_LOGF_AUTO, NULL),
			 0);
	assert_int_equal(g_e->http.status, 0);
	assert_int_equal(g_e->http.bytes, 0);
	assert_true(g_e->http.has_bytes);
	/* Trailing fields: ingress-nginx (the first number with a fraction is the request
	 * time), upstream times after "rt=", "-" for X-Forwarded-For. */
	assert_int_equal(parse_fmt("10.0.0.1 - - " TS " \"GET /api HTTP/1.1\" 200 612 \"-\" \"curl/8\" "
				   "253 0.004 [default-web-80] [] 10.244.0.5:8080 612 0.004 200 5f6c",
				   VG_LOGF_AUTO, NULL),
			 0);
	assert_int_equal(g_e->http.request_time_us, 4000);
	assert_null(g_e->http.xff);
	assert_int_equal(parse_fmt("10.0.0.1 - - " TS " \"GET /api HTTP/1.1\" 200 612 \"-\" \"curl/8\" "
				   "\"-\" rt=1.250 uct=\"0.000\" uht=\"0.004\" urt=\"0.004\"",
				   VG_LOGF_AUTO, NULL),
			 0);
	assert_int_equal(g_e->http.request_time_us, 1250000);
	assert_null(g_e->http.xff);
	assert_int_equal(parse_fmt("10.0.0.1 - - " TS " \"GET /api HTTP/1.1\" 200 612 \"-\" \"curl/8\" "
				   "\"2001:db8::1, 198.51.100.7\"",
				   VG_LOGF_AUTO, NULL),
			 0);
	assert_string_equal(g_e->http.xff, "2001:db8::1, 198.51.100.7");
	assert_int_equal(parse_fmt("6.6.6.6, 203.0.113.5 - - " TS " \"GET / HTTP/1.1\" 200 5",
				   VG_LOGF_AUTO, NULL),
			 0);
	assert_string_equal(g_e->http.xff, "6.6.6.6, 203.0.113.5");
	assert_null(g_e->http.vhost);
	assert_int_equal(parse_fmt("example.com:80 \"10.9.8.7, 203.0.113.40\" 10.2.1.5 - - " TS
				   " \"GET / HTTP/1.1\" 200 5",
				   VG_LOGF_AUTO, NULL),
			 0);
	assert_string_equal(g_e->http.xff, "10.9.8.7, 203.0.113.40, 10.2.1.5");
	assert_string_equal(g_e->http.vhost, "example.com");
	assert_int_equal(parse_fmt("example.com localhost, localhost - - " TS " \"GET / HTTP/1.1\" 200 5",
				   VG_LOGF_AUTO, NULL),
			 0);
	assert_string_equal(g_e->src_host, "localhost");
	assert_int_equal(g_e->src.family, VG_AF_NONE);
	/* Traefik's CLF: request count, router and service quoted, duration in ms. */
	assert_int_equal(parse_fmt("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 5 \"-\" \"curl\" 1 "
				   "\"router@docker\" \"http://10.0.0.2:80\" 3ms",
				   VG_LOGF_AUTO, NULL),
			 0);
	assert_int_equal(g_e->http.request_time_us, 3000);
	assert_null(g_e->http.xff);
	/* Zones east and west of UTC land on the same instant. */
	assert_int_equal(parse_fmt("10.0.0.1 - - [01/Jan/2026:05:30:00 +0530] \"GET / HTTP/1.1\" 200 1",
				   VG_LOGF_AUTO, NULL),
			 0);
	int64_t east = g_e->ts_us;
	assert_int_equal(g_e->ts_offset_min, 330);
	assert_int_equal(parse_fmt("10.0.0.1 - - [31/Dec/2025:14:00:00 -1000] \"GET / HTTP/1.1\" 200 1",
				   VG_LOGF_AUTO, NULL),
			 0);
	assert_int_equal(g_e->ts_us, east);
	assert_int_equal(east, 1767225600LL * 1000000);
	/* Error lines through syslog keep the syslog header's time and host. */
	assert_int_equal(parse_fmt("Nov 22 23:59:40 web1 nginx: 2026/11/22 23:59:32 [error] 1#1: *5 "
				   "user \"admin\": password mismatch, client: 10.99.0.1, server: _",
				   VG_LOGF_AUTO, NULL),
			 0);
	assert_string_equal(g_e->hostname, "web1");
	assert_int_equal(g_e->ts_us, 1795391980LL * 1000000);
	assert_string_equal(g_e->reason, "password mismatch");
	/* The Apache digest realm is not part of the name. */
	assert_int_equal(parse_fmt("[Sun Nov 22 23:59:33 2026] [auth_digest:error] [pid 9] [client "
				   "192.0.2.3:5555] AH01790: user `eve' in realm `Private' not found: /p",
				   VG_LOGF_AUTO, NULL),
			 0);
	assert_string_equal(g_e->user, "eve");
	assert_string_equal(g_e->reason, "user not found");
	assert_string_equal(g_e->app_name, "auth_digest");
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
		cmocka_unit_test(test_variety_fields),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_lab),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(g_e);
	return rc;
}
