#ifndef KERN_CORE_SCHED_H
#define KERN_CORE_SCHED_H

#include <stdint.h>

#include "object/thread.h"

/* Makes the boot context the idle thread. */
void sched_init(void);

struct thread *sched_current(void);
void sched_make_runnable(struct thread *t);

/* Runs the next runnable thread (the idle thread when none); returns when
 * the caller is chosen again. */
void schedule(void);

/* Current thread to the back of the queue, then schedule. */
void sched_yield(void);

/* Marks the current thread dead and leaves it for good. */
__attribute__((noreturn)) void sched_exit_current(void);

void sched_timer_interrupt(void);

/* TSC at the first switch into a user thread (boot benchmark). */
extern uint64_t first_user_entry_tsc;

#endif
