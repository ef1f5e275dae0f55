/* core-tenant.c — tenants file loader and (scope, address) → tenant longest-prefix match.
 *
 * All networks live in one open-addressing hash table keyed by (scope kind, scope id,
 * family, prefix length, masked address) with a random SipHash key. For each scope kind
 * and family a bitmap records which prefix lengths occur; a lookup masks the address to
 * each present length, longest first, and probes. That is O(distinct prefix lengths),
 * memory O(networks), and no pathological trie shapes. */
#include "core/core-tenant.h"

#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"
#include "core/core-hash.h"
#include "core/limits.h"

enum scope_kind { SCOPE_NONE = 0, SCOPE_VNI = 1, SCOPE_VLAN = 2, SCOPE_KINDS = 3 };

/* Packed hash key: zeroed before filling so padding never differs. */
struct net_key {
	uint32_t scope_id;
	uint8_t scope_kind;
	uint8_t family;
	uint8_t plen;
	uint8_t pad;
	uint8_t addr[16];
};

struct net_slot {
	struct net_key key;
	uint32_t tenant_plus1; /* 0 = empty slot */
	int line;
};

struct vg_tenants {
	struct vg_tenant *tenants;
	size_t n_tenants;
	uint32_t *by_name;     /* tenant indexes sorted by name, for vg_tenants_find() */
	struct net_slot *slots;
	size_t cap;            /* power of two */
	size_t n_nets;
	struct vg_hash_key hkey;
	uint64_t plens[SCOPE_KINDS][2][3]; /* [scope][v4=0/v6=1] bitmap of 129 bits */
};

static void mask_addr(uint8_t *dst, const uint8_t *src, unsigned plen)
{
	memset(dst, 0, 16);
	unsigned full = plen / 8, rem = plen % 8;
	memcpy(dst, src, full);
	if (rem)
		dst[full] = (uint8_t)(src[full] & (0xffu << (8 - rem)));
}

static size_t probe_start(const struct vg_tenants *t, const struct net_key *k)
{
	return (size_t)vg_siphash(&t->hkey, k, sizeof(*k)) & (t->cap - 1);
}

static struct net_slot *find_slot(const struct vg_tenants *t, const struct net_key *k)
{
	size_t i = probe_start(t, k);
	for (;;) {
		struct net_slot *s = &t->slots[i];
		if (!s->tenant_plus1 || memcmp(&s->key, k, sizeof(*k)) == 0)
			return s;
		i = (i + 1) & (t->cap - 1);
	}
}

void vg_tenants_free(struct vg_tenants *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_tenants; i++) {
		free((char *)t->tenants[i].name);
		free((char *)t->tenants[i].id);
	}
	free(t->tenants);
	free(t->by_name);
	free(t->slots);
	free(t);
}

static int add_net(struct vg_tenants *t, const struct vg_cfg_node *at, uint32_t tenant, enum scope_kind sk,
		   uint32_t scope_id, const struct vg_cidr *c, struct vg_config_err *err)
{
	struct net_key k;
	memset(&k, 0, sizeof(k));
	k.scope_kind = (uint8_t)sk;
	k.scope_id = scope_id;
	k.family = c->addr.family;
	k.plen = c->prefix;
	mask_addr(k.addr, c->addr.b, c->prefix);
	struct net_slot *s = find_slot(t, &k);
	if (s->tenant_plus1) {
		if (s->tenant_plus1 == tenant + 1)
			return 0; /* the same tenant listing a network twice is harmless */
		return vg_cfg_error(at, err, VG_EEXIST,
				    "network already belongs to tenant '%s' (line %d) in the same scope",
				    t->tenants[s->tenant_plus1 - 1].name, s->line);
	}
	s->key = k;
	s->tenant_plus1 = tenant + 1;
	s->line = at->line;
	t->n_nets++;
	t->tenants[tenant].n_networks++;
	unsigned fam = c->addr.family == VG_AF_INET ? 0 : 1;
	t->plens[sk][fam][c->prefix / 64] |= 1ull << (c->prefix % 64);
	return 0;
}

static int parse_cidr(const struct vg_cfg_node *n, struct vg_cidr *c, struct vg_config_err *err)
{
	if (n->kind != VG_CFG_SCALAR || vg_cidr_parse(n->value, n->value_len, c) != 0) {
		if (n->kind != VG_CFG_SCALAR)
			return vg_cfg_error(n, err, VG_EINVAL, "expected a CIDR like 10.0.0.0/8");
		char q[48];
		size_t i;
		for (i = 0; i < n->value_len && i < sizeof(q) - 1; i++)
			q[i] = (n->value[i] >= 0x20 && n->value[i] < 0x7f) ? n->value[i] : '?';
		q[i] = 0;
		return vg_cfg_error(n, err, VG_EINVAL, "expected a CIDR like 10.0.0.0/8, got '%s'", q);
	}
	return 0;
}

static int load_network(struct vg_tenants *t, uint32_t ti, const struct vg_cfg_node *n,
			struct vg_config_err *err)
{
	struct vg_cidr c;
	int rc;
	if (n->kind == VG_CFG_SCALAR) {
		rc = parse_cidr(n, &c, err);
		return rc ? rc : add_net(t, n, ti, SCOPE_NONE, 0, &c, err);
	}
	if (n->kind != VG_CFG_MAP)
		return vg_cfg_error(n, err, VG_EINVAL, "expected a CIDR or {cidr: ..., vni: ...}");
	for (const struct vg_cfg_node *k = vg_cfg_first(n); k; k = vg_cfg_next(k))
		if (strcmp(k->key, "cidr") && strcmp(k->key, "vni") && strcmp(k->key, "vlan"))
			return vg_cfg_error(k, err, VG_EINVAL, "unknown key (expected cidr, vni or vlan)");
	const struct vg_cfg_node *cn = vg_cfg_get(n, "cidr");
	if (!cn)
		return vg_cfg_error(n, err, VG_EINVAL, "a network needs 'cidr'");
	rc = parse_cidr(cn, &c, err);
	if (rc)
		return rc;
	bool has_vni = vg_cfg_get(n, "vni") != NULL, has_vlan = vg_cfg_get(n, "vlan") != NULL;
	if (has_vni && has_vlan)
		return vg_cfg_error(n, err, VG_EINVAL, "a network is scoped by vni or vlan, not both");
	uint64_t v = 0;
	if (has_vni) {
		/* VXLAN/Geneve VNIs are 24 bits. */
		rc = vg_cfg_u64(n, "vni", 0, 0, 0xffffff, 0, &v, err);
		return rc ? rc : add_net(t, cn, ti, SCOPE_VNI, (uint32_t)v, &c, err);
	}
	if (has_vlan) {
		rc = vg_cfg_u64(n, "vlan", 0, 1, 4094, 0, &v, err);
		return rc ? rc : add_net(t, cn, ti, SCOPE_VLAN, (uint32_t)v, &c, err);
	}
	return add_net(t, cn, ti, SCOPE_NONE, 0, &c, err);
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s);
	char *d = malloc(n + 1);
	if (d)
		memcpy(d, s, n + 1);
	return d;
}

static int cmp_by_name(const void *a, const void *b, void *ctx)
{
	const struct vg_tenants *t = ctx;
	uint32_t ia = *(const uint32_t *)a, ib = *(const uint32_t *)b;
	int c = strcmp(t->tenants[ia].name, t->tenants[ib].name);
	return c ? c : (ia > ib) - (ia < ib);
}

int vg_tenants_from_node(const struct vg_cfg_node *list, struct vg_tenants **out, struct vg_config_err *err)
{
	*out = NULL;
	int rc = VG_ENOMEM;
	const struct vg_cfg_node **name_nodes = NULL;
	struct vg_tenants *t = calloc(1, sizeof(*t));
	if (!t)
		return VG_ENOMEM;
	if (vg_hash_key_random(&t->hkey) != 0) {
		rc = VG_EIO;
		goto fail;
	}
	if (list && list->kind != VG_CFG_SEQ) {
		rc = vg_cfg_error(list, err, VG_EINVAL, "expected a list of tenants (- name: ...)");
		goto fail;
	}
	size_t nt = list ? list->n_children : 0, nn = 0;
	if (nt > VG_MAX_TENANTS) {
		rc = vg_cfg_error(list, err, VG_ERANGE, "more than %u tenants", VG_MAX_TENANTS);
		goto fail;
	}
	/* Size the table from the number of network entries (at most half full). */
	for (const struct vg_cfg_node *e = vg_cfg_first(list); e; e = vg_cfg_next(e)) {
		const struct vg_cfg_node *nets = vg_cfg_get(e, "networks");
		if (e->kind == VG_CFG_MAP && nets && nets->kind == VG_CFG_SEQ)
			nn += nets->n_children;
	}
	if (nn > VG_MAX_TENANT_NETWORKS) {
		rc = vg_cfg_error(list, err, VG_ERANGE, "more than %u networks", VG_MAX_TENANT_NETWORKS);
		goto fail;
	}
	t->cap = 16;
	while (t->cap < nn * 2)
		t->cap *= 2;
	t->slots = calloc(t->cap, sizeof(*t->slots));
	t->tenants = calloc(nt ? nt : 1, sizeof(*t->tenants));
	t->by_name = calloc(nt ? nt : 1, sizeof(*t->by_name));
	name_nodes = calloc(nt ? nt : 1, sizeof(*name_nodes));
	if (!t->slots || !t->tenants || !t->by_name || !name_nodes)
		goto fail;
	for (const struct vg_cfg_node *e = vg_cfg_first(list); e; e = vg_cfg_next(e)) {
		if (e->kind != VG_CFG_MAP) {
			rc = vg_cfg_error(e, err, VG_EINVAL, "expected a tenant (name: ..., networks: ...)");
			goto fail;
		}
		for (const struct vg_cfg_node *k = vg_cfg_first(e); k; k = vg_cfg_next(k)) {
			if (strcmp(k->key, "name") && strcmp(k->key, "id") && strcmp(k->key, "networks")) {
				rc = vg_cfg_error(k, err, VG_EINVAL,
						  "unknown key (expected name, id or networks)");
				goto fail;
			}
		}
		const char *name, *id;
		if ((rc = vg_cfg_str(e, "name", NULL, VG_MAX_NAME - 1, &name, err)) != 0)
			goto fail;
		if (!name || !*name) {
			rc = vg_cfg_error(e, err, VG_EINVAL, "a tenant needs a 'name'");
			goto fail;
		}
		if ((rc = vg_cfg_str(e, "id", NULL, VG_MAX_NAME - 1, &id, err)) != 0)
			goto fail;
		uint32_t ti = (uint32_t)t->n_tenants;
		struct vg_tenant *tn = &t->tenants[ti];
		name_nodes[ti] = vg_cfg_get(e, "name");
		t->by_name[ti] = ti;
		tn->index = ti;
		tn->line = e->line;
		tn->name = dup_str(name);
		tn->id = id ? dup_str(id) : NULL;
		t->n_tenants++;
		if (!tn->name || (id && !tn->id)) {
			rc = VG_ENOMEM;
			goto fail;
		}
		const struct vg_cfg_node *nets = vg_cfg_get(e, "networks");
		if (nets && !vg_cfg_is_null(nets) && nets->kind != VG_CFG_SEQ) {
			rc = vg_cfg_error(nets, err, VG_EINVAL, "expected a list of networks");
			goto fail;
		}
		for (const struct vg_cfg_node *n = vg_cfg_first(nets); n; n = vg_cfg_next(n))
			if ((rc = load_network(t, ti, n, err)) != 0)
				goto fail;
	}
	/* Sort by name (stable on index), then a duplicate is a neighbour: O(n log n). */
	qsort_r(t->by_name, t->n_tenants, sizeof(*t->by_name), cmp_by_name, t);
	for (size_t i = 1; i < t->n_tenants; i++) {
		uint32_t a = t->by_name[i - 1], b = t->by_name[i];
		if (strcmp(t->tenants[a].name, t->tenants[b].name) == 0) {
			uint32_t later = a > b ? a : b;
			rc = vg_cfg_error(name_nodes[later], err, VG_EEXIST,
					  "duplicate tenant name '%s' (first at line %d)", t->tenants[later].name,
					  name_nodes[a < b ? a : b]->line);
			goto fail;
		}
	}
	free(name_nodes);
	*out = t;
	return 0;
fail:
	free(name_nodes);
	vg_tenants_free(t);
	return rc;
}

static int from_config(struct vg_config *cfg, int rc, struct vg_tenants **out, struct vg_config_err *err)
{
	if (rc)
		return rc;
	static const char *const known[] = { "tenants.*", NULL };
	if (vg_config_check_known(cfg, known, NULL, err) > 0) {
		vg_config_free(cfg);
		return VG_EINVAL;
	}
	rc = vg_tenants_from_node(vg_cfg_get(vg_config_root(cfg), "tenants"), out, err);
	vg_config_free(cfg);
	return rc;
}

int vg_tenants_load(const char *path, struct vg_tenants **out, struct vg_config_err *err)
{
	*out = NULL;
	struct vg_config *cfg;
	int rc = vg_config_load(path, &cfg, err);
	return from_config(cfg, rc, out, err);
}

int vg_tenants_load_string(const char *buf, size_t len, const char *name, struct vg_tenants **out,
			   struct vg_config_err *err)
{
	*out = NULL;
	struct vg_config *cfg;
	int rc = vg_config_load_string(buf, len, name, &cfg, err);
	return from_config(cfg, rc, out, err);
}

static const struct vg_tenant *lookup_scope(const struct vg_tenants *t, enum scope_kind sk, uint32_t id,
					    const struct vg_addr *a)
{
	unsigned fam = a->family == VG_AF_INET ? 0 : 1;
	int maxp = fam ? 128 : 32;
	const uint64_t *bm = t->plens[sk][fam];
	struct net_key k;
	memset(&k, 0, sizeof(k));
	k.scope_kind = (uint8_t)sk;
	k.scope_id = id;
	k.family = a->family;
	for (int p = maxp; p >= 0; p--) {
		if (!(bm[p / 64] & (1ull << (p % 64))))
			continue;
		k.plen = (uint8_t)p;
		mask_addr(k.addr, a->b, (unsigned)p);
		const struct net_slot *s = find_slot(t, &k);
		if (s->tenant_plus1)
			return &t->tenants[s->tenant_plus1 - 1];
	}
	return NULL;
}

const struct vg_tenant *vg_tenants_lookup(const struct vg_tenants *t, bool has_vni, uint32_t vni,
					  uint16_t vlan, const struct vg_addr *a)
{
	if (!t || !a || (a->family != VG_AF_INET && a->family != VG_AF_INET6) || !t->n_nets)
		return NULL;
	const struct vg_tenant *r = NULL;
	if (has_vni)
		r = lookup_scope(t, SCOPE_VNI, vni, a);
	if (!r && vlan)
		r = lookup_scope(t, SCOPE_VLAN, vlan, a);
	if (!r)
		r = lookup_scope(t, SCOPE_NONE, 0, a);
	return r;
}

size_t vg_tenants_count(const struct vg_tenants *t)
{
	return t ? t->n_tenants : 0;
}

const struct vg_tenant *vg_tenants_at(const struct vg_tenants *t, size_t i)
{
	return t && i < t->n_tenants ? &t->tenants[i] : NULL;
}

const struct vg_tenant *vg_tenants_find(const struct vg_tenants *t, const char *name)
{
	if (!t || !name)
		return NULL;
	size_t lo = 0, hi = t->n_tenants;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->tenants[t->by_name[mid]].name, name);
		if (c == 0)
			return &t->tenants[t->by_name[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t vg_tenants_network_count(const struct vg_tenants *t)
{
	return t ? t->n_nets : 0;
}
