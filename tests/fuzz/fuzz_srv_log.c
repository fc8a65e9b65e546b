/*
 * fuzz_srv_log: LogSink and LogReader (servers/log/log_service.c) behind
 * their generated dispatchers. Two sinks (a named badge and an unknown
 * one) and one reader; a small ring so inputs reach the wrap. The check:
 * a Write through the named sink is accepted with the next sequence, and
 * the reader returns exactly that record, text and source, last.
 */
#include <stdio.h>
#include <string.h>

#include "dispatch_fuzz.h"
#include "log.capos.h"
#include "log_service.h"

#define SINK_A 5
#define SINK_B 6
#define READER 7

static struct log_state state;
static uint64_t now;

static const struct capos_client_name sources[] = { { 0x10, "alpha" } };

static void fake_clock(void *arg, capos_Timestamp *out)
{
	(void)arg;
	now += 1000;
	out->monotonic_ns = now;
}

static void setup(void)
{
	now = 0;
	log_init(&state, 4, capos_LogLevel_LOG_LEVEL_DEBUG, fake_clock, NULL);
	log_set_sources(&state, sources, 1);
	capos_loopback_register(SINK_A, logsink_service(&log_sink_ops, &state), 0x10);
	capos_loopback_register(SINK_B, logsink_service(&log_sink_ops, &state), 0x2f);
	capos_loopback_register(READER, logreader_service(&log_reader_ops, &state), 0x99);
}

static int check(void)
{
	capos_LogRecord r = capos_LogRecord_init_zero;
	capos_LogWriteResult w = capos_LogWriteResult_init_zero;
	uint64_t want = state.next_seq;
	r.level = capos_LogLevel_LOG_LEVEL_INFO;
	strcpy(r.text, "known good");
	int bad = fuzz_expect(logsink_write(SINK_A, &r, &w) == CAPOS_OK, "Write failed");
	bad |= fuzz_expect(w.accepted && w.sequence == want, "Write: not the next sequence");
	capos_LogFilter f = capos_LogFilter_init_zero;
	static capos_LogReadResult res;
	memset(&res, 0, sizeof(res));
	f.cursor = want;
	bad |= fuzz_expect(logreader_read(READER, &f, &res) == CAPOS_OK, "Read failed");
	bad |= fuzz_expect(res.records_count == 1 && res.records[0].sequence == want &&
				   !strcmp(res.records[0].text, "known good") &&
				   !strcmp(res.records[0].source, "alpha") &&
				   res.next_cursor == want + 1,
			   "Read: not the record just written");
	bad |= fuzz_expect(state.count <= state.capacity && state.head < state.capacity,
			   "ring state out of bounds");
	return bad;
}

static const capos_LogRecord rec_info = { .level = capos_LogLevel_LOG_LEVEL_INFO,
					  .text = "hello", .source = "forged",
					  .sequence = 99 };
static const capos_LogRecord rec_trace = { .level = capos_LogLevel_LOG_LEVEL_TRACE,
					   .text = "below the floor" };
static const capos_LogFilter filt_all = { .min_level = capos_LogLevel_LOG_LEVEL_TRACE };
static const capos_LogFilter filt_src = { .min_level = capos_LogLevel_LOG_LEVEL_INFO,
					  .source = "alpha", .cursor = 2, .max = 1 };

static const struct fuzz_seed seeds[] = {
	{ 0, &logsink_write_method, &rec_info, 0 },
	{ 1, &logsink_write_method, &rec_trace, 0 },
	{ 1, &logsink_write_method, &rec_info, 0x11 },
	{ 2, &logreader_read_method, &filt_all, 0 },
	{ 2, &logreader_read_method, &filt_src, 0 },
	{ 0, &logsink_write_method, &rec_info, 0 },
	{ 0, &logsink_write_method, &rec_info, 0 },
	{ 0, &logsink_write_method, &rec_info, 0 },
	{ 2, &logreader_read_method, &filt_all, 0 },
};

const struct fuzz_server fuzz_server = {
	.name = "log",
	.setup = setup,
	.endpoints = { SINK_A, SINK_B, READER },
	.nendpoints = 3,
	.methods = { &logsink_write_method, &logreader_read_method, &logreader_read_bulk_method, NULL },
	.check = check,
	.seeds = seeds,
	.nseeds = sizeof(seeds) / sizeof(seeds[0]),
};
