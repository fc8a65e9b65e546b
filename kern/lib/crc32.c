/*
 * crc32.c - CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the same
 * function as zlib.crc32, so packages written by codegen/mkpkg.py verify here.
 *
 * Invariants:
 *  - crc32_update(0, p, n) == zlib.crc32(p[0..n));
 *  - crc32_update(crc32_update(0, a, n), b, m) == crc32 of a||b (chaining);
 *  - no tables built at run time and no writable state: the loader and the
 *    kernel may call it before anything is set up.
 *
 * A 16-entry (nibble) table keeps the code tiny while being ~4x faster than
 * a bit loop; packages are a few MiB at most, so a 1 KiB table is not worth it.
 */
#include <stddef.h>
#include <stdint.h>

#include "crc32.h"

static const uint32_t crc32_nibble[16] = {
	0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu,
	0x76DC4190u, 0x6B6B51F4u, 0x4DB26158u, 0x5005713Cu,
	0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
	0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint32_t crc32_update(uint32_t crc, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	/* zlib keeps the register inverted between calls; undo it so callers can
	 * pass a previous result straight back in. */
	crc = ~crc;
	for (i = 0; i < n; i++) {
		crc ^= b[i];
		crc = (crc >> 4) ^ crc32_nibble[crc & 0xFu];
		crc = (crc >> 4) ^ crc32_nibble[crc & 0xFu];
	}
	return ~crc;
}
