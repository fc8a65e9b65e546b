/*
 * debug_service.h - the debug server's logic (idl/debug.proto,
 * docs/servers/debug.md), free of system calls beyond the generated stubs,
 * so the same code serves on the target and in host component tests.
 *
 * Attach proves the caller's right to one target:
 *  - DEBUG_AUTHORITY_OWNER_CONSENT: caps[0] is a Process cap of the target
 *    with CONTROL (only its owner holds one);
 *  - DEBUG_AUTHORITY_MAINTENANCE_GRANT: the call came through a live
 *    "maintenance" grant of the broker (Session.RequestGrant): the broker
 *    forwards such calls, and only such calls, through its own DebugSession
 *    cap, whose badge the server is told at start (`broker_badge`);
 *  - anything else, a Process cap without CONTROL or of another process, a
 *    missing cap, a maintenance claim not through the broker: DENIED.
 * CapTable and Status then answer for the attached target from init
 * (ProcessControl.CapTable, .Status): data only, no cap of the target ever
 * reaches the debugger. InjectFault has init make the target take a real
 * page fault (ProcessControl.InjectFault): the shell's `crash`. Every attach, refusal and detach is an audit
 * record with the attach id, the principal and the reason.
 *
 * Invariants:
 *  - one attachment per client badge at most; Attach replaces it (the old
 *    one is detached and audited first);
 *  - an attachment names the target by handle and pid: once the pid
 *    behind the handle changes (a restart), the attachment answers
 *    DISCONNECTED - it never silently follows a new instance;
 *  - attach ids start at 1 and are never reused.
 */
#ifndef SERVERS_DEBUG_SERVICE_H
#define SERVERS_DEBUG_SERVICE_H

#include <stdint.h>

#include "debug.capos.h"
#include "process.capos.h"

#define DEBUG_MAX_CLIENTS 8u

struct debug_env {
	void *ctx;
	/* What the offered cap is: CAPOS_OK with its rights and, for a
	 * Process cap, the pid of its process; WRONG_TYPE for another kind of
	 * cap; INVALID_CAP for none. */
	capos_status_t (*process_cap)(void *ctx, capos_cap_t cap, uint32_t *rights,
				      uint32_t *pid);
	capos_cap_t procs;     /* ProcessControl at init (Status, CapTable) */
	capos_cap_t audit;     /* AuditLog, or CAPOS_NO_CAP */
	uint64_t broker_badge; /* the broker's badge here; 0: no broker */
};

struct debug_attachment {
	int used;
	uint64_t badge;   /* the client */
	uint64_t handle;  /* ProcessRef.handle of the target */
	uint32_t pid;
	char name[32];
	uint64_t attach_id;
	char principal[32];
};

struct debug_state {
	struct debug_env env;
	struct debug_attachment at[DEBUG_MAX_CLIENTS];
	uint64_t next_attach_id;
	uint64_t attaches, refusals, detaches, faults; /* counters for tests and the bench */
};

void debug_init(struct debug_state *s, const struct debug_env *env);

extern const struct debugsession_ops debug_service_ops;

#endif
