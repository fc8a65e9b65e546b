/*
 * notification.c - a word of signal bits.
 *
 * Invariants:
 *  - bits is non-zero only while no thread is waiting: a Signal with
 *    waiters hands the whole word to the first of them and clears it;
 *  - waiters are BLOCKED_WAIT with blocked_on_ntfn == n and a reference on
 *    n, FIFO; a timed waiter is also on the timeout list;
 *  - at most one thread is bound; a bound thread blocked in Recv is woken
 *    by a Signal with kind CAPOS_RECV_SIGNAL, so a Recv result always says
 *    whether it is a message or signals, never both.
 */
#include <stddef.h>

#include "core/panic.h"
#include "core/platform.h"
#include "core/sched.h"
#include "object/endpoint.h"
#include "object/notification.h"
#include "object/process.h"
#include "object/thread.h"

struct notification *notification_create(struct process *owner, capos_status_t *st)
{
	if (owner && owner->usage.endpoints >= owner->limits.max_endpoints) {
		*st = CAPOS_LIMIT_EXCEEDED;
		return NULL;
	}
	struct notification *n = kobj_alloc(CAPOS_CAP_NOTIFICATION, owner, st);
	if (n && owner)
		owner->usage.endpoints++;
	return n;
}

void notification_destroy(struct notification *n)
{
	KASSERT(!n->waiters.head);
	if (n->bound) {
		n->bound->bound = NULL;
		n->bound = NULL;
	}
	if (n->obj.owner)
		n->obj.owner->usage.endpoints--;
}

/* thread_wake(w, OK) for the first waiter, without the general case's
 * questions: w is at the head of n->waiters, waits on nothing else, and
 * holds a reference on n for its wait (dropped last, as thread_wake does). */
static void wake_first_waiter(struct notification *n, struct thread *w)
{
	KASSERT(w->blocked_on_ntfn == n && !w->blocked_on_ep);
	tq_pop_head(&n->waiters, w);
	if (w->deadline)
		timeout_remove(w);
	w->blocked_on_ntfn = NULL;
	w->tf.rax = CAPOS_OK;
	kobj_unref(&n->obj);
	sched_ready(w);
}

void ntfn_deliver(struct notification *n, uint64_t bits)
{
	n->bits |= bits;
	if (!n->bits)
		return;
	struct thread *w = n->waiters.head;
	if (w) {
		w->ipc->signals = n->bits;
		w->ipc->kind = CAPOS_RECV_SIGNAL;
		n->bits = 0;
		wake_first_waiter(n, w);
		return;
	}
	struct thread *b = n->bound;
	if (b && b->state == THREAD_BLOCKED_RECV) {
		b->ipc->signals = n->bits;
		b->ipc->kind = CAPOS_RECV_SIGNAL;
		n->bits = 0;
		thread_wake(b, CAPOS_OK);
	}
}

capos_status_t ntfn_signal(struct cap *c, uint64_t bits)
{
	if (!(c->rights & CAPOS_RIGHT_SEND))
		return CAPOS_DENIED;
	bits |= c->badge;
	if (!bits)
		return CAPOS_INVALID_ARGUMENT; /* a signal of nothing */
	ntfn_deliver((struct notification *)c->obj, bits);
	return CAPOS_OK;
}

capos_status_t ntfn_wait(struct thread *t, struct cap *c, uint64_t timeout_ns)
{
	if (!(c->rights & CAPOS_RIGHT_RECV))
		return CAPOS_DENIED;
	struct notification *n = (struct notification *)c->obj;
	if (n->bits) {
		t->ipc->signals = n->bits;
		t->ipc->kind = CAPOS_RECV_SIGNAL;
		n->bits = 0;
		return CAPOS_OK;
	}
	if (timeout_ns == CAPOS_WAIT_POLL) {
		t->ipc->signals = 0;
		return CAPOS_WOULD_BLOCK;
	}
	t->state = THREAD_BLOCKED_WAIT;
	t->blocked_on_ntfn = n;
	kobj_ref(&n->obj);
	tq_push_back(&n->waiters, t);
	if (timeout_ns != CAPOS_WAIT_FOREVER) {
		uint64_t now = now_ns();
		uint64_t d = now + timeout_ns < now ? UINT64_MAX : now + timeout_ns;
		timeout_add(t, d);
		t->ipc->signals = 0;
	}
	sched_current_left();
	return IPC_BLOCKED;
}

capos_status_t ntfn_bind(struct notification *n, struct thread *t)
{
	if (n->bound || t->bound)
		return CAPOS_DENIED; /* one binding each */
	n->bound = t;
	t->bound = n;
	kobj_ref(&n->obj); /* the binding keeps the notification */
	return CAPOS_OK;
}

void ntfn_unbind(struct thread *t)
{
	struct notification *n = t->bound;
	if (!n)
		return;
	n->bound = NULL;
	t->bound = NULL;
	kobj_unref(&n->obj);
}
