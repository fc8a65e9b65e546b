/*
 * capos/debug.h - formatted output for programs that hold an IOPort cap
 * on COM1, before (and beneath) the console server.
 */
#ifndef CAPOS_USER_DEBUG_H
#define CAPOS_USER_DEBUG_H

#include <stdarg.h>
#include <stddef.h>

#include <capos/abi.h>

/* The IOPort cap used for COM1; the root task's is CAPOS_ROOT_IOPORT. */
extern capos_cap_t capos_debug_port;

void capos_debug_write(const char *s, size_t len);
__attribute__((format(printf, 1, 2))) void capos_printf(const char *fmt, ...);
__attribute__((format(printf, 3, 4))) int capos_snprintf(char *buf, size_t n,
							  const char *fmt, ...);
int capos_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

#endif
