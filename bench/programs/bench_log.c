/*
 * bench_log - the log server's cost, in guest instructions (QEMU -icount
 * shift=0: one TSC tick per guest instruction), measured by a client of
 * the real system (manifests/bench-log.textproto: console, logd, this).
 *
 * Through the generated stubs on its `log` (LogSink, badged) and `logs`
 * (LogReader) caps it times, after a warm-up:
 *   - LogSink.Write of an accepted INFO record with a 60-character text:
 *     the whole path, logd's ring insert and its forward to the console
 *     server (which writes the line to COM1) included; mean of WRITES;
 *   - LogSink.Write of a DEBUG record, below the manifest's INFO floor:
 *     dropped and counted at the sink, nothing forwarded; mean of WRITES;
 *   - LogReader.Read of full pages (as many records as one reply holds,
 *     capos_LogReadResult.records' bound) and reading 32 records by
 *     next_cursor paging; means of READ_ROUNDS.
 * Each figure is printed on a "bench-log:" line; nothing is judged.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/startup.h>
#include <pb_encode.h>

#include "log.capos.h"

#define WARMUP 50u
#define WRITES 1000u
#define READ_ROUNDS 100u
#define READ_RECORDS 32u

int main(uint64_t arg);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static capos_LogReadResult res; /* a full page: off the stack */

/* Mean cost of `rounds` Writes of `rec` after WARMUP untimed ones; 0 and
 * a message when a Write fails or is not answered as expected. */
static uint64_t time_writes(capos_cap_t log, const capos_LogRecord *rec, uint32_t rounds,
			    bool accepted)
{
	capos_LogWriteResult w;
	uint64_t t0 = 0;
	for (uint32_t i = 0; i < WARMUP + rounds; i++) {
		if (i == WARMUP)
			t0 = rdtsc();
		if (logsink_write(log, rec, &w) != CAPOS_OK || w.accepted != accepted) {
			capos_printf("bench-log: write %u failed\n", (unsigned)i);
			return 0;
		}
	}
	return (rdtsc() - t0) / rounds;
}

int main(uint64_t arg)
{
	(void)arg;
	capos_cap_t log = capos_cap_lookup("log"), logs = capos_cap_lookup("logs");
	if (log == CAPOS_NO_CAP || logs == CAPOS_NO_CAP) {
		capos_printf("bench-log: missing caps (log %u, logs %u)\n", (unsigned)log,
			     (unsigned)logs);
		return 1;
	}

	capos_LogRecord rec = capos_LogRecord_init_zero;
	rec.level = capos_LogLevel_LOG_LEVEL_INFO;
	strcpy(rec.text, "bench text: a log line of sixty characters, give or take..");
	size_t encoded = 0;
	pb_get_encoded_size(&encoded, capos_LogRecord_fields, &rec);

	uint64_t accepted = time_writes(log, &rec, WRITES, true);
	rec.level = capos_LogLevel_LOG_LEVEL_DEBUG;
	uint64_t dropped = time_writes(log, &rec, WRITES, false);
	if (!accepted || !dropped)
		return 2;

	/* The ring now holds the newest accepted records (at least 32 of
	 * them, with the manifest's ring size); read from its oldest. */
	capos_LogFilter f = capos_LogFilter_init_zero;
	if (logreader_read(logs, &f, &res) != CAPOS_OK || res.records_count == 0) {
		capos_printf("bench-log: first read failed\n");
		return 3;
	}
	const uint64_t first = res.records[0].sequence;
	const uint32_t page = (uint32_t)res.records_count;

	/* One full page per Read, always the same page. */
	uint64_t t0 = 0;
	for (uint32_t i = 0; i < WARMUP + READ_ROUNDS; i++) {
		if (i == WARMUP)
			t0 = rdtsc();
		f.cursor = first;
		if (logreader_read(logs, &f, &res) != CAPOS_OK || res.records_count != page) {
			capos_printf("bench-log: read %u failed\n", (unsigned)i);
			return 3;
		}
	}
	uint64_t per_read = (rdtsc() - t0) / READ_ROUNDS;

	/* The fixed part: a Read past the newest record returns none. */
	for (uint32_t i = 0; i < WARMUP + READ_ROUNDS; i++) {
		if (i == WARMUP)
			t0 = rdtsc();
		f.cursor = UINT64_MAX;
		if (logreader_read(logs, &f, &res) != CAPOS_OK || res.records_count != 0) {
			capos_printf("bench-log: empty read %u failed\n", (unsigned)i);
			return 3;
		}
	}
	uint64_t per_empty = (rdtsc() - t0) / READ_ROUNDS;

	/* 32 records by paging: as many Reads as the reply bound needs. */
	uint32_t reads = 0;
	for (uint32_t i = 0; i < WARMUP + READ_ROUNDS; i++) {
		if (i == WARMUP)
			t0 = rdtsc();
		uint32_t got = 0, n = 0;
		f.cursor = first;
		while (got < READ_RECORDS) {
			f.max = READ_RECORDS - got;
			if (logreader_read(logs, &f, &res) != CAPOS_OK || res.records_count == 0) {
				capos_printf("bench-log: paged read %u failed\n", (unsigned)i);
				return 3;
			}
			got += (uint32_t)res.records_count;
			f.cursor = res.next_cursor;
			n++;
		}
		reads = n;
	}
	uint64_t per_32 = (rdtsc() - t0) / READ_ROUNDS;
	f.max = 0;

	capos_printf("bench-log: LogSink.Write accepted (ring + forward to the console), %u-byte LogRecord: %lu guest instructions per call (mean of %u)\n",
		     (unsigned)encoded, (unsigned long)accepted, (unsigned)WRITES);
	capos_printf("bench-log: LogSink.Write below the level floor (dropped at the sink): %lu guest instructions per call (mean of %u)\n",
		     (unsigned long)dropped, (unsigned)WRITES);
	capos_printf("bench-log: LogReader.Read of a full page (%u records, the reply's bound): %lu guest instructions per call (mean of %u)\n",
		     (unsigned)page, (unsigned long)per_read, (unsigned)READ_ROUNDS);
	capos_printf("bench-log: LogReader.Read returning no records (cursor past the newest): %lu guest instructions per call (mean of %u)\n",
		     (unsigned long)per_empty, (unsigned)READ_ROUNDS);
	capos_printf("bench-log: LogReader.Read of %u records (%u Reads by next_cursor): %lu guest instructions (mean of %u)\n",
		     (unsigned)READ_RECORDS, (unsigned)reads, (unsigned long)per_32,
		     (unsigned)READ_ROUNDS);
	capos_printf("bench-log: done\n");
	return 0;
}
