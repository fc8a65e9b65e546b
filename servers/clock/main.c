/*
 * clock - the WallClock server (idl/clock.proto) on the target, over the
 * logic in clock_service.c. docs/servers/clock.md has the interface, the
 * caps and the failure behaviour.
 *
 * Startup page:
 *   wallclock  the served endpoint (RECV);
 *   cmos       IOPort on 0x70-0x71, the CMOS RTC (absent: no RTC source);
 *   kinfo      KernelInfo: the TSC calibration and the kernel's now_ns
 *              (absent: monotonic time stays 0);
 *   log        LogSink (optional): where the chosen wall clock source is
 *              reported; console (optional) when there is no log;
 *   params     seed_utc_seconds (0 or absent: no MANIFEST source).
 *
 * Monotonic time is the kernel's clock read without a system call: at
 * start the kernel's now_ns is paired with this thread's TSC, and later
 * readings add the TSC ticks since, scaled by the kernel's calibration
 * (tsc_khz). So MonotonicTime, KernelInfo now_ns (sysinfo's Uptime, log
 * timestamps) and the kernel's timeouts share one time base. A kernel that
 * reports no tsc_khz gets a KernelInfo call per reading instead.
 */
#include <stdint.h>
#include <string.h>

#include <capos/debug.h>
#include <capos/kernel.h>
#include <capos/log.h>
#include <capos/service.h>
#include <capos/startup.h>

#include "clock_service.h"
#include "log.capos.h"

int main(uint64_t arg);

#define NS_PER_MS 1000000ull

static capos_cap_t cmos = CAPOS_NO_CAP;
static capos_cap_t kinfo = CAPOS_NO_CAP;
static uint64_t tsc_khz;  /* 0: ask the kernel each time */
static uint64_t tsc_at;   /* the TSC when the kernel said mono_at */
static uint64_t mono_at;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t monotonic(void *ctx)
{
	(void)ctx;
	if (tsc_khz) {
		uint64_t d = rdtsc() - tsc_at;
		/* The kernel's formula (time_ns): split so it cannot overflow. */
		return mono_at + (d / tsc_khz) * NS_PER_MS + (d % tsc_khz) * NS_PER_MS / tsc_khz;
	}
	struct capos_kinfo_stats ks;
	if (kinfo != CAPOS_NO_CAP && capos_kinfo_stats(kinfo, &ks) == CAPOS_OK)
		return ks.now_ns;
	return 0;
}

static bool port_in(void *ctx, uint16_t port, uint8_t *value)
{
	(void)ctx;
	uint32_t v;
	if (capos_port_in(cmos, port, 1, &v) != CAPOS_OK)
		return false;
	*value = (uint8_t)v;
	return true;
}

static bool port_out(void *ctx, uint16_t port, uint8_t value)
{
	(void)ctx;
	return capos_port_out(cmos, port, 1, value) == CAPOS_OK;
}

static bool read_cmos(void *ctx, uint8_t regs[CLOCK_CMOS_NREGS])
{
	/* NMIs stay enabled (bit 7 clear): nothing in the system disables
	 * them, firmware hands over with them enabled, and the index port
	 * reads back as 0xff on QEMU, so it cannot be "read and kept". */
	return clock_cmos_snapshot(port_in, port_out, ctx, 0, regs);
}

int main(uint64_t arg)
{
	capos_cap_t ep = (capos_cap_t)arg;
	if (arg == 0)
		ep = capos_cap_lookup("wallclock");
	if (ep == CAPOS_NO_CAP)
		return 0;
	cmos = capos_cap_lookup("cmos");
	kinfo = capos_cap_lookup("kinfo");
	struct capos_kinfo_stats ks;
	if (kinfo != CAPOS_NO_CAP && capos_kinfo_stats(kinfo, &ks) == CAPOS_OK && ks.tsc_khz) {
		tsc_at = rdtsc();
		mono_at = ks.now_ns;
		tsc_khz = ks.tsc_khz;
	}

	static struct clock_state state;
	clock_init(&state, cmos != CAPOS_NO_CAP ? read_cmos : NULL, monotonic, NULL);
	clock_seed(&state, capos_param_i64("seed_utc_seconds", 0));

	/* Say once which source answers now (the answer is per call: an RTC
	 * that fails later falls back to the seed, then to UNTRUSTED). */
	capos_WallTimeReading now;
	clock_wall_time(&state, &now);
	char when[40];
	clock_format_utc(now.seconds, when, sizeof(when));
	switch (now.provenance) {
	case capos_ClockProvenance_CLOCK_PROVENANCE_RTC:
		capos_log(capos_LogLevel_LOG_LEVEL_INFO, "wall clock from the RTC: %s", when);
		break;
	case capos_ClockProvenance_CLOCK_PROVENANCE_MANIFEST:
		capos_log(capos_LogLevel_LOG_LEVEL_WARNING,
			  "no RTC reading; wall clock from the manifest seed: %s", when);
		break;
	default:
		capos_log(capos_LogLevel_LOG_LEVEL_WARNING,
			  "no RTC reading and no seed: wall time is UNTRUSTED (0)");
		break;
	}
	if (kinfo == CAPOS_NO_CAP)
		capos_log(capos_LogLevel_LOG_LEVEL_WARNING, "no kinfo cap: monotonic time stays 0");
	else if (!tsc_khz)
		capos_log(capos_LogLevel_LOG_LEVEL_WARNING,
			  "no TSC calibration from the kernel: monotonic time via KernelInfo");

	struct capos_service s = {
		.endpoint = ep,
		.service = wallclock_service(&clock_service_ops, &state),
	};
	capos_status_t st = capos_service_serve(&s);
	/* Retargeted away (live upgrade): done, cleanly. */
	return st == CAPOS_RETARGETED ? 0 : (int)st;
}
