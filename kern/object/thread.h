/*
 * thread.h - threads. Invariants in object/thread.c.
 */
#ifndef KERN_OBJECT_THREAD_H
#define KERN_OBJECT_THREAD_H

#include <stdint.h>

#include <capos/abi.h>

#include "arch/x86_64/trapframe.h"
#include "object/kobj.h"

struct process;
struct endpoint;
struct notification;
struct tqueue; /* object/tqueue.h: its operations need struct thread */

enum thread_state {
	THREAD_INACTIVE = 0,      /* created, not started */
	THREAD_RUNNABLE = 1,      /* on a run queue */
	THREAD_RUNNING = 2,       /* the CPU's current thread */
	THREAD_BLOCKED_SEND = 3,  /* on an endpoint's senders queue */
	THREAD_BLOCKED_RECV = 4,  /* on an endpoint's receivers queue */
	THREAD_BLOCKED_REPLY = 5, /* its call was received; waits for the answer */
	THREAD_BLOCKED_WAIT = 6,  /* on a notification's waiters queue */
	THREAD_DEAD = 7,
};

#define THREAD_DEFAULT_SLICE_NS 10000000ull /* 10 ms */
#define THREAD_FPU_AREA 2816u

struct thread {
	struct kobj obj;
	/* User registers. Entry from ring 3 pushes straight into tf: the TSS
	 * rsp0 and the syscall stack pointer both point at &tf + 1. */
	struct trapframe tf;

	struct process *proc;    /* not a counted reference: the process
				    outlives its threads' membership */
	struct thread *proc_next; /* the process's thread list */
	uint32_t tid;
	enum thread_state state;
	uint8_t priority;
	uint64_t slice_ns;
	uint64_t slice_start;

	struct tqueue *queue;    /* the queue it is on, if any */
	struct thread *qnext, *qprev;
	struct endpoint *blocked_on_ep;
	struct notification *blocked_on_ntfn;

	uint64_t deadline;        /* timed Wait: absolute ns, 0 = none */
	struct thread *timeout_next;

	/* IPC */
	struct capos_ipc_buffer *ipc;  /* kernel address of the IPC page */
	uint64_t ipc_va;
	uint64_t send_badge;      /* while BLOCKED_SEND: the cap used */
	uint16_t send_rights;
	uint8_t send_is_call;
	uint64_t call_seq;        /* increments at every Call */
	struct thread *reply_to;  /* server side: the caller to answer */
	uint64_t reply_seq;
	struct notification *bound; /* notification bound for Recv */

	uint64_t fs_base;
	uint8_t fpu[THREAD_FPU_AREA] __attribute__((aligned(64)));
};

_Static_assert(sizeof(struct thread) <= 4096, "a thread is one page");

/*
 * A thread of p, inactive, charged to p (thread count, its page and its
 * IPC page). The IPC page is mapped at ipc_va in p. NULL with *st on error,
 * nothing left behind.
 */
struct thread *thread_create(struct process *p, uint64_t entry, uint64_t stack,
			     uint64_t ipc_va, uint64_t tls, uint64_t arg,
			     uint8_t priority, uint64_t slice_ns, capos_status_t *st);

void thread_start(struct thread *t);

/* Takes t out of whatever queue or wait it is in, and marks it dead. Wakes
 * nobody; process teardown deals with calls in flight. */
void thread_kill(struct thread *t);

void thread_destroy(struct thread *t); /* kobj destroy hook */

#endif
