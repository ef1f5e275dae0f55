/* logs-recv.h — syslog receivers (UDP, TCP, TLS) and file following in one event loop.
 *
 * One thread runs vg_logrecv_run_once() (poll(2)) over: UDP sockets (one datagram = one
 * message, RFC 5426), TCP listeners and their connections (RFC 6587 framing, octet
 * counting or LF/CRLF/NUL, auto-detected per connection), TLS listeners (RFC 5425, GnuTLS,
 * non-blocking handshake) and followed files (logs-follow.h, polled at least every
 * follow_interval_ms). Every message is handed to one line callback.
 *
 * Backpressure policy (the callback returns VG_EFULL when the processing side is full):
 *   UDP         the datagram is dropped and counted (udp_dropped); kernel drops of the
 *               socket are counted too (udp_kernel_drops, SO_RXQ_OVFL);
 *   TCP, TLS    the message is kept, the connection is not read until the callback takes
 *               it (the sender sees TCP flow control), counted in backpressure;
 *   files       reading stops at that line and resumes at the next poll.
 * Bounds: per-connection buffer of VG_MAX_LINE plus framing; at most max_conns
 * connections (more are accepted and closed at once, counted in conn_refused); a
 * connection silent for idle_timeout_s is closed (conn_idle_closed); a TLS handshake
 * must end within VG_SYSLOG_TLS_HANDSHAKE_S. Messages longer than VG_MAX_LINE are
 * truncated (counted in truncated; the line carries VG_LOG_SRC_F_TRUNCATED). */
#ifndef VG_LOGS_RECV_H
#define VG_LOGS_RECV_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

enum vg_log_transport { VG_LOGT_UDP = 1, VG_LOGT_TCP, VG_LOGT_TLS, VG_LOGT_FILE };

#define VG_LOG_SRC_F_TRUNCATED 0x1u /* this line was cut to VG_MAX_LINE */

/* Where a line came from; borrowed for the duration of the callback. */
struct vg_log_source {
	enum vg_log_transport transport;
	const char *name;  /* "udp://127.0.0.1:5514", "tcp://...", "tls://...", "file:/path" */
	const char *peer;  /* "127.0.0.1:40122" for sockets, NULL for files */
	unsigned flags;    /* VG_LOG_SRC_F_* */
	int64_t recv_us;   /* wall-clock time the line was received */
};

/* The line (not NUL-terminated, no trailer) is borrowed for the call. Return 0 when taken,
 * VG_EFULL when it cannot be taken now (see the policy above); any other negative code is
 * counted in callback_errors and the line is consumed. */
typedef int (*vg_log_line_fn)(void *ctx, const char *line, size_t len,
			      const struct vg_log_source *src);

const char *vg_log_transport_name(enum vg_log_transport t); /* "udp", "tcp", "tls", "file" */

struct vg_logrecv_opts {
	unsigned max_conns;          /* 0 → VG_SYSLOG_MAX_CONNS (also the ceiling) */
	unsigned idle_timeout_s;     /* 0 → VG_SYSLOG_IDLE_TIMEOUT_S */
	const char *tls_cert;        /* PEM files for tls:// listeners; borrowed until free */
	const char *tls_key;
	const char *tls_priority;    /* GnuTLS priority string; NULL → "NORMAL:-VERS-TLS1.1:-VERS-TLS1.0" */
	const char *state_path;      /* follow positions; NULL: not kept across restarts */
	bool follow_from_end;        /* files without a saved position: start at their end */
	unsigned follow_interval_ms; /* 0 → 250; clamped to [10, 1000] */
	int udp_rcvbuf;              /* SO_RCVBUF for UDP sockets; 0 → 4 MiB */
};

struct vg_logrecv_stats {
	uint64_t messages;          /* lines handed to the callback and taken */
	uint64_t udp_datagrams, udp_dropped, udp_kernel_drops;
	uint64_t conn_accepted, conn_refused, conn_closed, conn_idle_closed, conn_errors;
	uint64_t tls_handshakes, tls_handshake_failed;
	uint64_t truncated, bad_header, incomplete, skipped_bytes;
	uint64_t backpressure;      /* times a TCP/TLS connection or file was paused */
	uint64_t callback_errors;
	uint64_t bytes_received;    /* socket payload bytes (after TLS) */
	uint64_t file_lines, file_rotations, file_truncations, file_errors;
};

struct vg_logrecv;

/* Create a receiver set. opts may be NULL (defaults). *err gets the reason on NULL.
 * Caller frees with vg_logrecv_free(). fn/ctx are borrowed until free. */
struct vg_logrecv *vg_logrecv_new(const struct vg_logrecv_opts *opts, vg_log_line_fn fn,
				  void *ctx, int *err);
/* NULL-safe. Closes sockets and files without delivering anything more and without
 * saving positions: for a clean stop call vg_logrecv_shutdown(), let the processing side
 * finish, then vg_logrecv_save_state(), then this. */
void vg_logrecv_free(struct vg_logrecv *r);

/* Listen on "udp://HOST:PORT", "tcp://HOST:PORT" or "tls://HOST:PORT" (HOST an address,
 * IPv6 in brackets; port 0 picks a free one). bound (may be NULL) receives
 * "udp 127.0.0.1:PORT" with the port actually bound. Returns 0, VG_EINVAL (bad URL),
 * VG_EFULL (too many listeners), VG_EIO (socket error; errno), or a TLS setup error. */
int vg_logrecv_listen(struct vg_logrecv *r, const char *url, char *bound, size_t boundsz);

/* Follow a file (it need not exist yet). Returns 0, VG_EFULL, VG_ENOMEM, VG_EINVAL. */
int vg_logrecv_follow(struct vg_logrecv *r, const char *path);

/* One turn of the loop: wait up to timeout_ms (bounded by the follow interval) and handle
 * what is ready. Returns 0 or VG_EIO when poll itself fails (EINTR is 0). */
int vg_logrecv_run_once(struct vg_logrecv *r, int timeout_ms);

/* Write the follow positions now (atomically). 0 or VG_EIO. */
int vg_logrecv_save_state(struct vg_logrecv *r);

/* Close every connection and stop reading (what the sockets hold is read, partial
 * messages at the end of streams are delivered); files are read to their current end.
 * Idempotent. */
void vg_logrecv_shutdown(struct vg_logrecv *r);

void vg_logrecv_stats(const struct vg_logrecv *r, struct vg_logrecv_stats *out);

#endif
