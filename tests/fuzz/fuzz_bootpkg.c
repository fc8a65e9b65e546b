/* libFuzzer target: the boot package parser takes bytes from the disk. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/bootpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

volatile uint8_t fuzz_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The parser's entries view needs 8-byte alignment (documented). */
	static uint64_t buf[1 << 14];
	if (size > sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	struct bootpkg pkg;
	int bad = -1;
	if (bootpkg_parse(buf, size, &pkg, &bad) == BOOTPKG_OK) {
		for (uint32_t i = 0; i < pkg.count; i++) {
			const struct capos_pkg_entry *e = &pkg.entries[i];
			const uint8_t *d = bootpkg_data(&pkg, e);
			/* Touch every byte the parser vouched for. */
			for (uint64_t j = 0; j < e->size; j++)
				fuzz_sink ^= d[j];
			if (bootpkg_find(&pkg, e->name) != e)
				__builtin_trap();
		}
	}
	return 0;
}
