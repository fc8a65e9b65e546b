/*
 * Component test: the audit server's real dispatcher (generated) with the
 * real generated client stubs, over the host loopback transport.
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

#define AUDIT_CAP 6
#define OTHER_CAP 7 /* the same log, another client's badge */
#define CAPACITY 10

static capos_AuditRecord storage[CAPACITY];
static struct audit_state state;
static uint64_t fake_ns;

static const struct capos_client_name sources[] = {
	{ 0x11, "supervisor" },
	{ 0x22, "a-name-much-longer-than-the-thirty-one-bytes-allowed" },
};

static void fake_clock(void *ctx, capos_Timestamp *out)
{
	(void)ctx;
	fake_ns += 1000;
	out->monotonic_ns = fake_ns;
	out->wall_seconds = 1700000000;
	out->wall_nanoseconds = (uint32_t)fake_ns;
	out->provenance = capos_ClockProvenance_CLOCK_PROVENANCE_MANIFEST;
}

static int setup(void **st)
{
	(void)st;
	fake_ns = 0;
	audit_init(&state, storage, CAPACITY, fake_clock, NULL, sources, 2);
	capos_loopback_reset();
	capos_loopback_register(AUDIT_CAP, auditlog_service(&audit_service_ops, &state), 0x11);
	capos_loopback_register(OTHER_CAP, auditlog_service(&audit_service_ops, &state), 0xabc);
	return 0;
}

static capos_status_t append(capos_cap_t cap, capos_AuditKind kind, const char *action,
			     uint64_t *seq)
{
	capos_AuditRecord r = capos_AuditRecord_init_zero;
	capos_AuditAppendResult res;
	r.kind = kind;
	strcpy(r.action, action);
	strcpy(r.principal, "alice");
	r.outcome = capos_Status_STATUS_OK;
	/* fields the server sets: whatever the client claims is ignored */
	r.sequence = 999;
	strcpy(r.source, "forged");
	r.has_timestamp = true;
	r.timestamp.wall_seconds = 42;
	r.timestamp.provenance = capos_ClockProvenance_CLOCK_PROVENANCE_RTC;
	memset(&res, 0x5a, sizeof(res));
	capos_status_t st = auditlog_append(cap, &r, &res);
	if (seq)
		*seq = res.sequence;
	return st;
}

static capos_status_t read_log(uint64_t cursor, uint32_t max, capos_AuditReadResult *out)
{
	capos_AuditFilter f = capos_AuditFilter_init_zero;
	f.cursor = cursor;
	f.max = max;
	memset(out, 0x5a, sizeof(*out));
	return auditlog_read(AUDIT_CAP, &f, out);
}

static void test_sequence_timestamp_source(void **st)
{
	(void)st;
	uint64_t seq;
	assert_int_equal(append(AUDIT_CAP, capos_AuditKind_AUDIT_KIND_SHUTDOWN, "shutdown", &seq),
			 CAPOS_OK);
	assert_int_equal(seq, 1);
	assert_int_equal(append(OTHER_CAP, capos_AuditKind_AUDIT_KIND_GRANT, "grant", &seq),
			 CAPOS_OK);
	assert_int_equal(seq, 2);

	capos_AuditReadResult r;
	assert_int_equal(read_log(0, 0, &r), CAPOS_OK);
	assert_int_equal(r.records_count, 2);
	assert_int_equal(r.last_sequence, 2);
	assert_int_equal(r.next_cursor, 3);
	assert_int_equal(r.refused, 0);

	assert_int_equal(r.records[0].sequence, 1);
	assert_string_equal(r.records[0].source, "supervisor");
	assert_string_equal(r.records[0].action, "shutdown");
	assert_string_equal(r.records[0].principal, "alice");
	assert_int_equal(r.records[0].kind, capos_AuditKind_AUDIT_KIND_SHUTDOWN);
	assert_true(r.records[0].has_timestamp);
	assert_int_equal(r.records[0].timestamp.monotonic_ns, 1000);
	assert_int_equal(r.records[0].timestamp.wall_seconds, 1700000000);
	assert_int_equal(r.records[0].timestamp.provenance,
			 capos_ClockProvenance_CLOCK_PROVENANCE_MANIFEST);

	assert_int_equal(r.records[1].sequence, 2);
	assert_string_equal(r.records[1].source, "badge:2748"); /* unknown badge */
	assert_int_equal(r.records[1].timestamp.monotonic_ns, 2000);
}

static void test_source_truncated_and_no_clock(void **st)
{
	(void)st;
	audit_init(&state, storage, CAPACITY, NULL, NULL, sources, 2);
	capos_loopback_register(8, auditlog_service(&audit_service_ops, &state), 0x22);
	assert_int_equal(append(8, capos_AuditKind_AUDIT_KIND_OTHER, "x", NULL), CAPOS_OK);
	capos_AuditReadResult r;
	assert_int_equal(read_log(1, 1, &r), CAPOS_OK);
	assert_int_equal(r.records_count, 1);
	assert_int_equal(strlen(r.records[0].source), 31);
	assert_memory_equal(r.records[0].source, "a-name-much-longer", 18);
	/* no clock: zero timestamp, UNTRUSTED, never the client's claim */
	assert_int_equal(r.records[0].timestamp.wall_seconds, 0);
	assert_int_equal(r.records[0].timestamp.provenance,
			 capos_ClockProvenance_CLOCK_PROVENANCE_UNTRUSTED);
}

static void test_full_refuses_nothing_lost(void **st)
{
	(void)st;
	uint64_t seq;
	char action[16];
	for (int i = 0; i < CAPACITY; i++) {
		action[0] = (char)('a' + i);
		action[1] = '\0';
		assert_int_equal(append(AUDIT_CAP, capos_AuditKind_AUDIT_KIND_OTHER, action, &seq),
				 CAPOS_OK);
		assert_int_equal(seq, (uint64_t)i + 1);
	}
	/* full: refused with the status, counted, nothing overwritten */
	assert_int_equal(append(AUDIT_CAP, capos_AuditKind_AUDIT_KIND_OTHER, "late", &seq),
			 CAPOS_LIMIT_EXCEEDED);
	assert_int_equal(append(OTHER_CAP, capos_AuditKind_AUDIT_KIND_CRASH, "late2", &seq),
			 CAPOS_LIMIT_EXCEEDED);

	capos_AuditReadResult r;
	uint64_t cursor = 0, expect = 1;
	int pages = 0;
	do {
		assert_int_equal(read_log(cursor, 0, &r), CAPOS_OK);
		assert_int_equal(r.last_sequence, CAPACITY);
		assert_int_equal(r.refused, 2);
		for (pb_size_t i = 0; i < r.records_count; i++, expect++) {
			assert_int_equal(r.records[i].sequence, expect);
			assert_int_equal(r.records[i].action[0], 'a' + (int)(expect - 1));
		}
		cursor = r.next_cursor;
		pages++;
	} while (r.records_count > 0);
	assert_int_equal(expect, CAPACITY + 1); /* all of them, contiguous */
	assert_int_equal(pages, 4);             /* 4 + 4 + 2, then an empty page */
	assert_int_equal(cursor, CAPACITY + 1);
}

static void test_read_paging(void **st)
{
	(void)st;
	for (int i = 0; i < 7; i++)
		assert_int_equal(append(AUDIT_CAP, capos_AuditKind_AUDIT_KIND_POLICY, "p", NULL),
				 CAPOS_OK);
	capos_AuditReadResult r;
	/* max bounds the page */
	assert_int_equal(read_log(0, 2, &r), CAPOS_OK);
	assert_int_equal(r.records_count, 2);
	assert_int_equal(r.records[0].sequence, 1);
	assert_int_equal(r.next_cursor, 3);
	/* the cursor is the first sequence wanted */
	assert_int_equal(read_log(3, 3, &r), CAPOS_OK);
	assert_int_equal(r.records_count, 3);
	assert_int_equal(r.records[0].sequence, 3);
	assert_int_equal(r.records[2].sequence, 5);
	assert_int_equal(r.next_cursor, 6);
	/* max above what fits: as many as fit */
	assert_int_equal(read_log(2, 100, &r), CAPOS_OK);
	assert_int_equal(r.records_count, 4);
	assert_int_equal(r.next_cursor, 6);
	/* the tail, and past the end */
	assert_int_equal(read_log(6, 0, &r), CAPOS_OK);
	assert_int_equal(r.records_count, 2);
	assert_int_equal(r.next_cursor, 8);
	assert_int_equal(read_log(8, 0, &r), CAPOS_OK);
	assert_int_equal(r.records_count, 0);
	assert_int_equal(r.next_cursor, 8);
	assert_int_equal(r.last_sequence, 7);
	assert_int_equal(read_log(500, 0, &r), CAPOS_OK);
	assert_int_equal(r.records_count, 0);
	/* a new record shows up at the cursor the reader kept */
	assert_int_equal(append(AUDIT_CAP, capos_AuditKind_AUDIT_KIND_POLICY, "q", NULL), CAPOS_OK);
	assert_int_equal(read_log(8, 0, &r), CAPOS_OK);
	assert_int_equal(r.records_count, 1);
	assert_string_equal(r.records[0].action, "q");
}

static void test_crash_record_round_trip(void **st)
{
	(void)st;
	capos_AuditRecord rec = capos_AuditRecord_init_zero;
	capos_AuditAppendResult res;
	rec.kind = capos_AuditKind_AUDIT_KIND_CRASH;
	rec.has_crash = true;
	strcpy(rec.crash.name, "shell");
	rec.crash.pid = 7;
	rec.crash.fault_addr = 0xdeadbeef;
	assert_int_equal(auditlog_append(AUDIT_CAP, &rec, &res), CAPOS_OK);
	capos_AuditReadResult r;
	assert_int_equal(read_log(0, 0, &r), CAPOS_OK);
	assert_true(r.records[0].has_crash);
	assert_string_equal(r.records[0].crash.name, "shell");
	assert_int_equal(r.records[0].crash.pid, 7);
	assert_int_equal(r.records[0].crash.fault_addr, 0xdeadbeef);
}

static void test_bad_records_refused(void **st)
{
	(void)st;
	uint64_t seq;
	assert_int_equal(append(AUDIT_CAP, capos_AuditKind_AUDIT_KIND_UNSPECIFIED, "x", &seq),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(append(AUDIT_CAP, (capos_AuditKind)77, "x", &seq),
			 CAPOS_INVALID_ARGUMENT);
	capos_AuditRecord rec = capos_AuditRecord_init_zero;
	capos_AuditAppendResult res;
	rec.kind = capos_AuditKind_AUDIT_KIND_GRANT;
	rec.has_crash = true; /* crash on a non-CRASH kind */
	assert_int_equal(auditlog_append(AUDIT_CAP, &rec, &res), CAPOS_INVALID_ARGUMENT);
	/* none took a sequence number, none counted as refused-when-full */
	assert_int_equal(append(AUDIT_CAP, capos_AuditKind_AUDIT_KIND_OTHER, "ok", &seq), CAPOS_OK);
	assert_int_equal(seq, 1);
	assert_int_equal(state.refused, 0);
}

static capos_status_t raw_call(uint64_t label, const void *body, uint32_t len,
			       uint64_t *reply_label, uint32_t *reply_len)
{
	memcpy(capos_transport_buffer(), body, len);
	return capos_transport_call(AUDIT_CAP, label, len, NULL, reply_label, reply_len, NULL);
}

static void test_malformed(void **st)
{
	(void)st;
	uint64_t rl;
	uint32_t rn;
	uint64_t append_label = CAPOS_RPC_LABEL(AUDITLOG_INTERFACE_ID, AUDITLOG_APPEND_METHOD_ID);
	/* action (field 6) claiming 200 bytes with 3 present */
	const uint8_t truncated[] = { 0x20, 0x01, 0x32, 0xc8, 0x01, 'a', 'b', 'c' };
	assert_int_equal(raw_call(append_label, truncated, sizeof(truncated), &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	assert_int_equal(rn, 0);
	/* source (field 3) beyond its bound of 31 characters */
	uint8_t big[2 + 40];
	memset(big, 'x', sizeof(big));
	big[0] = 0x1a;
	big[1] = 40;
	assert_int_equal(raw_call(append_label, big, sizeof(big), &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	/* an invalid wire type, on Read */
	const uint8_t badwire[] = { 0x0f, 0x01 };
	assert_int_equal(raw_call(CAPOS_RPC_LABEL(AUDITLOG_INTERFACE_ID, AUDITLOG_READ_METHOD_ID),
				  badwire, sizeof(badwire), &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	/* an unknown method */
	assert_int_equal(raw_call(CAPOS_RPC_LABEL(AUDITLOG_INTERFACE_ID, 9), "", 0, &rl, &rn),
			 CAPOS_OK);
	assert_int_equal(rl, CAPOS_UNSUPPORTED);
	/* nothing was appended, and the server still serves */
	uint64_t seq;
	assert_int_equal(append(AUDIT_CAP, capos_AuditKind_AUDIT_KIND_OTHER, "still", &seq),
			 CAPOS_OK);
	assert_int_equal(seq, 1);
}

/* ---- configuration from startup parameters ---- */

static int param_lookups;

static const char *fake_param(void *arg, const char *key)
{
	(void)arg;
	param_lookups++;
	if (strcmp(key, "badge.2") == 0)
		return "shell";
	if (strcmp(key, "badge.5") == 0)
		return "supervisor";
	if (strcmp(key, "badge.6") == 0)
		return ""; /* empty: no name */
	if (strcmp(key, "badge.65") == 0)
		return "beyond";
	return NULL;
}

static void test_sources_from_params(void **st)
{
	(void)st;
	static struct capos_client_names t;
	param_lookups = 0;
	assert_int_equal(capos_client_names_load(&t, fake_param, NULL), 2);
	assert_int_equal(param_lookups, CAPOS_CLIENT_NAMES_MAX);
	assert_int_equal(t.entries[0].badge, 2);
	assert_string_equal(t.entries[0].name, "shell");
	assert_int_equal(t.entries[1].badge, 5);
	audit_init(&state, storage, CAPACITY, NULL, NULL, t.entries, t.count);
	capos_loopback_register(8, auditlog_service(&audit_service_ops, &state), 2);
	capos_loopback_register(9, auditlog_service(&audit_service_ops, &state), 6);
	assert_int_equal(append(8, capos_AuditKind_AUDIT_KIND_SESSION_OPEN, "login", NULL),
			 CAPOS_OK);
	assert_int_equal(append(9, capos_AuditKind_AUDIT_KIND_OTHER, "x", NULL), CAPOS_OK);
	capos_AuditReadResult r;
	assert_int_equal(read_log(0, 0, &r), CAPOS_OK);
	assert_int_equal(r.records_count, 2);
	assert_string_equal(r.records[0].source, "shell");
	assert_string_equal(r.records[1].source, "badge:6");
	assert_int_equal(capos_client_names_load(&t, NULL, NULL), 0);
}

/* A capacity of one: the second append is refused, the first kept. */
static void test_capacity_one(void **st)
{
	(void)st;
	audit_init(&state, storage, 1, fake_clock, NULL, NULL, 0);
	uint64_t seq = 0;
	assert_int_equal(append(AUDIT_CAP, capos_AuditKind_AUDIT_KIND_OTHER, "one", &seq),
			 CAPOS_OK);
	assert_int_equal(seq, 1);
	assert_int_equal(append(AUDIT_CAP, capos_AuditKind_AUDIT_KIND_OTHER, "two", &seq),
			 CAPOS_LIMIT_EXCEEDED);
	capos_AuditReadResult r;
	assert_int_equal(read_log(0, 0, &r), CAPOS_OK);
	assert_int_equal(r.records_count, 1);
	assert_string_equal(r.records[0].action, "one");
	assert_string_equal(r.records[0].source, "badge:17"); /* no table */
	assert_int_equal(r.refused, 1);
	/* no storage: every append refused */
	audit_init(&state, NULL, 5, NULL, NULL, NULL, 0);
	assert_int_equal(append(AUDIT_CAP, capos_AuditKind_AUDIT_KIND_OTHER, "x", &seq),
			 CAPOS_LIMIT_EXCEEDED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_sequence_timestamp_source, setup),
		cmocka_unit_test_setup(test_source_truncated_and_no_clock, setup),
		cmocka_unit_test_setup(test_full_refuses_nothing_lost, setup),
		cmocka_unit_test_setup(test_read_paging, setup),
		cmocka_unit_test_setup(test_crash_record_round_trip, setup),
		cmocka_unit_test_setup(test_bad_records_refused, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_sources_from_params, setup),
		cmocka_unit_test_setup(test_capacity_one, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
