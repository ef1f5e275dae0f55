/* cli-out.c — one event, one JSON line (EVE or ECS); see cli-out.h. */
#include "cli/cli-out.h"

#include "core/core-ecs.h"
#include "core/core-error.h"
#include "core/core-eve.h"

void vg_cli_out_init(struct vg_cli_out *o, FILE *f, bool ecs)
{
	o->f = f;
	o->ecs = ecs;
	vg_buf_init(&o->buf, 0);
	o->written = o->write_errors = 0;
}

int vg_cli_out_emit(void *ctx, const struct vg_event *ev)
{
	struct vg_cli_out *o = ctx;
	vg_buf_reset(&o->buf);
	int rc = o->ecs ? vg_ecs_encode(ev, &o->buf) : vg_eve_encode(ev, &o->buf);
	if (rc) {
		vg_buf_reset(&o->buf);
		o->write_errors++;
		return rc;
	}
	if (vg_buf_append(&o->buf, "\n", 1) != 0 ||
	    fwrite(o->buf.data, 1, o->buf.len, o->f) != o->buf.len) {
		o->write_errors++;
		return VG_EIO;
	}
	o->written++;
	return 0;
}

void vg_cli_out_free(struct vg_cli_out *o)
{
	if (o)
		vg_buf_free(&o->buf);
}
