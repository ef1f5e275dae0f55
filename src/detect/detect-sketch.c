/* detect-sketch.c — HyperLogLog and an epoch count-min sketch (see detect-sketch.h). */
#include "detect/detect-sketch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"

void vg_hll_reset(struct vg_hll *h)
{
	memset(h->reg, 0, sizeof(h->reg));
}

void vg_hll_add(struct vg_hll *h, uint64_t hash)
{
	uint32_t idx = (uint32_t)(hash >> (64 - VG_HLL_P));
	uint64_t rest = hash << VG_HLL_P;
	/* rank = position of the first 1 bit in the remaining 64 - P bits, 1-based */
	uint8_t rank = 1;
	while (rank <= 64 - VG_HLL_P && !(rest & (1ull << 63))) {
		rest <<= 1;
		rank++;
	}
	if (rank > h->reg[idx])
		h->reg[idx] = rank;
}

uint64_t vg_hll_estimate(const struct vg_hll *h)
{
	double sum = 0;
	unsigned zeros = 0;
	for (unsigned i = 0; i < VG_HLL_M; i++) {
		sum += ldexp(1.0, -(int)h->reg[i]);
		zeros += h->reg[i] == 0;
	}
	double m = VG_HLL_M;
	double alpha = 0.7213 / (1.0 + 1.079 / m);
	double e = alpha * m * m / sum;
	if (e <= 2.5 * m && zeros)
		e = m * log(m / zeros); /* linear counting: exact-ish for small sets */
	return (uint64_t)(e + 0.5);
}

int vg_cms_init(struct vg_cms *cms, uint32_t width)
{
	memset(cms, 0, sizeof(*cms));
	uint32_t w = 64;
	while (w < width && w < (1u << 24))
		w <<= 1;
	cms->cells = calloc((size_t)VG_CMS_ROWS * w, sizeof(*cms->cells));
	if (!cms->cells)
		return VG_ENOMEM;
	cms->width = w;
	return 0;
}

void vg_cms_free(struct vg_cms *cms)
{
	if (!cms)
		return;
	free(cms->cells);
	cms->cells = NULL;
	cms->width = 0;
}

uint32_t vg_cms_add(struct vg_cms *cms, uint64_t hash, uint32_t epoch, int64_t ts,
		    int64_t *first_us)
{
	uint32_t est = UINT32_MAX;
	int64_t first = INT64_MIN;
	for (uint32_t r = 0; r < VG_CMS_ROWS; r++) {
		/* an independent index per row: murmur3's finalizer (full avalanche) over the
		 * hash offset by the row */
		uint64_t hr = hash + 0x9e3779b97f4a7c15ull * (r + 1);
		hr ^= hr >> 33;
		hr *= 0xff51afd7ed558ccdull;
		hr ^= hr >> 33;
		hr *= 0xc4ceb9fe1a85ec53ull;
		hr ^= hr >> 33;
		struct vg_cms_cell *c = &cms->cells[r * cms->width + (uint32_t)(hr & (cms->width - 1))];
		if (c->epoch != epoch) {
			c->epoch = epoch;
			c->count = 0;
			c->first_us = ts;
		}
		if (c->count < UINT32_MAX)
			c->count++;
		if (c->count < est)
			est = c->count;
		if (c->first_us > first)
			first = c->first_us;
	}
	if (first_us)
		*first_us = first;
	return est;
}
