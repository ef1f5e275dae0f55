/* fuzz-logs.c — vg_logs_parse_line over arbitrary bytes, in auto mode and in each forced
 * format. The first byte picks the format, the zone and a web format string; the rest
 * is the line. Every string of a successful entry is read back (ASan checks them) and
 * the event mapping runs, so stale or unterminated arena strings show up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logs/logs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const k_web_formats[] = {
	NULL,
	"$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
	"\"$http_referer\" \"$http_user_agent\" rt=$request_time \"$http_x_forwarded_for\"",
	"%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\" %D",
	"$host $remote_addr [$time_iso8601] $request_method $request_uri $args $server_protocol "
	"$status $msec",
};

static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vg_log_entry *e;
	if (!e && !(e = malloc(sizeof(*e))))
		return 0;
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	struct vg_log_opts o = { 0 };
	o.format = (enum vg_log_format)((sel & 7) % 7);
	if ((sel & 7) == 7)
		o.format = VG_LOGF_AUTO;
	o.now_us = (sel & 0x08) ? 0 : 1795392000LL * 1000000;
	o.tz_offset_min = (sel & 0x10) ? -330 : 0;
	o.web_format = k_web_formats[(sel >> 5) & 3];
	int rc = vg_logs_parse_line((const char *)data + 1, size - 1, &o, e);
	size_t n = touch(e->line) + touch(e->message) + touch(e->hostname) + touch(e->app_name) +
		   touch(e->procid) + touch(e->msgid) + touch(e->sd_raw);
	for (unsigned i = 0; i < e->n_sd; i++)
		n += touch(e->sd[i].sd_id) + touch(e->sd[i].name) + touch(e->sd[i].value);
	if (rc == 0) {
		n += touch(e->parser) + touch(e->category) + touch(e->action) + touch(e->service) +
		     touch(e->auth_method) + touch(e->key_info) + touch(e->src_host) + touch(e->user) +
		     touch(e->target_user) + touch(e->reason) + touch(e->tty) + touch(e->cwd) +
		     touch(e->command) + touch(e->domain) + touch(e->request_id) +
		     touch(e->http.request) + touch(e->http.method) + touch(e->http.uri) +
		     touch(e->http.protocol) + touch(e->http.referrer) + touch(e->http.user_agent) +
		     touch(e->http.vhost) + touch(e->http.xff);
		if (!e->action || !e->parser || !e->category)
			abort(); /* a recognised line always has its normalized triple */
		struct vg_event ev;
		vg_logs_entry_to_event(e, &ev);
	} else if (e->action || e->user) {
		abort(); /* the ENOTSUP/EINVAL contract */
	}
	if (e->arena_used > sizeof(e->arena))
		abort();
	return n == (size_t)-1;
}
