/*
 * bench_logbulk - LogReader.ReadBulk against the real logd, as the root
 * program (image bench-logbulk: this and logd). Both test and benchmark:
 * tests/qemu/log_bulk.expect checks the "(check: ...)" lines, the bench
 * target (bench/CMakeLists.txt) takes the figures.
 *
 * Two ways to run: as the root program (image bench-logbulk) it spawns
 * logd (ring of 256, INFO floor) with its endpoints, thread, capmgr, wake
 * notification and self, and makes its buffer with its own whole Process
 * cap; as a manifest component (manifests/test-logbulk.textproto, test
 * tests/qemu/log_bulk_manifest.expect) it uses only its grants: `sink`,
 * `reader`, `self` (the narrowed KERNEL_RESOURCE_SELF, READ|WRITE, which
 * may create and map a SharedBuffer of its own: kern/object/process.c),
 * and `console` (COM1) for its lines; the manifest's logd maps the buffer
 * with its own narrowed `self`. The checks and figures are the same.
 *
 * It writes 300 INFO records ("bulk
 * NNN", sequences 1..300, so the ring holds 45..300) and 2 DEBUG ones
 * (below the floor); then checks ReadBulk into a 16-page SharedBuffer of
 * its own: everything from cursor 0 (256 records in order, dropped 44),
 * a cursor inside the ring with max 32, a cursor before the ring (dropped
 * counted from it), max_bytes too small for one record (LIMIT_EXCEEDED),
 * max_bytes holding two records and a byte (two, the cursor at the
 * third), a one-page buffer (as many as fit, the cursor at the first left
 * out, which would not have fit), no cap (INVALID_ARGUMENT), and the same
 * 32 records as the paged
 * Read returns, field by field. Then it times, after a warm-up, reading 32
 * records by paging (LogReader.Read, 5 per reply) and by one ReadBulk
 * (records decoded from the buffer included), and 128 records by one
 * ReadBulk, in guest instructions (-icount shift=0).
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/spawn.h>
#include <capos/startup.h>
#include <capos/syscall.h>
#include <capos/wire.h>

#include "bench_time.h"
#include "log.capos.h"

#define RECORDS 300u
#define RING 256u
#define BULK_VA 0x0000500000000000ull
#define BULK_PAGES 16u
#define SMALL_VA 0x0000500001000000ull /* a one-page buffer */
#define WARMUP 20u
#define ROUNDS 100u

int main(uint64_t arg);

static capos_cap_t sink_ep, reader_ep;
static uint32_t sb, small_sb;
static capos_LogRecord bulk[RING];
static capos_LogReadResult page;
static capos_LogBulkResult res;

/* One ReadBulk; the records decoded into bulk[]. The status, or
 * PROTOCOL_ERROR when the buffer does not hold what the reply says. */
static capos_status_t read_into(uint32_t buf, uint64_t va, uint64_t cursor, uint32_t max,
				uint32_t max_bytes, int cap)
{
	capos_LogBulkRead req = capos_LogBulkRead_init_zero;
	req.has_filter = true;
	req.filter.cursor = cursor;
	req.filter.max = max;
	req.max_bytes = max_bytes;
	struct capos_cap_list send = { .count = 1, .move = 0, .cap = { buf } };
	capos_status_t st = logreader_read_bulk(reader_ep, &req, cap ? &send : NULL, &res);
	if (st != CAPOS_OK)
		return st;
	if (res.count > RING)
		return CAPOS_PROTOCOL_ERROR;
	const uint8_t *base = (const uint8_t *)(uintptr_t)va;
	struct capos_wire_in r = { base, base + res.bytes }, sub;
	for (uint32_t i = 0; i < res.count; i++) {
		memset(&bulk[i], 0, sizeof(bulk[i]));
		if (!capos_wire_get_field(&r, capos_LogReadResult_records_tag, &sub) ||
		    !capos_LogRecord_wire_decode(&sub, &bulk[i]))
			return CAPOS_PROTOCOL_ERROR;
	}
	return r.p == r.end ? CAPOS_OK : CAPOS_PROTOCOL_ERROR;
}

static capos_status_t read_bulk(uint64_t cursor, uint32_t max, uint32_t max_bytes, int cap)
{
	return read_into(sb, BULK_VA, cursor, max, max_bytes, cap);
}

/* 1 if bulk[0..n) are sequences first.. in order with their own texts. */
static int in_order(uint64_t first, uint32_t n)
{
	char want[32];
	for (uint32_t i = 0; i < n; i++) {
		capos_snprintf(want, sizeof(want), "bulk %03u", (unsigned)(first + i));
		if (bulk[i].sequence != first + i || strcmp(bulk[i].text, want) != 0 ||
		    bulk[i].level != capos_LogLevel_LOG_LEVEL_INFO)
			return 0;
	}
	return 1;
}

static void report(const char *what, capos_status_t st)
{
	capos_printf("bench-logbulk: (check: %s -> status %ld, %u records, first %lu, last %lu, next_cursor %lu, dropped %lu, below_floor %lu, in order %d)\n",
		     what, (long)st, st == CAPOS_OK ? (unsigned)res.count : 0u,
		     st == CAPOS_OK && res.count ? (unsigned long)bulk[0].sequence : 0ul,
		     st == CAPOS_OK && res.count ? (unsigned long)bulk[res.count - 1].sequence : 0ul,
		     st == CAPOS_OK ? (unsigned long)res.next_cursor : 0ul,
		     st == CAPOS_OK ? (unsigned long)res.dropped : 0ul,
		     st == CAPOS_OK ? (unsigned long)res.below_floor : 0ul,
		     st == CAPOS_OK && res.count ? in_order(bulk[0].sequence, res.count) : 0);
}

static int spawn_logd(struct capos_spawned *d)
{
	uint32_t wake;
	if (capos_endpoint_create(CAPOS_ROOT_PROCESS, LOGSINK_INTERFACE_ID, &sink_ep) ||
	    capos_endpoint_create(CAPOS_ROOT_PROCESS, LOGREADER_INTERFACE_ID, &reader_ep) ||
	    capos_notification_create(CAPOS_ROOT_PROCESS, &wake))
		return 0;
	const struct capos_spawn_cap caps[] = {
		{ "sink", sink_ep, 8, CAPOS_RIGHTS_ALL, 0, 0, 0 },
		{ "reader", reader_ep, 9, CAPOS_RIGHTS_ALL, 0, 0, 0 },
		{ "thread", CAPOS_SPAWN_CHILD_THREAD, 10, CAPOS_RIGHTS_ALL, 0, 0, 0 },
		{ "capmgr", CAPOS_SPAWN_CHILD_CAPMGR, 11, CAPOS_RIGHTS_ALL, 0, 0, 0 },
		{ "wake", wake, 12, CAPOS_RIGHTS_ALL, 0, 0, 0 },
		{ "self", CAPOS_SPAWN_CHILD_PROCESS, 13, CAPOS_RIGHTS_ALL, 0, 0, 0 },
	};
	const struct capos_spawn_param params[] = {
		{ "log_ring_records", "256" },
		{ "log_level", "2" },
	};
	struct capos_limits lim = { 32, 2, 256, 4 };
	return capos_spawn_params("logd", "logd", &lim, 200, 0, caps,
				  sizeof(caps) / sizeof(caps[0]), params,
				  sizeof(params) / sizeof(params[0]), d) == CAPOS_OK &&
	       capos_thread_start(d->thread) == CAPOS_OK;
}

/* The reader's two buffers, made and mapped with `proc`. */
static int make_buffers(capos_cap_t proc)
{
	return capos_shared_buffer_create(proc, BULK_PAGES, &sb) == CAPOS_OK &&
	       capos_map_shared(proc, BULK_VA, sb, 0, BULK_PAGES,
				CAPOS_PROT_READ | CAPOS_PROT_WRITE) == CAPOS_OK &&
	       capos_shared_buffer_create(proc, 1, &small_sb) == CAPOS_OK &&
	       capos_map_shared(proc, SMALL_VA, small_sb, 0, 1,
				CAPOS_PROT_READ | CAPOS_PROT_WRITE) == CAPOS_OK;
}

/* A one-page buffer from cursor 0: as many records as fit, in order from
 * the oldest in the ring, the cursor at the first left out; that one
 * would not have fit in what was left. */
static void one_page_buffer(void)
{
	capos_status_t st = read_into(small_sb, SMALL_VA, 0, 0, 0, 1);
	uint32_t n = st == CAPOS_OK ? res.count : 0, used = st == CAPOS_OK ? res.bytes : 0;
	uint64_t next = st == CAPOS_OK ? res.next_cursor : 0;
	int order = n && in_order(bulk[0].sequence, n), first45 = n && bulk[0].sequence == 45;
	int at_next = n && next == 45 + n;
	/* the next record's size: read alone into the big buffer */
	int no_room = at_next && read_bulk(next, 1, 0, 1) == CAPOS_OK && res.count == 1 &&
		      used + res.bytes > CAPOS_PAGE_SIZE;
	capos_printf("bench-logbulk: (check: one-page buffer from cursor 0 -> status %ld, more than 100 and fewer than 256 %d, first 45 %d, in order %d, next_cursor at the first left out %d, which would not fit %d)\n",
		     (long)st, n > 100 && n < RING, first45, order, at_next, no_room);
}

/* The timed steps: 32 records from 100 by Read pages following
 * next_cursor (counted in reads), and *n records from 100 by one
 * ReadBulk. */
static uint32_t reads;

static int paged_32(void *ctx)
{
	(void)ctx;
	capos_LogFilter f = capos_LogFilter_init_zero;
	f.cursor = 100;
	reads = 0;
	for (uint32_t got = 0; got < 32; reads++) {
		f.max = 32 - got;
		if (logreader_read(reader_ep, &f, &page) != CAPOS_OK || page.records_count == 0)
			return 1;
		got += (uint32_t)page.records_count;
		f.cursor = page.next_cursor;
	}
	return 0;
}

static int bulk_n(void *ctx)
{
	const uint32_t n = *(const uint32_t *)ctx;
	return read_bulk(100, n, 0, 1) != CAPOS_OK || res.count != n;
}

int main(uint64_t arg)
{
	(void)arg;
	struct capos_spawned d;
	d.process = CAPOS_NO_CAP;
	/* A manifest component: its grants only. The root program: logd
	 * spawned with its own caps. */
	reader_ep = capos_cap_lookup("reader");
	if (reader_ep != CAPOS_NO_CAP) {
		capos_cap_t port = capos_cap_lookup("console");
		if (port != CAPOS_NO_CAP)
			capos_debug_port = port;
		sink_ep = capos_cap_lookup("sink");
		if (sink_ep == CAPOS_NO_CAP || !make_buffers(capos_cap_lookup("self"))) {
			capos_printf("bench-logbulk: set-up through the manifest's grants failed\n");
			return 1;
		}
	} else if (!spawn_logd(&d) || !make_buffers(CAPOS_ROOT_PROCESS)) {
		capos_printf("bench-logbulk: set-up failed\n");
		return 1;
	}
	capos_LogRecord rec = capos_LogRecord_init_zero;
	capos_LogWriteResult w;
	for (uint32_t i = 1; i <= RECORDS + 2; i++) {
		rec.level = i <= RECORDS ? capos_LogLevel_LOG_LEVEL_INFO
					 : capos_LogLevel_LOG_LEVEL_DEBUG;
		capos_snprintf(rec.text, sizeof(rec.text), "bulk %03u", (unsigned)i);
		if (logsink_write(sink_ep, &rec, &w) != CAPOS_OK ||
		    w.accepted != (i <= RECORDS)) {
			capos_printf("bench-logbulk: write %u failed\n", (unsigned)i);
			return 2;
		}
	}

	report("all from cursor 0", read_bulk(0, 0, 0, 1));
	report("cursor 100 max 32", read_bulk(100, 32, 0, 1));
	report("cursor 10 max 5", read_bulk(10, 5, 0, 1));
	report("max_bytes 16", read_bulk(45, 0, 16, 1));
	capos_status_t st = read_bulk(45, 1, 0, 1);
	uint32_t one = st == CAPOS_OK ? res.bytes : 0;
	capos_printf("bench-logbulk: (check: one record takes %u bytes)\n", (unsigned)one);
	report("max_bytes two records and a byte", read_bulk(45, 0, 2 * one + 1, 1));
	report("no buffer cap", read_bulk(45, 0, 0, 0));
	one_page_buffer();

	/* The same 32 records as the paged Read, field by field. */
	int same = read_bulk(200, 32, 0, 1) == CAPOS_OK && res.count == 32;
	capos_LogFilter f = capos_LogFilter_init_zero;
	f.cursor = 200;
	for (uint32_t got = 0; same && got < 32;) {
		f.max = 32 - got;
		if (logreader_read(reader_ep, &f, &page) != CAPOS_OK || page.records_count == 0) {
			same = 0;
			break;
		}
		for (pb_size_t i = 0; i < page.records_count; i++, got++) {
			const capos_LogRecord *a = &bulk[got], *b = &page.records[i];
			same &= a->sequence == b->sequence && a->level == b->level &&
				strcmp(a->source, b->source) == 0 && strcmp(a->text, b->text) == 0 &&
				a->has_timestamp == b->has_timestamp &&
				a->timestamp.monotonic_ns == b->timestamp.monotonic_ns;
		}
		f.cursor = page.next_cursor;
	}
	capos_printf("bench-logbulk: (check: 32 records from 200 equal to the paged Read's: %d)\n",
		     same);

	/* Timings. */
	uint64_t paged, cost[2];
	if (bench_mean(paged_32, NULL, WARMUP, ROUNDS, &paged)) {
		capos_printf("bench-logbulk: paged read failed\n");
		return 3;
	}
	static const uint32_t n[2] = { 32, 128 };
	for (int j = 0; j < 2; j++) {
		if (bench_mean(bulk_n, (void *)&n[j], WARMUP, ROUNDS, &cost[j])) {
			capos_printf("bench-logbulk: bulk read of %u failed\n", (unsigned)n[j]);
			return 3;
		}
	}
	capos_printf("bench-logbulk: paged LogReader.Read of 32 records (%u Reads by next_cursor): %lu guest instructions (mean of %u)\n",
		     (unsigned)reads, (unsigned long)paged, (unsigned)ROUNDS);
	capos_printf("bench-logbulk: LogReader.Read of 32 records (1 ReadBulk into a SharedBuffer, records decoded): %lu guest instructions (mean of %u)\n",
		     (unsigned long)cost[0], (unsigned)ROUNDS);
	capos_printf("bench-logbulk: LogReader.ReadBulk of 128 records (1 call, records decoded): %lu guest instructions (mean of %u)\n",
		     (unsigned long)cost[1], (unsigned)ROUNDS);
	capos_printf("bench-logbulk: done\n");
	if (d.process != CAPOS_NO_CAP)
		capos_process_kill(d.process);
	return 0;
}
