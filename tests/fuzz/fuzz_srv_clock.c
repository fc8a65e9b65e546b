/*
 * fuzz_srv_clock: WallClock (servers/clock/clock_service.c) behind its
 * generated dispatcher. Feed records are CMOS register snapshots: the RTC
 * is outside input too. The check: MonotonicTime answers the counter (and
 * never goes back); WallTime answers the RTC's time when the snapshot
 * decodes, else the manifest seed plus the time since boot.
 */
#include <string.h>

#include "clock.capos.h"
#include "clock_service.h"
#include "dispatch_fuzz.h"

#define CLOCK 5
#define SEED 1700000000

static struct clock_state state;
static uint64_t now;
static uint8_t cmos[CLOCK_CMOS_NREGS];

static bool read_cmos(void *ctx, uint8_t regs[CLOCK_CMOS_NREGS])
{
	(void)ctx;
	memcpy(regs, cmos, sizeof(cmos));
	return true;
}

static uint64_t monotonic(void *ctx)
{
	(void)ctx;
	return now += 1000;
}

static void setup(void)
{
	now = 0;
	/* 2026-12-05 20:30:00, BCD, 24 hours: a valid RTC to begin with. */
	memset(cmos, 0, sizeof(cmos));
	cmos[CLOCK_CMOS_SECONDS] = 0x00;
	cmos[CLOCK_CMOS_MINUTES] = 0x30;
	cmos[CLOCK_CMOS_HOURS] = 0x20;
	cmos[CLOCK_CMOS_DAY] = 0x05;
	cmos[CLOCK_CMOS_MONTH] = 0x12;
	cmos[CLOCK_CMOS_YEAR] = 0x26;
	cmos[CLOCK_CMOS_CENTURY] = 0x20;
	cmos[CLOCK_CMOS_STATUS_B] = CLOCK_CMOS_B_24H;
	clock_init(&state, read_cmos, monotonic, NULL);
	clock_seed(&state, SEED);
	capos_loopback_register(CLOCK, wallclock_service(&clock_service_ops, &state), 0x42);
}

static void feed(const uint8_t *data, size_t len)
{
	memcpy(cmos, data, len < sizeof(cmos) ? len : sizeof(cmos));
}

static int check(void)
{
	capos_Empty e = capos_Empty_init_zero;
	capos_MonotonicReading m = capos_MonotonicReading_init_zero;
	capos_WallTimeReading w = capos_WallTimeReading_init_zero;
	int bad = fuzz_expect(wallclock_monotonic_time(CLOCK, &e, &m) == CAPOS_OK &&
				      m.nanoseconds == now,
			      "MonotonicTime: not the counter");
	int64_t rtc;
	int rtc_ok = clock_cmos_decode(cmos, &rtc) == CLOCK_CMOS_OK;
	bad |= fuzz_expect(wallclock_wall_time(CLOCK, &e, &w) == CAPOS_OK, "WallTime failed");
	if (rtc_ok)
		bad |= fuzz_expect(w.provenance == capos_ClockProvenance_CLOCK_PROVENANCE_RTC &&
					   w.seconds == rtc && w.nanoseconds == 0,
				   "WallTime: not the RTC's time");
	else
		bad |= fuzz_expect(w.provenance == capos_ClockProvenance_CLOCK_PROVENANCE_MANIFEST &&
					   w.seconds == SEED + (int64_t)(now / 1000000000u) &&
					   w.nanoseconds == now % 1000000000u,
				   "WallTime: not the seed plus the time since boot");
	return bad;
}

static const capos_Empty empty = capos_Empty_init_zero;

static const struct fuzz_seed seeds[] = {
	{ 0, &wallclock_wall_time_method, &empty, 0 },
	{ 0, &wallclock_monotonic_time_method, &empty, 0 },
	{ 0, &wallclock_wall_time_method, &empty, 0x31 },
	/* an RTC in binary, 12-hour mode, 11 PM on 2099-12-31 */
	{ 0, NULL, "\x3b\0\x3b\0\x8b\0\0\x1f\x0c\x63\0\x04", 0, 12 },
	{ 0, &wallclock_wall_time_method, &empty, 0 },
	/* update in progress */
	{ 0, NULL, "\0\0\0\0\0\0\0\0\0\0\x80", 0, 11 },
	{ 0, &wallclock_wall_time_method, &empty, 0 },
};

const struct fuzz_server fuzz_server = {
	.name = "clock",
	.setup = setup,
	.endpoints = { CLOCK },
	.nendpoints = 1,
	.methods = { &wallclock_wall_time_method, &wallclock_monotonic_time_method, NULL },
	.check = check,
	.feed = feed,
	.seeds = seeds,
	.nseeds = sizeof(seeds) / sizeof(seeds[0]),
};
