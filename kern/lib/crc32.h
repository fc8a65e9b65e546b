/* crc32.h - CRC-32 (IEEE 802.3, reflected, as zlib.crc32). Pure C. */
#ifndef KERN_LIB_CRC32_H
#define KERN_LIB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* crc32_update(0, p, n) gives zlib.crc32(p); chain calls to extend. */
uint32_t crc32_update(uint32_t crc, const void *p, size_t n);

#endif
