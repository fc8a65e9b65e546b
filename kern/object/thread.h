#ifndef KERN_OBJECT_THREAD_H
#define KERN_OBJECT_THREAD_H

#include <stdint.h>

#include "arch/x86_64/trapframe.h"

struct process;

enum thread_state {
	THREAD_RUNNABLE = 1, /* on the run queue */
	THREAD_RUNNING = 2,  /* cpu0.current */
	THREAD_DEAD = 3,     /* switched away for good; waits for its reaper */
	THREAD_IDLE = 4,     /* the boot context, runs when nothing else can */
};

struct thread {
	uint64_t saved_rsp;  /* kernel context while switched out */
	uint64_t kstack_top; /* 0 for the idle thread (boot stack) */
	struct trapframe *tf; /* user registers, at the top of the kernel stack */
	void *fpu;           /* page-sized save area; NULL for the idle thread */
	uint64_t fs_base;    /* user TLS base */
	struct process *proc;
	struct thread *next; /* run queue link */
	uint32_t tid;
	uint8_t priority;
	enum thread_state state;
};

/* A user thread of p that will start at entry with stack rsp; not yet
 * runnable. NULL when out of memory (nothing is left allocated). */
struct thread *thread_create_user(struct process *p, uint64_t entry, uint64_t rsp,
				  uint64_t arg0);
/* Frees the thread; it must be dead or never started. */
void thread_destroy(struct thread *t);

#endif
