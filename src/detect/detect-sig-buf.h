/* detect-sig-buf.h — the inspection buffers of the signature engine.
 *
 * A rule's match items are bound to a buffer id (enum vg_rule_buf, detect-rule.h). This
 * module turns what the packet path has (a packet's payload, a reassembled stream chunk,
 * an HTTP transaction, a DNS message, a TLS handshake) into those buffers, the way
 * Suricata lays them out, so that content offsets and depths mean what rule writers
 * expect:
 *   http.header        "Name: Value\r\n" per header, Cookie (request) / Set-Cookie
 *                      (response) left out as Suricata does
 *   http.header_names  "\r\nName1\r\nName2\r\n\r\n"
 *   http.start         start line + "\r\n" + normalized headers + "\r\n"
 *   http.header.raw    the header block as received
 *   http.request_line / http.response_line: the start line without CRLF
 *   dns.query          one instance per question name (a multi-buffer, like Suricata's)
 *   tls.certs          one instance per certificate of the chain (DER, leaf first), a
 *                      multi-buffer like dns.query; the tls.cert_* buffers are the leaf's
 *   base64_data        not here: the evaluator decodes it per rule
 * Buffers are built lazily, on first use per inspection, and cached in the set; views
 * into the transaction cost nothing, composed ones are built once into owned vg_bufs.
 * Everything handed out is borrowed from the set (and from the tx/msg/info it was
 * bound to) until vg_sig_bufset_reset() or _free(). */
#ifndef VG_DETECT_SIG_BUF_H
#define VG_DETECT_SIG_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/core-str.h"
#include "detect/detect-rule.h"

/* Buffer ids we cache: enum vg_rule_buf values. */
#define VG_SIG_MAX_BUF_IDS ((unsigned)VG_RULE_BUF_COUNT)
/* Composed buffers built per inspection (header, header names, start, ...). */
#define VG_SIG_OWN_BUFS 8u

struct vg_sig_bufset {
	/* Sources bound for this inspection (borrowed; any may be NULL). */
	const uint8_t *pkt;            /* packet payload or stream chunk */
	size_t pkt_len;
	bool is_stream;                /* pkt is a reassembled stream chunk */
	const struct vg_http_tx *tx;
	int side;                      /* HTTP: 0 request side, 1 response side; buffers that
	                                * exist on both sides (http.header, file.data, ...)
	                                * come from this one */
	const struct vg_dns_msg *dns;
	const struct vg_tls_info *tls;
	const uint8_t *ip4_hdr;        /* (additive) ipv4.hdr: the packet's IPv4 header with
	                                * options; NULL when not an IPv4 packet inspection */
	size_t ip4_hdr_len;
	/* Cache. */
	uint8_t state[VG_SIG_MAX_BUF_IDS]; /* 0 not built, 1 present, 2 absent */
	const uint8_t *p[VG_SIG_MAX_BUF_IDS];
	size_t len[VG_SIG_MAX_BUF_IDS];
	struct vg_buf own[VG_SIG_OWN_BUFS];
	uint32_t n_own;
};

void vg_sig_bufset_init(struct vg_sig_bufset *s);
/* Forget the bound sources and cached views; keeps owned memory for reuse. */
void vg_sig_bufset_reset(struct vg_sig_bufset *s);
void vg_sig_bufset_free(struct vg_sig_bufset *s); /* NULL is a no-op */

/* Bind sources (the set is reset first). Pointers are borrowed for the inspection. */
void vg_sig_bufset_packet(struct vg_sig_bufset *s, const uint8_t *payload, size_t len, bool is_stream);
/* After vg_sig_bufset_packet() of a packet (not a stream chunk): the IPv4 header for
 * ipv4.hdr (borrowed). hdr NULL or len < 20 leaves the buffer absent. */
void vg_sig_bufset_ip4_hdr(struct vg_sig_bufset *s, const uint8_t *hdr, size_t len);
void vg_sig_bufset_http(struct vg_sig_bufset *s, const struct vg_http_tx *tx, int side);
void vg_sig_bufset_dns(struct vg_sig_bufset *s, const struct vg_dns_msg *m);
void vg_sig_bufset_tls(struct vg_sig_bufset *s, const struct vg_tls_info *info);

/* Number of instances of buffer id: 0 when absent, 1 for ordinary buffers, one per
 * question for dns.query, per certificate for the tls.cert_* buffers (first only). */
uint32_t vg_sig_buf_count(struct vg_sig_bufset *s, int id);
/* Instance idx of buffer id. 0 and (*p, *len) (borrowed; *p non-NULL even when len is
 * 0), or VG_ENOENT when the buffer does not exist for this inspection, VG_ENOMEM when a
 * composed buffer could not be built (treated as absent by callers). */
int vg_sig_buf_get(struct vg_sig_bufset *s, int id, uint32_t idx, const uint8_t **p, size_t *len);

/* Buffers only defined on the request / response side of an HTTP transaction. */
bool vg_sig_buf_is_http_response(int id);
bool vg_sig_buf_is_http(int id);

#endif
