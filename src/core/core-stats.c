/* core-stats.c — the process-wide counter registry: names, atomic values, JSON and
 * text dumps. */
#include "core/core-stats.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"

_Atomic uint64_t vg_stats_values_[VG_STATS_MAX];

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static char g_names[VG_STATS_MAX][VG_STATS_NAME_MAX + 1];
static _Atomic uint32_t g_count = 1; /* next free id; 0 is never used */

static bool valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > VG_STATS_NAME_MAX || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
			return false;
		}
	}
	return true;
}

/* True when a is a whole-component prefix of b ("flow" of "flow.evicted"). */
static bool component_prefix(const char *a, const char *b)
{
	size_t n = strlen(a);
	return strncmp(a, b, n) == 0 && b[n] == '.';
}

static vg_stat_id find_locked(const char *name)
{
	uint32_t n = atomic_load(&g_count);
	for (uint32_t i = 1; i < n; i++)
		if (strcmp(g_names[i], name) == 0)
			return i;
	return 0;
}

int vg_stats_register(const char *name, vg_stat_id *id)
{
	*id = 0;
	if (!name || !valid_name(name))
		return VG_EINVAL;
	int rc = 0;
	pthread_mutex_lock(&g_lock);
	vg_stat_id found = find_locked(name);
	if (found) {
		*id = found;
		goto out;
	}
	uint32_t n = atomic_load(&g_count);
	for (uint32_t i = 1; i < n; i++) {
		if (component_prefix(g_names[i], name) || component_prefix(name, g_names[i])) {
			rc = VG_EEXIST;
			goto out;
		}
	}
	if (n >= VG_STATS_MAX) {
		rc = VG_EFULL;
		goto out;
	}
	vg_strlcpy(g_names[n], name, strlen(name), sizeof(g_names[n]));
	atomic_store(&vg_stats_values_[n], 0);
	atomic_store(&g_count, n + 1);
	*id = n;
out:
	pthread_mutex_unlock(&g_lock);
	return rc;
}

int vg_stats_find(const char *name, vg_stat_id *id)
{
	pthread_mutex_lock(&g_lock);
	*id = name ? find_locked(name) : 0;
	pthread_mutex_unlock(&g_lock);
	return *id ? 0 : VG_ENOENT;
}

uint64_t vg_stats_get(vg_stat_id id)
{
	return id < VG_STATS_MAX ? atomic_load_explicit(&vg_stats_values_[id], memory_order_relaxed) : 0;
}

size_t vg_stats_count(void)
{
	return atomic_load(&g_count) - 1;
}

const char *vg_stats_name(vg_stat_id id)
{
	return id >= 1 && id < atomic_load(&g_count) ? g_names[id] : NULL;
}

void vg_stats_reset(void)
{
	for (uint32_t i = 0; i < VG_STATS_MAX; i++)
		atomic_store(&vg_stats_values_[i], 0);
}

void vg_stats_clear(void)
{
	pthread_mutex_lock(&g_lock);
	vg_stats_reset();
	memset(g_names, 0, sizeof(g_names));
	atomic_store(&g_count, 1);
	pthread_mutex_unlock(&g_lock);
}

json_t *vg_stats_to_jansson(void)
{
	json_t *root = json_object();
	if (!root)
		return NULL;
	uint32_t n = atomic_load(&g_count);
	for (uint32_t i = 1; i < n; i++) {
		/* Walk/create one object per component; the last one holds the value. */
		json_t *obj = root;
		const char *p = g_names[i];
		char comp[VG_STATS_NAME_MAX + 1];
		for (;;) {
			const char *dot = strchr(p, '.');
			size_t len = dot ? (size_t)(dot - p) : strlen(p);
			memcpy(comp, p, len);
			comp[len] = 0;
			if (!dot) {
				if (json_object_set_new(obj, comp, json_integer((json_int_t)vg_stats_get(i))))
					goto fail;
				break;
			}
			json_t *child = json_object_get(obj, comp);
			if (!child) {
				child = json_object();
				if (!child || json_object_set_new(obj, comp, child))
					goto fail;
			}
			obj = child;
			p = dot + 1;
		}
	}
	return root;
fail:
	json_decref(root);
	return NULL;
}

int vg_stats_to_json(struct vg_buf *out)
{
	json_t *j = vg_stats_to_jansson();
	if (!j)
		return VG_ENOMEM;
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (!s)
		return VG_ENOMEM;
	int rc = vg_buf_appendc(out, s);
	free(s);
	return rc;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(g_names[*(const uint32_t *)a], g_names[*(const uint32_t *)b]);
}

int vg_stats_format(struct vg_buf *out, bool all)
{
	static uint32_t order[VG_STATS_MAX];
	int rc = 0;
	pthread_mutex_lock(&g_lock); /* also guards the static order array */
	uint32_t n = atomic_load(&g_count), k = 0;
	size_t width = 0;
	for (uint32_t i = 1; i < n; i++) {
		if (!all && vg_stats_get(i) == 0)
			continue;
		order[k++] = i;
		size_t l = strlen(g_names[i]);
		if (l > width)
			width = l;
	}
	qsort(order, k, sizeof(order[0]), cmp_name);
	for (uint32_t i = 0; i < k && rc == 0; i++)
		rc = vg_buf_printf(out, "%-*s  %llu\n", (int)width, g_names[order[i]],
				   (unsigned long long)vg_stats_get(order[i]));
	pthread_mutex_unlock(&g_lock);
	return rc;
}
