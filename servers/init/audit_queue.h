/*
 * audit_queue.h - init's audit records (docs/init.md, "What is audited").
 *
 * Every death of a component, every restart, give-up, kill, upgrade and
 * retarget becomes an AuditRecord that init appends to the AuditLog
 * through its own badged cap. While the audit server is down (dead, or
 * not running yet) the records wait here, in order, and go out before any
 * later one once it is back. The queue is bounded: a record that finds it
 * full is dropped and counted, and the count itself is appended (as an
 * AUDIT_KIND_OTHER record, action "audit records lost") right after the
 * queued ones, so a loss is never silent.
 *
 * Free of system calls beyond the AuditLog stub, so host component tests
 * run it against the real audit server over the loopback.
 */
#ifndef INIT_AUDIT_QUEUE_H
#define INIT_AUDIT_QUEUE_H

#include <stdint.h>

#include <capos/abi.h>

#include "audit.capos.h"

#define INIT_AUDIT_QUEUE_MAX 32u

struct init_audit_queue {
	capos_cap_t cap;           /* the AuditLog; CAPOS_NO_CAP while it is down */
	capos_AuditRecord rec[INIT_AUDIT_QUEUE_MAX];
	uint32_t head, count;      /* a ring, oldest at head */
	uint64_t lost;             /* dropped (queue full) and not yet reported */
	uint64_t lost_total;       /* dropped since boot */
	uint64_t appended;         /* records the log accepted */
	uint64_t refused;          /* records the log answered with an error */
};

void init_audit_queue_init(struct init_audit_queue *q, capos_cap_t cap);

/* Sends what is queued, oldest first, then the count of records lost if
 * any. Stops at the first DISCONNECTED (or with no cap), keeping the rest.
 * Any other error means the log answered (e.g. LIMIT_EXCEEDED: full and
 * counted there): the record is not retried. Returns CAPOS_OK once the
 * queue is empty. */
capos_status_t init_audit_flush(struct init_audit_queue *q);

/* Appends r after everything queued; keeps it queued when the log is
 * down (DISCONNECTED is returned then, or LIMIT_EXCEEDED when it had to be
 * dropped because the queue is full). */
capos_status_t init_audit_submit(struct init_audit_queue *q, const capos_AuditRecord *r);

/* The redacted AUDIT_KIND_CRASH record of a death: component name, pid,
 * cause, and for a fault the vector, fault address and instruction
 * pointer; for an exit its code; the restart count so far in `detail`.
 * Nothing else from the kernel record (no error code, and the kernel
 * sends no registers or memory in the first place). */
void init_audit_crash_record(const char *component, const struct capos_crash_record *r,
			     uint32_t restarts, capos_AuditRecord *out);

/* Any other record init makes: kind, action, outcome and detail. */
void init_audit_event(capos_AuditKind kind, const char *action, capos_status_t outcome,
		      const char *detail, capos_AuditRecord *out);

#endif
