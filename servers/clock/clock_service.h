/*
 * clock_service.h - the clock server's logic (idl/clock.proto, WallClock),
 * free of system calls, so the same code serves on the target and in host
 * component tests. The hardware is reached through callbacks: the CMOS
 * RTC (ports 0x70/0x71 through an IOPort cap on the target) and a
 * monotonic counter (the TSC on the target).
 *
 * Wall time sources, best first:
 *   RTC       a CMOS snapshot that decodes and passes every check;
 *   MANIFEST  the manifest's seed seconds + monotonic time since boot;
 *   UNTRUSTED neither: wall time 0, provenance 0 (fail closed).
 */
#ifndef SERVERS_CLOCK_SERVICE_H
#define SERVERS_CLOCK_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.capos.h"

/* CMOS registers, indexed by register number in a snapshot. */
#define CLOCK_CMOS_SECONDS  0x00u
#define CLOCK_CMOS_MINUTES  0x02u
#define CLOCK_CMOS_HOURS    0x04u
#define CLOCK_CMOS_DAY      0x07u
#define CLOCK_CMOS_MONTH    0x08u
#define CLOCK_CMOS_YEAR     0x09u
#define CLOCK_CMOS_STATUS_A 0x0au
#define CLOCK_CMOS_STATUS_B 0x0bu
#define CLOCK_CMOS_CENTURY  0x32u /* the usual ACPI FADT century register */
#define CLOCK_CMOS_NREGS    0x33u

#define CLOCK_CMOS_A_UIP     0x80u /* update in progress: snapshot unusable */
#define CLOCK_CMOS_B_24H     0x02u /* hours 0..23 (else 1..12, bit 7 = PM) */
#define CLOCK_CMOS_B_BINARY  0x04u /* binary values (else BCD) */
#define CLOCK_CMOS_HOUR_PM   0x80u

enum clock_cmos_result {
	CLOCK_CMOS_OK = 0,
	CLOCK_CMOS_BUSY = 1,    /* update-in-progress was set: read again */
	CLOCK_CMOS_INVALID = 2, /* bad BCD, a value out of range, before 1970 */
};

/* Decode a CMOS snapshot to UTC seconds since 1970-01-01. The century
 * register is used when it holds a valid value (19..99); 0x00 or 0xff
 * mean "absent" and the year is taken as 20yy. Pure: no I/O. */
enum clock_cmos_result clock_cmos_decode(const uint8_t regs[CLOCK_CMOS_NREGS],
					 int64_t *seconds);

/* Dates: capos_days_from_civil and friends (capos/civil_date.h). */

/* "YYYY-MM-DD hh:mm:ss UTC" for UTC seconds since 1970 (snprintf rules:
 * always terminated when n > 0; returns the length it wanted). */
int clock_format_utc(int64_t seconds, char *buf, size_t n);

/* Read a CMOS snapshot into regs; false when the read itself failed. */
typedef bool (*clock_cmos_read_fn)(void *ctx, uint8_t regs[CLOCK_CMOS_NREGS]);
/* Nanoseconds since boot. */
typedef uint64_t (*clock_monotonic_fn)(void *ctx);

#define CLOCK_CMOS_ATTEMPTS 3 /* snapshots tried while update-in-progress */

/* The CMOS ports: index (write) and data. */
#define CLOCK_CMOS_PORT_INDEX 0x70u
#define CLOCK_CMOS_PORT_DATA  0x71u
/* Bit 7 of every index write is the NMI-disable bit, not part of the
 * register number. */
#define CLOCK_CMOS_NMI_DISABLE 0x80u

/* One port access; false when it failed (a refused or missing IOPort). */
typedef bool (*clock_port_in_fn)(void *ctx, uint16_t port, uint8_t *value);
typedef bool (*clock_port_out_fn)(void *ctx, uint16_t port, uint8_t value);

/* A snapshot of every register clock_cmos_decode reads, through the index
 * and data ports. Each index write carries `nmi_bit` (0 or
 * CLOCK_CMOS_NMI_DISABLE) unchanged: the clock must not change the NMI
 * state, and the index port cannot be read back on real chipsets, so the
 * caller says what it is. Status A is read first and again last, and the
 * seconds twice: if either Status A had update-in-progress set or the
 * seconds moved, the snapshot's Status A has CLOCK_CMOS_A_UIP set (decode
 * answers BUSY and the caller reads again). False when a port access
 * failed. */
bool clock_cmos_snapshot(clock_port_in_fn in, clock_port_out_fn out, void *ctx,
			 uint8_t nmi_bit, uint8_t regs[CLOCK_CMOS_NREGS]);

struct clock_state {
	clock_cmos_read_fn read_cmos;  /* NULL: no RTC */
	clock_monotonic_fn monotonic;  /* NULL: monotonic time stays 0 */
	void *ctx;                     /* for both callbacks */
	bool seeded;                   /* the manifest gave a seed */
	int64_t seed_seconds;          /* UTC seconds at boot (manifest) */
	uint64_t last_monotonic;       /* never answer less than this */
};

void clock_init(struct clock_state *s, clock_cmos_read_fn read_cmos,
		clock_monotonic_fn monotonic, void *ctx);
/* Seed from the manifest: wall = seed + monotonic time since boot.
 * A seed <= 0 is no seed. */
void clock_seed(struct clock_state *s, int64_t seed_seconds);

/* The reading WallTime answers (also for in-process users). */
void clock_wall_time(struct clock_state *s, capos_WallTimeReading *out);
uint64_t clock_monotonic_ns(struct clock_state *s);

extern const struct wallclock_ops clock_service_ops;

#endif
