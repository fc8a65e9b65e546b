/*
 * bench_auditbulk - AuditLog.ReadBulk against the real audit server, as a
 * manifest component (manifests/bench-auditbulk.textproto). Both test and
 * benchmark: tests/qemu/audit_bulk.expect checks the "(check: ...)" lines,
 * the bench target (bench/CMakeLists.txt) takes the figures.
 *
 * It uses only its grants: `audit` (SEND and GRANT: it passes its buffer),
 * `self` (the narrowed KERNEL_RESOURCE_SELF, which may create and map a
 * SharedBuffer of its own) and `console` (COM1) for its lines; the audit
 * server maps the buffer with its own narrowed `self`.
 *
 * The log holds 40 records (the manifest's capacity). It appends 40
 * ("audit NNN", sequences 1..40) and 2 more that are refused (the log is
 * full: the audit log never overwrites); then checks ReadBulk into a
 * 16-page SharedBuffer of its own: everything from cursor 0 (40 records
 * in order, refused 2), a cursor with max 32, a cursor past the end (the
 * cursor stays), max_bytes too small for one record (LIMIT_EXCEEDED),
 * max_bytes holding two records and a byte (two, the cursor at the
 * third), no cap (INVALID_ARGUMENT), and the same 32 records as the paged
 * Read returns, field by field. Then it times, after a warm-up, reading
 * 32 records by paging (AuditLog.Read, 4 per reply) and by one ReadBulk
 * (records decoded from the buffer included), in guest instructions
 * (-icount shift=0).
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/startup.h>
#include <capos/wire.h>

#include "audit.capos.h"
#include "bench_time.h"

#define CAPACITY 40u
#define BULK_VA 0x0000500000000000ull
#define BULK_PAGES 16u
#define WARMUP 20u
#define ROUNDS 100u

int main(uint64_t arg);

static capos_cap_t audit_ep;
static uint32_t sb;
static capos_AuditRecord bulk[CAPACITY];
static capos_AuditReadResult page;
static capos_AuditBulkResult res;

/* One ReadBulk; the records decoded into bulk[]. The status, or
 * PROTOCOL_ERROR when the buffer does not hold what the reply says. */
static capos_status_t read_bulk(uint64_t cursor, uint32_t max, uint32_t max_bytes, int cap)
{
	capos_AuditBulkRead req = capos_AuditBulkRead_init_zero;
	req.cursor = cursor;
	req.max = max;
	req.max_bytes = max_bytes;
	struct capos_cap_list send = { .count = 1, .move = 0, .cap = { sb } };
	capos_status_t st = auditlog_read_bulk(audit_ep, &req, cap ? &send : NULL, &res);
	if (st != CAPOS_OK)
		return st;
	if (res.count > CAPACITY || res.bytes > BULK_PAGES * CAPOS_PAGE_SIZE)
		return CAPOS_PROTOCOL_ERROR;
	const uint8_t *base = (const uint8_t *)(uintptr_t)BULK_VA;
	struct capos_wire_in r = { base, base + res.bytes }, sub;
	for (uint32_t i = 0; i < res.count; i++) {
		memset(&bulk[i], 0, sizeof(bulk[i]));
		if (!capos_wire_get_field(&r, capos_AuditReadResult_records_tag, &sub) ||
		    !capos_AuditRecord_wire_decode(&sub, &bulk[i]))
			return CAPOS_PROTOCOL_ERROR;
	}
	return r.p == r.end ? CAPOS_OK : CAPOS_PROTOCOL_ERROR;
}

/* 1 if bulk[0..n) are sequences first.. in order with their own actions. */
static int in_order(uint64_t first, uint32_t n)
{
	char want[32];
	for (uint32_t i = 0; i < n; i++) {
		capos_snprintf(want, sizeof(want), "audit %03u", (unsigned)(first + i));
		if (bulk[i].sequence != first + i || strcmp(bulk[i].action, want) != 0 ||
		    bulk[i].kind != capos_AuditKind_AUDIT_KIND_OTHER)
			return 0;
	}
	return 1;
}

static void report(const char *what, capos_status_t st)
{
	int ok = st == CAPOS_OK, any = ok && res.count;
	capos_printf("bench-auditbulk: (check: %s -> status %ld, %u records, first %lu, last %lu, next_cursor %lu, last_sequence %lu, refused %lu, in order %d)\n",
		     what, (long)st, ok ? (unsigned)res.count : 0u,
		     any ? (unsigned long)bulk[0].sequence : 0ul,
		     any ? (unsigned long)bulk[res.count - 1].sequence : 0ul,
		     ok ? (unsigned long)res.next_cursor : 0ul,
		     ok ? (unsigned long)res.last_sequence : 0ul,
		     ok ? (unsigned long)res.refused : 0ul,
		     any ? in_order(bulk[0].sequence, res.count) : 0);
}

/* The 32 records from 5 by paged Read, compared field by field with
 * bulk[] (read from 5 by one ReadBulk). */
static int same_as_paged(void)
{
	capos_AuditFilter f = capos_AuditFilter_init_zero;
	f.cursor = 5;
	for (uint32_t got = 0; got < 32;) {
		f.max = 32 - got;
		if (auditlog_read(audit_ep, &f, &page) != CAPOS_OK || page.records_count == 0)
			return 0;
		for (pb_size_t i = 0; i < page.records_count; i++, got++) {
			const capos_AuditRecord *a = &bulk[got], *b = &page.records[i];
			if (a->sequence != b->sequence || a->kind != b->kind ||
			    strcmp(a->source, b->source) != 0 || strcmp(a->action, b->action) != 0 ||
			    strcmp(a->principal, b->principal) != 0 ||
			    strcmp(a->detail, b->detail) != 0 || a->outcome != b->outcome ||
			    a->has_timestamp != b->has_timestamp ||
			    a->timestamp.monotonic_ns != b->timestamp.monotonic_ns)
				return 0;
		}
		f.cursor = page.next_cursor;
	}
	return 1;
}

/* The timed steps: 32 records from 5, by Read pages following
 * next_cursor (counted in reads) and by one ReadBulk. */
static uint32_t reads;

static int paged_32(void *ctx)
{
	(void)ctx;
	capos_AuditFilter f = capos_AuditFilter_init_zero;
	f.cursor = 5;
	reads = 0;
	for (uint32_t got = 0; got < 32; reads++) {
		f.max = 32 - got;
		if (auditlog_read(audit_ep, &f, &page) != CAPOS_OK || page.records_count == 0)
			return 1;
		got += (uint32_t)page.records_count;
		f.cursor = page.next_cursor;
	}
	return 0;
}

static int bulk_32(void *ctx)
{
	(void)ctx;
	return read_bulk(5, 32, 0, 1) != CAPOS_OK || res.count != 32;
}

int main(uint64_t arg)
{
	(void)arg;
	capos_cap_t port = capos_cap_lookup("console");
	if (port != CAPOS_NO_CAP)
		capos_debug_port = port;
	audit_ep = capos_cap_lookup("audit");
	capos_cap_t self = capos_cap_lookup("self");
	if (audit_ep == CAPOS_NO_CAP ||
	    capos_shared_buffer_create(self, BULK_PAGES, &sb) != CAPOS_OK ||
	    capos_map_shared(self, BULK_VA, sb, 0, BULK_PAGES,
			     CAPOS_PROT_READ | CAPOS_PROT_WRITE) != CAPOS_OK) {
		capos_printf("bench-auditbulk: set-up through the manifest's grants failed\n");
		return 1;
	}
	capos_AuditRecord rec = capos_AuditRecord_init_zero;
	capos_AuditAppendResult a;
	rec.kind = capos_AuditKind_AUDIT_KIND_OTHER;
	capos_snprintf(rec.principal, sizeof(rec.principal), "bench");
	capos_snprintf(rec.detail, sizeof(rec.detail), "a record for the bulk read");
	for (uint32_t i = 1; i <= CAPACITY + 2; i++) {
		capos_snprintf(rec.action, sizeof(rec.action), "audit %03u", (unsigned)i);
		capos_status_t st = auditlog_append(audit_ep, &rec, &a);
		if (i <= CAPACITY ? st != CAPOS_OK || a.sequence != i : st != CAPOS_LIMIT_EXCEEDED) {
			capos_printf("bench-auditbulk: append %u answered %ld\n", (unsigned)i,
				     (long)st);
			return 2;
		}
	}

	report("all from cursor 0", read_bulk(0, 0, 0, 1));
	report("cursor 5 max 32", read_bulk(5, 32, 0, 1));
	report("cursor 41, past the end", read_bulk(41, 0, 0, 1));
	report("max_bytes 16", read_bulk(1, 0, 16, 1));
	capos_status_t st = read_bulk(1, 1, 0, 1);
	uint32_t one = st == CAPOS_OK ? res.bytes : 0;
	capos_printf("bench-auditbulk: (check: one record takes %u bytes)\n", (unsigned)one);
	report("max_bytes two records and a byte", read_bulk(1, 0, 2 * one + 1, 1));
	report("no buffer cap", read_bulk(1, 0, 0, 0));
	int same = read_bulk(5, 32, 0, 1) == CAPOS_OK && res.count == 32 && same_as_paged();
	capos_printf("bench-auditbulk: (check: 32 records from 5 equal to the paged Read's: %d)\n",
		     same);

	/* Timings: 32 records from 5, paged (4 a reply) and in one call. */
	uint64_t paged, bulk_cost;
	if (bench_mean(paged_32, NULL, WARMUP, ROUNDS, &paged) ||
	    bench_mean(bulk_32, NULL, WARMUP, ROUNDS, &bulk_cost)) {
		capos_printf("bench-auditbulk: a timed read failed\n");
		return 3;
	}
	capos_printf("bench-auditbulk: paged AuditLog.Read of 32 records (%u Reads by next_cursor): %lu guest instructions (mean of %u)\n",
		     (unsigned)reads, (unsigned long)paged, (unsigned)ROUNDS);
	capos_printf("bench-auditbulk: AuditLog.Read of 32 records (1 ReadBulk into a SharedBuffer, records decoded): %lu guest instructions (mean of %u)\n",
		     (unsigned long)bulk_cost, (unsigned)ROUNDS);
	capos_printf("bench-auditbulk: done\n");
	return 0;
}
