/* core-stats.h — named 64-bit counters ("decoder.ipv4.trunc_pkt", "flow.evicted").
 *
 * One process-wide registry of fixed capacity. A subsystem registers its counters once
 * at start-up (registration takes a lock; the same name returns the same id) and then
 * counts with vg_stats_add(id, n): an array index and a relaxed atomic add, safe from
 * any thread. Id 0 is never handed out, so a counter whose registration failed (or was
 * never done) counts into nothing instead of crashing.
 *
 * Names are dotted paths of [a-z0-9_] components, ≤ VG_STATS_NAME_MAX bytes. A name may
 * not be both a counter and a prefix of another ("flow" and "flow.evicted"), because
 * the JSON form nests by component as EVE stats records do:
 *     {"decoder": {"ipv4": {"trunc_pkt": 3}}, "flow": {"evicted": 0}} */
#ifndef VG_CORE_STATS_H
#define VG_CORE_STATS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core-str.h"

typedef struct json_t json_t;

#define VG_STATS_MAX       4096u  /* counters in the registry (ids 1..VG_STATS_MAX-1) */
#define VG_STATS_NAME_MAX  96u

typedef uint32_t vg_stat_id;

/* Register (or find) a counter. 0, VG_EINVAL (bad name), VG_EEXIST (name clashes with a
 * prefix of another counter, or the other way round), VG_EFULL. *id 0 on error. */
int vg_stats_register(const char *name, vg_stat_id *id);
/* Id of a registered name, or VG_ENOENT. */
int vg_stats_find(const char *name, vg_stat_id *id);

extern _Atomic uint64_t vg_stats_values_[VG_STATS_MAX];

static inline void vg_stats_add(vg_stat_id id, uint64_t n)
{
	if (id < VG_STATS_MAX)
		atomic_fetch_add_explicit(&vg_stats_values_[id], n, memory_order_relaxed);
}
static inline void vg_stats_inc(vg_stat_id id) { vg_stats_add(id, 1); }
static inline void vg_stats_set(vg_stat_id id, uint64_t v) /* gauges: memory in use, ... */
{
	if (id < VG_STATS_MAX)
		atomic_store_explicit(&vg_stats_values_[id], v, memory_order_relaxed);
}
uint64_t vg_stats_get(vg_stat_id id);
size_t vg_stats_count(void);                 /* counters registered */
const char *vg_stats_name(vg_stat_id id);    /* NULL when not registered */

/* Zero every value (registrations kept). */
void vg_stats_reset(void);
/* Forget every registration too (tests only: ids held elsewhere become stale). */
void vg_stats_clear(void);

/* Nested JSON object of all counters (zeros included, so a reader sees every counter).
 * New reference, caller decrefs; NULL on allocation failure. */
json_t *vg_stats_to_jansson(void);
/* The same, compact, appended to out. */
int vg_stats_to_json(struct vg_buf *out);
/* Human listing: one "name  value" line per counter, names padded to one column,
 * sorted by name; only non-zero counters unless all. */
int vg_stats_format(struct vg_buf *out, bool all);

#endif
