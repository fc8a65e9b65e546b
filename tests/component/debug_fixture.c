/*
 * debug_fixture.c - the debug server over a fake init and the real audit
 * server (debug_fixture.h). The fake init's answers are what the tests
 * assert against: "shell" at f->target_pid under DFX_TARGET_HANDLE, a cap
 * table of two entries ("console", "ready"), every call NOT_FOUND while
 * the target is dead.
 */
#include <stdio.h>
#include <string.h>

#include <capos/transport.h>

#include "debug_fixture.h"

/* init finds the component by handle or by name, as ProcessRef allows. */
static int is_target(const struct debug_fixture *f, const capos_ProcessRef *ref)
{
	return f->target_alive &&
	       (ref->handle == DFX_TARGET_HANDLE || strcmp(ref->name, "shell") == 0);
}

static capos_status_t fake_status(void *ctx, struct capos_rpc_request *rq,
				  const capos_ProcessRef *req, capos_ProcessStatus *resp)
{
	struct debug_fixture *f = ctx;
	(void)rq;
	if (!is_target(f, req))
		return CAPOS_NOT_FOUND;
	strcpy(resp->name, "shell");
	resp->pid = f->target_pid;
	resp->handle = DFX_TARGET_HANDLE;
	resp->state = capos_ProcessState_PROCESS_STATE_ALIVE;
	return CAPOS_OK;
}

/* By handle only: the debug server names its attached target so. */
static capos_status_t fake_cap_table(void *ctx, struct capos_rpc_request *rq,
				     const capos_CapTableRequest *req, capos_CapList *resp)
{
	struct debug_fixture *f = ctx;
	(void)rq;
	f->cap_table_calls++;
	if (req->target.handle != DFX_TARGET_HANDLE || !f->target_alive)
		return CAPOS_NOT_FOUND;
	resp->entries_count = 2;
	resp->entries[0].slot = 0;
	resp->entries[0].type = capos_CapType_CAP_TYPE_ENDPOINT;
	resp->entries[0].rights = CAPOS_RIGHT_SEND;
	resp->entries[0].badge = 4;
	resp->entries[0].interface_id = 0x0100;
	strcpy(resp->entries[0].name, "console");
	resp->entries[1].slot = 1;
	resp->entries[1].type = capos_CapType_CAP_TYPE_NOTIFICATION;
	resp->entries[1].rights = CAPOS_RIGHT_SEND;
	strcpy(resp->entries[1].name, "ready");
	resp->next = 2;
	resp->table_size = 64;
	resp->used = 2;
	return CAPOS_OK;
}

static capos_status_t fake_inject(void *ctx, struct capos_rpc_request *rq,
				  const capos_ProcessRef *req, capos_Empty *resp)
{
	struct debug_fixture *f = ctx;
	(void)rq;
	(void)resp;
	if (req->handle != DFX_TARGET_HANDLE || !f->target_alive)
		return CAPOS_NOT_FOUND;
	f->faults_injected++;
	return CAPOS_OK;
}

static const struct processcontrol_ops fake_init_ops = {
	.status = fake_status,
	.cap_table = fake_cap_table,
	.inject_fault = fake_inject,
};

capos_status_t dfx_process_cap(void *ctx, capos_cap_t cap, uint32_t *rights, uint32_t *pid)
{
	(void)ctx;
	if (!capos_loopback_cap_present(cap))
		return CAPOS_INVALID_CAP;
	uint64_t t = capos_loopback_cap_token(cap);
	if (!(t >> 63))
		return CAPOS_WRONG_TYPE;
	*rights = (uint32_t)((t >> 32) & 0xffu);
	*pid = (uint32_t)(t & 0xffffffffu);
	return CAPOS_OK;
}

capos_status_t dfx_attach(capos_cap_t via, capos_DebugAuthority auth, const char *reason,
			  capos_cap_t proof, capos_DebugAttachResult *res)
{
	capos_DebugAttachRequest req = capos_DebugAttachRequest_init_zero;
	req.has_target = true;
	req.target.handle = DFX_TARGET_HANDLE;
	req.authority = auth;
	snprintf(req.reason, sizeof(req.reason), "%s", reason);
	struct capos_cap_list send = { 0 };
	if (proof != CAPOS_NO_CAP) {
		send.count = 1;
		send.cap[0] = proof;
	}
	memset(res, 0, sizeof(*res));
	return debugsession_attach(via, &req, &send, res);
}

static const struct capos_client_name source = { DFX_DEBUG_BADGE, "debug" };

void dfx_start(struct debug_fixture *f, size_t audit_capacity,
	       capos_status_t (*process_cap)(void *ctx, capos_cap_t cap, uint32_t *rights,
					     uint32_t *pid),
	       uint64_t broker_badge)
{
	memset(f, 0, sizeof(*f));
	f->target_pid = DFX_TARGET_PID;
	f->target_alive = 1;
	audit_init(&f->audit, f->records, audit_capacity, NULL, NULL, &source, 1);
	capos_loopback_register(DFX_AUDIT_CAP, auditlog_service(&audit_service_ops, &f->audit),
				DFX_DEBUG_BADGE);
	capos_loopback_register(DFX_PROCS_CAP, processcontrol_service(&fake_init_ops, f), 1);
	struct debug_env env = {
		.ctx = f,
		.process_cap = process_cap,
		.procs = DFX_PROCS_CAP,
		.audit = DFX_AUDIT_CAP,
		.broker_badge = broker_badge,
	};
	debug_init(&f->dbg, &env);
}
