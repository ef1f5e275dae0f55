/* app.h — application-layer parsers over reassembled stream data or datagrams:
 * protocol detection, HTTP/1.x, DNS, TLS handshake, SSH banners, and the EVE objects
 * ("http", "dns", "tls", "ssh") built from what they parse.
 *
 * Every parser is a pure function of its input and its own state: no globals, no I/O,
 * bounds from core/limits.h, bad input → error return + counted anomaly. Stream-based
 * parsers (HTTP, DNS over TCP, TLS, SSH) take bytes in arbitrary chunks, so the stream
 * layer can hand over whatever became contiguous. They know nothing of flows: a caller
 * keeps one state per flow and feeds each direction (VG_APP_TOSERVER / VG_APP_TOCLIENT,
 * the same values as stream.h's directions). docs/app-layer.md describes the choices. */
#ifndef VG_APP_H
#define VG_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core-str.h"
#include "core/limits.h"

typedef struct json_t json_t;

enum { VG_APP_TOSERVER = 0, VG_APP_TOCLIENT = 1 };

/* (additive) the HTTP/2 client connection preface (RFC 9113 3.4), 24 bytes */
#define VG_HTTP2_PREFACE_STR "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

/* ---------------------------------------------------------------------------------
 * Protocol detection by content (like Suricata's app-layer-protocol probing), with the
 * port only as a hint for DNS, whose messages carry no magic.
 * ------------------------------------------------------------------------------- */
enum vg_app_proto {
	VG_APP_UNKNOWN = 0,
	VG_APP_HTTP,
	VG_APP_TLS,
	VG_APP_SSH,
	VG_APP_DNS,
	VG_APP_FAILED,  /* enough data seen: none of ours */
	VG_APP_HTTP2,   /* (additive) HTTP/2, app-http2.h: prior knowledge (client preface) */
};
/* First bytes of a direction (buf, len). ipproto 6/17. Returns a protocol, VG_APP_UNKNOWN
 * when more bytes are needed, VG_APP_FAILED when no parser will take it. */
enum vg_app_proto vg_app_detect(const uint8_t *buf, size_t len, int dir, uint8_t ipproto,
				uint16_t sport, uint16_t dport);
const char *vg_app_proto_name(enum vg_app_proto p); /* EVE app_proto: "http", "tls", ... */

/* ---------------------------------------------------------------------------------
 * HTTP/1.x. One vg_http_state per flow. Requests (to server) and responses (to client)
 * are paired in order into transactions; pipelining is supported. A transaction is
 * reported to the callback when its request is complete (VG_HTTP_EV_REQUEST) and when
 * it is finished (VG_HTTP_EV_DONE: response complete, or abandoned at a gap/EOF/cap);
 * after the DONE callback returns it is freed.
 * ------------------------------------------------------------------------------- */
struct vg_http_hdr_ref { uint32_t name_off, name_len, value_off, value_len; };

struct vg_http_msg {
	struct vg_buf line;          /* request or status line, without line ending */
	struct vg_buf raw_headers;   /* header block as received (incl. line endings), capped */
	struct vg_buf hbuf;          /* storage for parsed names/values; use the accessors */
	struct vg_http_hdr_ref hdr[VG_HTTP_MAX_HEADERS];
	uint32_t n_headers;
	uint32_t headers_dropped;    /* past VG_HTTP_MAX_HEADERS */
	struct vg_buf body;          /* de-chunked body, first VG_HTTP_MAX_BODY bytes; decompressed
	                              * when Content-Encoding is gzip/deflate (see decoded) */
	uint64_t body_seen;          /* body bytes seen in total (on the wire, de-chunked) */
	bool body_truncated;
	uint64_t content_length;
	bool has_content_length, chunked;
	bool headers_done, complete;
	bool incomplete;             /* ended by a gap, EOF or eviction, not by its framing */
	struct vg_str protocol;      /* "HTTP/1.1"; empty for HTTP/0.9; into line */
	/* (additive) Content-Encoding: body holds the inflated content, like libhtp's */
	uint8_t encoding;            /* VG_HTTP_ENC_*: the coding being undone */
	bool decoded;                /* body holds inflated bytes */
	bool decode_failed;          /* bad data: raw bytes kept from the start (no output yet)
	                              * or inflating stopped (after output) */
	bool decode_stopped;         /* bomb or VG_HTTP_MAX_INFLATE_OUT: the rest not inflated */
	uint64_t decoded_len;        /* bytes inflated in total (may exceed body.len) */
	/* (additive) multipart/form-data request (RFC 7578): the parts with a filename, as
	 * ranges of body (what Suricata's file.data gives for uploads); set when the request
	 * is complete. A part cut by the body cap runs to the end of what was kept. */
	bool multipart;
	struct vg_http_file_ref { uint32_t off, len; } files[VG_HTTP_MAX_FILES];
	uint32_t n_files, files_dropped;
};
enum { VG_HTTP_ENC_NONE = 0, VG_HTTP_ENC_GZIP = 1, VG_HTTP_ENC_DEFLATE = 2 };

struct vg_http_tx {
	uint64_t id;                 /* 0, 1, 2 ... per flow, in request order */
	bool has_request, has_response;
	struct vg_http_msg req, resp;
	/* request (views into req.line / req.hbuf; valid once req.headers_done) */
	struct vg_str method, uri_raw;
	struct vg_buf uri_norm;      /* normalized: %-decoded unreserved, /./ and /../ removed */
	struct vg_buf host;          /* lowercased, port removed (http.host) */
	struct vg_str host_raw;      /* as sent (http.host.raw): Host header or URI authority */
	struct vg_str user_agent, cookie, content_type, referer;
	/* response (views into resp.line / resp.hbuf) */
	int status;                  /* 0 when no response */
	struct vg_str status_msg;
	struct vg_str location, server, resp_content_type;
	/* (additive) an HTTP/2 stream (app-http2.c, also after an h2c upgrade): alerts say
	 * app_proto "http2", app-layer-protocol:http2 and "alert http2" rules match it */
	bool http2;
	/* (additive) HTTP/1 tx whose 101 response switched the connection to HTTP/2 (h2c):
	 * its request is stream 1 of what follows (RFC 7540 3.2) */
	bool h2c_upgrade;
	struct vg_http_tx *next;     /* private */
};

/* (additive) multipart/form-data body → the file parts (those whose Content-Disposition
 * has a filename) as ranges of body, up to VG_HTTP_MAX_FILES (*dropped counts more).
 * content_type is the Content-Type value. Returns the number of files, or VG_EINVAL when
 * the type is not multipart with a usable boundary or no delimiter is found. Pure. */
int vg_http_multipart_files(struct vg_str content_type, const uint8_t *body, size_t len,
			    struct vg_http_file_ref *files, uint32_t max, uint32_t *dropped);

/* Header lookups: first field named name (case-insensitive). false when absent. */
bool vg_http_msg_header(const struct vg_http_msg *m, const char *name, struct vg_str *value);
/* The i-th header in order, i < m->n_headers. */
void vg_http_msg_header_at(const struct vg_http_msg *m, uint32_t i, struct vg_str *name, struct vg_str *value);

enum { VG_HTTP_EV_REQUEST = 1, VG_HTTP_EV_DONE = 2 };
/* tx is borrowed for the call. */
typedef void (*vg_http_tx_cb)(void *cb_ctx, const struct vg_http_tx *tx, unsigned what);

struct vg_http_stats {
	uint64_t requests, responses;
	uint64_t invalid_request_line, invalid_status_line, invalid_header;
	uint64_t line_too_long, too_many_headers, header_block_truncated;
	uint64_t body_truncated, bad_chunk, cl_te_conflict, cl_conflict;
	uint64_t unsolicited_response, tx_evicted, gaps, resyncs, interim_responses;
	/* (additive) body decompression anomalies */
	uint64_t inflate_error, inflate_bomb, inflate_limit, encoding_unsupported;
	uint64_t multipart_bad, files_dropped;  /* (additive) */
};

/* Caller frees with vg_http_state_free(). body_max is clamped to VG_HTTP_MAX_BODY
 * (0 = the maximum). cb may be NULL. NULL on allocation failure. */
struct vg_http_state *vg_http_state_new(size_t body_max, vg_http_tx_cb cb, void *cb_ctx);
/* Frees pending transactions without callbacks (call vg_http_eof for both directions
 * first to have them reported). NULL is a no-op. */
void vg_http_state_free(struct vg_http_state *st);
/* Feed bytes of a direction in order. 0, or VG_EINVAL when the direction is no longer
 * parsable (counted; later bytes are ignored until a gap resynchronizes it), VG_ENOMEM. */
int vg_http_parse(struct vg_http_state *st, int dir, const uint8_t *data, size_t len);
/* len bytes of dir are missing (stream gap): a body with known length skips them, else
 * the current message is abandoned and the parser resynchronizes on the next line that
 * starts a request / status line. */
void vg_http_gap(struct vg_http_state *st, int dir, size_t len);
/* The direction ended: a response framed by close completes; unfinished messages are
 * reported incomplete. After EOF on the client side all unanswered txs are reported. */
void vg_http_eof(struct vg_http_state *st, int dir);
const struct vg_http_stats *vg_http_stats(const struct vg_http_state *st);
/* (additive) h2c: true once dir of the connection is HTTP/2 after an "Upgrade: h2c"
 * request answered by 101 (to client: right after the 101's headers; to server: at the
 * preface's first line, or right after the 101 when the client side was between
 * messages). *used gets how many bytes of the vg_http_parse() call that switched were
 * HTTP/1 (or the preface's first line); the rest of that call and every later byte of
 * dir belong to an HTTP/2 parser (app-http2.h, vg_http2_upgrade), which first needs the
 * *preface (0 or 16) leading bytes of VG_HTTP2_PREFACE_STR that the HTTP/1 parser took
 * as a line (possibly over earlier calls). The HTTP/1 parser ignores later bytes. */
bool vg_http_h2c(const struct vg_http_state *st, int dir, size_t *used, size_t *preface);

/* URI normalization used for tx->uri_norm (exposed for tests and the rule engine):
 * path part only (absolute-form "http://h/p" → "/p"), %XX of unreserved characters
 * decoded, "/./" and "/../" removed (never above the root); query kept as is. */
int vg_http_normalize_uri(const char *uri, size_t len, struct vg_buf *out);
/* "Example.COM:8080" → "example.com"; "[::1]:80" → "::1". */
int vg_http_normalize_host(const char *host, size_t len, struct vg_buf *out);

/* EVE: {"http": {hostname, url, http_user_agent, http_content_type, http_refer,
 * http_method, protocol, status, length, redirect, http_port}}. New reference; NULL on
 * allocation failure. */
json_t *vg_http_tx_eve(const struct vg_http_tx *tx);

/* ---------------------------------------------------------------------------------
 * DNS (RFC 1035) over UDP and TCP. vg_dns_parse() decodes one message; names are
 * decompressed with bounded pointer jumps (backward only, at most VG_DNS_MAX_POINTERS),
 * so loops end. Records past VG_DNS_MAX_NAMES are counted, not kept.
 * ------------------------------------------------------------------------------- */
enum vg_dns_section { VG_DNS_QUESTION = 0, VG_DNS_ANSWER, VG_DNS_AUTHORITY, VG_DNS_ADDITIONAL };

struct vg_dns_rr {
	enum vg_dns_section section;
	char name[VG_DNS_MAX_NAME_LEN + 8];   /* presentation form, no trailing dot; "<root>" */
	uint16_t type, rclass;
	uint32_t ttl;
	/* rdata as text: A/AAAA address, CNAME/NS/PTR/MX name ("MX" without preference),
	 * TXT strings concatenated, SOA mname; other types empty. */
	char data[VG_DNS_MAX_RDATA_TEXT];
	uint16_t mx_pref;
	/* SOA */
	char soa_rname[VG_DNS_MAX_NAME_LEN + 8];
	uint32_t soa_serial, soa_refresh, soa_retry, soa_expire, soa_minimum;
};

struct vg_dns_msg {
	uint16_t id, flags;
	bool qr, aa, tc, rd, ra, z, ad, cd;
	uint8_t opcode, rcode;
	uint16_t qdcount, ancount, nscount, arcount;   /* as in the header */
	struct vg_dns_rr rr[VG_DNS_MAX_NAMES];        /* questions first, then answer, ... */
	uint32_t n_rr;
	uint32_t n_questions, n_answers, n_authorities, n_additionals; /* kept, per section */
	uint32_t dropped;                              /* records past VG_DNS_MAX_NAMES */
	bool truncated_parse;                          /* records beyond a parse error skipped */
};

/* Parse one DNS message. 0; VG_ETRUNC when the header is incomplete or the questions
 * do not parse (out holds what was read); a malformed record after the questions stops
 * parsing with truncated_parse set and returns 0 so the query name stays usable.
 * VG_EINVAL when a name is malformed in a question. out is large (~165 KB): heap it. */
int vg_dns_parse(const uint8_t *buf, size_t len, struct vg_dns_msg *out);

const char *vg_dns_rrtype_name(uint16_t type, char tmp[16]);  /* "A", "AAAA", ..., "TYPE99" */
const char *vg_dns_rcode_name(uint8_t rcode, char tmp[16]);   /* "NOERROR", "NXDOMAIN", ... */

/* DNS over TCP: 2-byte length prefixes, messages reassembled per direction and handed
 * to the callback (msg borrowed for the call). One state per flow. */
typedef void (*vg_dns_msg_cb)(void *cb_ctx, int dir, const uint8_t *msg, size_t len);
struct vg_dns_tcp;
struct vg_dns_tcp *vg_dns_tcp_new(vg_dns_msg_cb cb, void *cb_ctx);   /* caller frees */
void vg_dns_tcp_free(struct vg_dns_tcp *t);                          /* NULL is a no-op */
/* 0, or VG_EINVAL once a length prefix is below the 12-byte header (direction dropped). */
int vg_dns_tcp_parse(struct vg_dns_tcp *t, int dir, const uint8_t *data, size_t len);
/* Bytes missing: the direction cannot find its framing again; it stops. */
void vg_dns_tcp_gap(struct vg_dns_tcp *t, int dir);

/* EVE (Suricata v2 layout): queries → {"dns": {"version":2, "type":"query", "id", "rrname",
 * "rrtype", "tx_id", "opcode"}} for question q; responses → {"dns": {"version":2,
 * "type":"answer", "id", "flags", "qr", "aa", "tc", "rd", "ra", "opcode", "rrname",
 * "rrtype", "rcode", "answers":[{rrname, rrtype, ttl, rdata|soa}], "authorities":[...],
 * "grouped": {"A": [...], ...}}}. New reference; NULL on allocation failure. */
json_t *vg_dns_eve(const struct vg_dns_msg *m, uint32_t q, uint64_t tx_id);

/* ---------------------------------------------------------------------------------
 * TLS handshake (SSL 3.0 .. TLS 1.3) over a TCP stream: record layer, handshake messages
 * reassembled across records, ClientHello/ServerHello (versions incl. supported_versions,
 * cipher suites, extensions, SNI, ALPN, groups, point formats) → JA3/JA3S (GREASE
 * removed), and for TLS ≤ 1.2 the Certificate message, parsed with GnuTLS. After
 * ChangeCipherSpec (or a TLS 1.3 ServerHello) a direction is encrypted: its records
 * are counted, not parsed. MD5/SHA-1 come from GnuTLS.
 * ------------------------------------------------------------------------------- */
#define VG_TLS_JA3_MAX (6u * (VG_TLS_MAX_CIPHERS + VG_TLS_MAX_EXTENSIONS + 2u * VG_TLS_MAX_GROUPS) + 16u)

struct vg_tls_hello {
	bool seen;
	uint16_t version;                      /* legacy_version of the hello */
	uint16_t versions[VG_TLS_MAX_GROUPS];  /* supported_versions: client list / server's pick */
	uint32_t n_versions;
	uint16_t ciphers[VG_TLS_MAX_CIPHERS];  /* server: the chosen one */
	uint32_t n_ciphers;
	uint16_t exts[VG_TLS_MAX_EXTENSIONS];  /* extension types in order */
	uint32_t n_exts;
	uint16_t groups[VG_TLS_MAX_GROUPS];    /* supported_groups (elliptic curves) */
	uint32_t n_groups;
	uint8_t point_formats[VG_TLS_MAX_GROUPS];
	uint32_t n_point_formats;
	char sni[256];
	char alpn[256];                        /* protocols, comma-separated */
	uint8_t random[32];
	uint8_t session_id[32];
	uint8_t session_id_len;
	bool lists_truncated;                  /* a list was longer than its bound */
	char ja3[VG_TLS_JA3_MAX];              /* JA3 (client) or JA3S (server) string */
	char ja3_hash[33];                     /* its MD5, lowercase hex */
};

struct vg_tls_cert {
	bool parsed;                 /* GnuTLS could import it; else only fingerprint/size */
	size_t der_len;
	char subject[512], issuer[512]; /* "C=US, O=Example, CN=host" in certificate order */
	char serial[3 * 64];         /* "00:C0:FF:EE" uppercase, as Suricata writes it */
	char fingerprint[60];        /* SHA-1 of the DER, "af:cb:..." */
	char not_before[24], not_after[24]; /* "2026-11-23T10:31:27" UTC */
	/* (additive) the DER bytes for tls.certs, borrowed from the vg_tls_state until its
	 * next Certificate message or _free(); NULL when the chain passed
	 * VG_TLS_MAX_CERT_BYTES (counted in certs_der_dropped) or from vg_tls_parse_cert(). */
	const uint8_t *der;
	/* (additive) validity as UTC seconds (tls_cert_notbefore/notafter/expired/valid);
	 * 0 when unknown, as Suricata's cert0_not_before/after */
	int64_t not_before_s, not_after_s;
};

struct vg_tls_info {
	struct vg_tls_hello client, server;
	uint16_t version;            /* negotiated: server's supported_versions or its legacy version */
	struct vg_tls_cert certs[VG_TLS_MAX_CERTS];
	uint32_t n_certs, certs_dropped;
	uint32_t certs_der_dropped;  /* (additive) certs whose DER was not kept (VG_TLS_MAX_CERT_BYTES) */
	bool encrypted[2];
	uint64_t records[2], app_data_records[2], alerts[2];
	/* anomalies (counted) */
	uint64_t bad_record, record_too_long, handshake_too_long, bad_hello, bad_certificate;
	uint64_t cert_import_failed, encrypted_handshake, not_tls;
};

enum { VG_TLS_EV_CLIENT_HELLO = 1, VG_TLS_EV_SERVER_HELLO = 2, VG_TLS_EV_CERTIFICATE = 4 };

struct vg_tls_state;
struct vg_tls_state *vg_tls_state_new(void);        /* caller frees; NULL on failure */
void vg_tls_state_free(struct vg_tls_state *st);    /* NULL is a no-op */
/* Feed bytes of dir. *events (may be NULL) gets the VG_TLS_EV_* parsed during this
 * call. 0, or VG_EINVAL once the direction is not TLS or breaks its framing (counted;
 * later bytes are ignored). */
int vg_tls_parse(struct vg_tls_state *st, int dir, const uint8_t *data, size_t len, unsigned *events);
/* Bytes missing in dir: record framing is lost, the direction stops being parsed. */
void vg_tls_gap(struct vg_tls_state *st, int dir);
const struct vg_tls_info *vg_tls_info(const struct vg_tls_state *st);

/* Pure parts, exposed for tests: a ClientHello/ServerHello handshake body (after the
 * 4-byte handshake header) → hello with JA3/JA3S. 0 or VG_ETRUNC/VG_EINVAL. */
int vg_tls_parse_client_hello(const uint8_t *body, size_t len, struct vg_tls_hello *out);
int vg_tls_parse_server_hello(const uint8_t *body, size_t len, struct vg_tls_hello *out);
/* One DER certificate → fields (fingerprint even when GnuTLS cannot import it). */
int vg_tls_parse_cert(const uint8_t *der, size_t len, struct vg_tls_cert *out);
bool vg_tls_is_grease(uint16_t v);
const char *vg_tls_version_name(uint16_t v); /* "TLS 1.2", "TLSv1", ... as in EVE */

/* EVE: {"tls": {subject, issuerdn, serial, fingerprint, notbefore, notafter, sni,
 * version, ja3 {hash, string}, ja3s {hash, string}, client_alpns, server_alpns}}.
 * New reference; NULL on allocation failure. */
json_t *vg_tls_eve(const struct vg_tls_info *info);

/* ---------------------------------------------------------------------------------
 * SSH identification strings (RFC 4253 4.2): "SSH-protoversion-softwareversion SP
 * comments CR LF", possibly after other lines from the server. One state per flow.
 * ------------------------------------------------------------------------------- */
struct vg_ssh_banner {
	bool seen;
	char proto_version[16];            /* "2.0" */
	char software_version[VG_SSH_MAX_BANNER + 1]; /* "OpenSSH_9.2p1" */
	char comments[VG_SSH_MAX_BANNER + 1];          /* "Debian-2+deb12u3" */
	char line[VG_SSH_MAX_BANNER + 1];              /* the whole line without CR LF */
};
struct vg_ssh_info {
	struct vg_ssh_banner client, server;
	uint64_t bad_banner, banner_too_long, too_many_lines; /* anomalies */
};
struct vg_ssh_state;
struct vg_ssh_state *vg_ssh_state_new(void);        /* caller frees */
void vg_ssh_state_free(struct vg_ssh_state *st);    /* NULL is a no-op */
/* Feed bytes of dir; *done (may be NULL) is set when the banner of dir was just parsed.
 * 0, VG_EINVAL when dir is not SSH (counted), VG_EAGAIN never (more data is just kept). */
int vg_ssh_parse(struct vg_ssh_state *st, int dir, const uint8_t *data, size_t len, bool *done);
const struct vg_ssh_info *vg_ssh_info(const struct vg_ssh_state *st);
/* One complete line (no CR LF) → banner. 0 or VG_EINVAL. Pure. */
int vg_ssh_parse_banner(const char *line, size_t len, struct vg_ssh_banner *out);
/* EVE: {"ssh": {"client": {proto_version, software_version}, "server": {...}}}. */
json_t *vg_ssh_eve(const struct vg_ssh_info *info);

/* ---------------------------------------------------------------------------------
 * Per-flow glue: detects the protocol by content, owns the matching parser state and
 * turns what it parses into EVE objects for the caller. TCP data comes in order from
 * the stream layer (vg_app_flow_stream_cb has vg_stream_cb's signature, so
 * vg_stream_new(ctx, vg_app_flow_stream_cb, flow, &s) wires them), UDP payloads one
 * datagram at a time. Events: "http" per finished transaction, "dns" per query
 * question and per response, "tls" once per handshake (after the certificate, or when
 * the server side turns encrypted, or at EOF), "ssh" once both banners were seen (or
 * at EOF). The json passed to the callback is borrowed for the call (use it as
 * vg_event.extra).
 * ------------------------------------------------------------------------------- */
typedef void (*vg_app_event_cb)(void *cb_ctx, enum vg_app_proto proto, int dir, json_t *extra);
/* (additive) An app-layer anomaly (e.g. HTTP/2 long_frame_data) comes through the same
 * callback with extra = {"anomaly": {"type": "applayer", "event": NAME, "layer": PROTO}},
 * at most VG_APP_MAX_ANOMALY_EVENTS per flow (more are counted by the parser only).
 * vg_app_event_anomaly() returns NAME (and *layer) for such an object, else NULL;
 * both borrowed from extra. HTTP/2 streams are "http" objects with proto VG_APP_HTTP2. */
const char *vg_app_event_anomaly(const json_t *extra, const char **layer);
struct vg_app_flow;
/* ipproto 6 or 17; ports as seen from the flow's initiator (sport = client port).
 * Caller frees with vg_app_flow_free(). NULL on allocation failure. */
struct vg_app_flow *vg_app_flow_new(uint8_t ipproto, uint16_t sport, uint16_t dport,
				    vg_app_event_cb cb, void *cb_ctx);
/* Reports nothing more (call vg_app_flow_eof for both directions first). NULL no-op. */
void vg_app_flow_free(struct vg_app_flow *f);
int vg_app_flow_data(struct vg_app_flow *f, int dir, const uint8_t *data, size_t len);
void vg_app_flow_gap(struct vg_app_flow *f, int dir, size_t len);
void vg_app_flow_eof(struct vg_app_flow *f, int dir);
/* One UDP payload (DNS). */
int vg_app_flow_udp(struct vg_app_flow *f, int dir, const uint8_t *data, size_t len);
/* Adapter with the signature of vg_stream_cb (stream.h): DATA/GAP/EOF → the above. */
void vg_app_flow_stream_cb(void *flow, int dir, unsigned what, const uint8_t *data, size_t len);
enum vg_app_proto vg_app_flow_proto(const struct vg_app_flow *f);
/* Inspection hooks (for the signature engine): the parsed objects, borrowed for the call,
 * as soon as they exist: every HTTP transaction at VG_HTTP_EV_REQUEST and VG_HTTP_EV_DONE
 * (before the "http" event of DONE), every DNS message that parsed (over UDP or TCP),
 * and the TLS state after each call that parsed handshake messages (events: the
 * VG_TLS_EV_* of that call). Any callback may be NULL. Copied; h NULL removes them. */
struct vg_app_inspect {
	void (*http)(void *ctx, const struct vg_http_tx *tx, unsigned what);
	void (*dns)(void *ctx, int dir, const struct vg_dns_msg *m);
	void (*tls)(void *ctx, int dir, const struct vg_tls_info *info, unsigned events);
	void *ctx;
};
void vg_app_flow_set_inspect(struct vg_app_flow *f, const struct vg_app_inspect *h);
/* Parser states for the signature engine's buffers; NULL when not that protocol. */
struct vg_http_state *vg_app_flow_http(const struct vg_app_flow *f);
const struct vg_tls_info *vg_app_flow_tls(const struct vg_app_flow *f);
const struct vg_ssh_info *vg_app_flow_ssh(const struct vg_app_flow *f);

#endif
