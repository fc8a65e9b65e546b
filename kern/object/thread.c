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
 *  - the FPU area starts as the clean state (arch_fpu_init_area);
 *  - every method on a Thread cap needs CONTROL (an unknown label too); a
 *    dead thread answers DISCONNECTED to all of them; no method raises a
 *    thread above the priority of the thread that calls it.
 */
#include <stddef.h>

#include "arch/x86_64/arch.h"
#include "core/kstring.h"
#include "core/panic.h"
#include "core/platform.h"
#include "core/sched.h"
#include "mm/vspace.h"
#include "object/method.h"
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

/* ---- Methods (a Call on a Thread cap; checks in object/method.h) ---- */

static capos_status_t thread_state(struct thread *t, struct cap *c)
{
	(void)t;
	return ((struct thread *)c->obj)->state == THREAD_DEAD ? CAPOS_DISCONNECTED : CAPOS_OK;
}

static capos_status_t m_start(struct thread *t, struct cap *c, void *args)
{
	(void)t;
	(void)args;
	struct thread *target = (struct thread *)c->obj;
	if (target->state != THREAD_INACTIVE)
		return CAPOS_INVALID_ARGUMENT;
	thread_start(target);
	return CAPOS_OK;
}

static capos_status_t m_set_priority(struct thread *t, struct cap *c, void *args)
{
	const struct capos_thread_priority *a = args;
	struct thread *target = (struct thread *)c->obj;
	if (a->priority > 255 || a->priority > t->priority ||
	    a->time_slice_us > CAPOS_MAX_TIME_SLICE_US)
		return CAPOS_INVALID_ARGUMENT;
	int requeue = target->state == THREAD_RUNNABLE;
	if (requeue)
		sched_unready(target);
	target->priority = (uint8_t)a->priority;
	if (a->time_slice_us)
		target->slice_ns = (uint64_t)a->time_slice_us * 1000;
	if (requeue)
		sched_ready(target);
	return CAPOS_OK;
}

static capos_status_t m_bind_notification(struct thread *t, struct cap *c, void *args)
{
	const struct capos_thread_bind *a = args;
	struct thread *target = (struct thread *)c->obj;
	if (a->notification == CAPOS_NO_CAP) {
		ntfn_unbind(target);
		return CAPOS_OK;
	}
	struct cap *n;
	capos_status_t st = ct_lookup_typed(&t->proc->ct, a->notification,
					    CAPOS_CAP_NOTIFICATION, CAPOS_RIGHT_RECV, &n);
	if (st != CAPOS_OK)
		return st;
	return ntfn_bind((struct notification *)n->obj, target);
}

static capos_status_t m_set_tls(struct thread *t, struct cap *c, void *args)
{
	(void)t;
	const struct capos_thread_tls *a = args;
	struct thread *target = (struct thread *)c->obj;
	if (a->base >= CAPOS_USER_TOP)
		return CAPOS_INVALID_ARGUMENT;
	target->fs_base = a->base;
	arch_set_tls(target); /* loads it now if target's context is live */
	return CAPOS_OK;
}

#define C CAPOS_RIGHT_CONTROL

static const struct kmethod methods[] = {
	[CAPOS_THREAD_START] = { m_start, 0, C, 0 },
	[CAPOS_THREAD_SET_PRIORITY] = { m_set_priority, KM_ARGS(struct capos_thread_priority), C,
					0 },
	[CAPOS_THREAD_BIND_NOTIFICATION] = { m_bind_notification,
					     KM_ARGS(struct capos_thread_bind), C, 0 },
	[CAPOS_THREAD_SET_TLS] = { m_set_tls, KM_ARGS(struct capos_thread_tls), C, 0 },
};

const struct kmethod_table thread_methods = KMETHOD_TABLE(methods, C, thread_state);
