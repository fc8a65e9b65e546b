/*
 * esp.h - finds the EFI System Partition of a capOS disk image (GPT) and
 * reads \capos\boot.pkg out of it with mtools' mtype.
 */
#ifndef CAPOS_INSPECT_ESP_H
#define CAPOS_INSPECT_ESP_H

#include <stddef.h>
#include <stdint.h>

/* Whether a file's first 1024 bytes look like a GPT disk ("EFI PART" at
 * LBA 1). */
int esp_is_gpt(const uint8_t *head, size_t len);

/* Checks the primary GPT header and entry array of `path` (size `file_size`)
 * and returns the byte offset of the first EFI System Partition in *offset.
 * 0 on success; -1 with a sentence in err otherwise. */
int esp_find(const char *path, uint64_t file_size, uint64_t *offset,
	     char *err, size_t errlen);

/* Reads ::/capos/boot.pkg from the FAT filesystem at `offset` in `path`
 * (mtype -i path@@offset). On success *buf is malloc'd (free it) and 0 is
 * returned; -1 with a sentence in err otherwise. */
int esp_read_pkg(const char *path, uint64_t offset, uint8_t **buf,
		 size_t *len, char *err, size_t errlen);

#endif
