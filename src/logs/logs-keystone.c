/* logs-keystone.c — OpenStack: Keystone log lines, CADF audit notifications, Horizon.
 *
 * Keystone and Horizon write Python (oslo.log / Django) lines: "2026-11-22 23:59:27.866
 * 1234 WARNING keystone.common.wsgi [req-... - - - - -] Authorization failed. The request
 * you have made requires authentication. from 10.0.0.5". The logger name picks Keystone
 * or Horizon; the same messages forwarded through syslog are recognised by content.
 *
 * CADF notifications (identity.authenticate, one JSON object per line, optionally inside
 * an oslo.messaging envelope {"oslo.message": "<json>"}) are parsed with jansson after a
 * cheap nesting-depth check (VG_MAX_JSON_DEPTH): the one place a log line allocates. */
#include "logs/logs-int.h"

#include <jansson.h>

#include "core/core-error.h"

#define P_KS "keystone"
#define P_HZ "horizon"

/* "[req-8f1e... - - - - -]" anywhere in msg → request_id. */
static void find_request_id(struct vg_log_entry *e, struct vg_str msg)
{
	long r = vg_str_find(msg, "[req-", 5);
	if (r < 0)
		r = vg_str_find(msg, "[None req-", 10); /* newer oslo.context: global id first */
	if (r < 0)
		r = vg_str_find(msg, "(Request-ID: req-", 17);
	if (r < 0)
		return;
	struct vg_str t = vg_lx_sub(msg, (size_t)r + 1, msg.len);
	vg_lx_eat(&t, "Request-ID: ");
	vg_lx_eat(&t, "None ");
	size_t i = 0;
	while (i < t.len && t.p[i] != ' ' && t.p[i] != ']' && t.p[i] != ')')
		i++;
	e->request_id = vg_logs_dup(e, t.p, i);
}

/* Address after the last " from " (", " / ":" / "." may follow). */
static void src_after_from(struct vg_log_entry *e, struct vg_str msg)
{
	long f = vg_lx_rfind(msg, " from ");
	if (f < 0)
		return;
	struct vg_str t = vg_lx_sub(msg, (size_t)f + 6, msg.len);
	struct vg_str w = vg_lx_word(&t);
	struct vg_addr a;
	/* "from 10.0.0.5" ends the sentence in some releases: "10.0.0.5." / "10.0.0.5:" */
	while (w.len > 1 && !vg_logs_parse_ip(w, &a) &&
	       (w.p[w.len - 1] == ':' || w.p[w.len - 1] == ',' || w.p[w.len - 1] == '.'))
		w.len--;
	/* Python's None when the WSGI server gave no REMOTE_ADDR: no source at all. */
	if (vg_str_eq_cstr(w, "None"))
		return;
	vg_logs_set_src(e, w);
}

/* "Could not find user: alice." → alice */
static struct vg_str name_after(struct vg_str msg, const char *pat)
{
	long at = vg_str_find(msg, pat, strlen(pat));
	if (at < 0)
		return vg_str_make(NULL, 0);
	struct vg_str t = vg_lx_sub(msg, (size_t)at + strlen(pat), msg.len);
	vg_lx_skipsp(&t);
	size_t i = 0;
	while (i < t.len && t.p[i] != ' ' && t.p[i] != ',')
		i++;
	struct vg_str n = vg_lx_sub(t, 0, i);
	if (n.len && n.p[n.len - 1] == '.')
		n.len--;
	return n;
}

int vg_logs_keystone_msg(struct vg_log_entry *e, struct vg_str msg)
{
	struct vg_str s = vg_str_trim(msg);
	long af = vg_str_find(s, "Authorization failed", 20);
	struct vg_str user = name_after(s, "Could not find user:");
	struct vg_str locked = name_after(s, "The account is locked for user:");
	struct vg_str disabled = name_after(s, "The account is disabled for user:");
	struct vg_str expired = name_after(s, "The password is expired and needs to be changed for user:");
	bool bad_pw = vg_str_find(s, "Invalid username or password", 28) >= 0 ||
		      vg_str_find(s, "Invalid user / password", 23) >= 0;
	if (af < 0 && !user.p && !locked.p && !disabled.p && !expired.p && !bad_pw)
		return VG_ENOTSUP;
	find_request_id(e, s);
	if (af >= 0) {
		src_after_from(e, s);
		struct vg_str r = vg_lx_sub(s, (size_t)af, s.len);
		long f = vg_lx_rfind(r, " from ");
		if (f > 0)
			r.len = (size_t)f;
		e->reason = vg_logs_dups(e, r);
	}
	if (user.p && user.len) {
		e->user = vg_logs_dups(e, user);
		e->reason = "user not found";
	}
	if (locked.p && locked.len) {
		e->user = vg_logs_dups(e, locked);
		e->reason = "account locked";
	}
	if (disabled.p && disabled.len) {
		e->user = vg_logs_dups(e, disabled);
		e->reason = "account disabled";
	}
	if (expired.p && expired.len) {
		e->user = vg_logs_dups(e, expired);
		e->reason = "password expired";
	}
	e->service = "keystone";
	vg_logs_norm(e, P_KS, "authentication", "keystone-auth-failure", VG_OUTCOME_FAILURE);
	return 0;
}

/* Horizon (openstack_auth.forms), across releases:
 *   'Login failed for user "admin" using domain "Default", remote address 10.0.0.7.'
 *   'Login failed for user "admin" using domain "Default", remote address 10.0.0.7:
 *    password expired.'
 *   'Login failed for user "admin", remote address 10.0.0.7.'   (before domains)
 *   'Login failed for user "admin".'                              (oldest, no address)
 * and the same with "Login successful". The user name is always quoted: an unquoted
 * "Login failed for user sa" is another program's (SQL Server's) and not taken. */
int vg_logs_horizon_msg(struct vg_log_entry *e, struct vg_str msg)
{
	struct vg_str s = vg_str_trim(msg);
	long lf = vg_str_find(s, "Login failed for user \"", 23);
	long ls = lf < 0 ? vg_str_find(s, "Login successful for user \"", 27) : -1;
	if (lf < 0 && ls < 0)
		return VG_ENOTSUP;
	struct vg_str t = vg_lx_sub(s, lf >= 0 ? (size_t)lf + 22 : (size_t)ls + 26, s.len);
	/* The user name may hold anything, also '"' and ", remote address ": the phrases
	 * after it are found from the right. */
	long ra = vg_lx_rfind(t, ", remote address ");
	struct vg_str who = ra >= 0 ? vg_lx_sub(t, 0, (size_t)ra) : t;
	if (ra < 0)
		vg_lx_chop(&who, ".");
	long ud = vg_lx_rfind(who, "\" using domain \"");
	struct vg_str dom = { 0 };
	if (ud >= 0) {
		dom = vg_lx_sub(who, (size_t)ud + 16, who.len);
		if (!vg_lx_chop(&dom, "\""))
			return VG_ENOTSUP;
		who.len = (size_t)ud + 1;
	}
	if (who.len < 2 || who.p[who.len - 1] != '"')
		return VG_ENOTSUP;
	if (who.len > 2)
		e->user = vg_logs_dups(e, vg_lx_sub(who, 1, who.len - 1));
	if (dom.p)
		e->domain = vg_logs_dups(e, dom);
	if (ra >= 0) {
		struct vg_str a = vg_lx_sub(t, (size_t)ra + 17, t.len);
		struct vg_str w = vg_lx_word(&a);
		if (!vg_lx_chop(&w, "."))
			vg_lx_chop(&w, ":");
		vg_logs_set_src(e, w);
		if (vg_str_find(a, "password expired", 16) >= 0)
			e->reason = "password expired";
	}
	e->service = "horizon";
	if (lf >= 0)
		vg_logs_norm(e, P_HZ, "authentication", "horizon-login-failure", VG_OUTCOME_FAILURE);
	else
		vg_logs_norm(e, P_HZ, "authentication", "horizon-login-success", VG_OUTCOME_SUCCESS);
	return 0;
}

static int level_severity(struct vg_str l)
{
	static const struct {
		const char *name;
		int sev;
	} lv[] = { { "CRITICAL", 2 }, { "ERROR", 3 }, { "WARNING", 4 }, { "AUDIT", 5 },
		   { "INFO", 6 }, { "DEBUG", 7 }, { "TRACE", 7 } };
	for (size_t i = 0; i < sizeof(lv) / sizeof(lv[0]); i++) {
		if (vg_str_eq_cstr(l, lv[i].name))
			return lv[i].sev;
	}
	return -1;
}

/* "2026-11-22 23:59:27.866 1234 WARNING keystone.common.wsgi [ctx] message" */
int vg_logs_keystone_line(struct vg_log_entry *e, struct vg_str s, const struct vg_log_opts *o)
{
	e->format = VG_LOGF_KEYSTONE;
	bool had_zone;
	if (!vg_logs_parse_iso(&s, o->tz_offset_min, &e->ts_us, &e->ts_offset_min, &had_zone))
		return VG_EINVAL;
	e->has_ts = true;
	struct vg_str pid = vg_lx_word(&s);
	uint64_t v;
	if (vg_parse_u64(pid.p, pid.len, INT64_MAX, &v) != 0)
		return VG_EINVAL;
	e->pid = (int64_t)v;
	e->procid = vg_logs_dups(e, pid);
	struct vg_str level = vg_lx_word(&s);
	e->severity = level_severity(level);
	if (e->severity < 0)
		return VG_EINVAL;
	struct vg_str logger = vg_lx_word(&s);
	if (logger.len == 0)
		return VG_EINVAL;
	e->app_name = vg_logs_dups(e, logger);
	vg_lx_skipsp(&s);
	struct vg_str ctx = { 0 };
	if (s.len && s.p[0] == '[') {
		long rb = vg_str_chr(s, ']');
		if (rb > 0) {
			ctx = vg_lx_sub(s, 0, (size_t)rb + 1);
			s = vg_lx_sub(s, (size_t)rb + 1, s.len);
			vg_lx_skipsp(&s);
		}
	}
	e->message = s.p;
	int rc = VG_ENOTSUP;
	if (vg_str_startswith(logger, "oslo.messaging.notification") && s.len && s.p[0] == '{') {
		/* oslo.messaging's "log" notification driver: the CADF JSON is the message. */
		int64_t ts = e->ts_us;
		rc = vg_logs_cadf(e, s);
		e->format = VG_LOGF_KEYSTONE;
		e->app_name = vg_logs_dups(e, logger);
		if (!e->has_ts) {
			e->ts_us = ts;
			e->has_ts = true;
		}
	} else if (vg_str_startswith(logger, "keystone"))
		rc = vg_logs_keystone_msg(e, s);
	else if (vg_str_startswith(logger, "openstack_auth") || vg_str_startswith(logger, "horizon"))
		rc = vg_logs_horizon_msg(e, s);
	if (rc == 0 && ctx.len && !e->request_id)
		find_request_id(e, ctx);
	return rc;
}

/* --------------------------------------------------------------- CADF -------- */
/* Nesting depth of a JSON text, ignoring brackets inside strings. */
static bool depth_ok(struct vg_str s)
{
	unsigned d = 0;
	bool in_str = false;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++d > VG_MAX_JSON_DEPTH)
				return false;
		} else if ((c == '}' || c == ']') && d) {
			d--;
		}
	}
	return true;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *jdup(struct vg_log_entry *e, const char *s)
{
	return s ? vg_logs_dup(e, s, strlen(s)) : NULL;
}

int vg_logs_cadf(struct vg_log_entry *e, struct vg_str s)
{
	e->format = VG_LOGF_CADF;
	if (!depth_ok(s))
		return VG_EINVAL;
	json_error_t err;
	json_t *root = json_loadb(s.p, s.len, JSON_DISABLE_EOF_CHECK, &err);
	json_t *inner = NULL;
	int rc = VG_ENOTSUP;
	if (!json_is_object(root)) {
		rc = VG_EINVAL;
		goto out;
	}
	/* oslo.messaging envelope: the notification is a JSON string inside. */
	const char *wrapped = jstr(root, "oslo.message");
	if (wrapped) {
		size_t wl = strlen(wrapped);
		if (!depth_ok(vg_str_make(wrapped, wl)))
			goto out;
		inner = json_loadb(wrapped, wl, 0, &err);
		if (!json_is_object(inner))
			goto out;
	}
	json_t *n = inner ? inner : root;
	json_t *payload = json_object_get(n, "payload");
	if (!json_is_object(payload))
		payload = n; /* a bare CADF event */
	const char *event_type = jstr(n, "event_type");
	const char *action = jstr(payload, "action");
	if (!(event_type && strcmp(event_type, "identity.authenticate") == 0) &&
	    !(action && strncmp(action, "authenticate", 12) == 0))
		goto out;
	const char *outcome = jstr(payload, "outcome");
	json_t *init = json_object_get(payload, "initiator");
	json_t *host = json_object_get(init, "host");
	const char *addr = jstr(host, "address");
	if (addr)
		vg_logs_set_src(e, vg_str_cstr(addr));
	e->http.user_agent = jdup(e, jstr(host, "agent"));
	/* Keystone's initiator: user_name (a name that was not found), user_id (the account
	 * that failed or succeeded), id (a UUID derived from user_id); older or other
	 * emitters write name / username. */
	static const char *const user_keys[] = { "user_name", "name", "username", "user_id", "id" };
	const char *user = NULL;
	for (size_t k = 0; !user && k < sizeof(user_keys) / sizeof(user_keys[0]); k++)
		user = jstr(init, user_keys[k]);
	e->user = jdup(e, user);
	const char *dom = jstr(init, "domain_name");
	if (!dom)
		dom = jstr(init, "domain");
	if (!dom)
		dom = jstr(init, "domain_id");
	e->domain = jdup(e, dom);
	json_t *reason = json_object_get(payload, "reason");
	e->reason = jdup(e, jstr(reason, "reasonType"));
	e->request_id = jdup(e, jstr(payload, "id"));
	/* "identity.host1" → host1 */
	const char *pub = jstr(n, "publisher_id");
	if (pub && !e->hostname) {
		const char *dot = strchr(pub, '.');
		e->hostname = jdup(e, dot ? dot + 1 : pub);
	}
	const char *t = jstr(payload, "eventTime");
	const char *t2 = jstr(n, "timestamp");
	bool had_zone;
	struct vg_str ts = vg_str_cstr(t ? t : t2);
	int64_t ts_us;
	int off;
	if (ts.len && vg_logs_parse_iso(&ts, 0, &ts_us, &off, &had_zone)) {
		e->ts_us = ts_us;
		e->ts_offset_min = off;
		e->has_ts = true;
	}
	e->service = "keystone";
	if (!e->app_name)
		e->app_name = "keystone";
	if (outcome && strcmp(outcome, "failure") == 0)
		vg_logs_norm(e, P_KS, "authentication", "keystone-auth-failure", VG_OUTCOME_FAILURE);
	else if (outcome && strcmp(outcome, "success") == 0)
		vg_logs_norm(e, P_KS, "authentication", "keystone-auth-success", VG_OUTCOME_SUCCESS);
	else
		vg_logs_norm(e, P_KS, "authentication", "keystone-auth-attempt", VG_OUTCOME_UNKNOWN);
	rc = 0;
out:
	json_decref(inner);
	json_decref(root);
	return rc;
}
