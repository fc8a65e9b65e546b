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

#include "audit.capos.h"

/* A badge the server knows by name (minted per client by init). */
struct audit_source {
	uint64_t badge;
	const char *name; /* truncated to fit AuditRecord.source */
};

/* Badges looked up as parameters badge.1 .. badge.AUDIT_SOURCES_MAX
 * (init's badges are the client's manifest index + 1). */
#define AUDIT_SOURCES_MAX 64u
#define AUDIT_SOURCE_NAME_MAX 32u /* with the NUL: AuditRecord.source's bound */
#define AUDIT_CAPACITY_DEFAULT 128u

/* Storage for a table read from parameters (audit_sources_load). */
struct audit_source_table {
	struct audit_source entries[AUDIT_SOURCES_MAX];
	char names[AUDIT_SOURCES_MAX][AUDIT_SOURCE_NAME_MAX];
	size_t count;
};

/* A parameter's value, or NULL (capos_param on the target). */
typedef const char *(*audit_param_fn)(void *arg, const char *key);

/* Fills *out with the time now (monotonic always; wall with provenance). */
typedef void (*audit_clock_fn)(void *ctx, capos_Timestamp *out);

struct audit_state {
	capos_AuditRecord *records; /* storage: capacity records */
	size_t capacity;
	size_t count;               /* records held; the newest is sequence count */
	uint64_t refused;           /* appends refused (log full) since boot */
	audit_clock_fn clock;       /* NULL: zero timestamps (UNTRUSTED) */
	void *clock_ctx;
	const struct audit_source *sources; /* badge -> name; may be NULL */
	size_t nsources;
};

/* Set up an empty log over `storage` (capacity records). */
void audit_init(struct audit_state *s, capos_AuditRecord *storage, size_t capacity,
		audit_clock_fn clock, void *clock_ctx,
		const struct audit_source *sources, size_t nsources);

/* Reads badge.1 .. badge.AUDIT_SOURCES_MAX through `param` into t (names
 * cut to 31 bytes; empty values skipped). Returns the entries found. */
size_t audit_sources_load(struct audit_source_table *t, audit_param_fn param, void *arg);

/* The source string recorded for `badge`: its name from the table, else
 * "badge:<decimal>" (a ':' is never in a component name, so an unknown
 * badge cannot pass for a component). Always NUL-terminated within n
 * (n > 0). */
void audit_source_name(const struct audit_state *s, uint64_t badge, char *out, size_t n);

extern const struct auditlog_ops audit_service_ops;

#endif
