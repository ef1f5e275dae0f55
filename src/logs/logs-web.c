/* logs-web.c — nginx and Apache access logs.
 *
 * Without a format string the line is read as combined ("HOST IDENT USER [TIME]
 * "REQUEST" STATUS BYTES "REFERER" "UA"") with the usual variations accepted: common
 * format (no referrer/agent), a "vhost[:port] " prefix (Apache vhost_combined), and
 * trailing extra fields (a quoted X-Forwarded-For, nginx "rt=0.123"/"request_time=",
 * a bare seconds value with a fraction).
 *
 * With opts.web_format the line is matched against that nginx log_format ($vars) or
 * Apache LogFormat (%directives), interpreted while walking the line: a variable's value
 * ends at the format's next literal byte, or at the closing unescaped quote when the
 * variable is quoted in the format. Unknown variables are skipped.
 *
 * Quoted values are unescaped (Apache \" \\ \xHH and C-style \n \t \r \b \v \f for
 * whitespace; nginx \xHH, and with escape=json \" \\ \n ... \u00HH) so referrer, user
 * agent and request hold the bytes the client sent, except NUL which stays "\x00".
 *
 * What is not an access line is refused (VG_EINVAL, counted by the caller), never half
 * read: the time must parse, the status must be three digits or "-", the bytes a number
 * or "-", and the request must be quoted and closed. A request that is not
 * "METHOD URI PROTOCOL" (TLS or SSH bytes on the HTTP port, "", "-", a lone word) keeps
 * its status and client but no method/URI. */
#include "logs/logs-int.h"

#include "core/core-error.h"

#define US_PER_S 1000000LL

/* vg_lx_eat for one byte: the separators of every access line's time, kept inline. */
static inline bool eat_c(struct vg_str *s, char c)
{
	if (!s->len || s->p[0] != c)
		return false;
	s->p++;
	s->len--;
	return true;
}

/* -------------------------------------------------------------- helpers ------- */
/* "path" + "?query" (nginx $args has no '?', Apache %q has one) as one arena string. */
static const char *dup_uri_query(struct vg_log_entry *e, struct vg_str uri, struct vg_str q)
{
	bool need_qm = q.p[0] != '?';
	size_t total = uri.len + q.len + (need_qm ? 1 : 0);
	if (sizeof(e->arena) - e->arena_used <= total)
		return vg_logs_dups(e, uri);
	char *d = &e->arena[e->arena_used];
	memcpy(d, uri.p, uri.len);
	size_t n = uri.len;
	if (need_qm)
		d[n++] = '?';
	memcpy(d + n, q.p, q.len);
	d[total] = '\0';
	e->arena_used += total + 1;
	return d;
}

/* Apache writes whitespace in C notation (ap_escape_logitem), so does nginx's
 * escape=json; 0 when nx is not one of those letters. */
static char c_escape(char nx)
{
	switch (nx) {
	case 'n':
		return '\n';
	case 't':
		return '\t';
	case 'r':
		return '\r';
	case 'b':
		return '\b';
	case 'v':
		return '\v';
	case 'f':
		return '\f';
	default:
		return 0;
	}
}

/* Unescaped copy of a quoted value into the arena; NULL for "-". */
static const char *unescape_dup(struct vg_log_entry *e, struct vg_str v, bool dash_is_null)
{
	if (dash_is_null && v.len == 1 && v.p[0] == '-')
		return NULL;
	if (!memchr(v.p, '\\', v.len))
		return vg_logs_dups(e, v);
	size_t room = sizeof(e->arena) - e->arena_used;
	if (room < 2)
		return vg_logs_dup(e, "", 0);
	char *d = &e->arena[e->arena_used];
	size_t n = 0;
	for (size_t i = 0; i < v.len && n + 1 < room; i++) {
		char c = v.p[i];
		if (c == '\\' && i + 1 < v.len) {
			char nx = v.p[i + 1];
			char ws = c_escape(nx);
			if (nx == '"' || nx == '\\') {
				c = nx;
				i++;
			} else if (nx == 'x' && i + 3 < v.len && vg_hex_digit(v.p[i + 2]) >= 0 &&
				   vg_hex_digit(v.p[i + 3]) >= 0) {
				int b = vg_hex_digit(v.p[i + 2]) * 16 + vg_hex_digit(v.p[i + 3]);
				if (b != 0) {
					c = (char)b;
					i += 3;
				}
			} else if (nx == 'u' && i + 5 < v.len && v.p[i + 2] == '0' &&
				   v.p[i + 3] == '0' && vg_hex_digit(v.p[i + 4]) >= 0 &&
				   vg_hex_digit(v.p[i + 5]) >= 0) {
				/* nginx escape=json writes other control bytes as \u00HH */
				int b = vg_hex_digit(v.p[i + 4]) * 16 + vg_hex_digit(v.p[i + 5]);
				if (b != 0) {
					c = (char)b;
					i += 5;
				}
			} else if (ws) {
				c = ws;
				i++;
			}
		}
		d[n++] = c;
	}
	d[n] = '\0';
	e->arena_used += n + 1;
	return d;
}

/* A quoted value starting at s (after the opening quote): up to the unescaped '"'.
 * *s is left after the closing quote. False when unterminated. */
static bool take_quoted(struct vg_str *s, struct vg_str *out)
{
	size_t i = 0;
	while (i < s->len && s->p[i] != '"') {
		if (s->p[i] == '\\' && i + 1 < s->len)
			i++;
		i++;
	}
	if (i >= s->len)
		return false;
	*out = vg_lx_sub(*s, 0, i);
	*s = vg_lx_sub(*s, i + 1, s->len);
	return true;
}

/* "22/Nov/2026:23:59:32 +0000" */
static bool parse_clf_time(struct vg_str t, int64_t *ts_us, int *off_min)
{
	uint64_t d, y, h, mi, sec;
	unsigned mo;
	if (!vg_lx_num(&t, 31, &d) || !eat_c(&t, '/') || t.len < 4 ||
	    !(mo = vg_logs_month(t.p, 3)) || t.p[3] != '/')
		return false;
	t = vg_lx_sub(t, 4, t.len);
	if (!vg_lx_num(&t, 9999, &y) || !eat_c(&t, ':') || !vg_lx_num(&t, 23, &h) ||
	    !eat_c(&t, ':') || !vg_lx_num(&t, 59, &mi) || !eat_c(&t, ':') ||
	    !vg_lx_num(&t, 60, &sec) || d == 0)
		return false;
	int64_t us = 0;
	if (t.len && (t.p[0] == '.' || t.p[0] == ',')) {
		/* Some Apache builds log msec: "%{%d/%b/%Y:%T}t.%{msec_frac}t" */
		t = vg_lx_sub(t, 1, t.len);
		uint64_t frac;
		size_t before = t.len;
		if (vg_lx_num(&t, 999999, &frac)) {
			size_t nd = before - t.len;
			us = (int64_t)frac;
			for (size_t k = nd; k < 6; k++)
				us *= 10;
		}
	}
	int off = 0;
	vg_lx_skipsp(&t);
	if (t.len >= 5 && (t.p[0] == '+' || t.p[0] == '-')) {
		struct vg_str z = vg_lx_sub(t, 1, 5);
		uint64_t hhmm;
		if (vg_parse_u64(z.p, z.len, 9999, &hhmm) != 0 || hhmm / 100 > 23 || hhmm % 100 > 59)
			return false;
		off = (int)(hhmm / 100 * 60 + hhmm % 100) * (t.p[0] == '-' ? -1 : 1);
	}
	int64_t secs = vg_logs_days_from_civil((int64_t)y, mo, (unsigned)d) * 86400 +
		       (int64_t)(h * 3600 + mi * 60 + sec) - (int64_t)off * 60;
	*ts_us = secs * US_PER_S + us;
	*off_min = off;
	return true;
}

/* "0.123" seconds → µs (3 decimals as nginx logs, more accepted). */
static bool parse_seconds(struct vg_str s, int64_t *us)
{
	uint64_t ip, frac = 0;
	struct vg_str t = s;
	if (!vg_lx_num(&t, 100000000, &ip))
		return false;
	int64_t v = (int64_t)ip * US_PER_S;
	if (eat_c(&t, '.')) {
		int64_t scale = 100000;
		size_t i = 0;
		while (i < t.len && t.p[i] >= '0' && t.p[i] <= '9') {
			if (scale > 0)
				frac += (uint64_t)((t.p[i] - '0') * scale);
			scale /= 10;
			i++;
		}
		t = vg_lx_sub(t, i, t.len);
		v += (int64_t)frac;
	}
	if (t.len)
		return false;
	*us = v;
	return true;
}

static void set_request(struct vg_log_entry *e, struct vg_str r)
{
	const char *req = unescape_dup(e, r, true);
	e->http.request = req;
	if (!req)
		return;
	struct vg_str s = vg_str_cstr(req);
	long sp1 = vg_str_chr(s, ' ');
	if (sp1 <= 0)
		return;
	/* The method is a token; anything else (TLS bytes on port 80) is not a request. */
	for (long i = 0; i < sp1; i++) {
		char c = s.p[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_'))
			return;
	}
	e->http.method = vg_logs_dup(e, s.p, (size_t)sp1);
	struct vg_str rest = vg_lx_sub(s, (size_t)sp1 + 1, s.len);
	long sp2 = vg_lx_rfind(rest, " ");
	if (sp2 >= 0 && vg_str_startswith(vg_lx_sub(rest, (size_t)sp2 + 1, rest.len), "HTTP/")) {
		e->http.protocol = vg_logs_dups(e, vg_lx_sub(rest, (size_t)sp2 + 1, rest.len));
		rest = vg_lx_sub(rest, 0, (size_t)sp2);
	}
	e->http.uri = vg_logs_dups(e, rest);
}

static void set_client(struct vg_log_entry *e, struct vg_str h)
{
	if (!h.len || (h.len == 1 && h.p[0] == '-') || vg_logs_set_src(e, h))
		return;
	/* "$remote_addr:$remote_port": "192.0.2.1:51234", "[2001:db8::1]:51234" */
	long c = vg_lx_rfind(h, ":");
	struct vg_addr a;
	uint64_t port;
	if (c > 0 && (h.p[c - 1] == ']' || memchr(h.p, ':', (size_t)c) == NULL) &&
	    vg_parse_u64(h.p + c + 1, h.len - (size_t)c - 1, 65535, &port) == 0 &&
	    vg_logs_parse_ip(vg_lx_sub(h, 0, (size_t)c), &a)) {
		e->src = a;
		e->sport = (uint16_t)port;
		e->src_host = NULL;
	}
}

static void set_user(struct vg_log_entry *e, struct vg_str u)
{
	if (u.len >= 2 && u.p[0] == '"' && u.p[u.len - 1] == '"')
		u = vg_lx_sub(u, 1, u.len - 1); /* some servers quote the user */
	if (u.len && !(u.len == 1 && u.p[0] == '-'))
		e->user = unescape_dup(e, u, true);
}

static bool set_status(struct vg_log_entry *e, struct vg_str s)
{
	uint64_t v;
	if (s.len == 1 && s.p[0] == '-')
		return true;
	/* Always three digits (nginx 000 / 499, Apache 200): "1" or "2000" is not a status. */
	if (s.len != 3 || vg_parse_u64(s.p, s.len, 999, &v) != 0)
		return false;
	e->http.status = (int)v;
	return true;
}

static bool set_bytes(struct vg_log_entry *e, struct vg_str s)
{
	uint64_t v;
	if (s.len == 1 && s.p[0] == '-') {
		e->http.has_bytes = true; /* Apache %b: "-" means 0 bytes */
		return true;
	}
	if (vg_parse_u64(s.p, s.len, UINT64_MAX, &v) != 0)
		return false;
	e->http.bytes = v;
	e->http.has_bytes = true;
	return true;
}

static int finish(struct vg_log_entry *e, enum vg_log_format kind)
{
	const char *name = kind == VG_LOGF_NGINX ? "nginx" : kind == VG_LOGF_APACHE ? "apache" : "web";
	e->service = name;
	enum vg_outcome oc = e->http.status == 0    ? VG_OUTCOME_UNKNOWN
			     : e->http.status >= 400 ? VG_OUTCOME_FAILURE
						     : VG_OUTCOME_SUCCESS;
	vg_logs_norm(e, name, "web", "http-request", oc);
	return 0;
}

/* ------------------------------------------------------------ combined ------- */
static bool looks_ip_list(struct vg_str s)
{
	if (s.len == 1 && s.p[0] == '-')
		return true;
	struct vg_addr a;
	long c = vg_str_chr(s, ',');
	return vg_logs_parse_ip(c >= 0 ? vg_lx_sub(s, 0, (size_t)c) : s, &a);
}

/* Offset of the first " - " in s, or -1 (a plain loop: memmem costs more on these
 * twenty-byte heads, where the first space is almost always the one). */
static long find_ident_dash(struct vg_str s)
{
	for (size_t i = 0; i + 2 < s.len; i++) {
		if (s.p[i] == ' ' && s.p[i + 1] == '-' && s.p[i + 2] == ' ')
			return (long)i;
	}
	return -1;
}

static void set_vhost(struct vg_log_entry *e, struct vg_str vh)
{
	struct vg_addr a;
	if (vh.len == 0 || (vh.len == 1 && vh.p[0] == '-'))
		return;
	long colon = vg_lx_rfind(vh, ":");
	if (colon > 0 && !vg_logs_parse_ip(vh, &a))
		vh.len = (size_t)colon; /* the port; a bare IPv6 server address keeps all */
	e->http.vhost = vg_logs_dups(e, vh);
}

static bool list_sep(char c)
{
	return c == ',' || c == ' ' || c == '"';
}

/* The next entry of an address list from *i: true with it at [*st, *i), false at the end. */
static bool list_next(struct vg_str list, size_t *i, size_t *st)
{
	while (*i < list.len && list_sep(list.p[*i]))
		(*i)++;
	*st = *i;
	while (*i < list.len && !list_sep(list.p[*i]))
		(*i)++;
	return *i > *st;
}

/* The entries of an address list joined by ", " into the arena ("\"a, b\" c" -> "a, b, c");
 * NULL when the arena has no room (http.xff is then absent, never cut). */
static const char *join_list(struct vg_log_entry *e, struct vg_str list)
{
	size_t room = sizeof(e->arena) - e->arena_used;
	if (room <= 2 * list.len + 1)
		return NULL;
	char *d = &e->arena[e->arena_used];
	size_t n = 0, i = 0, st;
	while (list_next(list, &i, &st)) {
		if (n) {
			d[n++] = ',';
			d[n++] = ' ';
		}
		memcpy(d + n, list.p + st, i - st);
		n += i - st;
	}
	d[n] = '\0';
	e->arena_used += n + 1;
	return d;
}

/* The client column when it is an address list: nginx "$http_x_forwarded_for
 * $remote_addr", Apache "%{X-Forwarded-For}i" behind a load balancer, quoted or not:
 * "10.0.0.2, 10.0.0.1, 198.51.100.7", "\"10.5.1.2, 203.0.113.9\" 10.2.1.5". The
 * leftmost entries are whatever the client wrote; each proxy appended the address it
 * saw. The source is chosen the way nginx's real_ip_recursive does with the private
 * ranges as trusted proxies: the rightmost public address; when all are private, the
 * leftmost address (everything came from inside); when none is an address, the first
 * entry as a name. The list goes to http.xff. (A client inside the private ranges can
 * still put a public address in front of its own; no configuration of trusted proxies
 * exists to tell.) */
static void set_client_list(struct vg_log_entry *e, struct vg_str list)
{
	struct vg_str first = { 0 }, first_ip = { 0 }, last_public = { 0 };
	struct vg_addr a, a_first_ip = { 0 }, a_public = { 0 };
	size_t i = 0, n = 0, st;
	while (list_next(list, &i, &st)) {
		struct vg_str x = vg_lx_sub(list, st, i);
		n++;
		if (!first.p)
			first = x;
		if (!vg_logs_parse_ip(x, &a))
			continue;
		if (!first_ip.p) {
			first_ip = x;
			a_first_ip = a;
		}
		if (!vg_addr_is_private(&a)) {
			last_public = x;
			a_public = a;
		}
	}
	if (last_public.p)
		e->src = a_public;
	else if (first_ip.p)
		e->src = a_first_ip;
	else
		set_client(e, first);
	if (n > 1)
		e->http.xff = join_list(e, list);
}

/* What precedes " - USER": "CLIENT", "VHOST CLIENT" or an address list, with or
 * without a vhost in front of it. */
static void set_clients(struct vg_log_entry *e, struct vg_str left)
{
	if (left.len && !memchr(left.p, ' ', left.len) && !memchr(left.p, ',', left.len) &&
	    left.p[0] != '"') {
		set_client(e, left); /* the usual single address */
		return;
	}
	struct vg_str t = left;
	struct vg_str w0 = vg_lx_word(&t);
	vg_lx_skipsp(&t);
	/* A first word that is not part of a list ("a,", "\"a") is the server name. */
	if (t.len && w0.len && w0.p[0] != '"' && w0.p[w0.len - 1] != ',') {
		set_vhost(e, w0);
		left = t;
	}
	if (!memchr(left.p, ' ', left.len) && !memchr(left.p, ',', left.len) && left.p[0] != '"')
		set_client(e, left);
	else
		set_client_list(e, left);
}

/* No " - " before the time (a real ident, no ident column): words. */
static bool head_words(struct vg_log_entry *e, struct vg_str head)
{
	struct vg_str w[4];
	size_t nw = 0;
	struct vg_str t = head;
	while (nw < 4) {
		struct vg_str x = vg_lx_word(&t);
		if (x.len == 0)
			break;
		w[nw++] = x;
	}
	const char *head_end = head.p + head.len;
	if (nw == 2) {
		/* "HOST USER [time]" without the ident column */
		set_client(e, w[0]);
		set_user(e, w[1]);
	} else if (nw >= 3) {
		/* "HOST IDENT USER"; a user name with spaces keeps the rest of the words */
		set_client(e, w[0]);
		set_user(e, nw == 4 ? vg_str_make(w[2].p, (size_t)(head_end - w[2].p)) : w[2]);
	} else {
		return false;
	}
	return true;
}

static int parse_combined(struct vg_log_entry *e, struct vg_str s, enum vg_log_format kind)
{
	/* The time is the first " [dd/": a bracketed IPv6 client may come first
	 * ("www.example.com:443 [2001:db8::1] - - [22/Nov/2026:..."). */
	long br = vg_str_find(s, " [", 2);
	if (br > 0 && !(s.len > (size_t)br + 4 && s.p[br + 4] == '/')) {
		long b2 = vg_str_find(vg_lx_sub(s, (size_t)br + 2, s.len), " [", 2);
		br = b2 >= 0 ? br + 2 + b2 : -1;
	}
	if (br <= 0)
		return VG_EINVAL;
	/* Before the time: "[VHOST] CLIENT IDENT USER". The ident is "-" on virtually every
	 * server, so " - " splits the clients from the user (which may hold spaces). */
	struct vg_str head = vg_lx_sub(s, 0, (size_t)br);
	long dash = find_ident_dash(head);
	if (dash > 0) {
		set_clients(e, vg_lx_sub(head, 0, (size_t)dash));
		set_user(e, vg_lx_sub(head, (size_t)dash + 3, head.len));
	} else if (!head_words(e, head)) {
		return VG_EINVAL;
	}
	s = vg_lx_sub(s, (size_t)br + 2, s.len);
	long rb = vg_str_chr(s, ']');
	if (rb < 0 || !parse_clf_time(vg_lx_sub(s, 0, (size_t)rb), &e->ts_us, &e->ts_offset_min))
		return VG_EINVAL;
	e->has_ts = true;
	s = vg_lx_sub(s, (size_t)rb + 1, s.len);
	struct vg_str q;
	if (!eat_c(&s, ' ') || !eat_c(&s, '"') || !take_quoted(&s, &q))
		return VG_EINVAL;
	set_request(e, q);
	vg_lx_skipsp(&s);
	if (!set_status(e, vg_lx_word(&s)))
		return VG_EINVAL;
	vg_lx_skipsp(&s);
	struct vg_str b = vg_lx_word(&s);
	if (b.len && !set_bytes(e, b))
		return VG_EINVAL;
	/* Combined adds "referer" "agent"; anything after is extra. */
	vg_lx_skipsp(&s);
	int quoted_seen = 0;
	while (s.len) {
		if (s.p[0] == '"') {
			s = vg_lx_sub(s, 1, s.len);
			if (!take_quoted(&s, &q))
				break;
			if (quoted_seen == 0)
				e->http.referrer = unescape_dup(e, q, true);
			else if (quoted_seen == 1)
				e->http.user_agent = unescape_dup(e, q, true);
			else if (quoted_seen == 2 && !e->http.xff && looks_ip_list(q))
				e->http.xff = unescape_dup(e, q, true);
			quoted_seen++;
		} else {
			struct vg_str x = vg_lx_word(&s);
			struct vg_str v = x;
			int64_t us;
			uint64_t ms;
			if ((vg_lx_eat(&v, "rt=") || vg_lx_eat(&v, "request_time=")) &&
			    parse_seconds(v, &us))
				e->http.request_time_us = us;
			else if (e->http.request_time_us < 0 && vg_str_chr(x, '.') > 0 &&
				 parse_seconds(x, &us))
				e->http.request_time_us = us;
			else if (e->http.request_time_us < 0 && vg_lx_chop(&v, "ms") && v.len &&
				 vg_parse_u64(v.p, v.len, INT64_MAX / 1000, &ms) == 0)
				e->http.request_time_us = (int64_t)ms * 1000; /* Traefik: "3ms" */
		}
		vg_lx_skipsp(&s);
	}
	return finish(e, kind);
}

/* ---------------------------------------------------------- interpreter ------- */
enum field {
	F_SKIP, F_CLIENT, F_IDENT, F_USER, F_TIME_CLF, F_TIME_CLF_BR, F_TIME_ISO, F_MSEC,
	F_REQUEST, F_METHOD, F_URI, F_QUERY, F_PROTO, F_STATUS, F_BYTES, F_REFERER, F_UA,
	F_XFF, F_VHOST, F_RT_S, F_RT_US, F_RT_MS,
};

static bool name_is(struct vg_str n, const char *s)
{
	return vg_str_eq_cstr(n, s);
}

static enum field nginx_field(struct vg_str n)
{
	if (name_is(n, "remote_addr") || name_is(n, "realip_remote_addr") ||
	    name_is(n, "binary_remote_addr"))
		return F_CLIENT;
	if (name_is(n, "remote_user"))
		return F_USER;
	if (name_is(n, "time_local"))
		return F_TIME_CLF;
	if (name_is(n, "time_iso8601"))
		return F_TIME_ISO;
	if (name_is(n, "msec"))
		return F_MSEC;
	if (name_is(n, "request"))
		return F_REQUEST;
	if (name_is(n, "request_method"))
		return F_METHOD;
	if (name_is(n, "request_uri") || name_is(n, "uri") || name_is(n, "document_uri"))
		return F_URI;
	if (name_is(n, "args") || name_is(n, "query_string"))
		return F_QUERY;
	if (name_is(n, "server_protocol"))
		return F_PROTO;
	if (name_is(n, "status"))
		return F_STATUS;
	if (name_is(n, "body_bytes_sent") || name_is(n, "bytes_sent"))
		return F_BYTES;
	if (name_is(n, "http_referer"))
		return F_REFERER;
	if (name_is(n, "http_user_agent"))
		return F_UA;
	if (name_is(n, "http_x_forwarded_for") || name_is(n, "proxy_add_x_forwarded_for"))
		return F_XFF;
	if (name_is(n, "host") || name_is(n, "server_name") || name_is(n, "http_host"))
		return F_VHOST;
	if (name_is(n, "request_time"))
		return F_RT_S;
	return F_SKIP;
}

static enum field apache_field(char d, struct vg_str arg, bool has_arg)
{
	switch (d) {
	case 'h':
	case 'a':
		return F_CLIENT;
	case 'l':
		return F_IDENT;
	case 'u':
		return F_USER;
	case 't':
		return has_arg ? F_SKIP : F_TIME_CLF_BR;
	case 'r':
		return F_REQUEST;
	case 'm':
		return F_METHOD;
	case 'U':
		return F_URI;
	case 'q':
		return F_QUERY;
	case 'H':
		return F_PROTO;
	case 's':
		return F_STATUS;
	case 'b':
	case 'B':
	case 'O':
		return F_BYTES;
	case 'v':
	case 'V':
		return F_VHOST;
	case 'D':
		return F_RT_US;
	case 'T':
		if (!has_arg || vg_str_eq_cstr(arg, "s"))
			return F_RT_S;
		if (vg_str_eq_cstr(arg, "ms"))
			return F_RT_MS;
		if (vg_str_eq_cstr(arg, "us"))
			return F_RT_US;
		return F_SKIP;
	case 'i':
		if (vg_str_casecmp_cstr(arg, "Referer"))
			return F_REFERER;
		if (vg_str_casecmp_cstr(arg, "User-Agent"))
			return F_UA;
		if (vg_str_casecmp_cstr(arg, "X-Forwarded-For"))
			return F_XFF;
		if (vg_str_casecmp_cstr(arg, "Host"))
			return F_VHOST;
		return F_SKIP;
	default:
		return F_SKIP;
	}
}

/* Store one extracted value. False when it does not parse (the line does not match). */
static bool store(struct vg_log_entry *e, enum field f, struct vg_str v, struct vg_str *uri, struct vg_str *query, struct vg_str *method,
		  struct vg_str *proto)
{
	int64_t us;
	uint64_t n;
	bool had_zone;
	switch (f) {
	case F_SKIP:
	case F_IDENT:
		return true;
	case F_CLIENT:
		set_client(e, v);
		return true;
	case F_USER:
		set_user(e, v);
		return true;
	case F_TIME_CLF:
	case F_TIME_CLF_BR:
		if (f == F_TIME_CLF_BR) {
			if (!eat_c(&v, '[') || !vg_lx_chop(&v, "]"))
				return false;
		}
		if (!parse_clf_time(v, &e->ts_us, &e->ts_offset_min))
			return false;
		e->has_ts = true;
		return true;
	case F_TIME_ISO: {
		struct vg_str t = v;
		if (!vg_logs_parse_iso(&t, 0, &e->ts_us, &e->ts_offset_min, &had_zone))
			return false;
		e->has_ts = true;
		return true;
	}
	case F_MSEC:
		if (!parse_seconds(v, &us))
			return false;
		e->ts_us = us;
		e->has_ts = true;
		return true;
	case F_REQUEST:
		set_request(e, v);
		return true;
	case F_METHOD:
		*method = v;
		return true;
	case F_URI:
		*uri = v;
		return true;
	case F_QUERY:
		*query = v;
		return true;
	case F_PROTO:
		*proto = v;
		return true;
	case F_STATUS:
		return set_status(e, v);
	case F_BYTES:
		return set_bytes(e, v);
	case F_REFERER:
		e->http.referrer = unescape_dup(e, v, true);
		return true;
	case F_UA:
		e->http.user_agent = unescape_dup(e, v, true);
		return true;
	case F_XFF:
		e->http.xff = unescape_dup(e, v, true);
		return true;
	case F_VHOST:
		if (!(v.len == 1 && v.p[0] == '-'))
			e->http.vhost = vg_logs_dups(e, v);
		return true;
	case F_RT_S:
		if (parse_seconds(v, &us))
			e->http.request_time_us = us;
		return true;
	case F_RT_MS:
	case F_RT_US:
		if (vg_parse_u64(v.p, v.len, INT64_MAX / 1000, &n) == 0)
			e->http.request_time_us = (int64_t)n * (f == F_RT_MS ? 1000 : 1);
		return true;
	}
	return true;
}

static int parse_with_format(struct vg_log_entry *e, struct vg_str s, struct vg_str fmt,
			     bool nginx, enum vg_log_format kind)
{
	struct vg_str uri = { 0 }, query = { 0 }, method = { 0 }, proto = { 0 };
	size_t fi = 0;
	while (fi < fmt.len) {
		char c = fmt.p[fi];
		enum field f;
		bool is_var = false;
		size_t vend = fi;
		if (nginx && c == '$' && fi + 1 < fmt.len) {
			size_t j = fi + 1;
			bool braces = fmt.p[j] == '{';
			if (braces)
				j++;
			size_t ns = j;
			while (j < fmt.len && ((fmt.p[j] >= 'a' && fmt.p[j] <= 'z') ||
					       (fmt.p[j] >= 'A' && fmt.p[j] <= 'Z') ||
					       (fmt.p[j] >= '0' && fmt.p[j] <= '9') || fmt.p[j] == '_'))
				j++;
			if (j > ns) {
				f = nginx_field(vg_lx_sub(fmt, ns, j));
				if (braces && j < fmt.len && fmt.p[j] == '}')
					j++;
				is_var = true;
				vend = j;
			}
		} else if (!nginx && c == '%' && fi + 1 < fmt.len) {
			size_t j = fi + 1;
			if (fmt.p[j] == '%') {
				fi = j; /* literal '%' */
			} else {
				/* Modifiers: < > ! and status lists "400,501". */
				while (j < fmt.len && (fmt.p[j] == '<' || fmt.p[j] == '>' ||
						       fmt.p[j] == '!' || fmt.p[j] == ',' ||
						       (fmt.p[j] >= '0' && fmt.p[j] <= '9')))
					j++;
				struct vg_str arg = { 0 };
				bool has_arg = false;
				if (j < fmt.len && fmt.p[j] == '{') {
					size_t k = j + 1;
					while (k < fmt.len && fmt.p[k] != '}')
						k++;
					if (k >= fmt.len)
						return VG_EINVAL;
					arg = vg_lx_sub(fmt, j + 1, k);
					has_arg = true;
					j = k + 1;
				}
				if (j >= fmt.len)
					return VG_EINVAL;
				f = apache_field(fmt.p[j], arg, has_arg);
				is_var = true;
				vend = j + 1;
			}
		}
		if (!is_var) {
			/* Literal byte: must match. */
			if (!s.len || s.p[0] != fmt.p[fi])
				return VG_EINVAL;
			s = vg_lx_sub(s, 1, s.len);
			fi++;
			continue;
		}
		/* Where does the value end? */
		bool quoted = fi > 0 && fmt.p[fi - 1] == '"';
		struct vg_str v;
		if (quoted) {
			if (!take_quoted(&s, &v))
				return VG_EINVAL;
			/* take_quoted consumed the closing quote: skip it in the format too. */
			if (vend < fmt.len && fmt.p[vend] == '"')
				vend++;
		} else if (f == F_TIME_CLF_BR && s.len && s.p[0] == '[') {
			long rb = vg_str_chr(s, ']');
			if (rb < 0)
				return VG_EINVAL;
			v = vg_lx_sub(s, 0, (size_t)rb + 1);
			s = vg_lx_sub(s, (size_t)rb + 1, s.len);
		} else if (vend < fmt.len) {
			char term = fmt.p[vend];
			size_t i = 0;
			while (i < s.len && s.p[i] != term)
				i++;
			v = vg_lx_sub(s, 0, i);
			s = vg_lx_sub(s, i, s.len);
		} else {
			v = s;
			s = vg_str_make(s.p + s.len, 0);
		}
		if (!store(e, f, v, &uri, &query, &method, &proto))
			return VG_EINVAL;
		fi = vend;
	}
	/* Request parts logged separately ($request_method $request_uri ...). */
	if (!e->http.request && (method.p || uri.p)) {
		if (method.p)
			e->http.method = vg_logs_dups(e, method);
		if (uri.p) {
			if (query.len && !(query.len == 1 && query.p[0] == '-') &&
			    !memchr(uri.p, '?', uri.len))
				e->http.uri = dup_uri_query(e, uri, query);
			else
				e->http.uri = vg_logs_dups(e, uri);
		}
		if (proto.p)
			e->http.protocol = vg_logs_dups(e, proto);
	}
	return finish(e, kind);
}

int vg_logs_web(struct vg_log_entry *e, struct vg_str s, enum vg_log_format kind,
		const char *web_format)
{
	e->format = kind; /* VG_LOGF_AUTO: an access line of an unknown server ("web") */
	e->message = s.p;
	int rc;
	if (web_format && web_format[0]) {
		struct vg_str fmt = vg_str_make(web_format, strnlen(web_format, VG_LOG_MAX_WEB_FORMAT));
		bool nginx = kind == VG_LOGF_NGINX || (kind != VG_LOGF_APACHE && memchr(fmt.p, '$', fmt.len));
		rc = parse_with_format(e, s, fmt, nginx, kind);
	} else {
		rc = parse_combined(e, s, kind);
	}
	if (rc != 0) {
		/* Leave nothing half-filled behind (the arena copies are simply unused). */
		memset(&e->http, 0, sizeof(e->http));
		e->http.request_time_us = -1;
		e->user = NULL;
		e->src_host = NULL;
		memset(&e->src, 0, sizeof(e->src));
		e->has_ts = false;
		e->ts_us = 0;
		return VG_EINVAL;
	}
	return 0;
}

/* --------------------------------------------------------- error logs -------- */
/* Apache error log: "[Mon Nov 23 10:00:00.123456 2026] [auth_basic:error] [pid 1:tid 2]
 * [client 192.0.2.1:5555] AH01617: user admin: authentication failure for "/login":
 * Password Mismatch". Horizon's and Keystone's WSGI messages arrive the same way
 * ([wsgi:error] ... [remote IP:port] Login failed for user ...): those are handed to the
 * Horizon and Keystone parsers. */
static bool client_port(struct vg_log_entry *e, struct vg_str v)
{
	/* Apache 2.4 always appends the port: "192.0.2.1:5555", "2001:db8::1:5555" (sic,
	 * unbracketed), so the last ':' is split off first; 2.2 logs no port; a bracketed
	 * "[2001:db8::1]:5555" is read too. */
	struct vg_addr a;
	uint64_t port;
	if (v.len && v.p[0] == '[') {
		long rb = vg_str_chr(v, ']');
		if (rb <= 0 || !vg_logs_parse_ip(vg_lx_sub(v, 1, (size_t)rb), &a))
			return false;
		struct vg_str p = vg_lx_sub(v, (size_t)rb + 1, v.len);
		e->src = a;
		if (eat_c(&p, ':') && vg_parse_u64(p.p, p.len, 65535, &port) == 0)
			e->sport = (uint16_t)port;
		return true;
	}
	long c = vg_lx_rfind(v, ":");
	if (c > 0) {
		struct vg_str h = vg_lx_sub(v, 0, (size_t)c), p = vg_lx_sub(v, (size_t)c + 1, v.len);
		if (vg_logs_parse_ip(h, &a) && vg_parse_u64(p.p, p.len, 65535, &port) == 0) {
			e->src = a;
			e->sport = (uint16_t)port;
			return true;
		}
	}
	if (vg_logs_parse_ip(v, &a)) {
		e->src = a;
		return true;
	}
	return false;
}

static int auth_failure(struct vg_log_entry *e, struct vg_str user, const char *parser,
			const char *reason)
{
	if (user.len)
		e->user = vg_logs_dups(e, user);
	e->reason = reason;
	e->service = parser;
	vg_logs_norm(e, parser, "authentication", "http-auth-failure", VG_OUTCOME_FAILURE);
	return 0;
}

/* End of one "[...]" group at the front of s: the first ']' followed by a space or the
 * end, so that "[client [2001:db8::1]:5555]" is one group. -1 when there is none. */
static long group_end(struct vg_str s)
{
	for (size_t i = 1; i < s.len; i++) {
		if (s.p[i] == ']' && (i + 1 == s.len || s.p[i + 1] == ' '))
			return (long)i;
	}
	return -1;
}

/* mod_auth_basic / mod_auth_digest messages after the "user " that starts them. The
 * name ends at the first ':' (a Basic-auth name cannot hold one, and what follows, the
 * URI, may hold anything):
 *   AH01617 "user NAME: authentication failure for "/uri": Password Mismatch"
 *   AH01618 "user NAME not found: /uri"          (2.2: the same without the AH number)
 *   AH01792 "user NAME: password mismatch: /uri"  (digest)
 *   AH01790 "user `NAME' in realm `REALM' not found: /uri"  (digest)
 * An empty name ("user  not found") is still a failure, without a user. Anything else
 * ("user X: authorization failure", the authz modules) is not an authentication failure. */
static int apache_auth_message(struct vg_log_entry *e, struct vg_str m)
{
	long c = vg_str_chr(m, ':');
	if (c < 0)
		return VG_ENOTSUP;
	struct vg_str name = vg_lx_sub(m, 0, (size_t)c), after = vg_lx_sub(m, (size_t)c, m.len);
	if (vg_str_startswith(after, ": authentication failure for ") ||
	    vg_str_startswith(after, ": password mismatch"))
		return auth_failure(e, name, "apache", "password mismatch");
	if (!vg_lx_chop(&name, " not found"))
		return VG_ENOTSUP;
	if (name.len && name.p[0] == '`') {
		long q = vg_str_find(name, "' in realm `", 12);
		if (q <= 0 || !vg_lx_ends(name, "'"))
			return VG_ENOTSUP;
		name = vg_lx_sub(name, 1, (size_t)q);
	}
	return auth_failure(e, name, "apache", "user not found");
}

/* Everything after the time: "[module:level] [pid N:tid M] [client IP:port] MESSAGE".
 * Apache sends this part alone to syslog. */
static int apache_error_body(struct vg_log_entry *e, struct vg_str s)
{
	/* "[module:level] [pid N:tid M] [client IP:port]" in any order, any number. */
	for (int k = 0; k < 8 && s.len && s.p[0] == '['; k++) {
		long r = group_end(s);
		if (r < 0)
			break;
		struct vg_str g = vg_lx_sub(s, 1, (size_t)r);
		if (vg_lx_eat(&g, "client ") || vg_lx_eat(&g, "remote "))
			client_port(e, g);
		else if (vg_lx_eat(&g, "pid ")) {
			uint64_t pid;
			if (vg_lx_num(&g, INT64_MAX, &pid))
				e->pid = (int64_t)pid;
		} else if (!e->app_name) {
			long c = vg_str_chr(g, ':');
			e->app_name = vg_logs_dups(e, c > 0 ? vg_lx_sub(g, 0, (size_t)c) : g);
		}
		s = vg_lx_sub(s, (size_t)r + 1, s.len);
		vg_lx_skipsp(&s);
	}
	e->message = s.p;
	struct vg_str m = s;
	/* "AH01617: " (the message number, 2.4) */
	if (m.len > 9 && m.p[0] == 'A' && m.p[1] == 'H' && m.p[7] == ':') {
		m = vg_lx_sub(m, 8, m.len);
		vg_lx_skipsp(&m);
	}
	if (vg_lx_eat(&m, "user "))
		return apache_auth_message(e, m);
	if (vg_logs_horizon_msg(e, s) == 0)
		return 0;
	/* Keystone under mod_wsgi: its oslo.log line is the message. Its own "from IP" is
	 * the client Keystone saw; the [client] port then belongs to another address. */
	if (vg_str_find(s, "keystone", 8) >= 0) {
		struct vg_addr before = e->src;
		if (vg_logs_keystone_msg(e, s) == 0) {
			if (!vg_addr_eq(&before, &e->src))
				e->sport = 0;
			return 0;
		}
	}
	return VG_ENOTSUP;
}

int vg_logs_apache_error(struct vg_log_entry *e, struct vg_str s)
{
	e->format = VG_LOGF_APACHE;
	/* "[Www Mmm dd hh:mm:ss[.frac] yyyy]" */
	if (!eat_c(&s, '[') || s.len < 24)
		return VG_EINVAL;
	long rb = vg_str_chr(s, ']');
	if (rb < 20)
		return VG_EINVAL;
	struct vg_str t = vg_lx_sub(s, 4, (size_t)rb); /* skip the weekday */
	unsigned mo = vg_logs_month(t.p, 3);
	uint64_t d, h, mi, sec, y;
	t = vg_lx_sub(t, 4, t.len);
	vg_lx_skipsp(&t);
	if (!mo || !vg_lx_num(&t, 31, &d) || !eat_c(&t, ' ') || !vg_lx_num(&t, 23, &h) ||
	    !eat_c(&t, ':') || !vg_lx_num(&t, 59, &mi) || !eat_c(&t, ':') ||
	    !vg_lx_num(&t, 60, &sec))
		return VG_EINVAL;
	int64_t us = 0;
	if (eat_c(&t, '.')) {
		size_t before = t.len;
		uint64_t f;
		if (vg_lx_num(&t, 999999, &f)) {
			us = (int64_t)f;
			for (size_t k = before - t.len; k < 6; k++)
				us *= 10;
		}
	}
	if (!eat_c(&t, ' ') || !vg_lx_num(&t, 9999, &y) || d == 0)
		return VG_EINVAL;
	/* Apache writes local time without a zone; UTC is assumed like other zoneless logs. */
	e->ts_us = (vg_logs_days_from_civil((int64_t)y, mo, (unsigned)d) * 86400 +
		    (int64_t)(h * 3600 + mi * 60 + sec)) * US_PER_S + us;
	e->has_ts = true;
	s = vg_lx_sub(s, (size_t)rb + 1, s.len);
	vg_lx_skipsp(&s);
	return apache_error_body(e, s);
}

/* ngx_http_auth_basic after "user \"": 'user "x": password mismatch' and 'user "x" was
 * not found in "/etc/nginx/.htpasswd"', each followed by ", client: IP, server: ...,
 * request: "..."". The name is logged raw, so it may hold '"', but never ':' (Basic auth
 * splits there): the first '": ' ends it, and the first ", client: " after it is the
 * real one (the request line and the Host and Referer headers logged after it may hold
 * that text). */
static int nginx_auth_message(struct vg_log_entry *e, struct vg_str m)
{
	long cl = vg_str_find(m, ", client: ", 10);
	if (cl < 0)
		return VG_ENOTSUP;
	struct vg_str before = vg_lx_sub(m, 0, (size_t)cl);
	struct vg_str c = vg_lx_sub(m, (size_t)cl + 10, m.len);
	long pm = vg_str_find(before, "\": password mismatch", 20);
	long nf = pm < 0 ? vg_lx_rfind(before, "\" was not found in \"") : -1;
	const char *reason;
	struct vg_str user;
	if (pm >= 0 && (size_t)pm + 20 == before.len) {
		user = vg_lx_sub(before, 0, (size_t)pm);
		reason = "password mismatch";
	} else if (nf >= 0 && vg_lx_ends(before, "\"")) {
		user = vg_lx_sub(before, 0, (size_t)nf);
		reason = "user not found";
	} else {
		return VG_ENOTSUP;
	}
	if (memchr(user.p, ':', user.len))
		return VG_ENOTSUP;
	long comma = vg_str_chr(c, ',');
	vg_logs_set_src(e, comma >= 0 ? vg_lx_sub(c, 0, (size_t)comma) : c);
	long rq = vg_str_find(c, ", request: \"", 12);
	if (rq >= 0) {
		struct vg_str r = vg_lx_sub(c, (size_t)rq + 12, c.len);
		struct vg_str q;
		if (take_quoted(&r, &q))
			set_request(e, q);
	}
	return auth_failure(e, user, "nginx", reason);
}

/* Everything after the time: "[error] 123#123: *5 MESSAGE, client: ...". */
static int nginx_error_body(struct vg_log_entry *e, struct vg_str s)
{
	uint64_t pid, cid;
	if (!eat_c(&s, '['))
		return VG_EINVAL;
	long rb = vg_str_chr(s, ']');
	if (rb <= 0)
		return VG_EINVAL;
	s = vg_lx_sub(s, (size_t)rb + 1, s.len);
	vg_lx_skipsp(&s);
	if (vg_lx_num(&s, INT64_MAX, &pid))
		e->pid = (int64_t)pid;
	long colon = vg_str_find(s, ": ", 2);
	if (colon < 0)
		return VG_EINVAL;
	s = vg_lx_sub(s, (size_t)colon + 2, s.len);
	if (eat_c(&s, '*')) {
		vg_lx_num(&s, UINT64_MAX, &cid);
		vg_lx_skipsp(&s);
	}
	if (!e->app_name)
		e->app_name = "nginx";
	e->message = s.p;
	/* 'no user/password was provided for basic authentication' is every browser's first
	 * request: not a failure, counted unknown like other error lines. */
	struct vg_str m = s;
	if (vg_lx_eat(&m, "user \""))
		return nginx_auth_message(e, m);
	return VG_ENOTSUP;
}

/* "2026/11/22 23:59:32 " at the front of *s (consumed). */
static bool nginx_error_time(struct vg_str *s, int tz_offset_min, int64_t *ts_us)
{
	uint64_t y, mo, d, h, mi, sec;
	struct vg_str t = *s;
	if (!vg_lx_num(&t, 9999, &y) || !eat_c(&t, '/') || !vg_lx_num(&t, 12, &mo) ||
	    !eat_c(&t, '/') || !vg_lx_num(&t, 31, &d) || !eat_c(&t, ' ') ||
	    !vg_lx_num(&t, 23, &h) || !eat_c(&t, ':') || !vg_lx_num(&t, 59, &mi) ||
	    !eat_c(&t, ':') || !vg_lx_num(&t, 60, &sec) || !eat_c(&t, ' ') || mo == 0 ||
	    d == 0)
		return false;
	*ts_us = (vg_logs_days_from_civil((int64_t)y, (unsigned)mo, (unsigned)d) * 86400 +
		  (int64_t)(h * 3600 + mi * 60 + sec) - (int64_t)tz_offset_min * 60) *
		 US_PER_S;
	*s = t;
	return true;
}

/* nginx error log: "2026/11/22 23:59:32 [error] 123#123: *5 user "admin": password
 * mismatch, client: 10.99.0.1, server: _, request: "GET /login HTTP/1.1", host: "x"". */
int vg_logs_nginx_error(struct vg_log_entry *e, struct vg_str s, const struct vg_log_opts *o)
{
	e->format = VG_LOGF_NGINX;
	if (!nginx_error_time(&s, o->tz_offset_min, &e->ts_us))
		return VG_EINVAL;
	e->ts_offset_min = o->tz_offset_min;
	e->has_ts = true;
	return nginx_error_body(e, s);
}

/* An nginx or Apache message received through syslog (tag nginx, apache2, httpd):
 * an access line, or an error line. nginx sends its error lines whole ("2026/11/22
 * 23:59:32 [error] ..."), Apache without its time ("[auth_basic:error] [pid 1] [client
 * ...] AH01617: ..."); the syslog header's time is kept for them. */
int vg_logs_web_syslog(struct vg_log_entry *e, struct vg_str msg, enum vg_log_format kind)
{
	int64_t ts = e->ts_us;
	bool has_ts = e->has_ts;
	int64_t unused;
	if (vg_logs_web(e, msg, kind, NULL) == 0)
		return 0;
	e->ts_us = ts;
	e->has_ts = has_ts;
	e->format = kind;
	e->message = msg.p;
	int rc = VG_ENOTSUP;
	struct vg_str t = msg;
	if (nginx_error_time(&t, 0, &unused))
		rc = nginx_error_body(e, t);
	else if (t.len && t.p[0] == '[')
		rc = apache_error_body(e, t);
	return rc == 0 ? 0 : VG_ENOTSUP;
}
