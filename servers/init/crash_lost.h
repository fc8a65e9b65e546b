/*
 * crash_lost.h - crash records the kernel could not queue for init.
 *
 * The kernel queues at most CAPOS_CRASH_QUEUE_MAX records on a supervisor
 * endpoint, each charged to the process that died; one that cannot queue
 * is counted, and the count arrives in the next record init receives
 * (`dropped`), or in a record of its own (cause CAPOS_DEATH_LOST, badge 0,
 * no process) when none was left to carry it (docs/kernel.md). Init says
 * how many were lost, on the console and in the audit log, so a loss is
 * never silent; the deaths themselves stay unknown to it.
 *
 * Free of system calls, so the host component test runs it as it is.
 */
#ifndef INIT_CRASH_LOST_H
#define INIT_CRASH_LOST_H

#include <stddef.h>
#include <stdint.h>

#include <capos/abi.h>

#include "audit.capos.h"

/* The count r carries (0: nothing was lost). When nonzero, `line` gets the
 * line init prints and `out` its AUDIT_KIND_CRASH record (action "crash
 * records lost", outcome LIMIT_EXCEEDED, crash.cause DEATH_CAUSE_LOST,
 * crash.dropped the count; no process fields). */
uint32_t init_crash_lost(const struct capos_crash_record *r, char *line, size_t n,
			 capos_AuditRecord *out);

/* A record with no process in it: only the count (CAPOS_DEATH_LOST). */
static inline int init_crash_count_only(const struct capos_crash_record *r)
{
	return r->cause == CAPOS_DEATH_LOST;
}

#endif
