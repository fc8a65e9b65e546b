/*
 * capos/civil_date.h - the proleptic Gregorian calendar for UTC times:
 * days since 1970-01-01 <-> year/month/day (Howard Hinnant's
 * days_from_civil and civil_from_days, eras of 400 years), and UTC seconds
 * split into a date and a time of day. Pure integer code, for the target
 * runtime and the host alike (lib/src/civil_date.c). The clock server,
 * the shell and the test programs use it; nothing keeps a copy.
 */
#ifndef CAPOS_CIVIL_DATE_H
#define CAPOS_CIVIL_DATE_H

#include <stdint.h>

/* Days from 1970-01-01 to y-m-d (m 1-12, d 1-31; 1969-12-31 is -1). */
int64_t capos_days_from_civil(int64_t y, unsigned m, unsigned d);

/* The date of a day count from 1970-01-01: the inverse of the above. */
void capos_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* A UTC time of day on a civil date. */
struct capos_utc_time {
	int64_t year;
	unsigned month, day;           /* 1-12, 1-31 */
	unsigned hour, minute, second; /* 0-23, 0-59, 0-59 */
};

/* UTC seconds since 1970-01-01 00:00:00 (floor division: -1 is
 * 1969-12-31 23:59:59, not a time of 1970-01-01). */
void capos_utc_from_seconds(int64_t seconds, struct capos_utc_time *out);

#endif
