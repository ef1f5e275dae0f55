/* fuzz-tenants.c — the tenants file loader on arbitrary bytes, then lookups of a few
 * addresses in every scope. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/core-tenant.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vg_tenants *t;
	struct vg_config_err err;
	if (vg_tenants_load_string((const char *)data, size, "fuzz.yaml", &t, &err) != 0)
		return 0;
	static const char *const ips[] = { "10.0.0.1", "192.168.10.1", "0.0.0.0", "255.255.255.255",
					   "fd00:99::1", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" };
	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
		struct vg_addr a;
		if (vg_addr_parse(ips[i], strlen(ips[i]), &a) != 0)
			continue;
		vg_tenants_lookup(t, false, 0, 0, &a);
		vg_tenants_lookup(t, true, 1001, 0, &a);
		vg_tenants_lookup(t, false, 0, 100, &a);
		vg_tenants_lookup(t, true, 0xffffff, 4094, &a);
	}
	for (size_t i = 0; i < vg_tenants_count(t); i++)
		vg_tenants_find(t, vg_tenants_at(t, i)->name);
	vg_tenants_free(t);
	return 0;
}
