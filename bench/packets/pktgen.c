/* pktgen.c — capture generator for the packet-path benchmark (bench/packets/run.sh).
 *
 *   pktgen mix   -o OUT -n PACKETS [-s SEED] [-r PPS] PCAP...
 *   pktgen flows -o OUT -n FLOWS   [-s SEED] [-d SECONDS]
 *
 * mix: replays the given Ethernet captures (the lab traffic) as many "instances", each a
 * whole capture rewritten so that instances do not share flows, then merges every instance
 * by packet time into one pcap of PACKETS frames. Per instance: IPv4 addresses in 10/8
 * get the instance number in their middle 16 bits (10.99.0.1 → 10.B.C.1), IPv6 addresses
 * in fc00::/7 get it in bytes 4..7, ports >= 32768 (client/ephemeral side) are shifted
 * by a per-instance offset, VXLAN VNIs are moved to a per-instance range (the inner frame
 * is rewritten too), timing is stretched by a per-instance factor and the instance starts
 * at a random time. Captures are picked by share of packets (SHARES below: mostly normal
 * traffic, some scans and floods), so the result has many concurrent, realistic flows
 * rather than one capture played in a loop. Checksums (IPv4 header, TCP, UDP, ICMPv6)
 * are recomputed after rewriting. Average rate: PPS (default 10000 packets/s), so the
 * run spans PACKETS / PPS seconds of packet time.
 *
 * flows: FLOWS concurrent flows that all stay open: 70 % TCP (SYN, SYN/ACK, ACK: an
 * established flow, 600 s timeout) and 30 % UDP request/response pairs (established,
 * 300 s), from 2^18 clients to 4094 servers on a handful of service ports, started
 * evenly over SECONDS (default 60) of packet time — well inside every timeout, so all
 * flows are in the table at the end. No source touches enough servers or ports to be a
 * scan, no destination gets enough packets/s to be a flood.
 *
 * Deterministic for a given seed. Writes classic microsecond pcap (LINKTYPE_ETHERNET). */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-str.h"

#define MAX_INPUTS 64
#define MAX_FRAME 65535u

/* Share of output packets per capture kind (by file name prefix), in per mille. */
static const struct {
	const char *prefix;
	unsigned permille;
	double scale_lo, scale_hi; /* time stretch of one instance */
} SHARES[] = {
	{ "benign", 420, 0.5, 8.0 },   { "tenants-vxlan", 150, 0.5, 4.0 },
	{ "http-attacks", 80, 0.5, 4.0 }, { "ssh-bruteforce", 70, 0.5, 4.0 },
	{ "scan-", 90, 0.5, 20.0 },   { "sweep-", 10, 0.5, 20.0 },
	{ "flood-", 180, 0.7, 1.5 },
};

struct frame {
	int64_t ts_us;   /* relative to the capture's first packet */
	uint32_t len;
	uint32_t off;    /* into input.bytes */
};

struct input {
	const char *path;
	struct frame *frames;
	size_t n;
	uint8_t *bytes;
	size_t nbytes;
	double weight;   /* instances are drawn with probability ~ weight */
	double lo, hi;
};

struct instance {
	int64_t start_us, next_us;
	uint32_t input, pos, id;
	uint32_t port_off;
	double scale;
};

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double rng_unit(void)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

/* --- pcap output ------------------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* host order, as the magic number says */
}

static int write_header(FILE *f)
{
	uint8_t h[24];
	put32(h, 0xa1b2c3d4u);
	uint16_t v[2] = { 2, 4 };
	memcpy(h + 4, v, 4);
	memset(h + 8, 0, 8);
	put32(h + 16, MAX_FRAME);
	put32(h + 20, 1); /* Ethernet */
	return fwrite(h, 1, sizeof(h), f) == sizeof(h) ? 0 : -1;
}

static int write_frame(FILE *f, int64_t ts_us, const uint8_t *p, uint32_t len)
{
	uint8_t h[16];
	put32(h, (uint32_t)(ts_us / 1000000));
	put32(h + 4, (uint32_t)(ts_us % 1000000));
	put32(h + 8, len);
	put32(h + 12, len);
	if (fwrite(h, 1, 16, f) != 16 || fwrite(p, 1, len, f) != len)
		return -1;
	return 0;
}

/* --- checksums ------------------------------------------------------------------------- */

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (; n >= 2; p += 2, n -= 2)
		s += (uint32_t)p[0] << 8 | p[1];
	if (n)
		s += (uint32_t)p[0] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16be(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* L4 checksum over a pseudo-header made of the address bytes (4 or 16 each). */
static void l4_checksum(uint8_t *l4, size_t l4len, size_t csum_off, uint8_t proto,
			const uint8_t *src, const uint8_t *dst, size_t alen)
{
	if (l4len < csum_off + 2)
		return;
	put16be(l4 + csum_off, 0);
	uint32_t s = sum16(src, alen, 0);
	s = sum16(dst, alen, s);
	s += proto;
	s += (uint32_t)(l4len & 0xffff) + (uint32_t)(l4len >> 16);
	s = sum16(l4, l4len, s);
	uint16_t c = fold(s);
	if (proto == 17 && c == 0)
		c = 0xffff;
	put16be(l4 + csum_off, c);
}

/* --- rewriting ------------------------------------------------------------------------- */

struct remap {
	uint32_t id;       /* instance number: 16 bits used */
	uint32_t port_off; /* added to ephemeral ports */
	uint32_t vni_base;
};

static void map_v4(uint8_t *a, const struct remap *m)
{
	if (a[0] == 10) {
		a[1] = (uint8_t)(m->id >> 8);
		a[2] = (uint8_t)m->id;
	}
}

static void map_v6(uint8_t *a, const struct remap *m)
{
	if ((a[0] & 0xfe) == 0xfc) {
		a[4] = 0;
		a[5] = 0;
		a[6] = (uint8_t)(m->id >> 8);
		a[7] = (uint8_t)m->id;
	}
}

static void map_port(uint8_t *p, const struct remap *m)
{
	uint16_t v = get16be(p);
	if (v >= 32768)
		put16be(p, (uint16_t)(32768 + (v - 32768 + m->port_off) % 32768));
}

static void rewrite_eth(uint8_t *p, size_t len, const struct remap *m, int depth);

/* Transport of an unfragmented IP packet: ports, VXLAN inside, checksum. */
static void rewrite_l4(uint8_t *l4, size_t l4len, uint8_t proto, const uint8_t *src,
		       const uint8_t *dst, size_t alen, const struct remap *m, int depth)
{
	if (proto == 6 && l4len >= 20) {
		map_port(l4, m);
		map_port(l4 + 2, m);
		l4_checksum(l4, l4len, 16, proto, src, dst, alen);
	} else if (proto == 17 && l4len >= 8) {
		uint16_t dport = get16be(l4 + 2);
		if (dport == 4789 && l4len >= 16 + 14 && depth == 0) {
			/* VXLAN: move the VNI into this instance's range, rewrite the inner frame */
			uint8_t *vx = l4 + 8;
			uint32_t vni = (uint32_t)vx[4] << 16 | (uint32_t)vx[5] << 8 | vx[6];
			vni = (m->vni_base + vni % 16) & 0xffffff;
			vx[4] = (uint8_t)(vni >> 16);
			vx[5] = (uint8_t)(vni >> 8);
			vx[6] = (uint8_t)vni;
			rewrite_eth(l4 + 16, l4len - 16, m, depth + 1);
		}
		map_port(l4, m);
		if (dport != 4789)
			map_port(l4 + 2, m);
		bool had = get16be(l4 + 6) != 0;
		if (had || alen == 16)
			l4_checksum(l4, l4len, 6, proto, src, dst, alen);
	} else if (proto == 58 && l4len >= 4) {
		l4_checksum(l4, l4len, 2, proto, src, dst, alen);
	}
}

static void rewrite_eth(uint8_t *p, size_t len, const struct remap *m, int depth)
{
	size_t off = 14;
	if (len < off)
		return;
	uint16_t et = get16be(p + 12);
	while ((et == 0x8100 || et == 0x88a8) && len >= off + 4) {
		et = get16be(p + off + 2);
		off += 4;
	}
	uint8_t *ip = p + off;
	size_t iplen = len - off;
	if (et == 0x0800 && iplen >= 20 && (ip[0] >> 4) == 4) {
		size_t hl = (size_t)(ip[0] & 15) * 4;
		size_t tot = get16be(ip + 2);
		if (hl < 20 || hl > iplen)
			return;
		if (tot > iplen || tot < hl)
			tot = iplen;
		map_v4(ip + 12, m);
		map_v4(ip + 16, m);
		put16be(ip + 10, 0);
		put16be(ip + 10, fold(sum16(ip, hl, 0)));
		bool frag = (get16be(ip + 6) & 0x3fff) != 0;
		if (!frag && tot == get16be(ip + 2))
			rewrite_l4(ip + hl, tot - hl, ip[9], ip + 12, ip + 16, 4, m, depth);
	} else if (et == 0x86dd && iplen >= 40 && (ip[0] >> 4) == 6) {
		size_t pl = get16be(ip + 4);
		map_v6(ip + 8, m);
		map_v6(ip + 24, m);
		uint8_t nh = ip[6];
		/* no extension headers in the lab captures: only direct transports */
		if (pl <= iplen - 40 && (nh == 6 || nh == 17 || nh == 58))
			rewrite_l4(ip + 40, pl, nh, ip + 8, ip + 24, 16, m, depth);
	}
}

/* --- input ----------------------------------------------------------------------------- */

static int load_input(struct input *in, const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	memset(in, 0, sizeof(*in));
	in->path = path;
	pcap_t *pc = pcap_open_offline(path, err);
	if (!pc) {
		fprintf(stderr, "pktgen: %s\n", err);
		return -1;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		fprintf(stderr, "pktgen: %s: not Ethernet, skipped\n", path);
		pcap_close(pc);
		return 1;
	}
	size_t cap_f = 0, cap_b = 0;
	struct pcap_pkthdr *h;
	const u_char *d;
	int64_t first = -1;
	while (pcap_next_ex(pc, &h, &d) == 1) {
		if (h->caplen > MAX_FRAME || h->caplen != h->len)
			continue; /* only whole frames: checksums are recomputed */
		int64_t ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
		if (first < 0)
			first = ts;
		if (in->n == cap_f) {
			cap_f = cap_f ? cap_f * 2 : 1024;
			struct frame *nf = realloc(in->frames, cap_f * sizeof(*nf));
			if (!nf)
				goto oom;
			in->frames = nf;
		}
		if (in->nbytes + h->caplen > cap_b) {
			cap_b = (cap_b + h->caplen) * 2;
			uint8_t *nb = realloc(in->bytes, cap_b);
			if (!nb)
				goto oom;
			in->bytes = nb;
		}
		/* captures are in time order; a step back is kept at the previous time */
		int64_t rel = ts - first;
		if (in->n && rel < in->frames[in->n - 1].ts_us)
			rel = in->frames[in->n - 1].ts_us;
		in->frames[in->n] = (struct frame){ rel, h->caplen, (uint32_t)in->nbytes };
		memcpy(in->bytes + in->nbytes, d, h->caplen);
		in->nbytes += h->caplen;
		in->n++;
	}
	pcap_close(pc);
	return in->n ? 0 : 1;
oom:
	pcap_close(pc);
	fprintf(stderr, "pktgen: out of memory\n");
	return -1;
}

/* --- heap of instances by next packet time ----------------------------------------------- */

struct heap {
	struct instance **v;
	size_t n, cap;
};

static void heap_swap(struct heap *h, size_t a, size_t b)
{
	struct instance *t = h->v[a];
	h->v[a] = h->v[b];
	h->v[b] = t;
}

static int heap_push(struct heap *h, struct instance *x)
{
	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 256;
		struct instance **nv = realloc(h->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		h->v = nv;
		h->cap = nc;
	}
	size_t i = h->n++;
	h->v[i] = x;
	while (i && h->v[(i - 1) / 2]->next_us > h->v[i]->next_us) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	return 0;
}

static void heap_down(struct heap *h)
{
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && h->v[l]->next_us < h->v[m]->next_us)
			m = l;
		if (r < h->n && h->v[r]->next_us < h->v[m]->next_us)
			m = r;
		if (m == i)
			return;
		heap_swap(h, i, m);
		i = m;
	}
}

static int cmp_start(const void *a, const void *b)
{
	const struct instance *x = a, *y = b;
	return (x->start_us > y->start_us) - (x->start_us < y->start_us);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

#define T0_US 1795392000000000ll /* 2026-11-23 10:40 UTC, the lab's day */

static int mode_mix(FILE *out, uint64_t npackets, uint64_t pps, char **paths, int npaths)
{
	static struct input in[MAX_INPUTS];
	int nin = 0, rc = 1;
	struct instance *inst = NULL;
	struct heap h = { 0 };
	uint8_t *buf = malloc(MAX_FRAME);
	if (!buf)
		return 1;

	/* Load, then give each capture a weight: its kind's share divided among the files of
	 * that kind, per packet of the file (a draw yields a whole instance). */
	unsigned kind_files[sizeof(SHARES) / sizeof(SHARES[0])] = { 0 };
	int kind_of[MAX_INPUTS];
	for (int i = 0; i < npaths && nin < MAX_INPUTS; i++) {
		int k = -1;
		for (size_t s = 0; s < sizeof(SHARES) / sizeof(SHARES[0]); s++)
			if (strncmp(base_name(paths[i]), SHARES[s].prefix, strlen(SHARES[s].prefix)) == 0) {
				k = (int)s;
				break;
			}
		if (k < 0) {
			fprintf(stderr, "pktgen: %s: no share for this capture, skipped\n", paths[i]);
			continue;
		}
		int r = load_input(&in[nin], paths[i]);
		if (r < 0)
			goto done;
		if (r > 0)
			continue;
		kind_of[nin] = k;
		kind_files[k]++;
		nin++;
	}
	if (nin == 0) {
		fprintf(stderr, "pktgen: no usable input\n");
		goto done;
	}
	double wsum = 0;
	for (int i = 0; i < nin; i++) {
		int k = kind_of[i];
		in[i].weight = SHARES[k].permille / (double)kind_files[k] / (double)in[i].n;
		in[i].lo = SHARES[k].scale_lo;
		in[i].hi = SHARES[k].scale_hi;
		wsum += in[i].weight;
	}

	/* Draw instances until they hold the packets asked for (the last one is cut). */
	int64_t span_us = (int64_t)(npackets * 1000000 / (pps ? pps : 1));
	size_t ninst = 0, cap_inst = 0;
	uint64_t have = 0;
	while (have < npackets) {
		double x = rng_unit() * wsum;
		int i = 0;
		while (i < nin - 1 && x >= in[i].weight) {
			x -= in[i].weight;
			i++;
		}
		if (ninst == cap_inst) {
			cap_inst = cap_inst ? cap_inst * 2 : 1024;
			struct instance *ni = realloc(inst, cap_inst * sizeof(*ni));
			if (!ni)
				goto done;
			inst = ni;
		}
		double scale = in[i].lo + (in[i].hi - in[i].lo) * rng_unit();
		/* starts are uniform over the span; a long instance may run past its end */
		inst[ninst] = (struct instance){
			.start_us = T0_US + (int64_t)(rng() % (uint64_t)(span_us > 0 ? span_us : 1)),
			.input = (uint32_t)i,
			.scale = scale,
			.port_off = (uint32_t)(rng() % 32768),
		};
		inst[ninst].next_us = inst[ninst].start_us;
		have += in[i].n;
		ninst++;
	}
	qsort(inst, ninst, sizeof(*inst), cmp_start);
	/* instance ids in time order: neighbours in time differ, ids repeat after 65536 */
	for (size_t j = 0; j < ninst; j++)
		inst[j].id = (uint32_t)(j % 65536);

	if (write_header(out) != 0)
		goto io;
	size_t next = 0;
	uint64_t written = 0;
	while (written < npackets && (h.n || next < ninst)) {
		while (next < ninst && (!h.n || inst[next].start_us <= h.v[0]->next_us)) {
			if (heap_push(&h, &inst[next]) != 0)
				goto done;
			next++;
		}
		struct instance *x = h.v[0];
		const struct input *src = &in[x->input];
		const struct frame *fr = &src->frames[x->pos];
		memcpy(buf, src->bytes + fr->off, fr->len);
		struct remap m = { x->id, x->port_off, 0x100000u + x->id * 16 };
		rewrite_eth(buf, fr->len, &m, 0);
		if (write_frame(out, x->next_us, buf, fr->len) != 0)
			goto io;
		written++;
		if (++x->pos == src->n) {
			h.v[0] = h.v[--h.n];
		} else {
			x->next_us = x->start_us + (int64_t)((double)src->frames[x->pos].ts_us * x->scale);
		}
		if (h.n)
			heap_down(&h);
	}
	fprintf(stderr, "pktgen: %llu packets from %zu instances of %d captures over %.0f s\n",
		(unsigned long long)written, ninst, nin, (double)span_us / 1e6);
	/* instances per capture, complete (all their packets written) or not: what a
	 * detector should report is one episode per complete scan/sweep/flood instance */
	for (int i = 0; i < nin; i++) {
		size_t all = 0, done_n = 0;
		for (size_t j = 0; j < ninst; j++)
			if (inst[j].input == (uint32_t)i) {
				all++;
				done_n += inst[j].pos == in[i].n;
			}
		fprintf(stderr, "pktgen: %-22s %6zu instances, %6zu complete\n", base_name(in[i].path), all, done_n);
	}
	rc = 0;
	goto done;
io:
	fprintf(stderr, "pktgen: write failed: %s\n", strerror(errno));
done:
	for (int i = 0; i < nin; i++) {
		free(in[i].frames);
		free(in[i].bytes);
	}
	free(h.v);
	free(inst);
	free(buf);
	return rc;
}

/* --- flows mode -------------------------------------------------------------------------- */

static size_t build_v4(uint8_t *p, const uint8_t *smac, const uint8_t *dmac, uint32_t sa,
		       uint32_t da, uint8_t proto, uint16_t sp, uint16_t dp, uint8_t tcp_flags,
		       uint32_t seq, uint32_t ack, const uint8_t *pl, size_t pllen)
{
	memcpy(p, dmac, 6);
	memcpy(p + 6, smac, 6);
	put16be(p + 12, 0x0800);
	uint8_t *ip = p + 14;
	size_t l4len = (proto == 6 ? 20 : 8) + pllen;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16be(ip + 2, (uint16_t)(20 + l4len));
	put16be(ip + 4, (uint16_t)(sa ^ seq));
	put16be(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = proto;
	uint8_t a[4] = { (uint8_t)(sa >> 24), (uint8_t)(sa >> 16), (uint8_t)(sa >> 8), (uint8_t)sa };
	uint8_t b[4] = { (uint8_t)(da >> 24), (uint8_t)(da >> 16), (uint8_t)(da >> 8), (uint8_t)da };
	memcpy(ip + 12, a, 4);
	memcpy(ip + 16, b, 4);
	put16be(ip + 10, fold(sum16(ip, 20, 0)));
	uint8_t *l4 = ip + 20;
	put16be(l4, sp);
	put16be(l4 + 2, dp);
	if (proto == 6) {
		memset(l4 + 4, 0, 16);
		uint8_t s4[4] = { (uint8_t)(seq >> 24), (uint8_t)(seq >> 16), (uint8_t)(seq >> 8), (uint8_t)seq };
		uint8_t a4[4] = { (uint8_t)(ack >> 24), (uint8_t)(ack >> 16), (uint8_t)(ack >> 8), (uint8_t)ack };
		memcpy(l4 + 4, s4, 4);
		memcpy(l4 + 8, a4, 4);
		l4[12] = 5 << 4;
		l4[13] = tcp_flags;
		put16be(l4 + 14, 64240);
		memcpy(l4 + 20, pl, pllen);
		l4_checksum(l4, l4len, 16, 6, a, b, 4);
	} else {
		put16be(l4 + 4, (uint16_t)l4len);
		put16be(l4 + 6, 0);
		memcpy(l4 + 8, pl, pllen);
		l4_checksum(l4, l4len, 6, 17, a, b, 4);
	}
	return 14 + 20 + l4len;
}

/* One pending packet of the flows mode: flows are started in order, and each flow's
 * later packets follow its first by a few hundred microseconds, so they are written
 * from a small ring sorted by time. */
struct pend {
	int64_t ts;
	uint32_t flow;
	uint8_t step;
};

static int mode_flows(FILE *out, uint64_t nflows, uint64_t seconds)
{
	static const uint8_t cmac[6] = { 0x02, 0, 0, 0, 0, 1 }, smac[6] = { 0x02, 0, 0, 0, 0, 2 };
	static const uint16_t tcp_ports[] = { 443, 443, 443, 80, 22, 5432, 3306, 8080 };
	static const uint16_t udp_ports[] = { 53, 53, 123, 5353 };
	static const uint8_t query[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
				       "\x07" "example" "\x03" "com" "\x00\x00\x01\x00\x01";
	uint8_t buf[256];
	if (write_header(out) != 0)
		return 1;
	int64_t step_us = (int64_t)(seconds * 1000000 / (nflows ? nflows : 1));
	if (step_us < 1)
		step_us = 1;
	/* each flow: packets at t, t+200us, t+400us; flows start every step_us. Merge with a
	 * window: emit flow i's packets interleaved with the flows that start meanwhile. */
	enum { RING = 4096 };
	static struct pend ring[RING];
	size_t head = 0, n = 0;
	uint64_t written = 0;
	for (uint64_t i = 0; i <= nflows; i++) {
		int64_t t = T0_US + (int64_t)i * step_us;
		/* flush pending packets due before this flow's start */
		while (n && (i == nflows || ring[head].ts <= t)) {
			struct pend pe = ring[head];
			head = (head + 1) % RING;
			n--;
			/* the flow's identity, from its number */
			uint64_t f = pe.flow;
			uint64_t hsh = f * 0x9e3779b97f4a7c15ull ^ rng_state;
			uint32_t client = 0x0a000000u | (uint32_t)(64u << 16) | (uint32_t)(hsh % (1u << 18));
			uint32_t server = 0xac100000u | (uint32_t)(1 + (hsh >> 20) % 4094);
			uint16_t cport = (uint16_t)(32768 + (hsh >> 34) % 28000);
			bool tcp = (f % 10) < 7;
			uint32_t iss = (uint32_t)(hsh >> 8), irs = (uint32_t)(hsh >> 24);
			size_t len;
			if (tcp) {
				uint16_t sp = tcp_ports[(hsh >> 50) % 8];
				if (pe.step == 0)
					len = build_v4(buf, cmac, smac, client, server, 6, cport, sp, 0x02, iss, 0, NULL, 0);
				else if (pe.step == 1)
					len = build_v4(buf, smac, cmac, server, client, 6, sp, cport, 0x12, irs, iss + 1, NULL, 0);
				else
					len = build_v4(buf, cmac, smac, client, server, 6, cport, sp, 0x10, iss + 1, irs + 1, NULL, 0);
			} else {
				uint16_t sp = udp_ports[(hsh >> 50) % 4];
				if (pe.step == 0)
					len = build_v4(buf, cmac, smac, client, server, 17, cport, sp, 0, 0, 0, query, sizeof(query) - 1);
				else
					len = build_v4(buf, smac, cmac, server, client, 17, sp, cport, 0, 0, 0, query, sizeof(query) - 1);
			}
			if (write_frame(out, pe.ts, buf, (uint32_t)len) != 0)
				return 1;
			written++;
			if (pe.step < (tcp ? 2 : 1)) {
				/* next packet of this flow, kept in time order in the ring */
				struct pend nx = { pe.ts + 200, pe.flow, (uint8_t)(pe.step + 1) };
				size_t j = n;
				while (j && ring[(head + j - 1) % RING].ts > nx.ts) {
					ring[(head + j) % RING] = ring[(head + j - 1) % RING];
					j--;
				}
				ring[(head + j) % RING] = nx;
				n++;
			}
		}
		if (i == nflows)
			break;
		if (n >= RING - 4) {
			fprintf(stderr, "pktgen: ring full\n");
			return 1;
		}
		/* this flow's first packet, at t: after everything pending (all > t) it goes first */
		head = (head + RING - 1) % RING;
		ring[head] = (struct pend){ t, (uint32_t)i, 0 };
		n++;
	}
	fprintf(stderr, "pktgen: %llu packets, %llu flows over %llu s\n", (unsigned long long)written,
		(unsigned long long)nflows, (unsigned long long)seconds);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: pktgen mix -o OUT -n PACKETS [-s SEED] [-r PPS] PCAP...\n"
			"       pktgen flows -o OUT -n FLOWS [-s SEED] [-d SECONDS]\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage();
		return 2;
	}
	const char *mode = argv[1], *outp = NULL;
	uint64_t n = 0, seed = 1, pps = 10000, secs = 60;
	int i = 2;
	for (; i < argc && argv[i][0] == '-'; i += 2) {
		if (i + 1 >= argc) {
			usage();
			return 2;
		}
		int rc = 0;
		switch (argv[i][1]) {
		case 'o': outp = argv[i + 1]; break;
		case 'n': rc = vg_parse_u64_cstr(argv[i + 1], 1ull << 32, &n); break;
		case 's': rc = vg_parse_u64_cstr(argv[i + 1], UINT64_MAX, &seed); break;
		case 'r': rc = vg_parse_u64_cstr(argv[i + 1], 100000000, &pps); break;
		case 'd': rc = vg_parse_u64_cstr(argv[i + 1], 3600, &secs); break;
		default: usage(); return 2;
		}
		if (rc != 0 || pps == 0 || secs == 0) {
			fprintf(stderr, "pktgen: bad value for %s: %s\n", argv[i], argv[i + 1]);
			return 2;
		}
	}
	if (!outp || n == 0) {
		usage();
		return 2;
	}
	rng_state = seed;
	FILE *out = fopen(outp, "wb");
	if (!out) {
		fprintf(stderr, "pktgen: %s: %s\n", outp, strerror(errno));
		return 1;
	}
	static char obuf[1 << 20];
	setvbuf(out, obuf, _IOFBF, sizeof(obuf));
	int rc;
	if (strcmp(mode, "mix") == 0 && i < argc)
		rc = mode_mix(out, n, pps, argv + i, argc - i);
	else if (strcmp(mode, "flows") == 0)
		rc = mode_flows(out, n, secs);
	else {
		usage();
		rc = 2;
	}
	if (fclose(out) != 0 && rc == 0) {
		fprintf(stderr, "pktgen: %s: %s\n", outp, strerror(errno));
		rc = 1;
	}
	return rc;
}
