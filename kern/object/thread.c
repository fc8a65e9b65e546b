/*
 * thread.c - threads: a kernel stack, saved user registers, FPU state.
 *
 * Invariants:
 *  - a thread's trapframe sits at the top of its own kernel stack, so a
 *    thread in the kernel always finds its user state at the same place;
 *  - a new thread's kernel stack holds a switch_context frame whose return
 *    address is thread_trampoline, which enters user mode via trap_return;
 *  - the FPU area starts as the clean boot state (fpu_init_area);
 *  - a thread is freed only by someone else (its reaper) after it has been
 *    switched away from, never on its own stack.
 * Storage: one frame per struct for now; issue 3 charges kernel objects to
 * the creating process's quota.
 */
#include <stdint.h>

#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/paging.h"
#include "core/kstring.h"
#include "mm/kmem.h"
#include "object/thread.h"

extern char thread_trampoline[];

static uint32_t next_tid = 1;

struct thread *thread_create_user(struct process *p, uint64_t entry, uint64_t rsp,
				  uint64_t arg0)
{
	uint64_t tpa = kmem_alloc_zeroed();
	if (!tpa)
		return 0;
	uint64_t fpa = kmem_alloc_zeroed();
	if (!fpa) {
		kmem_free(tpa);
		return 0;
	}
	uint64_t top = kstack_alloc();
	if (!top) {
		kmem_free(fpa);
		kmem_free(tpa);
		return 0;
	}

	struct thread *t = phys_to_virt(tpa);
	t->kstack_top = top;
	t->fpu = phys_to_virt(fpa);
	fpu_init_area(t->fpu);
	t->proc = p;
	t->tid = next_tid++;
	t->priority = 128;

	struct trapframe *tf = (struct trapframe *)(uintptr_t)(top - sizeof(*tf));
	memset(tf, 0, sizeof(*tf));
	tf->rip = entry;
	tf->cs = GDT_USER_CS;
	tf->rflags = 0x202; /* IF set, reserved bit 1 */
	tf->rsp = rsp;
	tf->ss = GDT_USER_DS;
	tf->rdi = arg0;
	t->tf = tf;

	/* switch_context pops r15 r14 r13 r12 rbx rbp, then returns. */
	uint64_t *sp = (uint64_t *)(uintptr_t)tf;
	*--sp = (uint64_t)(uintptr_t)thread_trampoline;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	t->saved_rsp = (uint64_t)(uintptr_t)sp;
	return t;
}

void thread_destroy(struct thread *t)
{
	kstack_free(t->kstack_top);
	kmem_free(virt_to_phys(t->fpu));
	kmem_free(virt_to_phys(t));
}
