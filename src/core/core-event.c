/* core-event.c — event initialisation and the names used by both encoders. */
#include "core/core-event.h"

#include <string.h>

void vg_event_init(struct vg_event *ev, enum vg_event_type type, int64_t ts_us)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->ts_us = ts_us;
	ev->pid = -1;
}

const char *vg_event_type_name(enum vg_event_type t)
{
	switch (t) {
	case VG_EVT_ALERT: return "alert";
	case VG_EVT_FLOW: return "flow";
	case VG_EVT_ANOMALY: return "anomaly";
	case VG_EVT_STATS: return "stats";
	case VG_EVT_HTTP: return "http";
	case VG_EVT_DNS: return "dns";
	case VG_EVT_TLS: return "tls";
	case VG_EVT_SSH: return "ssh";
	case VG_EVT_LOG: return "log";
	case VG_EVT_EPISODE: return "episode";
	}
	return "unknown";
}

const char *vg_detector_name(enum vg_detector d)
{
	switch (d) {
	case VG_DET_NONE: return "none";
	case VG_DET_SCAN: return "scan";
	case VG_DET_FLOOD: return "flood";
	case VG_DET_SIGNATURE: return "signature";
	case VG_DET_IOC: return "ioc";
	case VG_DET_ANOMALY: return "anomaly";
	case VG_DET_CORRELATE: return "correlation";
	}
	return "unknown";
}

const char *vg_outcome_name(enum vg_outcome o)
{
	switch (o) {
	case VG_OUTCOME_SUCCESS: return "success";
	case VG_OUTCOME_FAILURE: return "failure";
	case VG_OUTCOME_UNKNOWN: return "unknown";
	case VG_OUTCOME_NONE: break;
	}
	return NULL;
}
