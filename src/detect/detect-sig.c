/* detect-sig.c — the signature engine: rule groups with one Hyperscan literal database
 * per (context, direction, buffer), candidate evaluation, per-flow and global state,
 * thresholds, alerts. See detect-sig.h for the model; detect-sig-match.c evaluates the
 * match items, detect-sig-buf.c builds the buffers. */
#include "detect/detect-sig.h"

#include <hs.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core-error.h"
#include "core/core-hash.h"
#include "core/core-log.h"
#include "detect/detect-sig-int.h"

enum { CTX_PKT = 0, CTX_STREAM, CTX_HTTP_REQ, CTX_HTTP_RESP, CTX_DNS, CTX_TLS, CTX__N };

#define BUFBIT(b) (1ull << (unsigned)(b))
#define HTTP_RESP_BUFS                                                                            \
	(BUFBIT(VG_RULE_BUF_HTTP_LOCATION) | BUFBIT(VG_RULE_BUF_HTTP_SERVER) |                    \
	 BUFBIT(VG_RULE_BUF_HTTP_STAT_CODE) | BUFBIT(VG_RULE_BUF_HTTP_STAT_MSG) |                 \
	 BUFBIT(VG_RULE_BUF_HTTP_RESPONSE_LINE) | BUFBIT(VG_RULE_BUF_HTTP_RESPONSE_BODY))
#define HTTP_REQ_BUFS                                                                             \
	(BUFBIT(VG_RULE_BUF_HTTP_METHOD) | BUFBIT(VG_RULE_BUF_HTTP_URI) |                         \
	 BUFBIT(VG_RULE_BUF_HTTP_URI_RAW) | BUFBIT(VG_RULE_BUF_HTTP_HOST) |                       \
	 BUFBIT(VG_RULE_BUF_HTTP_HOST_RAW) | BUFBIT(VG_RULE_BUF_HTTP_UA) |                        \
	 BUFBIT(VG_RULE_BUF_HTTP_REQUEST_LINE) | BUFBIT(VG_RULE_BUF_HTTP_REQUEST_BODY) |          \
	 BUFBIT(VG_RULE_BUF_HTTP_REFERER) | BUFBIT(VG_RULE_BUF_HTTP_ACCEPT) |                     \
	 BUFBIT(VG_RULE_BUF_HTTP_ACCEPT_ENC) | BUFBIT(VG_RULE_BUF_HTTP_ACCEPT_LANG))
#define HTTP_EITHER_BUFS                                                                          \
	(BUFBIT(VG_RULE_BUF_HTTP_HEADER) | BUFBIT(VG_RULE_BUF_HTTP_HEADER_RAW) |                  \
	 BUFBIT(VG_RULE_BUF_HTTP_HEADER_NAMES) | BUFBIT(VG_RULE_BUF_HTTP_COOKIE) |                \
	 BUFBIT(VG_RULE_BUF_HTTP_CONTENT_TYPE) | BUFBIT(VG_RULE_BUF_HTTP_CONTENT_LEN) |           \
	 BUFBIT(VG_RULE_BUF_HTTP_CONNECTION) | BUFBIT(VG_RULE_BUF_HTTP_START) |                   \
	 BUFBIT(VG_RULE_BUF_HTTP_PROTOCOL) | BUFBIT(VG_RULE_BUF_FILE_DATA))
#define HTTP_BUFS (HTTP_RESP_BUFS | HTTP_REQ_BUFS | HTTP_EITHER_BUFS)
#define DNS_BUFS (BUFBIT(VG_RULE_BUF_DNS_QUERY))
#define TLS_BUFS                                                                                  \
	(BUFBIT(VG_RULE_BUF_TLS_SNI) | BUFBIT(VG_RULE_BUF_TLS_CERTS) |                            \
	 BUFBIT(VG_RULE_BUF_TLS_CERT_SUBJECT) | BUFBIT(VG_RULE_BUF_TLS_CERT_ISSUER) |             \
	 BUFBIT(VG_RULE_BUF_TLS_CERT_SERIAL) | BUFBIT(VG_RULE_BUF_TLS_VERSION) |                  \
	 BUFBIT(VG_RULE_BUF_TLS_CERT_FINGERPRINT) |                                               \
	 BUFBIT(VG_RULE_BUF_JA3_HASH) | BUFBIT(VG_RULE_BUF_JA3S_HASH) |                           \
	 BUFBIT(VG_RULE_BUF_JA3_STRING))
#define PAYLOAD_BUFS (BUFBIT(VG_RULE_BUF_PAYLOAD) | BUFBIT(VG_RULE_BUF_STREAM))

/* ---------------------------------------------------------------------------------- */
/* Structures                                                                            */

struct sig {
	const struct vg_rule *r;
	struct vg_sig_prog prog;
	bool ok;
	uint64_t order;            /* evaluation order among candidates */
	uint64_t bufs;             /* buffers the items use (incl. base64_data) */
	unsigned ctx;              /* bit per CTX_* it runs in */
	unsigned dirs;             /* bit 0 to server, bit 1 to client */
	bool payload;              /* has payload items */
	bool checks;               /* tests flowbits/flowints/xbits */
	bool has_tls_version;
	uint32_t set_src, set_dst; /* interned address sets (memoised per inspection) */
	bool iponly;               /* addresses only: inspected on a flow's first packet of
	                            * each direction (Suricata's IP-only engine does so) */
	uint32_t **fb;             /* per flowbit op: name ids; owned */
	uint32_t *fi, *fi_var;     /* per flowint op: name id, operand id (UINT32_MAX: constant) */
	uint32_t *xb;              /* per xbit op: name id */
	char *tags;                /* metadata entries joined by ','; owned */
};

struct hs_list {
	enum vg_rule_buf buf;
	hs_database_t *db;
	uint32_t *ids;             /* pattern id → sig index */
	uint32_t n;
};

/* IP-only rules indexed by the narrow side of their addresses (Suricata uses a radix
 * tree): ranges sorted by start, with the running maximum of their ends, so a lookup
 * is a binary search and a short walk back over the ranges that can still cover it. */
struct ipent {
	struct vg_addr lo, hi;
	uint32_t sig;
};
struct ipidx {
	struct ipent *e;
	struct vg_addr *maxhi;
	uint32_t n, cap;
};

struct group {
	struct ipidx ipx[2];       /* IP-only rules by source [0] / destination [1] */
	uint32_t *always;          /* in evaluation order */
	uint32_t n_always;
	uint32_t *iponly;          /* in evaluation order */
	uint32_t n_iponly;
	struct hs_list *dbs;
	uint32_t n_dbs;
	uint32_t n_rules;
};

/* Capped table for threshold trackers and xbits: open addressing, probe window of
 * PROBE slots; an expired entry is free; when the window is full the entry with the
 * oldest t0 is replaced (counted). */
#define PROBE 32u
#define KV_KEY 48u
struct kv {
	bool used;
	uint8_t klen;
	uint8_t key[KV_KEY];
	int64_t t0_us;             /* start of the window / time set */
	int64_t exp_us;            /* entry dead at/after this time; 0: never */
	uint32_t count;
};
struct kvtab {
	struct kv *e;
	uint32_t cap;              /* power of two */
	uint32_t max;
};

/* Per-flow state. bits and ints follow the struct in one allocation. */
struct txa {
	uint64_t tx;
	uint32_t sig;
};
struct sflow {
	struct vg_sig_engine *eng;
	uint8_t *bits;
	int64_t *ints;
	uint8_t *int_set;
	struct txa *txa;
	uint32_t n_txa, cap_txa;
	uint64_t req_next;         /* first HTTP tx id whose request side is not inspected */
	uint32_t raw_end[2];       /* stream: sequence number after the last inspected byte */
	bool raw_valid[2];
	/* TCP: when Suricata (IDS mode) would know the app protocol. Its app layer sees a
	 * direction's bytes when the other side acknowledges them, after the handshake, so
	 * the protocol detected on data of direction app_dir becomes visible with the first
	 * established packet of the other direction (app_visible). */
	bool app_seen, app_visible;
	uint8_t app_dir;
};

struct vg_sig_engine {
	struct sig *sigs;
	size_t n;
	struct group grp[CTX__N][2];
	hs_scratch_t *scratch;
	char **bit_names, **int_names, **xbit_names;
	size_t n_bits, n_ints, n_xbits;
	bool has_stream;
	int slot;
	bool attached;
	struct vg_event_sink sink;
	struct vg_sig_mctx mc;
	struct vg_sig_bufset bufs;
	struct vg_sig_bufset bufs_req; /* the request side while a response is inspected ("=>") */
	uint32_t *mark;
	uint32_t gen;
	uint32_t *cand;
	uint32_t n_cand;
	/* Address sets interned across rules (most rules share HOME_NET / EXTERNAL_NET):
	 * membership of the inspection's src/dst is computed once per set and inspection. */
	const struct vg_rule_addrs **sets;
	uint32_t n_sets;
	uint32_t *memo_gen[2];
	uint8_t *memo_val[2];
	uint32_t agen;
	uint32_t *pkt_alerted;     /* sigs alerted for the current packet */
	uint32_t n_pkt_alerted, cap_pkt_alerted;
	struct kvtab thr, xbt;
	struct vg_hash_key hkey;
	struct vg_sig_stats st;
};

/* One inspection. */
struct ictx {
	int ctx, dir;
	const struct vg_packet *pkt;   /* the packet causing it; NULL for app events */
	struct vg_flow *flow;
	struct sflow *fs;
	struct vg_addr src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	int64_t ts_us;
	bool per_tx;
	uint64_t tx_id;
	struct vg_stream *stream;
	bool stream_tracked;           /* packet ctx: the stream takes this direction's data */
	const uint8_t *data;           /* stream ctx: the window inspected, old part first */
	size_t len, old_len;
	const struct vg_http_tx *tx;
	const struct vg_dns_msg *dns;
	const struct vg_tls_info *tls;
	json_t *extra;                 /* app-layer object for alerts (built lazily) */
	bool passed;                   /* a pass rule matched: stop */
	bool app_visible;              /* TCP: the flow's app protocol is known to packet rules */
	bool iponly_due;               /* first packet of the flow in this direction */
};

/* ---------------------------------------------------------------------------------- */
/* Names (flowbits, flowints, xbits) → ids                                               */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int names_add(char ***arr, size_t *n, size_t *cap, char *name)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		char **na = realloc(*arr, nc * sizeof(*na));
		if (!na)
			return VG_ENOMEM;
		*arr = na;
		*cap = nc;
	}
	(*arr)[(*n)++] = name;
	return 0;
}

static void names_finish(char **arr, size_t *n)
{
	if (*n == 0)
		return;
	qsort(arr, *n, sizeof(*arr), cmp_str);
	size_t w = 1;
	for (size_t i = 1; i < *n; i++)
		if (strcmp(arr[i], arr[w - 1]) != 0)
			arr[w++] = arr[i];
	*n = w;
}

static uint32_t name_id(char **arr, size_t n, const char *name)
{
	char *const *p = bsearch(&name, arr, n, sizeof(*arr), cmp_str);
	return p ? (uint32_t)(p - arr) : UINT32_MAX;
}

/* ---------------------------------------------------------------------------------- */
/* Build                                                                                 */

static bool item_is_check_fb(enum vg_rule_flowbit_cmd c)
{
	return c == VG_RULE_FB_ISSET || c == VG_RULE_FB_ISNOTSET;
}

static bool flowint_is_check(enum vg_rule_flowint_op op)
{
	return op >= VG_RULE_FI_EQ;
}

/* Contexts and directions of a rule. */
static void classify(struct sig *s)
{
	const struct vg_rule *r = s->r;
	uint64_t b = s->bufs & ~BUFBIT(VG_RULE_BUF_BASE64_DATA);
	for (size_t i = 0; i < r->n_matches; i++)
		if (r->matches[i].kind == VG_RULE_M_TLS_VERSION || r->matches[i].kind == VG_RULE_M_TLS_VALIDITY)
			s->has_tls_version = true;
	s->payload = (b & PAYLOAD_BUFS) != 0;
	if (r->dir == VG_RULE_DIR_TX) {
		/* transactional: both sides of the transaction, once its response is in (as
		 * Suricata inspects such a rule in the to-client direction only) */
		s->ctx = 1u << CTX_HTTP_RESP;
		s->dirs = 2;
		return;
	}
	unsigned fl = r->flow;
	unsigned dirs = 3;
	if (fl & VG_RULE_FLOW_TO_SERVER)
		dirs = 1;
	else if (fl & VG_RULE_FLOW_TO_CLIENT)
		dirs = 2;

	if (b & HTTP_BUFS) {
		bool req = (b & HTTP_REQ_BUFS) != 0 || r->urilen.op;
		bool resp = (b & HTTP_RESP_BUFS) != 0;
		if (req && resp) {
			s->ctx = 1u << CTX_HTTP_RESP; /* needs both: when the response is in */
			dirs = 2;
		} else if (resp) {
			s->ctx = 1u << CTX_HTTP_RESP;
			dirs = 2;
		} else if (req) {
			s->ctx = 1u << CTX_HTTP_REQ;
			dirs = 1;
		} else {
			/* buffers that exist on both sides: the rule's direction decides */
			s->ctx = 0;
			if (dirs & 1)
				s->ctx |= 1u << CTX_HTTP_REQ;
			if (dirs & 2)
				s->ctx |= 1u << CTX_HTTP_RESP;
		}
		s->dirs = s->ctx & (1u << CTX_HTTP_REQ) ? 1u : 0u;
		s->dirs |= s->ctx & (1u << CTX_HTTP_RESP) ? 2u : 0u;
		return;
	}
	s->dirs = dirs;
	if (b & DNS_BUFS) {
		s->ctx = 1u << CTX_DNS;
		return;
	}
	if ((b & TLS_BUFS) || s->has_tls_version) {
		s->ctx = 1u << CTX_TLS;
		return;
	}
	if (!s->payload) {
		s->ctx = 1u << CTX_PKT;
		return;
	}
	bool pkt = true, stream = false;
	switch (r->proto) {
	case VG_RULE_PROTO_TCP_PKT:
		break;
	case VG_RULE_PROTO_TCP_STREAM:
		pkt = false;
		stream = true;
		break;
	case VG_RULE_PROTO_TCP:
	case VG_RULE_PROTO_HTTP:
	case VG_RULE_PROTO_TLS:
	case VG_RULE_PROTO_SSH:
	case VG_RULE_PROTO_DNS:
		stream = true;
		break;
	default:
		break;
	}
	if (fl & VG_RULE_FLOW_ONLY_STREAM)
		pkt = false, stream = true;
	if (fl & VG_RULE_FLOW_NO_STREAM)
		stream = false, pkt = true;
	if (r->dsize.op)
		stream = false, pkt = true; /* dsize is about packets (Suricata skips the stream) */
	s->ctx = (pkt ? 1u << CTX_PKT : 0u) | (stream ? 1u << CTX_STREAM : 0u);
}

/* Buffers whose database a context scans. */
static uint64_t ctx_bufs(int ctx)
{
	switch (ctx) {
	case CTX_PKT:
	case CTX_STREAM:
		return BUFBIT(VG_RULE_BUF_PAYLOAD);
	case CTX_HTTP_REQ:
		return HTTP_REQ_BUFS | HTTP_EITHER_BUFS;
	case CTX_HTTP_RESP:
		return HTTP_BUFS;
	case CTX_DNS:
		return DNS_BUFS;
	case CTX_TLS:
		return TLS_BUFS & ~BUFBIT(VG_RULE_BUF_TLS_VERSION);
	default:
		return 0;
	}
}

/* Fast pattern of s for ctx: item index or -1. fast_pattern when given and usable, else
 * the longest non-negated content of a scanned, untransformed buffer. */
static int pick_fp(const struct sig *s, int ctx)
{
	const struct vg_rule *r = s->r;
	uint64_t ok = ctx_bufs(ctx);
	int best = -1;
	size_t best_len = 0;
	for (size_t i = 0; i < r->n_matches; i++) {
		const struct vg_rule_match *m = &r->matches[i];
		if (m->kind != VG_RULE_M_CONTENT || (m->u.content.flags & VG_RULE_CONTENT_NEGATED) ||
		    m->xform || !(ok & BUFBIT(m->buf)) || m->u.content.len == 0 ||
		    m->u.content.len > VG_SIG_MAX_HS_PATTERN)
			continue;
		/* a "=>" rule's request-side item of a buffer of both sides: the response
		 * inspection scans the response's one, so it can't be the prefilter */
		if (m->txdir == VG_RULE_TXDIR_TOSERVER && (HTTP_EITHER_BUFS & BUFBIT(m->buf)))
			continue;
		if (m->u.content.flags & VG_RULE_CONTENT_FAST_PATTERN)
			return (int)i;
		if (m->u.content.len > best_len) {
			best = (int)i;
			best_len = m->u.content.len;
		}
	}
	return best;
}

static int cmp_cand(const void *a, const void *b, void *arg);

static inline int acmp(const struct vg_addr *a, const struct vg_addr *b);

/* A range wider than a /8 (IPv4) or a /48 (IPv6) makes a side unfit for the index. */
static bool range_wide(const struct vg_rule_addr_range *r)
{
	if (r->lo.family != r->hi.family)
		return true;
	if (r->lo.family == VG_AF_INET) {
		uint32_t l = (uint32_t)r->lo.b[0] << 24 | (uint32_t)r->lo.b[1] << 16 | (uint32_t)r->lo.b[2] << 8 | r->lo.b[3];
		uint32_t h = (uint32_t)r->hi.b[0] << 24 | (uint32_t)r->hi.b[1] << 16 | (uint32_t)r->hi.b[2] << 8 | r->hi.b[3];
		return h - l > (1u << 24);
	}
	return memcmp(r->lo.b, r->hi.b, 6) != 0;
}

static bool side_narrow(const struct vg_rule_addrs *a)
{
	if (a->any || a->n == 0)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (range_wide(&a->r[i]))
			return false;
	return true;
}

static int ipx_add(struct ipidx *x, const struct vg_rule_addrs *a, uint32_t sig)
{
	for (size_t i = 0; i < a->n; i++) {
		if (x->n == x->cap) {
			uint32_t nc = x->cap ? x->cap * 2 : 64;
			struct ipent *ne = realloc(x->e, nc * sizeof(*ne));
			if (!ne)
				return VG_ENOMEM;
			x->e = ne;
			x->cap = nc;
		}
		x->e[x->n++] = (struct ipent){ a->r[i].lo, a->r[i].hi, sig };
	}
	return 0;
}

static int cmp_ipent(const void *a, const void *b)
{
	return acmp(&((const struct ipent *)a)->lo, &((const struct ipent *)b)->lo);
}

static int ipx_finish(struct ipidx *x)
{
	if (x->n == 0)
		return 0;
	qsort(x->e, x->n, sizeof(*x->e), cmp_ipent);
	x->maxhi = malloc(x->n * sizeof(*x->maxhi));
	if (!x->maxhi)
		return VG_ENOMEM;
	for (uint32_t i = 0; i < x->n; i++)
		x->maxhi[i] = i && acmp(&x->maxhi[i - 1], &x->e[i].hi) > 0 ? x->maxhi[i - 1] : x->e[i].hi;
	return 0;
}

struct pat {
	enum vg_rule_buf buf;
	const char *p;
	size_t len;
	unsigned flags;
	uint32_t sig;
};

static int cmp_pat(const void *a, const void *b)
{
	const struct pat *x = a, *y = b;
	return x->buf < y->buf ? -1 : x->buf > y->buf;
}

static int build_group(struct vg_sig_engine *e, struct group *g, int ctx, int dir)
{
	struct pat *pats = calloc(e->n ? e->n : 1, sizeof(*pats));
	uint32_t n_pats = 0;
	g->always = calloc(e->n ? e->n : 1, sizeof(*g->always));
	g->iponly = calloc(e->n ? e->n : 1, sizeof(*g->iponly));
	if (!pats || !g->always || !g->iponly) {
		free(pats);
		return VG_ENOMEM;
	}
	for (size_t i = 0; i < e->n; i++) {
		const struct sig *s = &e->sigs[i];
		if (!s->ok || !(s->ctx & (1u << ctx)) || !(s->dirs & (1u << dir)))
			continue;
		g->n_rules++;
		if (s->iponly && ctx == CTX_PKT) {
			int side = side_narrow(&s->r->src) ? 0 : side_narrow(&s->r->dst) ? 1 : -1;
			if (side < 0)
				g->iponly[g->n_iponly++] = (uint32_t)i;
			else if (ipx_add(&g->ipx[side], side ? &s->r->dst : &s->r->src, (uint32_t)i) != 0)
				return VG_ENOMEM;
			continue;
		}
		int fp = pick_fp(s, ctx);
		if (fp < 0) {
			g->always[g->n_always++] = (uint32_t)i;
			continue;
		}
		const struct vg_rule_content *c = &s->r->matches[fp].u.content;
		struct pat *p = &pats[n_pats++];
		p->buf = s->r->matches[fp].buf;
		p->p = (const char *)c->bytes;
		p->len = c->len;
		if ((c->flags & VG_RULE_CONTENT_FP_CHOP) && c->fp_len > 0 &&
		    (size_t)c->fp_offset + c->fp_len <= c->len) {
			p->p += c->fp_offset;
			p->len = c->fp_len;
		}
		p->flags = HS_FLAG_SINGLEMATCH | ((c->flags & VG_RULE_CONTENT_NOCASE) ? HS_FLAG_CASELESS : 0u);
		p->sig = (uint32_t)i;
	}
	qsort(pats, n_pats, sizeof(*pats), cmp_pat);
	int rc = 0;
	for (uint32_t a = 0; a < n_pats;) {
		uint32_t z = a;
		while (z < n_pats && pats[z].buf == pats[a].buf)
			z++;
		uint32_t n = z - a;
		const char **exprs = calloc(n, sizeof(*exprs));
		unsigned *flags = calloc(n, sizeof(*flags)), *ids = calloc(n, sizeof(*ids));
		size_t *lens = calloc(n, sizeof(*lens));
		uint32_t *map = calloc(n, sizeof(*map));
		struct hs_list *nd = realloc(g->dbs, (g->n_dbs + 1) * sizeof(*nd));
		if (nd)
			g->dbs = nd;
		if (!exprs || !flags || !ids || !lens || !map || !nd) {
			free(exprs), free(flags), free(ids), free(lens), free(map);
			rc = VG_ENOMEM;
			break;
		}
		for (uint32_t k = 0; k < n; k++) {
			exprs[k] = pats[a + k].p;
			lens[k] = pats[a + k].len;
			flags[k] = pats[a + k].flags;
			ids[k] = k;
			map[k] = pats[a + k].sig;
		}
		hs_database_t *db = NULL;
		hs_compile_error_t *cerr = NULL;
		if (hs_compile_lit_multi(exprs, flags, ids, lens, n, HS_MODE_BLOCK, NULL, &db, &cerr) != HS_SUCCESS) {
			vg_log(VG_LOG_WARN, "signatures: hyperscan refused %u patterns of a group (%s); "
			       "their rules are evaluated on every inspection", n,
			       cerr && cerr->message ? cerr->message : "?");
			hs_free_compile_error(cerr);
			e->st.hs_failed++;
			for (uint32_t k = 0; k < n; k++)
				g->always[g->n_always++] = map[k];
			free(map);
		} else {
			struct hs_list *l = &g->dbs[g->n_dbs++];
			l->buf = pats[a].buf;
			l->db = db;
			l->ids = map;
			l->n = n;
			e->st.hs_databases++;
			e->st.hs_patterns += n;
			if (hs_alloc_scratch(db, &e->scratch) != HS_SUCCESS)
				rc = VG_ENOMEM;
		}
		free(exprs), free(flags), free(ids), free(lens);
		a = z;
		if (rc)
			break;
	}
	/* always lists in evaluation order once, so that an inspection only sorts the few
	 * Hyperscan candidates and merges */
	qsort_r(g->always, g->n_always, sizeof(*g->always), cmp_cand, e);
	qsort_r(g->iponly, g->n_iponly, sizeof(*g->iponly), cmp_cand, e);
	for (int k = 0; k < 2 && rc == 0; k++)
		rc = ipx_finish(&g->ipx[k]);
	e->st.always_rules += g->n_always + g->n_iponly;
	if (g->n_rules)
		e->st.groups++;
	free(pats);
	return rc;
}

static char *join_metadata(const struct vg_rule *r)
{
	if (r->n_metadata == 0)
		return NULL;
	struct vg_buf b;
	vg_buf_init(&b, 8192);
	for (size_t i = 0; i < r->n_metadata; i++) {
		if (i)
			vg_buf_append(&b, ",", 1);
		/* commas inside an entry would split it: none in Suricata metadata */
		vg_buf_appendc(&b, r->metadata[i]);
	}
	char *s = vg_buf_steal(&b);
	vg_buf_free(&b);
	return s;
}

static int build_sig(struct vg_sig_engine *e, struct sig *s, uint32_t idx)
{
	const struct vg_rule *r = s->r;
	char reason[160];
	int rc = vg_sig_prog_build(r, &s->prog, reason, sizeof(reason));
	if (rc) {
		vg_log(VG_LOG_WARN, "signatures: %s:%u: sid %u: not loaded into the engine: %s",
		       r->file ? r->file : "-", r->line, r->sid, rc == VG_ENOMEM ? "out of memory" : reason);
		e->st.rules_failed++;
		return rc == VG_ENOMEM ? rc : 0;
	}
	s->bufs = s->prog.bufs;
	classify(s);
	if (s->ctx & (1u << CTX_STREAM))
		e->has_stream = true;
	if (r->n_flowbits) {
		s->fb = calloc(r->n_flowbits, sizeof(*s->fb));
		if (!s->fb)
			return VG_ENOMEM;
		for (size_t i = 0; i < r->n_flowbits; i++) {
			const struct vg_rule_flowbit *f = &r->flowbits[i];
			s->fb[i] = calloc(f->n_names ? f->n_names : 1, sizeof(**s->fb));
			if (!s->fb[i])
				return VG_ENOMEM;
			for (size_t k = 0; k < f->n_names; k++)
				s->fb[i][k] = name_id(e->bit_names, e->n_bits, f->names[k]);
			if (item_is_check_fb(f->cmd))
				s->checks = true;
		}
	}
	if (r->n_flowints) {
		s->fi = calloc(r->n_flowints, sizeof(*s->fi));
		s->fi_var = calloc(r->n_flowints, sizeof(*s->fi_var));
		if (!s->fi || !s->fi_var)
			return VG_ENOMEM;
		for (size_t i = 0; i < r->n_flowints; i++) {
			const struct vg_rule_flowint *f = &r->flowints[i];
			s->fi[i] = name_id(e->int_names, e->n_ints, f->name);
			s->fi_var[i] = f->value_var ? name_id(e->int_names, e->n_ints, f->value_var) : UINT32_MAX;
			if (flowint_is_check(f->op))
				s->checks = true;
		}
	}
	if (r->n_xbits) {
		s->xb = calloc(r->n_xbits, sizeof(*s->xb));
		if (!s->xb)
			return VG_ENOMEM;
		for (size_t i = 0; i < r->n_xbits; i++) {
			s->xb[i] = name_id(e->xbit_names, e->n_xbits, r->xbits[i].name);
			if (item_is_check_fb(r->xbits[i].cmd))
				s->checks = true;
		}
	}
	/* IP-only as Suricata: addresses (any ports), a transport protocol at most, and
	 * flowbits actions (no tests) — e.g. ET's Tor, DROP, CIArmy lists */
	s->iponly = r->n_matches == 0 && r->sport.any && r->dport.any && !r->flow &&
		    !r->tcp_flags.mod && !r->dsize.op && !r->ttl.op && !r->itype.op && !r->icode.op &&
		    !r->ip_proto.op && !r->urilen.op && !r->stream_size.op && !r->app_proto &&
		    !s->checks && !r->n_flowints && !r->n_xbits &&
		    (r->proto == VG_RULE_PROTO_IP || r->proto == VG_RULE_PROTO_TCP ||
		     r->proto == VG_RULE_PROTO_UDP || r->proto == VG_RULE_PROTO_ICMP);
	s->tags = join_metadata(r);
	/* order: pass rules first (they stop inspection), then rules that do not test
	 * bits, then those that do; rule order within */
	uint64_t cls = r->action == VG_RULE_ACTION_PASS ? 0 : s->checks ? 2 : 1;
	s->order = (cls << 40) | idx;
	s->ok = true;
	return 0;
}

static int collect_names(struct vg_sig_engine *e, const struct vg_rule *const *rules, size_t n)
{
	size_t cb = 0, ci = 0, cx = 0;
	for (size_t i = 0; i < n; i++) {
		const struct vg_rule *r = rules[i];
		for (size_t k = 0; k < r->n_flowbits; k++)
			for (size_t j = 0; j < r->flowbits[k].n_names; j++)
				if (names_add(&e->bit_names, &e->n_bits, &cb, r->flowbits[k].names[j]))
					return VG_ENOMEM;
		for (size_t k = 0; k < r->n_flowints; k++) {
			if (names_add(&e->int_names, &e->n_ints, &ci, r->flowints[k].name))
				return VG_ENOMEM;
			if (r->flowints[k].value_var &&
			    names_add(&e->int_names, &e->n_ints, &ci, r->flowints[k].value_var))
				return VG_ENOMEM;
		}
		for (size_t k = 0; k < r->n_xbits; k++)
			if (names_add(&e->xbit_names, &e->n_xbits, &cx, r->xbits[k].name))
				return VG_ENOMEM;
	}
	names_finish(e->bit_names, &e->n_bits);
	names_finish(e->int_names, &e->n_ints);
	names_finish(e->xbit_names, &e->n_xbits);
	return 0;
}

static bool addrs_same(const struct vg_rule_addrs *a, const struct vg_rule_addrs *b)
{
	return a->any == b->any && a->n == b->n &&
	       (a->n == 0 || memcmp(a->r, b->r, a->n * sizeof(*a->r)) == 0);
}

static uint64_t addrs_hash(const struct vg_sig_engine *e, const struct vg_rule_addrs *a)
{
	uint64_t h = vg_siphash(&e->hkey, &a->n, sizeof(a->n)) ^ (a->any ? 0x9e3779b97f4a7c15ull : 0);
	if (a->n)
		h ^= vg_siphash(&e->hkey, a->r, a->n * sizeof(*a->r));
	return h;
}

/* Give every rule's source and destination set an id shared by equal sets. */
static int intern_sets(struct vg_sig_engine *e)
{
	size_t cap = 16;
	while (cap < 4 * e->n + 16)
		cap <<= 1;
	uint32_t *tab = malloc(cap * sizeof(*tab));
	e->sets = calloc(2 * e->n + 1, sizeof(*e->sets));
	if (!tab || !e->sets) {
		free(tab);
		return VG_ENOMEM;
	}
	memset(tab, 0xff, cap * sizeof(*tab));
	for (size_t i = 0; i < e->n; i++) {
		struct sig *s = &e->sigs[i];
		for (int w = 0; w < 2; w++) {
			const struct vg_rule_addrs *a = w ? &s->r->dst : &s->r->src;
			size_t k = addrs_hash(e, a) & (cap - 1);
			while (tab[k] != UINT32_MAX && !addrs_same(e->sets[tab[k]], a))
				k = (k + 1) & (cap - 1);
			if (tab[k] == UINT32_MAX) {
				tab[k] = e->n_sets;
				e->sets[e->n_sets++] = a;
			}
			if (w)
				s->set_dst = tab[k];
			else
				s->set_src = tab[k];
		}
	}
	free(tab);
	e->st.address_sets = e->n_sets;
	for (int w = 0; w < 2; w++) {
		e->memo_gen[w] = calloc(e->n_sets + 1, sizeof(*e->memo_gen[w]));
		e->memo_val[w] = calloc(e->n_sets + 1, sizeof(*e->memo_val[w]));
		if (!e->memo_gen[w] || !e->memo_val[w])
			return VG_ENOMEM;
	}
	return 0;
}

int vg_sig_engine_new_rules(const struct vg_rule *const *rules, size_t n, struct vg_sig_engine **out)
{
	*out = NULL;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct vg_sig_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return VG_ENOMEM;
	e->slot = -1;
	vg_sig_bufset_init(&e->bufs);
	vg_sig_bufset_init(&e->bufs_req);
	int rc = vg_sig_mctx_init(&e->mc);
	if (rc)
		goto fail;
	e->mc.bufs = &e->bufs;
	rc = vg_hash_key_random(&e->hkey);
	if (rc)
		goto fail;
	rc = VG_ENOMEM;
	e->n = n;
	e->sigs = calloc(n ? n : 1, sizeof(*e->sigs));
	e->mark = calloc(n ? n : 1, sizeof(*e->mark));
	e->cand = calloc(n ? n : 1, sizeof(*e->cand));
	if (!e->sigs || !e->mark || !e->cand)
		goto fail;
	if ((rc = collect_names(e, rules, n)) != 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		e->sigs[i].r = rules[i];
		if ((rc = build_sig(e, &e->sigs[i], (uint32_t)i)) != 0)
			goto fail;
	}
	e->st.rules = n - e->st.rules_failed;
	if ((rc = intern_sets(e)) != 0)
		goto fail;
	for (int c = 0; c < CTX__N; c++)
		for (int d = 0; d < 2; d++)
			if ((rc = build_group(e, &e->grp[c][d], c, d)) != 0)
				goto fail;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	e->st.build_us = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
	*out = e;
	return 0;
fail:
	vg_sig_engine_free(e);
	return rc;
}

int vg_sig_engine_new(const struct vg_ruleset *rs, struct vg_sig_engine **out)
{
	*out = NULL;
	size_t n = rs ? vg_ruleset_count(rs) : 0;
	const struct vg_rule **rules = calloc(n ? n : 1, sizeof(*rules));
	if (!rules)
		return VG_ENOMEM;
	for (size_t i = 0; i < n; i++)
		rules[i] = vg_ruleset_get(rs, i);
	int rc = vg_sig_engine_new_rules(rules, n, out);
	free(rules);
	return rc;
}

void vg_sig_engine_free(struct vg_sig_engine *e)
{
	if (!e)
		return;
	for (int c = 0; c < CTX__N; c++) {
		for (int d = 0; d < 2; d++) {
			struct group *g = &e->grp[c][d];
			for (uint32_t k = 0; k < g->n_dbs; k++) {
				hs_free_database(g->dbs[k].db);
				free(g->dbs[k].ids);
			}
			free(g->dbs);
			free(g->always);
			free(g->iponly);
			for (int k = 0; k < 2; k++) {
				free(g->ipx[k].e);
				free(g->ipx[k].maxhi);
			}
		}
	}
	for (size_t i = 0; e->sigs && i < e->n; i++) {
		struct sig *s = &e->sigs[i];
		vg_sig_prog_free(&s->prog);
		if (s->fb)
			for (size_t k = 0; k < s->r->n_flowbits; k++)
				free(s->fb[k]);
		free(s->fb);
		free(s->fi);
		free(s->fi_var);
		free(s->xb);
		free(s->tags);
	}
	hs_free_scratch(e->scratch);
	free(e->sigs);
	free(e->mark);
	free(e->cand);
	free(e->pkt_alerted);
	free(e->bit_names);
	free(e->int_names);
	free(e->xbit_names);
	free(e->thr.e);
	free(e->xbt.e);
	free(e->sets);
	for (int w = 0; w < 2; w++) {
		free(e->memo_gen[w]);
		free(e->memo_val[w]);
	}
	vg_sig_mctx_free(&e->mc);
	vg_sig_bufset_free(&e->bufs);
	vg_sig_bufset_free(&e->bufs_req);
	free(e);
}

void vg_sig_engine_set_sink(struct vg_sig_engine *e, const struct vg_event_sink *sink)
{
	if (sink)
		e->sink = *sink;
	else
		memset(&e->sink, 0, sizeof(e->sink));
}

/* ---------------------------------------------------------------------------------- */
/* Per-flow state                                                                        */

static void sflow_free(void *p)
{
	struct sflow *f = p;
	if (!f)
		return;
	free(f->txa);
	free(f);
}

int vg_sig_engine_attach(struct vg_sig_engine *e, struct vg_flow_table *t)
{
	int id = vg_flow_storage_register(t, sflow_free);
	if (id < 0)
		return id;
	e->slot = id;
	e->attached = true;
	return 0;
}

static struct sflow *sflow_of(struct vg_sig_engine *e, struct vg_flow *f)
{
	if (!f || !e->attached)
		return NULL;
	struct sflow *s = vg_flow_storage_get(f, e->slot);
	if (s)
		return s;
	size_t bits = (e->n_bits + 7) / 8;
	size_t sz = sizeof(*s) + e->n_ints * (sizeof(int64_t) + 1) + bits + 8;
	s = calloc(1, sz);
	if (!s) {
		e->st.alloc_fail++;
		return NULL;
	}
	uint8_t *p = (uint8_t *)(s + 1);
	s->ints = (int64_t *)(void *)p;
	p += e->n_ints * sizeof(int64_t);
	s->int_set = p;
	p += e->n_ints;
	s->bits = p;
	s->eng = e;
	if (vg_flow_storage_set(f, e->slot, s) != 0) {
		free(s);
		e->st.alloc_fail++;
		return NULL;
	}
	return s;
}

static bool txa_has(const struct sflow *fs, uint64_t tx, uint32_t sig)
{
	for (uint32_t i = 0; i < fs->n_txa; i++)
		if (fs->txa[i].tx == tx && fs->txa[i].sig == sig)
			return true;
	return false;
}

static void txa_add(struct vg_sig_engine *e, struct sflow *fs, uint64_t tx, uint32_t sig)
{
	if (fs->n_txa == fs->cap_txa) {
		uint32_t nc = fs->cap_txa ? fs->cap_txa * 2 : 8;
		if (nc > VG_SIG_MAX_TX_ALERTS || !(fs->txa = realloc(fs->txa, nc * sizeof(*fs->txa)))) {
			if (!fs->txa)
				fs->n_txa = fs->cap_txa = 0;
			e->st.tx_alerts_full++;
			return;
		}
		fs->cap_txa = nc;
	}
	fs->txa[fs->n_txa++] = (struct txa){ tx, sig };
}

static void txa_forget(struct sflow *fs, uint64_t tx)
{
	uint32_t w = 0;
	for (uint32_t i = 0; i < fs->n_txa; i++)
		if (fs->txa[i].tx != tx)
			fs->txa[w++] = fs->txa[i];
	fs->n_txa = w;
}

/* ---------------------------------------------------------------------------------- */
/* Capped tables                                                                         */

static int kv_init(struct kvtab *t, uint32_t max)
{
	if (t->e)
		return 0;
	uint32_t cap = 1;
	while (cap < max)
		cap <<= 1;
	t->e = calloc(cap, sizeof(*t->e));
	if (!t->e)
		return VG_ENOMEM;
	t->cap = cap;
	t->max = max;
	return 0;
}

static bool kv_live(const struct kv *k, int64_t now)
{
	return k->used && (k->exp_us == 0 || now < k->exp_us);
}

/* Find key (live entries only); with create, make it (fresh, count 0) when absent. */
static struct kv *kv_get(struct vg_sig_engine *e, struct kvtab *t, const uint8_t *key, size_t klen,
			 int64_t now, bool create, uint64_t *evicted)
{
	if (!t->e)
		return NULL;
	uint64_t h = vg_siphash(&e->hkey, key, klen);
	uint32_t mask = t->cap - 1;
	struct kv *free_slot = NULL, *oldest = NULL;
	for (uint32_t i = 0; i < PROBE && i < t->cap; i++) {
		struct kv *k = &t->e[(h + i) & mask];
		if (!k->used) {
			if (!free_slot)
				free_slot = k;
			break;
		}
		if (k->klen == klen && memcmp(k->key, key, klen) == 0) {
			if (kv_live(k, now))
				return k;
			if (!free_slot)
				free_slot = k;
			continue;
		}
		if (!kv_live(k, now)) {
			if (!free_slot)
				free_slot = k;
		} else if (!oldest || k->t0_us < oldest->t0_us) {
			oldest = k;
		}
	}
	if (!create)
		return NULL;
	struct kv *k = free_slot;
	if (!k) {
		k = oldest;
		(*evicted)++;
	}
	if (!k)
		return NULL;
	memset(k, 0, sizeof(*k));
	k->used = true;
	k->klen = (uint8_t)klen;
	memcpy(k->key, key, klen);
	k->t0_us = now;
	return k;
}

static size_t key_addr(uint8_t *p, const struct vg_addr *a)
{
	p[0] = a->family;
	memcpy(p + 1, a->b, 16);
	return 17;
}

/* ---------------------------------------------------------------------------------- */
/* Conditions                                                                            */

static bool flow_established(const struct vg_flow *f)
{
	if (!f)
		return false;
	if (f->key.proto == 6)
		return f->tcp_state >= VG_TCP_ESTABLISHED;
	return (f->flags & VG_FLOW_F_SEEN_TS) && (f->flags & VG_FLOW_F_SEEN_TC);
}

/* The app-layer protocol of what is inspected: a transaction's own (an HTTP/2 stream is
 * "http2", also after an h2c upgrade on a flow detected as HTTP/1), known even before
 * the flow records it; else the flow's. */
static const char *ictx_app_proto(const struct ictx *ic)
{
	if (ic->tx)
		return ic->tx->http2 ? "http2" : "http";
	if (ic->dns)
		return "dns";
	if (ic->tls)
		return "tls";
	return ic->flow ? ic->flow->app_proto : NULL;
}

/* "http" covers HTTP/1 and HTTP/2 as in Suricata 7 (AppProtoEquals); "http1" only HTTP/1 */
static bool is_http_proto(const char *ap)
{
	return ap && (strcmp(ap, "http") == 0 || strcmp(ap, "http2") == 0);
}

static bool proto_ok(const struct sig *s, const struct ictx *ic)
{
	const char *ap = ic->flow ? ic->flow->app_proto : NULL;
	/* a rule that only names an app protocol (no buffer, no payload) matches packets
	 * once Suricata's app layer would have processed the detecting data */
	if (ic->ctx == CTX_PKT && !s->payload && ic->proto == 6 && !ic->app_visible)
		ap = NULL;
	switch (s->r->proto) {
	case VG_RULE_PROTO_IP:
		return true;
	case VG_RULE_PROTO_TCP:
	case VG_RULE_PROTO_TCP_PKT:
	case VG_RULE_PROTO_TCP_STREAM:
		return ic->proto == 6;
	case VG_RULE_PROTO_UDP:
		return ic->proto == 17;
	case VG_RULE_PROTO_ICMP:
		return ic->proto == 1 || ic->proto == 58;
	case VG_RULE_PROTO_HTTP:
		return ic->ctx == CTX_HTTP_REQ || ic->ctx == CTX_HTTP_RESP || is_http_proto(ap);
	case VG_RULE_PROTO_DNS:
		return ic->ctx == CTX_DNS || (ap && strcmp(ap, "dns") == 0);
	case VG_RULE_PROTO_TLS:
		return ic->ctx == CTX_TLS || (ap && strcmp(ap, "tls") == 0);
	case VG_RULE_PROTO_SSH:
		return ap && strcmp(ap, "ssh") == 0;
	default:
		return false;
	}
}

/* vg_addr_cmp's order (family, then bytes), inlined: this runs for every candidate. */
static inline int acmp(const struct vg_addr *a, const struct vg_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->b, b->b, a->family == VG_AF_INET ? 4 : 16);
}

static bool amatch(const struct vg_rule_addrs *s, const struct vg_addr *a)
{
	if (s->any)
		return true;
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vg_rule_addr_range *r = &s->r[mid];
		if (acmp(a, &r->lo) < 0)
			hi = mid;
		else if (acmp(a, &r->hi) > 0)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* Is the inspection's source (which 0) or destination (1) in set id? Memoised for
 * the inspection (e->agen). */
static bool amemo(struct vg_sig_engine *e, uint32_t set, int which, const struct ictx *ic)
{
	if (e->memo_gen[which][set] == e->agen)
		return e->memo_val[which][set];
	bool v = amatch(e->sets[set], which ? &ic->dst : &ic->src);
	e->memo_gen[which][set] = e->agen;
	e->memo_val[which][set] = v;
	return v;
}

/* Ports first: they are cheap and usually decide. */
static bool addrs_ok(struct vg_sig_engine *e, const struct sig *s, const struct ictx *ic)
{
	const struct vg_rule *r = s->r;
	/* "=>": the rule's source is the transaction's client, also when the response
	 * (server → client) is being inspected */
	if (r->dir == VG_RULE_DIR_TX && ic->dir == 1)
		return vg_rule_ports_match(&r->sport, ic->dport) && vg_rule_ports_match(&r->dport, ic->sport) &&
		       amemo(e, s->set_src, 1, ic) && amemo(e, s->set_dst, 0, ic);
	if (vg_rule_ports_match(&r->sport, ic->sport) && vg_rule_ports_match(&r->dport, ic->dport) &&
	    amemo(e, s->set_src, 0, ic) && amemo(e, s->set_dst, 1, ic))
		return true;
	if (r->dir != VG_RULE_DIR_BOTH)
		return false;
	return vg_rule_ports_match(&r->sport, ic->dport) && vg_rule_ports_match(&r->dport, ic->sport) &&
	       amemo(e, s->set_src, 1, ic) && amemo(e, s->set_dst, 0, ic);
}

static bool flags_ok(const struct vg_rule_tcp_flags *t, uint8_t f)
{
	f = (uint8_t)(f & ~t->ignore);
	switch (t->mod) {
	case VG_RULE_FLAGS_EXACT: return f == t->bits;
	case VG_RULE_FLAGS_PLUS: return (f & t->bits) == t->bits;
	case VG_RULE_FLAGS_ANY: return (f & t->bits) != 0;
	case VG_RULE_FLAGS_NOT: return (f & t->bits) == 0;
	default: return true;
	}
}

static bool app_proto_one(const char *want, bool neg, const struct ictx *ic)
{
	const char *ap = ictx_app_proto(ic);
	bool eq;
	if (strcmp(want, "failed") == 0)
		eq = ic->flow && !ap && (ic->flow->flags & VG_FLOW_F_SEEN_TC); /* approximation */
	else if (strcmp(want, "http1") == 0)
		eq = ap && strcmp(ap, "http") == 0;
	else if (strcmp(want, "http") == 0)
		eq = is_http_proto(ap);
	else
		eq = ap && strcmp(ap, want) == 0;
	if (!ap && neg)
		return false; /* not known yet: Suricata waits for detection before !proto holds */
	return neg ? !eq : eq;
}

/* Every app-layer-protocol option must hold. */
static bool app_proto_ok(const struct vg_rule *r, const struct ictx *ic)
{
	if (r->n_app_protos) {
		for (size_t i = 0; i < r->n_app_protos; i++)
			if (!app_proto_one(r->app_protos[i].name, r->app_protos[i].negated, ic))
				return false;
		return true;
	}
	return !r->app_proto || app_proto_one(r->app_proto, r->flags & VG_RULE_F_APP_PROTO_NEG, ic);
}

static bool stream_size_one(enum vg_rule_stream_side side, const struct vg_rule_num *cmp,
			    const struct ictx *ic);

/* Every stream_size option must hold. */
static bool stream_size_ok(const struct vg_rule *r, const struct ictx *ic)
{
	if (r->n_stream_sizes) {
		for (size_t i = 0; i < r->n_stream_sizes; i++)
			if (!stream_size_one(r->stream_sizes[i].side, &r->stream_sizes[i].cmp, ic))
				return false;
		return true;
	}
	return !r->stream_size.op || stream_size_one(r->stream_side, &r->stream_size, ic);
}

static bool stream_size_one(enum vg_rule_stream_side side, const struct vg_rule_num *cmp,
			    const struct ictx *ic)
{
	if (!ic->stream)
		return false;
	struct vg_stream_dir_info cli, srv;
	if (vg_stream_dir_info(ic->stream, VG_STREAM_TOSERVER, &cli) != 0 ||
	    vg_stream_dir_info(ic->stream, VG_STREAM_TOCLIENT, &srv) != 0)
		return false;
	uint64_t c = cli.started ? (uint32_t)(cli.next_seq - cli.isn) : 0;
	uint64_t s = srv.started ? (uint32_t)(srv.next_seq - srv.isn) : 0;
	switch (side) {
	case VG_RULE_SS_SERVER: return vg_rule_num_match(cmp, s);
	case VG_RULE_SS_CLIENT: return vg_rule_num_match(cmp, c);
	case VG_RULE_SS_BOTH: return vg_rule_num_match(cmp, s) && vg_rule_num_match(cmp, c);
	case VG_RULE_SS_EITHER: return vg_rule_num_match(cmp, s) || vg_rule_num_match(cmp, c);
	default: return false;
	}
}

static bool header_ok(struct vg_sig_engine *e, const struct sig *s, const struct ictx *ic)
{
	const struct vg_rule *r = s->r;
	if (!proto_ok(s, ic) || !addrs_ok(e, s, ic))
		return false;
	unsigned fl = r->flow;
	if ((fl & VG_RULE_FLOW_TO_SERVER) && ic->dir != 0)
		return false;
	if ((fl & VG_RULE_FLOW_TO_CLIENT) && ic->dir != 1)
		return false;
	if ((fl & VG_RULE_FLOW_ESTABLISHED) && !flow_established(ic->flow))
		return false;
	if ((fl & VG_RULE_FLOW_NOT_ESTABLISHED) && flow_established(ic->flow))
		return false;
	if ((fl & (VG_RULE_FLOW_TO_SERVER | VG_RULE_FLOW_TO_CLIENT | VG_RULE_FLOW_ESTABLISHED |
		   VG_RULE_FLOW_NOT_ESTABLISHED)) && !ic->flow)
		return false;
	const struct vg_packet *p = ic->pkt;
	if (p && ic->ctx == CTX_PKT) {
		if (r->tcp_flags.mod && (p->proto != 6 || !flags_ok(&r->tcp_flags, p->tcp_flags)))
			return false;
		if (r->dsize.op && !vg_rule_num_match(&r->dsize, p->payload_len))
			return false;
		if (r->ttl.op && !vg_rule_num_match(&r->ttl, p->ttl))
			return false;
		if ((r->itype.op || r->icode.op) && !(p->flags & VG_PKT_ICMP))
			return false;
		if (r->itype.op && !vg_rule_num_match(&r->itype, p->icmp_type))
			return false;
		if (r->icode.op && !vg_rule_num_match(&r->icode, p->icmp_code))
			return false;
		if (r->ip_proto.op && !vg_rule_num_match(&r->ip_proto, p->proto))
			return false;
		/* a tcp rule's payload goes to the stream when the stream takes it */
		if (s->payload && ic->stream_tracked && r->proto != VG_RULE_PROTO_TCP_PKT &&
		    !(r->flow & VG_RULE_FLOW_NO_STREAM) && !r->dsize.op && (s->ctx & (1u << CTX_STREAM)))
			return false;
	} else if (r->tcp_flags.mod || r->dsize.op || r->itype.op || r->icode.op) {
		/* packet keywords on a rule inspected without a packet of its own */
		if (!p)
			return false;
		if (r->tcp_flags.mod && (p->proto != 6 || !flags_ok(&r->tcp_flags, p->tcp_flags)))
			return false;
		if (r->dsize.op && !vg_rule_num_match(&r->dsize, p->payload_len))
			return false;
	}
	if (r->ttl.op && ic->ctx != CTX_PKT && p && !vg_rule_num_match(&r->ttl, p->ttl))
		return false;
	if (!app_proto_ok(r, ic) || !stream_size_ok(r, ic))
		return false;
	if (r->urilen.op) {
		if (!ic->tx || !ic->tx->uri_raw.p)
			return false;
		size_t ul = (r->flags & VG_RULE_F_URILEN_RAW) ? ic->tx->uri_raw.len : ic->tx->uri_norm.len;
		if (!vg_rule_num_match(&r->urilen, ul))
			return false;
	}
	return true;
}

static bool bit_get(const struct sflow *fs, uint32_t id)
{
	return fs && id != UINT32_MAX && (fs->bits[id / 8] >> (id % 8)) & 1u;
}

static void bit_set(struct sflow *fs, uint32_t id, int how /* 1 set, 0 unset, 2 toggle */)
{
	if (!fs || id == UINT32_MAX)
		return;
	uint8_t m = (uint8_t)(1u << (id % 8));
	if (how == 1)
		fs->bits[id / 8] |= m;
	else if (how == 0)
		fs->bits[id / 8] &= (uint8_t)~m;
	else
		fs->bits[id / 8] ^= m;
}

static size_t xbit_key(uint8_t *k, uint32_t id, const struct vg_rule_xbit *x, const struct ictx *ic)
{
	memcpy(k, &id, 4);
	k[4] = (uint8_t)x->track;
	size_t n = 5;
	switch (x->track) {
	case VG_RULE_XB_IP_SRC:
		n += key_addr(k + n, &ic->src);
		break;
	case VG_RULE_XB_IP_DST:
		n += key_addr(k + n, &ic->dst);
		break;
	default: {
		/* a host pair is the same in both directions */
		const struct vg_addr *a = &ic->src, *b = &ic->dst;
		if (vg_addr_cmp(a, b) > 0) {
			const struct vg_addr *t = a;
			a = b;
			b = t;
		}
		n += key_addr(k + n, a);
		n += key_addr(k + n, b);
		break;
	}
	}
	return n;
}

static bool xbit_isset(struct vg_sig_engine *e, const struct sig *s, size_t i, const struct ictx *ic)
{
	const struct vg_rule_xbit *x = &s->r->xbits[i];
	if (x->track == VG_RULE_XB_TX)
		return false;
	uint8_t k[KV_KEY];
	size_t n = xbit_key(k, s->xb[i], x, ic);
	return kv_get(e, &e->xbt, k, n, ic->ts_us, false, &e->st.xbits_evicted) != NULL;
}

static bool checks_ok(struct vg_sig_engine *e, const struct sig *s, const struct ictx *ic)
{
	const struct vg_rule *r = s->r;
	for (size_t i = 0; i < r->n_flowbits; i++) {
		const struct vg_rule_flowbit *f = &r->flowbits[i];
		if (!item_is_check_fb(f->cmd))
			continue;
		bool want = f->cmd == VG_RULE_FB_ISSET;
		bool any = false, all = true;
		for (size_t k = 0; k < f->n_names; k++) {
			bool hit = bit_get(ic->fs, s->fb[i][k]) == want;
			any |= hit;
			all &= hit;
		}
		if (f->any_of ? !any : !all)
			return false;
	}
	for (size_t i = 0; i < r->n_xbits; i++) {
		const struct vg_rule_xbit *x = &r->xbits[i];
		if (!item_is_check_fb(x->cmd))
			continue;
		bool set = xbit_isset(e, s, i, ic);
		if ((x->cmd == VG_RULE_FB_ISSET) != set)
			return false;
	}
	return true;
}

/* flowint, in rule order after the payload matched, as Suricata's match list runs:
 * +, -, = change the variable there and then, comparisons see the changed value; a
 * failing comparison fails the rule (changes before it stay). No flow: fails. */
static bool flowint_run(const struct sig *s, const struct ictx *ic)
{
	const struct vg_rule *r = s->r;
	for (size_t i = 0; i < r->n_flowints; i++) {
		const struct vg_rule_flowint *f = &r->flowints[i];
		uint32_t id = s->fi[i];
		if (!ic->fs || id == UINT32_MAX)
			return false;
		bool set = ic->fs->int_set[id];
		bool has_ref = true;
		int64_t ref = f->value;
		if (s->fi_var[i] != UINT32_MAX) {
			has_ref = ic->fs->int_set[s->fi_var[i]];
			ref = ic->fs->ints[s->fi_var[i]];
		}
		if (!flowint_is_check(f->op)) {
			if (!has_ref)
				continue;
			int64_t cur = set ? ic->fs->ints[id] : 0;
			cur = f->op == VG_RULE_FI_SET ? ref : f->op == VG_RULE_FI_ADD ? cur + ref : cur - ref;
			ic->fs->ints[id] = cur;
			ic->fs->int_set[id] = 1;
			continue;
		}
		if (f->op == VG_RULE_FI_ISSET || f->op == VG_RULE_FI_NOTSET) {
			if (set != (f->op == VG_RULE_FI_ISSET))
				return false;
			continue;
		}
		if (!set || !has_ref)
			return false;
		int64_t v = ic->fs->ints[id];
		bool ok;
		switch (f->op) {
		case VG_RULE_FI_EQ: ok = v == ref; break;
		case VG_RULE_FI_NE: ok = v != ref; break;
		case VG_RULE_FI_LT: ok = v < ref; break;
		case VG_RULE_FI_LE: ok = v <= ref; break;
		case VG_RULE_FI_GT: ok = v > ref; break;
		case VG_RULE_FI_GE: ok = v >= ref; break;
		default: ok = false; break;
		}
		if (!ok)
			return false;
	}
	return true;
}

static void actions(struct vg_sig_engine *e, const struct sig *s, const struct ictx *ic)
{
	const struct vg_rule *r = s->r;
	for (size_t i = 0; i < r->n_flowbits; i++) {
		const struct vg_rule_flowbit *f = &r->flowbits[i];
		int how = f->cmd == VG_RULE_FB_SET ? 1 : f->cmd == VG_RULE_FB_UNSET ? 0 :
			  f->cmd == VG_RULE_FB_TOGGLE ? 2 : -1;
		if (how < 0)
			continue;
		for (size_t k = 0; k < f->n_names; k++)
			bit_set(ic->fs, s->fb[i][k], how);
	}
	for (size_t i = 0; i < r->n_xbits; i++) {
		const struct vg_rule_xbit *x = &r->xbits[i];
		if (item_is_check_fb(x->cmd) || x->track == VG_RULE_XB_TX || s->xb[i] == UINT32_MAX)
			continue;
		if (kv_init(&e->xbt, VG_SIG_MAX_XBITS) != 0) {
			e->st.alloc_fail++;
			return;
		}
		uint8_t k[KV_KEY];
		size_t n = xbit_key(k, s->xb[i], x, ic);
		struct kv *kv = kv_get(e, &e->xbt, k, n, ic->ts_us, false, &e->st.xbits_evicted);
		bool set = kv != NULL;
		bool want = x->cmd == VG_RULE_FB_SET || (x->cmd == VG_RULE_FB_TOGGLE && !set);
		if (want) {
			if (!kv)
				kv = kv_get(e, &e->xbt, k, n, ic->ts_us, true, &e->st.xbits_evicted);
			if (kv) {
				kv->t0_us = ic->ts_us;
				kv->exp_us = x->expire ? ic->ts_us + (int64_t)x->expire * 1000000 : 0;
			}
		} else if (kv) {
			kv->exp_us = 1; /* dead */
		}
	}
}

/* Threshold / detection_filter: true when the match may alert. */
static bool thresh_ok(struct vg_sig_engine *e, const struct sig *s, const struct vg_rule_threshold *t,
		      const struct ictx *ic)
{
	if (!t->type)
		return true;
	if (kv_init(&e->thr, VG_SIG_MAX_THRESHOLDS) != 0) {
		e->st.alloc_fail++;
		return true;
	}
	uint8_t k[KV_KEY];
	size_t n = 0;
	memcpy(k, &s->r->sid, 4);
	memcpy(k + 4, &s->r->gid, 4);
	k[8] = (uint8_t)t->type;
	k[9] = (uint8_t)t->track;
	n = 10;
	if (t->track == VG_RULE_TRACK_SRC || t->track == VG_RULE_TRACK_BOTH)
		n += key_addr(k + n, &ic->src);
	if (t->track == VG_RULE_TRACK_DST || t->track == VG_RULE_TRACK_BOTH)
		n += key_addr(k + n, &ic->dst);
	int64_t win = (int64_t)t->seconds * 1000000;
	struct kv *kv = kv_get(e, &e->thr, k, n, ic->ts_us, true, &e->st.threshold_evicted);
	if (!kv)
		return true;
	if (kv->count > 0 && ic->ts_us - kv->t0_us >= win) {
		kv->t0_us = ic->ts_us;
		kv->count = 0;
	}
	if (t->unique_on) {
		/* distinct ports: one entry per (tracker, port) in the same capped table,
		 * stamped with the tracker's window start, so a port seen in an earlier
		 * window counts again; a repeated port in this window adds nothing */
		int64_t t0 = kv->t0_us;
		uint16_t port = t->unique_on == VG_RULE_UNIQUE_SRC_PORT ? ic->sport : ic->dport;
		uint8_t pk[KV_KEY];
		memcpy(pk, k, n);
		pk[n] = 'P';
		memcpy(pk + n + 1, &port, 2);
		struct kv *pv = kv_get(e, &e->thr, pk, n + 3, ic->ts_us, true, &e->st.threshold_evicted);
		bool seen = pv && pv->count && pv->t0_us == t0;
		if (pv) {
			pv->count = 1;
			pv->t0_us = t0;
			pv->exp_us = t0 + win + 1;
		}
		/* creating the port entry may have evicted the tracker: look it up again */
		kv = kv_get(e, &e->thr, k, n, ic->ts_us, true, &e->st.threshold_evicted);
		if (!kv)
			return true;
		if (kv->count == 0)
			kv->t0_us = t0;
		if (!seen && kv->count < UINT32_MAX)
			kv->count++;
	} else if (kv->count < UINT32_MAX) {
		kv->count++;
	}
	/* keep the tracker a little past its window so the next match finds it */
	kv->exp_us = kv->t0_us + win + 1;
	switch (t->type) {
	case VG_RULE_THR_LIMIT:
		return kv->count <= t->count;
	case VG_RULE_THR_THRESHOLD:
		if (kv->count >= t->count) {
			kv->count = 0;
			kv->t0_us = ic->ts_us;
			return true;
		}
		return false;
	case VG_RULE_THR_BOTH:
		return kv->count == t->count;
	case VG_RULE_THR_DETECTION_FILTER:
		return kv->count > t->count;
	default:
		return true;
	}
}

/* ---------------------------------------------------------------------------------- */
/* Alerts                                                                                */

static json_t *extra_of(struct ictx *ic)
{
	if (ic->extra)
		return ic->extra;
	if (ic->tx) {
		ic->extra = vg_http_tx_eve(ic->tx);
		/* Suricata's alerts from a transaction name it */
		if (ic->extra)
			json_object_set_new(ic->extra, "tx_id", json_integer((json_int_t)ic->tx->id));
	}
	else if (ic->dns)
		ic->extra = vg_dns_eve(ic->dns, 0, ic->tx_id);
	else if (ic->tls)
		ic->extra = vg_tls_eve(ic->tls);
	return ic->extra;
}

static void alert(struct vg_sig_engine *e, const struct sig *s, struct ictx *ic)
{
	const struct vg_rule *r = s->r;
	struct vg_event ev;
	if (ic->flow) {
		vg_flow_fill_event(ic->flow, NULL, ic->ts_us, &ev);
		memset(&ev.u, 0, sizeof(ev.u));
		ev.type = VG_EVT_ALERT;
		ev.ts_us = ic->ts_us;
		ic->flow->alerted = true;
	} else {
		vg_event_init(&ev, VG_EVT_ALERT, ic->ts_us);
	}
	if (ic->pkt) {
		ev.has_vni = ic->pkt->has_vni;
		ev.vni = ic->pkt->vni;
		ev.n_vlan = ic->pkt->n_vlan;
		ev.vlan[0] = ic->pkt->vlan[0];
		ev.vlan[1] = ic->pkt->vlan[1];
		if (ic->pkt->flags & VG_PKT_ICMP) {
			ev.has_icmp = true;
			ev.icmp_type = ic->pkt->icmp_type;
			ev.icmp_code = ic->pkt->icmp_code;
		}
	}
	ev.src = ic->src;
	ev.dst = ic->dst;
	ev.sport = ic->sport;
	ev.dport = ic->dport;
	ev.proto = ic->proto;
	ev.category = "intrusion_detection";
	ev.action = "signature";
	ev.outcome = VG_OUTCOME_UNKNOWN;
	/* a transaction's protocol is known even before the flow records it */
	ev.app_proto = ictx_app_proto(ic);
	ev.rule.detector = VG_DET_SIGNATURE;
	ev.rule.gid = r->gid ? r->gid : 1;
	ev.rule.sid = r->sid;
	ev.rule.rev = r->rev;
	ev.rule.signature = r->msg ? r->msg : "";
	ev.rule.category = r->class_desc ? r->class_desc : "";
	/* vigil only watches: drop/reject rules are reported, not enforced (IDS mode) */
	ev.rule.action = "allowed";
	ev.rule.severity = r->priority > 0 ? r->priority : 3;
	ev.rule.tags = s->tags; /* ECS tags; EVE writes the metadata map below */
	ev.rule.metadata = (const char *const *)r->metadata;
	ev.rule.n_metadata = r->n_metadata;
	ev.extra = extra_of(ic);
	e->st.alerts++;
	if (vg_event_emit(&e->sink, &ev) != 0)
		e->st.events_failed++;
}

static bool pkt_alerted(const struct vg_sig_engine *e, uint32_t si)
{
	for (uint32_t i = 0; i < e->n_pkt_alerted; i++)
		if (e->pkt_alerted[i] == si)
			return true;
	return false;
}

static void pkt_alerted_add(struct vg_sig_engine *e, uint32_t si)
{
	if (e->n_pkt_alerted == e->cap_pkt_alerted) {
		uint32_t nc = e->cap_pkt_alerted ? e->cap_pkt_alerted * 2 : 16;
		uint32_t *na = realloc(e->pkt_alerted, nc * sizeof(*na));
		if (!na) {
			e->st.alloc_fail++;
			return;
		}
		e->pkt_alerted = na;
		e->cap_pkt_alerted = nc;
	}
	e->pkt_alerted[e->n_pkt_alerted++] = si;
}

/* ---------------------------------------------------------------------------------- */
/* Inspection                                                                            */

static bool payload_match(struct vg_sig_engine *e, const struct sig *s, struct ictx *ic)
{
	if (!s->prog.n_lists)
		return true;
	e->mc.tls_version = ic->tls ? ic->tls->version : 0;
	/* (additive) tls_cert_* validity: the leaf's dates (0 when unknown), packet time */
	bool leaf = ic->tls && ic->tls->n_certs > 0 && ic->tls->certs[0].parsed;
	e->mc.tls_notbefore = leaf ? ic->tls->certs[0].not_before_s : 0;
	e->mc.tls_notafter = leaf ? ic->tls->certs[0].not_after_s : 0;
	e->mc.now_s = ic->ts_us / 1000000;
	if (ic->ctx != CTX_STREAM || ic->old_len == 0)
		return vg_sig_prog_match(&e->mc, &s->prog);
	/* stream: first the bytes new since the last inspection on their own (offsets and
	 * depths count from where they start, which is usually a PDU start), then with the
	 * kept tail in front for matches that span; a match the old bytes alone give was
	 * reported before. */
	bool hit;
	vg_sig_bufset_packet(&e->bufs, ic->data + ic->old_len, ic->len - ic->old_len, true);
	hit = vg_sig_prog_match(&e->mc, &s->prog);
	if (!hit) {
		vg_sig_bufset_packet(&e->bufs, ic->data, ic->len, true);
		hit = vg_sig_prog_match(&e->mc, &s->prog);
		if (hit) {
			vg_sig_bufset_packet(&e->bufs, ic->data, ic->old_len, true);
			hit = !vg_sig_prog_match(&e->mc, &s->prog);
		}
	}
	vg_sig_bufset_packet(&e->bufs, ic->data, ic->len, true);
	return hit;
}

static void eval_sig(struct vg_sig_engine *e, uint32_t si, struct ictx *ic)
{
	const struct sig *s = &e->sigs[si];
	if (ic->per_tx) {
		if (ic->fs && txa_has(ic->fs, ic->tx_id, si))
			return;
	} else if (pkt_alerted(e, si)) {
		return;
	}
	if (!header_ok(e, s, ic) || !checks_ok(e, s, ic))
		return;
	e->st.candidates++;
	if (!payload_match(e, s, ic) || !flowint_run(s, ic))
		return;
	e->st.matches++;
	actions(e, s, ic);
	if (s->r->action == VG_RULE_ACTION_PASS) {
		ic->passed = true;
		return;
	}
	if (!thresh_ok(e, s, &s->r->detection_filter, ic) || !thresh_ok(e, s, &s->r->threshold, ic)) {
		e->st.thresholded++;
		return;
	}
	if (s->r->flags & VG_RULE_F_NOALERT) {
		e->st.noalert++;
		return;
	}
	if (ic->per_tx) {
		if (ic->fs)
			txa_add(e, ic->fs, ic->tx_id, si);
	} else {
		pkt_alerted_add(e, si);
	}
	alert(e, s, ic);
}

struct scan_ctx {
	struct vg_sig_engine *e;
	const struct hs_list *l;
};

static int on_hs_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
		       void *ctx)
{
	(void)from, (void)to, (void)flags;
	struct scan_ctx *sc = ctx;
	struct vg_sig_engine *e = sc->e;
	if (id < sc->l->n) {
		uint32_t si = sc->l->ids[id];
		if (e->mark[si] != e->gen) {
			e->mark[si] = e->gen;
			e->cand[e->n_cand++] = si;
		}
	}
	return 0;
}

static int cmp_cand(const void *a, const void *b, void *arg)
{
	const struct vg_sig_engine *e = arg;
	uint64_t x = e->sigs[*(const uint32_t *)a].order, y = e->sigs[*(const uint32_t *)b].order;
	return x < y ? -1 : x > y;
}

static void run_group(struct vg_sig_engine *e, struct ictx *ic)
{
	const struct group *g = &e->grp[ic->ctx][ic->dir];
	if (g->n_rules == 0)
		return;
	if (++e->agen == 0) {
		for (int w = 0; w < 2; w++)
			memset(e->memo_gen[w], 0, (e->n_sets + 1) * sizeof(*e->memo_gen[w]));
		e->agen = 1;
	}
	if (++e->gen == 0) {
		memset(e->mark, 0, e->n * sizeof(*e->mark));
		e->gen = 1;
	}
	e->n_cand = 0;
	for (uint32_t i = 0; i < g->n_always; i++)
		e->mark[g->always[i]] = e->gen;
	for (uint32_t k = 0; k < g->n_dbs; k++) {
		const struct hs_list *l = &g->dbs[k];
		uint32_t n = vg_sig_buf_count(&e->bufs, (int)l->buf);
		struct scan_ctx sc = { e, l };
		for (uint32_t i = 0; i < n; i++) {
			const uint8_t *p;
			size_t len;
			if (vg_sig_buf_get(&e->bufs, (int)l->buf, i, &p, &len) != 0 || len > UINT32_MAX)
				continue;
			(void)hs_scan(l->db, (const char *)p, (unsigned)len, 0, e->scratch, on_hs_match, &sc);
		}
	}
	if (ic->iponly_due) {
		for (int k = 0; k < 2; k++) {
			const struct ipidx *x = &g->ipx[k];
			const struct vg_addr *a = k ? &ic->dst : &ic->src;
			/* last range starting at or before a, then back while one can cover a */
			uint32_t lo = 0, hi = x->n;
			while (lo < hi) {
				uint32_t mid = lo + (hi - lo) / 2;
				if (acmp(&x->e[mid].lo, a) <= 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (uint32_t j = lo; j-- > 0;) {
				if (acmp(&x->maxhi[j], a) < 0)
					break;
				uint32_t si = x->e[j].sig;
				if (acmp(&x->e[j].hi, a) >= 0 && e->mark[si] != e->gen) {
					e->mark[si] = e->gen;
					e->cand[e->n_cand++] = si;
				}
			}
		}
	}
	if (e->n_cand > 1)
		qsort_r(e->cand, e->n_cand, sizeof(*e->cand), cmp_cand, e);
	/* three sorted lists merged: Hyperscan candidates, always, IP-only (when due) */
	uint32_t a = 0, b = 0, c = 0, nc = ic->iponly_due ? g->n_iponly : 0;
	while (!ic->passed && (a < e->n_cand || b < g->n_always || c < nc)) {
		uint64_t oa = a < e->n_cand ? e->sigs[e->cand[a]].order : UINT64_MAX;
		uint64_t ob = b < g->n_always ? e->sigs[g->always[b]].order : UINT64_MAX;
		uint64_t oc = c < nc ? e->sigs[g->iponly[c]].order : UINT64_MAX;
		if (oa <= ob && oa <= oc)
			eval_sig(e, e->cand[a++], ic);
		else if (ob <= oc)
			eval_sig(e, g->always[b++], ic);
		else
			eval_sig(e, g->iponly[c++], ic);
	}
	e->st.step_limit = e->mc.step_limit_hits;
	e->st.pcre_limit = e->mc.pcre_limit_hits;
}

/* Client/server view of a flow: dir 0 = client → server. */
static void ictx_from_flow(struct ictx *ic, struct vg_flow *f, int dir)
{
	struct vg_event ev;
	vg_flow_fill_event(f, NULL, 0, &ev);
	if (dir == 0) {
		ic->src = ev.src, ic->dst = ev.dst, ic->sport = ev.sport, ic->dport = ev.dport;
	} else {
		ic->src = ev.dst, ic->dst = ev.src, ic->sport = ev.dport, ic->dport = ev.sport;
	}
	ic->proto = f->key.proto;
}

static void inspect_stream(struct vg_sig_engine *e, struct ictx *base, const uint8_t *data, size_t len,
			   size_t old_len)
{
	struct ictx ic = *base;
	ic.ctx = CTX_STREAM;
	ic.data = data;
	ic.len = len;
	ic.old_len = old_len;
	ic.extra = NULL;
	ic.passed = false;
	vg_sig_bufset_packet(&e->bufs, data, len, true);
	e->st.inspect_stream++;
	run_group(e, &ic);
	if (ic.extra)
		json_decref(ic.extra);
}

void vg_sig_packet(struct vg_sig_engine *e, const struct vg_packet *pkt, struct vg_flow *flow, int dir,
		   struct vg_stream *stream)
{
	if (!e || !pkt)
		return;
	e->n_pkt_alerted = 0;
	struct ictx ic;
	memset(&ic, 0, sizeof(ic));
	ic.ctx = CTX_PKT;
	ic.dir = flow ? (dir ? 1 : 0) : 0;
	ic.pkt = pkt;
	ic.flow = flow;
	ic.fs = sflow_of(e, flow);
	ic.src = pkt->src;
	ic.dst = pkt->dst;
	ic.sport = pkt->sport;
	ic.dport = pkt->dport;
	ic.proto = pkt->proto;
	ic.ts_us = pkt->ts_us;
	ic.stream = stream;
	ic.iponly_due = !flow || flow->pkts[ic.dir] == 1;
	ic.app_visible = true;
	if (flow && pkt->proto == 6 && ic.fs) {
		struct sflow *fs = ic.fs;
		if (!fs->app_visible) {
			if (flow->app_proto && !fs->app_seen) {
				fs->app_seen = true;
				fs->app_dir = (uint8_t)ic.dir;
			} else if (fs->app_seen && ic.dir != fs->app_dir && flow_established(flow)) {
				fs->app_visible = true;
			}
		}
		ic.app_visible = fs->app_visible;
	}
	struct vg_stream_dir_info di;
	if (stream && vg_stream_dir_info(stream, ic.dir, &di) == 0 && di.started)
		ic.stream_tracked = true;
	vg_sig_bufset_packet(&e->bufs, pkt->payload, pkt->payload_len, false);
	if (pkt->ip_version == 4 && pkt->l3 && pkt->l3_len >= 20) {
		/* ipv4.hdr: IHL words, bounded by what was captured */
		size_t hl = (size_t)(pkt->l3[0] & 0x0fu) * 4u;
		vg_sig_bufset_ip4_hdr(&e->bufs, pkt->l3, hl <= pkt->l3_len ? hl : pkt->l3_len);
	}
	e->st.inspect_packet++;
	run_group(e, &ic);

	if (!stream || !e->has_stream || !ic.fs)
		return;
	const uint8_t *data = NULL;
	size_t len = 0;
	uint32_t seq = 0;
	if (vg_stream_raw(stream, ic.dir, &data, &len, &seq) != 0 || len == 0)
		return;
	size_t old = 0;
	if (ic.fs->raw_valid[ic.dir]) {
		uint32_t d = ic.fs->raw_end[ic.dir] - seq;
		old = d <= len ? d : 0; /* a window that moved past our mark: all new */
	}
	if (old < len) {
		ic.passed = false;
		inspect_stream(e, &ic, data, len, old);
	}
	ic.fs->raw_end[ic.dir] = seq + (uint32_t)len;
	ic.fs->raw_valid[ic.dir] = true;
	if (len > VG_SIG_STREAM_TAIL)
		vg_stream_raw_release(stream, ic.dir, len - VG_SIG_STREAM_TAIL);
}

void vg_sig_stream_chunk(struct vg_sig_engine *e, struct vg_flow *flow, int dir, const uint8_t *data,
			 size_t len, int64_t ts_us)
{
	if (!e || !flow)
		return;
	struct ictx ic;
	memset(&ic, 0, sizeof(ic));
	ic.dir = dir ? 1 : 0;
	ic.flow = flow;
	ic.fs = sflow_of(e, flow);
	ic.ts_us = ts_us;
	ictx_from_flow(&ic, flow, ic.dir);
	inspect_stream(e, &ic, data, len, 0);
}

static void inspect_app(struct vg_sig_engine *e, struct ictx *ic)
{
	run_group(e, ic);
	if (ic->extra) {
		json_decref(ic->extra);
		ic->extra = NULL;
	}
}

void vg_sig_http_tx(struct vg_sig_engine *e, struct vg_flow *flow, const struct vg_http_tx *tx, unsigned what,
		    int64_t ts_us)
{
	if (!e || !flow || !tx)
		return;
	struct ictx ic;
	memset(&ic, 0, sizeof(ic));
	ic.flow = flow;
	ic.fs = sflow_of(e, flow);
	ic.ts_us = ts_us;
	ic.per_tx = true;
	ic.tx_id = tx->id;
	ic.tx = tx;
	/* the request side once per transaction: at REQUEST, or at DONE when no REQUEST
	 * came (a request cut by a gap); without flow state only at REQUEST */
	bool req_due = tx->has_request && tx->req.headers_done &&
		       (ic.fs ? tx->id >= ic.fs->req_next : what == VG_HTTP_EV_REQUEST);
	if (req_due) {
		ic.ctx = CTX_HTTP_REQ;
		ic.dir = 0;
		ictx_from_flow(&ic, flow, 0);
		vg_sig_bufset_http(&e->bufs, tx, 0);
		e->st.inspect_http++;
		inspect_app(e, &ic);
		if (ic.fs && tx->id >= ic.fs->req_next)
			ic.fs->req_next = tx->id + 1;
	}
	if (what == VG_HTTP_EV_DONE) {
		if (tx->has_response && tx->resp.headers_done) {
			ic.ctx = CTX_HTTP_RESP;
			ic.dir = 1;
			ic.passed = false;
			ictx_from_flow(&ic, flow, 1);
			vg_sig_bufset_http(&e->bufs, tx, 1);
			/* "=>" rules read the request's buffers of both sides from here */
			vg_sig_bufset_http(&e->bufs_req, tx, 0);
			e->mc.bufs_req = &e->bufs_req;
			e->st.inspect_http++;
			inspect_app(e, &ic);
			e->mc.bufs_req = NULL;
			vg_sig_bufset_reset(&e->bufs_req);
		}
		if (ic.fs)
			txa_forget(ic.fs, tx->id);
	}
}

void vg_sig_dns(struct vg_sig_engine *e, struct vg_flow *flow, int dir, const struct vg_dns_msg *m,
		int64_t ts_us)
{
	if (!e || !m)
		return;
	struct ictx ic;
	memset(&ic, 0, sizeof(ic));
	ic.ctx = CTX_DNS;
	ic.dir = dir ? 1 : 0;
	ic.flow = flow;
	ic.fs = sflow_of(e, flow);
	ic.ts_us = ts_us;
	ic.dns = m;
	if (flow)
		ictx_from_flow(&ic, flow, ic.dir);
	/* dns.query is the request's name (Suricata 7): responses carry no buffer */
	if (m->qr)
		vg_sig_bufset_reset(&e->bufs);
	else
		vg_sig_bufset_dns(&e->bufs, m);
	e->st.inspect_dns++;
	inspect_app(e, &ic);
}

void vg_sig_tls(struct vg_sig_engine *e, struct vg_flow *flow, int dir, const struct vg_tls_info *info,
		unsigned events, int64_t ts_us)
{
	(void)events;
	if (!e || !flow || !info)
		return;
	struct ictx ic;
	memset(&ic, 0, sizeof(ic));
	ic.ctx = CTX_TLS;
	ic.dir = dir ? 1 : 0;
	ic.flow = flow;
	ic.fs = sflow_of(e, flow);
	ic.ts_us = ts_us;
	ic.tls = info;
	ic.per_tx = true;          /* one TLS "transaction" per flow */
	ic.tx_id = UINT64_MAX - 1;
	ictx_from_flow(&ic, flow, ic.dir);
	vg_sig_bufset_tls(&e->bufs, info);
	e->st.inspect_tls++;
	inspect_app(e, &ic);
}

/* ---------------------------------------------------------------------------------- */
/* Stats                                                                                 */

void vg_sig_get_stats(const struct vg_sig_engine *e, struct vg_sig_stats *out)
{
	if (!e) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = e->st;
	out->step_limit = e->mc.step_limit_hits;
	out->pcre_limit = e->mc.pcre_limit_hits;
}

json_t *vg_sig_stats_json(const struct vg_sig_engine *e)
{
	struct vg_sig_stats s;
	vg_sig_get_stats(e, &s);
	json_t *o = json_object();
	if (!o)
		return NULL;
#define SET(k) json_object_set_new(o, #k, json_integer((json_int_t)(s.k > INT64_MAX ? INT64_MAX : s.k)))
	SET(rules);
	SET(rules_failed);
	SET(groups);
	SET(hs_databases);
	SET(hs_patterns);
	SET(always_rules);
	SET(address_sets);
	SET(hs_failed);
	SET(build_us);
	SET(inspect_packet);
	SET(inspect_stream);
	SET(inspect_http);
	SET(inspect_dns);
	SET(inspect_tls);
	SET(candidates);
	SET(matches);
	SET(alerts);
	SET(noalert);
	SET(thresholded);
	SET(threshold_evicted);
	SET(xbits_evicted);
	SET(tx_alerts_full);
	SET(pcre_limit);
	SET(step_limit);
	SET(alloc_fail);
	SET(events_failed);
#undef SET
	return o;
}
