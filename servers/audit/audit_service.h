/*
 * audit_service.h - the audit log's logic (idl/audit.proto), free of system
 * calls, so the same code serves on the target and in host component tests.
 *
 * Append-only and sequence-numbered (1, 2, 3, ... no gaps). The capacity is
 * fixed at init by the storage the caller hands over; when it is full an
 * Append is refused with CAPOS_LIMIT_EXCEEDED and counted: nothing already
 * held is ever overwritten or dropped.
 */
#ifndef SERVERS_AUDIT_SERVICE_H
#define SERVERS_AUDIT_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include <capos/bulk.h>
#include <capos/client_names.h>

#include "audit.capos.h"

#define AUDIT_SOURCE_NAME_MAX 32u /* with the NUL: AuditRecord.source's bound */
#define AUDIT_CAPACITY_DEFAULT 128u



/* Fills *out with the time now (monotonic always; wall with provenance). */
typedef void (*audit_clock_fn)(void *ctx, capos_Timestamp *out);

struct audit_state {
	capos_AuditRecord *records; /* storage: capacity records */
	size_t capacity;
	size_t count;               /* records held; the newest is sequence count */
	uint64_t refused;           /* appends refused (log full) since boot */
	audit_clock_fn clock;       /* NULL: zero timestamps (UNTRUSTED) */
	void *clock_ctx;
	const struct capos_client_name *sources; /* badge -> name; may be NULL */
	size_t nsources;
	struct capos_bulk_source bulk; /* ReadBulk's buffer; get NULL: UNSUPPORTED */
};

/* Set up an empty log over `storage` (capacity records). */
void audit_init(struct audit_state *s, capos_AuditRecord *storage, size_t capacity,
		audit_clock_fn clock, void *clock_ctx,
		const struct capos_client_name *sources, size_t nsources);

/* How ReadBulk reaches the caller's SharedBuffer (capos/bulk.h). */
void audit_set_buffers(struct audit_state *s, capos_bulk_get_fn get, capos_bulk_put_fn put,
		       void *arg);

/* ReadBulk's work (idl/audit.proto): the records at or after req->cursor,
 * oldest first, into buf[size] as AuditReadResult.records fields, as many
 * as fit and req->max allows (0: no limit; req->max_bytes is the caller's
 * and already applied to size). CAPOS_OK with *out filled, or
 * CAPOS_LIMIT_EXCEEDED when the first record to return does not fit
 * (*out then says nothing). */
capos_status_t audit_read_bulk(const struct audit_state *s, const capos_AuditBulkRead *req,
			       uint8_t *buf, uint32_t size, capos_AuditBulkResult *out);

/* The source string recorded for `badge`: its name from the table, else
 * "badge:<decimal>" (a ':' is never in a component name, so an unknown
 * badge cannot pass for a component). Always NUL-terminated within n
 * (n > 0). */
void audit_source_name(const struct audit_state *s, uint64_t badge, char *out, size_t n);

extern const struct auditlog_ops audit_service_ops;

#endif
