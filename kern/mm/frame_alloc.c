/*
 * frame_alloc.c - bitmap allocator for 4 KiB physical frames.
 *
 * Invariants (see frame_alloc.h for the contract):
 *  - nframes = the highest end of any usable region, rounded up to a frame;
 *    non-usable regions beyond it are irrelevant because nothing there can
 *    ever be handed out;
 *  - meta holds two bitmaps of ceil(nframes / 8) bytes each: bitmap (1 = not
 *    free) followed by usable_map (1 = may ever be free);
 *  - usable_map bit set <=> the frame lies wholly inside a usable region,
 *    touches no non-usable region, is not frame 0 and holds no metadata;
 *  - bitmap bit clear => usable_map bit set (free frames are always usable);
 *    bits past nframes in the last byte are 1 in bitmap and 0 in usable_map,
 *    so byte-wise scans never see phantom frames;
 *  - free_count == number of clear bitmap bits below nframes;
 *  - frame_alloc never returns 0, so 0 can mean "exhausted".
 *
 * Overflow: region ends are computed with saturation (base + size may wrap on
 * a hostile or broken firmware map), and every frame range is clipped to
 * [0, nframes) before touching the bitmaps.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame_alloc.h"

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint64_t frame_up(uint64_t addr)
{
	return addr / FRAME_SIZE + (addr % FRAME_SIZE != 0);
}

static uint64_t frame_down(uint64_t addr)
{
	return addr / FRAME_SIZE;
}

static uint64_t managed_frames(const struct frame_region *r, size_t n)
{
	uint64_t top = 0;
	size_t i;

	if (r == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		uint64_t end;

		if (!r[i].usable || r[i].size == 0)
			continue;
		end = frame_up(sat_add(r[i].base, r[i].size));
		if (end > top)
			top = end;
	}
	return top;
}

/* ceil(nframes / 8) without overflowing for absurd nframes. */
static uint64_t map_bytes(uint64_t nframes)
{
	return nframes / 8 + (nframes % 8 != 0);
}

size_t frame_alloc_meta_bytes(const struct frame_region *r, size_t n)
{
	uint64_t bytes = map_bytes(managed_frames(r, n));

	/* A map this large can never be satisfied; SIZE_MAX makes init fail
	 * rather than silently wrapping to a small number. */
	if (bytes > SIZE_MAX / 2)
		return SIZE_MAX;
	return (size_t)(bytes * 2);
}

static bool bit_get(const uint8_t *map, uint64_t f)
{
	return (map[f / 8] >> (f % 8)) & 1u;
}

static void bit_set(uint8_t *map, uint64_t f)
{
	map[f / 8] = (uint8_t)(map[f / 8] | (1u << (f % 8)));
}

static void bit_clear(uint8_t *map, uint64_t f)
{
	map[f / 8] = (uint8_t)(map[f / 8] & ~(1u << (f % 8)));
}

/* Set bits in x (no POPCNT instruction assumed). */
static uint64_t popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (x * 0x0101010101010101ull) >> 56;
}

/* Sets or clears frames [first, last) in map, clipped to nframes. Whole
 * words and bytes are written at once: a large machine has millions of
 * frames. */
static void map_range(uint8_t *map, uint64_t nframes, uint64_t first,
		      uint64_t last, bool value)
{
	uint64_t f;

	if (last > nframes)
		last = nframes;
	f = first;
	while (f < last) {
		if (f % 64 == 0 && last - f >= 64) {
			__builtin_memset(map + f / 8, value ? 0xFF : 0x00, 8);
			f += 64;
			continue;
		}
		if (f % 8 == 0 && last - f >= 8) {
			map[f / 8] = value ? 0xFFu : 0x00u;
			f += 8;
			continue;
		}
		if (value)
			bit_set(map, f);
		else
			bit_clear(map, f);
		f++;
	}
}

enum frame_status frame_alloc_init(struct frame_alloc *fa,
				   const struct frame_region *r, size_t n,
				   void *meta, size_t meta_bytes,
				   uint64_t meta_phys)
{
	uint64_t nframes, bytes, i, count;
	uint8_t *bitmap, *usable;
	size_t k;

	if (fa == NULL || r == NULL || meta == NULL)
		return FRAME_ERR_NO_MEMORY;
	nframes = managed_frames(r, n);
	if (nframes == 0)
		return FRAME_ERR_NO_MEMORY;
	bytes = map_bytes(nframes);
	if (frame_alloc_meta_bytes(r, n) > meta_bytes)
		return FRAME_ERR_NO_MEMORY;

	bitmap = meta;
	usable = bitmap + bytes;
	__builtin_memset(usable, 0, bytes);

	/* Usable first, then every non-usable region on top: reserved wins no
	 * matter in which order the firmware listed them. Usable regions only
	 * contribute whole frames; non-usable ones poison every frame they touch. */
	for (k = 0; k < n; k++) {
		uint64_t end = sat_add(r[k].base, r[k].size);

		if (r[k].usable && r[k].size != 0)
			map_range(usable, nframes, frame_up(r[k].base),
				  frame_down(end), true);
	}
	for (k = 0; k < n; k++) {
		uint64_t end = sat_add(r[k].base, r[k].size);

		if (!r[k].usable && r[k].size != 0)
			map_range(usable, nframes, frame_down(r[k].base),
				  frame_up(end), false);
	}

	/* Frame 0 doubles as the "exhausted" return value of frame_alloc. */
	bit_clear(usable, 0);
	if (meta_phys != UINT64_MAX)
		map_range(usable, nframes, frame_down(meta_phys),
			  frame_up(sat_add(meta_phys, meta_bytes)), false);

	/* Eight bytes (64 frames) a step: this runs over every frame of the
	 * machine at boot. */
	count = 0;
	for (i = 0; i + 8 <= bytes; i += 8) {
		uint64_t u, nu;

		__builtin_memcpy(&u, usable + i, 8);
		nu = ~u;
		__builtin_memcpy(bitmap + i, &nu, 8);
		count += popcount64(u);
	}
	for (; i < bytes; i++) {
		uint8_t u = usable[i];

		bitmap[i] = (uint8_t)~u;
		count += popcount64(u);
	}

	fa->bitmap = bitmap;
	fa->usable_map = usable;
	fa->nframes = nframes;
	fa->free_count = count;
	fa->usable_count = count;
	fa->hint = 1;
	return FRAME_OK;
}

/* First clear bit in [from, to), or UINT64_MAX. */
static uint64_t find_free(const struct frame_alloc *fa, uint64_t from,
			  uint64_t to)
{
	uint64_t f = from;

	while (f < to) {
		if (f % 8 == 0 && fa->bitmap[f / 8] == 0xFFu) {
			f += 8;
			continue;
		}
		if (!bit_get(fa->bitmap, f))
			return f;
		f++;
	}
	return UINT64_MAX;
}

uint64_t frame_alloc(struct frame_alloc *fa)
{
	uint64_t f, hint;

	if (fa == NULL || fa->free_count == 0)
		return 0;
	hint = fa->hint < fa->nframes ? fa->hint : 0;
	/* Next fit: recently freed frames are not reused at once, which spreads
	 * wear and makes use-after-free bugs show up as faults sooner. */
	f = find_free(fa, hint, fa->nframes);
	if (f == UINT64_MAX)
		f = find_free(fa, 0, hint);
	if (f == UINT64_MAX)
		return 0; /* free_count disagrees with the bitmap: corrupted */
	bit_set(fa->bitmap, f);
	fa->free_count--;
	fa->hint = f + 1 < fa->nframes ? f + 1 : 0;
	return f * FRAME_SIZE;
}

enum frame_status frame_free(struct frame_alloc *fa, uint64_t phys)
{
	uint64_t f;

	if (fa == NULL)
		return FRAME_ERR_RANGE;
	if (phys % FRAME_SIZE != 0)
		return FRAME_ERR_UNALIGNED;
	f = phys / FRAME_SIZE;
	if (f >= fa->nframes)
		return FRAME_ERR_RANGE;
	if (!bit_get(fa->usable_map, f))
		return FRAME_ERR_NOT_USABLE;
	if (!bit_get(fa->bitmap, f))
		return FRAME_ERR_DOUBLE_FREE;
	bit_clear(fa->bitmap, f);
	fa->free_count++;
	return FRAME_OK;
}

uint64_t frame_free_count(const struct frame_alloc *fa)
{
	return fa == NULL ? 0 : fa->free_count;
}

const char *frame_status_str(enum frame_status s)
{
	switch (s) {
	case FRAME_OK:
		return "The operation succeeded.";
	case FRAME_ERR_UNALIGNED:
		return "The address is not aligned to a 4 KiB frame.";
	case FRAME_ERR_RANGE:
		return "The address is outside the managed physical range.";
	case FRAME_ERR_NOT_USABLE:
		return "The frame was never usable memory (reserved, frame 0 or allocator metadata).";
	case FRAME_ERR_DOUBLE_FREE:
		return "The frame is already free (double free).";
	case FRAME_ERR_NO_MEMORY:
		return "No usable memory, or the metadata buffer is too small.";
	}
	return "Unknown frame allocator status.";
}
