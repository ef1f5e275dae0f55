/* logs-keystone.c — OpenStack Keystone log lines, CADF audit notifications, Horizon. */
#include "logs/logs-int.h"

#include "core/core-error.h"

int vg_logs_keystone_msg(struct vg_log_entry *e, struct vg_str msg)
{
	(void)e;
	(void)msg;
	return VG_ENOTSUP;
}

int vg_logs_horizon_msg(struct vg_log_entry *e, struct vg_str msg)
{
	(void)e;
	(void)msg;
	return VG_ENOTSUP;
}

int vg_logs_keystone_line(struct vg_log_entry *e, struct vg_str s, const struct vg_log_opts *o)
{
	(void)o;
	(void)s;
	e->format = VG_LOGF_KEYSTONE;
	return VG_ENOTSUP;
}

int vg_logs_cadf(struct vg_log_entry *e, struct vg_str s)
{
	(void)s;
	e->format = VG_LOGF_CADF;
	return VG_ENOTSUP;
}
