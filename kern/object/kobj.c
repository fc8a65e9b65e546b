/*
 * kobj.c - allocation and reference counting of kernel objects.
 * Type-specific destruction lives with each type; this file dispatches.
 */
#include <stddef.h>

#include "core/panic.h"
#include "core/platform.h"
#include "object/kobj.h"
#include "object/objects.h"
#include "object/process.h"

void irq_handler_destroy(struct kobj *handler); /* arch */

uint64_t kobj_live_count;
struct kobj *kobj_all;

void *kobj_alloc(uint16_t type, struct process *owner, capos_status_t *st)
{
	if (owner) {
		*st = process_charge_pages(owner, 1);
		if (*st != CAPOS_OK)
			return NULL;
	}
	struct kobj *o = page_alloc();
	if (!o) {
		if (owner)
			process_uncharge_pages(owner, 1);
		*st = CAPOS_NO_MEMORY;
		return NULL;
	}
	o->type = type;
	o->refs = 1;
	o->owner = owner;
	if (owner)
		kobj_ref(&owner->obj);
	o->all_next = kobj_all;
	o->all_prev = NULL;
	if (kobj_all)
		kobj_all->all_prev = o;
	kobj_all = o;
	kobj_live_count++;
	*st = CAPOS_OK;
	return o;
}

/* Destructions running inside one another, and the objects waiting
 * because that nesting reached KOBJ_DESTROY_NEST_MAX (kobj.h). */
static uint32_t destroy_depth;
static struct kobj *destroy_pending;

static void destroy_one(struct kobj *o);

void kobj_destroy(struct kobj *o)
{
	KASSERT(o->refs == 0);
	if (destroy_depth >= KOBJ_DESTROY_NEST_MAX) {
		o->dead_next = destroy_pending;
		destroy_pending = o;
		return;
	}
	destroy_depth++;
	destroy_one(o);
	if (destroy_depth == 1) {
		/* The outermost destruction: release what waited, in a loop
		 * (each may add more; the depth bounds the stack meanwhile). */
		while (destroy_pending) {
			struct kobj *next = destroy_pending;
			destroy_pending = next->dead_next;
			destroy_one(next);
		}
	}
	destroy_depth--;
}

static void destroy_one(struct kobj *o)
{
	struct process *owner = o->owner;
	switch (o->type) {
	case CAPOS_CAP_ENDPOINT:
		endpoint_destroy((struct endpoint *)o);
		break;
	case CAPOS_CAP_NOTIFICATION:
		notification_destroy((struct notification *)o);
		break;
	case CAPOS_CAP_PROCESS:
		process_destroy((struct process *)o);
		break;
	case CAPOS_CAP_THREAD:
		thread_destroy((struct thread *)o);
		break;
	case CAPOS_CAP_SHARED_BUFFER:
		shared_buffer_destroy((struct shared_buffer *)o);
		break;
	case CAPOS_CAP_IRQ_HANDLER:
		irq_handler_destroy(o);
		break;
	default:
		break; /* plain objects: nothing inside to release */
	}
	if (o->all_prev)
		o->all_prev->all_next = o->all_next;
	else
		kobj_all = o->all_next;
	if (o->all_next)
		o->all_next->all_prev = o->all_prev;
	page_free(o);
	kobj_live_count--;
	if (owner) {
		process_uncharge_pages(owner, 1);
		kobj_unref(&owner->obj);
	}
}
