/* logs-recv-tcp.c — syslog over TCP (RFC 6587) and the stream side of TLS (RFC 5425):
 * listeners, accepting under the connection cap, reading into a per-connection buffer
 * bounded by the framer, framing, and backpressure (a connection whose message the
 * callback refused is not read again until it is taken: TCP flow control then slows
 * the sender down instead of us dropping). */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/core-error.h"
#include "logs/logs-recv-int.h"

#define ACCEPT_BATCH 64
#define READ_BUDGET (256u << 10) /* bytes read from one connection per turn, for fairness */

int vg_recv_tcp_open(struct vg_logrecv *r, const struct sockaddr *sa, socklen_t salen,
		     struct recv_listener *l)
{
	(void)r;
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return VG_EIO;
	int one = 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa->sa_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, sa, salen) != 0 || listen(fd, 128) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return VG_EIO;
	}
	l->fd = fd;
	return VG_OK;
}

void vg_recv_tcp_accept(struct vg_logrecv *r, struct recv_listener *l)
{
	for (int k = 0; k < ACCEPT_BATCH; k++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				r->st.conn_errors++;
			return;
		}
		if (r->nconns >= r->o.max_conns) {
			r->st.conn_refused++; /* the cap: accepted and closed at once, counted */
			close(fd);
			continue;
		}
		struct recv_conn *c = calloc(1, sizeof(*c));
		if (!c) {
			r->st.conn_errors++;
			close(fd);
			continue;
		}
		c->fd = fd;
		c->transport = l->transport;
		c->l = l;
		vg_recv_fmt_addr((struct sockaddr *)&ss, c->peer, sizeof(c->peer));
		vg_frame_init(&c->fr, VG_FRAME_AUTO, 0);
		c->cap = vg_frame_bufsize(&c->fr);
		c->buf = malloc(c->cap);
		c->start_ms = c->last_ms = vg_recv_mono_ms();
		if (!c->buf || (l->transport == VG_LOGT_TLS && vg_recv_tls_conn_new(r, c) != VG_OK)) {
			r->st.conn_errors++;
			free(c->buf);
			close(fd);
			free(c);
			continue;
		}
		c->handshaking = l->transport == VG_LOGT_TLS;
		r->conns[r->nconns++] = c;
		r->st.conn_accepted++;
	}
}

short vg_recv_conn_events(const struct recv_conn *c)
{
	if (c->paused || c->eof)
		return 0;
	if (c->handshaking && vg_recv_tls_wants_write((struct recv_conn *)c))
		return POLLOUT;
	return POLLIN;
}

bool vg_recv_conn_deliver(struct vg_logrecv *r, struct recv_conn *c)
{
	for (;;) {
		struct vg_frame before = c->fr;
		struct vg_frame_msg m;
		size_t used;
		int rc = vg_frame_next(&c->fr, c->buf, c->blen, c->eof, &m, &used);
		if (rc == VG_OK) {
			struct vg_log_source src = {
				.transport = c->transport, .name = c->l->name, .peer = c->peer,
				.flags = (m.flags & VG_FRAME_F_TRUNCATED) ? VG_LOG_SRC_F_TRUNCATED : 0,
				.recv_us = vg_recv_wall_us(),
			};
			int cr = r->fn(r->ctx, m.p, m.len, &src);
			if (cr == VG_EFULL) {
				c->fr = before; /* the same message is offered again */
				if (!c->paused)
					r->st.backpressure++;
				c->paused = true;
				return true;
			}
			if (cr == VG_OK)
				r->st.messages++;
			else
				r->st.callback_errors++;
			if (m.flags & VG_FRAME_F_TRUNCATED)
				r->st.truncated++;
			if (m.flags & VG_FRAME_F_BAD_HEADER)
				r->st.bad_header++;
		}
		memmove(c->buf, c->buf + used, c->blen - used);
		c->blen -= used;
		if (rc != VG_OK && (used == 0 || c->blen == 0))
			break;
	}
	c->paused = false;
	return !(c->eof && c->blen == 0);
}

static long conn_read(struct recv_conn *c, char *buf, size_t len)
{
	if (c->tls)
		return vg_recv_tls_read(c, buf, len);
	ssize_t n = recv(c->fd, buf, len, 0);
	if (n >= 0)
		return (long)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return VG_EAGAIN;
	return VG_EIO;
}

bool vg_recv_conn_io(struct vg_logrecv *r, struct recv_conn *c, short revents)
{
	(void)revents;
	int64_t now = vg_recv_mono_ms();
	if (c->handshaking) {
		int rc = vg_recv_tls_handshake(c);
		if (rc == VG_EAGAIN)
			return true;
		if (rc < 0) {
			r->st.tls_handshake_failed++;
			return false;
		}
		c->handshaking = false;
		c->last_ms = now;
		r->st.tls_handshakes++;
	}
	size_t budget = READ_BUDGET;
	while (!c->paused && !c->eof && budget > 0) {
		if (c->blen == c->cap)
			break; /* the framer always makes room unless paused */
		long n = conn_read(c, c->buf + c->blen, c->cap - c->blen);
		if (n > 0) {
			c->blen += (size_t)n;
			r->st.bytes_received += (uint64_t)n;
			c->last_ms = now;
			budget = (size_t)n >= budget ? 0 : budget - (size_t)n;
			(void)vg_recv_conn_deliver(r, c);
			continue;
		}
		if (n == VG_EAGAIN)
			break;
		if (n < 0)
			r->st.conn_errors++;
		c->eof = true; /* 0: orderly end of stream */
	}
	if (c->eof)
		return vg_recv_conn_deliver(r, c);
	return true;
}

void vg_recv_conn_close(struct vg_logrecv *r, struct recv_conn *c)
{
	if (!c)
		return;
	/* an octet-counted message cut by the end of the stream is incomplete: count it */
	if (c->blen > 0 && !c->paused) {
		c->eof = true;
		(void)vg_recv_conn_deliver(r, c);
	}
	if (c->blen > 0) /* still refused at close: lost, and counted */
		r->st.incomplete++;
	r->st.incomplete += c->fr.st.incomplete;
	r->st.skipped_bytes += c->fr.st.skipped_bytes;
	r->st.conn_closed++;
	vg_recv_tls_conn_free(c);
	close(c->fd);
	free(c->buf);
	free(c);
}
