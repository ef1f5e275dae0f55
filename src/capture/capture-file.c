/* capture-file.c — offline capture: pcap and pcapng files through libpcap, several in
 * order, a damaged file reported (by name, with the packets read) and skipped; plus the
 * parts of the handle shared with live capture (errors, filters, stats, close). */
#include "capture/capture-int.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"
#include "core/core-log.h"
#include "core/core-str.h"

void vg_capture_set_err(struct vg_capture *cap, char *errbuf, const char *fmt, ...)
{
	char msg[VG_CAPTURE_ERRLEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (errbuf)
		vg_strlcpy(errbuf, msg, strlen(msg), VG_CAPTURE_ERRLEN);
	if (cap)
		vg_strlcpy(cap->err, msg, strlen(msg), sizeof(cap->err));
}

int vg_capture_apply_filter(pcap_t *p, const char *bpf, char *msg, size_t msglen)
{
	struct bpf_program prog;
	if (!bpf || !*bpf)
		return 0;
	/* The netmask only matters for "ip broadcast"; unknown is libpcap's documented choice. */
	if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(msg, msglen, "BPF filter '%s' does not compile: %s", bpf, pcap_geterr(p));
		return VG_EINVAL;
	}
	int rc = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (rc < 0) {
		snprintf(msg, msglen, "BPF filter '%s' cannot be installed: %s", bpf, pcap_geterr(p));
		return VG_EINVAL;
	}
	return 0;
}

/* A frame handed out: counted, and its time in microseconds. A crafted file (pcapng has
 * 64-bit timestamps) can name any time: it is kept within a range that cannot overflow
 * microseconds, and counted. */
static inline int64_t frame_taken(struct vg_capture *cap, const struct pcap_pkthdr *h)
{
	int64_t sec = (int64_t)h->ts.tv_sec, usec = (int64_t)h->ts.tv_usec;
	if (sec < 0 || sec > VG_CAPTURE_MAX_TS_S || usec < 0 || usec > 999999) {
		sec = sec < 0 ? 0 : sec > VG_CAPTURE_MAX_TS_S ? VG_CAPTURE_MAX_TS_S : sec;
		usec = usec < 0 ? 0 : usec > 999999 ? 999999 : usec;
		cap->st.ts_clamped++;
	}
	cap->file_pkts++;
	cap->st.packets++;
	cap->st.bytes += h->caplen;
	return sec * 1000000 + usec;
}

int vg_capture_fetch(struct vg_capture *cap, int64_t *ts_us, const uint8_t **data,
		     uint32_t *caplen, uint32_t *wirelen)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc = pcap_next_ex(cap->p, &h, &d);
	if (rc != 1)
		return rc;
	*ts_us = frame_taken(cap, h);
	*data = d;
	*caplen = h->caplen;
	*wirelen = h->len;
	return 1;
}

static void free_paths(struct vg_capture *cap)
{
	if (!cap->paths)
		return;
	for (size_t i = 0; i < cap->n_paths; i++)
		free(cap->paths[i]);
	free(cap->paths);
	cap->paths = NULL;
}

void vg_capture_close(struct vg_capture *cap)
{
	if (!cap)
		return;
	if (cap->p)
		pcap_close(cap->p);
	free(cap->iobuf); /* after the FILE that used it is closed */
	free_paths(cap);
	free(cap->bpf);
	free(cap);
}

int vg_capture_open_files(const char *const *paths, size_t n, struct vg_capture **out,
			  char *errbuf)
{
	struct vg_capture *cap = NULL;
	int rc;

	*out = NULL;
	if (errbuf)
		errbuf[0] = '\0';
	if (!paths || n == 0) {
		vg_capture_set_err(NULL, errbuf, "no capture file given");
		return VG_EINVAL;
	}
	cap = calloc(1, sizeof(*cap));
	if (!cap)
		goto nomem;
	cap->linktype = -1;
	cap->paths = calloc(n, sizeof(char *));
	if (!cap->paths)
		goto nomem;
	cap->n_paths = n;
	for (size_t i = 0; i < n; i++) {
		if (!paths[i]) {
			vg_capture_set_err(NULL, errbuf, "capture file %zu: no path", i + 1);
			rc = VG_EINVAL;
			goto fail;
		}
		cap->paths[i] = strdup(paths[i]);
		if (!cap->paths[i])
			goto nomem;
	}
	*out = cap;
	return 0;
nomem:
	vg_capture_set_err(NULL, errbuf, "out of memory");
	rc = VG_ENOMEM;
fail:
	vg_capture_close(cap);
	return rc;
}

/* Open file cap->cur. On failure: message naming the file, negative code. */
static int open_current(struct vg_capture *cap)
{
	const char *path = cap->paths[cap->cur];
	char pe[PCAP_ERRBUF_SIZE] = "";
	char fe[VG_CAPTURE_ERRLEN] = "";

	cap->file_pkts = 0;
	cap->linktype = -1;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		int e = errno;
		vg_capture_set_err(cap, NULL, "%s: cannot open: %s (0 packets read)", path, strerror(e));
		return e == ENOENT ? VG_ENOENT : VG_EIO;
	}
	/* libpcap reads each record with fread: with stdio's default buffer (the file's
	 * block size, 4 KiB) that is a read(2) per ~40 packets. A 1 MiB buffer makes it one
	 * per ~10k packets; the file is read front to back once. Both are best effort. */
	if (!cap->iobuf)
		cap->iobuf = malloc(VG_CAPTURE_FILE_BUFSZ);
	if (cap->iobuf) /* glibc ignores the size unless it is given the buffer */
		(void)setvbuf(fp, cap->iobuf, _IOFBF, VG_CAPTURE_FILE_BUFSZ);
#ifdef POSIX_FADV_SEQUENTIAL
	(void)posix_fadvise(fileno(fp), 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	/* A capture handle is used by one thread at a time (vigil analyze may read on a
	 * thread of its own): no stdio lock around each of libpcap's two freads per record. */
	(void)__fsetlocking(fp, FSETLOCKING_BYCALLER);
	/* Microsecond precision: nanosecond pcap and pcapng are converted by libpcap. */
	pcap_t *p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, pe);
	if (!p) {
		fclose(fp); /* libpcap leaves fp to us when it fails */
		vg_capture_set_err(cap, NULL, "%s: not a readable pcap/pcapng file: %s (0 packets read)",
				   path, pe);
		return VG_EINVAL;
	}
	if (vg_capture_apply_filter(p, cap->bpf, fe, sizeof(fe)) < 0) {
		pcap_close(p);
		vg_capture_set_err(cap, NULL, "%s: %s (0 packets read)", path, fe);
		return VG_EINVAL;
	}
	cap->p = p;
	cap->linktype = pcap_datalink(p);
	vg_info("capture: %s: link type %d (%s)", path, cap->linktype,
		vg_capture_linktype_name(cap->linktype));
	return 0;
}

int vg_capture_open_file(const char *path, struct vg_capture **out, char *errbuf)
{
	struct vg_capture *cap = NULL;
	const char *paths[1] = { path };

	*out = NULL;
	int rc = vg_capture_open_files(paths, 1, &cap, errbuf);
	if (rc < 0)
		return rc;
	rc = open_current(cap);
	if (rc < 0) {
		if (errbuf)
			vg_strlcpy(errbuf, cap->err, strlen(cap->err), VG_CAPTURE_ERRLEN);
		vg_capture_close(cap);
		return rc;
	}
	*out = cap;
	return 0;
}

/* A file open for reading: 1; none left: 0; the next one failed to open: its negative
 * code (reported; the call after goes on with the file after it). */
static int file_open(struct vg_capture *cap)
{
	if (cap->p)
		return 1;
	if (cap->cur >= cap->n_paths)
		return 0;
	int rc = open_current(cap);
	if (rc < 0) {
		cap->st.files_failed++;
		cap->cur++;
		return rc;
	}
	return 1;
}

/* The open file gave no more frames: pcap_rc PCAP_ERROR when it is damaged or cut short
 * (everything before was delivered: reported with the file's name and count, negative
 * code), anything else at its end (0). Either way the next file is next. */
static int file_done(struct vg_capture *cap, int pcap_rc)
{
	int code = 0;
	if (pcap_rc == PCAP_ERROR) {
		const char *why = pcap_geterr(cap->p);
		code = strstr(why, "truncated") ? VG_ETRUNC : VG_EINVAL;
		vg_capture_set_err(cap, NULL, "%s: damaged after %llu packets: %s",
				   cap->paths[cap->cur], (unsigned long long)cap->file_pkts, why);
		cap->st.files_failed++;
	} else {
		cap->st.files_done++;
	}
	pcap_close(cap->p);
	cap->p = NULL;
	cap->cur++;
	return code;
}

static int next_file(struct vg_capture *cap, int64_t *ts_us, const uint8_t **data,
		     uint32_t *caplen, uint32_t *wirelen)
{
	for (;;) {
		int rc = file_open(cap);
		if (rc <= 0)
			return rc;
		rc = vg_capture_fetch(cap, ts_us, data, caplen, wirelen);
		if (rc == 1)
			return 1;
		/* PCAP_ERROR_BREAK is the end of this file */
		rc = file_done(cap, rc);
		if (rc < 0)
			return rc;
	}
}

struct dispatch_ctx {
	struct vg_capture *cap;
	vg_capture_frame_fn fn;
	void *ctx;
};

static void dispatch_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *d)
{
	struct dispatch_ctx *dc = (struct dispatch_ctx *)(void *)user;
	int64_t ts = frame_taken(dc->cap, h);
	if (dc->fn(dc->ctx, ts, d, h->caplen, h->len))
		pcap_breakloop(dc->cap->p);
}

int vg_capture_dispatch(struct vg_capture *cap, unsigned max, vg_capture_frame_fn fn, void *ctx)
{
	cap->err[0] = '\0';
	if (cap->live || !fn || max == 0)
		return VG_EINVAL;
	if (max > INT_MAX)
		max = INT_MAX;
	struct dispatch_ctx dc = { cap, fn, ctx };
	for (;;) {
		int rc = file_open(cap);
		if (rc <= 0)
			return rc;
		/* libpcap reads a savefile's frames in a loop, calling back for each: no
		 * per-frame call into it. It returns how many it handed out (also when the
		 * callback stopped it early), 0 at the end of the file, PCAP_ERROR when the
		 * file is damaged after the frames handed out in this call. */
		rc = pcap_dispatch(cap->p, (int)max, dispatch_frame, (u_char *)&dc);
		if (rc > 0)
			return rc;
		if (rc == PCAP_ERROR_BREAK)
			continue; /* stopped before any frame: not an end */
		rc = file_done(cap, rc);
		if (rc < 0)
			return rc;
	}
}

int vg_capture_next(struct vg_capture *cap, int64_t *ts_us, const uint8_t **data,
		    uint32_t *caplen, uint32_t *wirelen)
{
	*ts_us = 0;
	*data = NULL;
	*caplen = *wirelen = 0;
	cap->err[0] = '\0';
	if (cap->live)
		return vg_capture_next_live(cap, ts_us, data, caplen, wirelen);
	return next_file(cap, ts_us, data, caplen, wirelen);
}

int vg_capture_set_filter(struct vg_capture *cap, const char *bpf)
{
	char msg[VG_CAPTURE_ERRLEN];
	char *copy = NULL;

	if (bpf && *bpf) {
		copy = strdup(bpf);
		if (!copy)
			return VG_ENOMEM;
	}
	if (cap->p && vg_capture_apply_filter(cap->p, bpf, msg, sizeof(msg)) < 0) {
		vg_capture_set_err(cap, NULL, "%s: %s", vg_capture_source_name(cap), msg);
		free(copy);
		return VG_EINVAL;
	}
	free(cap->bpf);
	cap->bpf = copy;
	return 0;
}

int vg_capture_linktype(const struct vg_capture *cap)
{
	return cap->p ? cap->linktype : -1;
}

const char *vg_capture_linktype_name(int linktype)
{
	const char *n = pcap_datalink_val_to_name(linktype);
	return n ? n : "unknown";
}

size_t vg_capture_file_index(const struct vg_capture *cap)
{
	return cap->live ? 0 : cap->cur;
}

const char *vg_capture_source_name(const struct vg_capture *cap)
{
	if (cap->cur < cap->n_paths)
		return cap->paths[cap->cur];
	return cap->n_paths ? cap->paths[cap->n_paths - 1] : "";
}

uint64_t vg_capture_file_packets(const struct vg_capture *cap)
{
	return cap->file_pkts;
}

const char *vg_capture_error(const struct vg_capture *cap)
{
	return cap->err;
}

int vg_capture_fd(const struct vg_capture *cap)
{
	return cap->live && cap->p ? pcap_get_selectable_fd(cap->p) : -1;
}

int vg_capture_stats(struct vg_capture *cap, struct vg_capture_stats *out)
{
	*out = cap->st;
	if (cap->live && cap->p) {
		struct pcap_stat ps;
		if (pcap_stats(cap->p, &ps) < 0) {
			vg_capture_set_err(cap, NULL, "%s: pcap_stats: %s", vg_capture_source_name(cap),
					   pcap_geterr(cap->p));
			return VG_EIO;
		}
		out->received = ps.ps_recv;
		out->dropped = ps.ps_drop;
		out->if_dropped = ps.ps_ifdrop;
	}
	return 0;
}
