/*
 * bulk.h - the server side of a ReadBulk method (docs/writing-a-server.md,
 * "Bulk results in a SharedBuffer"), header-only so the same code serves
 * on the target and in host component tests: LogReader.ReadBulk (logd)
 * and AuditLog.ReadBulk (audit) take the caller's buffer and write their
 * records into it through these.
 */
#ifndef CAPOS_BULK_H
#define CAPOS_BULK_H

#include <stdbool.h>
#include <stdint.h>

#include <capos/abi.h>
#include <capos/rpc.h>
#include <capos/wire.h>

/* How a server reaches the memory behind the SharedBuffer cap that came
 * with a call, for the length of the call: `get` gives it (OK with *buf
 * and *size set, or the status to answer: INVALID_ARGUMENT when the cap is
 * no SharedBuffer), `put` (may be NULL) gives it back. The target maps it
 * (capos/bulk_window.h), tests hand out host memory. get NULL: the server
 * cannot take a buffer, and ReadBulk answers UNSUPPORTED. */
typedef capos_status_t (*capos_bulk_get_fn)(void *arg, capos_cap_t cap, uint8_t **buf,
					    uint32_t *size);
typedef void (*capos_bulk_put_fn)(void *arg, uint8_t *buf, uint32_t size);
struct capos_bulk_source {
	capos_bulk_get_fn get;
	capos_bulk_put_fn put;
	void *arg;
};

/* Writes the records into buf[size] (size already cut to the request's
 * max_bytes): the method's own logic. */
typedef capos_status_t (*capos_bulk_fill_fn)(void *ctx, uint8_t *buf, uint32_t size);

/* One ReadBulk call's frame: UNSUPPORTED without a source; INVALID_ARGUMENT
 * unless exactly one cap came; else the buffer from the source, fill() on
 * its first max_bytes bytes (0: all of it; a reader may keep the rest for
 * itself), the buffer given back, fill's status. */
static inline capos_status_t capos_bulk_serve(const struct capos_bulk_source *src,
					      const struct capos_cap_list *caps_in,
					      uint32_t max_bytes, capos_bulk_fill_fn fill, void *ctx)
{
	if (!src->get)
		return CAPOS_UNSUPPORTED;
	if (!caps_in || caps_in->count != 1)
		return CAPOS_INVALID_ARGUMENT; /* no buffer to write into */
	uint8_t *buf;
	uint32_t size;
	capos_status_t st = src->get(src->arg, caps_in->cap[0], &buf, &size);
	if (st != CAPOS_OK)
		return st;
	st = fill(ctx, buf, max_bytes && max_bytes < size ? max_bytes : size);
	if (src->put)
		src->put(src->arg, buf, size);
	return st;
}

/* Appends one record as field `tag` of a repeated message field would be
 * encoded (key, length, encode()'s bytes). false, with w as it was, when
 * it does not fit: that record is the next call's first. */
static inline bool capos_bulk_put_record(struct capos_wire_out *w, uint32_t tag,
					 bool (*encode)(struct capos_wire_out *, const void *),
					 const void *rec)
{
	uint8_t *mark = w->p, *len_at;
	if (!capos_wire_put_varint(w, ((uint64_t)tag << 3) | 2u) ||
	    (len_at = capos_wire_sub_begin(w)) == NULL || !encode(w, rec) ||
	    !capos_wire_sub_end(w, len_at)) {
		w->p = mark;
		return false;
	}
	return true;
}

#endif
