/* detect-rule-load.c — rule files → a rule set (struct vg_ruleset).
 *
 * Reads Suricata rule files: '#' comments (disabled "#alert ..." rules are comments),
 * blank lines, a trailing '\' continues a rule on the next line. Each rule goes through
 * vg_rule_parse(); one that fails is recorded as skipped (file, line, sid, reason) and
 * loading goes on — a user loading ET Open must get every good rule and a precise list of
 * the others. Duplicate (gid, sid) keep the first, like Suricata. classification.config
 * gives each classtype its description (EVE's alert.category) and default priority;
 * reference.config the URL prefixes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-config.h"
#include "core/core-error.h"
#include "core/core-hash.h"
#include "core/core-str.h"
#include "core/limits.h"
#include "detect/detect-rule.h"

struct class_entry {
	char *name;
	char *desc;
	int priority;
};
struct ref_entry {
	char *name;
	char *url;
};
struct reason_entry {
	char *reason;
	size_t count;
};

struct vg_ruleset {
	struct vg_rule **rules;
	size_t n_rules, cap_rules;
	struct vg_rule_skipped *skipped;
	size_t n_skipped, cap_skipped;
	struct reason_entry *reasons; /* owns the reason strings the skipped entries borrow */
	size_t n_reasons, cap_reasons;
	/* Index over reasons while loading (distinct reasons can be as many as bad rules, e.g.
	 * one per bad address): open addressing, slot = reason index + 1, seeded SipHash. */
	uint32_t *ridx;
	size_t ridx_cap;              /* power of two, > 2 * n_reasons */
	struct vg_hash_key hkey;
	char **files;                 /* interned file names */
	size_t n_files;
	struct class_entry *classes;
	size_t n_classes;
	struct ref_entry *refs;
	size_t n_refs;
	size_t duplicates;
	struct vg_rule_vars *vars;
};

static int grow(void **arr, size_t *cap, size_t need, size_t elsz)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 64;
	while (nc < need)
		nc *= 2;
	void *n = realloc(*arr, nc * elsz);
	if (!n)
		return VG_ENOMEM;
	*arr = n;
	*cap = nc;
	return 0;
}

static size_t ridx_slot(const struct vg_ruleset *rs, const char *reason)
{
	return (size_t)vg_siphash(&rs->hkey, reason, strlen(reason)) & (rs->ridx_cap - 1);
}

/* Index of reason in rs->reasons, or n_reasons when absent. */
static size_t find_reason(const struct vg_ruleset *rs, const char *reason)
{
	if (!rs->ridx_cap)
		return rs->n_reasons;
	for (size_t h = ridx_slot(rs, reason);; h = (h + 1) & (rs->ridx_cap - 1)) {
		uint32_t v = rs->ridx[h];
		if (!v)
			return rs->n_reasons;
		if (strcmp(rs->reasons[v - 1].reason, reason) == 0)
			return v - 1;
	}
}

static void ridx_put(struct vg_ruleset *rs, size_t ri)
{
	size_t h = ridx_slot(rs, rs->reasons[ri].reason);
	while (rs->ridx[h])
		h = (h + 1) & (rs->ridx_cap - 1);
	rs->ridx[h] = (uint32_t)(ri + 1);
}

/* Room for one more reason at load factor <= 1/2. */
static int ridx_grow(struct vg_ruleset *rs)
{
	if ((rs->n_reasons + 1) * 2 <= rs->ridx_cap)
		return 0;
	size_t nc = rs->ridx_cap ? rs->ridx_cap * 2 : 64;
	uint32_t *n = calloc(nc, sizeof(*n));
	if (!n)
		return VG_ENOMEM;
	free(rs->ridx);
	rs->ridx = n;
	rs->ridx_cap = nc;
	for (size_t i = 0; i < rs->n_reasons; i++)
		ridx_put(rs, i);
	return 0;
}

static int add_skipped(struct vg_ruleset *rs, const char *file, unsigned line, uint32_t sid,
		       const char *reason)
{
	size_t ri = find_reason(rs, reason);
	if (ri == rs->n_reasons) {
		if (ridx_grow(rs))
			return VG_ENOMEM;
		if (grow((void **)&rs->reasons, &rs->cap_reasons, rs->n_reasons + 1, sizeof(*rs->reasons)))
			return VG_ENOMEM;
		char *r = vg_memdup_str(reason, strlen(reason));
		if (!r)
			return VG_ENOMEM;
		rs->reasons[ri].reason = r;
		rs->reasons[ri].count = 0;
		rs->n_reasons++;
		ridx_put(rs, ri);
	}
	if (grow((void **)&rs->skipped, &rs->cap_skipped, rs->n_skipped + 1, sizeof(*rs->skipped)))
		return VG_ENOMEM;
	rs->reasons[ri].count++;
	struct vg_rule_skipped *s = &rs->skipped[rs->n_skipped++];
	s->file = file;
	s->line = line;
	s->sid = sid;
	s->reason = rs->reasons[ri].reason;
	return 0;
}

static const char *intern_file(struct vg_ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->n_files; i++)
		if (strcmp(rs->files[i], name) == 0)
			return rs->files[i];
	char **nf = realloc(rs->files, (rs->n_files + 1) * sizeof(*nf));
	if (!nf)
		return NULL;
	rs->files = nf;
	nf[rs->n_files] = vg_memdup_str(name, strlen(name));
	if (!nf[rs->n_files])
		return NULL;
	return nf[rs->n_files++];
}

/* Read a whole file up to max bytes. */
static int read_file(const char *path, size_t max, char **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return VG_EIO;
	struct vg_buf b;
	vg_buf_init(&b, max);
	char tmp[65536];
	int rc = 0;
	for (;;) {
		size_t n = fread(tmp, 1, sizeof(tmp), f);
		if (n && (rc = vg_buf_append(&b, tmp, n)))
			break;
		if (n < sizeof(tmp)) {
			if (ferror(f))
				rc = VG_EIO;
			break;
		}
	}
	fclose(f);
	if (rc) {
		vg_buf_free(&b);
		return rc == VG_ENOMEM ? VG_ERANGE : rc;
	}
	*outlen = b.len;
	*out = b.len ? vg_buf_steal(&b) : vg_memdup_str("", 0);
	vg_buf_free(&b);
	return *out ? 0 : VG_ENOMEM;
}

/* ------------------------------------------------------------------------------------ */
/* classification.config / reference.config                                              */

/* Returns 0, or the read error (the file's content is parsed leniently: bad lines are
 * ignored, like Suricata's warnings). */
static int load_classification(struct vg_ruleset *rs, const char *path)
{
	char *buf;
	size_t len;
	int rc = read_file(path, VG_RULESET_MAX_AUX_FILE, &buf, &len);
	if (rc)
		return rc;
	struct vg_str all = vg_str_make(buf, len);
	while (all.len) {
		long nl = vg_str_chr(all, '\n');
		struct vg_str line = vg_str_make(all.p, nl < 0 ? all.len : (size_t)nl);
		all = nl < 0 ? vg_str_make(all.p + all.len, 0)
			     : vg_str_make(all.p + nl + 1, all.len - (size_t)nl - 1);
		line = vg_str_trim(line);
		if (!vg_str_startswith(line, "config classification:"))
			continue;
		struct vg_str v = vg_str_trim(vg_str_make(line.p + 22, line.len - 22));
		long c1 = vg_str_chr(v, ',');
		if (c1 < 0)
			continue;
		struct vg_str name = vg_str_trim(vg_str_make(v.p, (size_t)c1));
		struct vg_str rest = vg_str_make(v.p + c1 + 1, v.len - (size_t)c1 - 1);
		/* the description may contain commas: the priority follows the last one */
		long c2 = -1;
		for (size_t i = rest.len; i-- > 0;)
			if (rest.p[i] == ',') {
				c2 = (long)i;
				break;
			}
		if (c2 < 0)
			continue;
		struct vg_str desc = vg_str_trim(vg_str_make(rest.p, (size_t)c2));
		struct vg_str prio = vg_str_trim(vg_str_make(rest.p + c2 + 1, rest.len - (size_t)c2 - 1));
		uint64_t p;
		if (vg_parse_u64(prio.p, prio.len, 255, &p) || !name.len)
			continue;
		struct class_entry *nc = realloc(rs->classes, (rs->n_classes + 1) * sizeof(*nc));
		if (!nc)
			break;
		rs->classes = nc;
		nc[rs->n_classes].name = vg_memdup_str(name.p, name.len);
		nc[rs->n_classes].desc = vg_memdup_str(desc.p, desc.len);
		nc[rs->n_classes].priority = (int)p;
		if (!nc[rs->n_classes].name || !nc[rs->n_classes].desc) {
			free(nc[rs->n_classes].name);
			free(nc[rs->n_classes].desc);
			break;
		}
		rs->n_classes++;
	}
	free(buf);
	return 0;
}

static int load_references(struct vg_ruleset *rs, const char *path)
{
	char *buf;
	size_t len;
	int rc = read_file(path, VG_RULESET_MAX_AUX_FILE, &buf, &len);
	if (rc)
		return rc;
	struct vg_str all = vg_str_make(buf, len);
	while (all.len) {
		long nl = vg_str_chr(all, '\n');
		struct vg_str line = vg_str_make(all.p, nl < 0 ? all.len : (size_t)nl);
		all = nl < 0 ? vg_str_make(all.p + all.len, 0)
			     : vg_str_make(all.p + nl + 1, all.len - (size_t)nl - 1);
		line = vg_str_trim(line);
		if (!vg_str_startswith(line, "config reference:"))
			continue;
		struct vg_str v = vg_str_trim(vg_str_make(line.p + 17, line.len - 17));
		size_t i = 0;
		while (i < v.len && v.p[i] != ' ' && v.p[i] != '\t')
			i++;
		struct vg_str name = vg_str_make(v.p, i);
		struct vg_str url = vg_str_trim(vg_str_make(v.p + i, v.len - i));
		if (!name.len || !url.len)
			continue;
		struct ref_entry *nr = realloc(rs->refs, (rs->n_refs + 1) * sizeof(*nr));
		if (!nr)
			break;
		rs->refs = nr;
		nr[rs->n_refs].name = vg_memdup_str(name.p, name.len);
		nr[rs->n_refs].url = vg_memdup_str(url.p, url.len);
		if (!nr[rs->n_refs].name || !nr[rs->n_refs].url) {
			free(nr[rs->n_refs].name);
			free(nr[rs->n_refs].url);
			break;
		}
		rs->n_refs++;
	}
	free(buf);
	return 0;
}

/* Classtypes ET Open uses that the Snort-era classification.config lacks; Suricata's own
 * classification.config ships them with these descriptions and priorities. Used only when the
 * loaded file does not define the name. */
static const struct {
	const char *name, *desc;
	int priority;
} builtin_classes[] = {
	{ "command-and-control", "Malware Command and Control Activity Detected", 1 },
	{ "exploit-kit", "Exploit Kit Activity Detected", 1 },
	{ "external-ip-check", "Device Retrieving External IP Address Detected", 2 },
	{ "domain-c2", "Domain Observed Used for C2 Detected", 1 },
	{ "pup-activity", "Possibly Unwanted Program Detected", 2 },
	{ "credential-theft", "Successful Credential Theft Detected", 1 },
	{ "social-engineering", "Possible Social Engineering Attempted", 2 },
	{ "coin-mining", "Crypto Currency Mining Activity Detected", 2 },
	{ "targeted-activity", "Targeted Malicious Activity was Detected", 1 },
};

static void add_builtin_classes(struct vg_ruleset *rs)
{
	for (size_t i = 0; i < sizeof(builtin_classes) / sizeof(builtin_classes[0]); i++) {
		bool have = false;
		for (size_t j = 0; j < rs->n_classes && !have; j++)
			have = strcmp(rs->classes[j].name, builtin_classes[i].name) == 0;
		if (have)
			continue;
		struct class_entry *nc = realloc(rs->classes, (rs->n_classes + 1) * sizeof(*nc));
		if (!nc)
			return;
		rs->classes = nc;
		nc[rs->n_classes].name = vg_memdup_str(builtin_classes[i].name, strlen(builtin_classes[i].name));
		nc[rs->n_classes].desc = vg_memdup_str(builtin_classes[i].desc, strlen(builtin_classes[i].desc));
		nc[rs->n_classes].priority = builtin_classes[i].priority;
		if (!nc[rs->n_classes].name || !nc[rs->n_classes].desc) {
			free(nc[rs->n_classes].name);
			free(nc[rs->n_classes].desc);
			return;
		}
		rs->n_classes++;
	}
}

static bool file_exists(const char *p)
{
	FILE *f = fopen(p, "rb");
	if (!f)
		return false;
	fclose(f);
	return true;
}

/* Find name next to the rule files (their dir, its parent), then under VIGIL_SHARED. */
static bool find_aux(const char *first_rule_file, const char *name, char *out, size_t outsz)
{
	char dir[4096];
	if (first_rule_file) {
		const char *slash = strrchr(first_rule_file, '/');
		if (slash)
			vg_strlcpy(dir, first_rule_file, (size_t)(slash - first_rule_file), sizeof(dir));
		else
			vg_strlcpy(dir, ".", 1, sizeof(dir));
		snprintf(out, outsz, "%s/%s", dir, name);
		if (file_exists(out))
			return true;
		snprintf(out, outsz, "%s/../%s", dir, name);
		if (file_exists(out))
			return true;
	}
	const char *sh = getenv("VIGIL_SHARED");
	if (sh && *sh) {
		snprintf(out, outsz, "%s/data/rules/%s", sh, name);
		if (file_exists(out))
			return true;
		snprintf(out, outsz, "%s/shared/data/rules/%s", sh, name);
		if (file_exists(out))
			return true;
	}
	return false;
}

static const struct class_entry *find_class(const struct vg_ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->n_classes; i++)
		if (strcmp(rs->classes[i].name, name) == 0)
			return &rs->classes[i];
	return NULL;
}

/* ------------------------------------------------------------------------------------ */
/* Loading                                                                               */

static int add_rule(struct vg_ruleset *rs, struct vg_rule *r)
{
	if (grow((void **)&rs->rules, &rs->cap_rules, rs->n_rules + 1, sizeof(*rs->rules)))
		return VG_ENOMEM;
	rs->rules[rs->n_rules++] = r;
	return 0;
}

/* One rule's text (continuations joined). */
static int load_one(struct vg_ruleset *rs, const char *file, unsigned line, const char *text,
		    size_t len)
{
	struct vg_rule *r;
	uint32_t sid;
	char reason[512];
	if (rs->n_rules + rs->n_skipped >= VG_RULESET_MAX_RULES)
		return VG_EFULL;
	int rc = vg_rule_parse(text, len, rs->vars, &r, &sid, reason, sizeof(reason));
	if (rc == VG_ENOMEM)
		return rc;
	if (rc) {
		if (!reason[0])
			snprintf(reason, sizeof(reason), "%s", vg_strerror(rc));
		return add_skipped(rs, file, line, sid, reason);
	}
	if (r->classtype) {
		const struct class_entry *ce = find_class(rs, r->classtype);
		if (!ce && rs->n_classes) {
			snprintf(reason, sizeof(reason), "unknown classtype '%s'", r->classtype);
			vg_rule_free(r);
			return add_skipped(rs, file, line, sid, reason);
		}
		if (ce) {
			r->class_desc = ce->desc;
			if (!r->priority)
				r->priority = ce->priority;
		}
	}
	if (!r->priority)
		r->priority = 3;
	for (size_t i = 0; i < r->n_refs; i++)
		for (size_t j = 0; j < rs->n_refs; j++)
			if (strcmp(rs->refs[j].name, r->refs[i].type) == 0)
				r->refs[i].url_prefix = rs->refs[j].url;
	r->file = vg_memdup_str(file, strlen(file));
	r->line = line;
	if (!r->file || add_rule(rs, r)) {
		vg_rule_free(r);
		return VG_ENOMEM;
	}
	return 0;
}

static int load_text(struct vg_ruleset *rs, const char *file, const char *buf, size_t len)
{
	struct vg_buf rule;
	vg_buf_init(&rule, VG_MAX_RULE_LEN + 1);
	unsigned lineno = 0, start = 0;
	bool too_long = false;
	int rc = 0;
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		struct vg_str line = vg_str_make(buf + pos, end - pos);
		pos = end + 1;
		lineno++;
		/* strip trailing CR / spaces */
		while (line.len && (line.p[line.len - 1] == '\r' || line.p[line.len - 1] == ' ' ||
				    line.p[line.len - 1] == '\t'))
			line.len--;
		bool cont = line.len && line.p[line.len - 1] == '\\';
		if (cont)
			line.len--;
		if (rule.len == 0 && !too_long) {
			struct vg_str t = vg_str_trim(line);
			if (t.len == 0 || t.p[0] == '#') {
				/* a comment or blank line; a continued comment continues the comment */
				while (cont && pos < len) {
					const char *n2 = memchr(buf + pos, '\n', len - pos);
					size_t e2 = n2 ? (size_t)(n2 - buf) : len;
					struct vg_str l2 = vg_str_make(buf + pos, e2 - pos);
					pos = e2 + 1;
					lineno++;
					while (l2.len && (l2.p[l2.len - 1] == '\r' || l2.p[l2.len - 1] == ' '))
						l2.len--;
					cont = l2.len && l2.p[l2.len - 1] == '\\';
				}
				continue;
			}
			start = lineno;
		}
		if (!too_long && vg_buf_append(&rule, line.p, line.len))
			too_long = true;
		if (cont && pos < len)
			continue;
		if (too_long) {
			uint32_t sid = 0;
			char reason[64];
			snprintf(reason, sizeof(reason), "rule longer than %u bytes", VG_MAX_RULE_LEN);
			rc = add_skipped(rs, file, start, sid, reason);
		} else {
			rc = load_one(rs, file, start, rule.data ? rule.data : "", rule.len);
		}
		vg_buf_reset(&rule);
		too_long = false;
		if (rc)
			break;
	}
	vg_buf_free(&rule);
	return rc;
}

struct dup_key {
	uint64_t key;
	size_t idx;
};
static int dup_cmp(const void *a, const void *b)
{
	const struct dup_key *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* Duplicate (gid, sid): keep the first loaded, skip the later ones. Sorting instead of a
 * hash table: no table an input can make degenerate. */
static int remove_duplicates(struct vg_ruleset *rs)
{
	if (rs->n_rules < 2)
		return 0;
	struct dup_key *k = malloc(rs->n_rules * sizeof(*k));
	bool *drop = calloc(rs->n_rules, sizeof(*drop));
	int rc = 0;
	if (!k || !drop) {
		rc = VG_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < rs->n_rules; i++) {
		k[i].key = (uint64_t)rs->rules[i]->gid << 32 | rs->rules[i]->sid;
		k[i].idx = i;
	}
	qsort(k, rs->n_rules, sizeof(*k), dup_cmp);
	for (size_t i = 1; i < rs->n_rules; i++)
		if (k[i].key == k[i - 1].key)
			drop[k[i].idx] = true;
	size_t o = 0;
	for (size_t i = 0; i < rs->n_rules; i++) {
		struct vg_rule *r = rs->rules[i];
		if (!drop[i]) {
			rs->rules[o++] = r;
			continue;
		}
		const char *f = intern_file(rs, r->file ? r->file : "");
		rc = f ? add_skipped(rs, f, r->line, r->sid, "duplicate sid") : VG_ENOMEM;
		rs->duplicates++;
		vg_rule_free(r);
		if (rc) {
			/* keep the set consistent: move the rest down */
			for (size_t j = i + 1; j < rs->n_rules; j++)
				rs->rules[o++] = rs->rules[j];
			break;
		}
	}
	rs->n_rules = o;
out:
	free(k);
	free(drop);
	return rc;
}

static int reason_cmp(const void *a, const void *b)
{
	const struct reason_entry *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->reason, y->reason);
}

/* After loading: duplicates out, reasons by descending count (sorting moves the entries,
 * not the strings the skipped list borrows). */
static int ruleset_finish(struct vg_ruleset *rs)
{
	int rc = remove_duplicates(rs);
	/* the index is for loading only: sorting moves the entries it points at */
	free(rs->ridx);
	rs->ridx = NULL;
	rs->ridx_cap = 0;
	if (rc == 0 && rs->n_reasons > 1)
		qsort(rs->reasons, rs->n_reasons, sizeof(*rs->reasons), reason_cmp);
	return rc;
}

static int ruleset_new(const struct vg_config *cfg, const char *first_file, struct vg_ruleset **out,
		       char *errmsg, size_t errsz)
{
	*out = NULL;
	struct vg_ruleset *rs = calloc(1, sizeof(*rs));
	if (!rs)
		return VG_ENOMEM;
	int rc = vg_hash_key_random(&rs->hkey);
	if (rc) {
		if (errmsg && errsz)
			snprintf(errmsg, errsz, "no randomness for the hash key");
		free(rs);
		return rc;
	}
	rc = vg_rule_vars_default(&rs->vars);
	if (rc == 0)
		rc = vg_rule_vars_from_config(rs->vars, cfg, errmsg, errsz);
	if (rc) {
		vg_ruleset_free(rs);
		return rc;
	}
	const char *cls = NULL, *ref = NULL;
	if (cfg) {
		struct vg_config_err e;
		if (vg_config_str(cfg, "rules.classification-file", NULL, 4096, &cls, &e) ||
		    vg_config_str(cfg, "rules.reference-config-file", NULL, 4096, &ref, &e)) {
			if (errmsg && errsz)
				snprintf(errmsg, errsz, "%s", e.msg);
			vg_ruleset_free(rs);
			return VG_EINVAL;
		}
	}
	/* A file named in the config must be readable; one found by looking around is used
	 * when it can be read. */
	char path[4096 + 64];
	const char *bad = NULL;
	if (cls && (rc = load_classification(rs, cls)))
		bad = cls;
	else if (!cls && find_aux(first_file, "classification.config", path, sizeof(path)))
		(void)load_classification(rs, path);
	if (rs->n_classes)
		add_builtin_classes(rs);
	if (!bad && ref && (rc = load_references(rs, ref)))
		bad = ref;
	else if (!ref && find_aux(first_file, "reference.config", path, sizeof(path)))
		(void)load_references(rs, path);
	if (bad) {
		if (errmsg && errsz)
			snprintf(errmsg, errsz, "%s: %s", bad,
				 rc == VG_EIO ? strerror(errno) : vg_strerror(rc));
		vg_ruleset_free(rs);
		return rc;
	}
	*out = rs;
	return 0;
}

int vg_ruleset_load_files(const char **paths, size_t n, const struct vg_config *cfg,
			  struct vg_ruleset **out, char *errmsg, size_t errsz)
{
	struct vg_ruleset *rs;
	*out = NULL;
	if (errmsg && errsz)
		errmsg[0] = '\0';
	int rc = ruleset_new(cfg, n ? paths[0] : NULL, &rs, errmsg, errsz);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		char *buf;
		size_t len;
		rc = read_file(paths[i], VG_RULESET_MAX_FILE, &buf, &len);
		if (rc) {
			if (errmsg && errsz)
				snprintf(errmsg, errsz, "%s: %s", paths[i],
					 rc == VG_EIO ? strerror(errno) : "file too large");
			vg_ruleset_free(rs);
			return rc;
		}
		const char *f = intern_file(rs, paths[i]);
		rc = f ? load_text(rs, f, buf, len) : VG_ENOMEM;
		free(buf);
		if (rc) {
			if (errmsg && errsz)
				snprintf(errmsg, errsz, "%s: %s", paths[i], vg_strerror(rc));
			vg_ruleset_free(rs);
			return rc;
		}
	}
	if ((rc = ruleset_finish(rs))) {
		vg_ruleset_free(rs);
		return rc;
	}
	*out = rs;
	return 0;
}

int vg_ruleset_load_buffer(const char *buf, size_t len, const char *name,
			   const struct vg_config *cfg, struct vg_ruleset **out, char *errmsg,
			   size_t errsz)
{
	struct vg_ruleset *rs;
	*out = NULL;
	if (errmsg && errsz)
		errmsg[0] = '\0';
	int rc = ruleset_new(cfg, NULL, &rs, errmsg, errsz);
	if (rc)
		return rc;
	const char *f = intern_file(rs, name ? name : "<buffer>");
	rc = f ? load_text(rs, f, buf, len) : VG_ENOMEM;
	if (rc == 0)
		rc = ruleset_finish(rs);
	if (rc) {
		if (errmsg && errsz)
			snprintf(errmsg, errsz, "%s: %s", name ? name : "<buffer>", vg_strerror(rc));
		vg_ruleset_free(rs);
		return rc;
	}
	*out = rs;
	return 0;
}

void vg_ruleset_free(struct vg_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n_rules; i++)
		vg_rule_free(rs->rules[i]);
	free(rs->rules);
	free(rs->skipped);
	for (size_t i = 0; i < rs->n_reasons; i++)
		free(rs->reasons[i].reason);
	free(rs->reasons);
	free(rs->ridx);
	for (size_t i = 0; i < rs->n_files; i++)
		free(rs->files[i]);
	free(rs->files);
	for (size_t i = 0; i < rs->n_classes; i++) {
		free(rs->classes[i].name);
		free(rs->classes[i].desc);
	}
	free(rs->classes);
	for (size_t i = 0; i < rs->n_refs; i++) {
		free(rs->refs[i].name);
		free(rs->refs[i].url);
	}
	free(rs->refs);
	vg_rule_vars_free(rs->vars);
	free(rs);
}

size_t vg_ruleset_count(const struct vg_ruleset *rs)
{
	return rs ? rs->n_rules : 0;
}

const struct vg_rule *vg_ruleset_get(const struct vg_ruleset *rs, size_t i)
{
	return rs && i < rs->n_rules ? rs->rules[i] : NULL;
}

size_t vg_ruleset_skipped_count(const struct vg_ruleset *rs)
{
	return rs ? rs->n_skipped : 0;
}

const struct vg_rule_skipped *vg_ruleset_skipped(const struct vg_ruleset *rs, size_t i)
{
	return rs && i < rs->n_skipped ? &rs->skipped[i] : NULL;
}

size_t vg_ruleset_duplicates(const struct vg_ruleset *rs)
{
	return rs ? rs->duplicates : 0;
}

size_t vg_ruleset_reason_count(const struct vg_ruleset *rs)
{
	return rs ? rs->n_reasons : 0;
}

void vg_ruleset_reason(const struct vg_ruleset *rs, size_t i, const char **reason, size_t *count)
{
	*reason = NULL;
	*count = 0;
	if (!rs || i >= rs->n_reasons)
		return;
	*reason = rs->reasons[i].reason;
	*count = rs->reasons[i].count;
}
