/* detect-sig.h — the signature engine: Suricata-syntax rules (detect-rule.h) matched
 * against packets, reassembled streams and application-layer transactions.
 *
 * Build (vg_sig_engine_new): every loaded rule is compiled (PCRE2 + JIT per pcre) and
 * put in the groups of the inspection contexts it applies to — packet, stream, HTTP
 * request, HTTP response, DNS, TLS — per direction (to server / to client). Inside a
 * group, rules are keyed by the buffer of their fast pattern (the content marked
 * fast_pattern, else the longest content), and one Hyperscan literal database per
 * (group, buffer) finds the candidates in one pass; rules without a usable content are
 * evaluated on every inspection of their group ("always" list). Rules made only of
 * addresses (ET's Tor/DROP/CIArmy lists) are Suricata's IP-only rules: inspected on a
 * flow's first packet of each direction, found through a sorted index of their narrow
 * address side. Address sets shared by rules (HOME_NET, ...) are interned, and tested
 * once per inspection.
 *
 * Inspection: candidates are evaluated in rule order, except that pass rules come first
 * and rules which test flowbits/flowints/xbits come after the ones that only set them
 * (like Suricata's ordering), with header, flow, flags, dsize, ttl, itype/icode,
 * app-layer-protocol, stream_size, urilen and bit checks first, then the match items
 * (detect-sig-match.c), then flowint in rule order. A pass rule that matches ends the
 * inspection. A match runs the rule's flowbits/xbits actions, then threshold /
 * detection_filter, then (unless noalert) raises one VG_EVT_ALERT — at most once per
 * packet per rule, once per transaction per rule for HTTP, once per flow per rule for
 * TLS — carrying the app-layer object of the transaction ({"http": ...}, "dns", "tls")
 * as EVE's alert records do.
 *
 * Transactional rules ("=>", Suricata 8; HTTP only) are inspected with the response of
 * each transaction: their to_server items read the request (a second buffer set bound to
 * the request side), their to_client items the response; their addresses are matched
 * with the client as the rule's source; they alert once per transaction.
 *
 * TCP payload: "tcp" rules inspect the reassembled stream when the flow's stream tracks
 * the direction (the raw window of stream.h; the last VG_SIG_STREAM_TAIL bytes are kept
 * so that a content may span segments, and a match already reported is not reported
 * again), else the packet payload; "tcp-pkt" only the packet, "tcp-stream" only the
 * stream. New stream bytes are inspected on their own first (offsets and depths count
 * from where they start) and then with the kept tail in front.
 * Known differences from Suricata: tls.certs is never present (no DER is kept by the
 * TLS parser); HTTP bodies are inspected as sent (not decompressed); an HTTP rule whose
 * buffers exist on both sides and that names no direction alerts at most once per
 * transaction; drop/reject rules are reported with action "allowed" (vigil watches).
 *
 * Per-flow state (flowbits, flowints, transaction alerts, stream progress) lives in a
 * flow storage slot registered by vg_sig_engine_attach(). Global state an attacker can
 * fill — threshold trackers and xbits — sits in capped tables keyed with a random
 * SipHash key; when full the oldest entry in the probe window is replaced (counted).
 * Not thread-safe: one engine per packet thread (the rule set may be shared). */
#ifndef VG_DETECT_SIG_H
#define VG_DETECT_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/core-event.h"
#include "decode/decode.h"
#include "detect/detect-rule.h"
#include "flow/flow.h"
#include "stream/stream.h"

struct vg_sig_engine;

struct vg_sig_stats {
	/* build */
	uint64_t rules;             /* rules in the engine */
	uint64_t rules_failed;      /* rules that could not be compiled (reason logged) */
	uint64_t groups;            /* (context, direction) groups with rules */
	uint64_t hs_databases, hs_patterns, always_rules;
	uint64_t address_sets;      /* distinct source/destination sets (shared by rules) */
	uint64_t hs_failed;         /* databases Hyperscan refused: their rules run always */
	uint64_t build_us;          /* wall time of vg_sig_engine_new */
	/* inspection */
	uint64_t inspect_packet, inspect_stream, inspect_http, inspect_dns, inspect_tls;
	uint64_t candidates;        /* rules fully evaluated */
	uint64_t matches;           /* rules that matched */
	uint64_t alerts;            /* alerts raised */
	uint64_t noalert;           /* matches not alerted: noalert */
	uint64_t thresholded;       /* matches not alerted: threshold/detection_filter */
	uint64_t threshold_evicted; /* threshold trackers replaced because the table was full */
	uint64_t xbits_evicted;
	uint64_t tx_alerts_full;    /* per-flow transaction alert memory full: alert let through */
	uint64_t pcre_limit;        /* pcre calls stopped by the match/depth limit */
	uint64_t step_limit;        /* evaluations stopped by VG_SIG_INSPECT_STEPS */
	uint64_t alloc_fail;        /* per-flow state that could not be allocated */
	uint64_t events_failed;     /* alerts the sink refused */
};

/* Build an engine over rs (borrowed: it must outlive the engine). A rule that cannot
 * be compiled is left out, counted, and named in errmsg-less log lines (core-log). 0,
 * VG_ENOMEM, VG_EIO (no random source). Caller frees *out with vg_sig_engine_free(). */
int vg_sig_engine_new(const struct vg_ruleset *rs, struct vg_sig_engine **out);
/* Same over an array of rules (borrowed) — for tests and the fuzz harness. */
int vg_sig_engine_new_rules(const struct vg_rule *const *rules, size_t n, struct vg_sig_engine **out);
void vg_sig_engine_free(struct vg_sig_engine *e); /* NULL is a no-op */

/* Where alerts go (copied). Without a sink, alerts are only counted. */
void vg_sig_engine_set_sink(struct vg_sig_engine *e, const struct vg_event_sink *sink);
/* Register the engine's per-flow storage slot in t (before t's first packet). Without
 * it every flow is inspected statelessly (flowbits never set, no per-tx dedup).
 * Returns 0 or the VG_E* of vg_flow_storage_register. */
int vg_sig_engine_attach(struct vg_sig_engine *e, struct vg_flow_table *t);

/* One packet. flow may be NULL (untracked: flow keywords other than stateless fail);
 * dir is VG_FLOW_TOSERVER/TOCLIENT. stream (may be NULL) is the flow's TCP stream,
 * after this packet's segment was given to it: its raw window is inspected by stream
 * rules and released. Call once per packet, before any vg_sig_http_tx/dns/tls calls
 * the packet causes are made... or after: both belong to the packet (alerts once per
 * packet per rule until the next vg_sig_packet). */
void vg_sig_packet(struct vg_sig_engine *e, const struct vg_packet *pkt, struct vg_flow *flow,
		   int dir, struct vg_stream *stream);
/* A reassembled chunk of a direction (tests; vg_sig_packet reads the raw window itself). */
void vg_sig_stream_chunk(struct vg_sig_engine *e, struct vg_flow *flow, int dir, const uint8_t *data,
			 size_t len, int64_t ts_us);
/* An HTTP transaction event (app.h VG_HTTP_EV_REQUEST: request rules; VG_HTTP_EV_DONE:
 * response rules, and request rules if the request was not inspected yet). */
void vg_sig_http_tx(struct vg_sig_engine *e, struct vg_flow *flow, const struct vg_http_tx *tx,
		    unsigned what, int64_t ts_us);
/* A DNS message of dir (queries: dns.query rules). */
void vg_sig_dns(struct vg_sig_engine *e, struct vg_flow *flow, int dir, const struct vg_dns_msg *m,
		int64_t ts_us);
/* TLS handshake progress in dir (events: VG_TLS_EV_*). */
void vg_sig_tls(struct vg_sig_engine *e, struct vg_flow *flow, int dir, const struct vg_tls_info *info,
		unsigned events, int64_t ts_us);

void vg_sig_get_stats(const struct vg_sig_engine *e, struct vg_sig_stats *out);
/* {"rules": n, "alerts": n, ...} for the stats record. New reference or NULL. */
json_t *vg_sig_stats_json(const struct vg_sig_engine *e);

#endif
