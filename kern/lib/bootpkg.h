/*
 * bootpkg.h - parser for the boot package (format in capos/bootpkg.h).
 * Pure, freestanding C: compiled into the loader, the kernel and host tests.
 */
#ifndef KERN_LIB_BOOTPKG_H
#define KERN_LIB_BOOTPKG_H

#include <stddef.h>
#include <stdint.h>
#include <capos/bootpkg.h>

enum bootpkg_status {
	BOOTPKG_OK = 0,
	BOOTPKG_ERR_TRUNCATED,     /* buffer shorter than header or total_size */
	BOOTPKG_ERR_MAGIC,
	BOOTPKG_ERR_VERSION,
	BOOTPKG_ERR_HEADER_SIZE,
	BOOTPKG_ERR_CHECKSUM,      /* package CRC mismatch */
	BOOTPKG_ERR_ENTRY_COUNT,   /* 0 or > CAPOS_PKG_MAX_ENTRIES, or table out of range */
	BOOTPKG_ERR_ENTRY_NAME,    /* empty or not NUL-terminated */
	BOOTPKG_ERR_ENTRY_KIND,
	BOOTPKG_ERR_ENTRY_RANGE,   /* data outside the package or overflows */
	BOOTPKG_ERR_ENTRY_OVERLAP,
	BOOTPKG_ERR_ENTRY_DUPLICATE,
	BOOTPKG_ERR_ENTRY_CHECKSUM,
};

struct bootpkg {
	const uint8_t *base;
	uint64_t size; /* total_size from the header */
	uint32_t count;
	const struct capos_pkg_entry *entries; /* points into base */
};

/* Validates everything listed in capos/bootpkg.h. On error *out is untouched
 * and *bad_entry (if non-NULL) names the offending entry index or -1. */
enum bootpkg_status bootpkg_parse(const void *buf, size_t len,
				  struct bootpkg *out, int *bad_entry);

/* The same checks except the checksums, for a package whose bytes the
 * kernel has verified and which the caller maps read-only (init and the
 * runtime's spawn, reading boot.pkg through the boot package
 * SharedBuffer): they cannot have changed since, and each CRC pass over
 * the package costs millions of instructions at boot. Still every bound,
 * so a bug elsewhere cannot turn into an out-of-range read. */
enum bootpkg_status bootpkg_parse_trusted(const void *buf, size_t len,
					  struct bootpkg *out, int *bad_entry);

/* Entry by name, or NULL. */
const struct capos_pkg_entry *bootpkg_find(const struct bootpkg *pkg,
					   const char *name);

/* Pointer to an entry's data (valid after a successful parse). */
const void *bootpkg_data(const struct bootpkg *pkg,
			 const struct capos_pkg_entry *e);

/* A short English sentence for each status, never NULL. */
const char *bootpkg_status_str(enum bootpkg_status s);

#endif
