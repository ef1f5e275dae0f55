/* pcap-loop.c — the baseline of the packet-path benchmark: a bare libpcap read loop.
 *
 *   pcap-loop [-b | -d] FILE...
 *
 * pcap_open_offline + pcap_next_ex over each file (with -b: the file opened with a 1 MiB
 * stdio buffer and handed to pcap_fopen_offline, as vigil opens capture files; without
 * it stdio's default buffer, the file's block size, means a read(2) per 4 KiB; with -d: the
 * same buffer, no stdio locking, and pcap_dispatch with a callback instead of a
 * pcap_next_ex call per packet, as vigil's reader reads files), counting packets and captured bytes
 * and touching the first and last byte of each frame (so the data is really read, as a
 * decoder would). Prints one line: "packets N bytes B seconds S pps P" (S is the
 * process's CPU time, user + system; the wall time is printed too). This is the upper
 * bound any pcap-file consumer can reach on this machine: vigil analyze is measured
 * against it. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double wall_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct counts {
	uint64_t packets, bytes;
	unsigned sink;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *d)
{
	struct counts *c = (struct counts *)(void *)user;
	c->packets++;
	c->bytes += h->caplen;
	if (h->caplen)
		c->sink += d[0] + d[h->caplen - 1];
}

int main(int argc, char **argv)
{
	int first = 1, dispatch = 0;
	char *iobuf = NULL;
	if (argc > 1 && strcmp(argv[1], "-d") == 0)
		dispatch = 1;
	if (argc > 1 && (strcmp(argv[1], "-b") == 0 || dispatch)) {
		first = 2;
		iobuf = malloc(1u << 20);
		if (!iobuf)
			return 1;
	}
	if (argc <= first) {
		fprintf(stderr, "usage: pcap-loop [-b | -d] FILE...\n");
		return 2;
	}
	double w0 = wall_seconds(), c0 = cpu_seconds();
	uint64_t packets = 0, bytes = 0;
	unsigned sink = 0;
	for (int i = first; i < argc; i++) {
		char err[PCAP_ERRBUF_SIZE] = "";
		pcap_t *p = NULL;
		if (iobuf) {
			FILE *fp = fopen(argv[i], "rb");
			if (fp) {
				setvbuf(fp, iobuf, _IOFBF, 1u << 20);
				if (dispatch)
					__fsetlocking(fp, FSETLOCKING_BYCALLER);
				p = pcap_fopen_offline(fp, err);
				if (!p)
					fclose(fp);
			} else {
				snprintf(err, sizeof(err), "cannot open %s", argv[i]);
			}
		} else {
			p = pcap_open_offline(argv[i], err);
		}
		if (!p) {
			fprintf(stderr, "pcap-loop: %s\n", err);
			return 1;
		}
		struct pcap_pkthdr *h;
		const u_char *d;
		int rc;
		if (dispatch) {
			struct counts c = { 0, 0, 0 };
			while ((rc = pcap_dispatch(p, 1024, on_packet, (u_char *)&c)) > 0)
				;
			packets += c.packets;
			bytes += c.bytes;
			sink += c.sink;
		} else {
			while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
				packets++;
				bytes += h->caplen;
				if (h->caplen)
					sink += d[0] + d[h->caplen - 1];
			}
		}
		if (rc == PCAP_ERROR) {
			fprintf(stderr, "pcap-loop: %s: %s\n", argv[i], pcap_geterr(p));
			pcap_close(p);
			return 1;
		}
		pcap_close(p);
	}
	double cpu = cpu_seconds() - c0, wall = wall_seconds() - w0;
	free(iobuf);
	printf("packets %llu bytes %llu seconds %.3f wall %.3f pps %.0f check %u\n",
	       (unsigned long long)packets, (unsigned long long)bytes, cpu, wall,
	       cpu > 0 ? (double)packets / cpu : 0.0, sink & 1);
	return 0;
}
