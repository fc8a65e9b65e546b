/*
 * clock_service.c - WallClock (idl/clock.proto): wall time with its
 * provenance, monotonic time. UNTRUSTED (0) is the fail-closed default.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <capos/civil_date.h>

#include "clock_service.h"

#define NS_PER_S 1000000000ull

int clock_format_utc(int64_t seconds, char *buf, size_t n)
{
	struct capos_utc_time t; /* before 1970 too: floor, not truncation */
	capos_utc_from_seconds(seconds, &t);
	return snprintf(buf, n, "%04lld-%02u-%02u %02u:%02u:%02u UTC", (long long)t.year, t.month,
			t.day, t.hour, t.minute, t.second);
}

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const uint8_t dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && leap(y) ? 29 : dim[m - 1];
}

/* One register value: binary, or two BCD digits. -1 when not valid BCD. */
static int cmos_value(uint8_t v, bool binary)
{
	if (binary)
		return v;
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return -1;
	return (v >> 4) * 10 + (v & 0x0f);
}

enum clock_cmos_result clock_cmos_decode(const uint8_t regs[CLOCK_CMOS_NREGS],
					 int64_t *seconds)
{
	uint8_t b = regs[CLOCK_CMOS_STATUS_B];
	bool binary = (b & CLOCK_CMOS_B_BINARY) != 0;
	bool h24 = (b & CLOCK_CMOS_B_24H) != 0;
	int sec, min, hour, day, mon, yy, cent;
	uint8_t hr = regs[CLOCK_CMOS_HOURS];
	bool pm = false;
	unsigned year;

	if (regs[CLOCK_CMOS_STATUS_A] & CLOCK_CMOS_A_UIP)
		return CLOCK_CMOS_BUSY;

	if (!h24) {
		pm = (hr & CLOCK_CMOS_HOUR_PM) != 0;
		hr &= (uint8_t)~CLOCK_CMOS_HOUR_PM;
	}
	sec = cmos_value(regs[CLOCK_CMOS_SECONDS], binary);
	min = cmos_value(regs[CLOCK_CMOS_MINUTES], binary);
	hour = cmos_value(hr, binary);
	day = cmos_value(regs[CLOCK_CMOS_DAY], binary);
	mon = cmos_value(regs[CLOCK_CMOS_MONTH], binary);
	yy = cmos_value(regs[CLOCK_CMOS_YEAR], binary);
	if (sec < 0 || min < 0 || hour < 0 || day < 0 || mon < 0 || yy < 0)
		return CLOCK_CMOS_INVALID;
	if (sec > 59 || min > 59 || yy > 99 || mon < 1 || mon > 12)
		return CLOCK_CMOS_INVALID;
	if (h24) {
		if (hour > 23)
			return CLOCK_CMOS_INVALID;
	} else {
		if (hour < 1 || hour > 12)
			return CLOCK_CMOS_INVALID;
		hour = hour % 12 + (pm ? 12 : 0);
	}

	uint8_t c = regs[CLOCK_CMOS_CENTURY];
	if (c == 0x00 || c == 0xff) {
		cent = 20;
	} else {
		cent = cmos_value(c, binary);
		if (cent < 19 || cent > 99)
			return CLOCK_CMOS_INVALID;
	}
	year = (unsigned)(cent * 100 + yy);
	if (year < 1970)
		return CLOCK_CMOS_INVALID;
	if (day < 1 || (unsigned)day > days_in_month(year, (unsigned)mon))
		return CLOCK_CMOS_INVALID;

	*seconds = capos_days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 +
		   hour * 3600 + min * 60 + sec;
	return CLOCK_CMOS_OK;
}

static bool cmos_reg(clock_port_in_fn in, clock_port_out_fn out, void *ctx, uint8_t nmi_bit,
		     uint8_t reg, uint8_t *value)
{
	return out(ctx, CLOCK_CMOS_PORT_INDEX, (uint8_t)(nmi_bit | reg)) &&
	       in(ctx, CLOCK_CMOS_PORT_DATA, value);
}

bool clock_cmos_snapshot(clock_port_in_fn in, clock_port_out_fn out, void *ctx,
			 uint8_t nmi_bit, uint8_t regs[CLOCK_CMOS_NREGS])
{
	static const uint8_t wanted[] = {
		CLOCK_CMOS_SECONDS, CLOCK_CMOS_MINUTES, CLOCK_CMOS_HOURS,
		CLOCK_CMOS_DAY,     CLOCK_CMOS_MONTH,   CLOCK_CMOS_YEAR,
		CLOCK_CMOS_STATUS_B, CLOCK_CMOS_CENTURY,
	};
	uint8_t a_first, a_last, sec_again;

	nmi_bit &= CLOCK_CMOS_NMI_DISABLE;
	memset(regs, 0, CLOCK_CMOS_NREGS);
	if (!cmos_reg(in, out, ctx, nmi_bit, CLOCK_CMOS_STATUS_A, &a_first))
		return false;
	for (size_t i = 0; i < sizeof(wanted); i++)
		if (!cmos_reg(in, out, ctx, nmi_bit, wanted[i], &regs[wanted[i]]))
			return false;
	if (!cmos_reg(in, out, ctx, nmi_bit, CLOCK_CMOS_SECONDS, &sec_again) ||
	    !cmos_reg(in, out, ctx, nmi_bit, CLOCK_CMOS_STATUS_A, &a_last))
		return false;
	/* An update that began (or ended) while we read may have torn the
	 * values: the seconds register changes at every update. */
	regs[CLOCK_CMOS_STATUS_A] = a_first;
	if ((a_last & CLOCK_CMOS_A_UIP) || sec_again != regs[CLOCK_CMOS_SECONDS])
		regs[CLOCK_CMOS_STATUS_A] |= CLOCK_CMOS_A_UIP;
	return true;
}

void clock_init(struct clock_state *s, clock_cmos_read_fn read_cmos,
		clock_monotonic_fn monotonic, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->read_cmos = read_cmos;
	s->monotonic = monotonic;
	s->ctx = ctx;
}

void clock_seed(struct clock_state *s, int64_t seed_seconds)
{
	s->seeded = seed_seconds > 0;
	s->seed_seconds = s->seeded ? seed_seconds : 0;
}

uint64_t clock_monotonic_ns(struct clock_state *s)
{
	uint64_t now = s->monotonic ? s->monotonic(s->ctx) : 0;
	if (now < s->last_monotonic)
		now = s->last_monotonic; /* never backwards */
	s->last_monotonic = now;
	return now;
}

static bool rtc_now(struct clock_state *s, int64_t *seconds)
{
	uint8_t regs[CLOCK_CMOS_NREGS];

	if (!s->read_cmos)
		return false;
	for (int i = 0; i < CLOCK_CMOS_ATTEMPTS; i++) {
		memset(regs, 0, sizeof(regs));
		if (!s->read_cmos(s->ctx, regs))
			return false;
		switch (clock_cmos_decode(regs, seconds)) {
		case CLOCK_CMOS_OK:
			return true;
		case CLOCK_CMOS_BUSY:
			continue;
		default:
			return false;
		}
	}
	return false;
}

void clock_wall_time(struct clock_state *s, capos_WallTimeReading *out)
{
	int64_t secs;
	uint64_t mono = clock_monotonic_ns(s);

	memset(out, 0, sizeof(*out)); /* UNTRUSTED, wall 0 */
	if (rtc_now(s, &secs)) {
		out->seconds = secs; /* the RTC counts whole seconds */
		out->provenance = capos_ClockProvenance_CLOCK_PROVENANCE_RTC;
	} else if (s->seeded) {
		out->seconds = s->seed_seconds + (int64_t)(mono / NS_PER_S);
		out->nanoseconds = (uint32_t)(mono % NS_PER_S);
		out->provenance = capos_ClockProvenance_CLOCK_PROVENANCE_MANIFEST;
	}
}

static capos_status_t do_wall_time(void *ctx, struct capos_rpc_request *rq,
				   const capos_Empty *req, capos_WallTimeReading *resp)
{
	(void)rq;
	(void)req;
	clock_wall_time(ctx, resp);
	return CAPOS_OK;
}

static capos_status_t do_monotonic_time(void *ctx, struct capos_rpc_request *rq,
					const capos_Empty *req, capos_MonotonicReading *resp)
{
	(void)rq;
	(void)req;
	resp->nanoseconds = clock_monotonic_ns(ctx);
	return CAPOS_OK;
}

const struct wallclock_ops clock_service_ops = {
	.wall_time = do_wall_time,
	.monotonic_time = do_monotonic_time,
};
