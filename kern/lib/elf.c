/*
 * elf.c - validation of static x86_64 ELF executables (see elf.h).
 *
 * Invariants of an image accepted by elf_parse:
 *  - 64-bit, little endian, version 1, ET_EXEC, EM_X86_64, phentsize 56, and
 *    the program header table lies inside the file;
 *  - 1..ELF_MAX_SEGMENTS PT_LOAD segments with memsz != 0 (empty ones and all
 *    other program header types are ignored: they load nothing);
 *  - each segment's file bytes lie inside the file and filesz <= memsz;
 *  - each segment, rounded out to pages, lies inside [addr_lo, addr_hi)
 *    without wrapping, and vaddr and offset agree modulo the page size (so the
 *    loader may copy or map page by page);
 *  - no two segments share a page (the loader gives each page one set of
 *    permissions) and no segment is both writable and executable;
 *  - the entry point lies inside an executable segment.
 *
 * The file comes from an untrusted package, may be unaligned, and is only
 * read: every field is assembled byte-wise and every sum checked for wrap.
 * Checks run in the order of enum elf_status so one defect gives one answer.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf.h"

#define EHDR_SIZE   64u
#define PHDR_SIZE   56u
#define ELFCLASS64  2u
#define ELFDATA2LSB 1u
#define EV_CURRENT  1u
#define ET_EXEC     2u
#define EM_X86_64   62u
#define PT_LOAD     1u
#define PN_XNUM     0xFFFFu

static uint64_t rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 8) | p[n];
	return v;
}

static uint64_t page_down(uint64_t a)
{
	return a & ~(uint64_t)(ELF_PAGE_SIZE - 1);
}

/* Callers make sure a + ELF_PAGE_SIZE - 1 does not wrap. */
static uint64_t page_up(uint64_t a)
{
	return page_down(a + (ELF_PAGE_SIZE - 1));
}

/* Rounds a segment to pages; false when the end (or its round-up) wraps. */
static bool page_span(uint64_t vaddr, uint64_t memsz, uint64_t *lo,
		      uint64_t *hi)
{
	uint64_t end = vaddr + memsz;

	if (end < vaddr || end > UINT64_MAX - (ELF_PAGE_SIZE - 1))
		return false;
	*lo = page_down(vaddr);
	*hi = page_up(end);
	return true;
}

enum elf_status elf_parse(const void *file, size_t len, uint64_t addr_lo,
			  uint64_t addr_hi, struct elf_image *out)
{
	const uint8_t *f = file;
	uint64_t phoff, phnum, entry, i, j;
	uint32_t n = 0;
	bool entry_ok = false;

	if (file == NULL || out == NULL || len < EHDR_SIZE)
		return ELF_ERR_TRUNCATED;
	if (f[0] != 0x7F || f[1] != 'E' || f[2] != 'L' || f[3] != 'F')
		return ELF_ERR_NOT_ELF;
	if (f[4] != ELFCLASS64 || f[5] != ELFDATA2LSB || f[6] != EV_CURRENT ||
	    rd(f + 20, 4) != EV_CURRENT)
		return ELF_ERR_CLASS;
	if (rd(f + 16, 2) != ET_EXEC)
		return ELF_ERR_TYPE;
	if (rd(f + 18, 2) != EM_X86_64)
		return ELF_ERR_MACHINE;

	entry = rd(f + 24, 8);
	phoff = rd(f + 32, 8);
	phnum = rd(f + 56, 2);
	/* PN_XNUM moves the real count into section 0; static programs never
	 * need 65535 headers, so refuse rather than parse sections. phnum <= 65535
	 * so phnum * 56 cannot overflow. */
	if (rd(f + 54, 2) != PHDR_SIZE || phnum == PN_XNUM || phoff > len ||
	    phnum * PHDR_SIZE > len - phoff)
		return ELF_ERR_PHDR;

	for (i = 0; i < phnum; i++) {
		const uint8_t *ph = f + phoff + i * PHDR_SIZE;
		struct elf_segment *s;

		if (rd(ph, 4) != PT_LOAD || rd(ph + 40, 8) == 0)
			continue;
		if (n == ELF_MAX_SEGMENTS)
			return ELF_ERR_TOO_MANY_SEGMENTS;
		s = &out->segs[n++];
		s->flags = (uint32_t)rd(ph + 4, 4) & (ELF_SEG_R | ELF_SEG_W | ELF_SEG_X);
		s->offset = rd(ph + 8, 8);
		s->vaddr = rd(ph + 16, 8);
		s->filesz = rd(ph + 32, 8);
		s->memsz = rd(ph + 40, 8);
	}
	if (n == 0)
		return ELF_ERR_NO_SEGMENTS;

	for (i = 0; i < n; i++) {
		const struct elf_segment *s = &out->segs[i];

		if (s->offset > len || s->filesz > len - s->offset ||
		    s->filesz > s->memsz)
			return ELF_ERR_SEGMENT_FILE;
	}

	out->lo = UINT64_MAX;
	out->hi = 0;
	for (i = 0; i < n; i++) {
		const struct elf_segment *s = &out->segs[i];
		uint64_t lo, hi;

		if (!page_span(s->vaddr, s->memsz, &lo, &hi) || lo < addr_lo ||
		    hi > addr_hi || s->vaddr % ELF_PAGE_SIZE != s->offset % ELF_PAGE_SIZE)
			return ELF_ERR_SEGMENT_ADDR;
		if (lo < out->lo)
			out->lo = lo;
		if (hi > out->hi)
			out->hi = hi;
	}

	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			const struct elf_segment *a = &out->segs[i];
			const struct elf_segment *b = &out->segs[j];

			/* Both spans passed page_span above: no wrap here. */
			if (page_down(a->vaddr) < page_up(b->vaddr + b->memsz) &&
			    page_down(b->vaddr) < page_up(a->vaddr + a->memsz))
				return ELF_ERR_SEGMENT_OVERLAP;
		}
	}

	for (i = 0; i < n; i++) {
		if ((out->segs[i].flags & ELF_SEG_W) && (out->segs[i].flags & ELF_SEG_X))
			return ELF_ERR_WRITE_EXEC;
	}

	for (i = 0; i < n; i++) {
		const struct elf_segment *s = &out->segs[i];

		/* vaddr + memsz cannot wrap: page_span accepted it. */
		if ((s->flags & ELF_SEG_X) && entry >= s->vaddr &&
		    entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	if (!entry_ok)
		return ELF_ERR_ENTRY;

	out->entry = entry;
	out->nsegs = n;
	return ELF_OK;
}

const char *elf_status_str(enum elf_status s)
{
	switch (s) {
	case ELF_OK:
		return "The ELF image is valid.";
	case ELF_ERR_TRUNCATED:
		return "The file is shorter than an ELF header.";
	case ELF_ERR_NOT_ELF:
		return "The file does not start with the ELF magic.";
	case ELF_ERR_CLASS:
		return "The file is not 64-bit little-endian ELF version 1.";
	case ELF_ERR_TYPE:
		return "The file is not a static executable (ET_EXEC).";
	case ELF_ERR_MACHINE:
		return "The file is not for x86_64.";
	case ELF_ERR_PHDR:
		return "The program header table has a bad entry size or lies outside the file.";
	case ELF_ERR_NO_SEGMENTS:
		return "The file has no loadable segment.";
	case ELF_ERR_TOO_MANY_SEGMENTS:
		return "The file has more loadable segments than the loader supports.";
	case ELF_ERR_SEGMENT_FILE:
		return "A segment's file bytes lie outside the file or exceed its memory size.";
	case ELF_ERR_SEGMENT_ADDR:
		return "A segment lies outside the allowed address range, wraps, or its address and file offset disagree modulo the page size.";
	case ELF_ERR_SEGMENT_OVERLAP:
		return "Two loadable segments share a page.";
	case ELF_ERR_WRITE_EXEC:
		return "A segment is both writable and executable.";
	case ELF_ERR_ENTRY:
		return "The entry point is not inside an executable segment.";
	}
	return "Unknown ELF status.";
}
