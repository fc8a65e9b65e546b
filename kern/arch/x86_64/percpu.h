/*
 * percpu.h - the per-CPU block, reached through GS in kernel mode.
 * The assembly reads the first three fields at the offsets in asm.h.
 * Single CPU today; SMP gives each CPU one of these.
 */
#ifndef KERN_ARCH_PERCPU_H
#define KERN_ARCH_PERCPU_H

#include <stdint.h>

struct thread;

struct cpu {
	uint64_t tf_top;     /* &current->tf + 1 (syscall entry's save area) */
	uint64_t user_rsp;   /* syscall entry scratch */
	uint64_t kstack_top; /* the kernel stack every entry runs C code on */
	struct thread *on_cpu;    /* whose registers (incl. FPU) are loaded */
	uint64_t fs_base;    /* what MSR_FS_BASE holds (user mode cannot write
				it: CR4.FSGSBASE is off), so a switch between
				threads with the same TLS base skips the wrmsr */
};

_Static_assert(__builtin_offsetof(struct cpu, kstack_top) == 16, "asm.h CPU_KSTACK");

extern struct cpu cpu0;

void percpu_init(void);

#endif
