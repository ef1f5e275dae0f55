/* detect-sketch.h — fixed-size probabilistic counters for detectors whose keys an attacker
 * chooses (spoofed sources, random destinations): memory does not grow with the number of
 * distinct keys.
 *
 *  - vg_hll: HyperLogLog distinct counter, 2^VG_HLL_P one-byte registers (256 bytes,
 *    standard error about 1.04/sqrt(256) = 6.5%), linear counting for small cardinalities
 *    so that one source reads as 1.
 *  - vg_cms: count-min sketch over tumbling epochs (cells carry their epoch, so a new epoch
 *    costs nothing up front); never under-counts within an epoch; also keeps, per cell,
 *    the first time it was hit in the epoch.
 * Callers hash keys with their own seeded SipHash and pass the 64-bit hash. */
#ifndef VG_DETECT_SKETCH_H
#define VG_DETECT_SKETCH_H

#include <stdint.h>

#define VG_HLL_P 8
#define VG_HLL_M (1u << VG_HLL_P)

struct vg_hll {
	uint8_t reg[VG_HLL_M];
};

void vg_hll_reset(struct vg_hll *h);
void vg_hll_add(struct vg_hll *h, uint64_t hash);
uint64_t vg_hll_estimate(const struct vg_hll *h);

#define VG_CMS_ROWS 4u

struct vg_cms_cell {
	uint32_t epoch;
	uint32_t count;
	int64_t first_us;
};

struct vg_cms {
	uint32_t width;               /* cells per row, a power of two */
	struct vg_cms_cell *cells;    /* VG_CMS_ROWS * width */
};

/* width is rounded up to a power of two (>= 64). *cms is zeroed on entry; 0 or VG_ENOMEM.
 * Free with vg_cms_free (NULL-safe; the struct itself is the caller's). */
int vg_cms_init(struct vg_cms *cms, uint32_t width);
void vg_cms_free(struct vg_cms *cms);
/* Add one hit of key hash in epoch (>= 1) at ts; returns the estimate for the key in that
 * epoch after the hit and, in *first_us, the latest first-hit time among its cells (the
 * best bound on when the key itself was first seen in the epoch). */
uint32_t vg_cms_add(struct vg_cms *cms, uint64_t hash, uint32_t epoch, int64_t ts,
		    int64_t *first_us);

#endif
