/*
 * elf.h - validation of static x86_64 ELF executables before loading.
 * Pure, freestanding C: used by the loader (for the kernel), the kernel (for
 * user programs) and host tests. It only reads the file; the caller maps.
 */
#ifndef KERN_LIB_ELF_H
#define KERN_LIB_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16u
#define ELF_PAGE_SIZE    4096u

#define ELF_SEG_R 4u /* same values as PF_R/PF_W/PF_X */
#define ELF_SEG_W 2u
#define ELF_SEG_X 1u

enum elf_status {
	ELF_OK = 0,
	ELF_ERR_TRUNCATED,        /* file shorter than an ELF header */
	ELF_ERR_NOT_ELF,          /* bad magic */
	ELF_ERR_CLASS,            /* not ELFCLASS64 little endian, version 1 */
	ELF_ERR_TYPE,             /* not ET_EXEC */
	ELF_ERR_MACHINE,          /* not EM_X86_64 */
	ELF_ERR_PHDR,             /* program header table bad size or out of file */
	ELF_ERR_NO_SEGMENTS,      /* no PT_LOAD */
	ELF_ERR_TOO_MANY_SEGMENTS,
	ELF_ERR_SEGMENT_FILE,     /* offset+filesz outside the file, or filesz > memsz */
	ELF_ERR_SEGMENT_ADDR,     /* outside [lo, hi), wraps, or misaligned vs offset */
	ELF_ERR_SEGMENT_OVERLAP,  /* two PT_LOADs share a page */
	ELF_ERR_WRITE_EXEC,       /* a segment both writable and executable */
	ELF_ERR_ENTRY,            /* entry not inside an executable segment */
};

struct elf_segment {
	uint64_t vaddr;
	uint64_t memsz;
	uint64_t offset; /* in the file */
	uint64_t filesz;
	uint32_t flags;  /* ELF_SEG_* */
};

struct elf_image {
	uint64_t entry;
	uint32_t nsegs;  /* PT_LOAD segments, in file order */
	struct elf_segment segs[ELF_MAX_SEGMENTS];
	uint64_t lo;     /* lowest vaddr, page rounded down */
	uint64_t hi;     /* highest vaddr+memsz, page rounded up */
};

/*
 * Checks file[0, len) and fills *out. Every PT_LOAD must lie inside
 * [addr_lo, addr_hi) once rounded to pages. Other program headers are
 * ignored. On error *out is unspecified.
 */
enum elf_status elf_parse(const void *file, size_t len, uint64_t addr_lo,
			  uint64_t addr_hi, struct elf_image *out);

const char *elf_status_str(enum elf_status s);

#endif
