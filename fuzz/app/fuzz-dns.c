/* fuzz-dns.c — libFuzzer harness for the DNS parser (app-dns.c): the input is parsed
 * as one UDP message (EVE object built for every question), then fed as a DNS-over-TCP
 * stream in two pieces split at byte 0's position, each framed message parsed again. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "app/app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vg_dns_msg g_msg;

static void one(const uint8_t *data, size_t size)
{
	if (vg_dns_parse(data, size, &g_msg) < 0)
		return;
	if (g_msg.n_rr > VG_DNS_MAX_NAMES)
		abort();
	for (uint32_t q = 0; q <= g_msg.n_questions; q++) {
		json_t *j = vg_dns_eve(&g_msg, q, q);
		if (!j)
			abort();
		char *s = json_dumps(j, JSON_COMPACT);
		free(s);
		json_decref(j);
	}
}

static void on_msg(void *ctx, int dir, const uint8_t *msg, size_t len)
{
	(void)ctx;
	(void)dir;
	one(msg, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size);
	if (size == 0)
		return 0;
	struct vg_dns_tcp *t = vg_dns_tcp_new(on_msg, NULL);
	if (!t)
		abort();
	size_t cut = data[0] % size;
	vg_dns_tcp_parse(t, 0, data, cut);
	vg_dns_tcp_parse(t, 0, data + cut, size - cut);
	vg_dns_tcp_free(t);
	return 0;
}
