/* decode-defrag.c — IP fragment reassembly; contract and overlap policy in
 * decode-defrag.h.
 *
 * A tracker holds the datagram being rebuilt in one flat buffer (payload offset 0 at
 * buf[0]) plus the list of byte ranges already received, kept sorted and merged.
 * "First" policy: a new fragment only copies into the holes between those ranges.
 * The datagram is complete when the last fragment (MF clear) has fixed the total
 * length, the first fragment has given the header, and the ranges are one [0,total).
 * Trackers live in a SipHash-keyed chained table and on an age list (oldest first),
 * which serves both the timeout and eviction. */
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"
#include "core/core-hash.h"
#include "core/limits.h"
#include "decode/decode-defrag.h"
#include "decode/decode-int.h"

#define DG_MAX 65535u /* largest IP datagram (IPv4 total length, IPv6 payload length) */

struct range {
	uint32_t start, end;
};

struct dkey {
	uint8_t family;   /* 4 or 6 */
	uint8_t proto;    /* IPv4 only */
	uint16_t vlan;
	uint32_t vni;
	uint32_t id;
	uint8_t src[16], dst[16];
};

struct tracker {
	struct tracker *hnext, **hprev;  /* hash chain */
	struct tracker *older, *newer;   /* age list */
	struct dkey key;
	uint64_t hash;
	int64_t created_us;
	uint8_t *buf;          /* payload bytes, buf[0] = fragment offset 0 */
	uint32_t cap;          /* allocated bytes of buf */
	uint8_t *hdr;          /* header of the first fragment (IPv6: unfragmentable part) */
	uint32_t hdr_len;
	uint32_t prev_nh_off;  /* IPv6: where the Next Header naming the fragment header is */
	uint8_t nexthdr;       /* IPv6: the fragment header's Next Header (first fragment) */
	uint32_t total;        /* payload length, known once the last fragment came */
	bool have_last;
	uint16_t n_frags, n_ranges;
	struct range ranges[VG_DEFRAG_MAX_FRAGS];
};

struct vg_defrag {
	struct vg_hash_key hkey;
	struct tracker **buckets;
	uint32_t mask;
	struct tracker *oldest, *newest;
	uint64_t memcap;
	uint32_t max_trackers, max_frags;
	int64_t timeout_us;
	struct vg_defrag_counters c;
	uint8_t *out;          /* the last reassembled datagram */
	uint32_t out_cap;
};

int vg_defrag_new(const struct vg_defrag_config *cfg, struct vg_defrag **out)
{
	struct vg_defrag *d = NULL;
	int rc = VG_ENOMEM;

	*out = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		goto fail;
	struct vg_defrag_config def = { 0 };
	if (!cfg)
		cfg = &def;
	d->memcap = cfg->memcap ? vg_clamp_u64(cfg->memcap, 64u << 10, VG_DEFRAG_MEMCAP) :
		VG_DEFRAG_MEMCAP;
	d->max_trackers = (uint32_t)(cfg->max_trackers ?
		vg_clamp_u64(cfg->max_trackers, 1, VG_DEFRAG_MAX_TRACKERS) : VG_DEFRAG_MAX_TRACKERS);
	d->max_frags = (uint32_t)(cfg->max_frags ?
		vg_clamp_u64(cfg->max_frags, 2, VG_DEFRAG_MAX_FRAGS) : VG_DEFRAG_MAX_FRAGS);
	uint64_t to = cfg->timeout_s ? vg_clamp_u64(cfg->timeout_s, 1, VG_DEFRAG_MAX_TIMEOUT_S) :
		VG_DEFRAG_DEFAULT_TIMEOUT_S;
	d->timeout_us = (int64_t)to * 1000000;
	uint32_t nb = 16;
	while (nb < d->max_trackers && nb < (1u << 20))
		nb <<= 1;
	d->buckets = calloc(nb, sizeof(*d->buckets));
	if (!d->buckets)
		goto fail;
	d->mask = nb - 1;
	d->out_cap = DG_MAX + 64;
	d->out = malloc(d->out_cap);
	if (!d->out)
		goto fail;
	if ((rc = vg_hash_key_random(&d->hkey)) < 0)
		goto fail;
	*out = d;
	return 0;
fail:
	vg_defrag_free(d);
	return rc;
}

static void tracker_free(struct vg_defrag *d, struct tracker *t)
{
	*t->hprev = t->hnext;
	if (t->hnext)
		t->hnext->hprev = t->hprev;
	if (t->older)
		t->older->newer = t->newer;
	else
		d->oldest = t->newer;
	if (t->newer)
		t->newer->older = t->older;
	else
		d->newest = t->older;
	d->c.memuse -= sizeof(*t) + t->cap + t->hdr_len;
	d->c.trackers--;
	free(t->buf);
	free(t->hdr);
	free(t);
}

void vg_defrag_free(struct vg_defrag *d)
{
	if (!d)
		return;
	while (d->oldest)
		tracker_free(d, d->oldest);
	free(d->buckets);
	free(d->out);
	free(d);
}

unsigned vg_defrag_expire(struct vg_defrag *d, int64_t now_us)
{
	unsigned n = 0;
	while (d->oldest && now_us - d->oldest->created_us >= d->timeout_us) {
		tracker_free(d, d->oldest);
		d->c.timeouts++;
		n++;
	}
	return n;
}

void vg_defrag_counters(const struct vg_defrag *d, struct vg_defrag_counters *out)
{
	memset(out, 0, sizeof(*out));
	if (d)
		*out = d->c;
}

/* Evict the oldest tracker other than keep; false when there is none. */
static bool evict_one(struct vg_defrag *d, const struct tracker *keep)
{
	struct tracker *t = d->oldest;
	if (t == keep)
		t = t ? t->newer : NULL;
	if (!t)
		return false;
	tracker_free(d, t);
	d->c.evicted++;
	return true;
}

/* Make room for `bytes` more; evicts oldest trackers (except keep). */
static bool reserve(struct vg_defrag *d, const struct tracker *keep, uint64_t bytes,
		    struct vg_packet *p)
{
	bool evicted = false;
	while (d->c.memuse + bytes > d->memcap) {
		if (!evict_one(d, keep))
			return false;
		evicted = true;
	}
	if (evicted)
		vg_decode_an(p, VG_AN_FRAG_MEMCAP);
	return true;
}

static struct tracker *lookup(struct vg_defrag *d, const struct dkey *k, uint64_t h)
{
	for (struct tracker *t = d->buckets[h & d->mask]; t; t = t->hnext)
		if (t->hash == h && memcmp(&t->key, k, sizeof(*k)) == 0)
			return t;
	return NULL;
}

static struct tracker *tracker_new(struct vg_defrag *d, const struct dkey *k, uint64_t h,
				   int64_t now_us, struct vg_packet *p)
{
	if (d->c.trackers >= d->max_trackers) {
		evict_one(d, NULL);
		vg_decode_an(p, VG_AN_FRAG_TRACKERS_FULL);
	}
	if (!reserve(d, NULL, sizeof(struct tracker), p))
		return NULL;
	struct tracker *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->key = *k;
	t->hash = h;
	t->created_us = now_us;
	struct tracker **b = &d->buckets[h & d->mask];
	t->hnext = *b;
	if (*b)
		(*b)->hprev = &t->hnext;
	*b = t;
	t->hprev = b;
	t->older = d->newest;
	if (d->newest)
		d->newest->newer = t;
	else
		d->oldest = t;
	d->newest = t;
	d->c.memuse += sizeof(*t);
	d->c.trackers++;
	return t;
}

/* Copy [s,e) into the holes of t; returns 1 when it overlapped held data, 2 when it
 * was an exact duplicate (nothing new), 0 otherwise. ranges stay sorted and merged. */
static int fill(struct tracker *t, const uint8_t *data, uint32_t s, uint32_t e)
{
	int ov = 0;
	uint32_t pos = s;
	for (unsigned i = 0; i < t->n_ranges && pos < e; i++) {
		const struct range *r = &t->ranges[i];
		if (r->end <= pos)
			continue;
		if (r->start >= e)
			break;
		ov = 1;
		if (r->start > pos)
			memcpy(t->buf + pos, data + (pos - s), r->start - pos);
		pos = r->end;
	}
	if (pos < e)
		memcpy(t->buf + pos, data + (pos - s), e - pos);
	/* Insert [s,e) and merge. */
	unsigned i = 0;
	while (i < t->n_ranges && t->ranges[i].end < s)
		i++;
	unsigned j = i;
	uint32_t ns = s, ne = e;
	while (j < t->n_ranges && t->ranges[j].start <= e) {
		if (t->ranges[j].start < ns)
			ns = t->ranges[j].start;
		if (t->ranges[j].end > ne)
			ne = t->ranges[j].end;
		if (t->ranges[j].start <= s && t->ranges[j].end >= e)
			ov = 2;
		j++;
	}
	/* ranges[i..j) are replaced by one. */
	if (j == i) {
		memmove(&t->ranges[i + 1], &t->ranges[i], (t->n_ranges - i) * sizeof(t->ranges[0]));
		t->n_ranges++;
	} else if (j > i + 1) {
		memmove(&t->ranges[i + 1], &t->ranges[j], (t->n_ranges - j) * sizeof(t->ranges[0]));
		t->n_ranges -= (uint16_t)(j - i - 1);
	}
	t->ranges[i].start = ns;
	t->ranges[i].end = ne;
	return ov;
}

static uint16_t ip_csum(const uint8_t *h, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += vg_rd16(h + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static int complete(struct vg_defrag *d, struct tracker *t, const uint8_t **dg, size_t *len)
{
	uint32_t n = t->hdr_len + t->total;
	if (n > d->out_cap)
		return VG_ERANGE; /* cannot happen: checked as fragments arrive */
	memcpy(d->out, t->hdr, t->hdr_len);
	memcpy(d->out + t->hdr_len, t->buf, t->total);
	uint8_t *o = d->out;
	if (t->key.family == 4) {
		o[2] = (uint8_t)(n >> 8);
		o[3] = (uint8_t)n;
		o[6] &= 0x40; /* keep DF, clear MF and the offset */
		o[7] = 0;
		o[10] = o[11] = 0;
		uint16_t c = ip_csum(o, t->hdr_len);
		o[10] = (uint8_t)(c >> 8);
		o[11] = (uint8_t)c;
	} else {
		uint32_t pl = n - 40;
		o[4] = (uint8_t)(pl >> 8);
		o[5] = (uint8_t)pl;
		o[t->prev_nh_off] = t->nexthdr;
	}
	*dg = d->out;
	*len = n;
	d->c.reassembled++;
	tracker_free(d, t);
	return 0;
}

int vg_defrag_packet(struct vg_defrag *d, struct vg_packet *p, int64_t now_us,
		     const uint8_t **out_datagram, size_t *out_len)
{
	*out_datagram = NULL;
	*out_len = 0;
	if (!(p->flags & VG_PKT_FRAGMENT) || !p->l3 || !p->frag_data)
		return 0;
	d->c.fragments++;
	vg_defrag_expire(d, now_us);

	bool v6 = p->ip_version == 6;
	unsigned an_overlap = v6 ? VG_AN_IPV6_FRAG_OVERLAP : VG_AN_IPV4_FRAG_OVERLAP;
	unsigned an_large = v6 ? VG_AN_IPV6_FRAG_TOO_LARGE : VG_AN_IPV4_FRAG_TOO_LARGE;
	uint32_t s = p->frag_offset, flen = p->frag_data_len, e = s + flen;
	/* Header kept from the first fragment; IPv4 may carry options, IPv6 the
	 * unfragmentable extension headers. */
	uint32_t hdr_len = v6 ? p->frag_hdr_off : p->ip_hlen;

	if ((flen == 0 && p->more_frags) || (p->more_frags && flen % 8 != 0) ||
	    (v6 && hdr_len < 40) || (!v6 && hdr_len < 20)) {
		vg_decode_an(p, VG_AN_FRAG_INVALID);
		d->c.invalid++;
		return VG_EINVAL;
	}
	/* A fragment cut by the snapshot length cannot be reassembled. */
	size_t iplen = v6 ? 40u + vg_rd16(p->l3 + 4) : vg_rd16(p->l3 + 2);
	if (iplen != p->l3_len) {
		d->c.invalid++;
		return VG_EINVAL;
	}
	if (e + (v6 ? hdr_len - 40 : hdr_len) > DG_MAX) {
		vg_decode_an(p, an_large);
		d->c.too_large++;
		return VG_ERANGE;
	}

	struct dkey k;
	memset(&k, 0, sizeof(k));
	k.family = v6 ? 6 : 4;
	k.proto = v6 ? 0 : p->proto;
	k.vlan = p->n_vlan ? p->vlan[0] : 0;
	k.vni = p->has_vni ? p->vni : 0;
	k.id = p->ip_id;
	memcpy(k.src, p->src.b, 16);
	memcpy(k.dst, p->dst.b, 16);
	uint64_t h = vg_siphash(&d->hkey, &k, sizeof(k));

	struct tracker *t = lookup(d, &k, h);
	if (!t) {
		t = tracker_new(d, &k, h, now_us, p);
		if (!t) {
			vg_decode_an(p, VG_AN_FRAG_MEMCAP);
			d->c.memcap_drops++;
			return VG_ENOMEM;
		}
	}

	/* The last fragment fixes the length; a second, different one contradicts it. */
	if (!p->more_frags) {
		if ((t->have_last && t->total != e) ||
		    (t->n_ranges && t->ranges[t->n_ranges - 1].end > e)) {
			vg_decode_an(p, VG_AN_FRAG_INVALID);
			d->c.invalid++;
			return VG_EINVAL;
		}
	} else if (t->have_last && e > t->total) {
		vg_decode_an(p, VG_AN_FRAG_INVALID);
		d->c.invalid++;
		return VG_EINVAL;
	}
	if (t->n_frags >= d->max_frags) {
		vg_decode_an(p, VG_AN_FRAG_TOO_MANY);
		d->c.too_many++;
		tracker_free(d, t);
		return VG_EFULL;
	}

	/* Room for the payload and, from the first fragment, the header. */
	uint32_t need_hdr = (s == 0 && !t->hdr) ? hdr_len : 0;
	uint32_t new_cap = t->cap;
	if (e > t->cap) {
		new_cap = t->cap ? t->cap : 2048;
		while (new_cap < e)
			new_cap *= 2;
		if (new_cap > DG_MAX)
			new_cap = DG_MAX;
	}
	if (!reserve(d, t, (uint64_t)(new_cap - t->cap) + need_hdr, p)) {
		vg_decode_an(p, VG_AN_FRAG_MEMCAP);
		d->c.memcap_drops++;
		return VG_ENOMEM;
	}
	if (new_cap > t->cap) {
		uint8_t *nb = realloc(t->buf, new_cap);
		if (!nb) {
			d->c.memcap_drops++;
			return VG_ENOMEM;
		}
		t->buf = nb;
		d->c.memuse += new_cap - t->cap;
		t->cap = new_cap;
	}
	if (need_hdr) {
		t->hdr = malloc(hdr_len);
		if (!t->hdr) {
			d->c.memcap_drops++;
			return VG_ENOMEM;
		}
		memcpy(t->hdr, p->l3, hdr_len);
		t->hdr_len = hdr_len;
		d->c.memuse += hdr_len;
		if (v6) {
			t->prev_nh_off = p->frag_prev_nh_off;
			t->nexthdr = p->l3[p->frag_hdr_off];
		}
	}

	if (flen) {
		int ov = fill(t, p->frag_data, s, e);
		if (ov) {
			vg_decode_an(p, an_overlap);
			d->c.overlaps++;
			if (ov == 2)
				d->c.duplicates++;
		}
	}
	t->n_frags++;
	if (!p->more_frags) {
		t->have_last = true;
		t->total = e;
	}
	if (t->have_last && t->hdr && t->n_ranges == 1 && t->ranges[0].start == 0 &&
	    t->ranges[0].end == t->total)
		return complete(d, t, out_datagram, out_len);
	return 0;
}
