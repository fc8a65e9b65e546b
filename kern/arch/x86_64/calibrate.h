/*
 * calibrate.h - the rates of the TSC and the local APIC timer, without
 * spending 10 ms of boot on them (arch/x86_64/calibrate.c).
 *
 * Pure arithmetic and polling over clocks passed in as functions, so the
 * host unit tests (tests/unit/test_calibrate.c) drive it with simulated
 * clocks and check the error bound it states.
 */
#ifndef KERN_ARCH_CALIBRATE_H
#define KERN_ARCH_CALIBRATE_H

#include <stdint.h>

/*
 * CPUID leaves 0x15 (TSC / core crystal ratio, crystal Hz) and 0x16
 * (base MHz), as Linux's native_calibrate_tsc reads them. r15 and r16 are
 * EAX..EDX of each leaf; max_leaf is CPUID.0:EAX (a leaf above it is not
 * there, whatever the CPU answers for it). On success returns 1 with the
 * TSC rate and the crystal rate (the APIC timer's input clock) in kHz;
 * returns 0 when the leaves do not say (then the caller measures).
 */
int calib_from_cpuid(uint32_t max_leaf, const uint32_t r15[4], const uint32_t r16[4],
		     uint64_t *tsc_khz, uint64_t *crystal_khz);

/* A reference clock: a counter that counts up at hz and wraps at mask. */
struct calib_ref {
	uint32_t (*read)(void);
	uint32_t mask; /* 0xffffff (24-bit PM timer), 0xffffffff, 0xffff (PIT) */
	uint64_t hz;
};

struct calib_window {
	uint64_t tsc_delta;   /* TSC ticks between the two reference edges */
	uint32_t lapic_delta; /* APIC timer counts down this much meanwhile */
	uint32_t ref_ticks;   /* reference ticks between the edges */
	uint64_t tsc_slack;   /* each edge's time is known to this many TSC
				 ticks: the bound on tsc_delta's error */
};

/*
 * Measures from one change of the reference counter to the first change
 * at least ref_ticks later, reading the TSC around every reference read
 * (so each edge is pinned between two TSC values) and the APIC timer's
 * current count at each edge. Gives up (returns 0) if the reference does
 * not move within max_spins reads.
 */
int calib_measure(const struct calib_ref *ref, uint32_t ref_ticks, uint64_t (*tsc)(void),
		  uint32_t (*lapic_count)(void), uint64_t max_spins,
		  struct calib_window *out);

/* Rates from a window: TSC kHz, APIC timer counts per ms, and the bound
 * on the TSC rate's relative error in parts per million (the edge slack
 * only; the reference crystal's own tolerance comes on top). */
uint64_t calib_tsc_khz(const struct calib_window *w, uint64_t ref_hz);
uint64_t calib_lapic_per_ms(const struct calib_window *w, uint64_t ref_hz);
uint64_t calib_bound_ppm(const struct calib_window *w);

#endif
