/* test-correlate-util.h — helpers shared by the correlate unit tests: load rules from a
 * string with diagnostics captured, build events, capture alerts. Header-only (static). */
#ifndef TEST_CORRELATE_UTIL_H
#define TEST_CORRELATE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/core-addr.h"
#include "core/core-event.h"
#include "correlate/correlate-int.h"
#include "correlate/correlate.h"
#include "../core/test-event-extra.h"

struct diags {
	char msg[16][512];
	unsigned n;
};

static inline void diag_cb(void *ctx, const char *msg)
{
	struct diags *d = ctx;
	if (d->n < 16)
		snprintf(d->msg[d->n], sizeof(d->msg[0]), "%s", msg);
	d->n++;
}

/* Load text as file "t.yml" and finish; returns the rule set (never NULL). */
static inline struct vg_correlate_ruleset *load_rules(const char *text, struct diags *d, int *rc_load,
					       int *rc_finish)
{
	struct vg_correlate_ruleset *rs = NULL;
	if (vg_correlate_ruleset_new(&rs) != 0)
		abort();
	memset(d, 0, sizeof(*d));
	int a = vg_correlate_ruleset_load_buffer(rs, "t.yml", text, strlen(text), diag_cb, d);
	int b = vg_correlate_ruleset_finish(rs, diag_cb, d);
	if (rc_load)
		*rc_load = a;
	if (rc_finish)
		*rc_finish = b;
	return rs;
}

struct captured {
	char title[128];
	char src[VG_ADDR_STRLEN];
	char user[64];
	int64_t ts;
	int severity;
	char *json;   /* json_dumps of extra, sorted keys; owned */
};

struct capture {
	struct captured a[64];
	unsigned n;
};

static inline int capture_emit(void *ctx, const struct vg_event *ev)
{
	struct capture *c = ctx;
	if (c->n >= 64)
		return 0;
	struct captured *x = &c->a[c->n++];
	memset(x, 0, sizeof(*x));
	snprintf(x->title, sizeof(x->title), "%s", ev->rule.signature ? ev->rule.signature : "");
	vg_addr_format(&ev->src, x->src);
	snprintf(x->user, sizeof(x->user), "%s", ev->user ? ev->user : "");
	x->ts = ev->ts_us;
	x->severity = ev->rule.severity;
	x->json = alert_extra_json(ev);
	return 0;
}

static inline void capture_clear(struct capture *c)
{
	for (unsigned i = 0; i < c->n && i < 64; i++)
		free(c->a[i].json);
	c->n = 0;
}

static inline unsigned capture_count(const struct capture *c, const char *title)
{
	unsigned n = 0;
	for (unsigned i = 0; i < c->n && i < 64; i++)
		if (!strcmp(c->a[i].title, title))
			n++;
	return n;
}

#define SEC 1000000ll
#define T0 (1795478400ll * SEC) /* 2026-11-24 00:00:00 UTC */

/* A log event; strings are borrowed (string literals in the tests). */
static inline void mk_event(struct vg_event *ev, int64_t ts, const char *service, const char *action,
		     const char *src, const char *user)
{
	vg_event_init(ev, VG_EVT_LOG, ts);
	ev->category = "authentication";
	ev->service = service;
	ev->process = service;
	ev->action = action;
	ev->host = "vm";
	ev->user = user;
	if (src)
		vg_addr_parse(src, strlen(src), &ev->src);
	ev->message = action;
}

#endif
