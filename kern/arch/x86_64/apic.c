/*
 * apic.c - local APIC, its one-shot timer, and the TSC and timer rates.
 *
 * The rates come from CPUID leaf 0x15/0x16 when the CPU states them; else
 * both are measured over 250 us (longer when that is not precise enough)
 * of a reference clock, from one reference
 * edge to another (arch/x86_64/calibrate.c): the ACPI PM timer found in
 * the FADT, or PIT channel 2 when there is none. The bound on the error
 * is computed from the measurement and printed; under QEMU -icount both
 * rates follow virtual time, so the figures repeat run to run.
 *
 * Invariants: the legacy 8259 PICs are remapped to 0x20-0x2f and fully
 * masked (all device interrupts go through the I/O APIC once drivers
 * exist); the timer is one-shot only; SMP needs one calibration per CPU;
 * after apic_init, ns_mult and lapic_mult are the scale factors
 * (ns = tsc * ns_mult >> 32, counts = ns * lapic_mult >> 32), so neither
 * the clock nor arming the timer divides.
 */
#include <stdint.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/calibrate.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/paging.h"
#include "core/kprintf.h"
#include "core/platform.h"
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
#define LAPIC_TIMER_DIVISOR 16u

#define PIT_HZ 1193182u
#define PM_TIMER_HZ 3579545u
/* The first measuring window is 250 us of the reference; while its error
 * bound is above CALIB_GOOD_PPM (0.1 %) the window doubles, up to
 * CALIB_TRIES windows (0.25 + 0.5 + 1 + 2 + 4 ms at worst), and the best
 * one is used. Under QEMU the first is enough (reads take a few ns); real
 * chipsets (a PM timer read ~1 us) take the 2 ms one. So many reference
 * reads without progress mean the reference is dead. */
#define CALIB_WINDOW_DIV 4000u
#define CALIB_GOOD_PPM 1000u
#define CALIB_TRIES 5u
#define CALIB_MAX_SPINS 10000000ull

static volatile uint32_t *lapic;
static uint64_t lapic_ticks_per_ms; /* after the divide-by-16 */
static uint64_t tsc_per_ms;
static uint64_t tsc_base;
static uint64_t ns_mult;    /* 2^32 * 10^6 / tsc_per_ms */
static uint64_t lapic_mult; /* 2^32 * lapic_ticks_per_ms / 10^6 */

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

static uint16_t pm_port;

static uint32_t pm_read(void)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(pm_port));
	return v;
}

/* PIT channel 2 free-running (mode 2, reload 65536), latched and read,
 * turned into an up-counter. */
static uint32_t pit_read(void)
{
	outb(0x43, 0x80); /* latch counter 2 */
	uint32_t lo = inb(0x42);
	uint32_t hi = inb(0x42);
	return (0x10000u - (lo | hi << 8)) & 0xffffu;
}

static void pit_start(void)
{
	/* Gate channel 2 on, speaker off; mode 2, binary, count 0 = 65536. */
	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
	outb(0x43, 0xb4);
	outb(0x42, 0);
	outb(0x42, 0);
}

static uint64_t tsc_now(void)
{
	return rdtsc();
}

static uint32_t lapic_count(void)
{
	return lapic_read(LAPIC_TIMER_CUR);
}

static void set_rates(uint64_t tsc_khz_v, uint64_t lapic_per_ms)
{
	if (!tsc_khz_v || !lapic_per_ms)
		panic("apic: calibration failed (lapic %lu per ms, tsc %lu kHz)",
		      lapic_per_ms, tsc_khz_v);
	tsc_per_ms = tsc_khz_v;
	lapic_ticks_per_ms = lapic_per_ms;
	ns_mult = (1000000ull << 32) / tsc_per_ms;
	lapic_mult = (lapic_ticks_per_ms << 32) / 1000000ull;
	if (!lapic_mult)
		lapic_mult = 1;
}

static void calibrate(const struct capos_boot_info *bi)
{
	uint32_t r0[4], r15[4] = { 0 }, r16[4] = { 0 };
	cpuid(0, 0, r0);
	if (r0[0] >= 0x15)
		cpuid(0x15, 0, r15);
	if (r0[0] >= 0x16)
		cpuid(0x16, 0, r16);
	uint64_t tsc_khz_v, crystal_khz;
	if (calib_from_cpuid(r0[0], r15, r16, &tsc_khz_v, &crystal_khz)) {
		set_rates(tsc_khz_v, crystal_khz / LAPIC_TIMER_DIVISOR);
		tsc_base = rdtsc();
		kprintf("apic: rates from CPUID 0x15/0x16 (crystal %lu kHz)\n", crystal_khz);
		return;
	}

	struct acpi_pm_timer pm;
	struct calib_ref ref;
	const char *name;
	if (acpi_find_pm_timer(bi, &pm) == NULL) {
		pm_port = pm.port;
		ref.read = pm_read;
		ref.mask = pm.bits32 ? 0xffffffffu : 0xffffffu;
		ref.hz = PM_TIMER_HZ;
		name = "ACPI PM timer";
	} else {
		pit_start();
		ref.read = pit_read;
		ref.mask = 0xffffu;
		ref.hz = PIT_HZ;
		name = "PIT channel 2";
	}

	lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_INIT, 0xffffffffu);
	struct calib_window w, best;
	uint32_t ticks = (uint32_t)(ref.hz / CALIB_WINDOW_DIV);
	int have = 0;
	for (uint32_t i = 0; i < CALIB_TRIES; i++, ticks *= 2) {
		if (!calib_measure(&ref, ticks, tsc_now, lapic_count, CALIB_MAX_SPINS, &w))
			continue;
		if (!have || calib_bound_ppm(&w) < calib_bound_ppm(&best))
			best = w;
		have = 1;
		if (calib_bound_ppm(&best) <= CALIB_GOOD_PPM)
			break;
	}
	lapic_write(LAPIC_TIMER_INIT, 0);
	if (!have)
		panic("apic: the %s never advanced", name);
	w = best;
	set_rates(calib_tsc_khz(&w, ref.hz), calib_lapic_per_ms(&w, ref.hz));
	tsc_base = rdtsc();
	kprintf("apic: calibrated over %u ticks of the %s (%lu us), bound +-%lu ppm\n",
		w.ref_ticks, name, (unsigned long)((uint64_t)w.ref_ticks * 1000000u / ref.hz),
		(unsigned long)calib_bound_ppm(&w));
}

void apic_init(const struct capos_boot_info *bi)
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

	calibrate(bi);
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER); /* one-shot, unmasked */
	kprintf("apic: lapic id %u, timer %lu ticks/ms (div 16), tsc %lu kHz\n",
		lapic_read(LAPIC_ID) >> 24, lapic_ticks_per_ms, tsc_per_ms);
}

/* Counts for the one-shot timer, >= 1 and clamped to its 32 bits. */
static inline uint32_t lapic_counts(uint64_t ns)
{
	uint64_t ticks = (uint64_t)(((unsigned __int128)ns * lapic_mult) >> 32);
	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffffull)
		ticks = 0xffffffffull;
	return (uint32_t)ticks;
}

static inline uint64_t tsc_to_ns(uint64_t tsc)
{
	/* 128-bit product: no overflow for centuries of uptime. */
	return (uint64_t)(((unsigned __int128)(tsc - tsc_base) * ns_mult) >> 32);
}

void timer_arm_ns(uint64_t ns)
{
	if (!ns) {
		timer_disarm();
		return;
	}
	/* A plain store: nothing here needs the write to have landed before
	 * the kernel goes on (it leaves soon after, to run a thread). */
	lapic[LAPIC_TIMER_INIT / 4] = lapic_counts(ns);
}

void timer_disarm(void)
{
	lapic[LAPIC_TIMER_INIT / 4] = 0;
}

uint64_t tsc_khz(void)
{
	return tsc_per_ms;
}

uint64_t time_ns(void)
{
	return tsc_to_ns(rdtsc());
}

/* core/platform.h */
uint64_t now_ns(void)
{
	return tsc_to_ns(rdtsc());
}

/* core/platform.h: the one-shot for an absolute time; 0 disarms. */
void timer_set_deadline(uint64_t deadline_ns)
{
	if (!deadline_ns) {
		lapic[LAPIC_TIMER_INIT / 4] = 0;
		return;
	}
	uint64_t now = tsc_to_ns(rdtsc());
	lapic[LAPIC_TIMER_INIT / 4] = lapic_counts(deadline_ns > now ? deadline_ns - now : 1);
}
