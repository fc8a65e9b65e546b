/*
 * debug.c - capos_printf and friends. Where the text goes depends on what
 * the program holds under the startup name "console":
 *  - an ENDPOINT (a component started by init): Console.Write calls to the
 *    console server, the only process that touches COM1;
 *  - an IOPORT (test programs, the console server itself) or, for a root
 *    task, the root IOPort: COM1 directly.
 * A program may also pick either with capos_debug_port /
 * capos_debug_set_console. Output that cannot go anywhere is dropped: a
 * program never writes through a slot it does not know to be a port.
 */
#include <stdint.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/port_writer.h>
#include <capos/startup.h>
#include <capos/syscall.h>
#include <capos/uart.h>

capos_cap_t capos_debug_port = CAPOS_NO_CAP;
static capos_cap_t console_ep = CAPOS_NO_CAP;
static int debug_chosen;

static void choose(void)
{
	if (debug_chosen)
		return;
	debug_chosen = 1;
	uint32_t type = 0;
	capos_cap_t c = capos_cap_lookup_type("console", &type);
	if (c != CAPOS_NO_CAP && type == CAPOS_CAP_ENDPOINT) {
		if (console_ep == CAPOS_NO_CAP)
			console_ep = c;
	} else if (c != CAPOS_NO_CAP && capos_debug_port == CAPOS_NO_CAP) {
		capos_debug_port = c;
	}
	/* A root task has the root IOPort; so, by convention, does a child its
	 * parent made with capos_spawn and no named caps (the tests' helper
	 * processes). A program with named caps but no "console" (every
	 * component init starts has at least "ready") has no port: slot
	 * CAPOS_ROOT_IOPORT may hold anything there. */
	const struct capos_startup *su = capos_startup();
	if (capos_debug_port == CAPOS_NO_CAP && su &&
	    ((su->flags & CAPOS_STARTUP_ROOT_TASK) || su->ncaps == 0))
		capos_debug_port = CAPOS_ROOT_IOPORT;
}

void capos_debug_set_console(capos_cap_t ep)
{
	choose();
	console_ep = ep;
}

/* One Console.Write call per chunk. The body is ConsoleWrite{data} in the
 * protobuf wire format (capos_console_write_encode; cross-checked against
 * nanopb and protobuf-c in tests/crosscheck). */
static capos_status_t console_write(const char *s, size_t len)
{
	struct capos_ipc_buffer *b = capos_ipc();
	while (len) {
		size_t n = len < CAPOS_DEBUG_CONSOLE_CHUNK ? len : CAPOS_DEBUG_CONSOLE_CHUNK;
		size_t body = capos_console_write_encode(b->body, CAPOS_MSG_BODY_MAX, s, n);
		b->label = ((uint64_t)CAPOS_CONSOLE_INTERFACE_ID << 32) | CAPOS_CONSOLE_WRITE_METHOD;
		b->len = (uint32_t)body;
		b->ncaps = 0;
		b->cap_move = 0;
		capos_status_t st = capos_call(console_ep);
		if (st == CAPOS_OK && b->label != CAPOS_OK)
			st = (capos_status_t)b->label;
		if (st != CAPOS_OK)
			return st;
		s += n;
		len -= n;
	}
	return CAPOS_OK;
}

/* COM1 through an IOPort: WRITE_STRING answers WOULD_BLOCK with a count
 * when the UART stays busy, the retry goes on from there. */
capos_status_t capos_uart_try_write(void *arg, const uint8_t *data, uint32_t len,
				    uint32_t *written)
{
	capos_cap_t io = *(const capos_cap_t *)arg;
	if (len > CAPOS_IOPORT_STRING_MAX)
		len = CAPOS_IOPORT_STRING_MAX;
	capos_status_t st = capos_port_write_string(io, COM1_THR, COM1_LSR, LSR_THRE, data, len);
	*written = st == CAPOS_OK ? len : 0;
	const struct capos_ipc_buffer *b = capos_ipc();
	if (st == CAPOS_WOULD_BLOCK && b->len == sizeof(struct capos_ioport_written)) {
		uint32_t n = ((const struct capos_ioport_written *)(const void *)b->body)->written;
		*written = n < len ? n : len;
	}
	return st;
}

void capos_uart_pause(void *arg)
{
	(void)arg;
	(void)capos_yield();
}

/* The direct writer's state: what it lost to a UART that stayed busy is
 * capos_debug_dropped(). */
static struct capos_port_writer port_out = {
	.try_write = capos_uart_try_write,
	.pause = capos_uart_pause,
	.arg = &capos_debug_port,
	.chunk_max = CAPOS_IOPORT_STRING_MAX,
	.stalls_max = CAPOS_PORT_STALLS_MAX,
};

uint64_t capos_debug_dropped(void)
{
	return port_out.dropped;
}

static void port_write(const char *s, size_t len)
{
	if (capos_debug_port == CAPOS_NO_CAP)
		return;
	while (len) {
		char line[512];
		size_t n = 0, out = 0;
		while (n < len && out + 2 < sizeof(line)) {
			if (s[n] == '\n')
				line[out++] = '\r';
			line[out++] = s[n++];
		}
		/* A UART that gave up on this line is tried again with the
		 * next: the writer keeps it to one try while it stays dead. */
		(void)capos_port_writer_write(&port_out, line, (uint32_t)out, NULL);
		s += n;
		len -= n;
	}
}

void capos_debug_write(const char *s, size_t len)
{
	choose();
	if (console_ep != CAPOS_NO_CAP) {
		/* Expand \n to \r\n here: the console writes bytes as given.
		 * `done` is how much of s the console has taken: if a call
		 * fails, the rest (that chunk included) goes to the port. Not
		 * on TIMEOUT: the console is there but its UART stayed busy
		 * past the bound, and the port would be that same UART. */
		char line[CAPOS_DEBUG_CONSOLE_CHUNK];
		size_t done = 0;
		while (done < len) {
			size_t n = done, out = 0;
			while (n < len && out + (s[n] == '\n' ? 2 : 1) <= sizeof(line)) {
				if (s[n] == '\n')
					line[out++] = '\r';
				line[out++] = s[n++];
			}
			capos_status_t st = console_write(line, out);
			if (st == CAPOS_TIMEOUT)
				return; /* the console counted the loss */
			if (st != CAPOS_OK)
				break;
			done = n;
		}
		if (done == len)
			return;
		/* The console is gone. With a port, use it from now on; without
		 * one, this text is lost but the next write tries the console
		 * again (a restarted console takes over the same endpoint). */
		if (capos_debug_port == CAPOS_NO_CAP)
			return;
		console_ep = CAPOS_NO_CAP;
		s += done;
		len -= done;
	}
	port_write(s, len);
}

void capos_printf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = capos_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 1;
	capos_debug_write(buf, (size_t)n);
}
