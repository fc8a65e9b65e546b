/*
 * kprintf.h - formatted output to the kernel's debug serial line.
 * Supports %d %i %u %x %lx %llx %zu %p %s %c %%, widths and '0' padding.
 */
#ifndef KERN_CORE_KPRINTF_H
#define KERN_CORE_KPRINTF_H

#include <stdarg.h>
#include <stddef.h>

__attribute__((format(printf, 1, 2))) void kprintf(const char *fmt, ...);
void kvprintf(const char *fmt, va_list ap);

/* Formats into buf (always NUL-terminated when n > 0); returns the length
 * the full output would have had. */
__attribute__((format(printf, 3, 4))) int ksnprintf(char *buf, size_t n, const char *fmt, ...);

#endif
