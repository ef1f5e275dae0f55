/* capture.h — packet sources: pcap/pcapng files and live interfaces, through libpcap.
 *
 * Offline: one or several files read in the order given. Each file reports its link type
 * when it is opened (vg_capture_linktype() changes at file boundaries: compare
 * vg_capture_file_index() to notice). A file that cannot be opened, or that is damaged
 * or truncated part-way, makes vg_capture_next() return an error once, with a message
 * naming the file and how many packets were read from it (vg_capture_error()); every
 * packet before the damage has been delivered, and the next call continues with the
 * next file.
 *
 * Live: an interface in immediate mode, with snaplen, promiscuous option, an optional
 * BPF filter and a bounded wait in vg_capture_next() (or a poll-able fd) so that the
 * caller's timers keep running. Open captures BEFORE dropping privileges (core-priv.h).
 *
 * Timestamps are microseconds since the epoch (nanosecond files are converted). Packet
 * data returned by vg_capture_next() is borrowed until the next call or close. */
#ifndef VG_CAPTURE_H
#define VG_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

struct vg_capture;

#define VG_CAPTURE_ERRLEN 512 /* size of error messages (vg_capture_error, errbuf) */

struct vg_capture_live_opts {
	const char *iface;       /* required, e.g. "eth0", "lo" */
	uint32_t snaplen;        /* 0 → VG_MAX_SNAPLEN; clamped to it */
	bool promisc;
	const char *bpf;         /* NULL or "" → no filter */
	int timeout_ms;          /* longest wait in vg_capture_next(); 0 → never waits; < 0 → 100 */
	uint32_t buffer_bytes;   /* kernel ring size; 0 → libpcap's default; clamped to VG_CAPTURE_MAX_BUFFER */
};

struct vg_capture_stats {
	uint64_t packets;        /* delivered by vg_capture_next() (all files) */
	uint64_t bytes;          /* captured bytes delivered */
	uint64_t files_done;     /* files read to their end without error */
	uint64_t files_failed;   /* files that could not be opened or were damaged */
	uint64_t ts_clamped;     /* timestamps before 1970 or past VG_CAPTURE_MAX_TS_S, clamped */
	/* Live only (pcap_stats; 0 for files): */
	uint64_t received;       /* packets the kernel saw matching the filter */
	uint64_t dropped;        /* dropped by the kernel for lack of buffer space */
	uint64_t if_dropped;     /* dropped by the interface / driver */
};

/* Open files to be read in order. paths (and the strings) are copied. errbuf (may be
 * NULL; VG_CAPTURE_ERRLEN bytes) receives the reason when this returns an error.
 * Returns 0, VG_EINVAL (n == 0 or a NULL path) or VG_ENOMEM. The files are opened as
 * they are reached, so a missing or bad file is reported by vg_capture_next() (and
 * the run goes on with the next one). Caller closes *out. */
int vg_capture_open_files(const char *const *paths, size_t n, struct vg_capture **out,
			  char *errbuf);

/* One file, opened now: VG_ENOENT (missing), VG_EINVAL (not pcap/pcapng, or truncated
 * before the first packet header), VG_EIO; errbuf names the file and the reason.
 * Caller closes *out. */
int vg_capture_open_file(const char *path, struct vg_capture **out, char *errbuf);

/* Live capture. Returns 0; VG_EINVAL (bad options, or the BPF filter does not compile:
 * errbuf names the filter and libpcap's reason); VG_EIO (interface cannot be opened,
 * e.g. missing or no permission: errbuf says which). Caller closes *out. */
int vg_capture_open_live(const struct vg_capture_live_opts *opts, struct vg_capture **out,
			 char *errbuf);

/* Apply a BPF filter (live or the current and later files). 0 or VG_EINVAL. */
int vg_capture_set_filter(struct vg_capture *cap, const char *bpf);

/* Next packet: 1 and the packet; 0 at the end of all files, or (live) when nothing came
 * within timeout_ms; negative on an error (files: that file is abandoned and the next
 * call goes on with the next one; vg_capture_error() says what happened). Out-params are
 * zeroed on entry; *data is borrowed until the next call. */
int vg_capture_next(struct vg_capture *cap, int64_t *ts_us, const uint8_t **data,
		    uint32_t *caplen, uint32_t *wirelen);

/* Files only: up to max frames in one call, each handed to fn (data borrowed for the
 * call; the frames of one call all come from one file, whose index and link type
 * vg_capture_file_index/vg_capture_linktype give during the call). fn returns nonzero to
 * stop after that frame. Same frames, times, counters and errors as vg_capture_next,
 * without a call into libpcap per frame. Returns the number of frames handed out (> 0),
 * 0 at the end of all files, or negative on an error (after the frames handed out before
 * it in this call; vg_capture_error() says what happened; the next call goes on with the
 * next file); VG_EINVAL on a live capture. */
typedef int (*vg_capture_frame_fn)(void *ctx, int64_t ts_us, const uint8_t *data,
				   uint32_t caplen, uint32_t wirelen);
int vg_capture_dispatch(struct vg_capture *cap, unsigned max, vg_capture_frame_fn fn, void *ctx);

/* Link type (LINKTYPE_/DLT_ value, as decode.h's VG_LINK_*) of the current file or the
 * interface; -1 when no file is open. */
int vg_capture_linktype(const struct vg_capture *cap);
/* "EN10MB", "LINUX_SLL", ... ; "unknown" when libpcap has no name. */
const char *vg_capture_linktype_name(int linktype);
/* Index (0-based) and path of the file being read; for live: 0 and the interface. */
size_t vg_capture_file_index(const struct vg_capture *cap);
const char *vg_capture_source_name(const struct vg_capture *cap);
/* Packets read from the current file so far. */
uint64_t vg_capture_file_packets(const struct vg_capture *cap);
/* Last error message ("" when none). Borrowed until the next call on cap. */
const char *vg_capture_error(const struct vg_capture *cap);

/* A file descriptor to poll() for readability before vg_capture_next() (live), or -1
 * (files: always ready). */
int vg_capture_fd(const struct vg_capture *cap);

/* Counters; live drop counters come from pcap_stats(). 0 or VG_EIO. */
int vg_capture_stats(struct vg_capture *cap, struct vg_capture_stats *out);

/* NULL is a no-op. */
void vg_capture_close(struct vg_capture *cap);

#endif
