/* fuzz-config.c — the YAML config loader on arbitrary bytes, then every typed accessor
 * and the unknown-key check over whatever tree came out. */
#include <stddef.h>
#include <stdint.h>

#include "core/core-config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct vg_cfg_node *n, unsigned depth)
{
	uint64_t u;
	int64_t d;
	double x;
	bool b;
	const char *s;
	size_t len;
	struct vg_config_err err;
	char path[256];
	if (depth > 64)
		return;
	for (const struct vg_cfg_node *c = vg_cfg_first(n); c; c = vg_cfg_next(c)) {
		vg_cfg_path(c, path, sizeof(path));
		/* Accessors relative to the parent by key, and to the node itself by "". */
		vg_cfg_u64(c, "", 0, 1, 1000, 0, &u, &err);
		vg_cfg_size(c, "", 0, 0, UINT64_MAX, VG_CFG_CLAMP, &u, &err);
		vg_cfg_duration(c, "", 0, 0, INT64_MAX, 0, &d, &err);
		vg_cfg_double(c, "", 0, -1, 1, VG_CFG_CLAMP, &x, &err);
		vg_cfg_bool(c, "", false, &b, &err);
		vg_cfg_str(c, "", NULL, 16, &s, &err);
		if (vg_cfg_seq_len(c, "", &len, &err) == 0 && len)
			vg_cfg_seq_str(c, "", len - 1, &s, &err);
		walk(c, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vg_config *cfg;
	struct vg_config_err err;
	if (vg_config_load_string((const char *)data, size, "fuzz.yaml", &cfg, &err) != 0)
		return 0;
	walk(vg_config_root(cfg), 0);
	static const char *const known[] = { "flow.memcap", "flow.timeout", "rules.files.path",
					     "outputs.*", "tenants", "a", NULL };
	struct vg_buf rep;
	vg_buf_init(&rep, 1 << 16);
	vg_config_check_known(cfg, known, &rep, &err);
	vg_buf_free(&rep);
	vg_config_free(cfg);
	return 0;
}
