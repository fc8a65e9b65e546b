/*
 * sched.c - choosing the next thread and switching to it.
 *
 * This is the floor that issue 3's scheduler (priorities 0-255, time slices,
 * tickless deadlines) builds on: one FIFO run queue, and the idle thread
 * (the boot context) when it is empty.
 *
 * Invariants:
 *  - cpu0.current is the only RUNNING thread and is never on the run queue;
 *  - the idle thread is never on the run queue;
 *  - on every switch: CR3 is the next thread's address space (the kernel's
 *    for idle), TSS.rsp0 and cpu0.kernel_rsp are its kernel stack top, its
 *    FS base is loaded, and the previous user thread's FPU state is saved
 *    before the next one's is restored.
 * SMP: the run queue needs a lock or one queue per CPU.
 */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "core/panic.h"
#include "core/sched.h"
#include "object/process.h"

void switch_context(uint64_t *save_rsp, uint64_t new_rsp);

uint64_t first_user_entry_tsc;

static struct thread idle_thread;
static struct thread *rq_head, *rq_tail;

void sched_init(void)
{
	idle_thread.state = THREAD_IDLE;
	idle_thread.tid = 0;
	cpu0.idle = &idle_thread;
	cpu0.current = &idle_thread;
}

struct thread *sched_current(void)
{
	return cpu0.current;
}

void sched_make_runnable(struct thread *t)
{
	KASSERT(t->state != THREAD_IDLE && t->state != THREAD_DEAD);
	t->state = THREAD_RUNNABLE;
	t->next = 0;
	if (rq_tail)
		rq_tail->next = t;
	else
		rq_head = t;
	rq_tail = t;
}

static struct thread *dequeue(void)
{
	struct thread *t = rq_head;
	if (t) {
		rq_head = t->next;
		if (!rq_head)
			rq_tail = 0;
		t->next = 0;
	}
	return t;
}

static void switch_to(struct thread *prev, struct thread *next)
{
	if (prev->fpu && prev->state != THREAD_DEAD)
		fpu_save(prev->fpu);

	uint64_t prev_root = prev->proc ? prev->proc->root : paging_kernel_root();
	uint64_t next_root = next->proc ? next->proc->root : paging_kernel_root();
	if (prev_root != next_root)
		write_cr3(next_root);

	if (next->kstack_top) {
		cpu0.kernel_rsp = next->kstack_top;
		gdt_set_kernel_stack(next->kstack_top);
		wrmsr(MSR_FS_BASE, next->fs_base);
	}
	if (next->fpu)
		fpu_restore(next->fpu);
	if (next->proc && !first_user_entry_tsc)
		first_user_entry_tsc = rdtsc();

	cpu0.current = next;
	next->state = next == &idle_thread ? THREAD_IDLE : THREAD_RUNNING;
	switch_context(&prev->saved_rsp, next->saved_rsp);
}

void schedule(void)
{
	struct thread *prev = cpu0.current;
	struct thread *next = dequeue();
	if (!next) {
		if (prev->state == THREAD_RUNNING || prev->state == THREAD_IDLE)
			return; /* nothing else wants the CPU */
		next = &idle_thread;
	}
	if (next == prev) {
		prev->state = THREAD_RUNNING;
		return;
	}
	switch_to(prev, next);
}

void sched_yield(void)
{
	struct thread *t = cpu0.current;
	if (t != &idle_thread)
		sched_make_runnable(t);
	schedule();
}

void sched_exit_current(void)
{
	struct thread *t = cpu0.current;
	KASSERT(t != &idle_thread);
	t->state = THREAD_DEAD;
	schedule();
	panic("sched: a dead thread ran again");
}

void sched_timer_interrupt(void)
{
	/* No time slices yet (issue 3): the timer only wakes the idle loop. */
}
