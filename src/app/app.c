/* app.c — protocol detection by content, like Suricata's app-layer-protocol probing:
 * HTTP methods or "HTTP/" at the start of a direction, the HTTP/2 client preface, a TLS handshake record header,
 * the "SSH-" identification string, DNS by a plausible header on port 53. Ports are
 * only a hint for DNS, whose messages carry no magic. */
#include "app/app.h"
#include "app/app-http2.h"

#include <string.h>

static const char *const http_methods[] = {
	"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "TRACE ", "PATCH ",
	"PROPFIND ", "PROPPATCH ", "MKCOL ", "COPY ", "MOVE ", "LOCK ", "UNLOCK ", "SEARCH ",
	"REPORT ", "MKACTIVITY ", "CHECKOUT ", "MERGE ", "SUBSCRIBE ", "NOTIFY ",
};

/* 1: buf starts with lit; 0: cannot; -1: buf is a proper prefix of lit (need more). */
static int prefix(const uint8_t *buf, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	size_t m = len < n ? len : n;
	if (memcmp(buf, lit, m) != 0)
		return 0;
	return len >= n ? 1 : -1;
}

static bool dns_header_plausible(const uint8_t *p, size_t len)
{
	if (len < 12)
		return false;
	unsigned opcode = (p[2] >> 3) & 0x0f;
	unsigned qd = (unsigned)(p[4] << 8 | p[5]);
	unsigned an = (unsigned)(p[6] << 8 | p[7]);
	bool qr = (p[2] & 0x80) != 0;
	if (opcode > 5 || qd > 16 || (!qr && an > 16))
		return false;
	return qd >= 1 || qr;
}

enum vg_app_proto vg_app_detect(const uint8_t *buf, size_t len, int dir, uint8_t ipproto,
				uint16_t sport, uint16_t dport)
{
	if (!buf || len == 0)
		return VG_APP_UNKNOWN;
	bool port53 = sport == 53 || dport == 53;
	if (ipproto == 17)
		return port53 && dns_header_plausible(buf, len) ? VG_APP_DNS : VG_APP_FAILED;
	if (ipproto != 6)
		return VG_APP_FAILED;
	bool need_more = false;
	int r = prefix(buf, len, "SSH-");
	if (r > 0)
		return VG_APP_SSH;
	need_more |= r < 0;
	/* TLS: handshake record, version 3.x (SSL 3.0 .. TLS 1.3 legacy 3.1) */
	if (buf[0] == 0x16) {
		if (len < 3)
			need_more = true;
		else if (buf[1] == 3 && buf[2] <= 4)
			return VG_APP_TLS;
	}
	if (dir == VG_APP_TOSERVER) {
		/* HTTP/2 with prior knowledge: the client preface (before the methods: "PRI"
		 * is no HTTP/1 method we know, so nothing else claims it) */
		r = prefix(buf, len, VG_HTTP2_PREFACE);
		if (r > 0)
			return VG_APP_HTTP2;
		need_more |= r < 0;
		for (size_t i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++) {
			r = prefix(buf, len, http_methods[i]);
			if (r > 0)
				return VG_APP_HTTP;
			need_more |= r < 0;
		}
	} else {
		r = prefix(buf, len, "HTTP/");
		if (r > 0)
			return VG_APP_HTTP;
		need_more |= r < 0;
	}
	if (port53) {
		if (len < 14)
			need_more = true;
		else if ((size_t)(buf[0] << 8 | buf[1]) >= 12 && dns_header_plausible(buf + 2, len - 2))
			return VG_APP_DNS;
	}
	return need_more ? VG_APP_UNKNOWN : VG_APP_FAILED;
}

const char *vg_app_proto_name(enum vg_app_proto p)
{
	switch (p) {
	case VG_APP_HTTP:
		return "http";
	case VG_APP_TLS:
		return "tls";
	case VG_APP_SSH:
		return "ssh";
	case VG_APP_DNS:
		return "dns";
	case VG_APP_HTTP2:
		return "http2";
	case VG_APP_FAILED:
		return "failed";
	default:
		return "unknown";
	}
}
