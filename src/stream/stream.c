/* stream.c — TCP reassembly per flow direction. The policy is described in stream.h.
 *
 * Each direction keeps next_seq (the next byte owed to the consumer) and a list of
 * out-of-order segments, sorted by sequence number, never overlapping each other and
 * all strictly after next_seq. A new segment is cut into the parts nobody has sent
 * yet (inserted or, when they start at next_seq, delivered straight from the packet)
 * and the parts that overlap what is buffered (compared; under the "last" policy
 * copied over the buffered bytes). Keeping the list free of overlaps makes every
 * later step (drain, gap, memory accounting) a simple walk. */
#include "stream/stream.h"

#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"
#include "core/limits.h"

/* Wraparound comparisons (RFC 793 / RFC 1982 style). */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

struct seg {
	struct seg *next;
	uint32_t seq;
	uint32_t len;
	int64_t ts_us;
	uint8_t data[];
};

struct dir {
	bool started, midstream, closed, fin_seen, rst_seen;
	uint32_t isn;
	uint32_t next_seq;
	uint32_t fin_seq;
	struct seg *segs;
	uint32_t n_segs;
	uint64_t seg_bytes;
	uint64_t bytes_seen, bytes_delivered, gaps, gap_bytes;
	/* raw window: raw_len bytes starting at sequence raw_seq */
	uint8_t *raw;
	size_t raw_len;
	uint32_t raw_seq;
};

struct vg_stream_ctx {
	struct vg_stream_config cfg;
	uint64_t used;
	struct vg_stream_stats st;
};

struct vg_stream {
	struct vg_stream_ctx *ctx;
	vg_stream_cb cb;
	void *cb_ctx;
	uint64_t used; /* bytes charged to the flow (segments + raw windows) */
	struct dir d[2];
};

void vg_stream_config_default(struct vg_stream_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->policy = VG_STREAM_POLICY_FIRST;
	cfg->midstream = false;
	cfg->max_segments = VG_STREAM_DEFAULT_SEGMENTS;
	cfg->flow_memcap = VG_STREAM_DEFAULT_FLOW_MEMCAP;
	cfg->memcap = VG_STREAM_DEFAULT_MEMCAP;
	cfg->gap_bytes = VG_STREAM_DEFAULT_GAP_BYTES;
	cfg->gap_timeout_us = VG_STREAM_DEFAULT_GAP_TIMEOUT_US;
	cfg->raw_window = VG_STREAM_DEFAULT_RAW_WINDOW;
}

struct vg_stream_ctx *vg_stream_ctx_new(const struct vg_stream_config *cfg)
{
	struct vg_stream_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	if (cfg)
		ctx->cfg = *cfg;
	else
		vg_stream_config_default(&ctx->cfg);
	struct vg_stream_config *c = &ctx->cfg;
	if (c->policy != VG_STREAM_POLICY_LAST)
		c->policy = VG_STREAM_POLICY_FIRST;
	c->max_segments = (uint32_t)vg_clamp_u64(c->max_segments, 1, VG_STREAM_MAX_SEGMENTS);
	c->flow_memcap = vg_clamp_u64(c->flow_memcap, 1, VG_STREAM_MAX_FLOW_MEMCAP);
	c->memcap = vg_clamp_u64(c->memcap, 1, VG_STREAM_MAX_MEMCAP);
	c->gap_bytes = (uint32_t)vg_clamp_u64(c->gap_bytes, 1, VG_STREAM_MAX_FLOW_MEMCAP);
	c->raw_window = (uint32_t)vg_clamp_u64(c->raw_window, 0, VG_STREAM_MAX_RAW_WINDOW);
	if (c->gap_timeout_us < 0)
		c->gap_timeout_us = 0;
	return ctx;
}

void vg_stream_ctx_free(struct vg_stream_ctx *ctx)
{
	free(ctx);
}

const struct vg_stream_stats *vg_stream_ctx_stats(const struct vg_stream_ctx *ctx)
{
	return &ctx->st;
}

uint64_t vg_stream_ctx_memuse(const struct vg_stream_ctx *ctx)
{
	return ctx->used;
}

uint64_t vg_stream_memuse(const struct vg_stream *s)
{
	return s->used;
}

/* Charge n bytes to the flow and the global pool; false (and counted) when a cap says no. */
static bool charge(struct vg_stream *s, uint64_t n)
{
	struct vg_stream_ctx *ctx = s->ctx;
	if (s->used + n > ctx->cfg.flow_memcap) {
		ctx->st.memcap_flow++;
		return false;
	}
	if (ctx->used + n > ctx->cfg.memcap) {
		ctx->st.memcap_global++;
		return false;
	}
	s->used += n;
	ctx->used += n;
	return true;
}

static void uncharge(struct vg_stream *s, uint64_t n)
{
	s->used -= n;
	s->ctx->used -= n;
}

int vg_stream_new(struct vg_stream_ctx *ctx, vg_stream_cb cb, void *cb_ctx, struct vg_stream **out)
{
	if (out)
		*out = NULL;
	if (!ctx || !out)
		return VG_EINVAL;
	if (ctx->used + sizeof(struct vg_stream) > ctx->cfg.memcap) {
		ctx->st.memcap_global++;
		return VG_ENOMEM;
	}
	struct vg_stream *s = calloc(1, sizeof(*s));
	if (!s) {
		ctx->st.alloc_fail++;
		return VG_ENOMEM;
	}
	s->ctx = ctx;
	s->cb = cb;
	s->cb_ctx = cb_ctx;
	ctx->used += sizeof(*s);
	ctx->st.streams++;
	*out = s;
	return 0;
}

static void dir_release(struct vg_stream *s, struct dir *d)
{
	struct seg *g = d->segs;
	while (g) {
		struct seg *n = g->next;
		uncharge(s, sizeof(*g) + g->len);
		free(g);
		g = n;
	}
	d->segs = NULL;
	d->n_segs = 0;
	d->seg_bytes = 0;
	if (d->raw) {
		uncharge(s, s->ctx->cfg.raw_window);
		free(d->raw);
		d->raw = NULL;
		d->raw_len = 0;
	}
}

void vg_stream_free(struct vg_stream *s)
{
	if (!s)
		return;
	dir_release(s, &s->d[0]);
	dir_release(s, &s->d[1]);
	s->ctx->used -= sizeof(*s);
	free(s);
}

/* Append delivered bytes to the raw window, dropping the oldest unread bytes (counted)
 * when it is full. The window is allocated at first use, charged at its full size. */
static void raw_append(struct vg_stream *s, struct dir *d, const uint8_t *p, size_t n, uint32_t seq)
{
	size_t win = s->ctx->cfg.raw_window;
	if (win == 0)
		return;
	if (!d->raw) {
		if (!charge(s, win))
			return; /* counted; raw inspection of this direction is off until room */
		d->raw = malloc(win);
		if (!d->raw) {
			uncharge(s, win);
			s->ctx->st.alloc_fail++;
			return;
		}
		d->raw_len = 0;
	}
	if (d->raw_len == 0)
		d->raw_seq = seq;
	if (n >= win) {
		s->ctx->st.raw_dropped += d->raw_len + (n - win);
		memcpy(d->raw, p + (n - win), win);
		d->raw_len = win;
		d->raw_seq = seq + (uint32_t)(n - win);
		return;
	}
	if (d->raw_len + n > win) {
		size_t drop = d->raw_len + n - win;
		memmove(d->raw, d->raw + drop, d->raw_len - drop);
		d->raw_len -= drop;
		d->raw_seq += (uint32_t)drop;
		s->ctx->st.raw_dropped += drop;
	}
	memcpy(d->raw + d->raw_len, p, n);
	d->raw_len += n;
}

static void deliver(struct vg_stream *s, int di, const uint8_t *p, size_t n)
{
	struct dir *d = &s->d[di];
	if (n == 0)
		return;
	raw_append(s, d, p, n, d->next_seq);
	d->next_seq += (uint32_t)n;
	d->bytes_delivered += n;
	if (s->cb)
		s->cb(s->cb_ctx, di, VG_STREAM_CB_DATA, p, n);
}

/* Deliver every buffered segment that is now contiguous with next_seq. */
static void drain(struct vg_stream *s, int di)
{
	struct dir *d = &s->d[di];
	while (d->segs && d->segs->seq == d->next_seq) {
		struct seg *g = d->segs;
		d->segs = g->next;
		d->n_segs--;
		d->seg_bytes -= g->len;
		deliver(s, di, g->data, g->len);
		uncharge(s, sizeof(*g) + g->len);
		free(g);
	}
}

/* The hole before the first buffered segment becomes a gap; delivery resumes after it. */
static void declare_gap(struct vg_stream *s, int di)
{
	struct dir *d = &s->d[di];
	if (!d->segs)
		return;
	uint32_t hole = d->segs->seq - d->next_seq;
	d->gaps++;
	d->gap_bytes += hole;
	s->ctx->st.gaps++;
	s->ctx->st.gap_bytes += hole;
	d->raw_len = 0; /* no raw match across missing bytes */
	d->next_seq = d->segs->seq;
	if (s->cb)
		s->cb(s->cb_ctx, di, VG_STREAM_CB_GAP, NULL, hole);
	drain(s, di);
}

static void close_dir(struct vg_stream *s, int di)
{
	struct dir *d = &s->d[di];
	if (d->closed)
		return;
	while (d->segs)
		declare_gap(s, di);
	d->closed = true;
	if (s->cb)
		s->cb(s->cb_ctx, di, VG_STREAM_CB_EOF, NULL, 0);
}

/* Apply the gap rules after a segment: bytes buffered, segment cap, age of the hole. */
static void check_gaps(struct vg_stream *s, int di, int64_t now_us)
{
	struct dir *d = &s->d[di];
	const struct vg_stream_config *c = &s->ctx->cfg;
	while (d->segs) {
		bool gap = false;
		if (d->seg_bytes > c->gap_bytes)
			gap = true;
		else if (d->n_segs >= c->max_segments) {
			s->ctx->st.seg_limit++;
			gap = true;
		} else if (c->gap_timeout_us > 0 && now_us - d->segs->ts_us > c->gap_timeout_us)
			gap = true;
		if (!gap)
			break;
		declare_gap(s, di);
	}
	if (d->fin_seen && !d->closed && SEQ_GEQ(d->next_seq, d->fin_seq))
		close_dir(s, di);
}

/* Insert a new out-of-order segment after *link. false when a cap or malloc says no. */
static bool insert_seg(struct vg_stream *s, struct dir *d, struct seg **link, uint32_t seq,
		       const uint8_t *p, uint32_t n, int64_t ts_us)
{
	if (!charge(s, sizeof(struct seg) + n))
		return false;
	struct seg *g = malloc(sizeof(*g) + n);
	if (!g) {
		uncharge(s, sizeof(struct seg) + n);
		s->ctx->st.alloc_fail++;
		return false;
	}
	g->seq = seq;
	g->len = n;
	g->ts_us = ts_us;
	memcpy(g->data, p, n);
	g->next = *link;
	*link = g;
	d->n_segs++;
	d->seg_bytes += n;
	return true;
}

/* Bytes [seq, seq+n) that are also in the raw window: compare for overlap_diff. */
static bool raw_differs(const struct dir *d, uint32_t seq, const uint8_t *p, uint32_t n)
{
	if (!d->raw || d->raw_len == 0)
		return false;
	uint32_t rs = d->raw_seq, re = d->raw_seq + (uint32_t)d->raw_len;
	uint32_t a = SEQ_GT(seq, rs) ? seq : rs;
	uint32_t b = SEQ_LT(seq + n, re) ? seq + n : re;
	if (SEQ_GEQ(a, b))
		return false;
	return memcmp(d->raw + (a - rs), p + (a - seq), b - a) != 0;
}

static int add_data(struct vg_stream *s, int di, uint32_t seq, const uint8_t *p, uint32_t n, int64_t ts_us)
{
	struct dir *d = &s->d[di];
	struct vg_stream_ctx *ctx = s->ctx;
	bool overlap = false, differs = false, dropped = false, fresh = false;
	uint32_t end = seq + n;

	if (SEQ_GT(seq, d->next_seq) && seq - d->next_seq > VG_STREAM_MAX_SEQ_AHEAD) {
		ctx->st.out_of_window++;
		return VG_ERANGE;
	}
	/* Part before next_seq was delivered already: it can only be compared. */
	if (SEQ_LT(seq, d->next_seq)) {
		if (d->next_seq - seq > VG_STREAM_MAX_SEQ_AHEAD) {
			ctx->st.out_of_window++;
			return VG_ERANGE;
		}
		uint32_t old = SEQ_LT(end, d->next_seq) ? n : d->next_seq - seq;
		overlap = true;
		if (raw_differs(d, seq, p, old))
			differs = true;
		seq += old;
		p += old;
		n -= old;
	}
	/* Walk the buffered segments: new bytes go in the holes, overlapping bytes are
	 * compared and, under "last", copied over. direct = a fresh part at next_seq. */
	const uint8_t *direct = NULL;
	uint32_t direct_len = 0;
	struct seg **link = &d->segs;
	uint32_t cur = seq;
	while (n > 0 && SEQ_LT(cur, end)) {
		struct seg *g = *link;
		uint32_t hole_end = g ? g->seq : end;
		if (SEQ_LT(end, hole_end))
			hole_end = end;
		if (SEQ_LT(cur, hole_end)) {
			uint32_t len = hole_end - cur;
			fresh = true;
			if (cur == d->next_seq && link == &d->segs) {
				direct = p + (cur - seq);
				direct_len = len;
			} else if (insert_seg(s, d, link, cur, p + (cur - seq), len, ts_us)) {
				link = &(*link)->next;
			} else {
				dropped = true;
			}
			cur = hole_end;
			continue;
		}
		if (!g)
			break;
		uint32_t g_end = g->seq + g->len;
		if (SEQ_LT(cur, g_end)) {
			uint32_t ov_end = SEQ_LT(end, g_end) ? end : g_end;
			uint32_t len = ov_end - cur;
			uint8_t *mine = g->data + (cur - g->seq);
			const uint8_t *theirs = p + (cur - seq);
			overlap = true;
			if (memcmp(mine, theirs, len) != 0) {
				differs = true;
				if (ctx->cfg.policy == VG_STREAM_POLICY_LAST)
					memcpy(mine, theirs, len);
			}
			cur = ov_end;
		}
		link = &g->next;
	}

	if (overlap)
		ctx->st.overlaps++;
	if (differs)
		ctx->st.overlap_diff++;
	if (!fresh && !differs)
		ctx->st.retrans++;
	if (direct)
		deliver(s, di, direct, direct_len);
	drain(s, di);
	check_gaps(s, di, ts_us);
	return dropped ? VG_ENOMEM : 0;
}

int vg_stream_segment(struct vg_stream *s, int di, uint32_t seq, uint8_t flags,
		      const uint8_t *payload, uint32_t len, int64_t ts_us)
{
	if (!s || (di != 0 && di != 1) || (len > 0 && !payload))
		return VG_EINVAL;
	struct vg_stream_ctx *ctx = s->ctx;
	struct dir *d = &s->d[di];
	ctx->st.segments++;
	ctx->st.bytes += len;

	if (flags & VG_STREAM_RST) {
		/* A reset far outside the sequence space is a blind injection attempt (or
		 * junk): ignored. Otherwise it ends both directions; what is buffered is
		 * delivered with gaps. */
		uint32_t dist = SEQ_GEQ(seq, d->next_seq) ? seq - d->next_seq : d->next_seq - seq;
		if (d->started && dist > VG_STREAM_MAX_SEQ_AHEAD) {
			ctx->st.out_of_window++;
			return VG_ERANGE;
		}
		d->rst_seen = true;
		close_dir(s, 0);
		close_dir(s, 1);
		return 0;
	}
	if (flags & VG_STREAM_SYN) {
		if (!d->started) {
			d->started = true;
			d->isn = seq;
			d->next_seq = seq + 1;
		}
		/* A SYN's payload (TFO) is rare; it is treated as data after the ISN. */
		seq += 1;
	}
	if (!d->started) {
		if (!ctx->cfg.midstream) {
			ctx->st.no_syn++;
			return VG_ESTATE;
		}
		d->started = true;
		d->midstream = true;
		d->isn = seq - 1;
		d->next_seq = seq;
	}
	if (d->closed) {
		if (len > 0) {
			ctx->st.after_close++;
			return VG_ESTATE;
		}
		return 0;
	}
	d->bytes_seen += len;
	int rc = 0;
	if (len > 0)
		rc = add_data(s, di, seq, payload, len, ts_us);
	if ((flags & VG_STREAM_FIN) && !d->fin_seen) {
		d->fin_seen = true;
		d->fin_seq = seq + len;
	}
	if (!d->closed)
		check_gaps(s, di, ts_us);
	return rc;
}

void vg_stream_flush(struct vg_stream *s)
{
	if (!s)
		return;
	close_dir(s, 0);
	close_dir(s, 1);
}

int vg_stream_dir_info(const struct vg_stream *s, int di, struct vg_stream_dir_info *out)
{
	if (out)
		memset(out, 0, sizeof(*out));
	if (!s || !out || (di != 0 && di != 1))
		return VG_EINVAL;
	const struct dir *d = &s->d[di];
	out->started = d->started;
	out->midstream = d->midstream;
	out->closed = d->closed;
	out->fin_seen = d->fin_seen;
	out->rst_seen = d->rst_seen;
	out->isn = d->isn;
	out->next_seq = d->next_seq;
	out->bytes_seen = d->bytes_seen;
	out->bytes_delivered = d->bytes_delivered;
	out->gaps = d->gaps;
	out->gap_bytes = d->gap_bytes;
	out->segments_buffered = d->n_segs;
	out->bytes_buffered = d->seg_bytes;
	return 0;
}

int vg_stream_raw(const struct vg_stream *s, int di, const uint8_t **data, size_t *len, uint32_t *seq)
{
	if (data)
		*data = NULL;
	if (len)
		*len = 0;
	if (seq)
		*seq = 0;
	if (!s || !data || !len || (di != 0 && di != 1))
		return VG_EINVAL;
	const struct dir *d = &s->d[di];
	*data = d->raw;
	*len = d->raw_len;
	if (seq)
		*seq = d->raw_seq;
	return 0;
}

void vg_stream_raw_release(struct vg_stream *s, int di, size_t n)
{
	if (!s || (di != 0 && di != 1))
		return;
	struct dir *d = &s->d[di];
	if (n >= d->raw_len) {
		d->raw_seq += (uint32_t)d->raw_len;
		d->raw_len = 0;
		return;
	}
	memmove(d->raw, d->raw + n, d->raw_len - n);
	d->raw_len -= n;
	d->raw_seq += (uint32_t)n;
}
