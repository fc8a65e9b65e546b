/*
 * acpi.h - the little of ACPI the kernel reads: the MADT's I/O APICs and
 * ISA interrupt source overrides, and the FADT's PM timer port
 * (arch/x86_64/acpi.c). No AML, ever.
 */
#ifndef KERN_ARCH_ACPI_H
#define KERN_ARCH_ACPI_H

#include <stdint.h>

#include <capos/bootinfo.h>

#define ACPI_MAX_IOAPICS 8u
#define ACPI_MAX_ISOS    16u

/* MADT interrupt source override flags (MPS INTI flags). */
#define ACPI_ISO_POLARITY_MASK 0x3u
#define ACPI_ISO_POLARITY_HIGH 0x1u
#define ACPI_ISO_POLARITY_LOW  0x3u
#define ACPI_ISO_TRIGGER_MASK  0xcu
#define ACPI_ISO_TRIGGER_EDGE  0x4u
#define ACPI_ISO_TRIGGER_LEVEL 0xcu
/* 0 in either field: "conforms to the bus" (ISA: active high, edge). */

struct acpi_ioapic {
	uint8_t id;
	uint32_t mmio;     /* physical address of its register window */
	uint32_t gsi_base; /* first global system interrupt it serves */
};

struct acpi_iso {
	uint8_t source; /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags; /* ACPI_ISO_* */
};

struct acpi_madt_info {
	uint32_t n_ioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	uint32_t n_isos; /* ISA (bus 0) overrides only */
	struct acpi_iso isos[ACPI_MAX_ISOS];
};

/*
 * Finds the MADT through the RSDP the loader recorded (XSDT when the RSDP
 * is revision 2, else RSDT), checking every checksum and length on the way.
 * Returns NULL and fills *out, or a short reason why there is no usable
 * MADT (no RSDP, bad checksum, ...). Extra I/O APICs or overrides beyond
 * the limits above are ignored, with a message.
 */
const char *acpi_read_madt(const struct capos_boot_info *bi, struct acpi_madt_info *out);

struct acpi_pm_timer {
	uint16_t port; /* I/O port of the counter */
	int bits32;    /* 32-bit counter (FADT TMR_VAL_EXT), else 24-bit */
};

/*
 * The ACPI PM timer from the FADT (X_PM_TMR_BLK when it is a system I/O
 * address, else PM_TMR_BLK), with the same checks as acpi_read_madt.
 * NULL and *out filled, or why there is none (hardware-reduced ACPI has
 * none; the caller then uses the PIT).
 */
const char *acpi_find_pm_timer(const struct capos_boot_info *bi, struct acpi_pm_timer *out);

#endif
