/*
 * paging.h - 4-level page tables: the kernel's own and per-process ones.
 *
 * Kernel virtual layout (upper half, shared by every address space):
 *   0xffff800000000000  direct map of physical [0, dm_top), RW, NX
 *   0xffffffff80000000  kernel image, per-section rights (W^X)
 *   0xffffffffc0000000  kernel stacks, each with an unmapped guard page below
 *   0xffffffffff000000  device MMIO window (uncached)
 * The lower half [0, USER_TOP) belongs to the process.
 */
#ifndef KERN_ARCH_PAGING_H
#define KERN_ARCH_PAGING_H

#include <stddef.h>
#include <stdint.h>

#include <capos/bootinfo.h>

#define PAGE_SIZE 4096ull

#define PTE_P     (1ull << 0)
#define PTE_W     (1ull << 1)
#define PTE_U     (1ull << 2)
#define PTE_PWT   (1ull << 3)
#define PTE_PCD   (1ull << 4)
#define PTE_PS    (1ull << 7)
#define PTE_G     (1ull << 8)
#define PTE_OWNED (1ull << 9) /* software: the frame belongs to this mapping */
#define PTE_NX    (1ull << 63)
#define PTE_ADDR  0x000ffffffffff000ull

#define USER_TOP       0x0000800000000000ull
#define KSTACK_REGION  0xffffffffc0000000ull
#define KSTACK_PAGES   4u /* 16 KiB per kernel stack */
#define KSTACK_SLOTS   1024u
#define MMIO_REGION    0xffffffffff000000ull

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)(pa + CAPOS_DIRECT_MAP_BASE);
}

static inline uint64_t virt_to_phys(const void *va)
{
	return (uint64_t)(uintptr_t)va - CAPOS_DIRECT_MAP_BASE;
}

enum vm_status {
	VM_OK = 0,
	VM_NO_MEMORY,
	VM_ALREADY_MAPPED,
	VM_NOT_MAPPED,
};

/* Builds the kernel's page tables from the boot info and switches to them. */
void paging_init(const struct capos_boot_info *bi);
/* Self-check: 1 if any page of the direct map's alias of the kernel's
 * .text or .rodata is writable, executable or missing; 0 when all are
 * read-only and NX, as paging_init leaves them. */
int paging_text_alias_writable(void);

uint64_t paging_kernel_root(void);

/* Maps one 4 KiB page; intermediate tables inherit U from the leaf. */
enum vm_status vm_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t flags);
/* Removes a mapping; returns its entry (0 when none). The caller frees. */
uint64_t vm_unmap(uint64_t root, uint64_t va);
/* Leaf entry for va, or 0. */
uint64_t vm_lookup(uint64_t root, uint64_t va);

/* Kernel stack with a guard page below; returns the stack top, 0 if none. */
uint64_t kstack_alloc(void);
void kstack_free(uint64_t top);

/* Maps size bytes of device memory uncached; returns the virtual address. */
void *mmio_map(uint64_t pa, size_t size);

#endif
