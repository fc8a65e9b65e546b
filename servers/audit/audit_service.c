/*
 * audit_service.c - AuditLog (idl/audit.proto): append-only,
 * sequence-numbered, never drops a record silently.
 */
#include <string.h>

#include "audit_service.h"

void audit_init(struct audit_state *s, capos_AuditRecord *storage, size_t capacity,
		audit_clock_fn clock, void *clock_ctx,
		const struct capos_client_name *sources, size_t nsources)
{
	memset(s, 0, sizeof(*s));
	s->records = storage;
	s->capacity = storage ? capacity : 0;
	s->clock = clock;
	s->clock_ctx = clock_ctx;
	s->sources = sources;
	s->nsources = sources ? nsources : 0;
}

void audit_set_buffers(struct audit_state *s, audit_buffer_get_fn get, audit_buffer_put_fn put,
		       void *arg)
{
	s->buffer_get = get;
	s->buffer_put = put;
	s->buffer_arg = arg;
}

void audit_source_name(const struct audit_state *s, uint64_t badge, char *out, size_t n)
{
	capos_client_name_of(s->sources, s->nsources, badge, out, n);
}

static capos_status_t do_append(void *ctx, struct capos_rpc_request *rq,
				const capos_AuditRecord *req, capos_AuditAppendResult *resp)
{
	struct audit_state *s = ctx;
	capos_AuditRecord *r;

	/* UNSPECIFIED is an unset field; numbers beyond OTHER are unknown. */
	if (req->kind <= capos_AuditKind_AUDIT_KIND_UNSPECIFIED ||
	    req->kind > capos_AuditKind_AUDIT_KIND_OTHER)
		return CAPOS_INVALID_ARGUMENT;
	/* crash holds the record of AUDIT_KIND_CRASH only */
	if (req->has_crash && req->kind != capos_AuditKind_AUDIT_KIND_CRASH)
		return CAPOS_INVALID_ARGUMENT;
	if (s->count >= s->capacity) {
		s->refused++;
		return CAPOS_LIMIT_EXCEEDED;
	}

	r = &s->records[s->count];
	*r = *req;
	/* Set by the server, whatever the message said. */
	r->sequence = (uint64_t)s->count + 1;
	r->has_timestamp = true;
	memset(&r->timestamp, 0, sizeof(r->timestamp));
	if (s->clock)
		s->clock(s->clock_ctx, &r->timestamp);
	audit_source_name(s, rq->badge, r->source, sizeof(r->source));
	s->count++;
	resp->sequence = r->sequence;
	return CAPOS_OK;
}

static capos_status_t do_read(void *ctx, struct capos_rpc_request *rq,
			      const capos_AuditFilter *req, capos_AuditReadResult *resp)
{
	struct audit_state *s = ctx;
	uint64_t cursor = req->cursor ? req->cursor : 1;
	size_t room = sizeof(resp->records) / sizeof(resp->records[0]);
	size_t n = 0;

	(void)rq;
	if (req->max && req->max < room)
		room = req->max;
	/* Sequence q lives at index q - 1: nothing is ever removed. */
	for (uint64_t q = cursor; q <= s->count && n < room; q++)
		resp->records[n++] = s->records[q - 1];
	resp->records_count = (pb_size_t)n;
	resp->next_cursor = n ? resp->records[n - 1].sequence + 1 : cursor;
	resp->last_sequence = s->count;
	resp->refused = s->refused;
	return CAPOS_OK;
}

capos_status_t audit_read_bulk(const struct audit_state *s, const capos_AuditBulkRead *req,
			       uint8_t *buf, uint32_t size, capos_AuditBulkResult *out)
{
	*out = (capos_AuditBulkResult)capos_AuditBulkResult_init_zero;
	uint64_t q = req->cursor ? req->cursor : 1;
	const uint32_t limit = req->max ? req->max : UINT32_MAX;
	struct capos_wire_out w = { buf, buf + size };
	/* Sequence q lives at index q - 1: nothing is ever removed, so no
	 * record between the cursor and the first returned can be missing. */
	while (q <= s->count && out->count < limit) {
		/* As AuditReadResult.records: key, length, the record. */
		uint8_t *mark = w.p, *len_at;
		if (!capos_wire_put_byte(&w, (capos_AuditReadResult_records_tag << 3) | 2u) ||
		    (len_at = capos_wire_sub_begin(&w)) == NULL ||
		    !capos_AuditRecord_wire_encode(&w, &s->records[q - 1]) ||
		    !capos_wire_sub_end(&w, len_at)) {
			w.p = mark; /* does not fit: it is the next call's first */
			if (out->count == 0)
				return CAPOS_LIMIT_EXCEEDED;
			break;
		}
		out->count++;
		q++;
	}
	/* As Read: after the last returned; a cursor past the end stays. */
	out->next_cursor = q;
	out->bytes = (uint32_t)(w.p - buf);
	out->last_sequence = s->count;
	out->refused = s->refused;
	return CAPOS_OK;
}

static capos_status_t do_read_bulk(void *ctx, struct capos_rpc_request *rq,
				   const capos_AuditBulkRead *req, struct capos_cap_list *caps_in,
				   capos_AuditBulkResult *resp)
{
	struct audit_state *s = ctx;
	(void)rq;
	if (!s->buffer_get)
		return CAPOS_UNSUPPORTED;
	if (!caps_in || caps_in->count != 1)
		return CAPOS_INVALID_ARGUMENT; /* no buffer to write into */
	uint8_t *buf;
	uint32_t size;
	capos_status_t st = s->buffer_get(s->buffer_arg, caps_in->cap[0], &buf, &size);
	if (st != CAPOS_OK)
		return st;
	/* A reader may keep the rest of its buffer for itself. */
	st = audit_read_bulk(s, req, buf,
			     req->max_bytes && req->max_bytes < size ? req->max_bytes : size, resp);
	if (s->buffer_put)
		s->buffer_put(s->buffer_arg, buf, size);
	return st;
}

const struct auditlog_ops audit_service_ops = {
	.append = do_append,
	.read = do_read,
	.read_bulk = do_read_bulk,
};
