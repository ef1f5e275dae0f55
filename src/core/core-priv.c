/* core-priv.c — privilege drop: setgroups, setresgid, setresuid, then prove it stuck. */
#include "core/core-priv.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/core-error.h"

#define PW_BUF 16384 /* getpwnam_r scratch; /etc/passwd lines are short */

static int fail(char *msg, unsigned msglen, int rc, const char *what, const char *user, int e)
{
	if (msg && msglen)
		snprintf(msg, msglen, "cannot drop privileges to '%s': %s%s%s", user ? user : "",
			 what, e ? ": " : "", e ? strerror(e) : "");
	errno = e;
	return rc;
}

int vg_priv_drop(const char *user, char *msg, unsigned msglen)
{
	struct passwd pw, *res = NULL;
	char buf[PW_BUF];

	if (msg && msglen)
		msg[0] = '\0';
	int is_root = geteuid() == 0 || getuid() == 0;
	if (!user || !*user) {
		if (is_root)
			return fail(msg, msglen, VG_EINVAL, "running as root and no user named", user, 0);
		return 0;
	}
	int e = getpwnam_r(user, &pw, buf, sizeof(buf), &res);
	if (e != 0 || !res)
		return fail(msg, msglen, e ? VG_EIO : VG_ENOENT, "no such user", user, e);
	if (pw.pw_uid == 0)
		return fail(msg, msglen, VG_EINVAL, "the user is root", user, 0);
	if (!is_root) {
		if (getuid() == pw.pw_uid && geteuid() == pw.pw_uid)
			return 0;
		return fail(msg, msglen, VG_EIO, "not running as root", user, EPERM);
	}

	gid_t gid = pw.pw_gid;
	uid_t uid = pw.pw_uid;
	/* Groups first: once the uid is dropped we could no longer change them. */
	if (setgroups(1, &gid) != 0)
		return fail(msg, msglen, VG_EIO, "setgroups", user, errno);
	if (setresgid(gid, gid, gid) != 0)
		return fail(msg, msglen, VG_EIO, "setresgid", user, errno);
	if (setresuid(uid, uid, uid) != 0)
		return fail(msg, msglen, VG_EIO, "setresuid", user, errno);

	/* Verify: every id is the user's, and root cannot be taken back. */
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0)
		return fail(msg, msglen, VG_EIO, "getresuid/getresgid", user, errno);
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid)
		return fail(msg, msglen, VG_EIO, "ids did not change", user, 0);
	if (setuid(0) == 0 || seteuid(0) == 0)
		return fail(msg, msglen, VG_EIO, "root could be regained", user, 0);
	if (setgid(0) == 0 && gid != 0)
		return fail(msg, msglen, VG_EIO, "group root could be regained", user, 0);
	/* And no way back through exec of a setuid/file-capability binary. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return fail(msg, msglen, VG_EIO, "PR_SET_NO_NEW_PRIVS", user, errno);
	return 0;
}
