/*
 * kobj.h - the header every kernel object starts with.
 *
 * Invariants:
 *  - refs counts every capability naming the object plus every kernel
 *    pointer that must keep it alive (documented where taken); the object
 *    is destroyed exactly once, when refs drops to zero;
 *  - every object occupies one page, charged to the process that created it
 *    (owner, which the object keeps a reference to), so accounting is exact:
 *    destroying an object gives back precisely the page it cost;
 *  - kobj_live_count is the number of objects not yet destroyed, and
 *    kobj_all lists exactly those objects;
 *  - destruction never nests deeper than KOBJ_DESTROY_NEST_MAX: an object
 *    whose last reference goes while that many destructions are running
 *    waits on a list (dead_next) that the outermost destruction empties
 *    before it returns, so a chain of any length (processes owning
 *    processes, caps naming objects that hold caps) is released in a loop,
 *    never by recursion that could run off the kernel stack. When the
 *    outermost kobj_unref returns, every object it released is gone.
 */
#ifndef KERN_OBJECT_KOBJ_H
#define KERN_OBJECT_KOBJ_H

#include <stdint.h>

#include <capos/abi.h>

#include "core/panic.h"

struct process;

struct kobj {
	uint16_t type;  /* enum capos_cap_type, or KOBJ_* below */
	uint16_t check; /* scratch for the invariant walk */
	uint32_t refs;
	struct process *owner; /* charged for the page; NULL: the kernel's own */
	struct kobj *all_next, *all_prev; /* every allocated object (checks) */
	struct kobj *dead_next; /* refs == 0, waiting for its destruction */
} __attribute__((aligned(16))); /* a thread's trapframe follows: 16-aligned */

/* How many destructions may run inside one another before the next one
 * waits on the list instead (a few stack frames each). */
#define KOBJ_DESTROY_NEST_MAX 4u

/* Kernel-internal object types, never in a cap. */
#define KOBJ_CRASH_MESSAGE 0x100u

/* The list of every allocated object (static singletons excluded). */
extern struct kobj *kobj_all;

extern uint64_t kobj_live_count;

/*
 * A zeroed one-page object of `type`, with refs = 1 for the caller, charged
 * to owner (if not NULL). NULL with *st set (NO_MEMORY or LIMIT_EXCEEDED).
 */
void *kobj_alloc(uint16_t type, struct process *owner, capos_status_t *st);

/* Runs the type's destroy hook and frees the page; refs has reached 0.
 * Deeply nested calls defer to the outermost one (invariants above). */
void kobj_destroy(struct kobj *o);

/* Inline: every IPC takes and drops several references, and the call
 * would cost more than the count. */
static inline void kobj_ref(struct kobj *o)
{
	KASSERT(o->refs > 0);
	o->refs++;
}

static inline void kobj_unref(struct kobj *o)
{
	KASSERT(o->refs > 0);
	if (--o->refs == 0)
		kobj_destroy(o);
}

#endif
