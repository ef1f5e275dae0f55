/* correlate-rule.c — the Sigma YAML loader: detection rules and Sigma v2 correlation
 * rules, compiled into struct vg_correlate_rule.
 *
 * Rule files are operator input but are still treated as untrusted text: sizes, node
 * counts, nesting and value counts are bounded (limits.h, VG_CORR_*), YAML aliases are
 * walked with a node budget, and every error names file, line and field:
 *   "rules/x.yml:14: detection.selection: unknown modifier 'contain'".
 * A rule with an error is skipped and counted; the others in the file still load. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <yaml.h>

#include "core/core-error.h"
#include "core/core-str.h"
#include "core/limits.h"
#include "correlate/correlate-int.h"

struct ld {
	const char *file;
	yaml_document_t *doc;
	vg_correlate_diag_fn diag;
	void *ctx;
	unsigned budget;  /* nodes left to visit in this document */
	bool failed;      /* this rule already reported its (first) error */
};

static void ld_err(struct ld *l, const yaml_node_t *n, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void ld_err(struct ld *l, const yaml_node_t *n, const char *field, const char *fmt, ...)
{
	if (l->failed)
		return;
	l->failed = true;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char full[1024];
	snprintf(full, sizeof(full), "%s:%lu: %s: %s", l->file,
		 n ? (unsigned long)n->start_mark.line + 1 : 0ul, field, msg);
	if (l->diag)
		l->diag(l->ctx, full);
}

static yaml_node_t *node(struct ld *l, int idx)
{
	if (l->budget == 0)
		return NULL;
	l->budget--;
	return yaml_document_get_node(l->doc, idx);
}

static bool is_null(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return false;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *v = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	return len == 0 || (len == 1 && v[0] == '~') ||
	       (len == 4 && (!memcmp(v, "null", 4) || !memcmp(v, "Null", 4) || !memcmp(v, "NULL", 4)));
}

/* A scalar as a new NUL-terminated string; NULL (and an error) for non-scalars, NUL
 * bytes or over-long values. */
static char *scalar_dup(struct ld *l, const yaml_node_t *n, const char *field, size_t max)
{
	if (!n || n->type != YAML_SCALAR_NODE) {
		ld_err(l, n, field, "expected a scalar");
		return NULL;
	}
	size_t len = n->data.scalar.length;
	if (len > max) {
		ld_err(l, n, field, "value longer than %zu bytes", max);
		return NULL;
	}
	if (memchr(n->data.scalar.value, '\0', len)) {
		ld_err(l, n, field, "value contains a NUL byte");
		return NULL;
	}
	char *s = malloc(len + 1);
	if (!s) {
		ld_err(l, n, field, "out of memory");
		return NULL;
	}
	memcpy(s, n->data.scalar.value, len);
	s[len] = '\0';
	return s;
}

static bool key_is(const yaml_node_t *k, const char *s)
{
	return k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == strlen(s) &&
	       !memcmp(k->data.scalar.value, s, k->data.scalar.length);
}

/* A sequence of scalars (or one scalar) as a string array. */
static int str_list(struct ld *l, const yaml_node_t *n, const char *field, size_t maxn,
		    char ***out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (n && n->type == YAML_SCALAR_NODE) {
		char *s = scalar_dup(l, n, field, VG_MAX_NAME);
		if (!s)
			return VG_EINVAL;
		*out = malloc(sizeof(char *));
		if (!*out) {
			free(s);
			ld_err(l, n, field, "out of memory");
			return VG_ENOMEM;
		}
		(*out)[0] = s;
		*nout = 1;
		return 0;
	}
	if (!n || n->type != YAML_SEQUENCE_NODE) {
		ld_err(l, n, field, "expected a list");
		return VG_EINVAL;
	}
	size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (cnt > maxn) {
		ld_err(l, n, field, "more than %zu entries", maxn);
		return VG_ERANGE;
	}
	char **arr = calloc(cnt ? cnt : 1, sizeof(char *));
	if (!arr) {
		ld_err(l, n, field, "out of memory");
		return VG_ENOMEM;
	}
	size_t k = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		char *s = scalar_dup(l, node(l, *it), field, VG_MAX_NAME);
		if (!s) {
			for (size_t j = 0; j < k; j++)
				free(arr[j]);
			free(arr);
			return VG_EINVAL;
		}
		arr[k++] = s;
	}
	*out = arr;
	*nout = k;
	return 0;
}

static void free_list(char **a, size_t n)
{
	for (size_t i = 0; a && i < n; i++)
		free(a[i]);
	free(a);
}

/* --- values ------------------------------------------------------------------------ */

enum wrap { W_NONE = 0, W_CONTAINS, W_STARTS, W_ENDS };

struct mods {
	enum wrap wrap;
	bool all, re, cidr, exists, cased, re_i, re_m, re_s;
	enum cm_cmp cmp;
};

/* Sigma string → wildcard pattern: * and ? are wildcards, \* \? \\ escape them, any other
 * backslash is literal. */
static int glob_compile(const char *s, size_t len, enum wrap w, bool cased, struct cm_value *v)
{
	uint16_t *p = malloc((len + 2) * sizeof(uint16_t));
	if (!p)
		return VG_ENOMEM;
	size_t n = 0;
	if (w == W_CONTAINS || w == W_ENDS)
		p[n++] = CM_STAR;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' && i + 1 < len && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
			c = (unsigned char)s[++i];
		} else if (c == '*') {
			p[n++] = CM_STAR;
			continue;
		} else if (c == '?') {
			p[n++] = CM_QMARK;
			continue;
		}
		p[n++] = cased ? c : ((c >= 'A' && c <= 'Z') ? c + 32u : c);
	}
	if (w == W_CONTAINS || w == W_STARTS)
		p[n++] = CM_STAR;
	v->kind = CM_GLOB;
	v->pat = p;
	v->patlen = n;
	return 0;
}

static void value_free(struct cm_value *v)
{
	free(v->pat);
	if (v->re)
		pcre2_code_free((pcre2_code *)v->re);
	if (v->mctx)
		pcre2_match_context_free((pcre2_match_context *)v->mctx);
}

static int value_compile(struct ld *l, const yaml_node_t *n, const char *field,
			 const struct mods *m, struct cm_value *v)
{
	memset(v, 0, sizeof(*v));
	if (!n || n->type != YAML_SCALAR_NODE) {
		ld_err(l, n, field, "expected a value (string, number or null)");
		return VG_EINVAL;
	}
	if (is_null(n) && !m->exists) {
		if (m->re || m->cidr || m->cmp || m->wrap) {
			ld_err(l, n, field, "null cannot take a modifier");
			return VG_EINVAL;
		}
		v->kind = CM_NULL;
		return 0;
	}
	const char *s = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	if (len > VG_CORR_MAX_PATTERN) {
		ld_err(l, n, field, "value longer than %u bytes", VG_CORR_MAX_PATTERN);
		return VG_ERANGE;
	}
	if (m->exists) {
		if (len == 4 && !memcmp(s, "true", 4))
			v->exists = true;
		else if (!(len == 5 && !memcmp(s, "false", 5))) {
			ld_err(l, n, field, "exists takes true or false");
			return VG_EINVAL;
		}
		v->kind = CM_EXISTS;
		return 0;
	}
	if (m->re) {
		if (memchr(s, '\0', len)) {
			ld_err(l, n, field, "regular expression contains a NUL byte");
			return VG_EINVAL;
		}
		uint32_t fl = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
		if (m->re_i)
			fl |= PCRE2_CASELESS;
		if (m->re_m)
			fl |= PCRE2_MULTILINE;
		if (m->re_s)
			fl |= PCRE2_DOTALL;
		int ec;
		PCRE2_SIZE eo;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)s, len, fl, &ec, &eo, NULL);
		if (!re) {
			PCRE2_UCHAR buf[128];
			pcre2_get_error_message(ec, buf, sizeof(buf));
			ld_err(l, n, field, "bad regular expression at offset %zu: %s", (size_t)eo,
			       (const char *)buf);
			return VG_EINVAL;
		}
		/* Rules are trusted, log lines are not: bound the backtracking a line can cause. */
		pcre2_match_context *mc = pcre2_match_context_create(NULL);
		if (!mc) {
			pcre2_code_free(re);
			ld_err(l, n, field, "out of memory");
			return VG_ENOMEM;
		}
		pcre2_set_match_limit(mc, VG_CORR_RE_MATCH_LIMIT);
		pcre2_set_depth_limit(mc, VG_CORR_RE_DEPTH_LIMIT);
		v->kind = CM_RE;
		v->re = (struct pcre2_real_code_8 *)re;
		v->mctx = (struct pcre2_real_match_context_8 *)mc;
		return 0;
	}
	if (m->cidr) {
		if (vg_cidr_parse(s, len, &v->cidr) != 0) {
			ld_err(l, n, field, "bad CIDR '%.*s'", (int)(len > 64 ? 64 : len), s);
			return VG_EINVAL;
		}
		v->kind = CM_CIDR;
		return 0;
	}
	if (m->cmp) {
		int64_t iv;
		double dv;
		if (vg_parse_i64(s, len, INT64_MIN / 2, INT64_MAX / 2, &iv) == 0) {
			v->num = (double)iv;
		} else if (vg_parse_double(s, len, 1e18, &dv) == 0) {
			v->num = dv;
		} else {
			ld_err(l, n, field, "expected a number, got '%.*s'", (int)(len > 64 ? 64 : len), s);
			return VG_EINVAL;
		}
		v->kind = CM_NUM;
		v->cmp = m->cmp;
		return 0;
	}
	if (glob_compile(s, len, m->wrap, m->cased, v) != 0) {
		ld_err(l, n, field, "out of memory");
		return VG_ENOMEM;
	}
	return 0;
}

/* "field|mod|mod" → canonical field and modifiers. */
static int parse_key(struct ld *l, const yaml_node_t *k, const char *where, struct cm_field *f,
		     struct mods *m, char *fieldpath, size_t fpsz)
{
	memset(m, 0, sizeof(*m));
	char *key = scalar_dup(l, k, where, VG_MAX_NAME);
	if (!key)
		return VG_EINVAL;
	char *bar = strchr(key, '|');
	if (bar)
		*bar = '\0';
	snprintf(fieldpath, fpsz, "%s.%s", where, key);
	int rc = 0;
	for (char *mod = bar ? bar + 1 : NULL; mod;) {
		char *next = strchr(mod, '|');
		if (next)
			*next++ = '\0';
		if (!strcmp(mod, "contains")) m->wrap = W_CONTAINS;
		else if (!strcmp(mod, "startswith")) m->wrap = W_STARTS;
		else if (!strcmp(mod, "endswith")) m->wrap = W_ENDS;
		else if (!strcmp(mod, "all")) m->all = true;
		else if (!strcmp(mod, "re")) m->re = true;
		else if (!strcmp(mod, "i")) m->re_i = true;
		else if (!strcmp(mod, "m")) m->re_m = true;
		else if (!strcmp(mod, "s")) m->re_s = true;
		else if (!strcmp(mod, "cidr")) m->cidr = true;
		else if (!strcmp(mod, "exists")) m->exists = true;
		else if (!strcmp(mod, "cased")) m->cased = true;
		else if (!strcmp(mod, "gt")) m->cmp = CM_GT;
		else if (!strcmp(mod, "gte")) m->cmp = CM_GTE;
		else if (!strcmp(mod, "lt")) m->cmp = CM_LT;
		else if (!strcmp(mod, "lte")) m->cmp = CM_LTE;
		else if (!strcmp(mod, "base64") || !strcmp(mod, "base64offset") ||
			 !strcmp(mod, "wide") || !strcmp(mod, "utf16") || !strcmp(mod, "utf16le") ||
			 !strcmp(mod, "utf16be") || !strcmp(mod, "windash") || !strcmp(mod, "expand") ||
			 !strcmp(mod, "fieldref")) {
			ld_err(l, k, fieldpath, "modifier '%s' is not supported", mod);
			rc = VG_ENOTSUP;
			break;
		} else {
			ld_err(l, k, fieldpath, "unknown modifier '%s'", mod);
			rc = VG_EINVAL;
			break;
		}
		mod = next;
	}
	if (rc == 0) {
		int kinds = (m->re ? 1 : 0) + (m->cidr ? 1 : 0) + (m->cmp ? 1 : 0) + (m->exists ? 1 : 0) +
			    (m->wrap ? 1 : 0);
		if (kinds > 1) {
			ld_err(l, k, fieldpath, "modifiers cannot be combined this way");
			rc = VG_EINVAL;
		} else if ((m->re_i || m->re_m || m->re_s) && !m->re) {
			ld_err(l, k, fieldpath, "i, m and s apply to re only");
			rc = VG_EINVAL;
		}
	}
	if (rc == 0) {
		enum cm_field_id id;
		const char *canon = key[0] ? cm_field_canon(key, &id) : "keywords";
		if (!key[0])
			id = CM_F_KEYWORDS;
		f->name = strdup(canon);
		f->id = id;
		f->all = m->all;
		f->cased = m->cased;
		if (!f->name) {
			ld_err(l, k, fieldpath, "out of memory");
			rc = VG_ENOMEM;
		}
	}
	free(key);
	return rc;
}

static void field_free(struct cm_field *f)
{
	for (size_t i = 0; i < f->n_vals; i++)
		value_free(&f->vals[i]);
	free(f->vals);
	free(f->name);
}

static int field_values(struct ld *l, const yaml_node_t *v, const char *fp, const struct mods *m,
			struct cm_field *f)
{
	size_t cnt = 1;
	if (v && v->type == YAML_SEQUENCE_NODE)
		cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (cnt > VG_CORR_MAX_VALUES) {
		ld_err(l, v, fp, "more than %u values", VG_CORR_MAX_VALUES);
		return VG_ERANGE;
	}
	if (cnt == 0) {
		ld_err(l, v, fp, "empty list of values");
		return VG_EINVAL;
	}
	f->vals = calloc(cnt, sizeof(*f->vals));
	if (!f->vals) {
		ld_err(l, v, fp, "out of memory");
		return VG_ENOMEM;
	}
	if (v && v->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			int rc = value_compile(l, node(l, *it), fp, m, &f->vals[f->n_vals]);
			if (rc)
				return rc;
			f->n_vals++;
		}
	} else {
		int rc = value_compile(l, v, fp, m, &f->vals[0]);
		if (rc)
			return rc;
		f->n_vals = 1;
	}
	return 0;
}

static int map_compile(struct ld *l, const yaml_node_t *mn, const char *where, struct cm_map *map)
{
	size_t cnt = (size_t)(mn->data.mapping.pairs.top - mn->data.mapping.pairs.start);
	if (cnt > VG_CORR_MAX_FIELDS) {
		ld_err(l, mn, where, "more than %u fields", VG_CORR_MAX_FIELDS);
		return VG_ERANGE;
	}
	if (cnt == 0) {
		ld_err(l, mn, where, "empty selection");
		return VG_EINVAL;
	}
	map->fields = calloc(cnt, sizeof(*map->fields));
	if (!map->fields) {
		ld_err(l, mn, where, "out of memory");
		return VG_ENOMEM;
	}
	for (yaml_node_pair_t *p = mn->data.mapping.pairs.start; p < mn->data.mapping.pairs.top; p++) {
		struct cm_field *f = &map->fields[map->n_fields];
		struct mods m;
		char fp[VG_MAX_NAME * 2 + 16];
		const yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
		if (!k || !v) {
			ld_err(l, mn, where, "document too complex");
			return VG_ERANGE;
		}
		int rc = parse_key(l, k, where, f, &m, fp, sizeof(fp));
		if (rc) {
			field_free(f);
			return rc;
		}
		map->n_fields++;
		rc = field_values(l, v, fp, &m, f);
		if (rc)
			return rc;
		if (m.all && f->n_vals < 2 && !(v->type == YAML_SEQUENCE_NODE)) {
			/* |all over one value is harmless; nothing to check */
		}
	}
	return 0;
}

static void map_free(struct cm_map *m)
{
	for (size_t i = 0; i < m->n_fields; i++)
		field_free(&m->fields[i]);
	free(m->fields);
}

static void sel_free(struct cm_sel *s)
{
	for (size_t i = 0; i < s->n_alts; i++)
		map_free(&s->alts[i]);
	free(s->alts);
	free(s->name);
}

static int sel_compile(struct ld *l, const yaml_node_t *k, const yaml_node_t *v, struct cm_sel *s)
{
	char where[VG_MAX_NAME + 16];
	s->name = scalar_dup(l, k, "detection", VG_MAX_NAME);
	if (!s->name)
		return VG_EINVAL;
	snprintf(where, sizeof(where), "detection.%s", s->name);
	if (!s->name[0]) {
		ld_err(l, k, "detection", "empty selection name");
		return VG_EINVAL;
	}
	if (v->type == YAML_MAPPING_NODE) {
		s->alts = calloc(1, sizeof(*s->alts));
		if (!s->alts) {
			ld_err(l, v, where, "out of memory");
			return VG_ENOMEM;
		}
		s->n_alts = 1;
		return map_compile(l, v, where, &s->alts[0]);
	}
	if (v->type != YAML_SEQUENCE_NODE) {
		ld_err(l, v, where, "expected a map of fields or a list");
		return VG_EINVAL;
	}
	size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (cnt == 0 || cnt > VG_CORR_MAX_VALUES) {
		ld_err(l, v, where, cnt ? "too many entries" : "empty list");
		return VG_EINVAL;
	}
	const yaml_node_t *first = node(l, v->data.sequence.items.start[0]);
	if (first && first->type == YAML_SCALAR_NODE) {
		/* Keyword list: any of the strings anywhere in the message. */
		s->alts = calloc(1, sizeof(*s->alts));
		if (!s->alts || !(s->alts[0].fields = calloc(1, sizeof(struct cm_field)))) {
			ld_err(l, v, where, "out of memory");
			return VG_ENOMEM;
		}
		s->n_alts = 1;
		s->alts[0].n_fields = 1;
		struct cm_field *f = &s->alts[0].fields[0];
		f->id = CM_F_KEYWORDS;
		f->name = strdup("keywords");
		struct mods m = { .wrap = W_CONTAINS };
		if (!f->name) {
			ld_err(l, v, where, "out of memory");
			return VG_ENOMEM;
		}
		return field_values(l, v, where, &m, f);
	}
	s->alts = calloc(cnt, sizeof(*s->alts));
	if (!s->alts) {
		ld_err(l, v, where, "out of memory");
		return VG_ENOMEM;
	}
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		const yaml_node_t *mn = node(l, *it);
		if (!mn || mn->type != YAML_MAPPING_NODE) {
			ld_err(l, mn ? mn : v, where, "a list must hold only maps or only strings");
			return VG_EINVAL;
		}
		int rc = map_compile(l, mn, where, &s->alts[s->n_alts]);
		s->n_alts++;
		if (rc)
			return rc;
	}
	return 0;
}

/* --- rule documents --------------------------------------------------------------- */

void cm_rule_free(struct vg_correlate_rule *r)
{
	if (!r)
		return;
	free(r->file);
	free(r->title);
	free(r->id);
	free(r->name);
	free(r->description);
	free(r->status);
	free(r->level);
	free_list(r->tags, r->n_tags);
	free(r->tags_joined);
	free(r->ls_product);
	free(r->ls_service);
	free(r->ls_category);
	for (size_t i = 0; i < r->n_sels; i++)
		sel_free(&r->sels[i]);
	free(r->sels);
	cm_cond_free(&r->cond);
	free_list(r->corr.refs, r->corr.n_refs);
	free(r->corr.ref_idx);
	free_list(r->corr.group_by, r->corr.n_gb);
	free(r->corr.gb_id);
	free(r->corr.field);
	free_list(r->evidence, r->n_evidence);
	free(r->ev_id);
	free(r->parents);
	free(r);
}

int vg_correlate_level_severity(const char *level)
{
	if (!level)
		return -1;
	if (!strcmp(level, "critical") || !strcmp(level, "high"))
		return 1;
	if (!strcmp(level, "medium"))
		return 2;
	if (!strcmp(level, "low"))
		return 3;
	if (!strcmp(level, "informational"))
		return 4;
	return -1;
}

static int parse_detection(struct ld *l, const yaml_node_t *d, struct vg_correlate_rule *r)
{
	if (d->type != YAML_MAPPING_NODE) {
		ld_err(l, d, "detection", "expected a map");
		return VG_EINVAL;
	}
	size_t cnt = (size_t)(d->data.mapping.pairs.top - d->data.mapping.pairs.start);
	r->sels = calloc(cnt ? cnt : 1, sizeof(*r->sels));
	if (!r->sels) {
		ld_err(l, d, "detection", "out of memory");
		return VG_ENOMEM;
	}
	const yaml_node_t *cond = NULL;
	for (yaml_node_pair_t *p = d->data.mapping.pairs.start; p < d->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
		if (!k || !v) {
			ld_err(l, d, "detection", "document too complex");
			return VG_ERANGE;
		}
		if (key_is(k, "condition")) {
			cond = v;
			continue;
		}
		if (key_is(k, "timeframe")) {
			ld_err(l, k, "detection.timeframe",
			       "timeframe/aggregations are not supported; use a correlation rule");
			return VG_ENOTSUP;
		}
		if (r->n_sels >= VG_CORR_MAX_SELECTIONS) {
			ld_err(l, k, "detection", "more than %u selections", VG_CORR_MAX_SELECTIONS);
			return VG_ERANGE;
		}
		int rc = sel_compile(l, k, v, &r->sels[r->n_sels]);
		r->n_sels++;
		if (rc)
			return rc;
	}
	if (!cond) {
		ld_err(l, d, "detection.condition", "missing");
		return VG_EINVAL;
	}
	/* A list of conditions means any of them (Sigma). */
	struct vg_buf cb;
	vg_buf_init(&cb, VG_CORR_MAX_COND_LEN + 1);
	int rc = 0;
	if (cond->type == YAML_SCALAR_NODE) {
		rc = vg_buf_append(&cb, cond->data.scalar.value, cond->data.scalar.length);
	} else if (cond->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = cond->data.sequence.items.start;
		     it < cond->data.sequence.items.top && rc == 0; it++) {
			const yaml_node_t *c = node(l, *it);
			if (!c || c->type != YAML_SCALAR_NODE) {
				ld_err(l, cond, "detection.condition", "expected a string or a list of strings");
				vg_buf_free(&cb);
				return VG_EINVAL;
			}
			rc = vg_buf_printf(&cb, "%s(", cb.len ? " or " : "");
			if (rc == 0)
				rc = vg_buf_append(&cb, c->data.scalar.value, c->data.scalar.length);
			if (rc == 0)
				rc = vg_buf_appendc(&cb, ")");
		}
	} else {
		ld_err(l, cond, "detection.condition", "expected a string or a list of strings");
		vg_buf_free(&cb);
		return VG_EINVAL;
	}
	if (rc) {
		ld_err(l, cond, "detection.condition", "longer than %u bytes", VG_CORR_MAX_COND_LEN);
		vg_buf_free(&cb);
		return VG_ERANGE;
	}
	char err[256];
	rc = cm_cond_parse(vg_buf_cstr(&cb), cb.len, r->sels, r->n_sels, &r->cond, err, sizeof(err));
	vg_buf_free(&cb);
	if (rc) {
		ld_err(l, cond, "detection.condition", "%s", err);
		return rc;
	}
	return 0;
}

static int parse_timespan(const char *s, int64_t *out)
{
	*out = 0;
	size_t len = strlen(s);
	if (len < 2)
		return VG_EINVAL;
	uint64_t mult;
	switch (s[len - 1]) {
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	case 'w': mult = 7 * 86400; break;
	default: return VG_EINVAL;
	}
	uint64_t v;
	if (vg_parse_u64(s, len - 1, VG_CORR_MAX_TIMESPAN_S, &v) != 0 || v == 0 ||
	    v * mult > VG_CORR_MAX_TIMESPAN_S)
		return VG_ERANGE;
	*out = (int64_t)(v * mult) * 1000000;
	return 0;
}

static int canon_fields(struct ld *l, const yaml_node_t *n, const char *field, size_t maxn,
			char ***names, enum cm_field_id **ids, size_t *cnt)
{
	int rc = str_list(l, n, field, maxn, names, cnt);
	if (rc)
		return rc;
	*ids = calloc(*cnt ? *cnt : 1, sizeof(**ids));
	if (!*ids) {
		ld_err(l, n, field, "out of memory");
		return VG_ENOMEM;
	}
	for (size_t i = 0; i < *cnt; i++) {
		const char *c = cm_field_canon((*names)[i], &(*ids)[i]);
		if (c != (*names)[i]) {
			char *d = strdup(c);
			if (!d) {
				ld_err(l, n, field, "out of memory");
				return VG_ENOMEM;
			}
			free((*names)[i]);
			(*names)[i] = d;
		}
	}
	return 0;
}

static int parse_correlation(struct ld *l, const yaml_node_t *c, struct vg_correlate_rule *r)
{
	struct corr_def *cd = &r->corr;
	if (c->type != YAML_MAPPING_NODE) {
		ld_err(l, c, "correlation", "expected a map");
		return VG_EINVAL;
	}
	const yaml_node_t *cond = NULL, *type = NULL;
	for (yaml_node_pair_t *p = c->data.mapping.pairs.start; p < c->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
		if (!k || !v) {
			ld_err(l, c, "correlation", "document too complex");
			return VG_ERANGE;
		}
		int rc = 0;
		if ((key_is(k, "type") && type) || (key_is(k, "rules") && cd->refs) ||
		    (key_is(k, "group-by") && cd->group_by) || (key_is(k, "timespan") && cd->timespan_us) ||
		    (key_is(k, "condition") && cond)) {
			ld_err(l, k, "correlation", "duplicate key");
			return VG_EINVAL;
		}
		if (key_is(k, "type")) {
			type = v;
			char *t = scalar_dup(l, v, "correlation.type", VG_MAX_NAME);
			if (!t)
				return VG_EINVAL;
			if (!strcmp(t, "event_count")) cd->type = CT_EVENT_COUNT;
			else if (!strcmp(t, "value_count")) cd->type = CT_VALUE_COUNT;
			else if (!strcmp(t, "temporal")) cd->type = CT_TEMPORAL;
			else if (!strcmp(t, "temporal_ordered")) cd->type = CT_TEMPORAL_ORDERED;
			else
				ld_err(l, v, "correlation.type", "unknown correlation type '%s'", t);
			free(t);
			if (cd->type == CT_NONE)
				return VG_EINVAL;
		} else if (key_is(k, "rules")) {
			rc = str_list(l, v, "correlation.rules", VG_CORR_MAX_REFS, &cd->refs, &cd->n_refs);
		} else if (key_is(k, "group-by")) {
			rc = canon_fields(l, v, "correlation.group-by", VG_CORR_MAX_GROUP_BY, &cd->group_by,
					  &cd->gb_id, &cd->n_gb);
		} else if (key_is(k, "timespan")) {
			char *t = scalar_dup(l, v, "correlation.timespan", 32);
			if (!t)
				return VG_EINVAL;
			rc = parse_timespan(t, &cd->timespan_us);
			if (rc)
				ld_err(l, v, "correlation.timespan",
				       "expected N followed by s, m, h, d or w, at most %u days, got '%s'",
				       VG_CORR_MAX_TIMESPAN_S / 86400, t);
			free(t);
		} else if (key_is(k, "condition")) {
			cond = v;
		} else if (key_is(k, "generate")) {
			if (key_is(v, "true")) cd->generate = true;
			else if (key_is(v, "false")) cd->generate = false;
			else {
				ld_err(l, v, "correlation.generate", "expected true or false");
				return VG_EINVAL;
			}
		} else if (key_is(k, "aliases")) {
			ld_err(l, k, "correlation.aliases",
			       "not supported: events already carry normalized (ECS) field names");
			return VG_ENOTSUP;
		} else {
			char *kn = scalar_dup(l, k, "correlation", VG_MAX_NAME);
			if (kn)
				ld_err(l, k, "correlation", "unknown key '%s'", kn);
			free(kn);
			return VG_EINVAL;
		}
		if (rc)
			return rc;
	}
	if (!type) {
		ld_err(l, c, "correlation.type", "missing");
		return VG_EINVAL;
	}
	if (cd->n_refs == 0) {
		ld_err(l, c, "correlation.rules", "missing");
		return VG_EINVAL;
	}
	if (cd->timespan_us == 0) {
		ld_err(l, c, "correlation.timespan", "missing");
		return VG_EINVAL;
	}
	if ((cd->type == CT_TEMPORAL || cd->type == CT_TEMPORAL_ORDERED) && cd->n_refs < 2) {
		ld_err(l, c, "correlation.rules", "temporal correlations need at least two rules");
		return VG_EINVAL;
	}
	if (cd->type == CT_EVENT_COUNT || cd->type == CT_VALUE_COUNT) {
		if (!cond || cond->type != YAML_MAPPING_NODE) {
			ld_err(l, cond ? cond : c, "correlation.condition", "expected a map such as {gte: 5}");
			return VG_EINVAL;
		}
		for (yaml_node_pair_t *p = cond->data.mapping.pairs.start; p < cond->data.mapping.pairs.top; p++) {
			const yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
			if (!k || !v) {
				ld_err(l, cond, "correlation.condition", "document too complex");
				return VG_ERANGE;
			}
			if (key_is(k, "field")) {
				if (cd->field) {
					ld_err(l, k, "correlation.condition.field", "duplicate key");
					return VG_EINVAL;
				}
				char *f = scalar_dup(l, v, "correlation.condition.field", VG_MAX_NAME);
				if (!f)
					return VG_EINVAL;
				const char *canon = cm_field_canon(f, &cd->field_id);
				cd->field = strdup(canon);
				free(f);
				if (!cd->field) {
					ld_err(l, v, "correlation.condition.field", "out of memory");
					return VG_ENOMEM;
				}
				continue;
			}
			enum corr_op op = 0;
			if (key_is(k, "gt")) op = CO_GT;
			else if (key_is(k, "gte")) op = CO_GTE;
			else if (key_is(k, "lt")) op = CO_LT;
			else if (key_is(k, "lte")) op = CO_LTE;
			else if (key_is(k, "eq")) op = CO_EQ;
			else if (key_is(k, "neq")) op = CO_NEQ;
			else {
				ld_err(l, k, "correlation.condition", "unknown operator (gt, gte, lt, lte, eq, neq, field)");
				return VG_EINVAL;
			}
			if (cd->op) {
				ld_err(l, k, "correlation.condition", "only one comparison is supported");
				return VG_EINVAL;
			}
			if (!v || v->type != YAML_SCALAR_NODE ||
			    vg_parse_u64((const char *)v->data.scalar.value, v->data.scalar.length,
					 VG_CORR_MAX_THRESHOLD, &cd->threshold) != 0) {
				ld_err(l, v, "correlation.condition", "expected a count from 0 to %u",
				       VG_CORR_MAX_THRESHOLD);
				return VG_ERANGE;
			}
			cd->op = op;
		}
		if (!cd->op) {
			ld_err(l, cond, "correlation.condition", "missing comparison (gte: N, ...)");
			return VG_EINVAL;
		}
		if (cd->type == CT_VALUE_COUNT && !cd->field) {
			ld_err(l, cond, "correlation.condition.field", "value_count needs the field to count");
			return VG_EINVAL;
		}
		if (cd->type == CT_EVENT_COUNT && cd->field) {
			ld_err(l, cond, "correlation.condition.field", "only value_count takes a field");
			return VG_EINVAL;
		}
	}
	return 0;
}

static int parse_logsource(struct ld *l, const yaml_node_t *n, struct vg_correlate_rule *r)
{
	if (n->type != YAML_MAPPING_NODE) {
		ld_err(l, n, "logsource", "expected a map");
		return VG_EINVAL;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
		if (!k || !v) {
			ld_err(l, n, "logsource", "document too complex");
			return VG_ERANGE;
		}
		char **dst = key_is(k, "product") ? &r->ls_product
			   : key_is(k, "service") ? &r->ls_service
			   : key_is(k, "category") ? &r->ls_category : NULL;
		if (!dst)
			continue; /* definition, custom keys: informative only */
		free(*dst);
		*dst = scalar_dup(l, v, key_is(k, "product") ? "logsource.product"
				  : key_is(k, "service") ? "logsource.service" : "logsource.category",
				  VG_MAX_NAME);
		if (!*dst)
			return VG_EINVAL;
	}
	cm_logsource_compile(r);
	return 0;
}

/* One YAML document → one rule (or an error). */
static int parse_rule(struct ld *l, const yaml_node_t *root, const char *file,
		      struct vg_correlate_rule **out)
{
	*out = NULL;
	if (root->type != YAML_MAPPING_NODE) {
		ld_err(l, root, "rule", "expected a map at the top of the document");
		return VG_EINVAL;
	}
	struct vg_correlate_rule *r = calloc(1, sizeof(*r));
	if (!r) {
		ld_err(l, root, "rule", "out of memory");
		return VG_ENOMEM;
	}
	r->file = strdup(file);
	r->line = (unsigned)root->start_mark.line + 1;
	const yaml_node_t *det = NULL, *corr = NULL, *level = NULL;
	int rc = r->file ? 0 : VG_ENOMEM;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     rc == 0 && p < root->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
		if (!k || !v) {
			ld_err(l, root, "rule", "document too complex");
			rc = VG_ERANGE;
			break;
		}
		if (key_is(k, "title")) {
			if (r->title) {
				ld_err(l, k, "title", "duplicate key");
				rc = VG_EINVAL;
				break;
			}
			if (!(r->title = scalar_dup(l, v, "title", VG_MAX_NAME)))
				rc = VG_EINVAL;
		} else if (key_is(k, "id")) {
			if (r->id) {
				ld_err(l, k, "id", "duplicate key");
				rc = VG_EINVAL;
				break;
			}
			if (!(r->id = scalar_dup(l, v, "id", VG_MAX_NAME)))
				rc = VG_EINVAL;
		} else if (key_is(k, "name")) {
			if (r->name) {
				ld_err(l, k, "name", "duplicate key");
				rc = VG_EINVAL;
				break;
			}
			if (!(r->name = scalar_dup(l, v, "name", VG_MAX_NAME)))
				rc = VG_EINVAL;
		} else if (key_is(k, "status")) {
			if (r->status) {
				ld_err(l, k, "status", "duplicate key");
				rc = VG_EINVAL;
				break;
			}
			if (!(r->status = scalar_dup(l, v, "status", VG_MAX_NAME)))
				rc = VG_EINVAL;
		} else if (key_is(k, "description")) {
			if (r->description) {
				ld_err(l, k, "description", "duplicate key");
				rc = VG_EINVAL;
				break;
			}
			if (!(r->description = scalar_dup(l, v, "description", VG_CORR_MAX_PATTERN)))
				rc = VG_EINVAL;
		} else if (key_is(k, "level")) {
			if (r->level) {
				ld_err(l, k, "level", "duplicate key");
				rc = VG_EINVAL;
				break;
			}
			level = v;
			if (!(r->level = scalar_dup(l, v, "level", VG_MAX_NAME)))
				rc = VG_EINVAL;
		} else if (key_is(k, "tags")) {
			if (r->tags) {
				ld_err(l, k, "tags", "duplicate key");
				rc = VG_EINVAL;
				break;
			}
			rc = str_list(l, v, "tags", 64, &r->tags, &r->n_tags);
		} else if (key_is(k, "logsource")) {
			rc = parse_logsource(l, v, r);
		} else if (key_is(k, "detection")) {
			if (det) {
				ld_err(l, k, "detection", "duplicate key");
				rc = VG_EINVAL;
				break;
			}
			det = v;
		} else if (key_is(k, "correlation")) {
			if (corr) {
				ld_err(l, k, "correlation", "duplicate key");
				rc = VG_EINVAL;
				break;
			}
			corr = v;
		} else if (key_is(k, "vigil-evidence")) {
			if (r->evidence) {
				ld_err(l, k, "vigil-evidence", "duplicate key");
				rc = VG_EINVAL;
				break;
			}
			rc = canon_fields(l, v, "vigil-evidence", VG_CORR_MAX_EVIDENCE, &r->evidence,
					  &r->ev_id, &r->n_evidence);
		}
		/* author, date, references, falsepositives, fields, related, ...: ignored */
	}
	if (rc == 0 && !r->title) {
		ld_err(l, root, "title", "missing");
		rc = VG_EINVAL;
	}
	if (rc == 0 && det && corr) {
		ld_err(l, corr, "correlation", "a rule has either detection or correlation, not both");
		rc = VG_EINVAL;
	}
	if (rc == 0 && !det && !corr) {
		ld_err(l, root, "detection", "missing");
		rc = VG_EINVAL;
	}
	if (rc == 0) {
		if (!r->level && !(r->level = strdup("medium")))
			rc = VG_ENOMEM;
		else if ((r->severity = vg_correlate_level_severity(r->level)) < 0) {
			ld_err(l, level, "level", "unknown level '%s' (informational, low, medium, high, critical)",
			       r->level);
			rc = VG_EINVAL;
		}
	}
	if (rc == 0)
		rc = det ? parse_detection(l, det, r) : parse_correlation(l, corr, r);
	if (rc == 0 && r->n_tags) {
		struct vg_buf b;
		vg_buf_init(&b, 0);
		for (size_t i = 0; i < r->n_tags && rc == 0; i++)
			rc = vg_buf_printf(&b, "%s%s", i ? "," : "", r->tags[i]);
		r->tags_joined = vg_buf_steal(&b);
		vg_buf_free(&b);
	}
	if (rc) {
		if (!l->failed)
			ld_err(l, root, "rule", "%s", vg_strerror(rc));
		cm_rule_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

/* --- rule sets ---------------------------------------------------------------------- */

int vg_correlate_ruleset_new(struct vg_correlate_ruleset **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : VG_ENOMEM;
}

void vg_correlate_ruleset_free(struct vg_correlate_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		cm_rule_free(rs->rules[i]);
	free(rs->rules);
	free(rs);
}

static int rs_add(struct vg_correlate_ruleset *rs, struct vg_correlate_rule *r)
{
	if (rs->n >= VG_CORR_MAX_RULES)
		return VG_EFULL;
	if (rs->n == rs->cap) {
		size_t nc = rs->cap ? rs->cap * 2 : 32;
		struct vg_correlate_rule **nr = realloc(rs->rules, nc * sizeof(*nr));
		if (!nr)
			return VG_ENOMEM;
		rs->rules = nr;
		rs->cap = nc;
	}
	rs->rules[rs->n++] = r;
	return 0;
}

static void diag_plain(vg_correlate_diag_fn diag, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void diag_plain(vg_correlate_diag_fn diag, void *ctx, const char *fmt, ...)
{
	if (!diag)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag(ctx, msg);
}

int vg_correlate_ruleset_load_buffer(struct vg_correlate_ruleset *rs, const char *name,
				     const char *buf, size_t len, vg_correlate_diag_fn diag,
				     void *ctx)
{
	if (!rs || (!buf && len) || rs->finished)
		return VG_EINVAL;
	if (!name)
		name = "<rules>";
	if (len > VG_CORR_MAX_RULE_FILE) {
		diag_plain(diag, ctx, "%s:0: file: larger than %u bytes", name, VG_CORR_MAX_RULE_FILE);
		rs->errors++;
		return VG_ERANGE;
	}
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		return VG_ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)(buf ? buf : ""), len);
	int result = 0;
	for (;;) {
		yaml_document_t doc;
		if (!yaml_parser_load(&parser, &doc)) {
			diag_plain(diag, ctx, "%s:%lu: yaml: %s", name,
				   (unsigned long)parser.problem_mark.line + 1,
				   parser.problem ? parser.problem : "syntax error");
			rs->errors++;
			result = VG_EINVAL;
			break; /* the parser cannot resynchronise after an error */
		}
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break; /* end of stream */
		}
		struct ld l = { .file = name, .doc = &doc, .diag = diag, .ctx = ctx,
				.budget = VG_CORR_MAX_YAML_NODES };
		struct vg_correlate_rule *r = NULL;
		/* An empty document between separators is allowed. */
		if (!is_null(root)) {
			int rc = parse_rule(&l, root, name, &r);
			if (rc) {
				rs->errors++;
				result = VG_EINVAL;
			} else if ((rc = rs_add(rs, r)) != 0) {
				diag_plain(diag, ctx, "%s:%u: rule: %s", name, r->line,
					   rc == VG_EFULL ? "too many rules" : vg_strerror(rc));
				cm_rule_free(r);
				rs->errors++;
				yaml_document_delete(&doc);
				result = rc;
				break;
			}
		}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	return result;
}

static int load_file(struct vg_correlate_ruleset *rs, const char *path, vg_correlate_diag_fn diag,
		     void *ctx)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		diag_plain(diag, ctx, "%s:0: file: %s", path, strerror(errno));
		rs->errors++;
		return errno == ENOENT ? VG_ENOENT : VG_EIO;
	}
	char *buf = malloc(VG_CORR_MAX_RULE_FILE + 1);
	if (!buf) {
		fclose(f);
		return VG_ENOMEM;
	}
	size_t n = fread(buf, 1, VG_CORR_MAX_RULE_FILE + 1, f);
	int err = ferror(f);
	fclose(f);
	int rc;
	if (err) {
		diag_plain(diag, ctx, "%s:0: file: read error", path);
		rs->errors++;
		rc = VG_EIO;
	} else {
		rc = vg_correlate_ruleset_load_buffer(rs, path, buf, n, diag, ctx);
	}
	free(buf);
	return rc;
}

static int yml_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	if (d->d_name[0] == '.')
		return 0;
	return (n > 4 && !strcmp(d->d_name + n - 4, ".yml")) ||
	       (n > 5 && !strcmp(d->d_name + n - 5, ".yaml"));
}

int vg_correlate_ruleset_load_path(struct vg_correlate_ruleset *rs, const char *path,
				   vg_correlate_diag_fn diag, void *ctx)
{
	struct stat st;
	if (!rs || !path)
		return VG_EINVAL;
	if (stat(path, &st) != 0) {
		diag_plain(diag, ctx, "%s:0: file: %s", path, strerror(errno));
		rs->errors++;
		return VG_ENOENT;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(rs, path, diag, ctx);
	struct dirent **list = NULL;
	int n = scandir(path, &list, yml_filter, alphasort);
	if (n < 0) {
		diag_plain(diag, ctx, "%s:0: directory: %s", path, strerror(errno));
		rs->errors++;
		return VG_EIO;
	}
	int result = 0;
	for (int i = 0; i < n; i++) {
		char full[4096];
		snprintf(full, sizeof(full), "%s/%s", path, list[i]->d_name);
		int rc = load_file(rs, full, diag, ctx);
		if (rc && !result)
			result = rc;
		free(list[i]);
	}
	free(list);
	return result;
}

static struct vg_correlate_rule *find_ref(struct vg_correlate_ruleset *rs, const char *ref,
					  size_t self, size_t *idx)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct vg_correlate_rule *r = rs->rules[i];
		if (i == self || r->dead)
			continue;
		if ((r->name && !strcmp(r->name, ref)) || (r->id && !strcmp(r->id, ref))) {
			*idx = i;
			return r;
		}
	}
	return NULL;
}

int vg_correlate_ruleset_finish(struct vg_correlate_ruleset *rs, vg_correlate_diag_fn diag,
				void *ctx)
{
	if (!rs || rs->finished)
		return VG_EINVAL;
	int result = 0;
	/* Resolve references until nothing changes: a correlation that names a dropped
	 * rule is dropped too. Depth is computed along the way; a cycle never settles
	 * below VG_CORR_MAX_CHAIN and is dropped as too deep. */
	for (size_t i = 0; i < rs->n; i++) {
		struct vg_correlate_rule *r = rs->rules[i];
		if (r->corr.type == CT_NONE)
			continue;
		r->corr.ref_idx = calloc(r->corr.n_refs, sizeof(uint32_t));
		if (!r->corr.ref_idx)
			return VG_ENOMEM;
	}
	bool changed = true;
	for (unsigned round = 0; changed && round < VG_CORR_MAX_CHAIN + 2; round++) {
		changed = false;
		for (size_t i = 0; i < rs->n; i++) {
			struct vg_correlate_rule *r = rs->rules[i];
			if (r->corr.type == CT_NONE || r->dead)
				continue;
			unsigned depth = 0;
			for (size_t k = 0; k < r->corr.n_refs; k++) {
				size_t idx;
				struct vg_correlate_rule *t = find_ref(rs, r->corr.refs[k], i, &idx);
				if (!t) {
					diag_plain(diag, ctx, "%s:%u: correlation.rules: unknown rule '%s'",
						   r->file, r->line, r->corr.refs[k]);
					r->dead = true;
					break;
				}
				r->corr.ref_idx[k] = (uint32_t)idx;
				if (t->depth + 1 > depth)
					depth = t->depth + 1;
			}
			if (!r->dead && depth > VG_CORR_MAX_CHAIN) {
				diag_plain(diag, ctx,
					   "%s:%u: correlation.rules: correlations nested deeper than %u (or a cycle)",
					   r->file, r->line, VG_CORR_MAX_CHAIN);
				r->dead = true;
			}
			if (r->dead) {
				rs->errors++;
				result = VG_EINVAL;
				changed = true;
			} else if (depth != r->depth) {
				r->depth = depth;
				changed = true;
			}
		}
	}
	if (changed) {
		/* Still moving after the round limit: what is left is cyclic. */
		for (size_t i = 0; i < rs->n; i++) {
			struct vg_correlate_rule *r = rs->rules[i];
			if (r->corr.type != CT_NONE && !r->dead && r->depth > VG_CORR_MAX_CHAIN - 1) {
				diag_plain(diag, ctx, "%s:%u: correlation.rules: cyclic references",
					   r->file, r->line);
				r->dead = true;
				rs->errors++;
				result = VG_EINVAL;
			}
		}
	}
	/* Parents; a dead rule's references no longer count. */
	for (size_t i = 0; i < rs->n; i++) {
		struct vg_correlate_rule *r = rs->rules[i];
		if (r->corr.type == CT_NONE || r->dead)
			continue;
		for (size_t k = 0; k < r->corr.n_refs; k++) {
			struct vg_correlate_rule *t = rs->rules[r->corr.ref_idx[k]];
			if (t->dead)
				continue;
			uint32_t *np = realloc(t->parents, (t->n_parents + 1) * sizeof(uint32_t));
			if (!np)
				return VG_ENOMEM;
			t->parents = np;
			t->parents[t->n_parents++] = (uint32_t)i;
			t->referenced = true;
			if (r->corr.generate)
				t->generated = true;
		}
	}
	rs->finished = true;
	return result;
}

size_t vg_correlate_ruleset_count(const struct vg_correlate_ruleset *rs)
{
	return rs ? rs->n : 0;
}

unsigned vg_correlate_ruleset_errors(const struct vg_correlate_ruleset *rs)
{
	return rs ? rs->errors : 0;
}

const char *vg_correlate_rule_title(const struct vg_correlate_ruleset *rs, size_t i)
{
	return rs && i < rs->n ? rs->rules[i]->title : NULL;
}

const char *vg_correlate_rule_id(const struct vg_correlate_ruleset *rs, size_t i)
{
	return rs && i < rs->n ? (rs->rules[i]->id ? rs->rules[i]->id : rs->rules[i]->name) : NULL;
}

const char *vg_correlate_rule_kind(const struct vg_correlate_ruleset *rs, size_t i)
{
	if (!rs || i >= rs->n)
		return NULL;
	switch (rs->rules[i]->corr.type) {
	case CT_EVENT_COUNT: return "event_count";
	case CT_VALUE_COUNT: return "value_count";
	case CT_TEMPORAL: return "temporal";
	case CT_TEMPORAL_ORDERED: return "temporal_ordered";
	case CT_NONE: break;
	}
	return "detection";
}

bool vg_correlate_rule_alerts(const struct vg_correlate_ruleset *rs, size_t i)
{
	if (!rs || i >= rs->n || rs->rules[i]->dead)
		return false;
	const struct vg_correlate_rule *r = rs->rules[i];
	return !r->referenced || r->generated;
}
