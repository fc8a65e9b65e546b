#ifndef KERN_CORE_KSTRING_H
#define KERN_CORE_KSTRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/* memcpy compiled in place, for the IPC fast path's message body: eight
 * bytes a step, then the tail; exactly n bytes. Under the host sanitizers
 * it is plain memcpy, so ASan sees every access. */
static inline void memcpy_inline(void *dst, const void *src, size_t n)
{
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
	size_t q = n / 8, r = n % 8;
	__asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(q) : : "memory");
	if (r)
		__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(r) : : "memory");
#else
	memcpy(dst, src, n);
#endif
}

#endif
