/* YAML config loader: tree and line numbers, typed access with bounds and file:line
 * errors, clamping on request, unknown keys, hostile YAML (aliases, depth, size). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/core-config.h"
#include "core/core-error.h"
#include "core/limits.h"

static struct vg_config *load(const char *text)
{
	struct vg_config *cfg = NULL;
	struct vg_config_err err;
	int rc = vg_config_load_string(text, strlen(text), "vigil.yaml", &cfg, &err);
	if (rc)
		fprintf(stderr, "unexpected: %s\n", err.msg);
	assert_int_equal(rc, VG_OK);
	assert_non_null(cfg);
	return cfg;
}

static const char doc[] =
	"# comment\n"
	"flow:\n"
	"  memcap: 64m\n"
	"  timeout: 5m\n"
	"  max: 1000\n"
	"  ratio: 0.25\n"
	"  enabled: yes\n"
	"bad:\n"
	"  size: lots\n"
	"  num: -3\n"
	"  big: 99999999999999999999999\n"
	"  dur: 3 fortnights\n"
	"  flag: maybe\n"
	"  map: {a: 1}\n"
	"  quoted_null: \"~\"\n"
	"  nul: \"a\\0b\"\n"
	"rules:\n"
	"  files: [a.rules, b.rules]\n"
	"  empty: ~\n"
	"name: vigil\n";

static void test_typed_ok(void **state)
{
	(void)state;
	struct vg_config *cfg = load(doc);
	uint64_t u;
	int64_t d;
	double x;
	bool b;
	const char *s;
	assert_int_equal(vg_config_size(cfg, "flow.memcap", 1, 0, UINT64_MAX, 0, &u, NULL), 0);
	assert_int_equal(u, 64ull << 20);
	assert_int_equal(vg_config_duration(cfg, "flow.timeout", 0, 0, INT64_MAX, 0, &d, NULL), 0);
	assert_int_equal(d, 300ll * 1000000);
	assert_int_equal(vg_config_u64(cfg, "flow.max", 0, 0, 5000, 0, &u, NULL), 0);
	assert_int_equal(u, 1000);
	assert_int_equal(vg_config_double(cfg, "flow.ratio", 0, 0, 1, 0, &x, NULL), 0);
	assert_true(x > 0.2499 && x < 0.2501);
	assert_int_equal(vg_config_bool(cfg, "flow.enabled", false, &b, NULL), 0);
	assert_true(b);
	assert_int_equal(vg_config_str(cfg, "name", NULL, 0, &s, NULL), 0);
	assert_string_equal(s, "vigil");
	/* quoted "~" is a string, not null */
	assert_int_equal(vg_config_str(cfg, "bad.quoted_null", NULL, 0, &s, NULL), 0);
	assert_string_equal(s, "~");
	/* absent and null → default */
	assert_int_equal(vg_config_u64(cfg, "flow.nothere", 42, 0, 10, 0, &u, NULL), 0);
	assert_int_equal(u, 42);
	size_t n;
	assert_int_equal(vg_config_seq_len(cfg, "rules.empty", &n, NULL), 0);
	assert_int_equal(n, 0);
	assert_int_equal(vg_config_seq_len(cfg, "rules.files", &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_int_equal(vg_config_seq_str(cfg, "rules.files", 1, &s, NULL), 0);
	assert_string_equal(s, "b.rules");
	assert_int_equal(vg_config_seq_str(cfg, "rules.files", 2, &s, NULL), VG_ENOENT);
	/* NULL config: defaults (zero-config start) */
	assert_int_equal(vg_config_u64(NULL, "flow.max", 7, 0, 10, 0, &u, NULL), 0);
	assert_int_equal(u, 7);
	/* line numbers */
	assert_int_equal(vg_cfg_get(vg_config_root(cfg), "flow.memcap")->line, 3);
	assert_int_equal(vg_cfg_get(vg_config_root(cfg), "name")->line, 20);
	vg_config_free(cfg);
}

static void test_typed_errors(void **state)
{
	(void)state;
	struct vg_config *cfg = load(doc);
	struct vg_config_err err;
	uint64_t u;
	int64_t d;
	bool b;
	const char *s;
	size_t n;
	assert_int_equal(vg_config_size(cfg, "bad.size", 1, 0, UINT64_MAX, 0, &u, &err), VG_EINVAL);
	assert_string_equal(err.msg, "vigil.yaml:9: bad.size: expected a size like 256m, got 'lots'");
	assert_int_equal(err.line, 9);
	assert_string_equal(err.key, "bad.size");
	assert_string_equal(err.file, "vigil.yaml");
	assert_int_equal(vg_config_u64(cfg, "bad.num", 0, 0, 10, 0, &u, &err), VG_EINVAL);
	assert_int_equal(err.line, 10);
	assert_int_equal(vg_config_u64(cfg, "bad.big", 0, 0, UINT64_MAX, 0, &u, &err), VG_ERANGE);
	assert_int_equal(vg_config_duration(cfg, "bad.dur", 0, 0, INT64_MAX, 0, &d, &err), VG_EINVAL);
	assert_non_null(strstr(err.msg, "vigil.yaml:12: bad.dur: expected a duration"));
	assert_int_equal(vg_config_bool(cfg, "bad.flag", false, &b, &err), VG_EINVAL);
	assert_int_equal(err.line, 13);
	assert_int_equal(vg_config_u64(cfg, "bad.map", 0, 0, 10, 0, &u, &err), VG_EINVAL);
	assert_non_null(strstr(err.msg, "got a map"));
	assert_int_equal(vg_config_str(cfg, "bad.nul", NULL, 0, &s, &err), VG_EINVAL);
	assert_int_equal(vg_config_seq_len(cfg, "flow", &n, &err), VG_EINVAL);
	/* out of range is an error by default ... */
	assert_int_equal(vg_config_u64(cfg, "flow.max", 0, 0, 500, 0, &u, &err), VG_ERANGE);
	assert_int_equal(err.line, 5);
	assert_non_null(strstr(err.msg, "out of range [0, 500]"));
	assert_int_equal(vg_config_size(cfg, "flow.memcap", 0, 0, 1 << 20, 0, &u, &err), VG_ERANGE);
	/* ... and clamped when asked */
	assert_int_equal(vg_config_u64(cfg, "flow.max", 0, 0, 500, VG_CFG_CLAMP, &u, &err), 0);
	assert_int_equal(u, 500);
	assert_int_equal(vg_config_u64(cfg, "flow.max", 0, 2000, 5000, VG_CFG_CLAMP, &u, &err), 0);
	assert_int_equal(u, 2000);
	assert_int_equal(vg_config_duration(cfg, "flow.timeout", 0, 0, 60000000, VG_CFG_CLAMP, &d, &err), 0);
	assert_int_equal(d, 60000000);
	assert_int_equal(vg_config_duration(cfg, "flow.timeout", 0, 0, 60000000, 0, &d, &err), VG_ERANGE);
	vg_config_free(cfg);
}

static void test_durations(void **state)
{
	(void)state;
	struct vg_config *cfg = load("a: 30s\nb: 250ms\nc: 1h\nd: 2d\ne: 45\nf: 100us\ng: 1.5s\nh: s\n");
	static const struct {
		const char *k;
		int64_t us;
	} ok[] = { { "a", 30000000 }, { "b", 250000 }, { "c", 3600000000LL },
		   { "d", 172800000000LL }, { "e", 45000000 }, { "f", 100 } };
	int64_t d;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(vg_config_duration(cfg, ok[i].k, 0, 0, INT64_MAX, 0, &d, NULL), 0);
		assert_int_equal(d, ok[i].us);
	}
	assert_int_equal(vg_config_duration(cfg, "g", 0, 0, INT64_MAX, 0, &d, NULL), VG_EINVAL);
	assert_int_equal(vg_config_duration(cfg, "h", 0, 0, INT64_MAX, 0, &d, NULL), VG_EINVAL);
	vg_config_free(cfg);
}

static void test_load_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int rc, line;
		const char *needle;
	} bad[] = {
		{ "a: 1\na: 2\n", VG_EINVAL, 2, "duplicate key 'a'" },
		{ "x:\n  y: 1\n  y: 2\n", VG_EINVAL, 3, "duplicate key 'x.y'" },
		{ "a: &x 1\nb: *x\n", VG_ENOTSUP, 2, "aliases" },
		{ "a: [1, 2\nb: 3\n", VG_EINVAL, 0, "YAML syntax" },
		{ "- 1\n- 2\n", VG_EINVAL, 1, "top level must be a map" },
		{ "just a string\n", VG_EINVAL, 1, "top level must be a map" },
		{ "a: 1\n---\nb: 2\n", VG_EINVAL, 2, "more than one YAML document" },
		{ "a.b: 1\n", VG_EINVAL, 1, "invalid key" },
		{ "? [1, 2]\n: x\n", VG_EINVAL, 1, "map key must be a plain string" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vg_config *cfg = (struct vg_config *)1;
		struct vg_config_err err;
		int rc = vg_config_load_string(bad[i].text, strlen(bad[i].text), "t.yaml", &cfg, &err);
		assert_int_equal(rc, bad[i].rc);
		assert_null(cfg);
		if (bad[i].line)
			assert_int_equal(err.line, bad[i].line);
		if (!strstr(err.msg, bad[i].needle))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].needle);
		assert_int_equal(strncmp(err.msg, "t.yaml:", 7), 0);
	}
	/* empty documents are an empty config */
	static const char *empty[] = { "", "# nothing\n", "~\n", "---\n" };
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		struct vg_config *cfg;
		assert_int_equal(vg_config_load_string(empty[i], strlen(empty[i]), "e", &cfg, NULL), 0);
		assert_int_equal(cfg->root->n_children, 0);
		vg_config_free(cfg);
	}
}

static void test_depth_and_size(void **state)
{
	(void)state;
	char buf[512];
	size_t n = 0;
	/* depth exactly at the limit is accepted, one more is refused */
	for (unsigned d = 0; d < VG_MAX_YAML_DEPTH - 1; d++)
		buf[n++] = '[';
	for (unsigned d = 0; d < VG_MAX_YAML_DEPTH - 1; d++)
		buf[n++] = ']';
	struct vg_config *cfg;
	char doc2[600];
	snprintf(doc2, sizeof(doc2), "a: %.*s\n", (int)n, buf);
	assert_int_equal(vg_config_load_string(doc2, strlen(doc2), "d", &cfg, NULL), 0);
	vg_config_free(cfg);
	snprintf(doc2, sizeof(doc2), "a: [%.*s]\n", (int)n, buf);
	struct vg_config_err err;
	assert_int_equal(vg_config_load_string(doc2, strlen(doc2), "d", &cfg, &err), VG_ERANGE);
	assert_non_null(strstr(err.msg, "nesting deeper"));
	/* size */
	size_t big = VG_MAX_CONFIG_BYTES + 1;
	char *b = malloc(big);
	assert_non_null(b);
	memset(b, '#', big);
	assert_int_equal(vg_config_load_string(b, big, "big", &cfg, &err), VG_ERANGE);
	free(b);
	/* missing file */
	assert_int_equal(vg_config_load("/nonexistent/vigil.yaml", &cfg, &err), VG_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent/vigil.yaml"));
}

static void test_unknown_keys(void **state)
{
	(void)state;
	struct vg_config *cfg = load("flow:\n  memcap: 1m\n  memcpa: 2m\n"
				     "rules:\n  files:\n    - path: a\n      enabled: true\n    - pth: b\n"
				     "outputs:\n  eve: {file: x, anything: y}\n"
				     "whole:\n  a: 1\n"
				     "bogus: 1\n");
	static const char *const known[] = { "flow.memcap", "flow.timeout", "rules.files.path",
					     "rules.files.enabled", "outputs.*", "whole", NULL };
	struct vg_buf rep;
	vg_buf_init(&rep, 0);
	struct vg_config_err first;
	int n = vg_config_check_known(cfg, known, &rep, &first);
	assert_int_equal(n, 3);
	const char *r = vg_buf_cstr(&rep);
	assert_non_null(strstr(r, "vigil.yaml:3: unknown key 'flow.memcpa' (did you mean 'flow.memcap'?)"));
	assert_non_null(strstr(r, "vigil.yaml:8: unknown key 'rules.files.pth'"));
	assert_non_null(strstr(r, "vigil.yaml:13: unknown key 'bogus'"));
	assert_null(strstr(r, "outputs"));
	assert_null(strstr(r, "whole"));
	assert_int_equal(first.line, 3);
	assert_string_equal(first.key, "flow.memcpa");
	vg_buf_free(&rep);
	/* a clean config reports nothing */
	struct vg_config *ok = load("flow:\n  memcap: 1m\n");
	assert_int_equal(vg_config_check_known(ok, known, NULL, NULL), 0);
	vg_config_free(ok);
	vg_config_free(cfg);
}

static void test_iterate_seq_of_maps(void **state)
{
	(void)state;
	struct vg_config *cfg = load("items:\n  - name: a\n    n: 1\n  - name: b\n    n: x\n");
	const struct vg_cfg_node *seq = vg_cfg_get(vg_config_root(cfg), "items");
	assert_non_null(seq);
	assert_int_equal(seq->kind, VG_CFG_SEQ);
	const char *names[2];
	size_t i = 0;
	struct vg_config_err err;
	for (const struct vg_cfg_node *it = vg_cfg_first(seq); it; it = vg_cfg_next(it), i++) {
		assert_int_equal(vg_cfg_str(it, "name", NULL, 0, &names[i], NULL), 0);
		uint64_t v;
		int rc = vg_cfg_u64(it, "n", 0, 0, 10, 0, &v, &err);
		if (i == 1) {
			assert_int_equal(rc, VG_EINVAL);
			assert_string_equal(err.msg, "vigil.yaml:5: items[1].n: expected a whole number like 1000, got 'x'");
		}
	}
	assert_int_equal(i, 2);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "b");
	assert_ptr_equal(vg_cfg_seq_at(seq, 1), vg_cfg_next(vg_cfg_first(seq)));
	vg_config_free(cfg);
	vg_config_free(NULL);
}

static void test_shipped_config(void **state)
{
	(void)state;
	const char *src = getenv("VIGIL_SRC");
	if (!src)
		skip();
	char path[1024];
	snprintf(path, sizeof(path), "%s/etc/vigil.yaml", src);
	struct vg_config *cfg;
	struct vg_config_err err;
	int rc = vg_config_load(path, &cfg, &err);
	if (rc)
		fail_msg("%s", err.msg);
	vg_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typed_ok),
		cmocka_unit_test(test_typed_errors),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_depth_and_size),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_iterate_seq_of_maps),
		cmocka_unit_test(test_shipped_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
