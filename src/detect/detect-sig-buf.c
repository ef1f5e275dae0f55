/* detect-sig-buf.c — inspection buffers for the signature engine (see detect-sig-buf.h
 * for the layouts). Views into the transaction where the bytes already exist in the
 * needed shape; composed buffers (header lists, http.start) built once per inspection
 * into buffers owned by the set and kept for reuse. */
#include "detect/detect-sig-buf.h"

#include <string.h>

#include "core/core-error.h"

enum { ST_UNKNOWN = 0, ST_PRESENT = 1, ST_ABSENT = 2 };

/* The empty string: a present buffer of length 0 still has a valid pointer. */
static const uint8_t empty[1];

void vg_sig_bufset_init(struct vg_sig_bufset *s)
{
	memset(s, 0, sizeof(*s));
	for (uint32_t i = 0; i < VG_SIG_OWN_BUFS; i++)
		vg_buf_init(&s->own[i], VG_HTTP_MAX_HEADER_BYTES * 2u + VG_HTTP_MAX_LINE + 16u);
}

void vg_sig_bufset_reset(struct vg_sig_bufset *s)
{
	s->pkt = NULL;
	s->pkt_len = 0;
	s->is_stream = false;
	s->tx = NULL;
	s->side = 0;
	s->dns = NULL;
	s->tls = NULL;
	s->ip4_hdr = NULL;
	s->ip4_hdr_len = 0;
	memset(s->state, 0, sizeof(s->state));
	for (uint32_t i = 0; i < s->n_own; i++)
		vg_buf_reset(&s->own[i]);
	s->n_own = 0;
}

void vg_sig_bufset_free(struct vg_sig_bufset *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < VG_SIG_OWN_BUFS; i++)
		vg_buf_free(&s->own[i]);
	memset(s->state, 0, sizeof(s->state));
	s->n_own = 0;
}

void vg_sig_bufset_packet(struct vg_sig_bufset *s, const uint8_t *payload, size_t len, bool is_stream)
{
	vg_sig_bufset_reset(s);
	s->pkt = payload ? payload : empty;
	s->pkt_len = payload ? len : 0;
	s->is_stream = is_stream;
}

void vg_sig_bufset_ip4_hdr(struct vg_sig_bufset *s, const uint8_t *hdr, size_t len)
{
	s->ip4_hdr = hdr && len >= 20 ? hdr : NULL;
	s->ip4_hdr_len = s->ip4_hdr ? len : 0;
	s->state[VG_RULE_BUF_IPV4_HDR] = 0;
}

void vg_sig_bufset_http(struct vg_sig_bufset *s, const struct vg_http_tx *tx, int side)
{
	vg_sig_bufset_reset(s);
	s->tx = tx;
	s->side = side ? 1 : 0;
}

void vg_sig_bufset_dns(struct vg_sig_bufset *s, const struct vg_dns_msg *m)
{
	vg_sig_bufset_reset(s);
	s->dns = m;
}

void vg_sig_bufset_tls(struct vg_sig_bufset *s, const struct vg_tls_info *info)
{
	vg_sig_bufset_reset(s);
	s->tls = info;
}

bool vg_sig_buf_is_http_response(int id)
{
	switch (id) {
	case VG_RULE_BUF_HTTP_LOCATION:
	case VG_RULE_BUF_HTTP_SERVER:
	case VG_RULE_BUF_HTTP_STAT_CODE:
	case VG_RULE_BUF_HTTP_STAT_MSG:
	case VG_RULE_BUF_HTTP_RESPONSE_LINE:
	case VG_RULE_BUF_HTTP_RESPONSE_BODY:
		return true;
	default:
		return false;
	}
}

bool vg_sig_buf_is_http(int id)
{
	switch (id) {
	case VG_RULE_BUF_HTTP_METHOD:
	case VG_RULE_BUF_HTTP_URI:
	case VG_RULE_BUF_HTTP_URI_RAW:
	case VG_RULE_BUF_HTTP_HOST:
	case VG_RULE_BUF_HTTP_HOST_RAW:
	case VG_RULE_BUF_HTTP_UA:
	case VG_RULE_BUF_HTTP_HEADER:
	case VG_RULE_BUF_HTTP_HEADER_RAW:
	case VG_RULE_BUF_HTTP_HEADER_NAMES:
	case VG_RULE_BUF_HTTP_COOKIE:
	case VG_RULE_BUF_HTTP_REQUEST_LINE:
	case VG_RULE_BUF_HTTP_REQUEST_BODY:
	case VG_RULE_BUF_HTTP_CONTENT_TYPE:
	case VG_RULE_BUF_HTTP_CONTENT_LEN:
	case VG_RULE_BUF_HTTP_REFERER:
	case VG_RULE_BUF_HTTP_ACCEPT:
	case VG_RULE_BUF_HTTP_ACCEPT_ENC:
	case VG_RULE_BUF_HTTP_ACCEPT_LANG:
	case VG_RULE_BUF_HTTP_CONNECTION:
	case VG_RULE_BUF_HTTP_START:
	case VG_RULE_BUF_HTTP_PROTOCOL:
	case VG_RULE_BUF_FILE_DATA:
		return true;
	default:
		return vg_sig_buf_is_http_response(id);
	}
}

static struct vg_buf *own_buf(struct vg_sig_bufset *s)
{
	if (s->n_own >= VG_SIG_OWN_BUFS)
		return NULL;
	struct vg_buf *b = &s->own[s->n_own++];
	vg_buf_reset(b);
	return b;
}

/* The parser gives an absent header as an empty view: a header field buffer exists
 * only when it has a value (Suricata's buffers are absent for a missing header). */
static bool str_set(struct vg_str v, const uint8_t **p, size_t *len)
{
	if (!v.p || v.len == 0)
		return false;
	*p = (const uint8_t *)v.p;
	*len = v.len;
	return true;
}

static bool header_value(const struct vg_http_msg *m, const char *name, const uint8_t **p, size_t *len)
{
	struct vg_str v = { 0 };
	if (!m->headers_done || !vg_http_msg_header(m, name, &v))
		return false;
	return str_set(v, p, len);
}

/* http.header: every header "Name: Value\r\n" except the cookie one of the side;
 * http.start adds the start line in front and an empty line behind. */
static int build_headers(struct vg_sig_bufset *s, const struct vg_http_msg *m, bool start,
			 const uint8_t **p, size_t *len)
{
	struct vg_buf *b = own_buf(s);
	if (!b)
		return VG_ENOMEM;
	const char *skip = s->side == 0 ? "Cookie" : "Set-Cookie";
	int rc = 0;
	if (start) {
		rc |= vg_buf_append(b, m->line.data ? m->line.data : "", m->line.len);
		rc |= vg_buf_append(b, "\r\n", 2);
	}
	for (uint32_t i = 0; i < m->n_headers && rc == 0; i++) {
		struct vg_str n = { 0 }, v = { 0 };
		vg_http_msg_header_at(m, i, &n, &v);
		if (!start && vg_str_casecmp_cstr(n, skip))
			continue;
		rc |= vg_buf_append(b, n.p ? n.p : "", n.len);
		rc |= vg_buf_append(b, ": ", 2);
		rc |= vg_buf_append(b, v.p ? v.p : "", v.len);
		rc |= vg_buf_append(b, "\r\n", 2);
	}
	if (start)
		rc |= vg_buf_append(b, "\r\n", 2);
	if (rc)
		return VG_ENOMEM;
	*p = b->len ? (const uint8_t *)b->data : empty;
	*len = b->len;
	return 0;
}

static int build_header_names(struct vg_sig_bufset *s, const struct vg_http_msg *m,
			      const uint8_t **p, size_t *len)
{
	struct vg_buf *b = own_buf(s);
	if (!b)
		return VG_ENOMEM;
	int rc = vg_buf_append(b, "\r\n", 2);
	for (uint32_t i = 0; i < m->n_headers && rc == 0; i++) {
		struct vg_str n = { 0 }, v = { 0 };
		vg_http_msg_header_at(m, i, &n, &v);
		rc |= vg_buf_append(b, n.p ? n.p : "", n.len);
		rc |= vg_buf_append(b, "\r\n", 2);
	}
	rc |= vg_buf_append(b, "\r\n", 2);
	if (rc)
		return VG_ENOMEM;
	*p = (const uint8_t *)b->data;
	*len = b->len;
	return 0;
}

/* One HTTP buffer. 0, VG_ENOENT, VG_ENOMEM. */
static int http_buf(struct vg_sig_bufset *s, int id, const uint8_t **p, size_t *len)
{
	const struct vg_http_tx *tx = s->tx;
	const struct vg_http_msg *req = &tx->req, *resp = &tx->resp;
	bool rq = tx->has_request && req->headers_done;
	bool rs = tx->has_response && resp->headers_done;
	const struct vg_http_msg *side = s->side == 0 ? req : resp;
	bool side_ok = s->side == 0 ? rq : rs;

	switch (id) {
	case VG_RULE_BUF_HTTP_METHOD:
		if (!rq || !tx->method.p)
			return VG_ENOENT;
		*p = (const uint8_t *)tx->method.p;
		*len = tx->method.len;
		return 0;
	case VG_RULE_BUF_HTTP_URI:
		if (!rq || !tx->uri_raw.p)
			return VG_ENOENT;
		*p = tx->uri_norm.len ? (const uint8_t *)tx->uri_norm.data : empty;
		*len = tx->uri_norm.len;
		return 0;
	case VG_RULE_BUF_HTTP_URI_RAW:
		if (!rq || !tx->uri_raw.p)
			return VG_ENOENT;
		*p = (const uint8_t *)tx->uri_raw.p;
		*len = tx->uri_raw.len;
		return 0;
	case VG_RULE_BUF_HTTP_HOST:
		if (!rq || !tx->host_raw.p || tx->host_raw.len == 0)
			return VG_ENOENT;
		*p = tx->host.len ? (const uint8_t *)tx->host.data : empty;
		*len = tx->host.len;
		return 0;
	case VG_RULE_BUF_HTTP_HOST_RAW:
		return rq && str_set(tx->host_raw, p, len) ? 0 : VG_ENOENT;
	case VG_RULE_BUF_HTTP_UA:
		return rq && str_set(tx->user_agent, p, len) ? 0 : VG_ENOENT;
	case VG_RULE_BUF_HTTP_COOKIE:
		if (s->side == 0)
			return rq && str_set(tx->cookie, p, len) ? 0 : VG_ENOENT;
		return rs && header_value(resp, "Set-Cookie", p, len) ? 0 : VG_ENOENT;
	case VG_RULE_BUF_HTTP_REFERER:
		return rq && str_set(tx->referer, p, len) ? 0 : VG_ENOENT;
	case VG_RULE_BUF_HTTP_REQUEST_LINE:
		if (!tx->has_request || !req->line.len)
			return VG_ENOENT;
		*p = (const uint8_t *)req->line.data;
		*len = req->line.len;
		return 0;
	case VG_RULE_BUF_HTTP_REQUEST_BODY:
		if (!rq || req->body.len == 0)
			return VG_ENOENT;
		*p = (const uint8_t *)req->body.data;
		*len = req->body.len;
		return 0;
	case VG_RULE_BUF_HTTP_RESPONSE_BODY:
		if (!rs || resp->body.len == 0)
			return VG_ENOENT;
		*p = (const uint8_t *)resp->body.data;
		*len = resp->body.len;
		return 0;
	case VG_RULE_BUF_FILE_DATA:
		/* file.data: the body of the side inspected (request body to server). A request
		 * body is a file only for POST and PUT, as in Suricata (its HTP_BODY_REQUEST_POST /
		 * _PUT; multipart POSTs are handled before this, one file per part). */
		if (!side_ok || side->body.len == 0)
			return VG_ENOENT;
		if (s->side == 0 && !vg_str_eq_cstr(tx->method, "POST") && !vg_str_eq_cstr(tx->method, "PUT"))
			return VG_ENOENT;
		*p = (const uint8_t *)side->body.data;
		*len = side->body.len;
		return 0;
	case VG_RULE_BUF_HTTP_ACCEPT:
		return rq && header_value(req, "Accept", p, len) ? 0 : VG_ENOENT;
	case VG_RULE_BUF_HTTP_ACCEPT_ENC:
		return rq && header_value(req, "Accept-Encoding", p, len) ? 0 : VG_ENOENT;
	case VG_RULE_BUF_HTTP_ACCEPT_LANG:
		return rq && header_value(req, "Accept-Language", p, len) ? 0 : VG_ENOENT;
	case VG_RULE_BUF_HTTP_CONNECTION:
		return side_ok && header_value(side, "Connection", p, len) ? 0 : VG_ENOENT;
	case VG_RULE_BUF_HTTP_CONTENT_TYPE:
		return side_ok && header_value(side, "Content-Type", p, len) ? 0 : VG_ENOENT;
	case VG_RULE_BUF_HTTP_CONTENT_LEN:
		return side_ok && header_value(side, "Content-Length", p, len) ? 0 : VG_ENOENT;
	case VG_RULE_BUF_HTTP_PROTOCOL:
		if (!side_ok || !side->protocol.p || side->protocol.len == 0)
			return VG_ENOENT;
		return str_set(side->protocol, p, len) ? 0 : VG_ENOENT;
	case VG_RULE_BUF_HTTP_HEADER:
		if (!side_ok || side->n_headers == 0)
			return VG_ENOENT;
		return build_headers(s, side, false, p, len);
	case VG_RULE_BUF_HTTP_START:
		if (!side_ok)
			return VG_ENOENT;
		return build_headers(s, side, true, p, len);
	case VG_RULE_BUF_HTTP_HEADER_NAMES:
		if (!side_ok || side->n_headers == 0)
			return VG_ENOENT;
		return build_header_names(s, side, p, len);
	case VG_RULE_BUF_HTTP_HEADER_RAW:
		if (!side_ok || side->raw_headers.len == 0)
			return VG_ENOENT;
		*p = (const uint8_t *)side->raw_headers.data;
		*len = side->raw_headers.len;
		return 0;
	case VG_RULE_BUF_HTTP_LOCATION:
		return rs && str_set(tx->location, p, len) ? 0 : VG_ENOENT;
	case VG_RULE_BUF_HTTP_SERVER:
		return rs && str_set(tx->server, p, len) ? 0 : VG_ENOENT;
	case VG_RULE_BUF_HTTP_STAT_CODE: {
		if (!tx->has_response || !resp->line.len)
			return VG_ENOENT;
		/* "HTTP/1.1 200 OK": the second token */
		struct vg_str l = vg_str_make(resp->line.data, resp->line.len);
		long sp = vg_str_chr(l, ' ');
		if (sp < 0)
			return VG_ENOENT;
		size_t a = (size_t)sp + 1, e = a;
		while (e < l.len && l.p[e] != ' ')
			e++;
		*p = (const uint8_t *)l.p + a;
		*len = e - a;
		return 0;
	}
	case VG_RULE_BUF_HTTP_STAT_MSG:
		return rs && str_set(tx->status_msg, p, len) ? 0 : VG_ENOENT;
	case VG_RULE_BUF_HTTP_RESPONSE_LINE:
		if (!tx->has_response || !resp->line.len)
			return VG_ENOENT;
		*p = (const uint8_t *)resp->line.data;
		*len = resp->line.len;
		return 0;
	default:
		return VG_ENOENT;
	}
}

static const struct vg_tls_cert *first_cert(const struct vg_tls_info *t)
{
	return t->n_certs > 0 && t->certs[0].parsed ? &t->certs[0] : NULL;
}

static int cstr_set(const char *c, const uint8_t **p, size_t *len)
{
	if (!c || !c[0])
		return VG_ENOENT;
	*p = (const uint8_t *)c;
	*len = strlen(c);
	return 0;
}

static int tls_buf(struct vg_sig_bufset *s, int id, const uint8_t **p, size_t *len)
{
	const struct vg_tls_info *t = s->tls;
	const struct vg_tls_cert *c = first_cert(t);
	switch (id) {
	case VG_RULE_BUF_TLS_SNI:
		return t->client.seen ? cstr_set(t->client.sni, p, len) : VG_ENOENT;
	case VG_RULE_BUF_TLS_CERT_SUBJECT:
		return c ? cstr_set(c->subject, p, len) : VG_ENOENT;
	case VG_RULE_BUF_TLS_CERT_ISSUER:
		return c ? cstr_set(c->issuer, p, len) : VG_ENOENT;
	case VG_RULE_BUF_JA3_HASH:
		return t->client.seen ? cstr_set(t->client.ja3_hash, p, len) : VG_ENOENT;
	case VG_RULE_BUF_JA3S_HASH:
		return t->server.seen ? cstr_set(t->server.ja3_hash, p, len) : VG_ENOENT;
	case VG_RULE_BUF_JA3_STRING:
		return t->client.seen ? cstr_set(t->client.ja3, p, len) : VG_ENOENT;
	case VG_RULE_BUF_TLS_CERT_SERIAL:
		return t->n_certs > 0 ? cstr_set(t->certs[0].serial, p, len) : VG_ENOENT;
	case VG_RULE_BUF_TLS_CERT_FINGERPRINT:
		/* the SHA-1 exists even when the certificate did not parse */
		return t->n_certs > 0 ? cstr_set(t->certs[0].fingerprint, p, len) : VG_ENOENT;
	default:
		return VG_ENOENT;
	}
}

/* file.data to server on a multipart/form-data request: its file parts, not the body
 * (a multipart request without any file part has no file.data, as in Suricata). */
static bool upload_files(const struct vg_sig_bufset *s)
{
	return s->tx && s->side == 0 && s->tx->has_request && s->tx->req.headers_done && s->tx->req.multipart;
}

uint32_t vg_sig_buf_count(struct vg_sig_bufset *s, int id)
{
	if (id == VG_RULE_BUF_DNS_QUERY)
		return s->dns ? s->dns->n_questions : 0;
	if (id == VG_RULE_BUF_TLS_CERTS)
		return s->tls ? s->tls->n_certs : 0;
	if (id == VG_RULE_BUF_FILE_DATA && upload_files(s))
		return s->tx->req.n_files;
	const uint8_t *p;
	size_t len;
	return vg_sig_buf_get(s, id, 0, &p, &len) == 0 ? 1 : 0;
}

int vg_sig_buf_get(struct vg_sig_bufset *s, int id, uint32_t idx, const uint8_t **p, size_t *len)
{
	*p = NULL;
	*len = 0;
	if (id < 0 || (unsigned)id >= VG_SIG_MAX_BUF_IDS)
		return VG_ENOENT;
	if (id == VG_RULE_BUF_DNS_QUERY) {
		/* multi-buffer: not cached, names live in the message */
		if (!s->dns || idx >= s->dns->n_questions || idx >= s->dns->n_rr)
			return VG_ENOENT;
		const struct vg_dns_rr *rr = &s->dns->rr[idx];
		if (rr->section != VG_DNS_QUESTION)
			return VG_ENOENT;
		/* the root is an empty name in rule buffers */
		if (strcmp(rr->name, "<root>") == 0) {
			*p = empty;
			return 0;
		}
		*p = (const uint8_t *)rr->name;
		*len = strlen(rr->name);
		return 0;
	}
	if (id == VG_RULE_BUF_TLS_CERTS) {
		/* multi-buffer: each certificate's DER, chain order (leaf first); one whose
		 * DER was not kept (VG_TLS_MAX_CERT_BYTES) is absent */
		if (!s->tls || idx >= s->tls->n_certs || idx >= VG_TLS_MAX_CERTS || !s->tls->certs[idx].der)
			return VG_ENOENT;
		*p = s->tls->certs[idx].der;
		*len = s->tls->certs[idx].der_len;
		return 0;
	}
	if (id == VG_RULE_BUF_FILE_DATA && upload_files(s)) {
		/* multipart upload: one instance per file part (Suricata: one file each) */
		const struct vg_http_msg *q = &s->tx->req;
		if (idx >= q->n_files || idx >= VG_HTTP_MAX_FILES)
			return VG_ENOENT;
		*p = q->files[idx].len ? (const uint8_t *)q->body.data + q->files[idx].off : empty;
		*len = q->files[idx].len;
		return 0;
	}
	if (idx > 0)
		return VG_ENOENT;
	if (s->state[id] == ST_PRESENT) {
		*p = s->p[id];
		*len = s->len[id];
		return 0;
	}
	if (s->state[id] == ST_ABSENT)
		return VG_ENOENT;

	int rc = VG_ENOENT;
	if (id == VG_RULE_BUF_PAYLOAD) {
		if (s->pkt) {
			*p = s->pkt;
			*len = s->pkt_len;
			rc = 0;
		}
	} else if (id == VG_RULE_BUF_STREAM) {
		if (s->pkt && s->is_stream) {
			*p = s->pkt;
			*len = s->pkt_len;
			rc = 0;
		}
	} else if (id == VG_RULE_BUF_IPV4_HDR) {
		if (s->ip4_hdr) {
			*p = s->ip4_hdr;
			*len = s->ip4_hdr_len;
			rc = 0;
		}
	} else if (s->tx && vg_sig_buf_is_http(id)) {
		rc = http_buf(s, id, p, len);
	} else if (s->tls) {
		rc = tls_buf(s, id, p, len);
	}
	if (rc == 0) {
		if (!*p)
			*p = empty;
		s->state[id] = ST_PRESENT;
		s->p[id] = *p;
		s->len[id] = *len;
	} else {
		s->state[id] = ST_ABSENT;
		*p = NULL;
		*len = 0;
		rc = VG_ENOENT;
	}
	return rc;
}
