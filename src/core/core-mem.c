/* core-mem.c — huge-page mappings and the block pool (see core-mem.h). */
#include "core/core-mem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/core-error.h"

#define HUGE_2M ((size_t)2 << 20)

void *vg_mem_map_zeroed(size_t len)
{
	if (len == 0)
		return NULL;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_HUGEPAGE
	if (len >= HUGE_2M)
		(void)madvise(p, len, MADV_HUGEPAGE); /* advisory: fine if refused */
#endif
	return p;
}

void vg_mem_unmap(void *p, size_t len)
{
	if (p && len)
		(void)munmap(p, len);
}

int vg_blocks_init(struct vg_blocks *b, size_t len)
{
	memset(b, 0, sizeof(*b));
	len = (len + HUGE_2M - 1) & ~(HUGE_2M - 1);
	if (len == 0)
		len = HUGE_2M;
	b->base = vg_mem_map_zeroed(len);
	if (!b->base)
		return VG_ENOMEM;
	b->len = len;
	return 0;
}

void vg_blocks_destroy(struct vg_blocks *b)
{
	if (!b)
		return;
	vg_mem_unmap(b->base, b->len);
	memset(b, 0, sizeof(*b));
}

/* Size class of a request, or VG_BLOCKS_CLASSES when it is too large for the pool. */
static unsigned class_of(size_t size)
{
	unsigned c = 0;
	size_t s = VG_BLOCKS_MIN;
	while (s < size && c < VG_BLOCKS_CLASSES) {
		s <<= 1;
		c++;
	}
	return c;
}

void *vg_blocks_alloc(struct vg_blocks *b, size_t size)
{
	unsigned c = class_of(size);
	if (c < VG_BLOCKS_CLASSES) {
		size_t bs = (size_t)VG_BLOCKS_MIN << c;
		void *p = b->free_list[c];
		if (p) {
			memcpy(&b->free_list[c], p, sizeof(void *)); /* the link is in the block */
			memset(p, 0, bs);
			b->from_region++;
			return p;
		}
		/* Carved in order (every size is a multiple of 64: blocks stay cache-line
		 * aligned, no gaps). Fresh region memory is zero. */
		if (b->base && b->len - b->bump >= bs) {
			void *q = b->base + b->bump;
			b->bump += bs;
			b->from_region++;
			return q;
		}
	}
	b->from_heap++;
	return calloc(1, size);
}

void vg_blocks_free(struct vg_blocks *b, void *p, size_t size)
{
	if (!p)
		return;
	uint8_t *u = p;
	if (b->base && u >= b->base && u < b->base + b->len) {
		unsigned c = class_of(size);
		memcpy(p, &b->free_list[c], sizeof(void *));
		b->free_list[c] = p;
		return;
	}
	free(p);
}
