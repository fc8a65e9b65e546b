/*
 * capos/heap.h - the allocator under malloc/free (lib/src/heap.c).
 *
 * One contiguous region [base, base + limit) that grows upwards through a
 * callback (on the target: Process.MAP_ANON on the program's own Process
 * cap, lib/src/malloc.c). Chunks carry boundary tags; free chunks sit in
 * segregated lists (exact 16-byte classes up to 1 KiB, then one list per
 * power of two, first fit) and merge with free neighbours at once.
 * Payloads are 16-byte aligned. Every header holds a check word derived
 * from its address and size, so free/realloc of a pointer that is not a
 * live allocation (double free, interior or foreign pointer, overwritten
 * header) is caught and reported through `fail`, which must not return.
 * Not thread-safe by itself: malloc.c serialises callers.
 */
#ifndef CAPOS_USER_HEAP_H
#define CAPOS_USER_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define CAPOS_HEAP_ALIGN     16u
#define CAPOS_HEAP_NBINS     104u

struct capos_heap_chunk;

struct capos_heap {
	uintptr_t base;  /* first byte of the region (16-byte aligned) */
	uintptr_t end;   /* end of the part made available so far */
	size_t limit;    /* the region never grows past base + limit */
	size_t grow_min; /* grow at least this much at a time */
	/* Make [at, at + bytes) usable (zeroed not required); 0 on success. */
	int (*grow)(void *ctx, uintptr_t at, size_t bytes);
	/* Corruption or misuse: report and stop (must not return). */
	void (*fail)(void *ctx, const char *what, const void *ptr);
	void *ctx;
	struct capos_heap_chunk *bins[CAPOS_HEAP_NBINS];
	size_t in_use;     /* payload bytes of live allocations (chunk sizes) */
	size_t allocs;     /* live allocations */
};

struct capos_heap_stats {
	size_t mapped;     /* bytes of the region made available */
	size_t in_use;     /* bytes in live chunks (headers included) */
	size_t free;       /* bytes in free chunks */
	size_t allocs;     /* live allocations */
	size_t free_chunks;
};

/* Sets up h over [base, base + limit); nothing is grown until first use. */
void capos_heap_init(struct capos_heap *h, uintptr_t base, size_t limit, size_t grow_min,
		     int (*grow)(void *, uintptr_t, size_t),
		     void (*fail)(void *, const char *, const void *), void *ctx);

void *capos_heap_alloc(struct capos_heap *h, size_t n);
void *capos_heap_calloc(struct capos_heap *h, size_t count, size_t size);
void *capos_heap_realloc(struct capos_heap *h, void *p, size_t n);
void capos_heap_free(struct capos_heap *h, void *p);
/* Usable bytes at p (>= what was asked). */
size_t capos_heap_usable(struct capos_heap *h, const void *p);

/* Walks every chunk and list; returns 0 if all is consistent, else calls
 * fail (so only returns non-zero if fail returns, as a test's may). */
int capos_heap_check(struct capos_heap *h, struct capos_heap_stats *stats);

#endif
