/*
 * Component test: the debug server's logic (servers/debug/debug_service.c)
 * with the real generated stubs over the loopback, the real audit server,
 * and a fake init (ProcessControl.Status and .CapTable). Every
 * DebugAuthority value, a Process cap without CONTROL or of another
 * process, a maintenance claim not through the broker, a snapshot that
 * moves no cap, a target that restarts under an attachment, and the audit
 * records of each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <capos/transport.h>

#include "audit.capos.h"
#include "audit_service.h"
#include "debug_service.h"

#define AUDIT_CAP 1
#define PROCS_CAP 2
#define SHELL_DBG 3   /* the shell's own DebugSession cap */
#define BROKER_DBG 4  /* the broker's, forwarding maintenance grants */
#define SHELL_BADGE 5
#define BROKER_BADGE 9

#define TARGET_PID 7
#define TARGET_HANDLE 3

static capos_AuditRecord storage[32];
static struct audit_state audit;
static struct debug_state dbg;
static uint32_t target_pid;
static uint64_t cap_table_calls;

/* Fake init: one component "shell" (handle 3) at pid target_pid. */
static capos_status_t fake_status(void *ctx, struct capos_rpc_request *rq,
				  const capos_ProcessRef *req, capos_ProcessStatus *resp)
{
	(void)ctx;
	(void)rq;
	if (req->handle != TARGET_HANDLE && strcmp(req->name, "shell") != 0)
		return CAPOS_NOT_FOUND;
	strcpy(resp->name, "shell");
	resp->pid = target_pid;
	resp->handle = TARGET_HANDLE;
	resp->state = capos_ProcessState_PROCESS_STATE_ALIVE;
	return CAPOS_OK;
}

static capos_status_t fake_cap_table(void *ctx, struct capos_rpc_request *rq,
				     const capos_CapTableRequest *req, capos_CapList *resp)
{
	(void)ctx;
	(void)rq;
	cap_table_calls++;
	if (req->target.handle != TARGET_HANDLE)
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

static uint64_t faults_injected;

static capos_status_t fake_inject(void *ctx, struct capos_rpc_request *rq,
				  const capos_ProcessRef *req, capos_Empty *resp)
{
	(void)ctx;
	(void)rq;
	(void)resp;
	if (req->handle != TARGET_HANDLE)
		return CAPOS_NOT_FOUND;
	faults_injected++;
	return CAPOS_OK;
}

static const struct processcontrol_ops fake_init_ops = {
	.status = fake_status,
	.cap_table = fake_cap_table,
	.inject_fault = fake_inject,
};

/* Offered caps are loopback objects whose token says what they are:
 * bit 63 set: a Process cap, rights in bits 32-39, pid in the low bits. */
#define PROC_TOKEN(rights, pid) ((1ull << 63) | ((uint64_t)(rights) << 32) | (pid))

static capos_status_t fake_process_cap(void *ctx, capos_cap_t cap, uint32_t *rights,
				       uint32_t *pid)
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

static const struct capos_client_name names[] = { { 77, "debug" } };

static int setup(void **st)
{
	(void)st;
	capos_loopback_reset();
	audit_init(&audit, storage, 32, NULL, NULL, names, 1);
	capos_loopback_register(AUDIT_CAP, auditlog_service(&audit_service_ops, &audit), 77);
	capos_loopback_register(PROCS_CAP, processcontrol_service(&fake_init_ops, NULL), 1);
	struct debug_env env = {
		.process_cap = fake_process_cap,
		.procs = PROCS_CAP,
		.audit = AUDIT_CAP,
		.broker_badge = BROKER_BADGE,
	};
	debug_init(&dbg, &env);
	capos_loopback_register(SHELL_DBG, debugsession_service(&debug_service_ops, &dbg),
				SHELL_BADGE);
	capos_loopback_register(BROKER_DBG, debugsession_service(&debug_service_ops, &dbg),
				BROKER_BADGE);
	target_pid = TARGET_PID;
	cap_table_calls = 0;
	faults_injected = 0;
	return 0;
}

static capos_status_t attach(capos_cap_t via, capos_DebugAuthority auth, capos_cap_t proof,
			     capos_DebugAttachResult *res)
{
	capos_DebugAttachRequest req = capos_DebugAttachRequest_init_zero;
	req.has_target = true;
	req.target.handle = TARGET_HANDLE;
	req.authority = auth;
	strcpy(req.reason, "test");
	struct capos_cap_list send = { 0 };
	if (proof != CAPOS_NO_CAP) {
		send.count = 1;
		send.cap[0] = proof;
	}
	memset(res, 0, sizeof(*res));
	return debugsession_attach(via, &req, &send, res);
}

static capos_AuditRecord record(uint64_t seq)
{
	capos_AuditFilter f = capos_AuditFilter_init_zero;
	capos_AuditReadResult r;
	f.cursor = seq;
	f.max = 1;
	assert_int_equal(auditlog_read(AUDIT_CAP, &f, &r), CAPOS_OK);
	assert_int_equal(r.records_count, 1);
	return r.records[0];
}

static uint64_t nrecords(void)
{
	capos_AuditFilter f = capos_AuditFilter_init_zero;
	capos_AuditReadResult r;
	assert_int_equal(auditlog_read(AUDIT_CAP, &f, &r), CAPOS_OK);
	return r.last_sequence;
}

/* Refused attaches: the status, no attachment, and a refusal record. */
static void expect_refused(capos_cap_t via, capos_DebugAuthority auth, capos_cap_t proof,
			   const char *why)
{
	uint64_t before = nrecords();
	capos_DebugAttachResult res;
	assert_int_equal(attach(via, auth, proof, &res), CAPOS_DENIED);
	assert_int_equal(res.attach_id, 0);
	capos_Empty e = capos_Empty_init_zero;
	capos_ProcessStatus ps;
	assert_int_equal(debugsession_status(via, &e, &ps), CAPOS_INVALID_ARGUMENT);
	capos_CapListRequest lr = capos_CapListRequest_init_zero;
	capos_CapList cl;
	assert_int_equal(debugsession_cap_table(via, &lr, &cl), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(cap_table_calls, 0);
	assert_int_equal(nrecords(), before + 1);
	capos_AuditRecord r = record(before + 1);
	assert_int_equal(r.kind, capos_AuditKind_AUDIT_KIND_DEBUG_ATTACH);
	assert_int_equal(r.outcome, capos_Status_STATUS_DENIED);
	assert_string_equal(r.action, "attach refused pid 7");
	assert_string_equal(r.source, "debug");
	assert_non_null(strstr(r.detail, why));
	assert_non_null(strstr(r.detail, "reason: test"));
}

static void test_unspecified_denied(void **st)
{
	(void)st;
	expect_refused(SHELL_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_UNSPECIFIED, CAPOS_NO_CAP,
		       "no authority named");
	/* even through the broker, and even with a good Process cap */
	capos_cap_t good = capos_loopback_new_object(PROC_TOKEN(CAPOS_RIGHT_CONTROL, TARGET_PID));
	expect_refused(BROKER_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_UNSPECIFIED, good,
		       "no authority named");
	expect_refused(SHELL_DBG, (capos_DebugAuthority)7, CAPOS_NO_CAP, "no authority named");
	assert_int_equal(dbg.refusals, 3);
}

static void test_owner_consent(void **st)
{
	(void)st;
	/* no cap at all */
	expect_refused(SHELL_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_OWNER_CONSENT,
		       CAPOS_NO_CAP, "needs a Process cap");
	/* not a Process cap */
	capos_cap_t other = capos_loopback_new_object(42);
	expect_refused(SHELL_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_OWNER_CONSENT, other,
		       "needs a Process cap");
	/* a Process cap of the target without CONTROL (a `self` grant) */
	capos_cap_t weak = capos_loopback_new_object(
		PROC_TOKEN(CAPOS_RIGHT_READ | CAPOS_RIGHT_WRITE, TARGET_PID));
	expect_refused(SHELL_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_OWNER_CONSENT, weak,
		       "lacks CONTROL");
	/* CONTROL, but of another process */
	capos_cap_t wrong = capos_loopback_new_object(
		PROC_TOKEN(CAPOS_RIGHT_READ | CAPOS_RIGHT_CONTROL, TARGET_PID + 1));
	expect_refused(SHELL_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_OWNER_CONSENT, wrong,
		       "another process");
	/* the owner's cap */
	capos_cap_t good = capos_loopback_new_object(
		PROC_TOKEN(CAPOS_RIGHT_READ | CAPOS_RIGHT_CONTROL, TARGET_PID));
	uint32_t used = capos_loopback_caps_used();
	capos_DebugAttachResult res;
	assert_int_equal(attach(SHELL_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_OWNER_CONSENT,
				good, &res),
			 CAPOS_OK);
	assert_int_equal(res.pid, TARGET_PID);
	assert_string_equal(res.name, "shell");
	assert_int_equal(res.attach_id, 1);
	/* the proof was copied in and not kept by the server */
	assert_int_equal(capos_loopback_caps_used(), used);
	capos_AuditRecord r = record(nrecords());
	assert_int_equal(r.kind, capos_AuditKind_AUDIT_KIND_DEBUG_ATTACH);
	assert_int_equal(r.outcome, capos_Status_STATUS_OK);
	assert_string_equal(r.principal, "owner");
	assert_string_equal(r.action, "attach pid 7");
	assert_string_equal(r.detail, "attach id 1: reason: test");
}

static void test_maintenance_grant(void **st)
{
	(void)st;
	/* claimed on the client's own cap: not through the broker */
	expect_refused(SHELL_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_MAINTENANCE_GRANT,
		       CAPOS_NO_CAP, "not through a maintenance grant");
	capos_DebugAttachResult res;
	assert_int_equal(attach(BROKER_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_MAINTENANCE_GRANT,
				CAPOS_NO_CAP, &res),
			 CAPOS_OK);
	assert_int_equal(res.attach_id, 1);
	assert_string_equal(record(nrecords()).principal, "maintenance");

	/* the snapshot: init's data, no cap travels */
	uint32_t used = capos_loopback_caps_used();
	capos_CapListRequest lr = capos_CapListRequest_init_zero;
	capos_CapList cl;
	assert_int_equal(debugsession_cap_table(BROKER_DBG, &lr, &cl), CAPOS_OK);
	assert_int_equal(cl.entries_count, 2);
	assert_string_equal(cl.entries[0].name, "console");
	assert_int_equal(cl.entries[0].badge, 4);
	assert_int_equal(cl.entries[0].interface_id, 0x0100);
	assert_string_equal(cl.entries[1].name, "ready");
	assert_int_equal(cl.table_size, 64);
	assert_int_equal(capos_loopback_caps_used(), used);
	capos_Empty e = capos_Empty_init_zero;
	capos_ProcessStatus ps;
	assert_int_equal(debugsession_status(BROKER_DBG, &e, &ps), CAPOS_OK);
	assert_int_equal(ps.pid, TARGET_PID);
	assert_int_equal(ps.state, capos_ProcessState_PROCESS_STATE_ALIVE);
	/* another client sees no attachment of its own */
	assert_int_equal(debugsession_status(SHELL_DBG, &e, &ps), CAPOS_INVALID_ARGUMENT);

	/* detach: audited once; again is OK and records nothing */
	uint64_t before = nrecords();
	capos_Empty out;
	assert_int_equal(debugsession_detach(BROKER_DBG, &e, &out), CAPOS_OK);
	assert_int_equal(nrecords(), before + 1);
	capos_AuditRecord r = record(before + 1);
	assert_int_equal(r.kind, capos_AuditKind_AUDIT_KIND_DEBUG_DETACH);
	assert_string_equal(r.action, "detach pid 7");
	assert_string_equal(r.principal, "maintenance");
	assert_memory_equal(r.detail, "attach id 1:", 12);
	assert_int_equal(debugsession_detach(BROKER_DBG, &e, &out), CAPOS_OK);
	assert_int_equal(nrecords(), before + 1);
	assert_int_equal(debugsession_cap_table(BROKER_DBG, &lr, &cl), CAPOS_INVALID_ARGUMENT);
}

/* A right to attach, but nothing running by that ref: NOT_FOUND. */
static void test_no_target(void **st)
{
	(void)st;
	capos_DebugAttachRequest req = capos_DebugAttachRequest_init_zero;
	req.has_target = true;
	req.target.handle = 99;
	req.authority = capos_DebugAuthority_DEBUG_AUTHORITY_MAINTENANCE_GRANT;
	struct capos_cap_list send = { 0 };
	capos_DebugAttachResult res;
	assert_int_equal(debugsession_attach(BROKER_DBG, &req, &send, &res), CAPOS_NOT_FOUND);
	assert_int_equal(record(nrecords()).outcome, capos_Status_STATUS_NOT_FOUND);
}

/* The target restarts: the attachment does not follow the new instance. */
static void test_restart_disconnects(void **st)
{
	(void)st;
	capos_DebugAttachResult res;
	assert_int_equal(attach(BROKER_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_MAINTENANCE_GRANT,
				CAPOS_NO_CAP, &res),
			 CAPOS_OK);
	target_pid = TARGET_PID + 10;
	capos_CapListRequest lr = capos_CapListRequest_init_zero;
	capos_CapList cl;
	assert_int_equal(debugsession_cap_table(BROKER_DBG, &lr, &cl), CAPOS_DISCONNECTED);
	assert_int_equal(cap_table_calls, 0);
	capos_Empty e = capos_Empty_init_zero;
	capos_ProcessStatus ps;
	assert_int_equal(debugsession_status(BROKER_DBG, &e, &ps), CAPOS_DISCONNECTED);
	/* a new attach gets a new id, never a reused one */
	assert_int_equal(attach(BROKER_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_MAINTENANCE_GRANT,
				CAPOS_NO_CAP, &res),
			 CAPOS_OK);
	assert_int_equal(res.attach_id, 2);
	assert_int_equal(res.pid, TARGET_PID + 10);
	assert_int_equal(dbg.detaches, 1); /* the old one, replaced */
}

/* Fault injection: only for an attachment, through init, audited. */
static void test_inject_fault(void **st)
{
	(void)st;
	capos_Empty e = capos_Empty_init_zero, out;
	assert_int_equal(debugsession_inject_fault(BROKER_DBG, &e, &out), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(faults_injected, 0);
	capos_DebugAttachResult res;
	assert_int_equal(attach(BROKER_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_MAINTENANCE_GRANT,
				CAPOS_NO_CAP, &res),
			 CAPOS_OK);
	/* another client's attachment is not this one's */
	assert_int_equal(debugsession_inject_fault(SHELL_DBG, &e, &out), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(debugsession_inject_fault(BROKER_DBG, &e, &out), CAPOS_OK);
	assert_int_equal(faults_injected, 1);
	capos_AuditRecord r = record(nrecords());
	assert_int_equal(r.kind, capos_AuditKind_AUDIT_KIND_POLICY);
	assert_string_equal(r.action, "inject fault pid 7");
	assert_string_equal(r.principal, "maintenance");
	/* the target restarted: no second fault into the new instance */
	target_pid++;
	assert_int_equal(debugsession_inject_fault(BROKER_DBG, &e, &out), CAPOS_DISCONNECTED);
	assert_int_equal(faults_injected, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_unspecified_denied, setup),
		cmocka_unit_test_setup(test_owner_consent, setup),
		cmocka_unit_test_setup(test_maintenance_grant, setup),
		cmocka_unit_test_setup(test_no_target, setup),
		cmocka_unit_test_setup(test_restart_disconnects, setup),
		cmocka_unit_test_setup(test_inject_fault, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
