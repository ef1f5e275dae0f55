/* detect-ioc.c — IoC sets (see detect-ioc.h for the model and the indicator forms).
 *
 * Every type lives in one open-addressing index keyed with the set's own SipHash key:
 * 8-byte slots (high 32 bits of the hash as a tag, record index + 1), load <= 0.7, so a
 * lookup touches one or two cache lines of slots and then one record. Records are
 * fixed-size and point into one text arena holding the canonical indicator text, which is
 * what a match reports. Addresses are keyed by (family, prefix length, masked address);
 * a lookup probes once for a host entry, then binary-searches the family's CIDRs, sorted
 * by finish (build_ranges) with each one's enclosing CIDR: O(log n). Domains are keyed by the whole name; a lookup probes
 * the name and then each parent suffix (skipping label counts no subdomain entry has). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/core-error.h"
#include "core/core-hash.h"
#include "core/limits.h"
#include "detect/detect-ioc.h"

enum kind { K_ADDR, K_DOMAIN, K_SNI, K_URL, K_JA3, K_JA3S, K_N };

/* name record flags */
enum { NF_EXACT = 1u << 0, NF_SUB = 1u << 1 };

struct addr_rec {
	uint8_t b[16];
	uint8_t family, prefix;
	uint16_t pad;
	uint32_t list, text;
};

struct name_rec {
	uint32_t text;
	uint16_t len;
	uint8_t flags;
	uint8_t pad;
	uint32_t list_exact, list_sub;
};

struct url_rec {
	uint32_t text, len, list;
};

struct fp_rec {
	uint8_t md5[16];
	uint32_t list, text;
};

/* An address as a 128-bit big-endian number; IPv4 in the top 32 bits so that an IPv4
 * prefix length is also its length here. */
struct k128 {
	uint64_t hi, lo;
};

struct range {
	struct k128 start;
	uint32_t rec;
	uint32_t parent; /* index + 1 of the nearest enclosing range; 0: none */
	uint8_t prefix;
};

struct table {
	uint64_t *slots; /* (tag << 32) | (index + 1); 0 is empty */
	uint32_t nslots; /* power of two, or 0 */
	uint32_t n, cap; /* records */
	uint32_t rsz;
	char *recs;
	uint64_t sub_labels[2]; /* names: label counts (1..127) that hold a NF_SUB entry */
};

struct ioc_list {
	char *name, *file;
	enum vg_ioc_type type;
	bool exact;
	uint64_t lines, loaded, duplicates, bad_lines, dropped_full, reported;
};

struct vg_ioc_set {
	struct vg_hash_key key;
	struct ioc_list *lists;
	uint32_t n_lists;
	char *text;
	size_t text_len, text_cap;
	struct table t[K_N];
	uint64_t plen4;    /* bit p: some IPv4 prefix of length p (0..32) */
	uint64_t plen6[3]; /* bits 0..128 */
	/* CIDRs (not host entries) per family [0] IPv4, [1] IPv6, built by finish: sorted by
	 * (start, prefix) with each one's nearest enclosing CIDR, for a binary search */
	struct range *ranges[2];
	uint32_t n_ranges[2];
	uint64_t total, duplicates, bad_lines, dropped_full;
	uint64_t generation;
};

struct vg_ioc_builder {
	struct vg_ioc_set *set;
};

static const char *const type_names[] = { NULL, "addr", "domain", "url", "sni", "ja3", "ja3s", "auto" };

const char *vg_ioc_type_name(enum vg_ioc_type t)
{
	return (unsigned)t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : NULL;
}

enum vg_ioc_type vg_ioc_type_parse(const char *s)
{
	if (!s)
		return VG_IOC_NONE;
	struct vg_str v = vg_str_cstr(s);
	for (unsigned i = 1; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (vg_str_casecmp_cstr(v, type_names[i]))
			return (enum vg_ioc_type)i;
	if (vg_str_casecmp_cstr(v, "ip") || vg_str_casecmp_cstr(v, "cidr") ||
	    vg_str_casecmp_cstr(v, "ipv4") || vg_str_casecmp_cstr(v, "ipv6") ||
	    vg_str_casecmp_cstr(v, "address"))
		return VG_IOC_ADDR;
	if (vg_str_casecmp_cstr(v, "hostname"))
		return VG_IOC_DOMAIN;
	return VG_IOC_NONE;
}

static enum vg_ioc_type kind_type(enum kind k)
{
	static const enum vg_ioc_type map[K_N] = { VG_IOC_ADDR, VG_IOC_DOMAIN, VG_IOC_SNI,
						   VG_IOC_URL, VG_IOC_JA3, VG_IOC_JA3S };
	return map[k];
}

/* ---- canonical forms (shared by loading and lookups) -------------------------------- */

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* IPv4-mapped IPv6 (::ffff:0:0/96) is IPv4: observed packets carry plain IPv4. */
static void unmap_v4(struct vg_addr *a, uint8_t *prefix)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (a->family != VG_AF_INET6 || memcmp(a->b, mapped, 12) != 0)
		return;
	if (prefix && *prefix < 96)
		return;
	uint8_t v4[4];
	memcpy(v4, a->b + 12, 4);
	vg_addr_from_v4(a, v4);
	if (prefix)
		*prefix = (uint8_t)(*prefix - 96);
}

static int canon_addr(const char *p, size_t len, struct vg_cidr *c, const char **reason)
{
	if (vg_cidr_parse(p, len, c) < 0) {
		*reason = "not an IP address or CIDR";
		return VG_EINVAL;
	}
	unmap_v4(&c->addr, &c->prefix);
	if (c->prefix == 0) {
		*reason = "prefix /0 would match every address";
		return VG_EINVAL;
	}
	return 0;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Domain indicator → lowercase name without trailing dot in buf (>= 256 bytes); *sub set
 * for "*." / "." forms. */
static int canon_domain(const char *p, size_t len, char *buf, size_t *outlen, bool *sub,
			const char **reason)
{
	*sub = false;
	*outlen = 0;
	if (len >= 2 && p[0] == '*' && p[1] == '.') {
		*sub = true;
		p += 2;
		len -= 2;
	} else if (len >= 1 && p[0] == '.') {
		*sub = true;
		p++;
		len--;
	}
	if (len > 0 && p[len - 1] == '.')
		len--;
	if (len == 0) {
		*reason = "empty name";
		return VG_EINVAL;
	}
	if (len > 253) {
		*reason = "name longer than 253 bytes";
		return VG_EINVAL;
	}
	if (vg_str_find(vg_str_make(p, len), "://", 3) >= 0) {
		*reason = "a URL, not a domain";
		return VG_EINVAL;
	}
	size_t lab = 0;
	bool alpha = false;
	for (size_t i = 0; i < len; i++) {
		char c = lower(p[i]);
		if (c == '.') {
			if (lab == 0) {
				*reason = "empty label";
				return VG_EINVAL;
			}
			lab = 0;
		} else if (!name_char(c)) {
			*reason = (unsigned char)c >= 0x80 ? "non-ASCII name (write IDNs as xn--)"
							   : "invalid character in name";
			return VG_EINVAL;
		} else if (++lab > 63) {
			*reason = "label longer than 63 bytes";
			return VG_EINVAL;
		}
		if (c < '0' || c > '9')
			alpha = alpha || c != '.';
		buf[i] = c;
	}
	if (lab == 0) {
		*reason = "empty label";
		return VG_EINVAL;
	}
	if (!alpha) {
		*reason = "an address, not a domain";
		return VG_EINVAL;
	}
	buf[len] = '\0';
	*outlen = len;
	return 0;
}

static int canon_md5(const char *p, size_t len, uint8_t md5[16], const char **reason)
{
	if (len != 32) {
		*reason = "not an MD5 (32 hex digits)";
		return VG_EINVAL;
	}
	for (size_t i = 0; i < 16; i++) {
		int hi = vg_hex_digit(p[2 * i]), lo = vg_hex_digit(p[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			*reason = "not an MD5 (32 hex digits)";
			return VG_EINVAL;
		}
		md5[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static bool unreserved(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* Output cursor: writes past the end are refused and remembered. */
struct out {
	char *p;
	size_t len, cap;
	bool over;
};

static void out_c(struct out *o, char c)
{
	if (o->len + 1 >= o->cap) {
		o->over = true;
		return;
	}
	o->p[o->len++] = c;
}

static void out_s(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_c(o, s[i]);
}

/* Percent-encoding normalised (RFC 3986 6.2.2.1/6.2.2.2) into o; a stray '%' becomes
 * "%25". */
static void out_pct(struct out *o, const char *s, size_t n)
{
	static const char hx[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < n && (hi = vg_hex_digit(s[i + 1])) >= 0 && (lo = vg_hex_digit(s[i + 2])) >= 0) {
			char c = (char)(hi << 4 | lo);
			if (unreserved(c)) {
				out_c(o, c);
			} else {
				out_c(o, '%');
				out_c(o, hx[hi]);
				out_c(o, hx[lo]);
			}
			i += 2;
		} else if (s[i] == '%') {
			/* a '%' that starts no escape is written as one ("%3%35" must not become
			 * "%35", which a second pass would decode: forms must be stable) */
			out_s(o, "%25", 3);
		} else {
			out_c(o, s[i]);
		}
	}
}

/* RFC 3986 5.2.4 on o->p[from, o->len), which starts with '/'; rewritten in place. */
static void remove_dots(struct out *o, size_t from)
{
	char *in = o->p + from;
	size_t n = o->len - from, i = 0, w = 0; /* w <= i always: in place is safe */
	while (i < n) {
		if (n - i >= 3 && in[i + 1] == '.' && in[i + 2] == '/') {
			i += 2;                                 /* "/./" → "/" */
		} else if (n - i == 2 && in[i + 1] == '.') {
			in[w++] = '/';                          /* trailing "/." */
			break;
		} else if (n - i >= 4 && in[i + 1] == '.' && in[i + 2] == '.' && in[i + 3] == '/') {
			i += 3;                                 /* "/../" → "/", drop a segment */
			while (w > 0 && in[w - 1] != '/')
				w--;
			if (w > 0)
				w--;
		} else if (n - i == 3 && in[i + 1] == '.' && in[i + 2] == '.') {
			while (w > 0 && in[w - 1] != '/')
				w--;
			if (w > 0)
				w--;
			in[w++] = '/';
			break;
		} else {
			in[w++] = in[i++];                      /* the '/' and its segment */
			while (i < n && in[i] != '/')
				in[w++] = in[i++];
		}
	}
	o->len = from + w;
}

static int canon_url(const char *p, size_t len, char *buf, size_t bufsz, size_t *outlen,
		     const char **reason)
{
	*outlen = 0;
	if (len == 0 || len > VG_IOC_MAX_URL_LEN) {
		*reason = len ? "URL longer than VG_IOC_MAX_URL_LEN" : "empty URL";
		return VG_EINVAL;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)p[i] <= 0x20 || p[i] == 0x7f) {
			*reason = "control character or space in URL";
			return VG_EINVAL;
		}
	struct out o = { buf, 0, bufsz, false };
	const char *scheme = "http";
	size_t slen = 4;
	long k = vg_str_find(vg_str_make(p, len), "://", 3);
	if (k >= 0) {
		bool ok = k > 0 && ((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z'));
		for (long i = 1; ok && i < k; i++) {
			char c = lower(p[i]);
			ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
			     c == '.';
		}
		if (!ok) {
			*reason = "invalid URL scheme";
			return VG_EINVAL;
		}
		scheme = p;
		slen = (size_t)k;
		p += k + 3;
		len -= (size_t)k + 3;
	}
	for (size_t i = 0; i < slen; i++)
		out_c(&o, lower(scheme[i]));
	out_s(&o, "://", 3);
	/* authority */
	size_t a_end = 0;
	while (a_end < len && p[a_end] != '/' && p[a_end] != '?' && p[a_end] != '#')
		a_end++;
	const char *auth = p;
	size_t alen = a_end;
	for (size_t i = alen; i > 0; i--)
		if (auth[i - 1] == '@') { /* userinfo is not part of an HTTP request */
			auth += i;
			alen -= i;
			break;
		}
	const char *host = auth, *port = NULL;
	size_t hlen = alen, plen = 0;
	if (alen > 0 && auth[0] == '[') {
		long rb = vg_str_chr(vg_str_make(auth, alen), ']');
		if (rb < 0) {
			*reason = "unterminated IPv6 literal in URL";
			return VG_EINVAL;
		}
		hlen = (size_t)rb + 1;
		if (hlen < alen) {
			if (auth[hlen] != ':') {
				*reason = "invalid URL authority";
				return VG_EINVAL;
			}
			port = auth + hlen + 1;
			plen = alen - hlen - 1;
		}
	} else {
		long c = vg_str_chr(vg_str_make(auth, alen), ':');
		if (c >= 0) {
			hlen = (size_t)c;
			port = auth + c + 1;
			plen = alen - (size_t)c - 1;
		}
	}
	if (hlen > 0 && host[hlen - 1] == '.')
		hlen--;
	if (hlen == 0) {
		*reason = "URL without a host";
		return VG_EINVAL;
	}
	if (host[hlen - 1] == '.') { /* "h.." is no host, and would not be stable */
		*reason = "invalid host in URL";
		return VG_EINVAL;
	}
	for (size_t i = 0; i < hlen; i++)
		out_c(&o, lower(host[i]));
	if (port && plen > 0) {
		uint64_t pn;
		if (vg_parse_u64(port, plen, 65535, &pn) < 0) {
			*reason = "invalid port in URL";
			return VG_EINVAL;
		}
		bool dflt = false;
		struct vg_str sc = vg_str_make(o.p, slen);
		if (pn == 80)
			dflt = vg_str_eq_cstr(sc, "http") || vg_str_eq_cstr(sc, "ws");
		else if (pn == 443)
			dflt = vg_str_eq_cstr(sc, "https") || vg_str_eq_cstr(sc, "wss");
		else if (pn == 21)
			dflt = vg_str_eq_cstr(sc, "ftp");
		if (!dflt) {
			char num[8];
			int nn = snprintf(num, sizeof(num), ":%u", (unsigned)pn);
			out_s(&o, num, (size_t)nn);
		}
	}
	/* path and query; the fragment never reaches a server */
	p += a_end;
	len -= a_end;
	long h = vg_str_chr(vg_str_make(p, len), '#');
	if (h >= 0)
		len = (size_t)h;
	long q = vg_str_chr(vg_str_make(p, len), '?');
	size_t path_len = q >= 0 ? (size_t)q : len;
	size_t path_at = o.len;
	if (path_len == 0)
		out_c(&o, '/');
	else
		out_pct(&o, p, path_len);
	if (!o.over)
		remove_dots(&o, path_at);
	if (q >= 0)
		out_pct(&o, p + q, len - (size_t)q);
	if (o.over || o.len > VG_IOC_MAX_URL_LEN) {
		*reason = "URL longer than VG_IOC_MAX_URL_LEN";
		return VG_ERANGE;
	}
	o.p[o.len] = '\0';
	*outlen = o.len;
	return 0;
}

static int format_cidr(const struct vg_cidr *c, char *buf, size_t bufsz)
{
	char a[VG_ADDR_STRLEN];
	vg_addr_format(&c->addr, a);
	int full = c->addr.family == VG_AF_INET ? 32 : 128;
	int n = c->prefix == full ? snprintf(buf, bufsz, "%s", a)
				  : snprintf(buf, bufsz, "%s/%u", a, (unsigned)c->prefix);
	return n < 0 || (size_t)n >= bufsz ? VG_ERANGE : n;
}

int vg_ioc_canonical(enum vg_ioc_type type, const char *p, size_t len, char *buf, size_t bufsz,
		     const char **reason)
{
	const char *dummy;
	if (!reason)
		reason = &dummy;
	*reason = NULL;
	if (!p || !buf || bufsz == 0)
		return VG_EINVAL;
	buf[0] = '\0';
	switch (type) {
	case VG_IOC_ADDR: {
		struct vg_cidr c;
		int rc = canon_addr(p, len, &c, reason);
		if (rc < 0)
			return rc;
		return format_cidr(&c, buf, bufsz) < 0 ? VG_ERANGE : 0;
	}
	case VG_IOC_DOMAIN:
	case VG_IOC_SNI: {
		char nb[256];
		size_t n;
		bool sub;
		int rc = canon_domain(p, len, nb, &n, &sub, reason);
		if (rc < 0)
			return rc;
		int w = snprintf(buf, bufsz, "%s%s", sub ? "*." : "", nb);
		return w < 0 || (size_t)w >= bufsz ? VG_ERANGE : 0;
	}
	case VG_IOC_URL: {
		size_t n;
		char *tmp = malloc(VG_IOC_MAX_URL_LEN + 2);
		if (!tmp)
			return VG_ENOMEM;
		int rc = canon_url(p, len, tmp, VG_IOC_MAX_URL_LEN + 2, &n, reason);
		if (rc == 0 && vg_strlcpy(buf, tmp, n, bufsz) != n)
			rc = VG_ERANGE;
		free(tmp);
		return rc;
	}
	case VG_IOC_JA3:
	case VG_IOC_JA3S: {
		uint8_t md5[16];
		int rc = canon_md5(p, len, md5, reason);
		if (rc < 0)
			return rc;
		if (bufsz < 33)
			return VG_ERANGE;
		for (int i = 0; i < 16; i++)
			snprintf(buf + 2 * i, 3, "%02x", md5[i]);
		return 0;
	}
	default:
		*reason = "unknown indicator type";
		return VG_EINVAL;
	}
}

/* ---- tables ------------------------------------------------------------------------ */

static uint64_t addr_hash(const struct vg_ioc_set *s, uint8_t family, uint8_t prefix,
			  const uint8_t *b)
{
	uint8_t k[18];
	size_t n = family == VG_AF_INET ? 4 : 16;
	k[0] = family;
	k[1] = prefix;
	memcpy(k + 2, b, n);
	return vg_siphash(&s->key, k, 2 + n);
}

static void *rec_at(const struct table *t, uint32_t i)
{
	return t->recs + (size_t)i * t->rsz;
}

static uint64_t rec_hash(const struct vg_ioc_set *s, enum kind k, uint32_t i)
{
	const struct table *t = &s->t[k];
	switch (k) {
	case K_ADDR: {
		const struct addr_rec *r = rec_at(t, i);
		return addr_hash(s, r->family, r->prefix, r->b);
	}
	case K_DOMAIN:
	case K_SNI: {
		const struct name_rec *r = rec_at(t, i);
		return vg_siphash(&s->key, s->text + r->text, r->len);
	}
	case K_URL: {
		const struct url_rec *r = rec_at(t, i);
		return vg_siphash(&s->key, s->text + r->text, r->len);
	}
	default: {
		const struct fp_rec *r = rec_at(t, i);
		return vg_siphash(&s->key, r->md5, 16);
	}
	}
}

static void slot_put(uint64_t *slots, uint32_t nslots, uint64_t h, uint32_t idx)
{
	uint32_t m = nslots - 1, i = (uint32_t)h & m;
	while (slots[i])
		i = (i + 1) & m;
	slots[i] = (h >> 32) << 32 | (uint64_t)(idx + 1);
}

/* Room for one more record and slot (load <= 0.7). */
static int table_reserve(struct vg_ioc_set *s, enum kind k)
{
	struct table *t = &s->t[k];
	if (t->n == t->cap) {
		uint32_t nc = t->cap ? t->cap * 2 : 64;
		char *nr = realloc(t->recs, (size_t)nc * t->rsz);
		if (!nr)
			return VG_ENOMEM;
		t->recs = nr;
		t->cap = nc;
	}
	if ((uint64_t)(t->n + 1) * 10 > (uint64_t)t->nslots * 7) {
		uint32_t ns = t->nslots ? t->nslots * 2 : 128;
		uint64_t *sl = calloc(ns, sizeof(*sl));
		if (!sl)
			return VG_ENOMEM;
		for (uint32_t i = 0; i < t->nslots; i++)
			if (t->slots[i]) {
				uint32_t idx = (uint32_t)(t->slots[i] & 0xffffffffu) - 1;
				slot_put(sl, ns, rec_hash(s, k, idx), idx);
			}
		free(t->slots);
		t->slots = sl;
		t->nslots = ns;
	}
	return 0;
}

/* Records whose slot tag matches h, in probe order: *pos starts at UINT32_MAX. Returns the
 * record index or UINT32_MAX at the end of the run. */
static uint32_t table_next(const struct table *t, uint64_t h, uint32_t *pos)
{
	if (!t->nslots)
		return UINT32_MAX;
	uint32_t m = t->nslots - 1;
	uint32_t i = *pos == UINT32_MAX ? ((uint32_t)h & m) : ((*pos + 1) & m);
	uint32_t tag = (uint32_t)(h >> 32);
	for (;;) {
		uint64_t v = t->slots[i];
		if (!v) {
			*pos = i;
			return UINT32_MAX;
		}
		if ((uint32_t)(v >> 32) == tag) {
			*pos = i;
			return (uint32_t)(v & 0xffffffffu) - 1;
		}
		i = (i + 1) & m;
	}
}

static const struct addr_rec *addr_find(const struct vg_ioc_set *s, uint8_t family, uint8_t prefix,
					const uint8_t *b)
{
	const struct table *t = &s->t[K_ADDR];
	uint64_t h = addr_hash(s, family, prefix, b);
	size_t n = family == VG_AF_INET ? 4 : 16;
	uint32_t pos = UINT32_MAX, i;
	while ((i = table_next(t, h, &pos)) != UINT32_MAX) {
		const struct addr_rec *r = rec_at(t, i);
		if (r->family == family && r->prefix == prefix && memcmp(r->b, b, n) == 0)
			return r;
	}
	return NULL;
}

static struct name_rec *name_find(const struct vg_ioc_set *s, enum kind k, const char *p, size_t n)
{
	const struct table *t = &s->t[k];
	if (!t->n)
		return NULL;
	uint64_t h = vg_siphash(&s->key, p, n);
	uint32_t pos = UINT32_MAX, i;
	while ((i = table_next(t, h, &pos)) != UINT32_MAX) {
		struct name_rec *r = rec_at(t, i);
		if (r->len == n && memcmp(s->text + r->text, p, n) == 0)
			return r;
	}
	return NULL;
}

static const struct url_rec *url_find(const struct vg_ioc_set *s, const char *p, size_t n)
{
	const struct table *t = &s->t[K_URL];
	if (!t->n)
		return NULL;
	uint64_t h = vg_siphash(&s->key, p, n);
	uint32_t pos = UINT32_MAX, i;
	while ((i = table_next(t, h, &pos)) != UINT32_MAX) {
		const struct url_rec *r = rec_at(t, i);
		if (r->len == n && memcmp(s->text + r->text, p, n) == 0)
			return r;
	}
	return NULL;
}

static const struct fp_rec *fp_find(const struct vg_ioc_set *s, enum kind k, const uint8_t md5[16])
{
	const struct table *t = &s->t[k];
	if (!t->n)
		return NULL;
	uint64_t h = vg_siphash(&s->key, md5, 16);
	uint32_t pos = UINT32_MAX, i;
	while ((i = table_next(t, h, &pos)) != UINT32_MAX) {
		const struct fp_rec *r = rec_at(t, i);
		if (memcmp(r->md5, md5, 16) == 0)
			return r;
	}
	return NULL;
}

/* ---- CIDR ranges ------------------------------------------------------------------- */

static uint64_t be64(const uint8_t *b)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static struct k128 key_of_bytes(uint8_t family, const uint8_t *b)
{
	struct k128 k = { 0, 0 };
	if (family == VG_AF_INET) {
		k.hi = (uint64_t)b[0] << 56 | (uint64_t)b[1] << 48 | (uint64_t)b[2] << 40 | (uint64_t)b[3] << 32;
	} else {
		k.hi = be64(b);
		k.lo = be64(b + 8);
	}
	return k;
}

static struct k128 key_of_addr(const struct vg_addr *a)
{
	return key_of_bytes(a->family, a->b);
}

static struct k128 k128_mask(struct k128 k, unsigned p)
{
	if (p == 0)
		return (struct k128){ 0, 0 };
	if (p <= 64)
		return (struct k128){ k.hi & (~0ull << (64 - p)), 0 };
	return (struct k128){ k.hi, p >= 128 ? k.lo : k.lo & (~0ull << (128 - p)) };
}

static int k128_cmp(const struct k128 *a, const struct k128 *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

static int range_cmp(const void *x, const void *y)
{
	const struct range *a = x, *b = y;
	int c = k128_cmp(&a->start, &b->start);
	return c ? c : (a->prefix > b->prefix) - (a->prefix < b->prefix);
}

/* Sorted by (start, prefix), the last range starting at or before an address is the most
 * specific candidate: a more specific one containing the address would start later (or at
 * the same place with a longer prefix). When it does not contain the address, only its
 * enclosing ranges can (prefixes nest or are disjoint), so the lookup walks parents. */
static int build_ranges(struct vg_ioc_set *s)
{
	const struct table *t = &s->t[K_ADDR];
	for (int fi = 0; fi < 2; fi++) {
		uint8_t fam = fi == 0 ? VG_AF_INET : VG_AF_INET6, full = fi == 0 ? 32 : 128;
		uint32_t n = 0;
		for (uint32_t i = 0; i < t->n; i++) {
			const struct addr_rec *r = rec_at(t, i);
			n += r->family == fam && r->prefix < full;
		}
		free(s->ranges[fi]);
		s->ranges[fi] = NULL;
		s->n_ranges[fi] = 0;
		if (!n)
			continue;
		struct range *rg = calloc(n, sizeof(*rg));
		if (!rg)
			return VG_ENOMEM;
		uint32_t j = 0;
		for (uint32_t i = 0; i < t->n; i++) {
			const struct addr_rec *r = rec_at(t, i);
			if (r->family != fam || r->prefix >= full)
				continue;
			rg[j].start = key_of_bytes(fam, r->b);
			rg[j].prefix = r->prefix;
			rg[j].rec = i;
			j++;
		}
		qsort(rg, n, sizeof(*rg), range_cmp);
		uint32_t stack[130], depth = 0; /* the chain of open enclosing ranges, index + 1 */
		for (uint32_t i = 0; i < n; i++) {
			while (depth) {
				const struct range *top = &rg[stack[depth - 1] - 1];
				struct k128 mk = k128_mask(rg[i].start, top->prefix);
				if (mk.hi == top->start.hi && mk.lo == top->start.lo)
					break;
				depth--;
			}
			rg[i].parent = depth ? stack[depth - 1] : 0;
			if (depth < sizeof(stack) / sizeof(stack[0]))
				stack[depth++] = i + 1;
		}
		s->ranges[fi] = rg;
		s->n_ranges[fi] = n;
	}
	return 0;
}

/* ---- building ---------------------------------------------------------------------- */

enum add_result { ADD_NEW, ADD_DUP, ADD_FULL, ADD_NOMEM };

static int text_add(struct vg_ioc_set *s, const char *p, size_t n, uint32_t *off)
{
	if (s->text_len + n + 1 > VG_IOC_MAX_TEXT_BYTES)
		return VG_EFULL;
	if (s->text_len + n + 1 > s->text_cap) {
		size_t nc = s->text_cap ? s->text_cap * 2 : 4096;
		while (nc < s->text_len + n + 1)
			nc *= 2;
		if (nc > VG_IOC_MAX_TEXT_BYTES)
			nc = VG_IOC_MAX_TEXT_BYTES;
		char *nt = realloc(s->text, nc);
		if (!nt)
			return VG_ENOMEM;
		s->text = nt;
		s->text_cap = nc;
	}
	*off = (uint32_t)s->text_len;
	memcpy(s->text + s->text_len, p, n);
	s->text[s->text_len + n] = '\0';
	s->text_len += n + 1;
	return 0;
}

static enum add_result new_rec(struct vg_ioc_set *s, enum kind k, const char *text, size_t tlen,
			       uint32_t *idx, uint32_t *toff)
{
	if (s->total >= VG_IOC_MAX_INDICATORS)
		return ADD_FULL;
	if (table_reserve(s, k) < 0)
		return ADD_NOMEM;
	int rc = text_add(s, text, tlen, toff);
	if (rc == VG_EFULL)
		return ADD_FULL;
	if (rc < 0)
		return ADD_NOMEM;
	*idx = s->t[k].n;
	memset(rec_at(&s->t[k], *idx), 0, s->t[k].rsz);
	return ADD_NEW;
}

static void commit_rec(struct vg_ioc_set *s, enum kind k, uint32_t idx)
{
	struct table *t = &s->t[k];
	t->n++;
	s->total++;
	slot_put(t->slots, t->nslots, rec_hash(s, k, idx), idx);
}

static enum add_result add_addr(struct vg_ioc_set *s, const struct vg_cidr *c, uint32_t list)
{
	if (addr_find(s, c->addr.family, c->prefix, c->addr.b))
		return ADD_DUP;
	char txt[VG_ADDR_STRLEN + 8];
	int n = format_cidr(c, txt, sizeof(txt));
	uint32_t idx, off;
	enum add_result r = new_rec(s, K_ADDR, txt, n < 0 ? 0 : (size_t)n, &idx, &off);
	if (r != ADD_NEW)
		return r;
	struct addr_rec *a = rec_at(&s->t[K_ADDR], idx);
	memcpy(a->b, c->addr.b, 16);
	a->family = c->addr.family;
	a->prefix = c->prefix;
	a->list = list;
	a->text = off;
	commit_rec(s, K_ADDR, idx);
	if (c->addr.family == VG_AF_INET)
		s->plen4 |= 1ull << c->prefix;
	else
		s->plen6[c->prefix / 64] |= 1ull << (c->prefix % 64);
	return ADD_NEW;
}

static unsigned count_labels(const char *p, size_t n)
{
	unsigned l = 1;
	for (size_t i = 0; i < n; i++)
		l += p[i] == '.';
	return l > 127 ? 127 : l;
}

static enum add_result add_name(struct vg_ioc_set *s, enum kind k, const char *p, size_t n,
				uint8_t flags, uint32_t list)
{
	struct name_rec *r = name_find(s, k, p, n);
	if (r) {
		uint8_t add = (uint8_t)(flags & ~r->flags);
		if (!add)
			return ADD_DUP;
		if (add & NF_EXACT)
			r->list_exact = list;
		if (add & NF_SUB) {
			r->list_sub = list;
			unsigned l = count_labels(p, n);
			s->t[k].sub_labels[l / 64] |= 1ull << (l % 64);
		}
		r->flags |= add;
		return ADD_NEW;
	}
	uint32_t idx, off;
	enum add_result ar = new_rec(s, k, p, n, &idx, &off);
	if (ar != ADD_NEW)
		return ar;
	r = rec_at(&s->t[k], idx);
	r->text = off;
	r->len = (uint16_t)n;
	r->flags = flags;
	r->list_exact = r->list_sub = list;
	commit_rec(s, k, idx);
	if (flags & NF_SUB) {
		unsigned l = count_labels(p, n);
		s->t[k].sub_labels[l / 64] |= 1ull << (l % 64);
	}
	return ADD_NEW;
}

static enum add_result add_url(struct vg_ioc_set *s, const char *p, size_t n, uint32_t list)
{
	if (url_find(s, p, n))
		return ADD_DUP;
	uint32_t idx, off;
	enum add_result ar = new_rec(s, K_URL, p, n, &idx, &off);
	if (ar != ADD_NEW)
		return ar;
	struct url_rec *r = rec_at(&s->t[K_URL], idx);
	r->text = off;
	r->len = (uint32_t)n;
	r->list = list;
	commit_rec(s, K_URL, idx);
	return ADD_NEW;
}

static enum add_result add_fp(struct vg_ioc_set *s, enum kind k, const uint8_t md5[16], uint32_t list)
{
	if (fp_find(s, k, md5))
		return ADD_DUP;
	char txt[33];
	for (int i = 0; i < 16; i++)
		snprintf(txt + 2 * i, 3, "%02x", md5[i]);
	uint32_t idx, off;
	enum add_result ar = new_rec(s, k, txt, 32, &idx, &off);
	if (ar != ADD_NEW)
		return ar;
	struct fp_rec *r = rec_at(&s->t[k], idx);
	memcpy(r->md5, md5, 16);
	r->list = list;
	r->text = off;
	commit_rec(s, k, idx);
	return ADD_NEW;
}

static bool is_hex32(const char *p, size_t n)
{
	if (n != 32)
		return false;
	for (size_t i = 0; i < n; i++)
		if (vg_hex_digit(p[i]) < 0)
			return false;
	return true;
}

/* One indicator of a list. Returns ADD_* or -1 with *reason for a bad line. */
static int add_indicator(struct vg_ioc_set *s, struct ioc_list *l, uint32_t li, const char *p,
			 size_t n, char *ubuf, const char **reason)
{
	enum vg_ioc_type type = l->type;
	if (type == VG_IOC_AUTO) {
		struct vg_cidr c;
		if (vg_cidr_parse(p, n, &c) == 0)
			type = VG_IOC_ADDR;
		else if (vg_str_find(vg_str_make(p, n), "://", 3) >= 0)
			type = VG_IOC_URL;
		else if (is_hex32(p, n))
			type = VG_IOC_JA3;
		else
			type = VG_IOC_DOMAIN;
	}
	switch (type) {
	case VG_IOC_ADDR: {
		struct vg_cidr c;
		if (canon_addr(p, n, &c, reason) < 0)
			return -1;
		return add_addr(s, &c, li);
	}
	case VG_IOC_DOMAIN:
	case VG_IOC_SNI: {
		char nb[256];
		size_t nl;
		bool sub;
		if (canon_domain(p, n, nb, &nl, &sub, reason) < 0)
			return -1;
		uint8_t fl = sub ? NF_SUB : (l->exact ? NF_EXACT : NF_EXACT | NF_SUB);
		return add_name(s, type == VG_IOC_SNI ? K_SNI : K_DOMAIN, nb, nl, fl, li);
	}
	case VG_IOC_URL: {
		size_t ul;
		if (canon_url(p, n, ubuf, VG_IOC_MAX_URL_LEN + 2, &ul, reason) < 0)
			return -1;
		return add_url(s, ubuf, ul, li);
	}
	case VG_IOC_JA3:
	case VG_IOC_JA3S: {
		uint8_t md5[16];
		if (canon_md5(p, n, md5, reason) < 0)
			return -1;
		return add_fp(s, type == VG_IOC_JA3 ? K_JA3 : K_JA3S, md5, li);
	}
	default:
		*reason = "no type for this list";
		return -1;
	}
}

/* Quote untrusted text for a one-line report: printable ASCII kept, the rest \xNN, at most
 * 80 input bytes. */
static void report_text(struct vg_buf *r, const char *p, size_t n)
{
	size_t lim = n > 80 ? 80 : n;
	for (size_t i = 0; i < lim; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
			vg_buf_append(r, &p[i], 1);
		else
			vg_buf_printf(r, "\\x%02x", c);
	}
	if (n > lim)
		vg_buf_appendc(r, "...");
}

static void report_bad(struct ioc_list *l, struct vg_buf *r, uint64_t line, const char *reason,
		       const char *p, size_t n)
{
	l->bad_lines++;
	if (!r || l->reported >= VG_IOC_MAX_REPORTED)
		return;
	l->reported++;
	vg_buf_printf(r, "%s:%llu: %s: '", l->file ? l->file : l->name, (unsigned long long)line, reason);
	report_text(r, p, n);
	vg_buf_appendc(r, "'\n");
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* "# type: domain" / "#type=domain" → type, else VG_IOC_NONE. */
static enum vg_ioc_type header_type(struct vg_str c)
{
	c = vg_str_trim(c);
	if (c.len < 5 || lower(c.p[0]) != 't' || lower(c.p[1]) != 'y' || lower(c.p[2]) != 'p' ||
	    lower(c.p[3]) != 'e')
		return VG_IOC_NONE;
	struct vg_str v = vg_str_trim(vg_str_make(c.p + 4, c.len - 4));
	if (!v.len || (v.p[0] != ':' && v.p[0] != '='))
		return VG_IOC_NONE;
	v = vg_str_trim(vg_str_make(v.p + 1, v.len - 1));
	char tb[16];
	if (v.len == 0 || v.len >= sizeof(tb))
		return VG_IOC_NONE;
	vg_strlcpy(tb, v.p, v.len, sizeof(tb));
	return vg_ioc_type_parse(tb);
}

static void parse_list(struct vg_ioc_set *s, struct ioc_list *l, uint32_t li, const char *text,
		       size_t len, struct vg_buf *report, bool type_from_config, char *ubuf)
{
	bool seen_indicator = false;
	size_t pos = 0;
	uint64_t lineno = 0;
	while (pos < len) {
		size_t e = pos;
		while (e < len && text[e] != '\n')
			e++;
		const char *p = text + pos;
		size_t n = e - pos;
		pos = e + 1;
		lineno++;
		l->lines++;
		if (n > VG_MAX_LINE) {
			report_bad(l, report, lineno, "line longer than VG_MAX_LINE", p, n);
			continue;
		}
		struct vg_str ln = vg_str_trim(vg_str_make(p, n));
		if (ln.len == 0)
			continue;
		if (ln.p[0] == '#') {
			if (seen_indicator)
				continue;
			enum vg_ioc_type ht = header_type(vg_str_make(ln.p + 1, ln.len - 1));
			if (ht == VG_IOC_NONE)
				continue;
			if (!type_from_config)
				l->type = ht;
			else if (ht != l->type && report)
				vg_buf_printf(report, "%s:%llu: header type '%s' differs from the configured '%s'; '%s' used\n",
					      l->file ? l->file : l->name, (unsigned long long)lineno,
					      vg_ioc_type_name(ht), vg_ioc_type_name(l->type),
					      vg_ioc_type_name(l->type));
			continue;
		}
		/* an inline comment starts at whitespace + '#' (a URL's '#' has none before it) */
		size_t tl = ln.len;
		for (size_t i = 1; i < ln.len; i++)
			if (ln.p[i] == '#' && is_space(ln.p[i - 1])) {
				tl = i;
				break;
			}
		struct vg_str tok = vg_str_trim(vg_str_make(ln.p, tl));
		bool multi = false;
		for (size_t i = 0; i < tok.len; i++)
			multi = multi || is_space(tok.p[i]);
		seen_indicator = true;
		if (multi) {
			report_bad(l, report, lineno, "more than one field", tok.p, tok.len);
			continue;
		}
		const char *reason = NULL;
		int r = add_indicator(s, l, li, tok.p, tok.len, ubuf, &reason);
		if (r < 0) {
			report_bad(l, report, lineno, reason ? reason : "invalid", tok.p, tok.len);
		} else if (r == ADD_NEW) {
			l->loaded++;
		} else if (r == ADD_DUP) {
			l->duplicates++;
		} else if (r == ADD_FULL) {
			l->dropped_full++;
		} else {
			/* allocation failure: counted like a full set, the load goes on */
			l->dropped_full++;
		}
	}
	if (report && l->bad_lines > l->reported)
		vg_buf_printf(report, "%s: %llu more bad lines not listed\n", l->file ? l->file : l->name,
			      (unsigned long long)(l->bad_lines - l->reported));
	if (report && l->dropped_full)
		vg_buf_printf(report, "%s: %llu indicators not loaded: the set is full (VG_IOC_MAX_INDICATORS / memory)\n",
			      l->file ? l->file : l->name, (unsigned long long)l->dropped_full);
	s->duplicates += l->duplicates;
	s->bad_lines += l->bad_lines;
	s->dropped_full += l->dropped_full;
}

static void set_free(struct vg_ioc_set *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->n_lists; i++) {
		free(s->lists[i].name);
		free(s->lists[i].file);
	}
	free(s->lists);
	free(s->text);
	free(s->ranges[0]);
	free(s->ranges[1]);
	for (int k = 0; k < K_N; k++) {
		free(s->t[k].slots);
		free(s->t[k].recs);
	}
	free(s);
}

int vg_ioc_builder_new(struct vg_ioc_builder **out)
{
	if (!out)
		return VG_EINVAL;
	*out = NULL;
	struct vg_ioc_builder *b = calloc(1, sizeof(*b));
	struct vg_ioc_set *s = calloc(1, sizeof(*s));
	if (!b || !s) {
		free(b);
		free(s);
		return VG_ENOMEM;
	}
	if (vg_hash_key_random(&s->key) < 0) {
		free(b);
		free(s);
		return VG_EIO;
	}
	static const uint32_t rsz[K_N] = { sizeof(struct addr_rec), sizeof(struct name_rec),
					   sizeof(struct name_rec), sizeof(struct url_rec),
					   sizeof(struct fp_rec), sizeof(struct fp_rec) };
	for (int k = 0; k < K_N; k++)
		s->t[k].rsz = rsz[k];
	b->set = s;
	*out = b;
	return 0;
}

void vg_ioc_builder_free(struct vg_ioc_builder *b)
{
	if (!b)
		return;
	set_free(b->set);
	free(b);
}

int vg_ioc_builder_add_text(struct vg_ioc_builder *b, const struct vg_ioc_list_spec *spec,
			    const char *text, size_t len, struct vg_buf *report)
{
	if (!b || !spec || !spec->name || (!text && len))
		return VG_EINVAL;
	struct vg_ioc_set *s = b->set;
	size_t nl = strlen(spec->name);
	if (nl == 0 || nl > VG_MAX_NAME || spec->type > VG_IOC_AUTO) {
		if (report)
			vg_buf_printf(report, "list '%.64s': invalid name or type\n", spec->name);
		return VG_EINVAL;
	}
	for (uint32_t i = 0; i < s->n_lists; i++)
		if (strcmp(s->lists[i].name, spec->name) == 0) {
			if (report)
				vg_buf_printf(report, "list '%s': name used twice\n", spec->name);
			return VG_EEXIST;
		}
	if (s->n_lists >= VG_IOC_MAX_LISTS) {
		if (report)
			vg_buf_printf(report, "list '%s': more than %u lists\n", spec->name, VG_IOC_MAX_LISTS);
		return VG_EFULL;
	}
	struct ioc_list *nls = realloc(s->lists, (s->n_lists + 1) * sizeof(*nls));
	if (!nls)
		return VG_ENOMEM;
	s->lists = nls;
	struct ioc_list *l = &s->lists[s->n_lists];
	memset(l, 0, sizeof(*l));
	l->name = vg_memdup_str(spec->name, nl);
	l->file = spec->file ? vg_memdup_str(spec->file, strlen(spec->file)) : NULL;
	char *ubuf = malloc(VG_IOC_MAX_URL_LEN + 2);
	if (!l->name || (spec->file && !l->file) || !ubuf) {
		free(l->name);
		free(l->file);
		free(ubuf);
		return VG_ENOMEM;
	}
	bool from_cfg = spec->type != VG_IOC_NONE && spec->type != VG_IOC_AUTO;
	l->type = spec->type == VG_IOC_NONE ? VG_IOC_AUTO : spec->type;
	l->exact = spec->exact;
	uint32_t li = s->n_lists++;
	parse_list(s, l, li, text, len, report, from_cfg, ubuf);
	free(ubuf);
	return 0;
}

static int read_file(const char *path, char **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return VG_EIO;
	struct stat st;
	int rc = VG_EIO;
	char *buf = NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		goto out;
	if ((uint64_t)st.st_size > VG_IOC_MAX_FILE_BYTES) {
		rc = VG_ERANGE;
		goto out;
	}
	size_t cap = (size_t)st.st_size + 1, len = 0;
	buf = malloc(cap);
	if (!buf) {
		rc = VG_ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap) /* grew since fstat: keep what was there */
			break;
	}
	*out = buf;
	*outlen = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

int vg_ioc_builder_add_file(struct vg_ioc_builder *b, const struct vg_ioc_list_spec *spec,
			    struct vg_buf *report)
{
	if (!b || !spec || !spec->file)
		return VG_EINVAL;
	char *text;
	size_t len;
	errno = 0;
	int rc = read_file(spec->file, &text, &len);
	if (rc < 0) {
		int e = errno;
		if (report)
			vg_buf_printf(report, "%s: list '%s' not loaded: %s\n", spec->file,
				      spec->name ? spec->name : "?",
				      rc == VG_ERANGE ? "larger than VG_IOC_MAX_FILE_BYTES"
				      : rc == VG_EIO && e ? strerror(e)
				      : rc == VG_EIO ? "not a regular file" : vg_strerror(rc));
		return rc == VG_ENOMEM ? rc : VG_EIO;
	}
	rc = vg_ioc_builder_add_text(b, spec, text, len, report);
	free(text);
	return rc;
}

int vg_ioc_builder_finish(struct vg_ioc_builder *b, struct vg_ioc_set **out)
{
	if (!out) {
		vg_ioc_builder_free(b);
		return VG_EINVAL;
	}
	*out = NULL;
	if (!b)
		return VG_EINVAL;
	struct vg_ioc_set *s = b->set;
	free(b);
	if (build_ranges(s) < 0) {
		set_free(s);
		return VG_ENOMEM;
	}
	/* give back the growth slack of records and text (slots must keep their size) */
	for (int k = 0; k < K_N; k++) {
		struct table *t = &s->t[k];
		if (t->n && t->n < t->cap) {
			char *r = realloc(t->recs, (size_t)t->n * t->rsz);
			if (r) {
				t->recs = r;
				t->cap = t->n;
			}
		}
	}
	if (s->text_len && s->text_len < s->text_cap) {
		char *tx = realloc(s->text, s->text_len);
		if (tx) {
			s->text = tx;
			s->text_cap = s->text_len;
		}
	}
	*out = s;
	return 0;
}

void vg_ioc_set_free(struct vg_ioc_set *s)
{
	set_free(s);
}

int vg_ioc_load(const struct vg_ioc_list_spec *specs, size_t n, struct vg_buf *report,
		struct vg_ioc_set **out)
{
	if (!out || (n && !specs))
		return VG_EINVAL;
	*out = NULL;
	struct vg_ioc_builder *b;
	int rc = vg_ioc_builder_new(&b);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		rc = vg_ioc_builder_add_file(b, &specs[i], report);
		if (rc < 0) {
			vg_ioc_builder_free(b);
			return rc;
		}
	}
	return vg_ioc_builder_finish(b, out);
}

int vg_ioc_load_config(const struct vg_cfg_node *root, struct vg_buf *report,
		       struct vg_ioc_set **out, struct vg_config_err *err)
{
	if (!out)
		return VG_EINVAL;
	*out = NULL;
	const struct vg_cfg_node *lists = vg_cfg_get(root, "ioc.lists");
	size_t n = 0;
	int rc = vg_cfg_seq_len(root, "ioc.lists", &n, err);
	if (rc < 0)
		return rc;
	if (n > VG_IOC_MAX_LISTS)
		return vg_cfg_error(lists, err, VG_ERANGE, "more than %u lists", VG_IOC_MAX_LISTS);
	struct vg_ioc_list_spec *specs = calloc(n ? n : 1, sizeof(*specs));
	char **paths = calloc(n ? n : 1, sizeof(*paths));
	if (!specs || !paths) {
		rc = VG_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct vg_cfg_node *it = vg_cfg_seq_at(lists, i);
		if (!it || it->kind != VG_CFG_MAP) {
			rc = vg_cfg_error(it ? it : lists, err, VG_EINVAL,
					  "expected a map {name, type, file}");
			goto out;
		}
		const char *name = NULL, *type = NULL, *file = NULL;
		bool exact = false;
		if ((rc = vg_cfg_str(it, "name", NULL, VG_MAX_NAME, &name, err)) < 0 ||
		    (rc = vg_cfg_str(it, "type", NULL, 16, &type, err)) < 0 ||
		    (rc = vg_cfg_str(it, "file", NULL, 4096, &file, err)) < 0 ||
		    (rc = vg_cfg_bool(it, "exact", false, &exact, err)) < 0)
			goto out;
		if (!name || !*name) {
			rc = vg_cfg_error(it, err, VG_EINVAL, "a list needs a name");
			goto out;
		}
		if (!file || !*file) {
			rc = vg_cfg_error(it, err, VG_EINVAL, "list '%s' needs a file", name);
			goto out;
		}
		specs[i].name = name;
		specs[i].exact = exact;
		if (type) {
			specs[i].type = vg_ioc_type_parse(type);
			if (specs[i].type == VG_IOC_NONE) {
				rc = vg_cfg_error(vg_cfg_get(it, "type"), err, VG_EINVAL,
						  "unknown IoC type '%s' (addr, domain, url, sni, ja3, ja3s, auto)",
						  type);
				goto out;
			}
		}
		/* relative to the config file's directory */
		const char *cf = it->file ? it->file : "";
		const char *slash = strrchr(cf, '/');
		if (file[0] != '/' && slash) {
			struct vg_buf pb;
			vg_buf_init(&pb, 8192);
			if (vg_buf_append(&pb, cf, (size_t)(slash - cf) + 1) < 0 ||
			    vg_buf_appendc(&pb, file) < 0) {
				vg_buf_free(&pb);
				rc = VG_ENOMEM;
				goto out;
			}
			paths[i] = vg_buf_steal(&pb);
			specs[i].file = paths[i];
		} else {
			specs[i].file = file;
		}
	}
	rc = vg_ioc_load(specs, n, report, out);
out:
	if (paths)
		for (size_t i = 0; i < n; i++)
			free(paths[i]);
	free(paths);
	free(specs);
	return rc;
}

/* ---- reload ------------------------------------------------------------------------ */

struct vg_ioc_set *vg_ioc_current(struct vg_ioc_ref *ref)
{
	return ref ? atomic_load_explicit(&ref->cur, memory_order_acquire) : NULL;
}

struct vg_ioc_set *vg_ioc_publish(struct vg_ioc_ref *ref, struct vg_ioc_set *set)
{
	if (!ref)
		return set;
	uint64_t g = atomic_fetch_add(&ref->generation, 1) + 1;
	if (set)
		set->generation = g; /* not yet visible to readers */
	return atomic_exchange_explicit(&ref->cur, set, memory_order_acq_rel);
}

uint64_t vg_ioc_generation(const struct vg_ioc_set *s)
{
	return s ? s->generation : 0;
}

/* ---- lookups ----------------------------------------------------------------------- */

static void fill(const struct vg_ioc_set *s, struct vg_ioc_match *m, enum vg_ioc_type type,
		 uint32_t text, uint32_t list, bool sub)
{
	m->type = type;
	m->indicator = s->text + text;
	m->list_index = list;
	m->list = list < s->n_lists ? s->lists[list].name : "";
	m->subdomain = sub;
}

int vg_ioc_match_addr(const struct vg_ioc_set *s, const struct vg_addr *a, struct vg_ioc_match *m)
{
	if (!m)
		return VG_EINVAL;
	memset(m, 0, sizeof(*m));
	if (!a || (a->family != VG_AF_INET && a->family != VG_AF_INET6))
		return VG_EINVAL;
	if (!s || !s->t[K_ADDR].n)
		return VG_ENOENT;
	struct vg_addr q = *a;
	unmap_v4(&q, NULL);
	int fi = q.family == VG_AF_INET ? 0 : 1;
	uint8_t full = q.family == VG_AF_INET ? 32 : 128;
	bool hosts = fi == 0 ? (s->plen4 >> 32) & 1 : (s->plen6[2] & 1);
	if (hosts) { /* the most specific entry: one probe */
		const struct addr_rec *r = addr_find(s, q.family, full, q.b);
		if (r) {
			fill(s, m, VG_IOC_ADDR, r->text, r->list, false);
			return 0;
		}
	}
	const struct range *rg = s->ranges[fi];
	uint32_t n = s->n_ranges[fi];
	if (!n)
		return VG_ENOENT;
	struct k128 k = key_of_addr(&q);
	/* last range whose start <= k: the most specific candidate (see build_ranges) */
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (k128_cmp(&rg[mid].start, &k) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint32_t i1 = lo; i1;) {
		const struct range *r = &rg[i1 - 1];
		struct k128 mk = k128_mask(k, r->prefix);
		if (mk.hi == r->start.hi && mk.lo == r->start.lo) {
			const struct addr_rec *ar = rec_at(&s->t[K_ADDR], r->rec);
			fill(s, m, VG_IOC_ADDR, ar->text, ar->list, false);
			return 0;
		}
		i1 = r->parent;
	}
	return VG_ENOENT;
}

/* Lowercase host into buf (>= 256): trailing dot and a ":port" removed. Returns length or
 * -1 when it cannot be a name. */
static int host_norm(const char *p, size_t n, char *buf)
{
	if (n > 0 && p[0] != '[') {
		long c = vg_str_chr(vg_str_make(p, n), ':');
		if (c >= 0 && vg_str_chr(vg_str_make(p + c + 1, n - (size_t)c - 1), ':') < 0)
			n = (size_t)c; /* host:port (a bare IPv6 address has several ':') */
	}
	if (n > 0 && p[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return -1;
	for (size_t i = 0; i < n; i++)
		buf[i] = lower(p[i]);
	buf[n] = '\0';
	return (int)n;
}

static bool name_lookup(const struct vg_ioc_set *s, enum kind k, const char *buf, size_t n,
			struct vg_ioc_match *m)
{
	const struct table *t = &s->t[k];
	if (!t->n)
		return false;
	const struct name_rec *r = name_find(s, k, buf, n);
	if (r && (r->flags & NF_EXACT)) {
		fill(s, m, kind_type(k), r->text, r->list_exact, false);
		return true;
	}
	if (!(t->sub_labels[0] | t->sub_labels[1]))
		return false;
	size_t labels = 1; /* of the suffix after each dot; uncapped ("..." has many) */
	for (size_t i = 0; i < n; i++)
		labels += buf[i] == '.';
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '.')
			continue;
		labels--;
		if (labels >= 128 || !((t->sub_labels[labels / 64] >> (labels % 64)) & 1))
			continue;
		r = name_find(s, k, buf + i + 1, n - i - 1);
		if (r && (r->flags & NF_SUB)) {
			fill(s, m, kind_type(k), r->text, r->list_sub, true);
			return true;
		}
	}
	return false;
}

/* An address literal in a host ("192.0.2.1", "[2001:db8::1]:80", "2001:db8::1"). */
static bool host_addr(const char *p, size_t n, struct vg_addr *a)
{
	if (n > 0 && p[0] == '[') {
		long rb = vg_str_chr(vg_str_make(p, n), ']');
		return rb > 1 && vg_addr_parse(p + 1, (size_t)rb - 1, a) == 0;
	}
	long c = vg_str_chr(vg_str_make(p, n), ':');
	if (c >= 0 && vg_str_chr(vg_str_make(p + c + 1, n - (size_t)c - 1), ':') < 0)
		n = (size_t)c;
	return vg_addr_parse(p, n, a) == 0;
}

static int match_host(const struct vg_ioc_set *s, bool sni, const char *name, size_t len,
		      struct vg_ioc_match *m)
{
	if (!m)
		return VG_EINVAL;
	memset(m, 0, sizeof(*m));
	if (!name)
		return VG_EINVAL;
	if (!s)
		return VG_ENOENT;
	struct vg_addr a;
	if (len > 0 && len < 64 && host_addr(name, len, &a))
		return vg_ioc_match_addr(s, &a, m);
	char buf[256];
	int n = host_norm(name, len, buf);
	if (n < 0)
		return VG_EINVAL;
	if (sni && name_lookup(s, K_SNI, buf, (size_t)n, m))
		return 0;
	return name_lookup(s, K_DOMAIN, buf, (size_t)n, m) ? 0 : VG_ENOENT;
}

int vg_ioc_match_domain(const struct vg_ioc_set *s, const char *name, size_t len,
			struct vg_ioc_match *m)
{
	return match_host(s, false, name, len, m);
}

int vg_ioc_match_sni(const struct vg_ioc_set *s, const char *name, size_t len, struct vg_ioc_match *m)
{
	return match_host(s, true, name, len, m);
}

int vg_ioc_match_url(const struct vg_ioc_set *s, const char *url, size_t len, struct vg_ioc_match *m)
{
	if (!m)
		return VG_EINVAL;
	memset(m, 0, sizeof(*m));
	if (!url)
		return VG_EINVAL;
	if (!s || !s->t[K_URL].n)
		return VG_ENOENT;
	if (len > VG_IOC_MAX_URL_LEN)
		return VG_ENOENT; /* no indicator is that long */
	char buf[VG_IOC_MAX_URL_LEN + 2];
	size_t n;
	const char *reason;
	int rc = canon_url(url, len, buf, sizeof(buf), &n, &reason);
	if (rc == VG_ERANGE)
		return VG_ENOENT;
	if (rc < 0)
		return VG_EINVAL;
	const struct url_rec *r = url_find(s, buf, n);
	if (!r)
		return VG_ENOENT;
	fill(s, m, VG_IOC_URL, r->text, r->list, false);
	return 0;
}

int vg_ioc_match_http(const struct vg_ioc_set *s, bool tls, const char *host, size_t hlen,
		      const char *uri, size_t ulen, struct vg_ioc_match *m)
{
	if (!m)
		return VG_EINVAL;
	memset(m, 0, sizeof(*m));
	if (!uri || (!host && hlen))
		return VG_EINVAL;
	if (!s || !s->t[K_URL].n)
		return VG_ENOENT;
	if (vg_str_find(vg_str_make(uri, ulen), "://", 3) >= 0 && (ulen == 0 || uri[0] != '/'))
		return vg_ioc_match_url(s, uri, ulen, m);
	if (ulen == 0 || uri[0] != '/' || hlen == 0)
		return VG_EINVAL;
	const char *sch = tls ? "https://" : "http://";
	size_t sl = strlen(sch);
	if (sl + hlen + ulen > VG_IOC_MAX_URL_LEN)
		return VG_ENOENT;
	char buf[VG_IOC_MAX_URL_LEN + 1];
	memcpy(buf, sch, sl);
	memcpy(buf + sl, host, hlen);
	memcpy(buf + sl + hlen, uri, ulen);
	return vg_ioc_match_url(s, buf, sl + hlen + ulen, m);
}

int vg_ioc_match_ja3(const struct vg_ioc_set *s, bool server, const char *hex, size_t len,
		     struct vg_ioc_match *m)
{
	if (!m)
		return VG_EINVAL;
	memset(m, 0, sizeof(*m));
	uint8_t md5[16];
	const char *reason;
	if (!hex || canon_md5(hex, len, md5, &reason) < 0)
		return VG_EINVAL;
	if (!s)
		return VG_ENOENT;
	enum kind k = server ? K_JA3S : K_JA3;
	const struct fp_rec *r = fp_find(s, k, md5);
	if (!r)
		return VG_ENOENT;
	fill(s, m, kind_type(k), r->text, r->list, false);
	return 0;
}

/* ---- stats ------------------------------------------------------------------------- */

void vg_ioc_get_stats(const struct vg_ioc_set *s, struct vg_ioc_stats *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!s)
		return;
	out->generation = s->generation;
	out->lists = s->n_lists;
	out->indicators = s->total;
	out->duplicates = s->duplicates;
	out->bad_lines = s->bad_lines;
	out->dropped_full = s->dropped_full;
	uint64_t mem = sizeof(*s) + s->text_cap + (uint64_t)s->n_lists * sizeof(struct ioc_list) +
		       ((uint64_t)s->n_ranges[0] + s->n_ranges[1]) * sizeof(struct range);
	for (int k = 0; k < K_N; k++) {
		out->by_type[kind_type((enum kind)k)] += s->t[k].n;
		mem += (uint64_t)s->t[k].nslots * 8 + (uint64_t)s->t[k].cap * s->t[k].rsz;
	}
	out->mem_bytes = mem;
	out->addr_prefix_lengths = (uint32_t)(__builtin_popcountll(s->plen4) +
					      __builtin_popcountll(s->plen6[0]) +
					      __builtin_popcountll(s->plen6[1]) +
					      __builtin_popcountll(s->plen6[2]));
}

size_t vg_ioc_list_count(const struct vg_ioc_set *s)
{
	return s ? s->n_lists : 0;
}

int vg_ioc_list_stats(const struct vg_ioc_set *s, size_t i, struct vg_ioc_list_stats *out)
{
	if (!out)
		return VG_EINVAL;
	memset(out, 0, sizeof(*out));
	if (!s || i >= s->n_lists)
		return VG_ENOENT;
	const struct ioc_list *l = &s->lists[i];
	out->name = l->name;
	out->file = l->file;
	out->type = l->type;
	out->lines = l->lines;
	out->loaded = l->loaded;
	out->duplicates = l->duplicates;
	out->bad_lines = l->bad_lines;
	out->dropped_full = l->dropped_full;
	return 0;
}

/* ---- alerts ------------------------------------------------------------------------ */

int vg_ioc_alert(struct vg_event *ev, const struct vg_ioc_match *m, const char *field, char *sig,
		 size_t sigsz)
{
	if (!ev || !m || !m->indicator || !m->list || !sig || sigsz < 64 ||
	    m->type < VG_IOC_ADDR || m->type > VG_IOC_JA3S)
		return VG_EINVAL;
	if (!field)
		field = "unknown";
	snprintf(sig, sigsz, "VIGIL IOC %s %s%s (list %s) in %s", vg_ioc_type_name(m->type),
		 m->subdomain ? "*." : "", m->indicator, m->list, field);
	ev->type = VG_EVT_ALERT;
	ev->category = "intrusion_detection";
	ev->action = "ioc-match";
	ev->rule.detector = VG_DET_IOC;
	ev->rule.gid = 1;
	ev->rule.sid = VG_IOC_SID_BASE + (uint32_t)m->type;
	ev->rule.rev = 1;
	ev->rule.signature = sig;
	ev->rule.category = "Potentially Bad Traffic";
	ev->rule.action = "allowed";
	ev->rule.severity = 2;
	return 0;
}

int vg_ioc_alert_emit(const struct vg_event_sink *sink, const struct vg_event *tmpl,
		      const struct vg_ioc_match *m, const char *field)
{
	if (!tmpl)
		return VG_EINVAL;
	struct vg_event ev = *tmpl;
	char sig[512];
	int rc = vg_ioc_alert(&ev, m, field, sig, sizeof(sig));
	if (rc < 0)
		return rc;
	json_t *extra = tmpl->extra ? json_copy(tmpl->extra) : json_object();
	json_t *ioc = json_pack("{s:s, s:s, s:s, s:s, s:b}", "indicator", m->indicator, "list",
				m->list, "type", vg_ioc_type_name(m->type), "field",
				field ? field : "unknown", "subdomain", m->subdomain);
	if (!extra || !json_is_object(extra) || !ioc) {
		json_decref(ioc);
		json_decref(extra);
		return VG_ENOMEM;
	}
	if (json_object_set_new(extra, "ioc", ioc) < 0) { /* set_new releases ioc */
		json_decref(extra);
		return VG_ENOMEM;
	}
	ev.extra = extra;
	rc = vg_event_emit(sink, &ev);
	json_decref(extra);
	return rc;
}
