/*
 * bulk_window.c - a caller's SharedBuffer mapped for one call
 * (capos/bulk_window.h).
 */
#include <capos/bulk_window.h>
#include <capos/kernel.h>

capos_status_t capos_bulk_window_map(void *arg, capos_cap_t cap, uint8_t **buf, uint32_t *size)
{
	const struct capos_bulk_window *w = arg;
	struct capos_shared_buffer_info info;
	if (capos_shared_buffer_info(cap, &info) != CAPOS_OK || info.pages == 0)
		return CAPOS_INVALID_ARGUMENT; /* not a SharedBuffer */
	uint32_t pages = info.pages < w->max_pages ? info.pages : w->max_pages;
	capos_status_t st = capos_map_shared(w->self, w->va, cap, 0, pages,
					     CAPOS_PROT_READ | CAPOS_PROT_WRITE);
	if (st != CAPOS_OK)
		return st == CAPOS_DENIED ? CAPOS_DENIED : CAPOS_INVALID_ARGUMENT;
	*buf = (uint8_t *)(uintptr_t)w->va;
	*size = pages * CAPOS_PAGE_SIZE;
	return CAPOS_OK;
}

void capos_bulk_window_unmap(void *arg, uint8_t *buf, uint32_t size)
{
	const struct capos_bulk_window *w = arg;
	(void)capos_unmap(w->self, (uint64_t)(uintptr_t)buf, size / CAPOS_PAGE_SIZE);
}
