/* logs-syslog.c — syslog headers: RFC 5424, RFC 3164 and the rsyslog file formats
 * ("Nov 22 23:59:28 vm sshd[18116]: msg", "2026-11-22T23:59:27.866757+00:00 vm sshd[1]:"),
 * with or without <PRI>, plus the timestamp helpers the other formats reuse.
 *
 * RFC 3164 timestamps have no year and no zone: the zone is opts.tz_offset_min, the year
 * comes from opts.now_us the way rsyslog infers it (see logs.h). Civil-date arithmetic
 * is done here (days_from_civil) rather than with timegm() so the parser never touches
 * the process's TZ state. */
#include "logs/logs-int.h"

#include "core/core-error.h"

#define US_PER_S 1000000LL
#define DAY_S 86400LL
/* A 3164 line more than this far in the future belongs to the previous year. */
#define YEAR_FUTURE_S (31 * DAY_S)

/* Howard Hinnant's algorithm: days since 1970-01-01 of a proleptic Gregorian date. */
int64_t vg_logs_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int64_t year_from_days(int64_t z)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	const unsigned m = mp < 10 ? mp + 3 : mp - 9;
	return (int64_t)yoe + era * 400 + (m <= 2);
}

unsigned vg_logs_month(const char *p, size_t len)
{
#define M3(a, b, c) ((uint32_t)(a) << 16 | (uint32_t)(b) << 8 | (uint32_t)(c))
	static const uint32_t names[12] = { M3('J', 'a', 'n'), M3('F', 'e', 'b'), M3('M', 'a', 'r'),
					    M3('A', 'p', 'r'), M3('M', 'a', 'y'), M3('J', 'u', 'n'),
					    M3('J', 'u', 'l'), M3('A', 'u', 'g'), M3('S', 'e', 'p'),
					    M3('O', 'c', 't'), M3('N', 'o', 'v'), M3('D', 'e', 'c') };
#undef M3
	if (len < 3)
		return 0;
	/* Three bytes as one integer, the candidates picked by the first letter: a
	 * compare or three, no call (every line asks, twice). */
	uint32_t w = (uint32_t)(unsigned char)p[0] << 16 | (uint32_t)(unsigned char)p[1] << 8 |
		     (unsigned char)p[2];
	unsigned lo, hi; /* candidate months lo..hi (1-based) */
	switch (p[0]) {
	case 'J': lo = 1, hi = 7; break; /* Jan, Jun, Jul (Feb..May never match) */
	case 'F': lo = hi = 2; break;
	case 'M': lo = 3, hi = 5; break;
	case 'A': lo = 4, hi = 8; break;
	case 'S': lo = hi = 9; break;
	case 'O': lo = hi = 10; break;
	case 'N': lo = hi = 11; break;
	case 'D': lo = hi = 12; break;
	default: return 0;
	}
	for (unsigned i = lo; i <= hi; i++)
		if (w == names[i - 1])
			return i;
	return 0;
}

static bool digits(struct vg_str s, size_t at, size_t n, unsigned *out)
{
	unsigned v = 0;
	if (at + n > s.len)
		return false;
	for (size_t i = at; i < at + n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s.p[i] - '0');
	}
	*out = v;
	return true;
}

static bool valid_date(unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned sec)
{
	/* Second 60 is a leap second; it is accepted and lands on the next second. */
	return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && sec <= 60;
}

/* ".123456" → microseconds (extra digits ignored); consumes the fraction. */
static int64_t fraction_us(struct vg_str *s)
{
	int64_t us = 0;
	int n = 0;
	if (!s->len || (s->p[0] != '.' && s->p[0] != ','))
		return 0;
	s->p++;
	s->len--;
	while (s->len && s->p[0] >= '0' && s->p[0] <= '9') {
		if (n < 6) {
			us = us * 10 + (s->p[0] - '0');
			n++;
		}
		s->p++;
		s->len--;
	}
	while (n++ < 6)
		us *= 10;
	return us;
}

bool vg_logs_parse_iso(struct vg_str *s, int default_off_min, int64_t *ts_us, int *off_min,
		       bool *had_zone)
{
	unsigned y, mo, d, h, mi, sec;
	struct vg_str t = *s;
	*ts_us = 0;
	*off_min = default_off_min;
	*had_zone = false;
	if (!digits(t, 0, 4, &y) || t.len < 19 || t.p[4] != '-' || !digits(t, 5, 2, &mo) ||
	    t.p[7] != '-' || !digits(t, 8, 2, &d) ||
	    (t.p[10] != 'T' && t.p[10] != 't' && t.p[10] != ' ') || !digits(t, 11, 2, &h) ||
	    t.p[13] != ':' || !digits(t, 14, 2, &mi) || t.p[16] != ':' || !digits(t, 17, 2, &sec) ||
	    !valid_date(mo, d, h, mi, sec))
		return false;
	t = vg_lx_sub(t, 19, t.len);
	int64_t us = fraction_us(&t);
	int off = default_off_min;
	if (t.len && (t.p[0] == 'Z' || t.p[0] == 'z')) {
		off = 0;
		*had_zone = true;
		t = vg_lx_sub(t, 1, t.len);
	} else if (t.len >= 3 && (t.p[0] == '+' || t.p[0] == '-')) {
		unsigned oh, om = 0;
		size_t used;
		if (!digits(t, 1, 2, &oh))
			return false;
		if (t.len >= 6 && t.p[3] == ':' && digits(t, 4, 2, &om))
			used = 6;
		else if (digits(t, 3, 2, &om))
			used = 5;
		else
			used = 3;
		if (oh > 23 || om > 59)
			return false;
		off = (int)(oh * 60 + om) * (t.p[0] == '-' ? -1 : 1);
		*had_zone = true;
		t = vg_lx_sub(t, used, t.len);
	}
	int64_t days = vg_logs_days_from_civil(y, mo, d);
	int64_t secs = days * DAY_S + h * 3600 + mi * 60 + sec - (int64_t)off * 60;
	*ts_us = secs * US_PER_S + us;
	*off_min = off;
	*s = t;
	return true;
}

/* ----------------------------------------------------------------- 5424 ------- */
static int parse_pri(struct vg_str *s, struct vg_log_entry *e)
{
	struct vg_str t = *s;
	uint64_t pri;
	if (!vg_lx_eat(&t, "<"))
		return VG_ENOENT;
	/* At most 3 digits, no leading zero except "<0>" (RFC 5424 6.2.1). */
	size_t nd = 0;
	while (nd < t.len && t.p[nd] >= '0' && t.p[nd] <= '9')
		nd++;
	if (nd == 0 || nd > 3 || (nd > 1 && t.p[0] == '0'))
		return VG_EINVAL;
	if (!vg_lx_num(&t, 191, &pri) || !vg_lx_eat(&t, ">"))
		return VG_EINVAL;
	e->facility = (int)(pri >> 3);
	e->severity = (int)(pri & 7);
	*s = t;
	return 0;
}

/* A header field up to the next space; "-" is NILVALUE (NULL). */
static bool field(struct vg_str *s, struct vg_str *out)
{
	size_t i = 0;
	while (i < s->len && s->p[i] != ' ')
		i++;
	*out = vg_str_make(s->p, i);
	if (i == s->len)
		return false;
	s->p += i + 1;
	s->len -= i + 1;
	return i > 0;
}

static const char *nil_or_dup(struct vg_log_entry *e, struct vg_str f)
{
	if (f.len == 1 && f.p[0] == '-')
		return NULL;
	return vg_logs_dups(e, f);
}

/* SD-NAME: printable US-ASCII except '=', SP, ']', '"'; 1..32 chars. */
static size_t sd_name_len(struct vg_str s)
{
	size_t i = 0;
	while (i < s.len && i < 32 && s.p[i] > 32 && s.p[i] < 127 && s.p[i] != '=' &&
	       s.p[i] != ']' && s.p[i] != '"')
		i++;
	return i;
}

/* Unescape \" \\ \] of an SD param value into the arena. */
static const char *sd_value_dup(struct vg_log_entry *e, struct vg_str v)
{
	size_t room = sizeof(e->arena) - e->arena_used;
	if (room < 2)
		return vg_logs_dup(e, "", 0);
	char *d = &e->arena[e->arena_used];
	size_t n = 0;
	for (size_t i = 0; i < v.len && n + 1 < room; i++) {
		char c = v.p[i];
		if (c == '\\' && i + 1 < v.len &&
		    (v.p[i + 1] == '"' || v.p[i + 1] == '\\' || v.p[i + 1] == ']'))
			c = v.p[++i];
		d[n++] = c;
	}
	d[n] = '\0';
	e->arena_used += n + 1;
	return d;
}

/* STRUCTURED-DATA: 1*SD-ELEMENT; SD-ELEMENT = "[" SD-ID *(SP SD-PARAM) "]".
 * Returns the length consumed, or 0 when malformed. Params past the cap are skipped
 * but the element is still consumed (sd_truncated). */
static size_t parse_sd(struct vg_log_entry *e, struct vg_str s)
{
	size_t i = 0;
	while (i < s.len && s.p[i] == '[') {
		i++;
		size_t idl = sd_name_len(vg_lx_sub(s, i, s.len));
		if (idl == 0)
			return 0;
		struct vg_str id = vg_lx_sub(s, i, i + idl);
		const char *idc = NULL;
		i += idl;
		for (;;) {
			if (i >= s.len)
				return 0;
			if (s.p[i] == ']') {
				i++;
				break;
			}
			if (s.p[i] != ' ')
				return 0;
			i++;
			size_t nl = sd_name_len(vg_lx_sub(s, i, s.len));
			if (nl == 0)
				return 0;
			struct vg_str name = vg_lx_sub(s, i, i + nl);
			i += nl;
			if (i + 1 >= s.len || s.p[i] != '=' || s.p[i + 1] != '"')
				return 0;
			i += 2;
			size_t vs = i;
			while (i < s.len && s.p[i] != '"') {
				if (s.p[i] == '\\' && i + 1 < s.len)
					i++;
				i++;
			}
			if (i >= s.len)
				return 0;
			struct vg_str val = vg_lx_sub(s, vs, i);
			i++; /* closing quote */
			if (e->n_sd < VG_LOG_MAX_SD_PARAMS) {
				if (!idc)
					idc = vg_logs_dups(e, id);
				struct vg_log_sd_param *p = &e->sd[e->n_sd++];
				p->sd_id = idc;
				p->name = vg_logs_dups(e, name);
				p->value = sd_value_dup(e, val);
			} else {
				e->sd_truncated = true;
			}
		}
	}
	return i;
}

int vg_logs_syslog_5424(struct vg_log_entry *e, struct vg_str s)
{
	struct vg_str f;
	if (parse_pri(&s, e) != 0 || !vg_lx_eat(&s, "1 "))
		return VG_EINVAL;
	/* TIMESTAMP */
	if (!field(&s, &f))
		return VG_EINVAL;
	if (!(f.len == 1 && f.p[0] == '-')) {
		struct vg_str t = f;
		bool had_zone;
		if (!vg_logs_parse_iso(&t, 0, &e->ts_us, &e->ts_offset_min, &had_zone) || t.len)
			return VG_EINVAL;
		e->has_ts = true;
	}
	if (!field(&s, &f))
		return VG_EINVAL;
	e->hostname = nil_or_dup(e, f);
	if (!field(&s, &f))
		return VG_EINVAL;
	e->app_name = nil_or_dup(e, f);
	if (!field(&s, &f))
		return VG_EINVAL;
	e->procid = nil_or_dup(e, f);
	if (e->procid) {
		uint64_t pid;
		if (vg_parse_u64(f.p, f.len, INT64_MAX, &pid) == 0)
			e->pid = (int64_t)pid;
	}
	/* MSGID is the last field that must be followed by a space (SD follows). */
	if (!field(&s, &f))
		return VG_EINVAL;
	e->msgid = nil_or_dup(e, f);
	/* STRUCTURED-DATA, then optional SP MSG. */
	if (s.len && s.p[0] == '-') {
		s = vg_lx_sub(s, 1, s.len);
	} else if (s.len && s.p[0] == '[') {
		size_t n = parse_sd(e, s);
		if (n == 0) {
			/* Malformed SD: keep what follows as the message rather than lose it. */
			e->sd_truncated = true;
		} else {
			e->sd_raw = vg_logs_dup(e, s.p, n);
			s = vg_lx_sub(s, n, s.len);
		}
	} else {
		return VG_EINVAL;
	}
	if (s.len && s.p[0] == ' ')
		s = vg_lx_sub(s, 1, s.len);
	vg_lx_eat(&s, "\xEF\xBB\xBF"); /* MSG-UTF8 starts with a BOM */
	e->message = s.p; /* points into e->line, which is NUL-terminated at its end */
	return 0;
}

/* ----------------------------------------------------------------- 3164 ------- */
/* Year for a month/day/time without a year, from the reference time (see logs.h).
 * Run for nearly every line: kept out of line and marked hot, because inlined into the
 * header parser gcc took it for cold code and compiled its divisions by constants
 * (days, eras, years) to some ten division instructions instead of multiplications. */
__attribute__((noinline, hot)) static int64_t infer_year_ts(const struct vg_log_opts *o, unsigned mo, unsigned d, unsigned h,
			     unsigned mi, unsigned sec, int off_min)
{
	int64_t now_s = o->now_us / US_PER_S;
	int64_t local_now = now_s + (int64_t)off_min * 60;
	int64_t y = year_from_days(local_now >= 0 ? local_now / DAY_S : (local_now - DAY_S + 1) / DAY_S);
	int64_t tod = h * 3600 + mi * 60 + sec - (int64_t)off_min * 60;
	int64_t t = vg_logs_days_from_civil(y, mo, d) * DAY_S + tod;
	if (t - now_s > YEAR_FUTURE_S) {
		t = vg_logs_days_from_civil(y - 1, mo, d) * DAY_S + tod;
	} else {
		int64_t tn = vg_logs_days_from_civil(y + 1, mo, d) * DAY_S + tod;
		if (tn - now_s <= DAY_S)
			t = tn; /* "Jan  1 00:00:05" read at Dec 31 23:59:59 */
	}
	return t;
}

/* "Mmm dd hh:mm:ss" (day space-padded or not), optional ".frac", optional " yyyy" before
 * the time (Cisco-style "Mmm dd yyyy hh:mm:ss"). Consumes it. */
static bool parse_3164_ts(struct vg_log_entry *e, struct vg_str *s, const struct vg_log_opts *o)
{
	struct vg_str t = *s;
	unsigned mo, d, h, mi, sec, year = 0;
	if (t.len < 15 || !(mo = vg_logs_month(t.p, 3)) || t.p[3] != ' ')
		return false;
	t = vg_lx_sub(t, 4, t.len);
	if (t.p[0] == ' ')
		t = vg_lx_sub(t, 1, t.len);
	if (digits(t, 0, 2, &d))
		t = vg_lx_sub(t, 2, t.len);
	else if (digits(t, 0, 1, &d))
		t = vg_lx_sub(t, 1, t.len);
	else
		return false;
	if (!vg_lx_eat(&t, " "))
		return false;
	if (t.len >= 5 && digits(t, 0, 4, &year) && t.p[4] == ' ')
		t = vg_lx_sub(t, 5, t.len);
	else
		year = 0;
	if (!digits(t, 0, 2, &h) || t.len < 8 || t.p[2] != ':' || !digits(t, 3, 2, &mi) ||
	    t.p[5] != ':' || !digits(t, 6, 2, &sec) || !valid_date(mo, d, h, mi, sec))
		return false;
	t = vg_lx_sub(t, 8, t.len);
	int64_t us = fraction_us(&t);
	int off = o->tz_offset_min;
	e->ts_offset_min = off;
	if (year) {
		int64_t secs = vg_logs_days_from_civil(year, mo, d) * DAY_S + h * 3600 + mi * 60 +
			       sec - (int64_t)off * 60;
		e->ts_us = secs * US_PER_S + us;
		e->has_ts = true;
	} else if (o->now_us > 0) {
		e->ts_us = infer_year_ts(o, mo, d, h, mi, sec, off) * US_PER_S + us;
		e->has_ts = true;
	}
	*s = t;
	return true;
}

/* TAG: "prog[pid]:", "prog:", "prog[pid]" or "prog" followed by a space. */
static bool parse_tag(struct vg_log_entry *e, struct vg_str *s)
{
	struct vg_str t = *s;
	size_t i = 0;
	/* "[sshd]: msg" (some BSD and appliance syslogs bracket the program name). */
	if (t.len > 3 && t.p[0] == '[') {
		long rb = vg_str_chr(t, ']');
		if (rb > 1 && (size_t)rb + 1 < t.len && (t.p[rb + 1] == ':' || t.p[rb + 1] == ' ')) {
			e->app_name = vg_logs_dup(e, t.p + 1, (size_t)rb - 1);
			t = vg_lx_sub(t, (size_t)rb + 1, t.len);
			vg_lx_eat(&t, ":");
			vg_lx_eat(&t, " ");
			*s = t;
			return true;
		}
	}
	while (i < t.len && t.p[i] != '[' && t.p[i] != ':' && t.p[i] != ' ')
		i++;
	if (i == 0 || i > VG_MAX_NAME)
		return false;
	struct vg_str app = vg_lx_sub(t, 0, i);
	t = vg_lx_sub(t, i, t.len);
	struct vg_str pid = { 0 };
	if (t.len && t.p[0] == '[') {
		long close = vg_str_chr(t, ']');
		if (close < 0)
			return false;
		pid = vg_lx_sub(t, 1, (size_t)close);
		t = vg_lx_sub(t, (size_t)close + 1, t.len);
	}
	if (t.len && t.p[0] == ':')
		t = vg_lx_sub(t, 1, t.len);
	else if (t.len && t.p[0] != ' ')
		return false;
	if (t.len && t.p[0] == ' ')
		t = vg_lx_sub(t, 1, t.len);
	e->app_name = vg_logs_dups(e, app);
	if (pid.p) {
		uint64_t v;
		e->procid = vg_logs_dups(e, pid);
		/* vg_parse_u64's answer; up to 18 digits cannot overflow, so no checks per digit */
		size_t k = 0;
		v = 0;
		while (k < pid.len && k < 18 && pid.p[k] >= '0' && pid.p[k] <= '9')
			v = v * 10 + (uint64_t)(pid.p[k++] - '0');
		if (k == pid.len && k > 0)
			e->pid = (int64_t)v;
		else if (k == 18 && vg_parse_u64(pid.p, pid.len, INT64_MAX, &v) == 0)
			e->pid = (int64_t)v;
	}
	*s = t;
	return true;
}

/* "auth.info", "authpriv.notice", "local7.err" */
static bool is_fac_level(struct vg_str w)
{
	long dot = vg_str_chr(w, '.');
	if (dot <= 0 || (size_t)dot + 1 >= w.len)
		return false;
	for (size_t i = 0; i < w.len; i++) {
		char c = w.p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (long)i == dot))
			return false;
	}
	static const char *const lv[] = { "emerg", "alert", "crit", "err", "error", "warning",
					  "warn", "notice", "info", "debug" };
	struct vg_str l = vg_lx_sub(w, (size_t)dot + 1, w.len);
	for (size_t i = 0; i < sizeof(lv) / sizeof(lv[0]); i++) {
		if (vg_str_eq_cstr(l, lv[i]))
			return true;
	}
	return false;
}

static bool word_is_tag(struct vg_str w)
{
	return w.len && (w.p[w.len - 1] == ':' || vg_str_chr(w, '[') >= 0);
}

int vg_logs_syslog_3164(struct vg_log_entry *e, struct vg_str s, const struct vg_log_opts *o)
{
	int rc = parse_pri(&s, e);
	bool has_pri = rc == 0;
	if (rc == VG_EINVAL)
		return VG_EINVAL;
	bool has_ts = false;
	if (s.len && s.p[0] >= '0' && s.p[0] <= '9') {
		bool had_zone;
		int64_t ts;
		int off;
		if (vg_logs_parse_iso(&s, o->tz_offset_min, &ts, &off, &had_zone)) {
			e->ts_us = ts;
			e->ts_offset_min = off;
			e->has_ts = true;
			has_ts = true;
		}
	} else if (parse_3164_ts(e, &s, o)) {
		has_ts = true;
	}
	if (has_ts) {
		if (!s.len || s.p[0] != ' ')
			return VG_EINVAL;
		vg_lx_skipsp(&s);
	} else if (!has_pri) {
		/* Neither PRI nor a timestamp: only "prog[pid]: msg" is still syslog-ish. */
		struct vg_str t = s;
		struct vg_str w = vg_lx_word(&t);
		if (!word_is_tag(w) || !parse_tag(e, &s))
			return VG_EINVAL;
		e->message = s.p;
		return 0;
	}
	/* HOSTNAME, unless the next word is already the tag (local logs without host). */
	struct vg_str t = s;
	struct vg_str w = vg_lx_word(&t);
	if (w.len && !word_is_tag(w)) {
		struct vg_str t2 = t;
		vg_lx_skipsp(&t2);
		struct vg_str w2 = vg_lx_word(&t2);
		/* "host prog: msg" or "host prog[1]: msg"; a lone word then text is rsyslog's
		 * "host msg" without tag only when the second word is not tag-like. */
		if (w2.len) {
			e->hostname = vg_logs_dups(e, w);
			s = t;
			vg_lx_skipsp(&s);
			/* the next word, read once: w2 (what follows it: t2) */
			w = w2;
			t = t2;
		}
	}
	/* Some syslogds write "facility.level" before the tag ("vps auth.info sshd[1]: ").
	 * w is the word at s, t what follows it. */
	if (w.len > 3 && !word_is_tag(w) && is_fac_level(w)) {
		struct vg_str t2 = t;
		if (word_is_tag(vg_lx_word(&t2))) {
			s = t;
			vg_lx_skipsp(&s);
		}
	}
	if (!parse_tag(e, &s)) {
		/* No recognisable tag: the rest is the message. */
		e->message = s.p;
		return 0;
	}
	e->message = s.p;
	return 0;
}
