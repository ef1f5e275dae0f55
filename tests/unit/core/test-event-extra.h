/* test-event-extra.h — for unit tests that look at alerts: an event's extra members
 * (the jansson extra and the members written as JSON text, extra_json) as one sorted
 * compact JSON text, so a test compares them whichever way the code wrote them. */
#ifndef VG_TEST_EVENT_EXTRA_H
#define VG_TEST_EVENT_EXTRA_H

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/core-event.h"

/* An alert's extra members as sorted compact JSON (owned; NULL when it has none): the
 * jansson extra and the members the engine wrote as text (extra_json), merged. */
static inline char *alert_extra_json(const struct vg_event *ev)
{
	if (!ev->extra && !ev->extra_json_len)
		return NULL;
	json_t *o = ev->extra ? json_deep_copy(ev->extra) : json_object();
	if (o && ev->extra_json_len) {
		size_t n = ev->extra_json_len + 2;
		char *t = malloc(n);
		json_t *m = NULL;
		if (t) {
			t[0] = '{';
			memcpy(t + 1, ev->extra_json, ev->extra_json_len);
			t[n - 1] = '}';
			m = json_loadb(t, n, 0, NULL);
			free(t);
		}
		if (!m) { /* not valid JSON text: fail the comparison visibly */
			json_decref(o);
			return strdup("invalid extra_json");
		}
		json_object_update(o, m);
		json_decref(m);
	}
	char *j = o ? json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
	json_decref(o);
	return j;
}

#endif
