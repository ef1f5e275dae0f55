/* detect-rule.h — a loaded Suricata-syntax signature (the AST) and the rule set that holds them.
 *
 * The parser (detect-rule-parse.c) turns the text of one rule plus the address/port variables
 * into a struct vg_rule; the loader (detect-rule-load.c) reads rule files, resolves
 * classification.config / reference.config and keeps the skipped rules with their reasons.
 * The matching engine (detect-sig*, another module) reads these structures and never changes
 * them: everything here is immutable after load.
 *
 * Contract for the engine (R2): a rule that loaded has EVERY option it carries represented in
 * the fields below; nothing that changes what matches is silently dropped. Options kept only
 * for output (msg, rev, gid, classtype, priority, reference, metadata, target, tag) have no
 * effect on matching. Fields not used by a rule are zero / NULL / "absent" as documented.
 *
 * Ownership: every pointer inside a struct vg_rule is owned by the rule and freed by
 * vg_rule_free(); rules inside a vg_ruleset are owned by the set (vg_ruleset_free()).
 * Later changes to this header are additive only. */
#ifndef VG_DETECT_RULE_H
#define VG_DETECT_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core-addr.h"

struct vg_config;

/* ---------------------------------------------------------------------------------------- */
/* Header: action, protocol, addresses, ports, direction                                     */

enum vg_rule_action {
	VG_RULE_ACTION_ALERT = 1,
	VG_RULE_ACTION_DROP,
	VG_RULE_ACTION_PASS,
	VG_RULE_ACTION_REJECT,     /* reject, rejectsrc, rejectdst, rejectboth (see reject_kind) */
};

enum vg_rule_proto {
	VG_RULE_PROTO_IP = 1,      /* any IP packet (also "ip" rules with only payload options) */
	VG_RULE_PROTO_TCP,         /* payload = packet payload AND reassembled stream (Suricata) */
	VG_RULE_PROTO_TCP_PKT,     /* payload = packet payload only */
	VG_RULE_PROTO_TCP_STREAM,  /* payload = reassembled stream only */
	VG_RULE_PROTO_UDP,
	VG_RULE_PROTO_ICMP,        /* ICMPv4 and ICMPv6 (Suricata's "icmp" covers both) */
	VG_RULE_PROTO_HTTP,        /* app-layer: flow's app proto is HTTP/1.x ("http", "http1") */
	VG_RULE_PROTO_DNS,         /* app-layer DNS over UDP or TCP */
	VG_RULE_PROTO_TLS,         /* app-layer TLS */
	VG_RULE_PROTO_SSH,         /* app-layer SSH (header-only rules: app proto must be ssh) */
};

/* A set of addresses after variable expansion, lists, negation and nesting are resolved:
 * sorted, disjoint, non-adjacent inclusive ranges [lo, hi] (lo.family == hi.family).
 * "any" is any = true with no ranges. Negation is already applied (e.g. !$HOME_NET becomes
 * the IPv4 complement of HOME_NET plus all of IPv6, as Suricata does). Use
 * vg_rule_addrs_match(). */
struct vg_rule_addr_range {
	struct vg_addr lo, hi;
};
struct vg_rule_addrs {
	bool any;
	size_t n;
	struct vg_rule_addr_range *r; /* owned; NULL when any or empty */
};

/* Ports, resolved the same way: sorted disjoint inclusive ranges. any = true: every port
 * (and protocols without ports, e.g. icmp, match any). */
struct vg_rule_port_range {
	uint16_t lo, hi;
};
struct vg_rule_ports {
	bool any;
	size_t n;
	struct vg_rule_port_range *r; /* owned */
};

enum vg_rule_dir {
	VG_RULE_DIR_TO = 1,   /* src -> dst */
	VG_RULE_DIR_BOTH,     /* src <> dst: either direction */
	VG_RULE_DIR_TX,       /* (additive) src => dst: transactional rule (Suricata 8): its
	                         keywords name buffers of both directions of one app-layer
	                         transaction (see vg_rule_match.txdir); it matches once per
	                         transaction when both sides match. src/sport is the client
	                         side of the transaction's flow, dst/dport the server side. */
};

/* ---------------------------------------------------------------------------------------- */
/* Numbers compared by dsize, urilen, bsize, ttl, itype, icode, stream_size, ...             */

enum vg_rule_cmp {
	VG_RULE_CMP_EQ = 1,   /* x == a */
	VG_RULE_CMP_NE,       /* x != a  ("!a") */
	VG_RULE_CMP_LT,       /* x <  a */
	VG_RULE_CMP_LE,       /* x <= a */
	VG_RULE_CMP_GT,       /* x >  a */
	VG_RULE_CMP_GE,       /* x >= a */
	VG_RULE_CMP_RANGE,    /* a < x < b  ("a<>b": exclusive both ends, as Suricata's uint ranges) */
};
struct vg_rule_num {
	enum vg_rule_cmp op;  /* 0: absent (keyword not used) */
	uint64_t a, b;
};
static inline bool vg_rule_num_match(const struct vg_rule_num *n, uint64_t x)
{
	switch (n->op) {
	case VG_RULE_CMP_EQ: return x == n->a;
	case VG_RULE_CMP_NE: return x != n->a;
	case VG_RULE_CMP_LT: return x < n->a;
	case VG_RULE_CMP_LE: return x <= n->a;
	case VG_RULE_CMP_GT: return x > n->a;
	case VG_RULE_CMP_GE: return x >= n->a;
	case VG_RULE_CMP_RANGE: return x > n->a && x < n->b;
	default: return true; /* absent */
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Buffers a match item inspects                                                             */

enum vg_rule_buf {
	VG_RULE_BUF_PAYLOAD = 0,      /* no sticky buffer: packet payload and/or stream per proto */
	VG_RULE_BUF_STREAM,           /* reserved: reassembled stream only (tcp-stream rules use
	                                 PAYLOAD + proto TCP_STREAM) */
	VG_RULE_BUF_HTTP_METHOD,      /* http.method / http_method */
	VG_RULE_BUF_HTTP_URI,         /* http.uri / http_uri (normalized) */
	VG_RULE_BUF_HTTP_URI_RAW,     /* http.uri.raw / http_raw_uri */
	VG_RULE_BUF_HTTP_HOST,        /* http.host / http_host (normalized: lower case, no port) */
	VG_RULE_BUF_HTTP_HOST_RAW,    /* http.host.raw / http_raw_host */
	VG_RULE_BUF_HTTP_UA,          /* http.user_agent / http_user_agent */
	VG_RULE_BUF_HTTP_HEADER,      /* http.header / http_header: "Name: value\r\n" per header,
	                                 excluding Cookie/Set-Cookie (Suricata) */
	VG_RULE_BUF_HTTP_HEADER_RAW,  /* http.header.raw / http_raw_header */
	VG_RULE_BUF_HTTP_HEADER_NAMES,/* http.header_names: "\r\nName1\r\nName2\r\n\r\n" */
	VG_RULE_BUF_HTTP_COOKIE,      /* http.cookie / http_cookie */
	VG_RULE_BUF_HTTP_REQUEST_LINE,/* http.request_line */
	VG_RULE_BUF_HTTP_REQUEST_BODY,/* http.request_body / http_client_body */
	VG_RULE_BUF_HTTP_CONTENT_TYPE,/* http.content_type */
	VG_RULE_BUF_HTTP_CONTENT_LEN, /* http.content_len */
	VG_RULE_BUF_HTTP_REFERER,     /* http.referer */
	VG_RULE_BUF_HTTP_ACCEPT,      /* http.accept */
	VG_RULE_BUF_HTTP_ACCEPT_ENC,  /* http.accept_enc */
	VG_RULE_BUF_HTTP_ACCEPT_LANG, /* http.accept_lang */
	VG_RULE_BUF_HTTP_CONNECTION,  /* http.connection */
	VG_RULE_BUF_HTTP_START,       /* http.start: start line + headers + "\r\n" */
	VG_RULE_BUF_HTTP_PROTOCOL,    /* http.protocol ("HTTP/1.1") */
	VG_RULE_BUF_HTTP_LOCATION,    /* http.location (response) */
	VG_RULE_BUF_HTTP_SERVER,      /* http.server (response) */
	VG_RULE_BUF_HTTP_STAT_CODE,   /* http.stat_code / http_stat_code */
	VG_RULE_BUF_HTTP_STAT_MSG,    /* http.stat_msg / http_stat_msg */
	VG_RULE_BUF_HTTP_RESPONSE_LINE, /* http.response_line */
	VG_RULE_BUF_HTTP_RESPONSE_BODY, /* http.response_body / http_server_body */
	VG_RULE_BUF_FILE_DATA,        /* file.data / file_data on an http rule: the HTTP body in the
	                                 rule's direction (response body; request body when the
	                                 rule is to_server — Suricata 7). Engines that only keep
	                                 response file data may treat it as HTTP_RESPONSE_BODY. */
	VG_RULE_BUF_DNS_QUERY,        /* dns.query / dns_query: each query name, dotted */
	VG_RULE_BUF_TLS_SNI,          /* tls.sni / tls_sni */
	VG_RULE_BUF_TLS_CERTS,        /* tls.certs: each certificate's DER */
	VG_RULE_BUF_TLS_CERT_SUBJECT, /* tls.cert_subject / tls_cert_subject */
	VG_RULE_BUF_TLS_CERT_ISSUER,  /* tls.cert_issuer / tls_cert_issuer */
	VG_RULE_BUF_TLS_CERT_SERIAL,  /* tls.cert_serial: "00:11:22" upper-case hex */
	VG_RULE_BUF_TLS_CERT_FINGERPRINT, /* tls.cert_fingerprint: leaf SHA-1 "af:cb:..." lower-case */
	VG_RULE_BUF_TLS_VERSION,      /* the buf of VG_RULE_M_TLS_VERSION items (tls.version:) */
	VG_RULE_BUF_JA3_HASH,         /* ja3.hash / ja3_hash: 32 lower-case hex chars */
	VG_RULE_BUF_JA3S_HASH,        /* ja3s.hash / ja3s_hash */
	VG_RULE_BUF_JA3_STRING,       /* ja3.string */
	VG_RULE_BUF_BASE64_DATA,      /* base64_data: output of the last base64_decode item */
	VG_RULE_BUF_IPV4_HDR,         /* ipv4.hdr: the packet's (innermost) IPv4 header with its
	                                 options; absent on IPv6 packets and stream chunks */
	VG_RULE_BUF_COUNT
};

/* Transforms applied to a buffer before inspection, set on each item that follows the
 * transform keyword. Items of one buf with different xform inspect DIFFERENT buffer
 * instances (Suricata makes a separate list per (buffer, transforms)): relative matching
 * chains only within the same (buf, xform). */
enum {
	VG_RULE_XFORM_DOTPREFIX = 1u << 0, /* prepend "." (dns.query; dotprefix) */
	VG_RULE_XFORM_PCREXFORM = 1u << 1, /* (additive) pcrexform:"re": the buffer becomes
	                                      the first capture group of re when it matches
	                                      (unchanged when not, as Suricata); re is
	                                      vg_rule.xform_pcres[VG_RULE_XFORM_PCRE_IDX(x)];
	                                      applied before dotprefix */
};
/* The pcrexform pattern index is kept in bits 8..15 of xform (index + 1), so items
 * under different pcrexform patterns are different buffer lists. */
#define VG_RULE_XFORM_PCRE_SHIFT 8u
#define VG_RULE_XFORM_PCRE_IDX(x) ((((x) >> VG_RULE_XFORM_PCRE_SHIFT) & 0xffu) - 1u)

/* ---------------------------------------------------------------------------------------- */
/* Match items                                                                                */

enum vg_rule_match_kind {
	VG_RULE_M_CONTENT = 1,
	VG_RULE_M_PCRE,
	VG_RULE_M_ISDATAAT,
	VG_RULE_M_BSIZE,
	VG_RULE_M_BYTE_TEST,
	VG_RULE_M_BYTE_JUMP,
	VG_RULE_M_BYTE_EXTRACT,
	VG_RULE_M_BASE64_DECODE,
	VG_RULE_M_TLS_VERSION,
	VG_RULE_M_BYTE_MATH,      /* (additive) */
	VG_RULE_M_TLS_VALIDITY,   /* (additive) tls_cert_notbefore/notafter/expired/valid */
};

/* (additive) tls_cert_* validity items: which date of the leaf certificate, and how it is
 * compared (Suricata's detect-tls-cert-validity: bounds inclusive; expired/valid compare
 * notAfter with the packet time). */
enum { VG_RULE_TLSV_NOTBEFORE = 0, VG_RULE_TLSV_NOTAFTER };
enum {
	VG_RULE_TLSV_EQ = 0,      /* tls_cert_notbefore:2020-01-01 (exact second) */
	VG_RULE_TLSV_LE,          /* :<date → cert date <= date */
	VG_RULE_TLSV_GE,          /* :>date → cert date >= date */
	VG_RULE_TLSV_RANGE,       /* :a<>b  → a <= cert date <= b */
	VG_RULE_TLSV_EXPIRED,     /* tls_cert_expired: packet time > notAfter */
	VG_RULE_TLSV_VALID,       /* tls_cert_valid: packet time <= notAfter */
};

/* Content flags. */
enum {
	VG_RULE_CONTENT_NOCASE      = 1u << 0,
	VG_RULE_CONTENT_NEGATED     = 1u << 1,  /* content:!"x" */
	VG_RULE_CONTENT_OFFSET      = 1u << 2,  /* offset set */
	VG_RULE_CONTENT_DEPTH       = 1u << 3,  /* depth set */
	VG_RULE_CONTENT_DISTANCE    = 1u << 4,  /* distance set (relative) */
	VG_RULE_CONTENT_WITHIN      = 1u << 5,  /* within set (relative) */
	VG_RULE_CONTENT_FAST_PATTERN= 1u << 6,  /* fast_pattern given (any form; a plain one at most once per rule) */
	VG_RULE_CONTENT_FP_ONLY     = 1u << 7,  /* fast_pattern:only (legacy; still a normal match) */
	VG_RULE_CONTENT_FP_CHOP     = 1u << 8,  /* fast_pattern:<fp_offset>,<fp_len> */
	VG_RULE_CONTENT_STARTSWITH  = 1u << 9,  /* anchored at buffer start (offset 0, depth len) */
	VG_RULE_CONTENT_ENDSWITH    = 1u << 10, /* match must end at the end of the buffer */
	VG_RULE_CONTENT_RAWBYTES    = 1u << 11, /* rawbytes: no effect (no telnet normalization) */
	VG_RULE_CONTENT_RELATIVE_NEXT = 1u << 12, /* a later item in the same buffer is relative
	                                             to this one (informational, like Suricata's
	                                             DETECT_CONTENT_RELATIVE_NEXT) */
};

/* Positions that may be a byte_extract variable instead of a number: var >= 0 is an index
 * into vg_rule.byte_vars (the value comes from that variable at match time), -1 a constant. */
struct vg_rule_content {
	uint8_t *bytes;       /* owned; |hex| decoded; len >= 1 */
	size_t len;
	uint32_t flags;       /* VG_RULE_CONTENT_* */
	int32_t offset;       /* valid with CONTENT_OFFSET */
	int32_t depth;        /* valid with CONTENT_DEPTH (> 0) */
	int32_t distance;     /* valid with CONTENT_DISTANCE; may be negative */
	int32_t within;       /* valid with CONTENT_WITHIN (> 0) */
	int8_t offset_var, depth_var, distance_var, within_var; /* -1 or byte_vars index */
	uint16_t fp_offset, fp_len; /* valid with CONTENT_FP_CHOP */
};

/* PCRE flags (besides the PCRE2 compile options). */
enum {
	VG_RULE_PCRE_NEGATED  = 1u << 0, /* pcre:!"/x/" */
	VG_RULE_PCRE_RELATIVE = 1u << 1, /* R: start at the end of the previous match in the buffer */
	VG_RULE_PCRE_RAWBYTES = 1u << 2, /* B: no effect */
	VG_RULE_PCRE_OVERRIDE = 1u << 3, /* O: override the configured match limits */
	VG_RULE_PCRE_ANCHOR_G = 1u << 4, /* G: Suricata's "ungreedy" (PCRE2_UNGREEDY set too) */
};
struct vg_rule_pcre {
	char *pattern;        /* owned, NUL-terminated regex between the slashes (unescaped as
	                         written: \/ stays \/, which PCRE2 reads as /) */
	size_t pattern_len;
	uint32_t options;     /* PCRE2_* compile options from i s m x A E G(UNGREEDY) ... */
	uint32_t flags;       /* VG_RULE_PCRE_* */
	/* The pattern compiled fine with PCRE2 at load time (with these options); the engine
	 * compiles its own copy (with JIT). */
};

struct vg_rule_isdataat {
	uint32_t pos;
	int8_t pos_var;       /* -1 or byte_vars index */
	bool relative;
	bool negated;         /* isdataat:!n */
	bool rawbytes;        /* no effect */
};

/* byte_test / byte_jump / byte_extract share the read of a number from the buffer. */
enum vg_rule_endian {
	VG_RULE_ENDIAN_BIG = 0,   /* default */
	VG_RULE_ENDIAN_LITTLE,
	VG_RULE_ENDIAN_DCE,       /* reserved: "dce" is refused at load (no DCE/RPC parser) */
};
enum vg_rule_numbase {
	VG_RULE_BASE_BINARY = 0,  /* raw bytes (no "string") */
	VG_RULE_BASE_DEC,         /* string,dec (default base for "string") */
	VG_RULE_BASE_HEX,
	VG_RULE_BASE_OCT,
};
struct vg_rule_byte_read {
	uint8_t nbytes;           /* 1..8 binary, 1..23 string (Suricata's limits); byte_jump may
	                             have 0: nothing is read, the value is 0 (post_offset only) */
	int32_t offset;           /* may be negative with relative */
	int8_t offset_var;        /* -1 or byte_vars index */
	bool relative;
	enum vg_rule_endian endian;
	enum vg_rule_numbase base;
	uint64_t bitmask;         /* 0: none; else value = (value & mask) >> trailing zeros */
};

enum vg_rule_bt_op {
	VG_RULE_BT_LT = 1, VG_RULE_BT_GT, VG_RULE_BT_EQ, VG_RULE_BT_AND, VG_RULE_BT_XOR,
	VG_RULE_BT_LE, VG_RULE_BT_GE,
};
struct vg_rule_byte_test {
	struct vg_rule_byte_read rd;
	enum vg_rule_bt_op op;    /* '&': (x & value) != 0; '^': (x ^ value) != 0 */
	bool negated;             /* "!op": the result is inverted ("!=" is negated EQ) */
	uint64_t value;
	int8_t value_var;         /* -1 or byte_vars index */
};

struct vg_rule_byte_jump {
	struct vg_rule_byte_read rd;
	uint32_t multiplier;      /* 1 when absent */
	uint8_t align;            /* 0 or 4 (align: round up to 32 bits) */
	bool from_beginning;      /* jump from the buffer start instead of after the read bytes */
	bool from_end;            /* jump from the buffer end */
	int32_t post_offset;      /* added after the jump */
};

struct vg_rule_byte_extract {
	struct vg_rule_byte_read rd;
	uint32_t multiplier;      /* 1 when absent */
	uint8_t align;            /* 0, 2 or 4 */
	int8_t var;               /* index into vg_rule.byte_vars that this item sets */
};

/* byte_math: read rd (no bitmask in rd), apply oper with rvalue, then bitmask (as Suricata:
 * the mask after the operation), store in byte_vars[var]. The read moves the relative
 * cursor past the bytes read, like byte_extract. */
enum vg_rule_bm_oper {
	VG_RULE_BM_ADD = 1, VG_RULE_BM_SUB, VG_RULE_BM_MUL, VG_RULE_BM_DIV, VG_RULE_BM_SHL,
	VG_RULE_BM_SHR,
};
struct vg_rule_byte_math {
	struct vg_rule_byte_read rd; /* rd.bitmask is always 0: see bitmask below */
	enum vg_rule_bm_oper oper;
	uint64_t rvalue;          /* valid when rvalue_var is -1 */
	int8_t rvalue_var;        /* -1 or byte_vars index */
	int8_t var;               /* index into vg_rule.byte_vars that this item sets */
	uint64_t bitmask;         /* 0: none; else result = (result & mask) >> trailing zeros */
};

struct vg_rule_base64_decode {
	uint32_t bytes;           /* 0: until the end of the buffer */
	uint32_t offset;
	bool relative;
};

/* Transaction side of a match item (vg_rule_match.txdir). */
enum {
	VG_RULE_TXDIR_NONE = 0,   /* not a "=>" rule: the inspection's side */
	VG_RULE_TXDIR_TOSERVER,   /* the request of the transaction */
	VG_RULE_TXDIR_TOCLIENT,   /* the response of the transaction */
};

struct vg_rule_match {
	enum vg_rule_match_kind kind;
	enum vg_rule_buf buf;     /* which buffer this item inspects */
	uint32_t xform;           /* VG_RULE_XFORM_* applied to buf before inspection */
	uint8_t inst;             /* buffer instance (additive): 0 normally. Repeating a
	                             multi-instance sticky keyword (dns.query, tls.certs,
	                             file.data — Suricata 7 "multiple buffer matching") starts
	                             instance 1, 2, ...: each instance may match a different
	                             element (another query, certificate, file). */
	uint8_t txdir;            /* (additive) VG_RULE_TXDIR_*: the side of the transaction
	                             this item inspects. Set on every HTTP item of a "=>" rule
	                             (request buffers TOSERVER, response buffers TOCLIENT,
	                             buffers of both sides as written: "file.data: to_client",
	                             default TOSERVER); NONE on every item of other rules. */
	union {
		struct vg_rule_content content;
		struct vg_rule_pcre pcre;
		struct vg_rule_isdataat isdataat;
		struct vg_rule_num bsize;          /* length of buf */
		struct vg_rule_byte_test byte_test;
		struct vg_rule_byte_jump byte_jump;
		struct vg_rule_byte_extract byte_extract;
		struct vg_rule_byte_math byte_math;
		struct vg_rule_base64_decode b64;  /* decodes buf; later BASE64_DATA items read it */
		struct {                           /* tls.version:1.2 / 0x0303 */
			uint16_t version;
		} tls_version;
		struct {                           /* (additive) tls_cert_notbefore:... (UTC seconds) */
			int64_t t1, t2;
			uint8_t field;             /* VG_RULE_TLSV_NOTBEFORE / _NOTAFTER */
			uint8_t mode;              /* VG_RULE_TLSV_EQ ... */
		} tls_validity;
	} u;
};
/* Items are kept in rule text order. "relative" (distance/within, isdataat relative, pcre R,
 * byte_* relative) always refers to the previous item of the SAME (buf, xform, inst, txdir) in this
 * order (one Suricata buffer list) — the
 * legacy modifiers (content:"x"; http_uri;) already moved their content to its buffer, so
 * R2 can walk the items of one buffer as Suricata walks one sigmatch list. */

/* ---------------------------------------------------------------------------------------- */
/* Non-payload options                                                                        */

/* flow: keyword bits. */
enum {
	VG_RULE_FLOW_ESTABLISHED     = 1u << 0,
	VG_RULE_FLOW_NOT_ESTABLISHED = 1u << 1,
	VG_RULE_FLOW_TO_SERVER       = 1u << 2, /* also from_client */
	VG_RULE_FLOW_TO_CLIENT       = 1u << 3, /* also from_server */
	VG_RULE_FLOW_STATELESS       = 1u << 4,
	VG_RULE_FLOW_ONLY_STREAM     = 1u << 5, /* only_stream: reassembled data only */
	VG_RULE_FLOW_NO_STREAM       = 1u << 6, /* no_stream: packets only */
	VG_RULE_FLOW_ONLY_FRAG       = 1u << 7, /* reserved */
	VG_RULE_FLOW_NO_FRAG         = 1u << 8, /* reserved */
};

/* TCP flag bits as on the wire. */
enum {
	VG_RULE_TCP_FIN = 0x01, VG_RULE_TCP_SYN = 0x02, VG_RULE_TCP_RST = 0x04,
	VG_RULE_TCP_PSH = 0x08, VG_RULE_TCP_ACK = 0x10, VG_RULE_TCP_URG = 0x20,
	VG_RULE_TCP_ECE = 0x40, VG_RULE_TCP_CWR = 0x80,
};
enum vg_rule_flags_mod {
	VG_RULE_FLAGS_EXACT = 1,  /* no modifier: (f & ~ignore) == bits */
	VG_RULE_FLAGS_PLUS,       /* '+': all of bits set, others may be: (f & bits) == bits */
	VG_RULE_FLAGS_ANY,        /* '*': any of bits set */
	VG_RULE_FLAGS_NOT,        /* '!': none of bits set */
};
struct vg_rule_tcp_flags {
	enum vg_rule_flags_mod mod; /* 0: keyword absent */
	uint8_t bits;             /* flags named (0 with "flags:0": no flag set) */
	uint8_t ignore;           /* bits after the comma: masked off before comparing */
};

enum vg_rule_threshold_type {
	VG_RULE_THR_LIMIT = 1, VG_RULE_THR_THRESHOLD, VG_RULE_THR_BOTH,
	VG_RULE_THR_DETECTION_FILTER, /* detection_filter: matches after count within seconds */
};
enum vg_rule_track {
	VG_RULE_TRACK_SRC = 1, VG_RULE_TRACK_DST, VG_RULE_TRACK_RULE, VG_RULE_TRACK_BOTH,
};
enum vg_rule_unique_on {
	VG_RULE_UNIQUE_SRC_PORT = 1, VG_RULE_UNIQUE_DST_PORT,
};
struct vg_rule_threshold {
	enum vg_rule_threshold_type type; /* 0: absent */
	enum vg_rule_track track;
	uint32_t count;
	uint32_t seconds;
	/* (additive) detection_filter only: 0, or count distinct source / destination ports
	 * of the matches in the window instead of the matches (a repeated port adds nothing) */
	enum vg_rule_unique_on unique_on;
};

enum vg_rule_flowbit_cmd {
	VG_RULE_FB_SET = 1, VG_RULE_FB_ISSET, VG_RULE_FB_ISNOTSET, VG_RULE_FB_UNSET,
	VG_RULE_FB_TOGGLE,
	/* flowbits:noalert is not an op: it sets vg_rule.noalert. */
};
struct vg_rule_flowbit {
	enum vg_rule_flowbit_cmd cmd;
	size_t n_names;
	char **names;             /* owned; "a|b" → ["a","b"] any_of; "a&b" → all of */
	bool any_of;              /* names joined by '|' (isset/isnotset: any of) */
};

enum vg_rule_xbit_track {
	VG_RULE_XB_IP_SRC = 1, VG_RULE_XB_IP_DST, VG_RULE_XB_IP_PAIR, VG_RULE_XB_TX,
};
struct vg_rule_xbit {
	enum vg_rule_flowbit_cmd cmd; /* SET, UNSET, ISSET, ISNOTSET, TOGGLE */
	char *name;               /* owned */
	enum vg_rule_xbit_track track;
	uint32_t expire;          /* seconds; 0 when not given */
};

enum vg_rule_flowint_op {
	VG_RULE_FI_SET = 1,       /* name,=,v */
	VG_RULE_FI_ADD,           /* name,+,v */
	VG_RULE_FI_SUB,           /* name,-,v */
	VG_RULE_FI_EQ, VG_RULE_FI_NE, VG_RULE_FI_LT, VG_RULE_FI_LE, VG_RULE_FI_GT, VG_RULE_FI_GE,
	VG_RULE_FI_ISSET, VG_RULE_FI_NOTSET,
};
struct vg_rule_flowint {
	char *name;               /* owned */
	enum vg_rule_flowint_op op;
	uint32_t value;
	char *value_var;          /* owned; non-NULL when the operand is another flowint's name */
};

struct vg_rule_reference {
	char *type;               /* owned: "url", "cve", ... as written */
	char *value;              /* owned */
	const char *url_prefix;   /* borrowed from the ruleset's reference.config; NULL if unknown */
};

/* Rule-level flags. */
enum {
	VG_RULE_F_NOALERT      = 1u << 0, /* flowbits:noalert */
	VG_RULE_F_TARGET_SRC   = 1u << 1, /* target:src_ip */
	VG_RULE_F_TARGET_DST   = 1u << 2, /* target:dest_ip */
	VG_RULE_F_TAG          = 1u << 3, /* tag: given — parsed, NO effect in vigil */
	VG_RULE_F_URILEN_RAW   = 1u << 4, /* urilen:...,raw (default norm) */
	VG_RULE_F_APP_PROTO_NEG= 1u << 5, /* app-layer-protocol:!x */
};

enum vg_rule_stream_side {
	VG_RULE_SS_SERVER = 1, VG_RULE_SS_CLIENT, VG_RULE_SS_BOTH, VG_RULE_SS_EITHER,
};

struct vg_rule {
	/* identity and output */
	uint32_t sid, gid, rev;   /* gid defaults to 1, rev to 0 */
	char *msg;                /* owned, unescaped (\; \" \\ → ; " \); "" when absent */
	char *classtype;          /* owned; NULL when absent */
	const char *class_desc;   /* borrowed from the ruleset's classification.config: EVE
	                             "category"; NULL when unknown or absent */
	int priority;             /* priority: keyword, else the classtype's, else 3 */
	size_t n_refs;
	struct vg_rule_reference *refs;   /* owned */
	size_t n_metadata;
	char **metadata;          /* owned: each comma-separated "key value" entry, trimmed */
	uint32_t flags;           /* VG_RULE_F_* */
	enum vg_rule_action action;
	uint8_t reject_kind;      /* 0 reject/rejectsrc, 1 rejectdst, 2 rejectboth */

	/* header */
	enum vg_rule_proto proto;
	struct vg_rule_addrs src, dst;
	struct vg_rule_ports sport, dport;
	enum vg_rule_dir dir;

	/* packet / flow conditions (op 0 / mod 0 / type 0: absent) */
	uint32_t flow;            /* VG_RULE_FLOW_* */
	struct vg_rule_tcp_flags tcp_flags;
	struct vg_rule_num itype, icode, ttl, dsize, ip_proto;
	struct vg_rule_num urilen;          /* length of the normalized (or raw) URI */
	struct vg_rule_num stream_size;     /* bytes seen on the stream side below */
	enum vg_rule_stream_side stream_side;
	struct vg_rule_threshold threshold; /* threshold: */
	struct vg_rule_threshold detection_filter; /* type DETECTION_FILTER when present */
	char *app_proto;          /* owned; app-layer-protocol value as written ("http", "tls",
	                             "failed", ...); NULL when absent. See F_APP_PROTO_NEG */

	size_t n_flowbits;
	struct vg_rule_flowbit *flowbits; /* owned, in rule order */
	size_t n_xbits;
	struct vg_rule_xbit *xbits;       /* owned */
	size_t n_flowints;
	struct vg_rule_flowint *flowints; /* owned */

	/* payload / buffer inspection, in rule order */
	size_t n_matches;
	struct vg_rule_match *matches;    /* owned */
	size_t n_byte_vars;
	char **byte_vars;         /* owned: byte_extract / byte_math result names; index = var */
	uint64_t bufs_used;       /* bit (1 << vg_rule_buf) for each buffer some item inspects */

	/* app-layer protocol implied by the buffers / keywords used (http.uri on an "alert tcp"
	 * rule makes it an HTTP rule, as Suricata sets s->alproto); 0 when none. For app-layer
	 * protos in the header this equals proto or is 0. */
	enum vg_rule_proto alproto;

	/* Every app-layer-protocol option of the rule (all must hold, as in Suricata, e.g.
	 * "app-layer-protocol:!http; app-layer-protocol:!tls;"). app_proto and
	 * VG_RULE_F_APP_PROTO_NEG above mirror the first entry. Owned. */
	size_t n_app_protos;
	struct vg_rule_app_proto {
		char *name;           /* owned, as written */
		bool negated;
	} *app_protos;
	/* Every stream_size option (all must hold); stream_size/stream_side above mirror the
	 * first entry. Owned. */
	size_t n_stream_sizes;
	struct vg_rule_stream_size {
		enum vg_rule_stream_side side;
		struct vg_rule_num cmp;
	} *stream_sizes;

	/* pcrexform patterns (additive): NUL-terminated, compiled fine with PCRE2 at load and
	 * have at least one capture group. Owned. */
	size_t n_xform_pcres;
	char **xform_pcres;

	/* where it came from */
	char *file;               /* owned; NULL when parsed from a string */
	unsigned line;            /* first line of the rule in file (1-based), 0 when none */
	char *text;               /* owned: the rule text as parsed (after continuations) */
};

/* ---------------------------------------------------------------------------------------- */
/* Parsing one rule                                                                           */

/* Address/port variables: name (without '$') → value text as in suricata.yaml. Built by
 * vg_rule_vars_default() (Suricata's defaults) and vg_rule_vars_from_config(). */
struct vg_rule_vars;

/* New set with Suricata's default address-groups and port-groups. Caller frees. */
int vg_rule_vars_default(struct vg_rule_vars **out);
/* Overrides / additions from cfg's vars.address-groups.X and vars.port-groups.X (a YAML
 * scalar or a sequence of scalars). cfg may be NULL (no-op). On error *err (may be NULL)
 * gets a message. */
int vg_rule_vars_from_config(struct vg_rule_vars *v, const struct vg_config *cfg,
			     char *err, size_t errsz);
/* Set one variable (copies both). is_port selects the port-group namespace. */
int vg_rule_vars_set(struct vg_rule_vars *v, bool is_port, const char *name, const char *value);
void vg_rule_vars_free(struct vg_rule_vars *v); /* NULL-safe */

/* Parse one rule's text (no trailing newline needed; no line continuations; must not be a
 * comment). vars may be NULL (then any $VAR is an error). On success *out is a new rule
 * (caller frees with vg_rule_free). On failure returns VG_EINVAL (syntax / Suricata would
 * reject), VG_ENOTSUP (unsupported keyword or protocol), VG_ERANGE or VG_ENOMEM, and writes a
 * one-line reason into reason (if non-NULL), e.g. "unsupported keyword 'asn1'". *sid_out (may
 * be NULL) gets the sid when it could be read, even on failure (0 otherwise).
 * class_desc/priority from classtype and reference url prefixes are NOT resolved here (the
 * loader does it); priority is the priority: keyword or 0. */
int vg_rule_parse(const char *text, size_t len, const struct vg_rule_vars *vars,
		  struct vg_rule **out, uint32_t *sid_out, char *reason, size_t reasonsz);
void vg_rule_free(struct vg_rule *r); /* NULL-safe */

/* Address / port set membership. */
static inline bool vg_rule_addrs_match(const struct vg_rule_addrs *s, const struct vg_addr *a)
{
	if (s->any)
		return true;
	/* binary search over the sorted ranges */
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vg_rule_addr_range *r = &s->r[mid];
		if (vg_addr_cmp(a, &r->lo) < 0)
			hi = mid;
		else if (vg_addr_cmp(a, &r->hi) > 0)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}
static inline bool vg_rule_ports_match(const struct vg_rule_ports *s, uint16_t port)
{
	if (s->any)
		return true;
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (port < s->r[mid].lo)
			hi = mid;
		else if (port > s->r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------------------------------- */
/* Rule sets: files                                                                           */

struct vg_ruleset;

struct vg_rule_skipped {
	const char *file;         /* borrowed from the set */
	unsigned line;
	uint32_t sid;             /* 0 when not readable */
	const char *reason;       /* borrowed from the set: "unsupported keyword 'asn1'" */
};

/* Load rule files. Lines: '#' comments (so disabled "#alert ..." rules are ignored), blank
 * lines, rules continued with a trailing '\'. A bad rule is skipped and recorded; loading
 * goes on. A duplicate sid (same gid) keeps the first and records the later as skipped
 * ("duplicate sid"). Variables: Suricata's defaults, overridden by cfg (may be NULL);
 * classification.config and reference.config come from cfg's rules.classification-file /
 * rules.reference-config-file, else from the directory of the first rule file, else
 * VIGIL_SHARED's data/rules/ (if set); when none is found class_desc/url stay NULL (a file
 * named in cfg that cannot be read is an error: VG_EIO).
 * Returns 0 with *out set (caller frees with vg_ruleset_free) even when rules were skipped;
 * VG_EIO when a file cannot be read (errmsg says which), VG_EINVAL on a bad variable in cfg,
 * VG_ENOMEM. errmsg (may be NULL) gets a message on failure. */
int vg_ruleset_load_files(const char **paths, size_t n, const struct vg_config *cfg,
			  struct vg_ruleset **out, char *errmsg, size_t errsz);
/* Same over an in-memory rule file (name used as the file name). */
int vg_ruleset_load_buffer(const char *buf, size_t len, const char *name,
			   const struct vg_config *cfg, struct vg_ruleset **out,
			   char *errmsg, size_t errsz);
void vg_ruleset_free(struct vg_ruleset *rs); /* NULL-safe */

size_t vg_ruleset_count(const struct vg_ruleset *rs);      /* loaded rules */
const struct vg_rule *vg_ruleset_get(const struct vg_ruleset *rs, size_t i); /* borrowed */
size_t vg_ruleset_skipped_count(const struct vg_ruleset *rs);
/* Borrowed until vg_ruleset_free. i < vg_ruleset_skipped_count(). */
const struct vg_rule_skipped *vg_ruleset_skipped(const struct vg_ruleset *rs, size_t i);
size_t vg_ruleset_duplicates(const struct vg_ruleset *rs); /* duplicate sids skipped */

/* Skip reasons grouped: reason text → count, in descending count order. */
size_t vg_ruleset_reason_count(const struct vg_ruleset *rs);
void vg_ruleset_reason(const struct vg_ruleset *rs, size_t i, const char **reason,
		       size_t *count);

#endif
