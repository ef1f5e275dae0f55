/* logs-sudo.c — sudo and su messages. */
#include "logs/logs-int.h"

#include "core/core-error.h"

int vg_logs_sudo(struct vg_log_entry *e, struct vg_str msg)
{
	(void)e;
	(void)msg;
	return VG_ENOTSUP;
}

int vg_logs_su(struct vg_log_entry *e, struct vg_str msg)
{
	(void)e;
	(void)msg;
	return VG_ENOTSUP;
}
