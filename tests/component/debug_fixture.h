/*
 * debug_fixture.h - the debug server (servers/debug/debug_service.c) on
 * the loopback, shared by its component test (test_debug.c) and its
 * fuzzer (tests/fuzz/fuzz_srv_debug.c): the real audit server behind it,
 * a fake init (ProcessControl Status, CapTable and InjectFault) with one
 * component, "shell", and the fake kernel's answer on an offered cap.
 * Plain C without cmocka: the fuzzer links it too. The DebugSession
 * endpoints are the caller's to register, each with the badge it wants.
 */
#ifndef TESTS_COMPONENT_DEBUG_FIXTURE_H
#define TESTS_COMPONENT_DEBUG_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "audit.capos.h"
#include "audit_service.h"
#include "debug_service.h"
#include "process.capos.h"

/* Loopback slots: the audit server's AuditLog (its one client the debug
 * server, badge DFX_DEBUG_BADGE, source "debug") and the fake init's
 * ProcessControl. */
#define DFX_AUDIT_CAP 1
#define DFX_PROCS_CAP 2
#define DFX_DEBUG_BADGE 0x42

/* The fake init's one component: "shell" under this handle, first at
 * DFX_TARGET_PID. */
#define DFX_TARGET_HANDLE 3
#define DFX_TARGET_PID 7

#define DFX_AUDIT_MAX 32

/* Offered caps are loopback objects whose token says what they are:
 * bit 63 set: a Process cap, its rights in bits 32-39, its pid in the
 * low 32 bits. Any other token is some other kind of cap. */
#define DFX_PROC_TOKEN(rights, pid) ((1ull << 63) | ((uint64_t)(rights) << 32) | (pid))

struct debug_fixture {
	capos_AuditRecord records[DFX_AUDIT_MAX];
	struct audit_state audit;
	struct debug_state dbg;
	/* What the fake init says of its component. */
	uint32_t target_pid;
	int target_alive;         /* 0: Status, CapTable, InjectFault: NOT_FOUND */
	uint64_t cap_table_calls; /* CapTable calls that reached init */
	uint64_t faults_injected; /* InjectFault calls that took */
};

/* Starts f afresh (the loopback is the caller's to reset first): the
 * audit server keeping `audit_capacity` records (at most DFX_AUDIT_MAX),
 * the fake init with its target alive at DFX_TARGET_PID, and the debug
 * server asking `process_cap` (ctx: f) what an offered cap is and trusting
 * `broker_badge` for maintenance grants. */
void dfx_start(struct debug_fixture *f, size_t audit_capacity,
	       capos_status_t (*process_cap)(void *ctx, capos_cap_t cap, uint32_t *rights,
					     uint32_t *pid),
	       uint64_t broker_badge);

/* Attach to the fake init's target through `via` with `auth` and
 * `reason`, offering `proof` unless it is CAPOS_NO_CAP (sent as a copy:
 * it stays the caller's). res is zeroed first. */
capos_status_t dfx_attach(capos_cap_t via, capos_DebugAuthority auth, const char *reason,
			  capos_cap_t proof, capos_DebugAttachResult *res);

/* The fake kernel's answer on an offered cap, for dfx_start: INVALID_CAP
 * for none, the rights and pid of a DFX_PROC_TOKEN object, WRONG_TYPE for
 * any other object. */
capos_status_t dfx_process_cap(void *ctx, capos_cap_t cap, uint32_t *rights, uint32_t *pid);

#endif
