/* core-mem.c — huge-page mappings and the block pool (see core-mem.h). */
#include "core/core-mem.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

#define HEAP_PAD (64u << 20)
#define HEAP_PROBE_BLOCK (96u << 10) /* under the default mmap threshold: from the heap */
#define HEAP_PROBE_MAX 64

void vg_mem_heap_hugepages(void)
{
#if defined(M_TOP_PAD) && defined(MADV_HUGEPAGE)
	if (mallopt(M_TOP_PAD, (int)HEAP_PAD) != 1)
		return;
	void *blk[HEAP_PROBE_MAX];
	int n = 0;
	uintptr_t lo = (uintptr_t)sbrk(0);
	uintptr_t hi = lo;
	/* Use up the top of the heap so the next block grows it by HEAP_PAD. */
	while (n < HEAP_PROBE_MAX && hi - lo < HEAP_PAD / 2) {
		blk[n] = malloc(HEAP_PROBE_BLOCK);
		if (!blk[n])
			break;
		n++;
		hi = (uintptr_t)sbrk(0);
	}
	for (int i = 0; i < n; i++)
		free(blk[i]);
	uintptr_t a = (lo + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1);
	uintptr_t b = hi & ~(uintptr_t)(HUGE_2M - 1);
	if (b > a)
		(void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#endif
}

/* Free-list links, kept in the first 16 bytes of a free block. */
struct fblk {
	struct fblk *prev, *next;
};

int vg_blocks_init(struct vg_blocks *b, size_t len)
{
	memset(b, 0, sizeof(*b));
	len = (len + VG_BLOCKS_MAX - 1) & ~(VG_BLOCKS_MAX - 1);
	if (len == 0)
		len = VG_BLOCKS_MAX;
	b->len = len; /* before mapping: a failure unmaps what was mapped, at its length */
	b->base = vg_mem_map_zeroed(len);
	b->tag = vg_mem_map_zeroed(len / VG_BLOCKS_MIN);
	if (!b->base || !b->tag) {
		vg_blocks_destroy(b);
		return VG_ENOMEM;
	}
	return 0;
}

void vg_blocks_destroy(struct vg_blocks *b)
{
	if (!b)
		return;
	vg_mem_unmap(b->base, b->len);
	vg_mem_unmap(b->tag, b->len / VG_BLOCKS_MIN);
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

static size_t unit_of(const struct vg_blocks *b, const void *p)
{
	return (size_t)((const uint8_t *)p - b->base) / VG_BLOCKS_MIN;
}

static void list_push(struct vg_blocks *b, unsigned c, uint8_t *p)
{
	struct fblk *f = (struct fblk *)(void *)p, *h = b->free_list[c];
	f->prev = NULL;
	f->next = h;
	if (h)
		h->prev = f;
	b->free_list[c] = f;
	b->tag[unit_of(b, p)] = (uint8_t)(c + 1);
}

static void list_remove(struct vg_blocks *b, unsigned c, uint8_t *p)
{
	struct fblk *f = (struct fblk *)(void *)p;
	if (f->prev)
		f->prev->next = f->next;
	else
		b->free_list[c] = f->next;
	if (f->next)
		f->next->prev = f->prev;
	b->tag[unit_of(b, p)] = 0;
}

/* A free block of class c from the region (split from a larger one, or a new top-level
 * block), not zeroed; NULL when the region has none. */
static uint8_t *region_take(struct vg_blocks *b, unsigned c)
{
	unsigned k = c;
	while (k < VG_BLOCKS_CLASSES && !b->free_list[k])
		k++;
	uint8_t *p;
	if (k < VG_BLOCKS_CLASSES) {
		p = b->free_list[k];
		list_remove(b, k, p);
	} else if (b->len - b->bump >= VG_BLOCKS_MAX) {
		p = b->base + b->bump;
		b->bump += VG_BLOCKS_MAX;
		k = VG_BLOCKS_CLASSES - 1;
	} else {
		return NULL;
	}
	/* split: keep the lower half, free the upper one, down to class c */
	while (k > c) {
		k--;
		list_push(b, k, p + ((size_t)VG_BLOCKS_MIN << k));
	}
	return p;
}

void *vg_blocks_alloc(struct vg_blocks *b, size_t size)
{
	unsigned c = class_of(size);
	if (c < VG_BLOCKS_CLASSES && b->base) {
		uint8_t *p = region_take(b, c);
		if (p) {
			memset(p, 0, (size_t)VG_BLOCKS_MIN << c);
			b->from_region++;
			return p;
		}
	}
	b->from_heap++;
	return calloc(1, size ? size : 1);
}

void vg_blocks_free(struct vg_blocks *b, void *p, size_t size)
{
	if (!p)
		return;
	uint8_t *u = p;
	if (!b->base || u < b->base || u >= b->base + b->len) {
		free(p);
		return;
	}
	unsigned c = class_of(size);
	size_t off = (size_t)(u - b->base);
	/* merge with the buddy while it is free at the same size */
	while (c + 1 < VG_BLOCKS_CLASSES) {
		size_t bud = off ^ ((size_t)VG_BLOCKS_MIN << c);
		if (b->tag[bud / VG_BLOCKS_MIN] != c + 1)
			break;
		list_remove(b, c, b->base + bud);
		off &= ~((size_t)VG_BLOCKS_MIN << c);
		c++;
	}
	list_push(b, c, b->base + off);
}
