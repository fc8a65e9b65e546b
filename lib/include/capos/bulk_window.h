/*
 * bulk_window.h - a server's window onto a caller's SharedBuffer for the
 * length of one call (docs/writing-a-server.md, "Bulk results in a
 * SharedBuffer"): LogReader.ReadBulk (logd) and AuditLog.ReadBulk (audit)
 * map the buffer that came with the request under their own `self`
 * Process grant, write the records, and unmap it before replying, so the
 * server keeps nothing of a reader's memory between calls.
 */
#ifndef CAPOS_BULK_WINDOW_H
#define CAPOS_BULK_WINDOW_H

#include <stdint.h>

#include <capos/abi.h>

/* The window: where it is mapped and how many pages of a buffer it takes
 * at most. self CAPOS_NO_CAP: the server cannot map a buffer. */
struct capos_bulk_window {
	capos_cap_t self;
	uint64_t va;
	uint32_t max_pages;
};

/* Maps the first pages of the SharedBuffer `cap` (at most max_pages)
 * READ|WRITE at w->va: OK with *buf and *size set; INVALID_ARGUMENT when
 * cap is not a SharedBuffer or cannot be mapped, DENIED when self may not
 * map. A capos_bulk_get_fn and capos_bulk_put_fn (capos/bulk.h), with w as
 * their arg. */
capos_status_t capos_bulk_window_map(void *w, capos_cap_t cap, uint8_t **buf, uint32_t *size);
/* Undoes capos_bulk_window_map. */
void capos_bulk_window_unmap(void *w, uint8_t *buf, uint32_t size);

#endif
