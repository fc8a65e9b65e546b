/*
 * bench_debug - issue 15's figures in guest instructions (QEMU -icount
 * shift=0: one TSC tick per guest instruction), through the real system
 * of manifests/bench-debug.textproto:
 *   - recovery a client sees: from the call that makes an Echo server
 *     fault (tests/programs/soak_server.c) to the first successful call on
 *     the restarted instance - init's crash record, restart, retarget and
 *     the new instance's start all inside - with the audit server up (init
 *     appends the crash and restart records synchronously) and then with
 *     it down (killed; RESTART_NEVER: the records wait in init's queue);
 *   - DebugSession Attach + CapTable + Detach of a running component.
 * The debug server accepts this program's attach as a maintenance grant's
 * because the manifest names this component `broker` (its badge is the
 * one the debug server trusts for forwarded maintenance grants): the
 * figure is the debug server's and init's work, not the broker's.
 * Mean of REPS each.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/startup.h>
#include <capos/syscall.h>

#include "debug.capos.h"
#include "echo.capos.h"
#include "process.capos.h"

#define REPS 20u

int main(uint64_t arg);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static capos_status_t call(capos_cap_t ep, const char *what)
{
	capos_EchoRequest req = capos_EchoRequest_init_zero;
	req.data.size = (pb_size_t)strlen(what);
	memcpy(req.data.bytes, what, req.data.size);
	capos_EchoReply r;
	return echo_echo(ep, &req, &r);
}

/* Mean instructions from the faulting call to the first OK after it; 0
 * when a round goes wrong. */
static uint64_t recovery(capos_cap_t echo)
{
	uint64_t total = 0;
	for (unsigned i = 0; i < REPS; i++) {
		uint64_t t0 = rdtsc();
		if (call(echo, "fault") != CAPOS_DISCONNECTED)
			return 0;
		unsigned tries = 0;
		while (call(echo, "ping") != CAPOS_OK)
			if (++tries > 1000)
				return 0;
		total += rdtsc() - t0;
	}
	return total / REPS;
}

int main(uint64_t arg)
{
	(void)arg;
	capos_cap_t echo = capos_cap_lookup("echo");
	capos_cap_t procs = capos_cap_lookup("procs");
	capos_cap_t debug = capos_cap_lookup("debug");
	if (echo == CAPOS_NO_CAP || procs == CAPOS_NO_CAP || debug == CAPOS_NO_CAP) {
		capos_printf("bench-debug: needs echo, procs, debug\n");
		return 1;
	}
	while (call(echo, "ping") != CAPOS_OK)
		capos_yield();
	capos_printf("bench-debug: server fault -> client's first successful call, audit "
		     "record appended: %lu\n", (unsigned long)recovery(echo));

	/* Attach + CapTable + Detach of the echo server. */
	uint64_t total = 0;
	capos_status_t st = CAPOS_OK;
	for (unsigned i = 0; st == CAPOS_OK && i < REPS; i++) {
		static capos_CapList list;
		capos_DebugAttachRequest rq = capos_DebugAttachRequest_init_zero;
		rq.has_target = true;
		strcpy(rq.target.name, "echo");
		rq.authority = capos_DebugAuthority_DEBUG_AUTHORITY_MAINTENANCE_GRANT;
		strcpy(rq.reason, "bench");
		struct capos_cap_list none = { 0 };
		capos_DebugAttachResult res;
		capos_CapListRequest lr = capos_CapListRequest_init_zero;
		capos_Empty e = capos_Empty_init_zero, out;
		uint64_t t0 = rdtsc();
		st = debugsession_attach(debug, &rq, &none, &res);
		if (st == CAPOS_OK)
			st = debugsession_cap_table(debug, &lr, &list);
		if (st == CAPOS_OK)
			st = debugsession_detach(debug, &e, &out);
		total += rdtsc() - t0;
	}
	if (st != CAPOS_OK)
		capos_printf("bench-debug: attach/captable/detach failed: %ld\n", (long)st);
	else
		capos_printf("bench-debug: DebugSession Attach + CapTable + Detach: %lu\n",
			     (unsigned long)(total / REPS));

	/* The audit server down for good: init queues its records. */
	capos_ProcessRef ref = capos_ProcessRef_init_zero;
	strcpy(ref.name, "audit");
	capos_Empty e;
	if (processcontrol_kill(procs, &ref, &e) != CAPOS_OK)
		capos_printf("bench-debug: cannot kill the audit server\n");
	capos_printf("bench-debug: server fault -> client's first successful call, audit "
		     "record queued: %lu\n", (unsigned long)recovery(echo));
	capos_printf("bench-debug: done\n");
	return 0;
}
