/*
 * capos/bootinfo.h - the one structure the loader hands the kernel.
 *
 * The loader (kern/boot/) fills a struct capos_boot_info after it has read
 * the kernel and the boot package, and passes its address (a direct-map
 * virtual address) in %rdi to the kernel entry point.
 *
 * Invariants the loader guarantees at kernel entry:
 *  - paging is on with the loader's tables: physical memory [0, dm_size) is
 *    mapped twice, identity and at CAPOS_DIRECT_MAP_BASE, with 2 MiB pages;
 *    the kernel image is mapped at its link address (kernel_virt_base);
 *  - interrupts are disabled, boot services have been exited;
 *  - the kernel, this structure, the boot package, the loader's page tables
 *    and the boot stack all lie in regions of type CAPOS_MEM_LOADER;
 *  - mem_map is sorted by base and its regions do not overlap.
 *
 * The structure is versioned: a kernel refuses a magic/version/size it does
 * not know instead of guessing.
 */
#ifndef CAPOS_BOOTINFO_H
#define CAPOS_BOOTINFO_H

#include <stdint.h>

#define CAPOS_BOOT_INFO_MAGIC   0x4f464e49544f4f42ull /* "BOOTINFO" */
#define CAPOS_BOOT_INFO_VERSION 1u
#define CAPOS_BOOT_MAX_REGIONS  512u

#define CAPOS_DIRECT_MAP_BASE   0xffff800000000000ull
#define CAPOS_KERNEL_VIRT_BASE  0xffffffff80000000ull

enum capos_mem_type {
	CAPOS_MEM_USABLE = 1,       /* conventional + boot services code/data */
	CAPOS_MEM_LOADER = 2,       /* kernel, boot info, package, boot tables */
	CAPOS_MEM_RUNTIME = 3,      /* UEFI runtime services code/data */
	CAPOS_MEM_ACPI_RECLAIM = 4, /* ACPI tables: usable once parsed */
	CAPOS_MEM_ACPI_NVS = 5,
	CAPOS_MEM_MMIO = 6,
	CAPOS_MEM_RESERVED = 7,     /* anything else, including unusable RAM */
};

struct capos_mem_region {
	uint64_t base;     /* physical, 4 KiB aligned */
	uint64_t pages;    /* 4 KiB pages */
	uint32_t type;     /* enum capos_mem_type */
	uint32_t efi_type; /* the firmware's EFI_MEMORY_TYPE, for diagnostics */
};

enum capos_fb_format {
	CAPOS_FB_NONE = 0,
	CAPOS_FB_RGBX = 1,
	CAPOS_FB_BGRX = 2,
};

struct capos_framebuffer {
	uint64_t base; /* physical */
	uint64_t size; /* bytes */
	uint32_t width;
	uint32_t height;
	uint32_t pixels_per_line;
	uint32_t format; /* enum capos_fb_format */
};

struct capos_boot_info {
	uint64_t magic;   /* CAPOS_BOOT_INFO_MAGIC */
	uint32_t version; /* CAPOS_BOOT_INFO_VERSION */
	uint32_t size;    /* sizeof(struct capos_boot_info) */

	uint64_t kernel_phys_base; /* where the image's lowest segment lives */
	uint64_t kernel_phys_size; /* bytes, page rounded */
	uint64_t kernel_virt_base; /* link address of the lowest segment */

	uint64_t pkg_phys; /* boot.pkg, already validated by the loader */
	uint64_t pkg_size;

	uint64_t acpi_rsdp_phys;     /* 0 when the firmware gave none */
	uint32_t acpi_rsdp_revision; /* 0 = ACPI 1.0 RSDP, 2 = XSDP */
	uint32_t reserved0;

	struct capos_framebuffer fb;

	uint64_t dm_size; /* bytes of physical memory the loader mapped */

	uint64_t loader_tsc; /* rdtsc just before the jump to the kernel */

	uint64_t mem_map_count;
	struct capos_mem_region mem_map[CAPOS_BOOT_MAX_REGIONS];
};

#endif
