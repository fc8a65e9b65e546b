/*
 * test_elf - the ELF validator on synthetic images. build_elf() writes a
 * minimal ELF64 executable byte by byte (independently of elf.c's reader);
 * each error test starts from the valid image and corrupts one thing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/elf.h"

#define PT_LOAD      1u
#define PT_NOTE      4u
#define PT_GNU_STACK 0x6474E551u
#define R ELF_SEG_R
#define W ELF_SEG_W
#define X ELF_SEG_X

#define LO      0x400000ull
#define HI      0x800000ull
#define FILELEN 0x3000u
#define ENTRY   0x401010ull

struct ph {
	uint32_t type, flags;
	uint64_t offset, vaddr, filesz, memsz;
};

static uint8_t img[FILELEN];

static void put(uint8_t *p, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A valid ELF64 x86_64 ET_EXEC header with phdrs at offset 64. */
static void build_elf(uint64_t entry, const struct ph *ph, unsigned n)
{
	unsigned i;

	memset(img, 0, sizeof img);
	img[0] = 0x7F; img[1] = 'E'; img[2] = 'L'; img[3] = 'F';
	img[4] = 2;  /* ELFCLASS64 */
	img[5] = 1;  /* ELFDATA2LSB */
	img[6] = 1;  /* EV_CURRENT */
	put(img + 16, 2, 2);   /* ET_EXEC */
	put(img + 18, 62, 2);  /* EM_X86_64 */
	put(img + 20, 1, 4);
	put(img + 24, entry, 8);
	put(img + 32, 64, 8);  /* e_phoff */
	put(img + 52, 64, 2);  /* e_ehsize */
	put(img + 54, 56, 2);  /* e_phentsize */
	put(img + 56, n, 2);
	for (i = 0; i < n; i++) {
		uint8_t *p = img + 64 + 56 * i;

		assert_true(64 + 56 * (i + 1) <= sizeof img);
		put(p, ph[i].type, 4);
		put(p + 4, ph[i].flags, 4);
		put(p + 8, ph[i].offset, 8);
		put(p + 16, ph[i].vaddr, 8);
		put(p + 24, ph[i].vaddr, 8);
		put(p + 32, ph[i].filesz, 8);
		put(p + 40, ph[i].memsz, 8);
		put(p + 48, 0x1000, 8);
	}
}

/* text R+X at 0x401000 (file 0x1000), data R+W at 0x402000 with bss to
 * 0x405000, plus headers that must be ignored. */
static const struct ph good[] = {
	{ PT_LOAD, R | X, 0x1000, 0x401000, 0x800, 0x800 },
	{ PT_NOTE, R, 0x1100, 0x401100, 0x20, 0x20 },
	{ PT_LOAD, R | W, 0x2000, 0x402000, 0x100, 0x2F00 },
	{ PT_GNU_STACK, R | W, 0, 0, 0, 0 },
	{ PT_LOAD, R, 0, 0x900000, 0, 0 }, /* empty: skipped, even out of range */
};
#define NGOOD 5u

static struct ph ph[20];

static void load_good(void)
{
	memcpy(ph, good, sizeof good);
}

static enum elf_status parse(unsigned n, uint64_t entry)
{
	struct elf_image im;

	build_elf(entry, ph, n);
	return elf_parse(img, sizeof img, LO, HI, &im);
}

static enum elf_status parse_img(void)
{
	struct elf_image im;

	return elf_parse(img, sizeof img, LO, HI, &im);
}

static void test_valid(void **state)
{
	struct elf_image im;

	(void)state;
	load_good();
	build_elf(ENTRY, ph, NGOOD);
	memset(&im, 0xA5, sizeof im);
	assert_int_equal(elf_parse(img, sizeof img, LO, HI, &im), ELF_OK);
	assert_int_equal(im.entry, ENTRY);
	assert_int_equal(im.nsegs, 2);
	assert_int_equal(im.segs[0].vaddr, 0x401000);
	assert_int_equal(im.segs[0].memsz, 0x800);
	assert_int_equal(im.segs[0].offset, 0x1000);
	assert_int_equal(im.segs[0].filesz, 0x800);
	assert_int_equal(im.segs[0].flags, R | X);
	assert_int_equal(im.segs[1].vaddr, 0x402000);
	assert_int_equal(im.segs[1].memsz, 0x2F00);
	assert_int_equal(im.segs[1].offset, 0x2000);
	assert_int_equal(im.segs[1].filesz, 0x100);
	assert_int_equal(im.segs[1].flags, R | W);
	assert_int_equal(im.lo, 0x401000);
	assert_int_equal(im.hi, 0x405000);
}

static void test_valid_edges(void **state)
{
	(void)state;
	/* Segment ending exactly at addr_hi, starting exactly at addr_lo. */
	load_good();
	ph[0].vaddr = LO + 0x10; ph[0].offset = 0x10;
	ph[2].vaddr = HI - 0x1000; ph[2].memsz = 0x1000;
	assert_int_equal(parse(NGOOD, LO + 0x20), ELF_OK);
	/* Entry on the last byte of the text segment. */
	load_good();
	assert_int_equal(parse(NGOOD, 0x401000 + 0x7FF), ELF_OK);
	/* Segment file bytes up to exactly the end of the file. */
	load_good();
	ph[2].filesz = FILELEN - 0x2000;
	assert_int_equal(parse(NGOOD, ENTRY), ELF_OK);
	/* Extra PF_* bits outside RWX do not matter. */
	load_good();
	ph[0].flags |= 0x00F00000u;
	assert_int_equal(parse(NGOOD, ENTRY), ELF_OK);
}

static void test_truncated(void **state)
{
	struct elf_image im;

	(void)state;
	load_good();
	build_elf(ENTRY, ph, NGOOD);
	assert_int_equal(elf_parse(img, 63, LO, HI, &im), ELF_ERR_TRUNCATED);
	assert_int_equal(elf_parse(img, 0, LO, HI, &im), ELF_ERR_TRUNCATED);
	assert_int_equal(elf_parse(NULL, sizeof img, LO, HI, &im), ELF_ERR_TRUNCATED);
}

static void test_header_fields(void **state)
{
	(void)state;
	load_good();
	build_elf(ENTRY, ph, NGOOD);
	img[1] = 'X';
	assert_int_equal(parse_img(), ELF_ERR_NOT_ELF);
	build_elf(ENTRY, ph, NGOOD);
	img[0] = 0;
	assert_int_equal(parse_img(), ELF_ERR_NOT_ELF);

	build_elf(ENTRY, ph, NGOOD);
	img[4] = 1; /* ELFCLASS32 */
	assert_int_equal(parse_img(), ELF_ERR_CLASS);
	build_elf(ENTRY, ph, NGOOD);
	img[5] = 2; /* big endian */
	assert_int_equal(parse_img(), ELF_ERR_CLASS);
	build_elf(ENTRY, ph, NGOOD);
	img[6] = 0;
	assert_int_equal(parse_img(), ELF_ERR_CLASS);
	build_elf(ENTRY, ph, NGOOD);
	put(img + 20, 2, 4); /* e_version */
	assert_int_equal(parse_img(), ELF_ERR_CLASS);

	build_elf(ENTRY, ph, NGOOD);
	put(img + 16, 3, 2); /* ET_DYN */
	assert_int_equal(parse_img(), ELF_ERR_TYPE);
	build_elf(ENTRY, ph, NGOOD);
	put(img + 16, 1, 2); /* ET_REL */
	assert_int_equal(parse_img(), ELF_ERR_TYPE);

	build_elf(ENTRY, ph, NGOOD);
	put(img + 18, 3, 2); /* EM_386 */
	assert_int_equal(parse_img(), ELF_ERR_MACHINE);
	build_elf(ENTRY, ph, NGOOD);
	put(img + 18, 62 + 256, 2); /* high byte matters */
	assert_int_equal(parse_img(), ELF_ERR_MACHINE);
}

static void test_phdr(void **state)
{
	struct elf_image im;

	(void)state;
	load_good();
	build_elf(ENTRY, ph, NGOOD);
	put(img + 54, 64, 2);
	assert_int_equal(parse_img(), ELF_ERR_PHDR);
	build_elf(ENTRY, ph, NGOOD);
	put(img + 32, FILELEN + 1, 8); /* starts past the end */
	assert_int_equal(parse_img(), ELF_ERR_PHDR);
	build_elf(ENTRY, ph, NGOOD);
	put(img + 32, FILELEN - 56 * NGOOD + 1, 8); /* last byte past the end */
	assert_int_equal(parse_img(), ELF_ERR_PHDR);
	build_elf(ENTRY, ph, NGOOD);
	put(img + 32, UINT64_MAX - 8, 8); /* offset + size wraps */
	assert_int_equal(parse_img(), ELF_ERR_PHDR);
	build_elf(ENTRY, ph, NGOOD);
	put(img + 56, 0xFFFF, 2); /* PN_XNUM */
	assert_int_equal(parse_img(), ELF_ERR_PHDR);
	/* Table in a file truncated just before its end. */
	build_elf(ENTRY, ph, NGOOD);
	assert_int_equal(elf_parse(img, 64 + 56 * NGOOD - 1, LO, HI, &im), ELF_ERR_PHDR);
	/* Table ending exactly at the end of the file is fine up to phdr
	 * checks: it fails later, on the segment's file range. */
	assert_int_equal(elf_parse(img, 64 + 56 * NGOOD, LO, HI, &im),
			 ELF_ERR_SEGMENT_FILE);
}

static void test_no_segments(void **state)
{
	(void)state;
	load_good();
	assert_int_equal(parse(0, ENTRY), ELF_ERR_NO_SEGMENTS);
	/* Only non-load and empty-load headers. */
	ph[0] = good[1];
	ph[1] = good[3];
	ph[2] = good[4];
	assert_int_equal(parse(3, ENTRY), ELF_ERR_NO_SEGMENTS);
}

static void fill_segments(unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		ph[i].type = PT_LOAD;
		ph[i].flags = i == 0 ? (R | X) : R;
		ph[i].offset = 0;
		ph[i].vaddr = LO + 0x1000ull * i;
		ph[i].filesz = 0;
		ph[i].memsz = 0x1000;
	}
}

static void test_too_many(void **state)
{
	(void)state;
	fill_segments(ELF_MAX_SEGMENTS);
	assert_int_equal(parse(ELF_MAX_SEGMENTS, LO), ELF_OK);
	fill_segments(ELF_MAX_SEGMENTS + 1);
	assert_int_equal(parse(ELF_MAX_SEGMENTS + 1, LO), ELF_ERR_TOO_MANY_SEGMENTS);
	/* Empty and non-load headers do not count towards the limit. */
	fill_segments(ELF_MAX_SEGMENTS);
	ph[16] = good[3];
	ph[17] = good[4];
	assert_int_equal(parse(ELF_MAX_SEGMENTS + 2, LO), ELF_OK);
}

static void test_segment_file(void **state)
{
	(void)state;
	load_good();
	ph[2].filesz = FILELEN - 0x2000 + 1;
	assert_int_equal(parse(NGOOD, ENTRY), ELF_ERR_SEGMENT_FILE);
	load_good();
	ph[2].offset = UINT64_MAX - 0xFFE; /* offset + filesz wraps to 1 */
	ph[2].vaddr = 0x402001;            /* keep it congruent */
	ph[2].filesz = 0x1000;
	assert_int_equal(parse(NGOOD, ENTRY), ELF_ERR_SEGMENT_FILE);
	load_good();
	ph[2].offset = FILELEN + 0x1000;
	ph[2].filesz = 0;
	assert_int_equal(parse(NGOOD, ENTRY), ELF_ERR_SEGMENT_FILE);
	load_good();
	ph[0].filesz = 0x801; /* filesz > memsz */
	assert_int_equal(parse(NGOOD, ENTRY), ELF_ERR_SEGMENT_FILE);
}

static void test_segment_addr(void **state)
{
	struct elf_image im;

	(void)state;
	load_good();
	ph[2].vaddr = LO - 0x1000; /* below addr_lo */
	assert_int_equal(parse(NGOOD, ENTRY), ELF_ERR_SEGMENT_ADDR);
	load_good();
	ph[2].vaddr = HI - 0x1000; ph[2].memsz = 0x1001; /* past addr_hi */
	assert_int_equal(parse(NGOOD, ENTRY), ELF_ERR_SEGMENT_ADDR);
	load_good();
	ph[2].vaddr = HI - 0x700; ph[2].offset = 0x2900;
	ph[2].memsz = 0x600; /* ends at HI - 0x100, rounds up to exactly HI */
	assert_int_equal(parse(NGOOD, ENTRY), ELF_OK);
	ph[2].memsz = 0x701; /* ends at HI + 1 */
	assert_int_equal(parse(NGOOD, ENTRY), ELF_ERR_SEGMENT_ADDR);

	/* Wrap: vaddr + memsz overflows, with the whole space allowed. */
	load_good();
	ph[2].vaddr = 0xFFFFFFFFFFFFF000ull; ph[2].memsz = 0x2000;
	build_elf(ENTRY, ph, NGOOD);
	assert_int_equal(elf_parse(img, sizeof img, 0, UINT64_MAX, &im),
			 ELF_ERR_SEGMENT_ADDR);
	/* No overflow of the end, but of its round-up to a page. */
	load_good();
	ph[2].vaddr = 0xFFFFFFFFFFFFF000ull; ph[2].memsz = 0xFFF;
	build_elf(ENTRY, ph, NGOOD);
	assert_int_equal(elf_parse(img, sizeof img, 0, UINT64_MAX, &im),
			 ELF_ERR_SEGMENT_ADDR);

	/* The page-rounded span is what must fit: unaligned bounds cut off
	 * the first or last page. */
	load_good();
	build_elf(ENTRY, ph, NGOOD);
	assert_int_equal(elf_parse(img, sizeof img, 0x401001, HI, &im),
			 ELF_ERR_SEGMENT_ADDR);
	assert_int_equal(elf_parse(img, sizeof img, LO, 0x404FFF, &im),
			 ELF_ERR_SEGMENT_ADDR);
	assert_int_equal(elf_parse(img, sizeof img, 0x401000, 0x405000, &im), ELF_OK);
	/* An empty or inverted allowed range admits nothing. */
	assert_int_equal(elf_parse(img, sizeof img, HI, LO, &im), ELF_ERR_SEGMENT_ADDR);

	/* vaddr and offset disagree modulo the page size. */
	load_good();
	ph[2].vaddr = 0x402010;
	assert_int_equal(parse(NGOOD, ENTRY), ELF_ERR_SEGMENT_ADDR);
}

static void test_overlap(void **state)
{
	(void)state;
	/* Data starts on the page where text ends: shares page 0x401000. */
	load_good();
	ph[2].vaddr = 0x401800; ph[2].offset = 0x1800; ph[2].filesz = 0x100;
	assert_int_equal(parse(NGOOD, ENTRY), ELF_ERR_SEGMENT_OVERLAP);
	/* Disjoint bytes on one page, declared in the other order: data
	 * [0x402000, 0x402100), text [0x402F00, 0x403000). */
	load_good();
	ph[0].vaddr = 0x402F00; ph[0].offset = 0xF00; ph[0].memsz = ph[0].filesz = 0x100;
	ph[2].memsz = 0x100;
	assert_int_equal(parse(NGOOD, 0x402F10), ELF_ERR_SEGMENT_OVERLAP);
	/* One segment wholly inside another. */
	load_good();
	ph[0].vaddr = 0x403000; ph[0].offset = 0x1000;
	assert_int_equal(parse(NGOOD, 0x403010), ELF_ERR_SEGMENT_OVERLAP);
}

static void test_write_exec(void **state)
{
	(void)state;
	load_good();
	ph[0].flags = R | W | X;
	assert_int_equal(parse(NGOOD, ENTRY), ELF_ERR_WRITE_EXEC);
	load_good();
	ph[2].flags = W | X;
	assert_int_equal(parse(NGOOD, ENTRY), ELF_ERR_WRITE_EXEC);
}

static void test_entry(void **state)
{
	(void)state;
	load_good();
	assert_int_equal(parse(NGOOD, 0x500000), ELF_ERR_ENTRY);   /* nowhere */
	assert_int_equal(parse(NGOOD, 0x401800), ELF_ERR_ENTRY);   /* one past text */
	assert_int_equal(parse(NGOOD, 0x400FFF), ELF_ERR_ENTRY);   /* one before */
	assert_int_equal(parse(NGOOD, 0x402010), ELF_ERR_ENTRY);   /* in data (RW) */
	assert_int_equal(parse(NGOOD, 0), ELF_ERR_ENTRY);
	/* Executable-only segment (no R) still counts as executable. */
	ph[0].flags = X;
	assert_int_equal(parse(NGOOD, ENTRY), ELF_OK);
	/* Text made non-executable: entry no longer valid. */
	ph[0].flags = R;
	assert_int_equal(parse(NGOOD, ENTRY), ELF_ERR_ENTRY);
}

static void test_unaligned_buffer(void **state)
{
	static uint8_t shifted[FILELEN + 1];
	struct elf_image im;

	(void)state;
	load_good();
	build_elf(ENTRY, ph, NGOOD);
	memcpy(shifted + 1, img, sizeof img);
	assert_int_equal(elf_parse(shifted + 1, sizeof img, LO, HI, &im), ELF_OK);
	assert_int_equal(im.nsegs, 2);
	assert_int_equal(im.entry, ENTRY);
}

static void test_status_str(void **state)
{
	int s, t;

	(void)state;
	for (s = ELF_OK; s <= ELF_ERR_ENTRY; s++) {
		assert_non_null(elf_status_str((enum elf_status)s));
		for (t = ELF_OK; t < s; t++)
			assert_string_not_equal(elf_status_str((enum elf_status)s),
						elf_status_str((enum elf_status)t));
	}
	assert_non_null(elf_status_str((enum elf_status)99));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_valid_edges),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_phdr),
		cmocka_unit_test(test_no_segments),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_segment_file),
		cmocka_unit_test(test_segment_addr),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_write_exec),
		cmocka_unit_test(test_entry),
		cmocka_unit_test(test_unaligned_buffer),
		cmocka_unit_test(test_status_str),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
