/*
 * crash_soak - the crash soak's driver and client (issue 15;
 * manifests/test-soak.textproto, tests/qemu/crash_soak.expect). For
 * `crashes` rounds (param, default 10000) it crashes one of three Echo
 * servers in turn - a real fault (the call carrying "fault") or a Kill
 * through ProcessControl, alternately - and then calls that server until
 * the restarted instance answers: every call must answer (DISCONNECTED at
 * worst) and succeed again within a bounded number of tries. At the end:
 * the kernel's free frames and live objects against their values before
 * the first crash, and the audit log's record count (plus the appends it
 * refused when full) against crashes + restarts + kill records. Prints the
 * counts and exits 0 only when everything held.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/startup.h>
#include <capos/syscall.h>

#include "audit.capos.h"
#include "echo.capos.h"
#include "process.capos.h"

int main(uint64_t arg);

#define SERVERS 3
#define MAX_TRIES 10000 /* calls before a server counts as never back */

static capos_cap_t srv[SERVERS];
static const char *const names[SERVERS] = { "echo0", "echo1", "echo2" };

static capos_status_t call(capos_cap_t ep, const char *what)
{
	capos_EchoRequest req = capos_EchoRequest_init_zero;
	req.data.size = (pb_size_t)strlen(what);
	memcpy(req.data.bytes, what, req.data.size);
	capos_EchoReply r;
	capos_status_t st = echo_echo(ep, &req, &r);
	if (st == CAPOS_OK && (r.data.size != req.data.size ||
			       memcmp(r.data.bytes, what, r.data.size) != 0))
		return CAPOS_PROTOCOL_ERROR;
	return st;
}

/* Calls until OK: returns the failed calls first, or -1 on a status other
 * than DISCONNECTED or when it never comes back. */
static long until_ok(capos_cap_t ep)
{
	for (long tries = 0; tries < MAX_TRIES; tries++) {
		capos_status_t st = call(ep, "ping");
		if (st == CAPOS_OK)
			return tries;
		if (st != CAPOS_DISCONNECTED) {
			capos_printf("crash_soak: call answered %ld\n", (long)st);
			return -1;
		}
		capos_yield(); /* init restarts it meanwhile */
	}
	return -1;
}

int main(uint64_t arg)
{
	(void)arg;
	capos_cap_t procs = capos_cap_lookup("procs");
	capos_cap_t kinfo = capos_cap_lookup("kinfo");
	capos_cap_t audit = capos_cap_lookup("audit");
	for (int k = 0; k < SERVERS; k++)
		srv[k] = capos_cap_lookup(names[k]);
	uint64_t crashes = capos_param_u64("crashes", 10000);
	if (procs == CAPOS_NO_CAP || kinfo == CAPOS_NO_CAP || audit == CAPOS_NO_CAP ||
	    srv[0] == CAPOS_NO_CAP || srv[1] == CAPOS_NO_CAP || srv[2] == CAPOS_NO_CAP) {
		capos_printf("crash_soak: needs procs, kinfo, audit, echo0-2\n");
		return 1;
	}
	/* Warm-up: every server answers once before the baseline. */
	for (int k = 0; k < SERVERS; k++)
		if (until_ok(srv[k]) < 0)
			return 2;
	capos_AuditFilter f = capos_AuditFilter_init_zero;
	f.max = 1;
	static capos_AuditReadResult ar;
	if (auditlog_read(audit, &f, &ar) != CAPOS_OK)
		return 3;
	uint64_t audit0 = ar.last_sequence + ar.refused;
	struct capos_kinfo_stats s0, s1;
	capos_kinfo_stats(kinfo, &s0);
	capos_printf("crash_soak: %lu crashes of %d servers; free frames %lu, live objects %lu\n",
		     (unsigned long)crashes, SERVERS, (unsigned long)s0.free_frames,
		     (unsigned long)s0.live_objects);

	uint64_t faults = 0, kills = 0, disconnected = 0, calls = 0;
	for (uint64_t i = 0; i < crashes; i++) {
		int k = (int)(i % SERVERS);
		if ((i / SERVERS) % 2 == 0) {
			capos_status_t st = call(srv[k], "fault");
			calls++;
			if (st != CAPOS_DISCONNECTED) {
				capos_printf("crash_soak: round %lu: the faulting call answered %ld\n",
					     (unsigned long)i, (long)st);
				return 4;
			}
			faults++;
		} else {
			capos_ProcessRef ref = capos_ProcessRef_init_zero;
			strcpy(ref.name, names[k]);
			capos_Empty e;
			capos_status_t st = processcontrol_kill(procs, &ref, &e);
			if (st != CAPOS_OK) {
				capos_printf("crash_soak: round %lu: kill %s: %ld\n",
					     (unsigned long)i, names[k], (long)st);
				return 5;
			}
			kills++;
		}
		long failed = until_ok(srv[k]);
		if (failed < 0) {
			capos_printf("crash_soak: round %lu: %s never answered again\n",
				     (unsigned long)i, names[k]);
			return 6;
		}
		disconnected += (uint64_t)failed;
		calls += (uint64_t)failed + 1u;
		if ((i + 1) % 1000 == 0)
			capos_printf("crash_soak: %lu crashes\n", (unsigned long)(i + 1));
	}
	/* Every server answers; then the books. */
	for (int k = 0; k < SERVERS; k++)
		if (until_ok(srv[k]) < 0)
			return 7;
	capos_kinfo_stats(kinfo, &s1);
	if (auditlog_read(audit, &f, &ar) != CAPOS_OK)
		return 8;
	uint64_t records = ar.last_sequence + ar.refused - audit0;
	uint64_t want = 2 * crashes + kills; /* crash + restart each, a kill record each */
	capos_printf("crash_soak: done: %lu faults, %lu kills, %lu calls, %lu answered "
		     "DISCONNECTED, 0 hangs\n",
		     (unsigned long)faults, (unsigned long)kills, (unsigned long)calls,
		     (unsigned long)disconnected);
	capos_printf("crash_soak: free frames %lu -> %lu, live objects %lu -> %lu\n",
		     (unsigned long)s0.free_frames, (unsigned long)s1.free_frames,
		     (unsigned long)s0.live_objects, (unsigned long)s1.live_objects);
	capos_printf("crash_soak: audit records %lu (%lu kept, %lu refused when full), "
		     "expected %lu = %lu crashes + %lu restarts + %lu kills\n",
		     (unsigned long)records, (unsigned long)ar.last_sequence,
		     (unsigned long)ar.refused, (unsigned long)want, (unsigned long)crashes,
		     (unsigned long)crashes, (unsigned long)kills);
	int ok = s0.free_frames == s1.free_frames && s0.live_objects == s1.live_objects &&
		 records == want;
	capos_printf("crash_soak: %s\n", ok ? "books balance" : "BOOKS DO NOT BALANCE");
	return ok ? 0 : 9;
}
