/*
 * fuzz_srv_console: Console (servers/console/console_service.c) behind its
 * generated dispatcher, with the serve loop's part of the deferral
 * protocol played here: a fresh handle before every call, answers taken
 * by the `answer` hook. Feed records are UART bytes (outside input too),
 * each 100 ms after the last, with expired readers answered TIMEOUT.
 *
 * Checked besides the driver's rules: a deferred reader is answered at
 * most once, only with OK (a body that encodes) or TIMEOUT, and never one
 * that was not deferred; the ring, the line and the waiter queue stay
 * within bounds; and a Write still reaches the UART unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.capos.h"
#include "console_service.h"
#include "dispatch_fuzz.h"

#define CONSOLE 5
#define NS_MS 1000000ull
#define MAX_HANDLES 64u

static struct console_state state;
static uint64_t now;
static uint8_t uart_tail[8]; /* the last bytes written */
static uint32_t next_handle;
static uint8_t deferred[MAX_HANDLES], answered[MAX_HANDLES];

static void fail(const char *what)
{
	fprintf(stderr, "fuzz console: %s\n", what);
	abort();
}

/* A slow UART: every third try takes half of what it is given and
 * answers WOULD_BLOCK, so the writer's retries run under the fuzzer too
 * (it always takes something: the known-good Write must still arrive). */
static capos_status_t uart_write(void *arg, const uint8_t *data, uint32_t len,
				 uint32_t *written)
{
	static uint32_t tries;
	(void)arg;
	uint32_t take = ++tries % 3 == 0 && len > 1 ? len / 2 : len;
	for (uint32_t i = 0; i < take; i++) {
		memmove(uart_tail, uart_tail + 1, sizeof(uart_tail) - 1);
		uart_tail[sizeof(uart_tail) - 1] = data[i];
	}
	*written = take;
	return take == len ? CAPOS_OK : CAPOS_WOULD_BLOCK;
}

static void answer(void *arg, uint32_t handle, capos_status_t status,
		   const capos_ConsoleInput *resp)
{
	(void)arg;
	if (handle >= MAX_HANDLES || !deferred[handle] || answered[handle])
		fail("a reader answered twice, or one never deferred");
	answered[handle] = 1;
	if (status == CAPOS_OK) {
		uint8_t buf[CAPOS_MSG_BODY_MAX];
		struct capos_rpc_request rq = { .out = buf, .out_cap = sizeof(buf) };
		if (!resp || capos_rpc_encode(&rq, &capos_ConsoleInput_msg, resp) != CAPOS_OK)
			fail("a deferred answer does not encode");
	} else if (status != CAPOS_TIMEOUT || resp) {
		fail("a deferred answer that is neither OK nor TIMEOUT");
	}
}

static uint64_t clock_now(void *arg)
{
	(void)arg;
	return now;
}

static void setup(void)
{
	now = 1000 * NS_MS;
	next_handle = 0;
	memset(deferred, 0, sizeof(deferred));
	memset(answered, 0, sizeof(answered));
	memset(uart_tail, 0, sizeof(uart_tail));
	console_init(&state, uart_write, NULL, answer, NULL, clock_now, NULL);
	state.defer_handle = CONSOLE_NO_HANDLE;
	capos_loopback_register(CONSOLE, console_service(&console_service_ops, &state), 0x31);
}

/* The serve loop's side: the last call's handle was kept if it was used. */
static void settle_handle(void)
{
	if (next_handle && state.defer_handle == CONSOLE_NO_HANDLE)
		deferred[next_handle - 1] = 1;
}

static void before_call(void)
{
	settle_handle();
	state.defer_handle = next_handle < MAX_HANDLES ? next_handle++ : CONSOLE_NO_HANDLE;
}

static void feed(const uint8_t *data, size_t len)
{
	settle_handle();
	now += 100 * NS_MS;
	console_input(&state, data, (uint32_t)len);
	console_expire(&state, now);
}

static int check(void)
{
	settle_handle();
	int bad = fuzz_expect(state.nwaiters <= CONSOLE_WAITERS_MAX &&
				      state.count <= CONSOLE_RING_SIZE &&
				      state.head < CONSOLE_RING_SIZE &&
				      state.line_len <= CONSOLE_INPUT_MAX,
			      "console state out of bounds");
	for (uint32_t i = 0; i < state.nwaiters; i++)
		bad |= fuzz_expect(state.waiters[i].handle < MAX_HANDLES &&
					   deferred[state.waiters[i].handle] &&
					   !answered[state.waiters[i].handle],
				   "a queued reader that was never deferred");
	/* The UART part of a Write is the operator's screen: unchanged. */
	capos_ConsoleWrite w = capos_ConsoleWrite_init_zero;
	capos_ConsoleWriteResult r = capos_ConsoleWriteResult_init_zero;
	memcpy(w.data.bytes, "ok!", 3);
	w.data.size = 3;
	bad |= fuzz_expect(console_write(CONSOLE, &w, &r) == CAPOS_OK && r.written == 3 &&
				   !memcmp(uart_tail + sizeof(uart_tail) - 3, "ok!", 3),
			   "Write: not written as it was");
	return bad;
}

static const capos_ConsoleWrite wr = { .data = { .size = 6, .bytes = "hello\n" } };
static const capos_ConsoleRead rd_poll = { .max = 4, .timeout_ms = CONSOLE_TIMEOUT_POLL };
static const capos_ConsoleRead rd_wait = { .max = 0, .timeout_ms = 250 };
static const capos_ConsoleReadLine rl_forever = { .max = 16, .echo = true };
static const capos_ConsoleReadLine rl_timed = { .max = 80, .echo = false, .timeout_ms = 50 };

static const struct fuzz_seed seeds[] = {
	{ 0, &console_write_method, &wr, 0 },
	{ 0, &console_read_method, &rd_poll, 0 },
	{ 0, &console_read_method, &rd_wait, 0 },
	{ 0, &console_read_line_method, &rl_forever, 0 },
	{ 0, &console_read_line_method, &rl_timed, 0x21 },
	{ 0, &console_read_line_method, &rl_forever, 0 },
	{ 0, NULL, "ls -l\x7f\x1b[A\r\nabc", 0, 14 },
	{ 0, &console_read_method, &rd_wait, 0 },
	{ 0, NULL, "", 0, 0 },
};

const struct fuzz_server fuzz_server = {
	.name = "console",
	.setup = setup,
	.endpoints = { CONSOLE },
	.nendpoints = 1,
	.methods = { &console_write_method, &console_read_line_method, &console_read_method,
		     NULL },
	.check = check,
	.feed = feed,
	.before_call = before_call,
	.seeds = seeds,
	.nseeds = sizeof(seeds) / sizeof(seeds[0]),
	.may_defer = 1,
};
