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

void audit_set_buffers(struct audit_state *s, capos_bulk_get_fn get, capos_bulk_put_fn put,
		       void *arg)
{
	s->bulk = (struct capos_bulk_source){ get, put, arg };
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

static bool encode_record(struct capos_wire_out *w, const void *rec)
{
	return capos_AuditRecord_wire_encode(w, rec);
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
	for (; q <= s->count && out->count < limit; q++, out->count++) {
		/* As AuditReadResult.records; one that does not fit is the
		 * next call's first. */
		if (!capos_bulk_put_record(&w, capos_AuditReadResult_records_tag, encode_record,
					   &s->records[q - 1])) {
			if (out->count == 0)
				return CAPOS_LIMIT_EXCEEDED;
			break;
		}
	}
	/* As Read: after the last returned; a cursor past the end stays. */
	out->next_cursor = q;
	out->bytes = (uint32_t)(w.p - buf);
	out->last_sequence = s->count;
	out->refused = s->refused;
	return CAPOS_OK;
}

/* ReadBulk's call, for capos_bulk_serve. */
struct bulk_call {
	const struct audit_state *s;
	const capos_AuditBulkRead *req;
	capos_AuditBulkResult *resp;
};

static capos_status_t fill(void *ctx, uint8_t *buf, uint32_t size)
{
	struct bulk_call *c = ctx;
	return audit_read_bulk(c->s, c->req, buf, size, c->resp);
}

static capos_status_t do_read_bulk(void *ctx, struct capos_rpc_request *rq,
				   const capos_AuditBulkRead *req, struct capos_cap_list *caps_in,
				   capos_AuditBulkResult *resp)
{
	struct audit_state *s = ctx;
	struct bulk_call c = { s, req, resp };
	(void)rq;
	return capos_bulk_serve(&s->bulk, caps_in, req->max_bytes, fill, &c);
}

const struct auditlog_ops audit_service_ops = {
	.append = do_append,
	.read = do_read,
	.read_bulk = do_read_bulk,
};
