/* core-eve.h — Suricata EVE JSON encoding of a vg_event.
 *
 * One JSON object, no trailing newline, with EVE's key names so EVE tools (jq recipes,
 * Kibana/Splunk EVE dashboards, evebox) read vigil's output: timestamp, flow_id,
 * event_type, src_ip/src_port/dest_ip/dest_port, proto ("TCP", "UDP", "ICMP",
 * "IPv6-ICMP", else the number as a string), vlan [outer, inner], icmp_type/icmp_code,
 * app_proto, alert{...}, flow{...}, tcp{...}, anomaly{...}.
 * Vigil's own data is under "vigil": tenant, detector, vni (EVE's "tunnel" object
 * describes the outer IP header, not the VNI, so the VNI lives here), episode_id,
 * event category/action/outcome, scan{...}, flood{...}. The tenant is also written as
 * top-level "tenant". Log fields (host, user, service, process, pid, message, source)
 * go in a "log" object. Members of ev->extra are merged at the top level; one whose
 * name vigil itself uses is written as "x_<name>" so nothing is lost or duplicated.
 * The schema is etc/schema/eve-v1.schema.json; docs/configuration.md has the list. */
#ifndef VG_CORE_EVE_H
#define VG_CORE_EVE_H

#include "core/core-event.h"
#include "core/core-json.h"
#include "core/core-str.h"

/* Append the encoding of ev to out (not reset first). 0, VG_ENOMEM (out's cap), or
 * VG_EINVAL (ev NULL). On error out holds a partial object: reset it. */
int vg_eve_encode(const struct vg_event *ev, struct vg_buf *out);

/* Shared with the ECS encoder: which union member of ev is valid. */
static inline bool vg_event_has_scan(const struct vg_event *ev)
{
	return (ev->type == VG_EVT_ALERT || ev->type == VG_EVT_EPISODE) && ev->rule.detector == VG_DET_SCAN;
}
static inline bool vg_event_has_flood(const struct vg_event *ev)
{
	return (ev->type == VG_EVT_ALERT || ev->type == VG_EVT_EPISODE) && ev->rule.detector == VG_DET_FLOOD;
}
/* "TCP", "UDP", ... or the number in buf. */
const char *vg_eve_proto_name(uint8_t proto, char buf[4]);
/* Writes "scan": {...} / "flood": {...} (timestamps in EVE format when eve, else ISO). */
void vg_eve_write_scan(struct vg_jw *w, const struct vg_ev_scan *s, bool eve);
void vg_eve_write_flood(struct vg_jw *w, const struct vg_ev_flood *f, bool eve);
/* Writes the members of extra (a JSON object, else ignored), renaming those for which
 * reserved(name) is true to "x_<name>". */
void vg_eve_write_extra(struct vg_jw *w, const json_t *extra, bool (*reserved)(const char *));

#endif
