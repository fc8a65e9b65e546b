/*
 * fastpath.h - Call and ReplyRecv without the general machinery, for the
 * common case of a message to a thread that is already waiting for it
 * (core/fastpath.c has the rules and why they give the slow path's result).
 *
 * The fast path is written here as inline functions so the syscall entry
 * (arch/x86_64/syscall.c) compiles it in place, with no call, prologue or
 * register spills between entry and switch; fastpath.c instantiates the
 * same code as fastpath_call / fastpath_reply_recv for the unit tests.
 */
#ifndef KERN_CORE_FASTPATH_H
#define KERN_CORE_FASTPATH_H

#include <stddef.h>
#include <stdint.h>

#include <capos/abi.h>

#include "core/kstring.h"
#include "core/sched.h"
#include "object/captable.h"
#include "object/endpoint.h"
#include "object/notification.h"
#include "object/objects.h"
#include "object/process.h"
#include "object/thread.h"
#include "object/tqueue.h"

/* If the fast path applies, performs the whole syscall for t and returns
 * the thread to run next (already made current); else returns NULL having
 * changed nothing, and the slow path (syscall_handle) runs. */
struct thread *fastpath_call(struct thread *t);
struct thread *fastpath_reply_recv(struct thread *t);

/* Signal or Wait (nr) on a notification cap, decoded straight to the
 * notification code: returns 1 when done (the status in t's rax unless t
 * now waits; the caller leaves the kernel through the scheduler as the slow
 * path does), or 0 having changed nothing when the slot holds no
 * notification cap (the slow path reports which error). */
int fastpath_ntfn(struct thread *t, uint64_t nr);

/* The header and body of from's message into to's IPC buffer (the caps,
 * if any, are already in to's table and to->ipc->caps). */
static inline void fastpath_copy_message(struct capos_ipc_buffer *s, struct capos_ipc_buffer *d,
				uint64_t badge, uint32_t len, uint32_t ncaps)
{
	d->label = s->label;
	d->badge = badge;
	d->len = len;
	d->ncaps = ncaps;
	d->kind = CAPOS_RECV_MESSAGE;
	if (len)
		memcpy_inline(d->body, s->body, len);
}

/* The endpoint cap t's rdi names with `right`, or NULL. */
static inline struct cap *fastpath_endpoint_cap(struct thread *t, uint16_t right)
{
	uint64_t slot = t->tf.rdi;
	if (slot > 0xffffffffull)
		return NULL;
	struct cap *c = ct_lookup(&t->proc->ct, (uint32_t)slot);
	if (!c || c->type != CAPOS_CAP_ENDPOINT || !(c->rights & right))
		return NULL;
	return c;
}

static inline struct thread *fastpath_call_inline(struct thread *t)
{
	struct capos_ipc_buffer *b = t->ipc;
	uint32_t len = b->len, n = b->ncaps;
	if (len > CAPOS_MSG_BODY_MAX || n > CAPOS_MSG_MAX_CAPS)
		return NULL;
	struct cap *c = fastpath_endpoint_cap(t, CAPOS_RIGHT_SEND);
	if (!c || (n && !(c->rights & CAPOS_RIGHT_GRANT)))
		return NULL;
	struct endpoint *ep = (struct endpoint *)c->obj;
	struct thread *r = ep->receivers.head;
	if (ep->dead || !r || r->reply_to || (int)r->priority < sched_highest_ready())
		return NULL;
	uint64_t badge = c->badge; /* the message may move c itself away */
	if (n && ipc_transfer_caps(t, r, n) != CAPOS_OK)
		return NULL;

	t->call_seq++;
	fastpath_copy_message(b, r->ipc, badge, len, n);
	/* r leaves the receive queue (dropping the reference its wait held;
	 * the cap still holds ep, wherever the message moved it) and takes t
	 * as the caller to answer. */
	tq_pop_head(&ep->receivers, r);
	if (r->deadline)
		timeout_remove(r); /* a timed Recv: the message came first */
	r->blocked_on_ep = NULL;
	kobj_unref(&ep->obj);
	kobj_ref(&t->obj);
	r->reply_to = t;
	r->reply_seq = t->call_seq;
	t->state = THREAD_BLOCKED_REPLY;
	r->tf.rax = CAPOS_OK;
	r->slice_start = t->slice_start;
	sched_switch_direct(r);
	return r;
}

static inline struct thread *fastpath_reply_recv_inline(struct thread *t)
{
	struct capos_ipc_buffer *b = t->ipc;
	struct thread *caller = t->reply_to;
	uint32_t len = b->len, n = b->ncaps;
	if (!caller || len > CAPOS_MSG_BODY_MAX || n > CAPOS_MSG_MAX_CAPS)
		return NULL;
	if (caller->state != THREAD_BLOCKED_REPLY || caller->call_seq != t->reply_seq)
		return NULL;
	struct cap *c = fastpath_endpoint_cap(t, CAPOS_RIGHT_RECV);
	if (!c)
		return NULL;
	struct endpoint *ep = (struct endpoint *)c->obj;
	if (ep->server != t->proc || ep->senders.head || ep->crash_head ||
	    ep->crash_dropped)
		return NULL;
	if (t->bound && t->bound->bits)
		return NULL;
	if ((int)caller->priority < sched_highest_ready())
		return NULL;
	if (n) {
		/* The slow path replies first and looks the Recv slot up after:
		 * a reply that moves that very cap leaves the Recv with
		 * INVALID_CAP. Left to the slow path. */
		uint32_t slot = (uint32_t)t->tf.rdi;
		for (uint32_t i = 0; i < n; i++)
			if (((b->cap_move >> i) & 1) && b->caps[i] == slot)
				return NULL;
		if (ipc_transfer_caps(t, caller, n) != CAPOS_OK)
			return NULL;
	}

	fastpath_copy_message(b, caller->ipc, 0, len, n);
	caller->tf.rax = CAPOS_OK;
	t->reply_to = NULL;
	/* The reference reply_to held; the caller is alive (its process holds
	 * it), so this never frees. */
	kobj_unref(&caller->obj);

	t->state = THREAD_BLOCKED_RECV;
	t->blocked_on_ep = ep;
	kobj_ref(&ep->obj);
	tq_push_back(&ep->receivers, t);
	caller->slice_start = t->slice_start;
	sched_switch_direct(caller);
	return caller;
}

static inline int fastpath_ntfn_inline(struct thread *t, uint64_t nr)
{
	/* The slow path's checks, in its order (core/syscall.c), and then
	 * the same object code: only the general dispatch is skipped. */
	uint64_t slot = t->tf.rdi;
	if (slot > 0xffffffffull)
		return 0;
	struct cap *c = ct_lookup(&t->proc->ct, (uint32_t)slot);
	if (!c || c->type != CAPOS_CAP_NOTIFICATION)
		return 0;
	capos_status_t st = nr == CAPOS_SYS_SIGNAL ? ntfn_signal(c, t->tf.rsi)
						   : ntfn_wait(t, c, t->tf.rsi);
	/* Neither call can end t (syscall_handle's reference is for calls
	 * that can). */
	if (st != IPC_BLOCKED)
		t->tf.rax = (uint64_t)st;
	return 1;
}

#endif
