/* core-log.c — leveled diagnostics to stderr, one line per call. */
#include "core/core-log.h"

#include <stdarg.h>
#include <stdio.h>

static enum vg_log_level g_level = VG_LOG_WARN;

void vg_log_set_level(enum vg_log_level lvl) { g_level = lvl; }
enum vg_log_level vg_log_get_level(void) { return g_level; }

void vg_log(enum vg_log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	if (lvl > g_level)
		return;
	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "vigil: %s: %s\n", names[lvl], line);
}
