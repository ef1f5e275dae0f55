/* fuzz-json.c — untrusted bytes as every string field of an event, through both
 * encoders: the output must always parse as JSON (jansson rejects invalid UTF-8), and a
 * string without invalid UTF-8 or NUL must come back byte for byte. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-ecs.h"
#include "core/core-eve.h"
#include "core/core-json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct vg_buf *b)
{
	json_error_t e;
	json_t *j = json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES, &e);
	if (!j)
		abort(); /* the encoder produced invalid JSON */
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	struct vg_buf b;
	vg_buf_init(&b, 0);
	/* the raw escaper, with embedded NULs */
	if (vg_json_escape(&b, (const char *)data, size) == 0) {
		json_error_t e;
		json_t *j = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
		if (!j)
			abort();
		if (json_is_string(j) && json_string_length(j) == size &&
		    memcmp(json_string_value(j), data, size) != 0)
			abort(); /* same length means nothing was replaced: must round-trip */
		json_decref(j);
	}
	vg_buf_reset(&b);
	/* every string field of an event at once (C strings: up to the first NUL) */
	struct vg_event ev;
	vg_event_init(&ev, (enum vg_event_type)(1 + (size ? data[0] % 10 : 0)), (int64_t)size * 1000003);
	ev.tenant = ev.category = ev.action = ev.app_proto = ev.user = ev.host = ev.service = s;
	ev.process = ev.message = ev.source_name = s;
	ev.rule.signature = ev.rule.category = ev.rule.action = ev.rule.reference = ev.rule.tags = s;
	ev.rule.detector = (enum vg_detector)(size ? data[size - 1] % 7 : 0);
	if (ev.type == VG_EVT_FLOW)
		ev.u.flow.state = ev.u.flow.reason = ev.u.flow.app_proto = s;
	else if (ev.type == VG_EVT_ANOMALY)
		ev.u.anomaly.type = ev.u.anomaly.event = ev.u.anomaly.layer = s;
	else if (ev.rule.detector == VG_DET_SCAN)
		ev.u.scan.technique = s;
	else if (ev.rule.detector == VG_DET_FLOOD)
		ev.u.flood.kind = s;
	if (vg_eve_encode(&ev, &b) == 0)
		check(&b);
	vg_buf_reset(&b);
	if (vg_ecs_encode(&ev, &b) == 0)
		check(&b);
	vg_buf_free(&b);
	free(s);
	return 0;
}
