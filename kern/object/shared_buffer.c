/*
 * shared_buffer.c - pages that several address spaces can map.
 *
 * Invariants: the frames are allocated at creation (charged to the
 * creator) and freed when the last reference goes; every mapping of the
 * buffer holds a reference (process.c), so a frame is never freed while
 * mapped. A borrowed buffer (the boot package) wraps memory the kernel does
 * not own and frees nothing. Its one method, INFO, needs no right and
 * changes nothing.
 */
#include <stddef.h>

#include "core/platform.h"
#include "object/method.h"
#include "object/objects.h"
#include "object/process.h"
#include "object/shared_buffer.h"

struct shared_buffer *shared_buffer_create(struct process *owner, uint32_t pages,
					   capos_status_t *st)
{
	if (pages == 0 || pages > SHARED_BUFFER_MAX_PAGES) {
		*st = CAPOS_INVALID_ARGUMENT;
		return NULL;
	}
	if (owner) {
		*st = process_charge_pages(owner, pages);
		if (*st != CAPOS_OK)
			return NULL;
	}
	struct shared_buffer *sb = kobj_alloc(CAPOS_CAP_SHARED_BUFFER, owner, st);
	if (!sb) {
		if (owner)
			process_uncharge_pages(owner, pages);
		return NULL;
	}
	sb->bytes = pages * CAPOS_PAGE_SIZE; /* what was charged */
	for (uint32_t i = 0; i < pages; i++) {
		sb->frames[i] = page_alloc();
		if (!sb->frames[i]) {
			sb->pages = i; /* destroy frees these and uncharges */
			kobj_unref(&sb->obj);
			*st = CAPOS_NO_MEMORY;
			return NULL;
		}
	}
	sb->pages = pages;
	*st = CAPOS_OK;
	return sb;
}

struct shared_buffer *shared_buffer_borrow(void *const *frames, uint32_t pages,
					   uint32_t bytes, capos_status_t *st)
{
	if (pages == 0 || pages > SHARED_BUFFER_MAX_PAGES) {
		*st = CAPOS_INVALID_ARGUMENT;
		return NULL;
	}
	struct shared_buffer *sb = kobj_alloc(CAPOS_CAP_SHARED_BUFFER, NULL, st);
	if (!sb)
		return NULL;
	for (uint32_t i = 0; i < pages; i++)
		sb->frames[i] = frames[i];
	sb->pages = pages;
	sb->bytes = bytes;
	sb->borrowed = 1;
	return sb;
}

void shared_buffer_destroy(struct shared_buffer *sb)
{
	if (!sb->borrowed) {
		for (uint32_t i = 0; i < sb->pages; i++)
			page_free(sb->frames[i]);
		/* pages counts the frames obtained; bytes what was charged
		 * (they differ when creation failed half-way). */
		if (sb->obj.owner)
			process_uncharge_pages(sb->obj.owner, sb->bytes / CAPOS_PAGE_SIZE);
	}
}

/* ---- Methods (a Call on a SharedBuffer cap; checks in object/method.h) ---- */

static capos_status_t m_info(struct thread *t, struct cap *c, void *args)
{
	(void)args;
	const struct shared_buffer *sb = (const struct shared_buffer *)c->obj;
	struct capos_shared_buffer_info r = { sb->pages, sb->bytes };
	return kmethod_reply(t, &r, sizeof(r));
}

static const struct kmethod methods[] = {
	[CAPOS_SHARED_BUFFER_INFO] = { m_info, 0, 0, 0 },
};

const struct kmethod_table shared_buffer_methods = KMETHOD_TABLE(methods, 0, NULL);
