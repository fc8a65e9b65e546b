/*
 * capos/debug.h - formatted output: to the console server when the
 * program holds a "console" endpoint, else straight to COM1 through an
 * IOPort cap (root tasks, the console server itself). lib/src/debug.c.
 */
#ifndef CAPOS_USER_DEBUG_H
#define CAPOS_USER_DEBUG_H

#include <stdarg.h>
#include <stddef.h>

#include <capos/abi.h>

#include <stdint.h>

/* The IOPort cap used for COM1 when there is no console endpoint; a root
 * task's is CAPOS_ROOT_IOPORT, a component's its IOPORT grant "console". */
extern capos_cap_t capos_debug_port;

/* Send output to this Console endpoint from now on (init, once the console
 * server is ready); CAPOS_NO_CAP goes back to the port. */
void capos_debug_set_console(capos_cap_t ep);

/* Console.Write, as the runtime sends it (lib/src/console_encode.c). */
#define CAPOS_CONSOLE_INTERFACE_ID 0x0100u
#define CAPOS_CONSOLE_WRITE_METHOD 1u
#define CAPOS_DEBUG_CONSOLE_CHUNK 1024u
/* Encodes ConsoleWrite{data = data[0..len)} into out; the body's length, or
 * 0 when len is 0 or it does not fit in cap. */
size_t capos_console_write_encode(uint8_t *out, size_t cap, const char *data, size_t len);

void capos_debug_write(const char *s, size_t len);
/* Bytes the direct COM1 output gave up because the UART stayed busy past
 * the bound (capos/port_writer.h); output through the console server is
 * the server's to count. */
uint64_t capos_debug_dropped(void);
__attribute__((format(printf, 1, 2))) void capos_printf(const char *fmt, ...);
__attribute__((format(printf, 3, 4))) int capos_snprintf(char *buf, size_t n,
							  const char *fmt, ...);
int capos_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

#endif
