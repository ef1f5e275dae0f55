/* app-tls.c — TLS record layer and handshake parser, JA3/JA3S, X.509 via GnuTLS.
 *
 * Per direction: 5-byte record headers are collected, handshake record payloads are
 * appended to a handshake buffer (messages may span records and records may hold
 * several messages), and each complete message is handled. Only what is sent in clear
 * is parsed: ClientHello, ServerHello and (TLS ≤ 1.2) Certificate. The hello parsers
 * are pure functions of the message body; JA3 follows Salesforce's definition
 * (decimal values, '-' inside fields, ',' between, GREASE values dropped). */
#include "app/app.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core-error.h"

enum { REC_CCS = 20, REC_ALERT = 21, REC_HANDSHAKE = 22, REC_APPDATA = 23, REC_HEARTBEAT = 24 };
enum { HS_CLIENT_HELLO = 1, HS_SERVER_HELLO = 2, HS_CERTIFICATE = 11 };

struct tdir {
	uint8_t hdr[5];
	size_t hdr_have;
	uint8_t rtype;
	size_t rec_left;        /* payload bytes of the current record still to come */
	struct vg_buf hs;       /* handshake bytes not yet consumed */
	bool dead;
};

struct vg_tls_state {
	struct tdir d[2];
	struct vg_tls_info info;
	/* The certificates' DER of the last Certificate message, back to back; info.certs[i].der
	 * point into it. Rebuilt (not appended to) per message so the pointers stay valid. */
	struct vg_buf der;
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

bool vg_tls_is_grease(uint16_t v)
{
	/* RFC 8701: 0x0A0A, 0x1A1A, ... 0xFAFA */
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

const char *vg_tls_version_name(uint16_t v)
{
	switch (v) {
	case 0x0200:
		return "SSLv2";
	case 0x0300:
		return "SSLv3";
	case 0x0301:
		return "TLSv1";
	case 0x0302:
		return "TLS 1.1";
	case 0x0303:
		return "TLS 1.2";
	case 0x0304:
		return "TLS 1.3";
	default:
		return "UNDETERMINED";
	}
}

/* Bounded reader over a message body. */
struct rd {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static bool need(struct rd *r, size_t n)
{
	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		return false;
	}
	return true;
}

static uint8_t get8(struct rd *r)
{
	if (!need(r, 1))
		return 0;
	return r->p[r->off++];
}

static uint16_t get16(struct rd *r)
{
	if (!need(r, 2))
		return 0;
	uint16_t v = rd16(r->p + r->off);
	r->off += 2;
	return v;
}

static const uint8_t *getn(struct rd *r, size_t n)
{
	if (!need(r, n))
		return NULL;
	const uint8_t *p = r->p + r->off;
	r->off += n;
	return p;
}

static void push16(uint16_t *arr, uint32_t *n, uint32_t cap, uint16_t v, bool *trunc)
{
	if (*n < cap)
		arr[(*n)++] = v;
	else
		*trunc = true;
}

/* Printable copy of a wire string (SNI, ALPN): others become '?'. */
static void copy_text(char *dst, size_t dsz, size_t *dl, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n && *dl + 1 < dsz; i++) {
		uint8_t c = src[i];
		dst[(*dl)++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[*dl] = '\0';
}

static void parse_extension(uint16_t type, const uint8_t *data, size_t len, bool server, struct vg_tls_hello *h)
{
	struct rd r = { data, len, 0, false };
	switch (type) {
	case 0: { /* server_name */
		if (server)
			return; /* empty acknowledgement */
		size_t list = get16(&r);
		size_t end = r.off + list;
		while (!r.bad && r.off + 3 <= end && r.off + 3 <= len) {
			uint8_t nt = get8(&r);
			size_t nl = get16(&r);
			const uint8_t *name = getn(&r, nl);
			if (name && nt == 0 && h->sni[0] == '\0') {
				size_t dl = 0;
				copy_text(h->sni, sizeof(h->sni), &dl, name, nl);
			}
		}
		return;
	}
	case 10: { /* supported_groups */
		size_t n = get16(&r) / 2;
		for (size_t i = 0; i < n && !r.bad; i++) {
			uint16_t g = get16(&r);
			if (!r.bad)
				push16(h->groups, &h->n_groups, VG_TLS_MAX_GROUPS, g, &h->lists_truncated);
		}
		return;
	}
	case 11: { /* ec_point_formats */
		size_t n = get8(&r);
		for (size_t i = 0; i < n && !r.bad; i++) {
			uint8_t f = get8(&r);
			if (r.bad)
				break;
			if (h->n_point_formats < VG_TLS_MAX_GROUPS)
				h->point_formats[h->n_point_formats++] = f;
			else
				h->lists_truncated = true;
		}
		return;
	}
	case 16: { /* ALPN */
		size_t list = get16(&r);
		size_t end = r.off + list;
		size_t dl = strlen(h->alpn);
		while (!r.bad && r.off < end && r.off < len) {
			size_t pl = get8(&r);
			const uint8_t *p = getn(&r, pl);
			if (!p)
				break;
			if (dl > 0 && dl + 1 < sizeof(h->alpn)) {
				h->alpn[dl++] = ',';
				h->alpn[dl] = '\0';
			}
			copy_text(h->alpn, sizeof(h->alpn), &dl, p, pl);
		}
		return;
	}
	case 43: /* supported_versions */
		if (server) {
			uint16_t v = get16(&r);
			if (!r.bad)
				push16(h->versions, &h->n_versions, VG_TLS_MAX_GROUPS, v, &h->lists_truncated);
		} else {
			size_t n = get8(&r) / 2;
			for (size_t i = 0; i < n && !r.bad; i++) {
				uint16_t v = get16(&r);
				if (!r.bad)
					push16(h->versions, &h->n_versions, VG_TLS_MAX_GROUPS, v, &h->lists_truncated);
			}
		}
		return;
	default:
		return;
	}
}

/* Append "a-b-c" of the non-GREASE values. */
static void ja3_list16(struct vg_buf *b, const uint16_t *v, uint32_t n)
{
	bool first = true;
	for (uint32_t i = 0; i < n; i++) {
		if (vg_tls_is_grease(v[i]))
			continue;
		vg_buf_printf(b, first ? "%u" : "-%u", v[i]);
		first = false;
	}
}

static void md5_hex(const char *s, size_t n, char out[33])
{
	uint8_t d[16];
	out[0] = '\0';
	if (gnutls_hash_fast(GNUTLS_DIG_MD5, s, n, d) < 0)
		return;
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void finish_ja3(struct vg_buf *b, struct vg_tls_hello *h)
{
	vg_strlcpy(h->ja3, vg_buf_cstr(b), b->len, sizeof(h->ja3));
	md5_hex(h->ja3, strlen(h->ja3), h->ja3_hash);
	vg_buf_free(b);
}

static int parse_extensions(struct rd *r, bool server, struct vg_tls_hello *h)
{
	if (r->off == r->len)
		return 0; /* no extensions at all (SSLv3-style hello) */
	size_t total = get16(r);
	if (r->bad || total > r->len - r->off)
		return VG_ETRUNC;
	size_t end = r->off + total;
	while (r->off < end) {
		uint16_t type = get16(r);
		size_t el = get16(r);
		const uint8_t *data = getn(r, el);
		if (!data || r->off > end)
			return VG_ETRUNC;
		push16(h->exts, &h->n_exts, VG_TLS_MAX_EXTENSIONS, type, &h->lists_truncated);
		parse_extension(type, data, el, server, h);
	}
	return 0;
}

int vg_tls_parse_client_hello(const uint8_t *body, size_t len, struct vg_tls_hello *out)
{
	if (!out)
		return VG_EINVAL;
	memset(out, 0, sizeof(*out));
	if (!body)
		return VG_EINVAL;
	struct rd r = { body, len, 0, false };
	out->version = get16(&r);
	const uint8_t *rnd = getn(&r, 32);
	if (rnd)
		memcpy(out->random, rnd, 32);
	size_t sl = get8(&r);
	const uint8_t *sid = getn(&r, sl);
	if (sid && sl <= 32) {
		memcpy(out->session_id, sid, sl);
		out->session_id_len = (uint8_t)sl;
	}
	size_t cl = get16(&r);
	if (r.bad || (cl & 1))
		return r.bad ? VG_ETRUNC : VG_EINVAL;
	const uint8_t *cs = getn(&r, cl);
	if (!cs)
		return VG_ETRUNC;
	for (size_t i = 0; i < cl / 2; i++)
		push16(out->ciphers, &out->n_ciphers, VG_TLS_MAX_CIPHERS, rd16(cs + 2 * i), &out->lists_truncated);
	size_t ml = get8(&r);
	if (!getn(&r, ml))
		return VG_ETRUNC;
	int rc = parse_extensions(&r, false, out);
	if (rc < 0)
		return rc;
	out->seen = true;
	struct vg_buf b;
	vg_buf_init(&b, sizeof(out->ja3));
	vg_buf_printf(&b, "%u,", out->version);
	ja3_list16(&b, out->ciphers, out->n_ciphers);
	vg_buf_appendc(&b, ",");
	ja3_list16(&b, out->exts, out->n_exts);
	vg_buf_appendc(&b, ",");
	ja3_list16(&b, out->groups, out->n_groups);
	vg_buf_appendc(&b, ",");
	for (uint32_t i = 0; i < out->n_point_formats; i++)
		vg_buf_printf(&b, i ? "-%u" : "%u", out->point_formats[i]);
	finish_ja3(&b, out);
	return 0;
}

int vg_tls_parse_server_hello(const uint8_t *body, size_t len, struct vg_tls_hello *out)
{
	if (!out)
		return VG_EINVAL;
	memset(out, 0, sizeof(*out));
	if (!body)
		return VG_EINVAL;
	struct rd r = { body, len, 0, false };
	out->version = get16(&r);
	const uint8_t *rnd = getn(&r, 32);
	if (rnd)
		memcpy(out->random, rnd, 32);
	size_t sl = get8(&r);
	const uint8_t *sid = getn(&r, sl);
	if (sid && sl <= 32) {
		memcpy(out->session_id, sid, sl);
		out->session_id_len = (uint8_t)sl;
	}
	uint16_t cipher = get16(&r);
	get8(&r); /* compression method */
	if (r.bad)
		return VG_ETRUNC;
	out->ciphers[0] = cipher;
	out->n_ciphers = 1;
	int rc = parse_extensions(&r, true, out);
	if (rc < 0)
		return rc;
	out->seen = true;
	struct vg_buf b;
	vg_buf_init(&b, sizeof(out->ja3));
	vg_buf_printf(&b, "%u,%u,", out->version, cipher);
	/* JA3S keeps extensions as sent (servers do not send GREASE; the reference
	 * implementation does not filter here either) */
	for (uint32_t i = 0; i < out->n_exts; i++)
		vg_buf_printf(&b, i ? "-%u" : "%u", out->exts[i]);
	finish_ja3(&b, out);
	return 0;
}

/* ---------------------------------------------------------------- X.509 ------ */

static const char *oid_name(const char *oid, size_t len)
{
	static const struct { const char *oid, *name; } m[] = {
		{ "2.5.4.6", "C" },   { "2.5.4.8", "ST" },  { "2.5.4.7", "L" },
		{ "2.5.4.10", "O" },  { "2.5.4.11", "OU" }, { "2.5.4.3", "CN" },
		{ "2.5.4.5", "serialNumber" }, { "2.5.4.9", "street" }, { "2.5.4.17", "postalCode" },
		{ "2.5.4.4", "SN" },  { "2.5.4.42", "GN" }, { "2.5.4.12", "title" },
		{ "1.2.840.113549.1.9.1", "emailAddress" }, { "0.9.2342.19200300.100.1.25", "DC" },
		{ "0.9.2342.19200300.100.1.1", "UID" },
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strlen(m[i].oid) == len && memcmp(m[i].oid, oid, len) == 0)
			return m[i].name;
	return NULL;
}

/* "C=US, O=Example, CN=host" in the order of the certificate, like Suricata. */
static void dn_text(gnutls_x509_dn_t dn, char *out, size_t outsz)
{
	size_t ol = 0;
	out[0] = '\0';
	for (int irdn = 0; irdn < 64; irdn++) {
		for (int iava = 0; iava < 16; iava++) {
			gnutls_x509_ava_st ava;
			if (gnutls_x509_dn_get_rdn_ava(dn, irdn, iava, &ava) < 0) {
				if (iava == 0)
					return;
				break;
			}
			const char *oid = (const char *)ava.oid.data;
			size_t oidlen = ava.oid.size;
			while (oidlen > 0 && oid[oidlen - 1] == '\0')
				oidlen--;
			const char *name = oid_name(oid, oidlen);
			if (ol > 0 && ol + 2 < outsz) {
				memcpy(out + ol, ", ", 2);
				ol += 2;
			}
			if (name)
				copy_text(out, outsz, &ol, (const uint8_t *)name, strlen(name));
			else
				copy_text(out, outsz, &ol, (const uint8_t *)oid, oidlen);
			copy_text(out, outsz, &ol, (const uint8_t *)"=", 1);
			copy_text(out, outsz, &ol, ava.value.data, ava.value.size);
		}
	}
}

static void fmt_time(time_t t, char out[24])
{
	struct tm tm;
	out[0] = '\0';
	if (t == (time_t)-1 || !gmtime_r(&t, &tm))
		return;
	strftime(out, 24, "%Y-%m-%dT%H:%M:%S", &tm);
}

int vg_tls_parse_cert(const uint8_t *der, size_t len, struct vg_tls_cert *out)
{
	if (!out)
		return VG_EINVAL;
	memset(out, 0, sizeof(*out));
	if (!der || len == 0 || len > VG_TLS_MAX_HANDSHAKE)
		return VG_EINVAL;
	out->der_len = len;
	uint8_t sha1[20];
	if (gnutls_hash_fast(GNUTLS_DIG_SHA1, der, len, sha1) == 0) {
		for (int i = 0; i < 20; i++)
			snprintf(out->fingerprint + 3 * i, 4, i < 19 ? "%02x:" : "%02x", sha1[i]);
	}
	gnutls_x509_crt_t crt;
	if (gnutls_x509_crt_init(&crt) < 0)
		return VG_ENOMEM;
	gnutls_datum_t d = { (unsigned char *)(uintptr_t)der, (unsigned int)len };
	int rc = 0;
	if (gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_DER) < 0) {
		rc = VG_EINVAL;
		goto out;
	}
	out->parsed = true;
	gnutls_x509_dn_t dn;
	if (gnutls_x509_crt_get_subject(crt, &dn) == 0)
		dn_text(dn, out->subject, sizeof(out->subject));
	if (gnutls_x509_crt_get_issuer(crt, &dn) == 0)
		dn_text(dn, out->issuer, sizeof(out->issuer));
	uint8_t serial[64];
	size_t sl = sizeof(serial);
	if (gnutls_x509_crt_get_serial(crt, serial, &sl) == 0) {
		for (size_t i = 0; i < sl && i < 64; i++)
			snprintf(out->serial + 3 * i, 4, i + 1 < sl ? "%02X:" : "%02X", serial[i]);
	}
	time_t nb = gnutls_x509_crt_get_activation_time(crt), na = gnutls_x509_crt_get_expiration_time(crt);
	fmt_time(nb, out->not_before);
	fmt_time(na, out->not_after);
	out->not_before_s = nb == (time_t)-1 ? 0 : (int64_t)nb;
	out->not_after_s = na == (time_t)-1 ? 0 : (int64_t)na;
out:
	gnutls_x509_crt_deinit(crt);
	return rc;
}

/* ------------------------------------------------------------- the stream ---- */

struct vg_tls_state *vg_tls_state_new(void)
{
	struct vg_tls_state *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	for (int i = 0; i < 2; i++)
		vg_buf_init(&st->d[i].hs, VG_TLS_MAX_HANDSHAKE + 4);
	vg_buf_init(&st->der, VG_TLS_MAX_CERT_BYTES);
	return st;
}

void vg_tls_state_free(struct vg_tls_state *st)
{
	if (!st)
		return;
	for (int i = 0; i < 2; i++)
		vg_buf_free(&st->d[i].hs);
	vg_buf_free(&st->der);
	free(st);
}

const struct vg_tls_info *vg_tls_info(const struct vg_tls_state *st)
{
	return &st->info;
}

/* Certificate (RFC 5246 7.4.2): certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>.
 * A list whose length disagrees with the message, or a certificate running past it,
 * is bad_certificate; the certificates before the fault are kept. */
static void handle_certificate(struct vg_tls_state *st, const uint8_t *b, size_t len)
{
	struct vg_tls_info *in = &st->info;
	size_t der_off[VG_TLS_MAX_CERTS];
	in->n_certs = 0;
	in->certs_dropped = 0;
	in->certs_der_dropped = 0;
	vg_buf_reset(&st->der);
	if (len < 3 || rd24(b) != len - 3) {
		in->bad_certificate++;
		return;
	}
	size_t off = 3;
	while (off < len) {
		if (len - off < 3) {
			in->bad_certificate++;
			break;
		}
		size_t cl = rd24(b + off);
		off += 3;
		if (cl == 0 || cl > len - off) {
			in->bad_certificate++;
			break;
		}
		if (in->n_certs < VG_TLS_MAX_CERTS) {
			if (vg_tls_parse_cert(b + off, cl, &in->certs[in->n_certs]) < 0)
				in->cert_import_failed++;
			/* the der buffer's max is VG_TLS_MAX_CERT_BYTES: past it, not kept */
			der_off[in->n_certs] = st->der.len;
			if (vg_buf_append(&st->der, b + off, cl) < 0) {
				der_off[in->n_certs] = SIZE_MAX;
				in->certs_der_dropped++;
			}
			in->n_certs++;
		} else {
			in->certs_dropped++;
		}
		off += cl;
	}
	/* pointers only now: appending may have moved the buffer */
	for (uint32_t i = 0; i < in->n_certs; i++)
		in->certs[i].der = der_off[i] == SIZE_MAX ? NULL : (const uint8_t *)st->der.data + der_off[i];
}

static void handle_message(struct vg_tls_state *st, int dir, uint8_t type, const uint8_t *b, size_t len,
			   unsigned *ev)
{
	struct vg_tls_info *in = &st->info;
	if (type == HS_CLIENT_HELLO && dir == VG_APP_TOSERVER) {
		if (vg_tls_parse_client_hello(b, len, &in->client) < 0)
			in->bad_hello++;
		else
			*ev |= VG_TLS_EV_CLIENT_HELLO;
	} else if (type == HS_SERVER_HELLO && dir == VG_APP_TOCLIENT) {
		if (vg_tls_parse_server_hello(b, len, &in->server) < 0) {
			in->bad_hello++;
			return;
		}
		*ev |= VG_TLS_EV_SERVER_HELLO;
		in->version = in->server.n_versions > 0 ? in->server.versions[0] : in->server.version;
		if (in->version == 0x0304)
			in->encrypted[1] = true; /* all later server handshake messages are encrypted */
	} else if (type == HS_CERTIFICATE && dir == VG_APP_TOCLIENT) {
		handle_certificate(st, b, len);
		*ev |= VG_TLS_EV_CERTIFICATE;
	}
}

/* Consume complete handshake messages from the direction's buffer. */
static int drain_handshake(struct vg_tls_state *st, int dir, unsigned *ev)
{
	struct tdir *d = &st->d[dir];
	size_t off = 0;
	const uint8_t *b = (const uint8_t *)d->hs.data;
	while (d->hs.len - off >= 4) {
		size_t ml = rd24(b + off + 1);
		if (ml > VG_TLS_MAX_HANDSHAKE) {
			st->info.handshake_too_long++;
			d->dead = true;
			return VG_EINVAL;
		}
		if (d->hs.len - off < 4 + ml)
			break;
		if (!st->info.encrypted[dir])
			handle_message(st, dir, b[off], b + off + 4, ml, ev);
		off += 4 + ml;
	}
	if (off > 0) {
		memmove(d->hs.data, d->hs.data + off, d->hs.len - off);
		d->hs.len -= off;
	}
	return 0;
}

int vg_tls_parse(struct vg_tls_state *st, int dir, const uint8_t *data, size_t len, unsigned *events)
{
	unsigned ev = 0;
	if (events)
		*events = 0;
	if (!st || (dir != 0 && dir != 1) || (len > 0 && !data))
		return VG_EINVAL;
	struct tdir *d = &st->d[dir];
	struct vg_tls_info *in = &st->info;
	int rc = 0;
	while (len > 0) {
		if (d->dead) {
			rc = VG_EINVAL;
			break;
		}
		if (d->rec_left == 0 && d->hdr_have < 5) {
			d->hdr[d->hdr_have++] = *data++;
			len--;
			if (d->hdr_have < 5)
				continue;
			uint8_t t = d->hdr[0];
			size_t rl = rd16(d->hdr + 3);
			if (t < REC_CCS || t > REC_HEARTBEAT || d->hdr[1] != 3) {
				in->not_tls++;
				d->dead = true;
				rc = VG_EINVAL;
				break;
			}
			if (rl > VG_TLS_MAX_RECORD) {
				in->record_too_long++;
				d->dead = true;
				rc = VG_EINVAL;
				break;
			}
			in->records[dir]++;
			d->rtype = t;
			d->rec_left = rl;
			if (t == REC_CCS)
				in->encrypted[dir] = true; /* later records of dir are protected */
			else if (t == REC_APPDATA)
				in->app_data_records[dir]++;
			else if (t == REC_ALERT)
				in->alerts[dir]++;
			if (rl == 0)
				d->hdr_have = 0;
			continue;
		}
		size_t take = len < d->rec_left ? len : d->rec_left;
		if (d->rtype == REC_HANDSHAKE) {
			if (in->encrypted[dir]) {
				in->encrypted_handshake++; /* Finished etc.: opaque */
			} else {
				if (vg_buf_append(&d->hs, data, take) < 0) {
					in->handshake_too_long++;
					d->dead = true;
					rc = VG_EINVAL;
					break;
				}
				if ((rc = drain_handshake(st, dir, &ev)) < 0)
					break;
			}
		}
		data += take;
		len -= take;
		d->rec_left -= take;
		if (d->rec_left == 0)
			d->hdr_have = 0;
	}
	if (events)
		*events = ev;
	return rc;
}

void vg_tls_gap(struct vg_tls_state *st, int dir)
{
	if (!st || (dir != 0 && dir != 1))
		return;
	st->d[dir].dead = true;
	vg_buf_reset(&st->d[dir].hs);
}

/* ------------------------------------------------------------------ EVE ----- */

static void set_ja3(json_t *t, const char *key, const struct vg_tls_hello *h)
{
	if (!h->seen)
		return;
	json_t *o = json_object();
	json_object_set_new(o, "hash", json_string(h->ja3_hash));
	json_object_set_new(o, "string", json_string(h->ja3));
	json_object_set_new(t, key, o);
}

static json_t *alpn_array(const char *s)
{
	json_t *a = json_array();
	while (*s) {
		const char *c = strchr(s, ',');
		size_t n = c ? (size_t)(c - s) : strlen(s);
		json_array_append_new(a, json_stringn(s, n));
		s += n + (c ? 1 : 0);
	}
	return a;
}

json_t *vg_tls_eve(const struct vg_tls_info *in)
{
	json_t *root = json_object();
	json_t *t = json_object();
	if (!root || !t) {
		json_decref(root);
		json_decref(t);
		return NULL;
	}
	json_object_set_new(root, "tls", t);
	if (in->n_certs > 0 && in->certs[0].parsed) {
		const struct vg_tls_cert *c = &in->certs[0];
		json_object_set_new(t, "subject", json_string(c->subject));
		json_object_set_new(t, "issuerdn", json_string(c->issuer));
		json_object_set_new(t, "serial", json_string(c->serial));
		json_object_set_new(t, "fingerprint", json_string(c->fingerprint));
		if (c->not_before[0])
			json_object_set_new(t, "notbefore", json_string(c->not_before));
		if (c->not_after[0])
			json_object_set_new(t, "notafter", json_string(c->not_after));
	} else if (in->n_certs > 0) {
		json_object_set_new(t, "fingerprint", json_string(in->certs[0].fingerprint));
	}
	if (in->client.sni[0])
		json_object_set_new(t, "sni", json_string(in->client.sni));
	uint16_t v = in->version ? in->version : in->client.version;
	json_object_set_new(t, "version", json_string(vg_tls_version_name(v)));
	set_ja3(t, "ja3", &in->client);
	set_ja3(t, "ja3s", &in->server);
	if (in->client.alpn[0])
		json_object_set_new(t, "client_alpns", alpn_array(in->client.alpn));
	if (in->server.alpn[0])
		json_object_set_new(t, "server_alpns", alpn_array(in->server.alpn));
	return root;
}
