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

const struct auditlog_ops audit_service_ops = {
	.append = do_append,
	.read = do_read,
};
