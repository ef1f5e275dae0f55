/* detect-ioc.h — indicator-of-compromise sets: addresses and CIDRs, domains, URLs, TLS SNI,
 * JA3/JA3S fingerprints, loaded from plain list files and matched on the packet path.
 *
 * A set is built once (vg_ioc_load, or a builder for text already in memory) and is then
 * immutable: lookups only read it, so a reload builds a new set next to the old one and
 * publishes it with one pointer swap (vg_ioc_publish). Flow state lives elsewhere and is
 * not touched by a reload.
 *
 * List files: one indicator per line; blank lines and lines starting with '#' are
 * ignored, as is the rest of a line after whitespace + '#'. A comment "# type: domain"
 * before the first indicator names the list's type when the config does not. A bad line
 * is counted and reported as "FILE:LINE: reason: 'text'" (the first VG_IOC_MAX_REPORTED
 * per list; the rest are counted) and never stops the load.
 *
 * Indicator forms and what they match (everything is canonicalised at load and at lookup
 * the same way):
 *   addr    192.0.2.7, 198.51.100.0/24, 2001:db8::1, 2001:db8::/32 (host bits cleared;
 *           ::ffff:a.b.c.d is IPv4; /0 refused). The longest matching prefix wins.
 *           Lookup: one hash probe for host entries, then a binary search over the CIDRs
 *           of the family (O(log n), plus a walk up enclosing CIDRs, <= the nesting depth).
 *   domain  evil.example matches evil.example and every name below it, label-wise
 *           (a.evil.example yes, notevil.example and evil.example.com no); "*.evil.example"
 *           or ".evil.example" matches only names below it; a list with exact = true makes
 *           bare entries match only the name itself. ASCII names (IDNs in xn-- form);
 *           case and one trailing dot ignored. Lookup: one probe per label, most specific
 *           first. Matches DNS queries, HTTP hosts and TLS SNI.
 *   sni     like domain, but only TLS SNI is matched against it.
 *   url     scheme://host[:port]/path?query: scheme and host lowercased, default port
 *           (http 80, https 443) dropped, userinfo and fragment dropped, dot segments
 *           removed, %XX of unreserved characters decoded and other escapes uppercased,
 *           empty path is "/"; no scheme means http. Exact match after that.
 *   ja3, ja3s  32 hex digits (the MD5 of the JA3/JA3S string), any case.
 *   auto    (list type only) each line is classified: an address or CIDR, a URL (has
 *           "://"), 32 hex digits (ja3), else a domain.
 * An indicator present in several lists (or twice) is kept once and reports the first
 * list that named it; duplicates are counted.
 *
 * Alerts: vg_ioc_alert() fills the rule of a VG_EVT_ALERT (gid 1, rev 1, severity 2,
 * category "Potentially Bad Traffic"), sid VG_IOC_SID_BASE + type:
 *   9300001 addr  9300002 domain  9300003 url  9300004 sni  9300005 ja3  9300006 ja3s
 * signature "VIGIL IOC <type> <indicator> (list <name>) in <field>".
 *
 * Thread safety: a published set may be read by any number of threads; publishing
 * returns the old set, which the caller frees once no reader can hold it (a
 * single-threaded pipeline that reloads between packets may free it at once). */
#ifndef VG_DETECT_IOC_H
#define VG_DETECT_IOC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core-addr.h"
#include "core/core-config.h"
#include "core/core-event.h"
#include "core/core-str.h"

enum vg_ioc_type {
	VG_IOC_NONE = 0,
	VG_IOC_ADDR = 1,
	VG_IOC_DOMAIN = 2,
	VG_IOC_URL = 3,
	VG_IOC_SNI = 4,
	VG_IOC_JA3 = 5,
	VG_IOC_JA3S = 6,
	VG_IOC_AUTO = 7, /* list type only */
};
#define VG_IOC_NTYPES 7 /* indexable by enum vg_ioc_type below VG_IOC_AUTO */

#define VG_IOC_SID_BASE 9300000u /* sid = base + type */

/* "addr", "domain", "url", "sni", "ja3", "ja3s", "auto"; NULL for anything else. */
const char *vg_ioc_type_name(enum vg_ioc_type t);
/* Inverse ("ip", "cidr", "ipv4", "ipv6" are accepted for addr, "hostname" for domain);
 * VG_IOC_NONE when unknown. */
enum vg_ioc_type vg_ioc_type_parse(const char *s);

/* One list: all strings borrowed for the call. type VG_IOC_NONE: from the file's header,
 * else auto. exact: bare domain/sni entries match only the name itself. */
struct vg_ioc_list_spec {
	const char *name;  /* required, unique in a set, <= VG_MAX_NAME bytes */
	enum vg_ioc_type type;
	const char *file;  /* list file (vg_ioc_load); only a label for vg_ioc_builder_add_text */
	bool exact;
};

/* What a lookup found. Strings are borrowed from the set until it is freed. */
struct vg_ioc_match {
	enum vg_ioc_type type;     /* type of the indicator that matched */
	const char *indicator;     /* canonical text: "198.51.100.0/24", "evil.example", ... */
	const char *list;          /* name of the list */
	uint32_t list_index;       /* position of the list in the set */
	bool subdomain;            /* domain/sni: matched a name below the indicator */
};

struct vg_ioc_list_stats {
	const char *name, *file;   /* borrowed from the set */
	enum vg_ioc_type type;     /* after header resolution */
	uint64_t lines;            /* lines read */
	uint64_t loaded;           /* indicators added by this list */
	uint64_t duplicates;       /* already in the set (this or an earlier list) */
	uint64_t bad_lines;
	uint64_t dropped_full;     /* not added: VG_IOC_MAX_INDICATORS or text cap reached */
};

struct vg_ioc_stats {
	uint64_t generation;       /* 0 until published; +1 per publish on the same ref */
	uint64_t lists;
	uint64_t indicators;       /* distinct indicators, all types */
	uint64_t by_type[VG_IOC_NTYPES];
	uint64_t duplicates, bad_lines, dropped_full;
	uint64_t mem_bytes;        /* tables + text held by the set */
	uint32_t addr_prefix_lengths; /* distinct prefix lengths among address indicators */
};

struct vg_ioc_set;
struct vg_ioc_builder;

/* ---- building --------------------------------------------------------------------- */

/* *out zeroed on entry; caller frees with vg_ioc_builder_free or hands it to
 * vg_ioc_builder_finish. 0, VG_ENOMEM, VG_EIO (no random source for the hash key). */
int vg_ioc_builder_new(struct vg_ioc_builder **out);
/* Add one list from text (borrowed for the call). Bad lines are counted and appended to
 * report (may be NULL), one line each ending in '\n'. Returns 0 even when lines were bad;
 * VG_EINVAL (no name, name too long, type AUTO/NONE impossible), VG_EEXIST (name
 * already used), VG_EFULL (VG_IOC_MAX_LISTS), VG_ENOMEM. */
int vg_ioc_builder_add_text(struct vg_ioc_builder *b, const struct vg_ioc_list_spec *spec,
			    const char *text, size_t len, struct vg_buf *report);
/* Same, reading spec->file (<= VG_IOC_MAX_FILE_BYTES). VG_EIO when it cannot be read
 * (reported; the list is not added). */
int vg_ioc_builder_add_file(struct vg_ioc_builder *b, const struct vg_ioc_list_spec *spec,
			    struct vg_buf *report);
/* Turn the builder into an immutable set. Takes ownership of b even on error; *out zeroed
 * on entry, caller frees with vg_ioc_set_free. 0 or VG_ENOMEM. */
int vg_ioc_builder_finish(struct vg_ioc_builder *b, struct vg_ioc_set **out);
void vg_ioc_builder_free(struct vg_ioc_builder *b); /* NULL-safe */

/* Load every list. Any unreadable file or invalid spec fails the whole load (VG_EIO /
 * VG_EINVAL / VG_EEXIST, reported) so that a reload keeps the previous set; bad lines do
 * not. *out: caller frees. */
int vg_ioc_load(const struct vg_ioc_list_spec *specs, size_t n, struct vg_buf *report,
		struct vg_ioc_set **out);
/* From a config: ioc.lists = [{name, type, file, exact}] below root (a config's root
 * map). A relative file is taken relative to the directory of the config file. No
 * "ioc.lists" key: an empty set. Config errors fill err (file:line:key) and return
 * VG_EINVAL/VG_ERANGE; list errors as vg_ioc_load. */
int vg_ioc_load_config(const struct vg_cfg_node *root, struct vg_buf *report,
		       struct vg_ioc_set **out, struct vg_config_err *err);

void vg_ioc_set_free(struct vg_ioc_set *s); /* NULL-safe */

/* ---- reload ----------------------------------------------------------------------- */

/* The pipeline's handle on the current set (zero-initialise; holds no set). */
struct vg_ioc_ref {
	_Atomic(struct vg_ioc_set *) cur;
	_Atomic uint64_t generation;
};
/* Current set (may be NULL), acquire load. Borrowed until the caller's next quiescent
 * point (between packets). */
struct vg_ioc_set *vg_ioc_current(struct vg_ioc_ref *ref);
/* Make set (owned by ref from now on; may be NULL) current, give it the next generation,
 * and return the previous set, which the caller now owns and frees once no reader holds
 * it. */
struct vg_ioc_set *vg_ioc_publish(struct vg_ioc_ref *ref, struct vg_ioc_set *set);
/* Generation of a published set (0 before publication). A flow can remember the
 * generation it was checked against and re-check after a reload. */
uint64_t vg_ioc_generation(const struct vg_ioc_set *s);

/* ---- lookups: 0 with *m filled, VG_ENOENT (no match, also for set NULL), VG_EINVAL (bad
 * argument or a value that cannot be an indicator). *m zeroed on entry. ----------------- */

int vg_ioc_match_addr(const struct vg_ioc_set *s, const struct vg_addr *a, struct vg_ioc_match *m);
/* A DNS name, HTTP host (a ":port" suffix is ignored; an address literal is looked up as
 * an address) or other host name, against domain lists. */
int vg_ioc_match_domain(const struct vg_ioc_set *s, const char *name, size_t len,
			struct vg_ioc_match *m);
/* TLS SNI: sni lists first, then domain lists. */
int vg_ioc_match_sni(const struct vg_ioc_set *s, const char *name, size_t len, struct vg_ioc_match *m);
/* A full URL, normalised as described above. */
int vg_ioc_match_url(const struct vg_ioc_set *s, const char *url, size_t len, struct vg_ioc_match *m);
/* An HTTP request: scheme "http" unless tls, host from the Host header (may carry a port),
 * uri the request target (origin form, or absolute form which is used as is). */
int vg_ioc_match_http(const struct vg_ioc_set *s, bool tls, const char *host, size_t hlen,
		      const char *uri, size_t ulen, struct vg_ioc_match *m);
/* JA3 (server false) or JA3S (server true) MD5 as 32 hex digits. */
int vg_ioc_match_ja3(const struct vg_ioc_set *s, bool server, const char *hex, size_t len,
		     struct vg_ioc_match *m);

/* Canonical form of one indicator of a type (not AUTO), as stored: for tools and tests.
 * Writes a NUL-terminated string into buf; 0, VG_EINVAL with *reason (static) set, or
 * VG_ERANGE when buf is too small. */
int vg_ioc_canonical(enum vg_ioc_type type, const char *p, size_t len, char *buf, size_t bufsz,
		     const char **reason);

void vg_ioc_get_stats(const struct vg_ioc_set *s, struct vg_ioc_stats *out); /* s may be NULL */
size_t vg_ioc_list_count(const struct vg_ioc_set *s);
/* 0 or VG_ENOENT past the end. */
int vg_ioc_list_stats(const struct vg_ioc_set *s, size_t i, struct vg_ioc_list_stats *out);

/* ---- alerts ----------------------------------------------------------------------- */

/* Turn ev (already filled by the caller with time, tenant, addresses, flow id, ...) into
 * the alert for m found in field ("src_ip", "dest_ip", "dns.query", "http.hostname",
 * "http.url", "tls.sni", "tls.ja3.hash", "tls.ja3s.hash"): type, category, action and
 * rule. The signature is written into sig (>= 64 bytes; truncated to fit) and ev points
 * to it and to m's strings: ev is valid while sig and the set are. 0 or VG_EINVAL. */
int vg_ioc_alert(struct vg_event *ev, const struct vg_ioc_match *m, const char *field, char *sig,
		 size_t sigsz);
/* Copy tmpl, make it the alert as above, add {"ioc": {"indicator", "list", "type",
 * "field"}} to its extra (tmpl->extra, borrowed, is copied, not changed) and emit it.
 * Returns the sink's result, VG_EINVAL or VG_ENOMEM. */
int vg_ioc_alert_emit(const struct vg_event_sink *sink, const struct vg_event *tmpl,
		      const struct vg_ioc_match *m, const char *field);

#endif
