/* cli-reader.c — the reader thread of `vigil analyze` over capture files (cli-reader.h).
 *
 * A ring of VG_READER_SLOTS batches: the reader fills slot (tail % SLOTS) while fewer than
 * SLOTS are waiting, the analyzing thread takes slot (head % SLOTS) and hands it back.
 * One mutex guards head, tail, stop and the waiting flags; the slots themselves are only
 * touched by the side that owns them at the time, so the lock is taken twice per batch,
 * not per frame. A side that has to wait sleeps until half the ring is ready for it (or
 * the input ends), not until the next single batch: the two threads run at about the same
 * speed, and waking one per batch would cost a futex round trip per batch. */
#include "cli/cli-reader.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"
#include "core/limits.h"

struct vg_reader {
	struct vg_capture *cap;
	const struct vg_nids *nids;
	struct vg_reader_batch *filling; /* reader thread: the batch take_frame adds to */
	bool threaded;           /* false: vg_reader_next fills slot 0 on the caller's thread */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t filled;   /* tail moved: a batch to take */
	pthread_cond_t freed;    /* head moved, or stop: a slot to fill */
	uint64_t head, tail;     /* batches taken back / published; tail - head <= SLOTS */
	bool stop;
	bool reader_waits;       /* for tail - head <= SLOTS / 2 */
	bool taker_waits;        /* for tail - head >= SLOTS / 2, or the end */
	bool ended;              /* the batch with end set is published */
	struct vg_reader_batch slot[VG_READER_SLOTS];
};

/* One frame from libpcap (vg_capture_dispatch): copied into the batch being filled and
 * decoded. Nonzero (stop) once the batch is full. */
static int take_frame(void *ctx, int64_t ts, const uint8_t *data, uint32_t caplen,
		      uint32_t wirelen)
{
	struct vg_reader *r = ctx;
	struct vg_reader_batch *b = r->filling;
	/* libpcap hands out at most VG_MAX_SNAPLEN bytes, and the arena has room for one
	 * such frame past VG_READER_BATCH_BYTES; the decoder reads no further either (it
	 * counts a longer frame as an anomaly and decodes its start) */
	uint32_t ncopy = caplen > VG_MAX_SNAPLEN ? VG_MAX_SNAPLEN : caplen;
	uint8_t *copy = b->arena + b->used;
	memcpy(copy, data, ncopy);
	struct vg_nids_frame fr = { copy, caplen, wirelen, ts };
	b->file[b->n] = (uint32_t)vg_capture_file_index(r->cap);
	vg_nids_decode(r->nids, vg_capture_linktype(r->cap), &fr, &b->dec[b->n]);
	b->used += ncopy;
	b->n++;
	return b->n >= VG_READER_BATCH || b->used >= VG_READER_BATCH_BYTES;
}

/* Read and decode frames into b until it is full, a read fails or the input ends. */
static void fill(struct vg_reader *r, struct vg_reader_batch *b)
{
	b->n = 0;
	b->used = 0;
	b->has_error = false;
	b->end = false;
	r->filling = b;
	while (b->n < VG_READER_BATCH && b->used < VG_READER_BATCH_BYTES) {
		int rc = vg_capture_dispatch(r->cap, VG_READER_BATCH - b->n, take_frame, r);
		if (rc < 0) {
			b->has_error = true;
			snprintf(b->error, sizeof(b->error), "%s", vg_capture_error(r->cap));
			return;
		}
		if (rc == 0) {
			b->end = true;
			return;
		}
	}
}

static void *reader_main(void *arg)
{
	struct vg_reader *r = arg;
	for (;;) {
		pthread_mutex_lock(&r->mu);
		if (!r->stop && r->tail - r->head == VG_READER_SLOTS) {
			r->reader_waits = true;
			while (!r->stop && r->tail - r->head > VG_READER_SLOTS / 2)
				pthread_cond_wait(&r->freed, &r->mu);
			r->reader_waits = false;
		}
		bool stop = r->stop;
		uint64_t t = r->tail;
		pthread_mutex_unlock(&r->mu);
		if (stop)
			break;
		struct vg_reader_batch *b = &r->slot[t % VG_READER_SLOTS];
		fill(r, b);
		pthread_mutex_lock(&r->mu);
		r->tail = t + 1;
		r->ended = b->end;
		if (r->taker_waits && (r->ended || r->tail - r->head >= VG_READER_SLOTS / 2))
			pthread_cond_signal(&r->filled);
		pthread_mutex_unlock(&r->mu);
		if (b->end)
			break;
	}
	return NULL;
}

static void reader_free(struct vg_reader *r)
{
	for (unsigned i = 0; i < VG_READER_SLOTS; i++)
		free(r->slot[i].arena);
	pthread_cond_destroy(&r->filled);
	pthread_cond_destroy(&r->freed);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

int vg_reader_start(struct vg_capture *cap, const struct vg_nids *nids, bool threaded,
		    struct vg_reader **out)
{
	*out = NULL;
	struct vg_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return VG_ENOMEM;
	r->cap = cap;
	r->nids = nids;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->filled, NULL);
	pthread_cond_init(&r->freed, NULL);
	r->threaded = threaded;
	for (unsigned i = 0; i < (threaded ? VG_READER_SLOTS : 1); i++) {
		r->slot[i].arena = malloc(VG_READER_BATCH_BYTES + VG_MAX_SNAPLEN);
		if (!r->slot[i].arena) {
			reader_free(r);
			return VG_ENOMEM;
		}
	}
	if (!threaded) {
		*out = r;
		return 0;
	}
	/* the thread starts with every signal blocked, so SIGINT, SIGTERM and SIGHUP keep
	 * reaching the analyzing thread's handlers */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&r->thread, NULL, reader_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		reader_free(r);
		return VG_EIO;
	}
	*out = r;
	return 0;
}

struct vg_reader_batch *vg_reader_next(struct vg_reader *r)
{
	if (!r->threaded) {
		fill(r, &r->slot[0]);
		return &r->slot[0];
	}
	pthread_mutex_lock(&r->mu);
	if (r->tail == r->head) {
		r->taker_waits = true;
		while (r->tail == r->head || (!r->ended && r->tail - r->head < VG_READER_SLOTS / 2))
			pthread_cond_wait(&r->filled, &r->mu);
		r->taker_waits = false;
	}
	struct vg_reader_batch *b = &r->slot[r->head % VG_READER_SLOTS];
	pthread_mutex_unlock(&r->mu);
	return b;
}

void vg_reader_release(struct vg_reader *r, struct vg_reader_batch *b)
{
	(void)b; /* always the oldest batch taken */
	if (!r->threaded)
		return;
	pthread_mutex_lock(&r->mu);
	r->head++;
	if (r->reader_waits && r->tail - r->head <= VG_READER_SLOTS / 2)
		pthread_cond_signal(&r->freed);
	pthread_mutex_unlock(&r->mu);
}

void vg_reader_stop(struct vg_reader *r)
{
	if (!r)
		return;
	if (r->threaded) {
		pthread_mutex_lock(&r->mu);
		r->stop = true;
		pthread_cond_signal(&r->freed);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->thread, NULL);
	}
	reader_free(r);
}
