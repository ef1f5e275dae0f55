/* limits.h — every bound on untrusted input, in one place (STYLE.md 2).
 * Config values are clamped to these with vg_clamp_u64(); parsers refuse or truncate
 * (and count) past them. Include as "core/limits.h". Subsystems add their bounds here,
 * grouped by subsystem, each with the reason for its value. */
#ifndef VG_CORE_LIMITS_H
#define VG_CORE_LIMITS_H

/* --- packets ---------------------------------------------------------------- */
#define VG_MAX_SNAPLEN            262144u  /* libpcap's own maximum snapshot length */
#define VG_MAX_ENCAP_DEPTH        8u       /* tunnels/VLAN tags nested in one packet */
#define VG_MAX_IPV6_EXTHDRS       16u      /* extension headers walked before giving up */
#define VG_MAX_PKT_ANOMALIES      8u       /* anomalies recorded on one packet */
#define VG_DEFRAG_MAX_TRACKERS    65536u   /* fragment reassembly contexts */
#define VG_DEFRAG_MAX_FRAGS       64u      /* fragments per datagram */
#define VG_DEFRAG_MEMCAP          (32u << 20)
#define VG_DEFRAG_DEFAULT_TIMEOUT_S 60u    /* an incomplete datagram is dropped after this */
#define VG_DEFRAG_MAX_TIMEOUT_S   600u     /* ceiling for defrag.timeout (RFC 791 suggests 15 s..2 min) */
#define VG_MPLS_MAX_LABELS        16u      /* MPLS label stack entries walked before giving up */
#define VG_CAPTURE_MAX_BUFFER     (1u << 30) /* ceiling for capture.buffer-size (kernel ring bytes) */
#define VG_CAPTURE_MAX_TIMEOUT_MS 60000    /* longest wait in one vg_capture_next() on a live interface */
#define VG_CAPTURE_MAX_TS_S       (1ll << 40) /* packet time ceiling (s): ~35000 years, no overflow in us */
#define VG_CAPTURE_FILE_BUFSZ     (1u << 20) /* stdio buffer of a capture file read offline (bytes) */

/* --- flows ------------------------------------------------------------------ */
#define VG_FLOW_MAX_MEMCAP        (16ull << 30)  /* hard ceiling for flow.memcap */
#define VG_FLOW_DEFAULT_MEMCAP    (256ull << 20)
#define VG_FLOW_MAX_TIMEOUT_S     86400u
#define VG_FLOW_MIN_MEMCAP        (1ull << 20)   /* floor for flow.memcap: a few thousand flows */
#define VG_FLOW_MAX_STORAGE       4u       /* per-flow extension slots (two used: nids app state, signature flow state); 8 B each in every flow record */

/* --- detection state ---------------------------------------------------------- */
#define VG_SCAN_MAX_TRACKERS      131072u  /* scanners tracked at once */
#define VG_SCAN_MAX_TARGETS_LISTED 16u     /* target addresses named in one alert */
#define VG_FLOOD_MAX_TRACKERS     65536u   /* destinations tracked for floods */
#define VG_SCAN_MAX_PAIRS         65536u   /* (target, port) pairs kept per scanner: one full port range */
#define VG_SCAN_MAX_PORTS_LISTED  64u      /* probed ports named in one scan alert */
#define VG_SCAN_MAX_MEMCAP        (1ull << 30) /* ceiling for detect.scan.memcap */
#define VG_SCAN_MAX_FIRST_SLOTS   65536u   /* scan admission: remembered first probes (128 B each; max_trackers / 2 by default) */
#define VG_SCAN_SEEN_BITS         (1u << 23) /* scan admission: "source seen" filter bits per generation (1 MiB; two generations) */
#define VG_FLOOD_MAX_CMS_WIDTH    (1u << 20) /* count-min cells per row (4 rows x 16 B: 64 MiB) */

/* --- text input (logs, rules, config) ------------------------------------------ */
#define VG_MAX_LINE               65536u   /* one log line / rule line; longer is truncated */
#define VG_MAX_FIELDS             64u      /* fields split from one line */
#define VG_MAX_RULE_LEN           65536u   /* one signature after line continuations */
#define VG_MAX_CONFIG_BYTES       (4u << 20)
#define VG_MAX_YAML_DEPTH         32u
#define VG_MAX_JSON_DEPTH         64u
#define VG_MAX_NAME               256u     /* tenant, user, host, service names */

/* --- log receivers, file following, queues (src/logs/logs-recv*, -follow, -queue) ---- */
#define VG_SYSLOG_FRAME_MAX_DIGITS 9u      /* RFC 6587 MSG-LEN digits; 9 → < 1 GB per frame */
#define VG_SYSLOG_MAX_LISTENERS    16u     /* --listen endpoints in one process */
#define VG_SYSLOG_MAX_CONNS        1024u   /* TCP+TLS connections at once; more are refused */
#define VG_SYSLOG_IDLE_TIMEOUT_S   600u    /* a silent TCP/TLS connection is closed after this */
#define VG_SYSLOG_MAX_IDLE_TIMEOUT_S 86400u
#define VG_SYSLOG_TLS_HANDSHAKE_S  10u     /* a TLS handshake must finish within this */
#define VG_FOLLOW_MAX_FILES        256u    /* --follow files in one process */
#define VG_FOLLOW_FP_LEN           256u    /* bytes of a file's head hashed to recognise it */
#define VG_LOGQ_DEFAULT_ITEMS      65536u  /* lines waiting between receivers and pipeline */
#define VG_LOGQ_MAX_ITEMS          (1u << 22)
#define VG_LOGQ_DEFAULT_BYTES      (64u << 20)
#define VG_LOGQ_MAX_BYTES          (1u << 30)

/* --- log parsers (src/logs/logs.h, logs-*.c) ------------------------------------ */
#define VG_LOG_MAX_SD_PARAMS       16u     /* RFC 5424 SD-PARAMs kept parsed per line */
#define VG_LOG_MAX_WEB_FORMAT      1024u   /* bytes of an nginx log_format / Apache LogFormat */

/* --- correlation (src/correlate/, Sigma rules) ------------------------------------ */
#define VG_CORR_MAX_RULE_FILE      (1u << 20) /* bytes of one Sigma YAML file */
#define VG_CORR_MAX_YAML_NODES     65536u  /* YAML nodes walked per document (alias bombs) */
#define VG_CORR_MAX_RULES          4096u   /* rules in one rule set */
#define VG_CORR_MAX_SELECTIONS     64u     /* named selections in one detection */
#define VG_CORR_MAX_FIELDS         32u     /* fields in one selection map */
#define VG_CORR_MAX_VALUES         512u    /* values listed for one field */
#define VG_CORR_MAX_PATTERN        4096u   /* bytes of one value / regex */
#define VG_CORR_MAX_COND_LEN       4096u   /* bytes of a detection condition */
#define VG_CORR_MAX_COND_NODES     512u    /* terms in one parsed condition */
#define VG_CORR_MAX_COND_DEPTH     32u     /* nesting of parentheses / not */
#define VG_CORR_MAX_REFS           16u     /* rules one correlation refers to */
#define VG_CORR_MAX_GROUP_BY       8u      /* group-by fields of one correlation */
#define VG_CORR_MAX_EVIDENCE       4u      /* evidence fields collected per correlation */
#define VG_CORR_MAX_THRESHOLD      4096u   /* largest count a condition may name */
#define VG_CORR_MAX_TIMESPAN_S     (30u * 86400u)
#define VG_CORR_MAX_CHAIN          8u      /* correlation-of-correlation nesting */
#define VG_CORR_MAX_GROUPS         65536u  /* (rule, group) states at once; LRU eviction */
#define VG_CORR_MAX_DISTINCT       256u    /* distinct values kept per group and field */
#define VG_CORR_MAX_VALUE_LEN      256u    /* bytes of one grouped / distinct value kept */
#define VG_CORR_MAX_LISTED         64u     /* distinct values named in one alert */
#define VG_CORR_DEFAULT_MEMCAP     (64ull << 20) /* correlation state memory */
#define VG_CORR_MAX_MEMCAP         (4ull << 30)
#define VG_CORR_RE_MATCH_LIMIT     100000u /* PCRE2 match() calls per |re test on one field */
#define VG_CORR_RE_DEPTH_LIMIT     10000u  /* PCRE2 backtracking depth per |re test */
#define VG_LOGPIPE_MAX_REPEAT      1000u   /* "message repeated N times": fed to rules at most N */

/* --- TCP stream reassembly (src/stream) ------------------------------------------ */
#define VG_STREAM_MAX_SEGMENTS     65536u  /* ceiling for out-of-order segments per direction */
#define VG_STREAM_DEFAULT_SEGMENTS 1024u   /* default cap; the hole is declared a gap when hit */
#define VG_STREAM_MAX_FLOW_MEMCAP  (64u << 20)   /* ceiling for stream.flow-memcap */
#define VG_STREAM_DEFAULT_FLOW_MEMCAP (1u << 20) /* out-of-order + raw window bytes per flow */
#define VG_STREAM_MAX_MEMCAP       (16ull << 30) /* ceiling for stream.memcap (all flows) */
#define VG_STREAM_DEFAULT_MEMCAP   (256ull << 20)
#define VG_STREAM_DEFAULT_GAP_BYTES (256u << 10) /* buffered past a hole before it is a gap */
#define VG_STREAM_DEFAULT_GAP_TIMEOUT_US 5000000ll /* a hole older than this is a gap */
#define VG_STREAM_MAX_SEQ_AHEAD    (64u << 20)   /* data further past the next byte is ignored */
#define VG_STREAM_MAX_RAW_WINDOW   (1u << 20)    /* raw reassembled bytes kept for tcp-stream rules */
#define VG_STREAM_DEFAULT_RAW_WINDOW (64u << 10)
/* --- application-layer parsers (src/app) -------------------------------------------- */
#define VG_HTTP_MAX_LINE           8192u   /* request/status line; longer is an error (like Apache's 8190) */
#define VG_HTTP_MAX_HEADERS        100u    /* header fields kept per message; more are counted and dropped */
#define VG_HTTP_MAX_HEADER_BYTES   65536u  /* raw header block per message */
#define VG_HTTP_MAX_BODY           65536u  /* body bytes kept per message (rest counted, not kept) */
#define VG_HTTP_MAX_TXS            64u     /* unanswered pipelined requests kept per flow */
#define VG_HTTP_MAX_STATE_BYTES    (1u << 20) /* bytes held by a flow's pending transactions */
#define VG_HTTP_MAX_CHUNK_LINE     1024u   /* chunk-size line incl. extensions */
#define VG_HTTP_MAX_INFLATE_OUT    (1u << 20) /* gzip/deflate output produced per body (first VG_HTTP_MAX_BODY kept); then inflating stops, counted */
#define VG_HTTP_INFLATE_BOMB_RATIO 512u    /* output/input above this, once past VG_HTTP_INFLATE_BOMB_MIN, is a bomb: stop, counted */
#define VG_HTTP_INFLATE_BOMB_MIN   (64u << 10) /* output below this is never called a bomb */
#define VG_HTTP_INFLATE_PENDING    4096u   /* compressed bytes held until the first output (kept raw on error) */
#define VG_HTTP_MAX_FILES          16u     /* multipart file parts kept per request for file.data; more counted */
#define VG_HTTP_MAX_BOUNDARY       70u     /* multipart boundary length, RFC 2046 5.1.1 */
#define VG_DNS_MAX_NAMES           64u     /* questions + records kept per message */
#define VG_DNS_MAX_NAME_LEN        255u    /* presentation-form name, RFC 1035 */
#define VG_DNS_MAX_POINTERS        32u     /* compression jumps per name: bounds loops */
#define VG_DNS_MAX_TCP_MSG         65535u  /* DNS over TCP length prefix maximum */
#define VG_DNS_MAX_RDATA_TEXT      1024u   /* TXT/other rdata kept as text */
#define VG_TLS_MAX_RECORD          (16384u + 2048u) /* TLSCiphertext max, RFC 8446 5.2 */
#define VG_TLS_MAX_HANDSHAKE       (256u << 10) /* one handshake message reassembled */
#define VG_TLS_MAX_CIPHERS         256u    /* cipher suites kept from a hello */
#define VG_TLS_MAX_EXTENSIONS      64u     /* extensions kept from a hello */
#define VG_TLS_MAX_GROUPS          64u     /* supported groups / versions / point formats */
#define VG_TLS_MAX_CERTS           8u      /* certificates of a chain parsed */
#define VG_TLS_MAX_CERT_BYTES      (64u << 10) /* DER bytes of a chain kept for tls.certs; later certs counted */
#define VG_SSH_MAX_BANNER          255u    /* RFC 4253 4.2: identification line incl. CRLF */
#define VG_SSH_MAX_PRE_LINES       16u     /* lines before the banner (RFC 4253 allows some) */
#define VG_HPACK_MAX_TABLE_SIZE    65536u  /* HPACK dynamic table bytes kept (RFC 7541 4.1 sizes); a larger SETTINGS value is clamped, counted */
#define VG_HPACK_MAX_STRING        65536u  /* one decoded HPACK name or value (= VG_HTTP_MAX_HEADER_BYTES) */
#define VG_HPACK_MAX_FIELDS        256u    /* fields decoded from one header block; more end the block, counted */
#define VG_HTTP2_MAX_FRAME_BUFFER  65535u  /* frame payload buffered; a longer frame is long_frame_data (as Suricata's 64 KiB), its rest skipped */
#define VG_HTTP2_MAX_HEADER_BLOCK  65536u  /* HEADERS + CONTINUATION fragments of one block; more truncates it, counted */
#define VG_HTTP2_MAX_STREAMS       64u     /* open streams (transactions) kept per connection; the oldest is ended past it */
#define VG_HTTP2_MAX_STATE_BYTES   (1u << 20) /* bytes held by a connection's open streams; the oldest is ended past it */
#define VG_APP_DETECT_BYTES        512u    /* bytes per direction probed before giving up on detection */
#define VG_APP_MAX_ANOMALY_EVENTS  32u     /* app-layer anomaly events per flow; more are only counted (a hostile flow cannot flood the output) */
/* --- IoC sets (src/detect/detect-ioc) ------------------------------------------------ */
#define VG_IOC_MAX_LISTS          256u     /* named lists in one set (ioc.lists) */
#define VG_IOC_MAX_INDICATORS     (16u << 20) /* indicators in one set: 16M, ~1 GB of tables */
#define VG_IOC_MAX_FILE_BYTES     (1u << 30) /* one list file read into memory */
#define VG_IOC_MAX_TEXT_BYTES     (1u << 30) /* canonical indicator text kept per set (32-bit offsets) */
#define VG_IOC_MAX_URL_LEN        4096u    /* one URL indicator or URL looked up; longer never matches */
#define VG_IOC_MAX_REPORTED       20u      /* bad lines listed per list file; the rest are counted */
/* --- network behavioural analysis (src/detect/detect-nba) ---------------------------- */
#define VG_NBA_MAX_HOSTS          (1u << 20) /* ceiling for detect.nba.max-hosts (~600 B each) */
#define VG_NBA_MAX_SERVICES       (1u << 20) /* ceiling for detect.nba.max-services */
#define VG_NBA_MAX_TALKERS        (4u << 20) /* ceiling for detect.nba.max-talkers ((peer-net, service) seen) */
#define VG_NBA_MAX_PAIRS          (1u << 20) /* ceiling for detect.nba.beacon.max-pairs */
#define VG_NBA_MAX_HISTORY        32u      /* inter-arrival times kept per beacon pair (4 B each, inline) */
#define VG_NBA_MAX_IDLE_FOLD      64u      /* idle intervals folded into a baseline at once (older gaps are skipped) */
#define VG_NBA_MAX_HOME_NET       256u     /* CIDRs in detect.nba.home-net */
/* --- signatures (src/detect/detect-rule*) ------------------------------------------- */
#define VG_RULE_MAX_OPTIONS        256u    /* options in one rule (ET's largest use ~60) */
#define VG_RULE_MAX_MATCHES        128u    /* content/pcre/byte_* items in one rule */
#define VG_RULE_MAX_CONTENT        8192u   /* bytes of one content or pcre pattern as written */
#define VG_RULE_MAX_BYTE_VARS      16u     /* byte_extract variables per rule */
#define VG_RULE_MAX_PCREXFORMS     8u      /* pcrexform transforms per rule (< 255) */
#define VG_RULE_MAX_FLOWVARS       32u     /* flowbits / xbits / flowint operations per rule */
#define VG_RULE_MAX_REFS           64u     /* references kept per rule (output only) */
#define VG_RULE_MAX_METADATA       128u    /* metadata entries kept per rule (output only) */
#define VG_RULE_MAX_ADDR_RANGES    4096u   /* resolved address ranges of one header field */
#define VG_RULE_MAX_PORT_RANGES    1024u   /* resolved port ranges of one header field */
#define VG_RULE_MAX_NESTING        16u     /* [ ] / ! / $VAR nesting in one address or port */
#define VG_RULE_MAX_VARS           1024u   /* address + port variables */
#define VG_RULE_MAX_VAR_LEN        65536u  /* text of one variable's value */
#define VG_RULESET_MAX_RULES       1000000u /* rules (loaded + skipped) in one rule set */
#define VG_RULESET_MAX_FILE        (256u << 20) /* bytes of one rule file */
#define VG_RULESET_MAX_AUX_FILE    (4u << 20)   /* classification.config / reference.config */
/* --- tenants ------------------------------------------------------------------ */
#define VG_MAX_TENANTS            65536u
#define VG_MAX_TENANT_NETWORKS    1048576u

#include <stdint.h>
static inline uint64_t vg_clamp_u64(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

/* --- signature engine (src/detect/detect-sig*) -------------------------------------- */
#define VG_SIG_MAX_BYTE_VARS      16u      /* byte_extract variables per rule (Suricata allows fewer) */
#define VG_SIG_INSPECT_STEPS      3000u    /* content/pcre retries per rule evaluation (Suricata's
                                            * inspection-recursion-limit): bounds backtracking */
#define VG_SIG_PCRE_MATCH_LIMIT   3500u    /* PCRE2 match limit per pcre call (Suricata's default) */
#define VG_SIG_PCRE_DEPTH_LIMIT   1500u    /* PCRE2 depth limit (Suricata's match-limit-recursion) */
#define VG_SIG_STREAM_TAIL        2048u    /* bytes of a stream direction kept so a content may span
                                            * chunks (longer spans are not seen) */
#define VG_SIG_MAX_THRESHOLDS     65536u   /* threshold/detection_filter trackers (by src/dst/rule) */
#define VG_SIG_MAX_XBITS          65536u   /* xbits held for hosts / host pairs */
#define VG_SIG_MAX_FLOWINTS       64u      /* flowint variables held per flow */
#define VG_SIG_MAX_TX_ALERTS      1024u    /* (transaction, rule) alerts remembered per flow */
#define VG_SIG_MAX_HS_PATTERN     65536u   /* longest fast pattern handed to Hyperscan */
#define VG_MAX_RULE_FILES         256u     /* rules.files entries read from the config */

#endif
