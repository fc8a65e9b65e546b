/*
 * main.c - kernel entry: bring the machine up, then run the boot programs.
 *
 * Order matters: serial first (so every later failure is visible), then the
 * CPU tables (so a fault is a report, not a triple fault), memory, paging,
 * the FPU, the timer, the syscall path, and finally user programs.
 *
 * Until the manifest and init land (issues 5 and 6) the kernel runs every
 * ELF entry of boot.pkg in order, each in its own address space, reaps it,
 * and checks that every frame came back. When all are done it shuts down.
 */
#include <stdint.h>

#include <capos/bootinfo.h>

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/syscall.h"
#include "arch/x86_64/trap.h"
#include "core/kprintf.h"
#include "core/panic.h"
#include "core/sched.h"
#include "lib/bootpkg.h"
#include "mm/kmem.h"
#include "object/process.h"

void kmain(const struct capos_boot_info *bi);

uint64_t kernel_entry_tsc; /* written by entry.S */
int cpu_has_smap;

static void check_boot_info(const struct capos_boot_info *bi)
{
	if (bi->magic != CAPOS_BOOT_INFO_MAGIC)
		panic("boot info has bad magic %lx", bi->magic);
	if (bi->version != CAPOS_BOOT_INFO_VERSION || bi->size != sizeof(*bi))
		panic("boot info version %u size %u, kernel expects version %u size %lu",
		      bi->version, bi->size, CAPOS_BOOT_INFO_VERSION, sizeof(*bi));
	if (bi->mem_map_count == 0 || bi->mem_map_count > CAPOS_BOOT_MAX_REGIONS)
		panic("boot info memory map has %lu regions", bi->mem_map_count);
}

static void cpu_protections(void)
{
	uint32_t r[4];
	cpuid(0, 0, r);
	int smep = 0, smap = 0;
	if (r[0] >= 7) {
		cpuid(7, 0, r);
		smep = (r[1] >> 7) & 1;
		smap = (r[1] >> 20) & 1;
	}
	uint64_t cr4 = read_cr4();
	if (smep)
		cr4 |= CR4_SMEP;
	if (smap)
		cr4 |= CR4_SMAP;
	write_cr4(cr4);
	cpu_has_smap = smap;
	kprintf("cpu: SMEP %s, SMAP %s\n", smep ? "on" : "absent",
		smap ? "on" : "absent");
}

static void ist_stacks(void)
{
	int ists[3] = { IST_DOUBLE_FAULT, IST_NMI, IST_MACHINE_CHECK };
	for (int i = 0; i < 3; i++) {
		uint64_t top = kstack_alloc();
		if (!top)
			panic("no memory for IST stacks");
		gdt_set_ist(ists[i], top);
	}
}

/* Proves the timer interrupt path before anything depends on it: boot
 * cannot continue until a one-shot interrupt has really arrived. */
static void timer_selftest(void)
{
	uint64_t before = trap_counts[VEC_TIMER];
	timer_arm_ns(1000000);
	while (trap_counts[VEC_TIMER] == before)
		sti_hlt();
	cli();
	kprintf("apic: one-shot timer interrupt after %lu ns\n", time_ns());
}

static void run_program(const struct bootpkg *pkg, const struct capos_pkg_entry *e)
{
	uint64_t free_before = kmem_free_frames();
	struct process *p;
	enum elf_status elf_err = ELF_OK;
	enum process_status st = process_create(e->name, bootpkg_data(pkg, e), e->size,
						&p, &elf_err);
	if (st == PROCESS_BAD_ELF) {
		kprintf("kernel: program %s refused: %s\n", e->name, elf_status_str(elf_err));
		return;
	}
	if (st != PROCESS_OK) {
		kprintf("kernel: program %s: out of memory\n", e->name);
		return;
	}
	kprintf("kernel: starting %s (pid %u)\n", p->name, p->pid);
	process_start(p);
	while (p->state == PROCESS_ALIVE) {
		schedule();
		if (p->state == PROCESS_ALIVE)
			sti_hlt(); /* tickless idle: only a real interrupt wakes us */
		cli();
	}
	process_reap(p);
	kprintf("kmem: %lu frames free before %s, %lu after reaping it\n", free_before,
		e->name, kmem_free_frames());
}

void kmain(const struct capos_boot_info *bi)
{
	serial_init();
	kprintf("\ncapOS-C kernel booting\n");
	check_boot_info(bi);

	gdt_init();
	percpu_init();
	idt_init();
	sched_init();
	kmem_init(bi);
	paging_init(bi);
	cpu_protections();
	ist_stacks();
	fpu_init();
	apic_init();
	timer_selftest();
	syscall_init();

	struct bootpkg pkg;
	int bad = -1;
	enum bootpkg_status ps = bootpkg_parse(phys_to_virt(bi->pkg_phys), bi->pkg_size,
					       &pkg, &bad);
	if (ps != BOOTPKG_OK)
		panic("boot.pkg rejected: %s (entry %d)", bootpkg_status_str(ps), bad);
	kprintf("kernel: boot.pkg holds %u entries\n", pkg.count);

	int programs = 0;
	for (uint32_t i = 0; i < pkg.count; i++) {
		const struct capos_pkg_entry *e = &pkg.entries[i];
		if (e->kind != CAPOS_PKG_KIND_ELF)
			continue;
		run_program(&pkg, e);
		if (programs++ == 0)
			kprintf("boot: first user instruction %lu guest instructions (TSC ticks) after kernel entry; loader handoff %lu before it\n",
				first_user_entry_tsc - kernel_entry_tsc,
				kernel_entry_tsc - bi->loader_tsc);
	}
	kprintf("kernel: %d programs finished; interrupts: timer %lu, spurious %lu; shutting down\n",
		programs, trap_counts[VEC_TIMER], trap_counts[VEC_SPURIOUS]);
	machine_exit(EXIT_CLEAN_SHUTDOWN);
}
