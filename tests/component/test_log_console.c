/*
 * Component test: a log record on its way to the operator's terminal. The
 * log server's real dispatcher accepts it, its forward hook formats the
 * line (log_format_line, as servers/log/main.c does) and sends it with the
 * generated Console client stub to the console server's real dispatcher,
 * whose UART is a capture buffer. What reaches the "UART" must show every
 * control character, escape sequence (7-bit ESC [ and the C1 CSI, as one
 * byte and as UTF-8) and line ending in the text as visible characters:
 * one line, nothing a terminal would obey.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <capos/transport.h>

#include "console.capos.h"
#include "console_service.h"
#include "log.capos.h"
#include "log_service.h"

#define SINK    5 /* badge 0x10, named "alpha" */
#define CONSOLE 6
#define BADGE_SINK 0x10

static struct log_state logs;
static struct console_state cons;
static uint8_t uart[4096];
static uint32_t uart_len;
static unsigned forward_failures;

static const struct capos_client_name sources[] = { { BADGE_SINK, "alpha" } };

static capos_status_t uart_write(void *arg, const uint8_t *data, uint32_t len,
				 uint32_t *written)
{
	(void)arg;
	assert_true(uart_len + len <= sizeof(uart));
	memcpy(uart + uart_len, data, len);
	uart_len += len;
	*written = len;
	return CAPOS_OK;
}

/* servers/log/main.c's forwarding: the line, one Console.Write. */
static void forward(void *arg, const capos_LogRecord *rec)
{
	(void)arg;
	static char line[LOG_LINE_MAX];
	static capos_ConsoleWrite w;
	capos_ConsoleWriteResult r;
	size_t n = log_format_line(rec, line, sizeof(line));
	assert_true(n <= sizeof(w.data.bytes));
	memcpy(w.data.bytes, line, n);
	w.data.size = (pb_size_t)n;
	if (console_write(CONSOLE, &w, &r) != CAPOS_OK || r.written != n)
		forward_failures++;
}

static int setup(void **st)
{
	(void)st;
	uart_len = 0;
	forward_failures = 0;
	log_init(&logs, 0, capos_LogLevel_LOG_LEVEL_TRACE, NULL, NULL);
	log_set_sources(&logs, sources, 1);
	log_set_forward(&logs, forward, NULL);
	console_init(&cons, uart_write, NULL, NULL, NULL, NULL, NULL);
	capos_loopback_reset();
	capos_loopback_register(SINK, logsink_service(&log_sink_ops, &logs), BADGE_SINK);
	capos_loopback_register(CONSOLE, console_service(&console_service_ops, &cons), 0x21);
	return 0;
}

static void log_text(const char *text, size_t len)
{
	capos_LogRecord r = capos_LogRecord_init_zero;
	capos_LogWriteResult w;
	r.level = capos_LogLevel_LOG_LEVEL_WARNING;
	assert_true(len < sizeof(r.text));
	memcpy(r.text, text, len);
	assert_int_equal(logsink_write(SINK, &r, &w), CAPOS_OK);
	assert_true(w.accepted);
}

/* No byte a terminal obeys: C0 controls but the final CR LF, DEL, and
 * C1 controls either as single bytes or as UTF-8 (C2 80..C2 9F). */
static void assert_inert(const uint8_t *p, uint32_t len)
{
	assert_true(len >= 2);
	assert_memory_equal(p + len - 2, "\r\n", 2);
	for (uint32_t i = 0; i + 2 < len; i++) {
		assert_true(p[i] >= 0x20 && p[i] != 0x7f);
		assert_false(p[i] >= 0x80 && p[i] <= 0x9f);
		assert_false(p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f);
	}
}

static void test_escapes_reach_console_escaped(void **st)
{
	(void)st;
	/* ESC [ 2 J (clear screen), the C1 CSI as UTF-8 (C2 9B) and as a
	 * single byte (9B), a forged second line after \r\n, DEL, a NUL-free
	 * BEL, and real UTF-8 that must stay as it is. */
	static const char text[] = "a\x1b[2Jb\xc2\x9b" "31mc\x9b" "d\r\n[critical] init: forged\x7f\x07 \xc3\xa9";
	log_text(text, sizeof(text) - 1);
	assert_int_equal(forward_failures, 0);
	static const char expect[] =
		"[warning] alpha: a\\x1b[2Jb\\xc2\\x9b31mc\\x9bd\\r\\n[critical] init: forged"
		"\\x7f\\x07 \xc3\xa9\r\n";
	assert_int_equal(uart_len, sizeof(expect) - 1);
	assert_memory_equal(uart, expect, uart_len);
	assert_inert(uart, uart_len);
	/* the console got exactly one line: one CR LF, at the end */
	uint32_t lf = 0;
	for (uint32_t i = 0; i < uart_len; i++)
		lf += uart[i] == '\n';
	assert_int_equal(lf, 1);
}

/* A record of nothing but escapes (4 bytes each on the terminal) is cut
 * whole-escape short of one Console.Write and still ends its line. */
static void test_longest_escaped_record(void **st)
{
	(void)st;
	char text[255];
	memset(text, 0x1b, sizeof(text));
	log_text(text, sizeof(text));
	assert_int_equal(forward_failures, 0);
	assert_true(uart_len <= LOG_LINE_MAX - 1);
	assert_inert(uart, uart_len);
	static const char head[] = "[warning] alpha: ";
	assert_memory_equal(uart, head, sizeof(head) - 1);
	uint32_t body = uart_len - (uint32_t)(sizeof(head) - 1) - 2;
	assert_int_equal(body % 4, 0); /* whole \x1b units only */
	for (uint32_t i = 0; i < body; i += 4)
		assert_memory_equal(uart + sizeof(head) - 1 + i, "\\x1b", 4);
	/* as many as fit in LOG_LINE_MAX with the head, CR LF and NUL */
	assert_int_equal(body / 4, (LOG_LINE_MAX - (sizeof(head) - 1) - 3) / 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_escapes_reach_console_escaped, setup),
		cmocka_unit_test_setup(test_longest_escaped_record, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
