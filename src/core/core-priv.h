/* core-priv.h — dropping root after the privileged setup (STYLE.md 10).
 *
 * Order of startup: open what needs privilege (capture handles, ports below 1024,
 * nftables), then vg_priv_drop(), then read untrusted input. A failed drop is fatal to
 * the caller, never a warning. */
#ifndef VG_CORE_PRIV_H
#define VG_CORE_PRIV_H

/* Become `user` for good: supplementary groups cleared to the user's primary group,
 * then real/effective/saved gid and uid set to the user's, then verified (ids match and
 * setuid(0)/seteuid(0) fail, i.e. root cannot be regained), then PR_SET_NO_NEW_PRIVS so
 * that no exec can grant privileges back.
 *
 *   running as root, user given   → drop; 0 or an error (VG_ENOENT: no such user;
 *                                   VG_EINVAL: the user is root itself; VG_EIO: a call
 *                                   failed or root could be regained; errno says which)
 *   running as root, user NULL/"" → VG_EINVAL: refusing to keep root silently; a caller
 *                                   that really wants root (debugging) must not call this
 *   not root, user NULL/""        → no-op, 0
 *   not root, user given          → 0 when already that user, else VG_EIO (EPERM)
 *
 * If msg is not NULL it receives a one-line reason on error (msglen bytes). */
int vg_priv_drop(const char *user, char *msg, unsigned msglen);

#endif
