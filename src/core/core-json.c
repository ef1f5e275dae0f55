/* core-json.c — streaming JSON writer with UTF-8 validation, and timestamp formats. */
#include "core/core-json.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core-error.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid (overlongs,
 * surrogates and code points past U+10FFFF are invalid, per RFC 3629). */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	uint32_t cp;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Bytes written as they are in a JSON string without any check: printable ASCII but
 * '"' and '\\'. */
static bool plain_byte(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Where n more bytes (and the NUL after them) go when the buffer has the room already,
 * under vg_buf_append's limits; NULL when it would have to grow (then vg_buf_append). */
static inline char *buf_room(struct vg_buf *b, size_t n)
{
	if (!b->data || n > b->max || b->len > b->max - n || b->len + n + 1 > b->cap)
		return NULL;
	return b->data + b->len;
}

/* The n bytes written at buf_room's pointer are in: what vg_buf_append ends with. */
static inline void buf_wrote(struct vg_buf *b, size_t n)
{
	b->len += n;
	b->data[b->len] = '\0';
}

int vg_json_escape(struct vg_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len && plain_byte(p[i]))
		i++;
	char *d = i == len ? buf_room(b, len + 2) : NULL;
	if (d) {
		/* Most strings (names, addresses, titles): written in place. */
		d[0] = '"';
		memcpy(d + 1, s, len);
		d[len + 1] = '"';
		buf_wrote(b, len + 2);
		return 0;
	}
	if (i == len && len <= 254) {
		/* The same in one append when the buffer grows. */
		char tmp[256];
		tmp[0] = '"';
		memcpy(tmp + 1, s, len);
		tmp[len + 1] = '"';
		return vg_buf_append(b, tmp, len + 2);
	}
	int rc = vg_buf_append(b, "\"", 1);
	size_t run = 0; /* start of the pending run of bytes copied as is */
	while (rc == 0 && i < len) {
		unsigned char c = p[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			size_t n = utf8_seq(p + i, len - i);
			if (n) {
				i += n;
				continue;
			}
		}
		rc = vg_buf_append(b, p + run, i - run);
		if (rc)
			break;
		char esc[8];
		size_t el = 2;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			if (c >= 0x80) {
				memcpy(esc, "\\ufffd", 6); /* invalid UTF-8 byte */
			} else {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
			}
			el = 6;
		}
		rc = vg_buf_append(b, esc, el);
		i++;
		run = i;
	}
	if (rc == 0)
		rc = vg_buf_append(b, p + run, i - run);
	if (rc == 0)
		rc = vg_buf_append(b, "\"", 1);
	return rc;
}

void vg_jw_init(struct vg_jw *w, struct vg_buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
}

/* Comma and key before a value. */
static void pre(struct vg_jw *w, const char *key)
{
	if (w->err)
		return;
	bool comma = w->need_comma[w->depth];
	if (key) {
		/* The comma and a plain key written in place when the buffer has the room. */
		size_t n = strlen(key);
		bool plain = n < 120;
		for (size_t i = 0; plain && i < n; i++) {
			unsigned char c = (unsigned char)key[i];
			plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
		}
		char *d = plain ? buf_room(w->b, n + 3 + comma) : NULL;
		if (d) {
			if (comma)
				*d++ = ',';
			d[0] = '"';
			memcpy(d + 1, key, n);
			d[n + 1] = '"';
			d[n + 2] = ':';
			buf_wrote(w->b, n + 3 + comma);
			w->need_comma[w->depth] = true;
			return;
		}
	}
	if (comma)
		w->err = vg_buf_append(w->b, ",", 1);
	w->need_comma[w->depth] = true;
	if (key && !w->err) {
		/* Keys are nearly always our own literals: copy them in one append when no byte
		 * needs escaping, and escape only the rare key that came from data. */
		size_t n = strlen(key);
		bool plain = n < 120;
		for (size_t i = 0; plain && i < n; i++) {
			unsigned char c = (unsigned char)key[i];
			plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
		}
		if (plain) {
			char tmp[128];
			tmp[0] = '"';
			memcpy(tmp + 1, key, n);
			tmp[n + 1] = '"';
			tmp[n + 2] = ':';
			w->err = vg_buf_append(w->b, tmp, n + 3);
		} else {
			w->err = vg_json_escape(w->b, key, n);
			if (!w->err)
				w->err = vg_buf_append(w->b, ":", 1);
		}
	}
}

static void raw(struct vg_jw *w, const char *s, size_t n)
{
	if (!w->err)
		w->err = vg_buf_append(w->b, s, n);
}

static void open_(struct vg_jw *w, const char *key, char c)
{
	pre(w, key);
	if (w->depth >= VG_MAX_JSON_DEPTH) {
		if (!w->err)
			w->err = VG_ERANGE;
		return;
	}
	raw(w, &c, 1);
	w->depth++;
	w->need_comma[w->depth] = false;
}

static void close_(struct vg_jw *w, char c)
{
	if (w->depth == 0) {
		if (!w->err)
			w->err = VG_ESTATE;
		return;
	}
	w->depth--;
	raw(w, &c, 1);
}

void vg_jw_obj_open(struct vg_jw *w, const char *key) { open_(w, key, '{'); }
void vg_jw_obj_close(struct vg_jw *w) { close_(w, '}'); }
void vg_jw_arr_open(struct vg_jw *w, const char *key) { open_(w, key, '['); }
void vg_jw_arr_close(struct vg_jw *w) { close_(w, ']'); }

void vg_jw_strn(struct vg_jw *w, const char *key, const char *s, size_t len)
{
	pre(w, key);
	if (!w->err)
		w->err = vg_json_escape(w->b, s, len);
}

void vg_jw_str(struct vg_jw *w, const char *key, const char *s)
{
	if (!s) {
		vg_jw_null(w, key);
		return;
	}
	vg_jw_strn(w, key, s, strlen(s));
}

/* Decimal digits of v written backwards into the end of buf[24]; returns the start. */
static char *fmt_u64(char buf[24], uint64_t v)
{
	char *p = buf + 24;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

void vg_jw_u64(struct vg_jw *w, const char *key, uint64_t v)
{
	char num[24];
	char *p = fmt_u64(num, v);
	pre(w, key);
	raw(w, p, (size_t)(num + 24 - p));
}

void vg_jw_i64(struct vg_jw *w, const char *key, int64_t v)
{
	char num[24];
	/* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	char *p = fmt_u64(num, u);
	if (v < 0)
		*--p = '-';
	pre(w, key);
	raw(w, p, (size_t)(num + 24 - p));
}

void vg_jw_double(struct vg_jw *w, const char *key, double v)
{
	if (!isfinite(v)) {
		vg_jw_null(w, key);
		return;
	}
	char num[40];
	int n = snprintf(num, sizeof(num), "%.17g", v);
	/* %.17g never uses a locale comma here: vigil never calls setlocale(LC_NUMERIC). */
	pre(w, key);
	raw(w, num, (size_t)n);
}

void vg_jw_bool(struct vg_jw *w, const char *key, bool v)
{
	pre(w, key);
	raw(w, v ? "true" : "false", v ? 4 : 5);
}

void vg_jw_null(struct vg_jw *w, const char *key)
{
	pre(w, key);
	raw(w, "null", 4);
}

/* Whether jw_dump can write v exactly as json_dumps would: objects, arrays, strings
 * and keys that are valid UTF-8 (json_dumps fails on others), integers, booleans,
 * null, nested at most VG_JW_DUMP_DEPTH deep. Reals are left to jansson (its own
 * shortest-round-trip formatting). */
#define VG_JW_DUMP_DEPTH 32u

static bool utf8_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = p[i] < 0x80 ? 1 : utf8_seq(p + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

static bool jw_dumpable(const json_t *v, unsigned depth)
{
	if (depth > VG_JW_DUMP_DEPTH)
		return false;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		/* iteration does not modify the object */
		json_t *o = (json_t *)v;
		for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
			if (!utf8_ok(json_object_iter_key(it), json_object_iter_key_len(it)) ||
			    !jw_dumpable(json_object_iter_value(it), depth + 1))
				return false;
		}
		return true;
	}
	case JSON_ARRAY:
		for (size_t i = 0; i < json_array_size(v); i++)
			if (!jw_dumpable(json_array_get(v, i), depth + 1))
				return false;
		return true;
	case JSON_STRING: return utf8_ok(json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
	case JSON_TRUE:
	case JSON_FALSE:
	case JSON_NULL: return true;
	case JSON_REAL: break;
	}
	return false;
}

/* jw_dump's output goes through a small stack buffer: values are many short tokens. */
struct jw_out {
	struct vg_jw *w;
	size_t n;
	char buf[2048];
};

static void out_flush(struct jw_out *o)
{
	raw(o->w, o->buf, o->n);
	o->n = 0;
}

static void out_put(struct jw_out *o, const char *s, size_t n)
{
	if (o->n + n > sizeof(o->buf)) {
		out_flush(o);
		if (n > sizeof(o->buf)) {
			raw(o->w, s, n);
			return;
		}
	}
	memcpy(o->buf + o->n, s, n);
	o->n += n;
}

/* The escape jansson's dump_string writes for c (a control character, '"' or '\\'):
 * \" \\ \b \f \n \r \t, other control characters as \u00XX (upper-case hex). Its length. */
static size_t jansson_escape(unsigned char c, char esc[6])
{
	static const char hex[] = "0123456789ABCDEF";
	esc[0] = '\\';
	switch (c) {
	case '"': esc[1] = '"'; return 2;
	case '\\': esc[1] = '\\'; return 2;
	case '\b': esc[1] = 'b'; return 2;
	case '\f': esc[1] = 'f'; return 2;
	case '\n': esc[1] = 'n'; return 2;
	case '\r': esc[1] = 'r'; return 2;
	case '\t': esc[1] = 't'; return 2;
	default:
		memcpy(esc + 1, "u00", 3);
		esc[4] = hex[c >> 4];
		esc[5] = hex[c & 15];
		return 6;
	}
}

/* A string as jansson's dump_string writes it: escapes as jansson_escape, everything
 * else as is. */
static void jw_dump_str(struct jw_out *o, const char *s, size_t len)
{
	out_put(o, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		out_put(o, s + run, i - run);
		char esc[6];
		size_t el = jansson_escape(c, esc);
		out_put(o, esc, el);
		run = i + 1;
	}
	out_put(o, s + run, len - run);
	out_put(o, "\"", 1);
}

/* v (jw_dumpable) in json_dumps' JSON_COMPACT form. */
static void jw_dump(struct jw_out *o, const json_t *v)
{
	char num[24];
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		json_t *obj = (json_t *)v;
		out_put(o, "{", 1);
		bool first = true;
		for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
			if (!first)
				out_put(o, ",", 1);
			first = false;
			jw_dump_str(o, json_object_iter_key(it), json_object_iter_key_len(it));
			out_put(o, ":", 1);
			jw_dump(o, json_object_iter_value(it));
		}
		out_put(o, "}", 1);
		return;
	}
	case JSON_ARRAY:
		out_put(o, "[", 1);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				out_put(o, ",", 1);
			jw_dump(o, json_array_get(v, i));
		}
		out_put(o, "]", 1);
		return;
	case JSON_STRING: jw_dump_str(o, json_string_value(v), json_string_length(v)); return;
	case JSON_INTEGER: {
		json_int_t x = json_integer_value(v);
		uint64_t u = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
		char *p = fmt_u64(num, u);
		if (x < 0)
			*--p = '-';
		out_put(o, p, (size_t)(num + 24 - p));
		return;
	}
	case JSON_TRUE: out_put(o, "true", 4); return;
	case JSON_FALSE: out_put(o, "false", 5); return;
	case JSON_NULL: out_put(o, "null", 4); return;
	case JSON_REAL: break;
	}
}

void vg_jw_json(struct vg_jw *w, const char *key, const json_t *v)
{
	if (!v) {
		vg_jw_null(w, key);
		return;
	}
	pre(w, key);
	if (w->err)
		return;
	/* Alerts and events carry a few objects each: writing them directly costs a
	 * fraction of json_dumps' allocation and per-character callbacks. */
	if (jw_dumpable(v, 0)) {
		struct jw_out o;
		o.w = w;
		o.n = 0;
		jw_dump(&o, v);
		out_flush(&o);
		return;
	}
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	if (!s) {
		w->err = VG_ENOMEM;
		return;
	}
	raw(w, s, strlen(s));
	free(s);
}

bool vg_jw_jstrn(struct vg_jw *w, const char *key, const char *s, size_t len)
{
	if (!utf8_ok(s, len))
		return false;
	pre(w, key);
	raw(w, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < len && !w->err; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		raw(w, s + run, i - run);
		char esc[6];
		size_t el = jansson_escape(c, esc);
		raw(w, esc, el);
		run = i + 1;
	}
	raw(w, s + run, len - run);
	raw(w, "\"", 1);
	return true;
}

void vg_jw_members(struct vg_jw *w, const char *json, size_t len)
{
	if (!len || w->err)
		return;
	if (w->need_comma[w->depth])
		raw(w, ",", 1);
	w->need_comma[w->depth] = true;
	raw(w, json, len);
}

int vg_jw_finish(struct vg_jw *w)
{
	if (!w->err && w->depth != 0)
		w->err = VG_ESTATE;
	return w->err;
}

static void put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

static const char *fmt_ts(int64_t ts_us, char buf[40], bool eve)
{
	/* Floor division so times before 1970 still format (microseconds stay 0..999999). */
	int64_t sec = ts_us / 1000000, usec = ts_us % 1000000;
	if (usec < 0) {
		usec += 1000000;
		sec--;
	}
	/* gmtime_r is the slow part; records come in time order, so remember the last
	 * second formatted (per thread). */
	static _Thread_local int64_t cached_sec = INT64_MIN;
	static _Thread_local char cached[20];
	if (sec != cached_sec) {
		time_t t = (time_t)sec;
		struct tm tm;
		int year;
		if (!gmtime_r(&t, &tm) || (year = tm.tm_year + 1900) < 0 || year > 9999) {
			/* Only corrupt timestamps get here: write the epoch rather than garbage. */
			memset(&tm, 0, sizeof(tm));
			tm.tm_mday = 1;
			year = 1970;
		}
		put2(cached, year / 100);
		put2(cached + 2, year % 100);
		cached[4] = '-';
		put2(cached + 5, tm.tm_mon + 1);
		cached[7] = '-';
		put2(cached + 8, tm.tm_mday);
		cached[10] = 'T';
		put2(cached + 11, tm.tm_hour);
		cached[13] = ':';
		put2(cached + 14, tm.tm_min);
		cached[16] = ':';
		put2(cached + 17, tm.tm_sec);
		cached[19] = '.';
		cached_sec = sec;
	}
	memcpy(buf, cached, 20);
	int u = (int)usec;
	for (int i = 25; i >= 20; i--) {
		buf[i] = (char)('0' + u % 10);
		u /= 10;
	}
	if (eve)
		memcpy(buf + 26, "+0000", 6);
	else
		memcpy(buf + 26, "Z", 2);
	return buf;
}

const char *vg_json_ts_eve(int64_t ts_us, char buf[40]) { return fmt_ts(ts_us, buf, true); }
const char *vg_json_ts_iso(int64_t ts_us, char buf[40]) { return fmt_ts(ts_us, buf, false); }
