/*
 * test_civil_date.c - lib/src/civil_date.c: every day from 1600-01-01 to
 * past 2500 against the obvious calendar stepped a day at a time (both
 * directions), known dates, the round trip far out, and UTC seconds split
 * with floor division. The clock server, the shell and services_probe all
 * use these functions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <capos/civil_date.h>

/* The obvious calendar, a day at a time: the reference for the fast one. */
static void naive_next(int64_t *y, unsigned *m, unsigned *d)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
	unsigned len = mdays[*m - 1] + (*m == 2 && leap);
	if (++*d > len) {
		*d = 1;
		if (++*m > 12) {
			*m = 1;
			++*y;
		}
	}
}

static void test_against_naive(void **st)
{
	(void)st;
	/* 1600-01-01 (day -135140) to past 2500: every day, both ways. */
	int64_t y = 1600;
	unsigned m = 1, d = 1;
	for (int64_t day = -135140; day < 194000; day++) {
		int64_t cy;
		unsigned cm, cd;
		capos_civil_from_days(day, &cy, &cm, &cd);
		if (cy != y || cm != m || cd != d)
			fail_msg("day %lld: got %lld-%u-%u, want %lld-%u-%u", (long long)day,
				 (long long)cy, cm, cd, (long long)y, m, d);
		if (capos_days_from_civil(y, m, d) != day)
			fail_msg("%lld-%u-%u: got day %lld, want %lld", (long long)y, m, d,
				 (long long)capos_days_from_civil(y, m, d), (long long)day);
		naive_next(&y, &m, &d);
	}
	/* The reference reached day 194000: 2501-02-26. */
	assert_int_equal(y, 2501);
	assert_int_equal(m, 2);
	assert_int_equal(d, 26);
}

static void test_known_dates(void **st)
{
	(void)st;
	struct {
		int64_t day;
		int64_t y;
		unsigned m, d;
	} k[] = {
		{ 0, 1970, 1, 1 },       { -1, 1969, 12, 31 },    { 11016, 2000, 2, 29 },
		{ 19782, 2024, 2, 29 },  { 24855, 2038, 1, 19 },  { 47540, 2100, 2, 28 },
		{ 47541, 2100, 3, 1 },   { 157113, 2400, 2, 29 }, { -25508, 1900, 3, 1 },
		{ 49710, 2106, 2, 7 },   { 2932896, 9999, 12, 31 }, { -135081, 1600, 2, 29 },
		{ 106751, 2262, 4, 11 }, { -719468, 0, 3, 1 },    { -719469, 0, 2, 29 },
		{ -719528, 0, 1, 1 },    { -719529, -1, 12, 31 }, { -719893, -1, 1, 1 },
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		int64_t y;
		unsigned m, d;
		capos_civil_from_days(k[i].day, &y, &m, &d);
		assert_int_equal(y, k[i].y);
		assert_int_equal(m, k[i].m);
		assert_int_equal(d, k[i].d);
		assert_int_equal(capos_days_from_civil(k[i].y, k[i].m, k[i].d), k[i].day);
	}
}

static void test_round_trip_far(void **st)
{
	(void)st;
	/* Far out, and over four centuries and more around the epoch. */
	for (int64_t day = -1000000; day <= 3000000; day += 997) {
		int64_t y;
		unsigned m, d;
		capos_civil_from_days(day, &y, &m, &d);
		assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
		assert_int_equal(capos_days_from_civil(y, m, d), day);
	}
	for (int64_t day = -800000; day <= 800000; day += 7) {
		int64_t y;
		unsigned m, d;
		capos_civil_from_days(day, &y, &m, &d);
		assert_int_equal(capos_days_from_civil(y, m, d), day);
	}
}

static void test_utc_from_seconds(void **st)
{
	(void)st;
	struct {
		int64_t s;
		int64_t y;
		unsigned mo, d, h, mi, se;
	} k[] = {
		{ 0, 1970, 1, 1, 0, 0, 0 },
		{ -1, 1969, 12, 31, 23, 59, 59 },       /* floor, not truncation */
		{ -86400, 1969, 12, 31, 0, 0, 0 },
		{ -86401, 1969, 12, 30, 23, 59, 59 },
		{ 1773500966, 2026, 3, 14, 15, 9, 26 },
		{ 1709164800, 2024, 2, 29, 0, 0, 0 },
		{ 946684799, 1999, 12, 31, 23, 59, 59 },
		{ 4102444800, 2100, 1, 1, 0, 0, 0 },
		{ 2147483647, 2038, 1, 19, 3, 14, 7 },
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		struct capos_utc_time t;
		capos_utc_from_seconds(k[i].s, &t);
		assert_int_equal(t.year, k[i].y);
		assert_int_equal(t.month, k[i].mo);
		assert_int_equal(t.day, k[i].d);
		assert_int_equal(t.hour, k[i].h);
		assert_int_equal(t.minute, k[i].mi);
		assert_int_equal(t.second, k[i].se);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_naive),
		cmocka_unit_test(test_known_dates),
		cmocka_unit_test(test_round_trip_far),
		cmocka_unit_test(test_utc_from_seconds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
