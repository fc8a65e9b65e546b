/*
 * process.c - processes: an address space, their threads, their fate.
 *
 * Invariants:
 *  - user mappings live only below USER_TOP, are never writable and
 *    executable at once, and every frame they map is PTE_OWNED by them;
 *  - the user stack has an unmapped guard page below it;
 *  - a dead process's resources are released by process_reap, run by
 *    another context after its thread has been switched away from, so the
 *    free-frame count returns exactly to its value before process_create.
 * Storage: one frame per struct for now; issue 3 adds quotas and profiles.
 */
#include <stdint.h>

#include <capos/abi.h>

#include "arch/x86_64/paging.h"
#include "arch/x86_64/trap.h"
#include "core/kprintf.h"
#include "core/kstring.h"
#include "core/panic.h"
#include "core/sched.h"
#include "mm/kmem.h"
#include "object/process.h"

static uint32_t next_pid = 1;

static uint64_t seg_flags(uint32_t f)
{
	uint64_t flags = PTE_U | PTE_OWNED;
	if (f & ELF_SEG_W)
		flags |= PTE_W;
	if (!(f & ELF_SEG_X))
		flags |= PTE_NX;
	return flags;
}

/* Copies the part of segment s that falls in the page at va into page. */
static void fill_page(uint8_t *page, uint64_t va, const struct elf_segment *s,
		      const uint8_t *file)
{
	uint64_t file_lo = s->vaddr, file_hi = s->vaddr + s->filesz;
	uint64_t lo = va > file_lo ? va : file_lo;
	uint64_t hi = va + PAGE_SIZE < file_hi ? va + PAGE_SIZE : file_hi;
	if (lo < hi)
		memcpy(page + (lo - va), file + s->offset + (lo - s->vaddr), hi - lo);
}

static enum process_status map_segments(uint64_t root, const struct elf_image *img,
					const uint8_t *file)
{
	for (uint32_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		uint64_t va = s->vaddr & ~(PAGE_SIZE - 1);
		uint64_t end = (s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		for (; va < end; va += PAGE_SIZE) {
			uint64_t pa = kmem_alloc_zeroed();
			if (!pa)
				return PROCESS_NO_MEMORY;
			fill_page(phys_to_virt(pa), va, s, file);
			if (vm_map(root, va, pa, seg_flags(s->flags)) != VM_OK) {
				kmem_free(pa);
				return PROCESS_NO_MEMORY;
			}
		}
	}
	return PROCESS_OK;
}

static enum process_status map_stack(uint64_t root)
{
	uint64_t base = CAPOS_USER_STACK_TOP - CAPOS_USER_STACK_PAGES * PAGE_SIZE;
	for (uint64_t va = base; va < CAPOS_USER_STACK_TOP; va += PAGE_SIZE) {
		uint64_t pa = kmem_alloc_zeroed();
		if (!pa)
			return PROCESS_NO_MEMORY;
		if (vm_map(root, va, pa, PTE_U | PTE_W | PTE_NX | PTE_OWNED) != VM_OK) {
			kmem_free(pa);
			return PROCESS_NO_MEMORY;
		}
	}
	return PROCESS_OK;
}

enum process_status process_create(const char *name, const void *elf, size_t len,
				   struct process **out, enum elf_status *elf_err)
{
	struct elf_image img;
	/* Programs live between the first 64 KiB and the stack's guard page. */
	uint64_t hi = CAPOS_USER_STACK_TOP - (CAPOS_USER_STACK_PAGES + 1) * PAGE_SIZE;
	*elf_err = elf_parse(elf, len, 0x10000, hi, &img);
	if (*elf_err != ELF_OK)
		return PROCESS_BAD_ELF;

	uint64_t ppa = kmem_alloc_zeroed();
	if (!ppa)
		return PROCESS_NO_MEMORY;
	struct process *p = phys_to_virt(ppa);
	size_t n = 0;
	while (name[n] && n + 1 < PROCESS_NAME_MAX) {
		p->name[n] = name[n];
		n++;
	}
	p->name[n] = '\0';

	p->root = as_create();
	enum process_status st = p->root ? PROCESS_OK : PROCESS_NO_MEMORY;
	if (st == PROCESS_OK)
		st = map_segments(p->root, &img, elf);
	if (st == PROCESS_OK)
		st = map_stack(p->root);
	if (st == PROCESS_OK) {
		p->thread = thread_create_user(p, img.entry, CAPOS_USER_STACK_TOP, 0);
		if (!p->thread)
			st = PROCESS_NO_MEMORY;
	}
	if (st != PROCESS_OK) {
		if (p->root)
			as_destroy(p->root);
		kmem_free(ppa);
		return st;
	}
	p->pid = next_pid++;
	p->state = PROCESS_ALIVE;
	*out = p;
	return PROCESS_OK;
}

void process_start(struct process *p)
{
	sched_make_runnable(p->thread);
}

void process_exit(struct process *p, int64_t code)
{
	p->state = PROCESS_EXITED;
	p->exit_code = code;
	kprintf("process %s (pid %u) exited with code %ld\n", p->name, p->pid, code);
	sched_exit_current();
}

static const char *pf_reason(uint64_t err)
{
	if (!(err & 1))
		return (err & 16) ? "execute of unmapped page" :
		       (err & 2) ? "write to unmapped page" : "read of unmapped page";
	if (err & 16)
		return "execute of non-executable page";
	if (err & 2)
		return "write to read-only page";
	return "protection violation";
}

void process_fault(struct process *p, const struct fault_info *fi)
{
	p->state = PROCESS_FAULTED;
	p->fault = *fi;
	if (fi->vector == 14)
		kprintf("fault: process %s (pid %u) killed: %s (%s) at rip 0x%lx, address 0x%lx\n",
			p->name, p->pid, trap_name(fi->vector), pf_reason(fi->error), fi->rip,
			fi->addr);
	else
		kprintf("fault: process %s (pid %u) killed: %s at rip 0x%lx, address 0x%lx, error 0x%lx\n",
			p->name, p->pid, trap_name(fi->vector), fi->rip, fi->addr, fi->error);
	sched_exit_current();
}

void process_reap(struct process *p)
{
	KASSERT(p->state != PROCESS_ALIVE);
	KASSERT(p->thread->state == THREAD_DEAD);
	thread_destroy(p->thread);
	as_destroy(p->root);
	kmem_free(virt_to_phys(p));
}
