/* The Sigma rule loader (good and broken rules, exact diagnostics with line numbers),
 * the condition parser, and each value modifier against events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-error.h"
#include "test-correlate-util.h"

/* --- loader ---------------------------------------------------------------------------- */

static void expect_error(const char *text, const char *msg)
{
	struct diags d;
	int rl, rf;
	struct vg_correlate_ruleset *rs = load_rules(text, &d, &rl, &rf);
	assert_true(rl != 0 || rf != 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msg[0], msg);
	vg_correlate_ruleset_free(rs);
}

static void test_good_rule(void **state)
{
	(void)state;
	struct diags d;
	int rl, rf;
	struct vg_correlate_ruleset *rs = load_rules(
		"title: SSH failed\n"
		"id: abc\n"
		"name: ssh_fail\n"
		"level: high\n"
		"tags: [attack.t1110, attack.credential_access]\n"
		"logsource: {product: linux, service: sshd}\n"
		"detection:\n"
		"  sel:\n"
		"    event.action: ssh-login-failed\n"
		"  condition: sel\n",
		&d, &rl, &rf);
	assert_int_equal(rl, 0);
	assert_int_equal(rf, 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(vg_correlate_ruleset_count(rs), 1);
	assert_string_equal(vg_correlate_rule_title(rs, 0), "SSH failed");
	assert_string_equal(vg_correlate_rule_id(rs, 0), "abc");
	assert_string_equal(vg_correlate_rule_kind(rs, 0), "detection");
	assert_true(vg_correlate_rule_alerts(rs, 0));
	assert_int_equal(rs->rules[0]->severity, 1);
	assert_string_equal(rs->rules[0]->tags_joined, "attack.t1110,attack.credential_access");
	vg_correlate_ruleset_free(rs);
}

static void test_errors_name_file_line_field(void **state)
{
	(void)state;
	expect_error("title: t\n"
		     "logsource: {product: linux}\n"
		     "detection:\n"
		     "  selection:\n"
		     "    user.name|contain: root\n"
		     "  condition: selection\n",
		     "t.yml:5: detection.selection.user.name: unknown modifier 'contain'");
	expect_error("title: t\n"
		     "level: severe\n"
		     "detection:\n"
		     "  s: {a: b}\n"
		     "  condition: s\n",
		     "t.yml:2: level: unknown level 'severe' (informational, low, medium, high, critical)");
	expect_error("title: t\n"
		     "detection:\n"
		     "  s: {a: b}\n"
		     "  condition: s and sel2\n",
		     "t.yml:4: detection.condition: unknown selection 'sel2'");
	expect_error("title: t\n"
		     "detection:\n"
		     "  s: {a: b}\n",
		     "t.yml:3: detection.condition: missing");
	expect_error("title: t\n"
		     "detection:\n"
		     "  s: {a: b}\n"
		     "  condition: s | count() > 5\n",
		     "t.yml:4: detection.condition: aggregation after '|' is not supported; use a correlation rule");
	expect_error("title: t\n"
		     "detection:\n"
		     "  s:\n"
		     "    message|re: 'a(b'\n"
		     "  condition: s\n",
		     "t.yml:4: detection.s.message: bad regular expression at offset 3: missing closing parenthesis");
	expect_error("title: t\n"
		     "detection:\n"
		     "  s:\n"
		     "    source.ip|cidr: 10.0.0.0/33\n"
		     "  condition: s\n",
		     "t.yml:4: detection.s.source.ip: bad CIDR '10.0.0.0/33'");
	expect_error("title: t\n"
		     "detection:\n"
		     "  s:\n"
		     "    message|base64: x\n"
		     "  condition: s\n",
		     "t.yml:4: detection.s.message: modifier 'base64' is not supported");
	expect_error("detection:\n"
		     "  s: {a: b}\n"
		     "  condition: s\n",
		     "t.yml:1: title: missing");
	expect_error("title: t\n"
		     "title: u\n"
		     "detection: {s: {a: b}, condition: s}\n",
		     "t.yml:2: title: duplicate key");
	expect_error("title: t\n"
		     "correlation: {type: event_count, rules: [a], rules: [b]}\n",
		     "t.yml:2: correlation: duplicate key");
	expect_error("title: t\n"
		     "detection:\n"
		     "  s: {a: [b, c\n",
		     "t.yml:4: yaml: did not find expected ',' or ']'");
}

static void test_correlation_errors(void **state)
{
	(void)state;
	expect_error("title: c\n"
		     "correlation:\n"
		     "  type: event_count\n"
		     "  rules: [nope]\n"
		     "  timespan: 5m\n"
		     "  condition: {gte: 3}\n",
		     "t.yml:1: correlation.rules: unknown rule 'nope'");
	expect_error("title: c\n"
		     "correlation:\n"
		     "  type: event_count\n"
		     "  rules: [x]\n"
		     "  timespan: 5x\n"
		     "  condition: {gte: 3}\n",
		     "t.yml:5: correlation.timespan: expected N followed by s, m, h, d or w, at most 30 days, got '5x'");
	expect_error("title: c\n"
		     "correlation:\n"
		     "  type: value_count\n"
		     "  rules: [x]\n"
		     "  timespan: 5m\n"
		     "  condition: {gte: 3}\n",
		     "t.yml:6: correlation.condition.field: value_count needs the field to count");
	expect_error("title: c\n"
		     "correlation:\n"
		     "  type: event_counts\n"
		     "  rules: [x]\n",
		     "t.yml:3: correlation.type: unknown correlation type 'event_counts'");
	expect_error("title: c\n"
		     "correlation:\n"
		     "  type: temporal\n"
		     "  rules: [x]\n"
		     "  timespan: 5m\n",
		     "t.yml:3: correlation.rules: temporal correlations need at least two rules");
	expect_error("title: c\n"
		     "correlation:\n"
		     "  type: event_count\n"
		     "  rules: [x]\n"
		     "  timespan: 5m\n"
		     "  condition: {gte: 999999}\n",
		     "t.yml:6: correlation.condition: expected a count from 0 to 4096");
}

static void test_broken_rule_skipped_others_load(void **state)
{
	(void)state;
	struct diags d;
	int rl, rf;
	struct vg_correlate_ruleset *rs = load_rules(
		"title: one\n"
		"detection: {s: {a: b}, condition: s}\n"
		"---\n"
		"title: two\n"
		"detection:\n"
		"  s:\n"
		"    a|startwith: b\n"
		"  condition: s\n"
		"---\n"
		"---\n"
		"title: three\n"
		"detection: {s: {a: b}, condition: s}\n",
		&d, &rl, &rf);
	assert_int_equal(rl, VG_EINVAL);
	assert_int_equal(rf, 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msg[0], "t.yml:7: detection.s.a: unknown modifier 'startwith'");
	assert_int_equal(vg_correlate_ruleset_count(rs), 2);
	assert_int_equal(vg_correlate_ruleset_errors(rs), 1);
	assert_string_equal(vg_correlate_rule_title(rs, 0), "one");
	assert_string_equal(vg_correlate_rule_title(rs, 1), "three");
	vg_correlate_ruleset_free(rs);
}

static void test_cycle_and_unknown_dropped(void **state)
{
	(void)state;
	struct diags d;
	int rl, rf;
	struct vg_correlate_ruleset *rs = load_rules(
		"title: a\nname: a\n"
		"correlation: {type: event_count, rules: [b], timespan: 1m, condition: {gte: 1}}\n"
		"---\n"
		"title: b\nname: b\n"
		"correlation: {type: event_count, rules: [a], timespan: 1m, condition: {gte: 1}}\n"
		"---\n"
		"title: base\nname: base\n"
		"detection: {s: {a: b}, condition: s}\n"
		"---\n"
		"title: ok\nname: ok\n"
		"correlation: {type: event_count, rules: [base], timespan: 1m, condition: {gte: 2}}\n",
		&d, &rl, &rf);
	assert_int_equal(rl, 0);
	assert_int_equal(rf, VG_EINVAL);
	assert_true(d.n >= 2);
	assert_false(vg_correlate_rule_alerts(rs, 0));
	assert_false(vg_correlate_rule_alerts(rs, 1));
	assert_false(vg_correlate_rule_alerts(rs, 2)); /* referenced by "ok": feeds it only */
	assert_true(vg_correlate_rule_alerts(rs, 3));
	vg_correlate_ruleset_free(rs);
}

static void test_shipped_rules_load(void **state)
{
	(void)state;
	struct vg_correlate_ruleset *rs = NULL;
	struct diags d = { 0 };
	assert_int_equal(vg_correlate_ruleset_new(&rs), 0);
	assert_int_equal(vg_correlate_ruleset_load_embedded(rs, diag_cb, &d), 0);
	assert_int_equal(vg_correlate_ruleset_finish(rs, diag_cb, &d), 0);
	assert_int_equal(d.n, 0);
	assert_true(vg_correlate_ruleset_count(rs) >= 20);
	vg_correlate_ruleset_free(rs);
	/* The same files from the source tree load the same way. */
	const char *src = getenv("VIGIL_SRC");
	if (src) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/rules/sigma", src);
		assert_int_equal(vg_correlate_ruleset_new(&rs), 0);
		assert_int_equal(vg_correlate_ruleset_load_path(rs, path, diag_cb, &d), 0);
		assert_int_equal(vg_correlate_ruleset_finish(rs, diag_cb, &d), 0);
		assert_int_equal(d.n, 0);
		vg_correlate_ruleset_free(rs);
	}
}

/* --- condition parser -------------------------------------------------------------------- */

static struct cm_sel g_sels[4];

static int parse(const char *c, struct cm_cond *out, char *err)
{
	static char names[4][16] = { "sel1", "sel2", "filter", "_hidden" };
	for (int i = 0; i < 4; i++)
		g_sels[i].name = names[i];
	return cm_cond_parse(c, strlen(c), g_sels, 4, out, err, 128);
}

static bool ev4(const char *c, bool a, bool b, bool f, bool h)
{
	struct cm_cond cond;
	char err[128];
	bool r[4] = { a, b, f, h };
	assert_int_equal(parse(c, &cond, err), 0);
	bool res = cm_cond_eval(&cond, r);
	cm_cond_free(&cond);
	return res;
}

static void test_condition(void **state)
{
	(void)state;
	assert_true(ev4("sel1", 1, 0, 0, 0));
	assert_false(ev4("sel1 and not filter", 1, 0, 1, 0));
	assert_true(ev4("sel1 and not filter", 1, 0, 0, 0));
	/* and binds tighter than or */
	assert_true(ev4("sel1 or sel2 and filter", 1, 0, 0, 0));
	assert_false(ev4("(sel1 or sel2) and filter", 1, 0, 0, 0));
	assert_true(ev4("1 of sel*", 0, 1, 0, 0));
	assert_false(ev4("all of sel*", 0, 1, 0, 0));
	assert_true(ev4("all of sel*", 1, 1, 0, 0));
	/* "them" leaves out selections starting with '_' */
	assert_true(ev4("all of them", 1, 1, 1, 0));
	assert_true(ev4("1 of them", 0, 0, 0, 1) == false);
	assert_true(ev4("not 1 of them", 0, 0, 0, 0));
	assert_true(ev4("NOT (sel1 AND sel2)", 1, 0, 0, 0));
	assert_true(ev4("any of sel*", 1, 0, 0, 0));

	struct cm_cond c;
	char err[128];
	assert_int_equal(parse("sel1 and", &c, err), VG_EINVAL);
	assert_string_equal(err, "unexpected end of condition");
	assert_int_equal(parse("(sel1 or sel2", &c, err), VG_EINVAL);
	assert_string_equal(err, "expected ')' at ''");
	assert_int_equal(parse("1 of nomatch*", &c, err), VG_EINVAL);
	assert_string_equal(err, "no selection matches 'nomatch*'");
	assert_int_equal(parse("sel1 sel2", &c, err), VG_EINVAL);
	assert_string_equal(err, "unexpected 'sel2' after the expression");
	assert_int_equal(parse("sel1 & sel2", &c, err), VG_EINVAL);
	/* nesting bound */
	char deep[200];
	memset(deep, '(', 40);
	memcpy(deep + 40, "sel1", 5);
	assert_int_equal(parse(deep, &c, err), VG_EINVAL);
	assert_string_equal(err, "condition nested too deeply");
}

/* --- modifiers ----------------------------------------------------------------------------- */

static bool match_one(const char *detection_body, const struct vg_event *ev)
{
	char text[4096];
	snprintf(text, sizeof(text), "title: t\ndetection:\n%s  condition: s\n", detection_body);
	struct diags d;
	int rl, rf;
	struct vg_correlate_ruleset *rs = load_rules(text, &d, &rl, &rf);
	if (rl != 0 || d.n) {
		fprintf(stderr, "unexpected: %s\n", d.msg[0]);
		fail();
	}
	bool m = cm_rule_match(rs->rules[0], ev);
	vg_correlate_ruleset_free(rs);
	return m;
}

static void test_modifiers(void **state)
{
	(void)state;
	struct vg_event ev;
	mk_event(&ev, T0, "sshd", "ssh-login-failed", "10.99.0.1", "Admin");
	ev.message = "Failed password for invalid user Admin from 10.99.0.1 port 50352 ssh2";
	ev.sport = 50352;

	/* plain values: exact, case-insensitive; lists are OR */
	assert_true(match_one("  s: {user.name: admin}\n", &ev));
	assert_false(match_one("  s: {user.name: admi}\n", &ev));
	assert_true(match_one("  s: {user.name: [root, admin]}\n", &ev));
	/* |cased */
	assert_false(match_one("  s: {user.name|cased: admin}\n", &ev));
	assert_true(match_one("  s: {user.name|cased: Admin}\n", &ev));
	/* wildcards and escapes */
	assert_true(match_one("  s: {user.name: 'ad*'}\n", &ev));
	assert_true(match_one("  s: {user.name: 'a?min'}\n", &ev));
	assert_false(match_one("  s: {user.name: 'a\\?min'}\n", &ev));
	assert_true(match_one("  s: {message: '*invalid user*'}\n", &ev));
	/* contains / startswith / endswith */
	assert_true(match_one("  s: {message|contains: 'INVALID USER'}\n", &ev));
	assert_true(match_one("  s: {message|startswith: 'failed password'}\n", &ev));
	assert_false(match_one("  s: {message|startswith: 'password'}\n", &ev));
	assert_true(match_one("  s: {message|endswith: ssh2}\n", &ev));
	assert_false(match_one("  s: {message|endswith: port}\n", &ev));
	/* |all */
	assert_true(match_one("  s: {message|contains|all: [failed, invalid]}\n", &ev));
	assert_false(match_one("  s: {message|contains|all: [failed, accepted]}\n", &ev));
	/* |re (case-sensitive unless |i) */
	assert_true(match_one("  s: {message|re: 'port [0-9]+ ssh2$'}\n", &ev));
	assert_false(match_one("  s: {message|re: '^failed'}\n", &ev));
	assert_true(match_one("  s: {message|re|i: '^failed'}\n", &ev));
	/* a catastrophic pattern against a long hostile line ends at the match limit */
	{
		static char longmsg[60001];
		memset(longmsg, 'a', sizeof(longmsg) - 2);
		longmsg[sizeof(longmsg) - 2] = '!';
		const char *saved = ev.message;
		ev.message = longmsg;
		assert_false(match_one("  s: {message|re: '^(a+)+$'}\n", &ev));
		ev.message = saved;
	}
	/* |cidr */
	assert_true(match_one("  s: {source.ip|cidr: 10.99.0.0/16}\n", &ev));
	assert_false(match_one("  s: {source.ip|cidr: [192.168.0.0/16, 'fd00::/8']}\n", &ev));
	/* numeric comparisons */
	assert_true(match_one("  s: {source.port|gt: 50000}\n", &ev));
	assert_false(match_one("  s: {source.port|lt: 1024}\n", &ev));
	assert_true(match_one("  s: {source.port|gte: 50352}\n", &ev));
	assert_true(match_one("  s: {source.port|lte: 50352}\n", &ev));
	assert_true(match_one("  s: {source.port: 50352}\n", &ev));
	/* null and exists */
	assert_true(match_one("  s: {process.pid: null}\n", &ev));
	assert_false(match_one("  s: {user.name: null}\n", &ev));
	assert_true(match_one("  s: {user.name|exists: true}\n", &ev));
	assert_true(match_one("  s: {url.path|exists: false}\n", &ev));
	/* keyword list: anywhere in the message */
	assert_true(match_one("  s: ['invalid user', 'nothing']\n", &ev));
	assert_false(match_one("  s: ['accepted']\n", &ev));
	/* list of maps: OR of ANDs */
	assert_true(match_one("  s:\n    - {user.name: root}\n    - {user.name: admin, service.name: sshd}\n", &ev));
	assert_false(match_one("  s:\n    - {user.name: root}\n    - {user.name: admin, service.name: sudo}\n", &ev));
	/* Sigma aliases map onto ECS names */
	assert_true(match_one("  s: {User: admin, SourceIp: 10.99.0.1}\n", &ev));
	/* a field the event lacks never matches a value */
	assert_false(match_one("  s: {destination.ip: '*'}\n", &ev));

	/* fields from extra, numbers from JSON */
	json_t *x = json_pack("{s:{s:s,s:s},s:{s:{s:i}},s:{s:s}}", "url", "path", "/wp-login.php",
			      "original", "/wp-login.php?x=1", "http", "response", "status_code", 404,
			      "user_agent", "original", "sqlmap/1.7");
	ev.extra = x;
	assert_true(match_one("  s: {url.path|endswith: /wp-login.php}\n", &ev));
	assert_true(match_one("  s: {http.response.status_code: 404}\n", &ev));
	assert_true(match_one("  s: {http.response.status_code|gte: 400, sc-status|lt: 500}\n", &ev));
	assert_true(match_one("  s: {c-useragent|contains: SQLMAP}\n", &ev));
	assert_false(match_one("  s: {http.response.status_code: 200}\n", &ev));
	json_decref(x);
}

static void test_glob(void **state)
{
	(void)state;
	/* pathological backtracking input stays linear-ish and correct */
	uint16_t pat[] = { CM_STAR, 'a', CM_STAR, 'a', CM_STAR, 'a', CM_STAR, 'b' };
	char s[4096];
	memset(s, 'a', sizeof(s));
	assert_false(cm_glob_match(pat, 8, s, sizeof(s), false));
	s[sizeof(s) - 1] = 'b';
	assert_true(cm_glob_match(pat, 8, s, sizeof(s), false));
	uint16_t empty_star[] = { CM_STAR };
	assert_true(cm_glob_match(empty_star, 1, "", 0, false));
	assert_false(cm_glob_match(pat, 0, "x", 1, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_rule),
		cmocka_unit_test(test_errors_name_file_line_field),
		cmocka_unit_test(test_correlation_errors),
		cmocka_unit_test(test_broken_rule_skipped_others_load),
		cmocka_unit_test(test_cycle_and_unknown_dropped),
		cmocka_unit_test(test_shipped_rules_load),
		cmocka_unit_test(test_condition),
		cmocka_unit_test(test_modifiers),
		cmocka_unit_test(test_glob),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
