/*
 * trap.c - where every interrupt and exception lands.
 *
 * An exception in ring 3 is the process's fault: it is reported (name, pid,
 * cause, rip, address) and the process is destroyed; the kernel goes on.
 * An exception in ring 0 is a kernel bug: panic. Device interrupts are
 * counted per vector, acknowledged and turned into notification signals.
 */
#include <stdint.h>

#include "arch/x86_64/apic.h"
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/trap.h"
#include "core/panic.h"
#include "core/sched.h"
#include "object/process.h"

uint64_t trap_counts[256];

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range exceeded", "invalid opcode", "device not available",
	"double fault", "coprocessor segment overrun", "invalid TSS",
	"segment not present", "stack-segment fault", "general protection fault",
	"page fault", "reserved (15)", "x87 floating-point error",
	"alignment check", "machine check", "SIMD floating-point error",
	"virtualization exception", "control protection", "reserved (22)",
	"reserved (23)", "reserved (24)", "reserved (25)", "reserved (26)",
	"reserved (27)", "hypervisor injection", "VMM communication",
	"security exception", "reserved (31)",
};

const char *trap_name(uint64_t vector)
{
	if (vector < 32)
		return exception_names[vector];
	if (vector == VEC_TIMER)
		return "APIC timer";
	if (vector == VEC_SPURIOUS)
		return "spurious interrupt";
	if (vector == TRAP_SYSCALL)
		return "syscall";
	if (vector >= VEC_IRQ_BASE && vector < VEC_IRQ_BASE + 16)
		return "device interrupt";
	return "unexpected interrupt";
}

uint64_t irq_count_for(uint32_t vector)
{
	return vector < 256 ? trap_counts[vector] : 0;
}

struct trapframe *trap_dispatch(struct trapframe *tf)
{
	uint64_t v = tf->vector & 0xff;
	int from_user = (tf->cs & 3) == 3;
	trap_counts[v]++;

	if (v < 32) {
		if (!from_user || v == 2 || v == 8 || v == 18)
			panic_trap(tf);
		struct thread *t = sched_current();
		struct fault_info fi = {
			.vector = v,
			.error = tf->error,
			.rip = tf->rip,
			.addr = v == 14 ? read_cr2() : 0,
		};
		process_fault(t->proc, &fi);
	} else if (v == VEC_TIMER) {
		lapic_eoi();
		sched_timer_tick();
	} else if (v >= VEC_IRQ_BASE && v < VEC_IRQ_BASE + 16) {
		irq_dispatch((uint32_t)(v - VEC_IRQ_BASE));
	}
	/* Spurious and stray vectors are only counted: the APIC's spurious
	 * vector takes no EOI and the legacy PICs are masked. */
	return kernel_exit(from_user ? NULL : tf);
}
