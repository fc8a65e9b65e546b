/*
 * libc.c - the rest of the runtime's minimal libc: abort, exit, assert,
 * the stack protector's and _FORTIFY_SOURCE's entry points, errno, the
 * formatted-output names, and refusing stubs of the few POSIX calls that
 * Debian's BearSSL archive references (its system seeder opens
 * /dev/urandom; x509 asks the time): they fail, so callers use their
 * fallbacks. Give BearSSL entropy and time explicitly.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capos/debug.h>
#include <capos/runtime.h>
#include <capos/syscall.h>

int capos_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

void abort(void)
{
	capos_printf("abort: process aborted\n");
	capos_exit(CAPOS_EXIT_ABORT);
}

void exit(int code)
{
	capos_exit(code);
}

void capos_assert_fail(const char *expr, const char *file, int line, const char *func)
{
	capos_printf("assert: %s:%d: %s: assertion '%s' failed\n", file, line, func, expr);
	abort();
}

/* -fstack-protector: the canary at %fs:0x28 changed before a return. */
__attribute__((noreturn)) void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	capos_printf("stack smashing detected: canary overwritten\n");
	abort();
}

__attribute__((noreturn)) static void chk_fail(const char *what)
{
	capos_printf("buffer overflow detected: %s past its destination\n", what);
	abort();
}

/* _FORTIFY_SOURCE checked copies: dstlen is the destination's size. */
void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen);
void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen);
void *__memset_chk(void *dst, int c, size_t n, size_t dstlen);

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		chk_fail("memcpy");
	return memcpy(dst, src, n);
}

void *__memmove_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (n > dstlen)
		chk_fail("memmove");
	return memmove(dst, src, n);
}

void *__memset_chk(void *dst, int c, size_t n, size_t dstlen)
{
	if (n > dstlen)
		chk_fail("memset");
	return memset(dst, c, n);
}

static int errno_value;
int *__errno_location(void)
{
	return &errno_value;
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	return capos_vsnprintf(buf, n, fmt, ap);
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = capos_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

int printf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = capos_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	capos_debug_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

/* No files and no wall clock in a capability system's runtime. */
int open(const char *path, int flags, ...);
long read(int fd, void *buf, size_t n);
int close(int fd);
long time(long *t);

int open(const char *path, int flags, ...)
{
	(void)path;
	(void)flags;
	errno = ENOENT;
	return -1;
}

long read(int fd, void *buf, size_t n)
{
	(void)fd;
	(void)buf;
	(void)n;
	errno = EBADF;
	return -1;
}

int close(int fd)
{
	(void)fd;
	errno = EBADF;
	return -1;
}

long time(long *t)
{
	if (t)
		*t = -1;
	errno = ENOSYS;
	return -1;
}
