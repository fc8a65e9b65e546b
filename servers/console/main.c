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
 * One thread, one loop. With `thread` the IRQ notification is bound, so one
 * Recv returns either a call or the IRQ's signal. Without it the loop wakes
 * every CONSOLE_POLL_NS to poll the notification and the UART. A read that
 * cannot be answered at once is deferred: its Reply cap is saved (needs
 * `capmgr`) and answered later with Send, so Writes from every other
 * component keep flowing while a shell waits for a line. Without `capmgr`
 * such a read is answered LIMIT_EXCEEDED; without `kinfo` a finite timeout
 * does not wait (TIMEOUT when nothing is there).
 */
#include <stdint.h>
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/rpc.h>
#include <capos/service.h>
#include <capos/startup.h>
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
	/* Free slots reserved for saved Reply caps (a stack). */
	uint32_t pool[CONSOLE_WAITERS_MAX];
	uint32_t npool;
} g;

static struct console_state state;

/* A received call, copied out of the IPC buffer so that input handling and
 * deadline expiry (which answer other callers through the same buffer) can
 * run before it is dispatched. */
static struct {
	uint64_t label, badge;
	uint32_t len;
	struct capos_cap_list caps; /* slots of our table until the dispatch settles them */
	uint8_t body[CAPOS_MSG_BODY_MAX];
} msg;

/* ---- hooks for console_service ---- */

static capos_status_t uart_write(void *arg, const uint8_t *data, uint32_t len)
{
	(void)arg;
	while (len) {
		uint32_t n = len < CAPOS_IOPORT_STRING_MAX ? len : CAPOS_IOPORT_STRING_MAX;
		capos_status_t st = capos_port_write_string(g.port, COM1, COM1_LSR, LSR_THRE, data, n);
		if (st != CAPOS_OK)
			return st;
		data += n;
		len -= n;
	}
	return CAPOS_OK;
}

static uint64_t kinfo_clock(void *arg)
{
	(void)arg;
	static uint64_t last;
	struct capos_kinfo_stats st;
	if (capos_kinfo_stats(g.kinfo, &st) == CAPOS_OK)
		last = st.now_ns;
	return last;
}

/* Answers a deferred caller through its saved Reply cap; the slot is free
 * again afterwards (a Reply cap is used up by its Send, whatever happens). */
static void answer_saved(void *arg, uint32_t slot, capos_status_t status,
			 const capos_ConsoleInput *resp)
{
	(void)arg;
	struct capos_ipc_buffer *b = capos_ipc();
	uint32_t len = 0;
	if (status == CAPOS_OK) {
		struct capos_rpc_request rq = { .out = b->body, .out_cap = CAPOS_MSG_BODY_MAX };
		if (capos_rpc_encode(&rq, &capos_ConsoleInput_msg, resp) == CAPOS_OK)
			len = rq.out_len;
		else
			status = CAPOS_INVALID_ARGUMENT; /* cannot happen: bounded */
	}
	b->label = (uint64_t)status;
	b->len = len;
	b->ncaps = 0;
	/* DISCONNECTED when the caller died meanwhile: its bytes are gone. */
	(void)capos_send(slot);
	if (g.npool < CONSOLE_WAITERS_MAX)
		g.pool[g.npool++] = slot;
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

/* ---- reply slots ---- */

/* Reserves up to CONSOLE_WAITERS_MAX free slots, from the top of the table
 * (the kernel fills the lowest free slots with anything it hands us). */
static void reserve_slots(void)
{
	static struct capos_capmgr_list_result list;
	static uint8_t used[1024 / 8];
	uint32_t size = 0;
	if (g.capmgr == CAPOS_NO_CAP)
		return;
	for (uint32_t first = 0;;) {
		if (capos_cap_list(g.capmgr, first, CAPOS_CAPMGR_LIST_MAX, &list) != CAPOS_OK)
			return;
		size = list.table_size;
		for (uint32_t i = 0; i < list.count; i++)
			if (list.entries[i].slot < sizeof(used) * 8)
				used[list.entries[i].slot / 8] |= (uint8_t)(1u << (list.entries[i].slot % 8));
		if (list.next >= size || list.next <= first)
			break;
		first = list.next;
	}
	if (size > sizeof(used) * 8)
		size = sizeof(used) * 8;
	for (uint32_t s = size; s-- > 0 && g.npool < CONSOLE_WAITERS_MAX;)
		if (!(used[s / 8] & (1u << (s % 8))))
			g.pool[g.npool++] = s;
}

/* ---- the loop ---- */

static int has_deadline(void)
{
	return console_next_deadline(&state) != CONSOLE_NO_DEADLINE;
}

/* What the loop does besides calls: input when not bound, expiry. */
static void housekeeping(void)
{
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
static uint64_t next_wait(void)
{
	uint64_t w = CAPOS_WAIT_FOREVER;
	if (state.clock && has_deadline())
		w = console_wait_ns(&state, state.clock(state.clock_arg));
	if (!g.bound && w > CONSOLE_POLL_NS)
		w = CONSOLE_POLL_NS;
	return w;
}

/* Dispatches the copied call. Returns 1 when the reply is in the IPC
 * buffer (for ReplyRecv), 0 when the caller was deferred (its Reply cap
 * saved). */
static int dispatch(void)
{
	/* Field by field: an initializer would zero both cap lists first. */
	struct capos_rpc_request rq;
	rq.label = msg.label;
	rq.badge = msg.badge;
	rq.client = NULL;
	rq.body = msg.body;
	rq.len = msg.len;
	rq.out = capos_ipc()->body;
	rq.out_cap = CAPOS_MSG_BODY_MAX;
	rq.out_len = 0;
	rq.caps_in = msg.caps;
	rq.caps_out.count = 0;
	rq.caps_out.move = 0;
	uint32_t slot = g.npool ? g.pool[g.npool - 1] : CONSOLE_NO_HANDLE;
	state.defer_handle = slot;
	capos_status_t r = console_dispatch(&console_service_ops, &state, &rq);
	state.defer_handle = CONSOLE_NO_HANDLE;
	if (r == CONSOLE_DEFERRED) {
		capos_status_t st = capos_cap_save_reply(g.capmgr, slot);
		if (st == CAPOS_OK) {
			g.npool--;
			/* No reply now: this only deletes caps the call carried
			 * (the IPC buffer it fills is not sent). */
			capos_service_put_reply(&rq, r);
			return 0;
		}
		/* Could not keep the caller: take it out of the queue and say so. */
		console_cancel(&state, slot);
		if (st == CAPOS_SLOT_OCCUPIED)
			g.npool--; /* someone else's now: not ours to reuse */
		r = CAPOS_LIMIT_EXCEEDED;
	}
	capos_service_put_reply(&rq, r);
	return 1;
}

/* Takes a received call out of the IPC buffer, with the caps it carried
 * (the console's methods take none: the dispatcher refuses such a call,
 * and capos_service_put_reply deletes them through `capmgr`). */
static void take_message(void)
{
	struct capos_ipc_buffer *b = capos_ipc();
	msg.label = b->label;
	msg.badge = b->badge;
	msg.len = b->len <= CAPOS_MSG_BODY_MAX ? b->len : CAPOS_MSG_BODY_MAX;
	memcpy(msg.body, b->body, msg.len);
	uint32_t n = b->ncaps <= CAPOS_MSG_MAX_CAPS ? b->ncaps : 0;
	msg.caps.count = n;
	msg.caps.move = 0;
	for (uint32_t i = 0; i < n; i++)
		msg.caps.cap[i] = b->caps[i];
}

static capos_status_t serve(void)
{
	struct capos_ipc_buffer *b = capos_ipc();
	capos_status_t st = capos_recv_timeout(g.ep, next_wait());
	for (;;) {
		int reply = 0;
		if (st == CAPOS_OK && b->kind == CAPOS_RECV_SIGNAL) {
			uart_interrupt();
			housekeeping();
		} else if (st == CAPOS_OK) {
			take_message();
			housekeeping();
			/* The wait is computed before dispatching: the clock is a
			 * Call, and after dispatch the buffer holds the reply. A new
			 * deferral (which may bring an earlier deadline) has no reply
			 * pending, so it is recomputed below. */
			uint64_t w = next_wait();
			reply = dispatch();
			if (reply) {
				st = capos_reply_recv_timeout(g.ep, w);
				continue;
			}
		} else if (st == CAPOS_TIMEOUT || st == CAPOS_WOULD_BLOCK) {
			housekeeping();
		} else {
			return st; /* RETARGETED (live upgrade), or the endpoint is gone */
		}
		st = capos_recv_timeout(g.ep, next_wait());
	}
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

	console_init(&state, uart_write, NULL, answer_saved, NULL,
		     g.kinfo != CAPOS_NO_CAP ? kinfo_clock : NULL, NULL);
	if (g.irq != CAPOS_NO_CAP && g.thread != CAPOS_NO_CAP &&
	    capos_thread_bind(g.thread, g.irq) == CAPOS_OK)
		g.bound = 1;
	if (!uart_init())
		return 2;
	reserve_slots();
	capos_printf("console: serving COM1 (%s, %u reply slots, %s)\n",
		     g.bound ? "irq bound" : g.irq != CAPOS_NO_CAP ? "irq polled" : "polling",
		     (unsigned)g.npool, g.kinfo != CAPOS_NO_CAP ? "clock" : "no clock");

	capos_cap_t ready = capos_cap_lookup("ready");
	if (ready != CAPOS_NO_CAP)
		(void)capos_service_ready(ready, 1);

	capos_status_t st = serve();
	/* Whoever waits gets DISCONNECTED now rather than when we are gone;
	 * a retried read reaches the new console. */
	console_answer_all(&state, CAPOS_DISCONNECTED);
	return st == CAPOS_RETARGETED ? 0 : (int)st;
}
