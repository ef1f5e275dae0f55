/* fuzz-appflow.c — libFuzzer harness for the per-flow glue (app-flow.c, app.c):
 * protocol detection, replay of held bytes, routing into every parser and EVE events.
 * Byte 0 picks TCP/UDP and whether port 53 is involved, byte 1 a chunk size; the rest
 * alternates between the directions chunk by chunk, with a gap and EOFs at the end. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "app/app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_event(void *ctx, enum vg_app_proto proto, int dir, json_t *extra)
{
	(void)ctx;
	(void)proto;
	(void)dir;
	char *s = json_dumps(extra, JSON_COMPACT);
	if (!s)
		abort();
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint8_t ipproto = (data[0] & 1) ? 17 : 6;
	uint16_t dport = (data[0] & 2) ? 53 : 443;
	size_t chunk = (size_t)data[1] + 1;
	data += 2;
	size -= 2;
	struct vg_app_flow *f = vg_app_flow_new(ipproto, 40000, dport, on_event, NULL);
	if (!f)
		abort();
	int dir = 0;
	for (size_t i = 0; i < size; i += chunk) {
		size_t n = size - i < chunk ? size - i : chunk;
		if (ipproto == 17)
			vg_app_flow_udp(f, dir, data + i, n);
		else
			vg_app_flow_data(f, dir, data + i, n);
		if (data[0] & 4)
			dir = !dir;
	}
	vg_app_flow_gap(f, 1, 10);
	vg_app_flow_eof(f, 0);
	vg_app_flow_eof(f, 1);
	vg_app_flow_free(f);
	return 0;
}
