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
 *   params        log_level (the floor), log_ring_records (ring size; 0 the
 *                 default), badge.N (the component behind badge N).
 *
 * One thread, two endpoints. The kernel has no wait on several endpoints,
 * and a second thread needs a Process cap a manifest component does not
 * get, so the thread takes turns with timed Recv: after each call it polls
 * the other endpoint (neither side can starve the other), then waits on
 * the sink - writers block in their Call and are the frequent side -
 * waking every `idle` ns to poll the reader (1 ms, doubling up to 32 ms
 * while nothing comes). After a read it first lingers on the reader for a
 * moment, so a reader paging through the ring is not delayed per page.
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
#include <capos/startup.h>
#include <capos/syscall.h>

#include "clock.capos.h"
#include "console.capos.h"
#include "log_service.h"

int main(uint64_t arg);

#define NS_PER_MS 1000000ull
#define IDLE_MIN_NS (1 * NS_PER_MS)
#define IDLE_MAX_NS (32 * NS_PER_MS)
#define LINGER_NS (2 * NS_PER_MS)

enum { SINK = 0, READER = 1 };

static struct log_state state;
static struct log_source_table sources;

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

/* Recv (or, when a reply is owed, ReplyRecv) on ep with a timeout. */
static capos_status_t take(capos_cap_t ep, uint64_t timeout_ns, int *owe)
{
	capos_status_t st = *owe ? capos_reply_recv_timeout(ep, timeout_ns)
				 : capos_recv_timeout(ep, timeout_ns);
	*owe = 0; /* the reply goes first, whatever the Recv answers */
	return st;
}

static capos_status_t serve(capos_cap_t ep[2])
{
	struct capos_ipc_buffer *b = capos_ipc();
	static const capos_rpc_dispatch_fn dispatch[2] = { logsink_dispatch,
							   logreader_dispatch };
	static const void *const ops[2] = { &log_sink_ops, &log_reader_ops };
	capos_status_t st;
	int side = SINK, owe = 0;
	uint64_t idle = IDLE_MIN_NS;

	for (;;) {
		int got = -1;
		/* Fairness: the endpoint not served last, without waiting. */
		st = take(ep[!side], CAPOS_WAIT_POLL, &owe);
		if (st == CAPOS_OK)
			got = !side;
		else if (st != CAPOS_WOULD_BLOCK)
			return st;
		while (got < 0) {
			int w = side; /* the reader only right after a read */
			st = take(ep[w], w == READER ? LINGER_NS : idle, &owe);
			if (st == CAPOS_OK) {
				got = w;
				break;
			}
			if (st != CAPOS_TIMEOUT)
				return st;
			if (w == READER) {
				side = SINK; /* the reader has finished paging */
				continue;
			}
			if (idle < IDLE_MAX_NS)
				idle *= 2;
			st = take(ep[READER], CAPOS_WAIT_POLL, &owe);
			if (st == CAPOS_OK)
				got = READER;
			else if (st != CAPOS_WOULD_BLOCK)
				return st;
		}
		side = got;
		idle = IDLE_MIN_NS;
		if (b->kind == CAPOS_RECV_SIGNAL)
			continue; /* no notification is bound: nothing to do */

		struct capos_rpc_request rq = {
			.label = b->label,
			.badge = b->badge,
			.body = b->body,
			.len = b->len,
			.out = b->body, /* decoded before the handler runs */
			.out_cap = CAPOS_MSG_BODY_MAX,
		};
		line_len = 0;
		capos_status_t result = dispatch[side](ops[side], &state, &rq);
		b->label = (uint64_t)result;
		b->len = result == CAPOS_OK ? rq.out_len : 0;
		b->ncaps = 0;
		owe = 1;
		if (line_len) {
			/* Reply alone (no endpoint to Recv on: the kernel replies,
			 * then answers INVALID_CAP), then the console. */
			(void)capos_syscall1(CAPOS_SYS_REPLY_RECV, CAPOS_NO_CAP);
			owe = 0;
			forward_line();
		}
	}
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
	log_sources_load(&sources, param, NULL);
	log_set_sources(&state, sources.entries, sources.count);
	log_set_forward(&state, keep_line, NULL);

	/* Tell init this server now takes calls (docs/init.md). */
	capos_cap_t ready = capos_cap_lookup("ready");
	if (ready != CAPOS_NO_CAP)
		capos_signal(ready, 1);
	capos_status_t st = serve(ep);
	/* Retargeted away (a restarted logd took the endpoints): done. */
	return st == CAPOS_RETARGETED ? 0 : (int)st;
}
