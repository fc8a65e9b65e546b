/*
 * idt.c - the interrupt descriptor table.
 *
 * Invariants: all 256 vectors have a gate (unexpected ones are counted and
 * reported, never a triple fault); every gate is an interrupt gate, so IF is
 * clear on kernel entry and the kernel is never preempted; only gates meant
 * for ring 3 would have DPL 3, and none do: user code enters only through
 * the syscall instruction. Double fault, NMI and machine check run on their
 * own IST stacks, so a kernel stack overflow still produces a report.
 */
#include <stdint.h>

#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern const uint64_t isr_stub_table[256];
static struct idt_gate idt[256] __attribute__((aligned(16)));

void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t off = isr_stub_table[v];
		idt[v].off_lo = (uint16_t)off;
		idt[v].sel = GDT_KERNEL_CS;
		idt[v].ist = 0;
		idt[v].type = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
		idt[v].off_mid = (uint16_t)(off >> 16);
		idt[v].off_hi = (uint32_t)(off >> 32);
		idt[v].reserved = 0;
	}
	idt[2].ist = IST_NMI;
	idt[8].ist = IST_DOUBLE_FAULT;
	idt[18].ist = IST_MACHINE_CHECK;

	struct idt_ptr p = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(p));
}
