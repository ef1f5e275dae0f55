/* logs-recv.c — the receivers' event loop: listeners (udp, tcp, tls), connections and
 * followed files in one poll(2) loop, timeouts, counters. Transport details live in
 * logs-recv-udp.c, logs-recv-tcp.c and logs-recv-tls.c. Contract in logs-recv.h. */
#include "logs/logs-recv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/core-error.h"
#include "core/core-log.h"
#include "core/core-str.h"
#include "logs/logs-recv-int.h"

int64_t vg_recv_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t vg_recv_wall_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

const char *vg_log_transport_name(enum vg_log_transport t)
{
	switch (t) {
	case VG_LOGT_UDP: return "udp";
	case VG_LOGT_TCP: return "tcp";
	case VG_LOGT_TLS: return "tls";
	case VG_LOGT_FILE: return "file";
	}
	return "?";
}

struct vg_logrecv *vg_logrecv_new(const struct vg_logrecv_opts *opts, vg_log_line_fn fn,
				  void *ctx, int *err)
{
	*err = VG_OK;
	struct vg_logrecv *r = calloc(1, sizeof(*r));
	if (!r) {
		*err = VG_ENOMEM;
		return NULL;
	}
	if (opts)
		r->o = *opts;
	r->o.max_conns = (unsigned)vg_clamp_u64(r->o.max_conns ? r->o.max_conns : VG_SYSLOG_MAX_CONNS,
						1, VG_SYSLOG_MAX_CONNS);
	r->o.idle_timeout_s = (unsigned)vg_clamp_u64(
		r->o.idle_timeout_s ? r->o.idle_timeout_s : VG_SYSLOG_IDLE_TIMEOUT_S, 1,
		VG_SYSLOG_MAX_IDLE_TIMEOUT_S);
	r->o.follow_interval_ms = (unsigned)vg_clamp_u64(
		r->o.follow_interval_ms ? r->o.follow_interval_ms : 250, 10, 1000);
	if (r->o.udp_rcvbuf <= 0)
		r->o.udp_rcvbuf = 4 << 20;
	r->fn = fn;
	r->ctx = ctx;
	r->conns = calloc(r->o.max_conns, sizeof(*r->conns));
	r->udp_buf = malloc(65536);
	if (!r->conns || !r->udp_buf) {
		*err = VG_ENOMEM;
		vg_logrecv_free(r);
		return NULL;
	}
	for (size_t i = 0; i < VG_SYSLOG_MAX_LISTENERS; i++)
		r->lst[i].fd = -1;
	return r;
}

/* Split "scheme://host:port" ("[v6]:port" too). */
static int parse_url(const char *url, enum vg_log_transport *t, char *host, size_t hostsz,
		     uint16_t *port)
{
	const char *sep = strstr(url, "://");
	if (!sep)
		return VG_EINVAL;
	struct vg_str scheme = vg_str_make(url, (size_t)(sep - url));
	if (vg_str_casecmp_cstr(scheme, "udp"))
		*t = VG_LOGT_UDP;
	else if (vg_str_casecmp_cstr(scheme, "tcp"))
		*t = VG_LOGT_TCP;
	else if (vg_str_casecmp_cstr(scheme, "tls"))
		*t = VG_LOGT_TLS;
	else
		return VG_EINVAL;
	const char *h = sep + 3;
	const char *colon;
	size_t hl;
	if (*h == '[') {
		const char *rb = strchr(h, ']');
		if (!rb || rb[1] != ':')
			return VG_EINVAL;
		h++;
		hl = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		colon = strrchr(h, ':');
		if (!colon)
			return VG_EINVAL;
		hl = (size_t)(colon - h);
	}
	if (hl == 0) { /* "tcp://:514": loopback, never all interfaces by accident */
		vg_strlcpy(host, "127.0.0.1", 9, hostsz);
	} else {
		if (hl >= hostsz)
			return VG_EINVAL;
		vg_strlcpy(host, h, hl, hostsz);
	}
	uint64_t p;
	const char *ps = colon + 1;
	size_t pl = strlen(ps);
	while (pl > 0 && ps[pl - 1] == '/')
		pl--;
	if (vg_parse_u64(ps, pl, 65535, &p))
		return VG_EINVAL;
	*port = (uint16_t)p;
	return VG_OK;
}

void vg_recv_fmt_addr(const struct sockaddr *sa, char *out, size_t outsz)
{
	char a[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
		snprintf(out, outsz, "%s:%u", a, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
		snprintf(out, outsz, "[%s]:%u", a, port);
	} else {
		snprintf(out, outsz, "?");
	}
}

int vg_logrecv_listen(struct vg_logrecv *r, const char *url, char *bound, size_t boundsz)
{
	if (bound && boundsz)
		bound[0] = 0;
	if (r->nlst >= VG_SYSLOG_MAX_LISTENERS)
		return VG_EFULL;
	enum vg_log_transport t;
	char host[256];
	uint16_t port;
	int rc = parse_url(url, &t, host, sizeof(host), &port);
	if (rc)
		return rc;
	struct addrinfo hints = { 0 }, *ai = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = t == VG_LOGT_UDP ? SOCK_DGRAM : SOCK_STREAM;
	char ps[8];
	snprintf(ps, sizeof(ps), "%u", port);
	hints.ai_flags = AI_NUMERICSERV;
	if (getaddrinfo(host, ps, &hints, &ai) != 0 || !ai)
		return VG_EINVAL;
	if (t == VG_LOGT_TLS && !r->tls) {
		rc = vg_recv_tls_setup(r);
		if (rc) {
			freeaddrinfo(ai);
			return rc;
		}
	}
	struct recv_listener *l = &r->lst[r->nlst];
	l->transport = t;
	if (t == VG_LOGT_UDP)
		rc = vg_recv_udp_open(r, ai->ai_addr, ai->ai_addrlen, l);
	else
		rc = vg_recv_tcp_open(r, ai->ai_addr, ai->ai_addrlen, l);
	freeaddrinfo(ai);
	if (rc)
		return rc;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char addr[80] = "?";
	if (getsockname(l->fd, (struct sockaddr *)&ss, &sl) == 0)
		vg_recv_fmt_addr((struct sockaddr *)&ss, addr, sizeof(addr));
	snprintf(l->name, sizeof(l->name), "%s://%s", vg_log_transport_name(t), addr);
	if (bound && boundsz)
		snprintf(bound, boundsz, "%s %s", vg_log_transport_name(t), addr);
	r->nlst++;
	return VG_OK;
}

int vg_logrecv_follow(struct vg_logrecv *r, const char *path)
{
	if (!r->follow) {
		r->follow = vg_follow_new(r->o.state_path, r->o.follow_from_end);
		if (!r->follow)
			return VG_ENOMEM;
	}
	return vg_follow_add(r->follow, path);
}

static int follow_cb(void *ctx, const char *line, size_t len, const struct vg_log_source *src)
{
	struct vg_logrecv *r = ctx;
	int rc = r->fn(r->ctx, line, len, src);
	if (rc == VG_OK)
		r->st.messages++;
	else if (rc != VG_EFULL)
		r->st.callback_errors++;
	return rc;
}

static void remove_conn(struct vg_logrecv *r, size_t i)
{
	vg_recv_conn_close(r, r->conns[i]);
	r->conns[i] = r->conns[--r->nconns];
	r->conns[r->nconns] = NULL;
}

int vg_logrecv_run_once(struct vg_logrecv *r, int timeout_ms)
{
	size_t nfd = r->nlst + r->nconns;
	struct pollfd *pfd = calloc(nfd ? nfd : 1, sizeof(*pfd));
	if (!pfd)
		return VG_ENOMEM;
	int64_t now = vg_recv_mono_ms();
	bool busy = false;
	for (size_t i = 0; i < r->nlst; i++) {
		pfd[i].fd = r->lst[i].fd;
		pfd[i].events = POLLIN;
	}
	size_t nc = r->nconns;
	for (size_t i = 0; i < nc; i++) {
		struct recv_conn *c = r->conns[i];
		short ev = vg_recv_conn_events(c);
		/* a paused connection is not polled at all: a peer that hung up meanwhile would
		 * otherwise make poll report POLLHUP at once, over and over */
		pfd[r->nlst + i].fd = ev ? c->fd : -1;
		pfd[r->nlst + i].events = ev;
		if (c->paused || (c->tls && vg_recv_tls_pending(c) > 0))
			busy = true;
	}
	if (r->follow) {
		int64_t left = r->next_follow_ms - now;
		if (left < 0)
			left = 0;
		if (timeout_ms < 0 || left < timeout_ms)
			timeout_ms = (int)left;
	}
	if (busy && (timeout_ms < 0 || timeout_ms > 5))
		timeout_ms = 5; /* retry paused connections soon */
	int n = poll(pfd, nfd, timeout_ms);
	if (n < 0 && errno != EINTR) {
		free(pfd);
		return VG_EIO;
	}
	now = vg_recv_mono_ms();
	/* connections first (the array changes when listeners accept) */
	int64_t idle_ms = (int64_t)r->o.idle_timeout_s * 1000;
	for (size_t i = nc; i-- > 0;) {
		struct recv_conn *c = r->conns[i];
		short rev = n > 0 ? pfd[r->nlst + i].revents : 0;
		bool keep = true;
		if (c->paused)
			keep = vg_recv_conn_deliver(r, c);
		if (keep && (rev || (c->tls && vg_recv_tls_pending(c) > 0)))
			keep = vg_recv_conn_io(r, c, rev);
		if (keep && c->handshaking &&
		    now - c->start_ms > (int64_t)VG_SYSLOG_TLS_HANDSHAKE_S * 1000) {
			r->st.tls_handshake_failed++;
			keep = false;
		} else if (keep && !c->paused && now - c->last_ms > idle_ms) {
			r->st.conn_idle_closed++;
			keep = false;
		}
		if (!keep)
			remove_conn(r, i);
	}
	for (size_t i = 0; n > 0 && i < r->nlst; i++) {
		if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
			continue;
		if (r->lst[i].transport == VG_LOGT_UDP)
			vg_recv_udp_read(r, &r->lst[i]);
		else
			vg_recv_tcp_accept(r, &r->lst[i]);
	}
	free(pfd);
	if (r->follow && now >= r->next_follow_ms) {
		vg_follow_poll(r->follow, follow_cb, r);
		r->next_follow_ms = now + r->o.follow_interval_ms;
	}
	return VG_OK;
}

int vg_logrecv_save_state(struct vg_logrecv *r)
{
	return r->follow ? vg_follow_save(r->follow) : VG_OK;
}

void vg_logrecv_shutdown(struct vg_logrecv *r)
{
	if (r->shut)
		return;
	r->shut = true;
	/* what is already in the sockets' buffers is read once more, then streams end */
	for (size_t i = 0; i < r->nlst; i++)
		if (r->lst[i].transport == VG_LOGT_UDP)
			vg_recv_udp_read(r, &r->lst[i]);
	while (r->nconns > 0) {
		struct recv_conn *c = r->conns[r->nconns - 1];
		if (!c->handshaking && !c->paused)
			(void)vg_recv_conn_io(r, c, POLLIN);
		c->eof = true;
		/* the processing side is still running: give a paused connection time to
		 * hand over what it holds (bounded: 5 s) */
		for (int tries = 0; vg_recv_conn_deliver(r, c) && c->paused && tries < 1000; tries++)
			usleep(5000);
		remove_conn(r, r->nconns - 1);
	}
	if (r->follow)
		vg_follow_poll(r->follow, follow_cb, r);
	for (size_t i = 0; i < r->nlst; i++) {
		if (r->lst[i].fd >= 0)
			close(r->lst[i].fd);
		r->lst[i].fd = -1;
	}
	r->nlst = 0;
}

void vg_logrecv_stats(const struct vg_logrecv *r, struct vg_logrecv_stats *out)
{
	*out = r->st;
	if (r->follow) {
		struct vg_follow_stats fs;
		vg_follow_stats(r->follow, &fs);
		out->file_lines = fs.lines;
		out->file_rotations = fs.rotations;
		out->file_truncations = fs.truncations;
		out->file_errors = fs.errors;
		out->truncated += fs.truncated;
		out->backpressure += fs.backpressure;
	}
}

void vg_logrecv_free(struct vg_logrecv *r)
{
	if (!r)
		return;
	/* no delivery and no save here: after an error the processing side may be gone,
	 * and positions must not move past lines nobody processed */
	for (size_t i = 0; i < r->nconns; i++) {
		r->conns[i]->blen = 0;
		r->conns[i]->paused = false;
		vg_recv_conn_close(r, r->conns[i]);
	}
	r->nconns = 0;
	vg_follow_free(r->follow);
	for (size_t i = 0; i < r->nlst; i++)
		if (r->lst[i].fd >= 0)
			close(r->lst[i].fd);
	vg_recv_tls_free(r);
	free(r->conns);
	free(r->udp_buf);
	free(r);
}
