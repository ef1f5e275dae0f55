/* The pipeline's fast paths keep its answers: rules reading a line's details through
 * the pipeline's provider (no JSON built) raise exactly the alerts they raise when the
 * same events come with their JSON extra, for every detail path, on web, auth,
 * truncated, repeated, unknown and garbage lines (bytes that are not UTF-8 included);
 * and the dotted-quad fast path of vg_logs_parse_ip agrees with inet_pton. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <jansson.h>

#include "core/core-addr.h"
#include "core/core-error.h"
#include "core/core-str.h"
#include "correlate/correlate.h"
#include "logs/logs-int.h"
#include "logs/logs-pipeline.h"
#include "../core/test-event-extra.h"

/* --- vg_logs_parse_ip ------------------------------------------------------------------ */

/* What vg_logs_parse_ip did before its fast path (every address through inet_pton). */
static bool parse_ip_ref(const char *p, size_t len, struct vg_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (len >= 2 && p[0] == '[' && p[len - 1] == ']') {
		p++;
		len -= 2;
	}
	const char *pct = memchr(p, '%', len);
	if (pct && pct > p)
		len = (size_t)(pct - p);
	if (len == 0 || len >= VG_ADDR_STRLEN)
		return false;
	char tmp[VG_ADDR_STRLEN];
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	for (size_t i = 0; i < len; i++) {
		char c = tmp[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
		      c == '.' || c == ':'))
			return false;
	}
	uint8_t b[16];
	if (memchr(tmp, ':', len)) {
		if (inet_pton(AF_INET6, tmp, b) != 1)
			return false;
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		if (memcmp(b, mapped, 12) == 0)
			vg_addr_from_v4(a, b + 12);
		else
			vg_addr_from_v6(a, b);
		return true;
	}
	if (inet_pton(AF_INET, tmp, b) != 1)
		return false;
	vg_addr_from_v4(a, b);
	return true;
}

static void check_ip(const char *s, size_t len)
{
	struct vg_addr a, b;
	bool x = vg_logs_parse_ip(vg_str_make(s, len), &a);
	bool y = parse_ip_ref(s, len, &b);
	if (x != y || memcmp(&a, &b, sizeof(a)) != 0)
		fail_msg("'%.*s': fast %d, inet_pton %d", (int)len, s, x, y);
}

static void test_parse_ip_as_inet_pton(void **state)
{
	(void)state;
	static const char *const cases[] = {
		"1.2.3.4", "255.255.255.255", "0.0.0.0", "256.1.1.1", "1.2.3.256", "01.2.3.4",
		"1.2.3.04", "1.2.3.0", "00.1.2.3", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1..2.3",
		"1.2.3.4.5", "1.2.3.4a", "a.b.c.d", "1234", "999.1.1.1", "1.2.3.4 ", " 1.2.3.4",
		"[1.2.3.4]", "10.0.0.1%eth0", "::ffff:10.1.2.3", "fe80::1%eth0", "2001:db8::7",
		"1.2.3.-4", "1.2.3.+4", "", ".", "...", "0", "10.0.0.255", "192.168.001.1",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_ip(cases[i], strlen(cases[i]));
	/* and many random strings over digits and dots */
	uint32_t x = 12345;
	char buf[24];
	for (int n = 0; n < 200000; n++) {
		x = x * 1103515245u + 12345u;
		size_t len = 1 + (x >> 16) % 17;
		for (size_t i = 0; i < len; i++) {
			x = x * 1103515245u + 12345u;
			unsigned r = (x >> 16) % 16;
			static const char other[] = ":%afx]";
			buf[i] = r < 10 ? (char)('0' + r) : r < 13 ? '.' : other[(x >> 8) % 6];
			if (n % 2)
				buf[i] = r < 10 ? (char)('0' + r) : '.'; /* half: digits and dots only */
		}
		check_ip(buf, len);
	}
}

/* --- details: provider vs JSON ------------------------------------------------------------ */

static const char *DETAIL_RULES[] = {
	"url.original|contains: '%'", "url.path|exists: true", "url.path: null",
	"url.path|contains: '../'", "url.query|exists: true", "url.query|contains: \"'\"",
	"url.domain|exists: true", "http.request.method: POST", "http.request.referrer|exists: true",
	"http.response.status_code|gte: 400", "http.response.status_code: '404'",
	"http.response.body.bytes|gt: 1000", "http.version: '1.1'", "http.version|exists: true",
	"user_agent.original|contains: curl", "user_agent.original|exists: true",
	"parse.status: unknown", "parse.status: invalid", "parse.status: ok", "parse.format: syslog",
	"parse.parser: sshd", "parse.truncated: 'true'", "parse.target_user|exists: true",
	"parse.auth_method: password", "parse.attempts|gte: 2", "parse.invalid_user: 'true'",
	"parse.tty|exists: true", "parse.command|contains: bin", "parse.reason|exists: true",
	"parse.src_host|exists: true", "parse.domain|exists: true", "parse.repeat|gte: 2",
	"cs-uri-query|contains: id", "sc-status|lt: 300", "parse|exists: true", "url.fragment: null",
};

static const char *LINES[] = {
	"10.99.0.1 - - [22/Nov/2026:23:59:32 +0000] \"GET /index.php?id=1%27%20OR%20%271%27=%271 "
	"HTTP/1.1\" 404 153 \"-\" \"curl/7.88.1\"",
	"10.99.0.1 - - [22/Nov/2026:23:59:33 +0000] \"GET /../../etc/passwd HTTP/1.1\" 400 157 \"-\" \"-\"",
	"10.99.0.2 - bob [22/Nov/2026:23:59:34 +0000] \"POST /login HTTP/1.0\" 200 4096 "
	"\"http://x/\" \"Mozilla/5.0\"",
	/* path decodes to bytes that are not UTF-8, and to a NUL */
	"10.99.0.3 - - [22/Nov/2026:23:59:35 +0000] \"GET /a%ff%fe?q=%c3%28 HTTP/1.1\" 404 0 \"-\" \"x\"",
	"10.99.0.3 - - [22/Nov/2026:23:59:36 +0000] \"GET /a%00b?%00 HTTP/1.1\" 500 12 \"-\" \"\\xff\\xfe\"",
	"10.99.0.4 - - [22/Nov/2026:23:59:37 +0000] \"GET http://example.org/ HTTP/2.0\" 301 - \"-\" \"curl\"",
	"10.99.0.4 - - [22/Nov/2026:23:59:37 +0000] \"garbage\" 400 0 \"-\" \"-\"",
	"Nov 22 23:59:28 vm sshd[18116]: Failed password for invalid user admin from 10.99.0.1 port 50346 ssh2",
	"Nov 22 23:59:29 vm sshd[18116]: Accepted publickey for labuser from 10.99.0.1 port 50347 ssh2: "
	"RSA SHA256:abc",
	"Nov 22 23:59:30 vm sshd[18117]: Received disconnect from 10.99.0.1 port 50348:11: Bye Bye [preauth]",
	"Nov 22 23:59:31 vm sudo:    alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; "
	"USER=root ; COMMAND=/usr/bin/id",
	"Nov 22 23:59:32 vm sudo:      bob : TTY=pts/1 ; PWD=/root ; USER=root ; COMMAND=/bin/bash",
	"Nov 22 23:59:33 vm su[77]: FAILED SU (to root) carol on pts/2",
	"Nov 22 23:59:34 vm sshd[9]: error: PAM: Authentication failure for root from gw.example.net",
	"Nov 22 23:59:35 vm sshd[9]: message repeated 3 times: [ Failed password for root from 10.9.9.9 "
	"port 22 ssh2]",
	"Nov 22 23:59:36 vm kernel: something nobody parses",
	"\x01\x02 not a log line at all \xff",
	"<86>1 2026-11-22T23:59:37.123Z vm sshd 18116 - - Invalid user oracle from 2001:db8::7 port 2222",
	"2026-11-22 23:59:38.866 1234 WARNING keystone.common.wsgi [req-1 - - - - -] Authorization "
	"failed. The request you have made requires authentication. from 10.0.0.9",
	"Nov 22 23:59:39 vm horizon: Login failed for user \"dave\" using domain \"Default\", remote "
	"address 10.0.0.8.",
};

struct cap {
	struct vg_correlate_engine *ref; /* fed with the events (JSON extra) */
	char *log;                       /* alerts: "title json\n" ... */
	size_t len, cap;
	unsigned events;
};

static void cap_add(struct cap *c, const struct vg_event *ev)
{
	char *j = alert_extra_json(ev);
	char addr[VG_ADDR_STRLEN];
	vg_addr_format(&ev->src, addr);
	size_t need = strlen(ev->rule.signature) + (j ? strlen(j) : 4) + strlen(addr) + 64;
	if (c->len + need >= c->cap) {
		c->cap = (c->len + need) * 2;
		c->log = realloc(c->log, c->cap);
		assert_non_null(c->log);
	}
	c->len += (size_t)snprintf(c->log + c->len, c->cap - c->len, "%s %s %lld %s\n",
				   ev->rule.signature, addr, (long long)ev->ts_us, j ? j : "null");
	free(j);
}

static int alert_cb(void *ctx, const struct vg_event *ev)
{
	cap_add(ctx, ev);
	return 0;
}

static int event_cb(void *ctx, const struct vg_event *ev)
{
	struct cap *c = ctx;
	c->events++;
	assert_non_null(ev->extra); /* the events sink always gets the JSON */
	unsigned times = 1;
	json_t *rep = json_object_get(json_object_get(ev->extra, "parse"), "repeat");
	if (rep)
		times = (unsigned)json_integer_value(rep);
	for (unsigned i = 0; i < times; i++)
		vg_correlate_engine_event(c->ref, ev);
	return 0;
}

static struct vg_correlate_ruleset *detail_rules(void)
{
	size_t n = sizeof(DETAIL_RULES) / sizeof(DETAIL_RULES[0]);
	size_t sz = n * 128 + 1;
	char *text = calloc(1, sz);
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(text + o, sz - o, "%stitle: rule-%02zu\ndetection:\n  s:\n    %s\n"
				      "  condition: s\n", i ? "---\n" : "", i, DETAIL_RULES[i]);
	struct vg_correlate_ruleset *rs = NULL;
	assert_int_equal(vg_correlate_ruleset_new(&rs), 0);
	assert_int_equal(vg_correlate_ruleset_load_buffer(rs, "d.yml", text, strlen(text), NULL, NULL), 0);
	assert_int_equal(vg_correlate_ruleset_finish(rs, NULL, NULL), 0);
	free(text);
	return rs;
}

static void run_lines(struct vg_correlate_ruleset *rs, bool with_events, struct cap *direct,
		      struct cap *viajson)
{
	struct vg_log_opts o;
	vg_logs_opts_init(&o);
	o.now_us = 1795392000LL * 1000000;
	struct vg_event_sink as = { alert_cb, direct };
	struct vg_event_sink es = { event_cb, viajson };
	struct vg_logpipe *p = NULL;
	assert_int_equal(vg_logpipe_new(&o, rs, &as, with_events ? &es : NULL, &p), 0);
	char *longline = malloc(VG_MAX_LINE + 100);
	memset(longline, 'A', VG_MAX_LINE + 99);
	memcpy(longline, "Nov 22 23:59:40 vm sshd[1]: Failed password for x from 10.1.1.1 port 1 ssh2 ", 77);
	for (size_t i = 0; i < sizeof(LINES) / sizeof(LINES[0]); i++)
		vg_logpipe_line(p, LINES[i], strlen(LINES[i]), "t.log");
	vg_logpipe_line(p, longline, VG_MAX_LINE + 99, "t.log");
	free(longline);
	vg_logpipe_free(p);
}

static void test_details_same_as_json(void **state)
{
	(void)state;
	struct vg_correlate_ruleset *rs = detail_rules();
	struct cap direct = { 0 }, viajson = { 0 }, quiet = { 0 };
	struct vg_event_sink rs_sink = { alert_cb, &viajson };
	assert_int_equal(vg_correlate_engine_new(rs, NULL, &rs_sink, &viajson.ref), 0);
	run_lines(rs, true, &direct, &viajson);
	/* the same pipe without an events sink: no JSON unless an alert needs it */
	run_lines(rs, false, &quiet, NULL);
	assert_int_equal(viajson.events, sizeof(LINES) / sizeof(LINES[0]) + 1);
	assert_non_null(direct.log);
	assert_non_null(viajson.log);
	assert_string_equal(direct.log, viajson.log);
	assert_string_equal(direct.log, quiet.log);
	/* the checks mean something: details that are present and absent both fired */
	static const char *const fired[] = { "rule-01 ", "rule-02 ", "rule-03 ", "rule-05 ",
					     "rule-09 ", "rule-10 ", "rule-11 ", "rule-14 ",
					     "rule-16 ", "rule-17 ", "rule-21 ", "rule-22 ",
					     "rule-25 ", "rule-29 ", "rule-31 ", "rule-35 " };
	for (size_t i = 0; i < sizeof(fired) / sizeof(fired[0]); i++)
		if (!strstr(direct.log, fired[i]))
			fail_msg("%s never fired", fired[i]);
	vg_correlate_engine_free(viajson.ref);
	vg_correlate_ruleset_free(rs);
	free(direct.log);
	free(viajson.log);
	free(quiet.log);
}

/* The built-in rules on the lab's logs: the same alerts with and without --events. */
static void test_builtin_rules_events_or_not(void **state)
{
	(void)state;
	struct vg_correlate_ruleset *rs = NULL;
	assert_int_equal(vg_correlate_ruleset_new(&rs), 0);
	assert_int_equal(vg_correlate_ruleset_load_embedded(rs, NULL, NULL), 0);
	assert_int_equal(vg_correlate_ruleset_finish(rs, NULL, NULL), 0);
	const char *root = getenv("VIGIL_SHARED");
	const char *files[] = { "auth-dev.log", "nginx-access-dev.log" };
	for (int ev = 0; ev < 2; ev++) {
		struct cap out[2] = { { 0 }, { 0 } };
		for (int k = 0; k < 2; k++) {
			struct cap *c = &out[k];
			struct vg_event_sink refsink = { alert_cb, &(struct cap){ 0 } };
			assert_int_equal(vg_correlate_engine_new(rs, NULL, &refsink, &c->ref), 0);
			struct vg_log_opts o;
			vg_logs_opts_init(&o);
			o.now_us = 1795392000LL * 1000000;
			struct vg_event_sink as = { alert_cb, c }, es = { event_cb, c };
			struct vg_logpipe *p = NULL;
			assert_int_equal(vg_logpipe_new(&o, rs, &as, k ? &es : NULL, &p), 0);
			char path[512], line[8192];
			snprintf(path, sizeof(path), "%s/data/lab/logs/%s", root ? root : "/work/shared", files[ev]);
			FILE *f = fopen(path, "r");
			assert_non_null(f);
			while (fgets(line, sizeof(line), f))
				vg_logpipe_line(p, line, strlen(line), files[ev]);
			fclose(f);
			vg_logpipe_flush(p);
			vg_logpipe_free(p);
			vg_correlate_engine_free(c->ref);
			free(((struct cap *)refsink.ctx)->log);
		}
		assert_non_null(out[0].log);
		assert_string_equal(out[0].log, out[1].log);
		free(out[0].log);
		free(out[1].log);
	}
	vg_correlate_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ip_as_inet_pton),
		cmocka_unit_test(test_details_same_as_json),
		cmocka_unit_test(test_builtin_rules_events_or_not),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
