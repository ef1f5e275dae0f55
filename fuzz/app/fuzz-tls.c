/* fuzz-tls.c — libFuzzer harness for the TLS parser (app-tls.c). Bytes 0-1 say where
 * the client stream ends and the server stream begins, byte 2 a chunk size; both are fed
 * in chunks and the EVE object is built. The pure hello parsers and the certificate
 * parser (GnuTLS import) also get the raw input. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "app/app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vg_tls_hello g_h;
static struct vg_tls_cert g_c;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vg_tls_parse_client_hello(data, size, &g_h);
	vg_tls_parse_server_hello(data, size, &g_h);
	if (size > 0 && size < 8192)
		vg_tls_parse_cert(data, size, &g_c);
	if (size < 3)
		return 0;
	size_t split = (size_t)(data[0] << 8 | data[1]);
	size_t chunk = (size_t)data[2] + 1;
	data += 3;
	size -= 3;
	if (split > size)
		split = size;
	struct vg_tls_state *st = vg_tls_state_new();
	if (!st)
		abort();
	for (size_t i = 0; i < split; i += chunk)
		vg_tls_parse(st, 0, data + i, split - i < chunk ? split - i : chunk, NULL);
	for (size_t i = split; i < size; i += chunk)
		vg_tls_parse(st, 1, data + i, size - i < chunk ? size - i : chunk, NULL);
	json_t *j = vg_tls_eve(vg_tls_info(st));
	if (!j)
		abort();
	char *s = json_dumps(j, JSON_COMPACT);
	free(s);
	json_decref(j);
	vg_tls_state_free(st);
	return 0;
}
