/*
 * test_heap.c - the allocator under malloc (lib/src/heap.c) over a region
 * reserved with mmap(PROT_NONE) and opened page by page as it grows, so a
 * stray access past the grown part faults. Random stress with pattern,
 * alignment and overlap checks; reuse; growth and limits; and misuse
 * (double free, bad pointers, overwritten headers) caught by `fail`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include <capos/heap.h>

#define REGION (64u << 20)

static uint8_t *region;
static size_t grown;
static int grow_calls, grow_refuse;
static jmp_buf on_fail;
static const char *fail_what;
static const void *fail_ptr;
static int expect_fail;

static int grow(void *ctx, uintptr_t at, size_t bytes)
{
	(void)ctx;
	grow_calls++;
	if (grow_refuse)
		return -1;
	assert_int_equal(at, (uintptr_t)region + grown);
	assert_int_equal(bytes % 4096, 0);
	assert_int_equal(mprotect((void *)at, bytes, PROT_READ | PROT_WRITE), 0);
	grown += bytes;
	return 0;
}

static void on_heap_fail(void *ctx, const char *what, const void *p)
{
	(void)ctx;
	fail_what = what;
	fail_ptr = p;
	if (!expect_fail)
		fail_msg("heap fail: %s (%p)", what, p);
	longjmp(on_fail, 1);
}

static struct capos_heap h;

static int setup(void **state)
{
	(void)state;
	region = mmap(NULL, REGION, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(region != MAP_FAILED);
	grown = 0;
	grow_calls = grow_refuse = 0;
	expect_fail = 0;
	capos_heap_init(&h, (uintptr_t)region, REGION, 64 << 10, grow, on_heap_fail, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	munmap(region, REGION);
	return 0;
}

static void check(struct capos_heap_stats *s)
{
	assert_int_equal(capos_heap_check(&h, s), 0);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

enum { SLOTS = 512 };
static uint8_t *ptr[SLOTS];
static size_t len[SLOTS];
static uint8_t tag[SLOTS];

static void fill(int k)
{
	for (size_t j = 0; j < len[k]; j++)
		ptr[k][j] = (uint8_t)(tag[k] + j * 7);
}

static void verify(int k, size_t n)
{
	for (size_t j = 0; j < n; j++)
		if (ptr[k][j] != (uint8_t)(tag[k] + j * 7))
			fail_msg("slot %d byte %zu corrupted", k, j);
}

static int cmp_slot(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)ptr[*(const int *)a], y = (uintptr_t)ptr[*(const int *)b];
	return x < y ? -1 : x > y;
}

static void no_overlap(void)
{
	static int order[SLOTS];
	int n = 0;
	for (int k = 0; k < SLOTS; k++)
		if (ptr[k])
			order[n++] = k;
	qsort(order, (size_t)n, sizeof(order[0]), cmp_slot);
	for (int i = 0; i + 1 < n; i++) {
		int a = order[i], b = order[i + 1];
		assert_true((uintptr_t)ptr[a] + capos_heap_usable(&h, ptr[a]) <= (uintptr_t)ptr[b]);
		assert_true(capos_heap_usable(&h, ptr[a]) >= len[a]);
	}
}

static void test_stress(void **state)
{
	(void)state;
	memset(ptr, 0, sizeof(ptr));
	for (int round = 0; round < 40000; round++) {
		int k = (int)(rnd() % SLOTS);
		uint64_t r = rnd();
		if (ptr[k])
			verify(k, len[k]);
		size_t n;
		switch ((r >> 4) % 8) {
		case 0: n = 0; break;
		case 1: n = (r >> 12) % 70000; break;
		case 2: n = (r >> 12) % 4096; break;
		default: n = (r >> 12) % 200; break;
		}
		switch (r % 4) {
		case 0:
			capos_heap_free(&h, ptr[k]);
			ptr[k] = NULL;
			len[k] = 0;
			break;
		case 1: {
			uint8_t *old = ptr[k];
			uint8_t *q = capos_heap_realloc(&h, old, n);
			if (n == 0 && old) { /* realloc(p, 0) frees p */
				assert_null(q);
				ptr[k] = NULL;
				len[k] = 0;
				break;
			}
			assert_non_null(q);
			size_t keep = len[k] < n ? len[k] : n;
			ptr[k] = q;
			verify(k, keep);
			len[k] = n;
			fill(k);
			break;
		}
		default: {
			capos_heap_free(&h, ptr[k]);
			uint8_t *q = (r & 64) ? capos_heap_calloc(&h, 1, n) : capos_heap_alloc(&h, n);
			if (!q)
				fail_msg("alloc %zu failed at round %d, grown %zu", n, round, grown);
			if (r & 64)
				for (size_t j = 0; j < n; j++)
					assert_int_equal(q[j], 0);
			ptr[k] = q;
			len[k] = n;
			tag[k] = (uint8_t)rnd();
			fill(k);
			break;
		}
		}
		if (ptr[k])
			assert_int_equal((uintptr_t)ptr[k] % CAPOS_HEAP_ALIGN, 0);
		if (round % 1000 == 0) {
			check(NULL);
			no_overlap();
		}
	}
	no_overlap();
	struct capos_heap_stats s;
	check(&s);
	size_t live = 0;
	for (int k = 0; k < SLOTS; k++)
		live += ptr[k] != NULL;
	assert_int_equal(s.allocs, live);
	size_t mapped = s.mapped;
	for (int k = 0; k < SLOTS; k++) {
		capos_heap_free(&h, ptr[k]);
		ptr[k] = NULL;
	}
	check(&s);
	/* Everything merged back into one free chunk; nothing live. */
	assert_int_equal(s.allocs, 0);
	assert_int_equal(s.in_use, 0);
	assert_int_equal(s.free_chunks, 1);
	assert_int_equal(s.mapped, mapped);
}

static void test_reuse(void **state)
{
	(void)state;
	void *a = capos_heap_alloc(&h, 100);
	void *b = capos_heap_alloc(&h, 100);
	void *c = capos_heap_alloc(&h, 100);
	assert_true(a && b && c);
	capos_heap_free(&h, b);
	assert_ptr_equal(capos_heap_alloc(&h, 90), b); /* same class, same chunk */
	capos_heap_free(&h, a);
	capos_heap_free(&h, b);
	/* a and b merged: a request for both fits where a was. */
	assert_ptr_equal(capos_heap_alloc(&h, 200), a);
	int calls = grow_calls;
	for (int i = 0; i < 1000; i++) {
		void *p = capos_heap_alloc(&h, 5000);
		capos_heap_free(&h, p);
	}
	assert_int_equal(grow_calls, calls); /* freed memory is reused, no growth */
	assert_int_equal(capos_heap_usable(&h, c), 112);
	check(NULL);
}

static void test_realloc_in_place(void **state)
{
	(void)state;
	uint8_t *a = capos_heap_alloc(&h, 64);
	uint8_t *b = capos_heap_alloc(&h, 1000);
	uint8_t *c = capos_heap_alloc(&h, 64);
	memset(a, 1, 64);
	capos_heap_free(&h, b);
	uint8_t *a2 = capos_heap_realloc(&h, a, 900); /* grows into b's space */
	assert_ptr_equal(a2, a);
	for (int i = 0; i < 64; i++)
		assert_int_equal(a2[i], 1);
	uint8_t *a3 = capos_heap_realloc(&h, a2, 16); /* shrinks, gives the tail back */
	assert_ptr_equal(a3, a);
	uint8_t *d = capos_heap_alloc(&h, 500);
	assert_true(d > a && d < c); /* from the returned tail */
	uint8_t *a4 = capos_heap_realloc(&h, a3, 100000); /* must move */
	assert_ptr_not_equal(a4, a);
	for (int i = 0; i < 16; i++)
		assert_int_equal(a4[i], 1);
	void *z = capos_heap_realloc(&h, NULL, 0); /* malloc(0): a unique pointer */
	assert_non_null(z);
	capos_heap_free(&h, z);
	check(NULL);
}

static void test_growth_and_limits(void **state)
{
	(void)state;
	assert_int_equal(grown, 0);
	void *big = capos_heap_alloc(&h, 10u << 20);
	assert_non_null(big);
	assert_true(grown >= (10u << 20));
	memset(big, 0x5a, 10u << 20);
	assert_null(capos_heap_alloc(&h, REGION)); /* past the limit */
	assert_null(capos_heap_alloc(&h, SIZE_MAX));
	assert_null(capos_heap_alloc(&h, SIZE_MAX - 8));
	assert_null(capos_heap_calloc(&h, SIZE_MAX / 2, 3)); /* count * size overflows */
	size_t before = grown;
	grow_refuse = 1;
	assert_null(capos_heap_alloc(&h, 60u << 20)); /* the kernel says no */
	assert_int_equal(grown, before);
	void *small = capos_heap_alloc(&h, 32); /* what is already there still serves */
	assert_non_null(small);
	grow_refuse = 0;
	capos_heap_free(&h, big);
	void *again = capos_heap_alloc(&h, 10u << 20);
	assert_non_null(again);
	assert_int_equal(grown, before); /* reused */
	check(NULL);
}

/* Runs op, which must end in on_heap_fail(); returns what it said. */
#define EXPECT_FAIL(op)                                \
	do {                                           \
		expect_fail = 1;                       \
		fail_what = NULL;                      \
		if (setjmp(on_fail) == 0) {            \
			op;                            \
			fail_msg("no failure: " #op); \
		}                                      \
		expect_fail = 0;                       \
	} while (0)

static void test_misuse(void **state)
{
	(void)state;
	uint8_t *a = capos_heap_alloc(&h, 100);
	uint8_t *b = capos_heap_alloc(&h, 100);
	uint8_t *keep = capos_heap_alloc(&h, 100);
	capos_heap_free(&h, a);
	EXPECT_FAIL(capos_heap_free(&h, a));
	assert_string_equal(fail_what, "double free");
	assert_ptr_equal(fail_ptr, a);

	EXPECT_FAIL(capos_heap_free(&h, b + 16)); /* interior, aligned */
	assert_non_null(strstr(fail_what, "bad pointer"));
	EXPECT_FAIL(capos_heap_free(&h, b + 1)); /* misaligned */
	assert_non_null(strstr(fail_what, "never gave out"));
	static uint8_t elsewhere[64] __attribute__((aligned(16)));
	EXPECT_FAIL(capos_heap_free(&h, elsewhere + 16));
	assert_non_null(strstr(fail_what, "never gave out"));
	EXPECT_FAIL(capos_heap_realloc(&h, a, 10));
	assert_non_null(strstr(fail_what, "realloc"));

	/* A write past b's end lands on keep's header. */
	size_t ub = capos_heap_usable(&h, b);
	memset(b + ub, 0x41, 8);
	EXPECT_FAIL(capos_heap_free(&h, b));
	assert_non_null(strstr(fail_what, "past the end"));
	EXPECT_FAIL(capos_heap_free(&h, keep));
	assert_non_null(strstr(fail_what, "bad pointer"));
	EXPECT_FAIL(capos_heap_check(&h, NULL));
	assert_non_null(strstr(fail_what, "heap check"));
}

static void test_double_free_after_merge(void **state)
{
	(void)state;
	uint8_t *a = capos_heap_alloc(&h, 100);
	uint8_t *b = capos_heap_alloc(&h, 100);
	capos_heap_alloc(&h, 100);
	capos_heap_free(&h, a);
	capos_heap_free(&h, b); /* b merges into a: its header is scrubbed */
	EXPECT_FAIL(capos_heap_free(&h, b));
	assert_non_null(strstr(fail_what, "double free"));
	check(NULL);
}

static void test_free_list_overwrite(void **state)
{
	(void)state;
	uint8_t *a = capos_heap_alloc(&h, 100);
	capos_heap_alloc(&h, 100);
	capos_heap_free(&h, a);
	memset(a - 16, 0, 16); /* use-after-free wrecks the free chunk's header */
	EXPECT_FAIL(capos_heap_alloc(&h, 100));
	assert_non_null(strstr(fail_what, "corrupted"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stress, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_realloc_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_growth_and_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_double_free_after_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_list_overwrite, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
