/* logs-recv-int.h — what the receiver files (logs-recv*.c) share: the receiver set, its
 * listeners and connections. Not for use outside src/logs/logs-recv*.c and their tests. */
#ifndef VG_LOGS_RECV_INT_H
#define VG_LOGS_RECV_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "logs/logs-follow.h"
#include "logs/logs-frame.h"
#include "logs/logs-recv.h"

#define RECV_NAME_LEN 96

struct recv_listener {
	int fd;
	enum vg_log_transport transport;
	char name[RECV_NAME_LEN];   /* the URL as bound: "tcp://127.0.0.1:5514" */
	uint32_t ovfl;              /* UDP: kernel drop count seen last (SO_RXQ_OVFL) */
};

struct recv_conn {
	int fd;
	enum vg_log_transport transport;
	const struct recv_listener *l;
	char peer[64];
	char *buf;
	size_t blen, cap;
	struct vg_frame fr;
	int64_t last_ms;          /* monotonic time of the last byte (or accept) */
	int64_t start_ms;
	bool paused;              /* the callback said VG_EFULL: not read until it takes more */
	bool eof;                 /* peer closed (or error): deliver what is left, then close */
	bool handshaking;         /* TLS: handshake not finished */
	void *tls;                /* gnutls_session_t for TLS connections */
};

struct recv_tls; /* logs-recv-tls.c */

struct vg_logrecv {
	struct vg_logrecv_opts o;
	vg_log_line_fn fn;
	void *ctx;
	struct recv_listener lst[VG_SYSLOG_MAX_LISTENERS];
	size_t nlst;
	struct recv_conn **conns;
	size_t nconns;
	struct vg_follow *follow;
	int64_t next_follow_ms;
	struct recv_tls *tls;
	char *udp_buf;            /* one datagram */
	bool shut;                /* vg_logrecv_shutdown() ran */
	struct vg_logrecv_stats st;
};

int64_t vg_recv_mono_ms(void);
int64_t vg_recv_wall_us(void);
/* "127.0.0.1:514" / "[::1]:514" */
void vg_recv_fmt_addr(const struct sockaddr *sa, char *out, size_t outsz);

/* logs-recv-udp.c */
int vg_recv_udp_open(struct vg_logrecv *r, const struct sockaddr *sa, socklen_t salen,
		     struct recv_listener *l);
void vg_recv_udp_read(struct vg_logrecv *r, struct recv_listener *l);

/* logs-recv-tcp.c: listeners for tcp and tls, connection I/O and framing */
int vg_recv_tcp_open(struct vg_logrecv *r, const struct sockaddr *sa, socklen_t salen,
		     struct recv_listener *l);
void vg_recv_tcp_accept(struct vg_logrecv *r, struct recv_listener *l);
/* Read what is ready (revents from poll) and deliver; returns false when c must be closed. */
bool vg_recv_conn_io(struct vg_logrecv *r, struct recv_conn *c, short revents);
/* Deliver buffered messages (after a pause). false when c must be closed. */
bool vg_recv_conn_deliver(struct vg_logrecv *r, struct recv_conn *c);
void vg_recv_conn_close(struct vg_logrecv *r, struct recv_conn *c);
short vg_recv_conn_events(const struct recv_conn *c);

/* logs-recv-tls.c */
int vg_recv_tls_setup(struct vg_logrecv *r);           /* load cert/key once */
void vg_recv_tls_free(struct vg_logrecv *r);
int vg_recv_tls_conn_new(struct vg_logrecv *r, struct recv_conn *c); /* session on c->fd */
void vg_recv_tls_conn_free(struct recv_conn *c);
/* Continue the handshake: 0 done, VG_EAGAIN not yet, < 0 failed. */
int vg_recv_tls_handshake(struct recv_conn *c);
/* Like recv(2): > 0 bytes, 0 end of stream, VG_EAGAIN, or < 0 error. */
long vg_recv_tls_read(struct recv_conn *c, char *buf, size_t len);
/* Decrypted bytes GnuTLS holds that poll(2) cannot see. */
size_t vg_recv_tls_pending(struct recv_conn *c);
/* TLS wants to write (handshake) rather than read. */
bool vg_recv_tls_wants_write(struct recv_conn *c);

#endif
