/*
 * audit - the AuditLog server (idl/audit.proto) on the target, over the
 * logic in audit_service.c. docs/servers/audit.md has the interface, the
 * caps and the failure behaviour.
 *
 * Startup page:
 *   audit    the served endpoint (RECV);
 *   clock    WallClock (optional): each record's timestamp; without it, or
 *            when a call fails, the wall part is 0 and UNTRUSTED;
 *   log      LogSink (optional): the capacity at start, and refusals when
 *            full; console (optional) when there is no log;
 *   self     Process (optional): a heap, needed only for a capacity above
 *            AUDIT_CAPACITY_DEFAULT;
 *   params   capacity (records; 0 or absent: AUDIT_CAPACITY_DEFAULT),
 *            badge.N (the component behind badge N).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <capos/debug.h>
#include <capos/log.h>
#include <capos/service.h>
#include <capos/startup.h>

#include "audit_service.h"
#include "clock.capos.h"
#include "log.capos.h"

int main(uint64_t arg);

static struct audit_state state;
static struct capos_client_names sources;
/* The default capacity needs no heap (a component gets none without a
 * `self` grant); a larger one is allocated. */
static capos_AuditRecord fixed[AUDIT_CAPACITY_DEFAULT];
static capos_cap_t wallclock = CAPOS_NO_CAP;

static void stamp(void *ctx, capos_Timestamp *ts)
{
	(void)ctx;
	if (wallclock == CAPOS_NO_CAP)
		return; /* zero: UNTRUSTED */
	/* A Call from inside the handler is safe: the request is decoded and
	 * the reply is encoded after this returns. */
	capos_Empty e = capos_Empty_init_zero;
	capos_MonotonicReading m;
	if (wallclock_monotonic_time(wallclock, &e, &m) == CAPOS_OK)
		ts->monotonic_ns = m.nanoseconds;
	capos_WallTimeReading w;
	if (wallclock_wall_time(wallclock, &e, &w) == CAPOS_OK) {
		ts->wall_seconds = w.seconds;
		ts->wall_nanoseconds = w.nanoseconds;
		ts->provenance = w.provenance;
	}
}

/* Append, and tell the log when the audit log refuses for being full: at
 * the first refusal and then at every power of two, so a client hammering
 * a full log cannot flood the log in turn. */
static capos_status_t append(void *ctx, struct capos_rpc_request *rq,
			     const capos_AuditRecord *req, capos_AuditAppendResult *resp)
{
	capos_status_t st = audit_service_ops.append(ctx, rq, req, resp);
	if (st == CAPOS_LIMIT_EXCEEDED && (state.refused & (state.refused - 1)) == 0) {
		capos_log(capos_LogLevel_LOG_LEVEL_ERROR,
			  "audit log full (%lu records): %lu appends refused",
			  (unsigned long)state.capacity, (unsigned long)state.refused);
	}
	return st;
}

static const char *param(void *arg, const char *key)
{
	(void)arg;
	return capos_param(key);
}

int main(uint64_t arg)
{
	capos_cap_t ep = (capos_cap_t)arg;
	if (arg == 0)
		ep = capos_cap_lookup("audit");
	if (ep == CAPOS_NO_CAP)
		return 0;
	wallclock = capos_cap_lookup("clock");

	uint64_t want = capos_param_u64("capacity", 0);
	if (want == 0)
		want = AUDIT_CAPACITY_DEFAULT;
	capos_AuditRecord *storage = fixed;
	size_t capacity = want;
	if (want > AUDIT_CAPACITY_DEFAULT) {
		storage = want <= SIZE_MAX / sizeof(*storage)
				  ? calloc((size_t)want, sizeof(*storage))
				  : NULL;
		if (!storage) {
			storage = fixed;
			capacity = AUDIT_CAPACITY_DEFAULT;
			capos_log(capos_LogLevel_LOG_LEVEL_WARNING,
				  "no memory for %lu records (a heap needs a self grant): %lu kept",
				  (unsigned long)want, (unsigned long)capacity);
		}
	}
	capos_client_names_load(&sources, param, NULL);
	audit_init(&state, storage, capacity, stamp, NULL, sources.entries, sources.count);
	capos_log(capos_LogLevel_LOG_LEVEL_INFO, "audit log ready: %lu records, timestamps %s",
		  (unsigned long)capacity,
		  wallclock != CAPOS_NO_CAP ? "from the clock" : "UNTRUSTED (no clock)");

	/* The logic's ops, with Append wrapped to report refusals. */
	static struct auditlog_ops served;
	served = audit_service_ops;
	served.append = append;
	struct capos_service s = {
		.endpoint = ep,
		.service = auditlog_service(&served, &state),
	};
	capos_status_t st = capos_service_serve(&s);
	/* Retargeted away (live upgrade): done, cleanly. */
	return st == CAPOS_RETARGETED ? 0 : (int)st;
}
