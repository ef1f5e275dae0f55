/* logs-sudo.c — sudo and su messages.
 *
 * sudo (1.8/1.9, syslog): "alice : 3 incorrect password attempts ; TTY=pts/0 ;
 * PWD=/home/alice ; USER=root ; COMMAND=/bin/bash"; the first " ; " field is a reason
 * when it is not KEY=value, and COMMAND= is always last and may itself hold " ; ".
 * With sudoers' log_host the user is followed by " : HOST=name".
 *
 * su: util-linux "(to root) alice on pts/1" / "FAILED SU (to root) alice on pts/0",
 * shadow-utils "Successful su for root by alice" / "FAILED su for root by alice" /
 * "+ pts/1 alice:root" / "- pts/1 alice:root", BSD "BAD SU alice to root on /dev/ttyp0".
 * user = who ran su, target_user = the account asked for. */
#include "logs/logs-int.h"

#include "core/core-error.h"

static bool sudo_kv(struct vg_log_entry *e, struct vg_str f)
{
	if (vg_lx_eat(&f, "TTY="))
		e->tty = vg_logs_dups(e, f);
	else if (vg_lx_eat(&f, "PWD="))
		e->cwd = vg_logs_dups(e, f);
	else if (vg_lx_eat(&f, "USER="))
		e->target_user = vg_logs_dups(e, f);
	else if (vg_lx_eat(&f, "HOST="))
		; /* log_host: the host is already in the header */
	else if (!(vg_lx_eat(&f, "GROUP=") || vg_lx_eat(&f, "TSID=") || vg_lx_eat(&f, "ENV=") ||
		   vg_lx_eat(&f, "CHROOT=") || vg_lx_eat(&f, "CWD=")))
		return false;
	return true;
}

int vg_logs_sudo(struct vg_log_entry *e, struct vg_str msg)
{
	struct vg_str s = vg_str_trim(msg);
	long c = vg_str_find(s, " : ", 3);
	if (c <= 0)
		return VG_ENOTSUP;
	struct vg_str user = vg_str_trim(vg_lx_sub(s, 0, (size_t)c));
	if (user.len == 0 || vg_str_chr(user, ' ') >= 0)
		return VG_ENOTSUP;
	s = vg_lx_sub(s, (size_t)c + 3, s.len);
	/* "HOST=x : TTY=..." (log_host) */
	if (vg_str_startswith(s, "HOST=")) {
		long c2 = vg_str_find(s, " : ", 3);
		if (c2 > 0)
			s = vg_lx_sub(s, (size_t)c2 + 3, s.len);
	}
	struct vg_str reason = { 0 };
	bool any_kv = false;
	while (s.len) {
		if (vg_lx_eat(&s, "COMMAND=")) {
			e->command = vg_logs_dups(e, vg_str_trim(s));
			any_kv = true;
			break;
		}
		long sc = vg_str_find(s, " ; ", 3);
		struct vg_str f = sc >= 0 ? vg_lx_sub(s, 0, (size_t)sc) : s;
		s = sc >= 0 ? vg_lx_sub(s, (size_t)sc + 3, s.len) : vg_str_make(s.p + s.len, 0);
		f = vg_str_trim(f);
		if (sudo_kv(e, f))
			any_kv = true;
		else if (!reason.p && !any_kv)
			reason = f;
	}
	if (!any_kv)
		goto unknown;
	e->user = vg_logs_dups(e, user);
	e->service = "sudo";
	if (!reason.p) {
		vg_logs_norm(e, "sudo", "process", "sudo-command", VG_OUTCOME_SUCCESS);
		return 0;
	}
	e->reason = vg_logs_dups(e, reason);
	struct vg_str r = reason;
	uint64_t n;
	if (vg_lx_num(&r, 1000000, &n) && vg_lx_eat(&r, " incorrect password attempt")) {
		e->attempts = (unsigned)n;
		vg_logs_norm(e, "sudo", "authentication", "sudo-auth-failure", VG_OUTCOME_FAILURE);
	} else if (vg_str_eq_cstr(reason, "user NOT in sudoers") ||
		   vg_str_startswith(reason, "user NOT authorized on host")) {
		vg_logs_norm(e, "sudo", "authentication", "sudo-not-in-sudoers", VG_OUTCOME_FAILURE);
	} else if (vg_str_eq_cstr(reason, "command not allowed")) {
		vg_logs_norm(e, "sudo", "authentication", "sudo-command-denied", VG_OUTCOME_FAILURE);
	} else if (vg_str_eq_cstr(reason, "a password is required") ||
		   vg_str_startswith(reason, "a terminal is required to read the password") ||
		   vg_str_startswith(reason, "PAM authentication error") ||
		   vg_str_startswith(reason, "authentication failure")) {
		vg_logs_norm(e, "sudo", "authentication", "sudo-auth-failure", VG_OUTCOME_FAILURE);
	} else {
		goto unknown;
	}
	return 0;
unknown:
	e->user = e->target_user = e->tty = e->cwd = e->command = e->reason = NULL;
	e->service = NULL;
	e->attempts = 0;
	return VG_ENOTSUP;
}

/* "alice:root" of the shadow-utils "+ tty alice:root" form. */
static bool su_pair(struct vg_log_entry *e, struct vg_str s)
{
	struct vg_str tty = vg_lx_word(&s);
	vg_lx_skipsp(&s);
	long colon = vg_str_chr(s, ':');
	if (tty.len == 0 || colon <= 0 || (size_t)colon + 1 >= s.len)
		return false;
	e->tty = vg_logs_dups(e, tty);
	e->user = vg_logs_dup(e, s.p, (size_t)colon);
	e->target_user = vg_logs_dups(e, vg_lx_sub(s, (size_t)colon + 1, s.len));
	return true;
}

/* "(to root) alice on pts/1" */
static bool su_to(struct vg_log_entry *e, struct vg_str s)
{
	if (!vg_lx_eat(&s, "(to "))
		return false;
	long rp = vg_str_chr(s, ')');
	if (rp <= 0)
		return false;
	e->target_user = vg_logs_dup(e, s.p, (size_t)rp);
	s = vg_lx_sub(s, (size_t)rp + 1, s.len);
	vg_lx_skipsp(&s);
	long on = vg_lx_rfind(s, " on ");
	struct vg_str who = on >= 0 ? vg_lx_sub(s, 0, (size_t)on) : s;
	if (who.len == 0)
		return false;
	e->user = vg_logs_dups(e, who);
	if (on >= 0)
		e->tty = vg_logs_dups(e, vg_lx_sub(s, (size_t)on + 4, s.len));
	return true;
}

/* "for root by alice" */
static bool su_for_by(struct vg_log_entry *e, struct vg_str s)
{
	long by = vg_lx_rfind(s, " by ");
	if (by <= 0)
		return false;
	e->target_user = vg_logs_dup(e, s.p, (size_t)by);
	e->user = vg_logs_dups(e, vg_lx_sub(s, (size_t)by + 4, s.len));
	return true;
}

/* BSD: "alice to root on /dev/ttyp0" */
static bool su_bsd(struct vg_log_entry *e, struct vg_str s)
{
	long to = vg_str_find(s, " to ", 4);
	long on = vg_lx_rfind(s, " on ");
	if (to <= 0 || on <= to)
		return false;
	e->user = vg_logs_dup(e, s.p, (size_t)to);
	e->target_user = vg_logs_dups(e, vg_lx_sub(s, (size_t)to + 4, (size_t)on));
	e->tty = vg_logs_dups(e, vg_lx_sub(s, (size_t)on + 4, s.len));
	return true;
}

int vg_logs_su(struct vg_log_entry *e, struct vg_str msg)
{
	struct vg_str s = vg_str_trim(msg);
	bool ok = false, failed = false;
	struct vg_str t = s;
	if (vg_lx_eat(&t, "FAILED SU ")) {
		failed = su_to(e, t);
	} else if (vg_lx_eat(&t, "FAILED su for ")) {
		failed = su_for_by(e, t);
	} else if (vg_lx_eat(&t, "BAD SU ")) {
		failed = su_bsd(e, t);
	} else if (vg_lx_eat(&t, "Successful su for ")) {
		ok = su_for_by(e, t);
	} else if (vg_str_startswith(s, "(to ")) {
		ok = su_to(e, s);
	} else if (vg_lx_eat(&t, "+ ")) {
		ok = su_pair(e, t);
	} else if (vg_lx_eat(&t, "- ")) {
		failed = su_pair(e, t);
	} else if (s.len && s.p[0] != '(' && vg_str_find(s, " to ", 4) > 0 &&
		   vg_lx_rfind(s, " on /dev/") > 0) {
		ok = su_bsd(e, s);
	}
	if (!ok && !failed) {
		e->user = e->target_user = e->tty = NULL;
		return VG_ENOTSUP;
	}
	e->service = "su";
	if (failed)
		vg_logs_norm(e, "su", "authentication", "su-failure", VG_OUTCOME_FAILURE);
	else
		vg_logs_norm(e, "su", "authentication", "su-success", VG_OUTCOME_SUCCESS);
	return 0;
}
