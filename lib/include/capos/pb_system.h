/*
 * capos/pb_system.h - nanopb's system header on the target (PB_SYSTEM_HEADER):
 * the freestanding compiler headers plus the few libc functions nanopb uses,
 * which the userspace runtime provides.
 */
#ifndef CAPOS_PB_SYSTEM_H
#define CAPOS_PB_SYSTEM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
void *realloc(void *p, size_t n);
void free(void *p);

#endif
