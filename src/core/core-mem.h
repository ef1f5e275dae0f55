/* core-mem.h — memory for the packet path's large tables: zeroed mappings on transparent
 * huge pages, and a block pool for the many small power-of-two arrays of a detector.
 *
 * Why: the scan detector's trackers and sets and the flow table are tens of MiB touched at
 * random. From malloc, each first touch of a 4 KiB page is a page fault (tens of
 * thousands per run, ~5 % of a run's CPU on a VM) and each random access a likely TLB
 * miss; and the sets' growth is a malloc/free pair per doubling. Huge pages cut both
 * (THP in "madvise" or "always" mode; otherwise ordinary pages, same behaviour). */
#ifndef VG_CORE_MEM_H
#define VG_CORE_MEM_H

#include <stddef.h>
#include <stdint.h>

/* Zeroed anonymous memory of len bytes, backed only as it is touched (MAP_NORESERVE);
 * regions of 2 MiB or more ask for transparent huge pages (advisory). NULL on failure.
 * Release with vg_mem_unmap(p, len); vg_mem_unmap(NULL, ...) is a no-op. */
void *vg_mem_map_zeroed(size_t len);
void vg_mem_unmap(void *p, size_t len);

/* Back the malloc heap with transparent huge pages (what glibc's glibc.malloc.hugetlb=1
 * tunable does), for a process whose state is many small heap blocks touched at random
 * (vigil logscan's correlation state: ~20 MB, ~5,000 page faults of 4 KiB otherwise):
 * keep a 64 MiB top pad so the heap grows in one region, grow it once now, and advise
 * huge pages on it. Only touched memory becomes resident (in 2 MiB steps). glibc-specific
 * and best effort: any step that fails (another allocator, no THP) leaves the ordinary
 * heap. Call once at start, before the state is built. */
void vg_mem_heap_hugepages(void);

/* Block pool: a buddy allocator over one region reserved at creation
 * (vg_mem_map_zeroed: untouched parts cost nothing). Blocks are VG_BLOCKS_MIN << c bytes
 * (c < VG_BLOCKS_CLASSES), cache-line aligned; a larger free block is split for a smaller
 * request and a freed block is merged with its free buddy, so memory freed at one size
 * serves requests of another. A request the pool cannot serve (larger than the biggest
 * class, or the region full) comes from calloc instead; vg_blocks_free tells the two apart
 * by address. Blocks are zeroed. Not thread-safe: one pool per detector. */
#define VG_BLOCKS_MIN 64u
#define VG_BLOCKS_CLASSES 15u /* 64 B .. 1 MiB */
#define VG_BLOCKS_MAX ((size_t)VG_BLOCKS_MIN << (VG_BLOCKS_CLASSES - 1))

struct vg_blocks {
	uint8_t *base;
	size_t len, bump;            /* region; [0, bump) carved into top-level blocks */
	uint8_t *tag;                /* per VG_BLOCKS_MIN unit: class + 1 of the free block
	                              * starting there, 0 when none */
	void *free_list[VG_BLOCKS_CLASSES]; /* doubly linked through the free blocks */
	uint64_t from_region, from_heap; /* blocks handed out, where from (statistics) */
};

/* Reserve a region of len bytes (rounded up to VG_BLOCKS_MAX). 0 or VG_ENOMEM. */
int vg_blocks_init(struct vg_blocks *b, size_t len);
/* Release the region. Blocks still out from the heap must be freed before (or leak);
 * blocks from the region go with it. NULL is a no-op. */
void vg_blocks_destroy(struct vg_blocks *b);
/* A zeroed block of at least size bytes, or NULL (out of memory). */
void *vg_blocks_alloc(struct vg_blocks *b, size_t size);
/* Return a block with the size it was allocated with. NULL is a no-op. */
void vg_blocks_free(struct vg_blocks *b, void *p, size_t size);

#endif
