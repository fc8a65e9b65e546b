/*
 * console - the serial console server (idl/console.proto) on the target:
 * the only process that touches COM1 (docs/servers/console.md).
 *
 * Startup caps (names in the startup page):
 *   console  the endpoint it serves (RECV)                      required
 *   port     IOPort for 0x3f8..0x3ff                            required
 *   irq      notification signalled on IRQ 4 (RECV)             optional
 *   irq_ack  the IRQHandler for IRQ 4                           optional
 *   thread   its own Thread (CONTROL), to bind `irq` to         optional
 *   capmgr   a manager of its own table, to save Reply caps     optional
 *   kinfo    KernelInfo (READ), the clock for finite timeouts   optional
 *   ready    init's readiness notification
 *
 * One thread on the service framework (capos/service.h). With `thread` the
 * IRQ notification is bound, so one Recv returns either a call or the
 * IRQ's signal (the `signal` hook). Without it the framework's wait is
 * bounded by CONSOLE_POLL_NS and the `tick` hook polls the notification
 * and the UART, before every call too. A read that cannot be answered at
 * once is deferred: the framework keeps its Reply cap (needs `capmgr`) and
 * answer_saved answers it later, so Writes from every other component keep
 * flowing while a shell waits for a line. Without `capmgr` such a read is
 * answered LIMIT_EXCEEDED; without `kinfo` a finite timeout does not wait
 * (TIMEOUT when nothing is there).
 */
#include <stdint.h>
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/port_writer.h>
#include <capos/rpc.h>
#include <capos/service.h>
#include <capos/startup.h>
#include <capos/stop.h>
#include <capos/syscall.h>
#include <capos/uart.h>

#include "console_service.h"


/* Without a bound notification: how often the loop looks for input. */
#define CONSOLE_POLL_NS 10000000ull
/* Bytes one drain may take, so a stuck line status cannot hold the loop. */
#define DRAIN_MAX 4096u

int main(uint64_t arg);

static struct {
	capos_cap_t ep, port, irq, irq_ack, thread, capmgr, kinfo;
	int bound; /* irq is bound to this thread: Recv reports its signals */
} g;

static struct console_state state;
static struct capos_server srv;

/* ---- hooks for console_service ---- */

static uint64_t kinfo_clock(void *arg)
{
	(void)arg;
	static uint64_t last;
	struct capos_kinfo_stats st;
	if (capos_kinfo_stats(g.kinfo, &st) == CAPOS_OK)
		last = st.now_ns;
	return last;
}

/* Answers a deferred caller through the Reply cap the framework kept. */
static void answer_saved(void *arg, uint32_t slot, capos_status_t status,
			 const capos_ConsoleInput *resp)
{
	(void)arg;
	/* DISCONNECTED when the caller died meanwhile: its bytes are gone. */
	(void)capos_server_answer(&srv, slot, status, &capos_ConsoleInput_msg, resp, NULL);
}

/* ---- the UART ---- */

static int in8(uint16_t port, uint8_t *v)
{
	uint32_t x = 0;
	if (capos_port_in(g.port, port, 1, &x) != CAPOS_OK)
		return 0;
	*v = (uint8_t)x;
	return 1;
}

static int out8(uint16_t port, uint8_t v)
{
	return capos_port_out(g.port, port, 1, v) == CAPOS_OK;
}

/* Takes every byte the UART holds into the console's ring. It must empty
 * the FIFO: the pin is edge-triggered, and bytes left behind would keep
 * the UART's line high so that no new edge (interrupt) ever came. */
static void drain(void)
{
	uint8_t buf[64], lsr, c;
	uint32_t n = 0;
	for (uint32_t i = 0; i < DRAIN_MAX && in8(COM1_LSR, &lsr) && (lsr & LSR_DATA); i++) {
		if (!in8(COM1_RBR, &c))
			break;
		buf[n++] = c;
		if (n == sizeof(buf)) {
			console_input(&state, buf, n);
			n = 0;
		}
	}
	if (n)
		console_input(&state, buf, n);
}

/* After an interrupt: drain, unmask the pin, drain again. A byte that came
 * between the first drain and the ack raised the line while the pin was
 * masked, so its edge was lost; reading it lowers the line again, and the
 * next byte makes a fresh edge. */
static void uart_interrupt(void)
{
	drain();
	if (g.irq_ack != CAPOS_NO_CAP)
		(void)capos_irq_ack(g.irq_ack);
	drain();
}

static int uart_init(void)
{
	uint8_t mcr;
	if (!in8(COM1_MCR, &mcr))
		return 0;
	/* Bytes typed before the console started are kept as input. */
	drain();
	if (g.irq == CAPOS_NO_CAP)
		return 1; /* polling only: no interrupt wanted */
	return out8(COM1_FCR, FCR_FIFO) && out8(COM1_MCR, (uint8_t)(mcr | MCR_OUT2)) &&
	       out8(COM1_IER, IER_RDA);
}

/* ---- the loop ---- */

static int has_deadline(void)
{
	return console_next_deadline(&state) != CONSOLE_NO_DEADLINE;
}

/* What the loop does besides calls (the framework's tick, also before
 * every call): input when not bound, expiry. */
static void housekeeping(void *ctx)
{
	(void)ctx;
	if (!g.bound) {
		int signalled = g.irq != CAPOS_NO_CAP && capos_wait(g.irq, CAPOS_WAIT_POLL) == CAPOS_OK;
		if (signalled)
			uart_interrupt();
		else
			drain(); /* also covers a lost edge, or no IRQ at all */
	}
	if (state.clock && has_deadline())
		console_expire(&state, state.clock(state.clock_arg));
}

/* How long the next Recv may block (ns; CAPOS_WAIT_FOREVER, 0 = poll). */
static uint64_t next_wait(void *ctx)
{
	(void)ctx;
	uint64_t w = CAPOS_WAIT_FOREVER;
	if (state.clock && has_deadline())
		w = console_wait_ns(&state, state.clock(state.clock_arg));
	if (!g.bound && w > CONSOLE_POLL_NS)
		w = CONSOLE_POLL_NS;
	return w;
}

static void irq_signal(void *ctx, uint64_t bits)
{
	(void)ctx;
	(void)bits;
	uart_interrupt();
}

/* Read and ReadLine may defer: they learn from defer_handle where the
 * framework would keep this caller's Reply cap (console_service.h). */
static capos_status_t read_op(void *ctx, struct capos_rpc_request *rq,
			      const capos_ConsoleRead *req, capos_ConsoleInput *resp)
{
	state.defer_handle = rq->defer_slot;
	capos_status_t st = console_service_ops.read(ctx, rq, req, resp);
	state.defer_handle = CONSOLE_NO_HANDLE;
	return st;
}

static capos_status_t read_line_op(void *ctx, struct capos_rpc_request *rq,
				   const capos_ConsoleReadLine *req, capos_ConsoleInput *resp)
{
	state.defer_handle = rq->defer_slot;
	capos_status_t st = console_service_ops.read_line(ctx, rq, req, resp);
	state.defer_handle = CONSOLE_NO_HANDLE;
	return st;
}

/* The framework could not keep a deferred reader's Reply cap: it is
 * answered LIMIT_EXCEEDED now, so take it out of the queue. */
static void defer_failed(void *ctx, capos_cap_t slot)
{
	(void)ctx;
	console_cancel(&state, slot);
}

/* The stop hook (capos/stop.h): the console's last line, straight to
 * the UART like all its own output. */
static void on_stop(void *ctx)
{
	(void)ctx;
	capos_printf("console: stopping: %lu bytes written, %lu bytes read\n",
		     (unsigned long)state.bytes_out, (unsigned long)state.bytes_in);
}

static capos_cap_t lookup2(const char *a, const char *b)
{
	capos_cap_t c = capos_cap_lookup(a);
	return c != CAPOS_NO_CAP ? c : capos_cap_lookup(b);
}

int main(uint64_t arg)
{
	(void)arg;
	g.ep = capos_cap_lookup("console");
	g.port = capos_cap_lookup("port");
	if (g.ep == CAPOS_NO_CAP || g.port == CAPOS_NO_CAP)
		return 1; /* nothing to serve, or no UART to serve it with */
	/* Our own printf goes straight to the UART: "console" here is the
	 * endpoint we serve, and calling it would be calling ourselves. */
	capos_debug_port = g.port;
	capos_debug_set_console(CAPOS_NO_CAP);
	g.irq = capos_cap_lookup("irq");
	g.irq_ack = capos_cap_lookup("irq_ack");
	g.thread = capos_cap_lookup("thread");
	g.capmgr = capos_cap_lookup("capmgr");
	g.kinfo = lookup2("kinfo", "kernel_info");

	/* Writes to COM1 go through the runtime's UART try: WOULD_BLOCK from
	 * a busy UART is retried from where it stopped, yielding between
	 * tries, and given up after a bound (console_service.h). */
	console_init(&state, capos_uart_try_write, &g.port, answer_saved, NULL,
		     g.kinfo != CAPOS_NO_CAP ? kinfo_clock : NULL, NULL);
	state.out.pause = capos_uart_pause;
	state.out.chunk_max = CAPOS_IOPORT_STRING_MAX;
	capos_server_init(&srv, g.capmgr, &state);
	static struct console_ops ops;
	ops = console_service_ops;
	ops.read = read_op;
	ops.read_line = read_line_op;
	capos_server_add(&srv, g.ep, console_service(&ops, &state));
	if (g.irq != CAPOS_NO_CAP && g.thread != CAPOS_NO_CAP &&
	    capos_server_bind(&srv, g.thread, g.irq) == CAPOS_OK)
		g.bound = 1;
	if (!uart_init())
		return 2;
	uint32_t slots = capos_server_reserve_replies(&srv, CONSOLE_WAITERS_MAX);
	srv.signal = irq_signal;
	srv.tick = housekeeping;
	srv.tick_calls = 1;
	srv.wait_ns = next_wait;
	srv.defer_failed = defer_failed;
	capos_printf("console: serving COM1 (%s, %u reply slots, %s)\n",
		     g.bound ? "irq bound" : g.irq != CAPOS_NO_CAP ? "irq polled" : "polling",
		     (unsigned)slots, g.kinfo != CAPOS_NO_CAP ? "clock" : "no clock");

	capos_on_stop(on_stop, NULL);
	int rc = capos_service_main(&srv);
	/* Whoever waits gets DISCONNECTED now rather than when we are gone;
	 * a retried read reaches the new console. */
	console_answer_all(&state, CAPOS_DISCONNECTED);
	return rc;
}
