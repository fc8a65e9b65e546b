/*
 * crash_lost.c - the line and the audit record for crash records the
 * kernel could not queue for init (crash_lost.h).
 */
#include "crash_lost.h"

#include <capos/debug.h>

#include "audit_queue.h"

uint32_t init_crash_lost(const struct capos_crash_record *r, char *line, size_t n,
			 capos_AuditRecord *out)
{
	uint32_t lost = r->dropped;
	if (!lost)
		return 0;
	/* Only a number from the kernel goes into either: nothing to escape. */
	capos_snprintf(line, n,
		       "init: %u crash records lost by the kernel (supervisor queue full); "
		       "those deaths are not known to init\n",
		       (unsigned)lost);
	char detail[24];
	capos_snprintf(detail, sizeof(detail), "%u lost", (unsigned)lost);
	init_audit_event(capos_AuditKind_AUDIT_KIND_CRASH, "crash records lost",
			 CAPOS_LIMIT_EXCEEDED, detail, out);
	out->has_crash = true;
	out->crash.cause = capos_DeathCause_DEATH_CAUSE_LOST;
	out->crash.dropped = lost;
	return lost;
}
