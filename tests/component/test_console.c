/*
 * Component test: the console server's logic (servers/console/
 * console_service.c) through its real generated dispatcher and client
 * stubs, over the host loopback transport. The UART is a capture buffer,
 * the clock a variable, and deferred answers are recorded as the target's
 * loop would send them (encoded with the same codec, then decoded back).
 *
 * The loop's part of the deferral protocol is played by the helpers: each
 * call is made with `defer_handle` set to the handle a deferral would use,
 * as servers/console/main.c does with a free Reply slot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <capos/service.h>
#include <capos/transport.h>

#include "console.capos.h"
#include "console_service.h"

#define CONSOLE 5
#define NS_MS 1000000ull

static struct console_state state;

/* What was written to the "UART". */
static uint8_t out[8192];
static size_t out_len;
static int write_calls;
static capos_status_t write_fails; /* non-OK: the UART write fails so */

/* Deferred answers, in the order they were given. */
struct answer {
	uint32_t handle;
	capos_status_t status;
	capos_ConsoleInput resp;
};
static struct answer answers[64];
static int nanswers;

static uint64_t fake_now;

/* The UART's behaviour, one entry per try: how many bytes it takes
 * before it stays busy (WOULD_BLOCK with that count); TAKE_ALL takes what
 * it is given (OK). Past the script's end every try is `take_after`. */
#define TAKE_ALL UINT32_MAX
static uint32_t script[64];
static int nscript, script_at;
static uint32_t take_after;
static int pauses;

static capos_status_t cap_write(void *arg, const uint8_t *data, uint32_t len,
				uint32_t *written)
{
	(void)arg;
	write_calls++;
	*written = 0;
	if (write_fails != CAPOS_OK)
		return write_fails;
	uint32_t take = script_at < nscript ? script[script_at++] : take_after;
	if (take > len)
		take = len;
	assert_true(out_len + take <= sizeof(out));
	memcpy(out + out_len, data, take);
	out_len += take;
	*written = take;
	return take == len ? CAPOS_OK : CAPOS_WOULD_BLOCK;
}

static void cap_pause(void *arg)
{
	(void)arg;
	pauses++;
}

static void uart_script(const uint32_t *takes, int n, uint32_t after)
{
	assert_true(n <= (int)(sizeof(script) / sizeof(script[0])));
	if (n)
		memcpy(script, takes, (size_t)n * sizeof(takes[0]));
	nscript = n;
	script_at = 0;
	take_after = after;
}

static void cap_answer(void *arg, uint32_t handle, capos_status_t status,
		       const capos_ConsoleInput *resp)
{
	(void)arg;
	assert_true(nanswers < (int)(sizeof(answers) / sizeof(answers[0])));
	struct answer *a = &answers[nanswers++];
	memset(a, 0, sizeof(*a));
	a->handle = handle;
	a->status = status;
	if (status == CAPOS_OK) {
		/* Encoded and decoded as it travels on the target. */
		uint8_t buf[CAPOS_MSG_BODY_MAX];
		struct capos_rpc_request rq = { .out = buf, .out_cap = sizeof(buf) };
		assert_int_equal(capos_rpc_encode(&rq, &capos_ConsoleInput_msg, resp), CAPOS_OK);
		struct capos_rpc_request in = { .body = buf, .len = rq.out_len };
		assert_int_equal(capos_rpc_decode(&in, &capos_ConsoleInput_msg, &a->resp), CAPOS_OK);
	} else {
		assert_null(resp);
	}
}

static uint64_t fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

static void setup_with(int clock)
{
	out_len = 0;
	write_calls = 0;
	write_fails = CAPOS_OK;
	uart_script(NULL, 0, TAKE_ALL);
	pauses = 0;
	nanswers = 0;
	fake_now = 1000 * NS_MS;
	console_init(&state, cap_write, NULL, cap_answer, NULL, clock ? fake_clock : NULL, NULL);
	state.out.pause = cap_pause;
	capos_loopback_reset();
	/* The reader's cap: init sets CAPOS_BADGE_INPUT for an input grant. */
	capos_loopback_register(CONSOLE, console_service(&console_service_ops, &state),
				0x31 | CAPOS_BADGE_INPUT);
}

static int setup(void **st)
{
	(void)st;
	setup_with(1);
	return 0;
}

static int setup_noclock(void **st)
{
	(void)st;
	setup_with(0);
	return 0;
}

static void input(const char *s)
{
	console_input(&state, (const uint8_t *)s, (uint32_t)strlen(s));
}

static void reset_out(void)
{
	out_len = 0;
}

static void assert_out(const char *expect)
{
	assert_int_equal(out_len, strlen(expect));
	assert_memory_equal(out, expect, out_len);
}

static void assert_data(const capos_ConsoleInput *in, const char *expect)
{
	assert_int_equal(in->data.size, strlen(expect));
	assert_memory_equal(in->data.bytes, expect, in->data.size);
	assert_false(in->eof);
}

/* One Read as the loop makes it; `handle` is what a deferral would use. */
static capos_status_t do_read(uint32_t max, uint32_t timeout_ms, uint32_t handle,
			      capos_ConsoleInput *res)
{
	capos_ConsoleRead req = { .max = max, .timeout_ms = timeout_ms };
	memset(res, 0x5a, sizeof(*res));
	state.defer_handle = handle;
	capos_status_t st = console_read(CONSOLE, &req, res);
	state.defer_handle = CONSOLE_NO_HANDLE;
	return st;
}

static capos_status_t do_line(uint32_t max, int echo, uint32_t timeout_ms, uint32_t handle,
			      capos_ConsoleInput *res)
{
	capos_ConsoleReadLine req = { .max = max, .echo = echo, .timeout_ms = timeout_ms };
	memset(res, 0x5a, sizeof(*res));
	state.defer_handle = handle;
	capos_status_t st = console_read_line(CONSOLE, &req, res);
	state.defer_handle = CONSOLE_NO_HANDLE;
	return st;
}

/* A ReadLine over already buffered input that must be answered at once. */
static void line_now(uint32_t max, int echo, const char *expect)
{
	capos_ConsoleInput r;
	assert_int_equal(do_line(max, echo, CONSOLE_TIMEOUT_POLL, 99, &r), CAPOS_OK);
	assert_data(&r, expect);
}

static void test_write_is_raw(void **st)
{
	(void)st;
	capos_ConsoleWrite w = capos_ConsoleWrite_init_zero;
	capos_ConsoleWriteResult res;
	static const char text[] = "a\nb\r\n\x00\xff z";
	memcpy(w.data.bytes, text, sizeof(text) - 1);
	w.data.size = sizeof(text) - 1;
	res.written = 12345;
	assert_int_equal(console_write(CONSOLE, &w, &res), CAPOS_OK);
	assert_int_equal(res.written, sizeof(text) - 1);
	/* no translation of line endings, NULs pass */
	assert_int_equal(out_len, sizeof(text) - 1);
	assert_memory_equal(out, text, sizeof(text) - 1);
	/* a full 1024-byte write in one piece */
	memset(w.data.bytes, 'q', 1024);
	w.data.size = 1024;
	assert_int_equal(console_write(CONSOLE, &w, &res), CAPOS_OK);
	assert_int_equal(res.written, 1024);
	assert_int_equal(out_len, sizeof(text) - 1 + 1024);
	assert_int_equal(state.bytes_out, sizeof(text) - 1 + 1024);
	/* empty: nothing reaches the UART */
	int calls = write_calls;
	w.data.size = 0;
	assert_int_equal(console_write(CONSOLE, &w, &res), CAPOS_OK);
	assert_int_equal(res.written, 0);
	assert_int_equal(write_calls, calls);
	/* a failing UART is the caller's answer */
	write_fails = CAPOS_DENIED;
	w.data.size = 1;
	assert_int_equal(console_write(CONSOLE, &w, &res), CAPOS_DENIED);
}

/* One Console.Write of `len` bytes of a pattern no shift reproduces
 * (i * 7 + i / 256), so a byte repeated, skipped or out of order shows. */
static capos_status_t write_pattern(uint32_t len, capos_ConsoleWriteResult *res)
{
	static capos_ConsoleWrite w;
	for (uint32_t i = 0; i < len; i++)
		w.data.bytes[i] = (uint8_t)(i * 7u + i / 256u);
	w.data.size = (pb_size_t)len;
	res->written = 12345;
	return console_write(CONSOLE, &w, res);
}

static void assert_pattern(const uint8_t *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		assert_int_equal(p[i], (uint8_t)(i * 7u + i / 256u));
}

/* A slow UART (WOULD_BLOCK with partial counts, and with none) loses
 * nothing: each try goes on from where the last stopped, with a pause
 * between tries, and the answer is OK with every byte. */
static void test_write_slow_uart(void **st)
{
	(void)st;
	capos_ConsoleWriteResult res;
	static const uint32_t takes[] = { 3, 0, 0, 5, 1, 0, 200, 0, 0, 0, 17, 1 };
	uart_script(takes, 12, 2); /* then two bytes a try */
	assert_int_equal(write_pattern(1024, &res), CAPOS_OK);
	assert_int_equal(res.written, 1024);
	assert_int_equal(out_len, 1024);
	assert_pattern(out, 1024);
	/* 12 scripted tries, then 2 bytes each for what was left */
	int tail = (1024 - (3 + 5 + 1 + 200 + 17 + 1) + 1) / 2;
	assert_int_equal(write_calls, 12 + tail);
	/* a pause before every try but the first */
	assert_int_equal(pauses, write_calls - 1);
	assert_int_equal(state.bytes_out, 1024);
	assert_int_equal(state.out.dropped, 0);
	assert_int_equal(state.out.stalls, 6);
	/* stalls up to one short of the bound, between bytes, never give up:
	 * the bound counts tries in a row that take nothing */
	uint32_t slow[4 * CAPOS_PORT_STALLS_MAX];
	int n = 0;
	for (int b = 0; b < 4; b++) {
		for (uint32_t k = 0; k + 1 < CAPOS_PORT_STALLS_MAX; k++)
			slow[n++] = 0;
		slow[n++] = 1;
	}
	reset_out();
	uart_script(slow, n, TAKE_ALL);
	assert_int_equal(write_pattern(4, &res), CAPOS_OK);
	assert_int_equal(out_len, 4);
	assert_pattern(out, 4);
	assert_int_equal(state.out.dropped, 0);
}

/* A dead UART cannot hang the console: the bound of tries that take
 * nothing ends the Write with TIMEOUT, what went out stays out, the rest
 * is dropped and counted; while it stays dead each Write gets one try; a
 * byte taken makes it live again. */
static void test_write_dead_uart(void **st)
{
	(void)st;
	capos_ConsoleWriteResult res;
	static const uint32_t four[] = { 4 };
	uart_script(four, 1, 0); /* four bytes, then never again */
	assert_int_equal(write_pattern(100, &res), CAPOS_TIMEOUT);
	assert_int_equal(out_len, 4);
	assert_pattern(out, 4);
	assert_int_equal(write_calls, 1 + (int)CAPOS_PORT_STALLS_MAX);
	assert_int_equal(state.out.dropped, 96);
	assert_int_equal(state.bytes_out, 4);
	/* still dead: one try, then dropped */
	int calls = write_calls;
	assert_int_equal(write_pattern(10, &res), CAPOS_TIMEOUT);
	assert_int_equal(write_calls, calls + 1);
	assert_int_equal(state.out.dropped, 106);
	/* echo of typed input is dropped the same way, never waited for */
	calls = write_calls;
	input("x");
	capos_ConsoleInput r;
	assert_int_equal(do_line(0, 1, CONSOLE_TIMEOUT_POLL, 9, &r), CAPOS_WOULD_BLOCK);
	assert_int_equal(write_calls, calls + 1);
	assert_int_equal(state.out.dropped, 107);
	/* back: everything arrives again, in order */
	reset_out();
	uart_script(NULL, 0, TAKE_ALL);
	assert_int_equal(write_pattern(300, &res), CAPOS_OK);
	assert_int_equal(res.written, 300);
	assert_int_equal(out_len, 300);
	assert_pattern(out, 300);
	/* and a new stall gets the whole bound again */
	reset_out();
	uart_script(four, 1, 0);
	calls = write_calls;
	assert_int_equal(write_pattern(8, &res), CAPOS_TIMEOUT);
	assert_int_equal(write_calls, calls + 1 + (int)CAPOS_PORT_STALLS_MAX);
	assert_int_equal(state.out.dropped, 107 + 4);
	assert_int_equal(state.out.written, 4 + 300 + 4);
}

static void test_read_semantics(void **st)
{
	(void)st;
	capos_ConsoleInput r;
	/* poll with nothing buffered */
	assert_int_equal(do_read(0, CONSOLE_TIMEOUT_POLL, 7, &r), CAPOS_WOULD_BLOCK);
	assert_int_equal(state.nwaiters, 0);
	/* raw: control bytes and line endings as typed, max honoured */
	input("ab\x7f\r\n\x03");
	assert_int_equal(do_read(2, CONSOLE_TIMEOUT_POLL, 7, &r), CAPOS_OK);
	assert_data(&r, "ab");
	assert_int_equal(do_read(0, 0, 7, &r), CAPOS_OK); /* buffered: no wait */
	assert_data(&r, "\x7f\r\n\x03");
	assert_int_equal(state.nwaiters, 0);
	assert_int_equal(out_len, 0); /* Read never echoes */
	/* 0 waits: deferred, answered with the first byte(s) that arrive */
	assert_int_equal(do_read(0, 0, 7, &r), CONSOLE_DEFERRED);
	assert_int_equal(state.nwaiters, 1);
	assert_int_equal(nanswers, 0);
	input("x");
	assert_int_equal(nanswers, 1);
	assert_int_equal(answers[0].handle, 7);
	assert_int_equal(answers[0].status, CAPOS_OK);
	assert_data(&answers[0].resp, "x");
	assert_int_equal(state.nwaiters, 0);
	/* max above what one answer carries is clamped */
	char big[400];
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	input(big);
	assert_int_equal(do_read(100000, 0, 7, &r), CAPOS_OK);
	assert_int_equal(r.data.size, CONSOLE_INPUT_MAX);
	assert_int_equal(do_read(0, 0, 7, &r), CAPOS_OK);
	assert_int_equal(r.data.size, sizeof(big) - 1 - CONSOLE_INPUT_MAX);
}

static void test_read_timeout_with_clock(void **st)
{
	(void)st;
	capos_ConsoleInput r;
	assert_int_equal(console_next_deadline(&state), CONSOLE_NO_DEADLINE);
	assert_int_equal(console_wait_ns(&state, fake_now), CONSOLE_NO_DEADLINE);
	assert_int_equal(do_read(0, 50, 3, &r), CONSOLE_DEFERRED);
	uint64_t t0 = fake_now;
	assert_int_equal(console_next_deadline(&state), t0 + 50 * NS_MS);
	assert_int_equal(console_wait_ns(&state, t0 + 20 * NS_MS), 30 * NS_MS);
	console_expire(&state, t0 + 50 * NS_MS - 1);
	assert_int_equal(nanswers, 0);
	console_expire(&state, t0 + 50 * NS_MS);
	assert_int_equal(nanswers, 1);
	assert_int_equal(answers[0].handle, 3);
	assert_int_equal(answers[0].status, CAPOS_TIMEOUT);
	assert_int_equal(state.nwaiters, 0);
	assert_int_equal(state.timeouts, 1);
	/* a passed deadline means: poll */
	assert_int_equal(do_read(0, 1, 4, &r), CONSOLE_DEFERRED);
	assert_int_equal(console_wait_ns(&state, fake_now + 5 * NS_MS), 0);
	/* input before the deadline answers it, once */
	input("z");
	assert_int_equal(nanswers, 2);
	assert_int_equal(answers[1].status, CAPOS_OK);
	assert_data(&answers[1].resp, "z");
	console_expire(&state, fake_now + 100 * NS_MS);
	assert_int_equal(nanswers, 2);
}

static void test_timeout_without_clock(void **st)
{
	(void)st;
	capos_ConsoleInput r;
	/* a finite wait cannot be kept: TIMEOUT at once, nobody queued */
	assert_int_equal(do_read(0, 50, 3, &r), CAPOS_TIMEOUT);
	assert_int_equal(do_line(0, 0, 50, 3, &r), CAPOS_TIMEOUT);
	assert_int_equal(state.nwaiters, 0);
	/* buffered input is still answered */
	input("q");
	assert_int_equal(do_read(0, 50, 3, &r), CAPOS_OK);
	assert_data(&r, "q");
	/* waiting forever needs no clock */
	assert_int_equal(do_read(0, 0, 3, &r), CONSOLE_DEFERRED);
	assert_int_equal(console_next_deadline(&state), CONSOLE_NO_DEADLINE);
}

static void test_line_editing(void **st)
{
	(void)st;
	/* backspace and DEL each erase one character */
	input("ab\x08" "c\x7f" "d\r");
	line_now(0, 1, "ad");
	assert_out("ab\b \bc\b \bd\r\n");
	/* erasing an empty line does nothing, echoes nothing */
	reset_out();
	input("\x08\x7fok\n");
	line_now(0, 1, "ok");
	assert_out("ok\r\n");
	/* Ctrl-U kills the line */
	reset_out();
	input("xyz\x15" "fine\r");
	line_now(0, 1, "fine");
	assert_out("xyz\b \b\b \b\b \bfine\r\n");
	/* without echo nothing is written at all */
	reset_out();
	input("no\x08" "echo\r");
	line_now(0, 0, "necho");
	assert_int_equal(out_len, 0);
	/* a UTF-8 character is erased whole */
	input("a\xc3\xa9\x7f" "b\r");
	line_now(0, 0, "ab");
	/* escape sequences (arrow keys) and stray control bytes are not text */
	input("l\x1b[A\x1b[1;5Cs\x1bOP\x01\x02\t!\r");
	line_now(0, 0, "ls\t!");
	/* Ctrl-C abandons the line: the one byte 0x03 */
	reset_out();
	input("abc\x03");
	line_now(0, 1, "\x03");
	assert_out("abc^C\r\n");
}

static void test_line_endings(void **st)
{
	(void)st;
	capos_ConsoleInput r;
	/* a CRLF pair ends one line; LF and CR alone each end one */
	input("one\r\ntwo\nthree\r\r\n\nfour\r");
	line_now(0, 0, "one");
	line_now(0, 0, "two");
	line_now(0, 0, "three");
	line_now(0, 0, ""); /* the second CR */
	line_now(0, 0, ""); /* the LF after the CRLF */
	line_now(0, 0, "four");
	assert_int_equal(do_line(0, 0, CONSOLE_TIMEOUT_POLL, 1, &r), CAPOS_WOULD_BLOCK);
	/* the LF of a CRLF that arrives later is still its pair */
	input("\n");
	assert_int_equal(do_line(0, 0, CONSOLE_TIMEOUT_POLL, 1, &r), CAPOS_WOULD_BLOCK);
	input("five\n");
	line_now(0, 0, "five");
	/* echo of either ending is CRLF, once */
	reset_out();
	input("e\r\n");
	line_now(0, 1, "e");
	assert_out("e\r\n");
	/* a raw Read after a CR-ended line gets the LF as typed */
	input("six\r");
	line_now(0, 0, "six");
	input("\n");
	assert_int_equal(do_read(0, CONSOLE_TIMEOUT_POLL, 1, &r), CAPOS_OK);
	assert_data(&r, "\n");
}

static void test_line_max(void **st)
{
	(void)st;
	capos_ConsoleInput r;
	/* beyond max, typed characters are dropped and not echoed */
	input("abcdef\r");
	line_now(3, 1, "abc");
	assert_out("abc\r\n");
	/* erasing at max makes room again */
	reset_out();
	input("abcd\x7fxy\r");
	line_now(3, 1, "abx");
	assert_out("abc\b \bx\r\n");
	/* max 0 means as many as fit: the whole answer */
	char longl[CONSOLE_INPUT_MAX + 20];
	memset(longl, 'm', sizeof(longl) - 2);
	longl[sizeof(longl) - 2] = '\r';
	longl[sizeof(longl) - 1] = 0;
	input(longl);
	assert_int_equal(do_line(0, 0, CONSOLE_TIMEOUT_POLL, 1, &r), CAPOS_OK);
	assert_int_equal(r.data.size, CONSOLE_INPUT_MAX);
	/* an unfinished line is cut to a later reader's smaller max */
	input("12345");
	assert_int_equal(do_line(0, 0, CONSOLE_TIMEOUT_POLL, 1, &r), CAPOS_WOULD_BLOCK);
	input("\r");
	line_now(2, 0, "12");
}

static void test_typeahead_and_partial_line(void **st)
{
	(void)st;
	capos_ConsoleInput r;
	/* lines typed before anyone reads are kept; echo comes at read time */
	input("ls\rpwd\r");
	assert_int_equal(out_len, 0);
	line_now(0, 1, "ls");
	assert_out("ls\r\n");
	line_now(0, 0, "pwd");
	/* a ReadLine that times out leaves its unfinished line to the next */
	assert_int_equal(do_line(0, 1, 10, 21, &r), CONSOLE_DEFERRED);
	reset_out();
	input("ab");
	assert_out("ab"); /* echoed as typed for the waiting reader */
	console_expire(&state, fake_now + 10 * NS_MS);
	assert_int_equal(nanswers, 1);
	assert_int_equal(answers[0].status, CAPOS_TIMEOUT);
	input("c\r");
	line_now(0, 0, "abc");
}

static void test_ring_overflow(void **st)
{
	(void)st;
	capos_ConsoleInput r;
	static uint8_t burst[CONSOLE_RING_SIZE + 10];
	for (size_t i = 0; i < sizeof(burst); i++)
		burst[i] = (uint8_t)('a' + i % 26);
	/* nobody reading: the ring keeps the first bytes, the rest is counted */
	console_input(&state, burst, sizeof(burst));
	assert_int_equal(state.count, CONSOLE_RING_SIZE);
	assert_int_equal(state.overflow, 10);
	assert_int_equal(state.bytes_in, sizeof(burst));
	size_t got = 0;
	while (do_read(0, CONSOLE_TIMEOUT_POLL, 1, &r) == CAPOS_OK) {
		assert_memory_equal(r.data.bytes, burst + got, r.data.size);
		got += r.data.size;
	}
	assert_int_equal(got, CONSOLE_RING_SIZE);
	/* the ring is usable again, wrapped */
	input("after");
	assert_int_equal(do_read(0, CONSOLE_TIMEOUT_POLL, 1, &r), CAPOS_OK);
	assert_data(&r, "after");
	/* with a reader waiting, a burst larger than the ring reaches it
	 * instead of overflowing */
	setup_with(1);
	assert_int_equal(do_read(0, 0, 8, &r), CONSOLE_DEFERRED);
	console_input(&state, burst, sizeof(burst));
	assert_int_equal(state.overflow, 0);
	assert_int_equal(nanswers, 1);
	assert_int_equal(answers[0].resp.data.size, CONSOLE_INPUT_MAX);
	assert_memory_equal(answers[0].resp.data.bytes, burst, CONSOLE_INPUT_MAX);
	assert_int_equal(state.count, sizeof(burst) - CONSOLE_INPUT_MAX);
}

static void test_deferred_order(void **st)
{
	(void)st;
	capos_ConsoleInput r;
	assert_int_equal(do_read(1, 0, 11, &r), CONSOLE_DEFERRED);
	assert_int_equal(do_line(0, 1, 0, 12, &r), CONSOLE_DEFERRED);
	assert_int_equal(do_read(0, 0, 13, &r), CONSOLE_DEFERRED);
	assert_int_equal(state.nwaiters, 3);
	/* a poll behind waiters does not jump the queue */
	assert_int_equal(do_read(0, CONSOLE_TIMEOUT_POLL, 14, &r), CAPOS_WOULD_BLOCK);
	assert_int_equal(state.nwaiters, 3);
	/* the head takes what it asked for; the line reader gets the rest,
	 * which is not yet a line */
	input("ahi");
	assert_int_equal(nanswers, 1);
	assert_int_equal(answers[0].handle, 11);
	assert_data(&answers[0].resp, "a");
	assert_out("hi"); /* echoed for the line reader, now at the head */
	input("\r\nz");
	assert_int_equal(nanswers, 3);
	assert_int_equal(answers[1].handle, 12);
	assert_data(&answers[1].resp, "hi");
	/* the LF of the CRLF went to the line, z to the raw reader */
	assert_int_equal(answers[2].handle, 13);
	assert_data(&answers[2].resp, "z");
	assert_int_equal(state.nwaiters, 0);
	assert_int_equal(state.deferred, 3);
}

static void test_deferred_expiry_keeps_order(void **st)
{
	(void)st;
	capos_ConsoleInput r;
	uint64_t t0 = fake_now;
	assert_int_equal(do_read(0, 0, 1, &r), CONSOLE_DEFERRED);   /* forever */
	assert_int_equal(do_read(0, 30, 2, &r), CONSOLE_DEFERRED);  /* t0+30 */
	assert_int_equal(do_read(0, 0, 3, &r), CONSOLE_DEFERRED);   /* forever */
	fake_now = t0 + 5 * NS_MS;
	assert_int_equal(do_read(0, 10, 4, &r), CONSOLE_DEFERRED);  /* t0+15 */
	/* the earliest deadline is the later reader's */
	assert_int_equal(console_next_deadline(&state), t0 + 15 * NS_MS);
	console_expire(&state, t0 + 15 * NS_MS);
	assert_int_equal(nanswers, 1);
	assert_int_equal(answers[0].handle, 4);
	assert_int_equal(answers[0].status, CAPOS_TIMEOUT);
	assert_int_equal(console_next_deadline(&state), t0 + 30 * NS_MS);
	console_expire(&state, t0 + 31 * NS_MS);
	assert_int_equal(nanswers, 2);
	assert_int_equal(answers[1].handle, 2);
	assert_int_equal(console_next_deadline(&state), CONSOLE_NO_DEADLINE);
	/* the others are still served in arrival order */
	input("p");
	input("q");
	assert_int_equal(nanswers, 4);
	assert_int_equal(answers[2].handle, 1);
	assert_data(&answers[2].resp, "p");
	assert_int_equal(answers[3].handle, 3);
	assert_data(&answers[3].resp, "q");
}

static void test_queue_bound_and_cancel(void **st)
{
	(void)st;
	capos_ConsoleInput r;
	/* the loop had no slot to save a reply into */
	assert_int_equal(do_read(0, 0, CONSOLE_NO_HANDLE, &r), CAPOS_LIMIT_EXCEEDED);
	assert_int_equal(state.nwaiters, 0);
	for (uint32_t i = 0; i < CONSOLE_WAITERS_MAX; i++)
		assert_int_equal(do_read(0, 0, 100 + i, &r), CONSOLE_DEFERRED);
	assert_int_equal(do_read(0, 0, 200, &r), CAPOS_LIMIT_EXCEEDED);
	assert_int_equal(do_line(0, 0, 0, 200, &r), CAPOS_LIMIT_EXCEEDED);
	assert_int_equal(state.nwaiters, CONSOLE_WAITERS_MAX);
	/* a waiter whose reply could not be saved is taken out unanswered */
	assert_true(console_cancel(&state, 103));
	assert_false(console_cancel(&state, 103));
	assert_int_equal(state.nwaiters, CONSOLE_WAITERS_MAX - 1);
	assert_int_equal(nanswers, 0);
	/* leaving: everyone is answered, in order */
	console_answer_all(&state, CAPOS_DISCONNECTED);
	assert_int_equal(nanswers, CONSOLE_WAITERS_MAX - 1);
	uint32_t expect = 100;
	for (int i = 0; i < nanswers; i++, expect++) {
		if (expect == 103)
			expect++;
		assert_int_equal(answers[i].handle, expect);
		assert_int_equal(answers[i].status, CAPOS_DISCONNECTED);
	}
	assert_int_equal(state.nwaiters, 0);
}

static capos_status_t raw_call(uint64_t label, const void *body, uint32_t len, uint64_t *rl,
			       uint32_t *rn)
{
	memcpy(capos_transport_buffer(), body, len);
	state.defer_handle = 50;
	capos_status_t st = capos_transport_call(CONSOLE, label, len, NULL, rl, rn, NULL);
	state.defer_handle = CONSOLE_NO_HANDLE;
	return st;
}

static void test_malformed(void **st)
{
	(void)st;
	uint64_t rl;
	uint32_t rn;
	const uint64_t wl = CAPOS_RPC_LABEL(CONSOLE_INTERFACE_ID, CONSOLE_WRITE_METHOD_ID);
	const uint64_t ll = CAPOS_RPC_LABEL(CONSOLE_INTERFACE_ID, CONSOLE_READ_LINE_METHOD_ID);
	const uint64_t rdl = CAPOS_RPC_LABEL(CONSOLE_INTERFACE_ID, CONSOLE_READ_METHOD_ID);
	/* data claiming 100 bytes with 3 present */
	const uint8_t truncated[] = { 0x0a, 0x64, 'a', 'b', 'c' };
	assert_int_equal(raw_call(wl, truncated, sizeof(truncated), &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	assert_int_equal(rn, 0);
	/* data beyond its bound (1024) */
	static uint8_t big[1100];
	memset(big, 'y', sizeof(big));
	big[0] = 0x0a;
	big[1] = 0x81; /* 1025: varint 81 08 */
	big[2] = 0x08;
	assert_int_equal(raw_call(wl, big, 3 + 1025, &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	/* an invalid wire type, a truncated varint */
	const uint8_t badwire[] = { 0x0f, 0x01 };
	assert_int_equal(raw_call(ll, badwire, sizeof(badwire), &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	const uint8_t badvarint[] = { 0x10, 0xff };
	assert_int_equal(raw_call(rdl, badvarint, sizeof(badvarint), &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	/* unknown method, another interface */
	assert_int_equal(raw_call(CAPOS_RPC_LABEL(CONSOLE_INTERFACE_ID, 9), "", 0, &rl, &rn),
			 CAPOS_OK);
	assert_int_equal(rl, CAPOS_UNSUPPORTED);
	assert_int_equal(raw_call(CAPOS_RPC_LABEL(0x0200, 1), "", 0, &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_UNSUPPORTED);
	/* nothing happened: no output, nobody queued, and it still serves */
	assert_int_equal(out_len, 0);
	assert_int_equal(state.nwaiters, 0);
	assert_int_equal(state.deferred, 0);
	input("ok\r");
	line_now(0, 1, "ok");
	assert_out("ok\r\n");
	/* an empty body is a valid Read (all defaults: wait) */
	assert_int_equal(raw_call(rdl, "", 0, &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CONSOLE_DEFERRED);
	assert_int_equal(state.nwaiters, 1);
	assert_int_equal(state.waiters[0].handle, 50);
}

/* A client granted the console for output only (its badge lacks
 * CAPOS_BADGE_INPUT): Read and ReadLine are DENIED, whether bytes wait or
 * not, without taking a byte, echoing or queueing a waiter; Write works;
 * the reader still gets every key. */
static void test_output_grant_cannot_read(void **st)
{
	(void)st;
	const capos_cap_t writer = capos_loopback_mint(CONSOLE, 0x32);
	capos_ConsoleInput in;
	capos_ConsoleRead rd = { .max = 0, .timeout_ms = 0 };
	capos_ConsoleReadLine rl = { .max = 0, .echo = true, .timeout_ms = 0 };
	/* nothing typed yet: it may not even wait (no waiter slot taken) */
	state.defer_handle = 7;
	assert_int_equal(console_read(writer, &rd, &in), CAPOS_DENIED);
	assert_int_equal(console_read_line(writer, &rl, &in), CAPOS_DENIED);
	state.defer_handle = CONSOLE_NO_HANDLE;
	assert_int_equal(state.nwaiters, 0);
	input("secret\r");
	reset_out();
	for (uint32_t t = 0; t < 2; t++) {
		rd.timeout_ms = t ? CONSOLE_TIMEOUT_POLL : 0;
		assert_int_equal(console_read(writer, &rd, &in), CAPOS_DENIED);
		assert_int_equal(console_read_line(writer, &rl, &in), CAPOS_DENIED);
	}
	assert_int_equal(state.nwaiters, 0);
	assert_int_equal(state.count, strlen("secret\r"));
	assert_out(""); /* no echo of the operator's keys to the writer's request */
	capos_ConsoleWrite w = { .data = { .size = 3, .bytes = "out" } };
	capos_ConsoleWriteResult res;
	assert_int_equal(console_write(writer, &w, &res), CAPOS_OK);
	assert_out("out");
	/* the reader (CONSOLE, with the input badge) gets the line whole */
	reset_out();
	assert_int_equal(do_line(0, 0, CONSOLE_TIMEOUT_POLL, CONSOLE_NO_HANDLE, &in), CAPOS_OK);
	assert_data(&in, "secret");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_write_is_raw, setup),
		cmocka_unit_test_setup(test_write_slow_uart, setup),
		cmocka_unit_test_setup(test_write_dead_uart, setup),
		cmocka_unit_test_setup(test_read_semantics, setup),
		cmocka_unit_test_setup(test_read_timeout_with_clock, setup),
		cmocka_unit_test_setup(test_timeout_without_clock, setup_noclock),
		cmocka_unit_test_setup(test_line_editing, setup),
		cmocka_unit_test_setup(test_line_endings, setup),
		cmocka_unit_test_setup(test_line_max, setup),
		cmocka_unit_test_setup(test_typeahead_and_partial_line, setup),
		cmocka_unit_test_setup(test_ring_overflow, setup),
		cmocka_unit_test_setup(test_deferred_order, setup),
		cmocka_unit_test_setup(test_deferred_expiry_keeps_order, setup),
		cmocka_unit_test_setup(test_queue_bound_and_cancel, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test_setup(test_output_grant_cannot_read, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
