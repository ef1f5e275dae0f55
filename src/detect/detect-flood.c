/* detect-flood.c — SYN/UDP/ICMP flood detection (see detect-flood.h for the model).
 *
 * State: one count-min sketch (fixed size) in front of a pool of at most max_trackers
 * trackers in a chained, seeded hash with an LRU list for eviction and a list of open
 * floods for tick(). Per packet: one SipHash, one table lookup, at most one sketch update,
 * ten bin reads. No allocation on the packet path except a tenant name copy when a tracker
 * is created. */
#include "detect/detect-flood.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"
#include "core/core-hash.h"
#include "core/limits.h"
#include "detect/detect-sketch.h"

/* *_ANY: the same traffic per destination over all its ports (random-port floods). */
enum { K_SYN, K_UDP, K_ICMP, K_SYN_ANY, K_UDP_ANY, K__N };

static const char *const kind_name[K__N] = { "SYN", "UDP", "ICMP", "SYN", "UDP" };
static const char *const kind_sig[K__N] = {
	"VIGIL DOS SYN flood", "VIGIL DOS UDP flood", "VIGIL DOS ICMP flood",
	"VIGIL DOS SYN flood on many ports", "VIGIL DOS UDP flood on many ports",
};
static const char *const kind_action[K__N] = { "syn-flood", "udp-flood", "icmp-flood",
					       "syn-flood", "udp-flood" };
static const uint32_t kind_sid[K__N] = { VG_FLOOD_SID_SYN, VG_FLOOD_SID_UDP, VG_FLOOD_SID_ICMP,
					 VG_FLOOD_SID_SYN_ANY, VG_FLOOD_SID_UDP_ANY };

#define BIN_US 100000ll /* 100 ms bins, ten of them make the sliding second */
#define NBINS 10

struct bin {
	int64_t id;       /* ts / BIN_US of the packets counted here */
	uint32_t pkts, acks;
	uint64_t bytes;
};

struct ftracker {
	uint32_t hnext, lru_prev, lru_next, fl_prev, fl_next; /* index + 1 */
	bool used, in_flood;
	uint8_t kind, n_vlan;
	bool has_vni;
	uint32_t vni;
	uint16_t vlan[2];
	uint16_t dport;
	struct vg_addr dst;
	struct vg_addr first_src;
	bool have_src;
	char *tenant;
	int64_t first_us;        /* first packet of the current run (sketch bound at creation) */
	int64_t start_us, last_above_us, last_us;
	uint64_t packets, bytes, peak_pps, episode_id;
	uint64_t port_bits;      /* *_ANY: linear-counting bitmap of destination ports */
	struct bin bins[NBINS];
	struct vg_hll hll;
};

struct vg_detect_flood {
	struct vg_detect_flood_config cfg;
	const struct vg_event_sink *sink;
	struct vg_hash_key key;
	struct vg_cms cms;
	struct ftracker *pool;
	uint32_t *buckets;
	uint32_t nbuckets, n_used, n_fresh;
	uint32_t lru_head, lru_tail, fl_head;
	uint64_t ep_prefix, ep_counter;
	/* Prefilter for count_ack(), which runs on every pure ACK (most TCP packets): per
	 * slot of a cheap keyed hash of the destination address, how many SYN trackers
	 * (K_SYN, K_SYN_ANY) have that destination. A zero slot skips the two SipHash
	 * lookups. Collisions, even forced ones, only fall back to those lookups; a slot
	 * that reaches SYNF_SAT stays there (never decremented, always looked up). */
	uint8_t synf[1u << 16];
	uint64_t synf_k[3];
	struct vg_detect_flood_stats st;
};

#define SYNF_SAT 255u

void vg_detect_flood_config_default(struct vg_detect_flood_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->syn_pps = 1000;
	cfg->syn_max_completion_pct = 50;
	cfg->syn_any_pps = 5000;
	cfg->udp_any_pps = 10000;
	cfg->any_min_ports = 16;
	cfg->udp_pps = 2000;
	cfg->icmp_pps = 1000;
	cfg->end_pct = 50;
	cfg->hold_us = 5 * 1000000ll;
	cfg->prefilter_pps = 100;
	cfg->spoof_sources = 4;
	cfg->max_trackers = 4096;
	cfg->cms_width = 16384;
}

static struct ftracker *F(struct vg_detect_flood *d, uint32_t i1)
{
	return i1 ? &d->pool[i1 - 1] : NULL;
}

static uint32_t fidx(const struct vg_detect_flood *d, const struct ftracker *t)
{
	return (uint32_t)(t - d->pool) + 1;
}

struct fkey {
	uint32_t vni;
	uint16_t dport;
	uint8_t has_vni, kind, family;
	uint8_t b[16];
};

static uint64_t key_hash(const struct vg_detect_flood *d, uint32_t vni, bool has_vni,
			 const struct vg_addr *dst, uint16_t dport, uint8_t kind)
{
	struct fkey k;
	memset(&k, 0, sizeof(k));
	k.vni = has_vni ? vni : 0;
	k.has_vni = has_vni;
	k.dport = dport;
	k.kind = kind;
	k.family = dst->family;
	memcpy(k.b, dst->b, 16);
	return vg_siphash13(&d->key, &k, sizeof(k));
}

static bool is_syn_kind(uint8_t kind)
{
	return kind == K_SYN || kind == K_SYN_ANY;
}

static uint32_t synf_slot(const struct vg_detect_flood *d, const struct vg_addr *a)
{
	uint64_t lo, hi;
	memcpy(&lo, a->b, 8);
	memcpy(&hi, a->b + 8, 8);
	uint64_t x = (lo ^ d->synf_k[0]) * 0x9e3779b97f4a7c15ull;
	x ^= (hi ^ d->synf_k[1]) * 0xc2b2ae3d27d4eb4full;
	x ^= x >> 29;
	x *= d->synf_k[2] | 1;
	return (uint32_t)(x >> 48);
}

static uint32_t thr_of(const struct vg_detect_flood *d, uint8_t kind)
{
	switch (kind) {
	case K_SYN: return d->cfg.syn_pps;
	case K_UDP: return d->cfg.udp_pps;
	case K_SYN_ANY: return d->cfg.syn_any_pps;
	case K_UDP_ANY: return d->cfg.udp_any_pps;
	default: return d->cfg.icmp_pps;
	}
}

static void lru_unlink(struct vg_detect_flood *d, struct ftracker *t)
{
	if (t->lru_prev)
		F(d, t->lru_prev)->lru_next = t->lru_next;
	else
		d->lru_head = t->lru_next;
	if (t->lru_next)
		F(d, t->lru_next)->lru_prev = t->lru_prev;
	else
		d->lru_tail = t->lru_prev;
	t->lru_prev = t->lru_next = 0;
}

static void lru_front(struct vg_detect_flood *d, struct ftracker *t)
{
	uint32_t i = fidx(d, t);
	if (d->lru_head == i)
		return;
	if (t->lru_prev || t->lru_next || d->lru_tail == i)
		lru_unlink(d, t);
	t->lru_next = d->lru_head;
	if (d->lru_head)
		F(d, d->lru_head)->lru_prev = i;
	d->lru_head = i;
	if (!d->lru_tail)
		d->lru_tail = i;
}

static void fl_link(struct vg_detect_flood *d, struct ftracker *t)
{
	uint32_t i = fidx(d, t);
	t->fl_prev = 0;
	t->fl_next = d->fl_head;
	if (d->fl_head)
		F(d, d->fl_head)->fl_prev = i;
	d->fl_head = i;
}

static void fl_unlink(struct vg_detect_flood *d, struct ftracker *t)
{
	if (t->fl_prev)
		F(d, t->fl_prev)->fl_next = t->fl_next;
	else
		d->fl_head = t->fl_next;
	if (t->fl_next)
		F(d, t->fl_next)->fl_prev = t->fl_prev;
	t->fl_prev = t->fl_next = 0;
}

static struct ftracker *find(struct vg_detect_flood *d, uint64_t h, uint32_t vni, bool has_vni,
			     const struct vg_addr *dst, uint16_t dport, uint8_t kind)
{
	for (uint32_t i = d->buckets[h & (d->nbuckets - 1)]; i; i = d->pool[i - 1].hnext) {
		struct ftracker *t = &d->pool[i - 1];
		if (t->kind == kind && t->dport == dport && t->has_vni == has_vni &&
		    (!has_vni || t->vni == vni) && vg_addr_eq(&t->dst, dst))
			return t;
	}
	return NULL;
}

static void fill_event(const struct vg_detect_flood *d, const struct ftracker *t,
		       struct vg_event *ev, enum vg_event_type type, int64_t ts, bool ended)
{
	vg_event_init(ev, type, ts);
	ev->tenant = t->tenant;
	ev->category = "intrusion_detection";
	ev->action = kind_action[t->kind];
	ev->outcome = VG_OUTCOME_UNKNOWN;
	uint64_t est = vg_hll_estimate(&t->hll);
	if (t->have_src && est < d->cfg.spoof_sources)
		ev->src = t->first_src;
	ev->dst = t->dst;
	ev->dport = t->dport;
	if (t->kind == K_SYN || t->kind == K_SYN_ANY)
		ev->proto = 6;
	else if (t->kind == K_UDP || t->kind == K_UDP_ANY)
		ev->proto = 17;
	else
		ev->proto = t->dst.family == VG_AF_INET6 ? 58 : 1;
	ev->vni = t->vni;
	ev->has_vni = t->has_vni;
	ev->n_vlan = t->n_vlan;
	ev->vlan[0] = t->vlan[0];
	ev->vlan[1] = t->vlan[1];
	ev->episode_id = t->episode_id;
	ev->rule.detector = VG_DET_FLOOD;
	ev->rule.gid = 1;
	ev->rule.sid = kind_sid[t->kind];
	ev->rule.rev = 1;
	ev->rule.signature = kind_sig[t->kind];
	ev->rule.category = "Attempted Denial of Service";
	ev->rule.action = "allowed";
	ev->rule.severity = 2;
	struct vg_ev_flood *f = &ev->u.flood;
	f->kind = kind_name[t->kind];
	f->start_us = t->start_us;
	f->end_us = ended ? t->last_above_us : 0;
	f->packets = t->packets;
	f->bytes = t->bytes;
	f->peak_pps = t->peak_pps;
	f->sources_est = est;
	f->ended = ended;
}

static void emit(struct vg_detect_flood *d, const struct vg_event *ev)
{
	if (vg_event_emit(d->sink, ev) < 0)
		d->st.emit_errors++;
}

/* A new run: counts, sources and the representative source start over. */
static void run_reset(struct ftracker *t)
{
	vg_hll_reset(&t->hll);
	t->port_bits = 0;
	t->have_src = false;
	t->packets = t->bytes = t->peak_pps = 0;
	t->first_us = 0;
}

static void flood_end(struct vg_detect_flood *d, struct ftracker *t)
{
	struct vg_event ev;
	fill_event(d, t, &ev, VG_EVT_EPISODE, t->last_above_us, true);
	emit(d, &ev);
	d->st.episodes++;
	fl_unlink(d, t);
	t->in_flood = false;
	run_reset(t);
}

static void release(struct vg_detect_flood *d, struct ftracker *t)
{
	if (t->in_flood)
		flood_end(d, t);
	uint64_t h = key_hash(d, t->vni, t->has_vni, &t->dst, t->dport, t->kind);
	uint32_t *pp = &d->buckets[h & (d->nbuckets - 1)], me = fidx(d, t);
	while (*pp && *pp != me)
		pp = &d->pool[*pp - 1].hnext;
	if (*pp)
		*pp = t->hnext;
	if (is_syn_kind(t->kind)) {
		uint8_t *c = &d->synf[synf_slot(d, &t->dst)];
		if (*c != SYNF_SAT)
			(*c)--;
	}
	lru_unlink(d, t);
	free(t->tenant);
	t->tenant = NULL;
	t->used = false;
	d->n_used--;
}

static struct ftracker *create(struct vg_detect_flood *d, uint64_t h, const struct vg_packet *p,
			       uint16_t dport, uint8_t kind, const char *tenant)
{
	struct ftracker *t;
	if (d->n_used >= d->cfg.max_trackers) {
		/* evict the least recently active; pool slots are only freed this way, so the
		 * slot is reused in place */
		t = F(d, d->lru_tail);
		release(d, t);
		d->st.evictions++;
	} else {
		t = &d->pool[d->n_fresh++];
	}
	memset(t, 0, sizeof(*t));
	t->used = true;
	t->kind = kind;
	t->dst = p->dst;
	t->dport = dport;
	t->has_vni = p->has_vni;
	t->vni = p->has_vni ? p->vni : 0;
	t->n_vlan = p->n_vlan > 2 ? 2 : p->n_vlan;
	t->vlan[0] = p->vlan[0];
	t->vlan[1] = p->vlan[1];
	if (tenant) {
		size_t n = strnlen(tenant, VG_MAX_NAME - 1);
		t->tenant = malloc(n + 1);
		if (t->tenant) {
			memcpy(t->tenant, tenant, n);
			t->tenant[n] = '\0';
		}
	}
	uint32_t *b = &d->buckets[h & (d->nbuckets - 1)];
	t->hnext = *b;
	*b = fidx(d, t);
	if (is_syn_kind(kind)) {
		uint8_t *c = &d->synf[synf_slot(d, &t->dst)];
		if (*c != SYNF_SAT)
			(*c)++;
	}
	lru_front(d, t);
	d->n_used++;
	d->st.trackers_created++;
	return t;
}

/* Packets (and ACKs) over the sliding second ending in ts's bin. */
static uint64_t window_sum(const struct ftracker *t, int64_t ts, uint64_t *acks, int64_t *oldest)
{
	int64_t cur = ts / BIN_US;
	uint64_t s = 0, a = 0;
	int64_t old = cur + 1;
	for (unsigned i = 0; i < NBINS; i++) {
		const struct bin *b = &t->bins[i];
		if (b->id <= cur - NBINS || b->id > cur)
			continue;
		s += b->pkts;
		a += b->acks;
		if (b->pkts && b->id < old)
			old = b->id;
	}
	if (acks)
		*acks = a;
	if (oldest)
		*oldest = old;
	return s;
}

static struct bin *bin_at(struct ftracker *t, int64_t ts)
{
	int64_t id = ts / BIN_US;
	struct bin *b = &t->bins[(uint64_t)id % NBINS];
	if (b->id != id) {
		memset(b, 0, sizeof(*b));
		b->id = id;
	}
	return b;
}

static void check_end(struct vg_detect_flood *d, struct ftracker *t, int64_t now)
{
	if (t->in_flood && now - t->last_above_us >= d->cfg.hold_us)
		flood_end(d, t);
}

/* Distinct ports seen by a *_ANY tracker in its run (linear counting over 64 bits:
 * good to ~150, far above any_min_ports' useful range). */
static uint32_t ports_estimate(const struct ftracker *t)
{
	unsigned zeros = 64u - (unsigned)__builtin_popcountll(t->port_bits);
	if (!zeros)
		return 1000;
	return (uint32_t)(64.0 * log(64.0 / zeros) + 0.5);
}

static void count(struct vg_detect_flood *d, const struct vg_packet *p, uint8_t kind,
		  uint16_t dport, const char *tenant)
{
	int64_t ts = p->ts_us;
	uint64_t h = key_hash(d, p->vni, p->has_vni, &p->dst, dport, kind);
	struct ftracker *t = find(d, h, p->vni, p->has_vni, &p->dst, dport, kind);
	uint32_t seed = 0;
	int64_t first = ts;
	if (!t) {
		uint32_t epoch = (uint32_t)(ts / 1000000) + 1;
		uint32_t est = vg_cms_add(&d->cms, h, epoch, ts, &first);
		if (est < d->cfg.prefilter_pps)
			return;
		t = create(d, h, p, dport, kind, tenant);
		/* the packets that passed the sketch count towards the rate: without them a
		 * flood would need prefilter_pps more packets to be recognised */
		seed = est - 1;
		t->first_us = first;
	} else {
		lru_front(d, t);
	}
	check_end(d, t, ts);
	/* a second without packets: a new run, with fresh source counts */
	if (!t->in_flood && t->last_us && ts - t->last_us >= 1000000)
		run_reset(t);
	t->last_us = ts;
	struct bin *b = bin_at(t, ts);
	b->pkts += 1 + seed;
	b->bytes += (uint64_t)p->wirelen * (1 + seed);
	vg_hll_add(&t->hll, vg_siphash13(&d->key, &p->src, sizeof(p->src)));
	if (!t->have_src) {
		t->first_src = p->src;
		t->have_src = true;
	}
	if (kind == K_SYN_ANY || kind == K_UDP_ANY)
		t->port_bits |= 1ull << ((p->dport * 0x9e3779b1u) >> 26);
	if (!t->first_us)
		t->first_us = ts;
	uint64_t acks = 0;
	int64_t oldest = 0;
	uint64_t rate = window_sum(t, ts, &acks, &oldest);
	uint32_t thr = thr_of(d, kind);
	if (t->in_flood) {
		t->packets++;
		t->bytes += p->wirelen;
		if (rate > t->peak_pps)
			t->peak_pps = rate;
		if (rate * 100 >= (uint64_t)thr * d->cfg.end_pct)
			t->last_above_us = ts;
		return;
	}
	if (rate < thr)
		return;
	if ((kind == K_SYN || kind == K_SYN_ANY) && acks * 100 >= rate * d->cfg.syn_max_completion_pct)
		return; /* clients complete their handshakes: a busy server, not a flood */
	if ((kind == K_SYN_ANY || kind == K_UDP_ANY) && ports_estimate(t) < d->cfg.any_min_ports)
		return; /* one or few ports: the per-port tracker speaks for it */
	/* onset */
	t->in_flood = true;
	int64_t win_start = oldest * BIN_US;
	t->start_us = t->first_us > win_start ? t->first_us : win_start;
	if (t->start_us > ts)
		t->start_us = ts;
	uint64_t bytes = 0;
	for (unsigned i = 0; i < NBINS; i++)
		if (t->bins[i].id > ts / BIN_US - NBINS)
			bytes += t->bins[i].bytes;
	t->packets = rate;
	t->bytes = bytes;
	t->peak_pps = rate;
	t->last_above_us = ts;
	t->episode_id = d->ep_prefix | (++d->ep_counter & 0xffffffffull);
	fl_link(d, t);
	struct vg_event ev;
	fill_event(d, t, &ev, VG_EVT_ALERT, ts, false);
	emit(d, &ev);
	d->st.alerts++;
}

/* Client ACKs to a port under SYN watch: handshake completions (and later segments). */
static void count_ack(struct vg_detect_flood *d, const struct vg_packet *p)
{
	if (!d->synf[synf_slot(d, &p->dst)])
		return; /* no SYN tracker for this destination */
	uint64_t h = key_hash(d, p->vni, p->has_vni, &p->dst, p->dport, K_SYN);
	struct ftracker *t = find(d, h, p->vni, p->has_vni, &p->dst, p->dport, K_SYN);
	if (t)
		bin_at(t, p->ts_us)->acks++;
	if (d->cfg.any_min_ports) {
		h = key_hash(d, p->vni, p->has_vni, &p->dst, 0, K_SYN_ANY);
		t = find(d, h, p->vni, p->has_vni, &p->dst, 0, K_SYN_ANY);
		if (t)
			bin_at(t, p->ts_us)->acks++;
	}
}

int vg_detect_flood_packet(struct vg_detect_flood *d, const struct vg_packet *p, const char *tenant)
{
	if (!d || !p)
		return VG_EINVAL;
	d->st.packets++;
	if ((p->flags & VG_PKT_INVALID) || p->ip_version == 0)
		return 0;
	if ((p->flags & VG_PKT_FRAGMENT) && p->frag_offset != 0)
		return 0;
	if (p->flags & VG_PKT_TCP) {
		uint8_t f = p->tcp_flags & (VG_TH_SYN | VG_TH_ACK | VG_TH_RST);
		if (f == VG_TH_SYN) {
			d->st.counted++;
			count(d, p, K_SYN, p->dport, tenant);
			if (d->cfg.any_min_ports)
				count(d, p, K_SYN_ANY, 0, tenant);
		} else if (f == VG_TH_ACK)
			count_ack(d, p);
	} else if (p->flags & VG_PKT_UDP) {
		d->st.counted++;
		count(d, p, K_UDP, p->dport, tenant);
		if (d->cfg.any_min_ports)
			count(d, p, K_UDP_ANY, 0, tenant);
	} else if (p->flags & VG_PKT_ICMP) {
		bool echo = (p->ip_version == 4 && p->icmp_type == 8) ||
			    (p->ip_version == 6 && p->icmp_type == 128);
		if (echo) {
			d->st.counted++;
			count(d, p, K_ICMP, 0, tenant);
		}
	}
	return 0;
}

void vg_detect_flood_tick(struct vg_detect_flood *d, int64_t now_us)
{
	if (!d)
		return;
	uint32_t i = d->fl_head;
	while (i) {
		struct ftracker *t = F(d, i);
		i = t->fl_next;
		check_end(d, t, now_us);
	}
}

void vg_detect_flood_finish(struct vg_detect_flood *d, int64_t now_us)
{
	(void)now_us;
	if (!d)
		return;
	while (d->fl_head)
		flood_end(d, F(d, d->fl_head));
}

void vg_detect_flood_get_stats(const struct vg_detect_flood *d, struct vg_detect_flood_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!d)
		return;
	*out = d->st;
	out->trackers_in_use = d->n_used;
}

int vg_detect_flood_new(const struct vg_detect_flood_config *cfg,
			const struct vg_event_sink *sink, struct vg_detect_flood **out)
{
	int rc = VG_ENOMEM;
	*out = NULL;
	struct vg_detect_flood *d = calloc(1, sizeof(*d));
	if (!d)
		return VG_ENOMEM;
	if (cfg)
		d->cfg = *cfg;
	else
		vg_detect_flood_config_default(&d->cfg);
	struct vg_detect_flood_config *c = &d->cfg;
	c->max_trackers = (uint32_t)vg_clamp_u64(c->max_trackers, 1, VG_FLOOD_MAX_TRACKERS);
	c->cms_width = (uint32_t)vg_clamp_u64(c->cms_width, 64, VG_FLOOD_MAX_CMS_WIDTH);
	c->syn_pps = (uint32_t)vg_clamp_u64(c->syn_pps, 2, UINT32_MAX / 100);
	c->udp_pps = (uint32_t)vg_clamp_u64(c->udp_pps, 2, UINT32_MAX / 100);
	c->icmp_pps = (uint32_t)vg_clamp_u64(c->icmp_pps, 2, UINT32_MAX / 100);
	c->syn_any_pps = (uint32_t)vg_clamp_u64(c->syn_any_pps, 2, UINT32_MAX / 100);
	c->udp_any_pps = (uint32_t)vg_clamp_u64(c->udp_any_pps, 2, UINT32_MAX / 100);
	c->end_pct = (uint32_t)vg_clamp_u64(c->end_pct, 1, 100);
	c->syn_max_completion_pct = (uint32_t)vg_clamp_u64(c->syn_max_completion_pct, 0, 1000);
	c->prefilter_pps = (uint32_t)vg_clamp_u64(c->prefilter_pps, 1, UINT32_MAX);
	if (c->hold_us < BIN_US)
		c->hold_us = BIN_US;
	d->sink = sink;
	d->nbuckets = 1;
	while (d->nbuckets < c->max_trackers)
		d->nbuckets <<= 1;
	d->pool = calloc(c->max_trackers, sizeof(*d->pool));
	d->buckets = calloc(d->nbuckets, sizeof(*d->buckets));
	if (!d->pool || !d->buckets)
		goto fail;
	rc = vg_cms_init(&d->cms, c->cms_width);
	if (rc < 0)
		goto fail;
	rc = vg_hash_key_random(&d->key);
	if (rc < 0)
		goto fail;
	rc = vg_random_bytes(d->synf_k, sizeof(d->synf_k));
	if (rc < 0)
		goto fail;
	uint32_t pre = 0;
	rc = vg_random_bytes(&pre, sizeof(pre));
	if (rc < 0)
		goto fail;
	d->ep_prefix = (uint64_t)(pre | 1u) << 32;
	*out = d;
	return 0;
fail:
	vg_detect_flood_free(d);
	return rc;
}

void vg_detect_flood_free(struct vg_detect_flood *d)
{
	if (!d)
		return;
	if (d->pool)
		for (uint32_t i = 0; i < d->n_fresh; i++)
			free(d->pool[i].tenant);
	vg_cms_free(&d->cms);
	free(d->pool);
	free(d->buckets);
	free(d);
}
