/*
 * tqueue.c - thread queues. A thread is on at most one queue (t->queue).
 */
#include <stddef.h>

#include "core/panic.h"
#include "object/thread.h"
#include "object/tqueue.h"

void tq_push_back(struct tqueue *q, struct thread *t)
{
	KASSERT(t->queue == NULL);
	t->qnext = NULL;
	t->qprev = q->tail;
	if (q->tail)
		q->tail->qnext = t;
	else
		q->head = t;
	q->tail = t;
	t->queue = q;
}

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

void tq_remove(struct tqueue *q, struct thread *t)
{
	KASSERT(t->queue == q);
	if (t->qprev)
		t->qprev->qnext = t->qnext;
	else
		q->head = t->qnext;
	if (t->qnext)
		t->qnext->qprev = t->qprev;
	else
		q->tail = t->qprev;
	t->qnext = t->qprev = NULL;
	t->queue = NULL;
}

struct thread *tq_pop_front(struct tqueue *q)
{
	struct thread *t = q->head;
	if (t)
		tq_remove(q, t);
	return t;
}
