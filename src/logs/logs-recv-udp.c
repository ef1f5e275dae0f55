/* logs-recv-udp.c — syslog over UDP (RFC 5426): one datagram is one message. When the
 * processing side is full the datagram is dropped and counted (a UDP sender cannot be
 * slowed down); datagrams the kernel dropped because the socket buffer was full are
 * counted too, from SO_RXQ_OVFL. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/core-error.h"
#include "logs/logs-recv-int.h"

#ifndef SO_RXQ_OVFL
#define SO_RXQ_OVFL 40
#endif

#define UDP_BATCH 256 /* datagrams read per wake-up, so TCP and files are not starved */

int vg_recv_udp_open(struct vg_logrecv *r, const struct sockaddr *sa, socklen_t salen,
		     struct recv_listener *l)
{
	int fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return VG_EIO;
	int one = 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	(void)setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	int rb = r->o.udp_rcvbuf;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof(rb));
	if (sa->sa_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, sa, salen) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return VG_EIO;
	}
	l->fd = fd;
	return VG_OK;
}

void vg_recv_udp_read(struct vg_logrecv *r, struct recv_listener *l)
{
	for (int k = 0; k < UDP_BATCH; k++) {
		struct sockaddr_storage from;
		struct iovec iov = { r->udp_buf, 65536 };
		union {
			char b[CMSG_SPACE(sizeof(uint32_t))];
			struct cmsghdr align;
		} cbuf;
		struct msghdr mh = { 0 };
		mh.msg_name = &from;
		mh.msg_namelen = sizeof(from);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf.b;
		mh.msg_controllen = sizeof(cbuf.b);
		ssize_t n = recvmsg(l->fd, &mh, 0);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				r->st.conn_errors++;
			return;
		}
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
				uint32_t ovfl;
				memcpy(&ovfl, CMSG_DATA(cm), sizeof(ovfl));
				/* the kernel's running count of drops on this socket */
				r->st.udp_kernel_drops += (uint32_t)(ovfl - l->ovfl);
				l->ovfl = ovfl;
			}
		}
		r->st.udp_datagrams++;
		r->st.bytes_received += (uint64_t)n;
		struct vg_frame_msg m;
		if (vg_frame_datagram(r->udp_buf, (size_t)n, 0, &m) != VG_OK)
			continue; /* empty datagram */
		char peer[64];
		vg_recv_fmt_addr((const struct sockaddr *)&from, peer, sizeof(peer));
		struct vg_log_source src = {
			.transport = VG_LOGT_UDP, .name = l->name, .peer = peer,
			.flags = (m.flags & VG_FRAME_F_TRUNCATED) ? VG_LOG_SRC_F_TRUNCATED : 0,
			.recv_us = vg_recv_wall_us(),
		};
		if (m.flags & VG_FRAME_F_TRUNCATED)
			r->st.truncated++;
		int rc = r->fn(r->ctx, m.p, m.len, &src);
		if (rc == VG_OK)
			r->st.messages++;
		else if (rc == VG_EFULL)
			r->st.udp_dropped++;
		else
			r->st.callback_errors++;
	}
}
