/*
 * test_bootpkg_file - cross-check of codegen/mkpkg.py against the C parser.
 * Usage: test_bootpkg_file PKG name=path[:kind]...   (the arguments given to
 * mkpkg.py). The package must parse, hold exactly those entries in that
 * order, and each entry's kind, size and bytes must equal its input file.
 * Exit status 0 on success, 1 with a message on the first mismatch.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bootpkg.h"
#include "test_check.h"

/* Whole file into an 8-byte aligned malloc buffer (entries view needs it). */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static uint32_t kind_of(const char *s)
{
	if (strcmp(s, "elf") == 0)
		return CAPOS_PKG_KIND_ELF;
	if (strcmp(s, "manifest") == 0)
		return CAPOS_PKG_KIND_MANIFEST;
	if (strcmp(s, "data") == 0)
		return CAPOS_PKG_KIND_DATA;
	return 0;
}

int main(int argc, char **argv)
{
	struct bootpkg p;
	uint8_t *pkgbuf;
	size_t pkglen = 0;
	enum bootpkg_status st;
	int bad = 0, i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s PKG name=path[:kind]...\n", argv[0]);
		return 2;
	}
	pkgbuf = slurp(argv[1], &pkglen);
	if (pkgbuf == NULL) {
		fprintf(stderr, "FAIL: cannot read %s\n", argv[1]);
		return 1;
	}
	st = bootpkg_parse(pkgbuf, pkglen, &p, &bad);
	if (st != BOOTPKG_OK) {
		fprintf(stderr, "FAIL: %s: %s (entry %d)\n", argv[1],
			bootpkg_status_str(st), bad);
		return 1;
	}
	CHECK(p.size == pkglen, "total_size %llu != file size %zu",
	      (unsigned long long)p.size, pkglen);
	CHECK(p.count == (uint32_t)(argc - 2), "count %u, expected %d", p.count, argc - 2);

	for (i = 2; i < argc && i - 2 < (int)p.count; i++) {
		char spec[4096];
		char *name = spec, *path, *colon;
		uint32_t kind = CAPOS_PKG_KIND_ELF;
		const struct capos_pkg_entry *e;
		uint8_t *want;
		size_t want_len = 0;

		snprintf(spec, sizeof spec, "%s", argv[i]);
		path = strchr(spec, '=');
		if (path == NULL) {
			fprintf(stderr, "bad spec %s\n", argv[i]);
			return 2;
		}
		*path++ = 0;
		colon = strrchr(path, ':');
		if (colon != NULL && kind_of(colon + 1) != 0) {
			kind = kind_of(colon + 1);
			*colon = 0;
		}

		e = bootpkg_find(&p, name);
		CHECK(e != NULL, "entry '%s' missing", name);
		if (e == NULL)
			continue;
		CHECK(e == &p.entries[i - 2], "entry '%s' not at index %d", name, i - 2);
		CHECK(e->kind == kind, "entry '%s' kind %u, expected %u", name, e->kind, kind);
		CHECK(e->offset % CAPOS_PKG_ALIGN == 0, "entry '%s' offset %llu unaligned",
		      name, (unsigned long long)e->offset);
		want = slurp(path, &want_len);
		CHECK(want != NULL, "cannot read %s", path);
		if (want == NULL)
			continue;
		CHECK(e->size == want_len, "entry '%s' size %llu, file %zu", name,
		      (unsigned long long)e->size, want_len);
		if (e->size == want_len)
			CHECK(want_len == 0 ||
			      memcmp(bootpkg_data(&p, e), want, want_len) == 0,
			      "entry '%s' bytes differ from %s", name, path);
		free(want);
	}
	/* The package ends right after the last entry's data. */
	if (p.count > 0)
		CHECK(p.entries[p.count - 1].offset + p.entries[p.count - 1].size == p.size,
		      "total_size is not the end of the last entry");
	free(pkgbuf);
	if (failures == 0)
		printf("ok: %s: %u entries match their input files\n", argv[1], p.count);
	return failures == 0 ? 0 : 1;
}
