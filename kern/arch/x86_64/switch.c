/*
 * switch.c - leaving the kernel: choose a thread, load its context.
 *
 * There is no per-thread kernel stack and no kernel continuation: a thread
 * in the kernel is always either about to return to user mode or blocked
 * with its whole state in its trapframe (as in seL4). Switching is loading
 * another thread's address space, FPU state, TLS base and trapframe.
 *
 * Invariants: cpu0.on_cpu is the thread whose FPU registers are live and
 * holds a reference on it, so its state can be saved even after it died
 * (then it is simply dropped); TSS.rsp0 and cpu0.tf_top always point at the
 * end of the current thread's trapframe.
 */
#include <stddef.h>

#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/switch.h"
#include "core/kstring.h"
#include "core/sched.h"
#include "object/process.h"
#include "object/thread.h"

void idle_enter(void) __attribute__((noreturn));

uint64_t first_user_entry_tsc;

void arch_thread_init(struct thread *t, uint64_t entry, uint64_t stack,
		      uint64_t ipc_va, uint64_t arg)
{
	memset(&t->tf, 0, sizeof(t->tf));
	t->tf.rip = entry;
	t->tf.cs = GDT_USER_CS;
	t->tf.rflags = 0x202; /* IF, reserved bit 1 */
	t->tf.rsp = stack;
	t->tf.ss = GDT_USER_DS;
	t->tf.rdi = ipc_va;
	t->tf.rsi = arg;
	t->tf.vector = 0; /* first entry by iretq */
	fpu_init_area(t->fpu);
}

void arch_set_tls(struct thread *t)
{
	if (t == cpu0.on_cpu)
		switch_load_fs_base(t->fs_base);
}

struct trapframe *kernel_exit(struct trapframe *kernel_frame)
{
	if (cpu0.on_cpu && cpu0.on_cpu->state == THREAD_DEAD) {
		/* Nothing to save for a dead thread; let it go now, so its pages
		 * return before anyone counts them. Its address space is gone
		 * already (vs_destroy moved CR3 to the kernel's tables). */
		kobj_unref(&cpu0.on_cpu->obj);
		cpu0.on_cpu = NULL;
	}
	if (boot_poll_wanted)
		boot_poll();
	struct thread *next = sched_choose();
	if (!next) {
		if (kernel_frame)
			return kernel_frame; /* back to the idle loop */
		idle_enter();
	}
	return switch_to_thread(next);
}

struct trapframe *switch_to_thread(struct thread *next)
{
	return switch_to(next);
}
