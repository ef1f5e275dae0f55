/* correlate-engine.c — the state of a rule set over a stream of events.
 *
 * Each (correlation rule, group-by values) pair has one group state in a hash table
 * keyed with a random SipHash key and capped by count (config max_groups) and bytes
 * (memcap); when either is reached the least recently used group is evicted (an open
 * episode is emitted first, so evidence is not lost) and the eviction is counted.
 *
 * Time is the events' own time. The engine clock is the largest event time seen; an
 * episode closes when the clock passes its window. So a log replayed a year later gives
 * the same alerts as the live stream did. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/core-error.h"
#include "core/core-hash.h"
#include "core/core-json.h"
#include "core/core-str.h"
#include "core/limits.h"
#include "correlate/correlate-int.h"

/* A distinct value. Short ones (most addresses, users, hosts) live in the entry
 * itself: no allocation, and a compare reads the entry only. */
#define VENT_INLINE 24u

struct vent {
	int64_t last;   /* event time it was last seen */
	int64_t first;
	uint32_t len;
	char *s;        /* the value when len >= VENT_INLINE (owned), else NULL */
	char inl[VENT_INLINE];
};

static inline const char *vent_str(const struct vent *x)
{
	return x->s ? x->s : x->inl;
}

/* Bytes a value holds outside its entry. */
static inline size_t vent_mem(const struct vent *x)
{
	return x->s ? x->len + 1u : 0;
}

/* Bytes accounted per entry slot (the entry and its hash). */
#define VENT_SLOT (sizeof(struct vent) + sizeof(uint64_t))

/* A set past VSET_IDX_MIN values gets an open-addressing index (keyed SipHash of the
 * value → position + 1), so noting a value is not a scan of up to
 * VG_CORR_MAX_DISTINCT compares; positions keep insertion order for the alert. */
#define VSET_IDX_MIN 16u
#define VSET_IDX_SLOTS (2u * VG_CORR_MAX_DISTINCT)

struct vset {
	struct vent *v;
	/* hs[i]: keyed hash of v[i], compared before the bytes. Kept apart from the entries
	 * so that a lookup in a set without index reads a few dense lines of hashes, not
	 * one line per entry. */
	uint64_t *hs;
	uint32_t n, cap;
	/* Entries whose value is outside (s != NULL): a set without any is cleared without
	 * reading its entries. */
	uint32_t n_long;
	/* No entry was last seen before this (a lower bound, exact after a prune): the
	 * sliding window's prune reads the entries only when some may have expired. */
	int64_t min_last;
	uint64_t dropped;  /* values not kept because the set was full */
	uint16_t *idx;     /* VSET_IDX_SLOTS entries (IDX_POS | IDX_TAG) or NULL */
};

/* Host and service names up to this length live in the group; a longer one gets a
 * VG_MAX_NAME buffer of its own (accounted from the start: memcap counts every group
 * at 2 * VG_MAX_NAME for them, whatever the names). */
#define GNAME_INLINE 16u

/* One allocation per group: the struct, its key, its ring of event times, a value_count's
 * value set, the evidence sets and a temporal correlation's step arrays, in that order. The fields an update
 * reads or writes (context, counts, episode, lookup: rule and key) come last, next to
 * the key, the ring and the evidence sets, so that an update touches a few adjacent
 * cache lines; the lists and the heap position, used when an episode opens or closes,
 * come first. The table holds the hashes. */
struct group {
	/* LRU list, most recent at the head: linked only once the engine keeps it (see
	 * lru_need); until then the order is that of `use`. */
	struct group *lprev, *lnext;
	struct group *oprev, *onext; /* open episodes */
	uint64_t open_seq;           /* when it joined the open list (its order there) */
	uint64_t hash;
	uint32_t heap_pos;           /* 1 + index in the deadline heap; 0: not in it */
	bool in_open;

	/* temporal */
	int64_t *st_last, *st_start, *st_first;
	uint64_t *st_count;

	/* Context of the last event, for the alert: host and service point to the inline
	 * buffers or to VG_MAX_NAME ones of their own (see GNAME_INLINE). */
	struct vg_addr src, dst;
	char host_inl[GNAME_INLINE], service_inl[GNAME_INLINE];
	char *host, *service;

	struct vset *vals;           /* value_count: distinct values with last-seen time, in
				      * the block (NULL for other types) */
	struct vset *ev;             /* n_ev evidence sets (the rule's), in the block */
	int64_t ep_first, ep_last, ep_deadline;
	uint64_t ep_count;
	int64_t suppress_until;      /* temporal */
	int64_t *ring;               /* event/value count: last ring_cap event times */
	uint32_t ring_cap, ring_n, ring_head;
	unsigned pinned;             /* being updated: never evicted */
	size_t mem;                  /* accounted bytes (a new value adds to it) */
	bool open;
	bool suppressed;             /* temporal */
	uint8_t n_ev;
	uint32_t rule;
	uint64_t use;                /* engine's use_seq at its last lookup: the LRU order */
	size_t keylen;
	char key[];                  /* n_gb NUL-terminated values back to back */
};

/* Text of the unchanging parts of a count correlation's alert: pre is
 * "rule":{...},"type":"..." and refs "rules":[...]; NULL: alerts built as jansson trees. */
struct rule_txt {
	char *pre, *refs;
	size_t pre_len, refs_len;
};

/* Detection rules by the event.action they require (cm_rule_action_fields): an event
 * is tried against its action's rules and the rules that require no action only. */
struct act_rules {
	char *action;        /* lowercased; NULL: free slot */
	size_t len;
	uint32_t *rules;     /* ascending rule indexes, the action-free rules merged in */
	size_t n;
};

struct vg_correlate_engine {
	const struct vg_correlate_ruleset *rs;
	uint32_t *any_rules;         /* detection rules without an action requirement */
	/* act_only[i]: rule i's condition is one selection whose every alternative is only
	 * event.action among literals, and its logsource is flags only: found through its
	 * action's list, it matches without being evaluated. */
	bool *act_only;
	size_t n_any;
	struct act_rules *acts;      /* open addressing, n_acts_slots (a power of two) */
	size_t n_acts_slots, act_maxlen;
	/* Last lookups by the action string's address (parsers hand out a few constant
	 * strings); an entry is used only when the text still equals its copy. */
	struct {
		const char *ptr;
		char text[48];
		const uint32_t *rules;
		size_t n;
	} act_cache[16];
	/* Per correlation rule, the parts of its alerts that never change ("rule" and
	 * "rules"), built once and shared by reference; NULL entries are built per alert. */
	json_t **rule_obj, **refs_arr;
	/* Per count correlation whose names allow it (rule_txt_ok), the same parts as JSON
	 * text, so that its alerts are written directly instead of as a jansson tree;
	 * abuf holds one alert's "correlation" member. */
	struct rule_txt *rtxt;
	struct vg_buf abuf;
	/* event_ls's memo */
	struct ls_memo {
		bool valid;
		enum vg_event_type type;
		const char *cat, *svc;
		char cat_t[48], svc_t[48];
		unsigned ls;
	} ls_memo[8];
	struct vg_event_sink sink;
	struct vg_hash_key key;
	/* Groups by hash: open addressing, linear probing, at most half full while it can
	 * grow (up to twice the group cap); the hash next to the pointer, so a probe reads
	 * the table, and only the group whose hash matches. */
	struct gslot {
		uint64_t h;
		struct group *g;
	} *slots;
	size_t nslots, max_slots;
	/* The LRU list is built (lru_need) the first time an eviction or the flush needs
	 * the order, and kept from then on; before that a lookup only stamps the group
	 * (use), instead of relinking it between two other groups' cache lines. */
	struct group *lru_head, *lru_tail;
	bool lru_kept;
	uint64_t use_seq;
	struct group *open_head;
	/* Open episodes by deadline (min-heap), so a clock move finds what closes without
	 * walking every open episode; heap_lost (an allocation failed) falls back to the
	 * walk. due: the episodes one clock move closes. */
	struct group **heap, **due;
	size_t heap_n, heap_cap, due_cap;
	bool heap_lost;
	uint64_t open_seq;
	uint64_t max_groups, memcap;
	int64_t clock;
	bool have_clock;
	uint64_t *rule_alerts;
	struct vg_correlate_stats st;
};

/* What a correlation is fed with: a matching event, or the firing of a correlation it
 * refers to (then field values come from that correlation's group-by values). */
struct feed {
	const struct vg_event *ev;
	struct cm_ectx *x;          /* ev's matching context (formatted fields, extra) */
	const struct vg_correlate_rule *inner;
	const struct group *ig;
	int64_t ts;
};

static void emit_episode(struct vg_correlate_engine *e, struct group *g);
static void feed_parents(struct vg_correlate_engine *e, uint32_t ri, const struct feed *f,
			 unsigned depth);

/* --- small helpers ------------------------------------------------------------------ */

static void fmt_time(int64_t us, char buf[40])
{
	/* Years 0..9999: vg_json_ts_iso writes the same text, without gmtime_r and
	 * snprintf for every alert (it remembers the last second). */
	if (us >= -62167219200ll * 1000000 && us < 253402300800ll * 1000000) {
		vg_json_ts_iso(us, buf);
		return;
	}
	time_t s = (time_t)(us / 1000000);
	long frac = (long)(us % 1000000);
	if (frac < 0) {
		frac += 1000000;
		s--;
	}
	struct tm tm;
	if (!gmtime_r(&s, &tm)) {
		snprintf(buf, 40, "1970-01-01T00:00:00.000000Z");
		return;
	}
	/* Years past 9999 cannot come from a parser; keep the output well formed anyway. */
	int year = tm.tm_year + 1900;
	if (year < 0 || year > 9999)
		year = 9999;
	snprintf(buf, 40, "%04d-%02u-%02uT%02u:%02u:%02u.%06luZ", year, (unsigned)(tm.tm_mon + 1) % 100u,
		 (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
		 (unsigned)tm.tm_sec % 100u, (unsigned long)frac % 1000000ul);
}

/* The key is the tenant (possibly empty) then each group-by value, NUL-terminated:
 * groups never mix tenants. */
static const char *key_value(const struct group *g, size_t i)
{
	const char *p = g->key;
	for (i++; i-- > 0;)
		p += strlen(p) + 1;
	return p;
}

static const char *key_tenant(const struct group *g)
{
	return g->key[0] ? g->key : NULL;
}

static int gb_index(const struct vg_correlate_rule *r, const char *name)
{
	for (size_t i = 0; i < r->corr.n_gb; i++)
		if (!strcmp(r->corr.group_by[i], name))
			return (int)i;
	return -1;
}

/* A field's value from what fed the correlation. */
static void feed_field(const struct feed *f, enum cm_field_id id, const char *name,
		       struct cm_fv *out)
{
	if (f->ev) {
		cm_field_value(f->x, id, name, out);
		return;
	}
	memset(out, 0, sizeof(*out));
	int k = gb_index(f->inner, name);
	if (k >= 0) {
		out->present = true;
		out->s = key_value(f->ig, (size_t)k);
		out->len = strlen(out->s);
	}
}

/* --- value sets ------------------------------------------------------------------------ */

static uint64_t vset_hash(const struct vg_correlate_engine *e, const char *v, size_t len)
{
	return vg_siphash(&e->key, v, len);
}

/* An index entry: position + 1 in the low bits, 0 for a free slot; the value hash's
 * top bits above it, so that a probe passing other values' slots reads neither their
 * hashes nor their entries. */
#define IDX_POS_BITS 9u
#define IDX_POS ((1u << IDX_POS_BITS) - 1u)
_Static_assert(VG_CORR_MAX_DISTINCT <= IDX_POS, "an index entry holds a position + 1");

static inline uint16_t idx_tag(uint64_t h)
{
	return (uint16_t)((h >> (64u - (16u - IDX_POS_BITS))) << IDX_POS_BITS);
}

static void vset_index_add(struct vset *s, uint32_t pos)
{
	uint64_t h = s->hs[pos];
	uint32_t i = (uint32_t)h & (VSET_IDX_SLOTS - 1);
	while (s->idx[i])
		i = (i + 1) & (VSET_IDX_SLOTS - 1);
	s->idx[i] = (uint16_t)((pos + 1) | idx_tag(h));
}

static void vset_reindex(struct vset *s)
{
	if (!s->idx)
		return;
	memset(s->idx, 0, VSET_IDX_SLOTS * sizeof(*s->idx));
	for (uint32_t i = 0; i < s->n; i++)
		vset_index_add(s, i);
}

/* Position of value v (hash h), or UINT32_MAX. */
static uint32_t vset_find(const struct vset *s, const char *v, size_t len, uint64_t h)
{
	if (s->idx) {
		/* Equal bytes mean equal hashes: the tag stands for the hash compare. */
		uint16_t tag = idx_tag(h);
		for (uint32_t i = (uint32_t)h & (VSET_IDX_SLOTS - 1);; i = (i + 1) & (VSET_IDX_SLOTS - 1)) {
			uint32_t p = s->idx[i];
			if (!p)
				return UINT32_MAX;
			if ((p & ~IDX_POS) != tag)
				continue;
			p &= IDX_POS;
			const struct vent *x = &s->v[p - 1];
			if (x->len == len && !memcmp(vent_str(x), v, len))
				return p - 1;
		}
	}
	for (uint32_t i = 0; i < s->n; i++)
		if (s->hs[i] == h && s->v[i].len == len && !memcmp(vent_str(&s->v[i]), v, len))
			return i;
	return UINT32_MAX;
}

static void vset_clear(struct vg_correlate_engine *e, struct group *g, struct vset *s)
{
	for (uint32_t i = 0; s->n_long && i < s->n; i++) {
		size_t m = vent_mem(&s->v[i]);
		g->mem -= m;
		e->st.mem_used -= m;
		free(s->v[i].s);
	}
	if (s->idx && s->n)
		memset(s->idx, 0, VSET_IDX_SLOTS * sizeof(*s->idx));
	s->n = 0;
	s->n_long = 0;
	s->dropped = 0;
}

static void vset_free(struct vg_correlate_engine *e, struct group *g, struct vset *s)
{
	vset_clear(e, g, s);
	size_t m = (size_t)s->cap * VENT_SLOT + (s->idx ? VSET_IDX_SLOTS * sizeof(*s->idx) : 0);
	g->mem -= m;
	e->st.mem_used -= m;
	free(s->v);
	free(s->hs);
	free(s->idx);
	s->v = NULL;
	s->hs = NULL;
	s->idx = NULL;
	s->cap = 0;
}

/* Note value at time t; h is vset_hash(v, len) when the caller has it (have_h).
 * Returns 0, or VG_EFULL when the set is full (counted). */
static int vset_touch_h(struct vg_correlate_engine *e, struct group *g, struct vset *s,
			const char *v, size_t len, int64_t t, uint64_t h, bool have_h)
{
	if (len > VG_CORR_MAX_VALUE_LEN) {
		len = VG_CORR_MAX_VALUE_LEN;
		have_h = false;
	}
	if (!have_h)
		h = vset_hash(e, v, len);
	uint32_t at = vset_find(s, v, len, h);
	if (at != UINT32_MAX) {
		if (t > s->v[at].last)
			s->v[at].last = t;
		return 0;
	}
	if (s->n >= VG_CORR_MAX_DISTINCT) {
		s->dropped++;
		e->st.values_dropped++;
		return VG_EFULL;
	}
	if (s->n == s->cap) {
		uint32_t nc = s->cap ? s->cap * 2 : 8;
		if (nc > VG_CORR_MAX_DISTINCT)
			nc = VG_CORR_MAX_DISTINCT;
		struct vent *nv = realloc(s->v, nc * sizeof(*nv));
		if (!nv)
			return VG_ENOMEM;
		s->v = nv; /* the larger block is kept even if hs cannot follow */
		uint64_t *nh = realloc(s->hs, nc * sizeof(*nh));
		if (!nh)
			return VG_ENOMEM;
		s->hs = nh;
		size_t m = (size_t)(nc - s->cap) * VENT_SLOT;
		g->mem += m;
		e->st.mem_used += m;
		s->cap = nc;
	}
	struct vent *x = &s->v[s->n];
	*x = (struct vent){ .len = (uint32_t)len, .last = t, .first = t };
	s->hs[s->n] = h;
	if (len >= VENT_INLINE) {
		x->s = malloc(len + 1);
		if (!x->s)
			return VG_ENOMEM;
		memcpy(x->s, v, len);
		x->s[len] = '\0';
		s->n_long++;
	} else {
		memcpy(x->inl, v, len);
		x->inl[len] = '\0';
	}
	if (s->n == 0 || t < s->min_last)
		s->min_last = t;
	s->n++;
	g->mem += vent_mem(x);
	e->st.mem_used += vent_mem(x);
	if (s->idx) {
		vset_index_add(s, s->n - 1);
	} else if (s->n >= VSET_IDX_MIN) {
		/* Without the index the set still works, by scanning. */
		s->idx = calloc(VSET_IDX_SLOTS, sizeof(*s->idx));
		if (s->idx) {
			g->mem += VSET_IDX_SLOTS * sizeof(*s->idx);
			e->st.mem_used += VSET_IDX_SLOTS * sizeof(*s->idx);
			vset_reindex(s);
		}
	}
	return 0;
}

static int vset_touch(struct vg_correlate_engine *e, struct group *g, struct vset *s,
		      const char *v, size_t len, int64_t t)
{
	return vset_touch_h(e, g, s, v, len, t, 0, false);
}

/* Drop values not seen since `since` (sliding window of value_count). */
static void vset_prune(struct vg_correlate_engine *e, struct group *g, struct vset *s, int64_t since)
{
	if (s->n == 0 || s->min_last >= since)
		return; /* every entry was seen since */
	uint32_t w = 0;
	int64_t min_last = INT64_MAX;
	for (uint32_t i = 0; i < s->n; i++) {
		if (s->v[i].last >= since) {
			if (s->v[i].last < min_last)
				min_last = s->v[i].last;
			s->hs[w] = s->hs[i];
			s->v[w++] = s->v[i];
		} else {
			size_t m = vent_mem(&s->v[i]);
			g->mem -= m;
			e->st.mem_used -= m;
			if (s->v[i].s)
				s->n_long--;
			free(s->v[i].s);
		}
	}
	s->min_last = min_last;
	bool moved = w != s->n;
	s->n = w;
	if (moved)
		vset_reindex(s);
}

static json_t *vset_json(const struct vset *s)
{
	json_t *a = json_array();
	for (uint32_t i = 0; a && i < s->n && i < VG_CORR_MAX_LISTED; i++)
		json_array_append_new(a, json_stringn(vent_str(&s->v[i]), s->v[i].len));
	return a;
}

/* --- groups ---------------------------------------------------------------------------- */

static void lru_unlink(struct vg_correlate_engine *e, struct group *g)
{
	if (!e->lru_kept)
		return;
	if (g->lprev)
		g->lprev->lnext = g->lnext;
	else
		e->lru_head = g->lnext;
	if (g->lnext)
		g->lnext->lprev = g->lprev;
	else
		e->lru_tail = g->lprev;
	g->lprev = g->lnext = NULL;
}

static void lru_push(struct vg_correlate_engine *e, struct group *g)
{
	g->lnext = e->lru_head;
	g->lprev = NULL;
	if (e->lru_head)
		e->lru_head->lprev = g;
	e->lru_head = g;
	if (!e->lru_tail)
		e->lru_tail = g;
}

/* Merge sort of a list linked by lnext, by use, most recent first. */
static struct group *lru_sort(struct group *h, size_t n)
{
	if (n < 2) {
		if (h)
			h->lnext = NULL;
		return h;
	}
	struct group *b = h;
	for (size_t i = 1; i < n / 2; i++)
		b = b->lnext;
	struct group *bh = b->lnext;
	b->lnext = NULL;
	struct group *x = lru_sort(h, n / 2), *y = lru_sort(bh, n - n / 2), *out = NULL, **t = &out;
	while (x && y) {
		struct group **pick = x->use > y->use ? &x : &y;
		*t = *pick;
		t = &(*pick)->lnext;
		*pick = (*pick)->lnext;
	}
	*t = x ? x : y;
	return out;
}

/* The LRU list, from the groups' use stamps (the order relinking at every lookup would
 * have given), kept from now on. No allocation: the groups' own links are sorted. */
static void lru_need(struct vg_correlate_engine *e)
{
	if (e->lru_kept)
		return;
	struct group *h = NULL;
	size_t n = 0;
	for (size_t i = 0; i < e->nslots; i++) {
		struct group *g = e->slots[i].g;
		if (g) {
			g->lnext = h;
			h = g;
			n++;
		}
	}
	h = lru_sort(h, n);
	e->lru_head = h;
	e->lru_tail = NULL;
	for (struct group *p = NULL, *g = h; g; p = g, g = g->lnext) {
		g->lprev = p;
		e->lru_tail = g;
	}
	e->lru_kept = true;
}

/* --- deadline heap (ep_deadline, smallest on top) --- */

static void heap_set(struct vg_correlate_engine *e, size_t i, struct group *g)
{
	e->heap[i] = g;
	g->heap_pos = (uint32_t)i + 1;
}

static void heap_up(struct vg_correlate_engine *e, size_t i)
{
	struct group *g = e->heap[i];
	while (i > 0) {
		size_t up = (i - 1) / 2;
		if (e->heap[up]->ep_deadline <= g->ep_deadline)
			break;
		heap_set(e, i, e->heap[up]);
		i = up;
	}
	heap_set(e, i, g);
}

static void heap_down(struct vg_correlate_engine *e, size_t i)
{
	struct group *g = e->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= e->heap_n)
			break;
		if (c + 1 < e->heap_n && e->heap[c + 1]->ep_deadline < e->heap[c]->ep_deadline)
			c++;
		if (g->ep_deadline <= e->heap[c]->ep_deadline)
			break;
		heap_set(e, i, e->heap[c]);
		i = c;
	}
	heap_set(e, i, g);
}

static void heap_push(struct vg_correlate_engine *e, struct group *g)
{
	if (e->heap_lost)
		return;
	if (e->heap_n == e->heap_cap) {
		size_t nc = e->heap_cap ? e->heap_cap * 2 : 256;
		struct group **nh = realloc(e->heap, nc * sizeof(*nh));
		if (!nh) {
			/* close_expired walks the open list from now on */
			e->heap_lost = true;
			for (size_t i = 0; i < e->heap_n; i++)
				e->heap[i]->heap_pos = 0;
			e->heap_n = 0;
			return;
		}
		e->heap = nh;
		e->heap_cap = nc;
	}
	e->heap[e->heap_n] = g;
	heap_up(e, e->heap_n++);
}

static void heap_remove(struct vg_correlate_engine *e, struct group *g)
{
	if (!g->heap_pos)
		return;
	size_t i = g->heap_pos - 1;
	g->heap_pos = 0;
	struct group *last = e->heap[--e->heap_n];
	if (i == e->heap_n)
		return;
	heap_set(e, i, last);
	heap_up(e, i);
	heap_down(e, last->heap_pos - 1);
}

static void open_link(struct vg_correlate_engine *e, struct group *g)
{
	if (g->in_open)
		return;
	g->onext = e->open_head;
	g->oprev = NULL;
	if (e->open_head)
		e->open_head->oprev = g;
	e->open_head = g;
	g->in_open = true;
	g->open_seq = ++e->open_seq;
	heap_push(e, g);
}

static void open_unlink(struct vg_correlate_engine *e, struct group *g)
{
	if (!g->in_open)
		return;
	heap_remove(e, g);
	if (g->oprev)
		g->oprev->onext = g->onext;
	else
		e->open_head = g->onext;
	if (g->onext)
		g->onext->oprev = g->oprev;
	g->oprev = g->onext = NULL;
	g->in_open = false;
}

static void group_destroy(struct vg_correlate_engine *e, struct group *g)
{
	if (g->vals)
		vset_free(e, g, g->vals);
	for (size_t i = 0; i < g->n_ev; i++)
		vset_free(e, g, &g->ev[i]);
	e->st.mem_used -= g->mem;
	if (g->host != g->host_inl)
		free(g->host);
	if (g->service != g->service_inl)
		free(g->service);
	free(g);
	e->st.groups--;
}

/* Take g out of the table: backward-shift deletion keeps every probe sequence whole. */
static void slot_remove(struct vg_correlate_engine *e, const struct group *g)
{
	size_t m = e->nslots - 1, i = g->hash & m;
	while (e->slots[i].g && e->slots[i].g != g)
		i = (i + 1) & m;
	if (!e->slots[i].g)
		return;
	for (size_t j = i;;) {
		e->slots[i].g = NULL;
		for (;;) {
			j = (j + 1) & m;
			if (!e->slots[j].g)
				return;
			size_t home = e->slots[j].h & m;
			/* j's entry may move to i when its home is not in (i, j] cyclically */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		e->slots[i] = e->slots[j];
		i = j;
	}
}

static void slot_put(struct gslot *t, size_t n, struct group *g)
{
	size_t m = n - 1, i = g->hash & m;
	while (t[i].g)
		i = (i + 1) & m;
	t[i].h = g->hash;
	t[i].g = g;
}

/* Unlink from every list and free; an open episode is emitted first. */
static void group_remove(struct vg_correlate_engine *e, struct group *g, bool emit)
{
	if (emit && g->open)
		emit_episode(e, g);
	open_unlink(e, g);
	lru_unlink(e, g);
	slot_remove(e, g);
	group_destroy(e, g);
}

static void evict_for(struct vg_correlate_engine *e, size_t need)
{
	if (e->st.groups < e->max_groups && e->st.mem_used + need <= e->memcap)
		return;
	lru_need(e);
	struct group *g = e->lru_tail;
	while (g && (e->st.groups >= e->max_groups || e->st.mem_used + need > e->memcap)) {
		struct group *prev = g->lprev;
		if (!g->pinned) {
			e->st.groups_evicted++;
			group_remove(e, g, true);
		}
		g = prev;
	}
}

/* The table grows with the groups (two slots per group, up to twice the cap) so that
 * a small state stays dense in the cache. A failed allocation keeps the old one. */
static void rehash(struct vg_correlate_engine *e)
{
	size_t nb = e->nslots * 2;
	struct gslot *t = calloc(nb, sizeof(*t));
	if (!t)
		return;
	for (size_t i = 0; i < e->nslots; i++)
		if (e->slots[i].g)
			slot_put(t, nb, e->slots[i].g);
	free(e->slots);
	e->slots = t;
	e->nslots = nb;
}

/* keyhash: vg_siphash of the key (keyed: an attacker cannot aim at a bucket); the rule
 * is mixed in so that correlations grouping by the same values spread apart. */
static struct group *group_get(struct vg_correlate_engine *e, uint32_t ri, const char *key,
			       size_t keylen, uint64_t keyhash)
{
	const struct vg_correlate_rule *r = e->rs->rules[ri];
	uint64_t h = keyhash ^ ((uint64_t)(ri + 1) * 0x9e3779b97f4a7c15ull);
	size_t m = e->nslots - 1;
	for (size_t i = h & m; e->slots[i].g; i = (i + 1) & m) {
		struct group *g = e->slots[i].g;
		if (e->slots[i].h == h && g->rule == ri && g->keylen == keylen &&
		    !memcmp(g->key, key, keylen)) {
			g->use = ++e->use_seq;
			if (e->lru_kept && e->lru_head != g) {
				lru_unlink(e, g);
				lru_push(e, g);
			}
			return g;
		}
	}
	size_t nsteps = r->corr.n_refs;
	uint32_t ring_cap = 0;
	if (r->corr.type == CT_EVENT_COUNT || r->corr.type == CT_VALUE_COUNT)
		ring_cap = (uint32_t)r->corr.threshold + 1;
	size_t keyspace = (keylen + 7) & ~(size_t)7; /* the ring after it stays aligned */
	size_t steps = r->corr.type >= CT_TEMPORAL ? nsteps * 4 * sizeof(int64_t) : 0;
	size_t n_ev = r->n_evidence < VG_CORR_MAX_EVIDENCE ? r->n_evidence : VG_CORR_MAX_EVIDENCE;
	size_t n_vals = r->corr.type == CT_VALUE_COUNT ? 1 : 0;
	size_t block = sizeof(struct group) + keyspace + ring_cap * sizeof(int64_t) +
		       (n_vals + n_ev) * sizeof(struct vset) + steps;
	/* Accounted as when host and service had VG_MAX_NAME each in the block. */
	size_t need = block + 2 * VG_MAX_NAME;
	evict_for(e, need);
	if (e->st.groups + 1 >= e->nslots)
		return NULL; /* the table could not grow: it must keep a free slot */
	struct group *g = calloc(1, block);
	if (!g)
		return NULL;
	char *tail = g->key + keyspace;
	g->ring = ring_cap ? (int64_t *)(void *)tail : NULL;
	g->host = g->host_inl;
	g->service = g->service_inl;
	/* after the ring: the value set, the evidence sets, a temporal's steps */
	struct vset *sets = (struct vset *)(void *)(tail + ring_cap * sizeof(int64_t));
	if (n_vals)
		g->vals = sets;
	if (n_ev) {
		g->ev = sets + n_vals;
		g->n_ev = (uint8_t)n_ev;
	}
	if (steps)
		g->st_last = (int64_t *)(void *)(sets + n_vals + n_ev);
	if (g->st_last) {
		g->st_start = g->st_last + nsteps;
		g->st_first = g->st_last + 2 * nsteps;
		g->st_count = (uint64_t *)(g->st_last + 3 * nsteps);
		for (size_t i = 0; i < nsteps; i++)
			g->st_last[i] = INT64_MIN;
	}
	memcpy(g->key, key, keylen);
	g->keylen = keylen;
	g->hash = h;
	g->rule = ri;
	g->ring_cap = ring_cap;
	g->mem = need;
	slot_put(e->slots, e->nslots, g);
	g->use = ++e->use_seq;
	if (e->lru_kept)
		lru_push(e, g);
	e->st.groups++;
	if (2 * e->st.groups > e->nslots && e->nslots < e->max_slots)
		rehash(e); /* walks the table: g is in it */
	e->st.groups_created++;
	e->st.mem_used += need;
	return g;
}

/* --- alerts ---------------------------------------------------------------------------- */

static void rule_json(json_t *o, const struct vg_correlate_rule *r)
{
	json_object_set_new(o, "title", json_string(r->title));
	if (r->id)
		json_object_set_new(o, "id", json_string(r->id));
	if (r->name)
		json_object_set_new(o, "name", json_string(r->name));
	json_object_set_new(o, "level", json_string(r->level));
	json_t *tags = json_array();
	for (size_t i = 0; tags && i < r->n_tags; i++)
		json_array_append_new(tags, json_string(r->tags[i]));
	json_object_set_new(o, "tags", tags);
	json_object_set_new(o, "file", json_string(r->file));
}

static void alert_base(struct vg_event *a, const struct vg_correlate_rule *r, int64_t ts)
{
	vg_event_init(a, VG_EVT_ALERT, ts);
	a->category = "intrusion_detection";
	a->action = r->name ? r->name : (r->id ? r->id : r->title);
	a->rule.detector = VG_DET_CORRELATE;
	a->rule.signature = r->title;
	a->rule.category = r->corr.type == CT_NONE ? "Sigma detection" : "Sigma correlation";
	a->rule.action = "allowed";
	a->rule.severity = r->severity;
	a->rule.reference = r->id;
	a->rule.tags = r->tags_joined;
}

/* A rule another correlation refers to only feeds it (Sigma: generate: false). */
static bool rule_alerts(const struct vg_correlate_rule *r)
{
	return !r->referenced || r->generated;
}

static void send_alert(struct vg_correlate_engine *e, size_t ri, const struct vg_event *a)
{
	const struct vg_correlate_rule *r = e->rs->rules[ri];
	if (!rule_alerts(r))
		return;
	e->st.alerts++;
	e->rule_alerts[ri]++;
	if (vg_event_emit(&e->sink, a) != 0)
		e->st.sink_errors++;
}

static void emit_detection(struct vg_correlate_engine *e, size_t ri, struct cm_ectx *x)
{
	const struct vg_correlate_rule *r = e->rs->rules[ri];
	const struct vg_event *ev = x->ev;
	json_t *ev_extra = cm_ectx_extra(x);
	struct vg_event a;
	alert_base(&a, r, ev->ts_us);
	a.tenant = ev->tenant;
	a.src = ev->src;
	a.dst = ev->dst;
	a.sport = ev->sport;
	a.dport = ev->dport;
	a.proto = ev->proto;
	a.user = ev->user;
	a.host = ev->host;
	a.service = ev->service;
	a.process = ev->process;
	a.pid = ev->pid;
	a.message = ev->message;
	a.source_name = ev->source_name;
	a.flow_id = ev->flow_id;
	a.app_proto = ev->app_proto;
	json_t *extra = json_object();
	if (extra && ev_extra && json_is_object(ev_extra)) {
		const char *k;
		json_t *v;
		json_object_foreach(ev_extra, k, v) {
			if (strcmp(k, "sigma") != 0 && strcmp(k, "correlation") != 0)
				json_object_set(extra, k, v);
		}
	}
	json_t *sig = json_object();
	if (sig && extra) {
		rule_json(sig, r);
		json_t *ls = json_object();
		if (ls) {
			if (r->ls_product)
				json_object_set_new(ls, "product", json_string(r->ls_product));
			if (r->ls_service)
				json_object_set_new(ls, "service", json_string(r->ls_service));
			if (r->ls_category)
				json_object_set_new(ls, "category", json_string(r->ls_category));
			json_object_set_new(sig, "logsource", ls);
		}
		if (ev->action)
			json_object_set_new(sig, "event_action", json_string(ev->action));
		json_object_set_new(extra, "sigma", sig);
		sig = NULL;
	}
	json_decref(sig);
	a.extra = extra;
	send_alert(e, ri, &a);
	json_decref(extra);
}

static const char *type_name(enum corr_type t)
{
	switch (t) {
	case CT_EVENT_COUNT: return "event_count";
	case CT_VALUE_COUNT: return "value_count";
	case CT_TEMPORAL: return "temporal";
	case CT_TEMPORAL_ORDERED: return "temporal_ordered";
	case CT_NONE: break;
	}
	return "detection";
}

static json_t *refs_json(const struct vg_correlate_rule *r)
{
	json_t *refs = json_array();
	for (size_t i = 0; refs && i < r->corr.n_refs; i++)
		json_array_append_new(refs, json_string(r->corr.refs[i]));
	return refs;
}

/* The alert's tenant, addresses, user and host from the group-by values, the rest of
 * its context from the group's last event. */
static void corr_alert_fields(const struct vg_correlate_rule *r, const struct group *g,
			      struct vg_event *a)
{
	for (size_t i = 0; i < r->corr.n_gb; i++) {
		const char *v = key_value(g, i);
		if (r->corr.gb_id[i] == CM_F_SRC_IP)
			vg_addr_parse(v, strlen(v), &a->src);
		else if (r->corr.gb_id[i] == CM_F_DST_IP)
			vg_addr_parse(v, strlen(v), &a->dst);
		else if (r->corr.gb_id[i] == CM_F_USER)
			a->user = v;
		else if (r->corr.gb_id[i] == CM_F_HOST)
			a->host = v;
	}
	a->tenant = key_tenant(g);
	if (a->src.family == VG_AF_NONE)
		a->src = g->src;
	if (!a->host && g->host[0])
		a->host = g->host;
	if (g->service[0])
		a->service = g->service;
}

/* The correlation object (jansson) of an alert; fills the alert's fields too. */
static json_t *corr_json(const struct vg_correlate_engine *e, const struct vg_correlate_rule *r,
			 const struct group *g, struct vg_event *a, int64_t first, int64_t last,
			 uint64_t count)
{
	size_t ri = g->rule;
	json_t *c = json_object(), *gb = json_object();
	json_t *rule = e->rule_obj[ri] ? json_incref(e->rule_obj[ri]) : json_object();
	if (!c || !rule || !gb) {
		json_decref(c);
		json_decref(rule);
		json_decref(gb);
		return NULL;
	}
	if (!e->rule_obj[ri])
		rule_json(rule, r);
	json_object_set_new(c, "rule", rule);
	json_object_set_new(c, "type", json_string(type_name(r->corr.type)));
	for (size_t i = 0; i < r->corr.n_gb; i++)
		json_object_set_new(gb, r->corr.group_by[i], json_string(key_value(g, i)));
	json_object_set_new(c, "group_by", gb);
	corr_alert_fields(r, g, a);
	json_object_set_new(c, "count", json_integer((json_int_t)count));
	char t[40];
	fmt_time(first, t);
	json_object_set_new(c, "first", json_string(t));
	fmt_time(last, t);
	json_object_set_new(c, "last", json_string(t));
	json_object_set_new(c, "timespan_s", json_integer(r->corr.timespan_us / 1000000));
	json_t *refs = e->refs_arr[ri] ? json_incref(e->refs_arr[ri]) : refs_json(r);
	json_object_set_new(c, "rules", refs);
	if (r->n_evidence) {
		json_t *evd = json_object();
		for (size_t i = 0; evd && i < r->n_evidence; i++)
			json_object_set_new(evd, r->evidence[i], vset_json(&g->ev[i]));
		json_object_set_new(c, "evidence", evd);
	}
	return c;
}

/* Details go under a top-level "correlation" member: the encoders reserve "vigil". */
static json_t *wrap_vigil(json_t *corr)
{
	json_t *extra = json_object();
	if (!extra || !corr) {
		json_decref(extra);
		json_decref(corr);
		return NULL;
	}
	json_object_set_new(extra, "correlation", corr);
	return extra;
}

static void reset_counts(struct vg_correlate_engine *e, struct group *g)
{
	g->ring_n = g->ring_head = 0;
	if (g->vals)
		vset_clear(e, g, g->vals);
	for (size_t i = 0; i < g->n_ev; i++)
		vset_clear(e, g, &g->ev[i]);
	g->open = false;
	g->ep_count = 0;
}

static void vset_write(struct vg_jw *w, const char *key, const struct vset *s)
{
	vg_jw_arr_open(w, key);
	for (uint32_t i = 0; i < s->n && i < VG_CORR_MAX_LISTED; i++)
		vg_jw_jstrn(w, NULL, vent_str(&s->v[i]), s->v[i].len);
	vg_jw_arr_close(w);
}

/* A count correlation's "correlation" member written into e->abuf directly: the bytes
 * json_dumps gives for corr_json's tree and its "values" (a value jansson refuses,
 * not valid UTF-8, is left out the same way). Returns 0 or VG_E*. */
static int corr_write(struct vg_correlate_engine *e, const struct vg_correlate_rule *r,
		      const struct group *g)
{
	const struct rule_txt *rt = &e->rtxt[g->rule];
	struct vg_jw w;
	char t[40];
	vg_buf_reset(&e->abuf);
	vg_jw_init(&w, &e->abuf);
	vg_jw_obj_open(&w, "correlation");
	vg_jw_members(&w, rt->pre, rt->pre_len);
	vg_jw_obj_open(&w, "group_by");
	for (size_t i = 0; i < r->corr.n_gb; i++) {
		const char *v = key_value(g, i);
		vg_jw_jstrn(&w, r->corr.group_by[i], v, strlen(v));
	}
	vg_jw_obj_close(&w);
	vg_jw_i64(&w, "count", (int64_t)g->ep_count);
	fmt_time(g->ep_first, t);
	vg_jw_str(&w, "first", t);
	fmt_time(g->ep_last, t);
	vg_jw_str(&w, "last", t);
	vg_jw_i64(&w, "timespan_s", r->corr.timespan_us / 1000000);
	vg_jw_members(&w, rt->refs, rt->refs_len);
	if (r->n_evidence) {
		vg_jw_obj_open(&w, "evidence");
		for (size_t i = 0; i < r->n_evidence; i++)
			vset_write(&w, r->evidence[i], &g->ev[i]);
		vg_jw_obj_close(&w);
	}
	if (r->corr.type == CT_VALUE_COUNT) {
		vg_jw_obj_open(&w, "values");
		vg_jw_jstrn(&w, "field", r->corr.field, strlen(r->corr.field));
		vg_jw_u64(&w, "distinct", g->vals->n);
		vset_write(&w, "list", g->vals);
		vg_jw_bool(&w, "truncated", g->vals->dropped > 0 || g->vals->n > VG_CORR_MAX_LISTED);
		vg_jw_obj_close(&w);
	}
	vg_jw_obj_close(&w);
	return vg_jw_finish(&w);
}

static void emit_episode(struct vg_correlate_engine *e, struct group *g)
{
	size_t ri = g->rule;
	const struct vg_correlate_rule *r = e->rs->rules[ri];
	if (!rule_alerts(r)) {
		/* A building block: its episode only fed its parents; nothing to encode. */
		open_unlink(e, g);
		reset_counts(e, g);
		return;
	}
	struct vg_event a;
	alert_base(&a, r, g->ep_last);
	if (e->rtxt[ri].pre && corr_write(e, r, g) == 0) {
		corr_alert_fields(r, g, &a);
		a.extra_json = e->abuf.data;
		a.extra_json_len = e->abuf.len;
		send_alert(e, ri, &a);
		open_unlink(e, g);
		reset_counts(e, g);
		return;
	}
	json_t *c = corr_json(e, r, g, &a, g->ep_first, g->ep_last, g->ep_count);
	if (c && r->corr.type == CT_VALUE_COUNT) {
		json_t *vals = json_object();
		if (vals) {
			json_object_set_new(vals, "field", json_string(r->corr.field));
			json_object_set_new(vals, "distinct", json_integer(g->vals->n));
			json_object_set_new(vals, "list", vset_json(g->vals));
			json_object_set_new(vals, "truncated",
					    json_boolean(g->vals->dropped > 0 || g->vals->n > VG_CORR_MAX_LISTED));
			json_object_set_new(c, "values", vals);
		}
	}
	json_t *extra = wrap_vigil(c);
	a.extra = extra;
	send_alert(e, ri, &a);
	json_decref(extra);
	open_unlink(e, g);
	reset_counts(e, g);
}

static int by_open_order(const void *a, const void *b)
{
	const struct group *x = *(struct group *const *)a, *y = *(struct group *const *)b;
	return x->open_seq < y->open_seq ? 1 : x->open_seq > y->open_seq ? -1 : 0;
}

/* Close episodes whose window the clock has passed, in the open list's order (most
 * recently opened first). The heap finds them; the open list is walked only when the
 * heap could not be kept. */
static void close_expired(struct vg_correlate_engine *e)
{
	if (e->heap_lost) {
		struct group *g = e->open_head;
		while (g) {
			struct group *next = g->onext;
			if (g->open && e->clock > g->ep_deadline)
				emit_episode(e, g);
			g = next;
		}
		return;
	}
	size_t n = 0;
	while (e->heap_n && e->clock > e->heap[0]->ep_deadline) {
		if (n == e->due_cap) {
			size_t nc = e->due_cap ? e->due_cap * 2 : 64;
			struct group **nd = realloc(e->due, nc * sizeof(*nd));
			if (!nd)
				break; /* the rest closes on the next clock move */
			e->due = nd;
			e->due_cap = nc;
		}
		struct group *g = e->heap[0];
		heap_remove(e, g);
		e->due[n++] = g;
	}
	if (n > 1)
		qsort(e->due, n, sizeof(*e->due), by_open_order);
	for (size_t i = 0; i < n; i++)
		emit_episode(e, e->due[i]);
}

/* --- correlation updates -------------------------------------------------------------- */

static bool cmp_holds(enum corr_op op, uint64_t n, uint64_t thr)
{
	switch (op) {
	case CO_GT: return n > thr;
	case CO_GTE: return n >= thr;
	case CO_LT: return n < thr;
	case CO_LTE: return n <= thr;
	case CO_EQ: return n == thr;
	case CO_NEQ: return n != thr;
	}
	return false;
}

/* A host or service name kept as vg_strlcpy into VG_MAX_NAME bytes would keep it. */
static void name_set(struct vg_correlate_engine *e, char **dst, char *inl, const char *src)
{
	size_t len = strlen(src);
	if (len > VG_MAX_NAME - 1)
		len = VG_MAX_NAME - 1;
	if (len >= GNAME_INLINE && *dst == inl) {
		char *big = malloc(VG_MAX_NAME);
		if (big) {
			*dst = big;
		} else {
			e->st.nomem++;
			len = GNAME_INLINE - 1;
		}
	}
	memcpy(*dst, src, len);
	(*dst)[len] = '\0';
}

static void note_context(struct vg_correlate_engine *e, struct group *g, const struct feed *f)
{
	if (f->ev) {
		if (f->ev->src.family != VG_AF_NONE)
			g->src = f->ev->src;
		if (f->ev->dst.family != VG_AF_NONE)
			g->dst = f->ev->dst;
		if (f->ev->host)
			name_set(e, &g->host, g->host_inl, f->ev->host);
		if (f->ev->service)
			name_set(e, &g->service, g->service_inl, f->ev->service);
	} else if (f->ig) {
		g->src = f->ig->src;
		g->dst = f->ig->dst;
		name_set(e, &g->host, g->host_inl, f->ig->host);
		name_set(e, &g->service, g->service_inl, f->ig->service);
	}
}

_Static_assert(CM_F_DETAIL <= 32, "cm_ectx.h_valid has a bit per event field id");

/* vset_touch of a field's value, with the value's hash computed once per event. */
static void touch_field(struct vg_correlate_engine *e, struct group *g, struct vset *s,
			const struct feed *f, enum cm_field_id id, const struct cm_fv *fv, int64_t t)
{
	unsigned k = (unsigned)id;
	if (!f->ev || k == CM_F_EXTRA || k >= CM_F_DETAIL || fv->len > VG_CORR_MAX_VALUE_LEN) {
		vset_touch(e, g, s, fv->s, fv->len, t);
		return;
	}
	struct cm_ectx *x = f->x;
	if (!(x->h_valid & (1u << k))) {
		x->h[k] = vset_hash(e, fv->s, fv->len);
		x->h_valid |= 1u << k;
	}
	vset_touch_h(e, g, s, fv->s, fv->len, t, x->h[k], true);
}

static void note_evidence(struct vg_correlate_engine *e, const struct vg_correlate_rule *r,
			  struct group *g, const struct feed *f)
{
	for (size_t i = 0; i < r->n_evidence; i++) {
		if (!f->ev) {
			/* Fed by a correlation: take over its evidence for the same field. */
			const struct vg_correlate_rule *in = f->inner;
			for (size_t j = 0; j < in->n_evidence; j++) {
				if (strcmp(in->evidence[j], r->evidence[i]) != 0)
					continue;
				for (uint32_t k = 0; k < f->ig->ev[j].n; k++)
					vset_touch_h(e, g, &g->ev[i], vent_str(&f->ig->ev[j].v[k]),
						     f->ig->ev[j].v[k].len, f->ig->ev[j].v[k].last,
						     f->ig->ev[j].hs[k], true);
			}
		}
		struct cm_fv fv;
		feed_field(f, r->ev_id[i], r->evidence[i], &fv);
		if (fv.present && fv.len)
			touch_field(e, g, &g->ev[i], f, r->ev_id[i], &fv, f->ts);
	}
}

/* The ring's i-th newest time (i < ring_cap): (head + cap - 1 - i) mod cap by one
 * compare, not a division per entry. */
static inline int64_t ring_back(const struct group *g, uint32_t i)
{
	uint32_t k = g->ring_head + g->ring_cap - 1 - i;
	if (k >= g->ring_cap)
		k -= g->ring_cap;
	return g->ring[k];
}

static void update_count(struct vg_correlate_engine *e, uint32_t ci, struct group *g,
			 const struct feed *f, unsigned depth)
{
	const struct vg_correlate_rule *r = e->rs->rules[ci];
	int64_t t = f->ts, span = r->corr.timespan_us;
	struct cm_fv fv = { 0 };
	if (r->corr.type == CT_VALUE_COUNT) {
		feed_field(f, r->corr.field_id, r->corr.field, &fv);
		if (!fv.present || fv.len == 0)
			return;
	}
	/* A window that emptied starts afresh, evidence included. */
	if (!g->open && g->ring_n) {
		int64_t newest = ring_back(g, 0);
		if (newest < t - span)
			reset_counts(e, g);
	}
	g->ring[g->ring_head] = t;
	if (++g->ring_head == g->ring_cap)
		g->ring_head = 0;
	if (g->ring_n < g->ring_cap)
		g->ring_n++;
	note_context(e, g, f);
	note_evidence(e, r, g, f);
	if (r->corr.type == CT_VALUE_COUNT)
		touch_field(e, g, g->vals, f, r->corr.field_id, &fv, t);
	if (g->open) {
		g->ep_count++;
		if (t > g->ep_last)
			g->ep_last = t;
		feed_parents(e, ci, &(struct feed){ .inner = r, .ig = g, .ts = t }, depth + 1);
		return;
	}
	/* Events of the sliding window (t - span, t]; the ring holds the last threshold+1,
	 * which is all any comparison needs. */
	uint64_t n = 0;
	int64_t oldest = t;
	for (uint32_t i = 0; i < g->ring_n; i++) {
		int64_t x = ring_back(g, i);
		if (x > t - span && x <= t) {
			n++;
			if (x < oldest)
				oldest = x;
		}
	}
	if (r->corr.type == CT_VALUE_COUNT) {
		vset_prune(e, g, g->vals, t - span + 1);
		n = g->vals->n;
	}
	if (!cmp_holds(r->corr.op, n, r->corr.threshold))
		return;
	/* The window's first value, when the episode opens (not needed before). */
	for (uint32_t i = 0; r->corr.type == CT_VALUE_COUNT && i < g->vals->n; i++)
		if (g->vals->v[i].first < oldest && g->vals->v[i].first > t - span)
			oldest = g->vals->v[i].first;
	g->open = true;
	g->ep_first = oldest;
	g->ep_last = t;
	g->ep_deadline = oldest + span;
	/* Events counted so far: the window's (value_count: at least one per value). */
	uint64_t cnt = 0;
	for (uint32_t i = 0; i < g->ring_n; i++) {
		int64_t x = ring_back(g, i);
		if (x >= oldest && x <= t)
			cnt++;
	}
	g->ep_count = cnt > n ? cnt : n;
	open_link(e, g);
	feed_parents(e, ci, &(struct feed){ .inner = r, .ig = g, .ts = t }, depth + 1);
	if (e->clock > g->ep_deadline)
		emit_episode(e, g);
}

static void temporal_alert(struct vg_correlate_engine *e, uint32_t ci, struct group *g,
			   const struct feed *f, int64_t first)
{
	const struct vg_correlate_rule *r = e->rs->rules[ci];
	size_t ns = r->corr.n_refs;
	uint64_t total = 0;
	for (size_t i = 0; i < ns; i++)
		total += g->st_count[i];
	struct vg_event a;
	alert_base(&a, r, f->ts);
	if (f->ev) {
		a.user = f->ev->user;
		a.src = f->ev->src;
		a.dst = f->ev->dst;
		a.sport = f->ev->sport;
		a.dport = f->ev->dport;
		a.source_name = f->ev->source_name;
		a.tenant = f->ev->tenant;
	}
	json_t *c = corr_json(e, r, g, &a, first, f->ts, total);
	if (c) {
		json_t *steps = json_array();
		for (size_t i = 0; steps && i < ns; i++) {
			json_t *s = json_object();
			if (!s)
				break;
			char t[40];
			json_object_set_new(s, "rule", json_string(r->corr.refs[i]));
			json_object_set_new(s, "count", json_integer((json_int_t)g->st_count[i]));
			fmt_time(g->st_first[i], t);
			json_object_set_new(s, "first", json_string(t));
			fmt_time(g->st_last[i], t);
			json_object_set_new(s, "last", json_string(t));
			json_array_append_new(steps, s);
		}
		json_object_set_new(c, "steps", steps);
		if (f->ev && f->ev->user)
			json_object_set_new(c, "final_user", json_string(f->ev->user));
	}
	json_t *extra = wrap_vigil(c);
	a.extra = extra;
	send_alert(e, ci, &a);
	json_decref(extra);
}

static void fire_temporal(struct vg_correlate_engine *e, uint32_t ci, struct group *g,
			  const struct feed *f, int64_t first, unsigned depth)
{
	const struct vg_correlate_rule *r = e->rs->rules[ci];
	size_t ns = r->corr.n_refs;
	if (rule_alerts(r))
		temporal_alert(e, ci, g, f, first);
	feed_parents(e, ci, &(struct feed){ .inner = r, .ig = g, .ts = f->ts }, depth + 1);
	/* One alert per episode: quiet for one timespan, and the sequence starts over. */
	g->suppressed = true;
	g->suppress_until = f->ts + r->corr.timespan_us;
	for (size_t i = 0; i < ns; i++) {
		g->st_last[i] = INT64_MIN;
		g->st_count[i] = 0;
	}
	for (size_t i = 0; i < g->n_ev; i++)
		vset_clear(e, g, &g->ev[i]);
}

static void step_note(struct group *g, size_t k, int64_t t, int64_t span)
{
	if (g->st_last[k] == INT64_MIN || g->st_last[k] < t - span) {
		g->st_count[k] = 0;
		g->st_first[k] = t;
	}
	g->st_count[k]++;
	g->st_last[k] = t;
}

static void update_temporal(struct vg_correlate_engine *e, uint32_t ci, struct group *g,
			    uint32_t child, const struct feed *f, unsigned depth)
{
	const struct vg_correlate_rule *r = e->rs->rules[ci];
	int64_t t = f->ts, span = r->corr.timespan_us;
	size_t ns = r->corr.n_refs;
	note_context(e, g, f);
	if (g->suppressed && t <= g->suppress_until)
		return;
	g->suppressed = false;
	note_evidence(e, r, g, f);
	if (r->corr.type == CT_TEMPORAL) {
		for (size_t k = 0; k < ns; k++)
			if (r->corr.ref_idx[k] == child)
				step_note(g, k, t, span);
		int64_t first = t;
		for (size_t k = 0; k < ns; k++) {
			if (g->st_last[k] == INT64_MIN || g->st_last[k] < t - span)
				return;
			if (g->st_first[k] < first)
				first = g->st_first[k] > t - span ? g->st_first[k] : t - span;
		}
		fire_temporal(e, ci, g, f, first, depth);
		return;
	}
	/* Ordered: step k counts only after step k-1 with the chain inside one timespan;
	 * st_start[k] is when the chain ending at step k began. Later steps first, so one
	 * event matching two steps does not complete both. */
	for (size_t kk = ns; kk-- > 0;) {
		if (r->corr.ref_idx[kk] != child)
			continue;
		if (kk == 0) {
			step_note(g, 0, t, span);
			g->st_start[0] = t;
			continue;
		}
		if (g->st_last[kk - 1] == INT64_MIN || t - g->st_start[kk - 1] > span ||
		    g->st_last[kk - 1] > t)
			continue;
		step_note(g, kk, t, span);
		g->st_start[kk] = g->st_start[kk - 1];
		if (kk == ns - 1) {
			fire_temporal(e, ci, g, f, g->st_first[0] > t - span ? g->st_first[0] : g->st_start[kk], depth);
			return;
		}
	}
}

/* A group key's hash. A key of one value and no tenant hashes as that value alone, so
 * that an event's field hash serves both its group lookup and its value sets. It
 * depends on the key's bytes only: every path building the same key gets the same. */
static uint64_t key_hash(const struct vg_correlate_engine *e, const char *key, size_t kl)
{
	if (kl >= 2 && key[0] == '\0' && memchr(key + 1, '\0', kl - 1) == key + kl - 1)
		return vset_hash(e, key + 1, kl - 2);
	return vg_siphash(&e->key, key, kl);
}

static void feed_one(struct vg_correlate_engine *e, uint32_t ci, uint32_t child,
		     const struct feed *f, unsigned depth)
{
	const struct vg_correlate_rule *r = e->rs->rules[ci];
	char key[(VG_CORR_MAX_GROUP_BY + 1) * (VG_CORR_MAX_VALUE_LEN + 1)];
	size_t kl = 0;
	const char *tenant = f->ev ? f->ev->tenant : key_tenant(f->ig);
	if (tenant) {
		size_t n = strlen(tenant);
		if (n > VG_CORR_MAX_VALUE_LEN)
			n = VG_CORR_MAX_VALUE_LEN;
		memcpy(key, tenant, n);
		kl = n;
	}
	key[kl++] = '\0';
	struct cm_fv fv = { 0 };
	for (size_t i = 0; i < r->corr.n_gb; i++) {
		feed_field(f, r->corr.gb_id[i], r->corr.group_by[i], &fv);
		if (!fv.present || fv.len == 0)
			return; /* no value to group by: this correlation does not apply */
		size_t n = fv.len > VG_CORR_MAX_VALUE_LEN ? VG_CORR_MAX_VALUE_LEN : fv.len;
		/* Values are kept as C strings: cut at an embedded NUL. */
		const char *nul = memchr(fv.s, '\0', n);
		if (nul)
			n = (size_t)(nul - fv.s);
		memcpy(key + kl, fv.s, n);
		kl += n;
		key[kl++] = '\0';
	}
	/* Several correlations group one event by the same values: hash them once. */
	uint64_t kh;
	struct cm_ectx *x = f->ev ? f->x : NULL;
	unsigned id1 = r->corr.n_gb == 1 ? (unsigned)r->corr.gb_id[0] : 0;
	if (x && !tenant && id1 != CM_F_EXTRA && id1 < CM_F_DETAIL && kl == fv.len + 2) {
		/* One value, no tenant, not cut: key_hash is the value's hash, which the
		 * event's value sets use too (touch_field): computed once per event. */
		if (!(x->h_valid & (1u << id1))) {
			x->h[id1] = vset_hash(e, fv.s, fv.len);
			x->h_valid |= 1u << id1;
		}
		kh = x->h[id1];
	} else if (x && x->key_len == kl && !memcmp(x->key_cache, key, kl)) {
		kh = x->key_h;
	} else {
		kh = key_hash(e, key, kl);
		if (x && kl <= sizeof(x->key_cache)) {
			memcpy(x->key_cache, key, kl);
			x->key_len = kl;
			x->key_h = kh;
		}
	}
	struct group *g = group_get(e, ci, key, kl, kh);
	if (!g) {
		e->st.nomem++;
		return;
	}
	g->pinned++;
	if (r->corr.type == CT_EVENT_COUNT || r->corr.type == CT_VALUE_COUNT)
		update_count(e, ci, g, f, depth);
	else
		update_temporal(e, ci, g, child, f, depth);
	g->pinned--;
}

/* The event's hash of field id, as touch_field computes and caches it; false when
 * touch_field would not use the cache (JSON field, empty or long value). */
static bool event_hash(struct vg_correlate_engine *e, const struct feed *f, enum cm_field_id id,
		       const char *name, uint64_t *h)
{
	unsigned k = (unsigned)id;
	if (k == CM_F_EXTRA || k >= CM_F_DETAIL)
		return false;
	struct cm_ectx *x = f->x;
	if (!(x->h_valid & (1u << k))) {
		struct cm_fv fv;
		cm_field_value(x, id, name, &fv);
		if (!fv.present || fv.len == 0 || fv.len > VG_CORR_MAX_VALUE_LEN)
			return false;
		x->h[k] = vset_hash(e, fv.s, fv.len);
		x->h_valid |= 1u << k;
	}
	*h = x->h[k];
	return true;
}

/* The table hash an event's group for correlation ci will have, when its key is one
 * value and no tenant (feed_one's shortcut); false otherwise. Fills the event's value
 * hash cache the way feed_one and touch_field would. */
static bool guess_hash(struct vg_correlate_engine *e, uint32_t ci, const struct feed *f,
		       uint64_t *h)
{
	const struct vg_correlate_rule *p = e->rs->rules[ci];
	if (p->corr.n_gb != 1 || f->ev->tenant)
		return false;
	uint64_t vh;
	if (!event_hash(e, f, (enum cm_field_id)p->corr.gb_id[0], p->corr.group_by[0], &vh))
		return false;
	*h = vh ^ ((uint64_t)(ci + 1) * 0x9e3779b97f4a7c15ull);
	return true;
}

/* The hot part of the group in h's home slot (group_get's first probe), if the slot
 * (prefetched before) holds it. */
static void prefetch_group(const struct vg_correlate_engine *e, uint64_t h)
{
	const struct gslot *sl = &e->slots[h & (e->nslots - 1)];
	if (sl->h != h || !sl->g)
		return;
	const char *g = (const char *)sl->g;
	/* through a short key, the ring and the value and evidence sets after it */
	for (size_t off = offsetof(struct group, src); off < offsetof(struct group, key) + 256; off += 64)
		__builtin_prefetch(g + off);
}

static void prefetch_set(const struct vset *s, uint64_t h)
{
	if (s->idx) {
		__builtin_prefetch(&s->idx[(uint32_t)h & (VSET_IDX_SLOTS - 1)]);
	} else if (s->n) {
		__builtin_prefetch(s->hs);
		__builtin_prefetch(&s->hs[s->n - 1]);
	}
}

/* The lines where the event's values will be looked up in the value and evidence sets
 * of correlation ci's group (found as prefetch_group finds it, its lines asked for
 * one step before): the index slot, or the hashes. */
static void prefetch_sets(struct vg_correlate_engine *e, uint32_t ci, uint64_t h,
			  const struct feed *f)
{
	const struct gslot *sl = &e->slots[h & (e->nslots - 1)];
	if (sl->h != h || !sl->g)
		return;
	const struct group *g = sl->g;
	const struct vg_correlate_rule *r = e->rs->rules[ci];
	uint64_t vh;
	if (g->vals && event_hash(e, f, r->corr.field_id, r->corr.field, &vh))
		prefetch_set(g->vals, vh);
	for (size_t i = 0; i < g->n_ev; i++)
		if (event_hash(e, f, r->ev_id[i], r->evidence[i], &vh))
			prefetch_set(&g->ev[i], vh);
}

static void feed_parents(struct vg_correlate_engine *e, uint32_t ri, const struct feed *f,
			 unsigned depth)
{
	const struct vg_correlate_rule *r = e->rs->rules[ri];
	if (depth > VG_CORR_MAX_CHAIN || r->n_parents == 0)
		return;
	/* An event feeding several correlations: their table slots are asked for at once,
	 * each group's lines two updates ahead and its value sets' lines one update ahead,
	 * so that the cache misses of the lookups overlap instead of coming one after the
	 * other. Only loads are started here; feed_one does the lookups as before. */
	uint64_t hs[8];
	bool have[8] = { false };
	size_t np = r->n_parents < 8 ? r->n_parents : 8;
	if (f->ev && np > 1) {
		for (size_t i = 0; i < np; i++) {
			have[i] = guess_hash(e, r->parents[i], f, &hs[i]);
			if (have[i])
				__builtin_prefetch(&e->slots[hs[i] & (e->nslots - 1)]);
		}
		if (have[0])
			prefetch_group(e, hs[0]);
		if (have[1])
			prefetch_group(e, hs[1]);
		if (have[0])
			prefetch_sets(e, r->parents[0], hs[0], f);
	}
	for (size_t i = 0; i < r->n_parents; i++) {
		if (i + 2 < np && have[i + 2])
			prefetch_group(e, hs[i + 2]);
		if (i + 1 < np && have[i + 1])
			prefetch_sets(e, r->parents[i + 1], hs[i + 1], f);
		feed_one(e, r->parents[i], ri, f, depth);
	}
}

/* --- rule index by event.action --------------------------------------------------------- */

/* FNV-1a: the table's keys come from the rules; lookups only probe. */
static size_t act_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return (size_t)h;
}

static struct act_rules *act_slot(const struct vg_correlate_engine *e, const char *a, size_t len)
{
	size_t m = e->n_acts_slots - 1;
	for (size_t i = act_hash(a, len) & m;; i = (i + 1) & m) {
		struct act_rules *s = &e->acts[i];
		if (!s->action || (s->len == len && !memcmp(s->action, a, len)))
			return s;
	}
}

static int act_add(struct vg_correlate_engine *e, const char *a, size_t len, uint32_t ri)
{
	struct act_rules *s = act_slot(e, a, len);
	if (!s->action) {
		s->action = malloc(len + 1);
		if (!s->action)
			return VG_ENOMEM;
		memcpy(s->action, a, len);
		s->action[len] = '\0';
		s->len = len;
		if (len > e->act_maxlen)
			e->act_maxlen = len;
	}
	if (s->n && s->rules[s->n - 1] == ri)
		return 0;
	uint32_t *nr = realloc(s->rules, (s->n + 1) * sizeof(*nr));
	if (!nr)
		return VG_ENOMEM;
	s->rules = nr;
	s->rules[s->n++] = ri;
	return 0;
}

/* The rule matches exactly the events whose action is one of fs's literals (fs: what
 * cm_rule_action_fields gave) and whose logsource flags fit: its condition is the one
 * selection, each alternative of which has that single field. */
static bool action_only(const struct vg_correlate_rule *r, const struct cm_field **fs, size_t nf)
{
	if (r->ls_str || r->cond.n != 1 || r->cond.root != 0 || r->cond.nodes[0].kind != CN_SEL)
		return false;
	const struct cm_sel *s = &r->sels[r->cond.nodes[0].a];
	if (s->n_alts != nf)
		return false;
	for (size_t a = 0; a < nf; a++)
		if (s->alts[a].n_fields != 1 || &s->alts[a].fields[0] != fs[a])
			return false;
	return true;
}

static int build_action_index(struct vg_correlate_engine *e)
{
	const struct vg_correlate_ruleset *rs = e->rs;
	size_t n_vals = 0;
	for (size_t i = 0; i < rs->n; i++) {
		const struct cm_field *fs[VG_CORR_MAX_SELECTIONS];
		size_t nf = cm_rule_action_fields(rs->rules[i], fs, VG_CORR_MAX_SELECTIONS);
		for (size_t k = 0; k < nf; k++)
			n_vals += fs[k]->n_vals;
	}
	e->n_acts_slots = 16;
	while (e->n_acts_slots < 2 * n_vals)
		e->n_acts_slots <<= 1;
	e->acts = calloc(e->n_acts_slots, sizeof(*e->acts));
	e->any_rules = calloc(rs->n ? rs->n : 1, sizeof(uint32_t));
	e->act_only = calloc(rs->n ? rs->n : 1, sizeof(bool));
	if (!e->acts || !e->any_rules || !e->act_only)
		return VG_ENOMEM;
	for (size_t i = 0; i < rs->n; i++) {
		const struct vg_correlate_rule *r = rs->rules[i];
		if (r->dead || r->corr.type != CT_NONE)
			continue;
		const struct cm_field *fs[VG_CORR_MAX_SELECTIONS];
		size_t nf = cm_rule_action_fields(r, fs, VG_CORR_MAX_SELECTIONS);
		if (nf == 0) {
			e->any_rules[e->n_any++] = (uint32_t)i;
			continue;
		}
		e->act_only[i] = action_only(r, fs, nf);
		for (size_t k = 0; k < nf; k++) {
			for (size_t v = 0; v < fs[k]->n_vals; v++) {
				char buf[VG_MAX_NAME];
				size_t len;
				if (!cm_value_literal(fs[k], &fs[k]->vals[v], buf, sizeof(buf), &len))
					return VG_EINVAL; /* cm_rule_action_fields said literal */
				int rc = act_add(e, buf, len, (uint32_t)i);
				if (rc)
					return rc;
			}
		}
	}
	/* Each action's list with the action-free rules merged in, in rule order: an
	 * event's candidates are then one list, merged once here. */
	for (size_t k = 0; k < e->n_acts_slots; k++) {
		struct act_rules *s = &e->acts[k];
		if (!s->action || !e->n_any)
			continue;
		uint32_t *m = malloc((s->n + e->n_any) * sizeof(*m));
		if (!m)
			return VG_ENOMEM;
		size_t i = 0, j = 0, n = 0;
		while (i < e->n_any || j < s->n) {
			if (j >= s->n || (i < e->n_any && e->any_rules[i] < s->rules[j]))
				m[n++] = e->any_rules[i++];
			else
				m[n++] = s->rules[j++];
		}
		free(s->rules);
		s->rules = m;
		s->n = n;
	}
	return 0;
}

/* Rules ev may match, ascending (the order alerts come out in). */
static const uint32_t *candidates_lookup(const struct vg_correlate_engine *e,
					 const struct vg_event *ev, size_t *n)
{
	if (ev->action) {
		size_t len = strlen(ev->action);
		char low[VG_MAX_NAME];
		if (len <= e->act_maxlen && len < sizeof(low)) {
			for (size_t i = 0; i < len; i++) {
				unsigned char c = (unsigned char)ev->action[i];
				low[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
			}
			const struct act_rules *s = act_slot(e, low, len);
			if (s->action) {
				*n = s->n;
				return s->rules;
			}
		}
	}
	*n = e->n_any;
	return e->any_rules;
}

static const uint32_t *candidates(struct vg_correlate_engine *e, const struct vg_event *ev,
				  size_t *n)
{
	if (!ev->action)
		return candidates_lookup(e, ev, n);
	size_t k = ((uintptr_t)ev->action >> 3) & 15u;
	if (e->act_cache[k].ptr == ev->action && !strcmp(e->act_cache[k].text, ev->action)) {
		*n = e->act_cache[k].n;
		return e->act_cache[k].rules;
	}
	const uint32_t *r = candidates_lookup(e, ev, n);
	size_t len = strlen(ev->action);
	if (len < sizeof(e->act_cache[k].text)) {
		e->act_cache[k].ptr = ev->action;
		memcpy(e->act_cache[k].text, ev->action, len + 1);
		e->act_cache[k].rules = r;
		e->act_cache[k].n = *n;
	}
	return r;
}

/* --- alert text ---------------------------------------------------------------------------- */

/* A member name jansson and vg_jw write alike: valid UTF-8 without control bytes. */
static bool name_plain(const char *s)
{
	struct vg_buf b;
	struct vg_jw w;
	bool ok = true;
	for (const char *p = s; *p; p++)
		ok = ok && (unsigned char)*p >= 0x20;
	vg_buf_init(&b, 0);
	vg_jw_init(&w, &b);
	ok = ok && vg_jw_jstrn(&w, NULL, s, strlen(s)); /* false: not valid UTF-8 */
	vg_buf_free(&b);
	return ok;
}

static bool names_distinct_plain(char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!name_plain(names[i]))
			return false;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(names[i], names[j]))
				return false; /* jansson would replace the earlier member in place */
	}
	return true;
}

static char *dump_text(const char *key, const json_t *v, const char *tail, size_t *len)
{
	struct vg_buf b;
	struct vg_jw w;
	vg_buf_init(&b, 0);
	vg_jw_init(&w, &b);
	vg_jw_json(&w, key, v);
	if (tail)
		vg_jw_members(&w, tail, strlen(tail));
	if (vg_jw_finish(&w) || !b.len) {
		vg_buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return vg_buf_steal(&b);
}

/* The text of rule i's unchanging alert parts, when its alerts can be written directly
 * (count correlations whose member names need no care); otherwise none, and its
 * alerts are jansson trees as before. */
static void rule_txt_build(struct vg_correlate_engine *e, size_t i)
{
	const struct vg_correlate_rule *r = e->rs->rules[i];
	struct rule_txt *rt = &e->rtxt[i];
	if ((r->corr.type != CT_EVENT_COUNT && r->corr.type != CT_VALUE_COUNT) || !e->rule_obj[i] ||
	    !e->refs_arr[i] || !names_distinct_plain(r->corr.group_by, r->corr.n_gb) ||
	    !names_distinct_plain(r->evidence, r->n_evidence) ||
	    (r->corr.type == CT_VALUE_COUNT && !r->corr.field))
		return;
	char type[64];
	snprintf(type, sizeof(type), "\"type\":\"%s\"", type_name(r->corr.type));
	rt->pre = dump_text("rule", e->rule_obj[i], type, &rt->pre_len);
	rt->refs = dump_text("rules", e->refs_arr[i], NULL, &rt->refs_len);
	if (!rt->pre || !rt->refs) {
		free(rt->pre);
		free(rt->refs);
		rt->pre = rt->refs = NULL;
	}
}

/* cm_event_ls, remembered for the last category and service strings (a few slots by
 * their addresses): parsers hand out a few constant strings, so the pointers (their
 * text verified) decide. */
static unsigned event_ls(struct vg_correlate_engine *e, const struct vg_event *ev)
{
	size_t k = (((uintptr_t)ev->category >> 3) ^ ((uintptr_t)ev->service >> 3) ^ (unsigned)ev->type) & 7u;
	struct ls_memo *m = &e->ls_memo[k];
	if (m->valid && m->type == ev->type && m->cat == ev->category && m->svc == ev->service &&
	    (!m->cat || !strcmp(m->cat_t, m->cat)) && (!m->svc || !strcmp(m->svc_t, m->svc)))
		return m->ls;
	unsigned ls = cm_event_ls(ev);
	size_t cl = ev->category ? strlen(ev->category) : 0, sl = ev->service ? strlen(ev->service) : 0;
	m->valid = cl < sizeof(m->cat_t) && sl < sizeof(m->svc_t);
	if (m->valid) {
		m->type = ev->type;
		m->cat = ev->category;
		m->svc = ev->service;
		memcpy(m->cat_t, ev->category ? ev->category : "", cl + 1);
		memcpy(m->svc_t, ev->service ? ev->service : "", sl + 1);
		m->ls = ls;
	}
	return ls;
}

/* --- public ------------------------------------------------------------------------------- */

int vg_correlate_engine_new(const struct vg_correlate_ruleset *rs,
			    const struct vg_correlate_config *cfg,
			    const struct vg_event_sink *alerts, struct vg_correlate_engine **out)
{
	*out = NULL;
	if (!rs || !rs->finished)
		return VG_ESTATE;
	struct vg_correlate_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return VG_ENOMEM;
	int rc = vg_hash_key_random(&e->key);
	if (rc) {
		free(e);
		return rc;
	}
	e->rs = rs;
	if (alerts)
		e->sink = *alerts;
	e->max_groups = vg_clamp_u64(cfg && cfg->max_groups ? cfg->max_groups : VG_CORR_MAX_GROUPS, 16,
				     VG_CORR_MAX_GROUPS);
	e->memcap = vg_clamp_u64(cfg && cfg->memcap ? cfg->memcap : VG_CORR_DEFAULT_MEMCAP, 1u << 16,
				 VG_CORR_MAX_MEMCAP);
	e->max_slots = 32;
	while (e->max_slots < 2 * e->max_groups)
		e->max_slots <<= 1;
	e->nslots = e->max_slots < 2048 ? e->max_slots : 2048;
	e->slots = calloc(e->nslots, sizeof(*e->slots));
	e->rule_alerts = calloc(rs->n ? rs->n : 1, sizeof(uint64_t));
	e->rule_obj = calloc(rs->n ? rs->n : 1, sizeof(json_t *));
	e->refs_arr = calloc(rs->n ? rs->n : 1, sizeof(json_t *));
	e->rtxt = calloc(rs->n ? rs->n : 1, sizeof(*e->rtxt));
	vg_buf_init(&e->abuf, 0);
	rc = e->slots && e->rule_alerts && e->rule_obj && e->refs_arr && e->rtxt
		     ? build_action_index(e)
		     : VG_ENOMEM;
	for (size_t i = 0; rc == 0 && i < rs->n; i++) {
		const struct vg_correlate_rule *r = rs->rules[i];
		if (r->dead || r->corr.type == CT_NONE)
			continue;
		/* A failure here only means building them per alert. */
		e->rule_obj[i] = json_object();
		if (e->rule_obj[i])
			rule_json(e->rule_obj[i], r);
		e->refs_arr[i] = refs_json(r);
		rule_txt_build(e, i);
	}
	if (rc) {
		vg_correlate_engine_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

void vg_correlate_engine_free(struct vg_correlate_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; e->slots && i < e->nslots; i++)
		if (e->slots[i].g)
			group_destroy(e, e->slots[i].g);
	free(e->slots);
	free(e->rule_alerts);
	free(e->heap);
	free(e->due);
	for (size_t i = 0; e->acts && i < e->n_acts_slots; i++) {
		free(e->acts[i].action);
		free(e->acts[i].rules);
	}
	free(e->acts);
	free(e->any_rules);
	free(e->act_only);
	for (size_t i = 0; i < e->rs->n; i++) {
		if (e->rule_obj)
			json_decref(e->rule_obj[i]);
		if (e->refs_arr)
			json_decref(e->refs_arr[i]);
	}
	for (size_t i = 0; e->rtxt && i < e->rs->n; i++) {
		free(e->rtxt[i].pre);
		free(e->rtxt[i].refs);
	}
	free(e->rtxt);
	vg_buf_free(&e->abuf);
	free(e->rule_obj);
	free(e->refs_arr);
	free(e);
}

void vg_correlate_engine_advance(struct vg_correlate_engine *e, int64_t now_us)
{
	if (!e)
		return;
	if (!e->have_clock || now_us > e->clock) {
		e->clock = now_us;
		e->have_clock = true;
		close_expired(e);
	}
}

int vg_correlate_engine_event_details(struct vg_correlate_engine *e, const struct vg_event *ev,
				      const struct vg_correlate_details *d)
{
	if (!e || !ev)
		return VG_EINVAL;
	e->st.events++;
	vg_correlate_engine_advance(e, ev->ts_us);
	uint64_t nomem = e->st.nomem;
	const struct vg_correlate_ruleset *rs = e->rs;
	struct cm_ectx x;
	cm_ectx_init_ls(&x, ev, d, event_ls(e, ev));
	size_t nc;
	const uint32_t *cand = candidates(e, ev, &nc);
	bool by_action = cand != e->any_rules; /* the list of ev's action */
	for (size_t c = 0; c < nc; c++) {
		uint32_t i = cand[c];
		const struct vg_correlate_rule *r = rs->rules[i];
		/* logsource flags first: most rules end here without a call */
		if ((x.ls & r->ls_need) != r->ls_need || (x.ls & r->ls_forbid))
			continue;
		if (!(by_action && e->act_only[i]) && !cm_rule_match_x(r, &x))
			continue;
		e->st.matches++;
		if (rule_alerts(r))
			emit_detection(e, i, &x);
		feed_parents(e, (uint32_t)i, &(struct feed){ .ev = ev, .x = &x, .ts = ev->ts_us }, 0);
	}
	return e->st.nomem != nomem ? VG_ENOMEM : 0;
}

int vg_correlate_engine_event(struct vg_correlate_engine *e, const struct vg_event *ev)
{
	return vg_correlate_engine_event_details(e, ev, NULL);
}

void vg_correlate_engine_flush(struct vg_correlate_engine *e)
{
	if (!e)
		return;
	/* Oldest first, so alerts come out roughly in time order. */
	lru_need(e);
	while (e->lru_tail)
		group_remove(e, e->lru_tail, true);
}

const struct vg_correlate_stats *vg_correlate_engine_stats(const struct vg_correlate_engine *e)
{
	return &e->st;
}

uint64_t vg_correlate_engine_rule_alerts(const struct vg_correlate_engine *e, size_t i)
{
	return e && i < e->rs->n ? e->rule_alerts[i] : 0;
}
