/*
 * debug.c - a small printf onto COM1 through an IOPort cap. Used by test
 * programs and, until the console server exists, by init. The formatter
 * itself is capos_vsnprintf (printf.c).
 */
#include <stdint.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/startup.h>

capos_cap_t capos_debug_port = CAPOS_ROOT_IOPORT;
static int debug_port_chosen;

/* A component's COM1 port is granted under the name "console"; a root task
 * has all ports at CAPOS_ROOT_IOPORT. A program may also set the port. */
static capos_cap_t debug_port(void)
{
	if (!debug_port_chosen) {
		debug_port_chosen = 1;
		capos_cap_t c = capos_cap_lookup("console");
		if (c != CAPOS_NO_CAP && capos_debug_port == CAPOS_ROOT_IOPORT)
			capos_debug_port = c;
	}
	return capos_debug_port;
}

void capos_debug_write(const char *s, size_t len)
{
	/* COM1: data at 0x3f8, line status at 0x3fd, bit 5 = ready to send. */
	while (len) {
		/* Expand \n to \r\n so terminals and the test runner see lines. */
		char line[512];
		size_t n = 0, out = 0;
		while (n < len && out + 2 < sizeof(line)) {
			if (s[n] == '\n')
				line[out++] = '\r';
			line[out++] = s[n++];
		}
		capos_port_write_string(debug_port(), 0x3f8, 0x3fd, 0x20, line,
					(uint32_t)out);
		s += n;
		len -= n;
	}
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
