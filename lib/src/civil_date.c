/*
 * civil_date.c - days <-> civil dates (capos/civil_date.h), after Howard
 * Hinnant's "chrono-Compatible Low-Level Date Algorithms": the year is
 * shifted to start on March 1, so a leap day is the last day of its year,
 * and days are counted in eras of 400 years (146097 days), which repeat
 * exactly. Valid for every day whose year fits in int64_t with room for
 * the era arithmetic (far beyond any clock).
 */
#include <capos/civil_date.h>

int64_t capos_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;                                  /* Jan, Feb: the previous March-year */
	int64_t era = (y >= 0 ? y : y - 399) / 400;   /* floor division */
	unsigned yoe = (unsigned)(y - era * 400);     /* [0, 399] */
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
	return era * 146097 + (int64_t)doe - 719468;  /* 719468: 0000-03-01 to 1970-01-01 */
}

void capos_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);                            /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;   /* [0, 399] */
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                /* [0, 365] */
	unsigned mp = (5 * doy + 2) / 153;                                     /* [0, 11], 0 = March */
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void capos_utc_from_seconds(int64_t seconds, struct capos_utc_time *out)
{
	int64_t days = seconds / 86400, rem = seconds % 86400;
	if (rem < 0) { /* floor, not truncation */
		rem += 86400;
		days--;
	}
	capos_civil_from_days(days, &out->year, &out->month, &out->day);
	out->hour = (unsigned)(rem / 3600);
	out->minute = (unsigned)(rem / 60 % 60);
	out->second = (unsigned)(rem % 60);
}
