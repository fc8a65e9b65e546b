/*
 * tqueue.h - doubly linked queues of threads (run queues, endpoint and
 * notification wait queues). A thread is on at most one queue at a time,
 * recorded in thread->queue, so it can always be removed in O(1).
 */
#ifndef KERN_OBJECT_TQUEUE_H
#define KERN_OBJECT_TQUEUE_H

struct thread;

struct tqueue {
	struct thread *head;
	struct thread *tail;
};

void tq_push_back(struct tqueue *q, struct thread *t);
/* Behind every thread of priority >= t's: FIFO within a priority. */
void tq_insert_by_priority(struct tqueue *q, struct thread *t);
struct thread *tq_pop_front(struct tqueue *q);
void tq_remove(struct tqueue *q, struct thread *t);

#endif
