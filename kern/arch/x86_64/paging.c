/*
 * paging.c - page tables for the kernel and for processes.
 *
 * Invariants:
 *  - the kernel's upper-half PML4 entries are created in paging_init and
 *    never change afterwards, so every address space can copy them once
 *    (SMP and >512 GiB of RAM would need pre-allocated PDPTs, as here);
 *  - no mapping is both writable and executable; only the kernel's .text is
 *    executable in the upper half; the direct map is NX throughout, and its
 *    alias of the kernel's .text and .rodata frames is read-only (4 KiB
 *    pages there), so the kernel's code cannot be changed through it;
 *  - a page with PTE_OWNED owns its frame: the frame is freed with the
 *    mapping; shared or device pages are mapped without it;
 *  - every kernel stack has an unmapped guard page directly below it, so an
 *    overflow faults (and panics through the IST double-fault stack).
 */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "core/kprintf.h"
#include "core/kstring.h"
#include "core/panic.h"
#include "core/platform.h"
#include "mm/kmem.h"
#include "mm/vspace.h"
#include "object/process.h"

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_end[];
extern char boot_stack_guard[];

/* Where the kernel image lies (boot info), for the direct-map alias check. */
static uint64_t image_phys_base, image_virt_base;

static uint64_t kernel_root;
static uint8_t kstack_used[KSTACK_SLOTS];
static uint64_t mmio_next = MMIO_REGION;

static uint64_t *table(uint64_t pa)
{
	return phys_to_virt(pa & PTE_ADDR);
}

static unsigned idx(uint64_t va, int level)
{
	return (unsigned)((va >> (12 + 9 * level)) & 511);
}

/* The leaf PTE slot for va, creating tables when create is set. */
static uint64_t *walk(uint64_t root, uint64_t va, int create, uint64_t user)
{
	uint64_t *t = table(root);
	for (int level = 3; level > 0; level--) {
		uint64_t *e = &t[idx(va, level)];
		if (!(*e & PTE_P)) {
			if (!create)
				return 0;
			uint64_t pa = kmem_alloc_zeroed();
			if (!pa)
				return 0;
			*e = pa | PTE_P | PTE_W | user;
		} else if (*e & PTE_PS) {
			return 0; /* inside a large page: not ours to split */
		}
		t = table(*e);
	}
	return &t[idx(va, 0)];
}

enum vm_status vm_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t flags)
{
	uint64_t *e = walk(root, va, 1, flags & PTE_U);
	if (!e)
		return VM_NO_MEMORY;
	if (*e & PTE_P)
		return VM_ALREADY_MAPPED;
	KASSERT(!(flags & PTE_W) || (flags & PTE_NX)); /* W^X, everywhere */
	*e = (pa & PTE_ADDR) | flags | PTE_P;
	return VM_OK;
}

uint64_t vm_unmap(uint64_t root, uint64_t va)
{
	uint64_t *e = walk(root, va, 0, 0);
	if (!e || !(*e & PTE_P))
		return 0;
	uint64_t old = *e;
	*e = 0;
	invlpg(va);
	return old;
}

uint64_t vm_lookup(uint64_t root, uint64_t va)
{
	uint64_t *e = walk(root, va, 0, 0);
	return e ? *e : 0;
}

uint64_t paging_kernel_root(void)
{
	return kernel_root;
}

static void map_range(uint64_t va, uint64_t va_end, uint64_t phys_of_va0,
		      uint64_t va0, uint64_t flags)
{
	for (; va < va_end; va += PAGE_SIZE) {
		if (va == (uint64_t)(uintptr_t)boot_stack_guard)
			continue; /* the boot stack's guard page stays unmapped */
		if (vm_map(kernel_root, va, phys_of_va0 + (va - va0), flags) != VM_OK)
			panic("paging: cannot map kernel page %lx", va);
	}
}

static uint64_t direct_map_top(const struct capos_boot_info *bi)
{
	uint64_t top = 0;
	for (uint64_t i = 0; i < bi->mem_map_count; i++) {
		const struct capos_mem_region *r = &bi->mem_map[i];
		if (r->type == CAPOS_MEM_MMIO || r->type == CAPOS_MEM_RESERVED)
			continue;
		uint64_t end = r->base + r->pages * PAGE_SIZE;
		if (end > top)
			top = end;
	}
	if (top > bi->dm_size)
		top = bi->dm_size; /* kmem never hands out frames above this */
	return (top + 0x1fffffull) & ~0x1fffffull;
}

/* The physical address of a kernel image address. */
static uint64_t pbase_of(uint64_t va)
{
	return image_phys_base + (va - image_virt_base);
}

/* The direct map's leaf entry for pa, splitting its 2 MiB page into 4 KiB
 * pages (same flags) the first time. Only during paging_init. */
static uint64_t *direct_map_pte(uint64_t pa)
{
	uint64_t va = CAPOS_DIRECT_MAP_BASE + pa;
	uint64_t *t = table(kernel_root);
	for (int level = 3; level > 1; level--) {
		uint64_t *e = &t[idx(va, level)];
		KASSERT(*e & PTE_P);
		t = table(*e);
	}
	uint64_t *pde = &t[idx(va, 1)];
	if (*pde & PTE_PS) {
		uint64_t n = kmem_alloc_zeroed();
		if (!n)
			panic("paging: no memory to split the direct map");
		uint64_t *pt = table(n);
		uint64_t base = *pde & PTE_ADDR & ~0x1fffffull;
		uint64_t flags = *pde & (PTE_W | PTE_G | PTE_NX);
		for (unsigned i = 0; i < 512; i++)
			pt[i] = (base + (uint64_t)i * PAGE_SIZE) | PTE_P | flags;
		*pde = n | PTE_P | PTE_W;
	}
	return &table(*pde & PTE_ADDR)[idx(va, 0)];
}

static void direct_map_read_only(uint64_t pa, uint64_t pa_end)
{
	for (pa &= ~(uint64_t)(PAGE_SIZE - 1); pa < pa_end; pa += PAGE_SIZE)
		*direct_map_pte(pa) &= ~PTE_W;
}

int paging_text_alias_writable(void)
{
	for (uint64_t va = (uint64_t)(uintptr_t)__text_start; va < (uint64_t)(uintptr_t)__rodata_end;
	     va += PAGE_SIZE) {
		uint64_t pte = vm_lookup(kernel_root, CAPOS_DIRECT_MAP_BASE + pbase_of(va));
		if (!(pte & PTE_P) || (pte & PTE_W) || !(pte & PTE_NX))
			return 1;
	}
	return 0;
}

void paging_init(const struct capos_boot_info *bi)
{
	image_phys_base = bi->kernel_phys_base;
	image_virt_base = bi->kernel_virt_base;
	uint32_t r[4];
	cpuid(0x80000001u, 0, r);
	if (!(r[3] & (1u << 20)))
		panic("paging: CPU lacks NX, which W^X needs");
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr4(read_cr4() | CR4_PGE);
	write_cr0(read_cr0() | CR0_WP);

	kernel_root = kmem_alloc_zeroed();
	if (!kernel_root)
		panic("paging: no memory for the kernel's page tables");

	/* Direct map with 2 MiB pages. */
	uint64_t top = direct_map_top(bi);
	for (uint64_t pa = 0; pa < top; pa += 0x200000ull) {
		uint64_t va = CAPOS_DIRECT_MAP_BASE + pa;
		uint64_t *t = table(kernel_root);
		for (int level = 3; level > 1; level--) {
			uint64_t *e = &t[idx(va, level)];
			if (!(*e & PTE_P)) {
				uint64_t n = kmem_alloc_zeroed();
				if (!n)
					panic("paging: no memory for the direct map");
				*e = n | PTE_P | PTE_W;
			}
			t = table(*e);
		}
		t[idx(va, 1)] = pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;
	}

	/* The direct map's alias of the kernel's code and constants:
	 * read-only (it is NX like the rest). */
	direct_map_read_only(pbase_of((uint64_t)(uintptr_t)__text_start),
			     pbase_of((uint64_t)(uintptr_t)__rodata_end));

	/* The kernel image, section by section. */
	uint64_t vbase = bi->kernel_virt_base, pbase = bi->kernel_phys_base;
	map_range((uint64_t)(uintptr_t)__text_start, (uint64_t)(uintptr_t)__text_end,
		  pbase, vbase, PTE_G);
	map_range((uint64_t)(uintptr_t)__rodata_start, (uint64_t)(uintptr_t)__rodata_end,
		  pbase, vbase, PTE_G | PTE_NX);
	map_range((uint64_t)(uintptr_t)__data_start, (uint64_t)(uintptr_t)__bss_end,
		  pbase, vbase, PTE_G | PTE_W | PTE_NX);

	write_cr3(kernel_root);
	kprintf("paging: kernel tables live, direct map %lu MiB, W^X, NX\n",
		top >> 20);
}

uint64_t kstack_alloc(void)
{
	for (unsigned s = 0; s < KSTACK_SLOTS; s++) {
		if (kstack_used[s])
			continue;
		uint64_t base = KSTACK_REGION + (uint64_t)s * (KSTACK_PAGES + 1) * PAGE_SIZE;
		/* Page 0 of the slot is the guard: never mapped. */
		for (unsigned p = 1; p <= KSTACK_PAGES; p++) {
			uint64_t pa = kmem_alloc_zeroed();
			if (!pa || vm_map(kernel_root, base + p * PAGE_SIZE, pa,
					  PTE_W | PTE_NX | PTE_G | PTE_OWNED) != VM_OK) {
				if (pa)
					kmem_free(pa);
				for (unsigned q = 1; q < p; q++) {
					uint64_t e = vm_unmap(kernel_root, base + q * PAGE_SIZE);
					kmem_free(e & PTE_ADDR);
				}
				return 0;
			}
		}
		kstack_used[s] = 1;
		return base + (KSTACK_PAGES + 1) * PAGE_SIZE;
	}
	return 0;
}

void kstack_free(uint64_t top)
{
	uint64_t base = top - (KSTACK_PAGES + 1) * PAGE_SIZE;
	unsigned s = (unsigned)((base - KSTACK_REGION) / ((KSTACK_PAGES + 1) * PAGE_SIZE));
	KASSERT(s < KSTACK_SLOTS && kstack_used[s]);
	for (unsigned p = 1; p <= KSTACK_PAGES; p++) {
		uint64_t e = vm_unmap(kernel_root, base + p * PAGE_SIZE);
		KASSERT(e & PTE_P);
		kmem_free(e & PTE_ADDR);
	}
	kstack_used[s] = 0;
}

void *mmio_map(uint64_t pa, size_t size)
{
	uint64_t off = pa & (PAGE_SIZE - 1);
	uint64_t va = mmio_next;
	uint64_t pages = (off + size + PAGE_SIZE - 1) / PAGE_SIZE;
	for (uint64_t i = 0; i < pages; i++) {
		if (vm_map(kernel_root, va + i * PAGE_SIZE, (pa - off) + i * PAGE_SIZE,
			   PTE_W | PTE_PCD | PTE_PWT | PTE_NX | PTE_G) != VM_OK)
			panic("paging: cannot map MMIO at %lx", pa);
	}
	mmio_next += pages * PAGE_SIZE;
	return (void *)(uintptr_t)(va + off);
}

/* ---- User address spaces (mm/vspace.h) ---------------------------------- */

static uint64_t pte_flags(uint32_t flags)
{
	uint64_t f = PTE_P | PTE_U;
	if (flags & VS_WRITE)
		f |= PTE_W;
	if (!(flags & VS_EXEC))
		f |= PTE_NX;
	if (flags & VS_OWNED)
		f |= PTE_OWNED;
	return f;
}

static uint32_t vs_flags(uint64_t e)
{
	uint32_t f = VS_READ;
	if (e & PTE_W)
		f |= VS_WRITE;
	if (!(e & PTE_NX))
		f |= VS_EXEC;
	if (e & PTE_OWNED)
		f |= VS_OWNED;
	return f;
}

uint64_t vs_create(struct process *p, capos_status_t *st)
{
	*st = process_charge_pages(p, 1);
	if (*st != CAPOS_OK)
		return 0;
	uint64_t root = kmem_alloc_zeroed();
	if (!root) {
		process_uncharge_pages(p, 1);
		*st = CAPOS_NO_MEMORY;
		return 0;
	}
	uint64_t *dst = table(root), *src = table(kernel_root);
	for (int i = 256; i < 512; i++)
		dst[i] = src[i];
	return root;
}

static void free_level(struct process *p, uint64_t tpa, int level)
{
	uint64_t *t = table(tpa);
	for (int i = 0; i < 512; i++) {
		uint64_t e = t[i];
		if (!(e & PTE_P))
			continue;
		if (level == 0) {
			if (e & PTE_OWNED) {
				kmem_free(e & PTE_ADDR);
				process_uncharge_pages(p, 1);
			}
		} else {
			free_level(p, e & PTE_ADDR, level - 1);
		}
	}
	kmem_free(tpa & PTE_ADDR);
	process_uncharge_pages(p, 1);
}

void vs_destroy(struct process *p, uint64_t root)
{
	if (!root)
		return;
	/* Never free the tables the CPU is walking. */
	if (read_cr3() == root)
		write_cr3(kernel_root);
	uint64_t *t = table(root);
	for (int i = 0; i < 256; i++)
		if (t[i] & PTE_P)
			free_level(p, t[i] & PTE_ADDR, 2);
	kmem_free(root);
	process_uncharge_pages(p, 1);
}

capos_status_t vs_map(struct process *p, uint64_t root, uint64_t va, void *frame,
		      uint32_t flags)
{
	if (va >= USER_TOP || (va & (PAGE_SIZE - 1)))
		return CAPOS_INVALID_ARGUMENT;
	uint64_t *t = table(root);
	for (int level = 3; level > 0; level--) {
		uint64_t *e = &t[idx(va, level)];
		if (!(*e & PTE_P)) {
			capos_status_t st = process_charge_pages(p, 1);
			if (st != CAPOS_OK)
				return st;
			uint64_t pa = kmem_alloc_zeroed();
			if (!pa) {
				process_uncharge_pages(p, 1);
				return CAPOS_NO_MEMORY;
			}
			*e = pa | PTE_P | PTE_W | PTE_U;
		}
		t = table(*e);
	}
	uint64_t *leaf = &t[idx(va, 0)];
	if (*leaf & PTE_P)
		return CAPOS_INVALID_ARGUMENT;
	*leaf = virt_to_phys(frame) | pte_flags(flags);
	return CAPOS_OK;
}

static int table_empty(uint64_t tpa)
{
	const uint64_t *t = table(tpa);
	for (int i = 0; i < 512; i++)
		if (t[i] & PTE_P)
			return 0;
	return 1;
}

/* Frees empty tables below entry e (a table of `level`) inside [lo, hi). */
static void prune_level(struct process *p, uint64_t *e, int level, uint64_t base,
			uint64_t lo, uint64_t hi)
{
	if (!(*e & PTE_P))
		return;
	if (level > 0) {
		uint64_t span = 1ull << (12 + 9 * level);
		uint64_t *t = table(*e);
		for (int i = 0; i < 512; i++) {
			uint64_t b = base + (uint64_t)i * span;
			if (b + span > lo && b < hi)
				prune_level(p, &t[i], level - 1, b, lo, hi);
		}
	}
	if (table_empty(*e & PTE_ADDR)) {
		kmem_free(*e & PTE_ADDR);
		process_uncharge_pages(p, 1);
		*e = 0;
	}
}

void vs_prune(struct process *p, uint64_t root, uint64_t va, uint64_t len)
{
	if (!len || va >= USER_TOP)
		return;
	uint64_t hi = va + len > USER_TOP ? USER_TOP : va + len;
	uint64_t *pml4 = table(root);
	uint64_t span = 1ull << 39;
	for (uint64_t i = va >> 39; i <= (hi - 1) >> 39 && i < 256; i++)
		prune_level(p, &pml4[i], 2, i * span, va, hi);
}

static uint64_t *user_leaf(uint64_t root, uint64_t va)
{
	if (va >= USER_TOP)
		return 0;
	uint64_t *e = walk(root, va, 0, 0);
	return e && (*e & PTE_P) ? e : 0;
}

void *vs_unmap(uint64_t root, uint64_t va, uint32_t *flags)
{
	uint64_t *e = user_leaf(root, va);
	if (!e)
		return 0;
	uint64_t old = *e;
	*e = 0;
	if (read_cr3() == root)
		invlpg(va);
	if (flags)
		*flags = vs_flags(old);
	return phys_to_virt(old & PTE_ADDR);
}

void *vs_lookup(uint64_t root, uint64_t va, uint32_t *flags)
{
	uint64_t *e = user_leaf(root, va);
	if (!e)
		return 0;
	if (flags)
		*flags = vs_flags(*e);
	return phys_to_virt(*e & PTE_ADDR);
}

/* ---- core/platform.h on the target ---------------------------------------- */

void *page_alloc(void)
{
	uint64_t pa = kmem_alloc_zeroed();
	return pa ? phys_to_virt(pa) : 0;
}

void page_free(void *page)
{
	kmem_free(virt_to_phys(page));
}

uint64_t page_free_count(void)
{
	return kmem_free_frames();
}
