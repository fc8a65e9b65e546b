/*
 * spawn.c - the userspace ELF loader: programs come from the boot package,
 * which the kernel hands the root task as a read-only SharedBuffer. The
 * package and the ELF are checked with the same parsers the loader and the
 * kernel use (kern/lib), compiled into the runtime.
 */
#include <stddef.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/spawn.h>

#include "lib/bootpkg.h"
#include "lib/elf.h"

#define PKG_VA 0x0000700000000000ull

int strcmp(const char *a, const char *b);

static struct bootpkg pkg;
static int pkg_ready;

static capos_status_t map_package(void)
{
	if (pkg_ready)
		return CAPOS_OK;
	struct capos_shared_buffer_info info;
	capos_status_t st = capos_shared_buffer_info(CAPOS_ROOT_BOOT_PACKAGE, &info);
	if (st != CAPOS_OK)
		return st;
	st = capos_map_shared(CAPOS_ROOT_PROCESS, PKG_VA, CAPOS_ROOT_BOOT_PACKAGE, 0, info.pages,
			      CAPOS_PROT_READ);
	if (st != CAPOS_OK)
		return st;
	if (bootpkg_parse((const void *)(uintptr_t)PKG_VA, info.bytes, &pkg, NULL) != BOOTPKG_OK)
		return CAPOS_INVALID_ARGUMENT;
	pkg_ready = 1;
	return CAPOS_OK;
}

static capos_status_t load_segments(uint32_t proc, const uint8_t *file,
				    const struct elf_image *img)
{
	for (uint32_t i = 0; i < img->nsegs; i++) {
		const struct elf_segment *s = &img->segs[i];
		uint64_t lo = s->vaddr & ~(uint64_t)(CAPOS_PAGE_SIZE - 1);
		uint64_t hi = (s->vaddr + s->memsz + CAPOS_PAGE_SIZE - 1) &
			      ~(uint64_t)(CAPOS_PAGE_SIZE - 1);
		uint32_t prot = CAPOS_PROT_READ | ((s->flags & ELF_SEG_W) ? CAPOS_PROT_WRITE : 0) |
				((s->flags & ELF_SEG_X) ? CAPOS_PROT_EXEC : 0);
		capos_status_t st = capos_map_anon(proc, lo, (uint32_t)((hi - lo) / CAPOS_PAGE_SIZE),
						   prot);
		if (st != CAPOS_OK)
			return st;
		for (uint64_t done = 0; done < s->filesz;) {
			uint64_t n = s->filesz - done;
			if (n > CAPOS_WRITE_MEMORY_MAX)
				n = CAPOS_WRITE_MEMORY_MAX;
			st = capos_write_memory(proc, s->vaddr + done, file + s->offset + done,
						(uint32_t)n);
			if (st != CAPOS_OK)
				return st;
			done += n;
		}
	}
	return CAPOS_OK;
}

capos_status_t capos_spawn(const char *program, const char *name,
			   const struct capos_limits *limits, uint32_t priority,
			   uint64_t arg, struct capos_spawned *out)
{
	capos_status_t st = map_package();
	if (st != CAPOS_OK)
		return st;
	const struct capos_pkg_entry *e = bootpkg_find(&pkg, program);
	if (!e || e->kind != CAPOS_PKG_KIND_ELF)
		return CAPOS_INVALID_ARGUMENT;
	const uint8_t *file = bootpkg_data(&pkg, e);
	struct elf_image img;
	if (elf_parse(file, e->size, 0x10000, CAPOS_IPC_BUFFER_VA - 0x100000, &img) != ELF_OK)
		return CAPOS_INVALID_ARGUMENT;

	uint32_t proc;
	st = capos_process_create(CAPOS_ROOT_PROCESS, name, limits, &proc);
	if (st != CAPOS_OK)
		return st;
	st = load_segments(proc, file, &img);
	if (st == CAPOS_OK)
		st = capos_map_anon(proc, CAPOS_USER_STACK_TOP -
				    (uint64_t)CAPOS_USER_STACK_PAGES * CAPOS_PAGE_SIZE,
				    CAPOS_USER_STACK_PAGES, CAPOS_PROT_READ | CAPOS_PROT_WRITE);
	uint32_t thread = CAPOS_NO_CAP;
	if (st == CAPOS_OK) {
		struct capos_thread_create tc = {
			.entry = img.entry,
			.stack = CAPOS_USER_STACK_TOP,
			.ipc_buffer = CAPOS_IPC_BUFFER_VA,
			.tls_base = 0,
			.arg = arg,
			.priority = priority,
			.time_slice_us = 0,
		};
		st = capos_thread_create(proc, &tc, &thread);
	}
	if (st != CAPOS_OK) {
		capos_process_kill(proc);
		capos_cap_delete(CAPOS_ROOT_CAP_MANAGER, proc);
		return st;
	}
	out->process = proc;
	out->thread = thread;
	return CAPOS_OK;
}
