/* capture-int.h — the capture handle shared by capture-file.c and capture-live.c. */
#ifndef VG_CAPTURE_INT_H
#define VG_CAPTURE_INT_H

#include <pcap/pcap.h>

#include "capture/capture.h"

struct vg_capture {
	pcap_t *p;               /* current file or the interface; NULL between files */
	bool live;
	int timeout_ms;          /* live: longest wait in next() */

	char **paths;            /* files, copied; live: paths[0] is the interface */
	size_t n_paths, cur;     /* cur: index of the file being read (or next to open) */
	bool cur_open_failed;    /* the current index was tried and failed: move on */
	char *bpf;               /* filter applied to every file opened; NULL = none */
	int linktype;
	uint64_t file_pkts;
	char *iobuf;             /* offline: stdio buffer of the open file (VG_CAPTURE_FILE_BUFSZ),
	                          * reused from file to file, freed after the last pcap_close */

	struct vg_capture_stats st;
	char err[VG_CAPTURE_ERRLEN];
};

/* Copy the message into errbuf (when not NULL) and cap->err (when cap is not NULL). */
void vg_capture_set_err(struct vg_capture *cap, char *errbuf, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Compile and install bpf on p; on failure the message names the filter. 0/VG_EINVAL. */
int vg_capture_apply_filter(pcap_t *p, const char *bpf, char *msg, size_t msglen);
/* Shared packet fetch from cap->p: 1, 0 (no packet: timeout/end), or pcap's negative. */
int vg_capture_fetch(struct vg_capture *cap, int64_t *ts_us, const uint8_t **data,
		     uint32_t *caplen, uint32_t *wirelen);
int vg_capture_next_live(struct vg_capture *cap, int64_t *ts_us, const uint8_t **data,
			 uint32_t *caplen, uint32_t *wirelen);

#endif
