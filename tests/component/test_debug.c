/*
 * Component test: the debug server's logic (servers/debug/debug_service.c)
 * with the real generated stubs over the loopback, the real audit server,
 * and a fake init (ProcessControl.Status and .CapTable), as
 * debug_fixture.c sets them up. Every
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

#include "audit_fixture.h"
#include "debug_fixture.h"

#define SHELL_DBG 3   /* the shell's own DebugSession cap */
#define BROKER_DBG 4  /* the broker's, forwarding maintenance grants */
#define SHELL_BADGE 5
#define BROKER_BADGE 9

static struct debug_fixture fx;

static int setup(void **st)
{
	(void)st;
	capos_loopback_reset();
	dfx_start(&fx, DFX_AUDIT_MAX, dfx_process_cap, BROKER_BADGE);
	capos_loopback_register(SHELL_DBG, debugsession_service(&debug_service_ops, &fx.dbg),
				SHELL_BADGE);
	capos_loopback_register(BROKER_DBG, debugsession_service(&debug_service_ops, &fx.dbg),
				BROKER_BADGE);
	return 0;
}

static capos_status_t attach(capos_cap_t via, capos_DebugAuthority auth, capos_cap_t proof,
			     capos_DebugAttachResult *res)
{
	return dfx_attach(via, auth, "test", proof, res);
}

/* Refused attaches: the status, no attachment, and a refusal record. */
static void expect_refused(capos_cap_t via, capos_DebugAuthority auth, capos_cap_t proof,
			   const char *why)
{
	uint64_t before = afx_last(DFX_AUDIT_CAP);
	capos_DebugAttachResult res;
	assert_int_equal(attach(via, auth, proof, &res), CAPOS_DENIED);
	assert_int_equal(res.attach_id, 0);
	capos_Empty e = capos_Empty_init_zero;
	capos_ProcessStatus ps;
	assert_int_equal(debugsession_status(via, &e, &ps), CAPOS_INVALID_ARGUMENT);
	capos_CapListRequest lr = capos_CapListRequest_init_zero;
	capos_CapList cl;
	assert_int_equal(debugsession_cap_table(via, &lr, &cl), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(fx.cap_table_calls, 0);
	assert_int_equal(afx_last(DFX_AUDIT_CAP), before + 1);
	capos_AuditRecord r = afx_record(DFX_AUDIT_CAP, before + 1);
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
	capos_cap_t good =
		capos_loopback_new_object(DFX_PROC_TOKEN(CAPOS_RIGHT_CONTROL, DFX_TARGET_PID));
	expect_refused(BROKER_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_UNSPECIFIED, good,
		       "no authority named");
	expect_refused(SHELL_DBG, (capos_DebugAuthority)7, CAPOS_NO_CAP, "no authority named");
	assert_int_equal(fx.dbg.refusals, 3);
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
		DFX_PROC_TOKEN(CAPOS_RIGHT_READ | CAPOS_RIGHT_WRITE, DFX_TARGET_PID));
	expect_refused(SHELL_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_OWNER_CONSENT, weak,
		       "lacks CONTROL");
	/* CONTROL, but of another process */
	capos_cap_t wrong = capos_loopback_new_object(
		DFX_PROC_TOKEN(CAPOS_RIGHT_READ | CAPOS_RIGHT_CONTROL, DFX_TARGET_PID + 1));
	expect_refused(SHELL_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_OWNER_CONSENT, wrong,
		       "another process");
	/* the owner's cap */
	capos_cap_t good = capos_loopback_new_object(
		DFX_PROC_TOKEN(CAPOS_RIGHT_READ | CAPOS_RIGHT_CONTROL, DFX_TARGET_PID));
	uint32_t used = capos_loopback_caps_used();
	capos_DebugAttachResult res;
	assert_int_equal(attach(SHELL_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_OWNER_CONSENT,
				good, &res),
			 CAPOS_OK);
	assert_int_equal(res.pid, DFX_TARGET_PID);
	assert_string_equal(res.name, "shell");
	assert_int_equal(res.attach_id, 1);
	/* the proof was copied in and not kept by the server */
	assert_int_equal(capos_loopback_caps_used(), used);
	capos_AuditRecord r = afx_latest(DFX_AUDIT_CAP);
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
	assert_string_equal(afx_latest(DFX_AUDIT_CAP).principal, "maintenance");

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
	assert_int_equal(ps.pid, DFX_TARGET_PID);
	assert_int_equal(ps.state, capos_ProcessState_PROCESS_STATE_ALIVE);
	/* another client sees no attachment of its own */
	assert_int_equal(debugsession_status(SHELL_DBG, &e, &ps), CAPOS_INVALID_ARGUMENT);

	/* detach: audited once; again is OK and records nothing */
	uint64_t before = afx_last(DFX_AUDIT_CAP);
	capos_Empty out;
	assert_int_equal(debugsession_detach(BROKER_DBG, &e, &out), CAPOS_OK);
	assert_int_equal(afx_last(DFX_AUDIT_CAP), before + 1);
	capos_AuditRecord r = afx_record(DFX_AUDIT_CAP, before + 1);
	assert_int_equal(r.kind, capos_AuditKind_AUDIT_KIND_DEBUG_DETACH);
	assert_string_equal(r.action, "detach pid 7");
	assert_string_equal(r.principal, "maintenance");
	assert_memory_equal(r.detail, "attach id 1:", 12);
	assert_int_equal(debugsession_detach(BROKER_DBG, &e, &out), CAPOS_OK);
	assert_int_equal(afx_last(DFX_AUDIT_CAP), before + 1);
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
	assert_int_equal(afx_latest(DFX_AUDIT_CAP).outcome, capos_Status_STATUS_NOT_FOUND);
}

/* The target restarts: the attachment does not follow the new instance. */
static void test_restart_disconnects(void **st)
{
	(void)st;
	capos_DebugAttachResult res;
	assert_int_equal(attach(BROKER_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_MAINTENANCE_GRANT,
				CAPOS_NO_CAP, &res),
			 CAPOS_OK);
	fx.target_pid = DFX_TARGET_PID + 10;
	capos_CapListRequest lr = capos_CapListRequest_init_zero;
	capos_CapList cl;
	assert_int_equal(debugsession_cap_table(BROKER_DBG, &lr, &cl), CAPOS_DISCONNECTED);
	assert_int_equal(fx.cap_table_calls, 0);
	capos_Empty e = capos_Empty_init_zero;
	capos_ProcessStatus ps;
	assert_int_equal(debugsession_status(BROKER_DBG, &e, &ps), CAPOS_DISCONNECTED);
	/* a new attach gets a new id, never a reused one */
	assert_int_equal(attach(BROKER_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_MAINTENANCE_GRANT,
				CAPOS_NO_CAP, &res),
			 CAPOS_OK);
	assert_int_equal(res.attach_id, 2);
	assert_int_equal(res.pid, DFX_TARGET_PID + 10);
	assert_int_equal(fx.dbg.detaches, 1); /* the old one, replaced */
}

/* Fault injection: only for an attachment, through init, audited. */
static void test_inject_fault(void **st)
{
	(void)st;
	capos_Empty e = capos_Empty_init_zero, out;
	assert_int_equal(debugsession_inject_fault(BROKER_DBG, &e, &out), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(fx.faults_injected, 0);
	capos_DebugAttachResult res;
	assert_int_equal(attach(BROKER_DBG, capos_DebugAuthority_DEBUG_AUTHORITY_MAINTENANCE_GRANT,
				CAPOS_NO_CAP, &res),
			 CAPOS_OK);
	/* another client's attachment is not this one's */
	assert_int_equal(debugsession_inject_fault(SHELL_DBG, &e, &out), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(debugsession_inject_fault(BROKER_DBG, &e, &out), CAPOS_OK);
	assert_int_equal(fx.faults_injected, 1);
	capos_AuditRecord r = afx_latest(DFX_AUDIT_CAP);
	assert_int_equal(r.kind, capos_AuditKind_AUDIT_KIND_POLICY);
	assert_string_equal(r.action, "inject fault pid 7");
	assert_string_equal(r.principal, "maintenance");
	/* the target restarted: no second fault into the new instance */
	fx.target_pid++;
	assert_int_equal(debugsession_inject_fault(BROKER_DBG, &e, &out), CAPOS_DISCONNECTED);
	assert_int_equal(fx.faults_injected, 1);
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
