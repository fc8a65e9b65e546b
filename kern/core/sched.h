/*
 * sched.h - priorities, round robin, time slices, timeouts; tickless.
 * Pure logic: it decides, the architecture switches (arch/x86_64/switch.c).
 */
#ifndef KERN_CORE_SCHED_H
#define KERN_CORE_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "core/panic.h"
#include "object/thread.h"

void sched_init(void);

/* Scheduler state the inline helpers below read; only sched.c writes it. */
extern struct thread *sched_current_thread;
extern uint64_t sched_ready_bits[4];

/* The running thread; NULL while idle. */
static inline struct thread *sched_current(void)
{
	return sched_current_thread;
}

/* t becomes RUNNABLE at the back of its priority's queue. */
void sched_ready(struct thread *t);
/* Takes a RUNNABLE t off its run queue (it is about to block or die). */
void sched_unready(struct thread *t);

/* The current thread gives up the rest of its slice. */
void sched_yield(void);
/* The current thread stops being current (it blocked or died). */
void sched_current_left(void);

/* Decides who runs next and makes it current (NULL: idle). Called on every
 * kernel exit. Also programs the timer for the nearest real deadline. */
struct thread *sched_choose(void);

/* Highest priority with a runnable thread, or -1. Inline (the fast path
 * asks on every message). */
static inline int sched_highest_ready(void)
{
	for (int w = 3; w >= 0; w--)
		if (sched_ready_bits[w])
			return w * 64 + 63 - __builtin_clzll(sched_ready_bits[w]);
	return -1;
}

/* The fast path hands the CPU straight to a woken partner: the current
 * thread has blocked, next (blocked until now, on no queue) runs. */
static inline void sched_switch_direct(struct thread *next)
{
	KASSERT(next->queue == NULL);
	sched_current_thread = next;
	next->state = THREAD_RUNNING;
}

/* Timed waits: absolute deadline in ns. */
void timeout_add(struct thread *t, uint64_t deadline);
void timeout_remove(struct thread *t);
/* Timer interrupt: wakes every expired waiter with TIMEOUT. */
void sched_timer_tick(void);

/* The deadline the timer was last programmed for (0: none) - for tests. */
uint64_t sched_programmed_deadline(void);

/* Takes a blocked thread off its wait queue and timeout, dropping the
 * reference its wait held. */
void thread_leave_waits(struct thread *t);

/* Wakes a blocked thread with a status in its rax. */
void thread_wake(struct thread *t, capos_status_t st);

#endif
