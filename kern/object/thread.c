/*
 * thread.c - threads.
 *
 * Invariants:
 *  - a thread is one page holding its registers, FPU state and IPC state,
 *    plus one IPC page mapped into its process at ipc_va; both are charged
 *    to the process, with one unit of its thread limit;
 *  - tf is where the CPU saves user registers on every kernel entry, so
 *    nothing is copied on a syscall or interrupt;
 *  - a thread is on at most one queue, and on the timeout list only while
 *    in a timed wait; thread_kill takes it off all of them;
 *  - the FPU area starts as the clean state (arch_fpu_init_area).
 */
#include <stddef.h>

#include "arch/x86_64/arch.h"
#include "core/kstring.h"
#include "core/panic.h"
#include "core/platform.h"
#include "core/sched.h"
#include "mm/vspace.h"
#include "object/notification.h"
#include "object/objects.h"
#include "object/process.h"
#include "object/thread.h"

_Static_assert(__builtin_offsetof(struct thread, tf) % 16 == 0,
	       "the CPU aligns its interrupt frame to 16 bytes");

static uint32_t next_tid = 1;

struct thread *thread_create(struct process *p, uint64_t entry, uint64_t stack,
			     uint64_t ipc_va, uint64_t tls, uint64_t arg,
			     uint8_t priority, uint64_t slice_ns, capos_status_t *st)
{
	/* entry, stack and TLS base reach iretq and wrmsr(FS_BASE): a
	 * non-canonical or kernel value would fault in ring 0 (after swapgs),
	 * not in the thread. */
	if ((ipc_va & (CAPOS_PAGE_SIZE - 1)) || ipc_va >= CAPOS_USER_TOP || ipc_va == 0 ||
	    entry >= CAPOS_USER_TOP || stack > CAPOS_USER_TOP || tls >= CAPOS_USER_TOP) {
		*st = CAPOS_INVALID_ARGUMENT;
		return NULL;
	}
	if (p->usage.threads >= p->limits.max_threads) {
		*st = CAPOS_LIMIT_EXCEEDED;
		return NULL;
	}
	struct thread *t = kobj_alloc(CAPOS_CAP_THREAD, p, st);
	if (!t)
		return NULL;
	*st = process_charge_pages(p, 1);
	void *ipc = *st == CAPOS_OK ? page_alloc() : NULL;
	if (!ipc) {
		if (*st == CAPOS_OK) {
			process_uncharge_pages(p, 1);
			*st = CAPOS_NO_MEMORY;
		}
		t->obj.type = CAPOS_CAP_NULL; /* nothing to tear down yet */
		kobj_unref(&t->obj);
		return NULL;
	}
	*st = vs_map(p, p->vspace, ipc_va, ipc, VS_READ | VS_WRITE);
	if (*st != CAPOS_OK) {
		vs_prune(p, p->vspace, ipc_va, CAPOS_PAGE_SIZE);
		page_free(ipc);
		process_uncharge_pages(p, 1);
		t->obj.type = CAPOS_CAP_NULL;
		kobj_unref(&t->obj);
		return NULL;
	}
	t->ipc = ipc;
	t->ipc_va = ipc_va;
	t->proc = p;
	t->tid = next_tid++;
	t->priority = priority;
	t->slice_ns = slice_ns ? slice_ns : THREAD_DEFAULT_SLICE_NS;
	t->fs_base = tls;
	t->state = THREAD_INACTIVE;
	arch_thread_init(t, entry, stack, ipc_va, arg);

	t->proc_next = p->threads;
	p->threads = t;
	p->usage.threads++;
	p->live_threads++;
	*st = CAPOS_OK;
	return t;
}

void thread_start(struct thread *t)
{
	if (t->state == THREAD_INACTIVE)
		sched_ready(t);
}

void thread_kill(struct thread *t)
{
	if (t->state == THREAD_DEAD)
		return;
	if (t->state == THREAD_RUNNABLE)
		sched_unready(t);
	else
		thread_leave_waits(t);
	if (t == sched_current())
		sched_current_left();
	ntfn_unbind(t);
	t->state = THREAD_DEAD;
	if (t->proc) {
		t->proc->live_threads--;
		/* The IPC page stays mapped until the address space goes; the
		 * page itself is freed with the thread. */
	}
}

void thread_destroy(struct thread *t)
{
	thread_kill(t);
	struct process *p = t->proc;
	if (p) {
		for (struct thread **pp = &p->threads; *pp; pp = &(*pp)->proc_next) {
			if (*pp == t) {
				*pp = t->proc_next;
				break;
			}
		}
		p->usage.threads--;
		if (p->vspace)
			vs_unmap(p->vspace, t->ipc_va, NULL);
		process_uncharge_pages(p, 1);
	}
	if (t->ipc)
		page_free(t->ipc);
}
