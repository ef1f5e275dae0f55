/* app-dns.c — DNS message parser (RFC 1035, 3596, 6891 header bits), DNS-over-TCP
 * framing (RFC 7766: 2-byte length prefix), and the EVE "dns" object.
 *
 * Name compression is the classic trap: pointers may form loops or point forward into
 * garbage. A pointer must point before itself, a name may take at most
 * VG_DNS_MAX_POINTERS jumps and at most 255 wire bytes, so every name ends. */
#include "app/app.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Append c (escaped as \DDD when not printable, '.' and '\' escaped) if it fits. */
static void put_char(char *out, size_t outsz, size_t *ol, unsigned char c)
{
	char tmp[5];
	size_t n;
	if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
		tmp[0] = (char)c;
		n = 1;
	} else {
		n = (size_t)snprintf(tmp, sizeof(tmp), "\\%03u", c);
	}
	if (*ol + n < outsz) {
		memcpy(out + *ol, tmp, n);
		*ol += n;
	}
	out[*ol] = '\0';
}

/* Read a possibly compressed name at off. *next = offset after the name in place.
 * VG_ETRUNC past the end, VG_EINVAL for bad labels, forward pointers or too many jumps. */
static int read_name(const uint8_t *buf, size_t len, size_t off, char *out, size_t outsz, size_t *next)
{
	size_t pos = off, ol = 0, wire = 0;
	unsigned jumps = 0;
	bool jumped = false;
	out[0] = '\0';
	*next = 0;
	for (;;) {
		if (pos >= len)
			return VG_ETRUNC;
		uint8_t c = buf[pos];
		if (c == 0) {
			if (!jumped)
				*next = pos + 1;
			break;
		}
		if ((c & 0xc0) == 0xc0) {
			if (pos + 1 >= len)
				return VG_ETRUNC;
			size_t ptr = (size_t)(c & 0x3f) << 8 | buf[pos + 1];
			if (!jumped)
				*next = pos + 2;
			if (ptr >= pos || ++jumps > VG_DNS_MAX_POINTERS)
				return VG_EINVAL;
			pos = ptr;
			jumped = true;
			continue;
		}
		if (c & 0xc0)
			return VG_EINVAL; /* extended label types (RFC 6891 obsoleted them) */
		if (pos + 1 + c > len)
			return VG_ETRUNC;
		wire += (size_t)c + 1;
		if (wire > 255)
			return VG_EINVAL;
		if (ol > 0 && ol + 1 < outsz) {
			out[ol++] = '.';
			out[ol] = '\0';
		}
		for (size_t i = 0; i < c; i++)
			put_char(out, outsz, &ol, buf[pos + 1 + i]);
		pos += 1 + (size_t)c;
	}
	if (ol == 0)
		vg_strlcpy(out, "<root>", 6, outsz);
	return 0;
}

static int parse_rdata(const uint8_t *buf, size_t len, size_t off, size_t rdlen, struct vg_dns_rr *rr)
{
	const uint8_t *p = buf + off;
	size_t end = off + rdlen, next;
	int rc;
	switch (rr->type) {
	case 1: /* A */
		if (rdlen != 4)
			return VG_EINVAL;
		inet_ntop(AF_INET, p, rr->data, sizeof(rr->data));
		return 0;
	case 28: /* AAAA */
		if (rdlen != 16)
			return VG_EINVAL;
		inet_ntop(AF_INET6, p, rr->data, sizeof(rr->data));
		return 0;
	case 2: case 5: case 12: /* NS, CNAME, PTR */
		rc = read_name(buf, len, off, rr->data, sizeof(rr->data), &next);
		if (rc < 0)
			return rc;
		return next <= end ? 0 : VG_EINVAL;
	case 15: /* MX */
		if (rdlen < 3)
			return VG_EINVAL;
		rr->mx_pref = rd16(p);
		rc = read_name(buf, len, off + 2, rr->data, sizeof(rr->data), &next);
		if (rc < 0)
			return rc;
		return next <= end ? 0 : VG_EINVAL;
	case 16: { /* TXT: character-strings, concatenated */
		size_t i = 0, ol = 0;
		rr->data[0] = '\0';
		while (i < rdlen) {
			size_t n = p[i];
			if (i + 1 + n > rdlen)
				return VG_EINVAL;
			for (size_t k = 0; k < n; k++) {
				unsigned char c = p[i + 1 + k];
				if (c >= 0x20 && c < 0x7f) {
					if (ol + 1 < sizeof(rr->data)) {
						rr->data[ol++] = (char)c;
						rr->data[ol] = '\0';
					}
				} else {
					put_char(rr->data, sizeof(rr->data), &ol, c);
				}
			}
			i += 1 + n;
		}
		return 0;
	}
	case 6: /* SOA */
		rc = read_name(buf, len, off, rr->data, sizeof(rr->data), &next);
		if (rc < 0 || next > end)
			return rc < 0 ? rc : VG_EINVAL;
		rc = read_name(buf, len, next, rr->soa_rname, sizeof(rr->soa_rname), &next);
		if (rc < 0 || next + 20 > end)
			return rc < 0 ? rc : VG_EINVAL;
		rr->soa_serial = rd32(buf + next);
		rr->soa_refresh = rd32(buf + next + 4);
		rr->soa_retry = rd32(buf + next + 8);
		rr->soa_expire = rd32(buf + next + 12);
		rr->soa_minimum = rd32(buf + next + 16);
		return 0;
	default:
		return 0; /* kept without rdata text */
	}
}

int vg_dns_parse(const uint8_t *buf, size_t len, struct vg_dns_msg *out)
{
	if (!out)
		return VG_EINVAL;
	memset(out, 0, sizeof(*out));
	if (!buf || len < 12)
		return VG_ETRUNC;
	out->id = rd16(buf);
	out->flags = rd16(buf + 2);
	out->qr = (out->flags & 0x8000) != 0;
	out->opcode = (uint8_t)((out->flags >> 11) & 0x0f);
	out->aa = (out->flags & 0x0400) != 0;
	out->tc = (out->flags & 0x0200) != 0;
	out->rd = (out->flags & 0x0100) != 0;
	out->ra = (out->flags & 0x0080) != 0;
	out->z = (out->flags & 0x0040) != 0;
	out->ad = (out->flags & 0x0020) != 0;
	out->cd = (out->flags & 0x0010) != 0;
	out->rcode = (uint8_t)(out->flags & 0x000f);
	out->qdcount = rd16(buf + 4);
	out->ancount = rd16(buf + 6);
	out->nscount = rd16(buf + 8);
	out->arcount = rd16(buf + 10);

	size_t off = 12;
	uint32_t counts[4] = { out->qdcount, out->ancount, out->nscount, out->arcount };
	for (int sec = 0; sec < 4; sec++) {
		for (uint32_t i = 0; i < counts[sec]; i++) {
			struct vg_dns_rr tmp;
			struct vg_dns_rr *rr = out->n_rr < VG_DNS_MAX_NAMES ? &out->rr[out->n_rr] : &tmp;
			memset(rr, 0, sizeof(*rr));
			rr->section = (enum vg_dns_section)sec;
			size_t next;
			int rc = read_name(buf, len, off, rr->name, sizeof(rr->name), &next);
			if (rc == 0 && next + (sec == 0 ? 4u : 10u) > len)
				rc = VG_ETRUNC;
			if (rc < 0) {
				if (sec == 0)
					return rc;
				out->truncated_parse = true;
				return 0;
			}
			off = next;
			rr->type = rd16(buf + off);
			rr->rclass = rd16(buf + off + 2);
			off += 4;
			if (sec > 0) {
				rr->ttl = rd32(buf + off);
				size_t rdlen = rd16(buf + off + 4);
				off += 6;
				if (off + rdlen > len || parse_rdata(buf, len, off, rdlen, rr) < 0) {
					out->truncated_parse = true;
					return 0;
				}
				off += rdlen;
			}
			if (rr == &tmp) {
				out->dropped++;
				continue;
			}
			out->n_rr++;
			uint32_t *per[4] = { &out->n_questions, &out->n_answers, &out->n_authorities,
					     &out->n_additionals };
			(*per[sec])++;
		}
	}
	return 0;
}

const char *vg_dns_rrtype_name(uint16_t type, char tmp[16])
{
	static const struct { uint16_t t; const char *n; } names[] = {
		{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" }, { 12, "PTR" }, { 13, "HINFO" },
		{ 15, "MX" }, { 16, "TXT" }, { 17, "RP" }, { 18, "AFSDB" }, { 28, "AAAA" },
		{ 29, "LOC" }, { 33, "SRV" }, { 35, "NAPTR" }, { 39, "DNAME" }, { 41, "OPT" },
		{ 43, "DS" }, { 44, "SSHFP" }, { 46, "RRSIG" }, { 47, "NSEC" }, { 48, "DNSKEY" },
		{ 50, "NSEC3" }, { 51, "NSEC3PARAM" }, { 52, "TLSA" }, { 64, "SVCB" }, { 65, "HTTPS" },
		{ 99, "SPF" }, { 250, "TSIG" }, { 251, "IXFR" }, { 252, "AXFR" }, { 255, "ANY" },
		{ 256, "URI" }, { 257, "CAA" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == type)
			return names[i].n;
	snprintf(tmp, 16, "TYPE%u", type);
	return tmp;
}

const char *vg_dns_rcode_name(uint8_t rcode, char tmp[16])
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					     "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
					     "NXRRSET", "NOTAUTH", "NOTZONE" };
	if (rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	snprintf(tmp, 16, "%u", rcode);
	return tmp;
}

/* ------------------------------------------------------------- DNS over TCP --- */

struct tcpdir {
	uint8_t hdr[2];
	size_t hdr_have;
	size_t need;          /* message length once the prefix is complete */
	struct vg_buf msg;
	bool dead;
};

struct vg_dns_tcp {
	struct tcpdir d[2];
	vg_dns_msg_cb cb;
	void *cb_ctx;
};

struct vg_dns_tcp *vg_dns_tcp_new(vg_dns_msg_cb cb, void *cb_ctx)
{
	struct vg_dns_tcp *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	for (int i = 0; i < 2; i++)
		vg_buf_init(&t->d[i].msg, VG_DNS_MAX_TCP_MSG);
	t->cb = cb;
	t->cb_ctx = cb_ctx;
	return t;
}

void vg_dns_tcp_free(struct vg_dns_tcp *t)
{
	if (!t)
		return;
	for (int i = 0; i < 2; i++)
		vg_buf_free(&t->d[i].msg);
	free(t);
}

int vg_dns_tcp_parse(struct vg_dns_tcp *t, int dir, const uint8_t *data, size_t len)
{
	if (!t || (dir != 0 && dir != 1) || (len > 0 && !data))
		return VG_EINVAL;
	struct tcpdir *d = &t->d[dir];
	while (len > 0) {
		if (d->dead)
			return VG_EINVAL;
		if (d->hdr_have < 2) {
			d->hdr[d->hdr_have++] = *data++;
			len--;
			if (d->hdr_have == 2) {
				d->need = rd16(d->hdr);
				if (d->need < 12) {
					d->dead = true; /* no DNS message is shorter than its header */
					return VG_EINVAL;
				}
				vg_buf_reset(&d->msg);
			}
			continue;
		}
		size_t take = d->need - d->msg.len;
		if (take > len)
			take = len;
		int rc = vg_buf_append(&d->msg, data, take);
		if (rc < 0)
			return rc;
		data += take;
		len -= take;
		if (d->msg.len == d->need) {
			if (t->cb)
				t->cb(t->cb_ctx, dir, (const uint8_t *)d->msg.data, d->msg.len);
			d->hdr_have = 0;
			vg_buf_reset(&d->msg);
		}
	}
	return 0;
}

void vg_dns_tcp_gap(struct vg_dns_tcp *t, int dir)
{
	if (!t || (dir != 0 && dir != 1))
		return;
	t->d[dir].dead = true;
	vg_buf_reset(&t->d[dir].msg);
}

/* -------------------------------------------------------------------- EVE ---- */

static json_t *rr_json(const struct vg_dns_rr *rr)
{
	char tmp[16];
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "rrname", json_string(rr->name));
	json_object_set_new(o, "rrtype", json_string(vg_dns_rrtype_name(rr->type, tmp)));
	json_object_set_new(o, "ttl", json_integer(rr->ttl));
	if (rr->type == 6) {
		json_t *soa = json_object();
		json_object_set_new(soa, "mname", json_string(rr->data));
		json_object_set_new(soa, "rname", json_string(rr->soa_rname));
		json_object_set_new(soa, "serial", json_integer(rr->soa_serial));
		json_object_set_new(soa, "refresh", json_integer(rr->soa_refresh));
		json_object_set_new(soa, "retry", json_integer(rr->soa_retry));
		json_object_set_new(soa, "expire", json_integer(rr->soa_expire));
		json_object_set_new(soa, "minimum", json_integer(rr->soa_minimum));
		json_object_set_new(o, "soa", soa);
	} else if (rr->data[0]) {
		json_object_set_new(o, "rdata", json_string(rr->data));
	}
	return o;
}

json_t *vg_dns_eve(const struct vg_dns_msg *m, uint32_t q, uint64_t tx_id)
{
	char tmp[16];
	json_t *root = json_object();
	json_t *d = json_object();
	if (!root || !d) {
		json_decref(root);
		json_decref(d);
		return NULL;
	}
	json_object_set_new(root, "dns", d);
	json_object_set_new(d, "version", json_integer(2));
	json_object_set_new(d, "type", json_string(m->qr ? "answer" : "query"));
	json_object_set_new(d, "id", json_integer(m->id));
	const struct vg_dns_rr *qr = NULL;
	if (q < m->n_questions)
		qr = &m->rr[q];
	if (!m->qr) {
		if (qr) {
			json_object_set_new(d, "rrname", json_string(qr->name));
			json_object_set_new(d, "rrtype", json_string(vg_dns_rrtype_name(qr->type, tmp)));
		}
		json_object_set_new(d, "tx_id", json_integer((json_int_t)tx_id));
		json_object_set_new(d, "opcode", json_integer(m->opcode));
		return root;
	}
	char flags[8];
	snprintf(flags, sizeof(flags), "%x", m->flags);
	json_object_set_new(d, "flags", json_string(flags));
	json_object_set_new(d, "qr", json_true());
	if (m->aa)
		json_object_set_new(d, "aa", json_true());
	if (m->tc)
		json_object_set_new(d, "tc", json_true());
	if (m->rd)
		json_object_set_new(d, "rd", json_true());
	if (m->ra)
		json_object_set_new(d, "ra", json_true());
	json_object_set_new(d, "opcode", json_integer(m->opcode));
	if (qr) {
		json_object_set_new(d, "rrname", json_string(qr->name));
		json_object_set_new(d, "rrtype", json_string(vg_dns_rrtype_name(qr->type, tmp)));
	}
	json_object_set_new(d, "rcode", json_string(vg_dns_rcode_name(m->rcode, tmp)));
	json_t *answers = json_array(), *auth = json_array(), *grouped = json_object();
	for (uint32_t i = 0; i < m->n_rr; i++) {
		const struct vg_dns_rr *rr = &m->rr[i];
		if (rr->section == VG_DNS_ANSWER) {
			json_array_append_new(answers, rr_json(rr));
			if (rr->type != 6 && rr->data[0]) {
				const char *tn = vg_dns_rrtype_name(rr->type, tmp);
				json_t *g = json_object_get(grouped, tn);
				if (!g) {
					g = json_array();
					json_object_set_new(grouped, tn, g);
				}
				json_array_append_new(g, json_string(rr->data));
			}
		} else if (rr->section == VG_DNS_AUTHORITY) {
			json_array_append_new(auth, rr_json(rr));
		}
	}
	if (json_array_size(answers) > 0)
		json_object_set_new(d, "answers", answers);
	else
		json_decref(answers);
	if (json_array_size(auth) > 0)
		json_object_set_new(d, "authorities", auth);
	else
		json_decref(auth);
	if (json_object_size(grouped) > 0)
		json_object_set_new(d, "grouped", grouped);
	else
		json_decref(grouped);
	return root;
}
