/* core-ecs.c — vg_event → ECS 8.x JSON (see core-ecs.h for the mapping). */
#include "core/core-ecs.h"

#include <stdio.h>
#include <string.h>

#include "core/core-error.h"
#include "core/core-eve.h"
#include "core/core-json.h"

static void ts_field(struct vg_jw *w, const char *key, int64_t us)
{
	char ts[40];
	vg_jw_str(w, key, vg_json_ts_iso(us, ts));
}

static void addr_field(struct vg_jw *w, const char *key, const struct vg_addr *a)
{
	char s[VG_ADDR_STRLEN];
	vg_jw_str(w, key, vg_addr_format(a, s));
}

static bool ecs_reserved(const char *k)
{
	static const char *const names[] = { "@timestamp", "ecs", "event", "source", "destination",
					     "network", "rule", "tags", "user", "host", "process",
					     "service", "message", "log", "observer", "cloud",
					     "organization", "vigil", NULL };
	for (size_t i = 0; names[i]; i++)
		if (strcmp(k, names[i]) == 0)
			return true;
	return false;
}

/* ECS event.kind / category / type per event type. The category from the producer
 * (ev->category) replaces the default first category. */
static void write_event(struct vg_jw *w, const struct vg_event *ev)
{
	const char *kind = "event", *cat = "network", *cat2 = NULL, *type = "info", *type2 = NULL;
	switch (ev->type) {
	case VG_EVT_ALERT:
		kind = "alert";
		cat = "intrusion_detection";
		if (ev->rule.action && strcmp(ev->rule.action, "blocked") == 0)
			type2 = "denied";
		break;
	case VG_EVT_EPISODE:
		cat = "intrusion_detection";
		type = "end";
		break;
	case VG_EVT_FLOW:
		type = "connection";
		type2 = "end";
		break;
	case VG_EVT_ANOMALY:
		type = "error";
		break;
	case VG_EVT_STATS:
		kind = "metric";
		cat = "host";
		break;
	case VG_EVT_HTTP:
		cat2 = "web";
		type = "protocol";
		break;
	case VG_EVT_DNS:
	case VG_EVT_TLS:
	case VG_EVT_SSH:
		type = "protocol";
		break;
	case VG_EVT_LOG:
		cat = "host";
		break;
	}
	if (ev->category)
		cat = ev->category;
	vg_jw_obj_open(w, "event");
	vg_jw_str(w, "kind", kind);
	vg_jw_arr_open(w, "category");
	vg_jw_str(w, NULL, cat);
	if (cat2 && strcmp(cat2, cat) != 0)
		vg_jw_str(w, NULL, cat2);
	vg_jw_arr_close(w);
	vg_jw_arr_open(w, "type");
	vg_jw_str(w, NULL, type);
	if (type2)
		vg_jw_str(w, NULL, type2);
	vg_jw_arr_close(w);
	if (ev->action)
		vg_jw_str(w, "action", ev->action);
	if (vg_outcome_name(ev->outcome))
		vg_jw_str(w, "outcome", vg_outcome_name(ev->outcome));
	if (ev->type == VG_EVT_ALERT || ev->type == VG_EVT_EPISODE || ev->rule.severity)
		vg_jw_i64(w, "severity", ev->rule.severity ? ev->rule.severity : 3);
	vg_jw_str(w, "module", "vigil");
	char ds[32];
	snprintf(ds, sizeof(ds), "vigil.%s", vg_event_type_name(ev->type));
	vg_jw_str(w, "dataset", ds);
	int64_t start = 0, end = 0;
	if (ev->type == VG_EVT_FLOW) {
		start = ev->u.flow.start_us;
		end = ev->u.flow.end_us;
	} else if (vg_event_has_scan(ev)) {
		start = ev->u.scan.first_us;
		end = ev->u.scan.last_us;
	} else if (vg_event_has_flood(ev)) {
		start = ev->u.flood.start_us;
		end = ev->u.flood.end_us;
	}
	if (start)
		ts_field(w, "start", start);
	if (end)
		ts_field(w, "end", end);
	if (start && end >= start)
		vg_jw_i64(w, "duration", (end - start) * 1000); /* ECS: nanoseconds */
	vg_jw_obj_close(w);
}

static void write_endpoint(struct vg_jw *w, const char *key, const struct vg_addr *a, uint16_t port,
			   bool ports, bool has_counts, uint64_t pkts, uint64_t bytes)
{
	if (a->family == VG_AF_NONE && !(ports && port) && !has_counts)
		return;
	vg_jw_obj_open(w, key);
	if (a->family != VG_AF_NONE) {
		addr_field(w, "ip", a);
		addr_field(w, "address", a);
	}
	if (ports)
		vg_jw_u64(w, "port", port);
	if (has_counts) {
		vg_jw_u64(w, "packets", pkts);
		vg_jw_u64(w, "bytes", bytes);
	}
	vg_jw_obj_close(w);
}

static void write_network(struct vg_jw *w, const struct vg_event *ev, const char *app)
{
	bool flow = ev->type == VG_EVT_FLOW;
	if (!ev->proto && !app && !ev->n_vlan && !flow)
		return;
	vg_jw_obj_open(w, "network");
	if (ev->proto) {
		char pbuf[4], lower[16];
		const char *p = vg_eve_proto_name(ev->proto, pbuf);
		size_t i;
		for (i = 0; p[i] && i < sizeof(lower) - 1; i++)
			lower[i] = (p[i] >= 'A' && p[i] <= 'Z') ? (char)(p[i] + 32) : p[i];
		lower[i] = 0;
		vg_jw_str(w, "transport", ev->proto == 58 ? "ipv6-icmp" : lower);
		snprintf(pbuf, sizeof(pbuf), "%u", ev->proto);
		vg_jw_str(w, "iana_number", pbuf);
	}
	if (ev->src.family != VG_AF_NONE)
		vg_jw_str(w, "type", ev->src.family == VG_AF_INET ? "ipv4" : "ipv6");
	if (app)
		vg_jw_str(w, "protocol", app);
	if (ev->n_vlan) {
		/* ECS: network.vlan is the outer tag, network.inner.vlan the inner one. */
		char id[8];
		vg_jw_obj_open(w, "vlan");
		snprintf(id, sizeof(id), "%u", ev->vlan[0]);
		vg_jw_str(w, "id", id);
		vg_jw_obj_close(w);
		if (ev->n_vlan > 1) {
			vg_jw_obj_open(w, "inner");
			vg_jw_obj_open(w, "vlan");
			snprintf(id, sizeof(id), "%u", ev->vlan[1]);
			vg_jw_str(w, "id", id);
			vg_jw_obj_close(w);
			vg_jw_obj_close(w);
		}
	}
	if (flow) {
		const struct vg_ev_flow *f = &ev->u.flow;
		vg_jw_u64(w, "packets", f->pkts_toserver + f->pkts_toclient);
		vg_jw_u64(w, "bytes", f->bytes_toserver + f->bytes_toclient);
	}
	vg_jw_obj_close(w);
}

static void write_rule(struct vg_jw *w, const struct vg_ev_rule *r)
{
	vg_jw_obj_open(w, "rule");
	char id[32], ver[12];
	snprintf(id, sizeof(id), "%u:%u", r->gid ? r->gid : 1, r->sid);
	vg_jw_str(w, "id", id);
	if (r->signature)
		vg_jw_str(w, "name", r->signature);
	if (r->category)
		vg_jw_str(w, "category", r->category);
	vg_jw_str(w, "ruleset", r->detector == VG_DET_SIGNATURE ? "signatures" : "vigil");
	snprintf(ver, sizeof(ver), "%u", r->rev);
	vg_jw_str(w, "version", ver);
	if (r->reference)
		vg_jw_str(w, "reference", r->reference);
	vg_jw_obj_close(w);
}

static void write_tags(struct vg_jw *w, const char *csv)
{
	vg_jw_arr_open(w, "tags");
	struct vg_str s = vg_str_cstr(csv);
	while (s.len) {
		long c = vg_str_chr(s, ',');
		size_t n = c < 0 ? s.len : (size_t)c;
		struct vg_str item = vg_str_trim(vg_str_make(s.p, n));
		if (item.len)
			vg_jw_strn(w, NULL, item.p, item.len);
		s = c < 0 ? vg_str_make(s.p + s.len, 0) : vg_str_make(s.p + n + 1, s.len - n - 1);
	}
	vg_jw_arr_close(w);
}

static void name_obj(struct vg_jw *w, const char *key, const char *name)
{
	if (!name)
		return;
	vg_jw_obj_open(w, key);
	vg_jw_str(w, "name", name);
	vg_jw_obj_close(w);
}

int vg_ecs_encode(const struct vg_event *ev, struct vg_buf *out)
{
	if (!ev || !out)
		return VG_EINVAL;
	struct vg_jw w;
	vg_jw_init(&w, out);
	vg_jw_obj_open(&w, NULL);
	ts_field(&w, "@timestamp", ev->ts_us);
	vg_jw_obj_open(&w, "ecs");
	vg_jw_str(&w, "version", VG_ECS_VERSION);
	vg_jw_obj_close(&w);
	write_event(&w, ev);

	bool flow = ev->type == VG_EVT_FLOW;
	bool ports = ev->proto == 6 || ev->proto == 17 || ev->proto == 132 ||
		     (ev->proto == 0 && (ev->sport || ev->dport));
	write_endpoint(&w, "source", &ev->src, ev->sport, ports, flow, ev->u.flow.pkts_toserver,
		       ev->u.flow.bytes_toserver);
	write_endpoint(&w, "destination", &ev->dst, ev->dport, ports, flow, ev->u.flow.pkts_toclient,
		       ev->u.flow.bytes_toclient);
	const char *app = ev->app_proto;
	if (!app && flow)
		app = ev->u.flow.app_proto;
	write_network(&w, ev, app);

	bool has_rule = ev->rule.sid || ev->rule.signature || ev->rule.detector != VG_DET_NONE;
	if (has_rule || ev->type == VG_EVT_ALERT)
		write_rule(&w, &ev->rule);
	if (ev->rule.tags)
		write_tags(&w, ev->rule.tags);
	name_obj(&w, "user", ev->user);
	name_obj(&w, "host", ev->host);
	name_obj(&w, "service", ev->service);
	if (ev->process || ev->pid >= 0) {
		vg_jw_obj_open(&w, "process");
		if (ev->process)
			vg_jw_str(&w, "name", ev->process);
		if (ev->pid >= 0)
			vg_jw_i64(&w, "pid", ev->pid);
		vg_jw_obj_close(&w);
	}
	if (ev->message)
		vg_jw_str(&w, "message", ev->message);
	if (ev->source_name) {
		vg_jw_obj_open(&w, "log");
		vg_jw_obj_open(&w, "file");
		vg_jw_str(&w, "path", ev->source_name);
		vg_jw_obj_close(&w);
		vg_jw_obj_close(&w);
	}
	vg_jw_obj_open(&w, "observer");
	vg_jw_str(&w, "product", "vigil");
	vg_jw_str(&w, "vendor", "vigil");
	vg_jw_str(&w, "type", "ids");
	vg_jw_obj_close(&w);
	if (ev->tenant) {
		vg_jw_obj_open(&w, "cloud");
		name_obj(&w, "account", ev->tenant);
		vg_jw_obj_close(&w);
		name_obj(&w, "organization", ev->tenant);
	}
	vg_eve_write_extra(&w, ev->extra, ecs_reserved);
	vg_jw_members(&w, ev->extra_json, ev->extra_json_len);

	vg_jw_obj_open(&w, "vigil");
	if (ev->tenant)
		vg_jw_str(&w, "tenant", ev->tenant);
	vg_jw_str(&w, "event_type", vg_event_type_name(ev->type));
	if (ev->rule.detector != VG_DET_NONE)
		vg_jw_str(&w, "detector", vg_detector_name(ev->rule.detector));
	if (ev->rule.action)
		vg_jw_str(&w, "alert_action", ev->rule.action);
	if (ev->has_vni)
		vg_jw_u64(&w, "vni", ev->vni);
	if (ev->episode_id)
		vg_jw_u64(&w, "episode_id", ev->episode_id);
	if (ev->flow_id)
		vg_jw_u64(&w, "flow_id", ev->flow_id);
	if (ev->has_icmp) {
		vg_jw_obj_open(&w, "icmp");
		vg_jw_u64(&w, "type", ev->icmp_type);
		vg_jw_u64(&w, "code", ev->icmp_code);
		vg_jw_obj_close(&w);
	}
	if (flow) {
		const struct vg_ev_flow *f = &ev->u.flow;
		char hex[3];
		vg_jw_obj_open(&w, "flow");
		if (f->state)
			vg_jw_str(&w, "state", f->state);
		if (f->reason)
			vg_jw_str(&w, "reason", f->reason);
		vg_jw_bool(&w, "alerted", f->alerted);
		if (ev->proto == 6) {
			snprintf(hex, sizeof(hex), "%02x", (unsigned)(f->tcp_flags_ts | f->tcp_flags_tc));
			vg_jw_str(&w, "tcp_flags", hex);
			snprintf(hex, sizeof(hex), "%02x", f->tcp_flags_ts);
			vg_jw_str(&w, "tcp_flags_ts", hex);
			snprintf(hex, sizeof(hex), "%02x", f->tcp_flags_tc);
			vg_jw_str(&w, "tcp_flags_tc", hex);
		}
		vg_jw_obj_close(&w);
	}
	if (ev->type == VG_EVT_ANOMALY) {
		vg_jw_obj_open(&w, "anomaly");
		if (ev->u.anomaly.type)
			vg_jw_str(&w, "type", ev->u.anomaly.type);
		if (ev->u.anomaly.event)
			vg_jw_str(&w, "event", ev->u.anomaly.event);
		if (ev->u.anomaly.layer)
			vg_jw_str(&w, "layer", ev->u.anomaly.layer);
		vg_jw_obj_close(&w);
	}
	if (vg_event_has_scan(ev))
		vg_eve_write_scan(&w, &ev->u.scan, false);
	if (vg_event_has_flood(ev))
		vg_eve_write_flood(&w, &ev->u.flood, false);
	vg_jw_obj_close(&w);

	vg_jw_obj_close(&w);
	return vg_jw_finish(&w);
}
