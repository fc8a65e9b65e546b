/*
 * tqueue.h - doubly linked queues of threads (run queues, endpoint and
 * notification wait queues). A thread is on at most one queue at a time,
 * recorded in thread->queue, so it can always be removed in O(1).
 *
 * The O(1) operations are inline: every IPC and every scheduling decision
 * moves a thread on or off a queue, and a call costs more than the work.
 */
#ifndef KERN_OBJECT_TQUEUE_H
#define KERN_OBJECT_TQUEUE_H

#include <stddef.h>

#include "core/panic.h"
#include "object/thread.h"

struct tqueue {
	struct thread *head;
	struct thread *tail;
};

static inline void tq_push_back(struct tqueue *q, struct thread *t)
{
	KASSERT(t->queue == NULL);
	struct thread *tail = q->tail;
	t->qnext = NULL;
	t->qprev = tail;
	if (tail)
		tail->qnext = t;
	else
		q->head = t;
	q->tail = t;
	t->queue = q;
}

static inline void tq_remove(struct tqueue *q, struct thread *t)
{
	KASSERT(t->queue == q);
	struct thread *prev = t->qprev, *next = t->qnext;
	if (prev)
		prev->qnext = next;
	else
		q->head = next;
	if (next)
		next->qprev = prev;
	else
		q->tail = prev;
	t->qnext = t->qprev = NULL;
	t->queue = NULL;
}

/* tq_remove for the head, which has no predecessor to relink. */
static inline void tq_pop_head(struct tqueue *q, struct thread *t)
{
	KASSERT(t == q->head);
	struct thread *next = t->qnext;
	q->head = next;
	if (next)
		next->qprev = NULL;
	else
		q->tail = NULL;
	t->qnext = NULL;
	t->queue = NULL;
}

static inline struct thread *tq_pop_front(struct tqueue *q)
{
	struct thread *t = q->head;
	if (t)
		tq_pop_head(q, t);
	return t;
}

/* Behind every thread of priority >= t's: FIFO within a priority. */
void tq_insert_by_priority(struct tqueue *q, struct thread *t);

#endif
