/* detect-sig-int.h — internals of the signature engine shared by its files, its unit
 * tests and its fuzz harness: the per-rule "program" (match items split into one list
 * per buffer, compiled PCRE2, relative-next marks) and the evaluator that runs a
 * program over a buffer set with Suricata's content semantics (detect-sig-match.c). */
#ifndef VG_DETECT_SIG_INT_H
#define VG_DETECT_SIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/limits.h"
#include "detect/detect-rule.h"
#include "detect/detect-sig-buf.h"

/* The items of one buffer list — same (buffer, transforms, instance) — in rule order. */
struct vg_sig_list {
	enum vg_rule_buf buf;
	uint32_t xform;               /* VG_RULE_XFORM_* of its items (same for all) */
	uint8_t inst;                 /* buffer instance (vg_rule_match.inst) */
	uint8_t txdir;                /* transaction side (vg_rule_match.txdir), "=>" rules */
	uint32_t n;
	uint32_t *items;              /* indexes into rule->matches; owned */
	bool *next_rel;               /* next_rel[k]: item k+1 is relative to item k; owned */
};

/* A rule compiled for evaluation. Borrows the rule (which must outlive it). */
struct vg_sig_prog {
	const struct vg_rule *r;
	uint32_t n_lists;
	struct vg_sig_list *lists;    /* owned; BASE64_DATA last */
	pcre2_code **re;              /* owned; re[i] for pcre item i, else NULL */
	bool has_b64;                 /* some item decodes base64 */
	size_t n_xre;
	pcre2_code **xre;             /* owned; xre[k] for r->xform_pcres[k] (pcrexform) */
	uint64_t bufs;                /* bit (1 << buf) of every list's buffer */
};

/* Compile r (PCRE2 with JIT when available). 0, VG_EINVAL with reason when a pcre does
 * not compile, VG_ENOMEM, VG_ERANGE (too many byte_extract variables). Caller frees
 * with vg_sig_prog_free even on error. */
int vg_sig_prog_build(const struct vg_rule *r, struct vg_sig_prog *out, char *reason, size_t reasonsz);
void vg_sig_prog_free(struct vg_sig_prog *p);

/* Evaluation scratch (one per engine / thread). */
struct vg_sig_mctx {
	struct vg_sig_bufset *bufs;   /* borrowed: the buffers of this inspection */
	struct vg_sig_bufset *bufs_req; /* borrowed, may be NULL: the request side of the
	                                 * transaction whose response is inspected, for the
	                                 * to_server lists of "=>" rules (else bufs) */
	uint16_t tls_version;         /* negotiated version for tls.version, 0 when unknown */
	int64_t tls_notbefore, tls_notafter; /* (additive) leaf validity, UTC s; 0 unknown */
	int64_t now_s;                /* (additive) packet time, for tls_cert_expired/valid */
	uint64_t vars[VG_SIG_MAX_BYTE_VARS];
	struct vg_buf b64;            /* last base64_decode output */
	bool b64_set;
	struct vg_buf xform;          /* transformed buffer (dotprefix) */
	uint64_t xform_nomatch;       /* pcrexform runs that left the buffer unchanged */
	pcre2_match_data *md;
	pcre2_match_context *mc;
	uint32_t steps;               /* inspection steps left in this rule (backtracking bound) */
	/* counters */
	uint64_t step_limit_hits, pcre_limit_hits;
};

int vg_sig_mctx_init(struct vg_sig_mctx *c);
void vg_sig_mctx_free(struct vg_sig_mctx *c); /* NULL-safe */

/* Every buffer list of p matches c->bufs (a "=>" rule's to_server lists: c->bufs_req when
 * set). A missing buffer fails its list (except a list
 * made only of negated contents / negated isdataat, as Suricata's "absent buffer"
 * semantics do not apply either: it fails too). */
bool vg_sig_prog_match(struct vg_sig_mctx *c, const struct vg_sig_prog *p);
/* Only the lists whose buffer is in mask (bit 1 << buf). */
bool vg_sig_prog_match_bufs(struct vg_sig_mctx *c, const struct vg_sig_prog *p, uint64_t mask);

/* One list over one buffer (exposed for tests). */
bool vg_sig_list_match(struct vg_sig_mctx *c, const struct vg_sig_prog *p, const struct vg_sig_list *l,
		       const uint8_t *buf, size_t len);

/* Base64 decode (RFC 4648, whitespace skipped, stops at the first other character or
 * padding) of in into out (reset first). Returns bytes decoded. */
size_t vg_sig_base64_decode(const uint8_t *in, size_t len, struct vg_buf *out);

#endif
