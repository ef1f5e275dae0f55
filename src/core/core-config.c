/* core-config.c — YAML configuration tree (libyaml events → nodes with line numbers),
 * typed accessors with bounds and file:line errors, unknown-key check. */
#include "core/core-config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "core/core-error.h"
#include "core/limits.h"

/* ---- errors ------------------------------------------------------------------------ */

/* Copy a value into a message: at most 40 bytes, non-printable bytes as '?', so a hostile
 * config cannot put escape sequences on an operator's terminal. */
static void quote_value(char *dst, size_t dstsz, const char *p, size_t len)
{
	size_t n = 0, i;
	for (i = 0; i < len && n + 4 < dstsz && i < 40; i++)
		dst[n++] = (p[i] >= 0x20 && p[i] < 0x7f) ? p[i] : '?';
	if (i < len && n + 4 < dstsz) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = 0;
}

static int set_err(struct vg_config_err *err, const char *file, int line, const char *key, int code,
		   const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));
static int set_err(struct vg_config_err *err, const char *file, int line, const char *key, int code,
		   const char *fmt, va_list ap)
{
	if (!err)
		return code;
	char what[384];
	vsnprintf(what, sizeof(what), fmt, ap);
	vg_strlcpy(err->file, file ? file : "", file ? strlen(file) : 0, sizeof(err->file));
	vg_strlcpy(err->key, key ? key : "", key ? strlen(key) : 0, sizeof(err->key));
	err->line = line;
	/* Truncation of an over-long message is acceptable; the return is checked to say so. */
	int w;
	if (key && *key)
		w = snprintf(err->msg, sizeof(err->msg), "%s:%d: %s: %s", err->file, line, err->key, what);
	else
		w = snprintf(err->msg, sizeof(err->msg), "%s:%d: %s", err->file, line, what);
	if (w < 0)
		err->msg[0] = 0;
	return code;
}

static int file_err(struct vg_config_err *err, const char *file, int line, int code, const char *fmt,
		    ...) __attribute__((format(printf, 5, 6)));
static int file_err(struct vg_config_err *err, const char *file, int line, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_err(err, file, line, NULL, code, fmt, ap);
	va_end(ap);
	return code;
}

int vg_cfg_error(const struct vg_cfg_node *n, struct vg_config_err *err, int code, const char *fmt, ...)
{
	char path[256] = "";
	if (n)
		vg_cfg_path(n, path, sizeof(path));
	va_list ap;
	va_start(ap, fmt);
	set_err(err, n ? n->file : "", n ? n->line : 0, path, code, fmt, ap);
	va_end(ap);
	return code;
}

/* Error at a key that was looked up by path below base (node may be NULL). */
static int key_err(const struct vg_cfg_node *n, struct vg_config_err *err, int code, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));
static int key_err(const struct vg_cfg_node *n, struct vg_config_err *err, int code, const char *fmt, ...)
{
	char path[256] = "";
	vg_cfg_path(n, path, sizeof(path));
	va_list ap;
	va_start(ap, fmt);
	set_err(err, n->file, n->line, path, code, fmt, ap);
	va_end(ap);
	return code;
}

/* ---- tree -------------------------------------------------------------------------- */

static void node_free(struct vg_cfg_node *n)
{
	/* Iterative over siblings, recursive over depth (bounded by VG_MAX_YAML_DEPTH). */
	while (n) {
		struct vg_cfg_node *next = n->next;
		node_free(n->child);
		free(n->key);
		free(n->value);
		free(n);
		n = next;
	}
}

void vg_config_free(struct vg_config *cfg)
{
	if (!cfg)
		return;
	node_free(cfg->root);
	free(cfg);
}

static void add_child(struct vg_cfg_node *parent, struct vg_cfg_node *c)
{
	c->parent = parent;
	if (parent->last)
		parent->last->next = c;
	else
		parent->child = c;
	parent->last = c;
	parent->n_children++;
}

struct builder {
	struct vg_config *cfg;
	struct vg_cfg_node *cur;      /* open map or sequence */
	char *pending_key;            /* map key waiting for its value */
	int pending_line;
	unsigned depth;
	struct vg_config_err *err;
};

static struct vg_cfg_node *new_node(struct builder *b, enum vg_cfg_kind kind, int line)
{
	struct vg_cfg_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = kind;
	n->line = line;
	n->file = b->cfg->name;
	return n;
}

static const struct vg_cfg_node *map_find(const struct vg_cfg_node *map, const char *key, size_t klen)
{
	if (!map || map->kind != VG_CFG_MAP)
		return NULL;
	for (const struct vg_cfg_node *c = map->child; c; c = c->next)
		if (strlen(c->key) == klen && memcmp(c->key, key, klen) == 0)
			return c;
	return NULL;
}

/* Attach a new value node to the open container; inside a map the pending key names it. */
static int attach(struct builder *b, struct vg_cfg_node *n)
{
	if (b->cur->kind == VG_CFG_MAP) {
		if (map_find(b->cur, b->pending_key, strlen(b->pending_key))) {
			char path[256];
			vg_cfg_path(b->cur, path, sizeof(path));
			int rc = file_err(b->err, b->cfg->name, b->pending_line, VG_EINVAL,
					  "duplicate key '%s%s%s'", path, *path ? "." : "", b->pending_key);
			node_free(n);
			return rc;
		}
		n->key = b->pending_key;
		n->key_line = b->pending_line;
		b->pending_key = NULL;
	}
	add_child(b->cur, n);
	return 0;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	int line = (int)ev->start_mark.line + 1;
	const char *v = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	if (b->cur->kind == VG_CFG_MAP && !b->pending_key) {
		/* A key: must be a non-empty string without NUL or '.', which is the path separator. */
		if (len == 0 || memchr(v, 0, len) || memchr(v, '.', len)) {
			char q[64];
			quote_value(q, sizeof(q), v, len);
			return file_err(b->err, b->cfg->name, line, VG_EINVAL,
					"invalid key '%s' (empty, or holds '.' or NUL)", q);
		}
		b->pending_key = malloc(len + 1);
		if (!b->pending_key)
			return VG_ENOMEM;
		memcpy(b->pending_key, v, len);
		b->pending_key[len] = 0;
		b->pending_line = line;
		return 0;
	}
	struct vg_cfg_node *n = new_node(b, VG_CFG_SCALAR, line);
	if (!n)
		return VG_ENOMEM;
	n->value = malloc(len + 1);
	if (!n->value) {
		free(n);
		return VG_ENOMEM;
	}
	memcpy(n->value, v, len);
	n->value[len] = 0;
	n->value_len = len;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return attach(b, n);
}

static int on_open(struct builder *b, enum vg_cfg_kind kind, const yaml_event_t *ev)
{
	int line = (int)ev->start_mark.line + 1;
	if (b->cur->kind == VG_CFG_MAP && !b->pending_key)
		return file_err(b->err, b->cfg->name, line, VG_EINVAL,
				"a map key must be a plain string, not a %s",
				kind == VG_CFG_MAP ? "map" : "sequence");
	if (b->depth >= VG_MAX_YAML_DEPTH)
		return file_err(b->err, b->cfg->name, line, VG_ERANGE,
				"nesting deeper than %u levels", VG_MAX_YAML_DEPTH);
	struct vg_cfg_node *n = new_node(b, kind, line);
	if (!n)
		return VG_ENOMEM;
	int rc = attach(b, n);
	if (rc)
		return rc;
	b->cur = n;
	b->depth++;
	return 0;
}

static int parse(struct builder *b, const char *buf, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int rc = 0, docs = 0;
	bool done = false, root_open = false;
	if (!yaml_parser_initialize(&p))
		return VG_ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = file_err(b->err, b->cfg->name, (int)p.problem_mark.line + 1, VG_EINVAL,
				      "YAML syntax: %s%s%s", p.problem ? p.problem : "error",
				      p.context ? " " : "", p.context ? p.context : "");
			break;
		}
		int line = (int)ev.start_mark.line + 1;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				rc = file_err(b->err, b->cfg->name, line, VG_EINVAL,
					      "more than one YAML document");
			break;
		case YAML_ALIAS_EVENT:
			/* Aliases let a few lines expand into gigabytes (billion laughs). */
			rc = file_err(b->err, b->cfg->name, line, VG_ENOTSUP,
				      "YAML aliases (*name) are not supported");
			break;
		case YAML_SCALAR_EVENT:
			if (!root_open) {
				/* A document that is a single scalar: only null/empty is a valid config. */
				const char *v = (const char *)ev.data.scalar.value;
				size_t vl = ev.data.scalar.length;
				bool plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
				if (!(plain && (vl == 0 || (vl == 1 && v[0] == '~') ||
						(vl == 4 && memcmp(v, "null", 4) == 0))))
					rc = file_err(b->err, b->cfg->name, line, VG_EINVAL,
						      "the top level must be a map of keys");
				break;
			}
			rc = on_scalar(b, &ev);
			break;
		case YAML_MAPPING_START_EVENT:
			if (!root_open) {
				root_open = true;
				b->cfg->root->line = line;
				b->cur = b->cfg->root;
				b->depth = 1;
				break;
			}
			rc = on_open(b, VG_CFG_MAP, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			if (!root_open) {
				rc = file_err(b->err, b->cfg->name, line, VG_EINVAL,
					      "the top level must be a map of keys, not a sequence");
				break;
			}
			rc = on_open(b, VG_CFG_SEQ, &ev);
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			if (b->cur && b->cur->parent) {
				b->cur = b->cur->parent;
				b->depth--;
			}
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return rc;
}

int vg_config_load_string(const char *buf, size_t len, const char *name, struct vg_config **out,
			  struct vg_config_err *err)
{
	*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	if (!name)
		name = "<string>";
	if (len > VG_MAX_CONFIG_BYTES)
		return file_err(err, name, 0, VG_ERANGE, "larger than %u bytes", VG_MAX_CONFIG_BYTES);
	struct vg_config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return VG_ENOMEM;
	vg_strlcpy(cfg->name, name, strlen(name), sizeof(cfg->name));
	struct builder b = { .cfg = cfg, .err = err };
	int rc = VG_ENOMEM;
	cfg->root = new_node(&b, VG_CFG_MAP, 1);
	if (!cfg->root)
		goto out;
	rc = parse(&b, buf, len);
	if (rc == VG_ENOMEM && err && !err->msg[0])
		file_err(err, name, 0, rc, "out of memory");
out:
	free(b.pending_key);
	if (rc) {
		vg_config_free(cfg);
		return rc;
	}
	*out = cfg;
	return 0;
}

int vg_config_load(const char *path, struct vg_config **out, struct vg_config_err *err)
{
	*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	int rc;
	char *buf = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return file_err(err, path, 0, VG_EIO, "cannot open: %s", strerror(errno));
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = file_err(err, path, 0, VG_EIO, "not a regular file");
		goto out;
	}
	if ((uint64_t)st.st_size > VG_MAX_CONFIG_BYTES) {
		rc = file_err(err, path, 0, VG_ERANGE, "larger than %u bytes", VG_MAX_CONFIG_BYTES);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = VG_ENOMEM;
		goto out;
	}
	/* Read at most one byte past the limit: the file may have grown since fstat. */
	size_t n = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		rc = file_err(err, path, 0, VG_EIO, "read error");
		goto out;
	}
	rc = vg_config_load_string(buf, n, path, out, err);
out:
	free(buf);
	fclose(f);
	return rc;
}

/* ---- navigation -------------------------------------------------------------------- */

const struct vg_cfg_node *vg_cfg_get(const struct vg_cfg_node *base, const char *path)
{
	const struct vg_cfg_node *n = base;
	const char *p = path ? path : "";
	while (n && *p) {
		const char *dot = strchr(p, '.');
		size_t klen = dot ? (size_t)(dot - p) : strlen(p);
		n = map_find(n, p, klen);
		p += klen;
		if (*p == '.')
			p++;
	}
	return n;
}

const struct vg_cfg_node *vg_cfg_first(const struct vg_cfg_node *n)
{
	return n && n->kind != VG_CFG_SCALAR ? n->child : NULL;
}

const struct vg_cfg_node *vg_cfg_next(const struct vg_cfg_node *n)
{
	return n ? n->next : NULL;
}

const struct vg_cfg_node *vg_cfg_seq_at(const struct vg_cfg_node *seq, size_t i)
{
	if (!seq || seq->kind != VG_CFG_SEQ || i >= seq->n_children)
		return NULL;
	const struct vg_cfg_node *c = seq->child;
	while (i-- && c)
		c = c->next;
	return c;
}

const char *vg_cfg_path(const struct vg_cfg_node *n, char *buf, size_t bufsz)
{
	/* Walk up, collecting at most VG_MAX_YAML_DEPTH components, then print top-down. */
	const struct vg_cfg_node *chain[VG_MAX_YAML_DEPTH + 1];
	size_t depth = 0, len = 0;
	if (!bufsz)
		return buf;
	buf[0] = 0;
	for (const struct vg_cfg_node *c = n; c && c->parent && depth < VG_MAX_YAML_DEPTH + 1; c = c->parent)
		chain[depth++] = c;
	while (depth--) {
		const struct vg_cfg_node *c = chain[depth];
		int w;
		if (c->key)
			w = snprintf(buf + len, bufsz - len, "%s%s", len ? "." : "", c->key);
		else {
			size_t idx = 0;
			for (const struct vg_cfg_node *s = c->parent->child; s && s != c; s = s->next)
				idx++;
			w = snprintf(buf + len, bufsz - len, "[%zu]", idx);
		}
		if (w < 0 || (size_t)w >= bufsz - len)
			break;
		len += (size_t)w;
	}
	return buf;
}

bool vg_cfg_is_null(const struct vg_cfg_node *n)
{
	if (!n)
		return true;
	if (n->kind != VG_CFG_SCALAR || !n->plain)
		return false;
	return n->value_len == 0 || strcmp(n->value, "~") == 0 || strcmp(n->value, "null") == 0 ||
	       strcmp(n->value, "Null") == 0 || strcmp(n->value, "NULL") == 0;
}

/* Find a scalar by path: 1 found (*np set), 0 absent/null, <0 error (not a scalar). */
static int scalar_at(const struct vg_cfg_node *base, const char *path, const struct vg_cfg_node **np,
		     struct vg_config_err *err)
{
	*np = NULL;
	const struct vg_cfg_node *n = vg_cfg_get(base, path);
	if (vg_cfg_is_null(n))
		return 0;
	if (n->kind != VG_CFG_SCALAR)
		return key_err(n, err, VG_EINVAL, "expected a single value, got a %s",
			       n->kind == VG_CFG_MAP ? "map" : "sequence");
	*np = n;
	return 1;
}

static int got_err(const struct vg_cfg_node *n, struct vg_config_err *err, int code, const char *expected)
{
	char q[64];
	quote_value(q, sizeof(q), n->value, n->value_len);
	return key_err(n, err, code, "expected %s, got '%s'", expected, q);
}

/* ---- typed accessors ----------------------------------------------------------------- */

static int bound_u64(const struct vg_cfg_node *n, uint64_t v, uint64_t min, uint64_t max, unsigned flags,
		     uint64_t *out, struct vg_config_err *err)
{
	if (v < min || v > max) {
		if (!(flags & VG_CFG_CLAMP))
			return key_err(n, err, VG_ERANGE, "%llu is out of range [%llu, %llu]",
				       (unsigned long long)v, (unsigned long long)min,
				       (unsigned long long)max);
		v = vg_clamp_u64(v, min, max);
	}
	*out = v;
	return 0;
}

int vg_cfg_u64(const struct vg_cfg_node *base, const char *path, uint64_t def, uint64_t min, uint64_t max,
	       unsigned flags, uint64_t *out, struct vg_config_err *err)
{
	const struct vg_cfg_node *n;
	*out = def;
	int rc = scalar_at(base, path, &n, err);
	if (rc <= 0)
		return rc;
	uint64_t v;
	rc = vg_parse_u64(n->value, n->value_len, UINT64_MAX, &v);
	if (rc)
		return got_err(n, err, rc, "a whole number like 1000");
	return bound_u64(n, v, min, max, flags, out, err);
}

int vg_cfg_size(const struct vg_cfg_node *base, const char *path, uint64_t def, uint64_t min, uint64_t max,
		unsigned flags, uint64_t *out, struct vg_config_err *err)
{
	const struct vg_cfg_node *n;
	*out = def;
	int rc = scalar_at(base, path, &n, err);
	if (rc <= 0)
		return rc;
	uint64_t v;
	rc = vg_parse_size(n->value, n->value_len, UINT64_MAX, &v);
	if (rc)
		return got_err(n, err, rc, "a size like 256m");
	return bound_u64(n, v, min, max, flags, out, err);
}

int vg_cfg_duration(const struct vg_cfg_node *base, const char *path, int64_t def_us, int64_t min_us,
		    int64_t max_us, unsigned flags, int64_t *out_us, struct vg_config_err *err)
{
	const struct vg_cfg_node *n;
	*out_us = def_us;
	int rc = scalar_at(base, path, &n, err);
	if (rc <= 0)
		return rc;
	size_t d = 0;
	while (d < n->value_len && n->value[d] >= '0' && n->value[d] <= '9')
		d++;
	struct vg_str suf = vg_str_trim(vg_str_make(n->value + d, n->value_len - d));
	uint64_t mult;
	if (suf.len == 0 || vg_str_eq_cstr(suf, "s"))
		mult = 1000000;
	else if (vg_str_eq_cstr(suf, "ms"))
		mult = 1000;
	else if (vg_str_eq_cstr(suf, "us"))
		mult = 1;
	else if (vg_str_eq_cstr(suf, "m"))
		mult = 60ull * 1000000;
	else if (vg_str_eq_cstr(suf, "h"))
		mult = 3600ull * 1000000;
	else if (vg_str_eq_cstr(suf, "d"))
		mult = 86400ull * 1000000;
	else
		return got_err(n, err, VG_EINVAL, "a duration like 30s, 5m, 1h or 250ms");
	uint64_t v;
	rc = vg_parse_u64(n->value, d, (uint64_t)INT64_MAX / mult, &v);
	if (rc)
		return got_err(n, err, rc, "a duration like 30s, 5m, 1h or 250ms");
	int64_t us = (int64_t)(v * mult);
	if (us < min_us || us > max_us) {
		if (!(flags & VG_CFG_CLAMP))
			return key_err(n, err, VG_ERANGE, "%s is out of range [%lldus, %lldus]", n->value,
				       (long long)min_us, (long long)max_us);
		us = us < min_us ? min_us : max_us;
	}
	*out_us = us;
	return 0;
}

int vg_cfg_double(const struct vg_cfg_node *base, const char *path, double def, double min, double max,
		  unsigned flags, double *out, struct vg_config_err *err)
{
	const struct vg_cfg_node *n;
	*out = def;
	int rc = scalar_at(base, path, &n, err);
	if (rc <= 0)
		return rc;
	double v;
	rc = vg_parse_double(n->value, n->value_len, INFINITY, &v);
	if (rc || !isfinite(v))
		return got_err(n, err, rc ? rc : VG_EINVAL, "a number like 0.5");
	if (v < min || v > max) {
		if (!(flags & VG_CFG_CLAMP))
			return key_err(n, err, VG_ERANGE, "%g is out of range [%g, %g]", v, min, max);
		v = v < min ? min : max;
	}
	*out = v;
	return 0;
}

int vg_cfg_bool(const struct vg_cfg_node *base, const char *path, bool def, bool *out,
		struct vg_config_err *err)
{
	const struct vg_cfg_node *n;
	*out = def;
	int rc = scalar_at(base, path, &n, err);
	if (rc <= 0)
		return rc;
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	struct vg_str s = vg_str_make(n->value, n->value_len);
	for (size_t i = 0; i < 4; i++) {
		if (vg_str_casecmp_cstr(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (vg_str_casecmp_cstr(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return got_err(n, err, VG_EINVAL, "true or false");
}

static int check_str(const struct vg_cfg_node *n, size_t maxlen, struct vg_config_err *err)
{
	if (memchr(n->value, 0, n->value_len))
		return key_err(n, err, VG_EINVAL, "string holds a NUL byte");
	if (maxlen && n->value_len > maxlen)
		return key_err(n, err, VG_ERANGE, "longer than %zu bytes", maxlen);
	return 0;
}

int vg_cfg_str(const struct vg_cfg_node *base, const char *path, const char *def, size_t maxlen,
	       const char **out, struct vg_config_err *err)
{
	const struct vg_cfg_node *n;
	*out = def;
	int rc = scalar_at(base, path, &n, err);
	if (rc <= 0)
		return rc;
	rc = check_str(n, maxlen, err);
	if (rc)
		return rc;
	*out = n->value;
	return 0;
}

int vg_cfg_seq_len(const struct vg_cfg_node *base, const char *path, size_t *out, struct vg_config_err *err)
{
	*out = 0;
	const struct vg_cfg_node *n = vg_cfg_get(base, path);
	if (vg_cfg_is_null(n))
		return 0;
	if (n->kind != VG_CFG_SEQ)
		return key_err(n, err, VG_EINVAL, "expected a list (- item), got a %s",
			       n->kind == VG_CFG_MAP ? "map" : "single value");
	*out = n->n_children;
	return 0;
}

int vg_cfg_seq_str(const struct vg_cfg_node *base, const char *path, size_t i, const char **out,
		   struct vg_config_err *err)
{
	*out = NULL;
	size_t len;
	int rc = vg_cfg_seq_len(base, path, &len, err);
	if (rc)
		return rc;
	if (i >= len)
		return VG_ENOENT;
	const struct vg_cfg_node *n = vg_cfg_seq_at(vg_cfg_get(base, path), i);
	if (n->kind != VG_CFG_SCALAR)
		return key_err(n, err, VG_EINVAL, "expected a string, got a %s",
			       n->kind == VG_CFG_MAP ? "map" : "sequence");
	rc = check_str(n, 0, err);
	if (rc)
		return rc;
	*out = n->value;
	return 0;
}

/* ---- unknown keys -------------------------------------------------------------------- */

/* Path for the known-key check: sequence items are transparent. */
static size_t known_path(const struct vg_cfg_node *n, char *buf, size_t bufsz)
{
	const struct vg_cfg_node *chain[VG_MAX_YAML_DEPTH + 1];
	size_t depth = 0, len = 0;
	buf[0] = 0;
	for (const struct vg_cfg_node *c = n; c && c->parent && depth < VG_MAX_YAML_DEPTH + 1; c = c->parent)
		if (c->key)
			chain[depth++] = c;
	while (depth--) {
		int w = snprintf(buf + len, bufsz - len, "%s%s", len ? "." : "", chain[depth]->key);
		if (w < 0 || (size_t)w >= bufsz - len)
			return len;
		len += (size_t)w;
	}
	return len;
}

enum known_res { K_UNKNOWN, K_EXACT, K_PARENT, K_ALL };

static enum known_res known_lookup(const char *path, size_t plen, const char *const *known)
{
	enum known_res best = K_UNKNOWN;
	for (size_t i = 0; known[i]; i++) {
		const char *k = known[i];
		size_t kl = strlen(k);
		bool wild = kl >= 2 && k[kl - 2] == '.' && k[kl - 1] == '*';
		size_t base = wild ? kl - 2 : kl;
		if (wild && plen >= base && memcmp(path, k, base) == 0 && (plen == base || path[base] == '.'))
			return K_ALL;
		if (!wild && plen == kl && memcmp(path, k, kl) == 0)
			best = K_EXACT;
		else if (base > plen && memcmp(path, k, plen) == 0 && k[plen] == '.' && best == K_UNKNOWN)
			best = K_PARENT;
	}
	return best;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 127 || lb > 127)
		return SIZE_MAX;
	size_t row[128];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = diag + (a[i - 1] != b[j - 1]);
			size_t m = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
			row[j] = cost < m ? cost : m;
			diag = up;
		}
	}
	return row[lb];
}

struct check_ctx {
	const char *const *known;
	struct vg_buf *report;
	struct vg_config_err *first;
	int count;
};

static void check_node(struct check_ctx *c, const struct vg_cfg_node *n)
{
	for (const struct vg_cfg_node *ch = n->child; ch; ch = ch->next) {
		if (!ch->key) { /* sequence item: same path as the sequence */
			if (ch->kind != VG_CFG_SCALAR)
				check_node(c, ch);
			continue;
		}
		char path[256];
		size_t plen = known_path(ch, path, sizeof(path));
		enum known_res r = known_lookup(path, plen, c->known);
		if (r == K_ALL || (r == K_EXACT && ch->kind == VG_CFG_SCALAR))
			continue;
		if (r == K_EXACT) {
			/* A structured key listed exactly: it is known as a whole unless some
			 * key below it is listed, in which case its children are checked. */
			char probe[260];
			int pl = snprintf(probe, sizeof(probe), "%s.", path);
			bool below = false;
			for (size_t i = 0; c->known[i] && !below; i++)
				below = strncmp(c->known[i], probe, (size_t)pl) == 0;
			if (below)
				check_node(c, ch);
			continue;
		}
		if (r == K_PARENT) {
			check_node(c, ch);
			continue;
		}
		/* Unknown: suggest the nearest known key within distance 2. */
		const char *best = NULL;
		size_t bestd = 3;
		char bestbuf[128];
		for (size_t i = 0; c->known[i]; i++) {
			/* Compare with "a.b" for a wildcard entry "a.b.*". */
			char cand[128];
			size_t kl = strlen(c->known[i]);
			if (kl >= 2 && c->known[i][kl - 2] == '.' && c->known[i][kl - 1] == '*')
				kl -= 2;
			vg_strlcpy(cand, c->known[i], kl, sizeof(cand));
			size_t d = edit_distance(path, cand);
			if (d < bestd) {
				bestd = d;
				memcpy(bestbuf, cand, sizeof(bestbuf));
				best = bestbuf;
			}
		}
		char line[600];
		if (best)
			snprintf(line, sizeof(line), "unknown key '%s' (did you mean '%s'?)", path, best);
		else
			snprintf(line, sizeof(line), "unknown key '%s'", path);
		if (c->report)
			vg_buf_printf(c->report, "%s:%d: %s\n", ch->file, ch->key_line, line);
		if (c->first && c->count == 0) {
			file_err(c->first, ch->file, ch->key_line, VG_EINVAL, "%s", line);
			vg_strlcpy(c->first->key, path, plen, sizeof(c->first->key));
		}
		c->count++;
	}
}

int vg_config_check_known(const struct vg_config *cfg, const char *const *known, struct vg_buf *report,
			  struct vg_config_err *first)
{
	if (first)
		memset(first, 0, sizeof(*first));
	if (!cfg || !cfg->root || !known)
		return 0;
	struct check_ctx c = { .known = known, .report = report, .first = first };
	check_node(&c, cfg->root);
	return c.count;
}
