/* logs-queue.h — the bounded queue between receivers and the processing thread.
 *
 * Receivers (one thread) push copies of lines; the pipeline thread pops them. The queue is
 * bounded in items and in bytes; nothing that does not fit is ever silent:
 *   - vg_logq_push(..., VG_LOGQ_DROP) drops the line when full and counts it in `dropped`
 *     (UDP: the sender cannot be slowed down);
 *   - vg_logq_push(..., VG_LOGQ_WAIT) refuses it with VG_EFULL and counts `full`; the caller
 *     keeps the line and stops reading its source until there is room (TCP, TLS, files:
 *     backpressure instead of loss).
 * A line longer than max_line is stored truncated and counted in `truncated`.
 * Slots keep their buffers, so a steady stream does not allocate. */
#ifndef VG_LOGS_QUEUE_H
#define VG_LOGS_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

struct vg_logq;

struct vg_logq_stats {
	uint64_t pushed;     /* lines accepted */
	uint64_t popped;
	uint64_t dropped;    /* refused under VG_LOGQ_DROP: lost, and counted */
	uint64_t full;       /* refused under VG_LOGQ_WAIT: kept by the producer, retried */
	uint64_t truncated;  /* longer than max_line, stored truncated */
	uint64_t nomem;      /* allocation failed: dropped and counted */
	uint64_t high_water; /* most items queued at once */
	uint64_t items, bytes; /* queued now */
};

/* One popped line. Owned by the caller; initialise with zeros, release with
 * vg_logq_msg_free(). vg_logq_pop() swaps buffers with the queue, so reuse one msg. */
struct vg_logq_msg {
	char *line;          /* NUL-terminated, len bytes */
	size_t len, cap;
	char source[VG_MAX_NAME]; /* receiver or file it came from, NUL-terminated */
	int64_t recv_us;     /* wall-clock time of reception */
	unsigned flags;      /* VG_LOGQ_F_* */
};
#define VG_LOGQ_F_TRUNCATED 0x1u /* truncated by framing or by the queue */

enum vg_logq_policy { VG_LOGQ_DROP = 0, VG_LOGQ_WAIT = 1 };

/* max_items / max_bytes: 0 → VG_LOGQ_DEFAULT_*, clamped to VG_LOGQ_MAX_*; max_line 0 →
 * VG_MAX_LINE. Returns NULL on allocation failure. Caller frees with vg_logq_free(). */
struct vg_logq *vg_logq_new(size_t max_items, size_t max_bytes, size_t max_line);
void vg_logq_free(struct vg_logq *q); /* NULL-safe; queued lines are discarded */

/* Copy a line in (line need not be NUL-terminated; source may be NULL). flags: VG_LOGQ_F_*
 * already known (framing truncated it). Returns 0, VG_EFULL (see policy), VG_ENOMEM
 * (dropped, counted) or VG_ESTATE (queue closed; dropped, counted). Thread-safe. */
int vg_logq_push(struct vg_logq *q, const char *line, size_t len, const char *source,
		 int64_t recv_us, unsigned flags, enum vg_logq_policy policy);

/* Take the oldest line into *m, waiting up to timeout_ms (-1: forever). Returns 0,
 * VG_EAGAIN (timed out), VG_ESTATE (closed and empty: the consumer is done). */
int vg_logq_pop(struct vg_logq *q, struct vg_logq_msg *m, int timeout_ms);

/* No more pushes; pop drains what is queued, then returns VG_ESTATE. */
void vg_logq_close(struct vg_logq *q);

/* True when a push of len bytes would fit now (a hint for producers that backpressure). */
bool vg_logq_has_room(struct vg_logq *q, size_t len);

void vg_logq_stats(struct vg_logq *q, struct vg_logq_stats *out);
void vg_logq_msg_free(struct vg_logq_msg *m); /* NULL-safe */

#endif
