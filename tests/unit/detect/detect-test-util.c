/* detect-test-util.c — see detect-test-util.h. */
#include "detect-test-util.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-str.h"

int recorder_emit(void *ctx, const struct vg_event *ev)
{
	struct recorder *r = ctx;
	if (r->n >= REC_MAX) {
		r->dropped++;
		return 0;
	}
	struct rec_event *e = &r->ev[r->n++];
	memset(e, 0, sizeof(*e));
	e->type = ev->type;
	e->ts_us = ev->ts_us;
	e->detector = ev->rule.detector;
	e->sid = ev->rule.sid;
	if (ev->rule.signature)
		snprintf(e->signature, sizeof(e->signature), "%s", ev->rule.signature);
	if (ev->tenant)
		snprintf(e->tenant, sizeof(e->tenant), "%s", ev->tenant);
	e->src = ev->src;
	e->dst = ev->dst;
	e->dport = ev->dport;
	e->proto = ev->proto;
	e->vni = ev->vni;
	e->has_vni = ev->has_vni;
	e->episode_id = ev->episode_id;
	if (ev->rule.detector == VG_DET_SCAN) {
		const struct vg_ev_scan *s = &ev->u.scan;
		if (s->technique)
			snprintf(e->technique, sizeof(e->technique), "%s", s->technique);
		e->horizontal = s->horizontal;
		e->ports = s->ports;
		e->hosts = s->hosts;
		e->n_targets = s->n_targets;
		e->probes = s->probes;
		e->first_us = s->first_us;
		e->last_us = s->last_us;
	} else if (ev->rule.detector == VG_DET_FLOOD) {
		const struct vg_ev_flood *f = &ev->u.flood;
		if (f->kind)
			snprintf(e->kind, sizeof(e->kind), "%s", f->kind);
		e->start_us = f->start_us;
		e->end_us = f->end_us;
		e->packets = f->packets;
		e->bytes = f->bytes;
		e->peak_pps = f->peak_pps;
		e->sources_est = f->sources_est;
		e->ended = f->ended;
	}
	return 0;
}

static bool match(const struct rec_event *e, enum vg_event_type type, enum vg_detector det)
{
	return e->type == type && (det == VG_DET_NONE || e->detector == det);
}

unsigned recorder_count(const struct recorder *r, enum vg_event_type type, enum vg_detector det)
{
	unsigned n = 0;
	for (unsigned i = 0; i < r->n; i++)
		n += match(&r->ev[i], type, det);
	return n;
}

const struct rec_event *recorder_get(const struct recorder *r, enum vg_event_type type,
				     enum vg_detector det, unsigned i)
{
	for (unsigned k = 0; k < r->n; k++)
		if (match(&r->ev[k], type, det) && i-- == 0)
			return &r->ev[k];
	return NULL;
}

long replay_pcap(const char *path, feed_fn fn, tick_fn tick, void *ctx, int64_t *first_ts,
		 int64_t *last_ts)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, err);
	if (!pc)
		return -1;
	int link = pcap_datalink(pc);
	struct pcap_pkthdr *h;
	const u_char *data;
	long n = 0;
	int64_t next_tick = 0, first = 0, last = 0;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		int64_t ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
		if (!n)
			first = ts;
		last = ts;
		if (tick && ts >= next_tick) {
			tick(ctx, ts);
			next_tick = ts - ts % 1000000 + 1000000;
		}
		struct vg_packet p;
		if (vg_decode_packet(link, data, h->caplen, ts, &p) == 0) {
			p.wirelen = h->len;
			fn(ctx, &p);
			n++;
		}
	}
	pcap_close(pc);
	if (first_ts)
		*first_ts = first;
	if (last_ts)
		*last_ts = last;
	return n;
}

const char *lab_pcap(char *buf, size_t n, const char *name)
{
	const char *root = getenv("VIGIL_SHARED");
	snprintf(buf, n, "%s/data/lab/pcap/%s", root ? root : "/work/shared", name);
	return buf;
}

static void base(struct vg_packet *p, int64_t ts, const char *src, const char *dst)
{
	memset(p, 0, sizeof(*p));
	p->ts_us = ts;
	if (vg_addr_parse(src, strlen(src), &p->src) != 0 ||
	    vg_addr_parse(dst, strlen(dst), &p->dst) != 0)
		abort();
	p->ip_version = p->src.family == VG_AF_INET6 ? 6 : 4;
	p->flags = p->ip_version == 6 ? VG_PKT_IPV6 : VG_PKT_IPV4;
	p->tcp_wscale = 0xff;
	p->ttl = 64;
}

void build_tcp(struct vg_packet *p, int64_t ts, const char *src, const char *dst,
	       uint16_t sport, uint16_t dport, uint8_t flags, uint32_t payload_len)
{
	base(p, ts, src, dst);
	p->flags |= VG_PKT_TCP;
	p->proto = 6;
	p->sport = sport;
	p->dport = dport;
	p->tcp_flags = flags;
	p->payload_len = payload_len;
	p->wirelen = p->caplen = (p->ip_version == 6 ? 40u : 20u) + 20u + payload_len + 14u;
}

void build_udp(struct vg_packet *p, int64_t ts, const char *src, const char *dst,
	       uint16_t sport, uint16_t dport, uint32_t payload_len)
{
	base(p, ts, src, dst);
	p->flags |= VG_PKT_UDP;
	p->proto = 17;
	p->sport = sport;
	p->dport = dport;
	p->payload_len = payload_len;
	p->wirelen = p->caplen = (p->ip_version == 6 ? 40u : 20u) + 8u + payload_len + 14u;
}

void build_icmp_echo(struct vg_packet *p, int64_t ts, const char *src, const char *dst)
{
	base(p, ts, src, dst);
	p->flags |= VG_PKT_ICMP;
	p->proto = p->ip_version == 6 ? 58 : 1;
	p->icmp_type = p->ip_version == 6 ? 128 : 8;
	p->wirelen = p->caplen = 98;
}

void build_icmp_error(struct vg_packet *p, uint8_t *buf, int64_t ts, const char *from,
		      const char *probe_src, const char *probe_dst, uint16_t sport, uint16_t dport,
		      bool expired)
{
	struct vg_addr osrc, odst;
	if (vg_addr_parse(probe_src, strlen(probe_src), &osrc) != 0 ||
	    vg_addr_parse(probe_dst, strlen(probe_dst), &odst) != 0)
		abort();
	base(p, ts, from, probe_src);
	p->flags |= VG_PKT_ICMP;
	memset(buf, 0, 8 + 40 + 8);
	uint32_t n;
	if (p->ip_version == 4) {
		p->proto = 1;
		p->icmp_type = expired ? 11 : 3;
		p->icmp_code = expired ? 0 : 3;
		uint8_t *ip = buf + 8;
		ip[0] = 0x45;
		ip[9] = 17;
		memcpy(ip + 12, osrc.b, 4);
		memcpy(ip + 16, odst.b, 4);
		n = 8 + 20;
	} else {
		p->proto = 58;
		p->icmp_type = expired ? 3 : 1;
		p->icmp_code = expired ? 0 : 4;
		uint8_t *ip = buf + 8;
		ip[0] = 0x60;
		ip[6] = 17;
		memcpy(ip + 8, osrc.b, 16);
		memcpy(ip + 24, odst.b, 16);
		n = 8 + 40;
	}
	buf[0] = p->icmp_type;
	buf[1] = p->icmp_code;
	buf[n] = (uint8_t)(sport >> 8);
	buf[n + 1] = (uint8_t)sport;
	buf[n + 2] = (uint8_t)(dport >> 8);
	buf[n + 3] = (uint8_t)dport;
	p->l4 = buf;
	p->l4_len = n + 8;
	p->wirelen = p->caplen = 14 + (p->ip_version == 6 ? 40 : 20) + n + 8;
}

void build_icmp_port_unreach(struct vg_packet *p, uint8_t *buf, int64_t ts, const char *probe_src,
			     const char *probe_dst, uint16_t sport, uint16_t dport)
{
	build_icmp_error(p, buf, ts, probe_dst, probe_src, probe_dst, sport, dport, false);
}
