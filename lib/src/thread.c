/*
 * thread.c - capos_thread_spawn (capos/thread.h).
 *
 * A thread's window, from its base (pages):
 *   0            guard (never mapped)
 *   1..16        stack, growing down from page 17
 *   17           guard
 *   18           IPC buffer (mapped by the kernel at CREATE_THREAD)
 *   19           guard
 *   20           TCB page: struct capos_tcb at its start
 * Windows are handed out once each (an atomic counter), so two threads
 * spawning at the same time never share one and no window is reused.
 */
#include <capos/kernel.h>
#include <capos/runtime.h>
#include <capos/startup.h>
#include <capos/syscall.h>
#include <capos/thread.h>

#define STACK_FIRST_PAGE 1u
#define IPC_PAGE         (STACK_FIRST_PAGE + CAPOS_THREAD_STACK_PAGES + 1u)
#define TCB_PAGE         (IPC_PAGE + 2u)

/* crt0.S: stores rdi (the IPC buffer) in the TCB, calls fn(arg) from the
 * TCB's runtime[1] and [2], exits with its value. */
void capos_thread_entry(void);

static uint32_t next_window;

capos_status_t capos_thread_spawn(capos_cap_t self, capos_thread_fn fn, void *arg,
				  uint32_t priority, struct capos_thread *out)
{
	if (!fn || !out)
		return CAPOS_INVALID_ARGUMENT;
	if (self == CAPOS_NO_CAP)
		self = capos_cap_lookup("self");
	if (self == CAPOS_NO_CAP)
		return CAPOS_INVALID_CAP;
	uint32_t w = __atomic_fetch_add(&next_window, 1, __ATOMIC_RELAXED);
	if (w >= CAPOS_THREAD_MAX)
		return CAPOS_LIMIT_EXCEEDED;
	uint64_t base = CAPOS_THREAD_AREA_VA + (uint64_t)w * CAPOS_THREAD_WINDOW;
	uint64_t stack = base + STACK_FIRST_PAGE * CAPOS_PAGE_SIZE;
	uint64_t stack_top = stack + CAPOS_THREAD_STACK_PAGES * CAPOS_PAGE_SIZE;
	uint64_t ipc = base + IPC_PAGE * CAPOS_PAGE_SIZE;
	uint64_t tcb_va = base + TCB_PAGE * CAPOS_PAGE_SIZE;
	const uint32_t rw = CAPOS_PROT_READ | CAPOS_PROT_WRITE;

	capos_status_t st = capos_map_anon(self, stack, CAPOS_THREAD_STACK_PAGES, rw);
	if (st != CAPOS_OK)
		return st;
	st = capos_map_anon(self, tcb_va, 1, rw);
	if (st != CAPOS_OK) {
		(void)capos_unmap(self, stack, CAPOS_THREAD_STACK_PAGES);
		return st;
	}
	struct capos_tcb *tcb = (struct capos_tcb *)(uintptr_t)tcb_va;
	capos_tls_init(tcb); /* self pointers and this thread's canary */
	tcb->runtime[1] = (uint64_t)(uintptr_t)fn;
	tcb->runtime[2] = (uint64_t)(uintptr_t)arg;
	struct capos_thread_create tc = {
		.entry = (uint64_t)(uintptr_t)capos_thread_entry,
		.stack = stack_top - 8,
		.ipc_buffer = ipc,
		.tls_base = tcb_va,
		.arg = 0,
		.priority = priority,
		.time_slice_us = 0,
	};
	capos_cap_t t = CAPOS_NO_CAP;
	st = capos_thread_create(self, &tc, &t);
	if (st == CAPOS_OK)
		st = capos_thread_start(t);
	if (st != CAPOS_OK) {
		/* A created thread that could not start holds its IPC page and a
		 * slot until the process ends; the rest goes back now. */
		(void)capos_unmap(self, tcb_va, 1);
		(void)capos_unmap(self, stack, CAPOS_THREAD_STACK_PAGES);
		return st;
	}
	out->cap = t;
	out->tcb = tcb;
	out->ipc = (struct capos_ipc_buffer *)(uintptr_t)ipc;
	return CAPOS_OK;
}
