/* cli-reader.h — how `vigil analyze` reads capture files: in batches of decoded frames,
 * on a thread of their own (the default) or on the analyzing thread.
 *
 * Reading frames through libpcap, decoding them and hashing their flow keys is about half
 * the CPU work of the core packet path (decode + flow + scan + flood), and none of it
 * touches the path's state: libpcap's handle is used by one thread at a time, decoders
 * are pure functions and the flow table's hash key never changes. So over files, a second
 * thread does that part (vg_nids_decode) into batches, handed in order to the analyzing
 * thread through a ring of a few batches; that thread runs the rest of the path
 * (vg_nids_packets_decoded) and emits every event. The packets, their order and the
 * events are exactly those of reading on one thread: only the wall-clock time changes
 * (on two cores, up to twice as many packets per second).
 *
 * Without the thread (--threads 1), vg_reader_next fills one batch on the caller's thread:
 * the same batches, so files are analysed by one code path either way. Frames come from
 * libpcap several per call (vg_capture_dispatch), and each batch's flow lookups overlap
 * their cache misses (vg_nids_packets_decoded).
 *
 * Live capture does not use it: a live frame is processed as soon as it arrives.
 * Not for use from more than one analyzing thread. */
#ifndef VG_CLI_READER_H
#define VG_CLI_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"
#include "nids/nids.h"

/* Frames per batch (the ring holds VG_READER_SLOTS of them). A batch also ends once its
 * copies of frame data pass VG_READER_BATCH_BYTES. */
#define VG_READER_BATCH 128u
#define VG_READER_SLOTS 8u
#define VG_READER_BATCH_BYTES (256u << 10)

/* One batch, in capture order: n decoded frames (their data copied into the batch), the
 * capture file each came from, then at most one read error (a file that could not be
 * opened or was cut short: the reading went on with the next file), then possibly the
 * end of input. Borrowed from vg_reader_next until vg_reader_release. */
struct vg_reader_batch {
	unsigned n;
	struct vg_nids_decoded dec[VG_READER_BATCH];
	uint32_t file[VG_READER_BATCH];   /* vg_capture_file_index of each frame */
	bool has_error;
	char error[VG_CAPTURE_ERRLEN];    /* vg_capture_error's message, when has_error */
	bool end;                         /* no frame follows */
	uint8_t *arena;                   /* frame data */
	size_t used;
};

struct vg_reader;

/* Start reading cap (opened on files): on a new thread when threaded (cap is the thread's
 * until vg_reader_stop), else batch by batch in vg_reader_next. Frames are decoded for
 * nids (vg_nids_decode), which must outlive the reader. The thread blocks every signal:
 * they reach the caller's threads. 0, VG_ENOMEM, or VG_EIO (no thread). */
int vg_reader_start(struct vg_capture *cap, const struct vg_nids *nids, bool threaded,
		    struct vg_reader **out);
/* The next batch in order, waiting for it. Never NULL before a batch with end set. */
struct vg_reader_batch *vg_reader_next(struct vg_reader *r);
/* Hand the batch from vg_reader_next back for refilling. */
void vg_reader_release(struct vg_reader *r, struct vg_reader_batch *b);
/* Stop the thread (after the batch it is filling), join it and free r. The capture is the
 * caller's again (its statistics count what the thread read). NULL is a no-op. */
void vg_reader_stop(struct vg_reader *r);

#endif
