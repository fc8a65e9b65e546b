/*
 * kmem.c - the kernel's one frame allocator, built from the boot map.
 *
 * Only CAPOS_MEM_USABLE memory below the loader's direct-map limit is ever
 * handed out; loader, runtime, ACPI and MMIO regions are passed to the
 * allocator as reserved, so an overlapping map entry can only take memory
 * away, never add it. The allocator's bitmaps live in the first usable run
 * large enough, found here and marked used by frame_alloc_init.
 */
#include <stdint.h>

#include "arch/x86_64/paging.h"
#include "core/kprintf.h"
#include "core/kstring.h"
#include "core/panic.h"
#include "mm/kmem.h"

static struct frame_alloc kframes;
static struct frame_region regions[CAPOS_BOOT_MAX_REGIONS];

void kmem_init(const struct capos_boot_info *bi)
{
	size_t n = 0;
	for (uint64_t i = 0; i < bi->mem_map_count && n < CAPOS_BOOT_MAX_REGIONS; i++) {
		const struct capos_mem_region *m = &bi->mem_map[i];
		uint64_t base = m->base, size = m->pages * PAGE_SIZE;
		int usable = m->type == CAPOS_MEM_USABLE;
		if (usable) {
			if (base >= bi->dm_size)
				continue;
			if (base + size > bi->dm_size)
				size = bi->dm_size - base;
		}
		regions[n].base = base;
		regions[n].size = size;
		regions[n].usable = usable;
		n++;
	}

	size_t meta = frame_alloc_meta_bytes(regions, n);
	uint64_t meta_pages = (meta + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t meta_phys = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t b = (regions[i].base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		if (b == 0)
			b = PAGE_SIZE;
		uint64_t end = regions[i].base + regions[i].size;
		if (regions[i].usable && end > b && end - b >= meta_pages * PAGE_SIZE) {
			meta_phys = b;
			break;
		}
	}
	if (!meta_phys)
		panic("kmem: no usable run of %lu pages for the frame bitmaps", meta_pages);

	enum frame_status st = frame_alloc_init(&kframes, regions, n, phys_to_virt(meta_phys),
						meta_pages * PAGE_SIZE, meta_phys);
	if (st != FRAME_OK)
		panic("kmem: frame allocator: %s", frame_status_str(st));
	kprintf("kmem: %lu frames usable (%lu MiB), %lu free\n", kframes.usable_count,
		kframes.usable_count >> 8, frame_free_count(&kframes));
}

uint64_t kmem_alloc_zeroed(void)
{
	uint64_t pa = frame_alloc(&kframes);
	if (pa)
		memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

void kmem_free(uint64_t pa)
{
	enum frame_status st = frame_free(&kframes, pa);
	if (st != FRAME_OK)
		panic("kmem: bad free of %lx: %s", pa, frame_status_str(st));
}

uint64_t kmem_free_frames(void)
{
	return frame_free_count(&kframes);
}

uint64_t kmem_usable_frames(void)
{
	return kframes.usable_count;
}
