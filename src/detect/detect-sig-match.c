/* detect-sig-match.c — evaluation of a rule's match items over its buffers, with
 * Suricata's semantics (DetectEngineContentInspection):
 *   - the items of one buffer form a list walked in rule order; "relative" items
 *     (distance/within, isdataat relative, pcre R, byte_* relative) start from the end
 *     of the previous match in that list (the cursor);
 *   - depth counts from offset; within counts from the cursor and includes distance;
 *   - when an item after a content is relative to it and fails, the content is retried
 *     at its next occurrence (likewise a pcre), so "a" ... "b" within 5 finds the "a"
 *     that has a "b" close behind, not just the first "a";
 *   - negated contents and isdataat do not move the cursor;
 *   - byte_jump and byte_extract move it; byte_test does not.
 * Retries are bounded (VG_SIG_INSPECT_STEPS per rule evaluation) and PCRE2 runs with
 * match/depth limits, so hostile traffic cannot make a rule cost more than a bound. */
#include "detect/detect-sig-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"

/* ---------------------------------------------------------------------------------- */
/* Program build                                                                         */

static bool item_is_relative(const struct vg_rule_match *m)
{
	switch (m->kind) {
	case VG_RULE_M_CONTENT:
		return (m->u.content.flags & (VG_RULE_CONTENT_DISTANCE | VG_RULE_CONTENT_WITHIN)) != 0;
	case VG_RULE_M_PCRE:
		return (m->u.pcre.flags & VG_RULE_PCRE_RELATIVE) != 0;
	case VG_RULE_M_ISDATAAT:
		return m->u.isdataat.relative;
	case VG_RULE_M_BYTE_TEST:
		return m->u.byte_test.rd.relative;
	case VG_RULE_M_BYTE_JUMP:
		return m->u.byte_jump.rd.relative;
	case VG_RULE_M_BYTE_EXTRACT:
		return m->u.byte_extract.rd.relative;
	case VG_RULE_M_BYTE_MATH:
		return m->u.byte_math.rd.relative;
	case VG_RULE_M_BASE64_DECODE:
		return m->u.b64.relative;
	default:
		return false;
	}
}

void vg_sig_prog_free(struct vg_sig_prog *p)
{
	if (!p)
		return;
	for (uint32_t i = 0; i < p->n_lists; i++) {
		free(p->lists[i].items);
		free(p->lists[i].next_rel);
	}
	free(p->lists);
	if (p->re && p->r) {
		for (size_t i = 0; i < p->r->n_matches; i++)
			pcre2_code_free(p->re[i]);
	}
	free(p->re);
	for (size_t k = 0; k < p->n_xre; k++)
		pcre2_code_free(p->xre[k]);
	free(p->xre);
	memset(p, 0, sizeof(*p));
}

int vg_sig_prog_build(const struct vg_rule *r, struct vg_sig_prog *out, char *reason, size_t reasonsz)
{
	memset(out, 0, sizeof(*out));
	if (reason && reasonsz)
		reason[0] = '\0';
	out->r = r;
	if (r->n_byte_vars > VG_SIG_MAX_BYTE_VARS) {
		if (reason)
			snprintf(reason, reasonsz, "more than %u byte_extract variables", VG_SIG_MAX_BYTE_VARS);
		return VG_ERANGE;
	}
	if (r->n_matches == 0)
		return 0;
	out->re = calloc(r->n_matches, sizeof(*out->re));
	out->lists = calloc(r->n_matches, sizeof(*out->lists)); /* at most one list per item */
	if (!out->re || !out->lists)
		return VG_ENOMEM;

	/* Effective buffer: base64_decode, and relative isdataat/byte_x/pcre, that the rule
	 * wrote after a legacy-modifier content (content:"x"; http_uri; base64_decode:...)
	 * belong to that content's buffer, as Suricata puts them in the list of the last
	 * content/pcre. */
	enum vg_rule_buf last = VG_RULE_BUF_PAYLOAD;
	enum vg_rule_buf *eb = calloc(r->n_matches, sizeof(*eb));
	if (!eb)
		return VG_ENOMEM;
	for (size_t i = 0; i < r->n_matches; i++) {
		const struct vg_rule_match *m = &r->matches[i];
		eb[i] = m->buf;
		if (m->buf == VG_RULE_BUF_PAYLOAD && last != VG_RULE_BUF_PAYLOAD &&
		    (m->kind == VG_RULE_M_BASE64_DECODE ||
		     (m->kind != VG_RULE_M_CONTENT && item_is_relative(m))))
			eb[i] = last;
		if (m->kind == VG_RULE_M_CONTENT || m->kind == VG_RULE_M_PCRE)
			last = eb[i];
		out->bufs |= 1ull << eb[i];
	}
	/* Lists in order of first appearance, base64_data last (it reads what a
	 * base64_decode in another list produced). */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < r->n_matches; i++) {
			const struct vg_rule_match *m = &r->matches[i];
			bool b64 = eb[i] == VG_RULE_BUF_BASE64_DATA;
			if (b64 != (pass == 1))
				continue;
			/* one list per (buffer, transforms, instance): Suricata's buffer lists */
			uint32_t li = 0;
			while (li < out->n_lists && (out->lists[li].buf != eb[i] || out->lists[li].xform != m->xform ||
						     out->lists[li].inst != m->inst ||
						     out->lists[li].txdir != m->txdir))
				li++;
			struct vg_sig_list *l = &out->lists[li];
			if (li == out->n_lists) {
				out->n_lists++;
				l->buf = eb[i];
				l->xform = m->xform;
				l->inst = m->inst;
				l->txdir = m->txdir;
				l->items = calloc(r->n_matches, sizeof(*l->items));
				l->next_rel = calloc(r->n_matches, sizeof(*l->next_rel));
				if (!l->items || !l->next_rel) {
					free(eb);
					return VG_ENOMEM;
				}
			}
			l->items[l->n++] = (uint32_t)i;
			if (m->kind == VG_RULE_M_BASE64_DECODE)
				out->has_b64 = true;
		}
	}
	free(eb);
	for (uint32_t li = 0; li < out->n_lists; li++) {
		struct vg_sig_list *l = &out->lists[li];
		for (uint32_t k = 0; k + 1 < l->n; k++)
		{
			/* when to look for the next occurrence of item k after the rest failed,
			 * as Suricata: a content only when the next item is a content with
			 * within (DETECT_CONTENT_WITHIN_NEXT; with distance alone an earlier
			 * anchor already covers every later one), a pcre when the next item is
			 * relative to it (DETECT_PCRE_RELATIVE_NEXT) */
			const struct vg_rule_match *cur = &r->matches[l->items[k]];
			const struct vg_rule_match *nx = &r->matches[l->items[k + 1]];
			if (cur->kind == VG_RULE_M_CONTENT)
				l->next_rel[k] = nx->kind == VG_RULE_M_CONTENT &&
						 (nx->u.content.flags & VG_RULE_CONTENT_WITHIN);
			else
				l->next_rel[k] = item_is_relative(nx);
		}
	}

	for (size_t i = 0; i < r->n_matches; i++) {
		const struct vg_rule_match *m = &r->matches[i];
		if (m->kind != VG_RULE_M_PCRE)
			continue;
		int err = 0;
		PCRE2_SIZE erroff = 0;
		out->re[i] = pcre2_compile((PCRE2_SPTR)m->u.pcre.pattern, m->u.pcre.pattern_len,
					   m->u.pcre.options, &err, &erroff, NULL);
		if (!out->re[i]) {
			if (reason) {
				PCRE2_UCHAR msg[128];
				pcre2_get_error_message(err, msg, sizeof(msg));
				snprintf(reason, reasonsz, "pcre at %zu: %s", (size_t)erroff, (const char *)msg);
			}
			return VG_EINVAL;
		}
		/* JIT is an optimisation: a pattern it cannot take runs interpreted. */
		(void)pcre2_jit_compile(out->re[i], PCRE2_JIT_COMPLETE);
	}
	if (r->n_xform_pcres) {
		out->xre = calloc(r->n_xform_pcres, sizeof(*out->xre));
		if (!out->xre)
			return VG_ENOMEM;
		out->n_xre = r->n_xform_pcres;
		for (size_t k = 0; k < r->n_xform_pcres; k++) {
			int err = 0;
			PCRE2_SIZE erroff = 0;
			out->xre[k] = pcre2_compile((PCRE2_SPTR)r->xform_pcres[k], PCRE2_ZERO_TERMINATED, 0,
						    &err, &erroff, NULL);
			if (!out->xre[k]) {
				if (reason)
					snprintf(reason, reasonsz, "pcrexform at %zu: error %d", (size_t)erroff, err);
				return VG_EINVAL;
			}
			(void)pcre2_jit_compile(out->xre[k], PCRE2_JIT_COMPLETE);
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Scratch                                                                               */

int vg_sig_mctx_init(struct vg_sig_mctx *c)
{
	memset(c, 0, sizeof(*c));
	vg_buf_init(&c->b64, VG_HTTP_MAX_BODY + VG_HTTP_MAX_HEADER_BYTES);
	vg_buf_init(&c->xform, VG_HTTP_MAX_BODY + 16u);
	c->md = pcre2_match_data_create(32, NULL);
	c->mc = pcre2_match_context_create(NULL);
	if (!c->md || !c->mc) {
		vg_sig_mctx_free(c);
		return VG_ENOMEM;
	}
	pcre2_set_match_limit(c->mc, VG_SIG_PCRE_MATCH_LIMIT);
	pcre2_set_depth_limit(c->mc, VG_SIG_PCRE_DEPTH_LIMIT);
	return 0;
}

void vg_sig_mctx_free(struct vg_sig_mctx *c)
{
	if (!c)
		return;
	vg_buf_free(&c->b64);
	vg_buf_free(&c->xform);
	pcre2_match_data_free(c->md);
	pcre2_match_context_free(c->mc);
	c->md = NULL;
	c->mc = NULL;
}

/* ---------------------------------------------------------------------------------- */
/* Helpers                                                                               */

static const uint8_t lower[256] = {
#define L(x) (uint8_t)((x) >= 'A' && (x) <= 'Z' ? (x) + 32 : (x))
#define R4(b) L(b), L(b + 1), L(b + 2), L(b + 3)
#define R16(b) R4(b), R4(b + 4), R4(b + 8), R4(b + 12)
	R16(0), R16(16), R16(32), R16(48), R16(64), R16(80), R16(96), R16(112),
	R16(128), R16(144), R16(160), R16(176), R16(192), R16(208), R16(224), R16(240),
#undef R16
#undef R4
#undef L
};

static bool eq_at(const uint8_t *h, const uint8_t *n, size_t len, bool nocase)
{
	if (!nocase)
		return memcmp(h, n, len) == 0;
	for (size_t i = 0; i < len; i++)
		if (lower[h[i]] != lower[n[i]])
			return false;
	return true;
}

/* First position p in [start, last] with needle at p; -1 when none. */
static long find(const uint8_t *buf, size_t start, size_t last, const uint8_t *n, size_t nlen, bool nocase)
{
	if (!nocase) {
		const uint8_t *p = memmem(buf + start, last - start + nlen, n, nlen);
		return p ? (long)(p - buf) : -1;
	}
	uint8_t f = lower[n[0]];
	for (size_t p = start; p <= last; p++)
		if (lower[buf[p]] == f && eq_at(buf + p, n, nlen, true))
			return (long)p;
	return -1;
}

static int64_t var_or(const struct vg_sig_mctx *c, int8_t var, int64_t constant)
{
	if (var >= 0 && (unsigned)var < VG_SIG_MAX_BYTE_VARS)
		return (int64_t)c->vars[var];
	return constant;
}

/* Read a number per rd at absolute position pos. false when out of the buffer or not
 * a number. */
static bool read_num(const struct vg_rule_byte_read *rd, const uint8_t *buf, size_t len, int64_t pos,
		     uint64_t *out)
{
	*out = 0;
	if (pos < 0 || (uint64_t)pos > len || rd->nbytes > len - (size_t)pos)
		return false;
	const uint8_t *p = buf + pos;
	uint64_t v = 0;
	if (rd->base == VG_RULE_BASE_BINARY) {
		if (rd->nbytes > 8)
			return false;
		for (unsigned i = 0; i < rd->nbytes; i++) {
			unsigned b = rd->endian == VG_RULE_ENDIAN_BIG ? i : rd->nbytes - 1u - i;
			v = (v << 8) | p[b];
		}
	} else {
		unsigned base = rd->base == VG_RULE_BASE_HEX ? 16u : rd->base == VG_RULE_BASE_OCT ? 8u : 10u;
		unsigned n = 0;
		for (unsigned i = 0; i < rd->nbytes; i++) {
			unsigned d;
			uint8_t ch = p[i];
			if (ch >= '0' && ch <= '9')
				d = ch - '0';
			else if (base == 16 && lower[ch] >= 'a' && lower[ch] <= 'f')
				d = lower[ch] - 'a' + 10u;
			else
				break;
			if (d >= base)
				break;
			if (v > (UINT64_MAX - d) / base)
				return false;
			v = v * base + d;
			n++;
		}
		if (n == 0 && rd->nbytes > 0)
			return false;
	}
	if (rd->bitmask) {
		v &= rd->bitmask;
		uint64_t m = rd->bitmask;
		while (m && !(m & 1)) {
			m >>= 1;
			v >>= 1;
		}
	}
	*out = v;
	return true;
}

size_t vg_sig_base64_decode(const uint8_t *in, size_t len, struct vg_buf *out)
{
	vg_buf_reset(out);
	uint32_t acc = 0;
	unsigned bits = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t ch = in[i];
		unsigned v;
		if (ch >= 'A' && ch <= 'Z')
			v = ch - 'A';
		else if (ch >= 'a' && ch <= 'z')
			v = ch - 'a' + 26u;
		else if (ch >= '0' && ch <= '9')
			v = ch - '0' + 52u;
		else if (ch == '+')
			v = 62;
		else if (ch == '/')
			v = 63;
		else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
			continue;
		else
			break; /* '=' or anything else ends the data */
		acc = (acc << 6) | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			uint8_t b = (uint8_t)(acc >> bits);
			if (vg_buf_append(out, &b, 1) < 0)
				break;
		}
	}
	return out->len;
}

/* ---------------------------------------------------------------------------------- */
/* The walk                                                                              */

struct walk {
	struct vg_sig_mctx *c;
	const struct vg_sig_prog *p;
	const struct vg_sig_list *l;
	const uint8_t *buf;
	size_t len;
};

/* 1 match, 0 no match, -1 step bound hit (treated as no match). */
static int walk(struct walk *w, uint32_t k, size_t cursor);

static int do_content(struct walk *w, uint32_t k, size_t cursor, const struct vg_rule_content *cd)
{
	const struct vg_sig_mctx *c = w->c;
	size_t len = w->len;
	bool neg = cd->flags & VG_RULE_CONTENT_NEGATED;
	bool nocase = cd->flags & VG_RULE_CONTENT_NOCASE;
	int64_t start, end;
	if (cd->flags & (VG_RULE_CONTENT_DISTANCE | VG_RULE_CONTENT_WITHIN)) {
		int64_t dist = cd->flags & VG_RULE_CONTENT_DISTANCE ? var_or(c, cd->distance_var, cd->distance) : 0;
		start = (int64_t)cursor + dist;
		if (start < 0)
			start = 0;
		if (cd->flags & VG_RULE_CONTENT_WITHIN) {
			end = (int64_t)cursor + dist + var_or(c, cd->within_var, cd->within);
			if (end < 0)
				end = 0;
		} else {
			end = (int64_t)len;
		}
		/* a relative content may also carry offset/depth in old rules: depth bounds from
		 * the cursor too (Suricata converts them likewise) */
		if (cd->flags & VG_RULE_CONTENT_OFFSET)
			start += var_or(c, cd->offset_var, cd->offset);
		if (cd->flags & VG_RULE_CONTENT_DEPTH) {
			int64_t e2 = start + var_or(c, cd->depth_var, cd->depth);
			if (e2 < end)
				end = e2;
		}
	} else {
		start = cd->flags & VG_RULE_CONTENT_OFFSET ? var_or(c, cd->offset_var, cd->offset) : 0;
		if (start < 0)
			start = 0;
		end = cd->flags & VG_RULE_CONTENT_DEPTH ? start + var_or(c, cd->depth_var, cd->depth) : (int64_t)len;
	}
	if (cd->flags & VG_RULE_CONTENT_STARTSWITH) {
		start = 0;
		end = (int64_t)cd->len;
	}
	if (end > (int64_t)len)
		end = (int64_t)len;

	size_t nlen = cd->len;
	for (;;) {
		long pos = -1;
		if (start <= end && (uint64_t)(end - start) >= nlen) {
			size_t last = (size_t)end - nlen;
			if (cd->flags & VG_RULE_CONTENT_ENDSWITH) {
				if (len >= nlen && len - nlen >= (size_t)start && len - nlen <= last &&
				    eq_at(w->buf + len - nlen, cd->bytes, nlen, nocase))
					pos = (long)(len - nlen);
			} else {
				pos = find(w->buf, (size_t)start, last, cd->bytes, nlen, nocase);
			}
		}
		if (neg)
			return pos >= 0 ? 0 : walk(w, k + 1, cursor);
		if (pos < 0) /* an absolute content missing cannot appear by retrying: stop */
			return (cd->flags & (VG_RULE_CONTENT_DISTANCE | VG_RULE_CONTENT_WITHIN)) ? 0 : -1;
		int r = walk(w, k + 1, (size_t)pos + nlen);
		if (r != 0)
			return r;
		if (!w->l->next_rel[k] || (cd->flags & (VG_RULE_CONTENT_ENDSWITH | VG_RULE_CONTENT_STARTSWITH)))
			return -1; /* the rest does not depend on where this matched: give up */
		if (w->c->steps == 0) {
			w->c->step_limit_hits++;
			return -1;
		}
		w->c->steps--;
		start = pos + 1;
	}
}

static int do_pcre(struct walk *w, uint32_t k, size_t cursor, uint32_t idx, const struct vg_rule_pcre *pc)
{
	struct vg_sig_mctx *c = w->c;
	const pcre2_code *re = w->p->re[idx];
	if (!re)
		return 0;
	bool rel = pc->flags & VG_RULE_PCRE_RELATIVE;
	bool neg = pc->flags & VG_RULE_PCRE_NEGATED;
	size_t base = rel ? cursor : 0;
	if (base > w->len)
		return neg ? walk(w, k + 1, cursor) : 0;
	const uint8_t *subj = w->buf + base;
	size_t slen = w->len - base;
	size_t from = 0;
	for (;;) {
		int rc = pcre2_match(re, subj, slen, from, 0, c->md, c->mc);
		if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
			c->pcre_limit_hits++;
		if (neg)
			return rc >= 0 ? 0 : walk(w, k + 1, cursor);
		if (rc < 0)
			return 0;
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
		size_t m0 = ov[0], m1 = ov[1];
		int r = walk(w, k + 1, base + m1);
		if (r != 0)
			return r;
		if (!w->l->next_rel[k] || m0 >= slen)
			return 0;
		if (c->steps == 0) {
			c->step_limit_hits++;
			return -1;
		}
		c->steps--;
		from = m0 + 1;
	}
}

static int walk(struct walk *w, uint32_t k, size_t cursor)
{
	if (k >= w->l->n)
		return 1;
	struct vg_sig_mctx *c = w->c;
	uint32_t idx = w->l->items[k];
	const struct vg_rule_match *m = &w->p->r->matches[idx];
	const uint8_t *buf = w->buf;
	size_t len = w->len;

	switch (m->kind) {
	case VG_RULE_M_CONTENT:
		return do_content(w, k, cursor, &m->u.content);
	case VG_RULE_M_PCRE:
		return do_pcre(w, k, cursor, idx, &m->u.pcre);
	case VG_RULE_M_ISDATAAT: {
		const struct vg_rule_isdataat *d = &m->u.isdataat;
		uint64_t pos = (uint64_t)var_or(c, d->pos_var, d->pos);
		if (d->relative)
			pos += cursor;
		/* relative: data at cursor + n means cursor + n <= len (Suricata) */
		bool ok = d->relative ? pos <= len : pos < len;
		if (d->negated)
			ok = !ok;
		if (!ok) /* later anchors leave less data after them: stop, except for !relative */
			return d->pos_var < 0 && !(d->relative && d->negated) ? -1 : 0;
		return walk(w, k + 1, cursor);
	}
	case VG_RULE_M_BSIZE:
		return vg_rule_num_match(&m->u.bsize, len) ? walk(w, k + 1, cursor) : 0;
	case VG_RULE_M_BYTE_TEST: {
		const struct vg_rule_byte_test *t = &m->u.byte_test;
		int64_t pos = var_or(c, t->rd.offset_var, t->rd.offset) + (t->rd.relative ? (int64_t)cursor : 0);
		uint64_t v;
		if (!read_num(&t->rd, buf, len, pos, &v))
			return 0;
		uint64_t ref = (uint64_t)var_or(c, t->value_var, (int64_t)t->value);
		bool ok;
		switch (t->op) {
		case VG_RULE_BT_LT: ok = v < ref; break;
		case VG_RULE_BT_GT: ok = v > ref; break;
		case VG_RULE_BT_EQ: ok = v == ref; break;
		case VG_RULE_BT_AND: ok = (v & ref) != 0; break;
		case VG_RULE_BT_XOR: ok = (v ^ ref) != 0; break;
		case VG_RULE_BT_LE: ok = v <= ref; break;
		case VG_RULE_BT_GE: ok = v >= ref; break;
		default: ok = false; break;
		}
		if (t->negated)
			ok = !ok;
		return ok ? walk(w, k + 1, cursor) : 0;
	}
	case VG_RULE_M_BYTE_JUMP: {
		const struct vg_rule_byte_jump *j = &m->u.byte_jump;
		int64_t pos = var_or(c, j->rd.offset_var, j->rd.offset) + (j->rd.relative ? (int64_t)cursor : 0);
		uint64_t v = 0;
		if (j->rd.nbytes > 0 && !read_num(&j->rd, buf, len, pos, &v))
			return 0;
		if (j->rd.nbytes == 0 && (pos < 0 || (uint64_t)pos > len))
			return 0;
		if (v > (uint64_t)INT32_MAX)
			return 0;
		int64_t jump = (int64_t)v * (j->multiplier ? j->multiplier : 1);
		if (j->align == 4 && (jump % 4))
			jump += 4 - jump % 4;
		int64_t from = j->from_beginning ? 0 : j->from_end ? (int64_t)len : pos + j->rd.nbytes;
		int64_t np = from + jump + j->post_offset;
		if (np < 0) /* before the start: Suricata (7+) clamps to the buffer start */
			np = 0;
		if ((uint64_t)np > len)
			return 0;
		return walk(w, k + 1, (size_t)np);
	}
	case VG_RULE_M_BYTE_EXTRACT: {
		const struct vg_rule_byte_extract *x = &m->u.byte_extract;
		int64_t pos = var_or(c, x->rd.offset_var, x->rd.offset) + (x->rd.relative ? (int64_t)cursor : 0);
		uint64_t v;
		if (!read_num(&x->rd, buf, len, pos, &v))
			return 0;
		if (x->multiplier > 1) {
			if (v > UINT64_MAX / x->multiplier)
				return 0;
			v *= x->multiplier;
		}
		if (x->align > 1 && (v % x->align))
			v += x->align - v % x->align;
		if (x->var >= 0 && (unsigned)x->var < VG_SIG_MAX_BYTE_VARS)
			c->vars[x->var] = v;
		return walk(w, k + 1, (size_t)pos + x->rd.nbytes);
	}
	case VG_RULE_M_BYTE_MATH: {
		/* Suricata: read, apply the operation, then the bitmask; the cursor moves past
		 * the bytes read. Division by zero does not match; shifts of 64 or more give 0
		 * (no undefined behaviour on rule- or packet-supplied counts). */
		const struct vg_rule_byte_math *x = &m->u.byte_math;
		int64_t pos = var_or(c, x->rd.offset_var, x->rd.offset) + (x->rd.relative ? (int64_t)cursor : 0);
		uint64_t v;
		if (!read_num(&x->rd, buf, len, pos, &v))
			return 0;
		uint64_t rv = (uint64_t)var_or(c, x->rvalue_var, (int64_t)x->rvalue);
		switch (x->oper) {
		case VG_RULE_BM_ADD: v += rv; break;
		case VG_RULE_BM_SUB: v -= rv; break;
		case VG_RULE_BM_MUL: v *= rv; break;
		case VG_RULE_BM_DIV:
			if (rv == 0)
				return 0;
			v /= rv;
			break;
		case VG_RULE_BM_SHL: v = rv < 64 ? v << rv : 0; break;
		case VG_RULE_BM_SHR: v = rv < 64 ? v >> rv : 0; break;
		default: return 0;
		}
		if (x->bitmask) {
			v &= x->bitmask;
			uint64_t mk = x->bitmask;
			while (v && !(mk & 1)) {
				mk >>= 1;
				v >>= 1;
			}
		}
		if (x->var >= 0 && (unsigned)x->var < VG_SIG_MAX_BYTE_VARS)
			c->vars[x->var] = v;
		return walk(w, k + 1, (size_t)pos + x->rd.nbytes);
	}
	case VG_RULE_M_BASE64_DECODE: {
		const struct vg_rule_base64_decode *b = &m->u.b64;
		size_t from = (b->relative ? cursor : 0) + b->offset;
		c->b64_set = true;
		if (from >= len) {
			vg_buf_reset(&c->b64);
		} else {
			size_t n = len - from;
			if (b->bytes && b->bytes < n)
				n = b->bytes;
			vg_sig_base64_decode(buf + from, n, &c->b64);
		}
		return walk(w, k + 1, cursor);
	}
	case VG_RULE_M_TLS_VERSION:
		return c->tls_version && c->tls_version == m->u.tls_version.version ? walk(w, k + 1, cursor) : 0;
	case VG_RULE_M_TLS_VALIDITY: {
		/* as Suricata: no certificate date (0) never matches; bounds inclusive */
		int64_t t = m->u.tls_validity.field == VG_RULE_TLSV_NOTBEFORE ? c->tls_notbefore : c->tls_notafter;
		int64_t a = m->u.tls_validity.t1, b = m->u.tls_validity.t2;
		bool ok;
		switch (m->u.tls_validity.mode) {
		case VG_RULE_TLSV_EQ: ok = t == a; break;
		case VG_RULE_TLSV_LE: ok = t <= a; break;
		case VG_RULE_TLSV_GE: ok = t >= a; break;
		case VG_RULE_TLSV_RANGE: ok = t >= a && t <= b; break;
		case VG_RULE_TLSV_EXPIRED: ok = c->now_s > t; break;
		case VG_RULE_TLSV_VALID: ok = c->now_s <= t; break;
		default: ok = false; break;
		}
		return t != 0 && ok ? walk(w, k + 1, cursor) : 0;
	}
	default:
		return 0;
	}
}

bool vg_sig_list_match(struct vg_sig_mctx *c, const struct vg_sig_prog *p, const struct vg_sig_list *l,
		       const uint8_t *buf, size_t len)
{
	if (l->xform & VG_RULE_XFORM_PCREXFORM) {
		/* the first capture group replaces the buffer; no match (or an unset group, or
		 * a limit hit) leaves it unchanged, as Suricata's transform does */
		uint32_t k = VG_RULE_XFORM_PCRE_IDX(l->xform);
		if (k >= p->n_xre || !p->xre[k])
			return false;
		const uint8_t *subj = buf ? buf : (const uint8_t *)"";
		int rc = pcre2_match(p->xre[k], subj, buf ? len : 0, 0, 0, c->md, c->mc);
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
		if (rc >= 2 && ov[2] != PCRE2_UNSET && ov[3] >= ov[2] && ov[3] <= len) {
			buf = subj + ov[2];
			len = ov[3] - ov[2];
		} else {
			if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
				c->pcre_limit_hits++;
			c->xform_nomatch++;
		}
	}
	if (l->xform & VG_RULE_XFORM_DOTPREFIX) {
		vg_buf_reset(&c->xform);
		if (vg_buf_append(&c->xform, ".", 1) < 0 || vg_buf_append(&c->xform, buf, len) < 0)
			return false;
		buf = (const uint8_t *)c->xform.data;
		len = c->xform.len;
	}
	struct walk w = { c, p, l, buf ? buf : (const uint8_t *)"", buf ? len : 0 };
	return walk(&w, 0, 0) == 1;
}

bool vg_sig_prog_match_bufs(struct vg_sig_mctx *c, const struct vg_sig_prog *p, uint64_t mask)
{
	c->steps = VG_SIG_INSPECT_STEPS;
	c->b64_set = false;
	memset(c->vars, 0, sizeof(c->vars));
	for (uint32_t li = 0; li < p->n_lists; li++) {
		const struct vg_sig_list *l = &p->lists[li];
		if (!(mask & (1ull << l->buf)))
			continue;
		if (l->buf == VG_RULE_BUF_BASE64_DATA) {
			if (!c->b64_set || !vg_sig_list_match(c, p, l, (const uint8_t *)c->b64.data, c->b64.len))
				return false;
			continue;
		}
		if (l->buf == VG_RULE_BUF_TLS_VERSION || (l->n > 0 && p->r->matches[l->items[0]].kind ==
							  VG_RULE_M_TLS_VERSION && l->buf != VG_RULE_BUF_PAYLOAD)) {
			/* tls.version items carry no buffer of their own */
			if (!vg_sig_list_match(c, p, l, (const uint8_t *)"", 0))
				return false;
			continue;
		}
		/* a "=>" rule's request-side list reads the request even while the response
		 * is inspected (buffers of both sides come from the set's side) */
		struct vg_sig_bufset *bs =
			l->txdir == VG_RULE_TXDIR_TOSERVER && c->bufs_req ? c->bufs_req : c->bufs;
		uint32_t n = vg_sig_buf_count(bs, (int)l->buf);
		bool any = false;
		for (uint32_t i = 0; i < n && !any; i++) {
			const uint8_t *b;
			size_t blen;
			if (vg_sig_buf_get(bs, (int)l->buf, i, &b, &blen) == 0)
				any = vg_sig_list_match(c, p, l, b, blen);
		}
		if (!any)
			return false;
	}
	return true;
}

bool vg_sig_prog_match(struct vg_sig_mctx *c, const struct vg_sig_prog *p)
{
	return vg_sig_prog_match_bufs(c, p, ~0ull);
}
