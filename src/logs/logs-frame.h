/* logs-frame.h — syslog stream framing (RFC 6587) as a pure function over a byte buffer.
 *
 * A TCP/TLS syslog stream (or a followed file) is a sequence of messages delimited either by
 * octet counting ("<len> <msg>", len decimal without leading zero) or by a trailer byte
 * ("non-transparent framing": LF, also NUL and CRLF). vg_frame_next() takes the bytes a
 * connection has buffered and returns the next message, or says it needs more bytes.
 * It never allocates, never reads past len, and keeps its little cross-call state in
 * struct vg_frame, so a stream split at any position yields the same messages.
 *
 * Mode: VG_FRAME_AUTO decides per connection from the first non-delimiter byte (a digit →
 * octet counting, anything else → trailer framing). In octet mode a header that is not
 * "<digits> " is counted as bad_header and that one message is taken up to the next
 * trailer, which resynchronises the stream (rsyslog does the same).
 *
 * Over-long messages: a message longer than max_msg is returned truncated to max_msg bytes
 * with VG_FRAME_F_TRUNCATED, counted, and the rest of it is skipped (octet mode: by count;
 * trailer mode: up to the next trailer), so the next message is intact.
 *
 * The caller's buffer must hold at least vg_frame_bufsize(max_msg) bytes, otherwise an
 * over-long message could never be decided. */
#ifndef VG_LOGS_FRAME_H
#define VG_LOGS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vg_frame_mode {
	VG_FRAME_AUTO = 0, /* decide from the first byte of the stream */
	VG_FRAME_OCTET,    /* RFC 6587 3.4.1 octet counting */
	VG_FRAME_TRAILER,  /* RFC 6587 3.4.2 non-transparent: LF, CRLF or NUL */
};

struct vg_frame_stats {
	uint64_t messages;     /* messages returned */
	uint64_t truncated;    /* of which longer than max_msg (returned truncated) */
	uint64_t bad_header;   /* octet mode: malformed length header, message taken by trailer */
	uint64_t skipped_bytes;/* bytes of over-long messages thrown away */
	uint64_t incomplete;   /* stream ended inside an octet-counted message (dropped) */
};

struct vg_frame {
	enum vg_frame_mode mode;
	size_t max_msg;         /* bytes kept of one message; 0 → VG_MAX_LINE */
	uint64_t skip;          /* octet mode: bytes of an over-long message still to skip */
	bool skip_to_trailer;   /* trailer mode: discarding the rest of an over-long line */
	struct vg_frame_stats st;
};

#define VG_FRAME_F_TRUNCATED 0x1u
#define VG_FRAME_F_BAD_HEADER 0x2u

struct vg_frame_msg {
	const char *p;          /* borrowed: points into the caller's buffer */
	size_t len;             /* <= max_msg; trailer and CR not included */
	unsigned flags;         /* VG_FRAME_F_* */
};

/* Set up a framer. max_msg 0 means VG_MAX_LINE; values above VG_MAX_LINE are clamped. */
void vg_frame_init(struct vg_frame *f, enum vg_frame_mode mode, size_t max_msg);

/* Smallest buffer a caller must be able to fill for this framer (max_msg plus header). */
size_t vg_frame_bufsize(const struct vg_frame *f);

/* Look for the next message in buf[0, len).
 * Returns 0 with *out set: a message; the caller drops *consumed bytes from the front of
 *   its buffer after using out (out->p points into buf).
 * Returns VG_EAGAIN: no complete message yet; the caller still drops *consumed bytes (bytes
 *   being skipped or empty trailers) and calls again once more data arrived.
 * eof: the stream has ended; a final line without trailer is returned as a message,
 *   an unfinished octet-counted message is counted as incomplete and consumed.
 * *consumed and *out are zeroed on entry. Never reads outside buf[0, len). */
int vg_frame_next(struct vg_frame *f, const char *buf, size_t len, bool eof,
		  struct vg_frame_msg *out, size_t *consumed);

/* A UDP datagram is one message (RFC 5426): trailing LF/CR/NUL stripped, truncated to
 * max_msg (0 → VG_MAX_LINE) with VG_FRAME_F_TRUNCATED. VG_EAGAIN when nothing is left. */
int vg_frame_datagram(const char *buf, size_t len, size_t max_msg, struct vg_frame_msg *out);

#endif
