/* core-eve.c — vg_event → Suricata EVE JSON (see core-eve.h for the field layout). */
#include "core/core-eve.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/core-error.h"

const char *vg_eve_proto_name(uint8_t proto, char buf[4])
{
	switch (proto) {
	case 1: return "ICMP";
	case 6: return "TCP";
	case 17: return "UDP";
	case 47: return "GRE";
	case 50: return "ESP";
	case 58: return "IPv6-ICMP";
	case 132: return "SCTP";
	}
	snprintf(buf, 4, "%u", proto);
	return buf;
}

static void ts_field(struct vg_jw *w, const char *key, int64_t us, bool eve)
{
	char ts[40];
	vg_jw_str(w, key, eve ? vg_json_ts_eve(us, ts) : vg_json_ts_iso(us, ts));
}

static void addr_field(struct vg_jw *w, const char *key, const struct vg_addr *a)
{
	char s[VG_ADDR_STRLEN];
	vg_jw_str(w, key, vg_addr_format(a, s));
}

void vg_eve_write_scan(struct vg_jw *w, const struct vg_ev_scan *s, bool eve)
{
	vg_jw_obj_open(w, "scan");
	if (s->technique)
		vg_jw_str(w, "technique", s->technique);
	vg_jw_bool(w, "horizontal", s->horizontal);
	vg_jw_u64(w, "ports", s->ports);
	vg_jw_u64(w, "hosts", s->hosts);
	vg_jw_u64(w, "probes", s->probes);
	if (s->first_us)
		ts_field(w, "first_seen", s->first_us, eve);
	if (s->last_us)
		ts_field(w, "last_seen", s->last_us, eve);
	vg_jw_arr_open(w, "targets");
	for (uint32_t i = 0; s->targets && i < s->n_targets; i++)
		addr_field(w, NULL, &s->targets[i]);
	vg_jw_arr_close(w);
	vg_jw_arr_open(w, "ports_sample");
	for (uint32_t i = 0; s->port_list && i < s->n_ports_listed; i++)
		vg_jw_u64(w, NULL, s->port_list[i]);
	vg_jw_arr_close(w);
	vg_jw_obj_close(w);
}

void vg_eve_write_flood(struct vg_jw *w, const struct vg_ev_flood *f, bool eve)
{
	vg_jw_obj_open(w, "flood");
	if (f->kind)
		vg_jw_str(w, "kind", f->kind);
	if (f->start_us)
		ts_field(w, "start", f->start_us, eve);
	if (f->end_us)
		ts_field(w, "end", f->end_us, eve);
	vg_jw_bool(w, "ended", f->ended);
	vg_jw_u64(w, "packets", f->packets);
	vg_jw_u64(w, "bytes", f->bytes);
	vg_jw_u64(w, "peak_pps", f->peak_pps);
	vg_jw_u64(w, "sources_estimate", f->sources_est);
	vg_jw_obj_close(w);
}

void vg_eve_write_extra(struct vg_jw *w, const json_t *extra, bool (*reserved)(const char *))
{
	if (!extra || !json_is_object(extra))
		return;
	const char *k;
	json_t *v;
	/* json_object_foreach wants a non-const object; iteration does not modify it. */
	json_t *obj = (json_t *)extra;
	json_object_foreach(obj, k, v) {
		if (reserved && reserved(k)) {
			char name[VG_MAX_NAME + 3];
			snprintf(name, sizeof(name), "x_%s", k);
			vg_jw_json(w, name, v);
		} else {
			vg_jw_json(w, k, v);
		}
	}
}

static bool eve_reserved(const char *k)
{
	static const char *const names[] = { "timestamp", "flow_id", "event_type", "vlan", "src_ip",
					     "src_port", "dest_ip", "dest_port", "proto", "icmp_type",
					     "icmp_code", "app_proto", "tenant", "alert", "flow", "tcp",
					     "anomaly", "log", "vigil", NULL };
	for (size_t i = 0; names[i]; i++)
		if (strcmp(k, names[i]) == 0)
			return true;
	return false;
}

/* Comma-separated tags → JSON array of trimmed, non-empty items. */
static void write_list(struct vg_jw *w, const char *key, const char *csv)
{
	vg_jw_arr_open(w, key);
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

/* Suricata's alert.metadata: {key: [value, ...]} from "key value" entries, keys in
 * order of first appearance; an entry without a value is a key with an empty list. */
static void write_rule_metadata(struct vg_jw *w, const struct vg_ev_rule *r)
{
	vg_jw_obj_open(w, "metadata");
	for (size_t i = 0; i < r->n_metadata; i++) {
		struct vg_str e = vg_str_trim(vg_str_cstr(r->metadata[i]));
		long sp = vg_str_chr(e, ' ');
		size_t klen = sp < 0 ? e.len : (size_t)sp;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++) {
			struct vg_str o = vg_str_trim(vg_str_cstr(r->metadata[j]));
			long osp = vg_str_chr(o, ' ');
			size_t olen = osp < 0 ? o.len : (size_t)osp;
			seen = olen == klen && memcmp(o.p, e.p, klen) == 0;
		}
		if (seen || klen == 0)
			continue;
		char key[128];
		vg_strlcpy(key, e.p, klen, sizeof(key));
		vg_jw_arr_open(w, key);
		for (size_t j = i; j < r->n_metadata; j++) {
			struct vg_str o = vg_str_trim(vg_str_cstr(r->metadata[j]));
			long osp = vg_str_chr(o, ' ');
			size_t olen = osp < 0 ? o.len : (size_t)osp;
			if (olen != klen || memcmp(o.p, e.p, klen) != 0 || osp < 0)
				continue;
			struct vg_str v = vg_str_trim(vg_str_make(o.p + olen, o.len - olen));
			vg_jw_strn(w, NULL, v.p, v.len);
		}
		vg_jw_arr_close(w);
	}
	if (r->reference) {
		vg_jw_arr_open(w, "reference");
		vg_jw_str(w, NULL, r->reference);
		vg_jw_arr_close(w);
	}
	vg_jw_obj_close(w);
}

static void write_alert(struct vg_jw *w, const struct vg_ev_rule *r)
{
	vg_jw_obj_open(w, "alert");
	vg_jw_str(w, "action", r->action ? r->action : "allowed");
	vg_jw_u64(w, "gid", r->gid ? r->gid : 1); /* Suricata's default generator id */
	vg_jw_u64(w, "signature_id", r->sid);
	vg_jw_u64(w, "rev", r->rev);
	vg_jw_str(w, "signature", r->signature ? r->signature : "");
	vg_jw_str(w, "category", r->category ? r->category : "");
	vg_jw_i64(w, "severity", r->severity ? r->severity : 3);
	if (r->n_metadata) {
		write_rule_metadata(w, r);
	} else if (r->tags || r->reference) {
		/* EVE's metadata is a map of lists (from the rule's metadata keyword). */
		vg_jw_obj_open(w, "metadata");
		if (r->tags)
			write_list(w, "tags", r->tags);
		if (r->reference) {
			vg_jw_arr_open(w, "reference");
			vg_jw_str(w, NULL, r->reference);
			vg_jw_arr_close(w);
		}
		vg_jw_obj_close(w);
	}
	vg_jw_obj_close(w);
}

static void write_tcp(struct vg_jw *w, uint8_t ts, uint8_t tc)
{
	static const char *const names[8] = { "fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr" };
	char hex[3];
	uint8_t all = (uint8_t)(ts | tc);
	vg_jw_obj_open(w, "tcp");
	snprintf(hex, sizeof(hex), "%02x", all);
	vg_jw_str(w, "tcp_flags", hex);
	snprintf(hex, sizeof(hex), "%02x", ts);
	vg_jw_str(w, "tcp_flags_ts", hex);
	snprintf(hex, sizeof(hex), "%02x", tc);
	vg_jw_str(w, "tcp_flags_tc", hex);
	for (unsigned i = 0; i < 8; i++)
		if (all & (1u << i))
			vg_jw_bool(w, names[i], true);
	vg_jw_obj_close(w);
}

static void write_flow(struct vg_jw *w, const struct vg_ev_flow *f)
{
	vg_jw_obj_open(w, "flow");
	vg_jw_u64(w, "pkts_toserver", f->pkts_toserver);
	vg_jw_u64(w, "pkts_toclient", f->pkts_toclient);
	vg_jw_u64(w, "bytes_toserver", f->bytes_toserver);
	vg_jw_u64(w, "bytes_toclient", f->bytes_toclient);
	ts_field(w, "start", f->start_us, true);
	ts_field(w, "end", f->end_us, true);
	int64_t age = f->end_us > f->start_us ? (f->end_us - f->start_us) / 1000000 : 0;
	vg_jw_i64(w, "age", age);
	if (f->state)
		vg_jw_str(w, "state", f->state);
	if (f->reason)
		vg_jw_str(w, "reason", f->reason);
	vg_jw_bool(w, "alerted", f->alerted);
	vg_jw_obj_close(w);
}

static bool has_log_fields(const struct vg_event *ev)
{
	return ev->user || ev->host || ev->service || ev->process || ev->pid >= 0 || ev->message ||
	       ev->source_name;
}

static void write_log(struct vg_jw *w, const struct vg_event *ev)
{
	vg_jw_obj_open(w, "log");
	if (ev->host)
		vg_jw_str(w, "host", ev->host);
	if (ev->service)
		vg_jw_str(w, "service", ev->service);
	if (ev->process)
		vg_jw_str(w, "process", ev->process);
	if (ev->pid >= 0)
		vg_jw_i64(w, "pid", ev->pid);
	if (ev->user)
		vg_jw_str(w, "user", ev->user);
	if (ev->message)
		vg_jw_str(w, "message", ev->message);
	if (ev->source_name)
		vg_jw_str(w, "source", ev->source_name);
	vg_jw_obj_close(w);
}

int vg_eve_encode(const struct vg_event *ev, struct vg_buf *out)
{
	if (!ev || !out)
		return VG_EINVAL;
	struct vg_jw w;
	char pbuf[4];
	vg_jw_init(&w, out);
	vg_jw_obj_open(&w, NULL);
	ts_field(&w, "timestamp", ev->ts_us, true);
	if (ev->flow_id)
		vg_jw_u64(&w, "flow_id", ev->flow_id);
	vg_jw_str(&w, "event_type", vg_event_type_name(ev->type));
	if (ev->n_vlan) {
		vg_jw_arr_open(&w, "vlan");
		for (unsigned i = 0; i < ev->n_vlan && i < 2; i++)
			vg_jw_u64(&w, NULL, ev->vlan[i]);
		vg_jw_arr_close(&w);
	}
	bool ports = ev->proto == 6 || ev->proto == 17 || ev->proto == 132 ||
		     (ev->proto == 0 && (ev->sport || ev->dport));
	if (ev->src.family != VG_AF_NONE)
		addr_field(&w, "src_ip", &ev->src);
	if (ports)
		vg_jw_u64(&w, "src_port", ev->sport);
	if (ev->dst.family != VG_AF_NONE)
		addr_field(&w, "dest_ip", &ev->dst);
	if (ports)
		vg_jw_u64(&w, "dest_port", ev->dport);
	if (ev->proto)
		vg_jw_str(&w, "proto", vg_eve_proto_name(ev->proto, pbuf));
	if (ev->has_icmp) {
		vg_jw_u64(&w, "icmp_type", ev->icmp_type);
		vg_jw_u64(&w, "icmp_code", ev->icmp_code);
	}
	const char *app = ev->app_proto;
	if (!app && ev->type == VG_EVT_FLOW)
		app = ev->u.flow.app_proto;
	if (app)
		vg_jw_str(&w, "app_proto", app);
	if (ev->tenant)
		vg_jw_str(&w, "tenant", ev->tenant);

	bool has_rule = ev->rule.sid || ev->rule.signature || ev->rule.detector != VG_DET_NONE;
	if (ev->type == VG_EVT_ALERT || (ev->type == VG_EVT_EPISODE && has_rule))
		write_alert(&w, &ev->rule);
	if (ev->type == VG_EVT_FLOW) {
		write_flow(&w, &ev->u.flow);
		if (ev->proto == 6)
			write_tcp(&w, ev->u.flow.tcp_flags_ts, ev->u.flow.tcp_flags_tc);
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
	if (has_log_fields(ev))
		write_log(&w, ev);
	vg_eve_write_extra(&w, ev->extra, eve_reserved);
	vg_jw_members(&w, ev->extra_json, ev->extra_json_len);

	vg_jw_obj_open(&w, "vigil");
	if (ev->tenant)
		vg_jw_str(&w, "tenant", ev->tenant);
	if (ev->rule.detector != VG_DET_NONE)
		vg_jw_str(&w, "detector", vg_detector_name(ev->rule.detector));
	if (ev->has_vni)
		vg_jw_u64(&w, "vni", ev->vni);
	if (ev->episode_id)
		vg_jw_u64(&w, "episode_id", ev->episode_id);
	if (ev->category)
		vg_jw_str(&w, "category", ev->category);
	if (ev->action)
		vg_jw_str(&w, "action", ev->action);
	if (vg_outcome_name(ev->outcome))
		vg_jw_str(&w, "outcome", vg_outcome_name(ev->outcome));
	if (has_rule && ev->type != VG_EVT_ALERT && ev->type != VG_EVT_EPISODE) {
		/* A rule on a non-alert event (a correlation rule tagging a log line): keep it,
		 * but not as "alert", which EVE tools count as alerts. */
		struct vg_jw *jw = &w;
		vg_jw_obj_open(jw, "rule");
		vg_jw_u64(jw, "gid", ev->rule.gid ? ev->rule.gid : 1);
		vg_jw_u64(jw, "signature_id", ev->rule.sid);
		vg_jw_u64(jw, "rev", ev->rule.rev);
		if (ev->rule.signature)
			vg_jw_str(jw, "signature", ev->rule.signature);
		if (ev->rule.category)
			vg_jw_str(jw, "category", ev->rule.category);
		if (ev->rule.severity)
			vg_jw_i64(jw, "severity", ev->rule.severity);
		if (ev->rule.reference)
			vg_jw_str(jw, "reference", ev->rule.reference);
		if (ev->rule.tags)
			write_list(jw, "tags", ev->rule.tags);
		vg_jw_obj_close(jw);
	}
	if (vg_event_has_scan(ev))
		vg_eve_write_scan(&w, &ev->u.scan, true);
	if (vg_event_has_flood(ev))
		vg_eve_write_flood(&w, &ev->u.flood, true);
	vg_jw_obj_close(&w);

	vg_jw_obj_close(&w);
	return vg_jw_finish(&w);
}
