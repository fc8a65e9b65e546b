/*
 * calibrate.c - TSC and APIC timer rates: from CPUID when the CPU states
 * them, else measured over a short window of a reference clock (the ACPI
 * PM timer, or PIT channel 2).
 *
 * Why a short window is enough: both ends of the window are reference
 * edges, each pinned between the TSC read just before the previous
 * reference read and the TSC read just after the read that saw the new
 * value. The window's TSC length is then wrong by at most the larger of
 * the two pin intervals (the "slack"), a few reference reads long - about
 * 1 us on real hardware (a PM timer read is ~0.5-1 us), a few ns under
 * QEMU - so 1 ms of reference gives about 0.1 %, against 10 ms of spinning
 * for the old gate-and-count method with its unaligned start. A window
 * whose slack came out large (an SMI, or QEMU's thread descheduled while
 * emulating a read) is measured again, longer: see apic.c.
 *
 * Invariants: no state; every loop is bounded by max_spins.
 */
#include <stddef.h>

#include "arch/x86_64/calibrate.h"

int calib_from_cpuid(uint32_t max_leaf, const uint32_t r15[4], const uint32_t r16[4],
		     uint64_t *tsc_khz, uint64_t *crystal_khz)
{
	if (max_leaf < 0x15)
		return 0;
	uint32_t den = r15[0], num = r15[1], crystal_hz = r15[2];
	if (!den || !num)
		return 0; /* the ratio is not enumerated */
	if (!crystal_hz && max_leaf >= 0x16 && r16[0]) {
		/* Crystal not enumerated: derive it from the base frequency,
		 * which is the TSC rate (r16[0] MHz) on these parts. */
		crystal_hz = (uint32_t)((uint64_t)r16[0] * 1000000ull * den / num);
	}
	if (!crystal_hz)
		return 0;
	*crystal_khz = crystal_hz / 1000u;
	*tsc_khz = (uint64_t)crystal_hz * num / den / 1000u;
	return *tsc_khz && *crystal_khz;
}

/*
 * Reads the reference until it is `ticks` past a base: *base itself when
 * rel is set, else the first value read here. The moment it got there
 * lies between the TSC taken before the last read that was short of it
 * (*before) and the TSC after the read that saw it (*after); *seen is that
 * read's value, and *lapic the APIC timer's count read right after it. 0 if it never got there in max_spins reads, or if the
 * first read here was already there (no read short of it pins the edge).
 */
static int wait_until(const struct calib_ref *ref, uint32_t *base, int rel, uint32_t ticks,
		      uint64_t (*tsc)(void), uint32_t (*lapic_count)(void), uint64_t max_spins,
		      uint32_t *seen, uint32_t *lapic, uint64_t *before, uint64_t *after)
{
	uint64_t short_before = tsc();
	uint32_t r = ref->read() & ref->mask;
	if (!rel)
		*base = r;
	if (((r - *base) & ref->mask) >= ticks)
		return 0;
	for (uint64_t i = 0; i < max_spins; i++) {
		uint64_t b = tsc();
		r = ref->read() & ref->mask;
		if (((r - *base) & ref->mask) >= ticks) {
			/* The APIC count is read inside the pinning interval
			 * too, so the same slack bounds its error. */
			*lapic = lapic_count();
			uint64_t a = tsc();
			*seen = r;
			*before = short_before;
			*after = a;
			return 1;
		}
		short_before = b;
	}
	return 0;
}

int calib_measure(const struct calib_ref *ref, uint32_t ref_ticks, uint64_t (*tsc)(void),
		  uint32_t (*lapic_count)(void), uint64_t max_spins,
		  struct calib_window *out)
{
	uint64_t b0, a0, b1, a1;
	uint32_t first = 0, start, end, l0, l1;
	if (!ref_ticks ||
	    !wait_until(ref, &first, 0, 1, tsc, lapic_count, max_spins, &start, &l0, &b0, &a0))
		return 0;
	if (!wait_until(ref, &start, 1, ref_ticks, tsc, lapic_count, max_spins, &end, &l1,
			&b1, &a1))
		return 0;
	out->tsc_delta = a1 - a0;
	out->lapic_delta = l0 - l1;
	out->ref_ticks = (end - start) & ref->mask;
	uint64_t s0 = a0 - b0, s1 = a1 - b1;
	out->tsc_slack = s0 > s1 ? s0 : s1;
	return out->tsc_delta != 0;
}

uint64_t calib_tsc_khz(const struct calib_window *w, uint64_t ref_hz)
{
	/* tsc_delta * ref_hz stays below 2^64 for windows under ~10 s at
	 * 5 GHz against 3.58 MHz: ms windows are far inside that. */
	return w->tsc_delta * ref_hz / w->ref_ticks / 1000u;
}

uint64_t calib_lapic_per_ms(const struct calib_window *w, uint64_t ref_hz)
{
	return (uint64_t)w->lapic_delta * ref_hz / w->ref_ticks / 1000u;
}

uint64_t calib_bound_ppm(const struct calib_window *w)
{
	return (w->tsc_slack * 1000000u + w->tsc_delta - 1) / w->tsc_delta;
}
