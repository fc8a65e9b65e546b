/*
 * irq.c - legacy (ISA) device interrupts through the I/O APIC, handed to
 * userspace drivers as IRQHandler objects that signal a notification.
 *
 * ISA IRQ n always arrives on vector VEC_IRQ_BASE + n, whatever GSI the
 * MADT's overrides put it on, so the trap path needs no table lookup and a
 * driver names the IRQ the way its hardware documentation does.
 *
 * Protocol: the interrupt masks its pin and signals the handler's bits;
 * the driver services the device, then IRQHandler.ack unmasks the pin.
 * Masking until ack is what makes level-triggered lines safe (the line
 * stays asserted until the device is serviced) and keeps a babbling device
 * from taking more than one interrupt per driver round trip. An edge that
 * arrives while the pin is masked stays pending in the I/O APIC's IRR on
 * QEMU and real chipsets alike, so it is delivered at ack; a driver must
 * therefore tolerate an interrupt that finds nothing to do.
 *
 * Invariants:
 *  - every redirection entry is masked unless handlers[irq] is non-NULL for
 *    the ISA IRQ routed to it and that handler has not taken an interrupt
 *    since its last ack (h->masked == 0);
 *  - at most one IRQHandler per ISA IRQ: handlers[irq] is set when the
 *    handler is created and cleared only when it is destroyed; the table
 *    holds no reference (destruction clears it first, under the same
 *    single-CPU, interrupts-off kernel, so it never dangles);
 *  - a handler holds one counted reference on its notification, dropped in
 *    irq_handler_destroy, so an interrupt never signals a freed object;
 *  - routes[] is computed once at boot and never changes; an ISA IRQ whose
 *    identity GSI was taken by another IRQ's override has no route;
 *  - the I/O APIC's index/data register pair is not atomic: every access
 *    happens with interrupts disabled on the one CPU (syscalls and traps
 *    run that way). SMP needs a lock here.
 */
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/paging.h"
#include "core/kprintf.h"
#include "object/captable.h"
#include "object/kobj.h"
#include "object/notification.h"
#include "object/thread.h"

#define ISA_IRQS 16u

/* I/O APIC registers: an index register and a data window. */
#define IOREGSEL  0x00u
#define IOWIN     0x10u
#define IOAPIC_WINDOW_BYTES 0x20u
#define IOAPIC_VER 0x01u
#define IOAPIC_RTE(pin) (0x10u + 2u * (pin))
#define IOAPIC_MAX_PINS 120u /* IOAPIC_RTE(119) + 1 == 0xff */

/* Redirection entry, low dword. Delivery mode 000 (fixed) and destination
 * mode 0 (physical) are the zero values. */
#define RTE_POLARITY_LOW (1u << 13)
#define RTE_TRIGGER_LEVEL (1u << 15)
#define RTE_MASKED (1u << 16)

struct ioapic {
	volatile uint32_t *regs;
	uint32_t mmio;     /* physical, for messages */
	uint32_t gsi_base;
	uint32_t pins;
};

struct isa_route {
	struct ioapic *io; /* NULL: this ISA IRQ has no usable pin */
	uint32_t pin;
	uint32_t gsi;
	uint32_t mode; /* RTE_POLARITY_LOW / RTE_TRIGGER_LEVEL */
};

struct irq_handler {
	struct kobj obj;
	uint32_t irq;
	uint32_t gsi;
	struct notification *ntfn; /* counted reference */
	uint64_t bits;
	int masked; /* took an interrupt, not yet acked */
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static uint32_t n_ioapics; /* 0: no I/O APIC, IRQControl is unsupported */
static struct isa_route routes[ISA_IRQS];
static struct irq_handler *handlers[ISA_IRQS];
static uint32_t dest_apic_id;

static uint32_t ioapic_read(struct ioapic *io, uint32_t reg)
{
	io->regs[IOREGSEL / 4] = reg;
	return io->regs[IOWIN / 4];
}

static void ioapic_write(struct ioapic *io, uint32_t reg, uint32_t v)
{
	io->regs[IOREGSEL / 4] = reg;
	io->regs[IOWIN / 4] = v;
}

static void route_mask(const struct isa_route *r)
{
	uint32_t lo = ioapic_read(r->io, IOAPIC_RTE(r->pin));
	ioapic_write(r->io, IOAPIC_RTE(r->pin), lo | RTE_MASKED);
}

static void route_unmask(const struct isa_route *r)
{
	uint32_t lo = ioapic_read(r->io, IOAPIC_RTE(r->pin));
	ioapic_write(r->io, IOAPIC_RTE(r->pin), lo & ~RTE_MASKED);
}

/* Programs the whole entry for ISA IRQ irq, masked. The low dword is
 * written masked first so a half-written entry is never live. */
static void route_program(uint32_t irq)
{
	const struct isa_route *r = &routes[irq];
	uint32_t lo = (VEC_IRQ_BASE + irq) | r->mode | RTE_MASKED;
	ioapic_write(r->io, IOAPIC_RTE(r->pin), RTE_MASKED);
	ioapic_write(r->io, IOAPIC_RTE(r->pin) + 1, dest_apic_id << 24);
	ioapic_write(r->io, IOAPIC_RTE(r->pin), lo);
}

static struct ioapic *ioapic_for_gsi(uint32_t gsi, uint32_t *pin)
{
	for (uint32_t i = 0; i < n_ioapics; i++) {
		struct ioapic *io = &ioapics[i];
		if (gsi >= io->gsi_base && gsi - io->gsi_base < io->pins) {
			*pin = gsi - io->gsi_base;
			return io;
		}
	}
	return NULL;
}

/* ISA IRQ -> GSI, polarity and trigger: identity, edge, active high unless
 * an override says otherwise (ACPI spec, "Interrupt Source Override"). */
static void compute_route(uint32_t irq, const struct acpi_madt_info *m)
{
	struct isa_route *r = &routes[irq];
	uint32_t gsi = irq;
	uint16_t flags = 0;
	int overridden = 0;

	for (uint32_t i = 0; i < m->n_isos; i++) {
		if (m->isos[i].source == irq) {
			gsi = m->isos[i].gsi;
			flags = m->isos[i].flags;
			overridden = 1;
			break;
		}
	}
	if (!overridden) {
		/* Another IRQ moved onto our identity pin (QEMU: IRQ 0 -> GSI 2),
		 * so this IRQ has no line of its own. */
		for (uint32_t i = 0; i < m->n_isos; i++) {
			if (m->isos[i].gsi == irq && m->isos[i].source != irq) {
				r->io = NULL;
				return;
			}
		}
	}
	r->gsi = gsi;
	r->mode = 0;
	if ((flags & ACPI_ISO_POLARITY_MASK) == ACPI_ISO_POLARITY_LOW)
		r->mode |= RTE_POLARITY_LOW;
	if ((flags & ACPI_ISO_TRIGGER_MASK) == ACPI_ISO_TRIGGER_LEVEL)
		r->mode |= RTE_TRIGGER_LEVEL;
	r->io = ioapic_for_gsi(gsi, &r->pin);
}

void irq_init(const struct capos_boot_info *bi)
{
	struct acpi_madt_info m;
	const char *why = acpi_read_madt(bi, &m);
	if (!why && m.n_ioapics == 0)
		why = "the MADT lists no I/O APIC";
	if (why) {
		kprintf("irq: no I/O APIC (%s); IRQControl unsupported\n", why);
		return;
	}

	uint32_t total_pins = 0;
	for (uint32_t i = 0; i < m.n_ioapics; i++) {
		struct ioapic *io = &ioapics[n_ioapics];
		if (m.ioapics[i].mmio == 0) {
			kprintf("irq: MADT I/O APIC %u has address 0; ignored\n", i);
			continue;
		}
		io->mmio = m.ioapics[i].mmio;
		io->gsi_base = m.ioapics[i].gsi_base;
		io->regs = mmio_map(io->mmio, IOAPIC_WINDOW_BYTES);
		io->pins = ((ioapic_read(io, IOAPIC_VER) >> 16) & 0xffu) + 1u;
		/* The index register is 8 bits wide: no more entries than it can
		 * name, whatever the version register claims. */
		if (io->pins > IOAPIC_MAX_PINS)
			io->pins = IOAPIC_MAX_PINS;
		/* Firmware may hand over with pins live: mask all of them before
		 * anything can be delivered to a vector nobody expects. */
		for (uint32_t pin = 0; pin < io->pins; pin++) {
			ioapic_write(io, IOAPIC_RTE(pin), RTE_MASKED);
			ioapic_write(io, IOAPIC_RTE(pin) + 1, 0);
		}
		total_pins += io->pins;
		n_ioapics++;
	}

	/* Every interrupt goes to the boot CPU, the only one running. */
	dest_apic_id = lapic_id();
	for (uint32_t irq = 0; irq < ISA_IRQS; irq++)
		compute_route(irq, &m);

	if (n_ioapics == 0) {
		kprintf("irq: no usable I/O APIC; IRQControl unsupported\n");
		return;
	}
	if (n_ioapics == 1)
		kprintf("irq: I/O APIC at 0x%x, %u pins, %u ISA overrides\n",
			ioapics[0].mmio, ioapics[0].pins, m.n_isos);
	else
		kprintf("irq: I/O APIC at 0x%x, %u pins, %u ISA overrides (%u I/O APICs, %u pins in all)\n",
			ioapics[0].mmio, ioapics[0].pins, m.n_isos, n_ioapics, total_pins);
}

void irq_dispatch(uint32_t irq)
{
	if (irq >= ISA_IRQS) {
		lapic_eoi();
		return;
	}
	/* Mask before the EOI, so a level line still asserted cannot fire
	 * again before the driver has serviced the device. */
	if (routes[irq].io)
		route_mask(&routes[irq]);
	lapic_eoi();
	struct irq_handler *h = handlers[irq];
	if (!h)
		return; /* a pin nobody routed: stays masked */
	h->masked = 1;
	ntfn_deliver(h->ntfn, h->bits);
}

capos_status_t irq_control_get(struct thread *t, uint32_t irq, struct cap *ntfn,
			       uint64_t bits, struct kobj **out)
{
	if (n_ioapics == 0)
		return CAPOS_UNSUPPORTED;
	if (irq >= ISA_IRQS || bits == 0)
		return CAPOS_INVALID_ARGUMENT;
	if (ntfn->type != CAPOS_CAP_NOTIFICATION)
		return CAPOS_WRONG_TYPE;
	if (!(ntfn->rights & CAPOS_RIGHT_SEND))
		return CAPOS_DENIED; /* an interrupt is a Signal through this cap */
	if (!routes[irq].io)
		return CAPOS_UNSUPPORTED;
	if (handlers[irq])
		return CAPOS_DENIED;

	capos_status_t st;
	struct irq_handler *h = kobj_alloc(CAPOS_CAP_IRQ_HANDLER, t->proc, &st);
	if (!h)
		return st;
	h->irq = irq;
	h->gsi = routes[irq].gsi;
	h->ntfn = (struct notification *)ntfn->obj;
	kobj_ref(&h->ntfn->obj);
	/* A badged cap can only ever signal its badge among the bits, so the
	 * interrupt carries it too: the handler is no back door around it. */
	h->bits = bits | ntfn->badge;
	h->masked = 0;
	handlers[irq] = h;

	route_program(irq);
	route_unmask(&routes[irq]);
	*out = &h->obj;
	return CAPOS_OK;
}

capos_status_t irq_handler_ack(struct kobj *handler)
{
	struct irq_handler *h = (struct irq_handler *)handler;
	if (handler->type != CAPOS_CAP_IRQ_HANDLER)
		return CAPOS_WRONG_TYPE;
	h->masked = 0;
	route_unmask(&routes[h->irq]);
	return CAPOS_OK;
}

void irq_handler_destroy(struct kobj *handler)
{
	struct irq_handler *h = (struct irq_handler *)handler;
	route_mask(&routes[h->irq]);
	if (handlers[h->irq] == h)
		handlers[h->irq] = NULL;
	kobj_unref(&h->ntfn->obj);
	h->ntfn = NULL;
}
