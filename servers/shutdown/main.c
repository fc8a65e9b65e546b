/*
 * shutdown - ShutdownControl (idl/broker.proto) on the target, over the
 * logic in shutdown_service.c (docs/servers/broker.md, "Shutdown").
 *
 * Startup page:
 *   control  the served endpoint (RECV); the manifest grants it to the
 *            broker only;
 *   pm       IOPort 0x604-0x605: ACPI PM1a control (q35);
 *   reset    IOPort 0xcf9: the reset control register;
 *   procs    init's ProcessControl with CONTROL: Stop;
 *   audit    AuditLog: the record written before anything happens;
 *   log, console  where it says what it is doing (until init stops them;
 *            a COM1 IOPORT as `console` outlives the stop: the bench).
 */
#include <stdint.h>
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/log.h>
#include <capos/service.h>
#include <capos/startup.h>

#include "audit.capos.h"
#include "process.capos.h"
#include "shutdown_service.h"

int main(uint64_t arg);

static struct shutdown_state state;
static struct capos_server srv;
static capos_cap_t pm = CAPOS_NO_CAP, reset = CAPOS_NO_CAP, procs = CAPOS_NO_CAP,
		   audit = CAPOS_NO_CAP;
static uint64_t marks[2];

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static const char *const mode_names[] = { "?", "poweroff", "reboot", "halt" };

static capos_status_t do_audit(void *ctx, capos_ShutdownMode mode, const char *reason)
{
	(void)ctx;
	if (audit == CAPOS_NO_CAP)
		return CAPOS_UNSUPPORTED;
	capos_AuditRecord r = capos_AuditRecord_init_zero;
	r.kind = capos_AuditKind_AUDIT_KIND_SHUTDOWN;
	capos_snprintf(r.action, sizeof(r.action), "%s", mode_names[mode]);
	strncpy(r.detail, reason, sizeof(r.detail) - 1);
	r.outcome = capos_Status_STATUS_OK;
	capos_AuditAppendResult res;
	capos_status_t st = auditlog_append(audit, &r, &res);
	if (st == CAPOS_OK)
		capos_printf("shutdown: %s (%s), audit record %lu; answering, then stopping the system\n",
			     mode_names[mode], reason, (unsigned long)res.sequence);
	return st;
}

static capos_status_t stop_system(void *ctx, const char *reason)
{
	(void)ctx;
	capos_StopRequest rq = capos_StopRequest_init_zero;
	capos_StopResult res;
	strncpy(rq.reason, reason, sizeof(rq.reason) - 1);
	rq.grace_ms = 100;
	return procs == CAPOS_NO_CAP ? CAPOS_UNSUPPORTED : processcontrol_stop(procs, &rq, &res);
}

static capos_status_t port_out(void *ctx, uint16_t port, uint8_t width, uint32_t value)
{
	(void)ctx;
	capos_cap_t io = port == SHUTDOWN_PM1A_CNT ? pm : reset;
	if (io == CAPOS_NO_CAP)
		return CAPOS_UNSUPPORTED;
	return capos_port_out(io, port, width, value);
}

/* The cost from the request to the platform write, said just before the
 * write: only a COM1 port of its own (`console` as an IOPORT grant, the
 * bench image) still carries it then; a console endpoint is stopped. */
static void mark(void *ctx, int which)
{
	(void)ctx;
	marks[which] = rdtsc();
	if (which == 1)
		capos_printf("shutdown: %lu TSC ticks from the request to the platform write\n",
			     (unsigned long)(marks[1] - marks[0]));
}

/* The reply to the caller goes out first (shutdown_service.h: the caller
 * and the broker must be back in their loops to acknowledge their stop
 * notices); the framework then runs finish(). */
static void answer_first(void *ctx)
{
	(void)ctx;
	capos_server_after_reply(&srv);
}

static void finish(void *ctx)
{
	(void)shutdown_finish(ctx);
}

static void report(void *ctx, const char *what, capos_status_t st)
{
	(void)ctx;
	capos_printf("shutdown: %s (status %ld)\n", what, (long)st);
}

int main(uint64_t arg)
{
	capos_cap_t ep = capos_service_endpoint(arg, "control");
	if (ep == CAPOS_NO_CAP)
		return 0;
	pm = capos_cap_lookup("pm");
	reset = capos_cap_lookup("reset");
	procs = capos_cap_lookup("procs");
	audit = capos_cap_lookup("audit");
	state.h = (struct shutdown_hooks){ .audit = do_audit, .answer_first = answer_first,
					   .stop_system = stop_system, .port_out = port_out,
					   .mark = mark, .report = report };
	capos_server_init(&srv, capos_cap_lookup("capmgr"), &state);
	srv.after_reply = finish;
	capos_server_add(&srv, ep, shutdowncontrol_service(&shutdown_service_ops, &state));
	return capos_service_main(&srv);
}
