/* capture-live.c — live capture on an interface through libpcap: immediate mode (packets
 * are handed over as they arrive, not when a kernel buffer block fills), snaplen,
 * promiscuous option, BPF filter, and a bounded wait so the caller's timers keep running.
 * Must be opened before privileges are dropped (core-priv.h). */
#include "capture/capture-int.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"
#include "core/core-log.h"

int vg_capture_open_live(const struct vg_capture_live_opts *o, struct vg_capture **out,
			 char *errbuf)
{
	struct vg_capture *cap = NULL;
	char pe[PCAP_ERRBUF_SIZE] = "";
	char fe[VG_CAPTURE_ERRLEN] = "";
	int rc;

	*out = NULL;
	if (errbuf)
		errbuf[0] = '\0';
	if (!o || !o->iface || !*o->iface) {
		vg_capture_set_err(NULL, errbuf, "live capture: no interface given");
		return VG_EINVAL;
	}
	cap = calloc(1, sizeof(*cap));
	if (!cap)
		goto nomem;
	cap->live = true;
	cap->linktype = -1;
	cap->paths = calloc(1, sizeof(char *));
	if (!cap->paths)
		goto nomem;
	cap->n_paths = 1;
	cap->paths[0] = strdup(o->iface);
	if (!cap->paths[0])
		goto nomem;
	if (o->bpf && *o->bpf) {
		cap->bpf = strdup(o->bpf);
		if (!cap->bpf)
			goto nomem;
	}
	cap->timeout_ms = o->timeout_ms < 0 ? 100 : o->timeout_ms;
	if (cap->timeout_ms > VG_CAPTURE_MAX_TIMEOUT_MS)
		cap->timeout_ms = VG_CAPTURE_MAX_TIMEOUT_MS;

	cap->p = pcap_create(o->iface, pe);
	if (!cap->p) {
		vg_capture_set_err(NULL, errbuf, "%s: cannot capture: %s", o->iface, pe);
		rc = VG_EIO;
		goto fail;
	}
	uint32_t snap = o->snaplen == 0 || o->snaplen > VG_MAX_SNAPLEN ? VG_MAX_SNAPLEN : o->snaplen;
	uint32_t buf = o->buffer_bytes > VG_CAPTURE_MAX_BUFFER ? VG_CAPTURE_MAX_BUFFER : o->buffer_bytes;
	if (pcap_set_snaplen(cap->p, (int)snap) != 0 || pcap_set_promisc(cap->p, o->promisc ? 1 : 0) != 0 ||
	    pcap_set_immediate_mode(cap->p, 1) != 0 ||
	    pcap_set_timeout(cap->p, cap->timeout_ms > 0 ? cap->timeout_ms : 1) != 0 ||
	    (buf && pcap_set_buffer_size(cap->p, (int)buf) != 0)) {
		vg_capture_set_err(NULL, errbuf, "%s: cannot set capture options", o->iface);
		rc = VG_EINVAL;
		goto fail;
	}
	rc = pcap_activate(cap->p);
	if (rc < 0) {
		/* PERM_DENIED: not root / no CAP_NET_RAW; NO_SUCH_DEVICE: wrong name. */
		vg_capture_set_err(NULL, errbuf, "%s: cannot capture: %s (%s)", o->iface,
				   pcap_statustostr(rc), pcap_geterr(cap->p));
		rc = rc == PCAP_ERROR_NO_SUCH_DEVICE ? VG_ENOENT : VG_EIO;
		goto fail;
	}
	if (rc > 0)
		vg_warn("capture: %s: %s (%s)", o->iface, pcap_statustostr(rc), pcap_geterr(cap->p));
	if (vg_capture_apply_filter(cap->p, cap->bpf, fe, sizeof(fe)) < 0) {
		vg_capture_set_err(NULL, errbuf, "%s: %s", o->iface, fe);
		rc = VG_EINVAL;
		goto fail;
	}
	/* Non-blocking reads; vg_capture_next() does its own bounded poll(). */
	if (pcap_setnonblock(cap->p, 1, pe) < 0) {
		vg_capture_set_err(NULL, errbuf, "%s: cannot set non-blocking: %s", o->iface, pe);
		rc = VG_EIO;
		goto fail;
	}
	cap->linktype = pcap_datalink(cap->p);
	vg_info("capture: %s: link type %d (%s), snaplen %u%s%s%s", o->iface, cap->linktype,
		vg_capture_linktype_name(cap->linktype), snap, o->promisc ? ", promiscuous" : "",
		cap->bpf ? ", filter " : "", cap->bpf ? cap->bpf : "");
	*out = cap;
	return 0;
nomem:
	vg_capture_set_err(NULL, errbuf, "out of memory");
	rc = VG_ENOMEM;
fail:
	vg_capture_close(cap);
	return rc;
}

int vg_capture_next_live(struct vg_capture *cap, int64_t *ts_us, const uint8_t **data,
			 uint32_t *caplen, uint32_t *wirelen)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		int rc = vg_capture_fetch(cap, ts_us, data, caplen, wirelen);
		if (rc == 1)
			return 1;
		if (rc == PCAP_ERROR) {
			vg_capture_set_err(cap, NULL, "%s: capture failed: %s", cap->paths[0],
					   pcap_geterr(cap->p));
			return VG_EIO;
		}
		if (rc == PCAP_ERROR_BREAK || attempt == 1 || cap->timeout_ms == 0)
			return 0;
		/* Nothing buffered: wait up to timeout_ms for the socket to become readable. */
		int fd = pcap_get_selectable_fd(cap->p);
		if (fd < 0)
			return 0;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int pr = poll(&pfd, 1, cap->timeout_ms);
		if (pr < 0 && errno != EINTR) {
			vg_capture_set_err(cap, NULL, "%s: poll: %s", cap->paths[0], strerror(errno));
			return VG_EIO;
		}
		if (pr <= 0)
			return 0;
	}
	return 0;
}
