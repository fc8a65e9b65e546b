/*
 * test_frame_alloc - the physical frame allocator on hand-made memory maps.
 * The expected free frames are listed explicitly (not recomputed with the
 * allocator's own logic), so a rounding or precedence bug shows up as a
 * count or membership failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mm/frame_alloc.h"

#define KB(x) ((uint64_t)(x) * 1024u)
#define F(n)  ((uint64_t)(n) * FRAME_SIZE)

/*
 * The map (frame numbers in 4 KiB units):
 *  - reserved [8, 9), listed before the usable region it cuts into;
 *  - usable [0, 16) minus frame 0, frame 3 (reserved [0x3800, 0x3900) touches
 *    it partially, neither end aligned) and frame 8;
 *  - usable [0x20800, 0x30000): the partial first page 0x20 is excluded, and
 *    reserved [0x2F000, 0x31000) takes 47: frames 33..46;
 *  - usable [0x40000, 0x40FFF): less than one whole frame, contributes none;
 *  - usable [80, 88), frame 80 holding the allocator metadata;
 *  - reserved far above everything (beyond nframes, irrelevant);
 *  - a zero-size reserved region (touches nothing).
 */
static const struct frame_region map[] = {
	{ 0x8000, 0x1000, false },
	{ 0x0, 0x10000, true },
	{ 0x3800, 0x100, false },
	{ 0x20800, 0x30000 - 0x20800, true },
	{ 0x2F000, 0x2000, false },
	{ 0x40000, 0xFFF, true },
	{ F(80), F(8), true },
	{ 0x100000000ull, 0x1000, false },
	{ F(5), 0, false },
};
#define NMAP (sizeof map / sizeof map[0])
#define META_PHYS F(80)
#define NFRAMES 88u
#define EXPECTED_FREE 34u

static bool expected_free(uint64_t f)
{
	if (f >= 1 && f <= 15)
		return f != 3 && f != 8;
	if (f >= 33 && f <= 46)
		return true;
	return f >= 81 && f <= 87;
}

struct ctx {
	struct frame_alloc fa;
	uint8_t meta[64];
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);

	if (c == NULL)
		return -1;
	if (frame_alloc_init(&c->fa, map, NMAP, c->meta, sizeof c->meta,
			     META_PHYS) != FRAME_OK) {
		free(c);
		return -1;
	}
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void test_meta_bytes(void **state)
{
	struct frame_region one = { 0, F(9), true };
	struct frame_region partial = { 0, F(8) + 1, true };
	struct frame_region reserved_only = { 0, F(100), false };

	(void)state;
	/* 88 frames -> 11 bytes per bitmap, two bitmaps. */
	assert_int_equal(frame_alloc_meta_bytes(map, NMAP), 2 * (NFRAMES / 8));
	assert_int_equal(frame_alloc_meta_bytes(&one, 1), 2 * 2);
	/* The end rounds up to a frame: 9 frames, 2 bytes per bitmap. */
	assert_int_equal(frame_alloc_meta_bytes(&partial, 1), 2 * 2);
	assert_int_equal(frame_alloc_meta_bytes(&reserved_only, 1), 0);
	assert_int_equal(frame_alloc_meta_bytes(NULL, 0), 0);
}

static void test_init_counts(void **state)
{
	struct ctx *c = *state;
	uint64_t f;

	assert_int_equal(c->fa.nframes, NFRAMES);
	assert_int_equal(frame_free_count(&c->fa), EXPECTED_FREE);
	assert_int_equal(c->fa.usable_count, EXPECTED_FREE);
	/* The bitmap itself must agree with the expected set bit by bit. */
	for (f = 0; f < NFRAMES; f++) {
		bool used = (c->fa.bitmap[f / 8] >> (f % 8)) & 1u;

		assert_int_equal(!used, expected_free(f));
	}
}

static void test_exhaust_and_reuse(void **state)
{
	struct ctx *c = *state;
	bool seen[NFRAMES] = { false };
	uint64_t got[EXPECTED_FREE];
	uint64_t n = 0, p;

	while ((p = frame_alloc(&c->fa)) != 0) {
		uint64_t f = p / FRAME_SIZE;

		assert_true(n < EXPECTED_FREE);
		assert_int_equal(p % FRAME_SIZE, 0);
		assert_true(f < NFRAMES);
		assert_true(expected_free(f));   /* inside usable, not reserved */
		assert_int_not_equal(p, META_PHYS);
		assert_false(seen[f]);           /* distinct */
		seen[f] = true;
		got[n++] = p;
		assert_int_equal(frame_free_count(&c->fa), EXPECTED_FREE - n);
	}
	assert_int_equal(n, EXPECTED_FREE);
	assert_int_equal(frame_free_count(&c->fa), 0);
	assert_int_equal(frame_alloc(&c->fa), 0);
	assert_int_equal(frame_alloc(&c->fa), 0);

	/* Free one, get exactly that one back, then exhausted again. */
	assert_int_equal(frame_free(&c->fa, got[10]), FRAME_OK);
	assert_int_equal(frame_free_count(&c->fa), 1);
	assert_int_equal(frame_alloc(&c->fa), got[10]);
	assert_int_equal(frame_alloc(&c->fa), 0);

	/* Next fit: the hint now sits just past got[10] (frame 13), so frame
	 * 40 comes first, then the search wraps to frame 1. */
	assert_int_equal(got[10], F(13));
	assert_int_equal(frame_free(&c->fa, F(1)), FRAME_OK);
	assert_int_equal(frame_free(&c->fa, F(40)), FRAME_OK);
	assert_int_equal(frame_alloc(&c->fa), F(40));
	assert_int_equal(frame_alloc(&c->fa), F(1));
	assert_int_equal(frame_alloc(&c->fa), 0);

	/* Free everything: all accepted, count back to the start. */
	for (n = 0; n < EXPECTED_FREE; n++)
		assert_int_equal(frame_free(&c->fa, got[n]), FRAME_OK);
	assert_int_equal(frame_free_count(&c->fa), EXPECTED_FREE);
}

static void test_next_fit(void **state)
{
	struct ctx *c = *state;
	uint64_t a = frame_alloc(&c->fa);
	uint64_t b = frame_alloc(&c->fa);
	uint64_t d;

	assert_int_equal(a, F(1));
	assert_int_equal(b, F(2));
	assert_int_equal(frame_free(&c->fa, a), FRAME_OK);
	/* Next fit continues after b instead of reusing a at once. */
	d = frame_alloc(&c->fa);
	assert_int_equal(d, F(4));
}

static void expect_free_err(struct frame_alloc *fa, uint64_t phys,
			    enum frame_status want)
{
	uint64_t before = frame_free_count(fa);

	assert_int_equal(frame_free(fa, phys), want);
	assert_int_equal(frame_free_count(fa), before);
}

static void test_free_errors(void **state)
{
	struct ctx *c = *state;
	uint64_t p;
	uint64_t f;

	p = frame_alloc(&c->fa);
	assert_int_not_equal(p, 0);
	expect_free_err(&c->fa, p + 1, FRAME_ERR_UNALIGNED);
	expect_free_err(&c->fa, p + FRAME_SIZE / 2, FRAME_ERR_UNALIGNED);
	expect_free_err(&c->fa, F(NFRAMES), FRAME_ERR_RANGE);
	expect_free_err(&c->fa, 0x100000000ull, FRAME_ERR_RANGE);
	expect_free_err(&c->fa, UINT64_MAX - (FRAME_SIZE - 1), FRAME_ERR_RANGE);
	expect_free_err(&c->fa, 0, FRAME_ERR_NOT_USABLE);          /* frame 0 */
	expect_free_err(&c->fa, 0x3000, FRAME_ERR_NOT_USABLE);     /* partly reserved */
	expect_free_err(&c->fa, 0x8000, FRAME_ERR_NOT_USABLE);     /* reserved */
	expect_free_err(&c->fa, 0x20000, FRAME_ERR_NOT_USABLE);    /* partial usable page */
	expect_free_err(&c->fa, F(47), FRAME_ERR_NOT_USABLE);      /* reserved overlap */
	expect_free_err(&c->fa, 0x40000, FRAME_ERR_NOT_USABLE);    /* sub-frame region */
	expect_free_err(&c->fa, META_PHYS, FRAME_ERR_NOT_USABLE);  /* metadata */
	expect_free_err(&c->fa, F(60), FRAME_ERR_NOT_USABLE);      /* hole */

	/* A frame never allocated is already free. */
	for (f = 1; f < NFRAMES; f++)
		if (expected_free(f) && F(f) != p)
			break;
	expect_free_err(&c->fa, F(f), FRAME_ERR_DOUBLE_FREE);

	assert_int_equal(frame_free(&c->fa, p), FRAME_OK);
	expect_free_err(&c->fa, p, FRAME_ERR_DOUBLE_FREE);
	assert_int_equal(frame_free_count(&c->fa), EXPECTED_FREE);
}

static void test_init_errors(void **state)
{
	struct frame_alloc fa;
	uint8_t meta[64];
	struct frame_region reserved_only = { 0, F(100), false };
	struct frame_region tiny = { 0x1000, 0x800, true };
	struct frame_region wraps = { UINT64_MAX - F(2), F(4), true };

	(void)state;
	/* One byte short of the two bitmaps. */
	assert_int_equal(frame_alloc_init(&fa, map, NMAP, meta,
					  2 * (NFRAMES / 8) - 1, UINT64_MAX),
			 FRAME_ERR_NO_MEMORY);
	assert_int_equal(frame_alloc_init(&fa, &reserved_only, 1, meta, sizeof meta,
					  UINT64_MAX), FRAME_ERR_NO_MEMORY);
	assert_int_equal(frame_alloc_init(&fa, map, 0, meta, sizeof meta, UINT64_MAX),
			 FRAME_ERR_NO_MEMORY);
	assert_int_equal(frame_alloc_init(&fa, map, NMAP, NULL, sizeof meta,
					  UINT64_MAX), FRAME_ERR_NO_MEMORY);
	/* Usable but no whole frame: init succeeds with nothing to give. */
	assert_int_equal(frame_alloc_init(&fa, &tiny, 1, meta, sizeof meta,
					  UINT64_MAX), FRAME_OK);
	assert_int_equal(frame_free_count(&fa), 0);
	assert_int_equal(frame_alloc(&fa), 0);
	/* A region whose end wraps saturates: its map is huge, never tiny. */
	assert_true(frame_alloc_meta_bytes(&wraps, 1) >= ((size_t)1 << 49));
	assert_int_equal(frame_alloc_init(&fa, &wraps, 1, meta, sizeof meta,
					  UINT64_MAX), FRAME_ERR_NO_MEMORY);
}

static void test_exact_meta_ok(void **state)
{
	struct frame_alloc fa;
	uint8_t meta[2 * (NFRAMES / 8)];

	(void)state;
	/* Exactly meta_bytes suffices; metadata outside managed memory
	 * (UINT64_MAX) leaves frame 80 free: one more frame than the ctx case. */
	assert_int_equal(frame_alloc_init(&fa, map, NMAP, meta, sizeof meta,
					  UINT64_MAX), FRAME_OK);
	assert_int_equal(frame_free_count(&fa), EXPECTED_FREE + 1);
	assert_int_equal(frame_free(&fa, META_PHYS), FRAME_ERR_DOUBLE_FREE);
}

static void test_meta_spanning_frames(void **state)
{
	/* 64 MiB: 16384 frames, 2 x 2048 bytes of metadata placed at 0x7800, so
	 * it straddles frames 7 and 8; both must be withheld. */
	struct frame_region r = { 0, KB(64 * 1024), true };
	struct frame_alloc fa;
	size_t need = frame_alloc_meta_bytes(&r, 1);
	uint8_t *meta = malloc(need);
	uint64_t p, n = 0;

	(void)state;
	assert_non_null(meta);
	assert_int_equal(need, 4096);
	assert_int_equal(frame_alloc_init(&fa, &r, 1, meta, need, 0x7800), FRAME_OK);
	assert_int_equal(frame_free_count(&fa), 16384 - 3); /* frames 0, 7, 8 */
	while ((p = frame_alloc(&fa)) != 0) {
		assert_true(p != F(7) && p != F(8));
		n++;
	}
	assert_int_equal(n, 16384 - 3);
	assert_int_equal(frame_free(&fa, F(7)), FRAME_ERR_NOT_USABLE);
	assert_int_equal(frame_free(&fa, F(8)), FRAME_ERR_NOT_USABLE);
	free(meta);
}

static void test_reserved_wraps(void **state)
{
	/* A reserved region whose end wraps must poison everything above its
	 * base, not wrap around to a tiny range. */
	struct frame_region r[] = {
		{ 0, F(32), true },
		{ F(16), UINT64_MAX, false },
	};
	struct frame_alloc fa;
	uint8_t meta[16];

	(void)state;
	assert_int_equal(frame_alloc_init(&fa, r, 2, meta, sizeof meta, UINT64_MAX),
			 FRAME_OK);
	assert_int_equal(frame_free_count(&fa), 15); /* frames 1..15 */
}

static void test_byte_edges(void **state)
{
	/* Ranges ending one frame short of a bitmap byte boundary. */
	struct frame_region a = { 0, F(15), true };
	struct frame_region b[] = {
		{ 0, F(32), true },
		{ F(8), F(7), false },
	};
	struct frame_alloc fa;
	uint8_t meta[16];
	uint64_t p, n = 0;

	(void)state;
	assert_int_equal(frame_alloc_init(&fa, &a, 1, meta, sizeof meta, UINT64_MAX),
			 FRAME_OK);
	assert_int_equal(fa.nframes, 15);
	assert_int_equal(frame_free_count(&fa), 14);
	while ((p = frame_alloc(&fa)) != 0) {
		assert_true(p < F(15));
		n++;
	}
	assert_int_equal(n, 14);

	assert_int_equal(frame_alloc_init(&fa, b, 2, meta, sizeof meta, UINT64_MAX),
			 FRAME_OK);
	assert_int_equal(frame_free_count(&fa), 31 - 7); /* 1..7 and 15..31 */
	assert_int_equal(frame_free(&fa, F(15)), FRAME_ERR_DOUBLE_FREE);
	assert_int_equal(frame_free(&fa, F(14)), FRAME_ERR_NOT_USABLE);
}

static void test_status_str(void **state)
{
	int s, t;

	(void)state;
	for (s = FRAME_OK; s <= FRAME_ERR_NO_MEMORY; s++) {
		assert_non_null(frame_status_str((enum frame_status)s));
		for (t = FRAME_OK; t < s; t++)
			assert_string_not_equal(frame_status_str((enum frame_status)s),
						frame_status_str((enum frame_status)t));
	}
	assert_non_null(frame_status_str((enum frame_status)99));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meta_bytes),
		cmocka_unit_test_setup_teardown(test_init_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaust_and_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_next_fit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_errors, setup, teardown),
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_exact_meta_ok),
		cmocka_unit_test(test_meta_spanning_frames),
		cmocka_unit_test(test_reserved_wraps),
		cmocka_unit_test(test_byte_edges),
		cmocka_unit_test(test_status_str),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
