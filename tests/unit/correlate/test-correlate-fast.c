/* The engine's fast paths give the answers of the plain ones: details read through a
 * provider match as the same values in ev->extra do (and the JSON is only asked for
 * when an alert needs it), rules indexed by event.action match exactly the events the
 * full evaluation would, alerts keep rule order, episodes closed by one clock move come
 * out in open-list order, value sets past the index threshold count distinct values
 * exactly, and logsource flag masks agree with the taxonomy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "core/core-error.h"
#include "core/limits.h"
#include "test-correlate-util.h"

struct fx {
	struct vg_correlate_ruleset *rs;
	struct vg_correlate_engine *e;
	struct capture cap;
};

static struct fx *fx_new(const char *rules)
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
	assert_int_equal(vg_correlate_engine_new(f->rs, NULL, &sink, &f->e), 0);
	return f;
}

static void fx_free(struct fx *f)
{
	vg_correlate_engine_free(f->e);
	vg_correlate_ruleset_free(f->rs);
	capture_clear(&f->cap);
	free(f);
}

/* --- details provider ---------------------------------------------------------------- */

/* A web event's details, given both ways: as JSON in ev->extra and through a provider. */
struct web {
	const char *path;        /* NULL: absent */
	const char *ua;
	int status;              /* 0: absent */
	bool truncated;
	unsigned extra_calls;    /* how often the provider built the JSON */
	unsigned get_calls;
	json_t *built;
};

static json_t *web_json(const struct web *w)
{
	json_t *x = json_object(), *url = json_object(), *http = json_object(),
	       *resp = json_object(), *ps = json_object();
	if (w->path)
		json_object_set_new(url, "path", json_string(w->path));
	json_object_set_new(x, "url", url);
	if (w->status)
		json_object_set_new(resp, "status_code", json_integer(w->status));
	json_object_set_new(http, "response", resp);
	json_object_set_new(x, "http", http);
	if (w->ua) {
		json_t *ua = json_object();
		json_object_set_new(ua, "original", json_string(w->ua));
		json_object_set_new(x, "user_agent", ua);
	}
	if (w->truncated)
		json_object_set_new(ps, "truncated", json_true());
	json_object_set_new(x, "parse", ps);
	return x;
}

static enum vg_corr_dkind web_get(void *ctx, enum vg_corr_detail id, const char **s, size_t *len,
				  int64_t *num)
{
	struct web *w = ctx;
	w->get_calls++;
	switch (id) {
	case VG_CD_URL_PATH:
		if (!w->path)
			return VG_CDK_ABSENT;
		*s = w->path;
		*len = strlen(w->path);
		return VG_CDK_STRING;
	case VG_CD_USER_AGENT:
		if (!w->ua)
			return VG_CDK_ABSENT;
		*s = w->ua;
		*len = strlen(w->ua);
		return VG_CDK_STRING;
	case VG_CD_HTTP_STATUS:
		if (!w->status)
			return VG_CDK_ABSENT;
		*num = w->status;
		return VG_CDK_INTEGER;
	case VG_CD_PARSE_TRUNCATED:
		if (!w->truncated)
			return VG_CDK_ABSENT;
		*num = 1;
		return VG_CDK_BOOLEAN;
	default:
		return VG_CDK_ABSENT;
	}
}

static json_t *web_extra(void *ctx)
{
	struct web *w = ctx;
	w->extra_calls++;
	if (!w->built)
		w->built = web_json(w);
	return w->built;
}

static void mk_web(struct vg_event *ev, int64_t ts)
{
	vg_event_init(ev, VG_EVT_LOG, ts);
	ev->category = "web";
	ev->service = "nginx";
	ev->action = "http-request";
	vg_addr_parse("192.0.2.7", 9, &ev->src);
	ev->message = "GET / HTTP/1.1";
}

static const char *WEB_RULES =
	"title: trav\nlogsource: {category: webserver}\n"
	"detection: {s: {url.path|contains: '../'}, condition: s}\n"
	"---\n"
	"title: err\nlogsource: {category: webserver}\n"
	"detection: {s: {sc-status|gte: 500}, condition: s}\n"
	"---\n"
	"title: ua\nlogsource: {category: webserver}\n"
	"detection: {s: {user_agent.original|contains: sqlmap}, condition: s}\n"
	"---\n"
	"title: cut\nlogsource: {category: webserver}\n"
	"detection: {s: {parse.truncated: 'true'}, condition: s}\n"
	"---\n"
	"title: nopath\nlogsource: {category: webserver}\n"
	"detection: {s: {url.path: null}, condition: s}\n"
	"---\n"
	"title: custom\nlogsource: {category: webserver}\n"
	"detection: {s: {url.fragment|exists: true}, condition: s}\n";

/* Titles raised for w, through ev->extra (JSON) or through the provider. */
static void web_titles(struct web *w, bool provider, char *out, size_t outsz)
{
	struct fx *f = fx_new(WEB_RULES);
	struct vg_event ev;
	mk_web(&ev, T0);
	json_t *x = NULL;
	if (provider) {
		const struct vg_correlate_details d = { web_get, web_extra, w };
		assert_int_equal(vg_correlate_engine_event_details(f->e, &ev, &d), 0);
	} else {
		x = web_json(w);
		ev.extra = x;
		assert_int_equal(vg_correlate_engine_event(f->e, &ev), 0);
	}
	out[0] = '\0';
	for (unsigned i = 0; i < f->cap.n; i++) {
		strncat(out, f->cap.a[i].title, outsz - strlen(out) - 1);
		strncat(out, ",", outsz - strlen(out) - 1);
		/* a detection alert carries the event's details either way */
		assert_non_null(f->cap.a[i].json);
		assert_non_null(strstr(f->cap.a[i].json, "\"url\":"));
	}
	json_decref(x);
	fx_free(f);
}

static void test_details_provider_matches_as_json(void **state)
{
	(void)state;
	struct web cases[] = {
		{ .path = "/a/../etc/passwd", .status = 200 },
		{ .path = "/index.html", .status = 503, .ua = "sqlmap/1.7" },
		{ .path = NULL, .status = 404, .truncated = true },
		{ .path = "/", .status = 0, .ua = "curl" },
	};
	const char *expect[] = { "trav,", "err,ua,", "cut,nopath,", "" };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char a[256], b[256];
		web_titles(&cases[i], false, a, sizeof(a));
		cases[i].extra_calls = 0;
		web_titles(&cases[i], true, b, sizeof(b));
		assert_string_equal(a, expect[i]);
		assert_string_equal(b, expect[i]);
		/* the unknown field (url.fragment) needs the JSON once; alerts reuse it */
		assert_int_equal(cases[i].extra_calls, 1);
		assert_true(cases[i].get_calls > 0);
		json_decref(cases[i].built);
		cases[i].built = NULL;
	}
}

static void test_details_json_only_when_needed(void **state)
{
	(void)state;
	/* Only known details and no alert: the provider never builds the JSON. */
	struct fx *f = fx_new("title: trav\nlogsource: {category: webserver}\n"
			      "detection: {s: {url.path|contains: '../'}, condition: s}\n");
	struct web w = { .path = "/ok", .status = 200 };
	const struct vg_correlate_details d = { web_get, web_extra, &w };
	struct vg_event ev;
	mk_web(&ev, T0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(vg_correlate_engine_event_details(f->e, &ev, &d), 0);
	assert_int_equal(w.extra_calls, 0);
	assert_int_equal(w.get_calls, 10);
	assert_int_equal(f->cap.n, 0);
	/* A match: the alert asks for the JSON, once. */
	w.path = "/x/../y";
	assert_int_equal(vg_correlate_engine_event_details(f->e, &ev, &d), 0);
	assert_int_equal(f->cap.n, 1);
	assert_int_equal(w.extra_calls, 1);
	assert_non_null(strstr(f->cap.a[0].json, "\"path\":\"/x/../y\""));
	json_decref(w.built);
	fx_free(f);
}

static void test_detail_paths_resolve(void **state)
{
	(void)state;
	assert_string_equal(vg_correlate_detail_path(VG_CD_URL_PATH), "url.path");
	assert_string_equal(vg_correlate_detail_path(VG_CD_HTTP_BYTES), "http.response.body.bytes");
	assert_string_equal(vg_correlate_detail_path(VG_CD_PARSE_REPEAT), "parse.repeat");
	assert_null(vg_correlate_detail_path(VG_CD_COUNT));
	enum cm_field_id id;
	assert_string_equal(cm_field_canon("cs-uri-stem", &id), "url.path");
	assert_int_equal((int)id, (int)(CM_F_DETAIL + VG_CD_URL_PATH));
	assert_string_equal(cm_field_canon("url.fragment", &id), "url.fragment");
	assert_int_equal((int)id, (int)CM_F_EXTRA);
	assert_string_equal(cm_field_canon("user", &id), "user.name");
	assert_int_equal((int)id, (int)CM_F_USER);
}

/* --- rules indexed by event.action ---------------------------------------------------------- */

static const char *ACTION_RULES =
	"title: lit\ndetection: {s: {event.action: [ssh-login-failed, Sudo-Auth-Failure]}, condition: s}\n"
	"---\n"
	"title: wild\ndetection: {s: {event.action|startswith: ssh-login}, condition: s}\n"
	"---\n"
	"title: notact\ndetection: {s: {event.action: ssh-login-failed}, condition: not s}\n"
	"---\n"
	"title: both\ndetection: {a: {event.action: ssh-login-success}, b: {user.name: root},"
	" condition: a and b}\n"
	"---\n"
	"title: either\ndetection: {a: {event.action: ssh-login-success}, b: {user.name: alice},"
	" condition: a or b}\n"
	"---\n"
	"title: alts\ndetection: {s: [{event.action: pam-auth-failure}, {event.action: su-failure,"
	" user.name: root}], condition: s}\n"
	"---\n"
	"title: cased\ndetection: {s: {event.action|cased: SSH-LOGIN-FAILED}, condition: s}\n"
	/* matched from the index alone (action-only alternatives, logsource flags) */
	"---\n"
	"title: alts2\nlogsource: {service: sshd}\ndetection: {s: [{event.action: su-failure},"
	" {event.action: LOGIN-failure}], condition: s}\n"
	/* a logsource compared as a string: evaluated, never matched here (service sshd) */
	"---\n"
	"title: lsstr\nlogsource: {product: acme}\ndetection: {s: {event.action: ssh-login-failed},"
	" condition: s}\n";

static void action_titles(const char *action, const char *user, char *out, size_t outsz)
{
	struct fx *f = fx_new(ACTION_RULES);
	struct vg_event ev;
	mk_event(&ev, T0, "sshd", action, "10.0.0.1", user);
	assert_int_equal(vg_correlate_engine_event(f->e, &ev), 0);
	out[0] = '\0';
	for (unsigned i = 0; i < f->cap.n; i++) {
		strncat(out, f->cap.a[i].title, outsz - strlen(out) - 1);
		strncat(out, ",", outsz - strlen(out) - 1);
	}
	/* the same rules one by one, without the index */
	char plain[256] = "";
	for (size_t i = 0; i < f->rs->n; i++) {
		if (cm_rule_match(f->rs->rules[i], &ev)) {
			strncat(plain, f->rs->rules[i]->title, sizeof(plain) - strlen(plain) - 1);
			strncat(plain, ",", sizeof(plain) - strlen(plain) - 1);
		}
	}
	assert_string_equal(out, plain);
	fx_free(f);
}

static void test_action_index_same_as_full_match(void **state)
{
	(void)state;
	char t[256];
	action_titles("ssh-login-failed", "bob", t, sizeof(t));
	assert_string_equal(t, "lit,wild,");
	action_titles("SSH-Login-Failed", "bob", t, sizeof(t)); /* case-folded like the glob */
	assert_string_equal(t, "lit,wild,");
	action_titles("sudo-auth-failure", "bob", t, sizeof(t));
	assert_string_equal(t, "lit,notact,");
	action_titles("ssh-login-success", "root", t, sizeof(t));
	assert_string_equal(t, "wild,notact,both,either,");
	action_titles("ssh-login-success", "bob", t, sizeof(t));
	assert_string_equal(t, "wild,notact,either,");
	action_titles("ssh-session-open", "alice", t, sizeof(t));
	assert_string_equal(t, "notact,either,");
	action_titles("pam-auth-failure", "x", t, sizeof(t));
	assert_string_equal(t, "notact,alts,");
	action_titles("su-failure", "root", t, sizeof(t));
	assert_string_equal(t, "notact,alts,alts2,");
	action_titles("su-failure", "bob", t, sizeof(t));
	assert_string_equal(t, "notact,alts2,");
	action_titles("Login-Failure", "bob", t, sizeof(t));
	assert_string_equal(t, "notact,alts2,");
	action_titles("ssh-login-failedx", "bob", t, sizeof(t));
	assert_string_equal(t, "wild,notact,");
}

static void test_action_index_no_action(void **state)
{
	(void)state;
	struct fx *f = fx_new(ACTION_RULES);
	struct vg_event ev;
	mk_event(&ev, T0, "sshd", NULL, "10.0.0.1", "alice");
	assert_int_equal(vg_correlate_engine_event(f->e, &ev), 0);
	assert_int_equal(f->cap.n, 2);
	assert_string_equal(f->cap.a[0].title, "notact");
	assert_string_equal(f->cap.a[1].title, "either");
	fx_free(f);
}

/* --- deadlines ---------------------------------------------------------------------------- */

static const char *COUNT_RULES =
	"title: fail\nname: fail\ndetection: {s: {event.action: ssh-login-failed}, condition: s}\n"
	"---\n"
	"title: BF\nname: bf\n"
	"correlation: {type: event_count, rules: [fail], group-by: [source.ip], timespan: 1m,"
	" condition: {gte: 2}}\n";

static void test_episodes_close_in_open_order(void **state)
{
	(void)state;
	struct fx *f = fx_new(COUNT_RULES);
	struct vg_event ev;
	/* Episodes open at 1 s (A), 2 s (B), 3 s (C) with deadlines 61, 62, 63 s; then D
	 * opens at 30 s (deadline 90 s). */
	const char *src[] = { "10.0.0.1", "10.0.0.2", "10.0.0.3" };
	for (int i = 0; i < 3; i++) {
		mk_event(&ev, T0 + (i + 1) * SEC, "sshd", "ssh-login-failed", src[i], "u");
		vg_correlate_engine_event(f->e, &ev);
		vg_correlate_engine_event(f->e, &ev);
	}
	mk_event(&ev, T0 + 30 * SEC, "sshd", "ssh-login-failed", "10.0.0.4", "u");
	vg_correlate_engine_event(f->e, &ev);
	vg_correlate_engine_event(f->e, &ev);
	assert_int_equal(f->cap.n, 0);
	vg_correlate_engine_advance(f->e, T0 + 62 * SEC); /* only A's window has passed */
	assert_int_equal(f->cap.n, 1);
	assert_string_equal(f->cap.a[0].src, "10.0.0.1");
	/* B and C close with one clock move: most recently opened first, as the open list */
	vg_correlate_engine_advance(f->e, T0 + 80 * SEC);
	assert_int_equal(f->cap.n, 3);
	assert_string_equal(f->cap.a[1].src, "10.0.0.3");
	assert_string_equal(f->cap.a[2].src, "10.0.0.2");
	/* the clock does not go back; D stays open until flushed */
	vg_correlate_engine_advance(f->e, T0 + 10 * SEC);
	assert_int_equal(f->cap.n, 3);
	vg_correlate_engine_flush(f->e);
	assert_int_equal(f->cap.n, 4);
	assert_string_equal(f->cap.a[3].src, "10.0.0.4");
	fx_free(f);
}

static void test_many_open_episodes(void **state)
{
	(void)state;
	/* 60 episodes with deadlines spread out, then the clock sweeps past them in steps:
	 * each step closes exactly those whose window passed. */
	struct fx *f = fx_new(COUNT_RULES);
	struct vg_event ev;
	char ip[32];
	for (int i = 0; i < 60; i++) {
		snprintf(ip, sizeof(ip), "10.1.0.%d", i + 1);
		mk_event(&ev, T0 + (int64_t)(i % 7) * SEC, "sshd", "ssh-login-failed", ip, "u");
		vg_correlate_engine_event(f->e, &ev);
		vg_correlate_engine_event(f->e, &ev);
	}
	/* group i's episode began at (i % 7) s: it closes once the clock passes 60 s more */
	unsigned closed = 0;
	for (int s = 60; s <= 70; s++) {
		vg_correlate_engine_advance(f->e, T0 + (int64_t)s * SEC + 1);
		unsigned expect = 0;
		for (int i = 0; i < 60; i++)
			if ((i % 7) + 60 < s + 1)
				expect++;
		closed = f->cap.n;
		assert_int_equal(closed, expect);
	}
	assert_int_equal(closed, 60);
	fx_free(f);
}

static void test_groups_found_after_table_growth(void **state)
{
	(void)state;
	/* 3000 sources fail round-robin, five times each: the group table grows several
	 * times while groups are being created and revisited; every group must keep its
	 * count (5 of 5) for exactly one alert per source. */
	struct fx *f = fx_new("title: fail\nname: fail\ndetection: {s: {event.action: ssh-login-failed},"
			      " condition: s}\n---\n"
			      "title: BF\nname: bf\n"
			      "correlation: {type: event_count, rules: [fail], group-by: [source.ip],"
			      " timespan: 1h, condition: {gte: 5}}\n");
	struct vg_event ev;
	char ip[32];
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 3000; i++) {
			snprintf(ip, sizeof(ip), "10.%d.%d.%d", 50 + i / 65536, i / 256 % 256, i % 256);
			mk_event(&ev, T0 + round * SEC, "sshd", "ssh-login-failed", ip, "u");
			assert_int_equal(vg_correlate_engine_event(f->e, &ev), 0);
		}
	}
	const struct vg_correlate_stats *st = vg_correlate_engine_stats(f->e);
	assert_int_equal(st->groups, 3000);
	assert_int_equal(st->groups_created, 3000);
	vg_correlate_engine_flush(f->e);
	assert_int_equal(vg_correlate_engine_rule_alerts(f->e, 1), 3000);
	fx_free(f);
}

/* --- value sets past the index threshold ----------------------------------------------- */

static void test_value_set_index_counts_exactly(void **state)
{
	(void)state;
	struct fx *f = fx_new(
		"title: fail\nname: fail\ndetection: {s: {event.action: ssh-login-failed}, condition: s}\n"
		"---\n"
		"title: DIST\nname: dist\n"
		"correlation: {type: value_count, rules: [fail], group-by: [user.name], timespan: 10m,"
		" condition: {field: source.ip, gte: 100}}\n");
	struct vg_event ev;
	char ip[32];
	/* 99 distinct sources, each three times: never 100 distinct */
	for (int r = 0; r < 3; r++) {
		for (int i = 0; i < 99; i++) {
			snprintf(ip, sizeof(ip), "10.2.%d.%d", i / 50, i % 50 + 1);
			mk_event(&ev, T0 + (r * 99 + i) * SEC / 10, "sshd", "ssh-login-failed", ip, "root");
			vg_addr_parse(ip, strlen(ip), &ev.src);
			vg_correlate_engine_event(f->e, &ev);
		}
	}
	vg_correlate_engine_flush(f->e);
	assert_int_equal(f->cap.n, 0);
	capture_clear(&f->cap);
	/* the 100th distinct source opens the episode; the alert counts 100 */
	for (int i = 0; i < 100; i++) {
		snprintf(ip, sizeof(ip), "10.3.%d.%d", i / 50, i % 50 + 1);
		mk_event(&ev, T0 + 3600 * SEC + i * SEC, "sshd", "ssh-login-failed", ip, "root");
		vg_addr_parse(ip, strlen(ip), &ev.src);
		vg_correlate_engine_event(f->e, &ev);
		vg_correlate_engine_event(f->e, &ev); /* repeats are not new values */
	}
	vg_correlate_engine_flush(f->e);
	assert_int_equal(f->cap.n, 1);
	assert_non_null(strstr(f->cap.a[0].json, "\"distinct\":100"));
	fx_free(f);
}

static void test_value_set_index_after_expiry(void **state)
{
	(void)state;
	/* Values leave the sliding window (prune moves the rest): the index must still
	 * find the survivors, or they would be counted twice. */
	struct fx *f = fx_new(
		"title: fail\nname: fail\ndetection: {s: {event.action: ssh-login-failed}, condition: s}\n"
		"---\n"
		"title: SPRAY\nname: spray\n"
		"correlation: {type: value_count, rules: [fail], group-by: [source.ip], timespan: 1m,"
		" condition: {field: user.name, gte: 40}}\n");
	struct vg_event ev;
	char user[32];
	static char users[80][32];
	/* 30 users at 0..29 s, then 30 more at 70..99 s: the first 30 expire */
	for (int i = 0; i < 60; i++) {
		snprintf(users[i], sizeof(users[i]), "u%d", i);
		int64_t t = i < 30 ? i : 40 + i;
		mk_event(&ev, T0 + t * SEC, "sshd", "ssh-login-failed", "10.4.0.1", users[i]);
		vg_correlate_engine_event(f->e, &ev);
	}
	/* the second 30 again, then 9 new: 39 distinct in the window, no alert */
	for (int i = 30; i < 69; i++) {
		if (i >= 60)
			snprintf(users[i], sizeof(users[i]), "u%d", i);
		mk_event(&ev, T0 + 100 * SEC, "sshd", "ssh-login-failed", "10.4.0.1", users[i]);
		vg_correlate_engine_event(f->e, &ev);
	}
	vg_correlate_engine_advance(f->e, T0 + 101 * SEC);
	assert_int_equal(f->cap.n, 0);
	snprintf(user, sizeof(user), "u%d", 69);
	mk_event(&ev, T0 + 101 * SEC, "sshd", "ssh-login-failed", "10.4.0.1", user);
	vg_correlate_engine_event(f->e, &ev);
	vg_correlate_engine_flush(f->e);
	assert_int_equal(f->cap.n, 1);
	assert_non_null(strstr(f->cap.a[0].json, "\"distinct\":40"));
	fx_free(f);
}

/* --- logsource ---------------------------------------------------------------------------- */

static void test_logsource_masks(void **state)
{
	(void)state;
	struct fx *f = fx_new("title: lin\nlogsource: {product: linux}\ndetection: {s: {user.name: u},"
			      " condition: s}\n---\n"
			      "title: ssh\nlogsource: {product: linux, service: sshd}\n"
			      "detection: {s: {user.name: u}, condition: s}\n---\n"
			      "title: auth\nlogsource: {service: auth}\ndetection: {s: {user.name: u},"
			      " condition: s}\n---\n"
			      "title: sudo\nlogsource: {product: linux, service: sudo}\n"
			      "detection: {s: {user.name: u}, condition: s}\n---\n"
			      "title: os\nlogsource: {product: openstack}\ndetection: {s: {user.name: u},"
			      " condition: s}\n---\n"
			      "title: web\nlogsource: {category: webserver}\ndetection: {s: {user.name: u},"
			      " condition: s}\n---\n"
			      "title: sys\nlogsource: {service: syslog}\ndetection: {s: {user.name: u},"
			      " condition: s}\n---\n"
			      "title: cat\nlogsource: {category: Session}\ndetection: {s: {user.name: u},"
			      " condition: s}\n");
	struct {
		const char *category, *service;
		enum vg_event_type type;
		const char *expect;
	} cases[] = {
		{ "authentication", "sshd", VG_EVT_LOG, "lin,ssh,auth,sys," },
		{ "authentication", "SUDO", VG_EVT_LOG, "lin,auth,sudo,sys," },
		{ "authentication", "Keystone", VG_EVT_LOG, "auth,os,sys," },
		{ "web", "nginx", VG_EVT_LOG, "web," },
		{ "session", "sshd", VG_EVT_LOG, "lin,ssh,sys,cat," },
		{ "authentication", "sshd", VG_EVT_ALERT, "auth," },
		{ NULL, NULL, VG_EVT_LOG, "lin,sys," },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		capture_clear(&f->cap);
		struct vg_event ev;
		mk_event(&ev, T0 + (int64_t)i * SEC, "x", "a", "10.0.0.1", "u");
		ev.type = cases[i].type;
		ev.category = cases[i].category;
		ev.service = cases[i].service;
		vg_correlate_engine_event(f->e, &ev);
		char got[256] = "";
		for (unsigned k = 0; k < f->cap.n; k++) {
			strncat(got, f->cap.a[k].title, sizeof(got) - strlen(got) - 1);
			strncat(got, ",", sizeof(got) - strlen(got) - 1);
		}
		assert_string_equal(got, cases[i].expect);
	}
	fx_free(f);
}

/* The IPv6 text group keys and value sets use is inet_ntop's, byte for byte: every
 * pattern of zero and non-zero words (runs of zeros, ties, the embedded IPv4 forms),
 * with small and large word values, and random addresses. */
static void check_addr6(const uint8_t b[16])
{
	char want[INET6_ADDRSTRLEN], got[VG_ADDR_STRLEN];
	assert_non_null(inet_ntop(AF_INET6, b, want, sizeof(want)));
	size_t n = cm_addr6_format(b, got);
	assert_string_equal(got, want);
	assert_int_equal(n, strlen(want));
}

static void test_addr6_format_is_inet_ntop(void **state)
{
	(void)state;
	static const unsigned vals[] = { 1, 0xa, 0xff, 0x100, 0xabc, 0xffff, 0x1234 };
	uint8_t b[16];
	for (unsigned mask = 0; mask < 256; mask++) {
		for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
			for (unsigned i = 0; i < 8; i++) {
				unsigned w = (mask >> i & 1u) ? vals[(v + i) % (sizeof(vals) / sizeof(vals[0]))] : 0;
				b[2 * i] = (uint8_t)(w >> 8);
				b[2 * i + 1] = (uint8_t)w;
			}
			check_addr6(b);
			/* mapped / compatible forms: word 5 0xffff, word 7 1 */
			b[10] = b[11] = 0xff;
			check_addr6(b);
			b[14] = 0;
			b[15] = 1;
			check_addr6(b);
		}
	}
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (int n = 0; n < 200000; n++) {
		for (int i = 0; i < 16; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* zero bytes often, so that zero words and runs come up */
			b[i] = (x & 3) == 0 ? 0 : (uint8_t)(x >> 8);
		}
		check_addr6(b);
	}
}

/* The LRU order the engine builds from use stamps when it first needs it (an eviction,
 * the flush) is the order of last lookups: a group looked up again is not the one
 * evicted, and the flush emits open episodes least recently used first. */
static void fail_src(struct fx *f, int64_t ts, const char *src)
{
	struct vg_event ev;
	mk_event(&ev, ts, "sshd", "ssh-login-failed", src, "u");
	assert_int_equal(vg_correlate_engine_event(f->e, &ev), 0);
}

#define LRU_RULES(gte)                                                                   \
	"title: fail\nname: fail\nlogsource: {service: sshd}\n"                             \
	"detection: {s: {event.action: ssh-login-failed}, condition: s}\n"                   \
	"---\n"                                                                            \
	"title: C\nname: c\n"                                                              \
	"correlation: {type: event_count, rules: [fail], group-by: [source.ip], timespan: 1h," \
	" condition: {gte: " gte "}}\n"

static void test_lru_order_of_lookups(void **state)
{
	(void)state;
	const char *text = LRU_RULES("3");
	struct fx *f = calloc(1, sizeof(*f));
	struct diags d;
	int rl, rf;
	f->rs = load_rules(text, &d, &rl, &rf);
	assert_true(!rl && !rf && !d.n);
	struct vg_event_sink sink = { capture_emit, &f->cap };
	struct vg_correlate_config cfg = { .max_groups = 16 };
	assert_int_equal(vg_correlate_engine_new(f->rs, &cfg, &sink, &f->e), 0);
	char ip[32];
	for (int i = 0; i < 16; i++) {
		snprintf(ip, sizeof(ip), "10.0.0.%d", i);
		fail_src(f, T0 + i * SEC, ip);
	}
	fail_src(f, T0 + 20 * SEC, "10.0.0.0"); /* now the most recent: 10.0.0.1 is the LRU */
	fail_src(f, T0 + 21 * SEC, "10.9.9.9"); /* evicts 10.0.0.1 */
	assert_int_equal(vg_correlate_engine_stats(f->e)->groups_evicted, 1);
	fail_src(f, T0 + 22 * SEC, "10.0.0.0"); /* third failure: kept, opens */
	fail_src(f, T0 + 23 * SEC, "10.0.0.1"); /* first again after its eviction */
	fail_src(f, T0 + 24 * SEC, "10.0.0.1");
	vg_correlate_engine_flush(f->e);
	assert_int_equal(f->cap.n, 1);
	assert_string_equal(f->cap.a[0].src, "10.0.0.0");
	fx_free(f);

	/* gte 1: every group has an open episode; the flush emits them oldest use first */
	text = LRU_RULES("1");
	f = calloc(1, sizeof(*f));
	f->rs = load_rules(text, &d, &rl, &rf);
	assert_true(!rl && !rf && !d.n);
	sink.ctx = &f->cap;
	assert_int_equal(vg_correlate_engine_new(f->rs, NULL, &sink, &f->e), 0);
	fail_src(f, T0, "10.0.0.1");
	fail_src(f, T0, "10.0.0.2");
	fail_src(f, T0, "10.0.0.3");
	fail_src(f, T0 + SEC, "10.0.0.1");
	fail_src(f, T0 + SEC, "10.0.0.3");
	fail_src(f, T0 + SEC, "10.0.0.4");
	vg_correlate_engine_flush(f->e);
	assert_int_equal(f->cap.n, 4);
	assert_string_equal(f->cap.a[0].src, "10.0.0.2");
	assert_string_equal(f->cap.a[1].src, "10.0.0.1");
	assert_string_equal(f->cap.a[2].src, "10.0.0.3");
	assert_string_equal(f->cap.a[3].src, "10.0.0.4");
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_details_provider_matches_as_json),
		cmocka_unit_test(test_details_json_only_when_needed),
		cmocka_unit_test(test_detail_paths_resolve),
		cmocka_unit_test(test_action_index_same_as_full_match),
		cmocka_unit_test(test_action_index_no_action),
		cmocka_unit_test(test_episodes_close_in_open_order),
		cmocka_unit_test(test_many_open_episodes),
		cmocka_unit_test(test_groups_found_after_table_growth),
		cmocka_unit_test(test_value_set_index_counts_exactly),
		cmocka_unit_test(test_value_set_index_after_expiry),
		cmocka_unit_test(test_logsource_masks),
		cmocka_unit_test(test_addr6_format_is_inet_ntop),
		cmocka_unit_test(test_lru_order_of_lookups),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
