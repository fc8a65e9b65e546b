/*
 * gdt.c - the GDT and the TSS.
 *
 * Invariants: one GDT and one TSS per CPU (single CPU today; SMP needs one
 * pair per CPU, indexed from the per-CPU block). TSS.rsp0 always holds the
 * kernel stack top of the thread that runs in user mode. The I/O bitmap
 * offset points past the TSS limit, so ring 3 may use no port until IOPort
 * capabilities (issue 3) give a per-process bitmap.
 */
#include <stdint.h>

#include "arch/x86_64/gdt.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct tss tss __attribute__((aligned(16)));
static uint64_t gdt[7] __attribute__((aligned(16)));

/* Long mode ignores base/limit for code and data; only type, DPL, L, P. */
#define SEG_KERNEL_CODE 0x00209a0000000000ull /* P, DPL0, code, L */
#define SEG_KERNEL_DATA 0x0000920000000000ull /* P, DPL0, data, W */
#define SEG_USER_DATA   0x0000f20000000000ull /* P, DPL3, data, W */
#define SEG_USER_CODE   0x0020fa0000000000ull /* P, DPL3, code, L */

void gdt_init(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss;
	uint64_t limit = sizeof(tss) - 1;

	tss.iomap_base = sizeof(tss); /* no I/O bitmap: every port denied */

	gdt[0] = 0;
	gdt[1] = SEG_KERNEL_CODE;
	gdt[2] = SEG_KERNEL_DATA;
	gdt[3] = SEG_USER_DATA;
	gdt[4] = SEG_USER_CODE;
	/* 16-byte TSS descriptor: type 9 (available 64-bit TSS), present. */
	gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[6] = base >> 32;

	struct gdt_ptr p = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };
	__asm__ volatile(
		"lgdt %0\n"
		"mov %1, %%ds\n"
		"mov %1, %%es\n"
		"mov %1, %%ss\n"
		"xor %%eax, %%eax\n"
		"mov %%ax, %%fs\n"
		"mov %%ax, %%gs\n"
		"pushq %2\n"
		"leaq 1f(%%rip), %%rax\n"
		"pushq %%rax\n"
		"lretq\n"
		"1:\n"
		:
		: "m"(p), "r"((uint64_t)GDT_KERNEL_DS), "i"(GDT_KERNEL_CS)
		: "rax", "memory");
	/* ltr after the far return so the new GDT is live. */
	__asm__ volatile("ltr %w0" : : "r"((uint16_t)GDT_TSS));
}

void gdt_set_ist(int ist, uint64_t stack_top)
{
	tss.ist[ist - 1] = stack_top;
}

void gdt_set_kernel_stack(uint64_t stack_top)
{
	tss.rsp[0] = stack_top;
}
