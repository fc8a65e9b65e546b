/* stdlib.h - the runtime's minimal libc: heap (lib/src/malloc.c), exit. */
#ifndef CAPOS_LIBC_STDLIB_H
#define CAPOS_LIBC_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

void *malloc(size_t n);
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);

__attribute__((noreturn)) void abort(void);
__attribute__((noreturn)) void exit(int code);

#endif
