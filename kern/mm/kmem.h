#ifndef KERN_MM_KMEM_H
#define KERN_MM_KMEM_H

#include <stdint.h>

#include <capos/bootinfo.h>

#include "mm/frame_alloc.h"

/* Builds the frame allocator from the boot memory map. */
void kmem_init(const struct capos_boot_info *bi);

/* A zeroed frame's physical address, 0 when memory is exhausted. */
uint64_t kmem_alloc_zeroed(void);
void kmem_free(uint64_t pa);
uint64_t kmem_free_frames(void);
uint64_t kmem_usable_frames(void);

#endif
