/*
 * Component test: the log server's real dispatchers (generated) with the
 * real generated client stubs, over the host loopback transport. Two
 * writers on caps with different badges, one reader.
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

#include "bulk_fixture.h"
#include "log.capos.h"
#include "log_service.h"

#define SINK_A 5   /* badge 0x10, named "alpha" */
#define SINK_B 6   /* badge 0x2f, not in the table */
#define READER 7
#define BADGE_A 0x10
#define BADGE_B 0x2f
#define BADGE_R 0x99

#define L(x) capos_LogLevel_LOG_LEVEL_##x

static struct log_state state;
static uint64_t fake_now;
static unsigned forwarded;
static uint64_t last_forwarded_seq;

static const struct capos_client_name sources[] = {
	{ BADGE_A, "alpha" },
	{ 0x77, "other" },
};

static void fake_clock(void *arg, capos_Timestamp *out)
{
	(void)arg;
	fake_now += 1000;
	out->monotonic_ns = fake_now;
	out->wall_seconds = 1700000000;
	out->wall_nanoseconds = (uint32_t)fake_now;
	out->provenance = capos_ClockProvenance_CLOCK_PROVENANCE_MANIFEST;
}

static void count_forward(void *arg, const capos_LogRecord *rec)
{
	(void)arg;
	forwarded++;
	last_forwarded_seq = rec->sequence;
}

static void setup_with(uint32_t capacity, capos_LogLevel floor)
{
	fake_now = 0;
	forwarded = 0;
	last_forwarded_seq = 0;
	log_init(&state, capacity, floor, fake_clock, NULL);
	log_set_sources(&state, sources, sizeof(sources) / sizeof(sources[0]));
	log_set_forward(&state, count_forward, NULL);
	log_set_buffers(&state, host_buffer_get, host_buffer_put, NULL);
	bulk_mapped = 0;
	capos_loopback_reset();
	capos_loopback_register(SINK_A, logsink_service(&log_sink_ops, &state), BADGE_A);
	capos_loopback_register(SINK_B, logsink_service(&log_sink_ops, &state), BADGE_B);
	capos_loopback_register(READER, logreader_service(&log_reader_ops, &state), BADGE_R);
}

static int setup(void **st)
{
	(void)st;
	setup_with(0, L(TRACE));
	return 0;
}

static uint64_t write_rec(capos_cap_t cap, capos_LogLevel level, const char *text,
			  const char *forged_source)
{
	capos_LogRecord r = capos_LogRecord_init_zero;
	capos_LogWriteResult w;
	r.level = level;
	snprintf(r.text, sizeof(r.text), "%s", text);
	if (forged_source)
		snprintf(r.source, sizeof(r.source), "%s", forged_source);
	r.sequence = 12345; /* ignored too */
	memset(&w, 0x5a, sizeof(w));
	assert_int_equal(logsink_write(cap, &r, &w), CAPOS_OK);
	return w.accepted ? w.sequence : 0;
}

static capos_LogReadResult read_log(capos_LogLevel min, const char *source, uint64_t cursor,
				    uint32_t max)
{
	capos_LogFilter f = capos_LogFilter_init_zero;
	capos_LogReadResult res;
	f.min_level = min;
	if (source)
		snprintf(f.source, sizeof(f.source), "%s", source);
	f.cursor = cursor;
	f.max = max;
	memset(&res, 0x5a, sizeof(res));
	assert_int_equal(logreader_read(READER, &f, &res), CAPOS_OK);
	return res;
}

static void test_defaults_and_init_bounds(void **st)
{
	(void)st;
	assert_int_equal(state.capacity, LOG_RING_DEFAULT);
	setup_with(1000, L(TRACE));
	assert_int_equal(state.capacity, LOG_RING_MAX);
	setup_with(3, L(TRACE));
	assert_int_equal(state.capacity, 3);
}

static void test_write_and_read(void **st)
{
	(void)st;
	assert_int_equal(write_rec(SINK_A, L(INFO), "one", NULL), 1);
	assert_int_equal(write_rec(SINK_B, L(ERROR), "two", NULL), 2);
	assert_int_equal(forwarded, 2);
	assert_int_equal(last_forwarded_seq, 2);
	capos_LogReadResult r = read_log(L(TRACE), NULL, 0, 0);
	assert_int_equal(r.records_count, 2);
	assert_int_equal(r.dropped, 0);
	assert_int_equal(r.next_cursor, 3);
	assert_int_equal(r.records[0].sequence, 1);
	assert_string_equal(r.records[0].text, "one");
	assert_int_equal(r.records[0].level, L(INFO));
	assert_true(r.records[0].has_timestamp);
	assert_int_equal(r.records[0].timestamp.monotonic_ns, 1000);
	/* the wall part is the clock's, with its provenance */
	assert_int_equal(r.records[0].timestamp.wall_seconds, 1700000000);
	assert_int_equal(r.records[0].timestamp.wall_nanoseconds, 1000);
	assert_int_equal(r.records[0].timestamp.provenance,
			 capos_ClockProvenance_CLOCK_PROVENANCE_MANIFEST);
	assert_int_equal(r.records[1].sequence, 2);
	assert_string_equal(r.records[1].text, "two");
	assert_int_equal(r.records[1].timestamp.monotonic_ns, 2000);
	/* reading changes nothing; at the end the cursor stays put */
	r = read_log(L(TRACE), NULL, 3, 0);
	assert_int_equal(r.records_count, 0);
	assert_int_equal(r.next_cursor, 3);
	assert_int_equal(r.dropped, 0);
	r = read_log(L(TRACE), NULL, 0, 0);
	assert_int_equal(r.records_count, 2);
}

static void test_ring_wrap_drop_oldest(void **st)
{
	(void)st;
	setup_with(4, L(TRACE));
	char text[16];
	for (int i = 1; i <= 10; i++) {
		snprintf(text, sizeof(text), "m%d", i);
		assert_int_equal(write_rec(i % 2 ? SINK_A : SINK_B, L(INFO), text, NULL), i);
	}
	assert_int_equal(state.overwritten, 6);
	/* from the start: 7..10 held, 6 lost */
	capos_LogReadResult r = read_log(L(TRACE), NULL, 0, 0);
	assert_int_equal(r.dropped, 6);
	assert_int_equal(r.records_count, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(r.records[i].sequence, 7 + i);
		snprintf(text, sizeof(text), "m%d", 7 + i);
		assert_string_equal(r.records[i].text, text);
	}
	assert_int_equal(r.next_cursor, 11);
	/* a reader that had seen up to 4 missed 5 and 6 */
	r = read_log(L(TRACE), NULL, 5, 0);
	assert_int_equal(r.dropped, 2);
	assert_int_equal(r.records_count, 4);
	assert_int_equal(r.records[0].sequence, 7);
	/* a reader still inside the ring missed nothing */
	r = read_log(L(TRACE), NULL, 9, 0);
	assert_int_equal(r.dropped, 0);
	assert_int_equal(r.records_count, 2);
	assert_int_equal(r.records[0].sequence, 9);
	assert_int_equal(r.next_cursor, 11);
}

static void test_level_floor(void **st)
{
	(void)st;
	setup_with(8, L(WARNING));
	capos_LogRecord rec = capos_LogRecord_init_zero;
	capos_LogWriteResult w;
	rec.level = L(INFO);
	snprintf(rec.text, sizeof(rec.text), "quiet");
	assert_int_equal(logsink_write(SINK_A, &rec, &w), CAPOS_OK);
	assert_false(w.accepted);
	assert_int_equal(w.sequence, 0);
	assert_int_equal(write_rec(SINK_A, L(TRACE), "unset level", NULL), 0);
	assert_int_equal(write_rec(SINK_A, L(WARNING), "at the floor", NULL), 1);
	assert_int_equal(write_rec(SINK_B, L(DEBUG), "below", NULL), 0);
	assert_int_equal(write_rec(SINK_B, L(CRITICAL), "above", NULL), 2);
	assert_int_equal(state.dropped_at_sink, 3);
	assert_int_equal(forwarded, 2);
	/* the floor's drops are not drop-oldest losses */
	capos_LogReadResult r = read_log(L(TRACE), NULL, 0, 0);
	assert_int_equal(r.records_count, 2);
	assert_int_equal(r.dropped, 0);
	assert_int_equal(r.below_floor, 3); /* ...but a reader is told of them */
	assert_string_equal(r.records[0].text, "at the floor");
	assert_string_equal(r.records[1].text, "above");
}

static void page_all(capos_LogLevel min, const char *source, uint64_t *seen, int *nseen,
		     int max_seen)
{
	uint64_t cursor = 0;
	*nseen = 0;
	for (int pages = 0; pages < 100; pages++) {
		capos_LogReadResult r = read_log(min, source, cursor, 2);
		assert_true(r.records_count <= 2);
		for (pb_size_t i = 0; i < r.records_count; i++) {
			assert_true(*nseen < max_seen);
			seen[(*nseen)++] = r.records[i].sequence;
		}
		if (r.next_cursor == cursor) {
			assert_int_equal(r.records_count, 0);
			return;
		}
		assert_true(r.next_cursor > cursor);
		cursor = r.next_cursor;
	}
	fail_msg("paging did not terminate");
}

static void test_cursor_paging(void **st)
{
	(void)st;
	setup_with(16, L(TRACE));
	const capos_LogLevel levels[] = { L(INFO), L(ERROR), L(DEBUG), L(WARNING), L(INFO),
					  L(ERROR), L(CRITICAL) };
	for (int i = 0; i < 7; i++)
		write_rec(i % 3 ? SINK_B : SINK_A, levels[i], "page", NULL);

	uint64_t seen[32];
	int n;
	page_all(L(TRACE), NULL, seen, &n, 32);
	assert_int_equal(n, 7);
	for (int i = 0; i < 7; i++)
		assert_int_equal(seen[i], i + 1);

	/* with a filter: every match once, in order */
	page_all(L(ERROR), NULL, seen, &n, 32);
	assert_int_equal(n, 3);
	assert_int_equal(seen[0], 2);
	assert_int_equal(seen[1], 6);
	assert_int_equal(seen[2], 7);

	/* more written after the end was reached: the same cursor picks them up */
	capos_LogReadResult r = read_log(L(TRACE), NULL, 0, 0);
	assert_int_equal(r.records_count, 5); /* max_count bounds a 0 max */
	assert_int_equal(r.next_cursor, 6);
	r = read_log(L(TRACE), NULL, r.next_cursor, 0);
	assert_int_equal(r.records_count, 2);
	assert_int_equal(r.next_cursor, 8);
	assert_int_equal(write_rec(SINK_A, L(INFO), "late", NULL), 8);
	r = read_log(L(TRACE), NULL, r.next_cursor, 0);
	assert_int_equal(r.records_count, 1);
	assert_string_equal(r.records[0].text, "late");
}

static void test_filters(void **st)
{
	(void)st;
	write_rec(SINK_A, L(DEBUG), "a-debug", NULL);
	write_rec(SINK_B, L(WARNING), "b-warning", NULL);
	write_rec(SINK_A, L(ERROR), "a-error", NULL);
	write_rec(SINK_B, L(TRACE), "b-trace", NULL);

	capos_LogReadResult r = read_log(L(WARNING), NULL, 0, 0);
	assert_int_equal(r.records_count, 2);
	assert_string_equal(r.records[0].text, "b-warning");
	assert_string_equal(r.records[1].text, "a-error");

	r = read_log(L(TRACE), "alpha", 0, 0);
	assert_int_equal(r.records_count, 2);
	assert_string_equal(r.records[0].text, "a-debug");
	assert_string_equal(r.records[1].text, "a-error");

	r = read_log(L(INFO), "alpha", 0, 0);
	assert_int_equal(r.records_count, 1);
	assert_string_equal(r.records[0].text, "a-error");

	r = read_log(L(TRACE), "badge:47", 0, 0);
	assert_int_equal(r.records_count, 2);
	assert_string_equal(r.records[0].text, "b-warning");
	assert_string_equal(r.records[1].text, "b-trace");

	r = read_log(L(TRACE), "nobody", 0, 0);
	assert_int_equal(r.records_count, 0);
	assert_int_equal(r.next_cursor, 5);

	/* a filtered page stops at its max; the cursor covers what was examined */
	r = read_log(L(TRACE), "alpha", 0, 1);
	assert_int_equal(r.records_count, 1);
	assert_int_equal(r.next_cursor, 2);
	r = read_log(L(TRACE), "alpha", r.next_cursor, 1);
	assert_int_equal(r.records_count, 1);
	assert_string_equal(r.records[0].text, "a-error");
	assert_int_equal(r.next_cursor, 4);
}

static void test_badge_source(void **st)
{
	(void)st;
	write_rec(SINK_A, L(INFO), "from a", "init");
	write_rec(SINK_B, L(INFO), "from b", "alpha");
	capos_LogReadResult r = read_log(L(TRACE), NULL, 0, 0);
	assert_int_equal(r.records_count, 2);
	assert_string_equal(r.records[0].source, "alpha");
	assert_string_equal(r.records[1].source, "badge:47");
	r = read_log(L(TRACE), "init", 0, 0);
	assert_int_equal(r.records_count, 0);
	r = read_log(L(TRACE), "alpha", 0, 0);
	assert_int_equal(r.records_count, 1);
	assert_string_equal(r.records[0].text, "from a");

	char name[32];
	log_source_name(&state, 0, name, sizeof(name));
	assert_string_equal(name, "badge:0");
	log_source_name(&state, 0xfedcba9876543210ull, name, sizeof(name));
	assert_string_equal(name, "badge:18364758544493064720");
	log_source_name(&state, 0x77, name, sizeof(name));
	assert_string_equal(name, "other");
}

static void test_full_page_fits(void **st)
{
	(void)st;
	char text[256];
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (int i = 0; i < 6; i++)
		write_rec(SINK_B, L(CRITICAL), text, NULL);
	capos_LogReadResult r = read_log(L(TRACE), NULL, 0, 0);
	assert_int_equal(r.records_count, 5);
	assert_string_equal(r.records[4].text, text);
	assert_int_equal(r.next_cursor, 6);
}

static capos_status_t raw_call(capos_cap_t cap, uint64_t label, const void *body, uint32_t len,
			       uint64_t *reply_label, uint32_t *reply_len)
{
	memcpy(capos_transport_buffer(), body, len);
	return capos_transport_call(cap, label, len, NULL, reply_label, reply_len, NULL);
}

static void test_malformed(void **st)
{
	(void)st;
	uint64_t rl;
	uint32_t rn;
	const uint64_t wlabel = CAPOS_RPC_LABEL(LOGSINK_INTERFACE_ID, LOGSINK_WRITE_METHOD_ID);
	const uint64_t rlabel = CAPOS_RPC_LABEL(LOGREADER_INTERFACE_ID, LOGREADER_READ_METHOD_ID);
	/* field 3 (text) claiming 100 bytes with 3 present */
	const uint8_t truncated[] = { 0x1a, 0x64, 'a', 'b', 'c' };
	assert_int_equal(raw_call(SINK_A, wlabel, truncated, sizeof(truncated), &rl, &rn),
			 CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	assert_int_equal(rn, 0);
	/* text beyond its bound (255 + NUL) */
	uint8_t big[300];
	memset(big, 'y', sizeof(big));
	big[0] = 0x1a;
	big[1] = 0x80; /* 256: varint 80 02 */
	big[2] = 0x02;
	assert_int_equal(raw_call(SINK_A, wlabel, big, 3 + 256, &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	/* a level outside the enum */
	const uint8_t badlevel[] = { 0x08, 0x63 };
	assert_int_equal(raw_call(SINK_A, wlabel, badlevel, sizeof(badlevel), &rl, &rn),
			 CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	/* an invalid wire type on the reader */
	const uint8_t badwire[] = { 0x0f, 0x01 };
	assert_int_equal(raw_call(READER, rlabel, badwire, sizeof(badwire), &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	/* the sink does not answer the reader's interface */
	assert_int_equal(raw_call(SINK_A, rlabel, "", 0, &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_UNSUPPORTED);
	/* nothing was kept, and the server still serves */
	assert_int_equal(state.count, 0);
	assert_int_equal(forwarded, 0);
	assert_int_equal(write_rec(SINK_A, L(INFO), "still here", NULL), 1);
	capos_LogReadResult r = read_log(L(TRACE), NULL, 0, 0);
	assert_int_equal(r.records_count, 1);
	assert_string_equal(r.records[0].text, "still here");
}

/* ---- ReadBulk: many records through a SharedBuffer ---- */

static capos_LogRecord bulk_recs[256];

/* One ReadBulk with a cap to buffer `token`; the records it wrote are
 * decoded into bulk_recs[]. Returns the status. */
static capos_status_t read_bulk(uint64_t token, capos_LogLevel min, const char *source,
				uint64_t cursor, uint32_t max, capos_LogBulkResult *res)
{
	capos_LogBulkRead req = capos_LogBulkRead_init_zero;
	req.has_filter = true;
	req.filter.min_level = min;
	if (source)
		snprintf(req.filter.source, sizeof(req.filter.source), "%s", source);
	req.filter.cursor = cursor;
	req.filter.max = max;
	uint32_t used;
	capos_cap_t buf = bulk_begin(token, &used);
	struct capos_cap_list send = { .count = 1, .move = 0, .cap = { buf } };
	memset(res, 0x5a, sizeof(*res));
	capos_status_t st = logreader_read_bulk(READER, &req, &send, res);
	bulk_end(buf, used);
	if (st == CAPOS_OK)
		bulk_decode(token, res->bytes, res->count, capos_LogReadResult_records_tag,
			    capos_LogRecord_fields, capos_LogRecord_wire_decode_buf, bulk_recs,
			    sizeof(bulk_recs[0]), 256);
	return st;
}

/* The same records, in the same order and with the same fields, as the
 * paged Read returns. */
static void test_bulk_in_order(void **st)
{
	(void)st;
	char text[64];
	for (int i = 1; i <= 12; i++) {
		snprintf(text, sizeof(text), "record %d", i);
		assert_int_equal(write_rec(i % 2 ? SINK_A : SINK_B, i % 3 ? L(INFO) : L(ERROR),
					   text, NULL), (uint64_t)i);
	}
	capos_LogBulkResult res;
	assert_int_equal(read_bulk(BUF_BIG, L(TRACE), NULL, 0, 0, &res), CAPOS_OK);
	assert_int_equal(res.count, 12);
	assert_int_equal(res.next_cursor, 13);
	assert_int_equal(res.dropped, 0);
	assert_int_equal(res.below_floor, 0);
	assert_true(res.bytes > 12 * 10);
	/* the byte after the records is untouched */
	assert_int_equal(bulk_big[res.bytes], 0xee);
	for (uint32_t i = 0; i < 12; i++) {
		capos_LogReadResult page = read_log(L(TRACE), NULL, i + 1, 1);
		assert_int_equal(page.records_count, 1);
		assert_int_equal(bulk_recs[i].sequence, i + 1);
		const capos_LogRecord *a = &bulk_recs[i], *b = &page.records[0];
		assert_int_equal(a->level, b->level);
		assert_string_equal(a->source, b->source);
		assert_string_equal(a->text, b->text);
		assert_int_equal(a->has_timestamp, b->has_timestamp);
		assert_memory_equal(&a->timestamp, &b->timestamp, sizeof(a->timestamp));
		assert_int_equal(a->sequence, b->sequence);
	}
	assert_string_equal(bulk_recs[0].source, "alpha");
	assert_string_equal(bulk_recs[11].text, "record 12");
	/* filters and max as Read has them */
	assert_int_equal(read_bulk(BUF_BIG, L(ERROR), NULL, 0, 0, &res), CAPOS_OK);
	assert_int_equal(res.count, 4); /* 3, 6, 9, 12 */
	assert_int_equal(bulk_recs[0].sequence, 3);
	assert_int_equal(bulk_recs[3].sequence, 12);
	assert_int_equal(res.next_cursor, 13);
	assert_int_equal(read_bulk(BUF_BIG, L(TRACE), "alpha", 4, 2, &res), CAPOS_OK);
	assert_int_equal(res.count, 2); /* 5, 7 */
	assert_int_equal(bulk_recs[0].sequence, 5);
	assert_int_equal(bulk_recs[1].sequence, 7);
	assert_int_equal(res.next_cursor, 8);
	/* past the end: nothing, the cursor stays */
	assert_int_equal(read_bulk(BUF_BIG, L(TRACE), NULL, 13, 0, &res), CAPOS_OK);
	assert_int_equal(res.count, 0);
	assert_int_equal(res.bytes, 0);
	assert_int_equal(res.next_cursor, 13);
}

/* Across a wrap: the cursor continues and `dropped` counts what the ring
 * overwrote since the cursor. */
static void test_bulk_wrap(void **st)
{
	(void)st;
	setup_with(8, L(INFO));
	for (int i = 1; i <= 20; i++)
		assert_int_equal(write_rec(SINK_A, L(INFO), "wrap", NULL), (uint64_t)i);
	assert_int_equal(write_rec(SINK_A, L(DEBUG), "below", NULL), 0);
	capos_LogBulkResult res;
	assert_int_equal(read_bulk(BUF_BIG, L(TRACE), NULL, 0, 0, &res), CAPOS_OK);
	assert_int_equal(res.dropped, 12);
	assert_int_equal(res.count, 8);
	assert_int_equal(res.below_floor, 1);
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(bulk_recs[i].sequence, 13 + i);
	assert_int_equal(res.next_cursor, 21);
	assert_int_equal(read_bulk(BUF_BIG, L(TRACE), NULL, 5, 3, &res), CAPOS_OK);
	assert_int_equal(res.dropped, 8); /* 5..12 */
	assert_int_equal(res.count, 3);
	assert_int_equal(bulk_recs[0].sequence, 13);
	assert_int_equal(res.next_cursor, 16);
	/* continue from there after three more writes: no loss */
	for (int i = 21; i <= 23; i++)
		assert_int_equal(write_rec(SINK_B, L(WARNING), "more", NULL), (uint64_t)i);
	assert_int_equal(read_bulk(BUF_BIG, L(TRACE), NULL, 16, 0, &res), CAPOS_OK);
	assert_int_equal(res.dropped, 0);
	assert_int_equal(res.count, 8); /* 16..23 */
	assert_int_equal(bulk_recs[0].sequence, 16);
	assert_int_equal(bulk_recs[7].sequence, 23);
	assert_int_equal(res.next_cursor, 24);
	/* a reader that fell behind by a whole ring and more */
	assert_int_equal(read_bulk(BUF_BIG, L(TRACE), NULL, 2, 0, &res), CAPOS_OK);
	assert_int_equal(res.dropped, 14); /* 2..15 */
	assert_int_equal(bulk_recs[0].sequence, 16);
}

/* A buffer too small for the next record: LIMIT_EXCEEDED, nothing read;
 * one that holds some: those, and the cursor at the first left out. */
static void test_bulk_small_buffer(void **st)
{
	(void)st;
	char text[64];
	for (int i = 1; i <= 3; i++) {
		snprintf(text, sizeof(text), "a record of some forty characters, #%d", i);
		assert_int_equal(write_rec(SINK_A, L(INFO), text, NULL), (uint64_t)i);
	}
	capos_LogBulkResult res;
	bulk_small_size = 16;
	assert_int_equal(read_bulk(BUF_SMALL, L(TRACE), NULL, 0, 0, &res),
			 CAPOS_LIMIT_EXCEEDED);
	/* how long one record is in the buffer */
	assert_int_equal(read_bulk(BUF_BIG, L(TRACE), NULL, 1, 1, &res), CAPOS_OK);
	const uint32_t one = res.bytes;
	assert_true(one > 16 && 2 * one + 1 < sizeof(bulk_small));
	bulk_small_size = one - 1;
	assert_int_equal(read_bulk(BUF_SMALL, L(TRACE), NULL, 0, 0, &res),
			 CAPOS_LIMIT_EXCEEDED);
	bulk_small_size = 2 * one + 1; /* two, and one byte */
	assert_int_equal(read_bulk(BUF_SMALL, L(TRACE), NULL, 0, 0, &res), CAPOS_OK);
	assert_int_equal(res.count, 2);
	assert_int_equal(res.bytes, 2 * one);
	assert_int_equal(res.next_cursor, 3);
	assert_int_equal(bulk_recs[1].sequence, 2);
	assert_int_equal(read_bulk(BUF_SMALL, L(TRACE), NULL, res.next_cursor, 0, &res),
			 CAPOS_OK);
	assert_int_equal(res.count, 1);
	assert_int_equal(bulk_recs[0].sequence, 3);
	assert_int_equal(res.next_cursor, 4);
}

/* 128 records in one call. */
static void test_bulk_128(void **st)
{
	(void)st;
	setup_with(256, L(TRACE));
	for (int i = 1; i <= 200; i++)
		assert_int_equal(write_rec(SINK_A, L(INFO), "one of many records", NULL),
				 (uint64_t)i);
	capos_LogBulkResult res;
	uint64_t before = capos_loopback_delivered(READER);
	assert_int_equal(read_bulk(BUF_BIG, L(TRACE), NULL, 50, 128, &res), CAPOS_OK);
	assert_int_equal(capos_loopback_delivered(READER), before + 1);
	assert_int_equal(res.count, 128);
	for (uint32_t i = 0; i < 128; i++)
		assert_int_equal(bulk_recs[i].sequence, 50 + i);
	assert_int_equal(res.next_cursor, 178);
}

/* Without a buffer cap, with a cap that is no buffer, with two caps, or
 * on a server that cannot map buffers: a clear status, nothing written. */
static void test_bulk_refused(void **st)
{
	(void)st;
	assert_int_equal(write_rec(SINK_A, L(INFO), "x", NULL), 1);
	capos_LogBulkRead req = capos_LogBulkRead_init_zero;
	capos_LogBulkResult res;
	assert_int_equal(logreader_read_bulk(READER, &req, NULL, &res), CAPOS_INVALID_ARGUMENT);
	capos_cap_t ep = capos_loopback_mint(SINK_A, 0x1234); /* an endpoint: token 0 */
	struct capos_cap_list send = { .count = 1, .move = 0, .cap = { ep } };
	assert_int_equal(logreader_read_bulk(READER, &req, &send, &res), CAPOS_INVALID_ARGUMENT);
	/* more caps than the method takes: refused before any call */
	capos_cap_t b1 = capos_loopback_new_object(BUF_BIG), b2 = capos_loopback_new_object(BUF_BIG);
	struct capos_cap_list two = { .count = 2, .move = 0, .cap = { b1, b2 } };
	uint64_t before = capos_loopback_delivered(READER);
	assert_int_equal(logreader_read_bulk(READER, &req, &two, &res), CAPOS_INVALID_ARGUMENT);
	assert_int_equal(capos_loopback_delivered(READER), before);
	assert_int_equal(bulk_mapped, 0);
	log_set_buffers(&state, NULL, NULL, NULL);
	send.cap[0] = b1;
	assert_int_equal(logreader_read_bulk(READER, &req, &send, &res), CAPOS_UNSUPPORTED);
}

/* No clock: the timestamp is present and zero, its wall part UNTRUSTED. */
static void test_no_clock_zero_timestamp(void **st)
{
	(void)st;
	log_init(&state, 4, L(TRACE), NULL, NULL);
	capos_LogRecord rec = capos_LogRecord_init_zero;
	capos_LogWriteResult w;
	rec.level = L(INFO);
	rec.has_timestamp = true; /* a writer's claim is ignored */
	rec.timestamp.monotonic_ns = 99;
	rec.timestamp.wall_seconds = 42;
	rec.timestamp.provenance = capos_ClockProvenance_CLOCK_PROVENANCE_RTC;
	assert_int_equal(logsink_write(SINK_A, &rec, &w), CAPOS_OK);
	capos_LogReadResult r = read_log(L(TRACE), NULL, 0, 0);
	assert_int_equal(r.records_count, 1);
	assert_true(r.records[0].has_timestamp);
	assert_int_equal(r.records[0].timestamp.monotonic_ns, 0);
	assert_int_equal(r.records[0].timestamp.wall_seconds, 0);
	assert_int_equal(r.records[0].timestamp.provenance,
			 capos_ClockProvenance_CLOCK_PROVENANCE_UNTRUSTED);
}

/* ---- configuration from startup parameters ---- */

struct fake_params {
	const char *keys[8];
	const char *values[8];
	int lookups;
};

static const char *fake_param(void *arg, const char *key)
{
	struct fake_params *p = arg;
	p->lookups++;
	for (int i = 0; i < 8 && p->keys[i]; i++)
		if (strcmp(p->keys[i], key) == 0)
			return p->values[i];
	return NULL;
}

static void test_sources_from_params(void **st)
{
	(void)st;
	static struct capos_client_names t;
	struct fake_params p = {
		.keys = { "badge.3", "badge.1", "badge.64", "badge.65", "badge.7", "badge.x",
			  "badge.2" },
		.values = { "clock", "init-ish", "last",
			    "beyond", "a-name-much-longer-than-the-thirty-one-bytes",
			    "bad", "" },
	};
	assert_int_equal(capos_client_names_load(&t, fake_param, &p), 4);
	assert_int_equal(p.lookups, CAPOS_CLIENT_NAMES_MAX);
	/* in badge order; the empty value and numbers past the range skipped */
	assert_int_equal(t.entries[0].badge, 1);
	assert_string_equal(t.entries[0].name, "init-ish");
	assert_int_equal(t.entries[1].badge, 3);
	assert_string_equal(t.entries[1].name, "clock");
	assert_int_equal(t.entries[2].badge, 7);
	assert_int_equal(strlen(t.entries[2].name), 31);
	assert_int_equal(t.entries[3].badge, 64);
	/* the table names writers */
	log_set_sources(&state, t.entries, t.count);
	capos_loopback_register(11, logsink_service(&log_sink_ops, &state), 3);
	capos_loopback_register(12, logsink_service(&log_sink_ops, &state), 65);
	write_rec(11, L(INFO), "tick", "init");
	write_rec(12, L(INFO), "tock", NULL);
	capos_LogReadResult r = read_log(L(TRACE), NULL, 0, 0);
	assert_int_equal(r.records_count, 2);
	assert_string_equal(r.records[0].source, "clock");
	assert_string_equal(r.records[1].source, "badge:65");
	/* no parameters at all: an empty table */
	assert_int_equal(capos_client_names_load(&t, NULL, NULL), 0);
}

static void test_floor_from_number(void **st)
{
	(void)st;
	assert_int_equal(log_floor_from_number(0), L(TRACE));
	assert_int_equal(log_floor_from_number(3), L(WARNING));
	assert_int_equal(log_floor_from_number(5), L(CRITICAL));
	assert_int_equal(log_floor_from_number(6), L(CRITICAL));
	assert_int_equal(log_floor_from_number(UINT64_MAX), L(CRITICAL));
}

/* ---- the console line ---- */

static void test_format_line(void **st)
{
	(void)st;
	capos_LogRecord r = capos_LogRecord_init_zero;
	char line[LOG_LINE_MAX];
	r.level = L(WARNING);
	strcpy(r.source, "clock");
	strcpy(r.text, "RTC unreadable");
	assert_int_equal(log_format_line(&r, line, sizeof(line)),
			 strlen("[warning] clock: RTC unreadable\r\n"));
	assert_string_equal(line, "[warning] clock: RTC unreadable\r\n");
	/* a record cannot end its line and forge another */
	strcpy(r.text, "ok\r\n[critical] init: fake\x1b[2J\x7f");
	log_format_line(&r, line, sizeof(line));
	assert_string_equal(line, "[warning] clock: ok\\r\\n[critical] init: fake\\x1b[2J\\x7f\r\n");
	/* every level has its name */
	const char *names[] = { "trace", "debug", "info", "warning", "error", "critical" };
	for (int l = 0; l <= 5; l++)
		assert_string_equal(log_level_name((capos_LogLevel)l), names[l]);
	assert_string_equal(log_level_name((capos_LogLevel)6), "?");
	/* the longest record fits LOG_LINE_MAX whole */
	r.level = L(CRITICAL);
	memset(r.source, 's', sizeof(r.source) - 1);
	memset(r.text, 't', sizeof(r.text) - 1);
	size_t n = log_format_line(&r, line, sizeof(line));
	assert_int_equal(n, strlen("[critical] ") + 31 + 2 + 255 + 2);
	assert_memory_equal(line + n - 2, "\r\n", 2);
	/* a short buffer is cut but keeps the line ending */
	char small[16];
	n = log_format_line(&r, small, sizeof(small));
	assert_int_equal(n, 15);
	assert_string_equal(small, "[critical] ss\r\n");
}

/* Forwarding sees each accepted record once, in order, complete. */
static unsigned fwd_count;
static char fwd_lines[4][LOG_LINE_MAX];

static void format_forward(void *arg, const capos_LogRecord *rec)
{
	(void)arg;
	if (fwd_count < 4)
		log_format_line(rec, fwd_lines[fwd_count], LOG_LINE_MAX);
	fwd_count++;
}

static void test_forwarded_lines(void **st)
{
	(void)st;
	setup_with(2, L(INFO));
	fwd_count = 0;
	log_set_forward(&state, format_forward, NULL);
	write_rec(SINK_A, L(INFO), "first", "forged");
	write_rec(SINK_B, L(DEBUG), "below the floor", NULL);
	write_rec(SINK_B, L(ERROR), "second", NULL);
	write_rec(SINK_A, L(CRITICAL), "third", NULL); /* wraps the ring: still forwarded */
	assert_int_equal(fwd_count, 3);
	assert_string_equal(fwd_lines[0], "[info] alpha: first\r\n");
	assert_string_equal(fwd_lines[1], "[error] badge:47: second\r\n");
	assert_string_equal(fwd_lines[2], "[critical] alpha: third\r\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults_and_init_bounds, setup),
		cmocka_unit_test_setup(test_write_and_read, setup),
		cmocka_unit_test_setup(test_ring_wrap_drop_oldest, setup),
		cmocka_unit_test_setup(test_level_floor, setup),
		cmocka_unit_test_setup(test_cursor_paging, setup),
		cmocka_unit_test_setup(test_filters, setup),
		cmocka_unit_test_setup(test_badge_source, setup),
		cmocka_unit_test_setup(test_full_page_fits, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_no_clock_zero_timestamp, setup),
		cmocka_unit_test_setup(test_sources_from_params, setup),
		cmocka_unit_test(test_floor_from_number),
		cmocka_unit_test(test_format_line),
		cmocka_unit_test_setup(test_forwarded_lines, setup),
		cmocka_unit_test_setup(test_bulk_in_order, setup),
		cmocka_unit_test_setup(test_bulk_wrap, setup),
		cmocka_unit_test_setup(test_bulk_small_buffer, setup),
		cmocka_unit_test_setup(test_bulk_128, setup),
		cmocka_unit_test_setup(test_bulk_refused, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
