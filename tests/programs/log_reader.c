/*
 * log_reader - the reading half of the system-monitoring-log demo
 * (manifests/system-monitoring-log.textproto, tests/qemu/monitoring_log.expect).
 *
 * Holds the LogReader cap `logs` and a SEND cap `sync` to the producer's
 * endpoint. A Call on `sync` returns once the producer has finished a
 * phase (log_producer.c), so the reads below see a log nobody is writing:
 *
 *   phase 1 (one record per level written): every record (min_level
 *     TRACE) page by page with next_cursor (3 per page, until a page is
 *     empty), then min_level ERROR, then the source filter with this
 *     component's own name and with "producer";
 *   phase 2 (the ring wrapped): every record from cursor 0 (the oldest
 *     held) page by page, with the `dropped` count of each page, then a
 *     read from the cursor phase 1 ended at.
 *
 * It prints what the server returned (status, counts, cursors, dropped and
 * each record's sequence, level, source and text); judging it is the
 * expectations file's job.
 */
#include <capos/debug.h>
#include <capos/rpc.h>
#include <capos/startup.h>
#include <capos/syscall.h>

#include "log.capos.h"

#define SYNC_INTERFACE 0xF100u /* the producer's `sync` serve */
#define MAX_PAGES 16           /* a bound, should the cursor not move */

int main(uint64_t arg);

static capos_LogReadResult res; /* 5 records of up to 300 bytes: off the stack */

/* One Read; prints the result line and each record. Returns the status. */
static capos_status_t read_page(capos_cap_t logs, const char *what, capos_LogLevel min,
				const char *source, uint64_t cursor, uint32_t max)
{
	capos_LogFilter f = capos_LogFilter_init_zero;
	f.min_level = min;
	capos_snprintf(f.source, sizeof(f.source), "%s", source);
	f.cursor = cursor;
	f.max = max;
	capos_status_t st = logreader_read(logs, &f, &res);
	capos_printf("log_reader: %s cursor %lu max %u -> status %ld, %u records, next_cursor %lu, dropped %lu\n",
		     what, (unsigned long)cursor, (unsigned)max, (long)st,
		     st == CAPOS_OK ? (unsigned)res.records_count : 0u,
		     (unsigned long)res.next_cursor, (unsigned long)res.dropped);
	if (st != CAPOS_OK)
		return st;
	for (pb_size_t i = 0; i < res.records_count; i++) {
		const capos_LogRecord *r = &res.records[i];
		capos_printf("log_reader:   sequence %lu level %d source '%s' text '%s'\n",
			     (unsigned long)r->sequence, (int)r->level, r->source, r->text);
	}
	return st;
}

/* Reads page after page from `cursor` until an empty page; returns the
 * cursor after the last record (the last next_cursor). */
static uint64_t read_all(capos_cap_t logs, const char *what, uint64_t cursor, uint32_t max)
{
	for (int page = 0; page < MAX_PAGES; page++) {
		if (read_page(logs, what, capos_LogLevel_LOG_LEVEL_TRACE, "", cursor, max) !=
		    CAPOS_OK)
			return cursor;
		cursor = res.next_cursor;
		if (res.records_count == 0)
			break;
	}
	return cursor;
}

/* Waits until the producer has finished the next phase. */
static capos_status_t sync_call(capos_cap_t sync, uint32_t phase)
{
	struct capos_ipc_buffer *b = capos_ipc();
	b->label = CAPOS_RPC_LABEL(SYNC_INTERFACE, phase);
	b->len = 0;
	b->ncaps = 0;
	capos_status_t st = capos_call(sync);
	capos_printf("log_reader: sync %u -> status %ld, reply %ld\n", (unsigned)phase, (long)st,
		     st == CAPOS_OK ? (long)b->label : -1L);
	return st == CAPOS_OK ? (capos_status_t)b->label : st;
}

int main(uint64_t arg)
{
	(void)arg;
	capos_cap_t logs = capos_cap_lookup("logs");
	capos_cap_t sync = capos_cap_lookup("sync");
	if (logs == CAPOS_NO_CAP || sync == CAPOS_NO_CAP) {
		capos_printf("log_reader: missing cap (logs %u, sync %u)\n", (unsigned)logs,
			     (unsigned)sync);
		return 1;
	}

	if (sync_call(sync, 1) != CAPOS_OK)
		return 2;
	uint64_t after_phase1 = read_all(logs, "all", 0, 3);
	read_page(logs, "min_level ERROR", capos_LogLevel_LOG_LEVEL_ERROR, "", 0, 0);
	read_page(logs, "source 'reader'", capos_LogLevel_LOG_LEVEL_TRACE, "reader", 0, 0);
	read_page(logs, "source 'producer'", capos_LogLevel_LOG_LEVEL_TRACE, "producer", 0, 0);
	capos_printf("log_reader: below the floor so far: %lu\n", (unsigned long)res.below_floor);

	if (sync_call(sync, 2) != CAPOS_OK)
		return 2;
	read_all(logs, "wrapped", 0, 0);
	read_page(logs, "since phase 1", capos_LogLevel_LOG_LEVEL_TRACE, "", after_phase1, 1);
	capos_printf("log_reader: below the floor so far: %lu\n", (unsigned long)res.below_floor);
	return 0;
}
