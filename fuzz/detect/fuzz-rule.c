/* fuzz-rule.c — one rule's text → vg_rule_parse(), and the same bytes as a rule file →
 * vg_ruleset_load_buffer(), with invariants:
 *   - a parsed rule has a sid, sorted disjoint address/port ranges, match items whose
 *     contents are non-empty and whose byte_* variable indexes exist;
 *   - a failure always comes with a reason;
 *   - the loader accounts for every rule (loaded + skipped) and every skipped one has a
 *     reason.
 * Seeds: ET Open rules of every shape plus edge cases (fuzz/detect/corpus/rule). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-addr.h"
#include "core/core-error.h"
#include "detect/detect-rule.h"

static struct vg_rule_vars *g_vars;

static void check_rule(const struct vg_rule *r)
{
	if (r->sid == 0 || !r->msg || !r->text)
		abort();
	const struct vg_rule_addrs *as[2] = { &r->src, &r->dst };
	for (int k = 0; k < 2; k++) {
		if (as[k]->any && as[k]->n)
			abort();
		if (!as[k]->any && !as[k]->n)
			abort();
		for (size_t i = 0; i < as[k]->n; i++) {
			const struct vg_rule_addr_range *x = &as[k]->r[i];
			if (x->lo.family != x->hi.family || vg_addr_cmp(&x->lo, &x->hi) > 0)
				abort();
			if (i && vg_addr_cmp(&as[k]->r[i - 1].hi, &x->lo) >= 0)
				abort();
			if (!vg_rule_addrs_match(as[k], &x->lo) || !vg_rule_addrs_match(as[k], &x->hi))
				abort();
		}
	}
	const struct vg_rule_ports *ps[2] = { &r->sport, &r->dport };
	for (int k = 0; k < 2; k++) {
		if (!ps[k]->any && !ps[k]->n)
			abort();
		for (size_t i = 0; i < ps[k]->n; i++) {
			if (ps[k]->r[i].lo > ps[k]->r[i].hi)
				abort();
			if (i && ps[k]->r[i - 1].hi + 1 >= ps[k]->r[i].lo)
				abort();
			if (!vg_rule_ports_match(ps[k], ps[k]->r[i].lo))
				abort();
		}
	}
	for (size_t i = 0; i < r->n_matches; i++) {
		const struct vg_rule_match *m = &r->matches[i];
		if (m->buf >= VG_RULE_BUF_COUNT)
			abort();
		switch (m->kind) {
		case VG_RULE_M_CONTENT: {
			const struct vg_rule_content *c = &m->u.content;
			if (!c->bytes || c->len == 0)
				abort();
			int8_t vars[4] = { c->offset_var, c->depth_var, c->distance_var, c->within_var };
			for (int v = 0; v < 4; v++)
				if (vars[v] >= (int)r->n_byte_vars)
					abort();
			if ((c->flags & VG_RULE_CONTENT_FP_CHOP) && c->fp_offset + c->fp_len > c->len)
				abort();
			break;
		}
		case VG_RULE_M_PCRE:
			if (!m->u.pcre.pattern || strlen(m->u.pcre.pattern) > m->u.pcre.pattern_len)
				abort();
			break;
		case VG_RULE_M_BYTE_EXTRACT:
			if (m->u.byte_extract.var < 0 || m->u.byte_extract.var >= (int)r->n_byte_vars)
				abort();
			break;
		default:
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!g_vars && vg_rule_vars_default(&g_vars))
		abort();
	struct vg_rule *r = NULL;
	char reason[256];
	uint32_t sid;
	int rc = vg_rule_parse((const char *)data, size, g_vars, &r, &sid, reason, sizeof(reason));
	if (rc == 0) {
		check_rule(r);
		if (sid != r->sid)
			abort();
		vg_rule_free(r);
	} else {
		if (r || (rc != VG_ENOMEM && reason[0] == '\0'))
			abort();
	}

	struct vg_ruleset *rs = NULL;
	char err[256];
	rc = vg_ruleset_load_buffer((const char *)data, size, "fuzz.rules", NULL, &rs, err,
				    sizeof(err));
	if (rc == 0) {
		size_t sum = 0;
		for (size_t i = 0; i < vg_ruleset_count(rs); i++)
			check_rule(vg_ruleset_get(rs, i));
		for (size_t i = 0; i < vg_ruleset_skipped_count(rs); i++) {
			const struct vg_rule_skipped *s = vg_ruleset_skipped(rs, i);
			if (!s->reason || !s->reason[0] || !s->file)
				abort();
		}
		for (size_t i = 0; i < vg_ruleset_reason_count(rs); i++) {
			const char *why;
			size_t n;
			vg_ruleset_reason(rs, i, &why, &n);
			sum += n;
		}
		if (sum != vg_ruleset_skipped_count(rs))
			abort();
		vg_ruleset_free(rs);
	} else if (rs) {
		abort();
	}
	return 0;
}
