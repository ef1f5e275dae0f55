/* vg_jw_json writes jansson values itself (no json_dumps) when it can: the bytes must
 * be exactly json_dumps(JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER)'s, for
 * random trees of objects, arrays, strings (controls, quotes, backslashes, UTF-8,
 * NUL), integers (extremes), booleans and null; values it leaves to jansson (reals,
 * deep nesting, invalid UTF-8) go the old way, with the old result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "core/core-error.h"
#include "core/core-json.h"
#include "core/core-str.h"

static uint32_t rng = 2463534242u;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static size_t rnd_text(char *buf, size_t max)
{
	static const char *const pieces[] = { "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\b",
					      "\f", "\r", "\x01", "\x1f", "\x7f", "\xc3\xa9",
					      "\xe2\x82\xac", "\xf0\x9f\x98\x80", "{", "}", ":", ",",
					      "user.name", "\xe2\x80\xa8" };
	size_t n = 0, k = rnd() % 12;
	for (size_t i = 0; i < k; i++) {
		const char *p = pieces[rnd() % (sizeof(pieces) / sizeof(pieces[0]))];
		size_t l = strlen(p);
		if (n + l >= max)
			break;
		memcpy(buf + n, p, l);
		n += l;
	}
	if (rnd() % 16 == 0 && n + 1 < max)
		buf[n++] = '\0'; /* embedded NUL (json_stringn) */
	buf[n] = '\0';
	return n;
}

static json_t *rnd_value(unsigned depth, bool reals)
{
	char buf[128];
	unsigned k = rnd() % (depth > 5 ? 6 : 9);
	switch (k) {
	case 0: return json_true();
	case 1: return json_false();
	case 2: return json_null();
	case 3: {
		static const json_int_t ints[] = { 0, 1, -1, 9, 10, -10, 1234567, INT64_MAX, INT64_MIN };
		return json_integer(rnd() % 2 ? ints[rnd() % 9] : (json_int_t)(int32_t)rnd());
	}
	case 4:
	case 5: {
		size_t n = rnd_text(buf, sizeof(buf));
		return json_stringn(buf, n);
	}
	case 6:
		if (reals)
			return json_real((double)(int32_t)rnd() / 7.0);
		return json_integer(42);
	case 7: {
		json_t *a = json_array();
		unsigned n = rnd() % 5;
		for (unsigned i = 0; i < n; i++)
			json_array_append_new(a, rnd_value(depth + 1, reals));
		return a;
	}
	default: {
		json_t *o = json_object();
		unsigned n = rnd() % 6;
		for (unsigned i = 0; i < n; i++) {
			size_t l = rnd_text(buf, sizeof(buf));
			json_object_setn_new(o, buf, l, rnd_value(depth + 1, reals));
		}
		/* a key set again keeps its place; a deleted one leaves a gap */
		if (n && rnd() % 3 == 0)
			json_object_set_new(o, "user.name", json_integer(7));
		if (rnd() % 4 == 0)
			json_object_del(o, "user.name");
		return o;
	}
	}
}

/* vg_jw_json's bytes for v, as the only value of an array: "[...]" → "..." */
static char *via_jw(const json_t *v, int *err)
{
	struct vg_buf b;
	vg_buf_init(&b, 0);
	struct vg_jw w;
	vg_jw_init(&w, &b);
	vg_jw_arr_open(&w, NULL);
	vg_jw_json(&w, NULL, v);
	vg_jw_arr_close(&w);
	*err = vg_jw_finish(&w);
	char *s = NULL;
	if (!*err) { /* "[" value "]" */
		s = malloc(b.len - 1);
		assert_non_null(s);
		memcpy(s, b.data + 1, b.len - 2);
		s[b.len - 2] = '\0';
	}
	vg_buf_free(&b);
	return s;
}

static void check(const json_t *v)
{
	int err;
	char *a = via_jw(v, &err);
	char *b = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	if (!b) {
		assert_int_equal(err, VG_ENOMEM);
		assert_null(a);
		return;
	}
	assert_int_equal(err, 0);
	assert_non_null(a);
	if (strcmp(a, b) != 0)
		fail_msg("jw:    %s\njansson: %s", a, b);
	free(a);
	free(b);
}

static void test_random_trees_as_jansson(void **state)
{
	(void)state;
	for (int i = 0; i < 20000; i++) {
		json_t *v = rnd_value(0, i % 10 == 0);
		check(v);
		json_decref(v);
	}
}

static void test_fallbacks(void **state)
{
	(void)state;
	/* reals: jansson's formatting */
	json_t *v = json_pack("{s:f, s:[f, i]}", "x", 0.1, "y", 1e300, 3);
	check(v);
	json_decref(v);
	/* deeper than the direct writer goes */
	json_t *deep = json_array();
	json_t *cur = deep;
	for (int i = 0; i < 60; i++) {
		json_t *n = json_array();
		json_array_append_new(cur, n);
		cur = n;
	}
	json_array_append_new(cur, json_string("bottom"));
	check(deep);
	json_decref(deep);
	/* invalid UTF-8 slipped in without a check: json_dumps fails, so does vg_jw_json */
	json_t *bad = json_object();
	json_object_set_new_nocheck(bad, "k", json_stringn_nocheck("\xff\xfe", 2));
	check(bad);
	json_decref(bad);
	/* long strings and many members: the writer's buffer fills and flushes */
	char *big = malloc(9000);
	assert_non_null(big);
	for (int i = 0; i < 8999; i++)
		big[i] = "ab\"\\\n\x01" "c\xc3\xa9"[i % 9];
	big[8999] = '\0';
	big[8998] = 'x'; /* no cut UTF-8 sequence at the end */
	big[8997] = 'x';
	json_t *large = json_object();
	json_t *bigs = json_string(big);
	assert_non_null(bigs);
	assert_true(json_string_length(bigs) == 8999);
	json_object_set_new(large, "big", bigs);
	for (int i = 0; i < 300; i++) {
		char k[16];
		snprintf(k, sizeof(k), "k%d", i);
		json_object_set_new(large, k, json_stringn(big, (size_t)i * 7 % 3000));
	}
	check(large);
	json_decref(large);
	free(big);
	json_t *badkey = json_object();
	json_object_set_new_nocheck(badkey, "\xc3\x28", json_true());
	check(badkey);
	json_decref(badkey);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_trees_as_jansson),
		cmocka_unit_test(test_fallbacks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
