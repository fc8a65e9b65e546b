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
};

/* Set up an empty log over `storage` (capacity records). */
void audit_init(struct audit_state *s, capos_AuditRecord *storage, size_t capacity,
		audit_clock_fn clock, void *clock_ctx,
		const struct capos_client_name *sources, size_t nsources);

/* The source string recorded for `badge`: its name from the table, else
 * "badge:<decimal>" (a ':' is never in a component name, so an unknown
 * badge cannot pass for a component). Always NUL-terminated within n
 * (n > 0). */
void audit_source_name(const struct audit_state *s, uint64_t badge, char *out, size_t n);

extern const struct auditlog_ops audit_service_ops;

#endif
