/*
 * Component test: init's audited supervision (servers/init/audit_queue.c)
 * against the real audit server (servers/audit/audit_service.c) over the
 * loopback, its report of crash records the kernel lost
 * (servers/init/crash_lost.c: the count-only CAPOS_DEATH_LOST record and a
 * record carrying `dropped`), and the rules of ProcessControl.Retarget
 * (servers/init/retarget_check.c) on hand-made manifests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <capos/transport.h>

#include "audit_fixture.h"
#include "audit_queue.h"
#include "audit_service.h"
#include "crash_lost.h"
#include "retarget_check.h"

#define AUDIT_CAP 6
#define CAPACITY 64
#define INIT_BADGE 64

static capos_AuditRecord storage[CAPACITY];
static struct audit_state state;
static struct init_audit_queue q;

static const struct capos_client_name sources[] = { { INIT_BADGE, "init" } };

static int setup(void **st)
{
	(void)st;
	audit_init(&state, storage, CAPACITY, NULL, NULL, sources, 1);
	capos_loopback_reset();
	capos_loopback_register(AUDIT_CAP, auditlog_service(&audit_service_ops, &state),
				INIT_BADGE);
	init_audit_queue_init(&q, AUDIT_CAP);
	return 0;
}

static void event(const char *action)
{
	capos_AuditRecord r;
	init_audit_event(capos_AuditKind_AUDIT_KIND_RESTART, action, CAPOS_OK, "d", &r);
	init_audit_submit(&q, &r);
}

/* Every field of the kernel record set: only name, pid, cause, vector,
 * fault address and rip survive, plus the restart count. */
static void test_crash_record_redacted_fault(void **st)
{
	(void)st;
	struct capos_crash_record k;
	memset(&k, 0x77, sizeof(k));
	strcpy(k.name, "kernel-name");
	k.pid = 9;
	k.cause = CAPOS_DEATH_FAULT;
	k.vector = 14;
	k.error_code = 0x6;
	k.fault_addr = 0x10;
	k.rip = 0x401234;
	k.exit_code = 55;
	capos_AuditRecord r;
	memset(&r, 0x5a, sizeof(r));
	init_audit_crash_record("log", &k, 3, &r);

	capos_AuditRecord want;
	memset(&want, 0, sizeof(want));
	want.kind = capos_AuditKind_AUDIT_KIND_CRASH;
	want.outcome = capos_Status_STATUS_OK;
	strcpy(want.action, "died log");
	strcpy(want.detail, "restarts 3");
	want.has_crash = true;
	strcpy(want.crash.name, "log");
	want.crash.pid = 9;
	want.crash.cause = capos_DeathCause_DEATH_CAUSE_FAULT;
	want.crash.vector = 14;
	want.crash.fault_addr = 0x10;
	want.crash.rip = 0x401234;
	/* byte for byte: nothing else set, no error code, no exit code */
	assert_memory_equal(&r, &want, sizeof(r));

	/* and the same through the audit log */
	assert_int_equal(init_audit_submit(&q, &r), CAPOS_OK);
	capos_AuditRecord got = afx_record(AUDIT_CAP, 1);
	assert_string_equal(got.source, "init");
	assert_int_equal(got.crash.pid, 9);
	assert_int_equal(got.crash.error_code, 0);
	assert_int_equal(got.crash.exit_code, 0);
	assert_int_equal(got.crash.rip, 0x401234);
	assert_string_equal(got.principal, "");
}

static void test_crash_record_redacted_exit_and_kill(void **st)
{
	(void)st;
	struct capos_crash_record k;
	memset(&k, 0x77, sizeof(k));
	k.pid = 4;
	k.cause = CAPOS_DEATH_EXIT;
	k.exit_code = -2;
	capos_AuditRecord r;
	init_audit_crash_record("echo", &k, 0, &r);
	assert_int_equal(r.crash.cause, capos_DeathCause_DEATH_CAUSE_EXIT);
	assert_int_equal(r.crash.exit_code, -2);
	assert_int_equal(r.crash.vector, 0);
	assert_int_equal(r.crash.fault_addr, 0);
	assert_int_equal(r.crash.rip, 0);
	assert_int_equal(r.crash.error_code, 0);
	assert_string_equal(r.detail, "restarts 0");

	k.cause = CAPOS_DEATH_KILLED;
	init_audit_crash_record("echo", &k, 12, &r);
	assert_int_equal(r.crash.cause, capos_DeathCause_DEATH_CAUSE_KILLED);
	assert_int_equal(r.crash.exit_code, 0);
	assert_int_equal(r.crash.rip, 0);
	assert_string_equal(r.detail, "restarts 12");
	/* a name longer than the field is cut, never overrun */
	init_audit_crash_record("a-component-name-longer-than-thirty-two", &k, 1, &r);
	assert_int_equal(strlen(r.crash.name), sizeof(r.crash.name) - 1);
}

/* Down (the log answers DISCONNECTED): records wait; back: they go out
 * first, in order, then the new one. */
static void test_queue_while_down(void **st)
{
	(void)st;
	event("a");
	assert_int_equal(afx_last(AUDIT_CAP), 1);
	capos_loopback_fail_next(AUDIT_CAP, CAPOS_DISCONNECTED, 1);
	event("b");
	assert_int_equal(q.count, 1);
	q.cap = CAPOS_NO_CAP; /* init knows it is down: no call at all */
	uint64_t calls = capos_loopback_delivered(AUDIT_CAP);
	event("c");
	event("d");
	assert_int_equal(capos_loopback_delivered(AUDIT_CAP), calls);
	assert_int_equal(q.count, 3);
	assert_int_equal(afx_last(AUDIT_CAP), 1);

	q.cap = AUDIT_CAP; /* restarted */
	event("e");
	assert_int_equal(q.count, 0);
	assert_int_equal(afx_last(AUDIT_CAP), 5);
	const char *want[] = { "a", "b", "c", "d", "e" };
	for (uint64_t s = 1; s <= 5; s++) {
		capos_AuditRecord r = afx_record(AUDIT_CAP, s);
		assert_string_equal(r.action, want[s - 1]);
		assert_string_equal(r.source, "init");
	}
	assert_int_equal(q.lost_total, 0);
}

/* An explicit flush (init's on the audit server's restart) empties the
 * queue without a new record. */
static void test_flush_on_return(void **st)
{
	(void)st;
	q.cap = CAPOS_NO_CAP;
	event("x");
	event("y");
	assert_int_equal(init_audit_flush(&q), CAPOS_DISCONNECTED);
	q.cap = AUDIT_CAP;
	assert_int_equal(init_audit_flush(&q), CAPOS_OK);
	assert_int_equal(afx_last(AUDIT_CAP), 2);
	assert_string_equal(afx_record(AUDIT_CAP, 1).action, "x");
	assert_string_equal(afx_record(AUDIT_CAP, 2).action, "y");
}

/* More than the queue holds: the rest is dropped and counted, and the
 * count is its own record right after the queued ones. */
static void test_overflow_counted_and_recorded(void **st)
{
	(void)st;
	q.cap = CAPOS_NO_CAP;
	char a[16];
	for (unsigned i = 0; i < INIT_AUDIT_QUEUE_MAX + 5u; i++) {
		snprintf(a, sizeof(a), "r%u", i);
		event(a);
	}
	assert_int_equal(q.count, INIT_AUDIT_QUEUE_MAX);
	assert_int_equal(q.lost, 5);
	q.cap = AUDIT_CAP;
	event("after");
	assert_int_equal(afx_last(AUDIT_CAP), INIT_AUDIT_QUEUE_MAX + 2u);
	for (unsigned i = 0; i < INIT_AUDIT_QUEUE_MAX; i++) {
		snprintf(a, sizeof(a), "r%u", i);
		assert_string_equal(afx_record(AUDIT_CAP, i + 1u).action, a);
	}
	capos_AuditRecord lost = afx_record(AUDIT_CAP, INIT_AUDIT_QUEUE_MAX + 1u);
	assert_string_equal(lost.action, "audit records lost");
	assert_int_equal(lost.kind, capos_AuditKind_AUDIT_KIND_OTHER);
	assert_int_equal(lost.outcome, capos_Status_STATUS_LIMIT_EXCEEDED);
	assert_memory_equal(lost.detail, "5 records dropped", 17);
	assert_string_equal(afx_record(AUDIT_CAP, INIT_AUDIT_QUEUE_MAX + 2u).action, "after");
	assert_int_equal(q.lost, 0);
	assert_int_equal(q.lost_total, 5);
}

/* The log's own refusal (full) is an answer: not retried, not queued. */
static void test_log_full_not_retried(void **st)
{
	(void)st;
	audit_init(&state, storage, 2, NULL, NULL, sources, 1);
	event("1");
	event("2");
	event("3");
	assert_int_equal(q.count, 0);
	assert_int_equal(q.appended, 2);
	assert_int_equal(q.refused, 1);
	assert_int_equal(afx_last(AUDIT_CAP), 2);
}

/* ---- Retarget's rules ---- */

static capos_System sys;

static void comp(uint32_t i, const char *name, uint32_t iface, const char *ep)
{
	strcpy(sys.components[i].name, name);
	if (ep) {
		strcpy(sys.components[i].serves[0].name, ep);
		sys.components[i].serves[0].interface_id = iface;
		sys.components[i].serves_count = 1;
	}
	if (sys.components_count <= i)
		sys.components_count = (pb_size_t)(i + 1u);
}

static void test_retarget_interface_check(void **st)
{
	(void)st;
	memset(&sys, 0, sizeof(sys));
	comp(0, "echo", 0x0700, "echo");
	comp(1, "echo2", 0x0700, "spare");
	comp(2, "log", 0x0200, "log");
	comp(3, "shell", 0, NULL);
	uint32_t from = 99, serve = 99, to = 99;
	assert_int_equal(init_retarget_check(&sys, "echo.echo", "echo2", &from, &serve, &to),
			 CAPOS_OK);
	assert_int_equal(from, 0);
	assert_int_equal(serve, 0);
	assert_int_equal(to, 1);
	/* the other way round too */
	assert_int_equal(init_retarget_check(&sys, "echo2.spare", "echo", &from, &serve, &to),
			 CAPOS_OK);
	assert_int_equal(to, 0);
	/* a target that does not speak the interface */
	assert_int_equal(init_retarget_check(&sys, "echo.echo", "log", &from, &serve, &to),
			 CAPOS_WRONG_TYPE);
	assert_int_equal(init_retarget_check(&sys, "log.log", "echo", &from, &serve, &to),
			 CAPOS_WRONG_TYPE);
	/* a client serving nothing speaks nothing */
	assert_int_equal(init_retarget_check(&sys, "echo.echo", "shell", &from, &serve, &to),
			 CAPOS_WRONG_TYPE);
	/* already its server */
	assert_int_equal(init_retarget_check(&sys, "echo.echo", "echo", &from, &serve, &to),
			 CAPOS_INVALID_ARGUMENT);
	/* names that do not exist */
	assert_int_equal(init_retarget_check(&sys, "echo.nope", "echo2", &from, &serve, &to),
			 CAPOS_NOT_FOUND);
	assert_int_equal(init_retarget_check(&sys, "echo", "echo2", &from, &serve, &to),
			 CAPOS_NOT_FOUND);
	assert_int_equal(init_retarget_check(&sys, "ech.echo", "echo2", &from, &serve, &to),
			 CAPOS_NOT_FOUND);
	assert_int_equal(init_retarget_check(&sys, "echo.echo", "echo22", &from, &serve, &to),
			 CAPOS_NOT_FOUND);
	assert_int_equal(init_retarget_check(&sys, "echo.echo", "", &from, &serve, &to),
			 CAPOS_NOT_FOUND);
}

static void kernel_cap(capos_Component *c, capos_KernelResource k, capos_GrantRight right)
{
	capos_Grant *g = &c->caps[c->caps_count++];
	memset(g, 0, sizeof(*g));
	g->kernel = k;
	if (right) {
		g->rights[0] = right;
		g->rights_count = 1;
	}
}

/* A retarget target's loop needs its thread, a notification and its table
 * with WRITE to take an endpoint while it runs; without any one of them
 * init refuses. */
static void test_retarget_takes(void **st)
{
	(void)st;
	capos_Component c;
	memset(&c, 0, sizeof(c));
	assert_false(init_retarget_takes(&c));
	kernel_cap(&c, capos_KernelResource_KERNEL_RESOURCE_THREAD, 0);
	kernel_cap(&c, capos_KernelResource_KERNEL_RESOURCE_NOTIFICATION, 0);
	assert_false(init_retarget_takes(&c)); /* no capmgr */
	kernel_cap(&c, capos_KernelResource_KERNEL_RESOURCE_CAP_MANAGER,
		   capos_GrantRight_GRANT_RIGHT_READ);
	assert_false(init_retarget_takes(&c)); /* READ only: no NOTIFY_ARRIVAL */
	kernel_cap(&c, capos_KernelResource_KERNEL_RESOURCE_CAP_MANAGER,
		   capos_GrantRight_GRANT_RIGHT_WRITE);
	assert_true(init_retarget_takes(&c));
	/* the same without the notification */
	c.caps[1].kernel = capos_KernelResource_KERNEL_RESOURCE_SELF;
	assert_false(init_retarget_takes(&c));
	/* a capmgr with the default rights (WRITE among them) */
	c.caps[1].kernel = capos_KernelResource_KERNEL_RESOURCE_NOTIFICATION;
	c.caps_count = 2;
	kernel_cap(&c, capos_KernelResource_KERNEL_RESOURCE_CAP_MANAGER, 0);
	assert_true(init_retarget_takes(&c));
	/* no thread */
	c.caps[0].kernel = capos_KernelResource_KERNEL_RESOURCE_KERNEL_INFO;
	assert_false(init_retarget_takes(&c));
}

/* Crash records the kernel lost (servers/init/crash_lost.c). A kernel
 * record, every byte set, as the kernel would never send it. */
static struct capos_crash_record lost_garbage(uint32_t cause, uint32_t dropped)
{
	struct capos_crash_record k;
	memset(&k, 0x77, sizeof(k));
	k.name[sizeof(k.name) - 1] = '\0';
	k.cause = cause;
	k.dropped = dropped;
	return k;
}

/* init_crash_lost on k must report n, with init's line for n. */
static void expect_lost(const struct capos_crash_record *k, uint32_t n, capos_AuditRecord *rec)
{
	char line[160], want[160];
	assert_int_equal(init_crash_lost(k, line, sizeof(line), rec), n);
	snprintf(want, sizeof(want),
		 "init: %u crash records lost by the kernel (supervisor queue full); "
		 "those deaths are not known to init\n",
		 (unsigned)n);
	assert_string_equal(line, want);
}

/* The kernel's count-only record: the line, and the audit record with the
 * count and no process in it. */
static void test_count_only_record(void **st)
{
	(void)st;
	struct capos_crash_record k;
	memset(&k, 0, sizeof(k));
	k.cause = CAPOS_DEATH_LOST;
	k.dropped = 37;
	assert_true(init_crash_count_only(&k));

	capos_AuditRecord rec;
	expect_lost(&k, 37, &rec);

	assert_int_equal(init_audit_submit(&q, &rec), CAPOS_OK);
	capos_AuditRecord got = afx_record(AUDIT_CAP, 1);
	assert_string_equal(got.source, "init");
	assert_int_equal(got.kind, capos_AuditKind_AUDIT_KIND_CRASH);
	assert_int_equal(got.outcome, capos_Status_STATUS_LIMIT_EXCEEDED);
	assert_string_equal(got.action, "crash records lost");
	assert_string_equal(got.detail, "37 lost");
	assert_true(got.has_crash);
	assert_int_equal(got.crash.cause, capos_DeathCause_DEATH_CAUSE_LOST);
	assert_int_equal(got.crash.dropped, 37);
	assert_int_equal(got.crash.pid, 0);
	assert_string_equal(got.crash.name, "");
}

/* A real death carrying the count of those lost before it: the count is
 * reported on its own, nothing of the death's fields goes with it (the
 * death itself is init's ordinary crash path). */
static void test_record_carrying_dropped(void **st)
{
	(void)st;
	struct capos_crash_record k = lost_garbage(CAPOS_DEATH_FAULT, 3);
	assert_false(init_crash_count_only(&k));
	capos_AuditRecord rec;
	expect_lost(&k, 3, &rec);

	capos_AuditRecord exp;
	memset(&exp, 0, sizeof(exp));
	exp.kind = capos_AuditKind_AUDIT_KIND_CRASH;
	exp.outcome = capos_Status_STATUS_LIMIT_EXCEEDED;
	strcpy(exp.action, "crash records lost");
	strcpy(exp.detail, "3 lost");
	exp.has_crash = true;
	exp.crash.cause = capos_DeathCause_DEATH_CAUSE_LOST;
	exp.crash.dropped = 3;
	assert_memory_equal(&rec, &exp, sizeof(rec)); /* byte for byte */
}

/* Nothing lost: no line, no record (both left as they were). */
static void test_nothing_lost(void **st)
{
	(void)st;
	struct capos_crash_record k = lost_garbage(CAPOS_DEATH_EXIT, 0);
	char line[8] = "keep";
	capos_AuditRecord rec, before;
	memset(&rec, 0x5a, sizeof(rec));
	before = rec;
	assert_int_equal(init_crash_lost(&k, line, sizeof(line), &rec), 0);
	assert_string_equal(line, "keep");
	assert_memory_equal(&rec, &before, sizeof(rec));
	k.cause = CAPOS_DEATH_KILLED;
	assert_false(init_crash_count_only(&k));
}

/* The largest count fits the line and the record whole. */
static void test_largest_count(void **st)
{
	(void)st;
	struct capos_crash_record k = lost_garbage(CAPOS_DEATH_LOST, UINT32_MAX);
	capos_AuditRecord rec;
	expect_lost(&k, UINT32_MAX, &rec);
	assert_string_equal(rec.detail, "4294967295 lost");
	assert_int_equal(init_audit_submit(&q, &rec), CAPOS_OK);
	assert_int_equal(afx_record(AUDIT_CAP, 1).crash.dropped, UINT32_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retarget_takes),
		cmocka_unit_test_setup(test_crash_record_redacted_fault, setup),
		cmocka_unit_test_setup(test_crash_record_redacted_exit_and_kill, setup),
		cmocka_unit_test_setup(test_queue_while_down, setup),
		cmocka_unit_test_setup(test_flush_on_return, setup),
		cmocka_unit_test_setup(test_overflow_counted_and_recorded, setup),
		cmocka_unit_test_setup(test_log_full_not_retried, setup),
		cmocka_unit_test(test_retarget_interface_check),
		cmocka_unit_test_setup(test_count_only_record, setup),
		cmocka_unit_test_setup(test_record_carrying_dropped, setup),
		cmocka_unit_test_setup(test_nothing_lost, setup),
		cmocka_unit_test_setup(test_largest_count, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
