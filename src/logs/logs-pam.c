/* logs-pam.c — PAM module messages (pam_unix, pam_sss, pam_faillock, ...) logged through
 * any program, sshd's "PAM N more authentication failures", and login(1). */
#include "logs/logs-int.h"

#include "core/core-error.h"

int vg_logs_pam(struct vg_log_entry *e, struct vg_str msg)
{
	(void)e;
	(void)msg;
	return VG_ENOTSUP;
}

int vg_logs_login(struct vg_log_entry *e, struct vg_str msg)
{
	(void)e;
	(void)msg;
	return VG_ENOTSUP;
}
