/*
 * fastpath.c - the IPC fast path, in the manner of seL4's.
 *
 * It applies only when the outcome is fully predictable: a message without
 * caps, through a cap with the right, to a partner that is already blocked
 * waiting for exactly this, and whose priority is at least that of every
 * runnable thread - so switching straight to it is what the scheduler would
 * choose anyway. The result is the same state the slow path would produce
 * (endpoint.c): same queues, same reply bookkeeping, same references; the
 * run queues and the timer are not touched, and the partner runs on the
 * remainder of the caller's time slice. Any other case returns NULL before
 * changing anything.
 */
#include <stddef.h>

#include "core/fastpath.h"
#include "core/kstring.h"
#include "core/sched.h"
#include "object/captable.h"
#include "object/objects.h"
#include "object/process.h"

static struct endpoint *endpoint_for(struct thread *t, uint16_t right)
{
	uint64_t slot = t->tf.rdi;
	if (slot > 0xffffffffull)
		return NULL;
	struct cap *c = ct_lookup(&t->proc->ct, (uint32_t)slot);
	if (!c || c->type != CAPOS_CAP_ENDPOINT || !(c->rights & right))
		return NULL;
	return (struct endpoint *)c->obj;
}

static void copy_message(struct thread *from, struct thread *to, uint64_t badge)
{
	struct capos_ipc_buffer *s = from->ipc, *d = to->ipc;
	uint32_t len = s->len;
	d->label = s->label;
	d->badge = badge;
	d->len = len;
	d->ncaps = 0;
	d->kind = CAPOS_RECV_MESSAGE;
	memcpy(d->body, s->body, len);
}

struct thread *fastpath_call(struct thread *t)
{
	struct capos_ipc_buffer *b = t->ipc;
	if (b->ncaps != 0 || b->len > CAPOS_MSG_BODY_MAX)
		return NULL;
	uint64_t slot = t->tf.rdi;
	if (slot > 0xffffffffull)
		return NULL;
	struct cap *c = ct_lookup(&t->proc->ct, (uint32_t)slot);
	if (!c || c->type != CAPOS_CAP_ENDPOINT || !(c->rights & CAPOS_RIGHT_SEND))
		return NULL;
	struct endpoint *ep = (struct endpoint *)c->obj;
	struct thread *r = ep->receivers.head;
	if (ep->dead || !r || r->reply_to || (int)r->priority < sched_highest_ready())
		return NULL;

	t->call_seq++;
	copy_message(t, r, c->badge);
	/* r leaves the receive queue (dropping the reference its wait held;
	 * the cap still holds ep) and takes t as the caller to answer. */
	tq_remove(&ep->receivers, r);
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

struct thread *fastpath_reply_recv(struct thread *t)
{
	struct capos_ipc_buffer *b = t->ipc;
	struct thread *caller = t->reply_to;
	if (!caller || b->ncaps != 0 || b->len > CAPOS_MSG_BODY_MAX)
		return NULL;
	if (caller->state != THREAD_BLOCKED_REPLY || caller->call_seq != t->reply_seq)
		return NULL;
	struct endpoint *ep = endpoint_for(t, CAPOS_RIGHT_RECV);
	if (!ep || ep->server != t->proc || ep->senders.head || ep->crash_head)
		return NULL;
	if (t->bound && t->bound->bits)
		return NULL;
	if ((int)caller->priority < sched_highest_ready())
		return NULL;

	copy_message(t, caller, 0);
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
