/*
 * test_calibrate - the TSC / APIC timer rates (kern/arch/x86_64/calibrate.c):
 * CPUID leaf 0x15/0x16 arithmetic, and the edge-to-edge measurement against
 * simulated clocks whose reads take time (with jitter and the occasional
 * long stall), checking that the measured rates are within the bound the
 * measurement states, and that the bound is small when the reads are fast.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch/x86_64/calibrate.h"

static void test_cpuid(void **state)
{
	(void)state;
	uint64_t tsc = 0, xtal = 0;
	uint32_t l15[4] = { 2, 200, 24000000, 0 }, l16[4] = { 2400, 3000, 100, 0 };
	/* leaves absent: whatever the CPU answers for them is not trusted */
	assert_int_equal(calib_from_cpuid(0x14, l15, l16, &tsc, &xtal), 0);
	assert_int_equal(calib_from_cpuid(0x16, l15, l16, &tsc, &xtal), 1);
	assert_int_equal(tsc, 2400000); /* 24 MHz * 200 / 2 */
	assert_int_equal(xtal, 24000);
	/* crystal not enumerated: derived from leaf 0x16's base frequency */
	l15[2] = 0;
	tsc = xtal = 0;
	assert_int_equal(calib_from_cpuid(0x16, l15, l16, &tsc, &xtal), 1);
	assert_int_equal(xtal, 24000);
	assert_int_equal(tsc, 2400000);
	/* ... but not without leaf 0x16 */
	assert_int_equal(calib_from_cpuid(0x15, l15, l16, &tsc, &xtal), 0);
	/* ratio not enumerated */
	uint32_t z15[4] = { 0, 200, 24000000, 0 }, z15b[4] = { 2, 0, 24000000, 0 };
	assert_int_equal(calib_from_cpuid(0x16, z15, l16, &tsc, &xtal), 0);
	assert_int_equal(calib_from_cpuid(0x16, z15b, l16, &tsc, &xtal), 0);
}

/* A simulated machine: time in picoseconds; every clock read costs time. */
struct sim {
	unsigned __int128 ps;
	uint64_t tsc_hz, ref_hz, lapic_hz;
	uint32_t ref_offset;
	uint64_t read_ps;    /* a reference read's cost */
	uint64_t jitter_ps;  /* plus up to this much, pseudo-random */
	uint32_t stall_every; /* every n-th reference read stalls (0: never) */
	uint64_t stall_ps;
	uint64_t lapic_ps;   /* an APIC timer count read's cost */
	uint64_t reads;
	uint64_t rng;
	int dead;            /* the reference never moves */
};

static struct sim S;

static uint64_t rnd(void)
{
	S.rng = S.rng * 6364136223846793005ull + 1442695040888963407ull;
	return S.rng >> 33;
}

static uint64_t ticks_at(uint64_t hz)
{
	return (uint64_t)(S.ps * hz / 1000000000000ull);
}

static uint64_t sim_tsc(void)
{
	S.ps += 8000; /* rdtsc: 8 ns */
	return ticks_at(S.tsc_hz);
}

static uint32_t sim_ref(void)
{
	S.reads++;
	/* the counter is sampled part-way through the read */
	uint64_t cost = S.read_ps + (S.jitter_ps ? rnd() % S.jitter_ps : 0);
	if (S.stall_every && S.reads % S.stall_every == 0)
		cost += S.stall_ps;
	S.ps += cost / 2;
	uint32_t v = S.dead ? 7u : (uint32_t)(ticks_at(S.ref_hz) + S.ref_offset);
	S.ps += cost - cost / 2;
	return v;
}

static uint32_t sim_lapic(void)
{
	S.ps += S.lapic_ps;
	return 0xffffffffu - (uint32_t)ticks_at(S.lapic_hz);
}

/* |measured - truth| / truth in ppm, rounded up. */
static uint64_t err_ppm(uint64_t measured, uint64_t truth)
{
	uint64_t d = measured > truth ? measured - truth : truth - measured;
	return (d * 1000000u + truth - 1) / truth;
}

static void sim_reset(uint64_t tsc_hz, uint64_t ref_hz, uint32_t mask, uint32_t offset)
{
	S = (struct sim){ 0 };
	S.tsc_hz = tsc_hz;
	S.ref_hz = ref_hz;
	S.lapic_hz = 62500000; /* 1 GHz bus / 16 */
	S.ref_offset = offset & mask;
	S.lapic_ps = 100000; /* an MMIO read on hardware: 100 ns */
	S.rng = 12345;
	S.ps = 1000000000ull; /* 1 ms in */
}

/* One measurement; the rates must be within the stated bound (plus the
 * kHz / per-ms rounding of the results). Returns the bound. */
static uint64_t measure_and_check(uint32_t mask, uint32_t window)
{
	struct calib_ref ref = { sim_ref, mask, S.ref_hz };
	struct calib_window w;
	assert_int_equal(calib_measure(&ref, window, sim_tsc, sim_lapic, 100000000ull, &w), 1);
	assert_true(w.ref_ticks >= window);
	uint64_t bound = calib_bound_ppm(&w);
	uint64_t tsc_khz = calib_tsc_khz(&w, S.ref_hz);
	uint64_t lapic_ms = calib_lapic_per_ms(&w, S.ref_hz);
	/* rounding: one unit of the result, in ppm */
	uint64_t tsc_round = 1000000u / (S.tsc_hz / 1000u) + 1;
	uint64_t lapic_round = 1000000u / (S.lapic_hz / 1000u) + 1;
	assert_true(err_ppm(tsc_khz, S.tsc_hz / 1000u) <= bound + tsc_round);
	/* the APIC count is read inside the same pinning interval; its own
	 * quantisation is one count per edge */
	uint64_t lapic_q = 2 * 1000000u / w.lapic_delta + 1;
	assert_true(err_ppm(lapic_ms, S.lapic_hz / 1000u) <= bound + lapic_round + lapic_q);
	return bound;
}

static void test_pm_timer_fast_reads(void **state)
{
	(void)state;
	/* QEMU -icount: reads cost a few ns; 1 ms of PM timer is plenty */
	sim_reset(1000000000ull, 3579545, 0xffffff, 0xfffff0);
	S.read_ps = 5000;
	S.jitter_ps = 3000;
	S.lapic_ps = 2000;
	uint64_t b = measure_and_check(0xffffff, 3579);
	assert_true(b <= 50);
}

static void test_pm_timer_real_hw_reads(void **state)
{
	(void)state;
	/* real chipsets: a PM timer read ~0.7 us, jitter 0.3 us; 2.9 GHz TSC;
	 * the counter wraps (24 bits) inside the window */
	sim_reset(2900000000ull, 3579545, 0xffffff, 0xfffe00);
	S.read_ps = 700000;
	S.jitter_ps = 300000;
	uint64_t b1 = measure_and_check(0xffffff, 3579);
	assert_true(b1 <= 2500);
	uint64_t b2 = measure_and_check(0xffffff, 2 * 3579);
	assert_true(b2 <= 1250);
}

static void test_stalls_widen_the_bound(void **state)
{
	(void)state;
	/* every other read stalls 20 us (an SMI, a descheduled emulator), so
	 * each edge's interval holds a stall: the result is still inside the
	 * bound, and the bound says how bad it is */
	sim_reset(2700000000ull, 3579545, 0xffffffff, 0);
	S.read_ps = 700000;
	S.jitter_ps = 100000;
	S.stall_every = 2;
	S.stall_ps = 20000000ull;
	uint64_t b = measure_and_check(0xffffffff, 3579);
	assert_true(b >= 20000); /* 20 us of 1 ms */
}

static void test_pit(void **state)
{
	(void)state;
	/* PIT: 16 bits, 1.193182 MHz, a latched read ~2.5 us (three port
	 * accesses): reads are slower than the ticks, the edges still pin */
	sim_reset(3100000000ull, 1193182, 0xffff, 0xff00);
	S.read_ps = 2500000;
	S.jitter_ps = 500000;
	uint64_t b = measure_and_check(0xffff, 1193 * 4);
	assert_true(b <= 2000);
}

static void test_dead_reference(void **state)
{
	(void)state;
	sim_reset(1000000000ull, 3579545, 0xffffff, 0);
	S.dead = 1;
	S.read_ps = 1000;
	struct calib_ref ref = { sim_ref, 0xffffff, S.ref_hz };
	struct calib_window w;
	assert_int_equal(calib_measure(&ref, 3579, sim_tsc, sim_lapic, 100000, &w), 0);
	assert_int_equal(calib_measure(&ref, 0, sim_tsc, sim_lapic, 100000, &w), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuid),
		cmocka_unit_test(test_pm_timer_fast_reads),
		cmocka_unit_test(test_pm_timer_real_hw_reads),
		cmocka_unit_test(test_stalls_widen_the_bound),
		cmocka_unit_test(test_pit),
		cmocka_unit_test(test_dead_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
