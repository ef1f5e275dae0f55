/* fuzz-ioc.c — IoC list text → loader → lookups, with invariants.
 *
 * Input: byte 0 picks the list type (low 3 bits: none/addr/domain/url/sni/ja3/ja3s/auto)
 * and exact (bit 3); the rest is list text up to the first NUL byte, and after it
 * newline-separated queries. The list is loaded (bad lines reported into a buffer), every
 * query goes through every lookup, and:
 *   - a match names a list of the set and a non-empty indicator, and makes an alert;
 *   - the canonical form of a query, when it has one, is stable (canonical(canonical(q))
 *     is itself) and a set built from that one indicator finds it again.
 * Seeds: small lists of each type with good and bad lines (make-ioc-corpus.py). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"
#include "core/limits.h"
#include "detect/detect-ioc.h"

static void check_match(const struct vg_ioc_set *s, int rc, const struct vg_ioc_match *m)
{
	if (rc != 0 && rc != VG_ENOENT && rc != VG_EINVAL)
		abort();
	if (rc != 0) {
		if (m->indicator || m->list)
			abort();
		return;
	}
	if (!m->indicator || !m->indicator[0] || !m->list || m->list_index >= vg_ioc_list_count(s))
		abort();
	struct vg_event ev;
	char sig[256];
	vg_event_init(&ev, VG_EVT_ALERT, 0);
	if (vg_ioc_alert(&ev, m, "fuzz", sig, sizeof(sig)) != 0 || ev.rule.sid < VG_IOC_SID_BASE + 1 ||
	    ev.rule.sid > VG_IOC_SID_BASE + VG_IOC_JA3S)
		abort();
}

static void query_all(const struct vg_ioc_set *s, const char *q, size_t n)
{
	struct vg_ioc_match m;
	struct vg_addr a;
	if (vg_addr_parse(q, n, &a) == 0)
		check_match(s, vg_ioc_match_addr(s, &a, &m), &m);
	check_match(s, vg_ioc_match_domain(s, q, n, &m), &m);
	check_match(s, vg_ioc_match_sni(s, q, n, &m), &m);
	check_match(s, vg_ioc_match_url(s, q, n, &m), &m);
	check_match(s, vg_ioc_match_http(s, n & 1, q, n, "/x", 2, &m), &m);
	check_match(s, vg_ioc_match_http(s, false, "h.example", 9, q, n, &m), &m);
	check_match(s, vg_ioc_match_ja3(s, n & 1, q, n, &m), &m);
}

/* The canonical form of q as type t is stable and found again in a set holding only it. */
static void roundtrip(enum vg_ioc_type t, const char *q, size_t n)
{
	char c1[VG_IOC_MAX_URL_LEN + 64], c2[VG_IOC_MAX_URL_LEN + 64];
	const char *why;
	if (vg_ioc_canonical(t, q, n, c1, sizeof(c1), &why) != 0)
		return;
	if (vg_ioc_canonical(t, c1, strlen(c1), c2, sizeof(c2), &why) != 0 || strcmp(c1, c2) != 0)
		abort();
	struct vg_ioc_builder *b;
	if (vg_ioc_builder_new(&b) != 0)
		return;
	struct vg_ioc_list_spec sp = { "rt", t, NULL, false };
	struct vg_buf rep;
	vg_buf_init(&rep, 1 << 16);
	struct vg_ioc_set *s = NULL;
	if (vg_ioc_builder_add_text(b, &sp, c1, strlen(c1), &rep) != 0 ||
	    vg_ioc_builder_finish(b, &s) != 0)
		abort();
	struct vg_ioc_stats st;
	vg_ioc_get_stats(s, &st);
	if (st.indicators != 1 || st.bad_lines != 0)
		abort();
	struct vg_ioc_match m;
	int rc = VG_ENOENT;
	switch (t) {
	case VG_IOC_ADDR: {
		struct vg_cidr cidr;
		if (vg_cidr_parse(c1, strlen(c1), &cidr) != 0)
			abort();
		rc = vg_ioc_match_addr(s, &cidr.addr, &m);
		break;
	}
	case VG_IOC_DOMAIN:
	case VG_IOC_SNI: {
		char nm[300];
		/* "*.x" matches below x only */
		int k = strncmp(c1, "*.", 2) == 0 ? snprintf(nm, sizeof(nm), "a.%s", c1 + 2)
						  : snprintf(nm, sizeof(nm), "%s", c1);
		if (k > 0 && (size_t)k < sizeof(nm) && k <= 253)
			rc = t == VG_IOC_SNI ? vg_ioc_match_sni(s, nm, (size_t)k, &m)
					     : vg_ioc_match_domain(s, nm, (size_t)k, &m);
		else
			rc = 0;
		break;
	}
	case VG_IOC_URL:
		rc = vg_ioc_match_url(s, c1, strlen(c1), &m);
		break;
	default:
		rc = vg_ioc_match_ja3(s, t == VG_IOC_JA3S, c1, strlen(c1), &m);
		break;
	}
	if (rc != 0)
		abort();
	vg_ioc_set_free(s);
	vg_buf_free(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum vg_ioc_type type = (enum vg_ioc_type)(data[0] & 7);
	bool exact = data[0] & 8;
	const char *text = (const char *)data + 1;
	size_t rest = size - 1;
	const char *nul = memchr(text, '\0', rest);
	size_t tlen = nul ? (size_t)(nul - text) : rest;
	struct vg_ioc_builder *b;
	if (vg_ioc_builder_new(&b) != 0)
		return 0;
	struct vg_buf rep;
	vg_buf_init(&rep, 1 << 20);
	struct vg_ioc_list_spec sp = { "fuzz", type, "fuzz.txt", exact };
	struct vg_ioc_list_spec sp2 = { "fuzz2", VG_IOC_AUTO, NULL, !exact };
	if (vg_ioc_builder_add_text(b, &sp, text, tlen, &rep) != 0)
		abort();
	/* the same text again as an auto list: every indicator is a duplicate or new there */
	if (vg_ioc_builder_add_text(b, &sp2, text, tlen, &rep) != 0)
		abort();
	struct vg_ioc_set *s;
	if (vg_ioc_builder_finish(b, &s) != 0) {
		vg_buf_free(&rep);
		return 0;
	}
	struct vg_ioc_list_stats l1, l2;
	if (vg_ioc_list_stats(s, 0, &l1) != 0 || vg_ioc_list_stats(s, 1, &l2) != 0)
		abort();
	struct vg_ioc_stats st;
	vg_ioc_get_stats(s, &st);
	if (st.indicators > l1.loaded + l2.loaded || l1.lines != l2.lines)
		abort();
	/* queries: the list lines themselves and what follows the NUL */
	const char *q = text;
	size_t qlen = tlen;
	for (int pass = 0; pass < 2; pass++) {
		size_t pos = 0;
		int nq = 0;
		while (pos <= qlen && nq < 64) {
			size_t e = pos;
			while (e < qlen && q[e] != '\n')
				e++;
			query_all(s, q + pos, e - pos);
			if (nq < 4)
				for (int t = VG_IOC_ADDR; t <= VG_IOC_JA3S; t++)
					roundtrip((enum vg_ioc_type)t, q + pos, e - pos);
			nq++;
			pos = e + 1;
		}
		if (!nul)
			break;
		q = nul + 1;
		qlen = size - 1 - tlen - 1;
	}
	vg_ioc_set_free(s);
	vg_buf_free(&rep);
	return 0;
}
