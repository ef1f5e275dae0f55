/* core-tenant.h — tenants and the networks they own; packet → tenant attribution.
 *
 * A tenants file (or a "tenants:" list inside vigil.yaml):
 *     tenants:
 *       - name: acme                 # required, unique, ≤ VG_MAX_NAME bytes
 *         id: 4f1c...                # optional opaque id (OpenStack project id)
 *         networks:
 *           - 192.168.10.0/24                      # unscoped: any VNI/VLAN, or none
 *           - { cidr: 192.168.10.0/24, vni: 1001 } # only inside VXLAN/Geneve VNI 1001
 *           - { cidr: 10.20.0.0/16, vlan: 100 }    # only on VLAN 100
 *
 * Lookup: networks scoped to the packet's VNI first, then those scoped to its VLAN,
 * then unscoped ones; within each scope the longest prefix wins. No match: NULL (the
 * provider's own scope). Two tenants may own the same prefix in different scopes; the
 * same prefix in the same scope for two tenants is an error (listed twice by one tenant
 * is accepted). Lookup probes one keyed hash table per prefix length present in the
 * scope, so its cost is bounded by the number of distinct prefix lengths (≤ 33 / 129). */
#ifndef VG_CORE_TENANT_H
#define VG_CORE_TENANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core-addr.h"
#include "core/core-config.h"

struct vg_tenant {
	const char *name;   /* owned by the table */
	const char *id;     /* optional; NULL when absent */
	uint32_t index;     /* position in the file, 0-based */
	int line;           /* line of the tenant's entry */
	uint32_t n_networks;
};

struct vg_tenants;

/* Load a tenants file (a map with one key "tenants", a list). *out: caller frees with
 * vg_tenants_free(); NULL on error with err naming file:line:key. */
int vg_tenants_load(const char *path, struct vg_tenants **out, struct vg_config_err *err);
int vg_tenants_load_string(const char *buf, size_t len, const char *name, struct vg_tenants **out,
			   struct vg_config_err *err);
/* From a "tenants" list node of an already-loaded config (borrowed; strings are copied). */
int vg_tenants_from_node(const struct vg_cfg_node *list, struct vg_tenants **out,
			 struct vg_config_err *err);
void vg_tenants_free(struct vg_tenants *t); /* NULL-safe */

/* Attribution of one packet/flow. vlan 0 means none; t may be NULL (→ NULL).
 * Result is borrowed until vg_tenants_free(). */
const struct vg_tenant *vg_tenants_lookup(const struct vg_tenants *t, bool has_vni, uint32_t vni,
					  uint16_t vlan, const struct vg_addr *a);

size_t vg_tenants_count(const struct vg_tenants *t);
const struct vg_tenant *vg_tenants_at(const struct vg_tenants *t, size_t i);
const struct vg_tenant *vg_tenants_find(const struct vg_tenants *t, const char *name);
/* Networks loaded in total (all tenants). */
size_t vg_tenants_network_count(const struct vg_tenants *t);

#endif
