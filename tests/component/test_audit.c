/*
 * Component test: the audit server's real dispatcher (generated) with the
 * real generated client stubs, over the host loopback transport.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <capos/transport.h>
#include <capos/wire.h>
#include <pb_decode.h>

#include "audit.capos.h"
#include "audit_service.h"
#include "bulk_fixture.h"

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
	audit_set_buffers(&state, host_buffer_get, host_buffer_put, NULL);
	bulk_mapped = 0;
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

/* ---- ReadBulk: many records through a SharedBuffer ---- */

static capos_AuditRecord bulk_recs[CAPACITY + 1];

/* One ReadBulk with a cap to buffer `token`; the records it wrote are
 * decoded into bulk_recs[] (and by nanopb, which must agree). */
static capos_status_t read_bulk(uint64_t token, uint64_t cursor, uint32_t max,
				uint32_t max_bytes, capos_AuditBulkResult *res)
{
	capos_AuditBulkRead req = capos_AuditBulkRead_init_zero;
	req.cursor = cursor;
	req.max = max;
	req.max_bytes = max_bytes;
	uint32_t used;
	capos_cap_t buf = bulk_begin(token, &used);
	struct capos_cap_list send = { .count = 1, .move = 0, .cap = { buf } };
	memset(res, 0x5a, sizeof(*res));
	capos_status_t st = auditlog_read_bulk(AUDIT_CAP, &req, &send, res);
	bulk_end(buf, used);
	if (st == CAPOS_OK)
		bulk_decode(token, res->bytes, res->count, capos_AuditReadResult_records_tag,
			    capos_AuditRecord_fields, capos_AuditRecord_wire_decode_buf, bulk_recs,
			    sizeof(bulk_recs[0]), CAPACITY + 1);
	return st;
}

static void same_record(const capos_AuditRecord *a, const capos_AuditRecord *b)
{
	assert_int_equal(a->sequence, b->sequence);
	assert_int_equal(a->kind, b->kind);
	assert_string_equal(a->source, b->source);
	assert_string_equal(a->principal, b->principal);
	assert_string_equal(a->action, b->action);
	assert_string_equal(a->detail, b->detail);
	assert_int_equal(a->outcome, b->outcome);
	assert_int_equal(a->has_timestamp, b->has_timestamp);
	assert_int_equal(a->timestamp.monotonic_ns, b->timestamp.monotonic_ns);
	assert_int_equal(a->timestamp.wall_seconds, b->timestamp.wall_seconds);
	assert_int_equal(a->timestamp.wall_nanoseconds, b->timestamp.wall_nanoseconds);
	assert_int_equal(a->timestamp.provenance, b->timestamp.provenance);
	assert_int_equal(a->has_crash, b->has_crash);
	assert_int_equal(a->crash.pid, b->crash.pid);
	assert_string_equal(a->crash.name, b->crash.name);
	assert_int_equal(a->crash.cause, b->crash.cause);
}

/* The same records, in the same order and with the same fields, as the
 * paged Read returns; cursor and max as Read has them. */
static void test_bulk_in_order(void **st)
{
	(void)st;
	char action[16];
	for (int i = 1; i <= 9; i++) {
		snprintf(action, sizeof(action), "act %d", i);
		uint64_t seq;
		assert_int_equal(append(i % 2 ? AUDIT_CAP : OTHER_CAP,
					capos_AuditKind_AUDIT_KIND_GRANT, action, &seq), CAPOS_OK);
		assert_int_equal(seq, (uint64_t)i);
	}
	capos_AuditBulkResult res;
	assert_int_equal(read_bulk(BUF_BIG, 0, 0, 0, &res), CAPOS_OK);
	assert_int_equal(res.count, 9);
	assert_int_equal(res.next_cursor, 10);
	assert_int_equal(res.last_sequence, 9);
	assert_int_equal(res.refused, 0);
	assert_int_equal(bulk_big[res.bytes], 0xee); /* nothing past the records */
	for (uint32_t i = 0; i < 9; i++) {
		capos_AuditReadResult page;
		assert_int_equal(read_log(i + 1, 1, &page), CAPOS_OK);
		assert_int_equal(page.records_count, 1);
		assert_int_equal(bulk_recs[i].sequence, i + 1);
		same_record(&bulk_recs[i], &page.records[0]);
	}
	assert_string_equal(bulk_recs[0].source, "supervisor");
	assert_string_equal(bulk_recs[1].source, "badge:2748");
	assert_string_equal(bulk_recs[8].action, "act 9");
	assert_int_equal(bulk_recs[8].timestamp.monotonic_ns, 9000);
	/* a cursor and a max */
	assert_int_equal(read_bulk(BUF_BIG, 4, 3, 0, &res), CAPOS_OK);
	assert_int_equal(res.count, 3);
	assert_int_equal(bulk_recs[0].sequence, 4);
	assert_int_equal(bulk_recs[2].sequence, 6);
	assert_int_equal(res.next_cursor, 7);
	/* past the end: nothing, the cursor stays */
	assert_int_equal(read_bulk(BUF_BIG, 10, 0, 0, &res), CAPOS_OK);
	assert_int_equal(res.count, 0);
	assert_int_equal(res.bytes, 0);
	assert_int_equal(res.next_cursor, 10);
	assert_int_equal(res.last_sequence, 9);
}

/* The log full (the audit log's limit: it never wraps): every record
 * kept, in order, the refusals counted; a reader continuing by
 * next_cursor sees every sequence once, with a crash record whole. */
static void test_bulk_full_log(void **st)
{
	(void)st;
	for (int i = 1; i <= CAPACITY; i++) {
		capos_AuditRecord r = capos_AuditRecord_init_zero;
		capos_AuditAppendResult a;
		r.kind = i == 5 ? capos_AuditKind_AUDIT_KIND_CRASH : capos_AuditKind_AUDIT_KIND_OTHER;
		snprintf(r.action, sizeof(r.action), "full %d", i);
		if (i == 5) {
			r.has_crash = true;
			r.crash.pid = 77;
			strcpy(r.crash.name, "victim");
			r.crash.cause = capos_DeathCause_DEATH_CAUSE_FAULT;
		}
		assert_int_equal(auditlog_append(AUDIT_CAP, &r, &a), CAPOS_OK);
	}
	for (int i = 0; i < 3; i++)
		assert_int_equal(append(AUDIT_CAP, capos_AuditKind_AUDIT_KIND_OTHER, "late", NULL),
				 CAPOS_LIMIT_EXCEEDED);
	capos_AuditBulkResult res;
	uint64_t cursor = 0, want = 1;
	unsigned calls = 0;
	do {
		assert_int_equal(read_bulk(BUF_BIG, cursor, 4, 0, &res), CAPOS_OK);
		assert_int_equal(res.last_sequence, CAPACITY);
		assert_int_equal(res.refused, 3);
		for (uint32_t i = 0; i < res.count; i++, want++)
			assert_int_equal(bulk_recs[i].sequence, want);
		cursor = res.next_cursor;
		calls++;
	} while (res.count);
	assert_int_equal(want, CAPACITY + 1);
	assert_int_equal(calls, 4); /* 4, 4, 2, then none */
	assert_int_equal(cursor, CAPACITY + 1);
	assert_int_equal(read_bulk(BUF_BIG, 5, 1, 0, &res), CAPOS_OK);
	assert_true(bulk_recs[0].has_crash);
	assert_int_equal(bulk_recs[0].crash.pid, 77);
	assert_string_equal(bulk_recs[0].crash.name, "victim");
	assert_int_equal(bulk_recs[0].crash.cause, capos_DeathCause_DEATH_CAUSE_FAULT);
	assert_string_equal(bulk_recs[0].action, "full 5");
}

/* A buffer, or max_bytes, too small for the next record: LIMIT_EXCEEDED
 * and nothing read; one that holds some: those, the cursor at the first
 * left out. */
static void test_bulk_small_buffer(void **st)
{
	(void)st;
	for (int i = 1; i <= 3; i++)
		assert_int_equal(append(AUDIT_CAP, capos_AuditKind_AUDIT_KIND_KEY, "same", NULL),
				 CAPOS_OK);
	capos_AuditBulkResult res;
	bulk_small_size = 16;
	assert_int_equal(read_bulk(BUF_SMALL, 0, 0, 0, &res), CAPOS_LIMIT_EXCEEDED);
	assert_int_equal(read_bulk(BUF_BIG, 1, 1, 0, &res), CAPOS_OK);
	const uint32_t one = res.bytes;
	assert_true(one > 16 && 2 * one + 1 < sizeof(bulk_small));
	assert_int_equal(read_bulk(BUF_BIG, 0, 0, one - 1, &res), CAPOS_LIMIT_EXCEEDED);
	bulk_small_size = 2 * one + 1; /* two, and one byte */
	assert_int_equal(read_bulk(BUF_SMALL, 0, 0, 0, &res), CAPOS_OK);
	assert_int_equal(res.count, 2);
	assert_int_equal(res.bytes, 2 * one);
	assert_int_equal(res.next_cursor, 3);
	assert_int_equal(read_bulk(BUF_BIG, 0, 0, 2 * one + 1, &res), CAPOS_OK);
	assert_int_equal(res.count, 2);
	assert_int_equal(res.next_cursor, 3);
	assert_int_equal(bulk_big[2 * one + 1], 0xee); /* max_bytes kept the rest */
	assert_int_equal(read_bulk(BUF_SMALL, res.next_cursor, 0, 0, &res), CAPOS_OK);
	assert_int_equal(res.count, 1);
	assert_int_equal(bulk_recs[0].sequence, 3);
	assert_int_equal(res.next_cursor, 4);
}

/* Without a buffer cap, with a cap that is no buffer, with two caps, a
 * malformed body, or on a server that cannot map buffers: a clear status,
 * nothing written, and the server keeps serving. */
static void test_bulk_refused(void **st)
{
	(void)st;
	assert_int_equal(append(AUDIT_CAP, capos_AuditKind_AUDIT_KIND_OTHER, "x", NULL), CAPOS_OK);
	capos_AuditBulkRead req = capos_AuditBulkRead_init_zero;
	capos_AuditBulkResult res;
	assert_int_equal(auditlog_read_bulk(AUDIT_CAP, &req, NULL, &res), CAPOS_INVALID_ARGUMENT);
	capos_cap_t ep = capos_loopback_mint(AUDIT_CAP, 0x1234); /* an endpoint: token 0 */
	struct capos_cap_list send = { .count = 1, .move = 0, .cap = { ep } };
	assert_int_equal(auditlog_read_bulk(AUDIT_CAP, &req, &send, &res),
			 CAPOS_INVALID_ARGUMENT);
	assert_int_equal(bulk_mapped, 0);
	/* more caps than the method takes: refused before any call */
	capos_cap_t b1 = capos_loopback_new_object(BUF_BIG), b2 = capos_loopback_new_object(BUF_BIG);
	struct capos_cap_list two = { .count = 2, .move = 0, .cap = { b1, b2 } };
	uint64_t before = capos_loopback_delivered(AUDIT_CAP);
	assert_int_equal(auditlog_read_bulk(AUDIT_CAP, &req, &two, &res), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(capos_loopback_delivered(AUDIT_CAP), before);
	/* a body with an invalid wire type */
	uint64_t rl;
	uint32_t rn;
	const uint8_t badwire[] = { 0x0f, 0x01 };
	memcpy(capos_transport_buffer(), badwire, sizeof(badwire));
	struct capos_cap_list one = { .count = 1, .move = 0, .cap = { b1 } };
	assert_int_equal(capos_transport_call(AUDIT_CAP,
					      CAPOS_RPC_LABEL(AUDITLOG_INTERFACE_ID,
							      AUDITLOG_READ_BULK_METHOD_ID),
					      sizeof(badwire), &one, &rl, &rn, NULL), CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	/* still serving: the record comes back in bulk */
	assert_int_equal(read_bulk(BUF_BIG, 0, 0, 0, &res), CAPOS_OK);
	assert_int_equal(res.count, 1);
	assert_string_equal(bulk_recs[0].action, "x");
	assert_int_equal(append(AUDIT_CAP, capos_AuditKind_AUDIT_KIND_OTHER, "y", NULL), CAPOS_OK);
	/* a server that cannot map a caller's buffer (no `self`) */
	audit_set_buffers(&state, NULL, NULL, NULL);
	assert_int_equal(auditlog_read_bulk(AUDIT_CAP, &req, &one, &res), CAPOS_UNSUPPORTED);
	capos_AuditReadResult r;
	assert_int_equal(read_log(0, 0, &r), CAPOS_OK); /* Read is as it was */
	assert_int_equal(r.records_count, 2);
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
		cmocka_unit_test_setup(test_bulk_in_order, setup),
		cmocka_unit_test_setup(test_bulk_full_log, setup),
		cmocka_unit_test_setup(test_bulk_small_buffer, setup),
		cmocka_unit_test_setup(test_bulk_refused, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
