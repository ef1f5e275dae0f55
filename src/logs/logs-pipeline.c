/* logs-pipeline.c — line → parse → event → correlate → sinks (see logs-pipeline.h).
 *
 * The parsed entry (~130 KB) and the decode buffers are allocated once per pipe; a line
 * costs no allocation beyond the small JSON extra object of its event. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/core-error.h"
#include "core/core-str.h"
#include "core/limits.h"
#include "logs/logs-pipeline.h"

struct vg_logpipe {
	struct vg_log_opts opts;
	struct vg_correlate_engine *eng;
	struct vg_event_sink alerts, events;
	bool have_events;
	struct vg_logpipe_counters c;
	struct vg_log_entry *entry;
	char *dec;   /* percent-decoded path and query, VG_MAX_LINE + 1 each */
};

int vg_logpipe_new(const struct vg_log_opts *opts, const struct vg_correlate_ruleset *rules,
		   const struct vg_event_sink *alerts, const struct vg_event_sink *events,
		   struct vg_logpipe **out)
{
	*out = NULL;
	struct vg_logpipe *p = calloc(1, sizeof(*p));
	if (!p)
		return VG_ENOMEM;
	if (opts)
		p->opts = *opts;
	else
		vg_logs_opts_init(&p->opts);
	if (alerts)
		p->alerts = *alerts;
	if (events) {
		p->events = *events;
		p->have_events = true;
	}
	p->entry = malloc(sizeof(*p->entry));
	p->dec = malloc(2 * (VG_MAX_LINE + 1));
	int rc = (p->entry && p->dec) ? 0 : VG_ENOMEM;
	if (rc == 0 && rules)
		rc = vg_correlate_engine_new(rules, NULL, &p->alerts, &p->eng);
	if (rc) {
		vg_logpipe_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void vg_logpipe_free(struct vg_logpipe *p)
{
	if (!p)
		return;
	vg_correlate_engine_free(p->eng);
	free(p->entry);
	free(p->dec);
	free(p);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* %XX decoded once (so "%252e" stays "%2e": double encoding is visible to rules via
 * url.original); invalid escapes are kept as written. */
static size_t pct_decode(const char *s, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		int h, l;
		if (s[i] == '%' && i + 2 < len + 0 && (h = hexval(s[i + 1])) >= 0 &&
		    (l = hexval(s[i + 2])) >= 0) {
			out[o++] = (char)(h * 16 + l);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return o;
}

static void set_str(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

static void set_strn(json_t *o, const char *k, const char *v, size_t n)
{
	json_t *s = json_stringn(v, n);
	/* Decoded bytes may not be UTF-8: fall back to nothing rather than fail. */
	if (s)
		json_object_set_new(o, k, s);
}

static json_t *web_extra(struct vg_logpipe *p, const struct vg_log_entry *e, json_t *x)
{
	const struct vg_log_http *h = &e->http;
	if (h->uri) {
		json_t *url = json_object();
		if (url) {
			set_str(url, "original", h->uri);
			const char *q = strchr(h->uri, '?');
			size_t plen = q ? (size_t)(q - h->uri) : strlen(h->uri);
			char *dp = p->dec, *dq = p->dec + VG_MAX_LINE + 1;
			if (plen > VG_MAX_LINE)
				plen = VG_MAX_LINE;
			size_t n = pct_decode(h->uri, plen, dp);
			set_strn(url, "path", dp, n);
			if (q) {
				size_t ql = strlen(q + 1);
				if (ql > VG_MAX_LINE)
					ql = VG_MAX_LINE;
				n = pct_decode(q + 1, ql, dq);
				set_strn(url, "query", dq, n);
			}
			set_str(url, "domain", h->vhost);
			json_object_set_new(x, "url", url);
		}
	}
	json_t *http = json_object(), *req = json_object(), *resp = json_object();
	if (http && req && resp) {
		set_str(req, "method", h->method);
		set_str(req, "referrer", h->referrer);
		if (h->status)
			json_object_set_new(resp, "status_code", json_integer(h->status));
		if (h->has_bytes) {
			json_t *body = json_object();
			if (body) {
				json_object_set_new(body, "bytes", json_integer((json_int_t)h->bytes));
				json_object_set_new(resp, "body", body);
			}
		}
		json_object_set_new(http, "request", req);
		json_object_set_new(http, "response", resp);
		if (h->protocol && !strncmp(h->protocol, "HTTP/", 5))
			set_str(http, "version", h->protocol + 5);
		json_object_set_new(x, "http", http);
	} else {
		json_decref(http);
		json_decref(req);
		json_decref(resp);
	}
	if (h->user_agent) {
		json_t *ua = json_object();
		if (ua) {
			set_str(ua, "original", h->user_agent);
			json_object_set_new(x, "user_agent", ua);
		}
	}
	return x;
}

static json_t *make_extra(struct vg_logpipe *p, const struct vg_log_entry *e, int rc)
{
	json_t *x = json_object(), *ps = json_object();
	if (!x || !ps) {
		json_decref(x);
		json_decref(ps);
		return NULL;
	}
	set_str(ps, "status", rc == 0 ? "ok" : rc == VG_ENOTSUP ? "unknown" : "invalid");
	set_str(ps, "format", vg_logs_format_name(e->format));
	set_str(ps, "parser", e->parser);
	if (e->truncated)
		json_object_set_new(ps, "truncated", json_true());
	if (rc == 0) {
		set_str(ps, "target_user", e->target_user);
		set_str(ps, "auth_method", e->auth_method);
		if (e->attempts)
			json_object_set_new(ps, "attempts", json_integer(e->attempts));
		if (e->invalid_user)
			json_object_set_new(ps, "invalid_user", json_true());
		set_str(ps, "tty", e->tty);
		set_str(ps, "command", e->command);
		set_str(ps, "reason", e->reason);
		set_str(ps, "src_host", e->src_host);
		set_str(ps, "domain", e->domain);
	}
	if (e->repeat > 1)
		json_object_set_new(ps, "repeat", json_integer(e->repeat));
	json_object_set_new(x, "parse", ps);
	if (rc == 0 && e->category && !strcmp(e->category, "web"))
		web_extra(p, e, x);
	return x;
}

static void count_parser(struct vg_logpipe_counters *c, const char *name)
{
	if (!name)
		return;
	for (unsigned i = 0; i < c->n_parsers; i++) {
		if (!strcmp(c->parsers[i].name, name)) {
			c->parsers[i].n++;
			return;
		}
	}
	if (c->n_parsers < VG_LOGPIPE_MAX_PARSERS) {
		vg_strlcpy(c->parsers[c->n_parsers].name, name, strlen(name),
			   sizeof(c->parsers[0].name));
		c->parsers[c->n_parsers++].n = 1;
	}
}

int vg_logpipe_line(struct vg_logpipe *p, const char *line, size_t len, const char *source_name)
{
	if (!p || (!line && len))
		return VG_EINVAL;
	struct vg_log_entry *e = p->entry;
	p->c.lines++;
	int rc = vg_logs_parse_line(line ? line : "", len, &p->opts, e);
	if (rc == 0) {
		p->c.parsed++;
		count_parser(&p->c, e->parser);
	} else if (rc == VG_ENOTSUP) {
		p->c.unknown++;
	} else {
		p->c.invalid++;
	}
	if (e->truncated)
		p->c.truncated++;
	struct vg_event ev;
	vg_logs_entry_to_event(e, &ev);
	if (!ev.message)
		ev.message = e->line;
	ev.source_name = source_name;
	json_t *extra = make_extra(p, e, rc);
	ev.extra = extra;
	if (p->have_events) {
		p->c.events++;
		if (vg_event_emit(&p->events, &ev) != 0)
			p->c.sink_errors++;
	}
	int res = 0;
	if (p->eng) {
		/* rsyslog folds identical lines: each repetition is an event for counting. */
		unsigned times = e->repeat > 1 ? e->repeat : 1;
		if (times > VG_LOGPIPE_MAX_REPEAT)
			times = VG_LOGPIPE_MAX_REPEAT;
		for (unsigned i = 0; i < times; i++)
			if (vg_correlate_engine_event(p->eng, &ev) != 0)
				res = VG_ENOMEM;
	}
	json_decref(extra);
	return res;
}

void vg_logpipe_set_now(struct vg_logpipe *p, int64_t now_us)
{
	if (p)
		p->opts.now_us = now_us;
}

void vg_logpipe_advance(struct vg_logpipe *p, int64_t now_us)
{
	if (p && p->eng)
		vg_correlate_engine_advance(p->eng, now_us);
}

void vg_logpipe_flush(struct vg_logpipe *p)
{
	if (p && p->eng)
		vg_correlate_engine_flush(p->eng);
}

const struct vg_logpipe_counters *vg_logpipe_counters(const struct vg_logpipe *p)
{
	return &p->c;
}

const struct vg_correlate_engine *vg_logpipe_engine(const struct vg_logpipe *p)
{
	return p ? p->eng : NULL;
}
