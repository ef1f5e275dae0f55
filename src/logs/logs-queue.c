/* logs-queue.c — bounded, counted line queue between the receiving thread and the
 * pipeline thread (mutex + condition variable; one allocation per line, handed over to the
 * consumer). Policies and counters: see logs-queue.h. */
#include "logs/logs-queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core-error.h"
#include "core/core-str.h"

struct slot {
	char *buf;        /* line, NUL, source, NUL */
	uint32_t len;     /* line length */
	uint32_t srclen;
	unsigned flags;
	int64_t recv_us;
};

struct vg_logq {
	pthread_mutex_t mu;
	pthread_cond_t nonempty;
	struct slot *slots;
	size_t max_items, max_bytes, max_line;
	size_t head, count; /* ring: oldest at head */
	bool closed;
	struct vg_logq_stats st;
};

struct vg_logq *vg_logq_new(size_t max_items, size_t max_bytes, size_t max_line)
{
	struct vg_logq *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->max_items = (size_t)vg_clamp_u64(max_items ? max_items : VG_LOGQ_DEFAULT_ITEMS, 1,
					    VG_LOGQ_MAX_ITEMS);
	q->max_bytes = (size_t)vg_clamp_u64(max_bytes ? max_bytes : VG_LOGQ_DEFAULT_BYTES, 1,
					    VG_LOGQ_MAX_BYTES);
	q->max_line = (size_t)vg_clamp_u64(max_line ? max_line : VG_MAX_LINE, 1, VG_MAX_LINE);
	q->slots = calloc(q->max_items, sizeof(*q->slots));
	if (!q->slots) {
		free(q);
		return NULL;
	}
	pthread_mutex_init(&q->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->nonempty, &ca);
	pthread_condattr_destroy(&ca);
	return q;
}

void vg_logq_free(struct vg_logq *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->count; i++)
		free(q->slots[(q->head + i) % q->max_items].buf);
	free(q->slots);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->nonempty);
	free(q);
}

static bool fits(const struct vg_logq *q, size_t len)
{
	/* an empty queue takes any (truncated) line, so one long line cannot wedge it */
	return q->count < q->max_items && (q->count == 0 || q->st.bytes + len <= q->max_bytes);
}

bool vg_logq_has_room(struct vg_logq *q, size_t len)
{
	pthread_mutex_lock(&q->mu);
	bool ok = !q->closed && fits(q, len < q->max_line ? len : q->max_line);
	pthread_mutex_unlock(&q->mu);
	return ok;
}

int vg_logq_push(struct vg_logq *q, const char *line, size_t len, const char *source,
		 int64_t recv_us, unsigned flags, enum vg_logq_policy policy)
{
	if (len > q->max_line) {
		len = q->max_line;
		flags |= VG_LOGQ_F_TRUNCATED;
	}
	size_t srclen = source ? strnlen(source, VG_MAX_NAME - 1) : 0;
	int rc = VG_OK;
	pthread_mutex_lock(&q->mu);
	if (q->closed) {
		q->st.dropped++;
		rc = VG_ESTATE;
		goto out;
	}
	if (!fits(q, len)) {
		if (policy == VG_LOGQ_DROP)
			q->st.dropped++;
		else
			q->st.full++;
		rc = VG_EFULL;
		goto out;
	}
	/* copy outside the hot path would need a second lock round; lines are short */
	char *buf = malloc(len + srclen + 2);
	if (!buf) {
		q->st.nomem++;
		rc = VG_ENOMEM;
		goto out;
	}
	memcpy(buf, line, len);
	buf[len] = 0;
	if (srclen)
		memcpy(buf + len + 1, source, srclen);
	buf[len + 1 + srclen] = 0;
	struct slot *s = &q->slots[(q->head + q->count) % q->max_items];
	s->buf = buf;
	s->len = (uint32_t)len;
	s->srclen = (uint32_t)srclen;
	s->flags = flags;
	s->recv_us = recv_us;
	q->count++;
	q->st.bytes += len;
	q->st.items = q->count;
	q->st.pushed++;
	if (flags & VG_LOGQ_F_TRUNCATED)
		q->st.truncated++;
	if (q->count > q->st.high_water)
		q->st.high_water = q->count;
	if (q->count == 1)
		pthread_cond_signal(&q->nonempty);
out:
	pthread_mutex_unlock(&q->mu);
	return rc;
}

int vg_logq_pop(struct vg_logq *q, struct vg_logq_msg *m, int timeout_ms)
{
	struct timespec until;
	if (timeout_ms >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&q->mu);
	while (q->count == 0 && !q->closed) {
		if (timeout_ms < 0) {
			pthread_cond_wait(&q->nonempty, &q->mu);
		} else if (pthread_cond_timedwait(&q->nonempty, &q->mu, &until) == ETIMEDOUT) {
			if (q->count == 0) {
				pthread_mutex_unlock(&q->mu);
				return VG_EAGAIN;
			}
		}
	}
	if (q->count == 0) {
		pthread_mutex_unlock(&q->mu);
		return VG_ESTATE;
	}
	struct slot s = q->slots[q->head];
	q->slots[q->head].buf = NULL;
	q->head = (q->head + 1) % q->max_items;
	q->count--;
	q->st.items = q->count;
	q->st.bytes -= s.len;
	q->st.popped++;
	pthread_mutex_unlock(&q->mu);

	free(m->line);
	m->line = s.buf;
	m->len = s.len;
	m->cap = s.len + 1;
	memcpy(m->source, s.buf + s.len + 1, s.srclen + 1);
	m->recv_us = s.recv_us;
	m->flags = s.flags;
	return VG_OK;
}

void vg_logq_close(struct vg_logq *q)
{
	pthread_mutex_lock(&q->mu);
	q->closed = true;
	pthread_cond_broadcast(&q->nonempty);
	pthread_mutex_unlock(&q->mu);
}

void vg_logq_stats(struct vg_logq *q, struct vg_logq_stats *out)
{
	pthread_mutex_lock(&q->mu);
	*out = q->st;
	pthread_mutex_unlock(&q->mu);
}

void vg_logq_msg_free(struct vg_logq_msg *m)
{
	if (!m)
		return;
	free(m->line);
	m->line = NULL;
	m->len = m->cap = 0;
}
