/* logs-sshd.c — OpenSSH sshd messages → normalized authentication events.
 *
 * Covers the message forms OpenSSH has logged from 3.x to 9.x (sshd, and sshd-session /
 * sshd-auth since 9.8): failures, invalid users, probes that never authenticate (banner,
 * kex, no identification), preauth disconnects and successes; see logs.h for the actions.
 *
 * User names are attacker-controlled and may contain spaces and even " from 1.2.3.4 port
 * 22": wherever the user comes before the address, the address is taken from the right
 * ("last ' from '" / "last ' port N'"), since the text after it is sshd's own. Where the
 * address comes first and free text follows (disconnect reasons), it is taken from the
 * left. */
#include "logs/logs-int.h"

#include "core/core-error.h"

#define P_SSHD "sshd"
#define C_AUTH "authentication"
#define C_NET "network"
#define C_SESS "session"
#define C_PROC "process"

/* "[invalid user |illegal user |authenticating user |user ]" prefixes before a name. */
static void eat_user_qualifier(struct vg_log_entry *e, struct vg_str *s)
{
	if (vg_lx_eat(s, "invalid user ") || vg_lx_eat(s, "illegal user "))
		e->invalid_user = true;
	else if (!vg_lx_eat(s, "authenticating user "))
		vg_lx_eat(s, "user ");
}

/* "[qualifier ]USER HOST[ port N]REST" with the address located from the right: the last
 * " port N" (N digits followed by end, ' ' or ':'), else the last word. *rest gets the
 * text after the port. The user may be empty or contain spaces. */
static bool user_host_port_r(struct vg_log_entry *e, struct vg_str s, struct vg_str *rest)
{
	eat_user_qualifier(e, &s);
	struct vg_str scan = s;
	long at = -1;
	size_t port_end = 0;
	uint64_t port = 0;
	for (;;) {
		long p = vg_lx_rfind(scan, " port ");
		if (p < 0)
			break;
		struct vg_str t = vg_lx_sub(s, (size_t)p + 6, s.len);
		uint64_t v;
		if (vg_lx_num(&t, 65535, &v) && (t.len == 0 || t.p[0] == ' ' || t.p[0] == ':')) {
			at = p;
			port = v;
			port_end = (size_t)(t.p - s.p);
			break;
		}
		scan.len = (size_t)p;
	}
	struct vg_str head;
	if (at >= 0) {
		head = vg_lx_sub(s, 0, (size_t)at);
		*rest = vg_lx_sub(s, port_end, s.len);
	} else {
		head = s;
		*rest = vg_str_make(s.p + s.len, 0);
	}
	/* The host is the last word of head; the user is what precedes it. */
	long sp = vg_lx_rfind(head, " ");
	struct vg_str host = sp >= 0 ? vg_lx_sub(head, (size_t)sp + 1, head.len) : head;
	struct vg_str user = sp >= 0 ? vg_lx_sub(head, 0, (size_t)sp) : vg_str_make(head.p, 0);
	if (host.len == 0)
		return false;
	vg_logs_set_src(e, host);
	if (at >= 0)
		e->sport = (uint16_t)port;
	if (sp >= 0)
		e->user = vg_logs_dups(e, user);
	return true;
}

/* Is t ("HOST[ port N][ sshN][: info]" or "HOST via X") a well-formed address tail?
 * Returns 2 when it carries a port, 1 without one, 0 when not well-formed. */
static int from_tail_kind(struct vg_str t, struct vg_addr *a)
{
	struct vg_str host = vg_lx_word(&t);
	memset(a, 0, sizeof(*a));
	if (host.len == 0)
		return 0;
	/* A host name is accepted only where an address could not be (UseDNS yes). */
	if (!vg_logs_parse_ip(host, a)) {
		for (size_t i = 0; i < host.len; i++) {
			char c = host.p[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
				return 0;
		}
	}
	int kind = 1;
	uint64_t v;
	struct vg_str u = t;
	if (vg_lx_eat(&u, " port ") && vg_lx_num(&u, 65535, &v)) {
		kind = 2;
		t = u;
	}
	u = t;
	if (vg_lx_eat(&u, " ssh") && vg_lx_num(&u, 9, &v))
		t = u;
	if (t.len == 0 || vg_str_startswith(t, ": ") || vg_str_startswith(t, " via "))
		return kind;
	return 0;
}

/* "[invalid user ]USER from HOST[ port N][ ssh2][: info]". Both the user name (of a
 * non-existent account: anything the client sent) and the hostbased key info ('client
 * user "..."') can hold " from 1.2.3.4 port 5". Existing accounts are Unix names without
 * spaces and their info may be attacker text, so for them the leftmost well-formed
 * " from " wins; for invalid users the rightmost one does. Candidates whose tail carries
 * a port (sshd has logged it since 5.x) beat port-less ones, and a " from " inside a
 * quoted string never counts. s must be preceded by a space in its buffer (it always
 * follows "for " / "user "), which lets an empty user name ("user  from") match. */
static bool user_from_host_q(struct vg_log_entry *e, struct vg_str s, struct vg_str *rest,
			     bool qualifier)
{
	if (qualifier && (vg_lx_eat(&s, "invalid user ") || vg_lx_eat(&s, "illegal user ")))
		e->invalid_user = true;
	bool rightmost = e->invalid_user;
	struct vg_str w = vg_str_make(s.p - 1, s.len + 1);
	if (w.p[0] != ' ')
		return false;
	long best = -1, best_noport = -1;
	struct vg_addr a, a_best, a_noport; /* each candidate's address, parsed once */
	/* Quote state is tracked left to right so both scan directions agree. Without any
	 * quote (nearly always) the scan jumps from one 'f' to the next. */
	bool quotes = memchr(w.p, '"', w.len) != NULL;
	bool in_quotes = false;
	for (size_t i = 0; i + 6 <= w.len; i++) {
		if (!quotes) {
			const char *f = memchr(w.p + i + 1, 'f', w.len - i - 1);
			if (!f || (size_t)(f - w.p) + 5 > w.len)
				break;
			i = (size_t)(f - w.p) - 1;
		} else if (w.p[i] == '"') {
			in_quotes = !in_quotes;
		}
		if (in_quotes || w.p[i] != ' ' || w.p[i + 1] != 'f' || memcmp(w.p + i, " from ", 6) != 0)
			continue;
		int k = from_tail_kind(vg_lx_sub(w, i + 6, w.len), &a);
		if (k == 2) {
			best = (long)i;
			a_best = a;
			if (!rightmost)
				break;
		} else if (k == 1 && (best_noport < 0 || rightmost)) {
			best_noport = (long)i;
			a_noport = a;
		}
	}
	if (best < 0) {
		best = best_noport;
		a_best = a_noport;
	}
	if (best < 0)
		return false;
	e->user = vg_logs_dup(e, w.p + 1, best > 0 ? (size_t)best - 1 : 0);
	return vg_logs_host_port_parsed(e, vg_lx_sub(w, (size_t)best + 6, w.len), rest, &a_best);
}

static bool user_from_host(struct vg_log_entry *e, struct vg_str s, struct vg_str *rest)
{
	return user_from_host_q(e, s, rest, true);
}

static const char *method_name(struct vg_log_entry *e, struct vg_str m)
{
	static const char *const known[] = { "password", "publickey", "keyboard-interactive",
					     "none", "hostbased", "gssapi-with-mic", "gssapi-keyex" };
	struct vg_str t = m;
	long slash = vg_str_chr(t, '/');
	if (slash >= 0)
		t.len = (size_t)slash; /* keyboard-interactive/pam → keyboard-interactive */
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (vg_str_eq_cstr(t, known[i]))
			return known[i];
	}
	return vg_logs_dups(e, t);
}

/* "Failed|Accepted|Postponed|Partial METHOD for [invalid user ]U from H port P ssh2[: K]" */
static int auth_result(struct vg_log_entry *e, struct vg_str s, const char *action,
		       const char *category, enum vg_outcome oc)
{
	struct vg_str method = vg_lx_word(&s);
	if (method.len == 0 || !vg_lx_eat(&s, " for "))
		return VG_ENOTSUP;
	struct vg_str rest;
	if (!user_from_host(e, s, &rest))
		return VG_ENOTSUP;
	e->auth_method = method_name(e, method);
	vg_lx_skipsp(&rest);
	uint64_t v;
	if (vg_lx_eat(&rest, "ssh")) /* "ssh2", "ssh1" */
		vg_lx_num(&rest, 9, &v);
	if (vg_lx_eat(&rest, ": ") && rest.len)
		e->key_info = vg_logs_dups(e, rest);
	vg_logs_norm(e, P_SSHD, category, action, oc);
	return 0;
}

/* Close/disconnect family: preauth → probe that never authenticated; otherwise the end
 * of a session (or of a connection we cannot classify). */
static int closed(struct vg_log_entry *e, struct vg_str s, bool preauth, const char *reason)
{
	struct vg_str rest;
	if (!user_host_port_r(e, s, &rest))
		return VG_ENOTSUP;
	e->reason = reason;
	if (preauth)
		vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-preauth-disconnect", VG_OUTCOME_FAILURE);
	else
		vg_logs_norm(e, P_SSHD, C_SESS, "ssh-disconnect", VG_OUTCOME_UNKNOWN);
	return 0;
}

/* "Received disconnect from H port P:CODE: TEXT" / old "from H: CODE: TEXT". */
static int received_disconnect(struct vg_log_entry *e, struct vg_str s, bool preauth)
{
	struct vg_str rest;
	if (!vg_logs_host_port(e, s, &rest))
		return VG_ENOTSUP;
	vg_lx_eat(&rest, ":");
	vg_lx_skipsp(&rest);
	uint64_t code;
	if (vg_lx_num(&rest, 1000, &code)) {
		vg_lx_eat(&rest, ":");
		vg_lx_skipsp(&rest);
	}
	if (rest.len)
		e->reason = vg_logs_dups(e, rest);
	/* Old sshd did not tag preauth lines; these reasons only occur before auth. */
	if (vg_str_find(rest, "Auth fail", 9) >= 0 ||
	    vg_str_find(rest, "authentication methods available", 32) >= 0)
		preauth = true;
	if (preauth)
		vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-preauth-disconnect", VG_OUTCOME_FAILURE);
	else
		vg_logs_norm(e, P_SSHD, C_SESS, "ssh-disconnect", VG_OUTCOME_UNKNOWN);
	return 0;
}

/* "Connection from H port P on D port Q[ rdomain "x"]" */
static int connection_from(struct vg_log_entry *e, struct vg_str s)
{
	struct vg_str rest;
	if (!vg_logs_host_port(e, s, &rest))
		return VG_ENOTSUP;
	if (!vg_lx_eat(&rest, " on ")) {
		vg_logs_norm(e, P_SSHD, C_NET, "ssh-connection", VG_OUTCOME_UNKNOWN);
		return 0;
	}
	struct vg_str d = vg_lx_word(&rest);
	uint64_t port;
	if (vg_logs_parse_ip(d, &e->dst) && vg_lx_eat(&rest, " port ") &&
	    vg_lx_num(&rest, 65535, &port))
		e->dport = (uint16_t)port;
	vg_logs_norm(e, P_SSHD, C_NET, "ssh-connection", VG_OUTCOME_UNKNOWN);
	return 0;
}

/* "PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=H  user=U"
 * and "PAM 1 more authentication failure; ..." (sshd's summary of PAM retries). */
static int pam_more(struct vg_log_entry *e, struct vg_str s)
{
	uint64_t n;
	if (!vg_lx_num(&s, 1000000, &n) || !vg_lx_eat(&s, " more authentication failure"))
		return VG_ENOTSUP;
	e->attempts = (unsigned)n;
	long r = vg_str_find(s, "rhost=", 6);
	if (r >= 0) {
		struct vg_str t = vg_lx_sub(s, (size_t)r + 6, s.len);
		struct vg_str h = vg_lx_word(&t);
		if (h.len && vg_str_chr(h, '=') < 0)
			vg_logs_set_src(e, h);
	}
	long u = vg_lx_rfind(s, " user=");
	if (u >= 0)
		e->user = vg_logs_dups(e, vg_lx_sub(s, (size_t)u + 6, s.len));
	e->service = "sshd";
	vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-pam-auth-failures", VG_OUTCOME_FAILURE);
	return 0;
}

static int set_reason_tail(struct vg_log_entry *e, struct vg_str rest)
{
	vg_lx_eat(&rest, ":");
	vg_lx_skipsp(&rest);
	if (rest.len)
		e->reason = vg_logs_dups(e, rest);
	return 0;
}

int vg_logs_sshd(struct vg_log_entry *e, struct vg_str msg)
{
	struct vg_str s = vg_str_trim(msg);
	struct vg_str rest;
	bool preauth = vg_lx_chop(&s, " [preauth]") || vg_lx_chop(&s, "[preauth]");
	if (!preauth)
		vg_lx_chop(&s, " [net]");
	/* Level prefixes sshd adds for error()/fatal() and old "Disconnecting: " forms. */
	/* Solaris/illumos message ids: "[ID 800047 auth.info] ". */
	if (s.len > 4 && memcmp(s.p, "[ID ", 4) == 0) {
		long rb = vg_str_chr(s, ']');
		if (rb > 0) {
			s = vg_lx_sub(s, (size_t)rb + 1, s.len);
			vg_lx_skipsp(&s);
		}
	}
	if (!vg_lx_eat(&s, "error: ") && !vg_lx_eat(&s, "fatal: "))
		vg_lx_eat(&s, "debug1: ");
	e->service = "sshd";
	if (s.len == 0)
		goto unknown;

	switch (s.p[0]) {
	case 'A':
		if (vg_lx_eat(&s, "Accepted "))
			return auth_result(e, s, "ssh-login-success", C_AUTH, VG_OUTCOME_SUCCESS);
		if (vg_lx_eat(&s, "Address ") &&
		    (vg_str_find(s, "POSSIBLE BREAK-IN", 17) >= 0 ||
		     vg_str_find(s, "does not map back to the address", 32) >= 0)) {
			/* "Address IP maps to NAME, but this does not map back to the address" */
			struct vg_str w = vg_lx_word(&s);
			vg_logs_set_src(e, w);
			vg_logs_norm(e, P_SSHD, C_NET, "ssh-reverse-mapping-failed",
				     VG_OUTCOME_UNKNOWN);
			return 0;
		}
		break;
	case 'B':
		if (vg_lx_eat(&s, "Bad protocol version identification ")) {
			/* "'GET / HTTP/1.1' from H port P": the banner is attacker text. */
			long f = vg_lx_rfind(s, " from ");
			if (f < 0)
				break;
			struct vg_str banner = vg_lx_sub(s, 0, (size_t)f);
			vg_lx_eat(&banner, "'");
			vg_lx_chop(&banner, "'");
			e->reason = vg_logs_dups(e, banner);
			vg_logs_host_port(e, vg_lx_sub(s, (size_t)f + 6, s.len), NULL);
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-bad-protocol", VG_OUTCOME_FAILURE);
			return 0;
		}
		break;
	case 'C':
		if (vg_lx_eat(&s, "Connection closed by "))
			return closed(e, s, preauth, "connection closed");
		if (vg_lx_eat(&s, "Connection reset by "))
			return closed(e, s, preauth, "connection reset");
		if (vg_lx_eat(&s, "Connection from "))
			return connection_from(e, s);
		if (vg_lx_eat(&s, "Close session: ")) {
			vg_lx_eat(&s, "user ");
			long f = vg_lx_rfind(s, " from ");
			if (f < 0)
				break;
			e->user = vg_logs_dup(e, s.p, (size_t)f);
			vg_logs_host_port(e, vg_lx_sub(s, (size_t)f + 6, s.len), NULL);
			vg_logs_norm(e, P_SSHD, C_SESS, "ssh-session-close", VG_OUTCOME_SUCCESS);
			return 0;
		}
		break;
	case 'D':
		if (vg_lx_eat(&s, "Did not receive identification string from ")) {
			vg_logs_host_port(e, s, NULL);
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-no-identification",
				     VG_OUTCOME_FAILURE);
			return 0;
		}
		if (vg_lx_eat(&s, "Disconnected from "))
			return closed(e, s, preauth, "disconnected");
		if (vg_lx_eat(&s, "Disconnecting: Too many authentication failures")) {
			/* OpenSSH < 7.x: "... for [invalid user ]root" without the address. */
			if (vg_lx_eat(&s, " for ")) {
				eat_user_qualifier(e, &s);
				e->user = vg_logs_dups(e, s);
			}
			e->reason = "too many authentication failures";
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-max-auth-attempts", VG_OUTCOME_FAILURE);
			return 0;
		}
		if (vg_lx_eat(&s, "Disconnecting ")) {
			/* "Disconnecting [invalid|authenticating] user U H port P: REASON" */
			long colon = vg_lx_rfind(s, ": ");
			struct vg_str who = s, why = { 0 };
			/* The reason is sshd's own text; it follows the ": " after the port. */
			long pp = vg_lx_rfind(s, " port ");
			if (pp >= 0) {
				struct vg_str t = vg_lx_sub(s, (size_t)pp + 6, s.len);
				uint64_t v;
				if (vg_lx_num(&t, 65535, &v) && vg_lx_eat(&t, ": ")) {
					why = t;
					who = vg_lx_sub(s, 0, (size_t)(t.p - s.p) - 2);
				}
			} else if (colon >= 0) {
				why = vg_lx_sub(s, (size_t)colon + 2, s.len);
				who = vg_lx_sub(s, 0, (size_t)colon);
			}
			if (!user_host_port_r(e, who, &rest))
				break;
			if (why.p && vg_str_startswith(why, "Too many authentication failures")) {
				e->reason = "too many authentication failures";
				vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-max-auth-attempts",
					     VG_OUTCOME_FAILURE);
				return 0;
			}
			if (why.len)
				e->reason = vg_logs_dups(e, why);
			if (preauth)
				vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-preauth-disconnect",
					     VG_OUTCOME_FAILURE);
			else
				vg_logs_norm(e, P_SSHD, C_SESS, "ssh-disconnect", VG_OUTCOME_UNKNOWN);
			return 0;
		}
		break;
	case 'F':
		if (vg_lx_eat(&s, "Failed "))
			return auth_result(e, s, "ssh-login-failed", C_AUTH, VG_OUTCOME_FAILURE);
		break;
	case 'I':
		if (vg_lx_eat(&s, "Invalid user ") || vg_lx_eat(&s, "Illegal user ")) {
			/* "Invalid user U from H[ port P]"; U may be empty or hold spaces. */
			e->invalid_user = true;
			if (!user_from_host_q(e, s, NULL, false))
				break;
			e->invalid_user = true;
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-invalid-user", VG_OUTCOME_FAILURE);
			return 0;
		}
		break;
	case 'P':
		if (vg_lx_eat(&s, "PAM: Authentication failure for ") ||
		    vg_lx_eat(&s, "PAM: authentication failure for ") ||
		    vg_lx_eat(&s, "PAM: Authentication error for ") ||
		    vg_lx_eat(&s, "PAM: authentication error for ") ||
		    vg_lx_eat(&s, "PAM: unknown user for ") ||
		    vg_lx_eat(&s, "PAM: User not known to the underlying authentication module for ")) {
			/* OpenSSH 3.x-5.x: "PAM: Authentication failure for [illegal user ]U from H" */
			if (!user_from_host(e, s, NULL))
				break;
			e->auth_method = "keyboard-interactive";
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-login-failed", VG_OUTCOME_FAILURE);
			return 0;
		}
		if (vg_lx_eat(&s, "PAM "))
			return pam_more(e, s);
		if (vg_lx_eat(&s, "Postponed "))
			return auth_result(e, s, "ssh-auth-postponed", C_AUTH, VG_OUTCOME_UNKNOWN);
		if (vg_lx_eat(&s, "Partial "))
			return auth_result(e, s, "ssh-auth-partial", C_AUTH, VG_OUTCOME_UNKNOWN);
		if (vg_lx_eat(&s, "Protocol major versions differ")) {
			/* " for 192.0.2.1: SSH-2.0-x vs. SSH-1.5-y", (9.x) " for 192.0.2.1 port 22:
			 * SSH-2.0-x vs. SSH-1.5-y" or ": 2 vs. 1" */
			if (vg_lx_eat(&s, " for "))
				vg_logs_host_port(e, s, NULL);
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-bad-protocol", VG_OUTCOME_FAILURE);
			return 0;
		}
		break;
	case 'R':
		if (vg_lx_eat(&s, "ROOT LOGIN REFUSED FROM ")) {
			vg_logs_host_port(e, s, NULL);
			e->user = "root";
			e->reason = "root login refused";
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-user-not-allowed", VG_OUTCOME_FAILURE);
			return 0;
		}
		if (vg_lx_eat(&s, "Read from socket failed: ") && preauth) {
			e->reason = vg_logs_dups(e, s);
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-preauth-disconnect", VG_OUTCOME_FAILURE);
			return 0;
		}
		if (vg_lx_eat(&s, "Received disconnect from "))
			return received_disconnect(e, s, preauth);
		if (vg_lx_eat(&s, "Received signal ")) {
			vg_logs_norm(e, P_SSHD, C_PROC, "ssh-server-stop", VG_OUTCOME_UNKNOWN);
			return 0;
		}
		break;
	case 'S':
		if (vg_lx_eat(&s, "Server listening on ")) {
			vg_logs_norm(e, P_SSHD, C_PROC, "ssh-server-start", VG_OUTCOME_SUCCESS);
			return 0;
		}
		if (vg_lx_eat(&s, "Starting session: ")) {
			/* "shell on pts/0 for U from H port P id 0", "command for U from ..." */
			long fo = vg_str_find(s, " for ", 5);
			if (fo < 0)
				break;
			struct vg_str t = vg_lx_sub(s, (size_t)fo + 5, s.len);
			long f = vg_lx_rfind(t, " from ");
			if (f < 0)
				break;
			e->user = vg_logs_dup(e, t.p, (size_t)f);
			vg_logs_host_port(e, vg_lx_sub(t, (size_t)f + 6, t.len), NULL);
			vg_logs_norm(e, P_SSHD, C_SESS, "ssh-session-start", VG_OUTCOME_SUCCESS);
			return 0;
		}
		break;
	case 'W':
		if (vg_lx_eat(&s, "Write failed: ") && preauth) {
			e->reason = vg_logs_dups(e, s);
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-preauth-disconnect", VG_OUTCOME_FAILURE);
			return 0;
		}
		break;
	case 'T':
		if (vg_lx_eat(&s, "Timeout before authentication for ")) {
			vg_lx_eat(&s, "connection from ");
			vg_logs_host_port(e, s, NULL);
			e->reason = "timeout before authentication";
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-preauth-disconnect", VG_OUTCOME_FAILURE);
			return 0;
		}
		break;
	case 'U':
		if (vg_lx_eat(&s, "Unable to negotiate a key exchange method")) {
			e->reason = "no matching key exchange method";
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-kex-error", VG_OUTCOME_FAILURE);
			return 0;
		}
		if (vg_lx_eat(&s, "Unable to negotiate with ")) {
			if (!vg_logs_host_port(e, s, &rest))
				break;
			set_reason_tail(e, rest);
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-kex-error", VG_OUTCOME_FAILURE);
			return 0;
		}
		if (vg_lx_eat(&s, "User ")) {
			/* "User U from H not allowed because R" / "User U not allowed because R" */
			long na = vg_lx_rfind(s, " not allowed because ");
			if (na < 0)
				break;
			struct vg_str who = vg_lx_sub(s, 0, (size_t)na);
			e->reason = vg_logs_dups(e, vg_lx_sub(s, (size_t)na + 21, s.len));
			long f = vg_lx_rfind(who, " from ");
			if (f >= 0) {
				e->user = vg_logs_dup(e, who.p, (size_t)f);
				vg_logs_set_src(e, vg_lx_sub(who, (size_t)f + 6, who.len));
			} else {
				e->user = vg_logs_dups(e, who);
			}
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-user-not-allowed", VG_OUTCOME_FAILURE);
			return 0;
		}
		break;
	case 'b':
		if (vg_lx_eat(&s, "banner exchange: Connection from ")) {
			if (!vg_logs_host_port(e, s, &rest))
				break;
			set_reason_tail(e, rest);
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-bad-protocol", VG_OUTCOME_FAILURE);
			return 0;
		}
		break;
	case 'd':
		if (vg_lx_eat(&s, "drop connection #")) {
			/* "drop connection #3 from [1.2.3.4]:5555 on [10.0.0.1]:22 past MaxStartups" */
			uint64_t n, port;
			if (!vg_lx_num(&s, UINT32_MAX, &n) || !vg_lx_eat(&s, " from "))
				break;
			struct vg_str w = vg_lx_word(&s);
			long rb = vg_lx_rfind(w, "]:");
			if (rb > 0) {
				struct vg_str pt = vg_lx_sub(w, (size_t)rb + 2, w.len);
				if (vg_lx_num(&pt, 65535, &port))
					e->sport = (uint16_t)port;
				w = vg_lx_sub(w, 0, (size_t)rb + 1);
			}
			vg_logs_set_src(e, w);
			vg_logs_norm(e, P_SSHD, C_NET, "ssh-maxstartups-drop", VG_OUTCOME_FAILURE);
			return 0;
		}
		break;
	case 'k':
		if (vg_lx_eat(&s, "kex_exchange_identification: ") ||
		    vg_lx_eat(&s, "kex_protocol_error: ")) {
			/* No address on these lines: sshd logs it on the next line. */
			e->reason = vg_logs_dups(e, s);
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-kex-error", VG_OUTCOME_FAILURE);
			return 0;
		}
		break;
	case 'm':
		if (vg_lx_eat(&s, "maximum authentication attempts exceeded for ")) {
			if (!user_from_host(e, s, NULL))
				break;
			e->reason = "maximum authentication attempts exceeded";
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-max-auth-attempts", VG_OUTCOME_FAILURE);
			return 0;
		}
		break;
	case 'n':
		if (vg_str_startswith(s, "no matching ") && vg_str_find(s, " found", 6) > 0) {
			/* Pre-7.x "fatal: no matching mac found: client ... server ..." */
			e->reason = vg_logs_dups(e, s);
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-kex-error", VG_OUTCOME_FAILURE);
			return 0;
		}
		break;
	case 'r':
		if (vg_lx_eat(&s, "reverse mapping checking getaddrinfo for ")) {
			/* "NAME [IP] failed - POSSIBLE BREAK-IN ATTEMPT!" */
			long lb = vg_str_chr(s, '['), rb = vg_str_chr(s, ']');
			if (lb < 0 || rb < lb)
				break;
			vg_logs_set_src(e, vg_lx_sub(s, (size_t)lb + 1, (size_t)rb));
			vg_logs_norm(e, P_SSHD, C_NET, "ssh-reverse-mapping-failed",
				     VG_OUTCOME_UNKNOWN);
			return 0;
		}
		if (vg_lx_eat(&s, "refused connect from ")) {
			/* tcp_wrappers: "refused connect from NAME (IP)" */
			long lp = vg_str_chr(s, '('), rp = vg_str_chr(s, ')');
			if (lp >= 0 && rp > lp)
				vg_logs_set_src(e, vg_lx_sub(s, (size_t)lp + 1, (size_t)rp));
			else
				vg_logs_set_src(e, vg_lx_word(&s));
			vg_logs_norm(e, P_SSHD, C_NET, "ssh-connection-refused", VG_OUTCOME_FAILURE);
			return 0;
		}
		break;
	case 's':
		if (vg_lx_eat(&s, "srclimit_penalise: ")) {
			/* OpenSSH 9.8 PerSourcePenalties: "ipv4: new 192.0.2.1/32 deferred penalty
			 * of 10 seconds for reason: penalty: failed authentication" */
			long n = vg_str_find(s, ": new ", 6);
			if (n < 0)
				break;
			struct vg_str t = vg_lx_sub(s, (size_t)n + 6, s.len);
			struct vg_str w = vg_lx_word(&t);
			long sl = vg_str_chr(w, '/');
			if (sl > 0)
				w.len = (size_t)sl;
			if (!vg_logs_set_src(e, w))
				break;
			long r = vg_str_find(t, "reason: ", 8);
			if (r >= 0)
				e->reason = vg_logs_dups(e, vg_lx_sub(t, (size_t)r + 8, t.len));
			vg_logs_norm(e, P_SSHD, C_NET, "ssh-source-penalised", VG_OUTCOME_FAILURE);
			return 0;
		}
		if (vg_lx_eat(&s, "ssh_dispatch_run_fatal: Connection from ")) {
			if (!user_host_port_r(e, s, &rest))
				break;
			set_reason_tail(e, rest);
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-kex-error", VG_OUTCOME_FAILURE);
			return 0;
		}
		break;
	case 'u':
		if (vg_str_startswith(s, "userauth_pubkey: key type ") ||
		    vg_str_startswith(s, "userauth_hostbased: key type ")) {
			/* OpenSSH 8.5+: "userauth_pubkey: key type ssh-rsa not in
			 * PubkeyAcceptedAlgorithms [preauth]" (older: PubkeyAcceptedKeyTypes). The
			 * client offered an algorithm the server refuses; no address on the line. */
			long c = vg_str_find(s, ": ", 2);
			struct vg_str why = vg_lx_sub(s, (size_t)c + 2, s.len);
			if (vg_str_find(why, " not in ", 8) < 0)
				break;
			e->reason = vg_logs_dups(e, why);
			vg_logs_norm(e, P_SSHD, C_AUTH, "ssh-kex-error", VG_OUTCOME_FAILURE);
			return 0;
		}
		break;
	default:
		break;
	}
unknown:
	e->service = NULL;
	e->user = NULL;
	e->invalid_user = false;
	memset(&e->src, 0, sizeof(e->src));
	e->sport = 0;
	e->src_host = NULL;
	e->reason = NULL;
	return VG_ENOTSUP;
}
