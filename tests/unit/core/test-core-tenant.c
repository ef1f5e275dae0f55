/* Tenants: same range on two VNIs, longest prefix, VLAN scope, IPv6, unscoped fallback,
 * duplicates and bad input rejected with file:line, and the shipped lab file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-error.h"
#include "core/core-tenant.h"
#include "core/limits.h"

static const char lab[] =
	"tenants:\n"
	"  - name: tenant-a\n"
	"    id: 4f1c0a\n"
	"    networks:\n"
	"      - { cidr: 192.168.10.0/24, vni: 1001 }\n"
	"      - { cidr: 192.168.10.128/25, vni: 1003 }\n"
	"  - name: tenant-b\n"
	"    networks:\n"
	"      - { cidr: 192.168.10.0/24, vni: 1002 }\n"
	"      - { cidr: 10.20.0.0/16, vlan: 100 }\n"
	"  - name: lab\n"
	"    networks:\n"
	"      - 10.0.0.0/8\n"
	"      - 10.99.0.0/24\n"
	"      - fd00:99::/64\n"
	"  - name: small\n"
	"    networks:\n"
	"      - 10.99.0.4/30\n"
	"      - { cidr: 192.168.10.0/26, vni: 1003 }\n"
	"      - 2001:db8::/32\n"
	"  - name: host\n"
	"    networks: [ 10.99.0.5/32, \"2001:db8:1::1\" ]\n"
	"  - name: empty\n";

static struct vg_tenants *load(const char *text)
{
	struct vg_tenants *t = NULL;
	struct vg_config_err err;
	int rc = vg_tenants_load_string(text, strlen(text), "tenants.yaml", &t, &err);
	if (rc)
		fail_msg("%s", err.msg);
	return t;
}

static const char *who(const struct vg_tenants *t, bool has_vni, uint32_t vni, uint16_t vlan, const char *ip)
{
	struct vg_addr a;
	assert_int_equal(vg_addr_parse(ip, strlen(ip), &a), 0);
	const struct vg_tenant *r = vg_tenants_lookup(t, has_vni, vni, vlan, &a);
	return r ? r->name : "(provider)";
}

static void test_lookup(void **state)
{
	(void)state;
	struct vg_tenants *t = load(lab);
	assert_int_equal(vg_tenants_count(t), 6);
	assert_int_equal(vg_tenants_network_count(t), 12);
	/* same range, two VNIs */
	assert_string_equal(who(t, true, 1001, 0, "192.168.10.1"), "tenant-a");
	assert_string_equal(who(t, true, 1002, 0, "192.168.10.1"), "tenant-b");
	/* VNI with no match for that address falls back to unscoped, then provider */
	assert_string_equal(who(t, true, 1009, 0, "192.168.10.1"), "(provider)");
	assert_string_equal(who(t, false, 0, 0, "192.168.10.1"), "(provider)");
	assert_string_equal(who(t, true, 1001, 0, "10.99.0.2"), "lab");
	/* longest prefix within a scope */
	assert_string_equal(who(t, true, 1003, 0, "192.168.10.200"), "tenant-a"); /* /25 */
	assert_string_equal(who(t, true, 1003, 0, "192.168.10.10"), "small");    /* /26 */
	assert_string_equal(who(t, true, 1003, 0, "192.168.10.100"), "(provider)");
	assert_string_equal(who(t, false, 0, 0, "10.99.0.2"), "lab");    /* /24 over /8 */
	assert_string_equal(who(t, false, 0, 0, "10.99.0.6"), "small");  /* /30 */
	assert_string_equal(who(t, false, 0, 0, "10.99.0.5"), "host");   /* /32 */
	assert_string_equal(who(t, false, 0, 0, "10.1.2.3"), "lab");     /* /8 */
	assert_string_equal(who(t, false, 0, 0, "11.1.2.3"), "(provider)");
	/* VLAN scope */
	assert_string_equal(who(t, false, 0, 100, "10.20.1.1"), "tenant-b");
	assert_string_equal(who(t, false, 0, 101, "10.20.1.1"), "lab");  /* unscoped /8 */
	assert_string_equal(who(t, false, 0, 0, "10.20.1.1"), "lab");
	/* VNI scope is tried before VLAN scope, both before unscoped */
	assert_string_equal(who(t, true, 7, 100, "10.20.1.1"), "tenant-b");
	/* IPv6 */
	assert_string_equal(who(t, false, 0, 0, "fd00:99::2"), "lab");
	assert_string_equal(who(t, false, 0, 0, "fd00:99:0:1::2"), "(provider)");
	assert_string_equal(who(t, false, 0, 0, "2001:db8:5::1"), "small");
	assert_string_equal(who(t, false, 0, 0, "2001:db8:1::1"), "host");
	assert_string_equal(who(t, false, 0, 0, "2001:db8:1::2"), "small");
	/* v4 and v6 never mix: ::ffff:10.99.0.2 is not 10.99.0.2 */
	assert_string_equal(who(t, false, 0, 0, "::ffff:10.99.0.2"), "(provider)");
	/* metadata */
	const struct vg_tenant *a = vg_tenants_find(t, "tenant-a");
	assert_non_null(a);
	assert_string_equal(a->id, "4f1c0a");
	assert_int_equal(a->line, 2);
	assert_int_equal(a->n_networks, 2);
	assert_null(vg_tenants_find(t, "nobody"));
	assert_null(vg_tenants_find(t, "empty")->id);
	assert_ptr_equal(vg_tenants_at(t, 1), vg_tenants_find(t, "tenant-b"));
	assert_null(vg_tenants_at(t, 6));
	/* NULL table / no address */
	struct vg_addr none = { 0 };
	assert_null(vg_tenants_lookup(NULL, false, 0, 0, &none));
	assert_null(vg_tenants_lookup(t, false, 0, 0, &none));
	vg_tenants_free(t);
	vg_tenants_free(NULL);
}

static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int rc, line;
		const char *needle;
	} bad[] = {
		{ "tenants:\n  - name: a\n    networks: [10.0.0.0/8]\n  - name: b\n    networks:\n      - 10.0.0.0/8\n",
		  VG_EEXIST, 6, "already belongs to tenant 'a' (line 3)" },
		{ "tenants:\n  - name: a\n    networks: [{cidr: 10.0.0.0/8, vni: 5}]\n  - name: b\n"
		  "    networks: [{cidr: 10.1.0.0/8, vni: 5}]\n", VG_EEXIST, 5, "already belongs" },
		{ "tenants:\n  - name: a\n  - name: a\n", VG_EEXIST, 3, "duplicate tenant name 'a'" },
		{ "tenants:\n  - name: a\n    networks:\n      - 10.0.0.0/33\n", VG_EINVAL, 4,
		  "tenants[0].networks[0]: expected a CIDR like 10.0.0.0/8, got '10.0.0.0/33'" },
		{ "tenants:\n  - name: a\n    networks:\n      - { cidr: bogus }\n", VG_EINVAL, 4, "got 'bogus'" },
		{ "tenants:\n  - name: a\n    networks:\n      - { cidr: 1.2.3.0/24, vni: 16777216 }\n",
		  VG_ERANGE, 4, "vni: 16777216 is out of range" },
		{ "tenants:\n  - name: a\n    networks:\n      - { cidr: 1.2.3.0/24, vlan: 0 }\n", VG_ERANGE, 4,
		  "vlan" },
		{ "tenants:\n  - name: a\n    networks:\n      - { cidr: 1.2.3.0/24, vlan: 1, vni: 2 }\n",
		  VG_EINVAL, 4, "not both" },
		{ "tenants:\n  - name: a\n    networks:\n      - { cdir: 1.2.3.0/24 }\n", VG_EINVAL, 4,
		  "unknown key" },
		{ "tenants:\n  - id: x\n", VG_EINVAL, 2, "needs a 'name'" },
		{ "tenants:\n  - name: a\n    nets: []\n", VG_EINVAL, 3, "unknown key" },
		{ "tenants:\n  - name: a\n    networks: 10.0.0.0/8\n", VG_EINVAL, 3, "list of networks" },
		{ "tenants: x\n", VG_EINVAL, 1, "list of tenants" },
		{ "tenant:\n  - name: a\n", VG_EINVAL, 1, "unknown key 'tenant' (did you mean 'tenants'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vg_tenants *t = (struct vg_tenants *)1;
		struct vg_config_err err;
		memset(&err, 0, sizeof(err));
		int rc = vg_tenants_load_string(bad[i].text, strlen(bad[i].text), "tenants.yaml", &t, &err);
		if (rc != bad[i].rc || err.line != bad[i].line || !strstr(err.msg, bad[i].needle))
			fail_msg("case %zu: rc %d line %d msg '%s'", i, rc, err.line, err.msg);
		assert_null(t);
		assert_int_equal(strncmp(err.msg, "tenants.yaml:", 13), 0);
	}
	/* the same tenant listing a network twice is accepted */
	struct vg_tenants *t = load("tenants:\n  - name: a\n    networks: [10.0.0.0/8, 10.1.2.3/8]\n");
	assert_int_equal(vg_tenants_network_count(t), 1);
	vg_tenants_free(t);
	/* an empty file is no tenants */
	t = load("");
	assert_int_equal(vg_tenants_count(t), 0);
	vg_tenants_free(t);
}

static void test_shipped_lab_file(void **state)
{
	(void)state;
	const char *src = getenv("VIGIL_SRC");
	if (!src)
		skip();
	char path[1024];
	snprintf(path, sizeof(path), "%s/etc/tenants-lab.yaml", src);
	struct vg_tenants *t;
	struct vg_config_err err;
	if (vg_tenants_load(path, &t, &err))
		fail_msg("%s", err.msg);
	/* /work/shared/data/lab/README.md: two tenants reuse 192.168.10.0/24 on VNI 1001/1002 */
	assert_string_equal(who(t, true, 1001, 0, "192.168.10.1"), "tenant-a");
	assert_string_equal(who(t, true, 1002, 0, "192.168.10.2"), "tenant-b");
	assert_string_equal(who(t, false, 0, 0, "10.99.0.1"), "lab");
	assert_string_equal(who(t, false, 0, 0, "fd00:99::2"), "lab");
	/* the hypervisors' underlay is the provider's */
	assert_string_equal(who(t, false, 0, 0, "10.98.0.1"), "(provider)");
	vg_tenants_free(t);
}

static void test_many(void **state)
{
	(void)state;
	/* 2000 tenants with a /24 each under one unscoped /8: LPM over a larger table. */
	struct vg_buf b;
	vg_buf_init(&b, 0);
	vg_buf_appendc(&b, "tenants:\n  - name: big\n    networks: [10.0.0.0/8]\n");
	for (unsigned i = 0; i < 2000; i++)
		vg_buf_printf(&b, "  - name: t%u\n    networks: [10.%u.%u.0/24]\n", i, i / 256, i % 256);
	struct vg_tenants *t = load(vg_buf_cstr(&b));
	assert_int_equal(vg_tenants_count(t), 2001);
	char ip[32], name[16];
	for (unsigned i = 0; i < 2000; i += 37) {
		snprintf(ip, sizeof(ip), "10.%u.%u.9", i / 256, i % 256);
		snprintf(name, sizeof(name), "t%u", i);
		assert_string_equal(who(t, false, 0, 0, ip), name);
	}
	assert_string_equal(who(t, false, 0, 0, "10.200.0.1"), "big");
	vg_tenants_free(t);
	vg_buf_free(&b);
}

static void test_caps(void **state)
{
	(void)state;
	/* one tenant more than VG_MAX_TENANTS is refused with the list's line */
	struct vg_buf b;
	vg_buf_init(&b, 0);
	vg_buf_appendc(&b, "tenants:\n");
	for (unsigned i = 0; i <= VG_MAX_TENANTS; i++)
		vg_buf_printf(&b, "- name: t%u\n", i);
	struct vg_tenants *t;
	struct vg_config_err err;
	assert_int_equal(vg_tenants_load_string(b.data, b.len, "big.yaml", &t, &err), VG_ERANGE);
	assert_non_null(strstr(err.msg, "big.yaml:2: tenants: more than 65536 tenants"));
	/* exactly VG_MAX_TENANTS is accepted, and a late duplicate name is still found */
	vg_buf_reset(&b);
	vg_buf_appendc(&b, "tenants:\n");
	for (unsigned i = 0; i < VG_MAX_TENANTS; i++)
		vg_buf_printf(&b, "- name: t%u\n", i == VG_MAX_TENANTS - 1 ? 17 : i);
	assert_int_equal(vg_tenants_load_string(b.data, b.len, "big.yaml", &t, &err), VG_EEXIST);
	assert_int_equal(err.line, (int)VG_MAX_TENANTS + 1);
	assert_non_null(strstr(err.msg, "duplicate tenant name 't17' (first at line 19)"));
	vg_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_shipped_lab_file),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
