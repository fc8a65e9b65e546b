/*
 * argon2_glue.c - what Debian's libargon2.a needs beyond the runtime
 * (`nm -u`, docs/runtime.md "Argon2id"):
 *  - pthread_create/join/exit: its thread.o is linked in whole, but with
 *    threads = lanes = 1 (the only parameters the manifest validator
 *    accepts) it never starts a thread. These fail, so a verifier with
 *    p > 1 would fail to verify instead of running threads;
 *  - __sprintf_chk: its encoder formats numbers with sprintf
 *    (_FORTIFY_SOURCE); the check is honoured (abort on overflow).
 * Kept in the broker, the only program that links the archive.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

int pthread_create(void *thread, const void *attr, void *(*fn)(void *), void *arg);
int pthread_join(unsigned long thread, void **ret);
void pthread_exit(void *ret);
int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...);

int pthread_create(void *thread, const void *attr, void *(*fn)(void *), void *arg)
{
	(void)thread;
	(void)attr;
	(void)fn;
	(void)arg;
	return 11; /* EAGAIN: no threads here */
}

int pthread_join(unsigned long thread, void **ret)
{
	(void)thread;
	(void)ret;
	return 3; /* ESRCH */
}

void pthread_exit(void *ret)
{
	(void)ret;
	abort();
}

int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...)
{
	(void)flag;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s, slen, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= slen)
		abort();
	return n;
}
