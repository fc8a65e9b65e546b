/*
 * capos/thread.h - threads a program starts itself (lib/src/thread.c).
 *
 * capos_thread_spawn gives the new thread everything the first thread has:
 * a stack between guard pages, its own IPC buffer, its own TCB (so
 * capos_ipc(), the stack-protector canary and the runtime's per-thread
 * state are its own), all within the process's resource profile: each
 * thread costs CAPOS_THREAD_PAGES frames plus the kernel's thread object.
 * It needs a Process cap with WRITE on the program's own process (the
 * manifest's KERNEL_RESOURCE_SELF grant, startup name "self").
 *
 * Threads never end on their own: when fn returns, the whole process exits
 * with fn's value, as when main returns.
 */
#ifndef CAPOS_USER_THREAD_H
#define CAPOS_USER_THREAD_H

#include <stdint.h>

#include <capos/abi.h>

/* Every spawned thread gets a window of the address space here. */
#define CAPOS_THREAD_AREA_VA  0x0000300000000000ull
#define CAPOS_THREAD_WINDOW   (1ull << 20)
#define CAPOS_THREAD_MAX      4096u /* windows; never reused */
#define CAPOS_THREAD_STACK_PAGES 16u
/* Frames a thread costs the process: stack, IPC buffer, TCB page. */
#define CAPOS_THREAD_PAGES    (CAPOS_THREAD_STACK_PAGES + 2u)

typedef int64_t (*capos_thread_fn)(void *arg);

struct capos_thread {
	capos_cap_t cap;             /* its Thread cap (all rights) */
	struct capos_tcb *tcb;
	struct capos_ipc_buffer *ipc;
};

/* Starts fn(arg) in a new thread at `priority` (at most the caller's).
 * self: a Process cap with WRITE on this process, or CAPOS_NO_CAP for the
 * startup name "self". Errors: whatever MAP_ANON or CREATE_THREAD answer
 * (LIMIT_EXCEEDED over the profile, DENIED without WRITE, INVALID_CAP
 * without a self cap); nothing stays mapped after a failure. */
capos_status_t capos_thread_spawn(capos_cap_t self, capos_thread_fn fn, void *arg,
				  uint32_t priority, struct capos_thread *out);

#endif
