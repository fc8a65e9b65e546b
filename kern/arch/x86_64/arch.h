/*
 * arch.h - what the portable core asks of x86_64 (beyond core/platform.h).
 */
#ifndef KERN_ARCH_ARCH_H
#define KERN_ARCH_ARCH_H

#include <stdint.h>

#include "arch/x86_64/trapframe.h"

struct thread;

/* Initial user registers and FPU state of a new thread. */
void arch_thread_init(struct thread *t, uint64_t entry, uint64_t stack,
		      uint64_t ipc_va, uint64_t arg);

/* t->fs_base changed: if t's registers are the live ones, load it now. */
void arch_set_tls(struct thread *t);

/* Every kernel exit: choose the next thread, switch to it, and return the
 * trapframe to resume. kernel_frame is the interrupted kernel context
 * (idle) or NULL when the kernel was entered from user mode; with nothing
 * to run and no kernel frame, it enters the idle loop and never returns. */
struct trapframe *kernel_exit(struct trapframe *kernel_frame);

/* Loads next (already the scheduler's current) and returns its frame. */
struct trapframe *switch_to_thread(struct thread *next);

/* Hooks run on a kernel exit before choosing (core/boot.c), whenever
 * boot_poll_wanted is set: the boot runner has something to do. */
extern int boot_poll_wanted;
void boot_poll(void);

#endif
