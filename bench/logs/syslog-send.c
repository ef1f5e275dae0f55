/* syslog-send.c — benchmark sender: pushes N syslog messages over one TCP connection to
 * HOST:PORT as fast as the receiver takes them (blocking writes of 64 KiB batches), with
 * RFC 6587 octet counting or LF framing, and prints what it sent:
 *   sent=N bytes=B seconds=S msgs_per_s=R
 * Messages are RFC 5424 sshd lines (failed passwords from varied IPv4/IPv6 sources and
 * users), or the lines of FILE (cycled; "<38>" is put in front of lines without a PRI),
 * so the receiver's parsers and rules do real work.
 * usage: syslog-send HOST PORT COUNT [octet|lf] [FILE] */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/core-str.h"

/* The lines of a file, kept in memory (the benchmark's auth log is ~100 MB). */
struct lines {
	char *data;
	size_t *off, *len, n;
};

static int load_lines(const char *path, struct lines *L)
{
	memset(L, 0, sizeof(*L));
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	struct vg_buf b;
	vg_buf_init(&b, 0);
	char chunk[1 << 16];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (vg_buf_append(&b, chunk, n) != 0)
			break;
	fclose(f);
	size_t cap = 1024;
	L->off = malloc(cap * sizeof(size_t));
	L->len = malloc(cap * sizeof(size_t));
	for (size_t i = 0; i < b.len && L->off && L->len;) {
		char *nl = memchr(b.data + i, '\n', b.len - i);
		size_t e = nl ? (size_t)(nl - b.data) : b.len;
		if (e > i) {
			if (L->n == cap) {
				cap *= 2;
				L->off = realloc(L->off, cap * sizeof(size_t));
				L->len = realloc(L->len, cap * sizeof(size_t));
				if (!L->off || !L->len)
					break;
			}
			L->off[L->n] = i;
			L->len[L->n++] = e - i;
		}
		i = e + 1;
	}
	L->data = vg_buf_steal(&b);
	return L->n && L->off && L->len ? 0 : -1;
}

static const char *users[] = { "root", "admin", "test", "oracle", "ubuntu", "postgres",
			       "alice", "deploy" };

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t port, count;
	if (argc < 4 || vg_parse_u64_cstr(argv[2], 65535, &port) ||
	    vg_parse_u64_cstr(argv[3], UINT64_MAX, &count)) {
		fprintf(stderr, "usage: syslog-send HOST PORT COUNT [octet|lf]\n");
		return 2;
	}
	int octet = argc < 5 || strcmp(argv[4], "lf") != 0;
	struct lines L = { 0 };
	if (argc > 5 && load_lines(argv[5], &L) != 0) {
		fprintf(stderr, "syslog-send: cannot read lines of %s\n", argv[5]);
		return 2;
	}
	struct addrinfo hints = { 0 }, *ai;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0) {
		fprintf(stderr, "syslog-send: cannot resolve %s\n", argv[1]);
		return 2;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		perror("syslog-send: connect");
		return 1;
	}
	freeaddrinfo(ai);
	static char batch[1 << 16];
	size_t blen = 0;
	uint64_t bytes = 0;
	double t0 = now_s();
	for (uint64_t i = 0; i < count; i++) {
		char msg[512], hdr[16];
		unsigned s = (unsigned)(i * 2654435761u);
		int n;
		if (L.n) {
			size_t k = (size_t)(i % L.n), l = L.len[k];
			const char *line = L.data + L.off[k];
			if (l > sizeof(msg) - 8)
				l = sizeof(msg) - 8;
			n = 0;
			if (line[0] != '<') {
				memcpy(msg, "<38>", 4);
				n = 4;
			}
			memcpy(msg + n, line, l);
			n += (int)l;
		} else if (i % 5 == 4)
			n = snprintf(msg, sizeof(msg),
				     "<38>1 2026-11-22T23:%02u:%02u.%06u+00:00 hv-%02u sshd %u - - Failed "
				     "password for invalid user %s from 2001:db8:%x::%x port %u ssh2",
				     (unsigned)(i / 60000) % 60, (unsigned)(i / 1000) % 60,
				     (unsigned)(i % 1000000), s % 32, 1000 + s % 60000, users[s % 8],
				     s >> 16, s & 0xffff, 1024 + s % 60000);
		else
			n = snprintf(msg, sizeof(msg),
				     "<38>1 2026-11-22T23:%02u:%02u.%06u+00:00 hv-%02u sshd %u - - Failed "
				     "password for %s from %u.%u.%u.%u port %u ssh2",
				     (unsigned)(i / 60000) % 60, (unsigned)(i / 1000) % 60,
				     (unsigned)(i % 1000000), s % 32, 1000 + s % 60000, users[s % 8],
				     45 + s % 180, (s >> 8) & 255, (s >> 16) & 255, 1 + (s >> 24) % 254,
				     1024 + s % 60000);
		int h = octet ? snprintf(hdr, sizeof(hdr), "%d ", n) : 0;
		if (blen + (size_t)h + (size_t)n + 1 > sizeof(batch)) {
			if (send_all(fd, batch, blen) != 0) {
				perror("syslog-send: send");
				return 1;
			}
			bytes += blen;
			blen = 0;
		}
		memcpy(batch + blen, hdr, (size_t)h);
		blen += (size_t)h;
		memcpy(batch + blen, msg, (size_t)n);
		blen += (size_t)n;
		if (!octet)
			batch[blen++] = '\n';
	}
	if (blen && send_all(fd, batch, blen) != 0) {
		perror("syslog-send: send");
		return 1;
	}
	bytes += blen;
	shutdown(fd, SHUT_WR);
	/* wait for the receiver to close or for EOF, so the timing includes its reading */
	char tmp[256];
	while (recv(fd, tmp, sizeof(tmp), 0) > 0)
		;
	double dt = now_s() - t0;
	close(fd);
	printf("sent=%llu bytes=%llu seconds=%.3f msgs_per_s=%.0f\n", (unsigned long long)count,
	       (unsigned long long)bytes, dt, dt > 0 ? (double)count / dt : 0.0);
	return 0;
}
