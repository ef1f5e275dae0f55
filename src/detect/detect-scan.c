/* detect-scan.c — port-scan and sweep detection (see detect-scan.h for the model).
 *
 * Per scanner (vni, address) a tracker with three small open-addressing sets keyed by
 * 64-bit SipHash fingerprints: pairs (target, port, proto) with the state learnt from both
 * directions, hosts (probed ports per target) and ports (probed hosts per port). Pair state
 * changes move "weight" (0 ordinary, 1 unanswered, 2 refused/half-open/stealth) between
 * host and port counters, so every threshold check is O(1) per packet. Sets grow by
 * doubling (amortised; never per packet once warm) under a global memcap. Trackers live in
 * one pool array with a chained seeded hash, an LRU list for eviction and a list of open
 * episodes for tick(). The hash chains and each tracker's low 32 hash bits are kept in two
 * small arrays beside the pool (hnext, hlo), so that a lookup walks them without touching
 * the trackers (several hundred bytes each, a cache miss apiece): most packets concern no
 * tracker at all (answers and data of ordinary connections), and a lookup that misses
 * then stays in a few hundred KiB. Before that, a counting prefilter (srcf: trackers per
 * slot of a cheap keyed hash of the address) answers most misses without the SipHash.
 *
 * Admission (detect-scan.h): a source's first probe is remembered in `first`, a
 * direct-mapped table indexed by the same SipHash, and replayed into the tracker made at
 * its second probe. The entry holds the probe, its repeats and up to FIRST_ANSWERS state
 * changes with their times (an answer: RST, SYN-ACK, UDP reply, ICMP unreachable; then the
 * handshake's end, data or close), replayed through pair_set() in order; one more change
 * creates the tracker, so the replay stays exact. srcf counts entries as well as trackers:
 * packets of sources with neither still skip the SipHash. */
#include "detect/detect-scan.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"
#include "core/core-hash.h"
#include "core/core-mem.h"
#include "core/limits.h"

enum { TECH_SYN, TECH_CONNECT, TECH_FIN, TECH_NULL, TECH_XMAS, TECH_ACK, TECH_UDP, TECH__N };

static const char *const tech_name[TECH__N] = { "SYN", "CONNECT", "FIN", "NULL", "XMAS", "ACK", "UDP" };
static const char *const sig_scan[TECH__N] = {
	"VIGIL SCAN TCP SYN port scan", "VIGIL SCAN TCP connect port scan",
	"VIGIL SCAN TCP FIN port scan", "VIGIL SCAN TCP NULL port scan",
	"VIGIL SCAN TCP XMAS port scan", "VIGIL SCAN TCP ACK port scan",
	"VIGIL SCAN UDP port scan",
};
static const char *const sig_sweep[TECH__N] = {
	"VIGIL SCAN TCP SYN sweep", "VIGIL SCAN TCP connect sweep",
	"VIGIL SCAN TCP FIN sweep", "VIGIL SCAN TCP NULL sweep",
	"VIGIL SCAN TCP XMAS sweep", "VIGIL SCAN TCP ACK sweep",
	"VIGIL SCAN UDP sweep",
};

/* Pair states. Weight 0: ordinary or answered; 1: unanswered so far; 2: refused,
 * half-open, connected-and-dropped, stealth flags, or an ACK answered by a bare RST. */
enum {
	ST_NONE = 0, ST_PENDING, ST_OPEN, ST_ESTAB, ST_DATA, ST_REFUSED, ST_HALFOPEN,
	ST_CONNCLOSE, ST_STEALTH, ST_ACKRST, ST_UDP_ANSWERED, ST_TTL_EXPIRED, ST__N
};
/* ST_TTL_EXPIRED: a router answered "time exceeded": the packet never reached the target
 * (traceroute walks ports on the target's address one hop at a time). */
static const uint8_t st_weight[ST__N] = { 0, 1, 0, 0, 0, 2, 2, 2, 2, 2, 0, 0 };

/* Set entries: each starts with its 64-bit fingerprint (0 = empty). A scanner's pairs are
 * most of its state (a sweep has hosts x ports of them), so a pair takes 16 bytes and a
 * host or port entry, which carries counters, 32. */
struct pentry {
	uint64_t fp;
	uint8_t a, b, c;      /* state, technique of the first probe, counted as a probe once */
};

struct sentry {
	uint64_t fp;
	uint32_t a, b, c, d, e;
	uint32_t f;
};
_Static_assert(sizeof(struct pentry) == 16 && sizeof(struct sentry) == 32, "set entry sizes");

/* pairs (struct pentry): see above.
 * hosts: a = probed ports (weight>0), b = refused ports (weight 2), c = probed ports
 *        entering in window d (epoch), f = the same in window d - 1, e = listed as target.
 * ports: a = probed hosts, b = refused hosts, c/f = refused hosts in window d / d - 1,
 *        e = listed.
 * The short window slides approximately: count = c + f * (share of window d - 1 still
 * inside the last window_us), so a burst straddling an epoch boundary is not halved. */
struct fpset {
	void *e;              /* cap entries of the set's entry size (pentry or sentry) */
	uint32_t cap, n;
};

#define NIL 0u /* tracker links are index + 1 */

struct tracker {
	uint32_t ep_prev, ep_next;
	bool used, in_episode;
	uint8_t n_vlan;
	bool has_vni;
	uint32_t vni;
	uint16_t vlan[2];
	struct vg_addr src;
	char *tenant;
	int64_t window_start, first_us, last_us, last_seen;
	uint64_t probes, episode_id;
	uint32_t tech_count[TECH__N];
	uint32_t syn_oslike, syn_raw, n_halfopen, n_connclose;
	uint32_t n_hosts, n_ports;
	uint8_t tech, proto;
	bool horizontal;
	struct fpset pairs, hosts, ports;
	uint32_t n_targets, n_port_list;
	struct vg_addr targets[VG_SCAN_MAX_TARGETS_LISTED];
	uint16_t port_list[VG_SCAN_MAX_PORTS_LISTED];
};

/* What a tracker takes from the packet that creates it. */
struct origin {
	int64_t ts;
	uint32_t vni;          /* 0 without has_vni */
	bool has_vni;
	uint8_t n_vlan;
	uint16_t vlan[2];
};

/* State changes a remembered first probe keeps: enough for an ordinary connection's
 * life (SYN-ACK, ACK, data; or SYN-ACK, ACK, FIN) and every probe's answer; the next one
 * creates the tracker. */
#define FIRST_ANSWERS 3u

/* A remembered first probe (admission table slot; see the top of the file). */
struct first {
	uint64_t h;            /* the source's tkey hash | 1; 0 = empty slot */
	struct vg_addr src, tgt;
	uint16_t port;
	uint8_t proto, tech;   /* tech: the pair's technique (sentry b) */
	uint8_t st0, st;       /* state given by the probe, state now */
	uint8_t n_ans;         /* state changes since the probe, in ans_st / ans_ts */
	uint8_t ans_st[FIRST_ANSWERS];
	uint8_t syn;           /* a SYN probe: 1 OS-like options, 2 raw; 0 not a SYN */
	uint32_t repeats;      /* further probes of the same pair */
	struct origin o;       /* o.ts: time of the probe, the tracker's window start */
	int64_t ans_ts[FIRST_ANSWERS], last_probe;
	const char *tenant;    /* borrowed (detect-scan.h) */
};

struct vg_detect_scan {
	struct vg_detect_scan_config cfg;
	const struct vg_event_sink *sink;
	struct vg_hash_key key;
	struct tracker *pool;
	uint32_t *buckets;     /* index + 1 */
	uint32_t nbuckets;     /* power of two */
	uint32_t *hnext;       /* per pool slot: next in its hash chain (index + 1) */
	uint32_t *hlo;         /* per pool slot: low 32 bits of its key's hash (bucket + tag) */
	/* Prefilter: trackers per slot of a cheap keyed hash of the source address (4 slots
	 * per tracker). Zero: no tracker, skip the SipHash lookup. Collisions, even forced
	 * ones, only fall back to that lookup; a slot at SRCF_SAT stays there. */
	uint8_t *srcf;
	uint32_t srcf_mask;
	uint64_t srcf_k[3];
	uint32_t n_used, n_fresh;
	uint32_t free_head;    /* pool slots released by reclaim(), linked through lnext */
	/* LRU links per pool slot (index + 1), beside the pool like hnext: moving a tracker
	 * to the front on every probe then touches no neighbouring tracker. */
	uint32_t *lprev, *lnext;
	uint32_t lru_head, lru_tail, ep_head;
	uint64_t ep_prefix, ep_counter;
	/* Set arrays up to 1 MiB come from a block pool on huge pages sized by the memcap
	 * (core-mem.h): trackers are created and evicted all the time under a flood of
	 * sources, and sets double as scans grow; recycling the arrays keeps malloc and
	 * first-touch page faults off that path. Larger arrays come from the heap. */
	struct vg_blocks blocks;
	/* Admission: remembered first probes, and the "seen" filter (two generations of
	 * VG_SCAN_SEEN_BITS bits; the current one is cleared and becomes the old one once
	 * SEEN_ROTATE sources set a bit in it, so a bit lives at least that many sources). */
	struct first *first;
	uint32_t first_mask;
	uint64_t *seen_cur, *seen_old;
	uint32_t n_seen;
	/* pair_lookup's answer for a remembered first probe: a copy of its state in a
	 * scratch sentry, and the entry it came from (pair_move) */
	struct pentry scratch;
	struct first *scratch_first;
	/* vg_detect_scan_flow_packet: the client's pair of this connection is in state data
	 * after the packet (set by on_tcp) */
	bool settled;
	struct vg_detect_scan_stats st;
};

/* Sets start at one pool block (64 B: 2 host/port entries, 4 pairs; set_grow): most
 * trackers are one-probe sources (answers to spoofed floods, ordinary clients, spoofed UDP
 * floods), whose three sets hold one entry each. 16-entry starts cost 1.5 KiB per
 * tracker and filled the memcap with them (1M-flow benchmark); 4-entry host/port starts
 * still held 384 B each (now 192 B; the 1M-flow capture with the app layer on peaks
 * 12 MiB lower). */
#define SRCF_SAT 255u
/* Trackers released at most by one reclaim() (bounded work per packet). */
#define RECLAIM_MAX 256u
/* Sources that set a bit in the current seen generation before it rotates: at most 1/16
 * of the bits, so a probe of a never-seen source finds a bit set (and gets its tracker at
 * once, as before admission) with probability < 1/8 even right before a rotation. */
#define SEEN_ROTATE (VG_SCAN_SEEN_BITS / 16u)
#define SEEN_WORDS (VG_SCAN_SEEN_BITS / 64u)

static void reclaim(struct vg_detect_scan *d, const struct fpset *s, uint64_t need);

void vg_detect_scan_config_default(struct vg_detect_scan_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ports_threshold = 15;
	cfg->hosts_threshold = 4;
	cfg->window_us = 60 * 1000000ll;
	cfg->slow_ports_threshold = 25;
	cfg->slow_hosts_threshold = 8;
	cfg->slow_window_us = 3600 * 1000000ll;
	cfg->sweep_unanswered_hosts = 32;
	cfg->idle_timeout_us = 300 * 1000000ll;
	cfg->max_trackers = 65536;
	cfg->memcap = 64ull << 20;
}

/* ---- fingerprint sets --------------------------------------------------------------- */

static uint64_t fp_fix(uint64_t h)
{
	return h ? h : 1;
}

/* The set functions take the entry size: PSZ for pairs, HSZ for hosts and ports. */
#define PSZ sizeof(struct pentry)
#define HSZ sizeof(struct sentry)

static uint64_t ent_fp(const uint8_t *x)
{
	uint64_t v;
	memcpy(&v, x, sizeof(v));
	return v;
}

static void set_clear(struct vg_detect_scan *d, struct fpset *s, size_t esz)
{
	if (s->e) {
		d->st.mem_used -= (uint64_t)s->cap * esz;
		vg_blocks_free(&d->blocks, s->e, (size_t)s->cap * esz);
	}
	s->e = NULL;
	s->cap = s->n = 0;
}

static uint8_t *set_slot(uint8_t *e, size_t esz, uint32_t cap, uint64_t fp)
{
	uint32_t i = (uint32_t)fp & (cap - 1);
	uint64_t v;
	while ((v = ent_fp(e + (size_t)i * esz)) != 0 && v != fp)
		i = (i + 1) & (cap - 1);
	return e + (size_t)i * esz;
}

static int set_grow(struct vg_detect_scan *d, struct fpset *s, size_t esz)
{
	/* the smallest array is one pool block (VG_BLOCKS_MIN): 2 host entries or 4 pairs */
	uint32_t ncap = s->cap ? s->cap * 2 : (uint32_t)(VG_BLOCKS_MIN / esz);
	uint64_t bytes = (uint64_t)ncap * esz;
	if (ncap > VG_SCAN_MAX_PAIRS * 2)
		return VG_EFULL;
	if (d->st.mem_used + bytes > d->cfg.memcap)
		reclaim(d, s, bytes);
	if (d->st.mem_used + bytes > d->cfg.memcap)
		return VG_EFULL;
	uint8_t *ne = vg_blocks_alloc(&d->blocks, (size_t)bytes);
	if (!ne)
		return VG_ENOMEM;
	uint32_t n = 0;
	const uint8_t *old = s->e;
	for (uint32_t i = 0; i < s->cap; i++) {
		const uint8_t *x = old + (size_t)i * esz;
		uint64_t fp = ent_fp(x);
		if (fp) {
			memcpy(set_slot(ne, esz, ncap, fp), x, esz);
			n++;
		}
	}
	set_clear(d, s, esz);
	s->e = ne;
	s->cap = ncap;
	s->n = n;
	d->st.mem_used += bytes;
	return 0;
}

static void *set_find(const struct fpset *s, uint64_t fp, size_t esz)
{
	if (!s->e)
		return NULL;
	uint8_t *x = set_slot(s->e, esz, s->cap, fp);
	return ent_fp(x) ? x : NULL;
}

/* Existing or new (zeroed) entry; NULL when the set may not grow (counted by caller). */
static void *set_get(struct vg_detect_scan *d, struct fpset *s, uint64_t fp, size_t esz)
{
	uint8_t *x = set_find(s, fp, esz);
	if (x)
		return x;
	if (s->n >= VG_SCAN_MAX_PAIRS)
		return NULL;
	if ((s->n + 1) * 4 > s->cap * 3 && set_grow(d, s, esz) < 0)
		return NULL;
	x = set_slot(s->e, esz, s->cap, fp);
	memset(x, 0, esz);
	memcpy(x, &fp, sizeof(fp));
	s->n++;
	return x;
}

static void tracker_sets_clear(struct vg_detect_scan *d, struct tracker *t)
{
	set_clear(d, &t->pairs, PSZ);
	set_clear(d, &t->hosts, HSZ);
	set_clear(d, &t->ports, HSZ);
}

/* ---- trackers ----------------------------------------------------------------------- */

struct tkey {
	uint32_t vni;
	uint8_t has_vni, family;
	uint8_t b[16];
};

static uint64_t tkey_hash(const struct vg_detect_scan *d, uint32_t vni, bool has_vni,
			  const struct vg_addr *a)
{
	struct tkey k;
	memset(&k, 0, sizeof(k));
	k.vni = has_vni ? vni : 0;
	k.has_vni = has_vni;
	k.family = a->family;
	memcpy(k.b, a->b, 16);
	return vg_siphash13(&d->key, &k, sizeof(k));
}

static struct tracker *T(struct vg_detect_scan *d, uint32_t idx1)
{
	return idx1 ? &d->pool[idx1 - 1] : NULL;
}

static uint32_t tidx(const struct vg_detect_scan *d, const struct tracker *t)
{
	return (uint32_t)(t - d->pool) + 1;
}

static void lru_unlink(struct vg_detect_scan *d, struct tracker *t)
{
	uint32_t i = tidx(d, t) - 1;
	uint32_t prev = d->lprev[i], next = d->lnext[i];
	if (prev)
		d->lnext[prev - 1] = next;
	else
		d->lru_head = next;
	if (next)
		d->lprev[next - 1] = prev;
	else
		d->lru_tail = prev;
	d->lprev[i] = d->lnext[i] = NIL;
}

static void lru_push_front(struct vg_detect_scan *d, struct tracker *t)
{
	uint32_t i = tidx(d, t);
	d->lprev[i - 1] = NIL;
	d->lnext[i - 1] = d->lru_head;
	if (d->lru_head)
		d->lprev[d->lru_head - 1] = i;
	d->lru_head = i;
	if (!d->lru_tail)
		d->lru_tail = i;
}

static void touch(struct vg_detect_scan *d, struct tracker *t, int64_t ts)
{
	t->last_seen = ts;
	if (d->lru_head != tidx(d, t)) {
		lru_unlink(d, t);
		lru_push_front(d, t);
	}
}

static void ep_link(struct vg_detect_scan *d, struct tracker *t)
{
	uint32_t i = tidx(d, t);
	t->ep_prev = NIL;
	t->ep_next = d->ep_head;
	if (d->ep_head)
		T(d, d->ep_head)->ep_prev = i;
	d->ep_head = i;
}

static void ep_unlink(struct vg_detect_scan *d, struct tracker *t)
{
	if (t->ep_prev)
		T(d, t->ep_prev)->ep_next = t->ep_next;
	else
		d->ep_head = t->ep_next;
	if (t->ep_next)
		T(d, t->ep_next)->ep_prev = t->ep_prev;
	t->ep_prev = t->ep_next = NIL;
}

static uint32_t srcf_slot(const struct vg_detect_scan *d, const struct vg_addr *a)
{
	uint64_t lo, hi;
	memcpy(&lo, a->b, 8);
	memcpy(&hi, a->b + 8, 8);
	uint64_t x = (lo ^ d->srcf_k[0]) * 0x9e3779b97f4a7c15ull;
	x ^= (hi ^ d->srcf_k[1]) * 0xc2b2ae3d27d4eb4full;
	x ^= x >> 29;
	x *= d->srcf_k[2] | 1;
	return (uint32_t)(x >> 32) & d->srcf_mask;
}

static struct tracker *tracker_find_h(struct vg_detect_scan *d, uint32_t h, uint32_t vni,
				      bool has_vni, const struct vg_addr *a)
{
	for (uint32_t i = d->buckets[h & (d->nbuckets - 1)]; i; i = d->hnext[i - 1]) {
		if (d->hlo[i - 1] != h)
			continue;
		struct tracker *t = &d->pool[i - 1];
		if (t->has_vni == has_vni && (!has_vni || t->vni == vni) && vg_addr_eq(&t->src, a))
			return t;
	}
	return NULL;
}

/* Counts and sets of the current window; the tracker itself stays. */
static void tracker_reset_window(struct vg_detect_scan *d, struct tracker *t, int64_t ts)
{
	tracker_sets_clear(d, t);
	t->window_start = ts;
	t->first_us = t->last_us = 0;
	t->probes = 0;
	memset(t->tech_count, 0, sizeof(t->tech_count));
	t->syn_oslike = t->syn_raw = t->n_halfopen = t->n_connclose = 0;
	t->n_hosts = t->n_ports = 0;
	t->n_targets = t->n_port_list = 0;
	t->horizontal = false;
}

static void fill_event(struct vg_detect_scan *d, const struct tracker *t, struct vg_event *ev,
		       enum vg_event_type type, int64_t ts)
{
	vg_event_init(ev, type, ts);
	ev->tenant = t->tenant;
	ev->category = "intrusion_detection";
	ev->action = t->horizontal ? "network-sweep" : "port-scan";
	ev->outcome = VG_OUTCOME_UNKNOWN;
	ev->src = t->src;
	if (t->n_targets)
		ev->dst = t->targets[0];
	if (t->n_ports == 1 && t->n_port_list == 1)
		ev->dport = t->port_list[0];
	ev->proto = t->proto;
	ev->vni = t->vni;
	ev->has_vni = t->has_vni;
	ev->n_vlan = t->n_vlan;
	ev->vlan[0] = t->vlan[0];
	ev->vlan[1] = t->vlan[1];
	ev->episode_id = t->episode_id;
	ev->rule.detector = VG_DET_SCAN;
	ev->rule.gid = 1;
	ev->rule.sid = VG_SCAN_SID_BASE + t->tech + (t->horizontal ? 10u : 0u);
	ev->rule.rev = 1;
	ev->rule.signature = t->horizontal ? sig_sweep[t->tech] : sig_scan[t->tech];
	ev->rule.category = "Detection of a Network Scan";
	ev->rule.action = "allowed";
	ev->rule.severity = t->horizontal ? 2 : 3;
	struct vg_ev_scan *s = &ev->u.scan;
	s->technique = tech_name[t->tech];
	s->horizontal = t->horizontal;
	s->ports = t->n_ports;
	s->hosts = t->n_hosts;
	s->probes = t->probes;
	s->first_us = t->first_us;
	s->last_us = t->last_us;
	s->targets = t->targets;
	s->n_targets = t->n_targets;
	s->port_list = t->port_list;
	s->n_ports_listed = t->n_port_list;
	(void)d;
}

static void emit(struct vg_detect_scan *d, const struct vg_event *ev)
{
	if (vg_event_emit(d->sink, ev) < 0)
		d->st.emit_errors++;
}

static void episode_close(struct vg_detect_scan *d, struct tracker *t)
{
	struct vg_event ev;
	fill_event(d, t, &ev, VG_EVT_EPISODE, t->last_us);
	emit(d, &ev);
	d->st.episodes++;
	ep_unlink(d, t);
	t->in_episode = false;
	tracker_reset_window(d, t, t->last_us);
}

static void tracker_release(struct vg_detect_scan *d, struct tracker *t)
{
	if (t->in_episode)
		episode_close(d, t);
	tracker_sets_clear(d, t);
	free(t->tenant);
	t->tenant = NULL;
	uint32_t me = tidx(d, t);
	uint32_t *pp = &d->buckets[d->hlo[me - 1] & (d->nbuckets - 1)];
	while (*pp && *pp != me)
		pp = &d->hnext[*pp - 1];
	if (*pp)
		*pp = d->hnext[me - 1];
	d->hnext[me - 1] = NIL;
	uint8_t *c = &d->srcf[srcf_slot(d, &t->src)];
	if (*c != SRCF_SAT)
		(*c)--;
	lru_unlink(d, t);
	t->used = false;
	d->n_used--;
}

static struct tracker *tracker_create(struct vg_detect_scan *d, const struct origin *o,
				      const struct vg_addr *a, const char *tenant)
{
	struct tracker *t;
	if (d->free_head) {
		t = T(d, d->free_head);
		d->free_head = d->lnext[d->free_head - 1];
	} else if (d->n_used >= d->cfg.max_trackers) {
		t = T(d, d->lru_tail);
		tracker_release(d, t);
		d->st.evictions++;
	} else {
		/* slots are only released by eviction, which reuses them in place: the pool
		 * fills from the front */
		t = &d->pool[d->n_fresh++];
	}
	memset(t, 0, sizeof(*t));
	t->used = true;
	t->src = *a;
	t->has_vni = o->has_vni;
	t->vni = o->vni;
	t->n_vlan = o->n_vlan;
	t->vlan[0] = o->vlan[0];
	t->vlan[1] = o->vlan[1];
	if (tenant) {
		size_t n = strnlen(tenant, VG_MAX_NAME - 1);
		t->tenant = malloc(n + 1);
		if (t->tenant) {
			memcpy(t->tenant, tenant, n);
			t->tenant[n] = '\0';
		}
	}
	t->window_start = o->ts;
	uint32_t h = (uint32_t)tkey_hash(d, t->vni, t->has_vni, a), me = tidx(d, t);
	uint32_t *b = &d->buckets[h & (d->nbuckets - 1)];
	d->hlo[me - 1] = h;
	d->hnext[me - 1] = *b;
	*b = me;
	uint8_t *c = &d->srcf[srcf_slot(d, a)];
	if (*c != SRCF_SAT)
		(*c)++;
	lru_push_front(d, t);
	d->n_used++;
	d->st.trackers_created++;
	return t;
}

/* The sets are at the memcap: release the least recently active trackers (counted as
 * evictions, an open episode is closed) until need more bytes fit, so that memory held by
 * finished scans and one-probe sources goes to current scanners instead of their new
 * pairs being dropped. Never the tracker that owns s; at most RECLAIM_MAX per call. */
static void reclaim(struct vg_detect_scan *d, const struct fpset *s, uint64_t need)
{
	for (unsigned n = 0; n < RECLAIM_MAX && d->st.mem_used + need > d->cfg.memcap; n++) {
		struct tracker *v = T(d, d->lru_tail);
		if (!v || s == &v->pairs || s == &v->hosts || s == &v->ports)
			return;
		tracker_release(d, v);
		d->lnext[tidx(d, v) - 1] = d->free_head;
		d->free_head = tidx(d, v);
		d->st.evictions++;
	}
}

/* ---- pair state and thresholds ------------------------------------------------------ */

static uint64_t pair_fp(const struct vg_detect_scan *d, const struct vg_addr *tgt, uint16_t port,
			uint8_t proto)
{
	uint8_t k[20];
	k[0] = tgt->family;
	memcpy(k + 1, tgt->b, 16);
	k[17] = (uint8_t)(port >> 8);
	k[18] = (uint8_t)port;
	k[19] = proto;
	return fp_fix(vg_siphash13(&d->key, k, sizeof(k)));
}

static uint64_t host_fp(const struct vg_detect_scan *d, const struct vg_addr *tgt)
{
	return fp_fix(vg_siphash13(&d->key, tgt, sizeof(*tgt)));
}

static uint8_t choose_tech(const struct tracker *t)
{
	uint32_t syn = t->tech_count[TECH_SYN] + t->tech_count[TECH_CONNECT];
	unsigned best = TECH_SYN;
	uint32_t bestn = syn;
	for (unsigned k = TECH_FIN; k < TECH__N; k++)
		if (t->tech_count[k] > bestn) {
			bestn = t->tech_count[k];
			best = k;
		}
	if (best != TECH_SYN)
		return (uint8_t)best;
	/* SYN family: behaviour first (a half-open close is a raw-socket scanner, a completed
	 * handshake dropped without a byte is connect()), then the SYN's options: the kernel's
	 * connect() sends SACK/timestamps/window scaling, raw scanners (nmap -sS, masscan)
	 * usually only MSS. */
	if (t->n_connclose > t->n_halfopen)
		return TECH_CONNECT;
	if (t->n_halfopen > 0)
		return TECH_SYN;
	return t->syn_oslike > t->syn_raw ? TECH_CONNECT : TECH_SYN;
}

static uint32_t epoch_of(const struct vg_detect_scan *d, int64_t ts)
{
	return (uint32_t)(ts / d->cfg.window_us) + 1;
}

/* Enter epoch ep: the current count becomes the previous one when ep follows it. */
static void epoch_roll(struct sentry *x, uint32_t ep)
{
	if (x->d == ep)
		return;
	x->f = x->d + 1 == ep ? x->c : 0;
	x->c = 0;
	x->d = ep;
}

/* Sliding-window estimate of the counter (c, f) at ts, in 1/1000 units. */
static uint64_t sliding(const struct vg_detect_scan *d, const struct sentry *x, int64_t ts)
{
	uint32_t ep = epoch_of(d, ts);
	uint64_t w = (uint64_t)d->cfg.window_us;
	uint64_t into = (uint64_t)(ts % d->cfg.window_us);
	uint64_t keep = (w - into) * 1000 / w; /* share of the previous epoch still in the window */
	if (x->d == ep)
		return (uint64_t)x->c * 1000 + (uint64_t)x->f * keep;
	if (x->d + 1 == ep)
		return (uint64_t)x->c * keep;
	return 0;
}

static void maybe_alert(struct vg_detect_scan *d, struct tracker *t, const struct sentry *h,
			const struct sentry *pt, int64_t ts)
{
	if (t->in_episode)
		return;
	const struct vg_detect_scan_config *c = &d->cfg;
	bool vertical = h && (sliding(d, h, ts) >= (uint64_t)c->ports_threshold * 1000 ||
			      h->a >= c->slow_ports_threshold);
	bool sweep = pt && (sliding(d, pt, ts) >= (uint64_t)c->hosts_threshold * 1000 ||
			    pt->b >= c->slow_hosts_threshold || pt->a >= c->sweep_unanswered_hosts);
	if (!vertical && !sweep)
		return;
	t->in_episode = true;
	t->horizontal = !vertical;
	t->tech = choose_tech(t);
	t->proto = t->tech == TECH_UDP ? 17 : 6;
	t->episode_id = d->ep_prefix | (++d->ep_counter & 0xffffffffull);
	ep_link(d, t);
	struct vg_event ev;
	fill_event(d, t, &ev, VG_EVT_ALERT, ts);
	emit(d, &ev);
	d->st.alerts++;
}

/* Move pair x (target tgt, port) to state ns, updating host and port counters. */
static void pair_set(struct vg_detect_scan *d, struct tracker *t, struct pentry *x,
		     const struct vg_addr *tgt, uint16_t port, uint8_t ns, int64_t ts)
{
	uint8_t os = (uint8_t)x->a;
	uint8_t ow = st_weight[os], nw = st_weight[ns];
	x->a = ns;
	if (ns == ST_HALFOPEN)
		t->n_halfopen++;
	else if (ns == ST_CONNCLOSE)
		t->n_connclose++;
	if (ow == nw)
		return;
	struct sentry *h = set_get(d, &t->hosts, host_fp(d, tgt), HSZ);
	struct sentry *pt = set_get(d, &t->ports, (uint64_t)port + 1, HSZ);
	if (!h || !pt) {
		d->st.set_full++;
		return;
	}
	uint32_t ep = epoch_of(d, ts);
	if (nw > 0 && !x->c) {
		x->c = 1;
		t->tech_count[x->b]++;
	}
	/* host: probed ports */
	if ((ow > 0) != (nw > 0)) {
		if (nw > 0) {
			if (h->a++ == 0)
				t->n_hosts++;
			epoch_roll(h, ep);
			h->c++;
			if (pt->a++ == 0)
				t->n_ports++;
		} else {
			if (h->a && --h->a == 0)
				t->n_hosts--;
			if (h->d == ep && h->c)
				h->c--;
			if (pt->a && --pt->a == 0)
				t->n_ports--;
		}
	}
	if ((ow == 2) != (nw == 2)) {
		if (nw == 2) {
			h->b++;
			pt->b++;
			epoch_roll(pt, ep);
			pt->c++;
		} else {
			if (h->b)
				h->b--;
			if (pt->b)
				pt->b--;
			if (pt->d == ep && pt->c)
				pt->c--;
		}
	}
	if (nw > 0) {
		if (!h->e && t->n_targets < VG_SCAN_MAX_TARGETS_LISTED) {
			h->e = 1;
			t->targets[t->n_targets++] = *tgt;
		}
		if (!pt->e && t->n_port_list < VG_SCAN_MAX_PORTS_LISTED) {
			pt->e = 1;
			t->port_list[t->n_port_list++] = port;
		}
		maybe_alert(d, t, h, pt, ts);
	}
}

static struct origin origin_of(const struct vg_packet *p)
{
	struct origin o;
	memset(&o, 0, sizeof(o));
	o.ts = p->ts_us;
	o.has_vni = p->has_vni;
	o.vni = p->has_vni ? p->vni : 0;
	o.n_vlan = p->n_vlan > 2 ? 2 : p->n_vlan;
	o.vlan[0] = p->vlan[0];
	o.vlan[1] = p->vlan[1];
	return o;
}

/* ---- admission ---------------------------------------------------------------------- */

static struct first *first_slot(const struct vg_detect_scan *d, uint64_t h)
{
	return &d->first[(uint32_t)(h >> 32) & d->first_mask];
}

static bool first_is(const struct first *e, uint64_t h, const struct vg_packet *p,
		     const struct vg_addr *a)
{
	return e->h == (h | 1) && e->o.has_vni == p->has_vni &&
	       (!p->has_vni || e->o.vni == p->vni) && vg_addr_eq(&e->src, a);
}

static bool first_pair_is(const struct first *e, const struct vg_addr *tgt, uint16_t port,
			  uint8_t proto)
{
	return e->port == port && e->proto == proto && vg_addr_eq(&e->tgt, tgt);
}

static void first_drop(struct vg_detect_scan *d, struct first *e)
{
	uint8_t *c = &d->srcf[srcf_slot(d, &e->src)];
	if (*c != SRCF_SAT)
		(*c)--;
	e->h = 0;
}

/* The probe part of an entry: what a tracker's window holds after its first probe. */
static void first_set_probe(struct first *e, const struct vg_packet *p, const struct vg_addr *tgt,
			    uint16_t port, uint8_t proto, uint8_t tech, uint8_t ns)
{
	e->tgt = *tgt;
	e->port = port;
	e->proto = proto;
	e->tech = tech;
	e->st0 = e->st = ns;
	e->n_ans = 0;
	e->syn = 0;
	if (tech == TECH_SYN)
		e->syn = (p->tcp_sackok || p->tcp_ts || p->tcp_wscale != 0xff) ? 1 : 2;
	e->repeats = 0;
	e->o.ts = e->last_probe = p->ts_us;
}

/* Has this source been seen recently? Marks it in the current generation either way. */
static bool seen_test_set(struct vg_detect_scan *d, uint64_t h)
{
	uint32_t i = (uint32_t)(h >> 40) & (VG_SCAN_SEEN_BITS - 1);
	uint64_t m = 1ull << (i & 63);
	uint64_t *w = &d->seen_cur[i >> 6];
	if (*w & m)
		return true;
	bool old = (d->seen_old[i >> 6] & m) != 0;
	*w |= m;
	if (++d->n_seen >= SEEN_ROTATE) {
		uint64_t *x = d->seen_old;
		d->seen_old = d->seen_cur;
		memset(x, 0, SEEN_WORDS * sizeof(*x));
		d->seen_cur = x;
		d->n_seen = 0;
	}
	return old;
}

/* The tracker for entry e's source, with e's probe and answer replayed as the tracker
 * would have recorded them; e is emptied. */
static struct tracker *promote(struct vg_detect_scan *d, struct first *e)
{
	struct first f = *e;
	first_drop(d, e);
	struct tracker *t = tracker_create(d, &f.o, &f.src, f.tenant);
	if (!t)
		return NULL;
	d->st.first_promoted++;
	/* count_probe() for the probe and its repeats (already in st.probes) */
	t->first_us = f.o.ts;
	t->probes = 1 + (uint64_t)f.repeats;
	t->last_us = f.last_probe;
	t->last_seen = f.n_ans && f.ans_ts[f.n_ans - 1] > f.last_probe ? f.ans_ts[f.n_ans - 1]
								       : f.last_probe;
	struct pentry *x = set_get(d, &t->pairs, pair_fp(d, &f.tgt, f.port, f.proto), PSZ);
	if (!x) {
		d->st.set_full++;
		return t;
	}
	x->b = f.tech;
	if (f.syn == 1)
		t->syn_oslike++;
	else if (f.syn == 2)
		t->syn_raw++;
	pair_set(d, t, x, &f.tgt, f.port, f.st0, f.o.ts);
	for (unsigned i = 0; i < f.n_ans; i++)
		pair_set(d, t, x, &f.tgt, f.port, f.ans_st[i], f.ans_ts[i]);
	return t;
}

/* A probe from source a (hash h) that has no tracker. Returns the tracker to record it in
 * (made now: a second pair, a second state change, or a source seen recently whose first
 * probe is gone), or NULL when the probe is remembered in the admission table. */
static struct tracker *admit(struct vg_detect_scan *d, const struct vg_packet *p,
			     const char *tenant, const struct vg_addr *a, uint64_t h,
			     const struct vg_addr *tgt, uint16_t port, uint8_t proto, uint8_t tech,
			     uint8_t ns)
{
	struct first *e = first_slot(d, h);
	if (first_is(e, h, p, a)) {
		if (!first_pair_is(e, tgt, port, proto))
			return promote(d, e);
		if (p->ts_us - e->o.ts > d->cfg.slow_window_us) {
			/* the tracker's window would restart here and the pair be new again */
			first_set_probe(e, p, tgt, port, proto, tech, ns);
			d->st.probes++;
			return NULL;
		}
		if (ns == ST_STEALTH && st_weight[e->st] < 2)
			return promote(d, e);
		e->repeats++;
		e->last_probe = p->ts_us;
		d->st.probes++;
		return NULL;
	}
	if (seen_test_set(d, h)) {
		d->st.admitted_seen++;
		struct origin o = origin_of(p);
		return tracker_create(d, &o, a, tenant);
	}
	if (e->h) {
		d->st.first_overwritten++;
		first_drop(d, e);
	}
	memset(e, 0, sizeof(*e));
	e->h = h | 1;
	e->src = *a;
	e->o = origin_of(p);
	e->tenant = tenant;
	first_set_probe(e, p, tgt, port, proto, tech, ns);
	uint8_t *c = &d->srcf[srcf_slot(d, a)];
	if (*c != SRCF_SAT)
		(*c)++;
	d->st.first_probes++;
	d->st.probes++;
	return NULL;
}

/* ---- probes and answers ------------------------------------------------------------- */

/* Episode end and window restart due at a probe of t, then LRU. */
static void scanner_for_probe(struct vg_detect_scan *d, struct tracker *t, int64_t ts)
{
	if (t->in_episode && ts - t->last_us >= d->cfg.idle_timeout_us)
		episode_close(d, t);
	if (!t->in_episode && ts - t->window_start > d->cfg.slow_window_us)
		tracker_reset_window(d, t, ts);
	touch(d, t, ts);
}

static void count_probe(struct vg_detect_scan *d, struct tracker *t, int64_t ts)
{
	if (!t->probes)
		t->first_us = ts;
	t->probes++;
	t->last_us = ts;
	d->st.probes++;
}

/* A probe from scanner a to (tgt, port, proto): records the pair; new pairs take state ns. */
static void probe(struct vg_detect_scan *d, const struct vg_packet *p, const char *tenant,
		  const struct vg_addr *a, const struct vg_addr *tgt, uint16_t port, uint8_t proto,
		  uint8_t tech, uint8_t ns)
{
	uint64_t h = tkey_hash(d, p->vni, p->has_vni, a);
	struct tracker *t = NULL;
	if (d->srcf[srcf_slot(d, a)])
		t = tracker_find_h(d, (uint32_t)h, p->vni, p->has_vni, a);
	if (!t) {
		t = admit(d, p, tenant, a, h, tgt, port, proto, tech, ns);
		if (!t)
			return;
	}
	scanner_for_probe(d, t, p->ts_us);
	count_probe(d, t, p->ts_us);
	struct pentry *x = set_get(d, &t->pairs, pair_fp(d, tgt, port, proto), PSZ);
	if (!x) {
		d->st.set_full++;
		return;
	}
	if (x->a == ST_NONE) {
		x->b = tech;
		if (tech == TECH_SYN) {
			if (p->tcp_sackok || p->tcp_ts || p->tcp_wscale != 0xff)
				t->syn_oslike++;
			else
				t->syn_raw++;
		}
		pair_set(d, t, x, tgt, port, ns, p->ts_us);
	} else if (ns == ST_STEALTH && st_weight[x->a] < 2) {
		x->b = tech;
		pair_set(d, t, x, tgt, port, ns, p->ts_us);
	}
}

/* An answer or follow-up concerning pair (tgt, port, proto) of scanner a; only existing
 * trackers and pairs, and remembered first probes, are looked at. For a remembered first
 * probe *tout is NULL and the pair returned is a scratch copy: change it with pair_move. */
static struct pentry *pair_lookup(struct vg_detect_scan *d, const struct vg_packet *p,
				  const struct vg_addr *a, const struct vg_addr *tgt, uint16_t port,
				  uint8_t proto, struct tracker **tout)
{
	*tout = NULL;
	if (!d->srcf[srcf_slot(d, a)])
		return NULL;
	uint64_t h = tkey_hash(d, p->vni, p->has_vni, a);
	struct tracker *t = tracker_find_h(d, (uint32_t)h, p->vni, p->has_vni, a);
	if (!t) {
		struct first *e = first_slot(d, h);
		if (!first_is(e, h, p, a) || !first_pair_is(e, tgt, port, proto))
			return NULL;
		memset(&d->scratch, 0, sizeof(d->scratch));
		d->scratch.a = e->st;
		d->scratch_first = e;
		return &d->scratch;
	}
	struct pentry *x = set_find(&t->pairs, pair_fp(d, tgt, port, proto), PSZ);
	if (x) {
		*tout = t;
		touch(d, t, p->ts_us);
	}
	return x;
}

/* pair_set for what pair_lookup returned: a remembered first probe keeps up to
 * FIRST_ANSWERS changes; one more creates the tracker (replaying the probe and them) and
 * is applied there. A "change" to the same state only counts for the states pair_set
 * counts (half-open, connect-close); otherwise it does nothing, in pair_set too. */
static void pair_move(struct vg_detect_scan *d, struct tracker *t, struct pentry *x,
		      const struct vg_addr *tgt, uint16_t port, uint8_t ns, int64_t ts)
{
	if (t) {
		pair_set(d, t, x, tgt, port, ns, ts);
		return;
	}
	struct first *e = d->scratch_first;
	if (ns == e->st && ns != ST_HALFOPEN && ns != ST_CONNCLOSE)
		return;
	if (e->n_ans < FIRST_ANSWERS) {
		e->ans_st[e->n_ans] = ns;
		e->ans_ts[e->n_ans++] = ts;
		e->st = ns;
		return;
	}
	uint8_t proto = e->proto;
	t = promote(d, e);
	if (!t)
		return;
	touch(d, t, ts);
	x = set_find(&t->pairs, pair_fp(d, tgt, port, proto), PSZ);
	if (x)
		pair_set(d, t, x, tgt, port, ns, ts);
}

static void on_tcp(struct vg_detect_scan *d, const struct vg_packet *p, const char *tenant)
{
	uint8_t f = p->tcp_flags;
	struct tracker *t;
	struct pentry *x;
	if ((f & (VG_TH_SYN | VG_TH_ACK | VG_TH_RST)) == VG_TH_SYN) {
		probe(d, p, tenant, &p->src, &p->dst, p->dport, 6, TECH_SYN, ST_PENDING);
		return;
	}
	if ((f & (VG_TH_SYN | VG_TH_ACK | VG_TH_RST)) == 0) {
		uint8_t tech = TECH_NULL;
		if ((f & (VG_TH_FIN | VG_TH_PSH | VG_TH_URG)) == (VG_TH_FIN | VG_TH_PSH | VG_TH_URG))
			tech = TECH_XMAS;
		else if (f & VG_TH_FIN)
			tech = TECH_FIN;
		probe(d, p, tenant, &p->src, &p->dst, p->dport, 6, tech, ST_STEALTH);
		return;
	}
	if ((f & (VG_TH_SYN | VG_TH_ACK)) == (VG_TH_SYN | VG_TH_ACK)) {
		/* the target accepts: the port is open, the probe was answered */
		x = pair_lookup(d, p, &p->dst, &p->src, p->sport, 6, &t);
		if (x && (x->a == ST_PENDING || x->a == ST_REFUSED))
			pair_move(d, t, x, &p->src, p->sport, ST_OPEN, p->ts_us);
		return;
	}
	if (f & VG_TH_RST) {
		/* the scanner tearing down its own probe? */
		x = pair_lookup(d, p, &p->src, &p->dst, p->dport, 6, &t);
		if (x) {
			if (x->a == ST_OPEN)
				pair_move(d, t, x, &p->dst, p->dport, ST_HALFOPEN, p->ts_us);
			else if (x->a == ST_ESTAB)
				pair_move(d, t, x, &p->dst, p->dport, ST_CONNCLOSE, p->ts_us);
			return;
		}
		/* the target refusing a probe */
		x = pair_lookup(d, p, &p->dst, &p->src, p->sport, 6, &t);
		if (x) {
			if (x->a == ST_PENDING)
				pair_move(d, t, x, &p->src, p->sport, ST_REFUSED, p->ts_us);
			return;
		}
		/* A bare RST (no ACK bit) answers a segment that carried ACK for no connection:
		 * what an ACK scan draws. Legitimate stale connections draw it too, but on
		 * one port each, which never adds up to a scan. */
		if (!(f & VG_TH_ACK))
			probe(d, p, tenant, &p->dst, &p->src, p->sport, 6, TECH_ACK, ST_ACKRST);
		return;
	}
	/* ACK / FIN+ACK / data from a possible scanner */
	x = pair_lookup(d, p, &p->src, &p->dst, p->dport, 6, &t);
	if (!x)
		return;
	if (p->payload_len > 0) {
		pair_move(d, t, x, &p->dst, p->dport, ST_DATA, p->ts_us);
		d->settled = true;
	} else if (x->a == ST_DATA)
		d->settled = true;
	else if (x->a == ST_OPEN)
		pair_move(d, t, x, &p->dst, p->dport, ST_ESTAB, p->ts_us);
	else if (x->a == ST_ESTAB && (f & VG_TH_FIN))
		pair_move(d, t, x, &p->dst, p->dport, ST_CONNCLOSE, p->ts_us);
}

static void on_udp(struct vg_detect_scan *d, const struct vg_packet *p, const char *tenant)
{
	struct tracker *t;
	struct pentry *x = pair_lookup(d, p, &p->dst, &p->src, p->sport, 17, &t);
	if (x && (x->a == ST_PENDING || x->a == ST_REFUSED))
		pair_move(d, t, x, &p->src, p->sport, ST_UDP_ANSWERED, p->ts_us);
	/* From a service port to an ephemeral one: a reply (DNS, NTP, QUIC), not a probe. */
	if (p->sport < 1024 && p->dport >= 1024)
		return;
	if (x)
		return; /* a conversation both ways */
	probe(d, p, tenant, &p->src, &p->dst, p->dport, 17, TECH_UDP, ST_PENDING);
}

/* ICMP destination unreachable: the quoted datagram names the probe it refuses. Time
 * exceeded: the quoted probe died on the way and says nothing about the target. */
static void on_icmp(struct vg_detect_scan *d, const struct vg_packet *p)
{
	const uint8_t *q = p->l4;
	uint32_t n = p->l4_len;
	struct vg_addr osrc, odst;
	uint8_t proto;
	uint32_t l4off;
	bool expired = false;
	if (!q || n < 8)
		return;
	if (p->ip_version == 4) {
		if ((p->icmp_type != 3 && p->icmp_type != 11) || n < 8 + 20)
			return;
		expired = p->icmp_type == 11;
		if (!expired && p->icmp_code != 1 && p->icmp_code != 2 && p->icmp_code != 3 &&
		    p->icmp_code != 9 && p->icmp_code != 10 && p->icmp_code != 13)
			return;
		const uint8_t *ip = q + 8;
		if ((ip[0] >> 4) != 4)
			return;
		l4off = 8u + (uint32_t)(ip[0] & 0x0f) * 4u;
		proto = ip[9];
		vg_addr_from_v4(&osrc, ip + 12);
		vg_addr_from_v4(&odst, ip + 16);
	} else if (p->ip_version == 6) {
		if ((p->icmp_type != 1 && p->icmp_type != 3) || n < 8 + 40)
			return;
		expired = p->icmp_type == 3;
		if (!expired && p->icmp_code != 1 && p->icmp_code != 3 && p->icmp_code != 4)
			return;
		const uint8_t *ip = q + 8;
		if ((ip[0] >> 4) != 6)
			return;
		l4off = 8u + 40u;
		proto = ip[6];
		vg_addr_from_v6(&osrc, ip + 8);
		vg_addr_from_v6(&odst, ip + 24);
	} else {
		return;
	}
	if ((proto != 6 && proto != 17) || n < l4off + 4)
		return;
	uint16_t dport = (uint16_t)(q[l4off + 2] << 8 | q[l4off + 3]);
	struct tracker *t;
	struct pentry *x = pair_lookup(d, p, &osrc, &odst, dport, proto, &t);
	if (x && x->a == ST_PENDING)
		pair_move(d, t, x, &odst, dport, expired ? ST_TTL_EXPIRED : ST_REFUSED, p->ts_us);
}

int vg_detect_scan_flow_packet(struct vg_detect_scan *d, const struct vg_packet *p,
			       const char *tenant, bool from_client, uint8_t *flow_bits)
{
	if (!d || !p || !flow_bits)
		return VG_EINVAL;
	bool tcp = (p->flags & VG_PKT_TCP) && !(p->flags & VG_PKT_INVALID);
	if (tcp && *flow_bits && (p->tcp_flags & (VG_TH_ACK | VG_TH_RST))) {
		d->st.packets++;
		d->st.settled_skipped++;
		return 0;
	}
	d->settled = false;
	int rc = vg_detect_scan_packet(d, p, tenant);
	/* a probe (SYN, stealth) re-decides: its pair may be new */
	if (tcp)
		*flow_bits = d->settled && from_client;
	return rc;
}

int vg_detect_scan_packet(struct vg_detect_scan *d, const struct vg_packet *p, const char *tenant)
{
	if (!d || !p)
		return VG_EINVAL;
	d->st.packets++;
	if ((p->flags & VG_PKT_INVALID) || p->ip_version == 0)
		return 0;
	/* Non-first fragments carry no transport header. */
	if ((p->flags & VG_PKT_FRAGMENT) && p->frag_offset != 0)
		return 0;
	if (p->flags & VG_PKT_TCP)
		on_tcp(d, p, tenant);
	else if (p->flags & VG_PKT_UDP)
		on_udp(d, p, tenant);
	else if (p->flags & VG_PKT_ICMP)
		on_icmp(d, p);
	d->st.trackers_in_use = d->n_used;
	return 0;
}

void vg_detect_scan_tick(struct vg_detect_scan *d, int64_t now_us)
{
	if (!d)
		return;
	uint32_t i = d->ep_head;
	while (i) {
		struct tracker *t = T(d, i);
		i = t->ep_next;
		if (now_us - t->last_us >= d->cfg.idle_timeout_us)
			episode_close(d, t);
	}
}

void vg_detect_scan_finish(struct vg_detect_scan *d, int64_t now_us)
{
	(void)now_us;
	if (!d)
		return;
	while (d->ep_head)
		episode_close(d, T(d, d->ep_head));
}

void vg_detect_scan_get_stats(const struct vg_detect_scan *d, struct vg_detect_scan_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!d)
		return;
	*out = d->st;
	out->trackers_in_use = d->n_used;
}

int vg_detect_scan_new(const struct vg_detect_scan_config *cfg, const struct vg_event_sink *sink,
		       struct vg_detect_scan **out)
{
	int rc = VG_ENOMEM;
	*out = NULL;
	struct vg_detect_scan *d = calloc(1, sizeof(*d));
	if (!d)
		return VG_ENOMEM;
	if (cfg)
		d->cfg = *cfg;
	else
		vg_detect_scan_config_default(&d->cfg);
	struct vg_detect_scan_config *c = &d->cfg;
	c->max_trackers = (uint32_t)vg_clamp_u64(c->max_trackers, 1, VG_SCAN_MAX_TRACKERS);
	c->memcap = vg_clamp_u64(c->memcap, 1ull << 20, VG_SCAN_MAX_MEMCAP);
	if (c->ports_threshold < 2)
		c->ports_threshold = 2;
	if (c->hosts_threshold < 2)
		c->hosts_threshold = 2;
	if (c->slow_ports_threshold < c->ports_threshold)
		c->slow_ports_threshold = c->ports_threshold;
	if (c->slow_hosts_threshold < c->hosts_threshold)
		c->slow_hosts_threshold = c->hosts_threshold;
	if (c->sweep_unanswered_hosts < c->hosts_threshold)
		c->sweep_unanswered_hosts = c->hosts_threshold;
	if (c->window_us < 1000000)
		c->window_us = 1000000;
	if (c->slow_window_us < c->window_us)
		c->slow_window_us = c->window_us;
	if (c->idle_timeout_us < 1000000)
		c->idle_timeout_us = 1000000;
	d->sink = sink;
	d->nbuckets = 1;
	while (d->nbuckets < c->max_trackers)
		d->nbuckets <<= 1;
	d->pool = vg_mem_map_zeroed((size_t)c->max_trackers * sizeof(*d->pool));
	d->buckets = calloc(d->nbuckets, sizeof(*d->buckets));
	d->hnext = calloc(c->max_trackers, sizeof(*d->hnext));
	d->hlo = calloc(c->max_trackers, sizeof(*d->hlo));
	d->lprev = calloc(c->max_trackers, sizeof(*d->lprev));
	d->lnext = calloc(c->max_trackers, sizeof(*d->lnext));
	d->srcf_mask = d->nbuckets * 4 - 1;
	d->srcf = calloc((size_t)d->srcf_mask + 1, 1);
	/* admission table: max_trackers / 2 slots (a power of two, 64..VG_SCAN_MAX_FIRST_SLOTS) */
	uint32_t nfirst = 64;
	while (nfirst < c->max_trackers / 2 && nfirst < VG_SCAN_MAX_FIRST_SLOTS)
		nfirst <<= 1;
	d->first_mask = nfirst - 1;
	d->first = vg_mem_map_zeroed((size_t)nfirst * sizeof(*d->first));
	d->seen_cur = calloc(SEEN_WORDS, sizeof(uint64_t));
	d->seen_old = calloc(SEEN_WORDS, sizeof(uint64_t));
	if (vg_blocks_init(&d->blocks, (size_t)c->memcap) < 0)
		goto fail;
	if (!d->pool || !d->buckets || !d->hnext || !d->hlo || !d->lprev || !d->lnext ||
	    !d->srcf || !d->first || !d->seen_cur || !d->seen_old)
		goto fail;
	rc = vg_random_bytes(d->srcf_k, sizeof(d->srcf_k));
	if (rc < 0)
		goto fail;
	rc = vg_hash_key_random(&d->key);
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
	vg_detect_scan_free(d);
	return rc;
}

void vg_detect_scan_free(struct vg_detect_scan *d)
{
	if (!d)
		return;
	if (d->pool) {
		for (uint32_t i = 0; i < d->n_fresh; i++) {
			struct tracker *t = &d->pool[i];
			tracker_sets_clear(d, t);
			free(t->tenant);
		}
	}
	vg_blocks_destroy(&d->blocks);
	vg_mem_unmap(d->pool, (size_t)d->cfg.max_trackers * sizeof(*d->pool));
	free(d->buckets);
	free(d->hnext);
	free(d->hlo);
	free(d->lprev);
	free(d->lnext);
	free(d->srcf);
	vg_mem_unmap(d->first, (size_t)(d->first_mask + 1) * sizeof(*d->first));
	free(d->seen_cur);
	free(d->seen_old);
	free(d);
}
