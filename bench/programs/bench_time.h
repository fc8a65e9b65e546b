/*
 * bench_time.h - timing for the guest benchmark programs that compare a
 * paged read with a bulk one (bench_logbulk.c, bench_auditbulk.c): the
 * TSC, which under -icount shift=0 counts guest instructions, and the
 * mean of a step over a number of rounds after a warm-up.
 */
#ifndef BENCH_PROGRAMS_BENCH_TIME_H
#define BENCH_PROGRAMS_BENCH_TIME_H

#include <stdint.h>

static inline uint64_t bench_rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* One step of a measurement: 0, or non-zero when it failed. */
typedef int (*bench_step_fn)(void *ctx);

/* Runs step warmup + rounds times; *mean is the TSC ticks per round of
 * the last `rounds`. Returns 0, or the first failing step's value (then
 * *mean says nothing). */
static inline int bench_mean(bench_step_fn step, void *ctx, uint32_t warmup, uint32_t rounds,
			     uint64_t *mean)
{
	uint64_t t0 = 0;
	for (uint32_t k = 0; k < warmup + rounds; k++) {
		if (k == warmup)
			t0 = bench_rdtsc();
		int rc = step(ctx);
		if (rc)
			return rc;
	}
	*mean = (bench_rdtsc() - t0) / rounds;
	return 0;
}

#endif
