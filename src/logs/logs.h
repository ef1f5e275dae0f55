/* logs.h — log line parsers: one line of text in, one normalized entry out.
 *
 * vg_logs_parse_line() is a pure function of (line, length, options, out): no I/O, no
 * globals, no allocation per line (CADF JSON lines are the one exception: jansson parses
 * them). It recognises the line's framing (RFC 5424, RFC 3164 / rsyslog file formats,
 * nginx/Apache access logs, Keystone's Python log format, CADF JSON notifications),
 * then hands the message to the parser of its program family (sshd, PAM, sudo, su,
 * Keystone, Horizon, web), which fills the normalized fields (ECS-like: category,
 * action, outcome, source address, user, ...).
 *
 * Every string in struct vg_log_entry is a NUL-terminated copy kept in the entry's own
 * arena, so an entry stays valid after the caller's line buffer is reused, until the
 * entry is parsed into again. String fields are NULL when absent.
 *
 * Stable action strings (vg_log_entry.action, also ECS event.action):
 *   sshd (category "authentication" unless noted):
 *     ssh-login-failed        Failed <method> for [invalid user] U from IP port P; also the
 *                             older "PAM: Authentication failure for U from H" forms
 *     ssh-login-success       Accepted <method> for U from IP port P
 *     ssh-invalid-user        Invalid user U from IP [port P] (also old "Illegal user")
 *     ssh-user-not-allowed    User U from IP not allowed because ... (AllowUsers, DenyUsers,
 *                             groups, locked account, shell)
 *     ssh-max-auth-attempts   maximum authentication attempts exceeded / Too many
 *                             authentication failures
 *     ssh-preauth-disconnect  Connection closed/reset, Disconnected, Received disconnect,
 *                             Timeout before authentication ... [preauth]
 *     ssh-no-identification   Did not receive identification string from IP
 *     ssh-bad-protocol        Bad protocol version identification, banner exchange errors,
 *                             Protocol major versions differ
 *     ssh-kex-error           Unable to negotiate, kex_exchange_identification,
 *                             ssh_dispatch_run_fatal, kex errors, a key type not in
 *                             Pubkey/HostbasedAcceptedAlgorithms (userauth_*)
 *     ssh-pam-auth-failures   PAM N more authentication failures (attempts = N)
 *     ssh-reverse-mapping-failed  POSSIBLE BREAK-IN ATTEMPT! (category "network")
 *     ssh-maxstartups-drop    drop connection #N from [IP]:P ... past MaxStartups / penalty
 *                             ("network")
 *     ssh-source-penalised    srclimit_penalise: ... new IP/32 ... penalty (OpenSSH 9.8+)
 *     ssh-connection-refused  tcp_wrappers "refused connect from NAME (IP)" ("network")
 *     ssh-auth-postponed, ssh-auth-partial   (outcome unknown)
 *     ssh-connection          Connection from IP port P on ... (category "network")
 *     ssh-disconnect          a logged-in session ended (category "session", not preauth)
 *     ssh-session-start, ssh-session-close   (category "session")
 *     ssh-server-start, ssh-server-stop      (category "process")
 *   PAM (any program; service = the PAM service in "pam_x(service:type)"):
 *     pam-auth-failure        pam_*(svc:auth): authentication failure; ... rhost= user=
 *     pam-user-unknown        check pass; user unknown
 *     pam-account-locked      pam_faillock / pam_tally account locked
 *     pam-session-open, pam-session-close   (category "session", outcome success)
 *     login-failure           login(1): FAILED LOGIN ... FOR 'user', TOO MANY LOGIN TRIES
 *     login-success           login(1): ROOT LOGIN ON tty / LOGIN ON tty BY user
 *   sudo / su:
 *     sudo-auth-failure       N incorrect password attempt(s) (attempts = N), "a password is
 *                             required"
 *     sudo-not-in-sudoers     user NOT in sudoers / user NOT authorized on host
 *     sudo-command-denied     command not allowed
 *     sudo-command            a command run (outcome success, category "process")
 *     su-failure, su-success  user = who ran su, target_user = the account asked for
 *   OpenStack:
 *     keystone-auth-failure   Authorization failed ... from IP; Could not find user/password
 *                             mismatch; CADF identity.authenticate with outcome failure
 *     keystone-auth-success   CADF identity.authenticate with outcome success
 *     keystone-auth-attempt   CADF identity.authenticate with outcome pending/absent
 *     horizon-login-failure   Login failed for user "U" [using domain "D"], remote address IP.
 *     horizon-login-success   Login successful for user "U" ...
 *   web (category "web"):
 *     http-request            one access log line; outcome failure when status >= 400
 *     http-auth-failure       basic-auth failure from the nginx or Apache error log
 *                             (category "authentication"; user, client address)
 *
 * Outcome: VG_OUTCOME_FAILURE / SUCCESS where the line says so, VG_OUTCOME_UNKNOWN for
 * recognised lines that are neither, VG_OUTCOME_NONE when no parser recognised the line. */
#ifndef VG_LOGS_H
#define VG_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core-addr.h"
#include "core/core-event.h"
#include "core/limits.h"

enum vg_log_format {
	VG_LOGF_AUTO = 0,  /* detect per line (the default) */
	VG_LOGF_SYSLOG,    /* RFC 3164 or rsyslog file formats, with or without <PRI> */
	VG_LOGF_RFC5424,   /* <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG */
	VG_LOGF_NGINX,     /* nginx access log (opts.web_format, default combined) or error log */
	VG_LOGF_APACHE,    /* Apache access log (opts.web_format, default combined) or error log */
	VG_LOGF_KEYSTONE,  /* oslo.log: "2026-11-22 23:59:27.866 1234 WARNING logger [req] msg" */
	VG_LOGF_CADF,      /* one JSON notification per line (identity.authenticate) */
};

/* "auto", "syslog", "rfc5424", "nginx", "apache", "keystone", "cadf"; never NULL. */
const char *vg_logs_format_name(enum vg_log_format f);
/* Name to enum (also accepts "rfc3164" for syslog and "json" for cadf).
 * Returns 0 or VG_EINVAL; *out zeroed (AUTO) on entry. */
int vg_logs_format_parse(const char *name, enum vg_log_format *out);

struct vg_log_opts {
	enum vg_log_format format;
	/* Reference time (µs since the epoch, UTC) for RFC 3164 timestamps without a year:
	 * the year is the reference's, or the year before when that would put the line more
	 * than 31 days in the future (rsyslog's rule; a line up to a day into
	 * the next year, "Jan  1" read on Dec 31, takes the next year). Live receivers pass
	 * the time of reception, offline readers the file's mtime. 0: has_ts stays false for
	 * such lines (ts_us 0). */
	int64_t now_us;
	/* Zone of RFC 3164 timestamps, minutes east of UTC (default 0 = UTC). */
	int tz_offset_min;
	/* nginx log_format string ("$remote_addr - $remote_user [$time_local] ...") or Apache
	 * LogFormat ("%h %l %u %t \"%r\" %>s %b ...") for web lines; NULL = combined (and, in
	 * auto mode, common, vhost-prefixed and extra trailing fields are recognised).
	 * Borrowed; at most VG_LOG_MAX_WEB_FORMAT bytes are used. */
	const char *web_format;
};

/* format AUTO, now_us = the current wall-clock time, tz 0, web_format NULL. */
void vg_logs_opts_init(struct vg_log_opts *o);

/* One RFC 5424 SD-PARAM, unescaped. */
struct vg_log_sd_param {
	const char *sd_id;   /* "origin", "timeQuality", "exampleSDID@32473" */
	const char *name;
	const char *value;
};

/* Access log fields (category "web"). */
struct vg_log_http {
	/* Quoted values are unescaped (\" \\ \xHH): the bytes the client sent. */
	const char *request;     /* the request line ("GET / HTTP/1.1"); NULL for "-" */
	const char *method;      /* NULL when the request line did not split */
	const char *uri;
	const char *protocol;    /* "HTTP/1.1"; NULL for HTTP/0.9-style or garbage requests */
	int status;              /* 0 when absent */
	uint64_t bytes;          /* response body bytes ("-" = 0) */
	bool has_bytes;
	const char *referrer;    /* NULL for "-" */
	const char *user_agent;  /* NULL for "-" */
	const char *vhost;       /* server name when logged (%v, $host, $server_name) */
	const char *xff;         /* X-Forwarded-For when logged */
	int64_t request_time_us; /* $request_time / %D / %T when logged, else -1 */
};

/* Arena for one entry's strings: the raw line copy plus field copies of it (a web line
 * is copied as the line, the unescaped request and the URI: three times at most). When
 * it runs out, copies are cut and entry.truncated is set; nothing is ever overrun. */
#define VG_LOG_ARENA_SIZE (4u * VG_MAX_LINE + 1024u)

struct vg_log_entry {
	/* The framing that was recognised. An access line found in auto mode is
	 * VG_LOGF_AUTO (parser "web": nginx and Apache combined lines are the same). */
	enum vg_log_format format;

	/* Header (syslog, or the equivalent fields of other formats). */
	int64_t ts_us;           /* UTC µs since the epoch */
	bool has_ts;
	int ts_offset_min;       /* zone of the timestamp as written (3164: opts.tz_offset_min) */
	int facility, severity;  /* -1 when the line had no <PRI> (or no level) */
	const char *hostname;
	const char *app_name;    /* program / tag ("sshd", "sudo", "keystone.common.wsgi"?) */
	const char *procid;      /* as written ("18116"); RFC 5424 PROCID may be non-numeric */
	int64_t pid;             /* -1 when absent or not numeric */
	const char *msgid;       /* RFC 5424 MSGID */
	const char *sd_raw;      /* RFC 5424 STRUCTURED-DATA as written; NULL for "-" */
	struct vg_log_sd_param sd[VG_LOG_MAX_SD_PARAMS];
	unsigned n_sd;
	bool sd_truncated;       /* more params than VG_LOG_MAX_SD_PARAMS, or malformed SD */
	const char *line;        /* the whole line as given (after truncation/CRLF strip) */
	const char *message;     /* the MSG part (for web/keystone/cadf: the whole line) */
	unsigned repeat;         /* rsyslog "message repeated N times: [ ... ]" → N, else 1 */
	bool truncated;          /* the line was longer than VG_MAX_LINE and was cut */

	/* Normalized (all NULL/0 when the result is VG_ENOTSUP). */
	const char *parser;      /* "sshd", "pam", "sudo", "su", "login", "keystone", "horizon",
				  * "nginx", "apache", "web" (auto-detected access line) */
	const char *category;    /* "authentication", "web", "session", "network", "process" */
	const char *action;      /* see the list at the top of this file */
	enum vg_outcome outcome;
	const char *service;     /* "sshd", "sudo", PAM service, "keystone", "nginx", ... */
	const char *auth_method; /* "password", "publickey", "keyboard-interactive", "none",
				  * "hostbased", "gssapi-with-mic" */
	const char *key_info;    /* "RSA SHA256:..." after publickey lines */
	struct vg_addr src;      /* family VG_AF_NONE when absent; ::ffff:a.b.c.d → IPv4 */
	uint16_t sport;          /* 0 when absent */
	const char *src_host;    /* the source as written when it is a host name, not an IP */
	struct vg_addr dst;      /* sshd "Connection from ... on IP port P" */
	uint16_t dport;
	const char *user;        /* user.name: who authenticated / ran sudo or su */
	const char *target_user; /* sudo USER=, su "(to root)", pam "user=" when it differs */
	bool invalid_user;       /* sshd said the account does not exist */
	unsigned attempts;       /* sudo "3 incorrect password attempts", "PAM 2 more" */
	const char *reason;      /* free text detail (disconnect reason, kex error, ...) */
	const char *tty;         /* sudo TTY= / su "on pts/0" / pam tty= */
	const char *cwd;         /* sudo PWD= */
	const char *command;     /* sudo COMMAND= */
	const char *domain;      /* Horizon/Keystone domain */
	const char *request_id;  /* Keystone "req-..." */
	struct vg_log_http http;

	size_t arena_used;       /* internal */
	char arena[VG_LOG_ARENA_SIZE];
};

/* Parse one line (without its trailing newline; a trailing CR/LF/NUL is ignored).
 * len > VG_MAX_LINE: only the first VG_MAX_LINE bytes are used (entry.truncated set).
 * Returns 0: understood (normalized fields set);
 *         VG_ENOTSUP: the framing/header parsed but no parser knows the message (the
 *           header fields are set; callers count it as "unknown", not as an error);
 *         VG_EINVAL: garbage (nothing recognisable; entry.line/message still set).
 * out is overwritten (everything before the arena is zeroed; the arena is not cleared,
 * for speed); it is big (~260 KB): allocate it once and reuse it. opts may be NULL
 * (defaults of vg_logs_opts_init() but now_us 0). */
int vg_logs_parse_line(const char *line, size_t len, const struct vg_log_opts *opts,
		       struct vg_log_entry *out);

/* Fill a VG_EVT_LOG event (vg_event_init'd here) with pointers into the entry: ts,
 * category, action, outcome, src/sport, dst/dport, user, host, service, process, pid,
 * message (the whole line). Borrowed: valid while the entry is not parsed into again. */
void vg_logs_entry_to_event(const struct vg_log_entry *e, struct vg_event *ev);

#endif
