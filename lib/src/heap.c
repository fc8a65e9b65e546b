/*
 * heap.c - the checked boundary-tag allocator under malloc (capos/heap.h).
 *
 * Chunk layout (every address 16-byte aligned, every size a multiple of 16):
 *
 *   +0   bits   size | INUSE | PREV_INUSE
 *   +8   check  bits ^ address ^ MAGIC   (a header nobody forged)
 *   +16  payload (in use) / next, prev free-list links (free)
 *   ...
 *   end-8 size  (free chunks only: the footer the next chunk merges by)
 *
 * The region ends with a 16-byte fence chunk marked in use, so merging
 * never runs off the end; growing turns the old fence into the header of
 * the new free space. No libc beyond memcpy/memset: the host tests compile
 * this file unchanged.
 */
#include <string.h>

#include <capos/heap.h>

#define HDR        16u
#define MIN_CHUNK  48u /* header, two links, footer, rounded to 16 */
#define F_INUSE    1ull
#define F_PREV     2ull /* the chunk below is in use */
#define SIZE_MASK  (~(uint64_t)15)
#define MAGIC      0xc4a9e5b1d3f70e29ull
#define SMALL_BINS 64u  /* exact classes: size / 16 < 64 */

struct capos_heap_chunk {
	uint64_t bits;
	uint64_t check;
	struct capos_heap_chunk *next; /* free chunks only */
	struct capos_heap_chunk *prev;
};

typedef struct capos_heap_chunk chunk;

static uint64_t csize(const chunk *c)
{
	return c->bits & SIZE_MASK;
}

static uint64_t check_of(const chunk *c, uint64_t bits)
{
	return bits ^ (uint64_t)(uintptr_t)c ^ MAGIC;
}

static void set_hdr(chunk *c, uint64_t size, uint64_t flags)
{
	c->bits = size | flags;
	c->check = check_of(c, c->bits);
}

static int hdr_ok(const chunk *c)
{
	return c->check == check_of(c, c->bits);
}

static void scrub(chunk *c)
{
	c->bits = 0;
	c->check = 0;
}

static chunk *at(uintptr_t a)
{
	return (chunk *)a;
}

static chunk *next_of(const chunk *c)
{
	return at((uintptr_t)c + csize(c));
}

static void set_footer(chunk *c)
{
	*(uint64_t *)((uintptr_t)c + csize(c) - 8) = csize(c);
}

static chunk *fence_of(const struct capos_heap *h)
{
	return at(h->end - HDR);
}

static void set_flag(chunk *c, uint64_t flag, int on)
{
	uint64_t bits = on ? (c->bits | flag) : (c->bits & ~flag);
	c->bits = bits;
	c->check = check_of(c, bits);
}

static unsigned bin_of(uint64_t size)
{
	if (size / 16 < SMALL_BINS)
		return (unsigned)(size / 16);
	unsigned lg = 63u - (unsigned)__builtin_clzll(size); /* >= 10 */
	unsigned b = SMALL_BINS + (lg - 10u);
	return b < CAPOS_HEAP_NBINS ? b : CAPOS_HEAP_NBINS - 1;
}

static void bin_insert(struct capos_heap *h, chunk *c)
{
	unsigned b = bin_of(csize(c));
	c->prev = NULL;
	c->next = h->bins[b];
	if (c->next)
		c->next->prev = c;
	h->bins[b] = c;
}

static void bin_remove(struct capos_heap *h, chunk *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		h->bins[bin_of(csize(c))] = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

__attribute__((noinline)) static void fail(struct capos_heap *h, const char *what,
					   const void *p)
{
	h->fail(h->ctx, what, p);
}

void capos_heap_init(struct capos_heap *h, uintptr_t base, size_t limit, size_t grow_min,
		     int (*grow)(void *, uintptr_t, size_t),
		     void (*failfn)(void *, const char *, const void *), void *ctx)
{
	memset(h, 0, sizeof(*h));
	h->base = (base + 15) & ~(uintptr_t)15;
	h->end = h->base;
	h->limit = (limit - (h->base - base)) & ~(size_t)15;
	h->grow_min = grow_min < 4096 ? 4096 : grow_min;
	h->grow = grow;
	h->fail = failfn;
	h->ctx = ctx;
}

/* A chunk of `size` bytes is free: merge it with free neighbours, write
 * its tags and list it. */
static void release(struct capos_heap *h, chunk *c, uint64_t size, uint64_t prev_flag)
{
	chunk *n = at((uintptr_t)c + size);
	if (n != fence_of(h) && !(n->bits & F_INUSE)) {
		if (!hdr_ok(n))
			fail(h, "heap corrupted: a free chunk's header was overwritten", n);
		bin_remove(h, n);
		size += csize(n);
		scrub(n);
	}
	if (!prev_flag) {
		uint64_t psize = *(uint64_t *)((uintptr_t)c - 8);
		chunk *p = at((uintptr_t)c - psize);
		if (psize < MIN_CHUNK || (psize & 15) || (uintptr_t)p < h->base || !hdr_ok(p) ||
		    (p->bits & F_INUSE) || csize(p) != psize)
			fail(h, "heap corrupted: bad boundary tag below a chunk", c);
		bin_remove(h, p);
		prev_flag = p->bits & F_PREV;
		scrub(c);
		c = p;
		size += psize;
	}
	set_hdr(c, size, prev_flag);
	set_footer(c);
	set_flag(next_of(c), F_PREV, 0);
	bin_insert(h, c);
}

static int grow(struct capos_heap *h, uint64_t need)
{
	uint64_t g = need + HDR;
	g = (g + h->grow_min - 1) / h->grow_min * h->grow_min;
	if (g < need || g > h->limit - (h->end - h->base))
		return 0;
	uintptr_t old_end = h->end;
	if (h->grow(h->ctx, old_end, (size_t)g) != 0)
		return 0;
	h->end = old_end + g;
	chunk *fence = fence_of(h);
	set_hdr(fence, HDR, F_INUSE); /* F_PREV fixed by release */
	if (old_end == h->base) {
		chunk *c = at(h->base);
		set_hdr(c, g - HDR, F_PREV);
		release(h, c, g - HDR, F_PREV);
	} else {
		chunk *c = at(old_end - HDR); /* the old fence */
		uint64_t prev = c->bits & F_PREV;
		release(h, c, g, prev);
	}
	return 1;
}

/* Takes `need` bytes from free chunk c (already off its list). */
static void *take(struct capos_heap *h, chunk *c, uint64_t need)
{
	uint64_t size = csize(c), prev = c->bits & F_PREV;
	if (size - need >= MIN_CHUNK) {
		set_hdr(c, need, F_INUSE | prev);
		chunk *r = at((uintptr_t)c + need);
		set_hdr(r, size - need, F_PREV);
		set_footer(r);
		bin_insert(h, r); /* its upper neighbour already says prev free */
	} else {
		set_hdr(c, size, F_INUSE | prev);
		set_flag(next_of(c), F_PREV, 1);
	}
	h->in_use += csize(c);
	h->allocs++;
	return (void *)((uintptr_t)c + HDR);
}

static int request_size(struct capos_heap *h, size_t n, uint64_t *need)
{
	if (n > h->limit)
		return 0;
	uint64_t s = ((uint64_t)n + HDR + 15) & SIZE_MASK;
	*need = s < MIN_CHUNK ? MIN_CHUNK : s;
	return 1;
}

void *capos_heap_alloc(struct capos_heap *h, size_t n)
{
	uint64_t need;
	if (!request_size(h, n, &need))
		return NULL;
	for (int tries = 0; tries < 2; tries++) {
		for (unsigned b = bin_of(need); b < CAPOS_HEAP_NBINS; b++) {
			for (chunk *c = h->bins[b]; c; c = c->next) {
				if (!hdr_ok(c) || (c->bits & F_INUSE))
					fail(h, "heap corrupted: a free chunk was overwritten", c);
				if (csize(c) >= need) {
					bin_remove(h, c);
					return take(h, c, need);
				}
			}
		}
		if (!grow(h, need))
			return NULL;
	}
	return NULL;
}

void *capos_heap_calloc(struct capos_heap *h, size_t count, size_t size)
{
	if (size && count > (size_t)-1 / size)
		return NULL;
	void *p = capos_heap_alloc(h, count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

/* The chunk of a pointer that must be a live allocation. */
static chunk *live(struct capos_heap *h, const void *p, const char *op)
{
	uintptr_t a = (uintptr_t)p;
	if ((a & 15) || a < h->base + HDR || a >= h->end) {
		fail(h, op[0] == 'f' ? "free of a pointer the heap never gave out"
				     : "realloc of a pointer the heap never gave out", p);
		return NULL;
	}
	chunk *c = at(a - HDR);
	if (!hdr_ok(c)) {
		fail(h, op[0] == 'f' ? "free of a bad pointer (double free, interior pointer or overwritten header)"
				     : "realloc of a bad pointer (freed, interior or overwritten header)", p);
		return NULL;
	}
	if (!(c->bits & F_INUSE)) {
		fail(h, op[0] == 'f' ? "double free" : "realloc of a freed pointer", p);
		return NULL;
	}
	uint64_t s = csize(c);
	if (s < MIN_CHUNK || s > (uint64_t)(h->end - HDR - (uintptr_t)c)) {
		fail(h, "heap corrupted: a chunk's size is out of range", p);
		return NULL;
	}
	chunk *n = next_of(c);
	if (!hdr_ok(n) || !(n->bits & F_PREV)) {
		fail(h, "heap corrupted: write past the end of an allocation", p);
		return NULL;
	}
	return c;
}

void capos_heap_free(struct capos_heap *h, void *p)
{
	if (!p)
		return;
	chunk *c = live(h, p, "free");
	if (!c)
		return;
	h->in_use -= csize(c);
	h->allocs--;
	release(h, c, csize(c), c->bits & F_PREV);
}

size_t capos_heap_usable(struct capos_heap *h, const void *p)
{
	chunk *c = live(h, p, "usable");
	return c ? (size_t)(csize(c) - HDR) : 0;
}

void *capos_heap_realloc(struct capos_heap *h, void *p, size_t n)
{
	if (!p)
		return capos_heap_alloc(h, n);
	chunk *c = live(h, p, "realloc");
	if (!c)
		return NULL;
	if (n == 0) {
		capos_heap_free(h, p);
		return NULL;
	}
	uint64_t need;
	if (!request_size(h, n, &need))
		return NULL;
	uint64_t size = csize(c), prev = c->bits & F_PREV;
	chunk *nx = next_of(c);
	if (need > size && nx != fence_of(h) && !(nx->bits & F_INUSE) &&
	    size + csize(nx) >= need) {
		/* Grow in place into the free chunk above. */
		bin_remove(h, nx);
		size += csize(nx);
		h->in_use += csize(nx);
		scrub(nx);
		set_hdr(c, size, F_INUSE | prev);
		set_flag(next_of(c), F_PREV, 1);
	}
	if (need <= size) {
		if (size - need >= MIN_CHUNK) {
			/* Give the tail back. */
			set_hdr(c, need, F_INUSE | prev);
			chunk *r = at((uintptr_t)c + need);
			set_hdr(r, size - need, F_INUSE | F_PREV);
			h->in_use -= size - need;
			release(h, r, size - need, F_PREV);
		}
		return p;
	}
	void *q = capos_heap_alloc(h, n);
	if (!q)
		return NULL; /* p stays valid */
	memcpy(q, p, (size_t)(size - HDR));
	capos_heap_free(h, p);
	return q;
}

int capos_heap_check(struct capos_heap *h, struct capos_heap_stats *st)
{
	struct capos_heap_stats s = { 0, 0, 0, 0, 0 };
	s.mapped = h->end - h->base;
	if (h->end == h->base) {
		if (st)
			*st = s;
		return 0;
	}
	uint64_t prev_inuse = 1;
	chunk *c = at(h->base);
	chunk *fence = fence_of(h);
	while (c != fence) {
		uint64_t sz = csize(c);
		if (!hdr_ok(c) || sz < MIN_CHUNK || (uintptr_t)c + sz > (uintptr_t)fence ||
		    !!(c->bits & F_PREV) != !!prev_inuse) {
			fail(h, "heap check: bad chunk header", c);
			return -1;
		}
		if (c->bits & F_INUSE) {
			s.in_use += sz;
			s.allocs++;
		} else {
			if (!prev_inuse || *(uint64_t *)((uintptr_t)c + sz - 8) != sz) {
				fail(h, "heap check: bad free chunk (footer or unmerged)", c);
				return -1;
			}
			s.free += sz;
			s.free_chunks++;
		}
		prev_inuse = c->bits & F_INUSE;
		c = at((uintptr_t)c + sz);
	}
	if (!hdr_ok(fence) || !(fence->bits & F_INUSE) ||
	    !!(fence->bits & F_PREV) != !!prev_inuse) {
		fail(h, "heap check: bad fence", fence);
		return -1;
	}
	size_t listed = 0;
	for (unsigned b = 0; b < CAPOS_HEAP_NBINS; b++) {
		chunk *pv = NULL;
		for (chunk *f = h->bins[b]; f; f = f->next) {
			if ((uintptr_t)f < h->base || (uintptr_t)f >= (uintptr_t)fence || !hdr_ok(f) ||
			    (f->bits & F_INUSE) || bin_of(csize(f)) != b || f->prev != pv) {
				fail(h, "heap check: bad free list", f);
				return -1;
			}
			pv = f;
			if (++listed > s.free_chunks)
				break;
		}
	}
	if (listed != s.free_chunks || s.in_use != h->in_use || s.allocs != h->allocs) {
		fail(h, "heap check: lists and chunks disagree", NULL);
		return -1;
	}
	if (st)
		*st = s;
	return 0;
}
