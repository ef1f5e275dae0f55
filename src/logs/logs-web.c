/* logs-web.c — nginx and Apache access logs. */
#include "logs/logs-int.h"

#include "core/core-error.h"

int vg_logs_web(struct vg_log_entry *e, struct vg_str s, enum vg_log_format kind,
		const char *web_format)
{
	(void)s;
	(void)web_format;
	e->format = kind;
	return VG_EINVAL;
}
