/* stdio.h - the runtime's minimal libc: formatting only (lib/src/printf.c),
 * and printf onto the debug port (capos/debug.h). No FILE streams. */
#ifndef CAPOS_LIBC_STDIO_H
#define CAPOS_LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

__attribute__((format(printf, 3, 4))) int snprintf(char *buf, size_t n, const char *fmt, ...);
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
__attribute__((format(printf, 1, 2))) int printf(const char *fmt, ...);

#endif
