/* fuzz-ssh.c — libFuzzer harness for the SSH banner parser (app-ssh.c): the input is a
 * line for the pure parser, then both directions' streams split at byte 0's position. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "app/app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vg_ssh_banner b;
	vg_ssh_parse_banner((const char *)data, size, &b);
	if (size == 0)
		return 0;
	struct vg_ssh_state *st = vg_ssh_state_new();
	if (!st)
		abort();
	size_t cut = data[0] % size;
	vg_ssh_parse(st, 0, data, cut, NULL);
	vg_ssh_parse(st, 0, data + cut, size - cut, NULL);
	vg_ssh_parse(st, 1, data + cut, size - cut, NULL);
	vg_ssh_parse(st, 1, data, cut, NULL);
	json_t *j = vg_ssh_eve(vg_ssh_info(st));
	if (!j)
		abort();
	json_decref(j);
	vg_ssh_state_free(st);
	return 0;
}
