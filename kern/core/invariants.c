/*
 * invariants.c - the kernel checking itself, for tests.
 *
 * Checked: every object's reference count covers the caps naming it; the
 * object list matches the live count; a torn-down process holds no caps,
 * threads, memory or served endpoints, and nothing refers to it as a
 * server or as the home of a queued thread; every thread on a queue is
 * alive and in the state that queue means.
 */
#include <stddef.h>

#include "core/invariants.h"
#include "core/platform.h"
#include "core/sched.h"
#include "object/objects.h"
#include "object/process.h"
#include "object/thread.h"

#ifdef CAPOS_INVARIANT_CHECKS

static uint64_t violations;

static void fail(const char *what, const struct kobj *o)
{
	kprintf("invariant violated: %s (object type %u at %p)\n", what, o->type,
		(const void *)o);
	violations++;
}

static void check_queue(const struct tqueue *q, enum thread_state want,
			const struct kobj *owner, const char *what)
{
	for (const struct thread *t = q->head; t; t = t->qnext) {
		if (t->state != want || t->queue != q)
			fail(what, owner);
		if (t->proc && t->proc->torn_down)
			fail("a thread of a dead process is queued", owner);
	}
}

static void count_caps(struct process *p)
{
	for (uint32_t s = 0; s < p->ct.size; s++) {
		struct cap *c = ct_slot(&p->ct, s);
		if (c->type != CAPOS_CAP_NULL)
			c->obj->check++;
	}
}

uint64_t kernel_check_invariants(uint64_t *objects_checked)
{
	violations = 0;
	uint64_t n = 0;
	for (struct kobj *o = kobj_all; o; o = o->all_next) {
		o->check = 0;
		n++;
	}
	if (n != kobj_live_count)
		fail("object list and live count disagree", kobj_all);
	*objects_checked = n;

	for (struct kobj *o = kobj_all; o; o = o->all_next)
		if (o->type == CAPOS_CAP_PROCESS && !((struct process *)o)->torn_down)
			count_caps((struct process *)o);

	for (struct kobj *o = kobj_all; o; o = o->all_next) {
		if (o->refs < o->check)
			fail("fewer references than caps naming it", o);
		switch (o->type) {
		case CAPOS_CAP_PROCESS: {
			struct process *p = (struct process *)o;
			if (p->torn_down && (p->ct.used || p->live_threads || p->vspace ||
					     p->served || p->supervisor))
				fail("a dead process still holds resources", o);
			break;
		}
		case CAPOS_CAP_ENDPOINT: {
			struct endpoint *ep = (struct endpoint *)o;
			if (ep->server && ep->server->torn_down)
				fail("an endpoint is served by a dead process", o);
			if (ep->dead && ep->server)
				fail("a dead endpoint has a server", o);
			check_queue(&ep->senders, THREAD_BLOCKED_SEND, o, "bad sender queue");
			check_queue(&ep->receivers, THREAD_BLOCKED_RECV, o, "bad receiver queue");
			break;
		}
		case CAPOS_CAP_NOTIFICATION: {
			struct notification *nt = (struct notification *)o;
			check_queue(&nt->waiters, THREAD_BLOCKED_WAIT, o, "bad waiter queue");
			if (nt->bound && (nt->bound->state == THREAD_DEAD || nt->bound->bound != nt))
				fail("a notification is bound to a dead or other thread", o);
			if (nt->bits && nt->waiters.head)
				fail("bits pending while threads wait", o);
			break;
		}
		case CAPOS_CAP_THREAD: {
			struct thread *t = (struct thread *)o;
			if (t->proc && t->proc->torn_down && t->state != THREAD_DEAD)
				fail("a thread of a dead process is alive", o);
			if (t->state == THREAD_DEAD && (t->queue || t->deadline || t->bound))
				fail("a dead thread is still queued or bound", o);
			break;
		}
		default:
			break;
		}
	}
	return violations;
}

#endif
