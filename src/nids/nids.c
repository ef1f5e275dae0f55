/* nids.c — the packet path: decode → defrag → tenant → scan/flood → flow → stream → app,
 * with every part's events funnelled into one sink (see nids.h for the order and the
 * time rules). The parts own their state; this file only wires them and counts. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/core-error.h"
#include "core/limits.h"
#include "detect/detect-sig.h"
#include "nids/nids.h"

/* Per TCP/UDP flow: its stream (TCP) and app-layer state, in a flow storage slot. */
struct nids_app {
	struct vg_nids *n;
	struct vg_flow *flow;       /* valid while the flow lives; the slot dies with it */
	struct vg_stream *stream;   /* TCP only; NULL when refused by the stream memcap */
	struct vg_app_flow *app;
};

struct vg_nids {
	struct vg_nids_config cfg;
	const struct vg_tenants *tenants;
	struct vg_event_sink out;       /* the caller's */
	struct vg_event_sink flow_sink; /* flow records from the table */
	struct vg_event_sink det_sink;  /* alerts and episodes from the detectors */
	struct vg_flow_table *flows;
	struct vg_stream_ctx *sctx;
	struct vg_defrag *defrag;
	struct vg_detect_scan *scan;
	struct vg_detect_flood *flood;
	struct vg_sig_engine *sig;      /* borrowed; NULL without rules */
	struct vg_nba *nba;             /* NULL unless detect.nba.enabled */
	struct vg_ioc_ref *ioc;         /* borrowed; NULL without IoC lists */
	int app_slot;
	int64_t now_us;
	int64_t tick_end_us;            /* end of the packet-time second of the last timer run */
	int64_t stats_due_us;
	bool started;
	int64_t an_epoch_s;             /* second of an_count */
	uint32_t an_count[VG_AN__COUNT];
	struct vg_nids_stats st;
	/* counters of detectors replaced by vg_nids_restart, added to the live ones */
	struct vg_detect_scan_stats scan_acc;
	struct vg_detect_flood_stats flood_acc;
};

/* ---- output ------------------------------------------------------------------- */

static int emit(struct vg_nids *n, const struct vg_event *ev)
{
	n->st.events++;
	if (ev->type == VG_EVT_ALERT)
		n->st.alerts++;
	int rc = vg_event_emit(&n->out, ev);
	if (rc)
		n->st.event_errors++;
	return rc;
}

static int flow_sink_emit(void *ctx, const struct vg_event *ev)
{
	struct vg_nids *n = ctx;
	if (!(n->cfg.outputs & VG_NIDS_OUT_FLOW))
		return 0;
	return emit(n, ev);
}

static int det_sink_emit(void *ctx, const struct vg_event *ev)
{
	/* sig/ioc/nba: alerts of other detectors go through here too */
	return emit(ctx, ev);
}

/* ---- IoC matching (detect-ioc.h) ------------------------------------------------ */

static void ioc_alert(struct vg_nids *n, struct vg_flow *f, const struct vg_ioc_match *m,
		      const char *field, const char *app_proto, json_t *extra)
{
	struct vg_event ev;
	vg_flow_fill_event(f, NULL, n->now_us, &ev);
	memset(&ev.u, 0, sizeof(ev.u));
	ev.app_proto = app_proto;
	ev.extra = extra;
	f->alerted = true;
	(void)vg_ioc_alert_emit(&n->det_sink, &ev, m, field);
}

static void ioc_str(struct vg_nids *n, struct vg_flow *f, json_t *obj, const char *key,
		    const char *field, const char *app_proto, json_t *extra)
{
	const struct vg_ioc_set *s = vg_ioc_current(n->ioc);
	json_t *v = json_object_get(obj, key);
	const char *str = json_string_value(v);
	if (!s || !str)
		return;
	size_t len = json_string_length(v);
	struct vg_ioc_match m;
	int rc;
	if (strcmp(field, "http.url") == 0) {
		json_t *h = json_object_get(obj, "hostname");
		rc = vg_ioc_match_http(s, false, json_string_value(h) ? json_string_value(h) : "",
				       json_string_length(h), str, len, &m);
	} else if (strcmp(field, "tls.sni") == 0) {
		rc = vg_ioc_match_sni(s, str, len, &m);
	} else if (strcmp(field, "tls.ja3.hash") == 0 || strcmp(field, "tls.ja3s.hash") == 0) {
		rc = vg_ioc_match_ja3(s, strcmp(field, "tls.ja3s.hash") == 0, str, len, &m);
	} else {
		rc = vg_ioc_match_domain(s, str, len, &m);
	}
	/* an address as HTTP host was looked up with the flow's addresses already */
	if (rc == 0 && m.type != VG_IOC_ADDR)
		ioc_alert(n, f, &m, field, app_proto, extra);
}

/* The app layer's EVE objects carry what the lists are matched against. */
static void ioc_app(struct vg_nids *n, struct vg_flow *f, enum vg_app_proto proto, json_t *extra)
{
	const char *ap = vg_app_proto_name(proto);
	if (proto == VG_APP_DNS) {
		json_t *d = json_object_get(extra, "dns");
		if (json_is_string(json_object_get(d, "type")) &&
		    strcmp(json_string_value(json_object_get(d, "type")), "query") == 0)
			ioc_str(n, f, d, "rrname", "dns.query", ap, extra);
	} else if (proto == VG_APP_HTTP) {
		json_t *h = json_object_get(extra, "http");
		ioc_str(n, f, h, "hostname", "http.hostname", ap, extra);
		ioc_str(n, f, h, "url", "http.url", ap, extra);
	} else if (proto == VG_APP_TLS) {
		json_t *t = json_object_get(extra, "tls");
		ioc_str(n, f, t, "sni", "tls.sni", ap, extra);
		ioc_str(n, f, json_object_get(t, "ja3"), "hash", "tls.ja3.hash", ap, extra);
		ioc_str(n, f, json_object_get(t, "ja3s"), "hash", "tls.ja3s.hash", ap, extra);
	}
}

/* A new flow's addresses. */
static void ioc_flow(struct vg_nids *n, struct vg_flow *f, const struct vg_packet *p)
{
	const struct vg_ioc_set *s = vg_ioc_current(n->ioc);
	struct vg_ioc_match m;
	if (s && vg_ioc_match_addr(s, &p->src, &m) == 0)
		ioc_alert(n, f, &m, "src_ip", NULL, NULL);
	if (s && vg_ioc_match_addr(s, &p->dst, &m) == 0)
		ioc_alert(n, f, &m, "dest_ip", NULL, NULL);
}

void vg_nids_set_ioc(struct vg_nids *n, struct vg_ioc_ref *ref)
{
	if (n)
		n->ioc = ref;
}

/* ---- network behavioural analysis (detect-nba.h) -------------------------------- */

static void nba_tuple(struct vg_nba_flow *t, const struct vg_event *ev, const struct vg_flow *f)
{
	memset(t, 0, sizeof(*t));
	t->src = ev->src;
	t->dst = ev->dst;
	t->sport = ev->sport;
	t->dport = ev->dport;
	t->proto = ev->proto;
	t->has_vni = ev->has_vni;
	t->vni = ev->vni;
	t->vlan = ev->n_vlan ? ev->vlan[ev->n_vlan - 1] : 0;
	t->tenant = f->tenant;
	t->start_us = f->start_us;
	t->end_us = f->last_us;
}

static void nba_flow(struct vg_nba *nba, const struct vg_flow *f, bool end, int64_t now_us)
{
	struct vg_event ev;
	struct vg_nba_flow t;
	vg_flow_fill_event(f, NULL, now_us, &ev); /* src/dst are client/server */
	nba_tuple(&t, &ev, f);
	if (!end) {
		(void)vg_nba_flow_start(nba, &t, f->start_us);
		return;
	}
	t.pkts_toserver = ev.u.flow.pkts_toserver;
	t.pkts_toclient = ev.u.flow.pkts_toclient;
	t.bytes_toserver = ev.u.flow.bytes_toserver;
	t.bytes_toclient = ev.u.flow.bytes_toclient;
	(void)vg_nba_flow_end(nba, &t);
}

/* ---- app layer ---------------------------------------------------------------- */

static enum vg_event_type app_event_type(enum vg_app_proto p)
{
	switch (p) {
	case VG_APP_HTTP: return VG_EVT_HTTP;
	case VG_APP_HTTP2: return VG_EVT_HTTP;
	case VG_APP_DNS: return VG_EVT_DNS;
	case VG_APP_TLS: return VG_EVT_TLS;
	case VG_APP_SSH: return VG_EVT_SSH;
	default: return 0;
	}
}

/* An app-layer anomaly (app.h: vg_app_event_anomaly) → an "anomaly" event, type applayer */
static void app_anomaly(struct vg_nids *n, struct vg_flow *flow, enum vg_app_proto proto, const char *event,
			const char *layer)
{
	if (!(n->cfg.outputs & VG_NIDS_OUT_ANOMALY))
		return;
	n->st.anomaly_events++;
	struct vg_event ev;
	vg_flow_fill_event(flow, NULL, n->now_us, &ev);
	memset(&ev.u, 0, sizeof(ev.u));
	ev.type = VG_EVT_ANOMALY;
	ev.action = "anomaly";
	ev.app_proto = vg_app_proto_name(proto);
	ev.u.anomaly.type = "applayer";
	ev.u.anomaly.event = event;
	ev.u.anomaly.layer = layer;
	emit(n, &ev);
}

static void on_app_event(void *ctx, enum vg_app_proto proto, int dir, json_t *extra)
{
	(void)dir;
	struct nids_app *a = ctx;
	struct vg_nids *n = a->n;
	const char *an_layer;
	const char *an = vg_app_event_anomaly(extra, &an_layer);
	if (an) {
		app_anomaly(n, a->flow, proto, an, an_layer);
		return;
	}
	enum vg_event_type t = app_event_type(proto);
	if (!t)
		return;
	n->st.app_events++;
	a->flow->app_proto = vg_app_proto_name(proto);
	if (n->ioc)
		ioc_app(n, a->flow, proto, extra);
	if (!(n->cfg.outputs & VG_NIDS_OUT_APP))
		return;
	struct vg_event ev;
	vg_flow_fill_event(a->flow, NULL, n->now_us, &ev);
	memset(&ev.u, 0, sizeof(ev.u));
	ev.type = t;
	ev.action = vg_app_proto_name(proto);
	ev.app_proto = ev.action;
	ev.extra = extra;
	emit(n, &ev);
}

/* sig: the app layer's parsed objects, inspected as they appear */
static void sig_http(void *ctx, const struct vg_http_tx *tx, unsigned what)
{
	struct nids_app *a = ctx;
	vg_sig_http_tx(a->n->sig, a->flow, tx, what, a->n->now_us);
}

static void sig_dns(void *ctx, int dir, const struct vg_dns_msg *m)
{
	struct nids_app *a = ctx;
	vg_sig_dns(a->n->sig, a->flow, dir, m, a->n->now_us);
}

static void sig_tls(void *ctx, int dir, const struct vg_tls_info *info, unsigned events)
{
	struct nids_app *a = ctx;
	vg_sig_tls(a->n->sig, a->flow, dir, info, events, a->n->now_us);
}

/* Slot value of a flow whose app-layer state was refused (allocation or stream memcap):
 * it goes without app layer for the rest of its life, as before lazy creation. */
static char app_refused_mark;
#define APP_REFUSED ((void *)&app_refused_mark)

static void app_free(void *p)
{
	struct nids_app *a = p;
	if (!a || p == APP_REFUSED)
		return;
	vg_stream_free(a->stream);
	vg_app_flow_free(a->app);
	free(a);
}

/* The flow's app-layer state, NULL when it has none (yet, or refused). */
static struct nids_app *app_get(const struct vg_nids *n, const struct vg_flow *f)
{
	void *v = vg_flow_storage_get(f, n->app_slot);
	return v == APP_REFUSED ? NULL : v;
}

/* The flow ends: deliver what the stream still holds, close the parsers, so that their
 * last events (and the flow's app_proto) precede the flow record. */
static void on_flow_end(void *ctx, struct vg_flow *f, const char *reason)
{
	(void)reason;
	struct vg_nids *n = ctx;
	struct nids_app *a = app_get(n, f);
	if (!a) {
		if (n->nba)
			nba_flow(n->nba, f, true, n->now_us);
		return;
	}
	a->flow = f;
	if (a->stream)
		vg_stream_flush(a->stream);
	else if (a->app) {
		vg_app_flow_eof(a->app, VG_APP_TOSERVER);
		vg_app_flow_eof(a->app, VG_APP_TOCLIENT);
	}
	enum vg_app_proto p = a->app ? vg_app_flow_proto(a->app) : VG_APP_UNKNOWN;
	if (p != VG_APP_UNKNOWN && p != VG_APP_FAILED)
		f->app_proto = vg_app_proto_name(p);
	if (n->nba)
		nba_flow(n->nba, f, true, n->now_us);
}

/* What a stream created at a flow's first payload byte would have learnt from the
 * flow's earlier, payload-less packets: each direction's first SYN (its initial sequence
 * number) and a FIN right after it. The flow record keeps both (syn_seq, tcp_flags). A
 * FIN of a direction without a SYN is not replayed: without midstream pick-up that
 * direction is not tracked anyway. */
static void stream_replay(struct vg_stream *s, const struct vg_flow *f, int dir,
			  const struct vg_packet *p)
{
	for (int d = 0; d < 2; d++) {
		if (!(f->tcp_flags[d] & VG_TH_SYN))
			continue;
		(void)vg_stream_segment(s, d, f->syn_seq[d], VG_STREAM_SYN, NULL, 0, f->start_us);
		/* a FIN on the packet that triggers creation is its own: it follows its data */
		if ((f->tcp_flags[d] & VG_TH_FIN) && !(d == dir && (p->tcp_flags & VG_TH_FIN)))
			(void)vg_stream_segment(s, d, f->syn_seq[d] + 1, VG_STREAM_FIN, NULL, 0,
						f->start_us);
	}
}

/* The flow's stream and app-layer state, created on demand. Stream and parsers cost
 * ~400 B per flow, and most flows of a busy sensor (scan probes, flood packets,
 * handshakes without data) never carry a byte: so without signatures the state is made
 * at the flow's first payload byte, with the stream told what it missed (stream_replay);
 * a flow without payload never gets any. With signatures it is made at the first packet,
 * since keywords such as stream_size look at every packet's stream. A flow that was
 * refused its state (allocation, stream memcap) goes on without app layer. */
static struct nids_app *app_of(struct vg_nids *n, struct vg_flow *f, int dir,
			       const struct vg_packet *p)
{
	void *v = vg_flow_storage_get(f, n->app_slot);
	struct nids_app *a = v;
	if (v == APP_REFUSED)
		return NULL;
	if (a) {
		a->flow = f;
		return a;
	}
	bool eager = n->sig != NULL;
	/* the client's ports: the flow's initiator side of the key */
	bool a1 = (f->flags & VG_FLOW_F_INIT_A1) != 0;
	uint16_t cport = a1 ? f->key.p1 : f->key.p2, sport = a1 ? f->key.p2 : f->key.p1;
	if (eager ? !vg_flow_is_new(f) : p->payload_len == 0)
		return NULL;
	if (!eager && p->proto == 6 && (f->flags & VG_FLOW_F_RST))
		return NULL; /* reset before any data: the stream would ignore it */
	/* UDP: the app layer probes each datagram on its own and keeps nothing until one is
	 * recognised (vg_app_flow_udp), so the state waits for that datagram. */
	if (!eager && p->proto == 17 &&
	    vg_app_detect(p->payload, p->payload_len, dir, 17, cport, sport) != VG_APP_DNS)
		return NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		goto refused;
	a->n = n;
	a->flow = f;
	a->app = vg_app_flow_new(p->proto, cport, sport, on_app_event, a);
	if (!a->app)
		goto refused;
	if (n->sig) {
		struct vg_app_inspect h = { sig_http, sig_dns, sig_tls, a };
		vg_app_flow_set_inspect(a->app, &h);
	}
	if (p->proto == 6) {
		if (vg_stream_new(n->sctx, vg_app_flow_stream_cb, a->app, &a->stream) != VG_OK)
			goto refused;
		if (!eager)
			stream_replay(a->stream, f, dir, p);
	}
	if (vg_flow_storage_set(f, n->app_slot, a) != VG_OK)
		goto refused;
	return a;
refused:
	n->st.app_flows_refused++;
	app_free(a);
	(void)vg_flow_storage_set(f, n->app_slot, APP_REFUSED);
	return NULL;
}

static void app_packet(struct vg_nids *n, struct vg_flow *f, int dir, const struct vg_packet *p)
{
	if (!n->cfg.app_enabled || (p->proto != 6 && p->proto != 17))
		return;
	struct nids_app *a = app_of(n, f, dir, p);
	if (!a)
		return;
	if (p->proto == 6) {
		(void)vg_stream_segment(a->stream, dir, p->tcp_seq, p->tcp_flags, p->payload,
					p->payload_len, p->ts_us);
	} else if (p->payload_len > 0) {
		(void)vg_app_flow_udp(a->app, dir, p->payload, p->payload_len);
	}
}

/* ---- anomalies ---------------------------------------------------------------- */

static void report_anomalies(struct vg_nids *n, const struct vg_packet *p, const char *tenant)
{
	int64_t sec = p->ts_us / 1000000;
	if (sec != n->an_epoch_s) {
		n->an_epoch_s = sec;
		memset(n->an_count, 0, sizeof(n->an_count));
	}
	for (unsigned i = 0; i < p->n_anomalies; i++) {
		unsigned code = p->anomalies[i];
		if (code >= VG_AN__COUNT)
			continue;
		n->st.anomalies++;
		n->st.anomalies_by_type[code]++;
		if (!(n->cfg.outputs & VG_NIDS_OUT_ANOMALY))
			continue;
		if (n->cfg.anomaly_rate && n->an_count[code] >= n->cfg.anomaly_rate) {
			n->st.anomaly_suppressed++;
			continue;
		}
		n->an_count[code]++;
		n->st.anomaly_events++;
		struct vg_event ev;
		vg_event_init(&ev, VG_EVT_ANOMALY, p->ts_us);
		ev.tenant = tenant;
		ev.category = "network";
		ev.action = "anomaly";
		ev.src = p->src;
		ev.dst = p->dst;
		ev.sport = p->sport;
		ev.dport = p->dport;
		ev.proto = p->proto;
		ev.has_vni = p->has_vni;
		ev.vni = p->vni;
		ev.n_vlan = p->n_vlan;
		ev.vlan[0] = p->vlan[0];
		ev.vlan[1] = p->vlan[1];
		ev.u.anomaly.type = "decode";
		ev.u.anomaly.event = vg_decode_anomaly_name(code);
		ev.u.anomaly.layer = vg_decode_anomaly_layer(code);
		emit(n, &ev);
	}
	n->st.anomalies += p->anomalies_dropped;
}

/* ---- timers ------------------------------------------------------------------- */

static void emit_stats(struct vg_nids *n)
{
	if (!(n->cfg.outputs & VG_NIDS_OUT_STATS))
		return;
	json_t *s = vg_nids_stats_json(n);
	json_t *extra = s ? json_pack("{s:o}", "stats", s) : NULL;
	if (!extra)
		return;
	struct vg_event ev;
	vg_event_init(&ev, VG_EVT_STATS, n->now_us);
	ev.category = "host";
	ev.action = "stats";
	ev.extra = extra;
	emit(n, &ev);
	json_decref(extra);
}

static void run_timers(struct vg_nids *n, int64_t now_us)
{
	/* now_us never goes back within a timeline (the callers keep the latest packet time;
	 * vg_nids_restart starts over): one comparison per packet instead of a division */
	if (now_us < n->tick_end_us)
		return;
	int64_t sec = now_us / 1000000;
	n->tick_end_us = sec < INT64_MAX / 1000000 - 1 ? (sec + 1) * 1000000 : INT64_MAX;
	if (n->scan)
		vg_detect_scan_tick(n->scan, now_us);
	if (n->flood)
		vg_detect_flood_tick(n->flood, now_us);
	(void)vg_flow_timeout(n->flows, now_us);
	if (n->defrag)
		(void)vg_defrag_expire(n->defrag, now_us);
	if (n->nba)
		vg_nba_tick(n->nba, now_us);
	if (n->cfg.stats_interval_us > 0) {
		if (n->stats_due_us == 0)
			n->stats_due_us = now_us + n->cfg.stats_interval_us;
		else if (now_us >= n->stats_due_us) {
			emit_stats(n);
			n->stats_due_us = now_us + n->cfg.stats_interval_us;
		}
	}
}

/* ---- the packet path ---------------------------------------------------------- */

static const char *tenant_of(const struct vg_nids *n, const struct vg_packet *p)
{
	if (!n->tenants || p->ip_version == 0)
		return NULL;
	uint16_t vlan = p->n_vlan ? p->vlan[p->n_vlan - 1] : 0;
	const struct vg_tenant *t = vg_tenants_lookup(n->tenants, p->has_vni, p->vni, vlan, &p->dst);
	if (!t)
		t = vg_tenants_lookup(n->tenants, p->has_vni, p->vni, vlan, &p->src);
	return t ? t->name : NULL;
}

/* lk: the packet's flow lookup prepared by vg_nids_packets, or NULL */
/* Inlined (into decoded_packet, twice) on purpose: it runs for every packet, and a call
 * with its register saves costs about a tenth of the glue around the detectors. */
static inline __attribute__((always_inline)) void
ip_packet(struct vg_nids *n, const struct vg_packet *p, const struct vg_flow_lookup *lk)
{
	struct vg_flow *f = NULL;
	int dir = 0;
	int rc = lk ? vg_flow_handle_prepared(n->flows, p, lk, p->ts_us, &f, &dir)
		    : vg_flow_handle_packet(n->flows, p, p->ts_us, &f, &dir);
	bool is_new = rc == VG_OK && vg_flow_is_new(f);
	/* A flow is attributed on its first packet (destination's tenant, else the source's)
	 * and its other packets take that: no tenant lookup per packet. A packet the flow
	 * table refused is looked up on its own. */
	const char *tenant = rc == VG_OK && !is_new ? f->tenant : tenant_of(n, p);
	if (is_new)
		f->tenant = tenant;
	if (tenant)
		n->st.tenant_packets++;
	if (n->scan) {
		if (rc == VG_OK)
			(void)vg_detect_scan_flow_packet(n->scan, p, tenant, dir == VG_FLOW_TOSERVER,
							 &f->caller_flags);
		else
			(void)vg_detect_scan_packet(n->scan, p, tenant);
	}
	if (n->flood)
		(void)vg_detect_flood_packet(n->flood, p, tenant);
	if (rc != VG_OK) {
		if (rc == VG_EFULL)
			n->st.flow_refused++;
		return;
	}
	if (is_new) {
		if (n->ioc)
			ioc_flow(n, f, p);
		if (n->nba)
			nba_flow(n->nba, f, false, p->ts_us);
	}
	app_packet(n, f, dir, p);
	if (n->sig) {
		struct nids_app *a = app_get(n, f);
		enum vg_app_proto ap = a && a->app ? vg_app_flow_proto(a->app) : VG_APP_UNKNOWN;
		if (ap != VG_APP_UNKNOWN && ap != VG_APP_FAILED)
			f->app_proto = vg_app_proto_name(ap); /* app-layer rules need it from detection on */
		vg_sig_packet(n->sig, p, f, dir, a ? a->stream : NULL);
	}
}

/* A decoded frame (rc: vg_decode_packet's result); lk: its prepared flow lookup or NULL.
 * Inlined into its two callers, like ip_packet, for the call it saves per packet. */
static inline __attribute__((always_inline)) void
decoded_packet(struct vg_nids *n, struct vg_packet *p, int rc,
			   const struct vg_flow_lookup *lk)
{
	if (!n->started || p->ts_us > n->now_us) {
		n->now_us = p->ts_us;
		n->started = true;
	}
	n->st.packets++;
	n->st.bytes += p->wirelen;
	run_timers(n, n->now_us);

	if (rc != VG_OK || (p->flags & VG_PKT_INVALID)) {
		n->st.invalid++;
		report_anomalies(n, p, NULL);
		return;
	}
	if ((p->flags & VG_PKT_FRAGMENT) && n->defrag) {
		n->st.fragments++;
		const uint8_t *dg = NULL;
		size_t dglen = 0;
		rc = vg_defrag_packet(n->defrag, p, n->now_us, &dg, &dglen);
		report_anomalies(n, p, tenant_of(n, p));
		if (rc != VG_OK || !dg)
			return;
		struct vg_packet whole;
		rc = vg_decode_ip(dg, dglen, p, &whole);
		whole.wirelen = (uint32_t)dglen;
		n->st.reassembled++;
		report_anomalies(n, &whole, tenant_of(n, &whole));
		if (rc != VG_OK || (whole.flags & VG_PKT_INVALID))
			return;
		ip_packet(n, &whole, NULL);
		return;
	}
	if (p->n_anomalies)
		report_anomalies(n, p, tenant_of(n, p));
	ip_packet(n, p, lk);
}

int vg_nids_packet(struct vg_nids *n, int linktype, const uint8_t *data, uint32_t caplen,
		   uint32_t wirelen, int64_t ts_us)
{
	if (!n || !data)
		return VG_EINVAL;
	struct vg_packet p;
	int rc = vg_decode_packet(linktype, data, caplen, ts_us, &p);
	p.wirelen = wirelen;
	decoded_packet(n, &p, rc, NULL);
	return 0;
}

/* Whether a decoded frame goes to the flow table as it is (not a fragment to reassemble,
 * not invalid): only those get a prepared lookup. */
static bool preparable(const struct vg_nids *n, const struct vg_packet *p, int rc)
{
	return rc == VG_OK && !(p->flags & VG_PKT_INVALID) &&
	       !((p->flags & VG_PKT_FRAGMENT) && n->defrag);
}

/* How many packets ahead of the one processed vg_nids_packets prefetches a flow bucket. */
#define PREFETCH_AHEAD 4u

void vg_nids_decode(const struct vg_nids *n, int linktype, const struct vg_nids_frame *fr,
		    struct vg_nids_decoded *out)
{
	out->skip = fr->data == NULL;
	if (out->skip) {
		out->rc = VG_EINVAL;
		return;
	}
	out->rc = vg_decode_packet(linktype, fr->data, fr->caplen, fr->ts_us, &out->pkt);
	out->pkt.wirelen = fr->wirelen;
	/* the lookup of every packet that may be tracked: whether a fragment is reassembled
	 * first (n->defrag) is decided by the packet path, which then leaves it unused */
	if (out->rc == VG_OK && !(out->pkt.flags & VG_PKT_INVALID))
		vg_flow_prepare(n->flows, &out->pkt, &out->lk);
}

/* At most VG_NIDS_BATCH decoded frames, whose flow lookup keys were computed with their
 * decoding (they depend on the packet only): the lookups' cache misses can overlap. */
static void packets_decoded(struct vg_nids *n, struct vg_nids_decoded *d, unsigned m)
{
	bool prep[VG_NIDS_BATCH];
	for (unsigned i = 0; i < m; i++)
		prep[i] = !d[i].skip && preparable(n, &d[i].pkt, d[i].rc);
	/* buckets a few packets ahead, the record of the next: a prefetch for each of 16
	 * packets at once would only wait for free line-fill buffers */
	for (unsigned i = 0; i < m && i < PREFETCH_AHEAD; i++)
		if (prep[i])
			vg_flow_prefetch_bucket(n->flows, &d[i].lk);
	for (unsigned i = 0; i < m; i++) {
		if (i + PREFETCH_AHEAD < m && prep[i + PREFETCH_AHEAD])
			vg_flow_prefetch_bucket(n->flows, &d[i + PREFETCH_AHEAD].lk);
		if (i + 1 < m && prep[i + 1])
			vg_flow_prefetch_record(n->flows, &d[i + 1].lk);
		if (!d[i].skip)
			decoded_packet(n, &d[i].pkt, d[i].rc, prep[i] ? &d[i].lk : NULL);
	}
}

int vg_nids_packets_decoded(struct vg_nids *n, struct vg_nids_decoded *d, unsigned count)
{
	if (!n || (!d && count))
		return VG_EINVAL;
	while (count) {
		unsigned m = count < VG_NIDS_BATCH ? count : VG_NIDS_BATCH;
		packets_decoded(n, d, m);
		d += m;
		count -= m;
	}
	return 0;
}

int vg_nids_packets(struct vg_nids *n, int linktype, const struct vg_nids_frame *fr,
		    unsigned count)
{
	if (!n || (!fr && count))
		return VG_EINVAL;
	while (count) {
		unsigned m = count < VG_NIDS_BATCH ? count : VG_NIDS_BATCH;
		struct vg_nids_decoded d[VG_NIDS_BATCH];
		for (unsigned i = 0; i < m; i++)
			vg_nids_decode(n, linktype, &fr[i], &d[i]);
		packets_decoded(n, d, m);
		fr += m;
		count -= m;
	}
	return 0;
}

void vg_nids_idle(struct vg_nids *n, int64_t now_us)
{
	if (!n || !n->started || now_us <= n->now_us)
		return;
	n->now_us = now_us;
	run_timers(n, now_us);
}

void vg_nids_finish(struct vg_nids *n)
{
	if (!n)
		return;
	(void)vg_flow_flush(n->flows, "shutdown");
	if (n->scan)
		vg_detect_scan_finish(n->scan, n->now_us);
	if (n->flood)
		vg_detect_flood_finish(n->flood, n->now_us);
	emit_stats(n);
}

static int detectors_new(struct vg_nids *n)
{
	int rc = 0;
	if (n->cfg.scan_enabled && (rc = vg_detect_scan_new(&n->cfg.scan, &n->det_sink, &n->scan)))
		return rc;
	if (n->cfg.flood_enabled && (rc = vg_detect_flood_new(&n->cfg.flood, &n->det_sink, &n->flood)))
		return rc;
	n->cfg.nba.tenants = n->tenants;
	if (n->cfg.nba_enabled && (rc = vg_nba_new(&n->cfg.nba, &n->det_sink, &n->nba)))
		return rc;
	return vg_defrag_new(&n->cfg.defrag, &n->defrag);
}

static void detectors_free(struct vg_nids *n)
{
	if (n->scan) {
		struct vg_detect_scan_stats a;
		vg_detect_scan_get_stats(n->scan, &a);
		n->scan_acc.probes += a.probes;
		n->scan_acc.evictions += a.evictions;
		n->scan_acc.set_full += a.set_full;
		n->scan_acc.alerts += a.alerts;
		n->scan_acc.episodes += a.episodes;
		n->scan_acc.first_probes += a.first_probes;
		n->scan_acc.first_promoted += a.first_promoted;
		n->scan_acc.first_overwritten += a.first_overwritten;
		n->scan_acc.admitted_seen += a.admitted_seen;
		n->scan_acc.settled_skipped += a.settled_skipped;
	}
	if (n->flood) {
		struct vg_detect_flood_stats a;
		vg_detect_flood_get_stats(n->flood, &a);
		n->flood_acc.counted += a.counted;
		n->flood_acc.evictions += a.evictions;
		n->flood_acc.alerts += a.alerts;
		n->flood_acc.episodes += a.episodes;
	}
	vg_detect_scan_free(n->scan);
	vg_detect_flood_free(n->flood);
	vg_nba_free(n->nba);
	vg_defrag_free(n->defrag);
	n->nba = NULL;
	n->scan = NULL;
	n->flood = NULL;
	n->defrag = NULL;
}

void vg_nids_restart(struct vg_nids *n)
{
	if (!n || !n->started)
		return;
	(void)vg_flow_flush(n->flows, "shutdown");
	if (n->scan)
		vg_detect_scan_finish(n->scan, n->now_us);
	if (n->flood)
		vg_detect_flood_finish(n->flood, n->now_us);
	/* detectors and defrag keep packet time internally: new ones start clean. On
	 * failure the packet path goes on without the part that could not be made. */
	detectors_free(n);
	if (detectors_new(n) != 0)
		n->st.restart_failed++;
	n->started = false;
	n->tick_end_us = INT64_MIN;
	n->an_epoch_s = INT64_MIN;
	n->stats_due_us = 0;
	n->st.timelines++;
}

/* ---- life cycle --------------------------------------------------------------- */

int vg_nids_new(const struct vg_nids_config *cfg, const struct vg_tenants *tenants,
		const struct vg_event_sink *sink, struct vg_nids **out)
{
	*out = NULL;
	struct vg_nids *n = calloc(1, sizeof(*n));
	if (!n)
		return VG_ENOMEM;
	if (cfg)
		n->cfg = *cfg;
	else
		vg_nids_config_default(&n->cfg);
	n->tenants = tenants;
	if (sink)
		n->out = *sink;
	n->flow_sink = (struct vg_event_sink){ flow_sink_emit, n };
	n->det_sink = (struct vg_event_sink){ det_sink_emit, n };
	n->tick_end_us = INT64_MIN;
	n->an_epoch_s = INT64_MIN;
	/* Without flow records the table gets no sink: it then builds no event per ended
	 * flow (the outputs are fixed for the life of n). */
	int rc = vg_flow_table_new(&n->cfg.flow,
				   (n->cfg.outputs & VG_NIDS_OUT_FLOW) ? &n->flow_sink : NULL, &n->flows);
	if (rc)
		goto fail;
	rc = VG_ENOMEM;
	n->sctx = vg_stream_ctx_new(&n->cfg.stream);
	if (!n->sctx)
		goto fail;
	/* Without the app layer no flow ever holds app state: no slot, so that ending a flow
	 * does not read its storage (a cache line of a record long out of cache). */
	n->app_slot = -1;
	if (n->cfg.app_enabled) {
		n->app_slot = vg_flow_storage_register(n->flows, app_free);
		if (n->app_slot < 0) {
			rc = n->app_slot;
			goto fail;
		}
	}
	vg_flow_set_end_hook(n->flows, on_flow_end, n);
	if ((rc = detectors_new(n)) != 0)
		goto fail;
	*out = n;
	return 0;
fail:
	vg_nids_free(n);
	return rc;
}

void vg_nids_free(struct vg_nids *n)
{
	if (!n)
		return;
	detectors_free(n);
	vg_flow_table_free(n->flows); /* frees the streams before their context */
	vg_stream_ctx_free(n->sctx);
	free(n);
}

int vg_nids_set_signatures(struct vg_nids *n, struct vg_sig_engine *e)
{
	if (!n || !e)
		return VG_EINVAL;
	if (n->started || n->sig)
		return VG_ESTATE;
	int rc = vg_sig_engine_attach(e, n->flows);
	if (rc)
		return rc;
	vg_sig_engine_set_sink(e, &n->det_sink);
	n->sig = e;
	return 0;
}

int64_t vg_nids_now(const struct vg_nids *n)
{
	return n ? n->now_us : 0;
}

void vg_nids_get_stats(const struct vg_nids *n, struct vg_nids_stats *out)
{
	if (!n) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = n->st;
}

/* ---- stats in EVE's shape ----------------------------------------------------- */

static void set_u(json_t *o, const char *k, uint64_t v)
{
	json_object_set_new(o, k, json_integer((json_int_t)(v > INT64_MAX ? INT64_MAX : v)));
}

json_t *vg_nids_stats_json(const struct vg_nids *n)
{
	json_t *root = json_object(), *dec = json_object(), *ev = json_object(), *fl = json_object(),
	       *tcp = json_object(), *app = json_object(), *det = json_object(), *frag = json_object();
	if (!root || !dec || !ev || !fl || !tcp || !app || !det || !frag) {
		json_decref(root), json_decref(dec), json_decref(ev), json_decref(fl);
		json_decref(tcp), json_decref(app), json_decref(det), json_decref(frag);
		return NULL;
	}
	const struct vg_nids_stats *s = &n->st;
	set_u(dec, "pkts", s->packets);
	set_u(dec, "bytes", s->bytes);
	set_u(dec, "invalid", s->invalid);
	set_u(dec, "anomalies", s->anomalies);
	set_u(dec, "anomaly_events", s->anomaly_events);
	set_u(dec, "anomaly_suppressed", s->anomaly_suppressed);
	for (unsigned i = 1; i < VG_AN__COUNT; i++)
		if (s->anomalies_by_type[i])
			set_u(ev, vg_decode_anomaly_name(i), s->anomalies_by_type[i]);
	json_object_set_new(dec, "event", ev);
	struct vg_defrag_counters dc;
	vg_defrag_counters(n->defrag, &dc);
	set_u(frag, "fragments", dc.fragments);
	set_u(frag, "reassembled", dc.reassembled);
	set_u(frag, "overlaps", dc.overlaps);
	set_u(frag, "timeouts", dc.timeouts);
	set_u(frag, "evicted", dc.evicted);
	set_u(frag, "memcap_drops", dc.memcap_drops);
	set_u(frag, "too_large", dc.too_large);
	set_u(frag, "too_many", dc.too_many);
	json_object_set_new(root, "defrag", frag);
	json_object_set_new(root, "decoder", dec);

	struct vg_flow_stats fs;
	vg_flow_table_stats(n->flows, &fs);
	set_u(fl, "total", fs.flows_created);
	set_u(fl, "active", fs.flows_active);
	set_u(fl, "timeout", fs.flows_timeout);
	set_u(fl, "evicted", fs.flows_evicted);
	set_u(fl, "dropped_memcap", fs.flows_dropped_memcap);
	set_u(fl, "emergency_mode_entered", fs.emergency_mode_entered);
	set_u(fl, "memuse", fs.memuse);
	set_u(fl, "memcap", fs.memcap);
	json_object_set_new(root, "flow", fl);

	const struct vg_stream_stats *ss = vg_stream_ctx_stats(n->sctx);
	set_u(tcp, "sessions", ss->streams);
	set_u(tcp, "segments", ss->segments);
	set_u(tcp, "reassembled_bytes", ss->bytes);
	set_u(tcp, "retransmissions", ss->retrans);
	set_u(tcp, "overlap", ss->overlaps);
	set_u(tcp, "overlap_diff_data", ss->overlap_diff);
	set_u(tcp, "reassembly_gap", ss->gaps);
	set_u(tcp, "memcap_flow", ss->memcap_flow);
	set_u(tcp, "memcap", ss->memcap_global);
	set_u(tcp, "no_syn", ss->no_syn);
	set_u(tcp, "memuse", vg_stream_ctx_memuse(n->sctx));
	json_object_set_new(root, "tcp", tcp);

	set_u(app, "events", s->app_events);
	set_u(app, "flows_refused", s->app_flows_refused);
	json_object_set_new(root, "app_layer", app);

	set_u(det, "alerts", s->alerts);
	if (n->scan) {
		struct vg_detect_scan_stats sc;
		vg_detect_scan_get_stats(n->scan, &sc);
		json_t *o = json_object();
		if (o) {
			const struct vg_detect_scan_stats *acc = &n->scan_acc;
			set_u(o, "probes", sc.probes + acc->probes);
			set_u(o, "trackers", sc.trackers_in_use);
			set_u(o, "evictions", sc.evictions + acc->evictions);
			set_u(o, "set_full", sc.set_full + acc->set_full);
			set_u(o, "alerts", sc.alerts + acc->alerts);
			set_u(o, "episodes", sc.episodes + acc->episodes);
			set_u(o, "memuse", sc.mem_used);
			/* admission: first probes remembered, turned into trackers, lost to a
			 * colliding source, and trackers admitted by the seen filter */
			set_u(o, "first_probes", sc.first_probes + acc->first_probes);
			set_u(o, "first_promoted", sc.first_promoted + acc->first_promoted);
			set_u(o, "first_overwritten", sc.first_overwritten + acc->first_overwritten);
			set_u(o, "admitted_seen", sc.admitted_seen + acc->admitted_seen);
			/* segments of connections that had carried data, not examined */
			set_u(o, "settled_skipped", sc.settled_skipped + acc->settled_skipped);
			json_object_set_new(det, "scan", o);
		}
	}
	if (n->flood) {
		struct vg_detect_flood_stats fd;
		vg_detect_flood_get_stats(n->flood, &fd);
		json_t *o = json_object();
		if (o) {
			const struct vg_detect_flood_stats *acc = &n->flood_acc;
			set_u(o, "counted", fd.counted + acc->counted);
			set_u(o, "trackers", fd.trackers_in_use);
			set_u(o, "evictions", fd.evictions + acc->evictions);
			set_u(o, "alerts", fd.alerts + acc->alerts);
			set_u(o, "episodes", fd.episodes + acc->episodes);
			json_object_set_new(det, "flood", o);
		}
	}
	if (n->sig) {
		json_t *o = vg_sig_stats_json(n->sig);
		if (o)
			json_object_set_new(det, "signatures", o);
	}
	json_object_set_new(root, "detect", det);
	set_u(root, "events", s->events);
	set_u(root, "event_errors", s->event_errors);
	return root;
}
