/* libFuzzer target: the ELF checker takes programs from the boot package. */
#include <stddef.h>
#include <stdint.h>

#include "lib/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image img;
	if (elf_parse(data, size, 0x10000, 0x00007fff00000000ull, &img) != ELF_OK)
		return 0;
	/* Whatever it accepted must keep its promises. */
	if (img.nsegs == 0 || img.nsegs > ELF_MAX_SEGMENTS)
		__builtin_trap();
	int entry_ok = 0;
	for (uint32_t i = 0; i < img.nsegs; i++) {
		const struct elf_segment *s = &img.segs[i];
		if (s->offset + s->filesz > size || s->filesz > s->memsz)
			__builtin_trap();
		if ((s->flags & ELF_SEG_W) && (s->flags & ELF_SEG_X))
			__builtin_trap();
		if (s->vaddr < img.lo || s->vaddr + s->memsz > img.hi)
			__builtin_trap();
		if ((s->flags & ELF_SEG_X) && img.entry >= s->vaddr && img.entry < s->vaddr + s->memsz)
			entry_ok = 1;
	}
	if (!entry_ok)
		__builtin_trap();
	return 0;
}
