/*
 * frame_alloc.h - the physical frame allocator.
 *
 * A bitmap over frames [0, nframes), one bit per 4 KiB frame, 1 = not free.
 * Built once from the boot memory map; pure C so host tests drive it.
 *
 * Invariants:
 *  - a frame is free only if it lies wholly inside some usable region and
 *    touches no non-usable region (where regions overlap, reserved wins);
 *  - frame 0 and the frames holding the bitmap itself are never free;
 *  - free_count equals the number of clear bits;
 *  - frame_free refuses (and changes nothing for) a frame that is unaligned,
 *    outside the bitmap, never usable, or already free.
 *
 * SMP: one global lock around alloc/free will be needed; today the kernel is
 * single core with interrupts off in kernel mode.
 */
#ifndef KERN_MM_FRAME_ALLOC_H
#define KERN_MM_FRAME_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_SIZE 4096u

struct frame_region {
	uint64_t base; /* bytes; need not be aligned */
	uint64_t size; /* bytes */
	bool usable;
};

enum frame_status {
	FRAME_OK = 0,
	FRAME_ERR_UNALIGNED,
	FRAME_ERR_RANGE,       /* outside the managed range */
	FRAME_ERR_NOT_USABLE,  /* never part of usable memory */
	FRAME_ERR_DOUBLE_FREE, /* already free */
	FRAME_ERR_NO_MEMORY,   /* init: no usable memory / bitmap too small */
};

struct frame_alloc {
	uint8_t *bitmap;
	uint8_t *usable_map; /* 1 = frame was usable at init (for free checks) */
	uint64_t nframes;    /* frames covered: [0, nframes) */
	uint64_t free_count;
	uint64_t usable_count; /* frames usable at init, minus metadata */
	uint64_t hint;         /* next-fit search start */
};

/* Bytes of metadata storage frame_alloc_init needs for these regions. */
size_t frame_alloc_meta_bytes(const struct frame_region *r, size_t n);

/*
 * Builds the allocator. meta/meta_bytes is storage for the bitmaps; if it
 * lives in managed memory, meta_phys is its physical address and those frames
 * are marked used; pass meta_phys = UINT64_MAX when it does not.
 */
enum frame_status frame_alloc_init(struct frame_alloc *fa,
				   const struct frame_region *r, size_t n,
				   void *meta, size_t meta_bytes,
				   uint64_t meta_phys);

/* Physical address of a free frame, now used; 0 when exhausted. */
uint64_t frame_alloc(struct frame_alloc *fa);

enum frame_status frame_free(struct frame_alloc *fa, uint64_t phys);

uint64_t frame_free_count(const struct frame_alloc *fa);

const char *frame_status_str(enum frame_status s);

#endif
