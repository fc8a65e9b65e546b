/*
 * bootpkg.c - boot package parser (format in capos/bootpkg.h).
 *
 * Invariants of a package accepted by bootpkg_parse (the list in
 * capos/bootpkg.h, checked in this order, first failure wins):
 *  1. len >= header; magic, version, header_size exact; header <= total_size
 *     <= len;
 *  2. CRC-32 of [0, total_size) with the checksum field as zero matches;
 *  3. 1 <= entry_count <= CAPOS_PKG_MAX_ENTRIES, table inside total_size;
 *  4. per entry, in index order: name non-empty and NUL-terminated; kind
 *     known; data offset aligned to CAPOS_PKG_ALIGN and the data inside
 *     [end of table, total_size) without wrap; data disjoint from every
 *     earlier entry's; name distinct from every earlier entry's; data CRC.
 *     bad_entry names the later entry of a conflicting pair.
 *
 * The buffer is untrusted and may be unaligned, so validation reads every
 * field byte-wise. Only after success do callers get the typed `entries`
 * view, which needs buf to be 8-byte aligned (the loader page-aligns it).
 * Whole-package CRC goes first: a corrupted download is far likelier than a
 * crafted one, and it gives the clearest message for it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bootpkg.h"
#include "crc32.h"

#define HDR_SIZE   32u
#define ENT_SIZE   72u
#define HDR_CHECKSUM_OFF 20u

/* The byte offsets below are the format; the structs must match them. */
_Static_assert(sizeof(struct capos_pkg_header) == HDR_SIZE, "header size");
_Static_assert(offsetof(struct capos_pkg_header, version) == 8, "version");
_Static_assert(offsetof(struct capos_pkg_header, header_size) == 12, "header_size");
_Static_assert(offsetof(struct capos_pkg_header, entry_count) == 16, "entry_count");
_Static_assert(offsetof(struct capos_pkg_header, checksum) == HDR_CHECKSUM_OFF, "checksum");
_Static_assert(offsetof(struct capos_pkg_header, total_size) == 24, "total_size");
_Static_assert(sizeof(struct capos_pkg_entry) == ENT_SIZE, "entry size");
_Static_assert(offsetof(struct capos_pkg_entry, kind) == 48, "kind");
_Static_assert(offsetof(struct capos_pkg_entry, crc32) == 52, "crc32");
_Static_assert(offsetof(struct capos_pkg_entry, offset) == 56, "offset");
_Static_assert(offsetof(struct capos_pkg_entry, size) == 64, "size");

static uint64_t rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 8) | p[n];
	return v;
}

/* Names were checked to be NUL-terminated within CAPOS_PKG_NAME_MAX. */
static bool name_eq(const uint8_t *a, const uint8_t *b)
{
	unsigned i;

	for (i = 0; i < CAPOS_PKG_NAME_MAX; i++) {
		if (a[i] != b[i])
			return false;
		if (a[i] == 0)
			return true;
	}
	return true;
}

static enum bootpkg_status check_entry(const uint8_t *base, uint64_t total,
				       uint64_t table_end, uint32_t idx, int checksums)
{
	const uint8_t *e = base + HDR_SIZE + (uint64_t)idx * ENT_SIZE;
	uint64_t kind, off, size, k;
	unsigned i;
	bool terminated = false;

	for (i = 0; i < CAPOS_PKG_NAME_MAX; i++) {
		if (e[i] == 0) {
			terminated = true;
			break;
		}
	}
	if (e[0] == 0 || !terminated)
		return BOOTPKG_ERR_ENTRY_NAME;

	kind = rd(e + 48, 4);
	if (kind != CAPOS_PKG_KIND_ELF && kind != CAPOS_PKG_KIND_MANIFEST &&
	    kind != CAPOS_PKG_KIND_DATA)
		return BOOTPKG_ERR_ENTRY_KIND;

	off = rd(e + 56, 8);
	size = rd(e + 64, 8);
	if (off % CAPOS_PKG_ALIGN != 0 || off < table_end || off > total ||
	    size > total - off)
		return BOOTPKG_ERR_ENTRY_RANGE;

	for (k = 0; k < idx; k++) {
		const uint8_t *o = base + HDR_SIZE + k * ENT_SIZE;
		uint64_t ooff = rd(o + 56, 8), osize = rd(o + 64, 8);

		/* Empty entries hold no bytes, so they overlap nothing, even
		 * when their offset lies inside another entry's data. Both
		 * ranges are inside total_size, so the sums cannot wrap. */
		if (size != 0 && osize != 0 && off < ooff + osize &&
		    ooff < off + size)
			return BOOTPKG_ERR_ENTRY_OVERLAP;
	}
	for (k = 0; k < idx; k++) {
		if (name_eq(e, base + HDR_SIZE + k * ENT_SIZE))
			return BOOTPKG_ERR_ENTRY_DUPLICATE;
	}

	if (checksums && crc32_update(0, base + off, (size_t)size) != rd(e + 52, 4))
		return BOOTPKG_ERR_ENTRY_CHECKSUM;
	return BOOTPKG_OK;
}

static enum bootpkg_status parse(const void *buf, size_t len, struct bootpkg *out,
				 int *bad_entry, int checksums)
{
	static const uint8_t zero4[4] = { 0, 0, 0, 0 };
	static const char magic[8] = CAPOS_PKG_MAGIC;
	const uint8_t *b = buf;
	uint64_t total, count, table_end;
	uint32_t crc, i;
	unsigned k;

	if (bad_entry != NULL)
		*bad_entry = -1;
	if (buf == NULL || out == NULL || len < HDR_SIZE)
		return BOOTPKG_ERR_TRUNCATED;
	for (k = 0; k < 8; k++) {
		if (b[k] != (uint8_t)magic[k])
			return BOOTPKG_ERR_MAGIC;
	}
	if (rd(b + 8, 4) != CAPOS_PKG_VERSION)
		return BOOTPKG_ERR_VERSION;
	if (rd(b + 12, 4) != HDR_SIZE)
		return BOOTPKG_ERR_HEADER_SIZE;
	total = rd(b + 24, 8);
	/* A total_size below the header cannot describe a package at all. */
	if (total > len || total < HDR_SIZE)
		return BOOTPKG_ERR_TRUNCATED;

	if (checksums) {
		crc = crc32_update(0, b, HDR_CHECKSUM_OFF);
		crc = crc32_update(crc, zero4, sizeof zero4);
		crc = crc32_update(crc, b + HDR_CHECKSUM_OFF + 4,
				   (size_t)(total - HDR_CHECKSUM_OFF - 4));
		if (crc != rd(b + HDR_CHECKSUM_OFF, 4))
			return BOOTPKG_ERR_CHECKSUM;
	}

	count = rd(b + 16, 4);
	if (count == 0 || count > CAPOS_PKG_MAX_ENTRIES)
		return BOOTPKG_ERR_ENTRY_COUNT;
	table_end = HDR_SIZE + count * ENT_SIZE; /* count <= 64: no wrap */
	if (table_end > total)
		return BOOTPKG_ERR_ENTRY_COUNT;

	for (i = 0; i < count; i++) {
		enum bootpkg_status st = check_entry(b, total, table_end, i, checksums);

		if (st != BOOTPKG_OK) {
			if (bad_entry != NULL)
				*bad_entry = (int)i;
			return st;
		}
	}

	out->base = b;
	out->size = total;
	out->count = (uint32_t)count;
	out->entries = (const struct capos_pkg_entry *)(const void *)(b + HDR_SIZE);
	return BOOTPKG_OK;
}

enum bootpkg_status bootpkg_parse(const void *buf, size_t len,
				  struct bootpkg *out, int *bad_entry)
{
	return parse(buf, len, out, bad_entry, 1);
}

enum bootpkg_status bootpkg_parse_trusted(const void *buf, size_t len,
					  struct bootpkg *out, int *bad_entry)
{
	return parse(buf, len, out, bad_entry, 0);
}

const struct capos_pkg_entry *bootpkg_find(const struct bootpkg *pkg,
					   const char *name)
{
	uint32_t i;

	if (pkg == NULL || name == NULL)
		return NULL;
	for (i = 0; i < pkg->count; i++) {
		const char *n = pkg->entries[i].name;
		unsigned k = 0;

		while (k < CAPOS_PKG_NAME_MAX && n[k] == name[k] && n[k] != 0)
			k++;
		if (k < CAPOS_PKG_NAME_MAX && n[k] == name[k])
			return &pkg->entries[i];
	}
	return NULL;
}

const void *bootpkg_data(const struct bootpkg *pkg,
			 const struct capos_pkg_entry *e)
{
	/* Only entries of this package are known to point inside it. */
	if (pkg == NULL || e == NULL || e < pkg->entries ||
	    e >= pkg->entries + pkg->count)
		return NULL;
	return pkg->base + e->offset;
}

const char *bootpkg_status_str(enum bootpkg_status s)
{
	switch (s) {
	case BOOTPKG_OK:
		return "The boot package is valid.";
	case BOOTPKG_ERR_TRUNCATED:
		return "The boot package is shorter than its header or its declared size.";
	case BOOTPKG_ERR_MAGIC:
		return "The boot package does not start with CAPOSPKG.";
	case BOOTPKG_ERR_VERSION:
		return "The boot package has an unsupported format version.";
	case BOOTPKG_ERR_HEADER_SIZE:
		return "The boot package header size is wrong.";
	case BOOTPKG_ERR_CHECKSUM:
		return "The boot package checksum does not match its contents.";
	case BOOTPKG_ERR_ENTRY_COUNT:
		return "The boot package entry count is zero, too large, or the entry table does not fit.";
	case BOOTPKG_ERR_ENTRY_NAME:
		return "A boot package entry name is empty or not NUL-terminated.";
	case BOOTPKG_ERR_ENTRY_KIND:
		return "A boot package entry has an unknown kind.";
	case BOOTPKG_ERR_ENTRY_RANGE:
		return "A boot package entry's data is misaligned, outside the package, or overflows.";
	case BOOTPKG_ERR_ENTRY_OVERLAP:
		return "Two boot package entries' data overlap.";
	case BOOTPKG_ERR_ENTRY_DUPLICATE:
		return "Two boot package entries have the same name.";
	case BOOTPKG_ERR_ENTRY_CHECKSUM:
		return "A boot package entry's data does not match its checksum.";
	}
	return "Unknown boot package status.";
}
