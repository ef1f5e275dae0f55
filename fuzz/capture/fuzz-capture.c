/* fuzz-capture.c — arbitrary bytes as a capture file (pcap, pcapng, or neither) read
 * through vg_capture_open_files twice in a row: every packet must lie within its caplen,
 * errors must name the file, and the second copy must be read after any error in the
 * first (a bad file never stops the run). The file lives in a memfd, read by path. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-capture", 0);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	const char *paths[2] = { path, path };
	struct vg_capture *cap = NULL;
	if (vg_capture_open_files(paths, 2, &cap, NULL) == 0) {
		size_t seen_second = 0;
		for (int guard = 0; guard < 100000; guard++) {
			int64_t ts;
			const uint8_t *d;
			uint32_t cl, wl;
			int rc = vg_capture_next(cap, &ts, &d, &cl, &wl);
			if (rc == 0)
				break;
			if (rc < 0) {
				if (!strstr(vg_capture_error(cap), path))
					__builtin_trap();
				continue;
			}
			/* Touch every byte libpcap hands over: ASan checks the bounds. */
			volatile uint8_t x = 0;
			for (uint32_t i = 0; i < cl; i++)
				x ^= d[i];
			(void)x;
			if (vg_capture_file_index(cap) == 1)
				seen_second++;
		}
		struct vg_capture_stats st;
		vg_capture_stats(cap, &st);
		if (st.files_done + st.files_failed != 2)
			__builtin_trap();
		vg_capture_close(cap);
	}
	close(fd);
	return 0;
}
