/* app-http.c — incremental HTTP/1.x request and response parser with transactions.
 *
 * Each direction is a small state machine fed in arbitrary chunks. Line states
 * (request/status line, headers, chunk sizes, trailers) collect one line at a time in
 * a capped buffer; body states count bytes against Content-Length or the chunk size.
 * Requests open transactions in order; responses answer the oldest unanswered one, so
 * pipelined requests pair correctly. Framing follows RFC 9112: Transfer-Encoding
 * chunked wins over Content-Length (the conflict is counted: request smuggling),
 * 1xx responses are interim, HEAD/204/304 responses have no body, a response with
 * neither length nor chunking ends at close, a 2xx to CONNECT starts a tunnel.
 *
 * Bodies with Content-Encoding gzip / x-gzip / deflate / x-deflate are inflated with
 * zlib as they arrive (after de-chunking), so body buffers hold what libhtp would give
 * Suricata's file.data. deflate is tried with its zlib header first, then raw (servers
 * send both). Bounded: VG_HTTP_MAX_INFLATE_OUT bytes of output per body and an
 * output/input ratio (VG_HTTP_INFLATE_BOMB_*) stop it, counted. Data that does not
 * inflate before any output is kept as sent (the raw bytes, counted); after some output
 * inflating just stops there. Every decision depends only on the bytes, never on how
 * they were split into calls. */
#include "app/app.h"
#include "app/app-http-int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/core-error.h"

enum hstate {
	H_LINE = 0,     /* request line / status line */
	H_HEADERS,
	H_BODY_CL,
	H_CHUNK_SIZE,
	H_CHUNK_DATA,
	H_CHUNK_CRLF,
	H_TRAILERS,
	H_BODY_EOF,     /* response body until the connection closes */
	H_RESYNC,       /* after a gap or garbage: skip lines until a start line */
	H_SKIP,         /* drop `remain` body bytes of an evicted transaction */
	H_TUNNEL,       /* after CONNECT: not HTTP any more */
	H_H2C,          /* after a 101 to "Upgrade: h2c": HTTP/2 follows (vg_http_h2c) */
	H_ERROR,        /* unparsable: ignore until a gap */
};

/* The inflater of the body a direction is parsing; allocated only for encoded bodies. */
struct vg_http_inflater {
	z_stream z;
	bool raw_tried;         /* deflate: the zlib header failed, raw deflate in use */
	bool pass;              /* bad data before any output: later bytes kept as sent */
	bool done;              /* stream end, error after output, bomb or limit: rest ignored */
	uint64_t in;            /* compressed bytes consumed */
	uint64_t fed;           /* compressed bytes given to inf_feed so far */
	uint8_t pend[VG_HTTP_INFLATE_PENDING]; /* the first bytes of the stream, while no output */
};

struct hdir {
	enum hstate state;
	struct vg_buf line;
	struct vg_http_tx *tx;  /* transaction whose message this direction is parsing */
	uint64_t remain;        /* body bytes left (Content-Length or chunk) */
	struct vg_http_inflater *inf;   /* encoded body being inflated; NULL otherwise */
	size_t h2c_used;        /* H_H2C: bytes of the call that switched that were HTTP/1 */
	bool h2c_noted;         /* h2c_used is set */
	bool h2c_line;          /* switched at the preface's first line, already consumed */
};

struct vg_http_state {
	struct hdir d[2];
	struct vg_http_tx *head;  /* transactions in request order */
	uint32_t n_tx;
	uint64_t next_id;
	size_t body_max;
	vg_http_tx_cb cb;
	void *cb_ctx;
	struct vg_http_stats st;
	bool h2c_offered;         /* a complete request asked for "Upgrade: h2c" */
};

/* ------------------------------------------------------------------------------ */

void vg_http_msg_init(struct vg_http_msg *m)
{
	memset(m, 0, sizeof(*m));
	vg_buf_init(&m->line, VG_HTTP_MAX_LINE);
	vg_buf_init(&m->raw_headers, VG_HTTP_MAX_HEADER_BYTES);
	vg_buf_init(&m->hbuf, VG_HTTP_MAX_HEADER_BYTES + 2u * VG_HTTP_MAX_HEADERS);
	vg_buf_init(&m->body, VG_HTTP_MAX_BODY);
}

void vg_http_msg_free(struct vg_http_msg *m)
{
	vg_buf_free(&m->line);
	vg_buf_free(&m->raw_headers);
	vg_buf_free(&m->hbuf);
	vg_buf_free(&m->body);
}

static struct vg_http_tx *tx_new(struct vg_http_state *st)
{
	struct vg_http_tx *tx = calloc(1, sizeof(*tx));
	if (!tx)
		return NULL;
	vg_http_msg_init(&tx->req);
	vg_http_msg_init(&tx->resp);
	vg_buf_init(&tx->uri_norm, VG_HTTP_MAX_LINE);
	vg_buf_init(&tx->host, VG_HTTP_MAX_LINE);
	tx->id = st->next_id++;
	/* append in order */
	struct vg_http_tx **link = &st->head;
	while (*link)
		link = &(*link)->next;
	*link = tx;
	st->n_tx++;
	return tx;
}

static void tx_free(struct vg_http_tx *tx)
{
	vg_http_msg_free(&tx->req);
	vg_http_msg_free(&tx->resp);
	vg_buf_free(&tx->uri_norm);
	vg_buf_free(&tx->host);
	free(tx);
}

void vg_http_inflater_free(struct vg_http_inflater *f)
{
	if (!f)
		return;
	inflateEnd(&f->z);
	free(f);
}

static void inf_end(struct hdir *d)
{
	vg_http_inflater_free(d->inf);
	d->inf = NULL;
}

/* Report DONE, unlink and free. */
static void tx_finish(struct vg_http_state *st, struct vg_http_tx *tx)
{
	for (int i = 0; i < 2; i++) {
		if (st->d[i].tx == tx) {
			/* evicted while its message is still arriving: skip the rest of it */
			inf_end(&st->d[i]);
			st->d[i].tx = NULL;
			if (st->d[i].state == H_BODY_CL) {
				st->d[i].state = H_SKIP; /* framing known: skip exactly the rest */
			} else {
				st->d[i].state = H_RESYNC;
				st->d[i].remain = 0;
			}
		}
	}
	struct vg_http_tx **link = &st->head;
	while (*link && *link != tx)
		link = &(*link)->next;
	if (*link)
		*link = tx->next;
	st->n_tx--;
	if (st->cb)
		st->cb(st->cb_ctx, tx, VG_HTTP_EV_DONE);
	tx_free(tx);
}

struct vg_http_state *vg_http_state_new(size_t body_max, vg_http_tx_cb cb, void *cb_ctx)
{
	struct vg_http_state *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	for (int i = 0; i < 2; i++)
		vg_buf_init(&st->d[i].line, VG_HTTP_MAX_HEADER_BYTES);
	st->body_max = body_max == 0 || body_max > VG_HTTP_MAX_BODY ? VG_HTTP_MAX_BODY : body_max;
	st->cb = cb;
	st->cb_ctx = cb_ctx;
	return st;
}

void vg_http_state_free(struct vg_http_state *st)
{
	if (!st)
		return;
	struct vg_http_tx *tx = st->head;
	while (tx) {
		struct vg_http_tx *n = tx->next;
		tx_free(tx);
		tx = n;
	}
	for (int i = 0; i < 2; i++) {
		vg_buf_free(&st->d[i].line);
		inf_end(&st->d[i]);
	}
	free(st);
}

const struct vg_http_stats *vg_http_stats(const struct vg_http_state *st)
{
	return &st->st;
}

/* ---------------------------------------------------------------- headers ------ */

static struct vg_str ref_name(const struct vg_http_msg *m, uint32_t i)
{
	return vg_str_make(m->hbuf.data + m->hdr[i].name_off, m->hdr[i].name_len);
}

static struct vg_str ref_value(const struct vg_http_msg *m, uint32_t i)
{
	return vg_str_make(m->hbuf.data + m->hdr[i].value_off, m->hdr[i].value_len);
}

bool vg_http_msg_header(const struct vg_http_msg *m, const char *name, struct vg_str *value)
{
	if (value)
		*value = vg_str_make("", 0);
	for (uint32_t i = 0; i < m->n_headers; i++) {
		if (vg_str_casecmp_cstr(ref_name(m, i), name)) {
			if (value)
				*value = ref_value(m, i);
			return true;
		}
	}
	return false;
}

void vg_http_msg_header_at(const struct vg_http_msg *m, uint32_t i, struct vg_str *name, struct vg_str *value)
{
	*name = vg_str_make("", 0);
	*value = vg_str_make("", 0);
	if (i >= m->n_headers)
		return;
	*name = ref_name(m, i);
	*value = ref_value(m, i);
}

static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static struct vg_str trim_ws(const char *p, size_t n)
{
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return vg_str_make(p, n);
}

/* One header line (no line ending). Obsolete folding continues the last value. */
static int add_header_line(struct vg_http_state *st, struct vg_http_msg *m, const char *p, size_t n)
{
	if ((p[0] == ' ' || p[0] == '\t') && m->n_headers > 0 &&
	    m->hdr[m->n_headers - 1].value_off + m->hdr[m->n_headers - 1].value_len + 1 == m->hbuf.len) {
		/* obs-fold: the last value is the last thing in hbuf; extend it in place */
		struct vg_str more = trim_ws(p, n);
		struct vg_http_hdr_ref *r = &m->hdr[m->n_headers - 1];
		m->hbuf.len--; /* drop its NUL */
		if (vg_buf_append(&m->hbuf, " ", 1) < 0 || vg_buf_append(&m->hbuf, more.p, more.len) < 0 ||
		    vg_buf_append(&m->hbuf, "", 1) < 0) {
			st->st.header_block_truncated++;
			return 0;
		}
		r->value_len = (uint32_t)(m->hbuf.len - 1 - r->value_off);
		return 0;
	}
	const char *colon = memchr(p, ':', n);
	if (!colon || colon == p) {
		st->st.invalid_header++;
		return 0;
	}
	struct vg_str name = trim_ws(p, (size_t)(colon - p));
	if (name.len != (size_t)(colon - p))
		st->st.invalid_header++; /* whitespace before the colon: accepted, counted */
	for (size_t i = 0; i < name.len; i++) {
		if (!is_tchar((unsigned char)name.p[i])) {
			st->st.invalid_header++;
			return 0;
		}
	}
	if (name.len == 0) {
		st->st.invalid_header++;
		return 0;
	}
	struct vg_str value = trim_ws(colon + 1, n - (size_t)(colon + 1 - p));
	if (m->n_headers >= VG_HTTP_MAX_HEADERS) {
		if (m->headers_dropped++ == 0)
			st->st.too_many_headers++;
		return 0;
	}
	struct vg_http_hdr_ref r;
	r.name_off = (uint32_t)m->hbuf.len;
	r.name_len = (uint32_t)name.len;
	r.value_off = (uint32_t)(m->hbuf.len + name.len + 1);
	r.value_len = (uint32_t)value.len;
	if (vg_buf_append(&m->hbuf, name.p, name.len) < 0 || vg_buf_append(&m->hbuf, "", 1) < 0 ||
	    vg_buf_append(&m->hbuf, value.p, value.len) < 0 || vg_buf_append(&m->hbuf, "", 1) < 0) {
		st->st.header_block_truncated++;
		return 0;
	}
	m->hdr[m->n_headers++] = r;
	return 0;
}

/* ------------------------------------------------------------ normalization ---- */

static bool is_unreserved(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

int vg_http_normalize_uri(const char *uri, size_t len, struct vg_buf *out)
{
	vg_buf_reset(out);
	const char *p = uri, *end = uri + len;
	/* absolute-form: skip scheme://authority */
	const char *ss = NULL;
	for (const char *q = p; q + 2 < end && *q != '/' && *q != '?'; q++) {
		if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
			ss = q + 3;
			break;
		}
	}
	if (ss) {
		p = ss;
		while (p < end && *p != '/' && *p != '?')
			p++;
	}
	size_t rest = len - (size_t)(p - uri); /* p never passes end */
	const char *qm = rest > 0 ? memchr(p, '?', rest) : NULL;
	const char *path_end = qm ? qm : end;
	/* decode %XX of unreserved characters in the path (others stay encoded) */
	struct vg_buf dec;
	vg_buf_init(&dec, len + 1);
	int rc = 0;
	for (const char *q = p; q < path_end; q++) {
		char c = *q;
		if (c == '%' && path_end - q >= 3) {
			int h = vg_hex_digit((unsigned char)q[1]), l = vg_hex_digit((unsigned char)q[2]);
			if (h >= 0 && l >= 0 && is_unreserved(h * 16 + l)) {
				c = (char)(h * 16 + l);
				q += 2;
			}
		}
		if ((rc = vg_buf_append(&dec, &c, 1)) < 0)
			goto out;
	}
	/* remove dot segments (RFC 3986 5.2.4) on the decoded path */
	const char *in = dec.data ? dec.data : "";
	size_t n = dec.len;
	size_t i = 0;
	if (n == 0 && ss && (rc = vg_buf_append(out, "/", 1)) < 0)
		goto out; /* "http://host" and "http://host?q" have the path "/" */
	while (i < n) {
		if (n - i >= 3 && memcmp(in + i, "../", 3) == 0) {
			i += 3;
		} else if (n - i >= 2 && memcmp(in + i, "./", 2) == 0) {
			i += 2;
		} else if (n - i >= 3 && memcmp(in + i, "/./", 3) == 0) {
			i += 2;
		} else if (n - i == 2 && memcmp(in + i, "/.", 2) == 0) {
			i += 1;
			/* "/." at the end → "/" */
			if ((rc = vg_buf_append(out, "/", 1)) < 0)
				goto out;
			i = n;
		} else if (n - i >= 4 && memcmp(in + i, "/../", 4) == 0) {
			i += 3;
			while (out->len > 0 && out->data[out->len - 1] != '/')
				out->len--;
			if (out->len > 0)
				out->len--;
		} else if (n - i == 3 && memcmp(in + i, "/..", 3) == 0) {
			i = n;
			while (out->len > 0 && out->data[out->len - 1] != '/')
				out->len--;
			if (out->len > 0)
				out->len--;
			if ((rc = vg_buf_append(out, "/", 1)) < 0)
				goto out;
		} else if ((n - i == 1 && in[i] == '.') || (n - i == 2 && memcmp(in + i, "..", 2) == 0)) {
			i = n;
		} else {
			size_t j = i + 1;
			while (j < n && in[j] != '/')
				j++;
			if ((rc = vg_buf_append(out, in + i, j - i)) < 0)
				goto out;
			i = j;
		}
	}
	if (qm && (rc = vg_buf_append(out, qm, (size_t)(end - qm))) < 0)
		goto out;
	vg_buf_cstr(out);
out:
	vg_buf_free(&dec);
	return rc;
}

int vg_http_normalize_host(const char *host, size_t len, struct vg_buf *out)
{
	vg_buf_reset(out);
	struct vg_str h = trim_ws(host, len);
	const char *p = h.p;
	size_t n = h.len;
	if (n > 0 && p[0] == '[') {
		const char *rb = memchr(p, ']', n);
		if (rb) {
			p++;
			n = (size_t)(rb - p);
		}
	} else {
		const char *colon = memchr(p, ':', n);
		if (colon)
			n = (size_t)(colon - p);
	}
	if (n > 0 && p[n - 1] == '.')
		n--; /* "example.com." is example.com */
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		int rc = vg_buf_append(out, &c, 1);
		if (rc < 0)
			return rc;
	}
	vg_buf_cstr(out);
	return 0;
}

/* ------------------------------------------------------------- start lines ----- */

/* Split "A SP B SP C" (any run of SP/HT separates); rest gets everything after B. */
static size_t split3(const char *p, size_t n, struct vg_str f[3])
{
	size_t k = 0, i = 0;
	f[0] = f[1] = f[2] = vg_str_make("", 0);
	while (i < n && k < 3) {
		while (i < n && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (i >= n)
			break;
		size_t j = i;
		if (k == 2) {
			j = n; /* the rest (reason phrases contain spaces) */
			while (j > i && (p[j - 1] == ' ' || p[j - 1] == '\t'))
				j--;
		} else {
			while (j < n && p[j] != ' ' && p[j] != '\t')
				j++;
		}
		f[k++] = vg_str_make(p + i, j - i);
		i = j;
	}
	return k;
}

static bool is_http_version(struct vg_str v)
{
	return v.len == 8 && memcmp(v.p, "HTTP/", 5) == 0 && v.p[5] >= '0' && v.p[5] <= '9' &&
	       v.p[6] == '.' && v.p[7] >= '0' && v.p[7] <= '9';
}

static bool looks_like_request(const char *p, size_t n)
{
	struct vg_str f[3];
	size_t k = split3(p, n, f);
	if (k < 2 || f[0].len > 32)
		return false;
	for (size_t i = 0; i < f[0].len; i++)
		if (!is_tchar((unsigned char)f[0].p[i]))
			return false;
	if (k == 2) {
		/* HTTP/0.9 "GET /path": only with an upper-case method and a path, so two
		 * words of junk are not taken for a request */
		for (size_t i = 0; i < f[0].len; i++)
			if (f[0].p[i] < 'A' || f[0].p[i] > 'Z')
				return false;
		return f[1].p[0] == '/';
	}
	return is_http_version(f[2]);
}

static bool looks_like_status(const char *p, size_t n)
{
	struct vg_str f[3];
	size_t k = split3(p, n, f);
	if (k < 2 || !is_http_version(f[0]) || f[1].len != 3)
		return false;
	for (int i = 0; i < 3; i++)
		if (f[1].p[i] < '0' || f[1].p[i] > '9')
			return false;
	return true;
}

/* -------------------------------------------------------------- messages ------ */

static void msg_done(struct vg_http_state *st, int dir);

/* Keep body bytes (raw or inflated) up to body_max; the rest is counted. */
static void body_keep(size_t body_max, struct vg_http_stats *ss, struct vg_http_msg *m, const uint8_t *p,
		      size_t n)
{
	size_t room = body_max > m->body.len ? body_max - m->body.len : 0;
	size_t take = n < room ? n : room;
	if (take > 0 && vg_buf_append(&m->body, p, take) < 0)
		take = 0;
	if (take < n && !m->body_truncated) {
		m->body_truncated = true;
		ss->body_truncated++;
	}
}

/* Content-Encoding → VG_HTTP_ENC_*. One coding besides "identity"; a list of several
 * (gzip applied twice, br, zstd, compress, ...) is counted and the body kept as sent. */
static uint8_t body_encoding(struct vg_http_stats *ss, const struct vg_http_msg *m)
{
	struct vg_str v;
	if (!vg_http_msg_header(m, "Content-Encoding", &v) || !v.p || v.len == 0)
		return VG_HTTP_ENC_NONE;
	uint8_t enc = VG_HTTP_ENC_NONE;
	unsigned n = 0;
	size_t i = 0;
	while (i <= v.len) {
		size_t e = i;
		while (e < v.len && v.p[e] != ',')
			e++;
		struct vg_str t = vg_str_trim(vg_str_make(v.p + i, e - i));
		i = e + 1;
		if (t.len == 0 || vg_str_casecmp_cstr(t, "identity"))
			continue;
		n++;
		if (vg_str_casecmp_cstr(t, "gzip") || vg_str_casecmp_cstr(t, "x-gzip"))
			enc = VG_HTTP_ENC_GZIP;
		else if (vg_str_casecmp_cstr(t, "deflate") || vg_str_casecmp_cstr(t, "x-deflate"))
			enc = VG_HTTP_ENC_DEFLATE;
		else
			enc = 0xff;
	}
	if (n == 0)
		return VG_HTTP_ENC_NONE;
	if (n > 1 || enc == 0xff) {
		ss->encoding_unsupported++;
		return VG_HTTP_ENC_NONE;
	}
	return enc;
}

/* Before the body of dir's message: an inflater when it is encoded. Without memory the
 * body is kept as sent. */
struct vg_http_inflater *vg_http_inflater_start(struct vg_http_msg *m, struct vg_http_stats *ss)
{
	m->encoding = body_encoding(ss, m);
	if (m->encoding == VG_HTTP_ENC_NONE)
		return NULL;
	struct vg_http_inflater *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	/* gzip: 15 + 32 takes a gzip or a zlib header; deflate: zlib header first */
	if (inflateInit2(&f->z, m->encoding == VG_HTTP_ENC_GZIP ? 15 + 32 : 15) != Z_OK) {
		free(f);
		return NULL;
	}
	return f;
}

void vg_http_inflater_stop(struct vg_http_inflater *f)
{
	if (f)
		f->done = true;
}

static void inf_start(struct vg_http_state *st, struct hdir *d, struct vg_http_msg *m)
{
	inf_end(d);
	d->inf = vg_http_inflater_start(m, &st->st);
}

/* Inflate n compressed bytes into the body. Output is produced in blocks capped so
 * that it stops exactly at VG_HTTP_MAX_INFLATE_OUT; the bomb test looks at totals only
 * past VG_HTTP_INFLATE_BOMB_MIN (>= VG_HTTP_MAX_BODY), so the kept body never depends
 * on where a call boundary fell. Bad data before any output keeps the raw bytes when the
 * error comes within the first VG_HTTP_INFLATE_PENDING bytes (then every byte so far is
 * in pend or in this call, however the stream was split); later, inflating just stops. */
static void inf_feed(size_t body_max, struct vg_http_stats *ss, struct vg_http_inflater *f,
		     struct vg_http_msg *m, const uint8_t *p, size_t n)
{
	const size_t P = sizeof(f->pend);
	size_t a = f->fed < P ? (size_t)f->fed : P; /* stream bytes before p held in pend */
	bool a_all = f->fed <= P;                   /* ... and that is all of them */
	if (m->decoded_len == 0 && f->fed < P) {
		size_t k = n < P - a ? n : P - a;
		memcpy(f->pend + a, p, k);
	}
	f->fed += n;
	f->z.next_in = (Bytef *)(uintptr_t)p;
	f->z.avail_in = (uInt)n;
	uint8_t out[4096];
	for (;;) {
		uint64_t left = VG_HTTP_MAX_INFLATE_OUT - m->decoded_len;
		f->z.next_out = out;
		f->z.avail_out = (uInt)(left < sizeof(out) ? left : sizeof(out));
		uInt want = f->z.avail_out, before = f->z.avail_in;
		int rc = inflate(&f->z, Z_NO_FLUSH);
		size_t got = want - f->z.avail_out;
		f->in += before - f->z.avail_in;
		if (got > 0) {
			m->decoded = true;
			m->decoded_len += got;
			body_keep(body_max, ss, m, out, got);
		}
		if (rc == Z_STREAM_END) {
			f->done = true; /* bytes after the end of the stream are ignored */
			return;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			/* every byte so far: pend[0, a) then p[0, n) (when a_all) */
			if (m->encoding == VG_HTTP_ENC_DEFLATE && !f->raw_tried && m->decoded_len == 0 && a_all) {
				/* no zlib header: raw deflate over everything seen so far */
				f->raw_tried = true;
				uint8_t *again = malloc(a + n + 1);
				if (again && inflateReset2(&f->z, -15) == Z_OK) {
					memcpy(again, f->pend, a);
					memcpy(again + a, p, n);
					f->fed = 0;
					f->in = 0;
					inf_feed(body_max, ss, f, m, again, a + n);
					free(again);
					return;
				}
				free(again);
			}
			ss->inflate_error++;
			m->decode_failed = true;
			if (m->decoded_len == 0 && f->in <= P && a_all) {
				/* never inflated: the bytes are kept as they were sent */
				f->pass = true;
				body_keep(body_max, ss, m, f->pend, a);
				body_keep(body_max, ss, m, p, n);
			} else {
				f->done = true;
			}
			return;
		}
		if (m->decoded_len >= VG_HTTP_MAX_INFLATE_OUT) {
			ss->inflate_limit++;
			m->decode_stopped = true;
			f->done = true;
			return;
		}
		if (m->decoded_len >= VG_HTTP_INFLATE_BOMB_MIN &&
		    m->decoded_len / VG_HTTP_INFLATE_BOMB_RATIO > (f->in ? f->in : 1)) {
			ss->inflate_bomb++;
			m->decode_stopped = true;
			f->done = true;
			return;
		}
		if (f->z.avail_in == 0 && f->z.avail_out != 0)
			return; /* all input taken, output not full: wait for more */
		if (got == 0 && before == f->z.avail_in)
			return; /* no progress possible (Z_BUF_ERROR): never spin */
	}
}

void vg_http_inflater_feed(struct vg_http_inflater *f, struct vg_http_msg *m, size_t body_max,
			   struct vg_http_stats *ss, const uint8_t *p, size_t n)
{
	if (!f || f->pass) {
		body_keep(body_max, ss, m, p, n);
		return;
	}
	/* slices: zlib counts in uInt */
	while (n > 0 && !f->done && !f->pass) {
		size_t k = n < (1u << 20) ? n : (1u << 20);
		inf_feed(body_max, ss, f, m, p, k);
		p += k;
		n -= k;
	}
	if (n > 0 && f->pass)
		body_keep(body_max, ss, m, p, n);
}

static void body_append(struct vg_http_state *st, struct hdir *d, struct vg_http_msg *m, const uint8_t *p,
			size_t n)
{
	m->body_seen += n;
	vg_http_inflater_feed(d->inf, m, st->body_max, &st->st, p, n);
}

/* Request fields once its headers are complete. */
static void request_fields(struct vg_http_tx *tx)
{
	struct vg_http_msg *m = &tx->req;
	vg_http_msg_header(m, "User-Agent", &tx->user_agent);
	vg_http_msg_header(m, "Cookie", &tx->cookie);
	vg_http_msg_header(m, "Content-Type", &tx->content_type);
	vg_http_msg_header(m, "Referer", &tx->referer);
	if (!vg_http_msg_header(m, "Host", &tx->host_raw)) {
		/* absolute-form URI: the authority is the host */
		long s = vg_str_find(tx->uri_raw, "://", 3);
		if (s >= 0) {
			const char *a = tx->uri_raw.p + s + 3;
			const char *e = tx->uri_raw.p + tx->uri_raw.len;
			const char *q = a;
			while (q < e && *q != '/' && *q != '?')
				q++;
			tx->host_raw = vg_str_make(a, (size_t)(q - a));
		}
	}
	vg_http_normalize_host(tx->host_raw.p ? tx->host_raw.p : "", tx->host_raw.len, &tx->host);
}

static void response_fields(struct vg_http_tx *tx)
{
	struct vg_http_msg *m = &tx->resp;
	vg_http_msg_header(m, "Location", &tx->location);
	vg_http_msg_header(m, "Server", &tx->server);
	vg_http_msg_header(m, "Content-Type", &tx->resp_content_type);
}

/* Content-Length / Transfer-Encoding → framing, with smuggling signs counted. */
static void framing(struct vg_http_state *st, struct vg_http_msg *m)
{
	struct vg_str te;
	for (uint32_t i = 0; i < m->n_headers; i++) {
		struct vg_str name = ref_name(m, i), v = ref_value(m, i);
		if (vg_str_casecmp_cstr(name, "Content-Length")) {
			uint64_t cl;
			if (vg_parse_u64(v.p, v.len, UINT64_MAX / 2, &cl) < 0) {
				st->st.cl_conflict++;
				continue;
			}
			if (m->has_content_length && cl != m->content_length) {
				st->st.cl_conflict++;
				continue; /* the first one stands */
			}
			m->has_content_length = true;
			m->content_length = cl;
		}
	}
	if (vg_http_msg_header(m, "Transfer-Encoding", &te)) {
		/* chunked must be the final coding */
		struct vg_str t = vg_str_trim(te);
		if (t.len >= 7 && vg_str_casecmp_cstr(vg_str_make(t.p + t.len - 7, 7), "chunked"))
			m->chunked = true;
		if (m->has_content_length)
			st->st.cl_te_conflict++;
	}
}

static struct vg_http_tx *oldest_unanswered(struct vg_http_state *st)
{
	for (struct vg_http_tx *tx = st->head; tx; tx = tx->next)
		if (!tx->has_response)
			return tx;
	return NULL;
}

static size_t msg_bytes(const struct vg_http_msg *m)
{
	return m->line.cap + m->raw_headers.cap + m->hbuf.cap + m->body.cap;
}

/* Bytes held by the transactions of a flow (buffer capacities). */
static size_t state_bytes(const struct vg_http_state *st)
{
	size_t n = 0;
	for (const struct vg_http_tx *tx = st->head; tx; tx = tx->next)
		n += sizeof(*tx) + msg_bytes(&tx->req) + msg_bytes(&tx->resp) + tx->uri_norm.cap + tx->host.cap;
	return n;
}

static int start_request(struct vg_http_state *st, const char *p, size_t n)
{
	struct hdir *d = &st->d[0];
	/* Too many unanswered requests, or too much memory held by them (each may keep
	 * header blocks and bodies up to their bounds): the oldest is reported without its
	 * response and freed. Bounds a flow to about VG_HTTP_MAX_STATE_BYTES plus the two
	 * messages being parsed. */
	while (st->head && (st->n_tx >= VG_HTTP_MAX_TXS || state_bytes(st) > VG_HTTP_MAX_STATE_BYTES)) {
		st->st.tx_evicted++;
		st->head->resp.incomplete = true;
		tx_finish(st, st->head);
	}
	struct vg_http_tx *tx = tx_new(st);
	if (!tx)
		return VG_ENOMEM;
	tx->has_request = true;
	st->st.requests++;
	d->tx = tx;
	int rc = vg_buf_append(&tx->req.line, p, n);
	if (rc < 0)
		return rc;
	struct vg_str f[3];
	size_t k = split3(tx->req.line.data, tx->req.line.len, f);
	tx->method = f[0];
	tx->uri_raw = f[1];
	tx->req.protocol = k == 3 ? f[2] : vg_str_make("", 0);
	vg_http_normalize_uri(tx->uri_raw.p, tx->uri_raw.len, &tx->uri_norm);
	if (k == 2) {
		/* HTTP/0.9: no headers, no body */
		tx->req.headers_done = true;
		request_fields(tx);
		msg_done(st, 0);
		return 0;
	}
	d->state = H_HEADERS;
	return 0;
}

static int start_response(struct vg_http_state *st, const char *p, size_t n)
{
	struct hdir *d = &st->d[1];
	struct vg_http_tx *tx = oldest_unanswered(st);
	if (!tx) {
		st->st.unsolicited_response++;
		if (st->n_tx >= VG_HTTP_MAX_TXS) {
			st->st.tx_evicted++;
			tx_finish(st, st->head);
		}
		tx = tx_new(st);
		if (!tx)
			return VG_ENOMEM;
	}
	tx->has_response = true;
	st->st.responses++;
	d->tx = tx;
	int rc = vg_buf_append(&tx->resp.line, p, n);
	if (rc < 0)
		return rc;
	struct vg_str f[3];
	split3(tx->resp.line.data, tx->resp.line.len, f);
	tx->resp.protocol = f[0];
	uint64_t code = 0;
	vg_parse_u64(f[1].p, f[1].len, 999, &code);
	tx->status = (int)code;
	tx->status_msg = f[2];
	d->state = H_HEADERS;
	return 0;
}

/* Interim 1xx: forget it and wait for the final response of the same tx. */
static void reset_response(struct vg_http_tx *tx)
{
	vg_http_msg_free(&tx->resp);
	vg_http_msg_init(&tx->resp);
	tx->has_response = false; /* the final response still belongs to this tx */
	tx->status = 0;
	tx->status_msg = tx->location = tx->server = tx->resp_content_type = vg_str_make("", 0);
}

static bool request_is_head(const struct vg_http_tx *tx)
{
	return tx->has_request && vg_str_eq_cstr(tx->method, "HEAD");
}

/* The message's Upgrade header lists the token h2c (RFC 7540 3.2: HTTP/2 over cleartext). */
static bool upgrade_h2c(const struct vg_http_msg *m)
{
	struct vg_str v;
	if (!vg_http_msg_header(m, "Upgrade", &v) || !v.p)
		return false;
	size_t i = 0;
	while (i <= v.len) {
		size_t e = i;
		while (e < v.len && v.p[e] != ',')
			e++;
		if (vg_str_casecmp_cstr(vg_str_trim(vg_str_make(v.p + i, e - i)), "h2c"))
			return true;
		i = e + 1;
	}
	return false;
}

static void headers_done(struct vg_http_state *st, int dir)
{
	struct hdir *d = &st->d[dir];
	struct vg_http_tx *tx = d->tx;
	struct vg_http_msg *m = dir == 0 ? &tx->req : &tx->resp;
	m->headers_done = true;
	framing(st, m);
	if (dir == 0) {
		request_fields(tx);
		if (m->chunked || (m->has_content_length && m->content_length > 0))
			inf_start(st, d, m);
		if (m->chunked) {
			d->state = H_CHUNK_SIZE;
		} else if (m->has_content_length && m->content_length > 0) {
			d->remain = m->content_length;
			d->state = H_BODY_CL;
		} else {
			msg_done(st, 0);
		}
		return;
	}
	response_fields(tx);
	if (tx->status == 101 && tx->has_request && tx->req.complete && upgrade_h2c(&tx->req) &&
	    upgrade_h2c(m)) {
		/* the switch to HTTP/2 (RFC 7540 3.2): the server's next bytes are its SETTINGS;
		 * the client's are its preface, unless its side is mid-message */
		tx->h2c_upgrade = true;
		msg_done(st, 1);
		d->state = H_H2C;
		if (st->d[0].state == H_LINE && !st->d[0].tx && st->d[0].line.len == 0)
			st->d[0].state = H_H2C;
		return;
	}
	if (tx->status >= 100 && tx->status < 200) {
		st->st.interim_responses++;
		reset_response(tx);
		d->state = H_LINE;
		return;
	}
	bool connect_ok = tx->has_request && vg_str_eq_cstr(tx->method, "CONNECT") &&
			  tx->status >= 200 && tx->status < 300;
	if (connect_ok) {
		msg_done(st, 1);
		st->d[0].state = H_TUNNEL;
		st->d[1].state = H_TUNNEL;
		return;
	}
	if (request_is_head(tx) || tx->status == 204 || tx->status == 304) {
		msg_done(st, 1);
		return;
	}
	if (m->chunked || !m->has_content_length || m->content_length > 0)
		inf_start(st, d, m);
	if (m->chunked) {
		d->state = H_CHUNK_SIZE;
	} else if (m->has_content_length) {
		if (m->content_length == 0) {
			msg_done(st, 1);
		} else {
			d->remain = m->content_length;
			d->state = H_BODY_CL;
		}
	} else {
		d->state = H_BODY_EOF;
	}
}

/* ----------------------------------------------------------- multipart ------ */

/* First occurrence of needle at or after from in [p, p + len): offset, or -1. */
static long find_from(const uint8_t *p, size_t len, size_t from, const char *needle, size_t nlen)
{
	if (from >= len)
		return -1;
	long r = vg_str_find(vg_str_make((const char *)p + from, len - from), needle, nlen);
	return r < 0 ? -1 : r + (long)from;
}

/* ASCII case-insensitive search of a NUL-terminated lower-case word. */
static bool has_word_ci(struct vg_str s, const char *w)
{
	size_t n = strlen(w);
	for (size_t i = 0; i + n <= s.len; i++) {
		size_t k = 0;
		while (k < n && (s.p[i + k] | 0x20) == w[k])
			k++;
		if (k == n)
			return true;
	}
	return false;
}

/* boundary parameter of a multipart Content-Type: 1..VG_HTTP_MAX_BOUNDARY bytes. */
static bool multipart_boundary(struct vg_str ct, struct vg_str *b)
{
	struct vg_str t = vg_str_trim(ct);
	if (t.len < 10 || !vg_str_casecmp_cstr(vg_str_make(t.p, 10), "multipart/"))
		return false;
	for (size_t i = 0; i + 9 <= t.len; i++) {
		if (!vg_str_casecmp_cstr(vg_str_make(t.p + i, 9), "boundary="))
			continue;
		if (i > 0 && t.p[i - 1] != ';' && t.p[i - 1] != ' ' && t.p[i - 1] != '\t')
			continue;
		size_t s = i + 9, e = s;
		if (s < t.len && t.p[s] == '"') {
			s++;
			e = s;
			while (e < t.len && t.p[e] != '"')
				e++;
		} else {
			while (e < t.len && t.p[e] != ';' && t.p[e] != ' ' && t.p[e] != '\t')
				e++;
		}
		if (e == s || e - s > VG_HTTP_MAX_BOUNDARY)
			return false;
		*b = vg_str_make(t.p + s, e - s);
		return true;
	}
	return false;
}

int vg_http_multipart_files(struct vg_str content_type, const uint8_t *body, size_t len,
			    struct vg_http_file_ref *files, uint32_t max, uint32_t *dropped)
{
	if (dropped)
		*dropped = 0;
	struct vg_str bd;
	if (!content_type.p || !multipart_boundary(content_type, &bd) || !body)
		return VG_EINVAL;
	/* "\r\n--" + boundary; the first delimiter may also start the body */
	char delim[VG_HTTP_MAX_BOUNDARY + 5];
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, bd.p, bd.len);
	size_t dl = 4 + bd.len;
	long d;
	if (len >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0)
		d = -2; /* body starts with "--boundary" */
	else if ((d = find_from(body, len, 0, delim, dl)) < 0)
		return VG_EINVAL;
	uint32_t n = 0;
	for (;;) {
		size_t p = (size_t)(d + (long)dl);
		if (p + 2 <= len && body[p] == '-' && body[p + 1] == '-')
			break; /* close delimiter */
		long nl = find_from(body, len, p, "\n", 1);
		if (nl < 0)
			break;
		size_t hs = (size_t)nl + 1;
		long he = find_from(body, len, hs, "\r\n\r\n", 4);
		size_t cs;
		if (he >= 0 && body[hs] == '\r' && hs + 1 < len && body[hs + 1] == '\n') {
			he = (long)hs; /* no part headers at all */
			cs = hs + 2;
		} else if (he >= 0) {
			cs = (size_t)he + 4;
		} else {
			break; /* headers cut off */
		}
		long nd = find_from(body, len, cs, delim, dl);
		size_t ce = nd < 0 ? len : (size_t)nd;
		/* the part is a file when its Content-Disposition names one */
		struct vg_str hdrs = vg_str_make((const char *)body + hs, (size_t)he - hs);
		bool file = false;
		size_t ls = 0;
		while (ls < hdrs.len && !file) {
			size_t le = ls;
			while (le < hdrs.len && hdrs.p[le] != '\n')
				le++;
			struct vg_str line = vg_str_make(hdrs.p + ls, le - ls);
			if (line.len > 20 && vg_str_casecmp_cstr(vg_str_make(line.p, 20), "Content-Disposition:") &&
			    has_word_ci(line, "filename"))
				file = true;
			ls = le + 1;
		}
		if (file) {
			if (n < max && files) {
				files[n].off = (uint32_t)cs;
				files[n].len = (uint32_t)(ce - cs);
				n++;
			} else if (dropped) {
				(*dropped)++;
			}
		}
		if (nd < 0)
			break;
		d = nd;
	}
	return (int)n;
}

/* The message of dir is complete (or given up: caller set incomplete). */
static void msg_done(struct vg_http_state *st, int dir)
{
	struct hdir *d = &st->d[dir];
	struct vg_http_tx *tx = d->tx;
	inf_end(d);
	d->state = H_LINE;
	d->remain = 0;
	d->tx = NULL;
	if (!tx)
		return;
	if (dir == 0) {
		tx->req.complete = true;
		if (upgrade_h2c(&tx->req))
			st->h2c_offered = true;
		struct vg_str ct;
		/* multipart bodies are files of POST requests only, as in Suricata */
		if (tx->req.body.len > 0 && vg_str_eq_cstr(tx->method, "POST") &&
		    vg_http_msg_header(&tx->req, "Content-Type", &ct) &&
		    (ct = vg_str_trim(ct)).len >= 10 && vg_str_casecmp_cstr(vg_str_make(ct.p, 10), "multipart/")) {
			uint32_t drop = 0;
			int nf = vg_http_multipart_files(ct, (const uint8_t *)tx->req.body.data, tx->req.body.len,
							 tx->req.files, VG_HTTP_MAX_FILES, &drop);
			if (nf < 0) {
				st->st.multipart_bad++;
			} else {
				tx->req.multipart = true;
				tx->req.n_files = (uint32_t)nf;
				tx->req.files_dropped = drop;
				st->st.files_dropped += drop;
			}
		}
		if (st->cb)
			st->cb(st->cb_ctx, tx, VG_HTTP_EV_REQUEST);
		if (tx->resp.complete)
			tx_finish(st, tx);
	} else {
		tx->resp.complete = true;
		if (!tx->has_request || tx->req.complete)
			tx_finish(st, tx);
	}
}

static int handle_line(struct vg_http_state *st, int dir, const char *p, size_t n)
{
	struct hdir *d = &st->d[dir];
	switch (d->state) {
	case H_RESYNC:
	case H_LINE:
		if (n == 0)
			return 0; /* empty lines before a start line are allowed (RFC 9112 2.2) */
		/* after an h2c offer, the first line of the client's HTTP/2 preface (maybe seen
		 * before the 101): HTTP/2 from that line on */
		if (dir == 0 && st->h2c_offered && d->state == H_LINE && d->line.len == 16 &&
		    memcmp(d->line.data, VG_HTTP2_PREFACE_STR, 16) == 0) {
			d->state = H_H2C;
			d->h2c_line = true;
			return 0;
		}
		if (dir == 0 ? looks_like_request(p, n) : looks_like_status(p, n)) {
			if (n > VG_HTTP_MAX_LINE) {
				st->st.line_too_long++;
				d->state = H_ERROR;
				return VG_EINVAL;
			}
			return dir == 0 ? start_request(st, p, n) : start_response(st, p, n);
		}
		if (d->state == H_LINE) {
			if (dir == 0)
				st->st.invalid_request_line++;
			else
				st->st.invalid_status_line++;
			st->st.resyncs++;
			d->state = H_RESYNC;
		}
		return 0;
	case H_HEADERS: {
		struct vg_http_msg *m = dir == 0 ? &d->tx->req : &d->tx->resp;
		if (n == 0) {
			headers_done(st, dir);
			return 0;
		}
		return add_header_line(st, m, p, n);
	}
	case H_CHUNK_CRLF:
		d->state = H_CHUNK_SIZE;
		if (n == 0)
			return 0;
		st->st.bad_chunk++; /* data where CRLF was due: read it as the size line */
		/* fall through */
	case H_CHUNK_SIZE: {
		size_t k = 0;
		while (k < n && p[k] != ';' && p[k] != ' ' && p[k] != '\t')
			k++;
		uint64_t sz;
		if (k == 0 || k > 16 || vg_parse_hex_u64(p, k, UINT64_MAX / 2, &sz) < 0) {
			st->st.bad_chunk++;
			struct vg_http_msg *m = dir == 0 ? &d->tx->req : &d->tx->resp;
			m->incomplete = true;
			msg_done(st, dir);
			d->state = H_RESYNC;
			return VG_EINVAL;
		}
		if (sz == 0) {
			d->state = H_TRAILERS;
		} else {
			d->remain = sz;
			d->state = H_CHUNK_DATA;
		}
		return 0;
	}
	case H_TRAILERS:
		if (n == 0)
			msg_done(st, dir);
		return 0; /* trailer fields are not kept */
	default:
		return 0;
	}
}

int vg_http_parse(struct vg_http_state *st, int dir, const uint8_t *data, size_t len)
{
	if (!st || (dir != 0 && dir != 1) || (len > 0 && !data))
		return VG_EINVAL;
	struct hdir *d = &st->d[dir];
	int rc = 0;
	const size_t len0 = len;
	while (len > 0) {
		switch (d->state) {
		case H_H2C:
			if (!d->h2c_noted) {
				d->h2c_noted = true;
				d->h2c_used = len0 - len;
			}
			return 0;
		case H_TUNNEL:
			return 0;
		case H_ERROR:
			return VG_EINVAL;
		case H_SKIP: {
			size_t take = len < d->remain ? len : (size_t)d->remain;
			data += take;
			len -= take;
			d->remain -= take;
			if (d->remain == 0)
				d->state = H_LINE;
			break;
		}
		case H_BODY_CL:
		case H_CHUNK_DATA:
		case H_BODY_EOF: {
			struct vg_http_msg *m = dir == 0 ? &d->tx->req : &d->tx->resp;
			size_t take = len;
			if (d->state != H_BODY_EOF && d->remain < take)
				take = (size_t)d->remain;
			body_append(st, d, m, data, take);
			data += take;
			len -= take;
			if (d->state != H_BODY_EOF) {
				d->remain -= take;
				if (d->remain == 0) {
					if (d->state == H_BODY_CL)
						msg_done(st, dir);
					else
						d->state = H_CHUNK_CRLF;
				}
			}
			break;
		}
		default: {
			const uint8_t *lf = memchr(data, '\n', len);
			size_t take = lf ? (size_t)(lf - data) + 1 : len;
			if (vg_buf_append(&d->line, data, take) < 0) {
				/* a line longer than any header block we accept */
				st->st.line_too_long++;
				vg_buf_reset(&d->line);
				if (d->tx) {
					struct vg_http_msg *m = dir == 0 ? &d->tx->req : &d->tx->resp;
					m->incomplete = true;
					msg_done(st, dir);
				}
				d->state = H_ERROR;
				return VG_EINVAL;
			}
			data += take;
			len -= take;
			if (!lf)
				break;
			char *p = d->line.data;
			size_t n = d->line.len - 1;
			if (d->state == H_HEADERS && d->tx) {
				struct vg_http_msg *m = dir == 0 ? &d->tx->req : &d->tx->resp;
				if (vg_buf_append(&m->raw_headers, p, d->line.len) < 0 && m->raw_headers.len > 0 &&
				    !m->headers_dropped) {
					st->st.header_block_truncated++;
				}
			}
			if (n > 0 && p[n - 1] == '\r')
				n--;
			int r = handle_line(st, dir, p, n);
			vg_buf_reset(&d->line);
			if (r < 0) {
				rc = r;
				if (r == VG_ENOMEM)
					return r;
			}
			break;
		}
		}
	}
	if (d->state == H_H2C && !d->h2c_noted) {
		d->h2c_noted = true;
		d->h2c_used = len0;
	}
	return rc;
}

bool vg_http_h2c(const struct vg_http_state *st, int dir, size_t *used, size_t *preface)
{
	if (used)
		*used = 0;
	if (preface)
		*preface = 0;
	if (!st || (dir != 0 && dir != 1) || st->d[dir].state != H_H2C)
		return false;
	if (used)
		*used = st->d[dir].h2c_used;
	if (preface)
		*preface = st->d[dir].h2c_line ? 16 : 0;
	return true;
}

void vg_http_gap(struct vg_http_state *st, int dir, size_t len)
{
	if (!st || (dir != 0 && dir != 1))
		return;
	struct hdir *d = &st->d[dir];
	st->st.gaps++;
	vg_buf_reset(&d->line);
	if (d->state == H_TUNNEL || d->state == H_H2C)
		return;
	if (d->state == H_SKIP && d->remain > len) {
		d->remain -= len;
		return;
	}
	if ((d->state == H_BODY_CL || d->state == H_CHUNK_DATA) && d->remain > len) {
		struct vg_http_msg *m = dir == 0 ? &d->tx->req : &d->tx->resp;
		m->incomplete = true; /* body has a hole; framing still known */
		m->body_seen += len;
		d->remain -= len;
		if (d->inf)
			d->inf->done = true; /* a compressed stream cannot resume after a hole */
		return;
	}
	if (d->tx) {
		struct vg_http_msg *m = dir == 0 ? &d->tx->req : &d->tx->resp;
		m->incomplete = true;
		msg_done(st, dir);
	}
	d->state = H_RESYNC;
}

void vg_http_eof(struct vg_http_state *st, int dir)
{
	if (!st || (dir != 0 && dir != 1))
		return;
	struct hdir *d = &st->d[dir];
	if (d->tx) {
		struct vg_http_msg *m = dir == 0 ? &d->tx->req : &d->tx->resp;
		if (d->state != H_BODY_EOF)
			m->incomplete = true;
		msg_done(st, dir);
	}
	d->state = H_ERROR;
	if (dir == 1 || st->d[1].state == H_ERROR) {
		/* no more responses will come: report what is left, in order */
		while (st->head) {
			struct vg_http_tx *tx = st->head;
			if (tx->has_request && !tx->req.complete) {
				if (st->d[0].state != H_ERROR)
					break; /* request still arriving */
				tx->req.incomplete = true;
			}
			tx_finish(st, tx);
		}
	}
}

/* ------------------------------------------------------------------- EVE ----- */

static void set_str(json_t *o, const char *key, struct vg_str s)
{
	if (s.p && s.len > 0)
		json_object_set_new(o, key, json_stringn(s.p, s.len));
}

json_t *vg_http_tx_eve(const struct vg_http_tx *tx)
{
	json_t *root = json_object();
	json_t *h = json_object();
	if (!root || !h) {
		json_decref(root);
		json_decref(h);
		return NULL;
	}
	if (tx->host.len > 0)
		json_object_set_new(h, "hostname", json_stringn(tx->host.data, tx->host.len));
	/* http_port: an explicit port in the Host header */
	if (tx->host_raw.len > 0) {
		long rb = vg_str_chr(tx->host_raw, ']');
		struct vg_str rest = tx->host_raw;
		if (rb >= 0)
			rest = vg_str_make(rest.p + rb + 1, rest.len - (size_t)rb - 1);
		long c = vg_str_chr(rest, ':');
		uint64_t port;
		if (c >= 0 && vg_parse_u64(rest.p + c + 1, rest.len - (size_t)c - 1, 65535, &port) == 0)
			json_object_set_new(h, "http_port", json_integer((json_int_t)port));
	}
	set_str(h, "url", tx->uri_raw);
	set_str(h, "http_user_agent", tx->user_agent);
	set_str(h, "http_content_type", tx->has_response ? tx->resp_content_type : tx->content_type);
	set_str(h, "cookie", tx->cookie);
	set_str(h, "http_refer", tx->referer);
	set_str(h, "http_method", tx->method);
	set_str(h, "protocol", tx->has_request ? tx->req.protocol : tx->resp.protocol);
	if (tx->status > 0)
		json_object_set_new(h, "status", json_integer(tx->status));
	set_str(h, "redirect", tx->location);
	set_str(h, "server", tx->server);
	if (tx->has_response)
		json_object_set_new(h, "length", json_integer((json_int_t)tx->resp.body_seen));
	if (tx->has_request && tx->req.body_seen > 0)
		json_object_set_new(h, "request_body_length", json_integer((json_int_t)tx->req.body_seen));
	json_object_set_new(root, "http", h);
	return root;
}
