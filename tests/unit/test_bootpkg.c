/*
 * test_bootpkg - the boot package parser on packages built here in C.
 * mk_pkg() lays out a package the way codegen/mkpkg.py does, writing fields
 * byte-wise at the documented offsets (not through the structs, so a struct
 * layout mismatch would show). Each error test corrupts one field, reseals
 * the checksums that are not under test, and checks status and bad_entry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/bootpkg.h"
#include "lib/crc32.h"

#define HDR 32u
#define ENT 72u
#define PKG_MAX (64u * 1024u)

static _Alignas(4096) uint8_t pkg[PKG_MAX];
static size_t pkg_len;
static uint8_t init_data[5000];
static const char manifest_data[] = "manifest: hello";

struct spec {
	const char *name;
	uint32_t kind;
	const void *data;
	size_t size;
};

static void put(uint8_t *p, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 8) | p[n];
	return v;
}

static size_t align_up(size_t x)
{
	return (x + 4095u) & ~(size_t)4095u;
}

static uint8_t *ent(unsigned i)
{
	return pkg + HDR + ENT * i;
}

/* Header checksum over [0, total_size) with the field as zero. */
static void reseal(void)
{
	uint64_t total = get(pkg + 24, 8);

	put(pkg + 20, 0, 4);
	put(pkg + 20, crc32_update(0, pkg, (size_t)total), 4);
}

static void reseal_entry(unsigned i)
{
	uint64_t off = get(ent(i) + 56, 8), size = get(ent(i) + 64, 8);

	put(ent(i) + 52, crc32_update(0, pkg + off, (size_t)size), 4);
	reseal();
}

static void mk_pkg(const struct spec *s, unsigned n)
{
	size_t pos = align_up(HDR + ENT * n), total = 0;
	unsigned i;

	memset(pkg, 0, sizeof pkg);
	memcpy(pkg, "CAPOSPKG", 8);
	put(pkg + 8, 1, 4);
	put(pkg + 12, HDR, 4);
	put(pkg + 16, n, 4);
	for (i = 0; i < n; i++) {
		assert_true(pos + s[i].size <= sizeof pkg);
		memcpy(ent(i), s[i].name, strlen(s[i].name) + 1);
		put(ent(i) + 48, s[i].kind, 4);
		put(ent(i) + 52, crc32_update(0, s[i].data, s[i].size), 4);
		put(ent(i) + 56, pos, 8);
		put(ent(i) + 64, s[i].size, 8);
		if (s[i].size)
			memcpy(pkg + pos, s[i].data, s[i].size);
		total = pos + s[i].size;
		pos = align_up(total);
	}
	put(pkg + 24, total, 8);
	reseal();
	pkg_len = total;
}

/* init at 4096 (5000 bytes), empty at 12288, manifest also at 12288: an
 * empty entry shares its offset with the next one and overlaps nothing. */
static void mk_good(void)
{
	const struct spec s[] = {
		{ "init", CAPOS_PKG_KIND_ELF, init_data, sizeof init_data },
		{ "empty", CAPOS_PKG_KIND_DATA, "", 0 },
		{ "manifest", CAPOS_PKG_KIND_MANIFEST, manifest_data, sizeof manifest_data },
	};
	size_t i;

	for (i = 0; i < sizeof init_data; i++)
		init_data[i] = (uint8_t)(i * 13 + 1);
	mk_pkg(s, 3);
}

/* Parses pkg[0, len) and checks status, bad_entry and that *out was left
 * alone on error. */
static void expect(size_t len, enum bootpkg_status want, int want_bad)
{
	struct bootpkg out;
	int bad = 12345;

	memset(&out, 0x5A, sizeof out);
	assert_int_equal(bootpkg_parse(pkg, len, &out, &bad), want);
	assert_int_equal(bad, want_bad);
	if (want != BOOTPKG_OK) {
		const uint8_t *b = (const uint8_t *)&out;
		size_t i;

		for (i = 0; i < sizeof out; i++)
			assert_int_equal(b[i], 0x5A);
	}
	/* The trusted parse (no checksums) finds every other problem, the
	 * same one; a checksum error alone it does not see. */
	int checksum = want == BOOTPKG_ERR_CHECKSUM || want == BOOTPKG_ERR_ENTRY_CHECKSUM;
	bad = 12345;
	assert_int_equal(bootpkg_parse_trusted(pkg, len, &out, &bad),
			 checksum ? BOOTPKG_OK : want);
	assert_int_equal(bad, checksum ? -1 : want_bad);
}

static void test_good(void **state)
{
	struct bootpkg p;
	const struct capos_pkg_entry *e;
	int bad = 7;

	(void)state;
	mk_good();
	assert_int_equal(pkg_len, 12288 + sizeof manifest_data);
	assert_int_equal(bootpkg_parse(pkg, pkg_len, &p, &bad), BOOTPKG_OK);
	assert_int_equal(bad, -1);
	assert_ptr_equal(p.base, pkg);
	assert_int_equal(p.size, pkg_len);
	assert_int_equal(p.count, 3);
	assert_ptr_equal(p.entries, pkg + HDR);

	e = bootpkg_find(&p, "init");
	assert_ptr_equal(e, &p.entries[0]);
	assert_int_equal(e->kind, CAPOS_PKG_KIND_ELF);
	assert_int_equal(e->offset, 4096);
	assert_int_equal(e->size, sizeof init_data);
	assert_memory_equal(bootpkg_data(&p, e), init_data, sizeof init_data);

	e = bootpkg_find(&p, "manifest");
	assert_ptr_equal(e, &p.entries[2]);
	assert_int_equal(e->kind, CAPOS_PKG_KIND_MANIFEST);
	assert_int_equal(e->size, sizeof manifest_data);
	assert_memory_equal(bootpkg_data(&p, e), manifest_data, sizeof manifest_data);

	e = bootpkg_find(&p, "empty");
	assert_ptr_equal(e, &p.entries[1]);
	assert_int_equal(e->size, 0);
	assert_ptr_equal(bootpkg_data(&p, e), pkg + 12288);

	assert_null(bootpkg_find(&p, "ini"));    /* prefix */
	assert_null(bootpkg_find(&p, "init2"));  /* extension */
	assert_null(bootpkg_find(&p, ""));
	assert_null(bootpkg_find(&p, "a-name-that-is-far-longer-than-forty-eight-bytes-in-total"));
	assert_null(bootpkg_find(&p, NULL));
	assert_null(bootpkg_find(NULL, "init"));
	/* An entry not belonging to the package has no data. */
	{
		struct capos_pkg_entry foreign;

		memset(&foreign, 0, sizeof foreign);
		assert_null(bootpkg_data(&p, &foreign));
		assert_null(bootpkg_data(&p, NULL));
	}

	/* bad_entry may be NULL; a longer buffer than total_size is fine. */
	assert_int_equal(bootpkg_parse(pkg, sizeof pkg, &p, NULL), BOOTPKG_OK);
	assert_int_equal(p.size, pkg_len);
}

static void test_unaligned_buffer(void **state)
{
	static uint8_t shifted[PKG_MAX + 1];
	struct bootpkg p;

	(void)state;
	mk_good();
	memcpy(shifted + 1, pkg, pkg_len);
	/* Validation reads byte-wise, so an odd address parses. */
	assert_int_equal(bootpkg_parse(shifted + 1, pkg_len, &p, NULL), BOOTPKG_OK);
	assert_int_equal(p.count, 3);
}

static void test_truncated(void **state)
{
	(void)state;
	mk_good();
	expect(0, BOOTPKG_ERR_TRUNCATED, -1);
	expect(HDR - 1, BOOTPKG_ERR_TRUNCATED, -1);
	expect(pkg_len - 1, BOOTPKG_ERR_TRUNCATED, -1);
	/* total_size smaller than the header itself. */
	put(pkg + 24, HDR - 1, 8);
	expect(pkg_len, BOOTPKG_ERR_TRUNCATED, -1);
	assert_int_equal(bootpkg_parse(NULL, 100, NULL, NULL), BOOTPKG_ERR_TRUNCATED);
	/* A heap copy of exactly 31 bytes: ASan catches any read past it. */
	{
		struct bootpkg p;
		uint8_t *h;

		mk_good();
		h = malloc(HDR - 1);
		assert_non_null(h);
		memcpy(h, pkg, HDR - 1);
		assert_int_equal(bootpkg_parse(h, HDR - 1, &p, NULL), BOOTPKG_ERR_TRUNCATED);
		free(h);
	}
}

static void test_header(void **state)
{
	(void)state;
	mk_good();
	pkg[7] = 'H';
	reseal();
	expect(pkg_len, BOOTPKG_ERR_MAGIC, -1);

	mk_good();
	put(pkg + 8, 2, 4);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_VERSION, -1);
	put(pkg + 8, 0, 4);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_VERSION, -1);
	put(pkg + 8, 0x01000001u, 4); /* all four bytes count */
	reseal();
	expect(pkg_len, BOOTPKG_ERR_VERSION, -1);

	mk_good();
	put(pkg + 12, 40, 4);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_HEADER_SIZE, -1);
}

static void test_checksum(void **state)
{
	(void)state;
	mk_good();
	pkg[4096 + 100] ^= 1; /* data byte */
	expect(pkg_len, BOOTPKG_ERR_CHECKSUM, -1);
	mk_good();
	pkg[20] ^= 0x80; /* the checksum field itself */
	expect(pkg_len, BOOTPKG_ERR_CHECKSUM, -1);
	mk_good();
	pkg[200] ^= 1; /* padding after the table is covered too */
	expect(pkg_len, BOOTPKG_ERR_CHECKSUM, -1);
}

static void test_entry_count(void **state)
{
	(void)state;
	mk_good();
	put(pkg + 16, 0, 4);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_COUNT, -1);
	put(pkg + 16, CAPOS_PKG_MAX_ENTRIES + 1, 4);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_COUNT, -1);
	put(pkg + 16, 0xFFFFFFFFu, 4);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_COUNT, -1);
	/* The table (3 entries: 248 bytes) must fit inside total_size. */
	mk_good();
	put(pkg + 24, HDR + 3 * ENT - 1, 8);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_COUNT, -1);
}

static void test_max_entries(void **state)
{
	static const char *names[CAPOS_PKG_MAX_ENTRIES];
	static char buf[CAPOS_PKG_MAX_ENTRIES][8];
	struct spec s[CAPOS_PKG_MAX_ENTRIES];
	struct bootpkg p;
	unsigned i;

	(void)state;
	/* 64 empty entries: the maximum is accepted. */
	for (i = 0; i < CAPOS_PKG_MAX_ENTRIES; i++) {
		buf[i][0] = 'e';
		buf[i][1] = (char)('0' + i / 10);
		buf[i][2] = (char)('0' + i % 10);
		buf[i][3] = 0;
		names[i] = buf[i];
		s[i].name = names[i];
		s[i].kind = CAPOS_PKG_KIND_DATA;
		s[i].data = "";
		s[i].size = 0;
	}
	mk_pkg(s, CAPOS_PKG_MAX_ENTRIES);
	assert_int_equal(bootpkg_parse(pkg, pkg_len, &p, NULL), BOOTPKG_OK);
	assert_int_equal(p.count, CAPOS_PKG_MAX_ENTRIES);
	assert_ptr_equal(bootpkg_find(&p, "e63"), &p.entries[63]);
}

static void test_entry_name(void **state)
{
	(void)state;
	mk_good();
	ent(1)[0] = 0;
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_NAME, 1);

	mk_good();
	memset(ent(2), 'a', CAPOS_PKG_NAME_MAX); /* no NUL anywhere */
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_NAME, 2);

	/* 47 characters plus NUL is the longest valid name. */
	mk_good();
	memset(ent(2), 'a', CAPOS_PKG_NAME_MAX - 1);
	ent(2)[CAPOS_PKG_NAME_MAX - 1] = 0;
	reseal();
	expect(pkg_len, BOOTPKG_OK, -1);
}

static void test_entry_kind(void **state)
{
	(void)state;
	mk_good();
	put(ent(0) + 48, 0, 4);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_KIND, 0);
	put(ent(0) + 48, 4, 4);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_KIND, 0);
	put(ent(0) + 48, 0x100 + CAPOS_PKG_KIND_ELF, 4);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_KIND, 0);
}

static void test_entry_range(void **state)
{
	(void)state;
	/* Data inside the header/table. */
	mk_good();
	put(ent(1) + 56, 0, 8);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_RANGE, 1);
	/* One byte past total_size. */
	mk_good();
	put(ent(2) + 64, sizeof manifest_data + 1, 8);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_RANGE, 2);
	/* Offset beyond total_size with size 0. */
	mk_good();
	put(ent(1) + 56, 4096 * 8, 8);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_RANGE, 1);
	/* Not on a CAPOS_PKG_ALIGN boundary. */
	mk_good();
	put(ent(1) + 56, 4096 + 8, 8);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_RANGE, 1);
}

static void test_entry_overflow(void **state)
{
	(void)state;
	/* offset + size wraps to a small number inside the package. */
	mk_good();
	put(ent(2) + 64, UINT64_MAX - 4096 * 3 + 100, 8);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_RANGE, 2);
	mk_good();
	put(ent(0) + 56, UINT64_MAX - 4095, 8); /* aligned, huge */
	put(ent(0) + 64, 8192, 8);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_RANGE, 0);
}

static void test_entry_overlap(void **state)
{
	(void)state;
	mk_good();
	put(ent(2) + 56, 4096, 8); /* manifest onto init's data */
	reseal_entry(2);
	expect(pkg_len, BOOTPKG_ERR_ENTRY_OVERLAP, 2);
	/* Partial overlap: init grows into manifest's page. The empty entry
	 * at 12288 now lies inside init's range but holds no bytes: only the
	 * manifest (entry 2) conflicts. */
	mk_good();
	put(ent(0) + 64, 8192 + 1, 8);
	reseal_entry(0);
	expect(pkg_len, BOOTPKG_ERR_ENTRY_OVERLAP, 2);
	/* Adjacent ranges do not overlap. */
	mk_good();
	put(ent(0) + 64, 8192, 8);
	reseal_entry(0);
	expect(pkg_len, BOOTPKG_OK, -1);
}

static void test_entry_duplicate(void **state)
{
	(void)state;
	mk_good();
	memcpy(ent(2), "init", 5);
	memset(ent(2) + 5, 0, CAPOS_PKG_NAME_MAX - 5);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_DUPLICATE, 2);
	/* Bytes after the NUL are not part of the name. */
	mk_good();
	memcpy(ent(2), "init\0xyz", 8);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_DUPLICATE, 2);
	/* Case differs: distinct names. */
	mk_good();
	memcpy(ent(2), "INIT", 5);
	memset(ent(2) + 5, 0, CAPOS_PKG_NAME_MAX - 5);
	reseal();
	expect(pkg_len, BOOTPKG_OK, -1);
}

static void test_entry_checksum(void **state)
{
	(void)state;
	mk_good();
	pkg[12288 + 3] ^= 0x10; /* manifest data, header resealed */
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_CHECKSUM, 2);
	mk_good();
	put(ent(0) + 52, get(ent(0) + 52, 4) ^ 1, 4);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_CHECKSUM, 0);
	/* An empty entry's CRC must be 0 too. */
	mk_good();
	put(ent(1) + 52, 1, 4);
	reseal();
	expect(pkg_len, BOOTPKG_ERR_ENTRY_CHECKSUM, 1);
}

static void test_status_str(void **state)
{
	int s, t;

	(void)state;
	for (s = BOOTPKG_OK; s <= BOOTPKG_ERR_ENTRY_CHECKSUM; s++) {
		const char *m = bootpkg_status_str((enum bootpkg_status)s);

		assert_non_null(m);
		assert_true(strlen(m) > 10);
		for (t = BOOTPKG_OK; t < s; t++)
			assert_string_not_equal(m, bootpkg_status_str((enum bootpkg_status)t));
	}
	assert_non_null(bootpkg_status_str((enum bootpkg_status)99));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_unaligned_buffer),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_entry_count),
		cmocka_unit_test(test_max_entries),
		cmocka_unit_test(test_entry_name),
		cmocka_unit_test(test_entry_kind),
		cmocka_unit_test(test_entry_range),
		cmocka_unit_test(test_entry_overflow),
		cmocka_unit_test(test_entry_overlap),
		cmocka_unit_test(test_entry_duplicate),
		cmocka_unit_test(test_entry_checksum),
		cmocka_unit_test(test_status_str),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
