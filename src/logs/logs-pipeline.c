/* logs-pipeline.c — line → parse → event → correlate → sinks (see logs-pipeline.h).
 *
 * The parsed entry (~130 KB) and the decode buffers are allocated once per pipe. The
 * event's JSON extra (url, http, parse details) is built only when something needs it:
 * the events sink, a detection rule that fires (its alert carries the details), or a
 * rule naming a field the details provider does not know. Rules read the details
 * straight from the parsed entry (line_detail), with exactly the values the JSON would
 * hold, so a line that raises nothing costs no allocation. */
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
	/* The line being processed, for the details provider. */
	int rc;
	json_t *extra;       /* built for this line, or NULL */
	bool extra_built;
	bool path_done, query_done;
	size_t path_len, query_len;
	const char *query;   /* after '?' in the URI, NULL when none */
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

/* %XX decoded once (so "%252e" stays "%2e": double encoding is visible to rules via
 * url.original); invalid escapes are kept as written. */
static size_t pct_decode(const char *s, size_t len, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		int h, l;
		if (s[i] == '%' && i + 2 < len + 0 && (h = vg_hex_digit(s[i + 1])) >= 0 &&
		    (l = vg_hex_digit(s[i + 2])) >= 0) {
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

/* url.path: the URI before '?', decoded once per line (rules and the JSON share it). */
static const char *url_path(struct vg_logpipe *p, size_t *len)
{
	const char *uri = p->entry->http.uri;
	if (!p->path_done) {
		const char *q = strchr(uri, '?');
		size_t plen = q ? (size_t)(q - uri) : strlen(uri);
		if (plen > VG_MAX_LINE)
			plen = VG_MAX_LINE;
		p->path_len = pct_decode(uri, plen, p->dec);
		p->query = q ? q + 1 : NULL;
		p->path_done = true;
	}
	*len = p->path_len;
	return p->dec;
}

/* url.query: after the first '?', decoded once; NULL when the URI has none. */
static const char *url_query(struct vg_logpipe *p, size_t *len)
{
	size_t pl;
	url_path(p, &pl);
	if (!p->query)
		return NULL;
	char *dq = p->dec + VG_MAX_LINE + 1;
	if (!p->query_done) {
		size_t ql = strlen(p->query);
		if (ql > VG_MAX_LINE)
			ql = VG_MAX_LINE;
		p->query_len = pct_decode(p->query, ql, dq);
		p->query_done = true;
	}
	*len = p->query_len;
	return dq;
}

static json_t *web_extra(struct vg_logpipe *p, const struct vg_log_entry *e, json_t *x)
{
	const struct vg_log_http *h = &e->http;
	if (h->uri) {
		json_t *url = json_object();
		if (url) {
			set_str(url, "original", h->uri);
			size_t n;
			const char *dp = url_path(p, &n);
			set_strn(url, "path", dp, n);
			const char *dq = url_query(p, &n);
			if (dq)
				set_strn(url, "query", dq, n);
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

static json_t *line_extra(void *ctx)
{
	struct vg_logpipe *p = ctx;
	if (!p->extra_built) {
		p->extra_built = true;
		p->extra = make_extra(p, p->entry, p->rc);
	}
	return p->extra;
}

/* Whether jansson would accept the bytes as a string: an ASCII run is, anything else
 * is left to jansson itself so the answer is exactly the JSON's. */
static bool json_str_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80) {
			json_t *j = json_stringn(s, n);
			bool ok = j != NULL;
			json_decref(j);
			return ok;
		}
	}
	return true;
}

/* The value the line's JSON extra would hold at a detail's path (see make_extra). */
static enum vg_corr_dkind line_detail(void *ctx, enum vg_corr_detail id, const char **out,
				      size_t *len, int64_t *num)
{
	struct vg_logpipe *p = ctx;
	const struct vg_log_entry *e = p->entry;
	const struct vg_log_http *h = &e->http;
	bool ok = p->rc == 0;
	bool web = ok && e->category && !strcmp(e->category, "web");
	const char *v = NULL;
	size_t n = 0;
	bool sized = false;
	switch (id) {
	case VG_CD_URL_ORIGINAL: v = web ? h->uri : NULL; break;
	case VG_CD_URL_PATH:
		if (web && h->uri) {
			v = url_path(p, &n);
			sized = true;
		}
		break;
	case VG_CD_URL_QUERY:
		if (web && h->uri) {
			v = url_query(p, &n);
			sized = true;
		}
		break;
	case VG_CD_URL_DOMAIN: v = web && h->uri ? h->vhost : NULL; break;
	case VG_CD_HTTP_METHOD: v = web ? h->method : NULL; break;
	case VG_CD_HTTP_REFERRER: v = web ? h->referrer : NULL; break;
	case VG_CD_HTTP_STATUS:
		if (web && h->status) {
			*num = h->status;
			return VG_CDK_INTEGER;
		}
		break;
	case VG_CD_HTTP_BYTES:
		if (web && h->has_bytes) {
			*num = (int64_t)(json_int_t)h->bytes;
			return VG_CDK_INTEGER;
		}
		break;
	case VG_CD_HTTP_VERSION:
		if (web && h->protocol && !strncmp(h->protocol, "HTTP/", 5))
			v = h->protocol + 5;
		break;
	case VG_CD_USER_AGENT: v = web ? h->user_agent : NULL; break;
	case VG_CD_PARSE_STATUS:
		v = ok ? "ok" : p->rc == VG_ENOTSUP ? "unknown" : "invalid";
		break;
	case VG_CD_PARSE_FORMAT: v = vg_logs_format_name(e->format); break;
	case VG_CD_PARSE_PARSER: v = e->parser; break;
	case VG_CD_PARSE_TRUNCATED:
		if (e->truncated) {
			*num = 1;
			return VG_CDK_BOOLEAN;
		}
		break;
	case VG_CD_PARSE_TARGET_USER: v = ok ? e->target_user : NULL; break;
	case VG_CD_PARSE_AUTH_METHOD: v = ok ? e->auth_method : NULL; break;
	case VG_CD_PARSE_ATTEMPTS:
		if (ok && e->attempts) {
			*num = e->attempts;
			return VG_CDK_INTEGER;
		}
		break;
	case VG_CD_PARSE_INVALID_USER:
		if (ok && e->invalid_user) {
			*num = 1;
			return VG_CDK_BOOLEAN;
		}
		break;
	case VG_CD_PARSE_TTY: v = ok ? e->tty : NULL; break;
	case VG_CD_PARSE_COMMAND: v = ok ? e->command : NULL; break;
	case VG_CD_PARSE_REASON: v = ok ? e->reason : NULL; break;
	case VG_CD_PARSE_SRC_HOST: v = ok ? e->src_host : NULL; break;
	case VG_CD_PARSE_DOMAIN: v = ok ? e->domain : NULL; break;
	case VG_CD_PARSE_REPEAT:
		if (e->repeat > 1) {
			*num = e->repeat;
			return VG_CDK_INTEGER;
		}
		break;
	case VG_CD_COUNT: break;
	}
	if (!v)
		return VG_CDK_ABSENT;
	if (!sized)
		n = strlen(v);
	if (!json_str_ok(v, n))
		return VG_CDK_ABSENT;
	*out = v;
	*len = n;
	return VG_CDK_STRING;
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
	p->rc = rc;
	p->extra = NULL;
	p->extra_built = p->path_done = p->query_done = false;
	p->query = NULL;
	struct vg_event ev;
	vg_logs_entry_to_event(e, &ev);
	if (!ev.message)
		ev.message = e->line;
	ev.source_name = source_name;
	if (p->have_events) {
		ev.extra = line_extra(p);
		p->c.events++;
		if (vg_event_emit(&p->events, &ev) != 0)
			p->c.sink_errors++;
	}
	int res = 0;
	if (p->eng) {
		const struct vg_correlate_details det = { .get = line_detail, .extra = line_extra, .ctx = p };
		/* rsyslog folds identical lines: each repetition is an event for counting. */
		unsigned times = e->repeat > 1 ? e->repeat : 1;
		if (times > VG_LOGPIPE_MAX_REPEAT)
			times = VG_LOGPIPE_MAX_REPEAT;
		for (unsigned i = 0; i < times; i++)
			if (vg_correlate_engine_event_details(p->eng, &ev, &det) != 0)
				res = VG_ENOMEM;
	}
	json_decref(p->extra);
	p->extra = NULL;
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
