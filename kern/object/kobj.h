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
 *  - kobj_live_count is the number of objects not yet destroyed.
 */
#ifndef KERN_OBJECT_KOBJ_H
#define KERN_OBJECT_KOBJ_H

#include <stdint.h>

#include <capos/abi.h>

struct process;

struct kobj {
	uint32_t type; /* enum capos_cap_type */
	uint32_t refs;
	struct process *owner; /* charged for the page; NULL: the kernel's own */
};

extern uint64_t kobj_live_count;

/*
 * A zeroed one-page object of `type`, with refs = 1 for the caller, charged
 * to owner (if not NULL). NULL with *st set (NO_MEMORY or LIMIT_EXCEEDED).
 */
void *kobj_alloc(uint32_t type, struct process *owner, capos_status_t *st);

void kobj_ref(struct kobj *o);
void kobj_unref(struct kobj *o);

#endif
