/* flow.c — flow table: keyed hash, record pool, TCP tracking, timeouts, memcap policies.
 *
 * Layout (see flow.h for the contract):
 *  - pool: one anonymous mapping of max_flows records, sized from the memcap. Pages are
 *    only backed when first touched, so a large memcap costs nothing until flows exist.
 *    Records are handed out by a bump index and recycled through a free list.
 *  - buckets: power-of-two array of chain heads (pool index + 1). Mapped for ~1 bucket
 *    per record of the memcap, but only the first bucket_mask + 1 are used: the table
 *    starts at FLOW_MIN_BUCKETS and doubles when it holds more flows than buckets (each
 *    chain split in two by the next hash bit; records keep their hash). A lookup misses
 *    the cache on its bucket: a bucket array sized to the flows actually present (a few
 *    hundred KiB for ~100k flows) stays in cache where the full-memcap one (8 MiB for the
 *    default) does not. Doubling costs one pass over the flows, O(flows) amortised.
 *  - timeout classes: one doubly linked list per class (tcp new/established/closed,
 *    udp new/established, other new/established). Each class has a single timeout. A
 *    record is (re)queued at the tail of its class list when its class changes or when
 *    its last queueing was in an earlier second of packet time, so each list is ordered
 *    by queueing second (lru_s, a lower bound of last-seen) and expiry only looks at
 *    heads. Requeueing at most once per second per flow keeps the two random memory
 *    accesses of an unlink off the per-packet path for busy flows. The least recently
 *    seen flow overall is (to a second) the oldest of the class heads: evict-oldest. */
#include "flow/flow.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"
#include "core/core-hash.h"
#include "core/core-mem.h"

enum {
	TC_TCP_NEW = 0,
	TC_TCP_EST,
	TC_TCP_CLOSED,
	TC_UDP_NEW,
	TC_UDP_EST,
	TC_OTHER_NEW,
	TC_OTHER_EST,
	TC__N,
};

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ICMP_ 1
#define IPPROTO_ICMPV6_ 58

_Static_assert(sizeof(struct vg_flow_key) == 48, "flow key must have no padding");
/* Three cache lines per record: 1M flows in ~190 MiB (the 1M-flow memory target); the
 * per-packet fields in the first two (flow.h). The pool is page aligned. */
_Static_assert(sizeof(struct vg_flow) == 192, "flow record must stay three cache lines");
_Static_assert(offsetof(struct vg_flow, last_us) == 64 && offsetof(struct vg_flow, flow_id) == 128,
	       "per-packet fields in the second cache line");

/* Buckets in use at creation (or all of them for a smaller memcap); see buckets_grow. */
#define FLOW_MIN_BUCKETS 4096u

struct flow_list {
	uint32_t head, tail; /* pool index + 1 */
};

struct vg_flow_table {
	struct vg_flow_config cfg;
	struct vg_event_sink sink;
	struct vg_hash_key hkey;

	struct vg_flow *pool;
	size_t pool_bytes;       /* mapped length */
	uint32_t max_flows;
	uint32_t bump;           /* records [0, bump) have been handed out at least once */
	uint32_t free_head;      /* free list through hnext, pool index + 1 */

	uint32_t *buckets;
	uint32_t bucket_mask;    /* buckets in use - 1 */
	uint32_t bucket_max_mask; /* buckets mapped - 1 */
	uint64_t bucket_bytes;

	struct flow_list lists[TC__N];
	int64_t to_us[TC__N];    /* current timeouts (normal or emergency), microseconds */

	void (*end_hook)(void *ctx, struct vg_flow *f, const char *reason);
	void *end_ctx;
	void (*free_fn[VG_FLOW_MAX_STORAGE])(void *);
	int n_storage;

	uint64_t next_flow_id;
	int64_t base_us;         /* packet time of the first packet: origin of lru_s */
	bool have_base;
	struct vg_flow_stats st;
};

void vg_flow_config_default(struct vg_flow_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->memcap = VG_FLOW_DEFAULT_MEMCAP;
	cfg->policy = VG_FLOW_POLICY_EVICT_OLDEST;
	cfg->timeouts = (struct vg_flow_timeouts){
		.tcp_new = 30, .tcp_est = 600, .tcp_closed = 10,
		.udp_new = 30, .udp_est = 300, .other_new = 30, .other_est = 300,
	};
	cfg->emergency = (struct vg_flow_timeouts){
		.tcp_new = 10, .tcp_est = 100, .tcp_closed = 5,
		.udp_new = 10, .udp_est = 100, .other_new = 10, .other_est = 100,
	};
	cfg->emergency_recovery_pct = 70;
}

int vg_flow_policy_parse(const char *s, enum vg_flow_policy *out)
{
	*out = VG_FLOW_POLICY_EVICT_OLDEST;
	if (!s)
		return VG_EINVAL;
	if (strcmp(s, "evict-oldest") == 0)
		return 0;
	if (strcmp(s, "emergency") == 0) {
		*out = VG_FLOW_POLICY_EMERGENCY;
		return 0;
	}
	return VG_EINVAL;
}

static uint32_t clamp_to(uint32_t v)
{
	return v > VG_FLOW_MAX_TIMEOUT_S ? VG_FLOW_MAX_TIMEOUT_S : v;
}

static void set_timeouts(struct vg_flow_table *t, const struct vg_flow_timeouts *to)
{
	t->to_us[TC_TCP_NEW] = (int64_t)clamp_to(to->tcp_new) * 1000000;
	t->to_us[TC_TCP_EST] = (int64_t)clamp_to(to->tcp_est) * 1000000;
	t->to_us[TC_TCP_CLOSED] = (int64_t)clamp_to(to->tcp_closed) * 1000000;
	t->to_us[TC_UDP_NEW] = (int64_t)clamp_to(to->udp_new) * 1000000;
	t->to_us[TC_UDP_EST] = (int64_t)clamp_to(to->udp_est) * 1000000;
	t->to_us[TC_OTHER_NEW] = (int64_t)clamp_to(to->other_new) * 1000000;
	t->to_us[TC_OTHER_EST] = (int64_t)clamp_to(to->other_est) * 1000000;
}

static inline struct vg_flow *at(const struct vg_flow_table *t, uint32_t idx1)
{
	return &t->pool[idx1 - 1];
}

static inline uint32_t idx_of(const struct vg_flow_table *t, const struct vg_flow *f)
{
	return (uint32_t)(f - t->pool) + 1;
}

int vg_flow_table_new(const struct vg_flow_config *cfg, const struct vg_event_sink *sink,
		      struct vg_flow_table **out)
{
	struct vg_flow_table *t = NULL;
	int rc;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return VG_ENOMEM;
	if (cfg)
		t->cfg = *cfg;
	else
		vg_flow_config_default(&t->cfg);
	if (sink)
		t->sink = *sink;
	if (t->cfg.policy != VG_FLOW_POLICY_EVICT_OLDEST && t->cfg.policy != VG_FLOW_POLICY_EMERGENCY) {
		rc = VG_EINVAL;
		goto fail;
	}
	if (t->cfg.memcap < VG_FLOW_MIN_MEMCAP)
		t->cfg.memcap = VG_FLOW_MIN_MEMCAP;
	if (t->cfg.memcap > VG_FLOW_MAX_MEMCAP)
		t->cfg.memcap = VG_FLOW_MAX_MEMCAP;
	if (t->cfg.emergency_recovery_pct == 0 || t->cfg.emergency_recovery_pct > 99)
		t->cfg.emergency_recovery_pct = 70;

	rc = vg_hash_key_random(&t->hkey);
	if (rc < 0)
		goto fail;

	/* Size: one 4-byte bucket per record at most; the records get the rest. */
	uint64_t est = t->cfg.memcap / (sizeof(struct vg_flow) + sizeof(uint32_t));
	uint64_t nb = 1024;
	while (nb < est)
		nb <<= 1;
	t->bucket_bytes = nb * sizeof(uint32_t);
	if (t->bucket_bytes >= t->cfg.memcap) {
		rc = VG_EINVAL;
		goto fail;
	}
	uint64_t mf = (t->cfg.memcap - t->bucket_bytes) / sizeof(struct vg_flow);
	if (mf > UINT32_MAX - 1)
		mf = UINT32_MAX - 1;
	if (mf < 1) {
		rc = VG_EINVAL;
		goto fail;
	}
	t->max_flows = (uint32_t)mf;
	t->bucket_max_mask = (uint32_t)(nb - 1);
	t->bucket_mask = (uint32_t)((nb < FLOW_MIN_BUCKETS ? nb : FLOW_MIN_BUCKETS) - 1);
	t->buckets = vg_mem_map_zeroed((size_t)t->bucket_bytes);
	if (!t->buckets) {
		rc = VG_ENOMEM;
		goto fail;
	}
	t->pool_bytes = (size_t)mf * sizeof(struct vg_flow);
	t->pool = vg_mem_map_zeroed(t->pool_bytes);
	if (!t->pool) {
		rc = VG_ENOMEM;
		goto fail;
	}
	set_timeouts(t, &t->cfg.timeouts);
	t->next_flow_id = 1;
	t->st.memcap = t->cfg.memcap;
	t->st.max_flows = t->max_flows;
	t->st.memuse = t->bucket_bytes;
	*out = t;
	return 0;
fail:
	vg_flow_table_free(t);
	return rc;
}

static void free_storage(struct vg_flow_table *t, struct vg_flow *f)
{
	for (int i = 0; i < t->n_storage; i++) {
		if (f->storage[i] && t->free_fn[i])
			t->free_fn[i](f->storage[i]);
		f->storage[i] = NULL;
	}
}

void vg_flow_table_free(struct vg_flow_table *t)
{
	if (!t)
		return;
	if (t->pool) {
		for (int c = 0; c < TC__N && t->n_storage > 0; c++) {
			for (uint32_t i = t->lists[c].head; i; i = at(t, i)->lnext)
				free_storage(t, at(t, i));
		}
		vg_mem_unmap(t->pool, t->pool_bytes);
	}
	if (t->buckets)
		vg_mem_unmap(t->buckets, (size_t)t->bucket_bytes);
	free(t);
}

/* ---- lists -------------------------------------------------------------------- */

static void list_unlink(struct vg_flow_table *t, struct vg_flow *f)
{
	struct flow_list *l = &t->lists[f->tclass];
	if (f->lprev)
		at(t, f->lprev)->lnext = f->lnext;
	else
		l->head = f->lnext;
	if (f->lnext)
		at(t, f->lnext)->lprev = f->lprev;
	else
		l->tail = f->lprev;
	f->lprev = f->lnext = 0;
}

/* Seconds of packet time since the table's first packet (0 before it), saturating. */
static uint32_t rel_s(const struct vg_flow_table *t, int64_t us)
{
	if (!t->have_base || us <= t->base_us)
		return 0;
	uint64_t d = ((uint64_t)us - (uint64_t)t->base_us) / 1000000;
	return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

static void list_append(struct vg_flow_table *t, struct vg_flow *f, uint8_t c, uint32_t now_s)
{
	struct flow_list *l = &t->lists[c];
	uint32_t i = idx_of(t, f);
	f->tclass = c;
	f->lru_s = now_s;
	f->lnext = 0;
	f->lprev = l->tail;
	if (l->tail)
		at(t, l->tail)->lnext = i;
	else
		l->head = i;
	l->tail = i;
}

static uint8_t class_of(const struct vg_flow *f)
{
	bool both = (f->flags & (VG_FLOW_F_SEEN_TS | VG_FLOW_F_SEEN_TC)) ==
		    (VG_FLOW_F_SEEN_TS | VG_FLOW_F_SEEN_TC);
	switch (f->key.proto) {
	case IPPROTO_TCP_:
		if (f->tcp_state >= VG_TCP_FIN_WAIT)
			return TC_TCP_CLOSED;
		if (f->tcp_state == VG_TCP_ESTABLISHED)
			return TC_TCP_EST;
		return TC_TCP_NEW;
	case IPPROTO_UDP_:
		return both ? TC_UDP_EST : TC_UDP_NEW;
	default:
		return both ? TC_OTHER_EST : TC_OTHER_NEW;
	}
}

/* ---- events ------------------------------------------------------------------- */

const char *vg_flow_state_name(const struct vg_flow *f)
{
	if (f->key.proto == IPPROTO_TCP_) {
		if (f->tcp_state >= VG_TCP_FIN_WAIT)
			return "closed";
		return f->tcp_state == VG_TCP_ESTABLISHED ? "established" : "new";
	}
	return (f->flags & VG_FLOW_F_SEEN_TC) && (f->flags & VG_FLOW_F_SEEN_TS) ? "established" : "new";
}

const char *vg_flow_tcp_state_name(unsigned s)
{
	static const char *const names[] = { "none", "syn_sent", "syn_recv", "established",
					     "fin_wait", "closing", "closed" };
	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

static void set_addr(struct vg_addr *a, uint8_t family, const uint8_t b[16])
{
	a->family = family;
	memcpy(a->b, b, 16);
}

void vg_flow_fill_event(const struct vg_flow *f, const char *reason, int64_t ts_us,
			struct vg_event *ev)
{
	const struct vg_flow_key *k = &f->key;
	bool a1 = (f->flags & VG_FLOW_F_INIT_A1) != 0;

	vg_event_init(ev, VG_EVT_FLOW, ts_us);
	ev->tenant = f->tenant;
	ev->category = "network";
	ev->action = "flow";
	set_addr(&ev->src, k->family, a1 ? k->a1 : k->a2);
	set_addr(&ev->dst, k->family, a1 ? k->a2 : k->a1);
	ev->proto = k->proto;
	if (k->proto == IPPROTO_TCP_ || k->proto == IPPROTO_UDP_ || k->proto == 132) {
		ev->sport = a1 ? k->p1 : k->p2;
		ev->dport = a1 ? k->p2 : k->p1;
	}
	ev->has_vni = k->has_vni != 0;
	ev->vni = k->vni;
	ev->n_vlan = k->n_vlan;
	ev->vlan[0] = k->vlan[0];
	ev->vlan[1] = k->vlan[1];
	ev->flow_id = f->flow_id;
	ev->app_proto = f->app_proto;
	ev->u.flow.pkts_toserver = f->pkts[VG_FLOW_TOSERVER];
	ev->u.flow.pkts_toclient = f->pkts[VG_FLOW_TOCLIENT];
	ev->u.flow.bytes_toserver = f->bytes[VG_FLOW_TOSERVER];
	ev->u.flow.bytes_toclient = f->bytes[VG_FLOW_TOCLIENT];
	ev->u.flow.start_us = f->start_us;
	ev->u.flow.end_us = f->last_us;
	ev->u.flow.tcp_flags_ts = f->tcp_flags[VG_FLOW_TOSERVER];
	ev->u.flow.tcp_flags_tc = f->tcp_flags[VG_FLOW_TOCLIENT];
	ev->u.flow.state = vg_flow_state_name(f);
	ev->u.flow.reason = reason;
	ev->u.flow.app_proto = f->app_proto;
	ev->u.flow.alerted = f->alerted;
}

/* ---- hash --------------------------------------------------------------------- */

_Static_assert(sizeof(struct vg_flow_key) - offsetof(struct vg_flow_key, p1) == 16,
	       "ports..n_vlan are the key's last 16 bytes");

/* IPv4 keys hash only the 4 meaningful bytes of each address (24 bytes instead of 48):
 * SipHash cost is per 8-byte block and this is on every packet. */
static uint32_t key_hash(const struct vg_flow_table *t, const struct vg_flow_key *k)
{
	if (k->family == VG_AF_INET) {
		uint8_t b[24];
		memcpy(b, k->a1, 4);
		memcpy(b + 4, k->a2, 4);
		memcpy(b + 8, (const uint8_t *)k + offsetof(struct vg_flow_key, p1), 16);
		return (uint32_t)vg_siphash13(&t->hkey, b, sizeof(b));
	}
	return (uint32_t)vg_siphash13(&t->hkey, k, sizeof(*k));
}

static void hash_unlink(struct vg_flow_table *t, struct vg_flow *f)
{
	uint32_t me = idx_of(t, f);
	uint32_t *pp = &t->buckets[f->hash & t->bucket_mask];
	while (*pp && *pp != me)
		pp = &at(t, *pp)->hnext;
	if (*pp)
		*pp = f->hnext;
	f->hnext = 0;
}

/* Double the buckets in use: chain i splits into i and i + old size by the next bit of
 * each record's hash. The buckets past the old size are still zero: never shrunk. */
static void buckets_grow(struct vg_flow_table *t)
{
	uint32_t n = t->bucket_mask + 1;
	for (uint32_t b = 0; b < n; b++) {
		uint32_t lo = 0, hi = 0;
		for (uint32_t i = t->buckets[b]; i;) {
			struct vg_flow *f = at(t, i);
			uint32_t next = f->hnext;
			uint32_t *head = (f->hash & n) ? &hi : &lo;
			f->hnext = *head;
			*head = i;
			i = next;
		}
		t->buckets[b] = lo;
		t->buckets[b + n] = hi;
	}
	t->bucket_mask = 2 * n - 1;
}

/* End a flow: report it, free its storage, return the record to the pool. */
static void end_flow(struct vg_flow_table *t, struct vg_flow *f, const char *reason)
{
	if (t->end_hook)
		t->end_hook(t->end_ctx, f, reason);
	if (t->sink.emit) {
		struct vg_event ev;
		/* EVE flow records are stamped with the flow's start, as Suricata does. */
		vg_flow_fill_event(f, reason, f->start_us, &ev);
		if (vg_event_emit(&t->sink, &ev) < 0)
			t->st.events_failed++;
	}
	free_storage(t, f);
	hash_unlink(t, f);
	list_unlink(t, f);
	f->in_use = false;
	f->hnext = t->free_head;
	t->free_head = idx_of(t, f);
	t->st.flows_active--;
	t->st.memuse -= sizeof(struct vg_flow);
}

static bool expired(const struct vg_flow_table *t, const struct vg_flow *f, int64_t now_us)
{
	/* Unsigned difference: callers' times are bounded (capture clamps them), but a
	 * difference of two arbitrary int64 values could overflow. */
	return now_us > f->last_us &&
	       (uint64_t)now_us - (uint64_t)f->last_us > (uint64_t)t->to_us[f->tclass];
}

uint64_t vg_flow_timeout(struct vg_flow_table *t, int64_t now_us)
{
	uint64_t n = 0;
	for (int c = 0; c < TC__N; c++) {
		while (t->lists[c].head) {
			struct vg_flow *f = at(t, t->lists[c].head);
			/* Stop at the first head that has not expired: the list is in lru_s order
			 * and lru_s is the second of its last packet, so what follows was seen at
			 * most a second earlier. A flow queued in the same second as a more
			 * recently active head can therefore be reported up to 1 s late (its
			 * record still carries its exact last-seen time; a packet arriving for it
			 * meanwhile expires it exactly, in vg_flow_handle_packet). */
			if (!expired(t, f, now_us))
				break;
			end_flow(t, f, "timeout");
			n++;
		}
	}
	t->st.flows_timeout += n;
	if (t->st.emergency_active &&
	    t->st.flows_active * 100 <= (uint64_t)t->max_flows * t->cfg.emergency_recovery_pct) {
		t->st.emergency_active = false;
		t->st.emergency_mode_exited++;
		set_timeouts(t, &t->cfg.timeouts);
	}
	return n;
}

uint64_t vg_flow_flush(struct vg_flow_table *t, const char *reason)
{
	uint64_t n = 0;
	for (int c = 0; c < TC__N; c++) {
		while (t->lists[c].head) {
			end_flow(t, at(t, t->lists[c].head), reason);
			n++;
		}
	}
	t->st.flows_flushed += n;
	return n;
}

/* The least recently seen flow, to a second: the oldest head among the class lists. */
static struct vg_flow *oldest(struct vg_flow_table *t)
{
	struct vg_flow *best = NULL;
	for (int c = 0; c < TC__N; c++) {
		if (!t->lists[c].head)
			continue;
		struct vg_flow *f = at(t, t->lists[c].head);
		if (!best || f->lru_s < best->lru_s ||
		    (f->lru_s == best->lru_s && f->last_us < best->last_us))
			best = f;
	}
	return best;
}

static struct vg_flow *pool_get(struct vg_flow_table *t)
{
	struct vg_flow *f;
	if (t->free_head) {
		f = at(t, t->free_head);
		t->free_head = f->hnext;
		/* The next new flow takes the next free record: ended by a timeout, it is long
		 * out of cache, and the memset below would stall on each of its three lines. */
		if (t->free_head) {
			const uint8_t *n = (const uint8_t *)at(t, t->free_head);
			__builtin_prefetch(n, 1);
			__builtin_prefetch(n + 64, 1);
			__builtin_prefetch(n + 128, 1);
		}
	} else if (t->bump < t->max_flows) {
		f = &t->pool[t->bump++];
	} else {
		return NULL;
	}
	memset(f, 0, sizeof(*f));
	return f;
}

/* A record for a new flow, applying the memcap policy when the pool is exhausted. */
static struct vg_flow *alloc_flow(struct vg_flow_table *t, int64_t now_us)
{
	struct vg_flow *f = pool_get(t);
	if (f)
		return f;
	if (t->cfg.policy == VG_FLOW_POLICY_EVICT_OLDEST) {
		struct vg_flow *o = oldest(t);
		if (!o)
			return NULL;
		end_flow(t, o, "memcap");
		t->st.flows_evicted++;
		return pool_get(t);
	}
	if (!t->st.emergency_active) {
		t->st.emergency_active = true;
		t->st.emergency_mode_entered++;
		set_timeouts(t, &t->cfg.emergency);
	}
	vg_flow_timeout(t, now_us);
	return pool_get(t);
}

/* ---- key ---------------------------------------------------------------------- */

static bool icmp_is_query(uint8_t proto, uint8_t type)
{
	if (proto == IPPROTO_ICMP_) /* echo, timestamp, info, address mask */
		return type == 8 || type == 0 || type == 13 || type == 14 || type == 15 ||
		       type == 16 || type == 17 || type == 18;
	return type == 128 || type == 129; /* ICMPv6 echo */
}

static bool icmp_is_reply(uint8_t proto, uint8_t type)
{
	if (proto == IPPROTO_ICMP_)
		return type == 0 || type == 14 || type == 16 || type == 18;
	return type == 129;
}

/* memcmp(a, b, 16)'s sign, inline: two big-endian 8-byte compares (lexicographic order
 * of the bytes), on every packet. */
static inline int addr_cmp(const uint8_t a[16], const uint8_t b[16])
{
	uint64_t a0, a1, b0, b1;
	memcpy(&a0, a, 8);
	memcpy(&a1, a + 8, 8);
	memcpy(&b0, b, 8);
	memcpy(&b1, b + 8, 8);
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	a0 = __builtin_bswap64(a0);
	a1 = __builtin_bswap64(a1);
	b0 = __builtin_bswap64(b0);
	b1 = __builtin_bswap64(b1);
#endif
	if (a0 != b0)
		return a0 < b0 ? -1 : 1;
	if (a1 != b1)
		return a1 < b1 ? -1 : 1;
	return 0;
}

/* Build the normalized key; *pkt_is_a1 says whether the packet's source is key side 1. */
static int make_key(const struct vg_packet *p, struct vg_flow_key *k, bool *pkt_is_a1)
{
	uint16_t sp, dp;

	memset(k, 0, sizeof(*k));
	*pkt_is_a1 = true;
	if ((p->flags & VG_PKT_INVALID) || (p->ip_version != 4 && p->ip_version != 6))
		return VG_EINVAL;
	k->family = p->ip_version == 4 ? VG_AF_INET : VG_AF_INET6;
	k->proto = p->proto;
	k->has_vni = p->has_vni ? 1 : 0;
	k->vni = p->has_vni ? p->vni : 0;
	k->n_vlan = p->n_vlan > 2 ? 2 : p->n_vlan;
	for (unsigned i = 0; i < k->n_vlan; i++)
		k->vlan[i] = p->vlan[i];

	if (p->proto == IPPROTO_ICMP_ || p->proto == IPPROTO_ICMPV6_) {
		/* Queries and their replies share a flow through the identifier; other ICMP
		 * messages are grouped by (type, code) between the two hosts. */
		if (icmp_is_query(p->proto, p->icmp_type)) {
			sp = dp = p->icmp_id;
		} else {
			sp = (uint16_t)(p->icmp_type << 8 | p->icmp_code);
			dp = 0;
		}
	} else {
		sp = p->sport;
		dp = p->dport;
	}

	int c = addr_cmp(p->src.b, p->dst.b);
	if (c < 0 || (c == 0 && sp <= dp)) {
		memcpy(k->a1, p->src.b, 16);
		memcpy(k->a2, p->dst.b, 16);
		k->p1 = sp;
		k->p2 = dp;
	} else {
		memcpy(k->a1, p->dst.b, 16);
		memcpy(k->a2, p->src.b, 16);
		k->p1 = dp;
		k->p2 = sp;
		*pkt_is_a1 = false;
	}
	return 0;
}

/* ---- TCP ---------------------------------------------------------------------- */

static void tcp_update(struct vg_flow *f, int dir, uint8_t fl)
{
	bool syn = fl & VG_TH_SYN, ack = fl & VG_TH_ACK, fin = fl & VG_TH_FIN;

	if (fl & VG_TH_RST) {
		f->flags |= VG_FLOW_F_RST;
		f->tcp_state = VG_TCP_CLOSED;
		return;
	}
	if (f->tcp_state == VG_TCP_CLOSED)
		return;
	if (ack)
		f->flags |= dir == VG_FLOW_TOSERVER ? VG_FLOW_F_ACK_TS : VG_FLOW_F_ACK_TC;

	switch (f->tcp_state) {
	case VG_TCP_NONE:
		if (syn && !ack && dir == VG_FLOW_TOSERVER)
			f->tcp_state = VG_TCP_SYN_SENT;
		else if (syn && ack && dir == VG_FLOW_TOCLIENT)
			f->tcp_state = VG_TCP_SYN_RECV; /* picked up at the SYN/ACK */
		else if (!syn && (f->flags & VG_FLOW_F_ACK_TS) && (f->flags & VG_FLOW_F_ACK_TC))
			f->tcp_state = VG_TCP_ESTABLISHED; /* midstream: ACKs both ways */
		break;
	case VG_TCP_SYN_SENT:
		if (syn && ack && dir == VG_FLOW_TOCLIENT)
			f->tcp_state = VG_TCP_SYN_RECV;
		break;
	case VG_TCP_SYN_RECV:
		if (ack && !syn && dir == VG_FLOW_TOSERVER)
			f->tcp_state = VG_TCP_ESTABLISHED;
		break;
	case VG_TCP_CLOSING:
		/* Both FINs seen: the ACK of the second one completes the close. */
		if (ack && !fin) {
			f->tcp_state = VG_TCP_CLOSED;
			return;
		}
		break;
	default:
		break;
	}
	if (fin) {
		f->flags |= dir == VG_FLOW_TOSERVER ? VG_FLOW_F_FIN_TS : VG_FLOW_F_FIN_TC;
		if ((f->flags & VG_FLOW_F_FIN_TS) && (f->flags & VG_FLOW_F_FIN_TC))
			f->tcp_state = VG_TCP_CLOSING;
		else if (f->tcp_state < VG_TCP_FIN_WAIT)
			f->tcp_state = VG_TCP_FIN_WAIT;
	}
}

/* ---- packets ------------------------------------------------------------------ */

void vg_flow_prepare(const struct vg_flow_table *t, const struct vg_packet *pkt,
		     struct vg_flow_lookup *lk)
{
	lk->valid = make_key(pkt, &lk->key, &lk->is_a1) == 0;
	lk->hash = lk->valid ? key_hash(t, &lk->key) : 0;
}

void vg_flow_prefetch_bucket(const struct vg_flow_table *t, const struct vg_flow_lookup *lk)
{
	if (lk->valid)
		__builtin_prefetch(&t->buckets[lk->hash & t->bucket_mask]);
}

void vg_flow_prefetch_record(const struct vg_flow_table *t, const struct vg_flow_lookup *lk)
{
	if (!lk->valid)
		return;
	uint32_t i = t->buckets[lk->hash & t->bucket_mask];
	if (i) {
		const struct vg_flow *f = at(t, i);
		__builtin_prefetch(f);                           /* key line */
		__builtin_prefetch((const uint8_t *)f + 64, 1);  /* per-packet line */
	}
}

int vg_flow_handle_packet(struct vg_flow_table *t, const struct vg_packet *pkt, int64_t now_us,
			  struct vg_flow **flow_out, int *dir_out)
{
	struct vg_flow_lookup lk;
	vg_flow_prepare(t, pkt, &lk);
	return vg_flow_handle_prepared(t, pkt, &lk, now_us, flow_out, dir_out);
}

int vg_flow_handle_prepared(struct vg_flow_table *t, const struct vg_packet *pkt,
			    const struct vg_flow_lookup *lk, int64_t now_us,
			    struct vg_flow **flow_out, int *dir_out)
{
	struct vg_flow *f = NULL;

	*flow_out = NULL;
	*dir_out = VG_FLOW_TOSERVER;
	if (!lk->valid) {
		t->st.pkts_untracked++;
		return VG_EINVAL;
	}
	const struct vg_flow_key *k = &lk->key;
	bool is_a1 = lk->is_a1;
	if (!t->have_base) {
		t->base_us = pkt->ts_us;
		t->have_base = true;
	}
	uint32_t h32 = lk->hash;
	bool is_tcp = k->proto == IPPROTO_TCP_;

	for (uint32_t i = t->buckets[h32 & t->bucket_mask]; i; i = at(t, i)->hnext) {
		struct vg_flow *c = at(t, i);
		if (c->hash == h32 && memcmp(&c->key, k, sizeof(*k)) == 0) {
			f = c;
			break;
		}
	}
	if (f && expired(t, f, now_us)) {
		/* Not pruned yet (the caller runs timeouts every few packets): same outcome
		 * as if it had been. */
		end_flow(t, f, "timeout");
		t->st.flows_timeout++;
		f = NULL;
	}
	if (f && is_tcp && f->tcp_state >= VG_TCP_FIN_WAIT &&
	    (pkt->tcp_flags & (VG_TH_SYN | VG_TH_ACK | VG_TH_RST)) == VG_TH_SYN) {
		/* A new SYN on a closed connection's tuple: port reuse, a new flow. */
		end_flow(t, f, "forced");
		t->st.flows_forced++;
		f = NULL;
	}
	if (!f) {
		f = alloc_flow(t, now_us);
		if (!f) {
			t->st.flows_dropped_memcap++;
			return VG_EFULL;
		}
		f->key = *k;
		f->hash = h32;
		f->in_use = true;
		f->flow_id = t->next_flow_id++;
		f->start_us = f->last_us = pkt->ts_us;
		/* The initiator is the packet's source, unless this is evidently a reply
		 * (SYN/ACK, ICMP echo reply): then the capture missed the first packet. */
		bool reply = (is_tcp && (pkt->tcp_flags & (VG_TH_SYN | VG_TH_ACK)) == (VG_TH_SYN | VG_TH_ACK)) ||
			     ((k->proto == IPPROTO_ICMP_ || k->proto == IPPROTO_ICMPV6_) &&
			      icmp_is_reply(k->proto, pkt->icmp_type));
		if (is_a1 != reply)
			f->flags |= VG_FLOW_F_INIT_A1;
		if (t->st.flows_active >= (uint64_t)t->bucket_mask + 1 &&
		    t->bucket_mask < t->bucket_max_mask)
			buckets_grow(t);
		uint32_t *b = &t->buckets[h32 & t->bucket_mask];
		f->hnext = *b;
		*b = idx_of(t, f);
		t->st.flows_created++;
		t->st.flows_active++;
		t->st.memuse += sizeof(struct vg_flow);
		list_append(t, f, class_of(f), rel_s(t, f->last_us));
	}

	int dir = (is_a1 == ((f->flags & VG_FLOW_F_INIT_A1) != 0)) ? VG_FLOW_TOSERVER : VG_FLOW_TOCLIENT;
	f->pkts[dir]++;
	f->bytes[dir] += pkt->wirelen ? pkt->wirelen : pkt->caplen;
	f->flags |= dir == VG_FLOW_TOSERVER ? VG_FLOW_F_SEEN_TS : VG_FLOW_F_SEEN_TC;
	if (pkt->ts_us > f->last_us)
		f->last_us = pkt->ts_us;
	if (is_tcp) {
		if ((pkt->tcp_flags & VG_TH_SYN) && !(f->tcp_flags[dir] & VG_TH_SYN))
			f->syn_seq[dir] = pkt->tcp_seq;
		f->tcp_flags[dir] |= pkt->tcp_flags;
		tcp_update(f, dir, pkt->tcp_flags);
	}
	/* Requeue at the tail of its (possibly new) class when the class or the second
	 * changed: keeps each list in lru_s order at most one requeue per second. */
	uint8_t cls = class_of(f);
	uint32_t sec = rel_s(t, f->last_us);
	if (cls != f->tclass || sec != f->lru_s) {
		list_unlink(t, f);
		list_append(t, f, cls, sec);
	}

	*flow_out = f;
	*dir_out = dir;
	return 0;
}

void vg_flow_table_stats(const struct vg_flow_table *t, struct vg_flow_stats *out)
{
	*out = t->st;
}

void vg_flow_set_end_hook(struct vg_flow_table *t,
			  void (*fn)(void *ctx, struct vg_flow *f, const char *reason), void *ctx)
{
	t->end_hook = fn;
	t->end_ctx = fn ? ctx : NULL;
}

/* ---- storage ------------------------------------------------------------------ */

int vg_flow_storage_register(struct vg_flow_table *t, void (*free_fn)(void *))
{
	if (t->st.flows_created)
		return VG_ESTATE;
	if (t->n_storage >= (int)VG_FLOW_MAX_STORAGE)
		return VG_EFULL;
	t->free_fn[t->n_storage] = free_fn;
	return t->n_storage++;
}

void *vg_flow_storage_get(const struct vg_flow *f, int id)
{
	if (!f || id < 0 || id >= (int)VG_FLOW_MAX_STORAGE)
		return NULL;
	return f->storage[id];
}

int vg_flow_storage_set(struct vg_flow *f, int id, void *v)
{
	if (!f || id < 0 || id >= (int)VG_FLOW_MAX_STORAGE)
		return VG_EINVAL;
	f->storage[id] = v;
	return 0;
}
