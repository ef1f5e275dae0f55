/* The correlation engine: each correlation type, sliding windows in event time, one
 * alert per episode with full evidence, suppression, chaining, generate, caps and
 * counted eviction, and replay determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-error.h"
#include "core/limits.h"
#include "test-correlate-util.h"

static const char *RULES =
	"title: fail\nname: fail\nlogsource: {service: sshd}\n"
	"detection: {s: {event.action: ssh-login-failed}, condition: s}\n"
	"---\n"
	"title: ok\nname: ok\nlogsource: {service: sshd}\n"
	"detection: {s: {event.action: ssh-login-success}, condition: s}\n"
	"---\n"
	"title: BF\nname: bf\nlevel: medium\nvigil-evidence: [user.name]\n"
	"correlation: {type: event_count, rules: [fail], group-by: [source.ip], timespan: 5m,"
	" condition: {gte: 5}}\n"
	"---\n"
	"title: SPRAY\nname: spray\n"
	"correlation: {type: value_count, rules: [fail], group-by: [source.ip], timespan: 10m,"
	" condition: {field: user.name, gte: 3}}\n"
	"---\n"
	"title: burst\nname: burst\nvigil-evidence: [user.name]\n"
	"correlation: {type: event_count, rules: [fail], group-by: [source.ip], timespan: 10m,"
	" condition: {gte: 3}}\n"
	"---\n"
	"title: SAF\nname: saf\nlevel: high\nvigil-evidence: [user.name]\n"
	"correlation: {type: temporal_ordered, rules: [burst, ok], group-by: [source.ip],"
	" timespan: 10m}\n";

struct fx {
	struct vg_correlate_ruleset *rs;
	struct vg_correlate_engine *e;
	struct capture cap;
};

static struct fx *fx_new(const char *rules, const struct vg_correlate_config *cfg)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct diags d;
	int rl, rf;
	f->rs = load_rules(rules, &d, &rl, &rf);
	if (rl || rf || d.n) {
		fprintf(stderr, "rules: %s\n", d.msg[0]);
		fail();
	}
	struct vg_event_sink sink = { capture_emit, &f->cap };
	assert_int_equal(vg_correlate_engine_new(f->rs, cfg, &sink, &f->e), 0);
	return f;
}

static void fx_free(struct fx *f)
{
	vg_correlate_engine_free(f->e);
	vg_correlate_ruleset_free(f->rs);
	capture_clear(&f->cap);
	free(f);
}

static void fail_at(struct fx *f, int64_t ts, const char *src, const char *user)
{
	struct vg_event ev;
	mk_event(&ev, ts, "sshd", "ssh-login-failed", src, user);
	assert_int_equal(vg_correlate_engine_event(f->e, &ev), 0);
}

static void ok_at(struct fx *f, int64_t ts, const char *src, const char *user)
{
	struct vg_event ev;
	mk_event(&ev, ts, "sshd", "ssh-login-success", src, user);
	assert_int_equal(vg_correlate_engine_event(f->e, &ev), 0);
}

static void test_event_count_threshold(void **state)
{
	(void)state;
	struct fx *f = fx_new(RULES, NULL);
	const char *users[] = { "root", "admin", "test", "oracle" };
	for (int i = 0; i < 4; i++)
		fail_at(f, T0 + i * SEC, "10.99.0.1", users[i]);
	vg_correlate_engine_flush(f->e);
	/* 4 < 5: nothing for BF; 4 distinct users >= 3: SPRAY; 3 failures but no success:
	 * no SAF; building blocks (fail, burst) never alert on their own. */
	assert_int_equal(capture_count(&f->cap, "BF"), 0);
	assert_int_equal(capture_count(&f->cap, "SAF"), 0);
	assert_int_equal(capture_count(&f->cap, "burst"), 0);
	assert_int_equal(capture_count(&f->cap, "fail"), 0);
	assert_int_equal(capture_count(&f->cap, "SPRAY"), 1);
	fx_free(f);

	f = fx_new(RULES, NULL);
	for (int i = 0; i < 5; i++)
		fail_at(f, T0 + i * SEC, "10.99.0.1", i < 4 ? users[i] : "root");
	/* Open episode: the alert waits for the window to close (event time). */
	assert_int_equal(capture_count(&f->cap, "BF"), 0);
	fail_at(f, T0 + 60 * SEC, "10.99.0.1", "postgres"); /* still in the episode */
	ok_at(f, T0 + 400 * SEC, "10.1.1.1", "bob");          /* clock passes T0 + 5m */
	assert_int_equal(capture_count(&f->cap, "BF"), 1);
	struct captured *a = NULL;
	for (unsigned i = 0; i < f->cap.n; i++)
		if (!strcmp(f->cap.a[i].title, "BF"))
			a = &f->cap.a[i];
	assert_non_null(a);
	assert_string_equal(a->src, "10.99.0.1");
	assert_int_equal(a->severity, 2);
	assert_int_equal(a->ts, T0 + 60 * SEC);
	assert_non_null(strstr(a->json, "\"count\":6"));
	assert_non_null(strstr(a->json, "\"evidence\":{\"user.name\":[\"root\",\"admin\",\"test\",\"oracle\",\"postgres\"]}"));
	assert_non_null(strstr(a->json, "\"first\":\"2026-11-24T00:00:00.000000Z\""));
	assert_non_null(strstr(a->json, "\"last\":\"2026-11-24T00:01:00.000000Z\""));
	assert_non_null(strstr(a->json, "\"group_by\":{\"source.ip\":\"10.99.0.1\"}"));
	vg_correlate_engine_flush(f->e);
	assert_int_equal(capture_count(&f->cap, "BF"), 1);
	fx_free(f);
}

static void test_sliding_window_event_time(void **state)
{
	(void)state;
	struct fx *f = fx_new(RULES, NULL);
	/* Every two minutes: never 5 within 5 minutes. */
	for (int i = 0; i < 10; i++)
		fail_at(f, T0 + i * 120 * SEC, "10.0.0.7", "root");
	vg_correlate_engine_flush(f->e);
	assert_int_equal(capture_count(&f->cap, "BF"), 0);
	fx_free(f);

	f = fx_new(RULES, NULL);
	fail_at(f, T0, "10.0.0.7", "root");
	fail_at(f, T0 + 120 * SEC, "10.0.0.7", "root");
	fail_at(f, T0 + 240 * SEC, "10.0.0.7", "root");
	fail_at(f, T0 + 360 * SEC, "10.0.0.7", "root");
	assert_int_equal(capture_count(&f->cap, "BF"), 0);
	/* (T0+90s, T0+390s] now holds 120, 240, 360, 380, 390: five. */
	fail_at(f, T0 + 380 * SEC, "10.0.0.7", "root");
	fail_at(f, T0 + 390 * SEC, "10.0.0.7", "root");
	vg_correlate_engine_flush(f->e);
	assert_int_equal(capture_count(&f->cap, "BF"), 1);
	assert_non_null(strstr(f->cap.a[0].json, "\"first\":\"2026-11-24T00:02:00.000000Z\""));
	fx_free(f);
}

static void test_one_alert_per_episode(void **state)
{
	(void)state;
	struct fx *f = fx_new(RULES, NULL);
	for (int i = 0; i < 40; i++)
		fail_at(f, T0 + i * 5 * SEC, "10.0.0.9", "root"); /* 40 in 200 s */
	assert_int_equal(capture_count(&f->cap, "BF"), 0);
	/* The episode (T0 .. T0+300 s) continues; after it, a new one starts. */
	for (int i = 0; i < 5; i++)
		fail_at(f, T0 + (400 + i) * SEC, "10.0.0.9", "admin");
	assert_int_equal(capture_count(&f->cap, "BF"), 1);
	assert_non_null(strstr(f->cap.a[0].json, "\"count\":40"));
	vg_correlate_engine_flush(f->e);
	assert_int_equal(capture_count(&f->cap, "BF"), 2);
	assert_non_null(strstr(f->cap.a[1].json, "\"count\":5"));
	assert_non_null(strstr(f->cap.a[1].json, "\"user.name\":[\"admin\"]"));
	fx_free(f);
}

static void test_groups_are_separate(void **state)
{
	(void)state;
	struct fx *f = fx_new(RULES, NULL);
	for (int i = 0; i < 5; i++)
		fail_at(f, T0 + i * SEC, "10.0.0.1", "root");
	for (int i = 0; i < 4; i++)
		fail_at(f, T0 + i * SEC, "10.0.0.2", "root");
	/* no group-by value: not counted anywhere */
	for (int i = 0; i < 10; i++)
		fail_at(f, T0 + i * SEC, NULL, "root");
	vg_correlate_engine_flush(f->e);
	assert_int_equal(capture_count(&f->cap, "BF"), 1);
	assert_string_equal(f->cap.a[0].src, "10.0.0.1");
	fx_free(f);
}

static void test_tenants_never_share_a_group(void **state)
{
	(void)state;
	struct fx *f = fx_new(RULES, NULL);
	struct vg_event ev;
	/* 3 + 2 failures from one address, but in two tenants: below 5 in each. */
	for (int i = 0; i < 5; i++) {
		mk_event(&ev, T0 + i * SEC, "sshd", "ssh-login-failed", "192.168.10.1", "root");
		ev.tenant = i < 3 ? "tenant-a" : "tenant-b";
		vg_correlate_engine_event(f->e, &ev);
	}
	vg_correlate_engine_flush(f->e);
	assert_int_equal(capture_count(&f->cap, "BF"), 0);
	fx_free(f);

	f = fx_new(RULES, NULL);
	for (int i = 0; i < 5; i++) {
		mk_event(&ev, T0 + i * SEC, "sshd", "ssh-login-failed", "192.168.10.1", "root");
		ev.tenant = "tenant-a";
		vg_correlate_engine_event(f->e, &ev);
	}
	vg_correlate_engine_flush(f->e);
	assert_int_equal(capture_count(&f->cap, "BF"), 1);
	assert_non_null(strstr(f->cap.a[0].json, "\"group_by\":{\"source.ip\":\"192.168.10.1\"}"));
	fx_free(f);
}

static void test_value_count(void **state)
{
	(void)state;
	struct fx *f = fx_new(RULES, NULL);
	for (int i = 0; i < 4; i++)
		fail_at(f, T0 + i * SEC, "10.0.0.3", "root");
	vg_correlate_engine_flush(f->e);
	assert_int_equal(capture_count(&f->cap, "SPRAY"), 0); /* one user, many times */
	fx_free(f);

	f = fx_new(RULES, NULL);
	fail_at(f, T0, "10.0.0.3", "alice");
	fail_at(f, T0 + 1 * SEC, "10.0.0.3", "alice");
	fail_at(f, T0 + 700 * SEC, "10.0.0.3", "bob");   /* alice left the 10 m window */
	fail_at(f, T0 + 701 * SEC, "10.0.0.3", "carol");
	assert_int_equal(capture_count(&f->cap, "SPRAY"), 0);
	fail_at(f, T0 + 702 * SEC, "10.0.0.3", "dave");
	vg_correlate_engine_flush(f->e);
	assert_int_equal(capture_count(&f->cap, "SPRAY"), 1);
	const char *j = NULL;
	for (unsigned i = 0; i < f->cap.n; i++)
		if (!strcmp(f->cap.a[i].title, "SPRAY"))
			j = f->cap.a[i].json;
	assert_non_null(strstr(j, "\"values\":{\"distinct\":3,\"field\":\"user.name\",\"list\":[\"bob\",\"carol\",\"dave\"],\"truncated\":false}"));
	fx_free(f);
}

static void test_temporal_ordered(void **state)
{
	(void)state;
	/* success before the failures: nothing */
	struct fx *f = fx_new(RULES, NULL);
	ok_at(f, T0, "10.0.0.5", "labuser");
	for (int i = 1; i <= 3; i++)
		fail_at(f, T0 + i * SEC, "10.0.0.5", "root");
	vg_correlate_engine_flush(f->e);
	assert_int_equal(capture_count(&f->cap, "SAF"), 0);
	fx_free(f);

	/* failures, then success from another address, then too late from the same one */
	f = fx_new(RULES, NULL);
	for (int i = 0; i < 3; i++)
		fail_at(f, T0 + i * SEC, "10.0.0.5", "root");
	ok_at(f, T0 + 10 * SEC, "10.0.0.6", "labuser");
	ok_at(f, T0 + 700 * SEC, "10.0.0.5", "labuser");
	vg_correlate_engine_flush(f->e);
	assert_int_equal(capture_count(&f->cap, "SAF"), 0);
	fx_free(f);

	/* a single mistyped password then success: below the burst threshold */
	f = fx_new(RULES, NULL);
	fail_at(f, T0, "10.0.0.5", "labuser");
	ok_at(f, T0 + 5 * SEC, "10.0.0.5", "labuser");
	vg_correlate_engine_flush(f->e);
	assert_int_equal(capture_count(&f->cap, "SAF"), 0);
	fx_free(f);

	/* the real thing: raised at once, by the success, high severity, users listed */
	f = fx_new(RULES, NULL);
	fail_at(f, T0, "10.0.0.5", "root");
	fail_at(f, T0 + 1 * SEC, "10.0.0.5", "admin");
	fail_at(f, T0 + 2 * SEC, "10.0.0.5", "test");
	ok_at(f, T0 + 9 * SEC, "10.0.0.5", "labuser");
	assert_int_equal(capture_count(&f->cap, "SAF"), 1);
	struct captured *a = &f->cap.a[0];
	assert_string_equal(a->src, "10.0.0.5");
	assert_string_equal(a->user, "labuser");
	assert_int_equal(a->severity, 1);
	assert_int_equal(a->ts, T0 + 9 * SEC);
	assert_non_null(strstr(a->json, "\"user.name\":[\"root\",\"admin\",\"test\",\"labuser\"]"));
	assert_non_null(strstr(a->json, "\"type\":\"temporal_ordered\""));
	/* suppressed for one timespan: a second success does not repeat it */
	fail_at(f, T0 + 20 * SEC, "10.0.0.5", "root");
	ok_at(f, T0 + 30 * SEC, "10.0.0.5", "labuser");
	vg_correlate_engine_flush(f->e);
	assert_int_equal(capture_count(&f->cap, "SAF"), 1);
	fx_free(f);
}

static void test_temporal_unordered(void **state)
{
	(void)state;
	const char *rules =
		"title: a\nname: a\ndetection: {s: {event.action: x-a}, condition: s}\n---\n"
		"title: b\nname: b\ndetection: {s: {event.action: x-b}, condition: s}\n---\n"
		"title: AB\ncorrelation: {type: temporal, rules: [a, b], group-by: [user.name], timespan: 1m}\n";
	struct fx *f = fx_new(rules, NULL);
	struct vg_event ev;
	mk_event(&ev, T0, "svc", "x-b", NULL, "u1");
	vg_correlate_engine_event(f->e, &ev);
	mk_event(&ev, T0 + 10 * SEC, "svc", "x-a", NULL, "u2"); /* other group */
	vg_correlate_engine_event(f->e, &ev);
	assert_int_equal(f->cap.n, 0);
	mk_event(&ev, T0 + 20 * SEC, "svc", "x-a", NULL, "u1"); /* b then a: fine unordered */
	vg_correlate_engine_event(f->e, &ev);
	assert_int_equal(capture_count(&f->cap, "AB"), 1);
	assert_string_equal(f->cap.a[0].user, "u1");
	mk_event(&ev, T0 + 200 * SEC, "svc", "x-b", NULL, "u2"); /* a for u2 is too old */
	vg_correlate_engine_event(f->e, &ev);
	vg_correlate_engine_flush(f->e);
	assert_int_equal(capture_count(&f->cap, "AB"), 1);
	fx_free(f);
}

static void test_generate_and_detection_alerts(void **state)
{
	(void)state;
	const char *rules =
		"title: probe\nlevel: low\nlogsource: {category: webserver}\n"
		"detection: {s: {url.path: /.env}, condition: s}\n---\n"
		"title: fail\nname: fail\ndetection: {s: {event.action: f}, condition: s}\n---\n"
		"title: C\ncorrelation: {type: event_count, rules: [fail], timespan: 1m,"
		" condition: {gte: 2}, generate: true}\n";
	struct fx *f = fx_new(rules, NULL);
	struct vg_event ev;
	mk_event(&ev, T0, "nginx", "http-request", "10.0.0.8", NULL);
	ev.category = "web";
	json_t *x = json_pack("{s:{s:s}}", "url", "path", "/.env");
	ev.extra = x;
	vg_correlate_engine_event(f->e, &ev);
	assert_int_equal(capture_count(&f->cap, "probe"), 1); /* at once */
	assert_non_null(strstr(f->cap.a[0].json, "\"url\":{\"path\":\"/.env\"}"));
	assert_non_null(strstr(f->cap.a[0].json, "\"sigma\":{"));
	ev.category = "authentication"; /* logsource category webserver no longer matches */
	vg_correlate_engine_event(f->e, &ev);
	assert_int_equal(capture_count(&f->cap, "probe"), 1);
	json_decref(x);
	/* generate: true → the referenced rule alerts too (no group-by: one global group) */
	mk_event(&ev, T0 + SEC, "svc", "f", NULL, NULL);
	vg_correlate_engine_event(f->e, &ev);
	vg_correlate_engine_event(f->e, &ev);
	vg_correlate_engine_flush(f->e);
	assert_int_equal(capture_count(&f->cap, "fail"), 2);
	assert_int_equal(capture_count(&f->cap, "C"), 1);
	fx_free(f);
}

static void test_eviction_is_bounded_and_counted(void **state)
{
	(void)state;
	struct vg_correlate_config cfg = { .max_groups = 16 };
	struct fx *f = fx_new(RULES, &cfg);
	/* An open episode for 10.0.0.1 ... */
	for (int i = 0; i < 5; i++)
		fail_at(f, T0 + i * SEC, "10.0.0.1", "root");
	/* ... then a flood of other sources pushes it out: its alert comes out first. */
	char ip[32];
	for (int i = 0; i < 500; i++) {
		snprintf(ip, sizeof(ip), "10.1.%d.%d", i / 250, i % 250);
		fail_at(f, T0 + 10 * SEC, ip, "x");
	}
	const struct vg_correlate_stats *st = vg_correlate_engine_stats(f->e);
	assert_true(st->groups <= 16);
	assert_true(st->groups_evicted >= 500 * 3 - 16);
	assert_int_equal(capture_count(&f->cap, "BF"), 1);
	assert_string_equal(f->cap.a[0].src, "10.0.0.1");
	vg_correlate_engine_flush(f->e);
	assert_int_equal(vg_correlate_engine_stats(f->e)->groups, 0);
	assert_int_equal(vg_correlate_engine_stats(f->e)->mem_used, 0);
	fx_free(f);

	/* memcap: a tiny cap still works, evicting */
	struct vg_correlate_config cfg2 = { .memcap = 1 };
	f = fx_new(RULES, &cfg2);
	for (int i = 0; i < 2000; i++) {
		snprintf(ip, sizeof(ip), "10.2.%d.%d", i / 250, i % 250);
		fail_at(f, T0, ip, "averyveryveryveryverylongusername");
	}
	st = vg_correlate_engine_stats(f->e);
	assert_true(st->mem_used <= (1u << 16) + 4096);
	assert_true(st->groups_evicted > 0);
	fx_free(f);
}

static void test_distinct_values_capped(void **state)
{
	(void)state;
	struct fx *f = fx_new(RULES, NULL);
	char user[32];
	for (unsigned i = 0; i < VG_CORR_MAX_DISTINCT + 50; i++) {
		snprintf(user, sizeof(user), "user%u", i);
		fail_at(f, T0 + SEC, "10.0.0.4", user);
	}
	assert_true(vg_correlate_engine_stats(f->e)->values_dropped >= 50);
	vg_correlate_engine_flush(f->e);
	unsigned spray = 0;
	for (unsigned i = 0; i < f->cap.n; i++)
		if (!strcmp(f->cap.a[i].title, "SPRAY")) {
			spray++;
			assert_non_null(strstr(f->cap.a[i].json, "\"truncated\":true"));
		}
	assert_int_equal(spray, 1);
	fx_free(f);
}

/* The same events give the same alerts however long after they happened they are
 * processed, and an old log (2019) is judged by its own clock. */
static void run_replay(int64_t base, struct capture *out)
{
	struct fx *f = fx_new(RULES, NULL);
	const char *users[] = { "root", "admin", "test", "oracle", "ubuntu", "postgres" };
	for (int i = 0; i < 6; i++)
		fail_at(f, base + i * SEC, "10.99.0.1", users[i]);
	ok_at(f, base + 8 * SEC, "10.99.0.1", "labuser");
	for (int i = 0; i < 4; i++)
		fail_at(f, base + (1000 + i * 100) * SEC, "10.99.0.2", "root");
	vg_correlate_engine_flush(f->e);
	*out = f->cap;
	f->cap.n = 0; /* ownership of the JSON strings moves to out */
	fx_free(f);
}

static void test_replay_same_alerts(void **state)
{
	(void)state;
	struct capture a, b, c;
	run_replay(T0, &a);
	run_replay(T0, &b);
	run_replay(1546300800ll * SEC, &c); /* 2019-01-01 */
	assert_int_equal(a.n, 3); /* SAF at once; BF and SPRAY when their windows close */
	assert_int_equal(a.n, b.n);
	assert_int_equal(a.n, c.n);
	for (unsigned i = 0; i < a.n; i++) {
		assert_string_equal(a.a[i].title, b.a[i].title);
		assert_string_equal(a.a[i].json, b.a[i].json);
		assert_string_equal(a.a[i].title, c.a[i].title);
		assert_int_equal(a.a[i].ts - T0, c.a[i].ts - 1546300800ll * SEC);
	}
	capture_clear(&a);
	capture_clear(&b);
	capture_clear(&c);
}

/* A count correlation's alert is written as text (vg_event.extra_json), not as a
 * jansson tree: its strings must be the bytes json_dumps gives (control characters as
 * \u00XX upper-case, quotes and backslashes escaped, UTF-8 as is), and a value jansson
 * refuses (not UTF-8) is left out of the lists as before, while still counted. */
struct raw_cap {
	char text[4096];
	unsigned n;
	bool had_tree;
};

static int raw_emit(void *ctx, const struct vg_event *ev)
{
	struct raw_cap *c = ctx;
	c->n++;
	c->had_tree = c->had_tree || ev->extra;
	snprintf(c->text, sizeof(c->text), "%.*s", (int)ev->extra_json_len,
		 ev->extra_json ? ev->extra_json : "");
	return 0;
}

static void test_alert_text_as_jansson(void **state)
{
	(void)state;
	const char *rules =
		"title: fail\nname: fail\ndetection: {s: {event.action: f}, condition: s}\n---\n"
		"title: V\nname: v\ncorrelation: {type: value_count, rules: [fail], group-by: [source.ip],"
		" timespan: 5m, condition: {field: user.name, gte: 5}}\n";
	static const char *const users[] = { "plain", "q\"uo\\te", "ctl\x01\x1f\x7f", "bad\xff",
					     "utf8-\xc3\xa9", "tab\there" };
	struct diags d;
	int rl, rf;
	struct vg_correlate_ruleset *rs = load_rules(rules, &d, &rl, &rf);
	assert_int_equal(rl | rf, 0);
	struct raw_cap cap = { 0 };
	struct vg_event_sink sink = { raw_emit, &cap };
	struct vg_correlate_engine *e;
	assert_int_equal(vg_correlate_engine_new(rs, NULL, &sink, &e), 0);
	struct vg_event ev;
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		mk_event(&ev, T0 + (int64_t)i * SEC, "sshd", "f", "10.0.0.7", users[i]);
		vg_correlate_engine_event(e, &ev);
	}
	vg_correlate_engine_flush(e);
	assert_int_equal(cap.n, 1);
	assert_false(cap.had_tree);
	/* the list as jansson writes it: json_stringn refuses "bad\xff" */
	json_t *list = json_array();
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		json_t *v = json_string(users[i]);
		if (v)
			json_array_append_new(list, v);
	}
	assert_int_equal(json_array_size(list), 5);
	char *want = json_dumps(list, JSON_COMPACT);
	char member[512];
	snprintf(member, sizeof(member), "\"distinct\":6,\"list\":%s,\"truncated\":false", want);
	assert_non_null(strstr(cap.text, member));
	assert_non_null(strstr(cap.text, "\"ctl\\u0001\\u001F\x7f\""));
	assert_non_null(strstr(cap.text, "\"group_by\":{\"source.ip\":\"10.0.0.7\"}"));
	assert_null(strstr(cap.text, "bad"));
	/* the text is one valid JSON member */
	char obj[4200];
	snprintf(obj, sizeof(obj), "{%s}", cap.text);
	json_t *o = json_loads(obj, 0, NULL);
	assert_non_null(o);
	assert_non_null(json_object_get(json_object_get(o, "correlation"), "values"));
	json_decref(o);
	free(want);
	json_decref(list);
	vg_correlate_engine_free(e);
	vg_correlate_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_count_threshold),
		cmocka_unit_test(test_sliding_window_event_time),
		cmocka_unit_test(test_one_alert_per_episode),
		cmocka_unit_test(test_groups_are_separate),
		cmocka_unit_test(test_tenants_never_share_a_group),
		cmocka_unit_test(test_value_count),
		cmocka_unit_test(test_temporal_ordered),
		cmocka_unit_test(test_temporal_unordered),
		cmocka_unit_test(test_generate_and_detection_alerts),
		cmocka_unit_test(test_eviction_is_bounded_and_counted),
		cmocka_unit_test(test_distinct_values_capped),
		cmocka_unit_test(test_replay_same_alerts),
		cmocka_unit_test(test_alert_text_as_jansson),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
