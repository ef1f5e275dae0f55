/* detect-rule-parse.c — the Suricata rule language: one rule's text → struct vg_rule.
 *
 * A pure function of (text, variables): no I/O, no globals. Every option of a rule that loads
 * is represented in the AST (detect-rule.h); an option we do not implement makes the whole
 * rule fail with "unsupported keyword 'X'", so a loaded rule never silently matches more
 * than Suricata would. Where Suricata itself refuses a rule (a content modifier without a
 * content, depth shorter than the content, conflicting flow options, ...) we refuse it too,
 * with a reason close to Suricata's message.
 *
 * Address and port expressions are resolved here to sorted disjoint ranges (set arithmetic
 * over intervals), so negation, nesting and variables cost nothing at match time. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/core-config.h"
#include "core/core-error.h"
#include "core/core-str.h"
#include "core/limits.h"
#include "detect/detect-rule.h"

/* ------------------------------------------------------------------------------------ */
/* Variables                                                                             */

struct rule_var {
	char *name;
	char *value;
	bool is_port;
};
struct vg_rule_vars {
	struct rule_var *v;
	size_t n, cap;
};

/* Suricata's suricata.yaml defaults. */
static const char *const default_addr_vars[][2] = {
	{ "HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]" },
	{ "EXTERNAL_NET", "!$HOME_NET" },
	{ "HTTP_SERVERS", "$HOME_NET" },   { "SMTP_SERVERS", "$HOME_NET" },
	{ "SQL_SERVERS", "$HOME_NET" },    { "DNS_SERVERS", "$HOME_NET" },
	{ "TELNET_SERVERS", "$HOME_NET" }, { "AIM_SERVERS", "$EXTERNAL_NET" },
	{ "DC_SERVERS", "$HOME_NET" },     { "DNP3_SERVER", "$HOME_NET" },
	{ "DNP3_CLIENT", "$HOME_NET" },    { "MODBUS_CLIENT", "$HOME_NET" },
	{ "MODBUS_SERVER", "$HOME_NET" },  { "ENIP_CLIENT", "$HOME_NET" },
	{ "ENIP_SERVER", "$HOME_NET" },
};
static const char *const default_port_vars[][2] = {
	{ "HTTP_PORTS", "80" },       { "SHELLCODE_PORTS", "!80" },
	{ "ORACLE_PORTS", "1521" },   { "SSH_PORTS", "22" },
	{ "DNP3_PORTS", "20000" },    { "MODBUS_PORTS", "502" },
	{ "FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]" },
	{ "FTP_PORTS", "21" },        { "GENEVE_PORTS", "6081" },
	{ "VXLAN_PORTS", "4789" },    { "TEREDO_PORTS", "3544" },
};

static bool var_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-'))
			return false;
	return true;
}

int vg_rule_vars_set(struct vg_rule_vars *v, bool is_port, const char *name, const char *value)
{
	if (!v || !name || !value || !var_name_ok(name) || strlen(value) > VG_RULE_MAX_VAR_LEN)
		return VG_EINVAL;
	for (size_t i = 0; i < v->n; i++) {
		if (v->v[i].is_port == is_port && strcmp(v->v[i].name, name) == 0) {
			char *nv = vg_memdup_str(value, strlen(value));
			if (!nv)
				return VG_ENOMEM;
			free(v->v[i].value);
			v->v[i].value = nv;
			return 0;
		}
	}
	if (v->n >= VG_RULE_MAX_VARS)
		return VG_EFULL;
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 32;
		struct rule_var *nv = realloc(v->v, nc * sizeof(*nv));
		if (!nv)
			return VG_ENOMEM;
		v->v = nv;
		v->cap = nc;
	}
	struct rule_var *e = &v->v[v->n];
	e->name = vg_memdup_str(name, strlen(name));
	e->value = vg_memdup_str(value, strlen(value));
	e->is_port = is_port;
	if (!e->name || !e->value) {
		free(e->name);
		free(e->value);
		return VG_ENOMEM;
	}
	v->n++;
	return 0;
}

void vg_rule_vars_free(struct vg_rule_vars *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].name);
		free(v->v[i].value);
	}
	free(v->v);
	free(v);
}

int vg_rule_vars_default(struct vg_rule_vars **out)
{
	*out = NULL;
	struct vg_rule_vars *v = calloc(1, sizeof(*v));
	if (!v)
		return VG_ENOMEM;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof(default_addr_vars) / sizeof(default_addr_vars[0]); i++)
		rc = vg_rule_vars_set(v, false, default_addr_vars[i][0], default_addr_vars[i][1]);
	for (size_t i = 0; rc == 0 && i < sizeof(default_port_vars) / sizeof(default_port_vars[0]); i++)
		rc = vg_rule_vars_set(v, true, default_port_vars[i][0], default_port_vars[i][1]);
	if (rc) {
		vg_rule_vars_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

static const char *vars_get(const struct vg_rule_vars *v, bool is_port, const char *name, size_t len)
{
	if (!v)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i].is_port == is_port && strlen(v->v[i].name) == len &&
		    memcmp(v->v[i].name, name, len) == 0)
			return v->v[i].value;
	return NULL;
}

/* A group is a scalar ("[1.2.3.0/24, 10.0.0.1]", 80) or a sequence of scalars (joined as a
 * list), as in suricata.yaml. */
static int vars_from_group(struct vg_rule_vars *v, const struct vg_cfg_node *grp, bool is_port,
			   char *err, size_t errsz)
{
	if (!grp)
		return 0;
	if (grp->kind != VG_CFG_MAP) {
		snprintf(err, errsz, "%s:%d: vars.%s must be a map", grp->file ? grp->file : "config",
			 grp->line, is_port ? "port-groups" : "address-groups");
		return VG_EINVAL;
	}
	for (const struct vg_cfg_node *n = vg_cfg_first(grp); n; n = vg_cfg_next(n)) {
		struct vg_buf b;
		vg_buf_init(&b, VG_RULE_MAX_VAR_LEN);
		int rc = 0;
		if (n->kind == VG_CFG_SCALAR) {
			rc = vg_buf_append(&b, n->value, n->value_len);
		} else if (n->kind == VG_CFG_SEQ) {
			rc = vg_buf_appendc(&b, "[");
			for (const struct vg_cfg_node *it = vg_cfg_first(n); rc == 0 && it;
			     it = vg_cfg_next(it)) {
				if (it->kind != VG_CFG_SCALAR) {
					rc = VG_EINVAL;
					break;
				}
				if (it != vg_cfg_first(n))
					rc = vg_buf_appendc(&b, ",");
				if (rc == 0)
					rc = vg_buf_append(&b, it->value, it->value_len);
			}
			if (rc == 0)
				rc = vg_buf_appendc(&b, "]");
		} else {
			rc = VG_EINVAL;
		}
		if (rc == 0)
			rc = vg_rule_vars_set(v, is_port, n->key, vg_buf_cstr(&b));
		vg_buf_free(&b);
		if (rc) {
			snprintf(err, errsz, "%s:%d: vars.%s.%s: bad value",
				 n->file ? n->file : "config", n->line,
				 is_port ? "port-groups" : "address-groups", n->key ? n->key : "?");
			return rc == VG_ENOMEM ? rc : VG_EINVAL;
		}
	}
	return 0;
}

int vg_rule_vars_from_config(struct vg_rule_vars *v, const struct vg_config *cfg, char *err,
			     size_t errsz)
{
	char dummy[8];
	if (!err) {
		err = dummy;
		errsz = sizeof(dummy);
	}
	if (errsz)
		err[0] = '\0';
	if (!cfg)
		return 0;
	const struct vg_cfg_node *root = vg_config_root(cfg);
	int rc = vars_from_group(v, vg_cfg_get(root, "vars.address-groups"), false, err, errsz);
	if (rc == 0)
		rc = vars_from_group(v, vg_cfg_get(root, "vars.port-groups"), true, err, errsz);
	return rc;
}

/* ------------------------------------------------------------------------------------ */
/* Parse context and helpers                                                             */

struct pctx {
	struct vg_rule *r;
	const struct vg_rule_vars *vars;
	char *reason;
	size_t reasonsz;
	size_t cap_matches;
	enum vg_rule_buf cur_buf;   /* sticky buffer in effect (PAYLOAD: none) */
	bool sticky;
	uint32_t cur_xform;
	bool buf_has_items;         /* the current sticky buffer already has a match item */
	bool xform_pending;         /* a transform with no match after it yet */
	bool xform_locked;          /* a match used the transforms: no more in this buffer */
	uint8_t cur_inst;           /* instance of the current sticky buffer */
	uint8_t cur_txdir;          /* "=>" rules: VG_RULE_TXDIR_* written on the sticky buffer
	                               ("file.data: to_client"), NONE when not written */
	uint8_t next_inst[VG_RULE_BUF_COUNT]; /* instances started per multi-instance buffer */
	bool buf_seen[VG_RULE_BUF_COUNT];
	int last_content;           /* index in matches of the last content, -1 */
	bool b64_decoded;           /* a base64_decode item seen */
	enum vg_rule_proto alproto; /* app proto implied by the buffers used (0: none) */
	bool have_sid;
};

static int fail(struct pctx *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct pctx *c, int code, const char *fmt, ...)
{
	if (c->reason && c->reasonsz) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->reason, c->reasonsz, fmt, ap);
		va_end(ap);
	}
	return code;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static struct vg_str trim(struct vg_str s)
{
	return vg_str_trim(s);
}

/* Split s at the first top-level ',' (outside quotes); returns the head, s becomes the rest
 * (len 0 and p NULL-safe when no comma). */
static struct vg_str split_comma(struct vg_str *s, bool *had)
{
	size_t i = 0;
	bool inq = false;
	for (; i < s->len; i++) {
		char ch = s->p[i];
		if (ch == '\\' && i + 1 < s->len) {
			i++;
			continue;
		}
		if (ch == '"')
			inq = !inq;
		else if (ch == ',' && !inq)
			break;
	}
	struct vg_str head = vg_str_make(s->p, i);
	if (i < s->len) {
		*s = vg_str_make(s->p + i + 1, s->len - i - 1);
		if (had)
			*had = true;
	} else {
		*s = vg_str_make(s->p + s->len, 0);
		if (had)
			*had = false;
	}
	return trim(head);
}

/* Integer: optional '-', decimal or 0x hex. */
static int parse_int(struct vg_str s, int64_t min, int64_t max, int64_t *out)
{
	*out = 0;
	s = trim(s);
	bool neg = false;
	if (s.len && s.p[0] == '-') {
		neg = true;
		s.p++;
		s.len--;
	}
	uint64_t u;
	int rc;
	if (s.len > 2 && s.p[0] == '0' && (s.p[1] == 'x' || s.p[1] == 'X'))
		rc = vg_parse_hex_u64(s.p + 2, s.len - 2, UINT64_MAX, &u);
	else
		rc = vg_parse_u64(s.p, s.len, UINT64_MAX, &u);
	if (rc)
		return rc;
	if (neg) {
		if (u > (uint64_t)INT64_MAX || -(int64_t)u < min)
			return VG_ERANGE;
		*out = -(int64_t)u;
	} else {
		if (u > (uint64_t)INT64_MAX || (int64_t)u > max)
			return VG_ERANGE;
		*out = (int64_t)u;
	}
	return 0;
}

static int parse_uint(struct vg_str s, uint64_t max, uint64_t *out)
{
	int64_t v;
	*out = 0;
	int rc = parse_int(s, 0, max > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)max, &v);
	if (rc == 0)
		*out = (uint64_t)v;
	return rc;
}

static char *dupstr(struct vg_str s)
{
	return vg_memdup_str(s.p ? s.p : "", s.len);
}

/* Strip one pair of surrounding double quotes, if present. */
static struct vg_str unquote(struct vg_str s, bool *quoted)
{
	s = trim(s);
	if (quoted)
		*quoted = false;
	if (s.len >= 2 && s.p[0] == '"' && s.p[s.len - 1] == '"') {
		if (quoted)
			*quoted = true;
		return vg_str_make(s.p + 1, s.len - 2);
	}
	return s;
}

/* msg / reference text: \x → x. */
static char *unescape_dup(struct vg_str s)
{
	char *o = malloc(s.len + 1);
	if (!o)
		return NULL;
	size_t j = 0;
	for (size_t i = 0; i < s.len; i++) {
		if (s.p[i] == '\\' && i + 1 < s.len)
			i++;
		o[j++] = s.p[i];
	}
	o[j] = '\0';
	return o;
}

static bool str_eq(struct vg_str s, const char *lit)
{
	return vg_str_eq_cstr(s, lit);
}

/* ------------------------------------------------------------------------------------ */
/* Address sets                                                                          */

struct aset {
	struct vg_rule_addr_range *r;
	size_t n, cap;
};

static void aset_free(struct aset *s)
{
	free(s->r);
	s->r = NULL;
	s->n = s->cap = 0;
}

static int aset_push(struct aset *s, const struct vg_addr *lo, const struct vg_addr *hi)
{
	if (s->n >= VG_RULE_MAX_ADDR_RANGES)
		return VG_ERANGE;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 8;
		void *nr = realloc(s->r, nc * sizeof(*s->r));
		if (!nr)
			return VG_ENOMEM;
		s->r = nr;
		s->cap = nc;
	}
	s->r[s->n].lo = *lo;
	s->r[s->n].hi = *hi;
	s->n++;
	return 0;
}

static void addr_fill(struct vg_addr *a, int family, uint8_t byte)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	memset(a->b, byte, family == VG_AF_INET ? 4 : 16);
}

/* a + 1 within its family; false on wrap. */
static bool addr_inc(struct vg_addr *a)
{
	for (int i = vg_addr_len(a) - 1; i >= 0; i--) {
		if (++a->b[i] != 0)
			return true;
	}
	return false;
}
static bool addr_dec(struct vg_addr *a)
{
	for (int i = vg_addr_len(a) - 1; i >= 0; i--) {
		if (a->b[i]-- != 0)
			return true;
	}
	return false;
}

static int range_cmp(const void *x, const void *y)
{
	const struct vg_rule_addr_range *a = x, *b = y;
	return vg_addr_cmp(&a->lo, &b->lo);
}

/* Sort and merge overlapping / adjacent ranges. */
static void aset_norm(struct aset *s)
{
	if (s->n < 2)
		return;
	qsort(s->r, s->n, sizeof(*s->r), range_cmp);
	size_t o = 0;
	for (size_t i = 1; i < s->n; i++) {
		struct vg_rule_addr_range *last = &s->r[o];
		struct vg_rule_addr_range *cur = &s->r[i];
		if (cur->lo.family == last->hi.family) {
			struct vg_addr next = last->hi;
			bool ok = addr_inc(&next);
			if (!ok || vg_addr_cmp(&cur->lo, &next) <= 0) {
				if (ok && vg_addr_cmp(&cur->hi, &last->hi) > 0)
					last->hi = cur->hi;
				continue;
			}
		}
		s->r[++o] = *cur;
	}
	s->n = o + 1;
}

static int aset_add_all(struct aset *s, int family)
{
	struct vg_addr lo, hi;
	addr_fill(&lo, family, 0);
	addr_fill(&hi, family, 0xff);
	return aset_push(s, &lo, &hi);
}

/* out = complement of s (normalized) over IPv4 ∪ IPv6. */
static int aset_complement(const struct aset *s, struct aset *out)
{
	int fams[2] = { VG_AF_INET, VG_AF_INET6 };
	for (int f = 0; f < 2; f++) {
		struct vg_addr cur;
		addr_fill(&cur, fams[f], 0);
		bool more = true;
		for (size_t i = 0; i < s->n && more; i++) {
			if (s->r[i].lo.family != fams[f])
				continue;
			if (vg_addr_cmp(&cur, &s->r[i].lo) < 0) {
				struct vg_addr hi = s->r[i].lo;
				addr_dec(&hi);
				int rc = aset_push(out, &cur, &hi);
				if (rc)
					return rc;
			}
			cur = s->r[i].hi;
			more = addr_inc(&cur);
		}
		if (more) {
			struct vg_addr hi;
			addr_fill(&hi, fams[f], 0xff);
			int rc = aset_push(out, &cur, &hi);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* out = a ∩ b (both normalized). */
static int aset_intersect(const struct aset *a, const struct aset *b, struct aset *out)
{
	size_t i = 0, j = 0;
	while (i < a->n && j < b->n) {
		const struct vg_rule_addr_range *x = &a->r[i], *y = &b->r[j];
		const struct vg_addr *lo = vg_addr_cmp(&x->lo, &y->lo) > 0 ? &x->lo : &y->lo;
		const struct vg_addr *hi = vg_addr_cmp(&x->hi, &y->hi) < 0 ? &x->hi : &y->hi;
		if (lo->family == hi->family && vg_addr_cmp(lo, hi) <= 0) {
			int rc = aset_push(out, lo, hi);
			if (rc)
				return rc;
		}
		if (vg_addr_cmp(&x->hi, &y->hi) < 0)
			i++;
		else
			j++;
	}
	return 0;
}

static bool aset_is_all(const struct aset *s)
{
	if (s->n != 2)
		return false;
	struct vg_addr z4, f4, z6, f6;
	addr_fill(&z4, VG_AF_INET, 0);
	addr_fill(&f4, VG_AF_INET, 0xff);
	addr_fill(&z6, VG_AF_INET6, 0);
	addr_fill(&f6, VG_AF_INET6, 0xff);
	return vg_addr_eq(&s->r[0].lo, &z4) && vg_addr_eq(&s->r[0].hi, &f4) &&
	       vg_addr_eq(&s->r[1].lo, &z6) && vg_addr_eq(&s->r[1].hi, &f6);
}

static int parse_addr_expr(struct pctx *c, struct vg_str s, unsigned depth, struct aset *out);

/* A list "[a, !b, ...]": (union of positives, or everything when none) minus negatives. */
static int parse_addr_list(struct pctx *c, struct vg_str s, unsigned depth, struct aset *out)
{
	struct aset pos = { 0 }, neg = { 0 }, tmp = { 0 }, cneg = { 0 };
	bool any_pos = false;
	int rc = 0;
	size_t i = 0;
	if (s.len == 0) {
		rc = fail(c, VG_EINVAL, "empty address list");
		goto out;
	}
	while (i <= s.len) {
		/* find the next top-level comma */
		size_t st = i;
		int d = 0;
		for (; i < s.len; i++) {
			if (s.p[i] == '[')
				d++;
			else if (s.p[i] == ']')
				d--;
			else if (s.p[i] == ',' && d == 0)
				break;
		}
		struct vg_str item = trim(vg_str_make(s.p + st, i - st));
		i++;
		if (item.len == 0) {
			rc = fail(c, VG_EINVAL, "empty item in address list");
			goto out;
		}
		bool isneg = false;
		if (item.p[0] == '!') {
			isneg = true;
			item = trim(vg_str_make(item.p + 1, item.len - 1));
		}
		rc = parse_addr_expr(c, item, depth + 1, &tmp);
		if (rc)
			goto out;
		struct aset *dst = isneg ? &neg : &pos;
		if (!isneg)
			any_pos = true;
		for (size_t k = 0; k < tmp.n; k++) {
			rc = aset_push(dst, &tmp.r[k].lo, &tmp.r[k].hi);
			if (rc) {
				rc = fail(c, rc, "address set too large");
				goto out;
			}
		}
		aset_free(&tmp);
	}
	if (!any_pos) {
		if ((rc = aset_add_all(&pos, VG_AF_INET)) || (rc = aset_add_all(&pos, VG_AF_INET6)))
			goto out;
	}
	aset_norm(&pos);
	aset_norm(&neg);
	if ((rc = aset_complement(&neg, &cneg)) || (rc = aset_intersect(&pos, &cneg, out))) {
		rc = fail(c, rc, "address set too large");
		goto out;
	}
out:
	aset_free(&pos);
	aset_free(&neg);
	aset_free(&tmp);
	aset_free(&cneg);
	return rc;
}

/* One address expression → normalized set (empty allowed here; the caller checks). */
static int parse_addr_expr(struct pctx *c, struct vg_str s, unsigned depth, struct aset *out)
{
	int rc;
	s = trim(s);
	if (depth > VG_RULE_MAX_NESTING)
		return fail(c, VG_EINVAL, "address nesting too deep");
	if (s.len == 0)
		return fail(c, VG_EINVAL, "empty address");
	if (s.p[0] == '!') {
		struct aset in = { 0 };
		rc = parse_addr_expr(c, vg_str_make(s.p + 1, s.len - 1), depth + 1, &in);
		if (rc == 0) {
			rc = aset_complement(&in, out);
			if (rc)
				rc = fail(c, rc, "address set too large");
		}
		aset_free(&in);
		return rc;
	}
	if (s.p[0] == '[') {
		if (s.p[s.len - 1] != ']')
			return fail(c, VG_EINVAL, "unbalanced '[' in address '%.*s'", (int)s.len, s.p);
		rc = parse_addr_list(c, vg_str_make(s.p + 1, s.len - 2), depth, out);
		return rc;
	}
	if (s.p[0] == '$') {
		const char *val = vars_get(c->vars, false, s.p + 1, s.len - 1);
		if (!val)
			return fail(c, VG_EINVAL, "unknown address variable '%.*s'", (int)s.len, s.p);
		return parse_addr_expr(c, vg_str_cstr(val), depth + 1, out);
	}
	if (str_eq(s, "any")) {
		if ((rc = aset_add_all(out, VG_AF_INET)) || (rc = aset_add_all(out, VG_AF_INET6)))
			return rc;
		return 0;
	}
	/* a-b range or CIDR */
	long dash = vg_str_chr(s, '-');
	struct vg_addr lo, hi;
	if (dash > 0) {
		struct vg_addr a, b;
		if (vg_addr_parse(s.p, (size_t)dash, &a) ||
		    vg_addr_parse(s.p + dash + 1, s.len - (size_t)dash - 1, &b) || a.family != b.family ||
		    vg_addr_cmp(&a, &b) > 0)
			return fail(c, VG_EINVAL, "bad address range '%.*s'", (int)s.len, s.p);
		lo = a;
		hi = b;
	} else {
		struct vg_cidr cidr;
		if (vg_cidr_parse(s.p, s.len, &cidr))
			return fail(c, VG_EINVAL, "bad address '%.*s'", (int)s.len, s.p);
		lo = hi = cidr.addr;
		int bits = vg_addr_len(&lo) * 8;
		for (int b = cidr.prefix; b < bits; b++)
			hi.b[b / 8] |= (uint8_t)(0x80u >> (b % 8));
	}
	rc = aset_push(out, &lo, &hi);
	aset_norm(out);
	return rc;
}

static int parse_addrs(struct pctx *c, struct vg_str s, struct vg_rule_addrs *out)
{
	struct aset set = { 0 };
	int rc = parse_addr_expr(c, s, 0, &set);
	if (rc)
		goto out;
	aset_norm(&set);
	if (set.n == 0) {
		rc = fail(c, VG_EINVAL, "address '%.*s' matches nothing", (int)s.len, s.p);
		goto out;
	}
	if (aset_is_all(&set)) {
		out->any = true;
		goto out;
	}
	out->n = set.n;
	out->r = set.r;
	set.r = NULL;
out:
	aset_free(&set);
	return rc;
}

/* ------------------------------------------------------------------------------------ */
/* Port sets: the same over [0, 65535]                                                   */

struct pset {
	uint32_t lo[VG_RULE_MAX_PORT_RANGES], hi[VG_RULE_MAX_PORT_RANGES];
	size_t n;
};

static void pset_norm(struct pset *s)
{
	/* insertion sort: sets are small */
	for (size_t i = 1; i < s->n; i++) {
		uint32_t l = s->lo[i], h = s->hi[i];
		size_t j = i;
		while (j > 0 && s->lo[j - 1] > l) {
			s->lo[j] = s->lo[j - 1];
			s->hi[j] = s->hi[j - 1];
			j--;
		}
		s->lo[j] = l;
		s->hi[j] = h;
	}
	size_t o = 0;
	for (size_t i = 1; i < s->n; i++) {
		if (s->lo[i] <= s->hi[o] + 1) {
			if (s->hi[i] > s->hi[o])
				s->hi[o] = s->hi[i];
		} else {
			o++;
			s->lo[o] = s->lo[i];
			s->hi[o] = s->hi[i];
		}
	}
	if (s->n)
		s->n = o + 1;
}

static int pset_push(struct pset *s, uint32_t lo, uint32_t hi)
{
	if (s->n >= VG_RULE_MAX_PORT_RANGES)
		return VG_ERANGE;
	s->lo[s->n] = lo;
	s->hi[s->n] = hi;
	s->n++;
	return 0;
}

static int pset_complement(const struct pset *s, struct pset *out)
{
	uint32_t cur = 0;
	out->n = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (s->lo[i] > cur && pset_push(out, cur, s->lo[i] - 1))
			return VG_ERANGE;
		cur = s->hi[i] + 1;
	}
	if (cur <= 65535 && pset_push(out, cur, 65535))
		return VG_ERANGE;
	return 0;
}

static int pset_intersect(const struct pset *a, const struct pset *b, struct pset *out)
{
	size_t i = 0, j = 0;
	out->n = 0;
	while (i < a->n && j < b->n) {
		uint32_t lo = a->lo[i] > b->lo[j] ? a->lo[i] : b->lo[j];
		uint32_t hi = a->hi[i] < b->hi[j] ? a->hi[i] : b->hi[j];
		if (lo <= hi && pset_push(out, lo, hi))
			return VG_ERANGE;
		if (a->hi[i] < b->hi[j])
			i++;
		else
			j++;
	}
	return 0;
}

static int parse_port_expr(struct pctx *c, struct vg_str s, unsigned depth, struct pset *out);

static int parse_port_list(struct pctx *c, struct vg_str s, unsigned depth, struct pset *out)
{
	struct pset *pos = calloc(1, sizeof(*pos)), *neg = calloc(1, sizeof(*neg)),
		    *tmp = calloc(1, sizeof(*tmp)), *cneg = calloc(1, sizeof(*cneg));
	int rc = 0;
	bool any_pos = false;
	if (!pos || !neg || !tmp || !cneg) {
		rc = VG_ENOMEM;
		goto out;
	}
	if (s.len == 0) {
		rc = fail(c, VG_EINVAL, "empty port list");
		goto out;
	}
	size_t i = 0;
	while (i <= s.len) {
		size_t st = i;
		int d = 0;
		for (; i < s.len; i++) {
			if (s.p[i] == '[')
				d++;
			else if (s.p[i] == ']')
				d--;
			else if (s.p[i] == ',' && d == 0)
				break;
		}
		struct vg_str item = trim(vg_str_make(s.p + st, i - st));
		i++;
		if (item.len == 0) {
			rc = fail(c, VG_EINVAL, "empty item in port list");
			goto out;
		}
		bool isneg = item.p[0] == '!';
		if (isneg)
			item = trim(vg_str_make(item.p + 1, item.len - 1));
		tmp->n = 0;
		rc = parse_port_expr(c, item, depth + 1, tmp);
		if (rc)
			goto out;
		struct pset *dst = isneg ? neg : pos;
		any_pos |= !isneg;
		for (size_t k = 0; k < tmp->n; k++)
			if (pset_push(dst, tmp->lo[k], tmp->hi[k])) {
				rc = fail(c, VG_ERANGE, "port set too large");
				goto out;
			}
		pset_norm(dst);
	}
	if (!any_pos)
		pset_push(pos, 0, 65535);
	pset_norm(pos);
	pset_norm(neg);
	if (pset_complement(neg, cneg) || pset_intersect(pos, cneg, out))
		rc = fail(c, VG_ERANGE, "port set too large");
out:
	free(pos);
	free(neg);
	free(tmp);
	free(cneg);
	return rc;
}

static int parse_port_expr(struct pctx *c, struct vg_str s, unsigned depth, struct pset *out)
{
	s = trim(s);
	if (depth > VG_RULE_MAX_NESTING)
		return fail(c, VG_EINVAL, "port nesting too deep");
	if (s.len == 0)
		return fail(c, VG_EINVAL, "empty port");
	if (s.p[0] == '!') {
		struct pset *in = calloc(1, sizeof(*in));
		if (!in)
			return VG_ENOMEM;
		int rc = parse_port_expr(c, vg_str_make(s.p + 1, s.len - 1), depth + 1, in);
		if (rc == 0) {
			pset_norm(in);
			if (pset_complement(in, out))
				rc = fail(c, VG_ERANGE, "port set too large");
		}
		free(in);
		return rc;
	}
	if (s.p[0] == '[') {
		if (s.p[s.len - 1] != ']')
			return fail(c, VG_EINVAL, "unbalanced '[' in port '%.*s'", (int)s.len, s.p);
		return parse_port_list(c, vg_str_make(s.p + 1, s.len - 2), depth, out);
	}
	if (s.p[0] == '$') {
		const char *val = vars_get(c->vars, true, s.p + 1, s.len - 1);
		if (!val)
			return fail(c, VG_EINVAL, "unknown port variable '%.*s'", (int)s.len, s.p);
		return parse_port_expr(c, vg_str_cstr(val), depth + 1, out);
	}
	if (str_eq(s, "any"))
		return pset_push(out, 0, 65535);
	long colon = vg_str_chr(s, ':');
	uint64_t lo = 0, hi = 65535;
	if (colon >= 0) {
		struct vg_str a = trim(vg_str_make(s.p, (size_t)colon));
		struct vg_str b = trim(vg_str_make(s.p + colon + 1, s.len - (size_t)colon - 1));
		if ((a.len && vg_parse_u64(a.p, a.len, 65535, &lo)) ||
		    (b.len && vg_parse_u64(b.p, b.len, 65535, &hi)) || (!a.len && !b.len) || lo > hi)
			return fail(c, VG_EINVAL, "bad port range '%.*s'", (int)s.len, s.p);
	} else {
		if (vg_parse_u64(s.p, s.len, 65535, &lo))
			return fail(c, VG_EINVAL, "bad port '%.*s'", (int)s.len, s.p);
		hi = lo;
	}
	int rc = pset_push(out, (uint32_t)lo, (uint32_t)hi);
	pset_norm(out);
	return rc;
}

static int parse_ports(struct pctx *c, struct vg_str s, struct vg_rule_ports *out)
{
	struct pset *set = calloc(1, sizeof(*set));
	int rc;
	if (!set)
		return VG_ENOMEM;
	rc = parse_port_expr(c, s, 0, set);
	if (rc)
		goto out;
	pset_norm(set);
	if (set->n == 0) {
		rc = fail(c, VG_EINVAL, "port '%.*s' matches nothing", (int)s.len, s.p);
		goto out;
	}
	if (set->n == 1 && set->lo[0] == 0 && set->hi[0] == 65535) {
		out->any = true;
		goto out;
	}
	out->r = calloc(set->n, sizeof(*out->r));
	if (!out->r) {
		rc = VG_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < set->n; i++) {
		out->r[i].lo = (uint16_t)set->lo[i];
		out->r[i].hi = (uint16_t)set->hi[i];
	}
	out->n = set->n;
out:
	free(set);
	return rc;
}

/* ------------------------------------------------------------------------------------ */
/* Match items                                                                           */

static int add_match(struct pctx *c, enum vg_rule_match_kind kind, enum vg_rule_buf buf,
		     struct vg_rule_match **out)
{
	struct vg_rule *r = c->r;
	*out = NULL;
	if (r->n_matches >= VG_RULE_MAX_MATCHES)
		return fail(c, VG_ERANGE, "too many match options (max %u)", VG_RULE_MAX_MATCHES);
	if (r->n_matches == c->cap_matches) {
		size_t nc = c->cap_matches ? c->cap_matches * 2 : 8;
		void *nm = realloc(r->matches, nc * sizeof(*r->matches));
		if (!nm)
			return VG_ENOMEM;
		r->matches = nm;
		c->cap_matches = nc;
	}
	struct vg_rule_match *m = &r->matches[r->n_matches++];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->buf = buf;
	m->xform = buf == c->cur_buf ? c->cur_xform : 0;
	m->inst = buf == c->cur_buf ? c->cur_inst : 0;
	m->txdir = buf == c->cur_buf ? c->cur_txdir : 0;
	if (c->sticky && buf == c->cur_buf) {
		c->buf_has_items = true;
		if (c->cur_xform) {
			c->xform_pending = false;
			c->xform_locked = true;
		}
	}
	*out = m;
	return 0;
}

/* The app-layer protocol a buffer belongs to. */
static enum vg_rule_proto buf_alproto(enum vg_rule_buf b)
{
	if (b >= VG_RULE_BUF_HTTP_METHOD && b <= VG_RULE_BUF_FILE_DATA)
		return VG_RULE_PROTO_HTTP;
	if (b == VG_RULE_BUF_DNS_QUERY)
		return VG_RULE_PROTO_DNS;
	if (b >= VG_RULE_BUF_TLS_SNI && b <= VG_RULE_BUF_JA3_STRING)
		return VG_RULE_PROTO_TLS;
	return 0;
}

static const char *proto_name(enum vg_rule_proto p)
{
	switch (p) {
	case VG_RULE_PROTO_HTTP: return "http";
	case VG_RULE_PROTO_DNS: return "dns";
	case VG_RULE_PROTO_TLS: return "tls";
	case VG_RULE_PROTO_SSH: return "ssh";
	case VG_RULE_PROTO_UDP: return "udp";
	case VG_RULE_PROTO_ICMP: return "icmp";
	default: return "tcp";
	}
}

/* A keyword that needs app proto ap: conflicts with the rule's protocol or with another
 * buffer's protocol are errors (Suricata: "can't mix ... app-layer protocols"). */
static int need_alproto(struct pctx *c, enum vg_rule_proto ap, const char *kw)
{
	if (!ap)
		return 0;
	enum vg_rule_proto p = c->r->proto;
	if (p == VG_RULE_PROTO_HTTP || p == VG_RULE_PROTO_DNS || p == VG_RULE_PROTO_TLS ||
	    p == VG_RULE_PROTO_SSH) {
		if (p != ap)
			return fail(c, VG_EINVAL, "'%s' is a %s keyword, rule protocol is %s", kw,
				    proto_name(ap), proto_name(p));
	} else if (p == VG_RULE_PROTO_ICMP || (p == VG_RULE_PROTO_UDP && ap != VG_RULE_PROTO_DNS)) {
		return fail(c, VG_EINVAL, "'%s' is a %s keyword, rule protocol is %s", kw,
			    proto_name(ap), proto_name(p));
	}
	if (c->alproto && c->alproto != ap)
		return fail(c, VG_EINVAL, "'%s' (%s) mixed with %s keywords", kw, proto_name(ap),
			    proto_name(c->alproto));
	c->alproto = ap;
	return 0;
}

struct bufkw {
	const char *name;
	enum vg_rule_buf buf;
};
/* Sticky buffers (dotted names and the underscore aliases that are sticky in Suricata). */
static const struct bufkw sticky_kws[] = {
	{ "http.method", VG_RULE_BUF_HTTP_METHOD },
	{ "http.uri", VG_RULE_BUF_HTTP_URI },
	{ "http.uri.raw", VG_RULE_BUF_HTTP_URI_RAW },
	{ "http.host", VG_RULE_BUF_HTTP_HOST },
	{ "http.host.raw", VG_RULE_BUF_HTTP_HOST_RAW },
	{ "http.user_agent", VG_RULE_BUF_HTTP_UA },
	{ "http.header", VG_RULE_BUF_HTTP_HEADER },
	{ "http.header.raw", VG_RULE_BUF_HTTP_HEADER_RAW },
	{ "http.header_names", VG_RULE_BUF_HTTP_HEADER_NAMES },
	{ "http_header_names", VG_RULE_BUF_HTTP_HEADER_NAMES },
	{ "http.cookie", VG_RULE_BUF_HTTP_COOKIE },
	{ "http.request_line", VG_RULE_BUF_HTTP_REQUEST_LINE },
	{ "http_request_line", VG_RULE_BUF_HTTP_REQUEST_LINE },
	{ "http.request_body", VG_RULE_BUF_HTTP_REQUEST_BODY },
	{ "http.content_type", VG_RULE_BUF_HTTP_CONTENT_TYPE },
	{ "http_content_type", VG_RULE_BUF_HTTP_CONTENT_TYPE },
	{ "http.content_len", VG_RULE_BUF_HTTP_CONTENT_LEN },
	{ "http_content_len", VG_RULE_BUF_HTTP_CONTENT_LEN },
	{ "http.referer", VG_RULE_BUF_HTTP_REFERER },
	{ "http_referer", VG_RULE_BUF_HTTP_REFERER },
	{ "http.accept", VG_RULE_BUF_HTTP_ACCEPT },
	{ "http_accept", VG_RULE_BUF_HTTP_ACCEPT },
	{ "http.accept_enc", VG_RULE_BUF_HTTP_ACCEPT_ENC },
	{ "http_accept_enc", VG_RULE_BUF_HTTP_ACCEPT_ENC },
	{ "http.accept_lang", VG_RULE_BUF_HTTP_ACCEPT_LANG },
	{ "http_accept_lang", VG_RULE_BUF_HTTP_ACCEPT_LANG },
	{ "http.connection", VG_RULE_BUF_HTTP_CONNECTION },
	{ "http_connection", VG_RULE_BUF_HTTP_CONNECTION },
	{ "http.start", VG_RULE_BUF_HTTP_START },
	{ "http_start", VG_RULE_BUF_HTTP_START },
	{ "http.protocol", VG_RULE_BUF_HTTP_PROTOCOL },
	{ "http_protocol", VG_RULE_BUF_HTTP_PROTOCOL },
	{ "http.location", VG_RULE_BUF_HTTP_LOCATION },
	{ "http.server", VG_RULE_BUF_HTTP_SERVER },
	{ "http.stat_code", VG_RULE_BUF_HTTP_STAT_CODE },
	{ "http.stat_msg", VG_RULE_BUF_HTTP_STAT_MSG },
	{ "http.response_line", VG_RULE_BUF_HTTP_RESPONSE_LINE },
	{ "http_response_line", VG_RULE_BUF_HTTP_RESPONSE_LINE },
	{ "http.response_body", VG_RULE_BUF_HTTP_RESPONSE_BODY },
	{ "file.data", VG_RULE_BUF_FILE_DATA },
	{ "file_data", VG_RULE_BUF_FILE_DATA },
	{ "dns.query", VG_RULE_BUF_DNS_QUERY },
	{ "dns_query", VG_RULE_BUF_DNS_QUERY },
	{ "tls.sni", VG_RULE_BUF_TLS_SNI },
	{ "tls_sni", VG_RULE_BUF_TLS_SNI },
	{ "tls.certs", VG_RULE_BUF_TLS_CERTS },
	{ "tls.cert_subject", VG_RULE_BUF_TLS_CERT_SUBJECT },
	{ "tls_cert_subject", VG_RULE_BUF_TLS_CERT_SUBJECT },
	{ "tls.cert_issuer", VG_RULE_BUF_TLS_CERT_ISSUER },
	{ "tls_cert_issuer", VG_RULE_BUF_TLS_CERT_ISSUER },
	{ "tls.cert_serial", VG_RULE_BUF_TLS_CERT_SERIAL },
	{ "tls_cert_serial", VG_RULE_BUF_TLS_CERT_SERIAL },
	{ "tls.cert_fingerprint", VG_RULE_BUF_TLS_CERT_FINGERPRINT },
	{ "tls_cert_fingerprint", VG_RULE_BUF_TLS_CERT_FINGERPRINT },
	{ "ja3.hash", VG_RULE_BUF_JA3_HASH },
	{ "ja3_hash", VG_RULE_BUF_JA3_HASH },
	{ "ja3s.hash", VG_RULE_BUF_JA3S_HASH },
	{ "ja3s_hash", VG_RULE_BUF_JA3S_HASH },
	{ "ja3.string", VG_RULE_BUF_JA3_STRING },
	{ "ja3_string", VG_RULE_BUF_JA3_STRING },
	{ "ipv4.hdr", VG_RULE_BUF_IPV4_HDR },
};
/* Legacy content modifiers: move the previous content to the buffer. */
static const struct bufkw modifier_kws[] = {
	{ "http_method", VG_RULE_BUF_HTTP_METHOD },
	{ "http_uri", VG_RULE_BUF_HTTP_URI },
	{ "http_raw_uri", VG_RULE_BUF_HTTP_URI_RAW },
	{ "http_host", VG_RULE_BUF_HTTP_HOST },
	{ "http_raw_host", VG_RULE_BUF_HTTP_HOST_RAW },
	{ "http_user_agent", VG_RULE_BUF_HTTP_UA },
	{ "http_header", VG_RULE_BUF_HTTP_HEADER },
	{ "http_raw_header", VG_RULE_BUF_HTTP_HEADER_RAW },
	{ "http_cookie", VG_RULE_BUF_HTTP_COOKIE },
	{ "http_client_body", VG_RULE_BUF_HTTP_REQUEST_BODY },
	{ "http_server_body", VG_RULE_BUF_HTTP_RESPONSE_BODY },
	{ "http_stat_code", VG_RULE_BUF_HTTP_STAT_CODE },
	{ "http_stat_msg", VG_RULE_BUF_HTTP_STAT_MSG },
};

static const char *buf_name(enum vg_rule_buf b)
{
	for (size_t i = 0; i < sizeof(sticky_kws) / sizeof(sticky_kws[0]); i++)
		if (sticky_kws[i].buf == b)
			return sticky_kws[i].name;
	return b == VG_RULE_BUF_BASE64_DATA ? "base64_data" : "pkt_data";
}

/* Buffers that Suricata 7 inspects once per element (each DNS query, each certificate,
 * each file): writing the keyword again starts a new instance, which may match another
 * element. Other buffers are one per transaction: repeating the keyword continues it. */
static bool buf_multi(enum vg_rule_buf b)
{
	return b == VG_RULE_BUF_DNS_QUERY || b == VG_RULE_BUF_TLS_CERTS || b == VG_RULE_BUF_FILE_DATA;
}

/* Leaving the current buffer (a new sticky keyword, pkt_data, base64_data): Suricata's
 * checks in DetectBufferSetActiveList. */
static int leave_buffer(struct pctx *c)
{
	if (c->sticky && c->cur_buf == VG_RULE_BUF_BASE64_DATA)
		return fail(c, VG_EINVAL, "rule buffer cannot be reset after base64_data");
	if (c->xform_pending)
		return fail(c, VG_EINVAL, "no matches following transform(s)");
	if (c->sticky && !c->buf_has_items)
		return fail(c, VG_EINVAL, "sticky buffer %s has no matches", buf_name(c->cur_buf));
	return 0;
}

/* Which side of an HTTP transaction a buffer exists on (the engine's split, detect-sig.c):
 * 1 request only, 2 response only, 3 both (the inspection's side decides), 0 not HTTP. */
static int http_buf_side(enum vg_rule_buf b)
{
	switch (b) {
	case VG_RULE_BUF_HTTP_METHOD: case VG_RULE_BUF_HTTP_URI: case VG_RULE_BUF_HTTP_URI_RAW:
	case VG_RULE_BUF_HTTP_HOST: case VG_RULE_BUF_HTTP_HOST_RAW: case VG_RULE_BUF_HTTP_UA:
	case VG_RULE_BUF_HTTP_REQUEST_LINE: case VG_RULE_BUF_HTTP_REQUEST_BODY:
	case VG_RULE_BUF_HTTP_REFERER: case VG_RULE_BUF_HTTP_ACCEPT:
	case VG_RULE_BUF_HTTP_ACCEPT_ENC: case VG_RULE_BUF_HTTP_ACCEPT_LANG:
		return 1;
	case VG_RULE_BUF_HTTP_LOCATION: case VG_RULE_BUF_HTTP_SERVER:
	case VG_RULE_BUF_HTTP_STAT_CODE: case VG_RULE_BUF_HTTP_STAT_MSG:
	case VG_RULE_BUF_HTTP_RESPONSE_LINE: case VG_RULE_BUF_HTTP_RESPONSE_BODY:
		return 2;
	case VG_RULE_BUF_HTTP_HEADER: case VG_RULE_BUF_HTTP_HEADER_RAW:
	case VG_RULE_BUF_HTTP_HEADER_NAMES: case VG_RULE_BUF_HTTP_COOKIE:
	case VG_RULE_BUF_HTTP_CONTENT_TYPE: case VG_RULE_BUF_HTTP_CONTENT_LEN:
	case VG_RULE_BUF_HTTP_CONNECTION: case VG_RULE_BUF_HTTP_START:
	case VG_RULE_BUF_HTTP_PROTOCOL: case VG_RULE_BUF_FILE_DATA:
		return 3;
	default:
		return 0;
	}
}

/* "file.data: to_client": the direction a sticky buffer of a "=>" rule inspects
 * (Suricata 8's generic keyword direction). 0 and *out, or an error. */
static int sticky_dir(struct pctx *c, enum vg_rule_buf b, const char *kw, struct vg_str val, uint8_t *out)
{
	*out = VG_RULE_TXDIR_NONE;
	struct vg_str v = trim(val);
	uint8_t d;
	if (str_eq(v, "to_server"))
		d = VG_RULE_TXDIR_TOSERVER;
	else if (str_eq(v, "to_client"))
		d = VG_RULE_TXDIR_TOCLIENT;
	else
		return fail(c, VG_EINVAL, "%s: unknown value '%.*s' (to_server or to_client)", kw,
			    (int)v.len, v.p);
	if (c->r->dir != VG_RULE_DIR_TX)
		return fail(c, VG_EINVAL, "%s: a direction (%.*s) needs a transactional rule (=>)", kw,
			    (int)v.len, v.p);
	int side = http_buf_side(b);
	if (side == 0)
		return fail(c, VG_ENOTSUP, "%s: no transaction direction (only http buffers in => rules)",
			    kw);
	if ((side == 1 && d == VG_RULE_TXDIR_TOCLIENT) || (side == 2 && d == VG_RULE_TXDIR_TOSERVER))
		return fail(c, VG_EINVAL, "%s is a %s buffer: it can't be %.*s", kw,
			    side == 1 ? "request" : "response", (int)v.len, v.p);
	*out = d;
	return 0;
}

static int set_sticky(struct pctx *c, enum vg_rule_buf b, const char *kw, uint8_t txdir)
{
	int rc = need_alproto(c, buf_alproto(b), kw);
	if (rc || (rc = leave_buffer(c)))
		return rc;
	uint8_t inst = 0;
	if (buf_multi(b) && c->buf_seen[b]) {
		if (c->next_inst[b] == UINT8_MAX)
			return fail(c, VG_ERANGE, "too many instances of %s", kw);
		inst = ++c->next_inst[b];
	}
	c->buf_seen[b] = true;
	c->cur_buf = b;
	c->cur_inst = inst;
	c->cur_txdir = txdir;
	c->sticky = true;
	c->cur_xform = 0;
	c->buf_has_items = false;
	c->xform_locked = false;
	return 0;
}

static struct vg_rule_content *last_content(struct pctx *c, const char *kw, int *rc)
{
	if (c->last_content < 0) {
		*rc = fail(c, VG_EINVAL, "'%s' needs a preceding content", kw);
		return NULL;
	}
	*rc = 0;
	return &c->r->matches[c->last_content].u.content;
}

/* A number or a byte_extract variable name. */
static int value_or_var(struct pctx *c, struct vg_str s, int64_t min, int64_t max, int64_t *val,
			int8_t *var, const char *kw)
{
	s = trim(s);
	*val = 0;
	*var = -1;
	if (s.len && ((s.p[0] >= 'a' && s.p[0] <= 'z') || (s.p[0] >= 'A' && s.p[0] <= 'Z') ||
		      s.p[0] == '_')) {
		for (size_t i = 0; i < c->r->n_byte_vars; i++)
			if (str_eq(s, c->r->byte_vars[i])) {
				*var = (int8_t)i;
				return 0;
			}
		return fail(c, VG_EINVAL, "%s: unknown byte_extract variable '%.*s'", kw, (int)s.len,
			    s.p);
	}
	if (parse_int(s, min, max, val))
		return fail(c, VG_EINVAL, "%s: bad value '%.*s'", kw, (int)s.len, s.p);
	return 0;
}

/* content:"..." → bytes. Quoted, with |hex| runs and \-escapes of ; " \ : */
static int decode_content(struct pctx *c, struct vg_str s, const char *kw, uint8_t **out,
			  size_t *outlen, bool *negated)
{
	*out = NULL;
	*outlen = 0;
	*negated = false;
	s = trim(s);
	if (s.len && s.p[0] == '!') {
		*negated = true;
		s = trim(vg_str_make(s.p + 1, s.len - 1));
	}
	bool quoted;
	s = unquote(s, &quoted);
	if (!quoted)
		return fail(c, VG_EINVAL, "%s: value must be in double quotes", kw);
	if (s.len == 0)
		return fail(c, VG_EINVAL, "%s: empty pattern", kw);
	if (s.len > VG_RULE_MAX_CONTENT)
		return fail(c, VG_ERANGE, "%s: pattern too long", kw);
	uint8_t *b = malloc(s.len + 1);
	if (!b)
		return VG_ENOMEM;
	size_t n = 0;
	bool hex = false;
	int nib = -1;
	for (size_t i = 0; i < s.len; i++) {
		char ch = s.p[i];
		if (ch == '|') {
			if (hex && nib >= 0) {
				free(b);
				return fail(c, VG_EINVAL, "%s: odd number of hex digits", kw);
			}
			hex = !hex;
			continue;
		}
		if (hex) {
			int v;
			if (ch >= '0' && ch <= '9')
				v = ch - '0';
			else if (ch >= 'a' && ch <= 'f')
				v = ch - 'a' + 10;
			else if (ch >= 'A' && ch <= 'F')
				v = ch - 'A' + 10;
			else if (ch == ' ' || ch == '\t') {
				if (nib >= 0) {
					free(b);
					return fail(c, VG_EINVAL, "%s: odd number of hex digits", kw);
				}
				continue;
			} else {
				free(b);
				return fail(c, VG_EINVAL, "%s: bad hex character '%c'", kw, ch);
			}
			if (nib < 0) {
				nib = v;
			} else {
				b[n++] = (uint8_t)(nib << 4 | v);
				nib = -1;
			}
			continue;
		}
		if (ch == '\\') {
			if (i + 1 >= s.len) {
				free(b);
				return fail(c, VG_EINVAL, "%s: trailing backslash", kw);
			}
			char e = s.p[++i];
			if (e != ';' && e != '"' && e != '\\' && e != ':') {
				free(b);
				return fail(c, VG_EINVAL, "%s: '\\%c' is not a valid escape", kw, e);
			}
			b[n++] = (uint8_t)e;
			continue;
		}
		if (ch == '"' || ch == ';') {
			free(b);
			return fail(c, VG_EINVAL, "%s: unescaped '%c' in pattern", kw, ch);
		}
		b[n++] = (uint8_t)ch;
	}
	if (hex) {
		free(b);
		return fail(c, VG_EINVAL, "%s: unterminated |hex| block", kw);
	}
	if (n == 0) {
		free(b);
		return fail(c, VG_EINVAL, "%s: empty pattern", kw);
	}
	*out = b;
	*outlen = n;
	return 0;
}

static int kw_content(struct pctx *c, struct vg_str val)
{
	uint8_t *bytes;
	size_t len;
	bool neg;
	int rc = decode_content(c, val, "content", &bytes, &len, &neg);
	if (rc)
		return rc;
	struct vg_rule_match *m;
	rc = add_match(c, VG_RULE_M_CONTENT, c->cur_buf, &m);
	if (rc) {
		free(bytes);
		return rc;
	}
	struct vg_rule_content *ct = &m->u.content;
	ct->bytes = bytes;
	ct->len = len;
	ct->flags = neg ? VG_RULE_CONTENT_NEGATED : 0;
	ct->offset_var = ct->depth_var = ct->distance_var = ct->within_var = -1;
	c->last_content = (int)(c->r->n_matches - 1);
	return 0;
}

static int kw_content_mod(struct pctx *c, const char *kw, struct vg_str val, bool has_val)
{
	int rc;
	struct vg_rule_content *ct = last_content(c, kw, &rc);
	if (!ct)
		return rc;
	int64_t v;
	int8_t var;
	const uint32_t rel = VG_RULE_CONTENT_DISTANCE | VG_RULE_CONTENT_WITHIN;
	const uint32_t abs = VG_RULE_CONTENT_OFFSET | VG_RULE_CONTENT_DEPTH;
	if (strcmp(kw, "nocase") == 0) {
		if (has_val)
			return fail(c, VG_EINVAL, "nocase takes no value");
		if (ct->flags & VG_RULE_CONTENT_NOCASE)
			return fail(c, VG_EINVAL, "nocase given twice for one content");
		ct->flags |= VG_RULE_CONTENT_NOCASE;
		return 0;
	}
	if (strcmp(kw, "rawbytes") == 0) {
		ct->flags |= VG_RULE_CONTENT_RAWBYTES;
		return 0;
	}
	if (strcmp(kw, "startswith") == 0) {
		if (ct->flags & (rel | abs))
			return fail(c, VG_EINVAL,
				    "startswith can't be mixed with offset, depth, distance or within");
		ct->flags |= VG_RULE_CONTENT_STARTSWITH | VG_RULE_CONTENT_DEPTH | VG_RULE_CONTENT_OFFSET;
		ct->offset = 0;
		ct->depth = (int32_t)ct->len;
		return 0;
	}
	if (strcmp(kw, "endswith") == 0) {
		if (ct->flags & VG_RULE_CONTENT_ENDSWITH)
			return fail(c, VG_EINVAL, "endswith given twice for one content");
		ct->flags |= VG_RULE_CONTENT_ENDSWITH;
		return 0;
	}
	if (strcmp(kw, "fast_pattern") == 0) {
		/* Suricata's DetectFastPatternSetup checks, in its order */
		if ((ct->flags & VG_RULE_CONTENT_NEGATED) && (ct->flags & (rel | abs)))
			return fail(c, VG_EINVAL, "fast_pattern can't be used on a negated content "
						  "with offset, depth, distance or within");
		val = trim(val);
		if (!has_val || val.len == 0) {
			if (ct->flags & VG_RULE_CONTENT_FAST_PATTERN)
				return fail(c, VG_EINVAL, "fast_pattern given twice for one content");
			for (size_t i = 0; i < c->r->n_matches; i++)
				if (c->r->matches[i].kind == VG_RULE_M_CONTENT &&
				    (c->r->matches[i].u.content.flags & VG_RULE_CONTENT_FAST_PATTERN))
					return fail(c, VG_EINVAL,
						    "fast_pattern can be used on only one content in a rule");
			if (c->r->matches[c->last_content].buf == VG_RULE_BUF_BASE64_DATA)
				return fail(c, VG_EINVAL, "fast_pattern can't be used with base64_data");
			ct->flags |= VG_RULE_CONTENT_FAST_PATTERN;
			return 0;
		}
		if (str_eq(val, "only")) {
			if (ct->flags & (VG_RULE_CONTENT_NEGATED | rel | abs))
				return fail(c, VG_EINVAL,
					    "fast_pattern:only can't be used on a negated content or with "
					    "offset, depth, distance or within");
			ct->flags |= VG_RULE_CONTENT_FP_ONLY | VG_RULE_CONTENT_FAST_PATTERN;
			return 0;
		}
		struct vg_str rest = val;
		struct vg_str a = split_comma(&rest, NULL);
		uint64_t o, l;
		if (parse_uint(a, 65535, &o) || parse_uint(rest, 65535, &l) || l == 0)
			return fail(c, VG_EINVAL, "fast_pattern: bad offset,length '%.*s'", (int)val.len,
				    val.p);
		if (o + l > ct->len)
			return fail(c, VG_EINVAL, "fast_pattern offset + length %llu exceeds the content "
						  "length %zu",
				    (unsigned long long)(o + l), ct->len);
		ct->flags |= VG_RULE_CONTENT_FP_CHOP | VG_RULE_CONTENT_FAST_PATTERN;
		ct->fp_offset = (uint16_t)o;
		ct->fp_len = (uint16_t)l;
		return 0;
	}
	if (!has_val)
		return fail(c, VG_EINVAL, "%s needs a value", kw);
	if (ct->flags & VG_RULE_CONTENT_STARTSWITH)
		return fail(c, VG_EINVAL, "%s can't be mixed with startswith", kw);
	if (ct->flags & VG_RULE_CONTENT_FP_ONLY)
		return fail(c, VG_EINVAL, "%s can't be used with fast_pattern:only", kw);
	if ((ct->flags & VG_RULE_CONTENT_NEGATED) && (ct->flags & VG_RULE_CONTENT_FAST_PATTERN))
		return fail(c, VG_EINVAL, "%s can't be used on a negated fast_pattern content", kw);
	if (strcmp(kw, "offset") == 0 || strcmp(kw, "depth") == 0) {
		bool is_off = kw[0] == 'o';
		uint32_t bit = is_off ? VG_RULE_CONTENT_OFFSET : VG_RULE_CONTENT_DEPTH;
		if (ct->flags & rel)
			return fail(c, VG_EINVAL,
				    "%s can't be mixed with distance or within on the same content", kw);
		if (ct->flags & bit)
			return fail(c, VG_EINVAL, "%s given twice for one content", kw);
		if ((rc = value_or_var(c, val, 0, INT32_MAX, &v, &var, kw)))
			return rc;
		if (is_off) {
			ct->offset = (int32_t)v;
			ct->offset_var = var;
		} else {
			if (var < 0 && (v == 0 || (uint64_t)v < ct->len))
				return fail(c, VG_EINVAL, "depth %lld smaller than content length %zu",
					    (long long)v, ct->len);
			ct->depth = (int32_t)v;
			ct->depth_var = var;
		}
		ct->flags |= bit;
		return 0;
	}
	if (strcmp(kw, "distance") == 0 || strcmp(kw, "within") == 0) {
		bool is_dist = kw[0] == 'd';
		uint32_t bit = is_dist ? VG_RULE_CONTENT_DISTANCE : VG_RULE_CONTENT_WITHIN;
		if (ct->flags & abs)
			return fail(c, VG_EINVAL,
				    "%s can't be mixed with offset or depth on the same content", kw);
		if (ct->flags & bit)
			return fail(c, VG_EINVAL, "%s given twice for one content", kw);
		if ((rc = value_or_var(c, val, is_dist ? INT32_MIN / 2 : 0, INT32_MAX, &v, &var, kw)))
			return rc;
		if (is_dist) {
			ct->distance = (int32_t)v;
			ct->distance_var = var;
		} else {
			if (var < 0 && (v == 0 || (uint64_t)v < ct->len))
				return fail(c, VG_EINVAL, "within %lld smaller than content length %zu",
					    (long long)v, ct->len);
			ct->within = (int32_t)v;
			ct->within_var = var;
		}
		ct->flags |= bit;
		return 0;
	}
	return fail(c, VG_ENOTSUP, "unsupported keyword '%s'", kw);
}

static int kw_legacy_modifier(struct pctx *c, const char *kw, enum vg_rule_buf b)
{
	int rc;
	struct vg_rule_content *ct = last_content(c, kw, &rc);
	if (!ct)
		return rc;
	struct vg_rule_match *m = &c->r->matches[c->last_content];
	if (c->sticky)
		return fail(c, VG_EINVAL,
			    "'%s' seen with a sticky buffer still set (reset it with pkt_data)", kw);
	if (m->buf != VG_RULE_BUF_PAYLOAD)
		return fail(c, VG_EINVAL, "'%s': the content already has a buffer (%s)", kw,
			    buf_name(m->buf));
	if (ct->flags & VG_RULE_CONTENT_RAWBYTES)
		return fail(c, VG_EINVAL, "'%s' can't be used with rawbytes", kw);
	if ((rc = need_alproto(c, buf_alproto(b), kw)))
		return rc;
	m->buf = b;
	return 0;
}

/* Generic numbers: "N", "<N", ">N", "<=N", ">=N", "!N", "=N", "N<>M", "N-M". */
static int parse_num(struct pctx *c, struct vg_str s, uint64_t max, struct vg_rule_num *out,
		     const char *kw)
{
	s = trim(s);
	memset(out, 0, sizeof(*out));
	if (s.len == 0)
		return fail(c, VG_EINVAL, "%s: empty value", kw);
	long r = vg_str_find(s, "<>", 2);
	if (r < 0 && s.p[0] != '-')
		r = vg_str_chr(s, '-') > 0 ? vg_str_chr(s, '-') : -1;
	if (r > 0) {
		size_t sep = (s.p[r] == '<') ? 2 : 1;
		uint64_t a, b;
		if (parse_uint(vg_str_make(s.p, (size_t)r), max, &a) ||
		    parse_uint(vg_str_make(s.p + r + sep, s.len - (size_t)r - sep), max, &b) || a >= b)
			return fail(c, VG_EINVAL, "%s: bad range '%.*s'", kw, (int)s.len, s.p);
		out->op = VG_RULE_CMP_RANGE;
		out->a = a;
		out->b = b;
		return 0;
	}
	enum vg_rule_cmp op = VG_RULE_CMP_EQ;
	size_t skip = 0;
	if (s.len >= 2 && s.p[0] == '<' && s.p[1] == '=') {
		op = VG_RULE_CMP_LE;
		skip = 2;
	} else if (s.len >= 2 && s.p[0] == '>' && s.p[1] == '=') {
		op = VG_RULE_CMP_GE;
		skip = 2;
	} else if (s.len >= 2 && s.p[0] == '!' && s.p[1] == '=') {
		op = VG_RULE_CMP_NE;
		skip = 2;
	} else if (s.p[0] == '<') {
		op = VG_RULE_CMP_LT;
		skip = 1;
	} else if (s.p[0] == '>') {
		op = VG_RULE_CMP_GT;
		skip = 1;
	} else if (s.p[0] == '!') {
		op = VG_RULE_CMP_NE;
		skip = 1;
	} else if (s.p[0] == '=') {
		skip = 1;
	}
	uint64_t a;
	if (parse_uint(vg_str_make(s.p + skip, s.len - skip), max, &a))
		return fail(c, VG_EINVAL, "%s: bad value '%.*s'", kw, (int)s.len, s.p);
	if ((op == VG_RULE_CMP_LT && a == 0) || (op == VG_RULE_CMP_GT && a == max))
		return fail(c, VG_EINVAL, "%s: '%.*s' can never match", kw, (int)s.len, s.p);
	out->op = op;
	out->a = a;
	return 0;
}

static int set_num_once(struct pctx *c, struct vg_rule_num *dst, struct vg_str val, uint64_t max,
			const char *kw)
{
	if (dst->op)
		return fail(c, VG_EINVAL, "%s given twice", kw);
	return parse_num(c, val, max, dst, kw);
}

/* pcre:"/re/flags" */
/* pcrexform:"re" — a transform: the first capture group of re replaces the buffer for
 * the matches that follow (Suricata's detect-transform-pcrexform). The pattern is
 * written without slashes or flags and must capture something. */
static int kw_pcrexform(struct pctx *c, struct vg_str val)
{
	if (!c->sticky)
		return fail(c, VG_EINVAL, "pcrexform needs a sticky buffer");
	if (c->xform_locked)
		return fail(c, VG_EINVAL, "transforms must directly follow stickybuffers");
	/* one pattern per buffer, before any other transform: the xform bits keep no order */
	if (c->cur_xform)
		return fail(c, VG_ENOTSUP, "pcrexform after another transform");
	bool quoted;
	struct vg_str pat = unquote(trim(val), &quoted);
	if (!quoted || !pat.len)
		return fail(c, VG_EINVAL, "pcrexform: value must be a non-empty quoted regex");
	if (pat.len > VG_RULE_MAX_CONTENT)
		return fail(c, VG_ERANGE, "pcrexform: pattern too long");
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat.p, pat.len, 0, &errcode, &erroff, NULL);
	if (!re) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return fail(c, VG_EINVAL, "pcrexform: compile error at offset %zu: %s",
			    (size_t)erroff, (const char *)msg);
	}
	uint32_t ncap = 0;
	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &ncap);
	pcre2_code_free(re);
	if (ncap < 1)
		return fail(c, VG_EINVAL, "pcrexform: the regex needs a capture group");
	if (c->r->n_xform_pcres >= VG_RULE_MAX_PCREXFORMS)
		return fail(c, VG_ERANGE, "pcrexform: too many in one rule");
	char **nv = realloc(c->r->xform_pcres, (c->r->n_xform_pcres + 1) * sizeof(*nv));
	if (!nv)
		return VG_ENOMEM;
	c->r->xform_pcres = nv;
	if (!(nv[c->r->n_xform_pcres] = dupstr(pat)))
		return VG_ENOMEM;
	c->r->n_xform_pcres++;
	c->cur_xform |= VG_RULE_XFORM_PCREXFORM |
			((uint32_t)c->r->n_xform_pcres << VG_RULE_XFORM_PCRE_SHIFT);
	c->xform_pending = true;
	return 0;
}

static int kw_pcre(struct pctx *c, struct vg_str val)
{
	val = trim(val);
	bool neg = false;
	if (val.len && val.p[0] == '!') {
		neg = true;
		val = trim(vg_str_make(val.p + 1, val.len - 1));
	}
	bool quoted;
	val = unquote(val, &quoted);
	if (!quoted)
		return fail(c, VG_EINVAL, "pcre: value must be in double quotes");
	if (val.len < 2 || val.p[0] != '/')
		return fail(c, VG_EINVAL, "pcre: pattern must be /regex/flags");
	size_t end = val.len;
	while (end > 1 && val.p[end - 1] != '/')
		end--;
	if (end <= 1)
		return fail(c, VG_EINVAL, "pcre: missing closing '/'");
	struct vg_str pat = vg_str_make(val.p + 1, end - 2);
	struct vg_str fl = vg_str_make(val.p + end, val.len - end);
	uint32_t opts = 0, flags = neg ? VG_RULE_PCRE_NEGATED : 0;
	enum vg_rule_buf b = c->cur_buf;
	bool buf_flag = false;
	for (size_t i = 0; i < fl.len; i++) {
		enum vg_rule_buf fb = VG_RULE_BUF_COUNT;
		switch (fl.p[i]) {
		case 'i': opts |= PCRE2_CASELESS; break;
		case 's': opts |= PCRE2_DOTALL; break;
		case 'm': opts |= PCRE2_MULTILINE; break;
		case 'x': opts |= PCRE2_EXTENDED; break;
		case 'A': opts |= PCRE2_ANCHORED; break;
		case 'E': opts |= PCRE2_DOLLAR_ENDONLY; break;
		case 'G': opts |= PCRE2_UNGREEDY; flags |= VG_RULE_PCRE_ANCHOR_G; break;
		case 'R': flags |= VG_RULE_PCRE_RELATIVE; break;
		case 'B': flags |= VG_RULE_PCRE_RAWBYTES; break;
		case 'O': flags |= VG_RULE_PCRE_OVERRIDE; break;
		case 'U': fb = VG_RULE_BUF_HTTP_URI; break;
		case 'I': fb = VG_RULE_BUF_HTTP_URI_RAW; break;
		case 'P': fb = VG_RULE_BUF_HTTP_REQUEST_BODY; break;
		case 'Q': fb = VG_RULE_BUF_FILE_DATA; break; /* file_data (ET pairs it with file_data) */
		case 'H': fb = VG_RULE_BUF_HTTP_HEADER; break;
		case 'D': fb = VG_RULE_BUF_HTTP_HEADER_RAW; break;
		case 'M': fb = VG_RULE_BUF_HTTP_METHOD; break;
		case 'C': fb = VG_RULE_BUF_HTTP_COOKIE; break;
		case 'S': fb = VG_RULE_BUF_HTTP_STAT_CODE; break;
		case 'Y': fb = VG_RULE_BUF_HTTP_STAT_MSG; break;
		case 'V': fb = VG_RULE_BUF_HTTP_UA; break;
		case 'W': fb = VG_RULE_BUF_HTTP_HOST; break;
		case 'Z': fb = VG_RULE_BUF_HTTP_HOST_RAW; break;
		default:
			return fail(c, VG_EINVAL, "pcre: unknown modifier '%c'", fl.p[i]);
		}
		if (fb != VG_RULE_BUF_COUNT) {
			if (buf_flag && fb != b)
				return fail(c, VG_EINVAL, "pcre: more than one buffer modifier");
			/* Q names the response body, which file.data and http.response_body both are */
			if (c->sticky && fb == VG_RULE_BUF_FILE_DATA &&
			    c->cur_buf == VG_RULE_BUF_HTTP_RESPONSE_BODY)
				fb = c->cur_buf;
			if (c->sticky && fb != c->cur_buf)
				return fail(c, VG_EINVAL, "pcre: modifier '%c' conflicts with sticky buffer %s",
					    fl.p[i], buf_name(c->cur_buf));
			buf_flag = true;
			b = fb;
		}
	}
	if (buf_flag && !c->sticky) {
		int rc = need_alproto(c, buf_alproto(b), "pcre");
		if (rc)
			return rc;
	}
	if (pat.len > VG_RULE_MAX_CONTENT)
		return fail(c, VG_ERANGE, "pcre: pattern too long");
	/* Validate with PCRE2 now so the rule is refused at load, like Suricata does. */
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat.p, pat.len, opts, &errcode, &erroff, NULL);
	if (!re) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		return fail(c, VG_EINVAL, "pcre: compile error at offset %zu: %s", (size_t)erroff,
			    (const char *)msg);
	}
	pcre2_code_free(re);
	struct vg_rule_match *m;
	int rc = add_match(c, VG_RULE_M_PCRE, b, &m);
	if (rc)
		return rc;
	m->u.pcre.pattern = dupstr(pat);
	if (!m->u.pcre.pattern)
		return VG_ENOMEM;
	m->u.pcre.pattern_len = pat.len;
	m->u.pcre.options = opts;
	m->u.pcre.flags = flags;
	return 0;
}

static int kw_isdataat(struct pctx *c, struct vg_str val)
{
	struct vg_str rest = trim(val);
	bool neg = false;
	if (rest.len && rest.p[0] == '!') {
		neg = true;
		rest = vg_str_make(rest.p + 1, rest.len - 1);
	}
	struct vg_str n = split_comma(&rest, NULL);
	int64_t v;
	int8_t var;
	int rc = value_or_var(c, n, 0, INT32_MAX, &v, &var, "isdataat");
	if (rc)
		return rc;
	bool rel = false, raw = false;
	while (rest.len) {
		struct vg_str o = split_comma(&rest, NULL);
		if (str_eq(o, "relative"))
			rel = true;
		else if (str_eq(o, "rawbytes"))
			raw = true;
		else
			return fail(c, VG_EINVAL, "isdataat: unknown option '%.*s'", (int)o.len, o.p);
	}
	struct vg_rule_match *m;
	if ((rc = add_match(c, VG_RULE_M_ISDATAAT, c->cur_buf, &m)))
		return rc;
	m->u.isdataat.pos = (uint32_t)v;
	m->u.isdataat.pos_var = var;
	m->u.isdataat.relative = rel;
	m->u.isdataat.negated = neg;
	m->u.isdataat.rawbytes = raw;
	return 0;
}

static int parse_endian_base(struct vg_str o, struct vg_rule_byte_read *rd, bool *string, bool *ok)
{
	*ok = true;
	if (str_eq(o, "relative"))
		rd->relative = true;
	else if (str_eq(o, "big"))
		rd->endian = VG_RULE_ENDIAN_BIG;
	else if (str_eq(o, "little"))
		rd->endian = VG_RULE_ENDIAN_LITTLE;
	else if (str_eq(o, "string"))
		*string = true;
	else if (str_eq(o, "dec"))
		rd->base = VG_RULE_BASE_DEC;
	else if (str_eq(o, "hex"))
		rd->base = VG_RULE_BASE_HEX;
	else if (str_eq(o, "oct"))
		rd->base = VG_RULE_BASE_OCT;
	else
		*ok = false;
	return 0;
}

/* Common checks after the options of a byte_* keyword. */
/* "dce" takes the byte order from the DCE/RPC header: Suricata makes the rule a dcerpc
 * rule, which vigil has no parser for. */
static int check_dce(struct pctx *c, struct vg_str o, const char *kw)
{
	if (str_eq(o, "dce"))
		return fail(c, VG_ENOTSUP, "unsupported protocol 'dcerpc' (%s dce)", kw);
	return 0;
}

static int finish_byte_read(struct pctx *c, struct vg_rule_byte_read *rd, bool string,
			    const char *kw)
{
	if (string) {
		if (rd->base == VG_RULE_BASE_BINARY)
			rd->base = VG_RULE_BASE_DEC;
		if (rd->nbytes > 23)
			return fail(c, VG_EINVAL, "%s: nbytes %u too large for a string", kw, rd->nbytes);
	} else {
		if (rd->base != VG_RULE_BASE_BINARY)
			return fail(c, VG_EINVAL, "%s: base given without 'string'", kw);
		if (rd->nbytes > 8)
			return fail(c, VG_EINVAL, "%s: nbytes %u larger than 8", kw, rd->nbytes);
	}
	/* byte_jump:0 reads nothing and jumps by post_offset (Suricata accepts it; its
	 * regression suite has such rules); elsewhere 0 bytes can never give a number. */
	if (rd->nbytes == 0 && (string || strcmp(kw, "byte_jump") != 0))
		return fail(c, VG_EINVAL, "%s: nbytes must be at least 1", kw);
	return 0;
}

static int parse_bitmask(struct pctx *c, struct vg_str o, struct vg_rule_byte_read *rd,
			 const char *kw, bool *ok)
{
	*ok = false;
	if (!vg_str_startswith(o, "bitmask"))
		return 0;
	*ok = true;
	uint64_t v;
	if (parse_uint(vg_str_make(o.p + 7, o.len - 7), UINT32_MAX, &v) || v == 0)
		return fail(c, VG_EINVAL, "%s: bad bitmask", kw);
	rd->bitmask = v;
	return 0;
}

static int kw_byte_test(struct pctx *c, struct vg_str val)
{
	struct vg_rule_byte_test bt;
	memset(&bt, 0, sizeof(bt));
	bt.rd.offset_var = bt.value_var = -1;
	struct vg_str rest = val;
	struct vg_str f_n = split_comma(&rest, NULL), f_op = split_comma(&rest, NULL),
		      f_val = split_comma(&rest, NULL), f_off = split_comma(&rest, NULL);
	uint64_t nb;
	int64_t v;
	int rc;
	if (!f_off.len)
		return fail(c, VG_EINVAL, "byte_test: needs nbytes, operator, value, offset");
	if (parse_uint(f_n, 255, &nb))
		return fail(c, VG_EINVAL, "byte_test: bad nbytes '%.*s'", (int)f_n.len, f_n.p);
	bt.rd.nbytes = (uint8_t)nb;
	struct vg_str op = f_op;
	if (op.len && op.p[0] == '!') {
		bt.negated = true;
		op = trim(vg_str_make(op.p + 1, op.len - 1));
	}
	if (str_eq(op, "<"))
		bt.op = VG_RULE_BT_LT;
	else if (str_eq(op, ">"))
		bt.op = VG_RULE_BT_GT;
	else if (str_eq(op, "=") || (bt.negated && op.len == 0))
		bt.op = VG_RULE_BT_EQ;
	else if (str_eq(op, "&"))
		bt.op = VG_RULE_BT_AND;
	else if (str_eq(op, "^"))
		bt.op = VG_RULE_BT_XOR;
	else if (str_eq(op, "<="))
		bt.op = VG_RULE_BT_LE;
	else if (str_eq(op, ">="))
		bt.op = VG_RULE_BT_GE;
	else
		return fail(c, VG_EINVAL, "byte_test: bad operator '%.*s'", (int)f_op.len, f_op.p);
	if ((rc = value_or_var(c, f_val, 0, INT64_MAX, &v, &bt.value_var, "byte_test")))
		return rc;
	bt.value = (uint64_t)v;
	if ((rc = value_or_var(c, f_off, INT32_MIN / 2, INT32_MAX / 2, &v, &bt.rd.offset_var,
			       "byte_test")))
		return rc;
	bt.rd.offset = (int32_t)v;
	bool string = false;
	while (rest.len) {
		struct vg_str o = split_comma(&rest, NULL);
		bool ok;
		parse_endian_base(o, &bt.rd, &string, &ok);
		if (ok)
			continue;
		if ((rc = check_dce(c, o, "byte_test")))
			return rc;
		if ((rc = parse_bitmask(c, o, &bt.rd, "byte_test", &ok)))
			return rc;
		if (!ok)
			return fail(c, VG_EINVAL, "byte_test: unknown option '%.*s'", (int)o.len, o.p);
	}
	if ((rc = finish_byte_read(c, &bt.rd, string, "byte_test")))
		return rc;
	struct vg_rule_match *m;
	if ((rc = add_match(c, VG_RULE_M_BYTE_TEST, c->cur_buf, &m)))
		return rc;
	m->u.byte_test = bt;
	return 0;
}

static int kw_byte_jump(struct pctx *c, struct vg_str val)
{
	struct vg_rule_byte_jump bj;
	memset(&bj, 0, sizeof(bj));
	bj.rd.offset_var = -1;
	bj.multiplier = 1;
	struct vg_str rest = val;
	struct vg_str f_n = split_comma(&rest, NULL), f_off = split_comma(&rest, NULL);
	uint64_t nb;
	int64_t v;
	int rc;
	if (!f_off.len)
		return fail(c, VG_EINVAL, "byte_jump: needs nbytes, offset");
	if (parse_uint(f_n, 255, &nb))
		return fail(c, VG_EINVAL, "byte_jump: bad nbytes '%.*s'", (int)f_n.len, f_n.p);
	bj.rd.nbytes = (uint8_t)nb;
	if ((rc = value_or_var(c, f_off, INT32_MIN / 2, INT32_MAX / 2, &v, &bj.rd.offset_var,
			       "byte_jump")))
		return rc;
	bj.rd.offset = (int32_t)v;
	bool string = false;
	while (rest.len) {
		struct vg_str o = split_comma(&rest, NULL);
		bool ok;
		parse_endian_base(o, &bj.rd, &string, &ok);
		if (ok)
			continue;
		if ((rc = check_dce(c, o, "byte_jump")))
			return rc;
		if ((rc = parse_bitmask(c, o, &bj.rd, "byte_jump", &ok)))
			return rc;
		if (ok)
			continue;
		if (str_eq(o, "align")) {
			bj.align = 4;
		} else if (str_eq(o, "from_beginning")) {
			bj.from_beginning = true;
		} else if (str_eq(o, "from_end")) {
			bj.from_end = true;
		} else if (vg_str_startswith(o, "multiplier")) {
			uint64_t mu;
			if (parse_uint(vg_str_make(o.p + 10, o.len - 10), 65535, &mu) || mu == 0)
				return fail(c, VG_EINVAL, "byte_jump: bad multiplier");
			bj.multiplier = (uint32_t)mu;
		} else if (vg_str_startswith(o, "post_offset")) {
			if (parse_int(vg_str_make(o.p + 11, o.len - 11), INT32_MIN / 2, INT32_MAX / 2, &v))
				return fail(c, VG_EINVAL, "byte_jump: bad post_offset");
			bj.post_offset = (int32_t)v;
		} else {
			return fail(c, VG_EINVAL, "byte_jump: unknown option '%.*s'", (int)o.len, o.p);
		}
	}
	if (bj.from_beginning && bj.from_end)
		return fail(c, VG_EINVAL, "byte_jump: from_beginning and from_end together");
	if ((rc = finish_byte_read(c, &bj.rd, string, "byte_jump")))
		return rc;
	struct vg_rule_match *m;
	if ((rc = add_match(c, VG_RULE_M_BYTE_JUMP, c->cur_buf, &m)))
		return rc;
	m->u.byte_jump = bj;
	return 0;
}

static int kw_byte_extract(struct pctx *c, struct vg_str val)
{
	struct vg_rule_byte_extract be;
	memset(&be, 0, sizeof(be));
	be.rd.offset_var = -1;
	be.multiplier = 1;
	struct vg_str rest = val;
	struct vg_str f_n = split_comma(&rest, NULL), f_off = split_comma(&rest, NULL),
		      f_name = split_comma(&rest, NULL);
	uint64_t nb;
	int64_t v;
	int rc;
	if (!f_name.len)
		return fail(c, VG_EINVAL, "byte_extract: needs nbytes, offset, name");
	if (parse_uint(f_n, 255, &nb))
		return fail(c, VG_EINVAL, "byte_extract: bad nbytes '%.*s'", (int)f_n.len, f_n.p);
	be.rd.nbytes = (uint8_t)nb;
	if (parse_int(f_off, INT32_MIN / 2, INT32_MAX / 2, &v))
		return fail(c, VG_EINVAL, "byte_extract: bad offset '%.*s'", (int)f_off.len, f_off.p);
	be.rd.offset = (int32_t)v;
	bool string = false;
	while (rest.len) {
		struct vg_str o = split_comma(&rest, NULL);
		bool ok;
		parse_endian_base(o, &be.rd, &string, &ok);
		if (ok)
			continue;
		if ((rc = check_dce(c, o, "byte_extract")))
			return rc;
		if ((rc = parse_bitmask(c, o, &be.rd, "byte_extract", &ok)))
			return rc;
		if (ok)
			continue;
		if (vg_str_startswith(o, "multiplier")) {
			uint64_t mu;
			if (parse_uint(vg_str_make(o.p + 10, o.len - 10), 65535, &mu) || mu == 0)
				return fail(c, VG_EINVAL, "byte_extract: bad multiplier");
			be.multiplier = (uint32_t)mu;
		} else if (vg_str_startswith(o, "align")) {
			uint64_t al;
			if (parse_uint(vg_str_make(o.p + 5, o.len - 5), 4, &al) || (al != 2 && al != 4))
				return fail(c, VG_EINVAL, "byte_extract: align must be 2 or 4");
			be.align = (uint8_t)al;
		} else {
			return fail(c, VG_EINVAL, "byte_extract: unknown option '%.*s'", (int)o.len, o.p);
		}
	}
	if ((rc = finish_byte_read(c, &be.rd, string, "byte_extract")))
		return rc;
	for (size_t i = 0; i < f_name.len; i++) {
		char ch = f_name.p[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
		      (i && ch >= '0' && ch <= '9')))
			return fail(c, VG_EINVAL, "byte_extract: bad variable name '%.*s'",
				    (int)f_name.len, f_name.p);
	}
	for (size_t i = 0; i < c->r->n_byte_vars; i++)
		if (str_eq(f_name, c->r->byte_vars[i]))
			return fail(c, VG_EINVAL, "byte_extract: variable '%.*s' defined twice",
				    (int)f_name.len, f_name.p);
	if (c->r->n_byte_vars >= VG_RULE_MAX_BYTE_VARS)
		return fail(c, VG_ERANGE, "byte_extract: too many variables");
	char **nv = realloc(c->r->byte_vars, (c->r->n_byte_vars + 1) * sizeof(*nv));
	if (!nv)
		return VG_ENOMEM;
	c->r->byte_vars = nv;
	if (!(nv[c->r->n_byte_vars] = dupstr(f_name)))
		return VG_ENOMEM;
	be.var = (int8_t)c->r->n_byte_vars++;
	struct vg_rule_match *m;
	if ((rc = add_match(c, VG_RULE_M_BYTE_EXTRACT, c->cur_buf, &m)))
		return rc;
	m->u.byte_extract = be;
	return 0;
}

/* A new byte variable (byte_extract / byte_math result) named name: its index. */
static int add_byte_var(struct pctx *c, struct vg_str name, const char *kw, int8_t *idx)
{
	*idx = -1;
	if (!name.len)
		return fail(c, VG_EINVAL, "%s: empty variable name", kw);
	for (size_t i = 0; i < name.len; i++) {
		char ch = name.p[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
		      (i && ch >= '0' && ch <= '9')))
			return fail(c, VG_EINVAL, "%s: bad variable name '%.*s'", kw, (int)name.len,
				    name.p);
	}
	for (size_t i = 0; i < c->r->n_byte_vars; i++)
		if (str_eq(name, c->r->byte_vars[i]))
			return fail(c, VG_EINVAL, "%s: variable '%.*s' defined twice", kw,
				    (int)name.len, name.p);
	if (c->r->n_byte_vars >= VG_RULE_MAX_BYTE_VARS)
		return fail(c, VG_ERANGE, "%s: too many variables", kw);
	char **nv = realloc(c->r->byte_vars, (c->r->n_byte_vars + 1) * sizeof(*nv));
	if (!nv)
		return VG_ENOMEM;
	c->r->byte_vars = nv;
	if (!(nv[c->r->n_byte_vars] = dupstr(name)))
		return VG_ENOMEM;
	*idx = (int8_t)c->r->n_byte_vars++;
	return 0;
}

/* byte_math: bytes N, offset O, oper OP, rvalue V|var, result NAME [, relative]
 * [, endian big|little] [, string hex|dec|oct] [, bitmask M]: "key value" pairs in any
 * order (Suricata 7). dce needs a DCE/RPC parser: refused like byte_test's. */
static int kw_byte_math(struct pctx *c, struct vg_str val)
{
	struct vg_rule_byte_math bm;
	memset(&bm, 0, sizeof(bm));
	bm.rd.offset_var = bm.rvalue_var = bm.var = -1;
	struct vg_str rest = val, f_rvalue = { 0 }, f_result = { 0 };
	bool has_bytes = false, has_offset = false, string = false;
	int rc;
	while (rest.len) {
		struct vg_str o = trim(split_comma(&rest, NULL));
		size_t k = 0;
		while (k < o.len && o.p[k] != ' ' && o.p[k] != '\t')
			k++;
		struct vg_str key = vg_str_make(o.p, k), v = trim(vg_str_make(o.p + k, o.len - k));
		uint64_t u;
		int64_t i64;
		if (str_eq(key, "bytes")) {
			if (parse_uint(v, 10, &u) || u == 0)
				return fail(c, VG_EINVAL, "byte_math: bytes must be 1..10");
			bm.rd.nbytes = (uint8_t)u;
			has_bytes = true;
		} else if (str_eq(key, "offset")) {
			if (parse_int(v, -65535, 65535, &i64))
				return fail(c, VG_EINVAL, "byte_math: bad offset '%.*s'", (int)v.len, v.p);
			bm.rd.offset = (int32_t)i64;
			has_offset = true;
		} else if (str_eq(key, "oper")) {
			if (str_eq(v, "+"))
				bm.oper = VG_RULE_BM_ADD;
			else if (str_eq(v, "-"))
				bm.oper = VG_RULE_BM_SUB;
			else if (str_eq(v, "*"))
				bm.oper = VG_RULE_BM_MUL;
			else if (str_eq(v, "/"))
				bm.oper = VG_RULE_BM_DIV;
			else if (str_eq(v, "<<"))
				bm.oper = VG_RULE_BM_SHL;
			else if (str_eq(v, ">>"))
				bm.oper = VG_RULE_BM_SHR;
			else
				return fail(c, VG_EINVAL, "byte_math: bad oper '%.*s'", (int)v.len, v.p);
		} else if (str_eq(key, "rvalue")) {
			f_rvalue = v;
		} else if (str_eq(key, "result")) {
			f_result = v;
		} else if (str_eq(key, "relative") && !v.len) {
			bm.rd.relative = true;
		} else if (str_eq(key, "endian")) {
			if (str_eq(v, "big"))
				bm.rd.endian = VG_RULE_ENDIAN_BIG;
			else if (str_eq(v, "little"))
				bm.rd.endian = VG_RULE_ENDIAN_LITTLE;
			else if (str_eq(v, "dce"))
				return check_dce(c, v, "byte_math");
			else
				return fail(c, VG_EINVAL, "byte_math: bad endian '%.*s'", (int)v.len, v.p);
		} else if (str_eq(key, "dce") && !v.len) {
			return check_dce(c, key, "byte_math");
		} else if (str_eq(key, "string")) {
			string = true;
			if (str_eq(v, "hex"))
				bm.rd.base = VG_RULE_BASE_HEX;
			else if (str_eq(v, "dec"))
				bm.rd.base = VG_RULE_BASE_DEC;
			else if (str_eq(v, "oct"))
				bm.rd.base = VG_RULE_BASE_OCT;
			else
				return fail(c, VG_EINVAL, "byte_math: bad string base '%.*s'", (int)v.len, v.p);
		} else if (str_eq(key, "bitmask")) {
			if (parse_uint(v, UINT32_MAX, &u) || u == 0)
				return fail(c, VG_EINVAL, "byte_math: bad bitmask");
			bm.bitmask = u;
		} else {
			return fail(c, VG_EINVAL, "byte_math: unknown option '%.*s'", (int)o.len, o.p);
		}
	}
	if (!has_bytes || !has_offset || !bm.oper || !f_rvalue.len || !f_result.len)
		return fail(c, VG_EINVAL, "byte_math: needs bytes, offset, oper, rvalue, result");
	/* binary reads are at most 4 bytes (Suricata's limit), strings at most 10 */
	if (!string && bm.rd.nbytes > 4)
		return fail(c, VG_EINVAL, "byte_math: bytes %u larger than 4 without string",
			    bm.rd.nbytes);
	if ((rc = finish_byte_read(c, &bm.rd, string, "byte_math")))
		return rc;
	int64_t rv;
	if ((rc = value_or_var(c, f_rvalue, 0, UINT32_MAX, &rv, &bm.rvalue_var, "byte_math")))
		return rc;
	bm.rvalue = (uint64_t)rv;
	if ((rc = add_byte_var(c, f_result, "byte_math", &bm.var)))
		return rc;
	struct vg_rule_match *m;
	if ((rc = add_match(c, VG_RULE_M_BYTE_MATH, c->cur_buf, &m)))
		return rc;
	m->u.byte_math = bm;
	return 0;
}

static int kw_base64_decode(struct pctx *c, struct vg_str val, bool has_val)
{
	struct vg_rule_base64_decode d = { 0, 0, false };
	struct vg_str rest = has_val ? val : vg_str_make("", 0);
	while (rest.len) {
		struct vg_str o = split_comma(&rest, NULL);
		uint64_t v;
		if (str_eq(o, "relative")) {
			d.relative = true;
		} else if (vg_str_startswith(o, "bytes")) {
			if (parse_uint(vg_str_make(o.p + 5, o.len - 5), UINT32_MAX, &v) || v == 0)
				return fail(c, VG_EINVAL, "base64_decode: bad bytes");
			d.bytes = (uint32_t)v;
		} else if (vg_str_startswith(o, "offset")) {
			if (parse_uint(vg_str_make(o.p + 6, o.len - 6), UINT32_MAX, &v))
				return fail(c, VG_EINVAL, "base64_decode: bad offset");
			d.offset = (uint32_t)v;
		} else if (o.len) {
			return fail(c, VG_EINVAL, "base64_decode: unknown option '%.*s'", (int)o.len, o.p);
		}
	}
	struct vg_rule_match *m;
	int rc = add_match(c, VG_RULE_M_BASE64_DECODE, c->cur_buf, &m);
	if (rc)
		return rc;
	m->u.b64 = d;
	c->b64_decoded = true;
	return 0;
}

static int kw_bsize(struct pctx *c, struct vg_str val)
{
	if (!c->sticky)
		return fail(c, VG_EINVAL, "bsize needs a sticky buffer");
	struct vg_rule_num n;
	int rc = parse_num(c, val, UINT32_MAX, &n, "bsize");
	if (rc)
		return rc;
	struct vg_rule_match *m;
	if ((rc = add_match(c, VG_RULE_M_BSIZE, c->cur_buf, &m)))
		return rc;
	m->u.bsize = n;
	return 0;
}

static int kw_tls_version(struct pctx *c, struct vg_str val)
{
	int rc = need_alproto(c, VG_RULE_PROTO_TLS, "tls.version");
	if (rc)
		return rc;
	val = unquote(val, NULL);
	uint16_t v;
	if (str_eq(val, "1.0"))
		v = 0x0301;
	else if (str_eq(val, "1.1"))
		v = 0x0302;
	else if (str_eq(val, "1.2"))
		v = 0x0303;
	else if (str_eq(val, "1.3"))
		v = 0x0304;
	else if (str_eq(val, "ssl3") || str_eq(val, "3.0"))
		v = 0x0300;
	else {
		uint64_t u;
		if (!vg_str_startswith(val, "0x") || parse_uint(val, 0xffff, &u))
			return fail(c, VG_EINVAL, "tls.version: bad version '%.*s'", (int)val.len, val.p);
		v = (uint16_t)u;
	}
	struct vg_rule_match *m;
	if ((rc = add_match(c, VG_RULE_M_TLS_VERSION, VG_RULE_BUF_TLS_VERSION, &m)))
		return rc;
	m->u.tls_version.version = v;
	return 0;
}

/* (additive) A date of tls_cert_notbefore/notafter → UTC seconds, as Suricata reads it:
 * only digits is epoch seconds (so ">2015" is 1970 + 2015 s, as in Suricata); else
 * YYYY-MM, YYYY-MM-DD, then ' ' or 'T' and HH, HH:MM or HH:MM:SS. */
static int tls_date(struct vg_str s, int64_t *out)
{
	s = vg_str_trim(s);
	if (s.len == 0 || s.len > 19)
		return VG_EINVAL;
	bool digits = true;
	for (size_t i = 0; i < s.len; i++)
		digits = digits && s.p[i] >= '0' && s.p[i] <= '9';
	if (digits) {
		uint64_t v;
		if (vg_parse_u64(s.p, s.len, INT64_MAX, &v) < 0)
			return VG_EINVAL;
		*out = (int64_t)v;
		return 0;
	}
	/* fields: Y M D h m s with their separators and lengths */
	static const char sep[] = { 0, '-', '-', 'T', ':', ':' };
	static const uint8_t width[] = { 4, 2, 2, 2, 2, 2 };
	int64_t f[6] = { 0, 1, 1, 0, 0, 0 };
	size_t pos = 0;
	int nf = 0;
	while (pos < s.len && nf < 6) {
		if (nf > 0) {
			char c = s.p[pos];
			if (!(c == sep[nf] || (nf == 3 && c == ' ')))
				return VG_EINVAL;
			pos++;
		}
		if (s.len - pos < width[nf])
			return VG_EINVAL;
		uint64_t v;
		for (size_t i = 0; i < width[nf]; i++)
			if (s.p[pos + i] < '0' || s.p[pos + i] > '9')
				return VG_EINVAL;
		if (vg_parse_u64(s.p + pos, width[nf], 9999, &v) < 0)
			return VG_EINVAL;
		f[nf++] = (int64_t)v;
		pos += width[nf - 1];
	}
	if (pos != s.len || nf < 2 || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 ||
	    f[4] > 59 || f[5] > 60)
		return VG_EINVAL;
	/* days from civil (Howard Hinnant's algorithm), proleptic Gregorian, UTC */
	int64_t y = f[0] - (f[1] <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t mp = (f[1] + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + f[2] - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	*out = days * 86400 + f[3] * 3600 + f[4] * 60 + f[5];
	return 0;
}

/* (additive) tls_cert_notbefore / tls_cert_notafter: [<|>]date or date<>date;
 * tls_cert_expired / tls_cert_valid: no value. */
static int kw_tls_validity(struct pctx *c, const char *kw, struct vg_str val, bool has_val)
{
	int rc = need_alproto(c, VG_RULE_PROTO_TLS, kw);
	if (rc)
		return rc;
	bool expired = strcmp(kw, "tls_cert_expired") == 0, valid = strcmp(kw, "tls_cert_valid") == 0;
	struct vg_rule_match *m;
	if (expired || valid) {
		if (has_val)
			return fail(c, VG_EINVAL, "%s takes no value", kw);
		if ((rc = add_match(c, VG_RULE_M_TLS_VALIDITY, VG_RULE_BUF_TLS_VERSION, &m)))
			return rc;
		m->u.tls_validity.field = VG_RULE_TLSV_NOTAFTER;
		m->u.tls_validity.mode = expired ? VG_RULE_TLSV_EXPIRED : VG_RULE_TLSV_VALID;
		return 0;
	}
	val = vg_str_trim(unquote(val, NULL));
	if (!has_val || val.len == 0)
		return fail(c, VG_EINVAL, "%s needs a date", kw);
	uint8_t mode = VG_RULE_TLSV_EQ;
	int64_t t1 = 0, t2 = 0;
	long rg = vg_str_find(val, "<>", 2);
	if (val.p[0] == '<' || val.p[0] == '>') {
		if (rg >= 0)
			return fail(c, VG_EINVAL, "%s: range with a '%c' mode", kw, val.p[0]);
		mode = val.p[0] == '<' ? VG_RULE_TLSV_LE : VG_RULE_TLSV_GE;
		val = vg_str_make(val.p + 1, val.len - 1);
	}
	if (rg >= 0) {
		mode = VG_RULE_TLSV_RANGE;
		if (tls_date(vg_str_make(val.p, (size_t)rg), &t1) < 0 ||
		    tls_date(vg_str_make(val.p + rg + 2, val.len - (size_t)rg - 2), &t2) < 0)
			return fail(c, VG_EINVAL, "%s: bad date in '%.*s'", kw, (int)val.len, val.p);
		if (t2 <= t1)
			return fail(c, VG_EINVAL, "%s: range end not after its start", kw);
	} else if (tls_date(val, &t1) < 0) {
		return fail(c, VG_EINVAL, "%s: bad date '%.*s'", kw, (int)val.len, val.p);
	}
	if ((rc = add_match(c, VG_RULE_M_TLS_VALIDITY, VG_RULE_BUF_TLS_VERSION, &m)))
		return rc;
	m->u.tls_validity.field = strcmp(kw, "tls_cert_notbefore") == 0 ? VG_RULE_TLSV_NOTBEFORE : VG_RULE_TLSV_NOTAFTER;
	m->u.tls_validity.mode = mode;
	m->u.tls_validity.t1 = t1;
	m->u.tls_validity.t2 = t2;
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* Non-payload keywords                                                                  */

static int kw_flow(struct pctx *c, struct vg_str val)
{
	if (c->r->flow)
		return fail(c, VG_EINVAL, "flow given twice");
	struct vg_str rest = val;
	uint32_t f = 0;
	while (rest.len) {
		struct vg_str o = split_comma(&rest, NULL);
		uint32_t bit;
		if (str_eq(o, "established"))
			bit = VG_RULE_FLOW_ESTABLISHED;
		else if (str_eq(o, "not_established"))
			bit = VG_RULE_FLOW_NOT_ESTABLISHED;
		else if (str_eq(o, "stateless"))
			bit = VG_RULE_FLOW_STATELESS;
		else if (str_eq(o, "to_server") || str_eq(o, "from_client"))
			bit = VG_RULE_FLOW_TO_SERVER;
		else if (str_eq(o, "to_client") || str_eq(o, "from_server"))
			bit = VG_RULE_FLOW_TO_CLIENT;
		else if (str_eq(o, "only_stream"))
			bit = VG_RULE_FLOW_ONLY_STREAM;
		else if (str_eq(o, "no_stream"))
			bit = VG_RULE_FLOW_NO_STREAM;
		else
			return fail(c, VG_EINVAL, "flow: unknown option '%.*s'", (int)o.len, o.p);
		if (f & bit)
			return fail(c, VG_EINVAL, "flow: '%.*s' given twice", (int)o.len, o.p);
		f |= bit;
	}
	if ((f & VG_RULE_FLOW_TO_SERVER) && (f & VG_RULE_FLOW_TO_CLIENT))
		return fail(c, VG_EINVAL, "flow: to_server and to_client together");
	/* a transactional rule inspects both directions of the transaction (Suricata 8
	 * refuses a flow direction on it too) */
	if (c->r->dir == VG_RULE_DIR_TX && (f & (VG_RULE_FLOW_TO_SERVER | VG_RULE_FLOW_TO_CLIENT)))
		return fail(c, VG_EINVAL, "flow: %s in a transactional rule (=>)",
			    (f & VG_RULE_FLOW_TO_SERVER) ? "to_server" : "to_client");
	if ((f & VG_RULE_FLOW_ESTABLISHED) &&
	    (f & (VG_RULE_FLOW_NOT_ESTABLISHED | VG_RULE_FLOW_STATELESS)))
		return fail(c, VG_EINVAL, "flow: established with not_established or stateless");
	if ((f & VG_RULE_FLOW_ONLY_STREAM) && (f & VG_RULE_FLOW_NO_STREAM))
		return fail(c, VG_EINVAL, "flow: only_stream and no_stream together");
	if (!f)
		return fail(c, VG_EINVAL, "flow: empty");
	c->r->flow = f;
	return 0;
}

static int kw_flags(struct pctx *c, struct vg_str val)
{
	struct vg_rule_tcp_flags *tf = &c->r->tcp_flags;
	if (tf->mod)
		return fail(c, VG_EINVAL, "flags given twice");
	struct vg_str rest = val;
	struct vg_str set = split_comma(&rest, NULL);
	struct vg_str ign = trim(rest);
	tf->mod = VG_RULE_FLAGS_EXACT;
	bool zero = false;
	if (set.len == 0)
		return fail(c, VG_EINVAL, "flags: empty");
	for (int pass = 0; pass < 2; pass++) {
		struct vg_str s = pass ? ign : set;
		uint8_t *dst = pass ? &tf->ignore : &tf->bits;
		for (size_t i = 0; i < s.len; i++) {
			switch (s.p[i]) {
			case 'F': case 'f': *dst |= VG_RULE_TCP_FIN; break;
			case 'S': case 's': *dst |= VG_RULE_TCP_SYN; break;
			case 'R': case 'r': *dst |= VG_RULE_TCP_RST; break;
			case 'P': case 'p': *dst |= VG_RULE_TCP_PSH; break;
			case 'A': case 'a': *dst |= VG_RULE_TCP_ACK; break;
			case 'U': case 'u': *dst |= VG_RULE_TCP_URG; break;
			case 'C': case 'c': case '1': *dst |= VG_RULE_TCP_CWR; break;
			case 'E': case 'e': case '2': *dst |= VG_RULE_TCP_ECE; break;
			case '0':
				if (pass)
					goto bad;
				zero = true;
				break;
			case '+': case '*': case '!':
				if (pass || tf->mod != VG_RULE_FLAGS_EXACT)
					goto bad;
				tf->mod = s.p[i] == '+' ? VG_RULE_FLAGS_PLUS
					: s.p[i] == '*' ? VG_RULE_FLAGS_ANY : VG_RULE_FLAGS_NOT;
				break;
			case ' ': break;
			default: goto bad;
			}
		}
	}
	if (zero && tf->bits)
		goto bad;
	if (!zero && !tf->bits)
		goto bad;
	return 0;
bad:
	return fail(c, VG_EINVAL, "flags: bad value '%.*s'", (int)val.len, val.p);
}

static int kw_threshold(struct pctx *c, struct vg_str val, bool is_df)
{
	const char *kw = is_df ? "detection_filter" : "threshold";
	struct vg_rule_threshold *t = is_df ? &c->r->detection_filter : &c->r->threshold;
	if (t->type)
		return fail(c, VG_EINVAL, "%s given twice", kw);
	struct vg_str rest = val;
	bool have_count = false, have_secs = false;
	if (is_df)
		t->type = VG_RULE_THR_DETECTION_FILTER;
	while (rest.len) {
		struct vg_str o = split_comma(&rest, NULL);
		long sp = -1;
		for (size_t i = 0; i < o.len; i++)
			if (is_space(o.p[i])) {
				sp = (long)i;
				break;
			}
		if (sp < 0)
			return fail(c, VG_EINVAL, "%s: bad option '%.*s'", kw, (int)o.len, o.p);
		struct vg_str k = vg_str_make(o.p, (size_t)sp);
		struct vg_str v = trim(vg_str_make(o.p + sp, o.len - (size_t)sp));
		uint64_t n;
		if (!is_df && str_eq(k, "type")) {
			if (str_eq(v, "limit"))
				t->type = VG_RULE_THR_LIMIT;
			else if (str_eq(v, "threshold"))
				t->type = VG_RULE_THR_THRESHOLD;
			else if (str_eq(v, "both"))
				t->type = VG_RULE_THR_BOTH;
			else
				return fail(c, VG_EINVAL, "%s: bad type '%.*s'", kw, (int)v.len, v.p);
		} else if (str_eq(k, "track")) {
			if (str_eq(v, "by_src"))
				t->track = VG_RULE_TRACK_SRC;
			else if (str_eq(v, "by_dst"))
				t->track = VG_RULE_TRACK_DST;
			else if (str_eq(v, "by_rule"))
				t->track = VG_RULE_TRACK_RULE;
			else if (str_eq(v, "by_both"))
				t->track = VG_RULE_TRACK_BOTH;
			else
				return fail(c, VG_EINVAL, "%s: bad track '%.*s'", kw, (int)v.len, v.p);
		} else if (str_eq(k, "count")) {
			if (parse_uint(v, UINT32_MAX, &n) || n == 0)
				return fail(c, VG_EINVAL, "%s: bad count '%.*s'", kw, (int)v.len, v.p);
			t->count = (uint32_t)n;
			have_count = true;
		} else if (str_eq(k, "seconds")) {
			if (parse_uint(v, UINT32_MAX, &n) || n == 0)
				return fail(c, VG_EINVAL, "%s: bad seconds '%.*s'", kw, (int)v.len, v.p);
			t->seconds = (uint32_t)n;
			have_secs = true;
		} else if (str_eq(k, "unique_on")) {
			/* Suricata 8 has it on detection_filter only */
			if (!is_df)
				return fail(c, VG_ENOTSUP, "unsupported %s option 'unique_on'", kw);
			if (t->unique_on)
				return fail(c, VG_EINVAL, "%s: unique_on given twice", kw);
			if (str_eq(v, "src_port"))
				t->unique_on = VG_RULE_UNIQUE_SRC_PORT;
			else if (str_eq(v, "dst_port"))
				t->unique_on = VG_RULE_UNIQUE_DST_PORT;
			else
				return fail(c, VG_EINVAL, "%s: bad unique_on '%.*s'", kw, (int)v.len, v.p);
		} else {
			return fail(c, VG_EINVAL, "%s: unknown option '%.*s'", kw, (int)k.len, k.p);
		}
	}
	if (!t->type || !t->track || !have_count || !have_secs)
		return fail(c, VG_EINVAL, "%s: needs %strack, count and seconds", kw,
			    is_df ? "" : "type, ");
	return 0;
}

static int push_name(char ***arr, size_t *n, struct vg_str s)
{
	char **na = realloc(*arr, (*n + 1) * sizeof(**arr));
	if (!na)
		return VG_ENOMEM;
	*arr = na;
	if (!(na[*n] = dupstr(s)))
		return VG_ENOMEM;
	(*n)++;
	return 0;
}

static bool bit_name_ok(struct vg_str s)
{
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (is_space(s.p[i]) || s.p[i] == ',' || s.p[i] == '|' || s.p[i] == '&')
			return false;
	return true;
}

static int kw_flowbits(struct pctx *c, struct vg_str val)
{
	struct vg_str rest = val;
	struct vg_str cmd = split_comma(&rest, NULL);
	struct vg_str names = trim(rest);
	struct vg_rule *r = c->r;
	if (str_eq(cmd, "noalert")) {
		if (names.len)
			return fail(c, VG_EINVAL, "flowbits: noalert takes no name");
		r->flags |= VG_RULE_F_NOALERT;
		return 0;
	}
	enum vg_rule_flowbit_cmd fc;
	if (str_eq(cmd, "set"))
		fc = VG_RULE_FB_SET;
	else if (str_eq(cmd, "isset"))
		fc = VG_RULE_FB_ISSET;
	else if (str_eq(cmd, "isnotset"))
		fc = VG_RULE_FB_ISNOTSET;
	else if (str_eq(cmd, "unset"))
		fc = VG_RULE_FB_UNSET;
	else if (str_eq(cmd, "toggle"))
		fc = VG_RULE_FB_TOGGLE;
	else
		return fail(c, VG_EINVAL, "flowbits: unknown command '%.*s'", (int)cmd.len, cmd.p);
	if (!names.len)
		return fail(c, VG_EINVAL, "flowbits: %.*s needs a name", (int)cmd.len, cmd.p);
	if (r->n_flowbits >= VG_RULE_MAX_FLOWVARS)
		return fail(c, VG_ERANGE, "too many flowbits");
	struct vg_rule_flowbit *nf = realloc(r->flowbits, (r->n_flowbits + 1) * sizeof(*nf));
	if (!nf)
		return VG_ENOMEM;
	r->flowbits = nf;
	struct vg_rule_flowbit *fb = &nf[r->n_flowbits++];
	memset(fb, 0, sizeof(*fb));
	fb->cmd = fc;
	bool has_or = vg_str_chr(names, '|') >= 0, has_and = vg_str_chr(names, '&') >= 0;
	if (has_or && has_and)
		return fail(c, VG_EINVAL, "flowbits: '|' and '&' mixed");
	if ((has_or || has_and) && fc != VG_RULE_FB_ISSET && fc != VG_RULE_FB_ISNOTSET &&
	    !(has_and && (fc == VG_RULE_FB_SET || fc == VG_RULE_FB_UNSET || fc == VG_RULE_FB_TOGGLE)))
		return fail(c, VG_EINVAL, "flowbits: '|' only with isset/isnotset");
	fb->any_of = has_or;
	char sep = has_or ? '|' : '&';
	while (names.len) {
		long p = vg_str_chr(names, sep);
		struct vg_str one = trim(vg_str_make(names.p, p < 0 ? names.len : (size_t)p));
		names = p < 0 ? vg_str_make(names.p + names.len, 0)
			      : vg_str_make(names.p + p + 1, names.len - (size_t)p - 1);
		if (!bit_name_ok(one))
			return fail(c, VG_EINVAL, "flowbits: bad name '%.*s'", (int)one.len, one.p);
		int rc = push_name(&fb->names, &fb->n_names, one);
		if (rc)
			return rc;
	}
	return 0;
}

static int kw_xbits(struct pctx *c, struct vg_str val)
{
	struct vg_str rest = val;
	struct vg_str cmd = split_comma(&rest, NULL), name = split_comma(&rest, NULL);
	struct vg_rule *r = c->r;
	if (str_eq(cmd, "noalert") && !name.len) {
		r->flags |= VG_RULE_F_NOALERT;
		return 0;
	}
	struct vg_rule_xbit xb;
	memset(&xb, 0, sizeof(xb));
	if (str_eq(cmd, "set"))
		xb.cmd = VG_RULE_FB_SET;
	else if (str_eq(cmd, "isset"))
		xb.cmd = VG_RULE_FB_ISSET;
	else if (str_eq(cmd, "isnotset"))
		xb.cmd = VG_RULE_FB_ISNOTSET;
	else if (str_eq(cmd, "unset"))
		xb.cmd = VG_RULE_FB_UNSET;
	else if (str_eq(cmd, "toggle"))
		xb.cmd = VG_RULE_FB_TOGGLE;
	else
		return fail(c, VG_EINVAL, "xbits: unknown command '%.*s'", (int)cmd.len, cmd.p);
	if (!bit_name_ok(name))
		return fail(c, VG_EINVAL, "xbits: bad name '%.*s'", (int)name.len, name.p);
	while (rest.len) {
		struct vg_str o = split_comma(&rest, NULL);
		if (vg_str_startswith(o, "track")) {
			struct vg_str v = trim(vg_str_make(o.p + 5, o.len - 5));
			if (str_eq(v, "ip_src"))
				xb.track = VG_RULE_XB_IP_SRC;
			else if (str_eq(v, "ip_dst"))
				xb.track = VG_RULE_XB_IP_DST;
			else if (str_eq(v, "ip_pair"))
				xb.track = VG_RULE_XB_IP_PAIR;
			else if (str_eq(v, "tx"))
				xb.track = VG_RULE_XB_TX;
			else
				return fail(c, VG_EINVAL, "xbits: bad track '%.*s'", (int)v.len, v.p);
		} else if (vg_str_startswith(o, "expire")) {
			uint64_t e;
			if (parse_uint(vg_str_make(o.p + 6, o.len - 6), UINT32_MAX, &e) || e == 0)
				return fail(c, VG_EINVAL, "xbits: bad expire");
			xb.expire = (uint32_t)e;
		} else {
			return fail(c, VG_EINVAL, "xbits: unknown option '%.*s'", (int)o.len, o.p);
		}
	}
	if (!xb.track)
		return fail(c, VG_EINVAL, "xbits: track is required");
	if (r->n_xbits >= VG_RULE_MAX_FLOWVARS)
		return fail(c, VG_ERANGE, "too many xbits");
	struct vg_rule_xbit *nx = realloc(r->xbits, (r->n_xbits + 1) * sizeof(*nx));
	if (!nx)
		return VG_ENOMEM;
	r->xbits = nx;
	if (!(xb.name = dupstr(name)))
		return VG_ENOMEM;
	nx[r->n_xbits++] = xb;
	return 0;
}

static int kw_flowint(struct pctx *c, struct vg_str val)
{
	struct vg_str rest = val;
	struct vg_str name = split_comma(&rest, NULL), op = split_comma(&rest, NULL),
		      v = split_comma(&rest, NULL);
	struct vg_rule *r = c->r;
	struct vg_rule_flowint fi;
	memset(&fi, 0, sizeof(fi));
	static const struct {
		const char *s;
		enum vg_rule_flowint_op op;
	} ops[] = {
		{ "=", VG_RULE_FI_SET },    { "+", VG_RULE_FI_ADD },   { "-", VG_RULE_FI_SUB },
		{ "==", VG_RULE_FI_EQ },    { "!=", VG_RULE_FI_NE },   { "<", VG_RULE_FI_LT },
		{ "<=", VG_RULE_FI_LE },    { ">", VG_RULE_FI_GT },    { ">=", VG_RULE_FI_GE },
		{ "isset", VG_RULE_FI_ISSET }, { "notset", VG_RULE_FI_NOTSET },
		{ "isnotset", VG_RULE_FI_NOTSET },
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (str_eq(op, ops[i].s))
			fi.op = ops[i].op;
	if (!fi.op)
		return fail(c, VG_EINVAL, "flowint: bad operator '%.*s'", (int)op.len, op.p);
	if (!bit_name_ok(name))
		return fail(c, VG_EINVAL, "flowint: bad name '%.*s'", (int)name.len, name.p);
	bool needs_val = fi.op != VG_RULE_FI_ISSET && fi.op != VG_RULE_FI_NOTSET;
	if (needs_val != (v.len > 0) || rest.len)
		return fail(c, VG_EINVAL, "flowint: bad arguments '%.*s'", (int)val.len, val.p);
	if (r->n_flowints >= VG_RULE_MAX_FLOWVARS)
		return fail(c, VG_ERANGE, "too many flowints");
	if (needs_val) {
		uint64_t n;
		if (v.p[0] >= '0' && v.p[0] <= '9') {
			if (parse_uint(v, UINT32_MAX, &n))
				return fail(c, VG_EINVAL, "flowint: bad value '%.*s'", (int)v.len, v.p);
			fi.value = (uint32_t)n;
		} else if (!bit_name_ok(v)) {
			return fail(c, VG_EINVAL, "flowint: bad value '%.*s'", (int)v.len, v.p);
		}
	}
	struct vg_rule_flowint *nf = realloc(r->flowints, (r->n_flowints + 1) * sizeof(*nf));
	if (!nf)
		return VG_ENOMEM;
	r->flowints = nf;
	if (!(fi.name = dupstr(name)))
		return VG_ENOMEM;
	if (needs_val && !(v.p[0] >= '0' && v.p[0] <= '9') && !(fi.value_var = dupstr(v))) {
		free(fi.name);
		return VG_ENOMEM;
	}
	nf[r->n_flowints++] = fi;
	return 0;
}

static int kw_stream_size(struct pctx *c, struct vg_str val)
{
	struct vg_rule *r = c->r;
	struct vg_rule_stream_size ss;
	memset(&ss, 0, sizeof(ss));
	struct vg_str rest = val;
	struct vg_str side = split_comma(&rest, NULL), op = split_comma(&rest, NULL),
		      v = split_comma(&rest, NULL);
	if (str_eq(side, "server"))
		ss.side = VG_RULE_SS_SERVER;
	else if (str_eq(side, "client"))
		ss.side = VG_RULE_SS_CLIENT;
	else if (str_eq(side, "both"))
		ss.side = VG_RULE_SS_BOTH;
	else if (str_eq(side, "either"))
		ss.side = VG_RULE_SS_EITHER;
	else
		return fail(c, VG_EINVAL, "stream_size: bad side '%.*s'", (int)side.len, side.p);
	uint64_t n;
	if (parse_uint(v, UINT32_MAX, &n) || rest.len)
		return fail(c, VG_EINVAL, "stream_size: bad value '%.*s'", (int)v.len, v.p);
	if (str_eq(op, "<"))
		ss.cmp.op = VG_RULE_CMP_LT;
	else if (str_eq(op, "<="))
		ss.cmp.op = VG_RULE_CMP_LE;
	else if (str_eq(op, ">"))
		ss.cmp.op = VG_RULE_CMP_GT;
	else if (str_eq(op, ">="))
		ss.cmp.op = VG_RULE_CMP_GE;
	else if (str_eq(op, "=") || str_eq(op, "=="))
		ss.cmp.op = VG_RULE_CMP_EQ;
	else if (str_eq(op, "!="))
		ss.cmp.op = VG_RULE_CMP_NE;
	else
		return fail(c, VG_EINVAL, "stream_size: bad operator '%.*s'", (int)op.len, op.p);
	ss.cmp.a = n;
	if (r->n_stream_sizes >= VG_RULE_MAX_FLOWVARS)
		return fail(c, VG_ERANGE, "too many stream_size options");
	struct vg_rule_stream_size *ns = realloc(r->stream_sizes, (r->n_stream_sizes + 1) * sizeof(*ns));
	if (!ns)
		return VG_ENOMEM;
	r->stream_sizes = ns;
	ns[r->n_stream_sizes++] = ss;
	if (r->n_stream_sizes == 1) {
		r->stream_size = ss.cmp;
		r->stream_side = ss.side;
	}
	return 0;
}

static int kw_reference(struct pctx *c, struct vg_str val)
{
	struct vg_rule *r = c->r;
	struct vg_str rest = val;
	struct vg_str type = split_comma(&rest, NULL);
	struct vg_str v = trim(rest);
	if (!type.len || !v.len)
		return fail(c, VG_EINVAL, "reference: needs type,value");
	if (r->n_refs >= VG_RULE_MAX_REFS)
		return 0; /* output only: extra references are dropped, not an error */
	struct vg_rule_reference *nr = realloc(r->refs, (r->n_refs + 1) * sizeof(*nr));
	if (!nr)
		return VG_ENOMEM;
	r->refs = nr;
	struct vg_rule_reference *ref = &nr[r->n_refs];
	memset(ref, 0, sizeof(*ref));
	ref->type = dupstr(type);
	ref->value = unescape_dup(v);
	r->n_refs++;
	if (!ref->type || !ref->value)
		return VG_ENOMEM;
	return 0;
}

static int kw_metadata(struct pctx *c, struct vg_str val)
{
	struct vg_rule *r = c->r;
	struct vg_str rest = val;
	while (rest.len) {
		struct vg_str o = split_comma(&rest, NULL);
		if (!o.len)
			continue;
		if (r->n_metadata >= VG_RULE_MAX_METADATA)
			return 0; /* output only */
		int rc = push_name(&r->metadata, &r->n_metadata, o);
		if (rc)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------------------------ */
/* Dispatch                                                                              */

/* One app-layer-protocol condition (also implied by the headers "http1" and "http2"). */
static int add_app_proto(struct pctx *c, struct vg_str v, bool neg)
{
	struct vg_rule *r = c->r;
	if (r->n_app_protos >= VG_RULE_MAX_FLOWVARS)
		return fail(c, VG_ERANGE, "too many app-layer-protocol options");
	struct vg_rule_app_proto *na =
		realloc(r->app_protos, (r->n_app_protos + 1) * sizeof(*na));
	if (!na)
		return VG_ENOMEM;
	r->app_protos = na;
	na[r->n_app_protos].negated = neg;
	if (!(na[r->n_app_protos].name = dupstr(v)))
		return VG_ENOMEM;
	r->n_app_protos++;
	if (!r->app_proto) { /* the first also fills the single-entry fields */
		if (neg)
			r->flags |= VG_RULE_F_APP_PROTO_NEG;
		r->app_proto = dupstr(v);
		if (!r->app_proto)
			return VG_ENOMEM;
	}
	return 0;
}

static int set_u32_once(struct pctx *c, uint32_t *dst, bool *seen, struct vg_str v, uint64_t min,
			const char *kw)
{
	uint64_t n;
	if (*seen)
		return fail(c, VG_EINVAL, "%s given twice", kw);
	if (parse_uint(unquote(v, NULL), UINT32_MAX, &n) || n < min)
		return fail(c, VG_EINVAL, "%s: bad value '%.*s'", kw, (int)v.len, v.p);
	*dst = (uint32_t)n;
	*seen = true;
	return 0;
}

static int do_option(struct pctx *c, struct vg_str name, struct vg_str val, bool has_val)
{
	struct vg_rule *r = c->r;
	char kw[64];
	if (name.len == 0)
		return fail(c, VG_EINVAL, "empty option name");
	if (name.len >= sizeof(kw))
		return fail(c, VG_ENOTSUP, "unsupported keyword '%.40s...'", name.p);
	vg_strlcpy(kw, name.p, name.len, sizeof(kw));

	/* keywords without a value (nocase checks its own) */
	static const char *const no_value[] = {
		"rawbytes", "startswith", "endswith", "pkt_data", "base64_data", "dotprefix", "noalert",
	};
	for (size_t i = 0; i < sizeof(no_value) / sizeof(no_value[0]); i++)
		if (has_val && strcmp(kw, no_value[i]) == 0)
			return fail(c, VG_EINVAL, "%s takes no value", kw);

	if (strcmp(kw, "msg") == 0) {
		if (!has_val)
			return fail(c, VG_EINVAL, "msg needs a value");
		if (r->msg && r->msg[0])
			return fail(c, VG_EINVAL, "msg given twice");
		free(r->msg);
		r->msg = unescape_dup(unquote(val, NULL));
		return r->msg ? 0 : VG_ENOMEM;
	}
	if (strcmp(kw, "sid") == 0) {
		bool seen = c->have_sid;
		int rc = set_u32_once(c, &r->sid, &seen, val, 1, "sid");
		c->have_sid = seen;
		return rc;
	}
	if (strcmp(kw, "rev") == 0) {
		bool seen = false;
		return set_u32_once(c, &r->rev, &seen, val, 0, "rev");
	}
	if (strcmp(kw, "gid") == 0) {
		bool seen = false;
		return set_u32_once(c, &r->gid, &seen, val, 0, "gid");
	}
	if (strcmp(kw, "priority") == 0) {
		uint64_t n;
		if (parse_uint(val, 255, &n) || n == 0)
			return fail(c, VG_EINVAL, "priority: bad value '%.*s'", (int)val.len, val.p);
		r->priority = (int)n;
		return 0;
	}
	if (strcmp(kw, "classtype") == 0) {
		struct vg_str v = trim(val);
		if (!v.len || r->classtype)
			return fail(c, VG_EINVAL, "classtype: %s", r->classtype ? "given twice" : "empty");
		for (size_t i = 0; i < v.len; i++)
			if (!((v.p[i] >= 'a' && v.p[i] <= 'z') || (v.p[i] >= 'A' && v.p[i] <= 'Z') ||
			      (v.p[i] >= '0' && v.p[i] <= '9') || v.p[i] == '-' || v.p[i] == '_'))
				return fail(c, VG_EINVAL, "classtype: bad name '%.*s'", (int)v.len, v.p);
		r->classtype = dupstr(v);
		return r->classtype ? 0 : VG_ENOMEM;
	}
	if (strcmp(kw, "reference") == 0)
		return kw_reference(c, val);
	if (strcmp(kw, "metadata") == 0)
		return kw_metadata(c, val);
	if (strcmp(kw, "target") == 0) {
		struct vg_str v = trim(val);
		if (str_eq(v, "src_ip"))
			r->flags |= VG_RULE_F_TARGET_SRC;
		else if (str_eq(v, "dest_ip"))
			r->flags |= VG_RULE_F_TARGET_DST;
		else
			return fail(c, VG_EINVAL, "target: must be src_ip or dest_ip");
		return 0;
	}
	if (strcmp(kw, "tag") == 0) {
		struct vg_str rest = val;
		struct vg_str t = split_comma(&rest, NULL);
		if (!str_eq(t, "session") && !str_eq(t, "host"))
			return fail(c, VG_EINVAL, "tag: type must be session or host");
		r->flags |= VG_RULE_F_TAG;
		return 0;
	}

	/* payload */
	if (strcmp(kw, "content") == 0) {
		if (!has_val)
			return fail(c, VG_EINVAL, "content needs a value");
		return kw_content(c, val);
	}
	if (strcmp(kw, "nocase") == 0 || strcmp(kw, "rawbytes") == 0 || strcmp(kw, "startswith") == 0 ||
	    strcmp(kw, "endswith") == 0 || strcmp(kw, "fast_pattern") == 0 ||
	    strcmp(kw, "offset") == 0 || strcmp(kw, "depth") == 0 || strcmp(kw, "distance") == 0 ||
	    strcmp(kw, "within") == 0)
		return kw_content_mod(c, kw, val, has_val);
	for (size_t i = 0; i < sizeof(modifier_kws) / sizeof(modifier_kws[0]); i++)
		if (strcmp(kw, modifier_kws[i].name) == 0) {
			if (has_val)
				return fail(c, VG_EINVAL, "%s takes no value", kw);
			return kw_legacy_modifier(c, kw, modifier_kws[i].buf);
		}
	for (size_t i = 0; i < sizeof(sticky_kws) / sizeof(sticky_kws[0]); i++)
		if (strcmp(kw, sticky_kws[i].name) == 0) {
			uint8_t txdir = VG_RULE_TXDIR_NONE;
			if (has_val) {
				int rc = sticky_dir(c, sticky_kws[i].buf, kw, val, &txdir);
				if (rc)
					return rc;
			}
			return set_sticky(c, sticky_kws[i].buf, kw, txdir);
		}
	if (strcmp(kw, "pkt_data") == 0) {
		int rc = leave_buffer(c);
		if (rc)
			return rc;
		c->cur_buf = VG_RULE_BUF_PAYLOAD;
		c->cur_inst = 0;
		c->cur_txdir = 0;
		c->sticky = false;
		c->cur_xform = 0;
		c->xform_locked = false;
		return 0;
	}
	if (strcmp(kw, "dotprefix") == 0) {
		if (!c->sticky)
			return fail(c, VG_EINVAL, "dotprefix needs a sticky buffer");
		/* As in Suricata, the transform applies to the matches that follow it: matches
		 * already added to this sticky buffer stay on the untransformed buffer (ET's
		 * "dns.query; content:\"rs-\"; startswith; ...; dotprefix; content:\".x.com\";
		 * endswith;" relies on that). */
		if (c->xform_locked)
			return fail(c, VG_EINVAL, "transforms must directly follow stickybuffers");
		c->cur_xform |= VG_RULE_XFORM_DOTPREFIX;
		c->xform_pending = true;
		return 0;
	}
	if (strcmp(kw, "pcrexform") == 0)
		return kw_pcrexform(c, val);
	if (strcmp(kw, "pcre") == 0)
		return kw_pcre(c, val);
	if (strcmp(kw, "isdataat") == 0)
		return kw_isdataat(c, val);
	if (strcmp(kw, "bsize") == 0)
		return kw_bsize(c, val);
	if (strcmp(kw, "byte_test") == 0)
		return kw_byte_test(c, val);
	if (strcmp(kw, "byte_jump") == 0)
		return kw_byte_jump(c, val);
	if (strcmp(kw, "byte_extract") == 0)
		return kw_byte_extract(c, val);
	if (strcmp(kw, "byte_math") == 0)
		return kw_byte_math(c, val);
	if (strcmp(kw, "base64_decode") == 0)
		return kw_base64_decode(c, val, has_val);
	if (strcmp(kw, "base64_data") == 0) {
		if (!c->b64_decoded)
			return fail(c, VG_EINVAL, "base64_data needs a preceding base64_decode");
		int rc = leave_buffer(c);
		if (rc)
			return rc;
		c->cur_buf = VG_RULE_BUF_BASE64_DATA;
		c->cur_inst = 0;
		c->cur_txdir = 0;
		c->sticky = true;
		c->cur_xform = 0;
		c->buf_has_items = false;
		return 0;
	}
	if (strcmp(kw, "tls.version") == 0)
		return kw_tls_version(c, val);
	if (strcmp(kw, "tls_cert_notbefore") == 0 || strcmp(kw, "tls_cert_notafter") == 0 ||
	    strcmp(kw, "tls_cert_expired") == 0 || strcmp(kw, "tls_cert_valid") == 0)
		return kw_tls_validity(c, kw, val, has_val);

	/* packet / flow */
	if (strcmp(kw, "flow") == 0)
		return kw_flow(c, val);
	if (strcmp(kw, "flags") == 0)
		return kw_flags(c, val);
	if (strcmp(kw, "dsize") == 0)
		return set_num_once(c, &r->dsize, val, 65535, "dsize");
	if (strcmp(kw, "itype") == 0)
		return set_num_once(c, &r->itype, val, 255, "itype");
	if (strcmp(kw, "icode") == 0)
		return set_num_once(c, &r->icode, val, 255, "icode");
	if (strcmp(kw, "ttl") == 0)
		return set_num_once(c, &r->ttl, val, 255, "ttl");
	if (strcmp(kw, "ip_proto") == 0) {
		struct vg_str v = trim(val);
		if (str_eq(v, "tcp") || str_eq(v, "TCP"))
			v = VG_STR_LIT("6");
		else if (str_eq(v, "udp") || str_eq(v, "UDP"))
			v = VG_STR_LIT("17");
		else if (str_eq(v, "icmp") || str_eq(v, "ICMP"))
			v = VG_STR_LIT("1");
		else if (str_eq(v, "ipv6-icmp") || str_eq(v, "IPV6-ICMP"))
			v = VG_STR_LIT("58");
		return set_num_once(c, &r->ip_proto, v, 255, "ip_proto");
	}
	if (strcmp(kw, "urilen") == 0) {
		struct vg_str rest = val;
		struct vg_str n = split_comma(&rest, NULL);
		struct vg_str mode = trim(rest);
		if (mode.len && !str_eq(mode, "raw") && !str_eq(mode, "norm"))
			return fail(c, VG_EINVAL, "urilen: bad mode '%.*s'", (int)mode.len, mode.p);
		if (str_eq(mode, "raw"))
			r->flags |= VG_RULE_F_URILEN_RAW;
		int rc = need_alproto(c, VG_RULE_PROTO_HTTP, "urilen");
		if (rc)
			return rc;
		return set_num_once(c, &r->urilen, n, 65535, "urilen");
	}
	if (strcmp(kw, "stream_size") == 0)
		return kw_stream_size(c, val);
	if (strcmp(kw, "threshold") == 0)
		return kw_threshold(c, val, false);
	if (strcmp(kw, "detection_filter") == 0)
		return kw_threshold(c, val, true);
	if (strcmp(kw, "flowbits") == 0)
		return kw_flowbits(c, val);
	if (strcmp(kw, "xbits") == 0)
		return kw_xbits(c, val);
	if (strcmp(kw, "flowint") == 0)
		return kw_flowint(c, val);
	if (strcmp(kw, "noalert") == 0) {
		r->flags |= VG_RULE_F_NOALERT;
		return 0;
	}
	if (strcmp(kw, "app-layer-protocol") == 0) {
		struct vg_str v = trim(val);
		bool neg = false;
		if (v.len && v.p[0] == '!') {
			neg = true;
			v = trim(vg_str_make(v.p + 1, v.len - 1));
		}
		static const char *const known[] = { "http", "http1", "http2", "dns", "tls", "ssh",
						     "failed", "unknown" };
		bool ok = false;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			ok |= str_eq(v, known[i]);
		if (!ok)
			return fail(c, VG_ENOTSUP, "unsupported protocol '%.*s' in app-layer-protocol",
				    (int)v.len, v.p);
		return add_app_proto(c, v, neg);
	}
	return fail(c, VG_ENOTSUP, "unsupported keyword '%s'", kw);
}

/* ------------------------------------------------------------------------------------ */
/* Header                                                                                */

/* Next whitespace-separated token; brackets may contain spaces. */
static struct vg_str next_token(struct vg_str *s)
{
	size_t i = 0;
	while (i < s->len && is_space(s->p[i]))
		i++;
	size_t st = i;
	int d = 0;
	for (; i < s->len; i++) {
		char ch = s->p[i];
		if (ch == '[')
			d++;
		else if (ch == ']')
			d--;
		else if (is_space(ch) && d <= 0)
			break;
		else if (ch == '(' && d <= 0)
			break;
	}
	struct vg_str t = vg_str_make(s->p + st, i - st);
	*s = vg_str_make(s->p + i, s->len - i);
	return t;
}

static int parse_header(struct pctx *c, struct vg_str h)
{
	struct vg_rule *r = c->r;
	struct vg_str act = next_token(&h), proto = next_token(&h);
	if (str_eq(act, "alert"))
		r->action = VG_RULE_ACTION_ALERT;
	else if (str_eq(act, "drop"))
		r->action = VG_RULE_ACTION_DROP;
	else if (str_eq(act, "pass"))
		r->action = VG_RULE_ACTION_PASS;
	else if (str_eq(act, "reject") || str_eq(act, "rejectsrc"))
		r->action = VG_RULE_ACTION_REJECT;
	else if (str_eq(act, "rejectdst")) {
		r->action = VG_RULE_ACTION_REJECT;
		r->reject_kind = 1;
	} else if (str_eq(act, "rejectboth")) {
		r->action = VG_RULE_ACTION_REJECT;
		r->reject_kind = 2;
	} else
		return fail(c, VG_EINVAL, "unknown action '%.*s'", (int)act.len, act.p);

	static const struct {
		const char *name;
		enum vg_rule_proto p;
	} protos[] = {
		{ "ip", VG_RULE_PROTO_IP },       { "tcp", VG_RULE_PROTO_TCP },
		{ "tcp-pkt", VG_RULE_PROTO_TCP_PKT }, { "tcp-stream", VG_RULE_PROTO_TCP_STREAM },
		{ "udp", VG_RULE_PROTO_UDP },     { "icmp", VG_RULE_PROTO_ICMP },
		{ "http", VG_RULE_PROTO_HTTP },   { "http1", VG_RULE_PROTO_HTTP },
		{ "http2", VG_RULE_PROTO_HTTP },
		{ "dns", VG_RULE_PROTO_DNS },     { "tls", VG_RULE_PROTO_TLS },
		{ "ssh", VG_RULE_PROTO_SSH },
	};
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (vg_str_casecmp_cstr(proto, protos[i].name))
			r->proto = protos[i].p;
	if (!r->proto) {
		if (!proto.len)
			return fail(c, VG_EINVAL, "missing protocol");
		return fail(c, VG_ENOTSUP, "unsupported protocol '%.*s'", (int)proto.len, proto.p);
	}
	/* "http" is HTTP/1 and HTTP/2 (Suricata 7); "http1" / "http2" only that version: the
	 * HTTP keywords with an implied app-layer-protocol condition */
	if (vg_str_casecmp_cstr(proto, "http1") || vg_str_casecmp_cstr(proto, "http2")) {
		int arc = add_app_proto(c, vg_str_make(proto.p[4] == '1' ? "http1" : "http2", 5), false);
		if (arc)
			return arc;
	}
	struct vg_str src = next_token(&h), sp = next_token(&h), dir = next_token(&h),
		      dst = next_token(&h), dp = next_token(&h);
	if (!dp.len)
		return fail(c, VG_EINVAL, "incomplete rule header");
	if (trim(h).len)
		return fail(c, VG_EINVAL, "junk after the rule header: '%.*s'", (int)trim(h).len,
			    trim(h).p);
	if (str_eq(dir, "->"))
		r->dir = VG_RULE_DIR_TO;
	else if (str_eq(dir, "<>"))
		r->dir = VG_RULE_DIR_BOTH;
	else if (str_eq(dir, "=>"))
		r->dir = VG_RULE_DIR_TX;
	else
		return fail(c, VG_EINVAL, "bad direction '%.*s'", (int)dir.len, dir.p);
	int rc;
	if ((rc = parse_addrs(c, src, &r->src)) || (rc = parse_ports(c, sp, &r->sport)) ||
	    (rc = parse_addrs(c, dst, &r->dst)) || (rc = parse_ports(c, dp, &r->dport)))
		return rc;
	return 0;
}

/* A transactional rule ("=>"): vigil has request/response transactions for HTTP only, so
 * the rule must be an HTTP rule whose items all inspect transaction buffers; each item gets
 * the side it inspects (a buffer of both sides without "to_client" is the request's, the
 * direction Suricata gives a keyword that names none). */
static int validate_tx(struct pctx *c)
{
	struct vg_rule *r = c->r;
	if (r->proto != VG_RULE_PROTO_HTTP && c->alproto != VG_RULE_PROTO_HTTP)
		return fail(c, VG_ENOTSUP, "transactional rule (=>) on %s (vigil has http transactions only)",
			    proto_name(c->alproto ? c->alproto : r->proto));
	uint8_t last_dir = VG_RULE_TXDIR_NONE;
	for (size_t i = 0; i < r->n_matches; i++) {
		struct vg_rule_match *m = &r->matches[i];
		if (m->buf == VG_RULE_BUF_BASE64_DATA)
			continue; /* reads what a base64_decode of a transaction buffer produced */
		int side = http_buf_side(m->buf);
		if (side == 0 && m->buf == VG_RULE_BUF_PAYLOAD && last_dir &&
		    m->kind != VG_RULE_M_CONTENT && m->kind != VG_RULE_M_PCRE) {
			/* isdataat/byte_x/base64_decode written after a legacy-modifier content
			 * belong to that content's buffer (the engine moves them there) */
			m->txdir = last_dir;
			continue;
		}
		if (side == 0)
			return fail(c, VG_ENOTSUP, "transactional rule (=>) with %s keywords (only http buffers)",
				    buf_name(m->buf));
		if (side == 1)
			m->txdir = VG_RULE_TXDIR_TOSERVER;
		else if (side == 2)
			m->txdir = VG_RULE_TXDIR_TOCLIENT;
		else if (m->txdir == VG_RULE_TXDIR_NONE)
			m->txdir = VG_RULE_TXDIR_TOSERVER;
		if (m->kind == VG_RULE_M_CONTENT || m->kind == VG_RULE_M_PCRE)
			last_dir = m->txdir;
	}
	return 0;
}

/* Checks Suricata makes once the whole rule is read. */
static int validate(struct pctx *c)
{
	struct vg_rule *r = c->r;
	if (!c->have_sid)
		return fail(c, VG_EINVAL, "no sid");
	if (c->xform_pending)
		return fail(c, VG_EINVAL, "no matches following transform(s)");
	if (c->sticky && !c->buf_has_items && c->cur_buf != VG_RULE_BUF_BASE64_DATA)
		return fail(c, VG_EINVAL, "sticky buffer %s has no matches", buf_name(c->cur_buf));
	if (r->dir == VG_RULE_DIR_TX) {
		int rc = validate_tx(c);
		if (rc)
			return rc;
	}
	/* bsize vs content lengths in the same buffer: a content longer than the buffer can be
	 * can never match (Suricata refuses these). */
	for (size_t i = 0; i < r->n_matches; i++) {
		const struct vg_rule_match *m = &r->matches[i];
		if (m->kind != VG_RULE_M_BSIZE)
			continue;
		uint64_t maxlen = UINT64_MAX;
		switch (m->u.bsize.op) {
		case VG_RULE_CMP_EQ: maxlen = m->u.bsize.a; break;
		case VG_RULE_CMP_LT: maxlen = m->u.bsize.a - 1; break;
		case VG_RULE_CMP_LE: maxlen = m->u.bsize.a; break;
		case VG_RULE_CMP_RANGE: maxlen = m->u.bsize.b - 1; break;
		default: break;
		}
		for (size_t j = 0; j < r->n_matches; j++) {
			const struct vg_rule_match *o = &r->matches[j];
			/* bsize and content both see the buffer after its transforms */
			if (o->kind == VG_RULE_M_CONTENT && o->buf == m->buf && o->xform == m->xform &&
			    o->inst == m->inst && o->txdir == m->txdir &&
			    !(o->u.content.flags & VG_RULE_CONTENT_NEGATED) && o->u.content.len > maxlen)
				return fail(c, VG_EINVAL,
					    "content length %zu exceeds bsize, rule can't match",
					    o->u.content.len);
		}
	}
	/* Suricata's buffer validations: http.host is lower-cased, so a case-sensitive content
	 * with upper case there can never match and is refused. */
	for (size_t i = 0; i < r->n_matches; i++) {
		const struct vg_rule_match *m = &r->matches[i];
		if (m->kind != VG_RULE_M_CONTENT || m->buf != VG_RULE_BUF_HTTP_HOST ||
		    (m->u.content.flags & VG_RULE_CONTENT_NOCASE))
			continue;
		for (size_t k = 0; k < m->u.content.len; k++)
			if (m->u.content.bytes[k] >= 'A' && m->u.content.bytes[k] <= 'Z')
				return fail(c, VG_EINVAL,
					    "http.host content with upper case can't match the "
					    "lower-cased buffer (use nocase)");
	}
	/* http.method: Suricata refuses contents with leading or trailing white space (the
	 * method never has any). */
	for (size_t i = 0; i < r->n_matches; i++) {
		const struct vg_rule_match *m = &r->matches[i];
		if (m->kind != VG_RULE_M_CONTENT || m->buf != VG_RULE_BUF_HTTP_METHOD)
			continue;
		const struct vg_rule_content *ct = &m->u.content;
		if (ct->bytes[0] == ' ' || ct->bytes[0] == '\t' || ct->bytes[ct->len - 1] == ' ' ||
		    ct->bytes[ct->len - 1] == '\t')
			return fail(c, VG_EINVAL, "http.method content with leading or trailing white space");
	}
	/* A rule can't require both single packets and the reassembled stream. */
	bool need_pkt = r->dsize.op || r->proto == VG_RULE_PROTO_TCP_PKT ||
			(r->flow & VG_RULE_FLOW_NO_STREAM);
	bool need_stream = r->proto == VG_RULE_PROTO_TCP_STREAM || (r->flow & VG_RULE_FLOW_ONLY_STREAM);
	if (need_pkt && need_stream)
		return fail(c, VG_EINVAL, "can't mix packet keywords with tcp-stream or flow:only_stream");
	/* RELATIVE_NEXT marks and the buffers used. */
	for (size_t i = 0; i < r->n_matches; i++) {
		const struct vg_rule_match *m = &r->matches[i];
		r->bufs_used |= 1ull << m->buf;
		bool rel = false;
		switch (m->kind) {
		case VG_RULE_M_CONTENT:
			rel = m->u.content.flags & (VG_RULE_CONTENT_DISTANCE | VG_RULE_CONTENT_WITHIN);
			break;
		case VG_RULE_M_PCRE: rel = m->u.pcre.flags & VG_RULE_PCRE_RELATIVE; break;
		case VG_RULE_M_ISDATAAT: rel = m->u.isdataat.relative; break;
		case VG_RULE_M_BYTE_TEST: rel = m->u.byte_test.rd.relative; break;
		case VG_RULE_M_BYTE_JUMP: rel = m->u.byte_jump.rd.relative; break;
		case VG_RULE_M_BYTE_EXTRACT: rel = m->u.byte_extract.rd.relative; break;
		case VG_RULE_M_BYTE_MATH: rel = m->u.byte_math.rd.relative; break;
		case VG_RULE_M_BASE64_DECODE: rel = m->u.b64.relative; break;
		default: break;
		}
		if (!rel)
			continue;
		for (size_t j = i; j-- > 0;) {
			if (r->matches[j].buf != m->buf || r->matches[j].xform != m->xform ||
			    r->matches[j].inst != m->inst || r->matches[j].txdir != m->txdir)
				continue;
			if (r->matches[j].kind == VG_RULE_M_CONTENT)
				r->matches[j].u.content.flags |= VG_RULE_CONTENT_RELATIVE_NEXT;
			break;
		}
	}
	/* app-layer buffers on a plain tcp/udp rule make it an app-layer rule (Suricata sets the
	 * signature's alproto the same way). */
	r->alproto = c->alproto;
	if (r->gid == 0)
		r->gid = 1;
	return 0;
}

void vg_rule_free(struct vg_rule *r)
{
	if (!r)
		return;
	free(r->msg);
	free(r->classtype);
	for (size_t i = 0; i < r->n_refs; i++) {
		free(r->refs[i].type);
		free(r->refs[i].value);
	}
	free(r->refs);
	for (size_t i = 0; i < r->n_metadata; i++)
		free(r->metadata[i]);
	free(r->metadata);
	free(r->src.r);
	free(r->dst.r);
	free(r->sport.r);
	free(r->dport.r);
	free(r->app_proto);
	for (size_t i = 0; i < r->n_app_protos; i++)
		free(r->app_protos[i].name);
	free(r->app_protos);
	free(r->stream_sizes);
	for (size_t i = 0; i < r->n_flowbits; i++) {
		for (size_t j = 0; j < r->flowbits[i].n_names; j++)
			free(r->flowbits[i].names[j]);
		free(r->flowbits[i].names);
	}
	free(r->flowbits);
	for (size_t i = 0; i < r->n_xbits; i++)
		free(r->xbits[i].name);
	free(r->xbits);
	for (size_t i = 0; i < r->n_flowints; i++) {
		free(r->flowints[i].name);
		free(r->flowints[i].value_var);
	}
	free(r->flowints);
	for (size_t i = 0; i < r->n_matches; i++) {
		if (r->matches[i].kind == VG_RULE_M_CONTENT)
			free(r->matches[i].u.content.bytes);
		else if (r->matches[i].kind == VG_RULE_M_PCRE)
			free(r->matches[i].u.pcre.pattern);
	}
	free(r->matches);
	for (size_t i = 0; i < r->n_byte_vars; i++)
		free(r->byte_vars[i]);
	free(r->byte_vars);
	for (size_t i = 0; i < r->n_xform_pcres; i++)
		free(r->xform_pcres[i]);
	free(r->xform_pcres);
	free(r->file);
	free(r->text);
	free(r);
}

/* Find the sid in text without parsing (for the skip message of a rule that fails early). */
static uint32_t scan_sid(const char *text, size_t len)
{
	struct vg_str s = vg_str_make(text, len);
	size_t i = 0;
	while (i + 4 <= s.len) {
		long f = vg_str_find(vg_str_make(s.p + i, s.len - i), "sid", 3);
		if (f < 0)
			break;
		size_t at = i + (size_t)f;
		size_t j = at + 3;
		bool boundary = at == 0 || s.p[at - 1] == ';' || s.p[at - 1] == '(' || is_space(s.p[at - 1]);
		while (j < s.len && is_space(s.p[j]))
			j++;
		if (boundary && j < s.len && s.p[j] == ':') {
			j++;
			while (j < s.len && is_space(s.p[j]))
				j++;
			size_t k = j;
			while (k < s.len && s.p[k] >= '0' && s.p[k] <= '9')
				k++;
			uint64_t v;
			if (k > j && vg_parse_u64(s.p + j, k - j, UINT32_MAX, &v) == 0)
				return (uint32_t)v;
		}
		i = at + 3;
	}
	return 0;
}

int vg_rule_parse(const char *text, size_t len, const struct vg_rule_vars *vars,
		  struct vg_rule **out, uint32_t *sid_out, char *reason, size_t reasonsz)
{
	struct pctx c;
	int rc = 0;
	*out = NULL;
	if (sid_out)
		*sid_out = 0;
	if (reason && reasonsz)
		reason[0] = '\0';
	memset(&c, 0, sizeof(c));
	c.vars = vars;
	c.reason = reason;
	c.reasonsz = reasonsz;
	c.last_content = -1;
	c.cur_buf = VG_RULE_BUF_PAYLOAD;
	if (sid_out)
		*sid_out = scan_sid(text, len);
	if (len > VG_MAX_RULE_LEN)
		return fail(&c, VG_ERANGE, "rule longer than %u bytes", VG_MAX_RULE_LEN);
	if (memchr(text, '\0', len))
		return fail(&c, VG_EINVAL, "NUL byte in rule");
	c.r = calloc(1, sizeof(*c.r));
	if (!c.r)
		return VG_ENOMEM;
	struct vg_rule *r = c.r;
	r->text = vg_memdup_str(text, len);
	r->msg = vg_memdup_str("", 0);
	if (!r->text || !r->msg) {
		rc = VG_ENOMEM;
		goto out;
	}

	struct vg_str s = trim(vg_str_make(text, len));
	long lp = vg_str_chr(s, '(');
	if (lp < 0 || s.len == 0 || s.p[s.len - 1] != ')') {
		rc = fail(&c, VG_EINVAL, "no option list in parentheses");
		goto out;
	}
	if ((rc = parse_header(&c, vg_str_make(s.p, (size_t)lp))))
		goto out;

	/* options: name[:value]; with \-escapes inside values */
	struct vg_str o = vg_str_make(s.p + lp + 1, s.len - (size_t)lp - 2);
	size_t i = 0, nopts = 0;
	while (i < o.len) {
		while (i < o.len && is_space(o.p[i]))
			i++;
		if (i >= o.len)
			break;
		size_t ns = i;
		while (i < o.len && o.p[i] != ':' && o.p[i] != ';')
			i++;
		struct vg_str name = trim(vg_str_make(o.p + ns, i - ns));
		struct vg_str val = vg_str_make("", 0);
		bool has_val = false;
		if (i < o.len && o.p[i] == ':') {
			i++;
			size_t vs = i;
			while (i < o.len && o.p[i] != ';') {
				if (o.p[i] == '\\' && i + 1 < o.len)
					i++;
				i++;
			}
			val = trim(vg_str_make(o.p + vs, i - vs));
			has_val = true;
		}
		if (i >= o.len) {
			rc = fail(&c, VG_EINVAL, "option '%.*s' not terminated by ';'", (int)name.len,
				  name.p);
			goto out;
		}
		i++; /* ';' */
		if (++nopts > VG_RULE_MAX_OPTIONS) {
			rc = fail(&c, VG_ERANGE, "too many options (max %u)", VG_RULE_MAX_OPTIONS);
			goto out;
		}
		for (size_t k = 0; k < name.len; k++)
			if (is_space(name.p[k]) || name.p[k] == '(' || name.p[k] == ')') {
				rc = fail(&c, VG_EINVAL, "bad option name '%.*s'", (int)name.len, name.p);
				goto out;
			}
		if ((rc = do_option(&c, name, val, has_val)))
			goto out;
	}
	if ((rc = validate(&c)))
		goto out;
	if (sid_out)
		*sid_out = r->sid;
	*out = r;
	return 0;
out:
	if (sid_out && c.have_sid)
		*sid_out = r->sid;
	vg_rule_free(c.r);
	return rc;
}
