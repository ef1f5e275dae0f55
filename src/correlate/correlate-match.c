/* correlate-match.c — evaluating a Sigma detection against one event: field lookup
 * (ECS names and a few Sigma aliases), value matching (wildcards, modifiers), the
 * condition language (and/or/not, parentheses, "1 of x*", "all of them").
 *
 * Matching is a pure function of (rule, event): no state, no allocation except what
 * PCRE2 needs for match data. */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>

#include "core/core-error.h"
#include "core/core-str.h"
#include "core/limits.h"
#include "correlate/correlate-int.h"

/* --- fields ----------------------------------------------------------------------- */

struct field_name {
	const char *name;
	const char *canon;
	enum cm_field_id id;
};

/* ECS names first, then Sigma's usual aliases (Windows/webserver taxonomy) mapped onto
 * them. Anything else is looked up as a dotted path in ev->extra. */
static const struct field_name field_names[] = {
	{ "event.action", "event.action", CM_F_ACTION },
	{ "event.category", "event.category", CM_F_CATEGORY },
	{ "event.outcome", "event.outcome", CM_F_OUTCOME },
	{ "event.kind", "event.kind", CM_F_KIND },
	{ "source.ip", "source.ip", CM_F_SRC_IP },
	{ "source.port", "source.port", CM_F_SRC_PORT },
	{ "destination.ip", "destination.ip", CM_F_DST_IP },
	{ "destination.port", "destination.port", CM_F_DST_PORT },
	{ "user.name", "user.name", CM_F_USER },
	{ "host.name", "host.name", CM_F_HOST },
	{ "service.name", "service.name", CM_F_SERVICE },
	{ "process.name", "process.name", CM_F_PROCESS },
	{ "process.pid", "process.pid", CM_F_PID },
	{ "message", "message", CM_F_MESSAGE },
	{ "event.original", "message", CM_F_MESSAGE },
	{ "log.original", "message", CM_F_MESSAGE },
	{ "log.file.path", "log.file.path", CM_F_SOURCE_NAME },
	{ "organization.id", "organization.id", CM_F_TENANT },
	{ "tenant", "organization.id", CM_F_TENANT },
	{ "network.protocol", "network.protocol", CM_F_APP_PROTO },
	/* Sigma aliases */
	{ "User", "user.name", CM_F_USER },
	{ "user", "user.name", CM_F_USER },
	{ "username", "user.name", CM_F_USER },
	{ "TargetUserName", "user.name", CM_F_USER },
	{ "src_ip", "source.ip", CM_F_SRC_IP },
	{ "SourceIp", "source.ip", CM_F_SRC_IP },
	{ "IpAddress", "source.ip", CM_F_SRC_IP },
	{ "c-ip", "source.ip", CM_F_SRC_IP },
	{ "clientip", "source.ip", CM_F_SRC_IP },
	{ "dst_ip", "destination.ip", CM_F_DST_IP },
	{ "DestinationIp", "destination.ip", CM_F_DST_IP },
	{ "Hostname", "host.name", CM_F_HOST },
	{ "Computer", "host.name", CM_F_HOST },
	{ "cs-uri-stem", "url.path", CM_F_EXTRA },
	{ "c-uri", "url.original", CM_F_EXTRA },
	{ "cs-uri", "url.original", CM_F_EXTRA },
	{ "cs-uri-query", "url.query", CM_F_EXTRA },
	{ "c-useragent", "user_agent.original", CM_F_EXTRA },
	{ "cs-user-agent", "user_agent.original", CM_F_EXTRA },
	{ "cs-method", "http.request.method", CM_F_EXTRA },
	{ "sc-status", "http.response.status_code", CM_F_EXTRA },
	{ "cs-referrer", "http.request.referrer", CM_F_EXTRA },
	{ "cs-host", "url.domain", CM_F_EXTRA },
};

/* Paths of enum vg_corr_detail, in its order. */
static const char *const detail_paths[VG_CD_COUNT] = {
	[VG_CD_URL_ORIGINAL] = "url.original",
	[VG_CD_URL_PATH] = "url.path",
	[VG_CD_URL_QUERY] = "url.query",
	[VG_CD_URL_DOMAIN] = "url.domain",
	[VG_CD_HTTP_METHOD] = "http.request.method",
	[VG_CD_HTTP_REFERRER] = "http.request.referrer",
	[VG_CD_HTTP_STATUS] = "http.response.status_code",
	[VG_CD_HTTP_BYTES] = "http.response.body.bytes",
	[VG_CD_HTTP_VERSION] = "http.version",
	[VG_CD_USER_AGENT] = "user_agent.original",
	[VG_CD_PARSE_STATUS] = "parse.status",
	[VG_CD_PARSE_FORMAT] = "parse.format",
	[VG_CD_PARSE_PARSER] = "parse.parser",
	[VG_CD_PARSE_TRUNCATED] = "parse.truncated",
	[VG_CD_PARSE_TARGET_USER] = "parse.target_user",
	[VG_CD_PARSE_AUTH_METHOD] = "parse.auth_method",
	[VG_CD_PARSE_ATTEMPTS] = "parse.attempts",
	[VG_CD_PARSE_INVALID_USER] = "parse.invalid_user",
	[VG_CD_PARSE_TTY] = "parse.tty",
	[VG_CD_PARSE_COMMAND] = "parse.command",
	[VG_CD_PARSE_REASON] = "parse.reason",
	[VG_CD_PARSE_SRC_HOST] = "parse.src_host",
	[VG_CD_PARSE_DOMAIN] = "parse.domain",
	[VG_CD_PARSE_REPEAT] = "parse.repeat",
};

const char *vg_correlate_detail_path(enum vg_corr_detail id)
{
	return (unsigned)id < VG_CD_COUNT ? detail_paths[id] : NULL;
}

/* Names are resolved once, when rules load: events are then read by id. */
const char *cm_field_canon(const char *name, enum cm_field_id *id)
{
	const char *canon = name;
	*id = CM_F_EXTRA;
	for (size_t i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++) {
		if (!strcmp(name, field_names[i].name)) {
			*id = field_names[i].id;
			canon = field_names[i].canon;
			break;
		}
	}
	if (*id == CM_F_EXTRA) {
		for (unsigned k = 0; k < VG_CD_COUNT; k++) {
			if (!strcmp(canon, detail_paths[k])) {
				*id = (enum cm_field_id)(CM_F_DETAIL + k);
				break;
			}
		}
	}
	return canon;
}

static void fv_str(struct cm_fv *o, const char *s)
{
	if (!s)
		return;
	o->present = true;
	o->s = s;
	o->len = strlen(s);
}

static void fv_num(struct cm_fv *o, double v)
{
	int n = snprintf(o->buf, sizeof(o->buf), "%.15g", v);
	o->present = true;
	o->s = o->buf;
	o->len = n > 0 ? (size_t)n : 0;
	o->is_num = true;
	o->num = v;
}

/* Dotted path in ev->extra: "url.path" → extra["url"]["path"]; a key containing dots
 * ("url.path" itself) is tried at each level too. */
static json_t *extra_lookup(json_t *obj, const char *path)
{
	if (!obj || !json_is_object(obj))
		return NULL;
	json_t *v = json_object_get(obj, path);
	if (v)
		return v;
	const char *dot = strchr(path, '.');
	while (dot) {
		char head[VG_MAX_NAME];
		size_t hl = (size_t)(dot - path);
		if (hl >= sizeof(head))
			return NULL;
		memcpy(head, path, hl);
		head[hl] = '\0';
		json_t *sub = json_object_get(obj, head);
		if (sub && json_is_object(sub)) {
			json_t *r = extra_lookup(sub, dot + 1);
			if (r)
				return r;
		}
		dot = strchr(dot + 1, '.');
	}
	return NULL;
}

static bool ieq(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

/* a equals the lowercase literal lit, ignoring case (ASCII, as strcasecmp in the C
 * locale): the per-event tests, without a libc call per literal. */
static bool ieq_lit(const char *a, const char *lit)
{
	if (!a)
		return false;
	for (; *lit; a++, lit++) {
		unsigned char c = (unsigned char)*a;
		if ((c >= 'A' && c <= 'Z' ? c + 32u : c) != (unsigned char)*lit)
			return false;
	}
	return *a == '\0';
}


void cm_ectx_init(struct cm_ectx *x, const struct vg_event *ev,
		  const struct vg_correlate_details *det)
{
	cm_ectx_init_ls(x, ev, det, cm_event_ls(ev));
}

void cm_ectx_init_ls(struct cm_ectx *x, const struct vg_event *ev,
		     const struct vg_correlate_details *det, unsigned ls)
{
	memset(x, 0, offsetof(struct cm_ectx, src));
	x->ev = ev;
	x->det = det && det->get ? det : NULL;
	x->extra = x->det ? NULL : ev->extra;
	x->extra_asked = !x->det;
	x->ls = ls;
}

unsigned cm_event_ls(const struct vg_event *ev)
{
	/* The logsource taxonomy needs these few facts; every rule shares them. */
	unsigned f = 0;
	if (ev->type == VG_EVT_LOG)
		f |= CM_EV_LOG;
	if (ieq_lit(ev->category, "web"))
		f |= CM_EV_WEB;
	else if (ieq_lit(ev->category, "authentication"))
		f |= CM_EV_AUTH;
	if (ev->service) {
		if (ieq_lit(ev->service, "keystone") || ieq_lit(ev->service, "horizon"))
			f |= CM_EV_OPENSTACK;
		else if (ieq_lit(ev->service, "sshd"))
			f |= CM_EV_SSHD;
	}
	return f;
}

json_t *cm_ectx_extra(struct cm_ectx *x)
{
	if (!x->extra_asked) {
		x->extra_asked = true;
		x->extra = x->det->extra ? x->det->extra(x->det->ctx) : NULL;
	}
	return x->extra;
}

/* inet_ntop(AF_INET6)'s text (glibc: the longest run of two or more zero words, the
 * first of equal ones, as "::"; an IPv4-compatible or -mapped address ends in a dotted
 * quad) without its sprintf per word: a fifth of the sources are IPv6 and each is
 * formatted once per event that feeds a correlation. */
size_t cm_addr6_format(const uint8_t b[16], char buf[VG_ADDR_STRLEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
	int best = -1, best_len = 0, cur = -1, cur_len = 0;
	for (int i = 0; i < 8; i++) {
		if (w[i] == 0) {
			if (cur < 0)
				cur = i, cur_len = 0;
			cur_len++;
		} else if (cur >= 0) {
			if (best < 0 || cur_len > best_len)
				best = cur, best_len = cur_len;
			cur = -1;
		}
	}
	if (cur >= 0 && (best < 0 || cur_len > best_len))
		best = cur, best_len = cur_len;
	if (best >= 0 && best_len < 2)
		best = -1;
	char *p = buf;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i != 0)
			*p++ = ':';
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
			for (int k = 12; k < 16; k++) {
				unsigned v = b[k];
				if (v >= 100)
					*p++ = (char)('0' + v / 100);
				if (v >= 10)
					*p++ = (char)('0' + v / 10 % 10);
				*p++ = (char)('0' + v % 10);
				if (k < 15)
					*p++ = '.';
			}
			*p = '\0';
			return (size_t)(p - buf);
		}
		bool lead = true;
		for (int sh = 12; sh >= 0; sh -= 4) {
			unsigned d = (w[i] >> sh) & 15u;
			if (lead && d == 0 && sh)
				continue;
			lead = false;
			*p++ = hex[d];
		}
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	*p = '\0';
	return (size_t)(p - buf);
}

/* Formatted once per event: group-by, value_count and evidence all ask for it. */
static void fv_addr(struct cm_fv *o, const struct vg_addr *a, bool *done, char *buf, size_t *len)
{
	if (a->family == VG_AF_NONE)
		return;
	if (!*done && a->family == VG_AF_INET) {
		/* inet_ntop's dotted quad without its snprintf */
		char *p = buf;
		for (int i = 0; i < 4; i++) {
			unsigned v = a->b[i];
			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
			*p++ = i < 3 ? '.' : '\0';
		}
		*len = (size_t)(p - buf - 1);
		*done = true;
	}
	if (!*done && a->family == VG_AF_INET6) {
		*len = cm_addr6_format(a->b, buf);
		*done = true;
	}
	if (!*done) {
		const char *s = vg_addr_format(a, buf);
		*len = s ? strlen(s) : SIZE_MAX;
		if (s && s != buf)
			memmove(buf, s, *len + 1);
		*done = true;
	}
	if (*len == SIZE_MAX)
		return;
	o->present = true;
	o->s = buf;
	o->len = *len;
}

static void fv_json(struct cm_fv *o, json_t *v)
{
	if (json_is_string(v)) {
		o->present = true;
		o->s = json_string_value(v);
		o->len = json_string_length(v);
	} else if (json_is_integer(v)) {
		fv_num(o, (double)json_integer_value(v));
	} else if (json_is_real(v)) {
		fv_num(o, json_real_value(v));
	} else if (json_is_boolean(v)) {
		fv_str(o, json_is_true(v) ? "true" : "false");
	}
}

void cm_field_get(struct cm_ectx *x, enum cm_field_id id, const char *name, struct cm_fv *o)
{
	cm_field_value(x, id, name, o);
	/* Numeric strings compare numerically under |gt etc. */
	if (o->present && !o->is_num && o->len > 0 && o->len < 32) {
		int64_t iv;
		if (vg_parse_i64(o->s, o->len, INT64_MIN, INT64_MAX, &iv) == 0) {
			o->is_num = true;
			o->num = (double)iv;
		}
	}
}

void cm_field_value(struct cm_ectx *x, enum cm_field_id id, const char *name, struct cm_fv *o)
{
	const struct vg_event *ev = x->ev;
	memset(o, 0, offsetof(struct cm_fv, buf));
	if ((unsigned)id >= CM_F_DETAIL && x->det) {
		const char *s = NULL;
		size_t len = 0;
		int64_t num = 0;
		switch (x->det->get(x->det->ctx, (enum vg_corr_detail)((unsigned)id - CM_F_DETAIL), &s,
				    &len, &num)) {
		case VG_CDK_STRING:
			o->present = true;
			o->s = s;
			o->len = len;
			break;
		case VG_CDK_INTEGER: fv_num(o, (double)num); break;
		case VG_CDK_BOOLEAN: fv_str(o, num ? "true" : "false"); break;
		case VG_CDK_ABSENT: break;
		}
	} else if ((unsigned)id >= CM_F_DETAIL) {
		fv_json(o, extra_lookup(cm_ectx_extra(x), name));
	} else {
		switch (id) {
		case CM_F_ACTION: fv_str(o, ev->action); break;
		case CM_F_CATEGORY: fv_str(o, ev->category); break;
		case CM_F_OUTCOME: fv_str(o, vg_outcome_name(ev->outcome)); break;
		case CM_F_KIND: fv_str(o, vg_event_type_name(ev->type)); break;
		case CM_F_SRC_IP: fv_addr(o, &ev->src, &x->src_done, x->src, &x->src_len); break;
		case CM_F_DST_IP: fv_addr(o, &ev->dst, &x->dst_done, x->dst, &x->dst_len); break;
		case CM_F_SRC_PORT:
			if (ev->sport)
				fv_num(o, ev->sport);
			break;
		case CM_F_DST_PORT:
			if (ev->dport)
				fv_num(o, ev->dport);
			break;
		case CM_F_USER: fv_str(o, ev->user); break;
		case CM_F_HOST: fv_str(o, ev->host); break;
		case CM_F_SERVICE: fv_str(o, ev->service); break;
		case CM_F_PROCESS: fv_str(o, ev->process); break;
		case CM_F_PID:
			if (ev->pid >= 0)
				fv_num(o, (double)ev->pid);
			break;
		case CM_F_MESSAGE:
		case CM_F_KEYWORDS: fv_str(o, ev->message); break;
		case CM_F_SOURCE_NAME: fv_str(o, ev->source_name); break;
		case CM_F_TENANT: fv_str(o, ev->tenant); break;
		case CM_F_APP_PROTO: fv_str(o, ev->app_proto); break;
		case CM_F_EXTRA:
		case CM_F_DETAIL:
			fv_json(o, extra_lookup(cm_ectx_extra(x), name));
			break;
		}
	}
}

/* --- values ------------------------------------------------------------------------ */

static inline unsigned lc(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32u : c;
}

/* Wildcard match, * any run, ? one byte; iterative with one backtrack point, so the
 * cost is O(len(s) * len(pat)) at worst and no recursion on attacker data. */
bool cm_glob_match(const uint16_t *pat, size_t plen, const char *s, size_t slen, bool cased)
{
	size_t p = 0, i = 0, star_p = (size_t)-1, star_i = 0;
	while (i < slen) {
		if (p < plen && pat[p] == CM_STAR) {
			star_p = p++;
			star_i = i;
			continue;
		}
		if (p < plen && (pat[p] == CM_QMARK ||
				 pat[p] == (cased ? (unsigned char)s[i] : lc((unsigned char)s[i])))) {
			p++;
			i++;
			continue;
		}
		if (star_p == (size_t)-1)
			return false;
		p = star_p + 1;
		i = ++star_i;
	}
	while (p < plen && pat[p] == CM_STAR)
		p++;
	return p == plen;
}

static bool value_match(const struct cm_field *f, const struct cm_value *v,
			const struct cm_fv *fv)
{
	switch (v->kind) {
	case CM_NULL:
		return !fv->present || fv->len == 0;
	case CM_EXISTS:
		return fv->present == v->exists;
	case CM_GLOB:
		return fv->present && cm_glob_match(v->pat, v->patlen, fv->s, fv->len, f->cased);
	case CM_RE: {
		if (!fv->present)
			return false;
		pcre2_match_data *md = pcre2_match_data_create(1, NULL);
		if (!md)
			return false;
		int rc = pcre2_match((pcre2_code *)v->re, (PCRE2_SPTR)fv->s, fv->len, 0, 0, md,
				     (pcre2_match_context *)v->mctx);
		pcre2_match_data_free(md);
		return rc >= 0;
	}
	case CM_CIDR: {
		struct vg_addr a;
		if (!fv->present || vg_addr_parse(fv->s, fv->len, &a) != 0)
			return false;
		return vg_cidr_contains(&v->cidr, &a);
	}
	case CM_NUM:
		if (!fv->present || !fv->is_num)
			return false;
		switch (v->cmp) {
		case CM_GT: return fv->num > v->num;
		case CM_GTE: return fv->num >= v->num;
		case CM_LT: return fv->num < v->num;
		case CM_LTE: return fv->num <= v->num;
		}
		return false;
	}
	return false;
}

static bool field_match(const struct cm_field *f, struct cm_ectx *x)
{
	struct cm_fv fv;
	cm_field_get(x, f->id, f->name, &fv);
	if (f->n_vals == 0)
		return false;
	for (size_t i = 0; i < f->n_vals; i++) {
		bool m = value_match(f, &f->vals[i], &fv);
		if (f->all && !m)
			return false;
		if (!f->all && m)
			return true;
	}
	return f->all;
}

static bool sel_match(const struct cm_sel *s, struct cm_ectx *x)
{
	for (size_t a = 0; a < s->n_alts; a++) {
		const struct cm_map *m = &s->alts[a];
		bool ok = true;
		for (size_t i = 0; i < m->n_fields && ok; i++)
			ok = field_match(&m->fields[i], x);
		if (ok)
			return true;
	}
	return false;
}

/* --- logsource ---------------------------------------------------------------------- */

/* Sigma logsource taxonomy onto what the parsers fill: category "webserver" is an
 * access-log line, product "linux" any syslog line, service "auth" any authentication
 * event, service names as the parser reports them ("sshd", "sudo", ...). Compiled once
 * per rule; an event's side is computed once per event (cm_ectx_init). */
void cm_logsource_compile(struct vg_correlate_rule *r)
{
	r->ls_cat_kind = !r->ls_category ? CM_LS_ANY
			 : ieq(r->ls_category, "webserver") ? CM_LS_WEBSERVER : CM_LS_STR;
	r->ls_prod_kind = !r->ls_product ? CM_LS_ANY
			  : (ieq(r->ls_product, "linux") || ieq(r->ls_product, "unix")) ? CM_LS_LINUX
			  : ieq(r->ls_product, "openstack") ? CM_LS_OPENSTACK : CM_LS_STR;
	r->ls_svc_kind = !r->ls_service ? CM_LS_ANY
			 : ieq(r->ls_service, "auth") ? CM_LS_AUTH
			 : (ieq(r->ls_service, "ssh") || ieq(r->ls_service, "sshd")) ? CM_LS_SSHD
			 : ieq(r->ls_service, "syslog") ? CM_LS_SYSLOG : CM_LS_STR;
	/* The same tests as flag masks, for the engine's quick reject. */
	unsigned need = 0, forbid = 0;
	if (r->ls_cat_kind == CM_LS_WEBSERVER)
		need |= CM_EV_WEB;
	if (r->ls_prod_kind == CM_LS_LINUX) {
		need |= CM_EV_LOG;
		forbid |= CM_EV_WEB | CM_EV_OPENSTACK;
	} else if (r->ls_prod_kind == CM_LS_OPENSTACK) {
		need |= CM_EV_OPENSTACK;
	}
	if (r->ls_svc_kind == CM_LS_AUTH)
		need |= CM_EV_AUTH;
	else if (r->ls_svc_kind == CM_LS_SSHD)
		need |= CM_EV_SSHD;
	else if (r->ls_svc_kind == CM_LS_SYSLOG) {
		need |= CM_EV_LOG;
		forbid |= CM_EV_WEB;
	}
	r->ls_need = need;
	r->ls_forbid = forbid;
	r->ls_str = r->ls_cat_kind == CM_LS_STR || r->ls_prod_kind == CM_LS_STR ||
		    r->ls_svc_kind == CM_LS_STR;
}

bool cm_logsource_match(const struct vg_correlate_rule *r, const struct cm_ectx *x)
{
	if ((x->ls & r->ls_need) != r->ls_need || (x->ls & r->ls_forbid))
		return false;
	if (!r->ls_str)
		return true;
	if (r->ls_cat_kind == CM_LS_STR && !ieq(r->ls_category, x->ev->category))
		return false;
	if (r->ls_prod_kind == CM_LS_STR && !ieq(r->ls_product, x->ev->service))
		return false;
	if (r->ls_svc_kind == CM_LS_STR && !ieq(r->ls_service, x->ev->service))
		return false;
	return true;
}

/* Selections are matched when the condition needs them, once each. */
static bool eval_lazy(const struct vg_correlate_rule *r, int i, struct cm_ectx *x, uint8_t *memo)
{
	const struct cm_node *n = &r->cond.nodes[i];
	switch (n->kind) {
	case CN_SEL:
		if (!memo[n->a])
			memo[n->a] = sel_match(&r->sels[n->a], x) ? 2 : 1;
		return memo[n->a] == 2;
	case CN_NOT: return !eval_lazy(r, n->a, x, memo);
	case CN_AND: return eval_lazy(r, n->a, x, memo) && eval_lazy(r, n->b, x, memo);
	case CN_OR: return eval_lazy(r, n->a, x, memo) || eval_lazy(r, n->b, x, memo);
	case CN_ONE_OF:
	case CN_ALL_OF:
		for (size_t k = 0; k < n->n_sels; k++) {
			uint32_t si = n->sels[k];
			if (!memo[si])
				memo[si] = sel_match(&r->sels[si], x) ? 2 : 1;
			if ((memo[si] == 2) == (n->kind == CN_ONE_OF))
				return n->kind == CN_ONE_OF;
		}
		return n->kind == CN_ALL_OF;
	}
	return false;
}

bool cm_rule_match_x(const struct vg_correlate_rule *r, struct cm_ectx *x)
{
	if (!cm_logsource_match(r, x))
		return false;
	if (!r->cond.nodes || r->cond.n == 0)
		return false;
	uint8_t memo[VG_CORR_MAX_SELECTIONS];
	memset(memo, 0, r->n_sels);
	return eval_lazy(r, r->cond.root, x, memo);
}

/* A selection that must be true for the condition to hold, or -1. */
static int required_sel(const struct cm_cond *c, int i, unsigned depth)
{
	if (depth > VG_CORR_MAX_COND_DEPTH * 2)
		return -1;
	const struct cm_node *n = &c->nodes[i];
	switch (n->kind) {
	case CN_SEL: return n->a;
	case CN_AND: {
		int s = required_sel(c, n->a, depth + 1);
		return s >= 0 ? s : required_sel(c, n->b, depth + 1);
	}
	case CN_ONE_OF: return n->n_sels == 1 ? (int)n->sels[0] : -1;
	case CN_ALL_OF: return n->n_sels >= 1 ? (int)n->sels[0] : -1;
	case CN_NOT:
	case CN_OR: break;
	}
	return -1;
}

bool cm_value_literal(const struct cm_field *f, const struct cm_value *v, char *buf, size_t bufsz,
		      size_t *len)
{
	if (v->kind != CM_GLOB || f->cased || v->patlen >= bufsz)
		return false;
	for (size_t i = 0; i < v->patlen; i++) {
		if (v->pat[i] > 255)
			return false; /* a wildcard */
		buf[i] = (char)v->pat[i];
	}
	buf[v->patlen] = '\0';
	*len = v->patlen;
	return true;
}

size_t cm_rule_action_fields(const struct vg_correlate_rule *r, const struct cm_field **fields,
			     size_t max)
{
	if (!r->cond.nodes || r->cond.n == 0)
		return 0;
	int si = required_sel(&r->cond, r->cond.root, 0);
	if (si < 0 || (size_t)si >= r->n_sels)
		return 0;
	const struct cm_sel *s = &r->sels[si];
	if (s->n_alts == 0 || s->n_alts > max)
		return 0;
	for (size_t a = 0; a < s->n_alts; a++) {
		const struct cm_field *found = NULL;
		for (size_t i = 0; i < s->alts[a].n_fields && !found; i++) {
			const struct cm_field *f = &s->alts[a].fields[i];
			if (f->id != CM_F_ACTION || f->all || f->n_vals == 0)
				continue;
			bool literal = true;
			char buf[VG_MAX_NAME];
			size_t len;
			for (size_t k = 0; k < f->n_vals && literal; k++)
				literal = cm_value_literal(f, &f->vals[k], buf, sizeof(buf), &len);
			if (literal)
				found = f;
		}
		if (!found)
			return 0;
		fields[a] = found;
	}
	return s->n_alts;
}

bool cm_rule_match(const struct vg_correlate_rule *r, const struct vg_event *ev)
{
	struct cm_ectx x;
	cm_ectx_init(&x, ev, NULL);
	return cm_rule_match_x(r, &x);
}

/* --- condition --------------------------------------------------------------------- */

enum tok_kind { T_END, T_LP, T_RP, T_AND, T_OR, T_NOT, T_ONE, T_ALL, T_OF, T_THEM, T_NAME,
		T_PIPE, T_BAD };

struct lexer {
	const char *p;
	size_t len, pos;
	enum tok_kind kind;
	const char *tok;
	size_t tlen;
};

static bool wordeq(const char *p, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(p, w, n) == 0;
}

static void lex_next(struct lexer *lx)
{
	while (lx->pos < lx->len && isspace((unsigned char)lx->p[lx->pos]))
		lx->pos++;
	lx->tok = lx->p + lx->pos;
	lx->tlen = 0;
	if (lx->pos >= lx->len) {
		lx->kind = T_END;
		return;
	}
	char c = lx->p[lx->pos];
	if (c == '(' || c == ')' || c == '|') {
		lx->kind = c == '(' ? T_LP : c == ')' ? T_RP : T_PIPE;
		lx->tlen = 1;
		lx->pos++;
		return;
	}
	size_t s = lx->pos;
	while (lx->pos < lx->len) {
		char d = lx->p[lx->pos];
		if (isspace((unsigned char)d) || d == '(' || d == ')' || d == '|')
			break;
		lx->pos++;
	}
	lx->tlen = lx->pos - s;
	const char *w = lx->tok;
	size_t n = lx->tlen;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)w[i];
		if (!(isalnum(ch) || ch == '_' || ch == '*' || ch == '-' || ch == '.')) {
			lx->kind = T_BAD;
			return;
		}
	}
	if (wordeq(w, n, "and")) lx->kind = T_AND;
	else if (wordeq(w, n, "or")) lx->kind = T_OR;
	else if (wordeq(w, n, "not")) lx->kind = T_NOT;
	else if (wordeq(w, n, "1") || wordeq(w, n, "any")) lx->kind = T_ONE;
	else if (wordeq(w, n, "all")) lx->kind = T_ALL;
	else if (wordeq(w, n, "of")) lx->kind = T_OF;
	else if (wordeq(w, n, "them")) lx->kind = T_THEM;
	else lx->kind = T_NAME;
}

struct cparser {
	struct lexer lx;
	const struct cm_sel *sels;
	size_t n_sels;
	struct cm_cond *c;
	size_t cap;
	unsigned depth;
	char *err;
	size_t errsz;
	bool failed;
};

static int cp_fail(struct cparser *cp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int cp_fail(struct cparser *cp, const char *fmt, ...)
{
	if (!cp->failed) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(cp->err, cp->errsz, fmt, ap);
		va_end(ap);
	}
	cp->failed = true;
	return -1;
}

static int cp_node(struct cparser *cp, enum cm_node_kind k, int a, int b)
{
	if (cp->c->n >= VG_CORR_MAX_COND_NODES)
		return cp_fail(cp, "condition has too many terms");
	if (cp->c->n == cp->cap) {
		size_t nc = cp->cap ? cp->cap * 2 : 16;
		struct cm_node *nn = realloc(cp->c->nodes, nc * sizeof(*nn));
		if (!nn)
			return cp_fail(cp, "out of memory");
		cp->c->nodes = nn;
		cp->cap = nc;
	}
	struct cm_node *n = &cp->c->nodes[cp->c->n];
	memset(n, 0, sizeof(*n));
	n->kind = k;
	n->a = a;
	n->b = b;
	return (int)cp->c->n++;
}

/* Selection names matching a pattern with * wildcards (the only wildcard in names). */
static bool name_glob(const char *pat, size_t plen, const char *name)
{
	uint16_t p[VG_MAX_NAME];
	if (plen > VG_MAX_NAME)
		return false;
	for (size_t i = 0; i < plen; i++)
		p[i] = pat[i] == '*' ? CM_STAR : (unsigned char)pat[i];
	return cm_glob_match(p, plen, name, strlen(name), true);
}

static int cp_or(struct cparser *cp);

static int cp_primary(struct cparser *cp)
{
	struct lexer *lx = &cp->lx;
	if (lx->kind == T_LP) {
		if (++cp->depth > VG_CORR_MAX_COND_DEPTH)
			return cp_fail(cp, "condition nested too deeply");
		lex_next(lx);
		int n = cp_or(cp);
		if (n < 0)
			return -1;
		if (lx->kind != T_RP)
			return cp_fail(cp, "expected ')' at '%.*s'", (int)(lx->tlen), lx->tok);
		cp->depth--;
		lex_next(lx);
		return n;
	}
	if (lx->kind == T_NOT) {
		if (++cp->depth > VG_CORR_MAX_COND_DEPTH)
			return cp_fail(cp, "condition nested too deeply");
		lex_next(lx);
		int a = cp_primary(cp);
		cp->depth--;
		if (a < 0)
			return -1;
		return cp_node(cp, CN_NOT, a, -1);
	}
	if (lx->kind == T_ONE || lx->kind == T_ALL) {
		enum cm_node_kind k = lx->kind == T_ONE ? CN_ONE_OF : CN_ALL_OF;
		lex_next(lx);
		if (lx->kind != T_OF)
			return cp_fail(cp, "expected 'of' at '%.*s'", (int)(lx->tlen), lx->tok);
		lex_next(lx);
		if (lx->kind != T_THEM && lx->kind != T_NAME)
			return cp_fail(cp, "expected a selection name or 'them' at '%.*s'", (int)(lx->tlen), lx->tok);
		uint32_t *sels = calloc(cp->n_sels ? cp->n_sels : 1, sizeof(*sels));
		if (!sels)
			return cp_fail(cp, "out of memory");
		size_t ns = 0;
		for (size_t i = 0; i < cp->n_sels; i++) {
			/* "them" covers every selection except those starting with '_' (Sigma). */
			bool in = lx->kind == T_THEM ? cp->sels[i].name[0] != '_'
						     : name_glob(lx->tok, lx->tlen, cp->sels[i].name);
			if (in)
				sels[ns++] = (uint32_t)i;
		}
		if (ns == 0) {
			free(sels);
			return cp_fail(cp, "no selection matches '%.*s'", (int)(lx->tlen), lx->tok);
		}
		int n = cp_node(cp, k, -1, -1);
		if (n < 0) {
			free(sels);
			return -1;
		}
		cp->c->nodes[n].sels = sels;
		cp->c->nodes[n].n_sels = ns;
		lex_next(lx);
		return n;
	}
	if (lx->kind == T_NAME) {
		for (size_t i = 0; i < cp->n_sels; i++) {
			if (wordeq(lx->tok, lx->tlen, cp->sels[i].name) &&
			    strlen(cp->sels[i].name) == lx->tlen &&
			    strncmp(cp->sels[i].name, lx->tok, lx->tlen) == 0) {
				lex_next(lx);
				return cp_node(cp, CN_SEL, (int)i, -1);
			}
		}
		return cp_fail(cp, "unknown selection '%.*s'", (int)(lx->tlen), lx->tok);
	}
	if (lx->kind == T_PIPE)
		return cp_fail(cp, "aggregation after '|' is not supported; use a correlation rule");
	if (lx->kind == T_END)
		return cp_fail(cp, "unexpected end of condition");
	return cp_fail(cp, "unexpected '%.*s'", (int)(lx->tlen), lx->tok);
}

static int cp_and(struct cparser *cp)
{
	int a = cp_primary(cp);
	while (a >= 0 && cp->lx.kind == T_AND) {
		lex_next(&cp->lx);
		int b = cp_primary(cp);
		if (b < 0)
			return -1;
		a = cp_node(cp, CN_AND, a, b);
	}
	return a;
}

static int cp_or(struct cparser *cp)
{
	int a = cp_and(cp);
	while (a >= 0 && cp->lx.kind == T_OR) {
		lex_next(&cp->lx);
		int b = cp_and(cp);
		if (b < 0)
			return -1;
		a = cp_node(cp, CN_OR, a, b);
	}
	return a;
}

void cm_cond_free(struct cm_cond *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->nodes[i].sels);
	free(c->nodes);
	memset(c, 0, sizeof(*c));
}

int cm_cond_parse(const char *text, size_t len, const struct cm_sel *sels, size_t n_sels,
		  struct cm_cond *out, char *err, size_t errsz)
{
	memset(out, 0, sizeof(*out));
	if (errsz)
		err[0] = '\0';
	if (len > VG_CORR_MAX_COND_LEN) {
		snprintf(err, errsz, "condition longer than %u bytes", VG_CORR_MAX_COND_LEN);
		return VG_EINVAL;
	}
	struct cparser cp = { .lx = { .p = text, .len = len }, .sels = sels, .n_sels = n_sels,
			      .c = out, .err = err, .errsz = errsz };
	lex_next(&cp.lx);
	int root = cp_or(&cp);
	if (root >= 0 && cp.lx.kind == T_PIPE)
		root = cp_fail(&cp, "aggregation after '|' is not supported; use a correlation rule");
	if (root >= 0 && cp.lx.kind != T_END)
		root = cp_fail(&cp, "unexpected '%.*s' after the expression", (int)cp.lx.tlen, cp.lx.tok);
	if (root < 0) {
		cm_cond_free(out);
		return VG_EINVAL;
	}
	out->root = root;
	return 0;
}

static bool eval_node(const struct cm_cond *c, int i, const bool *res)
{
	const struct cm_node *n = &c->nodes[i];
	switch (n->kind) {
	case CN_SEL: return res[n->a];
	case CN_NOT: return !eval_node(c, n->a, res);
	case CN_AND: return eval_node(c, n->a, res) && eval_node(c, n->b, res);
	case CN_OR: return eval_node(c, n->a, res) || eval_node(c, n->b, res);
	case CN_ONE_OF:
		for (size_t k = 0; k < n->n_sels; k++)
			if (res[n->sels[k]])
				return true;
		return false;
	case CN_ALL_OF:
		for (size_t k = 0; k < n->n_sels; k++)
			if (!res[n->sels[k]])
				return false;
		return true;
	}
	return false;
}

bool cm_cond_eval(const struct cm_cond *c, const bool *results)
{
	if (!c->nodes || c->n == 0)
		return false;
	return eval_node(c, c->root, results);
}
