/* logs-parse.c — vg_logs_parse_line(): framing auto-detection and dispatch to the program
 * family parsers, plus the helpers every parser file shares (arena, cursor, addresses).
 *
 * Dispatch is by cheap prefix tests, never by trying every parser in turn: the first
 * byte tells a syslog PRI, a JSON object, an ISO date or a month name apart; the program
 * name (syslog tag) then picks the family; only unknown programs get a couple of
 * content checks (PAM module prefixes, Horizon's "Login failed for user"). */
#include "logs/logs-int.h"

#include <string.h>
#include <time.h>

#include "core/core-error.h"

/* ---------------------------------------------------------------- arena ------- */
const char *vg_logs_dup(struct vg_log_entry *e, const char *p, size_t len)
{
	size_t room = sizeof(e->arena) - e->arena_used;
	if (room == 0) {
		/* The last byte of the arena is kept as a NUL for this case. */
		e->truncated = true;
		return &e->arena[sizeof(e->arena) - 1];
	}
	if (len >= room) {
		len = room - 1;
		e->truncated = true;
	}
	char *d = &e->arena[e->arena_used];
	if (len)
		memcpy(d, p, len);
	d[len] = '\0';
	e->arena_used += len + 1;
	if (e->arena_used >= sizeof(e->arena))
		e->arena_used = sizeof(e->arena) - 1;
	return d;
}

/* --------------------------------------------------------------- cursor ------- */
long vg_lx_rfind(struct vg_str s, const char *needle)
{
	size_t n = strlen(needle);
	if (n == 0 || n > s.len)
		return -1;
	for (size_t i = s.len - n + 1; i-- > 0;) {
		if (s.p[i] == needle[0] && memcmp(s.p + i, needle, n) == 0)
			return (long)i;
	}
	return -1;
}

bool vg_lx_split(struct vg_str *s, char c, struct vg_str *head)
{
	const char *q = s->len ? memchr(s->p, c, s->len) : NULL;
	if (!q)
		return false;
	*head = vg_str_make(s->p, (size_t)(q - s->p));
	s->len -= (size_t)(q - s->p) + 1;
	s->p = q + 1;
	return true;
}

void vg_lx_skipsp(struct vg_str *s)
{
	while (s->len && s->p[0] == ' ') {
		s->p++;
		s->len--;
	}
}

struct vg_str vg_lx_word(struct vg_str *s)
{
	vg_lx_skipsp(s);
	size_t i = 0;
	while (i < s->len && s->p[i] != ' ')
		i++;
	struct vg_str w = vg_str_make(s->p, i);
	s->p += i;
	s->len -= i;
	return w;
}

bool vg_lx_num(struct vg_str *s, uint64_t max, uint64_t *out)
{
	size_t i = 0;
	uint64_t v = 0;
	*out = 0;
	while (i < s->len && s->p[i] >= '0' && s->p[i] <= '9') {
		unsigned d = (unsigned)(s->p[i] - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
		i++;
	}
	if (i == 0)
		return false;
	s->p += i;
	s->len -= i;
	*out = v;
	return true;
}

/* ------------------------------------------------------------ addresses ------- */
/* Text made only of digits and dots, read with the rules of glibc's inet_pton4 (four
 * decimal octets <= 255, no leading zero): 1 valid (q set), 0 not an address, -1 some
 * other byte is there (the general parser decides). */
static int parse_dotted_quad(struct vg_str s, uint8_t q[4])
{
	unsigned octets = 0, cur = 0;
	bool digit = false, bad = false;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];
		if (c >= '0' && c <= '9') {
			if (bad)
				continue;
			if (digit && cur == 0)
				bad = true;
			cur = cur * 10u + (unsigned)(c - '0');
			if (cur > 255)
				bad = true;
			if (!digit) {
				if (++octets > 4)
					bad = true;
				digit = true;
			}
		} else if (c == '.') {
			if (bad)
				continue;
			if (!digit || octets == 4) {
				bad = true;
				continue;
			}
			q[octets - 1] = (uint8_t)cur;
			cur = 0;
			digit = false;
		} else {
			return -1;
		}
	}
	if (bad || octets < 4)
		return 0;
	q[3] = (uint8_t)cur;
	return 1;
}

bool vg_logs_parse_ip(struct vg_str s, struct vg_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (s.len >= 2 && s.p[0] == '[' && s.p[s.len - 1] == ']')
		s = vg_lx_sub(s, 1, s.len - 1);
	/* Most addresses in logs are dotted quads: one pass, no copy, no inet_pton. */
	uint8_t q[4] = { 0 };
	int quad = parse_dotted_quad(s, q);
	if (quad >= 0) {
		if (quad)
			vg_addr_from_v4(a, q);
		return quad == 1;
	}
	long pct = vg_str_chr(s, '%');
	if (pct > 0)
		s.len = (size_t)pct; /* fe80::1%eth0: the zone is not part of the address */
	if (s.len == 0 || s.len >= VG_ADDR_STRLEN)
		return false;
	/* Cheap reject before the real parser: addresses are hex digits, '.', ':'. */
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
		      c == '.' || c == ':'))
			return false;
	}
	if (vg_addr_parse(s.p, s.len, a) != 0) {
		memset(a, 0, sizeof(*a));
		return false;
	}
	/* ::ffff:a.b.c.d (sshd on a dual-stack socket) is the IPv4 client it stands for. */
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (a->family == VG_AF_INET6 && memcmp(a->b, mapped, 12) == 0) {
		uint8_t v4[4];
		memcpy(v4, a->b + 12, 4);
		vg_addr_from_v4(a, v4);
	}
	return true;
}

bool vg_logs_set_src(struct vg_log_entry *e, struct vg_str host)
{
	if (host.len == 0)
		return false;
	if (vg_logs_parse_ip(host, &e->src)) {
		e->src_host = NULL;
		return true;
	}
	e->src_host = vg_logs_dups(e, host);
	return false;
}

bool vg_logs_host_port(struct vg_log_entry *e, struct vg_str s, struct vg_str *rest)
{
	struct vg_str w = vg_lx_word(&s);
	/* "1.2.3.4:" as in "Received disconnect from 1.2.3.4: 11: ..." (old sshd). */
	if (w.len && w.p[w.len - 1] == ':' && vg_str_chr(w, '.') >= 0) {
		w.len--;
		s.p--;
		s.len++;
	}
	if (w.len == 0)
		return false;
	vg_logs_set_src(e, w);
	struct vg_str t = s;
	uint64_t port;
	if (vg_lx_eat(&t, " port ") && vg_lx_num(&t, 65535, &port)) {
		e->sport = (uint16_t)port;
		s = t;
	}
	if (rest)
		*rest = s;
	return true;
}

bool vg_logs_host_port_parsed(struct vg_log_entry *e, struct vg_str s, struct vg_str *rest,
			      const struct vg_addr *a)
{
	struct vg_str t = s;
	struct vg_str w = vg_lx_word(&t);
	if (w.len == 0 || (w.p[w.len - 1] == ':' && vg_str_chr(w, '.') >= 0))
		return vg_logs_host_port(e, s, rest); /* the word is not the one parsed */
	/* what vg_logs_set_src(e, w) does, without parsing the address again */
	e->src = *a;
	if (a->family != VG_AF_NONE)
		e->src_host = NULL;
	else
		e->src_host = vg_logs_dups(e, w);
	uint64_t port;
	struct vg_str u = t;
	if (vg_lx_eat(&u, " port ") && vg_lx_num(&u, 65535, &port)) {
		e->sport = (uint16_t)port;
		t = u;
	}
	if (rest)
		*rest = t;
	return true;
}

/* ---------------------------------------------------------- format names ----- */
static const char *const k_fmt_names[] = {
	[VG_LOGF_AUTO] = "auto",       [VG_LOGF_SYSLOG] = "syslog", [VG_LOGF_RFC5424] = "rfc5424",
	[VG_LOGF_NGINX] = "nginx",     [VG_LOGF_APACHE] = "apache", [VG_LOGF_KEYSTONE] = "keystone",
	[VG_LOGF_CADF] = "cadf",
};

const char *vg_logs_format_name(enum vg_log_format f)
{
	if ((unsigned)f < sizeof(k_fmt_names) / sizeof(k_fmt_names[0]) && k_fmt_names[f])
		return k_fmt_names[f];
	return "unknown";
}

int vg_logs_format_parse(const char *name, enum vg_log_format *out)
{
	*out = VG_LOGF_AUTO;
	if (!name)
		return VG_EINVAL;
	for (unsigned i = 0; i < sizeof(k_fmt_names) / sizeof(k_fmt_names[0]); i++) {
		if (strcmp(name, k_fmt_names[i]) == 0) {
			*out = (enum vg_log_format)i;
			return 0;
		}
	}
	if (strcmp(name, "rfc3164") == 0) {
		*out = VG_LOGF_SYSLOG;
		return 0;
	}
	if (strcmp(name, "json") == 0) {
		*out = VG_LOGF_CADF;
		return 0;
	}
	return VG_EINVAL;
}

void vg_logs_opts_init(struct vg_log_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->format = VG_LOGF_AUTO;
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
		o->now_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ------------------------------------------------------------- dispatch ------- */
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "nnnn-nn-nn" at the front. */
static bool looks_iso_date(struct vg_str s)
{
	return s.len >= 19 && is_digit(s.p[0]) && is_digit(s.p[1]) && is_digit(s.p[2]) &&
	       is_digit(s.p[3]) && s.p[4] == '-' && is_digit(s.p[5]) && is_digit(s.p[6]) &&
	       s.p[7] == '-' && is_digit(s.p[8]) && is_digit(s.p[9]);
}

static bool prog_is(const char *app, const char *name)
{
	return app && strcmp(app, name) == 0;
}

static bool prog_prefix(const char *app, const char *prefix)
{
	return app && strncmp(app, prefix, strlen(prefix)) == 0;
}

/* Unwrap rsyslog's repeated-message compression: "message repeated 3 times: [ MSG]". */
static struct vg_str unwrap_repeat(struct vg_log_entry *e, struct vg_str msg)
{
	struct vg_str t = msg;
	uint64_t n;
	if (vg_lx_eat(&t, "message repeated ") && vg_lx_num(&t, 1000000000, &n) &&
	    vg_lx_eat(&t, " times: [") && vg_lx_chop(&t, "]")) {
		vg_lx_skipsp(&t);
		e->repeat = (unsigned)n;
		return t;
	}
	return msg;
}

/* Dispatch a syslog message by program name, then by content for unknown programs. */
static int dispatch_message(struct vg_log_entry *e, struct vg_str msg)
{
	const char *app = e->app_name;
	enum vg_log_format fmt = e->format;
	msg = unwrap_repeat(e, msg);

	/* PAM modules log through every program (sshd, sudo, su, login, cron, ...). */
	if ((msg.len > 4 && memcmp(msg.p, "pam_", 4) == 0) ||
	    (msg.len > 5 && memcmp(msg.p, "(pam_", 5) == 0) || (app && strstr(app, "(pam_"))) {
		int rc = vg_logs_pam(e, msg);
		if (rc == 0)
			return 0;
	}
	/* A CADF notification forwarded through syslog. */
	if (msg.len && msg.p[0] == '{' && vg_str_find(msg, "authenticate", 12) >= 0) {
		int rc = vg_logs_cadf(e, msg);
		e->format = fmt;
		return rc == 0 ? 0 : VG_ENOTSUP;
	}
	if (prog_prefix(app, "sshd"))  /* sshd, sshd-session (OpenSSH 9.8+), sshd-auth */
		return vg_logs_sshd(e, msg);
	if (prog_is(app, "sudo"))
		return vg_logs_sudo(e, msg);
	if (prog_is(app, "su") || prog_is(app, "su-l"))
		return vg_logs_su(e, msg);
	if (prog_is(app, "login"))
		return vg_logs_login(e, msg);
	if (prog_prefix(app, "keystone"))
		return vg_logs_keystone_msg(e, msg);
	if (prog_is(app, "nginx") || prog_is(app, "apache2") || prog_is(app, "httpd") ||
	    prog_is(app, "apache"))
		return vg_logs_web_syslog(e, msg, app[0] == 'n' ? VG_LOGF_NGINX : VG_LOGF_APACHE);
	/* Horizon logs through Apache's error log, a "horizon" tag, or django's logger. */
	if (vg_str_find(msg, "Login ", 6) >= 0 && vg_logs_horizon_msg(e, msg) == 0)
		return 0;
	/* oslo.log lines forwarded by syslog keep their own "PID LEVEL logger [req]" prefix. */
	if (vg_str_find(msg, "keystone", 8) >= 0 && vg_logs_keystone_msg(e, msg) == 0)
		return 0;
	return VG_ENOTSUP;
}

static void zero_entry(struct vg_log_entry *e)
{
	memset(e, 0, offsetof(struct vg_log_entry, arena));
	e->facility = -1;
	e->severity = -1;
	e->pid = -1;
	e->repeat = 1;
	e->http.request_time_us = -1;
	e->arena[sizeof(e->arena) - 1] = '\0';
}

/* Is this an access log line? "HOST - USER [dd/Mon/yyyy:..." possibly after a vhost. */
static bool looks_web(struct vg_str s)
{
	/* The time's '[' is the first one, or the second after a bracketed IPv6 client
	 * ("[::1] - - [22/Nov/2026:...", "vhost [2001:db8::1] - - [...") */
	size_t from = 0;
	for (int k = 0; k < 2; k++) {
		long br = vg_str_chr(vg_lx_sub(s, from, 512), '[');
		if (br < 0)
			return false;
		br += (long)from;
		if ((size_t)br + 12 > s.len)
			return false;
		const char *d = s.p + br + 1;
		if (is_digit(d[0]) && is_digit(d[1]) && d[2] == '/' && d[6] == '/' && br > 2 &&
		    s.p[br - 1] == ' ')
			return true;
		from = (size_t)br + 1;
	}
	return false;
}

/* The contract: when no parser recognised the line, no normalized field is set. */
static int finish(struct vg_log_entry *e, int rc)
{
	if (rc != 0) {
		memset(&e->parser, 0,
		       offsetof(struct vg_log_entry, arena_used) - offsetof(struct vg_log_entry, parser));
		e->http.request_time_us = -1;
	}
	return rc;
}

static int parse_line(const char *line, size_t len, const struct vg_log_opts *opts,
		      struct vg_log_entry *out);

int vg_logs_parse_line(const char *line, size_t len, const struct vg_log_opts *opts,
		       struct vg_log_entry *out)
{
	return finish(out, parse_line(line, len, opts, out));
}

static int parse_line(const char *line, size_t len, const struct vg_log_opts *opts,
		      struct vg_log_entry *out)
{
	static const struct vg_log_opts defaults = { .format = VG_LOGF_AUTO };
	const struct vg_log_opts *o = opts ? opts : &defaults;
	zero_entry(out);
	if (!line)
		len = 0;
	if (len > VG_MAX_LINE) {
		len = VG_MAX_LINE;
		out->truncated = true;
	}
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == '\0'))
		len--;
	out->line = vg_logs_dup(out, line ? line : "", len);
	/* From here on work on the copy: it is NUL-terminated and ours. */
	struct vg_str s = vg_str_make(out->line, len);
	out->message = out->line;
	if (len == 0)
		return VG_EINVAL;

	enum vg_log_format f = o->format;
	if (f == VG_LOGF_AUTO) {
		char c = s.p[0];
		if (c == '<') {
			/* <PRI>1 SP is RFC 5424; any other PRI'd line is 3164-ish. */
			size_t i = 1;
			while (i < s.len && i < 5 && is_digit(s.p[i]))
				i++;
			f = (i + 2 < s.len && s.p[i] == '>' && s.p[i + 1] == '1' && s.p[i + 2] == ' ')
				    ? VG_LOGF_RFC5424
				    : VG_LOGF_SYSLOG;
		} else if (c == '{') {
			f = VG_LOGF_CADF;
		} else if (c == '[' && s.len > 5 && s.p[4] == ' ' && vg_logs_month(s.p + 5, s.len - 5)) {
			/* Apache error log: "[Mon Nov 23 10:00:00.123456 2026] [mod:level] ..." */
			return vg_logs_apache_error(out, s);
		} else if (s.len > 20 && is_digit(s.p[0]) && s.p[4] == '/' && s.p[7] == '/' &&
			   s.p[10] == ' ' && s.p[19] == ' ') {
			/* nginx error log: "2026/11/22 23:59:32 [error] 1#1: ..." */
			return vg_logs_nginx_error(out, s, o);
		} else if (looks_iso_date(s)) {
			/* "2026-11-22T23:59:27.866757+00:00 host prog:" (rsyslog high precision)
			 * vs oslo.log "2026-11-22 23:59:27.866 1234 WARNING keystone..." */
			f = (s.p[10] == ' ') ? VG_LOGF_KEYSTONE : VG_LOGF_SYSLOG;
		} else if (s.len >= 4 && vg_logs_month(s.p, 3) && s.p[3] == ' ') {
			f = VG_LOGF_SYSLOG;
		} else if (looks_web(s)) {
			f = VG_LOGF_AUTO; /* the web parser, label "web" */
			int rc = vg_logs_web(out, s, VG_LOGF_AUTO, o->web_format);
			if (rc == 0)
				return 0;
			f = VG_LOGF_SYSLOG;
		} else {
			f = VG_LOGF_SYSLOG;
		}
	}

	int rc;
	switch (f) {
	case VG_LOGF_RFC5424:
		out->format = f;
		rc = vg_logs_syslog_5424(out, s);
		if (rc != 0)
			return rc;
		return dispatch_message(out, vg_str_cstr(out->message));
	case VG_LOGF_SYSLOG:
		out->format = f;
		rc = vg_logs_syslog_3164(out, s, o);
		if (rc != 0)
			return rc;
		return dispatch_message(out, vg_str_cstr(out->message));
	case VG_LOGF_NGINX:
		if (!o->web_format && s.len > 20 && s.p[4] == '/' && s.p[7] == '/' && s.p[10] == ' ')
			return vg_logs_nginx_error(out, s, o);
		return vg_logs_web(out, s, f, o->web_format);
	case VG_LOGF_APACHE:
		if (!o->web_format && s.len > 5 && s.p[0] == '[' && s.p[4] == ' ')
			return vg_logs_apache_error(out, s);
		return vg_logs_web(out, s, f, o->web_format);
	case VG_LOGF_KEYSTONE:
		return vg_logs_keystone_line(out, s, o);
	case VG_LOGF_CADF:
		return vg_logs_cadf(out, s);
	case VG_LOGF_AUTO:
		break;
	}
	return VG_EINVAL;
}

void vg_logs_entry_to_event(const struct vg_log_entry *e, struct vg_event *ev)
{
	vg_event_init(ev, VG_EVT_LOG, e->has_ts ? e->ts_us : 0);
	ev->category = e->category;
	ev->action = e->action;
	ev->outcome = e->outcome;
	ev->src = e->src;
	ev->sport = e->sport;
	ev->dst = e->dst;
	ev->dport = e->dport;
	if (e->src.family != VG_AF_NONE || e->dst.family != VG_AF_NONE)
		ev->proto = (e->parser && strcmp(e->parser, "sshd") == 0) ? 6 : 0;
	ev->user = e->user;
	ev->host = e->hostname;
	ev->service = e->service ? e->service : e->parser;
	ev->process = e->app_name;
	ev->pid = e->pid;
	ev->message = e->line;
}
