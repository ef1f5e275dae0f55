/* logs-int.h — what the log parser files share between themselves (not a public API):
 * the entry arena, a small cursor toolkit over struct vg_str for memcmp-style matching,
 * timestamp helpers, and each program family's entry point. */
#ifndef VG_LOGS_INT_H
#define VG_LOGS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/core-str.h"
#include "logs/logs.h"

/* --- arena -------------------------------------------------------------------- */
/* NUL-terminated copy of p[0,len) in e's arena. Never NULL: when the arena is full the
 * copy is cut (e->truncated set), down to "" at worst. */
const char *vg_logs_dup(struct vg_log_entry *e, const char *p, size_t len);
static inline const char *vg_logs_dups(struct vg_log_entry *e, struct vg_str s)
{
	return vg_logs_dup(e, s.p, s.len);
}

/* --- cursor helpers ----------------------------------------------------------- */
/* Consume the literal lit at the front of *s; false (s unchanged) when absent. */
static inline bool vg_lx_eat(struct vg_str *s, const char *lit)
{
	size_t n = strlen(lit);
	if (s->len < n || memcmp(s->p, lit, n) != 0)
		return false;
	s->p += n;
	s->len -= n;
	return true;
}
/* Remove the literal lit from the end of *s; false when absent. */
static inline bool vg_lx_chop(struct vg_str *s, const char *lit)
{
	size_t n = strlen(lit);
	if (s->len < n || memcmp(s->p + s->len - n, lit, n) != 0)
		return false;
	s->len -= n;
	return true;
}
static inline bool vg_lx_ends(struct vg_str s, const char *lit)
{
	return vg_lx_chop(&s, lit);
}
static inline struct vg_str vg_lx_sub(struct vg_str s, size_t from, size_t to)
{
	if (to > s.len)
		to = s.len;
	if (from > to)
		from = to;
	return vg_str_make(s.p + from, to - from);
}
/* Offset of the last occurrence of needle in s, or -1. */
long vg_lx_rfind(struct vg_str s, const char *needle);
/* Split at the first byte c: *head gets the bytes before, *s what follows c.
 * False (nothing changed) when c is absent. */
bool vg_lx_split(struct vg_str *s, char c, struct vg_str *head);
/* Next space-delimited word (skipping leading spaces); empty at the end. */
struct vg_str vg_lx_word(struct vg_str *s);
void vg_lx_skipsp(struct vg_str *s);
/* Leading decimal digits as a number <= max; false when none or out of range. */
bool vg_lx_num(struct vg_str *s, uint64_t max, uint64_t *out);

/* --- addresses ---------------------------------------------------------------- */
/* Set e->src (or e->src_host for a name) from a host token: IPv4, IPv6 (brackets, a
 * %zone and the ::ffff: IPv4-mapped form are handled), or a host name. Returns true
 * when it was an IP address. */
bool vg_logs_set_src(struct vg_log_entry *e, struct vg_str host);
/* Parse an IP address token into *a (same normalisation); false when not an address. */
bool vg_logs_parse_ip(struct vg_str s, struct vg_addr *a);
/* Parse "HOST port N" / "HOST" into the source (port optional). Left-anchored: the host
 * is the first word of s. *rest gets what follows the port (or the host). */
bool vg_logs_host_port(struct vg_log_entry *e, struct vg_str s, struct vg_str *rest);
/* vg_logs_host_port when the caller has already read the first word of s with
 * vg_logs_parse_ip: *a is what it gave (all zero when not an address). */
bool vg_logs_host_port_parsed(struct vg_log_entry *e, struct vg_str s, struct vg_str *rest,
			      const struct vg_addr *a);

/* --- time --------------------------------------------------------------------- */
int64_t vg_logs_days_from_civil(int64_t y, unsigned m, unsigned d);
/* "Jan".."Dec" → 1..12, else 0. */
unsigned vg_logs_month(const char *p, size_t len);
/* RFC 3339 / ISO 8601 "YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+HH:MM|+HHMM]" at the front of *s
 * (consumed). No zone: default_off_min is used and *had_zone false. */
bool vg_logs_parse_iso(struct vg_str *s, int default_off_min, int64_t *ts_us, int *off_min,
		       bool *had_zone);

/* --- headers (logs-syslog.c) -------------------------------------------------- */
/* Header of an RFC 5424 line at s (starting with "<PRI>1 "); sets message. */
int vg_logs_syslog_5424(struct vg_log_entry *e, struct vg_str s);
/* RFC 3164 / rsyslog file formats, with or without PRI; sets header and message. */
int vg_logs_syslog_3164(struct vg_log_entry *e, struct vg_str s, const struct vg_log_opts *o);

/* --- program families: each returns 0 (recognised) or VG_ENOTSUP ------------- */
int vg_logs_sshd(struct vg_log_entry *e, struct vg_str msg);
int vg_logs_pam(struct vg_log_entry *e, struct vg_str msg);     /* pam_*( and "PAM " */
int vg_logs_login(struct vg_log_entry *e, struct vg_str msg);   /* login(1) */
int vg_logs_sudo(struct vg_log_entry *e, struct vg_str msg);
int vg_logs_su(struct vg_log_entry *e, struct vg_str msg);
int vg_logs_keystone_msg(struct vg_log_entry *e, struct vg_str msg);
int vg_logs_horizon_msg(struct vg_log_entry *e, struct vg_str msg);
/* Whole-line formats. */
int vg_logs_keystone_line(struct vg_log_entry *e, struct vg_str s, const struct vg_log_opts *o);
int vg_logs_cadf(struct vg_log_entry *e, struct vg_str s);
/* Access log line; kind is VG_LOGF_NGINX / VG_LOGF_APACHE / VG_LOGF_AUTO ("web"). */
int vg_logs_web(struct vg_log_entry *e, struct vg_str s, enum vg_log_format kind,
		const char *web_format);

/* Error logs (logs-web.c): basic-auth failures, Horizon messages through Apache. */
int vg_logs_apache_error(struct vg_log_entry *e, struct vg_str s);
int vg_logs_nginx_error(struct vg_log_entry *e, struct vg_str s, const struct vg_log_opts *o);
/* A syslog message of nginx/Apache (kind NGINX/APACHE): access line or error line.
 * Returns 0 or VG_ENOTSUP; keeps the syslog header's time for error lines. */
int vg_logs_web_syslog(struct vg_log_entry *e, struct vg_str msg, enum vg_log_format kind);

/* Set the normalized triple. */
static inline void vg_logs_norm(struct vg_log_entry *e, const char *parser, const char *category,
				const char *action, enum vg_outcome outcome)
{
	e->parser = parser;
	e->category = category;
	e->action = action;
	e->outcome = outcome;
}

#endif
