/*
 * switch.h - loading a thread's context, inline (arch/x86_64/switch.c has
 * the invariants). The IPC fast path switches on every message, and there
 * a call and a few checks are a noticeable part of the cost.
 */
#ifndef KERN_ARCH_SWITCH_H
#define KERN_ARCH_SWITCH_H

#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trapframe.h"
#include "core/panic.h"
#include "object/process.h"
#include "object/thread.h"

extern uint64_t first_user_entry_tsc;

static inline void switch_load_fs_base(uint64_t fs_base)
{
	if (fs_base != cpu0.fs_base) {
		wrmsr(MSR_FS_BASE, fs_base);
		cpu0.fs_base = fs_base;
	}
}

/* next's address space, FPU state, TLS base and reference as on_cpu; the
 * previous on_cpu thread (if any, and other than next) saved first. */
static inline void switch_load(struct thread *next)
{
	struct thread *prev = cpu0.on_cpu;
	if (prev == next)
		return;
	if (prev) {
		if (prev->state != THREAD_DEAD)
			fpu_save(prev->fpu);
		kobj_unref(&prev->obj);
	}
	/* Threads of one process share the address space: no CR3 write, so
	 * no TLB flush. */
	uint64_t vspace = next->proc->vspace;
	if (read_cr3() != vspace)
		write_cr3(vspace);
	fpu_restore(next->fpu);
	switch_load_fs_base(next->fs_base);
	kobj_ref(&next->obj);
	cpu0.on_cpu = next;
	if (!prev && !first_user_entry_tsc)
		first_user_entry_tsc = rdtsc();
}

/* Loads next (already the scheduler's current) and returns its frame. */
static inline struct trapframe *switch_to(struct thread *next)
{
	if (next == cpu0.on_cpu)
		return &next->tf; /* tf_top and TSS.rsp0 point at it already */
	switch_load(next);
	uint64_t top = (uint64_t)(uintptr_t)(&next->tf + 1);
	cpu0.tf_top = top;
	gdt_set_kernel_stack(top);
	return &next->tf;
}

/* The fast path's switch: prev made the syscall (so it is on_cpu, alive)
 * and is now blocked; next is another thread. The checks switch_load
 * needs for the general case are known answers here. */
static inline struct trapframe *switch_from_syscall(struct thread *prev, struct thread *next)
{
	KASSERT(cpu0.on_cpu == prev && prev != next);
	fpu_save(prev->fpu);
	kobj_unref(&prev->obj); /* never the last: its process holds one */
	uint64_t vspace = next->proc->vspace;
	if (read_cr3() != vspace)
		write_cr3(vspace);
	fpu_restore(next->fpu);
	switch_load_fs_base(next->fs_base);
	kobj_ref(&next->obj);
	cpu0.on_cpu = next;
	uint64_t top = (uint64_t)(uintptr_t)(&next->tf + 1);
	cpu0.tf_top = top;
	gdt_set_kernel_stack(top);
	return &next->tf;
}

#endif
