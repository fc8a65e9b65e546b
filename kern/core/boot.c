/*
 * boot.c - the boot runner: creates each boot-package program as a root
 * task with the root capabilities (capos/abi.h enum capos_root_slot).
 */
#include <stddef.h>

#include <capos/abi.h>

#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/trap.h"
#include "core/boot.h"
#include "core/kprintf.h"
#include "core/kstring.h"
#include "core/panic.h"
#include "core/platform.h"
#include "object/objects.h"
#include "object/process.h"
#include "object/shared_buffer.h"

extern uint64_t kernel_entry_tsc, first_user_entry_tsc;

static const struct capos_boot_info *boot_info;
static struct bootpkg pkg;
static uint32_t next_entry;
static struct process *running;
static int pending;
static int programs;
static uint64_t free_before;
static uint64_t objects_before; /* kobj_live_count when it started */
static struct shared_buffer *pkg_buffer;
static const char *running_name;
/* The package carries a manifest: only "init" is a root task; it builds
 * the rest of the system from the manifest (servers/init, docs/init.md). */
static int manifest_mode;
static int entry_told;

static const struct capos_limits root_limits = {
	.max_slots = 1024,
	.max_threads = 256,
	.max_pages = CAPOS_ROOT_MAX_PAGES, /* 64 MiB: its components nest in it */
	.max_endpoints = 1024,
};

int boot_poll_wanted;

/* Whether boot_poll has anything to do on the next kernel exit. */
static void update_wanted(void)
{
	boot_poll_wanted = pending || (manifest_mode && !entry_told);
}

static void on_death(struct process *p)
{
	if (p == running) {
		pending = 1;
		update_wanted();
	}
}

static capos_status_t root_caps(struct process *p, struct thread *t)
{
	struct captable *ct = &p->ct;
	capos_status_t st;
	struct ioport *io = kobj_alloc(CAPOS_CAP_IOPORT, p, &st);
	if (!io)
		return st;
	io->base = 0;
	io->count = 0x10000;
	st = ct_insert(ct, CAPOS_ROOT_IOPORT, &io->obj, CAPOS_CAP_IOPORT,
		       CAPOS_RIGHT_READ | CAPOS_RIGHT_WRITE | CAPOS_RIGHT_GRANT, 0);
	kobj_unref(&io->obj);
	if (st == CAPOS_OK)
		st = ct_insert(ct, CAPOS_ROOT_CAP_MANAGER, &p->obj, CAPOS_CAP_CAP_MANAGER,
			       CAPOS_RIGHTS_ALL, 0);
	if (st == CAPOS_OK)
		st = ct_insert(ct, CAPOS_ROOT_PROCESS, &p->obj, CAPOS_CAP_PROCESS,
			       CAPOS_RIGHTS_ALL, 0);
	if (st == CAPOS_OK)
		st = ct_insert(ct, CAPOS_ROOT_THREAD, &t->obj, CAPOS_CAP_THREAD,
			       CAPOS_RIGHTS_ALL, 0);
	if (st == CAPOS_OK)
		st = ct_insert(ct, CAPOS_ROOT_IRQ_CONTROL, &irq_control_obj,
			       CAPOS_CAP_IRQ_CONTROL, CAPOS_RIGHTS_ALL, 0);
	if (st == CAPOS_OK)
		/* CONTROL: the invariant walk (KernelInfo.CHECK_INVARIANTS) is
		 * the root task's (tests, init), never a manifest grant's. */
		st = ct_insert(ct, CAPOS_ROOT_KERNEL_INFO, &kernel_info_obj,
			       CAPOS_CAP_KERNEL_INFO, CAPOS_RIGHT_READ | CAPOS_RIGHT_CONTROL, 0);
	if (st == CAPOS_OK)
		st = ct_insert(ct, CAPOS_ROOT_BOOT_PACKAGE, &pkg_buffer->obj,
			       CAPOS_CAP_SHARED_BUFFER, CAPOS_RIGHT_READ, 0);
	if (st == CAPOS_OK)
		st = ct_insert(ct, CAPOS_ROOT_PROCESS_CONTROL, &process_control_obj,
			       CAPOS_CAP_PROCESS_CONTROL, CAPOS_RIGHTS_ALL, 0);
	return st;
}

/* A stack-protector canary: RDRAND where the CPU has it, else the TSC
 * stirred (splitmix64). The low byte is zero, as glibc does, so a string
 * overflow cannot copy the canary. */
static uint64_t make_canary(void)
{
	static uint64_t stir = 0x9e3779b97f4a7c15ull;
	uint32_t r[4];
	uint64_t v = 0;
	int got = 0;
	cpuid(1, 0, r);
	for (int i = 0; (r[2] & (1u << 30)) && !got && i < 10; i++) {
		uint8_t ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
		got = ok;
	}
	if (!got) {
		uint64_t z = (stir += 0x9e3779b97f4a7c15ull) ^ rdtsc();
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		v = z ^ (z >> 31);
	}
	v &= ~0xffull;
	return v ? v : 0x5a17c0de00ull;
}

/* The root slots by local name (struct capos_startup). */
static const struct {
	const char *name;
	uint32_t slot;
	uint32_t type;
} root_names[] = {
	{ "capmgr", CAPOS_ROOT_CAP_MANAGER, CAPOS_CAP_CAP_MANAGER },
	{ "self", CAPOS_ROOT_PROCESS, CAPOS_CAP_PROCESS },
	{ "thread", CAPOS_ROOT_THREAD, CAPOS_CAP_THREAD },
	{ "ioport", CAPOS_ROOT_IOPORT, CAPOS_CAP_IOPORT },
	{ "irq_control", CAPOS_ROOT_IRQ_CONTROL, CAPOS_CAP_IRQ_CONTROL },
	{ "kernel_info", CAPOS_ROOT_KERNEL_INFO, CAPOS_CAP_KERNEL_INFO },
	{ "boot_package", CAPOS_ROOT_BOOT_PACKAGE, CAPOS_CAP_SHARED_BUFFER },
	{ "process_control", CAPOS_ROOT_PROCESS_CONTROL, CAPOS_CAP_PROCESS_CONTROL },
};

static void copy_name(char *dst, const char *src, size_t n)
{
	size_t i = 0;
	for (; src[i] && i + 1 < n; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = '\0';
}

/* The TLS page (TCB with a fresh canary, FS base of the first thread) and
 * the read-only startup page naming the root slots (capos/abi.h). */
static capos_status_t runtime_pages(struct process *p, const char *name)
{
	static struct capos_startup su; /* boot runs one start at a time */
	capos_status_t st = process_map_anon(p, CAPOS_TLS_VA, 1,
					     CAPOS_PROT_READ | CAPOS_PROT_WRITE);
	if (st == CAPOS_OK)
		st = process_map_anon(p, CAPOS_STARTUP_VA, 1, CAPOS_PROT_READ);
	if (st != CAPOS_OK)
		return st;
	struct capos_tcb tcb;
	memset(&tcb, 0, sizeof(tcb));
	tcb.self = tcb.self2 = CAPOS_TLS_VA;
	tcb.stack_guard = make_canary();
	st = process_write_memory(p, CAPOS_TLS_VA, (const uint8_t *)&tcb, sizeof(tcb));
	if (st != CAPOS_OK)
		return st;
	memset(&su, 0, sizeof(su));
	su.magic = CAPOS_STARTUP_MAGIC;
	su.version = CAPOS_STARTUP_VERSION;
	su.flags = CAPOS_STARTUP_ROOT_TASK;
	su.tls_base = CAPOS_TLS_VA;
	copy_name(su.program, name, sizeof(su.program));
	for (size_t i = 0; i < sizeof(root_names) / sizeof(root_names[0]); i++) {
		copy_name(su.caps[i].name, root_names[i].name, sizeof(su.caps[i].name));
		su.caps[i].slot = root_names[i].slot;
		su.caps[i].type = root_names[i].type;
		su.ncaps++;
	}
	return process_write_memory(p, CAPOS_STARTUP_VA, (const uint8_t *)&su, sizeof(su));
}

static int start(const struct capos_pkg_entry *e)
{
	capos_status_t st;
	struct process *p = process_create(e->name, &root_limits, NULL, &st);
	if (!p) {
		kprintf("kernel: program %s not started: status %ld\n", e->name, (long)st);
		return 0;
	}
	enum elf_status elf_err = ELF_OK;
	uint64_t entry = 0;
	st = process_load_elf(p, bootpkg_data(&pkg, e), e->size, &entry, &elf_err);
	if (st == CAPOS_OK)
		st = process_map_anon(p, CAPOS_USER_STACK_TOP -
				      CAPOS_USER_STACK_PAGES * CAPOS_PAGE_SIZE,
				      CAPOS_USER_STACK_PAGES, CAPOS_PROT_READ | CAPOS_PROT_WRITE);
	if (st == CAPOS_OK)
		st = runtime_pages(p, e->name);
	struct thread *t = NULL;
	if (st == CAPOS_OK)
		t = thread_create(p, entry, CAPOS_USER_STACK_TOP, CAPOS_IPC_BUFFER_VA,
				  CAPOS_TLS_VA, 0, 255, 0, &st);
	if (st == CAPOS_OK)
		st = root_caps(p, t);
	if (st != CAPOS_OK) {
		if (elf_err != ELF_OK)
			kprintf("kernel: program %s refused: %s\n", e->name, elf_status_str(elf_err));
		else
			kprintf("kernel: program %s not started: status %ld\n", e->name, (long)st);
		process_kill(p);
		kobj_unref(&p->obj);
		return 0;
	}
	kprintf("kernel: starting %s (pid %u)\n", p->name, p->pid);
	running = p;
	running_name = e->name;
	thread_start(t);
	return 1;
}

static void start_next(void)
{
	while (next_entry < pkg.count) {
		const struct capos_pkg_entry *e = &pkg.entries[next_entry++];
		if (e->kind != CAPOS_PKG_KIND_ELF)
			continue;
		if (manifest_mode && strcmp(e->name, "init") != 0)
			continue;
		free_before = page_free_count();
		objects_before = kobj_live_count;
		programs++;
		if (start(e))
			return;
	}
	kprintf("kernel: %d programs finished; interrupts: timer %lu, spurious %lu; shutting down\n",
		programs, (unsigned long)trap_counts[0x20], (unsigned long)trap_counts[0xff]);
	machine_exit(EXIT_CLEAN_SHUTDOWN);
}


static void tell_first_entry(void)
{
	entry_told = 1;
	kprintf("boot: first user instruction %lu guest instructions (TSC ticks) after kernel entry; loader handoff %lu before it\n",
		(unsigned long)(first_user_entry_tsc - kernel_entry_tsc),
		(unsigned long)(kernel_entry_tsc - boot_info->loader_tsc));
}

void boot_poll(void)
{
	/* A manifest's init runs for as long as the system does: tell the
	 * boot figure as soon as it is known, not when init ends. */
	if (manifest_mode && !entry_told && first_user_entry_tsc)
		tell_first_entry();
	update_wanted();
	if (!pending)
		return;
	pending = 0;
	update_wanted();
	kobj_unref(&running->obj);
	running = NULL;
	kprintf("kmem: %lu frames free before %s, %lu after reaping it\n",
		(unsigned long)free_before, running_name, (unsigned long)page_free_count());
	kprintf("kobj: %lu objects live before %s, %lu after reaping it\n",
		(unsigned long)objects_before, running_name, (unsigned long)kobj_live_count);
	if (programs == 1 && !entry_told)
		tell_first_entry();
	start_next();
}

void boot_start(const struct capos_boot_info *bi, const struct bootpkg *p)
{
	boot_info = bi;
	pkg = *p;
	process_death_hook = on_death;
	for (uint32_t i = 0; i < pkg.count; i++)
		if (pkg.entries[i].kind == CAPOS_PKG_KIND_MANIFEST)
			manifest_mode = 1;
	if (manifest_mode && !bootpkg_find(&pkg, "init"))
		kprintf("kernel: boot package has a manifest but no init\n");
	update_wanted();

	/* The package as a read-only SharedBuffer over the loader's pages. */
	static void *frames[SHARED_BUFFER_MAX_PAGES];
	uint32_t pages = (uint32_t)((bi->pkg_size + PAGE_SIZE - 1) / PAGE_SIZE);
	if (pages > SHARED_BUFFER_MAX_PAGES)
		panic("boot.pkg of %u pages is larger than a SharedBuffer", pages);
	for (uint32_t i = 0; i < pages; i++)
		frames[i] = phys_to_virt(bi->pkg_phys + (uint64_t)i * PAGE_SIZE);
	capos_status_t st;
	pkg_buffer = shared_buffer_borrow(frames, pages, (uint32_t)bi->pkg_size, &st);
	if (!pkg_buffer)
		panic("no memory for the boot package buffer");
	start_next();
}
