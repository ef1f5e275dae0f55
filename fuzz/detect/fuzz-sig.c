/* fuzz-sig.c — the signature engine with both sides fuzzed: input is a rule text, a NUL
 * byte, then bytes that are inspected as a UDP and a TCP packet payload, parsed as an
 * HTTP request and response (each transaction inspected as the nids does it), and parsed
 * as a DNS message. Checks: no crash, no out-of-bounds read, no leak; the engine's
 * evaluation agrees with the bare program evaluation on payload-only rules (it may only
 * alert less, never on a packet whose payload the rule's items reject). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/core-event.h"
#include "detect/detect-rule.h"
#include "detect/detect-sig-int.h"
#include "detect/detect-sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	struct vg_sig_engine *e;
	struct vg_flow *flow;
	unsigned alerts;
};

static int on_alert(void *c, const struct vg_event *ev)
{
	struct ctx *x = c;
	if (ev->type == VG_EVT_ALERT)
		x->alerts++;
	return 0;
}

static void on_tx(void *c, const struct vg_http_tx *tx, unsigned what)
{
	struct ctx *x = c;
	vg_sig_http_tx(x->e, x->flow, tx, what, 1000000);
}

static void packet(struct vg_sig_engine *e, uint8_t proto, const uint8_t *p, size_t n)
{
	struct vg_packet pkt;
	memset(&pkt, 0, sizeof(pkt));
	uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 192, 168, 1, 2 };
	vg_addr_from_v4(&pkt.src, a);
	vg_addr_from_v4(&pkt.dst, b);
	pkt.ip_version = 4;
	pkt.flags = VG_PKT_IPV4 | (proto == 6 ? VG_PKT_TCP : VG_PKT_UDP);
	pkt.proto = proto;
	pkt.sport = 40000;
	pkt.dport = proto == 6 ? 80 : 53;
	pkt.ttl = 64;
	pkt.tcp_flags = proto == 6 ? (VG_TH_ACK | VG_TH_PSH) : 0;
	pkt.payload = p;
	pkt.payload_len = (uint32_t)n;
	pkt.ts_us = 1000000;
	vg_sig_packet(e, &pkt, NULL, 0, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	if (!nul)
		return 0;
	size_t rlen = (size_t)(nul - data);
	const uint8_t *buf = nul + 1;
	size_t blen = size - rlen - 1;

	static struct vg_rule_vars *vars;
	if (!vars && vg_rule_vars_default(&vars) != 0)
		return 0;
	struct vg_rule *r = NULL;
	if (vg_rule_parse((const char *)data, rlen, vars, &r, NULL, NULL, 0) != 0)
		return 0;

	/* the program alone on the bytes as payload */
	struct vg_sig_prog prog;
	struct vg_sig_mctx mc;
	struct vg_sig_bufset bs;
	vg_sig_bufset_init(&bs);
	bool direct = false;
	if (vg_sig_mctx_init(&mc) == 0) {
		mc.bufs = &bs;
		if (vg_sig_prog_build(r, &prog, NULL, 0) == 0) {
			vg_sig_bufset_packet(&bs, buf, blen, false);
			direct = vg_sig_prog_match(&mc, &prog);
		}
		vg_sig_prog_free(&prog);
		vg_sig_mctx_free(&mc);
	}
	vg_sig_bufset_free(&bs);

	const struct vg_rule *rules[1] = { r };
	struct ctx x = { 0 };
	if (vg_sig_engine_new_rules(rules, 1, &x.e) != 0)
		goto out;
	struct vg_event_sink sink = { on_alert, &x };
	vg_sig_engine_set_sink(x.e, &sink);

	packet(x.e, 17, buf, blen);
	packet(x.e, 6, buf, blen);
	/* a rule whose payload items rejected the bytes must not alert on a packet, unless
	 * it is not a payload rule (header-only rules match any payload) */
	if (!direct && r->n_matches > 0 && (r->bufs_used & ~1ull) == 0 && x.alerts > 0)
		abort();

	/* the bytes as one HTTP exchange: first half request, second half response */
	struct vg_flow flow;
	memset(&flow, 0, sizeof(flow));
	flow.key.proto = 6;
	flow.key.family = VG_AF_INET;
	flow.flags = VG_FLOW_F_INIT_A1 | VG_FLOW_F_SEEN_TS | VG_FLOW_F_SEEN_TC;
	flow.tcp_state = VG_TCP_ESTABLISHED;
	x.flow = &flow;
	struct vg_http_state *hs = vg_http_state_new(0, on_tx, &x);
	if (hs) {
		size_t half = blen / 2;
		vg_http_parse(hs, 0, buf, half);
		vg_http_parse(hs, 1, buf + half, blen - half);
		vg_http_eof(hs, 1);
		vg_http_eof(hs, 0);
		vg_http_state_free(hs);
	}
	struct vg_dns_msg *m = malloc(sizeof(*m));
	if (m) {
		if (vg_dns_parse(buf, blen, m) == 0)
			vg_sig_dns(x.e, &flow, 0, m, 1000000);
		free(m);
	}
	vg_sig_engine_free(x.e);
out:
	vg_rule_free(r);
	return 0;
}
