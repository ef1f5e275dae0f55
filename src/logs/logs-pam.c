/* logs-pam.c — PAM module messages logged through any program (sshd, sudo, su, login,
 * cron, vsftpd, ...) and login(1)'s own messages.
 *
 * Forms: "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh
 * ruser= rhost=1.2.3.4  user=root", "pam_unix: ..." (no service), old "(pam_unix) ..."
 * and tags like "pop(pam_unix)[4920]: authentication failure; ...". The PAM service in
 * "(service:type)" becomes entry.service (else the program name).
 *
 * Who is who: PAM's "user=" is the account being authenticated, "ruser=" the requesting
 * user. When both are set and differ (su, sudo), user.name is the requester and
 * target_user the account asked for, matching the sudo/su parsers. */
#include "logs/logs-int.h"

#include "core/core-error.h"

#define P_PAM "pam"

/* Value of " key=" in a "k=v k=v" list; the last key (user=) takes the rest of s. */
static bool kv(struct vg_str s, const char *key, bool to_end, struct vg_str *out)
{
	char pat[24];
	size_t kl = strlen(key);
	if (kl + 2 > sizeof(pat))
		return false;
	pat[0] = ' ';
	memcpy(pat + 1, key, kl);
	pat[kl + 1] = '=';
	pat[kl + 2] = '\0';
	long at = vg_str_find(s, pat, kl + 2);
	struct vg_str t;
	if (at < 0) {
		/* The key can also open the list ("logname=..." right after "; "). */
		t = s;
		if (!(t.len > kl && memcmp(t.p, key, kl) == 0 && t.p[kl] == '='))
			return false;
		t = vg_lx_sub(t, kl + 1, t.len);
	} else {
		t = vg_lx_sub(s, (size_t)at + kl + 2, s.len);
	}
	if (to_end) {
		*out = vg_str_trim(t);
		return true;
	}
	size_t i = 0;
	while (i < t.len && t.p[i] != ' ')
		i++;
	*out = vg_lx_sub(t, 0, i);
	return true;
}

/* "authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=H  user=U" */
static void auth_fields(struct vg_log_entry *e, struct vg_str s)
{
	struct vg_str user = { 0 }, ruser = { 0 }, rhost, tty, logname = { 0 };
	kv(s, "user", true, &user);
	kv(s, "ruser", false, &ruser);
	kv(s, "logname", false, &logname);
	if (kv(s, "rhost", false, &rhost) && rhost.len)
		vg_logs_set_src(e, rhost);
	if (kv(s, "tty", false, &tty) && tty.len)
		e->tty = vg_logs_dups(e, tty);
	if (user.len && ruser.len && !vg_str_eq(user, ruser)) {
		e->user = vg_logs_dups(e, ruser);
		e->target_user = vg_logs_dups(e, user);
	} else if (user.len) {
		e->user = vg_logs_dups(e, user);
	} else if (ruser.len) {
		e->user = vg_logs_dups(e, ruser);
	} else if (logname.len) {
		e->user = vg_logs_dups(e, logname);
	}
}

/* "U(uid=N)" → U */
static struct vg_str strip_uid(struct vg_str u)
{
	long p = vg_str_chr(u, '(');
	if (p >= 0)
		u.len = (size_t)p;
	return u;
}

static int pam_text(struct vg_log_entry *e, struct vg_str s)
{
	struct vg_str t = s;
	if (vg_lx_eat(&t, "authentication failure")) {
		auth_fields(e, t);
		vg_logs_norm(e, P_PAM, "authentication", "pam-auth-failure", VG_OUTCOME_FAILURE);
		return 0;
	}
	if (vg_lx_eat(&t, "check pass; user unknown")) {
		vg_logs_norm(e, P_PAM, "authentication", "pam-user-unknown", VG_OUTCOME_FAILURE);
		return 0;
	}
	if (vg_lx_eat(&t, "auth could not identify password for [")) {
		vg_lx_chop(&t, "]");
		e->user = vg_logs_dups(e, t);
		vg_logs_norm(e, P_PAM, "authentication", "pam-auth-failure", VG_OUTCOME_FAILURE);
		return 0;
	}
	if (vg_lx_eat(&t, "session opened for user ")) {
		/* "root(uid=0) by alice(uid=1000)", "labuser by (uid=0)" */
		long by = vg_lx_rfind(t, " by ");
		struct vg_str who = by >= 0 ? vg_lx_sub(t, 0, (size_t)by) : t;
		struct vg_str by_user =
			by >= 0 ? strip_uid(vg_lx_sub(t, (size_t)by + 4, t.len)) : vg_str_make(t.p, 0);
		who = strip_uid(who);
		if (by_user.len && !vg_str_eq(by_user, who)) {
			e->user = vg_logs_dups(e, by_user);
			e->target_user = vg_logs_dups(e, who);
		} else {
			e->user = vg_logs_dups(e, who);
		}
		vg_logs_norm(e, P_PAM, "session", "pam-session-open", VG_OUTCOME_SUCCESS);
		return 0;
	}
	if (vg_lx_eat(&t, "session closed for user ")) {
		e->user = vg_logs_dups(e, strip_uid(vg_str_trim(t)));
		vg_logs_norm(e, P_PAM, "session", "pam-session-close", VG_OUTCOME_SUCCESS);
		return 0;
	}
	if (vg_lx_eat(&t, "Consecutive login failures for user ")) {
		/* pam_faillock: "... for user root account temporarily locked" */
		struct vg_str u = vg_lx_word(&t);
		e->user = vg_logs_dups(e, u);
		vg_logs_norm(e, P_PAM, "authentication", "pam-account-locked", VG_OUTCOME_FAILURE);
		return 0;
	}
	if (vg_lx_eat(&t, "user ") && vg_str_find(t, " tally ", 7) > 0 &&
	    vg_str_find(t, ", deny ", 7) > 0) {
		/* pam_tally2: "user root (0) tally 4, deny 3" */
		e->user = vg_logs_dups(e, vg_lx_word(&t));
		vg_logs_norm(e, P_PAM, "authentication", "pam-account-locked", VG_OUTCOME_FAILURE);
		return 0;
	}
	t = s;
	if (vg_lx_eat(&t, "received for user ")) {
		/* pam_sss: "received for user x: 7 (Authentication failure)" */
		long c = vg_lx_rfind(t, ": ");
		if (c < 0)
			return VG_ENOTSUP;
		e->user = vg_logs_dup(e, t.p, (size_t)c);
		struct vg_str why = vg_lx_sub(t, (size_t)c + 2, t.len);
		if (vg_str_find(why, "User not known", 14) >= 0)
			vg_logs_norm(e, P_PAM, "authentication", "pam-user-unknown", VG_OUTCOME_FAILURE);
		else if (vg_str_find(why, "Authentication failure", 22) >= 0)
			vg_logs_norm(e, P_PAM, "authentication", "pam-auth-failure", VG_OUTCOME_FAILURE);
		else
			return VG_ENOTSUP;
		return 0;
	}
	return VG_ENOTSUP;
}

int vg_logs_pam(struct vg_log_entry *e, struct vg_str msg)
{
	struct vg_str s = vg_str_trim(msg);
	vg_lx_chop(&s, " [preauth]");
	struct vg_str module = { 0 }, svc = { 0 };
	if (vg_lx_eat(&s, "(pam_")) {
		/* "(pam_unix) authentication failure; ..." */
		long rp = vg_str_chr(s, ')');
		if (rp < 0)
			return VG_ENOTSUP;
		module = vg_lx_sub(s, 0, (size_t)rp);
		s = vg_lx_sub(s, (size_t)rp + 1, s.len);
	} else if (vg_lx_eat(&s, "pam_")) {
		size_t i = 0;
		while (i < s.len && s.p[i] != '(' && s.p[i] != ':' && s.p[i] != ' ')
			i++;
		module = vg_lx_sub(s, 0, i);
		s = vg_lx_sub(s, i, s.len);
		if (s.len && s.p[0] == '(') {
			long rp = vg_str_chr(s, ')');
			if (rp < 0)
				return VG_ENOTSUP;
			struct vg_str in = vg_lx_sub(s, 1, (size_t)rp);
			long colon = vg_str_chr(in, ':');
			svc = colon >= 0 ? vg_lx_sub(in, 0, (size_t)colon) : in;
			s = vg_lx_sub(s, (size_t)rp + 1, s.len);
		}
		if (!vg_lx_eat(&s, ":"))
			return VG_ENOTSUP;
	} else if (e->app_name && strstr(e->app_name, "(pam_")) {
		/* Tag "pop(pam_unix)": the message is the bare text. */
		const char *a = e->app_name;
		svc = vg_str_make(a, (size_t)(strstr(a, "(pam_") - a));
	} else {
		return VG_ENOTSUP;
	}
	(void)module;
	vg_lx_skipsp(&s);
	int rc = pam_text(e, s);
	if (rc != 0) {
		e->user = e->target_user = e->tty = e->src_host = NULL;
		memset(&e->src, 0, sizeof(e->src));
		return rc;
	}
	e->service = svc.len ? vg_logs_dups(e, svc) : e->app_name;
	return 0;
}

/* login(1) (util-linux and shadow): "FAILED LOGIN (1) on '/dev/tty1' FOR 'root',
 * Authentication failure", "FAILED LOGIN 1 FROM host FOR user, Authentication failure",
 * "TOO MANY LOGIN TRIES (5) on '/dev/tty1' FOR 'root'", "ROOT LOGIN ON tty1 [FROM h]",
 * "LOGIN ON tty1 BY alice [FROM h]". */
static struct vg_str unquote(struct vg_str s)
{
	s = vg_str_trim(s);
	if (s.len >= 2 && s.p[0] == '\'' && s.p[s.len - 1] == '\'')
		s = vg_lx_sub(s, 1, s.len - 1);
	return s;
}

int vg_logs_login(struct vg_log_entry *e, struct vg_str msg)
{
	struct vg_str s = vg_str_trim(msg);
	bool failed = vg_str_startswith(s, "FAILED LOGIN") ||
		      vg_str_startswith(s, "TOO MANY LOGIN TRIES");
	bool ok = vg_str_startswith(s, "ROOT LOGIN ON ") || vg_str_startswith(s, "LOGIN ON ");
	if (!failed && !ok)
		return VG_ENOTSUP;
	long from = vg_str_find(s, " FROM ", 6);
	long on = vg_str_find(s, " on ", 4);
	if (on < 0)
		on = vg_str_find(s, " ON ", 4);
	if (failed) {
		long f = vg_lx_rfind(s, " FOR ");
		if (f >= 0) {
			struct vg_str u = vg_lx_sub(s, (size_t)f + 5, s.len);
			long comma = vg_lx_rfind(u, ", ");
			if (comma >= 0) {
				e->reason = vg_logs_dups(e, vg_lx_sub(u, (size_t)comma + 2, u.len));
				u.len = (size_t)comma;
			}
			e->user = vg_logs_dups(e, unquote(u));
		}
		if (from >= 0 && (f < 0 || from < f)) {
			struct vg_str h = unquote(vg_lx_sub(s, (size_t)from + 6, f >= 0 ? (size_t)f : s.len));
			if (!vg_str_eq_cstr(h, "(null)")) /* util-linux prints "(null)" for local */
				vg_logs_set_src(e, h);
		}
		if (on >= 0) {
			struct vg_str t = vg_lx_sub(s, (size_t)on + 4, s.len);
			e->tty = vg_logs_dups(e, unquote(vg_lx_word(&t)));
		}
		vg_logs_norm(e, "login", "authentication", "login-failure", VG_OUTCOME_FAILURE);
	} else {
		struct vg_str t = s;
		if (vg_lx_eat(&t, "ROOT LOGIN ON ")) {
			e->user = "root";
		} else {
			vg_lx_eat(&t, "LOGIN ON ");
		}
		e->tty = vg_logs_dups(e, unquote(vg_lx_word(&t)));
		long by = vg_str_find(t, " BY ", 4);
		if (by >= 0) {
			struct vg_str u = vg_lx_sub(t, (size_t)by + 4, t.len);
			e->user = vg_logs_dups(e, vg_lx_word(&u));
		}
		if (from >= 0) {
			struct vg_str h = vg_lx_sub(s, (size_t)from + 6, s.len);
			vg_logs_set_src(e, vg_lx_word(&h));
		}
		vg_logs_norm(e, "login", "authentication", "login-success", VG_OUTCOME_SUCCESS);
	}
	e->service = "login";
	return 0;
}
