/*
 * logd - the log server (idl/log.proto) on the target: LogSink on the
 * endpoint `sink`, LogReader on the endpoint `reader`, both served by this
 * one thread over the shared ring (log_service.c). docs/servers/log.md
 * has the interface, the caps and the design.
 *
 * Startup page:
 *   sink, reader  the two served endpoints (RECV);
 *   console       where accepted records are forwarded, one line each: a
 *                 Console endpoint (Console.Write), or in test images an
 *                 IOPort on COM1; absent: no forwarding;
 *   clock         optional WallClock: wall time in each record's timestamp;
 *   kinfo         optional KernelInfo: the monotonic part (now_ns);
 *   thread, capmgr, wake  its own Thread, its table's manager (WRITE) and
 *                 a notification: required, for the loop below;
 *   params        log_level (the floor), log_ring_records (ring size; 0 the
 *                 default), badge.N (the component behind badge N);
 *   self          optional, its own Process: ReadBulk maps the caller's
 *                 SharedBuffer with it for the length of the call (absent:
 *                 ReadBulk answers UNSUPPORTED).
 *
 * One thread, two endpoints, the shared ring: no locks. The service
 * framework (capos/service.h) serves both: logd binds `wake` to its
 * thread, the framework asks the kernel to signal it whenever a reader's
 * call has to wait on `reader` (NOTIFY_ARRIVAL) and blocks in Recv on
 * `sink`; a reader waiting is served before the next writer, so a burst of
 * writers cannot starve a reader, and nothing polls.
 *
 * Forwarding never delays the writer: the reply goes first (the
 * framework's after_reply), then the line goes to the console. The
 * console never calls the log, so the Call to it cannot deadlock; the
 * clock (if granted) cannot hold log.sink either (the manifest validator
 * refuses the cycle), so the WallTime call inside Write cannot deadlock.
 */
#include <string.h>

#include <capos/bulk_window.h>
#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/service.h>
#include <capos/startup.h>
#include <capos/stop.h>

#include "clock.capos.h"
#include "console.capos.h"
#include "log_service.h"

int main(uint64_t arg);


static struct log_state state;
static struct capos_server srv;
static struct capos_client_names sources;

static capos_cap_t kinfo = CAPOS_NO_CAP;
static capos_cap_t wallclock = CAPOS_NO_CAP;
static capos_cap_t console = CAPOS_NO_CAP;
static int console_is_endpoint;

/* The line of the record accepted by the call being served, sent once the
 * writer has its reply. */
static char line[LOG_LINE_MAX];
static size_t line_len;

static void stamp(void *arg, capos_Timestamp *ts)
{
	(void)arg;
	struct capos_kinfo_stats ks;
	if (kinfo != CAPOS_NO_CAP && capos_kinfo_stats(kinfo, &ks) == CAPOS_OK)
		ts->monotonic_ns = ks.now_ns;
	if (wallclock == CAPOS_NO_CAP)
		return;
	capos_Empty e = capos_Empty_init_zero;
	capos_WallTimeReading w;
	if (wallclock_wall_time(wallclock, &e, &w) == CAPOS_OK) {
		ts->wall_seconds = w.seconds;
		ts->wall_nanoseconds = w.nanoseconds;
		ts->provenance = w.provenance;
	}
	capos_MonotonicReading m;
	if (kinfo == CAPOS_NO_CAP && wallclock_monotonic_time(wallclock, &e, &m) == CAPOS_OK)
		ts->monotonic_ns = m.nanoseconds;
}

/* A forwarded line is one Console.Write: escaping can make it up to four
 * times the record, so log_format_line cuts it to what one Write holds. */
_Static_assert(LOG_LINE_MAX - 1 <= sizeof(((capos_ConsoleWrite *)0)->data.bytes),
	       "a forwarded line must fit one Console.Write");

static void keep_line(void *arg, const capos_LogRecord *rec)
{
	(void)arg;
	line_len = log_format_line(rec, line, sizeof(line));
	if (line_len)
		capos_server_after_reply(&srv); /* the writer first, then the line */
}

/* Sends the kept line to the console. Failures are dropped: the record is
 * in the ring either way, and a console that died must not stop logging. */
static void forward_line(void *ctx)
{
	(void)ctx;
	size_t n = line_len;
	line_len = 0;
	if (console == CAPOS_NO_CAP || n == 0)
		return;
	if (console_is_endpoint) {
		static capos_ConsoleWrite w;
		capos_ConsoleWriteResult r;
		memcpy(w.data.bytes, line, n);
		w.data.size = (pb_size_t)n;
		(void)console_write(console, &w, &r);
	} else {
		/* COM1 directly (test images): the debug writer adds the \r. */
		capos_debug_write(line, n - 2);
		capos_debug_write("\n", 1);
	}
}

/* ReadBulk's window (capos/bulk_window.h): the caller's SharedBuffer is
 * mapped here during the call (its first 16 pages at most) and unmapped
 * after, so logd keeps nothing of a reader's memory between calls. */
static struct capos_bulk_window window = { CAPOS_NO_CAP, 0x0000500000000000ull, 16u };

/* The stop hook (capos/stop.h): the line a reply was waiting to send
 * goes out, then the final counts. */
static void on_stop(void *ctx)
{
	(void)ctx;
	forward_line(NULL);
	capos_printf("logd: stopping: %lu records accepted, %u held, %lu overwritten, %lu below "
		     "the floor\n",
		     (unsigned long)(state.next_seq - 1), (unsigned)state.count,
		     (unsigned long)state.overwritten, (unsigned long)state.dropped_at_sink);
}

static const char *param(void *arg, const char *key)
{
	(void)arg;
	return capos_param(key);
}

int main(uint64_t arg)
{
	(void)arg;
	capos_cap_t sink = capos_cap_lookup("sink"), reader = capos_cap_lookup("reader");
	if (sink == CAPOS_NO_CAP || reader == CAPOS_NO_CAP) {
		capos_printf("logd: needs both endpoints, sink and reader\n");
		return 1;
	}
	kinfo = capos_cap_lookup("kinfo");
	wallclock = capos_cap_lookup("clock");
	uint32_t type = 0;
	console = capos_cap_lookup_type("console", &type);
	console_is_endpoint = type == CAPOS_CAP_ENDPOINT;

	uint64_t ring = capos_param_u64("log_ring_records", 0);
	capos_LogLevel floor = log_floor_from_number(capos_param_u64("log_level", 0));
	log_init(&state, ring > LOG_RING_MAX ? LOG_RING_MAX : (uint32_t)ring, floor, stamp, NULL);
	capos_client_names_load(&sources, param, NULL);
	log_set_sources(&state, sources.entries, sources.count);
	log_set_forward(&state, keep_line, NULL);
	window.self = capos_cap_lookup("self");
	if (window.self != CAPOS_NO_CAP)
		log_set_buffers(&state, capos_bulk_window_map, capos_bulk_window_unmap, &window);

	capos_cap_t thread = capos_cap_lookup("thread"), wake = capos_cap_lookup("wake");
	capos_server_init(&srv, capos_cap_lookup("capmgr"), &state);
	capos_server_add(&srv, sink, logsink_service(&log_sink_ops, &state));
	capos_server_add(&srv, reader, logreader_service(&log_reader_ops, &state));
	srv.after_reply = forward_line;
	if (thread == CAPOS_NO_CAP || wake == CAPOS_NO_CAP || srv.capmgr == CAPOS_NO_CAP ||
	    capos_server_bind(&srv, thread, wake) != CAPOS_OK) {
		capos_printf("logd: needs `thread`, `capmgr` (WRITE) and `wake` to serve two "
			     "endpoints from one thread (docs/servers/log.md)\n");
		return 1;
	}
	capos_on_stop(on_stop, NULL);
	capos_printf("logd: serving sink and reader, ring of %u records, floor %d\n",
		     (unsigned)state.capacity, (int)floor);
	return capos_service_main(&srv);
}
