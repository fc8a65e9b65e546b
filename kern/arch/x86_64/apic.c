/*
 * apic.c - local APIC, its one-shot timer, and TSC calibration.
 *
 * The APIC timer's rate is unknown until measured, so both it and the TSC
 * are timed against PIT channel 2 (a fixed 1.193182 MHz) over 10 ms with the
 * speaker gate, polled, before interrupts are enabled. Under QEMU -icount
 * both rates follow virtual time, so the figures repeat run to run.
 *
 * Invariants: the legacy 8259 PICs are remapped to 0x20-0x2f and fully
 * masked (all device interrupts go through the I/O APIC once drivers
 * exist); the timer is one-shot only; SMP needs one calibration per CPU.
 */
#include <stdint.h>

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/paging.h"
#include "core/kprintf.h"
#include "core/panic.h"

#define LAPIC_ID       0x020
#define LAPIC_TPR      0x080
#define LAPIC_EOI      0x0b0
#define LAPIC_SVR      0x0f0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR  0x390
#define LAPIC_TIMER_DIV  0x3e0
#define LVT_MASKED     (1u << 16)

#define PIT_HZ 1193182u
#define CALIBRATE_MS 10u

static volatile uint32_t *lapic;
static uint64_t lapic_ticks_per_ms; /* after the divide-by-16 */
static uint64_t tsc_per_ms;
static uint64_t tsc_base;

static uint32_t lapic_read(uint32_t reg)
{
	return lapic[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	lapic[reg / 4] = v;
	(void)lapic[LAPIC_ID / 4]; /* serialise the write */
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

static void pic_mask_all(void)
{
	/* Remap first, so a spurious legacy IRQ cannot alias an exception. */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static void calibrate(void)
{
	uint16_t count = (uint16_t)(PIT_HZ * CALIBRATE_MS / 1000);

	/* Gate channel 2 on, speaker off; mode 0 (out goes high at terminal count). */
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
	outb(0x43, 0xb0);
	outb(0x42, (uint8_t)count);
	outb(0x42, (uint8_t)(count >> 8));

	lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	/* Restart the PIT count by toggling the gate, then start both clocks. */
	outb(0x61, (uint8_t)(inb(0x61) & ~0x01));
	outb(0x61, (uint8_t)(inb(0x61) | 0x01));
	uint64_t t0 = rdtsc();
	lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);

	uint64_t spins = 0;
	while (!(inb(0x61) & 0x20)) {
		if (++spins > 100000000ull)
			panic("apic: PIT channel 2 never reached its count");
	}
	uint32_t cur = lapic_read(LAPIC_TIMER_CUR);
	uint64_t t1 = rdtsc();
	lapic_write(LAPIC_TIMER_INIT, 0);

	lapic_ticks_per_ms = (0xffffffffull - cur) / CALIBRATE_MS;
	tsc_per_ms = (t1 - t0) / CALIBRATE_MS;
	if (!lapic_ticks_per_ms || !tsc_per_ms)
		panic("apic: calibration failed (lapic %lu, tsc %lu per ms)",
		      lapic_ticks_per_ms, tsc_per_ms);
	tsc_base = t1;
}

void apic_init(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	if (!(r[3] & (1u << 9)))
		panic("apic: CPU has no local APIC");

	pic_mask_all();

	uint64_t base = rdmsr(MSR_APIC_BASE);
	wrmsr(MSR_APIC_BASE, base | (1ull << 11)); /* global enable */
	lapic = mmio_map(base & 0xfffff000ull, PAGE_SIZE);

	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS); /* software enable */

	calibrate();
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER); /* one-shot, unmasked */
	kprintf("apic: lapic id %u, timer %lu ticks/ms (div 16), tsc %lu kHz\n",
		lapic_read(LAPIC_ID) >> 24, lapic_ticks_per_ms, tsc_per_ms);
}

void timer_arm_ns(uint64_t ns)
{
	if (!ns) {
		timer_disarm();
		return;
	}
	uint64_t ticks = ns * lapic_ticks_per_ms / 1000000ull;
	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffffull)
		ticks = 0xffffffffull;
	lapic_write(LAPIC_TIMER_INIT, (uint32_t)ticks);
}

void timer_disarm(void)
{
	lapic_write(LAPIC_TIMER_INIT, 0);
}

uint64_t tsc_khz(void)
{
	return tsc_per_ms;
}

uint64_t time_ns(void)
{
	uint64_t d = rdtsc() - tsc_base;
	/* Split so the multiply cannot overflow for centuries of uptime. */
	return (d / tsc_per_ms) * 1000000ull + (d % tsc_per_ms) * 1000000ull / tsc_per_ms;
}
