/*
 * malloc.c - malloc/calloc/realloc/free for userspace programs: the
 * allocator of heap.c over a region at CAPOS_HEAP_VA that grows with
 * Process.MAP_ANON on the program's own Process cap (startup name "self";
 * if the startup page is not valid, the root slot CAPOS_ROOT_PROCESS). A
 * program whose startup page names no "self" has no heap: malloc returns
 * NULL. Misuse (double free, bad pointer, overwritten header) prints what
 * happened and aborts.
 */
#include <stdlib.h>
#include <string.h>

#include <capos/debug.h>
#include <capos/heap.h>
#include <capos/kernel.h>
#include <capos/runtime.h>
#include <capos/startup.h>

static struct capos_heap heap;
static int heap_state; /* 0 untried, 1 ready, -1 no Process cap */
static capos_cap_t heap_proc = CAPOS_NO_CAP;
static volatile int heap_lock;

static void lock(void)
{
	while (__atomic_exchange_n(&heap_lock, 1, __ATOMIC_ACQUIRE))
		capos_yield();
}

static void unlock(void)
{
	__atomic_store_n(&heap_lock, 0, __ATOMIC_RELEASE);
}

static int grow(void *ctx, uintptr_t at, size_t bytes)
{
	(void)ctx;
	capos_status_t st = capos_map_anon(heap_proc, at, (uint32_t)(bytes / CAPOS_PAGE_SIZE),
					   CAPOS_PROT_READ | CAPOS_PROT_WRITE);
	return st == CAPOS_OK ? 0 : -1;
}

static void heap_fail(void *ctx, const char *what, const void *p)
{
	(void)ctx;
	unlock();
	capos_printf("heap: %s (pointer %p)\n", what, p);
	abort();
}

void capos_heap_set_process(capos_cap_t proc)
{
	heap_proc = proc;
	if (heap_state == -1)
		heap_state = 0;
}

static int ready(void)
{
	if (heap_state)
		return heap_state > 0;
	if (heap_proc == CAPOS_NO_CAP) {
		heap_proc = capos_cap_lookup("self");
		if (heap_proc == CAPOS_NO_CAP && !capos_startup())
			heap_proc = CAPOS_ROOT_PROCESS;
	}
	if (heap_proc == CAPOS_NO_CAP) {
		heap_state = -1;
		return 0;
	}
	capos_heap_init(&heap, CAPOS_HEAP_VA, CAPOS_HEAP_MAX, CAPOS_HEAP_GROW, grow, heap_fail,
			NULL);
	heap_state = 1;
	return 1;
}

void *malloc(size_t n)
{
	lock();
	void *p = ready() ? capos_heap_alloc(&heap, n) : NULL;
	unlock();
	return p;
}

void *calloc(size_t count, size_t size)
{
	lock();
	void *p = ready() ? capos_heap_calloc(&heap, count, size) : NULL;
	unlock();
	return p;
}

void *realloc(void *p, size_t n)
{
	lock();
	void *q = NULL;
	if (ready())
		q = capos_heap_realloc(&heap, p, n);
	else if (p)
		heap_fail(NULL, "realloc with no heap", p);
	unlock();
	return q;
}

void free(void *p)
{
	if (!p)
		return;
	lock();
	if (heap_state <= 0)
		heap_fail(NULL, "free with no heap", p);
	capos_heap_free(&heap, p);
	unlock();
}

int capos_heap_stats(struct capos_heap_stats *out)
{
	lock();
	int r = heap_state > 0 ? capos_heap_check(&heap, out) : -1;
	unlock();
	return r;
}
