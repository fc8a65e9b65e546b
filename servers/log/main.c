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
 *                 default), badge.N (the component behind badge N).
 *
 * One thread, two endpoints, the shared ring: no locks. logd binds `wake` to its thread and asks the kernel
 * to signal it whenever a reader's call has to wait on `reader`
 * (NOTIFY_ARRIVAL). It then blocks in Recv on `sink`; a SIGNAL wake-up
 * means readers wait, and it serves them with non-blocking RecvTimeout
 * until none is left, then goes back to the sink. Nothing polls, and a
 * burst of writers cannot starve a reader: a pending signal ends the next
 * Recv on the sink before any queued writer.
 *
 * Forwarding never delays the writer: the reply goes first (ReplyRecv on
 * no endpoint only replies), then the line goes to the console. The
 * console never calls the log, so the Call to it cannot deadlock; the
 * clock (if granted) cannot hold log.sink either (the manifest validator
 * refuses the cycle), so the WallTime call inside Write cannot deadlock.
 */
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/service.h>
#include <capos/startup.h>
#include <capos/syscall.h>

#include "clock.capos.h"
#include "console.capos.h"
#include "log_service.h"

int main(uint64_t arg);


enum { SINK = 0, READER = 1 };

static struct log_state state;
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
	/* The IPC buffer still holds the decoded request's bytes, but the
	 * dispatcher has decoded them already and encodes the reply after
	 * this returns: a Call from here is safe. */
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

static void keep_line(void *arg, const capos_LogRecord *rec)
{
	(void)arg;
	line_len = log_format_line(rec, line, sizeof(line));
}

/* Sends the kept line to the console. Failures are dropped: the record is
 * in the ring either way, and a console that died must not stop logging. */
static void forward_line(void)
{
	if (console == CAPOS_NO_CAP || line_len == 0)
		return;
	if (console_is_endpoint) {
		static capos_ConsoleWrite w;
		capos_ConsoleWriteResult r;
		memcpy(w.data.bytes, line, line_len);
		w.data.size = (pb_size_t)line_len;
		(void)console_write(console, &w, &r);
	} else {
		/* COM1 directly (test images): the debug writer adds the \r. */
		capos_debug_write(line, line_len - 2);
		capos_debug_write("\n", 1);
	}
}

static const char *param(void *arg, const char *key)
{
	(void)arg;
	return capos_param(key);
}

/* The two sides, by index (SINK, READER); set by main. */
static struct capos_rpc_service services[2];

/* One received call on `side`, answered in the IPC buffer. Returns 1
 * when a reply is owed (always, for a call). The accepted record's console
 * line is forwarded after the reply, so writers never wait for the UART. */
static int handle(int side)
{
	struct capos_rpc_request rq;
	capos_service_request(&rq, capos_ipc()); /* before stamp()'s calls overwrite it */
	line_len = 0;
	capos_status_t result = capos_rpc_service_dispatch(&services[side], &rq);
	capos_service_put_reply(&rq, result);
	if (!line_len)
		return 1;
	/* Reply alone (no endpoint to Recv on: the kernel replies, then
	 * answers INVALID_CAP), then the console. */
	(void)capos_syscall1(CAPOS_SYS_REPLY_RECV, CAPOS_NO_CAP);
	forward_line();
	return 0;
}

#define WAKE_READER 1ull

/* The event-driven loop (the file's comment). */
static capos_status_t serve_events(capos_cap_t ep[2])
{
	struct capos_ipc_buffer *b = capos_ipc();
	/* Readers that queued before the arrival notification was set were
	 * not signalled: look at the reader first. */
	int side = READER, owe = 0;
	for (;;) {
		capos_status_t st;
		if (side == READER) {
			st = owe ? capos_reply_recv_timeout(ep[READER], CAPOS_WAIT_POLL)
				 : capos_recv_timeout(ep[READER], CAPOS_WAIT_POLL);
			owe = 0; /* the reply went first, whatever came next */
			if (st == CAPOS_WOULD_BLOCK) {
				side = SINK; /* no reader left waiting */
				continue;
			}
		} else {
			st = owe ? capos_reply_recv(ep[SINK]) : capos_recv(ep[SINK]);
			owe = 0;
		}
		if (st != CAPOS_OK)
			return st; /* RETARGETED: a restarted logd took over */
		if (b->kind == CAPOS_RECV_SIGNAL) {
			if (b->signals & WAKE_READER)
				side = READER;
			continue;
		}
		owe = handle(side);
	}
}

/* Binds `wake` to this thread and has the reader's arrivals signal it;
 * 0 when a cap is missing or the kernel refuses (the caller falls back). */
static int setup_events(capos_cap_t reader)
{
	capos_cap_t thread = capos_cap_lookup("thread"), mgr = capos_cap_lookup("capmgr"),
		    wake = capos_cap_lookup("wake");
	if (thread == CAPOS_NO_CAP || mgr == CAPOS_NO_CAP || wake == CAPOS_NO_CAP)
		return 0;
	if (capos_thread_bind(thread, wake) != CAPOS_OK)
		return 0;
	return capos_notify_arrival(mgr, reader, wake, WAKE_READER) == CAPOS_OK;
}

int main(uint64_t arg)
{
	(void)arg;
	capos_cap_t ep[2] = { capos_cap_lookup("sink"), capos_cap_lookup("reader") };
	if (ep[SINK] == CAPOS_NO_CAP || ep[READER] == CAPOS_NO_CAP) {
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
	services[SINK] = logsink_service(&log_sink_ops, &state);
	services[READER] = logreader_service(&log_reader_ops, &state);

	if (!setup_events(ep[READER])) {
		capos_printf("logd: needs `thread`, `capmgr` (WRITE) and `wake` to serve two "
			     "endpoints from one thread (docs/servers/log.md)\n");
		return 1;
	}
	capos_printf("logd: serving sink and reader, ring of %u records, floor %d\n",
		     (unsigned)state.capacity, (int)floor);
	/* Tell init this server now takes calls (docs/init.md). */
	capos_cap_t ready = capos_cap_lookup("ready");
	if (ready != CAPOS_NO_CAP)
		capos_signal(ready, 1);
	capos_status_t st = serve_events(ep);
	/* Retargeted away (a restarted logd took the endpoints): done. */
	return st == CAPOS_RETARGETED ? 0 : (int)st;
}
