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
 *   self     its own process (KERNEL_RESOURCE_SELF): the heap the records
 *            live in; without it, or with too few pages in the profile for
 *            the capacity, the server says so and exits; ReadBulk maps a
 *            caller's SharedBuffer with it for the length of the call
 *            (capos/bulk_window.h);
 *   capmgr   its own table (optional): drops caps a caller sends along
 *            (ReadBulk's buffer: without it ReadBulk answers UNSUPPORTED);
 *   params   capacity (records; 0 or absent: AUDIT_CAPACITY_DEFAULT),
 *            badge.N (the component behind badge N).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <capos/bulk_window.h>
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
static capos_cap_t wallclock = CAPOS_NO_CAP;
/* ReadBulk's window: as logd's, a caller's buffer (16 pages at most)
 * mapped at a fixed address for one call and unmapped before the reply. */
static struct capos_bulk_window window = { CAPOS_NO_CAP, 0x0000500000000000ull, 16u };

static void stamp(void *ctx, capos_Timestamp *ts)
{
	(void)ctx;
	if (wallclock == CAPOS_NO_CAP)
		return; /* zero: UNTRUSTED */
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
	capos_cap_t ep = capos_service_endpoint(arg, "audit");
	if (ep == CAPOS_NO_CAP)
		return 0;
	wallclock = capos_cap_lookup("clock");

	uint64_t want = capos_param_u64("capacity", 0);
	if (want == 0)
		want = AUDIT_CAPACITY_DEFAULT;
	/* The whole capacity up front: an audit log must never find out it
	 * cannot keep a record only when the record arrives. */
	capos_AuditRecord *storage = want <= SIZE_MAX / sizeof(capos_AuditRecord)
					     ? calloc((size_t)want, sizeof(capos_AuditRecord))
					     : NULL;
	if (!storage) {
		capos_log(capos_LogLevel_LOG_LEVEL_ERROR,
			  "no memory for %lu records of %lu bytes (needs a `self` grant and the "
			  "pages in its profile)",
			  (unsigned long)want, (unsigned long)sizeof(capos_AuditRecord));
		return 3;
	}
	capos_client_names_load(&sources, param, NULL);
	audit_init(&state, storage, (size_t)want, stamp, NULL, sources.entries, sources.count);
	capos_log(capos_LogLevel_LOG_LEVEL_INFO, "audit log ready: %lu records, timestamps %s",
		  (unsigned long)want,
		  wallclock != CAPOS_NO_CAP ? "from the clock" : "UNTRUSTED (no clock)");

	/* The logic's ops, with Append wrapped to report refusals. */
	static struct auditlog_ops served;
	served = audit_service_ops;
	served.append = append;
	static struct capos_server srv;
	capos_server_init(&srv, capos_cap_lookup("capmgr"), &state);
	/* ReadBulk needs `self` to map a caller's buffer (there: the heap
	 * above needed it) and `capmgr` to drop the buffer cap each call
	 * brings, else every call would leave one in the table until it is
	 * full. Without either, ReadBulk answers UNSUPPORTED. */
	window.self = capos_cap_lookup("self");
	if (window.self != CAPOS_NO_CAP && srv.capmgr != CAPOS_NO_CAP)
		audit_set_buffers(&state, capos_bulk_window_map, capos_bulk_window_unmap, &window);
	capos_server_add(&srv, ep, auditlog_service(&served, &state));
	return capos_service_main(&srv);
}
