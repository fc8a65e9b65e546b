/*
 * tqueue.c - thread queues (the O(1) operations are inline in tqueue.h).
 */
#include <stddef.h>

#include "core/panic.h"
#include "object/thread.h"
#include "object/tqueue.h"

void tq_insert_by_priority(struct tqueue *q, struct thread *t)
{
	KASSERT(t->queue == NULL);
	struct thread *after = q->tail;
	while (after && after->priority < t->priority)
		after = after->qprev;
	t->qprev = after;
	t->qnext = after ? after->qnext : q->head;
	if (t->qnext)
		t->qnext->qprev = t;
	else
		q->tail = t;
	if (after)
		after->qnext = t;
	else
		q->head = t;
	t->queue = q;
}
