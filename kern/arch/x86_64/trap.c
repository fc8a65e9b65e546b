/*
 * trap.c - where every interrupt and exception lands.
 *
 * An exception in ring 3 is the process's fault: it is reported (name, pid,
 * cause, rip, address) and the process is destroyed; the kernel goes on.
 * An exception in ring 0 is a kernel bug: panic. Device interrupts are
 * counted per vector, acknowledged and handed to their handler.
 */
#include <stdint.h>

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
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
	return "unexpected interrupt";
}

static void user_fault(struct trapframe *tf)
{
	struct thread *t = sched_current();
	uint64_t addr = tf->vector == 14 ? read_cr2() : 0;
	struct fault_info fi = {
		.vector = tf->vector,
		.error = tf->error,
		.rip = tf->rip,
		.addr = addr,
	};
	process_fault(t->proc, &fi);
	/* Not reached: the faulting thread never runs again. */
}

void trap_dispatch(struct trapframe *tf)
{
	uint64_t v = tf->vector & 0xff;
	trap_counts[v]++;

	if (v < 32) {
		if (v != 2 && v != 8 && v != 18 && (tf->cs & 3) == 3) {
			user_fault(tf);
			return;
		}
		panic_trap(tf);
	}
	if (v == VEC_SPURIOUS)
		return; /* no EOI for the APIC's spurious vector */
	if (v == VEC_TIMER) {
		lapic_eoi();
		sched_timer_interrupt();
		return;
	}
	/* Stray vectors (e.g. a masked legacy PIC's spurious IRQ 7) are counted
	 * and otherwise ignored; the PIC is masked, so nothing needs an EOI. */
}
