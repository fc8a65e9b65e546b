/*
 * spawn.c - the userspace ELF loader: programs come from the boot package,
 * which the kernel hands the root task as a read-only SharedBuffer. The
 * package and the ELF are checked with the same parsers the loader and the
 * kernel use (kern/lib), compiled into the runtime. The child gets the same
 * start as a root task: stack, TLS page, startup page (capos/abi.h).
 */
#include <stddef.h>
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/runtime.h>
#include <capos/spawn.h>
#include <capos/startup.h>

#include "lib/bootpkg.h"
#include "lib/elf.h"

#define PKG_VA 0x0000700000000000ull

static struct bootpkg pkg;
static int pkg_ready;

/* One of the caller's own caps: by startup name, else the root slot. */
static capos_cap_t own(const char *name, capos_cap_t root_slot)
{
	capos_cap_t c = capos_cap_lookup(name);
	return c != CAPOS_NO_CAP ? c : root_slot;
}

static capos_status_t map_package(void)
{
	if (pkg_ready)
		return CAPOS_OK;
	capos_cap_t bp = own("boot_package", CAPOS_ROOT_BOOT_PACKAGE);
	struct capos_shared_buffer_info info;
	capos_status_t st = capos_shared_buffer_info(bp, &info);
	if (st != CAPOS_OK)
		return st;
	st = capos_map_shared(own("self", CAPOS_ROOT_PROCESS), PKG_VA, bp, 0, info.pages,
			      CAPOS_PROT_READ);
	if (st != CAPOS_OK)
		return st;
	/* The kernel checked the checksums at boot; the mapping is read-only. */
	if (bootpkg_parse_trusted((const void *)(uintptr_t)PKG_VA, info.bytes, &pkg, NULL) !=
	    BOOTPKG_OK)
		return CAPOS_INVALID_ARGUMENT;
	pkg_ready = 1;
	return CAPOS_OK;
}

static capos_status_t write_all(uint32_t proc, uint64_t va, const void *data, size_t len)
{
	const uint8_t *p = data;
	for (size_t done = 0; done < len;) {
		size_t n = len - done;
		if (n > CAPOS_WRITE_MEMORY_MAX)
			n = CAPOS_WRITE_MEMORY_MAX;
		capos_status_t st = capos_write_memory(proc, va + done, p + done, (uint32_t)n);
		if (st != CAPOS_OK)
			return st;
		done += n;
	}
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
		if (st == CAPOS_OK)
			st = write_all(proc, s->vaddr, file + s->offset, s->filesz);
		if (st != CAPOS_OK)
			return st;
	}
	return CAPOS_OK;
}

static uint32_t type_of(capos_cap_t slot)
{
	static struct capos_capmgr_list_result r; /* 2 KiB: not on the stack */
	if (capos_cap_list(own("capmgr", CAPOS_ROOT_CAP_MANAGER), slot, 1, &r) != CAPOS_OK ||
	    r.count != 1 || r.entries[0].slot != slot)
		return 0;
	return r.entries[0].type;
}

static capos_status_t install(uint32_t proc, uint32_t thread, const struct capos_spawn_cap *c,
			      struct capos_startup *su)
{
	capos_status_t st;
	uint32_t src = c->src, type = c->type, made = CAPOS_NO_CAP;
	if (src == CAPOS_SPAWN_CHILD_PROCESS) {
		src = proc;
		type = CAPOS_CAP_PROCESS;
	} else if (src == CAPOS_SPAWN_CHILD_THREAD) {
		src = thread;
		type = CAPOS_CAP_THREAD;
	} else if (src == CAPOS_SPAWN_CHILD_CAPMGR) {
		st = capos_make_cap_manager(proc, &made);
		if (st != CAPOS_OK)
			return st;
		src = made;
		type = CAPOS_CAP_CAP_MANAGER;
	} else if (!type && c->name) {
		type = type_of(src);
	}
	st = capos_install_cap(proc, src, c->dst, c->rights, c->set_badge, c->badge);
	if (made != CAPOS_NO_CAP)
		capos_cap_delete(own("capmgr", CAPOS_ROOT_CAP_MANAGER), made);
	if (st == CAPOS_OK && c->name && !capos_startup_add(su, c->name, c->dst, type))
		st = CAPOS_INVALID_ARGUMENT; /* bad name or a full page */
	return st;
}

capos_status_t capos_spawn_caps(const char *program, const char *name,
				const struct capos_limits *limits, uint32_t priority,
				uint64_t arg, const struct capos_spawn_cap *caps,
				uint32_t ncaps, struct capos_spawned *out)
{
	return capos_spawn_params(program, name, limits, priority, arg, caps, ncaps, NULL, 0,
				  out);
}

capos_status_t capos_spawn_params(const char *program, const char *name,
				  const struct capos_limits *limits, uint32_t priority,
				  uint64_t arg, const struct capos_spawn_cap *caps,
				  uint32_t ncaps, const struct capos_spawn_param *params,
				  uint32_t nparams, struct capos_spawned *out)
{
	static struct capos_startup su; /* 4 KiB: not on the stack */
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
	if ((ncaps && !caps) || (nparams && !params))
		return CAPOS_INVALID_ARGUMENT;

	uint32_t proc;
	st = capos_process_create(own("self", CAPOS_ROOT_PROCESS), name, limits, &proc);
	if (st != CAPOS_OK)
		return st;
	st = load_segments(proc, file, &img);
	if (st == CAPOS_OK)
		st = capos_map_anon(proc, CAPOS_USER_STACK_TOP -
				    (uint64_t)CAPOS_USER_STACK_PAGES * CAPOS_PAGE_SIZE,
				    CAPOS_USER_STACK_PAGES, CAPOS_PROT_READ | CAPOS_PROT_WRITE);
	if (st == CAPOS_OK)
		st = capos_map_anon(proc, CAPOS_TLS_VA, 1, CAPOS_PROT_READ | CAPOS_PROT_WRITE);
	if (st == CAPOS_OK) {
		struct capos_tcb tcb;
		memset(&tcb, 0, sizeof(tcb));
		tcb.self = tcb.self2 = CAPOS_TLS_VA;
		tcb.stack_guard = capos_make_canary();
		st = capos_write_memory(proc, CAPOS_TLS_VA, &tcb, sizeof(tcb));
	}
	if (st == CAPOS_OK)
		st = capos_map_anon(proc, CAPOS_STARTUP_VA, 1, CAPOS_PROT_READ);
	uint32_t thread = CAPOS_NO_CAP;
	if (st == CAPOS_OK) {
		struct capos_thread_create tc = {
			.entry = img.entry,
			.stack = CAPOS_USER_STACK_TOP,
			.ipc_buffer = CAPOS_IPC_BUFFER_VA,
			.tls_base = CAPOS_TLS_VA,
			.arg = arg,
			.priority = priority,
			.time_slice_us = 0,
		};
		st = capos_thread_create(proc, &tc, &thread);
	}
	capos_startup_init(&su, name, 0, CAPOS_TLS_VA);
	for (uint32_t i = 0; st == CAPOS_OK && i < ncaps; i++)
		st = install(proc, thread, &caps[i], &su);
	for (uint32_t i = 0; st == CAPOS_OK && i < nparams; i++)
		if (!capos_startup_add_param(&su, params[i].key, params[i].value))
			st = CAPOS_INVALID_ARGUMENT; /* bad key, repeated, or no room */
	if (st == CAPOS_OK)
		st = write_all(proc, CAPOS_STARTUP_VA, &su,
			       su.params_len ? offsetof(struct capos_startup, params) + su.params_len
					     : offsetof(struct capos_startup, caps) +
						       su.ncaps * sizeof(struct capos_startup_cap));
	if (st != CAPOS_OK) {
		capos_cap_t mgr = own("capmgr", CAPOS_ROOT_CAP_MANAGER);
		capos_process_kill(proc);
		if (thread != CAPOS_NO_CAP)
			capos_cap_delete(mgr, thread);
		capos_cap_delete(mgr, proc);
		return st;
	}
	out->process = proc;
	out->thread = thread;
	return CAPOS_OK;
}

capos_status_t capos_spawn(const char *program, const char *name,
			   const struct capos_limits *limits, uint32_t priority,
			   uint64_t arg, struct capos_spawned *out)
{
	return capos_spawn_caps(program, name, limits, priority, arg, NULL, 0, out);
}
