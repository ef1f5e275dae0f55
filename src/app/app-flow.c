/* app-flow.c — per-flow application layer: protocol detection by content, then the
 * matching parser, and EVE objects for what it parsed (see app.h for the contract).
 *
 * Detection buffers up to VG_APP_DETECT_BYTES per direction: the first direction whose
 * bytes identify a protocol decides for the flow, and the bytes held so far in both
 * directions are replayed into the parser, so nothing before detection is lost. */
#include "app/app.h"
#include "app/app-http2.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"
#include "stream/stream.h"

struct vg_app_flow {
	uint8_t ipproto;
	uint16_t sport, dport;
	enum vg_app_proto proto;
	bool failed[2];
	struct vg_buf pending[2];     /* bytes held while detecting */
	vg_app_event_cb cb;
	void *cb_ctx;
	struct vg_http_state *http;
	struct vg_dns_tcp *dns_tcp;
	uint64_t dns_tx;
	struct vg_tls_state *tls;
	bool tls_logged;
	struct vg_ssh_state *ssh;
	bool ssh_logged;
	struct vg_http2_state *http2;
	bool h2c[2];                  /* dir is HTTP/2 after an h2c upgrade (vg_http_h2c) */
	uint32_t anomaly_events;      /* app-layer anomaly events so far (VG_APP_MAX_ANOMALY_EVENTS) */
	struct vg_app_inspect insp;   /* signature engine hooks (vg_app_flow_set_inspect) */
};

static void emit(struct vg_app_flow *f, enum vg_app_proto p, int dir, json_t *j)
{
	if (!j)
		return;
	if (f->cb)
		f->cb(f->cb_ctx, p, dir, j);
	json_decref(j);
}

static void on_http2(void *ctx, const struct vg_http_tx *tx, uint32_t stream_id, unsigned what);
static void on_http2_anomaly(void *ctx, int dir, enum vg_http2_anomaly a);

/* The HTTP/2 parser of an h2c connection, made when the first side switches. */
static struct vg_http2_state *h2c_state(struct vg_app_flow *f)
{
	if (!f->http2)
		f->http2 = vg_http2_state_new(0, on_http2, on_http2_anomaly, f);
	return f->http2;
}

static void on_http(void *ctx, const struct vg_http_tx *tx, unsigned what)
{
	struct vg_app_flow *f = ctx;
	if (f->insp.http)
		f->insp.http(f->insp.ctx, tx, what);
	if (what == VG_HTTP_EV_DONE)
		emit(f, VG_APP_HTTP, VG_APP_TOSERVER, vg_http_tx_eve(tx));
	/* 101 to "Upgrade: h2c": the request goes on as HTTP/2 stream 1 (RFC 7540 3.2) */
	if (what == VG_HTTP_EV_DONE && tx->h2c_upgrade && h2c_state(f))
		vg_http2_upgrade(f->http2, tx);
}

/* HTTP/2 streams are HTTP transactions for the signature engine and the "http" event */
static void on_http2(void *ctx, const struct vg_http_tx *tx, uint32_t stream_id, unsigned what)
{
	struct vg_app_flow *f = ctx;
	if (f->insp.http)
		f->insp.http(f->insp.ctx, tx, what);
	if (what == VG_HTTP_EV_DONE)
		emit(f, VG_APP_HTTP2, VG_APP_TOSERVER, vg_http2_tx_eve(tx, stream_id));
}

static void app_anomaly(struct vg_app_flow *f, enum vg_app_proto p, int dir, const char *event)
{
	if (f->anomaly_events >= VG_APP_MAX_ANOMALY_EVENTS)
		return;
	f->anomaly_events++;
	emit(f, p, dir, json_pack("{s:{s:s,s:s,s:s}}", "anomaly", "type", "applayer", "event", event,
				  "layer", vg_app_proto_name(p)));
}

static void on_http2_anomaly(void *ctx, int dir, enum vg_http2_anomaly a)
{
	app_anomaly(ctx, VG_APP_HTTP2, dir, vg_http2_anomaly_name(a));
}

const char *vg_app_event_anomaly(const json_t *extra, const char **layer)
{
	if (layer)
		*layer = NULL;
	json_t *a = extra ? json_object_get(extra, "anomaly") : NULL;
	const char *ev = json_string_value(json_object_get(a, "event"));
	if (ev && layer)
		*layer = json_string_value(json_object_get(a, "layer"));
	return ev;
}

/* The parsed message is large (~100 KB): allocated per message rather than kept per
 * flow, since a resolver sees many DNS flows at once. */
/* One parsed-message scratch per thread, allocated on first use and kept (reachable):
 * a struct vg_dns_msg is ~100 KB, and a malloc/free of it per message made glibc trim
 * and regrow its heap each time (a 1M-flow capture spent 10x its CPU in the kernel).
 * Nothing reached from here calls back into dns_message, so one is enough. */
static _Thread_local struct vg_dns_msg *dns_scratch;

static void dns_message(struct vg_app_flow *f, int dir, const uint8_t *msg, size_t len)
{
	if (!dns_scratch)
		dns_scratch = malloc(sizeof(*dns_scratch));
	struct vg_dns_msg *m = dns_scratch;
	if (!m)
		return;
	if (vg_dns_parse(msg, len, m) < 0)
		goto out;
	if (f->insp.dns)
		f->insp.dns(f->insp.ctx, dir, m);
	if (!m->qr) {
		for (uint32_t q = 0; q < m->n_questions; q++)
			emit(f, VG_APP_DNS, dir, vg_dns_eve(m, q, f->dns_tx));
		f->dns_tx++;
	} else {
		emit(f, VG_APP_DNS, dir, vg_dns_eve(m, 0, 0));
	}
out:
	return;
}

static void on_dns_tcp(void *ctx, int dir, const uint8_t *msg, size_t len)
{
	dns_message(ctx, dir, msg, len);
}

struct vg_app_flow *vg_app_flow_new(uint8_t ipproto, uint16_t sport, uint16_t dport,
				    vg_app_event_cb cb, void *cb_ctx)
{
	struct vg_app_flow *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->ipproto = ipproto;
	f->sport = sport;
	f->dport = dport;
	f->cb = cb;
	f->cb_ctx = cb_ctx;
	for (int i = 0; i < 2; i++)
		vg_buf_init(&f->pending[i], VG_APP_DETECT_BYTES);
	return f;
}

void vg_app_flow_free(struct vg_app_flow *f)
{
	if (!f)
		return;
	for (int i = 0; i < 2; i++)
		vg_buf_free(&f->pending[i]);
	vg_http_state_free(f->http);
	vg_dns_tcp_free(f->dns_tcp);
	vg_tls_state_free(f->tls);
	vg_ssh_state_free(f->ssh);
	vg_http2_state_free(f->http2);
	free(f);
}

enum vg_app_proto vg_app_flow_proto(const struct vg_app_flow *f)
{
	/* after an h2c upgrade the flow is HTTP/2, as Suricata then says */
	return f->proto == VG_APP_HTTP && f->h2c[VG_APP_TOCLIENT] ? VG_APP_HTTP2 : f->proto;
}

void vg_app_flow_set_inspect(struct vg_app_flow *f, const struct vg_app_inspect *h)
{
	if (!f)
		return;
	if (h)
		f->insp = *h;
	else
		memset(&f->insp, 0, sizeof(f->insp));
}

struct vg_http_state *vg_app_flow_http(const struct vg_app_flow *f)
{
	return f->http;
}

const struct vg_tls_info *vg_app_flow_tls(const struct vg_app_flow *f)
{
	return f->tls ? vg_tls_info(f->tls) : NULL;
}

const struct vg_ssh_info *vg_app_flow_ssh(const struct vg_app_flow *f)
{
	return f->ssh ? vg_ssh_info(f->ssh) : NULL;
}

static int start_parser(struct vg_app_flow *f, enum vg_app_proto p)
{
	f->proto = p;
	switch (p) {
	case VG_APP_HTTP:
		f->http = vg_http_state_new(0, on_http, f);
		return f->http ? 0 : VG_ENOMEM;
	case VG_APP_DNS:
		if (f->ipproto == 6)
			f->dns_tcp = vg_dns_tcp_new(on_dns_tcp, f);
		return f->ipproto != 6 || f->dns_tcp ? 0 : VG_ENOMEM;
	case VG_APP_TLS:
		f->tls = vg_tls_state_new();
		return f->tls ? 0 : VG_ENOMEM;
	case VG_APP_SSH:
		f->ssh = vg_ssh_state_new();
		return f->ssh ? 0 : VG_ENOMEM;
	case VG_APP_HTTP2:
		f->http2 = vg_http2_state_new(0, on_http2, on_http2_anomaly, f);
		return f->http2 ? 0 : VG_ENOMEM;
	default:
		return 0;
	}
}

static void tls_maybe_log(struct vg_app_flow *f, bool at_eof)
{
	const struct vg_tls_info *in = vg_tls_info(f->tls);
	if (f->tls_logged || !in->client.seen)
		return;
	if (at_eof || in->n_certs > 0 || (in->server.seen && in->encrypted[VG_APP_TOCLIENT])) {
		f->tls_logged = true;
		emit(f, VG_APP_TLS, VG_APP_TOCLIENT, vg_tls_eve(in));
	}
}

static void ssh_maybe_log(struct vg_app_flow *f, bool at_eof)
{
	const struct vg_ssh_info *in = vg_ssh_info(f->ssh);
	if (f->ssh_logged || !(in->client.seen || in->server.seen))
		return;
	if (at_eof || (in->client.seen && in->server.seen)) {
		f->ssh_logged = true;
		emit(f, VG_APP_SSH, VG_APP_TOCLIENT, vg_ssh_eve(in));
	}
}

/* Bytes of dir for the detected parser. */
static int route(struct vg_app_flow *f, int dir, const uint8_t *data, size_t len)
{
	int rc = 0;
	unsigned tls_ev = 0;
	switch (f->proto) {
	case VG_APP_HTTP: {
		if (f->h2c[dir])
			return vg_http2_parse(f->http2, dir, data, len);
		rc = vg_http_parse(f->http, dir, data, len);
		size_t used, pre;
		if (!vg_http_h2c(f->http, dir, &used, &pre) || !h2c_state(f))
			return rc;
		f->h2c[dir] = true;
		if (pre) /* the preface's first line went through the HTTP/1 parser */
			vg_http2_parse(f->http2, dir, (const uint8_t *)VG_HTTP2_PREFACE_STR, pre);
		return used < len ? vg_http2_parse(f->http2, dir, data + used, len - used) : 0;
	}
	case VG_APP_DNS:
		return f->dns_tcp ? vg_dns_tcp_parse(f->dns_tcp, dir, data, len) : 0;
	case VG_APP_TLS:
		rc = vg_tls_parse(f->tls, dir, data, len, &tls_ev);
		if (tls_ev && f->insp.tls)
			f->insp.tls(f->insp.ctx, dir, vg_tls_info(f->tls), tls_ev);
		tls_maybe_log(f, false);
		return rc;
	case VG_APP_SSH:
		rc = vg_ssh_parse(f->ssh, dir, data, len, NULL);
		ssh_maybe_log(f, false);
		return rc;
	case VG_APP_HTTP2:
		return vg_http2_parse(f->http2, dir, data, len);
	default:
		return 0;
	}
}

int vg_app_flow_data(struct vg_app_flow *f, int dir, const uint8_t *data, size_t len)
{
	if (!f || (dir != 0 && dir != 1) || (len > 0 && !data))
		return VG_EINVAL;
	if (len == 0 || f->proto == VG_APP_FAILED)
		return 0;
	if (f->proto != VG_APP_UNKNOWN)
		return route(f, dir, data, len);
	if (f->failed[dir])
		return 0;
	/* still detecting: hold the bytes (up to the bound) and probe them */
	struct vg_buf *b = &f->pending[dir];
	size_t room = VG_APP_DETECT_BYTES - b->len;
	size_t take = len < room ? len : room;
	vg_buf_append(b, data, take);
	enum vg_app_proto p = vg_app_detect((const uint8_t *)b->data, b->len, dir, f->ipproto, f->sport, f->dport);
	if (p == VG_APP_UNKNOWN && b->len >= VG_APP_DETECT_BYTES)
		p = VG_APP_FAILED;
	if (p == VG_APP_FAILED) {
		f->failed[dir] = true;
		if (f->failed[!dir])
			f->proto = VG_APP_FAILED;
		return 0;
	}
	if (p == VG_APP_UNKNOWN)
		return 0;
	int rc = start_parser(f, p);
	if (rc < 0) {
		f->proto = VG_APP_FAILED;
		return rc;
	}
	/* replay what was held: the other direction's bytes first only if they came first
	 * is unknowable here; requests before responses is the safe order for pairing */
	for (int d = 0; d < 2; d++) {
		if (f->pending[d].len > 0)
			route(f, d, (const uint8_t *)f->pending[d].data, f->pending[d].len);
		vg_buf_free(&f->pending[d]);
	}
	if (take < len)
		rc = route(f, dir, data + take, len - take);
	return rc;
}

void vg_app_flow_gap(struct vg_app_flow *f, int dir, size_t len)
{
	if (!f || (dir != 0 && dir != 1))
		return;
	switch (f->proto) {
	case VG_APP_HTTP:
		if (f->h2c[dir])
			vg_http2_gap(f->http2, dir, len);
		else
			vg_http_gap(f->http, dir, len);
		break;
	case VG_APP_DNS:
		vg_dns_tcp_gap(f->dns_tcp, dir);
		break;
	case VG_APP_TLS:
		vg_tls_gap(f->tls, dir);
		break;
	case VG_APP_HTTP2:
		vg_http2_gap(f->http2, dir, len);
		break;
	case VG_APP_UNKNOWN:
		f->failed[dir] = true; /* cannot probe across missing bytes */
		if (f->failed[!dir])
			f->proto = VG_APP_FAILED;
		break;
	default:
		break;
	}
}

void vg_app_flow_eof(struct vg_app_flow *f, int dir)
{
	if (!f || (dir != 0 && dir != 1))
		return;
	switch (f->proto) {
	case VG_APP_HTTP:
		vg_http_eof(f->http, dir);
		if (f->http2)
			vg_http2_eof(f->http2, dir);
		break;
	case VG_APP_TLS:
		tls_maybe_log(f, true);
		break;
	case VG_APP_SSH:
		ssh_maybe_log(f, true);
		break;
	case VG_APP_HTTP2:
		vg_http2_eof(f->http2, dir);
		break;
	default:
		break;
	}
}

int vg_app_flow_udp(struct vg_app_flow *f, int dir, const uint8_t *data, size_t len)
{
	if (!f || (dir != 0 && dir != 1) || (len > 0 && !data))
		return VG_EINVAL;
	if (f->proto == VG_APP_UNKNOWN) {
		enum vg_app_proto p = vg_app_detect(data, len, dir, 17, f->sport, f->dport);
		if (p != VG_APP_DNS)
			return 0; /* each datagram is probed on its own */
		int rc = start_parser(f, p);
		if (rc < 0) {
			f->proto = VG_APP_FAILED;
			return rc;
		}
	}
	if (f->proto != VG_APP_DNS)
		return 0;
	dns_message(f, dir, data, len);
	return 0;
}

void vg_app_flow_stream_cb(void *flow, int dir, unsigned what, const uint8_t *data, size_t len)
{
	struct vg_app_flow *f = flow;
	if (what & VG_STREAM_CB_DATA)
		vg_app_flow_data(f, dir, data, len);
	else if (what & VG_STREAM_CB_GAP)
		vg_app_flow_gap(f, dir, len);
	else if (what & VG_STREAM_CB_EOF)
		vg_app_flow_eof(f, dir);
}
