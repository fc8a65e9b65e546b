/*
 * capos/bootpkg.h - the boot package format (boot.pkg on the ESP).
 *
 * Layout (all integers little endian):
 *   struct capos_pkg_header
 *   struct capos_pkg_entry[entry_count]
 *   entry data, each starting on a CAPOS_PKG_ALIGN boundary
 *
 * Invariants of a valid package (checked by bootpkg_parse):
 *  - magic, version and header_size are exactly the ones below;
 *  - total_size <= the buffer length; checksum is the CRC-32 (IEEE, as zlib)
 *    of bytes [0, total_size) with the checksum field read as zero;
 *  - 1 <= entry_count <= CAPOS_PKG_MAX_ENTRIES and the entry table lies inside
 *    total_size;
 *  - each entry: a non-empty, NUL-terminated name; a known kind; data inside
 *    [end of entry table, total_size) without overflow, starting on a
 *    CAPOS_PKG_ALIGN boundary; data ranges do not overlap; names are unique;
 *    crc32 is the CRC-32 of its data.
 *
 * Written by codegen/mkpkg.py; read by the loader, the kernel and host tools.
 */
#ifndef CAPOS_BOOTPKG_H
#define CAPOS_BOOTPKG_H

#include <stdint.h>

#define CAPOS_PKG_MAGIC       "CAPOSPKG" /* 8 bytes, no NUL in the file */
#define CAPOS_PKG_VERSION     1u
#define CAPOS_PKG_MAX_ENTRIES 64u
#define CAPOS_PKG_NAME_MAX    48u /* including the NUL */
#define CAPOS_PKG_ALIGN       4096u

enum capos_pkg_kind {
	CAPOS_PKG_KIND_ELF = 1,      /* a userspace program */
	CAPOS_PKG_KIND_MANIFEST = 2, /* the encoded system manifest */
	CAPOS_PKG_KIND_DATA = 3,     /* opaque data for a component */
};

struct capos_pkg_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size; /* sizeof(struct capos_pkg_header) == 32 */
	uint32_t entry_count;
	uint32_t checksum;
	uint64_t total_size;
};

struct capos_pkg_entry {
	char name[CAPOS_PKG_NAME_MAX];
	uint32_t kind;
	uint32_t crc32;
	uint64_t offset; /* from the start of the package */
	uint64_t size;
};

#endif
