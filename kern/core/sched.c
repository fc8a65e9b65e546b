/*
 * sched.c - the scheduler.
 *
 * Invariants:
 *  - a RUNNABLE thread is on run_queue[priority] and its bit is set in
 *    ready_bits; no other thread is on a run queue;
 *  - current (sched_current_thread) is RUNNING (or NULL = idle) and on no
 *    queue;
 *  - within a priority, threads run round robin: a thread whose slice has
 *    expired goes behind its equals;
 *  - tickless: the timer is programmed only for the earliest timed wait,
 *    or for the end of the current slice when another thread of the same
 *    priority is waiting to run. With nothing to run and no timed wait,
 *    no timer is armed at all;
 *  - timeouts is sorted by deadline; a thread is on it iff deadline != 0.
 * SMP: one scheduler per CPU, with locks on the queues.
 */
#include <stddef.h>

#include "core/panic.h"
#include "core/platform.h"
#include "core/sched.h"
#include "object/objects.h"

static struct tqueue run_queue[256];
uint64_t sched_ready_bits[4];
struct thread *sched_current_thread;
static struct thread *timeouts;
static uint64_t programmed;

void sched_init(void)
{
	for (int i = 0; i < 256; i++)
		run_queue[i].head = run_queue[i].tail = NULL;
	for (int i = 0; i < 4; i++)
		sched_ready_bits[i] = 0;
	sched_current_thread = NULL;
	timeouts = NULL;
	programmed = 0;
}


static void set_bit(int p)
{
	sched_ready_bits[p / 64] |= 1ull << (p % 64);
}

static void update_bit(int p)
{
	if (!run_queue[p].head)
		sched_ready_bits[p / 64] &= ~(1ull << (p % 64));
}

void sched_ready(struct thread *t)
{
	KASSERT(t != sched_current_thread);
	uint8_t p = t->priority;
	t->state = THREAD_RUNNABLE;
	tq_push_back(&run_queue[p], t);
	set_bit(p);
}

static void ready_front(struct thread *t)
{
	t->state = THREAD_RUNNABLE;
	struct tqueue *q = &run_queue[t->priority];
	KASSERT(t->queue == NULL);
	t->qprev = NULL;
	t->qnext = q->head;
	if (q->head)
		q->head->qprev = t;
	else
		q->tail = t;
	q->head = t;
	t->queue = q;
	set_bit(t->priority);
}

void sched_unready(struct thread *t)
{
	KASSERT(t->state == THREAD_RUNNABLE);
	tq_remove(&run_queue[t->priority], t);
	update_bit(t->priority);
}

void sched_yield(void)
{
	struct thread *t = sched_current_thread;
	if (!t)
		return;
	sched_current_thread = NULL;
	sched_ready(t);
}

void sched_current_left(void)
{
	sched_current_thread = NULL;
}

static struct thread *take(int p)
{
	struct thread *t = tq_pop_front(&run_queue[p]);
	update_bit(p);
	return t;
}

static void program_timer(void)
{
	uint64_t d = timeouts ? timeouts->deadline : 0;
	struct thread *cur = sched_current_thread;
	if (cur && run_queue[cur->priority].head) {
		uint64_t end = cur->slice_start + cur->slice_ns;
		if (!d || end < d)
			d = end;
	}
	if (d != programmed) {
		programmed = d;
		timer_set_deadline(d);
	}
}

struct thread *sched_choose(void)
{
	int best = sched_highest_ready();
	struct thread *cur = sched_current_thread;
	if (cur) {
		KASSERT(cur->state == THREAD_RUNNING);
		if (best < (int)cur->priority)
			goto done;
		if (best == (int)cur->priority) {
			uint64_t now = now_ns();
			if (now - cur->slice_start < cur->slice_ns)
				goto done;
			sched_current_thread = NULL;
			sched_ready(cur); /* slice over: behind its equals */
		} else {
			sched_current_thread = NULL;
			ready_front(cur); /* preempted: keeps its place */
		}
		best = sched_highest_ready();
	}
	if (best >= 0) {
		struct thread *next = take(best);
		next->state = THREAD_RUNNING;
		next->slice_start = now_ns();
		sched_current_thread = next;
	}
done:
	program_timer();
	return sched_current_thread;
}

void timeout_add(struct thread *t, uint64_t deadline)
{
	KASSERT(t->deadline == 0);
	if (deadline == 0)
		deadline = 1;
	t->deadline = deadline;
	struct thread **pp = &timeouts;
	while (*pp && (*pp)->deadline <= deadline)
		pp = &(*pp)->timeout_next;
	t->timeout_next = *pp;
	*pp = t;
}

void timeout_remove(struct thread *t)
{
	if (!t->deadline)
		return;
	for (struct thread **pp = &timeouts; *pp; pp = &(*pp)->timeout_next) {
		if (*pp == t) {
			*pp = t->timeout_next;
			break;
		}
	}
	t->deadline = 0;
	t->timeout_next = NULL;
}

void sched_timer_tick(void)
{
	programmed = 0; /* the one-shot has fired */
	uint64_t now = now_ns();
	while (timeouts && timeouts->deadline <= now) {
		struct thread *t = timeouts;
		thread_wake(t, CAPOS_TIMEOUT); /* removes it from timeouts */
	}
}

uint64_t sched_programmed_deadline(void)
{
	return programmed;
}

void thread_leave_waits(struct thread *t)
{
	if (t->queue)
		tq_remove(t->queue, t);
	timeout_remove(t);
	/* Waiting kept the object alive; drop that reference last. */
	struct kobj *ep = t->blocked_on_ep ? &t->blocked_on_ep->obj : NULL;
	struct kobj *n = t->blocked_on_ntfn ? &t->blocked_on_ntfn->obj : NULL;
	t->blocked_on_ep = NULL;
	t->blocked_on_ntfn = NULL;
	if (ep)
		kobj_unref(ep);
	if (n)
		kobj_unref(n);
}

void thread_wake(struct thread *t, capos_status_t st)
{
	thread_leave_waits(t);
	t->tf.rax = (uint64_t)st;
	sched_ready(t);
}
