/*
 * Component test: init's handling of crash records the kernel lost
 * (servers/init/crash_lost.c): the count-only record (CAPOS_DEATH_LOST)
 * and a real record carrying `dropped` give the line init prints and an
 * AUDIT_KIND_CRASH record, appended through init's audit queue to the real
 * audit server over the loopback and read back; a record with nothing
 * lost gives neither.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <capos/transport.h>

#include "audit.capos.h"
#include "audit_queue.h"
#include "audit_service.h"
#include "crash_lost.h"

#define AUDIT_CAP 6
#define CAPACITY 16
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

static capos_AuditRecord read_one(uint64_t seq)
{
	capos_AuditFilter f = capos_AuditFilter_init_zero;
	capos_AuditReadResult r;
	f.cursor = seq;
	f.max = 1;
	assert_int_equal(auditlog_read(AUDIT_CAP, &f, &r), CAPOS_OK);
	assert_int_equal(r.records_count, 1);
	return r.records[0];
}

/* A kernel record, every byte set, as the kernel would never send it. */
static struct capos_crash_record garbage(uint32_t cause, uint32_t dropped)
{
	struct capos_crash_record k;
	memset(&k, 0x77, sizeof(k));
	k.name[sizeof(k.name) - 1] = '\0';
	k.cause = cause;
	k.dropped = dropped;
	return k;
}

#define WANT_LINE                                                          \
	"init: %u crash records lost by the kernel (supervisor queue full); " \
	"those deaths are not known to init\n"

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

	char line[160], want[160];
	capos_AuditRecord rec;
	assert_int_equal(init_crash_lost(&k, line, sizeof(line), &rec), 37);
	snprintf(want, sizeof(want), WANT_LINE, 37u);
	assert_string_equal(line, want);

	assert_int_equal(init_audit_submit(&q, &rec), CAPOS_OK);
	capos_AuditRecord got = read_one(1);
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
	struct capos_crash_record k = garbage(CAPOS_DEATH_FAULT, 3);
	assert_false(init_crash_count_only(&k));
	char line[160], want[160];
	capos_AuditRecord rec;
	assert_int_equal(init_crash_lost(&k, line, sizeof(line), &rec), 3);
	snprintf(want, sizeof(want), WANT_LINE, 3u);
	assert_string_equal(line, want);

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
	struct capos_crash_record k = garbage(CAPOS_DEATH_EXIT, 0);
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
	struct capos_crash_record k = garbage(CAPOS_DEATH_LOST, UINT32_MAX);
	char line[160], want[160];
	capos_AuditRecord rec;
	assert_int_equal(init_crash_lost(&k, line, sizeof(line), &rec), UINT32_MAX);
	snprintf(want, sizeof(want), WANT_LINE, UINT32_MAX);
	assert_string_equal(line, want);
	assert_string_equal(rec.detail, "4294967295 lost");
	assert_int_equal(init_audit_submit(&q, &rec), CAPOS_OK);
	assert_int_equal(read_one(1).crash.dropped, UINT32_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_count_only_record, setup),
		cmocka_unit_test_setup(test_record_carrying_dropped, setup),
		cmocka_unit_test_setup(test_nothing_lost, setup),
		cmocka_unit_test_setup(test_largest_count, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
