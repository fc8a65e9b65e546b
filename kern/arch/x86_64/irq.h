/*
 * irq.h - legacy device interrupts through the I/O APIC (arch/x86_64/irq.c).
 * ISA IRQ n arrives on vector VEC_IRQ_BASE + n once an IRQHandler routes it.
 */
#ifndef KERN_ARCH_IRQ_H
#define KERN_ARCH_IRQ_H

#include <stdint.h>

#include <capos/abi.h>
#include <capos/bootinfo.h>

#define VEC_IRQ_BASE 0x30

struct kobj;
struct cap;
struct thread;

/* Finds the I/O APIC and the ISA overrides in the ACPI MADT; masks every pin. */
void irq_init(const struct capos_boot_info *bi);

/* Vector VEC_IRQ_BASE + irq fired: mask the pin, EOI, signal the handler's
 * notification. The holder unmasks with IRQHandler.ack. */
void irq_dispatch(uint32_t irq);

capos_status_t irq_control_get(struct thread *t, uint32_t irq, struct cap *ntfn,
			       uint64_t bits, struct kobj **out);
capos_status_t irq_handler_ack(struct kobj *handler);
void irq_handler_destroy(struct kobj *handler);

#endif
