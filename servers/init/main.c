/*
 * init - the root task: the only program the kernel starts from a boot
 * package that carries a manifest. It finds the manifest (entry
 * `manifest`), decodes it with nanopb, validates it again, creates every
 * served endpoint, spawns the components in dependency order with exactly
 * their granted caps, then supervises them and serves ProcessSpawner.
 * docs/init.md describes the whole of it.
 *
 * Exit codes: 0 (halt_when_done: every component ended), 1 (no usable
 * manifest: "init: manifest rejected: ..."), 2 (init's own setup failed).
 */
#include <string.h>

#include <pb_decode.h>

#include <capos/debug.h>
#include <capos/escape.h>
#include <capos/kernel.h>
#include <capos/startup.h>

#include "init.h"
#include "lib/bootpkg.h"
#include "lib/elf.h"
#include "process.capos.h"

#define INIT_PKG_VA 0x0000710000000000ull /* capos_spawn maps it at 0x7000...: elsewhere */

struct init_state g_init;
static capos_System sys; /* ~31 KiB: static, never on the stack */
static struct bootpkg pkg;

int main(void);

static uint32_t own(const char *name, uint32_t root_slot)
{
	capos_cap_t c = capos_cap_lookup(name);
	return c != CAPOS_NO_CAP ? c : root_slot;
}

static int reject(const char *why)
{
	capos_printf("init: manifest rejected: %s\n", why);
	return 1;
}

/* Pages an ELF of the package loads (its segments), or -1 if the package
 * holds no such program. */
static int binary_pages(const char *name)
{
	const struct capos_pkg_entry *e = bootpkg_find(&pkg, name);
	if (!e || e->kind != CAPOS_PKG_KIND_ELF)
		return -1;
	struct elf_image img;
	if (elf_parse(bootpkg_data(&pkg, e), e->size, 0x10000, CAPOS_IPC_BUFFER_VA - 0x100000,
		      &img) != ELF_OK)
		return -1;
	uint64_t pages = 0;
	for (uint32_t i = 0; i < img.nsegs; i++) {
		uint64_t lo = img.segs[i].vaddr / CAPOS_PAGE_SIZE;
		uint64_t hi = (img.segs[i].vaddr + img.segs[i].memsz + CAPOS_PAGE_SIZE - 1) /
			      CAPOS_PAGE_SIZE;
		pages += hi - lo;
	}
	return pages > 0x7fffffff ? 0x7fffffff : (int)pages;
}

static int load_manifest(void)
{
	uint32_t bp = own("boot_package", CAPOS_ROOT_BOOT_PACKAGE);
	struct capos_shared_buffer_info info;
	capos_status_t st = capos_shared_buffer_info(bp, &info);
	if (st == CAPOS_OK)
		st = capos_map_shared(g_init.self, INIT_PKG_VA, bp, 0, info.pages, CAPOS_PROT_READ);
	if (st != CAPOS_OK) {
		capos_printf("init: manifest rejected: cannot map the boot package: status %ld\n",
			     (long)st);
		return 1;
	}
	/* The kernel verified the checksums before starting init, and the
	 * buffer is read-only: the structure is checked again, not the CRCs. */
	enum bootpkg_status ps = bootpkg_parse_trusted((const void *)(uintptr_t)INIT_PKG_VA,
						       info.bytes, &pkg, NULL);
	if (ps != BOOTPKG_OK) {
		capos_printf("init: manifest rejected: the boot package is damaged: %s\n",
			     bootpkg_status_str(ps));
		return 1;
	}
	const struct capos_pkg_entry *e = bootpkg_find(&pkg, "manifest");
	if (!e || e->kind != CAPOS_PKG_KIND_MANIFEST)
		return reject("the boot package has no manifest entry");
	pb_istream_t in = pb_istream_from_buffer(bootpkg_data(&pkg, e), (size_t)e->size);
	if (!pb_decode(&in, capos_System_fields, &sys)) {
		capos_printf("init: manifest rejected: %lu bytes do not decode as capos.System "
			     "(%s)\n",
			     (unsigned long)e->size, PB_GET_ERROR(&in));
		return 1;
	}
	static char why[256];
	if (init_check_manifest(&sys, binary_pages, why, sizeof(why)))
		return reject(why);
	return 0;
}

int main(void)
{
	capos_debug_port = own("ioport", CAPOS_ROOT_IOPORT);
	g_init.self = own("self", CAPOS_ROOT_PROCESS);
	g_init.capmgr = own("capmgr", CAPOS_ROOT_CAP_MANAGER);
	g_init.thread = own("thread", CAPOS_ROOT_THREAD);
	g_init.ioport = capos_debug_port;
	g_init.irq_control = own("irq_control", CAPOS_ROOT_IRQ_CONTROL);
	g_init.kinfo = own("kernel_info", CAPOS_ROOT_KERNEL_INFO);
	g_init.pctl = own("process_control", CAPOS_ROOT_PROCESS_CONTROL);

	if (load_manifest())
		return 1;
	g_init.sys = &sys;
	g_init.n = sys.components_count;
	capos_printf("init: manifest: %u components, %u profiles, hostname %s\n",
		     (unsigned)sys.components_count, (unsigned)sys.profiles_count,
		     sys.hostname[0] ? sys.hostname : "capos");

	/* init's one endpoint (supervisor + ProcessSpawner) and the readiness
	 * doorbell, bound to its thread so one Recv takes both. */
	capos_status_t st = capos_endpoint_create(g_init.self, PROCESSSPAWNER_INTERFACE_ID,
						  &g_init.endpoint);
	if (st == CAPOS_OK)
		st = capos_notification_create(g_init.self, &g_init.bell);
	if (st == CAPOS_OK)
		st = capos_thread_bind(g_init.thread, g_init.bell);
	if (st != CAPOS_OK) {
		capos_printf("init: setup failed: status %ld\n", (long)st);
		return 2;
	}
	for (uint32_t i = 0; i < g_init.n; i++) {
		struct init_component *c = &g_init.comp[i];
		const capos_Profile *p = init_profile(&sys, sys.components[i].profile);
		c->m = &sys.components[i];
		c->limits = (struct capos_limits){
			.max_slots = p->limits.max_slots, .max_threads = p->limits.max_threads,
			.max_pages = p->limits.max_pages, .max_endpoints = p->limits.max_endpoints,
		};
		c->proc = c->thread = CAPOS_NO_CAP;
		c->ready_ntfn = CAPOS_NO_CAP;
		c->stop_ntfn = CAPOS_NO_CAP;
	}
	if (init_create_endpoints() != CAPOS_OK)
		return 2;
	init_audit_setup(); /* before the audit server's spawn: its badge table names init */
	init_start_order(&sys, g_init.order);
	for (uint32_t k = 0; k < g_init.n; k++) {
		uint32_t i = g_init.order[k];
		if (init_spawn_component(i, INIT_START, NULL) != CAPOS_OK) {
			g_init.comp[i].ended = 1; /* logged; the others still start */
			g_init.comp[i].ready = 1;
		}
	}
	return init_supervise();
}
