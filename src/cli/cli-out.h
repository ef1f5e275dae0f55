/* cli-out.h — the JSON-lines event writer shared by the subcommands: each event encoded
 * as EVE or ECS (core-eve.h, core-ecs.h) and written as one line; failures counted. */
#ifndef VG_CLI_OUT_H
#define VG_CLI_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/core-event.h"
#include "core/core-str.h"

struct vg_cli_out {
	FILE *f;               /* borrowed */
	bool ecs;              /* ECS instead of EVE */
	struct vg_buf buf;     /* scratch, freed by vg_cli_out_free */
	uint64_t written;      /* lines written */
	uint64_t write_errors; /* events that could not be encoded or written */
};

/* Write to f (borrowed), EVE or ECS. */
void vg_cli_out_init(struct vg_cli_out *o, FILE *f, bool ecs);
/* An event sink's emit function: ctx is a struct vg_cli_out. 0 or VG_E*. */
int vg_cli_out_emit(void *ctx, const struct vg_event *ev);
void vg_cli_out_free(struct vg_cli_out *o); /* frees the scratch buffer, not the FILE */

#endif
