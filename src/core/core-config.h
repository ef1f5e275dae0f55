/* core-config.h — the YAML configuration: a tree that remembers line numbers, typed
 * access by dotted path with bounds, and a check for unknown keys.
 *
 * The file is parsed once with libyaml into maps, sequences and scalars (aliases are
 * refused: they make a small file expand without bound). Every accessor takes a
 * dotted path ("flow.memcap"), a default used when the key is absent (or null/"~"),
 * and bounds. A value of the wrong type or out of range is an error that names the
 * file, line and key:
 *     vigil.yaml:12: flow.memcap: expected a size like 256m, got 'lots'
 * Out of range is an error by default; with VG_CFG_CLAMP the value is clamped to
 * [min, max] instead (for bounds that come from limits.h, where a too-big value means
 * "as much as allowed"). Paths address map keys only; sequences are walked with
 * vg_cfg_seq_at() / vg_cfg_first() + vg_cfg_next().
 *
 * Ownership: vg_config_load*() return a tree the caller frees with vg_config_free();
 * nodes and strings returned by accessors are borrowed until then. */
#ifndef VG_CORE_CONFIG_H
#define VG_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core-str.h"

enum vg_cfg_kind { VG_CFG_SCALAR = 1, VG_CFG_MAP, VG_CFG_SEQ };

struct vg_cfg_node {
	enum vg_cfg_kind kind;
	int line;                     /* 1-based line of the value in the file */
	const char *file;             /* the config's name, for messages (borrowed from the tree) */
	char *key;                    /* key in the parent map; NULL for sequence items and root */
	int key_line;
	char *value;                  /* scalars: NUL-terminated copy (may hold NULs: see len) */
	size_t value_len;
	bool plain;                   /* scalar was unquoted (so a quoted "~" is a string) */
	struct vg_cfg_node *parent;
	struct vg_cfg_node *child, *last, *next; /* children in file order */
	size_t n_children;
};

struct vg_config {
	struct vg_cfg_node *root;     /* always a map (an empty file is an empty map) */
	char name[256];               /* file name as given (basename not taken) */
};

/* Where and why a load or an accessor failed. line 0: not tied to a line. */
struct vg_config_err {
	char msg[512];                /* full message: "FILE:LINE: KEY: what" */
	char file[256];
	int line;
	char key[128];
};

enum { VG_CFG_CLAMP = 1u << 0 };  /* clamp numbers to [min, max] instead of failing */

/* Read and parse one YAML file (≤ VG_MAX_CONFIG_BYTES, nesting ≤ VG_MAX_YAML_DEPTH).
 * *out is the new tree (caller frees) or NULL on error; err may be NULL. */
int vg_config_load(const char *path, struct vg_config **out, struct vg_config_err *err);
/* Same over a buffer; name is used in messages. */
int vg_config_load_string(const char *buf, size_t len, const char *name, struct vg_config **out,
			  struct vg_config_err *err);
void vg_config_free(struct vg_config *cfg); /* NULL-safe */

/* Node at a dotted path below base (NULL: not found, or base NULL). "" is base itself. */
const struct vg_cfg_node *vg_cfg_get(const struct vg_cfg_node *base, const char *path);
static inline const struct vg_cfg_node *vg_config_root(const struct vg_config *cfg)
{
	return cfg ? cfg->root : NULL;
}
/* Sequence/map children. */
const struct vg_cfg_node *vg_cfg_first(const struct vg_cfg_node *n);
const struct vg_cfg_node *vg_cfg_next(const struct vg_cfg_node *n);
const struct vg_cfg_node *vg_cfg_seq_at(const struct vg_cfg_node *seq, size_t i);
/* Full dotted path of a node (sequence items as "[i]"), into buf; returns buf. */
const char *vg_cfg_path(const struct vg_cfg_node *n, char *buf, size_t bufsz);
/* True when the node is absent or a YAML null (plain "", "~", "null"). */
bool vg_cfg_is_null(const struct vg_cfg_node *n);

/* Typed accessors below base. Absent or null → *out = def, returns 0. Returns 0,
 * VG_EINVAL (wrong type/syntax) or VG_ERANGE (out of bounds, without VG_CFG_CLAMP), with
 * err filled. The default is not checked against the bounds. */
int vg_cfg_u64(const struct vg_cfg_node *base, const char *path, uint64_t def, uint64_t min,
	       uint64_t max, unsigned flags, uint64_t *out, struct vg_config_err *err);
/* Sizes: 1024, 64k, 64m, 1g, 1gb, 1GiB (powers of 1024). */
int vg_cfg_size(const struct vg_cfg_node *base, const char *path, uint64_t def, uint64_t min,
		uint64_t max, unsigned flags, uint64_t *out, struct vg_config_err *err);
/* Durations: "250ms", "30s", "5m", "1h", "2d", "100us"; a plain number is seconds.
 * Result in microseconds. */
int vg_cfg_duration(const struct vg_cfg_node *base, const char *path, int64_t def_us, int64_t min_us,
		    int64_t max_us, unsigned flags, int64_t *out_us, struct vg_config_err *err);
int vg_cfg_double(const struct vg_cfg_node *base, const char *path, double def, double min,
		  double max, unsigned flags, double *out, struct vg_config_err *err);
/* true/false, yes/no, on/off, 1/0 (ASCII case-insensitive). */
int vg_cfg_bool(const struct vg_cfg_node *base, const char *path, bool def, bool *out,
		struct vg_config_err *err);
/* String scalar (borrowed; def returned as is when absent). A string longer than maxlen
 * (0: no limit) or holding a NUL byte is an error. */
int vg_cfg_str(const struct vg_cfg_node *base, const char *path, const char *def, size_t maxlen,
	       const char **out, struct vg_config_err *err);
/* Sequence length (absent → 0; a map or scalar → VG_EINVAL). */
int vg_cfg_seq_len(const struct vg_cfg_node *base, const char *path, size_t *out,
		   struct vg_config_err *err);
/* Item i of a sequence of scalars. VG_ENOENT when i is past the end. */
int vg_cfg_seq_str(const struct vg_cfg_node *base, const char *path, size_t i, const char **out,
		   struct vg_config_err *err);

/* The same from the root of a config (cfg may be NULL: defaults). */
#define vg_config_u64(cfg, ...)      vg_cfg_u64(vg_config_root(cfg), __VA_ARGS__)
#define vg_config_size(cfg, ...)     vg_cfg_size(vg_config_root(cfg), __VA_ARGS__)
#define vg_config_duration(cfg, ...) vg_cfg_duration(vg_config_root(cfg), __VA_ARGS__)
#define vg_config_double(cfg, ...)   vg_cfg_double(vg_config_root(cfg), __VA_ARGS__)
#define vg_config_bool(cfg, ...)     vg_cfg_bool(vg_config_root(cfg), __VA_ARGS__)
#define vg_config_str(cfg, ...)      vg_cfg_str(vg_config_root(cfg), __VA_ARGS__)
#define vg_config_seq_len(cfg, ...)  vg_cfg_seq_len(vg_config_root(cfg), __VA_ARGS__)
#define vg_config_seq_str(cfg, ...)  vg_cfg_seq_str(vg_config_root(cfg), __VA_ARGS__)

/* Fill err for a problem found by a consumer at node n (key = n's path). Returns code. */
int vg_cfg_error(const struct vg_cfg_node *n, struct vg_config_err *err, int code, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

/* Report every key not in `known` (NULL-terminated list of dotted paths). An entry
 * "a.b" accepts exactly that key and, when a.b is a map or sequence, nothing below it
 * unless listed; "a.b.*" accepts a.b and everything below. Keys inside a sequence's
 * maps use the sequence's path ("rules.files.path" for rules: {files: [{path: x}]}).
 * Parents of known keys are known. Each unknown key adds one line to report (may be
 * NULL) "FILE:LINE: unknown key 'a.bc' (did you mean 'a.b'?)" and the first one fills
 * first (may be NULL). Returns the number of unknown keys (0 = clean). */
int vg_config_check_known(const struct vg_config *cfg, const char *const *known, struct vg_buf *report,
			  struct vg_config_err *first);

#endif
