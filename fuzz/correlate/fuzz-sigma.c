/* fuzz-sigma.c — libFuzzer harness for the Sigma rule loader (YAML → rules, condition
 * parser, modifiers, correlation blocks, reference resolution). Whatever loads is then
 * run against a few fixed events, so fuzzed patterns, regexes and correlations are
 * exercised by the matcher and the engine too. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "core/core-addr.h"
#include "core/core-event.h"
#include "correlate/correlate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink_emit(void *ctx, const struct vg_event *ev)
{
	(void)ctx;
	(void)ev;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vg_correlate_ruleset *rs = NULL;
	if (vg_correlate_ruleset_new(&rs) != 0)
		return 0;
	vg_correlate_ruleset_load_buffer(rs, "fuzz.yml", (const char *)data, size, NULL, NULL);
	vg_correlate_ruleset_finish(rs, NULL, NULL);
	struct vg_event_sink sink = { sink_emit, NULL };
	struct vg_correlate_engine *e = NULL;
	if (vg_correlate_engine_new(rs, NULL, &sink, &e) == 0) {
		static const char *const actions[] = { "ssh-login-failed", "ssh-login-success",
						       "http-request", "sudo-auth-failure" };
		static const char *const users[] = { "root", "admin", "labuser", "" };
		json_t *x = json_pack("{s:{s:s,s:s,s:s},s:{s:{s:i}},s:{s:s}}", "url", "path", "/login",
				      "query", "id=1' or '1'='1", "original", "/login?id=1%27",
				      "http", "response", "status_code", 401, "user_agent",
				      "original", "sqlmap/1.7");
		for (int i = 0; i < 24; i++) {
			struct vg_event ev;
			vg_event_init(&ev, VG_EVT_LOG, 1795478400000000ll + (int64_t)i * 20000000ll);
			ev.action = actions[i % 4];
			ev.category = i % 4 == 2 ? "web" : "authentication";
			ev.service = i % 4 == 2 ? "nginx" : (i % 4 == 3 ? "sudo" : "sshd");
			ev.user = users[i % 4];
			ev.host = "vm";
			ev.message = "Failed password for root from 10.99.0.1 port 22 ssh2";
			ev.extra = x;
			char ip[16] = "10.99.0.1";
			ip[8] = (char)('1' + (i % 3));
			vg_addr_parse(ip, strlen(ip), &ev.src);
			ev.sport = (uint16_t)(40000 + i);
			vg_correlate_engine_event(e, &ev);
		}
		vg_correlate_engine_flush(e);
		json_decref(x);
		vg_correlate_engine_free(e);
	}
	vg_correlate_ruleset_free(rs);
	return 0;
}
