#ifndef KERN_ARCH_APIC_H
#define KERN_ARCH_APIC_H

#include <stdint.h>

#include <capos/bootinfo.h>

/* Masks the legacy PICs, enables the local APIC and finds the rates of
 * its timer and of the TSC: from CPUID, else measured over 250 us or more
 * of the ACPI PM timer (the FADT's, hence bi) or of PIT channel 2. */
void apic_init(const struct capos_boot_info *bi);
void lapic_eoi(void);
/* This CPU's local APIC id (xAPIC, 8 bits); valid after apic_init. */
uint32_t lapic_id(void);

/* One-shot timer: fires VEC_TIMER once after ns nanoseconds (0 disarms).
 * Nothing periodic exists: with no deadline armed there are no ticks. */
void timer_arm_ns(uint64_t ns);
void timer_disarm(void);

uint64_t tsc_khz(void);
/* Nanoseconds since calibration, from the TSC. */
uint64_t time_ns(void);

#endif
