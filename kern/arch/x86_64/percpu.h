/*
 * percpu.h - the per-CPU block, reached through GS in kernel mode.
 * syscall.S reads kernel_rsp and uses user_rsp as scratch: their offsets
 * are fixed in asm.h. Single CPU today; SMP gives each CPU one of these.
 */
#ifndef KERN_ARCH_PERCPU_H
#define KERN_ARCH_PERCPU_H

#include <stdint.h>

struct thread;

struct cpu {
	uint64_t kernel_rsp; /* top of the running thread's kernel stack */
	uint64_t user_rsp;   /* syscall entry scratch */
	struct thread *current;
	struct thread *idle;
};

extern struct cpu cpu0;

void percpu_init(void);

#endif
