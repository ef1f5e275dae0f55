/* detect-nba.c — network behavioural analysis (see detect-nba.h for the model).
 *
 * Four capped tables (hosts, services, seen talkers, beacon pairs) share one small LRU
 * hash implementation: fixed-size entries in a pool, chained buckets keyed with the
 * detector's SipHash key, a doubly linked recency list whose tail is evicted when the
 * pool is full. Entries start with a common header followed by a memcmp-able key. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/core-error.h"
#include "core/core-hash.h"
#include "detect/detect-nba.h"

/* ---- capped LRU hash ----------------------------------------------------------------- */

struct lhdr {
	uint64_t h;
	uint32_t hnext, lprev, lnext; /* index + 1; 0 ends */
	uint32_t in_use;
};

struct ltab {
	char *pool;
	size_t esz, ksz;       /* entry size; key bytes right after the header */
	uint32_t cap, n_used, n_fresh;
	uint32_t *buckets;     /* index + 1 */
	uint32_t nbuckets;     /* power of two */
	uint32_t head, tail;   /* most / least recently used, index + 1 */
	uint64_t evicted;
};

static struct lhdr *E(const struct ltab *t, uint32_t i1)
{
	return (struct lhdr *)(t->pool + (size_t)(i1 - 1) * t->esz);
}

static uint32_t I(const struct ltab *t, const struct lhdr *e)
{
	return (uint32_t)(((const char *)e - t->pool) / t->esz) + 1;
}

static int ltab_init(struct ltab *t, size_t esz, size_t ksz, uint32_t cap)
{
	memset(t, 0, sizeof(*t));
	t->esz = esz;
	t->ksz = ksz;
	t->cap = cap;
	t->nbuckets = 16;
	while (t->nbuckets < cap)
		t->nbuckets <<= 1;
	t->pool = calloc(cap, esz); /* large pools are zero pages until touched */
	t->buckets = calloc(t->nbuckets, sizeof(uint32_t));
	return t->pool && t->buckets ? 0 : VG_ENOMEM;
}

static void ltab_free(struct ltab *t)
{
	free(t->pool);
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

static void *key_of(struct lhdr *e)
{
	return (char *)e + sizeof(struct lhdr);
}

static void lru_unlink(struct ltab *t, struct lhdr *e)
{
	if (e->lprev)
		E(t, e->lprev)->lnext = e->lnext;
	else
		t->head = e->lnext;
	if (e->lnext)
		E(t, e->lnext)->lprev = e->lprev;
	else
		t->tail = e->lprev;
	e->lprev = e->lnext = 0;
}

static void lru_front(struct ltab *t, struct lhdr *e)
{
	uint32_t i = I(t, e);
	e->lprev = 0;
	e->lnext = t->head;
	if (t->head)
		E(t, t->head)->lprev = i;
	t->head = i;
	if (!t->tail)
		t->tail = i;
}

static void ltab_touch(struct ltab *t, struct lhdr *e)
{
	if (t->head == I(t, e))
		return;
	lru_unlink(t, e);
	lru_front(t, e);
}

static struct lhdr *ltab_find(const struct ltab *t, const void *key, uint64_t h)
{
	uint32_t i = t->buckets[h & (t->nbuckets - 1)];
	while (i) {
		struct lhdr *e = E(t, i);
		if (e->h == h && memcmp(key_of(e), key, t->ksz) == 0)
			return e;
		i = e->hnext;
	}
	return NULL;
}

static void hash_unlink(struct ltab *t, struct lhdr *e)
{
	uint32_t *pp = &t->buckets[e->h & (t->nbuckets - 1)], i1 = I(t, e);
	while (*pp && *pp != i1)
		pp = &E(t, *pp)->hnext;
	if (*pp)
		*pp = e->hnext;
}

/* Find or create. A created entry is zeroed apart from header and key; when the pool is
 * full the least recently used entry is evicted (counted) and reused. */
static struct lhdr *ltab_get(struct ltab *t, const void *key, uint64_t h, bool *created)
{
	*created = false;
	struct lhdr *e = ltab_find(t, key, h);
	if (e) {
		ltab_touch(t, e);
		return e;
	}
	if (t->n_fresh < t->cap) {
		e = E(t, ++t->n_fresh);
		t->n_used++;
	} else {
		if (!t->tail)
			return NULL;
		e = E(t, t->tail);
		lru_unlink(t, e);
		hash_unlink(t, e);
		t->evicted++;
	}
	memset(e, 0, t->esz);
	e->h = h;
	e->in_use = 1;
	memcpy(key_of(e), key, t->ksz);
	uint32_t *b = &t->buckets[h & (t->nbuckets - 1)];
	e->hnext = *b;
	*b = I(t, e);
	lru_front(t, e);
	*created = true;
	return e;
}

static uint64_t ltab_mem(const struct ltab *t)
{
	return (uint64_t)t->cap * t->esz + (uint64_t)t->nbuckets * sizeof(uint32_t);
}

/* ---- entries ------------------------------------------------------------------------ */

#define LC_BITS 512u
#define LC_WORDS (LC_BITS / 64)

enum { LC_PEERS_OUT, LC_PEERS_IN, LC_PORTS_OUT, LC_PORTS_IN, LC_N };

struct hkey {
	uint64_t tenant_h;
	uint8_t family;
	uint8_t b[16];
	uint8_t pad[7];
};

struct host {
	struct lhdr hdr;
	struct hkey key;
	const char *tenant;
	int64_t cur_iv;           /* interval the counters below belong to */
	uint32_t n_iv;            /* intervals folded into the baseline */
	uint8_t over;             /* bit per metric: above threshold in the last interval */
	uint64_t conns[2], bytes[2]; /* [0] out, [1] in */
	uint64_t lc[LC_N][LC_WORDS];
	double mean[VG_NBA_NMETRICS], var[VG_NBA_NMETRICS];
};

struct skey { /* internal service */
	uint64_t tenant_h;
	uint8_t family;
	uint8_t b[16];
	uint8_t proto;
	uint16_t port;
	uint8_t pad[4];
};

struct service {
	struct lhdr hdr;
	struct skey key;
	int64_t first_iv;
	uint32_t n_peers;
};

struct tkey {
	struct skey svc;
	uint8_t net[16];          /* peer network, host bits cleared */
};

struct talker {
	struct lhdr hdr;
	struct tkey key;
};

struct pkey {
	uint64_t tenant_h;
	uint8_t family;
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t proto;
	uint16_t port;
	uint8_t pad[4];
};

struct pair {
	struct lhdr hdr;
	struct pkey key;
	int64_t last_us;
	uint32_t n;               /* intervals recorded (ring fill grows to history) */
	uint32_t pos;
	bool alerted;
	uint32_t gap_ms[VG_NBA_MAX_HISTORY];
};

struct vg_nba {
	struct vg_nba_config cfg;
	const struct vg_event_sink *sink;
	struct vg_hash_key key;
	struct ltab hosts, services, talkers, pairs;
	int64_t tick_iv;          /* last interval index seen by tick; INT64_MIN before */
	int64_t talker_iv;
	uint32_t talker_alerts;   /* in talker_iv */
	struct vg_nba_stats st;
};

static const char *const metric_names[VG_NBA_NMETRICS] = {
	"connections_out", "connections_in", "bytes_out", "bytes_in",
	"peers_out", "peers_in", "ports_out", "ports_in",
};

static const char *const metric_sigs[VG_NBA_NMETRICS] = {
	"VIGIL NBA host outbound connections above baseline",
	"VIGIL NBA host inbound connections above baseline",
	"VIGIL NBA host outbound bytes above baseline",
	"VIGIL NBA host inbound bytes above baseline",
	"VIGIL NBA host outbound distinct peers above baseline",
	"VIGIL NBA host inbound distinct peers above baseline",
	"VIGIL NBA host outbound distinct ports above baseline",
	"VIGIL NBA host inbound distinct ports above baseline",
};

const char *vg_nba_metric_name(enum vg_nba_metric m)
{
	return (unsigned)m < VG_NBA_NMETRICS ? metric_names[m] : NULL;
}

/* ---- config ------------------------------------------------------------------------- */

void vg_nba_config_default(struct vg_nba_config *c)
{
	memset(c, 0, sizeof(*c));
	c->interval_us = 60 * 1000000ll;
	c->alpha = 0.1;
	c->deviations = 4;
	c->min_stddev_ratio = 0.25; /* with 4 deviations: at least twice the baseline */
	c->warmup = 10;
	c->min_conns = 50;
	c->min_bytes = 10ull << 20;
	c->min_peers = 20;
	c->min_ports = 20;
	c->max_hosts = 65536;
	c->talker_enabled = true;
	c->talker_prefix4 = 24;
	c->talker_prefix6 = 48;
	c->talker_max_peers = 100;
	c->talker_max_alerts = 100;
	c->max_services = 65536;
	c->max_talkers = 262144;
	c->beacon_enabled = true;
	c->beacon_min_conns = 8;
	c->beacon_history = 16;
	c->beacon_max_cv = 0.2;
	c->beacon_min_period_us = 10 * 1000000ll;
	c->beacon_max_period_us = 86400 * 1000000ll;
	c->beacon_burst_us = 1000000ll;
	c->max_pairs = 65536;
}

#define DAY_US (86400 * 1000000ll)
#define MAX_GAP_US (49ll * DAY_US) /* gaps are kept in uint32 milliseconds */

static void clamp_cfg(struct vg_nba_config *c)
{
	if (c->interval_us < 1000000ll)
		c->interval_us = 1000000ll;
	if (c->interval_us > DAY_US)
		c->interval_us = DAY_US;
	if (!(c->alpha >= 0.001))
		c->alpha = 0.001;
	if (c->alpha > 1)
		c->alpha = 1;
	if (!(c->deviations >= 0.5))
		c->deviations = 0.5;
	if (c->deviations > 100)
		c->deviations = 100;
	if (!(c->min_stddev_ratio >= 0))
		c->min_stddev_ratio = 0;
	if (c->min_stddev_ratio > 10)
		c->min_stddev_ratio = 10;
	c->warmup = (uint32_t)vg_clamp_u64(c->warmup, 1, 10000);
	c->max_hosts = (uint32_t)vg_clamp_u64(c->max_hosts, 16, VG_NBA_MAX_HOSTS);
	c->talker_prefix4 = (uint8_t)vg_clamp_u64(c->talker_prefix4, 8, 32);
	c->talker_prefix6 = (uint8_t)vg_clamp_u64(c->talker_prefix6, 16, 128);
	c->max_services = (uint32_t)vg_clamp_u64(c->max_services, 16, VG_NBA_MAX_SERVICES);
	c->max_talkers = (uint32_t)vg_clamp_u64(c->max_talkers, 16, VG_NBA_MAX_TALKERS);
	c->beacon_history = (uint32_t)vg_clamp_u64(c->beacon_history, 2, VG_NBA_MAX_HISTORY);
	c->beacon_min_conns = (uint32_t)vg_clamp_u64(c->beacon_min_conns, 3, c->beacon_history + 1);
	if (!(c->beacon_max_cv >= 0))
		c->beacon_max_cv = 0;
	if (c->beacon_max_cv > 1)
		c->beacon_max_cv = 1;
	if (c->beacon_max_period_us > MAX_GAP_US)
		c->beacon_max_period_us = MAX_GAP_US;
	if (c->beacon_min_period_us < 0)
		c->beacon_min_period_us = 0;
	if (c->beacon_burst_us < 0)
		c->beacon_burst_us = 0;
	c->max_pairs = (uint32_t)vg_clamp_u64(c->max_pairs, 16, VG_NBA_MAX_PAIRS);
	if (c->n_home_net > VG_NBA_MAX_HOME_NET)
		c->n_home_net = VG_NBA_MAX_HOME_NET;
}

int vg_nba_config_load(const struct vg_cfg_node *root, struct vg_nba_config *c,
		       struct vg_config_err *err)
{
	if (!c)
		return VG_EINVAL;
	const struct vg_cfg_node *b = vg_cfg_get(root, "detect.nba");
	if (!b)
		return 0;
	uint64_t u;
	int rc;
#define U64(path, field, lo, hi, fl)                                                          \
	do {                                                                                  \
		if ((rc = vg_cfg_u64(b, path, c->field, lo, hi, fl, &u, err)) < 0)            \
			return rc;                                                            \
		c->field = (__typeof__(c->field))u;                                           \
	} while (0)
#define DUR(path, field, lo, hi)                                                              \
	do {                                                                                  \
		if ((rc = vg_cfg_duration(b, path, c->field, lo, hi, 0, &c->field, err)) < 0) \
			return rc;                                                            \
	} while (0)
#define DBL(path, field, lo, hi)                                                              \
	do {                                                                                  \
		if ((rc = vg_cfg_double(b, path, c->field, lo, hi, 0, &c->field, err)) < 0)   \
			return rc;                                                            \
	} while (0)
#define BOOL(path, field)                                                                     \
	do {                                                                                  \
		if ((rc = vg_cfg_bool(b, path, c->field, &c->field, err)) < 0)                \
			return rc;                                                            \
	} while (0)
	DUR("interval", interval_us, 1000000ll, DAY_US);
	DBL("alpha", alpha, 0.001, 1);
	DBL("deviations", deviations, 0.5, 100);
	DBL("min-stddev-ratio", min_stddev_ratio, 0, 10);
	U64("warmup", warmup, 1, 10000, 0);
	U64("min-connections", min_conns, 0, UINT32_MAX, 0);
	if ((rc = vg_cfg_size(b, "min-bytes", c->min_bytes, 0, 1ull << 50, 0, &c->min_bytes, err)) < 0)
		return rc;
	U64("min-peers", min_peers, 0, UINT32_MAX, 0);
	U64("min-ports", min_ports, 0, 65536, 0);
	U64("max-hosts", max_hosts, 16, VG_NBA_MAX_HOSTS, VG_CFG_CLAMP);
	BOOL("new-talker.enabled", talker_enabled);
	U64("new-talker.prefix4", talker_prefix4, 8, 32, 0);
	U64("new-talker.prefix6", talker_prefix6, 16, 128, 0);
	U64("new-talker.max-peers", talker_max_peers, 1, UINT32_MAX, 0);
	U64("new-talker.max-alerts", talker_max_alerts, 0, UINT32_MAX, 0);
	U64("new-talker.max-services", max_services, 16, VG_NBA_MAX_SERVICES, VG_CFG_CLAMP);
	U64("new-talker.max-talkers", max_talkers, 16, VG_NBA_MAX_TALKERS, VG_CFG_CLAMP);
	BOOL("beacon.enabled", beacon_enabled);
	BOOL("beacon.internal", beacon_internal);
	U64("beacon.history", beacon_history, 2, VG_NBA_MAX_HISTORY, VG_CFG_CLAMP);
	U64("beacon.min-connections", beacon_min_conns, 3, VG_NBA_MAX_HISTORY + 1, 0);
	DBL("beacon.max-cv", beacon_max_cv, 0, 1);
	DUR("beacon.min-period", beacon_min_period_us, 0, MAX_GAP_US);
	DUR("beacon.max-period", beacon_max_period_us, 1000000ll, MAX_GAP_US);
	DUR("beacon.burst-gap", beacon_burst_us, 0, 3600 * 1000000ll);
	U64("beacon.max-pairs", max_pairs, 16, VG_NBA_MAX_PAIRS, VG_CFG_CLAMP);
#undef U64
#undef DUR
#undef DBL
#undef BOOL
	if (c->beacon_min_conns > c->beacon_history + 1)
		return vg_cfg_error(vg_cfg_get(b, "beacon.min-connections"), err, VG_ERANGE,
				    "beacon.min-connections must be at most beacon.history + 1 (%u)",
				    c->beacon_history + 1);
	size_t n = 0;
	if ((rc = vg_cfg_seq_len(b, "home-net", &n, err)) < 0)
		return rc;
	if (n > VG_NBA_MAX_HOME_NET)
		return vg_cfg_error(vg_cfg_get(b, "home-net"), err, VG_ERANGE, "more than %u networks",
				    VG_NBA_MAX_HOME_NET);
	if (n)
		c->n_home_net = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s;
		if ((rc = vg_cfg_seq_str(b, "home-net", i, &s, err)) < 0)
			return rc;
		if (vg_cidr_parse(s, strlen(s), &c->home_net[c->n_home_net]) < 0)
			return vg_cfg_error(vg_cfg_seq_at(vg_cfg_get(b, "home-net"), i), err, VG_EINVAL,
					    "expected a CIDR like 10.0.0.0/8, got '%.64s'", s);
		c->n_home_net++;
	}
	return 0;
}

/* ---- lifecycle ---------------------------------------------------------------------- */

int vg_nba_new(const struct vg_nba_config *cfg, const struct vg_event_sink *sink, struct vg_nba **out)
{
	if (!out)
		return VG_EINVAL;
	*out = NULL;
	struct vg_nba *n = calloc(1, sizeof(*n));
	if (!n)
		return VG_ENOMEM;
	if (cfg)
		n->cfg = *cfg;
	else
		vg_nba_config_default(&n->cfg);
	clamp_cfg(&n->cfg);
	n->sink = sink;
	n->tick_iv = INT64_MIN;
	n->talker_iv = INT64_MIN;
	if (vg_hash_key_random(&n->key) < 0) {
		free(n);
		return VG_EIO;
	}
	if (ltab_init(&n->hosts, sizeof(struct host), sizeof(struct hkey), n->cfg.max_hosts) < 0 ||
	    ltab_init(&n->services, sizeof(struct service), sizeof(struct skey),
		      n->cfg.talker_enabled ? n->cfg.max_services : 1) < 0 ||
	    ltab_init(&n->talkers, sizeof(struct talker), sizeof(struct tkey),
		      n->cfg.talker_enabled ? n->cfg.max_talkers : 1) < 0 ||
	    ltab_init(&n->pairs, sizeof(struct pair), sizeof(struct pkey),
		      n->cfg.beacon_enabled ? n->cfg.max_pairs : 1) < 0) {
		vg_nba_free(n);
		return VG_ENOMEM;
	}
	*out = n;
	return 0;
}

void vg_nba_free(struct vg_nba *n)
{
	if (!n)
		return;
	ltab_free(&n->hosts);
	ltab_free(&n->services);
	ltab_free(&n->talkers);
	ltab_free(&n->pairs);
	free(n);
}

/* ---- helpers ------------------------------------------------------------------------ */

/* Caller times are clamped to the capture's range (VG_CAPTURE_MAX_TS_S) so that interval
 * and gap arithmetic cannot overflow, whatever a caller passes. */
static int64_t clamp_ts(int64_t ts)
{
	const int64_t lim = VG_CAPTURE_MAX_TS_S * 1000000;
	return ts > lim ? lim : (ts < -lim ? -lim : ts);
}

static int64_t iv_of(const struct vg_nba *n, int64_t ts)
{
	int64_t q = ts / n->cfg.interval_us;
	return (ts % n->cfg.interval_us < 0) ? q - 1 : q;
}

/* Internal? Fills the tenant name to key the host with. */
static bool internal(const struct vg_nba *n, const struct vg_nba_flow *f, const struct vg_addr *a,
		     const char **tenant)
{
	*tenant = f->tenant;
	if (n->cfg.tenants) {
		const struct vg_tenant *t = vg_tenants_lookup(n->cfg.tenants, f->has_vni, f->vni, f->vlan, a);
		if (t) {
			*tenant = t->name;
			return true;
		}
	}
	for (uint32_t i = 0; i < n->cfg.n_home_net; i++)
		if (vg_cidr_contains(&n->cfg.home_net[i], a))
			return true;
	if (!n->cfg.tenants && !n->cfg.n_home_net)
		return vg_addr_is_private(a);
	return false;
}

static uint64_t tenant_hash(const struct vg_nba *n, const char *tenant)
{
	return tenant ? vg_siphash(&n->key, tenant, strlen(tenant)) | 1 : 0;
}

static void lc_add(uint64_t *w, uint64_t h)
{
	uint32_t bit = (uint32_t)(h % LC_BITS);
	w[bit / 64] |= 1ull << (bit % 64);
}

/* Linear counting: n ≈ -m ln(zero fraction); all bits set reads as m ln m. */
static double lc_estimate(const uint64_t *w)
{
	unsigned ones = 0;
	for (unsigned i = 0; i < LC_WORDS; i++)
		ones += (unsigned)__builtin_popcountll(w[i]);
	unsigned zeros = LC_BITS - ones;
	if (zeros == 0)
		zeros = 1;
	return round((double)LC_BITS * log((double)LC_BITS / zeros));
}

static void emit(struct vg_nba *n, struct vg_event *ev, json_t *extra)
{
	ev->extra = extra;
	if (vg_event_emit(n->sink, ev) < 0)
		n->st.emit_errors++;
	json_decref(extra);
}

static void alert_init(struct vg_event *ev, int64_t ts, uint32_t sid, const char *sig,
		       const char *category, int severity, const char *action)
{
	vg_event_init(ev, VG_EVT_ALERT, ts);
	ev->category = "intrusion_detection";
	ev->action = action;
	ev->rule.detector = VG_DET_ANOMALY;
	ev->rule.gid = 1;
	ev->rule.sid = sid;
	ev->rule.rev = 1;
	ev->rule.signature = sig;
	ev->rule.category = category;
	ev->rule.action = "allowed";
	ev->rule.severity = severity;
}

/* ---- baselines ---------------------------------------------------------------------- */

static uint64_t metric_min(const struct vg_nba *n, int m)
{
	switch (m) {
	case VG_NBA_CONNS_OUT:
	case VG_NBA_CONNS_IN:
		return n->cfg.min_conns;
	case VG_NBA_BYTES_OUT:
	case VG_NBA_BYTES_IN:
		return n->cfg.min_bytes;
	case VG_NBA_PEERS_OUT:
	case VG_NBA_PEERS_IN:
		return n->cfg.min_peers;
	default:
		return n->cfg.min_ports;
	}
}

static void fold(const struct vg_nba *n, struct host *h, const double *v)
{
	double a = n->cfg.alpha;
	if (h->n_iv + 1 < (uint32_t)(1.0 / a)) /* plain average until 1/alpha intervals */
		a = 1.0 / (double)(h->n_iv + 1);
	for (int m = 0; m < VG_NBA_NMETRICS; m++) {
		double d = v[m] - h->mean[m], inc = a * d;
		h->mean[m] += inc;
		h->var[m] = (1 - a) * (h->var[m] + d * inc);
	}
	if (h->n_iv < UINT32_MAX)
		h->n_iv++;
}

static void host_alert(struct vg_nba *n, const struct host *h, int m, double v, double mean,
		       double sd, double thr)
{
	struct vg_event ev;
	alert_init(&ev, (h->cur_iv + 1) * n->cfg.interval_us, VG_NBA_SID_BASE + (uint32_t)m,
		   metric_sigs[m], "Potentially Bad Traffic", 3, "behaviour-anomaly");
	ev.tenant = h->tenant;
	ev.src.family = h->key.family;
	memcpy(ev.src.b, h->key.b, 16);
	json_t *x = json_pack("{s:{s:s, s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:i}}", "nba", "metric",
			      metric_names[m], "value", v, "mean", mean, "stddev", sd, "threshold",
			      thr, "deviations", n->cfg.deviations, "interval_start_us",
			      (json_int_t)(h->cur_iv * n->cfg.interval_us), "interval_us",
			      (json_int_t)n->cfg.interval_us, "intervals_learnt", (int)h->n_iv);
	n->st.alerts_baseline++;
	emit(n, &ev, x);
}

/* End the host's current interval and any idle ones up to (excluding) iv. */
static void host_roll(struct vg_nba *n, struct host *h, int64_t iv)
{
	if (iv <= h->cur_iv)
		return;
	double v[VG_NBA_NMETRICS];
	v[VG_NBA_CONNS_OUT] = (double)h->conns[0];
	v[VG_NBA_CONNS_IN] = (double)h->conns[1];
	v[VG_NBA_BYTES_OUT] = (double)h->bytes[0];
	v[VG_NBA_BYTES_IN] = (double)h->bytes[1];
	v[VG_NBA_PEERS_OUT] = lc_estimate(h->lc[LC_PEERS_OUT]);
	v[VG_NBA_PEERS_IN] = lc_estimate(h->lc[LC_PEERS_IN]);
	v[VG_NBA_PORTS_OUT] = lc_estimate(h->lc[LC_PORTS_OUT]);
	v[VG_NBA_PORTS_IN] = lc_estimate(h->lc[LC_PORTS_IN]);
	n->st.intervals_closed++;
	uint8_t over = 0;
	if (h->n_iv >= n->cfg.warmup) {
		for (int m = 0; m < VG_NBA_NMETRICS; m++) {
			double mean = h->mean[m], sd = sqrt(h->var[m] > 0 ? h->var[m] : 0);
			double se = sd;
			if (se < n->cfg.min_stddev_ratio * mean)
				se = n->cfg.min_stddev_ratio * mean;
			if (se < 1)
				se = 1;
			double thr = mean + n->cfg.deviations * se;
			if (v[m] >= (double)metric_min(n, m) && v[m] > thr) {
				over |= (uint8_t)(1u << m);
				if (h->over & (1u << m))
					n->st.suppressed_repeat++;
				else
					host_alert(n, h, m, v[m], mean, sd, thr);
				v[m] = thr; /* do not teach the baseline the attack at full size */
			}
		}
	}
	h->over = over;
	fold(n, h, v);
	int64_t idle = iv - h->cur_iv - 1;
	if (idle > VG_NBA_MAX_IDLE_FOLD)
		idle = VG_NBA_MAX_IDLE_FOLD;
	static const double zero[VG_NBA_NMETRICS];
	for (int64_t i = 0; i < idle; i++)
		fold(n, h, zero);
	if (idle > 0)
		h->over = 0;
	h->cur_iv = iv;
	h->conns[0] = h->conns[1] = h->bytes[0] = h->bytes[1] = 0;
	memset(h->lc, 0, sizeof(h->lc));
}

static struct host *host_get(struct vg_nba *n, const struct vg_addr *a, const char *tenant,
			     int64_t iv)
{
	struct hkey k;
	memset(&k, 0, sizeof(k));
	k.tenant_h = tenant_hash(n, tenant);
	k.family = a->family;
	memcpy(k.b, a->b, 16);
	bool created;
	struct host *h = (struct host *)ltab_get(&n->hosts, &k, vg_siphash(&n->key, &k, sizeof(k)), &created);
	if (!h)
		return NULL;
	if (created) {
		h->tenant = tenant;
		h->cur_iv = iv;
	} else {
		host_roll(n, h, iv);
	}
	return h;
}

static uint64_t addr_h(const struct vg_nba *n, const struct vg_addr *a)
{
	return vg_siphash(&n->key, a->b, a->family == VG_AF_INET ? 4 : 16);
}

static uint64_t port_h(const struct vg_nba *n, uint16_t port, uint8_t proto)
{
	uint8_t k[3] = { (uint8_t)(port >> 8), (uint8_t)port, proto };
	return vg_siphash(&n->key, k, sizeof(k));
}

/* ---- beacons ------------------------------------------------------------------------ */

static void beacon(struct vg_nba *n, const struct vg_nba_flow *f, const char *tenant, int64_t ts)
{
	struct pkey k;
	memset(&k, 0, sizeof(k));
	k.tenant_h = tenant_hash(n, tenant);
	k.family = f->src.family;
	memcpy(k.src, f->src.b, 16);
	memcpy(k.dst, f->dst.b, 16);
	k.proto = f->proto;
	k.port = f->dport;
	bool created;
	struct pair *p = (struct pair *)ltab_get(&n->pairs, &k, vg_siphash(&n->key, &k, sizeof(k)), &created);
	if (!p)
		return;
	if (created) {
		p->last_us = ts;
		return;
	}
	int64_t gap = ts - p->last_us;
	if (gap < n->cfg.beacon_burst_us)
		return; /* same beacon (parallel or retried connections), or out of order */
	p->last_us = ts;
	if (gap > MAX_GAP_US)
		gap = MAX_GAP_US;
	uint32_t hist = n->cfg.beacon_history;
	p->gap_ms[p->pos] = (uint32_t)(gap / 1000);
	p->pos = (p->pos + 1) % hist;
	if (p->n < hist)
		p->n++;
	if (p->alerted || p->n + 1 < n->cfg.beacon_min_conns)
		return;
	double sum = 0, sq = 0;
	for (uint32_t i = 0; i < p->n; i++)
		sum += p->gap_ms[i];
	double mean = sum / p->n;
	for (uint32_t i = 0; i < p->n; i++)
		sq += (p->gap_ms[i] - mean) * (p->gap_ms[i] - mean);
	double sd = sqrt(sq / p->n), cv = mean > 0 ? sd / mean : 1e9;
	if (cv > n->cfg.beacon_max_cv || mean * 1000 < (double)n->cfg.beacon_min_period_us ||
	    mean * 1000 > (double)n->cfg.beacon_max_period_us)
		return;
	p->alerted = true;
	struct vg_event ev;
	alert_init(&ev, ts, VG_NBA_SID_BEACON, "VIGIL NBA periodic connections (beaconing)",
		   "A Network Trojan was detected", 2, "beaconing");
	ev.tenant = tenant;
	ev.src = f->src;
	ev.dst = f->dst;
	ev.sport = f->sport;
	ev.dport = f->dport;
	ev.proto = f->proto;
	ev.has_vni = f->has_vni;
	ev.vni = f->vni;
	json_t *x = json_pack("{s:{s:i, s:f, s:f, s:f}}", "nba", "connections", (int)p->n + 1,
			      "mean_interval_s", mean / 1000.0, "stddev_s", sd / 1000.0, "cv", cv);
	n->st.alerts_beacon++;
	emit(n, &ev, x);
}

/* ---- new talkers -------------------------------------------------------------------- */

static void talker(struct vg_nba *n, const struct vg_nba_flow *f, const char *tenant, int64_t ts)
{
	int64_t iv = iv_of(n, ts);
	struct skey sk;
	memset(&sk, 0, sizeof(sk));
	sk.tenant_h = tenant_hash(n, tenant);
	sk.family = f->dst.family;
	memcpy(sk.b, f->dst.b, 16);
	sk.proto = f->proto;
	sk.port = f->dport;
	bool created;
	struct service *s = (struct service *)ltab_get(&n->services, &sk,
						       vg_siphash(&n->key, &sk, sizeof(sk)), &created);
	if (!s)
		return;
	if (created)
		s->first_iv = iv;
	struct tkey tk;
	memset(&tk, 0, sizeof(tk));
	tk.svc = sk;
	unsigned plen = f->src.family == VG_AF_INET ? n->cfg.talker_prefix4 : n->cfg.talker_prefix6;
	memcpy(tk.net, f->src.b, plen / 8);
	if (plen % 8)
		tk.net[plen / 8] = (uint8_t)(f->src.b[plen / 8] & (0xff00u >> (plen % 8)));
	struct talker *t = (struct talker *)ltab_get(&n->talkers, &tk,
						     vg_siphash(&n->key, &tk, sizeof(tk)), &created);
	if (!t || !created)
		return;
	if (s->n_peers < UINT32_MAX)
		s->n_peers++;
	/* a service known for less than the warm-up, or public (many peers): learn only */
	if (iv - s->first_iv < (int64_t)n->cfg.warmup || s->n_peers > n->cfg.talker_max_peers + 1)
		return;
	if (iv != n->talker_iv) {
		n->talker_iv = iv;
		n->talker_alerts = 0;
	}
	if (n->talker_alerts >= n->cfg.talker_max_alerts) {
		n->st.suppressed_talker++;
		return;
	}
	n->talker_alerts++;
	struct vg_event ev;
	alert_init(&ev, ts, VG_NBA_SID_TALKER, "VIGIL NBA new external talker to internal service",
		   "Potentially Bad Traffic", 3, "new-talker");
	ev.tenant = tenant;
	ev.src = f->src;
	ev.dst = f->dst;
	ev.sport = f->sport;
	ev.dport = f->dport;
	ev.proto = f->proto;
	ev.has_vni = f->has_vni;
	ev.vni = f->vni;
	struct vg_addr na = f->src;
	memcpy(na.b, tk.net, 16);
	char nb[VG_ADDR_STRLEN], pn[VG_ADDR_STRLEN + 8];
	snprintf(pn, sizeof(pn), "%s/%u", vg_addr_format(&na, nb), plen);
	json_t *x = json_pack("{s:{s:s, s:I, s:i}}", "nba", "peer_net", pn, "service_known_us",
			      (json_int_t)((iv - s->first_iv) * n->cfg.interval_us), "service_peer_nets",
			      (int)(s->n_peers - 1));
	n->st.alerts_talker++;
	emit(n, &ev, x);
}

/* ---- feed --------------------------------------------------------------------------- */

static bool flow_ok(const struct vg_nba_flow *f)
{
	return f && (f->src.family == VG_AF_INET || f->src.family == VG_AF_INET6) &&
	       f->dst.family == f->src.family;
}

int vg_nba_flow_start(struct vg_nba *n, const struct vg_nba_flow *f, int64_t ts)
{
	if (!n || !flow_ok(f))
		return VG_EINVAL;
	ts = clamp_ts(ts);
	n->st.flows_started++;
	const char *ts_ten, *td_ten;
	bool si = internal(n, f, &f->src, &ts_ten), di = internal(n, f, &f->dst, &td_ten);
	if (!si && !di) {
		n->st.flows_external++;
		return 0;
	}
	int64_t iv = iv_of(n, ts);
	if (si) {
		struct host *h = host_get(n, &f->src, ts_ten, iv);
		if (h) {
			h->conns[0]++;
			lc_add(h->lc[LC_PEERS_OUT], addr_h(n, &f->dst));
			lc_add(h->lc[LC_PORTS_OUT], port_h(n, f->dport, f->proto));
		}
		if (n->cfg.beacon_enabled && (!di || n->cfg.beacon_internal))
			beacon(n, f, ts_ten, ts);
	}
	if (di) {
		struct host *h = host_get(n, &f->dst, td_ten, iv);
		if (h) {
			h->conns[1]++;
			lc_add(h->lc[LC_PEERS_IN], addr_h(n, &f->src));
			lc_add(h->lc[LC_PORTS_IN], port_h(n, f->dport, f->proto));
		}
	}
	return 0;
}

int vg_nba_flow_end(struct vg_nba *n, const struct vg_nba_flow *f)
{
	if (!n || !flow_ok(f))
		return VG_EINVAL;
	n->st.flows_ended++;
	const char *ts_ten, *td_ten;
	bool si = internal(n, f, &f->src, &ts_ten), di = internal(n, f, &f->dst, &td_ten);
	if (!si && !di)
		return 0;
	int64_t end = clamp_ts(f->end_us);
	int64_t iv = iv_of(n, end);
	if (si) {
		struct host *h = host_get(n, &f->src, ts_ten, iv);
		if (h) {
			h->bytes[0] += f->bytes_toserver;
			h->bytes[1] += f->bytes_toclient;
		}
	}
	if (di) {
		struct host *h = host_get(n, &f->dst, td_ten, iv);
		if (h) {
			h->bytes[0] += f->bytes_toclient;
			h->bytes[1] += f->bytes_toserver;
		}
		if (n->cfg.talker_enabled && !si && f->pkts_toclient > 0)
			talker(n, f, td_ten, end);
	}
	return 0;
}

void vg_nba_tick(struct vg_nba *n, int64_t now)
{
	if (!n)
		return;
	int64_t iv = iv_of(n, clamp_ts(now));
	if (iv <= n->tick_iv)
		return;
	n->tick_iv = iv;
	/* every host whose interval has ended; walking the recency list visits each once */
	for (uint32_t i = n->hosts.head; i;) {
		struct host *h = (struct host *)E(&n->hosts, i);
		i = h->hdr.lnext;
		if (h->cur_iv < iv)
			host_roll(n, h, iv);
	}
}

void vg_nba_get_stats(const struct vg_nba *n, struct vg_nba_stats *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!n)
		return;
	*out = n->st;
	out->hosts_in_use = n->hosts.n_used;
	out->hosts_evicted = n->hosts.evicted;
	out->services_in_use = n->services.n_used;
	out->services_evicted = n->services.evicted;
	out->talkers_in_use = n->talkers.n_used;
	out->talkers_evicted = n->talkers.evicted;
	out->pairs_in_use = n->pairs.n_used;
	out->pairs_evicted = n->pairs.evicted;
	out->mem_bytes = sizeof(*n) + ltab_mem(&n->hosts) + ltab_mem(&n->services) +
			 ltab_mem(&n->talkers) + ltab_mem(&n->pairs);
}
