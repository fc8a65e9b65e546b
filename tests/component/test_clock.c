/*
 * Component test: the clock server's real dispatcher (generated) with the
 * real generated client stubs, over the host loopback transport; and the
 * CMOS decoding on its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <capos/transport.h>

#include "clock.capos.h"
#include "clock_service.h"

#define CLOCK_CAP 9

/* The fake hardware behind the callbacks. */
struct fake_hw {
	uint8_t regs[CLOCK_CMOS_NREGS];
	bool read_fails;
	int busy_reads;   /* the first N snapshots have UIP set */
	int reads;
	uint64_t mono_ns;
};

static struct fake_hw hw;
static struct clock_state state;

static bool fake_cmos(void *ctx, uint8_t regs[CLOCK_CMOS_NREGS])
{
	struct fake_hw *h = ctx;
	h->reads++;
	if (h->read_fails)
		return false;
	memcpy(regs, h->regs, CLOCK_CMOS_NREGS);
	if (h->busy_reads > 0) {
		h->busy_reads--;
		regs[CLOCK_CMOS_STATUS_A] |= CLOCK_CMOS_A_UIP;
	}
	return true;
}

static uint64_t fake_mono(void *ctx)
{
	return ((struct fake_hw *)ctx)->mono_ns;
}

/* 2026-03-14 15:09:26, BCD, 24h, century register 0x20. */
static void set_bcd_2026(uint8_t *r)
{
	memset(r, 0, CLOCK_CMOS_NREGS);
	r[CLOCK_CMOS_SECONDS] = 0x26;
	r[CLOCK_CMOS_MINUTES] = 0x09;
	r[CLOCK_CMOS_HOURS] = 0x15;
	r[CLOCK_CMOS_DAY] = 0x14;
	r[CLOCK_CMOS_MONTH] = 0x03;
	r[CLOCK_CMOS_YEAR] = 0x26;
	r[CLOCK_CMOS_STATUS_A] = 0x26;
	r[CLOCK_CMOS_STATUS_B] = CLOCK_CMOS_B_24H;
	r[CLOCK_CMOS_CENTURY] = 0x20;
}
#define T_2026 1773500966

static int setup(void **st)
{
	(void)st;
	memset(&hw, 0, sizeof(hw));
	clock_init(&state, fake_cmos, fake_mono, &hw);
	capos_loopback_reset();
	capos_loopback_register(CLOCK_CAP, wallclock_service(&clock_service_ops, &state), 0x7);
	return 0;
}

static void wall(capos_WallTimeReading *r)
{
	capos_Empty e = capos_Empty_init_zero;
	memset(r, 0x5a, sizeof(*r));
	assert_int_equal(wallclock_wall_time(CLOCK_CAP, &e, r), CAPOS_OK);
}

/* ---- clock_cmos_decode ---- */

static void test_decode_bcd_24h(void **st)
{
	(void)st;
	uint8_t r[CLOCK_CMOS_NREGS];
	int64_t s = -1;
	set_bcd_2026(r);
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_OK);
	assert_int_equal(s, T_2026);
	/* leap day */
	r[CLOCK_CMOS_YEAR] = 0x24; r[CLOCK_CMOS_MONTH] = 0x02; r[CLOCK_CMOS_DAY] = 0x29;
	r[CLOCK_CMOS_HOURS] = 0; r[CLOCK_CMOS_MINUTES] = 0; r[CLOCK_CMOS_SECONDS] = 0;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_OK);
	assert_int_equal(s, 1709164800);
	/* ...but not in 2026 */
	r[CLOCK_CMOS_YEAR] = 0x26;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
}

static void test_decode_binary(void **st)
{
	(void)st;
	uint8_t r[CLOCK_CMOS_NREGS];
	int64_t s = -1;
	memset(r, 0, sizeof(r));
	r[CLOCK_CMOS_SECONDS] = 26;
	r[CLOCK_CMOS_MINUTES] = 9;
	r[CLOCK_CMOS_HOURS] = 15;
	r[CLOCK_CMOS_DAY] = 14;
	r[CLOCK_CMOS_MONTH] = 3;
	r[CLOCK_CMOS_YEAR] = 26;
	r[CLOCK_CMOS_STATUS_B] = CLOCK_CMOS_B_24H | CLOCK_CMOS_B_BINARY;
	r[CLOCK_CMOS_CENTURY] = 20;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_OK);
	assert_int_equal(s, T_2026);
	/* binary values out of range */
	r[CLOCK_CMOS_SECONDS] = 60;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
	r[CLOCK_CMOS_SECONDS] = 26;
	r[CLOCK_CMOS_HOURS] = 24;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
	r[CLOCK_CMOS_HOURS] = 15;
	r[CLOCK_CMOS_MONTH] = 13;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
	r[CLOCK_CMOS_MONTH] = 4;
	r[CLOCK_CMOS_DAY] = 31; /* April has 30 */
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
	r[CLOCK_CMOS_DAY] = 0;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
	r[CLOCK_CMOS_DAY] = 14;
	r[CLOCK_CMOS_YEAR] = 100;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
}

static void test_decode_12h(void **st)
{
	(void)st;
	uint8_t r[CLOCK_CMOS_NREGS];
	int64_t s = -1;
	set_bcd_2026(r);
	r[CLOCK_CMOS_STATUS_B] = 0; /* 12-hour, BCD */
	r[CLOCK_CMOS_MINUTES] = 0x30;
	r[CLOCK_CMOS_SECONDS] = 0;
	r[CLOCK_CMOS_HOURS] = 0x12; /* 12 AM = 00 */
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_OK);
	assert_int_equal(s, 1773448200);
	r[CLOCK_CMOS_HOURS] = 0x92; /* 12 PM = 12 */
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_OK);
	assert_int_equal(s, 1773491400);
	r[CLOCK_CMOS_HOURS] = 0x83; /* 3 PM */
	r[CLOCK_CMOS_MINUTES] = 0x09;
	r[CLOCK_CMOS_SECONDS] = 0x26;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_OK);
	assert_int_equal(s, T_2026);
	/* binary 12-hour: 3 PM */
	r[CLOCK_CMOS_STATUS_B] = CLOCK_CMOS_B_BINARY;
	r[CLOCK_CMOS_HOURS] = 0x80 | 3;
	r[CLOCK_CMOS_MINUTES] = 9; r[CLOCK_CMOS_SECONDS] = 26;
	r[CLOCK_CMOS_DAY] = 14; r[CLOCK_CMOS_MONTH] = 3; r[CLOCK_CMOS_YEAR] = 26;
	r[CLOCK_CMOS_CENTURY] = 20;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_OK);
	assert_int_equal(s, T_2026);
	/* hour 0 and 13 do not exist on a 12-hour clock */
	r[CLOCK_CMOS_HOURS] = 0;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
	r[CLOCK_CMOS_HOURS] = 13;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
}

static void test_decode_century(void **st)
{
	(void)st;
	uint8_t r[CLOCK_CMOS_NREGS];
	int64_t s = -1;
	set_bcd_2026(r);
	r[CLOCK_CMOS_CENTURY] = 0x19;
	r[CLOCK_CMOS_YEAR] = 0x99; r[CLOCK_CMOS_MONTH] = 0x12; r[CLOCK_CMOS_DAY] = 0x31;
	r[CLOCK_CMOS_HOURS] = 0x23; r[CLOCK_CMOS_MINUTES] = 0x59; r[CLOCK_CMOS_SECONDS] = 0x59;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_OK);
	assert_int_equal(s, 946684799);
	/* absent century register (0x00 or 0xff): 20yy */
	set_bcd_2026(r);
	r[CLOCK_CMOS_CENTURY] = 0x00;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_OK);
	assert_int_equal(s, T_2026);
	r[CLOCK_CMOS_CENTURY] = 0xff;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_OK);
	assert_int_equal(s, T_2026);
	/* garbage century, or one before 1970 */
	r[CLOCK_CMOS_CENTURY] = 0x2a;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
	r[CLOCK_CMOS_CENTURY] = 0x18;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
	r[CLOCK_CMOS_CENTURY] = 0x19;
	r[CLOCK_CMOS_YEAR] = 0x69;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
}

static void test_decode_bad_bcd_and_uip(void **st)
{
	(void)st;
	uint8_t r[CLOCK_CMOS_NREGS];
	int64_t s = 1234;
	set_bcd_2026(r);
	r[CLOCK_CMOS_MINUTES] = 0x0a;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
	set_bcd_2026(r);
	r[CLOCK_CMOS_SECONDS] = 0x60;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
	set_bcd_2026(r);
	r[CLOCK_CMOS_HOURS] = 0x24;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
	set_bcd_2026(r);
	r[CLOCK_CMOS_YEAR] = 0xf0;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
	/* all 0xff (no RTC, floating bus) */
	memset(r, 0xff, sizeof(r));
	r[CLOCK_CMOS_STATUS_A] = 0;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_INVALID);
	/* update in progress */
	set_bcd_2026(r);
	r[CLOCK_CMOS_STATUS_A] |= CLOCK_CMOS_A_UIP;
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_BUSY);
	assert_int_equal(s, 1234); /* untouched on failure */
}

/* ---- the service, through the stubs ---- */

static void test_rtc_provenance(void **st)
{
	(void)st;
	capos_WallTimeReading r;
	set_bcd_2026(hw.regs);
	clock_seed(&state, 1000000000); /* a seed too: RTC wins */
	hw.mono_ns = 5 * 1000000000ull;
	wall(&r);
	assert_int_equal(r.provenance, capos_ClockProvenance_CLOCK_PROVENANCE_RTC);
	assert_int_equal(r.seconds, T_2026);
	assert_int_equal(r.nanoseconds, 0);
	/* update in progress for two snapshots: retried, still RTC */
	hw.busy_reads = 2;
	hw.reads = 0;
	wall(&r);
	assert_int_equal(r.provenance, capos_ClockProvenance_CLOCK_PROVENANCE_RTC);
	assert_int_equal(r.seconds, T_2026);
	assert_int_equal(hw.reads, 3);
}

static void test_rtc_invalid_falls_back_to_manifest(void **st)
{
	(void)st;
	capos_WallTimeReading r;
	clock_seed(&state, 1700000000);
	hw.mono_ns = 3 * 1000000000ull + 250;
	/* garbage registers */
	memset(hw.regs, 0xff, sizeof(hw.regs));
	hw.regs[CLOCK_CMOS_STATUS_A] = 0;
	wall(&r);
	assert_int_equal(r.provenance, capos_ClockProvenance_CLOCK_PROVENANCE_MANIFEST);
	assert_int_equal(r.seconds, 1700000003);
	assert_int_equal(r.nanoseconds, 250);
	/* bad BCD */
	set_bcd_2026(hw.regs);
	hw.regs[CLOCK_CMOS_DAY] = 0x3b;
	wall(&r);
	assert_int_equal(r.provenance, capos_ClockProvenance_CLOCK_PROVENANCE_MANIFEST);
	/* stuck in update-in-progress */
	set_bcd_2026(hw.regs);
	hw.busy_reads = 1000;
	wall(&r);
	assert_int_equal(r.provenance, capos_ClockProvenance_CLOCK_PROVENANCE_MANIFEST);
	hw.busy_reads = 0;
	/* the read itself fails */
	hw.read_fails = true;
	hw.mono_ns = 10 * 1000000000ull;
	wall(&r);
	assert_int_equal(r.provenance, capos_ClockProvenance_CLOCK_PROVENANCE_MANIFEST);
	assert_int_equal(r.seconds, 1700000010);
	assert_int_equal(r.nanoseconds, 0);
}

static void test_no_source_untrusted(void **st)
{
	(void)st;
	capos_WallTimeReading r;
	/* RTC garbage, no seed */
	memset(hw.regs, 0, sizeof(hw.regs));
	hw.mono_ns = 77;
	wall(&r);
	assert_int_equal(r.provenance, capos_ClockProvenance_CLOCK_PROVENANCE_UNTRUSTED);
	assert_int_equal(r.seconds, 0);
	assert_int_equal(r.nanoseconds, 0);
	/* no RTC at all, and a seed of 0 is no seed */
	clock_init(&state, NULL, fake_mono, &hw);
	clock_seed(&state, 0);
	wall(&r);
	assert_int_equal(r.provenance, capos_ClockProvenance_CLOCK_PROVENANCE_UNTRUSTED);
	assert_int_equal(r.seconds, 0);
	/* no RTC, seeded */
	clock_seed(&state, 1700000000);
	wall(&r);
	assert_int_equal(r.provenance, capos_ClockProvenance_CLOCK_PROVENANCE_MANIFEST);
	assert_int_equal(r.seconds, 1700000000);
}

static void test_monotonic(void **st)
{
	(void)st;
	capos_Empty e = capos_Empty_init_zero;
	capos_MonotonicReading m;
	hw.mono_ns = 123456789;
	assert_int_equal(wallclock_monotonic_time(CLOCK_CAP, &e, &m), CAPOS_OK);
	assert_int_equal(m.nanoseconds, 123456789);
	hw.mono_ns = 223456789;
	assert_int_equal(wallclock_monotonic_time(CLOCK_CAP, &e, &m), CAPOS_OK);
	assert_int_equal(m.nanoseconds, 223456789);
	/* a counter that steps back is not followed */
	hw.mono_ns = 5;
	assert_int_equal(wallclock_monotonic_time(CLOCK_CAP, &e, &m), CAPOS_OK);
	assert_int_equal(m.nanoseconds, 223456789);
}

static capos_status_t raw_call(uint64_t label, const void *body, uint32_t len,
			       uint64_t *reply_label, uint32_t *reply_len)
{
	memcpy(capos_transport_buffer(), body, len);
	return capos_transport_call(CLOCK_CAP, label, len, NULL, reply_label, reply_len, NULL);
}

static void test_malformed(void **st)
{
	(void)st;
	uint64_t rl;
	uint32_t rn;
	const uint8_t badwire[] = { 0x0f, 0x01 };
	const uint8_t truncated[] = { 0x0a, 0x05, 'a' };
	assert_int_equal(raw_call(CAPOS_RPC_LABEL(WALLCLOCK_INTERFACE_ID,
						  WALLCLOCK_WALL_TIME_METHOD_ID),
				  badwire, sizeof(badwire), &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	assert_int_equal(rn, 0);
	assert_int_equal(raw_call(CAPOS_RPC_LABEL(WALLCLOCK_INTERFACE_ID,
						  WALLCLOCK_MONOTONIC_TIME_METHOD_ID),
				  truncated, sizeof(truncated), &rl, &rn), CAPOS_OK);
	assert_int_equal(rl, CAPOS_INVALID_ARGUMENT);
	assert_int_equal(raw_call(CAPOS_RPC_LABEL(WALLCLOCK_INTERFACE_ID, 9), "", 0, &rl, &rn),
			 CAPOS_OK);
	assert_int_equal(rl, CAPOS_UNSUPPORTED);
	/* ClockControl is not served on this cap */
	assert_int_equal(raw_call(CAPOS_RPC_LABEL(CLOCKCONTROL_INTERFACE_ID, 1), "", 0, &rl, &rn),
			 CAPOS_OK);
	assert_int_equal(rl, CAPOS_UNSUPPORTED);
	/* still serves */
	capos_WallTimeReading r;
	set_bcd_2026(hw.regs);
	wall(&r);
	assert_int_equal(r.provenance, capos_ClockProvenance_CLOCK_PROVENANCE_RTC);
	assert_int_equal(r.seconds, T_2026);
}

/* ---- the CMOS port protocol (clock_cmos_snapshot) ---- */

/* A CMOS chip behind ports 0x70 (index) and 0x71 (data). */
struct fake_cmos_chip {
	uint8_t regs[128];
	uint8_t index;
	int index_writes;
	int nmi_changes;   /* index writes whose bit 7 differs from nmi_expect */
	uint8_t nmi_expect;
	int data_reads;
	int tick_at;       /* on this data read (1-based), the seconds advance */
	int uip_from;      /* from this data read on, Status A shows UIP (0: never) */
	int fail_at;       /* this port access fails (1-based over all; 0: none) */
	int accesses;
	int bad_port;      /* an access to a port other than 0x70/0x71 */
};

static struct fake_cmos_chip chip;

static bool chip_in(void *ctx, uint16_t port, uint8_t *v)
{
	struct fake_cmos_chip *c = ctx;
	if (++c->accesses == c->fail_at)
		return false;
	if (port != CLOCK_CMOS_PORT_DATA) {
		c->bad_port++;
		*v = 0xff; /* the index port does not read back */
		return true;
	}
	c->data_reads++;
	if (c->data_reads == c->tick_at)
		c->regs[CLOCK_CMOS_SECONDS]++;
	*v = c->regs[c->index];
	if (c->index == CLOCK_CMOS_STATUS_A && c->uip_from && c->data_reads >= c->uip_from)
		*v |= CLOCK_CMOS_A_UIP;
	return true;
}

static bool chip_out(void *ctx, uint16_t port, uint8_t v)
{
	struct fake_cmos_chip *c = ctx;
	if (++c->accesses == c->fail_at)
		return false;
	if (port != CLOCK_CMOS_PORT_INDEX) {
		c->bad_port++;
		return true;
	}
	c->index_writes++;
	if ((v & CLOCK_CMOS_NMI_DISABLE) != c->nmi_expect)
		c->nmi_changes++;
	c->index = v & 0x7f;
	return true;
}

static void chip_reset(uint8_t nmi)
{
	memset(&chip, 0, sizeof(chip));
	set_bcd_2026(chip.regs);
	chip.nmi_expect = nmi;
}

static void test_snapshot_ports(void **st)
{
	(void)st;
	uint8_t r[CLOCK_CMOS_NREGS];
	int64_t s = -1;
	chip_reset(0);
	assert_true(clock_cmos_snapshot(chip_in, chip_out, &chip, 0, r));
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_OK);
	assert_int_equal(s, T_2026);
	assert_int_equal(chip.bad_port, 0);
	assert_int_equal(chip.nmi_changes, 0);
	assert_int_equal(chip.index_writes, chip.data_reads); /* select, then read */
	assert_int_equal(chip.data_reads, 11); /* A, 8 registers, seconds and A again */
	/* an NMI-disabled system stays so: every index write keeps bit 7 */
	chip_reset(CLOCK_CMOS_NMI_DISABLE);
	assert_true(clock_cmos_snapshot(chip_in, chip_out, &chip, CLOCK_CMOS_NMI_DISABLE, r));
	assert_int_equal(chip.nmi_changes, 0);
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_OK);
	assert_int_equal(s, T_2026);
	/* bits other than bit 7 in nmi_bit are not register bits */
	chip_reset(CLOCK_CMOS_NMI_DISABLE);
	assert_true(clock_cmos_snapshot(chip_in, chip_out, &chip, 0xff, r));
	assert_int_equal(chip.nmi_changes, 0);
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_OK);
}

static void test_snapshot_torn(void **st)
{
	(void)st;
	uint8_t r[CLOCK_CMOS_NREGS];
	int64_t s = -1;
	/* update in progress at the start */
	chip_reset(0);
	chip.uip_from = 1;
	assert_true(clock_cmos_snapshot(chip_in, chip_out, &chip, 0, r));
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_BUSY);
	/* it began while the registers were read */
	chip_reset(0);
	chip.uip_from = 11;
	assert_true(clock_cmos_snapshot(chip_in, chip_out, &chip, 0, r));
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_BUSY);
	/* an update came and went between the two reads of the seconds */
	chip_reset(0);
	chip.tick_at = 5;
	assert_true(clock_cmos_snapshot(chip_in, chip_out, &chip, 0, r));
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_BUSY);
	/* ... but not after the second read: the snapshot stands */
	chip_reset(0);
	chip.tick_at = 12;
	assert_true(clock_cmos_snapshot(chip_in, chip_out, &chip, 0, r));
	assert_int_equal(clock_cmos_decode(r, &s), CLOCK_CMOS_OK);
	/* any failed access fails the snapshot */
	for (int at = 1; at <= 22; at++) {
		chip_reset(0);
		chip.fail_at = at;
		assert_false(clock_cmos_snapshot(chip_in, chip_out, &chip, 0, r));
	}
}

/* The service over the chip: a torn first snapshot is read again. */
static bool chip_snapshot(void *ctx, uint8_t regs[CLOCK_CMOS_NREGS])
{
	return clock_cmos_snapshot(chip_in, chip_out, ctx, 0, regs);
}

static void test_service_over_ports(void **st)
{
	(void)st;
	capos_WallTimeReading r;
	chip_reset(0);
	chip.tick_at = 3; /* the first snapshot is torn */
	chip.regs[CLOCK_CMOS_SECONDS] = 0x25;
	clock_init(&state, chip_snapshot, fake_mono, &chip);
	capos_loopback_register(CLOCK_CAP, wallclock_service(&clock_service_ops, &state), 0x7);
	wall(&r);
	assert_int_equal(r.provenance, capos_ClockProvenance_CLOCK_PROVENANCE_RTC);
	assert_int_equal(r.seconds, T_2026); /* 0x25 ticked to 0x26 */
	assert_int_equal(chip.data_reads, 22); /* two snapshots */
	/* the chip stops answering: UNTRUSTED without a seed */
	chip.fail_at = chip.accesses + 1;
	wall(&r);
	assert_int_equal(r.provenance, capos_ClockProvenance_CLOCK_PROVENANCE_UNTRUSTED);
	assert_int_equal(r.seconds, 0);
}

/* ---- dates ---- */

static void test_format_utc(void **st)
{
	(void)st;
	char buf[40];
	assert_int_equal(clock_format_utc(0, buf, sizeof(buf)), 23);
	assert_string_equal(buf, "1970-01-01 00:00:00 UTC");
	clock_format_utc(T_2026, buf, sizeof(buf));
	assert_string_equal(buf, "2026-03-14 15:09:26 UTC");
	clock_format_utc(1709164800, buf, sizeof(buf));
	assert_string_equal(buf, "2024-02-29 00:00:00 UTC");
	clock_format_utc(946684799, buf, sizeof(buf));
	assert_string_equal(buf, "1999-12-31 23:59:59 UTC");
	clock_format_utc(-1, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31 23:59:59 UTC");
	clock_format_utc(4102444800, buf, sizeof(buf));
	assert_string_equal(buf, "2100-01-01 00:00:00 UTC");
	/* cut, terminated */
	assert_int_equal(clock_format_utc(0, buf, 5), 23);
	assert_string_equal(buf, "1970");
	/* The date arithmetic itself (capos_civil_from_days and its inverse,
	 * lib/src/civil_date.c) is tested in tests/runtime/test_civil_date.c,
	 * four centuries and more each way and every day of 1600-2500. */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_bcd_24h),
		cmocka_unit_test(test_decode_binary),
		cmocka_unit_test(test_decode_12h),
		cmocka_unit_test(test_decode_century),
		cmocka_unit_test(test_decode_bad_bcd_and_uip),
		cmocka_unit_test_setup(test_rtc_provenance, setup),
		cmocka_unit_test_setup(test_rtc_invalid_falls_back_to_manifest, setup),
		cmocka_unit_test_setup(test_no_source_untrusted, setup),
		cmocka_unit_test_setup(test_monotonic, setup),
		cmocka_unit_test_setup(test_malformed, setup),
		cmocka_unit_test(test_snapshot_ports),
		cmocka_unit_test(test_snapshot_torn),
		cmocka_unit_test_setup(test_service_over_ports, setup),
		cmocka_unit_test(test_format_utc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
