/*
 * sched.h - priorities, round robin, time slices, timeouts; tickless.
 * Pure logic: it decides, the architecture switches (arch/x86_64/switch.c).
 */
#ifndef KERN_CORE_SCHED_H
#define KERN_CORE_SCHED_H

#include <stdint.h>

#include "object/thread.h"

void sched_init(void);

/* The running thread; NULL while idle. */
struct thread *sched_current(void);

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

/* Highest priority with a runnable thread, or -1. */
int sched_highest_ready(void);

/* The fast path hands the CPU straight to a woken partner: the current
 * thread has blocked, next (blocked until now, on no queue) runs. */
void sched_switch_direct(struct thread *next);

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
