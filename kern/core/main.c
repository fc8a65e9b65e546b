/*
 * main.c - kernel entry: bring the machine up, then run the boot programs.
 *
 * Order matters: serial first (so every later failure is visible), then the
 * CPU tables (so a fault is a report, not a triple fault), memory, paging,
 * the FPU, the timer, the syscall path, and finally user programs.
 *
 * Until the manifest and init land (issue 6) the boot runner (core/boot.c)
 * runs every ELF entry of boot.pkg in order as a root task.
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
#include "arch/x86_64/arch.h"
#include "arch/x86_64/irq.h"
#include "core/boot.h"
#include "object/process.h"

void kmain(const struct capos_boot_info *bi);
void enter_first_thread(struct trapframe *tf) __attribute__((noreturn));

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
	int smep = 0, smap = 0, umip = 0;
	if (r[0] >= 7) {
		cpuid(7, 0, r);
		smep = (r[1] >> 7) & 1;
		smap = (r[1] >> 20) & 1;
		umip = (r[2] >> 2) & 1;
	}
	uint64_t cr4 = read_cr4();
	if (smep)
		cr4 |= CR4_SMEP;
	if (smap)
		cr4 |= CR4_SMAP;
	/* UMIP: sgdt, sidt, sldt, smsw and str in ring 3 are #GP, so a
	 * process cannot read where the kernel keeps its tables. */
	if (umip)
		cr4 |= CR4_UMIP;
	write_cr4(cr4);
	cpu_has_smap = smap;
	kprintf("cpu: SMEP %s, SMAP %s\n", smep ? "on" : "absent",
		smap ? "on" : "absent");
	kprintf("cpu: UMIP %s\n", umip ? "on" : "absent");
	/* Self-check of paging_init's work: the kernel's code cannot be
	 * rewritten through the direct map. */
	if (paging_text_alias_writable())
		panic("paging: the direct map's alias of kernel text is writable");
	kprintf("paging: direct-map alias of kernel text read-only, NX\n");
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
 * cannot continue until a one-shot interrupt has really arrived. 20 us is
 * long enough to see it is a real deadline and short enough not to weigh
 * on the boot (it used to be 1 ms). */
static void timer_selftest(void)
{
	uint64_t before = trap_counts[VEC_TIMER];
	timer_arm_ns(20000);
	while (trap_counts[VEC_TIMER] == before)
		sti_hlt();
	cli();
	kprintf("apic: one-shot timer interrupt after %lu ns\n", time_ns());
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
	cpu0.kstack_top = kstack_alloc();
	if (!cpu0.kstack_top)
		panic("no memory for the kernel stack");
	fpu_init();
	apic_init(bi);
	timer_selftest();
	irq_init(bi);
	syscall_init();

	/* The loader checked every CRC of the package before handing it over
	 * (kern/boot/loader.c refuses a corrupt one); the kernel checks the
	 * structure and every bound again, but a second CRC pass over several
	 * hundred KiB would be a quarter of the boot's instructions. */
	struct bootpkg pkg;
	int bad = -1;
	enum bootpkg_status ps = bootpkg_parse_trusted(phys_to_virt(bi->pkg_phys),
						       bi->pkg_size, &pkg, &bad);
	if (ps != BOOTPKG_OK)
		panic("boot.pkg rejected: %s (entry %d)", bootpkg_status_str(ps), bad);
	kprintf("kernel: boot.pkg holds %u entries\n", pkg.count);

	boot_start(bi, &pkg);
	enter_first_thread(kernel_exit(NULL));
}
