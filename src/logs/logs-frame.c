/* logs-frame.c — RFC 6587 framing of syslog streams: octet counting and trailer (LF, CRLF,
 * NUL) framing, auto-detected, with truncation and resynchronisation. Pure: the only state
 * is struct vg_frame; see logs-frame.h for the contract. */
#include "logs/logs-frame.h"

#include <string.h>

#include "core/core-error.h"
#include "core/limits.h"

void vg_frame_init(struct vg_frame *f, enum vg_frame_mode mode, size_t max_msg)
{
	memset(f, 0, sizeof(*f));
	f->mode = mode;
	if (max_msg == 0 || max_msg > VG_MAX_LINE)
		max_msg = VG_MAX_LINE;
	f->max_msg = max_msg;
}

size_t vg_frame_bufsize(const struct vg_frame *f)
{
	/* the largest thing we wait for: header digits + SP + max_msg, or max_msg + CRLF */
	return f->max_msg + VG_SYSLOG_FRAME_MAX_DIGITS + 8;
}

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* First LF or NUL in buf[from, to), or `to` when none. memchr for LF first, then NUL only
 * before it, so the cost stays proportional to the line, not to the buffer. */
static size_t find_trailer(const char *buf, size_t from, size_t to)
{
	if (from >= to)
		return to;
	const char *lf = memchr(buf + from, '\n', to - from);
	size_t end = lf ? (size_t)(lf - buf) : to;
	const char *nul = end > from ? memchr(buf + from, '\0', end - from) : NULL;
	return nul ? (size_t)(nul - buf) : end;
}

static int emit(struct vg_frame *f, const char *p, size_t len, unsigned flags,
		struct vg_frame_msg *out)
{
	if (len > f->max_msg) {
		len = f->max_msg;
		flags |= VG_FRAME_F_TRUNCATED;
	}
	if (flags & VG_FRAME_F_TRUNCATED)
		f->st.truncated++;
	if (flags & VG_FRAME_F_BAD_HEADER)
		f->st.bad_header++;
	f->st.messages++;
	out->p = p;
	out->len = len;
	out->flags = flags;
	return VG_OK;
}

/* Trailer framing of one message starting at pos. */
static int next_trailer(struct vg_frame *f, const char *buf, size_t len, size_t pos, bool eof,
			unsigned flags, struct vg_frame_msg *out, size_t *consumed)
{
	size_t window = f->max_msg + 2; /* room for max_msg bytes plus CRLF */
	size_t limit = len - pos > window ? pos + window : len;
	size_t t = find_trailer(buf, pos, limit);
	if (t < limit) {
		size_t mlen = t - pos;
		if (mlen > 0 && buf[pos + mlen - 1] == '\r')
			mlen--;
		*consumed = t + 1;
		return emit(f, buf + pos, mlen, flags, out);
	}
	if (limit - pos >= window) {
		/* no trailer within reach: keep the head, skip the rest up to the next trailer */
		f->skip_to_trailer = true;
		*consumed = pos + f->max_msg;
		return emit(f, buf + pos, f->max_msg, flags | VG_FRAME_F_TRUNCATED, out);
	}
	if (eof) {
		size_t mlen = len - pos;
		if (mlen > 0 && buf[pos + mlen - 1] == '\r')
			mlen--;
		*consumed = len;
		return emit(f, buf + pos, mlen, flags, out);
	}
	*consumed = pos;
	return VG_EAGAIN;
}

int vg_frame_next(struct vg_frame *f, const char *buf, size_t len, bool eof,
		  struct vg_frame_msg *out, size_t *consumed)
{
	memset(out, 0, sizeof(*out));
	*consumed = 0;
	size_t pos = 0;

	if (f->skip) { /* rest of an over-long octet-counted message */
		size_t n = len < f->skip ? len : (size_t)f->skip;
		f->skip -= n;
		f->st.skipped_bytes += n;
		pos = n;
		if (f->skip) {
			*consumed = pos;
			return VG_EAGAIN;
		}
	}
	if (f->skip_to_trailer) { /* rest of an over-long trailer-framed line */
		size_t t = find_trailer(buf, pos, len);
		if (t == len) {
			f->st.skipped_bytes += len - pos;
			*consumed = len;
			if (eof)
				f->skip_to_trailer = false;
			return VG_EAGAIN;
		}
		f->st.skipped_bytes += t - pos; /* the trailer itself is framing, not message */
		f->skip_to_trailer = false;
		pos = t + 1;
	}
	/* empty lines and stray trailers between messages are framing noise */
	while (pos < len && (buf[pos] == '\n' || buf[pos] == '\0' || buf[pos] == '\r'))
		pos++;
	if (pos == len) {
		*consumed = pos;
		return VG_EAGAIN;
	}
	if (f->mode == VG_FRAME_AUTO)
		f->mode = is_digit(buf[pos]) ? VG_FRAME_OCTET : VG_FRAME_TRAILER;
	if (f->mode == VG_FRAME_TRAILER)
		return next_trailer(f, buf, len, pos, eof, 0, out, consumed);

	/* octet counting: NONZERO-DIGIT *DIGIT SP MSG */
	size_t i = pos;
	while (i < len && i - pos <= VG_SYSLOG_FRAME_MAX_DIGITS && is_digit(buf[i]))
		i++;
	size_t nd = i - pos;
	if (i == len && nd <= VG_SYSLOG_FRAME_MAX_DIGITS && !eof) {
		*consumed = pos; /* header not complete yet */
		return VG_EAGAIN;
	}
	if (i == len || nd == 0 || nd > VG_SYSLOG_FRAME_MAX_DIGITS || buf[i] != ' ' ||
	    buf[pos] == '0')
		return next_trailer(f, buf, len, pos, eof, VG_FRAME_F_BAD_HEADER, out, consumed);

	uint64_t n = 0;
	for (size_t k = pos; k < i; k++)
		n = n * 10 + (uint64_t)(buf[k] - '0');
	size_t start = i + 1;
	size_t keep = n > f->max_msg ? f->max_msg : (size_t)n;
	if (len - start >= keep) {
		*consumed = start + keep;
		if (n > keep) {
			f->skip = n - keep;
			return emit(f, buf + start, keep, VG_FRAME_F_TRUNCATED, out);
		}
		/* some senders count a trailing LF (or CRLF) into MSG-LEN: not message text */
		while (keep > 0 && (buf[start + keep - 1] == '\n' || buf[start + keep - 1] == '\r' ||
				    buf[start + keep - 1] == '\0'))
			keep--;
		return emit(f, buf + start, keep, 0, out);
	}
	if (eof) {
		f->st.incomplete++;
		*consumed = len;
		return VG_EAGAIN;
	}
	*consumed = pos;
	return VG_EAGAIN;
}

int vg_frame_datagram(const char *buf, size_t len, size_t max_msg, struct vg_frame_msg *out)
{
	memset(out, 0, sizeof(*out));
	if (max_msg == 0 || max_msg > VG_MAX_LINE)
		max_msg = VG_MAX_LINE;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == '\0'))
		len--;
	if (len == 0)
		return VG_EAGAIN;
	out->p = buf;
	out->len = len;
	if (len > max_msg) {
		out->len = max_msg;
		out->flags = VG_FRAME_F_TRUNCATED;
	}
	return VG_OK;
}
