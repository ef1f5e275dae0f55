/* decode-diff.c — differential check of two decoders, built by decode-diff.sh: the
 * decoder of an older revision (its functions renamed old_*) against the working
 * tree's, field by field, on pcaps (any link type) and on decode fuzz inputs
 * (fuzz-decode.c's format); also a libFuzzer target (-DFUZZ), which traps on the first
 * mismatch. Both must share struct vg_packet. Each packet struct is filled with a
 * different byte pattern before decoding, so a field one decoder leaves unset shows. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>
#include "decode/decode-defrag.h"
#include "decode/decode.h"

int old_vg_decode_packet(int, const uint8_t *, size_t, int64_t, struct vg_packet *);
int old_vg_decode_ip(const uint8_t *, size_t, const struct vg_packet *, struct vg_packet *);

static unsigned long n_cmp, n_bad, n_ip, n_tcp, n_udp, n_icmp, n_frag, n_reasm, n_an, n_inner;
static const char *cur;

#define F(f) if (a->f != b->f) { bad(#f, (long long)a->f, (long long)b->f, i); return; }
#define FA(f) if (a->f.family != b->f.family || memcmp(a->f.b, b->f.b, 16)) { bad(#f, a->f.family, b->f.family, i); return; }
static void bad(const char *f, long long x, long long y, unsigned long i)
{
	n_bad++;
	if (n_bad < 30)
		fprintf(stderr, "MISMATCH %s pkt %lu field %s old %lld new %lld\n", cur, i, f, x, y);
#ifdef FUZZ
	__builtin_trap();
#endif
}
static void cmp(const struct vg_packet *a, const struct vg_packet *b, int ra, int rb, unsigned long i)
{
	n_cmp++;
	if (ra != rb) { bad("rc", ra, rb, i); return; }
	F(ts_us) F(data) F(caplen) F(wirelen) F(linktype) F(flags) F(overlay) F(has_vni) F(vni)
	F(vlan[0]) F(vlan[1]) F(n_vlan) F(encap_depth) FA(outer_src) FA(outer_dst) F(ip_version)
	FA(src) FA(dst) F(proto) F(ttl) F(ip_id) F(frag_offset) F(more_frags) F(l3) F(l3_len)
	F(l4) F(l4_len) F(sport) F(dport) F(tcp_flags) F(tcp_seq) F(tcp_ack) F(tcp_win) F(tcp_mss)
	F(tcp_wscale) F(tcp_sackok) F(tcp_ts) F(tcp_tsval) F(tcp_tsecr) F(icmp_type) F(icmp_code)
	F(icmp_id) F(icmp_seq) F(payload) F(payload_len) F(n_anomalies)
	for (unsigned k = 0; k < VG_MAX_PKT_ANOMALIES; k++) F(anomalies[k])
	F(ethertype) F(n_mpls) F(mpls_label) F(pppoe_session) F(ip_hlen) F(frag_data)
	F(frag_data_len) F(frag_hdr_off) F(frag_prev_nh_off) F(anomalies_dropped) F(layers)
	if (b->ip_version) n_ip++;
	if (b->flags & VG_PKT_TCP) n_tcp++;
	if (b->flags & VG_PKT_UDP) n_udp++;
	if (b->flags & VG_PKT_ICMP) n_icmp++;
	if (b->flags & VG_PKT_FRAGMENT) n_frag++;
	if (b->flags & VG_PKT_REASSEMBLED) n_reasm++;
	if (b->n_anomalies) n_an++;
	if (b->outer_src.family) n_inner++;
}

static unsigned long idx;
static void one(struct vg_defrag *d, int lt, const uint8_t *fr, size_t len, int64_t ts)
{
	struct vg_packet a, b;
	/* garbage first, so a field the new code forgets to set shows */
	memset(&a, 0xa5, sizeof a);
	memset(&b, 0x5a, sizeof b);
	int ra = old_vg_decode_packet(lt, fr, len, ts, &a);
	int rb = vg_decode_packet(lt, fr, len, ts, &b);
	cmp(&a, &b, ra, rb, idx++);
	if (!d || !(b.flags & VG_PKT_FRAGMENT) || rb != 0)
		return;
	const uint8_t *dg;
	size_t dlen;
	if (vg_defrag_packet(d, &b, ts, &dg, &dlen) == 0 && dg) {
		struct vg_packet qa, qb;
		memset(&qa, 0xa5, sizeof qa);
		memset(&qb, 0x5a, sizeof qb);
		ra = old_vg_decode_ip(dg, dlen, &b, &qa);
		rb = vg_decode_ip(dg, dlen, &b, &qb);
		cmp(&qa, &qb, ra, rb, idx - 1);
	}
}

static struct vg_defrag *mkdefrag(void)
{
	struct vg_defrag_config cfg = { .memcap = 1u << 20, .max_trackers = 4, .max_frags = 8,
					.timeout_s = 2 };
	struct vg_defrag *d = NULL;
	if (vg_defrag_new(&cfg, &d) != 0)
		d = NULL;
	return d;
}

static const int links[] = {
	VG_LINK_ETHERNET, VG_LINK_RAW, VG_LINK_RAW_DLT12, VG_LINK_IPV4, VG_LINK_IPV6,
	VG_LINK_SLL, VG_LINK_SLL2, VG_LINK_NULL, VG_LINK_CHDLC, 9999,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int lt = links[(data[0] & 0x7f) % (sizeof(links) / sizeof(links[0]))];
	bool multi = (data[0] & 0x80) != 0;
	data++, size--;
	struct vg_defrag *d = mkdefrag();
	if (!multi) {
		one(d, lt, data, size, 1000000);
	} else {
		int64_t ts = 1000000;
		while (size >= 2) {
			size_t n = (size_t)data[0] << 8 | data[1];
			data += 2, size -= 2;
			if (n > size) n = size;
			one(d, lt, data, n, ts);
			ts += 500000;
			data += n, size -= n;
		}
	}
	vg_defrag_free(d);
	return 0;
}

#ifndef FUZZ
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		cur = argv[i];
		idx = 0;
		size_t l = strlen(argv[i]);
		if ((l > 5 && !strcmp(argv[i] + l - 5, ".pcap")) || (l > 7 && !strcmp(argv[i] + l - 7, ".pcapng"))) {
			char err[PCAP_ERRBUF_SIZE];
			pcap_t *pc = pcap_open_offline(argv[i], err);
			if (!pc) { fprintf(stderr, "%s: %s\n", argv[i], err); continue; }
			int lt = pcap_datalink(pc);
			struct vg_defrag *d = mkdefrag();
			struct pcap_pkthdr *h; const u_char *pk;
			while (pcap_next_ex(pc, &h, &pk) == 1)
				one(d, lt, pk, h->caplen, (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec);
			vg_defrag_free(d);
			pcap_close(pc);
		} else {
			FILE *f = fopen(argv[i], "rb");
			if (!f) continue;
			static uint8_t buf[1 << 20];
			size_t n = fread(buf, 1, sizeof buf, f);
			fclose(f);
			LLVMFuzzerTestOneInput(buf, n);
		}
	}
	printf("compared %lu packets (ip %lu tcp %lu udp %lu icmp %lu frag %lu reassembled %lu with anomalies %lu tunnelled %lu): %lu mismatches\n",
	       n_cmp, n_ip, n_tcp, n_udp, n_icmp, n_frag, n_reasm, n_an, n_inner, n_bad);
	return n_bad != 0;
}
#endif
