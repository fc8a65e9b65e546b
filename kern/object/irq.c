/*
 * irq.c - the object side of device interrupts: IRQControl (one kernel
 * singleton, given to the root task) makes IRQHandler caps, and
 * IRQHandler.ack unmasks the line. Routing, masking and the handler
 * objects themselves are the architecture's (arch/x86_64/irq.c, with its
 * own invariants); this file decodes the methods.
 *
 * Invariants:
 *  - neither IRQControl nor IRQHandler methods need a right on the invoked
 *    cap: holding it is the authority;
 *  - GET takes the notification to signal by slot (it must be a
 *    Notification; the arch part requires SEND on it) and puts the new
 *    IRQHandler cap, with every right, in the caller's lowest free slot;
 *  - the order of GET's answers is: argument length, the notification slot
 *    (INVALID_CAP, WRONG_TYPE), a full table (LIMIT_EXCEEDED), then the
 *    arch's (UNSUPPORTED, INVALID_ARGUMENT, DENIED for a notification
 *    without SEND or an IRQ already taken).
 */
#include <stddef.h>

#include "object/method.h"
#include "object/objects.h"
#include "object/process.h"
#include "object/thread.h"

capos_status_t irq_control_get(struct thread *t, uint32_t irq, struct cap *ntfn,
			       uint64_t bits, struct kobj **out); /* arch */
capos_status_t irq_handler_ack(struct kobj *handler);            /* arch */

struct kobj irq_control_obj = { .type = CAPOS_CAP_IRQ_CONTROL, .refs = 1 };

static capos_status_t m_get(struct thread *t, struct cap *c, void *args)
{
	(void)c;
	const struct capos_irq_get *a = args;
	struct cap *n;
	capos_status_t st = ct_lookup_typed(&t->proc->ct, a->notification,
					    CAPOS_CAP_NOTIFICATION, 0, &n);
	if (st != CAPOS_OK)
		return st;
	if (ct_free_count(&t->proc->ct) == 0)
		return CAPOS_LIMIT_EXCEEDED;
	struct kobj *h;
	st = irq_control_get(t, a->irq, n, a->bits, &h);
	if (st != CAPOS_OK)
		return st;
	return kmethod_new_cap(t, h, CAPOS_CAP_IRQ_HANDLER, CAPOS_RIGHTS_ALL);
}

static capos_status_t m_ack(struct thread *t, struct cap *c, void *args)
{
	(void)t;
	(void)args;
	return irq_handler_ack(c->obj);
}

static const struct kmethod control[] = {
	[CAPOS_IRQ_CONTROL_GET] = { m_get, KM_ARGS(struct capos_irq_get), 0, 0 },
};

static const struct kmethod handler[] = {
	[CAPOS_IRQ_HANDLER_ACK] = { m_ack, 0, 0, 0 },
};

const struct kmethod_table irq_control_methods = KMETHOD_TABLE(control, 0, NULL);
const struct kmethod_table irq_handler_methods = KMETHOD_TABLE(handler, 0, NULL);
